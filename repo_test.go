// SPDX-License-Identifier: MIT

package brcmlink

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// executableMagic are the first bytes of the executables and objects a
// build leaves behind: ELF (Linux), Mach-O (both byte orders, 32 and 64
// bits, and universal) and PE (Windows).
var executableMagic = [][]byte{
	[]byte("\x7fELF"),
	{0xfe, 0xed, 0xfa, 0xce}, {0xce, 0xfa, 0xed, 0xfe},
	{0xfe, 0xed, 0xfa, 0xcf}, {0xcf, 0xfa, 0xed, 0xfe},
	{0xca, 0xfe, 0xba, 0xbe},
	[]byte("MZ"),
}

// TestNoTrackedExecutables fails when git tracks a compiled executable,
// such as a `go build` of the command left at the root: one is stale as
// soon as the source moves on, and .gitignore should have kept it out.
func TestNoTrackedExecutables(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git to list the tracked files")
	}
	out, err := exec.Command("git", "ls-files", "-z").Output()
	if err != nil {
		// Not a clone, as in a source package: nothing is tracked.
		t.Skipf("git ls-files: %v", err)
	}
	for _, path := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		if path == "" {
			continue
		}
		head, err := readHead(path, 4)
		if os.IsNotExist(err) {
			continue // deleted in the work tree, not yet in the index
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range executableMagic {
			if bytes.HasPrefix(head, m) {
				t.Errorf("git tracks the executable %s: git rm it and have .gitignore ignore it", path)
				break
			}
		}
	}
}

// readHead returns the first n bytes of the file at path, or fewer if it
// is shorter; a directory (a submodule) reads as empty.
func readHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || fi.IsDir() {
		return nil, err
	}
	b := make([]byte, n)
	n, err = io.ReadFull(f, b)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	return b[:n], err
}
