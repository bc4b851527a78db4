// SPDX-License-Identifier: MIT

// Package grammar is the command language of brcmlink: one table of
// global options, commands and their keywords that drives the parser, the
// help text, shell completion and the man page, so that none of them can
// drift from the others.
//
// The language is iproute2's: global options first, then a command, then
// keywords with their values in any order, each abbreviable to an
// unambiguous prefix.
package grammar

import (
	"fmt"
	"slices"
	"strings"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/config"
)

// Program is the name of the command.
const Program = "brcmlink"

// Summary says in one line what the program does (man page NAME).
const Summary = "manage the ports of a Broadcom switch behind its IMP port"

// Field says where a value goes in a Request; it also decides how a value
// is parsed and completed.
type Field int

// The fields of a Request.
const (
	FieldName       Field = iota + 1 // NAME: the port a command acts on
	FieldNewName                     // name NAME: the name of a new port
	FieldLower                       // dev LOWER
	FieldPort                        // port PORT
	FieldQueue                       // queue Q
	FieldTagEnforce                  // tag-enforce T
	FieldUp                          // up
	FieldDown                        // down
	FieldShell                       // bash, zsh, fish
	FieldTopic                       // help COMMAND
	FieldFile                        // apply PATH
	FieldCheck                       // check
	FieldValidate                    // validate
	FieldAll                         // all
	FieldFormat                      // format FORMAT
	FieldVLAN                        // vlan VLAN
)

// An Arg is a keyword, alone (up) or with a value (dev LOWER), or a
// command's positional argument (Keyword "").
type Arg struct {
	Keyword string
	Meta    string // placeholder of the value; "" for a keyword alone
	Field   Field
	Help    string
}

// label is how messages and help name the argument: `"dev"` or NAME.
func (a *Arg) label() string {
	if a.Keyword == "" {
		return a.Meta
	}
	return fmt.Sprintf("%q", a.Keyword)
}

// A Node is a piece of a command's syntax; see Seq, Opt and Alt.
type Node struct {
	kind  nodeKind
	arg   *Arg
	nodes []Node
}

type nodeKind int

const (
	nodeArg nodeKind = iota // one Arg
	nodeSeq                 // all of nodes
	nodeOpt                 // nodes, or nothing of them
	nodeAlt                 // exactly one of nodes
)

func kw(keyword, meta string, f Field, help string) Node {
	return Node{kind: nodeArg, arg: &Arg{Keyword: keyword, Meta: meta, Field: f, Help: help}}
}

func pos(meta string, f Field, help string) Node {
	return Node{kind: nodeArg, arg: &Arg{Meta: meta, Field: f, Help: help}}
}

// Seq is all of nodes; Opt is all of nodes or none of them; Alt is
// exactly one of nodes. The order within a command line is free, as in
// iproute2: the nodes only say what goes together.
func Seq(nodes ...Node) Node { return Node{kind: nodeSeq, nodes: nodes} }

// Opt: see Seq.
func Opt(nodes ...Node) Node { return Node{kind: nodeOpt, nodes: []Node{Seq(nodes...)}} }

// Alt: see Seq.
func Alt(nodes ...Node) Node { return Node{kind: nodeAlt, nodes: nodes} }

// An Example is a command line, without the program name, and what it
// does.
type Example struct {
	Line, Text string
}

// A Command is one thing brcmlink does.
type Command struct {
	Name     string
	Aliases  []string
	Summary  string // one line, for the command list
	Help     string // paragraphs separated by blank lines
	Syntax   Node
	Examples []Example
	Port     bool // works on ports through the kernel; only these may be in a batch file
	Waits    bool // runs until interrupted, which a batch file would wait on forever: not in one
	Raw      bool // takes any words, unparsed, in Request.Args
	// Run is the method of Handlers that runs the command: with the
	// table, the one place a command line is dispatched.
	Run func(Handlers, *Request) error

	args     []*Arg          // in table order
	excludes map[*Arg][]*Arg // what each Arg cannot be given with
	pos      *Arg            // the positional argument, if any
}

// Handlers run brcmlink's commands, one method each; the table's Run
// says which.
type Handlers interface {
	Add(*Request) error
	Del(*Request) error
	Set(*Request) error
	Show(*Request) error
	Stats(*Request) error
	Monitor(*Request) error
	Apply(*Request) error
	Config(*Request) error
	Help(*Request) error
	Completion(*Request) error
	Man(*Request) error
	Complete(*Request) error
}

// names are the command's name and aliases.
func (c *Command) names() []string { return append([]string{c.Name}, c.Aliases...) }

// Args are the command's keywords and positional argument, in the order
// of its syntax.
func (c *Command) Args() []*Arg { return c.args }

// An Option is a global option, given before the command.
type Option struct {
	Name   string // long name: -json or --json
	Short  string // one letter: -j
	Meta   string // placeholder of the value; "" for a switch
	Help   string
	Repeat bool // counts: -s -s
	Batch  bool // belongs to batch mode, not to a single command
	// Also: more long names, as ip has them (-statistics, -Version).
	Also []string
	// Values an option takes after "=", never as the next word, the first
	// when it has none: -c is -color=always, as ip's -color.
	Values []string
}

// Check returns an error if value is none of o's Values.
func (o *Option) Check(value string) error {
	if slices.Contains(o.Values, value) {
		return nil
	}
	return usagef("option \"-%s\" takes %s, not %q", o.Name, strings.Join(o.Values, ", "), value)
}

// Names are the option's names, long first.
func (o *Option) Names() []string {
	if o.Short == "" {
		return []string{o.Name}
	}
	return []string{o.Name, o.Short}
}

// Options are the global options.
var Options = []*Option{
	{Name: "json", Short: "j", Help: "print JSON: an array for show, an object for stats, one object per line for monitor"},
	{Name: "pretty", Short: "p", Help: "indent JSON output (not monitor's, which keeps one object per line)"},
	{Name: "stats", Short: "s", Repeat: true, Also: []string{"statistics"}, Help: "show the counters of ports; given twice, also those of their lower devices"},
	{Name: "details", Short: "d", Help: "show ifindex, MTU, tag enforcement, tag format, VLAN id, admin and operational state, and the lower's ifindex and netnsid"},
	{Name: "oneline", Short: "o", Help: "print each port, and each event of monitor, on one line, a \\ where a line would end, as ip -o does"},
	{Name: "timestamp", Short: "t", Help: "monitor: print the time of each event on a line before it, as ip -t does"},
	{Name: "tshort", Short: "ts", Help: "monitor: print the time of each event before it, in short form, as ip -ts does"},
	{Name: "netns", Short: "n", Meta: "NAME", Help: "work in the network namespace NAME, the one \"ip netns add NAME\" made (/run/netns/NAME), like ip -n"},
	{Name: "batch", Short: "b", Meta: "FILE", Batch: true, Help: "run the commands of FILE, one a line; - reads standard input"},
	{Name: "color", Short: "c", Values: []string{"always", "auto", "never"}, Help: "color names and states as ip -c does: " +
		"always (-c alone), auto (only on a terminal, as without -c unless NO_COLOR is set) or never; never with -json. " +
		"COLORFGBG with a dark background gives bold colors"},
	{Name: "brief", Short: "br", Help: "show: print a line a port with its name, operational state and switch port, as ip -br does"},
	{Name: "force", Batch: true, Help: "with -batch, go on after a command fails"},
	{Name: "version", Short: "V", Also: []string{"Version"}, Help: "print the version of brcmlink, of the loaded brcm module and of its family, and exit"},
	{Name: "help", Short: "h", Help: "print the usage and exit"},
}

// LookupOption returns the option that word (like -j, --json or -js)
// names, or nil. As ip's matches(), a word names the first option of
// Options one of whose long names it begins, after those whose short or
// long name it is: -s is -stats, -stat too, and -b -batch.
func LookupOption(word string) *Option {
	name, ok := trimDashes(word)
	if !ok || name == "" {
		return nil
	}
	for _, o := range Options {
		if slices.Contains(o.Names(), name) || slices.Contains(o.Also, name) {
			return o
		}
	}
	for _, o := range Options {
		for _, n := range append([]string{o.Name}, o.Also...) {
			if strings.HasPrefix(n, name) {
				return o
			}
		}
	}
	return nil
}

// trimDashes returns word without its one or two leading dashes and
// anything from an "=", the way the flag package reads an option.
func trimDashes(word string) (string, bool) {
	switch {
	case len(word) > 2 && word[:2] == "--":
		word = word[2:]
	case len(word) > 1 && word[0] == '-':
		word = word[1:]
	default:
		return "", false
	}
	for i := range len(word) {
		if word[i] == '=' {
			return word[:i], true
		}
	}
	return word, true
}

// Priority resolves single letters that several commands or keywords
// begin with: "s" is show, the command that changes nothing, as in
// `ip a s`; "a" and "c" keep the commands they named before apply and
// config came. Every other abbreviation must match exactly one word.
var Priority = map[string]string{"s": "show", "a": "add", "c": "completion"}

// Domains describe the values of the numeric fields, for help and the man
// page.
var Domains = []struct {
	Meta, Domain string
}{
	{"PORT", fmt.Sprintf("{ 0..%d | %s }", brcmlink.PortMax, config.PortAny)},
	{"Q", fmt.Sprintf("{ 0..%d | %s }", brcmlink.QueueMax, config.QueuePriority)},
	{"T", fmt.Sprintf("{ 0..%d }", brcmlink.TagEnforceMax)},
	{"FORMAT", "{ " + strings.Join(FormatNames(), " | ") + " }"},
	{"VLAN", fmt.Sprintf("{ 1..%d | %s }", brcmlink.VLANMax, config.VLANNone)},
}

// FormatNames are the names of the tag formats, as format takes them.
func FormatNames() []string {
	var names []string
	for f := range brcmlink.FormatMax + 1 {
		names = append(names, f.String())
	}
	return names
}

// The arguments several commands share.
func portName(help string) Node { return pos("NAME", FieldName, help) }
func lower(help string) Node    { return kw("dev", "LOWER", FieldLower, help) }
func port(help string) Node     { return kw(config.KeyPort, "PORT", FieldPort, help) }

// queue and tagEnforce take what a value not given means: for add, 0;
// for set, unchanged.
func queue(otherwise string) Node {
	return kw(config.KeyQueue, "Q", FieldQueue, fmt.Sprintf("traffic queue put in every transmitted tag, 0-%d, "+
		"or %s: each frame's priority / 2 (a priority above 7 counts as 7); %s unless given", brcmlink.QueueMax, config.QueuePriority, otherwise))
}

// vlan and format take what a value not given means, as queue does.
func vlan(otherwise string) Node {
	return kw(config.KeyVLAN, "VLAN", FieldVLAN, fmt.Sprintf("VLAN id of the 802.1Q header inserted after the tag of every transmitted frame "+
		"and taken off received frames with that id, 1-%d, or %s; %s unless given", brcmlink.VLANMax, config.VLANNone, otherwise))
}

func tagFormat(help string) Node { return kw(config.KeyFormat, "FORMAT", FieldFormat, help) }

func tagEnforce(otherwise string) Node {
	return kw(config.KeyTagEnforce, "T", FieldTagEnforce, fmt.Sprintf("tag enforcement put in every transmitted tag, 0-%d; %s unless given", brcmlink.TagEnforceMax, otherwise))
}

var portHelp = fmt.Sprintf("switch port, 0-%d; %s is 0, the port that takes what no other port on the lower does", brcmlink.PortMax, config.PortAny)

// Commands are brcmlink's commands, in the order help lists them.
var Commands = []*Command{
	{
		Name:    "add",
		Run:     Handlers.Add,
		Summary: "create a port",
		Help: "Create the network device of switch port PORT on the lower device LOWER. " +
			"It is named NAME, or LOWER.pPORT by default (eth0.p5), and starts down unless up is given.",
		Syntax: Seq(
			lower("the lower (IMP) Ethernet device the switch is behind"),
			port(portHelp),
			Opt(kw(config.KeyName, "NAME", FieldNewName, "name of the new device; LOWER.pPORT unless given")),
			Opt(queue("0")),
			Opt(tagEnforce("0")),
			Opt(tagFormat("tag format of the lower's ports: the first port sets it, bcm53242 unless given; "+
				"a later port takes the lower's, and is refused if it names another")),
			Opt(vlan("none")),
			Opt(kw(config.KeyUp, "", FieldUp, "bring the port up as it is created")),
		),
		Examples: []Example{
			{"add dev eth0 port 5 up", "Create eth0.p5, bound to switch port 5 behind eth0, and bring it up."},
			{"add dev eth0 port any name uplink queue 3", "Create the catch-all port 0 as uplink, sending on queue 3."},
			{"add dev eth0 port 5 format original queue priority vlan 100",
				"Create eth0.p5 with the original module's tags, taking each frame's queue from its priority and inserting a VLAN 100 header after the tag."},
			{"a d eth0 p 7", "The same as add dev eth0 port 7."},
		},
		Port: true,
	},
	{
		Name:    "del",
		Run:     Handlers.Del,
		Aliases: []string{"delete"},
		Summary: "delete a port, or every port of a lower device",
		Help: "Delete a port, given by its name or by its lower device and switch port, or every port of a lower device " +
			"at once, which the kernel does far faster than one by one (none is no error).",
		Syntax: Alt(
			portName("name of the port"),
			Seq(lower("the port's lower device"), Alt(
				port("the port's switch port"),
				kw("all", "", FieldAll, "every port of the lower device"),
			)),
		),
		Examples: []Example{
			{"del eth0.p5", "Delete the port eth0.p5."},
			{"del dev eth0 port 5", "Delete whatever port is bound to switch port 5 behind eth0."},
			{"del dev eth0 all", "Delete every port behind eth0."},
		},
		Port: true,
	},
	{
		Name:    "set",
		Run:     Handlers.Set,
		Summary: "change a port, or every port of a lower device",
		Help: "Change the traffic queue, the tag enforcement, the tag format, the VLAN id or the administrative state of a port, " +
			"or of every port of a lower device with all. " +
			"What is not given stays as it is; the switch port itself cannot change. " +
			"All ports of a lower device share one tag format: a port may change it only if it is the lower's only port; " +
			"set dev LOWER all format FORMAT changes it for all of them at once.",
		Syntax: Seq(
			Alt(
				portName("name of the port"),
				Seq(lower("the port's lower device"), Alt(
					port("the port's switch port"),
					kw("all", "", FieldAll, "every port of the lower device: the tag format at once for all, the rest port by port"),
				)),
			),
			Opt(queue("unchanged")),
			Opt(tagEnforce("unchanged")),
			Opt(tagFormat("tag format of the lower's ports; unchanged unless given")),
			Opt(vlan("unchanged")),
			Opt(Alt(
				kw(config.KeyUp, "", FieldUp, "bring the port up"),
				kw(config.KeyDown, "", FieldDown, "bring the port down"),
			)),
		),
		Examples: []Example{
			{"set eth0.p5 queue 2 up", "Send eth0.p5's frames on queue 2 and bring it up."},
			{"set dev eth0 port 5 down", "Bring down the port on switch port 5 behind eth0."},
			{"set eth0.p5 queue priority vlan none", "Take eth0.p5's queue from each frame's priority, and insert no VLAN header."},
			{"set dev eth0 all format original", "Make every port behind eth0 speak the original module's tag format."},
		},
		Port: true,
	},
	{
		Name:    "show",
		Run:     Handlers.Show,
		Aliases: []string{"list"},
		Summary: "list ports",
		Help: "List ports, one a line, sorted by lower device and switch port: every port of the network namespace, " +
			"those on LOWER, or one. This is also what brcmlink does without a command.",
		Syntax: Opt(Alt(
			portName("show only the port NAME"),
			Seq(lower("show only the ports on LOWER"), Opt(port("show only the port on switch port PORT"))),
		)),
		Examples: []Example{
			{"show", "List every port."},
			{"show dev eth0 port 5", "Show the port bound to switch port 5 behind eth0."},
		},
		Port: true,
	},
	{
		Name:    "stats",
		Run:     Handlers.Stats,
		Summary: "show the counters of ports and their lower devices",
		Help: "Show the counters of ports, and those of their lower devices: the tagged frames each received, " +
			"and why it dropped some before a port had them (bad length, bad opcode, bad port id, unknown port).",
		Syntax: Opt(Alt(
			portName("only the port NAME and its lower device"),
			lower("only the lower device LOWER and its ports"),
		)),
		Examples: []Example{
			{"stats dev eth0", "Show the counters of eth0 and of its ports."},
		},
		Port: true,
	},
	{
		Name:    "monitor",
		Run:     Handlers.Monitor,
		Summary: "print ports as they are created, change and are deleted",
		Help: "Print a line for each port created ([NEW]), changed ([CHANGE]) or deleted ([DEL]) in the network namespace, " +
			"until interrupted: of every port, or only of DEV, a port or the ports of a lower device. " +
			"[LOST] says that events were lost, and why; show then tells how things are.",
		Syntax: Opt(kw("dev", "DEV", FieldLower, "only the events of DEV: a port, or the ports of a lower device")),
		Examples: []Example{
			{"-j monitor", "Print events as JSON objects, one a line."},
			{"-ts monitor dev eth0", "Print the events of eth0's ports, each after its time."},
		},
		Port:  true,
		Waits: true,
	},
	{
		Name:    "apply",
		Run:     Handlers.Apply,
		Summary: "bring the ports to what a description says",
		Help: "Make the ports of the lower devices that the description at PATH names exactly those it describes, with its names and settings " +
			"(docs/config.md): create, rename, change and delete ports, and set up a lower that is down for ports to be up, " +
			"printing each step as it is made, or no changes. " +
			"PATH is a file, - for standard input, or a directory whose *.conf files (not hidden ones) are read in name order as one description. " +
			"Ports on lower devices it does not name are left alone. With dev LOWER, only LOWER's part is applied, as if the description " +
			"named no other lower; one that does not name LOWER has nothing to do (LOWER: not in the description, nothing to do). " +
			"The description is checked whole before anything changes, and " +
			"if the kernel refuses a step, the steps made are undone. A lower device that is absent is reported, and its " +
			"ports wait for it. With validate, only the description is checked, as configuration management checks a file before it installs it: " +
			"no kernel, no lock, nothing printed if it is valid. " +
			"Exit status: 0 done (or valid), 1 a mistake in the description (nothing changed), 2 refused (nothing changed), " +
			"3 changes pending (with check), 4 done but lower devices absent.",
		Syntax: Seq(
			pos("PATH", FieldFile, "the description of the ports: a file, a directory of *.conf files, or - for standard input"),
			Opt(lower("only LOWER's part of the description: what the packages apply when the network device LOWER appears")),
			Opt(Alt(
				kw("check", "", FieldCheck, "print the steps that apply would make, change nothing, and exit 3 if there are any"),
				kw("validate", "", FieldValidate, "check the description alone (syntax, values, duplicates, names), without the kernel: exit 0 or 1"),
			)),
		),
		Examples: []Example{
			{"apply /etc/brcmlink/board.conf", "Bring the ports to the description, printing each step."},
			{"apply /etc/brcmlink", "Bring the ports to every *.conf file of /etc/brcmlink, read as one description."},
			{"apply /etc/brcmlink dev eth0", "Bring only eth0's ports to it, as when eth0 appears; nothing to do if it does not name eth0."},
			{"apply board.conf check", "Print what apply would do: exit 0 if nothing, 3 if something."},
			{"apply board.conf validate", "Check the file alone, as Ansible's template validate: runs it: exit 0 if valid, 1 with FILE:LINE:COLUMN if not."},
		},
	},
	{
		Name:    "config",
		Run:     Handlers.Config,
		Summary: "print the ports as a description apply reads",
		Help: "Print the ports of every lower device, or of LOWER, in the format apply reads (docs/config.md), " +
			"so that config > FILE, then apply FILE, changes nothing.",
		Syntax:   Opt(lower("only the lower device LOWER")),
		Examples: []Example{{"config dev eth0", "Print eth0's ports as apply reads them: redirected to a file, they are kept so."}},
	},
	{
		Name:    "help",
		Run:     Handlers.Help,
		Summary: "describe brcmlink or one of its commands",
		Help:    "Print the usage of brcmlink, or of COMMAND. Any command followed by help does the same.",
		Syntax:  Opt(pos("COMMAND", FieldTopic, "the command to describe")),
	},
	{
		Name:    "completion",
		Run:     Handlers.Completion,
		Summary: "print a shell completion script",
		Help: "Print the completion script of a shell. The script asks brcmlink what may come next, " +
			"so that it completes commands, keywords, values, lower devices, port names and network namespaces.",
		Syntax: Alt(
			kw("bash", "", FieldShell, "for bash: source <(brcmlink completion bash)"),
			kw("zsh", "", FieldShell, "for zsh: source <(brcmlink completion zsh), or save it as _brcmlink in $fpath"),
			kw("fish", "", FieldShell, "for fish: brcmlink completion fish | source"),
		),
	},
}

// Internal are the commands help does not list, for the man page's
// build and the completion scripts: only their full name runs them.
var Internal = []*Command{
	{Name: "man", Summary: "print the man page", Syntax: Seq(), Run: Handlers.Man},
	{Name: CompleteCommand, Summary: "print what may come after the words", Syntax: Seq(), Raw: true, Run: Handlers.Complete},
}

// CompleteCommand is the command the completion scripts run: it takes the
// words after the program name up to the cursor, the last one being
// completed, and prints what may come there (see Complete).
const CompleteCommand = "__complete"

func init() {
	for _, c := range append(slices.Clone(Commands), Internal...) {
		c.compile()
	}
}

// Abbreviations are the words, besides its names, that name c at the
// top level: the prefixes of its names that Lookup takes for c.
func (c *Command) Abbreviations() []string {
	if slices.Contains(Internal, c) {
		return nil
	}
	var ws []string
	for _, n := range c.names() {
		for i := 1; i < len(n); i++ {
			w := n[:i]
			if got, err := Lookup(w, false); err == nil && got == c && !slices.Contains(ws, w) && !slices.Contains(c.names(), w) {
				ws = append(ws, w)
			}
		}
	}
	return ws
}

// compile indexes a command's syntax for the parser.
func (c *Command) compile() {
	c.excludes = map[*Arg][]*Arg{}
	var walk func(n Node)
	walk = func(n Node) {
		if n.kind == nodeArg {
			c.args = append(c.args, n.arg)
			if n.arg.Keyword == "" {
				c.pos = n.arg
			}
			return
		}
		for _, m := range n.nodes {
			walk(m)
		}
		if n.kind == nodeAlt {
			for i, a := range n.nodes {
				for j, b := range n.nodes {
					if i != j {
						for _, x := range argsOf(a) {
							c.excludes[x] = append(c.excludes[x], argsOf(b)...)
						}
					}
				}
			}
		}
	}
	walk(c.Syntax)
}

// argsOf returns the Args in n.
func argsOf(n Node) []*Arg {
	if n.kind == nodeArg {
		return []*Arg{n.arg}
	}
	var as []*Arg
	for _, m := range n.nodes {
		as = append(as, argsOf(m)...)
	}
	return as
}

// visible are the commands that the top level accepts; batch files take
// only the port commands.
func visible(batch bool) []*Command {
	if !batch {
		return Commands
	}
	var cs []*Command
	for _, c := range Commands {
		if c.Port && !c.Waits {
			cs = append(cs, c)
		}
	}
	return cs
}
