// SPDX-License-Identifier: MIT

package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/cmd/brcmlink/format"
	"github.com/brcmlink/brcmlink/cmd/brcmlink/grammar"
	"github.com/brcmlink/brcmlink/genl"
)

// Backend is what brcmlink asks of the kernel: a *genl.Client, or a fake
// in the tests.
type Backend interface {
	Add(brcmlink.AddRequest) (*brcmlink.Port, error)
	Delete(brcmlink.Selector) error
	Set(brcmlink.Selector, brcmlink.SetRequest) (*brcmlink.Port, error)
	AddMany([]brcmlink.AddRequest) ([]*brcmlink.Port, error)
	DeleteMany(indexes []int) error
	DeleteAll(lower string) (int, error)
	Get(brcmlink.Selector) (*brcmlink.Port, error)
	List() ([]brcmlink.Port, error)
	ListLower(lower string) ([]brcmlink.Port, error)
	Lower(name string) (*brcmlink.Lower, error)
	Lowers() ([]brcmlink.Lower, error)
	// SetLowerFormat changes the tag format of every port of a lower at
	// once.
	SetLowerFormat(lower string, f brcmlink.Format) (*brcmlink.Lower, error)
	Watch(ctx context.Context, opts ...genl.WatchOption) (<-chan genl.Event, error)
	FamilyVersion() int
	Close() error
}

var _ Backend = (*genl.Client)(nil)

// runner runs the port commands on one Backend, which it opens for the
// first command and keeps: a batch file shares one socket. It is given
// all it reads when it is made, and knows nothing of the app.
type runner struct {
	ctx       context.Context
	netns     string // -netns
	dial      Dialer
	dialLinks LinksDialer
	stdin     io.Reader
	stderr    io.Writer // apply's word that it waits for the lock
	out       *bufio.Writer
	// view is how ports print: -details, -stats, -brief, -oneline, and
	// the palette.
	view              format.View
	json, pretty      bool
	timestamp, tshort bool // monitor's
	now               func() time.Time
	lockPath          string // apply's lock; "" for none
	lockWait          time.Duration
	sources           grammar.Sources // what completion offers

	be      Backend
	dialErr error
	lk      Links // for apply, opened with its first command
}

// runner makes the runner of a's command line or batch file, with what
// it needs of a's options and environment.
func (a *app) runner() *runner {
	o, e := a.opt, a.env
	now := e.now
	if now == nil {
		now = time.Now
	}
	return &runner{
		ctx: a.ctx, netns: o.netns, dial: e.dial, dialLinks: e.links,
		stdin: e.stdin, stderr: e.stderr, out: bufio.NewWriter(e.stdout),
		view: format.View{Details: o.details, Stats: o.stats, Brief: o.brief, Oneline: o.oneline, Color: a.palette()},
		json: o.json, pretty: o.pretty, timestamp: o.timestamp, tshort: o.tshort,
		now: now, lockPath: e.lockPath, lockWait: cmp.Or(e.lockWait, lockWaitMax),
		sources: grammar.Sources{Lowers: e.lowers, NetNS: e.netns,
			Ports: func(netns string) []string { return portNames(e.dial, netns) }},
	}
}

func (r *runner) close() {
	_ = r.out.Flush()
	if r.be != nil {
		_ = r.be.Close()
	}
	if r.lk != nil {
		_ = r.lk.Close()
	}
}

var _ grammar.Handlers = (*runner)(nil)

// do runs a parsed command line with the handler the grammar's table
// gives it, or prints the help it asked for, and flushes what it printed.
func (r *runner) do(req *grammar.Request, err error) error {
	if he := (*grammar.HelpError)(nil); errors.As(err, &he) {
		_, err = r.out.WriteString(he.Command.HelpText())
	} else if err == nil {
		err = req.Command.Run(r, req)
	}
	if ferr := r.out.Flush(); err == nil {
		err = ferr
	}
	return err
}

// selector is the port that req names: by NAME, or by lower and port.
func selector(req *grammar.Request) brcmlink.Selector {
	if req.Name != "" {
		return brcmlink.ByName(req.Name)
	}
	return brcmlink.ByPort(req.Lower, *req.Port)
}

func (r *runner) Add(req *grammar.Request) error {
	be, err := r.backend()
	if err != nil {
		return err
	}
	_, err = be.Add(brcmlink.AddRequest{
		Lower:             req.Lower,
		Port:              *req.Port,
		Name:              req.Name,
		Queue:             req.Queue,
		TagEnforce:        req.TagEnforce,
		Format:            req.Format,
		QueueFromPriority: req.QueueFromPriority,
		VLAN:              req.VLAN,
		Up:                req.Up != nil && *req.Up,
	})
	return err
}

func (r *runner) Del(req *grammar.Request) error {
	be, err := r.backend()
	if err != nil {
		return err
	}
	if req.All {
		_, err = be.DeleteAll(req.Lower)
		return err
	}
	return be.Delete(selector(req))
}

func (r *runner) Set(req *grammar.Request) error {
	be, err := r.backend()
	if err != nil {
		return err
	}
	set := brcmlink.SetRequest{
		Queue:             req.Queue,
		TagEnforce:        req.TagEnforce,
		Format:            req.Format,
		QueueFromPriority: req.QueueFromPriority,
		VLAN:              req.VLAN,
		Up:                req.Up,
	}
	if req.All {
		return setAll(be, req.Lower, set)
	}
	_, err = be.Set(selector(req), set)
	return formatHint(be, req, err)
}

// formatHint adds to the kernel's refusal to change the format of a port
// that shares its lower the command that does it: the kernel's message
// says what, not how.
func formatHint(be Backend, req *grammar.Request, err error) error {
	var ne *brcmlink.Error
	if req.Format == nil || !errors.As(err, &ne) || ne.Err != syscall.EBUSY || ne.Message == "" {
		return err
	}
	p, gerr := be.Get(selector(req))
	if gerr != nil || p.Lower == "" {
		return err
	}
	hint := *ne
	hint.Message += fmt.Sprintf(" (%s set dev %s all format %s)", grammar.Program, p.Lower, req.Format)
	return &hint
}

// setAll makes the change set to every port of lower: the tag format
// for all of them at once, as the kernel does it, then the rest port by
// port, in the order of the switch, stopping at the first the kernel
// refuses. A lower without ports is the kernel's error, as for stats dev
// LOWER.
func setAll(be Backend, lower string, set brcmlink.SetRequest) error {
	if set.Format != nil {
		if _, err := be.SetLowerFormat(lower, *set.Format); err != nil {
			return err
		}
		if set.Format = nil; set == (brcmlink.SetRequest{}) {
			return nil
		}
	}
	ps, err := be.ListLower(lower)
	if err != nil {
		return err
	}
	if len(ps) == 0 {
		_, err := be.Lower(lower) // says why: no such device, or no ports
		return cmp.Or(err, error(&brcmlink.Error{Op: "set", Dev: lower, Err: syscall.ENODEV}))
	}
	if set == (brcmlink.SetRequest{}) {
		return nil // nothing to change, on a lower that has ports
	}
	format.SortPorts(ps)
	for _, p := range ps {
		if _, err := be.Set(brcmlink.ByIndex(p.Index), set); err != nil {
			return err
		}
	}
	return nil
}

// ports returns the ports req selects, sorted: one, those of a lower, or
// all.
func ports(be Backend, req *grammar.Request) ([]brcmlink.Port, error) {
	var ps []brcmlink.Port
	var err error
	switch {
	case req.Name != "" || req.Port != nil:
		var p *brcmlink.Port
		if p, err = be.Get(selector(req)); p != nil {
			ps = []brcmlink.Port{*p}
		}
	case req.Lower != "":
		ps, err = be.ListLower(req.Lower)
	default:
		ps, err = be.List()
	}
	format.SortPorts(ps)
	return ps, err
}

func (r *runner) Show(req *grammar.Request) error {
	be, err := r.backend()
	if err != nil {
		return err
	}
	ps, err := ports(be, req)
	if err != nil {
		return err
	}
	var lowers []brcmlink.Lower
	if r.view.Stats > 1 && len(ps) > 0 {
		if lowers, err = be.Lowers(); err != nil {
			return err
		}
	}
	if r.json && r.view.Brief {
		return format.WriteJSON(r.out, format.BriefJSON(ps), r.pretty)
	}
	if r.json {
		return format.WriteJSON(r.out, format.PortsJSON(ps, lowers, r.view), r.pretty)
	}
	return format.Ports(r.out, ps, lowers, r.view)
}

// stats prints ports with their counters, then their lowers: every one,
// a port and its lower, or a lower and its ports.
func (r *runner) Stats(req *grammar.Request) error {
	be, err := r.backend()
	if err != nil {
		return err
	}
	var lowers []brcmlink.Lower
	if req.Lower != "" {
		// First, so that a device without ports says so.
		l, err := be.Lower(req.Lower)
		if err != nil {
			return err
		}
		lowers = []brcmlink.Lower{*l}
	}
	ps, err := ports(be, req)
	if err != nil {
		return err
	}
	switch {
	case req.Name != "" && ps[0].Lower != "":
		l, err := be.Lower(ps[0].Lower)
		if err != nil {
			return err
		}
		lowers = []brcmlink.Lower{*l}
	case req.Name == "" && req.Lower == "":
		if lowers, err = be.Lowers(); err != nil {
			return err
		}
		format.SortLowers(lowers)
	}
	v := r.view
	if r.json {
		return format.WriteJSON(r.out, format.Stats(ps, lowers, v), r.pretty)
	}
	v.Stats = 1
	if err := format.Ports(r.out, ps, nil, v); err != nil {
		return err
	}
	return format.Lowers(r.out, lowers, v.Color)
}

// events name the kinds of genl.Event: in text, in JSON.
var events = map[genl.EventKind][2]string{
	genl.Created: {"NEW", "new"},
	genl.Changed: {"CHANGE", "change"},
	genl.Deleted: {"DEL", "del"},
	genl.Lost:    {"LOST", "lost"},
}

// monitor prints events until SIGINT or SIGTERM, each line flushed as it
// comes for whoever reads the other end of a pipe.
func (r *runner) Monitor(req *grammar.Request) error {
	// Before anything else: a signal while the socket opens is an end
	// like any other, not a death by signal (exit 130).
	ctx, stop := signal.NotifyContext(r.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	be, err := r.backend()
	if err != nil {
		return err
	}
	evs, err := be.Watch(ctx)
	if err != nil {
		return err
	}
	var lost error
	for ev := range evs {
		// DEV: a port, or a lower in this namespace.
		if dev := req.Lower; dev != "" && ev.Kind != genl.Lost && ev.Port.Name != dev && ev.Port.Lower != dev {
			continue
		}
		if err := r.event(ev); err != nil {
			return err
		}
		if err := r.out.Flush(); err != nil {
			return err
		}
		if ev.Kind == genl.Lost {
			lost = ev.Err
		}
	}
	if ctx.Err() != nil {
		return nil // interrupted: the way monitor ends
	}
	if lost == nil {
		lost = errors.New("the event stream ended")
	}
	return lost // the socket failed, which ends the watch
}

func (r *runner) event(ev genl.Event) error {
	names, ok := events[ev.Kind]
	if !ok {
		return nil // a kind this brcmlink does not know
	}
	now := r.now()
	if r.json {
		j := format.EventJSON{Event: names[1], Timestamp: now.Format(jsonTime)}
		if ev.Kind == genl.Lost {
			j.Error, _ = render(ev.Err)
		} else {
			p := format.Port(ev.Port, nil, format.View{Stats: min(r.view.Stats, 1)})
			j.PortJSON = &p
		}
		return format.WriteJSON(r.out, j, false) // one object a line, even with -pretty
	}
	switch {
	case r.tshort:
		fmt.Fprintf(r.out, "[%s] ", now.Format("2006-01-02T15:04:05.000000"))
	case r.timestamp:
		fmt.Fprintf(r.out, "Timestamp: %s %06d usec\n", now.Format("Mon Jan _2 15:04:05 2006"), now.Nanosecond()/1000)
	}
	if ev.Kind == genl.Lost {
		reason, _ := render(ev.Err)
		return format.Lost(r.out, reason)
	}
	return format.Event(r.out, names[0], ev.Port, r.view)
}

// jsonTime is the time of an event in JSON: RFC 3339, to the microsecond.
const jsonTime = "2006-01-02T15:04:05.000000Z07:00"
