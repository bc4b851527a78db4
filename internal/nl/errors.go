// SPDX-License-Identifier: MIT

// Package nl holds what the rtlink and genl clients share beyond the
// brcmlink types: their error types, the range and name checks the kernel
// makes, and the names of operational states. The brcmlink command makes
// the same checks with them before it sends anything.
package nl

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"

	"github.com/brcmlink/brcmlink"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
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

	pkg  Pkg   // the client package the error comes from, which it starts with
	kind error // a sentinel e matches besides, like genl.ErrNotLoaded; nil for none
}

// Error formats e like "rtlink: add eth0.p5: port 5 already exists on eth0
// (eth0.p5): file exists".
func (e *Error) Error() string {
	s := e.pkg.prefix(e.Op, e.Dev)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the errno, whose own Is method matches ENOENT, EEXIST,
// EPERM and EACCES to the os errors.
func (e *Error) Unwrap() error { return e.Err }

// Is matches ENODEV, netlink's answer for a device that is not there, to
// os.ErrNotExist: syscall.Errno does that only for ENOENT. It matches the
// sentinel of an error made by ErrorfIs as well.
func (e *Error) Is(target error) bool {
	return target == os.ErrNotExist && e.Err == syscall.ENODEV ||
		e.kind != nil && target == e.kind
}

// OpError is a failed request that carries no errno, such as a reply the
// client cannot decode: Err, annotated with what the client was doing.
// Its Error starts like an *Error's, for programs; Err alone reads as a
// person's message.
type OpError struct {
	Op  string // as in Error
	Dev string // as in Error
	Err error

	pkg Pkg
}

// Error formats e like "genl: list: kernel reported a port without its
// ifindex or switch port".
func (e *OpError) Error() string { return e.pkg.prefix(e.Op, e.Dev) + ": " + e.Err.Error() }

func (e *OpError) Unwrap() error { return e.Err }

// Pkg is the name of a client package; its methods make the package's
// errors, which start with the name.
type Pkg string

// prefix is what every error of p's op on dev starts with.
func (p Pkg) prefix(op, dev string) string {
	s := string(p)
	if op != "" {
		s += ": " + op
	}
	if dev != "" {
		s += " " + dev
	}
	return s
}

// Errorf returns a client-side error; Wrap adds the operation later.
func (p Pkg) Errorf(errno syscall.Errno, format string, args ...any) *Error {
	return &Error{Err: errno, Message: fmt.Sprintf(format, args...), pkg: p}
}

// ErrorfIs returns a client-side error, like Errorf, that errors.Is also
// matches to target: a sentinel that sets one cause of a common errno
// apart, like genl.ErrNotLoaded among the ENOENTs of Dial. Wrap keeps it.
func (p Pkg) ErrorfIs(target error, errno syscall.Errno, format string, args ...any) *Error {
	e := p.Errorf(errno, format, args...)
	e.kind = target
	return e
}

// Wrap returns err as an *Error of op on dev when it carries an errno,
// keeping the kernel's extended-ack message from a *netlink.OpError (the
// clients turn extended acks on). Other errors, like a malformed reply,
// become an *OpError.
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
	if oe, ok := err.(*OpError); ok { // wrapped again, as Annotate does
		err = oe.Err
	}
	return &OpError{Op: op, Dev: dev, Err: err, pkg: p}
}

// Annotate wraps *err for op on dev; exported methods defer it so that
// every error they return names what they were doing.
func (p Pkg) Annotate(err *error, op, dev string) { *err = p.Wrap(op, dev, *err) }

// A Range is a value whose range the kernel checks, as brcm_check_cfg in
// kernel/port.c does: named as the kernel's messages name it, from 0 to
// Max.
type Range struct {
	What string
	Max  uint64
}

// The ranges of a port's configuration.
var (
	PortRange       = Range{"port", brcmlink.PortMax}
	QueueRange      = Range{"queue", brcmlink.QueueMax}
	TagEnforceRange = Range{"tag enforcement", brcmlink.TagEnforceMax}
)

// Check refuses v out of r, with the kernel's errno and message. It takes
// any unsigned value, so that a command line's number too big for the
// attribute reads like one that fits but is too big for the kernel.
func (p Pkg) Check(r Range, v uint64) error {
	if v > r.Max {
		return p.OutOfRange(r, strconv.FormatUint(v, 10))
	}
	return nil
}

// OutOfRange is Check's error for the value whose decimal text is v: a
// command line may hold one too big for any integer type.
func (p Pkg) OutOfRange(r Range, v string) *Error {
	return p.Errorf(syscall.ERANGE, "%s %s out of range (0-%d)", r.What, v, r.Max)
}

// CheckConfig refuses a port, queue or tag enforcement out of range, as
// brcm_check_cfg does; a nil value is not checked.
func (p Pkg) CheckConfig(port *uint16, queue, tagEnforce *uint8) error {
	// A value not given checks as 0, which every range holds.
	return cmp.Or(
		p.Check(PortRange, uint64(deref(port))),
		p.Check(QueueRange, uint64(deref(queue))),
		p.Check(TagEnforceRange, uint64(deref(tagEnforce))),
	)
}

func deref[T uint8 | uint16](p *T) T {
	if p == nil {
		return 0
	}
	return *p
}

// CheckName refuses a device name longer than the kernel's IFNAMSIZ - 1
// bytes, as brcm_genl_name in kernel/genl.c does and with its errno and
// message; what names the device, like "device" or "lower device".
func (p Pkg) CheckName(what, name string) error {
	if len(name) >= unix.IFNAMSIZ {
		return p.Errorf(syscall.EINVAL, "%s name %s is longer than %d bytes", what, name, unix.IFNAMSIZ-1)
	}
	return nil
}
