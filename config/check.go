// SPDX-License-Identifier: MIT

package config

import (
	"fmt"

	"github.com/brcmlink/brcmlink"
)

// Check refuses what no system would take: a lower or a name twice, the
// same switch port twice on a lower, values out of range, names the kernel
// refuses.
func (c *Config) Check() error {
	lowers := map[string]Pos{}
	names := map[string]Pos{}
	for _, l := range c.Lowers {
		if err := brcmlink.CheckName("lower device", l.Name); err != nil {
			return &Error{l.Pos, message(err)}
		}
		if !brcmlink.ValidDeviceName(l.Name) {
			return &Error{l.Pos, fmt.Sprintf("lower device name %q is not one the kernel takes", l.Name)}
		}
		if p, ok := lowers[l.Name]; ok {
			return &Error{l.Pos, fmt.Sprintf("lower %s is described twice: first at %s", l.Name, p.from(l.Pos))}
		}
		lowers[l.Name] = l.Pos
		if err := checkFormats(l); err != nil {
			return err
		}
		ports := map[uint16]Pos{}
		for _, p := range l.Ports {
			for _, r := range []struct {
				r brcmlink.Range
				v uint64
			}{{brcmlink.PortRange, uint64(p.Port)}, {brcmlink.QueueRange, uint64(p.Queue)}, {brcmlink.TagEnforceRange, uint64(p.TagEnforce)}, {brcmlink.VLANRange, uint64(p.VLAN)}} {
				if err := r.r.Check(r.v); err != nil {
					return &Error{p.Pos, message(err)}
				}
			}
			if p.QueueFromPriority && p.Queue != 0 {
				return &Error{p.Pos, fmt.Sprintf("port %d takes its queue from the priority and queue %d: give one or the other", p.Port, p.Queue)}
			}
			if q, ok := ports[p.Port]; ok {
				return &Error{p.Pos, fmt.Sprintf("port %d of %s is described twice: first at %s", p.Port, l.Name, q.from(p.Pos))}
			}
			ports[p.Port] = p.Pos
			name := p.DeviceName(l.Name)
			if err := brcmlink.CheckName("device", p.Name); err != nil {
				return &Error{p.Pos, message(err)}
			}
			if p.Name == "" {
				if _, err := brcmlink.DefaultName(l.Name, p.Port); err != nil {
					return &Error{p.Pos, message(err)}
				}
			}
			if !brcmlink.ValidDeviceName(name) {
				return &Error{p.Pos, fmt.Sprintf("name %q is not one the kernel takes: 1-%d bytes, no blank, '/' or ':'", name, brcmlink.NameMax)}
			}
			if q, ok := names[name]; ok {
				return &Error{p.Pos, fmt.Sprintf("name %s is given twice: first at %s", name, q.from(p.Pos))}
			}
			names[name] = p.Pos
		}
	}
	for _, l := range c.Lowers {
		if q, ok := names[l.Name]; ok {
			return &Error{q, fmt.Sprintf("name %s is that of the lower at %s", l.Name, l.Pos.from(q))}
		}
	}
	return nil
}

// checkFormats refuses a lower whose ports are given tag formats that
// differ: all its ports share one. It names the lower and the two ports,
// or the lower's own format and the port.
func checkFormats(l Lower) error {
	var first *Port // the first port that gives a format
	for i := range l.Ports {
		p := &l.Ports[i]
		if err := p.formatCheck(); err != nil {
			return err
		}
		switch {
		case p.Format == nil:
		case l.Format != nil && *p.Format != *l.Format:
			return &Error{p.Pos, fmt.Sprintf("port %d has format %s, but lower %s (at %s) has %s: the ports of a lower share its format",
				p.Port, p.Format, l.Name, l.Pos.from(p.Pos), l.Format)}
		case first != nil && *p.Format != *first.Format:
			return &Error{p.Pos, fmt.Sprintf("port %d has format %s, but port %d (at %s) has %s: the ports of lower %s share one format",
				p.Port, p.Format, first.Port, first.Pos.from(p.Pos), first.Format, l.Name)}
		case first == nil:
			first = p
		}
	}
	if l.Format != nil {
		if err := l.Format.Check(); err != nil {
			return &Error{l.Pos, message(err)}
		}
	}
	return nil
}

// formatCheck refuses a format the kernel does not know (a Config made
// by a program: Parse takes only names).
func (p *Port) formatCheck() error {
	if p.Format != nil {
		if err := p.Format.Check(); err != nil {
			return &Error{p.Pos, message(err)}
		}
	}
	return nil
}
