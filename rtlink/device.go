// SPDX-License-Identifier: MIT

package rtlink

import (
	"fmt"
	"syscall"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/internal/nl"
	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// Device is a network device of the Client's namespace, of any kind, as
// Devices and Device report it: what tells a lower from a port, and
// whether it is up.
type Device struct {
	Index int
	Name  string
	Kind  string // IFLA_INFO_KIND: brcmlink.Kind for a brcm link, "" for a physical device
	Type  uint16 // ARPHRD_* of <linux/if_arp.h>: unix.ARPHRD_ETHER for Ethernet
	Flags uint32 // IFF_* of <linux/if.h>
	Up    bool   // administratively up: Flags has IFF_UP
}

// device is the Device of a link.
func (l link) device() Device {
	return Device{Index: l.index, Name: l.name, Kind: l.kind, Type: l.typ, Flags: l.flags, Up: l.flags&unix.IFF_UP != 0}
}

// Devices returns every network device of the namespace, whatever its
// kind, in the kernel's order (by ifindex), in one dump.
func (c *Client) Devices() (ds []Device, err error) {
	defer annotate(&err, "list", "")
	links, err := c.dumpLinks(nil)
	if err != nil {
		return nil, err
	}
	ds = make([]Device, len(links))
	for i, l := range links {
		ds[i] = l.device()
	}
	return ds, nil
}

// Device returns the network device named name, of any kind: an error
// matching os.ErrNotExist (ENODEV) if there is none.
func (c *Client) Device(name string) (d *Device, err error) {
	defer annotate(&err, "get", name)
	if err := checkDeviceName(name); err != nil {
		return nil, err
	}
	l, err := c.getLink(0, name)
	if err != nil {
		return nil, err
	}
	dev := l.device()
	return &dev, nil
}

// checkDeviceName refuses a name no device can have, with EINVAL, as
// brcmlink.CheckName and brcmlink.ValidDeviceName tell it.
func checkDeviceName(name string) error {
	if err := brcmlink.CheckName("device", name); err != nil {
		return err
	}
	if !brcmlink.ValidDeviceName(name) {
		return errorf(syscall.EINVAL, "invalid device name %q", name)
	}
	return nil
}

// Rename renames the selected brcm link to name and returns it as it is
// now: its ifindex, settings and counters stay. The kernel renames only a
// device that is down (EBUSY otherwise): a caller that renames an up
// port sets it down first, which drops its IPv4 routes and IPv6
// addresses. A name another device has fails with EEXIST. It refuses a
// device of another kind, and a name with '%' (brcmlink.CheckName).
func (c *Client) Rename(s brcmlink.Selector, name string) (p *brcmlink.Port, err error) {
	defer annotate(&err, "rename", s.String())
	if err := checkDeviceName(name); err != nil {
		return nil, err
	}
	l, lower, err := c.find(s)
	if err != nil {
		return nil, err
	}
	if _, err := c.execute(unix.RTM_NEWLINK, netlink.Acknowledge, &rtnetlink.LinkMessage{
		Index:      uint32(l.index),
		Attributes: &rtnetlink.LinkAttributes{Name: name},
	}); err != nil {
		return nil, err
	}
	if l, err = c.getLink(l.index, ""); err != nil {
		return nil, err
	}
	return c.port(l, lower)
}

// SetDeviceUp sets the network device with ifindex index, of any kind,
// up or down, as `ip link set dev DEV up` does. For a lower, the kernel
// brings its ports up and down with it, as it does 802.1Q VLANs.
func (c *Client) SetDeviceUp(index int, up bool) (err error) {
	defer annotate(&err, "set", fmt.Sprintf("ifindex %d", index))
	if err := nl.CheckIndexes([]int{index}); err != nil {
		return err
	}
	m := &rtnetlink.LinkMessage{Index: uint32(index), Change: unix.IFF_UP}
	if up {
		m.Flags = unix.IFF_UP
	}
	_, err = c.execute(unix.RTM_NEWLINK, netlink.Acknowledge, m)
	return err
}
