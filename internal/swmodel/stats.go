// SPDX-License-Identifier: MIT

package swmodel

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
)

// DropReason says why the model dropped a frame.
type DropReason int

const (
	// DropRunt: a frame from the host shorter than MinFrameLen tagged,
	// i.e. shorter than 60 bytes once the tag is stripped.
	DropRunt DropReason = iota
	// DropUntagged: a frame from the host whose ethertype is not EthPBrcm.
	DropUntagged
	// DropBadOpcode: a transmit tag whose opcode the model's format
	// does not have (DecodeTxTag).
	DropBadOpcode
	// DropBadDest: a transmit tag whose destination names no port for
	// its opcode: not exactly one bitmap bit of a port, a port id out
	// of range, or any destination with opcode 0 (DecodeTxTag).
	DropBadDest
	// DropNoPort: a transmit tag naming a port the model does not have.
	DropNoPort
	// DropInnerVLAN: a frame to a port with an inner VLAN id
	// (Options.InnerVLAN) without an 802.1Q header of that id right
	// after the tag.
	DropInnerVLAN
	// DropGSO: a GSO frame, larger than the MTU. Turn TSO/GSO/GRO off on
	// the interfaces around the model (Build does).
	DropGSO
	// DropOversize: a frame too long for the interface it would leave by,
	// or for the 12-bit length of a receive tag.
	DropOversize
	// DropOffload: a checksum offload request pointing outside the frame.
	DropOffload
	// DropSendError: writing the frame failed for another reason.
	DropSendError
	// DropOverrun: frames the kernel dropped because the model's receive
	// queue was full.
	DropOverrun

	// NumDropReasons is the number of drop reasons.
	NumDropReasons
)

var dropNames = [NumDropReasons]string{
	"runt", "untagged", "bad-opcode", "bad-dest", "no-port", "inner-vlan", "gso", "oversize", "offload", "send-error", "overrun",
}

func (r DropReason) String() string {
	if r < 0 || r >= NumDropReasons {
		return fmt.Sprintf("DropReason(%d)", int(r))
	}
	return dropNames[r]
}

// Counters count the frames and bytes an interface of the model received
// (Rx, every frame read, dropped or not) and sent (Tx, frames written
// successfully). Bytes are whole Ethernet frames as read or written:
// tagged on the IMP, untagged on ports, without FCS.
type Counters struct {
	RxFrames, RxBytes uint64
	TxFrames, TxBytes uint64
}

// Stats is a snapshot of the model's counters.
type Stats struct {
	IMP   Counters            // the link to the host
	Ports map[uint16]Counters // every port of the model, by number

	// How frames from the host with a valid tag went out: Directed by
	// an egress-directed tag, Forwarded to the one port the address
	// table knows for the destination, Flooded to all ports.
	Directed, Forwarded, Flooded uint64
	// Queues counts those frames by the traffic queue of their tag.
	Queues [4]uint64
	// Checksummed counts frames whose L4 checksum the model completed.
	Checksummed uint64
	// Drops counts dropped frames by reason. A flooded frame that
	// fails on two ports counts twice.
	Drops [NumDropReasons]uint64
}

// Dropped is the sum of all drops.
func (s Stats) Dropped() uint64 {
	var n uint64
	for _, d := range s.Drops {
		n += d
	}
	return n
}

func (s Stats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "imp     %v\n", s.IMP)
	for _, p := range slices.Sorted(maps.Keys(s.Ports)) {
		fmt.Fprintf(&b, "port %-2d %v\n", p, s.Ports[p])
	}
	fmt.Fprintf(&b, "from host: directed %d forwarded %d flooded %d; queues %d %d %d %d; checksummed %d\ndrops:",
		s.Directed, s.Forwarded, s.Flooded, s.Queues[0], s.Queues[1], s.Queues[2], s.Queues[3], s.Checksummed)
	for r, n := range s.Drops {
		if n != 0 {
			fmt.Fprintf(&b, " %v %d", DropReason(r), n)
		}
	}
	if s.Dropped() == 0 {
		b.WriteString(" none")
	}
	b.WriteString("\n")
	return b.String()
}

func (c Counters) String() string {
	return fmt.Sprintf("rx %d frames %d bytes, tx %d frames %d bytes",
		c.RxFrames, c.RxBytes, c.TxFrames, c.TxBytes)
}

// counters is the live, concurrently updated form of Counters.
type counters struct {
	rxFrames, rxBytes, txFrames, txBytes atomic.Uint64
}

func (c *counters) rx(n int) {
	c.rxFrames.Add(1)
	c.rxBytes.Add(uint64(n))
}

func (c *counters) tx(n int) {
	c.txFrames.Add(1)
	c.txBytes.Add(uint64(n))
}

func (c *counters) snapshot() Counters {
	return Counters{
		RxFrames: c.rxFrames.Load(), RxBytes: c.rxBytes.Load(),
		TxFrames: c.txFrames.Load(), TxBytes: c.txBytes.Load(),
	}
}
