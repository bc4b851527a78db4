// SPDX-License-Identifier: MIT

package genl

import (
	"reflect"
	"testing"

	"github.com/brcmlink/brcmlink"
)

// FuzzParsePort feeds arbitrary attribute bytes to the port decoder: it
// must never panic, must be deterministic, and a port it accepts must
// carry what the kernel always sends (an ifindex).
func FuzzParsePort(f *testing.F) {
	f.Add(encodePort(f, brcmlink.Port{Index: 7, Name: "eth0.p5", LowerIndex: 2, Lower: "eth0", Port: 5,
		OperState: brcmlink.OperUp, Up: true, MTU: 1500, Stats: statsOf(1)}, nil))
	f.Add(encodePort(f, brcmlink.Port{Index: 8, Name: "p0", LowerIndex: 3, LowerNetNSID: new(int32(0)), Port: 0, OperState: brcmlink.OperDown}, nil))
	f.Add([]byte{})
	f.Add([]byte{4, 0, 2, 0})
	f.Add([]byte{8, 0, 13, 0, 4, 0, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		p1, err1 := parsePort(b)
		p2, err2 := parsePort(b)
		if (err1 == nil) != (err2 == nil) || !reflect.DeepEqual(p1, p2) {
			t.Fatalf("two decodes differ: %+v %v / %+v %v", p1, err1, p2, err2)
		}
		if err1 == nil && p1.Index == 0 {
			t.Fatalf("accepted a port without an ifindex: %+v", p1)
		}
	})
}

// FuzzPortRoundTrip encodes a port as the kernel does and decodes it:
// every field must come back.
func FuzzPortRoundTrip(f *testing.F) {
	f.Add(uint32(7), "eth0.p5", uint32(2), "eth0", false, int32(0), uint16(5), uint8(1), uint8(2), true, uint8(6), uint32(1500), uint64(10))
	f.Add(uint32(1), "x", uint32(0), "", false, int32(0), uint16(27), uint8(3), uint8(3), false, uint8(2), uint32(68), uint64(0))
	f.Add(uint32(8), "far.p3", uint32(4), "", true, int32(2), uint16(3), uint8(0), uint8(0), true, uint8(3), uint32(1500), uint64(1))
	f.Fuzz(func(t *testing.T, index uint32, name string, lowerIndex uint32, lower string, far bool, netnsid int32,
		port uint16, queue, te uint8, up bool, oper uint8, mtu uint32, n uint64) {
		if index == 0 || index > 1<<31-1 || lowerIndex > 1<<31-1 || !cleanName(name) || !cleanName(lower) {
			return // the kernel sends none of these
		}
		if far && lower != "" {
			return // nor the name of a lower in another netns
		}
		want := brcmlink.Port{Index: int(index), Name: name, LowerIndex: int(lowerIndex), Lower: lower, Port: port,
			Queue: queue, TagEnforce: te, Up: up, OperState: brcmlink.OperState(oper), MTU: mtu, Stats: statsOf(int(n % 1000))}
		if far {
			want.LowerNetNSID = &netnsid
		}
		got, err := parsePort(encodePort(t, want, nil))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
		}
	})
}

// cleanName is a string the kernel could send as a device name: no NUL,
// which would end it early.
func cleanName(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return false
		}
	}
	return true
}

// FuzzParseLower does for lowers what FuzzParsePort does for ports.
func FuzzParseLower(f *testing.F) {
	f.Add(encodeLowerMsg(f, brcmlink.Lower{Index: 2, Name: "eth0", Ports: 3,
		Stats: brcmlink.LowerStats{RxTagged: 9, RxBadLength: 1, RxBadOpcode: 2, RxBadPortID: 3, RxUnknownPort: 4}}))
	f.Add([]byte{})
	f.Add([]byte{12, 0, 15, 0, 8, 0, 2, 0, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		l1, err1 := parseLower(b)
		l2, err2 := parseLower(b)
		if (err1 == nil) != (err2 == nil) || !reflect.DeepEqual(l1, l2) {
			t.Fatalf("two decodes differ: %+v %v / %+v %v", l1, err1, l2, err2)
		}
	})
}
