// SPDX-License-Identifier: MIT

//go:build vmtest

package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/brcmlink/brcmlink/cmd/brcmlink/grammar"
	"github.com/brcmlink/brcmlink/integration/internal/doctest"
)

// TestDocExamples runs every command example of README.md and
// docs/cli.md as a user would type it, in a shell, in a network namespace
// "docs" where eth0 and eth1 are veths (eth1's peer down, so without
// carrier), next to a namespace "blue". Each block starts from no ports;
// its doctest comment sets it up (doctest's package documentation). A
// command alone must succeed; a transcript must print what the document
// shows and end as it says.
func TestDocExamples(t *testing.T) {
	onlyOn(t, kindStock, "make test runs it on every stock kernel: the debug kernel's checkers gain nothing from it")
	repo := kernelArg(t, "brcm.repo")
	bin := t.TempDir()
	if err := os.Symlink(*cliPath, filepath.Join(bin, "brcmlink")); err != nil {
		t.Fatal(err)
	}
	for _, doc := range doctest.Documents {
		text, err := os.ReadFile(filepath.Join(repo, doc))
		if err != nil {
			t.Fatal(err)
		}
		blocks, err := doctest.Parse(string(text))
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		for _, b := range blocks {
			t.Run(fmt.Sprintf("%s:%d", doc, b.Line), func(t *testing.T) {
				d := &docRun{t: t, dir: t.TempDir(), bin: bin, block: b}
				if b.Each {
					for _, s := range b.Steps {
						d.fixture()
						d.step(s, nil)
					}
					return
				}
				d.fixture()
				var last *int
				for _, s := range b.Steps {
					last = d.step(s, last)
				}
			})
		}
	}
}

// kernelArg returns the value of name=VALUE on the kernel's command line.
func kernelArg(t *testing.T, name string) string {
	b, err := os.ReadFile("/proc/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range strings.Fields(string(b)) {
		if v, ok := strings.CutPrefix(f, name+"="); ok {
			return v
		}
	}
	t.Fatalf("no %s= on the kernel command line", name)
	return ""
}

// docRun runs the examples of one block.
type docRun struct {
	t     *testing.T
	dir   string // the working directory, where files the examples name are
	bin   string // holds brcmlink
	block doctest.Block
}

// fixture makes the namespaces afresh, without ports, and runs the
// block's setup.
func (d *docRun) fixture() {
	t := d.t
	for _, ns := range []string{"docs", "blue"} {
		command("ip", "netns", "del", ns)
		netns(t, ns)
	}
	for i, peerUp := range []bool{true, false} {
		dev, peer := fmt.Sprintf("eth%d", i), fmt.Sprintf("sw%d", i)
		sh(t, "ip", "-n", "docs", "link", "add", dev, "type", "veth", "peer", "name", peer)
		sh(t, "ip", "-n", "docs", "link", "set", dev, "up")
		if peerUp {
			sh(t, "ip", "-n", "docs", "link", "set", peer, "up")
		}
	}
	for _, l := range d.block.Setup {
		if out, code := d.shell(l, 0); code != 0 {
			t.Fatalf("setup %q: exit %d: %s", l, code, out)
		}
	}
	if len(d.block.Setup) > 0 {
		// The link watch passes carrier changes on within a second; what
		// the examples show is how things are after it.
		time.Sleep(1500 * time.Millisecond)
	}
}

// shell runs line in its shell in the namespace docs and returns what it
// printed, standard output and error in the order written, and its exit
// status. A command that waits (monitor) gets SIGINT after wait.
func (d *docRun) shell(line string, wait time.Duration) (string, int) {
	t := d.t
	// The one rewrite: the guest's /etc is the host's, read-only.
	line = strings.ReplaceAll(line, "/etc/brcmlink", d.dir+"/etc/brcmlink")
	if err := os.MkdirAll(d.dir+"/etc", 0o755); err != nil {
		t.Fatal(err)
	}
	shell := doctest.Shell(line)
	script := line
	if shell == "zsh" {
		// Where a user's ~/.zshrc has it: compinit, and a folder of fpath;
		// -C reuses the dump the first zsh of the block made, as a login does.
		script = "fpath=($PWD/zfunc $fpath); mkdir -p zfunc; autoload -Uz compinit; compinit -u -C -d $PWD/.zcompdump; " + line
	}
	if wait > 0 {
		script = fmt.Sprintf("timeout -s INT --preserve-status %.1f %s", wait.Seconds(), script)
	}
	cmd := exec.Command("ip", "netns", "exec", "docs", shell, "-c", script)
	cmd.Dir = d.dir
	cmd.Env = []string{"PATH=" + d.bin + ":/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + d.dir, "LANG=C.UTF-8"}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return out.String(), ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), 0
}

// step runs one example; last is the exit status of the one before it,
// for "echo $?". It returns s's own.
func (d *docRun) step(s doctest.Step, last *int) *int {
	t := d.t
	if s.Status() {
		if last == nil || len(s.Output) != 1 || s.Output[0] != fmt.Sprint(*last) {
			t.Errorf("line %d: echo $?: the document shows %q, the status was %v", s.Line, s.Output, deref(last))
		}
		return last
	}
	var wait time.Duration
	if waits(s.Command) {
		wait = 6 * time.Second
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() { // what happens meanwhile, once it listens
			select {
			case <-time.After(wait / 3):
			case <-ctx.Done():
				return
			}
			for _, l := range d.block.During {
				d.shell(l, 0)
			}
		}()
	}
	out, code := d.shell(s.Command, wait)
	if !s.Transcript {
		if code != 0 {
			t.Errorf("line %d: %s: exit %d\n%s", s.Line, s.Command, code, out)
		}
		return &code
	}
	if diff := doctest.Match(s.Output, out); diff != "" {
		t.Errorf("line %d: %s: %s", s.Line, s.Command, diff)
	}
	fails := slices.ContainsFunc(s.Output, func(l string) bool { return strings.HasPrefix(l, "Error: ") })
	if fails != (code != 0) && !d.statusShown(s) {
		t.Errorf("line %d: %s: exit %d", s.Line, s.Command, code)
	}
	return &code
}

// statusShown reports whether the document shows the exit status of s,
// with an "echo $?" after it.
func (d *docRun) statusShown(s doctest.Step) bool {
	i := slices.IndexFunc(d.block.Steps, func(x doctest.Step) bool { return x.Line == s.Line })
	return i+1 < len(d.block.Steps) && d.block.Steps[i+1].Status()
}

// waits reports whether command runs a brcmlink command that runs until
// interrupted.
func waits(command string) bool {
	words := doctest.CommandWords(command)
	if words == nil {
		return false
	}
	c, err := grammar.Lookup(words[0], false)
	return err == nil && c.Waits
}

func deref(p *int) any {
	if p == nil {
		return "none"
	}
	return *p
}
