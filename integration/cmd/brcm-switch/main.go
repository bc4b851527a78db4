// SPDX-License-Identifier: MIT

// Command brcm-switch runs the software model of a BCM53242 switch
// (package swmodel) on existing interfaces until SIGINT or SIGTERM, then
// prints its counters. It creates nothing; see swmodel.Build for that.
//
//	brcm-switch -imp vimp1 -port 1=vp1 -port 2=vp2 [-trace]
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
	"github.com/brcmlink/brcmlink/integration/internal/swmodel"
)

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
	imp := flag.String("imp", "", "interface facing the host (the brcm lower's peer)")
	flag.Var(ports, "port", "switch port `N=IFNAME`; repeat for each port")
	trace := flag.Bool("trace", false, "print every frame on the IMP link")
	flag.Parse()
	if *imp == "" || len(ports) == 0 || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}

	sw, err := swmodel.New(*imp, ports)
	if err != nil {
		log.Fatal(err)
	}
	defer sw.Close()
	if *trace {
		sw.Tap(printFrame)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = sw.Run(ctx)
	fmt.Print(sw.Stats())
	if err != nil {
		log.Fatal(err)
	}
}

// printFrame prints one line per tagged frame: addresses, decoded tag,
// encapsulated ethertype and length.
func printFrame(dir swmodel.Direction, f []byte) {
	if len(f) < 20 || binary.BigEndian.Uint16(f[12:]) != brcmlink.EthPBrcm {
		fmt.Printf("%-9v %d bytes, not tagged\n", dir, len(f))
		return
	}
	w := binary.BigEndian.Uint32(f[14:])
	var tag any = brcmlink.ParseTxTag(w)
	if dir == swmodel.ToHost {
		tag = brcmlink.ParseRxTag(w)
	}
	fmt.Printf("%-9v %v > %v tag %08x %+v type %#04x %d bytes\n",
		dir, net.HardwareAddr(f[6:12]), net.HardwareAddr(f[0:6]), w, tag, binary.BigEndian.Uint16(f[18:]), len(f))
}
