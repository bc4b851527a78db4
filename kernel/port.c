// SPDX-License-Identifier: GPL-2.0
/*
 * A port: the network device bound to one switch port through a lower
 * device. Its life follows net/8021q's VLAN devices.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/netpoll.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "brcm.h"

static const struct net_device_ops brcm_netdev_ops;

bool brcm_is_port(const struct net_device *dev)
{
	return dev->netdev_ops == &brcm_netdev_ops;
}

static const char *const brcm_format_names[BRCM_FORMAT_MAX + 1] = {
	[BRCM_FORMAT_BCM53242]	= "bcm53242",
	[BRCM_FORMAT_ORIGINAL]	= "original",
};

/* The tag of @p's frames; without the queue when each frame's priority
 * gives it.
 */
static __be32 brcm_tx_tag(const struct brcm_port *p)
{
	u8 queue = p->queue_from_prio ? 0 : p->queue;
	u32 tag = ((u32)queue & BRCM_TX_QUEUE_MASK) << BRCM_TX_QUEUE_SHIFT |
		  ((u32)p->tag_enforce & BRCM_TX_TE_MASK) << BRCM_TX_TE_SHIFT;
	u32 op, dst;

	/* Port 0 leaves forwarding to the switch's address table. */
	if (!p->port)
		return cpu_to_be32(tag);
	if (p->format == BRCM_FORMAT_ORIGINAL) {
		op = BRCM_OP_EGRESS_DIRECTED;
		dst = p->port + BRCM_PORT_ID_OFFSET;
	} else if (p->port < BRCM_GE_PORT_FIRST) {
		/* The chip numbers its ports from 0, brcm from 1. */
		op = BRCM_OP_EGRESS_FE;
		dst = BIT(p->port - 1);
	} else {
		op = BRCM_OP_EGRESS_GE;
		dst = BIT(p->port - BRCM_GE_PORT_FIRST);
	}
	tag |= op << BRCM_OPCODE_SHIFT | (dst & BRCM_TX_DST_MASK) << BRCM_TX_DST_SHIFT;
	return cpu_to_be32(tag);
}

/* The bytes a port with VLAN id @vlan (0 for none) puts before a frame's
 * own ethertype: the tag, and its 802.1Q header if it has one.
 */
static unsigned int brcm_tx_hlen(u16 vlan)
{
	return vlan ? BRCM_HLEN + VLAN_HLEN : BRCM_HLEN;
}

static void brcm_update_tag(struct brcm_port *p)
{
	WRITE_ONCE(p->tx_tag, brcm_tx_tag(p));
}

/* A frame's priority, 0-7: that of the 802.1Q header a VLAN device on the
 * port gave it, by its egress map; else its own, as SO_PRIORITY or tc
 * skbedit set it, where all above 7 count as 7.
 */
static u32 brcm_tx_prio(const struct sk_buff *skb)
{
	const struct vlan_ethhdr *veth = (const struct vlan_ethhdr *)skb->data;

	if (veth->h_vlan_proto == htons(ETH_P_8021Q) &&
	    skb_headlen(skb) >= VLAN_ETH_HLEN)
		return ntohs(veth->h_vlan_TCI) >> VLAN_PRIO_SHIFT;
	return min_t(u32, skb->priority, 7);
}

#ifdef CONFIG_NET_POLL_CONTROLLER
/* netconsole sends with interrupts off, where dev_queue_xmit() may not
 * run: the frame goes through the lower's netpoll, as 8021q's do.
 */
static int brcm_netpoll_send(struct brcm_port *p, struct sk_buff *skb)
{
	return netpoll_send_skb(p->netpoll, skb);
}

static void brcm_poll_controller(struct net_device *dev)
{
}

static int brcm_netpoll_setup(struct net_device *dev)
{
	struct brcm_port *p = brcm_port(dev);
	struct netpoll *np;
	int err;

	np = kzalloc(sizeof(*np), GFP_KERNEL);
	if (!np)
		return -ENOMEM;
	err = __netpoll_setup(np, p->lower);
	if (err) {
		kfree(np);
		return err;
	}
	p->netpoll = np;
	return 0;
}

NDO_NETPOLL_SETUP_COMPAT(brcm_netpoll_setup)

static void brcm_netpoll_cleanup(struct net_device *dev)
{
	struct brcm_port *p = brcm_port(dev);
	struct netpoll *np = p->netpoll;

	if (!np)
		return;
	p->netpoll = NULL;
	__netpoll_free(np);
}
#else
static int brcm_netpoll_send(struct brcm_port *p, struct sk_buff *skb)
{
	/* netpoll_tx_running() is false without netpoll. */
	kfree_skb(skb);
	return NET_XMIT_DROP;
}
#endif

/* Hands one tagged frame, whose headers before the frame's own are @hlen
 * bytes, to the lower; false if it was dropped.
 */
static bool brcm_xmit_one(struct brcm_port *p, struct net_device *dev,
			  struct sk_buff *skb, unsigned int hlen)
{
	int ret;

	/* The switch checks the 60-byte minimum after stripping the tag
	 * (and the VLAN header it may take off for an untagged egress).
	 */
	if (unlikely(skb_put_padto(skb, BRCM_MIN_FRAME_LEN - BRCM_HLEN + hlen)))
		return false;	/* freed */
	if (unlikely(netpoll_tx_running(dev)))
		ret = brcm_netpoll_send(p, skb);
	else
		ret = dev_queue_xmit(skb);
	return ret == NET_XMIT_SUCCESS || ret == NET_XMIT_CN;
}

/* A lower that takes GSO packets would pass this one whole to hardware
 * that cannot parse the tag (or, a veth, to its peer): segment it here,
 * once, below the tag, which every segment gets a copy of. Checksums are
 * left to the lower where it offloads them generically, else computed.
 */
static void brcm_xmit_gso(struct brcm_port *p, struct net_device *dev,
			  struct sk_buff *skb, unsigned int hlen,
			  struct brcm_pcpu_stats *s)
{
	netdev_features_t features = netif_skb_features(skb);
	unsigned int packets = 0, bytes = 0, dropped = 0;
	struct sk_buff *segs, *seg, *next;
	unsigned long flags;

	segs = skb_gso_segment(skb, features & ~NETIF_F_GSO_MASK);
	if (IS_ERR(segs)) {
		dropped = skb_shinfo(skb)->gso_segs;
		kfree_skb(skb);
		goto count;
	}
	if (segs)
		consume_skb(skb);
	else
		segs = skb;
	skb_list_walk_safe(segs, seg, next) {
		unsigned int len = seg->len - hlen;

		skb_mark_not_on_list(seg);
		if (brcm_xmit_one(p, dev, seg, hlen)) {
			packets++;
			bytes += len;
		} else {
			dropped++;
		}
	}
count:
	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_add(&s->tx_packets, packets);
	u64_stats_add(&s->tx_bytes, bytes);
	u64_stats_add(&s->tx_dropped, dropped);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
}

static netdev_tx_t brcm_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct brcm_port *p = brcm_port(dev);
	struct net_device *lower = p->lower;
	unsigned int len = skb->len;
	struct brcm_pcpu_stats *s = this_cpu_ptr(p->stats);
	__be32 tag = READ_ONCE(p->tx_tag);
	u16 vlan = READ_ONCE(p->vlan);
	u8 queue_from_prio = READ_ONCE(p->queue_from_prio);
	unsigned int hlen = brcm_tx_hlen(vlan);
	unsigned long flags;
	u32 prio = 0;
	u8 *hdr;

	if (unlikely(len < ETH_HLEN || skb_cow_head(skb, hlen)))
		goto drop;
	if (vlan || queue_from_prio) {
		prio = brcm_tx_prio(skb);
		if (queue_from_prio)
			tag |= cpu_to_be32(prio / 2 << BRCM_TX_QUEUE_SHIFT);
	}

	/* dst | src | ETH_P_BRCM | tag | [ETH_P_8021Q | TCI |] the frame's
	 * own ethertype ...
	 */
	hdr = skb_push(skb, hlen);
	memmove(hdr, hdr + hlen, 2 * ETH_ALEN);
	put_unaligned(htons(ETH_P_BRCM), (__be16 *)(hdr + 2 * ETH_ALEN));
	put_unaligned(tag, (__be32 *)(hdr + 2 * ETH_ALEN + sizeof(__be16)));
	if (vlan) {
		put_unaligned(htons(ETH_P_8021Q), (__be16 *)(hdr + ETH_HLEN +
							     BRCM_TAG_LEN));
		put_unaligned(htons(prio << VLAN_PRIO_SHIFT | vlan),
			      (__be16 *)(hdr + ETH_HLEN + BRCM_HLEN));
	}
	skb_reset_mac_header(skb);

	/* No layer past this knows the tag: checksum and GSO see it whole. */
	skb->protocol = htons(ETH_P_BRCM);
	skb->dev = lower;
	if (!net_eq(dev_net(dev), dev_net(lower)))
		skb_scrub_packet(skb, true);

	if (skb_is_gso(skb)) {
		brcm_xmit_gso(p, dev, skb, hlen, s);
		return NETDEV_TX_OK;
	}
	if (unlikely(!brcm_xmit_one(p, dev, skb, hlen)))
		goto dropped;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_inc(&s->tx_packets);
	u64_stats_add(&s->tx_bytes, len);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	return NETDEV_TX_OK;

drop:
	kfree_skb(skb);
dropped:
	brcm_add(&s->syncp, &s->tx_dropped, 1);
	return NETDEV_TX_OK;
}

/* Features still correct with a tag the lower cannot parse: checksum
 * offload only where it is generic. GSO is the port's own, done in
 * software below the tag (brcm_xmit_gso()), whatever the lower offers.
 */
#define BRCM_FEATURES (NETIF_F_SG | NETIF_F_FRAGLIST | NETIF_F_HW_CSUM | \
		       NETIF_F_HIGHDMA)
#define BRCM_GSO_FEATURES NETIF_F_GSO_SOFTWARE

static void brcm_transfer_features(struct net_device *dev)
{
	struct net_device *lower = brcm_port(dev)->lower;

	netif_inherit_tso_max(dev, lower);
	dev->needed_headroom = lower->needed_headroom + BRCM_HLEN + VLAN_HLEN;
	dev->needed_tailroom = lower->needed_tailroom;
	netdev_update_features(dev);
}

static netdev_features_t brcm_fix_features(struct net_device *dev,
					   netdev_features_t features)
{
	netdev_features_t lower = brcm_port(dev)->lower->features;

	return features & (lower | ~BRCM_FEATURES);
}

static int brcm_init(struct net_device *dev)
{
	struct brcm_port *p = brcm_port(dev);
	struct net_device *lower = p->lower;

	netif_carrier_off(dev);
	dev->hw_features = BRCM_FEATURES | BRCM_GSO_FEATURES;
	dev->features |= BRCM_FEATURES | BRCM_GSO_FEATURES;
	netdev_set_lltx(dev);
	dev->vlan_features = BRCM_FEATURES | BRCM_GSO_FEATURES;
	dev->dev_id = lower->dev_id;
	netif_inherit_tso_max(dev, lower);
	dev->needed_headroom = lower->needed_headroom + BRCM_HLEN + VLAN_HLEN;
	dev->needed_tailroom = lower->needed_tailroom;

	if (is_zero_ether_addr(dev->dev_addr)) {
		eth_hw_addr_set(dev, lower->dev_addr);
		dev->addr_assign_type = NET_ADDR_STOLEN;
	}
	memcpy(dev->broadcast, lower->broadcast, ETH_ALEN);
	netdev_lockdep_set_classes(dev);

	p->stats = netdev_alloc_pcpu_stats(struct brcm_pcpu_stats);
	if (!p->stats)
		return -ENOMEM;
	netdev_hold(lower, &p->lower_tracker, GFP_KERNEL);
	return 0;
}

static void brcm_uninit(struct net_device *dev)
{
	/* Every unregistration but an unwound creation unbinds in dellink. */
	brcm_port_unbind(dev);
}

/* After the last RCU reader of the device is gone. */
static void brcm_free(struct net_device *dev)
{
	struct brcm_port *p = brcm_port(dev);

	free_percpu(p->stats);
	p->stats = NULL;
	netdev_put(p->lower, &p->lower_tracker);
}

/* A port whose address was never set follows its lower's. */
static bool brcm_inherit_address(struct net_device *dev,
				 struct net_device *lower)
{
	if (dev->addr_assign_type != NET_ADDR_STOLEN)
		return false;
	eth_hw_addr_set(dev, lower->dev_addr);
	call_netdevice_notifiers(NETDEV_CHANGEADDR, dev);
	return true;
}

static int brcm_open(struct net_device *dev)
{
	struct brcm_port *p = brcm_port(dev);
	struct net_device *lower = p->lower;
	int err;

	if (!(lower->flags & IFF_UP))
		return -ENETDOWN;

	/* The lower must accept frames for an address other than its own. */
	if (!ether_addr_equal(dev->dev_addr, lower->dev_addr) &&
	    !brcm_inherit_address(dev, lower)) {
		err = dev_uc_add(lower, dev->dev_addr);
		if (err < 0)
			return err;
	}
	/* The lower follows a port's promiscuity and allmulti only while
	 * the port is up, as for a VLAN device: brcm_stop() gives them back.
	 */
	if (dev->flags & IFF_ALLMULTI) {
		err = dev_set_allmulti(lower, 1);
		if (err < 0)
			goto del_uc;
	}
	if (dev->flags & IFF_PROMISC) {
		err = dev_set_promiscuity(lower, 1);
		if (err < 0)
			goto clear_allmulti;
	}
	ether_addr_copy(p->lower_addr, lower->dev_addr);
	netif_stacked_transfer_operstate(lower, dev);
	return 0;

clear_allmulti:
	if (dev->flags & IFF_ALLMULTI)
		dev_set_allmulti(lower, -1);
del_uc:
	if (!ether_addr_equal(dev->dev_addr, lower->dev_addr))
		dev_uc_del(lower, dev->dev_addr);
	return err;
}

static int brcm_stop(struct net_device *dev)
{
	struct net_device *lower = brcm_port(dev)->lower;

	dev_mc_unsync(lower, dev);
	dev_uc_unsync(lower, dev);
	if (dev->flags & IFF_ALLMULTI)
		dev_set_allmulti(lower, -1);
	if (dev->flags & IFF_PROMISC)
		dev_set_promiscuity(lower, -1);
	if (!ether_addr_equal(dev->dev_addr, lower->dev_addr))
		dev_uc_del(lower, dev->dev_addr);
	netif_carrier_off(dev);
	return 0;
}

static int brcm_set_mac_address(struct net_device *dev, void *addr)
{
	struct net_device *lower = brcm_port(dev)->lower;
	const struct sockaddr *sa = addr;
	int err;

	if (!is_valid_ether_addr(sa->sa_data))
		return -EADDRNOTAVAIL;

	if (dev->flags & IFF_UP) {
		if (!ether_addr_equal(sa->sa_data, lower->dev_addr)) {
			err = dev_uc_add(lower, sa->sa_data);
			if (err < 0)
				return err;
		}
		if (!ether_addr_equal(dev->dev_addr, lower->dev_addr))
			dev_uc_del(lower, dev->dev_addr);
	}
	eth_hw_addr_set(dev, sa->sa_data);
	return 0;
}

/* Follow a change of the lower's address, as 8021q does. */
static void brcm_sync_address(struct net_device *dev, struct net_device *lower)
{
	struct brcm_port *p = brcm_port(dev);

	if (ether_addr_equal(p->lower_addr, lower->dev_addr))
		return;
	if (!brcm_inherit_address(dev, lower)) {
		/* Was a filter entry, now is the lower's own address. */
		if (!ether_addr_equal(dev->dev_addr, p->lower_addr) &&
		    ether_addr_equal(dev->dev_addr, lower->dev_addr))
			dev_uc_del(lower, dev->dev_addr);
		/* Was the lower's own address, now needs a filter entry. */
		if (ether_addr_equal(dev->dev_addr, p->lower_addr) &&
		    !ether_addr_equal(dev->dev_addr, lower->dev_addr))
			dev_uc_add(lower, dev->dev_addr);
	}
	ether_addr_copy(p->lower_addr, lower->dev_addr);
}

static void brcm_change_rx_flags(struct net_device *dev, int change)
{
	struct net_device *lower = brcm_port(dev)->lower;

	if (!(dev->flags & IFF_UP))
		return;
	if (change & IFF_ALLMULTI)
		dev_set_allmulti(lower, dev->flags & IFF_ALLMULTI ? 1 : -1);
	if (change & IFF_PROMISC)
		dev_set_promiscuity(lower, dev->flags & IFF_PROMISC ? 1 : -1);
}

static void brcm_set_rx_mode(struct net_device *dev)
{
	struct net_device *lower = brcm_port(dev)->lower;

	dev_mc_sync(lower, dev);
	dev_uc_sync(lower, dev);
}

/* The largest MTU @p can have: what its lower carries with the tag and
 * the VLAN header @p sends, if it sends one.
 */
static unsigned int brcm_max_mtu(const struct brcm_port *p, u16 vlan)
{
	unsigned int hlen = brcm_tx_hlen(vlan);

	return p->lower->mtu > hlen ? p->lower->mtu - hlen : 0;
}

static int brcm_change_mtu(struct net_device *dev, int new_mtu)
{
	const struct brcm_port *p = brcm_port(dev);

	if (new_mtu > (int)brcm_max_mtu(p, p->vlan))
		return -ERANGE;
	WRITE_ONCE(dev->mtu, new_mtu);
	return 0;
}

static int brcm_get_iflink(const struct net_device *dev)
{
	return brcm_port(dev)->lower->ifindex;
}

static void brcm_get_stats64(struct net_device *dev,
			     struct rtnl_link_stats64 *stats)
{
	struct brcm_port *p = brcm_port(dev);
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct brcm_pcpu_stats *s = per_cpu_ptr(p->stats, cpu);
		u64 rx_packets, rx_bytes, rx_multicast, rx_dropped, rx_errors;
		u64 tx_packets, tx_bytes, tx_dropped;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			rx_packets = u64_stats_read(&s->rx_packets);
			rx_bytes = u64_stats_read(&s->rx_bytes);
			rx_multicast = u64_stats_read(&s->rx_multicast);
			rx_dropped = u64_stats_read(&s->rx_dropped);
			rx_errors = u64_stats_read(&s->rx_errors);
			tx_packets = u64_stats_read(&s->tx_packets);
			tx_bytes = u64_stats_read(&s->tx_bytes);
			tx_dropped = u64_stats_read(&s->tx_dropped);
		} while (u64_stats_fetch_retry(&s->syncp, start));

		stats->rx_packets += rx_packets;
		stats->rx_bytes += rx_bytes;
		stats->multicast += rx_multicast;
		stats->rx_dropped += rx_dropped;
		stats->rx_errors += rx_errors;
		stats->rx_length_errors += rx_errors;
		stats->tx_packets += tx_packets;
		stats->tx_bytes += tx_bytes;
		stats->tx_dropped += tx_dropped;
	}
}

static const struct net_device_ops brcm_netdev_ops = {
	.ndo_init		= brcm_init,
	.ndo_uninit		= brcm_uninit,
	.ndo_open		= brcm_open,
	.ndo_stop		= brcm_stop,
	.ndo_start_xmit		= brcm_xmit,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_set_mac_address	= brcm_set_mac_address,
	.ndo_set_rx_mode	= brcm_set_rx_mode,
	.ndo_change_rx_flags	= brcm_change_rx_flags,
	.ndo_change_mtu		= brcm_change_mtu,
	.ndo_get_stats64	= brcm_get_stats64,
	.ndo_get_iflink		= brcm_get_iflink,
	.ndo_fix_features	= brcm_fix_features,
#ifdef CONFIG_NET_POLL_CONTROLLER
	.ndo_poll_controller	= brcm_poll_controller,
	.ndo_netpoll_setup	= ndo_netpoll_setup_fn(brcm_netpoll_setup),
	.ndo_netpoll_cleanup	= brcm_netpoll_cleanup,
#endif
};

/* ethtool -S: the counters of the lower's receive hook, which no port's
 * own statistics can show (the frames it dropped belong to no port).
 */
static const char brcm_lower_stat_names[BRCM_LOWER_NR_COUNTERS][ETH_GSTRING_LEN] = {
	[BRCM_LOWER_RX_TAGGED]		= "lower_rx_tagged",
	[BRCM_LOWER_RX_BAD_LEN]		= "lower_rx_bad_length",
	[BRCM_LOWER_RX_BAD_OPCODE]	= "lower_rx_bad_opcode",
	[BRCM_LOWER_RX_BAD_PORT_ID]	= "lower_rx_bad_port_id",
	[BRCM_LOWER_RX_UNKNOWN_PORT]	= "lower_rx_unknown_port",
};

static int brcm_get_sset_count(struct net_device *dev, int sset)
{
	return sset == ETH_SS_STATS ? BRCM_LOWER_NR_COUNTERS : -EOPNOTSUPP;
}

static void brcm_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	if (sset == ETH_SS_STATS)
		memcpy(data, brcm_lower_stat_names, sizeof(brcm_lower_stat_names));
}

static void brcm_get_ethtool_stats(struct net_device *dev,
				   struct ethtool_stats *stats, u64 *data)
{
	struct brcm_group *grp = brcm_port(dev)->group;

	if (grp)
		brcm_group_get_stats(grp, data);
	else
		memset(data, 0, sizeof(u64) * BRCM_LOWER_NR_COUNTERS);
}

static void brcm_get_drvinfo(struct net_device *dev,
			     struct ethtool_drvinfo *info)
{
	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
	strscpy(info->bus_info, brcm_port(dev)->lower->name,
		sizeof(info->bus_info));
}

static int brcm_get_link_ksettings(struct net_device *dev,
				   struct ethtool_link_ksettings *cmd)
{
	return __ethtool_get_link_ksettings(brcm_port(dev)->lower, cmd);
}

static const struct ethtool_ops brcm_ethtool_ops = {
	.get_drvinfo		= brcm_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_link_ksettings	= brcm_get_link_ksettings,
	.get_sset_count		= brcm_get_sset_count,
	.get_strings		= brcm_get_strings,
	.get_ethtool_stats	= brcm_get_ethtool_stats,
};

static struct device_type brcm_type = {
	.name = "brcm",
};

void brcm_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->priv_flags |= IFF_NO_QUEUE | IFF_UNICAST_FLT;
	/* Transmit writes the tag into the frame. */
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	netif_keep_dst(dev);
	dev->netdev_ops = &brcm_netdev_ops;
	dev->ethtool_ops = &brcm_ethtool_ops;
	dev->needs_free_netdev = true;
	dev->priv_destructor = brcm_free;
	/* As a VLAN device's: a port follows its lower's MTU down, below
	 * ETH_MIN_MTU too. brcm_change_mtu() checks against the lower.
	 */
	dev->min_mtu = 0;
	dev->max_mtu = ETH_MAX_MTU;
	SET_NETDEV_DEVTYPE(dev, &brcm_type);
}

static int brcm_check_lower(struct net_device *lower,
			    struct netlink_ext_ack *extack)
{
	struct net_device *master = netdev_master_upper_dev_get(lower);

	if (brcm_is_port(lower)) {
		brcm_err(extack, "lower device %s is itself a brcm port",
			 lower->name);
		return -EINVAL;
	}
	if (lower->type != ARPHRD_ETHER || lower->addr_len != ETH_ALEN ||
	    (lower->flags & IFF_LOOPBACK)) {
		brcm_err(extack, "lower device %s is not an Ethernet device (type %u)",
			 lower->name, lower->type);
		return -EINVAL;
	}
	if (!brcm_master_allowed(master)) {
		brcm_err(extack, "%s is enslaved to %s, which takes its frames",
			 lower->name, master->name);
		return -EBUSY;
	}
	return 0;
}

int brcm_check_cfg(const struct brcm_port_cfg *cfg,
		   struct netlink_ext_ack *extack)
{
	if (cfg->port > BRCM_PORT_MAX) {
		brcm_err(extack, "port %u out of range (0-%u)",
			 cfg->port, BRCM_PORT_MAX);
		return -ERANGE;
	}
	if (cfg->queue > BRCM_QUEUE_MAX) {
		brcm_err(extack, "queue %u out of range (0-%u)",
			 cfg->queue, BRCM_QUEUE_MAX);
		return -ERANGE;
	}
	if (cfg->tag_enforce > BRCM_TAG_ENFORCE_MAX) {
		brcm_err(extack, "tag enforcement %u out of range (0-%u)",
			 cfg->tag_enforce, BRCM_TAG_ENFORCE_MAX);
		return -ERANGE;
	}
	if (cfg->format > BRCM_FORMAT_MAX) {
		brcm_err(extack, "tag format %u unknown (0-%u)",
			 cfg->format, BRCM_FORMAT_MAX);
		return -ERANGE;
	}
	if (cfg->queue_from_prio > 1) {
		brcm_err(extack, "queue from priority %u is not 0 or 1",
			 cfg->queue_from_prio);
		return -ERANGE;
	}
	if (cfg->vlan > BRCM_VLAN_MAX) {
		brcm_err(extack, "vlan %u out of range (0-%u)",
			 cfg->vlan, BRCM_VLAN_MAX);
		return -ERANGE;
	}
	return 0;
}

/* Whether ports may be created, changed under RTNL. Set once the module
 * has registered everything, the notifier included, so that no port
 * exists that nothing watches or that a failed init would leave behind.
 * Cleared as the module unloads, before rtnl_link_unregister() deletes
 * every port: the family takes requests until after that, so that those
 * deletions reach the monitor group, and must not create a port the
 * module would leave behind.
 */
static bool brcm_accepting;

void brcm_port_allow_new(bool allow)
{
	ASSERT_RTNL();
	brcm_accepting = allow;
}

/* Binds @dev, allocated with brcm_setup() and not yet registered, to
 * @cfg->port on @lower and registers it. Every way of creating a port
 * comes through here. Called under RTNL; on error nothing is left behind
 * and the caller frees @dev.
 */
int brcm_port_register(struct net_device *dev, struct net_device *lower,
		       const struct brcm_port_cfg *cfg,
		       struct netlink_ext_ack *extack)
{
	struct brcm_port *p = brcm_port(dev);
	unsigned int max_mtu;
	struct brcm_group *grp;
	struct net_device *other;
	int err;

	ASSERT_RTNL();
	if (!brcm_accepting) {
		NL_SET_ERR_MSG(extack, "the brcm module is being loaded or unloaded");
		return -ESHUTDOWN;
	}
	err = brcm_check_cfg(cfg, extack);
	if (err)
		return err;
	err = brcm_check_lower(lower, extack);
	if (err)
		return err;

	grp = brcm_group_find(lower);
	other = grp ? rtnl_dereference(grp->ports[cfg->port]) : NULL;
	if (other) {
		brcm_err(extack, "port %u already exists on %s (%s)",
			 cfg->port, lower->name, other->name);
		return -EEXIST;
	}
	if (grp && cfg->format_set && cfg->format != grp->format) {
		brcm_err(extack, "%s's ports speak format %s, not %s",
			 lower->name, brcm_format_names[grp->format],
			 brcm_format_names[cfg->format]);
		return -EINVAL;
	}
	grp = brcm_group_get(lower, extack);
	if (IS_ERR(grp))
		return PTR_ERR(grp);
	/* The first port says what the switch speaks. */
	if (!grp->nr_ports)
		grp->format = cfg->format_set ? cfg->format :
			      BRCM_FORMAT_BCM53242;

	p->lower = lower;
	p->port = cfg->port;
	p->vlan = cfg->vlan;
	p->queue = cfg->queue;
	p->tag_enforce = cfg->tag_enforce;
	p->format = grp->format;
	p->queue_from_prio = cfg->queue_from_prio;
	p->tx_tag = brcm_tx_tag(p);

	/* A full 1500 bytes unless the lower cannot carry them with the tag
	 * and the port's VLAN header.
	 */
	max_mtu = brcm_max_mtu(p, p->vlan);
	if (!cfg->mtu_set) {
		WRITE_ONCE(dev->mtu, min_t(unsigned int, ETH_DATA_LEN, max_mtu));
	} else if (dev->mtu > max_mtu) {
		brcm_err(extack, "MTU %u too large: %s carries %u with the tag",
			 dev->mtu, lower->name, max_mtu);
		err = -ERANGE;
		goto put_group;
	}

	err = register_netdevice(dev);
	if (err)
		goto put_group;
	err = netdev_upper_dev_link(lower, dev, extack);
	if (err) {
		unregister_netdevice(dev);
		goto put_group;
	}

	p->group = grp;
	grp->nr_ports++;
	rcu_assign_pointer(grp->ports[cfg->port], dev);
	netif_stacked_transfer_operstate(lower, dev);
	brcm_notify(dev, BRCM_CMD_PORT_NEW);
	return 0;

put_group:
	brcm_group_put(grp);
	return err;
}

/* Unpublishes @dev from its group. The receive hook may still hold it
 * until the grace period that unregistering waits for.
 */
void brcm_port_unbind(struct net_device *dev)
{
	struct brcm_port *p = brcm_port(dev);
	struct brcm_group *grp = p->group;

	ASSERT_RTNL();
	if (!grp)
		return;
	brcm_notify(dev, BRCM_CMD_PORT_DEL);
	RCU_INIT_POINTER(grp->ports[p->port], NULL);
	grp->nr_ports--;
	p->group = NULL;
	netdev_upper_dev_unlink(p->lower, dev);
	brcm_group_put(grp);
}

/* Queues @dev for unregister_netdevice_many(), unbound now: a batch that
 * also removes the lower must not find it. Every way of deleting a port
 * comes here.
 */
void brcm_port_delete(struct net_device *dev, struct list_head *head)
{
	brcm_port_unbind(dev);
	unregister_netdevice_queue(dev, head);
}

/* Whether brcm_port_change() would take @cfg for @dev: every setting but
 * the port may change, the format only on the lower's only port. For
 * callers that must check before they change anything else.
 */
int brcm_port_check_change(const struct net_device *dev,
			   const struct brcm_port_cfg *cfg,
			   struct netlink_ext_ack *extack)
{
	const struct brcm_port *p = brcm_port(dev);
	unsigned int max_mtu;
	int err;

	err = brcm_check_cfg(cfg, extack);
	if (err)
		return err;
	if (cfg->port != p->port) {
		brcm_err(extack, "cannot change %s from port %u to %u: delete it and add it again",
			 dev->name, p->port, cfg->port);
		return -EOPNOTSUPP;
	}
	if (cfg->format != p->format && p->group && p->group->nr_ports > 1) {
		brcm_err(extack, "%s has %u other ports: set its format on the lower",
			 p->lower->name, p->group->nr_ports - 1);
		return -EBUSY;
	}
	max_mtu = brcm_max_mtu(p, cfg->vlan);
	if (dev->mtu > max_mtu) {
		brcm_err(extack, "MTU %u too large for vlan %u: %s carries %u",
			 dev->mtu, cfg->vlan, p->lower->name, max_mtu);
		return -ERANGE;
	}
	return 0;
}

/* Applies @cfg to the bound port @dev. Every way of changing a port
 * comes here.
 */
int brcm_port_change(struct net_device *dev, const struct brcm_port_cfg *cfg,
		     struct netlink_ext_ack *extack)
{
	struct brcm_port *p = brcm_port(dev);
	int err;

	ASSERT_RTNL();
	err = brcm_port_check_change(dev, cfg, extack);
	if (err)
		return err;
	if (cfg->queue == p->queue && cfg->tag_enforce == p->tag_enforce &&
	    cfg->format == p->format && cfg->vlan == p->vlan &&
	    cfg->queue_from_prio == p->queue_from_prio)
		return 0;
	p->queue = cfg->queue;
	p->tag_enforce = cfg->tag_enforce;
	WRITE_ONCE(p->vlan, cfg->vlan);
	WRITE_ONCE(p->queue_from_prio, cfg->queue_from_prio);
	/* Checked above: the only port of its lower. */
	if (p->group)
		p->group->format = cfg->format;
	p->format = cfg->format;
	brcm_update_tag(p);
	brcm_notify(dev, BRCM_CMD_PORT_SET);
	return 0;
}

/* Changes the tag format of every port on @grp's lower, in every
 * namespace.
 */
int brcm_group_set_format(struct brcm_group *grp, u8 format,
			  struct netlink_ext_ack *extack)
{
	struct brcm_port_cfg cfg = { .format = format };
	struct net_device *dev;
	struct brcm_port *p;
	int err, i;

	ASSERT_RTNL();
	err = brcm_check_cfg(&cfg, extack);
	if (err)
		return err;
	if (format == grp->format)
		return 0;
	grp->format = format;
	for (i = 0; i <= BRCM_PORT_MAX; i++) {
		dev = rtnl_dereference(grp->ports[i]);
		if (!dev)
			continue;
		p = brcm_port(dev);
		p->format = format;
		brcm_update_tag(p);
		brcm_notify(dev, BRCM_CMD_PORT_SET);
	}
	return 0;
}

/* Fills @cfg with the current settings of @dev. */
void brcm_port_get_cfg(const struct net_device *dev,
		       struct brcm_port_cfg *cfg)
{
	const struct brcm_port *p = brcm_port(dev);

	cfg->port = p->port;
	cfg->vlan = p->vlan;
	cfg->queue = p->queue;
	cfg->tag_enforce = p->tag_enforce;
	cfg->format = p->format;
	cfg->format_set = true;
	cfg->queue_from_prio = p->queue_from_prio;
}

/* @dev itself reported @event: tell the monitor group what users see. */
void brcm_port_event(struct net_device *dev, unsigned long event)
{
	switch (event) {
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:
	case NETDEV_CHANGENAME:
	case NETDEV_CHANGEMTU:
	case NETDEV_CHANGEADDR:
		/* Not while being created or after being unbound. */
		if (brcm_port(dev)->group)
			brcm_notify(dev, BRCM_CMD_PORT_SET);
		break;
	case NETDEV_UNREGISTER:
		/* Leaving for another netns: gone from this one. A port that is
		 * really going is told by brcm_port_unbind().
		 */
		if (dev->reg_state == NETREG_REGISTERED && brcm_port(dev)->group)
			brcm_notify(dev, BRCM_CMD_PORT_DEL);
		break;
	case NETDEV_REGISTER:
		/* Bound already: arriving from another netns. */
		if (brcm_port(dev)->group)
			brcm_notify(dev, BRCM_CMD_PORT_NEW);
		break;
	}
}

/* @dev's lower reported @event: follow it as a VLAN device would. */
void brcm_port_lower_event(struct net_device *dev, unsigned long event)
{
	struct net_device *lower = brcm_port(dev)->lower;
	unsigned int max_mtu;

	switch (event) {
	case NETDEV_CHANGE:
		netif_stacked_transfer_operstate(lower, dev);
		break;
	case NETDEV_CHANGEADDR:
		if (dev->flags & IFF_UP)
			brcm_sync_address(dev, lower);
		break;
	case NETDEV_CHANGEMTU:
		max_mtu = brcm_max_mtu(brcm_port(dev), brcm_port(dev)->vlan);
		if (dev->mtu > max_mtu)
			dev_set_mtu(dev, max_mtu);
		break;
	case NETDEV_FEAT_CHANGE:
		brcm_transfer_features(dev);
		break;
	case NETDEV_DOWN:
		if (dev->flags & IFF_UP)
			dev_close(dev);
		netif_stacked_transfer_operstate(lower, dev);
		break;
	case NETDEV_UP:
		if (!(dev->flags & IFF_UP))
			dev_change_flags(dev, netif_get_flags(dev) | IFF_UP,
					 NULL);
		netif_stacked_transfer_operstate(lower, dev);
		break;
	case NETDEV_NOTIFY_PEERS:
	case NETDEV_BONDING_FAILOVER:
	case NETDEV_RESEND_IGMP:
		/* A bond lower failed over: each port tells its peers anew
		 * (gratuitous ARP, unsolicited NA, IGMP reports), as 8021q's
		 * devices do.
		 */
		call_netdevice_notifiers(event, dev);
		break;
	}
}
