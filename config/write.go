// SPDX-License-Identifier: MIT

package config

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/brcmlink/brcmlink"
)

// JSON returns c in the JSON form, which Parse reads back to c.
func (c *Config) JSON() ([]byte, error) {
	type lower struct {
		Name   string     `json:"name"`
		Format *string    `json:"format,omitempty"`
		Ports  []jsonPort `json:"ports"`
	}
	name := func(f *brcmlink.Format) *string {
		if f == nil {
			return nil
		}
		return new(f.String())
	}
	out := struct {
		Lowers []lower `json:"lowers"`
	}{Lowers: []lower{}}
	for _, l := range c.Lowers {
		jl := lower{Name: l.Name, Format: name(l.Format), Ports: []jsonPort{}}
		for _, p := range l.Ports {
			jl.Ports = append(jl.Ports, jsonPort{
				Port: json.RawMessage(strconv.Itoa(int(p.Port))), Name: p.Name,
				Queue: p.Queue, QueueFromPriority: p.QueueFromPriority, TagEnforce: p.TagEnforce,
				Format: name(p.Format), VLAN: p.VLAN, Up: p.Up,
			})
		}
		out.Lowers = append(out.Lowers, jl)
	}
	return json.Marshal(out)
}

// FromPorts returns the Config that describes ports as they are, lower by
// lower in the order of lowers, each lower's ports by switch port; the
// ports of lowers not named are left out. Names that are the default are
// left out, so that Format prints them as the default, and so is a
// lower's tag format that is the default, FormatBCM53242. A port that
// takes its queue from the priority has queue 0: its fixed queue does not
// matter.
func FromPorts(ports []brcmlink.Port, lowers []string) *Config {
	c := &Config{}
	for _, lower := range lowers {
		l := Lower{Name: lower}
		for _, p := range ports {
			if p.Lower != lower {
				continue
			}
			if p.Format != brcmlink.FormatBCM53242 {
				l.Format = new(p.Format) // all its ports have the same
			}
			cp := Port{Port: p.Port, Name: p.Name, Queue: p.Queue, QueueFromPriority: p.QueueFromPriority,
				TagEnforce: p.TagEnforce, VLAN: p.VLAN, Up: new(p.Up)}
			if cp.QueueFromPriority {
				cp.Queue = 0
			}
			if cp.Name == (Port{Port: p.Port}).DeviceName(lower) {
				cp.Name = ""
			}
			l.Ports = append(l.Ports, cp)
		}
		slices.SortFunc(l.Ports, func(a, b Port) int { return int(a.Port) - int(b.Port) })
		c.Lowers = append(c.Lowers, l)
	}
	return c
}

// Format returns c in the text format, which Parse reads back to c.
func (c *Config) Format() string {
	var b strings.Builder
	for i, l := range c.Lowers {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "lower %s", l.Name)
		if l.Format != nil {
			fmt.Fprintf(&b, " %s %s", KeyFormat, l.Format)
		}
		b.WriteByte('\n')
		for _, p := range l.Ports {
			fmt.Fprintf(&b, "    %s %s", KeyPort, PortString(p.Port))
			if p.Name != "" {
				fmt.Fprintf(&b, " %s %s", KeyName, p.Name)
			}
			switch {
			case p.QueueFromPriority:
				fmt.Fprintf(&b, " %s %s", KeyQueue, QueuePriority)
			case p.Queue != 0:
				fmt.Fprintf(&b, " %s %d", KeyQueue, p.Queue)
			}
			if p.TagEnforce != 0 {
				fmt.Fprintf(&b, " %s %d", KeyTagEnforce, p.TagEnforce)
			}
			if p.Format != nil {
				fmt.Fprintf(&b, " %s %s", KeyFormat, p.Format)
			}
			if p.VLAN != 0 {
				fmt.Fprintf(&b, " %s %d", KeyVLAN, p.VLAN)
			}
			if p.Up != nil {
				fmt.Fprintf(&b, " %s", map[bool]string{true: KeyUp, false: KeyDown}[*p.Up])
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}
