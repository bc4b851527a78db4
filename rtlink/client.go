// SPDX-License-Identifier: MIT

// Package rtlink creates, changes, lists and deletes brcm links over
// rtnetlink: network devices the brcm kernel module binds to one port of
// a Broadcom switch behind a lower (IMP) Ethernet device.
//
// A Client works in one network namespace, that of its socket. It
// returns links as brcmlink.Port, with their IFLA_STATS64 counters, and
// with Lower "" when the lower device is in another namespace (LowerIndex
// then indexes that one, and LowerNetNSID is its id). Its methods return a *Error for anything the
// kernel or the client's own checks refuse; see Error for matching them
// with errors.Is.
//
// The package also registers the Brcm link driver with
// github.com/jsimonetti/rtnetlink/v2, for programs that use that package
// directly.
package rtlink

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/internal/nlsock"
	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// Client manages the brcm links of a network namespace. It is safe for
// concurrent use.
type Client struct {
	c *netlink.Conn
}

// Dial opens an rtnetlink socket. cfg may be nil; cfg.NetNS selects the
// network namespace to work in.
func Dial(cfg *netlink.Config) (*Client, error) {
	c, err := dial(cfg)
	if err != nil {
		return nil, wrap("dial", "", err)
	}
	// Best effort: without extended acks (before Linux 4.12) errors still
	// carry the errno, only not the kernel's message.
	_ = c.SetOption(netlink.ExtendedAcknowledge, true)
	return &Client{c: c}, nil
}

// dial opens the Client's socket: for a cfg that asks for no more than a
// namespace, a blocking one (internal/nlsock), as the genl package's is,
// which costs a request no more than its system calls.
func dial(cfg *netlink.Config) (*netlink.Conn, error) {
	if cfg == nil {
		cfg = &netlink.Config{}
	}
	if *cfg != (netlink.Config{NetNS: cfg.NetNS}) {
		return netlink.Dial(unix.NETLINK_ROUTE, cfg)
	}
	return nlsock.Conn(unix.NETLINK_ROUTE, cfg.NetNS)
}

// SetDeadline bounds the Client's requests: one still waiting for its
// answer at t fails with an error matching os.ErrDeadlineExceeded, and so
// does every request after t, until a later deadline is set. The zero
// time means none.
func (c *Client) SetDeadline(t time.Time) error { return wrap("set deadline", "", c.c.SetDeadline(t)) }

// Close closes the socket, ending a request that waits for its answer;
// every call after it fails with an error matching net.ErrClosed.
func (c *Client) Close() error { return c.c.Close() }

// AddRequest describes a brcm link to create.
type AddRequest struct {
	Lower      string // name of the lower device; or else
	LowerIndex int    // its ifindex, used when Lower is ""
	Port       uint16 // switch port: 0 ("any") to brcmlink.PortMax
	Name       string // device name; "" lets the kernel pick brcm%d
	Queue      *uint8 // traffic queue, 0-brcmlink.QueueMax; nil for the kernel's default, 0
	TagEnforce *uint8 // tag enforcement, 0-brcmlink.TagEnforceMax; nil for the kernel's default, 0
	MTU        uint32 // 0 for the kernel's default
	Up         bool   // bring the device up as it is created
}

// dev names the device r is about, for errors.
func (r AddRequest) dev() string {
	if r.Name != "" {
		return r.Name
	}
	return portDev(r.lower(), r.Port)
}

// lower names r's lower device, for errors.
func (r AddRequest) lower() string {
	if r.Lower != "" {
		return r.Lower
	}
	return fmt.Sprintf("ifindex %d", r.LowerIndex)
}

func portDev(lower string, port uint16) string {
	if lower == "" {
		return fmt.Sprintf("port %d", port)
	}
	return fmt.Sprintf("%s port %d", lower, port)
}

// Add creates a brcm link and returns it as the kernel reports it.
func (c *Client) Add(req AddRequest) (p *brcmlink.Port, err error) {
	defer annotate(&err, "add", req.dev())
	data := &Brcm{Port: &req.Port, Queue: req.Queue, TagEnforce: req.TagEnforce}
	if err := data.validate(); err != nil {
		return nil, err
	}
	lower := req.LowerIndex
	switch {
	case req.Lower != "":
		if lower, err = c.lowerIndex(req.Lower); err != nil {
			return nil, err
		}
	case lower <= 0:
		return nil, errorf(syscall.EINVAL, "no lower device: Lower is empty and LowerIndex is %d", lower)
	}
	m := &rtnetlink.LinkMessage{Attributes: &rtnetlink.LinkAttributes{
		Name: req.Name,
		Type: uint32(lower), // rtnetlink encodes Type as IFLA_LINK
		MTU:  req.MTU,
		Info: &rtnetlink.LinkInfo{Kind: brcmlink.Kind, Data: data},
	}}
	if req.Up {
		m.Flags, m.Change = unix.IFF_UP, unix.IFF_UP
	}
	if _, err := c.execute(unix.RTM_NEWLINK, netlink.Create|netlink.Excl|netlink.Acknowledge, m); err != nil {
		return nil, err
	}
	// Read the link back by its port, unique on the lower, since the
	// kernel may have picked the name.
	l, err := c.findPort(lower, req.lower(), req.Port)
	if err != nil {
		return nil, err
	}
	return c.port(l)
}

// Delete deletes the brcm link name. It refuses a device of another kind.
func (c *Client) Delete(name string) (err error) {
	defer annotate(&err, "delete", name)
	l, err := c.getBrcm(name)
	if err != nil {
		return err
	}
	return c.delete(l.index)
}

// DeleteByPort deletes the brcm link bound to port of lower.
func (c *Client) DeleteByPort(lower string, port uint16) (err error) {
	defer annotate(&err, "delete", portDev(lower, port))
	l, err := c.byPort(lower, port)
	if err != nil {
		return err
	}
	return c.delete(l.index)
}

func (c *Client) delete(index int) error {
	_, err := c.execute(unix.RTM_DELLINK, netlink.Acknowledge, &rtnetlink.LinkMessage{Index: uint32(index)})
	return err
}

// Set changes the queue and tag enforcement of the brcm link name; a nil
// value stays as it is.
func (c *Client) Set(name string, queue, tagEnforce *uint8) (err error) {
	defer annotate(&err, "set", name)
	data := &Brcm{Queue: queue, TagEnforce: tagEnforce}
	if err := data.validate(); err != nil {
		return err
	}
	l, err := c.getBrcm(name)
	if err != nil || (queue == nil && tagEnforce == nil) {
		return err
	}
	_, err = c.execute(unix.RTM_NEWLINK, netlink.Acknowledge, &rtnetlink.LinkMessage{
		Index:      uint32(l.index),
		Attributes: &rtnetlink.LinkAttributes{Info: &rtnetlink.LinkInfo{Kind: brcmlink.Kind, Data: data}},
	})
	return err
}

// Get returns the brcm link name.
func (c *Client) Get(name string) (p *brcmlink.Port, err error) {
	defer annotate(&err, "get", name)
	l, err := c.getBrcm(name)
	if err != nil {
		return nil, err
	}
	return c.port(l)
}

// GetByPort returns the brcm link bound to port of lower.
func (c *Client) GetByPort(lower string, port uint16) (p *brcmlink.Port, err error) {
	defer annotate(&err, "get", portDev(lower, port))
	l, err := c.byPort(lower, port)
	if err != nil {
		return nil, err
	}
	return c.port(l)
}

// List returns every brcm link in the namespace, whatever its lower.
func (c *Client) List() (ps []brcmlink.Port, err error) {
	defer annotate(&err, "list", "")
	links, err := c.dump()
	if err != nil {
		return nil, err
	}
	return c.ports(links)
}

// ListLower returns the brcm links on lower.
func (c *Client) ListLower(lower string) (ps []brcmlink.Port, err error) {
	defer annotate(&err, "list", lower)
	index, err := c.lowerIndex(lower)
	if err != nil {
		return nil, err
	}
	links, err := c.lowerLinks(index)
	if err != nil {
		return nil, err
	}
	return c.ports(links)
}

// execute sends m as a request and returns the links of the reply.
func (c *Client) execute(typ netlink.HeaderType, flags netlink.HeaderFlags, m *rtnetlink.LinkMessage) ([]link, error) {
	b, err := m.MarshalBinary()
	if err != nil {
		return nil, err
	}
	msgs, err := c.c.Execute(netlink.Message{
		Header: netlink.Header{Type: typ, Flags: netlink.Request | flags},
		Data:   b,
	})
	if err != nil {
		return nil, err
	}
	var links []link
	for _, msg := range msgs {
		if msg.Header.Type != unix.RTM_NEWLINK {
			continue // an acknowledgement
		}
		l, err := parseLink(msg.Data)
		if err != nil {
			return nil, err
		}
		links = append(links, l)
	}
	return links, nil
}

// getLink returns the link with the given index, or else name.
func (c *Client) getLink(index int, name string) (link, error) {
	links, err := c.execute(unix.RTM_GETLINK, 0, &rtnetlink.LinkMessage{
		Index:      uint32(index),
		Attributes: &rtnetlink.LinkAttributes{Name: name},
	})
	if err != nil {
		return link{}, err
	}
	if len(links) != 1 {
		return link{}, fmt.Errorf("kernel answered %d links for one", len(links))
	}
	return links[0], nil
}

// getBrcm returns the link name, which must be a brcm link.
func (c *Client) getBrcm(name string) (link, error) {
	if name == "" {
		return link{}, errorf(syscall.EINVAL, "empty device name")
	}
	l, err := c.getLink(0, name)
	if err != nil {
		return link{}, err
	}
	if l.kind != brcmlink.Kind {
		kind := "no kind"
		if l.kind != "" {
			kind = "kind " + l.kind
		}
		return link{}, errorf(syscall.ENODEV, "%s is not a brcm device (%s)", l.name, kind)
	}
	return l, nil
}

// lowerIndex returns the ifindex of the lower device name.
func (c *Client) lowerIndex(name string) (int, error) {
	if name == "" {
		return 0, errorf(syscall.EINVAL, "empty lower device name")
	}
	l, err := c.getLink(0, name)
	if errors.Is(err, syscall.ENODEV) {
		return 0, errorf(syscall.ENODEV, "lower device %s not found", name)
	}
	return l.index, err
}

// dump returns every brcm link. The kernel filters the dump by kind only
// if it knows the kind (the module is loaded), so filter here too.
func (c *Client) dump() ([]link, error) {
	links, err := c.execute(unix.RTM_GETLINK, netlink.Dump, &rtnetlink.LinkMessage{
		Attributes: &rtnetlink.LinkAttributes{Info: &rtnetlink.LinkInfo{Kind: brcmlink.Kind}},
	})
	if err != nil {
		return nil, err
	}
	var brcm []link
	for _, l := range links {
		if l.kind == brcmlink.Kind {
			brcm = append(brcm, l)
		}
	}
	return brcm, nil
}

// lowerLinks returns the brcm links on the lower device with ifindex
// lower in this namespace.
func (c *Client) lowerLinks(lower int) ([]link, error) {
	links, err := c.dump()
	if err != nil {
		return nil, err
	}
	var on []link
	for _, l := range links {
		if l.port.LowerNetNSID == nil && l.port.LowerIndex == lower {
			on = append(on, l)
		}
	}
	return on, nil
}

// findPort returns the brcm link bound to port of the lower device with
// ifindex lower, which the caller calls lowerName.
func (c *Client) findPort(lower int, lowerName string, port uint16) (link, error) {
	links, err := c.lowerLinks(lower)
	if err != nil {
		return link{}, err
	}
	for _, l := range links {
		if l.port.Port == port {
			return l, nil
		}
	}
	return link{}, errorf(syscall.ENODEV, "no brcm device on port %d of %s", port, lowerName)
}

// byPort returns the brcm link bound to port of the lower device name.
func (c *Client) byPort(lower string, port uint16) (link, error) {
	if err := (&Brcm{Port: &port}).validate(); err != nil {
		return link{}, err
	}
	index, err := c.lowerIndex(lower)
	if err != nil {
		return link{}, err
	}
	return c.findPort(index, lower, port)
}

// port returns the Port of one brcm link.
func (c *Client) port(l link) (*brcmlink.Port, error) {
	ps, err := c.ports([]link{l})
	if err != nil {
		return nil, err
	}
	return &ps[0], nil
}

// ports returns the Ports of brcm links, naming their lower devices when
// these are in this namespace.
func (c *Client) ports(links []link) ([]brcmlink.Port, error) {
	names := make(map[int]string) // lower ifindex to name: most links share one lower
	ps := make([]brcmlink.Port, 0, len(links))
	for _, l := range links {
		p := l.port
		if p.LowerNetNSID == nil && p.LowerIndex != 0 {
			name, ok := names[p.LowerIndex]
			if !ok {
				lower, err := c.getLink(p.LowerIndex, "")
				// A lower gone since the dump took its brcm links with it.
				if err != nil && !errors.Is(err, syscall.ENODEV) {
					return nil, err
				}
				name = lower.name
				names[p.LowerIndex] = name
			}
			p.Lower = name
		}
		ps = append(ps, p)
	}
	return ps, nil
}
