// SPDX-License-Identifier: MIT

package rtlink

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
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
	netnsid      *int32 // the lower's netns, when it is not the link's
	flags, mtu   uint32
	data         Brcm
}

// kernel is a fake rtnetlink: enough of the kernel's brcm semantics to
// exercise the Client through nltest.
type kernel struct {
	t     *testing.T
	links []*fakeLink
	next  int               // next ifindex
	reqs  []netlink.Message // every request, in order
	deny  syscall.Errno     // if set, the answer to every change
}

func newKernel(t *testing.T) (*Client, *kernel) {
	k := &kernel{t: t, next: 10, links: []*fakeLink{
		{index: 1, name: "lo", flags: unix.IFF_UP},
		{index: 2, name: "eth0", flags: unix.IFF_UP},
		{index: 3, name: "eth1"},
		{index: 4, name: "veth0", kind: "veth"},
		{index: 5, name: "eth0.p5", kind: "brcm", lower: 2, flags: unix.IFF_UP, data: Brcm{Port: new(uint16(5)), Queue: new(uint8(1)), TagEnforce: new(uint8(2))}},
		{index: 6, name: "eth0.p0", kind: "brcm", lower: 2, data: Brcm{Port: new(uint16(0))}},
		{index: 7, name: "far.p3", kind: "brcm", lower: 2, netnsid: new(int32(1)), data: Brcm{Port: new(uint16(3))}},
		{index: 8, name: "eth1.p3", kind: "brcm", lower: 3, data: Brcm{Port: new(uint16(3))}},
	}}
	c := &Client{c: nltest.Dial(k.handle)}
	t.Cleanup(func() { _ = c.Close() })
	return c, k
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
		return nltest.Multipart(append(msgs, netlink.Message{}))
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
		l, d := k.find(m), m.Attributes.Info.Data.(*Brcm)
		if d.Queue != nil {
			l.data.Queue = d.Queue
		}
		if d.TagEnforce != nil {
			l.data.TagEnforce = d.TagEnforce
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
		l.name = fmt.Sprintf("brcm%d", k.next)
	}
	k.next++
	k.links = append(k.links, l)
	return nltest.Error(0, []netlink.Message{req})
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
		Port: 5, Queue: 1, TagEnforce: 2,
		Up: true, OperState: "UP", MTU: 1500, Stats: statsOf(5),
	}
	// far.p3's lower is in the netns with id 1: no name, but its id.
	far := &brcmlink.Port{
		Index: 7, Name: "far.p3", LowerIndex: 2, LowerNetNSID: new(int32(1)),
		Port: 3, OperState: "DOWN", MTU: 1500, Stats: statsOf(7),
	}
	for _, tt := range []struct {
		get  func() (*brcmlink.Port, error)
		want *brcmlink.Port
	}{
		{func() (*brcmlink.Port, error) { return c.Get("eth0.p5") }, want},
		{func() (*brcmlink.Port, error) { return c.GetByPort("eth0", 5) }, want},
		{func() (*brcmlink.Port, error) { return c.Get("far.p3") }, far},
	} {
		got, err := tt.get()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	}
}

// brief is what TestList compares of a Port.
type brief struct {
	Name, Lower string
	LowerIndex  int
	Port        uint16
	OperState   string
}

func TestList(t *testing.T) {
	c, _ := newKernel(t)
	for _, tt := range []struct {
		name string
		list func() ([]brcmlink.Port, error)
		want []brief
	}{
		{"all", c.List, []brief{
			{"eth0.p5", "eth0", 2, 5, "UP"},
			{"eth0.p0", "eth0", 2, 0, "DOWN"},
			{"far.p3", "", 2, 3, "DOWN"}, // its lower is in another netns
			{"eth1.p3", "eth1", 3, 3, "DOWN"},
		}},
		{"lower", func() ([]brcmlink.Port, error) { return c.ListLower("eth0") }, []brief{
			{"eth0.p5", "eth0", 2, 5, "UP"},
			{"eth0.p0", "eth0", 2, 0, "DOWN"},
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
		name    string
		req     AddRequest
		data    Brcm // as sent
		up      bool
		mtu     uint32
		want    brcmlink.Port
		wantErr string
	}{
		{
			name: "everything",
			req:  AddRequest{Lower: "eth1", Port: 27, Name: "uplink", Queue: new(uint8(3)), TagEnforce: new(uint8(1)), MTU: 1496, Up: true},
			data: Brcm{Port: new(uint16(27)), Queue: new(uint8(3)), TagEnforce: new(uint8(1))},
			up:   true, mtu: 1496,
			want: brcmlink.Port{Index: 10, Name: "uplink", LowerIndex: 3, Lower: "eth1", Port: 27, Queue: 3, TagEnforce: 1, Up: true, OperState: "UP", MTU: 1496, Stats: statsOf(10)},
		},
		{
			name: "defaults, by index",
			req:  AddRequest{LowerIndex: 2, Port: 6},
			data: Brcm{Port: new(uint16(6))},
			want: brcmlink.Port{Index: 10, Name: "brcm10", LowerIndex: 2, Lower: "eth0", Port: 6, OperState: "DOWN", MTU: 1500, Stats: statsOf(10)},
		},
		{
			name: "port 0",
			req:  AddRequest{Lower: "eth1", Port: 0, Name: "eth1.any"},
			data: Brcm{Port: new(uint16(0))},
			want: brcmlink.Port{Index: 10, Name: "eth1.any", LowerIndex: 3, Lower: "eth1", OperState: "DOWN", MTU: 1500, Stats: statsOf(10)},
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
			if a.Name != tt.req.Name || int(a.Type) != tt.want.LowerIndex || a.MTU != tt.mtu || a.Info.Kind != brcmlink.Kind {
				t.Errorf("sent name %q, IFLA_LINK %d, MTU %d, kind %q", a.Name, a.Type, a.MTU, a.Info.Kind)
			}
			if diff := cmp.Diff(&tt.data, a.Info.Data); diff != "" {
				t.Errorf("sent IFLA_INFO_DATA (-want +got):\n%s", diff)
			}
		})
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
			call: func(c *Client) error { _, err := c.Add(AddRequest{Lower: "eth0", Port: 5, Name: "x"}); return err },
			is:   os.ErrExist,
			want: "rtlink: add x: port 5 already exists on eth0 (eth0.p5): file exists",
		},
		{
			name: "no lower index",
			call: func(c *Client) error { _, err := c.Add(AddRequest{LowerIndex: 99, Port: 5}); return err },
			is:   os.ErrNotExist,
			want: "rtlink: add ifindex 99 port 5: lower device ifindex 99 not found: no such device",
		},
		{
			name: "no lower name",
			call: func(c *Client) error { _, err := c.Add(AddRequest{Lower: "eth9", Port: 5}); return err },
			is:   os.ErrNotExist,
			want: "rtlink: add eth9 port 5: lower device eth9 not found: no such device",
		},
		{
			name: "unprivileged add",
			deny: syscall.EPERM,
			call: func(c *Client) error { _, err := c.Add(AddRequest{Lower: "eth0", Port: 7}); return err },
			is:   os.ErrPermission,
			want: "rtlink: add eth0 port 7: operation not permitted",
		},
		{
			name: "unprivileged delete",
			deny: syscall.EPERM,
			call: func(c *Client) error { return c.Delete("eth0.p5") },
			is:   os.ErrPermission,
			want: "rtlink: delete eth0.p5: operation not permitted",
		},
		{
			name: "no device",
			call: func(c *Client) error { _, err := c.Get("eth0.p9"); return err },
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

// TestNotBrcm checks that devices of other kinds are neither reported
// nor changed.
func TestNotBrcm(t *testing.T) {
	for _, tt := range []struct {
		call func(*Client) error
		want string
	}{
		{func(c *Client) error { _, err := c.Get("veth0"); return err }, "rtlink: get veth0: veth0 is not a brcm device (kind veth): no such device"},
		{func(c *Client) error { return c.Delete("veth0") }, "rtlink: delete veth0: veth0 is not a brcm device (kind veth): no such device"},
		{func(c *Client) error { return c.Delete("eth0") }, "rtlink: delete eth0: eth0 is not a brcm device (no kind): no such device"},
		{func(c *Client) error { return c.Set("eth0", new(uint8(1)), nil) }, "rtlink: set eth0: eth0 is not a brcm device (no kind): no such device"},
		{func(c *Client) error { return c.DeleteByPort("eth0", 3) }, "rtlink: delete eth0 port 3: no brcm device on port 3 of eth0: no such device"},
		{func(c *Client) error { _, err := c.GetByPort("eth1", 5); return err }, "rtlink: get eth1 port 5: no brcm device on port 5 of eth1: no such device"},
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
// with the kernel's errno and message, without sending anything.
func TestValidate(t *testing.T) {
	for _, tt := range []struct {
		call func(*Client) error
		want string
	}{
		{func(c *Client) error { _, err := c.Add(AddRequest{Lower: "eth0", Port: 28}); return err }, "rtlink: add eth0 port 28: port 28 out of range (0-27): numerical result out of range"},
		{func(c *Client) error {
			_, err := c.Add(AddRequest{Lower: "eth0", Port: 1, Name: "p1", Queue: new(uint8(4))})
			return err
		}, "rtlink: add p1: queue 4 out of range (0-3): numerical result out of range"},
		{func(c *Client) error {
			_, err := c.Add(AddRequest{Lower: "eth0", Port: 1, TagEnforce: new(uint8(9))})
			return err
		}, "rtlink: add eth0 port 1: tag enforcement 9 out of range (0-3): numerical result out of range"},
		{func(c *Client) error { _, err := c.Add(AddRequest{Port: 1}); return err }, "rtlink: add ifindex 0 port 1: no lower device: Lower is empty and LowerIndex is 0: invalid argument"},
		{func(c *Client) error { _, err := c.Add(AddRequest{LowerIndex: -2, Port: 1}); return err }, "rtlink: add ifindex -2 port 1: no lower device: Lower is empty and LowerIndex is -2: invalid argument"},
		{func(c *Client) error { return c.Set("eth0.p5", new(uint8(4)), nil) }, "rtlink: set eth0.p5: queue 4 out of range (0-3): numerical result out of range"},
		{func(c *Client) error { return c.Set("eth0.p5", nil, new(uint8(4))) }, "rtlink: set eth0.p5: tag enforcement 4 out of range (0-3): numerical result out of range"},
		{func(c *Client) error { return c.Set("", new(uint8(1)), nil) }, "rtlink: set: empty device name: invalid argument"},
		{func(c *Client) error { _, err := c.Get(""); return err }, "rtlink: get: empty device name: invalid argument"},
		{func(c *Client) error { _, err := c.GetByPort("eth0", 28); return err }, "rtlink: get eth0 port 28: port 28 out of range (0-27): numerical result out of range"},
		{func(c *Client) error { return c.DeleteByPort("", 1) }, "rtlink: delete port 1: empty lower device name: invalid argument"},
		{func(c *Client) error { _, err := c.ListLower(""); return err }, "rtlink: list: empty lower device name: invalid argument"},
	} {
		c, k := newKernel(t)
		err := tt.call(c)
		var e *Error
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
	if err := c.Set("eth0.p5", new(uint8(3)), nil); err != nil {
		t.Fatal(err)
	}
	reqs := k.sent(unix.RTM_NEWLINK)
	if len(reqs) != 1 {
		t.Fatalf("sent %d RTM_NEWLINK, want 1", len(reqs))
	}
	if f := reqs[0].Header.Flags; f != netlink.Request|netlink.Acknowledge {
		t.Errorf("flags %v, want request and acknowledge only", f)
	}
	var m rtnetlink.LinkMessage
	if err := m.UnmarshalBinary(reqs[0].Data); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&Brcm{Queue: new(uint8(3))}, m.Attributes.Info.Data); m.Index != 5 || diff != "" {
		t.Errorf("sent index %d, IFLA_INFO_DATA (-want +got):\n%s", m.Index, diff)
	}
	p, err := c.Get("eth0.p5")
	if err != nil {
		t.Fatal(err)
	}
	if p.Queue != 3 || p.TagEnforce != 2 {
		t.Errorf("queue %d, tag enforcement %d; want 3, 2", p.Queue, p.TagEnforce)
	}

	// Nothing to change: only the check that it is a brcm device.
	if err := c.Set("eth0.p5", nil, nil); err != nil {
		t.Fatal(err)
	}
	if n := len(k.sent(unix.RTM_NEWLINK)); n != 1 {
		t.Errorf("sent %d RTM_NEWLINK, want still 1", n)
	}
}

func TestDelete(t *testing.T) {
	c, k := newKernel(t)
	if err := c.Delete("eth0.p5"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteByPort("eth1", 3); err != nil {
		t.Fatal(err)
	}
	var deleted []uint32
	for _, req := range k.sent(unix.RTM_DELLINK) {
		var m rtnetlink.LinkMessage
		if err := m.UnmarshalBinary(req.Data); err != nil {
			t.Fatal(err)
		}
		deleted = append(deleted, m.Index)
	}
	if diff := cmp.Diff([]uint32{5, 8}, deleted); diff != "" {
		t.Errorf("deleted ifindexes (-want +got):\n%s", diff)
	}
	if _, err := c.Get("eth0.p5"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Get after Delete: %v", err)
	}
}
