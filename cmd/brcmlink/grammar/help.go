// SPDX-License-Identifier: MIT

package grammar

import (
	"fmt"
	"strings"
)

// style prints the words of a synopsis: plain for help, fonts for roff.
// sp is the space that must not break a line: in "tag-enforce T" and
// inside brackets, so that "[ queue Q ]" stays on one line.
type style struct {
	keyword, meta func(string) string
	// part is keyword for the rest of a word a keyword began, [etns] of
	// -n[etns]: roff must not hyphenate there.
	part func(string) string
	sp   string
}

func same(s string) string { return s }

var plain = style{keyword: same, meta: same, part: same, sp: " "}

// render writes n the way iproute2's usage does: { a | b } for a choice,
// [ a ] for what may be left out, [ a | b ] for an optional choice.
func render(n Node, s style) string {
	switch n.kind {
	case nodeArg:
		a := n.arg
		switch {
		case a.Keyword == "":
			return s.meta(a.Meta)
		case a.Meta == "":
			return s.keyword(a.Keyword)
		}
		return s.keyword(a.Keyword) + s.sp + s.meta(a.Meta)
	case nodeSeq:
		var parts []string
		for _, m := range n.nodes {
			if r := render(m, s); r != "" {
				parts = append(parts, r)
			}
		}
		return strings.Join(parts, " ")
	case nodeOpt:
		inner := n.nodes[0]
		if len(inner.nodes) == 1 && inner.nodes[0].kind == nodeAlt {
			return "[" + s.sp + alternatives(inner.nodes[0], s) + s.sp + "]"
		}
		return "[" + s.sp + render(inner, s) + s.sp + "]"
	case nodeAlt:
		return "{" + s.sp + alternatives(n, s) + s.sp + "}"
	}
	return ""
}

func alternatives(n Node, s style) string {
	parts := make([]string, len(n.nodes))
	for i, m := range n.nodes {
		parts[i] = render(m, s)
	}
	return strings.Join(parts, " | ")
}

// Synopsis is the syntax of c: "del { NAME | dev LOWER port PORT }".
func (c *Command) Synopsis() string { return c.synopsis(plain) }

func (c *Command) synopsis(s style) string {
	syn := s.keyword(c.Name)
	if r := render(c.Syntax, s); r != "" {
		syn += " " + r
	}
	return syn
}

// syntax writes o as iproute2's usage does: -j[son], -n[etns] NAME.
func (o *Option) syntax(s style) string {
	var syn string
	switch {
	case o.Short == "":
		syn = s.keyword("-" + o.Name)
	case strings.HasPrefix(o.Name, o.Short):
		syn = s.keyword("-"+o.Short) + "[" + s.part(o.Name[len(o.Short):]) + "]"
	default:
		syn = s.keyword("-"+o.Short) + " | " + s.keyword("-"+o.Name)
	}
	if o.Meta != "" {
		syn += s.sp + s.meta(o.Meta)
	}
	if len(o.Values) > 0 {
		syn += "[=" + o.values(s) + "]"
	}
	return syn
}

// values are the Values of o: {always|auto|never}.
func (o *Option) values(s style) string {
	vs := make([]string, len(o.Values))
	for i, v := range o.Values {
		vs[i] = s.part(v)
	}
	return "{" + strings.Join(vs, "|") + "}"
}

// optionsSyntax is the OPTIONS := { ... } of the usage: the options of a
// single command.
func optionsSyntax(s style) string {
	var parts []string
	for _, o := range Options {
		if !o.Batch {
			parts = append(parts, o.syntax(s))
		}
	}
	return "{" + s.sp + strings.Join(parts, " | ") + s.sp + "}"
}

// batchSynopsis is how batch mode is called.
func batchSynopsis(s style) string {
	return "[" + s.sp + s.meta("OPTIONS") + s.sp + "] " + s.keyword("-batch") + s.sp + s.meta("FILE") +
		" [" + s.sp + s.keyword("-force") + s.sp + "]"
}

// Usage is the help of the whole program.
func Usage() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: %s [ OPTIONS ] COMMAND\n", Program)
	fmt.Fprintf(&b, "       %s %s\n", Program, batchSynopsis(plain))
	for i, c := range Commands {
		lead, end := "                  | ", ""
		if i == 0 {
			lead = "where  COMMAND := { "
		}
		if i == len(Commands)-1 {
			end = " }"
		}
		fmt.Fprintf(&b, "%s%s%s\n", lead, c.Synopsis(), end)
	}
	for _, d := range Domains {
		fmt.Fprintf(&b, "       %s := %s\n", d.Meta, d.Domain)
	}
	fmt.Fprintf(&b, "       OPTIONS := %s\n", optionsSyntax(plain))
	b.WriteString("\nCommands:\n")
	for _, c := range Commands {
		fmt.Fprintf(&b, "  %-12s%s\n", c.Name, c.Summary)
	}
	b.WriteString("\nOptions:\n")
	for _, o := range Options {
		names := "-" + o.Name
		if o.Short != "" {
			names = "-" + o.Short + ", " + names
		} else {
			names = "    " + names
		}
		if o.Meta != "" {
			names += " " + o.Meta
		}
		if len(o.Values) > 0 {
			names += "[=WHEN]"
		}
		b.WriteString(hanging("  "+pad(names, 20), "                      ", o.Help))
	}
	b.WriteString("\n" + wrap(AbbrevText, "") + "\n")
	fmt.Fprintf(&b, "%q describes a command.\n", Program+" help COMMAND")
	return b.String()
}

// HelpText is the help of c.
func (c *Command) HelpText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: %s [ OPTIONS ] %s\n", Program, c.Synopsis())
	for i, d := range c.domains() {
		lead := "       "
		if i == 0 {
			lead = "where  "
		}
		fmt.Fprintf(&b, "%s%s := %s\n", lead, d.Meta, d.Domain)
	}
	b.WriteString("\n" + wrap(c.Help, "") + "\n")
	for _, a := range c.args {
		b.WriteString(hanging("  "+pad(a.usage(), 18), "                    ", a.Help))
	}
	if len(c.Examples) > 0 {
		b.WriteString("\nExamples:\n")
		for _, e := range c.Examples {
			fmt.Fprintf(&b, "  %s %s\n", Program, e.Line)
			b.WriteString(wrap(e.Text, "      "))
		}
	}
	return b.String()
}

// usage is how the argument reads in a list: "dev LOWER" or "NAME".
func (a *Arg) usage() string {
	return render(Node{kind: nodeArg, arg: a}, plain)
}

// domains are the Domains of the values c takes.
func (c *Command) domains() (ds []struct{ Meta, Domain string }) {
	for _, d := range Domains {
		for _, a := range c.args {
			if a.Meta == d.Meta {
				ds = append(ds, d)
				break
			}
		}
	}
	return ds
}

func pad(s string, n int) string {
	if len(s) < n {
		return s + strings.Repeat(" ", n-len(s))
	}
	return s + " "
}

// hanging writes text after first, wrapped, its further lines indented by
// indent; text goes on the next line if first is too long.
func hanging(first, indent, text string) string {
	if len(first) > len(indent) {
		return strings.TrimRight(first, " ") + "\n" + wrap(text, indent)
	}
	w := wrap(text, indent)
	return first + strings.TrimPrefix(w, indent)
}

// wrap fills text to 78 columns, each line starting with indent.
func wrap(text, indent string) string {
	const width = 78
	var b strings.Builder
	line := indent
	for _, w := range strings.Fields(text) {
		if len(line) > len(indent) && len(line)+1+len(w) > width {
			b.WriteString(line + "\n")
			line = indent
		}
		if len(line) > len(indent) {
			line += " "
		}
		line += w
	}
	if len(line) > len(indent) {
		b.WriteString(line + "\n")
	}
	return b.String()
}
