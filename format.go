// SPDX-License-Identifier: MIT

package brcmlink

import (
	"fmt"
	"strings"
	"syscall"
)

// Format is a tag format (enum brcm_format): how the transmit tags of a
// lower's ports name their destination, FormatBCM53242 or FormatOriginal.
// All ports of a lower share one: the first port sets it, and the others
// may only repeat it (see AddRequest.Format).
type Format uint8

// formatNames are the Formats' names, as String and ParseFormat spell them.
var formatNames = [...]string{
	FormatBCM53242: "bcm53242",
	FormatOriginal: "original",
}

// String returns the name of f, "bcm53242" or "original", as ParseFormat
// takes it; "format N" for a Format unknown here.
func (f Format) String() string {
	if f <= FormatMax {
		return formatNames[f]
	}
	return fmt.Sprintf("format %d", uint8(f))
}

// ParseFormat returns the Format named s, as String names it. An unknown
// name fails with EINVAL, as an *Error listing the names there are.
func ParseFormat(s string) (Format, error) {
	for f, name := range formatNames {
		if s == name {
			return Format(f), nil
		}
	}
	return 0, errorf(syscall.EINVAL, "tag format %q unknown: give %s", s, strings.Join(formatNames[:], " or "))
}
