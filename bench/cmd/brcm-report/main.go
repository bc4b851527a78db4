// SPDX-License-Identifier: MIT

// Command brcm-report turns what brcm-bench measured in the VM, and the
// output of `go test -bench` for the Go packages, into the results of
// `make bench`: results.json, a chart of the ratios (ratios.png), the
// headline on stdout, and optionally the tables of docs/performance.md
// (between its bench:begin and bench:end markers).
//
//	brcm-report -raw RAW.json[,RAW.json] [-lib lib.txt] -out DIR [-doc docs/performance.md]
//
// The samples may come in parts, from runs that measured the data path
// and the control plane in separate boots.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/brcmlink/brcmlink/bench/internal/results"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("brcm-report: ")
	rawPath := flag.String("raw", "", "samples from brcm-bench: one file, or the parts of one run separated by commas")
	libPath := flag.String("lib", "", "output of go test -bench -benchmem, if any")
	out := flag.String("out", "", "folder for results.json and ratios.png")
	doc := flag.String("doc", "", "markdown file whose generated section to rewrite, if any")
	flag.Parse()
	if *rawPath == "" || *out == "" || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*rawPath, *libPath, *out, *doc); err != nil {
		log.Fatal(err)
	}
}

func run(rawPath, libPath, out, doc string) error {
	var parts []*results.Raw
	for _, p := range strings.Split(rawPath, ",") {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var raw results.Raw
		if err := json.Unmarshal(b, &raw); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		parts = append(parts, &raw)
	}
	raw, err := results.Merge(parts...)
	if err != nil {
		return fmt.Errorf("%s: %w", rawPath, err)
	}
	res := raw.Summarize()
	res.Commit = commit()
	if libPath != "" {
		f, err := os.Open(libPath)
		if err != nil {
			return err
		}
		res.Library, err = results.ParseGoBench(f)
		f.Close()
		if err != nil {
			return err
		}
	}

	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	js, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "results.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	png := filepath.Join(out, "ratios.png")
	if err := writeChart(png, res); err != nil {
		return err
	}
	fmt.Print(headline(res))
	fmt.Printf("\nresults: %s, chart: %s\n", filepath.Join(out, "results.json"), png)
	if doc == "" {
		return nil
	}
	rel, err := filepath.Rel(filepath.Dir(doc), png)
	if err != nil {
		return err
	}
	return rewriteDoc(doc, markdown(res, filepath.ToSlash(rel)))
}

// commit names the sources measured: HEAD, marked dirty when the tree
// has changes not committed.
func commit() string {
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(head))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(st)) > 0 {
		c += "-dirty"
	}
	return c
}

// Markers around the part of the doc that brcm-report writes.
const (
	beginMark = "<!-- bench:begin: written by `make bench`; edit around it -->"
	endMark   = "<!-- bench:end -->"
)

// rewriteDoc replaces what lies between the markers in doc with section.
func rewriteDoc(doc, section string) error {
	b, err := os.ReadFile(doc)
	if err != nil {
		return err
	}
	s := string(b)
	i, j := strings.Index(s, beginMark), strings.Index(s, endMark)
	if i < 0 || j < i {
		return fmt.Errorf("%s has no %q ... %q section to rewrite", doc, beginMark, endMark)
	}
	s = s[:i+len(beginMark)] + "\n" + section + s[j:]
	return os.WriteFile(doc, []byte(s), 0o644)
}
