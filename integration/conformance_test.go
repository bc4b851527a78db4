// SPDX-License-Identifier: MIT

//go:build vmtest

package integration

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/brcmtest"
	"github.com/brcmlink/brcmlink/genl"
	"golang.org/x/sys/unix"
)

// world is where a conformance step runs: the VM's kernel with the brcm
// module, or a brcmtest.Kernel.
type world struct {
	c *genl.Client
	// setUp sets a device up or down; remove deletes it.
	setUp  func(dev string, up bool)
	remove func(dev string)
}

// TestConformance runs the same steps against the module and against
// brcmtest's fake, through genl clients, and requires the same answers:
// the ports as they return them, and each refusal's errno and message.
// Ifindexes, counters and operational states are left out: the first
// two differ by nature, and the kernel sets the last a moment later.
func TestConformance(t *testing.T) {
	lw, long := name("cf"), name("cfconformlow")
	veth(t, lw, name("cfp"))
	veth(t, long, name("cfq"))
	if len(long)+len(".p10") < 16 {
		t.Fatalf("%s is too short to test the default name's length", long)
	}
	module := world{
		c: genlClient(t),
		setUp: func(dev string, up bool) {
			sh(t, "ip", "link", "set", dev, map[bool]string{true: "up", false: "down"}[up])
		},
		remove: func(dev string) { sh(t, "ip", "link", "del", dev) },
	}
	k := brcmtest.New()
	k.AddEthernet(lw)
	k.AddEthernet(long)
	kc, err := k.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	fake := world{
		c: kc,
		setUp: func(dev string, up bool) {
			if err := k.SetUp(dev, up); err != nil {
				t.Fatal(err)
			}
		},
		remove: func(dev string) { k.Remove(dev) },
	}

	a, b := name("cfa"), name("cfb")
	mine := func(ports []brcmlink.Port) []brcmlink.Port { // the ports of this test's lowers
		return slices.DeleteFunc(ports, func(p brcmlink.Port) bool { return p.Lower != lw && p.Lower != long })
	}
	steps := []struct {
		what string
		do   func(w world) (any, error)
	}{
		{"add port 5 up, queue 2", func(w world) (any, error) {
			return w.c.Add(brcmlink.AddRequest{Lower: lw, Port: 5, Queue: new(uint8(2)), Up: true})
		}},
		{"add port 5 again", func(w world) (any, error) { return w.c.Add(brcmlink.AddRequest{Lower: lw, Port: 5, Name: a}) }},
		{"add on lo", func(w world) (any, error) { return w.c.Add(brcmlink.AddRequest{Lower: "lo", Port: 1, Name: a}) }},
		{"add on an absent lower", func(w world) (any, error) {
			return w.c.Add(brcmlink.AddRequest{Lower: "cfnone", Port: 1, Name: a})
		}},
		{"add on lower ifindex 999999", func(w world) (any, error) {
			return w.c.Add(brcmlink.AddRequest{LowerIndex: 999999, Port: 1, Name: a})
		}},
		{"add named with a format", func(w world) (any, error) {
			// The module would make p0 or the like: both refuse it first.
			return w.c.Add(brcmlink.AddRequest{Lower: lw, Port: 6, Name: "cf%d"})
		}},
		{"add named lo", func(w world) (any, error) { return w.c.Add(brcmlink.AddRequest{Lower: lw, Port: 6, Name: "lo"}) }},
		{"add on a port", func(w world) (any, error) {
			return w.c.Add(brcmlink.AddRequest{Lower: lw + ".p5", Port: 1, Name: a})
		}},
		{"add with a default name too long", func(w world) (any, error) { return w.c.Add(brcmlink.AddRequest{Lower: long, Port: 10}) }},
		{"add port 0, tag enforcement 3, named", func(w world) (any, error) {
			return w.c.Add(brcmlink.AddRequest{Lower: long, Port: 0, Name: a, TagEnforce: new(uint8(3))})
		}},
		{"add port 27 down", func(w world) (any, error) { return w.c.Add(brcmlink.AddRequest{Lower: lw, Port: 27, Name: b}) }},
		{"set by port", func(w world) (any, error) {
			return w.c.Set(brcmlink.ByPort(lw, 5), brcmlink.SetRequest{Queue: new(uint8(1)), TagEnforce: new(uint8(2))})
		}},
		{"set down by name", func(w world) (any, error) {
			return w.c.Set(brcmlink.ByName(lw+".p5"), brcmlink.SetRequest{Up: new(false)})
		}},
		{"set lo", func(w world) (any, error) {
			return w.c.Set(brcmlink.ByName("lo"), brcmlink.SetRequest{Queue: new(uint8(1))})
		}},
		{"set an absent port", func(w world) (any, error) {
			return w.c.Set(brcmlink.ByPort(lw, 9), brcmlink.SetRequest{Queue: new(uint8(1))})
		}},
		{"lower down, then set up", func(w world) (any, error) {
			w.setUp(lw, false)
			return w.c.Set(brcmlink.ByName(b), brcmlink.SetRequest{Up: new(true)})
		}},
		{"add up on the down lower", func(w world) (any, error) { return w.c.Add(brcmlink.AddRequest{Lower: lw, Port: 7, Up: true}) }},
		{"lower up: its ports come up", func(w world) (any, error) {
			w.setUp(lw, true)
			return w.c.Get(brcmlink.ByName(b))
		}},
		{"get by lower and port", func(w world) (any, error) { return w.c.Get(brcmlink.ByPort(long, 0)) }},
		{"get ifindex 999999", func(w world) (any, error) { return w.c.Get(brcmlink.ByIndex(999999)) }},
		{"get an absent name", func(w world) (any, error) { return w.c.Get(brcmlink.ByName("cfnone")) }},
		{"list", func(w world) (any, error) {
			ps, err := w.c.List()
			return mine(ps), err
		}},
		{"list a lower", func(w world) (any, error) { return w.c.ListLower(long) }},
		{"list an absent lower", func(w world) (any, error) { return w.c.ListLower("cfnone") }},
		{"lower", func(w world) (any, error) { return w.c.Lower(lw) }},
		{"lower lo", func(w world) (any, error) { return w.c.Lower("lo") }},
		// Tag formats: one per lower, set by its first port.
		{"add another format", func(w world) (any, error) {
			return w.c.Add(brcmlink.AddRequest{Lower: lw, Port: 8, Format: new(brcmlink.FormatOriginal)})
		}},
		{"add repeating the format", func(w world) (any, error) {
			return w.c.Add(brcmlink.AddRequest{Lower: lw, Port: 8, Format: new(brcmlink.FormatBCM53242)})
		}},
		{"set the format of one of three", func(w world) (any, error) {
			return w.c.Set(brcmlink.ByName(b), brcmlink.SetRequest{Format: new(brcmlink.FormatOriginal)})
		}},
		{"set the format of the only port", func(w world) (any, error) {
			return w.c.Set(brcmlink.ByPort(long, 0), brcmlink.SetRequest{Format: new(brcmlink.FormatOriginal)})
		}},
		{"its lower", func(w world) (any, error) { return w.c.Lower(long) }},
		{"set the format of a lower", func(w world) (any, error) { return w.c.SetLowerFormat(lw, brcmlink.FormatOriginal) }},
		{"its ports", func(w world) (any, error) { return w.c.ListLower(lw) }},
		{"add without a format", func(w world) (any, error) { return w.c.Add(brcmlink.AddRequest{Lower: lw, Port: 10}) }},
		{"set the format of a lower again", func(w world) (any, error) { return w.c.SetLowerFormat(lw, brcmlink.FormatOriginal) }},
		{"set the format of lo", func(w world) (any, error) { return w.c.SetLowerFormat("lo", brcmlink.FormatOriginal) }},
		{"set the format of an absent lower", func(w world) (any, error) { return w.c.SetLowerFormat("cfnone", brcmlink.FormatOriginal) }},
		{"set an unknown format", func(w world) (any, error) { return w.c.SetLowerFormat(lw, brcmlink.FormatMax+1) }},
		// VLAN ids and queues from priority.
		{"add with VLAN 7 and queue from priority", func(w world) (any, error) {
			return w.c.Add(brcmlink.AddRequest{Lower: lw, Port: 9, VLAN: new(uint16(7)), QueueFromPriority: new(true)})
		}},
		{"set a VLAN on a port of MTU 1500", func(w world) (any, error) {
			return w.c.Set(brcmlink.ByName(lw+".p5"), brcmlink.SetRequest{VLAN: new(uint16(9))})
		}},
		{"set VLAN 4094, queue from priority off", func(w world) (any, error) {
			return w.c.Set(brcmlink.ByPort(lw, 9), brcmlink.SetRequest{VLAN: new(uint16(brcmlink.VLANMax)), QueueFromPriority: new(false)})
		}},
		{"set VLAN 0", func(w world) (any, error) {
			return w.c.Set(brcmlink.ByPort(lw, 9), brcmlink.SetRequest{VLAN: new(uint16(0)), QueueFromPriority: new(true)})
		}},
		{"add with VLAN 4095", func(w world) (any, error) {
			return w.c.Add(brcmlink.AddRequest{Lower: lw, Port: 11, VLAN: new(uint16(brcmlink.VLANMax + 1))})
		}},
		{"delete by lower and port", func(w world) (any, error) { return nil, w.c.Delete(brcmlink.ByPort(lw, 27)) }},
		{"delete it again", func(w world) (any, error) { return nil, w.c.Delete(brcmlink.ByPort(lw, 27)) }},
		{"delete lo", func(w world) (any, error) { return nil, w.c.Delete(brcmlink.ByName("lo")) }},
		{"lower removed: its ports go", func(w world) (any, error) {
			w.remove(long)
			ps, err := w.c.List()
			return mine(ps), err
		}},
	}
	var diffs []string
	for _, s := range steps {
		got, want := outcome(s.do(fake)), outcome(s.do(module))
		if got != want {
			diffs = append(diffs, fmt.Sprintf("%s:\n  module: %s\n  fake:   %s", s.what, want, got))
		}
	}
	if diffs != nil {
		t.Errorf("brcmtest answers otherwise than the module:\n%s", strings.Join(diffs, "\n"))
	}
	t.Logf("%d steps, %d alike", len(steps), len(steps)-len(diffs))
}

// outcome prints what a step returned, without what differs by nature.
func outcome(v any, err error) string {
	if err != nil {
		var e *brcmlink.Error
		if errors.As(err, &e) {
			return fmt.Sprintf("error %d (%v) %q", int(e.Err), e.Err, e.Message)
		}
		return "error " + err.Error()
	}
	norm := func(p brcmlink.Port) string {
		p.Index, p.LowerIndex, p.Stats, p.OperState = 0, 0, nil, 0
		// The carrier flags follow the operational state; addresses are
		// the kernel's random ones: what both must have is an Ethernet
		// address.
		p.Flags &^= unix.IFF_RUNNING | unix.IFF_LOWER_UP | unix.IFF_DORMANT
		if len(p.Address) == 6 {
			p.Address = nil
		}
		return fmt.Sprintf("%+v", p)
	}
	switch v := v.(type) {
	case *brcmlink.Port:
		return norm(*v)
	case []brcmlink.Port:
		s := make([]string, len(v))
		for i, p := range v {
			s[i] = norm(p)
		}
		slices.Sort(s)
		return "[" + strings.Join(s, " ") + "]"
	case *brcmlink.Lower:
		return fmt.Sprintf("lower %s with %d ports, format %v", v.Name, v.Ports, v.Format)
	case nil:
		return "ok"
	}
	return fmt.Sprintf("%T %+v", v, v)
}
