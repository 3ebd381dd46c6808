/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _RSP_HANDLESPACE_H
#define _RSP_HANDLESPACE_H

#include <linux/in6.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/rbtree.h>
#include <linux/rhashtable-types.h>
#include <linux/seqlock.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>
#include <linux/rserpool.h>

struct rsp_policy_ops;

/* Zero-padded so that it can be an rhashtable key of fixed length. */
struct rsp_handle {
	u8 len;
	u8 data[RSP_HANDLE_MAX];
};

struct rsp_addr {
	struct rhlist_head node;	/* hs->peers, in a PE; hs->lock */
	u8 family;			/* AF_INET or AF_INET6 */
	u8 idx;				/* in pe->addrs[], for container_of */
	union {
		__be32 v4;
		struct in6_addr v6;
	};
};

struct rsp_policy_params {
	u32 type;
	u32 weight;
	u32 priority;
	u32 load;
	u32 load_deg;
	u32 dpf;			/* weight DPF or load DPF */
	u32 distance;
};

/* What a registration describes; parsed from netlink (or built by tests). */
struct rsp_pe_info {
	struct rsp_handle handle;
	u32 id;
	u32 home;
	u32 lifetime_ms;
	u16 port;
	u8 proto;
	u8 use;
	u8 naddrs;
	struct rsp_addr addrs[RSP_ADDRS_MAX];
	struct rsp_policy_params pol;
};

struct rsp_pe {
	struct rb_node id_node;		/* pool->pes, by id; hs->lock */
	struct rb_node rank_node;	/* pool->ranked; pool->lock */
	struct rb_node exp_node;	/* hs->expiry; hs->lock */
	struct rsp_pool *pool;
	struct rcu_head rcu;
	u64 rank;			/* ranked policies: lower first */
	u64 seq;			/* ties: least recently selected first */
	u64 dyn;			/* degradation counter or WRR pass */
	u64 fweight;			/* weight now in pool->vec's tree */
	unsigned long expires;		/* jiffies; 0 = never */
	atomic64_t selected;
	u32 id;
	u32 home;
	u32 lifetime_ms;
	u32 slot;			/* index in pool->vec */
	u32 reports;
	kuid_t reporter;		/* last unprivileged reporter */
	struct rsp_policy_params pol;
	u16 port;
	u8 proto;
	u8 use;
	u8 naddrs;
	struct rsp_addr addrs[];
};

/*
 * Every pool keeps its PEs in a vector so that RR and the random policies
 * reach the k-th PE in O(1); weighted policies add a Fenwick tree of the
 * weights beside it for O(log n) sampling.  Readers get it under RCU and
 * pool->seq; writers replace it when it must grow or shrink.
 */
struct rsp_vec {
	struct rcu_head rcu;
	u32 cap;
	u64 *fen;			/* 1-based Fenwick tree, or NULL */
	struct rsp_pe *pe[];
};

struct rsp_pool {
	struct rhash_head hnode;	/* hs->pools_ht; lookups under RCU */
	struct rb_node node;		/* hs->pools, by handle; hs->lock */
	struct rsp_handle handle;
	struct rcu_head rcu;
	const struct rsp_policy_ops *ops;
	struct rsp_hs *hs;
	u8 proto;
	u32 count;			/* PEs in vec; written under seq */
	u64 wtotal;			/* sum of fweight; written under seq */
	struct rsp_vec __rcu *vec;
	struct rb_root pes;		/* by id; hs->lock */
	/* Selection state of the stateful policies. */
	spinlock_t lock;
	seqcount_spinlock_t seq;
	struct rb_root_cached ranked;	/* by (rank, seq) */
	u64 next_seq;
	atomic_t rr_next;
	atomic64_t selected;
	atomic64_t resolves;
};

struct rsp_limits {
	u32 max_pools;
	u32 max_pes;
	u32 max_pool_pes;
	u32 report_threshold;
};

struct rsp_pcpu_stats {
	u64 resolves;
	u64 selected;
};

struct rsp_stats {
	u64 added;
	u64 updated;
	u64 removed;
	u64 expired;
	u64 unreachable;
	u64 reports;
	u64 refused;
};

/* The handlespace of one network namespace. */
struct rsp_hs {
	struct mutex lock;		/* serializes every writer */
	struct net *net;		/* NULL in unit tests: no events */
	struct rhashtable pools_ht;
	struct rhltable peers;		/* PE addresses: peers.c */
	struct rb_root pools;		/* ordered, for dumps */
	struct rb_root expiry;		/* PEs with a lifetime, by expires */
	struct delayed_work expire_work;
	bool dying;
	u32 npools;
	u32 npes;
	u32 generation;			/* bumped by every change, for dumps */
	struct rsp_limits limits;
	struct rsp_stats stats;
	struct rsp_pcpu_stats __percpu *pcpu;
};

#define RSP_F_CREATE	0x1	/* add the PE if it does not exist */
#define RSP_F_EXCL	0x2	/* fail if it exists */

struct rsp_hs *rsp_hs(const struct net *net);
int rsp_hs_init(struct rsp_hs *hs, struct net *net);
void rsp_hs_destroy(struct rsp_hs *hs);

int rsp_pe_register(struct rsp_hs *hs, const struct rsp_pe_info *info,
		    unsigned int flags, bool *created,
		    struct netlink_ext_ack *extack);
int rsp_pe_delete(struct rsp_hs *hs, const struct rsp_handle *h, u32 id,
		  struct netlink_ext_ack *extack);
u32 rsp_delete_home(struct rsp_hs *hs, u32 home);
u32 rsp_flush(struct rsp_hs *hs);
int rsp_pe_report(struct rsp_hs *hs, const struct rsp_handle *h, u32 id,
		  const kuid_t *uid, u32 *reports, bool *removed,
		  struct netlink_ext_ack *extack);
void rsp_expire_run(struct rsp_hs *hs);
void rsp_expire_work(struct work_struct *work);

struct rsp_pool *rsp_pool_find(struct rsp_hs *hs, const struct rsp_handle *h);
struct rsp_pool *rsp_pool_find_rcu(struct rsp_hs *hs,
				   const struct rsp_handle *h);
struct rsp_pe *rsp_pe_find(const struct rsp_pool *pool, u32 id);
struct rsp_pool *rsp_pool_next(struct rsp_hs *hs, const struct rsp_handle *h,
			       bool inclusive);
struct rsp_pe *rsp_pe_next(const struct rsp_pool *pool, u32 id,
			   bool inclusive);

/* NL_SET_ERR_MSG() for a message chosen at run time from static text. */
static inline void rsp_set_msg(struct netlink_ext_ack *extack,
			       const char *msg)
{
	if (extack)
		extack->_msg = msg;
}

static inline int rsp_handle_cmp(const struct rsp_handle *a,
				 const struct rsp_handle *b)
{
	int c = memcmp(a->data, b->data, min(a->len, b->len));

	return c ? c : (int)a->len - (int)b->len;
}

#endif /* _RSP_HANDLESPACE_H */
