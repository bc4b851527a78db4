// SPDX-License-Identifier: MIT

package config

import (
	"strconv"

	"github.com/brcmlink/brcmlink"
)

// The words of a port's settings, which a description's port lines share
// with the brcmlink command: its grammar takes them from here, so that the
// two read a port alike. Each parser fails on a word that is no number
// with strconv.ParseUint's *strconv.NumError, and on a number out of
// range with the range's *brcmlink.Error, so that each reader says so in
// its own words.

// The keywords of a port's settings: each is followed by its value, but
// up and down.
const (
	KeyPort       = "port"
	KeyName       = "name"
	KeyQueue      = "queue"
	KeyTagEnforce = "tag-enforce"
	KeyFormat     = "format"
	KeyVLAN       = "vlan"
	KeyUp         = "up"
	KeyDown       = "down"
)

// portKeys are the keywords that may follow a port line's switch port,
// in the order docs/config.md and the errors give them.
var portKeys = []string{KeyName, KeyQueue, KeyTagEnforce, KeyFormat, KeyVLAN, KeyUp, KeyDown}

// The words that stand for a value: port any, queue priority, vlan none.
const (
	PortAny       = "any"
	QueuePriority = "priority"
	VLANNone      = "none"
)

// ParsePort parses a switch port: a decimal number of brcmlink.PortRange,
// or PortAny for 0.
func ParsePort(s string) (uint16, error) {
	if s == PortAny {
		return 0, nil
	}
	v, err := brcmlink.PortRange.ParseUint(s)
	return uint16(v), err
}

// ParseQueue parses a queue: a decimal number of brcmlink.QueueRange, or
// QueuePriority, which gives fromPriority instead.
func ParseQueue(s string) (queue uint8, fromPriority bool, err error) {
	if s == QueuePriority {
		return 0, true, nil
	}
	v, err := brcmlink.QueueRange.ParseUint(s)
	return uint8(v), false, err
}

// ParseTagEnforce parses a tag enforcement: a decimal number of
// brcmlink.TagEnforceRange.
func ParseTagEnforce(s string) (uint8, error) {
	v, err := brcmlink.TagEnforceRange.ParseUint(s)
	return uint8(v), err
}

// ParseVLAN parses a VLAN id: a decimal number of brcmlink.VLANRange, or
// VLANNone for 0.
func ParseVLAN(s string) (uint16, error) {
	if s == VLANNone {
		return 0, nil
	}
	v, err := brcmlink.VLANRange.ParseUint(s)
	return uint16(v), err
}

// PortString is how a switch port reads in a description: its number, or
// PortAny for 0.
func PortString(port uint16) string {
	if port == 0 {
		return PortAny
	}
	return strconv.Itoa(int(port))
}

// VLANString is how a VLAN id reads: its number, or VLANNone for 0.
func VLANString(id uint16) string {
	if id == 0 {
		return VLANNone
	}
	return strconv.Itoa(int(id))
}
