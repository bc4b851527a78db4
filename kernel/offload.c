// SPDX-License-Identifier: GPL-2.0
/*
 * The tag's offloads, as 802.1Q has them: GRO merges a port's TCP
 * segments behind the tag on a lower that does GRO, and GSO segments a
 * port's packets below the tag, so the stack above a port builds them
 * large and the tag is written once per packet, not per segment.
 *
 * Both are registered for every device but act as if they were a
 * lower's: GRO merges nothing on a device without ports, so tagged
 * frames pass there as they do without this module. GSO takes any
 * tagged packet, merged here or built by a port, with any tags and
 * 802.1Q headers nested behind the first: it finds the network header
 * itself and hands the packet to IPv4 or IPv6, never to itself again.
 */

#include <linux/etherdevice.h>
#include <linux/if_ether.h>
#include <linux/if_vlan.h>
#include <linux/skbuff.h>
#include <net/gro.h>

#include "brcm.h"

/* What makes two frames one flow: the port they came from and what the
 * tag encapsulates, not the octet count or class of service.
 */
#define BRCM_RX_FLOW_MASK ((BRCM_OPCODE_MASK << BRCM_OPCODE_SHIFT) | \
			   (BRCM_RX_SRC_MASK << BRCM_RX_SRC_SHIFT))

/* The most tags and 802.1Q headers a chain may have, the first tag
 * included. GRO stops at GRO_RECURSION_LIMIT (15) nested calls, IPv4 and
 * TCP among them, so no packet it merges has more.
 */
#define BRCM_L2_DEPTH 16
/* The bytes of the longest chain, from the ethertype of its first header
 * to the network header.
 */
#define BRCM_L2_MAX (BRCM_L2_DEPTH * BRCM_HLEN + 2)
/* The most 802.1Q headers in a row GRO merges behind a tag. Once a port
 * has taken its tag off, the core finds the network header of what GSO
 * segments by its own walk (__vlan_get_protocol()), which gives up after
 * VLAN_MAX_DEPTH - 1 headers, the first of which may be the ethertype of
 * the Ethernet header read as if it ended one: deeper runs would be
 * merged into a packet nothing can segment again, and dropped whole.
 */
#define BRCM_GRO_VLAN_RUN (VLAN_MAX_DEPTH - 2)

/* Follows the ethertype at @hdr (@len bytes there) through tags and
 * 802.1Q headers to the network header. Returns its offset from @hdr and
 * sets @type to its protocol, or returns 0 if the chain is cut short,
 * deeper than BRCM_L2_DEPTH, has more than @vlan_run 802.1Q headers in
 * a row or carries neither IPv4 nor IPv6: the only protocols GSO
 * segments that cannot lead back here.
 */
static unsigned int brcm_l2_walk(const u8 *hdr, unsigned int len,
				 unsigned int vlan_run, __be16 *type)
{
	unsigned int off = 0, run = 0;
	int depth;

	for (depth = 0; depth <= BRCM_L2_DEPTH; depth++) {
		if (off + sizeof(__be16) > len)
			return 0;
		*type = get_unaligned((__be16 *)(hdr + off));
		if (*type == htons(ETH_P_BRCM)) {
			off += BRCM_HLEN;
			run = 0;
		} else if (eth_type_vlan(*type)) {
			off += VLAN_HLEN;
			if (++run > vlan_run)
				return 0;
		} else if (*type == htons(ETH_P_IP) ||
			   *type == htons(ETH_P_IPV6)) {
			return off + sizeof(__be16);
		} else {
			return 0;
		}
	}
	return 0;
}

static struct sk_buff *brcm_gro_receive(struct list_head *head,
					struct sk_buff *skb)
{
	const struct packet_offload *ptype;
	struct sk_buff *pp = NULL;
	unsigned int off, len;
	struct sk_buff *p;
	u8 *hdr;
	__be16 type, l3;
	u32 flow;
	int flush = 1;

	/* Only a lower's frames go to ports: any other device's pass
	 * unmerged, as without this module.
	 */
	if (!brcm_group_has_lower(skb->dev))
		goto out;
	off = skb_gro_offset(skb);
	len = min_t(unsigned int, skb_gro_len(skb), BRCM_TAG_LEN + BRCM_L2_MAX);
	if (unlikely(len < BRCM_HLEN))
		goto out;
	hdr = skb_gro_header(skb, off + len, off);
	if (unlikely(!hdr))
		goto out;
	/* Merge only what GSO can segment again. */
	if (!brcm_l2_walk(hdr + BRCM_TAG_LEN, len - BRCM_TAG_LEN,
			  BRCM_GRO_VLAN_RUN, &l3))
		goto out;
	flow = get_unaligned_be32(hdr) & BRCM_RX_FLOW_MASK;
	type = get_unaligned((__be16 *)(hdr + BRCM_TAG_LEN));
	ptype = gro_find_receive_by_type(type);
	if (!ptype)
		goto out;
	flush = 0;

	list_for_each_entry(p, head, list) {
		const u8 *hdr2;

		if (!NAPI_GRO_CB(p)->same_flow)
			continue;
		hdr2 = p->data + off;
		if ((get_unaligned_be32(hdr2) & BRCM_RX_FLOW_MASK) != flow ||
		    get_unaligned((__be16 *)(hdr2 + BRCM_TAG_LEN)) != type)
			NAPI_GRO_CB(p)->same_flow = 0;
	}

	skb_gro_pull(skb, BRCM_HLEN);
	skb_gro_postpull_rcsum(skb, hdr, BRCM_HLEN);
	pp = call_gro_receive(ptype->callbacks.gro_receive, head, skb);
out:
	skb_gro_flush_final(skb, pp, flush);
	return pp;
}

static int brcm_gro_complete(struct sk_buff *skb, int nhoff)
{
	__be16 type = get_unaligned((__be16 *)(skb->data + nhoff +
					       BRCM_TAG_LEN));
	struct packet_offload *ptype = gro_find_complete_by_type(type);

	if (!ptype)
		return -ENOENT;
	return ptype->callbacks.gro_complete(skb, nhoff + BRCM_HLEN);
}

/* Segments a tagged GSO packet below its tags: each segment gets a copy
 * of the whole chain. skb_mac_gso_segment() called this for the
 * protocol of @skb's first tag, with its data past the Ethernet header
 * and any 802.1Q headers before the tag, or wherever its mac_len said.
 */
static struct sk_buff *brcm_gso_segment(struct sk_buff *skb,
					netdev_features_t features)
{
	u8 buf[ETH_HLEN + BRCM_L2_MAX];
	__be16 protocol = skb->protocol;
	u16 mac_len = skb->mac_len;
	struct sk_buff *segs, *seg;
	unsigned int nhoff, len;
	const u8 *hdr;
	__be16 type;

	__skb_push(skb, skb->data - skb_mac_header(skb));
	len = min_t(unsigned int, skb->len, sizeof(buf));
	hdr = skb_header_pointer(skb, 0, len, buf);
	if (unlikely(!hdr || len < ETH_HLEN))
		return ERR_PTR(-EINVAL);
	nhoff = brcm_l2_walk(hdr + ETH_ALEN * 2, len - ETH_ALEN * 2,
			     BRCM_L2_DEPTH, &type);
	if (unlikely(!nhoff))
		return ERR_PTR(-EPROTONOSUPPORT);
	nhoff += ETH_ALEN * 2;
	/* skb_mac_gso_segment() pulls the chain as one MAC header. */
	if (unlikely(!pskb_may_pull(skb, nhoff)))
		return ERR_PTR(-EINVAL);
	skb->protocol = type;
	skb->mac_len = nhoff;
	segs = skb_mac_gso_segment(skb, features);
	skb->protocol = protocol;
	skb->mac_len = mac_len;
	if (IS_ERR_OR_NULL(segs))
		return segs;
	/* Checksum offload is judged for the tagged frame each one is. */
	for (seg = segs; seg; seg = seg->next)
		seg->protocol = protocol;
	return segs;
}

static struct packet_offload brcm_packet_offload __read_mostly = {
	.type = cpu_to_be16(ETH_P_BRCM),
	.priority = 10,
	.callbacks = {
		.gso_segment = brcm_gso_segment,
		.gro_receive = brcm_gro_receive,
		.gro_complete = brcm_gro_complete,
	},
};

void brcm_offload_init(void)
{
	dev_add_offload(&brcm_packet_offload);
}

/* Waits for GRO to be done with the callbacks (dev_remove_offload does). */
void brcm_offload_exit(void)
{
	dev_remove_offload(&brcm_packet_offload);
}
