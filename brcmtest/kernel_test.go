// SPDX-License-Identifier: MIT

package brcmtest_test

import (
	"context"
	"errors"
	"net"
	"os"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/brcmtest"
	"github.com/brcmlink/brcmlink/genl"
	"go.uber.org/goleak"
	"golang.org/x/sys/unix"
)

func client(t *testing.T, k *brcmtest.Kernel) *genl.Client {
	t.Helper()
	c, err := k.Client()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// wantErr fails the test unless err is the kernel's errno and message.
func wantErr(t *testing.T, what string, err error, errno syscall.Errno, msg string) {
	t.Helper()
	var e *brcmlink.Error
	if !errors.As(err, &e) || e.Err != errno || e.Message != msg {
		t.Errorf("%s: %v, want %v with %q", what, err, errno, msg)
	}
}

func TestPorts(t *testing.T) {
	k := brcmtest.New()
	eth0 := k.AddEthernet("eth0")
	c := client(t, k)

	p, err := c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 5, Queue: new(uint8(2)), Up: true})
	if err != nil {
		t.Fatal(err)
	}
	want := brcmlink.Port{Index: p.Index, Name: "eth0.p5", LowerIndex: eth0, Lower: "eth0", Port: 5, Queue: 2,
		Up: true, OperState: brcmlink.OperUp, MTU: 1500, Stats: &brcmlink.Stats{},
		Flags:   unix.IFF_UP | unix.IFF_BROADCAST | unix.IFF_MULTICAST | unix.IFF_RUNNING | unix.IFF_LOWER_UP,
		Address: net.HardwareAddr{2, 0, 0, 0, 0, byte(eth0)}}
	if *p.Stats != *want.Stats || p.Stats == nil {
		t.Errorf("stats %+v", p.Stats)
	}
	p.Stats, want.Stats = nil, nil
	if !reflect.DeepEqual(*p, want) {
		t.Errorf("added %+v, want %+v", *p, want)
	}

	_, err = c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 5, Name: "other"})
	wantErr(t, "port taken", err, syscall.EEXIST, "port 5 already exists on eth0 (eth0.p5)")
	if !errors.Is(err, os.ErrExist) {
		t.Errorf("port taken: %v does not match os.ErrExist", err)
	}
	_, err = c.Add(brcmlink.AddRequest{Lower: "lo", Port: 1})
	wantErr(t, "on lo", err, syscall.EINVAL, "lower device lo is not an Ethernet device (type 772)")
	_, err = c.Add(brcmlink.AddRequest{Lower: "eth0.p5", Port: 1, Name: "x"})
	wantErr(t, "on a port", err, syscall.EINVAL, "lower device eth0.p5 is itself a brcm port")
	_, err = c.Add(brcmlink.AddRequest{Lower: "eth1", Port: 1})
	wantErr(t, "no lower", err, syscall.ENODEV, "lower device eth1 not found")
	_, err = c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 6, Name: "lo"})
	wantErr(t, "name taken", err, syscall.EEXIST, "")

	p, err = c.Set(brcmlink.ByPort("eth0", 5), brcmlink.SetRequest{TagEnforce: new(uint8(1)), Up: new(false)})
	if err != nil || p.TagEnforce != 1 || p.Queue != 2 || p.Up || p.OperState != brcmlink.OperDown {
		t.Errorf("set: %+v, %v", p, err)
	}
	_, err = c.Set(brcmlink.ByName("lo"), brcmlink.SetRequest{Queue: new(uint8(1))})
	wantErr(t, "set lo", err, syscall.ENODEV, "lo is not a brcm port")

	if err := k.SetUp("eth0", false); err != nil {
		t.Fatal(err)
	}
	_, err = c.Set(brcmlink.ByName("eth0.p5"), brcmlink.SetRequest{Up: new(true)})
	wantErr(t, "up on a down lower", err, syscall.ENETDOWN, "cannot bring eth0.p5 up (lower eth0 is down)")
	_, err = c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 7, Up: true})
	wantErr(t, "add up on a down lower", err, syscall.ENETDOWN, "cannot bring eth0.p7 up (lower eth0 is down)")
	if ports, err := c.List(); err != nil || len(ports) != 1 {
		t.Errorf("list: %+v, %v; want eth0.p5 alone", ports, err)
	}
	lowers, err := c.Lowers()
	if err != nil || len(lowers) != 1 || lowers[0].Name != "eth0" || lowers[0].Ports != 1 {
		t.Errorf("lowers: %+v, %v", lowers, err)
	}
	// The lower up brings its ports up, even one that was down before it
	// went down, as the module's NETDEV_UP does.
	if err := k.SetUp("eth0", true); err != nil {
		t.Fatal(err)
	}
	if p, err := c.Get(brcmlink.ByName("eth0.p5")); err != nil || !p.Up {
		t.Errorf("eth0.p5 after eth0 came up: %+v, %v; want up", p, err)
	}
	if ds := k.Devices(); len(ds) != 3 || ds[1].Name != "eth0" || !ds[1].Up || !ds[2].Up {
		t.Errorf("devices: %+v; want eth0 and eth0.p5 up", ds)
	}
	// Setting up a lower that is up changes nothing: the kernel sends no
	// NETDEV_UP, so a port down stays down.
	if _, err := c.Set(brcmlink.ByName("eth0.p5"), brcmlink.SetRequest{Up: new(false)}); err != nil {
		t.Fatal(err)
	}
	if err := k.SetUp("eth0", true); err != nil {
		t.Fatal(err)
	}
	if p, err := c.Get(brcmlink.ByName("eth0.p5")); err != nil || p.Up {
		t.Errorf("eth0.p5 after eth0, up already, was set up: %+v, %v; want down still", p, err)
	}

	if err := c.Delete(brcmlink.ByName("eth0.p5")); err != nil {
		t.Fatal(err)
	}
	err = c.Delete(brcmlink.ByName("eth0.p5"))
	wantErr(t, "deleted twice", err, syscall.ENODEV, "no device eth0.p5")
	_, err = c.Lower("eth0")
	wantErr(t, "lower without ports", err, syscall.ENODEV, "eth0 has no brcm ports")
}

func TestRefuse(t *testing.T) {
	k := brcmtest.New()
	k.AddEthernet("eth0")
	c := client(t, k)
	k.Refuse(func(r brcmtest.Request) error {
		if r.Cmd == brcmlink.CmdPortNew && r.Port == 3 {
			return &brcmlink.Error{Err: syscall.EBUSY, Message: "busy now"}
		}
		return nil
	})
	_, err := c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 3})
	wantErr(t, "refused", err, syscall.EBUSY, "busy now")
	if _, err := c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 4}); err != nil {
		t.Error(err)
	}
}

// TestPercentNames checks that the fake refuses a name with '%' wherever
// one is given, as the clients' checks do: the kernel would take it for
// a format (dev_alloc_name) and give the device another name.
func TestPercentNames(t *testing.T) {
	k := brcmtest.New()
	k.AddEthernet("eth0")
	c := client(t, k)
	const msg = "device name p%d contains '%', which the kernel would expand as a format: give the name itself"
	_, err := c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 5, Name: "p%d"})
	wantErr(t, "add p%d", err, syscall.EINVAL, msg)
	if _, err := c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 5}); err != nil {
		t.Fatal(err)
	}
	if err := k.Rename("eth0.p5", "p%d"); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("rename to p%%d: %v, want EINVAL", err)
	}
	if ports := k.Ports(); len(ports) != 1 || ports[0].Name != "eth0.p5" {
		t.Errorf("ports %+v, want eth0.p5 alone", ports)
	}
}

func TestWatch(t *testing.T) {
	defer goleak.VerifyNone(t)
	k := brcmtest.New()
	k.AddEthernet("eth0")
	c := client(t, k)
	if _, err := c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 1}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, err := c.Watch(ctx, genl.WatchExisting(), genl.WatchReadBuffer(1))
	if err != nil {
		t.Fatal(err)
	}
	next := func() genl.Event {
		t.Helper()
		select {
		case ev := <-events:
			return ev
		case <-time.After(5 * time.Second):
			t.Fatal("no event")
		}
		return genl.Event{}
	}
	if ev := next(); ev.Kind != genl.Existing || ev.Port.Name != "eth0.p1" {
		t.Errorf("first event %+v, want eth0.p1 existing", ev)
	}
	if ev := next(); ev.Kind != genl.Synced {
		t.Errorf("second event %+v, want synced", ev)
	}
	// The smallest buffer holds one event: the rest overrun it.
	for i := range 8 {
		if _, err := c.Set(brcmlink.ByName("eth0.p1"), brcmlink.SetRequest{Queue: new(uint8(i % 4))}); err != nil {
			t.Fatal(err)
		}
	}
	k.Remove("eth0")
	var lost bool
	for {
		ev := next()
		if ev.Kind == genl.Lost {
			lost = errors.Is(ev.Err, genl.ErrOverrun)
		}
		if ev.Kind == genl.Synced {
			break
		}
		if ev.Kind == genl.Existing {
			t.Errorf("after the lower went: %+v", ev)
		}
	}
	if !lost {
		t.Error("no overrun reported")
	}
	cancel()
	for range events {
	}
}

// TestFormats checks the tag format of a lower's ports: the first port
// sets it, the others may only repeat it, and only the lower's only port
// or LINK_SET changes it.
func TestFormats(t *testing.T) {
	k := brcmtest.New()
	k.AddEthernet("eth0")
	k.AddEthernet("eth1")
	c := client(t, k)

	p, err := c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 5})
	if err != nil || p.Format != brcmlink.FormatBCM53242 {
		t.Fatalf("add with the default format: %+v, %v", p, err)
	}
	_, err = c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 6, Format: new(brcmlink.FormatOriginal)})
	wantErr(t, "another format", err, syscall.EINVAL, "eth0's ports speak format bcm53242, not original")
	if p, err = c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 6}); err != nil || p.Format != brcmlink.FormatBCM53242 {
		t.Errorf("add without a format: %+v, %v; want the lower's", p, err)
	}
	if _, err = c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 7, Format: new(brcmlink.FormatBCM53242)}); err != nil {
		t.Errorf("add repeating the lower's format: %v", err)
	}
	_, err = c.Set(brcmlink.ByName("eth0.p5"), brcmlink.SetRequest{Format: new(brcmlink.FormatOriginal)})
	wantErr(t, "set the format of one of three", err, syscall.EBUSY, "eth0 has 2 other ports: set its format on the lower")
	if _, err = c.Set(brcmlink.ByName("eth0.p5"), brcmlink.SetRequest{Format: new(brcmlink.FormatBCM53242)}); err != nil {
		t.Errorf("set the format it has: %v", err)
	}

	l, err := c.SetLowerFormat("eth0", brcmlink.FormatOriginal)
	if err != nil || l.Name != "eth0" || l.Ports != 3 || l.Format != brcmlink.FormatOriginal {
		t.Errorf("SetLowerFormat: %+v, %v", l, err)
	}
	for _, p := range k.Ports() {
		if p.Format != brcmlink.FormatOriginal {
			t.Errorf("%s speaks %v after SetLowerFormat(original)", p.Name, p.Format)
		}
	}
	if l, err := c.Lower("eth0"); err != nil || l.Format != brcmlink.FormatOriginal {
		t.Errorf("Lower after SetLowerFormat: %+v, %v", l, err)
	}
	_, err = c.SetLowerFormat("eth1", brcmlink.FormatOriginal)
	wantErr(t, "SetLowerFormat without ports", err, syscall.ENODEV, "eth1 has no brcm ports")

	// The first port on eth1 sets its format; as the only one it may
	// change it.
	if p, err = c.Add(brcmlink.AddRequest{Lower: "eth1", Port: 1, Format: new(brcmlink.FormatOriginal)}); err != nil || p.Format != brcmlink.FormatOriginal {
		t.Errorf("first port on eth1, original: %+v, %v", p, err)
	}
	if p, err = c.Set(brcmlink.ByName("eth1.p1"), brcmlink.SetRequest{Format: new(brcmlink.FormatBCM53242)}); err != nil || p.Format != brcmlink.FormatBCM53242 {
		t.Errorf("set the format of the only port: %+v, %v", p, err)
	}
	if l, err := c.Lower("eth1"); err != nil || l.Format != brcmlink.FormatBCM53242 {
		t.Errorf("eth1 after its only port changed format: %+v, %v", l, err)
	}
}

// TestVLANAndQueueFromPriority checks the two settings, and that the
// lower the first port raised carries 1500 bytes with the tag and a VLAN
// header.
func TestVLANAndQueueFromPriority(t *testing.T) {
	k := brcmtest.New()
	k.AddEthernet("eth0")
	c := client(t, k)

	p, err := c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 2, VLAN: new(uint16(7)), QueueFromPriority: new(true)})
	if err != nil || p.VLAN != 7 || !p.QueueFromPriority || p.MTU != 1500 {
		t.Fatalf("add with VLAN 7: %+v, %v; want MTU 1500", p, err)
	}
	if p, err = c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 1}); err != nil || p.VLAN != 0 || p.QueueFromPriority || p.MTU != 1500 {
		t.Fatalf("add: %+v, %v", p, err)
	}
	if p, err = c.Set(brcmlink.ByName("eth0.p1"), brcmlink.SetRequest{VLAN: new(uint16(9))}); err != nil || p.VLAN != 9 || p.MTU != 1500 {
		t.Errorf("VLAN on a port of MTU 1500: %+v, %v", p, err)
	}
	if p, err = c.Set(brcmlink.ByName("eth0.p2"), brcmlink.SetRequest{VLAN: new(uint16(brcmlink.VLANMax)), QueueFromPriority: new(false)}); err != nil ||
		p.VLAN != brcmlink.VLANMax || p.QueueFromPriority {
		t.Errorf("set VLAN 4094, queue from priority off: %+v, %v", p, err)
	}
	if p, err = c.Set(brcmlink.ByName("eth0.p2"), brcmlink.SetRequest{VLAN: new(uint16(0))}); err != nil || p.VLAN != 0 {
		t.Errorf("set VLAN 0: %+v, %v", p, err)
	}
}
