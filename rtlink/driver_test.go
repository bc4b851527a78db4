// SPDX-License-Identifier: MIT

package rtlink

import (
	"errors"
	"syscall"
	"testing"

	"github.com/brcmlink/brcmlink"
	"github.com/google/go-cmp/cmp"
	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
	"github.com/mdlayher/netlink/nlenc"
)

func TestBrcmRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		name  string
		b     Brcm
		attrs []netlink.Attribute // as encoded, in order
	}{
		{name: "empty"},
		{
			name:  "port",
			b:     Brcm{Port: new(uint16(5))},
			attrs: []netlink.Attribute{{Type: brcmlink.IFLABrcmPort, Data: nlenc.Uint16Bytes(5)}},
		},
		{
			name:  "zeros are present",
			b:     Brcm{Port: new(uint16(0)), Queue: new(uint8(0)), TagEnforce: new(uint8(0))},
			attrs: []netlink.Attribute{{Type: 1, Data: []byte{0, 0}}, {Type: 2, Data: []byte{0}}, {Type: 3, Data: []byte{0}}},
		},
		{
			name: "maxima",
			b:    Brcm{Port: new(uint16(brcmlink.PortMax)), Queue: new(uint8(brcmlink.QueueMax)), TagEnforce: new(uint8(brcmlink.TagEnforceMax))},
			attrs: []netlink.Attribute{
				{Type: brcmlink.IFLABrcmPort, Data: nlenc.Uint16Bytes(27)},
				{Type: brcmlink.IFLABrcmQueue, Data: []byte{3}},
				{Type: brcmlink.IFLABrcmTagEnforce, Data: []byte{3}},
			},
		},
		{
			name: "format, queue from priority, vlan",
			b:    Brcm{Format: new(brcmlink.FormatOriginal), QueueFromPriority: new(true), VLAN: new(uint16(brcmlink.VLANMax))},
			attrs: []netlink.Attribute{
				{Type: brcmlink.IFLABrcmFormat, Data: []byte{1}},
				{Type: brcmlink.IFLABrcmQueueFromPrio, Data: []byte{1}},
				{Type: brcmlink.IFLABrcmVLAN, Data: nlenc.Uint16Bytes(4094)},
			},
		},
		{
			name: "their zeros are present",
			b:    Brcm{Format: new(brcmlink.FormatBCM53242), QueueFromPriority: new(false), VLAN: new(uint16(0))},
			attrs: []netlink.Attribute{
				{Type: brcmlink.IFLABrcmFormat, Data: []byte{0}},
				{Type: brcmlink.IFLABrcmQueueFromPrio, Data: []byte{0}},
				{Type: brcmlink.IFLABrcmVLAN, Data: []byte{0, 0}},
			},
		},
		{
			name:  "change without port",
			b:     Brcm{TagEnforce: new(uint8(2))},
			attrs: []netlink.Attribute{{Type: brcmlink.IFLABrcmTagEnforce, Data: []byte{2}}},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ae := netlink.NewAttributeEncoder()
			if err := tt.b.Encode(ae); err != nil {
				t.Fatal(err)
			}
			b, err := ae.Encode()
			if err != nil {
				t.Fatal(err)
			}
			attrs, err := netlink.UnmarshalAttributes(b)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.attrs, attrs, cmp.Comparer(sameAttr)); diff != "" {
				t.Errorf("encoded attributes (-want +got):\n%s", diff)
			}
			got := decodeBrcm(t, b)
			if diff := cmp.Diff(tt.b, got); diff != "" {
				t.Errorf("decoded (-want +got):\n%s", diff)
			}
		})
	}
}

func sameAttr(a, b netlink.Attribute) bool {
	return a.Type == b.Type && string(a.Data) == string(b.Data)
}

func decodeBrcm(t *testing.T, b []byte) Brcm {
	t.Helper()
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		t.Fatal(err)
	}
	var got Brcm
	if err := got.Decode(ad); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestBrcmDecodeSkipsUnknown(t *testing.T) {
	b, err := netlink.MarshalAttributes([]netlink.Attribute{
		{Type: brcmlink.IFLABrcmUnspec, Data: []byte{1, 2, 3}},
		{Type: brcmlink.IFLABrcmQueue, Data: []byte{1}},
		{Type: brcmlink.IFLABrcmMax + 1, Data: []byte{9, 9, 9, 9}}, // from a newer module
		{Type: brcmlink.IFLABrcmPort, Data: nlenc.Uint16Bytes(7)},
		{Type: 0x7ff, Data: nil},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Brcm{Port: new(uint16(7)), Queue: new(uint8(1))}
	if diff := cmp.Diff(want, decodeBrcm(t, b)); diff != "" {
		t.Errorf("decoded (-want +got):\n%s", diff)
	}
}

func TestBrcmDecodeMalformed(t *testing.T) {
	b, err := netlink.MarshalAttributes([]netlink.Attribute{{Type: brcmlink.IFLABrcmPort, Data: []byte{5}}})
	if err != nil {
		t.Fatal(err)
	}
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := new(Brcm).Decode(ad); err == nil {
		t.Error("decoding a one-byte port succeeded")
	}
}

func TestBrcmValidate(t *testing.T) {
	for _, tt := range []struct {
		b    Brcm
		want string // message; "" for valid
	}{
		{b: Brcm{}},
		{b: Brcm{Port: new(uint16(27)), Queue: new(uint8(3)), TagEnforce: new(uint8(3))}},
		{b: Brcm{Port: new(uint16(28))}, want: "port 28 out of range (0-27)"},
		{b: Brcm{Port: new(uint16(65535))}, want: "port 65535 out of range (0-27)"},
		{b: Brcm{Queue: new(uint8(4))}, want: "queue 4 out of range (0-3)"},
		{b: Brcm{TagEnforce: new(uint8(255))}, want: "tag enforcement 255 out of range (0-3)"},
		{b: Brcm{Format: new(brcmlink.FormatOriginal), QueueFromPriority: new(true), VLAN: new(uint16(4094))}},
		{b: Brcm{Format: new(brcmlink.Format(2))}, want: "tag format 2 unknown (0-1)"},
		{b: Brcm{VLAN: new(uint16(4095))}, want: "vlan 4095 out of range (0-4094)"},
	} {
		err := tt.b.validate()
		var e *brcmlink.Error
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%+v: %v", tt.b, err)
		case tt.want == "":
		case !errors.As(err, &e) || e.Err != syscall.ERANGE || e.Message != tt.want:
			t.Errorf("%+v: error %#v, want ERANGE %q", tt.b, err, tt.want)
		}
	}
}

// TestLinkMessage checks the driver through rtnetlink: registration, so
// that decoding yields a *Brcm, and Verify, which stops encoding.
func TestLinkMessage(t *testing.T) {
	in := &Brcm{Port: new(uint16(5)), Queue: new(uint8(1))}
	m := rtnetlink.LinkMessage{Index: 9, Attributes: &rtnetlink.LinkAttributes{
		Info: &rtnetlink.LinkInfo{Kind: brcmlink.Kind, Data: in},
	}}
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got rtnetlink.LinkMessage
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, got.Attributes.Info.Data); diff != "" {
		t.Errorf("IFLA_INFO_DATA (-want +got):\n%s", diff)
	}

	in.TagEnforce = new(uint8(4))
	if _, err := m.MarshalBinary(); !errors.Is(err, syscall.ERANGE) {
		t.Errorf("marshalling tag enforcement 4: %v, want ERANGE", err)
	}
}
