// SPDX-License-Identifier: MIT

// Package nl is what the rtlink and genl clients share beyond the
// brcmlink types: how they make their *brcmlink.Error and
// *brcmlink.OpError values, the checks they make of a request before
// sending it, and the default name of a port.
package nl

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/brcmlink/brcmlink"
	"github.com/mdlayher/netlink"
)

// Pkg is the name of a client package, which its errors start with; its
// methods make them.
type Pkg string

// Errorf returns a client-side error; Wrap adds the operation later.
func (p Pkg) Errorf(errno syscall.Errno, format string, args ...any) *brcmlink.Error {
	e := errorf(errno, format, args...)
	e.Client = string(p)
	return e
}

// ErrorfIs returns a client-side error, like Errorf, that errors.Is also
// matches to target, its Cause: a sentinel that sets one cause of a
// common errno apart, like genl.ErrNotLoaded among the ENOENTs of Dial.
func (p Pkg) ErrorfIs(target error, errno syscall.Errno, format string, args ...any) *brcmlink.Error {
	e := p.Errorf(errno, format, args...)
	e.Cause = target
	return e
}

// errorf returns the error of a check, for Wrap to name the client and
// its operation.
func errorf(errno syscall.Errno, format string, args ...any) *brcmlink.Error {
	return &brcmlink.Error{Err: errno, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns err as a *brcmlink.Error of op on dev when it carries an
// errno, with the kernel's extended-ack message and, as its Cause, the
// error the errno came in (the *netlink.OpError, whose Offset points at
// the attribute refused; the clients turn extended acks on). Other
// errors, like a malformed reply, become a *brcmlink.OpError.
func (p Pkg) Wrap(op, dev string, err error) error {
	if err == nil {
		return nil
	}
	var e *brcmlink.Error
	if errors.As(err, &e) {
		w := *e
		w.Client, w.Op, w.Dev = string(p), op, dev
		return &w
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		w := &brcmlink.Error{Client: string(p), Op: op, Dev: dev, Err: errno}
		if err != errno {
			w.Cause = err
		}
		var oe *netlink.OpError
		if errors.As(err, &oe) {
			w.Message = oe.Message
		}
		return w
	}
	if oe, ok := err.(*brcmlink.OpError); ok { // wrapped again, as Annotate does
		err = oe.Err
	}
	return &brcmlink.OpError{Client: string(p), Op: op, Dev: dev, Err: err}
}

// Annotate wraps *err for op on dev; exported methods defer it so that
// every error they return names the client and what it was doing.
func (p Pkg) Annotate(err *error, op, dev string) { *err = p.Wrap(op, dev, *err) }

// Malformed returns the error of a reply the client cannot decode, which
// reads as fmt.Errorf(format, args...) and matches brcmlink.ErrMalformed
// besides what that wraps.
func Malformed(format string, args ...any) error {
	return &malformed{fmt.Errorf(format, args...)}
}

type malformed struct{ err error }

func (e *malformed) Error() string { return e.err.Error() }

func (e *malformed) Unwrap() []error { return []error{e.err, brcmlink.ErrMalformed} }
