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
	"os"
	"runtime"
	"sync"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// Socket is a blocking netlink socket, safe for concurrent use;
// netlink.Conn matches answers to requests.
type Socket struct {
	fd  int
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
	s := &Socket{fd: fd, buf: make([]byte, bufSize)}
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

// Close closes the socket.
func (s *Socket) Close() error {
	return os.NewSyscallError("close", unix.Close(s.fd))
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
	return os.NewSyscallError("sendto", unix.Sendto(s.fd, b, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}))
}

// Receive returns the messages of the next datagram.
func (s *Socket) Receive() ([]netlink.Message, error) {
	var ms []netlink.Message
	for m, err := range s.ReceiveIter() {
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
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		// MSG_TRUNC: n is the datagram's size even if it did not fit.
		n, _, err := unix.Recvfrom(s.fd, s.buf, unix.MSG_TRUNC)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return nil, os.NewSyscallError("recvfrom", err)
		}
		if n > len(s.buf) {
			return nil, fmt.Errorf("netlink datagram of %d bytes truncated to %d", n, len(s.buf))
		}
		return append([]byte(nil), s.buf[:n]...), nil
	}
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
	v := 0
	if enable {
		v = 1
	}
	return os.NewSyscallError("setsockopt", unix.SetsockoptInt(s.fd, unix.SOL_NETLINK, o, v))
}

func align(n int) int { return (n + unix.NLMSG_ALIGNTO - 1) &^ (unix.NLMSG_ALIGNTO - 1) }
