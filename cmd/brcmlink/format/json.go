// SPDX-License-Identifier: MIT

package format

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/brcmlink/brcmlink"
	"golang.org/x/sys/unix"
)

// PortJSON is a port as -json prints it: what `ip -j -s -d link` prints
// for a stacked device, under the same names, with the same types and
// meanings, and the port's own settings where ip puts a kind's, in
// linkinfo.info_data. When the lower device is in this namespace, Link
// names it; when it is in another, its name means nothing here, and, as
// with ip, LinkIndex and LinkNetnsid say which it is.
type PortJSON struct {
	Ifindex     int          `json:"ifindex"`
	Link        string       `json:"link,omitempty"`
	Ifname      string       `json:"ifname"`
	Flags       []string     `json:"flags"`
	MTU         uint32       `json:"mtu"`
	Operstate   string       `json:"operstate"`
	Address     string       `json:"address"`
	LinkIndex   int          `json:"link_index,omitempty"`
	LinkNetnsid *int32       `json:"link_netnsid,omitempty"`
	Linkinfo    LinkinfoJSON `json:"linkinfo"`
	Stats64     *Stats64JSON `json:"stats64,omitempty"` // -s
}

// LinkinfoJSON is ip's linkinfo: the kind, its settings, and, with -s
// -s, the counters of the port's lower as the kind's extended counters.
type LinkinfoJSON struct {
	InfoKind   string          `json:"info_kind"`
	InfoData   InfoDataJSON    `json:"info_data"`
	InfoXstats *LowerStatsJSON `json:"info_xstats,omitempty"`
}

// InfoDataJSON are a port's settings: IFLA_BRCM_* of the link kind.
type InfoDataJSON struct {
	Port       uint16 `json:"port"`
	Queue      uint8  `json:"queue"`
	TagEnforce uint8  `json:"tag_enforce"`
	Format     string `json:"format"` // the lower's tag format: "bcm53242" or "original"
	// QueueFromPriority is whether the port takes each frame's queue from
	// its priority instead of Queue.
	QueueFromPriority bool   `json:"queue_from_priority"`
	VLAN              uint16 `json:"vlan"` // the VLAN id inserted after the tag; 0 for none
}

// Stats64JSON are a port's counters, as stats64 of `ip -j -s link`, with
// its fields: those the module does not count are 0, as the kernel
// reports them to ip too.
type Stats64JSON struct {
	RX struct {
		Bytes      uint64 `json:"bytes"`
		Packets    uint64 `json:"packets"`
		Errors     uint64 `json:"errors"`
		Dropped    uint64 `json:"dropped"`
		OverErrors uint64 `json:"over_errors"`
		Multicast  uint64 `json:"multicast"`
	} `json:"rx"`
	TX struct {
		Bytes         uint64 `json:"bytes"`
		Packets       uint64 `json:"packets"`
		Errors        uint64 `json:"errors"`
		Dropped       uint64 `json:"dropped"`
		CarrierErrors uint64 `json:"carrier_errors"`
		Collisions    uint64 `json:"collisions"`
	} `json:"tx"`
}

// flagNames are the IFF_* flags as ip names them, in its order.
var flagNames = []struct {
	flag uint32
	name string
}{
	{unix.IFF_LOOPBACK, "LOOPBACK"}, {unix.IFF_BROADCAST, "BROADCAST"}, {unix.IFF_POINTOPOINT, "POINTOPOINT"},
	{unix.IFF_MULTICAST, "MULTICAST"}, {unix.IFF_NOARP, "NOARP"}, {unix.IFF_ALLMULTI, "ALLMULTI"},
	{unix.IFF_PROMISC, "PROMISC"}, {unix.IFF_MASTER, "MASTER"}, {unix.IFF_SLAVE, "SLAVE"},
	{unix.IFF_DEBUG, "DEBUG"}, {unix.IFF_DYNAMIC, "DYNAMIC"}, {unix.IFF_AUTOMEDIA, "AUTOMEDIA"},
	{unix.IFF_PORTSEL, "PORTSEL"}, {unix.IFF_NOTRAILERS, "NOTRAILERS"}, {unix.IFF_UP, "UP"},
	{unix.IFF_LOWER_UP, "LOWER_UP"}, {unix.IFF_DORMANT, "DORMANT"}, {unix.IFF_ECHO, "ECHO"},
}

// Flags names the IFF_* flags f as ip -j does: NO-CARRIER for a device
// up but not running, RUNNING never, and what ip has no name for in hex.
func Flags(f uint32) []string {
	names := []string{}
	if f&unix.IFF_UP != 0 && f&unix.IFF_RUNNING == 0 {
		names = append(names, "NO-CARRIER")
	}
	f &^= unix.IFF_RUNNING
	for _, n := range flagNames {
		if f&n.flag != 0 {
			names = append(names, n.name)
			f &^= n.flag
		}
	}
	if f != 0 {
		names = append(names, fmt.Sprintf("%x", f))
	}
	return names
}

// LowerJSON is a lower device as stats -json prints it.
type LowerJSON struct {
	Ifindex int            `json:"ifindex"`
	Ifname  string         `json:"ifname"`
	Ports   int            `json:"ports"`
	Format  string         `json:"format"` // the tag format of its ports
	Stats   LowerStatsJSON `json:"stats"`
}

// LowerStatsJSON are the receive counters of a lower device.
type LowerStatsJSON struct {
	RxTagged      uint64 `json:"rx_tagged"`
	RxBadLength   uint64 `json:"rx_bad_length"`
	RxBadOpcode   uint64 `json:"rx_bad_opcode"`
	RxBadPortID   uint64 `json:"rx_bad_port_id"`
	RxUnknownPort uint64 `json:"rx_unknown_port"`
}

// StatsJSON is what stats -json prints.
type StatsJSON struct {
	Ports  []PortJSON  `json:"ports"`
	Lowers []LowerJSON `json:"lowers"`
}

// EventJSON is a line of monitor -json: the event and the port's fields,
// or for "lost" the reason.
type EventJSON struct {
	Event     string `json:"event"`     // "new", "change", "del" or "lost"
	Timestamp string `json:"timestamp"` // when monitor received it, RFC 3339
	*PortJSON
	Error string `json:"error,omitempty"`
}

// Port returns p as JSON shows it under v, with the counters of its lower
// among lowers for v.Stats > 1.
func Port(p brcmlink.Port, lowers []brcmlink.Lower, v View) PortJSON {
	j := PortJSON{
		Ifindex:   p.Index,
		Link:      p.Lower,
		Ifname:    p.Name,
		Flags:     Flags(p.Flags),
		MTU:       p.MTU,
		Operstate: p.OperState.String(),
		Address:   p.Address.String(),
		Linkinfo: LinkinfoJSON{
			InfoKind: brcmlink.Kind,
			InfoData: InfoDataJSON{Port: p.Port, Queue: p.Queue, TagEnforce: p.TagEnforce,
				Format: p.Format.String(), QueueFromPriority: p.QueueFromPriority, VLAN: p.VLAN},
		},
	}
	if p.Lower == "" {
		j.LinkIndex, j.LinkNetnsid = p.LowerIndex, p.LowerNetNSID
	}
	if v.Stats > 0 && p.Stats != nil {
		s := new(Stats64JSON)
		s.RX.Bytes, s.RX.Packets, s.RX.Errors, s.RX.Dropped, s.RX.Multicast =
			p.Stats.RxBytes, p.Stats.RxPackets, p.Stats.RxErrors, p.Stats.RxDropped, p.Stats.RxMulticast
		s.TX.Bytes, s.TX.Packets, s.TX.Dropped = p.Stats.TxBytes, p.Stats.TxPackets, p.Stats.TxDropped
		j.Stats64 = s
	}
	if v.Stats > 1 {
		if l := LowerOf(p, lowers); l != nil {
			s := lowerStats(l.Stats)
			j.Linkinfo.InfoXstats = &s
		}
	}
	return j
}

// PortBriefJSON is a port as -json -brief prints it: what -brief shows,
// under the names of ip -j -br.
type PortBriefJSON struct {
	Ifname    string `json:"ifname"`
	Link      string `json:"link,omitempty"`
	Operstate string `json:"operstate"`
	Port      uint16 `json:"port"`
}

// BriefJSON returns ports as show -json -brief prints them: never null.
func BriefJSON(ps []brcmlink.Port) []PortBriefJSON {
	js := make([]PortBriefJSON, 0, len(ps))
	for _, p := range ps {
		js = append(js, PortBriefJSON{Ifname: p.Name, Link: p.Lower, Operstate: p.OperState.String(), Port: p.Port})
	}
	return js
}

// PortsJSON returns ports as show -json prints them: never null.
func PortsJSON(ps []brcmlink.Port, lowers []brcmlink.Lower, v View) []PortJSON {
	js := make([]PortJSON, 0, len(ps))
	for _, p := range ps {
		js = append(js, Port(p, lowers, v))
	}
	return js
}

// Lower returns l as JSON shows it.
func Lower(l brcmlink.Lower) LowerJSON {
	return LowerJSON{Ifindex: l.Index, Ifname: l.Name, Ports: l.Ports, Format: l.Format.String(), Stats: lowerStats(l.Stats)}
}

// Stats returns what stats -json prints: the ports with their counters,
// and the lowers.
func Stats(ps []brcmlink.Port, ls []brcmlink.Lower, v View) StatsJSON {
	s := StatsJSON{Ports: PortsJSON(ps, nil, View{Details: v.Details, Stats: 1}), Lowers: make([]LowerJSON, 0, len(ls))}
	for _, l := range ls {
		s.Lowers = append(s.Lowers, Lower(l))
	}
	return s
}

func lowerStats(s brcmlink.LowerStats) LowerStatsJSON {
	return LowerStatsJSON{
		RxTagged:      s.RxTagged,
		RxBadLength:   s.RxBadLength,
		RxBadOpcode:   s.RxBadOpcode,
		RxBadPortID:   s.RxBadPortID,
		RxUnknownPort: s.RxUnknownPort,
	}
}

// WriteJSON writes v and a newline: compact, or indented by four spaces
// as ip -j -p does. It escapes no HTML: this is no web page.
func WriteJSON(w io.Writer, v any, pretty bool) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if pretty {
		enc.SetIndent("", "    ")
	}
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}
