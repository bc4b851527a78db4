// SPDX-License-Identifier: MIT

package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/brcmlink/brcmlink/cmd/brcmlink/grammar"
)

// batch runs the commands of the -batch file, one a line, on one
// Backend. It stops at the first that fails unless -force, and returns
// the worst exit status as an exitStatus: it prints each error itself,
// followed by iproute2's "Command failed FILE:LINE".
func (a *app) batch() error {
	name := a.opt.batch
	var in io.Reader = a.env.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return fmt.Errorf("cannot open batch file %q: %w", name, err)
		}
		defer f.Close()
		in = f
	}
	r := a.runner()
	defer r.close()
	sc := bufio.NewScanner(in)
	sc.Buffer(nil, 1<<20)
	worst := exitOK
	for n, next := 1, 1; sc.Scan(); n = next {
		// A line ending in a backslash goes on on the next, as in ip.
		line := sc.Text()
		next++
		for strings.HasSuffix(line, "\\") && sc.Scan() {
			line = line[:len(line)-1] + " " + sc.Text()
			next++
		}
		err := a.line(r, line)
		if err == nil {
			continue
		}
		_ = r.out.Flush() // what the line printed comes before its error
		status := a.report(err)
		fmt.Fprintf(a.env.stderr, "Command failed %s:%d\n", name, n)
		worst = max(worst, status)
		if !a.opt.force || hopeless(err) {
			break
		}
	}
	if err := sc.Err(); err != nil {
		worst = max(worst, a.report(fmt.Errorf("reading batch file %q: %w", name, err)))
	}
	return exitStatus(worst)
}

// hopeless reports whether err would fail every later line as well: no
// socket, or no permission.
func hopeless(err error) bool {
	var df *dialFailure
	return errors.As(err, &df) || errors.Is(err, os.ErrPermission)
}

// line runs one line of a batch file.
func (a *app) line(r *runner, line string) error {
	words, err := grammar.SplitLine(line)
	if err != nil || len(words) == 0 {
		return err
	}
	return r.do(grammar.Parse(words, true))
}
