// SPDX-License-Identifier: MIT

package brcmtest

import (
	"errors"
	"iter"
	"net"
	"os"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/internal/nlfake"
	"github.com/mdlayher/genetlink"
	"github.com/mdlayher/genetlink/genltest"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// family is the brcm family as the Kernel's controller reports it.
var family = genetlink.Family{
	ID:      0x20,
	Name:    brcmlink.GenlName,
	Version: brcmlink.GenlVersion,
	Groups:  []genetlink.MulticastGroup{{Name: brcmlink.GenlMcgrpMonitor, ID: monitorGroup}},
}

const monitorGroup = 0x21

// An event takes this much of a socket's receive buffer, as an skb of
// NLMSG_GOODSIZE does in the kernel, give or take.
const eventSize = 4096

// defaultReadBuffer is net.core.rmem_default.
const defaultReadBuffer = 212992

// An answer to a request takes this much of a socket's receive buffer,
// as the kernel's trimmed skb of a port does, give or take.
const answerSize = 1280

// socket is a netlink socket on the Kernel: requests are answered at
// once; a socket in the monitor group gets the events until its buffer
// is full, and then ENOBUFS.
type socket struct {
	k *Kernel

	mu       sync.Mutex
	queue    []netlink.Message // answers, then events
	answers  int               // how many of queue are answers
	overrun  bool
	closed   bool
	rcvbuf   int
	deadline time.Time
	wake     chan struct{} // closed and replaced when something changes
}

func (k *Kernel) dial() (*genetlink.Conn, error) {
	k.mu.Lock()
	rmem := k.rmem
	k.mu.Unlock()
	s := &socket{k: k, rcvbuf: rmem, wake: make(chan struct{})}
	return genetlink.NewConn(netlink.NewConn(s, 1)), nil
}

// changed wakes a waiting Receive. Called with s.mu held.
func (s *socket) changed() {
	close(s.wake)
	s.wake = make(chan struct{})
}

func (s *socket) Close() error {
	s.k.mu.Lock()
	delete(s.k.watchers, s)
	s.k.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		s.changed()
	}
	return nil
}

func (s *socket) SendMessages(msgs []netlink.Message) error {
	for _, m := range msgs {
		if err := s.Send(m); err != nil {
			return err
		}
	}
	return nil
}

func (s *socket) Send(m netlink.Message) error {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return net.ErrClosed
	}
	answers := s.k.serve(m)
	s.mu.Lock()
	defer s.mu.Unlock()
	// A request's answer that finds the buffer full is dropped, as
	// netlink_unicast() does; a dump's parts are made as the reader
	// reads, so they always fit.
	if m.Header.Flags&netlink.Dump != netlink.Dump && s.queuedBytes() > s.rcvbuf {
		s.overrun = true
		s.changed()
		return nil
	}
	// Ahead of events, as the caller waits for them, and after the
	// answers to requests sent before.
	s.queue = slices.Insert(s.queue, s.answers, answers...)
	s.answers += len(answers)
	s.changed()
	return nil
}

func (s *socket) Receive() ([]netlink.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		switch {
		case s.closed:
			return nil, net.ErrClosed
		case s.overrun:
			s.overrun = false
			return nil, os.NewSyscallError("recvmsg", syscall.ENOBUFS)
		case !s.deadline.IsZero() && !time.Now().Before(s.deadline):
			// As the kernel's sockets in Go: a read past its deadline
			// fails, whatever is queued.
			return nil, os.ErrDeadlineExceeded
		case len(s.queue) > 0:
			// One datagram: a dump's parts and its DONE, or one message.
			n := 1
			for n < len(s.queue) && s.queue[n-1].Header.Flags&netlink.Multi != 0 &&
				s.queue[n-1].Header.Type != netlink.Done {
				n++
			}
			msgs := s.queue[:n:n]
			s.queue = s.queue[n:]
			s.answers = max(s.answers-n, 0)
			return msgs, nil
		}
		wake := s.wake
		var timeout <-chan time.Time
		if !s.deadline.IsZero() {
			t := time.NewTimer(time.Until(s.deadline))
			defer t.Stop()
			timeout = t.C
		}
		s.mu.Unlock()
		select {
		case <-wake:
		case <-timeout:
		}
		s.mu.Lock()
	}
}

func (s *socket) ReceiveIter() iter.Seq2[netlink.Message, error] {
	return nlfake.ReceiveIter(s.Receive)
}

func (s *socket) JoinGroup(group uint32) error {
	if group != monitorGroup {
		return os.NewSyscallError("setsockopt", syscall.EINVAL)
	}
	s.k.mu.Lock()
	defer s.k.mu.Unlock()
	s.k.watchers[s] = true
	return nil
}

func (s *socket) LeaveGroup(uint32) error {
	s.k.mu.Lock()
	defer s.k.mu.Unlock()
	delete(s.k.watchers, s)
	return nil
}

// SetReadBuffer is SO_RCVBUF: the kernel doubles what it is given and
// keeps a minimum.
func (s *socket) SetReadBuffer(bytes int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rcvbuf = max(2*bytes, 2304)
	return nil
}

// ReadBuffer is SO_RCVBUF's value.
func (s *socket) ReadBuffer() (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rcvbuf, nil
}

// Nothing is ever queued for sending.
func (s *socket) SetWriteBuffer(int) error  { return nil }
func (s *socket) WriteBuffer() (int, error) { return defaultReadBuffer, nil }

func (s *socket) SetDeadline(t time.Time) error { return s.SetReadDeadline(t) }

func (s *socket) SetReadDeadline(t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deadline = t
	s.changed()
	return nil
}

func (s *socket) SetWriteDeadline(time.Time) error { return nil }

// queuedBytes is how much of the receive buffer the queue takes. Called
// with s.mu held.
func (s *socket) queuedBytes() int {
	return s.answers*answerSize + (len(s.queue)-s.answers)*eventSize
}

// deliver queues an event, or marks the socket overrun when its buffer
// is full, as netlink_broadcast() does. Called with k.mu held.
func (s *socket) deliver(m netlink.Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue)*eventSize > s.rcvbuf {
		s.overrun = true
	} else {
		s.queue = append(s.queue, m)
	}
	s.changed()
}

// notify tells the monitor group about the port d. Called with k.mu held.
func (k *Kernel) notify(d *device, cmd uint8) {
	if len(k.watchers) == 0 {
		return
	}
	m := genlMessage(cmd, 0, encodePort(k.portOf(d)))
	for s := range k.watchers {
		s.deliver(m)
	}
}

// genlMessage is a message of the brcm family.
func genlMessage(cmd uint8, flags netlink.HeaderFlags, attrs []byte) netlink.Message {
	b, _ := genetlink.Message{
		Header: genetlink.Header{Command: cmd, Version: brcmlink.GenlVersion},
		Data:   attrs,
	}.MarshalBinary() // never fails
	return netlink.Message{Header: netlink.Header{Type: netlink.HeaderType(family.ID), Flags: flags}, Data: b}
}

// serve answers the request m as the kernel does: the family's messages,
// then an acknowledgement if asked for, or the error.
func (k *Kernel) serve(m netlink.Message) []netlink.Message {
	var gm genetlink.Message
	if err := gm.UnmarshalBinary(m.Data); err != nil {
		return []netlink.Message{nlfake.Nack(m, syscall.EINVAL, "")}
	}
	if m.Header.Type == unix.GENL_ID_CTRL {
		return serveCtrl(gm, m)
	}
	if m.Header.Type != netlink.HeaderType(family.ID) {
		return []netlink.Message{nlfake.Nack(m, syscall.ENOENT, "")}
	}
	dump := m.Header.Flags&netlink.Dump == netlink.Dump
	k.mu.Lock()
	replies, err := k.handle(gm.Header.Command, gm.Data, dump)
	k.mu.Unlock()
	if err != nil {
		var e *brcmlink.Error
		if !errors.As(err, &e) {
			e = &brcmlink.Error{Err: syscall.EINVAL, Message: err.Error()}
		}
		return []netlink.Message{nlfake.Nack(m, e.Err, e.Message)}
	}
	for i := range replies {
		replies[i].Header.Sequence, replies[i].Header.PID = m.Header.Sequence, m.Header.PID
	}
	if dump {
		return append(replies, netlink.Message{
			Header: netlink.Header{Type: netlink.Done, Flags: netlink.Multi, Sequence: m.Header.Sequence, PID: m.Header.PID},
			Data:   make([]byte, 4),
		})
	}
	if m.Header.Flags&netlink.Acknowledge != 0 {
		replies = append(replies, nlfake.Nack(m, 0, ""))
	}
	return replies
}

// serveCtrl answers the controller's CTRL_CMD_GETFAMILY for the brcm
// family, as genltest does.
func serveCtrl(gm genetlink.Message, m netlink.Message) []netlink.Message {
	msgs, err := genltest.ServeFamily(family, nil)(gm, m)
	if err != nil {
		var errno syscall.Errno
		if !errors.As(err, &errno) {
			errno = syscall.ENOENT
		}
		return []netlink.Message{nlfake.Nack(m, errno, "")}
	}
	var out []netlink.Message
	for _, r := range msgs {
		b, _ := r.MarshalBinary()
		out = append(out, netlink.Message{
			Header: netlink.Header{Type: unix.GENL_ID_CTRL, Sequence: m.Header.Sequence, PID: m.Header.PID},
			Data:   b,
		})
	}
	if m.Header.Flags&netlink.Acknowledge != 0 {
		out = append(out, nlfake.Nack(m, 0, ""))
	}
	return out
}

// attrs are a request's attributes.
type attrs struct {
	ifindex, lowerIfindex *uint32
	ifname, lowerIfname   *string
	port, vlan            *uint16
	queue, tagEnforce, up *uint8
	format, queueFromPrio *uint8
	all                   bool
	list                  *[]uint32
}

func decodeAttrs(b []byte) (attrs, error) {
	var a attrs
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return a, err
	}
	for ad.Next() {
		switch ad.Type() {
		case brcmlink.AttrIfindex:
			a.ifindex = new(ad.Uint32())
		case brcmlink.AttrIfname:
			a.ifname = new(ad.String())
		case brcmlink.AttrLowerIfindex:
			a.lowerIfindex = new(ad.Uint32())
		case brcmlink.AttrLowerIfname:
			a.lowerIfname = new(ad.String())
		case brcmlink.AttrPort:
			a.port = new(ad.Uint16())
		case brcmlink.AttrQueue:
			a.queue = new(ad.Uint8())
		case brcmlink.AttrTagEnforce:
			a.tagEnforce = new(ad.Uint8())
		case brcmlink.AttrAdminUp:
			a.up = new(ad.Uint8())
		case brcmlink.AttrFormat:
			a.format = new(ad.Uint8())
		case brcmlink.AttrQueueFromPrio:
			a.queueFromPrio = new(ad.Uint8())
		case brcmlink.AttrVLAN:
			a.vlan = new(ad.Uint16())
		case brcmlink.AttrAll:
			a.all = true
		case brcmlink.AttrIfindexList:
			var list []uint32
			ad.Nested(func(nad *netlink.AttributeDecoder) error {
				for nad.Next() {
					if len(nad.Bytes()) != 4 {
						return kerr(syscall.EINVAL, "an ifindex list entry is not a u32")
					}
					list = append(list, nad.Uint32())
				}
				return nil
			})
			a.list = &list
		default:
			return a, kerr(syscall.EINVAL, "Unknown attribute type")
		}
	}
	return a, ad.Err()
}

// request describes a for Refuse.
func (a attrs) request(cmd uint8, dump bool) Request {
	r := Request{Cmd: cmd, Dump: dump}
	if a.ifname != nil {
		r.Name = *a.ifname
	}
	if a.ifindex != nil {
		r.Index = int(*a.ifindex)
	}
	if a.lowerIfname != nil {
		r.Lower = *a.lowerIfname
	}
	if a.lowerIfindex != nil {
		r.LowerIndex = int(*a.lowerIfindex)
	}
	if a.port != nil {
		r.Port = *a.port
	}
	r.All = a.all
	if a.list != nil {
		for _, i := range *a.list {
			r.Indexes = append(r.Indexes, int(i))
		}
	}
	return r
}

// handle does one request of the brcm family. Called with k.mu held.
func (k *Kernel) handle(cmd uint8, b []byte, dump bool) ([]netlink.Message, error) {
	a, err := decodeAttrs(b)
	if err != nil {
		return nil, err
	}
	if k.refuse != nil {
		if err := k.refuse(a.request(cmd, dump)); err != nil {
			return nil, refusal(err)
		}
	}
	switch {
	case cmd == brcmlink.CmdPortNew && !dump:
		return k.portNew(a)
	case cmd == brcmlink.CmdPortDel && !dump && (a.all || a.list != nil):
		return k.portDelMany(a)
	case cmd == brcmlink.CmdPortDel && !dump:
		return nil, k.portDel(a)
	case cmd == brcmlink.CmdPortSet && !dump:
		return k.portSet(a)
	case cmd == brcmlink.CmdPortGet && !dump:
		d, err := k.selectPort(a, true)
		if err != nil {
			return nil, err
		}
		return k.reply(d), nil
	case cmd == brcmlink.CmdPortGet:
		return k.portDump(a)
	case cmd == brcmlink.CmdLinkGet && !dump:
		return k.linkGet(a)
	case cmd == brcmlink.CmdLinkGet:
		return k.linkDump(a)
	case cmd == brcmlink.CmdLinkSet && !dump:
		return k.linkSet(a)
	}
	return nil, kerr(syscall.EOPNOTSUPP, "")
}

func (k *Kernel) reply(d *device) []netlink.Message {
	return []netlink.Message{genlMessage(brcmlink.CmdPortGet, 0, encodePort(k.portOf(d)))}
}

// name is the module's brcm_genl_name(), whose words the clients' own
// check already uses.
func name(s, what string) (string, error) {
	return s, brcmlink.CheckName(what, s)
}

// lower is the module's brcm_genl_lower().
func (k *Kernel) lower(a attrs) (*device, error) {
	switch {
	case a.lowerIfindex != nil && a.lowerIfname != nil:
		return nil, kerr(syscall.EINVAL, "give the lower device by index or by name, not both")
	case a.lowerIfindex != nil:
		if d := k.byIndex(int(*a.lowerIfindex)); d != nil {
			return d, nil
		}
		return nil, kerr(syscall.ENODEV, "lower device ifindex %d not found", *a.lowerIfindex)
	case a.lowerIfname != nil:
		s, err := name(*a.lowerIfname, "lower device")
		if err != nil {
			return nil, err
		}
		if d := k.byName(s); d != nil {
			return d, nil
		}
		return nil, kerr(syscall.ENODEV, "lower device %s not found", s)
	}
	return nil, kerr(syscall.EINVAL, "lower device not given (BRCM_A_LOWER_IFINDEX or _IFNAME)")
}

// selectPort is the module's brcm_genl_port().
func (k *Kernel) selectPort(a attrs, checkPort bool) (*device, error) {
	byLower := a.lowerIfindex != nil || a.lowerIfname != nil
	n := 0
	for _, given := range []bool{a.ifindex != nil, a.ifname != nil, byLower} {
		if given {
			n++
		}
	}
	switch n {
	case 0:
		return nil, kerr(syscall.EINVAL, "no port given: give its ifindex, name, or lower and port")
	case 1:
	default:
		return nil, kerr(syscall.EINVAL, "give one of ifindex, name, or lower and port, not several")
	}
	if byLower {
		if a.port == nil {
			return nil, kerr(syscall.EINVAL, "switch port not given (BRCM_A_PORT)")
		}
		lower, err := k.lower(a)
		if err != nil {
			return nil, err
		}
		if err := checkCfg(port{port: *a.port}); err != nil {
			return nil, err
		}
		for _, d := range k.portsOf(lower) {
			if d.port.port == *a.port {
				return d, nil
			}
		}
		return nil, kerr(syscall.ENODEV, "no port %d on %s", *a.port, lower.name)
	}
	var d *device
	if a.ifindex != nil {
		if d = k.byIndex(int(*a.ifindex)); d == nil {
			return nil, kerr(syscall.ENODEV, "no device with ifindex %d", *a.ifindex)
		}
	} else {
		s, err := name(*a.ifname, "device")
		if err != nil {
			return nil, err
		}
		if d = k.byName(s); d == nil {
			return nil, kerr(syscall.ENODEV, "no device %s", s)
		}
	}
	if d.port == nil {
		return nil, kerr(syscall.ENODEV, "%s is not a brcm port", d.name)
	}
	if checkPort && a.port != nil && *a.port != d.port.port {
		return nil, kerr(syscall.EINVAL, "port %d given, but %s is port %d", *a.port, d.name, d.port.port)
	}
	return d, nil
}

func (k *Kernel) portNew(a attrs) ([]netlink.Message, error) {
	if a.ifindex != nil {
		return nil, kerr(syscall.EINVAL, "a new port has no ifindex yet: give BRCM_A_IFNAME or nothing")
	}
	if a.port == nil {
		return nil, kerr(syscall.EINVAL, "switch port not given (BRCM_A_PORT)")
	}
	p := a.config(port{port: *a.port})
	if err := checkCfg(p); err != nil {
		return nil, err
	}
	lower, err := k.lower(a)
	if err != nil {
		return nil, err
	}
	var n string
	if a.ifname != nil {
		if n, err = name(*a.ifname, "device"); err != nil {
			return nil, err
		}
	} else if n, err = brcmlink.DefaultName(lower.name, p.port); err != nil {
		return nil, err
	}
	d, err := k.newPort(lower, n, p, a.format != nil, a.up != nil && *a.up != 0)
	if err != nil {
		return nil, err
	}
	return k.reply(d), nil
}

// portDelMany is the module's brcm_genl_port_del_many().
func (k *Kernel) portDelMany(a attrs) ([]netlink.Message, error) {
	if a.ifindex != nil || a.ifname != nil || a.port != nil {
		return nil, kerr(syscall.EINVAL, "BRCM_A_ALL and _IFINDEX_LIST take no single port")
	}
	var devs []*device
	if a.list != nil {
		if a.all || a.lowerIfindex != nil || a.lowerIfname != nil {
			return nil, kerr(syscall.EINVAL, "BRCM_A_IFINDEX_LIST takes no lower and no BRCM_A_ALL")
		}
		list := slices.Sorted(slices.Values(*a.list))
		for i, index := range list {
			if i > 0 && index == list[i-1] {
				return nil, kerr(syscall.EINVAL, "ifindex %d is in the list twice", index)
			}
			d := k.byIndex(int(index))
			if d == nil {
				return nil, kerr(syscall.ENODEV, "no device with ifindex %d", index)
			}
			if d.port == nil {
				return nil, kerr(syscall.ENODEV, "%s (ifindex %d) is not a brcm port", d.name, index)
			}
			devs = append(devs, d)
		}
	} else {
		lower, err := k.lower(a)
		if err != nil {
			return nil, err
		}
		devs = k.portsOf(lower)
	}
	for _, d := range devs {
		k.deletePort(d)
	}
	ae := netlink.NewAttributeEncoder()
	ae.Uint32(brcmlink.AttrNrPorts, uint32(len(devs)))
	b, _ := ae.Encode()
	return []netlink.Message{genlMessage(brcmlink.CmdPortDel, 0, b)}, nil
}

func (k *Kernel) portDel(a attrs) error {
	d, err := k.selectPort(a, true)
	if err != nil {
		return err
	}
	k.deletePort(d)
	return nil
}

func (k *Kernel) portSet(a attrs) ([]netlink.Message, error) {
	d, err := k.selectPort(a, false)
	if err != nil {
		return nil, err
	}
	p := *d.port
	if a.port != nil {
		p.port = *a.port
	}
	p = a.config(p)
	if err := checkCfg(p); err != nil {
		return nil, err
	}
	lower := d.port.lower
	if p.port != d.port.port {
		return nil, kerr(syscall.EOPNOTSUPP, "cannot change %s from port %d to %d: delete it and add it again",
			d.name, d.port.port, p.port)
	}
	if others := len(k.portsOf(lower)) - 1; p.format != d.port.format && others > 0 {
		return nil, kerr(syscall.EBUSY, "%s has %d other ports: set its format on the lower", lower.name, others)
	}
	if m := maxMTU(lower, p.vlan); d.mtu > m {
		return nil, kerr(syscall.ERANGE, "MTU %d too large for vlan %d: %s carries %d", d.mtu, p.vlan, lower.name, m)
	}
	if a.up != nil {
		up := *a.up != 0
		if err := k.setPortUp(d, up); err != nil {
			state := map[bool]string{true: "up", false: "down"}
			return nil, kerr(err.(syscall.Errno), "cannot bring %s %s (lower %s is %s)",
				d.name, state[up], d.port.lower.name, state[d.port.lower.up])
		}
	}
	if p != *d.port {
		*d.port = p
		lower.format = p.format // the lower's only port, checked above
		k.notify(d, brcmlink.CmdPortSet)
	}
	return k.reply(d), nil
}

// config returns p with the settings a gives, but for the port.
func (a attrs) config(p port) port {
	if a.queue != nil {
		p.queue = *a.queue
	}
	if a.tagEnforce != nil {
		p.tagEnforce = *a.tagEnforce
	}
	if a.format != nil {
		p.format = brcmlink.Format(*a.format)
	}
	if a.queueFromPrio != nil {
		p.queueFromPrio = *a.queueFromPrio
	}
	if a.vlan != nil {
		p.vlan = *a.vlan
	}
	return p
}

// linkSet is the module's brcm_genl_link_set(): the format of every port
// of a lower.
func (k *Kernel) linkSet(a attrs) ([]netlink.Message, error) {
	if a.format == nil {
		return nil, kerr(syscall.EINVAL, "tag format not given (BRCM_A_FORMAT)")
	}
	lower, ports, err := k.lowerWithPorts(a)
	if err != nil {
		return nil, err
	}
	f := brcmlink.Format(*a.format)
	if err := checkCfg(port{format: f}); err != nil {
		return nil, err
	}
	if f != lower.format {
		lower.format = f
		for _, d := range ports {
			d.port.format = f
			k.notify(d, brcmlink.CmdPortSet)
		}
	}
	return lowerReply(lower, len(ports)), nil
}

func (k *Kernel) portDump(a attrs) ([]netlink.Message, error) {
	if a.ifindex != nil || a.ifname != nil || a.port != nil {
		return nil, kerr(syscall.EINVAL, "a dump of ports takes only a lower to filter by")
	}
	var lower *device
	if a.lowerIfindex != nil || a.lowerIfname != nil {
		var err error
		if lower, err = k.lower(a); err != nil {
			return nil, err
		}
	}
	var msgs []netlink.Message
	for _, d := range k.devs {
		if d.port != nil && (lower == nil || d.port.lower == lower) {
			msgs = append(msgs, genlMessage(brcmlink.CmdPortGet, netlink.Multi, encodePort(k.portOf(d))))
		}
	}
	return msgs, nil
}

func (k *Kernel) linkGet(a attrs) ([]netlink.Message, error) {
	lower, ports, err := k.lowerWithPorts(a)
	if err != nil {
		return nil, err
	}
	return lowerReply(lower, len(ports)), nil
}

// lowerWithPorts returns the lower a gives and its ports; ENODEV if it
// has none.
func (k *Kernel) lowerWithPorts(a attrs) (*device, []*device, error) {
	lower, err := k.lower(a)
	if err != nil {
		return nil, nil, err
	}
	ports := k.portsOf(lower)
	if len(ports) == 0 {
		return nil, nil, kerr(syscall.ENODEV, "%s has no brcm ports", lower.name)
	}
	return lower, ports, nil
}

// lowerReply is the answer to a request of one lower with ports ports.
func lowerReply(lower *device, ports int) []netlink.Message {
	return []netlink.Message{genlMessage(brcmlink.CmdLinkGet, 0, encodeLower(lower, ports))}
}

func (k *Kernel) linkDump(a attrs) ([]netlink.Message, error) {
	if a.lowerIfindex != nil || a.lowerIfname != nil {
		return nil, kerr(syscall.EINVAL, "a dump of lowers takes no attributes")
	}
	var msgs []netlink.Message
	for _, d := range k.devs {
		if n := len(k.portsOf(d)); n > 0 && d.netnsid == nil {
			msgs = append(msgs, genlMessage(brcmlink.CmdLinkGet, netlink.Multi, encodeLower(d, n)))
		}
	}
	return msgs, nil
}

// encodePort encodes p as the module's brcm_fill_port() does.
func encodePort(p brcmlink.Port) []byte {
	ae := netlink.NewAttributeEncoder()
	ae.Uint32(brcmlink.AttrIfindex, uint32(p.Index))
	ae.String(brcmlink.AttrIfname, p.Name)
	ae.Uint32(brcmlink.AttrLowerIfindex, uint32(p.LowerIndex))
	if p.LowerNetNSID != nil {
		ae.Int32(brcmlink.AttrLinkNetnsid, *p.LowerNetNSID)
	} else {
		ae.String(brcmlink.AttrLowerIfname, p.Lower)
	}
	ae.Uint16(brcmlink.AttrPort, p.Port)
	ae.Uint8(brcmlink.AttrQueue, p.Queue)
	ae.Uint8(brcmlink.AttrTagEnforce, p.TagEnforce)
	ae.Uint8(brcmlink.AttrFormat, uint8(p.Format))
	var qfp uint8
	if p.QueueFromPriority {
		qfp = 1
	}
	ae.Uint8(brcmlink.AttrQueueFromPrio, qfp)
	ae.Uint16(brcmlink.AttrVLAN, p.VLAN)
	var up uint8
	if p.Up {
		up = 1
	}
	ae.Uint8(brcmlink.AttrAdminUp, up)
	ae.Uint8(brcmlink.AttrOperState, uint8(p.OperState))
	ae.Uint32(brcmlink.AttrMTU, p.MTU)
	ae.Uint32(brcmlink.AttrFlags, p.Flags)
	ae.Bytes(brcmlink.AttrAddress, p.Address)
	s := p.Stats
	ae.Nested(brcmlink.AttrStats, func(nae *netlink.AttributeEncoder) error {
		for _, c := range []struct {
			t uint16
			v uint64
		}{
			{brcmlink.StatsAttrRxPackets, s.RxPackets}, {brcmlink.StatsAttrRxBytes, s.RxBytes},
			{brcmlink.StatsAttrRxMulticast, s.RxMulticast}, {brcmlink.StatsAttrRxDropped, s.RxDropped},
			{brcmlink.StatsAttrRxErrors, s.RxErrors}, {brcmlink.StatsAttrTxPackets, s.TxPackets},
			{brcmlink.StatsAttrTxBytes, s.TxBytes}, {brcmlink.StatsAttrTxDropped, s.TxDropped},
		} {
			nae.Uint64(c.t, c.v)
		}
		return nil
	})
	b, _ := ae.Encode() // fixed-size attributes and a name: never fails
	return b
}

// encodeLower encodes lower with ports ports as the module's
// brcm_fill_lower() does.
func encodeLower(lower *device, ports int) []byte {
	ae := netlink.NewAttributeEncoder()
	ae.Uint32(brcmlink.AttrLowerIfindex, uint32(lower.index))
	ae.String(brcmlink.AttrLowerIfname, lower.name)
	ae.Uint32(brcmlink.AttrNrPorts, uint32(ports))
	ae.Uint8(brcmlink.AttrFormat, uint8(lower.format))
	s := lower.lowerStats
	ae.Nested(brcmlink.AttrLowerStats, func(nae *netlink.AttributeEncoder) error {
		nae.Uint64(brcmlink.LowerStatsAttrRxTagged, s.RxTagged)
		nae.Uint64(brcmlink.LowerStatsAttrRxBadLen, s.RxBadLength)
		nae.Uint64(brcmlink.LowerStatsAttrRxBadOpcode, s.RxBadOpcode)
		nae.Uint64(brcmlink.LowerStatsAttrRxBadPortID, s.RxBadPortID)
		nae.Uint64(brcmlink.LowerStatsAttrRxUnknownPort, s.RxUnknownPort)
		return nil
	})
	b, _ := ae.Encode()
	return b
}
