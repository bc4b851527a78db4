// SPDX-License-Identifier: MIT

package brcmlink

import (
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// spec is what TestSpec reads of kernel/brcm.yaml, the family's YNL spec.
type spec struct {
	Name         string `yaml:"name"`
	CFamilyName  string `yaml:"c-family-name"`
	CVersionName string `yaml:"c-version-name"`
	Version      int64  `yaml:"version"`
	Definitions  []struct {
		Name       string `yaml:"name"`
		Type       string `yaml:"type"`
		Value      any    `yaml:"value"`
		NamePrefix string `yaml:"name-prefix"`
		RenderMax  bool   `yaml:"render-max"`
		Entries    []struct {
			Name string `yaml:"name"`
		} `yaml:"entries"`
	} `yaml:"definitions"`
	AttributeSets []struct {
		Name       string `yaml:"name"`
		NamePrefix string `yaml:"name-prefix"`
		AttrMax    string `yaml:"attr-max-name"`
		Attributes []struct {
			Name   string `yaml:"name"`
			Type   string `yaml:"type"`
			Value  *int64 `yaml:"value"`
			Checks struct {
				Max any `yaml:"max"`
			} `yaml:"checks"`
		} `yaml:"attributes"`
	} `yaml:"attribute-sets"`
	Operations struct {
		NamePrefix string `yaml:"name-prefix"`
		List       []struct {
			Name   string  `yaml:"name"`
			Value  *int64  `yaml:"value"`
			Notify string  `yaml:"notify"`
			Mcgrp  string  `yaml:"mcgrp"`
			Do     *specOp `yaml:"do"`
			Dump   *specOp `yaml:"dump"`
		} `yaml:"list"`
	} `yaml:"operations"`
	McastGroups struct {
		List []struct {
			Name string `yaml:"name"`
		} `yaml:"list"`
	} `yaml:"mcast-groups"`
}

type specOp struct {
	Request struct {
		Value      int64    `yaml:"value"`
		Attributes []string `yaml:"attributes"`
	} `yaml:"request"`
	Reply struct {
		Value int64 `yaml:"value"`
	} `yaml:"reply"`
}

// specCName is the C name a spec name makes: brcm-a- and lower-ifname make
// BRCM_A_LOWER_IFNAME.
func specCName(parts ...string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.Join(parts, ""), "-", "_"))
}

func readSpec(t *testing.T) *spec {
	b, err := os.ReadFile("kernel/brcm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var s spec
	if err := yaml.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

// specNames returns the C names and values of the spec's enums: every
// enum definition's entries and their maximum, every attribute set's
// attributes and their maximum, the commands (not the notifications,
// which reuse their numbers) and their maximum.
func specNames(s *spec) map[string]int64 {
	names := map[string]int64{}
	for _, d := range s.Definitions {
		if d.Type != "enum" {
			continue
		}
		for i, e := range d.Entries {
			names[specCName(d.NamePrefix, e.Name)] = int64(i)
		}
		if d.RenderMax {
			names[specCName(d.NamePrefix, "max")] = int64(len(d.Entries) - 1)
		}
	}
	for _, set := range s.AttributeSets {
		var v int64
		for _, a := range set.Attributes {
			if a.Value != nil {
				v = *a.Value
			}
			names[specCName(set.NamePrefix, a.Name)] = v
			v++
		}
		names[specCName(set.AttrMax)] = v - 1
	}
	// Commands by their request's number; 0, which the spec does not
	// list, is unspec.
	names[specCName(s.Operations.NamePrefix, "unspec")] = 0
	for _, op := range s.Operations.List {
		req := op.Do
		if req == nil {
			req = op.Dump
		}
		if req == nil {
			continue // a notification, numbered as the command that sends it
		}
		v := req.Request.Value
		names[specCName(s.Operations.NamePrefix, op.Name)] = v
		names[specCName(s.Operations.NamePrefix, "max")] = max(names[specCName(s.Operations.NamePrefix, "max")], v)
	}
	return names
}

// TestSpec checks kernel/brcm.yaml, the one description of the family,
// against the UAPI header (its enums, family name, version, limits and
// group), against the Go constants (uapi.go), and against the module's
// genl policies (kernel/genl.c: the attributes and types each command
// takes). The spec's validation against the kernel's schema and ynl's use
// of it are in make lint and the VM suite.
func TestSpec(t *testing.T) {
	s := readSpec(t)
	defs := parseHeader(t, header)

	// The header, both ways.
	want := specNames(s)
	prefixes := regexp.MustCompile(`^(BRCM_A_|BRCM_STATS_A_|BRCM_LOWER_STATS_A_|BRCM_CMD_|BRCM_FORMAT_)`)
	for name, v := range defs {
		if !prefixes.MatchString(name) {
			continue
		}
		if sv, ok := want[name]; !ok || sv != v {
			t.Errorf("%s: %s = %v in the header, %v in the spec", header, name, v, sv)
		}
	}
	for name, v := range want {
		if _, ok := defs[name]; !ok {
			t.Errorf("the spec's %s (%d) is not in %s", name, v, header)
		}
	}
	for c, v := range map[string]any{
		specCName(s.CFamilyName): s.Name, specCName(s.CVersionName): s.Version,
	} {
		if fmt.Sprint(defs[c]) != fmt.Sprint(v) {
			t.Errorf("%s is %v in the header, %v in the spec", c, defs[c], v)
		}
	}
	for _, d := range s.Definitions {
		if d.Type == "enum" {
			continue // its entries are among the names above
		}
		if c := specCName("brcm-", d.Name); fmt.Sprint(defs[c]) != fmt.Sprint(d.Value) {
			t.Errorf("definition %s: %s is %v in the header, %v in the spec", d.Name, c, defs[c], d.Value)
		}
	}
	if len(s.McastGroups.List) != 1 || s.McastGroups.List[0].Name != defs["BRCM_GENL_MCGRP_MONITOR"] {
		t.Errorf("multicast groups %v, the header's BRCM_GENL_MCGRP_MONITOR %v", s.McastGroups.List, defs["BRCM_GENL_MCGRP_MONITOR"])
	}

	// The Go constants that mirror a name of the spec.
	mirrored := 0
	for goName, m := range mirrors {
		if v, ok := want[m.c]; ok {
			mirrored++
			if v != m.v {
				t.Errorf("%s = %d, the spec's %s %d", goName, m.v, m.c, v)
			}
		}
	}
	if mirrored != len(want) {
		t.Errorf("%d of the spec's %d names have a Go constant in uapi.go", mirrored, len(want))
	}

	// The policies: each command takes the attributes of its requests,
	// with the spec's types.
	policies := parsePolicies(t, "kernel/genl.c")
	types := map[string]map[string]string{}
	for _, set := range s.AttributeSets {
		if set.Name != "brcm" {
			continue
		}
		types["brcm"] = map[string]string{}
		for _, a := range set.Attributes {
			typ := a.Type
			if a.Checks.Max != nil && fmt.Sprint(a.Checks.Max) == "1" {
				typ += " max 1" // the one check a policy makes
			}
			types["brcm"][specCName(set.NamePrefix, a.Name)] = typ
		}
	}
	for _, op := range s.Operations.List {
		if op.Do == nil && op.Dump == nil {
			continue
		}
		cmd := specCName(s.Operations.NamePrefix, op.Name)
		wantPol := map[string]string{}
		for _, o := range []*specOp{op.Do, op.Dump} {
			if o == nil {
				continue
			}
			for _, a := range o.Request.Attributes {
				c := specCName("brcm-a-", a)
				wantPol[c] = types["brcm"][c]
			}
		}
		got, ok := policies[cmd]
		if !ok {
			t.Errorf("kernel/genl.c: no policy for %s", cmd)
			continue
		}
		if !maps.Equal(got, wantPol) {
			t.Errorf("kernel/genl.c: %s takes\n%v\nthe spec's requests\n%v", cmd, sorted(got), sorted(wantPol))
		}
	}
}

func sorted(m map[string]string) []string {
	var s []string
	for k, v := range m {
		s = append(s, k+": "+v)
	}
	slices.Sort(s)
	return s
}

var (
	policyArray = regexp.MustCompile(`(?s)static const struct nla_policy (\w+)\[[^]]*\] = \{(.*?)\n\};`)
	policyMacro = regexp.MustCompile(`(?m)^#define (BRCM_POLICY_\w+)[ \t]+((?:.*\\\n)*.*)`)
	policyEntry = regexp.MustCompile(`\[(BRCM_A_\w+)\]\s*=\s*(\{[^}]*\}|NLA_POLICY_\w+\([^)]*\)|[^,\n]+)`)
	genlOp      = regexp.MustCompile(`(?s)\.cmd = (BRCM_CMD_\w+),.*?\.policy = (\w+),`)
	nlaTypes    = map[string]string{
		"NLA_U8": "u8", "NLA_U16": "u16", "NLA_U32": "u32", "NLA_NUL_STRING": "string",
		"NLA_FLAG": "flag", "NLA_NESTED": "indexed-array", "NLA_POLICY_MAX(NLA_U8, 1)": "u8 max 1",
	}
)

// parsePolicies reads the policy of each command of the module: the
// attributes it takes and their types, in the spec's words.
func parsePolicies(t *testing.T, path string) map[string]map[string]string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	macros := map[string]string{}
	for _, m := range policyMacro.FindAllStringSubmatch(src, -1) {
		macros[m[1]] = strings.ReplaceAll(m[2], "\\\n", "\n")
	}
	expand := func(s string) string {
		for range 3 { // macros of macros
			for name, body := range macros {
				s = regexp.MustCompile(`\b`+name+`\b`).ReplaceAllLiteralString(s, body)
			}
		}
		return s
	}
	arrays := map[string]map[string]string{}
	for _, m := range policyArray.FindAllStringSubmatch(src, -1) {
		p := map[string]string{}
		for _, e := range policyEntry.FindAllStringSubmatch(expand(m[2]), -1) {
			v := strings.TrimSpace(e[2])
			if typ := regexp.MustCompile(`\{ \.type = (\w+) \}`).FindStringSubmatch(v); typ != nil {
				v = typ[1]
			}
			typ, ok := nlaTypes[v]
			if !ok {
				t.Fatalf("%s: %s of %s: policy %q unknown to this test", path, e[1], m[1], v)
			}
			p[e[1]] = typ
		}
		arrays[m[1]] = p
	}
	policies := map[string]map[string]string{}
	for _, m := range genlOp.FindAllStringSubmatch(src, -1) {
		policies[m[1]] = arrays[m[2]]
	}
	if len(policies) == 0 {
		t.Fatalf("%s: no genl_ops found", path)
	}
	return policies
}
