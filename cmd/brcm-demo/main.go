// SPDX-License-Identifier: MIT

// Command brcm-demo is `make demo`: inside the test VM, it puts a
// software model of the switch with three hosts behind the IMP link and
// provisions ports for them with the brcmlink command, narrating each step
// and showing what a user would look at: brcmlink's own output, ping,
// counters, events, and the tags on the wire as tcpdump sees them. Every
// step checks what it claims; the summary line counts them, and the exit
// status is 0 only if all held.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/internal/nlwait"
	"github.com/brcmlink/brcmlink/internal/swmodel"
)

var ports = []uint16{1, 5, 27}

const lower = "demoimp"

func hostIP(p uint16) string { return fmt.Sprintf("10.60.%d.2", p) }
func portIP(p uint16) string { return fmt.Sprintf("10.60.%d.1/24", p) }
func dev(p uint16) string    { return fmt.Sprintf("%s.p%d", lower, p) }

type demo struct {
	cli           string
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

// show runs a command as a user would type it and prints what it prints.
func show(name string, args ...string) (string, error) {
	fmt.Printf("$ %s %s\n", name, strings.Join(args, " "))
	out, err := exec.Command(name, args...).CombinedOutput()
	fmt.Print(string(out))
	if err != nil {
		return string(out), fmt.Errorf("%s: %w", name, err)
	}
	return string(out), nil
}

func (d *demo) brcmlink(args ...string) (string, error) {
	fmt.Printf("$ brcmlink %s\n", strings.Join(args, " "))
	out, err := exec.Command(d.cli, args...).CombinedOutput()
	fmt.Print(string(out))
	if err != nil {
		return string(out), fmt.Errorf("brcmlink: %w", err)
	}
	return string(out), nil
}

// dumpHex joins the hex digits of tcpdump -xx output, so that bytes can
// be found across its line breaks.
func dumpHex(out string) string {
	var b strings.Builder
	for _, line := range strings.Split(out, "\n") {
		if _, hex, ok := strings.Cut(line, ":  "); ok && strings.HasPrefix(strings.TrimSpace(line), "0x") {
			b.WriteString(strings.ReplaceAll(hex, " ", ""))
		}
	}
	return b.String()
}

type jsonPort struct {
	Ifname   string `json:"ifname"`
	Linkinfo struct {
		InfoData struct {
			Port int `json:"port"`
		} `json:"info_data"`
	} `json:"linkinfo"`
	Stats64 *struct {
		Rx struct{ Packets, Bytes uint64 } `json:"rx"`
		Tx struct{ Packets, Bytes uint64 } `json:"tx"`
	} `json:"stats64"`
}

// kernelStats reads dev's counters as the kernel keeps them, in the order
// rx packets, rx bytes, tx packets, tx bytes.
func kernelStats(dev string) ([4]uint64, error) {
	var v [4]uint64
	for i, name := range []string{"rx_packets", "rx_bytes", "tx_packets", "tx_bytes"} {
		b, err := os.ReadFile("/sys/class/net/" + dev + "/statistics/" + name)
		if err != nil {
			return v, err
		}
		if _, err := fmt.Sscan(string(b), &v[i]); err != nil {
			return v, fmt.Errorf("%s %s: %w", dev, name, err)
		}
	}
	return v, nil
}

func main() {
	ko := flag.String("brcm.ko", "kernel/brcm.ko", "the module to load")
	cli := flag.String("brcmlink", "brcmlink", "the brcmlink command")
	flag.Parse()
	d := &demo{cli: *cli}
	if err := d.run(*ko); err != nil {
		fmt.Printf("FAILED: %v\n", err)
		d.failed++
	}
	fmt.Printf("\ndemo: %d steps, %d passed, %d failed\n", d.steps, d.steps-d.failed, d.failed)
	if d.failed > 0 {
		os.Exit(1)
	}
}

func (d *demo) run(ko string) error {
	// Keep IPv6 autoconfiguration quiet, so the counters shown are ours.
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
		Prefix: "demo", Ports: ports,
		HostAddr: func(p uint16) netip.Prefix { return netip.MustParsePrefix(hostIP(p) + "/24") },
	})
	if err != nil {
		return err
	}
	defer topo.Destroy()
	// The kernel's default tag format, bcm53242, which the demo's
	// ports use.
	sw, err := swmodel.New(topo.SwitchIMP, topo.SwitchPorts(), swmodel.Options{Format: brcmlink.FormatBCM53242})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { sw.Run(ctx) })
	defer func() { cancel(); wg.Wait(); sw.Close() }()

	d.step(fmt.Sprintf("a switch model on the IMP link %s, hosts on ports 1, 5 and 27", lower), func() error {
		_, err := show("ip", "-br", "link", "show", lower)
		return err
	})

	var events bytes.Buffer
	monitor := exec.Command(d.cli, "monitor")
	monitor.Stdout = &events
	d.step("watch events in the background: brcmlink monitor", func() error {
		if err := monitor.Start(); err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return nlwait.MonitorJoined(ctx, monitor.Process.Pid)
	})

	d.step("add ports 1 and 5, one command each", func() error {
		for _, p := range ports[:2] {
			if _, err := d.brcmlink("add", "dev", lower, "port", fmt.Sprint(p), "up"); err != nil {
				return err
			}
		}
		return nil
	})
	d.step("add port 27 and the catch-all port 0 from a batch file", func() error {
		batch := "# the rest of the ports\nadd dev demoimp port 27 up\nadd dev demoimp port any name demoimp.any\n"
		fmt.Printf("$ cat ports.batch\n%s", batch)
		f := "/tmp/ports.batch"
		if err := os.WriteFile(f, []byte(batch), 0o644); err != nil {
			return err
		}
		_, err := d.brcmlink("-batch", f)
		return err
	})
	d.step("show them, as text and as JSON", func() error {
		if _, err := d.brcmlink("show"); err != nil {
			return err
		}
		out, err := d.brcmlink("-j", "-p", "show", "dev", lower, "port", "5")
		if err != nil {
			return err
		}
		var ps []jsonPort
		if err := json.Unmarshal([]byte(out), &ps); err != nil {
			return err
		}
		if len(ps) != 1 || ps[0].Ifname != dev(5) || ps[0].Linkinfo.InfoData.Port != 5 {
			return fmt.Errorf("JSON shows %+v, want %s on port 5", ps, dev(5))
		}
		return nil
	})
	d.step("a port already bound is refused, and the error says by whom", func() error {
		out, err := d.brcmlink("add", "dev", lower, "port", "5")
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(out, "already exists on demoimp (demoimp.p5)") {
			return fmt.Errorf("want exit 2 naming demoimp.p5, got %v", err)
		}
		fmt.Println("(exit status 2: the kernel refused)")
		return nil
	})

	var capture bytes.Buffer
	tcpdump := exec.Command("tcpdump", "-i", lower, "-n", "-e", "-xx", "-c", "2", "ether", "proto", "0x8874", "and", "ether", "dst", "host", topo.Hosts[5].MAC.String())
	tcpdump.Stdout = &capture
	var before5 [4]uint64 // port 5's counters before its pings
	for _, p := range ports {
		d.step(fmt.Sprintf("ping the host behind port %d through %s", p, dev(p)), func() error {
			if _, err := show("ip", "addr", "add", portIP(p), "dev", dev(p)); err != nil {
				return err
			}
			if p == 5 {
				var err error
				if before5, err = kernelStats(dev(5)); err != nil {
					return err
				}
				if err := tcpdump.Start(); err != nil {
					return err
				}
				time.Sleep(500 * time.Millisecond) // let it open its socket
			}
			_, err := show("ping", "-c", "3", "-i", "0.2", "-W", "3", hostIP(p))
			return err
		})
	}
	d.step("the counters moved by the pings, and brcmlink shows the kernel's numbers", func() error {
		if _, err := d.brcmlink("-s", "show", dev(5)); err != nil {
			return err
		}
		// The kernel's counters read on both sides of brcmlink's: equal
		// when nothing moved in between, as nothing should.
		k0, err := kernelStats(dev(5))
		if err != nil {
			return err
		}
		js, err := exec.Command(d.cli, "-j", "-s", "show", dev(5)).Output()
		if err != nil {
			return err
		}
		now, err := kernelStats(dev(5))
		if err != nil {
			return err
		}
		var ps []jsonPort
		if err := json.Unmarshal(js, &ps); err != nil || len(ps) != 1 || ps[0].Stats64 == nil {
			return fmt.Errorf("no stats in %s", js)
		}
		s := ps[0].Stats64
		got := [4]uint64{s.Rx.Packets, s.Rx.Bytes, s.Tx.Packets, s.Tx.Bytes}
		for i := range got {
			if got[i] < k0[i] || got[i] > now[i] {
				return fmt.Errorf("brcmlink shows rx packets, bytes, tx packets, bytes %v; the kernel counted %v, then %v", got, k0, now)
			}
		}
		// 3 echo requests out and 3 replies in, at the least: ARP may add.
		if now[0] < before5[0]+3 || now[2] < before5[2]+3 {
			return fmt.Errorf("after 3 pings: rx %d, tx %d packets more", now[0]-before5[0], now[2]-before5[2])
		}
		fmt.Printf("(the kernel's own counters agree: rx %d packets %d bytes, tx %d packets %d bytes)\n", got[0], got[1], got[2], got[3])
		_, err = d.brcmlink("-s", "-s", "stats", "dev", lower)
		return err
	})
	d.step("the tags on the wire: tcpdump on the lower, port 5's echo request", func() error {
		done := make(chan error, 1)
		go func() { done <- tcpdump.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				return err
			}
		case <-time.After(5 * time.Second):
			tcpdump.Process.Kill()
			return errors.New("tcpdump saw no tagged frame")
		}
		fmt.Print(capture.String())
		fmt.Println("(after the two MAC addresses: 8874, then the tag 8000 0010 of the bcm53242 format:" +
			" opcode 4, port 5 = the chip's port 4, bit 4 = 0x10)")
		if !strings.Contains(dumpHex(capture.String()), "887480000010") {
			return errors.New("no frame tagged for port 5")
		}
		return nil
	})
	d.step("delete port 27: its host is gone, the others are not", func() error {
		if _, err := d.brcmlink("del", dev(27)); err != nil {
			return err
		}
		if _, err := show("ping", "-c", "1", "-W", "1", hostIP(27)); err == nil {
			return errors.New("port 27's host still answers")
		}
		_, err := show("ping", "-c", "1", "-W", "3", hostIP(5))
		return err
	})
	conf := filepath.Join(os.TempDir(), "board.conf")
	d.step("keep the ports as a description, and apply it: no changes", func() error {
		out, err := d.brcmlink("config", "dev", lower)
		if err != nil {
			return err
		}
		if err := os.WriteFile(conf, []byte(out), 0o644); err != nil {
			return err
		}
		out, err = d.brcmlink("apply", conf)
		if err == nil && out != "no changes\n" {
			err = errors.New("apply of the ports as they are changed something")
		}
		return err
	})
	d.step("edit it: port 5 becomes wan on queue 2, port 27 comes back; check shows the plan", func() error {
		text := fmt.Sprintf("lower %[1]s\n    port any name %[1]s.any\n    port 1 up\n    port 5 name wan queue 2 up\n    port 27 up\n", lower)
		fmt.Printf("%s", text)
		if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
			return err
		}
		out, err := d.brcmlink("apply", conf, "check")
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 3 || !strings.Contains(out, "rename "+dev(5)+" -> wan") {
			return fmt.Errorf("apply check: %v, want exit 3 and the rename", err)
		}
		return nil
	})
	d.step("apply it: the steps as they are made; port 5's host answers through wan", func() error {
		if _, err := d.brcmlink("apply", conf); err != nil {
			return err
		}
		if _, err := d.brcmlink("show", "wan"); err != nil {
			return err
		}
		if _, err := d.brcmlink("apply", conf); err != nil {
			return err
		}
		_, err := show("ping", "-c", "1", "-W", "3", hostIP(5))
		return err
	})
	d.step("what brcmlink monitor printed meanwhile", func() error {
		monitor.Process.Signal(syscall.SIGINT)
		if err := monitor.Wait(); err != nil {
			return fmt.Errorf("monitor did not exit 0 on SIGINT: %w", err)
		}
		fmt.Print(events.String())
		for _, want := range []string{"[NEW] " + dev(1), "[NEW] " + dev(27), "[DEL] " + dev(27)} {
			if !strings.Contains(events.String(), want) {
				return fmt.Errorf("no %q among the events", want)
			}
		}
		return nil
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
