/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _RSP_HANDLESPACE_H
#define _RSP_HANDLESPACE_H

#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/rbtree.h>
#include <linux/rhashtable-types.h>
#include <linux/seqlock.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>
#include <net/netns/generic.h>
#include <linux/rserpool.h>

struct rsp_policy_ops;
struct rsp_peer_tbl;

/* Only the first len bytes count: hashed, compared and copied. */
struct rsp_handle {
	u8 len;
	u8 data[RSP_HANDLE_MAX];
};

struct rsp_addr {
	struct hlist_node node;		/* hs->peers chain: peers.c */
	u32 hash;			/* of (proto, port, address) */
	u8 family;			/* AF_INET or AF_INET6 */
	union {
		u8 idx;			/* in pe->addrs[], for container_of */
		u8 asap_proto;		/* in the ASAP transport's slots */
	};
	u16 asap_port;			/* the ASAP transport's, in its slots */
	union {
		__be32 v4;
		struct in6_addr v6;
	};
};

/* An address as a request gives it: rsp_addr is twice the size. */
struct rsp_ip {
	u8 family;			/* AF_INET or AF_INET6 */
	union {
		__be32 v4;
		struct in6_addr v6;
	};
};

/*
 * No policy takes more than one of weight, priority and load (policy.c,
 * checked by a unit test): they share a word.
 */
struct rsp_policy_params {
	union {
		u32 weight;
		u32 priority;
		u32 load;
	};
	u32 load_deg;
	u32 dpf;			/* weight DPF or load DPF */
	u32 distance;
};

/*
 * What a registration describes; parsed from netlink (or built by tests).
 * The small fields fill the handle's padding so that it fits 512 bytes:
 * each put allocates one, and init_on_alloc clears all of it.
 */
struct rsp_pe_info {
	struct rsp_handle handle;
	u8 proto;
	u8 use;
	u8 naddrs;
	u32 id;
	u32 home;
	u32 lifetime_ms;
	u16 port;
	u16 asap_port;
	u8 nasap;			/* ASAP transport: 0 if none */
	u8 asap_proto;			/* IPPROTO_SCTP or IPPROTO_TCP */
	bool quiet;			/* no event */
	struct rsp_ip addrs[RSP_ADDRS_MAX];
	struct rsp_ip asap[RSP_ASAP_ADDRS_MAX];
	u32 policy;			/* RSP_POLICY_* */
	struct rsp_policy_params pol;
	u32 portid;			/* of the request: its events carry it */
};

static_assert(sizeof(struct rsp_pe_info) <= 512);

/*
 * A PE with one address is 208 bytes (19 to a page), from its own slab
 * cache.  The RCU head shares space with the ID tree node, which nobody
 * walks once the PE has left the tree; a ranked pool's tree node, ring
 * and rank with a weighted pool's alias entry and weight.  What a
 * selection reads sits together, from the alias entry or rank to the
 * addresses: a cold PE costs two cache lines.
 */
struct rsp_pe {
	union {
		struct rb_node id_node;	/* pool->pes, by id; hs->lock */
		struct rcu_head rcu;	/* once out of pool->pes */
	};
	struct rb_node exp_node;	/* hs->expiry; hs->lock */
	struct rsp_pool *pool;
	u64 dyn;			/* degradation counter or WRR pass */
	u32 expires;			/* rsp_exp_now() units; 0 = never */
	u32 home;
	u32 lifetime_ms;
	kuid_t reporter;		/* last unprivileged reporter */
	struct rsp_policy_params pol;
	union {
		struct {		/* RSP_KIND_RANKED, pool->lock */
			struct rb_node rank_node; /* pool->ranked, if first */
			struct list_head tie;	/* ring of equal rank */
		};
		struct {		/* RSP_KIND_WEIGHTED: select.c */
			/* acut and aslot end the union: next to fweight */
			u8 unused[sizeof(struct rb_node) +
				  sizeof(struct list_head) - 2 * sizeof(u32)];
			u32 acut;	/* alias table: keep if below */
			u32 aslot;	/* else the PE in this slot */
		};
	};
	union {
		u64 rank;		/* RSP_KIND_RANKED: lower first */
		u64 fweight;		/* RSP_KIND_WEIGHTED: in pool->vec */
	};
	atomic64_t selected;
	u32 slot;			/* index in pool->vec */
	u32 id;
	u16 port;
	u16 reports;			/* at most the threshold, <= 1000 */
	u8 proto;
	u8 use;
	u8 naddrs;
	u8 nasap;			/* after addrs[naddrs]: the ASAP transport */
	struct rsp_addr addrs[];
};

/*
 * PE deadlines in 32 bits: CLOCK_MONOTONIC in units of 2^22 ns (4.2 ms)
 * lasts 570 years, so they never wrap, where jiffies would within the
 * longest lifetime (2^32 ms) at HZ=1000.  The clock is the coarse one,
 * as of the last tick: a deadline is no finer than a tick anyway, and
 * reading the clock source for each PE of a table (an HPET read when
 * the TSC is unstable, as in a VM) cost a tenth of a put.  It runs up
 * to a tick behind, so a deadline set from it gets RSP_EXP_SLACK more.
 */
#define RSP_EXP_SHIFT	22
#define RSP_EXP_SLACK	DIV_ROUND_UP(TICK_NSEC, 1UL << RSP_EXP_SHIFT)

static inline u32 rsp_exp_now(void)
{
	return ktime_get_coarse_ns() >> RSP_EXP_SHIFT;
}

/* Nanoseconds until @expires, 0 if it is past. */
static inline u64 rsp_exp_left_ns(u32 expires)
{
	u64 at = (u64)expires << RSP_EXP_SHIFT, now = ktime_get_coarse_ns();

	return at > now ? at - now : 0;
}

/*
 * Every pool keeps its PEs in a vector so that RR and the random policies
 * reach the k-th PE in O(1); weighted policies add a Fenwick tree of the
 * weights beside it for O(log n) sampling.  Readers get it under RCU and
 * pool->seq; writers replace it when it must grow or shrink.
 */
struct rsp_vec {
	struct rcu_head rcu;
	u32 cap;			/* a power of two */
	struct rsp_pe **pe;		/* cap slots */
	u64 *fen;			/* Fenwick tree (select.c), or NULL */
	u64 *top;			/* its nodes at block boundaries */
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
	u64 wgen;			/* bumped by weight changes; under seq */
	u64 agen;			/* wgen of the PEs' alias table */
	u32 an;				/* its PE count, 0 if none; under seq */
	bool alias_want;		/* a selection found alias stale */
	struct rb_root pes;		/* by id; hs->lock */
	/* Selection state of the stateful policies. */
	spinlock_t lock;
	seqcount_spinlock_t seq;
	struct rb_root_cached ranked;	/* by rank, a PE per rank: select.c */
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
	struct rsp_peer_tbl __rcu *peers; /* PE addresses: peers.c */
	seqcount_mutex_t peers_seq;	/* odd while peers is resized */
	u32 npeers;
	u32 peers_seed;
	struct rb_root pools;		/* ordered, for dumps */
	struct rb_root expiry;		/* PEs with a lifetime, by expires */
	struct delayed_work expire_work;
	struct delayed_work alias_work;	/* select.c: rsp_alias_work() */
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

extern unsigned int rsp_net_id;

/* Inline: it is on the path of every selection. */
static inline struct rsp_hs *rsp_hs(const struct net *net)
{
	return net_generic(net, rsp_net_id);
}

int rsp_pe_cache_init(void);
void rsp_pe_cache_exit(void);
int rsp_hs_init(struct rsp_hs *hs, struct net *net);
void rsp_hs_destroy(struct rsp_hs *hs);

int rsp_pe_register(struct rsp_hs *hs, const struct rsp_pe_info *info,
		    unsigned int flags, bool *created,
		    struct netlink_ext_ack *extack);
/*
 * @portid: the netlink port whose request this is, 0 for none; the events
 * of the change carry it, so that the requester can tell them apart.
 */
int rsp_pe_delete(struct rsp_hs *hs, const struct rsp_handle *h, u32 id,
		  u32 portid, struct netlink_ext_ack *extack);
u32 rsp_delete_home(struct rsp_hs *hs, u32 home, u32 portid);
u32 rsp_flush(struct rsp_hs *hs, u32 portid);
u16 rsp_home_checksum(struct rsp_hs *hs, u32 home, u32 *count);
int rsp_pe_report(struct rsp_hs *hs, const struct rsp_handle *h, u32 id,
		  const kuid_t *uid, u32 portid, u32 *reports, bool *removed,
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
