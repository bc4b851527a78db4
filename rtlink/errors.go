// SPDX-License-Identifier: MIT

package rtlink

import (
	"syscall"

	"github.com/brcmlink/brcmlink/internal/nl"
)

// Error is a failed request: the kernel's answer, or the client's own
// check that stopped a request the kernel would refuse the same way. It
// matches os.ErrExist, os.ErrNotExist and os.ErrPermission with
// errors.Is, and its errno with errors.Is(err, syscall.EEXIST) and the
// like. A device that exists but is not a brcm link is ENODEV, like one
// that does not exist: either way there is no such brcm device.
//
// The genl package returns the same type.
type Error = nl.Error

// pkg makes this package's errors, which start with "rtlink".
const pkg nl.Pkg = "rtlink"

// errorf returns a client-side error; wrap adds the operation later.
func errorf(errno syscall.Errno, format string, args ...any) *Error {
	return pkg.Errorf(errno, format, args...)
}

// wrap returns err as an *Error of op on dev when it carries an errno,
// else annotates it.
func wrap(op, dev string, err error) error { return pkg.Wrap(op, dev, err) }

// annotate wraps *err for op on dev; exported methods defer it so that
// every error they return names what they were doing.
func annotate(err *error, op, dev string) { pkg.Annotate(err, op, dev) }
