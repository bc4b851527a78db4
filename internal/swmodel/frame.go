// SPDX-License-Identifier: MIT

package swmodel

import (
	"encoding/binary"
	"errors"
)

const (
	ethHdrLen   = 14 // destination MAC, source MAC, ethertype
	ethAddrsLen = 12 // the two MACs, which every inserted header follows
	ethMinLen   = 60 // shortest Ethernet frame without FCS (ETH_ZLEN)
	vlanHdrLen  = 4  // 802.1Q TPID and TCI

	// maxTagLength is the largest frame the 12-bit octet count of a
	// receive tag (BRCM_RX_LEN_MASK) can describe.
	maxTagLength = 1<<12 - 1

	// vnetHdrLen is sizeof(struct virtio_net_hdr), which PACKET_VNET_HDR
	// puts in front of every frame read.
	vnetHdrLen = 10

	// headroom is what a frameBuf keeps in front of a frame: the virtio
	// header lands there on read, and once it is parsed the same bytes
	// take the VLAN header and the Broadcom tag the model inserts.
	headroom = 16

	// bufSize holds the largest frame a packet socket can deliver, a
	// 64 KiB GSO frame, so that one is seen whole and dropped as GSO.
	bufSize = headroom + 1<<16
)

// virtio_net_hdr flags and GSO types.
const (
	vnetNeedsCsum = 1 // VIRTIO_NET_HDR_F_NEEDS_CSUM
	vnetGSONone   = 0 // VIRTIO_NET_HDR_GSO_NONE
)

// vnetHdr is the part of struct virtio_net_hdr the model uses. AF_PACKET
// writes it in host byte order (legacy virtio).
type vnetHdr struct {
	flags      uint8
	gsoType    uint8
	csumStart  uint16 // from the first byte of the Ethernet header
	csumOffset uint16 // from csumStart to the checksum field
}

func parseVnetHdr(b []byte) vnetHdr {
	return vnetHdr{
		flags:      b[0],
		gsoType:    b[1],
		csumStart:  binary.NativeEndian.Uint16(b[6:]),
		csumOffset: binary.NativeEndian.Uint16(b[8:]),
	}
}

func (h vnetHdr) marshal() []byte {
	b := make([]byte, vnetHdrLen)
	b[0], b[1] = h.flags, h.gsoType
	binary.NativeEndian.PutUint16(b[6:], h.csumStart)
	binary.NativeEndian.PutUint16(b[8:], h.csumOffset)
	return b
}

// frameBuf holds one frame, buf[off:end], with headroom in front so the
// model can insert headers without copying the payload.
type frameBuf struct {
	buf      []byte
	off, end int
}

func newFrameBuf() *frameBuf {
	return &frameBuf{buf: make([]byte, bufSize)}
}

func (b *frameBuf) bytes() []byte { return b.buf[b.off:b.end] }

// insert puts hdr at offset at of the frame, moving the bytes before it
// into the headroom.
func (b *frameBuf) insert(at int, hdr []byte) {
	if len(hdr) > b.off {
		panic("swmodel: frame headroom exhausted")
	}
	start := b.off - len(hdr)
	copy(b.buf[start:], b.buf[b.off:b.off+at])
	copy(b.buf[start+at:], hdr)
	b.off = start
}

// remove cuts n bytes at offset at of the frame, moving the bytes before
// them towards the end.
func (b *frameBuf) remove(at, n int) {
	copy(b.buf[b.off+n:], b.buf[b.off:b.off+at])
	b.off += n
}

// padTo zero-fills the frame up to n bytes.
func (b *frameBuf) padTo(n int) {
	for b.end-b.off < n {
		b.buf[b.end] = 0
		b.end++
	}
}

var errCsumRange = errors.New("checksum offload points outside the frame")

// completeChecksum does what a NIC with generic checksum offload does for
// a frame whose stack left the L4 checksum to it: the checksum field holds
// the pseudo-header sum, and the NIC stores the complement of the ones'
// complement sum from start to the end of the frame at start+offset.
// Like skb_checksum_help, it writes 0xffff for 0: both are zero in ones'
// complement, and 0 would mean "no checksum" to UDP.
func completeChecksum(frame []byte, start, offset int) error {
	at := start + offset
	if start >= len(frame) || at+2 > len(frame) {
		return errCsumRange
	}
	c := ^fold(onesSum(frame[start:]))
	if c == 0 {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(frame[at:], c)
	return nil
}

// onesSum adds b as big-endian 16-bit words, an odd last byte padded
// with zero, without folding the carries.
func onesSum(b []byte) uint64 {
	var s uint64
	for len(b) >= 2 {
		s += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint64(b[0]) << 8
	}
	return s
}

// fold adds the carries of s back in until it fits 16 bits.
func fold(s uint64) uint16 {
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}
