// SPDX-License-Identifier: MIT

package rtlink

import (
	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/internal/nl"
	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
)

// Brcm is the rtnetlink.LinkDriver for kind "brcm": the attributes of a
// brcm link in IFLA_INFO_DATA. A nil field is an absent attribute, which
// in a change request leaves the kernel's value alone.
//
// Importing this package registers Brcm with rtnetlink, so that an
// rtnetlink.LinkMessage of kind "brcm" decodes its data into a *Brcm.
type Brcm struct {
	Port       *uint16 // IFLA_BRCM_PORT: 0-PortMax, required on creation, immutable
	Queue      *uint8  // IFLA_BRCM_QUEUE: 0-QueueMax, default 0
	TagEnforce *uint8  // IFLA_BRCM_TAG_ENFORCE: 0-TagEnforceMax, default 0
	// Format is IFLA_BRCM_FORMAT, the tag format of the lower's ports:
	// the first port sets it (default FormatBCM53242), the others may only
	// repeat it; the only port of a lower may change it.
	Format *brcmlink.Format
	// QueueFromPriority is IFLA_BRCM_QUEUE_FROM_PRIO: true takes each
	// frame's queue from its priority instead of Queue. Default false.
	QueueFromPriority *bool
	VLAN              *uint16 // IFLA_BRCM_VLAN: 0-VLANMax, 0 (none) by default
}

// addData returns the link data of a new port.
func addData(r brcmlink.AddRequest) *Brcm {
	return &Brcm{Port: &r.Port, Queue: r.Queue, TagEnforce: r.TagEnforce,
		Format: r.Format, QueueFromPriority: r.QueueFromPriority, VLAN: r.VLAN}
}

// setData returns the link data of a change, all nil for none.
func setData(r brcmlink.SetRequest) *Brcm {
	return &Brcm{Queue: r.Queue, TagEnforce: r.TagEnforce,
		Format: r.Format, QueueFromPriority: r.QueueFromPriority, VLAN: r.VLAN}
}

// config returns the settings of b, as the checks take them.
func (b *Brcm) config() nl.Config {
	return nl.Config{Port: b.Port, Queue: b.Queue, TagEnforce: b.TagEnforce,
		Format: b.Format, QueueFromPrio: nl.Flag(b.QueueFromPriority), VLAN: b.VLAN}
}

var _ rtnetlink.LinkDriverVerifier = (*Brcm)(nil)

func init() {
	// RegisterDriver fails only when the kind is already registered, which
	// only another package claiming "brcm" can have done; parseLink reports
	// that conflict when it meets the other driver's data.
	_ = rtnetlink.RegisterDriver(&Brcm{})
}

// New implements rtnetlink.LinkDriver.
func (*Brcm) New() rtnetlink.LinkDriver { return &Brcm{} }

// Kind implements rtnetlink.LinkDriver: it returns brcmlink.Kind.
func (*Brcm) Kind() string { return brcmlink.Kind }

// Encode implements rtnetlink.LinkDriver: it writes the attributes that
// are set.
func (b *Brcm) Encode(ae *netlink.AttributeEncoder) error {
	b.config().Encode(ae, nl.LinkAttrs)
	return nil
}

// Decode implements rtnetlink.LinkDriver. It skips attributes it does not
// know, so that a newer module can add some.
func (b *Brcm) Decode(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case brcmlink.IFLABrcmPort:
			v := ad.Uint16()
			b.Port = &v
		case brcmlink.IFLABrcmQueue:
			v := ad.Uint8()
			b.Queue = &v
		case brcmlink.IFLABrcmTagEnforce:
			v := ad.Uint8()
			b.TagEnforce = &v
		case brcmlink.IFLABrcmFormat:
			b.Format = new(brcmlink.Format(ad.Uint8()))
		case brcmlink.IFLABrcmQueueFromPrio:
			b.QueueFromPriority = new(ad.Uint8() != 0)
		case brcmlink.IFLABrcmVLAN:
			b.VLAN = new(ad.Uint16())
		}
	}
	return ad.Err()
}

// Verify implements rtnetlink.LinkDriverVerifier, which runs it before
// encoding: a value out of range fails with the kernel's errno (ERANGE)
// and message, without a round trip.
func (b *Brcm) Verify(*rtnetlink.LinkMessage) error { return b.validate() }

func (b *Brcm) validate() error { return wrap("", "", nl.CheckConfig(b.config())) }
