// SPDX-License-Identifier: MIT

//go:build vmtest

package integration

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/config"
	"github.com/brcmlink/brcmlink/genl"
	"github.com/brcmlink/brcmlink/rtlink"
)

// TestApplyCLI provisions a lower with brcmlink apply as an operator
// would: check, apply (a rename that keeps the port's ifindex and
// counters, a change, a deletion, a creation), apply again, and config's
// output applied back.
func TestApplyCLI(t *testing.T) {
	lw, peer := name("al"), name("ap")
	veth(t, lw, peer)
	other := name("ao")
	veth(t, other, name("aq"))
	g := genlClient(t)
	old, err := g.Add(brcmlink.AddRequest{Lower: lw, Port: 5, Up: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []brcmlink.AddRequest{{Lower: lw, Port: 7}, {Lower: other, Port: 1}} {
		if _, err := g.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	// Traffic through the port, so that its counters are not zero: the
	// ARP requests of a ping nobody answers (the peer is no switch).
	sh(t, "ip", "addr", "add", "10.97.0.1/24", "dev", old.Name)
	command("ping", "-c", "2", "-W", "1", "10.97.0.2")
	before, err := g.Get(brcmlink.ByIndex(old.Index))
	if err != nil || before.Stats.TxPackets == 0 {
		t.Fatalf("%s sent nothing: %+v, %v", old.Name, before, err)
	}
	wan := name("aw")
	file := filepath.Join(t.TempDir(), "board.conf")
	text := fmt.Sprintf("lower %s\n  port 5 name %s queue 2 up\n  port 6 down\nlower %s\nlower absent0\n  port 1\n", lw, wan, other)
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	// The rename of the port that is up, and the deletions, disrupt its
	// traffic; they free no name another step takes, so they come last,
	// after the creation.
	steps := fmt.Sprintf("change %[1]s.p5: queue 0 -> 2\ncreate %[1]s.p6 (%[1]s port 6)\n"+
		"rename %[1]s.p5 -> %[3]s (%[1]s port 5) [disrupts traffic]\n"+
		"delete %[1]s.p7 (%[1]s port 7) [disrupts traffic]\ndelete %[2]s.p1 (%[2]s port 1) [disrupts traffic]\n"+
		"absent0: not present, 1 ports pending\n", lw, other, wan)
	if out, errs, code := cli(t, "apply", file, "check"); code != 3 || out != steps || errs != "" {
		t.Errorf("apply check: exit %d, stdout\n%s\nstderr %s\nwant exit 3 and\n%s", code, out, errs, steps)
	}
	if out, errs, code := cli(t, "apply", file); code != 4 || out != steps || errs != "" {
		t.Errorf("apply: exit %d, stdout\n%s\nstderr %s\nwant exit 4 and\n%s", code, out, errs, steps)
	}
	after, err := g.Get(brcmlink.ByName(wan))
	if err != nil {
		t.Fatal(err)
	}
	if after.Index != old.Index || after.Stats.TxPackets < before.Stats.TxPackets || !after.Up || after.Queue != 2 {
		t.Errorf("%s renamed to %s: %+v, was %+v: want the same ifindex and counters, up, queue 2", old.Name, wan, after, before)
	}
	if out, _, code := cli(t, "apply", file); code != 4 || out != "absent0: not present, 1 ports pending\n" {
		t.Errorf("apply again: exit %d, %q", code, out)
	}
	out := cliOK(t, "config", "dev", lw)
	if want := fmt.Sprintf("lower %s\n    port 5 name %s queue 2 up\n    port 6 down\n", lw, wan); out != want {
		t.Errorf("config: %q, want %q", out, want)
	}
	if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := cliOK(t, "apply", file); out != "no changes\n" {
		t.Errorf("apply of config's output: %q", out)
	}
	// The lower down, as at boot before the network manager raises it:
	// apply sets it up for the port to be up, which brings the other
	// port up with it, and sets that one down again.
	sh(t, "ip", "link", "set", lw, "down")
	steps = fmt.Sprintf("set %[1]s up (for %[2]s; also brings up %[1]s.p6)\nchange %[1]s.p6: down\n", lw, wan)
	if out, errs, code := cli(t, "apply", file); code != 0 || out != steps || errs != "" {
		t.Errorf("apply on the lower down: exit %d, stdout\n%s\nstderr %s\nwant exit 0 and\n%s", code, out, errs, steps)
	}
	if out := cliOK(t, "apply", file); out != "no changes\n" {
		t.Errorf("apply again after the lower came up: %q", out)
	}
	// A name held by a device that is no brcm port: exit 1, nothing done.
	if err := os.WriteFile(file, []byte(fmt.Sprintf("lower %s\n  port 9 name %s\n", lw, peer)), 0o644); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("Error: %s:2:3: name %s is taken by a device that is not a brcm port\n", file, peer)
	if _, errs, code := cli(t, "apply", file); code != 1 || errs != want {
		t.Errorf("a taken name: exit %d, %q; want 1, %q", code, errs, want)
	}
}

// rtSystem is a config.System on the VM's kernel: genl, and rtlink to
// rename and to set a lower up, as the command's.
type rtSystem struct {
	*genl.Client
	rt *rtlink.Client
}

func (s rtSystem) Rename(index int, name string) error {
	_, err := s.rt.Rename(brcmlink.ByIndex(index), name)
	return err
}

func (s rtSystem) SetUp(index int, up bool) error { return s.rt.SetDeviceUp(index, up) }

// TestApplyRefused makes the kernel refuse a step of an apply planned
// before the system changed: a name taken meanwhile by another device, a
// switch port taken meanwhile by hand. Each time, the error carries the
// kernel's message and the ports are as they were before the apply.
func TestApplyRefused(t *testing.T) {
	lw := name("rl")
	veth(t, lw, name("rp"))
	g := genlClient(t)
	rt, err := rtlink.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	sys := rtSystem{g, rt}
	a, b := name("ra"), name("rb")
	state := func() string {
		ps, err := g.ListLower(lw)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, p := range ps {
			lines = append(lines, fmt.Sprintf("%s port %d queue %d te %d up %v", p.Name, p.Port, p.Queue, p.TagEnforce, p.Up))
		}
		slices.Sort(lines)
		return strings.Join(lines, "\n")
	}
	for _, tt := range []struct {
		name      string
		meanwhile func(created string)
		errno     syscall.Errno
		msg       string
	}{
		{"name taken", func(created string) { sh(t, "ip", "link", "add", created, "type", "dummy") }, syscall.EEXIST, ""},
		{"port taken", func(string) {
			if _, err := g.Add(brcmlink.AddRequest{Lower: lw, Port: 9, Name: "byhand"}); err != nil {
				t.Fatal(err)
			}
		}, syscall.EEXIST, fmt.Sprintf("port 9 already exists on %s (byhand)", lw)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range []brcmlink.AddRequest{{Lower: lw, Port: 1, Name: a, Up: true}, {Lower: lw, Port: 2, Name: b, Queue: new(uint8(1))}, {Lower: lw, Port: 3}} {
				if _, err := g.Add(r); err != nil {
					t.Fatal(err)
				}
			}
			before := state()
			created := name("rc")
			c, err := config.Parse("f", []byte(fmt.Sprintf("lower %s\nport 1 name %s\nport 2 name %s queue 3 up\nport 9 name %s up\n", lw, b, a, created)))
			if err != nil {
				t.Fatal(err)
			}
			ports, err := g.List()
			if err != nil {
				t.Fatal(err)
			}
			links, err := rt.Devices()
			if err != nil {
				t.Fatal(err)
			}
			var devs []config.Device
			for _, l := range links {
				devs = append(devs, config.Device{Name: l.Name, Index: l.Index, Port: l.Kind == brcmlink.Kind, Up: l.Up})
			}
			plan, err := config.MakePlan(c, ports, devs)
			if err != nil {
				t.Fatal(err)
			}
			tt.meanwhile(created)
			if tt.name == "port taken" {
				defer g.Delete(brcmlink.ByName("byhand"))
				before = state()
			} else {
				defer sh(t, "ip", "link", "del", created)
			}
			err = config.Apply(sys, plan, nil)
			var se *config.StepError
			var ke *brcmlink.Error
			if !errors.As(err, &se) || se.Step.Action != config.Create || se.Undo != nil ||
				!errors.As(err, &ke) || ke.Err != tt.errno || ke.Message != tt.msg {
				t.Errorf("apply: %v; want the creation refused with %v %q, and undone", err, tt.errno, tt.msg)
			}
			if got := state(); got != before {
				t.Errorf("after the refusal, the ports are\n%s\nwant\n%s", got, before)
			}
			for _, p := range []uint16{1, 2, 3} {
				g.Delete(brcmlink.ByPort(lw, p))
			}
		})
	}
}

// TestApplyConcurrent runs two applies of different files on one lower at
// once: the lock makes one wait for the other, so both succeed and the
// ports end exactly as one of the files says, never a mix. Then an apply
// races a port added by hand: it ends as its file says, or fails and
// leaves the ports as they were; either way, applying again converges.
func TestApplyConcurrent(t *testing.T) {
	lw := name("cl")
	veth(t, lw, name("cp"))
	dir := t.TempDir()
	write := func(file, text string) string {
		path := filepath.Join(dir, file)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	var a, b strings.Builder
	fmt.Fprintf(&a, "lower %s\n", lw)
	fmt.Fprintf(&b, "lower %s\n", lw)
	for p := 1; p <= 20; p++ {
		fmt.Fprintf(&a, "port %d name %sa%d queue 1\n", p, lw, p)
		fmt.Fprintf(&b, "port %d name %sb%d queue 2 up\n", p, lw, p)
	}
	b.WriteString("port 21\n")
	fa, fb := write("a.conf", a.String()), write("b.conf", b.String())
	t.Cleanup(func() { cli(t, "del", "dev", lw, "all") })
	for round := range 2 {
		cmds := []*exec.Cmd{exec.Command(*cliPath, "apply", fa), exec.Command(*cliPath, "apply", fb)}
		outs := make([]bytes.Buffer, 2)
		for i, c := range cmds {
			c.Stdout, c.Stderr = &outs[i], &outs[i]
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
		}
		for i, c := range cmds {
			if err := c.Wait(); err != nil {
				t.Errorf("round %d: %s: %v\n%s", round, c.Args, err, outs[i].String())
			}
		}
		_, _, ca := cli(t, "apply", fa, "check")
		_, _, cb := cli(t, "apply", fb, "check")
		if (ca == 0) == (cb == 0) {
			t.Errorf("round %d: apply check exits %d for a.conf and %d for b.conf: want one of them 0, the other 3", round, ca, cb)
		}
	}

	g := genlClient(t)
	lw2 := name("cr")
	veth(t, lw2, name("cs"))
	t.Cleanup(func() { cli(t, "del", "dev", lw2, "all") })
	var c strings.Builder
	fmt.Fprintf(&c, "lower %s\n", lw2)
	for p := 1; p <= 20; p++ {
		fmt.Fprintf(&c, "port %d\n", p)
	}
	fc := write("c.conf", c.String())
	for _, delay := range []time.Duration{0, 100 * time.Millisecond, 400 * time.Millisecond} {
		cli(t, "del", "dev", lw2, "all")
		cmd := exec.Command(*cliPath, "apply", fc)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		hand, herr := g.Add(brcmlink.AddRequest{Lower: lw2, Port: 5, Name: name("ch")})
		err := cmd.Wait()
		ports, lerr := g.ListLower(lw2)
		if lerr != nil {
			t.Fatal(lerr)
		}
		var ee *exec.ExitError
		switch {
		case err == nil:
			// As the file says, but for the port made by hand after the
			// plan, if it was: then its switch port was free.
			byPort := map[uint16]string{}
			for _, p := range ports {
				byPort[p.Port] = p.Name
			}
			for p := uint16(1); p <= 20; p++ {
				if want := fmt.Sprintf("%s.p%d", lw2, p); byPort[p] != want && (herr != nil || p != 5) {
					t.Errorf("delay %v: apply succeeded, but port %d is %q, want %s", delay, p, byPort[p], want)
				}
			}
		case errors.As(err, &ee) && ee.ExitCode() == 2:
			// Refused, and undone: only the port made by hand is left.
			if herr != nil || len(ports) != 1 || ports[0].Index != hand.Index {
				t.Errorf("delay %v: apply failed (%s), and left %+v (the add by hand: %v)", delay, out.String(), ports, herr)
			}
		default:
			t.Errorf("delay %v: apply: %v\n%s", delay, err, out.String())
		}
		if _, errs, code := cli(t, "apply", fc); code != 0 || errs != "" {
			t.Errorf("delay %v: apply again: exit %d, %s", delay, code, errs)
		}
		if _, _, code := cli(t, "apply", fc, "check"); code != 0 {
			t.Errorf("delay %v: after applying again, apply check exits %d", delay, code)
		}
	}
}
