// SPDX-License-Identifier: MIT

package brcmlink

import "net"

// Port describes one brcm device: a network device bound to a switch
// port through a lower (IMP) Ethernet device. The rtlink and genl
// packages both return it, so the same device reads the same through
// either netlink path.
type Port struct {
	Index      int    // ifindex of the brcm device
	Name       string // its name, like "eth0.p5"
	LowerIndex int    // ifindex of the lower device (IFLA_LINK), in the lower's netns
	Lower      string // name of the lower device, "" when it is in another netns
	// LowerNetNSID is the id the port's network namespace knows the
	// lower's by, when the lower is in another one (IFLA_LINK_NETNSID, as
	// `ip netns list-id` shows it); nil when the lower is in the port's.
	LowerNetNSID *int32
	Port         uint16 // switch port, 0 ("any") to PortMax
	Queue        uint8  // traffic queue put in transmit tags, 0-QueueMax
	TagEnforce   uint8  // tag enforcement put in transmit tags, 0-TagEnforceMax
	Format       Format // the tag format of its lower, which all the lower's ports share
	// QueueFromPriority is whether the port takes each frame's queue from
	// its priority (priority / 2) instead of Queue.
	QueueFromPriority bool
	// VLAN is the id of the 802.1Q header the port inserts after the tag
	// of every frame it sends, and takes off the frames it receives with
	// that id: 1-VLANMax, or 0 for none.
	VLAN      uint16
	Up        bool      // administratively up (IFF_UP)
	OperState OperState // operational state: OperUp, OperDown, OperLowerLayerDown, ...
	MTU       uint32
	// Flags are the device's IFF_* flags of <linux/if.h>, as RTM_GETLINK
	// reports them: IFF_UP, IFF_BROADCAST, IFF_LOWER_UP, ...
	Flags   uint32
	Address net.HardwareAddr // the device's MAC address
	Stats   *Stats           // nil when the source reports none
}

// Stats are a port's 64-bit counters, as the kernel keeps them exactly.
// Byte counts cover the untagged Ethernet frame: header and payload,
// without the Broadcom tag, padding or FCS.
type Stats struct {
	RxPackets   uint64
	RxBytes     uint64
	RxMulticast uint64
	RxDropped   uint64
	RxErrors    uint64
	TxPackets   uint64
	TxBytes     uint64
	TxDropped   uint64
}

// Lower describes a lower (IMP) device that has brcm ports, with the
// counters of its receive hook. Only the genl package reports it; it is
// here so that a program can print it beside the Ports.
type Lower struct {
	Index int    // ifindex of the lower device
	Name  string // its name, like "eth0"
	Ports int    // number of brcm devices bound to it, in any netns
	// Format is the tag format of all its ports (genl.Client.SetLowerFormat
	// changes it).
	Format Format
	Stats  LowerStats
}

// LowerStats count, in 64 bits, the tagged frames a lower received and
// the reasons its receive hook dropped one; `ethtool -S` shows them on
// each port as lower_rx_*.
type LowerStats struct {
	RxTagged      uint64 // ETH_P_BRCM frames received
	RxBadLength   uint64 // too short for the tag and the ethertype after it
	RxBadOpcode   uint64 // opcode other than OpNormal
	RxBadPortID   uint64 // source port id outside 1-PortMax after PortIDOffset
	RxUnknownPort uint64 // from a switch port without a device, on a lower without port 0
}
