// SPDX-License-Identifier: MIT

package rtlink

import (
	"syscall"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/internal/nl"
)

// pkg makes this package's errors, which start with "rtlink".
const pkg nl.Pkg = "rtlink"

// errorf returns a client-side error; wrap adds the operation later.
func errorf(errno syscall.Errno, format string, args ...any) *brcmlink.Error {
	return pkg.Errorf(errno, format, args...)
}

// wrap returns err as a *brcmlink.Error of op on dev when it carries an
// errno, else as a *brcmlink.OpError.
func wrap(op, dev string, err error) error { return pkg.Wrap(op, dev, err) }

// annotate wraps *err for op on dev; exported methods defer it so that
// every error they return names what they were doing.
func annotate(err *error, op, dev string) { pkg.Annotate(err, op, dev) }
