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
 * Host to switch (transmit):
 *
 *    bits 31-29  opcode: BRCM_OP_EGRESS_DIRECTED for a device bound to
 *                switch port 1-27, BRCM_OP_NORMAL for port 0 ("any")
 *    bits 28-27  traffic queue, 0-3
 *    bits 26-25  tag enforcement, 0-3
 *    bits 24-0   destination: port + BRCM_PORT_ID_OFFSET, or 0 for port 0
 *
 * Switch to host (receive):
 *
 *    bits 31-29  opcode, must be BRCM_OP_NORMAL
 *    bits 28-17  frame octet count
 *    bits 16-15  class of service
 *    bit  14     reserved
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
 *
 * Each port number is bound at most once per lower device. RTM_GETLINK
 * reports all three attributes. Errors carry an extended ack message
 * naming the problem and the value.
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

#define BRCM_OP_NORMAL			0
#define BRCM_OP_EGRESS_DIRECTED		2

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
#define BRCM_RX_COS_SHIFT		15
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
	__IFLA_BRCM_MAX
};

#define IFLA_BRCM_MAX (__IFLA_BRCM_MAX - 1)

#endif /* _UAPI_LINUX_BRCM_H */
