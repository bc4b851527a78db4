// SPDX-License-Identifier: MIT

package brcmlink

import "fmt"

// TxTag is the tag of a frame the host sends to the switch.
type TxTag struct {
	Opcode     uint8  // OpEgressDirect for ports 1-27, OpNormal for port 0
	Queue      uint8  // traffic queue, 0-3
	TagEnforce uint8  // tag enforcement, 0-3
	Dest       uint32 // port + PortIDOffset, or 0 with OpNormal
}

// TxTagFor returns the tag a device bound to port, with the given queue
// and tag enforcement, puts on the frames it sends.
func TxTagFor(port uint16, queue, tagEnforce uint8) TxTag {
	t := TxTag{Queue: queue, TagEnforce: tagEnforce}
	if port != 0 {
		t.Opcode = OpEgressDirect
		t.Dest = uint32(port) + PortIDOffset
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

// Port returns the switch port a transmit tag is directed to: 0 for
// OpNormal, the destination less PortIDOffset for OpEgressDirect.
func (t TxTag) Port() (uint16, error) {
	switch {
	case t.Opcode == OpNormal && t.Dest == 0:
		return 0, nil
	case t.Opcode == OpEgressDirect && t.Dest > PortIDOffset && t.Dest <= PortIDOffset+PortMax:
		return uint16(t.Dest - PortIDOffset), nil
	}
	return 0, fmt.Errorf("brcmlink: transmit tag opcode %d destination %d names no port", t.Opcode, t.Dest)
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
