// SPDX-License-Identifier: MIT

package swmodel

import (
	"encoding/binary"
	"net"
	"net/netip"
	"slices"

	"github.com/brcmlink/brcmlink"
)

// Hand-built frames for the tests. The checksum routine here is a second,
// deliberately naive implementation, so the model's is not checked
// against itself.

const (
	etherTypeARP  = 0x0806
	etherTypeIPv4 = 0x0800
	etherTypeVLAN = 0x8100
	etherTypeTest = 0x88b5 // IEEE local experimental: the stack ignores it
)

var broadcast = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

func ether(dst, src net.HardwareAddr, typ uint16, payload []byte) []byte {
	b := slices.Concat([]byte(dst), []byte(src), []byte{0, 0}, payload)
	binary.BigEndian.PutUint16(b[12:], typ)
	return b
}

// txWord is the tag word for port, queue q and tag enforcement te in
// format f, from the facts as docs/wire-format.md states them; the
// vectors of TestDecodeTxTag check it.
func txWord(f brcmlink.Format, port uint16, q, te uint8) uint32 {
	w := uint32(q)<<27 | uint32(te)<<25
	switch {
	case port == 0:
	case f == brcmlink.FormatOriginal:
		w |= 2<<29 | uint32(port+23)
	case port <= 24:
		w |= 4<<29 | 1<<(port-1)
	default:
		w |= 5<<29 | 1<<(port-25)
	}
	return w
}

// withTag returns frame with the Broadcom header for tag word w inserted.
func withTag(frame []byte, w uint32) []byte {
	h := make([]byte, brcmlink.HeaderLen)
	binary.BigEndian.PutUint16(h, brcmlink.EthPBrcm)
	binary.BigEndian.PutUint32(h[2:], w)
	return slices.Concat(frame[:12], h, frame[12:])
}

// splitTag returns the tag word of a tagged frame and the frame without
// the Broadcom header.
func splitTag(frame []byte) (uint32, []byte, bool) {
	if len(frame) < 20 || binary.BigEndian.Uint16(frame[12:]) != brcmlink.EthPBrcm {
		return 0, nil, false
	}
	return binary.BigEndian.Uint32(frame[14:]), slices.Concat(frame[:12], frame[18:]), true
}

func padTo(frame []byte, n int) []byte {
	if len(frame) >= n {
		return frame
	}
	return append(slices.Clone(frame), make([]byte, n-len(frame))...)
}

// testFrame is an experimental-ethertype frame of exactly n bytes with a
// recognisable payload.
func testFrame(dst, src net.HardwareAddr, n int, seed byte) []byte {
	p := make([]byte, n-14)
	for i := range p {
		p[i] = seed + byte(i)
	}
	return ether(dst, src, etherTypeTest, p)
}

func arp(op uint16, sha net.HardwareAddr, spa netip.Addr, tha net.HardwareAddr, tpa netip.Addr) []byte {
	b := []byte{0, 1, 8, 0, 6, 4, 0, 0}
	binary.BigEndian.PutUint16(b[6:], op)
	s4, t4 := spa.As4(), tpa.As4()
	return slices.Concat(b, sha, s4[:], tha, t4[:])
}

func ipv4(src, dst netip.Addr, proto uint8, payload []byte) []byte {
	h := make([]byte, 20)
	h[0] = 0x45
	binary.BigEndian.PutUint16(h[2:], uint16(20+len(payload)))
	h[6] = 0x40 // don't fragment
	h[8], h[9] = 64, proto
	s, d := src.As4(), dst.As4()
	copy(h[12:], s[:])
	copy(h[16:], d[:])
	binary.BigEndian.PutUint16(h[10:], refChecksum(h))
	return slices.Concat(h, payload)
}

func icmpEcho(typ uint8, id, seq uint16, data []byte) []byte {
	b := make([]byte, 8, 8+len(data))
	b[0] = typ
	binary.BigEndian.PutUint16(b[4:], id)
	binary.BigEndian.PutUint16(b[6:], seq)
	b = append(b, data...)
	binary.BigEndian.PutUint16(b[2:], refChecksum(b))
	return b
}

// udp returns a UDP datagram whose checksum field holds only the folded
// pseudo-header sum, as a stack leaves it for checksum offload.
func udp(src, dst netip.Addr, sport, dport uint16, data []byte) []byte {
	b := make([]byte, 8, 8+len(data))
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint16(b[4:], uint16(8+len(data)))
	binary.BigEndian.PutUint16(b[6:], ^refChecksum(pseudoHeader(src, dst, 17, 8+len(data))))
	return append(b, data...)
}

func pseudoHeader(src, dst netip.Addr, proto uint8, n int) []byte {
	s, d := src.As4(), dst.As4()
	return slices.Concat(s[:], d[:], []byte{0, proto, byte(n >> 8), byte(n)})
}

// refChecksum is the Internet checksum of the concatenated chunks.
func refChecksum(chunks ...[]byte) uint16 {
	b := slices.Concat(chunks...)
	if len(b)%2 == 1 {
		b = append(b, 0)
	}
	var sum uint32
	for i := 0; i < len(b); i += 2 {
		sum += uint32(b[i])<<8 | uint32(b[i+1])
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// l4ChecksumOK checks the TCP or UDP checksum of an untagged IPv4 frame.
func l4ChecksumOK(frame []byte) bool {
	if len(frame) < 34 || binary.BigEndian.Uint16(frame[12:]) != etherTypeIPv4 {
		return false
	}
	ip := frame[14:]
	ihl := int(ip[0]&0xf) * 4
	total := int(binary.BigEndian.Uint16(ip[2:]))
	if total > len(ip) || ihl > total {
		return false
	}
	src, _ := netip.AddrFromSlice(ip[12:16])
	dst, _ := netip.AddrFromSlice(ip[16:20])
	seg := ip[ihl:total]
	return refChecksum(pseudoHeader(src, dst, ip[9], len(seg)), seg) == 0
}
