// SPDX-License-Identifier: MIT

package swmodel

import (
	"bytes"
	"encoding/binary"
	"net"
	"net/netip"
	"strings"
	"testing"
	"unsafe"

	"github.com/brcmlink/brcmlink"
	"golang.org/x/sys/unix"
)

// Tests of the pure parts; they need no privileges.

var (
	macA = net.HardwareAddr{0x02, 0, 0, 0, 0, 0xa}
	macB = net.HardwareAddr{0x02, 0, 0, 0, 0, 0xb}
	ipA  = netip.MustParseAddr("192.0.2.1")
	ipB  = netip.MustParseAddr("192.0.2.2")
)

func TestOnesSumRFC1071(t *testing.T) {
	// The worked example of RFC 1071, section 3.
	b := []byte{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}
	if got := fold(onesSum(b)); got != 0xddf2 {
		t.Errorf("fold(onesSum) = %#04x, want 0xddf2", got)
	}
	if got := fold(onesSum([]byte{0x12, 0x34, 0x56})); got != 0x1234+0x5600 {
		t.Errorf("odd length: %#04x, want %#04x", got, 0x1234+0x5600)
	}
}

func TestCompleteChecksum(t *testing.T) {
	for _, n := range []int{0, 1, 18, 1472} {
		data := bytes.Repeat([]byte{0xa5}, n)
		frame := ether(macB, macA, etherTypeIPv4, ipv4(ipA, ipB, 17, udp(ipA, ipB, 1000, 2000, data)))
		if err := completeChecksum(frame, 34, 6); err != nil {
			t.Fatal(err)
		}
		if !l4ChecksumOK(frame) {
			t.Errorf("%d data bytes: UDP checksum %#04x does not verify", n, binary.BigEndian.Uint16(frame[40:]))
		}
	}
}

func TestCompleteChecksumZero(t *testing.T) {
	// A region summing to 0xffff checksums to 0, which must go out
	// as 0xffff.
	frame := make([]byte, 20)
	binary.BigEndian.PutUint16(frame[16:], 0xffff)
	if err := completeChecksum(frame, 16, 2); err != nil {
		t.Fatal(err)
	}
	if got := binary.BigEndian.Uint16(frame[18:]); got != 0xffff {
		t.Errorf("checksum %#04x, want 0xffff", got)
	}
}

func TestCompleteChecksumRange(t *testing.T) {
	for _, c := range []struct{ start, off int }{{60, 0}, {50, 9}, {58, 1}} {
		if err := completeChecksum(make([]byte, 60), c.start, c.off); err == nil {
			t.Errorf("start %d offset %d: no error", c.start, c.off)
		}
	}
}

func TestFrameBuf(t *testing.T) {
	fb := newFrameBuf()
	fb.off, fb.end = headroom, headroom+3
	copy(fb.bytes(), "abc")
	fb.insert(1, []byte("XY"))
	fb.insert(0, []byte("<"))
	if got := string(fb.bytes()); got != "<aXYbc" {
		t.Fatalf("after inserts %q", got)
	}
	fb.remove(2, 2)
	if got := string(fb.bytes()); got != "<abc" {
		t.Fatalf("after remove %q", got)
	}
	fb.buf[fb.end] = 'z' // garbage a previous frame left
	fb.padTo(6)
	if got := fb.bytes(); !bytes.Equal(got, []byte("<abc\x00\x00")) {
		t.Fatalf("after pad %q", got)
	}
	fb.padTo(2)
	if len(fb.bytes()) != 6 {
		t.Fatal("padTo shortened the frame")
	}
}

func TestHeadroomFitsInsertedHeaders(t *testing.T) {
	if headroom < vnetHdrLen || headroom < vlanHdrLen+brcmlink.HeaderLen {
		t.Fatalf("headroom %d too small", headroom)
	}
}

func TestToWire(t *testing.T) {
	inner := ether(macB, macA, etherTypeIPv4, ipv4(ipA, ipB, 17, udp(ipA, ipB, 1, 2, []byte("x"))))
	fb := newFrameBuf()
	fb.off, fb.end = headroom, headroom+len(inner)
	copy(fb.bytes(), inner)
	m := rxMeta{
		vnet: vnetHdr{flags: vnetNeedsCsum, csumStart: 34, csumOffset: 6},
		vlan: true, vlanTPID: 0x88a8, vlanTCI: 0x2005,
	}
	completed, _, ok := toWire(fb, m)
	if !completed || !ok {
		t.Fatalf("toWire = %v, _, %v", completed, ok)
	}
	got := fb.bytes()
	if !bytes.Equal(got[12:16], []byte{0x88, 0xa8, 0x20, 0x05}) {
		t.Errorf("VLAN header % x", got[12:16])
	}
	untagged := append(got[:12:12], got[16:]...)
	if !l4ChecksumOK(untagged) {
		t.Error("checksum not completed")
	}

	for _, c := range []struct {
		m rxMeta
		r DropReason
	}{
		{rxMeta{vnet: vnetHdr{gsoType: 1}}, DropGSO},
		{rxMeta{truncated: true}, DropOversize},
		{rxMeta{vnet: vnetHdr{flags: vnetNeedsCsum, csumStart: 500}}, DropOffload},
	} {
		if _, r, ok := toWire(fb, c.m); ok || r != c.r {
			t.Errorf("%+v: %v, %v; want %v", c.m, r, ok, c.r)
		}
	}
}

func TestVnetHdrRoundTrip(t *testing.T) {
	h := vnetHdr{flags: vnetNeedsCsum, gsoType: 3, csumStart: 0x1234, csumOffset: 0x56}
	if got := parseVnetHdr(h.marshal()); got != h {
		t.Errorf("round trip %+v, want %+v", got, h)
	}
}

// auxOOB builds the control message PACKET_AUXDATA delivers.
func auxOOB(aux unix.TpacketAuxdata) []byte {
	data := unsafe.Slice((*byte)(unsafe.Pointer(&aux)), unsafe.Sizeof(aux))
	oob := make([]byte, oobSize)
	h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
	h.Level, h.Type = unix.SOL_PACKET, unix.PACKET_AUXDATA
	h.SetLen(unix.CmsgLen(len(data)))
	copy(oob[unix.CmsgLen(0):], data)
	return oob
}

func TestParseAuxdata(t *testing.T) {
	for _, c := range []struct {
		status uint32
		want   rxMeta
	}{
		{unix.TP_STATUS_VLAN_VALID | unix.TP_STATUS_VLAN_TPID_VALID, rxMeta{vlan: true, vlanTCI: 7, vlanTPID: 0x88a8}},
		{unix.TP_STATUS_VLAN_VALID, rxMeta{vlan: true, vlanTCI: 7, vlanTPID: etherTypeVLAN}},
		{unix.TP_STATUS_CSUMNOTREADY, rxMeta{}},
	} {
		var m rxMeta
		parseAuxdata(auxOOB(unix.TpacketAuxdata{Status: c.status, Vlan_tci: 7, Vlan_tpid: 0x88a8}), &m)
		if m != c.want {
			t.Errorf("status %#x: parsed %+v, want %+v", c.status, m, c.want)
		}
	}
}

func TestHtons(t *testing.T) {
	var b [2]byte
	binary.NativeEndian.PutUint16(b[:], htons(unix.ETH_P_ALL))
	if b != [2]byte{0, 3} {
		t.Errorf("htons(ETH_P_ALL) is % x in memory", b)
	}
}

func TestStatsString(t *testing.T) {
	s := Stats{Ports: map[uint16]Counters{3: {RxFrames: 1, RxBytes: 60}}, Directed: 2}
	s.Drops[DropBadDest] = 4
	s.Queues[2] = 2
	got := s.String()
	for _, want := range []string{"port 3  rx 1 frames 60 bytes", "directed 2", "queues 0 0 2 0", "bad-dest 4"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
	if s.Dropped() != 4 {
		t.Errorf("Dropped() = %d", s.Dropped())
	}
	if DropReason(NumDropReasons).String() != "DropReason(11)" {
		t.Error(DropReason(NumDropReasons).String())
	}
}

func TestConfigCheck(t *testing.T) {
	for _, c := range []Config{
		{Prefix: ""},
		{Prefix: "much-too-long-x"},
		{Prefix: "a/b"},
		{Prefix: "ok", Ports: []uint16{0}},
		{Prefix: "ok", Ports: []uint16{28}},
		{Prefix: "ok", Ports: []uint16{2, 2}},
	} {
		if c.check() == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	if err := (Config{Prefix: "ok-1", Ports: []uint16{1, 27}}).check(); err != nil {
		t.Error(err)
	}
}

func TestCheckPorts(t *testing.T) {
	if checkPorts("imp", map[uint16]string{0: "a"}) == nil ||
		checkPorts("imp", map[uint16]string{1: "imp"}) == nil ||
		checkPorts("imp", map[uint16]string{1: "a", 2: "a"}) == nil {
		t.Error("bad port maps accepted")
	}
	if err := checkPorts("imp", map[uint16]string{1: "a", 27: "b"}); err != nil {
		t.Error(err)
	}
}
