// SPDX-License-Identifier: MIT

package config

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/brcmlink/brcmlink"
)

// System is what Apply changes ports through: a *genl.Client (a
// Changer), and ways to rename a network device and to set a lower up
// (rtnetlink's; the brcm family has none).
type System interface {
	Changer
	// Rename renames the device with ifindex index, which is down, as the
	// kernel requires.
	Rename(index int, name string) error
	// SetUp sets the device with ifindex index, a lower, up or down, as
	// `ip link set` does: its ports follow it.
	SetUp(index int, up bool) error
}

// Changer is what Apply changes ports through in the brcm family: a
// *genl.Client.
type Changer interface {
	Add(brcmlink.AddRequest) (*brcmlink.Port, error)
	Delete(brcmlink.Selector) error
	Set(brcmlink.Selector, brcmlink.SetRequest) (*brcmlink.Port, error)
	// AddMany and DeleteMany do as genl.Client's: many requests to a
	// system call, and many deletions in one request.
	AddMany([]brcmlink.AddRequest) ([]*brcmlink.Port, error)
	DeleteMany(indexes []int) error
	// SetLowerFormat changes the tag format of every port of the lower
	// device named lower at once, as genl.Client's does.
	SetLowerFormat(lower string, f brcmlink.Format) (*brcmlink.Lower, error)
}

// StepError is a step the system refused, after which Apply undid the
// steps it had made.
type StepError struct {
	Step Step
	Err  error // the system's error: a *brcmlink.Error for the kernel's refusal
	// Undo is the error of undoing, if that failed too: the system is
	// then neither as it was nor as the plan wanted.
	Undo error
}

func (e *StepError) Error() string {
	s := fmt.Sprintf("%s: %v", e.Step, e.Err)
	if e.Undo != nil {
		s += fmt.Sprintf("; undoing the steps before it failed too: %v", e.Undo)
	}
	return s
}

func (e *StepError) Unwrap() error { return e.Err }

// interrupted is the error of the step ApplyContext did not make because
// its context ended.
type interrupted struct{ err error }

func (e *interrupted) Error() string { return "interrupted before this step" }

func (e *interrupted) Unwrap() error { return e.err }

// Apply makes the steps of plan in order, calling done after each. If the
// system refuses one, Apply undoes all it did, last first, and returns a
// *StepError: the ports are then as they were, but for what undoing
// cannot give back (docs/config.md): a port deleted and made again has
// its name and brcm settings, but new counters and ifindex, and has lost
// what others gave it (addresses, routes, master, VLANs, MTU, MAC); a
// port renamed while up went down and up, which dropped its IPv4 routes
// and IPv6 addresses.
func Apply(sys System, plan *Plan, done func(Step)) error {
	return ApplyContext(context.Background(), sys, plan, done)
}

// ApplyContext is Apply, which also stops when ctx ends, as when a
// signal arrives: before its next step, it undoes the steps made, as on
// a refusal, and returns a *StepError naming the step not made whose
// error matches ctx.Err(). A step under way is finished first, and the
// undoing is not interrupted.
func ApplyContext(ctx context.Context, sys System, plan *Plan, done func(Step)) error {
	a := &applier{sys: sys, done: done}
	var tmp map[int]string
	for i := 0; i < len(plan.Steps); i++ {
		s := plan.Steps[i]
		if err := ctx.Err(); err != nil {
			return a.fail(s, &interrupted{err})
		}
		var err error
		switch s.Action {
		case Delete, Create:
			// All of them at once: the kernel makes them far faster so.
			n := sameAction(plan.Steps[i:])
			if s.Action == Delete {
				err = a.deleteAll(plan.Steps[i : i+n])
			} else {
				err = a.createAll(plan.Steps[i : i+n])
			}
			if err != nil {
				return err
			}
			i += n - 1
			continue
		case Rename:
			if i == 0 || plan.Steps[i-1].Action != Rename {
				n := sameAction(plan.Steps[i:])
				// Names pass from one port to another: each port first
				// takes a name no other wants.
				tmp = temporaries(plan.Steps[i : i+n])
				for _, r := range plan.Steps[i : i+n] {
					if tmp == nil {
						break
					}
					if err := a.rename(r.Old, tmp[r.Old.Index]); err != nil {
						return a.fail(r, err)
					}
				}
			}
			p := s.Old
			if tmp != nil {
				p.Name = tmp[p.Index]
			}
			err = a.rename(p, s.New.Name)
		case Format:
			err = a.format(s.Lower, s.Old.Format, s.New.TagFormat())
		case Set:
			err = a.raise(s.Old.Index)
		case Change:
			req := brcmlink.SetRequest{TagEnforce: new(s.New.TagEnforce), QueueFromPriority: new(s.New.QueueFromPriority),
				VLAN: new(s.New.VLAN), Up: s.New.Up}
			if !s.New.QueueFromPriority {
				req.Queue = new(s.New.Queue) // else kept as it is, unused
			}
			err = a.set(s.Old, req)
		default:
			err = fmt.Errorf("unknown action %v", s.Action)
		}
		if err != nil {
			return a.fail(s, err)
		}
		a.made(s)
	}
	return nil
}

// sameAction returns how many steps of steps, from the first, have the
// first's action.
func sameAction(steps []Step) int {
	n := 1
	for n < len(steps) && steps[n].Action == steps[0].Action {
		n++
	}
	return n
}

// temporaries returns the temporary name of each port renames renames,
// by ifindex, when one takes a name another lets go of; nil when they
// can be made as they come.
func temporaries(renames []Step) map[int]string {
	freed := map[string]bool{}
	for _, s := range renames {
		freed[s.Old.Name] = true
	}
	if !slices.ContainsFunc(renames, func(s Step) bool { return freed[s.New.Name] }) {
		return nil
	}
	tmp := map[int]string{}
	for _, s := range renames {
		tmp[s.Old.Index] = fmt.Sprintf("brcmtmp%d", s.Old.Index)
	}
	return tmp
}

// applier makes the changes of Apply, each with what undoes it.
type applier struct {
	sys  System
	done func(Step)
	undo []func() error
}

func (a *applier) made(s Step) {
	if a.done != nil {
		a.done(s)
	}
}

// fail undoes all, last first, and returns the error of step s.
func (a *applier) fail(s Step, err error) error {
	e := &StepError{Step: s, Err: err}
	slices.Reverse(a.undo)
	for _, u := range a.undo {
		e.Undo = errors.Join(e.Undo, u())
	}
	a.undo = nil
	return e
}

// deleteAll makes the Delete steps steps in one request. If the system
// refuses it, which deletes none, it makes them one by one, to tell which
// step the system refuses.
func (a *applier) deleteAll(steps []Step) error {
	indexes := make([]int, len(steps))
	for i, s := range steps {
		indexes[i] = s.Old.Index
	}
	if err := a.sys.DeleteMany(indexes); err != nil {
		for _, s := range steps {
			if err := a.sys.Delete(brcmlink.ByIndex(s.Old.Index)); err != nil {
				return a.fail(s, err)
			}
			a.undo = append(a.undo, a.recreate([]Step{s}))
			a.made(s)
		}
		return nil
	}
	a.undo = append(a.undo, a.recreate(steps))
	for _, s := range steps {
		a.made(s)
	}
	return nil
}

// recreate returns what makes again the ports steps deleted.
func (a *applier) recreate(steps []Step) func() error {
	return func() error {
		reqs := make([]brcmlink.AddRequest, len(steps))
		for i, s := range steps {
			old := s.Old
			reqs[i] = brcmlink.AddRequest{
				Lower: s.Lower, Port: old.Port, Name: old.Name,
				Queue: new(old.Queue), TagEnforce: new(old.TagEnforce), Format: new(old.Format),
				QueueFromPriority: new(old.QueueFromPriority), VLAN: new(old.VLAN), Up: old.Up,
			}
		}
		_, err := a.sys.AddMany(reqs)
		return err
	}
}

// createAll makes the Create steps steps, many to a system call. The
// system makes all it can: if it refuses one, the step is the first it
// refused.
func (a *applier) createAll(steps []Step) error {
	reqs := make([]brcmlink.AddRequest, len(steps))
	for i, s := range steps {
		p := s.New
		reqs[i] = brcmlink.AddRequest{
			Lower: s.Lower, Port: p.Port, Name: p.Name,
			Queue: new(p.Queue), TagEnforce: new(p.TagEnforce), Format: new(p.TagFormat()),
			QueueFromPriority: new(p.QueueFromPriority), VLAN: new(p.VLAN), Up: p.Up != nil && *p.Up,
		}
	}
	ports, err := a.sys.AddMany(reqs)
	var made []int
	for _, p := range ports {
		if p != nil {
			made = append(made, p.Index)
		}
	}
	if len(made) > 0 {
		a.undo = append(a.undo, func() error { return a.sys.DeleteMany(made) })
	}
	if err != nil {
		failed := steps[0]
		for i, p := range ports {
			if p == nil {
				failed = steps[i]
				break
			}
		}
		return a.fail(failed, err)
	}
	for _, s := range steps {
		a.made(s)
	}
	return nil
}

// format changes the tag format of the ports of lower from old to f;
// undoing changes it back.
func (a *applier) format(lower string, old, f brcmlink.Format) error {
	if _, err := a.sys.SetLowerFormat(lower, f); err != nil {
		return err
	}
	a.undo = append(a.undo, func() error {
		_, err := a.sys.SetLowerFormat(lower, old)
		return err
	})
	return nil
}

// raise sets the lower with ifindex index up, and the kernel its ports
// with it; undoing sets it down again, and them with it.
func (a *applier) raise(index int) error {
	if err := a.sys.SetUp(index, true); err != nil {
		return err
	}
	a.undo = append(a.undo, func() error { return a.sys.SetUp(index, false) })
	return nil
}

// set changes the port old as req says.
func (a *applier) set(old brcmlink.Port, req brcmlink.SetRequest) error {
	sel := brcmlink.ByIndex(old.Index)
	if _, err := a.sys.Set(sel, req); err != nil {
		return err
	}
	back := brcmlink.SetRequest{Queue: new(old.Queue), TagEnforce: new(old.TagEnforce),
		QueueFromPriority: new(old.QueueFromPriority), VLAN: new(old.VLAN), Up: new(old.Up)}
	a.undo = append(a.undo, func() error {
		_, err := a.sys.Set(sel, back)
		return err
	})
	return nil
}

// rename renames the port p, now named p.Name, to name: the kernel
// renames only a device that is down, so one that is up goes down for it
// and comes up again.
func (a *applier) rename(p brcmlink.Port, name string) error {
	if p.Up {
		if err := a.set(p, brcmlink.SetRequest{Up: new(false)}); err != nil {
			return err
		}
	}
	if err := a.sys.Rename(p.Index, name); err != nil {
		return err
	}
	a.undo = append(a.undo, func() error { return a.sys.Rename(p.Index, p.Name) })
	if p.Up {
		down := p
		down.Up = false
		return a.set(down, brcmlink.SetRequest{Up: new(true)})
	}
	return nil
}
