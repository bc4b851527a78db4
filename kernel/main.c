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
	err = rtnl_link_register(&brcm_link_ops);
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
	brcm_offload_exit();
	/* Deletes every port in every netns, and so every group. */
	rtnl_link_unregister(&brcm_link_ops);
	unregister_netdevice_notifier(&brcm_notifier);
	brcm_genl_exit();
	/* Wait for the groups freed by call_rcu(). */
	rcu_barrier();
}

module_init(brcm_module_init);
module_exit(brcm_module_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Network devices for the ports of a Broadcom switch behind its IMP port");
MODULE_ALIAS_RTNL_LINK("brcm");
MODULE_ALIAS_GENL_FAMILY(BRCM_GENL_NAME);
