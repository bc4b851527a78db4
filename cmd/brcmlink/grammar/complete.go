// SPDX-License-Identifier: MIT

package grammar

import (
	"strconv"
	"strings"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/config"
)

// A Candidate is a word that completion offers, with what it means.
type Candidate struct {
	Word, Help string
}

// Sources list the names that completion offers from the system. Any of
// them may be nil.
type Sources struct {
	Lowers func(netns string) []string // lower devices of a network namespace ("" for this one), for dev LOWER
	Ports  func(netns string) []string // brcm ports of a network namespace ("" for this one)
	NetNS  func() []string             // named network namespaces, for -netns
}

// Completion is what may replace the word being completed.
type Completion struct {
	Candidates []Candidate
	Files      bool // a file name: the shell completes it
}

// Complete returns what may replace the last of words, the command line
// after the program name up to the cursor. It runs the parser on the
// words before, so that it offers exactly what the parser would take.
func Complete(words []string, src Sources) Completion {
	if len(words) == 0 {
		words = []string{""}
	}
	cur, before := words[len(words)-1], words[:len(words)-1]
	var netns string
	batch := false
	i := 0
	for i < len(before) && len(before[i]) > 1 && before[i][0] == '-' {
		w := before[i]
		i++
		o := LookupOption(w)
		if o == nil || o.Meta == "" || strings.Contains(w, "=") {
			continue
		}
		if i == len(before) { // cur is the option's value
			switch o.Name {
			case "netns":
				return offer(cur, words0(src.NetNS))
			case "batch":
				return Completion{Files: true}
			}
			return Completion{}
		}
		switch o.Name {
		case "netns":
			netns = before[i]
		case "batch":
			batch = true
		}
		i++
	}
	if i == len(before) {
		if strings.HasPrefix(cur, "-") || batch {
			return options(cur)
		}
		return commands(cur)
	}
	c, err := Lookup(before[i], false)
	if err != nil {
		return Completion{}
	}
	p := c.NewParser()
	for _, w := range before[i+1:] {
		if p.Feed(w) != nil {
			return Completion{}
		}
	}
	return p.next(cur, src, netns)
}

// next is what may come after the words the parser read.
func (p *Parser) next(cur string, src Sources, netns string) Completion {
	if a := p.pending; a != nil {
		return values(a, cur, src, netns)
	}
	var cs Completion
	if a := p.req.Command.pos; a != nil && p.valid(a) {
		cs = values(a, cur, src, netns)
	}
	for _, a := range p.req.Command.args {
		if a.Keyword != "" && p.valid(a) && strings.HasPrefix(a.Keyword, cur) {
			cs.Candidates = append(cs.Candidates, Candidate{a.Keyword, a.Help})
		}
	}
	return cs
}

// values are what the value of a may be.
func values(a *Arg, cur string, src Sources, netns string) Completion {
	switch a.Field {
	case FieldLower:
		var lowers []string
		if src.Lowers != nil {
			lowers = src.Lowers(netns)
		}
		return offer(cur, lowers)
	case FieldName:
		var ports []string
		if src.Ports != nil {
			ports = src.Ports(netns)
		}
		return offer(cur, ports)
	case FieldPort:
		return offer(cur, append([]string{config.PortAny}, upTo(brcmlink.PortMax)...))
	case FieldQueue:
		return offer(cur, append(upTo(brcmlink.QueueMax), config.QueuePriority))
	case FieldFormat:
		return offer(cur, FormatNames())
	case FieldVLAN:
		return offer(cur, []string{config.VLANNone}) // ids are too many to list
	case FieldTagEnforce:
		return offer(cur, upTo(brcmlink.TagEnforceMax))
	case FieldTopic:
		return commands(cur)
	case FieldFile:
		return Completion{Files: true}
	}
	return Completion{}
}

func commands(cur string) Completion {
	var cs Completion
	for _, c := range Commands {
		if strings.HasPrefix(c.Name, cur) {
			cs.Candidates = append(cs.Candidates, Candidate{c.Name, c.Summary})
		}
	}
	return cs
}

// options offers the long names of the options, with as many dashes as
// cur has.
func options(cur string) Completion {
	dashes := "-"
	if strings.HasPrefix(cur, "--") {
		dashes = "--"
	}
	var cs Completion
	for _, o := range Options {
		if w := dashes + o.Name; strings.HasPrefix(w, cur) {
			cs.Candidates = append(cs.Candidates, Candidate{w, o.Help})
		}
	}
	return cs
}

func offer(cur string, words []string) Completion {
	var cs Completion
	for _, w := range words {
		if strings.HasPrefix(w, cur) {
			cs.Candidates = append(cs.Candidates, Candidate{Word: w})
		}
	}
	return cs
}

// words0 calls f, if there is one.
func words0(f func() []string) []string {
	if f == nil {
		return nil
	}
	return f()
}

// upTo returns "0" to limit.
func upTo(limit int) []string {
	s := make([]string, limit+1)
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return s
}
