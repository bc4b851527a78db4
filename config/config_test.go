// SPDX-License-Identifier: MIT

package config_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/brcmtest"
	"github.com/brcmlink/brcmlink/config"
	"github.com/brcmlink/brcmlink/genl"
	"github.com/google/go-cmp/cmp"
)

const example = `# board 7
lower eth0            # the file owns eth0's ports
    port 5 name wan queue 2 tag-enforce 1 up
    port any name eth0.any down
    port 6
lower eth1            # owned, with no ports
`

func TestParse(t *testing.T) {
	c, err := config.Parse("b.conf", []byte(example))
	if err != nil {
		t.Fatal(err)
	}
	want := &config.Config{Lowers: []config.Lower{
		{Name: "eth0", Pos: config.Pos{File: "b.conf", Line: 2, Column: 7}, Ports: []config.Port{
			{Port: 5, Name: "wan", Queue: 2, TagEnforce: 1, Up: new(true), Pos: config.Pos{File: "b.conf", Line: 3, Column: 5}},
			{Port: 0, Name: "eth0.any", Up: new(false), Pos: config.Pos{File: "b.conf", Line: 4, Column: 5}},
			{Port: 6, Pos: config.Pos{File: "b.conf", Line: 5, Column: 5}},
		}},
		{Name: "eth1", Pos: config.Pos{File: "b.conf", Line: 6, Column: 7}},
	}}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// The same in JSON.
	j := `{"lowers": [
  {"name": "eth0", "ports": [
    {"port": 5, "name": "wan", "queue": 2, "tag_enforce": 1, "up": true},
    {"port": "any", "name": "eth0.any", "up": false},
    {"port": 6}]},
  {"name": "eth1"}]}`
	cj, err := config.Parse("b.json", []byte(j))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cj.Format(), c.Format(); got != want {
		t.Errorf("JSON reads as\n%s\nwant\n%s", got, want)
	}
	if p := cj.Lowers[0].Ports[1].Pos; p.Line != 4 || p.Column != 5 {
		t.Errorf("the JSON port is at %v, want 4:5", p)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"port 5\n", "f:1:1: port before any lower: start with lower NAME"},
		{"lower eth0\n  port 28\n", "f:2:8: port 28 out of range (0-27)"},
		{"lower eth0\n  port five\n", `f:2:8: port "five" is not a number`},
		{"lower eth0\n  port 5 queue 4\n", "f:2:16: queue 4 out of range (0-3)"},
		{"lower eth0\n  port 5 tag-enforce 9\n", "f:2:22: tag enforcement 9 out of range (0-3)"},
		{"lower eth0\n  port 5 nmae x\n", `f:2:10: unknown keyword "nmae", expected one of: name, queue, tag-enforce, format, vlan, up, down`},
		{"lower eth0\n  port 5 name\n", "f:2:10: missing value after name"},
		{"lower eth0\n  port 5 up down\n", "f:2:13: down given twice for port 5"},
		{"lower eth0\n  port 5\n  port 5\n", "f:3:3: port 5 of eth0 is described twice: first at 2:3"},
		{"lower eth0\n  port 5 name x\n  port 6 name x\n", "f:3:3: name x is given twice: first at 2:3"},
		{"lower eth0\n  port 5 name a/b\n", `f:2:3: name "a/b" is not one the kernel takes: 1-15 bytes, no blank, '/' or ':'`},
		{"lower eth0\n  port 5 name p%d\n", `f:2:3: device name p%d contains '%', which the kernel would expand as a format: give the name itself`},
		{"lower eth%d\n  port 5 name p5\n", `f:1:7: lower device name eth%d contains '%', which the kernel would expand as a format: give the name itself`},
		{"lower eth0\nlower eth0\n", "f:2:7: lower eth0 is described twice: first at 1:7"},
		{"lower averylongname12\n  port 5\n", "f:2:3: default name averylongname12.p5 is longer than 15 bytes: give a name"},
		{"lower eth0 eth1\n", "f:1:1: want: lower NAME [format FORMAT]"},
		{"lowr eth0\n", `f:1:1: unknown keyword "lowr", expected lower or port`},
		{"lower eth0\n  port 5 name eth1\nlower eth1\n", "f:2:3: name eth1 is that of the lower at 3:7"},
		{`{"lowers": [{"name": "eth0", "ports": [{"port": 5, "queu": 1}]}]}`, `f:1:40: unknown field "queu"`},
		{`{"lowers": [{"name": "eth0", "ports": [{"port": 30}]}]}`, "f:1:40: port 30 out of range (0-27)"},
		{"{\"lowers\": [\n {\"name\": \"eth0\", \"ports\": [{\"port\": 5, \"queue\": \"x\"}]}]}", "f:2:29: queue must be a number, not a string"},
		{`{"lowers": [{"name": "eth0", "ports": [{"port": 1, "up": 1}]}]}`, "f:1:40: up must be true or false, not a number"},
		{`{"lowers": [{"name": "eth0"}], "x": 1}`, `f:1:35: unknown key "x", expected lowers`},
		{`{"lowers": [}`, "f:1:13: invalid character '}' looking for beginning of value"},
	} {
		_, err := config.Parse("f", []byte(tt.in))
		var e *config.Error
		if !errors.As(err, &e) || err.Error() != tt.want {
			t.Errorf("%q: %v, want %s", tt.in, err, tt.want)
		}
	}
}

// system is a config.System on brcmtest's kernel.
type system struct {
	*genl.Client
	k *brcmtest.Kernel
}

func (s system) Rename(index int, name string) error {
	p, err := s.Get(brcmlink.ByIndex(index))
	if err != nil {
		return err
	}
	return s.k.Rename(p.Name, name)
}

// SetUp sets the device with ifindex index up or down, as rtnetlink
// does.
func (s system) SetUp(index int, up bool) error {
	for _, d := range s.k.Devices() {
		if d.Index == index {
			return s.k.SetUp(d.Name, up)
		}
	}
	return &brcmlink.Error{Err: syscall.ENODEV}
}

// devices lists the kernel's devices, for MakePlan.
func devices(k *brcmtest.Kernel) []config.Device {
	var ds []config.Device
	for _, d := range k.Devices() {
		ds = append(ds, config.Device{Name: d.Name, Index: d.Index, Port: d.Port, Up: d.Up})
	}
	return ds
}

// state prints the ports as a user compares them: without ifindexes.
func state(k *brcmtest.Kernel) string {
	var lines []string
	for _, p := range k.Ports() {
		lines = append(lines, fmt.Sprintf("%s %s port %d queue %d te %d up %v", p.Name, p.Lower, p.Port, p.Queue, p.TagEnforce, p.Up))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

func setup(t *testing.T) (*brcmtest.Kernel, system) {
	t.Helper()
	k := brcmtest.New()
	k.AddEthernet("eth0")
	k.AddEthernet("eth1")
	c, err := k.Client()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return k, system{c, k}
}

func plan(t *testing.T, k *brcmtest.Kernel, text string) *config.Plan {
	t.Helper()
	c, err := config.Parse("f", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	p, err := config.MakePlan(c, k.Ports(), devices(k))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// wantPlan returns the plan of text, failing unless its steps are want.
func wantPlan(t *testing.T, k *brcmtest.Kernel, text string, want []string) *config.Plan {
	t.Helper()
	p := plan(t, k, text)
	if diff := cmp.Diff(want, steps(p)); diff != "" {
		t.Fatalf("plan (-want +got):\n%s", diff)
	}
	return p
}

func steps(p *config.Plan) []string {
	var s []string
	for _, st := range p.Steps {
		s = append(s, st.String())
	}
	return s
}

func TestApply(t *testing.T) {
	k, sys := setup(t)
	for _, r := range []brcmlink.AddRequest{
		{Lower: "eth0", Port: 5, Up: true},                   // renamed to wan, keeps its counters
		{Lower: "eth0", Port: 7},                             // deleted
		{Lower: "eth0", Port: 0, Name: "eth0.any", Up: true}, // brought down
		{Lower: "eth1", Port: 3},                             // deleted: the file owns eth1
	} {
		if _, err := sys.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	k.SetStats("eth0.p5", brcmlink.Stats{RxPackets: 42})
	want := []string{
		"change eth0.any: down",
		"change eth0.p5: queue 0 -> 2, tag-enforce 0 -> 1",
		"create eth0.p6 (eth0 port 6)",
		"rename eth0.p5 -> wan (eth0 port 5) [disrupts traffic]",
		"delete eth0.p7 (eth0 port 7) [disrupts traffic]",
		"delete eth1.p3 (eth1 port 3) [disrupts traffic]",
	}
	p := wantPlan(t, k, example, want)
	var done []string
	if err := config.Apply(sys, p, func(s config.Step) { done = append(done, s.String()) }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(done, want) {
		t.Errorf("done %q", done)
	}
	if got, want := state(k), "eth0.any eth0 port 0 queue 0 te 0 up false\neth0.p6 eth0 port 6 queue 0 te 0 up false\nwan eth0 port 5 queue 2 te 1 up true"; got != want {
		t.Errorf("after apply:\n%s\nwant\n%s", got, want)
	}
	if wan, err := sys.Get(brcmlink.ByName("wan")); err != nil || wan.Stats.RxPackets != 42 {
		t.Errorf("wan: %+v, %v; want the counters of eth0.p5", wan, err)
	}
	// Again: nothing to do.
	if p := plan(t, k, example); len(p.Steps) != 0 || len(p.Absent) != 0 {
		t.Errorf("second plan: %q %v", steps(p), p.Absent)
	}
	// What is, written out, reads back as what is.
	cur := config.FromPorts(k.Ports(), []string{"eth0", "eth1"})
	if p := plan(t, k, cur.Format()); len(p.Steps) != 0 {
		t.Errorf("the current state's own plan: %q\n%s", steps(p), cur.Format())
	}
}

// TestApplySwap swaps the names of two ports, which takes temporary names.
func TestApplySwap(t *testing.T) {
	k, sys := setup(t)
	sys.Add(brcmlink.AddRequest{Lower: "eth0", Port: 1, Name: "a", Up: true})
	sys.Add(brcmlink.AddRequest{Lower: "eth0", Port: 2, Name: "b"})
	p := plan(t, k, "lower eth0\nport 1 name b up\nport 2 name a\n")
	if err := config.Apply(sys, p, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := state(k), "a eth0 port 2 queue 0 te 0 up false\nb eth0 port 1 queue 0 te 0 up true"; got != want {
		t.Errorf("after the swap:\n%s\nwant\n%s", got, want)
	}
}

// TestApplyUndo refuses each request of an apply in turn: every time,
// the ports end as they were, and the error names the step and carries
// the kernel's; or, where apply could go another way (a deletion of many
// refused is made one by one), as the file says.
func TestApplyUndo(t *testing.T) {
	const text = "lower eth0\nport 1 name b up\nport 2 name a queue 3\nport 4 up\nport 5\nport 6 name f\nlower eth1\n"
	start := func() (*brcmtest.Kernel, system, *config.Plan) {
		k, sys := setup(t)
		sys.Add(brcmlink.AddRequest{Lower: "eth0", Port: 1, Name: "a", Up: true})
		sys.Add(brcmlink.AddRequest{Lower: "eth0", Port: 2, Name: "b"})
		sys.Add(brcmlink.AddRequest{Lower: "eth0", Port: 3, Name: "c", Queue: new(uint8(1))})
		sys.Add(brcmlink.AddRequest{Lower: "eth1", Port: 9, TagEnforce: new(uint8(2)), Up: true})
		return k, sys, plan(t, k, text)
	}
	// requests counts the requests an apply makes, but the test's own
	// rename, which looks the port up.
	requests := func(k *brcmtest.Kernel, refuse int) {
		n := 0
		k.Refuse(func(r brcmtest.Request) error {
			if r.Cmd == brcmlink.CmdPortGet {
				return nil
			}
			if n++; n == refuse {
				return &brcmlink.Error{Err: syscall.EBUSY, Message: "refused here"}
			}
			return nil
		})
	}
	k, sys, p := start()
	before := state(k)
	if err := config.Apply(sys, p, nil); err != nil {
		t.Fatal(err)
	}
	after := state(k)
	if again := plan(t, k, text); len(again.Steps) != 0 {
		t.Fatalf("after apply, still to do: %v", again.Steps)
	}
	total := 0
	k, sys, p = start()
	k.Refuse(func(r brcmtest.Request) error {
		if r.Cmd != brcmlink.CmdPortGet {
			total++
		}
		return nil
	})
	if err := config.Apply(sys, p, nil); err != nil {
		t.Fatal(err)
	}
	refused := 0
	for n := 1; n <= total; n++ {
		k, sys, p := start()
		requests(k, n)
		err := config.Apply(sys, p, nil)
		k.Refuse(nil)
		if err == nil {
			if got := state(k); got != after {
				t.Errorf("request %d refused, apply went on: the ports are\n%s\nwant\n%s", n, got, after)
			}
			continue
		}
		refused++
		var se *config.StepError
		var ke *brcmlink.Error
		if !errors.As(err, &se) || se.Undo != nil || !errors.As(err, &ke) || ke.Message != "refused here" {
			t.Errorf("request %d refused: %v", n, err)
		}
		if got := state(k); got != before {
			t.Errorf("request %d refused (%v): the ports are\n%s\nwant\n%s", n, err, got, before)
		}
	}
	if refused < total-1 {
		t.Errorf("of %d requests, %d refusals failed the apply", total, refused)
	}
	t.Logf("%d requests, each refused in turn", total)
}

func TestPlanRefusals(t *testing.T) {
	k, sys := setup(t)
	sys.Add(brcmlink.AddRequest{Lower: "eth1", Port: 1, Name: "other"})
	c, err := config.Parse("f", []byte("lower eth0\nport 1 name lo\nport 2 name other\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = config.MakePlan(c, k.Ports(), devices(k))
	if want := "f:2:1: name lo is taken by a device that is not a brcm port"; err == nil || err.Error() != want {
		t.Errorf("%v, want %s", err, want)
	}
	c.Lowers[0].Ports = c.Lowers[0].Ports[1:]
	_, err = config.MakePlan(c, k.Ports(), devices(k))
	if want := "f:3:1: name other is taken by a brcm port on eth1, a lower this plan leaves alone"; err == nil || err.Error() != want {
		t.Errorf("%v, want %s", err, want)
	}
	// An absent lower waits; the rest goes on.
	c, _ = config.Parse("f", []byte("lower eth9\nport 1\nport 2\nlower eth0\nport 3\n"))
	p, err := config.MakePlan(c, k.Ports(), devices(k))
	if err != nil || len(p.Absent) != 1 || p.Absent[0].String() != "eth9: not present, 2 ports pending" || len(p.Steps) != 1 {
		t.Errorf("%+v, %v", p, err)
	}
}

// TestApplyLowerGone removes a lower between plan and apply: the step on
// it fails with the kernel's words, and the steps on the other lower are
// undone.
func TestApplyLowerGone(t *testing.T) {
	k, sys := setup(t)
	sys.Add(brcmlink.AddRequest{Lower: "eth0", Port: 1, Up: true})
	p := plan(t, k, "lower eth0\nport 1 name a queue 2\nport 2\nlower eth1\nport 3\n")
	before := state(k)
	k.Remove("eth1")
	err := config.Apply(sys, p, nil)
	var se *config.StepError
	var ke *brcmlink.Error
	if !errors.As(err, &se) || se.Step.String() != "create eth1.p3 (eth1 port 3)" || se.Undo != nil ||
		!errors.As(err, &ke) || ke.Err != syscall.ENODEV || ke.Message != "lower device eth1 not found" {
		t.Errorf("apply: %v", err)
	}
	if got := state(k); got != before {
		t.Errorf("after the refusal:\n%s\nwant\n%s", got, before)
	}
}

// lowerUp reports whether the device name of k is up.
func lowerUp(t *testing.T, k *brcmtest.Kernel, name string) bool {
	t.Helper()
	for _, d := range k.Devices() {
		if d.Name == name {
			return d.Up
		}
	}
	t.Fatalf("no device %s", name)
	return false
}

// TestPlanLowerDown plans ports on a lower that is down: one to be up
// needs the lower up, a step of its own before the changes and
// creations, which brings every port of the lower up with it, as it
// says; a port to be down, or one the description leaves alone (down, as
// its lower was), goes down again. A lower up, or ports none of which is
// to be up, need no such step.
func TestPlanLowerDown(t *testing.T) {
	for _, tt := range []struct {
		text    string
		lowerUp bool
		want    []string
	}{
		{"lower eth0\nport 1 name lan1 up\nport 2\nport 3\n", false, []string{
			"set eth0 up (for lan1; also brings up eth0.p2, eth0.p3)",
			"change eth0.p2: down",
			"change eth0.p3: down",
			"create lan1 (eth0 port 1 up)",
		}},
		{"lower eth0\nport 1 name lan1 up\nport 2\nport 3\n", true, []string{"create lan1 (eth0 port 1 up)"}},
		// Issue 27: eth0.p2, left alone, stays down.
		{"lower eth0\nport 2\nport 3 up\n", false, []string{"set eth0 up (for eth0.p3; also brings up eth0.p2)", "change eth0.p2: down"}},
		{"lower eth0\nport 1 name lan1\nport 2 down\nport 3 name lan3 down\n", false, []string{"rename eth0.p3 -> lan3 (eth0 port 3)", "create lan1 (eth0 port 1)"}},
		// Existing ports on the down lower: down, as the lower is.
		{"lower eth0\nport 2 up\nport 3 name lan3 queue 1\nport 4 name lan4 down\nport 5 up\nlower eth1\nport 6 up\n", false, []string{
			"rename eth0.p3 -> lan3 (eth0 port 3)",
			"set eth0 up (for eth0.p2, eth0.p5; also brings up lan3)",
			"change lan3: queue 0 -> 1, down",
			"create eth0.p5 (eth0 port 5 up)",
			"create eth1.p6 (eth1 port 6 up)",
			"create lan4 (eth0 port 4)",
		}},
	} {
		k, sys := setup(t)
		sys.Add(brcmlink.AddRequest{Lower: "eth0", Port: 2})
		sys.Add(brcmlink.AddRequest{Lower: "eth0", Port: 3})
		if !tt.lowerUp {
			k.SetUp("eth0", false)
		}
		if got := steps(plan(t, k, tt.text)); !slices.Equal(got, tt.want) {
			t.Errorf("%q, eth0 up %v: %q, want %q", tt.text, tt.lowerUp, got, tt.want)
		}
	}
}

// TestApplyLowerDown applies ports to be up on a lower that is down: the
// lower comes up, once; ports the description leaves alone keep their
// state, down; if a later request is refused, all is undone, the lower
// down again.
func TestApplyLowerDown(t *testing.T) {
	const text = "lower eth0\nport 1 name lan1 up\nport 2 down\nport 3 name lan3 queue 2\nport 4\n"
	start := func() (*brcmtest.Kernel, system, *config.Plan) {
		k, sys := setup(t)
		sys.Add(brcmlink.AddRequest{Lower: "eth0", Port: 2})
		sys.Add(brcmlink.AddRequest{Lower: "eth0", Port: 3})
		k.SetUp("eth0", false)
		return k, sys, plan(t, k, text)
	}
	k, sys, p := start()
	want := []string{
		"rename eth0.p3 -> lan3 (eth0 port 3)",
		"set eth0 up (for lan1; also brings up eth0.p2, lan3)",
		"change eth0.p2: down",
		"change lan3: queue 0 -> 2, down",
		"create eth0.p4 (eth0 port 4)",
		"create lan1 (eth0 port 1 up)",
	}
	if diff := cmp.Diff(want, steps(p)); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
	before := state(k)
	var done []string
	if err := config.Apply(sys, p, func(s config.Step) { done = append(done, s.String()) }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(done, want) {
		t.Errorf("done %q", done)
	}
	after := "eth0.p2 eth0 port 2 queue 0 te 0 up false\neth0.p4 eth0 port 4 queue 0 te 0 up false\n" +
		"lan1 eth0 port 1 queue 0 te 0 up true\nlan3 eth0 port 3 queue 2 te 0 up false"
	if got := state(k); got != after || !lowerUp(t, k, "eth0") {
		t.Errorf("after apply: eth0 up %v, the ports\n%s\nwant eth0 up, and\n%s", lowerUp(t, k, "eth0"), got, after)
	}
	if again := plan(t, k, text); len(again.Steps) != 0 {
		t.Errorf("after apply, still to do: %q", steps(again))
	}
	// Each request of the brcm family refused in turn.
	for n := 1; ; n++ {
		k, sys, p := start()
		i := 0
		k.Refuse(func(r brcmtest.Request) error {
			if r.Cmd == brcmlink.CmdPortGet { // the test's own rename
				return nil
			}
			if i++; i == n {
				return &brcmlink.Error{Err: syscall.EBUSY, Message: "refused here"}
			}
			return nil
		})
		err := config.Apply(sys, p, nil)
		k.Refuse(nil)
		if err == nil { // past the last request
			if n < 4 {
				t.Errorf("only %d requests refused; want the two changes and the two creations", n-1)
			}
			t.Logf("%d requests, each refused in turn", n-1)
			break
		}
		var se *config.StepError
		if !errors.As(err, &se) || se.Undo != nil {
			t.Errorf("request %d refused: %v", n, err)
		}
		if got := state(k); got != before || lowerUp(t, k, "eth0") {
			t.Errorf("request %d refused (%v): eth0 up %v, the ports\n%s\nwant eth0 down, and\n%s", n, err, lowerUp(t, k, "eth0"), got, before)
		}
	}
}

// TestDevices: a system already as the file says is planned without a
// single lookup; otherwise only the names the ports do not tell are
// looked up, and the plan is the one every device would give.
func TestDevices(t *testing.T) {
	k, sys := setup(t)
	k.AddEthernet("eth2")
	sys.Add(brcmlink.AddRequest{Lower: "eth0", Port: 1, Name: "a"})
	sys.Add(brcmlink.AddRequest{Lower: "eth0", Port: 2})
	all := devices(k)
	lookup := func(looked *[]string) func(string) (*config.Device, error) {
		return func(name string) (*config.Device, error) {
			*looked = append(*looked, name)
			for _, d := range all {
				if d.Name == name {
					return &d, nil
				}
			}
			return nil, nil
		}
	}
	var many strings.Builder
	many.WriteString("lower eth1\n")
	for p := 1; p <= 27; p++ {
		fmt.Fprintf(&many, "port %d\n", p)
	}
	many.WriteString("lower eth2\n")
	for p := 1; p <= 27; p++ {
		fmt.Fprintf(&many, "port %d\n", p)
	}
	for _, tt := range []struct {
		text   string
		looked []string
	}{
		{many.String(), []string{"list"}}, // 56 names: one listing
		{"lower eth0\nport 1 name a\nport 2\n", nil},
		// Its ports all down, eth0 may be down: whether it is matters
		// once one is to be up.
		{"lower eth0\nport 1 name a up\nport 2\n", []string{"eth0"}},
		{"lower eth0\nport 1 name z\nport 3 name a\nlower eth2\nport 4\n", []string{"z", "eth2", "eth2.p4"}},
		{"lower eth0\nport 1 name lo\nport 2\nport 3\nlower eth2\nport 4\nlower eth9\nport 5\n", []string{"lo", "eth0.p3", "eth2", "eth2.p4", "eth9", "eth9.p5"}},
	} {
		c, err := config.Parse("f", []byte(tt.text))
		if err != nil {
			t.Fatal(err)
		}
		var looked []string
		ds, err := config.Devices(c, k.Ports(), lookup(&looked), func() ([]config.Device, error) {
			looked = append(looked, "list")
			return all, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(looked, tt.looked) {
			t.Errorf("%q: looked up %q, want %q", tt.text, looked, tt.looked)
		}
		p1, err1 := config.MakePlan(c, k.Ports(), ds)
		p2, err2 := config.MakePlan(c, k.Ports(), all)
		if fmt.Sprint(p1, err1) != fmt.Sprint(p2, err2) {
			t.Errorf("%q: with Devices' devices, %v %v; with every device, %v %v", tt.text, p1, err1, p2, err2)
		}
	}
}

// TestParseFiles reads two files as one description: each in its own
// format, checked whole, a mistake across files at the second file's
// line, naming the first's file.
func TestParseFiles(t *testing.T) {
	a := config.File{Name: "d/a.conf", Data: []byte("lower eth0\n  port 5 name wan\n")}
	b := config.File{Name: "d/b.conf", Data: []byte(`{"lowers": [{"name": "eth1", "ports": [{"port": 3}]}]}`)}
	c, err := config.ParseFiles([]config.File{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Format(), "lower eth0\n    port 5 name wan\n\nlower eth1\n    port 3\n"; got != want {
		t.Errorf("two files read as\n%s\nwant\n%s", got, want)
	}
	if p := c.Lowers[1].Ports[0].Pos; p.File != "d/b.conf" || p.Line != 1 || p.Column != 40 {
		t.Errorf("b.conf's port is at %v", p)
	}
	if c, err := config.ParseFiles(nil); err != nil || len(c.Lowers) != 0 {
		t.Errorf("no files: %+v, %v", c, err)
	}
	for _, tt := range []struct{ second, want string }{
		{"# eth0 again\nlower eth0\n", "d/b.conf:2:7: lower eth0 is described twice: first at d/a.conf:1:7"},
		{"lower eth1\n  port 6 name wan\n", "d/b.conf:2:3: name wan is given twice: first at d/a.conf:2:3"},
		{"lower wan\n", "d/a.conf:2:3: name wan is that of the lower at d/b.conf:1:7"},
		{"port 6\n", "d/b.conf:1:1: port before any lower: start with lower NAME"}, // no lower goes on from a.conf
		{"lower eth1\n  port 6 queue 4\n", "d/b.conf:2:16: queue 4 out of range (0-3)"},
	} {
		_, err := config.ParseFiles([]config.File{a, {Name: "d/b.conf", Data: []byte(tt.second)}})
		var e *config.Error
		if !errors.As(err, &e) || err.Error() != tt.want {
			t.Errorf("%q after a.conf: %v, want %s", tt.second, err, tt.want)
		}
	}
}

// TestReadDir reads a directory's *.conf files in name order, and
// nothing else of it.
func TestReadDir(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"b.conf":          "lower eth1\n",
		"a.conf":          "lower eth0\n",
		"c.conf.dpkg-old": "not read",
		".hidden.conf":    "not read",
		"README":          "not read",
		"sub.conf/x.conf": "not read",
	} {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("b.conf", filepath.Join(dir, "link.conf")); err != nil {
		t.Fatal(err)
	}
	files, err := config.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, strings.TrimPrefix(f.Name, dir+"/")+": "+string(f.Data))
	}
	if want := []string{"a.conf: lower eth0\n", "b.conf: lower eth1\n", "link.conf: lower eth1\n"}; !slices.Equal(got, want) {
		t.Errorf("read %q, want %q", got, want)
	}
	if files, err := config.ReadDir(t.TempDir()); err != nil || len(files) != 0 {
		t.Errorf("an empty directory: %v, %v", files, err)
	}
	if err := os.Symlink("none", filepath.Join(dir, "broken.conf")); err != nil {
		t.Fatal(err)
	}
	var pe *os.PathError
	if _, err := config.ReadDir(dir); !errors.As(err, &pe) || pe.Path != filepath.Join(dir, "broken.conf") {
		t.Errorf("a broken link: %v", err)
	}
	if _, err := config.ReadDir(filepath.Join(dir, "none")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("no directory: %v", err)
	}
}

// TestOnly plans one lower of a description alone: the other lowers'
// ports stay as they are, their absence is not reported, and a name one
// of their ports holds is taken.
func TestOnly(t *testing.T) {
	k, sys := setup(t)
	sys.Add(brcmlink.AddRequest{Lower: "eth0", Port: 7})
	sys.Add(brcmlink.AddRequest{Lower: "eth1", Port: 1, Name: "x"})
	sys.Add(brcmlink.AddRequest{Lower: "eth1", Port: 2})
	c, err := config.Parse("f", []byte("lower eth0\n  port 5\nlower eth1\n  port 1 name y\nlower eth9\n  port 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Only("eth2") != nil {
		t.Error("Only of a lower the description does not name is not nil")
	}
	part := c.Only("eth0")
	p, err := config.MakePlan(part, k.Ports(), devices(k))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"create eth0.p5 (eth0 port 5)", "delete eth0.p7 (eth0 port 7) [disrupts traffic]"}; !slices.Equal(steps(p), want) || len(p.Absent) != 0 {
		t.Errorf("eth0's plan: %q, absent %v; want %q, none", steps(p), p.Absent, want)
	}
	if err := config.Apply(sys, p, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := state(k), "eth0.p5 eth0 port 5 queue 0 te 0 up false\neth1.p2 eth1 port 2 queue 0 te 0 up false\nx eth1 port 1 queue 0 te 0 up false"; got != want {
		t.Errorf("after eth0's plan:\n%s\nwant\n%s", got, want)
	}
	// x is eth1's until eth1 is applied.
	c, _ = config.Parse("f", []byte("lower eth0\n  port 5 name x\nlower eth1\n  port 1 name y\n"))
	if _, err := config.MakePlan(c.Only("eth0"), k.Ports(), devices(k)); err == nil ||
		err.Error() != "f:2:3: name x is taken by a brcm port on eth1, a lower this plan leaves alone" {
		t.Errorf("eth0 alone taking eth1's name: %v", err)
	}
	if _, err := config.MakePlan(c, k.Ports(), devices(k)); err != nil {
		t.Errorf("both, which frees the name first: %v", err)
	}
}

// TestParseFormats reads the tag format, given on a lower or its ports,
// the queue taken from the priority and the VLAN id, in text and JSON,
// and writes them back as read.
func TestParseFormats(t *testing.T) {
	text := "lower eth0 format original\n  port 5 queue priority vlan 100\n  port 6 format original vlan none\n" +
		"lower eth1\n  port 1 format original\n  port 2\n"
	c, err := config.Parse("f", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	orig := brcmlink.FormatOriginal
	want := &config.Config{Lowers: []config.Lower{
		{Name: "eth0", Format: &orig, Pos: config.Pos{File: "f", Line: 1, Column: 7}, Ports: []config.Port{
			{Port: 5, QueueFromPriority: true, VLAN: 100, Pos: config.Pos{File: "f", Line: 2, Column: 3}},
			{Port: 6, Format: &orig, Pos: config.Pos{File: "f", Line: 3, Column: 3}},
		}},
		{Name: "eth1", Pos: config.Pos{File: "f", Line: 4, Column: 7}, Ports: []config.Port{
			{Port: 1, Format: &orig, Pos: config.Pos{File: "f", Line: 5, Column: 3}},
			{Port: 2, Pos: config.Pos{File: "f", Line: 6, Column: 3}},
		}},
	}}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// A port's format is its lower's, given on the lower or a port.
	for _, l := range c.Lowers {
		if l.TagFormat() != orig {
			t.Errorf("%s: format %v, want original", l.Name, l.TagFormat())
		}
	}
	if f := (config.Lower{Name: "eth2"}).TagFormat(); f != brcmlink.FormatBCM53242 {
		t.Errorf("a lower that gives none: %v, want the default, bcm53242", f)
	}
	formatted := "lower eth0 format original\n    port 5 queue priority vlan 100\n    port 6 format original\n\n" +
		"lower eth1\n    port 1 format original\n    port 2\n"
	if got := c.Format(); got != formatted {
		t.Errorf("Format:\n%s\nwant\n%s", got, formatted)
	}
	j, err := c.JSON()
	if err != nil {
		t.Fatal(err)
	}
	wantJSON := `{"lowers":[{"name":"eth0","format":"original","ports":[{"port":5,"queue_from_priority":true,"vlan":100},{"port":6,"format":"original"}]},` +
		`{"name":"eth1","ports":[{"port":1,"format":"original"},{"port":2}]}]}`
	if string(j) != wantJSON {
		t.Errorf("JSON:\n%s\nwant\n%s", j, wantJSON)
	}
	cj, err := config.Parse("f.json", j)
	if err != nil {
		t.Fatal(err)
	}
	if got := cj.Format(); got != formatted {
		t.Errorf("the JSON reads as\n%s\nwant\n%s", got, formatted)
	}
}

// TestParseFormatErrors checks that a lower's ports agree on their
// format, and the mistakes of the new keywords.
func TestParseFormatErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"lower eth0\n  port 5 format original\n  port 6\n  port 7 format bcm53242\n",
			"f:4:3: port 7 has format bcm53242, but port 5 (at 2:3) has original: the ports of lower eth0 share one format"},
		{"lower eth0 format bcm53242\n  port 5 format original\n",
			"f:2:3: port 5 has format original, but lower eth0 (at 1:7) has bcm53242: the ports of a lower share its format"},
		{"lower eth0 format bcm5325\n", `f:1:19: tag format "bcm5325" unknown: give bcm53242 or original`},
		{"lower eth0 form original\n", "f:1:1: want: lower NAME [format FORMAT]"},
		{"lower eth0 format\n", "f:1:1: want: lower NAME [format FORMAT]"},
		{"lower eth0\n  port 5 format orig\n", `f:2:17: tag format "orig" unknown: give bcm53242 or original`},
		{"lower eth0\n  port 5 queue prio\n", `f:2:16: queue "prio" is not a number`},
		{"lower eth0\n  port 5 queue priority queue 1\n", "f:2:25: queue given twice for port 5"},
		{"lower eth0\n  port 5 vlan 4095\n", "f:2:15: vlan 4095 out of range (0-4094)"},
		{"lower eth0\n  port 5 vlan\n", "f:2:10: missing value after vlan"},
		{`{"lowers": [{"name": "eth0", "format": "x", "ports": []}]}`, `f:1:43: tag format "x" unknown: give bcm53242 or original`},
		{`{"lowers": [{"name": "eth0", "ports": [{"port": 5, "queue": 1, "queue_from_priority": true}]}]}`,
			"f:1:40: port 5 takes its queue from the priority and queue 1: give one or the other"},
		{`{"lowers": [{"name": "eth0", "ports": [{"port": 5, "format": "x"}]}]}`, `f:1:40: tag format "x" unknown: give bcm53242 or original`},
		{`{"lowers": [{"name": "eth0", "ports": [{"port": 5, "vlan": 5000}]}]}`, "f:1:40: vlan 5000 out of range (0-4094)"},
		{`{"lowers": [{"name": "eth0", "ports": [{"port": 5, "format": "original"}, {"port": 6, "format": "bcm53242"}]}]}`,
			"f:1:75: port 6 has format bcm53242, but port 5 (at 1:40) has original: the ports of lower eth0 share one format"},
	} {
		_, err := config.Parse("f", []byte(tt.in))
		var e *config.Error
		if !errors.As(err, &e) || err.Error() != tt.want {
			t.Errorf("%q: %v, want %s", tt.in, err, tt.want)
		}
	}
}

// formats prints each port's format, queue and VLAN as a user compares
// them.
func formats(k *brcmtest.Kernel) string {
	var lines []string
	for _, p := range k.Ports() {
		lines = append(lines, fmt.Sprintf("%s %s queue %d qprio %v vlan %d", p.Name, p.Format, p.Queue, p.QueueFromPriority, p.VLAN))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// TestApplyFormat changes a lower's format for all its ports in one
// step, before a port is created with it, and the queue and VLAN of a
// port; again, nothing changes; what is, written out, plans nothing.
func TestApplyFormat(t *testing.T) {
	k, sys := setup(t)
	for _, r := range []brcmlink.AddRequest{
		{Lower: "eth0", Port: 5, Queue: new(uint8(2))},
		{Lower: "eth0", Port: 6, QueueFromPriority: new(true), VLAN: new(uint16(7))},
		{Lower: "eth0", Port: 7}, // deleted
		{Lower: "eth1", Port: 1, Format: new(brcmlink.FormatOriginal)},
	} {
		if _, err := sys.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	text := "lower eth0 format original\n  port 5 queue priority\n  port 6 queue 1 vlan 100\n  port 8 vlan 9\n" +
		"lower eth1\n  port 1 format original\n  port 2 queue priority\n"
	p := wantPlan(t, k, text, []string{
		"format eth0: bcm53242 -> original (for eth0.p5, eth0.p6)",
		"change eth0.p5: queue 2 -> priority",
		"change eth0.p6: queue priority -> 1, vlan 7 -> 100",
		"create eth0.p8 (eth0 port 8 format original vlan 9)",
		"create eth1.p2 (eth1 port 2 queue priority format original)",
		"delete eth0.p7 (eth0 port 7) [disrupts traffic]",
	})
	if err := config.Apply(sys, p, nil); err != nil {
		t.Fatal(err)
	}
	wantState := "eth0.p5 original queue 2 qprio true vlan 0\neth0.p6 original queue 1 qprio false vlan 100\n" +
		"eth0.p8 original queue 0 qprio false vlan 9\neth1.p1 original queue 0 qprio false vlan 0\neth1.p2 original queue 0 qprio true vlan 0"
	if got := formats(k); got != wantState {
		t.Errorf("after apply:\n%s\nwant\n%s", got, wantState)
	}
	if p := plan(t, k, text); len(p.Steps) != 0 {
		t.Errorf("second plan: %q", steps(p))
	}
	cur := config.FromPorts(k.Ports(), []string{"eth0", "eth1"})
	if p := plan(t, k, cur.Format()); len(p.Steps) != 0 {
		t.Errorf("the current state's own plan: %q\n%s", steps(p), cur.Format())
	}
	// Back to the default, which a description that names none wants.
	p = plan(t, k, "lower eth0\n  port 5\n  port 6\n  port 8\n")
	if got := steps(p); len(got) == 0 || got[0] != "format eth0: original -> bcm53242 (for eth0.p5, eth0.p6, eth0.p8)" {
		t.Errorf("plan back to the default: %q", got)
	}
}

// TestApplyFormatUndo refuses the creation after a format change: the
// format goes back, with the ports as they were.
func TestApplyFormatUndo(t *testing.T) {
	k, sys := setup(t)
	if _, err := sys.Add(brcmlink.AddRequest{Lower: "eth0", Port: 5}); err != nil {
		t.Fatal(err)
	}
	before := formats(k)
	k.Refuse(func(r brcmtest.Request) error {
		if r.Cmd == brcmlink.CmdPortNew {
			return &brcmlink.Error{Err: syscall.EPERM}
		}
		return nil
	})
	p := plan(t, k, "lower eth0 format original\n  port 5\n  port 6\n")
	err := config.Apply(sys, p, nil)
	var se *config.StepError
	if !errors.As(err, &se) || se.Step.Action != config.Create || se.Undo != nil {
		t.Fatalf("apply: %v, want the creation refused and undone", err)
	}
	if got := formats(k); got != before {
		t.Errorf("after the undo:\n%s\nwant\n%s", got, before)
	}
}

// TestPlanDisruptive: the plan says which steps disrupt traffic (a
// deletion, a rename of a port that is up, which goes down for it), and
// makes those no other step needs last, after every step that can fail,
// so that a refusal seldom has one to undo: renames of up ports, then
// deletions. A port to go down goes down before its rename, which then
// disrupts nothing more; renames that pass names between ports stay
// together, before the creations.
func TestPlanDisruptive(t *testing.T) {
	k, sys := setup(t)
	for _, r := range []brcmlink.AddRequest{
		{Lower: "eth0", Port: 5, Up: true},             // renamed while up
		{Lower: "eth0", Port: 6},                       // renamed while down
		{Lower: "eth0", Port: 7},                       // deleted: its name is free for nobody
		{Lower: "eth0", Port: 8},                       // deleted: port 9 takes its name
		{Lower: "eth0", Port: 10, Up: true},            // renamed, and to go down
		{Lower: "eth0", Port: 11, Name: "x", Up: true}, // swaps names with 12
		{Lower: "eth0", Port: 12, Name: "y", Up: true},
	} {
		if _, err := sys.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"delete eth0.p8 (eth0 port 8) [disrupts traffic]",
		"rename eth0.p6 -> lan (eth0 port 6)",
		"rename x -> y (eth0 port 11) [disrupts traffic]",
		"rename y -> x (eth0 port 12) [disrupts traffic]",
		"change eth0.p10: down",
		"create eth0.p8 (eth0 port 9)",
		"rename eth0.p10 -> dmz (eth0 port 10)",
		"rename eth0.p5 -> wan (eth0 port 5) [disrupts traffic]",
		"delete eth0.p7 (eth0 port 7) [disrupts traffic]",
	}
	const text = "lower eth0\nport 5 name wan\nport 6 name lan\nport 9 name eth0.p8\n" +
		"port 10 name dmz down\nport 11 name y\nport 12 name x\n"
	p := wantPlan(t, k, text, want)
	for _, s := range p.Steps {
		if got, want := s.Disrupts(), strings.HasSuffix(s.String(), "[disrupts traffic]"); got != want {
			t.Errorf("%s: Disrupts() = %v", s, got)
		}
	}
	if err := config.Apply(sys, p, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := state(k), "dmz eth0 port 10 queue 0 te 0 up false\neth0.p8 eth0 port 9 queue 0 te 0 up false\n"+
		"lan eth0 port 6 queue 0 te 0 up false\nwan eth0 port 5 queue 0 te 0 up true\n"+
		"x eth0 port 12 queue 0 te 0 up true\ny eth0 port 11 queue 0 te 0 up true"; got != want {
		t.Errorf("after apply:\n%s\nwant\n%s", got, want)
	}
	if again := plan(t, k, text); len(again.Steps) != 0 {
		t.Errorf("after apply, still to do: %v", steps(again))
	}
}

// TestApplyCreateRefusedFirst: a creation refused is undone before any
// port that is up went down for a rename or was deleted.
func TestApplyCreateRefusedFirst(t *testing.T) {
	k, sys := setup(t)
	sys.Add(brcmlink.AddRequest{Lower: "eth0", Port: 5, Up: true})
	sys.Add(brcmlink.AddRequest{Lower: "eth0", Port: 7})
	before := state(k)
	var touched []string
	k.Refuse(func(r brcmtest.Request) error {
		switch r.Cmd {
		case brcmlink.CmdPortNew:
			return &brcmlink.Error{Err: syscall.EEXIST, Message: "refused here"}
		case brcmlink.CmdPortGet:
		default:
			touched = append(touched, fmt.Sprintf("cmd %d %s%d", r.Cmd, r.Name, r.Index))
		}
		return nil
	})
	p := plan(t, k, "lower eth0\nport 5 name wan\nport 9 up\n")
	err := config.Apply(sys, p, nil)
	var se *config.StepError
	if !errors.As(err, &se) || se.Step.Action != config.Create || se.Undo != nil {
		t.Fatalf("apply: %v, want the creation refused", err)
	}
	if touched != nil {
		t.Errorf("before the refused creation, apply asked %v", touched)
	}
	if got := state(k); got != before {
		t.Errorf("after the refused apply:\n%s\nwant\n%s", got, before)
	}
}

// TestApplyInterrupted: an apply whose context ends (SIGINT, SIGTERM)
// stops before its next step and undoes the steps made, as on a refusal.
func TestApplyInterrupted(t *testing.T) {
	k, sys := setup(t)
	sys.Add(brcmlink.AddRequest{Lower: "eth0", Port: 5, Up: true})
	sys.Add(brcmlink.AddRequest{Lower: "eth0", Port: 7})
	before := state(k)
	p := plan(t, k, "lower eth0\nport 5 name wan queue 2 up\nport 6\n")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var done []string
	err := config.ApplyContext(ctx, sys, p, func(s config.Step) {
		done = append(done, s.String())
		if len(done) == 2 {
			cancel() // as a signal arrives while the third is on its way
		}
	})
	var se *config.StepError
	if !errors.As(err, &se) || !errors.Is(err, context.Canceled) || se.Undo != nil {
		t.Fatalf("interrupted apply: %v, want a *StepError matching context.Canceled", err)
	}
	if se.Step.String() != p.Steps[2].String() || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("the error %q names %q, want the step not made, %q", err, se.Step, p.Steps[2])
	}
	if got := state(k); got != before {
		t.Errorf("after the interrupted apply:\n%s\nwant\n%s", got, before)
	}
}
