// SPDX-License-Identifier: MIT

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/genl"
)

// fake is a Backend that keeps ports in memory and answers as the kernel
// does, extended-ack messages included. It records every call.
type fake struct {
	mu     sync.Mutex
	ports  []brcmlink.Port            // in no particular order, as a dump returns them
	lowers map[string]*brcmlink.Lower // every Ethernet device, ports or not
	calls  []string
	dials  int
	closes int
	fail   map[string]error // method name: the error it returns

	events      []genl.Event // what Watch sends
	afterEvents func()       // then this (run's cancel), before waiting for the context
	endWatch    bool         // close the channel after the events, without waiting
	nextIndex   int
}

// kerr is an error as the kernel answers it, through genl.
func kerr(errno syscall.Errno, format string, args ...any) error {
	return &brcmlink.Error{Client: "genl", Op: "test", Err: errno, Message: fmt.Sprintf(format, args...)}
}

func newFake() *fake {
	return &fake{
		lowers: map[string]*brcmlink.Lower{
			"eth0": {Index: 2, Name: "eth0"},
			"eth1": {Index: 3, Name: "eth1"},
		},
		fail:      map[string]error{},
		nextIndex: 10,
	}
}

// seeded is a fake with ports on two lowers and one whose lower is in
// another namespace, listed out of order.
func seeded() *fake {
	f := newFake()
	stats := func(n uint64) *brcmlink.Stats {
		return &brcmlink.Stats{RxPackets: n, RxBytes: n * 1000, RxMulticast: n / 10, RxDropped: 1, RxErrors: 0,
			TxPackets: 2 * n, TxBytes: 2 * n * 500, TxDropped: 0}
	}
	f.ports = []brcmlink.Port{
		{Index: 12, Name: "eth0.p27", LowerIndex: 2, Lower: "eth0", Port: 27, Queue: 3, TagEnforce: 1, Up: false, OperState: brcmlink.OperDown, MTU: 1500, Stats: stats(0)},
		{Index: 20, Name: "lab.p3", LowerIndex: 4, LowerNetNSID: new(int32(0)), Port: 3, Up: true, OperState: brcmlink.OperUp, MTU: 1500, Stats: stats(7)},
		{Index: 10, Name: "eth0.p5", LowerIndex: 2, Lower: "eth0", Port: 5, Queue: 0, Up: true, OperState: brcmlink.OperUp, MTU: 1500, Stats: stats(123456789)},
		{Index: 11, Name: "uplink", LowerIndex: 3, Lower: "eth1", Port: 0, Queue: 2, TagEnforce: 3, Up: true, OperState: brcmlink.OperLowerLayerDown, MTU: 1496, Stats: stats(42)},
		{Index: 13, Name: "eth0.p1", LowerIndex: 2, Lower: "eth0", Port: 1, Up: true, OperState: brcmlink.OperUp, MTU: 1500, Stats: stats(5)},
	}
	f.lowers["eth0"].Stats = brcmlink.LowerStats{RxTagged: 123456900, RxBadLength: 1, RxBadOpcode: 2, RxBadPortID: 3, RxUnknownPort: 40}
	f.lowers["eth1"].Stats = brcmlink.LowerStats{RxTagged: 42}
	return f
}

func (f *fake) dial(netns string) (Backend, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dials++
	if err := f.fail["Dial"]; err != nil {
		return nil, err
	}
	f.calls = append(f.calls, "dial "+netns)
	return f, nil
}

// call records a call and returns the error set for its method.
func (f *fake) call(method, format string, args ...any) error {
	f.calls = append(f.calls, method+" "+fmt.Sprintf(format, args...))
	return f.fail[method]
}

func (f *fake) find(s brcmlink.Selector) (int, error) {
	lower, _, port, byLower := s.Lower()
	if !byLower {
		for i, p := range f.ports {
			if p.Name == s.Name() {
				return i, nil
			}
		}
		return 0, kerr(syscall.ENODEV, "no device %s", s.Name())
	}
	if _, ok := f.lowers[lower]; !ok {
		return 0, kerr(syscall.ENODEV, "lower device %s not found", lower)
	}
	for i, p := range f.ports {
		if p.Lower == lower && p.Port == port {
			return i, nil
		}
	}
	return 0, kerr(syscall.ENODEV, "no port %d on %s", port, lower)
}

func optU8(p *uint8) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprint(*p)
}

func optBool(p *bool) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprint(*p)
}

func (f *fake) Add(r brcmlink.AddRequest) (*brcmlink.Port, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("Add", "%s port %d name %q queue %s te %s up %v", r.Lower, r.Port, r.Name, optU8(r.Queue), optU8(r.TagEnforce), r.Up); err != nil {
		return nil, err
	}
	l, ok := f.lowers[r.Lower]
	if !ok {
		return nil, kerr(syscall.ENODEV, "lower device %s not found", r.Lower)
	}
	for _, p := range f.ports {
		if p.Lower == r.Lower && p.Port == r.Port {
			return nil, kerr(syscall.EEXIST, "port %d already exists on %s (%s)", r.Port, r.Lower, p.Name)
		}
	}
	p := brcmlink.Port{Index: f.nextIndex, Name: r.Name, LowerIndex: l.Index, Lower: l.Name, Port: r.Port, Up: r.Up, OperState: brcmlink.OperDown, MTU: 1500, Stats: &brcmlink.Stats{}}
	f.nextIndex++
	if p.Name == "" {
		p.Name = fmt.Sprintf("%s.p%d", r.Lower, r.Port)
	}
	if r.Up {
		p.OperState = brcmlink.OperUp
	}
	if r.Queue != nil {
		p.Queue = *r.Queue
	}
	if r.TagEnforce != nil {
		p.TagEnforce = *r.TagEnforce
	}
	f.ports = append(f.ports, p)
	return &p, nil
}

func (f *fake) Delete(s brcmlink.Selector) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("Delete", "%s", s); err != nil {
		return err
	}
	i, err := f.find(s)
	if err != nil {
		return err
	}
	f.ports = append(f.ports[:i], f.ports[i+1:]...)
	return nil
}

func (f *fake) Set(s brcmlink.Selector, r brcmlink.SetRequest) (*brcmlink.Port, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("Set", "%s queue %s te %s up %s", s, optU8(r.Queue), optU8(r.TagEnforce), optBool(r.Up)); err != nil {
		return nil, err
	}
	i, err := f.find(s)
	if err != nil {
		return nil, err
	}
	p := &f.ports[i]
	if r.Queue != nil {
		p.Queue = *r.Queue
	}
	if r.TagEnforce != nil {
		p.TagEnforce = *r.TagEnforce
	}
	if r.Up != nil {
		p.Up = *r.Up
	}
	q := *p
	return &q, nil
}

func (f *fake) Get(s brcmlink.Selector) (*brcmlink.Port, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("Get", "%s", s); err != nil {
		return nil, err
	}
	i, err := f.find(s)
	if err != nil {
		return nil, err
	}
	p := f.ports[i]
	return &p, nil
}

func (f *fake) List() ([]brcmlink.Port, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("List", ""); err != nil {
		return nil, err
	}
	return append([]brcmlink.Port(nil), f.ports...), nil
}

func (f *fake) ListLower(lower string) ([]brcmlink.Port, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("ListLower", "%s", lower); err != nil {
		return nil, err
	}
	if _, ok := f.lowers[lower]; !ok {
		return nil, kerr(syscall.ENODEV, "lower device %s not found", lower)
	}
	var ps []brcmlink.Port
	for _, p := range f.ports {
		if p.Lower == lower {
			ps = append(ps, p)
		}
	}
	return ps, nil
}

// lower returns a lower with its number of ports, or nil if it has none.
func (f *fake) lower(name string) *brcmlink.Lower {
	l := *f.lowers[name]
	for _, p := range f.ports {
		if p.Lower == name {
			l.Ports++
		}
	}
	if l.Ports == 0 {
		return nil
	}
	return &l
}

func (f *fake) Lower(name string) (*brcmlink.Lower, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("Lower", "%s", name); err != nil {
		return nil, err
	}
	if _, ok := f.lowers[name]; !ok {
		return nil, kerr(syscall.ENODEV, "lower device %s not found", name)
	}
	l := f.lower(name)
	if l == nil {
		return nil, kerr(syscall.ENODEV, "%s has no brcm ports", name)
	}
	return l, nil
}

func (f *fake) Lowers() ([]brcmlink.Lower, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("Lowers", ""); err != nil {
		return nil, err
	}
	var ls []brcmlink.Lower
	for _, name := range []string{"eth1", "eth0"} { // out of order, as a dump may be
		if l := f.lower(name); l != nil {
			ls = append(ls, *l)
		}
	}
	return ls, nil
}

func (f *fake) Watch(ctx context.Context, _ ...genl.WatchOption) (<-chan genl.Event, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("Watch", ""); err != nil {
		return nil, err
	}
	ch := make(chan genl.Event)
	go func() {
		defer close(ch)
		for _, ev := range f.events {
			select {
			case ch <- ev:
			case <-ctx.Done():
				return
			}
		}
		if f.endWatch {
			return
		}
		if f.afterEvents != nil {
			f.afterEvents()
		}
		<-ctx.Done()
	}()
	return ch, nil
}

func (f *fake) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closes++
	return nil
}

// result is what a run of brcmlink printed and returned.
type result struct {
	stdout, stderr string
	status         int
}

// run runs brcmlink with args (split at blanks) on f, with stdin.
func run(t *testing.T, f *fake, args string, stdin ...string) result {
	t.Helper()
	return runArgs(t, f, strings.Fields(args), stdin...)
}

func runArgs(t *testing.T, f *fake, args []string, stdin ...string) result {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.afterEvents = cancel // monitor: interrupted once the events are out
	var out, errOut bytes.Buffer
	var in io.Reader = strings.NewReader(strings.Join(stdin, ""))
	status := Main(ctx, args, &env{
		stdin:  in,
		stdout: &out,
		stderr: &errOut,
		dial:   f.dial,
		lowers: func() []string { return []string{"eth0", "eth1", "lo"} },
		netns:  func() []string { return []string{"lab", "lab2"} },
	})
	return result{out.String(), errOut.String(), status}
}
