// SPDX-License-Identifier: MIT

// Package swmodel is a software model of a BCM53242 switch as the brcm
// kernel module sees it through the switch's IMP port, for tests and
// demos without the hardware.
//
// A Switch reads and writes raw frames (AF_PACKET) on one IMP interface
// and on one interface per switch port, in the caller's network
// namespace:
//
//   - A tagged frame from the host (IMP interface) is checked field by
//     field in the model's tag format (Options.Format, SetFormat):
//     brcmlink.FormatBCM53242, the BCM53242 family's own and the
//     default, or brcmlink.FormatOriginal, the original 2.6 module's. A frame whose tag names
//     a port leaves by that port; one with opcode 0 and destination 0
//     leaves by the port the address table learned for its destination
//     MAC, or by every port when the destination is unknown, broadcast
//     or multicast. The tag is stripped on the way, and so is the inner
//     802.1Q header a port with an inner VLAN id (Options.InnerVLAN,
//     SetInnerVLAN) must send. A frame a real chip would not accept (an
//     opcode the format does not have, a destination naming no port or
//     not exactly one, a missing or wrong inner header, a runt) is
//     dropped and counted by reason (Stats.Drops); accepted ones are
//     counted by queue (Stats.Queues). TapHost shows each frame's
//     decoded fields; DecodeHostFrame and DecodeTxTag decode captures
//     the same way.
//   - A frame from a switch port is padded to the Ethernet minimum of 60
//     bytes, as the wire would have done, gets a receive tag naming the
//     port and its length, and goes to the host. Its source MAC is
//     learned. The model does not switch between ports: everything a port
//     receives goes to the IMP, as if the ports were isolated from each
//     other.
//
// The model behaves like a NIC with generic checksum offload: a frame the
// kernel hands over with an unfinished (CHECKSUM_PARTIAL) L4 checksum, as
// veth does, has the checksum completed before it is forwarded, so the
// receiving stack really verifies it. Only Internet checksums are
// completed; SCTP's CRC32c offload is not modelled (Build turns it off).
// VLAN tags the receiving kernel moved out of a frame are put back.
//
// Build creates a topology of veth pairs and network namespaces for it.
package swmodel
