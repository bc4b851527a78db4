// Package brcmlink holds what the brcm kernel module and its Go clients
// share: the wire format of the Broadcom IMP-port tag, the netlink
// attribute numbers of kernel/include/uapi/linux/brcm.h, and the types
// that describe a port. The constants mirror the UAPI header, which is the
// single source of truth; a test checks every one of them against it.
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
	OpEgressDirect = 2      // BRCM_OP_EGRESS_DIRECTED
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
	rxCoSShift     = 15    // BRCM_RX_COS_SHIFT
	rxCoSMask      = 0x3   // BRCM_RX_COS_MASK
	rxReasonShift  = 8     // BRCM_RX_REASON_SHIFT
	rxReasonMask   = 0x3f  // BRCM_RX_REASON_MASK
	rxMirrorShift  = 6     // BRCM_RX_MIRROR_SHIFT
	rxMirrorMask   = 0x3   // BRCM_RX_MIRROR_MASK
	rxSrcShift     = 0     // BRCM_RX_SRC_SHIFT
	rxSrcMask      = 0x3f  // BRCM_RX_SRC_MASK
)

// Link attributes nested in IFLA_INFO_DATA for kind "brcm".
const (
	IFLABrcmUnspec     = 0 // IFLA_BRCM_UNSPEC
	IFLABrcmPort       = 1 // IFLA_BRCM_PORT: u16
	IFLABrcmQueue      = 2 // IFLA_BRCM_QUEUE: u8
	IFLABrcmTagEnforce = 3 // IFLA_BRCM_TAG_ENFORCE: u8
	IFLABrcmMax        = 3 // IFLA_BRCM_MAX
)

// Kind is the rtnetlink link kind of a brcm device.
const Kind = "brcm"
