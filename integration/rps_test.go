// SPDX-License-Identifier: MIT

//go:build vmtest

package integration

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/brcmlink/brcmlink"
)

// TestRPS shows that a port's receive work can be spread over CPUs. A
// NIC cannot hash flows behind a tag it does not know, so all of a
// lower's frames arrive on one CPU: here the generator's, pinned to CPU
// 0. With rps_cpus set on a port, the port's frames are spread by their
// inner flow, into one port and into several.
func TestRPS(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Fatalf("%d CPUs: RPS needs two", runtime.NumCPU())
	}
	for _, ports := range [][]uint16{{5}, {5, 6, 7}} {
		t.Run(fmt.Sprintf("%d ports", len(ports)), func(t *testing.T) {
			lw, peer := name("rl"), name("rp")
			veth(t, lw, peer)
			c := client(t)
			var devs []string
			for _, p := range ports {
				dev := fmt.Sprintf("%s.p%d", lw, p)
				addPort(t, c, lw, p, dev)
				sh(t, "ip", "addr", "add", fmt.Sprintf("10.88.%d.1/24", p), "dev", dev)
				devs = append(devs, dev)
			}
			const frames = 6000
			for _, rps := range []string{"0", "3"} {
				for _, dev := range devs {
					if err := os.WriteFile("/sys/class/net/"+dev+"/queues/rx-0/rps_cpus", []byte(rps), 0); err != nil {
						t.Fatal(err)
					}
				}
				var rx uint64
				for _, dev := range devs {
					rx -= stat(t, dev, "rx_packets")
				}
				before := softnetProcessed(t)
				sendFlows(t, peer, mac(t, lw), ports, frames)
				after := softnetProcessed(t)
				for _, dev := range devs {
					rx += stat(t, dev, "rx_packets")
				}
				if rx != frames {
					t.Fatalf("rps_cpus %s: the ports received %d of %d frames", rps, rx, frames)
				}
				// CPU 0 processed every frame once on the lower; what
				// the ports' RPS sent elsewhere was processed there.
				other := after[1] - before[1]
				share := float64(other) / frames
				t.Logf("rps_cpus %s: CPU 1 processed %d of %d frames for the ports (%.0f%%)", rps, other, frames, share*100)
				switch {
				case rps == "0" && share > 0.05:
					t.Errorf("without RPS, CPU 1 processed %.0f%% of the frames sent on CPU 0", share*100)
				case rps == "3" && (share < 0.25 || share > 0.75):
					t.Errorf("with RPS over CPUs 0 and 1, CPU 1 processed %.0f%% of 64 flows' frames; want about half", share*100)
				}
			}
		})
	}
}

// softnetProcessed returns, per CPU, the frames its backlog processed
// (/proc/net/softnet_stat's first column).
func softnetProcessed(t testing.TB) []uint64 {
	t.Helper()
	b, err := os.ReadFile("/proc/net/softnet_stat")
	if err != nil {
		t.Fatal(err)
	}
	var n []uint64
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		v, err := strconv.ParseUint(strings.Fields(line)[0], 16, 32)
		if err != nil {
			t.Fatalf("softnet_stat %q: %v", line, err)
		}
		n = append(n, v)
	}
	if len(n) < 2 {
		t.Fatalf("softnet_stat has %d CPUs", len(n))
	}
	return n
}

// sendFlows sends n tagged UDP frames on dev from CPU 0, spread over the
// ports and 64 flows: the frames a switch would send the host.
func sendFlows(t testing.TB, dev string, dst net.HardwareAddr, ports []uint16, n int) {
	t.Helper()
	s := openRaw(t, nil, dev)
	src := mac(t, dev)
	errc := make(chan error, 1)
	go func() {
		// Locked for good: the runtime drops the thread, pinned, after.
		runtime.LockOSThread()
		var cpu0 unix.CPUSet
		cpu0.Set(0)
		if err := unix.SchedSetaffinity(0, &cpu0); err != nil {
			errc <- err
			return
		}
		for i := range n {
			p := ports[i%len(ports)]
			f := udpFrame(dst, src, p, uint16(10000+i%64))
			if _, err := unix.Write(s.fd, f); err != nil {
				errc <- fmt.Errorf("frame %d: %w", i, err)
				return
			}
		}
		errc <- nil
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// udpFrame is a switch-to-host frame from port p: UDP from 10.88.p.2,
// source port sport, to the discard port of 10.88.p.1.
func udpFrame(dst, src net.HardwareAddr, p, sport uint16) []byte {
	ip := make([]byte, 20, 48)
	ip[0], ip[8], ip[9] = 0x45, 64, unix.IPPROTO_UDP
	binary.BigEndian.PutUint16(ip[2:], 20+8+18)
	copy(ip[12:], net.IPv4(10, 88, byte(p), 2).To4())
	copy(ip[16:], net.IPv4(10, 88, byte(p), 1).To4())
	binary.BigEndian.PutUint16(ip[10:], inetChecksum(ip))
	udp := make([]byte, 8, 26)
	binary.BigEndian.PutUint16(udp[0:], sport)
	binary.BigEndian.PutUint16(udp[2:], 9)
	binary.BigEndian.PutUint16(udp[4:], 8+18)
	udp = append(udp, make([]byte, 18)...)
	body := binary.BigEndian.AppendUint32(nil, brcmlink.RxTagFrom(p).Word())
	body = append(body, 0x08, 0x00)
	return frame(dst, src, brcmlink.EthPBrcm, append(append(body, ip...), udp...))
}
