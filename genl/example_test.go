// SPDX-License-Identifier: MIT

package genl_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/genl"
	"github.com/mdlayher/genetlink"
	"github.com/mdlayher/genetlink/genltest"
	"github.com/mdlayher/netlink"
)

// Add port 5 of the switch behind eth0 as eth0.p5, up, on traffic queue 2.
func ExampleClient_Add() {
	c, err := genl.Dial()
	if errors.Is(err, genl.ErrNotLoaded) {
		log.Fatal(err) // the message says how to load the brcm module
	}
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	p, err := c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 5, Queue: new(uint8(2)), Up: true})
	switch {
	case errors.Is(err, os.ErrExist):
		log.Fatalf("port 5 is taken: %v", err)
	case err != nil:
		log.Fatal(err)
	}
	fmt.Printf("created %s (ifindex %d), %s\n", p.Name, p.Index, p.OperState)
}

// Move the port bound to switch port 5 of eth0 to traffic queue 3 and
// bring it down, whatever its name.
func ExampleClient_Set() {
	c, err := genl.Dial()
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	p, err := c.Set(brcmlink.ByPort("eth0", 5), brcmlink.SetRequest{Queue: new(uint8(3)), Up: new(false)})
	var e *brcmlink.Error
	switch {
	case errors.Is(err, os.ErrNotExist):
		log.Fatalf("no port 5 on eth0: %v", err)
	case errors.As(err, &e):
		log.Fatalf("the kernel refused (%v): %s", e.Err, e.Message)
	case err != nil:
		log.Fatal(err)
	}
	fmt.Printf("%s: queue %d, %s\n", p.Name, p.Queue, p.OperState)
}

// List the ports of the network namespace "lab" (as `ip -n lab` would),
// and the counters of their lower devices.
func ExampleClient_List() {
	c, err := genl.Dial(genl.WithNetNSName("lab"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	ports, err := c.List()
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range ports {
		fmt.Printf("%-10s %-8s port %2d queue %d %s\n", p.Name, p.Lower, p.Port, p.Queue, p.OperState)
	}
	lowers, err := c.Lowers()
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range lowers {
		fmt.Printf("%s: %d ports, %d tagged frames, %d from unknown ports\n",
			l.Name, l.Ports, l.Stats.RxTagged, l.Stats.RxUnknownPort)
	}
}

// Keep a view of the ports, whole from the start and after any lost
// events, until interrupted.
func ExampleClient_Watch() {
	c, err := genl.Dial()
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	events, err := c.Watch(ctx, genl.WatchExisting())
	if err != nil {
		log.Fatal(err)
	}
	view := map[int]brcmlink.Port{} // by ifindex
	var listed map[int]brcmlink.Port
	for ev := range events { // until ctx is done
		switch ev.Kind {
		case genl.Existing:
			if listed == nil {
				listed = map[int]brcmlink.Port{}
			}
			listed[ev.Port.Index] = ev.Port
		case genl.Synced: // the listing is whole: it is the view now
			view, listed = listed, nil
			if view == nil {
				view = map[int]brcmlink.Port{}
			}
			fmt.Printf("%d ports\n", len(view))
		case genl.Created, genl.Changed:
			view[ev.Port.Index] = ev.Port
		case genl.Deleted:
			delete(view, ev.Port.Index)
		case genl.Lost:
			// A listing follows, unless the watch ends here.
			log.Printf("events lost: %v", ev.Err)
		}
	}
}

// Test a program against a fake of the kernel's brcm family: New takes
// any generic netlink socket, such as one of genltest's.
func ExampleNew() {
	family := genetlink.Family{ID: 0x20, Name: brcmlink.GenlName, Version: brcmlink.GenlVersion}
	conn := genltest.Dial(genltest.ServeFamily(family, func(req genetlink.Message, _ netlink.Message) ([]genetlink.Message, error) {
		if req.Header.Command != brcmlink.CmdPortGet {
			return nil, genltest.Error(int(syscall.EOPNOTSUPP))
		}
		ae := netlink.NewAttributeEncoder()
		ae.Uint32(brcmlink.AttrIfindex, 7)
		ae.String(brcmlink.AttrIfname, "eth0.p5")
		ae.Uint32(brcmlink.AttrLowerIfindex, 2)
		ae.String(brcmlink.AttrLowerIfname, "eth0")
		ae.Uint16(brcmlink.AttrPort, 5)
		b, err := ae.Encode()
		return []genetlink.Message{{Header: req.Header, Data: b}}, err
	}))
	c, err := genl.New(conn)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	p, err := c.Get(brcmlink.ByName("eth0.p5"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Name, p.Lower, p.Port)
	err = c.Delete(brcmlink.ByName("eth0.p5"))
	fmt.Println(errors.Is(err, syscall.EOPNOTSUPP))
	// Output:
	// eth0.p5 eth0 5
	// true
}
