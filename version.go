// SPDX-License-Identifier: MIT

package brcmlink

import (
	_ "embed"
	"strings"
)

//go:embed kernel/VERSION
var version string

// Version is the version of brcmlink: of these packages, the command and
// the brcm module built from the same tree, whose MODULE_VERSION it is
// too (kernel/VERSION, the one place it is written).
var Version = strings.TrimSpace(version)
