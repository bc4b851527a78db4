// SPDX-License-Identifier: MIT

package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/brcmlink/brcmlink/bench/internal/results"
)

// Columns of the tables: the variants of each kind of benchmark.
var (
	dataVariants    = []string{"brcm", "vlan", "bare", "gen"}
	dataHeads       = []string{"brcm", "VLAN", "bare veth", "generator alone"}
	controlVariants = []string{"brcmlink", "apply", "genl", "ip"}
	controlHeads    = []string{"brcmlink -batch", "brcmlink apply", "genl package", "ip -batch"}
)

// value formats a sample in its unit: "152.3k" packets per second,
// "812.4M" bits per second, or "1.234" seconds.
func value(u results.Unit, v float64) string {
	switch u {
	case results.PPS:
		return fmt.Sprintf("%.1fk", v/1000)
	case results.BitsPS:
		return fmt.Sprintf("%.1fM", v/1e6)
	}
	return fmt.Sprintf("%.3f", v)
}

func spread(u results.Unit, s results.Spread) string {
	return fmt.Sprintf("%s (%s–%s)", value(u, s.Median), value(u, s.Min), value(u, s.Max))
}

func target(r results.Ratio) string {
	switch {
	case r.Target == 0:
		return "none"
	case r.AtMost:
		return fmt.Sprintf("≤ %.2f", r.Target)
	}
	return fmt.Sprintf("≥ %.2f", r.Target)
}

func result(r results.Ratio) string {
	if r.Result == "" {
		return "-"
	}
	return r.Result
}

// headline is what `make bench` prints: the ratios first, then the
// medians they come from.
func headline(res *results.Results) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nbrcm against its references (%s run, kernel %s)\n%s\n\n", res.Mode, res.Kernel, clocks(res))
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ratio\tmedian\tper-round range\ttarget\tresult")
	for _, r := range res.Ratios {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f–%.3f\t%s\t%s\n", r.Name, r.Median, r.Min, r.Max, target(r), result(r))
	}
	tw.Flush()
	b.WriteString("\n")
	tw = tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "benchmark\tvariant\tmedian\tmin–max\trange\tsamples\tinstructions/packet")
	for _, v := range res.Variants {
		insn := "-"
		if v.InsnPerPacket != nil {
			insn = fmt.Sprintf("%.0f", v.InsnPerPacket.Median)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s %s\t%s–%s\t%.2f%%\t%d\t%s\n", v.Bench, v.Variant, value(v.Unit, v.Median), v.Unit,
			value(v.Unit, v.Min), value(v.Unit, v.Max), v.RangePct, len(v.Samples), insn)
	}
	tw.Flush()
	for _, n := range res.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	return b.String()
}

// clocks says how each part was measured.
func clocks(res *results.Results) string {
	var parts []string
	if res.DataClock != nil {
		parts = append(parts, fmt.Sprintf("data path: %d rounds of %.1f s per sample, %s", res.Rounds, res.SampleSeconds, res.DataClock))
	}
	if res.ControlClock != nil {
		parts = append(parts, fmt.Sprintf("control plane: %d rounds of %d ports, %s", res.ControlRounds, res.Ports, res.ControlClock))
	}
	return strings.Join(parts, "; ")
}

// markdown is the generated section of docs/performance.md; chart is
// the chart's path relative to the doc.
func markdown(res *results.Results, chart string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nMeasured %s, %s run: kernel %s, commit `%s`; %s.\n\n",
		res.Date, res.Mode, res.Kernel, res.Commit, clocks(res))
	fmt.Fprintf(&b, "![Ratios of brcm to its references, with targets](%s)\n\n", chart)

	b.WriteString("| ratio | median | per-round range | target | result |\n|---|---:|---:|---:|---|\n")
	for _, r := range res.Ratios {
		fmt.Fprintf(&b, "| %s | %.3f | %.3f–%.3f | %s | %s |\n", r.Name, r.Median, r.Min, r.Max, target(r), result(r))
	}

	data := []string{"tx-64", "tx-1500", "rx-64", "rx-1500"}
	per := "second"
	if res.DataClock.Counted() {
		per = "second of the guest's counted time"
	}
	fmt.Fprintf(&b, "\nData path, packets per %s: median (min–max).\n\n", per)
	table(&b, res, "benchmark", data, dataVariants, dataHeads, func(v results.Variant) string { return spread(v.Unit, v.Spread) })
	if res.DataClock.Counted() {
		b.WriteString("\nData path, instructions per packet: median (min–max), and the range over the median.\n\n")
		table(&b, res, "benchmark", data, dataVariants, dataHeads, func(v results.Variant) string {
			i := v.InsnPerPacket
			return fmt.Sprintf("%.0f (%.0f–%.0f) %.2f%%", i.Median, i.Min, i.Max, v.RangePct)
		})
	}
	b.WriteString("\nTCP, bits per second of one stream (frames as the measured device sends them): median (min–max). `tcp` counted instructions, `tcp-wall` is wall time on two CPUs.\n\n")
	table(&b, res, "benchmark", []string{"tcp", "tcp-wall"}, dataVariants[:3], dataHeads[:3],
		func(v results.Variant) string { return spread(v.Unit, v.Spread) })
	fmt.Fprintf(&b, "\nControl plane, seconds for %d ports: median (min–max).\n\n", res.Ports)
	table(&b, res, "operation", []string{"create", "converge", "list", "delete"}, controlVariants, controlHeads,
		func(v results.Variant) string { return spread(v.Unit, v.Spread) })

	if len(res.Library) > 0 {
		b.WriteString("\nLibrary, `go test -bench -benchmem` on the host: median of the runs.\n\n")
		b.WriteString("| package | benchmark | runs | ns/op | B/op | allocs/op |\n|---|---|---:|---:|---:|---:|\n")
		for _, l := range res.Library {
			fmt.Fprintf(&b, "| %s | %s | %d | %.0f | %.0f | %.0f |\n", strings.TrimPrefix(l.Package, "github.com/brcmlink/brcmlink/"),
				l.Name, l.Runs, l.NsPerOp.Median, l.BPerOp.Median, l.Allocs.Median)
		}
	}
	if len(res.Notes) > 0 {
		b.WriteString("\n")
		for _, n := range res.Notes {
			fmt.Fprintf(&b, "Note: %s.\n", n)
		}
	}
	b.WriteString("\n")
	return b.String()
}

// table writes one markdown row per benchmark measured, one column per
// variant, each cell as cell has it; "-" where a variant was not
// measured.
func table(b *strings.Builder, res *results.Results, first string, benches, variants, heads []string, cell func(results.Variant) string) {
	fmt.Fprintf(b, "| %s | %s |\n|---|%s\n", first, strings.Join(heads, " | "), strings.Repeat("---:|", len(heads)))
	for _, bn := range benches {
		cells := []string{bn}
		any := false
		for _, vn := range variants {
			v, ok := res.Variant(bn, vn)
			if !ok {
				cells = append(cells, "-")
				continue
			}
			any = true
			cells = append(cells, cell(v))
		}
		if any {
			fmt.Fprintf(b, "| %s |\n", strings.Join(cells, " | "))
		}
	}
}
