// SPDX-License-Identifier: MIT

package grammar

import (
	"fmt"
	"strings"

	"github.com/brcmlink/brcmlink"
)

// roff prints a synopsis in the fonts of man pages: keywords bold,
// placeholders italic, neither hyphenated. \% starts a word that is not
// to be hyphenated; inside one it would say where it may be.
var roff = style{
	keyword: func(s string) string { return `\fB\%` + escape(s) + `\fR` },
	meta:    func(s string) string { return `\fI\%` + escape(s) + `\fR` },
	part:    func(s string) string { return `\fB` + escape(s) + `\fR` },
	sp:      `\ `,
}

// escape makes s plain text for roff: backslashes and hyphens (which
// would otherwise print as hyphens, not as the minus signs options need).
func escape(s string) string {
	return strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
}

// text escapes a paragraph, and keeps a line that starts with a dot or
// an apostrophe from being read as a request.
func text(s string) string {
	s = escape(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// ManDate is the man page's date: that of the last change of its text,
// set by hand, so that the same table always makes the same page.
const ManDate = "2026-12-06"

// Man is the man page, brcmlink(8), in roff, with the version of
// brcmlink.Version.
func Man() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	prog := roff.keyword(Program)
	opts := "[" + roff.sp + roff.meta("OPTIONS") + roff.sp + "]"

	p(`.TH %s 8 "%s" "%s %s" "System Manager's Manual"`, strings.ToUpper(Program), ManDate, Program, brcmlink.Version)
	p(".nh") // keywords and device names read wrong hyphenated
	p(".SH NAME")
	p(`%s \- %s`, Program, text(Summary))

	p(".SH SYNOPSIS")
	p(".ad l\n.in +9n")
	for _, c := range Commands {
		p(".ti -9n\n%s %s %s\n.br", prog, opts, c.synopsis(roff))
	}
	p(".ti -9n\n%s %s", prog, batchSynopsis(roff))
	p(".sp")
	for _, d := range Domains {
		p(".ti -9n\n%s := %s\n.br", roff.meta(d.Meta), escape(d.Domain))
	}
	p(".ti -9n\n%s := %s", roff.meta("OPTIONS"), optionsSyntax(roff))
	p(".in\n.ad")

	p(".SH DESCRIPTION")
	p("%s", text(DescriptionText))

	p(".SH OPTIONS")
	for _, o := range Options {
		names := make([]string, 0, 2)
		if o.Short != "" {
			names = append(names, roff.keyword("-"+o.Short))
		}
		names = append(names, roff.keyword("-"+o.Name))
		head := strings.Join(names, ", ")
		if o.Meta != "" {
			head += " " + roff.meta(o.Meta)
		}
		if len(o.Values) > 0 {
			head += "[=" + o.values(roff) + "]"
		}
		p(".TP\n%s\n%s", head, text(upper(o.Help)+"."))
	}
	p(".PP")
	p("Options may also start with two hyphens: %s.", roff.keyword("--json"))

	p(".SH COMMANDS")
	for _, c := range Commands {
		p(".SS %s", escape(c.Name))
		p("%s %s %s", prog, opts, c.synopsis(roff))
		if len(c.Aliases) > 0 {
			p(".br\n%s may also be written %s.", roff.keyword(c.Name), roff.keyword(strings.Join(c.Aliases, ", ")))
		}
		p(".PP\n%s", text(c.Help))
		for _, a := range c.args {
			p(".TP\n%s\n%s", render(Node{kind: nodeArg, arg: a}, roff), text(upper(a.Help)+"."))
		}
	}

	p(".SH ABBREVIATIONS")
	p("%s", text(AbbrevText))

	p(".SH BATCH MODE")
	p("%s", text(BatchText))

	p(".SH OUTPUT")
	for i, para := range OutputText {
		if i > 0 {
			p(".PP")
		}
		p("%s", text(para))
	}

	p(".SH EXIT STATUS")
	for _, e := range ExitText {
		p(".TP\n%s\n%s", roff.keyword(e.Status), text(e.Text))
	}

	p(".SH FILES")
	for _, f := range FilesText {
		p(".TP\n%s\n%s", roff.meta(f.Path), text(f.Text))
	}

	p(".SH ENVIRONMENT")
	for _, v := range EnvironmentText {
		p(".TP\n%s\n%s", roff.meta(v.Name), text(v.Text))
	}

	p(".SH EXAMPLES")
	for _, c := range Commands {
		for _, e := range c.Examples {
			p(".PP\n%s %s\n.RS 4\n%s\n.RE", prog, roff.keyword(e.Line), text(e.Text))
		}
	}

	p(".SH SEE ALSO")
	for i, s := range SeeAlso {
		name, sec, _ := strings.Cut(strings.TrimSuffix(s, ")"), "(")
		sep := ","
		if i == len(SeeAlso)-1 {
			sep = ""
		}
		p(".BR %s (%s)%s", escape(name), sec, sep)
	}
	return b.String()
}

// upper capitalises the first letter of s, for a sentence.
func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
