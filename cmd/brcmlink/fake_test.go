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
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/brcmtest"
	"github.com/brcmlink/brcmlink/config"
	"github.com/brcmlink/brcmlink/genl"
)

// fake is a Backend that records every call and can fail any, over a
// genl.Client on brcmtest's kernel, which answers as the module does:
// the command's tests check what it asks and how it prints the answers,
// and the kernel's rules live in one fake, checked against the module.
type fake struct {
	k *brcmtest.Kernel
	c *genl.Client

	mu     sync.Mutex
	calls  []string
	dials  int
	closes int
	fail   map[string]error // method name: the error it returns

	moduleVersion string // of /sys/module/brcm/version; "" if absent

	terminal bool              // whether stdout is a terminal
	environ  map[string]string // the environment

	onCall func(method string) // called after each call is recorded, if set

	events      []genl.Event // what Watch sends
	afterEvents func()       // then this (run's cancel), before waiting for the context
	endWatch    bool         // close the channel after the events, without waiting
}

// kerr is an error as the kernel answers it, through genl.
func kerr(errno syscall.Errno, format string, args ...any) error {
	return &brcmlink.Error{Client: "genl", Op: "test", Err: errno, Message: fmt.Sprintf(format, args...)}
}

// newFake is a fake whose kernel has the Ethernet devices eth0 and eth1
// (ifindex 2 and 3) and no ports.
func newFake() *fake {
	k := brcmtest.New()
	k.AddEthernet("eth0")
	k.AddEthernet("eth1")
	c, err := k.Client()
	if err != nil {
		panic(err)
	}
	return &fake{k: k, c: c, fail: map[string]error{}, moduleVersion: "0.3.0"}
}

// seeded is a fake with ports on two lowers, made out of order, and one
// whose lower moved to another namespace, with counters; eth1 speaks the
// original format, its port takes the queue from the priority, and
// eth0.p27 inserts a VLAN header.
func seeded() *fake {
	f := newFake()
	must := func(_ any, err error) {
		if err != nil {
			panic(err)
		}
	}
	f.k.AddEthernet("lab0")
	must(f.c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 27, Queue: new(uint8(3)), TagEnforce: new(uint8(1)), VLAN: new(uint16(100))}))
	must(f.c.Add(brcmlink.AddRequest{Lower: "lab0", Port: 3, Name: "lab.p3", Up: true}))
	must(f.c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 5, Up: true}))
	must(f.c.Add(brcmlink.AddRequest{Lower: "eth1", Port: 0, Name: "uplink", Queue: new(uint8(2)), TagEnforce: new(uint8(3)), Up: true,
		Format: new(brcmlink.FormatOriginal), QueueFromPriority: new(true)}))
	must(f.c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 1, Up: true}))
	must(nil, f.k.MoveLower("lab0", 0))
	f.k.SetCarrier("eth1", false)
	stats := func(n uint64) brcmlink.Stats {
		return brcmlink.Stats{RxPackets: n, RxBytes: n * 1000, RxMulticast: n / 10, RxDropped: 1, RxErrors: 0,
			TxPackets: 2 * n, TxBytes: 2 * n * 500, TxDropped: 0}
	}
	for name, n := range map[string]uint64{"eth0.p27": 0, "lab.p3": 7, "eth0.p5": 123456789, "uplink": 42, "eth0.p1": 5} {
		f.k.SetStats(name, stats(n))
	}
	f.k.SetLowerStats("eth0", brcmlink.LowerStats{RxTagged: 123456900, RxBadLength: 1, RxBadOpcode: 2, RxBadPortID: 3, RxUnknownPort: 40})
	f.k.SetLowerStats("eth1", brcmlink.LowerStats{RxTagged: 42})
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
	f.mu.Lock()
	f.calls = append(f.calls, method+" "+fmt.Sprintf(format, args...))
	err, onCall := f.fail[method], f.onCall
	f.mu.Unlock()
	if onCall != nil {
		onCall(method)
	}
	return err
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

// newSettings are the settings the tag formats brought, as a call
// records them: only those given, so that the calls without them read
// as before.
func newSettings(f *brcmlink.Format, qprio *bool, vlan *uint16) string {
	var s string
	if f != nil {
		s += " format " + f.String()
	}
	if qprio != nil {
		s += fmt.Sprintf(" qprio %v", *qprio)
	}
	if vlan != nil {
		s += fmt.Sprintf(" vlan %d", *vlan)
	}
	return s
}

func (f *fake) Add(r brcmlink.AddRequest) (*brcmlink.Port, error) {
	if err := f.call("Add", "%s port %d name %q queue %s te %s up %v%s", r.Lower, r.Port, r.Name, optU8(r.Queue), optU8(r.TagEnforce), r.Up,
		newSettings(r.Format, r.QueueFromPriority, r.VLAN)); err != nil {
		return nil, err
	}
	return f.c.Add(r)
}

func (f *fake) Delete(s brcmlink.Selector) error {
	if err := f.call("Delete", "%s", s); err != nil {
		return err
	}
	return f.c.Delete(s)
}

func (f *fake) AddMany(reqs []brcmlink.AddRequest) ([]*brcmlink.Port, error) {
	var what []string
	for _, r := range reqs {
		what = append(what, fmt.Sprintf("%s port %d name %q", r.Lower, r.Port, r.Name))
	}
	if err := f.call("AddMany", "%s", strings.Join(what, ", ")); err != nil {
		return make([]*brcmlink.Port, len(reqs)), err
	}
	return f.c.AddMany(reqs)
}

func (f *fake) DeleteMany(indexes []int) error {
	if err := f.call("DeleteMany", "%v", indexes); err != nil {
		return err
	}
	return f.c.DeleteMany(indexes)
}

func (f *fake) FamilyVersion() int { return f.c.FamilyVersion() }

func (f *fake) DeleteAll(lower string) (int, error) {
	if err := f.call("DeleteAll", "%s", lower); err != nil {
		return 0, err
	}
	return f.c.DeleteAll(lower)
}

func (f *fake) Set(s brcmlink.Selector, r brcmlink.SetRequest) (*brcmlink.Port, error) {
	if err := f.call("Set", "%s queue %s te %s up %s%s", s, optU8(r.Queue), optU8(r.TagEnforce), optBool(r.Up),
		newSettings(r.Format, r.QueueFromPriority, r.VLAN)); err != nil {
		return nil, err
	}
	return f.c.Set(s, r)
}

func (f *fake) Get(s brcmlink.Selector) (*brcmlink.Port, error) {
	if err := f.call("Get", "%s", s); err != nil {
		return nil, err
	}
	return f.c.Get(s)
}

func (f *fake) List() ([]brcmlink.Port, error) {
	if err := f.call("List", ""); err != nil {
		return nil, err
	}
	return f.c.List()
}

func (f *fake) ListLower(lower string) ([]brcmlink.Port, error) {
	if err := f.call("ListLower", "%s", lower); err != nil {
		return nil, err
	}
	return f.c.ListLower(lower)
}

func (f *fake) Lower(name string) (*brcmlink.Lower, error) {
	if err := f.call("Lower", "%s", name); err != nil {
		return nil, err
	}
	return f.c.Lower(name)
}

func (f *fake) Lowers() ([]brcmlink.Lower, error) {
	if err := f.call("Lowers", ""); err != nil {
		return nil, err
	}
	return f.c.Lowers()
}

func (f *fake) SetLowerFormat(lower string, format brcmlink.Format) (*brcmlink.Lower, error) {
	if err := f.call("SetLowerFormat", "%s %s", lower, format); err != nil {
		return nil, err
	}
	return f.c.SetLowerFormat(lower, format)
}

// Watch sends the events the test set, or with none, the kernel's.
func (f *fake) Watch(ctx context.Context, opts ...genl.WatchOption) (<-chan genl.Event, error) {
	if err := f.call("Watch", ""); err != nil {
		return nil, err
	}
	if f.events == nil {
		return f.c.Watch(ctx, opts...)
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

// Close counts the command's closes; the client stays open for the
// test's next run on the same fake.
func (f *fake) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closes++
	return nil
}

// fakeLinks are Links on the fake's kernel.
type fakeLinks struct{ k *brcmtest.Kernel }

func (f *fake) links(string) (Links, error) { return fakeLinks{f.k}, nil }

func (l fakeLinks) Devices() ([]config.Device, error) {
	var ds []config.Device
	for _, d := range l.k.Devices() {
		ds = append(ds, config.Device{Name: d.Name, Index: d.Index, Port: d.Port, Up: d.Up})
	}
	return ds, nil
}

func (l fakeLinks) Device(name string) (*config.Device, error) {
	ds, _ := l.Devices()
	for _, d := range ds {
		if d.Name == name {
			return &d, nil
		}
	}
	return nil, nil
}

func (l fakeLinks) Rename(index int, name string) error {
	for _, d := range l.k.Devices() {
		if d.Index == index {
			return l.k.Rename(d.Name, name)
		}
	}
	return &brcmlink.Error{Err: syscall.ENODEV}
}

func (l fakeLinks) SetUp(index int, up bool) error {
	for _, d := range l.k.Devices() {
		if d.Index == index {
			return l.k.SetUp(d.Name, up)
		}
	}
	return &brcmlink.Error{Err: syscall.ENODEV}
}

func (fakeLinks) Close() error { return nil }

// fakeLowers are the lowers of the tests' namespaces: this one's, and
// lab's; lab2 has none.
func fakeLowers(netns string) []string {
	return map[string][]string{"": {"eth0", "eth1", "lo"}, "lab": {"lab0"}}[netns]
}

// result is what a run of brcmlink printed and returned.
type result struct {
	stdout, stderr string
	status         int
}

// fakeNow is the time of every event in the tests.
var fakeNow = time.Date(2026, 12, 6, 8, 30, 1, 123456789, time.UTC)

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
		stdin:         in,
		stdout:        &out,
		stderr:        &errOut,
		dial:          f.dial,
		links:         f.links,
		moduleVersion: func() string { return f.moduleVersion },
		now:           func() time.Time { return fakeNow },
		lowers:        fakeLowers,
		netns:         func() []string { return []string{"lab", "lab2"} },
		terminal:      func() bool { return f.terminal },
		getenv:        func(k string) string { return f.environ[k] },
	})
	return result{out.String(), errOut.String(), status}
}
