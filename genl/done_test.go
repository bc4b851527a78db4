// SPDX-License-Identifier: MIT

package genl

import (
	"iter"
	"testing"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/internal/nlfake"
	"github.com/mdlayher/netlink"
	"github.com/mdlayher/netlink/nltest"
)

// queueSocket is a request socket on fn, as a kernel's: each request's
// answer is queued, and each Receive returns one datagram.
type queueSocket struct {
	fn    nltest.Func
	queue [][]netlink.Message
}

func (s *queueSocket) Close() error                             { return nil }
func (s *queueSocket) Send(m netlink.Message) error             { return s.SendMessages([]netlink.Message{m}) }
func (s *queueSocket) SetDeadline(time.Time) error              { return nil }
func (s *queueSocket) SetReadDeadline(time.Time) error          { return nil }
func (s *queueSocket) SetWriteDeadline(time.Time) error         { return nil }
func (s *queueSocket) SetOption(netlink.ConnOption, bool) error { return nil }
func (s *queueSocket) ReadBuffer() (int, error)                 { return 212992, nil }

func (s *queueSocket) SendMessages(ms []netlink.Message) error {
	for _, m := range ms {
		answer, err := s.fn([]netlink.Message{m})
		if err != nil {
			return err
		}
		s.queue = append(s.queue, answer)
	}
	return nil
}

func (s *queueSocket) Receive() ([]netlink.Message, error) {
	if len(s.queue) == 0 {
		return nil, nil
	}
	d := s.queue[0]
	s.queue = s.queue[1:]
	return d, nil
}

func (s *queueSocket) ReceiveIter() iter.Seq2[netlink.Message, error] {
	return nlfake.ReceiveIter(s.Receive)
}

// TestDumpInterruptedOnDone checks a dump whose NLMSG_DONE alone carries
// NLM_F_DUMP_INTR, as the kernel's does when the change came after its
// last port: it is done again.
func TestDumpInterruptedOnDone(t *testing.T) {
	var dumps int
	sock := &queueSocket{fn: func(reqs []netlink.Message) ([]netlink.Message, error) {
		dumps++
		nms := answer(t, reqs[0], nil, reply(brcmlink.CmdPortGet, encodePort(t, eth0p5, nil)))
		if dumps == 1 {
			nms[len(nms)-1].Header.Flags |= netlink.DumpInterrupted
		}
		return nms, nil
	}}
	c := socketClient(sock)
	if _, err := c.List(); err != nil {
		t.Fatal(err)
	}
	if dumps != 2 {
		t.Errorf("%d dumps, want 2: the first one's DONE said it was interrupted", dumps)
	}
}

// socketClient returns a Client on sock, as Dial makes one on its socket.
func socketClient(sock *queueSocket) *Client {
	rc := onSocket(sock, nltest.PID)
	return &Client{c: rc.c, nc: rc.nc, rcvbuf: rc.rcvbuf, done: rc.done, family: family}
}
