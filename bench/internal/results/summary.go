// SPDX-License-Identifier: MIT

package results

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Goals are the ratios `make bench` reports as its headline, with the
// targets issue 5 set: a brcm device moves packets at least as fast as a
// VLAN device and within 5% of the bare veth under it; brcmlink creates
// ports in at most 0.8 of the time ip takes for as many VLANs, and lists
// them no slower. The genl package is held to the command's targets, so
// that a miss shows whether the command or the kernel is slow. Deleting
// one by one has no target: it is reported as is (Target 0). apply
// (issue 12) creates 1,000 ports in at most 0.6 of ip's time, finds
// nothing to do in 0.1 of it, and deletes them in 0.2 of ip's.
var Goals = func() []Goal {
	var gs []Goal
	for _, b := range []string{"tx-64", "tx-1500", "rx-64", "rx-1500"} {
		gs = append(gs, Goal{Bench: b, Num: "brcm", Den: "vlan", Target: 1.0}, Goal{Bench: b, Num: "brcm", Den: "bare", Target: 0.95})
	}
	// TCP (issue 16): a stream through a port as fast as through a VLAN
	// device, and within 10% of the bare veth; counted instructions, and
	// wall time on two CPUs.
	for _, b := range []string{"tcp", "tcp-wall"} {
		gs = append(gs, Goal{Bench: b, Num: "brcm", Den: "vlan", Target: 1.0}, Goal{Bench: b, Num: "brcm", Den: "bare", Target: 0.90})
	}
	for _, tool := range []string{"brcmlink", "genl"} {
		gs = append(gs, Goal{Bench: "create", Num: tool, Den: "ip", Target: 0.8}, Goal{Bench: "list", Num: tool, Den: "ip", Target: 1.0},
			Goal{Bench: "delete", Num: tool, Den: "ip"})
	}
	return append(gs, Goal{Bench: "create", Num: "apply", Den: "ip", Target: 0.6},
		Goal{Bench: "converge", Num: "apply", Den: "ip", Target: 0.1, DenBench: "create"},
		Goal{Bench: "delete", Num: "apply", Den: "ip", Target: 0.2})
}()

// Variant is one variant of one benchmark, summed up.
type Variant struct {
	Bench   string    `json:"bench"`
	Variant string    `json:"variant"`
	Unit    Unit      `json:"unit"`
	Samples []float64 `json:"samples"` // by round
	Spread
	// Spread's range over its median, in percent: how well rounds repeat.
	RangePct float64 `json:"range_pct"`
	// A rate under a counting clock: the instructions per packet.
	InsnPerPacket *Spread `json:"insn_per_packet,omitempty"`
}

// LibBench is one `go test -bench` benchmark over its -count runs.
type LibBench struct {
	Package string `json:"package"`
	Name    string `json:"name"`
	Runs    int    `json:"runs"`
	NsPerOp Spread `json:"ns_per_op"`
	BPerOp  Spread `json:"bytes_per_op"`
	Allocs  Spread `json:"allocs_per_op"`
}

// Results is bench/results.json.
type Results struct {
	Mode          string     `json:"mode"`
	Kernel        string     `json:"kernel"`
	Commit        string     `json:"commit"`
	Date          string     `json:"date"`
	Rounds        int        `json:"rounds"`
	ControlRounds int        `json:"control_rounds"`
	SampleSeconds float64    `json:"sample_seconds"`
	Ports         int        `json:"ports"`
	DataClock     *Clock     `json:"data_clock,omitempty"`
	ControlClock  *Clock     `json:"control_clock,omitempty"`
	Ratios        []Ratio    `json:"ratios"`
	Variants      []Variant  `json:"variants"`
	Library       []LibBench `json:"library"`
	Notes         []string   `json:"notes,omitempty"`
}

// Summarize sums r up: every variant in the order first measured, and
// every goal that both its sides were measured for.
func (r *Raw) Summarize() *Results {
	res := &Results{
		Mode: r.Mode, Kernel: r.Kernel, Date: r.Start.UTC().Format("2006-01-02 15:04 UTC"),
		Rounds: r.Rounds, ControlRounds: r.ControlRounds, SampleSeconds: r.Seconds, Ports: r.Ports,
		Notes: r.Notes, DataClock: r.DataClock, ControlClock: r.ControlClock,
	}
	type key struct{ bench, variant string }
	var order []key
	for _, s := range r.Samples {
		if k := (key{s.Bench, s.Variant}); !slices.Contains(order, k) {
			order = append(order, k)
		}
	}
	for _, k := range order {
		byRound := r.Values(k.bench, k.variant)
		rounds := slices.Sorted(func(yield func(int) bool) {
			for round := range byRound {
				if !yield(round) {
					return
				}
			}
		})
		v := Variant{Bench: k.bench, Variant: k.variant, Unit: UnitOf(k.bench)}
		for _, round := range rounds {
			v.Samples = append(v.Samples, byRound[round])
		}
		v.Spread = Summarize(v.Samples)
		if v.Median != 0 {
			v.RangePct = (v.Max - v.Min) / v.Median * 100
		}
		if v.Unit == PPS && r.DataClock.Counted() && v.Min > 0 {
			c := r.DataClock
			// The fastest round took the fewest instructions.
			v.InsnPerPacket = &Spread{Median: c.InsnPerPacket(v.Median), Min: c.InsnPerPacket(v.Max), Max: c.InsnPerPacket(v.Min)}
		}
		res.Variants = append(res.Variants, v)
	}
	for _, g := range Goals {
		if rt, ok := g.Ratio(r); ok {
			res.Ratios = append(res.Ratios, rt)
		}
	}
	return res
}

// Variant returns the summary of one variant of one benchmark.
func (res *Results) Variant(bench, variant string) (Variant, bool) {
	for _, v := range res.Variants {
		if v.Bench == bench && v.Variant == variant {
			return v, true
		}
	}
	return Variant{}, false
}

// ParseGoBench reads the output of `go test -bench -benchmem`, with any
// -count, into one LibBench per package and benchmark.
func ParseGoBench(rd io.Reader) ([]LibBench, error) {
	type runs struct{ ns, b, allocs []float64 }
	var order []LibBench
	all := make(map[[2]string]*runs)
	pkg := ""
	sc := bufio.NewScanner(rd)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && f[0] == "pkg:" {
			pkg = f[1]
			continue
		}
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		// BenchmarkName-2  N  x ns/op  y B/op  z allocs/op
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
		k := [2]string{pkg, name}
		rs, ok := all[k]
		if !ok {
			rs = &runs{}
			all[k] = rs
			order = append(order, LibBench{Package: pkg, Name: name})
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("go test -bench line %q: %w", sc.Text(), err)
			}
			switch f[i+1] {
			case "ns/op":
				rs.ns = append(rs.ns, v)
			case "B/op":
				rs.b = append(rs.b, v)
			case "allocs/op":
				rs.allocs = append(rs.allocs, v)
			}
		}
	}
	for i, lb := range order {
		rs := all[[2]string{lb.Package, lb.Name}]
		order[i].Runs = len(rs.ns)
		order[i].NsPerOp, order[i].BPerOp, order[i].Allocs = Summarize(rs.ns), Summarize(rs.b), Summarize(rs.allocs)
	}
	return order, sc.Err()
}
