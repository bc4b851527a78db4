// SPDX-License-Identifier: MIT

package genl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/mdlayher/genetlink"
)

// EventKind says what happened to a port.
type EventKind uint8

// The kinds of Event. The first three follow the command of the kernel's
// message; the others are the client's own.
const (
	Created  EventKind = iota + 1 // BRCM_CMD_PORT_NEW: the port was created
	Deleted                       // BRCM_CMD_PORT_DEL: the port was deleted, by whatever means
	Changed                       // BRCM_CMD_PORT_SET: queue, tag enforcement, admin or operational state, MTU, name or address changed
	Lost                          // events were lost, for Event.Err; List tells what is now
	Existing                      // with WatchExisting: the port existed when the watch listed the ports
	Synced                        // with WatchExisting: the listing is complete; zero Port
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
	case Existing:
		return "existing"
	case Synced:
		return "synced"
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event is one change of the ports of the namespace.
type Event struct {
	Kind EventKind
	Port brcmlink.Port // the port as it is now, or was as it went; zero for Lost
	Err  error         // for Lost, why: most often ErrOverrun
}

// ErrOverrun is what the Err of a Lost event matches, with errors.Is,
// when the kernel dropped events because the watch's socket was full: the
// receiver lagged behind the changes. The error is a *brcmlink.Error
// with errno ENOBUFS, which it matches too. The watch goes on; with
// WatchExisting it lists the ports again first.
var ErrOverrun = errors.New("genl: watch: events lost, the socket's receive buffer overran")

// A WatchOption configures Watch.
type WatchOption func(*watchOptions)

type watchOptions struct {
	existing bool
	rcvbuf   int
}

// WatchExisting makes Watch start from the ports that exist: an Event of
// Kind Existing for each, then one of Kind Synced, then the changes. It
// joins the monitor group before it lists the ports, so no change falls
// between the two; a change made while it lists may come after Synced
// although the listing already shows it, so the caller applies each event
// as an update of its view, not as news. After a Lost event it lists the
// ports again the same way, so after each Synced the caller's view is
// whole: a port it had that the new listing lacks is gone.
func WatchExisting() WatchOption {
	return func(o *watchOptions) { o.existing = true }
}

// WatchReadBuffer sets the receive buffer of the watch's socket to bytes
// (SO_RCVBUF; the kernel doubles it for its overhead and caps it at
// net.core.rmem_max): more for a receiver that may lag behind bursts of
// changes, as on a lower with many ports going down, before events are
// lost.
func WatchReadBuffer(bytes int) WatchOption {
	return func(o *watchOptions) { o.rcvbuf = bytes }
}

// Watch reports the ports of the namespace as they are created, change
// and are deleted, from the family's "monitor" group, which it joins on
// a socket of its own. When events are lost (the socket overran while
// the receiver lagged: ErrOverrun) it sends an Event of Kind Lost and
// goes on. WatchExisting makes it start from the ports that exist.
//
// The channel closes when ctx is done, by which time the socket is closed
// and nothing of the watch runs any more. It closes earlier only after a
// Lost event for a failure of the socket itself, or of a listing, which
// ends the watch. Close of the Client does not end it: with
// WatchExisting the watch opens, when it starts, the socket it lists the
// ports on, and keeps it until it ends. A Client made by New has no way
// to open sockets, and cannot watch.
func (c *Client) Watch(ctx context.Context, opts ...WatchOption) (_ <-chan Event, err error) {
	defer pkg.Annotate(&err, "watch", "")
	var o watchOptions
	for _, opt := range opts {
		opt(&o)
	}
	if c.dial == nil {
		return nil, pkg.Errorf(syscall.EOPNOTSUPP, "a Client made by New cannot open the socket a watch needs")
	}
	if o.rcvbuf < 0 {
		return nil, pkg.Errorf(syscall.EINVAL, "invalid receive buffer size %d", o.rcvbuf)
	}
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
	if o.rcvbuf > 0 {
		if err := conn.SetReadBuffer(o.rcvbuf); err != nil {
			_ = conn.Close()
			return nil, err
		}
	}
	if err := conn.JoinGroup(group); err != nil {
		_ = conn.Close()
		return nil, err
	}
	w := &watcher{conn: conn, events: make(chan Event)}
	if o.existing {
		// The watch's listings have a socket of their own, opened now:
		// the Client, and the namespace it holds, may be closed while
		// the watch goes on.
		lconn, err := c.dial()
		if err != nil {
			_ = conn.Close()
			return nil, err
		}
		lister := &Client{c: lconn, family: c.family}
		w.list, w.closeList = lister.List, lister.Close
	}
	go w.run(ctx)
	return w.events, nil
}

// watcher is one watch: what it receives on conn goes to events.
type watcher struct {
	conn   *genetlink.Conn
	events chan Event
	// list lists the ports, for WatchExisting, on a socket of the
	// watch's that closeList closes; nil without.
	list      func() ([]brcmlink.Port, error)
	closeList func() error
}

// run sends the listing, if any, and what the socket receives to events
// until ctx is done or the socket fails, then closes the socket and,
// last, events.
func (w *watcher) run(ctx context.Context) {
	conn, events := w.conn, w.events
	closeConn := sync.OnceValue(conn.Close)
	// Only closing the socket ends a Receive waiting in the kernel.
	stop := context.AfterFunc(ctx, func() { _ = closeConn() })
	defer close(events)
	defer func() {
		stop()
		_ = closeConn() // returns once the AfterFunc's close, if any, is done
		if w.closeList != nil {
			_ = w.closeList()
		}
	}()
	send := func(evs []Event) bool {
		for _, ev := range evs {
			select {
			case events <- ev:
			case <-ctx.Done():
				return false
			}
		}
		return true
	}
	resync := w.list != nil
	for {
		if resync {
			evs, ok := w.listing()
			if !send(evs) || !ok {
				return
			}
		}
		msgs, _, err := conn.Receive()
		if ctx.Err() != nil {
			return
		}
		evs := decodeEvents(msgs)
		// An overrun drops messages but leaves the socket working.
		overrun := errors.Is(err, syscall.ENOBUFS)
		switch {
		case overrun:
			evs = []Event{{Kind: Lost, Err: pkg.Wrap("watch", "",
				pkg.ErrorfIs(ErrOverrun, syscall.ENOBUFS, "events lost: the socket's receive buffer overran"))}}
		case err != nil:
			evs = []Event{{Kind: Lost, Err: pkg.Wrap("watch", "", err)}}
		}
		if !send(evs) || (err != nil && !overrun) {
			return
		}
		resync = overrun && w.list != nil
		// The kernel reports an overrun before the events still queued,
		// which are older than the drop: sent after a new listing, they
		// would undo it for good.
		if resync && !w.drain(ctx, send) {
			return
		}
	}
}

// drainWait is how long drain waits for more events before it takes the
// socket's queue as empty.
const drainWait = 10 * time.Millisecond

// drain sends the events the socket holds until it finds none for
// drainWait. It returns false when the watch is to end.
func (w *watcher) drain(ctx context.Context, send func([]Event) bool) bool {
	for {
		if err := w.conn.SetReadDeadline(time.Now().Add(drainWait)); err != nil {
			send([]Event{{Kind: Lost, Err: pkg.Wrap("watch", "", err)}})
			return false
		}
		msgs, _, err := w.conn.Receive()
		if ctx.Err() != nil {
			return false
		}
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			return w.conn.SetReadDeadline(time.Time{}) == nil
		case errors.Is(err, syscall.ENOBUFS):
			continue // lost again: the listing after the drain covers it
		case err != nil:
			send([]Event{{Kind: Lost, Err: pkg.Wrap("watch", "", err)}})
			return false
		}
		if !send(decodeEvents(msgs)) {
			return false
		}
	}
}

// listing returns the events of a listing: Existing for each port, then
// Synced; or, if it failed, a Lost event and false.
func (w *watcher) listing() ([]Event, bool) {
	ports, err := w.list()
	if err != nil {
		return []Event{{Kind: Lost, Err: pkg.Wrap("watch", "", err)}}, false
	}
	evs := make([]Event, 0, len(ports)+1)
	for _, p := range ports {
		evs = append(evs, Event{Kind: Existing, Port: p})
	}
	return append(evs, Event{Kind: Synced}), true
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
