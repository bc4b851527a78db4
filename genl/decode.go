// SPDX-License-Identifier: MIT

package genl

import (
	"net"

	"github.com/brcmlink/brcmlink"
	"github.com/brcmlink/brcmlink/internal/nl"
	"github.com/mdlayher/netlink"
)

// parsePort decodes a port as BRCM_CMD_PORT_GET and the monitor group
// report it, into what rtlink returns for the same device. It skips the
// attributes it does not know, which a newer module may add.
func parsePort(b []byte) (brcmlink.Port, error) {
	var (
		p       brcmlink.Port // OperUnknown without BRCM_A_OPERSTATE, as rtnetlink decodes it
		hasPort bool
	)
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return p, malformed("port", err)
	}
	for ad.Next() {
		switch ad.Type() {
		case brcmlink.AttrIfindex:
			p.Index = int(ad.Uint32())
		case brcmlink.AttrIfname:
			p.Name = ad.String()
		case brcmlink.AttrLowerIfindex:
			p.LowerIndex = int(ad.Uint32())
		case brcmlink.AttrLowerIfname:
			p.Lower = ad.String()
		case brcmlink.AttrLinkNetnsid:
			id := ad.Int32()
			p.LowerNetNSID = &id
		case brcmlink.AttrPort:
			p.Port, hasPort = ad.Uint16(), true
		case brcmlink.AttrQueue:
			p.Queue = ad.Uint8()
		case brcmlink.AttrTagEnforce:
			p.TagEnforce = ad.Uint8()
		case brcmlink.AttrFormat:
			p.Format = brcmlink.Format(ad.Uint8())
		case brcmlink.AttrQueueFromPrio:
			p.QueueFromPriority = ad.Uint8() != 0
		case brcmlink.AttrVLAN:
			p.VLAN = ad.Uint16()
		case brcmlink.AttrAdminUp:
			p.Up = ad.Uint8() != 0
		case brcmlink.AttrOperState:
			p.OperState = brcmlink.OperState(ad.Uint8())
		case brcmlink.AttrMTU:
			p.MTU = ad.Uint32()
		case brcmlink.AttrFlags:
			p.Flags = ad.Uint32()
		case brcmlink.AttrAddress:
			p.Address = net.HardwareAddr(ad.Bytes())
		case brcmlink.AttrStats:
			s := new(brcmlink.Stats)
			ad.Nested(counters(map[uint16]*uint64{
				brcmlink.StatsAttrRxPackets:   &s.RxPackets,
				brcmlink.StatsAttrRxBytes:     &s.RxBytes,
				brcmlink.StatsAttrRxMulticast: &s.RxMulticast,
				brcmlink.StatsAttrRxDropped:   &s.RxDropped,
				brcmlink.StatsAttrRxErrors:    &s.RxErrors,
				brcmlink.StatsAttrTxPackets:   &s.TxPackets,
				brcmlink.StatsAttrTxBytes:     &s.TxBytes,
				brcmlink.StatsAttrTxDropped:   &s.TxDropped,
			}))
			p.Stats = s
		}
	}
	if err := ad.Err(); err != nil {
		return brcmlink.Port{}, malformed("port", err)
	}
	if p.Index == 0 || !hasPort {
		return brcmlink.Port{}, nl.Malformed("kernel reported a port without its ifindex or switch port")
	}
	// LowerIndex then indexes another namespace, where this one's names
	// mean nothing; the kernel sends no name then, and none may show.
	if p.LowerNetNSID != nil {
		p.Lower = ""
	}
	return p, nil
}

// parseLower decodes a lower as BRCM_CMD_LINK_GET reports it, skipping
// the attributes it does not know.
func parseLower(b []byte) (brcmlink.Lower, error) {
	var l brcmlink.Lower
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return l, malformed("lower device", err)
	}
	for ad.Next() {
		switch ad.Type() {
		case brcmlink.AttrLowerIfindex:
			l.Index = int(ad.Uint32())
		case brcmlink.AttrLowerIfname:
			l.Name = ad.String()
		case brcmlink.AttrNrPorts:
			l.Ports = int(ad.Uint32())
		case brcmlink.AttrFormat:
			l.Format = brcmlink.Format(ad.Uint8())
		case brcmlink.AttrLowerStats:
			s := &l.Stats
			ad.Nested(counters(map[uint16]*uint64{
				brcmlink.LowerStatsAttrRxTagged:      &s.RxTagged,
				brcmlink.LowerStatsAttrRxBadLen:      &s.RxBadLength,
				brcmlink.LowerStatsAttrRxBadOpcode:   &s.RxBadOpcode,
				brcmlink.LowerStatsAttrRxBadPortID:   &s.RxBadPortID,
				brcmlink.LowerStatsAttrRxUnknownPort: &s.RxUnknownPort,
			}))
		}
	}
	if err := ad.Err(); err != nil {
		return brcmlink.Lower{}, malformed("lower device", err)
	}
	if l.Index == 0 {
		return brcmlink.Lower{}, nl.Malformed("kernel reported a lower device without its ifindex")
	}
	return l, nil
}

// malformed wraps a decoding error with what was being decoded, which the
// decoder's own words ("netlink: attribute 7 is not a uint16") leave out.
func malformed(what string, err error) error {
	return nl.Malformed("kernel reported a malformed %s: %w", what, err)
}

// counters decodes nested u64 attributes into the fields they map to,
// skipping the others: the pad, and a newer module's counters.
func counters(fields map[uint16]*uint64) func(*netlink.AttributeDecoder) error {
	return func(ad *netlink.AttributeDecoder) error {
		for ad.Next() {
			if f, ok := fields[ad.Type()]; ok {
				*f = ad.Uint64()
			}
		}
		return nil
	}
}
