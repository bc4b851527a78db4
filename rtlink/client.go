// SPDX-License-Identifier: MIT

// Package rtlink creates, changes, gets, lists and deletes brcm links
// over rtnetlink: network devices the brcm kernel module binds to one
// port of a Broadcom switch behind a lower (IMP) Ethernet device.
//
// A Client works in one network namespace, that of its socket. It takes
// the brcmlink package's Selector, AddRequest and SetRequest, as the genl
// package's Client does, and returns links as the same brcmlink.Port,
// with their IFLA_STATS64 counters, and with Lower "" when the lower
// device is in another namespace (LowerIndex then indexes that one, and
// LowerNetNSID is its id). Given the same AddRequest, both create the
// same device, named alike.
//
// It does less than the genl package: it reads no lower device's
// counters (only the brcm family reports them: genl.Client.Lowers) and
// watches nothing (genl.Client.Watch reports ports as they come, change
// and go). rtnetlink finds a link by name or ifindex but not by switch
// port, so a Selector by lower and port, like List and ListLower, costs a
// dump of the namespace's links; Add does not. Beyond brcm links, it
// lists the namespace's network devices of any kind (Devices, Device),
// renames a port (Rename) and sets a device such as a lower up or down
// (SetDeviceUp): what a program needs to bring ports to a description, as
// the config package and `brcmlink apply` do.
//
// Its methods fail with a *brcmlink.Error for anything the kernel or the
// client's own checks refuse: match them with errors.Is against
// os.ErrNotExist, os.ErrExist, os.ErrPermission or an errno. A reply it
// cannot decode is a *brcmlink.OpError matching brcmlink.ErrMalformed.
//
// The package also registers the Brcm link driver with
// github.com/jsimonetti/rtnetlink/v2, for programs that use that package
// directly.
package rtlink

import (
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/internal/nl"
	"github.com/brcmlink/brcmlink/internal/nlsock"
	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// Client manages the brcm links of a network namespace. It is safe for
// concurrent use.
type Client struct {
	c      *netlink.Conn
	sock   *nlsock.IntrSocket // c's socket; nil if Dial could not wrap it
	dumpMu sync.Mutex         // dumps take turns, for sock's note of NLM_F_DUMP_INTR
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
	_ = c.c.SetOption(netlink.ExtendedAcknowledge, true)
	return c, nil
}

// DialNetNSName opens an rtnetlink socket in the network namespace that
// `ip netns add NAME` created, as `ip -n NAME` does: the one bound at
// /run/netns/NAME. The socket keeps the namespace: the Client holds no
// descriptor of it. A namespace nobody made fails with ENOENT.
func DialNetNSName(name string) (c *Client, err error) {
	defer annotate(&err, "dial", "")
	// ip netns takes no path, only a name.
	if err := brcmlink.CheckNetNSName(name); err != nil {
		return nil, err
	}
	path := "/run/netns/" + name
	// Above stdin, stdout and stderr: a descriptor 0 would mean the
	// caller's namespace to the socket.
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err == nil && fd < 3 {
		var dup int
		dup, err = unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 3)
		unix.Close(fd)
		fd = dup
	}
	if err != nil {
		errno, ok := err.(syscall.Errno)
		if !ok {
			errno = syscall.EINVAL
		}
		return nil, errorf(errno, "network namespace %s: open %s", name, path)
	}
	defer unix.Close(fd)
	return Dial(&netlink.Config{NetNS: fd})
}

// dial opens the Client: for a cfg that asks for no more than a
// namespace, on a blocking socket (internal/nlsock), as the genl
// package's is, which costs a request no more than its system calls, and
// which the Client wraps to see every NLM_F_DUMP_INTR; else on the
// netlink package's.
func dial(cfg *netlink.Config) (*Client, error) {
	if cfg == nil {
		cfg = &netlink.Config{}
	}
	if *cfg != (netlink.Config{NetNS: cfg.NetNS}) {
		c, err := netlink.Dial(unix.NETLINK_ROUTE, cfg)
		if err != nil {
			return nil, err
		}
		return &Client{c: c}, nil
	}
	s, pid, err := nlsock.Dial(unix.NETLINK_ROUTE, cfg.NetNS)
	if err != nil {
		return nil, err
	}
	return newClient(s, pid), nil
}

// SetDeadline bounds the Client's requests: one still waiting for its
// answer at t fails with an error matching os.ErrDeadlineExceeded, and so
// does every request after t, until a later deadline is set. The zero
// time means none.
func (c *Client) SetDeadline(t time.Time) error { return wrap("set deadline", "", c.c.SetDeadline(t)) }

// Close closes the socket, ending a request that waits for its answer;
// every call after it fails with an error matching net.ErrClosed.
func (c *Client) Close() error { return c.c.Close() }

// Add creates a brcm link, named as brcmlink.AddRequest.Name says, and
// returns it as the kernel reports it. Whatever the number of links, it
// sends three requests: one for the lower device, the RTM_NEWLINK, and one
// that reads the link back by its name.
func (c *Client) Add(req brcmlink.AddRequest) (p *brcmlink.Port, err error) {
	defer annotate(&err, "add", nl.AddDev(req))
	if err := nl.CheckAdd(req); err != nil {
		return nil, err
	}
	// By its name for IFLA_LINK, by its ifindex for the default name.
	lower, err := c.lowerDev(req.Lower, req.LowerIndex)
	if err != nil {
		return nil, err
	}
	name := req.Name
	if name == "" {
		// Named here, as the brcm family names it, since rtnetlink would
		// pick brcm%d.
		if name, err = brcmlink.DefaultName(lower.name, req.Port); err != nil {
			return nil, err
		}
	}
	m := &rtnetlink.LinkMessage{Attributes: &rtnetlink.LinkAttributes{
		Name: name,
		Type: uint32(lower.index), // rtnetlink encodes Type as IFLA_LINK
		Info: &rtnetlink.LinkInfo{Kind: brcmlink.Kind, Data: addData(req)},
	}}
	if req.Up {
		m.Flags, m.Change = unix.IFF_UP, unix.IFF_UP
	}
	if _, err := c.execute(unix.RTM_NEWLINK, netlink.Create|netlink.Excl|netlink.Acknowledge, m); err != nil {
		return nil, err
	}
	l, err := c.getLink(0, name)
	if err != nil {
		return nil, err
	}
	return c.port(l, lower)
}

// Delete deletes the selected brcm link. It refuses a device of another
// kind.
func (c *Client) Delete(s brcmlink.Selector) (err error) {
	defer annotate(&err, "delete", s.String())
	l, _, err := c.find(s)
	if err != nil {
		return err
	}
	_, err = c.execute(unix.RTM_DELLINK, netlink.Acknowledge, &rtnetlink.LinkMessage{Index: uint32(l.index)})
	return err
}

// Set changes the selected brcm link and returns it as it is now. A
// change of the admin state comes first, in a request of its own: if it
// fails, nothing changes, as with the genl package.
// rtnetlink has no request for a lower: a change of the tag format is
// the port's own, which the kernel takes only from its lower's only port
// (EBUSY otherwise; genl.Client.SetLowerFormat changes them all).
func (c *Client) Set(s brcmlink.Selector, req brcmlink.SetRequest) (p *brcmlink.Port, err error) {
	defer annotate(&err, "set", s.String())
	if err := nl.CheckSet(req); err != nil {
		return nil, err
	}
	l, lower, err := c.find(s)
	if err != nil {
		return nil, err
	}
	var changes []*rtnetlink.LinkMessage
	if req.Up != nil {
		m := &rtnetlink.LinkMessage{Index: uint32(l.index), Change: unix.IFF_UP}
		if *req.Up {
			m.Flags = unix.IFF_UP
		}
		changes = append(changes, m)
	}
	if data := setData(req); *data != (Brcm{}) {
		changes = append(changes, &rtnetlink.LinkMessage{
			Index: uint32(l.index),
			Attributes: &rtnetlink.LinkAttributes{Info: &rtnetlink.LinkInfo{
				Kind: brcmlink.Kind, Data: data,
			}},
		})
	}
	for _, m := range changes {
		if _, err := c.execute(unix.RTM_NEWLINK, netlink.Acknowledge, m); err != nil {
			return nil, err
		}
	}
	if len(changes) > 0 {
		if l, err = c.getLink(l.index, ""); err != nil {
			return nil, err
		}
	}
	return c.port(l, lower)
}

// Get returns the selected brcm link.
func (c *Client) Get(s brcmlink.Selector) (p *brcmlink.Port, err error) {
	defer annotate(&err, "get", s.String())
	l, lower, err := c.find(s)
	if err != nil {
		return nil, err
	}
	return c.port(l, lower)
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

// ListLower returns the brcm links on the lower device named lower.
func (c *Client) ListLower(lower string) (ps []brcmlink.Port, err error) {
	defer annotate(&err, "list", lower)
	if err := nl.CheckLowerName(lower); err != nil {
		return nil, err
	}
	l, err := c.lowerDev(lower, 0)
	if err != nil {
		return nil, err
	}
	links, err := c.lowerLinks(l.index)
	if err != nil {
		return nil, err
	}
	return c.ports(links, l)
}

// execute sends m as a request and returns the links of the reply.
func (c *Client) execute(typ netlink.HeaderType, flags netlink.HeaderFlags, m *rtnetlink.LinkMessage) ([]link, error) {
	msgs, err := c.request(typ, flags, m)
	if err != nil {
		return nil, err
	}
	return parseLinks(msgs)
}

// request sends m as a request and returns the messages of the reply.
func (c *Client) request(typ netlink.HeaderType, flags netlink.HeaderFlags, m *rtnetlink.LinkMessage) ([]netlink.Message, error) {
	b, err := m.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return c.c.Execute(netlink.Message{
		Header: netlink.Header{Type: typ, Flags: netlink.Request | flags},
		Data:   b,
	})
}

// parseLinks decodes the links of a reply, skipping acknowledgements.
func parseLinks(msgs []netlink.Message) ([]link, error) {
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
		return link{}, nl.Malformed("kernel answered %d links for one", len(links))
	}
	return links[0], nil
}

// find returns the brcm link s selects and, when s selects it by lower
// and port, that lower; else a zero link. It refuses a device of another
// kind.
func (c *Client) find(s brcmlink.Selector) (l, lower link, err error) {
	if err := nl.CheckSelector(s); err != nil {
		return link{}, link{}, err
	}
	lowerName, lowerIndex, port, byLower := s.Lower()
	if !byLower {
		if l, err = c.getLink(s.Index(), s.Name()); err != nil {
			return link{}, link{}, err
		}
		return l, link{}, brcmOnly(l)
	}
	if lowerName != "" {
		if lower, err = c.lowerDev(lowerName, 0); err != nil {
			return link{}, link{}, err
		}
		lowerIndex = lower.index
	}
	links, err := c.lowerLinks(lowerIndex)
	if err != nil {
		return link{}, link{}, err
	}
	for _, l := range links {
		if l.port.Port == port {
			return l, lower, nil
		}
	}
	of := lowerName
	if of == "" {
		of = fmt.Sprintf("ifindex %d", lowerIndex)
	}
	return link{}, link{}, errorf(syscall.ENODEV, "no brcm device on port %d of %s", port, of)
}

// brcmOnly refuses l unless it is a brcm link.
func brcmOnly(l link) error {
	if l.kind == brcmlink.Kind {
		return nil
	}
	kind := "no kind"
	if l.kind != "" {
		kind = "kind " + l.kind
	}
	return errorf(syscall.ENODEV, "%s is not a brcm device (%s)", l.name, kind)
}

// lowerDev returns the lower device named name, or else with ifindex
// index, in one request; ENODEV in the kernel's words if there is none.
func (c *Client) lowerDev(name string, index int) (link, error) {
	l, err := c.getLink(index, name)
	switch {
	case !errors.Is(err, syscall.ENODEV):
		return l, err
	case name != "":
		return link{}, errorf(syscall.ENODEV, "lower device %s not found", name)
	}
	return link{}, errorf(syscall.ENODEV, "lower device ifindex %d not found", index)
}

// dump returns every brcm link. The kernel filters the dump by kind only
// if it knows the kind (the module is loaded), so filter here too.
func (c *Client) dump() ([]link, error) {
	links, err := c.dumpLinks(&rtnetlink.LinkAttributes{Info: &rtnetlink.LinkInfo{Kind: brcmlink.Kind}})
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

// port returns the Port of one brcm link; lower is its lower device if
// the caller has it, else a zero link.
func (c *Client) port(l, lower link) (*brcmlink.Port, error) {
	ps, err := c.ports([]link{l}, lower)
	if err != nil {
		return nil, err
	}
	return &ps[0], nil
}

// ports returns the Ports of brcm links, naming their lower devices when
// these are in this namespace: those among known without a request.
func (c *Client) ports(links []link, known ...link) ([]brcmlink.Port, error) {
	names := make(map[int]string) // lower ifindex to name: most links share one lower
	for _, l := range known {
		if l.index != 0 {
			names[l.index] = l.name
		}
	}
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
