// SPDX-License-Identifier: MIT

package brcmlink

import (
	"errors"
	"fmt"
	"syscall"
	"testing"
)

// TestTxTagWords checks the encoder against words worked out by hand
// from the layout of the UAPI header: opcode in bits 31-29, queue 28-27,
// tag enforcement 26-25, destination 24-0. In FormatBCM53242 the
// destination is a bitmap of the switch's ports, one less than brcm's,
// under opcode 4 for ports 1-24 and, from port 25 on, opcode 5 and bit
// port-25; in FormatOriginal opcode 2 and port+23. Port 0 is opcode 0
// and destination 0 in both.
func TestTxTagWords(t *testing.T) {
	for _, tt := range []struct {
		format            Format
		port              uint16
		queue, tagEnforce uint8
		want              uint32
	}{
		{FormatBCM53242, 0, 0, 0, 0x00000000}, // "any": opcode 0, no destination
		{FormatBCM53242, 0, 2, 1, 0x12000000}, // queue 2 (0x10000000), TE 1 (0x02000000)
		{FormatBCM53242, 1, 0, 0, 0x80000001}, // opcode 4 (0x80000000), bit 0
		{FormatBCM53242, 1, 1, 0, 0x88000001}, // queue 1 (0x08000000)
		{FormatBCM53242, 5, 0, 0, 0x80000010}, // bit 4
		{FormatBCM53242, 5, 2, 0, 0x90000010},
		{FormatBCM53242, 5, 3, 3, 0x9e000010},  // queue 3 (0x18000000), TE 3 (0x06000000)
		{FormatBCM53242, 24, 0, 0, 0x80800000}, // bit 23, the last Fast Ethernet port
		{FormatBCM53242, 24, 1, 2, 0x8c800000}, // TE 2 (0x04000000)
		{FormatBCM53242, 25, 0, 0, 0xa0000001}, // opcode 5 (0xa0000000), bit 0
		{FormatBCM53242, 25, 3, 0, 0xb8000001},
		{FormatBCM53242, 26, 0, 0, 0xa0000002}, // bit 1
		{FormatBCM53242, 26, 0, 1, 0xa2000002},
		{FormatBCM53242, 27, 0, 0, 0xa0000004}, // bit 2, the IMP
		{FormatBCM53242, 27, 3, 3, 0xbe000004},
		{FormatOriginal, 0, 0, 0, 0x00000000},
		{FormatOriginal, 0, 3, 3, 0x1e000000},
		{FormatOriginal, 1, 0, 0, 0x40000018}, // opcode 2 (0x40000000), 1+23 = 0x18
		{FormatOriginal, 5, 0, 0, 0x4000001c}, // 5+23 = 0x1c
		{FormatOriginal, 5, 2, 0, 0x5000001c},
		{FormatOriginal, 24, 0, 0, 0x4000002f}, // 24+23 = 0x2f
		{FormatOriginal, 24, 1, 1, 0x4a00002f},
		{FormatOriginal, 25, 0, 0, 0x40000030},
		{FormatOriginal, 26, 0, 0, 0x40000031},
		{FormatOriginal, 26, 2, 3, 0x56000031},
		{FormatOriginal, 27, 0, 0, 0x40000032},
		{FormatOriginal, 27, 3, 3, 0x5e000032},
	} {
		tag := TxTagFor(tt.format, tt.port, tt.queue, tt.tagEnforce)
		if got := tag.Word(); got != tt.want {
			t.Errorf("TxTagFor(%v, %d, %d, %d).Word() = %#08x, want %#08x", tt.format, tt.port, tt.queue, tt.tagEnforce, got, tt.want)
		}
		parsed := ParseTxTag(tt.want)
		if parsed != tag {
			t.Errorf("ParseTxTag(%#08x) = %+v, want %+v", tt.want, parsed, tag)
		}
		if parsed.Queue != tt.queue || parsed.TagEnforce != tt.tagEnforce {
			t.Errorf("ParseTxTag(%#08x): queue %d, tag enforcement %d; want %d, %d", tt.want, parsed.Queue, parsed.TagEnforce, tt.queue, tt.tagEnforce)
		}
		if p, err := parsed.Port(); err != nil || p != tt.port {
			t.Errorf("ParseTxTag(%#08x).Port() = %d, %v; want %d", tt.want, p, err, tt.port)
		}
	}
}

// TestTxTagRoundTrip covers every format, port, queue and tag enforcement
// value.
func TestTxTagRoundTrip(t *testing.T) {
	for f := Format(0); f <= FormatMax; f++ {
		for port := uint16(0); port <= PortMax; port++ {
			for queue := uint8(0); queue <= QueueMax; queue++ {
				for te := uint8(0); te <= TagEnforceMax; te++ {
					tag := TxTagFor(f, port, queue, te)
					got := ParseTxTag(tag.Word())
					if got != tag {
						t.Fatalf("ParseTxTag(%#08x) = %+v, want %+v", tag.Word(), got, tag)
					}
					p, err := got.Port()
					if err != nil || p != port {
						t.Fatalf("%v: %+v.Port() = %d, %v; want %d", f, got, p, err, port)
					}
				}
			}
		}
	}
}

func TestTxTagForUnknownFormat(t *testing.T) {
	defer func() {
		if r := recover(); r != "brcmlink: TxTagFor: tag format 2 unknown (0-1): numerical result out of range" {
			t.Errorf("TxTagFor(2, ...) panicked with %v", r)
		}
	}()
	TxTagFor(2, 5, 0, 0)
}

func TestTxTagPortInvalid(t *testing.T) {
	for _, tag := range []TxTag{
		{Opcode: OpNormal, Dest: 28},                      // a destination needs a directed opcode
		{Opcode: OpEgressDirect, Dest: 0},                 // and directed needs a destination
		{Opcode: OpEgressDirect, Dest: PortIDOffset},      // port 0 is never directed
		{Opcode: OpEgressDirect, Dest: PortIDOffset + 28}, // beyond PortMax
		{Opcode: OpEgressFE, Dest: 0},                     // a bitmap of no port
		{Opcode: OpEgressFE, Dest: 0x3},                   // of two
		{Opcode: OpEgressFE, Dest: 1 << 24},               // port 25 is OpEgressGE's
		{Opcode: OpEgressGE, Dest: 0},
		{Opcode: OpEgressGE, Dest: 0x6},
		{Opcode: OpEgressGE, Dest: 1 << 3}, // port 28, beyond PortMax
		{Opcode: 1, Dest: 28},              // unknown opcodes
		{Opcode: 3, Dest: 1},
		{Opcode: 6, Dest: 1},
		{Opcode: 7, Dest: 1},
	} {
		if p, err := tag.Port(); err == nil {
			t.Errorf("%+v.Port() = %d, want an error", tag, p)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, tt := range []struct {
		f    Format
		name string
	}{{FormatBCM53242, "bcm53242"}, {FormatOriginal, "original"}} {
		if got := tt.f.String(); got != tt.name {
			t.Errorf("Format(%d).String() = %q, want %q", tt.f, got, tt.name)
		}
		if f, err := ParseFormat(tt.name); err != nil || f != tt.f {
			t.Errorf("ParseFormat(%q) = %v, %v; want %d", tt.name, f, err, tt.f)
		}
		if err := tt.f.Check(); err != nil {
			t.Errorf("Format(%d).Check() = %v", tt.f, err)
		}
	}
	if got := Format(2).String(); got != "format 2" {
		t.Errorf("Format(2).String() = %q", got)
	}
	for _, s := range []string{"", "BCM53242", "1", "bcm53262"} {
		_, err := ParseFormat(s)
		want := fmt.Sprintf("tag format %q unknown: give bcm53242 or original: invalid argument", s)
		var e *Error
		if !errors.As(err, &e) || e.Err != syscall.EINVAL || err.Error() != want {
			t.Errorf("ParseFormat(%q): %v, want %q", s, err, want)
		}
	}
	if err := Format(2).Check(); fmt.Sprint(err) != "tag format 2 unknown (0-1): numerical result out of range" {
		t.Errorf("Format(2).Check() = %v", err)
	}
}

func TestRxTagWords(t *testing.T) {
	for _, tt := range []struct {
		word uint32
		tag  RxTag
	}{
		{0x0000001c, RxTagFrom(5)},
		{0x00000018, RxTag{SrcPortID: 24}},
		{0x00000032, RxTag{SrcPortID: 50}},
		{0x2000001c, RxTag{Opcode: 1, SrcPortID: 28}},
		{0x00c4001c, RxTag{Length: 98, SrcPortID: 28}},
		{0x1ffe0000, RxTag{Length: 0xfff}},
		{0x0000c000, RxTag{CoS: 3}},
		{0x00003f00, RxTag{Reason: 0x3f}},
		{0x000000c0, RxTag{Mirror: 3}},
		{0xfffeffff, RxTag{Opcode: 7, Length: 0xfff, CoS: 3, Reason: 0x3f, Mirror: 3, SrcPortID: 0x3f}}, // all but the reserved bit 16
	} {
		if got := tt.tag.Word(); got != tt.word {
			t.Errorf("%+v.Word() = %#08x, want %#08x", tt.tag, got, tt.word)
		}
		if got := ParseRxTag(tt.word); got != tt.tag {
			t.Errorf("ParseRxTag(%#08x) = %+v, want %+v", tt.word, got, tt.tag)
		}
	}
}

func TestRxTagPort(t *testing.T) {
	for _, tt := range []struct {
		id    uint8
		port  uint16
		valid bool
	}{
		{id: 0},
		{id: 23}, // port 0 never sends
		{id: 24, port: 1, valid: true},
		{id: 28, port: 5, valid: true},
		{id: 50, port: 27, valid: true},
		{id: 51}, // beyond PortMax
		{id: 0x3f},
	} {
		p, err := RxTag{SrcPortID: tt.id}.Port()
		if (err == nil) != tt.valid || p != tt.port {
			t.Errorf("source port id %d: Port() = %d, %v; want %d, valid %v", tt.id, p, err, tt.port, tt.valid)
		}
	}
	for port := uint16(1); port <= PortMax; port++ {
		if p, err := ParseRxTag(RxTagFrom(port).Word()).Port(); err != nil || p != port {
			t.Errorf("round trip of port %d: Port() = %d, %v", port, p, err)
		}
	}
}
