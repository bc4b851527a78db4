// SPDX-License-Identifier: MIT

package genl

import (
	"fmt"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/internal/nl"
	"github.com/mdlayher/netlink"
)

// Lower returns the lower device named name, with its counters. A device
// without brcm ports is no lower: ENODEV, like one that does not exist.
func (c *Client) Lower(name string) (l *brcmlink.Lower, err error) {
	defer pkg.Annotate(&err, "get", name)
	if err := nl.CheckLowerName(name); err != nil {
		return nil, err
	}
	return c.lower(func(ae *netlink.AttributeEncoder) { encodeLower(ae, name, 0) })
}

// LowerByIndex returns the lower device with ifindex index, like Lower.
func (c *Client) LowerByIndex(index int) (l *brcmlink.Lower, err error) {
	defer pkg.Annotate(&err, "get", fmt.Sprintf("ifindex %d", index))
	if err := nl.CheckLowerIndex(index); err != nil {
		return nil, err
	}
	return c.lower(func(ae *netlink.AttributeEncoder) { encodeLower(ae, "", index) })
}

// Lowers returns every lower device of the namespace that has ports, in
// this namespace or another.
func (c *Client) Lowers() (ls []brcmlink.Lower, err error) {
	defer pkg.Annotate(&err, "list", "")
	return decodeDump(c, brcmlink.CmdLinkGet, nil, "lower devices", parseLower)
}

func (c *Client) lower(encode func(*netlink.AttributeEncoder)) (*brcmlink.Lower, error) {
	return decodeOne(c, brcmlink.CmdLinkGet, encode, parseLower)
}
