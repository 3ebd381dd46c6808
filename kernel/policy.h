/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _RSP_POLICY_H
#define _RSP_POLICY_H

#include "handlespace.h"

/* How a policy selects; each kind has its own structures in select.c. */
enum rsp_kind {
	RSP_KIND_RR,		/* vector + atomic head: O(N) */
	RSP_KIND_RANDOM,	/* vector: O(N^2) for N picks, N <= 256 */
	RSP_KIND_WEIGHTED,	/* vector + Fenwick tree (+ alias table) */
	RSP_KIND_RANKED,	/* rbtree by (rank, seq): O(N log n) */
};

#define RSP_PARAM(a)	BIT(RSP_POLICY_A_##a)

struct rsp_policy_ops {
	u32 type;
	const char *name;
	enum rsp_kind kind;
	u32 params;		/* RSP_PARAM() bits it takes; others refused */
	/*
	 * RANKED: rank, lower is selected first (U64_MAX: never).
	 * WEIGHTED: weight, 0 never selected.
	 */
	u64 (*key)(const struct rsp_pe *pe);
	/* Advances pe->dyn after a selection; its policies lock the pool. */
	void (*selected)(struct rsp_pe *pe);
	bool dyn_from_min;	/* new PEs start at the pool's lowest rank */
};

const struct rsp_policy_ops *rsp_policy_find(u32 type);
const struct rsp_policy_ops *rsp_policy_by_index(unsigned int i);

static inline bool rsp_policy_locked(const struct rsp_policy_ops *ops)
{
	return ops->kind == RSP_KIND_RANKED || ops->selected;
}

/* select.c: kept up to date by the handlespace writers (hs->lock held). */
void rsp_rand_init(void);
int rsp_sel_init(struct rsp_pool *pool);
void rsp_sel_free(struct rsp_pool *pool);
int rsp_sel_add(struct rsp_pool *pool, struct rsp_pe *pe);
void rsp_sel_del(struct rsp_pool *pool, struct rsp_pe *pe);
void rsp_sel_replace(struct rsp_pool *pool, struct rsp_pe *old,
		     struct rsp_pe *pe);
void rsp_alias_work(struct work_struct *work);
bool rsp_sel_alias_ready(struct rsp_pool *pool);

/* Which PEs a selection may return: those a socket of @family can reach. */
struct rsp_filter {
	u8 family;		/* AF_INET or AF_INET6 */
	bool v6only;		/* an AF_INET6 socket that refuses IPv4 */
	u32 nexclude;
	const u32 *exclude;	/* PE IDs to pass over */
};

static inline bool rsp_addr_usable(const struct rsp_addr *a,
				   const struct rsp_filter *f)
{
	return a->family == f->family ||
	       (a->family == AF_INET && f->family == AF_INET6 && !f->v6only);
}

/* Whether any PE of @pool is usable; under RCU, O(n). */
bool rsp_pool_any_usable(struct rsp_pool *pool, const struct rsp_filter *f);

/*
 * Selects up to @max distinct PEs of @pool that @f takes (NULL: all) into
 * @out, in selection order, and counts the selection.  Caller holds
 * rcu_read_lock(); the PEs stay valid until it drops it.  Takes no lock
 * shared between pools.
 */
unsigned int rsp_select(struct rsp_pool *pool, struct rsp_pe **out,
			unsigned int max, const struct rsp_filter *f);

#endif /* _RSP_POLICY_H */
