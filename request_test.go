// SPDX-License-Identifier: MIT

package brcmlink

import (
	"reflect"
	"testing"
)

// TestSelectorFields: a Selector is made only by its constructors, so
// that none selects by a lower without a port, or by several things.
func TestSelectorFields(t *testing.T) {
	typ := reflect.TypeFor[Selector]()
	for i := range typ.NumField() {
		if f := typ.Field(i); f.IsExported() {
			t.Errorf("Selector has the exported field %s", f.Name)
		}
	}
}

func TestSelector(t *testing.T) {
	type read struct {
		Name       string
		Index      int
		Lower      string
		LowerIndex int
		Port       uint16
		ByLower    bool
		String     string
	}
	for _, tt := range []struct {
		s    Selector
		want read
	}{
		{ByName("eth0.p5"), read{Name: "eth0.p5", String: "eth0.p5"}},
		{ByIndex(7), read{Index: 7, String: "ifindex 7"}},
		{ByPort("eth0", 5), read{Lower: "eth0", Port: 5, ByLower: true, String: "eth0 port 5"}},
		{ByPort("eth0", 0), read{Lower: "eth0", ByLower: true, String: "eth0 port 0"}},
		{ByLowerIndexPort(2, 27), read{LowerIndex: 2, Port: 27, ByLower: true, String: "ifindex 2 port 27"}},
		// These select nothing, and the clients refuse them.
		{Selector{}, read{}},
		{ByName(""), read{}},
		{ByIndex(0), read{}},
		{ByPort("", 5), read{Port: 5, ByLower: true}},
	} {
		var got read
		got.Lower, got.LowerIndex, got.Port, got.ByLower = tt.s.Lower()
		got.Name, got.Index, got.String = tt.s.Name(), tt.s.Index(), tt.s.String()
		if got != tt.want {
			t.Errorf("%#v reads %+v, want %+v", tt.s, got, tt.want)
		}
	}
	if ByName("") != (Selector{}) || ByIndex(0) != (Selector{}) {
		t.Error(`ByName("") or ByIndex(0) is not the zero Selector`)
	}
}
