// SPDX-License-Identifier: MIT

// Package brcmlink holds what the brcm kernel module and its Go clients
// share: the wire format of the Broadcom IMP-port tag, the rtnetlink
// attributes and the generic netlink family of
// kernel/include/uapi/linux/brcm.h, and the one vocabulary of the genl
// and rtlink clients: the Port and Lower they return, the Selector,
// AddRequest and SetRequest they take, the ranges the kernel checks, and
// the *Error and *OpError they fail with. The constants mirror the UAPI
// header, which is the single source of truth; a test checks every one
// of them against it.
package brcmlink

// Wire format.
const (
	EthPBrcm       = 0x8874 // ETH_P_BRCM
	TagLen         = 4      // BRCM_TAG_LEN: the 32-bit tag word
	HeaderLen      = 6      // BRCM_HLEN: ethertype and tag
	MinFrameLen    = 66     // BRCM_MIN_FRAME_LEN: tagged frame, no FCS
	PortMax        = 27     // BRCM_PORT_MAX
	QueueMax       = 3      // BRCM_QUEUE_MAX
	TagEnforceMax  = 3      // BRCM_TAG_ENFORCE_MAX
	PortIDOffset   = 23     // BRCM_PORT_ID_OFFSET
	OpNormal       = 0      // BRCM_OP_NORMAL
	VLANMax        = 4094   // BRCM_VLAN_MAX: the highest VLAN id a port inserts
	OpEgressDirect = 2      // BRCM_OP_EGRESS_DIRECTED: FormatOriginal's opcode for ports 1-27
	OpEgressFE     = 4      // BRCM_OP_EGRESS_FE: FormatBCM53242's for ports 1-24
	OpEgressGE     = 5      // BRCM_OP_EGRESS_GE: FormatBCM53242's for ports GEPortFirst-27
	GEPortFirst    = 25     // BRCM_GE_PORT_FIRST
	opcodeShift    = 29     // BRCM_OPCODE_SHIFT
	opcodeMask     = 0x7    // BRCM_OPCODE_MASK
	txQueueShift   = 27     // BRCM_TX_QUEUE_SHIFT
	txQueueMask    = 0x3    // BRCM_TX_QUEUE_MASK
	txTEShift      = 25     // BRCM_TX_TE_SHIFT
	txTEMask       = 0x3    // BRCM_TX_TE_MASK
	txDstShift     = 0      // BRCM_TX_DST_SHIFT
	txDstMask      = 0x1ffffff
	rxLenShift     = 17    // BRCM_RX_LEN_SHIFT
	rxLenMask      = 0xfff // BRCM_RX_LEN_MASK
	rxCoSShift     = 14    // BRCM_RX_COS_SHIFT
	rxCoSMask      = 0x3   // BRCM_RX_COS_MASK
	rxReasonShift  = 8     // BRCM_RX_REASON_SHIFT
	rxReasonMask   = 0x3f  // BRCM_RX_REASON_MASK
	rxMirrorShift  = 6     // BRCM_RX_MIRROR_SHIFT
	rxMirrorMask   = 0x3   // BRCM_RX_MIRROR_MASK
	rxSrcShift     = 0     // BRCM_RX_SRC_SHIFT
	rxSrcMask      = 0x3f  // BRCM_RX_SRC_MASK
)

// Tag formats (enum brcm_format): how a transmit tag names its
// destination. A lower's ports all share one.
const (
	// FormatBCM53242 is the BCM53242 family's own (BCM53242, BCM53262):
	// opcode OpEgressFE or OpEgressGE and a bitmap of the switch's ports.
	// The kernel's default.
	FormatBCM53242 Format = 0 // BRCM_FORMAT_BCM53242
	// FormatOriginal is the original 2.6 module's: opcode OpEgressDirect
	// and the port id, port + PortIDOffset.
	FormatOriginal Format = 1 // BRCM_FORMAT_ORIGINAL
	FormatMax      Format = 1 // BRCM_FORMAT_MAX
)

// Link attributes nested in IFLA_INFO_DATA for kind "brcm".
const (
	IFLABrcmUnspec        = 0 // IFLA_BRCM_UNSPEC
	IFLABrcmPort          = 1 // IFLA_BRCM_PORT: u16
	IFLABrcmQueue         = 2 // IFLA_BRCM_QUEUE: u8
	IFLABrcmTagEnforce    = 3 // IFLA_BRCM_TAG_ENFORCE: u8
	IFLABrcmFormat        = 4 // IFLA_BRCM_FORMAT: u8, a Format
	IFLABrcmQueueFromPrio = 5 // IFLA_BRCM_QUEUE_FROM_PRIO: u8, 0 or 1
	IFLABrcmVLAN          = 6 // IFLA_BRCM_VLAN: u16, 0 for none
	IFLABrcmMax           = 6 // IFLA_BRCM_MAX
)

// Kind is the rtnetlink link kind of a brcm device.
const Kind = "brcm"

// The generic netlink family: its name, version and multicast group.
const (
	GenlName         = "brcm"    // BRCM_GENL_NAME
	GenlVersion      = 1         // BRCM_GENL_VERSION
	GenlMcgrpMonitor = "monitor" // BRCM_GENL_MCGRP_MONITOR: port events
)

// Commands of the generic netlink family (enum brcm_cmd).
const (
	CmdUnspec  = 0 // BRCM_CMD_UNSPEC
	CmdPortNew = 1 // BRCM_CMD_PORT_NEW: create a port; as an event, one was created
	CmdPortDel = 2 // BRCM_CMD_PORT_DEL: delete a port; as an event, one was deleted
	CmdPortSet = 3 // BRCM_CMD_PORT_SET: change a port; as an event, one changed
	CmdPortGet = 4 // BRCM_CMD_PORT_GET: one port, or a dump of them
	CmdLinkGet = 5 // BRCM_CMD_LINK_GET: one lower with its counters, or a dump
	CmdLinkSet = 6 // BRCM_CMD_LINK_SET: change the tag format of a lower's ports
	CmdMax     = 6 // BRCM_CMD_MAX
)

// Top-level attributes of the generic netlink family (enum brcm_attr).
const (
	AttrUnspec        = 0  // BRCM_A_UNSPEC
	AttrPad           = 1  // BRCM_A_PAD: aligns 64-bit attributes
	AttrIfindex       = 2  // BRCM_A_IFINDEX: u32
	AttrIfname        = 3  // BRCM_A_IFNAME: string
	AttrLowerIfindex  = 4  // BRCM_A_LOWER_IFINDEX: u32
	AttrLowerIfname   = 5  // BRCM_A_LOWER_IFNAME: string
	AttrLinkNetnsid   = 6  // BRCM_A_LINK_NETNSID: s32, the lower is in another netns
	AttrPort          = 7  // BRCM_A_PORT: u16
	AttrQueue         = 8  // BRCM_A_QUEUE: u8
	AttrTagEnforce    = 9  // BRCM_A_TAG_ENFORCE: u8
	AttrAdminUp       = 10 // BRCM_A_ADMIN_UP: u8, 0 or 1
	AttrOperState     = 11 // BRCM_A_OPERSTATE: u8, IF_OPER_*
	AttrMTU           = 12 // BRCM_A_MTU: u32
	AttrStats         = 13 // BRCM_A_STATS: nested StatsAttr*
	AttrNrPorts       = 14 // BRCM_A_NR_PORTS: u32
	AttrLowerStats    = 15 // BRCM_A_LOWER_STATS: nested LowerStatsAttr*
	AttrAll           = 16 // BRCM_A_ALL: flag, every port of the lower
	AttrIfindexList   = 17 // BRCM_A_IFINDEX_LIST: nested u32 ifindexes
	AttrFlags         = 18 // BRCM_A_FLAGS: u32, IFF_*
	AttrAddress       = 19 // BRCM_A_ADDRESS: binary, the hardware address
	AttrFormat        = 20 // BRCM_A_FORMAT: u8, a Format
	AttrQueueFromPrio = 21 // BRCM_A_QUEUE_FROM_PRIO: u8, 0 or 1
	AttrVLAN          = 22 // BRCM_A_VLAN: u16, 0 for none
	AttrMax           = 22 // BRCM_A_MAX
)

// A port's counters, nested in AttrStats (enum brcm_stats_attr); u64 each.
const (
	StatsAttrUnspec      = 0 // BRCM_STATS_A_UNSPEC
	StatsAttrPad         = 1 // BRCM_STATS_A_PAD
	StatsAttrRxPackets   = 2 // BRCM_STATS_A_RX_PACKETS
	StatsAttrRxBytes     = 3 // BRCM_STATS_A_RX_BYTES
	StatsAttrRxMulticast = 4 // BRCM_STATS_A_RX_MULTICAST
	StatsAttrRxDropped   = 5 // BRCM_STATS_A_RX_DROPPED
	StatsAttrRxErrors    = 6 // BRCM_STATS_A_RX_ERRORS
	StatsAttrTxPackets   = 7 // BRCM_STATS_A_TX_PACKETS
	StatsAttrTxBytes     = 8 // BRCM_STATS_A_TX_BYTES
	StatsAttrTxDropped   = 9 // BRCM_STATS_A_TX_DROPPED
	StatsAttrMax         = 9 // BRCM_STATS_A_MAX
)

// A lower's counters, nested in AttrLowerStats (enum
// brcm_lower_stats_attr); u64 each.
const (
	LowerStatsAttrUnspec        = 0 // BRCM_LOWER_STATS_A_UNSPEC
	LowerStatsAttrPad           = 1 // BRCM_LOWER_STATS_A_PAD
	LowerStatsAttrRxTagged      = 2 // BRCM_LOWER_STATS_A_RX_TAGGED
	LowerStatsAttrRxBadLen      = 3 // BRCM_LOWER_STATS_A_RX_BAD_LEN
	LowerStatsAttrRxBadOpcode   = 4 // BRCM_LOWER_STATS_A_RX_BAD_OPCODE
	LowerStatsAttrRxBadPortID   = 5 // BRCM_LOWER_STATS_A_RX_BAD_PORT_ID
	LowerStatsAttrRxUnknownPort = 6 // BRCM_LOWER_STATS_A_RX_UNKNOWN_PORT
	LowerStatsAttrMax           = 6 // BRCM_LOWER_STATS_A_MAX
)
