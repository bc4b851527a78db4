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
