// SPDX-License-Identifier: MIT

// Command brcm-switch runs the software model of a BCM53242 switch
// (package swmodel) on existing interfaces until SIGINT or SIGTERM, then
// prints its counters. It creates nothing; see swmodel.Build for that.
//
//	brcm-switch -imp vimp1 -port 1=vp1 -port 2=vp2 [-format bcm53242|original] [-vlan 2=100] [-trace]
//
// -format is the transmit tag format of the brcm lower on the far end of
// -imp (default bcm53242, the kernel's); -vlan N=ID, repeated, gives the
// inner VLAN id of port N (0-27), whose frames must carry that 802.1Q
// header after the tag. Frames the model refuses are counted by reason.
package main

import (
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/internal/swmodel"
)

// vlanFlags collects repeated -vlan N=ID flags.
type vlanFlags map[uint16]uint16

func (v vlanFlags) String() string { return fmt.Sprint(map[uint16]uint16(v)) }

func (v vlanFlags) Set(s string) error {
	num, id, ok := strings.Cut(s, "=")
	n, err1 := strconv.ParseUint(num, 10, 16)
	i, err2 := strconv.ParseUint(id, 10, 16)
	if !ok || err1 != nil || err2 != nil || n > brcmlink.PortMax || i < 1 || i > 4094 {
		return fmt.Errorf("want N=ID, port 0-%d and VLAN 1-4094, got %q", brcmlink.PortMax, s)
	}
	if _, dup := v[uint16(n)]; dup {
		return fmt.Errorf("port %d given twice", n)
	}
	v[uint16(n)] = uint16(i)
	return nil
}

// portFlags collects repeated -port N=IFNAME flags.
type portFlags map[uint16]string

func (p portFlags) String() string { return fmt.Sprint(map[uint16]string(p)) }

func (p portFlags) Set(v string) error {
	num, name, ok := strings.Cut(v, "=")
	n, err := strconv.ParseUint(num, 10, 16)
	if !ok || err != nil || name == "" {
		return fmt.Errorf("want N=IFNAME, got %q", v)
	}
	if _, dup := p[uint16(n)]; dup {
		return fmt.Errorf("port %d given twice", n)
	}
	p[uint16(n)] = name
	return nil
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("brcm-switch: ")
	ports := portFlags{}
	vlans := vlanFlags{}
	var format brcmlink.Format // bcm53242
	imp := flag.String("imp", "", "interface facing the host (the brcm lower's peer)")
	flag.Var(ports, "port", "switch port `N=IFNAME`; repeat for each port")
	flag.Func("format", "transmit tag `format` of the lower: bcm53242 (default) or original", func(s string) (err error) {
		format, err = brcmlink.ParseFormat(s)
		return err
	})
	flag.Var(vlans, "vlan", "inner VLAN `N=ID` of port N (0-27); repeat for each port that has one")
	trace := flag.Bool("trace", false, "print every frame on the IMP link")
	flag.Parse()
	if *imp == "" || len(ports) == 0 || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}

	sw, err := swmodel.New(*imp, ports, swmodel.Options{Format: format, InnerVLAN: vlans})
	if err != nil {
		log.Fatal(err)
	}
	defer sw.Close()
	if *trace {
		sw.Tap(printToHost)
		sw.TapHost(printFromHost)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = sw.Run(ctx)
	fmt.Print(sw.Stats())
	if err != nil {
		log.Fatal(err)
	}
}

// printFromHost prints one line per frame from the host: addresses, the
// tag as the model decoded it, what it did, and the length.
func printFromHost(h swmodel.HostFrame) {
	f := h.Frame
	if len(f) < 14 {
		fmt.Printf("%-9v %d bytes: %v\n", swmodel.FromHost, len(f), h.Drop)
		return
	}
	fmt.Printf("%-9v %v > %v %v, %d bytes\n",
		swmodel.FromHost, net.HardwareAddr(f[6:12]), net.HardwareAddr(f[0:6]), h, len(f))
}

// printToHost prints one line per frame to the host: addresses, decoded
// tag, encapsulated ethertype and length.
func printToHost(dir swmodel.Direction, f []byte) {
	if dir != swmodel.ToHost || len(f) < 20 || binary.BigEndian.Uint16(f[12:]) != brcmlink.EthPBrcm {
		return // TapHost shows the frames from the host
	}
	w := binary.BigEndian.Uint32(f[14:])
	fmt.Printf("%-9v %v > %v tag %08x %+v type %#04x %d bytes\n",
		dir, net.HardwareAddr(f[6:12]), net.HardwareAddr(f[0:6]), w, brcmlink.ParseRxTag(w), binary.BigEndian.Uint16(f[18:]), len(f))
}
