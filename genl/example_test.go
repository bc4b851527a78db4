// SPDX-License-Identifier: MIT

package genl_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/genl"
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

// Print ports as they come, change and go, until interrupted.
func ExampleClient_Watch() {
	c, err := genl.Dial()
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	events, err := c.Watch(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for ev := range events { // until ctx is done
		switch ev.Kind {
		case genl.Lost:
			// Some events are gone: read the whole state again.
			log.Printf("resyncing: %v", ev.Err)
			ports, err := c.List()
			if err != nil {
				log.Fatal(err)
			}
			fmt.Printf("%d ports now\n", len(ports))
		default:
			fmt.Printf("%s %s: port %d on %s, %s\n", ev.Kind, ev.Port.Name, ev.Port.Port, ev.Port.Lower, ev.Port.OperState)
		}
	}
}
