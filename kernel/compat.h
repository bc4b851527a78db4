/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What older kernels lack, so that the rest of the module reads as code
 * for the newest one. One entry per change, each naming the kernel that
 * made it; keyed by a macro where one shows the change, by version where
 * none does (sparse does not know __has_include, so moved headers go by
 * version too), and naming the mainline commit. Meant for every release
 * from 6.1 on and its stable updates; tested on 6.1, 6.12 and 7.2.
 */
#ifndef _BRCM_COMPAT_H
#define _BRCM_COMPAT_H

#include <linux/version.h>
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>

/* 6.12 moved <asm/unaligned.h> to <linux/unaligned.h> (5f60d5f6bbc1). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* 6.5 moved skb_gso_segment() and skb_mac_gso_segment() to <net/gso.h>
 * (d457a0e329b0), and so did 6.4.10 of the 6.4 stable series.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 10)
#include <net/gso.h>
#endif

/* 6.15 moved netdev_lockdep_set_classes() to <net/netdev_lock.h>
 * (8ef890df4031).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 15, 0)
#include <net/netdev_lock.h>
#endif

/* 6.12 turned the NETIF_F_LLTX feature into the dev->lltx flag
 * (00d066a4d4ed), removing the macro.
 */
#ifdef NETIF_F_LLTX
#define netdev_set_lltx(dev) ((dev)->features |= NETIF_F_LLTX)
#else
#define netdev_set_lltx(dev) ((dev)->lltx = true)
#endif

/* 6.17 renamed dev_get_flags() netif_get_flags() (93893a57efd4); no
 * release has both.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 17, 0)
#define netif_get_flags(dev) dev_get_flags(dev)
#endif

/* 6.2 added NL_SET_ERR_MSG_FMT() (51c352bdbcd2); compat.c formats for
 * older kernels.
 */
#ifndef NL_SET_ERR_MSG_FMT
#define BRCM_COMPAT_EXTACK_FMT
__printf(2, 3)
void brcm_extack_fmt(struct netlink_ext_ack *extack, const char *fmt, ...);
#define NL_SET_ERR_MSG_FMT(extack, fmt, ...) \
	brcm_extack_fmt(extack, fmt, ##__VA_ARGS__)
#endif

/* 6.6 gave dumps a struct genl_info, reached by genl_info_dump()
 * (9272af109fe6), and removed genl_dumpit_info's attrs (7288dd2fd488).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
struct brcm_compat_dump_info {
	struct nlattr **attrs;
};

#define genl_info_dump(cb) \
	((const struct brcm_compat_dump_info *)&genl_dumpit_info(cb)->attrs)
#endif

/* 6.15 passes newlink() its arguments in struct rtnl_newlink_params
 * (69c7be1b903f) and creates the device in its target namespace
 * (7ca486d08a30); the lower is looked up in link_net ?: src_net. Older
 * kernels pass that namespace as src_net.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 15, 0)
struct rtnl_newlink_params {
	struct net *src_net;
	struct net *link_net;
	struct nlattr **tb;
	struct nlattr **data;
};

static inline struct net *
rtnl_newlink_link_net(struct rtnl_newlink_params *p)
{
	return p->link_net ? : p->src_net;
}

#define RTNL_NEWLINK_COMPAT(fn)						\
static int fn##_compat(struct net *src_net, struct net_device *dev,	\
		       struct nlattr *tb[], struct nlattr *data[],	\
		       struct netlink_ext_ack *extack)			\
{									\
	struct rtnl_newlink_params p = {				\
		.src_net = src_net, .tb = tb, .data = data,		\
	};								\
	return fn(dev, &p, extack);					\
}

#define rtnl_newlink_fn(fn) fn##_compat
#else
#define RTNL_NEWLINK_COMPAT(fn)
#define rtnl_newlink_fn(fn) fn
#endif

/* 6.13 dropped ndo_netpoll_setup()'s struct netpoll_info argument
 * (e44ef3f66c54).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
#define NDO_NETPOLL_SETUP_COMPAT(fn)					\
static int fn##_compat(struct net_device *dev, struct netpoll_info *info) \
{									\
	return fn(dev);							\
}

#define ndo_netpoll_setup_fn(fn) fn##_compat
#else
#define NDO_NETPOLL_SETUP_COMPAT(fn)
#define ndo_netpoll_setup_fn(fn) fn
#endif

#endif /* _BRCM_COMPAT_H */
