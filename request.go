// SPDX-License-Identifier: MIT

package brcmlink

import "fmt"

// Selector selects one port, for the genl and rtlink clients alike: by
// its name, by its ifindex, or by its lower device (by name or by
// ifindex) and switch port. Make one with ByName, ByIndex, ByPort or
// ByLowerIndexPort. The zero Selector selects nothing, and so do
// ByName("") and ByIndex(0): the clients refuse it with EINVAL.
type Selector struct {
	name    string // the port's name; with byLower, the lower's
	index   int    // the port's ifindex; with byLower, the lower's
	port    uint16 // with byLower, the switch port
	byLower bool
}

// ByName selects the port named name.
func ByName(name string) Selector { return Selector{name: name} }

// ByIndex selects the port with ifindex ifindex.
func ByIndex(ifindex int) Selector { return Selector{index: ifindex} }

// ByPort selects the port bound to switch port port (0 for "any") of the
// lower device named lower.
func ByPort(lower string, port uint16) Selector {
	return Selector{name: lower, port: port, byLower: true}
}

// ByLowerIndexPort selects the port bound to switch port port of the
// lower device with ifindex lowerIndex.
func ByLowerIndexPort(lowerIndex int, port uint16) Selector {
	return Selector{index: lowerIndex, port: port, byLower: true}
}

// Name returns the name s selects the port by, or "".
func (s Selector) Name() string {
	if s.byLower {
		return ""
	}
	return s.name
}

// Index returns the ifindex s selects the port by, or 0.
func (s Selector) Index() int {
	if s.byLower {
		return 0
	}
	return s.index
}

// Lower returns the lower device s selects the port by, by name or by
// ifindex (the other is "" or 0), and the switch port on it; ok is false
// if s selects by the port's own name or ifindex.
func (s Selector) Lower() (name string, index int, port uint16, ok bool) {
	if !s.byLower {
		return "", 0, 0, false
	}
	return s.name, s.index, s.port, true
}

// String names the port s selects as errors show it: "eth0.p5", "ifindex
// 7", "eth0 port 5" or "ifindex 2 port 5"; "" for a Selector that selects
// nothing.
func (s Selector) String() string {
	var dev string // the port, or with byLower its lower
	switch {
	case s.name != "":
		dev = s.name
	case s.index != 0:
		dev = fmt.Sprintf("ifindex %d", s.index)
	default:
		return ""
	}
	if s.byLower {
		return fmt.Sprintf("%s port %d", dev, s.port)
	}
	return dev
}

// AddRequest describes a port to create, for the genl and rtlink clients
// alike: given the same request, both create the same device.
type AddRequest struct {
	Lower      string // name of the lower device; or
	LowerIndex int    // its ifindex, not both
	Port       uint16 // switch port: 0 ("any") to PortMax
	// Name is the new device's name. "" names it as the brcm generic
	// netlink family does: the lower's name, ".p" and the port in decimal,
	// like "eth0.p5", and "eth0.p0" for port 0. A default name longer than
	// NameMax bytes is refused with EINVAL (DefaultName): give a Name then. A Name
	// with '%', which the kernel would expand as a format, is refused with
	// EINVAL (see CheckName).
	Name       string
	Queue      *uint8 // traffic queue, 0-QueueMax; nil for the kernel's default, 0
	TagEnforce *uint8 // tag enforcement, 0-TagEnforceMax; nil for the kernel's default, 0
	// Format is the tag format of the lower's ports. The first port on a
	// lower sets it, nil for the kernel's default, FormatBCM53242; another
	// port takes the lower's when nil, and is refused with EINVAL when it
	// names another.
	Format *Format
	// QueueFromPriority, if true, takes each frame's queue from its
	// priority (priority / 2) instead of Queue; nil for the kernel's
	// default, false.
	QueueFromPriority *bool
	// VLAN is the id of the 802.1Q header the port inserts after the tag
	// and takes off on receive, 1-VLANMax; nil or 0 for none.
	VLAN *uint16
	Up   bool // bring the port up as it is created
}

// SetRequest describes a change to a port, for the genl and rtlink
// clients alike; a nil field stays as it is. The admin state changes
// first: if that fails, nothing changes.
type SetRequest struct {
	Queue      *uint8 // traffic queue, 0-QueueMax
	TagEnforce *uint8 // tag enforcement, 0-TagEnforceMax
	// Format changes the tag format of the port's lower, which only its
	// only port may do: with other ports on the lower the kernel refuses
	// it with EBUSY (genl.Client.SetLowerFormat changes them all).
	Format *Format
	// QueueFromPriority, if true, takes each frame's queue from its
	// priority (priority / 2) instead of Queue; false goes back to Queue.
	QueueFromPriority *bool
	VLAN              *uint16 // the VLAN id inserted after the tag, 1-VLANMax; 0 for none
	Up                *bool   // administratively up or down
}
