// SPDX-License-Identifier: GPL-2.0
/*
 * The PEs of a namespace by transport address: (protocol, port, address)
 * to the PEs that have it, so that a connected socket can learn which PE
 * it talks to (RSP_SO_PEER).  Several PEs, in several pools, may share an
 * address.
 *
 * A hash table of hlist chains through the addresses of the PEs: an entry
 * costs its two pointers (its hash fills padding) and 4 to 32 bytes of
 * buckets, 8 or less past a few thousand entries; an rhltable entry cost
 * 16 and 10 to 21 of buckets.  Doubly linked, because the PEs that share
 * an address share a chain: a server offering many pools on one port
 * would make each removal a walk of all of them.  Writers hold hs->lock;
 * readers walk under RCU, as on any RCU hlist.  A resize (to keep 0.25 to
 * 2 entries per bucket) moves every entry to a new array inside
 * hs->peers_seq: a reader it overtakes may miss an entry, never loop (a
 * moved entry points only to moved entries), and retries.
 */
#include <linux/jhash.h>
#include <linux/rculist.h>
#include <linux/random.h>
#include <linux/slab.h>
#include "handlespace.h"
#include "peers.h"

#define PEERS_MIN	16

struct rsp_peer_tbl {
	struct rcu_head rcu;
	u32 mask;
	struct hlist_head *b;		/* apart, a power of two in bytes */
};

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

static u32 key_hash(const struct rsp_hs *hs, const struct rsp_peer_key *k)
{
	return jhash2((const u32 *)k, sizeof(*k) / sizeof(u32),
		      hs->peers_seed);
}

static void tbl_free(struct rsp_peer_tbl *t)
{
	kvfree(t->b);
	kfree(t);
}

static void tbl_free_rcu(struct rcu_head *head)
{
	tbl_free(container_of(head, struct rsp_peer_tbl, rcu));
}

static struct rsp_peer_tbl *tbl_alloc(u32 size)
{
	struct rsp_peer_tbl *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return NULL;
	t->mask = size - 1;
	t->b = kvcalloc(size, sizeof(*t->b), GFP_KERNEL);
	if (!t->b) {
		kfree(t);
		return NULL;
	}
	return t;
}

static struct rsp_peer_tbl *tbl_locked(struct rsp_hs *hs)
{
	return rcu_dereference_protected(hs->peers,
					 lockdep_is_held(&hs->lock));
}

int rsp_peers_init(struct rsp_hs *hs)
{
	struct rsp_peer_tbl *t = tbl_alloc(PEERS_MIN);

	if (!t)
		return -ENOMEM;
	hs->peers_seed = get_random_u32();
	hs->npeers = 0;
	seqcount_mutex_init(&hs->peers_seq, &hs->lock);
	RCU_INIT_POINTER(hs->peers, t);
	return 0;
}

/* rsp_pe_cache_exit()'s rcu_barrier() waits for the last of these. */
void rsp_peers_destroy(struct rsp_hs *hs)
{
	call_rcu(&rcu_dereference_protected(hs->peers, 1)->rcu, tbl_free_rcu);
}

/*
 * Moves every entry to a table of @size buckets.  If there is no memory
 * for it the chains just stay longer.  Each entry carries its hash, so
 * this is pointer moves only, with preemption off (readers spin on
 * peers_seq meanwhile): about a millisecond per 100 000 entries.
 */
static void resize(struct rsp_hs *hs, u32 size)
{
	struct rsp_peer_tbl *old = tbl_locked(hs), *t = tbl_alloc(size);
	struct hlist_node *tmp;
	struct rsp_addr *a;
	u32 i;

	if (!t)
		return;
	write_seqcount_begin(&hs->peers_seq);
	for (i = 0; i <= old->mask; i++) {
		hlist_for_each_entry_safe(a, tmp, &old->b[i], node) {
			/* Off the old chain first, then onto the new one. */
			hlist_del_rcu(&a->node);
			hlist_add_head_rcu(&a->node, &t->b[a->hash & t->mask]);
		}
	}
	rcu_assign_pointer(hs->peers, t);
	write_seqcount_end(&hs->peers_seq);
	call_rcu(&old->rcu, tbl_free_rcu);
}

/* Indexes every address of @pe; hs->lock held.  Cannot fail. */
void rsp_peers_add(struct rsp_hs *hs, struct rsp_pe *pe)
{
	struct rsp_peer_tbl *t = tbl_locked(hs);
	int i;

	for (i = 0; i < pe->naddrs; i++) {
		struct rsp_addr *a = &pe->addrs[i];
		struct rsp_peer_key k;

		a->idx = i;
		key_of(&k, a);
		a->hash = key_hash(hs, &k);
		hlist_add_head_rcu(&a->node, &t->b[a->hash & t->mask]);
	}
	hs->npeers += pe->naddrs;
	if (hs->npeers > 2 * (t->mask + 1))
		resize(hs, 2 * (t->mask + 1));
}

/* Unindexes @pe in O(1); its next pointers stay valid for readers on it. */
void rsp_peers_del(struct rsp_hs *hs, struct rsp_pe *pe)
{
	struct rsp_peer_tbl *t = tbl_locked(hs);
	int i;

	for (i = 0; i < pe->naddrs; i++) {
		hlist_del_rcu(&pe->addrs[i].node);
		hs->npeers--;
	}
	if (t->mask + 1 > PEERS_MIN && hs->npeers < (t->mask + 1) / 4)
		resize(hs, (t->mask + 1) / 2);
}

/* Buckets now; hs->lock held. */
u32 rsp_peers_buckets(struct rsp_hs *hs)
{
	return tbl_locked(hs)->mask + 1;
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
	u32 hash = key_hash(hs, k);
	struct rsp_pe *best;
	unsigned int seq;

	do {
		struct rsp_peer_tbl *t;
		struct rsp_addr *a;

		seq = read_seqcount_begin(&hs->peers_seq);
		best = NULL;
		*matches = 0;
		t = rcu_dereference(hs->peers);
		hlist_for_each_entry_rcu(a, &t->b[hash & t->mask], node) {
			struct rsp_peer_key ak;
			struct rsp_pe *pe;
			struct rsp_pool *pool;
			int c;

			if (a->hash != hash)
				continue;
			key_of(&ak, a);
			if (memcmp(&ak, k, sizeof(ak)))
				continue;
			pe = addr_pe(a);
			pool = READ_ONCE(pe->pool);
			/* Indexed before its pool is set, or backed out. */
			if (!pool)
				continue;
			if (h && h->len && rsp_handle_cmp(h, &pool->handle))
				continue;
			(*matches)++;
			if (best) {
				c = rsp_handle_cmp(&pool->handle,
						   &best->pool->handle);
				if (c > 0 || (c == 0 && pe->id >= best->id))
					continue;
			}
			best = pe;
		}
	} while (read_seqcount_retry(&hs->peers_seq, seq));
	return best;
}
