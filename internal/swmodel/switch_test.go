// SPDX-License-Identifier: MIT

package swmodel

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/brcmlink/brcmlink"
	"golang.org/x/sys/unix"
)

// These tests build a real topology and play the host side of the IMP
// link with packet sockets, since the brcm module is not needed to test
// the model. They need root.

// hostMAC is the MAC of the host behind the IMP link, as the tests play it.
var hostMAC = net.HardwareAddr{0x02, 0x42, 0x52, 0x43, 0x4d, 0x01}

// hostAddr is the address of the machine on switch port p.
func hostAddr(p uint16) netip.Prefix {
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 77, byte(p), 2}), 24)
}

// impAddr is the address the tests use on the IMP side for port p.
func impAddr(p uint16) netip.Addr { return netip.AddrFrom4([4]byte{10, 77, byte(p), 1}) }

const (
	waitFrame = 2 * time.Second        // for a frame that should come
	waitQuiet = 200 * time.Millisecond // to be sure one does not
)

// env is a running switch model in its own topology.
type env struct {
	t     *testing.T
	topo  *Topology
	sw    *Switch
	imp   *packetSock // the IMP near end: receives tagged frames
	impTx *packetSock // and sends them
}

func newEnv(t *testing.T, ports ...uint16) *env {
	t.Helper()
	return newEnvOpts(t, Options{}, ports...)
}

// newEnvOpts is newEnv with a model of the given options.
func newEnvOpts(t *testing.T, opt Options, ports ...uint16) *env {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root for veth pairs, network namespaces and packet sockets")
	}
	topo, err := Build(Config{Prefix: uniquePrefix(t), Ports: ports, HostAddr: hostAddr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := topo.Destroy(); err != nil {
			t.Error(err)
		}
	})
	e := &env{t: t, topo: topo}
	if e.sw, err = New(topo.SwitchIMP, topo.SwitchPorts(), opt); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.sw.Close() })
	e.imp = e.open(sockMode{recv: true}, nil)
	e.impTx = e.open(sockMode{}, nil)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.sw.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return e
}

// uniquePrefix keeps parallel runs on one machine apart.
func uniquePrefix(t *testing.T) string {
	const digits = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 6)
	rand.Read(b)
	for i := range b {
		b[i] = digits[int(b[i])%len(digits)]
	}
	return "sw" + string(b)
}

// open opens a packet socket on the IMP near end, or on h's link inside
// its netns, closed when the test ends.
func (e *env) open(mode sockMode, h *Host) *packetSock {
	e.t.Helper()
	var s *packetSock
	var err error
	if h == nil {
		s, err = openPacket(e.topo.IMP, mode)
	} else {
		err = h.Do(func() (err error) {
			s, err = openPacket(h.Link, mode)
			return err
		})
	}
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { s.Close() })
	return s
}

func (e *env) host(p uint16) *Host { return e.topo.Hosts[p] }

// sendTagged sends frame from the host to the switch with tag word w.
func (e *env) sendTagged(frame []byte, w uint32) {
	e.t.Helper()
	if err := e.impTx.write(withTag(frame, w)); err != nil {
		e.t.Fatal(err)
	}
}

// directed returns the tag word a brcm device bound to port sends with,
// in the default format, brcmlink.FormatBCM53242.
func directed(port uint16) uint32 { return txWord(brcmlink.FormatBCM53242, port, 0, 0) }

// received returns the tag word the switch puts on an n-byte frame from port.
func received(port uint16, n int) uint32 {
	tag := brcmlink.RxTagFrom(port)
	tag.Length = uint16(n)
	return tag.Word()
}

// read returns the next frame s receives, as the wire carried it, or nil
// after d.
func read(t *testing.T, s *packetSock, d time.Duration) []byte {
	t.Helper()
	s.f.SetReadDeadline(time.Now().Add(d))
	fb := newFrameBuf()
	m, err := s.recv(fb, make([]byte, oobSize))
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, r, ok := toWire(fb, m); !ok {
		t.Fatalf("unusable frame: %v", r)
	}
	return slices.Clone(fb.bytes())
}

// expect reads the next frame from s and fails unless it equals want.
func expect(t *testing.T, s *packetSock, what string, want []byte) {
	t.Helper()
	got := read(t, s, waitFrame)
	if got == nil {
		t.Fatalf("%s: no frame", what)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s:\n got % x\nwant % x", what, got, want)
	}
}

// expectQuiet fails if s receives a frame soon.
func expectQuiet(t *testing.T, s *packetSock, what string) {
	t.Helper()
	if got := read(t, s, waitQuiet); got != nil {
		t.Fatalf("%s: unexpected frame % x", what, got)
	}
}

// stats returns zero Stats for the env's ports, to fill in.
func (e *env) stats() Stats {
	s := Stats{Ports: make(map[uint16]Counters)}
	for p := range e.topo.Hosts {
		s.Ports[p] = Counters{}
	}
	return s
}

// wantStats waits for the counters to reach want; the model counts a
// frame just after it is sent, so a test can see the frame first.
func (e *env) wantStats(want Stats) {
	e.t.Helper()
	var got Stats
	for deadline := time.Now().Add(waitFrame); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if got = e.sw.Stats(); reflect.DeepEqual(got, want) {
			return
		}
	}
	e.t.Fatalf("stats:\n%v\nwant:\n%v", got, want)
}

// permanentNeighbour makes host p resolve its IMP-side address without
// ARP, so no ARP traffic disturbs the counters.
func (e *env) permanentNeighbour(p uint16) {
	e.t.Helper()
	h := e.host(p)
	if err := run("ip", "-n", h.Netns, "neigh", "replace", impAddr(p).String(),
		"lladdr", hostMAC.String(), "dev", h.Link, "nud", "permanent"); err != nil {
		e.t.Fatal(err)
	}
}

func TestDirectedARP(t *testing.T) {
	e := newEnv(t, 1, 3)
	h := e.host(3)
	req := padTo(ether(broadcast, hostMAC, etherTypeARP,
		arp(1, hostMAC, impAddr(3), make(net.HardwareAddr, 6), hostAddr(3).Addr())), 60)
	e.sendTagged(req, directed(3))

	reply := ether(hostMAC, h.MAC, etherTypeARP, arp(2, h.MAC, hostAddr(3).Addr(), hostMAC, impAddr(3)))
	if len(reply) != 42 {
		t.Fatalf("reply is %d bytes", len(reply))
	}
	// The switch pads the 42-byte reply to 60 and says so in the tag;
	// source port id 26 is port 3.
	if received(3, 60) != 0x00780000|26 {
		t.Fatalf("tag word %#08x", received(3, 60))
	}
	expect(t, e.imp, "ARP reply", withTag(padTo(reply, 60), received(3, 60)))

	want := e.stats()
	want.IMP = Counters{RxFrames: 1, RxBytes: 66, TxFrames: 1, TxBytes: 66}
	want.Ports[3] = Counters{RxFrames: 1, RxBytes: 42, TxFrames: 1, TxBytes: 60}
	want.Directed, want.Queues[0] = 1, 1
	e.wantStats(want)
	if p, ok := e.sw.Learned(h.MAC); !ok || p != 3 {
		t.Errorf("Learned(%v) = %d, %v", h.MAC, p, ok)
	}
}

func TestDirectedICMPEcho(t *testing.T) {
	e := newEnv(t, 1, 3)
	e.permanentNeighbour(3)
	h := e.host(3)
	data := []byte("brcmlink echo payload, 32 bytes")
	echo := ether(h.MAC, hostMAC, etherTypeIPv4, ipv4(impAddr(3), hostAddr(3).Addr(), 1, icmpEcho(8, 0x4242, 1, data)))
	e.sendTagged(echo, directed(3))

	got := read(t, e.imp, waitFrame)
	w, frame, ok := splitTag(got)
	if !ok || w != received(3, len(echo)) {
		t.Fatalf("reply % x: tag %#08x, want %#08x", got, w, received(3, len(echo)))
	}
	ip := frame[14:]
	switch {
	case !bytes.Equal(frame[:12], slices.Concat(hostMAC, h.MAC)) || binary.BigEndian.Uint16(frame[12:]) != etherTypeIPv4:
		t.Fatalf("reply header % x", frame[:14])
	case refChecksum(ip[:20]) != 0 || !bytes.Equal(ip[12:20], slices.Concat(hostAddr(3).Addr().AsSlice(), impAddr(3).AsSlice())):
		t.Fatalf("reply IP header % x", ip[:20])
	case !bytes.Equal(ip[20:], icmpEcho(0, 0x4242, 1, data)):
		t.Fatalf("reply ICMP % x", ip[20:])
	}

	want := e.stats()
	n := uint64(len(echo))
	want.IMP = Counters{RxFrames: 1, RxBytes: n + 6, TxFrames: 1, TxBytes: n + 6}
	want.Ports[3] = Counters{RxFrames: 1, RxBytes: n, TxFrames: 1, TxBytes: n}
	want.Directed, want.Queues[0] = 1, 1
	e.wantStats(want)
}

func TestFlood(t *testing.T) {
	e := newEnv(t, 1, 2, 3)
	hosts := map[uint16]*packetSock{}
	for p, h := range e.topo.Hosts {
		hosts[p] = e.open(sockMode{recv: true}, h)
	}
	// Broadcast: an ARP request for an address nobody has, so nobody
	// answers. Multicast: a frame the stacks ignore.
	bcast := padTo(ether(broadcast, hostMAC, etherTypeARP,
		arp(1, hostMAC, impAddr(1), make(net.HardwareAddr, 6), netip.MustParseAddr("192.0.2.99"))), 60)
	mcast := testFrame(net.HardwareAddr{0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}, hostMAC, 100, 1)
	any := txWord(brcmlink.FormatBCM53242, 0, 0, 0)
	e.sendTagged(bcast, any)
	e.sendTagged(mcast, any)
	for p, s := range hosts {
		expect(t, s, "broadcast at host "+e.host(p).Link, bcast)
		expect(t, s, "multicast at host "+e.host(p).Link, mcast)
	}
	expectQuiet(t, e.imp, "IMP")

	want := e.stats()
	want.IMP = Counters{RxFrames: 2, RxBytes: 66 + 106}
	for p := range hosts {
		want.Ports[p] = Counters{TxFrames: 2, TxBytes: 60 + 100}
	}
	want.Flooded, want.Queues[0] = 2, 2
	e.wantStats(want)
}

func TestLearning(t *testing.T) {
	e := newEnv(t, 1, 2, 3)
	hosts := map[uint16]*packetSock{}
	for p, h := range e.topo.Hosts {
		hosts[p] = e.open(sockMode{recv: true}, h)
	}
	h2 := e.host(2)
	any := txWord(brcmlink.FormatBCM53242, 0, 0, 0)

	// Unknown unicast floods.
	e.sendTagged(testFrame(h2.MAC, hostMAC, 60, 1), any)
	for p, s := range hosts {
		expect(t, s, fmt.Sprint("unknown unicast at port ", p), testFrame(h2.MAC, hostMAC, 60, 1))
	}

	// Host 2 speaks, the switch learns where it is ...
	tx := e.open(sockMode{}, h2)
	if err := tx.write(testFrame(hostMAC, h2.MAC, 60, 2)); err != nil {
		t.Fatal(err)
	}
	expect(t, e.imp, "frame from host 2", withTag(testFrame(hostMAC, h2.MAC, 60, 2), received(2, 60)))
	if p, ok := e.sw.Learned(h2.MAC); !ok || p != 2 {
		t.Fatalf("Learned(%v) = %d, %v", h2.MAC, p, ok)
	}

	// ... and known unicast goes to port 2 alone.
	e.sendTagged(testFrame(h2.MAC, hostMAC, 60, 3), any)
	expect(t, hosts[2], "known unicast at port 2", testFrame(h2.MAC, hostMAC, 60, 3))
	expectQuiet(t, hosts[1], "port 1")
	expectQuiet(t, hosts[3], "port 3")

	want := e.stats()
	want.IMP = Counters{RxFrames: 2, RxBytes: 2 * 66, TxFrames: 1, TxBytes: 66}
	want.Ports[1] = Counters{TxFrames: 1, TxBytes: 60}
	want.Ports[2] = Counters{RxFrames: 1, RxBytes: 60, TxFrames: 2, TxBytes: 120}
	want.Ports[3] = Counters{TxFrames: 1, TxBytes: 60}
	want.Flooded, want.Forwarded, want.Queues[0] = 1, 1, 2
	e.wantStats(want)
}

func TestDrops(t *testing.T) {
	e := newEnv(t, 1, 3)
	h3 := e.open(sockMode{recv: true}, e.host(3))
	var mu sync.Mutex
	var tapped [][]byte
	e.sw.Tap(func(dir Direction, f []byte) {
		mu.Lock()
		defer mu.Unlock()
		if dir != FromHost {
			t.Errorf("tap saw a frame %v", dir)
		}
		tapped = append(tapped, f)
	})

	f := testFrame(e.host(3).MAC, hostMAC, 60, 0)
	sent := [][]byte{
		withTag(f, 0x20000000|1<<2),              // opcode 1
		withTag(f, 0x4000001a),                   // opcode 2, the original format's port 3
		withTag(f, 0x80000000),                   // opcode 4 without a port
		withTag(f, 0x80000006),                   // opcode 4 to two ports, 2 and 3
		withTag(f, 0xa0000008),                   // opcode 5, bit 3: chip port 27 does not exist
		withTag(f, 0x00000004),                   // opcode 0 with a destination
		withTag(f, directed(9)),                  // no port 9
		testFrame(e.host(3).MAC, hostMAC, 60, 0), // untagged
		withTag(testFrame(e.host(3).MAC, hostMAC, 59, 0), directed(3)),                                                    // runt: 59 bytes untagged
		withTag(testFrame(e.host(3).MAC, hostMAC, 60, 0), directed(3))[:30],                                               // runt
		withTag(ether(e.host(3).MAC, hostMAC, etherTypeTest, make([]byte, 80)), txWord(brcmlink.FormatBCM53242, 0, 2, 0)), // fine: floods
	}
	var bytesIn uint64
	for _, b := range sent {
		bytesIn += uint64(len(b))
		if err := e.impTx.write(b); err != nil {
			t.Fatal(err)
		}
	}
	expect(t, h3, "the one good frame", ether(e.host(3).MAC, hostMAC, etherTypeTest, make([]byte, 80)))
	expectQuiet(t, h3, "port 3")

	want := e.stats()
	want.IMP = Counters{RxFrames: uint64(len(sent)), RxBytes: bytesIn}
	want.Ports[1] = Counters{TxFrames: 1, TxBytes: 94}
	want.Ports[3] = Counters{TxFrames: 1, TxBytes: 94}
	want.Flooded, want.Queues[2] = 1, 1
	want.Drops[DropBadOpcode] = 2
	want.Drops[DropBadDest] = 4
	want.Drops[DropNoPort] = 1
	want.Drops[DropUntagged] = 1
	want.Drops[DropRunt] = 2
	e.wantStats(want)

	mu.Lock()
	defer mu.Unlock()
	if !reflect.DeepEqual(tapped, sent) {
		t.Errorf("tap saw\n% x\nwant\n% x", tapped, sent)
	}
}

func TestFrameSizes(t *testing.T) {
	e := newEnv(t, 1, 3)
	h := e.host(3)
	rx, tx := e.open(sockMode{recv: true}, h), e.open(sockMode{}, h)
	vlan := func(n int) []byte { // an n-byte 802.1Q frame, VLAN 5
		f := testFrame(h.MAC, hostMAC, n-4, 7)
		return slices.Concat(f[:12], []byte{0x81, 0x00, 0x00, 0x05}, f[12:])
	}
	toHost := [][]byte{testFrame(h.MAC, hostMAC, 60, 1), testFrame(h.MAC, hostMAC, 1514, 2), vlan(1518)}
	fromHost := [][]byte{testFrame(hostMAC, h.MAC, 60, 3), testFrame(hostMAC, h.MAC, 1514, 4), vlan(1518)}
	var n uint64
	for i, f := range toHost {
		n += uint64(len(f))
		e.sendTagged(f, directed(3))
		expect(t, rx, "frame to host 3", f)
		if err := tx.write(fromHost[i]); err != nil {
			t.Fatal(err)
		}
		expect(t, e.imp, "frame from host 3", withTag(fromHost[i], received(3, len(fromHost[i]))))
	}

	want := e.stats()
	want.IMP = Counters{RxFrames: 3, RxBytes: n + 18, TxFrames: 3, TxBytes: n + 18}
	want.Ports[3] = Counters{RxFrames: 3, RxBytes: n, TxFrames: 3, TxBytes: n}
	want.Directed, want.Queues[0] = 3, 3
	e.wantStats(want)
}

// TestChecksumToHost has the stack of host 3 send UDP and TCP with
// checksum offload: the frames cross veth unfinished and the model must
// complete them.
func TestChecksumToHost(t *testing.T) {
	e := newEnv(t, 1, 3)
	e.permanentNeighbour(3)
	h := e.host(3)
	var udpSock, tcpSock int
	err := h.Do(func() (err error) {
		if udpSock, err = dialIn(unix.SOCK_DGRAM, impAddr(3), 9999); err != nil {
			return err
		}
		tcpSock, err = dialIn(unix.SOCK_STREAM, impAddr(3), 9998)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(udpSock)
	if _, err := unix.Write(udpSock, []byte("checksum me, please")); err != nil {
		t.Fatal(err)
	}

	var sizes uint64
	for _, proto := range []string{"TCP SYN", "UDP"} {
		got := read(t, e.imp, waitFrame)
		w, frame, ok := splitTag(got)
		if !ok || w != received(3, len(frame)) {
			t.Fatalf("%s: % x", proto, got)
		}
		if proto == "TCP SYN" {
			unix.Close(tcpSock) // before the SYN is retransmitted
		}
		if !l4ChecksumOK(frame) {
			t.Errorf("%s: bad L4 checksum in % x", proto, frame)
		}
		sizes += uint64(len(frame))
	}

	want := e.stats()
	want.IMP = Counters{TxFrames: 2, TxBytes: sizes + 12}
	want.Ports[3] = Counters{RxFrames: 2, RxBytes: sizes}
	want.Checksummed = 2
	e.wantStats(want)
}

// dialIn starts a connection to addr:port from the calling thread's netns.
// A TCP connect only gets as far as sending its SYN.
func dialIn(typ int, addr netip.Addr, port int) (int, error) {
	fd, err := unix.Socket(unix.AF_INET, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	err = unix.Connect(fd, &unix.SockaddrInet4{Addr: addr.As4(), Port: port})
	if err != nil && err != unix.EINPROGRESS {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// TestChecksumFromHost sends UDP whose checksum the host left to the NIC
// and checks that host 3's stack, which verifies checksums of frames
// injected through veth, accepts it only once the model completed it.
func TestChecksumFromHost(t *testing.T) {
	e := newEnv(t, 1, 3)
	h := e.host(3)
	var conn *net.UDPConn
	err := h.Do(func() (err error) {
		conn, err = net.ListenUDP("udp4", &net.UDPAddr{IP: hostAddr(3).Addr().AsSlice(), Port: 7777})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	vnetTx := e.open(sockMode{vnet: true}, nil)

	datagram := func(text string) []byte {
		return ether(h.MAC, hostMAC, etherTypeIPv4, ipv4(impAddr(3), hostAddr(3).Addr(), 17,
			udp(impAddr(3), hostAddr(3).Addr(), 5555, 7777, []byte(text))))
	}
	// Without NEEDS_CSUM the pseudo-header sum stays in place and host 3
	// must drop the datagram; with it, the model completes it. The
	// offsets count the Broadcom header in front of the IP header.
	unfinished := withTag(datagram("never completed by anyone"), directed(3))
	offloaded := withTag(datagram("completed by the switch"), directed(3))
	for _, b := range [][]byte{
		slices.Concat(vnetHdr{}.marshal(), unfinished),
		slices.Concat(vnetHdr{flags: vnetNeedsCsum, csumStart: 14 + 6 + 20, csumOffset: 6}.marshal(), offloaded),
	} {
		if err := vnetTx.write(b); err != nil {
			t.Fatal(err)
		}
	}

	buf := make([]byte, 100)
	conn.SetReadDeadline(time.Now().Add(waitFrame))
	n, err := conn.Read(buf)
	if err != nil || string(buf[:n]) != "completed by the switch" {
		t.Fatalf("host 3 read %q, %v", buf[:n], err)
	}
	conn.SetReadDeadline(time.Now().Add(waitQuiet))
	if n, err := conn.Read(buf); err == nil {
		t.Fatalf("host 3 accepted a datagram with a bad checksum: %q", buf[:n])
	}

	in := uint64(len(unfinished) + len(offloaded))
	want := e.stats()
	want.IMP = Counters{RxFrames: 2, RxBytes: in}
	want.Ports[3] = Counters{TxFrames: 2, TxBytes: in - 12}
	want.Directed, want.Queues[0] = 2, 2
	want.Checksummed = 1
	e.wantStats(want)
}

func TestRunStops(t *testing.T) {
	e := newEnv(t, 1)
	for !e.sw.running.Load() {
		time.Sleep(time.Millisecond)
	}
	if err := e.sw.Run(context.Background()); err == nil {
		t.Fatal("second concurrent Run succeeded")
	}

	// A Switch of its own, so the env's Run is left alone.
	sw, err := New(e.topo.SwitchIMP+"x", nil, Options{})
	if err == nil {
		sw.Close()
		t.Fatal("New on a missing interface succeeded")
	}
	sw, err = New(e.topo.Hosts[1].SwitchLink, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // Run can run again after it stopped
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		start := time.Now()
		if err := sw.Run(ctx); err != nil {
			t.Fatal(err)
		}
		cancel()
		if d := time.Since(start); d > time.Second {
			t.Fatalf("Run took %v to stop", d)
		}
	}
	done := make(chan error)
	go func() { done <- sw.Run(context.Background()) }()
	time.Sleep(50 * time.Millisecond)
	sw.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after Close: %v", err)
		}
	case <-time.After(time.Second):
		t.Fatal("Close did not stop Run")
	}
	if err := sw.Run(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Run on a closed switch: %v", err)
	}
	sw.Close()
}

// TestGSODropped lets host 3 hand veth one UDP GSO frame of three
// segments, which the model must drop and count rather than forward.
func TestGSODropped(t *testing.T) {
	e := newEnv(t, 1, 3)
	e.permanentNeighbour(3)
	h := e.host(3)
	if err := run("ip", "netns", "exec", h.Netns, "ethtool", "-K", h.Link, "gso", "on", "tx-udp-segmentation", "on"); err != nil {
		t.Fatal(err)
	}
	var fd int
	err := h.Do(func() (err error) {
		if fd, err = dialIn(unix.SOCK_DGRAM, impAddr(3), 9999); err != nil {
			return err
		}
		return unix.SetsockoptInt(fd, unix.IPPROTO_UDP, unix.UDP_SEGMENT, 500)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if _, err := unix.Write(fd, make([]byte, 1500)); err != nil {
		t.Fatal(err)
	}
	expectQuiet(t, e.imp, "IMP")

	want := e.stats()
	want.Ports[3] = Counters{RxFrames: 1, RxBytes: 14 + 20 + 8 + 1500}
	want.Drops[DropGSO] = 1
	e.wantStats(want)
}

// TestLinkDownUp takes a port's interface down and up under the model,
// which must carry on forwarding.
func TestLinkDownUp(t *testing.T) {
	e := newEnv(t, 1, 3)
	h := e.host(3)
	rx := e.open(sockMode{recv: true}, h)
	for _, state := range []string{"down", "up"} {
		if err := run("ip", "link", "set", h.SwitchLink, state); err != nil {
			t.Fatal(err)
		}
	}
	f := testFrame(h.MAC, hostMAC, 60, 9)
	// The veth carrier comes back asynchronously; until then sends fail.
	deadline := time.Now().Add(waitFrame)
	for e.sendTagged(f, directed(3)); read(t, rx, 50*time.Millisecond) == nil; e.sendTagged(f, directed(3)) {
		if time.Now().After(deadline) {
			t.Fatalf("no frame through port 3 after it came back up\n%v", e.sw.Stats())
		}
	}
	// The model counts a frame just after sending it: wait for that.
	st := e.sw.Stats()
	for deadline := time.Now().Add(waitFrame); st.Ports[3].TxFrames < 1 && time.Now().Before(deadline); st = e.sw.Stats() {
		time.Sleep(10 * time.Millisecond)
	}
	if st.Ports[3].TxFrames < 1 || st.Dropped() != st.Drops[DropSendError] {
		t.Fatalf("stats:\n%v", st)
	}
}

// TestFormatOriginal runs a model in the original format: its words
// reach their ports, bcm53242's are dropped, and SetFormat switches.
func TestFormatOriginal(t *testing.T) {
	e := newEnvOpts(t, Options{Format: brcmlink.FormatOriginal}, 3, 26)
	h3, h26 := e.open(sockMode{recv: true}, e.host(3)), e.open(sockMode{recv: true}, e.host(26))
	f3, f26 := testFrame(e.host(3).MAC, hostMAC, 60, 1), testFrame(e.host(26).MAC, hostMAC, 60, 2)
	e.sendTagged(f3, 0x4000001a)  // port 3: 3 + 23 = 26
	e.sendTagged(f26, 0x52000031) // port 26: 49, queue 2, TE 1
	expect(t, h3, "port 3", f3)
	expect(t, h26, "port 26", f26)
	e.sendTagged(f3, 0x80000004)  // bcm53242's port 3
	e.sendTagged(f26, 0xa0000002) // bcm53242's port 26
	expectQuiet(t, h3, "port 3, bcm53242 tag")
	expectQuiet(t, h26, "port 26, bcm53242 tag")

	want := e.stats()
	want.IMP = Counters{RxFrames: 4, RxBytes: 4 * 66}
	want.Ports[3] = Counters{TxFrames: 1, TxBytes: 60}
	want.Ports[26] = Counters{TxFrames: 1, TxBytes: 60}
	want.Directed, want.Queues[0], want.Queues[2] = 2, 1, 1
	want.Drops[DropBadOpcode] = 2
	e.wantStats(want)

	if err := e.sw.SetFormat(brcmlink.FormatBCM53242); err != nil || e.sw.Format() != brcmlink.FormatBCM53242 {
		t.Fatalf("SetFormat: %v, %v", err, e.sw.Format())
	}
	e.sendTagged(f26, 0xa0000002)
	expect(t, h26, "port 26 after SetFormat(bcm53242)", f26)
	if e.sw.SetFormat(brcmlink.FormatMax+1) == nil {
		t.Error("SetFormat accepts an unknown format")
	}
}

// TestInnerVLAN has port 3 take an inner header of VLAN 100 off and
// drop frames without it, while port 1 passes a VLAN device's header.
func TestInnerVLAN(t *testing.T) {
	e := newEnvOpts(t, Options{InnerVLAN: map[uint16]uint16{3: 100}}, 1, 3)
	h1, h3 := e.open(sockMode{recv: true}, e.host(1)), e.open(sockMode{recv: true}, e.host(3))
	var mu sync.Mutex
	var seen []HostFrame
	e.sw.TapHost(func(h HostFrame) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, h)
	})

	f := testFrame(e.host(3).MAC, hostMAC, 60, 1)
	// dst src | 88 74 | 80 00 00 04 (port 3) | 81 00 a0 64 (priority 5, VLAN 100) | 88 b5 ...
	inner := slices.Concat(f[:12], []byte{0x88, 0x74, 0x80, 0x00, 0x00, 0x04, 0x81, 0x00, 0xa0, 0x64}, f[12:])
	if err := e.impTx.write(inner); err != nil {
		t.Fatal(err)
	}
	expect(t, h3, "port 3, inner header off", f)
	e.sendTagged(f, directed(3)) // no inner header
	wrong := slices.Clone(inner)
	wrong[21] = 0x65 // VLAN 101
	if err := e.impTx.write(wrong); err != nil {
		t.Fatal(err)
	}
	expectQuiet(t, h3, "port 3")

	// Port 1 has no inner VLAN: the header after its tag is the
	// frame's own and reaches host 1 (whose kernel takes it out; the
	// test's read puts it back).
	v := slices.Concat(f[:12], []byte{0x81, 0x00, 0x00, 0x07}, f[12:])
	e.sendTagged(v, directed(1))
	expect(t, h1, "port 1, its own 802.1Q header", v)

	if err := e.sw.SetInnerVLAN(3, 0); err != nil || e.sw.InnerVLAN(3) != 0 {
		t.Fatalf("SetInnerVLAN(3, 0): %v", err)
	}
	e.sendTagged(f, directed(3))
	expect(t, h3, "port 3 without an inner VLAN", f)
	if e.sw.SetInnerVLAN(28, 1) == nil || e.sw.SetInnerVLAN(3, 4095) == nil {
		t.Error("SetInnerVLAN accepts port 28 or VLAN 4095")
	}

	want := e.stats()
	want.IMP = Counters{RxFrames: 5, RxBytes: 70 + 66 + 70 + 70 + 66}
	want.Ports[1] = Counters{TxFrames: 1, TxBytes: 64}
	want.Ports[3] = Counters{TxFrames: 2, TxBytes: 120}
	want.Directed, want.Queues[0] = 3, 3
	want.Drops[DropInnerVLAN] = 2
	e.wantStats(want)

	mu.Lock()
	defer mu.Unlock()
	type rec struct {
		port    uint16
		inner   bool
		tci     uint16
		dropped bool
		drop    DropReason
	}
	var got []rec
	for _, h := range seen {
		got = append(got, rec{h.Tag.Port, h.Inner, h.InnerTCI, h.Dropped, h.Drop})
	}
	wantRecs := []rec{{3, true, 0xa064, false, 0}, {3, false, 0, true, DropInnerVLAN}, {3, false, 0, true, DropInnerVLAN},
		{1, false, 0, false, 0}, {3, false, 0, false, 0}}
	if !reflect.DeepEqual(got, wantRecs) {
		t.Errorf("TapHost saw %+v, want %+v", got, wantRecs)
	}
	if len(seen) > 0 && !bytes.Equal(seen[0].Frame, inner) {
		t.Errorf("TapHost's frame % x, want % x", seen[0].Frame, inner)
	}
}
