// SPDX-License-Identifier: MIT

package genl

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/internal/nl"
	"github.com/mdlayher/genetlink"
	"github.com/mdlayher/netlink"
)

// batchSize is how many requests AddMany sends in one datagram. The
// kernel queues each outcome on the socket before it reads the next
// request, so the outcomes of a batch must fit in the socket's receive
// buffer (net.core.rmem_default, 208 KiB: about 170 outcomes to
// PORT_NEW), or the kernel drops them.
const batchSize = 32

// AddMany creates the ports reqs ask for and returns them as the kernel
// reports them, in the order of reqs. It checks every request first, and
// sends none if one is wrong. It then sends them many to a system call;
// the kernel makes each port it can: ports[i] is the port reqs[i] made,
// nil where the kernel refused it, and err the first refusal. To create
// all or nothing, delete the ports made when err is not nil (DeleteMany).
func (c *Client) AddMany(reqs []brcmlink.AddRequest) ([]*brcmlink.Port, error) {
	return c.AddManyContext(context.Background(), reqs)
}

// AddManyContext is AddMany, bounded by ctx.
func (c *Client) AddManyContext(ctx context.Context, reqs []brcmlink.AddRequest) (ports []*brcmlink.Port, err error) {
	for _, r := range reqs {
		if err := nl.CheckAdd(r); err != nil {
			return nil, pkg.Wrap("add", nl.AddDev(r), err)
		}
	}
	ports = make([]*brcmlink.Port, len(reqs))
	for start := 0; start < len(reqs); start += batchSize {
		batch := reqs[start:min(start+batchSize, len(reqs))]
		encs := make([]func(*netlink.AttributeEncoder), len(batch))
		for i, r := range batch {
			encs[i] = func(ae *netlink.AttributeEncoder) { encodeAdd(ae, r) }
		}
		outcomes, serr := c.executeMany(ctx, brcmlink.CmdPortNew, encs)
		if serr != nil {
			return ports, pkg.Wrap("add", "", serr)
		}
		for i, a := range outcomes {
			r := batch[i]
			if a.err == nil {
				var p brcmlink.Port
				if p, a.err = parsePort(a.msg.Data); a.err == nil {
					ports[start+i] = &p
				}
			}
			if a.err != nil && err == nil {
				err = pkg.Wrap("add", nl.AddDev(r), a.err)
			}
		}
	}
	return ports, err
}

// DeleteAll deletes every port of the lower device named lower, in one
// request, and returns how many it deleted: none is no error.
func (c *Client) DeleteAll(lower string) (int, error) {
	return c.DeleteAllContext(context.Background(), lower)
}

// DeleteAllContext is DeleteAll, bounded by ctx.
func (c *Client) DeleteAllContext(ctx context.Context, lower string) (n int, err error) {
	defer pkg.Annotate(&err, "delete", lower+" all")
	if err := nl.CheckLowerName(lower); err != nil {
		return 0, err
	}
	return c.deleteMany(ctx, func(ae *netlink.AttributeEncoder) {
		encodeLower(ae, lower, 0)
		ae.Flag(brcmlink.AttrAll, true)
	})
}

// DeleteMany deletes the ports with ifindexes indexes in one request:
// all of them, or none if one is no port of the namespace. The kernel
// unregisters them together, which costs one RCU grace period where
// deleting them one by one costs one each.
func (c *Client) DeleteMany(indexes []int) error {
	return c.DeleteManyContext(context.Background(), indexes)
}

// DeleteManyContext is DeleteMany, bounded by ctx.
func (c *Client) DeleteManyContext(ctx context.Context, indexes []int) (err error) {
	defer pkg.Annotate(&err, "delete", indexList(indexes))
	if err := nl.CheckIndexes(indexes); err != nil {
		return err
	}
	_, err = c.deleteMany(ctx, func(ae *netlink.AttributeEncoder) {
		ae.Nested(brcmlink.AttrIfindexList, func(nae *netlink.AttributeEncoder) error {
			for i, index := range indexes {
				// Types number the entries, as an indexed array in a
				// YNL spec; the kernel reads only the values.
				nae.Uint32(uint16(i+1), uint32(index))
			}
			return nil
		})
	})
	return err
}

// indexList names the ports of a DeleteMany in an error.
func indexList(indexes []int) string {
	s := make([]string, len(indexes))
	for i, index := range indexes {
		s[i] = fmt.Sprint(index)
	}
	return "ifindex " + strings.Join(s, ",")
}

// deleteMany sends a deletion of many ports and returns the kernel's
// count.
func (c *Client) deleteMany(ctx context.Context, encode func(*netlink.AttributeEncoder)) (int, error) {
	n, err := decodeOne(ctx, c, brcmlink.CmdPortDel, encode, parseCount)
	if err != nil {
		return 0, err
	}
	return *n, nil
}

// parseCount decodes the BRCM_A_NR_PORTS of a deletion of many.
func parseCount(b []byte) (int, error) {
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return 0, malformed("deletion", err)
	}
	n := -1
	for ad.Next() {
		if ad.Type() == brcmlink.AttrNrPorts {
			n = int(ad.Uint32())
		}
	}
	if err := ad.Err(); err != nil {
		return 0, malformed("deletion", err)
	}
	if n < 0 {
		return 0, nl.Malformed("the kernel did not say how many ports it deleted")
	}
	return n, nil
}

// outcome is the kernel's outcome to one request of executeMany: its one
// message, or its error.
type outcome struct {
	msg genetlink.Message
	err error
}

// executeMany sends a request of cmd for each encoder in encs, in one
// datagram where the socket allows, and returns each one's outcome in the
// same order. Each request must be answered with one message or an
// error, which the kernel sends in the order of the requests; the
// sequence number of each message is checked against its request's.
func (c *Client) executeMany(ctx context.Context, cmd uint8, encs []func(*netlink.AttributeEncoder)) (outcomes []outcome, err error) {
	gms := make([]genetlink.Message, len(encs))
	for i, encode := range encs {
		var err error
		if gms[i], err = request(cmd, encode); err != nil {
			return nil, err
		}
	}
	err = c.exchange(ctx, false, func() (bool, error) {
		sent, err := c.sendMany(gms)
		if err != nil {
			return true, err // not sent
		}
		outcomes = make([]outcome, len(sent))
		for i, req := range sent {
			gms, nms, err := c.receive(func(seq uint32) bool { return seq == req.Header.Sequence })
			if err != nil {
				if !isRefusal(err) {
					return false, err
				}
				// Receive hides the error message: its place in the order
				// is what ties it to its request.
				outcomes[i].err = err
				continue
			}
			if err := netlink.Validate(req, nms); err != nil {
				return false, err
			}
			if len(gms) != 1 {
				return false, nl.Malformed("kernel answered %d messages for one request", len(gms))
			}
			outcomes[i].msg = gms[0]
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return outcomes, nil
}

// isRefusal reports whether err, from Receive, is the kernel's error
// message for a request, rather than the socket's own failure.
func isRefusal(err error) bool {
	var oe *netlink.OpError
	if !errors.As(err, &oe) {
		return false
	}
	_, ok := oe.Err.(syscall.Errno)
	return ok
}

// sendMany sends gms, in one datagram when the Client has the socket
// under its genetlink.Conn (Dial's), else one by one, and returns them as
// sent, with their sequence numbers.
func (c *Client) sendMany(gms []genetlink.Message) ([]netlink.Message, error) {
	sent := make([]netlink.Message, len(gms))
	for i, gm := range gms {
		if c.nc == nil {
			var err error
			if sent[i], err = c.c.Send(gm, c.family.ID, netlink.Request); err != nil {
				return nil, err
			}
			continue
		}
		b, err := gm.MarshalBinary()
		if err != nil {
			return nil, err
		}
		sent[i] = netlink.Message{
			Header: netlink.Header{Type: netlink.HeaderType(c.family.ID), Flags: netlink.Request},
			Data:   b,
		}
	}
	if c.nc == nil {
		return sent, nil
	}
	return c.nc.SendMessages(sent)
}
