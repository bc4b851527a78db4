// SPDX-License-Identifier: MIT

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/genl"
)

// tool is one way to provision ports: the brcmlink command or the genl
// package for brcm ports, ip for VLAN devices, the reference. Each
// creates one device per (lower, port), lists them all with their
// counters, and deletes them all.
type tool struct {
	name     string
	suffix   string // a device "cl3.p7" or "cl3.v7" ends with suffix+"7"
	create   func() error
	converge func() error        // nil, or what creating again, with nothing to do, is
	list     func() (int, error) // how many it listed
	del      func() error
}

// Control-plane lowers are veth pairs cl<i> / cp<i>, at the default MTU
// a user's would have: the first brcm port raises it, as it would there.
func lowerName(i int) string { return fmt.Sprintf("cl%d", i) }

// controlOps are the control-plane benchmarks, in the order a cycle runs
// them.
var controlOps = []string{"create", "converge", "list", "delete"}

// controlPlane times creating, listing and deleting every port with
// each tool, the tools taking turns.
func (c *config) controlPlane() error {
	var want []string
	for _, op := range controlOps {
		if c.wants(op) {
			want = append(want, op)
		}
	}
	if len(want) == 0 {
		return nil
	}
	if len(want) < len(controlOps) {
		c.note("-only %q: create, list and delete all run, only %v are recorded", c.only, want)
	}
	tools, err := c.tools()
	if err != nil {
		return err
	}
	if err := c.resetLowers(false); err != nil {
		return err
	}
	for r := range c.ctlRounds {
		for _, t := range rotate(tools, r) {
			err := c.cycle(t, func(op string, secs float64) {
				if c.wants(op) {
					c.record(op, t.name, r, secs)
				}
			}, nil)
			if err == nil {
				continue
			}
			if t.name != "brcmlink" && t.name != "apply" {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			// The command is young: say what failed, measure the rest.
			c.note("%s variants dropped after round %d: %v", t.name, r, err)
			tools = dropTool(tools, t.name)
			if err := c.resetLowers(true); err != nil {
				return err
			}
		}
	}
	if !slices.Contains(controlOps, c.profile) {
		return nil
	}
	for _, t := range tools {
		perf := c.perf(c.profile, t.name)
		if err := c.cycle(t, func(string, float64) {}, func(op string, fn func() error) error {
			if op == c.profile {
				return perf(fn)
			}
			return fn()
		}); err != nil {
			return fmt.Errorf("profiling %s %s: %w", c.profile, t.name, err)
		}
	}
	return nil
}

func dropTool(ts []tool, name string) []tool {
	var keep []tool
	for _, t := range ts {
		if t.name != name {
			keep = append(keep, t)
		}
	}
	return keep
}

// cycle creates, lists and deletes every port with t, checks each step
// did all it should, and passes each step's wall time to record. around,
// if not nil, runs each step.
func (c *config) cycle(t tool, record func(op string, secs float64), around func(op string, fn func() error) error) error {
	n := c.lowers * c.perLower
	if around == nil {
		around = func(_ string, fn func() error) error { return fn() }
	}
	timed := func(op string, fn func() error) error {
		var secs float64
		err := around(op, func() error {
			start := time.Now()
			err := fn()
			secs = time.Since(start).Seconds()
			return err
		})
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		record(op, secs)
		return nil
	}
	if err := timed("create", t.create); err != nil {
		return err
	}
	if got, err := c.present(t.suffix); err != nil || got != n {
		return fmt.Errorf("create made %d devices, want %d (%v)", got, n, err)
	}
	if t.converge != nil {
		if err := timed("converge", t.converge); err != nil {
			return err
		}
		if got, err := c.present(t.suffix); err != nil || got != n {
			return fmt.Errorf("converge left %d devices, want %d (%v)", got, n, err)
		}
	}
	var listed int
	if err := timed("list", func() (err error) { listed, err = t.list(); return err }); err != nil {
		return err
	}
	if listed != n {
		return fmt.Errorf("list showed %d devices, want %d", listed, n)
	}
	if err := timed("delete", t.del); err != nil {
		return err
	}
	if got, err := c.present(t.suffix); err != nil || got != 0 {
		return fmt.Errorf("delete left %d devices (%v)", got, err)
	}
	return nil
}

// present counts the devices whose names the tool gives its ports.
func (c *config) present(suffix string) (int, error) {
	es, err := os.ReadDir("/sys/class/net")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range es {
		if strings.HasPrefix(e.Name(), "cl") && strings.Contains(e.Name(), suffix) {
			n++
		}
	}
	return n, nil
}

// resetLowers creates the lowers, after deleting them and with them any
// device left on them if again is set.
func (c *config) resetLowers(again bool) error {
	var lines []string
	for i := range c.lowers {
		if again {
			lines = append(lines, "link del "+lowerName(i))
		}
		lines = append(lines,
			fmt.Sprintf("link add %s type veth peer name cp%d", lowerName(i), i),
			"link set "+lowerName(i)+" up", fmt.Sprintf("link set cp%d up", i))
	}
	f, err := c.batchFile("lowers", lines)
	if err != nil {
		return err
	}
	return sh("ip", "-batch", f)
}

// tools returns the tools to compare, with their batch files written.
func (c *config) tools() ([]tool, error) {
	var addBrcm, delBrcm, addVlan, delVlan, applyAll, applyNone []string
	var reqs []brcmlink.AddRequest
	for i := range c.lowers {
		l := lowerName(i)
		applyAll = append(applyAll, "lower "+l)
		applyNone = append(applyNone, "lower "+l)
		for p := 1; p <= c.perLower; p++ {
			applyAll = append(applyAll, fmt.Sprintf("  port %d", p))
			addBrcm = append(addBrcm, fmt.Sprintf("add dev %s port %d", l, p))
			name, err := brcmlink.DefaultName(l, uint16(p)) // what add named it
			if err != nil {
				return nil, err
			}
			delBrcm = append(delBrcm, "del "+name)
			addVlan = append(addVlan, fmt.Sprintf("link add link %s name %s.v%d type vlan id %d", l, l, p, p))
			delVlan = append(delVlan, fmt.Sprintf("link del %s.v%d", l, p))
			reqs = append(reqs, brcmlink.AddRequest{Lower: l, Port: uint16(p)})
		}
	}
	files := map[string][]string{"brcm-add": addBrcm, "brcm-del": delBrcm, "vlan-add": addVlan, "vlan-del": delVlan,
		"apply-all": applyAll, "apply-none": applyNone}
	path := make(map[string]string)
	for name, lines := range files {
		f, err := c.batchFile(name, lines)
		if err != nil {
			return nil, err
		}
		path[name] = f
	}
	ip := tool{
		name: "ip", suffix: ".v",
		create: func() error { return sh("ip", "-batch", path["vlan-add"]) },
		list:   func() (int, error) { return listJSON("ip", "-j", "-s", "link", "show", "type", "vlan") },
		del:    func() error { return sh("ip", "-batch", path["vlan-del"]) },
	}
	lib := tool{
		name: "genl", suffix: ".p",
		create: func() error { return withGenl(func(g *genl.Client) error { return addAll(g, reqs) }) },
		list: func() (n int, err error) {
			err = withGenl(func(g *genl.Client) error {
				ps, err := g.List()
				n = len(ps)
				return err
			})
			return n, err
		},
		del: func() error { return withGenl(func(g *genl.Client) error { return deleteAll(g, reqs) }) },
	}
	ts := []tool{ip, lib}
	if c.cli != "" {
		cli := tool{
			name: "brcmlink", suffix: ".p",
			create: func() error { return sh(c.cli, "-batch", path["brcm-add"]) },
			list:   func() (int, error) { return listJSON(c.cli, "-j", "-s", "show") },
			del:    func() error { return sh(c.cli, "-batch", path["brcm-del"]) },
		}
		// apply: a file of every port, the same again, and a file of the
		// lowers without ports.
		apply := tool{
			name: "apply", suffix: ".p",
			create:   func() error { return sh(c.cli, "apply", path["apply-all"]) },
			converge: func() error { return sh(c.cli, "apply", path["apply-all"]) },
			list:     cli.list,
			del:      func() error { return sh(c.cli, "apply", path["apply-none"]) },
		}
		ts = append([]tool{cli, apply}, ts...)
	}
	return ts, nil
}

// withGenl runs fn on a new genl client, as a program would: dialing is
// part of what it costs.
func withGenl(fn func(*genl.Client) error) error {
	g, err := genl.Dial()
	if err != nil {
		return err
	}
	err = fn(g)
	if cerr := g.Close(); err == nil {
		err = cerr
	}
	return err
}

func addAll(g *genl.Client, reqs []brcmlink.AddRequest) error {
	for _, r := range reqs {
		if _, err := g.Add(r); err != nil {
			return err
		}
	}
	return nil
}

func deleteAll(g *genl.Client, reqs []brcmlink.AddRequest) error {
	for _, r := range reqs {
		if err := g.Delete(brcmlink.ByPort(r.Lower, r.Port)); err != nil {
			return err
		}
	}
	return nil
}

// listJSON runs a command that prints a JSON array, as a user piping it
// would, and returns the array's length.
func listJSON(name string, args ...string) (int, error) {
	var out, errb bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, errb.Bytes())
	}
	var items []json.RawMessage
	if err := json.Unmarshal(out.Bytes(), &items); err != nil {
		return 0, fmt.Errorf("%s %s printed no JSON array: %w", name, strings.Join(args, " "), err)
	}
	return len(items), nil
}

// batchFile writes lines to a file in the scratch folder and returns its
// path.
func (c *config) batchFile(name string, lines []string) (string, error) {
	f := filepath.Join(c.scratchD, name+".batch")
	return f, os.WriteFile(f, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}

// sh runs a command that must succeed, with its output in the error.
func sh(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}
