// SPDX-License-Identifier: MIT

package swmodel

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"

	"github.com/brcmlink/brcmlink"
)

// txVector is one transmit tag word, derived by hand from the facts of
// docs/wire-format.md, and what it decodes to in one format.
type txVector struct {
	f         brcmlink.Format
	w         uint32
	op, q, te uint8
	dest      uint32
	port      uint16
	r         DropReason // if not ok
	ok        bool
}

// txVectors: opcode << 29 | queue << 27 | TE << 25 | destination. In
// bcm53242, port p of 1-24 is opcode 4 (0x80000000) and bit p-1, p of
// 25-27 opcode 5 (0xa0000000) and bit p-25; in original, port p is
// opcode 2 (0x40000000) and id p+23.
var txVectors = []txVector{
	// bcm53242, accepted
	{brcmlink.FormatBCM53242, 0x00000000, 0, 0, 0, 0, 0, 0, true},         // port 0
	{brcmlink.FormatBCM53242, 0x08000000, 0, 1, 0, 0, 0, 0, true},         // port 0, queue 1: 1 << 27
	{brcmlink.FormatBCM53242, 0x1e000000, 0, 3, 3, 0, 0, 0, true},         // port 0, queue 3, TE 3: 0x18000000 | 0x06000000
	{brcmlink.FormatBCM53242, 0x80000001, 4, 0, 0, 0x1, 1, 0, true},       // port 1: chip port 0, bit 0
	{brcmlink.FormatBCM53242, 0x80000010, 4, 0, 0, 0x10, 5, 0, true},      // port 5: bit 4 = 0x10
	{brcmlink.FormatBCM53242, 0x9a000010, 4, 3, 1, 0x10, 5, 0, true},      // port 5, queue 3 (0x18000000), TE 1 (0x02000000)
	{brcmlink.FormatBCM53242, 0x80800000, 4, 0, 0, 0x800000, 24, 0, true}, // port 24: bit 23
	{brcmlink.FormatBCM53242, 0x86800000, 4, 0, 3, 0x800000, 24, 0, true}, // port 24, TE 3: 0x06000000
	{brcmlink.FormatBCM53242, 0xa0000001, 5, 0, 0, 0x1, 25, 0, true},      // port 25: chip port 24, bit 0
	{brcmlink.FormatBCM53242, 0xa0000002, 5, 0, 0, 0x2, 26, 0, true},      // port 26: bit 1
	{brcmlink.FormatBCM53242, 0xb2000002, 5, 2, 1, 0x2, 26, 0, true},      // port 26, queue 2 (0x10000000), TE 1
	{brcmlink.FormatBCM53242, 0xa0000004, 5, 0, 0, 0x4, 27, 0, true},      // port 27: bit 2
	{brcmlink.FormatBCM53242, 0xae000004, 5, 1, 3, 0x4, 27, 0, true},      // port 27, queue 1 (0x08000000), TE 3
	// bcm53242, refused
	{brcmlink.FormatBCM53242, 0x4000001c, 2, 0, 0, 0x1c, 0, DropBadOpcode, false}, // the original's port 5
	{brcmlink.FormatBCM53242, 0x20000001, 1, 0, 0, 0x1, 0, DropBadOpcode, false},
	{brcmlink.FormatBCM53242, 0x60000001, 3, 0, 0, 0x1, 0, DropBadOpcode, false},
	{brcmlink.FormatBCM53242, 0xc0000001, 6, 0, 0, 0x1, 0, DropBadOpcode, false},
	{brcmlink.FormatBCM53242, 0xe0000001, 7, 0, 0, 0x1, 0, DropBadOpcode, false},
	{brcmlink.FormatBCM53242, 0x00000001, 0, 0, 0, 0x1, 0, DropBadDest, false},       // opcode 0 with a destination
	{brcmlink.FormatBCM53242, 0x80000000, 4, 0, 0, 0, 0, DropBadDest, false},         // no bit
	{brcmlink.FormatBCM53242, 0x80000011, 4, 0, 0, 0x11, 0, DropBadDest, false},      // ports 1 and 5
	{brcmlink.FormatBCM53242, 0x81000000, 4, 0, 0, 0x1000000, 0, DropBadDest, false}, // bit 24 with opcode 4
	{brcmlink.FormatBCM53242, 0x81ffffff, 4, 0, 0, 0x1ffffff, 0, DropBadDest, false}, // every bit
	{brcmlink.FormatBCM53242, 0xa0000000, 5, 0, 0, 0, 0, DropBadDest, false},         // no bit
	{brcmlink.FormatBCM53242, 0xa0000008, 5, 0, 0, 0x8, 0, DropBadDest, false},       // chip port 27: none
	{brcmlink.FormatBCM53242, 0xa0000003, 5, 0, 0, 0x3, 0, DropBadDest, false},       // ports 25 and 26
	{brcmlink.FormatBCM53242, 0xa0800000, 5, 0, 0, 0x800000, 0, DropBadDest, false},  // port 24's bit with opcode 5
	// original, accepted
	{brcmlink.FormatOriginal, 0x00000000, 0, 0, 0, 0, 0, 0, true},
	{brcmlink.FormatOriginal, 0x08000000, 0, 1, 0, 0, 0, 0, true},
	{brcmlink.FormatOriginal, 0x40000018, 2, 0, 0, 24, 1, 0, true},  // port 1: 1 + 23 = 24 = 0x18
	{brcmlink.FormatOriginal, 0x4000001c, 2, 0, 0, 28, 5, 0, true},  // port 5: 28 = 0x1c
	{brcmlink.FormatOriginal, 0x5a00001c, 2, 3, 1, 28, 5, 0, true},  // port 5, queue 3, TE 1
	{brcmlink.FormatOriginal, 0x4000002f, 2, 0, 0, 47, 24, 0, true}, // port 24: 47 = 0x2f
	{brcmlink.FormatOriginal, 0x40000030, 2, 0, 0, 48, 25, 0, true}, // port 25: 48 = 0x30
	{brcmlink.FormatOriginal, 0x40000031, 2, 0, 0, 49, 26, 0, true}, // port 26: 49 = 0x31
	{brcmlink.FormatOriginal, 0x52000031, 2, 2, 1, 49, 26, 0, true}, // port 26, queue 2, TE 1
	{brcmlink.FormatOriginal, 0x40000032, 2, 0, 0, 50, 27, 0, true}, // port 27: 50 = 0x32
	{brcmlink.FormatOriginal, 0x5e000032, 2, 3, 3, 50, 27, 0, true}, // port 27, queue 3, TE 3
	// original, refused
	{brcmlink.FormatOriginal, 0x80000010, 4, 0, 0, 0x10, 0, DropBadOpcode, false}, // bcm53242's port 5
	{brcmlink.FormatOriginal, 0xa0000002, 5, 0, 0, 0x2, 0, DropBadOpcode, false},  // bcm53242's port 26
	{brcmlink.FormatOriginal, 0x2000001c, 1, 0, 0, 28, 0, DropBadOpcode, false},
	{brcmlink.FormatOriginal, 0x0000001c, 0, 0, 0, 28, 0, DropBadDest, false},
	{brcmlink.FormatOriginal, 0x40000000, 2, 0, 0, 0, 0, DropBadDest, false},
	{brcmlink.FormatOriginal, 0x40000017, 2, 0, 0, 23, 0, DropBadDest, false}, // id 23: port 0
	{brcmlink.FormatOriginal, 0x40000033, 2, 0, 0, 51, 0, DropBadDest, false}, // id 51: port 28
}

func TestDecodeTxTag(t *testing.T) {
	for _, v := range txVectors {
		tag, r, ok := DecodeTxTag(v.f, v.w)
		want := TxTag{Word: v.w, Opcode: v.op, Queue: v.q, TagEnforce: v.te, Dest: v.dest, Port: v.port}
		if tag != want || r != v.r || ok != v.ok {
			t.Errorf("%v %#08x: %+v, %v, %v; want %+v, %v, %v", v.f, v.w, tag, r, ok, want, v.r, v.ok)
		}
	}
}

// TestTxWord checks the tests' own encoder against the vectors.
func TestTxWord(t *testing.T) {
	for _, v := range txVectors {
		if v.ok {
			if w := txWord(v.f, v.port, v.q, v.te); w != v.w {
				t.Errorf("txWord(%v, %d, %d, %d) = %#08x, want %#08x", v.f, v.port, v.q, v.te, w, v.w)
			}
		}
	}
}

// TestDecodeTxTagEveryPort decodes every port of both formats, and finds
// no word of one format's ports that the other accepts.
func TestDecodeTxTagEveryPort(t *testing.T) {
	for f := range brcmlink.FormatMax + 1 {
		other := (f + 1) % (brcmlink.FormatMax + 1)
		for p := uint16(0); p <= 27; p++ {
			w := txWord(f, p, 1, 2)
			if tag, r, ok := DecodeTxTag(f, w); !ok || tag.Port != p || tag.Queue != 1 || tag.TagEnforce != 2 {
				t.Errorf("%v port %d (%#08x): %+v, %v, %v", f, p, w, tag, r, ok)
			}
			if _, r, ok := DecodeTxTag(other, w); p != 0 && (ok || r != DropBadOpcode) {
				t.Errorf("%v accepts %v's port %d (%#08x): %v, %v", other, f, p, w, r, ok)
			}
		}
	}
}

// innerFrame is an n-byte frame tagged w with an inner 802.1Q header of
// TCI tci: dst src 8874 tag 8100 tci 88b5 payload.
func innerFrame(w uint32, tci uint16, n int) []byte {
	f := withTag(testFrame(macB, macA, n-10, 1), w)
	h := binary.BigEndian.AppendUint16([]byte{0x81, 0x00}, tci)
	return slices.Concat(f[:18], h, f[18:])
}

func TestDecodeHostFrame(t *testing.T) {
	tagged := func(w uint32, n int) []byte { return withTag(testFrame(macB, macA, n-6, 1), w) }
	vlans := map[uint16]uint16{5: 100, 26: 4094, 0: 1}
	const ok = DropReason(-1) // accepted
	for _, c := range []struct {
		name  string
		f     brcmlink.Format
		frame []byte
		port  uint16
		inner bool
		tci   uint16
		r     DropReason
	}{
		{"bcm53242 port 3", brcmlink.FormatBCM53242, tagged(0x80000004, 66), 3, false, 0, ok},
		{"original port 3", brcmlink.FormatOriginal, tagged(0x4000001a, 66), 3, false, 0, ok},
		{"last port, long", brcmlink.FormatBCM53242, tagged(0xa0000004, 1520), 27, false, 0, ok},
		{"runt", brcmlink.FormatBCM53242, tagged(0x80000004, 65), 3, false, 0, DropRunt},
		{"shorter than a header", brcmlink.FormatBCM53242, macA, 0, false, 0, DropRunt},
		{"header but no tag", brcmlink.FormatBCM53242, tagged(0x80000004, 66)[:17], 0, false, 0, DropRunt},
		{"untagged", brcmlink.FormatBCM53242, testFrame(macB, macA, 66, 1), 0, false, 0, DropUntagged},
		{"bad opcode", brcmlink.FormatBCM53242, tagged(0x4000001a, 66), 0, false, 0, DropBadOpcode},
		{"bad dest", brcmlink.FormatOriginal, tagged(0x40000017, 66), 0, false, 0, DropBadDest},
		// Port 5's inner VLAN 100, priority 5: 5 << 13 | 100 = 0xa000 | 0x64.
		{"inner header", brcmlink.FormatBCM53242, innerFrame(0x80000010, 0xa064, 70), 5, true, 0xa064, ok},
		{"inner header, original", brcmlink.FormatOriginal, innerFrame(0x4000001c, 0x0064, 70), 5, true, 0x0064, ok},
		{"inner header, VLAN 4094", brcmlink.FormatBCM53242, innerFrame(0xa0000002, 0xeffe, 70), 26, true, 0xeffe, ok},
		{"inner header, port 0", brcmlink.FormatBCM53242, innerFrame(0, 0x2001, 70), 0, true, 0x2001, ok},
		{"inner header, 69 bytes", brcmlink.FormatBCM53242, innerFrame(0x80000010, 0x0064, 69), 5, true, 0x0064, DropRunt},
		{"inner header missing", brcmlink.FormatBCM53242, tagged(0x80000010, 70), 5, false, 0, DropInnerVLAN},
		{"inner header of another VLAN", brcmlink.FormatBCM53242, innerFrame(0x80000010, 0x0065, 70), 5, false, 0, DropInnerVLAN},
		{"inner header cut off", brcmlink.FormatBCM53242, innerFrame(0x80000010, 0x0064, 70)[:20], 5, false, 0, DropInnerVLAN},
		// Port 6 has no inner VLAN: an 802.1Q header after its tag is
		// the frame's own, and stays.
		{"a VLAN device's header", brcmlink.FormatBCM53242, innerFrame(0x80000020, 0x0007, 70), 6, false, 0, ok},
	} {
		h := DecodeHostFrame(c.f, vlans, c.frame)
		if h.Tag.Port != c.port || h.Inner != c.inner || h.InnerTCI != c.tci || h.Dropped != (c.r != ok) || h.Dropped && h.Drop != c.r ||
			h.Format != c.f || !bytes.Equal(h.Frame, c.frame) {
			t.Errorf("%s: %v; want port %d inner %v %#04x drop %v", c.name, h, c.port, c.inner, c.tci, c.r)
		}
	}
	h := DecodeHostFrame(brcmlink.FormatBCM53242, vlans, innerFrame(0x9a000010, 0xa064, 100))
	if h.VLAN() != 100 || h.Priority() != 5 || h.Len() != 90 || h.Tag.Queue != 3 || h.Tag.TagEnforce != 1 {
		t.Errorf("%v: VLAN %d priority %d length %d", h, h.VLAN(), h.Priority(), h.Len())
	}
	want := "bcm53242 tag 9a000010 opcode 4 queue 3 te 1 dest 0x10 port 5 inner vlan 100 prio 5"
	if h.String() != want {
		t.Errorf("String() = %q, want %q", h, want)
	}
}

func TestCheckInnerVLAN(t *testing.T) {
	for _, c := range []struct {
		port, vid uint16
		ok        bool
	}{{0, 1, true}, {27, 4094, true}, {5, 0, true}, {28, 1, false}, {5, 4095, false}} {
		if err := checkInnerVLAN(c.port, c.vid); (err == nil) != c.ok {
			t.Errorf("port %d VLAN %d: %v", c.port, c.vid, err)
		}
	}
}
