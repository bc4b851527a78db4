// SPDX-License-Identifier: MIT

//go:build vmtest

package integration

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/genl"
	"github.com/brcmlink/brcmlink/rtlink"
)

var stressRounds = flag.Int("stress-rounds", 150, "operations each TestStress worker makes")

// TestStress adds and deletes ports through both netlink paths and the
// command at once, while traffic flows, lowers are deleted and
// re-created, ports move between namespaces that then go away, dumps run
// and the module is unloaded and loaded again. Errors of the moment
// (EEXIST, ENODEV, the family gone during a reload) are expected; what
// counts is what is left: no device, no reference, no warning.
func TestStress(t *testing.T) {
	seed := *fuzzSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d", seed)

	l := newLab(t, 1)
	lowers := []string{l.IMP}
	for i := 0; i < 3; i++ {
		lw, peer := fmt.Sprintf("st%d", i), fmt.Sprintf("sq%d", i)
		veth(t, lw, peer)
		lowers = append(lowers, lw)
	}
	// Traffic: port 1 of the lab pings its host throughout.
	r := client(t)
	l.portDev(t, r, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ops, failed atomic.Int64
	var wg sync.WaitGroup
	worker := func(name string, fn func(rng *rand.Rand) error) {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(len(name))*7919+uint64(name[0])))
			for i := 0; i < *stressRounds && ctx.Err() == nil; i++ {
				ops.Add(1)
				if err := fn(rng); err != nil {
					failed.Add(1)
				}
			}
		})
	}
	pick := func(rng *rand.Rand) (string, uint16) {
		return lowers[1+rng.IntN(len(lowers)-1)], uint16(2 + rng.IntN(20))
	}

	worker("genl", func(rng *rand.Rand) error {
		g, err := genl.Dial()
		if err != nil {
			return err // the module is being reloaded
		}
		defer g.Close()
		lw, p := pick(rng)
		if rng.IntN(2) == 0 {
			_, err = g.Add(brcmlink.AddRequest{Lower: lw, Port: p, Up: rng.IntN(2) == 0})
			return err
		}
		return g.Delete(brcmlink.ByPort(lw, p))
	})
	worker("rtnl", func(rng *rand.Rand) error {
		c, err := rtlink.Dial(nil)
		if err != nil {
			return err
		}
		defer c.Close()
		lw, p := pick(rng)
		if rng.IntN(2) == 0 {
			_, err = c.Add(brcmlink.AddRequest{Lower: lw, Port: p, Name: fmt.Sprintf("%s.r%d", lw, p)})
			return err
		}
		return c.Delete(brcmlink.ByPort(lw, p))
	})
	worker("cli", func(rng *rand.Rand) error {
		lw, p := pick(rng)
		verb := []string{"add", "dev", lw, "port", fmt.Sprint(p)}
		if rng.IntN(2) == 0 {
			verb = []string{"del", "dev", lw, "port", fmt.Sprint(p)}
		}
		return exec.Command(*cliPath, verb...).Run()
	})
	worker("dump", func(rng *rand.Rand) error {
		g, err := genl.Dial()
		if err != nil {
			return err
		}
		defer g.Close()
		ps, err := g.List()
		if err != nil {
			return err
		}
		seen := make(map[string]bool)
		for _, p := range ps {
			if seen[p.Name] {
				t.Errorf("a dump listed %s twice", p.Name)
			}
			seen[p.Name] = true
		}
		return nil
	})
	worker("lowers", func(rng *rand.Rand) error {
		i := 1 + rng.IntN(len(lowers)-1)
		lw, peer := lowers[i], fmt.Sprintf("sq%d", i-1)
		if _, err := command("ip", "link", "del", lw); err != nil {
			return err
		}
		_, err := command("ip", "link", "add", lw, "type", "veth", "peer", "name", peer)
		command("ip", "link", "set", lw, "up")
		return err
	})
	worker("netns", func(rng *rand.Rand) error {
		out, err := command("ip", "-br", "link", "show", "type", "brcm")
		if err != nil || strings.TrimSpace(out) == "" {
			return err
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		dev, _, _ := strings.Cut(strings.Fields(lines[rng.IntN(len(lines))])[0], "@")
		if dev == l.IMP+".p1" {
			return nil // the traffic's port stays
		}
		ns := fmt.Sprintf("sn%d", rng.IntN(1000))
		if _, err := command("ip", "netns", "add", ns); err != nil {
			return err
		}
		defer command("ip", "netns", "del", ns) // with the port in it, sometimes
		if _, err := command("ip", "link", "set", dev, "netns", ns); err != nil {
			return err
		}
		if rng.IntN(2) == 0 {
			_, err = command("ip", "-n", ns, "link", "set", dev, "netns", "1")
		}
		return err
	})
	wg.Go(func() {
		for i := 0; i < 5 && ctx.Err() == nil; i++ {
			command("ping", "-c", "20", "-i", "0.05", "-W", "1", "-q", l.hostIP(1))
		}
	})
	wg.Go(func() { // the module goes and comes back, twice
		for i := 0; i < 2; i++ {
			time.Sleep(2 * time.Second)
			for try := 0; try < 50; try++ {
				if _, err := command("rmmod", "brcm"); err == nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			time.Sleep(300 * time.Millisecond)
			if err := loadModule(); err != nil {
				t.Errorf("reload: %v", err)
			}
		}
	})
	wg.Wait()
	t.Logf("%d operations, %d refused by the moment's state", ops.Load(), failed.Load())
	if failed.Load() == ops.Load() {
		t.Errorf("every operation failed: the stress exercised nothing")
	}

	// Everything torn down: the module must unload cleanly and leave no
	// brcm device in any namespace.
	if out, err := command("rmmod", "brcm"); err != nil {
		t.Fatalf("rmmod after the stress: %v: %s", err, out)
	}
	if out := sh(t, "ip", "-d", "-br", "link", "show", "type", "brcm"); strings.TrimSpace(out) != "" {
		t.Errorf("brcm devices left after rmmod:\n%s", out)
	}
	if err := loadModule(); err != nil {
		t.Fatal(err)
	}
}
