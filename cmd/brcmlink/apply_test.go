// SPDX-License-Identifier: MIT

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/brcmtest"
)

// TestApply runs apply as an operator would: check, apply, apply again,
// config written out and applied, and the mistakes that change nothing.
func TestApply(t *testing.T) {
	f := seeded()
	dir := t.TempDir()
	file := filepath.Join(dir, "board.conf")
	write := func(s string) {
		if err := os.WriteFile(file, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("lower eth0\n  port 5 name wan queue 2 up\n  port 6\nlower eth9\n  port 1\n")
	steps := "delete eth0.p1 (eth0 port 1)\ndelete eth0.p27 (eth0 port 27)\nrename eth0.p5 -> wan (eth0 port 5)\n" +
		"change wan: queue 0 -> 2\ncreate eth0.p6 (eth0 port 6)\n"
	absent := "eth9: not present, 1 ports pending\n"
	before := portsOf(f.k)
	if r := run(t, f, "apply "+file+" check"); r.status != exitPending || r.stdout != steps+absent || r.stderr != "" {
		t.Errorf("apply check: %+v", r)
	}
	if got := portsOf(f.k); got != before {
		t.Errorf("apply check changed the ports:\n%s", got)
	}
	if r := run(t, f, "apply "+file); r.status != exitAbsent || r.stdout != steps+absent || r.stderr != "" {
		t.Errorf("apply: %+v", r)
	}
	if r := run(t, f, "apply "+file+" check"); r.status != exitAbsent || r.stdout != absent {
		t.Errorf("apply check after apply: %+v", r)
	}
	if r := run(t, f, "-j apply "+file+" check"); r.status != exitAbsent || r.stdout != `{"steps":[],"absent":[{"link":"eth9","ports":1}]}`+"\n" {
		t.Errorf("-j apply check after apply: %+v", r)
	}
	// What config prints, apply takes as what is.
	r := run(t, f, "config")
	if r.status != 0 || !strings.HasPrefix(r.stdout, "lower eth0\n    port 5 name wan queue 2 up\n    port 6 down\n\nlower eth1\n") {
		t.Errorf("config: %+v", r)
	}
	write(r.stdout)
	if r := run(t, f, "apply "+file); r.status != 0 || r.stdout != "no changes\n" {
		t.Errorf("apply of config's output: %+v", r)
	}
	if r := run(t, f, "apply - check", "lower eth0\n  port 5 name wan queue 2 up\n  port 6 down\n  port 7\n"); r.status != exitPending || r.stdout != "create eth0.p7 (eth0 port 7)\n" {
		t.Errorf("apply - check: %+v", r)
	}
	if r := run(t, f, "apply - check", "lower eth0\n  port 5 nmae wan\n"); r.status != exitUsage ||
		r.stderr != "Error: <stdin>:2:10: unknown keyword \"nmae\", expected one of: name, queue, tag-enforce, up, down\n" {
		t.Errorf("apply - check of a mistake: %+v", r)
	}
	r = run(t, f, "-j config dev eth0")
	if want := `{"lowers":[{"name":"eth0","ports":[{"port":5,"name":"wan","queue":2,"up":true},{"port":6,"up":false}]}]}` + "\n"; r.stdout != want {
		t.Errorf("-j config dev eth0: %q, want %q", r.stdout, want)
	}
	write(r.stdout)
	if r := run(t, f, "apply "+file); r.status != 0 || r.stdout != "no changes\n" {
		t.Errorf("apply of config's JSON: %+v", r)
	}
}

// TestApplyRefusals checks the mistakes apply refuses before it changes
// anything (exit 1), and a step the kernel refuses (exit 2), after which
// the ports are as before.
func TestApplyRefusals(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		text, want string
		status     int
		refuse     func(brcmtest.Request) error
	}{
		{"lower eth0\n  port 5 queue 7\n", "FILE:2:16: queue 7 out of range (0-3)", exitUsage, nil},
		{"lower eth0\n  port 5 name lo\n", "FILE:2:3: name lo is taken by a device that is not a brcm port", exitUsage, nil},
		{"lower eth0\n  port 5 name uplink\n", "FILE:2:3: name uplink is taken by a brcm port on a lower this file does not describe", exitUsage, nil},
		{"lower eth0\n  port 5\n  port 9 up\n", "create eth0.p9 (eth0 port 9 up): busy", exitSystem, func(r brcmtest.Request) error {
			if r.Cmd == brcmlink.CmdPortNew && r.Port == 9 {
				return &brcmlink.Error{Err: syscall.EBUSY, Message: "busy"}
			}
			return nil
		}},
	} {
		f := seeded()
		file := filepath.Join(dir, "f.conf")
		if err := os.WriteFile(file, []byte(tt.text), 0o644); err != nil {
			t.Fatal(err)
		}
		before := portsOf(f.k)
		f.k.Refuse(tt.refuse)
		r := run(t, f, "apply "+file)
		want := "Error: " + strings.ReplaceAll(tt.want, "FILE", file) + "\n"
		if r.status != tt.status || r.stderr != want {
			t.Errorf("%q: status %d, stderr %q; want %d, %q", tt.text, r.status, r.stderr, tt.status, want)
		}
		if got := portsOf(f.k); got != before {
			t.Errorf("%q: the ports changed:\n%s\nwere\n%s", tt.text, got, before)
		}
	}
	f := seeded()
	if r := run(t, f, "apply "+filepath.Join(dir, "none")); r.status != exitSystem || !strings.Contains(r.stderr, "no such file or directory") {
		t.Errorf("a missing file: %+v", r)
	}
}

// portsOf prints the ports, sorted, without ifindexes: recreation
// changes both.
func portsOf(k *brcmtest.Kernel) string {
	var lines []string
	for _, p := range k.Ports() {
		lines = append(lines, fmt.Sprintf("%s %s port %d queue %d te %d up %v", p.Name, p.Lower, p.Port, p.Queue, p.TagEnforce, p.Up))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// TestApplyLock checks that an apply waits for another that holds the
// lock.
func TestApplyLock(t *testing.T) {
	f := newFake()
	dir := t.TempDir()
	file, lockPath := filepath.Join(dir, "f.conf"), filepath.Join(dir, "lock")
	if err := os.WriteFile(file, []byte("lower eth0\n  port 5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	unlock, err := lock(lockPath)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan result)
	go func() {
		var out, errOut strings.Builder
		status := Main(context.Background(), []string{"apply", file}, &env{
			stdout: &out, stderr: &errOut, dial: f.dial, links: f.links, lockPath: lockPath,
		})
		done <- result{out.String(), errOut.String(), status}
	}()
	select {
	case r := <-done:
		t.Fatalf("apply ran while another held the lock: %+v", r)
	case <-time.After(200 * time.Millisecond):
	}
	if len(f.k.Ports()) != 0 {
		t.Fatal("apply changed ports while another held the lock")
	}
	unlock()
	if r := <-done; r.status != 0 || r.stdout != "create eth0.p5 (eth0 port 5)\n" {
		t.Errorf("apply after the lock was released: %+v", r)
	}
}
