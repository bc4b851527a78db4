// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "brcm": ports and their lowers for
 * management tools, and a multicast group announcing every change. Ports
 * are created and changed through the same functions as rtnetlink uses.
 */

#include <linux/if.h>
#include <linux/sort.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/rtnetlink.h>
#include <net/sock.h>

#include "brcm.h"

enum brcm_genl_mcgrp {
	BRCM_MCGRP_MONITOR,
};

static struct genl_family brcm_genl_family;

/* Each command's policy lists the attributes it takes, with their types:
 * strict validation refuses any other, in every occurrence, and points at
 * it. Values are checked where they are used, the port settings in
 * brcm_check_cfg() as for rtnetlink, so that the error names the value.
 */
#define BRCM_POLICY_IFINDEX	{ .type = NLA_U32 }
#define BRCM_POLICY_IFNAME	{ .type = NLA_NUL_STRING }
#define BRCM_POLICY_PORT	{ .type = NLA_U16 }

/* The attributes that select a port, or give a new one's place. */
#define BRCM_POLICY_SELECT					\
	[BRCM_A_IFINDEX]	= BRCM_POLICY_IFINDEX,		\
	[BRCM_A_IFNAME]		= BRCM_POLICY_IFNAME,		\
	[BRCM_A_LOWER_IFINDEX]	= BRCM_POLICY_IFINDEX,		\
	[BRCM_A_LOWER_IFNAME]	= BRCM_POLICY_IFNAME,		\
	[BRCM_A_PORT]		= BRCM_POLICY_PORT

/* BRCM_CMD_PORT_GET: a selector. */
static const struct nla_policy brcm_select_policy[BRCM_A_PORT + 1] = {
	BRCM_POLICY_SELECT,
};

/* BRCM_CMD_PORT_DEL: a selector, or many ports. The list's entries are
 * checked where they are read, to name the one that is wrong.
 */
static const struct nla_policy brcm_del_policy[BRCM_A_IFINDEX_LIST + 1] = {
	BRCM_POLICY_SELECT,
	[BRCM_A_ALL]		= { .type = NLA_FLAG },
	[BRCM_A_IFINDEX_LIST]	= { .type = NLA_NESTED },
};

/* BRCM_CMD_PORT_NEW and _SET: a selector or a new port, and settings. */
static const struct nla_policy brcm_config_policy[BRCM_A_VLAN + 1] = {
	BRCM_POLICY_SELECT,
	[BRCM_A_QUEUE]		= { .type = NLA_U8 },
	[BRCM_A_TAG_ENFORCE]	= { .type = NLA_U8 },
	/* Not a port setting: a flag, checked here. */
	[BRCM_A_ADMIN_UP]	= NLA_POLICY_MAX(NLA_U8, 1),
	[BRCM_A_FORMAT]		= { .type = NLA_U8 },
	[BRCM_A_QUEUE_FROM_PRIO] = { .type = NLA_U8 },
	[BRCM_A_VLAN]		= { .type = NLA_U16 },
};

/* BRCM_CMD_LINK_GET: a lower. */
static const struct nla_policy brcm_lower_policy[BRCM_A_LOWER_IFNAME + 1] = {
	[BRCM_A_LOWER_IFINDEX]	= BRCM_POLICY_IFINDEX,
	[BRCM_A_LOWER_IFNAME]	= BRCM_POLICY_IFNAME,
};

/* BRCM_CMD_LINK_SET: a lower and its format, checked where it is read. */
static const struct nla_policy brcm_lower_set_policy[BRCM_A_FORMAT + 1] = {
	[BRCM_A_LOWER_IFINDEX]	= BRCM_POLICY_IFINDEX,
	[BRCM_A_LOWER_IFNAME]	= BRCM_POLICY_IFNAME,
	[BRCM_A_FORMAT]		= { .type = NLA_U8 },
};

/* Returns the name in @attr, or NULL with an error if it cannot be one. */
static const char *brcm_genl_name(const struct nlattr *attr, const char *what,
				  struct netlink_ext_ack *extack)
{
	const char *name = nla_data(attr);

	if (strlen(name) >= IFNAMSIZ) {
		brcm_err(extack, "%s name %s is longer than %u bytes",
			 what, name, IFNAMSIZ - 1);
		return NULL;
	}
	return name;
}

/* Parsing keeps the last of repeated attributes: every name is checked,
 * so that a request with a bad one anywhere is refused whole.
 */
static int brcm_genl_names(const struct nlmsghdr *nlh,
			   struct netlink_ext_ack *extack)
{
	const struct nlattr *attr;
	int rem;

	nlmsg_for_each_attr(attr, nlh, GENL_HDRLEN, rem) {
		if (nla_type(attr) == BRCM_A_IFNAME &&
		    !brcm_genl_name(attr, "device", extack))
			return -EINVAL;
		if (nla_type(attr) == BRCM_A_LOWER_IFNAME &&
		    !brcm_genl_name(attr, "lower device", extack))
			return -EINVAL;
	}
	return 0;
}

/* The lower named by BRCM_A_LOWER_IFINDEX or BRCM_A_LOWER_IFNAME. */
static struct net_device *brcm_genl_lower(struct net *net, struct nlattr **attrs,
					  struct netlink_ext_ack *extack)
{
	struct nlattr *index = attrs[BRCM_A_LOWER_IFINDEX];
	struct nlattr *name = attrs[BRCM_A_LOWER_IFNAME];
	struct net_device *lower;
	const char *s;

	ASSERT_RTNL();
	if (index && name) {
		NL_SET_ERR_MSG(extack, "give the lower device by index or by name, not both");
		return ERR_PTR(-EINVAL);
	}
	if (index) {
		lower = __dev_get_by_index(net, nla_get_u32(index));
		if (!lower) {
			brcm_err(extack, "lower device ifindex %u not found",
				 nla_get_u32(index));
			return ERR_PTR(-ENODEV);
		}
		return lower;
	}
	if (name) {
		/* Its length was checked with every name (brcm_genl_names). */
		s = nla_data(name);
		lower = __dev_get_by_name(net, s);
		if (!lower) {
			brcm_err(extack, "lower device %s not found", s);
			return ERR_PTR(-ENODEV);
		}
		return lower;
	}
	NL_SET_ERR_MSG(extack,
		       "lower device not given (BRCM_A_LOWER_IFINDEX or _IFNAME)");
	return ERR_PTR(-EINVAL);
}

/* The port selected by exactly one of BRCM_A_IFINDEX, BRCM_A_IFNAME, or
 * a lower and BRCM_A_PORT. A BRCM_A_PORT beside an index or a name must
 * be the port's own.
 */
static struct net_device *brcm_genl_port(struct net *net, struct nlattr **attrs,
					 bool check_port,
					 struct netlink_ext_ack *extack)
{
	bool by_lower = attrs[BRCM_A_LOWER_IFINDEX] || attrs[BRCM_A_LOWER_IFNAME];
	struct net_device *dev = NULL, *lower;
	struct brcm_port_cfg cfg = {};
	struct brcm_group *grp;
	const char *name;
	u16 port;
	int err;

	ASSERT_RTNL();
	switch (!!attrs[BRCM_A_IFINDEX] + !!attrs[BRCM_A_IFNAME] + by_lower) {
	case 0:
		NL_SET_ERR_MSG(extack,
			       "no port given: give its ifindex, name, or lower and port");
		return ERR_PTR(-EINVAL);
	case 1:
		break;
	default:
		NL_SET_ERR_MSG(extack,
			       "give one of ifindex, name, or lower and port, not several");
		return ERR_PTR(-EINVAL);
	}

	if (by_lower) {
		if (!attrs[BRCM_A_PORT]) {
			NL_SET_ERR_MSG(extack, "switch port not given (BRCM_A_PORT)");
			return ERR_PTR(-EINVAL);
		}
		lower = brcm_genl_lower(net, attrs, extack);
		if (IS_ERR(lower))
			return lower;
		cfg.port = nla_get_u16(attrs[BRCM_A_PORT]);
		err = brcm_check_cfg(&cfg, extack);
		if (err)
			return ERR_PTR(err);
		port = cfg.port;
		grp = brcm_group_find(lower);
		if (grp)
			dev = rtnl_dereference(grp->ports[port]);
		/* A port moved to another namespace is not the caller's. */
		if (!dev || !net_eq(dev_net(dev), net)) {
			brcm_err(extack, "no port %u on %s", port, lower->name);
			return ERR_PTR(-ENODEV);
		}
		return dev;
	}

	if (attrs[BRCM_A_IFINDEX]) {
		dev = __dev_get_by_index(net, nla_get_u32(attrs[BRCM_A_IFINDEX]));
		if (!dev) {
			brcm_err(extack, "no device with ifindex %u",
				 nla_get_u32(attrs[BRCM_A_IFINDEX]));
			return ERR_PTR(-ENODEV);
		}
	} else {
		/* Its length was checked with every name (brcm_genl_names). */
		name = nla_data(attrs[BRCM_A_IFNAME]);
		dev = __dev_get_by_name(net, name);
		if (!dev) {
			brcm_err(extack, "no device %s", name);
			return ERR_PTR(-ENODEV);
		}
	}
	if (!brcm_is_port(dev)) {
		brcm_err(extack, "%s is not a brcm port", dev->name);
		return ERR_PTR(-ENODEV);
	}
	port = brcm_port(dev)->port;
	if (check_port && attrs[BRCM_A_PORT] &&
	    nla_get_u16(attrs[BRCM_A_PORT]) != port) {
		brcm_err(extack, "port %u given, but %s is port %u",
			 nla_get_u16(attrs[BRCM_A_PORT]), dev->name, port);
		return ERR_PTR(-EINVAL);
	}
	return dev;
}

static int brcm_put_u64(struct sk_buff *skb, int type, u64 v, int pad)
{
	return nla_put_u64_64bit(skb, type, v, pad);
}

static int brcm_fill_stats(struct sk_buff *skb, struct net_device *dev)
{
	struct rtnl_link_stats64 st;
	struct nlattr *nest;

	/* What IFLA_STATS64 reports, so both netlink paths agree. */
	dev_get_stats(dev, &st);
	nest = nla_nest_start(skb, BRCM_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (brcm_put_u64(skb, BRCM_STATS_A_RX_PACKETS, st.rx_packets, BRCM_STATS_A_PAD) ||
	    brcm_put_u64(skb, BRCM_STATS_A_RX_BYTES, st.rx_bytes, BRCM_STATS_A_PAD) ||
	    brcm_put_u64(skb, BRCM_STATS_A_RX_MULTICAST, st.multicast, BRCM_STATS_A_PAD) ||
	    brcm_put_u64(skb, BRCM_STATS_A_RX_DROPPED, st.rx_dropped, BRCM_STATS_A_PAD) ||
	    brcm_put_u64(skb, BRCM_STATS_A_RX_ERRORS, st.rx_errors, BRCM_STATS_A_PAD) ||
	    brcm_put_u64(skb, BRCM_STATS_A_TX_PACKETS, st.tx_packets, BRCM_STATS_A_PAD) ||
	    brcm_put_u64(skb, BRCM_STATS_A_TX_BYTES, st.tx_bytes, BRCM_STATS_A_PAD) ||
	    brcm_put_u64(skb, BRCM_STATS_A_TX_DROPPED, st.tx_dropped, BRCM_STATS_A_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* As rtnetlink reports it: a device that is down is just down. */
static u8 brcm_operstate(const struct net_device *dev)
{
	return netif_running(dev) ? READ_ONCE(dev->operstate) : IF_OPER_DOWN;
}

static int brcm_fill_port(struct sk_buff *skb, struct net_device *dev,
			  u32 portid, u32 seq, int flags, u8 cmd,
			  struct netlink_callback *cb)
{
	const struct brcm_port *p = brcm_port(dev);
	struct net_device *lower = p->lower;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &brcm_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		nl_dump_check_consistent(cb, genlmsg_nlhdr(hdr));

	if (nla_put_u32(skb, BRCM_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, BRCM_A_IFNAME, dev->name) ||
	    nla_put_u32(skb, BRCM_A_LOWER_IFINDEX, lower->ifindex))
		goto cancel;
	if (net_eq(dev_net(dev), dev_net(lower))) {
		if (nla_put_string(skb, BRCM_A_LOWER_IFNAME, lower->name))
			goto cancel;
	} else if (nla_put_s32(skb, BRCM_A_LINK_NETNSID,
			       peernet2id_alloc(dev_net(dev), dev_net(lower),
						GFP_KERNEL))) {
		goto cancel;
	}
	if (nla_put_u16(skb, BRCM_A_PORT, p->port) ||
	    nla_put_u8(skb, BRCM_A_QUEUE, p->queue) ||
	    nla_put_u8(skb, BRCM_A_TAG_ENFORCE, p->tag_enforce) ||
	    nla_put_u8(skb, BRCM_A_FORMAT, p->format) ||
	    nla_put_u8(skb, BRCM_A_QUEUE_FROM_PRIO, p->queue_from_prio) ||
	    nla_put_u16(skb, BRCM_A_VLAN, p->vlan) ||
	    nla_put_u8(skb, BRCM_A_ADMIN_UP, !!(dev->flags & IFF_UP)) ||
	    nla_put_u8(skb, BRCM_A_OPERSTATE, brcm_operstate(dev)) ||
	    nla_put_u32(skb, BRCM_A_MTU, dev->mtu) ||
	    nla_put_u32(skb, BRCM_A_FLAGS, netif_get_flags(dev)) ||
	    nla_put(skb, BRCM_A_ADDRESS, dev->addr_len, dev->dev_addr) ||
	    brcm_fill_stats(skb, dev))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int brcm_fill_lower(struct sk_buff *skb, const struct brcm_group *grp,
			   u32 portid, u32 seq, int flags,
			   struct netlink_callback *cb)
{
	static const int attr[BRCM_LOWER_NR_COUNTERS] = {
		[BRCM_LOWER_RX_TAGGED]		= BRCM_LOWER_STATS_A_RX_TAGGED,
		[BRCM_LOWER_RX_BAD_LEN]		= BRCM_LOWER_STATS_A_RX_BAD_LEN,
		[BRCM_LOWER_RX_BAD_OPCODE]	= BRCM_LOWER_STATS_A_RX_BAD_OPCODE,
		[BRCM_LOWER_RX_BAD_PORT_ID]	= BRCM_LOWER_STATS_A_RX_BAD_PORT_ID,
		[BRCM_LOWER_RX_UNKNOWN_PORT]	= BRCM_LOWER_STATS_A_RX_UNKNOWN_PORT,
	};
	u64 v[BRCM_LOWER_NR_COUNTERS];
	struct nlattr *nest;
	void *hdr;
	int i;

	hdr = genlmsg_put(skb, portid, seq, &brcm_genl_family, flags,
			  BRCM_CMD_LINK_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		nl_dump_check_consistent(cb, genlmsg_nlhdr(hdr));

	if (nla_put_u32(skb, BRCM_A_LOWER_IFINDEX, grp->lower->ifindex) ||
	    nla_put_string(skb, BRCM_A_LOWER_IFNAME, grp->lower->name) ||
	    nla_put_u32(skb, BRCM_A_NR_PORTS, grp->nr_ports) ||
	    nla_put_u8(skb, BRCM_A_FORMAT, grp->format))
		goto cancel;
	nest = nla_nest_start(skb, BRCM_A_LOWER_STATS);
	if (!nest)
		goto cancel;
	brcm_group_get_stats(grp, v);
	for (i = 0; i < BRCM_LOWER_NR_COUNTERS; i++)
		if (brcm_put_u64(skb, attr[i], v[i], BRCM_LOWER_STATS_A_PAD))
			goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* Replies to @info with @dev as BRCM_CMD_PORT_GET shows it. */
static int brcm_reply_port(struct genl_info *info, struct sk_buff *reply,
			   struct net_device *dev)
{
	int err = brcm_fill_port(reply, dev, info->snd_portid, info->snd_seq,
				 0, BRCM_CMD_PORT_GET, NULL);

	if (err) {
		nlmsg_free(reply);
		return err;
	}
	return genlmsg_reply(reply, info);
}

/* Takes the settings @attrs give into @cfg. */
static void brcm_cfg_from_genl(struct brcm_port_cfg *cfg,
			       struct nlattr **attrs)
{
	if (attrs[BRCM_A_PORT])
		cfg->port = nla_get_u16(attrs[BRCM_A_PORT]);
	if (attrs[BRCM_A_QUEUE])
		cfg->queue = nla_get_u8(attrs[BRCM_A_QUEUE]);
	if (attrs[BRCM_A_TAG_ENFORCE])
		cfg->tag_enforce = nla_get_u8(attrs[BRCM_A_TAG_ENFORCE]);
	if (attrs[BRCM_A_FORMAT]) {
		cfg->format = nla_get_u8(attrs[BRCM_A_FORMAT]);
		cfg->format_set = true;
	}
	if (attrs[BRCM_A_QUEUE_FROM_PRIO])
		cfg->queue_from_prio = nla_get_u8(attrs[BRCM_A_QUEUE_FROM_PRIO]);
	if (attrs[BRCM_A_VLAN])
		cfg->vlan = nla_get_u16(attrs[BRCM_A_VLAN]);
}

/* Deletes @n ports together: unregistered as one batch, they wait for
 * one RCU grace period instead of one each.
 */
static void brcm_delete_many(struct net_device **devs, unsigned int n)
{
	LIST_HEAD(list);
	unsigned int i;

	for (i = 0; i < n; i++)
		brcm_port_delete(devs[i], &list);
	unregister_netdevice_many(&list);
}

/* Creates a port as rtnl_newlink() does, through brcm_port_register(). */
static struct net_device *brcm_genl_create(struct net *net, struct nlattr **attrs,
					   const struct brcm_port_cfg *cfg,
					   struct netlink_ext_ack *extack)
{
	struct ifinfomsg ifm = {};
	struct net_device *lower, *dev;
	char name[IFNAMSIZ];
	int err;

	lower = brcm_genl_lower(net, attrs, extack);
	if (IS_ERR(lower))
		return lower;
	if (attrs[BRCM_A_IFNAME]) {
		/* Its length was checked with every name (brcm_genl_names). */
		nla_strscpy(name, attrs[BRCM_A_IFNAME], sizeof(name));
	} else if (snprintf(name, sizeof(name), "%s.p%u", lower->name,
			    cfg->port) >= sizeof(name)) {
		brcm_err(extack, "default name %s.p%u is longer than %u bytes: give a name",
			 lower->name, cfg->port, IFNAMSIZ - 1);
		return ERR_PTR(-EINVAL);
	}

	dev = brcm_rtnl_create(net, name, extack);
	if (IS_ERR(dev))
		return dev;
	err = brcm_port_register(dev, lower, cfg, extack);
	if (err) {
		/* As rtnl_newlink_create(): free_netdev() defers the free of a
		 * device a failed registration left unregistering.
		 */
		free_netdev(dev);
		return ERR_PTR(err);
	}
	if (attrs[BRCM_A_ADMIN_UP] && nla_get_u8(attrs[BRCM_A_ADMIN_UP])) {
		ifm.ifi_flags = IFF_UP;
		ifm.ifi_change = IFF_UP;
	}
	err = rtnl_configure_link(dev, &ifm, 0, NULL);
	if (err) {
		brcm_err(extack, "cannot bring %s up (lower %s is %s)", dev->name,
			 lower->name, lower->flags & IFF_UP ? "up" : "down");
		brcm_delete_many(&dev, 1);
		return ERR_PTR(err);
	}
	return dev;
}

static int brcm_genl_port_new(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **attrs = info->attrs;
	struct brcm_port_cfg cfg = {};
	struct net_device *dev;
	struct sk_buff *reply;
	int err;

	err = brcm_genl_names(info->nlhdr, extack);
	if (err)
		return err;
	if (attrs[BRCM_A_IFINDEX]) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[BRCM_A_IFINDEX],
				    "a new port has no ifindex yet: give BRCM_A_IFNAME or nothing");
		return -EINVAL;
	}
	if (!attrs[BRCM_A_PORT]) {
		NL_SET_ERR_MSG(extack, "switch port not given (BRCM_A_PORT)");
		return -EINVAL;
	}
	brcm_cfg_from_genl(&cfg, attrs);
	err = brcm_check_cfg(&cfg, extack);
	if (err)
		return err;

	/* Allocated first: past creation, nothing may fail. */
	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	rtnl_lock();
	dev = brcm_genl_create(genl_info_net(info), attrs, &cfg, extack);
	if (IS_ERR(dev)) {
		rtnl_unlock();
		nlmsg_free(reply);
		return PTR_ERR(dev);
	}
	/* Made: whatever becomes of the reply, the request succeeded. */
	brcm_reply_port(info, reply, dev);
	rtnl_unlock();
	return 0;
}

/* The ports of @lower in @net, in @devs, which has room for them all. */
static unsigned int brcm_lower_ports(struct net *net, struct net_device *lower,
				     struct net_device **devs)
{
	struct brcm_group *grp = brcm_group_find(lower);
	struct net_device *dev;
	unsigned int i, n = 0;

	/* Collected before any is deleted: the last one frees the group. */
	for (i = 0; grp && i <= BRCM_PORT_MAX; i++) {
		dev = rtnl_dereference(grp->ports[i]);
		if (dev && net_eq(dev_net(dev), net))
			devs[n++] = dev;
	}
	return n;
}

static int brcm_cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return (x > y) - (x < y);
}

/* Reads the ifindexes of @list into a new array, sorted, each once. */
static u32 *brcm_genl_ifindexes(const struct nlattr *list, unsigned int *np,
				struct netlink_ext_ack *extack)
{
	const struct nlattr *entry;
	unsigned int i, n = 0;
	u32 *idx;
	int rem;

	nla_for_each_nested(entry, list, rem) {
		if (nla_len(entry) != sizeof(u32)) {
			NL_SET_ERR_MSG_ATTR(extack, entry,
					    "an ifindex list entry is not a u32");
			return ERR_PTR(-EINVAL);
		}
		n++;
	}
	if (rem) {
		NL_SET_BAD_ATTR(extack, list);
		brcm_err(extack, "%d bytes after the ifindex list's last entry",
			 rem);
		return ERR_PTR(-EINVAL);
	}
	idx = kvmalloc_array(max(n, 1U), sizeof(*idx), GFP_KERNEL);
	if (!idx)
		return ERR_PTR(-ENOMEM);
	i = 0;
	nla_for_each_nested(entry, list, rem)
		idx[i++] = nla_get_u32(entry);
	sort(idx, n, sizeof(*idx), brcm_cmp_u32, NULL);
	for (i = 1; i < n; i++) {
		if (idx[i] == idx[i - 1]) {
			brcm_err(extack, "ifindex %u is in the list twice", idx[i]);
			kvfree(idx);
			return ERR_PTR(-EINVAL);
		}
	}
	*np = n;
	return idx;
}

/* Finds the port of each of the @n ifindexes @idx into @devs. */
static int brcm_find_ports(struct net *net, const u32 *idx, unsigned int n,
			   struct net_device **devs,
			   struct netlink_ext_ack *extack)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		devs[i] = __dev_get_by_index(net, idx[i]);
		if (!devs[i]) {
			brcm_err(extack, "no device with ifindex %u", idx[i]);
			return -ENODEV;
		}
		if (!brcm_is_port(devs[i])) {
			brcm_err(extack, "%s (ifindex %u) is not a brcm port",
				 devs[i]->name, idx[i]);
			return -ENODEV;
		}
	}
	return 0;
}

/* The ports BRCM_A_IFINDEX_LIST names, in a new array, once each. */
static struct net_device **brcm_genl_list_ports(struct net *net,
						const struct nlattr *list,
						unsigned int *np,
						struct netlink_ext_ack *extack)
{
	struct net_device **devs;
	unsigned int n;
	u32 *idx;
	int err;

	idx = brcm_genl_ifindexes(list, &n, extack);
	if (IS_ERR(idx))
		return ERR_CAST(idx);
	devs = kvmalloc_array(max(n, 1U), sizeof(*devs), GFP_KERNEL);
	if (!devs) {
		kvfree(idx);
		return ERR_PTR(-ENOMEM);
	}
	err = brcm_find_ports(net, idx, n, devs, extack);
	kvfree(idx);
	if (err) {
		kvfree(devs);
		return ERR_PTR(err);
	}
	*np = n;
	return devs;
}

/* BRCM_CMD_PORT_DEL of every port of a lower, or of a list: all or none,
 * answered with how many.
 */
static int brcm_genl_port_del_many(struct genl_info *info)
{
	struct net_device *lower_devs[BRCM_PORT_MAX + 1], **devs = lower_devs;
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *list = info->attrs[BRCM_A_IFINDEX_LIST];
	struct nlattr **attrs = info->attrs;
	struct net *net = genl_info_net(info);
	struct net_device *lower;
	struct sk_buff *reply;
	unsigned int n = 0;
	void *hdr;
	int err;

	if (attrs[BRCM_A_IFINDEX] || attrs[BRCM_A_IFNAME] ||
	    attrs[BRCM_A_PORT]) {
		NL_SET_ERR_MSG(extack,
			       "BRCM_A_ALL and _IFINDEX_LIST take no single port");
		return -EINVAL;
	}
	if (list && (attrs[BRCM_A_ALL] || attrs[BRCM_A_LOWER_IFINDEX] ||
		     attrs[BRCM_A_LOWER_IFNAME])) {
		NL_SET_ERR_MSG(extack,
			       "BRCM_A_IFINDEX_LIST takes no lower and no BRCM_A_ALL");
		return -EINVAL;
	}
	reply = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	hdr = genlmsg_put_reply(reply, info, &brcm_genl_family, 0,
				BRCM_CMD_PORT_DEL);
	if (!hdr) {
		err = -EMSGSIZE;
		goto free;
	}
	rtnl_lock();
	if (list) {
		devs = brcm_genl_list_ports(net, list, &n, extack);
		if (IS_ERR(devs)) {
			err = PTR_ERR(devs);
			goto unlock;
		}
	} else {
		lower = brcm_genl_lower(net, attrs, extack);
		if (IS_ERR(lower)) {
			err = PTR_ERR(lower);
			goto unlock;
		}
		n = brcm_lower_ports(net, lower, devs);
	}
	brcm_delete_many(devs, n);
	rtnl_unlock();
	if (devs != lower_devs)
		kvfree(devs);
	/* Sized for it: this cannot fail. */
	nla_put_u32(reply, BRCM_A_NR_PORTS, n);
	genlmsg_end(reply, hdr);
	return genlmsg_reply(reply, info);

unlock:
	rtnl_unlock();
free:
	nlmsg_free(reply);
	return err;
}

static int brcm_genl_port_del(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev;

	if (brcm_genl_names(info->nlhdr, info->extack))
		return -EINVAL;
	if (info->attrs[BRCM_A_ALL] || info->attrs[BRCM_A_IFINDEX_LIST])
		return brcm_genl_port_del_many(info);
	rtnl_lock();
	dev = brcm_genl_port(genl_info_net(info), info->attrs, true,
			     info->extack);
	if (IS_ERR(dev)) {
		rtnl_unlock();
		return PTR_ERR(dev);
	}
	brcm_delete_many(&dev, 1);
	rtnl_unlock();
	return 0;
}

static int brcm_genl_port_set(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **attrs = info->attrs;
	struct brcm_port_cfg cfg;
	struct net_device *dev;
	struct sk_buff *reply;
	unsigned int flags;
	int err;

	if (brcm_genl_names(info->nlhdr, extack))
		return -EINVAL;
	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	rtnl_lock();
	dev = brcm_genl_port(genl_info_net(info), attrs, false, extack);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
		goto unlock;
	}
	brcm_port_get_cfg(dev, &cfg);
	brcm_cfg_from_genl(&cfg, attrs);
	/* Everything is checked before the one step that can fail, so that
	 * nothing is half set.
	 */
	err = brcm_port_check_change(dev, &cfg, extack);
	if (err)
		goto unlock;
	if (attrs[BRCM_A_ADMIN_UP]) {
		/* Not dev->flags: promiscuity and allmulti that others hold
		 * would become the user's, for good.
		 */
		flags = netif_get_flags(dev) & ~IFF_UP;
		if (nla_get_u8(attrs[BRCM_A_ADMIN_UP]))
			flags |= IFF_UP;
		err = dev_change_flags(dev, flags, extack);
		if (err) {
			/* Unless the core said why. */
			if (!extack->_msg)
				brcm_err(extack, "cannot bring %s %s (lower %s is %s)",
					 dev->name, flags & IFF_UP ? "up" : "down",
					 brcm_port(dev)->lower->name,
					 brcm_port(dev)->lower->flags & IFF_UP ?
					 "up" : "down");
			goto unlock;
		}
	}
	err = brcm_port_change(dev, &cfg, extack);
	if (err)
		goto unlock;
	/* Changed: whatever becomes of the reply, the request succeeded. */
	brcm_reply_port(info, reply, dev);
	rtnl_unlock();
	return 0;

unlock:
	rtnl_unlock();
	nlmsg_free(reply);
	return err;
}

static int brcm_genl_port_get(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev;
	struct sk_buff *reply;
	int err;

	if (brcm_genl_names(info->nlhdr, info->extack))
		return -EINVAL;
	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	rtnl_lock();
	dev = brcm_genl_port(genl_info_net(info), info->attrs, true,
			     info->extack);
	if (IS_ERR(dev)) {
		rtnl_unlock();
		nlmsg_free(reply);
		return PTR_ERR(dev);
	}
	err = brcm_reply_port(info, reply, dev);
	rtnl_unlock();
	return err;
}

/* A dump of ports takes a lower to filter by, nothing else. */
static int brcm_genl_port_dump_start(struct netlink_callback *cb)
{
	struct nlattr **attrs = genl_info_dump(cb)->attrs;

	if (brcm_genl_names(cb->nlh, cb->extack))
		return -EINVAL;
	if (attrs[BRCM_A_IFINDEX] || attrs[BRCM_A_IFNAME] || attrs[BRCM_A_PORT]) {
		NL_SET_ERR_MSG(cb->extack,
			       "a dump of ports takes only a lower to filter by");
		return -EINVAL;
	}
	return 0;
}

/* A dump of lowers takes nothing. */
static int brcm_genl_link_dump_start(struct netlink_callback *cb)
{
	struct nlattr **attrs = genl_info_dump(cb)->attrs;

	if (brcm_genl_names(cb->nlh, cb->extack))
		return -EINVAL;
	if (attrs[BRCM_A_LOWER_IFINDEX] || attrs[BRCM_A_LOWER_IFNAME]) {
		NL_SET_ERR_MSG(cb->extack, "a dump of lowers takes no attributes");
		return -EINVAL;
	}
	return 0;
}

/* Dumps resume by position: cb->args[0] holds how many were sent. Ports
 * come and go only by (un)registering, which changes dev_base_seq, so a
 * change between two parts of a dump marks it NLM_F_DUMP_INTR.
 */
static int brcm_genl_port_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr **attrs = genl_info_dump(cb)->attrs;
	struct net *net = sock_net(skb->sk);
	struct net_device *dev, *lower = NULL;
	long idx = 0, start = cb->args[0];
	int err = 0;

	rtnl_lock();
	if (attrs[BRCM_A_LOWER_IFINDEX] || attrs[BRCM_A_LOWER_IFNAME]) {
		lower = brcm_genl_lower(net, attrs, cb->extack);
		if (IS_ERR(lower)) {
			err = PTR_ERR(lower);
			goto unlock;
		}
	}
	cb->seq = net->dev_base_seq;
	for_each_netdev(net, dev) {
		if (!brcm_is_port(dev) || (lower && brcm_port(dev)->lower != lower))
			continue;
		if (idx >= start &&
		    brcm_fill_port(skb, dev, NETLINK_CB(cb->skb).portid,
				   cb->nlh->nlmsg_seq, NLM_F_MULTI,
				   BRCM_CMD_PORT_GET, cb))
			break;
		idx++;
	}
	cb->args[0] = idx;
unlock:
	rtnl_unlock();
	return err ?: skb->len;
}

/* The group of the lower @info selects, which must have ports. */
static struct brcm_group *brcm_genl_group(struct genl_info *info)
{
	struct net_device *lower;
	struct brcm_group *grp;

	lower = brcm_genl_lower(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(lower))
		return ERR_CAST(lower);
	grp = brcm_group_find(lower);
	if (!grp) {
		brcm_err(info->extack, "%s has no brcm ports", lower->name);
		return ERR_PTR(-ENODEV);
	}
	return grp;
}

static int brcm_genl_link_get(struct sk_buff *skb, struct genl_info *info)
{
	struct brcm_group *grp;
	struct sk_buff *reply;
	int err;

	if (brcm_genl_names(info->nlhdr, info->extack))
		return -EINVAL;
	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	rtnl_lock();
	grp = brcm_genl_group(info);
	if (IS_ERR(grp)) {
		err = PTR_ERR(grp);
		goto unlock;
	}
	err = brcm_fill_lower(reply, grp, info->snd_portid, info->snd_seq, 0,
			      NULL);
	rtnl_unlock();
	if (err) {
		nlmsg_free(reply);
		return err;
	}
	return genlmsg_reply(reply, info);

unlock:
	rtnl_unlock();
	nlmsg_free(reply);
	return err;
}

static int brcm_genl_link_set(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct brcm_group *grp;
	struct sk_buff *reply;
	int err;

	if (brcm_genl_names(info->nlhdr, extack))
		return -EINVAL;
	if (!info->attrs[BRCM_A_FORMAT]) {
		NL_SET_ERR_MSG(extack, "tag format not given (BRCM_A_FORMAT)");
		return -EINVAL;
	}
	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	rtnl_lock();
	grp = brcm_genl_group(info);
	if (IS_ERR(grp)) {
		err = PTR_ERR(grp);
		goto unlock;
	}
	err = brcm_group_set_format(grp, nla_get_u8(info->attrs[BRCM_A_FORMAT]),
				    extack);
	if (err)
		goto unlock;
	/* Changed: whatever becomes of the reply, the request succeeded. */
	if (brcm_fill_lower(reply, grp, info->snd_portid, info->snd_seq, 0,
			    NULL))
		nlmsg_free(reply);
	else
		genlmsg_reply(reply, info);
	rtnl_unlock();
	return 0;

unlock:
	rtnl_unlock();
	nlmsg_free(reply);
	return err;
}

static int brcm_genl_link_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	long idx = 0, start = cb->args[0];
	struct brcm_group *grp;
	int bkt;

	rtnl_lock();
	cb->seq = brcm_groups_seq;
	hash_for_each(brcm_groups, bkt, grp, hnode) {
		if (!net_eq(dev_net(grp->lower), net))
			continue;
		if (idx >= start &&
		    brcm_fill_lower(skb, grp, NETLINK_CB(cb->skb).portid,
				    cb->nlh->nlmsg_seq, NLM_F_MULTI, cb))
			break;
		idx++;
	}
	cb->args[0] = idx;
	rtnl_unlock();
	return skb->len;
}

static const struct genl_ops brcm_genl_ops[] = {
	{
		.cmd = BRCM_CMD_PORT_NEW,
		.doit = brcm_genl_port_new,
		.policy = brcm_config_policy,
		.maxattr = ARRAY_SIZE(brcm_config_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = BRCM_CMD_PORT_DEL,
		.doit = brcm_genl_port_del,
		.policy = brcm_del_policy,
		.maxattr = ARRAY_SIZE(brcm_del_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = BRCM_CMD_PORT_SET,
		.doit = brcm_genl_port_set,
		.policy = brcm_config_policy,
		.maxattr = ARRAY_SIZE(brcm_config_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = BRCM_CMD_PORT_GET,
		.doit = brcm_genl_port_get,
		.start = brcm_genl_port_dump_start,
		.dumpit = brcm_genl_port_dump,
		.policy = brcm_select_policy,
		.maxattr = ARRAY_SIZE(brcm_select_policy) - 1,
	},
	{
		.cmd = BRCM_CMD_LINK_GET,
		.doit = brcm_genl_link_get,
		.start = brcm_genl_link_dump_start,
		.dumpit = brcm_genl_link_dump,
		.policy = brcm_lower_policy,
		.maxattr = ARRAY_SIZE(brcm_lower_policy) - 1,
	},
	{
		.cmd = BRCM_CMD_LINK_SET,
		.doit = brcm_genl_link_set,
		.policy = brcm_lower_set_policy,
		.maxattr = ARRAY_SIZE(brcm_lower_set_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group brcm_genl_mcgrps[] = {
	[BRCM_MCGRP_MONITOR] = { .name = BRCM_GENL_MCGRP_MONITOR },
};

static struct genl_family brcm_genl_family __ro_after_init = {
	.name		= BRCM_GENL_NAME,
	.version	= BRCM_GENL_VERSION,
	.maxattr	= BRCM_A_MAX,
	.netnsok	= true,
	/* Strict validation and zeroed reserved fields for every command. */
	.resv_start_op	= 0,
	.module		= THIS_MODULE,
	.ops		= brcm_genl_ops,
	.n_ops		= ARRAY_SIZE(brcm_genl_ops),
	.mcgrps		= brcm_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(brcm_genl_mcgrps),
};

/* Tells the monitor group of @dev's namespace about @dev. */
void brcm_notify(struct net_device *dev, u8 cmd)
{
	struct net *net = dev_net(dev);
	struct sk_buff *skb;

	ASSERT_RTNL();
	if (!genl_has_listeners(&brcm_genl_family, net, BRCM_MCGRP_MONITOR))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		goto lost;
	if (brcm_fill_port(skb, dev, 0, 0, 0, cmd, NULL)) {
		nlmsg_free(skb);
		goto lost;
	}
	genlmsg_multicast_netns(&brcm_genl_family, net, skb, 0,
				BRCM_MCGRP_MONITOR, GFP_KERNEL);
	return;
lost:
	/* As rtnetlink does: a listener that missed an event must know. */
	genl_set_err(&brcm_genl_family, net, 0, BRCM_MCGRP_MONITOR, -ENOBUFS);
}

int __init brcm_genl_init(void)
{
	return genl_register_family(&brcm_genl_family);
}

void brcm_genl_exit(void)
{
	genl_unregister_family(&brcm_genl_family);
}
