// SPDX-License-Identifier: MIT

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/cmd/brcmlink/grammar"
	"github.com/brcmlink/brcmlink/genl"
)

// TestUsageErrors checks that a wrong command line prints one line on
// stderr, exits 1, and sends nothing: not even a socket is opened.
func TestUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"bogus"}, `command "bogus" is unknown, try "brcmlink help"`},
		{[]string{"add"}, `not enough information: "dev" argument is required`},
		{[]string{"add", "dev", "eth0"}, `not enough information: "port" argument is required`},
		{[]string{"add", "dev", "eth0", "port"}, `missing PORT after "port"`},
		{[]string{"add", "dev", "eth0", "port", "x"}, `argument "x" is wrong: port is not a number`},
		{[]string{"add", "dev", "eth0", "port", "28"}, `port 28 out of range (0-27)`},
		{[]string{"add", "dev", "eth0", "port", "5", "queue", "4"}, `queue 4 out of range (0-3)`},
		{[]string{"add", "dev", "eth0", "port", "5", "tag-enforce", "4"}, `tag enforcement 4 out of range (0-3)`},
		{[]string{"add", "dev", "eth0", "port", "70000"}, `port 70000 out of range (0-27)`},
		{[]string{"add", "dev", "eth0", "port", "1", "name", "abcdefghijklmnop"}, `device name abcdefghijklmnop is longer than 15 bytes`},
		{[]string{"add", "dev", "eth0", "port", "5", "name", "p%d"}, `device name p%d contains '%', which the kernel would expand as a format: give the name itself`},
		{[]string{"add", "dev", "eth%d", "port", "5"}, `lower device name eth%d contains '%', which the kernel would expand as a format: give the name itself`},
		{[]string{"set", "p%d", "up"}, `device name p%d contains '%', which the kernel would expand as a format: give the name itself`},
		{[]string{"add", "dev", "", "port", "5"}, `argument "" is wrong: LOWER is empty`},
		{[]string{"add", "dev", "eth0", "port", "5", "name", "a b"}, `argument "a b" is wrong: "name" not a valid ifname`},
		{[]string{"add", "dev", "eth0", "port", "5", "name", "a/b"}, `argument "a/b" is wrong: "name" not a valid ifname`},
		{[]string{"add", "dev", "eth:0", "port", "5"}, `argument "eth:0" is wrong: "dev" not a valid ifname`},
		{[]string{"del", ".."}, `argument ".." is wrong: "NAME" not a valid ifname`},
		{[]string{"add", "dev", "eth0", "port", "5", "bogus"}, `unknown keyword "bogus", expected one of: name, queue, tag-enforce, format, vlan, up`},
		{[]string{"add", "dev", "eth0", "port", "5", "-j"}, `option "-j" must come before the command`},
		{[]string{"del"}, `not enough information: give NAME or dev LOWER { port PORT | all }`},
		{[]string{"del", "eth0.p5", "dev", "eth0"}, `"dev" cannot be combined with NAME "eth0.p5"`},
		{[]string{"set", "d", "eth0", "p", "5"}, `"d" is ambiguous: dev, down`},
		{[]string{"set", "eth0.p5", "up", "down"}, `"down" cannot be combined with "up"`},
		{[]string{"show", "port", "5"}, `not enough information: "dev" argument is required`},
		{[]string{"stats", "dev", "eth0", "port", "5"}, `unexpected argument "port"`},
		{[]string{"monitor", "now"}, `unknown keyword "now", expected one of: dev`},
		{[]string{"completion"}, `not enough information: give bash, zsh or fish`},
		{[]string{"completion", "csh"}, `unknown keyword "csh", expected one of: bash, zsh, fish`},
		{[]string{"help", "bogus"}, `command "bogus" is unknown, try "brcmlink help"`},
		{[]string{"-h", "bogus"}, `command "bogus" is unknown, try "brcmlink help"`},
		{[]string{"-x"}, `option "-x" is unknown, try "brcmlink -help"`},
		{[]string{"--bogus", "show"}, `option "-bogus" is unknown, try "brcmlink -help"`},
		{[]string{"-n"}, `option "-n" needs an argument`},
		{[]string{"-batch"}, `option "-batch" needs an argument`},
		{[]string{"-batch", "-", "show"}, `-batch takes no command, but "show" was given`},
		// ip -n takes a name, not a path: a mistake on the command line.
		{[]string{"-n", "../x", "show"}, `invalid network namespace name "../x"`},
		{[]string{"-netns=a/b", "show"}, `invalid network namespace name "a/b"`},
		// ip refuses a value after an option that takes none.
		{[]string{"--json=false", "show"}, `option "--json=false": -json takes no value`},
		{[]string{"-j=true", "show"}, `option "-j=true": -json takes no value`},
		{[]string{"-s=2", "show"}, `option "-s=2": -stats takes no value`},
	} {
		f := newFake()
		r := runArgs(t, f, tt.args)
		if r.status != exitUsage || r.stderr != "Error: "+tt.want+"\n" || r.stdout != "" {
			t.Errorf("brcmlink %q: status %d, stdout %q, stderr %q; want status 1 and Error: %s", tt.args, r.status, r.stdout, r.stderr, tt.want)
		}
		if f.dials != 0 {
			t.Errorf("brcmlink %q opened a socket", tt.args)
		}
	}
}

// TestCommands checks what each command line asks of the kernel, its
// abbreviations included.
func TestCommands(t *testing.T) {
	for _, tt := range []struct {
		args  string
		calls []string
		netns string
	}{
		{"add dev eth0 port 6", []string{`Add eth0 port 6 name "" queue - te - up false`}, ""},
		{"a d eth0 p 6", []string{`Add eth0 port 6 name "" queue - te - up false`}, ""},
		{"add dev eth0 port any name uplink0 queue 3 tag-enforce 2 up", []string{`Add eth0 port 0 name "uplink0" queue 3 te 2 up true qprio false`}, ""},
		{"a p 7 n x t 1 d eth1 u q 0", []string{`Add eth1 port 7 name "x" queue 0 te 1 up true qprio false`}, ""},
		{"add dev eth1 port 6 format original queue priority vlan 100", []string{`Add eth1 port 6 name "" queue - te - up false format original qprio true vlan 100`}, ""},
		{"add dev eth0 port 6 vlan none", []string{`Add eth0 port 6 name "" queue - te - up false vlan 0`}, ""},
		{"del eth0.p5", []string{"Delete eth0.p5"}, ""},
		{"delete dev eth0 port 5", []string{"Delete eth0 port 5"}, ""},
		{"d d eth0 p 5", []string{"Delete eth0 port 5"}, ""},
		{"del dev eth0 all", []string{"DeleteAll eth0"}, ""},
		{"d d eth0 a", []string{"DeleteAll eth0"}, ""},
		{"set eth0.p5 queue 1", []string{"Set eth0.p5 queue 1 te - up - qprio false"}, ""},
		{"set eth0.p5 queue priority", []string{"Set eth0.p5 queue - te - up - qprio true"}, ""},
		{"set eth0.p5 vlan none", []string{"Set eth0.p5 queue - te - up - vlan 0"}, ""},
		{"set dev eth1 port 0 format bcm53242", []string{"Set eth1 port 0 queue - te - up - format bcm53242"}, ""},
		{"set dev eth0 all format original", []string{"SetLowerFormat eth0 original"}, ""},
		// The rest port by port, in the switch's order, after the format.
		{"set dev eth0 all format original vlan none down", []string{"SetLowerFormat eth0 original", "ListLower eth0",
			"Set ifindex 9 queue - te - up false vlan 0", "Set ifindex 7 queue - te - up false vlan 0", "Set ifindex 5 queue - te - up false vlan 0"}, ""},
		{"set de eth0 a q priority", []string{"ListLower eth0",
			"Set ifindex 9 queue - te - up - qprio true", "Set ifindex 7 queue - te - up - qprio true", "Set ifindex 5 queue - te - up - qprio true"}, ""},
		{"set dev eth0 all", []string{"ListLower eth0"}, ""},
		{"set eth0.p5 d", []string{"Set eth0.p5 queue - te - up false"}, ""},
		{"se de eth0 p 5 tag 3 up", []string{"Set eth0 port 5 queue - te 3 up true"}, ""},
		{"set eth0.p5", []string{"Set eth0.p5 queue - te - up -"}, ""},
		{"", []string{"List "}, ""}, // no command is show
		{"s", []string{"List "}, ""},
		{"show", []string{"List "}, ""},
		{"list dev eth0", []string{"ListLower eth0"}, ""},
		{"sh eth0.p5", []string{"Get eth0.p5"}, ""},
		{"show dev eth0 port 5", []string{"Get eth0 port 5"}, ""},
		{"-s -s show", []string{"List ", "Lowers "}, ""},
		{"stats", []string{"List ", "Lowers "}, ""},
		{"st eth0.p5", []string{"Get eth0.p5", "Lower eth0"}, ""},
		{"stats dev eth0", []string{"Lower eth0", "ListLower eth0"}, ""},
		{"-n lab show", []string{"List "}, "lab"},
		{"-netns=lab show", []string{"List "}, "lab"},
	} {
		f := seeded()
		r := run(t, f, tt.args)
		if r.status != 0 || r.stderr != "" {
			t.Errorf("brcmlink %s: status %d, stderr %q", tt.args, r.status, r.stderr)
			continue
		}
		want := append([]string{"dial " + tt.netns}, tt.calls...)
		if !slices.Equal(f.calls, want) {
			t.Errorf("brcmlink %s called\n%q\nwant\n%q", tt.args, f.calls, want)
		}
		if f.closes != 1 {
			t.Errorf("brcmlink %s: closed the backend %d times", tt.args, f.closes)
		}
	}
}

// TestChanges checks that add, del and set print nothing and do what
// they say.
func TestChanges(t *testing.T) {
	f := newFake()
	for _, args := range []string{"add dev eth0 port 5 up", "add dev eth0 port 6 name six queue 2", "set six tag-enforce 1 up", "del dev eth0 port 5"} {
		if r := run(t, f, args); r.status != 0 || r.stdout != "" || r.stderr != "" {
			t.Fatalf("brcmlink %s: %+v", args, r)
		}
	}
	r := run(t, f, "-d show")
	want := "six@eth0  port 6  queue 2  UP\n    ifindex 5  mtu 1500  tag-enforce 1  format bcm53242  admin up  operstate UP  link-ifindex 2\n"
	if r.stdout != want {
		t.Errorf("after the changes:\n%s\nwant\n%s", r.stdout, want)
	}
	// Every port of a lower, and the others left; again, nothing to do.
	for _, args := range []string{"add dev eth0 port 7", "add dev eth1 port 7", "del dev eth0 all", "del dev eth0 all"} {
		if r := run(t, f, args); r.status != 0 || r.stdout != "" || r.stderr != "" {
			t.Fatalf("brcmlink %s: %+v", args, r)
		}
	}
	if r := run(t, f, "show"); r.stdout != "eth1.p7@eth1  port 7  queue 0  DOWN\n" {
		t.Errorf("after del dev eth0 all:\n%s", r.stdout)
	}
}

// TestKernelErrors checks that what the kernel refuses exits 2 with its
// extended-ack message, or the errno without one.
func TestKernelErrors(t *testing.T) {
	for _, tt := range []struct {
		args string
		fail map[string]error
		want string
	}{
		{"add dev eth0 port 5", nil, "port 5 already exists on eth0 (eth0.p5)"},
		{"add dev eth9 port 5", nil, "lower device eth9 not found"},
		{"del eth0.p9", nil, "no device eth0.p9"},
		{"set dev eth0 port 9 up", nil, "no port 9 on eth0"},
		{"add dev eth0 port 6 format original", nil, "eth0's ports speak format bcm53242, not original"},
		{"set eth0.p5 format original", nil, "eth0 has 2 other ports: set its format on the lower (brcmlink set dev eth0 all format original)"},
		{"set dev eth2 all format original", nil, "lower device eth2 not found"},
		{"set dev eth2 all up", nil, "lower device eth2 not found"},
		{"show dev eth9", nil, "lower device eth9 not found"},
		{"stats dev eth1", map[string]error{"Lower": kerr(syscall.ENODEV, "eth1 has no brcm ports")}, "eth1 has no brcm ports"},
		{"del eth0.p5", map[string]error{"Delete": &brcmlink.Error{Client: "genl", Op: "delete", Dev: "eth0.p5", Err: syscall.EPERM}}, "eth0.p5: operation not permitted"},
		{"show", map[string]error{"List": &brcmlink.Error{Client: "genl", Op: "list", Err: syscall.EPERM}}, "operation not permitted"},
		{"-s -s show", map[string]error{"Lowers": &brcmlink.Error{Client: "genl", Op: "list", Err: syscall.EINTR, Message: "the lower devices kept changing: 5 dumps in a row were interrupted"}},
			"the lower devices kept changing: 5 dumps in a row were interrupted"},
		{"show", map[string]error{"List": opError("list", "", errors.New("kernel reported a port without its ifindex or switch port"))},
			"kernel reported a port without its ifindex or switch port"},
		{"show", map[string]error{"Dial": dialError(errNotLoaded, "")}, "the brcm kernel module is not loaded, and the kernel could not load it (apt install brcm-dkms; modprobe brcm says why)"},
		{"monitor", map[string]error{"Watch": &brcmlink.Error{Client: "genl", Op: "watch", Err: syscall.ENOENT, Message: `family brcm has no multicast group "monitor"`}},
			`family brcm has no multicast group "monitor"`},
	} {
		f := seeded()
		for m, err := range tt.fail {
			f.fail[m] = err
		}
		r := run(t, f, tt.args)
		if r.status != exitSystem || r.stderr != "Error: "+tt.want+"\n" || r.stdout != "" {
			t.Errorf("brcmlink %s: status %d, stdout %q, stderr %q; want status 2 and Error: %s", tt.args, r.status, r.stdout, r.stderr, tt.want)
		}
	}
}

// TestRender checks the error line of every kind of error.
func TestRender(t *testing.T) {
	for _, tt := range []struct {
		err    error
		want   string
		status int
	}{
		{&grammar.UsageError{Msg: "port 28 out of range (0-27)"}, "port 28 out of range (0-27)", 1},
		// As genl returns a kernel's refusal: its Error() starts "genl: add ...".
		{&brcmlink.Error{Client: "genl", Op: "add", Dev: "eth0 port 5", Err: syscall.EEXIST, Message: "port 5 already exists on eth0 (eth0.p5)"},
			"port 5 already exists on eth0 (eth0.p5)", 2},
		{&brcmlink.Error{Client: "genl", Op: "add", Dev: "eth0 port 5", Err: syscall.EEXIST}, "eth0 port 5: file exists", 2},
		{&brcmlink.Error{Client: "genl", Op: "list", Err: syscall.ENOBUFS}, "no buffer space available", 2},
		{fmt.Errorf("wrapped: %w", &brcmlink.Error{Client: "genl", Op: "get", Err: syscall.ENODEV, Message: "no device x"}), "no device x", 2},
		{&brcmlink.Error{Client: "genl", Op: "dial", Err: syscall.EACCES, Message: "network namespace lab: open /run/netns/lab"},
			"network namespace lab: open /run/netns/lab: permission denied", 2},
		{&dialFailure{msg: "the brcm kernel module is not loaded, and the kernel could not load it (apt install brcm-dkms; modprobe brcm says why)", err: errNotLoaded}, "the brcm kernel module is not loaded, and the kernel could not load it (apt install brcm-dkms; modprobe brcm says why)", 2},
		// Without an errno, such as a malformed reply: the cause, without
		// the client's "genl: list:", after the device if known.
		{opError("list", "", errors.New("kernel reported a malformed port: netlink: attribute 7 is not a uint16; length: 1")),
			"kernel reported a malformed port: netlink: attribute 7 is not a uint16; length: 1", 2},
		{opError("get", "eth0.p5", errors.New("kernel answered 2 messages for one")),
			"eth0.p5: kernel answered 2 messages for one", 2},
		{errors.New("something else"), "something else", 2},
		{nil, "", 0},
	} {
		msg, status := render(tt.err)
		if msg != tt.want || status != tt.status {
			t.Errorf("render(%v) = %q, %d; want %q, %d", tt.err, msg, status, tt.want, tt.status)
		}
	}
}

// opError is an error without an errno as genl returns it.
func opError(op, dev string, err error) error {
	return &brcmlink.OpError{Client: "genl", Op: op, Dev: dev, Err: err}
}

// errNotLoaded is Dial's error without the brcm module, as near as a test
// without the kernel gets to it.
var errNotLoaded = fmt.Errorf("genl: dial: %w", genl.ErrNotLoaded)

// TestDialError checks how the failures of Dial that people meet most
// read: the missing module and a missing namespace, both ENOENT, told
// apart by genl.ErrNotLoaded; anything else as it comes.
func TestDialError(t *testing.T) {
	const ns = "no-such-netns-here"
	_, noNetNS := genl.Dial(genl.WithNetNSName(ns)) // fails opening it, before any socket
	for _, tt := range []struct {
		err   error
		netns string
		want  string
	}{
		{errNotLoaded, "", "the brcm kernel module is not loaded, and the kernel could not load it (apt install brcm-dkms; modprobe brcm says why)"},
		{errNotLoaded, "lab", "the brcm kernel module is not loaded, and the kernel could not load it (apt install brcm-dkms; modprobe brcm says why)"},
		{noNetNS, ns, `network namespace "` + ns + `" not found (no /run/netns/` + ns + `)`},
		{&brcmlink.Error{Client: "genl", Op: "dial", Err: syscall.EPERM}, "lab", "operation not permitted"},
	} {
		msg, status := render(dialError(tt.err, tt.netns))
		if msg != tt.want || status != exitSystem {
			t.Errorf("dialError(%v, %q): %q, %d; want %q, 2", tt.err, tt.netns, msg, status, tt.want)
		}
	}
	if _, err := dialGenl(ns); !errors.Is(err, os.ErrNotExist) || err.Error() != `network namespace "`+ns+`" not found (no /run/netns/`+ns+`)` {
		t.Errorf("dialGenl(%q): %v", ns, err)
	}
}

func TestVersionAndHelp(t *testing.T) {
	want := "brcmlink version " + brcmlink.Version + "\nbrcm module version 0.3.0, generic netlink family brcm version 1\n"
	for _, args := range []string{"-V", "-version", "--version", "-V show"} {
		if r := run(t, newFake(), args); r.status != 0 || r.stdout != want {
			t.Errorf("brcmlink %s: %+v, want %q", args, r, want)
		}
	}
	f := newFake()
	f.moduleVersion = ""
	if r := run(t, f, "-V"); !strings.HasSuffix(r.stdout, "\nbrcm module version unknown, generic netlink family brcm version 1\n") {
		t.Errorf("brcmlink -V, a module without a version: %+v", r)
	}
	f.fail["Dial"] = fmt.Errorf("dial: %w", genl.ErrNotLoaded)
	if r := run(t, f, "-V"); r.status != 0 || r.stdout != "brcmlink version "+brcmlink.Version+"\nbrcm module not loaded\n" {
		t.Errorf("brcmlink -V without the module: %+v", r)
	}
	usage := grammar.Usage()
	add, _ := grammar.Lookup("add", false)
	set, _ := grammar.Lookup("set", false)
	for _, tt := range []struct{ args, want string }{
		{"-h", usage},
		{"-help", usage},
		{"--help", usage},
		{"help", usage},
		{"h", usage},
		{"-h add", add.HelpText()},
		{"-h a", add.HelpText()},
		{"help add", add.HelpText()},
		{"help a", add.HelpText()},
		{"add help", add.HelpText()},
		{"a d eth0 help", add.HelpText()},
		{"set eth0.p5 -h", set.HelpText()},
	} {
		f := newFake()
		r := run(t, f, tt.args)
		if r.status != 0 || r.stdout != tt.want || r.stderr != "" || f.dials != 0 {
			t.Errorf("brcmlink %s: status %d, stderr %q, dials %d, stdout\n%s", tt.args, r.status, r.stderr, f.dials, r.stdout)
		}
	}
	if !strings.Contains(usage, "add dev LOWER port PORT [ name NAME ] [ queue Q ] [ tag-enforce T ] [ format FORMAT ] [ vlan VLAN ] [ up ]") {
		t.Errorf("usage lacks the synopsis of add:\n%s", usage)
	}
}

// TestDispatch checks that every word naming a command, abbreviations
// included, reaches that command, through urfave/cli as through -h.
func TestDispatch(t *testing.T) {
	for _, c := range grammar.Commands {
		for _, w := range append(append([]string{c.Name}, c.Aliases...), c.Abbreviations()...) {
			for _, args := range [][]string{{w, "help"}, {"-h", w}} {
				f := newFake()
				if r := runArgs(t, f, args); r.status != 0 || r.stdout != c.HelpText() || f.dials != 0 {
					t.Errorf("brcmlink %s: %+v, want the help of %s", strings.Join(args, " "), r, c.Name)
				}
			}
		}
	}
	if r := run(t, newFake(), "man"); r.status != 0 || r.stdout != grammar.Man() {
		t.Errorf("brcmlink man: status %d, stderr %q", r.status, r.stderr)
	}
	if r := run(t, newFake(), "-batch - man"); r.status != 1 || r.stderr != "Error: -batch takes no command, but \"man\" was given\n" {
		t.Errorf("brcmlink -batch - man: %+v", r)
	}
	if r := run(t, newFake(), "-batch -", "man\n"); r.status != 1 || !strings.HasPrefix(r.stderr, "Error: man is not allowed in a batch file\n") {
		t.Errorf("brcmlink -batch - with man: %+v", r)
	}
}

// TestOptionsSpelled checks the spellings urfave/cli takes for options.
func TestOptionsSpelled(t *testing.T) {
	for _, args := range []string{"-j show", "-json show", "--json show", "-j -p show", "--pretty --json show"} {
		if r := run(t, newFake(), args); r.status != 0 || !strings.HasPrefix(r.stdout, "[") {
			t.Errorf("brcmlink %s: %+v", args, r)
		}
	}
	// -s counts.
	for _, tt := range []struct {
		args  string
		lower bool
	}{{"-s show", false}, {"-s -s show", true}, {"-stats --stats show", true}, {"-s -d -s show", true}} {
		r := run(t, seeded(), tt.args)
		if got := strings.Contains(r.stdout, "lower:"); got != tt.lower || !strings.Contains(r.stdout, "RX:") {
			t.Errorf("brcmlink %s: lower counters %v, want %v:\n%s", tt.args, got, tt.lower, r.stdout)
		}
	}
}

// TestBatch checks batch mode: comments, blank lines, quotes, the line of
// the failing command, -force and the exit status, one socket for all.
func TestBatch(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ports.batch")
	for _, tt := range []struct {
		name   string
		args   string
		input  string
		status int
		stderr string
		ports  []string // the ports after the batch, sorted
	}{
		{
			name:   "ok",
			args:   "-batch FILE",
			input:  "# ports\n\nadd dev eth0 port 5\n  a d eth0 p 6 up   # trailing comment\n\t\nadd dev eth1 port any name 'up#1'\n",
			status: 0,
			ports:  []string{"eth0.p5", "eth0.p6", "up#1"},
		},
		{
			name:   "stops at a kernel error",
			args:   "-batch FILE",
			input:  "add dev eth0 port 5\n# x\nadd dev eth0 port 5\nadd dev eth0 port 7\n",
			status: 2,
			stderr: "Error: port 5 already exists on eth0 (eth0.p5)\nCommand failed FILE:3\n",
			ports:  []string{"eth0.p5"},
		},
		{
			name:   "stops at a usage error",
			args:   "-batch FILE",
			input:  "add dev eth0 port 5\nadd dev eth0 port 28\nadd dev eth0 port 7\n",
			status: 1,
			stderr: "Error: port 28 out of range (0-27)\nCommand failed FILE:2\n",
			ports:  []string{"eth0.p5"},
		},
		{
			name:   "force goes on, worst status",
			args:   "-batch FILE -force",
			input:  "add dev eth0 port 28\nadd dev eth0 port 5\nadd dev eth0 port 5\nbogus\nadd dev eth0 port 7\n",
			status: 2,
			stderr: "Error: port 28 out of range (0-27)\nCommand failed FILE:1\n" +
				"Error: port 5 already exists on eth0 (eth0.p5)\nCommand failed FILE:3\n" +
				"Error: command \"bogus\" is unknown, try \"brcmlink help\"\nCommand failed FILE:4\n",
			ports: []string{"eth0.p5", "eth0.p7"},
		},
		{
			name:   "force, usage errors only",
			args:   "-force -b FILE",
			input:  "add dev eth0 port 5 queue 9\nadd dev eth0 port 6\n",
			status: 1,
			stderr: "Error: queue 9 out of range (0-3)\nCommand failed FILE:1\n",
			ports:  []string{"eth0.p6"},
		},
		{
			name:   "not in a batch",
			args:   "-batch FILE -force",
			input:  "help\ncompletion bash\n-j show\nadd dev eth0 port 1 \"unterminated\nmonitor\n",
			status: 1,
			stderr: "Error: help is not allowed in a batch file\nCommand failed FILE:1\n" +
				"Error: completion is not allowed in a batch file\nCommand failed FILE:2\n" +
				"Error: option \"-j\" is not allowed in a batch file: give it on the command line\nCommand failed FILE:3\n" +
				"Error: unterminated quoted string\nCommand failed FILE:4\n" +
				"Error: monitor is not allowed in a batch file\nCommand failed FILE:5\n",
		},
		{
			name:  "empty",
			args:  "-batch FILE",
			input: "",
		},
	} {
		for _, stdin := range []bool{false, true} {
			name, args := file, strings.Replace(tt.args, "FILE", file, 1)
			var in []string
			if stdin {
				name, args, in = "-", strings.Replace(tt.args, "FILE", "-", 1), []string{tt.input}
			} else if err := os.WriteFile(file, []byte(tt.input), 0o644); err != nil {
				t.Fatal(err)
			}
			f := newFake()
			r := run(t, f, args, in...)
			wantErr := strings.ReplaceAll(tt.stderr, "FILE", name)
			if r.status != tt.status || r.stderr != wantErr {
				t.Errorf("%s (stdin %v): status %d, stderr\n%s\nwant status %d, stderr\n%s", tt.name, stdin, r.status, r.stderr, tt.status, wantErr)
			}
			var ports []string
			for _, p := range f.k.Ports() {
				ports = append(ports, p.Name)
			}
			slices.Sort(ports)
			if !slices.Equal(ports, tt.ports) {
				t.Errorf("%s (stdin %v): ports %q, want %q", tt.name, stdin, ports, tt.ports)
			}
			if f.dials > 1 || f.closes != f.dials {
				t.Errorf("%s (stdin %v): %d dials, %d closes; want one socket, closed", tt.name, stdin, f.dials, f.closes)
			}
		}
	}
}

// TestBatchOptions checks that the options of the command line apply to
// every line, and that output comes in order.
func TestBatchOptions(t *testing.T) {
	r := run(t, seeded(), "-j -batch -", "show dev eth1\nshow uplink\nstats dev eth1\n")
	port := `{"ifindex":8,"link":"eth1","ifname":"uplink","flags":["NO-CARRIER","BROADCAST","MULTICAST","UP"],"mtu":1500,"operstate":"LOWERLAYERDOWN",` +
		`"address":"02:00:00:00:00:03","linkinfo":{"info_kind":"brcm","info_data":{"port":0,"queue":2,"tag_enforce":3,"format":"original","queue_from_priority":true,"vlan":0}}`
	want := "[" + port + "}]\n"
	want += want
	want += `{"ports":[` + port + `,"stats64":{"rx":{"bytes":42000,"packets":42,"errors":0,"dropped":1,"over_errors":0,"multicast":4},` +
		`"tx":{"bytes":42000,"packets":84,"errors":0,"dropped":0,"carrier_errors":0,"collisions":0}}}],` +
		`"lowers":[{"ifindex":3,"ifname":"eth1","ports":1,"format":"original","stats":{"rx_tagged":42,"rx_bad_length":0,"rx_bad_opcode":0,"rx_bad_port_id":0,"rx_unknown_port":0}}]}` + "\n"
	if r.status != 0 || r.stdout != want {
		t.Errorf("status %d, stderr %q, stdout\n%s\nwant\n%s", r.status, r.stderr, r.stdout, want)
	}
	// -n applies too: the one socket is opened in the namespace.
	f := newFake()
	run(t, f, "-n lab -batch -", "show\nshow\n")
	if !slices.Equal(f.calls, []string{"dial lab", "List ", "List "}) {
		t.Errorf("calls %q", f.calls)
	}
}

// TestBatchThousand runs 1,000 adds on one socket.
func TestBatchThousand(t *testing.T) {
	f := newFake()
	var b strings.Builder
	for i := range 1000 {
		lower := fmt.Sprintf("sw%d", i/25)
		if i%25 == 0 {
			f.k.AddEthernet(lower)
		}
		fmt.Fprintf(&b, "add dev %s port %d\n", lower, i%25+1)
	}
	r := run(t, f, "-batch -", b.String())
	if n := len(f.k.Ports()); r.status != 0 || r.stderr != "" || n != 1000 || f.dials != 1 {
		t.Errorf("status %d, stderr %q, %d ports, %d dials", r.status, r.stderr, n, f.dials)
	}
}

func TestBatchFileMissing(t *testing.T) {
	file := filepath.Join(t.TempDir(), "none")
	r := run(t, newFake(), "-batch "+file)
	want := fmt.Sprintf("Error: cannot open batch file %q: no such file or directory\n", file)
	if r.status != exitSystem || r.stderr != want {
		t.Errorf("status %d, stderr %q; want 2, %q", r.status, r.stderr, want)
	}
}

// TestBatchDialFails checks that a batch whose socket cannot open, or
// whose requests the kernel refuses for want of permission, stops at once
// even with -force: no later line could do better.
func TestBatchDialFails(t *testing.T) {
	f := newFake()
	f.fail["Dial"] = dialError(errNotLoaded, "")
	r := run(t, f, "-batch - -force", "show\nshow\n")
	want := "Error: the brcm kernel module is not loaded, and the kernel could not load it (apt install brcm-dkms; modprobe brcm says why)\nCommand failed -:1\n"
	if r.status != exitSystem || r.stderr != want || f.dials != 1 {
		t.Errorf("status %d, %d dials, stderr\n%s", r.status, f.dials, r.stderr)
	}
	f = newFake()
	f.fail["Add"] = &brcmlink.Error{Client: "genl", Op: "add", Dev: "eth0 port 1", Err: syscall.EPERM}
	r = run(t, f, "-batch - -force", "add dev eth0 port 1\nadd dev eth0 port 2\n")
	want = "Error: eth0 port 1: operation not permitted\nCommand failed -:1\n"
	if r.status != exitSystem || r.stderr != want {
		t.Errorf("status %d, stderr\n%s", r.status, r.stderr)
	}
}

// TestBatchContinuation checks that a line ending in a backslash goes on
// on the next, as in ip -batch, and that an error names the line the
// command starts on.
func TestBatchContinuation(t *testing.T) {
	f := newFake()
	r := run(t, f, "-batch -", "add dev eth0 \\\n  port 5 \\\n  name wan\nadd dev eth0 \\\n port 5\n")
	want := "Error: port 5 already exists on eth0 (wan)\nCommand failed -:4\n"
	if r.status != exitSystem || r.stderr != want {
		t.Errorf("status %d, stderr\n%s\nwant\n%s", r.status, r.stderr, want)
	}
	if ps := f.k.Ports(); len(ps) != 1 || ps[0].Name != "wan" {
		t.Errorf("ports %+v", ps)
	}
}

func TestCompletionScripts(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		r := run(t, newFake(), "completion "+shell)
		if r.status != 0 || r.stdout != completionScript(shell) || !strings.Contains(r.stdout, " __complete ") {
			t.Errorf("completion %s: %+v", shell, r)
		}
		if strings.Contains(r.stdout, "PROG") || strings.Contains(r.stdout, "COMPLETE") || strings.Contains(r.stdout, "FILES") {
			t.Errorf("completion %s: placeholders left:\n%s", shell, r.stdout)
		}
	}
	r := run(t, newFake(), "c b")
	if r.stdout != completionScript("bash") {
		t.Errorf("c b: %+v", r)
	}
}

func TestCompleteCommand(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"__complete", "a", "d", ""}, "eth0\neth1\nlo\n"},
		{[]string{"__complete", "se"}, "set\tchange a port, or every port of a lower device\n"},
		{[]string{"__complete", "del", ""}, "eth0.p1\neth0.p27\neth0.p5\nlab.p3\nuplink\ndev\tthe port's lower device\nport\tthe port's switch port\nall\tevery port of the lower device\n"},
		{[]string{"__complete", "-n", ""}, "lab\nlab2\n"},
		// Under -n, the lowers of that namespace (issue 27, defect 10).
		{[]string{"__complete", "-n", "lab", "a", "d", ""}, "lab0\n"},
		{[]string{"__complete", "-n", "lab2", "a", "d", ""}, ""},
		{[]string{"__complete", "-batch", "x"}, ":files\n"},
		{[]string{"__complete", "-j", "show", "dev", "eth0", "p"}, "port\tshow only the port on switch port PORT\n"},
	} {
		r := runArgs(t, seeded(), tt.args)
		if r.status != 0 || r.stdout != tt.want {
			t.Errorf("brcmlink %q: status %d, stderr %q, stdout\n%s\nwant\n%s", tt.args, r.status, r.stderr, r.stdout, tt.want)
		}
	}
}

// TestOptionPrefixes: a global option may be any prefix of its long
// name, as in ip (matches()), the first in the option table winning.
func TestOptionPrefixes(t *testing.T) {
	for _, tt := range []struct{ given, canonical string }{
		{"-de show", "-details show"},
		{"-det show", "-d show"},
		{"-stat show", "-stats show"},
		{"-statistics -st show", "-s -s show"},
		{"--stat show", "-s show"},
		{"-js -pre show", "-j -p show"},
		{"-Version", "-V"},
		{"-ver", "-V"},
		{"-net lab show", "-netns lab show"},
		{"-net=lab show", "-n lab show"},
		{"-he", "-h"},
	} {
		got, want := run(t, seeded(), tt.given), run(t, seeded(), tt.canonical)
		if got.status != 0 || got != want {
			t.Errorf("brcmlink %s: %+v\nwant as brcmlink %s: %+v", tt.given, got, tt.canonical, want)
		}
	}
	for _, args := range []string{"-x show", "-detailz show"} {
		if r := run(t, seeded(), args); r.status != 1 || !strings.Contains(r.stderr, "is unknown") {
			t.Errorf("brcmlink %s: %+v, want exit 1 and an unknown option", args, r)
		}
	}
}
