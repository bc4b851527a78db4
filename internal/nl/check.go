// SPDX-License-Identifier: MIT

package nl

import (
	"cmp"
	"math"
	"syscall"

	"github.com/brcmlink/brcmlink"
	"github.com/mdlayher/netlink"
)

// The checks below refuse what the kernel would refuse of a request, with
// its errno and words, so that the clients send nothing the kernel would
// refuse and refuse it alike. Their errors name no client: Wrap does.

// CheckSelector refuses a Selector that selects nothing, or names a port
// or lower the kernel cannot take.
func CheckSelector(s brcmlink.Selector) error {
	if lower, index, port, ok := s.Lower(); ok {
		if lower == "" && index == 0 {
			return errorf(syscall.EINVAL, "no lower device given: ByPort needs its name, ByLowerIndexPort its ifindex")
		}
		return cmp.Or(CheckLower(lower, index), brcmlink.PortRange.Check(uint64(port)))
	}
	switch {
	case s.Name() != "":
		return brcmlink.CheckName("device", s.Name())
	case s.Index() != 0:
		return checkIndex("ifindex", s.Index())
	}
	return errorf(syscall.EINVAL, "no port selected: make the Selector with ByName, ByIndex, ByPort or ByLowerIndexPort")
}

// CheckAdd refuses an AddRequest the kernel would refuse.
func CheckAdd(r brcmlink.AddRequest) error {
	return cmp.Or(
		CheckLower(r.Lower, r.LowerIndex),
		brcmlink.CheckName("device", r.Name),
		CheckConfig(AddConfig(r)),
	)
}

// CheckSet refuses a SetRequest the kernel would refuse.
func CheckSet(r brcmlink.SetRequest) error { return CheckConfig(SetConfig(r)) }

// Config is a port's settings as a request gives them, in the kernel's
// types (struct brcm_port_cfg); nil for those it does not give.
type Config struct {
	Port              *uint16
	Queue, TagEnforce *uint8
	Format            *brcmlink.Format
	QueueFromPrio     *uint8 // 0 or 1
	VLAN              *uint16
}

// AddConfig returns the settings r gives, its port among them.
func AddConfig(r brcmlink.AddRequest) Config {
	return Config{Port: &r.Port, Queue: r.Queue, TagEnforce: r.TagEnforce,
		Format: r.Format, QueueFromPrio: Flag(r.QueueFromPriority), VLAN: r.VLAN}
}

// SetConfig returns the settings r changes, but for the admin state.
func SetConfig(r brcmlink.SetRequest) Config {
	return Config{Queue: r.Queue, TagEnforce: r.TagEnforce,
		Format: r.Format, QueueFromPrio: Flag(r.QueueFromPriority), VLAN: r.VLAN}
}

// Attrs are the attribute types of the settings of a Config, in one
// netlink path: the genl family's BRCM_A_* or rtnetlink's IFLA_BRCM_*.
type Attrs struct{ Port, Queue, TagEnforce, Format, QueueFromPrio, VLAN uint16 }

// The attribute types of the two paths.
var (
	GenlAttrs = Attrs{brcmlink.AttrPort, brcmlink.AttrQueue, brcmlink.AttrTagEnforce,
		brcmlink.AttrFormat, brcmlink.AttrQueueFromPrio, brcmlink.AttrVLAN}
	LinkAttrs = Attrs{brcmlink.IFLABrcmPort, brcmlink.IFLABrcmQueue, brcmlink.IFLABrcmTagEnforce,
		brcmlink.IFLABrcmFormat, brcmlink.IFLABrcmQueueFromPrio, brcmlink.IFLABrcmVLAN}
)

// Encode writes the settings c gives as the attributes t names, in the
// order of Config's fields.
func (c Config) Encode(ae *netlink.AttributeEncoder, t Attrs) {
	if c.Port != nil {
		ae.Uint16(t.Port, *c.Port)
	}
	for _, u8 := range []struct {
		typ uint16
		v   *uint8
	}{{t.Queue, c.Queue}, {t.TagEnforce, c.TagEnforce}, {t.Format, (*uint8)(c.Format)}, {t.QueueFromPrio, c.QueueFromPrio}} {
		if u8.v != nil {
			ae.Uint8(u8.typ, *u8.v)
		}
	}
	if c.VLAN != nil {
		ae.Uint16(t.VLAN, *c.VLAN)
	}
}

// Flag returns b as the kernel's 0 or 1, nil for nil.
func Flag(b *bool) *uint8 {
	if b == nil {
		return nil
	}
	var v uint8
	if *b {
		v = 1
	}
	return &v
}

// CheckConfig refuses a setting out of range, as brcm_check_cfg does, in
// its order and words; a nil setting is not checked.
func CheckConfig(c Config) error {
	// A value not given checks as 0, which every range holds.
	if err := cmp.Or(
		brcmlink.PortRange.Check(uint64(deref(c.Port))),
		brcmlink.QueueRange.Check(uint64(deref(c.Queue))),
		brcmlink.TagEnforceRange.Check(uint64(deref(c.TagEnforce))),
		deref(c.Format).Check(),
	); err != nil {
		return err
	}
	if v := deref(c.QueueFromPrio); v > 1 {
		return errorf(syscall.ERANGE, "queue from priority %d is not 0 or 1", v)
	}
	return brcmlink.VLANRange.Check(uint64(deref(c.VLAN)))
}

func deref[T uint8 | uint16 | brcmlink.Format](p *T) T {
	if p == nil {
		return 0
	}
	return *p
}

// CheckLower refuses a lower device given by neither or both of name and
// index, or by one the kernel cannot take.
func CheckLower(name string, index int) error {
	switch {
	case name != "" && index != 0:
		return errorf(syscall.EINVAL, "give the lower device by index (%d) or by name (%s), not both", index, name)
	case name == "" && index == 0:
		return errorf(syscall.EINVAL, "no lower device: Lower is empty and LowerIndex is 0")
	case name != "":
		return CheckLowerName(name)
	}
	return CheckLowerIndex(index)
}

// CheckLowerName and CheckLowerIndex check a lower device given one way.
func CheckLowerName(name string) error {
	if name == "" {
		return errorf(syscall.EINVAL, "empty lower device name")
	}
	return brcmlink.CheckName("lower device", name)
}

func CheckLowerIndex(index int) error {
	if index == 0 { // "not given" to checkIndex, but a lower must be
		return errorf(syscall.ERANGE, "lower ifindex 0 out of range")
	}
	return checkIndex("lower ifindex", index)
}

// CheckIndexes checks the ifindexes of a deletion of many ports.
func CheckIndexes(indexes []int) error {
	for _, i := range indexes {
		if i == 0 {
			return errorf(syscall.ERANGE, "ifindex 0 out of range")
		}
		if err := checkIndex("ifindex", i); err != nil {
			return err
		}
	}
	return nil
}

// checkIndex refuses an ifindex that is no kernel's (0 means "not given").
func checkIndex(what string, index int) error {
	if index < 0 || index > math.MaxInt32 {
		return errorf(syscall.ERANGE, "%s %d out of range", what, index)
	}
	return nil
}

// AddDev names the device r creates, for errors: its name if r gives
// one, else its lower and port, like "eth0 port 5".
func AddDev(r brcmlink.AddRequest) string {
	switch {
	case r.Name != "":
		return r.Name
	case r.Lower != "":
		return brcmlink.ByPort(r.Lower, r.Port).String()
	}
	return brcmlink.ByLowerIndexPort(r.LowerIndex, r.Port).String()
}
