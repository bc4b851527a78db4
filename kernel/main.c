// SPDX-License-Identifier: GPL-2.0
/*
 * brcm: network devices for the ports of a Broadcom switch behind its
 * IMP port, one per port, stacked on the Ethernet device that carries
 * the Broadcom-tagged frames.
 */

#include <linux/module.h>
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>

#include "brcm.h"

/* Lowers come, go and change, and ports follow them, as net/8021q keeps
 * vlan_device_event() beside its module init. A port's own events only
 * go to the monitor group.
 */
static int brcm_lower_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct net_device *lower = netdev_notifier_info_to_dev(ptr);
	struct netdev_notifier_changeupper_info *upper;
	struct brcm_group *grp;
	struct net_device *dev;
	LIST_HEAD(list);
	int i;

	if (brcm_is_port(lower)) {
		brcm_port_event(lower, event);
		return NOTIFY_DONE;
	}
	grp = brcm_group_find(lower);
	if (!grp)
		return NOTIFY_DONE;

	switch (event) {
	case NETDEV_PRE_TYPE_CHANGE:
		/* Ports need an Ethernet lower. */
		return NOTIFY_BAD;

	case NETDEV_PRECHANGEUPPER:
		/* The other order of brcm_check_lower()'s refusal. */
		upper = ptr;
		if (upper->linking && upper->master &&
		    !brcm_master_allowed(upper->upper_dev)) {
			brcm_err(upper->info.extack,
				 "%s has brcm ports; %s would take their frames",
				 lower->name, upper->upper_dev->name);
			return notifier_from_errno(-EBUSY);
		}
		break;

	case NETDEV_REGISTER:
		/* A lower with ports arriving from another netns: a dump of
		 * lowers in progress here must know the set changed.
		 */
		brcm_groups_seq++;
		break;

	case NETDEV_UNREGISTER:
		/* A lower moving to another netns keeps its ports, and leaves
		 * the lowers of this one.
		 */
		if (lower->reg_state != NETREG_UNREGISTERING) {
			brcm_groups_seq++;
			break;
		}
		/* Unbinding the last port frees the group: stop there. */
		for (i = 0; i <= BRCM_PORT_MAX && grp; i++) {
			dev = rtnl_dereference(grp->ports[i]);
			if (!dev)
				continue;
			if (grp->nr_ports == 1)
				grp = NULL;
			brcm_port_delete(dev, &list);
		}
		unregister_netdevice_many(&list);
		break;

	default:
		for (i = 0; i <= BRCM_PORT_MAX; i++) {
			dev = rtnl_dereference(grp->ports[i]);
			if (dev)
				brcm_port_lower_event(dev, event);
		}
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block brcm_notifier = {
	.notifier_call = brcm_lower_event,
};

static int __init brcm_module_init(void)
{
	int err;

	/* Ports announce themselves to the family from the start, and none
	 * can be made until everything is in place.
	 */
	err = brcm_genl_init();
	if (err)
		return err;
	err = register_netdevice_notifier(&brcm_notifier);
	if (err)
		goto genl_exit;
	err = brcm_rtnl_init();
	if (err)
		goto unregister_notifier;
	brcm_offload_init();
	rtnl_lock();
	brcm_port_allow_new(true);
	rtnl_unlock();
	return 0;

unregister_notifier:
	unregister_netdevice_notifier(&brcm_notifier);
genl_exit:
	brcm_genl_exit();
	return err;
}

static void __exit brcm_module_exit(void)
{
	/* The family stays until the ports are gone, to report it. */
	rtnl_lock();
	brcm_port_allow_new(false);
	rtnl_unlock();
	/* Deletes every port in every netns, and so every group. */
	brcm_rtnl_exit();
	/* Last, for the packets the ports left queued on their lowers. */
	brcm_offload_exit();
	unregister_netdevice_notifier(&brcm_notifier);
	brcm_genl_exit();
	/* Wait for the groups freed by call_rcu(). */
	rcu_barrier();
}

module_init(brcm_module_init);
module_exit(brcm_module_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Network devices for the ports of a Broadcom switch behind its IMP port");
MODULE_VERSION(BRCM_VERSION);
MODULE_ALIAS_RTNL_LINK("brcm");
MODULE_ALIAS_GENL_FAMILY(BRCM_GENL_NAME);
