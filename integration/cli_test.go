// SPDX-License-Identifier: MIT

//go:build vmtest

package integration

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/internal/nlwait"
)

var cliPath = flag.String("brcmlink", "", "the brcmlink command to test")

// cli runs brcmlink and returns what it printed and its exit status.
func cli(t testing.TB, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	if *cliPath == "" {
		t.Fatal("-brcmlink is required")
	}
	return runCmd(t, exec.Command(*cliPath, args...))
}

// runCmd runs cmd and returns what it printed and its exit status.
func runCmd(t testing.TB, cmd *exec.Cmd) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// cliOK runs brcmlink and fails the test unless it succeeds quietly on
// stderr.
func cliOK(t testing.TB, args ...string) string {
	t.Helper()
	out, errs, code := cli(t, args...)
	if code != 0 || errs != "" {
		t.Fatalf("brcmlink %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// cliPort is a port as `brcmlink -j show` prints it.
type cliPort struct {
	Ifindex   int     `json:"ifindex"`
	Ifname    string  `json:"ifname"`
	Link      *string `json:"link"`
	Operstate string  `json:"operstate"`
	MTU       uint32  `json:"mtu"`
	Linkinfo  struct {
		InfoData cliInfoData `json:"info_data"`
	} `json:"linkinfo"`
	Stats64 *struct {
		Rx struct{ Bytes, Packets, Errors, Dropped, Multicast uint64 } `json:"rx"`
		Tx struct{ Bytes, Packets, Errors, Dropped uint64 }            `json:"tx"`
	} `json:"stats64"`
}

// cliInfoData are a port's settings in its linkinfo.
type cliInfoData struct {
	Port       uint16 `json:"port"`
	Queue      uint8  `json:"queue"`
	TagEnforce uint8  `json:"tag_enforce"`
}

func showJSON(t testing.TB, args ...string) []cliPort {
	t.Helper()
	out := cliOK(t, append([]string{"-j"}, args...)...)
	var ps []cliPort
	if err := json.Unmarshal([]byte(out), &ps); err != nil {
		t.Fatalf("brcmlink -j %s printed %q: %v", strings.Join(args, " "), out, err)
	}
	return ps
}

// TestCLI runs every command of the grammar against a switch model and
// checks what it printed against the kernel's own view.
func TestCLI(t *testing.T) {
	l := newLab(t, 1, 2, 3)
	g := genlClient(t)

	cliOK(t, "add", "dev", l.IMP, "port", "1", "up")
	cliOK(t, "a", "d", l.IMP, "p", "2", "q", "2", "t", "1") // prefixes
	any := name("ca")
	cliOK(t, "add", "dev", l.IMP, "port", "any", "name", any)
	p1, p2 := l.IMP+".p1", l.IMP+".p2"
	for _, d := range []string{p1, p2, any} {
		t.Cleanup(func() { command("ip", "link", "del", d) })
	}

	// JSON against the kernel's view, port by port, once the link watch
	// has settled the operational state of the port brought up.
	eventually(t, p1+" up", func() bool { return sysfs(t, p1, "operstate") == "up" })
	ps := showJSON(t, "show", "dev", l.IMP)
	if len(ps) != 3 {
		t.Fatalf("show dev %s: %d ports, want 3: %+v", l.IMP, len(ps), ps)
	}
	for _, cp := range ps {
		kp, err := g.Get(brcmlink.ByName(cp.Ifname))
		if err != nil {
			t.Fatal(err)
		}
		d := cp.Linkinfo.InfoData
		if cp.Ifindex != kp.Index || cp.Link == nil || *cp.Link != kp.Lower ||
			d.Port != kp.Port || d.Queue != kp.Queue || d.TagEnforce != kp.TagEnforce ||
			!strings.EqualFold(cp.Operstate, kp.OperState.String()) || cp.MTU != kp.MTU {
			t.Errorf("brcmlink shows %+v, the kernel %+v", cp, *kp)
		}
	}
	if p := showJSON(t, "show", p2); len(p) != 1 || p[0].Linkinfo.InfoData != (cliInfoData{2, 2, 1}) {
		t.Errorf("show %s = %+v, want port 2 queue 2 tag-enforce 1", p2, p)
	}
	if p := showJSON(t, "show", "dev", l.IMP, "port", "0"); len(p) != 1 || p[0].Ifname != any {
		t.Errorf("show dev %s port 0 = %+v, want %s", l.IMP, p, any)
	}

	// Text: one line per port, name@lower first.
	text := cliOK(t, "show")
	for _, d := range []string{p1, p2, any} {
		if !strings.Contains(text, d+"@"+l.IMP) {
			t.Errorf("brcmlink show does not list %s@%s:\n%s", d, l.IMP, text)
		}
	}

	// Counters that moved, exactly as the kernel has them.
	sh(t, "ip", "addr", "add", l.portIP(1), "dev", p1)
	ping(t, l.hostIP(1))
	sp := showJSON(t, "-s", "show", p1)
	if len(sp) != 1 || sp[0].Stats64 == nil {
		t.Fatalf("-s show %s printed no stats64: %+v", p1, sp)
	}
	if s := sp[0].Stats64; s.Rx.Packets != stat(t, p1, "rx_packets") || s.Tx.Bytes != stat(t, p1, "tx_bytes") ||
		s.Rx.Packets < 2 {
		t.Errorf("stats64 %+v, sysfs rx_packets %d tx_bytes %d", *s, stat(t, p1, "rx_packets"), stat(t, p1, "tx_bytes"))
	}
	if out := cliOK(t, "-s", "-s", "show", p1); !strings.Contains(out, "RX") {
		t.Errorf("-s -s show printed no counters:\n%s", out)
	}
	var st struct {
		Lowers []struct {
			Ifname string            `json:"ifname"`
			Ports  int               `json:"ports"`
			Stats  map[string]uint64 `json:"stats"`
		} `json:"lowers"`
	}
	if err := json.Unmarshal([]byte(cliOK(t, "-j", "stats", "dev", l.IMP)), &st); err != nil {
		t.Fatal(err)
	}
	kl, err := g.Lower(l.IMP)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Lowers) != 1 || st.Lowers[0].Ifname != l.IMP || st.Lowers[0].Ports != 3 ||
		st.Lowers[0].Stats["rx_tagged"] != kl.Stats.RxTagged {
		t.Errorf("stats -j dev %s = %+v, the kernel %+v", l.IMP, st, *kl)
	}

	// Details and the stats command in text, against the kernel.
	d := cliOK(t, "-d", "show", p1)
	if want := fmt.Sprintf("ifindex %d  mtu %d", ifindex(t, p1), sysfsInt(t, p1, "mtu")); !strings.Contains(d, want) {
		t.Errorf("-d show %s does not say %q:\n%s", p1, want, d)
	}
	if out := cliOK(t, "stats", p1); !strings.Contains(out, p1+"@"+l.IMP) ||
		!strings.Contains(out, fmt.Sprintf(" %d ", stat(t, p1, "tx_packets"))) {
		t.Errorf("stats %s does not show its tx_packets %d:\n%s", p1, stat(t, p1, "tx_packets"), out)
	}
	if out := cliOK(t, "stats"); !strings.Contains(out, "lower "+l.IMP) || !strings.Contains(out, any+"@"+l.IMP) {
		t.Errorf("stats lists neither lower %s nor port %s:\n%s", l.IMP, any, out)
	}
	if out := cliOK(t, "-V"); !strings.HasPrefix(out, "brcmlink version ") {
		t.Errorf("-V printed %q", out)
	}
	if out := cliOK(t, "completion", "bash"); !strings.Contains(out, "complete ") || !strings.Contains(out, "brcmlink") {
		t.Errorf("completion bash printed no completion for brcmlink:\n%.200s", out)
	}

	// set, by name and by lower and port.
	cliOK(t, "set", p2, "queue", "3", "tag-enforce", "0", "up")
	if p, err := g.Get(brcmlink.ByName(p2)); err != nil || p.Queue != 3 || p.TagEnforce != 0 || !p.Up {
		t.Errorf("after set: %+v, %v", p, err)
	}
	cliOK(t, "set", "dev", l.IMP, "port", "2", "down")
	if p, err := g.Get(brcmlink.ByName(p2)); err != nil || p.Up {
		t.Errorf("after set down: %+v, %v", p, err)
	}

	// Errors: usage (1) before anything is sent, kernel (2) with its text.
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"add", "dev", l.IMP, "port", "2"}, 2, fmt.Sprintf("Error: port 2 already exists on %s (%s)", l.IMP, p2)},
		{[]string{"add", "dev", name("nolower"), "port", "1"}, 2, "not found"},
		{[]string{"add", "dev", l.IMP, "port", "28"}, 1, "Error: port 28 out of range (0-27)"},
		{[]string{"add", "dev", l.IMP, "port", "x"}, 1, "Error:"},
		{[]string{"add", "dev", l.IMP}, 1, "Error:"},
		{[]string{"frobnicate"}, 1, "Error:"},
		{[]string{"del", name("nodev")}, 2, "Error:"},
		{[]string{"show", "dev", name("nolower")}, 2, "not found"},
		{[]string{"set", p2, "queue", "4"}, 1, "Error: queue 4 out of range (0-3)"},
	} {
		out, errs, code := cli(t, tc.args...)
		if code != tc.code || !strings.HasPrefix(errs, "Error:") || !strings.Contains(errs, tc.msg) ||
			strings.Count(strings.TrimSpace(errs), "\n") != 0 || out != "" {
			t.Errorf("brcmlink %s: exit %d, stderr %q, stdout %q; want exit %d and one line with %q",
				strings.Join(tc.args, " "), code, errs, out, tc.code, tc.msg)
		}
	}

	// del, by name and by lower and port.
	cliOK(t, "del", p2)
	cliOK(t, "del", "dev", l.IMP, "port", "1")
	for _, d := range []string{p1, p2} {
		if linkExists(d) {
			t.Errorf("%s survived brcmlink del", d)
		}
	}
	if ps := showJSON(t, "show", "dev", l.IMP); len(ps) != 1 {
		t.Errorf("after two deletes: %+v, want only %s", ps, any)
	}

	// del all: the rest at once; then nothing to delete, no error.
	cliOK(t, "add", "dev", l.IMP, "port", "3")
	cliOK(t, "del", "dev", l.IMP, "all")
	if ps := showJSON(t, "show", "dev", l.IMP); len(ps) != 0 {
		t.Errorf("after del all: %+v, want no port", ps)
	}
	cliOK(t, "del", "dev", l.IMP, "all")
	if _, errs, code := cli(t, "del", "dev", name("nolower"), "all"); code != 2 || !strings.Contains(errs, "not found") {
		t.Errorf("del all of an absent lower: exit %d, %q", code, errs)
	}
}

// TestCLIBatch provisions 500 ports from one file, with a failing line in
// the middle, with and without -force.
func TestCLIBatch(t *testing.T) {
	const lowers, perLower, bad = 20, 25, 250
	var lines []string
	var lws []string
	for i := 0; i < lowers; i++ {
		lw, peer := fmt.Sprintf("bl%d", i), fmt.Sprintf("bp%d", i)
		veth(t, lw, peer)
		lws = append(lws, lw)
		for p := 1; p <= perLower; p++ {
			lines = append(lines, fmt.Sprintf("add dev %s port %d", lw, p))
		}
	}
	lines[bad-1] = fmt.Sprintf("add dev %s port 1   # taken by line 1", lws[0])
	file := t.TempDir() + "/ports.batch"
	body := "# 500 ports, one of them refused\n\n" + strings.Join(lines, "\n") + "\n"
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	badLine := bad + 2 // the comment and the blank line come first
	count := func() int { return len(showJSON(t, "show")) }

	_, errs, code := cli(t, "-batch", file)
	if code != 2 || !strings.Contains(errs, fmt.Sprintf("Command failed %s:%d", file, badLine)) {
		t.Errorf("-batch with a bad line %d: exit %d, stderr %q", badLine, code, errs)
	}
	if !strings.Contains(errs, "already exists") {
		t.Errorf("-batch did not say why line %d failed: %q", badLine, errs)
	}
	if n := count(); n != bad-1 {
		t.Errorf("after the failed batch %d ports exist, want the %d before the bad line", n, bad-1)
	}

	// Again with -force over what is there: only the new ports come, the
	// existing ones and the bad line fail, and the status says so.
	_, errs, code = cli(t, "-force", "-batch", file)
	if code != 2 {
		t.Errorf("-force -batch with lines the kernel refused exited %d, want 2", code)
	}
	if n := count(); n != lowers*perLower-1 {
		t.Errorf("after -force %d ports exist, want %d", n, lowers*perLower-1)
	}
	if strings.Count(errs, "Command failed") != bad {
		t.Errorf("-force reported %d failed lines, want %d", strings.Count(errs, "Command failed"), bad)
	}

	// A clean batch from stdin deletes them all.
	var del bytes.Buffer
	for _, p := range showJSON(t, "show") {
		fmt.Fprintf(&del, "del %s\n", p.Ifname)
	}
	cmd := exec.Command(*cliPath, "-batch", "-")
	cmd.Stdin = &del
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("-batch - : %v\n%s", err, out)
	}
	if n := count(); n != 0 {
		t.Errorf("%d ports left after deleting them all", n)
	}
}

// TestCLINetns works inside a named namespace with -n.
func TestCLINetns(t *testing.T) {
	ns := name("cn")
	netns(t, ns)
	sh(t, "ip", "-n", ns, "link", "add", "nl0", "type", "veth", "peer", "name", "np0")
	cliOK(t, "-n", ns, "add", "dev", "nl0", "port", "4")
	if ps := showJSON(t, "-n", ns, "show"); len(ps) != 1 || ps[0].Ifname != "nl0.p4" {
		t.Errorf("-n %s show = %+v, want nl0.p4", ns, ps)
	}
	for _, p := range showJSON(t, "show") {
		if p.Ifname == "nl0.p4" {
			t.Errorf("the initial namespace shows %s's port", ns)
		}
	}
	// With stdin closed, opening the namespace's file gets descriptor
	// 0, which must not be taken for the caller's own namespace.
	lw, peer := name("cl"), name("cp")
	veth(t, lw, peer)
	addPort(t, client(t), lw, 4, lw+".p4")
	out, errs, code := runCmd(t, exec.Command("sh", "-c", `exec "$0" "$@" <&-`, *cliPath, "-j", "-n", ns, "show"))
	var ps []cliPort
	if err := json.Unmarshal([]byte(out), &ps); code != 0 || err != nil {
		t.Fatalf("-n %s show with stdin closed: exit %d, %q, %q", ns, code, out, errs)
	}
	if len(ps) != 1 || ps[0].Ifname != "nl0.p4" {
		t.Errorf("-n %s show with stdin closed = %+v, want nl0.p4 alone", ns, ps)
	}
	if _, errs, code := cli(t, "-n", name("nons"), "show"); code != 2 || !strings.HasPrefix(errs, "Error: network namespace") || !strings.Contains(errs, "not found") {
		t.Errorf("-n with an unknown netns: exit %d, %q", code, errs)
	}
	cliOK(t, "-n", ns, "del", "nl0.p4")
}

// TestCLIMonitor runs `brcmlink -j monitor` and makes changes from this
// process: each shows up as one JSON line, and SIGINT ends it with 0.
func TestCLIMonitor(t *testing.T) {
	lw, peer := name("ml"), name("mp")
	veth(t, lw, peer)
	cmd := exec.Command(*cliPath, "-j", "monitor")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan map[string]any, 64)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var ev map[string]any
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				ev = map[string]any{"bad": sc.Text()}
			}
			lines <- ev
		}
		close(lines)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := nlwait.MonitorJoined(ctx, cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}

	g := genlClient(t)
	dev := lw + ".p6"
	if _, err := g.Add(brcmlink.AddRequest{Lower: lw, Port: 6}); err != nil {
		t.Fatal(err)
	}
	q := uint8(2)
	if _, err := g.Set(brcmlink.ByName(dev), brcmlink.SetRequest{Queue: &q}); err != nil {
		t.Fatal(err)
	}
	if err := g.Delete(brcmlink.ByName(dev)); err != nil {
		t.Fatal(err)
	}
	var got []string
	timeout := time.After(10 * time.Second)
	for len(got) < 3 {
		select {
		case ev, ok := <-lines:
			if !ok {
				t.Fatalf("monitor ended early; stderr %q", errb.String())
			}
			if bad, ok := ev["bad"]; ok {
				t.Fatalf("monitor printed a line that is not JSON: %v", bad)
			}
			if ev["ifname"] == dev {
				got = append(got, fmt.Sprint(ev["event"]))
			}
		case <-timeout:
			t.Fatalf("monitor printed %v for %s, want new, change, del", got, dev)
		}
	}
	if strings.Join(got, ",") != "new,change,del" {
		t.Errorf("monitor events for %s: %v, want new, change, del", dev, got)
	}
	cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		t.Errorf("monitor after SIGINT: %v; stderr %q", err, errb.String())
	}
}

// TestVersions: the module loaded is the tree's version, and -V says
// both the command's and the module's, for an inventory.
func TestVersions(t *testing.T) {
	b, err := os.ReadFile("/sys/module/brcm/version")
	if err != nil || strings.TrimSpace(string(b)) != brcmlink.Version {
		t.Errorf("/sys/module/brcm/version: %q, %v; want %s", b, err, brcmlink.Version)
	}
	want := fmt.Sprintf("brcmlink version %[1]s\nbrcm module version %[1]s, generic netlink family brcm version %d\n", brcmlink.Version, brcmlink.GenlVersion)
	if out := cliOK(t, "-V"); out != want {
		t.Errorf("brcmlink -V: %q, want %q", out, want)
	}
}

// TestJSONLikeIP reads a port as brcmlink -j -s -d show prints it and as
// ip -j -s -d link prints a VLAN device and the port itself: every key
// the issue of ip-compatible JSON names has the same type as ip's, the
// counters the same keys, and the values are ip's for the same port.
func TestJSONLikeIP(t *testing.T) {
	lw, peer := name("jl"), name("jp")
	veth(t, lw, peer)
	vlan, port := name("jv"), name("jb")
	sh(t, "ip", "link", "add", "link", lw, "name", vlan, "type", "vlan", "id", "5")
	t.Cleanup(func() { command("ip", "link", "del", vlan) })
	addPort(t, client(t), lw, 5, port)
	for _, d := range []string{vlan, port} {
		// Quiet, so that the counters hold still between the reads.
		sh(t, "sysctl", "-q", "net.ipv6.conf."+d+".disable_ipv6=1")
		sh(t, "ip", "link", "set", d, "up")
	}
	eventually(t, port+" up", func() bool { return sysfs(t, port, "operstate") == "up" })
	one := func(out string) map[string]any {
		var v []map[string]any
		if err := json.Unmarshal([]byte(out), &v); err != nil || len(v) != 1 {
			t.Fatalf("%q: %v", out, err)
		}
		return v[0]
	}
	ipVLAN := one(sh(t, "ip", "-j", "-s", "-d", "link", "show", "dev", vlan))
	ipPort := one(sh(t, "ip", "-j", "-s", "-d", "link", "show", "dev", port))
	ours := one(cliOK(t, "-j", "-s", "-d", "show", port))

	// get follows a dotted path of keys.
	get := func(v map[string]any, path string) any {
		var cur any = v
		for _, k := range strings.Split(path, ".") {
			m, _ := cur.(map[string]any)
			cur = m[k]
		}
		return cur
	}
	typeOf := func(v any) string { return fmt.Sprintf("%T", v) }
	paths := []string{"ifindex", "link", "ifname", "flags", "mtu", "operstate", "address",
		"linkinfo", "linkinfo.info_kind", "linkinfo.info_data", "stats64", "stats64.rx", "stats64.tx"}
	for _, dir := range []string{"rx", "tx"} {
		var ipKeys, ourKeys []string
		for k := range get(ipVLAN, "stats64."+dir).(map[string]any) {
			ipKeys = append(ipKeys, k)
			paths = append(paths, "stats64."+dir+"."+k)
		}
		for k := range get(ours, "stats64."+dir).(map[string]any) {
			ourKeys = append(ourKeys, k)
		}
		slices.Sort(ipKeys)
		slices.Sort(ourKeys)
		if !slices.Equal(ipKeys, ourKeys) {
			t.Errorf("stats64.%s: brcmlink has %q, ip %q", dir, ourKeys, ipKeys)
		}
	}
	for _, p := range paths {
		if got, want := typeOf(get(ours, p)), typeOf(get(ipVLAN, p)); got != want {
			t.Errorf("%s: brcmlink's is %s (%v), ip's of a VLAN %s (%v)", p, got, get(ours, p), want, get(ipVLAN, p))
		}
		if p == "linkinfo" || p == "linkinfo.info_data" || p == "stats64" || p == "stats64.rx" || p == "stats64.tx" {
			continue // objects: their keys are compared one by one
		}
		if got, want := fmt.Sprint(get(ours, p)), fmt.Sprint(get(ipPort, p)); got != want {
			t.Errorf("%s of %s: brcmlink says %s, ip %s", p, port, got, want)
		}
	}
	if d := get(ours, "linkinfo.info_data").(map[string]any); d["port"] != 5.0 || d["queue"] != 0.0 || d["tag_enforce"] != 0.0 {
		t.Errorf("linkinfo.info_data: %v", d)
	}
	t.Logf("ip -j -s -d link show dev %s:\n%s", port, sh(t, "ip", "-j", "-s", "-d", "link", "show", "dev", port))
	t.Logf("brcmlink -j -s -d show %s:\n%s", port, cliOK(t, "-j", "-s", "-d", "show", port))
}

// TestCompletionLowers checks what completion offers after dev, on a
// real /sys/class/net: Ethernet devices that can carry ports, not lo and
// not a brcm port.
func TestCompletionLowers(t *testing.T) {
	l := newLab(t, 1)
	cliOK(t, "add", "dev", l.IMP, "port", "1")
	port := l.IMP + ".p1"
	t.Cleanup(func() { command("ip", "link", "del", port) })
	out := cliOK(t, "__complete", "add", "dev", "")
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		w, _, _ := strings.Cut(line, "\t")
		got = append(got, w)
	}
	if !slices.Contains(got, l.IMP) || slices.Contains(got, "lo") || slices.Contains(got, port) {
		t.Errorf("brcmlink __complete add dev '': %q, want %s but neither lo nor %s", got, l.IMP, port)
	}
}
