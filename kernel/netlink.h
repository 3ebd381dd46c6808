/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _RSP_NETLINK_H
#define _RSP_NETLINK_H

#include "handlespace.h"

int rsp_nl_init(void);
void rsp_nl_exit(void);
/*
 * Announces a change of @pe on the "events" group, as asked by netlink
 * port @portid (0: none); hs->lock held.
 */
void rsp_nl_notify_pe(struct rsp_hs *hs, const struct rsp_pe *pe, u8 cmd,
		      u8 reason, u32 portid);

#endif /* _RSP_NETLINK_H */
