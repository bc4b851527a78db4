// SPDX-License-Identifier: MIT

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/cmd/brcmlink/grammar"
	"github.com/brcmlink/brcmlink/genl"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden and docs/brcmlink.8 from what the code prints")

// golden compares got with testdata/name.golden, or rewrites it.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (go test -update rewrites it):\n%s", name, path, got)
	}
}

// monitorEvents are what the fake's Watch sends in the monitor tests.
func monitorEvents() []genl.Event {
	p := brcmlink.Port{Index: 10, Name: "eth0.p5", LowerIndex: 2, Lower: "eth0", Port: 5, OperState: brcmlink.OperDown, MTU: 1500,
		Stats: &brcmlink.Stats{}}
	up := p
	up.Up, up.OperState, up.Queue = true, brcmlink.OperUp, 2
	up.Stats = &brcmlink.Stats{RxPackets: 3, RxBytes: 180, TxPackets: 1, TxBytes: 60}
	other := brcmlink.Port{Index: 20, Name: "lab.p3", LowerIndex: 4, LowerNetNSID: new(int32(0)), Port: 3, OperState: brcmlink.OperLowerLayerDown, MTU: 1500}
	return []genl.Event{
		{Kind: genl.Created, Port: p},
		{Kind: genl.Changed, Port: up},
		{Kind: genl.Lost, Err: &brcmlink.Error{Client: "genl", Op: "watch", Err: syscall.ENOBUFS}},
		{Kind: genl.Created, Port: other},
		{Kind: genl.Deleted, Port: up},
	}
}

// TestOutput checks the text and JSON that show, stats and monitor print
// against testdata/*.golden, and that the JSON parses back.
func TestOutput(t *testing.T) {
	for _, tt := range []struct {
		name, args string
		fake       func() *fake
		json       string // "array", "object", "lines": the JSON it must be
	}{
		{"show", "show", seeded, ""},
		{"show_details", "-d show", seeded, ""},
		{"show_stats", "-s show", seeded, ""},
		{"show_stats2", "-s -s -d show", seeded, ""},
		{"show_one", "show eth0.p5", seeded, ""},
		{"show_lower", "show dev eth0", seeded, ""},
		{"show_empty", "show", newFake, ""},
		{"show_json", "-j show", seeded, "array"},
		{"show_json_stats2", "-j -s -s show", seeded, "array"},
		{"show_json_pretty", "-j -p -s show dev eth1", seeded, "array"},
		{"show_json_empty", "-j show", newFake, "array"},
		{"stats", "stats", seeded, ""},
		{"stats_dev", "stats dev eth0", seeded, ""},
		{"stats_name", "-d stats uplink", seeded, ""},
		{"stats_json", "-j stats", seeded, "object"},
		{"stats_json_pretty", "-j -p stats dev eth1", seeded, "object"},
		{"stats_json_empty", "-j stats", newFake, "object"},
		{"monitor", "-d monitor", newFake, ""},
		{"monitor_json", "-j -p -s monitor", newFake, "lines"},
		{"show_brief", "-br show", seeded, ""},
		{"show_brief_json", "-j -br show", seeded, ""},
		{"show_oneline", "-o -s -s -d show", seeded, ""},
		{"monitor_oneline", "-o -d -s monitor", newFake, ""},
		{"monitor_timestamp", "-t monitor", newFake, ""},
		{"monitor_tshort", "-ts monitor", newFake, ""},
		{"monitor_dev", "monitor dev eth0", newFake, ""},
		{"monitor_dev_port", "-j monitor dev lab.p3", newFake, "lines"},
	} {
		f := tt.fake()
		f.events = monitorEvents()
		r := run(t, f, tt.args)
		if r.status != 0 || r.stderr != "" {
			t.Errorf("brcmlink %s: status %d, stderr %q", tt.args, r.status, r.stderr)
			continue
		}
		golden(t, tt.name, r.stdout)
		checkJSON(t, tt.args, tt.json, r.stdout)
	}
}

// checkJSON parses out back as the JSON it must be and checks its shape.
func checkJSON(t *testing.T, args, kind, out string) {
	t.Helper()
	// ip -j -s -d link's keys, and what their values are.
	portKeys := map[string]string{"ifindex": "number", "ifname": "string", "flags": "array", "mtu": "number",
		"operstate": "string", "address": "string", "linkinfo": "object"}
	jsonType := func(v any) string {
		switch v.(type) {
		case float64:
			return "number"
		case string:
			return "string"
		case []any:
			return "array"
		case map[string]any:
			return "object"
		}
		return fmt.Sprintf("%T", v)
	}
	checkPort := func(p map[string]any) {
		for k, want := range portKeys {
			if got := jsonType(p[k]); got != want {
				t.Errorf("%s: port's %q is %s, want %s: %v", args, k, got, want, p)
			}
		}
		li, _ := p["linkinfo"].(map[string]any)
		data, _ := li["info_data"].(map[string]any)
		if li["info_kind"] != "brcm" || jsonType(data["port"]) != "number" || jsonType(data["queue"]) != "number" || jsonType(data["tag_enforce"]) != "number" {
			t.Errorf("%s: linkinfo %v", args, li)
		}
		// A lower in another namespace (lab.p3's) has an index and a
		// netnsid, as with ip, not a name.
		_, link := p["link"]
		_, index := p["link_index"]
		_, netnsid := p["link_netnsid"]
		if far := p["ifname"] == "lab.p3"; link == far || netnsid != far || index != far {
			t.Errorf("%s: port with link %v, link_index %v and link_netnsid %v: %v", args, link, index, netnsid, p)
		}
		if s, ok := p["stats64"].(map[string]any); ok {
			rx, _ := s["rx"].(map[string]any)
			tx, _ := s["tx"].(map[string]any)
			for _, k := range []string{"bytes", "packets", "errors", "dropped", "over_errors", "multicast"} {
				if jsonType(rx[k]) != "number" {
					t.Errorf("%s: stats64.rx without %s", args, k)
				}
			}
			for _, k := range []string{"bytes", "packets", "errors", "dropped", "carrier_errors", "collisions"} {
				if jsonType(tx[k]) != "number" {
					t.Errorf("%s: stats64.tx without %s", args, k)
				}
			}
		}
	}
	checkLower := func(l map[string]any) {
		s, _ := l["stats"].(map[string]any)
		for _, k := range []string{"rx_tagged", "rx_bad_length", "rx_bad_opcode", "rx_bad_port_id", "rx_unknown_port"} {
			if _, ok := s[k]; !ok {
				t.Errorf("%s: lower without stats.%s: %v", args, k, l)
			}
		}
		if _, ok := l["ports"]; !ok || l["ifname"] == nil || l["ifindex"] == nil {
			t.Errorf("%s: lower incomplete: %v", args, l)
		}
	}
	switch kind {
	case "array":
		var ps []map[string]any
		if err := json.Unmarshal([]byte(out), &ps); err != nil || ps == nil {
			t.Errorf("%s: not a JSON array (%v): %s", args, err, out)
		}
		for _, p := range ps {
			checkPort(p)
		}
	case "object":
		var s struct {
			Ports  []map[string]any `json:"ports"`
			Lowers []map[string]any `json:"lowers"`
		}
		if err := json.Unmarshal([]byte(out), &s); err != nil || s.Ports == nil || s.Lowers == nil {
			t.Errorf("%s: not {ports, lowers} (%v): %s", args, err, out)
		}
		for _, p := range s.Ports {
			checkPort(p)
			if p["stats64"] == nil {
				t.Errorf("%s: a port without stats64", args)
			}
		}
		for _, l := range s.Lowers {
			checkLower(l)
		}
	case "lines":
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			var ev map[string]any
			if err := json.Unmarshal([]byte(line), &ev); err != nil {
				t.Errorf("%s: line not a JSON object (%v): %s", args, err, line)
				continue
			}
			switch ev["event"] {
			case "new", "change", "del":
				checkPort(ev)
			case "lost":
				if ev["error"] == "" {
					t.Errorf("%s: lost without error", args)
				}
			default:
				t.Errorf("%s: event %v", args, ev["event"])
			}
		}
	}
}

// TestShowSorted checks the order of show: by lower, then port,
// whatever order the kernel lists ports in; foreign lowers last.
func TestShowSorted(t *testing.T) {
	r := run(t, seeded(), "show")
	var names []string
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		names = append(names, strings.Fields(l)[0])
	}
	want := "eth0.p1@eth0 eth0.p5@eth0 eth0.p27@eth0 uplink@eth1 lab.p3@if4"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("order %s, want %s", got, want)
	}
}

// lineWriter records each Write, to see that monitor flushes every
// line as it comes.
type lineWriter struct {
	mu     sync.Mutex
	writes []string
}

func (w *lineWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes = append(w.writes, string(b))
	return len(b), nil
}

func TestMonitorFlushesEachLine(t *testing.T) {
	for _, args := range []string{"monitor", "-j monitor"} {
		f := newFake()
		f.events = monitorEvents()
		ctx, cancel := context.WithCancel(context.Background())
		f.afterEvents = cancel
		var out lineWriter
		var errOut bytes.Buffer
		status := Main(ctx, strings.Fields(args), &env{stdout: &out, stderr: &errOut, dial: f.dial})
		cancel()
		if status != 0 || len(out.writes) != len(f.events) {
			t.Errorf("%s: status %d, %d writes for %d events: %q", args, status, len(out.writes), len(f.events), out.writes)
		}
		for _, w := range out.writes {
			if strings.Count(w, "\n") != 1 || !strings.HasSuffix(w, "\n") {
				t.Errorf("%s: a write that is not one line: %q", args, w)
			}
		}
	}
}

// TestMonitorFails checks that a watch that ends by itself (its socket
// failed) exits 2 with the reason, after printing it as [LOST].
func TestMonitorFails(t *testing.T) {
	f := newFake()
	f.events = []genl.Event{{Kind: genl.Lost, Err: &brcmlink.Error{Client: "genl", Op: "watch", Err: syscall.EIO}}}
	f.endWatch = true
	r := run(t, f, "monitor")
	if r.status != exitSystem || r.stdout != "[LOST] input/output error\n" || r.stderr != "Error: input/output error\n" {
		t.Errorf("%+v", r)
	}
}

// TestManPage checks that docs/brcmlink.8 is what the grammar makes, and
// that brcmlink man prints it.
func TestManPage(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "brcmlink.8")
	man := grammar.Man()
	if r := run(t, newFake(), "man"); r.status != 0 || r.stdout != man {
		t.Errorf("brcmlink man: status %d, stderr %q", r.status, r.stderr)
	}
	if *update {
		if err := os.WriteFile(path, []byte(man), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != man {
		t.Errorf("%s is not what the grammar makes: go generate ./cmd/brcmlink, or go test ./cmd/brcmlink -update", path)
	}
	for _, sec := range []string{".SH EXIT STATUS\n", ".SH FILES\n", ".SH ENVIRONMENT\n", "NO_COLOR", "/run/brcmlink.lock", "\\fB\\%4\\fR\n"} {
		if !strings.Contains(man, sec) {
			t.Errorf("the man page lacks %q", sec)
		}
	}
	// \% keeps a word whole only at its start: inside, as in -n[\%etns],
	// it is where roff may break the word.
	fonts := strings.NewReplacer(`\fB`, "", `\fI`, "", `\fR`, "")
	for _, line := range strings.Split(man, "\n") {
		for i := strings.Index(line, `\%`); i >= 0; i = next(line, i) {
			if before := fonts.Replace(line[:i]); before != "" && !strings.HasSuffix(before, " ") && !strings.HasSuffix(before, `\ `) {
				t.Errorf("the man page has \\%% inside a word: %s", line)
				break
			}
		}
	}
	for _, c := range grammar.Commands {
		if !strings.Contains(man, ".SS "+c.Name+"\n") {
			t.Errorf("the man page lacks %s", c.Name)
		}
	}
	for _, o := range grammar.Options {
		if !strings.Contains(man, `\-`+strings.ReplaceAll(o.Name, "-", `\-`)+`\fR`) {
			t.Errorf("the man page lacks -%s", o.Name)
		}
	}
}

// next is the index of the next \% in line after the one at i, or -1.
func next(line string, i int) int {
	j := strings.Index(line[i+2:], `\%`)
	if j < 0 {
		return -1
	}
	return i + 2 + j
}

// TestColor checks when output is colored, as ip decides, and what:
// names cyan, UP green, DOWN red, bold on a dark background.
func TestColor(t *testing.T) {
	const (
		plain = "eth0.p1@eth0   port 1   queue 0         UP\n"
		color = "\x1b[36meth0.p1@eth0 \x1b[0m  port 1   queue 0         \x1b[32mUP\x1b[0m\n"
		bold  = "\x1b[1;36meth0.p1@eth0 \x1b[0m  port 1   queue 0         \x1b[1;32mUP\x1b[0m\n"
	)
	for _, tt := range []struct {
		args     string
		terminal bool
		env      map[string]string
		want     string // the first line
	}{
		{"show", false, nil, plain},
		{"show", true, nil, color}, // as -c=auto
		{"show", true, map[string]string{"NO_COLOR": "1"}, plain},
		{"-c show", true, map[string]string{"NO_COLOR": "1"}, color},
		{"-c show", false, nil, color},
		{"-color show", false, nil, color},
		{"-col=always show", false, nil, color},
		{"-c=auto show", false, nil, plain},
		{"-c=auto show", true, nil, color},
		{"-c=never show", true, nil, plain},
		{"--color=never show", true, nil, plain},
		{"-c show", false, map[string]string{"COLORFGBG": "15;0"}, bold},
		{"-c show", false, map[string]string{"COLORFGBG": "0;15"}, color},
		{"-c show", false, map[string]string{"COLORFGBG": "15;default;8"}, bold},
	} {
		f := seeded()
		f.terminal, f.environ = tt.terminal, tt.env
		r := run(t, f, tt.args)
		if first, _, _ := strings.Cut(r.stdout, "\n"); r.status != 0 || first+"\n" != tt.want {
			t.Errorf("brcmlink %s (terminal %v, %v): status %d, stderr %q, first line %q, want %q",
				tt.args, tt.terminal, tt.env, r.status, r.stderr, first, tt.want)
		}
	}
	// Never in JSON; DOWN red; brief, details and stats colored too.
	f := seeded()
	f.terminal = true
	if r := run(t, f, "-j show"); strings.Contains(r.stdout, "\x1b") {
		t.Errorf("brcmlink -j show on a terminal: %s", r.stdout)
	}
	for args, want := range map[string]string{
		"-c show eth0.p27":      "\x1b[36meth0.p27@eth0\x1b[0m  port 27  queue 3  \x1b[31mDOWN\x1b[0m\n",
		"-c -br show eth0.p27":  "\x1b[36meth0.p27@eth0   \x1b[0m \x1b[31mDOWN          \x1b[0m port 27\n",
		"-c -d show eth0.p27":   "operstate \x1b[31mDOWN\x1b[0m  link-ifindex",
		"-c stats dev eth0":     "lower \x1b[36meth0\x1b[0m  ifindex 2",
		"-c show uplink":        "\x1b[36muplink@eth1\x1b[0m  port 0  queue priority  LOWERLAYERDOWN\n", // neither UP nor DOWN
		"-c -o -d show eth0.p5": "\x1b[32mUP\x1b[0m\\    ifindex",
	} {
		if r := run(t, seeded(), args); r.status != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("brcmlink %s: status %d, stderr %q, stdout %q, want it to hold %q", args, r.status, r.stderr, r.stdout, want)
		}
	}
	for args, want := range map[string]string{
		"-c=bogus show": `Error: option "-color" takes always, auto, never, not "bogus"`,
		"-c auto show":  `Error: command "auto" is unknown, try "brcmlink help"`, // as ip: a value only after =
	} {
		if r := run(t, seeded(), args); r.status != 1 || r.stderr != want+"\n" {
			t.Errorf("brcmlink %s: status %d, stderr %q, want %q", args, r.status, r.stderr, want)
		}
	}
}
