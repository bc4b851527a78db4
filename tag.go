// SPDX-License-Identifier: MIT

package brcmlink

import (
	"fmt"
	"math/bits"
)

// TxTag is the tag of a frame the host sends to the switch.
type TxTag struct {
	// Opcode is OpNormal for port 0; for ports 1-27, OpEgressDirect in
	// FormatOriginal, OpEgressFE (ports 1-24) or OpEgressGE (ports
	// GEPortFirst-27) in FormatBCM53242.
	Opcode     uint8
	Queue      uint8 // traffic queue, 0-3
	TagEnforce uint8 // tag enforcement, 0-3
	// Dest is 0 with OpNormal; port + PortIDOffset with OpEgressDirect;
	// with OpEgressFE and OpEgressGE a bitmap of the switch's own port
	// numbers, one less than brcm's: 1<<(port-1) for ports 1-24,
	// 1<<(port-GEPortFirst) for ports GEPortFirst-27.
	Dest uint32
}

// TxTagFor returns the tag a device bound to port, on a lower of format
// f, with the given queue and tag enforcement, puts on the frames it
// sends. It panics on a Format it does not know (Format.Check refuses
// one), as on a programming error.
func TxTagFor(f Format, port uint16, queue, tagEnforce uint8) TxTag {
	if err := f.Check(); err != nil {
		panic("brcmlink: TxTagFor: " + err.Error())
	}
	t := TxTag{Queue: queue, TagEnforce: tagEnforce}
	switch {
	case port == 0:
		// OpNormal: the switch forwards by its address table.
	case f == FormatOriginal:
		t.Opcode, t.Dest = OpEgressDirect, uint32(port)+PortIDOffset
	case port < GEPortFirst:
		t.Opcode, t.Dest = OpEgressFE, 1<<(port-1)
	default:
		t.Opcode, t.Dest = OpEgressGE, 1<<(port-GEPortFirst)
	}
	return t
}

// Word encodes t as the 32-bit tag word, in host order.
func (t TxTag) Word() uint32 {
	return uint32(t.Opcode&opcodeMask)<<opcodeShift |
		uint32(t.Queue&txQueueMask)<<txQueueShift |
		uint32(t.TagEnforce&txTEMask)<<txTEShift |
		(t.Dest&txDstMask)<<txDstShift
}

// ParseTxTag decodes a host-to-switch tag word.
func ParseTxTag(w uint32) TxTag {
	return TxTag{
		Opcode:     uint8(w >> opcodeShift & opcodeMask),
		Queue:      uint8(w >> txQueueShift & txQueueMask),
		TagEnforce: uint8(w >> txTEShift & txTEMask),
		Dest:       w >> txDstShift & txDstMask,
	}
}

// Port returns the switch port a transmit tag is directed to, in either
// format: 0 for OpNormal without a destination; the destination less
// PortIDOffset for OpEgressDirect; for OpEgressFE and OpEgressGE, the
// port of the one bit of the destination bitmap. Any other tag, such as
// a bitmap of no port or of several, or a port beyond PortMax, is an
// error.
func (t TxTag) Port() (uint16, error) {
	var port uint32
	switch t.Opcode {
	case OpNormal:
		if t.Dest == 0 {
			return 0, nil
		}
	case OpEgressDirect:
		port = t.Dest - PortIDOffset // wraps below PortIDOffset: refused below
	case OpEgressFE, OpEgressGE:
		if t.Dest != 0 && t.Dest&(t.Dest-1) == 0 { // exactly one bit
			port = uint32(bits.TrailingZeros32(t.Dest)) + 1
			if t.Opcode == OpEgressGE {
				port += GEPortFirst - 1
			} else if port >= GEPortFirst {
				port = 0 // the Fast Ethernet opcode names ports below GEPortFirst only
			}
		}
	}
	if port >= 1 && port <= PortMax {
		return uint16(port), nil
	}
	return 0, fmt.Errorf("brcmlink: transmit tag opcode %d destination %#x names no port", t.Opcode, t.Dest)
}

// RxTag is the tag of a frame the switch sends to the host.
type RxTag struct {
	Opcode    uint8  // must be OpNormal
	Length    uint16 // frame octet count, 12 bits
	CoS       uint8  // class of service, 0-3
	Reason    uint8  // reason code, 6 bits
	Mirror    uint8  // mirror bits, 0-3
	SrcPortID uint8  // source port id: port + PortIDOffset
}

// RxTagFrom returns the tag the switch puts on a frame from port.
func RxTagFrom(port uint16) RxTag {
	return RxTag{SrcPortID: uint8(port + PortIDOffset)}
}

// Word encodes t as the 32-bit tag word, in host order.
func (t RxTag) Word() uint32 {
	return uint32(t.Opcode&opcodeMask)<<opcodeShift |
		uint32(t.Length&rxLenMask)<<rxLenShift |
		uint32(t.CoS&rxCoSMask)<<rxCoSShift |
		uint32(t.Reason&rxReasonMask)<<rxReasonShift |
		uint32(t.Mirror&rxMirrorMask)<<rxMirrorShift |
		uint32(t.SrcPortID&rxSrcMask)<<rxSrcShift
}

// ParseRxTag decodes a switch-to-host tag word.
func ParseRxTag(w uint32) RxTag {
	return RxTag{
		Opcode:    uint8(w >> opcodeShift & opcodeMask),
		Length:    uint16(w >> rxLenShift & rxLenMask),
		CoS:       uint8(w >> rxCoSShift & rxCoSMask),
		Reason:    uint8(w >> rxReasonShift & rxReasonMask),
		Mirror:    uint8(w >> rxMirrorShift & rxMirrorMask),
		SrcPortID: uint8(w >> rxSrcShift & rxSrcMask),
	}
}

// Port returns the switch port a receive tag names, or an error if the
// source port id is outside 1-27 after the offset.
func (t RxTag) Port() (uint16, error) {
	if t.SrcPortID <= PortIDOffset || t.SrcPortID > PortIDOffset+PortMax {
		return 0, fmt.Errorf("brcmlink: receive tag source port id %d is outside %d-%d",
			t.SrcPortID, PortIDOffset+1, PortIDOffset+PortMax)
	}
	return uint16(t.SrcPortID - PortIDOffset), nil
}
