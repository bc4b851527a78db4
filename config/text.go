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
			if len(words) != 2 && (len(words) != 4 || words[2].s != "format") {
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
		case "port":
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
		return p, &Error{at, "missing PORT after port"}
	}
	v, err := parseNumber(words[0].s, brcmlink.PortRange)
	if err != nil {
		return p, &Error{pos(words[0]), err.Error()}
	}
	p.Port = uint16(v)
	seen := map[string]bool{}
	for i := 1; i < len(words); i++ {
		w := words[i]
		key := w.s
		if key == "down" {
			key = "up" // one or the other
		}
		if seen[key] {
			return p, &Error{pos(w), fmt.Sprintf("%s given twice for port %d", w.s, p.Port)}
		}
		seen[key] = true
		switch w.s {
		case "up", "down":
			p.Up = new(w.s == "up")
			continue
		case "name", "queue", "tag-enforce", "format", "vlan":
		default:
			return p, &Error{pos(w), fmt.Sprintf("unknown keyword %q, expected one of: name, queue, tag-enforce, format, vlan, up, down", w.s)}
		}
		if i+1 == len(words) {
			return p, &Error{pos(w), fmt.Sprintf("missing value after %s", w.s)}
		}
		i++
		val := words[i]
		switch w.s {
		case "name":
			p.Name = val.s
		case "format":
			f, err := brcmlink.ParseFormat(val.s)
			if err != nil {
				return p, &Error{pos(val), message(err)}
			}
			p.Format = &f
		case "queue":
			if val.s == QueuePriority {
				p.QueueFromPriority = true
				break
			}
			fallthrough
		case "vlan", "tag-enforce":
			if w.s == "vlan" && val.s == VLANNone {
				break
			}
			r := map[string]brcmlink.Range{"queue": brcmlink.QueueRange, "tag-enforce": brcmlink.TagEnforceRange, "vlan": brcmlink.VLANRange}[w.s]
			v, err := parseNumber(val.s, r)
			if err != nil {
				return p, &Error{pos(val), err.Error()}
			}
			switch w.s {
			case "queue":
				p.Queue = uint8(v)
			case "vlan":
				p.VLAN = uint16(v)
			default:
				p.TagEnforce = uint8(v)
			}
		}
	}
	return p, nil
}

// The words that stand for a value, as the command takes them: queue
// priority, vlan none.
const (
	QueuePriority = "priority"
	VLANNone      = "none"
)

// parseNumber reads a number of r, or "any" for a port.
func parseNumber(s string, r brcmlink.Range) (uint64, error) {
	if s == "any" && r == brcmlink.PortRange {
		return 0, nil
	}
	v, err := r.ParseUint(s)
	var e *brcmlink.Error
	switch {
	case errors.As(err, &e):
		return 0, errors.New(message(err))
	case err != nil:
		return 0, fmt.Errorf("%s %q is not a number", r.What, s)
	}
	return v, nil
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
