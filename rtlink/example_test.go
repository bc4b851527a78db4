// SPDX-License-Identifier: MIT

package rtlink_test

import (
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/rtlink"
)

// Add port 5 of the switch behind eth0 over rtnetlink: the same request,
// and the same device (eth0.p5), as through the genl package.
func ExampleClient_Add() {
	c, err := rtlink.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	p, err := c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 5, Up: true})
	switch {
	case errors.Is(err, os.ErrExist):
		log.Fatalf("port 5 is taken: %v", err)
	case err != nil:
		log.Fatal(err)
	}
	fmt.Printf("created %s (ifindex %d)\n", p.Name, p.Index)

	// Up, on queue 2, and as it is now.
	p, err = c.Set(brcmlink.ByName(p.Name), brcmlink.SetRequest{Queue: new(uint8(2)), Up: new(true)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: queue %d, %s\n", p.Name, p.Queue, p.OperState)
}
