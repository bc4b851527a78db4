// SPDX-License-Identifier: MIT

package nlsock

import (
	"errors"
	"slices"
	"testing"

	"github.com/mdlayher/genetlink"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

func dialGenl(t *testing.T) *genetlink.Conn {
	t.Helper()
	s, pid, err := Dial(unix.NETLINK_GENERIC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if pid == 0 {
		t.Error("Dial returned port id 0")
	}
	c := genetlink.NewConn(netlink.NewConn(s, pid))
	t.Cleanup(func() { c.Close() })
	return c
}

// TestAgainstNetlink checks that a request, a multi-part dump and a
// refusal read the same through this socket as through the netlink
// package's.
func TestAgainstNetlink(t *testing.T) {
	c := dialGenl(t)
	if err := c.SetOption(netlink.ExtendedAcknowledge, true); err != nil {
		t.Fatal(err)
	}
	ref, err := genetlink.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()

	f, err := c.GetFamily("nlctrl")
	if err != nil {
		t.Fatal(err)
	}
	want, err := ref.GetFamily("nlctrl")
	if err != nil {
		t.Fatal(err)
	}
	if f.ID != want.ID || f.Name != want.Name || f.Version != want.Version {
		t.Errorf("nlctrl: got %+v, want %+v", f, want)
	}

	names := func(fs []genetlink.Family) []string {
		var n []string
		for _, f := range fs {
			n = append(n, f.Name)
		}
		slices.Sort(n)
		return n
	}
	got, err := c.ListFamilies()
	if err != nil {
		t.Fatal(err)
	}
	wantFs, err := ref.ListFamilies()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names(got), names(wantFs)) || len(got) == 0 {
		t.Errorf("families: got %v, want %v", names(got), names(wantFs))
	}

	_, err = c.GetFamily("no-such-family")
	if !errors.Is(err, unix.ENOENT) {
		t.Errorf("unknown family: got %v, want ENOENT", err)
	}
	// The socket still pairs answers with requests after a refusal.
	if _, err := c.GetFamily("nlctrl"); err != nil {
		t.Errorf("after a refusal: %v", err)
	}
}

func TestSetOption(t *testing.T) {
	s, _, err := Dial(unix.NETLINK_GENERIC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SetOption(netlink.ExtendedAcknowledge, true); err != nil {
		t.Errorf("ExtendedAcknowledge: %v", err)
	}
	if err := s.SetOption(netlink.ListenAllNSID, true); !errors.Is(err, unix.ENOPROTOOPT) {
		t.Errorf("an option request sockets do not take: got %v, want ENOPROTOOPT", err)
	}
}

// TestMalformed checks that a datagram whose message length runs past its
// end is an error, not a panic or a short message.
func TestMalformed(t *testing.T) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	s, err := newSocket(fds[0])
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	defer unix.Close(fds[1])
	for _, d := range [][]byte{
		{0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, // length 255 in 16 bytes
		{8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},    // length below the header's
	} {
		if _, err := unix.Write(fds[1], d); err != nil {
			t.Fatal(err)
		}
		if ms, err := s.Receive(); err == nil {
			t.Errorf("datagram % x: got %v, want an error", d, ms)
		}
	}
}
