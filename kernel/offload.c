// SPDX-License-Identifier: GPL-2.0
/*
 * The tag's offloads, as 802.1Q has them: GRO merges a port's TCP
 * segments behind the tag on a lower that does GRO, and GSO segments a
 * port's packets below the tag, so the stack above a port builds them
 * large and the tag is written once per packet, not per segment.
 */

#include <linux/etherdevice.h>
#include <linux/if_ether.h>
#include <linux/skbuff.h>
#include <net/gro.h>

#include "brcm.h"

/* What makes two frames one flow: the port they came from and what the
 * tag encapsulates, not the octet count or class of service.
 */
#define BRCM_RX_FLOW_MASK ((BRCM_OPCODE_MASK << BRCM_OPCODE_SHIFT) | \
			   (BRCM_RX_SRC_MASK << BRCM_RX_SRC_SHIFT))

static struct sk_buff *brcm_gro_receive(struct list_head *head,
					struct sk_buff *skb)
{
	const struct packet_offload *ptype;
	struct sk_buff *pp = NULL;
	unsigned int off;
	struct sk_buff *p;
	u8 *hdr;
	__be16 type;
	u32 flow;
	int flush = 1;

	off = skb_gro_offset(skb);
	hdr = skb_gro_header(skb, off + BRCM_HLEN, off);
	if (unlikely(!hdr))
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

/* Segments a tagged GSO packet below its tag: the protocol the tag
 * carries segments it, and every segment keeps a copy of the MAC header,
 * tag included. @skb's data is at its network header, and its mac_len
 * spans the tag and any 802.1Q header after it.
 */
static struct sk_buff *brcm_gso_segment(struct sk_buff *skb,
					netdev_features_t features)
{
	struct sk_buff *segs, *seg;

	if (unlikely(skb->mac_len < ETH_HLEN + BRCM_HLEN))
		return ERR_PTR(-EINVAL);
	/* skb_mac_gso_segment() again, for the inner protocol: it finds
	 * any 802.1Q header between the tag and the network header.
	 */
	__skb_push(skb, skb->data - skb_mac_header(skb));
	skb->protocol = get_unaligned((__be16 *)(skb_mac_header(skb) +
						 ETH_HLEN + BRCM_TAG_LEN));
	segs = skb_mac_gso_segment(skb, features);
	skb->protocol = htons(ETH_P_BRCM);
	if (IS_ERR_OR_NULL(segs))
		return segs;
	/* Checksum offload is judged for the tagged frame each one is. */
	for (seg = segs; seg; seg = seg->next)
		seg->protocol = htons(ETH_P_BRCM);
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
