// SPDX-License-Identifier: GPL-2.0
/*
 * A group holds the ports bound on one lower device and the receive hook
 * that feeds them. It exists while at least one port is bound.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <net/rtnetlink.h>
#include <linux/slab.h>

#include "brcm.h"

/* Groups by lower device. RTNL protects its changes; the slow path looks
 * a group up by its lower, GRO asks under RCU whether a device is a
 * lower, and the receive hook gets its group from its packet_type.
 */
DEFINE_HASHTABLE(brcm_groups, BRCM_GROUP_HASH_BITS);
unsigned int brcm_groups_seq;

struct brcm_group *brcm_group_find(const struct net_device *lower)
{
	struct brcm_group *grp;

	ASSERT_RTNL();
	hash_for_each_possible(brcm_groups, grp, hnode, (unsigned long)lower)
		if (grp->lower == lower)
			return grp;
	return NULL;
}

/* Whether @dev has ports, under RCU: GRO merges only a lower's frames. */
bool brcm_group_has_lower(const struct net_device *dev)
{
	struct brcm_group *grp;

	hash_for_each_possible_rcu(brcm_groups, grp, hnode, (unsigned long)dev)
		if (grp->lower == dev)
			return true;
	return false;
}

/* A port must carry a 1500-byte payload, so the lower must carry it plus
 * the tag and the 802.1Q header a port may insert after it (which the
 * vendor's driver for the BCM53242 family sends in every frame). Raise
 * its MTU, as DSA raises its conduit's, and remember the old one so the
 * last port's removal can put it back.
 */
static void brcm_group_raise_mtu(struct brcm_group *grp)
{
	struct net_device *lower = grp->lower;
	unsigned int old = lower->mtu;

	if (old >= BRCM_LOWER_MTU)
		return;
	if (dev_set_mtu(lower, BRCM_LOWER_MTU))
		return;	/* ports clamp their MTU to what the lower can carry */
	grp->saved_mtu = old;
	netdev_info(lower, "MTU raised from %u to %u to carry the Broadcom tag\n",
		    old, lower->mtu);
}

static void brcm_group_restore_mtu(struct brcm_group *grp)
{
	struct net_device *lower = grp->lower;

	/* Leave it alone if the lower is going away or someone changed it. */
	if (!grp->saved_mtu || lower->reg_state != NETREG_REGISTERED ||
	    lower->mtu != BRCM_LOWER_MTU)
		return;
	dev_set_mtu(lower, grp->saved_mtu);
}

/* Returns the group of @lower, creating it with no port bound yet. */
struct brcm_group *brcm_group_get(struct net_device *lower,
				  struct netlink_ext_ack *extack)
{
	struct brcm_group *grp = brcm_group_find(lower);

	if (grp)
		return grp;

	grp = kzalloc(sizeof(*grp), GFP_KERNEL);
	if (!grp)
		goto nomem;
	grp->stats = netdev_alloc_pcpu_stats(struct brcm_lower_stats);
	if (!grp->stats) {
		kfree(grp);
		goto nomem;
	}
	grp->lower = lower;
	brcm_group_raise_mtu(grp);

	grp->ptype.type = htons(ETH_P_BRCM);
	grp->ptype.func = brcm_rcv;
	grp->ptype.dev = lower;
	dev_add_pack(&grp->ptype);
	hash_add_rcu(brcm_groups, &grp->hnode, (unsigned long)lower);
	brcm_groups_seq++;
	return grp;

nomem:
	brcm_err(extack, "no memory for the ports of %s", lower->name);
	return ERR_PTR(-ENOMEM);
}

static void brcm_group_free(struct rcu_head *head)
{
	struct brcm_group *grp = container_of(head, struct brcm_group, rcu);

	free_percpu(grp->stats);
	kfree(grp);
}

/* Destroys @grp if no port is bound to it any more. */
void brcm_group_put(struct brcm_group *grp)
{
	ASSERT_RTNL();
	if (grp->nr_ports)
		return;
	/* The receive hook may still run on another cpu: free after RCU. */
	__dev_remove_pack(&grp->ptype);
	hash_del_rcu(&grp->hnode);
	brcm_groups_seq++;
	brcm_group_restore_mtu(grp);
	call_rcu(&grp->rcu, brcm_group_free);
}

void brcm_group_get_stats(const struct brcm_group *grp,
			  u64 out[BRCM_LOWER_NR_COUNTERS])
{
	int cpu;

	memset(out, 0, sizeof(u64) * BRCM_LOWER_NR_COUNTERS);
	for_each_possible_cpu(cpu) {
		const struct brcm_lower_stats *s = per_cpu_ptr(grp->stats, cpu);
		u64 v[BRCM_LOWER_NR_COUNTERS];
		unsigned int start;
		int i;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			v[BRCM_LOWER_RX_TAGGED] = u64_stats_read(&s->rx_tagged);
			v[BRCM_LOWER_RX_BAD_LEN] = u64_stats_read(&s->rx_bad_len);
			v[BRCM_LOWER_RX_BAD_OPCODE] = u64_stats_read(&s->rx_bad_opcode);
			v[BRCM_LOWER_RX_BAD_PORT_ID] = u64_stats_read(&s->rx_bad_port_id);
			v[BRCM_LOWER_RX_UNKNOWN_PORT] = u64_stats_read(&s->rx_unknown_port);
		} while (u64_stats_fetch_retry(&s->syncp, start));

		for (i = 0; i < BRCM_LOWER_NR_COUNTERS; i++)
			out[i] += v[i];
	}
}
