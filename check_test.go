// SPDX-License-Identifier: MIT

package brcmlink

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestRangeCheck(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{PortRange.Check(27), "<nil>"},
		{PortRange.Check(28), "port 28 out of range (0-27): numerical result out of range"},
		{PortRange.Check(70000), "port 70000 out of range (0-27): numerical result out of range"},
		{QueueRange.Check(3), "<nil>"},
		{QueueRange.Check(4), "queue 4 out of range (0-3): numerical result out of range"},
		{TagEnforceRange.Check(9), "tag enforcement 9 out of range (0-3): numerical result out of range"},
		{VLANRange.Check(4094), "<nil>"},
		{VLANRange.Check(4095), "vlan 4095 out of range (0-4094): numerical result out of range"},
		{FormatOriginal.Check(), "<nil>"},
		{Format(7).Check(), "tag format 7 unknown (0-1): numerical result out of range"},
		{CheckName("device", "abcdefghijklmnop"), "device name abcdefghijklmnop is longer than 15 bytes: invalid argument"},
		{CheckName("lower device", "abcdefghijklmno"), "<nil>"},
		{CheckName("device", ""), "<nil>"},
		{CheckName("device", "p%d"), "device name p%d contains '%', which the kernel would expand as a format: give the name itself: invalid argument"},
		{CheckName("lower device", "eth%d"), "lower device name eth%d contains '%', which the kernel would expand as a format: give the name itself: invalid argument"},
	} {
		if got := fmt.Sprint(tt.err); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
		var e *Error
		if tt.err != nil && (!errors.As(tt.err, &e) || e.Client != "" || e.Cause != nil) {
			t.Errorf("%#v is not a check's *Error", tt.err)
		}
	}
}

func TestRangeParseUint(t *testing.T) {
	for _, tt := range []struct {
		s     string
		v     uint64
		errno syscall.Errno // 0: none, or not a number
		msg   string
	}{
		{s: "3", v: 3},
		{s: "0", v: 0},
		{s: "4", v: 4, errno: syscall.ERANGE, msg: "queue 4 out of range (0-3)"},
		{s: "99999999999999999999", errno: syscall.ERANGE, msg: "queue 99999999999999999999 out of range (0-3)"},
		{s: "x", msg: `strconv.ParseUint: parsing "x": invalid syntax`},
		{s: "-1", msg: `strconv.ParseUint: parsing "-1": invalid syntax`},
	} {
		v, err := QueueRange.ParseUint(tt.s)
		var e *Error
		var ne *strconv.NumError
		switch {
		case tt.msg == "" && (err != nil || v != tt.v):
			t.Errorf("ParseUint(%q) = %d, %v; want %d", tt.s, v, err, tt.v)
		case tt.errno != 0 && (!errors.As(err, &e) || e.Err != tt.errno || e.Message != tt.msg):
			t.Errorf("ParseUint(%q): %v, want %v %q", tt.s, err, tt.errno, tt.msg)
		case tt.msg != "" && tt.errno == 0 && (!errors.As(err, &ne) || err.Error() != tt.msg):
			t.Errorf("ParseUint(%q): %v, want a *strconv.NumError %q", tt.s, err, tt.msg)
		}
	}
}

func TestValidDeviceName(t *testing.T) {
	for name, want := range map[string]bool{
		"eth0": true, "eth0.p5": true, "up#1": true, "a-b_c@d": true, "abcdefghijklmno": true,
		"": false, ".": false, "..": false, "abcdefghijklmnop": false,
		"a b": false, "a/b": false, "a:b": false, "a\tb": false, "a\nb": false,
		"p%d": false, "100%": false,
	} {
		if got := ValidDeviceName(name); got != want {
			t.Errorf("ValidDeviceName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestCheckNetNSName(t *testing.T) {
	for _, name := range []string{"lab", "lab.2", "...", "x..y"} {
		if err := CheckNetNSName(name); err != nil {
			t.Errorf("CheckNetNSName(%q) = %v, want nil", name, err)
		}
	}
	for _, name := range []string{"", ".", "..", "../x", "a/b", "/run/netns/lab"} {
		if err := CheckNetNSName(name); !errors.Is(err, syscall.EINVAL) {
			t.Errorf("CheckNetNSName(%q) = %v, want EINVAL", name, err)
		}
	}
}

// TestDefaultNameIsTheKernels ties DefaultName to the kernel's: the
// genl client sends no name and lets brcm_genl_create pick it, the rtlink
// client sends DefaultName's, so that both name a port alike.
func TestDefaultNameIsTheKernels(t *testing.T) {
	src, err := os.ReadFile("kernel/genl.c")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`snprintf\(name, sizeof\(name\), "([^"]*)", lower->name,\s*cfg->port\)`).FindSubmatch(src)
	if m == nil {
		t.Fatal("kernel/genl.c: no snprintf of the default name")
	}
	// %u is C's for the unsigned port, %d Go's.
	if got := strings.ReplaceAll(string(m[1]), "%u", "%d"); got != defaultName {
		t.Errorf("the kernel names a port %q, DefaultName %q", m[1], defaultName)
	}
}

// TestDefaultName checks the name the brcm family gives a port with none,
// port 0 included, and its refusal of one too long.
func TestDefaultName(t *testing.T) {
	for _, tt := range []struct {
		lower string
		port  uint16
		want  string // the name, or the error
	}{
		{"eth0", 5, "eth0.p5"},
		{"eth0", 0, "eth0.p0"},
		{"enp0s31f6", 27, "enp0s31f6.p27"},
		{"abcdefghijkl", 9, "abcdefghijkl.p9"},
		{"abcdefghijkl", 10, "default name abcdefghijkl.p10 is longer than 15 bytes: give a name: invalid argument"},
	} {
		name, err := DefaultName(tt.lower, tt.port)
		got := name
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("DefaultName(%q, %d) = %q, want %q", tt.lower, tt.port, got, tt.want)
		}
	}
}
