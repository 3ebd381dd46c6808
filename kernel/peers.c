// SPDX-License-Identifier: GPL-2.0
/*
 * The PEs of a namespace by transport address: (protocol, port, address)
 * to the PEs that have it, so that a connected socket can learn which PE
 * it talks to (RSP_SO_PEER).  Several PEs, in several pools, may share an
 * address, hence an rhltable.  Each address of a PE is its own entry; the
 * key is read from the PE, so an entry costs only its list head.
 */
#include <linux/jhash.h>
#include <linux/rhashtable.h>
#include "handlespace.h"
#include "peers.h"

static struct rsp_pe *addr_pe(const struct rsp_addr *a)
{
	return container_of(a - a->idx, struct rsp_pe, addrs[0]);
}

static void key_of(struct rsp_peer_key *k, const struct rsp_addr *a)
{
	const struct rsp_pe *pe = addr_pe(a);

	memset(k, 0, sizeof(*k));
	k->proto = pe->proto;
	k->family = a->family;
	k->port = pe->port;
	if (a->family == AF_INET)
		k->v4 = a->v4;
	else
		k->v6 = a->v6;
}

static u32 key_hash(const void *data, u32 len, u32 seed)
{
	return jhash2(data, sizeof(struct rsp_peer_key) / sizeof(u32), seed);
}

static u32 obj_hash(const void *data, u32 len, u32 seed)
{
	struct rsp_peer_key k;

	key_of(&k, data);
	return key_hash(&k, 0, seed);
}

static int obj_cmp(struct rhashtable_compare_arg *arg, const void *obj)
{
	struct rsp_peer_key k;

	key_of(&k, obj);
	return memcmp(&k, arg->key, sizeof(k));
}

static const struct rhashtable_params peer_params = {
	.head_offset = offsetof(struct rsp_addr, node),
	.hashfn = key_hash,
	.obj_hashfn = obj_hash,
	.obj_cmpfn = obj_cmp,
	.automatic_shrinking = true,
};

int rsp_peers_init(struct rsp_hs *hs)
{
	return rhltable_init(&hs->peers, &peer_params);
}

void rsp_peers_destroy(struct rsp_hs *hs)
{
	rhltable_destroy(&hs->peers);
}

int rsp_peers_add(struct rsp_hs *hs, struct rsp_pe *pe)
{
	int i, err;

	for (i = 0; i < pe->naddrs; i++) {
		struct rsp_peer_key k;

		pe->addrs[i].idx = i;
		key_of(&k, &pe->addrs[i]);
		/* With the key: a plain insert would compare the object. */
		err = rhltable_insert_key(&hs->peers, &k, &pe->addrs[i].node,
					  peer_params);
		if (err) {
			while (i--)
				rhltable_remove(&hs->peers, &pe->addrs[i].node,
						peer_params);
			return err;
		}
	}
	return 0;
}

void rsp_peers_del(struct rsp_hs *hs, struct rsp_pe *pe)
{
	int i;

	for (i = 0; i < pe->naddrs; i++)
		rhltable_remove(&hs->peers, &pe->addrs[i].node, peer_params);
}

/*
 * The PE with address @k, in pool @h if it is given: the one of the
 * lowest handle, then ID, if several match.  *@matches counts them.
 * Caller holds rcu_read_lock().  O(1) plus the PEs that share the address.
 */
struct rsp_pe *rsp_peers_lookup(struct rsp_hs *hs,
				const struct rsp_peer_key *k,
				const struct rsp_handle *h, u32 *matches)
{
	struct rhlist_head *list, *pos;
	struct rsp_pe *best = NULL;
	struct rsp_addr *a;

	*matches = 0;
	list = rhltable_lookup(&hs->peers, k, peer_params);
	rhl_for_each_entry_rcu(a, pos, list, node) {
		struct rsp_pe *pe = addr_pe(a);
		struct rsp_pool *pool = READ_ONCE(pe->pool);
		int c;

		/* Indexed before its pool is set, or being backed out. */
		if (!pool)
			continue;
		if (h && h->len && rsp_handle_cmp(h, &pool->handle))
			continue;
		(*matches)++;
		if (best) {
			c = rsp_handle_cmp(&pool->handle, &best->pool->handle);
			if (c > 0 || (c == 0 && pe->id >= best->id))
				continue;
		}
		best = pe;
	}
	return best;
}
