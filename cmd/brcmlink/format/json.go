// SPDX-License-Identifier: MIT

package format

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/brcmlink/brcmlink"
)

// PortJSON is a port as -json prints it, with the names of `ip -j link`
// where ip has the same thing. When the lower device is in another
// namespace, Link, its name, which means nothing here, is left out, and
// LinkNetnsid, which ip gives then, is there.
type PortJSON struct {
	Ifindex     int             `json:"ifindex"`
	Ifname      string          `json:"ifname"`
	Link        string          `json:"link,omitempty"`
	LinkIfindex int             `json:"link_ifindex"`
	LinkNetnsid *int32          `json:"link_netnsid,omitempty"`
	Port        uint16          `json:"port"`
	Queue       uint8           `json:"queue"`
	TagEnforce  uint8           `json:"tag_enforce"`
	AdminUp     bool            `json:"admin_up"`
	Operstate   string          `json:"operstate"`
	MTU         uint32          `json:"mtu"`
	Stats64     *Stats64JSON    `json:"stats64,omitempty"`     // -s
	LowerStats  *LowerStatsJSON `json:"lower_stats,omitempty"` // -s -s: the lower's counters
}

// Stats64JSON are a port's counters, shaped like stats64 of `ip -j -s
// link`. The module counts no transmit errors: tx.errors is always 0.
type Stats64JSON struct {
	RX struct {
		Bytes     uint64 `json:"bytes"`
		Packets   uint64 `json:"packets"`
		Errors    uint64 `json:"errors"`
		Dropped   uint64 `json:"dropped"`
		Multicast uint64 `json:"multicast"`
	} `json:"rx"`
	TX struct {
		Bytes   uint64 `json:"bytes"`
		Packets uint64 `json:"packets"`
		Errors  uint64 `json:"errors"`
		Dropped uint64 `json:"dropped"`
	} `json:"tx"`
}

// LowerJSON is a lower device as stats -json prints it.
type LowerJSON struct {
	Ifindex int            `json:"ifindex"`
	Ifname  string         `json:"ifname"`
	Ports   int            `json:"ports"`
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
		Ifindex:     p.Index,
		Ifname:      p.Name,
		Link:        p.Lower,
		LinkIfindex: p.LowerIndex,
		LinkNetnsid: p.LowerNetNSID,
		Port:        p.Port,
		Queue:       p.Queue,
		TagEnforce:  p.TagEnforce,
		AdminUp:     p.Up,
		Operstate:   p.OperState.String(),
		MTU:         p.MTU,
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
			j.LowerStats = &s
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
	return LowerJSON{Ifindex: l.Index, Ifname: l.Name, Ports: l.Ports, Stats: lowerStats(l.Stats)}
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
