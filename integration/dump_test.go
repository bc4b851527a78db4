// SPDX-License-Identifier: MIT

//go:build vmtest

package integration

import (
	"encoding/binary"
	"testing"

	"github.com/brcmlink/brcmlink"
	"golang.org/x/sys/unix"
)

// TestDumpInterrupted reads port and lower dumps part by part on a raw
// socket and changes the set between two parts: the kernel must say the
// dump was interrupted, so that no caller trusts a list that missed a
// change.
func TestDumpInterrupted(t *testing.T) {
	// Enough of each that a dump takes several parts.
	const lowers = 50
	c := client(t)
	var lws []string
	for i := 0; i < lowers; i++ {
		lw, peer := name("dl"), name("dp")
		veth(t, lw, peer)
		lws = append(lws, lw)
		addPort(t, c, lw, 1, lw+".1")
	}
	_, f := genlConn(t)

	t.Run("ports", func(t *testing.T) {
		// A new port on a lower that has one.
		dumpInterrupted(t, f.ID, brcmlink.CmdPortGet, func() { addPort(t, c, lws[0], 2, lws[0]+".2") })
	})
	t.Run("lowers", func(t *testing.T) {
		// A new lower: its first port.
		lw, peer := name("dl"), name("dp")
		veth(t, lw, peer)
		dumpInterrupted(t, f.ID, brcmlink.CmdLinkGet, func() { addPort(t, c, lw, 1, lw+".1") })
	})
	t.Run("lower moved away", func(t *testing.T) {
		// The lowers after it in the dump's order move up one place.
		ns := name("dn")
		netns(t, ns)
		dumpInterrupted(t, f.ID, brcmlink.CmdLinkGet, func() { sh(t, "ip", "link", "set", lws[1], "netns", ns) })
	})
	t.Run("lower moved in", func(t *testing.T) {
		ns := name("dn")
		netns(t, ns)
		sh(t, "ip", "link", "set", lws[2], "netns", ns)
		dumpInterrupted(t, f.ID, brcmlink.CmdLinkGet, func() { sh(t, "ip", "-n", ns, "link", "set", lws[2], "netns", "1") })
	})
}

// dumpInterrupted starts a dump of cmd, reads its first part, calls
// change, reads the rest, and fails unless a part said NLM_F_DUMP_INTR.
func dumpInterrupted(t *testing.T, family uint16, cmd uint8, change func()) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_GENERIC)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		t.Fatal(err)
	}
	req := make([]byte, unix.NLMSG_HDRLEN+unix.GENL_HDRLEN)
	binary.NativeEndian.PutUint32(req[0:4], uint32(len(req)))
	binary.NativeEndian.PutUint16(req[4:6], family)
	binary.NativeEndian.PutUint16(req[6:8], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	binary.NativeEndian.PutUint32(req[8:12], 1)
	req[16], req[17] = cmd, brcmlink.GenlVersion
	if err := unix.Sendto(fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		t.Fatal(err)
	}

	// recvPart reads one datagram: how many entries it holds, whether one
	// was marked interrupted, and whether the dump is done.
	buf := make([]byte, 32768)
	recvPart := func() (entries int, intr, done bool) {
		n, err := unix.Read(fd, buf)
		if err != nil {
			t.Fatal(err)
		}
		for b := buf[:n]; len(b) >= unix.NLMSG_HDRLEN; {
			l := int(binary.NativeEndian.Uint32(b[0:4]))
			typ := binary.NativeEndian.Uint16(b[4:6])
			flags := binary.NativeEndian.Uint16(b[6:8])
			if flags&unix.NLM_F_DUMP_INTR != 0 {
				intr = true
			}
			switch typ {
			case unix.NLMSG_DONE:
				done = true
			case unix.NLMSG_ERROR:
				t.Fatalf("dump failed: errno %d", -int32(binary.NativeEndian.Uint32(b[16:20])))
			default:
				entries++
			}
			b = b[min(len(b), (l+3)&^3):]
		}
		return entries, intr, done
	}

	first, intr, done := recvPart()
	if done || intr {
		t.Fatalf("first part: %d entries, interrupted %v, done %v; want a partial, clean start", first, intr, done)
	}
	change()
	total, interrupted := first, false
	for !done {
		var n int
		n, intr, done = recvPart()
		total += n
		interrupted = interrupted || intr
	}
	if !interrupted {
		t.Errorf("the set changed mid-dump (after %d of %d entries) and no part said NLM_F_DUMP_INTR", first, total)
	}
}
