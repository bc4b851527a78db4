// SPDX-License-Identifier: MIT

package format

import (
	"strings"

	"github.com/brcmlink/brcmlink"
)

// A Palette colors what ip -c colors: names of devices, and operational
// states UP and DOWN. The zero Palette colors nothing.
type Palette struct {
	ifname, up, down string
}

// The escapes of ip's palette, and the one that ends a color.
const (
	cyan, green, red             = "\x1b[36m", "\x1b[32m", "\x1b[31m"
	boldCyan, boldGreen, boldRed = "\x1b[1;36m", "\x1b[1;32m", "\x1b[1;31m"
	clear                        = "\x1b[0m"
)

// NewPalette returns ip's palette for the terminal that COLORFGBG, the
// variable some terminals set to "FG;BG", describes: bold colors on a
// dark background (BG 0-6 or 8), plain ones otherwise.
func NewPalette(colorfgbg string) *Palette {
	if i := strings.LastIndexByte(colorfgbg, ';'); i >= 0 {
		if bg := colorfgbg[i+1:]; len(bg) == 1 && (bg[0] >= '0' && bg[0] <= '6' || bg[0] == '8') {
			return &Palette{boldCyan, boldGreen, boldRed}
		}
	}
	return &Palette{cyan, green, red}
}

func paint(color, s string) string {
	if color == "" {
		return s
	}
	return color + s + clear
}

// name colors the name of a device, padding included as ip does.
func (p *Palette) name(s string) string {
	if p == nil {
		return s
	}
	return paint(p.ifname, s)
}

// state colors an operational state: UP green, DOWN red, others not.
func (p *Palette) state(st brcmlink.OperState, s string) string {
	switch {
	case p == nil:
		return s
	case st == brcmlink.OperUp:
		return paint(p.up, s)
	case st == brcmlink.OperDown:
		return paint(p.down, s)
	}
	return s
}
