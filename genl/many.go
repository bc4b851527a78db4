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

// maxBatch is the most requests AddMany sends in one datagram, and
// outcomeSize what each one's outcome may take of the socket's receive
// buffer: the kernel queues each outcome on the socket before it reads
// the next request, and drops those that find the buffer full (ENOBUFS),
// so a batch holds no more outcomes than the buffer does. A port's reply
// takes about 1.3 KiB (a trimmed skb); the default buffer
// (net.core.rmem_default, 208 KiB) holds 32 with room to spare, and
// 32 KiB 16.
const (
	maxBatch    = 32
	outcomeSize = 2048
)

// batchSize is how many requests AddMany sends in one datagram: as many
// outcomes as the socket's receive buffer holds, up to maxBatch. Called
// with c.mu held.
func (c *Client) batchSize() int {
	if c.rcvbuf == nil {
		return maxBatch
	}
	n, err := c.rcvbuf()
	if err != nil {
		return maxBatch
	}
	return min(max(n/outcomeSize, 1), maxBatch)
}

// AddMany creates the ports reqs ask for and returns them as the kernel
// reports them, in the order of reqs. It checks every request first, and
// sends none if one is wrong. It then sends them many to a system call,
// as many as the socket's receive buffer holds the answers of; the
// kernel makes each port it can: ports[i] is the port reqs[i] made, nil
// where the kernel refused it, and err the first refusal. To create all
// or nothing, delete the ports made when err is not nil (DeleteMany).
//
// When the socket fails while answers are due, AddMany lists the ports
// to learn which of the requests without an answer the kernel made, so
// that ports holds exactly the ports it made: a port on the lower and
// port number a request gave, under the name it gave (or the default
// name), counts as made. After an overrun (ENOBUFS: answers lost, the
// receive buffer smaller than the batch's answers) it sends the requests
// that made no port again, half as many at a time. After another failure
// (a deadline, a context done) it sends no more, and err is the socket's;
// if the listing fails too, err says so, and the ports of the requests
// without an answer are nil though the kernel may have made them.
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
	todo := make([]int, len(reqs)) // the indexes of the requests to send, in order
	for i := range todo {
		todo[i] = i
	}
	c.mu.Lock()
	size := c.batchSize()
	c.mu.Unlock()
	for len(todo) > 0 {
		idx := todo[:min(size, len(todo))]
		todo = todo[len(idx):]
		encs := make([]func(*netlink.AttributeEncoder), len(idx))
		for i, j := range idx {
			r := reqs[j]
			encs[i] = func(ae *netlink.AttributeEncoder) { encodeAdd(ae, r) }
		}
		outcomes, serr := c.executeMany(ctx, brcmlink.CmdPortNew, encs)
		for i, a := range outcomes {
			if !a.answered {
				continue
			}
			if a.err == nil {
				var p brcmlink.Port
				if p, a.err = parsePort(a.msg.Data); a.err == nil {
					ports[idx[i]] = &p
				}
			}
			if a.err != nil && err == nil {
				err = pkg.Wrap("add", nl.AddDev(reqs[idx[i]]), a.err)
			}
		}
		if serr == nil {
			continue
		}
		unknown, lerr := c.learn(reqs, idx, outcomes, ports)
		if lerr != nil {
			serr = fmt.Errorf("%w; and listing the ports to learn which of the %d requests without an answer the kernel made failed: %v", serr, len(unknown), lerr)
		}
		// An overrun lost answers, not requests: send again those that
		// made no port, fewer at a time, to learn why or make them.
		if lerr != nil || !errors.Is(serr, syscall.ENOBUFS) || len(idx) == 1 {
			return ports, pkg.Wrap("add", "", serr)
		}
		todo = append(unknown, todo...)
		size = max(len(idx)/2, 1)
	}
	return ports, err
}

// learn lists the ports to find those the requests reqs[idx[i]] without
// an answer made, into ports, and returns the indexes of the requests
// without an answer that made none. The listing is bounded by neither the
// Client's deadline nor the caller's context, which may have cut the
// batch: the kernel answers it at once.
func (c *Client) learn(reqs []brcmlink.AddRequest, idx []int, outcomes []outcome, ports []*brcmlink.Port) (unknown []int, err error) {
	for i, j := range idx {
		if i >= len(outcomes) || !outcomes[i].answered {
			unknown = append(unknown, j)
		}
	}
	msgs, err := c.dumpWith(context.Background(), true, brcmlink.CmdPortGet, nil, "ports")
	if err != nil {
		return unknown, err
	}
	var listed []brcmlink.Port
	for _, m := range msgs {
		p, err := parsePort(m.Data)
		if err != nil {
			return unknown, err
		}
		listed = append(listed, p)
	}
	var none []int
	for _, j := range unknown {
		found := false
		for _, p := range listed {
			if madeBy(reqs[j], p) {
				ports[j], found = &p, true
				break
			}
		}
		if !found {
			none = append(none, j)
		}
	}
	return none, nil
}

// madeBy reports whether p is the port r asks for: on its lower, with
// its port number and name.
func madeBy(r brcmlink.AddRequest, p brcmlink.Port) bool {
	if p.Port != r.Port || p.LowerNetNSID != nil {
		return false
	}
	if (r.Lower != "" && p.Lower != r.Lower) || (r.LowerIndex != 0 && p.LowerIndex != r.LowerIndex) {
		return false
	}
	if r.Name != "" {
		return p.Name == r.Name
	}
	name, err := brcmlink.DefaultName(p.Lower, r.Port)
	return err == nil && p.Name == name
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
	msg      genetlink.Message
	err      error
	answered bool // false when the socket failed before the answer came
}

// executeMany sends a request of cmd for each encoder in encs, in one
// datagram where the socket allows, and returns each one's outcome in the
// same order, as far as it read them before an error of the socket,
// which it returns with them. Each request must be answered with one message or an
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
				outcomes[i] = outcome{err: err, answered: true}
				continue
			}
			if err := netlink.Validate(req, nms); err != nil {
				return false, err
			}
			if len(gms) != 1 {
				return false, nl.Malformed("kernel answered %d messages for one request", len(gms))
			}
			outcomes[i] = outcome{msg: gms[0], answered: true}
		}
		return true, nil
	})
	return outcomes, err
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
