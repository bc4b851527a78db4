// SPDX-License-Identifier: MIT

//go:build vmtest

package integration

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/internal/swmodel"
	"golang.org/x/sys/unix"
)

// lab is a switch model with hosts behind its ports, and the near end of
// its IMP link ready to be a brcm lower.
type lab struct {
	*swmodel.Topology
	sw     *swmodel.Switch
	subnet int // host on port p is 10.<subnet>.<p>.2/24
}

var labSubnet = 76

// newLab builds a topology of the given ports and runs the switch model
// on it until the test ends. The model accepts the kernel's default tag
// format, bcm53242, and expects no inner VLAN header: newLabOpts (or
// l.sw.SetFormat and l.sw.SetInnerVLAN, as the test changes the lower)
// says otherwise.
func newLab(t testing.TB, ports ...uint16) *lab {
	t.Helper()
	return newLabOpts(t, swmodel.Options{}, 0, ports...)
}

func newLabMTU(t testing.TB, impMTU int, ports ...uint16) *lab {
	t.Helper()
	return newLabOpts(t, swmodel.Options{}, impMTU, ports...)
}

// newLabFormat is newLab with a model accepting tag format f, which the
// test must then give the lower's ports.
func newLabFormat(t testing.TB, f brcmlink.Format, ports ...uint16) *lab {
	t.Helper()
	return newLabOpts(t, swmodel.Options{Format: f}, 0, ports...)
}

// newLabOpts is newLab with a model of the given options and IMP MTU (0
// for swmodel.DefaultIMPMTU).
func newLabOpts(t testing.TB, opt swmodel.Options, impMTU int, ports ...uint16) *lab {
	t.Helper()
	labSubnet++
	subnet := labSubnet
	topo, err := swmodel.Build(swmodel.Config{
		Prefix: name("s"),
		Ports:  ports,
		HostAddr: func(p uint16) netip.Prefix {
			return netip.MustParsePrefix(fmt.Sprintf("10.%d.%d.2/24", subnet, p))
		},
		IMPMTU: impMTU,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { topo.Destroy() })
	sw, err := swmodel.New(topo.SwitchIMP, topo.SwitchPorts(), opt)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sw.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("switch model: %v", err)
		}
		sw.Close()
	})
	return &lab{Topology: topo, sw: sw, subnet: subnet}
}

// hostIP is the address of the host behind port p; portIP the one the
// test gives the brcm device bound to p.
func (l *lab) hostIP(p uint16) string { return fmt.Sprintf("10.%d.%d.2", l.subnet, p) }
func (l *lab) portIP(p uint16) string { return fmt.Sprintf("10.%d.%d.1/24", l.subnet, p) }

// rawSock is an AF_PACKET socket on one interface, for frames built and
// checked byte by byte.
type rawSock struct {
	fd int
}

const testEtherType = 0x88b5 // IEEE 802 local experimental

// openRaw opens a raw socket on dev in the current netns, or inside the
// netns of h if h is not nil. It sees frames of every ethertype.
func openRaw(t testing.TB, h *swmodel.Host, dev string) *rawSock {
	t.Helper()
	var s *rawSock
	open := func() error {
		ifi, err := net.InterfaceByName(dev)
		if err != nil {
			return err
		}
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, int(htons(unix.ETH_P_ALL)))
		if err != nil {
			return err
		}
		if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: ifi.Index}); err != nil {
			unix.Close(fd)
			return err
		}
		tv := unix.NsecToTimeval(int64(100 * time.Millisecond))
		if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
			unix.Close(fd)
			return err
		}
		s = &rawSock{fd: fd}
		return nil
	}
	var err error
	if h != nil {
		err = h.Do(open)
	} else {
		err = open()
	}
	if err != nil {
		t.Fatalf("raw socket on %s: %v", dev, err)
	}
	t.Cleanup(func() { unix.Close(s.fd) })
	return s
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

func (s *rawSock) send(t testing.TB, frame []byte) {
	t.Helper()
	if _, err := unix.Write(s.fd, frame); err != nil {
		t.Fatalf("sending a %d-byte frame: %v", len(frame), err)
	}
}

// recv returns the next incoming frame that match accepts, or nil after
// a second without one. Outgoing frames are skipped.
func (s *rawSock) recv(t testing.TB, match func([]byte) bool) []byte {
	t.Helper()
	buf := make([]byte, 1<<17) // a GRO-merged frame is up to 64 KiB
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); {
		n, from, err := unix.Recvfrom(s.fd, buf, 0)
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			t.Fatalf("recv: %v", err)
		}
		if ll, ok := from.(*unix.SockaddrLinklayer); ok && ll.Pkttype == unix.PACKET_OUTGOING {
			continue
		}
		if match(buf[:n]) {
			return append([]byte(nil), buf[:n]...)
		}
	}
	return nil
}

// frame builds dst | src | ethertype | payload.
func frame(dst, src net.HardwareAddr, etype uint16, payload []byte) []byte {
	b := append(append(append([]byte{}, dst...), src...), byte(etype>>8), byte(etype))
	return append(b, payload...)
}

// payload returns n bytes that identify the test frame seq.
func payload(seq, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(seq*31 + i)
	}
	return b
}

func mac(t testing.TB, dev string) net.HardwareAddr {
	t.Helper()
	m, err := net.ParseMAC(sysfs(t, dev, "address"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}
