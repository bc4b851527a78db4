// SPDX-License-Identifier: MIT

//go:build vmtest

package integration

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/rtlink"
	"github.com/mdlayher/genetlink"
	"github.com/mdlayher/netlink"
)

// command runs name with args and returns its combined output.
func command(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	return string(out), err
}

// sh runs a command that must succeed.
func sh(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := command(name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func moduleLoaded() bool {
	_, err := os.Stat("/sys/module/brcm")
	return err == nil
}

func loadModule() error {
	if moduleLoaded() {
		return nil
	}
	if out, err := command("insmod", *koPath); err != nil {
		return fmt.Errorf("insmod %s: %v: %s", *koPath, err, out)
	}
	return nil
}

var nameSeq atomic.Int32

// name returns a device or netns name no other test uses.
func name(prefix string) string {
	return fmt.Sprintf("%s%d", prefix, nameSeq.Add(1))
}

// veth creates a veth pair, removed when the test ends.
func veth(t testing.TB, a, b string) {
	t.Helper()
	sh(t, "ip", "link", "add", a, "type", "veth", "peer", "name", b)
	t.Cleanup(func() { command("ip", "link", "del", a) })
	for _, d := range []string{a, b} {
		sh(t, "ip", "link", "set", d, "up")
	}
}

// netns creates a network namespace, removed when the test ends.
func netns(t testing.TB, ns string) {
	t.Helper()
	sh(t, "ip", "netns", "add", ns)
	t.Cleanup(func() { command("ip", "netns", "del", ns) })
	sh(t, "ip", "-n", ns, "link", "set", "lo", "up")
}

func client(t testing.TB) *rtlink.Client {
	t.Helper()
	c, err := rtlink.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// genlConn is a raw generic netlink connection, closed when the test
// ends, and the brcm family as the kernel registered it: for requests
// the clients would refuse to send.
func genlConn(t testing.TB) (*genetlink.Conn, genetlink.Family) {
	t.Helper()
	c, err := genetlink.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	f, err := c.GetFamily(brcmlink.GenlName)
	if err != nil {
		t.Fatal(err)
	}
	return c, f
}

func u8(v uint8) *uint8 { return &v }

// addPort creates a brcm port that the test's end removes if still there.
func addPort(t testing.TB, c *rtlink.Client, lower string, port uint16, dev string) {
	t.Helper()
	if _, err := c.Add(brcmlink.AddRequest{Lower: lower, Port: port, Name: dev, Up: true}); err != nil {
		t.Fatalf("add %s port %d as %s: %v", lower, port, dev, err)
	}
	t.Cleanup(func() { command("ip", "link", "del", dev) })
}

func linkExists(dev string) bool {
	_, err := os.Stat("/sys/class/net/" + dev)
	return err == nil
}

// sysfs reads a device attribute, like "mtu" or "operstate".
func sysfs(t testing.TB, dev, attr string) string {
	t.Helper()
	b, err := os.ReadFile("/sys/class/net/" + dev + "/" + attr)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func sysfsInt(t testing.TB, dev, attr string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(sysfs(t, dev, attr), 0, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// lowerStats returns the lower's counters as `ethtool -S` shows them on
// one of its ports.
func lowerStats(t testing.TB, dev string) map[string]uint64 {
	t.Helper()
	stats := make(map[string]uint64)
	for _, line := range strings.Split(sh(t, "ethtool", "-S", dev), "\n")[1:] {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		if err != nil {
			t.Fatalf("ethtool -S %s: %q", dev, line)
		}
		stats[k] = n
	}
	return stats
}

// eventually polls cond until it holds or 10 seconds pass: link state
// changes reach sysfs through the kernel's link watch, not at once.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// wantErr checks err is a *brcmlink.Error with errno and a message that
// contains msg.
func wantErr(t testing.TB, err error, errno error, msg string) {
	t.Helper()
	var e *brcmlink.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want an *brcmlink.Error", err)
	}
	if !errors.Is(err, errno) {
		t.Errorf("errno: got %v, want %v (%v)", e.Err, errno, err)
	}
	if !strings.Contains(e.Message, msg) {
		t.Errorf("message: got %q, want it to contain %q", e.Message, msg)
	}
}

// rtlinkIn is an rtnetlink client in the named netns.
func rtlinkIn(t testing.TB, ns string) *rtlink.Client {
	t.Helper()
	f, err := os.Open("/run/netns/" + ns)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := rtlink.Dial(&netlink.Config{NetNS: int(f.Fd())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
