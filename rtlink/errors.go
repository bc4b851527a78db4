package rtlink

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/mdlayher/netlink"
)

// Error is a failed request: the kernel's answer, or the client's own
// check that stopped a request the kernel would refuse the same way. It
// matches os.ErrExist, os.ErrNotExist and os.ErrPermission with
// errors.Is, and its errno with errors.Is(err, syscall.EEXIST) and the
// like. A device that exists but is not a brcm link is ENODEV, like one
// that does not exist: either way there is no such brcm device.
type Error struct {
	Op      string        // "dial", "add", "delete", "set", "get" or "list"; "" outside a Client
	Dev     string        // device as the caller named it, like "eth0.p5" or "eth0 port 5"; may be ""
	Err     syscall.Errno // such as EEXIST, ENODEV, EINVAL, ERANGE or EPERM
	Message string        // the kernel's extended-ack message, or the client's; may be ""
}

// Error formats e like "rtlink: add eth0.p5: port 5 already exists on eth0
// (eth0.p5): file exists".
func (e *Error) Error() string {
	s := prefix(e.Op, e.Dev)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the errno, whose own Is method matches ENOENT, EEXIST,
// EPERM and EACCES to the os errors.
func (e *Error) Unwrap() error { return e.Err }

// Is matches ENODEV, rtnetlink's answer for a device that is not there,
// to os.ErrNotExist: syscall.Errno does that only for ENOENT.
func (e *Error) Is(target error) bool {
	return target == os.ErrNotExist && e.Err == syscall.ENODEV
}

// errorf returns a client-side error; wrap adds the operation later.
func errorf(errno syscall.Errno, format string, args ...any) *Error {
	return &Error{Err: errno, Message: fmt.Sprintf(format, args...)}
}

// prefix is what every error of op on dev starts with.
func prefix(op, dev string) string {
	s := "rtlink"
	if op != "" {
		s += ": " + op
	}
	if dev != "" {
		s += " " + dev
	}
	return s
}

// wrap returns err as an *Error of op on dev when it carries an errno,
// keeping the kernel's extended-ack message from a *netlink.OpError (the
// Client turns extended acks on). Other errors, like a malformed reply,
// are only annotated.
func wrap(op, dev string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		w := *e
		w.Op, w.Dev = op, dev
		return &w
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		w := &Error{Op: op, Dev: dev, Err: errno}
		var oe *netlink.OpError
		if errors.As(err, &oe) {
			w.Message = oe.Message
		}
		return w
	}
	return fmt.Errorf("%s: %w", prefix(op, dev), err)
}

// annotate wraps *err for op on dev; exported methods defer it so that
// every error they return names what they were doing.
func annotate(err *error, op, dev string) { *err = wrap(op, dev, *err) }
