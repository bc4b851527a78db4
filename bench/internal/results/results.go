// SPDX-License-Identifier: MIT

// Package results holds what the two halves of `make bench` share: the raw
// samples that brcm-bench measures inside the test VM, and the summary
// that brcm-report makes of them on the host: medians, spreads, the
// ratios against the kernel's own VLAN code and iproute2, and whether
// each meets its target.
package results

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Raw is what brcm-bench writes: every sample of one run, in the order
// taken.
type Raw struct {
	Mode   string    `json:"mode"`   // "smoke" or "full"
	Kernel string    `json:"kernel"` // uname -r of the guest
	Start  time.Time `json:"start"`
	Rounds int       `json:"rounds"` // data-path rounds
	// ControlRounds are fewer: each creates every port three times.
	ControlRounds int      `json:"control_rounds"`
	Seconds       float64  `json:"sample_seconds"` // length of one data-path sample
	Ports         int      `json:"ports"`          // ports created per control-plane sample
	Samples       []Sample `json:"samples"`
	Notes         []string `json:"notes,omitempty"` // what was skipped, and why
	// The clocks of the data-path and control-plane samples; nil for a
	// part not measured. `make bench` measures the two in separate boots.
	DataClock    *Clock `json:"data_clock,omitempty"`
	ControlClock *Clock `json:"control_clock,omitempty"`
}

// Clock is what the guest's clock counted while it measured.
type Clock struct {
	// ICountShift n: QEMU counted instructions, 2^n ns of the guest's
	// time each (-icount shift=n); -1: the host's wall time passed.
	ICountShift int `json:"icount_shift"`
	CPUs        int `json:"cpus"` // the guest's vCPUs
}

// Wall is the clock of a guest timed by the host's time.
func Wall(cpus int) *Clock { return &Clock{ICountShift: -1, CPUs: cpus} }

// Counted says whether the clock counted instructions.
func (c *Clock) Counted() bool { return c != nil && c.ICountShift >= 0 }

func (c *Clock) String() string {
	cpus := fmt.Sprintf("%d vCPUs", c.CPUs)
	if c.CPUs == 1 {
		cpus = "1 vCPU"
	}
	if c.Counted() {
		return fmt.Sprintf("instructions counted (icount shift=%d), %s", c.ICountShift, cpus)
	}
	return "wall time, " + cpus
}

// InsnPerPacket turns a rate in packets per second of a counting clock
// into instructions per packet.
func (c *Clock) InsnPerPacket(pps float64) float64 {
	return 1e9 / pps / float64(int(1)<<c.ICountShift)
}

// Merge joins the samples of the runs that measured the parts of one
// benchmark run: the data path of one, the control plane of another.
func Merge(parts ...*Raw) (*Raw, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("no samples to merge")
	}
	m := *parts[0]
	m.Samples = slices.Clone(m.Samples)
	m.Notes = slices.Clone(m.Notes)
	for _, p := range parts[1:] {
		if p.Mode != m.Mode || p.Kernel != m.Kernel {
			return nil, fmt.Errorf("a %s run on %s and a %s run on %s are not parts of one run", m.Mode, m.Kernel, p.Mode, p.Kernel)
		}
		if p.DataClock != nil && m.DataClock != nil || p.ControlClock != nil && m.ControlClock != nil {
			return nil, fmt.Errorf("two runs measured the same part")
		}
		if p.DataClock != nil {
			m.DataClock, m.Rounds, m.Seconds = p.DataClock, p.Rounds, p.Seconds
		}
		if p.ControlClock != nil {
			m.ControlClock, m.ControlRounds, m.Ports = p.ControlClock, p.ControlRounds, p.Ports
		}
		if p.Start.Before(m.Start) {
			m.Start = p.Start
		}
		m.Samples = append(m.Samples, p.Samples...)
		m.Notes = append(m.Notes, p.Notes...)
	}
	return &m, nil
}

// Sample is one measurement of one variant of one benchmark.
type Sample struct {
	Bench   string  `json:"bench"`   // such as "tx-64" or "create"
	Variant string  `json:"variant"` // such as "brcm", "vlan", "ip"
	Round   int     `json:"round"`
	Value   float64 `json:"value"` // in the bench's Unit
}

// Unit of a benchmark's samples.
type Unit string

const (
	PPS     Unit = "pps"   // packets per second: more is better
	BitsPS  Unit = "bit/s" // a TCP stream's throughput: more is better
	Seconds Unit = "s"     // wall time: less is better
)

// UnitOf returns the unit of a benchmark: data-path benchmarks ("tx-64",
// "rx-1500") count packets, TCP ones ("tcp", "tcp-wall") bits, the others
// time an operation.
func UnitOf(bench string) Unit {
	switch {
	case strings.HasPrefix(bench, "tx-") || strings.HasPrefix(bench, "rx-"):
		return PPS
	case bench == "tcp" || strings.HasPrefix(bench, "tcp-"):
		return BitsPS
	}
	return Seconds
}

// Spread is a set of samples summed up: the median, and the range.
type Spread struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

// Summarize returns the median, min and max of vs; the zero Spread for
// none. The median of an even count is the mean of the middle two.
func Summarize(vs []float64) Spread {
	if len(vs) == 0 {
		return Spread{}
	}
	s := slices.Sorted(slices.Values(vs))
	n := len(s)
	med := s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return Spread{Median: med, Min: s[0], Max: s[n-1]}
}

// Values returns the samples of one variant of one benchmark by round.
func (r *Raw) Values(bench, variant string) map[int]float64 {
	m := make(map[int]float64)
	for _, s := range r.Samples {
		if s.Bench == bench && s.Variant == variant {
			m[s.Round] = s.Value
		}
	}
	return m
}

// Ratio compares variant Num with variant Den of one benchmark.
type Ratio struct {
	Name   string  `json:"name"` // such as "tx-64 brcm/vlan"
	Bench  string  `json:"bench"`
	Num    string  `json:"num"`
	Den    string  `json:"den"`
	Spread         // of Num's median over Den's, and of the per-round ratios
	Target float64 `json:"target"` // 0: none
	// AtMost: the target is a ceiling (times), else a floor (rates).
	AtMost bool   `json:"at_most"`
	Result string `json:"result,omitempty"` // "PASS" or "MISS"; "" without a target
}

// Goal is a ratio to compute and the target it should meet, if Target
// is not 0.
type Goal struct {
	Bench, Num, Den string
	Target          float64
	// DenBench is the benchmark Den is taken from, if not Bench: what
	// apply takes to find nothing to do is held to what ip takes to
	// create.
	DenBench string
}

// Ratio computes g over r: the median is the ratio of the two medians,
// and the range is that of the ratios of samples taken in the same round,
// which share the machine's mood. ok is false if either side has no
// samples.
func (g Goal) Ratio(r *Raw) (Ratio, bool) {
	denBench := cmp.Or(g.DenBench, g.Bench)
	num, den := r.Values(g.Bench, g.Num), r.Values(denBench, g.Den)
	var nums, dens, per []float64
	for round, n := range num {
		nums = append(nums, n)
		if d, ok := den[round]; ok && d != 0 {
			per = append(per, n/d)
		}
	}
	for _, d := range den {
		dens = append(dens, d)
	}
	dm := Summarize(dens).Median
	if len(nums) == 0 || dm == 0 {
		return Ratio{}, false
	}
	sp := Summarize(per)
	sp.Median = Summarize(nums).Median / dm
	name := fmt.Sprintf("%s %s/%s", g.Bench, g.Num, g.Den)
	if denBench != g.Bench {
		name = fmt.Sprintf("%s %s / %s %s", g.Bench, g.Num, denBench, g.Den)
	}
	at := Ratio{
		Name: name, Bench: g.Bench, Num: g.Num, Den: g.Den,
		Spread: sp, Target: g.Target, AtMost: UnitOf(g.Bench) == Seconds,
	}
	switch {
	case g.Target == 0: // reported, not judged
	case at.AtMost && sp.Median <= g.Target || !at.AtMost && sp.Median >= g.Target:
		at.Result = "PASS"
	default:
		at.Result = "MISS"
	}
	return at, true
}
