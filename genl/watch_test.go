// SPDX-License-Identifier: MIT

package genl

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/internal/nlfake"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/mdlayher/genetlink"
	"github.com/mdlayher/genetlink/genltest"
	"github.com/mdlayher/netlink"
	"go.uber.org/goleak"
)

// mcastSocket is a netlink.Socket for Watch, which genltest's cannot be:
// it joins groups, and receives what the test feeds it until it is
// closed, when a waiting receive fails as a real socket's does.
type mcastSocket struct {
	feed      chan received
	closed    chan struct{}
	closeOnce sync.Once
	joinErr   error

	mu       sync.Mutex
	joined   []uint32
	deadline time.Time // of reads
}

type received struct {
	msgs []netlink.Message
	err  error
}

func newMcastSocket() *mcastSocket {
	return &mcastSocket{feed: make(chan received), closed: make(chan struct{})}
}

func (s *mcastSocket) Close() error {
	s.closeOnce.Do(func() { close(s.closed) })
	return nil
}

var errNoRequests = errors.New("mcastSocket: no requests")

func (s *mcastSocket) Send(netlink.Message) error           { return errNoRequests }
func (s *mcastSocket) SendMessages([]netlink.Message) error { return errNoRequests }

func (s *mcastSocket) Receive() ([]netlink.Message, error) {
	s.mu.Lock()
	deadline := s.deadline
	s.mu.Unlock()
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		timer := time.NewTimer(time.Until(deadline))
		defer timer.Stop()
		timeout = timer.C
	}
	select {
	case r := <-s.feed:
		return r.msgs, r.err
	case <-s.closed:
		return nil, net.ErrClosed
	case <-timeout:
		return nil, os.ErrDeadlineExceeded
	}
}

func (s *mcastSocket) SetReadDeadline(t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deadline = t
	return nil
}

func (s *mcastSocket) SetDeadline(t time.Time) error    { return s.SetReadDeadline(t) }
func (s *mcastSocket) SetWriteDeadline(time.Time) error { return nil }

func (s *mcastSocket) ReceiveIter() iter.Seq2[netlink.Message, error] {
	return nlfake.ReceiveIter(s.Receive)
}

func (s *mcastSocket) JoinGroup(group uint32) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.joined = append(s.joined, group)
	return s.joinErr
}

func (s *mcastSocket) LeaveGroup(uint32) error { return nil }

func (s *mcastSocket) isClosed() bool {
	select {
	case <-s.closed:
		return true
	default:
		return false
	}
}

// watchClient returns a Client whose Watch socket is sock.
func watchClient(sock *mcastSocket) *Client {
	return &Client{family: family, dial: func() (*genetlink.Conn, error) {
		return genetlink.NewConn(netlink.NewConn(sock, 1)), nil
	}}
}

// event is a message of the monitor group.
func event(t *testing.T, cmd uint8, data []byte) netlink.Message {
	t.Helper()
	b, err := reply(cmd, data).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return netlink.Message{Header: netlink.Header{Type: netlink.HeaderType(family.ID)}, Data: b}
}

// next returns the next event, or fails the test if none comes.
func next(t *testing.T, events <-chan Event) (Event, bool) {
	t.Helper()
	select {
	case ev, ok := <-events:
		return ev, ok
	case <-time.After(10 * time.Second):
		t.Fatal("no event in 10s")
	}
	return Event{}, false
}

// startWatch starts a watch on a fake socket, which it returns.
func startWatch(t *testing.T, ctx context.Context) (*mcastSocket, <-chan Event) {
	t.Helper()
	sock := newMcastSocket()
	events, err := watchClient(sock).Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return sock, events
}

// closedSoon fails the test unless events closes without more events, by
// when sock must be closed.
func closedSoon(t *testing.T, events <-chan Event, sock *mcastSocket) {
	t.Helper()
	if ev, ok := next(t, events); ok {
		t.Fatalf("event %+v, want the channel closed", ev)
	}
	if !sock.isClosed() {
		t.Error("socket still open after the channel closed")
	}
}

func TestWatch(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sock, events := startWatch(t, ctx)
	if diff := cmp.Diff([]uint32{9}, sock.joined); diff != "" {
		t.Errorf("joined groups (-want +got):\n%s", diff)
	}

	changed := eth0p5
	changed.Queue, changed.OperState = 3, brcmlink.OperDown
	noIndex := brcmlink.Port{Name: "x", Port: 1}
	feed := []received{
		{msgs: []netlink.Message{event(t, brcmlink.CmdPortNew, encodePort(t, eth0p5, nil)), event(t, brcmlink.CmdPortSet, encodePort(t, changed, nil))}},
		{err: os.NewSyscallError("recvmsg", syscall.ENOBUFS)},
		// A newer module's command, skipped.
		{msgs: []netlink.Message{event(t, brcmlink.CmdMax+1, encodePort(t, eth0p0, nil)), event(t, brcmlink.CmdPortDel, encodePort(t, farP3, nil))}},
		{msgs: []netlink.Message{event(t, brcmlink.CmdPortSet, encodePort(t, noIndex, nil))}},
		{msgs: []netlink.Message{event(t, brcmlink.CmdPortNew, encodePort(t, eth0p0, nil))}},
	}
	go func() {
		for _, r := range feed {
			select {
			case sock.feed <- r:
			case <-sock.closed:
				return
			}
		}
	}()

	for i, want := range []struct {
		ev  Event
		err string // of a Lost event
		is  error  // matching it
	}{
		{ev: Event{Kind: Created, Port: eth0p5}},
		{ev: Event{Kind: Changed, Port: changed}},
		{ev: Event{Kind: Lost}, err: "genl: watch: events lost: the socket's receive buffer overran: no buffer space available", is: ErrOverrun},
		{ev: Event{Kind: Deleted, Port: farP3}},
		{ev: Event{Kind: Lost}, err: "genl: watch: changed event: kernel reported a port without its ifindex or switch port"},
		{ev: Event{Kind: Created, Port: eth0p0}},
	} {
		ev, ok := next(t, events)
		if !ok {
			t.Fatalf("event %d: channel closed", i)
		}
		if diff := cmp.Diff(want.ev, ev, cmpopts.IgnoreFields(Event{}, "Err")); diff != "" {
			t.Errorf("event %d (-want +got):\n%s", i, diff)
		}
		if got := fmt.Sprint(ev.Err); want.err != "" && got != want.err || want.err == "" && ev.Err != nil {
			t.Errorf("event %d: error %q, want %q", i, got, want.err)
		}
		if want.is != nil && !errors.Is(ev.Err, want.is) {
			t.Errorf("event %d: errors.Is(%v, %v) = false", i, ev.Err, want.is)
		}
		if want.is == ErrOverrun && !errors.Is(ev.Err, syscall.ENOBUFS) {
			t.Errorf("event %d: errors.Is(%v, ENOBUFS) = false", i, ev.Err)
		}
	}

	cancel()
	closedSoon(t, events, sock)
}

// existingClient returns a Client whose first socket is the watch's,
// sock, and whose later ones answer a dump of the ports with the next of
// listings, or fail with EIO once listings run out (the dial, or the
// dump on a socket already open). It counts the
// listings served.
func existingClient(t *testing.T, sock *mcastSocket, listings [][]brcmlink.Port, served *int) *Client {
	var mu sync.Mutex
	dials := 0
	return &Client{family: family, dial: func() (*genetlink.Conn, error) {
		mu.Lock()
		defer mu.Unlock()
		dials++
		if dials == 1 {
			return genetlink.NewConn(netlink.NewConn(sock, 1)), nil
		}
		if *served == len(listings) {
			return nil, syscall.EIO
		}
		return genltest.Dial(genltest.ServeFamily(family, func(greq genetlink.Message, req netlink.Message) ([]genetlink.Message, error) {
			mu.Lock()
			defer mu.Unlock()
			if greq.Header.Command != brcmlink.CmdPortGet || req.Header.Flags&netlink.Dump == 0 {
				return nil, genltest.Error(int(syscall.EINVAL))
			}
			if *served == len(listings) {
				return nil, syscall.EIO // the socket's, as the dial's
			}
			var msgs []genetlink.Message
			for _, p := range listings[*served] {
				msgs = append(msgs, reply(brcmlink.CmdPortGet, encodePort(t, p, nil)))
			}
			*served++
			return msgs, nil
		})), nil
	}}
}

// TestWatchExisting checks that WatchExisting lists the ports before the
// events, lists them again after an overrun once it has passed on the
// events still queued, and ends the watch when a listing fails.
func TestWatchExisting(t *testing.T) {
	defer goleak.VerifyNone(t)
	sock := newMcastSocket()
	served := 0
	stale := eth0p0
	stale.Queue = 3
	c := existingClient(t, sock, [][]brcmlink.Port{{eth0p5, eth0p0}, {eth0p0}}, &served)
	events, err := c.Watch(context.Background(), WatchExisting())
	if err != nil {
		t.Fatal(err)
	}
	// The second overrun comes once the test has read the second
	// listing: one during a drain is covered by the listing after it.
	synced := make(chan struct{})
	go func() {
		for _, r := range []received{
			{msgs: []netlink.Message{event(t, brcmlink.CmdPortNew, encodePort(t, farP3, nil))}},
			{err: os.NewSyscallError("recvmsg", syscall.ENOBUFS)},
			// Queued before the drop, read after the error.
			{msgs: []netlink.Message{event(t, brcmlink.CmdPortSet, encodePort(t, stale, nil))}},
			{err: os.NewSyscallError("recvmsg", syscall.ENOBUFS)}, // during the drain
			{},
			{err: os.NewSyscallError("recvmsg", syscall.ENOBUFS)},
		} {
			if r.msgs == nil && r.err == nil {
				<-synced
				continue
			}
			select {
			case sock.feed <- r:
			case <-sock.closed:
				return
			}
		}
	}()
	for i, want := range []Event{
		{Kind: Existing, Port: eth0p5},
		{Kind: Existing, Port: eth0p0},
		{Kind: Synced},
		{Kind: Created, Port: farP3},
		{Kind: Lost},
		{Kind: Changed, Port: stale},
		{Kind: Existing, Port: eth0p0},
		{Kind: Synced},
		{Kind: Lost},
		{Kind: Lost}, // the third listing fails
	} {
		ev, ok := next(t, events)
		if !ok {
			t.Fatalf("event %d: channel closed", i)
		}
		if diff := cmp.Diff(want, ev, cmpopts.IgnoreFields(Event{}, "Err")); diff != "" {
			t.Errorf("event %d (-want +got):\n%s", i, diff)
		}
		if i == 7 {
			close(synced)
		}
		switch {
		case i == 4 || i == 8:
			if !errors.Is(ev.Err, ErrOverrun) {
				t.Errorf("event %d: %v, want ErrOverrun", i, ev.Err)
			}
		case i == 9:
			if !errors.Is(ev.Err, syscall.EIO) || errors.Is(ev.Err, ErrOverrun) {
				t.Errorf("event %d: %v, want the listing's EIO", i, ev.Err)
			}
		case ev.Err != nil:
			t.Errorf("event %d: error %v", i, ev.Err)
		}
	}
	closedSoon(t, events, sock)
	if served != 2 {
		t.Errorf("%d listings served, want 2", served)
	}
}

// TestWatchCancelUnread checks that the watch ends on cancel while the
// receiver reads nothing.
func TestWatchCancelUnread(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx, cancel := context.WithCancel(context.Background())
	sock, events := startWatch(t, ctx)
	sock.feed <- received{msgs: []netlink.Message{event(t, brcmlink.CmdPortNew, encodePort(t, eth0p5, nil))}}
	cancel()
	for range events { // the event may or may not come
	}
	if !sock.isClosed() {
		t.Error("socket still open after the channel closed")
	}
}

// TestWatchSocketFails checks that a failing socket ends the watch after
// a Lost event that says why.
func TestWatchSocketFails(t *testing.T) {
	defer goleak.VerifyNone(t)
	sock, events := startWatch(t, context.Background())
	sock.feed <- received{err: os.NewSyscallError("recvmsg", syscall.EBADF)}
	ev, _ := next(t, events)
	if ev.Kind != Lost || !errors.Is(ev.Err, syscall.EBADF) {
		t.Errorf("event %+v, want Lost with EBADF", ev)
	}
	closedSoon(t, events, sock)
}

func TestWatchErrors(t *testing.T) {
	defer goleak.VerifyNone(t)
	noGroup := &Client{family: genetlink.Family{ID: family.ID, Name: family.Name}, dial: func() (*genetlink.Conn, error) {
		panic("dialled without a group")
	}}
	bigBuffer := newMcastSocket()
	failing := newMcastSocket()
	failing.joinErr = syscall.EPERM
	for _, tt := range []struct {
		name string
		c    *Client
		opts []WatchOption
		is   error
		want string
	}{
		{"made by New", &Client{family: family}, nil, syscall.EOPNOTSUPP,
			"genl: watch: a Client made by New cannot open the socket a watch needs: operation not supported"},
		{"negative buffer", watchClient(bigBuffer), []WatchOption{WatchReadBuffer(-1)}, syscall.EINVAL,
			"genl: watch: invalid receive buffer size -1: invalid argument"},
		{"no monitor group", noGroup, nil, os.ErrNotExist,
			`genl: watch: family brcm has no multicast group "monitor": no such file or directory`},
		{"dial fails", &Client{family: family, dial: func() (*genetlink.Conn, error) { return nil, net.ErrClosed }}, nil, net.ErrClosed,
			"genl: watch: use of closed network connection"},
		{"join fails", watchClient(failing), nil, os.ErrPermission,
			"genl: watch: operation not permitted"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			events, err := tt.c.Watch(context.Background(), tt.opts...)
			if events != nil || !errors.Is(err, tt.is) || err.Error() != tt.want {
				t.Errorf("Watch: %v, %q; want nil, %q matching %v", events, err, tt.want, tt.is)
			}
		})
	}
	if !failing.isClosed() {
		t.Error("socket left open after the join failed")
	}
}

func TestEventKindString(t *testing.T) {
	for k, want := range map[EventKind]string{0: "EventKind(0)", Created: "created", Deleted: "deleted", Changed: "changed", Lost: "lost", Existing: "existing", Synced: "synced", 9: "EventKind(9)"} {
		if got := k.String(); got != want {
			t.Errorf("%d: %q, want %q", uint8(k), got, want)
		}
	}
}

// TestWatchExistingOutlivesClose closes the Client of a watch with
// WatchExisting, as Dial's closes its namespace, and overruns the
// watch's socket: the watch must list the ports again and go on, as
// Watch says Close does not end it.
func TestWatchExistingOutlivesClose(t *testing.T) {
	defer goleak.VerifyNone(t)
	sock := newMcastSocket()
	served := 0
	c := existingClient(t, sock, [][]brcmlink.Port{{eth0p5}, {eth0p0}}, &served)
	ns := new(netns)
	dial := c.dial
	c.dial = func() (*genetlink.Conn, error) { // as Dial's: none once closed
		ns.mu.Lock()
		defer ns.mu.Unlock()
		if ns.closed {
			return nil, net.ErrClosed
		}
		return dial()
	}
	c.ns = ns
	c.c = genetlink.NewConn(netlink.NewConn(newMcastSocket(), 1)) // the Client's own, for Close
	ctx, cancel := context.WithCancel(context.Background())
	events, err := c.Watch(ctx, WatchExisting())
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []Event{{Kind: Existing, Port: eth0p5}, {Kind: Synced}} {
		if ev, _ := next(t, events); ev.Kind != want.Kind || ev.Port.Name != want.Port.Name {
			t.Fatalf("event %d: %+v, want %+v", i, ev, want)
		}
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	go func() {
		select {
		case sock.feed <- received{err: os.NewSyscallError("recvmsg", syscall.ENOBUFS)}:
		case <-sock.closed:
		}
	}()
	for i, want := range []Event{{Kind: Lost}, {Kind: Existing, Port: eth0p0}, {Kind: Synced}} {
		ev, ok := next(t, events)
		if !ok || ev.Kind != want.Kind || ev.Port.Name != want.Port.Name {
			t.Fatalf("event %d after Close: %+v (open %t), want %+v", i, ev, ok, want)
		}
	}
	cancel()
	closedSoon(t, events, sock)
}
