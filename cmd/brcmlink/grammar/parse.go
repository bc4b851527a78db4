// SPDX-License-Identifier: MIT

package grammar

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/config"
)

// UsageError is a command line the grammar refuses: exit status 1, and
// nothing was sent to the kernel.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// HelpError asks for the help of Command instead of running it: the
// command line held "help", -h or --help.
type HelpError struct{ Command *Command }

func (e *HelpError) Error() string { return e.Command.Name + ": help requested" }

// isHelp reports whether word asks for help wherever it stands.
func isHelp(word string) bool {
	switch word {
	case "help", "-h", "-help", "--help":
		return true
	}
	return false
}

// A Request is a parsed command line. Unset pointers were not given.
type Request struct {
	Command    *Command
	Name       string  // NAME: the port acted on; for add, the new port's name
	Lower      string  // dev LOWER
	Port       *uint16 // port PORT
	Queue      *uint8
	TagEnforce *uint8
	// QueueFromPriority is set by queue: true for "queue priority",
	// false for "queue Q", which set turns it off with.
	QueueFromPriority *bool
	Format            *brcmlink.Format // format FORMAT
	VLAN              *uint16          // vlan VLAN; 0 for none
	Up                *bool            // up, or down
	Shell             string
	Topic             *Command // help COMMAND
	File              string   // apply PATH
	Check             bool     // apply ... check
	Validate          bool     // apply ... validate
	All               bool     // del or set dev LOWER all
	Args              []string // the words of a Raw command
}

// Words returns the canonical command line of r, without the program
// name: what Parse turns back into r.
func (r *Request) Words() []string {
	w := []string{r.Command.Name}
	for _, a := range r.Command.args {
		switch a.Field {
		case FieldName:
			if r.Name != "" {
				w = append(w, r.Name)
			}
		case FieldNewName:
			if r.Name != "" {
				w = append(w, a.Keyword, r.Name)
			}
		case FieldLower:
			if r.Lower != "" {
				w = append(w, a.Keyword, r.Lower)
			}
		case FieldPort:
			if r.Port != nil {
				w = append(w, a.Keyword, strconv.Itoa(int(*r.Port)))
			}
		case FieldQueue:
			switch {
			case r.QueueFromPriority != nil && *r.QueueFromPriority:
				w = append(w, a.Keyword, config.QueuePriority)
			case r.Queue != nil:
				w = append(w, a.Keyword, strconv.Itoa(int(*r.Queue)))
			}
		case FieldFormat:
			if r.Format != nil {
				w = append(w, a.Keyword, r.Format.String())
			}
		case FieldVLAN:
			if r.VLAN != nil {
				w = append(w, a.Keyword, config.VLANString(*r.VLAN))
			}
		case FieldTagEnforce:
			if r.TagEnforce != nil {
				w = append(w, a.Keyword, strconv.Itoa(int(*r.TagEnforce)))
			}
		case FieldUp:
			if r.Up != nil && *r.Up {
				w = append(w, a.Keyword)
			}
		case FieldDown:
			if r.Up != nil && !*r.Up {
				w = append(w, a.Keyword)
			}
		case FieldShell:
			if r.Shell == a.Keyword {
				w = append(w, a.Keyword)
			}
		case FieldTopic:
			if r.Topic != nil {
				w = append(w, r.Topic.Name)
			}
		case FieldFile:
			if r.File != "" {
				w = append(w, r.File)
			}
		case FieldCheck:
			if r.Check {
				w = append(w, a.Keyword)
			}
		case FieldValidate:
			if r.Validate {
				w = append(w, a.Keyword)
			}
		case FieldAll:
			if r.All {
				w = append(w, a.Keyword)
			}
		}
	}
	return w
}

// Lookup returns the command that word names or abbreviates: any command,
// or in a batch file only those that work on ports.
func Lookup(word string, batch bool) (*Command, error) {
	if word == "" {
		return nil, usagef("empty command")
	}
	if !batch {
		for _, c := range Internal {
			if c.Name == word {
				return c, nil
			}
		}
	}
	var matches []*Command
	for _, c := range visible(batch) {
		for _, n := range c.names() {
			if n == word {
				return c, nil
			}
			if strings.HasPrefix(n, word) && !slices.Contains(matches, c) {
				matches = append(matches, c)
			}
		}
	}
	switch {
	case len(matches) == 1:
		return matches[0], nil
	case len(matches) > 1:
		if p, ok := Priority[word]; ok {
			for _, c := range matches {
				if c.Name == p {
					return c, nil
				}
			}
		}
		names := make([]string, len(matches))
		for i, c := range matches {
			names[i] = c.Name
		}
		return nil, usagef("%q is ambiguous: %s", word, strings.Join(names, ", "))
	}
	if batch {
		if c, err := Lookup(word, false); err == nil {
			return nil, usagef("%s is not allowed in a batch file", c.Name)
		}
	}
	if LookupOption(word) != nil {
		if batch {
			return nil, usagef("option %q is not allowed in a batch file: give it on the command line", word)
		}
		return nil, usagef("option %q must come before the command", word)
	}
	return nil, usagef("command %q is unknown, try %q", word, Program+" help")
}

// Parse parses a command line without the program name: a command and its
// arguments.
func Parse(words []string, batch bool) (*Request, error) {
	if len(words) == 0 {
		return nil, usagef("no command")
	}
	c, err := Lookup(words[0], batch)
	if err != nil {
		return nil, err
	}
	return c.Parse(words[1:])
}

// Parse parses the arguments of c.
func (c *Command) Parse(args []string) (*Request, error) {
	if c.Raw {
		return &Request{Command: c, Args: args}, nil
	}
	p := c.NewParser()
	for _, w := range args {
		if err := p.Feed(w); err != nil {
			return nil, err
		}
	}
	return p.Finish()
}

// A Parser reads the arguments of a command one word at a time, so that
// completion can ask it what may come next.
type Parser struct {
	req     Request
	given   map[*Arg]bool
	pending *Arg // a keyword waiting for its value
}

// NewParser starts parsing the arguments of c.
func (c *Command) NewParser() *Parser {
	return &Parser{req: Request{Command: c}, given: map[*Arg]bool{}}
}

// Feed reads the next word.
func (p *Parser) Feed(w string) error {
	if a := p.pending; a != nil {
		p.pending = nil
		return p.set(a, w)
	}
	if isHelp(w) {
		return &HelpError{Command: p.req.Command}
	}
	a, err := p.keyword(w)
	if err != nil {
		return err
	}
	if a == nil {
		if LookupOption(w) != nil { // not a port name, surely
			return usagef("option %q must come before the command", w)
		}
		if pa := p.req.Command.pos; pa != nil && p.valid(pa) {
			p.given[pa] = true
			return p.set(pa, w)
		}
		return p.unknown(w)
	}
	p.given[a] = true
	if a.Meta == "" {
		return p.set(a, "")
	}
	p.pending = a
	return nil
}

// keyword returns the keyword w names or abbreviates, or nil if w is no
// keyword of the command. A prefix must match exactly one keyword that
// may still come: neither given nor excluded by what was.
func (p *Parser) keyword(w string) (*Arg, error) {
	var exact *Arg
	var matches []*Arg
	for _, a := range p.req.Command.args {
		switch {
		case a.Keyword == "" || w == "":
		case a.Keyword == w:
			exact = a
		case strings.HasPrefix(a.Keyword, w):
			matches = append(matches, a)
		}
	}
	if exact != nil {
		return exact, p.check(exact)
	}
	var valid []*Arg
	for _, a := range matches {
		if p.valid(a) {
			valid = append(valid, a)
		}
	}
	switch {
	case len(valid) == 1:
		return valid[0], nil
	case len(valid) > 1:
		if k, ok := Priority[w]; ok {
			for _, a := range valid {
				if a.Keyword == k {
					return a, nil
				}
			}
		}
		names := make([]string, len(valid))
		for i, a := range valid {
			names[i] = a.Keyword
		}
		return nil, usagef("%q is ambiguous: %s", w, strings.Join(names, ", "))
	case len(matches) > 0:
		return nil, p.check(matches[0])
	}
	return nil, nil
}

// valid reports whether a may still come.
func (p *Parser) valid(a *Arg) bool { return p.check(a) == nil }

// check says why a may not come, if it may not.
func (p *Parser) check(a *Arg) error {
	if p.given[a] {
		return usagef("duplicate argument %s", a.label())
	}
	for _, x := range p.req.Command.excludes[a] {
		if p.given[x] {
			if x.Keyword == "" {
				return usagef("%s cannot be combined with %s %q", a.label(), x.Meta, p.req.Name)
			}
			return usagef("%s cannot be combined with %s", a.label(), x.label())
		}
	}
	return nil
}

// unknown refuses a word that is neither a keyword nor the positional
// argument.
func (p *Parser) unknown(w string) error {
	var valid []string
	for _, a := range p.req.Command.args {
		if a.Keyword != "" && p.valid(a) {
			valid = append(valid, a.Keyword)
		}
	}
	if len(valid) == 0 {
		return usagef("unexpected argument %q", w)
	}
	return usagef("unknown keyword %q, expected one of: %s", w, strings.Join(valid, ", "))
}

// set stores the value w of a.
func (p *Parser) set(a *Arg, w string) error {
	r := &p.req
	switch a.Field {
	case FieldName, FieldNewName, FieldLower:
		if w == "" {
			return usagef("argument %q is wrong: %s is empty", w, a.Meta)
		}
		what := "device"
		if a.Field == FieldLower {
			what = "lower device"
		}
		if err := CheckError(brcmlink.CheckName(what, w)); err != nil {
			return err
		}
		if !brcmlink.ValidDeviceName(w) {
			// iproute2's words; the kernel would answer EINVAL alone.
			return usagef("argument %q is wrong: %q not a valid ifname", w, cmp.Or(a.Keyword, a.Meta))
		}
		if a.Field == FieldLower {
			r.Lower = w
		} else {
			r.Name = w
		}
	case FieldPort:
		v, err := config.ParsePort(w)
		if err != nil {
			return valueError(err, w, a.Keyword)
		}
		r.Port = &v
	case FieldQueue:
		v, fromPriority, err := config.ParseQueue(w)
		if err != nil {
			return valueError(err, w, a.Keyword)
		}
		if fromPriority {
			r.QueueFromPriority = new(true)
			return nil
		}
		r.Queue = &v
		r.QueueFromPriority = new(false) // a fixed queue, for set again

	case FieldFormat:
		f, err := brcmlink.ParseFormat(w)
		if err != nil {
			return CheckError(err)
		}
		r.Format = &f
	case FieldVLAN:
		v, err := config.ParseVLAN(w)
		if err != nil {
			return valueError(err, w, a.Keyword)
		}
		r.VLAN = &v
	case FieldTagEnforce:
		v, err := config.ParseTagEnforce(w)
		if err != nil {
			return valueError(err, w, a.Keyword)
		}
		r.TagEnforce = &v
	case FieldUp, FieldDown:
		up := a.Field == FieldUp
		r.Up = &up
	case FieldShell:
		r.Shell = a.Keyword
	case FieldTopic:
		c, err := Lookup(w, false)
		if err != nil {
			return err
		}
		r.Topic = c
	case FieldFile:
		if w == "" {
			return usagef("argument %q is wrong: %s is empty", w, a.Meta)
		}
		r.File = w
	case FieldCheck:
		r.Check = true
	case FieldValidate:
		r.Validate = true
	case FieldAll:
		r.All = true
	}
	return nil
}

// valueError is the usage error of the value w of the keyword what that
// config's parser refused: no number, or out of range in the kernel's
// words, even a number too big for the attribute.
func valueError(err error, w, what string) error {
	if ne := (*strconv.NumError)(nil); errors.As(err, &ne) {
		return usagef("argument %q is wrong: %s is not a number", w, what)
	}
	return CheckError(err)
}

// CheckError turns a failed check of the kernel's into a usage error,
// keeping the kernel's wording.
func CheckError(err error) error {
	var e *brcmlink.Error
	if errors.As(err, &e) {
		return &UsageError{Msg: e.Message}
	}
	return err
}

// Finish checks that every argument the command needs was given, and
// returns the request.
func (p *Parser) Finish() (*Request, error) {
	if a := p.pending; a != nil {
		return nil, usagef("missing %s after %q", a.Meta, a.Keyword)
	}
	if err := p.complete(p.req.Command.Syntax, true); err != nil {
		return nil, err
	}
	r := p.req
	return &r, nil
}

// complete checks n, which must be whole if need.
func (p *Parser) complete(n Node, need bool) error {
	switch n.kind {
	case nodeArg:
		if !p.given[n.arg] && need {
			if n.arg.Keyword == "" {
				return usagef("not enough information: %s is required", n.arg.Meta)
			}
			return usagef("not enough information: %q argument is required", n.arg.Keyword)
		}
	case nodeSeq:
		for _, m := range n.nodes {
			if err := p.complete(m, need); err != nil {
				return err
			}
		}
	case nodeOpt:
		if p.touched(n) {
			return p.complete(n.nodes[0], true)
		}
	case nodeAlt:
		for _, m := range n.nodes {
			if p.touched(m) {
				return p.complete(m, true)
			}
		}
		if need {
			alts := make([]string, len(n.nodes))
			for i, m := range n.nodes {
				alts[i] = render(m, plain)
			}
			return usagef("not enough information: give %s or %s", strings.Join(alts[:len(alts)-1], ", "), alts[len(alts)-1])
		}
	}
	return nil
}

// touched reports whether any argument of n was given.
func (p *Parser) touched(n Node) bool {
	for _, a := range argsOf(n) {
		if p.given[a] {
			return true
		}
	}
	return false
}

// SplitLine splits a line of a batch file into words as iproute2 does: at
// blanks, keeping what is between quotes together; a word that starts
// with # starts a comment.
func SplitLine(line string) ([]string, error) {
	var words []string
	i := 0
	for {
		for i < len(line) && isBlank(line[i]) {
			i++
		}
		if i == len(line) || line[i] == '#' {
			return words, nil
		}
		if q := line[i]; q == '"' || q == '\'' {
			end := strings.IndexByte(line[i+1:], q)
			if end < 0 {
				return nil, usagef("unterminated quoted string")
			}
			words = append(words, line[i+1:i+1+end])
			i += end + 2
			if i < len(line) && !isBlank(line[i]) {
				return nil, usagef("quoted string not followed by a blank")
			}
			continue
		}
		start := i
		for i < len(line) && !isBlank(line[i]) {
			i++
		}
		words = append(words, line[start:i])
	}
}

func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'
}
