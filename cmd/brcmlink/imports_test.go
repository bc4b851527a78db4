// SPDX-License-Identifier: MIT

package main

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPublicPackagesOnly fails when the command (its tests aside) imports
// an internal package of the module or speaks netlink itself: it does what
// a Go program can do through the public packages (genl, rtlink, config),
// so that programs, tests and the command share one implementation.
func TestPublicPackagesOnly(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			switch {
			case strings.HasPrefix(p, "github.com/brcmlink/brcmlink/internal/"):
				t.Errorf("%s imports %s, an internal package", fset.Position(imp.Pos()), p)
			case strings.HasPrefix(p, "github.com/jsimonetti/rtnetlink"), strings.HasPrefix(p, "github.com/mdlayher/"):
				t.Errorf("%s imports %s: netlink belongs in genl and rtlink", fset.Position(imp.Pos()), p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
