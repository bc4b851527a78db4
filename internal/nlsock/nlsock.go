// SPDX-License-Identifier: MIT

// Package nlsock is a netlink.Socket on a blocking file descriptor, for
// sockets that only send requests and read their answers.
//
// The netlink package's own socket goes through the runtime's network
// poller, and its socket package starts a goroutine for every system
// call, to watch for a cancellation that a request to the kernel never
// has. A request to the kernel does its work inside sendmsg, and its
// answer is queued before sendmsg returns, so a blocking descriptor
// waits for nothing: creating 1,000 brcm ports took 0.6 s less this way
// in the test VM (docs/performance.md). Sockets that wait for multicast
// messages, and must stop when a context ends, keep the netlink
// package's.
package nlsock

import (
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// Socket is a blocking netlink socket, safe for concurrent use;
// netlink.Conn matches answers to requests. Reads try the socket without
// waiting first, since an answer is queued before its request's sendmsg
// returns, and wait in poll only when nothing is there, so that Close and
// the deadlines can end the wait.
type Socket struct {
	fd   int // the netlink socket
	wake int // an eventfd: Close and the deadlines write it to end a wait

	// refs counts the calls using the descriptors. Once closed is set no
	// call starts, and the last one to end closes them: a descriptor
	// number the kernel may give the next socket is never used again.
	state  sync.Mutex
	refs   int
	closed bool

	readDeadline, writeDeadline atomic.Int64 // UnixNano; 0 for none

	mu  sync.Mutex // guards buf
	buf []byte
}

// bufSize holds any datagram the kernel sends a request socket: dumps
// fill at most 32 KiB (netlink_dump() caps max_recvmsg_len there).
const bufSize = 64 << 10

// Dial opens a netlink socket of family in the network namespace of the
// file descriptor netns, or in the caller's if netns is 0, and returns it
// with its port id, ready for netlink.NewConn. (Socket implements
// netlink.Socket, which the netlink package has deprecated as a testing
// aid; a Conn on it does requests and answers, which is all it is for.)
func Dial(family, netns int) (*Socket, uint32, error) {
	fd, err := socketIn(netns, family)
	if err != nil {
		return nil, 0, err
	}
	s, err := newSocket(fd)
	if err != nil {
		unix.Close(fd)
		return nil, 0, err
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		_ = s.Close()
		return nil, 0, os.NewSyscallError("bind", err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		_ = s.Close()
		return nil, 0, os.NewSyscallError("getsockname", err)
	}
	nsa, ok := sa.(*unix.SockaddrNetlink)
	if !ok {
		_ = s.Close()
		return nil, 0, fmt.Errorf("netlink socket has a %T address", sa)
	}
	return s, nsa.Pid, nil
}

// newSocket makes fd a Socket, which owns it from then on.
func newSocket(fd int) (*Socket, error) {
	wake, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return nil, os.NewSyscallError("eventfd", err)
	}
	return &Socket{fd: fd, wake: wake, buf: make([]byte, bufSize)}, nil
}

// Conn opens a netlink.Conn of family on a Socket (see Dial).
func Conn(family, netns int) (*netlink.Conn, error) {
	s, pid, err := Dial(family, netns)
	if err != nil {
		return nil, err
	}
	return netlink.NewConn(s, pid), nil
}

// socketIn creates the socket in netns from a thread of its own: the
// namespace a socket works in is the one its creator was in.
func socketIn(netns, family int) (int, error) {
	create := func() (int, error) {
		fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, family)
		return fd, os.NewSyscallError("socket", err)
	}
	if netns == 0 {
		return create()
	}
	type result struct {
		fd  int
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		// A thread that cannot go back to its namespace stays locked, so
		// that it ends with this goroutine instead of serving others.
		back, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			ch <- result{-1, os.NewSyscallError("open", err)}
			return
		}
		defer unix.Close(back)
		if err := unix.Setns(netns, unix.CLONE_NEWNET); err != nil {
			ch <- result{-1, os.NewSyscallError("setns", err)}
			return
		}
		fd, err := create()
		if serr := unix.Setns(back, unix.CLONE_NEWNET); serr != nil {
			if err == nil {
				unix.Close(fd)
			}
			ch <- result{-1, os.NewSyscallError("setns", serr)}
			return
		}
		runtime.UnlockOSThread()
		ch <- result{fd, err}
	}()
	r := <-ch
	return r.fd, r.err
}

// Close closes the socket and ends a Receive waiting on it. Every call
// after it fails with net.ErrClosed, a second Close too.
func (s *Socket) Close() error {
	s.state.Lock()
	defer s.state.Unlock()
	if s.closed {
		return net.ErrClosed
	}
	s.closed = true
	if s.refs > 0 {
		s.kick() // the last call to end closes the descriptors
		return nil
	}
	return s.closeFDs()
}

func (s *Socket) closeFDs() error {
	werr := unix.Close(s.wake)
	if err := unix.Close(s.fd); err != nil {
		return os.NewSyscallError("close", err)
	}
	return os.NewSyscallError("close", werr)
}

// acquire starts a call that uses the descriptors; release ends it.
func (s *Socket) acquire() error {
	s.state.Lock()
	defer s.state.Unlock()
	if s.closed {
		return net.ErrClosed
	}
	s.refs++
	return nil
}

func (s *Socket) release() {
	s.state.Lock()
	defer s.state.Unlock()
	if s.refs--; s.refs == 0 && s.closed {
		_ = s.closeFDs()
	}
}

// kick ends a wait in recv, which then looks at closed and the deadline
// again. The descriptors must be open: with state held, or in a call.
func (s *Socket) kick() {
	one := [8]byte{1}
	_, _ = unix.Write(s.wake, one[:]) // EAGAIN: already kicked
}

func (s *Socket) isClosed() bool {
	s.state.Lock()
	defer s.state.Unlock()
	return s.closed
}

// SetDeadline sets the read and write deadlines: a call past its deadline
// fails with os.ErrDeadlineExceeded; the zero time means none.
func (s *Socket) SetDeadline(t time.Time) error {
	return s.setDeadline(t, &s.readDeadline, &s.writeDeadline)
}

// SetReadDeadline sets the deadline of Receive, as SetDeadline does.
func (s *Socket) SetReadDeadline(t time.Time) error { return s.setDeadline(t, &s.readDeadline) }

// SetWriteDeadline sets the deadline of Send, as SetDeadline does.
func (s *Socket) SetWriteDeadline(t time.Time) error { return s.setDeadline(t, &s.writeDeadline) }

func (s *Socket) setDeadline(t time.Time, ds ...*atomic.Int64) error {
	if err := s.acquire(); err != nil {
		return err
	}
	defer s.release()
	var ns int64
	if !t.IsZero() {
		ns = max(t.UnixNano(), 1)
	}
	for _, d := range ds {
		d.Store(ns)
	}
	s.kick() // a wait under way takes the new deadline
	return nil
}

// timeout is how long a call may still wait, in poll's milliseconds
// rounded up (-1: no deadline), or os.ErrDeadlineExceeded.
func timeout(deadline *atomic.Int64) (int, error) {
	d := deadline.Load()
	if d == 0 {
		return -1, nil
	}
	left := time.Until(time.Unix(0, d))
	if left <= 0 {
		return 0, os.ErrDeadlineExceeded
	}
	return int((left + time.Millisecond - 1) / time.Millisecond), nil
}

// Send sends one message to the kernel.
func (s *Socket) Send(m netlink.Message) error {
	return s.SendMessages([]netlink.Message{m})
}

// SendMessages sends the messages to the kernel in one datagram, which
// the kernel handles one message after the other.
func (s *Socket) SendMessages(ms []netlink.Message) error {
	var b []byte
	for _, m := range ms {
		mb, err := m.MarshalBinary()
		if err != nil {
			return err
		}
		b = append(b, mb...)
	}
	if err := s.acquire(); err != nil {
		return err
	}
	defer s.release()
	// The kernel takes a request whole, inside sendmsg: only a deadline
	// already past stops one.
	if _, err := timeout(&s.writeDeadline); err != nil {
		return err
	}
	return os.NewSyscallError("sendto", unix.Sendto(s.fd, b, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}))
}

// Receive returns the messages of the next datagram.
func (s *Socket) Receive() ([]netlink.Message, error) { return Collect(s.ReceiveIter()) }

// Collect returns the messages a netlink.Socket's ReceiveIter yields, as
// its Receive does: all of them, or the first error.
func Collect(it iter.Seq2[netlink.Message, error]) ([]netlink.Message, error) {
	var ms []netlink.Message
	for m, err := range it {
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// ReceiveIter yields the messages of the next datagram, copied out of
// the socket's buffer.
func (s *Socket) ReceiveIter() iter.Seq2[netlink.Message, error] {
	return func(yield func(netlink.Message, error) bool) {
		b, err := s.recv()
		if err != nil {
			yield(netlink.Message{}, err)
			return
		}
		for len(b) >= unix.NLMSG_HDRLEN {
			l := int(binary.NativeEndian.Uint32(b))
			if l < unix.NLMSG_HDRLEN || l > len(b) {
				yield(netlink.Message{}, fmt.Errorf("netlink message of %d bytes in %d", l, len(b)))
				return
			}
			var m netlink.Message
			if err := m.UnmarshalBinary(b[:l]); err != nil {
				yield(netlink.Message{}, err)
				return
			}
			if !yield(m, nil) {
				return
			}
			b = b[min(align(l), len(b)):]
		}
	}
}

// recv returns a copy of the next datagram.
func (s *Socket) recv() ([]byte, error) {
	if err := s.acquire(); err != nil {
		return nil, err
	}
	defer s.release()
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		wait, err := timeout(&s.readDeadline)
		if err != nil {
			return nil, err
		}
		// MSG_TRUNC: n is the datagram's size even if it did not fit.
		n, _, err := unix.Recvfrom(s.fd, s.buf, unix.MSG_TRUNC|unix.MSG_DONTWAIT)
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EAGAIN):
			if err := s.wait(wait); err != nil {
				return nil, err
			}
			continue
		case err != nil:
			return nil, os.NewSyscallError("recvfrom", err)
		case n > len(s.buf):
			return nil, fmt.Errorf("netlink datagram of %d bytes truncated to %d", n, len(s.buf))
		}
		return append([]byte(nil), s.buf[:n]...), nil
	}
}

// wait waits up to ms milliseconds (-1: no limit) for the socket to be
// readable, or for a kick: then it fails with net.ErrClosed if Close
// kicked, else returns for recv to look again.
func (s *Socket) wait(ms int) error {
	fds := []unix.PollFd{{Fd: int32(s.fd), Events: unix.POLLIN}, {Fd: int32(s.wake), Events: unix.POLLIN}}
	if _, err := unix.Poll(fds, ms); err != nil && !errors.Is(err, unix.EINTR) {
		return os.NewSyscallError("poll", err)
	}
	if fds[1].Revents == 0 {
		return nil
	}
	if s.isClosed() {
		return net.ErrClosed
	}
	var n [8]byte
	_, _ = unix.Read(s.wake, n[:]) // reset: EAGAIN if another read did
	return nil
}

// ReadBuffer returns the socket's receive buffer, SO_RCVBUF: the bytes
// of answers the kernel queues on it before it drops them (ENOBUFS).
func (s *Socket) ReadBuffer() (int, error) {
	if err := s.acquire(); err != nil {
		return 0, err
	}
	defer s.release()
	n, err := unix.GetsockoptInt(s.fd, unix.SOL_SOCKET, unix.SO_RCVBUF)
	return n, os.NewSyscallError("getsockopt", err)
}

// options are the socket options a request socket takes.
var options = map[netlink.ConnOption]int{
	netlink.ExtendedAcknowledge: unix.NETLINK_EXT_ACK,
	netlink.CapAcknowledge:      unix.NETLINK_CAP_ACK,
	netlink.GetStrictCheck:      unix.NETLINK_GET_STRICT_CHK,
}

// SetOption sets one of the socket options a request socket takes.
func (s *Socket) SetOption(option netlink.ConnOption, enable bool) error {
	o, ok := options[option]
	if !ok {
		return os.NewSyscallError("setsockopt", unix.ENOPROTOOPT)
	}
	if err := s.acquire(); err != nil {
		return err
	}
	defer s.release()
	v := 0
	if enable {
		v = 1
	}
	return os.NewSyscallError("setsockopt", unix.SetsockoptInt(s.fd, unix.SOL_NETLINK, o, v))
}

func align(n int) int { return (n + unix.NLMSG_ALIGNTO - 1) &^ (unix.NLMSG_ALIGNTO - 1) }

// DumpIntr notes NLM_F_DUMP_INTR on the messages a request socket reads,
// the NLMSG_DONE included, which netlink.Conn reads but never returns: a
// dump the kernel finds changed only after its last part says so on its
// DONE alone. Both clients wrap their sockets' reads with Watch.
type DumpIntr struct {
	intr atomic.Bool
}

// Watch yields what it yields, noting the flag on each message.
func (d *DumpIntr) Watch(it iter.Seq2[netlink.Message, error]) iter.Seq2[netlink.Message, error] {
	return func(yield func(netlink.Message, error) bool) {
		for m, err := range it {
			if err == nil && m.Header.Flags&netlink.DumpInterrupted != 0 {
				d.intr.Store(true)
			}
			if !yield(m, err) {
				return
			}
		}
	}
}

// Reset forgets the flag, before an exchange.
func (d *DumpIntr) Reset() { d.intr.Store(false) }

// Interrupted reports whether a message read since Reset had the flag.
func (d *DumpIntr) Interrupted() bool { return d.intr.Load() }

// Transport is the method set netlink.NewConn takes of a socket, which
// the netlink package names Socket and deprecates for its users: the
// clients wrap their sockets in it to see what Conn hides.
type Transport interface {
	Close() error
	Send(m netlink.Message) error
	SendMessages(m []netlink.Message) error
	Receive() ([]netlink.Message, error)
	ReceiveIter() iter.Seq2[netlink.Message, error]
}

// IntrSocket is a request socket whose reads note NLM_F_DUMP_INTR
// (DumpIntr), for netlink.NewConn. netlink.Conn asks its socket for
// deadlines and options by type assertion: IntrSocket passes them on to
// the socket it wraps, so that wrapping loses neither (without
// SetOption, no extended ack would come back).
type IntrSocket struct {
	Transport
	DumpIntr
}

// ReceiveIter yields the socket's messages, noting the flag on each.
func (s *IntrSocket) ReceiveIter() iter.Seq2[netlink.Message, error] {
	return s.Watch(s.Transport.ReceiveIter())
}

// Receive returns the socket's next messages, noting the flag on each.
func (s *IntrSocket) Receive() ([]netlink.Message, error) { return Collect(s.ReceiveIter()) }

type deadlines interface {
	SetDeadline(time.Time) error
	SetReadDeadline(time.Time) error
	SetWriteDeadline(time.Time) error
}

// SetDeadline passes on to the socket, if it has deadlines.
func (s *IntrSocket) SetDeadline(t time.Time) error {
	if d, ok := s.Transport.(deadlines); ok {
		return d.SetDeadline(t)
	}
	return errors.ErrUnsupported
}

// SetReadDeadline passes on to the socket, if it has deadlines.
func (s *IntrSocket) SetReadDeadline(t time.Time) error {
	if d, ok := s.Transport.(deadlines); ok {
		return d.SetReadDeadline(t)
	}
	return errors.ErrUnsupported
}

// SetWriteDeadline passes on to the socket, if it has deadlines.
func (s *IntrSocket) SetWriteDeadline(t time.Time) error {
	if d, ok := s.Transport.(deadlines); ok {
		return d.SetWriteDeadline(t)
	}
	return errors.ErrUnsupported
}

// SetOption passes on to the socket, if it takes options.
func (s *IntrSocket) SetOption(option netlink.ConnOption, enable bool) error {
	if o, ok := s.Transport.(interface {
		SetOption(netlink.ConnOption, bool) error
	}); ok {
		return o.SetOption(option, enable)
	}
	return errors.ErrUnsupported
}
