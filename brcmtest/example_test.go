// SPDX-License-Identifier: MIT

package brcmtest_test

import (
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/brcmtest"
)

// A program's test, on a fake kernel with eth0: the genl client's common
// calls, and the kernel's refusal of a port taken.
func Example() {
	k := brcmtest.New()
	k.AddEthernet("eth0")
	c, err := k.Client() // a *genl.Client
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	p, err := c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 5, Up: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Name, p.Port, p.OperState)

	_, err = c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 5, Name: "again"})
	fmt.Println(errors.Is(err, os.ErrExist), err)

	p, err = c.Set(brcmlink.ByPort("eth0", 5), brcmlink.SetRequest{Queue: new(uint8(2)), Up: new(false)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Name, p.Queue, p.OperState)

	if err := c.Delete(brcmlink.ByName("eth0.p5")); err != nil {
		log.Fatal(err)
	}
	ports, err := c.List()
	fmt.Println(len(ports), err)
	// Output:
	// eth0.p5 5 UP
	// true genl: add again: port 5 already exists on eth0 (eth0.p5): file exists
	// eth0.p5 2 DOWN
	// 0 <nil>
}
