/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _RSP_PEERS_H
#define _RSP_PEERS_H

#include "handlespace.h"

/* A transport address as PEs are found by it; padding zeroed for jhash2. */
struct rsp_peer_key {
	u8 proto;
	u8 family;
	u16 port;
	union {
		__be32 v4;
		struct in6_addr v6;
	};
};

int rsp_peers_init(struct rsp_hs *hs);
void rsp_peers_destroy(struct rsp_hs *hs);
void rsp_peers_add(struct rsp_hs *hs, struct rsp_pe *pe);
void rsp_peers_del(struct rsp_hs *hs, struct rsp_pe *pe);
u32 rsp_peers_buckets(struct rsp_hs *hs);
struct rsp_pe *rsp_peers_lookup(struct rsp_hs *hs,
				const struct rsp_peer_key *k,
				const struct rsp_handle *h, u32 *matches);

#endif /* _RSP_PEERS_H */
