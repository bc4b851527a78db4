// SPDX-License-Identifier: MIT

package rtlink

import (
	"reflect"
	"testing"

	"github.com/brcmlink/brcmlink"
	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
)

// FuzzParseLink feeds arbitrary RTM_NEWLINK payloads to the decoder: it
// must never panic and must decode the same bytes the same way.
func FuzzParseLink(f *testing.F) {
	port, q := uint16(5), uint8(1)
	m := rtnetlink.LinkMessage{Index: 9, Attributes: &rtnetlink.LinkAttributes{
		Name: "eth0.p5", Type: 2, MTU: 1500,
		Info: &rtnetlink.LinkInfo{Kind: brcmlink.Kind, Data: &Brcm{Port: &port, Queue: &q}},
	}}
	b, err := m.MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(b[:16])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		l1, err1 := parseLink(b)
		l2, err2 := parseLink(b)
		if (err1 == nil) != (err2 == nil) || !reflect.DeepEqual(l1, l2) {
			t.Fatalf("two decodes differ: %+v %v / %+v %v", l1, err1, l2, err2)
		}
	})
}

// FuzzBrcmRoundTrip encodes the kind's attributes, each present or not,
// and decodes them back.
func FuzzBrcmRoundTrip(f *testing.F) {
	f.Add(true, uint16(5), true, uint8(2), false, uint8(0))
	f.Add(false, uint16(0), false, uint8(0), true, uint8(3))
	f.Fuzz(func(t *testing.T, hasPort bool, port uint16, hasQueue bool, queue uint8, hasTE bool, te uint8) {
		var in Brcm
		if hasPort {
			in.Port = &port
		}
		if hasQueue {
			in.Queue = &queue
		}
		if hasTE {
			in.TagEnforce = &te
		}
		ae := netlink.NewAttributeEncoder()
		if err := in.Encode(ae); err != nil {
			t.Fatal(err)
		}
		b, err := ae.Encode()
		if err != nil {
			t.Fatal(err)
		}
		ad, err := netlink.NewAttributeDecoder(b)
		if err != nil {
			t.Fatal(err)
		}
		var out Brcm
		if err := out.Decode(ad); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(in, out) {
			t.Fatalf("round trip: %+v became %+v", in, out)
		}
	})
}
