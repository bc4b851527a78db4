// SPDX-License-Identifier: MIT

package brcmlink

import "testing"

func TestTxTagWords(t *testing.T) {
	for _, tt := range []struct {
		port              uint16
		queue, tagEnforce uint8
		want              uint32
	}{
		{port: 5, want: 0x4000001c}, // opcode 2, destination 5+23
		{port: 0, want: 0x00000000}, // "any": opcode 0, no destination
		{port: 1, want: 0x40000018}, // lowest directed port
		{port: 27, queue: 3, tagEnforce: 3, want: 0x5e000032},
		{port: 0, queue: 2, tagEnforce: 1, want: 0x12000000},
	} {
		tag := TxTagFor(tt.port, tt.queue, tt.tagEnforce)
		if got := tag.Word(); got != tt.want {
			t.Errorf("TxTagFor(%d, %d, %d).Word() = %#08x, want %#08x", tt.port, tt.queue, tt.tagEnforce, got, tt.want)
		}
		if got := ParseTxTag(tt.want); got != tag {
			t.Errorf("ParseTxTag(%#08x) = %+v, want %+v", tt.want, got, tag)
		}
	}
}

// TestTxTagRoundTrip covers every port, queue and tag enforcement value.
func TestTxTagRoundTrip(t *testing.T) {
	for port := uint16(0); port <= PortMax; port++ {
		for queue := uint8(0); queue <= QueueMax; queue++ {
			for te := uint8(0); te <= TagEnforceMax; te++ {
				tag := TxTagFor(port, queue, te)
				got := ParseTxTag(tag.Word())
				if got != tag {
					t.Fatalf("ParseTxTag(%#08x) = %+v, want %+v", tag.Word(), got, tag)
				}
				p, err := got.Port()
				if err != nil || p != port {
					t.Fatalf("%+v.Port() = %d, %v; want %d", got, p, err, port)
				}
			}
		}
	}
}

func TestTxTagPortInvalid(t *testing.T) {
	for _, tag := range []TxTag{
		{Opcode: OpNormal, Dest: 28},                      // a destination needs the directed opcode
		{Opcode: OpEgressDirect, Dest: 0},                 // and directed needs a destination
		{Opcode: OpEgressDirect, Dest: PortIDOffset},      // port 0 is never directed
		{Opcode: OpEgressDirect, Dest: PortIDOffset + 28}, // beyond PortMax
		{Opcode: 1, Dest: 28},                             // unknown opcode
	} {
		if p, err := tag.Port(); err == nil {
			t.Errorf("%+v.Port() = %d, want an error", tag, p)
		}
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
		{0x00018000, RxTag{CoS: 3}},
		{0x00003f00, RxTag{Reason: 0x3f}},
		{0x000000c0, RxTag{Mirror: 3}},
		{0xffffbfff, RxTag{Opcode: 7, Length: 0xfff, CoS: 3, Reason: 0x3f, Mirror: 3, SrcPortID: 0x3f}}, // all but the reserved bit 14
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
