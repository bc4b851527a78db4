// SPDX-License-Identifier: MIT

//go:build vmtest

package integration

import (
	"encoding/binary"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/brcmlink/brcmlink"
)

// TestVLANIsolation sends the same tagged frame for port 5 on the IMP
// link plain and inside VLAN 5, for which the lower has no device: the
// port gets the plain one only, as a VLAN device gets only its own VLAN.
// Port 6 gets a frame after each, so that when it has it, the one before
// was handled. Before, the port took frames of every VLAN.
func TestVLANIsolation(t *testing.T) {
	lw, lp := name("iw"), name("ip")
	veth(t, lw, lp)
	c := client(t)
	dev, marker := lw+".p5", lw+".p6"
	addPort(t, c, lw, 5, dev)
	addPort(t, c, lw, 6, marker)
	s := openRaw(t, nil, lp)
	tagged := func(dst net.HardwareAddr, port uint16) []byte {
		body := binary.BigEndian.AppendUint32(nil, brcmlink.RxTagFrom(port).Word())
		body = binary.BigEndian.AppendUint16(body, testEtherType)
		return frame(dst, mac(t, lp), brcmlink.EthPBrcm, append(body, payload(int(port), 46)...))
	}
	for _, dst := range []net.HardwareAddr{mac(t, lw), {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}} {
		t.Run(dst.String(), func(t *testing.T) {
			rx, rxMarker := stat(t, dev, "rx_packets"), stat(t, marker, "rx_packets")
			s.send(t, tagged(dst, 5))
			s.send(t, tagged(dst, 6))
			waitStat(t, marker, "rx_packets", rxMarker+1)
			if got := stat(t, dev, "rx_packets") - rx; got != 1 {
				t.Fatalf("%s received %d plain frames for 1", dev, got)
			}
			s.send(t, vlanWrap(tagged(dst, 5), 5))
			s.send(t, tagged(dst, 6))
			waitStat(t, marker, "rx_packets", rxMarker+2)
			if got := stat(t, dev, "rx_packets") - rx; got != 1 {
				t.Errorf("%s received a frame of VLAN 5, which no device on %s has", dev, lw)
			}
		})
	}
}

// linkFlags reads dev's flags and promiscuity and allmulti counts as
// `ip -d` shows them.
func linkFlags(t testing.TB, dev string) string {
	t.Helper()
	flags := sysfsInt(t, dev, "flags")
	out := sh(t, "ip", "-d", "link", "show", "dev", dev)
	var promisc string
	if f := strings.Fields(out); len(f) > 0 {
		for i := range f[:len(f)-1] {
			if f[i] == "promiscuity" {
				promisc = f[i+1]
			}
		}
	}
	return "promisc " + strconv.FormatBool(flags&unix.IFF_PROMISC != 0) +
		" allmulti " + strconv.FormatBool(flags&unix.IFF_ALLMULTI != 0) +
		" promiscuity " + promisc
}

// TestPromiscuityRestored holds a port promiscuous and allmulti as
// tcpdump does (a packet socket's memberships) while the port is set up,
// set up with its lower down (which fails), and brought back up with its
// lower. When the socket closes, port and lower are as they were:
// promiscuity held by a socket is not a user's setting. Before, the port
// kept it, and passed it on to its lower.
func TestPromiscuityRestored(t *testing.T) {
	lw, lp := name("mw"), name("mp")
	veth(t, lw, lp)
	dev := lw + ".p5"
	addPort(t, client(t), lw, 5, dev)
	g := genlClient(t)
	base := map[string]string{dev: linkFlags(t, dev), lw: linkFlags(t, lw)}

	ifi, err := net.InterfaceByName(dev)
	if err != nil {
		t.Fatal(err)
	}
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, int(htons(unix.ETH_P_ALL)))
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []uint16{unix.PACKET_MR_PROMISC, unix.PACKET_MR_ALLMULTI} {
		mreq := unix.PacketMreq{Ifindex: int32(ifi.Index), Type: typ}
		if err := unix.SetsockoptPacketMreq(fd, unix.SOL_PACKET, unix.PACKET_ADD_MEMBERSHIP, &mreq); err != nil {
			unix.Close(fd)
			t.Fatal(err)
		}
	}
	if f := linkFlags(t, dev); !strings.HasPrefix(f, "promisc true allmulti true") {
		unix.Close(fd)
		t.Fatalf("%s with a promiscuous socket: %s", dev, f)
	}

	_, setErr := g.Set(brcmlink.ByName(dev), brcmlink.SetRequest{Up: new(true)})
	sh(t, "ip", "link", "set", lw, "down")
	_, downErr := g.Set(brcmlink.ByName(dev), brcmlink.SetRequest{Up: new(true)})
	sh(t, "ip", "link", "set", lw, "up")
	eventually(t, dev+" up again with its lower", func() bool {
		return sysfsInt(t, dev, "flags")&unix.IFF_UP != 0
	})
	unix.Close(fd)

	if setErr != nil {
		t.Errorf("set %s up: %v", dev, setErr)
	}
	if !errors.Is(downErr, unix.ENETDOWN) {
		t.Errorf("set %s up with %s down: %v, want ENETDOWN", dev, lw, downErr)
	}
	for d, want := range base {
		if got := linkFlags(t, d); got != want {
			t.Errorf("%s after the socket closed: %s, was %s", d, got, want)
		}
	}
}
