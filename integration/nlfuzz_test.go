// SPDX-License-Identifier: MIT

//go:build vmtest

package integration

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/brcmlink/brcmlink"
	"github.com/mdlayher/genetlink"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

var (
	genlMessages = flag.Int("genl-messages", 20000, "messages TestGenlFuzz sends")
	// Fewer: a quarter of them create a device, which costs an RCU grace
	// period or two to delete again.
	rtnlMessages = flag.Int("rtnl-messages", 4000, "messages TestRtnlFuzz sends")
)

// fuzzAttr is one attribute of a fuzzed request, and whether the
// kernel's validation must refuse it.
type fuzzAttr struct {
	typ  uint16
	data []byte
	bad  bool
}

// Input attributes of the family: their payload sizes (0 for strings)
// and largest valid value.
var genlInputs = map[uint16]struct {
	size int
	max  uint64
	min  uint64
}{
	brcmlink.AttrIfindex:       {4, 1<<32 - 1, 1},
	brcmlink.AttrIfname:        {0, 0, 0},
	brcmlink.AttrLowerIfindex:  {4, 1<<32 - 1, 1},
	brcmlink.AttrLowerIfname:   {0, 0, 0},
	brcmlink.AttrPort:          {2, brcmlink.PortMax, 0},
	brcmlink.AttrQueue:         {1, brcmlink.QueueMax, 0},
	brcmlink.AttrTagEnforce:    {1, brcmlink.TagEnforceMax, 0},
	brcmlink.AttrAdminUp:       {1, 1, 0},
	brcmlink.AttrFormat:        {1, uint64(brcmlink.FormatMax), 0},
	brcmlink.AttrQueueFromPrio: {1, 1, 0},
	brcmlink.AttrVLAN:          {2, brcmlink.VLANMax, 0},
}

// fuzzGenlAttr returns a random attribute, valid or not, drawing names
// from the devices that exist so that some requests reach them.
func fuzzGenlAttr(rng *rand.Rand, names []string) fuzzAttr {
	typ := uint16(rng.IntN(brcmlink.AttrMax + 3))
	in, ok := genlInputs[typ]
	if !ok { // unspec, output-only or unknown: refused by strict validation
		return fuzzAttr{typ: typ, data: randBytes(rng, rng.IntN(12)), bad: true}
	}
	if in.size == 0 {
		switch rng.IntN(5) {
		case 0: // too long
			return fuzzAttr{typ: typ, data: append([]byte(strings.Repeat("x", 16+rng.IntN(300))), 0), bad: true}
		case 1: // not NUL-terminated
			return fuzzAttr{typ: typ, data: []byte(names[rng.IntN(len(names))]), bad: true}
		default:
			return fuzzAttr{typ: typ, data: append([]byte(names[rng.IntN(len(names))]), 0)}
		}
	}
	if rng.IntN(6) == 0 { // wrong size
		n := rng.IntN(9)
		for n == in.size {
			n = rng.IntN(9)
		}
		return fuzzAttr{typ: typ, data: randBytes(rng, n), bad: true}
	}
	v := rng.Uint64N(in.max + 3)
	if in.size == 4 && rng.IntN(2) == 0 {
		v = uint64(rng.IntN(200)) // a plausible ifindex
	}
	b := make([]byte, in.size)
	switch in.size {
	case 1:
		b[0] = byte(v)
	case 2:
		b[0], b[1] = byte(v), byte(v>>8)
	case 4:
		b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	mask := uint64(1)<<(8*in.size) - 1
	v &= mask
	// The module checks port, queue and tag enforcement with a message
	// naming the value, the policy the admin flag; ifindex 0 names no
	// device: all are refused.
	return fuzzAttr{typ: typ, data: b, bad: v > in.max || v < in.min}
}

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	return b
}

// genlTakes returns the attributes a command takes (its policy), and
// false for a command, or a dump, the family does not have.
func genlTakes(cmd uint8, dump bool) (map[uint16]bool, bool) {
	lower := []uint16{brcmlink.AttrLowerIfindex, brcmlink.AttrLowerIfname}
	selector := append([]uint16{brcmlink.AttrIfindex, brcmlink.AttrIfname, brcmlink.AttrPort}, lower...)
	var takes []uint16
	switch {
	case (cmd == brcmlink.CmdPortNew || cmd == brcmlink.CmdPortSet) && !dump:
		takes = append(selector, brcmlink.AttrQueue, brcmlink.AttrTagEnforce, brcmlink.AttrAdminUp,
			brcmlink.AttrFormat, brcmlink.AttrQueueFromPrio, brcmlink.AttrVLAN)
	case cmd == brcmlink.CmdPortDel && !dump, cmd == brcmlink.CmdPortGet && !dump:
		takes = selector
	case cmd == brcmlink.CmdPortGet, cmd == brcmlink.CmdLinkGet && !dump:
		takes = lower
	case cmd == brcmlink.CmdLinkGet:
	case cmd == brcmlink.CmdLinkSet && !dump:
		takes = append(lower, brcmlink.AttrFormat)
	default:
		return nil, false
	}
	m := make(map[uint16]bool)
	for _, a := range takes {
		m[a] = true
	}
	return m, true
}

// TestGenlFuzz sends random well-formed and malformed requests of the
// family. Every malformed one must be refused; whatever the well-formed
// ones did is undone at the end, and the ports and devices must be back
// as they were.
func TestGenlFuzz(t *testing.T) {
	rng := fuzzRand(t, 0x67656e6c)

	var lowers []string
	for i := 0; i < 2; i++ {
		lw, peer := name("zl"), name("zp")
		veth(t, lw, peer)
		lowers = append(lowers, lw)
	}
	g := genlClient(t)
	baseline := len(must(g.List()))
	devices := len(links(t))
	names := append([]string{"lo", "nosuchdev", strings.Repeat("y", 15)}, lowers...)
	for p := 1; p <= 5; p++ {
		names = append(names, fmt.Sprintf("%s.p%d", lowers[0], p))
	}

	c, f := genlConn(t)

	var accepted, refused, refusedBad int
	for i := 0; i < *genlMessages; i++ {
		cmd := uint8(rng.IntN(brcmlink.CmdMax + 3))
		flags := netlink.Request | netlink.Acknowledge
		dump := rng.IntN(4) == 0
		if dump {
			flags |= netlink.Dump
		}
		takes, known := genlTakes(cmd, dump)
		ae := netlink.NewAttributeEncoder()
		bad := !known
		for n := rng.IntN(6); n > 0; n-- {
			a := fuzzGenlAttr(rng, names)
			ae.Bytes(a.typ, a.data)
			bad = bad || a.bad || !takes[a.typ]
		}
		b, err := ae.Encode()
		if err != nil {
			t.Fatal(err)
		}
		err = genlExchange(c, genetlink.Message{
			Header: genetlink.Header{Command: cmd, Version: uint8(rng.IntN(3))},
			Data:   b,
		}, f.ID, flags)
		var oe *netlink.OpError
		switch {
		case err == nil:
			accepted++
			if bad {
				t.Fatalf("message %d (cmd %d, flags %#x, attrs % x) was malformed and accepted", i, cmd, uint16(flags), b)
			}
		case errors.As(err, &oe) && oe.Op == "receive": // the kernel's refusal
			refused++
			if bad {
				refusedBad++
			}
		default:
			t.Fatalf("message %d (cmd %d, flags %#x, attrs % x): %v", i, cmd, uint16(flags), b, err)
		}
	}
	t.Logf("%d messages: %d accepted, %d refused (%d of them malformed)", *genlMessages, accepted, refused, refusedBad)

	// Undo what the well-formed ones did, then count.
	for _, lw := range lowers {
		for _, p := range must(g.ListLower(lw)) {
			sh(t, "ip", "link", "del", p.Name)
		}
	}
	if n := len(must(g.List())); n != baseline {
		t.Errorf("%d ports after the fuzz, %d before", n, baseline)
	}
	if n := len(links(t)); n != devices {
		t.Errorf("%d devices after the fuzz, %d before", n, devices)
	}
	if accepted == 0 || refused == 0 {
		t.Errorf("the fuzz reached only one outcome: %d accepted, %d refused", accepted, refused)
	}
}

// genlExchange sends one request and reads its whole answer: the
// replies, or the error, and the acknowledgement that a request with
// NLM_F_ACK gets in a datagram of its own after its reply, which would
// otherwise be read as the answer to the next request. A refusal is a
// *netlink.OpError.
func genlExchange(c *genetlink.Conn, m genetlink.Message, family uint16, flags netlink.HeaderFlags) error {
	req, err := c.Send(m, family, flags)
	if err != nil {
		return err
	}
	_, replies, err := c.Receive()
	if err == nil {
		err = netlink.Validate(req, replies)
	}
	if err != nil || flags&netlink.Dump != 0 || len(replies) == 0 || replies[0].Header.Type == netlink.Error {
		return err
	}
	_, acks, err := c.Receive()
	if err != nil {
		return fmt.Errorf("reading the acknowledgement after a reply: %w", err)
	}
	if len(acks) != 1 || acks[0].Header.Type != netlink.Error || acks[0].Header.Sequence != req.Header.Sequence {
		return fmt.Errorf("after a reply, %+v where its acknowledgement belongs", acks)
	}
	return nil
}

// TestRtnlFuzz does the same for RTM_NEWLINK of kind brcm: random
// IFLA_INFO_DATA on new and existing links.
func TestRtnlFuzz(t *testing.T) {
	rng := fuzzRand(t, 0x72746e6c)

	lw, peer := name("yl"), name("yp")
	veth(t, lw, peer)
	r := client(t)
	existing := name("ye")
	addPort(t, r, lw, 9, existing)
	devices := len(links(t))
	lower, ex := ifindex(t, lw), ifindex(t, existing)

	c, err := netlink.Dial(unix.NETLINK_ROUTE, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SetOption(netlink.ExtendedAcknowledge, true); err != nil {
		t.Fatal(err)
	}
	sizes := map[uint16]struct {
		size int
		max  uint64
	}{brcmlink.IFLABrcmPort: {2, brcmlink.PortMax}, brcmlink.IFLABrcmQueue: {1, brcmlink.QueueMax},
		brcmlink.IFLABrcmTagEnforce: {1, brcmlink.TagEnforceMax}, brcmlink.IFLABrcmFormat: {1, uint64(brcmlink.FormatMax)},
		brcmlink.IFLABrcmQueueFromPrio: {1, 1}, brcmlink.IFLABrcmVLAN: {2, brcmlink.VLANMax}}

	var accepted, refused int
	for i := 0; i < *rtnlMessages; i++ {
		data := netlink.NewAttributeEncoder()
		bad := false
		for n := rng.IntN(4); n > 0; n-- {
			typ := uint16(rng.IntN(brcmlink.IFLABrcmMax + 3))
			in, ok := sizes[typ]
			switch {
			case !ok: // unspec or unknown
				data.Bytes(typ, randBytes(rng, rng.IntN(8)))
				bad = true
			case rng.IntN(5) == 0: // any size but the type's
				n := rng.IntN(6)
				data.Bytes(typ, randBytes(rng, n))
				bad = bad || n != in.size
			default:
				v := rng.Uint64N(in.max + 3)
				if in.size == 1 {
					data.Uint8(typ, uint8(v))
				} else {
					data.Uint16(typ, uint16(v))
				}
				bad = bad || v > in.max
			}
		}
		db, err := data.Encode()
		if err != nil {
			t.Fatal(err)
		}
		ae := netlink.NewAttributeEncoder()
		index := 0
		flags := netlink.Request | netlink.Acknowledge
		switch rng.IntN(3) {
		case 0: // change the existing port
			index = ex
		default: // create, on the lower or on a random ifindex
			flags |= netlink.Create | netlink.Excl
			link := lower
			if rng.IntN(3) == 0 {
				link = rng.IntN(100)
			}
			if link != 0 {
				ae.Uint32(unix.IFLA_LINK, uint32(link))
			}
			ae.String(unix.IFLA_IFNAME, "yfuzz")
		}
		ae.Nested(unix.IFLA_LINKINFO, func(li *netlink.AttributeEncoder) error {
			li.String(unix.IFLA_INFO_KIND, brcmlink.Kind)
			li.Bytes(unix.IFLA_INFO_DATA, db)
			return nil
		})
		ab, err := ae.Encode()
		if err != nil {
			t.Fatal(err)
		}
		hdr := make([]byte, unix.SizeofIfInfomsg)
		hdr[4], hdr[5], hdr[6], hdr[7] = byte(index), byte(index>>8), byte(index>>16), byte(index>>24)
		_, err = c.Execute(netlink.Message{
			Header: netlink.Header{Type: unix.RTM_NEWLINK, Flags: flags},
			Data:   append(hdr, ab...),
		})
		var oe *netlink.OpError
		switch {
		case err == nil:
			accepted++
			if bad {
				t.Fatalf("message %d (ifindex %d, data % x) was malformed and accepted", i, index, db)
			}
			if index == 0 { // it made one
				if err := r.Delete(brcmlink.ByName("yfuzz")); err != nil {
					t.Fatal(err)
				}
			}
		case errors.As(err, &oe) && oe.Op == "receive": // the kernel's refusal
			refused++
		default:
			t.Fatalf("message %d (ifindex %d, data % x): %v", i, index, db, err)
		}
	}
	t.Logf("%d messages: %d accepted, %d refused", *rtnlMessages, accepted, refused)
	if n := len(links(t)); n != devices {
		t.Errorf("%d devices after the fuzz, %d before", n, devices)
	}
	p, err := r.Get(brcmlink.ByName(existing))
	if err != nil || p.Port != 9 {
		t.Errorf("the existing port after the fuzz: %+v, %v; want port 9", p, err)
	}
	if accepted == 0 || refused == 0 {
		t.Errorf("the fuzz reached only one outcome: %d accepted, %d refused", accepted, refused)
	}
}
