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

// value formats a sample in its unit: "152.3k" packets per second, or
// "1.234" seconds.
func value(u results.Unit, v float64) string {
	if u == results.PPS {
		return fmt.Sprintf("%.1fk", v/1000)
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
	fmt.Fprintf(&b, "\nbrcm against its references (%s run, kernel %s, %d data-path and %d control-plane rounds)\n\n",
		res.Mode, res.Kernel, res.Rounds, res.ControlRounds)
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ratio\tmedian\tper-round range\ttarget\tresult")
	for _, r := range res.Ratios {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f–%.3f\t%s\t%s\n", r.Name, r.Median, r.Min, r.Max, target(r), result(r))
	}
	tw.Flush()
	b.WriteString("\n")
	tw = tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "benchmark\tvariant\tmedian\tmin–max\tsamples")
	for _, v := range res.Variants {
		fmt.Fprintf(tw, "%s\t%s\t%s %s\t%s–%s\t%d\n", v.Bench, v.Variant, value(v.Unit, v.Median), v.Unit,
			value(v.Unit, v.Min), value(v.Unit, v.Max), len(v.Samples))
	}
	tw.Flush()
	for _, n := range res.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	return b.String()
}

// markdown is the generated section of docs/performance.md; chart is
// the chart's path relative to the doc.
func markdown(res *results.Results, chart string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nMeasured %s, %s run: kernel %s, commit `%s`; %d data-path rounds of %.1f s per sample, %d control-plane rounds of %d ports.\n\n",
		res.Date, res.Mode, res.Kernel, res.Commit, res.Rounds, res.SampleSeconds, res.ControlRounds, res.Ports)
	fmt.Fprintf(&b, "![Ratios of brcm to its references, with targets](%s)\n\n", chart)

	b.WriteString("| ratio | median | per-round range | target | result |\n|---|---:|---:|---:|---|\n")
	for _, r := range res.Ratios {
		fmt.Fprintf(&b, "| %s | %.3f | %.3f–%.3f | %s | %s |\n", r.Name, r.Median, r.Min, r.Max, target(r), result(r))
	}

	b.WriteString("\nData path, packets per second: median (min–max).\n\n")
	table(&b, res, "benchmark", []string{"tx-64", "tx-1500", "rx-64", "rx-1500"}, dataVariants, dataHeads)
	fmt.Fprintf(&b, "\nControl plane, seconds for %d ports: median (min–max).\n\n", res.Ports)
	table(&b, res, "operation", []string{"create", "converge", "list", "delete"}, controlVariants, controlHeads)

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
// variant; "-" where a variant was not measured.
func table(b *strings.Builder, res *results.Results, first string, benches, variants, heads []string) {
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
			cells = append(cells, spread(v.Unit, v.Spread))
		}
		if any {
			fmt.Fprintf(b, "| %s |\n", strings.Join(cells, " | "))
		}
	}
}
