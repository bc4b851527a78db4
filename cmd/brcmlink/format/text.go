// SPDX-License-Identifier: MIT

// Package format prints ports, lower devices and events as brcmlink shows
// them: text lines in the manner of `ip -br link` and `ip -s link`, or
// JSON objects in the manner of `ip -j link`.
package format

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/brcmlink/brcmlink"
)

// View says how much of a port to show.
type View struct {
	Details bool     // -d: ifindex, MTU, tag enforcement, format, VLAN, states, lower ifindex
	Stats   int      // -s: the port's counters; -s -s: also its lower's
	Brief   bool     // -br: name, state and switch port only, in columns
	Oneline bool     // -o: a port's lines joined by \\, as ip -o
	Color   *Palette // -c: nil for none
}

// SortPorts orders ports by lower device, then switch port: the order of
// the switch, whatever order the kernel listed them in. Ports whose lower
// is in another namespace, so has no name here, come last, by namespace.
func SortPorts(ps []brcmlink.Port) {
	slices.SortStableFunc(ps, func(a, b brcmlink.Port) int {
		if (a.Lower == "") != (b.Lower == "") {
			if a.Lower == "" {
				return 1
			}
			return -1
		}
		return cmp.Or(
			cmp.Compare(a.Lower, b.Lower),
			cmp.Compare(netnsid(a), netnsid(b)),
			cmp.Compare(a.LowerIndex, b.LowerIndex),
			cmp.Compare(a.Port, b.Port),
		)
	})
}

// netnsid orders the namespaces of lowers: the port's own (nil) first.
func netnsid(p brcmlink.Port) int64 {
	if p.LowerNetNSID == nil {
		return math.MinInt64
	}
	return int64(*p.LowerNetNSID)
}

// SortLowers orders lower devices by name.
func SortLowers(ls []brcmlink.Lower) {
	slices.SortStableFunc(ls, func(a, b brcmlink.Lower) int { return cmp.Compare(a.Name, b.Name) })
}

// LowerOf returns the lower device of p among lowers, or nil when it is
// not there or in another namespace (its index then means another
// namespace's device).
func LowerOf(p brcmlink.Port, lowers []brcmlink.Lower) *brcmlink.Lower {
	if p.Lower == "" {
		return nil
	}
	for i := range lowers {
		if lowers[i].Index == p.LowerIndex {
			return &lowers[i]
		}
	}
	return nil
}

// Title names a port as ip does a stacked device: eth0.p5@eth0, or
// eth0.p5@if2 when its lower device is in another namespace.
func Title(p brcmlink.Port) string {
	switch {
	case p.Lower != "":
		return p.Name + "@" + p.Lower
	case p.LowerIndex != 0:
		return p.Name + "@if" + strconv.Itoa(p.LowerIndex)
	}
	return p.Name
}

// columns are the widths that align the lines of several ports.
type columns struct{ title, port, queue int }

func widths(ps []brcmlink.Port) columns {
	var c columns
	for _, p := range ps {
		c.title = max(c.title, len(Title(p)))
		c.port = max(c.port, len(strconv.Itoa(int(p.Port))))
		c.queue = max(c.queue, len(Queue(p)))
	}
	return c
}

// line is the one line show prints for p: "eth0.p5@eth0  port 5  queue 0  UP".
func line(p brcmlink.Port, c columns, color *Palette) string {
	return fmt.Sprintf("%s  port %-*d  queue %-*s  %s", color.name(fmt.Sprintf("%-*s", c.title, Title(p))),
		c.port, p.Port, c.queue, Queue(p), color.state(p.OperState, p.OperState.String()))
}

// Queue is the queue of p as show prints it: its number, or priority
// when p takes each frame's queue from its priority.
func Queue(p brcmlink.Port) string {
	if p.QueueFromPriority {
		return "priority"
	}
	return strconv.Itoa(int(p.Queue))
}

// Ports writes ports as show prints them, in their order, aligned; with
// v.Stats > 1 each with the counters of its lower among lowers.
func Ports(w io.Writer, ps []brcmlink.Port, lowers []brcmlink.Lower, v View) error {
	c := widths(ps)
	var b strings.Builder
	for _, p := range ps {
		if v.Brief {
			// ip -br's columns: name 16 wide, state 14.
			fmt.Fprintf(&b, "%s %s port %d\n", v.Color.name(fmt.Sprintf("%-16s", Title(p))),
				v.Color.state(p.OperState, fmt.Sprintf("%-14s", p.OperState)), p.Port)
			continue
		}
		port(&b, p, c, lowers, v)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// port writes one port's line and what v adds under it: on one line,
// with a \\ for each line's end but the last, for v.Oneline.
func port(out *strings.Builder, p brcmlink.Port, c columns, lowers []brcmlink.Lower, v View) {
	var b strings.Builder
	defer func() {
		s := b.String()
		if v.Oneline {
			s = strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\\") + "\n"
		}
		out.WriteString(s)
	}()
	b.WriteString(line(p, c, v.Color) + "\n")
	if v.Details {
		admin := "down"
		if p.Up {
			admin = "up"
		}
		fmt.Fprintf(&b, "    ifindex %d  mtu %d  tag-enforce %d  format %s", p.Index, p.MTU, p.TagEnforce, p.Format)
		if p.VLAN != 0 {
			fmt.Fprintf(&b, "  vlan %d", p.VLAN)
		}
		fmt.Fprintf(&b, "  admin %s  operstate %s  link-ifindex %d",
			admin, v.Color.state(p.OperState, p.OperState.String()), p.LowerIndex)
		if id := p.LowerNetNSID; id != nil {
			fmt.Fprintf(&b, "  link-netnsid %d", *id) // as ip -d link prints it
		}
		b.WriteString("\n")
	}
	if v.Stats > 0 && p.Stats != nil {
		s := p.Stats
		table(&b,
			row{"RX:", []string{"bytes", "packets", "errors", "dropped", "mcast"},
				[]uint64{s.RxBytes, s.RxPackets, s.RxErrors, s.RxDropped, s.RxMulticast}},
			row{"TX:", []string{"bytes", "packets", "errors", "dropped"},
				[]uint64{s.TxBytes, s.TxPackets, 0, s.TxDropped}}, // the module counts no transmit errors
		)
	}
	if v.Stats > 1 {
		if l := LowerOf(p, lowers); l != nil {
			table(&b, lowerRow("lower:", l))
		}
	}
}

// Lowers writes lower devices as stats prints them.
func Lowers(w io.Writer, ls []brcmlink.Lower, color *Palette) error {
	var b strings.Builder
	for i := range ls {
		l := &ls[i]
		fmt.Fprintf(&b, "lower %s  ifindex %d  ports %d  format %s\n", color.name(l.Name), l.Index, l.Ports, l.Format)
		table(&b, lowerRow("RX:", l))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func lowerRow(label string, l *brcmlink.Lower) row {
	s := l.Stats
	return row{label, []string{"tagged", "bad-length", "bad-opcode", "bad-port-id", "unknown-port"},
		[]uint64{s.RxTagged, s.RxBadLength, s.RxBadOpcode, s.RxBadPortID, s.RxUnknownPort}}
}

// Event writes one event of monitor: "[NEW] " and the port as show
// prints it.
func Event(w io.Writer, tag string, p brcmlink.Port, v View) error {
	var b strings.Builder
	b.WriteString("[" + tag + "] ")
	port(&b, p, widths([]brcmlink.Port{p}), nil, View{Details: v.Details, Stats: min(v.Stats, 1), Oneline: v.Oneline, Color: v.Color})
	_, err := io.WriteString(w, b.String())
	return err
}

// Lost writes monitor's line for lost events.
func Lost(w io.Writer, reason string) error {
	_, err := fmt.Fprintf(w, "[LOST] %s\n", reason)
	return err
}

// A row is a line of counters under their headings.
type row struct {
	label string
	heads []string
	vals  []uint64
}

// table writes rows as ip -s link does: each column as wide as its
// heading or its widest number, the first also holding the label (at
// least "RX errors:" wide, as in ip), numbers right-aligned under their
// headings.
func table(b *strings.Builder, rows ...row) {
	var w []int
	for _, r := range rows {
		for i, h := range r.heads {
			n := max(len(h), len(strconv.FormatUint(r.vals[i], 10)))
			if i == 0 {
				n = max(n, len(r.label)+1+len(h), len("RX errors:"))
			}
			if i == len(w) {
				w = append(w, 0)
			}
			w[i] = max(w[i], n)
		}
	}
	for _, r := range rows {
		b.WriteString("    " + r.label + " ")
		for i, h := range r.heads {
			n := w[i]
			if i == 0 {
				n -= len(r.label) + 1
			} else {
				b.WriteString(" ")
			}
			fmt.Fprintf(b, "%*s", n, h)
		}
		b.WriteString("\n    ")
		for i, v := range r.vals {
			if i > 0 {
				b.WriteString(" ")
			}
			fmt.Fprintf(b, "%*d", w[i], v)
		}
		b.WriteString("\n")
	}
}
