// SPDX-License-Identifier: MIT

//go:build vmtest

package integration

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/genl"
	"golang.org/x/sys/unix"
)

// The transmit tags of docs/wire-format.md, worked out by hand there from
// the facts each format rests on. They are repeated here, not computed,
// so that the kernel, the Go codec and the documentation are each checked
// against the same independent table.
var wireVectors = []struct {
	port               uint16
	queue, te          uint8
	bcm53242, original uint32
}{
	{port: 1, bcm53242: 0x80000001, original: 0x40000018},
	{port: 5, bcm53242: 0x80000010, original: 0x4000001c},
	{port: 24, bcm53242: 0x80800000, original: 0x4000002f},
	{port: 25, bcm53242: 0xa0000001, original: 0x40000030},
	{port: 26, bcm53242: 0xa0000002, original: 0x40000031},
	{port: 27, bcm53242: 0xa0000004, original: 0x40000032},
	{port: 0, bcm53242: 0x00000000, original: 0x00000000},
	// The same ports changed afterwards: the tag follows the change.
	{port: 5, queue: 2, te: 1, bcm53242: 0x92000010, original: 0x5200001c},
	{port: 26, queue: 3, te: 3, bcm53242: 0xbe000002, original: 0x5e000031},
	{port: 0, queue: 1, bcm53242: 0x08000000, original: 0x08000000},
}

// wireSock captures what a port puts on the wire: the far end of a veth
// whose near end is the ports' lower.
type wireSock struct {
	*rawSock
	lower, peer string
}

func newWire(t *testing.T) *wireSock {
	t.Helper()
	lower, peer := name("wf"), name("wp")
	veth(t, lower, peer)
	return &wireSock{rawSock: openRaw(t, nil, peer), lower: lower, peer: peer}
}

// sendAs sends a testEtherType frame of n payload bytes from dev, through
// a packet socket with priority prio, and returns it and what arrived at
// the far end.
func (w *wireSock) sendAs(t *testing.T, dev string, seq, n, prio int) (sent, got []byte) {
	t.Helper()
	s := openRaw(t, nil, dev)
	if err := unix.SetsockoptInt(s.fd, unix.SOL_SOCKET, unix.SO_PRIORITY, prio); err != nil {
		t.Fatal(err)
	}
	p := payload(seq, n)
	sent = frame(net.HardwareAddr{0x02, 0, 0, 0, 0xee, 0x01}, mac(t, dev), testEtherType, p)
	s.send(t, sent)
	got = w.recv(t, func(f []byte) bool { return bytes.Contains(f, p) })
	if got == nil {
		t.Fatalf("%s: frame %d never reached %s", dev, seq, w.peer)
	}
	return sent, got
}

// tagged is sent as the wire should carry it: the tag after the
// addresses, then inner (an 802.1Q header, or nothing), then the rest,
// padded with zeros to min bytes.
func tagged(sent []byte, word uint32, inner []byte, min int) []byte {
	f := append(append([]byte{}, sent[:12]...), 0x88, 0x74)
	f = binary.BigEndian.AppendUint32(f, word)
	f = append(append(f, inner...), sent[12:]...)
	return append(f, make([]byte, max(0, min-len(f)))...)
}

func checkWire(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Errorf("%s: on the wire\n got % x\nwant % x", what, got, want)
	}
}

// TestWireFormat captures the frames ports of each tag format put on the
// wire and checks them byte by byte against the documented vectors: the
// opcode and destination of each format for ports 0-27, queue and tag
// enforcement, padding. A lower's first port sets its format; without
// one, the default is bcm53242.
func TestWireFormat(t *testing.T) {
	r := client(t)
	g := genlClient(t)
	for _, format := range []brcmlink.Format{brcmlink.FormatBCM53242, brcmlink.FormatOriginal} {
		t.Run(format.String(), func(t *testing.T) {
			w := newWire(t)
			devs := map[uint16]string{}
			for i, v := range wireVectors {
				want := v.bcm53242
				if format == brcmlink.FormatOriginal {
					want = v.original
				}
				dev, ok := devs[v.port]
				if !ok {
					dev = fmt.Sprintf("%s.p%d", w.lower, v.port)
					req := brcmlink.AddRequest{Lower: w.lower, Port: v.port, Name: dev, Up: true}
					// The first port names the format, unless it is the
					// default; the others take the lower's.
					if i == 0 && format != brcmlink.FormatBCM53242 {
						req.Format = &format
					}
					p, err := r.Add(req)
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { command("ip", "link", "del", dev) })
					if p.Format != format {
						t.Errorf("%s reports format %v, want %v", dev, p.Format, format)
					}
					devs[v.port] = dev
				} else if _, err := g.Set(brcmlink.ByName(dev), brcmlink.SetRequest{Queue: &v.queue, TagEnforce: &v.te}); err != nil {
					t.Fatal(err)
				}
				// A runt for each port: padded to 66 bytes after tagging.
				for _, n := range []int{100, 10} {
					sent, got := w.sendAs(t, dev, i*2+n, n, 0)
					if n == 10 && v.queue == 0 && (v.port == 5 || v.port == 26) {
						t.Logf("%s port %d on the wire: % x", format, v.port, got)
					}
					checkWire(t, fmt.Sprintf("%s port %d queue %d TE %d, %d bytes", format, v.port, v.queue, v.te, n),
						got, tagged(sent, want, nil, brcmlink.MinFrameLen))
				}
				if w := brcmlink.TxTagFor(format, v.port, v.queue, v.te).Word(); w != want {
					t.Errorf("the Go codec gives %#08x for %s port %d queue %d TE %d, the table %#08x",
						w, format, v.port, v.queue, v.te, want)
				}
			}
			// The port's own segmentation copies the same tag into every
			// segment: a UDP GSO packet from port 26 (queue 3, TE 3).
			want := wireVectors[len(wireVectors)-2].bcm53242
			if format == brcmlink.FormatOriginal {
				want = wireVectors[len(wireVectors)-2].original
			}
			wireGSO(t, w, devs[26], want)

			lw, err := g.Lower(w.lower)
			if err != nil {
				t.Fatal(err)
			}
			if lw.Format != format || lw.Ports != len(devs) {
				t.Errorf("lower %s reports format %v and %d ports, want %v and %d", w.lower, lw.Format, lw.Ports, format, len(devs))
			}
		})
	}
}

// TestWirePriorityVLAN checks what the per-port settings of the chip's
// own driver put on the wire and take off it: the queue from each
// frame's priority (SO_PRIORITY, above 7 as 7, and a VLAN device's
// egress map), the inner 802.1Q header with the priority's bits, and a
// lower's format changed for all its ports at once.
func TestWirePriorityVLAN(t *testing.T) {
	r := client(t)
	g := genlClient(t)
	w := newWire(t)
	dev := w.lower + ".p5"
	yes := true
	if _, err := r.Add(brcmlink.AddRequest{Lower: w.lower, Port: 5, Name: dev, QueueFromPriority: &yes, Up: true}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { command("ip", "link", "del", dev) })
	// Port 5 in bcm53242 is 0x80000010; the queue is bits 28-27.
	for i, tc := range []struct {
		prio int
		word uint32
	}{
		{0, 0x80000010}, {1, 0x80000010}, {2, 0x88000010}, {5, 0x90000010},
		{6, 0x98000010}, {7, 0x98000010}, {100, 0x98000010}, {0x10001, 0x98000010},
	} {
		sent, got := w.sendAs(t, dev, 100+i, 80, tc.prio)
		checkWire(t, fmt.Sprintf("priority %d", tc.prio), got, tagged(sent, tc.word, nil, 0))
	}

	// A VLAN device on the port: its egress map gives the priority.
	vdev := name("wv")
	sh(t, "ip", "link", "add", "link", dev, "name", vdev, "type", "vlan", "id", "7", "egress-qos-map", "0:6", "3:1")
	sh(t, "ip", "link", "set", vdev, "up")
	sent, got := w.sendAs(t, vdev, 120, 80, 0)
	// sent is as the VLAN device's user sent it; the wire has its header.
	checkWire(t, "VLAN 7 priority 0 mapped to 6", got, tagged(sent, 0x98000010, []byte{0x81, 0x00, 0xc0, 0x07}, 0))
	sent, got = w.sendAs(t, vdev, 121, 80, 3)
	checkWire(t, "VLAN 7 priority 3 mapped to 1", got, tagged(sent, 0x80000010, []byte{0x81, 0x00, 0x20, 0x07}, 0))

	// A lower that carries the tag but not the header refuses it at the
	// port's MTU, and changes nothing; the raised lower carries both.
	vlan := uint16(100)
	sh(t, "ip", "link", "set", w.lower, "mtu", "1506")
	_, err := g.Set(brcmlink.ByName(dev), brcmlink.SetRequest{VLAN: &vlan, Queue: ptr(uint8(3))})
	wantErr(t, err, unix.ERANGE, "MTU 1500 too large for vlan 100: "+w.lower+" carries 1496")
	if p, err := g.Get(brcmlink.ByName(dev)); err != nil || p.VLAN != 0 || p.Queue != 0 {
		t.Errorf("%s after a refused change: %+v, %v", dev, p, err)
	}
	sh(t, "ip", "link", "set", w.lower, "mtu", "1510")

	// The port's own VLAN header, after the tag and before the VLAN
	// device's; a runt is padded to 70 bytes with it.
	if _, err := g.Set(brcmlink.ByName(dev), brcmlink.SetRequest{VLAN: &vlan}); err != nil {
		t.Fatal(err)
	}
	sent, got = w.sendAs(t, dev, 122, 80, 3)
	checkWire(t, "VLAN 100 priority 3", got, tagged(sent, 0x88000010, []byte{0x81, 0x00, 0x60, 0x64}, 0))
	sent, got = w.sendAs(t, dev, 123, 10, 9)
	checkWire(t, "VLAN 100 priority 9, a runt", got, tagged(sent, 0x98000010, []byte{0x81, 0x00, 0xe0, 0x64}, brcmlink.MinFrameLen+4))
	sent, got = w.sendAs(t, vdev, 124, 80, 0)
	checkWire(t, "VLAN 100 around VLAN 7", got, tagged(sent, 0x98000010, []byte{0x81, 0x00, 0xc0, 0x64, 0x81, 0x00, 0xc0, 0x07}, 0))

	// Receive: the switch's frame from port 5 with VLAN 100 reaches the
	// port without the header, and counts as the frame the port sees;
	// with another id it keeps it, for the VLAN device of that id on
	// the port.
	v101 := name("wv")
	sh(t, "ip", "link", "add", "link", dev, "name", v101, "type", "vlan", "id", "101")
	sh(t, "ip", "link", "set", v101, "up")
	peer := mac(t, w.peer)
	for i, tc := range []struct {
		inner []byte
		on    string // where the frame arrives, as it was before tagging
	}{
		{[]byte{0x81, 0x00, 0x00, 0x64}, dev},
		{[]byte{0x81, 0x00, 0xa0, 0x64}, dev},
		{[]byte{0x81, 0x00, 0x00, 0x65}, v101},
	} {
		sock := openRaw(t, nil, tc.on)
		p := payload(130+i, 80)
		plain := frame(mac(t, dev), peer, testEtherType, p)
		before := sysfsInt(t, dev, "statistics/rx_bytes")
		w.send(t, tagged(plain, 0x0000001c, tc.inner, 0))
		if got := sock.recv(t, func(f []byte) bool { return bytes.Contains(f, p) }); !bytes.Equal(got, plain) {
			t.Errorf("received with % x on %s\n got % x\nwant % x", tc.inner, tc.on, got, plain)
		}
		want := uint64(len(plain))
		if tc.on != dev {
			want += 4 // the port saw the VLAN device's header
		}
		if n := sysfsInt(t, dev, "statistics/rx_bytes") - before; n != want {
			t.Errorf("received with % x: rx_bytes of %s grew by %d, want %d", tc.inner, dev, n, want)
		}
	}

	// The lower's format, for all its ports at once.
	dev26 := w.lower + ".p26"
	addPort(t, r, w.lower, 26, dev26)
	if _, err := r.Set(brcmlink.ByName(dev), brcmlink.SetRequest{Format: ptr(brcmlink.FormatOriginal)}); err == nil {
		t.Errorf("changing one port's format beside another succeeded")
	}
	events, err := g.Watch(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	lw, err := g.SetLowerFormat(w.lower, brcmlink.FormatOriginal)
	if err != nil {
		t.Fatal(err)
	}
	// Each port is announced changed, in its new format.
	for changed := map[string]bool{}; len(changed) < 2; {
		select {
		case ev := <-events:
			if ev.Kind != genl.Changed || ev.Port.Format != brcmlink.FormatOriginal {
				t.Fatalf("event %v %+v after LINK_SET", ev.Kind, ev.Port)
			}
			changed[ev.Port.Name] = true
		case <-time.After(5 * time.Second):
			t.Fatalf("LINK_SET announced %d ports changed, want %s and %s", len(changed), dev, dev26)
		}
	}
	if lw.Format != brcmlink.FormatOriginal {
		t.Errorf("LINK_SET answered format %v", lw.Format)
	}
	sent, got = w.sendAs(t, dev26, 140, 80, 0)
	checkWire(t, "port 26 after LINK_SET", got, tagged(sent, 0x40000031, nil, 0))
	sent, got = w.sendAs(t, dev, 141, 80, 7)
	checkWire(t, "port 5 after LINK_SET", got, tagged(sent, 0x5800001c, []byte{0x81, 0x00, 0xe0, 0x64}, 0))
	for _, d := range []string{dev, dev26} {
		if p, err := r.Get(brcmlink.ByName(d)); err != nil || p.Format != brcmlink.FormatOriginal {
			t.Errorf("%s after LINK_SET: %+v, %v", d, p, err)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// wireGSO sends one UDP GSO packet of 4 segments from dev and checks that
// each segment reaches the wire under the tag word.
func wireGSO(t *testing.T, w *wireSock, dev string, word uint32) {
	t.Helper()
	const segs, size = 4, 500
	sh(t, "ip", "addr", "add", "10.88.0.1/24", "dev", dev)
	sh(t, "ip", "neigh", "add", "10.88.0.2", "lladdr", "02:00:00:00:00:02", "dev", dev)
	data := sendUDPGSO(t, [4]byte{10, 88, 0, 2}, payload(7, segs*size), size)
	for i := 0; i < segs; i++ {
		chunk := data[i*size : (i+1)*size]
		f := w.recv(t, func(f []byte) bool { return bytes.HasSuffix(f, chunk) })
		if f == nil {
			t.Fatalf("%s: GSO segment %d never reached the wire", dev, i)
		}
		// dst src 8874 tag 0800 | IPv4 (20) | UDP (8) | payload
		if got := binary.BigEndian.Uint32(f[14:]); got != word || len(f) != 20+20+8+size {
			t.Errorf("%s: GSO segment %d is %d bytes under tag %#08x, want %d under %#08x", dev, i, len(f), got, 20+20+8+size, word)
		}
	}
}
