//go:build vmtest

package integration

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/brcmlink/brcmlink"
	"github.com/mdlayher/genetlink"
	"golang.org/x/sys/unix"
)

// TestDumpInterrupted reads a port dump part by part on a raw socket and
// creates a port between two parts: the kernel must say the dump was
// interrupted, so that no caller trusts a list that missed a change.
func TestDumpInterrupted(t *testing.T) {
	c := client(t)
	var lowers []string
	for i := 0; i < 3; i++ {
		lw, peer := name("dl"), name("dp")
		veth(t, lw, peer)
		lowers = append(lowers, lw)
		for p := uint16(1); p <= brcmlink.PortMax; p++ {
			addPort(t, c, lw, p, fmt.Sprintf("%s.%d", lw, p))
		}
	}

	gc, err := genetlink.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := gc.GetFamily(brcmlink.GenlName)
	gc.Close()
	if err != nil {
		t.Fatal(err)
	}

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
	binary.NativeEndian.PutUint16(req[4:6], f.ID)
	binary.NativeEndian.PutUint16(req[6:8], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	binary.NativeEndian.PutUint32(req[8:12], 1)
	req[16], req[17] = brcmlink.CmdPortGet, brcmlink.GenlVersion
	if err := unix.Sendto(fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		t.Fatal(err)
	}

	// recvPart reads one datagram: how many ports it holds, whether one
	// was marked interrupted, and whether the dump is done.
	buf := make([]byte, 32768)
	recvPart := func() (ports int, intr, done bool) {
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
				ports++
			}
			b = b[min(len(b), (l+3)&^3):]
		}
		return ports, intr, done
	}

	first, intr, done := recvPart()
	if done || intr {
		t.Fatalf("first part: %d ports, interrupted %v, done %v; want a partial, clean start", first, intr, done)
	}
	addPort(t, c, lowers[0], 0, lowers[0]+".0")
	total, interrupted := first, false
	for !done {
		var n int
		n, intr, done = recvPart()
		total += n
		interrupted = interrupted || intr
	}
	if !interrupted {
		t.Errorf("a port was created mid-dump (after %d of %d ports) and no part said NLM_F_DUMP_INTR", first, total)
	}
}
