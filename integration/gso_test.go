// SPDX-License-Identifier: MIT

//go:build vmtest

package integration

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/internal/swmodel"
)

// TestGSO sends a TCP stream through a port. With a lower that offloads
// checksums, the port offers TSO: the stack hands it packets larger than
// the MTU, which it segments below the tag, so the lower carries only
// tagged frames of the MTU, and the far end verifies each checksum as the
// switch completes it. With a lower that cannot offload checksums, every
// frame leaves with its checksums computed. Each frame is checked.
// Either way the port counts the frames the lower sent.
func TestGSO(t *testing.T) {
	for _, csum := range []bool{true, false} {
		t.Run(fmt.Sprintf("lower tx-checksumming %s", onOff(csum)), func(t *testing.T) {
			l := newLab(t, 5)
			if !csum {
				sh(t, "ethtool", "-K", l.IMP, "tx", "off")
			}
			dev := l.portDev(t, client(t), 5)
			// Without checksum offload, 6.1 and 6.12 turn TSO off; 7.2
			// shows it on, but TCP sends no GSO packet without
			// checksum offload. Checksums are computed either way.
			tso := feature(t, dev, "tcp-segmentation-offload")
			if csum && !tso {
				t.Fatalf("%s: tcp-segmentation-offload off on a lower with tx-checksumming on", dev)
			}
			addr := l.hostIP(5) + ":5001"
			echoServer(t, l.Hosts[5], addr)
			// A lower that offloads leaves checksums for the switch to
			// complete; one that does not must send them complete.
			portTap, lowerTap := tapOutgoing(t, dev, nil, nil), tapOutgoing(t, l.IMP, tcpChecksums(csum), nil)
			before := l.sw.Stats()
			portTx, lowerTx := stat(t, dev, "tx_packets"), stat(t, l.IMP, "tx_packets")

			if err := tcpEcho(addr, 4<<20); err != nil {
				t.Fatal(err)
			}

			port, lower := portTap.stop(), lowerTap.stop()
			if csum && port.max <= 1514 {
				t.Errorf("the largest packet %s sent was %d bytes: the stack never handed it a GSO packet", dev, port.max)
			}
			if !tso && port.max > 1514 {
				t.Errorf("%s sent a %d-byte packet without TSO", dev, port.max)
			}
			if lower.max > 1514+brcmlink.HeaderLen {
				t.Errorf("%s sent a %d-byte frame: larger than the MTU with a tag", l.IMP, lower.max)
			}
			if lower.tagged == 0 {
				t.Errorf("no tagged frame seen leaving %s", l.IMP)
			}
			for _, b := range lower.bad {
				t.Error(b)
			}
			after := l.sw.Stats()
			if n := after.Drops[swmodel.DropGSO] - before.Drops[swmodel.DropGSO]; n != 0 {
				t.Errorf("the switch got %d GSO frames from %s", n, l.IMP)
			}
			if n := after.Drops[swmodel.DropOffload] - before.Drops[swmodel.DropOffload]; n != 0 {
				t.Errorf("the switch could not complete the checksums of %d frames", n)
			}
			dp, dl := stat(t, dev, "tx_packets")-portTx, stat(t, l.IMP, "tx_packets")-lowerTx
			if dp != dl {
				t.Errorf("%s counted %d frames sent, its lower %d", dev, dp, dl)
			}
			t.Logf("%s: TSO %s, largest packet %d bytes; %s: %d frames, largest %d bytes", dev, onOff(tso), port.max, l.IMP, dl, lower.max)
		})
	}
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// feature reports whether ethtool -k shows the named feature of dev on.
func feature(t testing.TB, dev, name string) bool {
	t.Helper()
	for _, line := range strings.Split(sh(t, "ethtool", "-k", dev), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+": "); ok {
			return strings.HasPrefix(v, "on")
		}
	}
	t.Fatalf("ethtool -k %s shows no %s", dev, name)
	return false
}

// tap reads the frames a device sends until stopped.
type tap struct {
	s     *rawSock
	check func([]byte) error
	keep  func([]byte) bool
	quit  chan struct{}
	done  chan struct{}
	mu    sync.Mutex // over kept, which the test reads while the tap runs
	kept  [][]byte
	tapResult
}

type tapResult struct {
	max    int      // the largest frame
	tagged int      // tagged frames
	bad    []string // what check found wrong, the first few
}

// tapOutgoing starts reading the frames dev sends. check, if not nil,
// judges each tagged frame; keep, if not nil, picks the frames to keep.
func tapOutgoing(t testing.TB, dev string, check func([]byte) error, keep func([]byte) bool) *tap {
	t.Helper()
	s := openRaw(t, nil, dev)
	if err := unix.SetsockoptInt(s.fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 16<<20); err != nil {
		t.Fatal(err)
	}
	tp := &tap{s: s, check: check, keep: keep, quit: make(chan struct{}), done: make(chan struct{})}
	go tp.run()
	t.Cleanup(func() { tp.stop() })
	return tp
}

func (tp *tap) run() {
	defer close(tp.done)
	buf := make([]byte, 1<<17)
	for {
		// Once stopped, read what the socket holds, then end: a frame
		// queued before stop() is one the test sent.
		flags := 0
		select {
		case <-tp.quit:
			flags = unix.MSG_DONTWAIT
		default:
		}
		n, from, err := unix.Recvfrom(tp.s.fd, buf, flags)
		if err != nil {
			if errors.Is(err, unix.EAGAIN) && flags != 0 {
				return
			}
			if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
				continue
			}
			tp.bad = append(tp.bad, fmt.Sprintf("reading the tap: %v", err))
			return
		}
		if ll, ok := from.(*unix.SockaddrLinklayer); !ok || ll.Pkttype != unix.PACKET_OUTGOING {
			continue
		}
		tp.max = max(tp.max, n)
		f := buf[:n]
		if tp.keep != nil && tp.keep(f) {
			tp.mu.Lock()
			tp.kept = append(tp.kept, append([]byte(nil), f...))
			tp.mu.Unlock()
		}
		if len(f) < 20 || binary.BigEndian.Uint16(f[12:]) != brcmlink.EthPBrcm {
			continue
		}
		tp.tagged++
		if tp.check == nil {
			continue
		}
		if err := tp.check(f); err != nil && len(tp.bad) < 5 {
			tp.bad = append(tp.bad, err.Error())
		}
	}
}

// frames returns the frames kept so far.
func (tp *tap) frames() [][]byte {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return slices.Clone(tp.kept)
}

// stop ends the reading once all frames sent so far were read.
func (tp *tap) stop() tapResult {
	select {
	case <-tp.quit:
	default:
		close(tp.quit)
	}
	<-tp.done
	return tp.tapResult
}

// tcpChecksums returns a check of the checksums of a tagged frame that
// carries IPv4 and TCP: the IPv4 header's right, the TCP one's right or,
// if partial, correctly begun. Other frames pass.
func tcpChecksums(partial bool) func([]byte) error {
	return func(f []byte) error {
		const ip = 14 + brcmlink.HeaderLen
		if len(f) < ip+20 || binary.BigEndian.Uint16(f[ip-2:]) != unix.ETH_P_IP || f[ip+9] != unix.IPPROTO_TCP {
			return nil
		}
		ihl := int(f[ip]&0xf) * 4
		total := int(binary.BigEndian.Uint16(f[ip+2:]))
		if ihl < 20 || total < ihl+20 || ip+total > len(f) {
			return fmt.Errorf("a %d-byte frame with a malformed IPv4 header: % x", len(f), f[:min(len(f), ip+20)])
		}
		if inetChecksum(f[ip:ip+ihl]) != 0 {
			return fmt.Errorf("a %d-byte frame with a bad IPv4 header checksum", len(f))
		}
		seg := f[ip+ihl : ip+total]
		if err := l4Checksum(f[ip+12:ip+20], unix.IPPROTO_TCP, seg, partial); err != nil {
			return fmt.Errorf("TCP seq %d: %w", binary.BigEndian.Uint32(seg[4:]), err)
		}
		return nil
	}
}

// TestGSOUnderVLAN sends one UDP GSO packet (UDP_SEGMENT) through an
// 802.1Q device on a port: the port segments it below both its tag and
// the VLAN header, and each segment on the lower carries both, its own
// IPv4 and UDP headers, and a checksum that is right or, left to the
// lower, correctly begun. A port with a VLAN id of its own puts its
// header between the tag and the VLAN device's, in every segment.
func TestGSOUnderVLAN(t *testing.T) {
	for _, own := range []uint16{0, 100} {
		t.Run(fmt.Sprintf("port VLAN %d", own), func(t *testing.T) { testGSOUnderVLAN(t, own) })
	}
}

func testGSOUnderVLAN(t *testing.T, own uint16) {
	const segs, size = 8, 1000
	lw, peer := name("ul"), name("up")
	veth(t, lw, peer)
	// Room for both VLAN headers at full size.
	sh(t, "ip", "link", "set", lw, "mtu", "1514")
	dev := lw + ".p5"
	if _, err := client(t).Add(brcmlink.AddRequest{Lower: lw, Port: 5, Name: dev, VLAN: &own, Up: true}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { command("ip", "link", "del", dev) })
	// dst src 8874 tag(4) [8100 TCI(own)] 8100 TCI 0800 | IPv4 ...
	vo := 18
	if own != 0 {
		vo += 4
	}
	vlan := name("uv")
	sh(t, "ip", "link", "add", "link", dev, "name", vlan, "up", "type", "vlan", "id", "7")
	t.Cleanup(func() { command("ip", "link", "del", vlan) })
	sh(t, "ip", "addr", "add", "10.89.0.1/24", "dev", vlan)
	sh(t, "ip", "neigh", "add", "10.89.0.2", "lladdr", "02:00:00:00:00:02", "dev", vlan)
	if !feature(t, vlan, "tx-udp-segmentation") {
		t.Fatalf("%s on %s offers no UDP segmentation", vlan, dev)
	}
	lower := tapOutgoing(t, lw, nil, func(f []byte) bool {
		return len(f) > vo+6 && binary.BigEndian.Uint16(f[vo:]) == unix.ETH_P_8021Q
	})
	port := tapOutgoing(t, dev, nil, nil)

	data := sendUDPGSO(t, [4]byte{10, 89, 0, 2}, payload(1, segs*size), size)

	eventually(t, "the segments on "+lw, func() bool { return len(lower.frames()) >= segs })
	frames := lower.frames()
	p := port.stop()
	if p.max <= 14+4+20+8+size {
		t.Errorf("the largest packet %s sent was %d bytes: not the GSO packet", dev, p.max)
	}
	if len(frames) != segs {
		t.Fatalf("%d frames with an 802.1Q header left %s; want %d", len(frames), lw, segs)
	}
	var got []byte
	for i, f := range frames {
		if own != 0 && (binary.BigEndian.Uint16(f[18:]) != unix.ETH_P_8021Q || binary.BigEndian.Uint16(f[20:]) != own) {
			t.Fatalf("segment %d: not the port's VLAN %d header after the tag: % x", i, own, f[:vo+6])
		}
		if vid := binary.BigEndian.Uint16(f[vo+2:]) & 0xfff; vid != 7 || binary.BigEndian.Uint16(f[vo+4:]) != unix.ETH_P_IP {
			t.Fatalf("segment %d: VLAN %d, ethertype %#x: % x", i, vid, binary.BigEndian.Uint16(f[vo+4:]), f[:vo+6])
		}
		if tag := binary.BigEndian.Uint32(f[14:]); tag != brcmlink.TxTagFor(brcmlink.FormatBCM53242, 5, 0, 0).Word() {
			t.Errorf("segment %d: tag %#08x", i, tag)
		}
		ip := f[vo+6:]
		if len(ip) < 28 || inetChecksum(ip[:20]) != 0 {
			t.Fatalf("segment %d: bad IPv4 header % x", i, ip[:min(len(ip), 20)])
		}
		udp := ip[20:binary.BigEndian.Uint16(ip[2:])]
		if n := len(udp) - 8; n != size || int(binary.BigEndian.Uint16(udp[4:])) != len(udp) {
			t.Errorf("segment %d: %d bytes of payload, UDP length %d", i, n, binary.BigEndian.Uint16(udp[4:]))
		}
		if err := l4Checksum(ip[12:20], unix.IPPROTO_UDP, udp, true); err != nil {
			t.Errorf("segment %d: %v", i, err)
		}
		got = append(got, udp[8:]...)
	}
	if !bytes.Equal(got, data) {
		t.Error("the segments' payloads do not add up to what was sent")
	}
}

// l4Checksum checks a TCP or UDP segment's checksum: complete and right
// or, if partial may be, left to the device (CHECKSUM_PARTIAL) holding
// the sum of the pseudo-header, which the device completes.
func l4Checksum(addrs []byte, proto byte, seg []byte, partial bool) error {
	pseudo := append(append([]byte{}, addrs...), 0, proto, byte(len(seg)>>8), byte(len(seg)))
	if inetChecksum(pseudo, seg) == 0 {
		return nil
	}
	at := 16
	if proto == unix.IPPROTO_UDP {
		at = 6
	}
	if partial && binary.BigEndian.Uint16(seg[at:]) == ^inetChecksum(pseudo) {
		return nil
	}
	return fmt.Errorf("a %d-byte segment with a bad checksum %#04x", len(seg), binary.BigEndian.Uint16(seg[at:]))
}

// sendUDPGSO sends data to port 9 of dst as one UDP GSO packet
// (UDP_SEGMENT) of size-byte segments, and returns data.
func sendUDPGSO(t *testing.T, dst [4]byte, data []byte, size int) []byte {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_UDP, unix.UDP_SEGMENT, size); err != nil {
		t.Fatal(err)
	}
	if err := unix.Sendto(fd, data, 0, &unix.SockaddrInet4{Port: 9, Addr: dst}); err != nil {
		t.Fatal(err)
	}
	return data
}
