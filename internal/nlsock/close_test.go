// SPDX-License-Identifier: MIT

package nlsock

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

func dialRoute(t *testing.T) (*Socket, *netlink.Conn) {
	t.Helper()
	s, pid, err := Dial(unix.NETLINK_ROUTE, 0)
	if err != nil {
		t.Fatal(err)
	}
	return s, netlink.NewConn(s, pid)
}

// linkDump asks for every link, which any namespace has (lo).
func linkDump(c *netlink.Conn) error {
	_, err := c.Execute(netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request | netlink.Dump},
		Data:   make([]byte, unix.SizeofIfInfomsg),
	})
	return err
}

// TestUseAfterClose: a closed socket acts on nothing, not even on the
// socket opened next, which the kernel gives the same descriptor number.
func TestUseAfterClose(t *testing.T) {
	s1, c1 := dialRoute(t)
	fd := s1.fd
	if err := c1.Close(); err != nil {
		t.Fatal(err)
	}
	s2, c2 := dialRoute(t)
	defer c2.Close()
	if s2.fd != fd {
		t.Logf("the second socket has fd %d, the first had %d", s2.fd, fd)
	}
	if err := linkDump(c1); !errors.Is(err, net.ErrClosed) {
		t.Errorf("request on a closed socket: got %v, want net.ErrClosed", err)
	}
	if err := c1.Close(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("second Close: got %v, want net.ErrClosed", err)
	}
	if err := linkDump(c2); err != nil {
		t.Errorf("the other socket, after the first was closed twice: %v", err)
	}
	if err := s1.SetOption(netlink.ExtendedAcknowledge, true); !errors.Is(err, net.ErrClosed) {
		t.Errorf("SetOption on a closed socket: got %v, want net.ErrClosed", err)
	}
}

// TestCloseUnblocks: Close ends a Receive that waits for an answer the
// kernel never sends, and the descriptor is released after it.
func TestCloseUnblocks(t *testing.T) {
	s, _ := dialRoute(t)
	receiveEnds(t, s, "Close", net.ErrClosed, func() {
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	})
	if _, err := unix.FcntlInt(uintptr(s.fd), unix.F_GETFD, 0); !errors.Is(err, unix.EBADF) {
		t.Errorf("descriptor %d still open after Close and the Receive it ended", s.fd)
	}
}

// receiveEnds starts a Receive on s, waits until it must be waiting, and
// requires that what end does ends it with want.
func receiveEnds(t *testing.T, s *Socket, what string, want error, end func()) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := s.Receive()
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	end()
	select {
	case err := <-done:
		if !errors.Is(err, want) {
			t.Errorf("Receive ended by %s: got %v, want %v", what, err, want)
		}
	case <-time.After(2 * time.Second):
		t.Fatalf("Receive still blocked 2 s after %s", what)
	}
}

// TestDeadline: a deadline ends a wait with os.ErrDeadlineExceeded, a
// later one lets requests through again, and moving it ends a wait that
// has begun.
func TestDeadline(t *testing.T) {
	s, c := dialRoute(t)
	defer c.Close()
	if err := c.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := s.Receive()
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Receive past the deadline: got %v, want os.ErrDeadlineExceeded", err)
	}
	if d := time.Since(start); d < 40*time.Millisecond || d > time.Second {
		t.Errorf("Receive returned after %v, the deadline was 50 ms", d)
	}
	if err := c.SetDeadline(time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := linkDump(c); err != nil {
		t.Errorf("request before the deadline: %v", err)
	}
	if err := c.SetDeadline(time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := linkDump(c); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("request past the deadline: got %v, want os.ErrDeadlineExceeded", err)
	}

	// A wait with no deadline, which a deadline set meanwhile ends.
	if err := c.SetDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	receiveEnds(t, s, "a deadline moved to now", os.ErrDeadlineExceeded, func() {
		if err := c.SetReadDeadline(time.Now()); err != nil {
			t.Fatal(err)
		}
	})
}
