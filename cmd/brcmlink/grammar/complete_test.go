// SPDX-License-Identifier: MIT

package grammar

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestComplete(t *testing.T) {
	var portsNS []string
	src := Sources{
		Lowers: func(string) []string { return []string{"eth0", "eth1", "lo"} },
		Ports: func(netns string) []string {
			portsNS = append(portsNS, netns)
			return []string{"eth0.p5", "uplink"}
		},
		NetNS: func() []string { return []string{"lab", "lab2", "prod"} },
	}
	for _, tt := range []struct {
		line  string // the words; a trailing blank completes an empty word
		want  []string
		files bool
	}{
		{"", []string{"add", "del", "set", "show", "stats", "monitor", "apply", "config", "help", "completion"}, false},
		{"s", []string{"set", "show", "stats"}, false},
		{"-", []string{"-json", "-pretty", "-stats", "-details", "-oneline", "-timestamp", "-tshort", "-netns", "-batch", "-color", "-brief", "-force", "-version", "-help"}, false},
		{"--j", []string{"--json"}, false},
		{"-j -s sh", []string{"show"}, false},
		{"-n ", []string{"lab", "lab2", "prod"}, false},
		{"-netns la", []string{"lab", "lab2"}, false},
		{"-batch ", nil, true},
		{"-b file ", []string{"-json", "-pretty", "-stats", "-details", "-oneline", "-timestamp", "-tshort", "-netns", "-batch", "-color", "-brief", "-force", "-version", "-help"}, false},
		{"add ", []string{"dev", "port", "name", "queue", "tag-enforce", "format", "vlan", "up"}, false},
		{"a d ", []string{"eth0", "eth1", "lo"}, false},
		{"add dev e", []string{"eth0", "eth1"}, false},
		{"add dev eth0 ", []string{"port", "name", "queue", "tag-enforce", "format", "vlan", "up"}, false},
		{"add dev eth0 port 2", []string{"2", "20", "21", "22", "23", "24", "25", "26", "27"}, false},
		{"add dev eth0 port a", []string{"any"}, false},
		{"add dev eth0 port 5 queue ", []string{"0", "1", "2", "3", "priority"}, false},
		{"add dev eth0 port 5 queue p", []string{"priority"}, false},
		{"add dev eth0 port 5 format ", []string{"bcm53242", "original"}, false},
		{"add dev eth0 port 5 format o", []string{"original"}, false},
		{"add dev eth0 port 5 vlan ", []string{"none"}, false},
		{"add dev eth0 port 5 f", []string{"format"}, false},
		{"add dev eth0 port 5 tag-enforce ", []string{"0", "1", "2", "3"}, false},
		{"add dev eth0 port 5 name ", nil, false},
		{"add dev eth0 port 99 ", nil, false}, // the parser refuses what came before
		{"del ", []string{"eth0.p5", "uplink", "dev", "port", "all"}, false},
		{"del dev eth0 ", []string{"port", "all"}, false},
		{"del u", []string{"uplink"}, false},
		{"del eth0.p5 ", nil, false},
		{"set eth0.p5 ", []string{"queue", "tag-enforce", "format", "vlan", "up", "down"}, false},
		{"set dev eth0 ", []string{"port", "all", "queue", "tag-enforce", "format", "vlan", "up", "down"}, false},
		{"set dev eth0 all ", []string{"queue", "tag-enforce", "format", "vlan", "up", "down"}, false},
		{"set dev eth0 all format ", []string{"bcm53242", "original"}, false},
		{"set eth0.p5 d", []string{"down"}, false},
		{"set d", []string{"dev", "down"}, false},
		{"set eth0.p5 up ", []string{"queue", "tag-enforce", "format", "vlan"}, false},
		{"show dev eth0 ", []string{"port"}, false},
		{"stats ", []string{"eth0.p5", "uplink", "dev"}, false},
		{"monitor ", []string{"dev"}, false},
		{"monitor dev ", []string{"eth0", "eth1", "lo"}, false},
		{"apply ", []string{"dev", "check", "validate"}, true},
		{"apply /etc/brcmlink ", []string{"dev", "check", "validate"}, false},
		{"apply /etc/brcmlink dev ", []string{"eth0", "eth1", "lo"}, false},
		{"apply /etc/brcmlink check ", []string{"dev"}, false},
		{"help ", []string{"add", "del", "set", "show", "stats", "monitor", "apply", "config", "help", "completion"}, false},
		{"completion ", []string{"bash", "zsh", "fish"}, false},
		{"bogus ", nil, false},
	} {
		c := Complete(strings.Split(tt.line, " "), src)
		var got []string
		for _, cand := range c.Candidates {
			got = append(got, cand.Word)
		}
		if !slices.Equal(got, tt.want) || c.Files != tt.files {
			t.Errorf("Complete(%q) = %q, files %v; want %q, files %v", tt.line, got, c.Files, tt.want, tt.files)
		}
	}
	portsNS = nil
	Complete([]string{"-n", "lab", "del", ""}, src)
	if !slices.Equal(portsNS, []string{"lab"}) {
		t.Errorf("ports listed in namespaces %q, want lab", portsNS)
	}
	// No sources: no names, no crash.
	if c := Complete([]string{"del", ""}, Sources{}); len(c.Candidates) != 3 {
		t.Errorf("without sources: %v", c)
	}
}

// FuzzParse runs the parser on any line: it must not panic, must refuse
// with a usage error or ask for help, and what it accepts it must accept
// again, the same, in its canonical words.
func FuzzParse(f *testing.F) {
	for _, c := range Commands {
		f.Add(c.Synopsis())
		for _, e := range c.Examples {
			f.Add(e.Line)
		}
	}
	f.Fuzz(func(t *testing.T, line string) {
		words, err := SplitLine(line)
		if err != nil {
			var ue *UsageError
			if !errors.As(err, &ue) || ue.Msg == "" {
				t.Fatalf("SplitLine(%q): %v", line, err)
			}
			words = strings.Fields(line)
		}
		for _, batch := range []bool{false, true} {
			r, err := Parse(words, batch)
			if err != nil {
				var ue *UsageError
				var he *HelpError
				if !errors.As(err, &he) && (!errors.As(err, &ue) || ue.Msg == "") {
					t.Fatalf("Parse(%q): %v", words, err)
				}
				continue
			}
			if batch && !r.Command.Port {
				t.Fatalf("Parse(%q) took %s in a batch", words, r.Command.Name)
			}
			again, err := Parse(r.Words(), batch)
			if err != nil {
				t.Fatalf("Parse(%q) = %q, which does not parse: %v", words, r.Words(), err)
			}
			if !slices.Equal(again.Words(), r.Words()) {
				t.Fatalf("Parse(%q) = %q, then %q", words, r.Words(), again.Words())
			}
		}
		Complete(append(words, ""), Sources{})
	})
}
