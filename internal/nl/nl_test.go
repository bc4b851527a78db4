// SPDX-License-Identifier: MIT

package nl

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"testing"

	"github.com/brcmlink/brcmlink"
	"github.com/mdlayher/netlink"
)

func TestErrorIs(t *testing.T) {
	for _, tt := range []struct {
		errno syscall.Errno
		want  error // the one os error it matches; nil for none
	}{
		{syscall.EEXIST, os.ErrExist},
		{syscall.ENODEV, os.ErrNotExist},
		{syscall.ENOENT, os.ErrNotExist},
		{syscall.EPERM, os.ErrPermission},
		{syscall.EACCES, os.ErrPermission},
		{syscall.EINVAL, nil},
		{syscall.EBUSY, nil},
	} {
		// The kernel's errors arrive in a *netlink.OpError, socket errors
		// further wrapped in an *os.SyscallError.
		for _, err := range []error{
			&netlink.OpError{Op: "receive", Err: tt.errno, Message: "the kernel says"},
			&netlink.OpError{Op: "send", Err: os.NewSyscallError("sendmsg", tt.errno)},
		} {
			got := Pkg("x").Wrap("add", "eth0.p5", err)
			for _, target := range []error{os.ErrExist, os.ErrNotExist, os.ErrPermission} {
				if errors.Is(got, target) != (target == tt.want) {
					t.Errorf("%v: errors.Is(%v) = %v", got, target, !(target == tt.want))
				}
			}
			if !errors.Is(got, tt.errno) {
				t.Errorf("%v: errors.Is(%v) = false", got, tt.errno)
			}
			// The kernel's answer stays reachable, as the Cause.
			var oe *netlink.OpError
			if !errors.As(got, &oe) || oe != err {
				t.Errorf("%v: errors.As finds %v, want the *netlink.OpError", got, oe)
			}
		}
	}
}

// TestPkg checks that an error names its package, however far it was
// wrapped, and that a check's error outside a Client still reads whole.
func TestPkg(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{Pkg("genl").Errorf(syscall.EINVAL, "bad"), "genl: bad: invalid argument"},
		{Pkg("genl").Wrap("get", "", Pkg("rtlink").Errorf(syscall.EINVAL, "bad")), "genl: get: bad: invalid argument"},
		{Pkg("rtlink").Wrap("set", "x", CheckConfig(Config{TagEnforce: new(uint8(4))})), "rtlink: set x: tag enforcement 4 out of range (0-3): numerical result out of range"},
		{CheckConfig(Config{Port: new(uint16(27)), Queue: new(uint8(3)), TagEnforce: new(uint8(3)),
			Format: new(brcmlink.FormatOriginal), QueueFromPrio: new(uint8(1)), VLAN: new(uint16(4094))}), "<nil>"},
		{CheckConfig(Config{Port: new(uint16(28)), Queue: new(uint8(4))}), "port 28 out of range (0-27): numerical result out of range"},
		{CheckConfig(Config{Format: new(brcmlink.Format(2)), VLAN: new(uint16(4095))}), "tag format 2 unknown (0-1): numerical result out of range"},
		{CheckConfig(Config{QueueFromPrio: new(uint8(2)), VLAN: new(uint16(4095))}), "queue from priority 2 is not 0 or 1: numerical result out of range"},
		{CheckConfig(Config{VLAN: new(uint16(4095))}), "vlan 4095 out of range (0-4094): numerical result out of range"},
		{CheckSet(brcmlink.SetRequest{VLAN: new(uint16(65535))}), "vlan 65535 out of range (0-4094): numerical result out of range"},
		{CheckAdd(brcmlink.AddRequest{Lower: "eth0", Format: new(brcmlink.Format(9))}), "tag format 9 unknown (0-1): numerical result out of range"},
		// Errors without an errno keep what the client was doing.
		{Pkg("genl").Wrap("list", "", errors.New("malformed")), "genl: list: malformed"},
		{Pkg("genl").Wrap("get", "eth0", Pkg("genl").Wrap("list", "", errors.New("malformed"))), "genl: get eth0: malformed"},
	} {
		if got := fmt.Sprint(tt.err); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

// TestOpError checks that an error without an errno keeps its cause apart
// from the client's annotation, for those who show it to people.
func TestOpError(t *testing.T) {
	cause := errors.New("kernel reported a malformed port")
	err := fmt.Errorf("more: %w", Pkg("genl").Wrap("list", "eth0", cause))
	var oe *brcmlink.OpError
	if !errors.As(err, &oe) || oe.Client != "genl" || oe.Op != "list" || oe.Dev != "eth0" || oe.Err != cause {
		t.Fatalf("%#v is no *OpError of genl's list on eth0 with the cause", err)
	}
	if !errors.Is(err, cause) || errors.Is(err, brcmlink.ErrMalformed) {
		t.Errorf("%v does not match its cause, or matches ErrMalformed without being marked", err)
	}
}

// TestMalformed checks that a malformed reply's error reads as made and
// matches ErrMalformed and what it wraps, through Wrap.
func TestMalformed(t *testing.T) {
	inner := errors.New("netlink: attribute 7 is not a uint16")
	err := Pkg("genl").Wrap("get", "eth0.p5", Malformed("kernel reported a malformed port: %w", inner))
	if got, want := err.Error(), "genl: get eth0.p5: kernel reported a malformed port: netlink: attribute 7 is not a uint16"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !errors.Is(err, brcmlink.ErrMalformed) || !errors.Is(err, inner) {
		t.Errorf("%v does not match ErrMalformed and its cause", err)
	}
}

// TestErrorfIs checks that a marked error matches its sentinel, through
// Wrap, besides its errno; and that others do not.
func TestErrorfIs(t *testing.T) {
	sentinel := errors.New("sentinel")
	marked := Pkg("genl").Wrap("dial", "", Pkg("genl").ErrorfIs(sentinel, syscall.ENOENT, "no family"))
	plain := Pkg("genl").Wrap("dial", "", Pkg("genl").Errorf(syscall.ENOENT, "no namespace"))
	if !errors.Is(marked, sentinel) || !errors.Is(marked, os.ErrNotExist) || !errors.Is(marked, syscall.ENOENT) {
		t.Errorf("%v does not match the sentinel, os.ErrNotExist and ENOENT", marked)
	}
	if got, want := marked.Error(), "genl: dial: no family: no such file or directory"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if errors.Is(plain, sentinel) {
		t.Errorf("%v matches the sentinel", plain)
	}
}

func TestCheckSelector(t *testing.T) {
	const long = "sixteen-bytes-xx"
	for _, tt := range []struct {
		s    brcmlink.Selector
		want string // "" for none
	}{
		{brcmlink.ByName("eth0.p5"), ""},
		{brcmlink.ByIndex(7), ""},
		{brcmlink.ByPort("eth0", 0), ""},
		{brcmlink.ByLowerIndexPort(2, 27), ""},
		{brcmlink.Selector{}, "no port selected: make the Selector with ByName, ByIndex, ByPort or ByLowerIndexPort: invalid argument"},
		{brcmlink.ByName(""), "no port selected: make the Selector with ByName, ByIndex, ByPort or ByLowerIndexPort: invalid argument"},
		{brcmlink.ByIndex(0), "no port selected: make the Selector with ByName, ByIndex, ByPort or ByLowerIndexPort: invalid argument"},
		{brcmlink.ByName(long), "device name " + long + " is longer than 15 bytes: invalid argument"},
		{brcmlink.ByIndex(-1), "ifindex -1 out of range: numerical result out of range"},
		{brcmlink.ByPort("", 5), "no lower device given: ByPort needs its name, ByLowerIndexPort its ifindex: invalid argument"},
		{brcmlink.ByLowerIndexPort(0, 5), "no lower device given: ByPort needs its name, ByLowerIndexPort its ifindex: invalid argument"},
		{brcmlink.ByPort(long, 5), "lower device name " + long + " is longer than 15 bytes: invalid argument"},
		{brcmlink.ByLowerIndexPort(1<<31, 5), "lower ifindex 2147483648 out of range: numerical result out of range"},
		{brcmlink.ByPort("eth0", 28), "port 28 out of range (0-27): numerical result out of range"},
	} {
		err := CheckSelector(tt.s)
		if got := fmt.Sprint(err); tt.want == "" && err != nil || tt.want != "" && got != tt.want {
			t.Errorf("%#v: %v, want %q", tt.s, err, tt.want)
		}
	}
}
