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
	if b.Port != nil {
		ae.Uint16(brcmlink.IFLABrcmPort, *b.Port)
	}
	if b.Queue != nil {
		ae.Uint8(brcmlink.IFLABrcmQueue, *b.Queue)
	}
	if b.TagEnforce != nil {
		ae.Uint8(brcmlink.IFLABrcmTagEnforce, *b.TagEnforce)
	}
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
		}
	}
	return ad.Err()
}

// Verify implements rtnetlink.LinkDriverVerifier, which runs it before
// encoding: a value out of range fails with the kernel's errno (ERANGE)
// and message, without a round trip.
func (b *Brcm) Verify(*rtnetlink.LinkMessage) error { return b.validate() }

func (b *Brcm) validate() error { return wrap("", "", nl.CheckConfig(b.Port, b.Queue, b.TagEnforce)) }
