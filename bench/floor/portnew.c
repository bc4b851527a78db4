// SPDX-License-Identifier: GPL-2.0
/*
 * portnew: creates ports cl<i>.p<p> for i < LOWERS and 1 <= p <= PER
 * with one BRCM_CMD_PORT_NEW per sendmsg and nothing else, so that its
 * time is what the kernel takes: the floor any client of the genl family
 * can reach without sending several requests at once.
 *
 *   portnew LOWERS PER
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>

#include "../../kernel/include/uapi/linux/brcm.h"

static char buf[65536];

static int put(char *p, int type, const void *data, int len)
{
	struct nlattr *a = (struct nlattr *)p;

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy(p + NLA_HDRLEN, data, len);
	return NLA_ALIGN(a->nla_len);
}

/* Sends one request and reads its one answer into buf. */
static void talk(int fd, int type, int cmd, const char *attrs, int len)
{
	static unsigned int seq;
	struct nlmsghdr *n = (struct nlmsghdr *)buf;
	struct genlmsghdr *g = NLMSG_DATA(n);

	memset(n, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	n->nlmsg_type = type;
	n->nlmsg_flags = NLM_F_REQUEST;
	n->nlmsg_seq = ++seq;
	n->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN + len);
	g->cmd = cmd;
	g->version = BRCM_GENL_VERSION;
	memcpy((char *)g + GENL_HDRLEN, attrs, len);
	if (send(fd, buf, n->nlmsg_len, 0) < 0 || recv(fd, buf, sizeof(buf), 0) < 0) {
		perror("portnew");
		exit(1);
	}
	if (n->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = NLMSG_DATA(n);

		fprintf(stderr, "portnew: request %u: error %d\n", seq, e->error);
		exit(1);
	}
}

static int family_id(int fd)
{
	struct nlmsghdr *n = (struct nlmsghdr *)buf;
	struct nlattr *a;
	char attrs[64];
	int rem;

	talk(fd, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, attrs,
	     put(attrs, CTRL_ATTR_FAMILY_NAME, BRCM_GENL_NAME, sizeof(BRCM_GENL_NAME)));
	a = (struct nlattr *)((char *)NLMSG_DATA(n) + GENL_HDRLEN);
	for (rem = n->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN); rem >= NLA_HDRLEN;
	     rem -= NLA_ALIGN(a->nla_len), a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			return *(unsigned short *)((char *)a + NLA_HDRLEN);
	fprintf(stderr, "portnew: no family id\n");
	exit(1);
}

int main(int argc, char **argv)
{
	int fd, fam, lowers, per, i, p;

	if (argc != 3) {
		fprintf(stderr, "usage: portnew LOWERS PER\n");
		return 2;
	}
	lowers = atoi(argv[1]);
	per = atoi(argv[2]);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0) {
		perror("portnew: socket");
		return 1;
	}
	fam = family_id(fd);
	for (i = 0; i < lowers; i++)
		for (p = 1; p <= per; p++) {
			char name[IFNAMSIZ], attrs[64];
			unsigned short port = p;
			int len;

			snprintf(name, sizeof(name), "cl%d", i);
			len = put(attrs, BRCM_A_LOWER_IFNAME, name, strlen(name) + 1);
			len += put(attrs + len, BRCM_A_PORT, &port, sizeof(port));
			talk(fd, fam, BRCM_CMD_PORT_NEW, attrs, len);
		}
	return 0;
}
