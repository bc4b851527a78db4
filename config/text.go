// SPDX-License-Identifier: MIT

package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/brcmlink/brcmlink"
)

// parseText reads the text format: "lower NAME [format FORMAT]" lines,
// each followed by the "port PORT [name NAME] [queue Q|priority]
// [tag-enforce T] [format FORMAT] [vlan VLAN|none] [up|down]" lines of
// its ports; "#" starts a comment.
func parseText(file string, data []byte) (*Config, error) {
	c := &Config{}
	for i, line := range strings.Split(string(data), "\n") {
		words := fields(line)
		if len(words) == 0 {
			continue
		}
		pos := func(w word) Pos { return Pos{file, i + 1, w.col} }
		switch words[0].s {
		case "lower":
			if len(words) != 2 && (len(words) != 4 || words[2].s != KeyFormat) {
				return nil, &Error{pos(words[0]), "want: lower NAME [format FORMAT]"}
			}
			l := Lower{Name: words[1].s, Pos: pos(words[1])}
			if len(words) == 4 {
				f, err := brcmlink.ParseFormat(words[3].s)
				if err != nil {
					return nil, &Error{pos(words[3]), message(err)}
				}
				l.Format = &f
			}
			c.Lowers = append(c.Lowers, l)
		case KeyPort:
			if len(c.Lowers) == 0 {
				return nil, &Error{pos(words[0]), "port before any lower: start with lower NAME"}
			}
			p, err := parsePort(words[1:], pos, pos(words[0]))
			if err != nil {
				return nil, err
			}
			l := &c.Lowers[len(c.Lowers)-1]
			l.Ports = append(l.Ports, p)
		default:
			return nil, &Error{pos(words[0]), fmt.Sprintf("unknown keyword %q, expected lower or port", words[0].s)}
		}
	}
	return c, nil
}

// parsePort reads the words after "port".
func parsePort(words []word, pos func(word) Pos, at Pos) (Port, error) {
	p := Port{Pos: at}
	if len(words) == 0 {
		return p, &Error{at, "missing PORT after " + KeyPort}
	}
	v, err := ParsePort(words[0].s)
	if err != nil {
		return p, &Error{pos(words[0]), valueMessage(err, words[0].s, brcmlink.PortRange)}
	}
	p.Port = v
	seen := map[string]bool{}
	for i := 1; i < len(words); i++ {
		w := words[i]
		key := w.s
		if key == KeyDown {
			key = KeyUp // one or the other
		}
		if seen[key] {
			return p, &Error{pos(w), fmt.Sprintf("%s given twice for port %d", w.s, p.Port)}
		}
		seen[key] = true
		switch w.s {
		case KeyUp, KeyDown:
			p.Up = new(w.s == KeyUp)
			continue
		case KeyName, KeyQueue, KeyTagEnforce, KeyFormat, KeyVLAN:
		default:
			return p, &Error{pos(w), fmt.Sprintf("unknown keyword %q, expected one of: %s", w.s, strings.Join(portKeys, ", "))}
		}
		if i+1 == len(words) {
			return p, &Error{pos(w), fmt.Sprintf("missing value after %s", w.s)}
		}
		i++
		val := words[i]
		var r brcmlink.Range // the range of a number that fails
		var err error
		switch w.s {
		case KeyName:
			p.Name = val.s
		case KeyFormat:
			f, err := brcmlink.ParseFormat(val.s)
			if err != nil {
				return p, &Error{pos(val), message(err)}
			}
			p.Format = &f
		case KeyQueue:
			r = brcmlink.QueueRange
			p.Queue, p.QueueFromPriority, err = ParseQueue(val.s)
		case KeyTagEnforce:
			r = brcmlink.TagEnforceRange
			p.TagEnforce, err = ParseTagEnforce(val.s)
		case KeyVLAN:
			r = brcmlink.VLANRange
			p.VLAN, err = ParseVLAN(val.s)
		}
		if err != nil {
			return p, &Error{pos(val), valueMessage(err, val.s, r)}
		}
	}
	return p, nil
}

// valueMessage is the words of the error of a value s of r that did not
// parse: the check's, or that it is no number.
func valueMessage(err error, s string, r brcmlink.Range) string {
	var e *brcmlink.Error
	if errors.As(err, &e) {
		return message(err)
	}
	return fmt.Sprintf("%s %q is not a number", r.What, s)
}

// word is a word of a line and its column, from 1.
type word struct {
	s   string
	col int
}

// fields splits a line at blanks, up to a "#" that starts a word.
func fields(line string) []word {
	var ws []word
	for i := 0; i < len(line); {
		if line[i] == ' ' || line[i] == '\t' || line[i] == '\r' {
			i++
			continue
		}
		if line[i] == '#' {
			break
		}
		j := i
		for j < len(line) && line[j] != ' ' && line[j] != '\t' && line[j] != '\r' {
			j++
		}
		ws = append(ws, word{line[i:j], i + 1})
		i = j
	}
	return ws
}
