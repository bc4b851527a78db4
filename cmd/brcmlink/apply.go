// SPDX-License-Identifier: MIT

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/cmd/brcmlink/format"
	"github.com/brcmlink/brcmlink/cmd/brcmlink/grammar"
	"github.com/brcmlink/brcmlink/config"
	"golang.org/x/sys/unix"
)

// More exit statuses, of apply.
const (
	exitPending = 3 // apply check: there are changes to make
	exitAbsent  = 4 // lower devices the file names are absent
)

// Links is what apply asks beyond the brcm family, through rtnetlink
// (config.Links), and closing it.
type Links interface {
	config.Links
	Close() error
}

// readFile reads FILE, or standard input for "-".
func (r *runner) readFile(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(r.stdin)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, readError(name, err)
	}
	return b, nil
}

// readError words the failure to read the file or directory name, or
// the one its *os.PathError names: the errno, without Go's words.
func readError(name string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		name, err = pe.Path, pe.Err
	}
	return fmt.Errorf("cannot read %q: %w", name, err)
}

// description reads the description at path: a file, standard input for
// "-", or a directory's *.conf files, read as one.
func (r *runner) description(path string) (*config.Config, error) {
	if fi, err := os.Stat(path); path != "-" && err == nil && fi.IsDir() {
		files, err := config.ReadDir(path)
		if err != nil {
			return nil, readError(path, err)
		}
		return config.ParseFiles(files)
	}
	data, err := r.readFile(path)
	if err != nil {
		return nil, err
	}
	name := path
	if name == "-" {
		name = "<stdin>"
	}
	return config.Parse(name, data)
}

// apply brings the ports to the description at PATH, or only those of
// LOWER with dev, or with check, prints the plan. The description is
// checked whole before anything else; with validate, that is all, and
// with dev, one that does not name LOWER has nothing to do with it: apply
// then opens no socket and takes no lock.
func (r *runner) Apply(req *grammar.Request) error {
	c, err := r.description(req.File)
	if err != nil || req.Validate {
		return err
	}
	if req.Lower != "" {
		if c = c.Only(req.Lower); c == nil {
			if r.json {
				return r.printPlan(nil, nil)
			}
			fmt.Fprintf(r.out, "%s: not in the description, nothing to do\n", req.Lower)
			return nil
		}
	}
	be, err := r.backend()
	if err != nil {
		return err
	}
	if !req.Check && r.lockPath != "" {
		unlock, err := lock(r.ctx, r.lockPath, r.lockWait, r.stderr)
		if err != nil {
			return err
		}
		defer unlock()
	}
	lk, err := r.links()
	if err != nil {
		return err
	}
	live := config.Live{Family: be, Links: lk}
	plan, err := live.Plan(c)
	if err != nil {
		return err
	}
	if req.Check {
		if err := r.printPlan(plan.Steps, plan.Absent); err != nil {
			return err
		}
		if len(plan.Steps) > 0 {
			return exitStatus(exitPending)
		}
	} else {
		// A signal (Ctrl-C, a unit stopping) stops the apply before its
		// next step, and the steps made are undone, as on a refusal.
		ctx, stop := signal.NotifyContext(r.ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		var done []config.Step
		err := config.ApplyContext(ctx, live, plan, func(s config.Step) {
			done = append(done, s)
			if !r.json {
				fmt.Fprintln(r.out, s)
				_ = r.out.Flush() // as each is made
			}
		})
		if err != nil {
			return err
		}
		if r.json {
			if err := r.printPlan(done, plan.Absent); err != nil {
				return err
			}
		} else if len(done) == 0 && len(plan.Absent) == 0 {
			fmt.Fprintln(r.out, "no changes")
		} else {
			for _, a := range plan.Absent {
				fmt.Fprintln(r.out, a)
			}
		}
	}
	if len(plan.Absent) > 0 {
		return exitStatus(exitAbsent)
	}
	return nil
}

// lockWaitMax is how long apply waits for the lock (docs/config.md): an
// apply holds it well under a second, so one that holds it longer is
// stuck, or no apply.
const lockWaitMax = 30 * time.Second

// lockPoll is how often a waiting apply tries the lock again.
const lockPoll = 50 * time.Millisecond

// lock takes the lock of the file path, so that two applies do not
// interleave their plans and steps. If another process holds it, lock
// says which on stderr and waits for it, up to wait, or until ctx ends.
func lock(ctx context.Context, path string, wait time.Duration, stderr io.Writer) (unlock func(), err error) {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CREAT|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot open the lock %s: %w", path, err)
	}
	deadline := time.Now().Add(wait)
	for waiting := false; ; waiting = true {
		err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() { unix.Close(fd) }, nil // closing releases it
		}
		if err != unix.EWOULDBLOCK {
			unix.Close(fd)
			return nil, fmt.Errorf("cannot lock %s: %w", path, err)
		}
		holder := lockHolder(fd)
		if !waiting {
			fmt.Fprintf(stderr, "waiting up to %v for the lock %s, which %s holds\n", wait, path, holder)
		}
		if !time.Now().Before(deadline) {
			unix.Close(fd)
			return nil, fmt.Errorf("gave up waiting for the lock %s after %v: %s holds it", path, wait, holder)
		}
		select {
		case <-ctx.Done():
			unix.Close(fd)
			return nil, ctx.Err()
		case <-time.After(lockPoll):
		}
	}
}

// lockHolder names the process that holds the flock of fd, as
// /proc/locks tells it: "pid N", or "an unknown process" if it does not
// (the holder let go meanwhile, or is in another PID namespace).
func lockHolder(fd int) string {
	const unknown = "an unknown process"
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil {
		return unknown
	}
	b, err := os.ReadFile("/proc/locks")
	if err != nil {
		return unknown
	}
	// Like "1: FLOCK  ADVISORY  WRITE 1234 00:19:5678 0 EOF"; a waiter's
	// line has "->" after the number.
	file := fmt.Sprintf("%02x:%02x:%d", unix.Major(st.Dev), unix.Minor(st.Dev), st.Ino)
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		if len(f) >= 6 && f[1] == "FLOCK" && f[5] == file {
			if pid, err := strconv.Atoi(f[4]); err == nil && pid > 0 {
				return fmt.Sprintf("pid %d", pid)
			}
		}
	}
	return unknown
}

// stepJSON is a step of a plan in JSON, with ip's key names.
type stepJSON struct {
	Action     string  `json:"action"`
	Ifname     string  `json:"ifname"`
	OldIfname  string  `json:"old_ifname,omitempty"`
	Link       string  `json:"link,omitempty"` // none for a lower's step
	Port       *uint16 `json:"port,omitempty"`
	Queue      *uint8  `json:"queue,omitempty"`
	TagEnforce *uint8  `json:"tag_enforce,omitempty"`
	// Format is, for a lower's format changed, the format; for a port
	// created, its lower's. OldFormat is the lower's before.
	Format            string  `json:"format,omitempty"`
	OldFormat         string  `json:"old_format,omitempty"`
	QueueFromPriority *bool   `json:"queue_from_priority,omitempty"`
	VLAN              *uint16 `json:"vlan,omitempty"`
	Up                *bool   `json:"up,omitempty"`
	// For are, for a lower set up, the ports to be up that need it; for a
	// lower's format changed, the ports whose format it changes.
	For []string `json:"for,omitempty"`
	// Also are, for a lower set up, the other ports it brings up, which
	// changes set down again.
	Also []string `json:"also_up,omitempty"`
	// Disrupts is set for a step that disrupts traffic in a way undoing
	// cannot repair: a deletion, a rename of a port that is up.
	Disrupts bool `json:"disrupts,omitempty"`
}

type absentJSON struct {
	Link  string `json:"link"`
	Ports int    `json:"ports"`
}

// printPlan prints steps, then the lowers absent: one line each, or
// "no changes"; with -j, one object.
func (r *runner) printPlan(steps []config.Step, absent []config.Absent) error {
	if !r.json {
		for _, s := range steps {
			fmt.Fprintln(r.out, s)
		}
		if len(steps) == 0 && len(absent) == 0 {
			fmt.Fprintln(r.out, "no changes")
		}
		for _, a := range absent {
			fmt.Fprintln(r.out, a)
		}
		return nil
	}
	out := struct {
		Steps  []stepJSON   `json:"steps"`
		Absent []absentJSON `json:"absent"`
	}{Steps: []stepJSON{}, Absent: []absentJSON{}}
	for _, s := range steps {
		j := stepJSON{Action: s.Action.String(), Ifname: s.New.Name, Link: s.Lower, Port: new(s.New.Port)}
		switch s.Action {
		case config.Delete:
			j.Ifname, j.Port = s.Old.Name, new(s.Old.Port)
		case config.Set:
			j = stepJSON{Action: s.Action.String(), Ifname: s.Lower, Up: s.New.Up, For: s.For, Also: s.Also}
		case config.Format:
			j = stepJSON{Action: s.Action.String(), Ifname: s.Lower, Format: s.New.TagFormat().String(),
				OldFormat: s.Old.Format.String(), For: s.For}
		case config.Rename:
			j.OldIfname = s.Old.Name
		case config.Change, config.Create:
			j.Queue, j.TagEnforce, j.Up = new(s.New.Queue), new(s.New.TagEnforce), s.New.Up
			j.QueueFromPriority, j.VLAN = new(s.New.QueueFromPriority), new(s.New.VLAN)
			if s.Action == config.Create {
				j.Format = s.New.TagFormat().String()
			}
		}
		j.Disrupts = s.Disrupts()
		out.Steps = append(out.Steps, j)
	}
	for _, a := range absent {
		out.Absent = append(out.Absent, absentJSON{a.Lower, a.Ports})
	}
	return format.WriteJSON(r.out, out, r.pretty)
}

// config prints the ports as apply reads them: of every lower in the
// namespace that has some, or of LOWER.
func (r *runner) Config(req *grammar.Request) error {
	be, err := r.backend()
	if err != nil {
		return err
	}
	var ports []brcmlink.Port
	var lowers []string
	if req.Lower != "" {
		ports, err = be.ListLower(req.Lower)
		lowers = []string{req.Lower}
	} else {
		ports, err = be.List()
		for _, p := range ports {
			if p.Lower != "" && !slices.Contains(lowers, p.Lower) {
				lowers = append(lowers, p.Lower)
			}
		}
		slices.Sort(lowers)
	}
	if err != nil {
		return err
	}
	c := config.FromPorts(ports, lowers)
	if r.json {
		b, err := c.JSON()
		if err != nil {
			return err
		}
		return format.WriteJSON(r.out, json.RawMessage(b), r.pretty)
	}
	_, err = io.WriteString(r.out, c.Format())
	return err
}
