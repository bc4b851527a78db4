// SPDX-License-Identifier: MIT

package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/genl"
)

// Frame sizes measured: the frame as the measured device sends or
// receives it (Ethernet header and payload, no FCS); tagged variants
// carry 4 (802.1Q) or 6 (brcm) bytes more on the veth.
var frameSizes = []int{64, 1500}

// benchPort and benchVID bind the measured brcm and VLAN devices.
const (
	benchPort = 5
	benchVID  = 5
	// etherType of the received payload: IEEE 802 local experimental,
	// which no protocol handles, so every variant drops the frame at the
	// same point, right after its device has counted it.
	etherType = 0x88b5
	// lowerMTU lets every lower carry a 1500-byte frame with a brcm tag
	// and a port's own 802.1Q header, as the module would raise it to for
	// the brcm lower alone.
	lowerMTU = 1500 + brcmlink.HeaderLen + 4
)

// foreignMAC is where transmitted frames go: no device has it, so the far
// end of the veth drops them early (PACKET_OTHERHOST) in every variant.
var foreignMAC = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x01}

// path is one variant of the data path: a device pktgen transmits on
// and the counter that sees those frames arrive, and the device a
// generator sends to and the one that counts what it received.
type path struct {
	name    string
	txDev   string  // pktgen sends on it
	txCount counter // frames that reached the far end of the veth
	rxPeer  string  // the generator sends on it
	rxDev   string  // the device measured on receive
	rxCount counter
	encap   func(b []byte) []byte // the header the receiving device strips, after the MACs
}

// counter is a device's statistic. Received frames count as rx_packets
// where the device takes them; rx_dropped would not tell losses apart,
// since the core counts there every frame no protocol handles, which is
// every frame here, in all variants alike.
type counter struct {
	dev, stat string
}

func (c counter) read() (uint64, error) {
	b, err := os.ReadFile("/sys/class/net/" + c.dev + "/statistics/" + c.stat)
	if err != nil {
		return 0, err
	}
	var n uint64
	_, err = fmt.Sscan(string(b), &n)
	return n, err
}

// paths builds the four variants on identical veth pairs: brcm, vlan,
// the bare veth as the ceiling, and the generators' own ceiling (a dummy
// device, which frees what it is given).
func (c *config) paths() ([]path, error) {
	received := func(dev string) counter { return counter{dev, "rx_packets"} }
	ps := []path{
		{name: "brcm", txDev: "bb0.p5", txCount: received("bb1"), rxPeer: "bb1", rxDev: "bb0.p5", rxCount: received("bb0.p5"),
			encap: func(b []byte) []byte {
				b = binary.BigEndian.AppendUint16(b, brcmlink.EthPBrcm)
				return binary.BigEndian.AppendUint32(b, brcmlink.RxTagFrom(benchPort).Word())
			}},
		{name: "vlan", txDev: "bv0.5", txCount: received("bv1"), rxPeer: "bv1", rxDev: "bv0.5", rxCount: received("bv0.5"),
			encap: func(b []byte) []byte {
				b = binary.BigEndian.AppendUint16(b, syscall.ETH_P_8021Q)
				return binary.BigEndian.AppendUint16(b, benchVID)
			}},
		{name: "bare", txDev: "be0", txCount: received("be1"), rxPeer: "be1", rxDev: "be0", rxCount: received("be0"),
			encap: func(b []byte) []byte { return b }},
		{name: "gen", txDev: "bd0", txCount: counter{"bd0", "tx_packets"}, rxPeer: "bd0", rxDev: "bd0",
			rxCount: counter{"bd0", "tx_packets"},
			encap:   func(b []byte) []byte { return b }},
	}
	for _, v := range []string{"bb", "bv", "be"} {
		if err := sh("ip", "link", "add", v+"0", "mtu", fmt.Sprint(lowerMTU), "type", "veth",
			"peer", "name", v+"1", "mtu", fmt.Sprint(lowerMTU)); err != nil {
			return nil, err
		}
	}
	if err := sh("ip", "link", "add", "bd0", "mtu", fmt.Sprint(lowerMTU), "type", "dummy"); err != nil {
		return nil, err
	}
	for _, d := range []string{"bb0", "bb1", "bv0", "bv1", "be0", "be1", "bd0"} {
		if err := sh("ip", "link", "set", d, "up"); err != nil {
			return nil, err
		}
	}
	g, err := genl.Dial()
	if err != nil {
		return nil, err
	}
	defer g.Close()
	if _, err := g.Add(brcmlink.AddRequest{Lower: "bb0", Port: benchPort, Name: "bb0.p5", Up: true}); err != nil {
		return nil, err
	}
	if err := sh("ip", "link", "add", "link", "bv0", "name", "bv0.5", "up", "type", "vlan", "id", fmt.Sprint(benchVID)); err != nil {
		return nil, err
	}
	return ps, nil
}

// dataPath measures every direction and size, the variants taking turns.
func (c *config) dataPath() error {
	var benches []string
	for _, dir := range []string{"tx", "rx"} {
		for _, size := range frameSizes {
			if b := fmt.Sprintf("%s-%d", dir, size); c.wants(b) {
				benches = append(benches, b)
			}
		}
	}
	if len(benches) == 0 {
		return nil
	}
	ps, err := c.paths()
	// The control plane lists every device of a kind: leave it none.
	defer func() {
		for _, d := range []string{"bb0", "bv0", "be0", "bd0"} {
			_ = sh("ip", "link", "del", d)
		}
	}()
	if err != nil {
		return err
	}
	for r := range c.rounds {
		for _, b := range benches {
			for _, p := range rotate(ps, r) {
				v, err := c.packetRate(b, p, nil)
				if err != nil {
					return fmt.Errorf("%s %s: %w", b, p.name, err)
				}
				c.record(b, p.name, r, v)
			}
		}
	}
	if c.profile == "" || !strings.HasPrefix(c.profile, "tx-") && !strings.HasPrefix(c.profile, "rx-") {
		return nil
	}
	// Long enough for a profile even of a smoke run.
	c.sample = max(c.sample, profileWindow)
	for _, p := range ps {
		if _, err := c.packetRate(c.profile, p, c.perf(c.profile, p.name)); err != nil {
			return fmt.Errorf("profiling %s %s: %w", c.profile, p.name, err)
		}
	}
	return nil
}

// packetRate runs one benchmark ("tx-64") on one path and returns its packets
// per second, counted over c.sample after c.warmup. If window is not
// nil, it runs around the counted window and its error counts.
func (c *config) packetRate(b string, p path, window func(func() error) error) (float64, error) {
	var dir string
	var size int
	if _, err := fmt.Sscanf(b, "%2s-%d", &dir, &size); err != nil {
		return 0, fmt.Errorf("benchmark %q: %w", b, err)
	}
	var stop func() error
	var count counter
	var err error
	if dir == "tx" {
		stop, err = startPktgen(p.txDev, size)
		count = p.txCount
	} else {
		stop, err = startRxgen(p, size)
		count = p.rxCount
	}
	if err != nil {
		return 0, err
	}
	var pps float64
	measure := func() error {
		time.Sleep(c.warmup)
		c0, err := count.read()
		if err != nil {
			return err
		}
		t0 := time.Now()
		time.Sleep(c.sample)
		c1, err := count.read()
		if err != nil {
			return err
		}
		if c1 <= c0 {
			return fmt.Errorf("%s counted no frames %s", count.dev, pktgenResult(p.txDev))
		}
		pps = float64(c1-c0) / time.Since(t0).Seconds()
		return nil
	}
	if window != nil {
		err = window(measure)
	} else {
		err = measure()
	}
	if serr := stop(); err == nil {
		err = serr
	}
	return pps, err
}

// pktgen drives the kernel's packet generator through /proc/net/pktgen.
// The newline matters: pgctrl takes the last byte written for one.
func pktgen(file, cmd string) error {
	if err := os.WriteFile("/proc/net/pktgen/"+file, []byte(cmd+"\n"), 0); err != nil {
		return fmt.Errorf("pktgen %s: %q: %w", file, cmd, err)
	}
	return nil
}

// startPktgen makes the pktgen thread of cpu 0 send size-byte frames on
// dev until the returned function stops it. clone_skb 0 (a new skb per
// frame) for every device: brcm and VLAN devices write into the frame,
// so they refuse shared skbs, and the bare veth must be measured alike.
func startPktgen(dev string, size int) (stop func() error, err error) {
	cmds := []struct{ file, cmd string }{
		{"kpktgend_0", "rem_device_all"},
		{"kpktgend_0", "add_device " + dev},
		{dev, "clone_skb 0"},
		{dev, fmt.Sprintf("pkt_size %d", size)},
		{dev, "count 0"}, // until stopped
		{dev, "delay 0"},
		{dev, "dst_mac " + foreignMAC.String()},
		{dev, "dst 10.99.0.2"},
	}
	for _, c := range cmds {
		if err := pktgen(c.file, c.cmd); err != nil {
			return nil, err
		}
	}
	// Writing start returns only when every pktgen thread has stopped,
	// and a signal to the writer stops them: a Go thread may get the
	// process's signals, so a shell of its own writes it.
	start := exec.Command("sh", "-c", "echo start >/proc/net/pktgen/pgctrl")
	if err := start.Start(); err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- start.Wait() }()
	return func() error {
		if err := pktgen("pgctrl", "stop"); err != nil {
			return err
		}
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			return fmt.Errorf("pktgen on %s did not stop", dev)
		}
	}, nil
}

// pktgenResult is what pktgen says of its last run on dev, for errors.
func pktgenResult(dev string) string {
	b, _ := os.ReadFile("/proc/net/pktgen/" + dev)
	if _, r, ok := strings.Cut(string(b), "Result:"); ok {
		return "pktgen: " + strings.Join(strings.Fields(r), " ")
	}
	return ""
}

// startRxgen makes the generator send size-byte frames (as p's receiving
// device will see them) on p's far end until the returned function stops
// it.
func startRxgen(p path, size int) (stop func() error, err error) {
	dst, err := net.InterfaceByName(p.rxDev)
	if err != nil {
		return nil, err
	}
	src, err := net.InterfaceByName(p.rxPeer)
	if err != nil {
		return nil, err
	}
	f := append(append([]byte{}, dst.HardwareAddr...), src.HardwareAddr...)
	f = p.encap(f)
	f = binary.BigEndian.AppendUint16(f, etherType)
	hdr := len(f) - ethHdrLen // what the receiving device strips
	for i := len(f); i < size+hdr; i++ {
		f = append(f, byte(i))
	}
	g, err := newGenerator(p.rxPeer, f)
	if err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- g.run() }()
	return func() error {
		g.stop.Store(true)
		err := <-done
		return joinClose(err, g.close())
	}, nil
}

const ethHdrLen = 14

// profileWindow is the window perf samples.
const profileWindow = 5 * time.Second

func joinClose(err, cerr error) error {
	if err != nil {
		return err
	}
	return cerr
}
