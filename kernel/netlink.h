/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _RSP_NETLINK_H
#define _RSP_NETLINK_H

#include "handlespace.h"

int rsp_nl_init(void);
void rsp_nl_exit(void);
/* Announces a change of @pe on the "events" group; hs->lock held. */
void rsp_nl_notify_pe(struct rsp_hs *hs, const struct rsp_pe *pe, u8 cmd,
		      u8 reason);

#endif /* _RSP_NETLINK_H */
