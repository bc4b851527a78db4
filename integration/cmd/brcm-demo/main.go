// Command brcm-demo is `make demo`: inside the test VM, it puts a
// software model of the switch with three hosts behind an IMP link,
// provisions brcm ports for them through the rtlink package, and shows
// each step as a user would check it: ip, ping, counters, the tags on the
// wire. Every step checks what it claims; the summary line counts them
// and the exit status is 0 only if all held.
package main

import (
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/integration/swmodel"
	"github.com/brcmlink/brcmlink/rtlink"
)

var ports = []uint16{1, 5, 27}

func hostIP(p uint16) string { return fmt.Sprintf("10.60.%d.2", p) }
func portIP(p uint16) string { return fmt.Sprintf("10.60.%d.1/24", p) }

type demo struct {
	steps, failed int
}

// step narrates one step and records whether it did what it said.
func (d *demo) step(what string, fn func() error) {
	d.steps++
	fmt.Printf("\n== %d. %s\n", d.steps, what)
	if err := fn(); err != nil {
		d.failed++
		fmt.Printf("FAILED: %v\n", err)
	}
}

// show runs a command, printing it and its output like a terminal would.
func show(name string, args ...string) (string, error) {
	fmt.Printf("$ %s %s\n", name, strings.Join(args, " "))
	out, err := exec.Command(name, args...).CombinedOutput()
	fmt.Print(string(out))
	if err != nil {
		return string(out), fmt.Errorf("%s: %w", name, err)
	}
	return string(out), nil
}

func counter(dev, name string) uint64 {
	b, _ := os.ReadFile("/sys/class/net/" + dev + "/statistics/" + name)
	n, _ := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	return n
}

func main() {
	ko := flag.String("brcm.ko", "kernel/brcm.ko", "the module to load")
	flag.Parse()
	d := &demo{}
	if err := d.run(*ko); err != nil {
		fmt.Printf("FAILED: %v\n", err)
		d.failed++
	}
	fmt.Printf("\ndemo: %d steps, %d failed\n", d.steps, d.failed)
	if d.failed > 0 {
		os.Exit(1)
	}
}

func (d *demo) run(ko string) error {
	os.WriteFile("/proc/sys/net/ipv6/conf/default/disable_ipv6", []byte("1"), 0)
	d.step("load the module", func() error {
		if _, err := show("modprobe", "veth"); err != nil {
			return err
		}
		if _, err := show("insmod", ko); err != nil {
			return err
		}
		_, err := show("sh", "-c", "lsmod | grep -w brcm")
		return err
	})

	topo, err := swmodel.Build(swmodel.Config{
		Prefix: "demo", Ports: ports, IMPMTU: 1506,
		HostAddr: func(p uint16) netip.Prefix { return netip.MustParsePrefix(hostIP(p) + "/24") },
	})
	if err != nil {
		return err
	}
	defer topo.Destroy()
	sw, err := swmodel.New(topo.SwitchIMP, topo.SwitchPorts())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { sw.Run(ctx) })
	defer func() { cancel(); wg.Wait(); sw.Close() }()
	lower := topo.IMP
	var mu sync.Mutex
	var wire []string
	sw.Tap(func(dir swmodel.Direction, f []byte) {
		if len(f) < 20 || binary.BigEndian.Uint16(f[12:14]) != brcmlink.EthPBrcm {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if len(wire) < 4 {
			wire = append(wire, fmt.Sprintf("%-8s % x | % x | % x | % x ...", dir, f[0:12], f[12:14], f[14:18], f[18:20]))
		}
	})

	d.step(fmt.Sprintf("the switch model: IMP link %s, hosts on ports 1, 5 and 27", lower), func() error {
		_, err := show("ip", "-br", "link", "show", lower)
		return err
	})

	c, err := rtlink.Dial(nil)
	if err != nil {
		return err
	}
	defer c.Close()
	for _, p := range ports {
		dev := fmt.Sprintf("%s.p%d", lower, p)
		d.step(fmt.Sprintf("add %s: port %d on %s", dev, p, lower), func() error {
			fmt.Printf("rtlink: Add(AddRequest{Lower: %q, Port: %d, Name: %q, Up: true})\n", lower, p, dev)
			got, err := c.Add(rtlink.AddRequest{Lower: lower, Port: p, Name: dev, Up: true})
			if err != nil {
				return err
			}
			fmt.Printf("=> %s ifindex %d on %s port %d, MTU %d\n", got.Name, got.Index, got.Lower, got.Port, got.MTU)
			if got.Port != p || got.Lower != lower || got.MTU != 1500 {
				return fmt.Errorf("got %+v", *got)
			}
			_, err = show("ip", "addr", "add", portIP(p), "dev", dev)
			return err
		})
	}
	d.step("a port already bound is refused, and the error says by whom", func() error {
		_, err := c.Add(rtlink.AddRequest{Lower: lower, Port: 5, Name: "other"})
		fmt.Printf("rtlink: Add(port 5 again) => %v\n", err)
		if !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("want os.ErrExist, got %v", err)
		}
		return nil
	})
	d.step("ip sees the stacking", func() error {
		out, err := show("ip", "-d", "link", "show", lower+".p5")
		if err == nil && !strings.Contains(out, "brcm") {
			err = errors.New("no brcm kind shown")
		}
		return err
	})
	for _, p := range ports {
		dev := fmt.Sprintf("%s.p%d", lower, p)
		d.step(fmt.Sprintf("ping the host behind port %d through %s", p, dev), func() error {
			before := counter(dev, "rx_packets")
			if _, err := show("ping", "-c", "3", "-i", "0.2", "-W", "3", hostIP(p)); err != nil {
				return err
			}
			if after := counter(dev, "rx_packets"); after < before+3 {
				return fmt.Errorf("rx_packets went from %d to %d", before, after)
			}
			return nil
		})
	}
	d.step("counters moved, per port", func() error {
		_, err := show("ip", "-br", "link", "show", "type", "brcm")
		if err != nil {
			return err
		}
		_, err = show("ip", "-s", "link", "show", lower+".p5")
		return err
	})
	d.step("the lower's receive counters", func() error {
		out, err := show("ethtool", "-S", lower+".p5")
		if err == nil && !strings.Contains(out, "lower_rx_tagged") {
			err = errors.New("no lower_rx_tagged counter")
		}
		return err
	})
	d.step("the tags on the wire (dst src | 88 74 | tag | ethertype)", func() error {
		mu.Lock()
		defer mu.Unlock()
		for _, l := range wire {
			fmt.Println(l)
		}
		if len(wire) == 0 {
			return errors.New("no tagged frame seen")
		}
		return nil
	})
	d.step("delete port 27; its host is unreachable, the others are not", func() error {
		if err := c.Delete(lower + ".p27"); err != nil {
			return err
		}
		if _, err := show("ip", "-br", "link", "show", "type", "brcm"); err != nil {
			return err
		}
		if _, err := show("ping", "-c", "1", "-W", "1", hostIP(27)); err == nil {
			return errors.New("port 27's host still answers")
		}
		_, err := show("ping", "-c", "1", "-W", "3", hostIP(5))
		return err
	})
	d.step("unload the module: every port goes with it", func() error {
		if _, err := show("rmmod", "brcm"); err != nil {
			return err
		}
		out, err := show("ip", "-br", "link", "show", "type", "brcm")
		if err == nil && strings.TrimSpace(out) != "" {
			err = errors.New("brcm devices left")
		}
		return err
	})
	return nil
}
