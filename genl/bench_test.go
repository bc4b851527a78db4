// SPDX-License-Identifier: MIT

package genl

import (
	"fmt"
	"testing"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/internal/nl"
	"github.com/mdlayher/netlink"
)

// Benchmarks of what the Client does per request and per port on its
// side of the socket, for `make bench`: encoding requests and decoding
// dumps. They measure; nothing asserts a speed.

// dumpPorts is the size of the dumps decoded: the thousand ports of the
// control-plane benchmark.
const dumpPorts = 1000

func BenchmarkEncodeAdd(b *testing.B) {
	q, te := uint8(1), uint8(2)
	req := brcmlink.AddRequest{Lower: "eth0", Port: 5, Name: "eth0.p5", Queue: &q, TagEnforce: &te, Up: true}
	b.ReportAllocs()
	for b.Loop() {
		if err := nl.CheckAdd(req); err != nil {
			b.Fatal(err)
		}
		ae := netlink.NewAttributeEncoder()
		encodeAdd(ae, req)
		if _, err := ae.Encode(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodePortDump decodes a dump of dumpPorts ports with their
// counters, as List and brcmlink -s show do: one op is the whole dump.
func BenchmarkDecodePortDump(b *testing.B) {
	msgs := make([][]byte, dumpPorts)
	for i := range msgs {
		msgs[i] = encodePort(b, brcmlink.Port{
			Index: 100 + i, Name: fmt.Sprintf("cl%d.p%d", i/25, i%25+1), LowerIndex: 2 + i/25,
			Lower: fmt.Sprintf("cl%d", i/25), Port: uint16(i%25 + 1), Up: true, OperState: brcmlink.OperUp,
			MTU: 1500, Stats: statsOf(i),
		}, nil)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, m := range msgs {
			if _, err := parsePort(m); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkDecodeLower(b *testing.B) {
	msg := encodeLowerMsg(b, eth0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseLower(msg); err != nil {
			b.Fatal(err)
		}
	}
}
