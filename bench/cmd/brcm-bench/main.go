// SPDX-License-Identifier: MIT

// Command brcm-bench measures brcm ports against the kernel's own 802.1Q
// VLAN devices and iproute2, inside the test VM (`make bench` runs it
// there): packets per second through a brcm device, a VLAN device and
// the bare veth under both, and the time to create, list and delete a
// thousand ports with brcmlink, the genl package and ip. Variants take
// turns round by round, so a slow spell of the machine hits all of them.
// It writes every sample as a results.Raw to -o; brcm-report sums them up.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/brcmlink/brcmlink/bench/internal/results"
	"golang.org/x/sys/unix"
)

// plan is how much a mode measures.
type plan struct {
	rounds    int           // data-path rounds
	ctlRounds int           // control-plane rounds: each creates every port three times
	warmup    time.Duration // traffic before a data-path sample starts counting
	sample    time.Duration // a data-path sample
	lowers    int           // veth lowers for the control plane
	perLower  int           // ports on each
}

var plans = map[string]plan{
	// The data path's clock counts instructions (bench/run), so its
	// rounds repeat to a fraction of a percent and five show it; the
	// control plane's wall time swings, and its rounds are compared
	// within the round.
	"full":  {rounds: 5, ctlRounds: 3, warmup: 300 * time.Millisecond, sample: 1000 * time.Millisecond, lowers: 40, perLower: 25},
	"smoke": {rounds: 1, ctlRounds: 1, warmup: 100 * time.Millisecond, sample: 300 * time.Millisecond, lowers: 4, perLower: 25},
}

type config struct {
	plan
	mode     string
	ko       string
	cli      string // the brcmlink command, "" if there is none
	only     string // run only the benchmarks whose names contain it
	part     string // "data", "control" or "all"
	icount   int    // the shift of the guest's instruction-counting clock; -1: none
	profile  string // profile this benchmark's variants with perf
	outDir   string // where perf reports go
	notes    []string
	samples  []results.Sample
	scratchD string    // guest tmpfs folder for batch files and profiles
	perfOnce sync.Once // perf's sampling limits are lifted once
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("brcm-bench: ")
	c := &config{}
	flag.StringVar(&c.mode, "mode", "full", "`full` or smoke: how many rounds and ports")
	flag.StringVar(&c.ko, "brcm.ko", "kernel/brcm.ko", "the module to load")
	flag.StringVar(&c.cli, "brcmlink", "", "the brcmlink command; without it its variants are skipped")
	flag.StringVar(&c.only, "only", "", "run only the benchmarks whose names contain `TEXT` (tx, rx-64, create, ...)")
	flag.StringVar(&c.profile, "profile", "", "after the rounds, profile each variant of `BENCH` with perf record -a")
	flag.StringVar(&c.part, "part", "all", "what to measure: `data` path, control plane, or all")
	flag.IntVar(&c.icount, "icount", -1, "the guest's clock counts instructions, 2^`SHIFT` ns each (vm/run -icount)")
	out := flag.String("o", "", "where to write the samples; default $BRCM_VM_RESULTS/raw-PART.json")
	sink := flag.Bool("tcp-sink", false, "internal: be the TCP benchmark's sink")
	farPort := flag.Bool("add-far-port", false, "internal: add the TCP benchmark's far port")
	flag.Parse()
	switch {
	case *sink:
		log.Fatal(tcpSink())
	case *farPort:
		if err := addFarPort(); err != nil {
			log.Fatal(err)
		}
		return
	}
	p, ok := plans[c.mode]
	if !ok || flag.NArg() != 0 || !slices.Contains([]string{"data", "control", "all"}, c.part) {
		flag.Usage()
		os.Exit(2)
	}
	c.plan = p
	if *out == "" {
		dir := os.Getenv("BRCM_VM_RESULTS")
		if dir == "" {
			log.Fatal("no -o, and BRCM_VM_RESULTS is not set: run inside vm/run with BRCM_VM_RESULTS")
		}
		*out = filepath.Join(dir, "raw-"+c.part+".json")
	}
	c.outDir = filepath.Dir(*out)
	raw, err := c.run()
	if err != nil {
		log.Fatal(err)
	}
	b, err := json.MarshalIndent(raw, "", "  ")
	if err == nil {
		err = os.WriteFile(*out, append(b, '\n'), 0o644)
	}
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("%d samples in %s", len(raw.Samples), *out)
}

func (c *config) run() (*results.Raw, error) {
	start := time.Now()
	if err := c.setup(); err != nil {
		return nil, err
	}
	var uts unix.Utsname
	if err := unix.Uname(&uts); err != nil {
		return nil, err
	}
	clock := results.Wall(runtime.NumCPU())
	if c.icount >= 0 {
		clock.ICountShift = c.icount
	}
	raw := &results.Raw{Mode: c.mode, Kernel: unix.ByteSliceToString(uts.Release[:]), Start: start}
	if c.part != "control" {
		if err := c.dataPath(); err != nil {
			return nil, fmt.Errorf("data path: %w", err)
		}
		if err := c.tcp("tcp"); err != nil {
			return nil, fmt.Errorf("tcp: %w", err)
		}
		raw.DataClock, raw.Rounds, raw.Seconds = clock, c.rounds, c.sample.Seconds()
	}
	if c.part != "data" {
		if err := c.controlPlane(); err != nil {
			return nil, fmt.Errorf("control plane: %w", err)
		}
		// TCP again on two CPUs, where sender and receiver can
		// run at once.
		if err := c.tcp("tcp-wall"); err != nil {
			return nil, fmt.Errorf("tcp: %w", err)
		}
		raw.ControlClock, raw.ControlRounds, raw.Ports = clock, c.ctlRounds, c.lowers*c.perLower
	}
	log.Printf("done in %s (%s)", time.Since(start).Round(time.Second), clock)
	raw.Samples, raw.Notes = c.samples, c.notes
	return raw, nil
}

// setup loads the modules every variant needs and keeps IPv6 from
// sending frames of its own on the new devices.
func (c *config) setup() error {
	for _, k := range []string{"all", "default"} {
		if err := os.WriteFile("/proc/sys/net/ipv6/conf/"+k+"/disable_ipv6", []byte("1"), 0); err != nil {
			return err
		}
	}
	for _, m := range []string{"veth", "8021q", "dummy", "pktgen", "sch_ingress", "cls_matchall", "act_pedit"} {
		if err := sh("modprobe", m); err != nil {
			return err
		}
	}
	if _, err := os.Stat("/sys/module/brcm"); errors.Is(err, os.ErrNotExist) {
		if err := sh("insmod", c.ko); err != nil {
			return err
		}
	}
	if c.cli != "" {
		if _, err := os.Stat(c.cli); err != nil {
			c.note("no brcmlink command (%v): its variants are skipped", err)
			c.cli = ""
		}
	} else {
		c.note("no brcmlink command given: its variants are skipped")
	}
	d, err := os.MkdirTemp("", "brcm-bench")
	c.scratchD = d
	return err
}

// wants says whether the benchmark name is selected by -only.
func (c *config) wants(name string) bool { return strings.Contains(name, c.only) }

func (c *config) note(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	log.Print(s)
	c.notes = append(c.notes, s)
}

// record keeps a sample and shows it.
func (c *config) record(b, variant string, round int, v float64) {
	c.samples = append(c.samples, results.Sample{Bench: b, Variant: variant, Round: round, Value: v})
	unit := results.UnitOf(b)
	log.Printf("round %d  %-9s %-9s %12.4g %s", round, b, variant, v, unit)
}

// rotate returns vs starting at its (r mod len)th element: round r's
// order, so that no variant always goes first.
func rotate[T any](vs []T, r int) []T {
	k := r % len(vs)
	return append(append([]T{}, vs[k:]...), vs[:k]...)
}
