// Package nl holds what the rtlink and genl clients share beyond the
// brcmlink types: their error type, the range checks the kernel makes,
// and the names of operational states.
package nl

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/brcmlink/brcmlink"
	"github.com/mdlayher/netlink"
)

// Error is a failed request: the kernel's answer, or the client's own
// check that stopped a request the kernel would refuse the same way. It
// matches os.ErrExist, os.ErrNotExist and os.ErrPermission with
// errors.Is, and its errno with errors.Is(err, syscall.EEXIST) and the
// like. A device that exists but is not a brcm port is ENODEV, like one
// that does not exist: either way there is no such brcm device.
type Error struct {
	Op      string        // "dial", "add", "delete", "set", "get", "list" or "watch"; "" outside a Client
	Dev     string        // device as the caller named it, like "eth0.p5" or "eth0 port 5"; may be ""
	Err     syscall.Errno // such as EEXIST, ENODEV, EINVAL, ERANGE or EPERM
	Message string        // the kernel's extended-ack message, or the client's; may be ""

	pkg Pkg // the client package the error comes from, which it starts with
}

// Error formats e like "rtlink: add eth0.p5: port 5 already exists on eth0
// (eth0.p5): file exists".
func (e *Error) Error() string {
	s := e.prefix()
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s + ": " + e.Err.Error()
}

// prefix is what every error of e.Op on e.Dev starts with.
func (e *Error) prefix() string {
	s := string(e.pkg)
	if e.Op != "" {
		s += ": " + e.Op
	}
	if e.Dev != "" {
		s += " " + e.Dev
	}
	return s
}

// Unwrap returns the errno, whose own Is method matches ENOENT, EEXIST,
// EPERM and EACCES to the os errors.
func (e *Error) Unwrap() error { return e.Err }

// Is matches ENODEV, netlink's answer for a device that is not there, to
// os.ErrNotExist: syscall.Errno does that only for ENOENT.
func (e *Error) Is(target error) bool {
	return target == os.ErrNotExist && e.Err == syscall.ENODEV
}

// Pkg is the name of a client package; its methods make the package's
// errors, which start with the name.
type Pkg string

// Errorf returns a client-side error; Wrap adds the operation later.
func (p Pkg) Errorf(errno syscall.Errno, format string, args ...any) *Error {
	return &Error{Err: errno, Message: fmt.Sprintf(format, args...), pkg: p}
}

// Wrap returns err as an *Error of op on dev when it carries an errno,
// keeping the kernel's extended-ack message from a *netlink.OpError (the
// clients turn extended acks on). Other errors, like a malformed reply,
// are only annotated.
func (p Pkg) Wrap(op, dev string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		w := *e
		w.Op, w.Dev, w.pkg = op, dev, p
		return &w
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		w := &Error{Op: op, Dev: dev, Err: errno, pkg: p}
		var oe *netlink.OpError
		if errors.As(err, &oe) {
			w.Message = oe.Message
		}
		return w
	}
	return fmt.Errorf("%s: %w", (&Error{Op: op, Dev: dev, pkg: p}).prefix(), err)
}

// Annotate wraps *err for op on dev; exported methods defer it so that
// every error they return names what they were doing.
func (p Pkg) Annotate(err *error, op, dev string) { *err = p.Wrap(op, dev, *err) }

// CheckConfig refuses a port, queue or tag enforcement out of range, as
// brcm_check_cfg in kernel/port.c does and with its errno and message; a
// nil value is not checked.
func (p Pkg) CheckConfig(port *uint16, queue, tagEnforce *uint8) error {
	switch {
	case port != nil && *port > brcmlink.PortMax:
		return p.Errorf(syscall.ERANGE, "port %d out of range (0-%d)", *port, brcmlink.PortMax)
	case queue != nil && *queue > brcmlink.QueueMax:
		return p.Errorf(syscall.ERANGE, "queue %d out of range (0-%d)", *queue, brcmlink.QueueMax)
	case tagEnforce != nil && *tagEnforce > brcmlink.TagEnforceMax:
		return p.Errorf(syscall.ERANGE, "tag enforcement %d out of range (0-%d)", *tagEnforce, brcmlink.TagEnforceMax)
	}
	return nil
}
