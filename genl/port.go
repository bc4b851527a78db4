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

// selecting returns the encoder of the attributes that select the port
// s selects.
func selecting(s brcmlink.Selector) func(*netlink.AttributeEncoder) {
	return func(ae *netlink.AttributeEncoder) {
		if index := s.Index(); index != 0 {
			ae.Uint32(brcmlink.AttrIfindex, uint32(index))
		}
		if name := s.Name(); name != "" {
			ae.String(brcmlink.AttrIfname, name)
		}
		if lower, lowerIndex, port, ok := s.Lower(); ok {
			encodeLower(ae, lower, lowerIndex)
			ae.Uint16(brcmlink.AttrPort, port)
		}
	}
}

func encodeLower(ae *netlink.AttributeEncoder, name string, index int) {
	if index != 0 {
		ae.Uint32(brcmlink.AttrLowerIfindex, uint32(index))
	}
	if name != "" {
		ae.String(brcmlink.AttrLowerIfname, name)
	}
}

// encodeAdd writes the attributes of a BRCM_CMD_PORT_NEW for r. A Name
// not given is the kernel's to pick, as brcmlink.AddRequest says.
func encodeAdd(ae *netlink.AttributeEncoder, r brcmlink.AddRequest) {
	if r.Name != "" {
		ae.String(brcmlink.AttrIfname, r.Name)
	}
	encodeLower(ae, r.Lower, r.LowerIndex)
	nl.AddConfig(r).Encode(ae, nl.GenlAttrs)
	if r.Up {
		ae.Uint8(brcmlink.AttrAdminUp, 1)
	}
}

// Add creates a port and returns it as the kernel reports it.
func (c *Client) Add(req brcmlink.AddRequest) (p *brcmlink.Port, err error) {
	return c.AddContext(context.Background(), req)
}

// AddContext is Add, bounded by ctx.
func (c *Client) AddContext(ctx context.Context, req brcmlink.AddRequest) (p *brcmlink.Port, err error) {
	defer pkg.Annotate(&err, "add", nl.AddDev(req))
	if err := nl.CheckAdd(req); err != nil {
		return nil, err
	}
	return c.port(ctx, brcmlink.CmdPortNew, func(ae *netlink.AttributeEncoder) { encodeAdd(ae, req) })
}

// Delete deletes the selected port.
func (c *Client) Delete(s brcmlink.Selector) error {
	return c.DeleteContext(context.Background(), s)
}

// DeleteContext is Delete, bounded by ctx.
func (c *Client) DeleteContext(ctx context.Context, s brcmlink.Selector) (err error) {
	defer pkg.Annotate(&err, "delete", s.String())
	if err := nl.CheckSelector(s); err != nil {
		return err
	}
	// The kernel answers a deletion with nothing but the acknowledgement.
	// The other commands answer with the port, and not acknowledging them
	// keeps a late acknowledgement from waiting on the socket for the next
	// request.
	_, _, err = c.execute(ctx, brcmlink.CmdPortDel, netlink.Acknowledge, selecting(s))
	return err
}

// Set changes the selected port and returns it as it is now. A change of
// the admin state comes first: if it fails, nothing changes. A change of
// the tag format is refused with EBUSY unless the port is its lower's
// only one: SetLowerFormat changes the format of all a lower's ports.
func (c *Client) Set(s brcmlink.Selector, req brcmlink.SetRequest) (*brcmlink.Port, error) {
	return c.SetContext(context.Background(), s, req)
}

// SetContext is Set, bounded by ctx.
func (c *Client) SetContext(ctx context.Context, s brcmlink.Selector, req brcmlink.SetRequest) (p *brcmlink.Port, err error) {
	defer pkg.Annotate(&err, "set", s.String())
	if err := cmp.Or(nl.CheckSelector(s), nl.CheckSet(req)); err != nil {
		return nil, err
	}
	return c.port(ctx, brcmlink.CmdPortSet, func(ae *netlink.AttributeEncoder) {
		selecting(s)(ae)
		nl.SetConfig(req).Encode(ae, nl.GenlAttrs)
		if req.Up != nil {
			var up uint8
			if *req.Up {
				up = 1
			}
			ae.Uint8(brcmlink.AttrAdminUp, up)
		}
	})
}

// Get returns the selected port.
func (c *Client) Get(s brcmlink.Selector) (*brcmlink.Port, error) {
	return c.GetContext(context.Background(), s)
}

// GetContext is Get, bounded by ctx.
func (c *Client) GetContext(ctx context.Context, s brcmlink.Selector) (p *brcmlink.Port, err error) {
	defer pkg.Annotate(&err, "get", s.String())
	if err := nl.CheckSelector(s); err != nil {
		return nil, err
	}
	return c.port(ctx, brcmlink.CmdPortGet, selecting(s))
}

// List returns every port in the namespace, whatever its lower.
func (c *Client) List() ([]brcmlink.Port, error) {
	return c.ListContext(context.Background())
}

// ListContext is List, bounded by ctx.
func (c *Client) ListContext(ctx context.Context) (ps []brcmlink.Port, err error) {
	defer pkg.Annotate(&err, "list", "")
	return c.ports(ctx, nil)
}

// ListLower returns the ports on the lower device named lower.
func (c *Client) ListLower(lower string) ([]brcmlink.Port, error) {
	return c.ListLowerContext(context.Background(), lower)
}

// ListLowerContext is ListLower, bounded by ctx.
func (c *Client) ListLowerContext(ctx context.Context, lower string) (ps []brcmlink.Port, err error) {
	defer pkg.Annotate(&err, "list", lower)
	if err := nl.CheckLowerName(lower); err != nil {
		return nil, err
	}
	return c.ports(ctx, func(ae *netlink.AttributeEncoder) { encodeLower(ae, lower, 0) })
}

// ListLowerByIndex returns the ports on the lower device with ifindex
// index.
func (c *Client) ListLowerByIndex(index int) ([]brcmlink.Port, error) {
	return c.ListLowerByIndexContext(context.Background(), index)
}

// ListLowerByIndexContext is ListLowerByIndex, bounded by ctx.
func (c *Client) ListLowerByIndexContext(ctx context.Context, index int) (ps []brcmlink.Port, err error) {
	defer pkg.Annotate(&err, "list", fmt.Sprintf("ifindex %d", index))
	if err := nl.CheckLowerIndex(index); err != nil {
		return nil, err
	}
	return c.ports(ctx, func(ae *netlink.AttributeEncoder) { encodeLower(ae, "", index) })
}

// port sends a request of cmd that the kernel answers with one port.
func (c *Client) port(ctx context.Context, cmd uint8, encode func(*netlink.AttributeEncoder)) (*brcmlink.Port, error) {
	return decodeOne(ctx, c, cmd, encode, parsePort)
}

// ports dumps the ports, on the lower that encode gives if any.
func (c *Client) ports(ctx context.Context, encode func(*netlink.AttributeEncoder)) ([]brcmlink.Port, error) {
	return decodeDump(ctx, c, brcmlink.CmdPortGet, encode, "ports", parsePort)
}
