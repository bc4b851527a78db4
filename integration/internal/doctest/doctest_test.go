// SPDX-License-Identifier: MIT

package doctest

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/brcmlink/brcmlink/cmd/brcmlink/grammar"
)

func TestParse(t *testing.T) {
	doc := strings.Join([]string{
		"<!-- doctest define five",
		"brcmlink add dev eth0 port 5",
		"-->",
		"<!-- doctest",
		"each",
		"during brcmlink add dev eth0 port 9",
		"use five",
		"-->",
		"```",
		"brcmlink del eth0.p5        # by name",
		"brcmlink [ OPTIONS ] del NAME",
		"add dev eth0 port 1",
		"```",
		"```go",
		"brcmlink.Version",
		"```",
		"```",
		"$ brcmlink show",
		"eth0.p5@eth0  port 5  queue 0  UP",
		"",
		"$ brcmlink bogus",
		"Error: command \"bogus\" is unknown, try \"brcmlink help\"",
		"$ echo $?",
		"1",
		"```",
	}, "\n")
	got, err := Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := []Block{
		{Line: 9, Setup: []string{"brcmlink add dev eth0 port 5"}, During: []string{"brcmlink add dev eth0 port 9"}, Each: true,
			Steps: []Step{{Line: 10, Command: "brcmlink del eth0.p5        # by name"}}},
		{Line: 17, Steps: []Step{
			{Line: 18, Command: "brcmlink show", Transcript: true, Output: []string{"eth0.p5@eth0  port 5  queue 0  UP"}},
			{Line: 21, Command: "brcmlink bogus", Transcript: true, Output: []string{`Error: command "bogus" is unknown, try "brcmlink help"`}},
			{Line: 23, Command: "echo $?", Transcript: true, Output: []string{"1"}},
		}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse:\n%+v\nwant\n%+v", got, want)
	}
	for _, bad := range []string{
		"<!-- doctest\nbrcmlink show\n",                    // no end
		"<!-- doctest\n-->\ntext\n```\nbrcmlink show\n```", // not before the fence
		"<!-- doctest\n-->\n```go\nx\n```",                 // before code
	} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) took it", bad)
		}
	}
}

func TestMatch(t *testing.T) {
	for _, tt := range []struct {
		want []string
		got  string
		ok   bool
	}{
		{[]string{"eth0.p5@eth0  port 5  queue 0  UP"}, "eth0.p5@eth0 port 5 queue 0 UP\n", true},
		{[]string{"eth0.p5@eth0  port 5  queue 0  UP"}, "eth0.p5@eth0 port 6 queue 0 UP\n", false},
		{[]string{"eth0.p5@eth0  port 5  queue 0  UP"}, "eth0.p5@eth0 port 5 queue 0 DOWN\n", false},
		{[]string{"lab.p3@if4  port 3"}, "lab.p3@if17  port 3\n", true},
		{[]string{"    ifindex 10  mtu 1500  link-ifindex 2"}, "    ifindex 7  mtu 1500  link-ifindex 3\n", true},
		{[]string{"    ifindex 10  mtu 1500"}, "    ifindex 7  mtu 1506\n", false},
		{[]string{"    123456789000 123456789      0"}, "    0 0 0\n", true},
		{[]string{"    123456789000 123456789      0"}, "    0 0\n", false},
		{[]string{"a", "...", "z"}, "a\nb\nc\nz\n", true},
		{[]string{"a", "...", "z"}, "a\nz\n", true},
		{[]string{"a", "...", "z"}, "a\nb\n", false},
		{nil, "", true},
		{nil, "x\n", false},
	} {
		if got := Match(tt.want, tt.got) == ""; got != tt.ok {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.want, tt.got, got, tt.ok)
		}
	}
}

func TestShell(t *testing.T) {
	for cmd, want := range map[string]string{
		"source <(brcmlink completion bash)":                "bash",
		"source <(brcmlink completion zsh)":                 "zsh",
		`brcmlink completion zsh > "${fpath[1]}/_brcmlink"`: "zsh",
		"brcmlink completion fish | source":                 "fish",
		"brcmlink show":                                     "bash",
	} {
		if got := Shell(cmd); got != want {
			t.Errorf("Shell(%q) = %s, want %s", cmd, got, want)
		}
	}
}

// TestDocumentsParse checks, without a kernel, that each example of the
// documents is a command line the grammar takes, unless its transcript
// shows an error (which may also be the kernel's); the VM suite runs them.
func TestDocumentsParse(t *testing.T) {
	for _, doc := range Documents {
		text, err := os.ReadFile("../../../" + doc)
		if err != nil {
			t.Fatal(err)
		}
		blocks, err := Parse(string(text))
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		n := 0
		for _, b := range blocks {
			for _, s := range b.Steps {
				words := CommandWords(s.Command)
				if words == nil {
					continue
				}
				n++
				_, err := grammar.Parse(words, false)
				fails := slices.ContainsFunc(s.Output, func(l string) bool { return strings.HasPrefix(l, "Error: ") })
				if err != nil && !fails {
					t.Errorf("%s:%d: %s: %v", doc, s.Line, s.Command, err)
				}
			}
		}
		if n < 10 {
			t.Errorf("%s: %d examples of brcmlink found", doc, n)
		}
	}
}
