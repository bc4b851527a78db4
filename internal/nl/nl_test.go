// SPDX-License-Identifier: MIT

package nl

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"testing"

	"github.com/jsimonetti/rtnetlink/v2"
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
		{Pkg("rtlink").CheckConfig(nil, nil, new(uint8(4))), "rtlink: tag enforcement 4 out of range (0-3): numerical result out of range"},
		{Pkg("genl").CheckConfig(new(uint16(27)), new(uint8(3)), new(uint8(3))), "<nil>"},
		{Pkg("genl").CheckConfig(new(uint16(28)), new(uint8(4)), nil), "genl: port 28 out of range (0-27): numerical result out of range"},
		{Pkg("x").Check(PortRange, 70000), "x: port 70000 out of range (0-27): numerical result out of range"},
		{Pkg("x").Check(QueueRange, 3), "<nil>"},
		{Pkg("x").OutOfRange(QueueRange, "99999999999999999999"), "x: queue 99999999999999999999 out of range (0-3): numerical result out of range"},
		{Pkg("genl").CheckName("device", "abcdefghijklmnop"), "genl: device name abcdefghijklmnop is longer than 15 bytes: invalid argument"},
		{Pkg("genl").CheckName("lower device", "abcdefghijklmno"), "<nil>"},
		{Pkg("genl").CheckName("device", ""), "<nil>"},
		// Errors without an errno keep what the client was doing.
		{Pkg("genl").Wrap("list", "", errors.New("malformed")), "genl: list: malformed"},
		{Pkg("genl").Wrap("get", "eth0", Pkg("genl").Wrap("list", "", errors.New("malformed"))), "genl: get eth0: malformed"},
	} {
		if got := fmt.Sprint(tt.err); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestOperState(t *testing.T) {
	for s, want := range map[rtnetlink.OperationalState]string{
		rtnetlink.OperStateUnknown:        "UNKNOWN",
		rtnetlink.OperStateNotPresent:     "NOTPRESENT",
		rtnetlink.OperStateDown:           "DOWN",
		rtnetlink.OperStateLowerLayerDown: "LOWERLAYERDOWN",
		rtnetlink.OperStateTesting:        "TESTING",
		rtnetlink.OperStateDormant:        "DORMANT",
		rtnetlink.OperStateUp:             "UP",
		7:                                 "0x7",
	} {
		if got := OperState(uint8(s)); got != want {
			t.Errorf("OperState(%d) = %q, want %q", s, got, want)
		}
	}
}

// TestOpError checks that an error without an errno keeps its cause apart
// from the client's annotation, for those who show it to people.
func TestOpError(t *testing.T) {
	cause := errors.New("kernel reported a malformed port")
	err := fmt.Errorf("more: %w", Pkg("genl").Wrap("list", "eth0", cause))
	var oe *OpError
	if !errors.As(err, &oe) || oe.Op != "list" || oe.Dev != "eth0" || oe.Err != cause {
		t.Fatalf("%#v is no *OpError of list on eth0 with the cause", err)
	}
	if !errors.Is(err, cause) {
		t.Errorf("%v does not match its cause", err)
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
