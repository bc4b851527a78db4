// SPDX-License-Identifier: MIT

package results

import (
	"strings"
	"testing"
)

func TestSummarize(t *testing.T) {
	for _, tt := range []struct {
		in   []float64
		want Spread
	}{
		{nil, Spread{}},
		{[]float64{3}, Spread{3, 3, 3}},
		{[]float64{5, 1, 3}, Spread{3, 1, 5}},
		{[]float64{4, 1, 3, 2}, Spread{2.5, 1, 4}},
	} {
		if got := Summarize(tt.in); got != tt.want {
			t.Errorf("Summarize(%v) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestUnitOf(t *testing.T) {
	for b, want := range map[string]Unit{"tx-64": PPS, "rx-1500": PPS, "tcp": BitsPS, "tcp-wall": BitsPS, "create": Seconds, "list": Seconds} {
		if got := UnitOf(b); got != want {
			t.Errorf("UnitOf(%q) = %q, want %q", b, got, want)
		}
	}
}

// raw returns samples of one benchmark: per variant, one value a round.
func raw(bench string, vs map[string][]float64) *Raw {
	r := &Raw{}
	for v, vals := range vs {
		for round, x := range vals {
			r.Samples = append(r.Samples, Sample{Bench: bench, Variant: v, Round: round, Value: x})
		}
	}
	return r
}

func TestRatio(t *testing.T) {
	// Rates: the median ratio of medians, the range of per-round ratios.
	r := raw("rx-64", map[string][]float64{"brcm": {90, 100, 120}, "vlan": {100, 100, 100}})
	got, ok := Goal{Bench: "rx-64", Num: "brcm", Den: "vlan", Target: 1.0}.Ratio(r)
	if !ok || got.Median != 1.0 || got.Min != 0.9 || got.Max != 1.2 || got.AtMost || got.Result != "PASS" {
		t.Errorf("rx-64 brcm/vlan = %+v, %v", got, ok)
	}
	if got, _ := (Goal{Bench: "rx-64", Num: "brcm", Den: "vlan", Target: 1.1}).Ratio(r); got.Result != "MISS" {
		t.Errorf("below a floor: %+v", got)
	}

	// Times: the target is a ceiling.
	r = raw("create", map[string][]float64{"brcmlink": {7, 8, 9}, "ip": {10, 10, 10}})
	if got, _ := (Goal{Bench: "create", Num: "brcmlink", Den: "ip", Target: 0.8}).Ratio(r); !got.AtMost || got.Result != "PASS" {
		t.Errorf("create at 0.8 of ip: %+v", got)
	}
	if got, _ := (Goal{Bench: "create", Num: "brcmlink", Den: "ip", Target: 0.7}).Ratio(r); got.Result != "MISS" {
		t.Errorf("above a ceiling: %+v", got)
	}
	if got, _ := (Goal{Bench: "create", Num: "brcmlink", Den: "ip", Target: 0}).Ratio(r); got.Result != "" {
		t.Errorf("without a target: %+v", got)
	}

	// A side never measured: no ratio.
	if _, ok := (Goal{Bench: "create", Num: "genl", Den: "ip", Target: 0.8}).Ratio(r); ok {
		t.Error("a ratio of a variant without samples")
	}
}

func TestSummarizeRaw(t *testing.T) {
	r := raw("tx-64", map[string][]float64{"brcm": {2, 1, 3}, "vlan": {2, 2, 2}})
	res := r.Summarize()
	v, ok := res.Variant("tx-64", "brcm")
	if !ok || len(v.Samples) != 3 || v.Samples[0] != 2 || v.Median != 2 || v.Unit != PPS {
		t.Errorf("tx-64 brcm: %+v, %v", v, ok)
	}
	if len(res.Ratios) != 1 || res.Ratios[0].Name != "tx-64 brcm/vlan" { // no bare: no brcm/bare
		t.Errorf("ratios: %+v", res.Ratios)
	}
}

func TestParseGoBench(t *testing.T) {
	out := `goos: linux
pkg: github.com/brcmlink/brcmlink/genl
BenchmarkEncodeAdd-2     	  252061	       900 ns/op	     568 B/op	      11 allocs/op
BenchmarkEncodeAdd-2     	  252061	       1000 ns/op	     568 B/op	      11 allocs/op
BenchmarkEncodeAdd-2     	  252061	       800 ns/op	     568 B/op	      11 allocs/op
PASS
pkg: github.com/brcmlink/brcmlink/rtlink
BenchmarkDecodeLinkDump-2	     100	   2845756 ns/op	 2006085 B/op	   35960 allocs/op
`
	got, err := ParseGoBench(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d benchmarks: %+v", len(got), got)
	}
	if g := got[0]; g.Package != "github.com/brcmlink/brcmlink/genl" || g.Name != "BenchmarkEncodeAdd" || g.Runs != 3 ||
		g.NsPerOp != (Spread{900, 800, 1000}) || g.BPerOp.Median != 568 || g.Allocs.Median != 11 {
		t.Errorf("first: %+v", g)
	}
	if g := got[1]; g.Name != "BenchmarkDecodeLinkDump" || g.Runs != 1 || g.Allocs.Median != 35960 {
		t.Errorf("second: %+v", g)
	}
}

func TestMerge(t *testing.T) {
	data := raw("rx-64", map[string][]float64{"brcm": {250e6, 250e6, 200e6}})
	data.Mode, data.Kernel, data.Rounds, data.DataClock = "full", "k", 3, &Clock{ICountShift: 1, CPUs: 1}
	ctl := raw("create", map[string][]float64{"ip": {2}})
	ctl.Mode, ctl.Kernel, ctl.ControlRounds, ctl.ControlClock = "full", "k", 1, Wall(2)
	m, err := Merge(data, ctl)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Samples) != 4 || m.Rounds != 3 || m.ControlRounds != 1 || !m.DataClock.Counted() || m.ControlClock.Counted() {
		t.Errorf("merged: %+v", m)
	}
	res := m.Summarize()
	// 250M packets a counted second at 2 ns an instruction: 2 each.
	v, _ := res.Variant("rx-64", "brcm")
	if v.InsnPerPacket == nil || *v.InsnPerPacket != (Spread{2, 2, 2.5}) || v.RangePct != 20 {
		t.Errorf("rx-64 brcm: %+v, instructions %+v", v, v.InsnPerPacket)
	}
	if c, _ := res.Variant("create", "ip"); c.InsnPerPacket != nil {
		t.Errorf("create timed by the wall clock has instructions per packet: %+v", c)
	}
	if got := res.DataClock.String(); got != "instructions counted (icount shift=1), 1 vCPU" {
		t.Errorf("data clock: %q", got)
	}
	if got := res.ControlClock.String(); got != "wall time, 2 vCPUs" {
		t.Errorf("control clock: %q", got)
	}

	if _, err := Merge(data, data); err == nil {
		t.Error("two data paths merged")
	}
	other := *ctl
	other.Kernel = "other"
	if _, err := Merge(data, &other); err == nil {
		t.Error("runs of two kernels merged")
	}
}
