// SPDX-License-Identifier: MIT

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/rtlink"
	"golang.org/x/sys/unix"
)

// helperEnv makes the test binary run as brcmlink, on a seeded fake, for
// the completion scripts to call.
const helperEnv = "BRCMLINK_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		f := seeded()
		os.Exit(Main(context.Background(), os.Args[1:], &env{
			stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, dial: f.dial,
			lowers: fakeLowers,
			netns:  func() []string { return []string{"lab"} },
		}))
	}
	os.Exit(m.Run())
}

// The drivers run a shell's script for a command line (words, the last
// being completed) and print one candidate a line.
var shellDrivers = map[string]struct {
	argv func(script string, words []string) []string
}{
	"bash": {argv: func(script string, words []string) []string {
		return []string{"bash", "--norc", "-c", script + `
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _brcmlink; printf '%s\n' "${COMPREPLY[@]}"`, "bash", "brcmlink"}
	}},
	"zsh": {argv: func(script string, words []string) []string {
		// Outside a completion widget, stand-ins print what the script
		// would offer.
		return []string{"zsh", "-f", "-c", `compdef() { :; }
_describe() { local a=${@[-1]}; print -rl -- "${(@P)a}"; }
_files() { print -r -- "<files>"; }
` + script + `
words=(brcmlink "$@"); CURRENT=$#words; _brcmlink`, "zsh"}
	}},
	"fish": {argv: func(script string, words []string) []string {
		// fish would read the words as its own options: they come in $LINE.
		return []string{"fish", "--no-config", "-c", script + `
complete -C "brcmlink $LINE"`, "--"}
	}},
}

func TestCompletionShells(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin, work := t.TempDir(), t.TempDir()
	if err := os.Symlink(exe, filepath.Join(bin, "brcmlink")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "ports.batch"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		words []string
		want  []string
	}{
		{[]string{"a"}, []string{"add", "apply"}},
		{[]string{"add", "d"}, []string{"dev"}},
		{[]string{"add", "dev", ""}, []string{"eth0", "eth1", "lo"}},
		{[]string{"-j", "del", "u"}, []string{"uplink"}},
		{[]string{"set", "uplink", "d"}, []string{"down"}},
		{[]string{"-batch", "po"}, []string{"ports.batch"}},
	}
	for shell, d := range shellDrivers {
		if _, err := exec.LookPath(shell); err != nil {
			// make prepare installs them: a script never tried is no test.
			t.Errorf("no %s on the PATH (make prepare installs it): its script is not tried", shell)
			continue
		}
		script := completionScript(shell)
		for _, tt := range cases {
			args := append(d.argv(script, tt.words), tt.words...)
			cmd := exec.Command(args[0], args[1:]...)
			cmd.Dir = work
			cmd.Env = append(os.Environ(), helperEnv+"=1", "PATH="+bin+":"+os.Getenv("PATH"), "LINE="+strings.Join(tt.words, " "),
				"GORACE=atexit_sleep_ms=0") // under -race, each helper would wait a second as it exits

			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Errorf("%s %q: %v\n%s", shell, tt.words, err, out)
				continue
			}
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				line, _, _ = strings.Cut(line, "\t") // fish: candidate, tab, description
				if shell == "zsh" {
					line = strings.ReplaceAll(strings.SplitN(strings.ReplaceAll(line, `\:`, "\x00"), ":", 2)[0], "\x00", ":")
					if line == "<files>" {
						line = "ports.batch" // _files would offer it
					}
				}
				if line != "" {
					got = append(got, line)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s completes %q to %q, want %q", shell, tt.words, got, tt.want)
			}
		}
	}
}

// TestLowerNames checks that completion offers as lowers only devices
// that can carry ports.
func TestLowersOf(t *testing.T) {
	got := lowersOf([]rtlink.Device{
		{Index: 1, Name: "lo", Type: unix.ARPHRD_LOOPBACK},
		{Index: 2, Name: "eth0", Type: unix.ARPHRD_ETHER},
		{Index: 7, Name: "eth0.p5", Kind: brcmlink.Kind, Type: unix.ARPHRD_ETHER},
		{Index: 8, Name: "eth0.10", Kind: "vlan", Type: unix.ARPHRD_ETHER},
		{Index: 9, Name: "tun0", Kind: "tun", Type: unix.ARPHRD_NONE},
	})
	if want := []string{"eth0", "eth0.10"}; !slices.Equal(got, want) {
		t.Errorf("lowers %q, want %q", got, want)
	}
}
