// SPDX-License-Identifier: MIT

//go:build vmtest

package integration

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/brcmlink/brcmlink"
)

// TestGRO checks that a lower doing GRO merges one port's TCP segments
// behind the tag, that the port gets the merged stream intact, and that
// the counters count the frames that were on the wire, not the merged
// packets. A plug
// qdisc on the far end holds the segments and releases them in one burst,
// so a single NAPI poll of the lower sees all of them.
func TestGRO(t *testing.T) {
	const segs, mss = 30, 1000
	for _, tc := range []struct {
		gro  string
		vlan uint16 // the port's own 802.1Q header, behind the tag
	}{{"off", 0}, {"on", 0}, {"on", 100}} {
		gro := tc.gro
		t.Run(fmt.Sprintf("gro %s port VLAN %d", gro, tc.vlan), func(t *testing.T) {
			lw, peer := name("gl"), name("gp")
			veth(t, lw, peer)
			// veth hands a segment to GRO only if its sender cannot do TSO.
			sh(t, "ethtool", "-K", peer, "tso", "off")
			sh(t, "ethtool", "-K", lw, "gro", gro)
			dev := lw + ".p5"
			if _, err := client(t).Add(brcmlink.AddRequest{Lower: lw, Port: 5, Name: dev, VLAN: &tc.vlan, Up: true}); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { command("ip", "link", "del", dev) })
			sh(t, "tc", "qdisc", "add", "dev", peer, "root", "plug", "limit", "1000000")

			in := openRaw(t, nil, dev)
			out := openRaw(t, nil, peer)
			var sent []byte
			wireBytes := uint64(0) // each frame as the port sees it: Ethernet, IPv4, TCP, payload
			for i := 0; i < segs; i++ {
				n := mss
				if i == segs-1 {
					n = mss / 2 // the last may be short, with its own octet count
				}
				data := payload(i, n)
				f := tcpSegment(mac(t, lw), mac(t, peer), 5, uint32(len(sent)), uint16(i), data)
				if tc.vlan != 0 {
					// The port takes it off: it sees, and counts, the same frame.
					vh := []byte{0x81, 0x00, byte(tc.vlan >> 8), byte(tc.vlan)}
					f = append(append(append([]byte{}, f[:18]...), vh...), f[18:]...)
				}
				out.send(t, f)
				sent = append(sent, data...)
				wireBytes += uint64(14 + 40 + n)
			}
			before := stat(t, dev, "rx_packets")
			beforeBytes := stat(t, dev, "rx_bytes")
			beforeTagged := lowerStats(t, dev)["lower_rx_tagged"]
			sh(t, "tc", "qdisc", "change", "dev", peer, "root", "plug", "release_indefinite")

			var got []byte
			frames := 0
			for len(got) < len(sent) {
				f := in.recv(t, func(f []byte) bool { return len(f) > 54 && binary.BigEndian.Uint16(f[36:]) == 5001 })
				if f == nil {
					t.Fatalf("port %s got %d of %d payload bytes in %d frames", dev, len(got), len(sent), frames)
				}
				if seq := binary.BigEndian.Uint32(f[38:]); seq != uint32(len(got)) {
					t.Fatalf("frame %d starts at sequence %d, want %d", frames, seq, len(got))
				}
				got = append(got, f[54:]...)
				frames++
			}
			if !bytes.Equal(got, sent) {
				t.Fatalf("the port's TCP payload differs from what was sent")
			}
			// However GRO merged them, 30 frames on the wire are 30 packets.
			waitStat(t, dev, "rx_packets", before+segs)
			if got := stat(t, dev, "rx_bytes") - beforeBytes; got != wireBytes {
				t.Errorf("rx_bytes moved by %d for %d frames of %d bytes in all", got, segs, wireBytes)
			}
			if got := lowerStats(t, dev)["lower_rx_tagged"] - beforeTagged; got != segs {
				t.Errorf("the lower's rx_tagged moved by %d for %d frames", got, segs)
			}
			switch {
			case gro == "off" && frames != segs:
				t.Errorf("without GRO the port got %d frames for %d segments", frames, segs)
			case gro == "on" && frames >= segs/2:
				t.Errorf("with GRO the port got %d frames for %d segments: not merged", frames, segs)
			}
			t.Logf("%d segments arrived as %d frames", segs, frames)
		})
	}
}

// tcpSegment builds a switch-to-host frame from port carrying one TCP/IPv4
// segment of a single flow, checksums and all, as GRO requires.
func tcpSegment(dst, src net.HardwareAddr, port uint16, seq uint32, id uint16, data []byte) []byte {
	tcp := make([]byte, 20, 20+len(data))
	binary.BigEndian.PutUint16(tcp[0:], 40000)
	binary.BigEndian.PutUint16(tcp[2:], 5001)
	binary.BigEndian.PutUint32(tcp[4:], seq)
	binary.BigEndian.PutUint32(tcp[8:], 1)
	tcp[12], tcp[13] = 5<<4, 0x10 // ACK
	binary.BigEndian.PutUint16(tcp[14:], 65535)
	return ipv4FromPort(dst, src, port, 61, id, unix.IPPROTO_TCP, append(tcp, data...), 16)
}

// ipv4FromPort builds a switch-to-host frame from port carrying an IPv4
// packet (DF, from 10.NET.0.2 to 10.NET.0.1) of proto with the transport
// header and payload l4, whose checksum at csumAt it fills in, and its
// own.
func ipv4FromPort(dst, src net.HardwareAddr, port uint16, net4 byte, id uint16, proto byte, l4 []byte, csumAt int) []byte {
	ip := make([]byte, 20)
	ip[0], ip[8], ip[9] = 0x45, 64, proto
	binary.BigEndian.PutUint16(ip[2:], uint16(20+len(l4)))
	binary.BigEndian.PutUint16(ip[4:], id)
	binary.BigEndian.PutUint16(ip[6:], 0x4000) // DF
	copy(ip[12:], net.IPv4(10, net4, 0, 2).To4())
	copy(ip[16:], net.IPv4(10, net4, 0, 1).To4())
	binary.BigEndian.PutUint16(ip[10:], inetChecksum(ip))

	pseudo := append(append([]byte{}, ip[12:20]...), 0, proto, byte(len(l4)>>8), byte(len(l4)))
	sum := inetChecksum(pseudo, l4)
	if sum == 0 && proto == unix.IPPROTO_UDP {
		sum = 0xffff // 0 would say there is none
	}
	binary.BigEndian.PutUint16(l4[csumAt:], sum)

	tag := brcmlink.RxTagFrom(port)
	tag.Length = uint16(12 + 2 + 20 + len(l4) + 4) // the frame without the tag, FCS included
	body := binary.BigEndian.AppendUint32(nil, tag.Word())
	body = append(body, 0x08, 0x00)
	body = append(append(body, ip...), l4...)
	return frame(dst, src, brcmlink.EthPBrcm, body)
}

// inetChecksum is the Internet checksum (RFC 1071) of the chunks in turn.
func inetChecksum(chunks ...[]byte) uint16 {
	var sum uint32
	var b []byte
	for _, c := range chunks {
		b = append(b, c...)
	}
	for len(b) > 1 {
		sum += uint32(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}

// TestGROUDP has a lower merge a port's UDP datagrams, by fraglist GRO
// (rx-gro-list: each datagram kept whole in a list) and by UDP GRO for
// forwarding (rx-udp-gro-forwarding: one packet, headers kept once): the
// port's rx_packets and rx_bytes count the frames on the wire either
// way. Before, fraglist merging undercounted rx_bytes by the headers of
// all datagrams but the first.
func TestGROUDP(t *testing.T) {
	const segs, size = 10, 1000
	for _, feature := range []string{"rx-gro-list", "rx-udp-gro-forwarding"} {
		t.Run(feature, func(t *testing.T) {
			lw, peer := name("ul"), name("up")
			veth(t, lw, peer)
			sh(t, "ethtool", "-K", peer, "tso", "off")
			sh(t, "ethtool", "-K", lw, "gro", "on", feature, "on")
			dev := lw + ".p5"
			addPort(t, client(t), lw, 5, dev)
			sh(t, "tc", "qdisc", "add", "dev", peer, "root", "plug", "limit", "1000000")
			out := openRaw(t, nil, peer)
			in := openRaw(t, nil, dev)
			before, beforeBytes := stat(t, dev, "rx_packets"), stat(t, dev, "rx_bytes")
			wireBytes := uint64(0)
			for i := 0; i < segs; i++ {
				out.send(t, udpDatagram(mac(t, lw), mac(t, peer), 5, uint16(i), payload(i, size)))
				wireBytes += 14 + 20 + 8 + size
			}
			sh(t, "tc", "qdisc", "change", "dev", peer, "root", "plug", "release_indefinite")

			largest := 0
			for {
				f := in.recv(t, func(f []byte) bool { return len(f) > 42 && f[23] == unix.IPPROTO_UDP })
				if f == nil {
					break
				}
				largest = max(largest, len(f))
			}
			waitStat(t, dev, "rx_packets", before+segs)
			if got := stat(t, dev, "rx_bytes") - beforeBytes; got != wireBytes {
				t.Errorf("rx_bytes moved by %d for %d datagrams of %d bytes in all", got, segs, wireBytes)
			}
			if largest <= 14+20+8+size {
				t.Errorf("the largest packet %s received was %d bytes: nothing was merged", dev, largest)
			}
		})
	}
}

// udpDatagram builds a switch-to-host frame from port carrying one UDP
// datagram of a single flow, checksums and all, as GRO requires.
func udpDatagram(dst, src net.HardwareAddr, port, id uint16, data []byte) []byte {
	udp := binary.BigEndian.AppendUint16(nil, 40000)
	udp = binary.BigEndian.AppendUint16(udp, 5002)
	udp = binary.BigEndian.AppendUint16(udp, uint16(8+len(data)))
	udp = append(append(udp, 0, 0), data...)
	return ipv4FromPort(dst, src, port, 62, id, unix.IPPROTO_UDP, udp, 6)
}

// TestGRODeepVLAN sends one burst of a port's TCP segments, each with a
// run of 802.1Q headers behind the tag, to a lower doing GRO; tc
// redirects what the port receives to a veth that segments nothing, so
// the core must segment again whatever GRO merged. However deep the run,
// every segment must leave the veth, none dropped.
func TestGRODeepVLAN(t *testing.T) {
	const segs, mss = 30, 1000
	for _, depth := range []int{1, 6, 7, 8, 12} {
		t.Run(fmt.Sprintf("%d headers", depth), func(t *testing.T) {
			lw, peer := name("dl"), name("dp")
			veth(t, lw, peer)
			sh(t, "ip", "link", "set", lw, "mtu", "1600")
			sh(t, "ip", "link", "set", peer, "mtu", "1600")
			sh(t, "ethtool", "-K", peer, "tso", "off")
			sh(t, "ethtool", "-K", lw, "gro", "on")
			dev := lw + ".p5"
			addPort(t, client(t), lw, 5, dev)
			ow, op := name("do"), name("dq")
			veth(t, ow, op)
			sh(t, "ip", "link", "set", ow, "mtu", "1600")
			sh(t, "ip", "link", "set", op, "mtu", "1600")
			sh(t, "ethtool", "-K", ow, "tso", "off", "gso", "off")
			sh(t, "tc", "qdisc", "add", "dev", dev, "clsact")
			sh(t, "tc", "filter", "add", "dev", dev, "ingress", "matchall", "action", "mirred", "egress", "redirect", "dev", ow)
			sh(t, "tc", "qdisc", "add", "dev", peer, "root", "plug", "limit", "1000000")
			out := openRaw(t, nil, peer)
			for i := 0; i < segs; i++ {
				f := tcpSegment(mac(t, lw), mac(t, peer), 5, uint32(i*mss), uint16(i), payload(i, mss))
				var run []byte
				for j := 0; j < depth; j++ {
					run = append(run, 0x81, 0x00, 0, byte(10+j))
				}
				out.send(t, append(append(append([]byte{}, f[:18]...), run...), f[18:]...))
			}
			before, dropped := stat(t, ow, "tx_packets"), stat(t, ow, "tx_dropped")
			sh(t, "tc", "qdisc", "change", "dev", peer, "root", "plug", "release_indefinite")
			waitStat(t, dev, "rx_packets", segs)
			if n := stat(t, ow, "tx_dropped") - dropped; n != 0 {
				t.Errorf("%s dropped %d of what %s received", ow, n, dev)
			}
			if n := stat(t, ow, "tx_packets") - before; n != segs {
				t.Errorf("%s sent %d frames for %d segments", ow, n, segs)
			}
		})
	}
}
