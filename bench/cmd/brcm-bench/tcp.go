// SPDX-License-Identifier: MIT

package main

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/genl"
)

// The TCP benchmark streams from this namespace to a sink in tcpNS
// through each variant: a brcm port to a brcm port, a VLAN device to a
// VLAN device, the bare veth to its peer. The far end is the kernel's
// own receive path, not the switch model. tc pedit on each brcm veth's
// ingress turns a port's host-to-switch tag into the switch-to-host tag
// of the same port, as the switch would on the way back.
const (
	tcpNS   = "btcp"
	tcpPort = 5001
)

// tcpPath is one variant: the sink's address, and the device the stream
// leaves by, whose tx_bytes count it (frames as the port, the VLAN device
// or the veth sends them: the same bytes in every variant; a veth loses
// none, so they are the bytes the far end received).
type tcpPath struct {
	name string
	addr string
	sent counter
}

// tcpSetup builds the three variants. The veths do no TSO, so the wire
// carries frames of the MTU in every variant, as a real one would: the
// bare veth and a VLAN device segment in software, a brcm port below
// its tag.
func (c *config) tcpSetup() ([]tcpPath, func(), error) {
	cleanup := func() {
		_ = sh("ip", "netns", "del", tcpNS)
		for _, d := range []string{"tb0", "tv0", "te0"} {
			_ = sh("ip", "link", "del", d)
		}
	}
	cmds := [][]string{{"ip", "netns", "add", tcpNS}}
	for _, v := range []string{"tb", "tv", "te"} {
		cmds = append(cmds,
			[]string{"ip", "link", "add", v + "0", "type", "veth", "peer", "name", v + "1", "netns", tcpNS},
			[]string{"ethtool", "-K", v + "0", "tso", "off"},
			[]string{"ip", "netns", "exec", tcpNS, "ethtool", "-K", v + "1", "tso", "off"},
			[]string{"ip", "link", "set", v + "0", "up"},
			[]string{"ip", "-n", tcpNS, "link", "set", v + "1", "up"})
	}
	// Every variant's veth ends get the same tc pipeline on ingress, so
	// that what turns the tags around costs the brcm variant nothing the
	// others do not pay: they rewrite the TTL to the 64 it already is.
	rxTag := fmt.Sprintf("0x%08x", brcmlink.RxTagFrom(benchPort).Word())
	for _, v := range []string{"tb", "tv", "te"} {
		proto, munge := "ip", []string{"ip", "ttl", "set", "64"}
		if v == "tb" {
			proto, munge = fmt.Sprintf("%#x", brcmlink.EthPBrcm), []string{"offset", "0", "u32", "set", rxTag}
		}
		for _, end := range []struct {
			tc  []string
			dev string
		}{{[]string{"tc"}, v + "0"}, {[]string{"ip", "netns", "exec", tcpNS, "tc"}, v + "1"}} {
			cmds = append(cmds,
				append(slices.Clone(end.tc), "qdisc", "add", "dev", end.dev, "clsact"),
				append(append(slices.Clone(end.tc), "filter", "add", "dev", end.dev, "ingress", "protocol", proto,
					"matchall", "action", "pedit", "munge"), munge...))
		}
	}
	cmds = append(cmds,
		[]string{"ip", "link", "add", "link", "tv0", "name", "tv0.5", "up", "type", "vlan", "id", "5"},
		[]string{"ip", "-n", tcpNS, "link", "add", "link", "tv1", "name", "tv1.5", "up", "type", "vlan", "id", "5"},
		[]string{"ip", "addr", "add", "10.91.2.1/24", "dev", "tv0.5"},
		[]string{"ip", "-n", tcpNS, "addr", "add", "10.91.2.2/24", "dev", "tv1.5"},
		[]string{"ip", "addr", "add", "10.91.3.1/24", "dev", "te0"},
		[]string{"ip", "-n", tcpNS, "addr", "add", "10.91.3.2/24", "dev", "te1"},
		[]string{"ip", "-n", tcpNS, "link", "set", "lo", "up"})
	for _, cmd := range cmds {
		if err := sh(cmd[0], cmd[1:]...); err != nil {
			cleanup()
			return nil, nil, err
		}
	}
	g, err := genl.Dial()
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	defer g.Close()
	_, err = g.Add(brcmlink.AddRequest{Lower: "tb0", Port: benchPort, Name: "tb0.p5", Up: true})
	if err == nil {
		err = sh("ip", "netns", "exec", tcpNS, os.Args[0], "-add-far-port")
	}
	if err == nil {
		err = sh("ip", "addr", "add", "10.91.1.1/24", "dev", "tb0.p5")
	}
	if err == nil {
		err = sh("ip", "-n", tcpNS, "addr", "add", "10.91.1.2/24", "dev", "tb1.p5")
	}
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	sent := func(dev string) counter { return counter{dev: dev, stat: "tx_bytes"} }
	return []tcpPath{
		{name: "brcm", addr: "10.91.1.2", sent: sent("tb0.p5")},
		{name: "vlan", addr: "10.91.2.2", sent: sent("tv0.5")},
		{name: "bare", addr: "10.91.3.2", sent: sent("te0")},
	}, cleanup, nil
}

// addFarPort is brcm-bench -add-far-port, run in tcpNS: the far end's
// brcm port.
func addFarPort() error {
	g, err := genl.Dial()
	if err != nil {
		return err
	}
	defer g.Close()
	_, err = g.Add(brcmlink.AddRequest{Lower: "tb1", Port: benchPort, Name: "tb1.p5", Up: true})
	return err
}

// tcpSink is brcm-bench -tcp-sink, run in tcpNS: it reads and discards
// every connection to tcpPort.
func tcpSink() error {
	ln, err := net.Listen("tcp4", fmt.Sprintf(":%d", tcpPort))
	if err != nil {
		return err
	}
	for {
		conn, err := ln.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer conn.Close()
			_, _ = io.Copy(io.Discard, conn)
		}()
	}
}

// tcp measures bench ("tcp" or "tcp-wall") on every variant, in turns.
func (c *config) tcp(bench string) error {
	if !c.wants(bench) {
		return nil
	}
	ps, cleanup, err := c.tcpSetup()
	if err != nil {
		return err
	}
	defer cleanup()
	sink := exec.Command("ip", "netns", "exec", tcpNS, os.Args[0], "-tcp-sink")
	sink.Stderr = os.Stderr
	if err := sink.Start(); err != nil {
		return err
	}
	defer func() {
		_ = sink.Process.Kill()
		_ = sink.Wait()
	}()
	for r := range c.rounds {
		for _, p := range rotate(ps, r) {
			v, err := c.tcpRate(p)
			if err != nil {
				return fmt.Errorf("%s %s: %w", bench, p.name, err)
			}
			c.record(bench, p.name, r, v)
		}
	}
	return nil
}

// tcpRate streams to p's sink and returns the bits per second sent,
// counted over c.sample after c.warmup.
func (c *config) tcpRate(p tcpPath) (float64, error) {
	var conn net.Conn
	var err error
	// The sink may still be starting.
	for try := 0; try < 50; try++ {
		conn, err = net.DialTimeout("tcp4", fmt.Sprintf("%s:%d", p.addr, tcpPort), 5*time.Second)
		if err == nil || !errors.Is(err, syscall.ECONNREFUSED) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return 0, err
	}
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, 64<<10)
		for {
			if _, err := conn.Write(buf); err != nil {
				done <- err
				return
			}
		}
	}()
	var bps float64
	err = func() error {
		time.Sleep(c.warmup)
		b0, err := p.sent.read()
		if err != nil {
			return err
		}
		t0 := time.Now()
		time.Sleep(c.sample)
		b1, err := p.sent.read()
		if err != nil {
			return err
		}
		if b1 <= b0 {
			return fmt.Errorf("%s sent nothing", p.sent.dev)
		}
		bps = float64(b1-b0) * 8 / time.Since(t0).Seconds()
		return nil
	}()
	conn.Close()
	if werr := <-done; err == nil && !errors.Is(werr, net.ErrClosed) {
		log.Printf("tcp %s: the stream ended with %v", p.name, werr)
	}
	return bps, err
}
