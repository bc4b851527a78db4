// SPDX-License-Identifier: MIT

package brcmlink

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// Error is a failed request that carries an errno: the kernel's refusal,
// or a check that stopped a request the kernel would refuse the same way,
// with the kernel's errno and words. The genl and rtlink clients return it
// for both, so a program handles one type whichever it uses.
//
// errors.Is matches it to its errno (errors.Is(err, syscall.EEXIST)), and
// through the errno to os.ErrExist, os.ErrNotExist and os.ErrPermission. A
// device that exists but is not a brcm port is ENODEV, like one that does
// not exist, and matches os.ErrNotExist too: either way there is no such
// brcm device.
type Error struct {
	// Client is the package that returned the error, "genl" or "rtlink",
	// which its text starts with; "" for a check of this package's own,
	// such as Range.Check, made outside a client.
	Client string
	// Op is what the client was doing: "dial", "add", "delete", "set",
	// "get", "list", "watch" or "set deadline"; "" outside a client's
	// method.
	Op string
	// Dev is the device as the caller named it, like "eth0.p5" or "eth0
	// port 5"; "" when there is none.
	Dev string
	// Err is the errno, such as EEXIST, ENODEV, EINVAL, ERANGE or EPERM.
	Err syscall.Errno
	// Message is the kernel's extended-ack message, which names the
	// problem and the value, or the check's own words; "" without one.
	Message string
	// Cause is what the errno came in: the kernel's answer, a
	// *netlink.OpError whose Offset points at the attribute it refused
	// (an *os.SyscallError inside one for a failed system call); or a
	// sentinel that sets one cause of a common errno apart, such as
	// genl.ErrNotLoaded. It is nil for a check's error. errors.As and
	// errors.Is reach it.
	Cause error
}

// Error formats e like "rtlink: add eth0.p5: port 5 already exists on eth0
// (eth0.p5): file exists".
func (e *Error) Error() string {
	s := prefix(e.Client, e.Op, e.Dev)
	if e.Message != "" {
		s += e.Message + ": "
	}
	return s + e.Err.Error()
}

// Unwrap returns the errno, whose own Is method matches ENOENT, EEXIST,
// EPERM and EACCES to the os errors, and the Cause if there is one.
func (e *Error) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Cause}
}

// Is matches ENODEV, netlink's answer for a device that is not there, to
// os.ErrNotExist: syscall.Errno does that only for ENOENT.
func (e *Error) Is(target error) bool {
	return target == os.ErrNotExist && e.Err == syscall.ENODEV
}

// OpError is a failed request that carries no errno: a reply the client
// cannot decode (which matches ErrMalformed), or a socket closed
// (net.ErrClosed) or past its deadline (os.ErrDeadlineExceeded). Its text
// starts like an *Error's, for programs; Err alone reads as a person's
// message.
type OpError struct {
	Client string // as in Error
	Op     string // as in Error
	Dev    string // as in Error
	Err    error
}

// Error formats e like "genl: list: kernel reported a port without its
// ifindex or switch port".
func (e *OpError) Error() string { return prefix(e.Client, e.Op, e.Dev) + e.Err.Error() }

func (e *OpError) Unwrap() error { return e.Err }

// ErrMalformed is what errors.Is matches every error of a reply the
// client cannot decode to: a message too short, an attribute of the wrong
// size, a port without its ifindex. Such an error is an *OpError whose Err
// says what was wrong.
var ErrMalformed = errors.New("brcmlink: malformed netlink reply")

// prefix is what an error of op on dev by client starts with, like
// "genl: add eth0.p5: ".
func prefix(client, op, dev string) string {
	s := client
	if op != "" {
		s = join(s, ": ", op)
	}
	if dev != "" {
		s = join(s, " ", dev)
	}
	if s == "" {
		return ""
	}
	return s + ": "
}

// join joins a and b with sep, or returns b alone if a is "".
func join(a, sep, b string) string {
	if a == "" {
		return b
	}
	return a + sep + b
}

// errorf returns the error of a check: the kernel's errno and words, for
// a client to name its operation later.
func errorf(errno syscall.Errno, format string, args ...any) *Error {
	return &Error{Err: errno, Message: fmt.Sprintf(format, args...)}
}
