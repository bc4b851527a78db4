// SPDX-License-Identifier: MIT

// Package genl creates, changes, lists and deletes brcm ports, reads the
// counters of their lower devices, and watches ports come, change and go,
// over the brcm module's generic netlink family (BRCM_GENL_NAME in
// kernel/include/uapi/linux/brcm.h).
//
// A Client works in one network namespace: the caller's, or the one
// WithNetNS or WithNetNSName names. It takes the brcmlink package's
// Selector, AddRequest and SetRequest and returns ports as brcmlink.Port,
// exactly as the rtlink package does for the same device, and lowers as
// brcmlink.Lower. Beyond what rtlink does, it reads the lowers' counters
// (Lower, Lowers), changes the tag format of all a lower's ports at once
// (SetLowerFormat) and watches ports come, change and go (Watch).
//
// Its methods fail with a *brcmlink.Error for anything the kernel or the
// client's own checks refuse: match them with errors.Is against
// os.ErrNotExist, os.ErrExist, os.ErrPermission or an errno. A reply it
// cannot decode is a *brcmlink.OpError matching brcmlink.ErrMalformed.
// Without the brcm module, Dial fails with ErrNotLoaded.
package genl

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/internal/nl"
	"github.com/brcmlink/brcmlink/internal/nlsock"
	"github.com/mdlayher/genetlink"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// pkg makes this package's errors, which start with "genl".
const pkg nl.Pkg = "genl"

// ErrNotLoaded is what Dial's error matches, with errors.Is, when the
// kernel has no brcm family: the brcm module is not loaded. That error
// matches os.ErrNotExist as well, but so does Dial's error for a
// namespace WithNetNSName names and nobody made; ErrNotLoaded tells the
// two apart.
var ErrNotLoaded = errors.New("genl: the brcm module is not loaded")

// Client manages the brcm ports of a network namespace. It is safe for
// concurrent use: it does one request at a time.
//
// Each method has a variant taking a context.Context (ListContext for
// List), which bounds that call alone: when ctx is done, the call ends
// with ctx's error. SetDeadline bounds every call of the Client. A call
// that fails after sending its request, cut by its context, its deadline
// or a failure of the socket, leaves its answer queued on the socket: the
// next call opens a new socket first, so that it reads only its own
// answer.
type Client struct {
	mu        sync.Mutex // one exchange at a time: guards outOfStep, and c and nc with sock
	c         *genetlink.Conn
	nc        *netlink.Conn       // the socket under c, when Dial opened it: AddMany's
	rcvbuf    func() (int, error) // the receive buffer of the socket under c; nil if unknown
	done      *nlsock.IntrSocket  // the socket under nc, which sees the NLMSG_DONEs; nil if unknown
	outOfStep bool                // an exchange ended before its answer did
	family    genetlink.Family

	// redial opens another socket for requests, in place of one out of
	// step; nil for a Client made by New, which skips the answers to
	// earlier requests instead.
	redial func() (*requestConn, error)
	// dial opens another socket in the Client's namespace, for Watch.
	dial func() (*genetlink.Conn, error)
	ns   *netns // nil in tests

	sock     sync.Mutex // guards c and nc for Close and the deadlines, and what follows
	closed   bool
	deadline time.Time // SetDeadline's
	applied  time.Time // the socket's
	call     *call     // the exchange under way
}

// requestConn is a socket for requests.
type requestConn struct {
	c      *genetlink.Conn
	nc     *netlink.Conn
	rcvbuf func() (int, error)
	done   *nlsock.IntrSocket
}

// requestSocket is what a Client takes of a request socket: an
// nlsock.Socket's methods.
type requestSocket interface {
	nlsock.Transport
	SetDeadline(time.Time) error
	SetReadDeadline(time.Time) error
	SetWriteDeadline(time.Time) error
	SetOption(netlink.ConnOption, bool) error
	ReadBuffer() (int, error)
}

// onSocket returns the request socket s, with port id pid, as Conns.
func onSocket(s requestSocket, pid uint32) *requestConn {
	ds := &nlsock.IntrSocket{Transport: s}
	nc := netlink.NewConn(ds, pid)
	return &requestConn{c: genetlink.NewConn(nc), nc: nc, rcvbuf: s.ReadBuffer, done: ds}
}

// call is the bound of one exchange: its context's deadline, and whether
// the context is done.
type call struct {
	deadline time.Time
	canceled bool
	// recovery is an exchange the Client makes to learn what a failed
	// one did, which neither SetDeadline nor the caller's context bounds.
	recovery bool
}

// An Option configures Dial.
type Option func(*options)

type options struct {
	// openNetNS returns a file descriptor of the namespace to work in,
	// which the Client then owns; nil for the caller's namespace.
	openNetNS func() (int, error)
}

// WithNetNS makes the Client work in the network namespace of the file
// descriptor fd, such as an open /proc/PID/ns/net. Dial duplicates fd:
// the caller may close its own as soon as Dial returns. Entering another
// namespace needs CAP_SYS_ADMIN.
func WithNetNS(fd int) Option {
	return func(o *options) {
		o.openNetNS = func() (int, error) {
			dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, minNetNSFD)
			if err != nil {
				return 0, pkg.Errorf(errnoOf(err), "network namespace fd %d", fd)
			}
			return dup, nil
		}
	}
}

// WithNetNSName makes the Client work in the network namespace that
// `ip netns add NAME` created, as `ip -n NAME` does: the one bound at
// /run/netns/NAME.
func WithNetNSName(name string) Option {
	return func(o *options) {
		o.openNetNS = func() (int, error) {
			// ip netns takes no path, only a name.
			if err := brcmlink.CheckNetNSName(name); err != nil {
				return 0, pkg.Wrap("", "", err)
			}
			path := "/run/netns/" + name
			fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if err != nil {
				return 0, pkg.Errorf(errnoOf(err), "network namespace %s: open %s", name, path)
			}
			if fd >= minNetNSFD {
				return fd, nil
			}
			// stdin, stdout or stderr was closed: move out of their way.
			dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, minNetNSFD)
			unix.Close(fd)
			if err != nil {
				return 0, pkg.Errorf(errnoOf(err), "network namespace %s: %s", name, path)
			}
			return dup, nil
		}
	}
}

// minNetNSFD is the lowest descriptor a Client keeps a namespace in: 0
// means the caller's own namespace to the sockets (as to netlink.Config),
// and a closed stdin, stdout or stderr must not become one.
const minNetNSFD = 3

// errnoOf returns the errno in err, or EINVAL if there is none.
func errnoOf(err error) syscall.Errno {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return syscall.EINVAL
}

// Dial opens a generic netlink socket and resolves the brcm family on it.
// It joins no multicast group: Watch does, on a socket of its own.
func Dial(opts ...Option) (c *Client, err error) {
	defer pkg.Annotate(&err, "dial", "")
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	ns := new(netns)
	if o.openNetNS != nil {
		if ns.fd, err = o.openNetNS(); err != nil {
			return nil, err
		}
	}
	rc, err := ns.dialRequests()
	if err != nil {
		_ = ns.close()
		return nil, err
	}
	if c, err = open(rc.c, ns.dial); err != nil {
		_ = rc.c.Close()
		_ = ns.close()
		return nil, err
	}
	c.nc, c.rcvbuf, c.done, c.ns = rc.nc, rc.rcvbuf, rc.done, ns
	c.redial = ns.dialRequests
	return c, nil
}

// New returns a Client on conn, an open generic netlink socket, once it
// has found the brcm family there (ErrNotLoaded if there is none). The
// Client owns conn and closes it. It is the seam for tests: conn may be
// one of genltest's, serving a fake family. Such a Client cannot Watch,
// which needs sockets of its own: Open's can. Nor can it open a new
// socket after a call that failed with its answer queued: it skips the
// answers to earlier requests instead.
func New(conn *genetlink.Conn) (c *Client, err error) {
	defer pkg.Annotate(&err, "new", "")
	return open(conn, nil)
}

// Open returns a Client on the sockets dial opens: one at once for its
// requests, one for each watch (two with WatchExisting: one to list the
// ports on), and one for requests again after a call that failed with
// its answer queued. It is
// New for a fake kernel that can also watch, such as brcmtest's.
func Open(dial func() (*genetlink.Conn, error)) (c *Client, err error) {
	defer pkg.Annotate(&err, "open", "")
	conn, err := dial()
	if err != nil {
		return nil, err
	}
	if c, err = open(conn, dial); err != nil {
		_ = conn.Close()
		return nil, err
	}
	c.redial = func() (*requestConn, error) {
		conn, err := dial()
		if err != nil {
			return nil, err
		}
		return &requestConn{c: conn}, nil
	}
	return c, nil
}

// open returns a Client on conn, once it has found the family there.
func open(conn *genetlink.Conn, dial func() (*genetlink.Conn, error)) (*Client, error) {
	f, err := conn.GetFamily(brcmlink.GenlName)
	if errors.Is(err, syscall.ENOENT) {
		msg := fmt.Sprintf("no generic netlink family %q: not loaded, and the kernel could not load it (install the brcm-dkms package; modprobe brcm says why)", brcmlink.GenlName)
		var oe *netlink.OpError
		if errors.As(err, &oe) && oe.Message != "" {
			msg = oe.Message + ": " + msg
		}
		return nil, pkg.ErrorfIs(ErrNotLoaded, syscall.ENOENT, "%s", msg)
	}
	if err != nil {
		return nil, err
	}
	return &Client{c: conn, family: f, dial: dial}, nil
}

// FamilyVersion returns the version of the kernel's brcm family
// (BRCM_GENL_VERSION of the module's header).
func (c *Client) FamilyVersion() int { return int(c.family.Version) }

// SetDeadline bounds the Client's requests: one still waiting for its
// answer at t fails with an error matching os.ErrDeadlineExceeded, and so
// does every request after t, until a later deadline is set. The zero
// time means none. It bounds the calls of every goroutine using the
// Client: to bound one call, give it a context instead (ListContext). It
// does not bound Watch: its context does.
func (c *Client) SetDeadline(t time.Time) error {
	c.sock.Lock()
	defer c.sock.Unlock()
	c.deadline = t
	return pkg.Wrap("set deadline", "", c.applyDeadline())
}

// Close closes the socket, ending a request that waits for its answer;
// every call after it fails with an error matching net.ErrClosed. It
// does not end the Client's watches: their contexts do.
func (c *Client) Close() error {
	c.sock.Lock()
	c.closed = true
	err := c.c.Close()
	c.sock.Unlock()
	if c.ns != nil {
		if nerr := c.ns.close(); err == nil {
			err = nerr
		}
	}
	return err
}

// applyDeadline gives the socket the deadline of the exchange under way:
// the earlier of SetDeadline's and its context's, or one past if its
// context is done. Called with c.sock held.
func (c *Client) applyDeadline() error {
	t := c.deadline
	if cl := c.call; cl != nil {
		switch {
		case cl.recovery:
			t = time.Time{}
		case cl.canceled:
			t = time.Unix(1, 0)
		case !cl.deadline.IsZero() && (t.IsZero() || cl.deadline.Before(t)):
			t = cl.deadline
		}
	}
	if t.Equal(c.applied) {
		return nil // a socket of a test may have no deadlines
	}
	if err := c.c.SetDeadline(t); err != nil {
		return err
	}
	c.applied = t
	return nil
}

// begin starts an exchange bounded by ctx, and returns what ends it.
// Called with c.mu held.
func (c *Client) begin(ctx context.Context, recovery bool) (end func(), err error) {
	cl := &call{recovery: recovery}
	cl.deadline, _ = ctx.Deadline()
	c.sock.Lock()
	c.call = cl
	err = c.applyDeadline()
	if err != nil {
		c.call = nil
	}
	c.sock.Unlock()
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() {
		c.sock.Lock()
		defer c.sock.Unlock()
		if c.call == cl { // else the exchange is over
			cl.canceled = true
			_ = c.applyDeadline() // ends a wait for the answer
		}
	})
	return func() {
		stop()
		c.sock.Lock()
		defer c.sock.Unlock()
		c.call = nil
		_ = c.applyDeadline()
	}, nil
}

// exchange runs do, which sends requests and reads their answers, bounded
// by ctx: alone on the socket, and on one in step. do reports whether it
// read the answers to their end; if not, the socket is out of step, and
// the next exchange opens another (resync). A failure of the socket once
// ctx is done is ctx's error.
func (c *Client) exchange(ctx context.Context, recovery bool, do func() (inStep bool, err error)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.resync(); err != nil {
		return err
	}
	end, err := c.begin(ctx, recovery)
	if err != nil {
		return err
	}
	defer end()
	inStep, err := do()
	if !inStep {
		c.outOfStep = true
	}
	if err != nil && !isRefusal(err) && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// resync puts a socket out of step back in step: it opens another, which
// holds no answer to an earlier request, and closes this one, with what
// it holds (the rest of a dump too). A Client made by New skips the
// answers instead (receive). Called with c.mu held.
func (c *Client) resync() error {
	if !c.outOfStep || c.redial == nil {
		return nil
	}
	rc, err := c.redial()
	if err != nil {
		return err
	}
	c.sock.Lock()
	if c.closed {
		c.sock.Unlock()
		_ = rc.c.Close()
		return net.ErrClosed
	}
	old := c.c
	c.c, c.nc, c.rcvbuf, c.done = rc.c, rc.nc, rc.rcvbuf, rc.done
	c.applied = time.Time{}
	c.sock.Unlock()
	_ = old.Close()
	c.outOfStep = false
	return nil
}

// receive reads the next answer. A Client out of step that cannot open
// another socket (New's) skips the answers to earlier requests: mine
// tells the sequence numbers of the exchange's own. Called with c.mu
// held.
func (c *Client) receive(mine func(seq uint32) bool) ([]genetlink.Message, []netlink.Message, error) {
	for {
		gms, nms, err := c.c.Receive()
		if c.outOfStep {
			var oe *netlink.OpError
			switch {
			case err == nil && len(nms) > 0 && !mine(nms[0].Header.Sequence):
				continue
			case errors.As(err, &oe) && oe.Sequence != 0 && !mine(oe.Sequence):
				continue
			case err == nil || isRefusal(err):
				c.outOfStep = false // the kernel answers in order
			}
		}
		return gms, nms, err
	}
}

// netns is the namespace a Client works in: the descriptor of the
// namespace, or 0 for the caller's own. The Client keeps it open for the
// sockets Watch opens later, so that a namespace given by name keeps
// meaning the same one; the Client's socket pins the namespace anyway.
type netns struct {
	mu     sync.Mutex // orders dial and close: a closed fd number may be reused
	fd     int
	closed bool
}

// dial opens a generic netlink socket in the namespace, for Watch: the
// netlink package's, whose reads a context can end.
func (n *netns) dial() (*genetlink.Conn, error) {
	c, err := n.open(func() (*netlink.Conn, error) {
		return netlink.Dial(unix.NETLINK_GENERIC, &netlink.Config{NetNS: n.fd})
	})
	if err != nil {
		return nil, err
	}
	return genetlink.NewConn(c), nil
}

// dialRequests opens a socket for the Client's requests in the
// namespace: a blocking one (internal/nlsock), which costs a request no
// more than the system calls.
func (n *netns) dialRequests() (*requestConn, error) {
	var rc *requestConn
	_, err := n.open(func() (*netlink.Conn, error) {
		s, pid, err := nlsock.Dial(unix.NETLINK_GENERIC, n.fd)
		if err != nil {
			return nil, err
		}
		rc = onSocket(s, pid)
		return rc.nc, nil
	})
	if err != nil {
		return nil, err
	}
	return rc, nil
}

// open opens a socket with dial, unless n is closed.
func (n *netns) open(dial func() (*netlink.Conn, error)) (*netlink.Conn, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil, net.ErrClosed
	}
	c, err := dial()
	if err != nil {
		return nil, err
	}
	// Best effort: without extended acks (before Linux 4.12) errors still
	// carry the errno, only not the kernel's message.
	_ = c.SetOption(netlink.ExtendedAcknowledge, true)
	return c, nil
}

func (n *netns) close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil
	}
	n.closed = true
	if n.fd == 0 {
		return nil
	}
	return unix.Close(n.fd)
}

// execute sends one request of cmd, with the attributes encode writes,
// and returns the replies. interrupted reports NLM_F_DUMP_INTR on any of
// them, which genetlink.Conn.Execute would hide: hence Send and Receive;
// or on the NLMSG_DONE, which netlink.Conn hides, for a Client whose
// socket is an nlsock.IntrSocket (Dial's). The DONE of a fake's socket
// under New or Open goes unseen.
func (c *Client) execute(ctx context.Context, cmd uint8, flags netlink.HeaderFlags, encode func(*netlink.AttributeEncoder)) (msgs []genetlink.Message, interrupted bool, err error) {
	return c.executeWith(ctx, false, cmd, flags, encode)
}

// executeWith is execute, for a recovery exchange if recovery is true
// (see call).
func (c *Client) executeWith(ctx context.Context, recovery bool, cmd uint8, flags netlink.HeaderFlags, encode func(*netlink.AttributeEncoder)) (msgs []genetlink.Message, interrupted bool, err error) {
	m, err := request(cmd, encode)
	if err != nil {
		return nil, false, err
	}
	err = c.exchange(ctx, recovery, func() (bool, error) {
		if c.done != nil {
			c.done.Reset()
		}
		req, err := c.c.Send(m, c.family.ID, netlink.Request|flags)
		if err != nil {
			return true, err // not sent
		}
		gms, nms, err := c.receive(func(seq uint32) bool { return seq == req.Header.Sequence })
		if err != nil {
			// The kernel's error ends its answer, a dump's too.
			return isRefusal(err), err
		}
		if err := netlink.Validate(req, nms); err != nil {
			return false, err
		}
		interrupted = c.done != nil && c.done.Interrupted()
		for i, nm := range nms {
			interrupted = interrupted || nm.Header.Flags&netlink.DumpInterrupted != 0
			if nm.Header.Type != netlink.Error { // else the acknowledgement
				msgs = append(msgs, gms[i])
			}
		}
		return true, nil
	})
	if err != nil {
		return nil, false, err
	}
	return msgs, interrupted, nil
}

// request is a message of the family's command cmd, with the attributes
// encode writes (none if nil).
func request(cmd uint8, encode func(*netlink.AttributeEncoder)) (genetlink.Message, error) {
	ae := netlink.NewAttributeEncoder()
	if encode != nil {
		encode(ae)
	}
	b, err := ae.Encode()
	return genetlink.Message{
		Header: genetlink.Header{Command: cmd, Version: brcmlink.GenlVersion},
		Data:   b,
	}, err
}

// dumpTries is how many dumps in a row may be interrupted before a
// listing gives up.
const dumpTries = 5

// dump returns every reply to a dump request of cmd. It dumps again while
// the kernel marks the dump interrupted: a port or lower came or went
// while it ran, so one may be missing or twice. what names the objects,
// for the error.
func (c *Client) dump(ctx context.Context, cmd uint8, encode func(*netlink.AttributeEncoder), what string) ([]genetlink.Message, error) {
	return c.dumpWith(ctx, false, cmd, encode, what)
}

// dumpWith is dump, for a recovery exchange if recovery is true.
func (c *Client) dumpWith(ctx context.Context, recovery bool, cmd uint8, encode func(*netlink.AttributeEncoder), what string) ([]genetlink.Message, error) {
	for range dumpTries {
		msgs, interrupted, err := c.executeWith(ctx, recovery, cmd, netlink.Dump, encode)
		if err != nil || !interrupted {
			return msgs, err
		}
	}
	return nil, pkg.Errorf(syscall.EINTR, "the %s kept changing: %d dumps in a row were interrupted", what, dumpTries)
}

// decodeOne sends a request of cmd that the kernel answers with one
// message, and decodes that with parse.
func decodeOne[T any](ctx context.Context, c *Client, cmd uint8, encode func(*netlink.AttributeEncoder), parse func([]byte) (T, error)) (*T, error) {
	msgs, _, err := c.execute(ctx, cmd, 0, encode)
	if err != nil {
		return nil, err
	}
	if len(msgs) != 1 {
		return nil, nl.Malformed("kernel answered %d messages for one", len(msgs))
	}
	v, err := parse(msgs[0].Data)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// decodeDump dumps cmd, as dump does, and decodes each message with parse.
func decodeDump[T any](ctx context.Context, c *Client, cmd uint8, encode func(*netlink.AttributeEncoder), what string, parse func([]byte) (T, error)) ([]T, error) {
	msgs, err := c.dump(ctx, cmd, encode, what)
	if err != nil {
		return nil, err
	}
	vs := make([]T, 0, len(msgs))
	for _, m := range msgs {
		v, err := parse(m.Data)
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, nil
}
