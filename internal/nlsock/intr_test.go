// SPDX-License-Identifier: MIT

package nlsock

import (
	"errors"
	"iter"
	"testing"
	"time"

	"github.com/mdlayher/netlink"
)

// bare is a Transport with neither deadlines nor options.
type bare struct{}

func (bare) Close() error                         { return nil }
func (bare) Send(netlink.Message) error           { return nil }
func (bare) SendMessages([]netlink.Message) error { return nil }
func (bare) Receive() ([]netlink.Message, error)  { return nil, nil }
func (bare) ReceiveIter() iter.Seq2[netlink.Message, error] {
	return func(func(netlink.Message, error) bool) {}
}

// full has both, and records them.
type full struct {
	bare
	deadline time.Time
	options  map[netlink.ConnOption]bool
}

func (f *full) SetDeadline(t time.Time) error      { f.deadline = t; return nil }
func (f *full) SetReadDeadline(t time.Time) error  { f.deadline = t; return nil }
func (f *full) SetWriteDeadline(t time.Time) error { f.deadline = t; return nil }
func (f *full) SetOption(o netlink.ConnOption, on bool) error {
	f.options[o] = on
	return nil
}

// TestIntrSocketPassesOn: a Conn on an IntrSocket sets the wrapped
// socket's deadlines and options, extended acks among them (rtlink lost
// the kernel's messages and its deadlines when its wrapper did not), and
// says it cannot where the socket has none.
func TestIntrSocketPassesOn(t *testing.T) {
	f := &full{options: map[netlink.ConnOption]bool{}}
	c := netlink.NewConn(&IntrSocket{Transport: f}, 1)
	if err := c.SetOption(netlink.ExtendedAcknowledge, true); err != nil || !f.options[netlink.ExtendedAcknowledge] {
		t.Errorf("SetOption: %v, reached the socket: %v", err, f.options)
	}
	at := time.Unix(1, 0)
	if err := c.SetDeadline(at); err != nil || !f.deadline.Equal(at) {
		t.Errorf("SetDeadline: %v, the socket's %v", err, f.deadline)
	}
	b := netlink.NewConn(&IntrSocket{Transport: bare{}}, 1)
	if err := b.SetOption(netlink.ExtendedAcknowledge, true); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("SetOption on a socket without options: %v", err)
	}
	if err := b.SetDeadline(at); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("SetDeadline on a socket without deadlines: %v", err)
	}
}
