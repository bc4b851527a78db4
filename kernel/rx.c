// SPDX-License-Identifier: GPL-2.0
/*
 * Receive: one packet_type per lower device that has ports, so frames on
 * every other device never reach this code. It hands each frame to its
 * port in the same softirq pass, as 802.1Q does. offload.c lets a lower
 * that does GRO merge a port's TCP segments before they get here.
 */

#include <linux/etherdevice.h>
#include <linux/if_ether.h>
#include <linux/if_vlan.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#include "brcm.h"

/* What eth_type_trans() does for the ethertype it finds. */
static __be16 brcm_encap_proto(const struct sk_buff *skb, __be16 proto)
{
	unsigned short _sap;
	const unsigned short *sap;

	if (likely(eth_proto_is_802_3(proto)))
		return proto;
	/* A raw 802.3 frame starts with 0xFFFF, an 802.2 one with its SAPs. */
	sap = skb_header_pointer(skb, 0, sizeof(*sap), &_sap);
	if (sap && *sap == 0xFFFF)
		return htons(ETH_P_802_3);
	return htons(ETH_P_802_2);
}

/* The bytes of the frames GRO merged into @skb, @segs of them, as the
 * port sees each: its Ethernet header, the network and transport
 * headers GRO kept once, its payload. @skb's data is at the network
 * header; GRO left csum_start at the transport header, or the frames in
 * a list.
 */
static unsigned int brcm_rx_bytes(const struct sk_buff *skb, unsigned int segs)
{
	unsigned int gso_type = skb_shinfo(skb)->gso_type;
	const struct sk_buff *seg;
	const struct tcphdr *th;
	unsigned int hdrs;

	if (segs == 1)
		return skb->len + ETH_HLEN;
	/* Fraglist GRO keeps each frame in the list, its data past the
	 * headers GRO pulled; its network header still marks where they
	 * begin.
	 */
	if (gso_type & SKB_GSO_FRAGLIST) {
		hdrs = 0;
		skb_walk_frags(skb, seg)
			hdrs += seg->data - skb_network_header(seg);
		return skb->len + segs * ETH_HLEN + hdrs;
	}
	if (skb->ip_summed != CHECKSUM_PARTIAL)
		return skb->len + ETH_HLEN;
	hdrs = skb_checksum_start_offset(skb);
	if (gso_type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)) {
		th = (const struct tcphdr *)(skb->head + skb->csum_start);
		hdrs += th->doff * 4;
	} else if (gso_type & SKB_GSO_UDP_L4) {
		hdrs += sizeof(struct udphdr);
	} else {
		hdrs = 0;
	}
	return skb->len + segs * ETH_HLEN + (segs - 1) * hdrs;
}

/* The bytes before the frame's own ethertype that @skb's port takes off:
 * the tag, and the 802.1Q header with the port's VLAN id if it has one.
 * @skb's data is at the tag, of which BRCM_HLEN bytes are pulled.
 */
static unsigned int brcm_rx_hlen(struct sk_buff *skb, u16 vlan)
{
	const u8 *vhdr;

	if (!vlan || !pskb_may_pull(skb, BRCM_HLEN + VLAN_HLEN))
		return BRCM_HLEN;
	vhdr = skb->data + BRCM_TAG_LEN;
	if (get_unaligned((const __be16 *)vhdr) != htons(ETH_P_8021Q) ||
	    (get_unaligned_be16(vhdr + 2) & VLAN_VID_MASK) != vlan)
		return BRCM_HLEN;
	return BRCM_HLEN + VLAN_HLEN;
}

/* Whether eth_type_trans() on @lower found @skb for the lower itself or
 * for a group.
 */
static bool brcm_lower_addressed(const struct sk_buff *skb,
				 const struct net_device *lower)
{
	const u8 *dst = eth_hdr(skb)->h_dest;

	return !is_unicast_ether_addr(dst) ||
	       ether_addr_equal(dst, lower->dev_addr);
}

int brcm_rcv(struct sk_buff *skb, struct net_device *lower,
	     struct packet_type *pt, struct net_device *orig_dev)
{
	struct brcm_group *grp = container_of(pt, struct brcm_group, ptype);
	struct net_device *dev;
	struct brcm_port *p;
	struct brcm_lower_stats *ls;
	struct brcm_pcpu_stats *s;
	u32 tag, port_id;
	unsigned long flags;
	unsigned int segs, hlen;
	__be16 proto;
	u8 *hdr;

	/* A frame of a VLAN that has no device on the lower: the core marks
	 * it so and delivers it all the same. Such a frame is no port's,
	 * as it is no VLAN device's. Only that verdict marks a frame to the
	 * lower's own address or to a group so; the lower's address check
	 * marks the rest, which a port with an address of its own re-judges.
	 */
	if (unlikely(skb->pkt_type == PACKET_OTHERHOST &&
		     brcm_lower_addressed(skb, lower)))
		goto drop;

	skb = skb_share_check(skb, GFP_ATOMIC);
	if (unlikely(!skb)) {
		dev_core_stats_rx_dropped_inc(lower);
		return NET_RX_DROP;
	}

	/* Counters count frames on the wire, however many GRO merged. */
	segs = skb_is_gso(skb) ? skb_shinfo(skb)->gso_segs : 1;
	segs = max(segs, 1U);
	ls = this_cpu_ptr(grp->stats);
	brcm_add(&ls->syncp, &ls->rx_tagged, segs);
	if (unlikely(!pskb_may_pull(skb, BRCM_TAG_LEN))) {
		brcm_add(&ls->syncp, &ls->rx_bad_len, segs);
		goto drop;
	}
	tag = get_unaligned_be32(skb->data);
	if (unlikely(((tag >> BRCM_OPCODE_SHIFT) & BRCM_OPCODE_MASK) !=
		     BRCM_OP_NORMAL)) {
		brcm_add(&ls->syncp, &ls->rx_bad_opcode, segs);
		goto drop;
	}
	port_id = (tag >> BRCM_RX_SRC_SHIFT) & BRCM_RX_SRC_MASK;
	if (unlikely(port_id <= BRCM_PORT_ID_OFFSET ||
		     port_id > BRCM_PORT_ID_OFFSET + BRCM_PORT_MAX)) {
		brcm_add(&ls->syncp, &ls->rx_bad_port_id, segs);
		goto drop;
	}

	/* The bound port, else the lower's catch-all port 0. */
	dev = rcu_dereference(grp->ports[port_id - BRCM_PORT_ID_OFFSET]);
	if (!dev)
		dev = rcu_dereference(grp->ports[0]);
	/* Too short is a bad frame whoever it was for; a port that has it
	 * counts it as its own error too.
	 */
	if (unlikely(!pskb_may_pull(skb, BRCM_HLEN))) {
		brcm_add(&ls->syncp, &ls->rx_bad_len, segs);
		if (dev) {
			s = this_cpu_ptr(brcm_port(dev)->stats);
			brcm_add(&s->syncp, &s->rx_errors, segs);
		}
		goto drop;
	}
	if (unlikely(!dev)) {
		brcm_add(&ls->syncp, &ls->rx_unknown_port, segs);
		goto drop;
	}
	p = brcm_port(dev);
	s = this_cpu_ptr(p->stats);

	/* Moving the MAC addresses over the tag writes to the header. */
	if (unlikely(!(dev->flags & IFF_UP) || skb_cow(skb, 0))) {
		brcm_add(&s->syncp, &s->rx_dropped, segs);
		goto drop;
	}

	/* The port's MAC header is the lower's addresses and the ethertype
	 * behind the tag (and the port's own VLAN header): without the
	 * 802.1Q header a VLAN lower leaves in place (reorder_hdr off), as
	 * the port is an Ethernet device of its own.
	 */
	hlen = brcm_rx_hlen(skb, READ_ONCE(p->vlan));
	hdr = skb_mac_header(skb);
	proto = *(__be16 *)(skb->data + hlen - sizeof(__be16));
	skb_pull_rcsum(skb, hlen);
	memmove(skb->data - ETH_HLEN, hdr, 2 * ETH_ALEN);
	skb_set_mac_header(skb, -ETH_HLEN);
	skb_reset_network_header(skb);
	skb_reset_mac_len(skb);
	skb->protocol = brcm_encap_proto(skb, proto);

	skb->dev = dev;
	/* A hash from the lower is the tagged frame's, the same for all its
	 * flows: RPS on the port is to hash the inner flow.
	 */
	skb_clear_hash(skb);
	if (!net_eq(dev_net(lower), dev_net(dev)))
		skb_scrub_packet(skb, true);
	/* The lower classified the frame against its own address. */
	skb->pkt_type = PACKET_HOST;
	eth_skb_pkt_type(skb, dev);

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_add(&s->rx_packets, segs);
	u64_stats_add(&s->rx_bytes, brcm_rx_bytes(skb, segs));
	if (skb->pkt_type == PACKET_MULTICAST)
		u64_stats_add(&s->rx_multicast, segs);
	u64_stats_update_end_irqrestore(&s->syncp, flags);

	return netif_receive_skb(skb);

drop:
	kfree_skb(skb);
	return NET_RX_DROP;
}
