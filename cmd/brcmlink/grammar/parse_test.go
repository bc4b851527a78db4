// SPDX-License-Identifier: MIT

package grammar

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/brcmlink/brcmlink"
)

// TestParse checks each rule of the grammar on a line that follows it:
// the canonical form of what it parses to.
func TestParse(t *testing.T) {
	for _, tt := range []struct {
		line, want string
	}{
		// add: dev and port, any order, optional name, queue, tag-enforce, up
		{"add dev eth0 port 5", "add dev eth0 port 5"},
		{"add port 5 dev eth0", "add dev eth0 port 5"},
		{"add dev eth0 port any", "add dev eth0 port 0"},
		{"add dev eth0 port 27 name uplink queue 3 tag-enforce 2 up", "add dev eth0 port 27 name uplink queue 3 tag-enforce 2 up"},
		{"add up tag-enforce 0 queue 0 name x port 0 dev eth0", "add dev eth0 port 0 name x queue 0 tag-enforce 0 up"},
		// format, queue priority, vlan
		{"add dev eth0 port 5 vlan 100 queue priority format original", "add dev eth0 port 5 queue priority format original vlan 100"},
		{"add dev eth0 port 5 format bcm53242 vlan none", "add dev eth0 port 5 format bcm53242 vlan none"},
		{"add dev eth0 port 5 vlan 0", "add dev eth0 port 5 vlan none"},
		{"a d eth0 p 5 f original v 4094 q priority", "add dev eth0 port 5 queue priority format original vlan 4094"},
		// prefixes
		{"a d eth0 p 5", "add dev eth0 port 5"},
		{"ad de eth0 po 5 na n q 1 t 1 u", "add dev eth0 port 5 name n queue 1 tag-enforce 1 up"},
		{"add dev eth0 port 5 name up", "add dev eth0 port 5 name up"}, // a value is never a keyword
		// names of 15 bytes, IFNAMSIZ - 1
		{"add dev abcdefghijklmno port 5 name abcdefghijklmno", "add dev abcdefghijklmno port 5 name abcdefghijklmno"},
		// del: NAME, or dev and port
		{"del eth0.p5", "del eth0.p5"},
		{"delete eth0.p5", "del eth0.p5"},
		{"d eth0.p5", "del eth0.p5"}, // del and its alias delete are one command
		{"del dev eth0 port 5", "del dev eth0 port 5"},
		{"del port 5 dev eth0", "del dev eth0 port 5"},
		{"del eth", "del eth"}, // no keyword starts with eth: a name
		// set
		{"set eth0.p5", "set eth0.p5"},
		{"set eth0.p5 queue 2 up", "set eth0.p5 queue 2 up"},
		{"set eth0.p5 d", "set eth0.p5 down"}, // dev may no longer come: d is down
		{"set de eth0 p 5 do", "set dev eth0 port 5 down"},
		{"set dev eth0 port 5 d", "set dev eth0 port 5 down"},
		{"set tag-enforce 3 eth0.p5", "set eth0.p5 tag-enforce 3"},
		{"se eth0.p5 u", "set eth0.p5 up"},
		{"set eth0.p5 queue priority vlan 7", "set eth0.p5 queue priority vlan 7"},
		{"set eth0.p5 queue 1 vlan none format original", "set eth0.p5 queue 1 format original vlan none"},
		{"set dev eth0 all format original", "set dev eth0 all format original"},
		{"set a de eth0 f bcm53242", "set dev eth0 all format bcm53242"}, // all: the only keyword that starts with a
		{"set dev eth0 all queue priority down", "set dev eth0 all queue priority down"},
		// show
		{"show", "show"},
		{"s", "show"}, // priority
		{"sh eth0.p5", "show eth0.p5"},
		{"list", "show"},
		{"l dev eth0", "show dev eth0"},
		{"show dev eth0 port any", "show dev eth0 port 0"},
		// stats
		{"stats", "stats"},
		{"st eth0.p5", "stats eth0.p5"},
		{"stats d eth0", "stats dev eth0"},
		// apply: PATH, then dev LOWER and check in any order
		{"apply /etc/brcmlink", "apply /etc/brcmlink"},
		{"apply /etc/brcmlink check dev eth0", "apply /etc/brcmlink dev eth0 check"},
		{"ap d eth0 c board.conf", "apply board.conf dev eth0 check"},
		// monitor, help, completion
		{"monitor", "monitor"},
		{"m", "monitor"},
		{"help", "help"},
		{"help a", "help add"},
		{"h s", "help show"},
		{"completion bash", "completion bash"},
		{"c z", "completion zsh"},
		{"completion f", "completion fish"},
	} {
		r, err := Parse(strings.Fields(tt.line), false)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.line, err)
			continue
		}
		if got := strings.Join(r.Words(), " "); got != tt.want {
			t.Errorf("Parse(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

// TestParseValues checks the typed values of a request.
func TestParseValues(t *testing.T) {
	r, err := Parse(strings.Fields("add dev eth0 port any name x queue 3 tag-enforce 2 up"), false)
	if err != nil {
		t.Fatal(err)
	}
	if r.Lower != "eth0" || *r.Port != 0 || r.Name != "x" || *r.Queue != 3 || *r.TagEnforce != 2 || !*r.Up {
		t.Errorf("got %+v", r)
	}
	r, err = Parse(strings.Fields("add dev eth0 port 5 queue priority format original vlan 100"), false)
	if err != nil {
		t.Fatal(err)
	}
	if r.Queue != nil || !*r.QueueFromPriority || *r.Format != brcmlink.FormatOriginal || *r.VLAN != 100 {
		t.Errorf("got %+v", r)
	}
	r, err = Parse(strings.Fields("set dev eth0 all queue 2 vlan none"), false)
	if err != nil {
		t.Fatal(err)
	}
	if !r.All || *r.Queue != 2 || *r.QueueFromPriority || r.Format != nil || *r.VLAN != 0 {
		t.Errorf("got %+v", r)
	}
	r, err = Parse(strings.Fields("set eth0.p5 down"), false)
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "eth0.p5" || r.Port != nil || r.Queue != nil || r.TagEnforce != nil || *r.Up ||
		r.QueueFromPriority != nil || r.Format != nil || r.VLAN != nil {
		t.Errorf("got %+v", r)
	}
}

// TestParseErrors checks every usage error and its message.
func TestParseErrors(t *testing.T) {
	for _, tt := range []struct {
		words []string
		want  string
	}{
		{nil, "no command"},
		{[]string{""}, "empty command"},
		{[]string{"bogus"}, `command "bogus" is unknown, try "brcmlink help"`},
		{[]string{"-j", "show"}, `option "-j" must come before the command`},
		{[]string{"--json"}, `option "--json" must come before the command`},
		{[]string{"add"}, `not enough information: "dev" argument is required`},
		{[]string{"add", "dev", "eth0"}, `not enough information: "port" argument is required`},
		{[]string{"add", "port", "5"}, `not enough information: "dev" argument is required`},
		{[]string{"add", "dev", "eth0", "port"}, `missing PORT after "port"`},
		{[]string{"add", "dev"}, `missing LOWER after "dev"`},
		{[]string{"apply", "dev", "eth0"}, "not enough information: PATH is required"},
		{[]string{"apply", "/etc/brcmlink", "dev", "eth0", "dev", "eth1"}, `duplicate argument "dev"`},
		{[]string{"add", "dev", "", "port", "5"}, `argument "" is wrong: LOWER is empty`},
		{[]string{"add", "dev", "eth0", "port", "5", "name", ""}, `argument "" is wrong: NAME is empty`},
		{[]string{"add", "dev", "eth0", "port", "x"}, `argument "x" is wrong: port is not a number`},
		{[]string{"add", "dev", "eth0", "port", "-1"}, `argument "-1" is wrong: port is not a number`},
		{[]string{"add", "dev", "eth0", "port", "0x5"}, `argument "0x5" is wrong: port is not a number`},
		{[]string{"add", "dev", "eth0", "port", "28"}, `port 28 out of range (0-27)`},
		{[]string{"add", "dev", "eth0", "port", "70000"}, `port 70000 out of range (0-27)`},
		{[]string{"add", "dev", "eth0", "port", "99999999999999999999999"}, `port 99999999999999999999999 out of range (0-27)`},
		{[]string{"add", "dev", "eth0", "port", "5", "queue", "4"}, `queue 4 out of range (0-3)`},
		{[]string{"add", "dev", "eth0", "port", "5", "queue", "256"}, `queue 256 out of range (0-3)`},
		{[]string{"add", "dev", "eth0", "port", "5", "queue", "q"}, `argument "q" is wrong: queue is not a number`},
		{[]string{"add", "dev", "eth0", "port", "5", "tag-enforce", "9"}, `tag enforcement 9 out of range (0-3)`},
		{[]string{"add", "dev", "eth0", "port", "5", "tag-enforce", "65536"}, `tag enforcement 65536 out of range (0-3)`},
		// Device names as the kernel checks them (brcm_genl_name), in its words.
		{[]string{"add", "dev", "eth0", "port", "1", "name", "abcdefghijklmnop"}, `device name abcdefghijklmnop is longer than 15 bytes`},
		{[]string{"add", "dev", "abcdefghijklmnop", "port", "1"}, `lower device name abcdefghijklmnop is longer than 15 bytes`},
		{[]string{"del", "abcdefghijklmnop"}, `device name abcdefghijklmnop is longer than 15 bytes`},
		{[]string{"show", "dev", "abcdefghijklmnop"}, `lower device name abcdefghijklmnop is longer than 15 bytes`},
		{[]string{"add", "dev", "eth0", "port", "5", "tag-enforce", "x"}, `argument "x" is wrong: tag-enforce is not a number`},
		{[]string{"add", "dev", "eth0", "port", "5", "bogus"}, `unknown keyword "bogus", expected one of: name, queue, tag-enforce, format, vlan, up`},
		{[]string{"add", "dev", "eth0", "port", "5", "down"}, `unknown keyword "down", expected one of: name, queue, tag-enforce, format, vlan, up`},
		{[]string{"add", "dev", "eth0", "dev", "eth1", "port", "5"}, `duplicate argument "dev"`},
		{[]string{"add", "dev", "eth0", "d", "eth1"}, `duplicate argument "dev"`},
		{[]string{"add", "dev", "eth0", "port", "5", "up", "up"}, `duplicate argument "up"`},
		{[]string{"add", "dev", "eth0", "port", "5", "-s"}, `option "-s" must come before the command`},
		{[]string{"del"}, `not enough information: give NAME or dev LOWER { port PORT | all }`},
		{[]string{"del", "dev", "eth0"}, `not enough information: give port PORT or all`},
		{[]string{"del", "dev", "eth0", "port", "5", "all"}, `"all" cannot be combined with "port"`},
		{[]string{"del", "port", "5"}, `not enough information: "dev" argument is required`},
		{[]string{"del", "eth0.p5", "dev", "eth0"}, `"dev" cannot be combined with NAME "eth0.p5"`},
		{[]string{"del", "eth0.p5", "p", "5"}, `"port" cannot be combined with NAME "eth0.p5"`},
		{[]string{"del", "dev", "eth0", "port", "5", "eth0.p5"}, `unexpected argument "eth0.p5"`},
		{[]string{"del", "eth0.p5", "eth0.p6"}, `unexpected argument "eth0.p6"`},
		{[]string{"add", "dev", "eth0", "port", "5", "format", "bcm5325"}, `tag format "bcm5325" unknown: give bcm53242 or original`},
		{[]string{"add", "dev", "eth0", "port", "5", "format"}, `missing FORMAT after "format"`},
		{[]string{"add", "dev", "eth0", "port", "5", "queue", "prio"}, `argument "prio" is wrong: queue is not a number`},
		{[]string{"add", "dev", "eth0", "port", "5", "vlan", "4095"}, `vlan 4095 out of range (0-4094)`},
		{[]string{"add", "dev", "eth0", "port", "5", "vlan", "x"}, `argument "x" is wrong: vlan is not a number`},
		{[]string{"add", "dev", "eth0", "port", "5", "vlan", "1", "vlan", "2"}, `duplicate argument "vlan"`},
		{[]string{"set"}, `not enough information: give NAME or dev LOWER { port PORT | all }`},
		{[]string{"set", "dev", "eth0", "format", "original"}, `not enough information: give port PORT or all`},
		{[]string{"set", "dev", "eth0", "all", "port", "5"}, `"port" cannot be combined with "all"`},
		{[]string{"set", "eth0.p5", "all"}, `"all" cannot be combined with NAME "eth0.p5"`},
		{[]string{"set", "d", "eth0", "port", "5"}, `"d" is ambiguous: dev, down`},
		{[]string{"set", "eth0.p5", "up", "down"}, `"down" cannot be combined with "up"`},
		{[]string{"set", "eth0.p5", "queue"}, `missing Q after "queue"`},
		{[]string{"set", "eth0.p5", "name", "x"}, `unknown keyword "name", expected one of: queue, tag-enforce, format, vlan, up, down`},
		{[]string{"show", "port", "5"}, `not enough information: "dev" argument is required`},
		{[]string{"show", "dev", "eth0", "port", "5", "extra"}, `unexpected argument "extra"`},
		{[]string{"show", "eth0.p5", "dev", "eth0"}, `"dev" cannot be combined with NAME "eth0.p5"`},
		{[]string{"stats", "dev", "eth0", "port", "5"}, `unexpected argument "port"`},
		{[]string{"monitor", "x"}, `unknown keyword "x", expected one of: dev`},
		{[]string{"completion"}, `not enough information: give bash, zsh or fish`},
		{[]string{"completion", "tcsh"}, `unknown keyword "tcsh", expected one of: bash, zsh, fish`},
		{[]string{"completion", "bash", "zsh"}, `"zsh" cannot be combined with "bash"`},
		{[]string{"help", "bogus"}, `command "bogus" is unknown, try "brcmlink help"`},
		{[]string{"help", "add", "del"}, `unexpected argument "del"`},
	} {
		_, err := Parse(tt.words, false)
		var ue *UsageError
		if !errors.As(err, &ue) {
			t.Errorf("Parse(%q) = %v, want usage error %q", tt.words, err, tt.want)
			continue
		}
		if ue.Msg != tt.want {
			t.Errorf("Parse(%q):\n got %s\nwant %s", tt.words, ue.Msg, tt.want)
		}
	}
}

// TestLookup checks the resolution of commands: abbreviations, aliases,
// priorities, and what a batch file may hold.
func TestLookup(t *testing.T) {
	for _, tt := range []struct {
		word  string
		batch bool
		want  string // the command, or the error
	}{
		{"add", false, "add"},
		{"a", false, "add"},
		{"d", false, "del"},
		{"dele", false, "del"},
		{"delete", false, "del"},
		{"s", false, "show"},
		{"se", false, "set"},
		{"sh", false, "show"},
		{"st", false, "stats"},
		{"l", false, "show"},
		{"m", false, "monitor"},
		{"h", false, "help"},
		{"c", false, "completion"},
		{"man", false, "man"}, // internal: by its full name only
		{"ma", false, `command "ma" is unknown, try "brcmlink help"`},
		{"__complete", true, "__complete is not allowed in a batch file"},
		{"adds", false, `command "adds" is unknown, try "brcmlink help"`},
		{"show", true, "show"},
		{"s", true, "show"},
		{"help", true, "help is not allowed in a batch file"},
		{"c", true, "completion is not allowed in a batch file"},
		{"-j", true, `option "-j" is not allowed in a batch file: give it on the command line`},
	} {
		c, err := Lookup(tt.word, tt.batch)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = c.Name
		}
		if got != tt.want {
			t.Errorf("Lookup(%q, batch %v) = %q, want %q", tt.word, tt.batch, got, tt.want)
		}
	}
}

// TestAbbreviations checks the words that urfave/cli dispatches besides
// the commands' names.
func TestAbbreviations(t *testing.T) {
	got := map[string][]string{}
	for _, c := range append(slices.Clone(Commands), Internal...) {
		got[c.Name] = c.Abbreviations()
	}
	want := map[string][]string{
		"add":        {"a", "ad"},
		"del":        {"d", "de", "dele", "delet"},
		"set":        {"se"},
		"show":       {"s", "sh", "sho", "l", "li", "lis"},
		"stats":      {"st", "sta", "stat"},
		"monitor":    {"m", "mo", "mon", "moni", "monit", "monito"},
		"apply":      {"ap", "app", "appl"},
		"config":     {"con", "conf", "confi"},
		"help":       {"h", "he", "hel"},
		"completion": {"c", "com", "comp", "compl", "comple", "complet", "completi", "completio"},
		"man":        nil,
		"__complete": nil,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("abbreviations:\n%v\nwant\n%v", got, want)
	}
}

// TestAmbiguousCommand makes an abbreviation ambiguous, which the
// command table itself does not (but for the priority of "s").
func TestAmbiguousCommand(t *testing.T) {
	saved := Priority
	Priority = map[string]string{}
	defer func() { Priority = saved }()
	_, err := Lookup("s", false)
	if want := `"s" is ambiguous: set, show, stats`; err == nil || err.Error() != want {
		t.Errorf("Lookup(s) without priorities = %v, want %s", err, want)
	}
}

func TestHelpWords(t *testing.T) {
	for _, line := range []string{"add help", "add dev eth0 help", "set eth0.p5 -h", "show --help", "del -help"} {
		_, err := Parse(strings.Fields(line), false)
		var he *HelpError
		if !errors.As(err, &he) || he.Command.Name != strings.Fields(line)[0] {
			t.Errorf("Parse(%q) = %v, want help of its command", line, err)
		}
	}
	// The value of a keyword is never help.
	if _, err := Parse(strings.Fields("add dev eth0 port 5 name help"), false); err != nil {
		t.Errorf("name help: %v", err)
	}
}

func TestSplitLine(t *testing.T) {
	for _, tt := range []struct {
		line string
		want []string
		err  string
	}{
		{"", nil, ""},
		{"   \t ", nil, ""},
		{"# comment", nil, ""},
		{"  # comment", nil, ""},
		{"add dev eth0 port 5", []string{"add", "dev", "eth0", "port", "5"}, ""},
		{"add  dev\teth0 port 5  # why", []string{"add", "dev", "eth0", "port", "5"}, ""},
		{"del a#b", []string{"del", "a#b"}, ""}, // # starts a comment only at a word's start
		{`add dev eth0 port 5 name "my port"`, []string{"add", "dev", "eth0", "port", "5", "name", "my port"}, ""},
		{`del 'a b' `, []string{"del", "a b"}, ""},
		{`del ""`, []string{"del", ""}, ""},
		{`del "a b`, nil, "unterminated quoted string"},
		{`del "a"b`, nil, "quoted string not followed by a blank"},
		{"show\r", []string{"show"}, ""},
	} {
		got, err := SplitLine(tt.line)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if gotErr != tt.err || !slices.Equal(got, tt.want) {
			t.Errorf("SplitLine(%q) = %q, %q; want %q, %q", tt.line, got, gotErr, tt.want, tt.err)
		}
	}
}

// TestSynopsis checks the syntax as help and the man page print it.
func TestSynopsis(t *testing.T) {
	want := []string{
		"add dev LOWER port PORT [ name NAME ] [ queue Q ] [ tag-enforce T ] [ format FORMAT ] [ vlan VLAN ] [ up ]",
		"del { NAME | dev LOWER { port PORT | all } }",
		"set { NAME | dev LOWER { port PORT | all } } [ queue Q ] [ tag-enforce T ] [ format FORMAT ] [ vlan VLAN ] [ up | down ]",
		"show [ NAME | dev LOWER [ port PORT ] ]",
		"stats [ NAME | dev LOWER ]",
		"monitor [ dev DEV ]",
		"apply PATH [ dev LOWER ] [ check | validate ]",
		"config [ dev LOWER ]",
		"help [ COMMAND ]",
		"completion { bash | zsh | fish }",
	}
	var got []string
	for _, c := range Commands {
		got = append(got, c.Synopsis())
	}
	if !slices.Equal(got, want) {
		t.Errorf("synopses:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestTable checks what the parser relies on in the table: keywords
// unique within a command, one positional argument at most, a help text
// for everything, and no keyword "help" (which asks for help).
func TestTable(t *testing.T) {
	names := map[string]bool{}
	for _, c := range Commands {
		for _, n := range c.names() {
			if names[n] {
				t.Errorf("command name %s twice", n)
			}
			names[n] = true
		}
		if c.Summary == "" || c.Help == "" {
			t.Errorf("%s: no summary or help", c.Name)
		}
		kws := map[string]bool{}
		npos := 0
		for _, a := range c.args {
			if a.Keyword == "" {
				npos++
			}
			if kws[a.Keyword] && a.Keyword != "" {
				t.Errorf("%s: keyword %s twice", c.Name, a.Keyword)
			}
			kws[a.Keyword] = true
			if a.Help == "" || isHelp(a.Keyword) {
				t.Errorf("%s %s: no help, or a keyword that asks for help", c.Name, a.Keyword)
			}
		}
		if npos > 1 {
			t.Errorf("%s: %d positional arguments", c.Name, npos)
		}
		for _, e := range c.Examples {
			if _, err := Parse(strings.Fields(e.Line), false); err != nil && !strings.HasPrefix(e.Line, "-") {
				t.Errorf("example %q: %v", e.Line, err)
			}
		}
	}
	for _, c := range append(slices.Clone(Commands), Internal...) {
		if c.Run == nil {
			t.Errorf("%s: no Run", c.Name)
		}
	}
	for _, o := range Options {
		if LookupOption("-"+o.Name) != o || o.Short != "" && LookupOption("-"+o.Short) != o || LookupOption("--"+o.Name) != o {
			t.Errorf("option %s does not look up", o.Name)
		}
	}
	if LookupOption("-netns=x") == nil || LookupOption("-") != nil || LookupOption("json") != nil {
		t.Error("LookupOption reads options wrong")
	}
}

// TestSetHelp checks that set's help says what a value not given does:
// nothing, where add's says 0.
func TestSetHelp(t *testing.T) {
	for name, want := range map[string]string{"add": "0 unless given", "set": "unchanged unless given"} {
		c, err := Lookup(name, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range c.Args() {
			if (a.Field == FieldQueue || a.Field == FieldTagEnforce) && !strings.HasSuffix(a.Help, want) {
				t.Errorf("%s %s: %q, want it to end %q", name, a.Keyword, a.Help, want)
			}
		}
	}
}
