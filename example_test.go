// SPDX-License-Identifier: MIT

package brcmlink_test

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/brcmlink/brcmlink"
)

// The tag eth0.p5 puts on a frame for switch port 5 on traffic queue 2,
// in either tag format, and the port a received tag names.
func ExampleTxTagFor() {
	for _, f := range []brcmlink.Format{brcmlink.FormatBCM53242, brcmlink.FormatOriginal} {
		tx := brcmlink.TxTagFor(f, 5, 2, 0)
		fmt.Printf("%s: %#08x opcode %d dest %#x\n", f, tx.Word(), tx.Opcode, tx.Dest)
	}

	rx := brcmlink.ParseRxTag(0x0000001c)
	port, err := rx.Port()
	fmt.Println(port, err)
	// Output:
	// bcm53242: 0x90000010 opcode 4 dest 0x10
	// original: 0x5000001c opcode 2 dest 0x1c
	// 5 <nil>
}

// A Selector names one port in the words errors use.
func ExampleSelector() {
	for _, s := range []brcmlink.Selector{
		brcmlink.ByName("eth0.p5"),
		brcmlink.ByIndex(7),
		brcmlink.ByPort("eth0", 5),
		brcmlink.ByLowerIndexPort(2, 0),
	} {
		fmt.Println(s)
	}
	// Output:
	// eth0.p5
	// ifindex 7
	// eth0 port 5
	// ifindex 2 port 0
}

// A value checked as the kernel checks it, before anything is sent.
func ExampleRange_Check() {
	err := brcmlink.PortRange.Check(28)
	var e *brcmlink.Error
	if errors.As(err, &e) {
		fmt.Println(e.Message, e.Err == syscall.ERANGE)
	}
	// Output: port 28 out of range (0-27) true
}

// An *Error matches its errno and the os errors; ENODEV, a device that
// is not there, matches os.ErrNotExist.
func ExampleError() {
	var err error = &brcmlink.Error{Client: "genl", Op: "get", Dev: "eth0.p9", Err: syscall.ENODEV, Message: "no device eth0.p9"}
	fmt.Println(err)
	fmt.Println(errors.Is(err, os.ErrNotExist), errors.Is(err, syscall.ENODEV))
	// Output:
	// genl: get eth0.p9: no device eth0.p9: no such device
	// true true
}

func ExampleOperState() {
	b, _ := brcmlink.OperLowerLayerDown.MarshalText()
	fmt.Println(brcmlink.OperUp, string(b), brcmlink.OperState(7))
	// Output: UP LOWERLAYERDOWN 0x7
}
