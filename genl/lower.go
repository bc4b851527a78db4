// SPDX-License-Identifier: MIT

package genl

import (
	"cmp"
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

// SetLowerFormat changes the tag format of every port of the lower device
// named name, in every namespace, at once (BRCM_CMD_LINK_SET), and
// returns the lower as it is now. A device without brcm ports is ENODEV,
// as for Lower.
func (c *Client) SetLowerFormat(name string, f brcmlink.Format) (l *brcmlink.Lower, err error) {
	defer pkg.Annotate(&err, "set", name)
	if err := cmp.Or(nl.CheckLowerName(name), f.Check()); err != nil {
		return nil, err
	}
	return c.setLowerFormat(name, 0, f)
}

// SetLowerFormatByIndex changes the tag format of the ports of the lower
// device with ifindex index, like SetLowerFormat.
func (c *Client) SetLowerFormatByIndex(index int, f brcmlink.Format) (l *brcmlink.Lower, err error) {
	defer pkg.Annotate(&err, "set", fmt.Sprintf("ifindex %d", index))
	if err := cmp.Or(nl.CheckLowerIndex(index), f.Check()); err != nil {
		return nil, err
	}
	return c.setLowerFormat("", index, f)
}

func (c *Client) setLowerFormat(name string, index int, f brcmlink.Format) (*brcmlink.Lower, error) {
	return decodeOne(c, brcmlink.CmdLinkSet, func(ae *netlink.AttributeEncoder) {
		encodeLower(ae, name, index)
		ae.Uint8(brcmlink.AttrFormat, uint8(f))
	}, parseLower)
}

func (c *Client) lower(encode func(*netlink.AttributeEncoder)) (*brcmlink.Lower, error) {
	return decodeOne(c, brcmlink.CmdLinkGet, encode, parseLower)
}
