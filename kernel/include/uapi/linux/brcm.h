/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * brcm: one network device per port of a Broadcom switch (BCM53242 and
 * kin) reached through the switch's IMP port.
 *
 * Documentation
 * =============
 *
 * Wire format
 * -----------
 *
 * Every frame between the host and the switch's IMP port carries a 4-byte
 * tag after the source MAC address, under ethertype ETH_P_BRCM:
 *
 *    destination MAC (6) | source MAC (6) | ETH_P_BRCM (2) |
 *    tag (4, one big-endian 32-bit word) | encapsulated ethertype (2) |
 *    payload
 *
 * The tag is decoded with the BRCM_TX_* and BRCM_RX_* shifts and masks
 * below, applied to the tag in host byte order (after be32_to_cpu/ntohl).
 *
 * Host to switch (transmit), in the lower's tag format (BRCM_FORMAT_*):
 *
 *    bits 31-29  opcode: BRCM_OP_NORMAL for port 0 ("any"); for a device
 *                bound to switch port 1-27, BRCM_OP_EGRESS_FE to port
 *                1-24 and BRCM_OP_EGRESS_GE to 25-27 in BRCM_FORMAT_BCM53242,
 *                BRCM_OP_EGRESS_DIRECTED in BRCM_FORMAT_ORIGINAL
 *    bits 28-27  traffic queue, 0-3
 *    bits 26-25  tag enforcement, 0-3
 *    bits 24-0   destination, 0 for port 0; else BRCM_FORMAT_BCM53242: a
 *                bitmap of the switch's own port numbers, which are one
 *                less than brcm's: 1 << (port - 1) for port 1-24,
 *                1 << (port - 25) for port 25-27; BRCM_FORMAT_ORIGINAL:
 *                port + BRCM_PORT_ID_OFFSET
 *
 * A port with a VLAN id (IFLA_BRCM_VLAN) sends an 802.1Q header right
 * after the tag: ETH_P_8021Q and the id, with the priority bits of the
 * frame's priority. It takes that header off the frames it receives
 * with the same id, before anything else sees them.
 *
 * A frame's priority is the priority bits of the 802.1Q header it
 * carries from a VLAN device on the port, else skb->priority, taken as
 * 7 when above 7. A port with IFLA_BRCM_QUEUE_FROM_PRIO sends each frame
 * to queue priority / 2 instead of its fixed queue.
 *
 * Switch to host (receive):
 *
 *    bits 31-29  opcode, must be BRCM_OP_NORMAL
 *    bits 28-17  frame octet count
 *    bit  16     reserved
 *    bits 15-14  class of service
 *    bits 13-8   reason code
 *    bits 7-6    mirror
 *    bits 5-0    source port id: port + BRCM_PORT_ID_OFFSET, port 1-27
 *
 * Transmitted frames are padded to at least BRCM_MIN_FRAME_LEN bytes
 * (without FCS): the switch checks the 60-byte minimum after it strips
 * the tag.
 *
 * The link type
 * -------------
 *
 * A brcm device is created with RTM_NEWLINK, IFLA_INFO_KIND "brcm", the
 * lower (IMP) device in IFLA_LINK, and IFLA_INFO_DATA holding:
 *
 *    IFLA_BRCM_PORT: NLA_U16, 0-BRCM_PORT_MAX, required on creation and
 *                    immutable afterwards (RTM_NEWLINK on an existing
 *                    device may repeat the same value). 0 binds the
 *                    "any" port: it sends frames the switch forwards by
 *                    its address table, and receives every frame from a
 *                    switch port no other device on the lower is bound to.
 *    IFLA_BRCM_QUEUE: NLA_U8, 0-BRCM_QUEUE_MAX, default 0, changeable
 *    IFLA_BRCM_TAG_ENFORCE: NLA_U8, 0-BRCM_TAG_ENFORCE_MAX, default 0,
 *                           changeable
 *    IFLA_BRCM_FORMAT: NLA_U8, BRCM_FORMAT_*, the tag format of the
 *                      lower, which all its ports share: the first port
 *                      sets it (default BRCM_FORMAT_BCM53242), every
 *                      other may only repeat it. The only port of a
 *                      lower may change it; BRCM_CMD_LINK_SET changes it
 *                      for all ports of a lower at once.
 *    IFLA_BRCM_QUEUE_FROM_PRIO: NLA_U8, 0 or 1, default 0, changeable:
 *                               1 takes each frame's queue from its
 *                               priority instead of IFLA_BRCM_QUEUE
 *    IFLA_BRCM_VLAN: NLA_U16, 0-BRCM_VLAN_MAX, default 0 (none),
 *                    changeable: the VLAN id of the 802.1Q header the
 *                    port inserts after the tag and takes off on receive
 *
 * Each port number is bound at most once per lower device. RTM_GETLINK
 * reports all six attributes. Errors carry an extended ack message
 * naming the problem and the value.
 *
 * Counters of the lower
 * ---------------------
 *
 * The receive hook of each lower device that has ports counts, in 64 bits,
 * every ETH_P_BRCM frame it saw and each reason it dropped one before a
 * port had it: BRCM_LOWER_STATS_A_* below. Generic netlink reports them
 * with BRCM_CMD_LINK_GET; `ethtool -S` on any port shows its lower's.
 *
 * The generic netlink family
 * --------------------------
 *
 * Family BRCM_GENL_NAME, version BRCM_GENL_VERSION, works in the network
 * namespace of the socket. Every attribute is a top-level BRCM_A_* but for
 * the two nested statistics blocks. Unknown attributes are rejected
 * (strict validation). Commands that change something need CAP_NET_ADMIN
 * in the user namespace owning the network namespace; reads are open.
 * Errors carry an extended-ack message naming the problem and the value.
 *
 * A port is selected by exactly one of:
 *
 *    BRCM_A_IFINDEX: NLA_U32
 *    BRCM_A_IFNAME: NLA_NUL_STRING, at most IFNAMSIZ - 1 bytes
 *    a lower (BRCM_A_LOWER_IFINDEX or BRCM_A_LOWER_IFNAME, not both) and
 *    BRCM_A_PORT
 *
 * BRCM_CMD_PORT_NEW
 * ~~~~~~~~~~~~~~~~~
 *
 * NLM_F_REQUEST. Creates a port, exactly as RTM_NEWLINK of kind "brcm"
 * does: `ip link del` deletes it and it behaves the same in every way.
 *
 *    BRCM_A_LOWER_IFINDEX or BRCM_A_LOWER_IFNAME: the lower, required
 *    BRCM_A_PORT: NLA_U16, 0-BRCM_PORT_MAX, required
 *    BRCM_A_IFNAME: optional name; default "<lower>.p<port>", which must
 *                   then fit in IFNAMSIZ - 1 bytes
 *    BRCM_A_QUEUE: NLA_U8, 0-BRCM_QUEUE_MAX, optional, default 0
 *    BRCM_A_TAG_ENFORCE: NLA_U8, 0-BRCM_TAG_ENFORCE_MAX, optional, default 0
 *    BRCM_A_FORMAT: NLA_U8, BRCM_FORMAT_*, optional, as IFLA_BRCM_FORMAT
 *    BRCM_A_QUEUE_FROM_PRIO: NLA_U8, 0 or 1, optional, default 0
 *    BRCM_A_VLAN: NLA_U16, 0-BRCM_VLAN_MAX, optional, default 0 (none)
 *    BRCM_A_ADMIN_UP: NLA_U8, 1 to bring the port up, optional
 *
 * The reply is the new port, as BRCM_CMD_PORT_GET returns it.
 *
 * BRCM_CMD_PORT_DEL
 * ~~~~~~~~~~~~~~~~~
 *
 * NLM_F_REQUEST. Deletes the selected port, or many ports at once:
 *
 *    BRCM_A_ALL: NLA_FLAG, with a lower and no port: every port of that
 *                lower in the request's namespace
 *    BRCM_A_IFINDEX_LIST: NLA_NESTED, alone: the ports whose ifindexes it
 *                         holds, one NLA_U32 each (of any type), each once
 *
 * Many ports are deleted together or not at all: a list naming a device
 * that is not a port of the namespace deletes nothing. They are
 * unregistered as one batch, which waits for one RCU grace period where
 * deleting them one by one waits for one each. The reply to a deletion of
 * many is BRCM_A_NR_PORTS: NLA_U32, how many were deleted.
 *
 * BRCM_CMD_PORT_SET
 * ~~~~~~~~~~~~~~~~~
 *
 * NLM_F_REQUEST. Changes the selected port: any of BRCM_A_QUEUE,
 * BRCM_A_TAG_ENFORCE, BRCM_A_QUEUE_FROM_PRIO, BRCM_A_VLAN, BRCM_A_FORMAT
 * (as IFLA_BRCM_FORMAT) and BRCM_A_ADMIN_UP (0 or 1). A port selected by
 * index or name may repeat its BRCM_A_PORT but not change it. The reply
 * is the port as it is now.
 *
 * BRCM_CMD_PORT_GET
 * ~~~~~~~~~~~~~~~~~
 *
 * NLM_F_REQUEST: the selected port. NLM_F_REQUEST | NLM_F_DUMP: every
 * port of the namespace, or only those on the lower given by
 * BRCM_A_LOWER_IFINDEX or BRCM_A_LOWER_IFNAME. Each port is one message:
 *
 *    BRCM_A_IFINDEX: NLA_U32
 *    BRCM_A_IFNAME: NLA_NUL_STRING
 *    BRCM_A_LOWER_IFINDEX: NLA_U32, in the lower's namespace
 *    BRCM_A_LOWER_IFNAME: NLA_NUL_STRING, only if the lower is in the
 *                         port's namespace
 *    BRCM_A_LINK_NETNSID: NLA_S32, only if it is not: the lower's
 *                         namespace as the port's namespace knows it
 *    BRCM_A_PORT: NLA_U16
 *    BRCM_A_QUEUE: NLA_U8
 *    BRCM_A_TAG_ENFORCE: NLA_U8
 *    BRCM_A_FORMAT: NLA_U8, the lower's tag format
 *    BRCM_A_QUEUE_FROM_PRIO: NLA_U8, 0 or 1
 *    BRCM_A_VLAN: NLA_U16, 0 for none
 *    BRCM_A_ADMIN_UP: NLA_U8, 0 or 1
 *    BRCM_A_OPERSTATE: NLA_U8, IF_OPER_* of <linux/if.h>
 *    BRCM_A_MTU: NLA_U32
 *    BRCM_A_FLAGS: NLA_U32, the device's IFF_* flags as RTM_GETLINK's
 *                  ifi_flags report them (IFF_UP, IFF_LOWER_UP, ...)
 *    BRCM_A_ADDRESS: binary, the device's hardware address (ETH_ALEN)
 *    BRCM_A_STATS: NLA_NESTED
 *        BRCM_STATS_A_RX_PACKETS ... BRCM_STATS_A_TX_DROPPED: NLA_U64 each,
 *        the port's counters as IFLA_STATS64 reports them
 *
 * A dump ends with NLMSG_DONE. It may span many messages; each port is
 * whole in one. If ports were created or deleted while the dump ran, a
 * message carries NLM_F_DUMP_INTR: a port may then be missing or appear
 * twice, and the caller should dump again.
 *
 * BRCM_CMD_LINK_GET
 * ~~~~~~~~~~~~~~~~~
 *
 * NLM_F_REQUEST with BRCM_A_LOWER_IFINDEX or BRCM_A_LOWER_IFNAME: that
 * lower. NLM_F_REQUEST | NLM_F_DUMP: every lower of the namespace that has
 * ports (in any namespace). Each lower is one message:
 *
 *    BRCM_A_LOWER_IFINDEX: NLA_U32
 *    BRCM_A_LOWER_IFNAME: NLA_NUL_STRING
 *    BRCM_A_NR_PORTS: NLA_U32
 *    BRCM_A_FORMAT: NLA_U8, the tag format of its ports
 *    BRCM_A_LOWER_STATS: NLA_NESTED
 *        BRCM_LOWER_STATS_A_RX_TAGGED ... BRCM_LOWER_STATS_A_RX_UNKNOWN_PORT:
 *        NLA_U64 each
 *
 * A lower without ports is ENODEV. Dumps end and are interrupted as above.
 *
 * BRCM_CMD_LINK_SET
 * ~~~~~~~~~~~~~~~~~
 *
 * NLM_F_REQUEST with BRCM_A_LOWER_IFINDEX or BRCM_A_LOWER_IFNAME and
 * BRCM_A_FORMAT: changes the tag format of every port of that lower, in
 * every namespace, at once. The reply is the lower as BRCM_CMD_LINK_GET
 * returns it. A lower without ports is ENODEV.
 *
 * The "monitor" multicast group
 * -----------------------------
 *
 * Group BRCM_GENL_MCGRP_MONITOR of the family receives, in the port's
 * namespace, a message shaped like a BRCM_CMD_PORT_GET reply with cmd
 *
 *    BRCM_CMD_PORT_NEW: a port was created, by either netlink path, or
 *                       moved into this namespace
 *    BRCM_CMD_PORT_DEL: a port was deleted, whatever deleted it (a request,
 *                       its lower going away, its namespace going away,
 *                       the module unloading), or moved out of this
 *                       namespace
 *    BRCM_CMD_PORT_SET: a port changed: queue, tag enforcement, tag
 *                       format, VLAN, admin or operational state, MTU,
 *                       name or address
 */

#ifndef _UAPI_LINUX_BRCM_H
#define _UAPI_LINUX_BRCM_H

#define ETH_P_BRCM		0x8874

/* Bytes the tag adds to a frame: the ethertype and the 32-bit tag word. */
#define BRCM_TAG_LEN		4
#define BRCM_HLEN		6
#define BRCM_MIN_FRAME_LEN	66

#define BRCM_PORT_MAX		27
#define BRCM_QUEUE_MAX		3
#define BRCM_TAG_ENFORCE_MAX	3
/* Switch port p is port id p + BRCM_PORT_ID_OFFSET in a tag. */
#define BRCM_PORT_ID_OFFSET	23

#define BRCM_VLAN_MAX		4094

/* Tag formats: how a transmit tag names its destination. */
enum brcm_format {
	/* The BCM53242 family's own (BCM53242, BCM53262): a port bitmap. */
	BRCM_FORMAT_BCM53242,
	/* The original 2.6 module's: the port id, port + 23. */
	BRCM_FORMAT_ORIGINAL,
	__BRCM_FORMAT_MAX
};

#define BRCM_FORMAT_MAX (__BRCM_FORMAT_MAX - 1)

#define BRCM_OP_NORMAL			0
#define BRCM_OP_EGRESS_DIRECTED		2
/* BRCM_FORMAT_BCM53242: to the Fast Ethernet ports (brcm's 1-24), and to
 * the ports from BRCM_GE_PORT_FIRST on (Gigabit and IMP).
 */
#define BRCM_OP_EGRESS_FE		4
#define BRCM_OP_EGRESS_GE		5
#define BRCM_GE_PORT_FIRST		25

/* Both directions */
#define BRCM_OPCODE_SHIFT		29
#define BRCM_OPCODE_MASK		0x7

/* Host to switch */
#define BRCM_TX_QUEUE_SHIFT		27
#define BRCM_TX_QUEUE_MASK		0x3
#define BRCM_TX_TE_SHIFT		25
#define BRCM_TX_TE_MASK			0x3
#define BRCM_TX_DST_SHIFT		0
#define BRCM_TX_DST_MASK		0x1ffffff

/* Switch to host */
#define BRCM_RX_LEN_SHIFT		17
#define BRCM_RX_LEN_MASK		0xfff
#define BRCM_RX_COS_SHIFT		14
#define BRCM_RX_COS_MASK		0x3
#define BRCM_RX_REASON_SHIFT		8
#define BRCM_RX_REASON_MASK		0x3f
#define BRCM_RX_MIRROR_SHIFT		6
#define BRCM_RX_MIRROR_MASK		0x3
#define BRCM_RX_SRC_SHIFT		0
#define BRCM_RX_SRC_MASK		0x3f

enum {
	IFLA_BRCM_UNSPEC,
	IFLA_BRCM_PORT,
	IFLA_BRCM_QUEUE,
	IFLA_BRCM_TAG_ENFORCE,
	IFLA_BRCM_FORMAT,
	IFLA_BRCM_QUEUE_FROM_PRIO,
	IFLA_BRCM_VLAN,
	__IFLA_BRCM_MAX
};

#define IFLA_BRCM_MAX (__IFLA_BRCM_MAX - 1)

#define BRCM_GENL_NAME			"brcm"
#define BRCM_GENL_VERSION		1
#define BRCM_GENL_MCGRP_MONITOR		"monitor"

enum brcm_cmd {
	BRCM_CMD_UNSPEC,
	BRCM_CMD_PORT_NEW,
	BRCM_CMD_PORT_DEL,
	BRCM_CMD_PORT_SET,
	BRCM_CMD_PORT_GET,
	BRCM_CMD_LINK_GET,
	BRCM_CMD_LINK_SET,
	__BRCM_CMD_MAX
};

#define BRCM_CMD_MAX (__BRCM_CMD_MAX - 1)

enum brcm_attr {
	BRCM_A_UNSPEC,
	BRCM_A_PAD,
	BRCM_A_IFINDEX,
	BRCM_A_IFNAME,
	BRCM_A_LOWER_IFINDEX,
	BRCM_A_LOWER_IFNAME,
	BRCM_A_LINK_NETNSID,
	BRCM_A_PORT,
	BRCM_A_QUEUE,
	BRCM_A_TAG_ENFORCE,
	BRCM_A_ADMIN_UP,
	BRCM_A_OPERSTATE,
	BRCM_A_MTU,
	BRCM_A_STATS,
	BRCM_A_NR_PORTS,
	BRCM_A_LOWER_STATS,
	BRCM_A_ALL,
	BRCM_A_IFINDEX_LIST,
	BRCM_A_FLAGS,
	BRCM_A_ADDRESS,
	BRCM_A_FORMAT,
	BRCM_A_QUEUE_FROM_PRIO,
	BRCM_A_VLAN,
	__BRCM_A_MAX
};

#define BRCM_A_MAX (__BRCM_A_MAX - 1)

enum brcm_stats_attr {
	BRCM_STATS_A_UNSPEC,
	BRCM_STATS_A_PAD,
	BRCM_STATS_A_RX_PACKETS,
	BRCM_STATS_A_RX_BYTES,
	BRCM_STATS_A_RX_MULTICAST,
	BRCM_STATS_A_RX_DROPPED,
	BRCM_STATS_A_RX_ERRORS,
	BRCM_STATS_A_TX_PACKETS,
	BRCM_STATS_A_TX_BYTES,
	BRCM_STATS_A_TX_DROPPED,
	__BRCM_STATS_A_MAX
};

#define BRCM_STATS_A_MAX (__BRCM_STATS_A_MAX - 1)

enum brcm_lower_stats_attr {
	BRCM_LOWER_STATS_A_UNSPEC,
	BRCM_LOWER_STATS_A_PAD,
	BRCM_LOWER_STATS_A_RX_TAGGED,
	BRCM_LOWER_STATS_A_RX_BAD_LEN,
	BRCM_LOWER_STATS_A_RX_BAD_OPCODE,
	BRCM_LOWER_STATS_A_RX_BAD_PORT_ID,
	BRCM_LOWER_STATS_A_RX_UNKNOWN_PORT,
	__BRCM_LOWER_STATS_A_MAX
};

#define BRCM_LOWER_STATS_A_MAX (__BRCM_LOWER_STATS_A_MAX - 1)

#endif /* _UAPI_LINUX_BRCM_H */
