// SPDX-License-Identifier: MIT

//go:build vmtest

package integration

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/brcmlink/brcmlink"
)

// A tagged TCP burst that GRO merged and tc then forwarded: into a port,
// whose own tag goes in front of the one the frames carry, or out of a
// device that segments in software. The module's offloads apply to both,
// whatever the device; the frames must leave intact and the kernel live.

const burstSegs, burstMSS = 30, 1000

// vlanWrap puts an 802.1Q header of vid in front of f's ethertype.
func vlanWrap(f []byte, vid uint16) []byte {
	out := append([]byte{}, f[:12]...)
	out = append(out, 0x81, 0x00, byte(vid>>8), byte(vid))
	return append(out, f[12:]...)
}

// sendBurst sends burstSegs tagged TCP segments of one flow from port 5
// to gw through its peer gp, held back by a plug qdisc and released at
// once, so that one NAPI poll of gw sees them all. With vid, each frame
// is inside that VLAN. It returns the payload sent.
func sendBurst(t *testing.T, gw, gp string, vid uint16) []byte {
	t.Helper()
	sh(t, "tc", "qdisc", "add", "dev", gp, "root", "plug", "limit", "1000000")
	out := openRaw(t, nil, gp)
	var sent []byte
	for i := 0; i < burstSegs; i++ {
		data := payload(i, burstMSS)
		f := tcpSegment(mac(t, gw), mac(t, gp), 5, uint32(len(sent)), uint16(i), data)
		if vid != 0 {
			f = vlanWrap(f, vid)
		}
		out.send(t, f)
		sent = append(sent, data...)
	}
	sh(t, "tc", "qdisc", "change", "dev", gp, "root", "plug", "release_indefinite")
	return sent
}

// tcpAfterL2 finds the TCP segment of sendBurst's flow behind f's chain
// of tags and 802.1Q headers: its IPv4 header's offset, or -1.
func tcpAfterL2(f []byte) int {
	off := 12
	for depth := 0; depth < 8 && off+2 <= len(f); depth++ {
		switch binary.BigEndian.Uint16(f[off:]) {
		case brcmlink.EthPBrcm:
			off += 2 + brcmlink.TagLen
		case 0x8100:
			off += 4
		case 0x0800:
			ip := off + 2
			if len(f) >= ip+40 && f[ip+9] == 6 && binary.BigEndian.Uint16(f[ip+22:]) == 5001 {
				return ip
			}
			return -1
		default:
			return -1
		}
	}
	return -1
}

// recvBurst reads the burst's frames from s until their payload makes up
// want, checking that they come in order, and returns how many there were.
func recvBurst(t *testing.T, s *rawSock, where string, want []byte) int {
	t.Helper()
	var got []byte
	frames := 0
	for len(got) < len(want) {
		f := s.recv(t, func(f []byte) bool { return tcpAfterL2(f) >= 0 })
		if f == nil {
			t.Fatalf("%s got %d of %d payload bytes in %d frames", where, len(got), len(want), frames)
		}
		ip := tcpAfterL2(f)
		if seq := binary.BigEndian.Uint32(f[ip+24:]); seq != uint32(len(got)) {
			t.Fatalf("%s: frame %d starts at sequence %d, want %d", where, frames, seq, len(got))
		}
		got = append(got, f[ip+40:]...)
		frames++
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: the payload differs from what was sent", where)
	}
	return frames
}

// largestOfBurst reads what s holds of the burst: the largest frame.
func largestOfBurst(t *testing.T, s *rawSock) int {
	t.Helper()
	largest := 0
	for {
		f := s.recv(t, func(f []byte) bool { return tcpAfterL2(f) >= 0 })
		if f == nil {
			return largest
		}
		largest = max(largest, len(f))
	}
}

// TestForwardMergedIntoPort redirects a merged burst of tagged TCP into a
// port: the port tags it again, so behind its tag is another (or an
// 802.1Q header and another), and the burst must leave its lower as the
// segments it was, each behind both tags. Before, segmenting it recursed
// until the kernel's stack overflowed.
func TestForwardMergedIntoPort(t *testing.T) {
	for _, vid := range []uint16{0, 9} {
		t.Run(fmt.Sprintf("vlan %d", vid), func(t *testing.T) {
			gw, gp := name("fw"), name("fp")
			veth(t, gw, gp)
			sh(t, "ethtool", "-K", gp, "tso", "off")
			sh(t, "ethtool", "-K", gw, "gro", "on")
			c := client(t)
			// A port on gw makes it a lower, where GRO merges tags.
			addPort(t, c, gw, 7, gw+".p7")
			lw, lp := name("tw"), name("tp")
			veth(t, lw, lp)
			dev := lw + ".p5"
			addPort(t, c, lw, 5, dev)
			sh(t, "tc", "qdisc", "add", "dev", gw, "clsact")
			sh(t, "tc", "filter", "add", "dev", gw, "ingress", "matchall",
				"action", "mirred", "egress", "redirect", "dev", dev)
			portTap := tapOutgoing(t, dev, nil, nil)
			wire := openRaw(t, nil, lp)
			txBefore, dropBefore := stat(t, lw, "tx_packets"), stat(t, dev, "tx_dropped")

			sent := sendBurst(t, gw, gp, vid)
			frames := recvBurst(t, wire, lp, sent)

			if port := portTap.stop(); port.max <= 1514 {
				t.Errorf("the largest packet %s sent was %d bytes: nothing was merged", dev, port.max)
			}
			if frames != burstSegs {
				t.Errorf("%d frames left %s for %d segments", frames, lw, burstSegs)
			}
			if n := stat(t, lw, "tx_packets") - txBefore; n != burstSegs {
				t.Errorf("%s counted %d frames sent for %d segments", lw, n, burstSegs)
			}
			if n := stat(t, dev, "tx_dropped") - dropBefore; n != 0 {
				t.Errorf("%s dropped %d", dev, n)
			}
		})
	}
}

// TestForwardTaggedNoPort mirrors a tagged TCP burst from a veth doing
// GRO to a veth that cannot segment (TSO off): every frame arrives. On
// a device without ports the module merges nothing, so the frames pass
// one by one as they do without it; on a lower with ports the merged
// burst is segmented again. Before, the burst was merged everywhere and
// then dropped whole, unsegmentable.
func TestForwardTaggedNoPort(t *testing.T) {
	for _, ports := range []bool{false, true} {
		t.Run(fmt.Sprintf("ports %v", ports), func(t *testing.T) {
			gw, gp := name("fw"), name("fp")
			veth(t, gw, gp)
			sh(t, "ethtool", "-K", gp, "tso", "off")
			sh(t, "ethtool", "-K", gw, "gro", "on")
			if ports {
				addPort(t, client(t), gw, 7, gw+".p7")
			}
			ow, op := name("ow"), name("op")
			veth(t, ow, op)
			sh(t, "ethtool", "-K", ow, "tso", "off", "gso", "off")
			sh(t, "tc", "qdisc", "add", "dev", gw, "clsact")
			sh(t, "tc", "filter", "add", "dev", gw, "ingress", "matchall",
				"action", "mirred", "egress", "redirect", "dev", ow)
			seen := openRaw(t, nil, gw)
			wire := openRaw(t, nil, op)
			dropBefore := stat(t, ow, "tx_dropped")

			sent := sendBurst(t, gw, gp, 0)
			frames := recvBurst(t, wire, op, sent)

			largest := largestOfBurst(t, seen)
			if !ports && largest > 1514 {
				t.Errorf("%s received a %d-byte packet: a device without ports merged tagged frames", gw, largest)
			}
			if ports && largest <= 1514 {
				t.Errorf("the largest packet %s received was %d bytes: nothing was merged", gw, largest)
			}
			if frames != burstSegs {
				t.Errorf("%d frames arrived for %d segments", frames, burstSegs)
			}
			if n := stat(t, ow, "tx_dropped") - dropBefore; n != 0 {
				t.Errorf("%s dropped %d", ow, n)
			}
		})
	}
}
