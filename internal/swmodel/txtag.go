// SPDX-License-Identifier: MIT

package swmodel

import (
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/brcmlink/brcmlink"
)

// The model decodes transmit tags on its own, from the facts of
// docs/wire-format.md, and not with package brcmlink's encoder: it is the
// independent check of what the kernel and that encoder write.

// The model's format is a brcmlink.Format, FormatBCM53242 (the zero
// value, the kernel's default) or FormatOriginal; only its number is
// taken from package brcmlink.

// The transmit tag word, bits 31-29 opcode, 28-27 queue, 26-25 tag
// enforcement, 24-0 destination.
const (
	txOpcodeShift = 29
	txQueueShift  = 27
	txTEShift     = 25
	txDestBits    = 25

	opNormal   = 0 // both formats: the switch's address table decides
	opDirected = 2 // FormatOriginal: to port id dest, port + 23
	opEgressFE = 4 // FormatBCM53242: to chip port c of 0-23, bitmap 1<<c
	opEgressGE = 5 // FormatBCM53242: to chip port 24+c, bitmap 1<<c

	portIDOffset = 23 // FormatOriginal: port p is id p + 23
	fePorts      = 24 // FormatBCM53242: brcm ports 1-24 are chip ports 0-23
	gePorts      = 3  // and brcm ports 25-27 chip ports 24-26
	maxPort      = fePorts + gePorts

	innerTPID = 0x8100 // the inner 802.1Q header's
)

// TxTag is a transmit tag as the model decoded it.
type TxTag struct {
	Word       uint32 // the tag word, in host order
	Opcode     uint8  // bits 31-29
	Queue      uint8  // bits 28-27: traffic queue, 0-3
	TagEnforce uint8  // bits 26-25: tag enforcement, 0-3
	Dest       uint32 // bits 24-0, as they are: a bitmap or a port id
	Port       uint16 // the port Dest names, 1-27; 0 for the address table
}

// DecodeTxTag decodes tag word w in format f and checks it as the switch
// would: opcode 0 with destination 0 leaves the frame to the address
// table (port 0) in both formats. In FormatBCM53242, opcode 4 needs a
// destination of exactly one bit among bits 0-23 and opcode 5 exactly
// one among bits 0-2; in FormatOriginal, opcode 2 needs a port id of
// 24-50. Any other opcode is DropBadOpcode, any other destination
// DropBadDest. The fields are filled in even when the tag is refused.
func DecodeTxTag(f brcmlink.Format, w uint32) (TxTag, DropReason, bool) {
	t := TxTag{
		Word:       w,
		Opcode:     uint8(w >> txOpcodeShift),
		Queue:      uint8(w >> txQueueShift & 3),
		TagEnforce: uint8(w >> txTEShift & 3),
		Dest:       w & (1<<txDestBits - 1),
	}
	oneBit := bits.OnesCount32(t.Dest) == 1
	bit := uint16(bits.TrailingZeros32(t.Dest))
	switch {
	case t.Opcode == opNormal:
		if t.Dest != 0 {
			return t, DropBadDest, false
		}
	case f == brcmlink.FormatBCM53242 && t.Opcode == opEgressFE:
		if !oneBit || bit >= fePorts {
			return t, DropBadDest, false
		}
		t.Port = bit + 1
	case f == brcmlink.FormatBCM53242 && t.Opcode == opEgressGE:
		if !oneBit || bit >= gePorts {
			return t, DropBadDest, false
		}
		t.Port = fePorts + bit + 1
	case f == brcmlink.FormatOriginal && t.Opcode == opDirected:
		if t.Dest <= portIDOffset || t.Dest > portIDOffset+maxPort {
			return t, DropBadDest, false
		}
		t.Port = uint16(t.Dest - portIDOffset)
	default:
		return t, DropBadOpcode, false
	}
	return t, 0, true
}

// HostFrame is a frame from the host as the model read it.
type HostFrame struct {
	Format brcmlink.Format // the format the model decoded it in
	Tag    TxTag           // valid once the frame is long enough to hold a tag
	// Inner says the frame carried the inner 802.1Q header of the port
	// its tag names (Options.InnerVLAN), with InnerTCI: priority << 13
	// | VLAN id. The model takes it off before the frame leaves. It is
	// false for a port without an inner VLAN, whose frames may carry
	// an 802.1Q header of their own, left in place.
	Inner    bool
	InnerTCI uint16
	// Dropped says the model dropped the frame, Drop why.
	Dropped bool
	Drop    DropReason
	// Frame is the frame as the wire carried it: tagged, with the inner
	// header, after checksum completion.
	Frame []byte
}

// Priority returns the priority bits of the inner header.
func (h HostFrame) Priority() uint8 { return uint8(h.InnerTCI >> 13) }

// VLAN returns the VLAN id of the inner header.
func (h HostFrame) VLAN() uint16 { return h.InnerTCI & 0xfff }

// Len returns the length of the frame as it leaves a port: without the
// Broadcom header and the inner header.
func (h HostFrame) Len() int {
	n := len(h.Frame) - brcmlink.HeaderLen
	if h.Inner {
		n -= vlanHdrLen
	}
	return n
}

func (h HostFrame) String() string {
	s := fmt.Sprintf("%v tag %08x opcode %d queue %d te %d dest %#x port %d",
		h.Format, h.Tag.Word, h.Tag.Opcode, h.Tag.Queue, h.Tag.TagEnforce, h.Tag.Dest, h.Tag.Port)
	if h.Inner {
		s += fmt.Sprintf(" inner vlan %d prio %d", h.VLAN(), h.Priority())
	}
	if h.Dropped {
		s += " dropped: " + h.Drop.String()
	}
	return s
}

// DecodeHostFrame checks a frame from the host as the model does in
// format f, where innerVLAN gives the inner VLAN id of the ports that
// have one (0-27; 0 or absent: none). It does not say whether the model
// has the port the tag names (DropNoPort).
func DecodeHostFrame(f brcmlink.Format, innerVLAN map[uint16]uint16, frame []byte) HostFrame {
	return decodeHostFrame(f, func(p uint16) uint16 { return innerVLAN[p] }, frame)
}

// decodeHostFrame checks, in this order: an Ethernet header (else
// DropRunt) with ethertype EthPBrcm (DropUntagged) and a whole tag
// (DropRunt); the tag (DropBadOpcode, DropBadDest); for a port with an
// inner VLAN id, an 802.1Q header with that id right after the tag
// (DropInnerVLAN); and the Ethernet minimum of 60 bytes once the tag and
// the inner header are off (DropRunt): the kernel pads to 66 bytes, 70
// with an inner header.
func decodeHostFrame(f brcmlink.Format, innerVLAN func(port uint16) uint16, frame []byte) HostFrame {
	h := HostFrame{Format: f, Frame: frame}
	drop := func(r DropReason) HostFrame {
		h.Dropped, h.Drop = true, r
		return h
	}
	if len(frame) < ethHdrLen {
		return drop(DropRunt)
	}
	if binary.BigEndian.Uint16(frame[ethAddrsLen:]) != brcmlink.EthPBrcm {
		return drop(DropUntagged)
	}
	if len(frame) < ethAddrsLen+brcmlink.HeaderLen {
		return drop(DropRunt)
	}
	var r DropReason
	var ok bool
	if h.Tag, r, ok = DecodeTxTag(f, binary.BigEndian.Uint32(frame[ethAddrsLen+2:])); !ok {
		return drop(r)
	}
	if vid := innerVLAN(h.Tag.Port); vid != 0 {
		at := ethAddrsLen + brcmlink.HeaderLen
		if len(frame) < at+vlanHdrLen || binary.BigEndian.Uint16(frame[at:]) != innerTPID {
			return drop(DropInnerVLAN)
		}
		tci := binary.BigEndian.Uint16(frame[at+2:])
		if tci&0xfff != vid {
			return drop(DropInnerVLAN)
		}
		h.Inner, h.InnerTCI = true, tci
	}
	if h.Len() < ethMinLen {
		return drop(DropRunt)
	}
	return h
}

// checkInnerVLAN checks an inner VLAN id for port.
func checkInnerVLAN(port, vid uint16) error {
	if port > maxPort || vid > 4094 {
		return fmt.Errorf("swmodel: inner VLAN %d for port %d: want port 0-%d, VLAN 1-4094 (0 for none)", vid, port, maxPort)
	}
	return nil
}
