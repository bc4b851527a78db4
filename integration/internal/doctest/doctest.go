// SPDX-License-Identifier: MIT

// Package doctest finds the command examples of a Markdown document, and
// what it says they print, so that a test can run them on a kernel and
// the document cannot drift from the command.
//
// An example is a line of a fenced block (no language, sh or console)
// whose first word is brcmlink or source: a command alone, run for its
// exit status 0, or in a transcript, "$ command" followed by the lines it
// prints. A transcript's "$ echo $?" shows the status of the command
// before it. An HTML comment right before the fence,
//
//	<!-- doctest
//	each
//	during brcmlink add dev eth0 port 5
//	brcmlink add dev eth0 port 1
//	-->
//
// sets the block up: shell lines run before it, before each of its
// examples with "each" (alternatives, not a sequence), and "during"
// lines run while an example that waits (monitor) does. A comment
// "<!-- doctest define NAME" holds lines that "use NAME" stands for in
// the comments after it.
package doctest

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/brcmlink/brcmlink/cmd/brcmlink/grammar"
)

// Documents are the project's documents whose examples are run, by their
// path in the repository.
var Documents = []string{"README.md", "docs/cli.md"}

// A Block is a fenced block of examples.
type Block struct {
	Line   int      // of the opening fence, from 1
	Setup  []string // shell lines that set it up
	During []string // shell lines run while a waiting example does
	Each   bool     // each example on its own, after Setup
	Steps  []Step
}

// A Step is one example.
type Step struct {
	Line       int
	Command    string   // as a shell runs it
	Transcript bool     // written "$ command", with Output after it
	Output     []string // for a transcript: the lines it prints; "..." stands for any lines
}

// Status reports whether s is "echo $?", which prints the status of the
// step before it.
func (s Step) Status() bool { return s.Command == "echo $?" }

// Parse returns the blocks of examples in the Markdown text.
func Parse(text string) ([]Block, error) {
	lines := strings.Split(text, "\n")
	var blocks []Block
	var pending *Block // set up by a comment, waiting for its fence
	defined := map[string][]string{}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "<!-- doctest define "):
			name := strings.TrimPrefix(l, "<!-- doctest define ")
			for i++; i < len(lines) && lines[i] != "-->"; i++ {
				defined[name] = append(defined[name], lines[i])
			}
			if i == len(lines) {
				return nil, fmt.Errorf("line %d: doctest comment without its end", len(lines))
			}
		case strings.HasPrefix(l, "<!-- doctest"):
			b := &Block{}
			for i++; i < len(lines) && lines[i] != "-->"; i++ {
				d := lines[i]
				switch {
				case strings.HasPrefix(d, "use "):
					use, ok := defined[strings.TrimPrefix(d, "use ")]
					if !ok {
						return nil, fmt.Errorf("line %d: %s: not defined before", i+1, d)
					}
					b.Setup = append(b.Setup, use...)
				case d == "each":
					b.Each = true
				case strings.HasPrefix(d, "during "):
					b.During = append(b.During, strings.TrimPrefix(d, "during "))
				case strings.TrimSpace(d) != "":
					b.Setup = append(b.Setup, d)
				}
			}
			if i == len(lines) {
				return nil, fmt.Errorf("line %d: doctest comment without its end", len(lines))
			}
			pending = b
		case strings.HasPrefix(l, "```"):
			lang := strings.TrimPrefix(l, "```")
			start := i
			var body []string
			for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
				body = append(body, lines[i])
			}
			b, commented := pending, pending != nil
			pending = nil
			if !commented {
				b = &Block{}
			}
			if lang != "" && lang != "sh" && lang != "console" {
				if commented {
					return nil, fmt.Errorf("line %d: doctest comment before a %s block", start+1, lang)
				}
				continue
			}
			b.Line = start + 1
			b.Steps = steps(body, start+2)
			if len(b.Steps) > 0 {
				blocks = append(blocks, *b)
			} else if commented {
				return nil, fmt.Errorf("line %d: doctest comment before a block without examples", start+1)
			}
		case strings.TrimSpace(l) != "":
			if pending != nil {
				return nil, fmt.Errorf("line %d: doctest comment not right before a fence", i+1)
			}
		}
	}
	return blocks, nil
}

// steps are the examples among the lines of a block, the first being
// line number first.
func steps(body []string, first int) []Step {
	var ss []Step
	transcript := false
	for _, l := range body {
		if strings.HasPrefix(l, "$ ") {
			transcript = true
		}
	}
	for i, l := range body {
		switch {
		case transcript && strings.HasPrefix(l, "$ "):
			ss = append(ss, Step{Line: first + i, Command: l[2:], Transcript: true})
		case transcript && len(ss) > 0:
			ss[len(ss)-1].Output = append(ss[len(ss)-1].Output, l)
		case !transcript && isExample(l):
			ss = append(ss, Step{Line: first + i, Command: l})
		}
	}
	for i := range ss { // a blank line ends what a transcript shows
		for len(ss[i].Output) > 0 && strings.TrimSpace(ss[i].Output[len(ss[i].Output)-1]) == "" {
			ss[i].Output = ss[i].Output[:len(ss[i].Output)-1]
		}
	}
	return ss
}

// isExample reports whether a line of a block without transcripts is a
// command to run: not a synopsis ("brcmlink [ OPTIONS ] add ...").
func isExample(l string) bool {
	f := strings.Fields(l)
	return len(f) > 1 && (f[0] == "brcmlink" || f[0] == "source") && !strings.Contains(l, "[ OPTIONS ]")
}

// Shell is the shell a command is written for: the one it names, or
// bash.
func Shell(command string) string {
	for _, sh := range []string{"zsh", "fish"} {
		if regexp.MustCompile(`\b` + sh + `\b`).MatchString(command) {
			return sh
		}
	}
	return "bash"
}

// Match compares what a transcript's command printed with what the
// document shows, and returns what differs, or "". Blanks are compared
// as one blank (widths follow the names), and the numbers that differ
// from one machine to the next (ifindexes, netnsids, counters) as any
// number; "..." stands for any lines.
func Match(want []string, got string) string {
	g := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if got == "" {
		g = nil
	}
	if match(want, g) {
		return ""
	}
	return fmt.Sprintf("printed\n%s\nthe document shows\n%s", strings.Join(g, "\n"), strings.Join(want, "\n"))
}

func match(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if strings.TrimSpace(want[0]) == "..." {
		for i := 0; i <= len(got); i++ {
			if match(want[1:], got[i:]) {
				return true
			}
		}
		return false
	}
	return len(got) > 0 && Normal(want[0]) == Normal(got[0]) && match(want[1:], got[1:])
}

var (
	blanks   = regexp.MustCompile(`\s+`)
	indexes  = regexp.MustCompile(`\b(ifindex|link-ifindex|link-netnsid) [0-9]+|@if[0-9]+`)
	number   = regexp.MustCompile(`[0-9]+`)
	counters = regexp.MustCompile(`^[0-9 ]+$`)
)

// Normal is a line as Match compares it.
func Normal(l string) string {
	l = strings.TrimSpace(blanks.ReplaceAllString(l, " "))
	if counters.MatchString(l) {
		return number.ReplaceAllString(l, "N")
	}
	return indexes.ReplaceAllStringFunc(l, func(s string) string { return number.ReplaceAllString(s, "N") })
}

// CommandWords returns the command line of brcmlink in command, after
// the program name and its global options, up to a comment, redirection
// or pipe; nil when command does not run brcmlink itself.
func CommandWords(command string) []string {
	f := strings.Fields(command)
	if len(f) == 0 || f[0] != "brcmlink" {
		return nil
	}
	var words []string
	for i := 1; i < len(f); i++ {
		w := f[i]
		if strings.ContainsAny(w[:1], "#<>|") {
			break
		}
		if len(words) == 0 && strings.HasPrefix(w, "-") {
			if o := grammar.LookupOption(w); o != nil && o.Meta != "" && !strings.Contains(w, "=") {
				i++
			}
			continue
		}
		words = append(words, w)
	}
	if len(words) == 0 {
		words = []string{"show"}
	}
	return words
}
