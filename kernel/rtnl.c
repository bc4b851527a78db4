// SPDX-License-Identifier: GPL-2.0
/*
 * The rtnetlink link kind "brcm".
 */

#include <linux/etherdevice.h>
#include <net/rtnetlink.h>

#include "brcm.h"

/* Ranges are checked in brcm_validate_data(), not here, so the error
 * can name the value: a policy range only says "integer out of range".
 */
static const struct nla_policy brcm_policy[IFLA_BRCM_MAX + 1] = {
	[IFLA_BRCM_PORT]	= { .type = NLA_U16 },
	[IFLA_BRCM_QUEUE]	= { .type = NLA_U8 },
	[IFLA_BRCM_TAG_ENFORCE]	= { .type = NLA_U8 },
	[IFLA_BRCM_FORMAT]	= { .type = NLA_U8 },
	[IFLA_BRCM_QUEUE_FROM_PRIO] = { .type = NLA_U8 },
	[IFLA_BRCM_VLAN]	= { .type = NLA_U16 },
};

/* Takes one attribute of the link data into @cfg. */
static void brcm_cfg_from_rtnl_attr(struct brcm_port_cfg *cfg, int type,
				    const struct nlattr *attr)
{
	switch (type) {
	case IFLA_BRCM_PORT:
		cfg->port = nla_get_u16(attr);
		break;
	case IFLA_BRCM_QUEUE:
		cfg->queue = nla_get_u8(attr);
		break;
	case IFLA_BRCM_TAG_ENFORCE:
		cfg->tag_enforce = nla_get_u8(attr);
		break;
	case IFLA_BRCM_FORMAT:
		cfg->format = nla_get_u8(attr);
		cfg->format_set = true;
		break;
	case IFLA_BRCM_QUEUE_FROM_PRIO:
		cfg->queue_from_prio = nla_get_u8(attr);
		break;
	case IFLA_BRCM_VLAN:
		cfg->vlan = nla_get_u16(attr);
		break;
	}
}

/* Takes the settings of the link data @data into @cfg. */
static void brcm_cfg_from_rtnl(struct brcm_port_cfg *cfg,
			       struct nlattr *data[])
{
	int type;

	for (type = 1; type <= IFLA_BRCM_MAX; type++)
		if (data[type])
			brcm_cfg_from_rtnl_attr(cfg, type, data[type]);
}

/* rtnetlink parses IFLA_INFO_DATA leniently: it skips unknown types,
 * takes attributes longer than their type, and keeps only the last of
 * duplicates. Check every attribute of the nest as strict validation
 * would, so that no malformed request is accepted, and name what is
 * wrong.
 */
static int brcm_validate_data(const struct nlattr *linkinfo,
			      struct netlink_ext_ack *extack)
{
	static const u8 size[IFLA_BRCM_MAX + 1] = {
		[IFLA_BRCM_PORT]	= sizeof(u16),
		[IFLA_BRCM_QUEUE]	= sizeof(u8),
		[IFLA_BRCM_TAG_ENFORCE]	= sizeof(u8),
		[IFLA_BRCM_FORMAT]	= sizeof(u8),
		[IFLA_BRCM_QUEUE_FROM_PRIO] = sizeof(u8),
		[IFLA_BRCM_VLAN]	= sizeof(u16),
	};
	const struct nlattr *data, *attr;
	struct brcm_port_cfg cfg;
	int rem, type, err;

	data = linkinfo ? nla_find_nested(linkinfo, IFLA_INFO_DATA) : NULL;
	if (!data)
		return 0;
	nla_for_each_nested(attr, data, rem) {
		type = nla_type(attr);
		if (type < 1 || type > IFLA_BRCM_MAX) {
			brcm_err(extack, "unknown attribute type %d in the brcm link data",
				 type);
			goto bad_attr;
		}
		if (nla_len(attr) != size[type]) {
			brcm_err(extack, "attribute type %d of the brcm link data is %d bytes, not %u",
				 type, nla_len(attr), size[type]);
			goto bad_attr;
		}
		memset(&cfg, 0, sizeof(cfg));
		brcm_cfg_from_rtnl_attr(&cfg, type, attr);
		err = brcm_check_cfg(&cfg, extack);
		if (err) {
			NL_SET_BAD_ATTR(extack, attr);
			return err;
		}
	}
	if (rem) {
		brcm_err(extack, "%d bytes left over in the brcm link data", rem);
		return -EINVAL;
	}
	return 0;

bad_attr:
	NL_SET_BAD_ATTR(extack, attr);
	return -EINVAL;
}

static int brcm_validate(struct nlattr *tb[], struct nlattr *data[],
			 struct netlink_ext_ack *extack)
{
	if (tb[IFLA_ADDRESS]) {
		if (nla_len(tb[IFLA_ADDRESS]) != ETH_ALEN ||
		    !is_valid_ether_addr(nla_data(tb[IFLA_ADDRESS]))) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
					    "invalid Ethernet address");
			return -EADDRNOTAVAIL;
		}
	}
	return brcm_validate_data(tb[IFLA_LINKINFO], extack);
}

/* The device is in its target namespace already; the lower is where the
 * caller's IFLA_LINK_NETNSID, or else the caller, says.
 */
static int brcm_newlink(struct net_device *dev,
			struct rtnl_newlink_params *params,
			struct netlink_ext_ack *extack)
{
	struct nlattr **data = params->data;
	struct nlattr **tb = params->tb;
	struct brcm_port_cfg cfg = { .mtu_set = !!tb[IFLA_MTU] };
	struct net_device *lower;
	u32 ifindex;

	if (!tb[IFLA_LINK]) {
		NL_SET_ERR_MSG(extack, "lower device not given (IFLA_LINK)");
		return -EINVAL;
	}
	ifindex = nla_get_u32(tb[IFLA_LINK]);
	lower = __dev_get_by_index(rtnl_newlink_link_net(params), ifindex);
	if (!lower) {
		brcm_err(extack, "lower device ifindex %u not found", ifindex);
		return -ENODEV;
	}
	if (!data || !data[IFLA_BRCM_PORT]) {
		NL_SET_ERR_MSG(extack, "switch port not given (IFLA_BRCM_PORT)");
		return -EINVAL;
	}
	brcm_cfg_from_rtnl(&cfg, data);
	return brcm_port_register(dev, lower, &cfg, extack);
}

RTNL_NEWLINK_COMPAT(brcm_newlink)

static int brcm_changelink(struct net_device *dev, struct nlattr *tb[],
			   struct nlattr *data[],
			   struct netlink_ext_ack *extack)
{
	struct brcm_port_cfg cfg;

	if (!data)
		return 0;
	brcm_port_get_cfg(dev, &cfg);
	brcm_cfg_from_rtnl(&cfg, data);
	return brcm_port_change(dev, &cfg, extack);
}

static size_t brcm_get_size(const struct net_device *dev)
{
	return nla_total_size(sizeof(u16)) +	/* IFLA_BRCM_PORT */
	       nla_total_size(sizeof(u8)) +	/* IFLA_BRCM_QUEUE */
	       nla_total_size(sizeof(u8)) +	/* IFLA_BRCM_TAG_ENFORCE */
	       nla_total_size(sizeof(u8)) +	/* IFLA_BRCM_FORMAT */
	       nla_total_size(sizeof(u8)) +	/* IFLA_BRCM_QUEUE_FROM_PRIO */
	       nla_total_size(sizeof(u16));	/* IFLA_BRCM_VLAN */
}

static int brcm_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	const struct brcm_port *p = brcm_port(dev);

	if (nla_put_u16(skb, IFLA_BRCM_PORT, p->port) ||
	    nla_put_u8(skb, IFLA_BRCM_QUEUE, p->queue) ||
	    nla_put_u8(skb, IFLA_BRCM_TAG_ENFORCE, p->tag_enforce) ||
	    nla_put_u8(skb, IFLA_BRCM_FORMAT, p->format) ||
	    nla_put_u8(skb, IFLA_BRCM_QUEUE_FROM_PRIO, p->queue_from_prio) ||
	    nla_put_u16(skb, IFLA_BRCM_VLAN, p->vlan))
		return -EMSGSIZE;
	return 0;
}

static struct net *brcm_get_link_net(const struct net_device *dev)
{
	return dev_net(brcm_port(dev)->lower);
}

static struct rtnl_link_ops brcm_link_ops __read_mostly = {
	.kind		= "brcm",
	.maxtype	= IFLA_BRCM_MAX,
	.policy		= brcm_policy,
	.priv_size	= sizeof(struct brcm_port),
	.setup		= brcm_setup,
	.validate	= brcm_validate,
	.newlink	= rtnl_newlink_fn(brcm_newlink),
	.changelink	= brcm_changelink,
	.dellink	= brcm_port_delete,
	.get_size	= brcm_get_size,
	.fill_info	= brcm_fill_info,
	.get_link_net	= brcm_get_link_net,
};

/* A device of this kind, not yet registered, for brcm_port_register():
 * what rtnl_newlink() makes before it calls brcm_newlink().
 */
struct net_device *brcm_rtnl_create(struct net *net, const char *name,
				    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[IFLA_MAX + 1] = {};

	return rtnl_create_link(net, name, NET_NAME_USER, &brcm_link_ops, tb,
				extack);
}

int __init brcm_rtnl_init(void)
{
	return rtnl_link_register(&brcm_link_ops);
}

/* Deletes every port, in every netns. */
void brcm_rtnl_exit(void)
{
	rtnl_link_unregister(&brcm_link_ops);
}
