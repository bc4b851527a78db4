// SPDX-License-Identifier: MIT

package genl

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall"

	"github.com/brcmlink/brcmlink"
	"github.com/mdlayher/genetlink"
)

// EventKind says what happened to a port.
type EventKind uint8

// The kinds of Event. The first three follow the command of the kernel's
// message; Lost is the client's own.
const (
	Created EventKind = iota + 1 // BRCM_CMD_PORT_NEW: the port was created
	Deleted                      // BRCM_CMD_PORT_DEL: the port was deleted, by whatever means
	Changed                      // BRCM_CMD_PORT_SET: queue, tag enforcement, admin or operational state, MTU, name or address changed
	Lost                         // events were lost, for Event.Err; List tells what is now
)

func (k EventKind) String() string {
	switch k {
	case Created:
		return "created"
	case Deleted:
		return "deleted"
	case Changed:
		return "changed"
	case Lost:
		return "lost"
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event is one change of the ports of the namespace.
type Event struct {
	Kind EventKind
	Port brcmlink.Port // the port as it is now, or was as it went; zero for Lost
	Err  error         // for Lost, why: most often ENOBUFS, the socket overran
}

// Watch reports the ports of the namespace as they are created, change
// and are deleted, from the family's "monitor" group, which it joins on
// a socket of its own. When events are lost (the socket overran while
// the receiver lagged) it sends an Event of Kind Lost and goes on.
//
// The channel closes when ctx is done, by which time the socket is closed
// and nothing of the watch runs any more. It closes earlier only after a
// Lost event for a failure of the socket itself, which ends the watch.
// Close of the Client does not end it.
func (c *Client) Watch(ctx context.Context) (_ <-chan Event, err error) {
	defer pkg.Annotate(&err, "watch", "")
	var group uint32
	for _, g := range c.family.Groups {
		if g.Name == brcmlink.GenlMcgrpMonitor {
			group = g.ID
		}
	}
	if group == 0 {
		return nil, pkg.Errorf(syscall.ENOENT, "family %s has no multicast group %q", c.family.Name, brcmlink.GenlMcgrpMonitor)
	}
	conn, err := c.dial()
	if err != nil {
		return nil, err
	}
	if err := conn.JoinGroup(group); err != nil {
		_ = conn.Close()
		return nil, err
	}
	events := make(chan Event)
	go watch(ctx, conn, events)
	return events, nil
}

// watch sends what conn receives to events until ctx is done or the
// socket fails, then closes conn and, last, events.
func watch(ctx context.Context, conn *genetlink.Conn, events chan<- Event) {
	closeConn := sync.OnceValue(conn.Close)
	// Only closing the socket ends a Receive waiting in the kernel.
	stop := context.AfterFunc(ctx, func() { _ = closeConn() })
	defer close(events)
	defer func() {
		stop()
		_ = closeConn() // returns once the AfterFunc's close, if any, is done
	}()
	for {
		msgs, _, err := conn.Receive()
		if ctx.Err() != nil {
			return
		}
		evs := decodeEvents(msgs)
		if err != nil {
			evs = []Event{{Kind: Lost, Err: pkg.Wrap("watch", "", err)}}
		}
		for _, ev := range evs {
			select {
			case events <- ev:
			case <-ctx.Done():
				return
			}
		}
		// An overrun drops messages but leaves the socket working.
		if err != nil && !errors.Is(err, syscall.ENOBUFS) {
			return
		}
	}
}

// decodeEvents returns the events in msgs from the monitor group. A
// message it cannot decode is a Lost event; one of a command it does not
// know, from a newer module, it skips.
func decodeEvents(msgs []genetlink.Message) []Event {
	var evs []Event
	for _, m := range msgs {
		var kind EventKind
		switch m.Header.Command {
		case brcmlink.CmdPortNew:
			kind = Created
		case brcmlink.CmdPortDel:
			kind = Deleted
		case brcmlink.CmdPortSet:
			kind = Changed
		default:
			continue
		}
		p, err := parsePort(m.Data)
		if err != nil {
			evs = append(evs, Event{Kind: Lost, Err: pkg.Wrap("watch", "", fmt.Errorf("%s event: %w", kind, err))})
			continue
		}
		evs = append(evs, Event{Kind: kind, Port: p})
	}
	return evs
}
