// SPDX-License-Identifier: MIT

//go:build vmtest

package integration

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/genl"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/mdlayher/genetlink"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

func genlClient(t testing.TB, opts ...genl.Option) *genl.Client {
	t.Helper()
	c, err := genl.Dial(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// samePort compares two views of a port, counters included.
func samePort(t testing.TB, what string, got, want *brcmlink.Port) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v stats %+v\nwant %+v stats %+v", what, *got, got.Stats, *want, want.Stats)
	}
}

// TestGenlCommands drives every command of the family and checks each
// answer against what rtnetlink says about the same device.
func TestGenlCommands(t *testing.T) {
	lw, peer := name("gl"), name("gp")
	veth(t, lw, peer)
	g := genlClient(t)
	r := client(t)

	// Default name, default settings, down.
	p, err := g.Add(brcmlink.AddRequest{Lower: lw, Port: 5})
	if err != nil {
		t.Fatal(err)
	}
	def := lw + ".p5"
	t.Cleanup(func() { command("ip", "link", "del", def) })
	if p.Name != def || p.Port != 5 || p.Lower != lw || p.LowerIndex != ifindex(t, lw) || p.Up || p.MTU != 1500 {
		t.Errorf("Add returned %+v, want %s on %s port 5, down, MTU 1500", *p, def, lw)
	}
	rp, err := r.Get(brcmlink.ByName(def))
	if err != nil {
		t.Fatal(err)
	}
	samePort(t, "genl and rtnetlink views of "+def, p, rp)

	// rtlink names a port as genl does.
	rdef, err := r.Add(brcmlink.AddRequest{Lower: lw, Port: 6})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { command("ip", "link", "del", lw+".p6") })
	if rdef.Name != lw+".p6" {
		t.Errorf("rtlink named port 6 of %s %s, want %s.p6 as genl names it", lw, rdef.Name, lw)
	}
	if err := r.Delete(brcmlink.ByName(rdef.Name)); err != nil {
		t.Fatal(err)
	}

	// Given name and settings, up.
	q, te := uint8(3), uint8(2)
	named := name("gn")
	p, err = g.Add(brcmlink.AddRequest{LowerIndex: ifindex(t, lw), Port: 0, Name: named, Queue: &q, TagEnforce: &te, Up: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { command("ip", "link", "del", named) })
	if p.Name != named || p.Port != 0 || p.Queue != 3 || p.TagEnforce != 2 || !p.Up {
		t.Errorf("Add returned %+v, want %s port 0 queue 3 tag enforcement 2 up", *p, named)
	}
	eventually(t, named+" operationally up", func() bool {
		p, err := g.Get(brcmlink.ByName(named))
		return err == nil && p.OperState == brcmlink.OperUp
	})

	// Every selector finds the same port, and agrees with rtnetlink.
	rp, err = r.Get(brcmlink.ByName(named))
	if err != nil {
		t.Fatal(err)
	}
	for _, sel := range []brcmlink.Selector{brcmlink.ByName(named), brcmlink.ByIndex(ifindex(t, named)), brcmlink.ByPort(lw, 0),
		brcmlink.ByLowerIndexPort(ifindex(t, lw), 0)} {
		got, err := g.Get(sel)
		if err != nil {
			t.Fatalf("Get(%v): %v", sel, err)
		}
		samePort(t, fmt.Sprintf("Get(%v) against rtnetlink", sel), got, rp)
	}

	// Set: queue, tag enforcement and admin state; rtnetlink sees it.
	q, te, down := uint8(1), uint8(0), false
	p, err = g.Set(brcmlink.ByName(named), brcmlink.SetRequest{Queue: &q, TagEnforce: &te, Up: &down})
	if err != nil {
		t.Fatal(err)
	}
	if p.Queue != 1 || p.TagEnforce != 0 || p.Up {
		t.Errorf("Set returned %+v, want queue 1 tag enforcement 0 down", *p)
	}
	if rp, err = r.Get(brcmlink.ByName(named)); err != nil || rp.Queue != 1 || rp.TagEnforce != 0 || rp.Up {
		t.Errorf("rtnetlink after Set: %+v, %v", rp, err)
	}

	// Lists and the lower.
	all, err := g.List()
	if err != nil {
		t.Fatal(err)
	}
	rall, err := r.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(rall) {
		t.Errorf("genl lists %d ports, rtnetlink %d", len(all), len(rall))
	}
	on, err := g.ListLower(lw)
	if err != nil || len(on) != 2 {
		t.Errorf("ListLower(%s) = %d ports, %v; want 2", lw, len(on), err)
	}
	lower, err := g.Lower(lw)
	if err != nil {
		t.Fatal(err)
	}
	if lower.Name != lw || lower.Index != ifindex(t, lw) || lower.Ports != 2 {
		t.Errorf("Lower(%s) = %+v, want 2 ports", lw, *lower)
	}
	lowers, err := g.Lowers()
	if err != nil || !containsLower(lowers, lw) {
		t.Errorf("Lowers() = %+v, %v; want %s among them", lowers, err, lw)
	}

	// Delete by each selector; and across paths.
	third := name("gt")
	if _, err := r.Add(rtlinkReq(lw, 9, third)); err != nil {
		t.Fatal(err)
	}
	for _, sel := range []brcmlink.Selector{brcmlink.ByPort(lw, 5), brcmlink.ByName(named), brcmlink.ByIndex(ifindex(t, third))} {
		if err := g.Delete(sel); err != nil {
			t.Errorf("Delete(%v): %v", sel, err)
		}
	}
	for _, d := range []string{def, named, third} {
		if linkExists(d) {
			t.Errorf("%s survived its deletion", d)
		}
	}
	if _, err := g.Lower(lw); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Lower(%s) with no ports: %v, want not found", lw, err)
	}
	// A port genl made goes with ip link del.
	if _, err := g.Add(brcmlink.AddRequest{Lower: lw, Port: 1}); err != nil {
		t.Fatal(err)
	}
	sh(t, "ip", "link", "del", lw+".p1")
	if sysfsInt(t, lw, "mtu") != 1500 {
		t.Errorf("%s MTU not restored after its last port went", lw)
	}
}

func containsLower(ls []brcmlink.Lower, name string) bool {
	for _, l := range ls {
		if l.Name == name {
			return true
		}
	}
	return false
}

// rawGenl sends one request of the family as built by encode, bypassing
// the client's own checks, to reach the kernel's.
func rawGenl(t testing.TB, cmd uint8, encode func(ae *netlink.AttributeEncoder)) error {
	t.Helper()
	c, f := genlConn(t)
	if err := c.SetOption(netlink.ExtendedAcknowledge, true); err != nil {
		t.Fatal(err)
	}
	ae := netlink.NewAttributeEncoder()
	encode(ae)
	b, err := ae.Encode()
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Execute(genetlink.Message{
		Header: genetlink.Header{Command: cmd, Version: brcmlink.GenlVersion},
		Data:   b,
	}, f.ID, netlink.Request|netlink.Acknowledge)
	return err
}

// TestGenlRejections checks the kernel's answer to every bad request of
// the family, and that each leaves nothing behind.
func TestGenlRejections(t *testing.T) {
	lw, peer := name("rg"), name("rq")
	veth(t, lw, peer)
	long, longPeer := "lowernamelong1", name("rq")
	veth(t, long, longPeer)
	g := genlClient(t)
	taken, err := g.Add(brcmlink.AddRequest{Lower: lw, Port: 5})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { command("ip", "link", "del", taken.Name) })

	str := func(typ uint16, s string) func(ae *netlink.AttributeEncoder) {
		return func(ae *netlink.AttributeEncoder) { ae.String(typ, s) }
	}
	u16a := func(typ uint16, v uint16) func(ae *netlink.AttributeEncoder) {
		return func(ae *netlink.AttributeEncoder) { ae.Uint16(typ, v) }
	}
	u8a := func(typ uint16, v uint8) func(ae *netlink.AttributeEncoder) {
		return func(ae *netlink.AttributeEncoder) { ae.Uint8(typ, v) }
	}
	u32a := func(typ uint16, v uint32) func(ae *netlink.AttributeEncoder) {
		return func(ae *netlink.AttributeEncoder) { ae.Uint32(typ, v) }
	}
	flag := func(typ uint16) func(ae *netlink.AttributeEncoder) {
		return func(ae *netlink.AttributeEncoder) { ae.Flag(typ, true) }
	}
	list := func(entries ...func(ae *netlink.AttributeEncoder)) func(ae *netlink.AttributeEncoder) {
		return func(ae *netlink.AttributeEncoder) {
			ae.Nested(brcmlink.AttrIfindexList, func(nae *netlink.AttributeEncoder) error {
				for _, e := range entries {
					e(nae)
				}
				return nil
			})
		}
	}
	all := func(fs ...func(ae *netlink.AttributeEncoder)) func(ae *netlink.AttributeEncoder) {
		return func(ae *netlink.AttributeEncoder) {
			for _, f := range fs {
				f(ae)
			}
		}
	}
	sh(t, "ip", "link", "set", peer, "down")
	sh(t, "ip", "link", "set", lw, "down")
	t.Cleanup(func() { command("ip", "link", "set", lw, "up") })

	before := links(t)
	for _, tc := range []struct {
		what  string
		cmd   uint8
		attrs func(ae *netlink.AttributeEncoder)
		errno syscall.Errno
		msg   string
	}{
		{"new without a lower", brcmlink.CmdPortNew, u16a(brcmlink.AttrPort, 1), syscall.EINVAL, "lower device not given"},
		{"new without a port", brcmlink.CmdPortNew, str(brcmlink.AttrLowerIfname, lw), syscall.EINVAL, "switch port not given (BRCM_A_PORT)"},
		{"new on an unknown lower", brcmlink.CmdPortNew, all(str(brcmlink.AttrLowerIfname, "nosuchdev"), u16a(brcmlink.AttrPort, 1)),
			syscall.ENODEV, "lower device nosuchdev not found"},
		{"new on lower ifindex 999999", brcmlink.CmdPortNew, all(u32a(brcmlink.AttrLowerIfindex, 999999), u16a(brcmlink.AttrPort, 1)),
			syscall.ENODEV, "lower device ifindex 999999 not found"},
		{"new with lower by index and name", brcmlink.CmdPortNew,
			all(str(brcmlink.AttrLowerIfname, lw), u32a(brcmlink.AttrLowerIfindex, uint32(ifindex(t, lw))), u16a(brcmlink.AttrPort, 1)),
			syscall.EINVAL, "give the lower device by index or by name, not both"},
		{"new on loopback", brcmlink.CmdPortNew, all(str(brcmlink.AttrLowerIfname, "lo"), u16a(brcmlink.AttrPort, 1)),
			syscall.EINVAL, "lower device lo is not an Ethernet device (type 772)"},
		{"new port 28", brcmlink.CmdPortNew, all(str(brcmlink.AttrLowerIfname, lw), u16a(brcmlink.AttrPort, 28)),
			syscall.ERANGE, "port 28 out of range (0-27)"},
		{"new queue 4", brcmlink.CmdPortNew, all(str(brcmlink.AttrLowerIfname, lw), u16a(brcmlink.AttrPort, 1), u8a(brcmlink.AttrQueue, 4)),
			syscall.ERANGE, "queue 4 out of range (0-3)"},
		{"new tag enforcement 7", brcmlink.CmdPortNew, all(str(brcmlink.AttrLowerIfname, lw), u16a(brcmlink.AttrPort, 1), u8a(brcmlink.AttrTagEnforce, 7)),
			syscall.ERANGE, "tag enforcement 7 out of range (0-3)"},
		{"new port taken", brcmlink.CmdPortNew, all(str(brcmlink.AttrLowerIfname, lw), u16a(brcmlink.AttrPort, 5)),
			syscall.EEXIST, fmt.Sprintf("port 5 already exists on %s (%s)", lw, taken.Name)},
		{"new name too long", brcmlink.CmdPortNew, all(str(brcmlink.AttrLowerIfname, lw), u16a(brcmlink.AttrPort, 1), str(brcmlink.AttrIfname, "abcdefghijklmnop")),
			syscall.EINVAL, "device name abcdefghijklmnop is longer than 15 bytes"},
		{"new default name too long", brcmlink.CmdPortNew, all(str(brcmlink.AttrLowerIfname, long), u16a(brcmlink.AttrPort, 27)),
			syscall.EINVAL, "default name lowernamelong1.p27 is longer than 15 bytes: give a name"},
		{"new with an ifindex", brcmlink.CmdPortNew, all(str(brcmlink.AttrLowerIfname, lw), u16a(brcmlink.AttrPort, 1), u32a(brcmlink.AttrIfindex, 7)),
			syscall.EINVAL, "a new port has no ifindex yet"},
		{"new up on a down lower", brcmlink.CmdPortNew, all(str(brcmlink.AttrLowerIfname, lw), u16a(brcmlink.AttrPort, 2), u8a(brcmlink.AttrAdminUp, 1)),
			syscall.ENETDOWN, fmt.Sprintf("cannot bring %s.p2 up (lower %s is down)", lw, lw)},
		{"new with an output attribute", brcmlink.CmdPortNew, all(str(brcmlink.AttrLowerIfname, lw), u16a(brcmlink.AttrPort, 1), u32a(brcmlink.AttrMTU, 1400)),
			syscall.EINVAL, ""},
		{"del with no selector", brcmlink.CmdPortDel, func(*netlink.AttributeEncoder) {}, syscall.EINVAL, "no port given"},
		{"del with two selectors", brcmlink.CmdPortDel, all(str(brcmlink.AttrIfname, taken.Name), u32a(brcmlink.AttrIfindex, uint32(taken.Index))),
			syscall.EINVAL, "give one of ifindex, name, or lower and port, not several"},
		{"del a veth", brcmlink.CmdPortDel, str(brcmlink.AttrIfname, peer), syscall.ENODEV, peer + " is not a brcm port"},
		{"del an unknown name", brcmlink.CmdPortDel, str(brcmlink.AttrIfname, "nosuchdev"), syscall.ENODEV, "no device nosuchdev"},
		{"del an unknown ifindex", brcmlink.CmdPortDel, u32a(brcmlink.AttrIfindex, 999999), syscall.ENODEV, "no device with ifindex 999999"},
		{"del an unbound port", brcmlink.CmdPortDel, all(str(brcmlink.AttrLowerIfname, lw), u16a(brcmlink.AttrPort, 6)),
			syscall.ENODEV, fmt.Sprintf("no port 6 on %s", lw)},
		{"del by lower without a port", brcmlink.CmdPortDel, str(brcmlink.AttrLowerIfname, lw), syscall.EINVAL, "switch port not given"},
		{"del port 28 of a lower", brcmlink.CmdPortDel, all(str(brcmlink.AttrLowerIfname, lw), u16a(brcmlink.AttrPort, 28)),
			syscall.ERANGE, "port 28 out of range (0-27)"},
		{"del all with a port", brcmlink.CmdPortDel, all(str(brcmlink.AttrLowerIfname, lw), flag(brcmlink.AttrAll), u16a(brcmlink.AttrPort, 5)),
			syscall.EINVAL, "BRCM_A_ALL and _IFINDEX_LIST take no single port"},
		{"del all without a lower", brcmlink.CmdPortDel, flag(brcmlink.AttrAll), syscall.EINVAL, "lower device not given"},
		{"del all of an unknown lower", brcmlink.CmdPortDel, all(str(brcmlink.AttrLowerIfname, "nosuchdev"), flag(brcmlink.AttrAll)),
			syscall.ENODEV, "lower device nosuchdev not found"},
		{"del a list and a lower", brcmlink.CmdPortDel, all(str(brcmlink.AttrLowerIfname, lw), list(u32a(1, uint32(taken.Index)))),
			syscall.EINVAL, "BRCM_A_IFINDEX_LIST takes no lower and no BRCM_A_ALL"},
		{"del a list with a veth", brcmlink.CmdPortDel, list(u32a(1, uint32(taken.Index)), u32a(2, uint32(ifindex(t, peer)))),
			syscall.ENODEV, fmt.Sprintf("%s (ifindex %d) is not a brcm port", peer, ifindex(t, peer))},
		{"del a list with an unknown ifindex", brcmlink.CmdPortDel, list(u32a(1, uint32(taken.Index)), u32a(2, 999999)),
			syscall.ENODEV, "no device with ifindex 999999"},
		{"del a list with a port twice", brcmlink.CmdPortDel, list(u32a(1, uint32(taken.Index)), u32a(2, uint32(taken.Index))),
			syscall.EINVAL, fmt.Sprintf("ifindex %d is in the list twice", taken.Index)},
		{"del a list with a short entry", brcmlink.CmdPortDel, list(u16a(1, 5)), syscall.EINVAL, "an ifindex list entry is not a u32"},
		{"del a list with trailing bytes", brcmlink.CmdPortDel, func(ae *netlink.AttributeEncoder) {
			entry := binary.NativeEndian.AppendUint16(nil, 8)
			entry = binary.NativeEndian.AppendUint16(entry, 1)
			entry = binary.NativeEndian.AppendUint32(entry, uint32(taken.Index))
			ae.Bytes(brcmlink.AttrIfindexList|unix.NLA_F_NESTED, append(entry, 0, 0, 0))
		}, syscall.EINVAL, "3 bytes after the ifindex list's last entry"},
		{"get ifindex 0", brcmlink.CmdPortGet, u32a(brcmlink.AttrIfindex, 0), syscall.ENODEV, "no device with ifindex 0"},
		{"set queue 9", brcmlink.CmdPortSet, all(str(brcmlink.AttrIfname, taken.Name), u8a(brcmlink.AttrQueue, 9)),
			syscall.ERANGE, "queue 9 out of range (0-3)"},
		{"set another port", brcmlink.CmdPortSet, all(str(brcmlink.AttrIfname, taken.Name), u16a(brcmlink.AttrPort, 6)),
			syscall.EOPNOTSUPP, fmt.Sprintf("cannot change %s from port 5 to 6", taken.Name)},
		{"set another port and up", brcmlink.CmdPortSet, all(str(brcmlink.AttrIfname, taken.Name), u16a(brcmlink.AttrPort, 6), u8a(brcmlink.AttrAdminUp, 1)),
			syscall.EOPNOTSUPP, fmt.Sprintf("cannot change %s from port 5 to 6", taken.Name)},
		{"set up on a down lower", brcmlink.CmdPortSet, all(str(brcmlink.AttrIfname, taken.Name), u8a(brcmlink.AttrAdminUp, 1), u8a(brcmlink.AttrQueue, 2)),
			syscall.ENETDOWN, fmt.Sprintf("cannot bring %s up (lower %s is down)", taken.Name, lw)},
		{"set admin 2", brcmlink.CmdPortSet, all(str(brcmlink.AttrIfname, taken.Name), u8a(brcmlink.AttrAdminUp, 2)), syscall.ERANGE, ""},
		{"get by name with another port", brcmlink.CmdPortGet, all(str(brcmlink.AttrIfname, taken.Name), u16a(brcmlink.AttrPort, 7)),
			syscall.EINVAL, fmt.Sprintf("port 7 given, but %s is port 5", taken.Name)},
		{"del with a queue", brcmlink.CmdPortDel, all(str(brcmlink.AttrIfname, taken.Name), u8a(brcmlink.AttrQueue, 1)), syscall.EINVAL, ""},
		{"lower with no ports", brcmlink.CmdLinkGet, str(brcmlink.AttrLowerIfname, peer), syscall.ENODEV, peer + " has no brcm ports"},
		{"unknown command", 99, func(*netlink.AttributeEncoder) {}, syscall.EOPNOTSUPP, ""},
		{"unknown attribute", brcmlink.CmdPortGet, u32a(200, 1), syscall.EINVAL, ""},
		// Parsing keeps the last of a repeated attribute; a bad one before
		// it is refused all the same.
		{"get with a long name before a good one", brcmlink.CmdPortGet,
			all(str(brcmlink.AttrIfname, "xxxxxxxxxxxxxxxx"), str(brcmlink.AttrIfname, taken.Name)),
			syscall.EINVAL, "device name xxxxxxxxxxxxxxxx is longer than 15 bytes"},
		{"new with a long lower name before a good one", brcmlink.CmdPortNew,
			all(str(brcmlink.AttrLowerIfname, "yyyyyyyyyyyyyyyy"), str(brcmlink.AttrLowerIfname, peer), u16a(brcmlink.AttrPort, 9)),
			syscall.EINVAL, "lower device name yyyyyyyyyyyyyyyy is longer than 15 bytes"},
	} {
		t.Run(tc.what, func(t *testing.T) {
			err := rawGenl(t, tc.cmd, tc.attrs)
			wantKernelErr(t, err, tc.errno, tc.msg)
			if got := links(t); fmt.Sprint(got) != fmt.Sprint(before) {
				t.Errorf("devices changed: before %v, after %v", before, got)
			}
		})
	}
	// The refused set changed nothing, not even the queue.
	p, err := g.Get(brcmlink.ByName(taken.Name))
	if err != nil || p.Queue != 0 || p.Up {
		t.Errorf("after refused sets: %+v, %v; want queue 0, down", p, err)
	}
	if _, err := g.Lower(long); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("refused default name left a group on %s: %v", long, err)
	}
	if sysfsInt(t, long, "mtu") != 1500 {
		t.Errorf("refused first port left %s MTU raised", long)
	}

	// A refused change of port takes the admin state with it.
	sh(t, "ip", "link", "set", lw, "up")
	sh(t, "ip", "link", "set", taken.Name, "up")
	err = rawGenl(t, brcmlink.CmdPortSet, all(str(brcmlink.AttrIfname, taken.Name), u8a(brcmlink.AttrAdminUp, 0), u16a(brcmlink.AttrPort, 6)))
	wantKernelErr(t, err, syscall.EOPNOTSUPP, fmt.Sprintf("cannot change %s from port 5 to 6", taken.Name))
	if p, err := g.Get(brcmlink.ByName(taken.Name)); err != nil || !p.Up || p.Port != 5 {
		t.Errorf("after a refused set of port and down: %+v, %v; want port 5, up", p, err)
	}
}

// TestGenlMany creates ports many to a request and deletes them many to
// a request, as apply does: AddMany makes what it can and says what it
// could not; DeleteMany and DeleteAll delete exactly the ports they name,
// each with its event, and put a lower back as it was without ports.
func TestGenlMany(t *testing.T) {
	g := genlClient(t)
	l1, p1, l2, p2 := name("ma"), name("mb"), name("mc"), name("md")
	veth(t, l1, p1)
	veth(t, l2, p2)
	sh(t, "ip", "link", "set", l2, "mtu", "1400")
	taken, err := g.Add(brcmlink.AddRequest{Lower: l2, Port: 7, Name: name("mt")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { command("ip", "link", "del", taken.Name) })

	// 28 ports on l1 and 12 on l2: two datagrams of requests, one of
	// them refused in the middle of the second.
	var reqs []brcmlink.AddRequest
	for port := range uint16(28) {
		reqs = append(reqs, brcmlink.AddRequest{Lower: l1, Port: port, Queue: new(uint8(port % 4)), Up: port%2 == 0})
	}
	for port := range uint16(12) {
		reqs = append(reqs, brcmlink.AddRequest{Lower: l2, Port: port + 1, Name: fmt.Sprintf("%sq%d", l2, port+1)})
	}
	refused := 28 + 6 // port 7 of l2
	ports, err := g.AddMany(reqs)
	wantErr(t, err, os.ErrExist, fmt.Sprintf("port 7 already exists on %s (%s)", l2, taken.Name))
	if len(ports) != len(reqs) {
		t.Fatalf("AddMany returned %d ports for %d requests", len(ports), len(reqs))
	}
	var made []int
	for i, p := range ports {
		if i == refused {
			if p != nil {
				t.Errorf("request %d was refused, but AddMany returned %+v", i, p)
			}
			continue
		}
		if p == nil {
			t.Fatalf("request %d (%+v): no port", i, reqs[i])
		}
		t.Cleanup(func() { command("ip", "link", "del", p.Name) })
		made = append(made, p.Index)
		got, err := g.Get(brcmlink.ByIndex(p.Index))
		if err != nil {
			t.Fatal(err)
		}
		// The carrier of a port made up comes a moment later, from the
		// kernel's link watch: slow kernels answer before it.
		reply, now := *p, *got
		for _, q := range []*brcmlink.Port{&reply, &now} {
			q.OperState, q.Flags = 0, q.Flags&^(unix.IFF_RUNNING|unix.IFF_LOWER_UP)
		}
		samePort(t, fmt.Sprintf("request %d", i), &reply, &now)
		r := reqs[i]
		if got.Lower != r.Lower || got.Port != r.Port || got.Up != r.Up || r.Queue != nil && got.Queue != *r.Queue || r.Name != "" && got.Name != r.Name {
			t.Errorf("request %d: %+v made %+v", i, r, got)
		}
	}
	if len(made) != 39 {
		t.Fatalf("%d ports made, want 39", len(made))
	}

	events, err := g.Watch(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// Two of l1's and all of l2's made, with the one made by hand kept.
	some := append([]int{made[3], made[10]}, made[28:]...)
	if err := g.DeleteMany(some); err != nil {
		t.Fatal(err)
	}
	gone := map[int]bool{}
	timeout := time.After(10 * time.Second)
	for len(gone) < len(some) {
		select {
		case ev := <-events:
			switch ev.Kind {
			case genl.Deleted:
				gone[ev.Port.Index] = true
			case genl.Changed: // going down on the way out
			default:
				t.Fatalf("event %+v while deleting", ev)
			}
		case <-timeout:
			t.Fatalf("%d deletion events, want %d", len(gone), len(some))
		}
	}
	for _, i := range some {
		if !gone[i] {
			t.Errorf("no deletion event for ifindex %d", i)
		}
		if _, err := g.Get(brcmlink.ByIndex(i)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("ifindex %d after DeleteMany: %v", i, err)
		}
	}
	left, err := g.ListLower(l2)
	if err != nil || len(left) != 1 || left[0].Name != taken.Name {
		t.Errorf("%s after DeleteMany: %+v, %v; want only %s", l2, left, err, taken.Name)
	}

	// The rest of l1 at once: 26 ports, and the lower as it was.
	n, err := g.DeleteAll(l1)
	if err != nil || n != 26 {
		t.Fatalf("DeleteAll(%s) = %d, %v; want 26", l1, n, err)
	}
	if ps, err := g.ListLower(l1); err != nil || len(ps) != 0 {
		t.Errorf("%s after DeleteAll: %+v, %v", l1, ps, err)
	}
	if _, err := g.Lower(l1); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s still has a group after DeleteAll: %v", l1, err)
	}
	if n, err := g.DeleteAll(l1); err != nil || n != 0 {
		t.Errorf("DeleteAll of a lower without ports = %d, %v; want 0", n, err)
	}
	n, err = g.DeleteAll(l2)
	if err != nil || n != 1 || linkExists(taken.Name) {
		t.Errorf("DeleteAll(%s) = %d, %v; want 1, and %s gone", l2, n, err, taken.Name)
	}
	if mtu := sysfsInt(t, l2, "mtu"); mtu != 1400 {
		t.Errorf("%s MTU after its ports went: %d, want 1400 as before", l2, mtu)
	}
}

// TestGenlLibraryErrors checks what a Go user gets for the common mistakes.
func TestGenlLibraryErrors(t *testing.T) {
	g := genlClient(t)
	lw, p := portOnNewLower(t, g, "e", 3)
	_, err := g.Add(brcmlink.AddRequest{Lower: lw, Port: 3, Name: name("x")})
	wantErr(t, err, os.ErrExist, fmt.Sprintf("port 3 already exists on %s (%s)", lw, p.Name))
	_, err = g.Get(brcmlink.ByName("nosuchdev"))
	wantErr(t, err, os.ErrNotExist, "no device nosuchdev")
	_, err = g.Add(brcmlink.AddRequest{Lower: lw, Port: 40})
	wantErr(t, err, syscall.ERANGE, "port 40 out of range (0-27)")
}

// recvEvent waits for the next event for dev of the given kind, skipping
// others (changes come in bursts: admin state, then carrier).
func recvEvent(t testing.TB, ch <-chan genl.Event, kind genl.EventKind, dev string) genl.Event {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("watch ended waiting for %v %s", kind, dev)
			}
			if ev.Kind == genl.Lost {
				t.Fatalf("events lost: %v", ev.Err)
			}
			if ev.Kind == kind && ev.Port.Name == dev {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %v event for %s", kind, dev)
		}
	}
}

// TestGenlEvents watches the monitor group while ports are created,
// changed and deleted by every path there is.
func TestGenlEvents(t *testing.T) {
	lw, peer := name("vl"), name("vp")
	veth(t, lw, peer)
	g := genlClient(t)
	r := client(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := g.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}

	a := name("va")
	if _, err := r.Add(rtlinkReq(lw, 1, a)); err != nil {
		t.Fatal(err)
	}
	if ev := recvEvent(t, ch, genl.Created, a); ev.Port.Port != 1 || ev.Port.Lower != lw {
		t.Errorf("created event %+v, want port 1 on %s", ev.Port, lw)
	}
	b := lw + ".p2"
	if _, err := g.Add(brcmlink.AddRequest{Lower: lw, Port: 2}); err != nil {
		t.Fatal(err)
	}
	recvEvent(t, ch, genl.Created, b)

	q := uint8(3)
	if _, err := g.Set(brcmlink.ByName(b), brcmlink.SetRequest{Queue: &q}); err != nil {
		t.Fatal(err)
	}
	if ev := recvEvent(t, ch, genl.Changed, b); ev.Port.Queue != 3 {
		t.Errorf("changed event %+v, want queue 3", ev.Port)
	}
	if _, err := r.Set(brcmlink.ByName(a), brcmlink.SetRequest{Queue: &q}); err != nil {
		t.Fatal(err)
	}
	recvEvent(t, ch, genl.Changed, a)
	sh(t, "ip", "link", "set", a, "up")
	if ev := recvEvent(t, ch, genl.Changed, a); !ev.Port.Up {
		t.Errorf("changed event after up: %+v", ev.Port)
	}
	sh(t, "ip", "link", "set", peer, "down") // carrier goes
	for {
		if ev := recvEvent(t, ch, genl.Changed, a); ev.Port.OperState == brcmlink.OperLowerLayerDown {
			break
		}
	}
	sh(t, "ip", "link", "set", a, "mtu", "1400")
	if ev := recvEvent(t, ch, genl.Changed, a); ev.Port.MTU != 1400 {
		t.Errorf("changed event after mtu: %+v", ev.Port)
	}

	if err := g.Delete(brcmlink.ByName(b)); err != nil {
		t.Fatal(err)
	}
	recvEvent(t, ch, genl.Deleted, b)
	c := name("vc")
	if _, err := g.Add(brcmlink.AddRequest{Lower: lw, Port: 3, Name: c}); err != nil {
		t.Fatal(err)
	}
	recvEvent(t, ch, genl.Created, c)

	// Moving a port away is a delete here and a create there.
	ns := name("vn")
	netns(t, ns)
	gns, err := genl.Dial(genl.WithNetNSName(ns))
	if err != nil {
		t.Fatal(err)
	}
	defer gns.Close()
	chns, err := gns.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sh(t, "ip", "link", "set", c, "netns", ns)
	recvEvent(t, ch, genl.Deleted, c)
	if ev := recvEvent(t, chns, genl.Created, c); ev.Port.Port != 3 {
		t.Errorf("created event in %s: %+v, want port 3", ns, ev.Port)
	}
	sh(t, "ip", "-n", ns, "link", "set", c, "netns", "1")
	recvEvent(t, chns, genl.Deleted, c)
	recvEvent(t, ch, genl.Created, c)

	sh(t, "ip", "link", "del", lw) // the lower goes: both ports go
	recvEvent(t, ch, genl.Deleted, a)
	recvEvent(t, ch, genl.Deleted, c)

	// Unloading the module deletes what is left, and says so.
	lw2, peer2 := name("vl"), name("vp")
	veth(t, lw2, peer2)
	d := name("vd")
	if _, err := g.Add(brcmlink.AddRequest{Lower: lw2, Port: 4, Name: d}); err != nil {
		t.Fatal(err)
	}
	recvEvent(t, ch, genl.Created, d)
	sh(t, "rmmod", "brcm")
	t.Cleanup(func() {
		if err := loadModule(); err != nil {
			t.Fatal(err)
		}
	})
	recvEvent(t, ch, genl.Deleted, d)
	cancel()
	for range ch {
	}
	if err := loadModule(); err != nil {
		t.Fatal(err)
	}
}

// watchView reads events from ch into view (by name) until a Synced one
// that follows a Lost one if lostFirst, or the first Synced otherwise,
// and returns the errors of the Lost events seen.
func watchView(t *testing.T, ch <-chan genl.Event, view map[string]brcmlink.Port, lostFirst bool) []error {
	t.Helper()
	var lost []error
	var listed map[string]brcmlink.Port
	timeout := time.After(20 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("watch ended; lost %v", lost)
			}
			switch ev.Kind {
			case genl.Lost:
				lost = append(lost, ev.Err)
			case genl.Existing:
				if listed == nil {
					listed = map[string]brcmlink.Port{}
				}
				listed[ev.Port.Name] = ev.Port
			case genl.Synced:
				clear(view)
				maps.Copy(view, listed)
				listed = nil
				if !lostFirst || len(lost) > 0 {
					return lost
				}
			case genl.Created, genl.Changed:
				view[ev.Port.Name] = ev.Port
			case genl.Deleted:
				delete(view, ev.Port.Name)
			}
		case <-timeout:
			t.Fatalf("no Synced event in 20s; lost %v", lost)
		}
	}
}

// sameView fails the test unless view holds the ports List returns, with
// their settings.
func sameView(t *testing.T, g *genl.Client, view map[string]brcmlink.Port) {
	t.Helper()
	ports, err := g.List()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]brcmlink.Port{}
	for _, p := range ports {
		want[p.Name] = p
	}
	if diff := cmp.Diff(want, view, cmpopts.IgnoreFields(brcmlink.Port{}, "Stats")); diff != "" {
		t.Errorf("the watch's view is not the listing (-list +view):\n%s", diff)
	}
}

// TestGenlWatchExisting checks that a watch with WatchExisting starts
// from the ports of its namespace and no other, then follows changes; and
// that a watch whose socket overruns says so with ErrOverrun and lists
// the ports again, so that its view is whole afterwards.
func TestGenlWatchExisting(t *testing.T) {
	lw, peer := name("wl"), name("wp")
	veth(t, lw, peer)
	g := genlClient(t)
	a, b, away := name("wa"), name("wb"), name("ww")
	for i, n := range []string{a, b, away} {
		if _, err := g.Add(brcmlink.AddRequest{Lower: lw, Port: uint16(i + 1), Name: n}); err != nil {
			t.Fatal(err)
		}
	}
	ns := name("wn")
	netns(t, ns)
	sh(t, "ip", "link", "set", away, "netns", ns)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := g.Watch(ctx, genl.WatchExisting())
	if err != nil {
		t.Fatal(err)
	}
	view := map[string]brcmlink.Port{}
	if lost := watchView(t, ch, view, false); lost != nil {
		t.Fatalf("events lost: %v", lost)
	}
	if _, ok := view[away]; ok {
		t.Errorf("the listing shows %s, which is in netns %s", away, ns)
	}
	if view[a].Port != 1 || view[b].Port != 2 {
		t.Errorf("the listing shows %s as %+v and %s as %+v, want ports 1 and 2", a, view[a], b, view[b])
	}
	sameView(t, g, view)
	c := name("wc")
	if _, err := g.Add(brcmlink.AddRequest{Lower: lw, Port: 4, Name: c}); err != nil {
		t.Fatal(err)
	}
	if ev := recvEvent(t, ch, genl.Created, c); ev.Port.Port != 4 {
		t.Errorf("created event %+v, want port 4", ev.Port)
	}

	// A socket with the smallest buffer the kernel allows, and nobody
	// reading: a burst of changes overruns it.
	over, err := g.Watch(ctx, genl.WatchExisting(), genl.WatchReadBuffer(1))
	if err != nil {
		t.Fatal(err)
	}
	small := map[string]brcmlink.Port{}
	if lost := watchView(t, over, small, false); lost != nil {
		t.Fatalf("events lost before the burst: %v", lost)
	}
	for i := range 64 {
		q := uint8(i % 4)
		if _, err := g.Set(brcmlink.ByName(a), brcmlink.SetRequest{Queue: &q}); err != nil {
			t.Fatal(err)
		}
	}
	sh(t, "ip", "link", "del", b)
	lost := watchView(t, over, small, true)
	for _, err := range lost {
		if !errors.Is(err, genl.ErrOverrun) || !errors.Is(err, syscall.ENOBUFS) {
			t.Errorf("lost events: %v, want ErrOverrun and ENOBUFS", err)
		}
	}
	if _, ok := small[b]; ok {
		t.Errorf("%s deleted during the overrun is still in the view", b)
	}
	if small[a].Queue != 3 {
		t.Errorf("%s has queue %d in the view, want the last set, 3", a, small[a].Queue)
	}
	sameView(t, g, small)
}

// TestGenlDumpAtScale creates 2,000 ports over 80 lowers and checks that
// a dump returns each exactly once, as rtnetlink lists them.
func TestGenlDumpAtScale(t *testing.T) {
	const lowers, perLower = 80, 25
	g := genlClient(t)
	want := make(map[string]bool)
	for i := 0; i < lowers; i++ {
		lw, peer := fmt.Sprintf("sl%d", i), fmt.Sprintf("sp%d", i)
		veth(t, lw, peer)
		for p := uint16(1); p <= perLower; p++ {
			port, err := g.Add(brcmlink.AddRequest{Lower: lw, Port: p})
			if err != nil {
				t.Fatal(err)
			}
			want[port.Name] = true
		}
	}
	ports, err := g.List()
	if err != nil {
		t.Fatal(err)
	}
	seen := make(map[string]int)
	for _, p := range ports {
		seen[p.Name]++
	}
	for n := range want {
		if seen[n] != 1 {
			t.Errorf("%s listed %d times", n, seen[n])
		}
	}
	if len(ports) != len(want) {
		t.Errorf("dump returned %d ports, want %d", len(ports), len(want))
	}
	rports, err := client(t).List()
	if err != nil || len(rports) != len(ports) {
		t.Errorf("rtnetlink lists %d ports (%v), genl %d", len(rports), err, len(ports))
	}
	ls, err := g.Lowers()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range ls {
		if strings.HasPrefix(l.Name, "sl") {
			n++
			if l.Ports != perLower {
				t.Errorf("%s has %d ports, want %d", l.Name, l.Ports, perLower)
			}
		}
	}
	if n != lowers {
		t.Errorf("Lowers() lists %d of the %d lowers", n, lowers)
	}
}

// TestGenlSharedClient uses one Client from many goroutines at once, as
// a daemon would: every reply must answer its own request.
func TestGenlSharedClient(t *testing.T) {
	const workers, rounds = 8, 20
	g := genlClient(t)
	var lws []string
	for i := 0; i < workers; i++ {
		lw, peer := name("gl"), name("gp")
		veth(t, lw, peer)
		lws = append(lws, lw)
	}
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w, lw := range lws {
		wg.Go(func() {
			for r := 0; r < rounds; r++ {
				port := uint16(r%27 + 1)
				q := uint8(w % 4)
				p, err := g.Add(brcmlink.AddRequest{Lower: lw, Port: port, Queue: &q})
				if err != nil {
					errs <- err
					return
				}
				want := fmt.Sprintf("%s.p%d", lw, port)
				if p.Name != want || p.Lower != lw || p.Port != port || p.Queue != q {
					errs <- fmt.Errorf("add %s port %d queue %d answered %+v", lw, port, q, *p)
					return
				}
				if got, err := g.Get(brcmlink.ByPort(lw, port)); err != nil || got.Index != p.Index {
					errs <- fmt.Errorf("get %s port %d: %+v, %v; want ifindex %d", lw, port, got, err, p.Index)
					return
				}
				if ps, err := g.ListLower(lw); err != nil || len(ps) != 1 || ps[0].Name != want {
					errs <- fmt.Errorf("list %s: %+v, %v; want only %s", lw, ps, err, want)
					return
				}
				if err := g.Delete(brcmlink.ByName(want)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, p := range must(g.List()) {
		if slices.Contains(lws, p.Lower) {
			t.Errorf("%s is left on %s", p.Name, p.Lower)
		}
	}
}
