// SPDX-License-Identifier: MIT

// Package config describes the brcm ports a board should have, and
// brings a system to them: Parse reads a description (docs/config.md),
// MakePlan compares it with the ports that exist and lists the steps
// between them, and Apply makes those steps, undoing them all if one
// fails. The brcmlink command's apply is built on it.
//
// A description owns the lower devices it names: afterwards exactly its
// ports exist on them, with its settings; ports on other lowers are not
// its business.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/brcmlink/brcmlink"
)

// Config is the ports a board should have, lower by lower.
type Config struct {
	Lowers []Lower
}

// Lower is a lower device the Config owns, and the ports it should have.
type Lower struct {
	Name string
	// Format is the tag format of the lower's ports as the lower's line
	// gives it; nil when it does not (TagFormat says which the ports
	// have).
	Format *brcmlink.Format
	Ports  []Port
	Pos    Pos // where the description names it
}

// TagFormat is the tag format l's ports should have, which they all
// share: the lower's, else the first that a port gives, else the
// kernel's default, FormatBCM53242. Check refuses a description where
// they disagree.
func (l Lower) TagFormat() brcmlink.Format {
	if l.Format != nil {
		return *l.Format
	}
	for _, p := range l.Ports {
		if p.Format != nil {
			return *p.Format
		}
	}
	return brcmlink.FormatBCM53242
}

// Port is a port as a Config wants it.
type Port struct {
	Port  uint16 // the switch port; 0 is "any"
	Name  string // the device's name; "" for the default, <lower>.p<port>
	Queue uint8
	// QueueFromPriority takes each frame's queue from its priority
	// instead of Queue, which then does not matter.
	QueueFromPriority bool
	TagEnforce        uint8
	// Format is the tag format as the port's line gives it, nil when it
	// does not: the lower's (Lower.TagFormat), which all its ports share.
	Format *brcmlink.Format
	VLAN   uint16 // the VLAN id inserted after the tag, 1-VLANMax; 0 for none
	// Up is the administrative state the port should have; nil leaves it
	// to whoever manages it (systemd-networkd, ifupdown): a port created
	// then starts down.
	Up  *bool
	Pos Pos
}

// DeviceName is the name p's device has on lower: its Name, or the
// default.
func (p Port) DeviceName(lower string) string {
	if p.Name != "" {
		return p.Name
	}
	return fmt.Sprintf("%s.p%d", lower, p.Port)
}

// Pos is a place in a description: its file, line and column, from 1.
type Pos struct {
	File         string
	Line, Column int
}

func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column) }

// from is p as an error at here names it: LINE:COLUMN in the same file,
// FILE:LINE:COLUMN in another.
func (p Pos) from(here Pos) string {
	if p.File == here.File {
		return fmt.Sprintf("%d:%d", p.Line, p.Column)
	}
	return p.String()
}

// Error is a description's mistake, at Pos.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// Parse reads the description in data, from the file named file (which
// only names it in errors): the text format of docs/config.md, or JSON
// of the same shape when its first non-blank byte is '{'. It checks all
// it can check without a system (Check); a mistake is an *Error.
func Parse(file string, data []byte) (*Config, error) {
	return ParseFiles([]File{{Name: file, Data: data}})
}

// A File is one file of a description: its name, which errors give, and
// its contents.
type File struct {
	Name string
	Data []byte
}

// ParseFiles reads the description that files make together, in their
// order: each is read as Parse reads one (text or JSON, each on its
// own), and the lowers of all of them are one description, checked
// whole, so that a lower, a switch port of a lower or a name given in
// two files is a mistake, at the second. No files describe no lower.
func ParseFiles(files []File) (*Config, error) {
	c := &Config{}
	for _, f := range files {
		var fc *Config
		var err error
		if t := bytes.TrimLeft(f.Data, " \t\r\n"); len(t) > 0 && t[0] == '{' {
			fc, err = parseJSON(f.Name, f.Data)
		} else {
			fc, err = parseText(f.Name, f.Data)
		}
		if err != nil {
			return nil, err
		}
		c.Lowers = append(c.Lowers, fc.Lowers...)
	}
	return c, c.Check()
}

// ReadDir reads the files of the description in the directory dir, for
// ParseFiles: those whose names end in ".conf", in name order, but for
// hidden ones (whose names start with ".") and what is no regular file
// (a subdirectory); a symbolic link counts as what it points to. Each
// File is named dir/NAME. An error is the *os.PathError of the directory
// or file that could not be read.
func ReadDir(dir string) ([]File, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []File
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".conf") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		name := filepath.Join(dir, e.Name())
		fi, err := os.Stat(name)
		if err != nil {
			return nil, err
		}
		if !fi.Mode().IsRegular() {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		files = append(files, File{Name: name, Data: data})
	}
	return files, nil
}

// Only returns the part of c that describes the lower named lower, to
// plan and apply that lower alone (a device that appeared, say), or nil
// if c does not name it. Its plan leaves the other lowers of c alone: a
// name one of their ports has is taken, as if c did not own them.
func (c *Config) Only(lower string) *Config {
	for _, l := range c.Lowers {
		if l.Name == lower {
			return &Config{Lowers: []Lower{l}}
		}
	}
	return nil
}

// Check refuses what no system would take: a lower or a name twice, the
// same switch port twice on a lower, values out of range, names the kernel
// refuses.
func (c *Config) Check() error {
	lowers := map[string]Pos{}
	names := map[string]Pos{}
	for _, l := range c.Lowers {
		if err := brcmlink.CheckName("lower device", l.Name); err != nil {
			return &Error{l.Pos, message(err)}
		}
		if !brcmlink.ValidDeviceName(l.Name) {
			return &Error{l.Pos, fmt.Sprintf("lower device name %q is not one the kernel takes", l.Name)}
		}
		if p, ok := lowers[l.Name]; ok {
			return &Error{l.Pos, fmt.Sprintf("lower %s is described twice: first at %s", l.Name, p.from(l.Pos))}
		}
		lowers[l.Name] = l.Pos
		if err := checkFormats(l); err != nil {
			return err
		}
		ports := map[uint16]Pos{}
		for _, p := range l.Ports {
			for _, r := range []struct {
				r brcmlink.Range
				v uint64
			}{{brcmlink.PortRange, uint64(p.Port)}, {brcmlink.QueueRange, uint64(p.Queue)}, {brcmlink.TagEnforceRange, uint64(p.TagEnforce)}, {brcmlink.VLANRange, uint64(p.VLAN)}} {
				if err := r.r.Check(r.v); err != nil {
					return &Error{p.Pos, message(err)}
				}
			}
			if p.QueueFromPriority && p.Queue != 0 {
				return &Error{p.Pos, fmt.Sprintf("port %d takes its queue from the priority and queue %d: give one or the other", p.Port, p.Queue)}
			}
			if q, ok := ports[p.Port]; ok {
				return &Error{p.Pos, fmt.Sprintf("port %d of %s is described twice: first at %s", p.Port, l.Name, q.from(p.Pos))}
			}
			ports[p.Port] = p.Pos
			name := p.DeviceName(l.Name)
			if err := brcmlink.CheckName("device", p.Name); err != nil {
				return &Error{p.Pos, message(err)}
			}
			if !brcmlink.ValidDeviceName(name) {
				if p.Name == "" {
					return &Error{p.Pos, fmt.Sprintf("default name %s is longer than 15 bytes: give a name", name)}
				}
				return &Error{p.Pos, fmt.Sprintf("name %q is not one the kernel takes: 1-15 bytes, no blank, '/' or ':'", name)}
			}
			if q, ok := names[name]; ok {
				return &Error{p.Pos, fmt.Sprintf("name %s is given twice: first at %s", name, q.from(p.Pos))}
			}
			names[name] = p.Pos
		}
	}
	for _, l := range c.Lowers {
		if q, ok := names[l.Name]; ok {
			return &Error{q, fmt.Sprintf("name %s is that of the lower at %s", l.Name, l.Pos.from(q))}
		}
	}
	return nil
}

// checkFormats refuses a lower whose ports are given tag formats that
// differ: all its ports share one. It names the lower and the two ports,
// or the lower's own format and the port.
func checkFormats(l Lower) error {
	var first *Port // the first port that gives a format
	for i := range l.Ports {
		p := &l.Ports[i]
		if err := p.formatCheck(); err != nil {
			return err
		}
		switch {
		case p.Format == nil:
		case l.Format != nil && *p.Format != *l.Format:
			return &Error{p.Pos, fmt.Sprintf("port %d has format %s, but lower %s (at %s) has %s: the ports of a lower share its format",
				p.Port, p.Format, l.Name, l.Pos.from(p.Pos), l.Format)}
		case first != nil && *p.Format != *first.Format:
			return &Error{p.Pos, fmt.Sprintf("port %d has format %s, but port %d (at %s) has %s: the ports of lower %s share one format",
				p.Port, p.Format, first.Port, first.Pos.from(p.Pos), first.Format, l.Name)}
		case first == nil:
			first = p
		}
	}
	if l.Format != nil {
		if err := l.Format.Check(); err != nil {
			return &Error{l.Pos, message(err)}
		}
	}
	return nil
}

// formatCheck refuses a format the kernel does not know (a Config made
// by a program: Parse takes only names).
func (p *Port) formatCheck() error {
	if p.Format != nil {
		if err := p.Format.Check(); err != nil {
			return &Error{p.Pos, message(err)}
		}
	}
	return nil
}

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

// message is the words of a check's *brcmlink.Error, without its errno.
func message(err error) string {
	var e *brcmlink.Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return err.Error()
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

// The JSON form: {"lowers": [{"name": ..., "ports": [{"port": ...}]}]}.
type jsonPort struct {
	Port              json.RawMessage `json:"port"` // a number, or "any"
	Name              string          `json:"name,omitempty"`
	Queue             uint8           `json:"queue,omitempty"`
	QueueFromPriority bool            `json:"queue_from_priority,omitempty"`
	TagEnforce        uint8           `json:"tag_enforce,omitempty"`
	Format            *string         `json:"format,omitempty"` // a name, as ParseFormat takes it
	VLAN              uint16          `json:"vlan,omitempty"`
	Up                *bool           `json:"up,omitempty"`
}

// parseJSON reads the JSON form, keeping where each lower and port
// starts for the errors of Check.
func parseJSON(file string, data []byte) (*Config, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	at := func(off int64) Pos {
		line := bytes.Count(data[:off], []byte("\n")) + 1
		col := int(off) - bytes.LastIndexByte(data[:off], '\n')
		return Pos{file, line, col}
	}
	fail := func(off int64, err error) error {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		return &Error{at(off), jsonMessage(err)}
	}
	c := &Config{}
	// The object's keys, then each lower's, each walked by hand so that
	// every lower and port knows where it starts.
	err := object(d, func(key string) error {
		if key != "lowers" {
			return fmt.Errorf("unknown key %q, expected lowers", key)
		}
		return array(d, func() error {
			l := Lower{}
			start := d.InputOffset()
			err := object(d, func(key string) error {
				switch key {
				case "name":
					return d.Decode(&l.Name)
				case "format":
					var name string
					if err := d.Decode(&name); err != nil {
						return err
					}
					f, err := brcmlink.ParseFormat(name)
					if err != nil {
						return errors.New(message(err))
					}
					l.Format = &f
					return nil
				case "ports":
					return array(d, func() error {
						off := d.InputOffset()
						var jp jsonPort
						if err := d.Decode(&jp); err != nil {
							return &Error{at(skipBlank(data, off)), jsonMessage(err)}
						}
						p, err := jp.port()
						if err != nil {
							return &Error{at(skipBlank(data, off)), err.Error()}
						}
						p.Pos = at(skipBlank(data, off))
						l.Ports = append(l.Ports, p)
						return nil
					})
				}
				return fmt.Errorf("unknown key %q, expected name, format or ports", key)
			})
			l.Pos = at(skipBlank(data, start))
			c.Lowers = append(c.Lowers, l)
			return err
		})
	})
	if err == nil {
		if _, e := d.Token(); e != io.EOF {
			err = errors.New("more after the object")
		}
	}
	var ce *Error
	switch {
	case errors.As(err, &ce):
		return nil, ce
	case err != nil:
		return nil, fail(d.InputOffset(), err)
	}
	return c, nil
}

// jsonMessage says what is wrong with a value without Go's words.
func jsonMessage(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		want := "a string"
		if k := te.Type.Kind(); k >= reflect.Int && k <= reflect.Float64 {
			want = "a number"
		} else if k == reflect.Bool {
			want = "true or false"
		}
		return fmt.Sprintf("%s must be %s, not a %s", te.Field, want, te.Value)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// skipBlank returns the offset of the first non-blank byte from off,
// past a "," or ":" between values.
func skipBlank(data []byte, off int64) int64 {
	for off < int64(len(data)) && strings.IndexByte(" \t\r\n,:", data[off]) >= 0 {
		off++
	}
	return off
}

func (jp jsonPort) port() (Port, error) {
	p := Port{Name: jp.Name, Queue: jp.Queue, QueueFromPriority: jp.QueueFromPriority, TagEnforce: jp.TagEnforce, VLAN: jp.VLAN, Up: jp.Up}
	if jp.Format != nil {
		f, err := brcmlink.ParseFormat(*jp.Format)
		if err != nil {
			return p, errors.New(message(err))
		}
		p.Format = &f
	}
	var s string
	if err := json.Unmarshal(jp.Port, &s); err == nil {
		if s != "any" {
			return p, fmt.Errorf("port %q is neither a number nor \"any\"", s)
		}
		return p, nil
	}
	if len(jp.Port) == 0 {
		return p, errors.New("a port without its \"port\"")
	}
	v, err := parseNumber(string(jp.Port), brcmlink.PortRange)
	p.Port = uint16(v)
	return p, err
}

// object reads a JSON object, calling fn for each key with the decoder
// before its value.
func object(d *json.Decoder, fn func(key string) error) error {
	if err := delim(d, '{'); err != nil {
		return err
	}
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return err
		}
		if err := fn(t.(string)); err != nil {
			return err
		}
	}
	return delim(d, '}')
}

// array reads a JSON array, calling fn before each element.
func array(d *json.Decoder, fn func() error) error {
	if err := delim(d, '['); err != nil {
		return err
	}
	for d.More() {
		if err := fn(); err != nil {
			return err
		}
	}
	return delim(d, ']')
}

func delim(d *json.Decoder, want json.Delim) error {
	t, err := d.Token()
	if err != nil {
		return err
	}
	if t != want {
		return fmt.Errorf("want %q, found %v", want, t)
	}
	return nil
}

// JSON returns c in the JSON form, which Parse reads back to c.
func (c *Config) JSON() ([]byte, error) {
	type lower struct {
		Name   string     `json:"name"`
		Format *string    `json:"format,omitempty"`
		Ports  []jsonPort `json:"ports"`
	}
	name := func(f *brcmlink.Format) *string {
		if f == nil {
			return nil
		}
		return new(f.String())
	}
	out := struct {
		Lowers []lower `json:"lowers"`
	}{Lowers: []lower{}}
	for _, l := range c.Lowers {
		jl := lower{Name: l.Name, Format: name(l.Format), Ports: []jsonPort{}}
		for _, p := range l.Ports {
			jl.Ports = append(jl.Ports, jsonPort{
				Port: json.RawMessage(strconv.Itoa(int(p.Port))), Name: p.Name,
				Queue: p.Queue, QueueFromPriority: p.QueueFromPriority, TagEnforce: p.TagEnforce,
				Format: name(p.Format), VLAN: p.VLAN, Up: p.Up,
			})
		}
		out.Lowers = append(out.Lowers, jl)
	}
	return json.Marshal(out)
}

// FromPorts returns the Config that describes ports as they are, lower by
// lower in the order of lowers, each lower's ports by switch port; the
// ports of lowers not named are left out. Names that are the default are
// left out, so that Format prints them as the default, and so is a
// lower's tag format that is the default, FormatBCM53242. A port that
// takes its queue from the priority has queue 0: its fixed queue does not
// matter.
func FromPorts(ports []brcmlink.Port, lowers []string) *Config {
	c := &Config{}
	for _, lower := range lowers {
		l := Lower{Name: lower}
		for _, p := range ports {
			if p.Lower != lower {
				continue
			}
			if p.Format != brcmlink.FormatBCM53242 {
				l.Format = new(p.Format) // all its ports have the same
			}
			cp := Port{Port: p.Port, Name: p.Name, Queue: p.Queue, QueueFromPriority: p.QueueFromPriority,
				TagEnforce: p.TagEnforce, VLAN: p.VLAN, Up: new(p.Up)}
			if cp.QueueFromPriority {
				cp.Queue = 0
			}
			if cp.Name == (Port{Port: p.Port}).DeviceName(lower) {
				cp.Name = ""
			}
			l.Ports = append(l.Ports, cp)
		}
		slices.SortFunc(l.Ports, func(a, b Port) int { return int(a.Port) - int(b.Port) })
		c.Lowers = append(c.Lowers, l)
	}
	return c
}

// Format returns c in the text format, which Parse reads back to c.
func (c *Config) Format() string {
	var b strings.Builder
	for i, l := range c.Lowers {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "lower %s", l.Name)
		if l.Format != nil {
			fmt.Fprintf(&b, " format %s", l.Format)
		}
		b.WriteByte('\n')
		for _, p := range l.Ports {
			port := strconv.Itoa(int(p.Port))
			if p.Port == 0 {
				port = "any"
			}
			fmt.Fprintf(&b, "    port %s", port)
			if p.Name != "" {
				fmt.Fprintf(&b, " name %s", p.Name)
			}
			switch {
			case p.QueueFromPriority:
				fmt.Fprintf(&b, " queue %s", QueuePriority)
			case p.Queue != 0:
				fmt.Fprintf(&b, " queue %d", p.Queue)
			}
			if p.TagEnforce != 0 {
				fmt.Fprintf(&b, " tag-enforce %d", p.TagEnforce)
			}
			if p.Format != nil {
				fmt.Fprintf(&b, " format %s", p.Format)
			}
			if p.VLAN != 0 {
				fmt.Fprintf(&b, " vlan %d", p.VLAN)
			}
			if p.Up != nil {
				fmt.Fprintf(&b, " %s", map[bool]string{true: "up", false: "down"}[*p.Up])
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}
