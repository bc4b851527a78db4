// SPDX-License-Identifier: MIT

package brcmlink

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// A Range is a value whose range the kernel checks, as brcm_check_cfg in
// kernel/port.c does: from 0 to Max, named as the kernel's messages name
// it. Both clients check their requests with these before sending them,
// and the brcmlink command checks its command line with them.
type Range struct {
	What string // "port", "queue", "tag enforcement" or "vlan"
	Max  uint64
}

// The ranges of a port's configuration.
var (
	PortRange       = Range{"port", PortMax}
	QueueRange      = Range{"queue", QueueMax}
	TagEnforceRange = Range{"tag enforcement", TagEnforceMax}
	VLANRange       = Range{"vlan", VLANMax} // a port's VLAN id, 0 for none
)

// Check refuses v out of r with the kernel's errno, ERANGE, and message,
// like "port 28 out of range (0-27)", as an *Error. It takes any unsigned
// value, so that a number too big for the attribute reads like one that
// fits but is too big for the kernel.
func (r Range) Check(v uint64) error {
	if v > r.Max {
		return r.outOfRange(strconv.FormatUint(v, 10))
	}
	return nil
}

// ParseUint parses the decimal s and checks it as Check does, refusing
// even a number too big for a uint64 in the kernel's words. An s that is
// no decimal number fails with strconv.ParseUint's error.
func (r Range) ParseUint(s string) (uint64, error) {
	v, err := strconv.ParseUint(s, 10, 64)
	if errors.Is(err, strconv.ErrRange) {
		return 0, r.outOfRange(s)
	}
	if err != nil {
		return 0, err
	}
	return v, r.Check(v)
}

// outOfRange is the error for the value whose decimal text is v.
func (r Range) outOfRange(v string) *Error {
	return errorf(syscall.ERANGE, "%s %s out of range (0-%d)", r.What, v, r.Max)
}

// NameMax is the longest name a network device can have, in bytes:
// IFNAMSIZ - 1, the kernel's names ending in a NUL.
const NameMax = unix.IFNAMSIZ - 1

// CheckName refuses a device name longer than NameMax bytes, as
// brcm_genl_name in kernel/genl.c does, with its errno (EINVAL) and
// message; what names the device in the message, like "device" or "lower
// device".
//
// It refuses a name with '%' too, with EINVAL, though the kernel takes
// one: it expands it as a format (dev_alloc_name makes p%d p0), so the
// device would not have the name asked for, and no device has such a
// name to select.
func CheckName(what, name string) error {
	if len(name) > NameMax {
		return errorf(syscall.EINVAL, "%s name %s is longer than %d bytes", what, name, NameMax)
	}
	if strings.Contains(name, "%") {
		return errorf(syscall.EINVAL, "%s name %s contains '%%', which the kernel would expand as a format: give the name itself", what, name)
	}
	return nil
}

// ValidDeviceName reports whether a network device can have name, as the
// kernel's dev_valid_name() does: 1 to NameMax bytes, not "." or
// "..", without '/', ':' or white space; and without '%', which the
// kernel expands as a format (see CheckName).
func ValidDeviceName(name string) bool {
	if name == "" || len(name) > NameMax || name == "." || name == ".." {
		return false
	}
	for _, c := range []byte(name) {
		switch c {
		case '/', ':', '%', ' ', '\t', '\n', '\v', '\f', '\r':
			return false
		}
	}
	return true
}

// defaultName is brcm_genl_create's format of a default name, in Go's
// words; a test reads the kernel's.
const defaultName = "%s.p%d"

// DefaultName is the name brcm_genl_create in kernel/genl.c gives a port
// whose request gives none, "<lower>.p<port>" (AddRequest.Name), the one
// definition of it on this side: rtlink sends it so that both clients
// name a port alike, and config names a port without a name so. A name
// longer than NameMax bytes fails as the kernel fails it, with EINVAL;
// the name is returned even then, for a message.
func DefaultName(lower string, port uint16) (string, error) {
	name := fmt.Sprintf(defaultName, lower, port)
	if len(name) > NameMax {
		return name, errorf(syscall.EINVAL, "default name %s is longer than %d bytes: give a name", name, NameMax)
	}
	return name, nil
}

// CheckNetNSName refuses, with EINVAL, what is no name `ip netns add`
// gives a network namespace, bound at /run/netns/NAME: "", "." and "..",
// and a path.
func CheckNetNSName(name string) error {
	if name == "" || name == "." || name == ".." || strings.Contains(name, "/") {
		return errorf(syscall.EINVAL, "invalid network namespace name %q", name)
	}
	return nil
}

// Check refuses a Format the kernel does not know with its errno, ERANGE,
// and message, like "tag format 2 unknown (0-1)", as an *Error.
func (f Format) Check() error {
	if f > FormatMax {
		return errorf(syscall.ERANGE, "tag format %d unknown (0-%d)", uint8(f), uint8(FormatMax))
	}
	return nil
}
