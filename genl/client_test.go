// SPDX-License-Identifier: MIT

package genl

import (
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/internal/nlfake"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/mdlayher/genetlink"
	"github.com/mdlayher/genetlink/genltest"
	"github.com/mdlayher/netlink"
	"github.com/mdlayher/netlink/nlenc"
	"github.com/mdlayher/netlink/nltest"
)

// family is the brcm family as the fake kernel registers it.
var family = genetlink.Family{
	ID:      0x1d,
	Name:    brcmlink.GenlName,
	Version: brcmlink.GenlVersion,
	Groups: []genetlink.MulticastGroup{
		{Name: "other", ID: 8},
		{Name: brcmlink.GenlMcgrpMonitor, ID: 9},
	},
}

// testClient returns a Client on a genltest socket whose family answers
// with fn.
func testClient(t *testing.T, fn genltest.Func) *Client {
	t.Helper()
	c, err := open(genltest.Dial(genltest.ServeFamily(family, fn)), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// rawClient returns a Client on an nltest socket, for what genltest
// cannot fake: extended acks, and dumps in parts with their flags.
func rawClient(t *testing.T, fn nltest.Func) *Client {
	c := &Client{c: genetlink.NewConn(nltest.Dial(fn)), family: family}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// The ports of the fake kernel, as the Client must return them: what
// rtlink returns for the same devices.
var (
	eth0p5 = brcmlink.Port{
		Index: 5, Name: "eth0.p5", LowerIndex: 2, Lower: "eth0",
		Port: 5, Queue: 1, TagEnforce: 2, Format: brcmlink.FormatOriginal, QueueFromPriority: true, VLAN: 4094,
		Up: true, OperState: brcmlink.OperUp, MTU: 1500, Stats: statsOf(5),
	}
	eth0p0 = brcmlink.Port{
		Index: 6, Name: "eth0.p0", LowerIndex: 2, Lower: "eth0",
		Up: true, OperState: brcmlink.OperLowerLayerDown, MTU: 1500, Stats: statsOf(6),
	}
	// farP3's lower is in another namespace: the kernel reports a netnsid
	// for it instead of a name.
	farP3 = brcmlink.Port{
		Index: 7, Name: "far.p3", LowerIndex: 2, LowerNetNSID: new(int32(1)),
		Port: 3, OperState: brcmlink.OperDown, MTU: 1496, Stats: statsOf(7),
	}
	eth0 = brcmlink.Lower{Index: 2, Name: "eth0", Ports: 2, Format: brcmlink.FormatOriginal, Stats: brcmlink.LowerStats{
		RxTagged: 1000, RxBadLength: 1, RxBadOpcode: 2, RxBadPortID: 3, RxUnknownPort: 4,
	}}
)

// statsOf returns distinct counters for the port with ifindex index.
func statsOf(index int) *brcmlink.Stats {
	n := uint64(100 * index)
	return &brcmlink.Stats{
		RxPackets: n + 1, RxBytes: n + 2, RxMulticast: n + 3, RxDropped: n + 4,
		RxErrors: n + 5, TxPackets: n + 6, TxBytes: n + 7, TxDropped: n + 8,
	}
}

// unknownAttr is an attribute of a newer module, which the client skips.
const unknownAttr = 0x7ff

// encodePort encodes p as the kernel's brcm_fill_port does, with pads
// and unknown attributes thrown in; more appends attributes at the end.
func encodePort(t testing.TB, p brcmlink.Port, more func(*netlink.AttributeEncoder)) []byte {
	t.Helper()
	ae := netlink.NewAttributeEncoder()
	ae.Uint32(brcmlink.AttrIfindex, uint32(p.Index))
	ae.String(brcmlink.AttrIfname, p.Name)
	ae.Uint32(brcmlink.AttrLowerIfindex, uint32(p.LowerIndex))
	if p.Lower != "" {
		ae.String(brcmlink.AttrLowerIfname, p.Lower)
	}
	if p.LowerNetNSID != nil {
		ae.Int32(brcmlink.AttrLinkNetnsid, *p.LowerNetNSID)
	}
	ae.Uint16(brcmlink.AttrPort, p.Port)
	ae.Uint8(brcmlink.AttrQueue, p.Queue)
	ae.Uint8(brcmlink.AttrTagEnforce, p.TagEnforce)
	ae.Uint8(brcmlink.AttrFormat, uint8(p.Format))
	ae.Uint8(brcmlink.AttrQueueFromPrio, map[bool]uint8{false: 0, true: 1}[p.QueueFromPriority])
	ae.Uint16(brcmlink.AttrVLAN, p.VLAN)
	ae.Uint8(brcmlink.AttrAdminUp, map[bool]uint8{false: 0, true: 1}[p.Up])
	ae.Uint8(brcmlink.AttrOperState, uint8(p.OperState))
	ae.Bytes(unknownAttr, []byte{1, 2, 3})
	ae.Uint32(brcmlink.AttrMTU, p.MTU)
	if s := p.Stats; s != nil {
		ae.Nested(brcmlink.AttrStats, func(nae *netlink.AttributeEncoder) error {
			nae.Bytes(brcmlink.StatsAttrPad, nil)
			nae.Uint64(brcmlink.StatsAttrRxPackets, s.RxPackets)
			nae.Uint64(brcmlink.StatsAttrRxBytes, s.RxBytes)
			nae.Uint64(brcmlink.StatsAttrRxMulticast, s.RxMulticast)
			nae.Uint64(brcmlink.StatsAttrRxDropped, s.RxDropped)
			nae.Uint64(brcmlink.StatsAttrRxErrors, s.RxErrors)
			nae.Uint64(unknownAttr, 99)
			nae.Uint64(brcmlink.StatsAttrTxPackets, s.TxPackets)
			nae.Uint64(brcmlink.StatsAttrTxBytes, s.TxBytes)
			nae.Uint64(brcmlink.StatsAttrTxDropped, s.TxDropped)
			return nil
		})
	}
	if more != nil {
		more(ae)
	}
	return encode(t, ae)
}

// encodeLowerMsg encodes l as the kernel's brcm_fill_lower does, with a
// pad and unknown attributes thrown in.
func encodeLowerMsg(t testing.TB, l brcmlink.Lower) []byte {
	ae := netlink.NewAttributeEncoder()
	ae.Uint32(brcmlink.AttrLowerIfindex, uint32(l.Index))
	ae.String(brcmlink.AttrLowerIfname, l.Name)
	ae.Uint32(brcmlink.AttrNrPorts, uint32(l.Ports))
	ae.Uint8(brcmlink.AttrFormat, uint8(l.Format))
	ae.Bytes(unknownAttr, nil)
	ae.Nested(brcmlink.AttrLowerStats, func(nae *netlink.AttributeEncoder) error {
		s := l.Stats
		nae.Uint64(brcmlink.LowerStatsAttrRxTagged, s.RxTagged)
		nae.Bytes(brcmlink.LowerStatsAttrPad, nil)
		nae.Uint64(brcmlink.LowerStatsAttrRxBadLen, s.RxBadLength)
		nae.Uint64(brcmlink.LowerStatsAttrRxBadOpcode, s.RxBadOpcode)
		nae.Uint64(brcmlink.LowerStatsAttrRxBadPortID, s.RxBadPortID)
		nae.Uint64(brcmlink.LowerStatsAttrRxUnknownPort, s.RxUnknownPort)
		nae.Uint64(unknownAttr, 7)
		return nil
	})
	return encode(t, ae)
}

func encode(t testing.TB, ae *netlink.AttributeEncoder) []byte {
	t.Helper()
	b, err := ae.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// reply is a message of the family, with the command the kernel puts in
// its replies to cmd.
func reply(cmd uint8, data []byte) genetlink.Message {
	return genetlink.Message{Header: genetlink.Header{Command: cmd, Version: brcmlink.GenlVersion}, Data: data}
}

// Attribute payloads as the client must encode them.
func str(s string) []byte { return nlenc.Bytes(s) } // NUL-terminated
func u32(v uint32) []byte { return nlenc.Uint32Bytes(v) }
func u16(v uint16) []byte { return nlenc.Uint16Bytes(v) }
func attr(typ uint16, data []byte) netlink.Attribute {
	return netlink.Attribute{Type: typ, Data: data}
}

// TestRequests checks the exact request of every method: command,
// netlink flags and attributes, in order.
func TestRequests(t *testing.T) {
	const (
		req  = netlink.Request
		ack  = netlink.Request | netlink.Acknowledge
		dump = netlink.Request | netlink.Dump
	)
	for _, tt := range []struct {
		name  string
		call  func(*Client) error
		cmd   uint8
		flags netlink.HeaderFlags
		attrs []netlink.Attribute
	}{
		{
			name: "add everything",
			call: func(c *Client) error {
				_, err := c.Add(brcmlink.AddRequest{Lower: "eth1", Port: 27, Name: "uplink", Queue: new(uint8(3)), TagEnforce: new(uint8(1)),
					Format: new(brcmlink.FormatOriginal), QueueFromPriority: new(true), VLAN: new(uint16(4094)), Up: true})
				return err
			},
			cmd: brcmlink.CmdPortNew, flags: req,
			attrs: []netlink.Attribute{
				attr(brcmlink.AttrIfname, str("uplink")),
				attr(brcmlink.AttrLowerIfname, str("eth1")),
				attr(brcmlink.AttrPort, u16(27)),
				attr(brcmlink.AttrQueue, []byte{3}),
				attr(brcmlink.AttrTagEnforce, []byte{1}),
				attr(brcmlink.AttrFormat, []byte{1}),
				attr(brcmlink.AttrQueueFromPrio, []byte{1}),
				attr(brcmlink.AttrVLAN, u16(4094)),
				attr(brcmlink.AttrAdminUp, []byte{1}),
			},
		},
		{
			name: "add defaults, lower by index, port 0",
			call: func(c *Client) error { _, err := c.Add(brcmlink.AddRequest{LowerIndex: 2}); return err },
			cmd:  brcmlink.CmdPortNew, flags: req,
			attrs: []netlink.Attribute{attr(brcmlink.AttrLowerIfindex, u32(2)), attr(brcmlink.AttrPort, u16(0))},
		},
		{
			name: "add explicit zeros",
			call: func(c *Client) error {
				_, err := c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 6, Queue: new(uint8(0)), TagEnforce: new(uint8(0)),
					Format: new(brcmlink.FormatBCM53242), QueueFromPriority: new(false), VLAN: new(uint16(0))})
				return err
			},
			cmd: brcmlink.CmdPortNew, flags: req,
			attrs: []netlink.Attribute{
				attr(brcmlink.AttrLowerIfname, str("eth0")),
				attr(brcmlink.AttrPort, u16(6)),
				attr(brcmlink.AttrQueue, []byte{0}),
				attr(brcmlink.AttrTagEnforce, []byte{0}),
				attr(brcmlink.AttrFormat, []byte{0}),
				attr(brcmlink.AttrQueueFromPrio, []byte{0}),
				attr(brcmlink.AttrVLAN, u16(0)),
			},
		},
		{
			name: "delete by name",
			call: func(c *Client) error { return c.Delete(brcmlink.ByName("eth0.p5")) },
			cmd:  brcmlink.CmdPortDel, flags: ack,
			attrs: []netlink.Attribute{attr(brcmlink.AttrIfname, str("eth0.p5"))},
		},
		{
			name: "delete by index",
			call: func(c *Client) error { return c.Delete(brcmlink.ByIndex(5)) },
			cmd:  brcmlink.CmdPortDel, flags: ack,
			attrs: []netlink.Attribute{attr(brcmlink.AttrIfindex, u32(5))},
		},
		{
			name: "delete by port",
			call: func(c *Client) error { return c.Delete(brcmlink.ByPort("eth0", 5)) },
			cmd:  brcmlink.CmdPortDel, flags: ack,
			attrs: []netlink.Attribute{attr(brcmlink.AttrLowerIfname, str("eth0")), attr(brcmlink.AttrPort, u16(5))},
		},
		{
			name: "delete port 0 by lower index",
			call: func(c *Client) error { return c.Delete(brcmlink.ByLowerIndexPort(2, 0)) },
			cmd:  brcmlink.CmdPortDel, flags: ack,
			attrs: []netlink.Attribute{attr(brcmlink.AttrLowerIfindex, u32(2)), attr(brcmlink.AttrPort, u16(0))},
		},
		{
			name: "set everything",
			call: func(c *Client) error {
				_, err := c.Set(brcmlink.ByName("eth0.p5"), brcmlink.SetRequest{Queue: new(uint8(3)), TagEnforce: new(uint8(0)),
					Format: new(brcmlink.FormatOriginal), QueueFromPriority: new(true), VLAN: new(uint16(7)), Up: new(false)})
				return err
			},
			cmd: brcmlink.CmdPortSet, flags: req,
			attrs: []netlink.Attribute{
				attr(brcmlink.AttrIfname, str("eth0.p5")),
				attr(brcmlink.AttrQueue, []byte{3}),
				attr(brcmlink.AttrTagEnforce, []byte{0}),
				attr(brcmlink.AttrFormat, []byte{1}),
				attr(brcmlink.AttrQueueFromPrio, []byte{1}),
				attr(brcmlink.AttrVLAN, u16(7)),
				attr(brcmlink.AttrAdminUp, []byte{0}),
			},
		},
		{
			name: "set up",
			call: func(c *Client) error {
				_, err := c.Set(brcmlink.ByPort("eth0", 5), brcmlink.SetRequest{Up: new(true)})
				return err
			},
			cmd: brcmlink.CmdPortSet, flags: req,
			attrs: []netlink.Attribute{
				attr(brcmlink.AttrLowerIfname, str("eth0")),
				attr(brcmlink.AttrPort, u16(5)),
				attr(brcmlink.AttrAdminUp, []byte{1}),
			},
		},
		{
			name: "set nothing",
			call: func(c *Client) error { _, err := c.Set(brcmlink.ByIndex(5), brcmlink.SetRequest{}); return err },
			cmd:  brcmlink.CmdPortSet, flags: req,
			attrs: []netlink.Attribute{attr(brcmlink.AttrIfindex, u32(5))},
		},
		{
			name: "get",
			call: func(c *Client) error { _, err := c.Get(brcmlink.ByPort("eth0", 5)); return err },
			cmd:  brcmlink.CmdPortGet, flags: req,
			attrs: []netlink.Attribute{attr(brcmlink.AttrLowerIfname, str("eth0")), attr(brcmlink.AttrPort, u16(5))},
		},
		{
			name: "list",
			call: func(c *Client) error { _, err := c.List(); return err },
			cmd:  brcmlink.CmdPortGet, flags: dump,
		},
		{
			name: "list lower",
			call: func(c *Client) error { _, err := c.ListLower("eth0"); return err },
			cmd:  brcmlink.CmdPortGet, flags: dump,
			attrs: []netlink.Attribute{attr(brcmlink.AttrLowerIfname, str("eth0"))},
		},
		{
			name: "list lower by index",
			call: func(c *Client) error { _, err := c.ListLowerByIndex(2); return err },
			cmd:  brcmlink.CmdPortGet, flags: dump,
			attrs: []netlink.Attribute{attr(brcmlink.AttrLowerIfindex, u32(2))},
		},
		{
			name: "lower",
			call: func(c *Client) error { _, err := c.Lower("eth0"); return err },
			cmd:  brcmlink.CmdLinkGet, flags: req,
			attrs: []netlink.Attribute{attr(brcmlink.AttrLowerIfname, str("eth0"))},
		},
		{
			name: "lower by index",
			call: func(c *Client) error { _, err := c.LowerByIndex(2); return err },
			cmd:  brcmlink.CmdLinkGet, flags: req,
			attrs: []netlink.Attribute{attr(brcmlink.AttrLowerIfindex, u32(2))},
		},
		{
			name: "lowers",
			call: func(c *Client) error { _, err := c.Lowers(); return err },
			cmd:  brcmlink.CmdLinkGet, flags: dump,
		},
		{
			name: "set lower format",
			call: func(c *Client) error { _, err := c.SetLowerFormat("eth0", brcmlink.FormatOriginal); return err },
			cmd:  brcmlink.CmdLinkSet, flags: req,
			attrs: []netlink.Attribute{attr(brcmlink.AttrLowerIfname, str("eth0")), attr(brcmlink.AttrFormat, []byte{1})},
		},
		{
			name: "set lower format by index",
			call: func(c *Client) error { _, err := c.SetLowerFormatByIndex(2, brcmlink.FormatBCM53242); return err },
			cmd:  brcmlink.CmdLinkSet, flags: req,
			attrs: []netlink.Attribute{attr(brcmlink.AttrLowerIfindex, u32(2)), attr(brcmlink.AttrFormat, []byte{0})},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var sent int
			c := testClient(t, genltest.CheckRequest(family.ID, tt.cmd, tt.flags,
				func(greq genetlink.Message, _ netlink.Message) ([]genetlink.Message, error) {
					sent++
					if greq.Header.Version != brcmlink.GenlVersion {
						t.Errorf("version %d, want %d", greq.Header.Version, brcmlink.GenlVersion)
					}
					attrs, err := netlink.UnmarshalAttributes(greq.Data)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(tt.attrs, attrs, cmpopts.IgnoreFields(netlink.Attribute{}, "Length"), cmpopts.EquateEmpty()); diff != "" {
						t.Errorf("attributes (-want +got):\n%s", diff)
					}
					switch tt.cmd {
					case brcmlink.CmdPortDel:
						return nil, genltest.Error(0) // the acknowledgement
					case brcmlink.CmdLinkGet, brcmlink.CmdLinkSet:
						return []genetlink.Message{reply(brcmlink.CmdLinkGet, encodeLowerMsg(t, eth0))}, nil
					}
					return []genetlink.Message{reply(brcmlink.CmdPortGet, encodePort(t, eth0p5, nil))}, nil
				}))
			if err := tt.call(c); err != nil {
				t.Fatal(err)
			}
			if sent != 1 {
				t.Errorf("sent %d requests, want 1", sent)
			}
		})
	}
}

// TestDecode checks what the methods make of the kernel's replies.
func TestDecode(t *testing.T) {
	for _, tt := range []struct {
		name    string
		port    brcmlink.Port // as encoded
		more    func(*netlink.AttributeEncoder)
		want    brcmlink.Port
		wantErr string
	}{
		{name: "lower here", port: eth0p5, want: eth0p5},
		{name: "lower in another netns", port: farP3, want: farP3},
		{name: "port 0 without stats", port: brcmlink.Port{Index: 6, Name: "eth0.p0", LowerIndex: 2, Lower: "eth0", OperState: brcmlink.OperLowerLayerDown}, want: brcmlink.Port{Index: 6, Name: "eth0.p0", LowerIndex: 2, Lower: "eth0", OperState: brcmlink.OperLowerLayerDown}},
		{
			name: "netnsid beside a lower name",
			port: eth0p5,
			more: func(ae *netlink.AttributeEncoder) { ae.Int32(brcmlink.AttrLinkNetnsid, 3) },
			want: func() brcmlink.Port { p := eth0p5; p.Lower, p.LowerNetNSID = "", new(int32(3)); return p }(),
		},
		{
			// NETNSA_NSID_NOT_ASSIGNED: the lower's netns is going away.
			name: "netnsid not assigned",
			port: func() brcmlink.Port { p := farP3; p.LowerNetNSID = new(int32(-1)); return p }(),
			want: func() brcmlink.Port { p := farP3; p.LowerNetNSID = new(int32(-1)); return p }(),
		},
		{
			name: "nested unknown attribute",
			port: eth0p5,
			more: func(ae *netlink.AttributeEncoder) {
				ae.Nested(unknownAttr+1, func(nae *netlink.AttributeEncoder) error { nae.Uint8(1, 1); return nil })
			},
			want: eth0p5,
		},
		{name: "no ifindex", port: brcmlink.Port{Name: "x", Port: 1}, wantErr: "genl: get x: kernel reported a port without its ifindex or switch port"},
		{
			name:    "short netnsid",
			port:    eth0p5,
			more:    func(ae *netlink.AttributeEncoder) { ae.Uint16(brcmlink.AttrLinkNetnsid, 3) },
			wantErr: "genl: get eth0.p5: kernel reported a malformed port: netlink: attribute 6 is not a int32; length: 2",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := testClient(t, func(genetlink.Message, netlink.Message) ([]genetlink.Message, error) {
				return []genetlink.Message{reply(brcmlink.CmdPortGet, encodePort(t, tt.port, tt.more))}, nil
			})
			got, err := c.Get(brcmlink.ByName(tt.port.Name))
			if tt.wantErr != "" {
				// Every reply the client cannot decode matches ErrMalformed.
				var oe *brcmlink.OpError
				if !errors.Is(err, brcmlink.ErrMalformed) || !errors.As(err, &oe) || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q, an *OpError matching ErrMalformed", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestDecodeMinimal checks a port with none of the optional attributes:
// the state is then UNKNOWN, as rtnetlink decodes a link without one.
func TestDecodeMinimal(t *testing.T) {
	ae := netlink.NewAttributeEncoder()
	ae.Uint32(brcmlink.AttrIfindex, 9)
	ae.Uint16(brcmlink.AttrPort, 0)
	p, err := parsePort(encode(t, ae))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(brcmlink.Port{Index: 9, OperState: brcmlink.OperUnknown}, p); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestList(t *testing.T) {
	c := testClient(t, func(genetlink.Message, netlink.Message) ([]genetlink.Message, error) {
		var msgs []genetlink.Message
		for _, p := range []brcmlink.Port{eth0p5, eth0p0, farP3} {
			msgs = append(msgs, reply(brcmlink.CmdPortGet, encodePort(t, p, nil)))
		}
		return msgs, nil
	})
	got, err := c.List()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]brcmlink.Port{eth0p5, eth0p0, farP3}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestLowers(t *testing.T) {
	eth1 := brcmlink.Lower{Index: 3, Name: "eth1", Ports: 1}
	c := testClient(t, func(greq genetlink.Message, nreq netlink.Message) ([]genetlink.Message, error) {
		if nreq.Header.Flags&netlink.Dump == 0 {
			return []genetlink.Message{reply(brcmlink.CmdLinkGet, encodeLowerMsg(t, eth0))}, nil
		}
		return []genetlink.Message{
			reply(brcmlink.CmdLinkGet, encodeLowerMsg(t, eth0)),
			reply(brcmlink.CmdLinkGet, encodeLowerMsg(t, eth1)),
		}, nil
	})
	l, err := c.Lower("eth0")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&eth0, l); diff != "" {
		t.Errorf("Lower (-want +got):\n%s", diff)
	}
	ls, err := c.Lowers()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]brcmlink.Lower{eth0, eth1}, ls); diff != "" {
		t.Errorf("Lowers (-want +got):\n%s", diff)
	}
}

// answer returns msgs as the kernel's answer to req: messages of the
// family with req's sequence and port id, as a multi-part dump if the
// request is one.
func answer(t *testing.T, req netlink.Message, flags []netlink.HeaderFlags, msgs ...genetlink.Message) []netlink.Message {
	t.Helper()
	var nms []netlink.Message
	for i, m := range msgs {
		b, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		h := netlink.Header{Type: netlink.HeaderType(family.ID), Sequence: req.Header.Sequence, PID: req.Header.PID}
		if i < len(flags) {
			h.Flags = flags[i]
		}
		nms = append(nms, netlink.Message{Header: h, Data: b})
	}
	if req.Header.Flags&netlink.Dump == 0 {
		return nms
	}
	done := netlink.Message{Header: netlink.Header{Sequence: req.Header.Sequence, PID: req.Header.PID}, Data: make([]byte, 4)}
	nms, _ = nltest.Multipart(append(nms, done))
	return nms
}

// TestDumpInParts checks a dump that arrives in several reads, as a
// real one of many ports does.
func TestDumpInParts(t *testing.T) {
	ports := []brcmlink.Port{eth0p5, eth0p0, farP3, eth0p5, eth0p0}
	c := rawClient(t, func(reqs []netlink.Message) ([]netlink.Message, error) {
		var msgs []genetlink.Message
		for _, p := range ports {
			msgs = append(msgs, reply(brcmlink.CmdPortGet, encodePort(t, p, nil)))
		}
		return answer(t, reqs[0], nil, msgs...), nil
	})
	got, err := c.List()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ports, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestDumpInterrupted checks that a dump the kernel marks NLM_F_DUMP_INTR
// is done again, and given up after dumpTries.
func TestDumpInterrupted(t *testing.T) {
	ports := func(c *Client) ([]string, error) {
		ps, err := c.List()
		var names []string
		for _, p := range ps {
			names = append(names, p.Name)
		}
		return names, err
	}
	lowers := func(c *Client) ([]string, error) {
		ls, err := c.Lowers()
		var names []string
		for _, l := range ls {
			names = append(names, l.Name)
		}
		return names, err
	}
	for _, tt := range []struct {
		name        string
		interrupted int // how many dumps in a row the kernel marks
		list        func(*Client) ([]string, error)
		want        []string
		wantErr     string
	}{
		{name: "ports once", interrupted: 1, list: ports, want: []string{"eth0.p5", "eth0.p0"}},
		{name: "ports up to the last try", interrupted: dumpTries - 1, list: ports, want: []string{"eth0.p5", "eth0.p0"}},
		{
			name: "ports always", interrupted: dumpTries, list: ports,
			wantErr: "genl: list: the ports kept changing: 5 dumps in a row were interrupted: interrupted system call",
		},
		{
			name: "lowers always", interrupted: dumpTries, list: lowers,
			wantErr: "genl: list: the lower devices kept changing: 5 dumps in a row were interrupted: interrupted system call",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var dumps int
			c := rawClient(t, func(reqs []netlink.Message) ([]netlink.Message, error) {
				var greq genetlink.Message
				if err := greq.UnmarshalBinary(reqs[0].Data); err != nil {
					t.Fatal(err)
				}
				dumps++
				// An interrupted dump may show a port twice: the
				// client must not return it.
				var flags []netlink.HeaderFlags
				second := eth0p0
				if dumps <= tt.interrupted {
					flags = []netlink.HeaderFlags{0, netlink.DumpInterrupted}
					second = eth0p5
				}
				if greq.Header.Command == brcmlink.CmdLinkGet {
					return answer(t, reqs[0], flags, reply(brcmlink.CmdLinkGet, encodeLowerMsg(t, eth0)), reply(brcmlink.CmdLinkGet, encodeLowerMsg(t, eth0))), nil
				}
				return answer(t, reqs[0], flags, reply(brcmlink.CmdPortGet, encodePort(t, eth0p5, nil)), reply(brcmlink.CmdPortGet, encodePort(t, second, nil))), nil
			})
			got, err := tt.list(c)
			if tt.wantErr != "" {
				if !errors.Is(err, syscall.EINTR) || err.Error() != tt.wantErr {
					t.Errorf("error %v, want %q (EINTR)", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if want := min(tt.interrupted+1, dumpTries); dumps != want {
				t.Errorf("%d dumps, want %d", dumps, want)
			}
		})
	}
}

// TestKernelErrors checks that the kernel's errno and extended-ack
// message come through, in the Error and for errors.Is.
func TestKernelErrors(t *testing.T) {
	for _, tt := range []struct {
		name  string
		errno syscall.Errno
		msg   string // the kernel's
		call  func(*Client) error
		is    error
		want  string
	}{
		{
			name: "port taken", errno: syscall.EEXIST, msg: "port 5 already exists on eth0 (eth0.p5)",
			call: func(c *Client) error { _, err := c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 5}); return err },
			is:   os.ErrExist,
			want: "genl: add eth0 port 5: port 5 already exists on eth0 (eth0.p5): file exists",
		},
		{
			name: "no device", errno: syscall.ENODEV, msg: "no device eth0.p9",
			call: func(c *Client) error { _, err := c.Get(brcmlink.ByName("eth0.p9")); return err },
			is:   os.ErrNotExist,
			want: "genl: get eth0.p9: no device eth0.p9: no such device",
		},
		{
			name: "not a port", errno: syscall.ENODEV, msg: "eth0 is not a brcm port",
			call: func(c *Client) error { return c.Delete(brcmlink.ByName("eth0")) },
			is:   os.ErrNotExist,
			want: "genl: delete eth0: eth0 is not a brcm port: no such device",
		},
		{
			name: "no lower", errno: syscall.ENODEV, msg: "lower device eth9 not found",
			call: func(c *Client) error { _, err := c.ListLower("eth9"); return err },
			is:   os.ErrNotExist,
			want: "genl: list eth9: lower device eth9 not found: no such device",
		},
		{
			name: "lower without ports", errno: syscall.ENODEV, msg: "eth1 has no brcm ports",
			call: func(c *Client) error { _, err := c.Lower("eth1"); return err },
			is:   os.ErrNotExist,
			want: "genl: get eth1: eth1 has no brcm ports: no such device",
		},
		{
			name: "unprivileged", errno: syscall.EPERM,
			call: func(c *Client) error { return c.Delete(brcmlink.ByIndex(5)) },
			is:   os.ErrPermission,
			want: "genl: delete ifindex 5: operation not permitted",
		},
		{
			name: "denied", errno: syscall.EACCES,
			call: func(c *Client) error {
				_, err := c.Set(brcmlink.ByIndex(5), brcmlink.SetRequest{Queue: new(uint8(1))})
				return err
			},
			is:   os.ErrPermission,
			want: "genl: set ifindex 5: permission denied",
		},
		{
			name: "lower down", errno: syscall.ENETDOWN, msg: "cannot bring eth0.p5 up (lower eth0 is down)",
			call: func(c *Client) error {
				_, err := c.Set(brcmlink.ByName("eth0.p5"), brcmlink.SetRequest{Up: new(true)})
				return err
			},
			is:   syscall.ENETDOWN,
			want: "genl: set eth0.p5: cannot bring eth0.p5 up (lower eth0 is down): network is down",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := rawClient(t, func(reqs []netlink.Message) ([]netlink.Message, error) {
				return []netlink.Message{nlfake.Nack(reqs[0], tt.errno, tt.msg)}, nil
			})
			err := tt.call(c)
			if !errors.Is(err, tt.is) || !errors.Is(err, tt.errno) {
				t.Errorf("errors.Is(%v, %v) or (%v) = false", err, tt.is, tt.errno)
			}
			var e *brcmlink.Error
			if !errors.As(err, &e) || e.Message != tt.msg || e.Err != tt.errno {
				t.Errorf("error %#v, want an *brcmlink.Error with errno %v and message %q", err, tt.errno, tt.msg)
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
	c := rawClient(t, func(reqs []netlink.Message) ([]netlink.Message, error) {
		return []netlink.Message{nlfake.NackAt(reqs[0], syscall.ERANGE, "integer out of range", 24)}, nil
	})
	_, err := c.Set(brcmlink.ByName("eth0.p5"), brcmlink.SetRequest{Up: new(true)})
	var e *brcmlink.Error
	var oe *netlink.OpError
	if !errors.As(err, &e) || e.Client != "genl" || e.Op != "set" || e.Err != syscall.ERANGE || e.Message != "integer out of range" {
		t.Fatalf("error %#v, want a *brcmlink.Error of genl's set with ERANGE and the kernel's message", err)
	}
	if !errors.As(err, &oe) || oe.Offset != 24 || e.Cause != oe {
		t.Errorf("error %v: the *netlink.OpError %#v, want it as the Cause with offset 24", err, oe)
	}
}

// TestTwoReplies checks that two answers to a request for one are a
// malformed reply.
func TestTwoReplies(t *testing.T) {
	c := testClient(t, func(genetlink.Message, netlink.Message) ([]genetlink.Message, error) {
		m := reply(brcmlink.CmdPortGet, encodePort(t, eth0p5, nil))
		return []genetlink.Message{m, m}, nil
	})
	_, err := c.Get(brcmlink.ByIndex(5))
	if !errors.Is(err, brcmlink.ErrMalformed) || err.Error() != "genl: get ifindex 5: kernel answered 2 messages for one" {
		t.Errorf("error %v, want ErrMalformed", err)
	}
}

// TestValidate checks that the client refuses what the kernel would,
// with the kernel's errno and wording, without sending anything.
func TestValidate(t *testing.T) {
	const long = "sixteen-bytes-xx" // one more than IFNAMSIZ - 1
	for _, tt := range []struct {
		call func(*Client) error
		want string
	}{
		{func(c *Client) error { _, err := c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 28}); return err },
			"genl: add eth0 port 28: port 28 out of range (0-27): numerical result out of range"},
		{func(c *Client) error {
			_, err := c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 1, Name: "p1", Queue: new(uint8(4))})
			return err
		}, "genl: add p1: queue 4 out of range (0-3): numerical result out of range"},
		{func(c *Client) error {
			_, err := c.Add(brcmlink.AddRequest{LowerIndex: 2, Port: 1, TagEnforce: new(uint8(9))})
			return err
		}, "genl: add ifindex 2 port 1: tag enforcement 9 out of range (0-3): numerical result out of range"},
		{func(c *Client) error { _, err := c.Add(brcmlink.AddRequest{Port: 1}); return err },
			"genl: add: no lower device: Lower is empty and LowerIndex is 0: invalid argument"},
		{func(c *Client) error {
			_, err := c.Add(brcmlink.AddRequest{Lower: "eth0", LowerIndex: 2, Port: 1})
			return err
		},
			"genl: add eth0 port 1: give the lower device by index (2) or by name (eth0), not both: invalid argument"},
		{func(c *Client) error { _, err := c.Add(brcmlink.AddRequest{LowerIndex: -2, Port: 1}); return err },
			"genl: add ifindex -2 port 1: lower ifindex -2 out of range: numerical result out of range"},
		{func(c *Client) error {
			_, err := c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 1, Name: long})
			return err
		},
			"genl: add " + long + ": device name " + long + " is longer than 15 bytes: invalid argument"},
		{func(c *Client) error { _, err := c.Add(brcmlink.AddRequest{Lower: long, Port: 1}); return err },
			"genl: add " + long + " port 1: lower device name " + long + " is longer than 15 bytes: invalid argument"},
		{func(c *Client) error { return c.Delete(brcmlink.Selector{}) },
			"genl: delete: no port selected: make the Selector with ByName, ByIndex, ByPort or ByLowerIndexPort: invalid argument"},
		{func(c *Client) error { return c.Delete(brcmlink.ByName("")) },
			"genl: delete: no port selected: make the Selector with ByName, ByIndex, ByPort or ByLowerIndexPort: invalid argument"},
		{func(c *Client) error { return c.Delete(brcmlink.ByIndex(0)) },
			"genl: delete: no port selected: make the Selector with ByName, ByIndex, ByPort or ByLowerIndexPort: invalid argument"},
		{func(c *Client) error { _, err := c.Get(brcmlink.ByPort("", 5)); return err },
			"genl: get: no lower device given: ByPort needs its name, ByLowerIndexPort its ifindex: invalid argument"},
		{func(c *Client) error { _, err := c.Get(brcmlink.ByLowerIndexPort(0, 5)); return err },
			"genl: get: no lower device given: ByPort needs its name, ByLowerIndexPort its ifindex: invalid argument"},
		{func(c *Client) error { _, err := c.Get(brcmlink.ByLowerIndexPort(-3, 5)); return err },
			"genl: get ifindex -3 port 5: lower ifindex -3 out of range: numerical result out of range"},
		{func(c *Client) error { _, err := c.Get(brcmlink.ByPort(long, 5)); return err },
			"genl: get " + long + " port 5: lower device name " + long + " is longer than 15 bytes: invalid argument"},
		{func(c *Client) error { _, err := c.Get(brcmlink.ByPort("eth0", 28)); return err },
			"genl: get eth0 port 28: port 28 out of range (0-27): numerical result out of range"},
		{func(c *Client) error { _, err := c.Get(brcmlink.ByIndex(-1)); return err },
			"genl: get ifindex -1: ifindex -1 out of range: numerical result out of range"},
		{func(c *Client) error { _, err := c.Get(brcmlink.ByName(long)); return err },
			"genl: get " + long + ": device name " + long + " is longer than 15 bytes: invalid argument"},
		{func(c *Client) error {
			_, err := c.Set(brcmlink.ByName("eth0.p5"), brcmlink.SetRequest{Queue: new(uint8(4))})
			return err
		},
			"genl: set eth0.p5: queue 4 out of range (0-3): numerical result out of range"},
		{func(c *Client) error {
			_, err := c.Set(brcmlink.ByName("eth0.p5"), brcmlink.SetRequest{TagEnforce: new(uint8(4))})
			return err
		},
			"genl: set eth0.p5: tag enforcement 4 out of range (0-3): numerical result out of range"},
		{func(c *Client) error {
			_, err := c.Set(brcmlink.Selector{}, brcmlink.SetRequest{Up: new(true)})
			return err
		},
			"genl: set: no port selected: make the Selector with ByName, ByIndex, ByPort or ByLowerIndexPort: invalid argument"},
		{func(c *Client) error { _, err := c.ListLower(""); return err },
			"genl: list: empty lower device name: invalid argument"},
		{func(c *Client) error { _, err := c.ListLowerByIndex(0); return err },
			"genl: list ifindex 0: lower ifindex 0 out of range: numerical result out of range"},
		{func(c *Client) error { _, err := c.Lower(long); return err },
			"genl: get " + long + ": lower device name " + long + " is longer than 15 bytes: invalid argument"},
		{func(c *Client) error { _, err := c.LowerByIndex(-1); return err },
			"genl: get ifindex -1: lower ifindex -1 out of range: numerical result out of range"},
		{func(c *Client) error {
			_, err := c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 1, Format: new(brcmlink.Format(2))})
			return err
		}, "genl: add eth0 port 1: tag format 2 unknown (0-1): numerical result out of range"},
		{func(c *Client) error {
			_, err := c.Add(brcmlink.AddRequest{Lower: "eth0", Port: 1, VLAN: new(uint16(4095))})
			return err
		}, "genl: add eth0 port 1: vlan 4095 out of range (0-4094): numerical result out of range"},
		{func(c *Client) error {
			_, err := c.Set(brcmlink.ByName("eth0.p5"), brcmlink.SetRequest{VLAN: new(uint16(65535))})
			return err
		}, "genl: set eth0.p5: vlan 65535 out of range (0-4094): numerical result out of range"},
		{func(c *Client) error {
			_, err := c.Set(brcmlink.ByName("eth0.p5"), brcmlink.SetRequest{Format: new(brcmlink.Format(255))})
			return err
		}, "genl: set eth0.p5: tag format 255 unknown (0-1): numerical result out of range"},
		{func(c *Client) error { _, err := c.SetLowerFormat("eth0", 2); return err },
			"genl: set eth0: tag format 2 unknown (0-1): numerical result out of range"},
		{func(c *Client) error { _, err := c.SetLowerFormat("", brcmlink.FormatOriginal); return err },
			"genl: set: empty lower device name: invalid argument"},
		{func(c *Client) error { _, err := c.SetLowerFormatByIndex(0, brcmlink.FormatOriginal); return err },
			"genl: set ifindex 0: lower ifindex 0 out of range: numerical result out of range"},
	} {
		var sent int
		c := testClient(t, func(genetlink.Message, netlink.Message) ([]genetlink.Message, error) {
			sent++
			return nil, genltest.Error(int(syscall.EIO))
		})
		err := tt.call(c)
		var e *brcmlink.Error
		if !errors.As(err, &e) || err.Error() != tt.want {
			t.Errorf("error %q, want %q", err, tt.want)
		}
		if sent != 0 {
			t.Errorf("%q: sent %d requests", tt.want, sent)
		}
	}
}

// TestFamilyNotFound checks the error without the brcm module: genetlink
// answers ENOENT for a family it does not know.
func TestFamilyNotFound(t *testing.T) {
	const hint = `no generic netlink family "brcm": not loaded, and the kernel could not load it (install the brcm-dkms package; modprobe brcm says why)`
	for _, tt := range []struct {
		name string
		conn *genetlink.Conn
		want string
	}{
		{
			name: "errno only",
			conn: genltest.Dial(func(genetlink.Message, netlink.Message) ([]genetlink.Message, error) {
				return nil, genltest.Error(int(syscall.ENOENT))
			}),
			want: "genl: " + hint + ": no such file or directory",
		},
		{
			name: "with the kernel's message",
			conn: genetlink.NewConn(nltest.Dial(func(reqs []netlink.Message) ([]netlink.Message, error) {
				return []netlink.Message{nlfake.Nack(reqs[0], syscall.ENOENT, "Unknown family")}, nil
			})),
			want: "genl: Unknown family: " + hint + ": no such file or directory",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer tt.conn.Close()
			_, err := open(tt.conn, nil)
			if !errors.Is(err, ErrNotLoaded) || !errors.Is(err, os.ErrNotExist) || err.Error() != tt.want {
				t.Errorf("error %q, want %q matching ErrNotLoaded and os.ErrNotExist", err, tt.want)
			}
			// As Dial returns it: annotated, still a sentinel.
			if err := pkg.Wrap("dial", "", err); !errors.Is(err, ErrNotLoaded) {
				t.Errorf("wrapped, %q does not match ErrNotLoaded", err)
			}
		})
	}
}

// TestDial dials the running kernel, which has no brcm module unless the
// host loaded one.
func TestDial(t *testing.T) {
	self, err := os.Open("/proc/self/ns/net")
	if err != nil {
		t.Skip(err)
	}
	defer self.Close()
	for _, opts := range [][]Option{nil, {WithNetNS(int(self.Fd()))}} {
		c, err := Dial(opts...)
		if err == nil {
			_ = c.Close()
			t.Skip("the brcm module is loaded")
		}
		if len(opts) > 0 && errors.Is(err, os.ErrPermission) {
			continue // entering a namespace, even one's own, needs CAP_SYS_ADMIN
		}
		if !errors.Is(err, ErrNotLoaded) || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "modprobe brcm") {
			t.Errorf("Dial: %v, want ErrNotLoaded, os.ErrNotExist and how to load the module", err)
		}
	}
}

func TestDialNetNSErrors(t *testing.T) {
	for _, tt := range []struct {
		opt  Option
		is   error
		want string
	}{
		{WithNetNSName("no-such-netns-here"), os.ErrNotExist,
			"genl: dial: network namespace no-such-netns-here: open /run/netns/no-such-netns-here: no such file or directory"},
		{WithNetNSName("../proc"), syscall.EINVAL,
			`genl: dial: invalid network namespace name "../proc": invalid argument`},
		{WithNetNSName(""), syscall.EINVAL,
			`genl: dial: invalid network namespace name "": invalid argument`},
		{WithNetNS(-1), syscall.EBADF,
			"genl: dial: network namespace fd -1: bad file descriptor"},
	} {
		_, err := Dial(tt.opt)
		if !errors.Is(err, tt.is) || err.Error() != tt.want {
			t.Errorf("error %q, want %q matching %v", err, tt.want, tt.is)
		}
		// A missing namespace is ENOENT too, but not the module's absence.
		if errors.Is(err, ErrNotLoaded) {
			t.Errorf("error %q matches ErrNotLoaded", err)
		}
	}
}
