// SPDX-License-Identifier: MIT

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/brcmtest"
	"golang.org/x/sys/unix"
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
	steps := "change eth0.p5: queue 0 -> 2\ncreate eth0.p6 (eth0 port 6)\n" +
		"rename eth0.p5 -> wan (eth0 port 5) [disrupts traffic]\n" +
		"delete eth0.p1 (eth0 port 1) [disrupts traffic]\ndelete eth0.p27 (eth0 port 27) [disrupts traffic]\n"
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
	if r.status != 0 || !strings.HasPrefix(r.stdout, "lower eth0\n    port 5 name wan queue 2 up\n    port 6 down\n\n"+
		"lower eth1 format original\n    port any name uplink queue priority tag-enforce 3 up\n") {
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
		r.stderr != "Error: <stdin>:2:10: unknown keyword \"nmae\", expected one of: name, queue, tag-enforce, format, vlan, up, down\n" {
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
		{"lower eth0\n  port 5 name uplink\n", "FILE:2:3: name uplink is taken by a brcm port on eth1, a lower this plan leaves alone", exitUsage, nil},
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
	unlock, err := lock(context.Background(), lockPath, time.Second, io.Discard)
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

// TestApplyLockHeld checks that an apply waiting for the lock says which
// process holds it, and gives up after its bound with an error (status
// 2), having changed nothing.
func TestApplyLockHeld(t *testing.T) {
	f := newFake()
	dir := t.TempDir()
	file, lockPath := filepath.Join(dir, "f.conf"), filepath.Join(dir, "lock")
	if err := os.WriteFile(file, []byte("lower eth0\n  port 5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Held as another process would hold it, by flock alone.
	holdLock(t, lockPath)
	var out, errOut strings.Builder
	done := make(chan int, 1)
	go func() {
		done <- Main(context.Background(), []string{"apply", file}, &env{
			stdout: &out, stderr: &errOut, dial: f.dial, links: f.links, lockPath: lockPath, lockWait: 300 * time.Millisecond,
		})
	}()
	var status int
	select {
	case status = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("apply still waits for the lock after 10s, with a bound of 300ms")
	}
	pid := os.Getpid()
	want := fmt.Sprintf("waiting up to 300ms for the lock %[1]s, which pid %[2]d holds\n"+
		"Error: gave up waiting for the lock %[1]s after 300ms: pid %[2]d holds it\n", lockPath, pid)
	if status != exitSystem || out.String() != "" || errOut.String() != want {
		t.Errorf("apply with the lock held: status %d, stdout %q, stderr %q; want 2 and %q", status, out.String(), errOut.String(), want)
	}
	if len(f.k.Ports()) != 0 {
		t.Error("apply changed ports without the lock")
	}
}

// writeFiles writes files, by name, into dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestApplyDir applies a directory: its *.conf files, text and JSON, as
// one description; nothing else of it; the same lower in two files a
// mistake; an empty directory nothing to do.
func TestApplyDir(t *testing.T) {
	f := seeded()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.conf": "lower eth0\n  port 5 name wan queue 2 up\n  port 6\n",
		"b.conf": `{"lowers": [{"name": "eth1", "ports": [{"port": "any", "name": "uplink", "queue_from_priority": true, "tag_enforce": 3, "up": true, ` +
			`"format": "original"}, {"port": 4}]}]}`,
		"c.conf.dpkg-old": "lower eth0\n", // each of these would be a mistake
		".hidden.conf":    "lower eth0\n",
		"README":          "lower eth0\n",
		"sub.conf/x.conf": "lower eth0\n",
	})
	steps := "change eth0.p5: queue 0 -> 2\ncreate eth0.p6 (eth0 port 6)\ncreate eth1.p4 (eth1 port 4 format original)\n" +
		"rename eth0.p5 -> wan (eth0 port 5) [disrupts traffic]\n" +
		"delete eth0.p1 (eth0 port 1) [disrupts traffic]\ndelete eth0.p27 (eth0 port 27) [disrupts traffic]\n"
	before := portsOf(f.k)
	if r := run(t, f, "apply "+dir+" check"); r.status != exitPending || r.stdout != steps || r.stderr != "" {
		t.Errorf("apply DIR check: %+v", r)
	}
	if got := portsOf(f.k); got != before {
		t.Errorf("apply DIR check changed the ports:\n%s", got)
	}
	if r := run(t, f, "apply "+dir); r.status != 0 || r.stdout != steps || r.stderr != "" {
		t.Errorf("apply DIR: %+v", r)
	}
	if r := run(t, f, "apply "+dir); r.status != 0 || r.stdout != "no changes\n" {
		t.Errorf("apply DIR again: %+v", r)
	}
	after := portsOf(f.k)
	// eth0 in a second file: the error is at its line there, and nothing
	// changes, though a.conf alone has steps to make.
	writeFiles(t, dir, map[string]string{"a.conf": "lower eth0\n  port 5 name wan queue 2 up\n", "c.conf": "# again\nlower eth0\n  port 6\n"})
	want := "Error: " + dir + "/c.conf:2:7: lower eth0 is described twice: first at " + dir + "/a.conf:1:7\n"
	if r := run(t, f, "apply "+dir); r.status != exitUsage || r.stdout != "" || r.stderr != want {
		t.Errorf("eth0 in two files: %+v, want stderr %q", r, want)
	}
	if got := portsOf(f.k); got != after {
		t.Errorf("a mistake across files changed the ports:\n%s\nwere\n%s", got, after)
	}
	// A directory with no *.conf: no lower owned, nothing to do.
	empty := t.TempDir()
	writeFiles(t, empty, map[string]string{"board.conf.bak": "lower eth0\n"})
	if r := run(t, f, "apply "+empty); r.status != 0 || r.stdout != "no changes\n" || r.stderr != "" {
		t.Errorf("apply of a directory without *.conf: %+v", r)
	}
	if r := run(t, f, "-j apply "+empty+" check"); r.status != 0 || r.stdout != `{"steps":[],"absent":[]}`+"\n" {
		t.Errorf("-j apply check of a directory without *.conf: %+v", r)
	}
	if got := portsOf(f.k); got != after {
		t.Errorf("an empty directory changed the ports:\n%s\nwere\n%s", got, after)
	}
	// A *.conf that cannot be read fails the whole, as a file does.
	if err := os.Symlink("none", filepath.Join(empty, "broken.conf")); err != nil {
		t.Fatal(err)
	}
	want = "Error: cannot read \"" + empty + "/broken.conf\": no such file or directory\n"
	if r := run(t, f, "apply "+empty); r.status != exitSystem || r.stderr != want {
		t.Errorf("a broken link: %+v, want stderr %q", r, want)
	}
}

// TestApplyDev applies one lower's part of a description, as the
// packages do when a network device appears: the other lowers are not
// touched nor reported, the whole is still checked, and a lower the
// description does not name has nothing to do.
func TestApplyDev(t *testing.T) {
	f := seeded()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.conf": "lower eth0\n  port 5 name wan\n  port 27 queue 3 tag-enforce 1 vlan 100\n",
		"b.conf": "lower eth1\n  port 4\nlower eth9\n  port 1\n", // eth1's uplink would go; eth9 is absent
	})
	steps := "rename eth0.p5 -> wan (eth0 port 5) [disrupts traffic]\ndelete eth0.p1 (eth0 port 1) [disrupts traffic]\n"
	before := portsOf(f.k)
	if r := run(t, f, "apply "+dir+" dev eth0 check"); r.status != exitPending || r.stdout != steps || r.stderr != "" {
		t.Errorf("apply DIR dev eth0 check: %+v", r)
	}
	if r := run(t, f, "-j apply "+dir+" check dev eth0"); r.status != exitPending || r.stdout != `{"steps":[`+
		`{"action":"rename","ifname":"wan","old_ifname":"eth0.p5","link":"eth0","port":5,"disrupts":true},{"action":"delete","ifname":"eth0.p1","link":"eth0","port":1,"disrupts":true}],"absent":[]}`+"\n" {
		t.Errorf("-j apply DIR check dev eth0: %+v", r)
	}
	if got := portsOf(f.k); got != before {
		t.Errorf("check changed the ports:\n%s", got)
	}
	if r := run(t, f, "apply "+dir+" dev eth0"); r.status != 0 || r.stdout != steps || r.stderr != "" {
		t.Errorf("apply DIR dev eth0: %+v", r)
	}
	if r := run(t, f, "apply "+dir+" d eth0"); r.status != 0 || r.stdout != "no changes\n" {
		t.Errorf("apply DIR dev eth0 again: %+v", r)
	}
	if got := portsOf(f.k); !strings.Contains(got, "uplink eth1 port 0") || strings.Contains(got, "eth1.p4") {
		t.Errorf("dev eth0 touched eth1:\n%s", got)
	}
	// Named but absent: as for a whole apply.
	if r := run(t, f, "apply "+dir+" dev eth9"); r.status != exitAbsent || r.stdout != "eth9: not present, 1 ports pending\n" {
		t.Errorf("apply DIR dev eth9: %+v", r)
	}
	// Not named: nothing to do, and no socket opened for it.
	dials := f.dials
	for _, args := range []string{"apply " + dir + " dev lo", "apply " + dir + " dev lo check"} {
		if r := run(t, f, args); r.status != 0 || r.stdout != "lo: not in the description, nothing to do\n" || r.stderr != "" {
			t.Errorf("%s: %+v", args, r)
		}
	}
	if r := run(t, f, "-j apply "+dir+" dev lo"); r.status != 0 || r.stdout != `{"steps":[],"absent":[]}`+"\n" {
		t.Errorf("-j apply DIR dev lo: %+v", r)
	}
	if f.dials != dials {
		t.Errorf("apply of a lower not described dialed %d times", f.dials-dials)
	}
	after := portsOf(f.k)
	// A mistake in another file than eth0's fails eth0's apply too, and
	// that of a lower not named.
	writeFiles(t, dir, map[string]string{"a.conf": "lower eth0\n  port 5 name wan\n  port 6\n", "c.conf": "lower eth2\n  port 5 queue 9\n"})
	want := "Error: " + dir + "/c.conf:2:16: queue 9 out of range (0-3)\n"
	for _, args := range []string{"apply " + dir + " dev eth0", "apply " + dir + " dev lo"} {
		if r := run(t, f, args); r.status != exitUsage || r.stdout != "" || r.stderr != want {
			t.Errorf("%s with a mistake in c.conf: %+v, want stderr %q", args, r, want)
		}
	}
	if got := portsOf(f.k); got != after {
		t.Errorf("a mistake in c.conf changed the ports:\n%s\nwere\n%s", got, after)
	}
	// A name another lower's port holds is taken until that lower is
	// applied.
	writeFiles(t, dir, map[string]string{"a.conf": "lower eth0\n  port 5 name uplink\n", "c.conf": ""})
	want = "Error: " + dir + "/a.conf:2:3: name uplink is taken by a brcm port on eth1, a lower this plan leaves alone\n"
	if r := run(t, f, "apply "+dir+" dev eth0"); r.status != exitUsage || r.stderr != want {
		t.Errorf("eth0 taking eth1's name: %+v, want stderr %q", r, want)
	}
	// apply is not for batch files, with dev or without.
	if r := run(t, f, "-batch -", "apply "+dir+" dev eth0\n"); r.status != exitUsage || r.stderr != "Error: apply is not allowed in a batch file\nCommand failed -:1\n" {
		t.Errorf("apply DIR dev eth0 in a batch: %+v", r)
	}
}

// TestApplyLowerDown applies ports that are to be up on a lower that is
// down, as at boot before the network manager raised it: apply brings
// the lower up first, as a step of its own, which the kernel needs to
// bring a port up and which brings every port of the lower up with it;
// a port to be down goes down again. If a later step fails, the lower
// goes down again with the rest.
func TestApplyLowerDown(t *testing.T) {
	const text = "lower lab1\n    port 1 name lan1 up\n    port 2 down\n    port 3\n"
	start := func() (*fake, string) {
		f := newFake()
		f.k.AddEthernet("lab1")
		if _, err := f.c.Add(brcmlink.AddRequest{Lower: "lab1", Port: 2}); err != nil {
			t.Fatal(err)
		}
		if err := f.k.SetUp("lab1", false); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "lab.conf")
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return f, file
	}
	lowerUp := func(f *fake) bool {
		for _, d := range f.k.Devices() {
			if d.Name == "lab1" {
				return d.Up
			}
		}
		t.Fatal("no lab1")
		return false
	}
	steps := "set lab1 up (for lan1; also brings up lab1.p2)\nchange lab1.p2: down\ncreate lab1.p3 (lab1 port 3)\ncreate lan1 (lab1 port 1 up)\n"
	stepsJSON := `{"steps":[{"action":"set","ifname":"lab1","up":true,"for":["lan1"],"also_up":["lab1.p2"]},` +
		`{"action":"change","ifname":"lab1.p2","link":"lab1","port":2,"queue":0,"tag_enforce":0,"queue_from_priority":false,"vlan":0,"up":false},` +
		`{"action":"create","ifname":"lab1.p3","link":"lab1","port":3,"queue":0,"tag_enforce":0,"format":"bcm53242","queue_from_priority":false,"vlan":0},` +
		`{"action":"create","ifname":"lan1","link":"lab1","port":1,"queue":0,"tag_enforce":0,"format":"bcm53242","queue_from_priority":false,"vlan":0,"up":true}],"absent":[]}` + "\n"
	after := "lab1.p2 lab1 port 2 queue 0 te 0 up false\nlab1.p3 lab1 port 3 queue 0 te 0 up false\nlan1 lab1 port 1 queue 0 te 0 up true"
	for _, args := range []string{"apply FILE", "apply FILE dev lab1"} {
		f, file := start()
		before := portsOf(f.k)
		args = strings.ReplaceAll(args, "FILE", file)
		if r := run(t, f, args+" check"); r.status != exitPending || r.stdout != steps || r.stderr != "" {
			t.Errorf("%s check: %+v", args, r)
		}
		if r := run(t, f, "-j "+args+" check"); r.status != exitPending || r.stdout != stepsJSON {
			t.Errorf("-j %s check: %+v\nwant %s", args, r, stepsJSON)
		}
		if got := portsOf(f.k); got != before || lowerUp(f) {
			t.Errorf("%s check changed the ports or the lower:\n%s", args, got)
		}
		if r := run(t, f, args); r.status != 0 || r.stdout != steps || r.stderr != "" {
			t.Errorf("%s: %+v", args, r)
		}
		if got := portsOf(f.k); got != after || !lowerUp(f) {
			t.Errorf("%s: lab1 up %v, the ports\n%s\nwant lab1 up, and\n%s", args, lowerUp(f), got, after)
		}
		if r := run(t, f, args); r.status != 0 || r.stdout != "no changes\n" {
			t.Errorf("%s again: %+v", args, r)
		}
	}
	// -j apply prints the steps it made.
	f, file := start()
	if r := run(t, f, "-j apply "+file); r.status != 0 || r.stdout != stepsJSON {
		t.Errorf("-j apply: %+v\nwant %s", r, stepsJSON)
	}
	// A lower already up needs no step; ports that are not to be up never
	// raise one.
	f, file = start()
	if err := f.k.SetUp("lab1", true); err != nil {
		t.Fatal(err)
	}
	if r := run(t, f, "apply "+file+" check"); r.status != exitPending ||
		r.stdout != "change lab1.p2: down\ncreate lab1.p3 (lab1 port 3)\ncreate lan1 (lab1 port 1 up)\n" {
		t.Errorf("apply check with lab1 up: %+v", r)
	}
	f, file = start()
	if err := os.WriteFile(file, []byte("lower lab1\n    port 1 name lan1\n    port 2 down\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := run(t, f, "apply "+file); r.status != 0 || r.stdout != "create lan1 (lab1 port 1)\n" || lowerUp(f) {
		t.Errorf("apply without up: %+v, lab1 up %v", r, lowerUp(f))
	}
	// A step after the lower's fails: all is undone, the lower down
	// again.
	f, file = start()
	before := portsOf(f.k)
	f.k.Refuse(func(r brcmtest.Request) error {
		if r.Cmd == brcmlink.CmdPortNew && r.Port == 1 {
			return &brcmlink.Error{Err: syscall.EBUSY, Message: "busy"}
		}
		return nil
	})
	if r := run(t, f, "apply "+file); r.status != exitSystem || r.stderr != "Error: create lan1 (lab1 port 1 up): busy\n" {
		t.Errorf("apply refused: %+v", r)
	}
	if got := portsOf(f.k); got != before || lowerUp(f) {
		t.Errorf("after the refusal: lab1 up %v, the ports\n%s\nwant lab1 down, and\n%s", lowerUp(f), got, before)
	}
}

// TestApplyFormat changes a lower's tag format, shown in the plan and
// made for all its ports at once, creates a port with it, and changes
// nothing on a second run; two formats for one lower are a mistake that
// names both ports.
func TestApplyFormat(t *testing.T) {
	f := seeded()
	dir := t.TempDir()
	file := filepath.Join(dir, "board.conf")
	if err := os.WriteFile(file, []byte("lower eth0 format original\n  port 1 up\n  port 5 queue priority up\n"+
		"  port 27 queue 3 tag-enforce 1 vlan 100\n  port 6\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	steps := "format eth0: bcm53242 -> original (for eth0.p1, eth0.p27, eth0.p5)\nchange eth0.p5: queue 0 -> priority\n" +
		"create eth0.p6 (eth0 port 6 format original)\n"
	if r := run(t, f, "apply "+file+" check"); r.status != exitPending || r.stdout != steps || r.stderr != "" {
		t.Errorf("apply check: %+v", r)
	}
	stepsJSON := `{"steps":[{"action":"format","ifname":"eth0","format":"original","old_format":"bcm53242","for":["eth0.p1","eth0.p27","eth0.p5"]},` +
		`{"action":"change","ifname":"eth0.p5","link":"eth0","port":5,"queue":0,"tag_enforce":0,"queue_from_priority":true,"vlan":0,"up":true},` +
		`{"action":"create","ifname":"eth0.p6","link":"eth0","port":6,"queue":0,"tag_enforce":0,"format":"original","queue_from_priority":false,"vlan":0}],"absent":[]}` + "\n"
	if r := run(t, f, "-j apply "+file+" check"); r.status != exitPending || r.stdout != stepsJSON {
		t.Errorf("-j apply check: %+v\nwant %s", r, stepsJSON)
	}
	if r := run(t, f, "apply "+file); r.status != 0 || r.stdout != steps || r.stderr != "" {
		t.Errorf("apply: %+v", r)
	}
	for _, p := range f.k.Ports() {
		if p.Lower == "eth0" && p.Format != brcmlink.FormatOriginal {
			t.Errorf("%s: format %v after apply, want original", p.Name, p.Format)
		}
	}
	if r := run(t, f, "apply "+file); r.status != 0 || r.stdout != "no changes\n" {
		t.Errorf("apply again: %+v", r)
	}
	if r := run(t, f, "config dev eth0"); r.stdout != "lower eth0 format original\n    port 1 up\n    port 5 queue priority up\n"+
		"    port 6 down\n    port 27 queue 3 tag-enforce 1 vlan 100 down\n" {
		t.Errorf("config dev eth0: %+v", r)
	}
	before := portsOf(f.k)
	r := run(t, f, "apply - check", "lower eth0\n  port 1 format original\n  port 5 format bcm53242\n")
	if want := "Error: <stdin>:3:3: port 5 has format bcm53242, but port 1 (at 2:3) has original: the ports of lower eth0 share one format\n"; r.status != exitUsage || r.stderr != want {
		t.Errorf("two formats: %+v, want %s", r, want)
	}
	if got := portsOf(f.k); got != before {
		t.Errorf("a mistake changed the ports:\n%s", got)
	}
}

// TestApplyValidate: apply PATH validate checks a description alone, as
// configuration management runs it on a rendered file before it installs
// it: syntax, values, duplicates and names, with no socket and no lock;
// status 0 and nothing printed, or 1 and FILE:LINE:COLUMN.
func TestApplyValidate(t *testing.T) {
	dir := t.TempDir()
	lockPath := filepath.Join(dir, "lock")
	// Held as a running apply would hold it: validate does not wait.
	holdLock(t, lockPath)
	for _, tt := range []struct {
		text, want string
		status     int
	}{
		// Valid, though eth9 is absent and lo is no brcm port: the system
		// is not asked.
		{"lower eth0\n  port 5 name wan up\nlower eth9\n  port 1 name lo\n", "", 0},
		{"lower eth0\n  port 5 queue 7\n", "FILE:2:16: queue 7 out of range (0-3)", exitUsage},
		{"lower eth0\n  port 5 nmae wan\n", "FILE:2:10: unknown keyword \"nmae\", expected one of: name, queue, tag-enforce, format, vlan, up, down", exitUsage},
		{"lower eth0\n  port 5\n  port 5\n", "FILE:3:3: port 5 of eth0 is described twice: first at 2:3", exitUsage},
		{"lower eth0\n  port 5 name p%d\n", "FILE:2:3: device name p%d contains '%', which the kernel would expand as a format: give the name itself", exitUsage},
	} {
		f := seeded()
		file := filepath.Join(dir, "f.conf")
		if err := os.WriteFile(file, []byte(tt.text), 0o644); err != nil {
			t.Fatal(err)
		}
		var out, errOut strings.Builder
		status := Main(context.Background(), []string{"apply", file, "validate"}, &env{
			stdout: &out, stderr: &errOut, dial: f.dial, links: f.links, lockPath: lockPath, lockWait: time.Minute,
		})
		want := ""
		if tt.want != "" {
			want = "Error: " + strings.ReplaceAll(tt.want, "FILE", file) + "\n"
		}
		if status != tt.status || errOut.String() != want || out.String() != "" {
			t.Errorf("%q: status %d, stdout %q, stderr %q; want %d, %q", tt.text, status, out.String(), errOut.String(), tt.status, want)
		}
		if f.dials != 0 {
			t.Errorf("%q: validate dialled the kernel", tt.text)
		}
	}
	// A directory, as apply reads it.
	conf := filepath.Join(dir, "etc")
	os.Mkdir(conf, 0o755)
	os.WriteFile(filepath.Join(conf, "a.conf"), []byte("lower eth0\n  port 5\n"), 0o644)
	os.WriteFile(filepath.Join(conf, "b.conf"), []byte("lower eth0\n"), 0o644)
	r := run(t, newFake(), "apply "+conf+" validate")
	want := fmt.Sprintf("Error: %s/b.conf:1:7: lower eth0 is described twice: first at %s/a.conf:1:7\n", conf, conf)
	if r.status != exitUsage || r.stderr != want {
		t.Errorf("a directory: %+v, want stderr %q", r, want)
	}
}

// TestApplySignal: SIGINT or SIGTERM mid-apply (a unit stopping, Ctrl-C)
// undoes the steps made, as a refusal does, and says so: status 2.
func TestApplySignal(t *testing.T) {
	f := seeded()
	file := filepath.Join(t.TempDir(), "f.conf")
	if err := os.WriteFile(file, []byte("lower eth0\n  port 5 name wan queue 2 up\n  port 6\n  port 7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := portsOf(f.k)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.onCall = func(method string) {
		if method == "Set" { // the first change made: the signal comes after it
			cancel()
		}
	}
	var out, errOut strings.Builder
	status := Main(ctx, []string{"apply", file}, &env{stdout: &out, stderr: &errOut, dial: f.dial, links: f.links})
	f.onCall = nil
	if got := portsOf(f.k); got != before {
		t.Errorf("after an interrupted apply, the ports are\n%s\nwant\n%s", got, before)
	}
	if status != exitSystem || !strings.Contains(errOut.String(), "interrupted") {
		t.Errorf("interrupted apply: status %d, stderr %q; want %d, interrupted", status, errOut.String(), exitSystem)
	}
}

// holdLock holds the apply lock at path until the test ends, as another
// process would hold it: by flock alone.
func holdLock(t *testing.T, path string) {
	t.Helper()
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CREAT|unix.O_CLOEXEC, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Flock(fd, unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
}
