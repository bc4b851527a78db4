// SPDX-License-Identifier: MIT

package rtlink

import (
	"syscall"

	"github.com/brcmlink/brcmlink/internal/nlsock"
	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// dumpTries is how many dumps in a row may be interrupted before a
// listing gives up, as in the genl package.
const dumpTries = 5

// newClient returns a Client on the socket s, whose port id is pid.
func newClient(s nlsock.Transport, pid uint32) *Client {
	is := &nlsock.IntrSocket{Transport: s}
	return &Client{c: netlink.NewConn(is, pid), sock: is}
}

// dumpLinks dumps the links of the namespace, those of the kind filter
// names if the kernel knows it, or every link for a nil filter. It dumps
// again while the kernel marks the dump interrupted (a link came, went or
// moved while it ran, so one may be missing or twice), and gives up with
// EINTR after dumpTries in a row, as the genl package does.
func (c *Client) dumpLinks(filter *rtnetlink.LinkAttributes) ([]link, error) {
	for range dumpTries {
		links, interrupted, err := c.dumpOnce(filter)
		if err != nil || !interrupted {
			return links, err
		}
	}
	return nil, errorf(syscall.EINTR, "the links kept changing: %d dumps in a row were interrupted", dumpTries)
}

// dumpOnce makes one dump of dumpLinks and reports whether the kernel
// marked it interrupted: on a link, or on the NLMSG_DONE, which the
// Client's socket notes. Dumps take turns, so that each reads its own
// note; a Client on a socket it could not wrap (Dial with options beyond
// a namespace) sees the flag on the links only.
func (c *Client) dumpOnce(filter *rtnetlink.LinkAttributes) ([]link, bool, error) {
	c.dumpMu.Lock()
	defer c.dumpMu.Unlock()
	if c.sock != nil {
		c.sock.Reset()
	}
	msgs, err := c.request(unix.RTM_GETLINK, netlink.Dump, &rtnetlink.LinkMessage{Attributes: filter})
	if err != nil {
		return nil, false, err
	}
	interrupted := c.sock != nil && c.sock.Interrupted()
	for _, m := range msgs {
		interrupted = interrupted || m.Header.Flags&netlink.DumpInterrupted != 0
	}
	links, err := parseLinks(msgs)
	return links, interrupted, err
}
