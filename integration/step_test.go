//go:build vmtest

package integration

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/genl"
)

// manyLowers creates n ports over veth lowers of 28 ports each, with
// AddMany, and returns their names.
func manyLowers(t *testing.T, n int) []string {
	t.Helper()
	g := genlClient(t)
	var reqs []brcmlink.AddRequest
	var lower string
	for i := range n {
		if i%28 == 0 {
			lower = name("kl")
			veth(t, lower, name("kp"))
		}
		reqs = append(reqs, brcmlink.AddRequest{Lower: lower, Port: uint16(i % 28)})
	}
	ports, err := g.AddMany(reqs)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range ports {
		names = append(names, p.Name)
	}
	return names
}

// TestGenlInStepAfterDeadline cuts listings of 1,000 ports with ever
// longer deadlines and contexts: after each cut listing, a Get and a List
// without bound must get their own answers, not the rest of the cut one.
func TestGenlInStepAfterDeadline(t *testing.T) {
	names := manyLowers(t, 1000)
	g := genlClient(t)
	cuts := 0
	for d := 10 * time.Microsecond; d < 10*time.Second; d *= 2 {
		for _, withContext := range []bool{false, true} {
			var err error
			if withContext {
				ctx, cancel := context.WithTimeout(context.Background(), d)
				_, err = g.ListContext(ctx)
				cancel()
			} else {
				if err := g.SetDeadline(time.Now().Add(d)); err != nil {
					t.Fatal(err)
				}
				_, err = g.List()
				if err := g.SetDeadline(time.Time{}); err != nil {
					t.Fatal(err)
				}
			}
			switch {
			case err == nil && withContext:
				if cuts == 0 {
					t.Fatalf("no listing was cut")
				}
				t.Logf("%d listings cut, the last at %v", cuts, d/2)
				return
			case err == nil:
			case errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
				cuts++
			default:
				t.Fatalf("listing bounded by %v: %v", d, err)
			}
			want := names[len(names)/2]
			if p, err := g.Get(brcmlink.ByName(want)); err != nil || p.Name != want {
				t.Fatalf("Get after a listing cut at %v (context %t): %+v, %v", d, withContext, p, err)
			}
			ps, err := g.List()
			if err != nil {
				t.Fatalf("List after a listing cut at %v (context %t): %v", d, withContext, err)
			}
			if got := countNamed(ps, names); got != len(names) {
				t.Fatalf("List after a listing cut at %v: %d of the %d ports", d, got, len(names))
			}
		}
	}
}

// countNamed counts the ports of ps named in names.
func countNamed(ps []brcmlink.Port, names []string) int {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	n := 0
	for _, p := range ps {
		if want[p.Name] {
			n++
		}
	}
	return n
}

// TestGenlAddManySmallBuffer creates 40 ports with AddMany, one of them
// refused, with net.core.rmem_default at 32768, as embedded images set
// it: fewer answers fit the socket than a batch of 32 has. AddMany must
// return exactly the ports that exist, and deleting them must leave
// exactly the ports that were there before.
func TestGenlAddManySmallBuffer(t *testing.T) {
	const key = "/proc/sys/net/core/rmem_default"
	old, err := os.ReadFile(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, []byte("32768"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.WriteFile(key, old, 0o644) })
	g := genlClient(t) // its socket's buffer is the new default
	l1, l2 := name("rl"), name("rl")
	veth(t, l1, name("rp"))
	veth(t, l2, name("rp"))
	taken, err := g.Add(brcmlink.AddRequest{Lower: l2, Port: 7, Name: name("rt")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { command("ip", "link", "del", taken.Name) })
	before, err := g.List()
	if err != nil {
		t.Fatal(err)
	}
	var reqs []brcmlink.AddRequest
	for i := range 40 {
		reqs = append(reqs, brcmlink.AddRequest{Lower: []string{l1, l2}[i/20], Port: uint16(i % 20)})
	}
	ports, err := g.AddMany(reqs)
	wantErr(t, err, os.ErrExist, fmt.Sprintf("port 7 already exists on %s (%s)", l2, taken.Name))
	var indexes []int
	made := map[string]bool{}
	for i, p := range ports {
		switch {
		case i == 27 && p != nil:
			t.Errorf("request 27 was refused, but AddMany returned %+v", p)
		case i != 27 && p == nil:
			t.Errorf("request %d (%+v): no port", i, reqs[i])
		case p != nil:
			t.Cleanup(func() { command("ip", "link", "del", p.Name) })
			indexes = append(indexes, p.Index)
			made[p.Name] = true
		}
	}
	after, err := g.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before)+len(made) {
		t.Errorf("%d ports before, %d after, AddMany returned %d", len(before), len(after), len(made))
	}
	if err := g.DeleteMany(indexes); err != nil {
		t.Fatal(err)
	}
	again, err := g.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != len(before) {
		t.Errorf("%d ports before, %d after deleting what AddMany returned", len(before), len(again))
	}
}

// TestGenlWatchExistingAfterClose closes the Client of a watch with
// WatchExisting, then overruns the watch's socket: the watch must say
// so, list the ports again and go on, as Watch says Close does not end
// it, in a namespace given by name too (the Client holds its descriptor).
func TestGenlWatchExistingAfterClose(t *testing.T) {
	lw, peer := name("cl"), name("cp")
	veth(t, lw, peer)
	ns := name("cn")
	netns(t, ns)
	sh(t, "ip", "link", "set", lw, "netns", ns)
	sh(t, "ip", "-n", ns, "link", "set", lw, "up")
	other := genlClient(t, genl.WithNetNSName(ns))
	a := name("ca")
	if _, err := other.Add(brcmlink.AddRequest{Lower: lw, Port: 1, Name: a}); err != nil {
		t.Fatal(err)
	}
	g, err := genl.Dial(genl.WithNetNSName(ns))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := g.Watch(ctx, genl.WatchExisting(), genl.WatchReadBuffer(1))
	if err != nil {
		t.Fatal(err)
	}
	view := map[string]brcmlink.Port{}
	if lost := watchView(t, ch, view, false); lost != nil {
		t.Fatalf("events lost before the burst: %v", lost)
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	for i := range 64 {
		q := uint8(i % 4)
		if _, err := other.Set(brcmlink.ByName(a), brcmlink.SetRequest{Queue: &q}); err != nil {
			t.Fatal(err)
		}
	}
	for _, err := range watchView(t, ch, view, true) {
		if !errors.Is(err, genl.ErrOverrun) {
			t.Errorf("lost events after Close: %v, want ErrOverrun", err)
		}
	}
	if view[a].Queue != 3 {
		t.Errorf("%s has queue %d in the view, want the last set, 3", a, view[a].Queue)
	}
	sameView(t, other, view)
}
