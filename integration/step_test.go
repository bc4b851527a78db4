//go:build vmtest

package integration

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/brcmlink/brcmlink"
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
