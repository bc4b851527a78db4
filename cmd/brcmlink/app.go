// SPDX-License-Identifier: MIT

package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/cmd/brcmlink/format"
	"github.com/brcmlink/brcmlink/cmd/brcmlink/grammar"
	"github.com/brcmlink/brcmlink/genl"
	"github.com/urfave/cli/v2"
)

// env is what a run of brcmlink works with; tests give their own.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	dial           Dialer
	links          LinksDialer           // rtnetlink, for apply
	lockPath       string                // the lock two applies take turns by; "" for none
	lockWait       time.Duration         // how long apply waits for the lock; 0 for lockWaitMax
	moduleVersion  func() string         // the loaded brcm module's MODULE_VERSION, or ""
	now            func() time.Time      // monitor's timestamps; nil for time.Now
	lowers         func(string) []string // the lowers of a network namespace ("" for this one), for completion
	netns          func() []string       // named network namespaces, for completion
	terminal       func() bool           // whether stdout is a terminal, for -color=auto; nil: it is not
	getenv         func(string) string   // nil: an empty environment
}

// options are the global options.
type options struct {
	json, pretty, details bool
	brief, oneline        bool
	timestamp, tshort     bool
	stats                 int
	netns                 string
	batch                 string
	color                 string // "" when not given
	force                 bool
	version               bool
	help                  bool // read by urfave/cli itself, for -h
}

// app is one run of brcmlink.
type app struct {
	ctx     context.Context
	env     *env
	opt     options
	helpErr error // a -h TOPIC that names no command
}

// errDone ends a run that did what it had to in a Before hook.
var errDone = errors.New("done")

// Main runs brcmlink with args, the command line without the program
// name, and returns its exit status.
func Main(ctx context.Context, args []string, e *env) int {
	a := &app{ctx: ctx, env: e}
	args, err := canonicalOptions(args)
	if err == nil {
		err = a.cli().RunContext(ctx, append([]string{grammar.Program}, args...))
	}
	if errors.Is(err, errDone) {
		err = nil
	}
	return a.report(cmp.Or(err, a.helpErr))
}

// cli builds the urfave/cli application from the grammar's tables. It
// parses the global options and dispatches exact command names; brcmlink
// parses the rest, prefixes included, with the grammar.
func (a *app) cli() *cli.App {
	o := &a.opt
	bools := map[string]*bool{"json": &o.json, "pretty": &o.pretty, "details": &o.details,
		"brief": &o.brief, "oneline": &o.oneline, "timestamp": &o.timestamp, "tshort": &o.tshort,
		"force": &o.force, "version": &o.version, "help": &o.help}
	strs := map[string]*string{"netns": &o.netns, "batch": &o.batch, "color": &o.color}
	var flags []cli.Flag
	for _, opt := range grammar.Options {
		names := opt.Names()
		switch {
		case opt.Meta != "" || opt.Values != nil:
			flags = append(flags, &cli.StringFlag{Name: names[0], Aliases: names[1:], Usage: opt.Help, Destination: must(strs[opt.Name], opt.Name)})
		case opt.Repeat:
			flags = append(flags, &cli.BoolFlag{Name: names[0], Aliases: names[1:], Usage: opt.Help, Count: &o.stats})
		default:
			flags = append(flags, &cli.BoolFlag{Name: names[0], Aliases: names[1:], Usage: opt.Help, Destination: must(bools[opt.Name], opt.Name)})
		}
	}
	// Each command of the grammar, with every abbreviation that names it:
	// urfave/cli finds the command, its Run in the table runs it.
	var cmds []*cli.Command
	for _, c := range append(slices.Clone(grammar.Commands), grammar.Internal...) {
		cmds = append(cmds, &cli.Command{
			Name:            c.Name,
			Aliases:         append(slices.Clone(c.Aliases), c.Abbreviations()...),
			Usage:           c.Summary,
			UsageText:       c.Synopsis(),
			Hidden:          slices.Contains(grammar.Internal, c),
			SkipFlagParsing: true, // the grammar parses the arguments
			HideHelp:        true,
			// For brcmlink -h COMMAND.
			CustomHelpTemplate: literal(c.HelpText()),
			Action: func(cc *cli.Context) error {
				return a.run(c, cc.Args().Slice())
			},
		})
	}
	return &cli.App{
		Name:    grammar.Program,
		Usage:   grammar.Summary,
		Version: brcmlink.Version,
		// The grammar writes the help, which urfave prints for -h; brcmlink
		// defines -h itself, as urfave would add its own with HideHelp false.
		HideHelp:              true,
		HideVersion:           true,
		CustomAppHelpTemplate: literal(grammar.Usage()),
		CommandNotFound: func(_ *cli.Context, topic string) {
			// -h TOPIC: not a command's full name, maybe an abbreviation.
			a.helpErr = a.help(topic)
		},
		Flags:     flags,
		Commands:  cmds,
		Reader:    a.env.stdin,
		Writer:    a.env.stdout,
		ErrWriter: a.env.stderr,
		Before: func(cc *cli.Context) error {
			if o.batch != "" && cc.Args().Present() {
				return usagef("-batch takes no command, but %q was given", cc.Args().First())
			}
			if cc.IsSet("netns") {
				if err := grammar.CheckError(brcmlink.CheckNetNSName(o.netns)); err != nil {
					return err
				}
			}
			if o.color != "" {
				if err := grammar.LookupOption("-color").Check(o.color); err != nil {
					return err
				}
			}
			if o.version {
				_ = a.print(a.versions())
				return errDone
			}
			return nil
		},
		Action:         func(cc *cli.Context) error { return a.command(cc.Args().Slice()) },
		OnUsageError:   func(_ *cli.Context, err error, _ bool) error { return optionError(err) },
		ExitErrHandler: func(*cli.Context, error) {}, // Main decides the exit status
	}
}

// versions says the command's version, and the loaded module's and its
// family's, for an inventory of both.
func (a *app) versions() string {
	s := fmt.Sprintf("%s version %s\n", grammar.Program, brcmlink.Version)
	be, err := a.env.dial(a.opt.netns)
	switch {
	case errors.Is(err, genl.ErrNotLoaded):
		return s + "brcm module not loaded\n"
	case err != nil:
		msg, _ := render(err)
		return s + "brcm module: " + msg + "\n"
	}
	defer be.Close()
	mod := cmp.Or(a.env.moduleVersion(), "unknown")
	return s + fmt.Sprintf("brcm module version %s, generic netlink family %s version %d\n", mod, brcmlink.GenlName, be.FamilyVersion())
}

// palette is how output is colored: as ip, always with -c, on a terminal
// with -c=auto, never with -c=never or JSON; without -c, as -c=auto
// unless NO_COLOR is set (no-color.org).
func (a *app) palette() *format.Palette {
	o, e := a.opt, a.env
	getenv := func(k string) string {
		if e.getenv == nil {
			return ""
		}
		return e.getenv(k)
	}
	switch {
	case o.json || o.color == "never":
		return nil
	case o.color == "" && getenv("NO_COLOR") != "",
		o.color != "always" && (e.terminal == nil || !e.terminal()):
		return nil
	}
	return format.NewPalette(getenv("COLORFGBG"))
}

// canonicalOptions returns args with the global options before the
// command in their long names, which urfave/cli knows, as ip takes any
// prefix of them (-de, -stat, -Version). It refuses a value given to an
// option that takes none, as ip does (urfave/cli would take -json=false);
// it leaves what is no option to urfave/cli, to refuse.
func canonicalOptions(args []string) ([]string, error) {
	out := slices.Clone(args)
	for i := 0; i < len(out); i++ {
		w := out[i]
		if w == "--" || len(w) < 2 || w[0] != '-' {
			break
		}
		o := grammar.LookupOption(w)
		if o == nil {
			continue
		}
		// Names urfave/cli knows stay as given, for its errors; a prefix
		// becomes the long name, with its "=value" if it has one.
		name, value, hasValue := strings.Cut(strings.TrimLeft(w, "-"), "=")
		if !slices.Contains(o.Names(), name) {
			out[i] = "-" + o.Name
			if hasValue {
				out[i] += "=" + value
			}
		}
		switch {
		case hasValue && o.Meta == "" && o.Values == nil:
			return nil, usagef("option %q: -%s takes no value", w, o.Name)
		case o.Values != nil && !hasValue:
			out[i] = "-" + o.Name + "=" + o.Values[0] // -c is -color=always
		case o.Meta != "" && !hasValue:
			i++ // its value
		}
	}
	return out, nil
}

// must returns the destination of an option, which the grammar's table
// may not name without this file following.
func must[T any](p *T, name string) *T {
	if p == nil {
		panic("brcmlink: no destination for option " + name)
	}
	return p
}

// optionError words an error of the flag package as iproute2 would.
func optionError(err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return usagef("option %q is unknown, try %q", name, grammar.Program+" -help")
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return usagef("option %q needs an argument", name)
	}
	return usagef("%s", msg)
}

func usagef(format string, args ...any) error {
	return &grammar.UsageError{Msg: fmt.Sprintf(format, args...)}
}

// literal makes s a text/template, for urfave's help, that prints s.
func literal(s string) string {
	return strings.ReplaceAll(s, "{{", `{{"{{"}}`)
}

func (a *app) print(s string) error {
	_, err := io.WriteString(a.env.stdout, s)
	return err
}

// command runs what urfave/cli found no command in: a -batch file,
// nothing, which is show as in `ip link`, or a word that names no command.
func (a *app) command(words []string) error {
	if a.opt.batch != "" {
		return a.batch()
	}
	if len(words) == 0 {
		words = []string{"show"}
	}
	c, err := grammar.Lookup(words[0], false)
	if err != nil {
		return err
	}
	return a.run(c, words[1:])
}

// run runs the command c with its arguments.
func (a *app) run(c *grammar.Command, args []string) error {
	req, err := c.Parse(args)
	r := a.runner()
	defer r.close()
	return r.do(req, err)
}
