// SPDX-License-Identifier: MIT

package config_test

import (
	"fmt"
	"testing"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/config"
	"github.com/brcmlink/brcmlink/rtlink"
)

// links are config.Links on brcmtest's kernel, which count the devices
// they are asked for.
type links struct {
	system
	looked int
}

func (l *links) Devices() ([]config.Device, error) {
	l.looked++
	return devices(l.k), nil
}

func (l *links) Device(name string) (*config.Device, error) {
	l.looked++
	for _, d := range devices(l.k) {
		if d.Name == name {
			return &d, nil
		}
	}
	return nil, nil
}

// TestLivePlan checks that Live.Plan is the plan of the ports and
// devices as they are, looking up only the devices the ports do not
// tell, and that Apply makes it through Live.
func TestLivePlan(t *testing.T) {
	k, sys := setup(t)
	sys.Add(brcmlink.AddRequest{Lower: "eth0", Port: 5, Up: true})
	lk := &links{system: sys}
	live := config.Live{Family: sys.Client, Links: lk}
	c, err := config.Parse("f", []byte(example))
	if err != nil {
		t.Fatal(err)
	}
	got, err := live.Plan(c)
	if err != nil {
		t.Fatal(err)
	}
	if want := plan(t, k, example); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Live.Plan: %v, want %v", got, want)
	}
	if lk.looked != 4 { // wan, eth0.any, eth0.p6 and eth1: the ports tell eth0 and eth0.p5
		t.Errorf("Live.Plan looked up %d devices, want 4", lk.looked)
	}
	if err := config.Apply(live, got, nil); err != nil {
		t.Fatal(err)
	}
	if p, err := live.Plan(c); err != nil || len(p.Steps) != 0 {
		t.Errorf("after Apply, Live.Plan: %v %v; want no steps", steps(p), err)
	}
}

// TestNewLinks reads this namespace's devices through rtnetlink, which
// takes no privilege: the loopback device, no brcm port, and none for a
// name no device has.
func TestNewLinks(t *testing.T) {
	c, err := rtlink.Dial(nil)
	if err != nil {
		t.Skipf("no rtnetlink: %v", err)
	}
	defer c.Close()
	l := config.NewLinks(c)
	lo, err := l.Device("lo")
	if err != nil || lo == nil || lo.Port || lo.Index == 0 {
		t.Errorf("Device(lo): %+v, %v; want a device that is no port", lo, err)
	}
	if d, err := l.Device("brcmnone0"); d != nil || err != nil {
		t.Errorf("Device of a name no device has: %+v, %v; want nil, nil", d, err)
	}
	ds, err := l.Devices()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range ds {
		found = found || lo != nil && d == *lo
	}
	if !found {
		t.Errorf("Devices: %+v, without lo %+v", ds, lo)
	}
}
