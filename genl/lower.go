// SPDX-License-Identifier: MIT

package genl

import (
	"cmp"
	"context"
	"fmt"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/internal/nl"
	"github.com/mdlayher/netlink"
)

// Lower returns the lower device named name, with its counters. A device
// without brcm ports is no lower: ENODEV, like one that does not exist.
func (c *Client) Lower(name string) (*brcmlink.Lower, error) {
	return c.LowerContext(context.Background(), name)
}

// LowerContext is Lower, bounded by ctx.
func (c *Client) LowerContext(ctx context.Context, name string) (l *brcmlink.Lower, err error) {
	defer pkg.Annotate(&err, "get", name)
	if err := nl.CheckLowerName(name); err != nil {
		return nil, err
	}
	return c.lower(ctx, func(ae *netlink.AttributeEncoder) { encodeLower(ae, name, 0) })
}

// LowerByIndex returns the lower device with ifindex index, like Lower.
func (c *Client) LowerByIndex(index int) (*brcmlink.Lower, error) {
	return c.LowerByIndexContext(context.Background(), index)
}

// LowerByIndexContext is LowerByIndex, bounded by ctx.
func (c *Client) LowerByIndexContext(ctx context.Context, index int) (l *brcmlink.Lower, err error) {
	defer pkg.Annotate(&err, "get", fmt.Sprintf("ifindex %d", index))
	if err := nl.CheckLowerIndex(index); err != nil {
		return nil, err
	}
	return c.lower(ctx, func(ae *netlink.AttributeEncoder) { encodeLower(ae, "", index) })
}

// Lowers returns every lower device of the namespace that has ports, in
// this namespace or another.
func (c *Client) Lowers() ([]brcmlink.Lower, error) {
	return c.LowersContext(context.Background())
}

// LowersContext is Lowers, bounded by ctx.
func (c *Client) LowersContext(ctx context.Context) (ls []brcmlink.Lower, err error) {
	defer pkg.Annotate(&err, "list", "")
	return decodeDump(ctx, c, brcmlink.CmdLinkGet, nil, "lower devices", parseLower)
}

// SetLowerFormat changes the tag format of every port of the lower device
// named name, in every namespace, at once (BRCM_CMD_LINK_SET), and
// returns the lower as it is now. A device without brcm ports is ENODEV,
// as for Lower.
func (c *Client) SetLowerFormat(name string, f brcmlink.Format) (*brcmlink.Lower, error) {
	return c.SetLowerFormatContext(context.Background(), name, f)
}

// SetLowerFormatContext is SetLowerFormat, bounded by ctx.
func (c *Client) SetLowerFormatContext(ctx context.Context, name string, f brcmlink.Format) (l *brcmlink.Lower, err error) {
	defer pkg.Annotate(&err, "set", name)
	if err := cmp.Or(nl.CheckLowerName(name), f.Check()); err != nil {
		return nil, err
	}
	return c.setLowerFormat(ctx, name, 0, f)
}

// SetLowerFormatByIndex changes the tag format of the ports of the lower
// device with ifindex index, like SetLowerFormat.
func (c *Client) SetLowerFormatByIndex(index int, f brcmlink.Format) (*brcmlink.Lower, error) {
	return c.SetLowerFormatByIndexContext(context.Background(), index, f)
}

// SetLowerFormatByIndexContext is SetLowerFormatByIndex, bounded by ctx.
func (c *Client) SetLowerFormatByIndexContext(ctx context.Context, index int, f brcmlink.Format) (l *brcmlink.Lower, err error) {
	defer pkg.Annotate(&err, "set", fmt.Sprintf("ifindex %d", index))
	if err := cmp.Or(nl.CheckLowerIndex(index), f.Check()); err != nil {
		return nil, err
	}
	return c.setLowerFormat(ctx, "", index, f)
}

func (c *Client) setLowerFormat(ctx context.Context, name string, index int, f brcmlink.Format) (*brcmlink.Lower, error) {
	return decodeOne(ctx, c, brcmlink.CmdLinkSet, func(ae *netlink.AttributeEncoder) {
		encodeLower(ae, name, index)
		ae.Uint8(brcmlink.AttrFormat, uint8(f))
	}, parseLower)
}

func (c *Client) lower(ctx context.Context, encode func(*netlink.AttributeEncoder)) (*brcmlink.Lower, error) {
	return decodeOne(ctx, c, brcmlink.CmdLinkGet, encode, parseLower)
}
