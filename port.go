package brcmlink

// Port describes one brcm device: a network device bound to a switch
// port through a lower (IMP) Ethernet device. The rtlink and genl
// packages both return it, so the same device reads the same through
// either netlink path.
type Port struct {
	Index      int    // ifindex of the brcm device
	Name       string // its name, like "eth0.p5"
	LowerIndex int    // ifindex of the lower device (IFLA_LINK)
	Lower      string // name of the lower device, "" when it is in another netns
	Port       uint16 // switch port, 0 ("any") to PortMax
	Queue      uint8  // traffic queue put in transmit tags, 0-QueueMax
	TagEnforce uint8  // tag enforcement put in transmit tags, 0-TagEnforceMax
	Up         bool   // administratively up (IFF_UP)
	OperState  string // operational state as "ip link" prints it: "UP", "DOWN", "LOWERLAYERDOWN", ...
	MTU        uint32
	Stats      *Stats // nil when the source reports none
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
