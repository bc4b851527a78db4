// SPDX-License-Identifier: GPL-2.0
/*
 * The parts of compat.h that need a home in a .c file.
 *
 * Formatted extended-ack messages on kernels without NL_SET_ERR_MSG_FMT
 * (before 6.2). netlink_ack() copies the message after the handler has
 * returned and RTNL or the genl mutex has been dropped, so the text must
 * outlive the handler. It goes into one of a ring of static slots; a slot
 * is reused only after BRCM_EXTACK_SLOTS more messages, far more than can
 * be formatted between a handler's return and its ack.
 */

#include <linux/atomic.h>
#include <linux/kernel.h>
#include <linux/netlink.h>

#include "brcm.h"

#ifdef BRCM_COMPAT_EXTACK_FMT

#define BRCM_EXTACK_SLOTS	64
#define BRCM_EXTACK_LEN		80

static char brcm_extack_buf[BRCM_EXTACK_SLOTS][BRCM_EXTACK_LEN];
static atomic_t brcm_extack_next = ATOMIC_INIT(0);

void brcm_extack_fmt(struct netlink_ext_ack *extack, const char *fmt, ...)
{
	unsigned int slot;
	va_list args;
	char *buf;

	if (!extack)
		return;
	slot = (unsigned int)atomic_inc_return(&brcm_extack_next);
	buf = brcm_extack_buf[slot % BRCM_EXTACK_SLOTS];
	va_start(args, fmt);
	vscnprintf(buf, BRCM_EXTACK_LEN, fmt, args);
	va_end(args);
	extack->_msg = buf;
}

#endif
