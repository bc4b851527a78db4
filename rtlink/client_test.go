// SPDX-License-Identifier: MIT

package rtlink

import (
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"net"
	"os"
	"reflect"
	"slices"
	"syscall"
	"testing"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/internal/nlfake"
	"github.com/google/go-cmp/cmp"
	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
	"github.com/mdlayher/netlink/nltest"
	"golang.org/x/sys/unix"
)

// fakeLink is a link of the fake kernel.
type fakeLink struct {
	index, lower int
	name, kind   string
	typ          uint16 // ARPHRD_*: 0 for Ethernet, set in message
	netnsid      *int32 // the lower's netns, when it is not the link's
	flags, mtu   uint32
	data         Brcm
}

// kernel is a fake rtnetlink: enough of the kernel's brcm semantics to
// exercise the Client through nltest.
type kernel struct {
	t     testing.TB
	links []*fakeLink
	next  int               // next ifindex
	reqs  []netlink.Message // every request, in order
	deny  syscall.Errno     // if set, the answer to every change
	// interrupt is how many of the next dumps the kernel marks
	// NLM_F_DUMP_INTR (a link came or went while they ran): all their
	// messages, or with interruptDone only the NLMSG_DONE, as when the
	// change comes after the last link.
	interrupt     int
	interruptDone bool
}

func newKernel(t testing.TB) (*Client, *kernel) {
	k := &kernel{t: t, next: 10, links: []*fakeLink{
		{index: 1, name: "lo", typ: unix.ARPHRD_LOOPBACK, flags: unix.IFF_UP},
		{index: 2, name: "eth0", flags: unix.IFF_UP},
		{index: 3, name: "eth1"},
		{index: 4, name: "veth0", kind: "veth"},
		{index: 5, name: "eth0.p5", kind: "brcm", lower: 2, flags: unix.IFF_UP, data: Brcm{Port: new(uint16(5)), Queue: new(uint8(1)), TagEnforce: new(uint8(2)),
			Format: new(brcmlink.FormatOriginal), QueueFromPriority: new(true), VLAN: new(uint16(4094))}},
		{index: 6, name: "eth0.p0", kind: "brcm", lower: 2, data: Brcm{Port: new(uint16(0))}},
		{index: 7, name: "far.p3", kind: "brcm", lower: 2, netnsid: new(int32(1)), data: Brcm{Port: new(uint16(3))}},
		{index: 8, name: "eth1.p3", kind: "brcm", lower: 3, data: Brcm{Port: new(uint16(3))}},
	}}
	c := newClient(&fakeSocket{fn: k.handle}, nltest.PID)
	t.Cleanup(func() { _ = c.Close() })
	return c, k
}

// fakeSocket is a netlink.Socket whose answers fn makes, as nltest's is,
// but delivered whole, NLMSG_DONE included.
type fakeSocket struct {
	fn   nltest.Func
	msgs []netlink.Message
	err  error
}

func (s *fakeSocket) Close() error { return nil }

func (s *fakeSocket) Send(m netlink.Message) error { return s.SendMessages([]netlink.Message{m}) }

func (s *fakeSocket) SendMessages(ms []netlink.Message) error {
	s.msgs, s.err = s.fn(ms)
	return nil
}

func (s *fakeSocket) Receive() ([]netlink.Message, error) {
	msgs, err := s.msgs, s.err
	s.msgs, s.err = nil, nil
	return msgs, err
}

func (s *fakeSocket) ReceiveIter() iter.Seq2[netlink.Message, error] {
	return nlfake.ReceiveIter(s.Receive)
}

func (k *kernel) handle(reqs []netlink.Message) ([]netlink.Message, error) {
	req := reqs[0]
	k.reqs = append(k.reqs, req)
	var m rtnetlink.LinkMessage
	if err := m.UnmarshalBinary(req.Data); err != nil {
		k.t.Errorf("request: %v", err)
		return nil, err
	}
	switch typ := req.Header.Type; {
	case typ == unix.RTM_GETLINK && req.Header.Flags&netlink.Dump == netlink.Dump:
		// Like a kernel that does not know the kind it is asked to filter
		// by, ignore the filter: the client filters too.
		var msgs []netlink.Message
		for _, l := range k.links {
			msgs = append(msgs, k.message(req, l))
		}
		done := netlink.Message{Header: netlink.Header{Sequence: req.Header.Sequence, PID: req.Header.PID}}
		msgs, err := nltest.Multipart(append(msgs, done))
		if k.interrupt > 0 {
			k.interrupt--
			for i := range msgs {
				if !k.interruptDone || i == len(msgs)-1 {
					msgs[i].Header.Flags |= netlink.DumpInterrupted
				}
			}
		}
		return msgs, err
	case typ == unix.RTM_GETLINK:
		if l := k.find(m); l != nil {
			return []netlink.Message{k.message(req, l)}, nil
		}
		return nltest.Error(int(syscall.ENODEV), reqs)
	case k.deny != 0:
		return nackf(req, k.deny, "")
	case typ == unix.RTM_NEWLINK && req.Header.Flags&netlink.Create != 0:
		return k.create(req, m)
	case typ == unix.RTM_NEWLINK:
		l := k.find(rtnetlink.LinkMessage{Index: m.Index})
		if l == nil {
			return nltest.Error(int(syscall.ENODEV), reqs)
		}
		if a := m.Attributes; a != nil && a.Name != "" && a.Name != l.name {
			// As dev_change_name(): a name taken, or a device that is up.
			if k.find(rtnetlink.LinkMessage{Attributes: &rtnetlink.LinkAttributes{Name: a.Name}}) != nil {
				return nltest.Error(int(syscall.EEXIST), reqs)
			}
			if l.flags&unix.IFF_UP != 0 {
				return nltest.Error(int(syscall.EBUSY), reqs)
			}
			l.name = a.Name
		}
		l.flags = l.flags&^m.Change | m.Flags&m.Change
		if a := m.Attributes; a != nil && a.Info != nil {
			d := a.Info.Data.(*Brcm)
			if d.Format != nil && *d.Format != deref(l.data.Format) {
				if others := k.onLower(l.lower) - 1; others > 0 {
					return nackf(req, syscall.EBUSY, "%s has %d other ports: set its format on the lower", k.find(rtnetlink.LinkMessage{Index: uint32(l.lower)}).name, others)
				}
			}
			for _, f := range []struct{ to, from any }{
				{&l.data.Queue, d.Queue}, {&l.data.TagEnforce, d.TagEnforce}, {&l.data.Format, d.Format},
				{&l.data.QueueFromPriority, d.QueueFromPriority}, {&l.data.VLAN, d.VLAN},
			} {
				if v := reflect.ValueOf(f.from); !v.IsNil() {
					reflect.ValueOf(f.to).Elem().Set(v)
				}
			}
		}
	case typ == unix.RTM_DELLINK:
		k.links = slices.DeleteFunc(k.links, func(l *fakeLink) bool { return l.index == int(m.Index) })
	}
	return nltest.Error(0, reqs)
}

func (k *kernel) create(req netlink.Message, m rtnetlink.LinkMessage) ([]netlink.Message, error) {
	a := m.Attributes
	d := a.Info.Data.(*Brcm)
	lower := k.find(rtnetlink.LinkMessage{Index: a.Type})
	if lower == nil {
		return nackf(req, syscall.ENODEV, "lower device ifindex %d not found", a.Type)
	}
	for _, l := range k.links {
		if l.kind == brcmlink.Kind && l.netnsid == nil && l.lower == lower.index && *l.data.Port == *d.Port {
			return nackf(req, syscall.EEXIST, "port %d already exists on %s (%s)", *d.Port, lower.name, l.name)
		}
	}
	l := &fakeLink{index: k.next, name: a.Name, kind: brcmlink.Kind, lower: lower.index, flags: m.Flags & m.Change, mtu: a.MTU, data: *d}
	if l.name == "" {
		l.name = fmt.Sprintf("brcm%d", k.next) // as rtnetlink names it
	}
	k.next++
	k.links = append(k.links, l)
	return nltest.Error(0, []netlink.Message{req})
}

// onLower returns how many brcm links the lower with ifindex lower has.
func (k *kernel) onLower(lower int) int {
	n := 0
	for _, l := range k.links {
		if l.kind == brcmlink.Kind && l.netnsid == nil && l.lower == lower {
			n++
		}
	}
	return n
}

func (k *kernel) find(m rtnetlink.LinkMessage) *fakeLink {
	for _, l := range k.links {
		if m.Index != 0 && l.index == int(m.Index) || m.Index == 0 && m.Attributes != nil && l.name == m.Attributes.Name {
			return l
		}
	}
	return nil
}

// message encodes l as the kernel does, with an unknown attribute thrown
// in; a veth gets an address rtnetlink.LinkMessage rejects, which the
// client must never decode.
func (k *kernel) message(req netlink.Message, l *fakeLink) netlink.Message {
	b := make([]byte, unix.SizeofIfInfomsg)
	typ := l.typ
	if typ == 0 {
		typ = unix.ARPHRD_ETHER
	}
	binary.NativeEndian.PutUint16(b[2:], typ)
	binary.NativeEndian.PutUint32(b[4:], uint32(l.index))
	binary.NativeEndian.PutUint32(b[8:], l.flags)
	mtu, oper := l.mtu, uint8(rtnetlink.OperStateDown)
	if mtu == 0 {
		mtu = 1500
	}
	if l.flags&unix.IFF_UP != 0 {
		oper = uint8(rtnetlink.OperStateUp)
	}
	ae := netlink.NewAttributeEncoder()
	ae.String(unix.IFLA_IFNAME, l.name)
	ae.Uint32(unix.IFLA_MTU, mtu)
	ae.Uint8(unix.IFLA_OPERSTATE, oper)
	ae.Bytes(unix.IFLA_STATS64, stats64(l.index))
	ae.Bytes(0x7fff, []byte{1, 2, 3})
	if l.lower != 0 {
		ae.Uint32(unix.IFLA_LINK, uint32(l.lower))
	}
	if l.netnsid != nil {
		ae.Int32(unix.IFLA_LINK_NETNSID, *l.netnsid)
	}
	if l.kind == "veth" {
		ae.Bytes(unix.IFLA_ADDRESS, []byte{1})
	}
	if l.kind == brcmlink.Kind {
		ae.Bytes(unix.IFLA_ADDRESS, mac(l.index))
	}
	if l.kind != "" {
		ae.Nested(unix.IFLA_LINKINFO, func(nae *netlink.AttributeEncoder) error {
			nae.String(unix.IFLA_INFO_KIND, l.kind)
			if l.kind == brcmlink.Kind {
				nae.Nested(unix.IFLA_INFO_DATA, l.data.Encode)
			}
			return nil
		})
	}
	attrs, err := ae.Encode()
	if err != nil {
		k.t.Fatal(err)
	}
	return netlink.Message{
		Header: netlink.Header{Type: unix.RTM_NEWLINK, Sequence: req.Header.Sequence, PID: req.Header.PID},
		Data:   append(b, attrs...),
	}
}

// stats64 returns a struct rtnl_link_stats64 whose counter i is
// 100*index + i.
func stats64(index int) []byte {
	b := make([]byte, 0, 25*8)
	for i := range 25 {
		b = binary.NativeEndian.AppendUint64(b, uint64(100*index+i))
	}
	return b
}

// statsOf is what stats64 decodes to.
func statsOf(index int) *brcmlink.Stats {
	n := uint64(100 * index)
	return &brcmlink.Stats{
		RxPackets: n, TxPackets: n + 1, RxBytes: n + 2, TxBytes: n + 3,
		RxErrors: n + 4, RxDropped: n + 6, TxDropped: n + 7, RxMulticast: n + 8,
	}
}

// nackf answers req with errno and an extended-ack message.
func nackf(req netlink.Message, errno syscall.Errno, format string, args ...any) ([]netlink.Message, error) {
	return []netlink.Message{nlfake.Nack(req, errno, fmt.Sprintf(format, args...))}, nil
}

// sent returns the requests of type typ.
func (k *kernel) sent(typ netlink.HeaderType) []netlink.Message {
	var msgs []netlink.Message
	for _, m := range k.reqs {
		if m.Header.Type == typ {
			msgs = append(msgs, m)
		}
	}
	return msgs
}

func TestGet(t *testing.T) {
	c, _ := newKernel(t)
	want := &brcmlink.Port{
		Index: 5, Name: "eth0.p5", LowerIndex: 2, Lower: "eth0",
		Port: 5, Queue: 1, TagEnforce: 2, Format: brcmlink.FormatOriginal, QueueFromPriority: true, VLAN: 4094,
		Up: true, OperState: brcmlink.OperUp, MTU: 1500, Stats: statsOf(5), Flags: unix.IFF_UP, Address: mac(5)}
	// far.p3's lower is in the netns with id 1: no name, but its id.
	far := &brcmlink.Port{
		Index: 7, Name: "far.p3", LowerIndex: 2, LowerNetNSID: new(int32(1)),
		Port: 3, OperState: brcmlink.OperDown, MTU: 1500, Stats: statsOf(7), Address: mac(7)}
	for _, tt := range []struct {
		sel  brcmlink.Selector
		want *brcmlink.Port
	}{
		{brcmlink.ByName("eth0.p5"), want},
		{brcmlink.ByIndex(5), want},
		{brcmlink.ByPort("eth0", 5), want},
		{brcmlink.ByLowerIndexPort(2, 5), want},
		{brcmlink.ByName("far.p3"), far},
	} {
		got, err := c.Get(tt.sel)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%v (-want +got):\n%s", tt.sel, diff)
		}
	}
}

// brief is what TestList compares of a Port.
type brief struct {
	Name, Lower string
	LowerIndex  int
	Port        uint16
	OperState   brcmlink.OperState
}

func TestList(t *testing.T) {
	c, _ := newKernel(t)
	for _, tt := range []struct {
		name string
		list func() ([]brcmlink.Port, error)
		want []brief
	}{
		{"all", c.List, []brief{
			{"eth0.p5", "eth0", 2, 5, brcmlink.OperUp},
			{"eth0.p0", "eth0", 2, 0, brcmlink.OperDown},
			{"far.p3", "", 2, 3, brcmlink.OperDown}, // its lower is in another netns
			{"eth1.p3", "eth1", 3, 3, brcmlink.OperDown},
		}},
		{"lower", func() ([]brcmlink.Port, error) { return c.ListLower("eth0") }, []brief{
			{"eth0.p5", "eth0", 2, 5, brcmlink.OperUp},
			{"eth0.p0", "eth0", 2, 0, brcmlink.OperDown},
		}},
		{"empty lower", func() ([]brcmlink.Port, error) { return c.ListLower("lo") }, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := tt.list()
			if err != nil {
				t.Fatal(err)
			}
			var got []brief
			for _, p := range ps {
				got = append(got, brief{p.Name, p.Lower, p.LowerIndex, p.Port, p.OperState})
				if diff := cmp.Diff(statsOf(p.Index), p.Stats); diff != "" {
					t.Errorf("%s: stats (-want +got):\n%s", p.Name, diff)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestAdd(t *testing.T) {
	for _, tt := range []struct {
		name string
		req  brcmlink.AddRequest
		data Brcm   // as sent
		sent string // IFLA_IFNAME as sent
		up   bool
		want brcmlink.Port
	}{
		{
			name: "everything",
			req: brcmlink.AddRequest{Lower: "eth1", Port: 27, Name: "uplink", Queue: new(uint8(3)), TagEnforce: new(uint8(1)),
				Format: new(brcmlink.FormatOriginal), QueueFromPriority: new(true), VLAN: new(uint16(7)), Up: true},
			data: Brcm{Port: new(uint16(27)), Queue: new(uint8(3)), TagEnforce: new(uint8(1)),
				Format: new(brcmlink.FormatOriginal), QueueFromPriority: new(true), VLAN: new(uint16(7))},
			sent: "uplink", up: true,
			want: brcmlink.Port{Index: 10, Name: "uplink", LowerIndex: 3, Lower: "eth1", Port: 27, Queue: 3, TagEnforce: 1,
				Format: brcmlink.FormatOriginal, QueueFromPriority: true, VLAN: 7, Up: true, OperState: brcmlink.OperUp, MTU: 1500, Stats: statsOf(10), Flags: unix.IFF_UP, Address: mac(10)},
		},
		{
			// Named as the brcm family names it, not brcm%d.
			name: "default name, lower by index",
			req:  brcmlink.AddRequest{LowerIndex: 2, Port: 6},
			data: Brcm{Port: new(uint16(6))},
			sent: "eth0.p6",
			want: brcmlink.Port{Index: 10, Name: "eth0.p6", LowerIndex: 2, Lower: "eth0", Port: 6, OperState: brcmlink.OperDown, MTU: 1500, Stats: statsOf(10), Address: mac(10)},
		},
		{
			name: "default name, port 0",
			req:  brcmlink.AddRequest{Lower: "eth1", Port: 0},
			data: Brcm{Port: new(uint16(0))},
			sent: "eth1.p0",
			want: brcmlink.Port{Index: 10, Name: "eth1.p0", LowerIndex: 3, Lower: "eth1", OperState: brcmlink.OperDown, MTU: 1500, Stats: statsOf(10), Address: mac(10)},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, k := newKernel(t)
			got, err := c.Add(tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}

			// The lower, the link, the link read back: nothing depends on
			// how many links there are.
			if n := len(k.reqs); n != 3 {
				t.Errorf("sent %d requests, want 3", n)
			}
			for _, req := range k.sent(unix.RTM_GETLINK) {
				if req.Header.Flags&netlink.Dump == netlink.Dump {
					t.Errorf("sent a dump")
				}
			}
			reqs := k.sent(unix.RTM_NEWLINK)
			if len(reqs) != 1 {
				t.Fatalf("sent %d RTM_NEWLINK, want 1", len(reqs))
			}
			const flags = netlink.Request | netlink.Acknowledge | netlink.Create | netlink.Excl
			if f := reqs[0].Header.Flags; f != flags {
				t.Errorf("flags %v, want %v", f, flags)
			}
			var m rtnetlink.LinkMessage
			if err := m.UnmarshalBinary(reqs[0].Data); err != nil {
				t.Fatal(err)
			}
			if up := m.Flags&m.Change&unix.IFF_UP != 0; up != tt.up {
				t.Errorf("sent up %v, want %v", up, tt.up)
			}
			a := m.Attributes
			if a.Name != tt.sent || int(a.Type) != tt.want.LowerIndex || a.MTU != 0 || a.Info.Kind != brcmlink.Kind {
				t.Errorf("sent name %q, IFLA_LINK %d, MTU %d, kind %q", a.Name, a.Type, a.MTU, a.Info.Kind)
			}
			if diff := cmp.Diff(&tt.data, a.Info.Data); diff != "" {
				t.Errorf("sent IFLA_INFO_DATA (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAddDefaultNameTooLong checks that a default name that cannot be
// one fails as the brcm family fails it, before anything is created.
func TestAddDefaultNameTooLong(t *testing.T) {
	c, k := newKernel(t)
	k.links = append(k.links, &fakeLink{index: 9, name: "fifteen-bytes-x"})
	_, err := c.Add(brcmlink.AddRequest{Lower: "fifteen-bytes-x", Port: 27})
	const want = "rtlink: add fifteen-bytes-x port 27: default name fifteen-bytes-x.p27 is longer than 15 bytes: give a name: invalid argument"
	if !errors.Is(err, syscall.EINVAL) || err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if n := len(k.sent(unix.RTM_NEWLINK)); n != 0 {
		t.Errorf("sent %d RTM_NEWLINK", n)
	}
}

// TestKernelErrors checks that the kernel's errno and message come
// through, in the Error and for errors.Is.
func TestKernelErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		deny syscall.Errno
		call func(*Client) error
		is   error
		want string
	}{
		{
			name: "port taken",
			call: func(c *Client) error {
				_, err := c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 5, Name: "x"})
				return err
			},
			is:   os.ErrExist,
			want: "rtlink: add x: port 5 already exists on eth0 (eth0.p5): file exists",
		},
		{
			name: "no lower index",
			call: func(c *Client) error { _, err := c.Add(brcmlink.AddRequest{LowerIndex: 99, Port: 5}); return err },
			is:   os.ErrNotExist,
			want: "rtlink: add ifindex 99 port 5: lower device ifindex 99 not found: no such device",
		},
		{
			name: "no lower name",
			call: func(c *Client) error { _, err := c.Add(brcmlink.AddRequest{Lower: "eth9", Port: 5}); return err },
			is:   os.ErrNotExist,
			want: "rtlink: add eth9 port 5: lower device eth9 not found: no such device",
		},
		{
			name: "unprivileged add",
			deny: syscall.EPERM,
			call: func(c *Client) error { _, err := c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 7}); return err },
			is:   os.ErrPermission,
			want: "rtlink: add eth0 port 7: operation not permitted",
		},
		{
			name: "unprivileged delete",
			deny: syscall.EPERM,
			call: func(c *Client) error { return c.Delete(brcmlink.ByName("eth0.p5")) },
			is:   os.ErrPermission,
			want: "rtlink: delete eth0.p5: operation not permitted",
		},
		{
			name: "unprivileged set",
			deny: syscall.EPERM,
			call: func(c *Client) error {
				_, err := c.Set(brcmlink.ByIndex(5), brcmlink.SetRequest{Up: new(false)})
				return err
			},
			is:   os.ErrPermission,
			want: "rtlink: set ifindex 5: operation not permitted",
		},
		{
			name: "no device",
			call: func(c *Client) error { _, err := c.Get(brcmlink.ByName("eth0.p9")); return err },
			is:   os.ErrNotExist,
			want: "rtlink: get eth0.p9: no such device",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, k := newKernel(t)
			k.deny = tt.deny
			err := tt.call(c)
			if !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %q, want %q", err, tt.want)
			}
		})
	}
}

// TestKernelErrorOffset checks that the kernel's answer stays in the
// error's chain, with the offset of the attribute it refused.
func TestKernelErrorOffset(t *testing.T) {
	c := &Client{c: nltest.Dial(func(reqs []netlink.Message) ([]netlink.Message, error) {
		return []netlink.Message{nlfake.NackAt(reqs[0], syscall.EINVAL, "bad attribute", 20)}, nil
	})}
	defer c.Close()
	_, err := c.Get(brcmlink.ByName("eth0.p5"))
	var e *brcmlink.Error
	var oe *netlink.OpError
	if !errors.As(err, &e) || e.Client != "rtlink" || e.Err != syscall.EINVAL || e.Message != "bad attribute" {
		t.Fatalf("error %#v, want a *brcmlink.Error of rtlink with EINVAL and the kernel's message", err)
	}
	if !errors.As(err, &oe) || oe.Offset != 20 || e.Cause != oe {
		t.Errorf("error %v: the *netlink.OpError %#v, want it as the Cause with offset 20", err, oe)
	}
}

// TestMalformed checks that a reply the client cannot decode matches
// brcmlink.ErrMalformed, in an *OpError that names the operation.
func TestMalformed(t *testing.T) {
	for _, tt := range []struct {
		name  string
		reply func(req netlink.Message) []netlink.Message
		want  string
	}{
		{"short", func(req netlink.Message) []netlink.Message {
			return []netlink.Message{{Header: netlink.Header{Type: unix.RTM_NEWLINK, Sequence: req.Header.Sequence, PID: req.Header.PID}, Data: []byte{1, 2}}}
		}, "rtlink: get eth0.p5: link message of 2 bytes is too short"},
		{"two links", func(req netlink.Message) []netlink.Message {
			k := &kernel{t: t}
			l := &fakeLink{index: 5, name: "eth0.p5", kind: brcmlink.Kind, lower: 2, data: Brcm{Port: new(uint16(5))}}
			return []netlink.Message{k.message(req, l), k.message(req, l)}
		}, "rtlink: get eth0.p5: kernel answered 2 links for one"},
		{"no port", func(req netlink.Message) []netlink.Message {
			k := &kernel{t: t}
			return []netlink.Message{k.message(req, &fakeLink{index: 5, name: "eth0.p5", kind: brcmlink.Kind, lower: 2})}
		}, "rtlink: get eth0.p5: brcm link eth0.p5 reports no port"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &Client{c: nltest.Dial(func(reqs []netlink.Message) ([]netlink.Message, error) { return tt.reply(reqs[0]), nil })}
			defer c.Close()
			_, err := c.Get(brcmlink.ByName("eth0.p5"))
			var oe *brcmlink.OpError
			if !errors.Is(err, brcmlink.ErrMalformed) || !errors.As(err, &oe) || oe.Op != "get" || err.Error() != tt.want {
				t.Errorf("error %v, want %q matching ErrMalformed", err, tt.want)
			}
		})
	}
}

// TestNotBrcm checks that devices of other kinds are neither reported
// nor changed.
func TestNotBrcm(t *testing.T) {
	for _, tt := range []struct {
		call func(*Client) error
		want string
	}{
		{func(c *Client) error { _, err := c.Get(brcmlink.ByName("veth0")); return err }, "rtlink: get veth0: veth0 is not a brcm device (kind veth): no such device"},
		{func(c *Client) error { return c.Delete(brcmlink.ByName("veth0")) }, "rtlink: delete veth0: veth0 is not a brcm device (kind veth): no such device"},
		{func(c *Client) error { return c.Delete(brcmlink.ByIndex(2)) }, "rtlink: delete ifindex 2: eth0 is not a brcm device (no kind): no such device"},
		{func(c *Client) error {
			_, err := c.Set(brcmlink.ByName("eth0"), brcmlink.SetRequest{Queue: new(uint8(1)), Up: new(true)})
			return err
		}, "rtlink: set eth0: eth0 is not a brcm device (no kind): no such device"},
		{func(c *Client) error { return c.Delete(brcmlink.ByPort("eth0", 3)) }, "rtlink: delete eth0 port 3: no brcm device on port 3 of eth0: no such device"},
		{func(c *Client) error { _, err := c.Get(brcmlink.ByPort("eth1", 5)); return err }, "rtlink: get eth1 port 5: no brcm device on port 5 of eth1: no such device"},
		{func(c *Client) error { _, err := c.Get(brcmlink.ByLowerIndexPort(3, 5)); return err }, "rtlink: get ifindex 3 port 5: no brcm device on port 5 of ifindex 3: no such device"},
	} {
		c, k := newKernel(t)
		err := tt.call(c)
		if !errors.Is(err, os.ErrNotExist) || err.Error() != tt.want {
			t.Errorf("error %q, want %q, matching os.ErrNotExist", err, tt.want)
		}
		if reqs := append(k.sent(unix.RTM_NEWLINK), k.sent(unix.RTM_DELLINK)...); len(reqs) != 0 {
			t.Errorf("%q: sent %d changes", tt.want, len(reqs))
		}
	}
}

// TestValidate checks that the client refuses what the kernel would,
// with the kernel's errno and message, without sending anything: the
// same checks as the genl package's.
func TestValidate(t *testing.T) {
	const noSelector = "no port selected: make the Selector with ByName, ByIndex, ByPort or ByLowerIndexPort: invalid argument"
	for _, tt := range []struct {
		call func(*Client) error
		want string
	}{
		{func(c *Client) error { _, err := c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 28}); return err }, "rtlink: add eth0 port 28: port 28 out of range (0-27): numerical result out of range"},
		{func(c *Client) error {
			_, err := c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 1, Name: "p1", Queue: new(uint8(4))})
			return err
		}, "rtlink: add p1: queue 4 out of range (0-3): numerical result out of range"},
		{func(c *Client) error {
			_, err := c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 1, TagEnforce: new(uint8(9))})
			return err
		}, "rtlink: add eth0 port 1: tag enforcement 9 out of range (0-3): numerical result out of range"},
		{func(c *Client) error { _, err := c.Add(brcmlink.AddRequest{Port: 1}); return err }, "rtlink: add: no lower device: Lower is empty and LowerIndex is 0: invalid argument"},
		{func(c *Client) error { _, err := c.Add(brcmlink.AddRequest{LowerIndex: -2, Port: 1}); return err }, "rtlink: add ifindex -2 port 1: lower ifindex -2 out of range: numerical result out of range"},
		{func(c *Client) error {
			_, err := c.Add(brcmlink.AddRequest{Lower: "eth0", LowerIndex: 2, Port: 1})
			return err
		}, "rtlink: add eth0 port 1: give the lower device by index (2) or by name (eth0), not both: invalid argument"},
		{func(c *Client) error {
			_, err := c.Set(brcmlink.ByName("eth0.p5"), brcmlink.SetRequest{Queue: new(uint8(4))})
			return err
		}, "rtlink: set eth0.p5: queue 4 out of range (0-3): numerical result out of range"},
		{func(c *Client) error {
			_, err := c.Set(brcmlink.ByName("eth0.p5"), brcmlink.SetRequest{TagEnforce: new(uint8(4))})
			return err
		}, "rtlink: set eth0.p5: tag enforcement 4 out of range (0-3): numerical result out of range"},
		{func(c *Client) error {
			_, err := c.Set(brcmlink.ByName("eth0.p5"), brcmlink.SetRequest{VLAN: new(uint16(4095))})
			return err
		}, "rtlink: set eth0.p5: vlan 4095 out of range (0-4094): numerical result out of range"},
		{func(c *Client) error {
			_, err := c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 1, Format: new(brcmlink.Format(2))})
			return err
		}, "rtlink: add eth0 port 1: tag format 2 unknown (0-1): numerical result out of range"},
		{func(c *Client) error {
			_, err := c.Set(brcmlink.Selector{}, brcmlink.SetRequest{Queue: new(uint8(1))})
			return err
		}, "rtlink: set: " + noSelector},
		{func(c *Client) error { _, err := c.Get(brcmlink.ByName("")); return err }, "rtlink: get: " + noSelector},
		{func(c *Client) error { return c.Delete(brcmlink.Selector{}) }, "rtlink: delete: " + noSelector},
		{func(c *Client) error { _, err := c.Get(brcmlink.ByPort("eth0", 28)); return err }, "rtlink: get eth0 port 28: port 28 out of range (0-27): numerical result out of range"},
		{func(c *Client) error { return c.Delete(brcmlink.ByPort("", 1)) }, "rtlink: delete: no lower device given: ByPort needs its name, ByLowerIndexPort its ifindex: invalid argument"},
		{func(c *Client) error { _, err := c.ListLower(""); return err }, "rtlink: list: empty lower device name: invalid argument"},
	} {
		c, k := newKernel(t)
		err := tt.call(c)
		var e *brcmlink.Error
		if !errors.As(err, &e) || err.Error() != tt.want {
			t.Errorf("error %q, want %q", err, tt.want)
		}
		if len(k.reqs) != 0 {
			t.Errorf("%q: sent %d requests", tt.want, len(k.reqs))
		}
	}
}

func TestSet(t *testing.T) {
	c, k := newKernel(t)
	// eth0.p0 is down: bring it up with a new queue, VLAN and queue from
	// priority.
	p, err := c.Set(brcmlink.ByName("eth0.p0"), brcmlink.SetRequest{Queue: new(uint8(3)), QueueFromPriority: new(true), VLAN: new(uint16(7)), Up: new(true)})
	if err != nil {
		t.Fatal(err)
	}
	want := &brcmlink.Port{Index: 6, Name: "eth0.p0", LowerIndex: 2, Lower: "eth0", Queue: 3, QueueFromPriority: true, VLAN: 7,
		Up: true, OperState: brcmlink.OperUp, MTU: 1500, Stats: statsOf(6), Flags: unix.IFF_UP, Address: mac(6)}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("Set returned (-want +got):\n%s", diff)
	}
	// The admin state first, on its own, then the rest.
	reqs := k.sent(unix.RTM_NEWLINK)
	if len(reqs) != 2 {
		t.Fatalf("sent %d RTM_NEWLINK, want 2", len(reqs))
	}
	for i, want := range []struct {
		flags, change uint32
		data          *Brcm
	}{
		{unix.IFF_UP, unix.IFF_UP, nil},
		{0, 0, &Brcm{Queue: new(uint8(3)), QueueFromPriority: new(true), VLAN: new(uint16(7))}},
	} {
		if f := reqs[i].Header.Flags; f != netlink.Request|netlink.Acknowledge {
			t.Errorf("request %d: flags %v, want request and acknowledge only", i, f)
		}
		var m rtnetlink.LinkMessage
		if err := m.UnmarshalBinary(reqs[i].Data); err != nil {
			t.Fatal(err)
		}
		var data *Brcm
		if a := m.Attributes; a != nil && a.Info != nil {
			data = a.Info.Data.(*Brcm)
		}
		if m.Index != 6 || m.Flags != want.flags || m.Change != want.change || !cmp.Equal(data, want.data) {
			t.Errorf("request %d: index %d, flags %#x, change %#x, data %+v; want 6, %#x, %#x, %+v",
				i, m.Index, m.Flags, m.Change, data, want.flags, want.change, want.data)
		}
	}

	// Down, by lower and port.
	p, err = c.Set(brcmlink.ByPort("eth0", 5), brcmlink.SetRequest{Up: new(false)})
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "eth0.p5" || p.Up || p.OperState != brcmlink.OperDown || p.Queue != 1 || p.TagEnforce != 2 {
		t.Errorf("after Set(down): %+v", p)
	}

	// The format of a lower's only port is the port's to change; with
	// other ports on the lower, the kernel refuses it.
	if p, err = c.Set(brcmlink.ByPort("eth1", 3), brcmlink.SetRequest{Format: new(brcmlink.FormatOriginal)}); err != nil || p.Format != brcmlink.FormatOriginal {
		t.Errorf("Set(format) of eth1's only port: %+v, %v", p, err)
	}
	_, err = c.Set(brcmlink.ByName("eth0.p0"), brcmlink.SetRequest{Format: new(brcmlink.FormatOriginal)})
	var e *brcmlink.Error
	if !errors.As(err, &e) || e.Err != syscall.EBUSY || e.Message != "eth0 has 1 other ports: set its format on the lower" {
		t.Errorf("Set(format) of eth0.p0: %v, want EBUSY", err)
	}

	// Nothing to change: the port as it is, and no change sent.
	if p, err = c.Set(brcmlink.ByName("eth0.p5"), brcmlink.SetRequest{}); err != nil || p.Index != 5 {
		t.Fatalf("Set(nothing): %+v, %v", p, err)
	}
	if n := len(k.sent(unix.RTM_NEWLINK)); n != 5 {
		t.Errorf("sent %d RTM_NEWLINK, want still 5", n)
	}
}

func TestDelete(t *testing.T) {
	c, k := newKernel(t)
	for _, s := range []brcmlink.Selector{brcmlink.ByName("eth0.p5"), brcmlink.ByPort("eth1", 3), brcmlink.ByLowerIndexPort(2, 0)} {
		if err := c.Delete(s); err != nil {
			t.Fatal(err)
		}
	}
	var deleted []uint32
	for _, req := range k.sent(unix.RTM_DELLINK) {
		var m rtnetlink.LinkMessage
		if err := m.UnmarshalBinary(req.Data); err != nil {
			t.Fatal(err)
		}
		deleted = append(deleted, m.Index)
	}
	if diff := cmp.Diff([]uint32{5, 8, 6}, deleted); diff != "" {
		t.Errorf("deleted ifindexes (-want +got):\n%s", diff)
	}
	if _, err := c.Get(brcmlink.ByName("eth0.p5")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Get after Delete: %v", err)
	}
}

// mac is the fake kernel's address of the brcm link with ifindex index.
func mac(index int) net.HardwareAddr { return net.HardwareAddr{2, 0, 0, 0, 0, byte(index)} }

// TestDumpInterrupted: every listing dumps again while the kernel marks
// the dump interrupted, whether every message says so or only the
// NLMSG_DONE, and gives up with EINTR after dumpTries in a row.
func TestDumpInterrupted(t *testing.T) {
	calls := []struct {
		name string
		call func(c *Client) error
	}{
		{"List", func(c *Client) error { _, err := c.List(); return err }},
		{"ListLower", func(c *Client) error { _, err := c.ListLower("eth0"); return err }},
		{"Get by port", func(c *Client) error { _, err := c.Get(brcmlink.ByPort("eth0", 5)); return err }},
		{"Set by port", func(c *Client) error {
			_, err := c.Set(brcmlink.ByPort("eth0", 5), brcmlink.SetRequest{Queue: new(uint8(1))})
			return err
		}},
		{"Delete by port", func(c *Client) error { return c.Delete(brcmlink.ByPort("eth0", 0)) }},
		{"Devices", func(c *Client) error { _, err := c.Devices(); return err }},
	}
	dumps := func(k *kernel) int {
		n := 0
		for _, m := range k.sent(unix.RTM_GETLINK) {
			if m.Header.Flags&netlink.Dump == netlink.Dump {
				n++
			}
		}
		return n
	}
	for _, only := range []bool{false, true} {
		for _, tt := range calls {
			t.Run(fmt.Sprintf("%s/done only %v", tt.name, only), func(t *testing.T) {
				c, k := newKernel(t)
				k.interrupt, k.interruptDone = 2, only
				if err := tt.call(c); err != nil {
					t.Fatal(err)
				}
				if n := dumps(k); n != 3 {
					t.Errorf("%d dumps, want 3: two interrupted, then one whole", n)
				}

				c, k = newKernel(t)
				k.interrupt, k.interruptDone = 1000, only
				err := tt.call(c)
				if !errors.Is(err, syscall.EINTR) {
					t.Errorf("always interrupted: %v, want EINTR", err)
				}
				if n := dumps(k); n != 5 {
					t.Errorf("always interrupted: %d dumps, want 5", n)
				}
			})
		}
	}
}
