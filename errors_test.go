// SPDX-License-Identifier: MIT

package brcmlink

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"
)

func TestErrorText(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{&Error{Client: "rtlink", Op: "add", Dev: "eth0.p5", Err: syscall.EEXIST, Message: "port 5 already exists on eth0 (eth0.p5)"},
			"rtlink: add eth0.p5: port 5 already exists on eth0 (eth0.p5): file exists"},
		{&Error{Client: "genl", Op: "list", Err: syscall.EPERM}, "genl: list: operation not permitted"},
		{&Error{Client: "genl", Dev: "eth0", Err: syscall.ENODEV}, "genl eth0: no such device"},
		{&Error{Client: "genl", Err: syscall.EINVAL, Message: "bad"}, "genl: bad: invalid argument"},
		{&Error{Err: syscall.ERANGE, Message: "queue 4 out of range (0-3)"}, "queue 4 out of range (0-3): numerical result out of range"},
		{&Error{Op: "get", Dev: "x", Err: syscall.ENODEV}, "get x: no such device"},
		{&OpError{Client: "genl", Op: "list", Err: errors.New("kernel reported a malformed port")}, "genl: list: kernel reported a malformed port"},
		{&OpError{Client: "rtlink", Op: "get", Dev: "eth0.p5", Err: net.ErrClosed}, "rtlink: get eth0.p5: use of closed network connection"},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

// TestErrorIs checks what an *Error and an *OpError match: the errno, the
// os errors through it, ENODEV as os.ErrNotExist, and the Cause.
func TestErrorIs(t *testing.T) {
	sentinel := errors.New("sentinel")
	cause := fmt.Errorf("the kernel's: %w", syscall.EEXIST)
	for _, tt := range []struct {
		err  error
		is   []error
		isnt []error
	}{
		{&Error{Err: syscall.ENODEV}, []error{syscall.ENODEV, os.ErrNotExist}, []error{os.ErrExist, sentinel}},
		{&Error{Err: syscall.ENOENT, Cause: sentinel}, []error{syscall.ENOENT, os.ErrNotExist, sentinel}, []error{os.ErrPermission}},
		{&Error{Err: syscall.EEXIST, Cause: cause}, []error{syscall.EEXIST, os.ErrExist, cause}, []error{os.ErrNotExist}},
		{&Error{Err: syscall.EACCES}, []error{os.ErrPermission}, []error{os.ErrNotExist}},
		{&OpError{Err: os.ErrDeadlineExceeded}, []error{os.ErrDeadlineExceeded}, []error{ErrMalformed, net.ErrClosed}},
		{&OpError{Err: net.ErrClosed}, []error{net.ErrClosed}, []error{ErrMalformed}},
	} {
		for _, target := range tt.is {
			if !errors.Is(tt.err, target) {
				t.Errorf("%#v does not match %v", tt.err, target)
			}
		}
		for _, target := range tt.isnt {
			if errors.Is(tt.err, target) {
				t.Errorf("%#v matches %v", tt.err, target)
			}
		}
	}
}
