// SPDX-License-Identifier: MIT

package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/brcmlink/brcmlink"
)

// Action is what a Step does.
type Action int

// The actions, in the order a Plan makes them: deletions free switch
// ports and names, a lower's ports change their tag format before a port
// is created in it, renames free names, a lower comes up before the
// changes and creations that need it, creations come last but for the
// steps that disrupt traffic that no other step needs (Step.Disrupts),
// which come after them: renames of ports that are up (Step.Late), then
// deletions.
const (
	Delete Action = iota + 1
	// Format changes the tag format of every port of a lower at once, as
	// the kernel changes it (the lower's ports share one).
	Format
	Rename
	// Set sets up a lower that is down, for ports that are to be up: the
	// kernel opens no port on a lower that is down, and brings every
	// port of a lower up when the lower comes up; Change steps set down
	// again those not to be up.
	Set
	Change
	Create
)

func (a Action) String() string {
	switch a {
	case Delete:
		return "delete"
	case Format:
		return "format"
	case Rename:
		return "rename"
	case Set:
		return "set"
	case Change:
		return "change"
	case Create:
		return "create"
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// Step is one change of a Plan.
type Step struct {
	Action Action
	Lower  string
	// Old is the port as it is, for Delete, Rename and Change; zero for
	// Create. For Set, the lower, down: its Name and Index; for Format,
	// also its ports' tag format.
	Old brcmlink.Port
	// New is the port as the step leaves it: its name, settings and admin
	// state, and for Create its lower's tag format; for Delete, zero; for
	// Set, the lower's Name, and Up; for Format, the lower's Name and
	// Format.
	New Port
	// For are, for Set, the names of the ports to be up that need the
	// lower up; for Format, the ports whose format it changes.
	For []string
	// Also are, for Set, the names of the other ports of the lower, which
	// the kernel brings up with it: a Change sets each down again, as the
	// description wants it or as it was, down with its lower.
	Also []string
	// Late marks a Rename made after the creations, on the port as its
	// Change left it (Old): one of a port that is up, which passes no
	// name to or from another.
	Late bool
}

// Disrupts reports whether s disrupts the traffic of a port in a way its
// undoing cannot repair: a deletion (a port made again has lost its
// addresses, routes, master, VLANs, MTU and MAC), or a rename of a port
// that is up (the kernel renames only a device that is down, and going
// down drops its IPv4 routes and IPv6 addresses).
func (s Step) Disrupts() bool {
	return s.Action == Delete || s.Action == Rename && s.Old.Up
}

// disrupts is what String adds to a step that Disrupts.
const disrupts = " [disrupts traffic]"

// String describes s in a line, like "create wan (eth0 port 5 queue 2
// up)", "change eth0.p6: queue 0 -> 2, up", "set eth0 up (for wan; also
// brings up eth0.p2)", "format eth0: bcm53242 -> original (for wan,
// eth0.p2)" or "delete eth0.p7 (eth0 port 7) [disrupts traffic]".
func (s Step) String() string {
	if s.Disrupts() {
		return s.line() + disrupts
	}
	return s.line()
}

// line is String without what it says of disruption.
func (s Step) line() string {
	port := func(p uint16) string {
		if p == 0 {
			return "any"
		}
		return fmt.Sprint(p)
	}
	switch s.Action {
	case Delete:
		return fmt.Sprintf("delete %s (%s port %s)", s.Old.Name, s.Lower, port(s.Old.Port))
	case Rename:
		return fmt.Sprintf("rename %s -> %s (%s port %s)", s.Old.Name, s.New.Name, s.Lower, port(s.Old.Port))
	case Format:
		return fmt.Sprintf("format %s: %s -> %s (for %s)", s.Lower, s.Old.Format, s.New.TagFormat(), strings.Join(s.For, ", "))
	case Set:
		d := fmt.Sprintf("set %s up (for %s", s.Lower, strings.Join(s.For, ", "))
		if len(s.Also) > 0 {
			d += "; also brings up " + strings.Join(s.Also, ", ")
		}
		return d + ")"
	case Change:
		var what []string
		if old, nw := oldQueue(s.Old), s.New.queue(); old != nw {
			what = append(what, fmt.Sprintf("queue %s -> %s", old, nw))
		}
		if s.Old.TagEnforce != s.New.TagEnforce {
			what = append(what, fmt.Sprintf("tag-enforce %d -> %d", s.Old.TagEnforce, s.New.TagEnforce))
		}
		if s.Old.VLAN != s.New.VLAN {
			what = append(what, fmt.Sprintf("vlan %s -> %s", vlan(s.Old.VLAN), vlan(s.New.VLAN)))
		}
		if s.New.Up != nil && *s.New.Up != s.Old.Up {
			what = append(what, map[bool]string{true: "up", false: "down"}[*s.New.Up])
		}
		return fmt.Sprintf("change %s: %s", s.New.Name, strings.Join(what, ", "))
	case Create:
		d := fmt.Sprintf("create %s (%s port %s", s.New.Name, s.Lower, port(s.New.Port))
		if q := s.New.queue(); q != "0" {
			d += " queue " + q
		}
		if s.New.TagEnforce != 0 {
			d += fmt.Sprintf(" tag-enforce %d", s.New.TagEnforce)
		}
		if f := s.New.TagFormat(); f != brcmlink.FormatBCM53242 {
			d += " format " + f.String()
		}
		if s.New.VLAN != 0 {
			d += fmt.Sprintf(" vlan %d", s.New.VLAN)
		}
		if s.New.Up != nil && *s.New.Up {
			d += " up"
		}
		return d + ")"
	}
	return s.Action.String()
}

// TagFormat is the format p has as a step leaves it: for Create and
// Format, its lower's; the default, FormatBCM53242, if none is given.
func (p Port) TagFormat() brcmlink.Format {
	if p.Format != nil {
		return *p.Format
	}
	return brcmlink.FormatBCM53242
}

// queue is p's queue as a plan says it: its number, or priority.
func (p Port) queue() string {
	if p.QueueFromPriority {
		return QueuePriority
	}
	return fmt.Sprint(p.Queue)
}

// oldQueue is the queue of a port as it is, as a plan says it.
func oldQueue(p brcmlink.Port) string {
	return Port{Queue: p.Queue, QueueFromPriority: p.QueueFromPriority}.queue()
}

// vlan is a VLAN id as a plan says it: none for 0.
func vlan(id uint16) string {
	if id == 0 {
		return VLANNone
	}
	return fmt.Sprint(id)
}

// sameSettings reports whether the port old has the settings of want
// but its admin state: its fixed queue counts only if it is to be used.
func sameSettings(old brcmlink.Port, want Port) bool {
	return old.QueueFromPriority == want.QueueFromPriority && (want.QueueFromPriority || old.Queue == want.Queue) &&
		old.TagEnforce == want.TagEnforce && old.VLAN == want.VLAN
}

// Absent is a lower a Config names that the system does not have: its
// ports wait for it.
type Absent struct {
	Lower string
	Ports int
}

func (a Absent) String() string {
	return fmt.Sprintf("%s: not present, %d ports pending", a.Lower, a.Ports)
}

// Plan is what brings a system to a Config: the steps, in order, and the
// lowers absent.
type Plan struct {
	Steps  []Step
	Absent []Absent
}

// Device is a network device of the system, for MakePlan: its name,
// whether it is a brcm port, and whether it is up.
type Device struct {
	Name  string
	Index int
	Port  bool
	// Up is whether the device is administratively up (IFF_UP): for a
	// lower, whether ports can be up on it.
	Up bool
}

// lookupMax is how many names Devices looks up one by one, a request
// each, before it lists every device in one instead.
const lookupMax = 32

// Devices returns the devices MakePlan needs for c: those the ports
// (every brcm port of the namespace) and their lowers are, and of the
// other names c gives, lowers and ports, those lookup finds (nil for a
// name no device has), or, past a few such names, every device list
// returns. A system that already is as c says needs no lookup at all,
// where listing every device of the namespace would cost as much as the
// rest of an apply.
//
// A lower one of whose ports is up is up: a port cannot be up on a lower
// that is down. One whose ports are all down may be either: Devices
// looks it up if c wants one of its ports up, where MakePlan needs to
// know, and reports it down otherwise.
func Devices(c *Config, ports []brcmlink.Port, lookup func(name string) (*Device, error), list func() ([]Device, error)) ([]Device, error) {
	known := map[string]bool{}
	var ds []Device
	add := func(d Device) {
		if !known[d.Name] {
			known[d.Name] = true
			ds = append(ds, d)
		}
	}
	wantUp := map[string]bool{} // lowers of c with a port to be up
	for _, l := range c.Lowers {
		wantUp[l.Name] = slices.ContainsFunc(l.Ports, func(p Port) bool { return p.Up != nil && *p.Up })
	}
	lowerUp := map[string]bool{}
	for _, p := range ports {
		if p.Up && p.Lower != "" {
			lowerUp[p.Lower] = true
		}
	}
	for _, p := range ports {
		add(Device{Name: p.Name, Index: p.Index, Port: true, Up: p.Up})
		if p.Lower != "" && (lowerUp[p.Lower] || !wantUp[p.Lower]) { // in this namespace
			add(Device{Name: p.Lower, Index: p.LowerIndex, Up: lowerUp[p.Lower]})
		}
	}
	var unknown []string
	for _, l := range c.Lowers {
		for _, n := range append([]string{l.Name}, portNames(l)...) {
			if !known[n] {
				known[n] = true
				unknown = append(unknown, n)
			}
		}
	}
	if len(unknown) > lookupMax {
		return list()
	}
	for _, n := range unknown {
		d, err := lookup(n)
		if err != nil {
			return nil, err
		}
		if d != nil {
			ds = append(ds, *d)
		}
	}
	return ds, nil
}

// portNames are the names of l's ports.
func portNames(l Lower) []string {
	names := make([]string, len(l.Ports))
	for i, p := range l.Ports {
		names[i] = p.DeviceName(l.Name)
	}
	return names
}

// MakePlan returns the steps that bring ports (every brcm port of the
// namespace) and devices to c: every network device of the namespace, or
// at least those Devices returns. A lower that is down comes up first
// (a Set step) if a port of it is to be up; the kernel brings its other
// ports up with it, and those not to be up go down again: those to be
// down, and those c leaves alone, which keep their state, down as their
// lower was. It refuses,
// with an *Error at the name, a name c gives a port that a device keeps:
// one that is no brcm port, or a port of a lower c does not own (or, for
// a part of a description that Only returns, of a lower left out).
func MakePlan(c *Config, ports []brcmlink.Port, devices []Device) (*Plan, error) {
	byName := map[string]Device{}
	for _, d := range devices {
		byName[d.Name] = d
	}
	plan := &Plan{}
	// freed: the names that deletions and renames let go of.
	freed := map[string]bool{}
	// claims: the names the ports are to have, and which port, by
	// ifindex (0 for a new one).
	type claim struct {
		name  string
		pos   Pos
		index int
	}
	var claims []claim
	for _, l := range c.Lowers {
		lower, ok := byName[l.Name]
		if !ok {
			plan.Absent = append(plan.Absent, Absent{l.Name, len(l.Ports)})
			continue
		}
		// raise: the ports to be up, if the lower is down.
		var raise []string
		for _, want := range l.Ports {
			if !lower.Up && want.Up != nil && *want.Up {
				raise = append(raise, want.DeviceName(l.Name))
			}
		}
		have := map[uint16]brcmlink.Port{}
		for _, p := range ports {
			if p.Lower == l.Name {
				have[p.Port] = p
			}
		}
		// The ports kept change their format, all at once, if theirs (the
		// lower's: they share one) is not the one wanted; new ports are
		// created with it.
		format := l.TagFormat()
		var reformat []string
		var oldFormat brcmlink.Format
		for _, want := range l.Ports {
			if old, ok := have[want.Port]; ok && old.Format != format {
				reformat = append(reformat, old.Name)
				oldFormat = old.Format
			}
		}
		if reformat != nil {
			slices.Sort(reformat)
			plan.Steps = append(plan.Steps, Step{Action: Format, Lower: l.Name,
				Old: brcmlink.Port{Index: lower.Index, Name: l.Name, Format: oldFormat},
				New: Port{Name: l.Name, Format: new(format)}, For: reformat})
		}
		raised := -1 // the Set step's index
		if raise != nil {
			raised = len(plan.Steps)
			plan.Steps = append(plan.Steps, Step{Action: Set, Lower: l.Name,
				Old: brcmlink.Port{Index: lower.Index, Name: l.Name}, New: Port{Name: l.Name, Up: new(true)}, For: raise})
		}
		for _, want := range l.Ports {
			want.Name = want.DeviceName(l.Name)
			want.Format = new(format)
			old, ok := have[want.Port]
			delete(have, want.Port)
			if !ok {
				plan.Steps = append(plan.Steps, Step{Action: Create, Lower: l.Name, New: want})
				claims = append(claims, claim{want.Name, want.Pos, 0})
				continue
			}
			if old.Name != want.Name {
				plan.Steps = append(plan.Steps, Step{Action: Rename, Lower: l.Name, Old: old, New: want})
				freed[old.Name] = true
				claims = append(claims, claim{want.Name, want.Pos, old.Index})
			}
			if raised >= 0 {
				if want.Up == nil {
					want.Up = new(old.Up) // as it was: down, as its lower
				}
				if !*want.Up {
					plan.Steps[raised].Also = append(plan.Steps[raised].Also, want.Name)
				}
				old.Up = true // with its lower
			}
			if !sameSettings(old, want) || want.Up != nil && *want.Up != old.Up {
				plan.Steps = append(plan.Steps, Step{Action: Change, Lower: l.Name, Old: old, New: want})
			}
		}
		for _, old := range have {
			plan.Steps = append(plan.Steps, Step{Action: Delete, Lower: l.Name, Old: old})
			freed[old.Name] = true
		}
	}
	claimed := map[string]bool{}
	for _, w := range claims {
		claimed[w.name] = true
	}
	lateRenames(plan, claimed)
	// late: the deletions no other step needs, whose names no port is to
	// take, made after everything else.
	late := func(s Step) bool { return s.Action == Delete && !claimed[s.Old.Name] }
	for _, w := range claims {
		d, ok := byName[w.name]
		switch {
		case !ok || freed[w.name] || d.Index == w.index:
		case !d.Port:
			return nil, &Error{w.pos, fmt.Sprintf("name %s is taken by a device that is not a brcm port", w.name)}
		default:
			return nil, &Error{w.pos, fmt.Sprintf("name %s is taken by %s", w.name, holder(w.name, ports))}
		}
	}
	rank := func(s Step) int {
		switch {
		case s.Late:
			return int(Create) + 1
		case late(s):
			return int(Create) + 2
		}
		return int(s.Action)
	}
	slices.SortStableFunc(plan.Steps, func(a, b Step) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a.Old.Name+a.New.Name, b.Old.Name+b.New.Name)
	})
	return plan, nil
}

// lateRenames marks Late the renames of plan of ports that are up which
// pass no name to or from another port (claimed are the names ports are
// to have): they go down for the rename, which undoing cannot repair, so
// they are made after every step that can fail. Each is made on the port
// as its Change leaves it, which then keeps its old name: a port to go
// down goes down first, and its rename disrupts nothing more.
func lateRenames(plan *Plan, claimed map[string]bool) {
	freed := map[string]bool{}
	change := map[int]*Step{}
	for i, s := range plan.Steps {
		switch s.Action {
		case Rename:
			freed[s.Old.Name] = true
		case Change:
			change[s.Old.Index] = &plan.Steps[i]
		}
	}
	for i, s := range plan.Steps {
		if s.Action != Rename || !s.Old.Up || freed[s.New.Name] || claimed[s.Old.Name] {
			continue
		}
		r := &plan.Steps[i]
		r.Late = true
		if c := change[s.Old.Index]; c != nil {
			c.New.Name = s.Old.Name
			r.Old.Queue, r.Old.QueueFromPriority = c.New.Queue, c.New.QueueFromPriority
			r.Old.TagEnforce, r.Old.VLAN = c.New.TagEnforce, c.New.VLAN
			if c.New.Up != nil {
				r.Old.Up = *c.New.Up
			}
		}
	}
}

// holder says which brcm port of ports, of a lower a plan leaves alone,
// has the name name.
func holder(name string, ports []brcmlink.Port) string {
	for _, p := range ports {
		if p.Name == name && p.Lower != "" {
			return fmt.Sprintf("a brcm port on %s, a lower this plan leaves alone", p.Lower)
		}
	}
	return "a brcm port whose lower is in another network namespace"
}
