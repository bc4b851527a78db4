// SPDX-License-Identifier: MIT

package rtlink

import (
	"fmt"
	"testing"

	"github.com/brcmlink/brcmlink"
	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// Benchmarks of what the Client does per request and per link on its
// side of the socket, for `make bench`: encoding requests and decoding
// dumps. They measure; nothing asserts a speed.

// BenchmarkEncodeNewLink encodes the RTM_NEWLINK that Add sends.
func BenchmarkEncodeNewLink(b *testing.B) {
	port, q, te := uint16(5), uint8(1), uint8(2)
	b.ReportAllocs()
	for b.Loop() {
		m := &rtnetlink.LinkMessage{
			Flags: unix.IFF_UP, Change: unix.IFF_UP,
			Attributes: &rtnetlink.LinkAttributes{
				Name: "eth0.p5", Type: 2,
				Info: &rtnetlink.LinkInfo{Kind: brcmlink.Kind, Data: &Brcm{Port: &port, Queue: &q, TagEnforce: &te}},
			},
		}
		if _, err := m.MarshalBinary(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeLinkDump decodes a dump of the thousand brcm links of
// the control-plane benchmark and the 80 veths under them, as List does:
// one op is the whole dump.
func BenchmarkDecodeLinkDump(b *testing.B) {
	k := &kernel{}
	var msgs [][]byte
	for i := range 80 {
		msgs = append(msgs, k.message(netlink.Message{}, &fakeLink{index: 2 + i, name: fmt.Sprintf("cl%d", i), kind: "veth"}).Data)
	}
	for i := range 1000 {
		port := uint16(i%25 + 1)
		msgs = append(msgs, k.message(netlink.Message{}, &fakeLink{
			index: 100 + i, lower: 2 + i/25, name: fmt.Sprintf("cl%d.p%d", i/25, port), kind: brcmlink.Kind,
			flags: unix.IFF_UP, data: Brcm{Port: &port},
		}).Data)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, m := range msgs {
			if _, err := parseLink(m); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkAdd creates a port through the fake kernel, beside no other
// brcm links and beside a thousand: Add's requests, and what the client
// does for them, must not grow with the links of the namespace.
func BenchmarkAdd(b *testing.B) {
	for _, n := range []int{0, 1000} {
		b.Run(fmt.Sprintf("links=%d", n), func(b *testing.B) {
			c, k := newKernel(b)
			for i := range n {
				port := uint16(i%brcmlink.PortMax + 1)
				k.links = append(k.links, &fakeLink{
					index: 100 + i, lower: 3, name: fmt.Sprintf("x%d", i), kind: brcmlink.Kind,
					flags: unix.IFF_UP, data: Brcm{Port: &port},
				})
			}
			k.next = 100 + n
			req := brcmlink.AddRequest{Lower: "eth0", Port: 6, Name: "new"}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Add(req); err != nil {
					b.Fatal(err)
				}
				k.links, k.reqs = k.links[:len(k.links)-1], k.reqs[:0]
			}
		})
	}
}
