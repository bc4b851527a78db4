// SPDX-License-Identifier: MIT

//go:build vmtest

package integration

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/genl"
)

// The unprivileged half of TestUnprivileged runs in a child process as
// nobody: TestMain runs unprivilegedChild instead of the tests when this
// variable names a port to try.
const childEnv = "BRCM_TEST_UNPRIVILEGED_PORT"

// usernsEnv makes TestMain run usernsChild, in a user and network
// namespace of its own, trying a port of the initial namespace by name.
const usernsEnv = "BRCM_TEST_USERNS_OTHER_PORT"

// childResult is what the child reports: for each operation, "" or the
// error it got and whether that error is os.ErrPermission.
type childResult struct {
	Op         string
	Err        string
	Permission bool
}

// childLog collects a child's results and prints them as it exits.
type childLog []childResult

func (l *childLog) report(op string, err error) {
	r := childResult{Op: op}
	if err != nil {
		r.Err, r.Permission = err.Error(), errors.Is(err, os.ErrPermission)
	}
	*l = append(*l, r)
}

// exit takes a pointer: deferred, it must see the results of the end.
func (l *childLog) exit() {
	json.NewEncoder(os.Stdout).Encode(*l)
	os.Exit(0)
}

// runChild runs the test binary as nobody (through argv's wrapper, if
// any) with env set, and returns what it reported by operation.
func runChild(t *testing.T, env string, wrapper ...string) map[string]childResult {
	t.Helper()
	argv := append(wrapper, nobodyCopy(t, os.Args[0]))
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var res []childResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("child said %q: %v", out, err)
	}
	m := make(map[string]childResult)
	for _, r := range res {
		m[r.Op] = r
	}
	return m
}

// portOnNewLower creates a veth lower with a port on it, both removed
// when the test ends.
func portOnNewLower(t *testing.T, g *genl.Client, prefix string, port uint16) (string, *brcmlink.Port) {
	t.Helper()
	lw, peer := name(prefix+"l"), name(prefix+"p")
	veth(t, lw, peer)
	p, err := g.Add(brcmlink.AddRequest{Lower: lw, Port: port})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { command("ip", "link", "del", p.Name) })
	return lw, p
}

// usernsChild is root of its own user namespace, as nobody outside, in a
// network namespace it owns: it may manage ports on its own lowers and
// must not see or touch any other's.
func usernsChild(other string) {
	var log childLog
	defer log.exit()
	for _, args := range [][]string{{"link", "add", "ul0", "type", "veth", "peer", "name", "up0"},
		{"link", "set", "ul0", "up"}, {"link", "set", "up0", "up"}} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			log.report("veth", fmt.Errorf("ip %v: %v: %s", args, err, out))
			return
		}
	}
	g, err := genl.Dial()
	log.report("dial", err)
	if err != nil {
		return
	}
	p, err := g.Add(brcmlink.AddRequest{Lower: "ul0", Port: 2, Up: true})
	log.report("add", err)
	ps, err := g.List()
	if err == nil && (len(ps) != 1 || p == nil || ps[0].Name != p.Name) {
		err = fmt.Errorf("lists %+v, want only its own port", ps)
	}
	log.report("list", err)
	q := uint8(3)
	_, err = g.Set(brcmlink.ByName("ul0.p2"), brcmlink.SetRequest{Queue: &q})
	log.report("set", err)
	_, err = g.Get(brcmlink.ByName(other))
	log.report("get-other", err)
	log.report("delete-other", g.Delete(brcmlink.ByName(other)))
	log.report("delete", g.Delete(brcmlink.ByName("ul0.p2")))
}

func unprivilegedChild(port string) {
	var log childLog
	defer log.exit()
	g, err := genl.Dial()
	log.report("dial", err)
	if err != nil {
		return
	}
	_, err = g.List()
	log.report("list", err)
	p, err := g.Get(brcmlink.ByName(port))
	log.report("get", err)
	_, err = g.Lowers()
	log.report("lowers", err)
	lower := ""
	if p != nil {
		lower = p.Lower
	}
	_, err = g.Add(brcmlink.AddRequest{Lower: lower, Port: 7})
	log.report("add", err)
	q := uint8(1)
	_, err = g.Set(brcmlink.ByName(port), brcmlink.SetRequest{Queue: &q})
	log.report("set", err)
	log.report("delete", g.Delete(brcmlink.ByName(port)))
}

// TestUserNamespace runs a client as nobody in a user and network
// namespace of its own: there it is root, and manages its own ports; the
// ports of the initial namespace stay invisible and untouchable.
func TestUserNamespace(t *testing.T) {
	if b, err := os.ReadFile("/proc/sys/kernel/unprivileged_userns_clone"); err == nil && strings.TrimSpace(string(b)) == "0" {
		sh(t, "sysctl", "-qw", "kernel.unprivileged_userns_clone=1")
		t.Cleanup(func() { command("sysctl", "-qw", "kernel.unprivileged_userns_clone=0") })
	}
	g := genlClient(t)
	_, p := portOnNewLower(t, g, "n", 3)
	// nobody creates the namespaces itself, through unshare(1): a Go
	// program cannot unshare a user namespace once it runs threads.
	res := runChild(t, usernsEnv+"="+p.Name, "unshare", "--user", "--map-root-user", "--net")
	for op, mine := range map[string]bool{"dial": true, "add": true, "list": true, "set": true, "delete": true,
		"get-other": false, "delete-other": false} {
		r, ok := res[op]
		switch {
		case !ok:
			t.Errorf("the child did not get to %s: %+v", op, res)
		case mine && r.Err != "":
			t.Errorf("%s in its own namespaces: %s", op, r.Err)
		case !mine && !strings.Contains(r.Err, "no device"):
			t.Errorf("%s of the initial namespace's port: %q, want no such device", op, r.Err)
		}
	}
	if !linkExists(p.Name) {
		t.Errorf("%s was deleted from another namespace", p.Name)
	}
}

// nobodyCopy copies an executable where nobody may run it.
func nobodyCopy(t *testing.T, path string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "unprivileged")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := dir + "/" + filepath.Base(path)
	copyFile(t, path, bin)
	return bin
}

// TestUnprivileged runs a client as nobody: it may read everything and
// change nothing.
func TestUnprivileged(t *testing.T) {
	g := genlClient(t)
	_, p := portOnNewLower(t, g, "u", 3)
	res := runChild(t, childEnv+"="+p.Name)
	for op, denied := range map[string]bool{"dial": false, "list": false, "get": false, "lowers": false,
		"add": true, "set": true, "delete": true} {
		r, ok := res[op]
		switch {
		case !ok:
			t.Errorf("the child did not try %s: %+v", op, res)
		case denied && !r.Permission:
			t.Errorf("%s as nobody: got %q, want a permission error", op, r.Err)
		case !denied && r.Err != "":
			t.Errorf("%s as nobody failed: %s", op, r.Err)
		}
	}

	// The command, as nobody: it shows, and says why it may not change.
	cmd := nobodyCopy(t, *cliPath)
	asNobody := func(args ...string) (string, string, int) {
		c := exec.Command(cmd, args...)
		c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		return runCmd(t, c)
	}
	if out, errs, code := asNobody("show", p.Name); code != 0 || !strings.Contains(out, p.Name+"@") {
		t.Errorf("brcmlink show as nobody: exit %d, %q, %q", code, out, errs)
	}
	for _, args := range [][]string{{"add", "dev", p.Lower, "port", "4"}, {"set", p.Name, "queue", "1"}, {"del", p.Name}} {
		if _, errs, code := asNobody(args...); code != 2 || !strings.HasPrefix(errs, "Error: ") || !strings.Contains(errs, "not permitted") {
			t.Errorf("brcmlink %s as nobody: exit %d, stderr %q; want 2 and operation not permitted", strings.Join(args, " "), code, errs)
		}
	}
	if got, err := g.Get(brcmlink.ByName(p.Name)); err != nil || got.Queue != 0 {
		t.Errorf("after nobody's attempts: %+v, %v; want the port as it was", got, err)
	}
	if _, err := g.Get(brcmlink.ByPort(p.Lower, 4)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("nobody's add left port 4 on %s: %v", p.Lower, err)
	}
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestNetnsIsolation checks that ports of one namespace are invisible
// and untouchable from another, and that a port whose lower is elsewhere
// reads the same through both netlink paths.
func TestNetnsIsolation(t *testing.T) {
	g := genlClient(t)
	lw, mine := portOnNewLower(t, g, "i", 1)

	ns := name("in")
	netns(t, ns)
	sh(t, "ip", "-n", ns, "link", "add", "nl0", "type", "veth", "peer", "name", "np0")
	gns := genlClient(t, genl.WithNetNSName(ns))
	theirs, err := gns.Add(brcmlink.AddRequest{Lower: "nl0", Port: 1})
	if err != nil {
		t.Fatal(err)
	}
	if theirs.Name != "nl0.p1" {
		t.Errorf("port in %s named %s, want nl0.p1", ns, theirs.Name)
	}

	ps, err := gns.List()
	if err != nil || len(ps) != 1 || ps[0].Name != "nl0.p1" {
		t.Errorf("List in %s = %+v, %v; want only nl0.p1", ns, ps, err)
	}
	_, err = gns.Get(brcmlink.ByName(mine.Name))
	wantErr(t, err, os.ErrNotExist, "no device "+mine.Name)
	err = gns.Delete(brcmlink.ByName(mine.Name))
	wantErr(t, err, os.ErrNotExist, "no device "+mine.Name)
	err = gns.Delete(brcmlink.ByPort(lw, 1))
	wantErr(t, err, os.ErrNotExist, "lower device "+lw+" not found")
	if !linkExists(mine.Name) {
		t.Fatalf("%s was deleted from %s", mine.Name, ns)
	}
	ls, err := gns.Lowers()
	if err != nil || len(ls) != 1 || ls[0].Name != "nl0" {
		t.Errorf("Lowers in %s = %+v, %v; want only nl0", ns, ls, err)
	}
	for _, p := range must(g.List()) {
		if p.Name == "nl0.p1" {
			t.Errorf("the initial netns lists %s's port", ns)
		}
	}

	// A port moved away from its lower: both paths report it alike.
	sh(t, "ip", "link", "set", mine.Name, "netns", ns)
	got, err := gns.Get(brcmlink.ByName(mine.Name))
	if err != nil {
		t.Fatal(err)
	}
	if got.Lower != "" || got.LowerIndex != ifindex(t, lw) {
		t.Errorf("moved port: lower %q index %d, want \"\" and %d", got.Lower, got.LowerIndex, ifindex(t, lw))
	}
	// The lower's netns, the initial one, as ns knows it: an id allocated then.
	if id := got.LowerNetNSID; id == nil {
		t.Error("moved port: no lower netnsid")
	} else if *id < 0 {
		t.Errorf("moved port: lower netnsid %d, want an assigned one", *id)
	}
	rns := rtlinkIn(t, ns)
	rgot, err := rns.Get(brcmlink.ByName(mine.Name))
	if err != nil {
		t.Fatal(err)
	}
	samePort(t, fmt.Sprintf("moved port through genl and rtnetlink in %s", ns), got, rgot)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestNetnsSelectByPort selects a port by lower and port number from the
// lower's namespace after the port moved to another: the port is not
// there, so PORT_GET, PORT_SET and PORT_DEL must find nothing, as for any
// device of another namespace, and leave it as it was.
func TestNetnsSelectByPort(t *testing.T) {
	g := genlClient(t)
	lw, mine := portOnNewLower(t, g, "s", 5)
	ns := name("sn")
	netns(t, ns)
	sh(t, "ip", "link", "set", mine.Name, "netns", ns)

	want := fmt.Sprintf("no port 5 on %s", lw)
	_, err := g.Get(brcmlink.ByPort(lw, 5))
	wantErr(t, err, os.ErrNotExist, want)
	up := !mine.Up
	_, err = g.Set(brcmlink.ByPort(lw, 5), brcmlink.SetRequest{Queue: u8(3), Up: &up})
	wantErr(t, err, os.ErrNotExist, want)
	err = g.Delete(brcmlink.ByPort(lw, 5))
	wantErr(t, err, os.ErrNotExist, want)

	got, err := genlClient(t, genl.WithNetNSName(ns)).Get(brcmlink.ByName(mine.Name))
	if err != nil {
		t.Fatalf("%s in %s after requests from its lower's namespace: %v", mine.Name, ns, err)
	}
	if got.Queue != mine.Queue || got.Up != mine.Up {
		t.Errorf("%s in %s changed from the lower's namespace: queue %d up %v, want queue %d up %v",
			mine.Name, ns, got.Queue, got.Up, mine.Queue, mine.Up)
	}
	// The same request in the port's namespace names its lower there,
	// which it is not in: no port either.
	_, err = genlClient(t, genl.WithNetNSName(ns)).Get(brcmlink.ByPort(lw, 5))
	wantErr(t, err, os.ErrNotExist, "lower device "+lw+" not found")
}
