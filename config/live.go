// SPDX-License-Identifier: MIT

package config

import (
	"errors"
	"os"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/rtlink"
)

// Family is what Live asks of the brcm family: a *genl.Client's listing
// of the ports and the changes Apply makes to them.
type Family interface {
	// List returns every brcm port of the namespace.
	List() ([]brcmlink.Port, error)
	Changer
}

// Links is what Live asks of rtnetlink, which the brcm family cannot do:
// the network devices of the namespace, renaming one and setting one up.
// NewLinks makes them of an *rtlink.Client.
type Links interface {
	// Device returns the device named name, or nil if there is none.
	Device(name string) (*Device, error)
	// Devices returns every device of the namespace.
	Devices() ([]Device, error)
	// Rename renames the device with ifindex index, which is down.
	Rename(index int, name string) error
	// SetUp sets the device with ifindex index up or down.
	SetUp(index int, up bool) error
}

// Live is a network namespace as it is: its brcm ports, through the
// family, and its devices, through rtnetlink. It is the System Apply
// changes.
type Live struct {
	Family
	Links
}

var _ System = Live{}

// Plan returns the plan that brings l to c: it lists the brcm ports,
// looks up the devices MakePlan needs (Devices) and makes the plan.
func (l Live) Plan(c *Config) (*Plan, error) {
	ports, err := l.List()
	if err != nil {
		return nil, err
	}
	devs, err := Devices(c, ports, l.Device, l.Devices)
	if err != nil {
		return nil, err
	}
	return MakePlan(c, ports, devs)
}

// NewLinks returns the Links of c's namespace. Closing c is the
// caller's.
func NewLinks(c *rtlink.Client) Links { return rtLinks{c} }

// rtLinks are Links through an *rtlink.Client.
type rtLinks struct{ c *rtlink.Client }

func (l rtLinks) Devices() ([]Device, error) {
	ds, err := l.c.Devices()
	if err != nil {
		return nil, err
	}
	cds := make([]Device, len(ds))
	for i, d := range ds {
		cds[i] = device(d)
	}
	return cds, nil
}

// device is d as Devices and MakePlan take it.
func device(d rtlink.Device) Device {
	return Device{Name: d.Name, Index: d.Index, Port: d.Kind == brcmlink.Kind, Up: d.Up}
}

func (l rtLinks) Device(name string) (*Device, error) {
	d, err := l.c.Device(name)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	cd := device(*d)
	return &cd, nil
}

func (l rtLinks) Rename(index int, name string) error {
	_, err := l.c.Rename(brcmlink.ByIndex(index), name)
	return err
}

func (l rtLinks) SetUp(index int, up bool) error { return l.c.SetDeviceUp(index, up) }
