/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _BRCM_H
#define _BRCM_H

#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/u64_stats_sync.h>
#include <uapi/linux/brcm.h>

#include "compat.h"

/* The MTU the first port gives its lower if it has less. */
#define BRCM_LOWER_MTU (ETH_DATA_LEN + BRCM_HLEN + VLAN_HLEN)

/* Counters of a lower device, kept per cpu: frames the receive hook saw
 * and the reasons it dropped some before they reached a port.
 */
struct brcm_lower_stats {
	u64_stats_t rx_tagged;
	u64_stats_t rx_bad_len;
	u64_stats_t rx_bad_opcode;
	u64_stats_t rx_bad_port_id;
	u64_stats_t rx_unknown_port;
	struct u64_stats_sync syncp;
};

enum brcm_lower_counter {
	BRCM_LOWER_RX_TAGGED,
	BRCM_LOWER_RX_BAD_LEN,
	BRCM_LOWER_RX_BAD_OPCODE,
	BRCM_LOWER_RX_BAD_PORT_ID,
	BRCM_LOWER_RX_UNKNOWN_PORT,
	BRCM_LOWER_NR_COUNTERS
};

/* The ports bound on one lower device. Written under RTNL; the receive
 * hook reads ports[] under RCU and finds its group from its packet_type.
 */
struct brcm_group {
	struct hlist_node hnode;
	struct net_device *lower;
	struct packet_type ptype;
	struct net_device __rcu *ports[BRCM_PORT_MAX + 1];
	unsigned int nr_ports;
	/* The lower's MTU before this group raised it, or 0. */
	unsigned int saved_mtu;
	/* BRCM_FORMAT_*: one switch chip, one tag format for all ports. */
	u8 format;
	struct brcm_lower_stats __percpu *stats;
	struct rcu_head rcu;
};

struct brcm_pcpu_stats {
	u64_stats_t rx_packets;
	u64_stats_t rx_bytes;
	u64_stats_t rx_multicast;
	u64_stats_t rx_dropped;
	u64_stats_t rx_errors;
	u64_stats_t tx_packets;
	u64_stats_t tx_bytes;
	u64_stats_t tx_dropped;
	struct u64_stats_sync syncp;
};

struct brcm_port {
	struct net_device *lower;
	netdevice_tracker lower_tracker;
#ifdef CONFIG_NET_POLL_CONTROLLER
	/* netconsole's way to the lower, set while it is attached. */
	struct netpoll *netpoll;
#endif
	/* Set while the device is bound in its group's ports[]. */
	struct brcm_group *group;
	struct brcm_pcpu_stats __percpu *stats;
	/* The tag every transmitted frame carries, rebuilt under RTNL when
	 * a setting changes and read locklessly on transmit, as are vlan and
	 * queue_from_prio: a frame sent during a change may have the old
	 * value of one and the new of another, as it would have either.
	 */
	__be32 tx_tag;
	u16 port;
	u16 vlan;
	u8 queue;
	u8 tag_enforce;
	u8 format;
	u8 queue_from_prio;
	/* The lower's address when last synced, to follow its changes. */
	u8 lower_addr[ETH_ALEN];
};

struct brcm_port_cfg {
	u16 port;
	u16 vlan;
	u8 queue;
	u8 tag_enforce;
	u8 format;
	u8 queue_from_prio;
	bool format_set;	/* else a new port takes its lower's */
	bool mtu_set;	/* dev->mtu was given by the caller */
};

static inline struct brcm_port *brcm_port(const struct net_device *dev)
{
	return netdev_priv(dev);
}

/* Counts @n events in a per-cpu counter of @syncp's block. A port's
 * counters are written from netpoll too, which netconsole calls with
 * interrupts off, perhaps over a write in progress on the same cpu: on
 * 32-bit SMP writers keep interrupts off, so that none nests in another
 * (on 64-bit these are plain adds).
 */
static inline void brcm_add(struct u64_stats_sync *syncp, u64_stats_t *c,
			    unsigned int n)
{
	unsigned long flags = u64_stats_update_begin_irqsave(syncp);

	u64_stats_add(c, n);
	u64_stats_update_end_irqrestore(syncp, flags);
}

/* A formatted extack message; short, so that messages naming their values
 * stay within a line.
 */
#define brcm_err(extack, fmt, ...) NL_SET_ERR_MSG_FMT(extack, fmt, ##__VA_ARGS__)

/* Whether a lower enslaved to @master (or to none) still sees its frames:
 * a bridge, bond, team or Open vSwitch master takes every frame of its
 * ports in an rx_handler, before a packet_type sees it; an L3 master
 * (VRF) does not.
 */
static inline bool brcm_master_allowed(const struct net_device *master)
{
	return !master || netif_is_l3_master(master);
}

/* The port core's one call up, as core code calls ethtool_notify(): tells
 * the monitor group that @dev was created, deleted or changed (@cmd).
 * Defined in genl.c.
 */
void brcm_notify(struct net_device *dev, u8 cmd);

/* rtnl.c: the link kind, which only it touches */
int brcm_rtnl_init(void);
void brcm_rtnl_exit(void);
struct net_device *brcm_rtnl_create(struct net *net, const char *name,
				    struct netlink_ext_ack *extack);

/* group.c */
#define BRCM_GROUP_HASH_BITS 6
extern struct hlist_head brcm_groups[1 << BRCM_GROUP_HASH_BITS];
/* Changes whenever a group comes or goes, for dumps to notice. */
extern unsigned int brcm_groups_seq;
struct brcm_group *brcm_group_find(const struct net_device *lower);
bool brcm_group_has_lower(const struct net_device *dev);
struct brcm_group *brcm_group_get(struct net_device *lower,
				  struct netlink_ext_ack *extack);
void brcm_group_put(struct brcm_group *grp);
void brcm_group_get_stats(const struct brcm_group *grp,
			  u64 out[BRCM_LOWER_NR_COUNTERS]);

/* port.c */
void brcm_setup(struct net_device *dev);
bool brcm_is_port(const struct net_device *dev);
int brcm_check_cfg(const struct brcm_port_cfg *cfg, struct netlink_ext_ack *extack);
int brcm_port_register(struct net_device *dev, struct net_device *lower,
		       const struct brcm_port_cfg *cfg,
		       struct netlink_ext_ack *extack);
void brcm_port_unbind(struct net_device *dev);
void brcm_port_delete(struct net_device *dev, struct list_head *head);
void brcm_port_allow_new(bool allow);
void brcm_port_get_cfg(const struct net_device *dev,
		       struct brcm_port_cfg *cfg);
int brcm_port_check_change(const struct net_device *dev,
			   const struct brcm_port_cfg *cfg,
			   struct netlink_ext_ack *extack);
int brcm_port_change(struct net_device *dev, const struct brcm_port_cfg *cfg,
		     struct netlink_ext_ack *extack);
void brcm_port_lower_event(struct net_device *dev, unsigned long event);
int brcm_group_set_format(struct brcm_group *grp, u8 format,
			  struct netlink_ext_ack *extack);
void brcm_port_event(struct net_device *dev, unsigned long event);

/* genl.c */
int brcm_genl_init(void);
void brcm_genl_exit(void);

/* offload.c */
void brcm_offload_init(void);
void brcm_offload_exit(void);

/* rx.c */
int brcm_rcv(struct sk_buff *skb, struct net_device *lower,
	     struct packet_type *pt, struct net_device *orig_dev);

#endif /* _BRCM_H */
