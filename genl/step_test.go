// SPDX-License-Identifier: MIT

package genl_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/brcmtest"
	"github.com/brcmlink/brcmlink/genl"
)

// manyPorts returns a Client on a fake kernel with n ports on lowers of
// 28 ports each.
func manyPorts(t *testing.T, n int) (*brcmtest.Kernel, *genl.Client) {
	t.Helper()
	k := brcmtest.New()
	c, err := k.Client()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	var reqs []brcmlink.AddRequest
	for i := range n {
		lower := fmt.Sprintf("eth%d", i/28)
		if i%28 == 0 {
			k.AddEthernet(lower)
		}
		reqs = append(reqs, brcmlink.AddRequest{Lower: lower, Port: uint16(i % 28)})
	}
	if _, err := c.AddMany(reqs); err != nil {
		t.Fatal(err)
	}
	return k, c
}

// TestInStepAfterDeadline cuts a listing of 1,000 ports with the
// Client's deadline, its answer still queued: the requests after it must
// get their own answers, not the rest of the listing.
func TestInStepAfterDeadline(t *testing.T) {
	k, c := manyPorts(t, 1000)
	k.Refuse(func(r brcmtest.Request) error {
		if r.Dump {
			_ = c.SetDeadline(time.Now().Add(-time.Second)) // the kernel answers, then it passes
		}
		return nil
	})
	if _, err := c.List(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("List past the deadline: %v, want os.ErrDeadlineExceeded", err)
	}
	k.Refuse(nil)
	if err := c.SetDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	p, err := c.Get(brcmlink.ByName("eth3.p5"))
	if err != nil {
		t.Fatalf("Get after the cut listing: %v", err)
	}
	if p.Name != "eth3.p5" || p.Port != 5 {
		t.Errorf("Get eth3.p5 returned %+v", p)
	}
	ps, err := c.List()
	if err != nil || len(ps) != 1000 {
		t.Errorf("List after the cut listing: %d ports, %v; want 1000", len(ps), err)
	}
}

// TestContextEndsOneCall cancels a listing's context once the kernel has
// answered: the listing fails with the context's error, and the calls
// after it, without a context or with another, get their own answers.
func TestContextEndsOneCall(t *testing.T) {
	k, c := manyPorts(t, 100)
	ctx, cancel := context.WithCancel(context.Background())
	k.Refuse(func(r brcmtest.Request) error {
		if r.Dump {
			cancel()
			// The context's AfterFunc runs in a goroutine of its own:
			// let it end the wait before the client reads.
			time.Sleep(50 * time.Millisecond)
		}
		return nil
	})
	if _, err := c.ListContext(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("ListContext cancelled: %v, want context.Canceled", err)
	}
	k.Refuse(nil)
	if _, err := c.GetContext(ctx, brcmlink.ByName("eth1.p2")); !errors.Is(err, context.Canceled) {
		t.Errorf("GetContext with a done context: %v, want context.Canceled", err)
	}
	short, stop := context.WithTimeout(context.Background(), time.Minute)
	defer stop()
	if p, err := c.GetContext(short, brcmlink.ByName("eth1.p2")); err != nil || p.Name != "eth1.p2" {
		t.Errorf("GetContext after the cancelled listing: %+v, %v", p, err)
	}
	if ps, err := c.List(); err != nil || len(ps) != 100 {
		t.Errorf("List after the cancelled listing: %d ports, %v; want 100", len(ps), err)
	}
}

// TestAddManySmallBuffer creates 40 ports, one of them refused, on a
// socket whose receive buffer (net.core.rmem_default 32768) holds fewer
// answers than a batch: AddMany must return exactly the ports that
// exist, so that deleting them leaves what was there before.
func TestAddManySmallBuffer(t *testing.T) {
	k := brcmtest.New()
	k.SetReadBufferDefault(32768)
	k.AddEthernet("eth0")
	k.AddEthernet("eth1")
	c, err := k.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Add(brcmlink.AddRequest{Lower: "eth1", Port: 7, Name: "taken"}); err != nil {
		t.Fatal(err)
	}
	var reqs []brcmlink.AddRequest
	for i := range 40 {
		reqs = append(reqs, brcmlink.AddRequest{Lower: fmt.Sprintf("eth%d", i/20), Port: uint16(i % 20)})
	}
	ports, err := c.AddMany(reqs)
	if err == nil {
		t.Errorf("AddMany with eth1 port 7 taken: no error")
	}
	made := map[string]bool{}
	var indexes []int
	for i, p := range ports {
		if p != nil {
			made[p.Name] = true
			indexes = append(indexes, p.Index)
		} else if i != 27 {
			t.Errorf("request %d (%+v): no port", i, reqs[i])
		}
	}
	for _, p := range k.Ports() {
		if p.Name != "taken" && !made[p.Name] {
			t.Errorf("%s exists, but AddMany did not return it", p.Name)
		}
	}
	if len(indexes) > 0 {
		if err := c.DeleteMany(indexes); err != nil {
			t.Fatal(err)
		}
	}
	if ps := k.Ports(); len(ps) != 1 || ps[0].Name != "taken" {
		t.Errorf("after deleting what AddMany made: %d ports, want only taken", len(ps))
	}
}
