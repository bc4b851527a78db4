// SPDX-License-Identifier: MIT

package genl

import (
	"fmt"
	"math"
	"syscall"

	"github.com/brcmlink/brcmlink"
	"github.com/mdlayher/netlink"
)

// Selector selects one port by exactly one of: its ifindex, its name, or
// its lower device (by name or by ifindex) and switch port. The kernel
// wants exactly one, so the Client refuses a Selector with none or
// several before sending it.
type Selector struct {
	Index      int    // ifindex of the port
	Name       string // name of the port
	Lower      string // name of the lower device, with Port
	LowerIndex int    // ifindex of the lower device, with Port
	Port       uint16 // switch port on the lower: 0 ("any") to brcmlink.PortMax
}

// ByIndex selects the port with ifindex index.
func ByIndex(index int) Selector { return Selector{Index: index} }

// ByName selects the port named name.
func ByName(name string) Selector { return Selector{Name: name} }

// ByPort selects the port bound to switch port port of the lower device
// named lower.
func ByPort(lower string, port uint16) Selector { return Selector{Lower: lower, Port: port} }

// String names the port s selects, as errors show it: "eth0.p5",
// "ifindex 7", "eth0 port 5" or "ifindex 2 port 5".
func (s Selector) String() string {
	switch {
	case s.Name != "":
		return s.Name
	case s.Index != 0:
		return fmt.Sprintf("ifindex %d", s.Index)
	case s.Lower != "":
		return fmt.Sprintf("%s port %d", s.Lower, s.Port)
	case s.LowerIndex != 0:
		return fmt.Sprintf("ifindex %d port %d", s.LowerIndex, s.Port)
	}
	return ""
}

func (s Selector) byLower() bool { return s.Lower != "" || s.LowerIndex != 0 }

// check refuses what the kernel would refuse of s, with its errno.
func (s Selector) check() error {
	var n int
	for _, given := range []bool{s.Index != 0, s.Name != "", s.byLower()} {
		if given {
			n++
		}
	}
	switch {
	case n == 0:
		return pkg.Errorf(syscall.EINVAL, "no port selected: give an Index, a Name, or a Lower or LowerIndex and a Port")
	case n > 1:
		return pkg.Errorf(syscall.EINVAL, "select the port by Index, by Name, or by Lower or LowerIndex and Port, not several")
	case s.byLower():
		if err := checkLower(s.Lower, s.LowerIndex); err != nil {
			return err
		}
		return pkg.CheckConfig(&s.Port, nil, nil)
	case s.Port != 0:
		return pkg.Errorf(syscall.EINVAL, "port %d given without its lower device", s.Port)
	}
	if err := checkIndex("ifindex", s.Index); err != nil {
		return err
	}
	return pkg.CheckName("device", s.Name)
}

// encode writes the attributes that select the port.
func (s Selector) encode(ae *netlink.AttributeEncoder) {
	if s.Index != 0 {
		ae.Uint32(brcmlink.AttrIfindex, uint32(s.Index))
	}
	if s.Name != "" {
		ae.String(brcmlink.AttrIfname, s.Name)
	}
	if s.byLower() {
		encodeLower(ae, s.Lower, s.LowerIndex)
		ae.Uint16(brcmlink.AttrPort, s.Port)
	}
}

// checkLower refuses a lower device given by neither or both of name and
// index, or by one the kernel cannot take.
func checkLower(name string, index int) error {
	switch {
	case name != "" && index != 0:
		return pkg.Errorf(syscall.EINVAL, "give the lower device by index (%d) or by name (%s), not both", index, name)
	case name == "" && index == 0:
		return pkg.Errorf(syscall.EINVAL, "no lower device: Lower is empty and LowerIndex is 0")
	}
	if name != "" {
		return checkLowerName(name)
	}
	return checkLowerIndex(index)
}

// checkLowerName and checkLowerIndex check a lower device given one way.
func checkLowerName(name string) error {
	if name == "" {
		return pkg.Errorf(syscall.EINVAL, "empty lower device name")
	}
	return pkg.CheckName("lower device", name)
}

func checkLowerIndex(index int) error {
	if index == 0 { // "not given" to checkIndex, but a lower must be
		return pkg.Errorf(syscall.ERANGE, "lower ifindex 0 out of range")
	}
	return checkIndex("lower ifindex", index)
}

func encodeLower(ae *netlink.AttributeEncoder, name string, index int) {
	if index != 0 {
		ae.Uint32(brcmlink.AttrLowerIfindex, uint32(index))
	}
	if name != "" {
		ae.String(brcmlink.AttrLowerIfname, name)
	}
}

// checkIndex refuses an ifindex that is no kernel's (0 means "not given").
func checkIndex(what string, index int) error {
	if index < 0 || index > math.MaxInt32 {
		return pkg.Errorf(syscall.ERANGE, "%s %d out of range", what, index)
	}
	return nil
}

// AddRequest describes a port to create.
type AddRequest struct {
	Lower      string // name of the lower device; or
	LowerIndex int    // its ifindex
	Port       uint16 // switch port: 0 ("any") to brcmlink.PortMax
	Name       string // device name; "" for the kernel's "<lower>.p<port>"
	Queue      *uint8 // traffic queue, 0-brcmlink.QueueMax; nil for the kernel's default, 0
	TagEnforce *uint8 // tag enforcement, 0-brcmlink.TagEnforceMax; nil for the kernel's default, 0
	Up         bool   // bring the port up as it is created
}

// dev names the port r creates, for errors.
func (r AddRequest) dev() string {
	return Selector{Name: r.Name, Lower: r.Lower, LowerIndex: r.LowerIndex, Port: r.Port}.String()
}

func (r AddRequest) check() error {
	if err := checkLower(r.Lower, r.LowerIndex); err != nil {
		return err
	}
	if err := pkg.CheckName("device", r.Name); err != nil {
		return err
	}
	return pkg.CheckConfig(&r.Port, r.Queue, r.TagEnforce)
}

func (r AddRequest) encode(ae *netlink.AttributeEncoder) {
	if r.Name != "" {
		ae.String(brcmlink.AttrIfname, r.Name)
	}
	encodeLower(ae, r.Lower, r.LowerIndex)
	ae.Uint16(brcmlink.AttrPort, r.Port)
	encodeConfig(ae, r.Queue, r.TagEnforce)
	if r.Up {
		ae.Uint8(brcmlink.AttrAdminUp, 1)
	}
}

// encodeConfig writes the queue and tag enforcement that are given.
func encodeConfig(ae *netlink.AttributeEncoder, queue, tagEnforce *uint8) {
	if queue != nil {
		ae.Uint8(brcmlink.AttrQueue, *queue)
	}
	if tagEnforce != nil {
		ae.Uint8(brcmlink.AttrTagEnforce, *tagEnforce)
	}
}

// Add creates a port and returns it as the kernel reports it.
func (c *Client) Add(req AddRequest) (p *brcmlink.Port, err error) {
	defer pkg.Annotate(&err, "add", req.dev())
	if err := req.check(); err != nil {
		return nil, err
	}
	return c.port(brcmlink.CmdPortNew, req.encode)
}

// Delete deletes the selected port.
func (c *Client) Delete(s Selector) (err error) {
	defer pkg.Annotate(&err, "delete", s.String())
	if err := s.check(); err != nil {
		return err
	}
	// The kernel answers a deletion with nothing but the acknowledgement.
	// The other commands answer with the port, and not acknowledging them
	// keeps a late acknowledgement from waiting on the socket for the next
	// request.
	_, _, err = c.execute(brcmlink.CmdPortDel, netlink.Acknowledge, s.encode)
	return err
}

// SetRequest describes a change to a port; a nil field stays as it is.
type SetRequest struct {
	Queue      *uint8 // traffic queue, 0-brcmlink.QueueMax
	TagEnforce *uint8 // tag enforcement, 0-brcmlink.TagEnforceMax
	Up         *bool  // administratively up or down
}

// Set changes the selected port and returns it as it is now. A change of
// the admin state comes first: if it fails, nothing changes.
func (c *Client) Set(s Selector, req SetRequest) (p *brcmlink.Port, err error) {
	defer pkg.Annotate(&err, "set", s.String())
	if err := s.check(); err != nil {
		return nil, err
	}
	if err := pkg.CheckConfig(nil, req.Queue, req.TagEnforce); err != nil {
		return nil, err
	}
	return c.port(brcmlink.CmdPortSet, func(ae *netlink.AttributeEncoder) {
		s.encode(ae)
		encodeConfig(ae, req.Queue, req.TagEnforce)
		if req.Up != nil {
			var up uint8
			if *req.Up {
				up = 1
			}
			ae.Uint8(brcmlink.AttrAdminUp, up)
		}
	})
}

// Get returns the selected port.
func (c *Client) Get(s Selector) (p *brcmlink.Port, err error) {
	defer pkg.Annotate(&err, "get", s.String())
	if err := s.check(); err != nil {
		return nil, err
	}
	return c.port(brcmlink.CmdPortGet, s.encode)
}

// List returns every port in the namespace, whatever its lower.
func (c *Client) List() (ps []brcmlink.Port, err error) {
	defer pkg.Annotate(&err, "list", "")
	return c.ports(nil)
}

// ListLower returns the ports on the lower device named lower.
func (c *Client) ListLower(lower string) (ps []brcmlink.Port, err error) {
	defer pkg.Annotate(&err, "list", lower)
	if err := checkLowerName(lower); err != nil {
		return nil, err
	}
	return c.ports(func(ae *netlink.AttributeEncoder) { encodeLower(ae, lower, 0) })
}

// ListLowerByIndex returns the ports on the lower device with ifindex
// index.
func (c *Client) ListLowerByIndex(index int) (ps []brcmlink.Port, err error) {
	defer pkg.Annotate(&err, "list", fmt.Sprintf("ifindex %d", index))
	if err := checkLowerIndex(index); err != nil {
		return nil, err
	}
	return c.ports(func(ae *netlink.AttributeEncoder) { encodeLower(ae, "", index) })
}

// port sends a request of cmd that the kernel answers with one port.
func (c *Client) port(cmd uint8, encode func(*netlink.AttributeEncoder)) (*brcmlink.Port, error) {
	return decodeOne(c, cmd, encode, parsePort)
}

// ports dumps the ports, on the lower that encode gives if any.
func (c *Client) ports(encode func(*netlink.AttributeEncoder)) ([]brcmlink.Port, error) {
	return decodeDump(c, brcmlink.CmdPortGet, encode, "ports", parsePort)
}
