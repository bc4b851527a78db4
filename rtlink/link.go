// SPDX-License-Identifier: MIT

package rtlink

import (
	"encoding/binary"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/internal/nl"
	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// link is one RTM_NEWLINK message from the kernel. Every link has an
// index, a name and a kind ("" for physical devices); only a brcm link is
// decoded further, into port, whose Lower is still unresolved.
type link struct {
	index int
	name  string
	kind  string
	typ   uint16 // ifinfomsg.ifi_type, ARPHRD_*
	flags uint32 // ifinfomsg.ifi_flags, IFF_*
	port  brcmlink.Port
}

// parseLink decodes an RTM_NEWLINK payload. It reads the name, kind and
// IFLA_LINK_NETNSID itself: rtnetlink.LinkMessage does not decode the
// latter, and reading the kind first keeps links of other kinds (whose
// attributes LinkMessage might reject) away from LinkMessage.
func parseLink(b []byte) (link, error) {
	if len(b) < unix.SizeofIfInfomsg {
		return link{}, nl.Malformed("link message of %d bytes is too short", len(b))
	}
	l := link{ // struct ifinfomsg
		typ:   binary.NativeEndian.Uint16(b[2:4]),
		index: int(binary.NativeEndian.Uint32(b[4:8])),
		flags: binary.NativeEndian.Uint32(b[8:12]),
	}
	// IFLA_LINK_NETNSID: IFLA_LINK indexes the netns with this id.
	var netnsid *int32
	ad, err := netlink.NewAttributeDecoder(b[unix.SizeofIfInfomsg:])
	if err != nil {
		return link{}, nl.Malformed("%w", err)
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.IFLA_IFNAME:
			l.name = ad.String()
		case unix.IFLA_LINK_NETNSID:
			id := ad.Int32()
			netnsid = &id
		case unix.IFLA_LINKINFO:
			ad.Nested(func(nad *netlink.AttributeDecoder) error {
				for nad.Next() {
					if nad.Type() == unix.IFLA_INFO_KIND {
						l.kind = nad.String()
					}
				}
				return nil
			})
		}
	}
	if err := ad.Err(); err != nil {
		return link{}, nl.Malformed("%w", err)
	}
	if l.kind != brcmlink.Kind {
		return l, nil
	}

	var m rtnetlink.LinkMessage
	if err := m.UnmarshalBinary(b); err != nil {
		return link{}, nl.Malformed("brcm link %s: %w", l.name, err)
	}
	// The scan above found the kind, but the library may still decode
	// less from a malformed message (the fuzzer found one).
	a := m.Attributes
	if a == nil || a.Info == nil {
		return link{}, nl.Malformed("brcm link %s: malformed link info", l.name)
	}
	d, ok := a.Info.Data.(*Brcm)
	if !ok && a.Info.Data != nil {
		return link{}, nl.Malformed("another package registered an rtnetlink driver for kind %q", brcmlink.Kind)
	}
	if d == nil || d.Port == nil {
		return link{}, nl.Malformed("brcm link %s reports no port", l.name)
	}
	l.port = brcmlink.Port{
		Index:             l.index,
		Name:              l.name,
		LowerIndex:        int(a.Type), // rtnetlink decodes IFLA_LINK into Type
		LowerNetNSID:      netnsid,
		Port:              *d.Port,
		Queue:             deref(d.Queue),
		TagEnforce:        deref(d.TagEnforce),
		Format:            deref(d.Format),
		QueueFromPriority: deref(d.QueueFromPriority),
		VLAN:              deref(d.VLAN),
		Up:                m.Flags&unix.IFF_UP != 0,
		OperState:         brcmlink.OperState(a.OperationalState),
		MTU:               a.MTU,
		Flags:             m.Flags,
		Address:           a.Address,
	}
	if s := a.Stats64; s != nil {
		l.port.Stats = &brcmlink.Stats{
			RxPackets:   s.RXPackets,
			RxBytes:     s.RXBytes,
			RxMulticast: s.Multicast,
			RxDropped:   s.RXDropped,
			RxErrors:    s.RXErrors,
			TxPackets:   s.TXPackets,
			TxBytes:     s.TXBytes,
			TxDropped:   s.TXDropped,
		}
	}
	return l, nil
}

func deref[T any](p *T) (v T) {
	if p != nil {
		v = *p
	}
	return v
}
