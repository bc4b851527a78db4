// SPDX-License-Identifier: MIT

package brcmlink

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/jsimonetti/rtnetlink/v2"
)

func TestOperState(t *testing.T) {
	for _, tt := range []struct {
		s    OperState
		rt   rtnetlink.OperationalState // the same IF_OPER_* value in rtnetlink's words
		want string
	}{
		{OperUnknown, rtnetlink.OperStateUnknown, "UNKNOWN"},
		{OperNotPresent, rtnetlink.OperStateNotPresent, "NOTPRESENT"},
		{OperDown, rtnetlink.OperStateDown, "DOWN"},
		{OperLowerLayerDown, rtnetlink.OperStateLowerLayerDown, "LOWERLAYERDOWN"},
		{OperTesting, rtnetlink.OperStateTesting, "TESTING"},
		{OperDormant, rtnetlink.OperStateDormant, "DORMANT"},
		{OperUp, rtnetlink.OperStateUp, "UP"},
		{7, 7, "0x7"}, // as ip link prints a state it does not know
		{0xff, 0xff, "0xff"},
	} {
		if uint8(tt.s) != uint8(tt.rt) {
			t.Errorf("%s is %d, IF_OPER_%s %d", tt.want, uint8(tt.s), tt.want, uint8(tt.rt))
		}
		if got := tt.s.String(); got != tt.want {
			t.Errorf("OperState(%d).String() = %q, want %q", uint8(tt.s), got, tt.want)
		}
		b, err := tt.s.MarshalText()
		if err != nil || string(b) != tt.want {
			t.Errorf("OperState(%d).MarshalText() = %q, %v; want %q", uint8(tt.s), b, err, tt.want)
		}
		var back OperState
		if err := back.UnmarshalText(b); err != nil || back != tt.s {
			t.Errorf("UnmarshalText(%q) = %d, %v; want %d", b, uint8(back), err, uint8(tt.s))
		}
	}
	var s OperState
	for _, bad := range []string{"", "up", "0x", "0x100", "7"} {
		if err := s.UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("UnmarshalText(%q) = %d, want an error", bad, uint8(s))
		}
	}
}

// TestPortJSON checks that a Port's state reads as ip shows it in JSON,
// and reads back.
func TestPortJSON(t *testing.T) {
	b, err := json.Marshal(Port{Name: "eth0.p5", OperState: OperLowerLayerDown})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"OperState":"LOWERLAYERDOWN"`) {
		t.Errorf("JSON %s does not name the state", b)
	}
	var p Port
	if err := json.Unmarshal(b, &p); err != nil || p.OperState != OperLowerLayerDown {
		t.Errorf("%s reads back as %+v, %v", b, p, err)
	}
}
