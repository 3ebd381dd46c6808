// SPDX-License-Identifier: GPL-2.0
/*
 * The handlespace of a network namespace: pools by handle, PEs by ID,
 * limits, lifetimes.  Every change happens under hs->lock and bumps
 * hs->generation; selection (select.c) reads without it.
 */
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/percpu.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include "handlespace.h"
#include "netlink.h"
#include "peers.h"
#include "policy.h"

#define RSP_DEF_MAX_POOLS	65536
#define RSP_DEF_MAX_PES		(1U << 20)
#define RSP_DEF_REPORTS		3	/* MAX-BAD-PE-REPORT, RFC 5352 */

/* Pools by handle; only its bytes in use are hashed and compared. */
static u32 handle_hash(const void *data, u32 len, u32 seed)
{
	const struct rsp_handle *h = data;

	return jhash(h->data, h->len, seed ^ h->len);
}

static u32 pool_hash(const void *data, u32 len, u32 seed)
{
	return handle_hash(&((const struct rsp_pool *)data)->handle, 0, seed);
}

static int pool_cmp(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct rsp_handle *a = arg->key;
	const struct rsp_handle *b = &((const struct rsp_pool *)obj)->handle;

	return a->len != b->len || memcmp(a->data, b->data, a->len);
}

static const struct rhashtable_params pool_ht_params = {
	.head_offset = offsetof(struct rsp_pool, hnode),
	.hashfn = handle_hash,
	.obj_hashfn = pool_hash,
	.obj_cmpfn = pool_cmp,
	.automatic_shrinking = true,
};

int rsp_hs_init(struct rsp_hs *hs, struct net *net)
{
	int err;

	memset(hs, 0, sizeof(*hs));
	mutex_init(&hs->lock);
	hs->pcpu = alloc_percpu(struct rsp_pcpu_stats);
	if (!hs->pcpu)
		return -ENOMEM;
	err = rhashtable_init(&hs->pools_ht, &pool_ht_params);
	if (err)
		goto free_pcpu;
	err = rsp_peers_init(hs);
	if (err)
		goto free_pools;
	hs->net = net;
	hs->pools = RB_ROOT;
	hs->expiry = RB_ROOT;
	hs->limits.max_pools = RSP_DEF_MAX_POOLS;
	hs->limits.max_pes = RSP_DEF_MAX_PES;
	hs->limits.max_pool_pes = RSP_DEF_MAX_PES;
	hs->limits.report_threshold = RSP_DEF_REPORTS;
	INIT_DELAYED_WORK(&hs->expire_work, rsp_expire_work);
	INIT_DELAYED_WORK(&hs->alias_work, rsp_alias_work);
	return 0;

free_pools:
	rhashtable_destroy(&hs->pools_ht);
free_pcpu:
	free_percpu(hs->pcpu);
	return err;
}

struct rsp_pool *rsp_pool_find_rcu(struct rsp_hs *hs,
				   const struct rsp_handle *h)
{
	return rhashtable_lookup(&hs->pools_ht, h, pool_ht_params);
}

struct rsp_pool *rsp_pool_find(struct rsp_hs *hs, const struct rsp_handle *h)
{
	lockdep_assert_held(&hs->lock);
	return rhashtable_lookup_fast(&hs->pools_ht, h, pool_ht_params);
}

/* First pool at or after @h (after it, unless @inclusive). */
struct rsp_pool *rsp_pool_next(struct rsp_hs *hs, const struct rsp_handle *h,
			       bool inclusive)
{
	struct rb_node *n = hs->pools.rb_node;
	struct rsp_pool *best = NULL;

	while (n) {
		struct rsp_pool *p = rb_entry(n, struct rsp_pool, node);
		int c = rsp_handle_cmp(h, &p->handle);

		if (c < 0 || (c == 0 && inclusive)) {
			best = p;
			if (!c)
				break;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return best;
}

struct rsp_pe *rsp_pe_next(const struct rsp_pool *pool, u32 id,
			   bool inclusive)
{
	struct rb_node *n = pool->pes.rb_node;
	struct rsp_pe *best = NULL;

	while (n) {
		struct rsp_pe *pe = rb_entry(n, struct rsp_pe, id_node);

		if (id < pe->id || (id == pe->id && inclusive)) {
			best = pe;
			if (id == pe->id)
				break;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return best;
}

struct rsp_pe *rsp_pe_find(const struct rsp_pool *pool, u32 id)
{
	struct rsp_pe *pe = rsp_pe_next(pool, id, true);

	return pe && pe->id == id ? pe : NULL;
}

static void pool_link(struct rsp_hs *hs, struct rsp_pool *pool)
{
	struct rb_node **p = &hs->pools.rb_node, *parent = NULL;

	while (*p) {
		parent = *p;
		if (rsp_handle_cmp(&pool->handle,
				   &rb_entry(parent, struct rsp_pool,
					     node)->handle) < 0)
			p = &parent->rb_left;
		else
			p = &parent->rb_right;
	}
	rb_link_node(&pool->node, parent, p);
	rb_insert_color(&pool->node, &hs->pools);
}

static struct rsp_pool *pool_create(struct rsp_hs *hs,
				    const struct rsp_pe_info *info,
				    const struct rsp_policy_ops *ops)
{
	struct rsp_pool *pool = kzalloc(sizeof(*pool), GFP_KERNEL);

	if (!pool)
		return ERR_PTR(-ENOMEM);
	pool->handle = info->handle;
	pool->ops = ops;
	pool->hs = hs;
	pool->proto = info->proto;
	pool->pes = RB_ROOT;
	if (rsp_sel_init(pool)) {
		kfree(pool);
		return ERR_PTR(-ENOMEM);
	}
	if (rhashtable_insert_fast(&hs->pools_ht, &pool->hnode,
				   pool_ht_params)) {
		rsp_sel_free(pool);
		kfree_rcu(pool, rcu);
		return ERR_PTR(-ENOMEM);
	}
	pool_link(hs, pool);
	hs->npools++;
	return pool;
}

static void pool_destroy(struct rsp_hs *hs, struct rsp_pool *pool)
{
	rhashtable_remove_fast(&hs->pools_ht, &pool->hnode, pool_ht_params);
	rb_erase(&pool->node, &hs->pools);
	hs->npools--;
	rsp_sel_free(pool);
	kfree_rcu(pool, rcu);
}

static void pe_link(struct rsp_pool *pool, struct rsp_pe *pe)
{
	struct rb_node **p = &pool->pes.rb_node, *parent = NULL;

	while (*p) {
		parent = *p;
		if (pe->id < rb_entry(parent, struct rsp_pe, id_node)->id)
			p = &parent->rb_left;
		else
			p = &parent->rb_right;
	}
	rb_link_node(&pe->id_node, parent, p);
	rb_insert_color(&pe->id_node, &pool->pes);
}

static unsigned long exp_delay(u32 expires)
{
	return nsecs_to_jiffies(rsp_exp_left_ns(expires)) + 1;
}

static void exp_link(struct rsp_hs *hs, struct rsp_pe *pe)
{
	struct rb_node **p = &hs->expiry.rb_node, *parent = NULL;
	bool first = true;
	u64 len;

	if (!pe->lifetime_ms) {
		pe->expires = 0;
		return;
	}
	/* Both rounded up: a PE never goes before its lifetime is over. */
	len = DIV_ROUND_UP_ULL((u64)pe->lifetime_ms * NSEC_PER_MSEC,
			       1ULL << RSP_EXP_SHIFT);
	pe->expires = min_t(u64, (u64)rsp_exp_now() + 1 + RSP_EXP_SLACK + len,
			    U32_MAX);
	while (*p) {
		parent = *p;
		if (pe->expires < rb_entry(parent, struct rsp_pe,
					   exp_node)->expires) {
			p = &parent->rb_left;
		} else {
			p = &parent->rb_right;
			first = false;
		}
	}
	rb_link_node(&pe->exp_node, parent, p);
	rb_insert_color(&pe->exp_node, &hs->expiry);
	if (first && !hs->dying)
		mod_delayed_work(system_wq, &hs->expire_work,
				 exp_delay(pe->expires));
}

static void exp_unlink(struct rsp_hs *hs, struct rsp_pe *pe)
{
	if (pe->expires)
		rb_erase(&pe->exp_node, &hs->expiry);
}

/* Most PEs have one address: those come from a cache of their size. */
static struct kmem_cache *rsp_pe_cache __read_mostly;

int rsp_pe_cache_init(void)
{
	rsp_pe_cache = kmem_cache_create("rserpool_pe",
					 struct_size((struct rsp_pe *)NULL,
						     addrs, 1),
					 0, 0, NULL);
	return rsp_pe_cache ? 0 : -ENOMEM;
}

void rsp_pe_cache_exit(void)
{
	rcu_barrier();		/* the last pe_free_rcu() */
	kmem_cache_destroy(rsp_pe_cache);
}

static void pe_free(struct rsp_pe *pe)
{
	if (pe->naddrs + pe->nasap == 1)
		kmem_cache_free(rsp_pe_cache, pe);
	else
		kfree(pe);
}

static void pe_free_rcu(struct rcu_head *head)
{
	pe_free(container_of(head, struct rsp_pe, rcu));
}

/* After the readers that may hold it; id_node becomes the rcu_head. */
static void pe_free_deferred(struct rsp_pe *pe)
{
	call_rcu(&pe->rcu, pe_free_rcu);
}

static void set_addr(struct rsp_addr *a, const struct rsp_ip *ip)
{
	a->family = ip->family;
	if (ip->family == AF_INET)
		a->v4 = ip->v4;
	else
		a->v6 = ip->v6;
}

static struct rsp_pe *pe_alloc(const struct rsp_pe_info *info)
{
	struct rsp_pe *pe;

	unsigned int i, n = info->naddrs + info->nasap;

	if (n == 1)
		pe = kmem_cache_zalloc(rsp_pe_cache, GFP_KERNEL);
	else
		pe = kzalloc(struct_size(pe, addrs, n), GFP_KERNEL);
	if (!pe)
		return NULL;
	pe->id = info->id;
	pe->home = info->home;
	pe->lifetime_ms = info->lifetime_ms;
	pe->pol = info->pol;
	pe->port = info->port;
	pe->proto = info->proto;
	pe->use = info->use;
	pe->naddrs = info->naddrs;
	pe->reporter = INVALID_UID;
	for (i = 0; i < info->naddrs; i++)
		set_addr(&pe->addrs[i], &info->addrs[i]);
	/* Kept for the registrar; in no peer chain. */
	pe->nasap = info->nasap;
	for (i = 0; i < info->nasap; i++) {
		struct rsp_addr *a = &pe->addrs[pe->naddrs + i];

		set_addr(a, &info->asap[i]);
		a->asap_port = info->asap_port;
		a->asap_proto = info->asap_proto;
	}
	return pe;
}

static void pe_unlink(struct rsp_hs *hs, struct rsp_pe *pe, u8 reason,
		      u32 portid)
{
	struct rsp_pool *pool = pe->pool;

	rsp_nl_notify_pe(hs, pe, RSP_CMD_PE_DEL, reason, portid);
	rb_erase(&pe->id_node, &pool->pes);
	rsp_peers_del(hs, pe);
	rsp_sel_del(pool, pe);
	exp_unlink(hs, pe);
	hs->npes--;
	hs->generation++;
	pe_free_deferred(pe);
	if (!pool->count)
		pool_destroy(hs, pool);
}

static int check_limits(struct rsp_hs *hs, struct rsp_pool *pool,
			struct netlink_ext_ack *extack)
{
	const char *msg = NULL;

	if (!pool && hs->npools >= hs->limits.max_pools)
		msg = "pool limit of the namespace reached (max-pools)";
	else if (hs->npes >= hs->limits.max_pes)
		msg = "PE limit of the namespace reached (max-pes)";
	else if (pool && pool->count >= hs->limits.max_pool_pes)
		msg = "PE limit of the pool reached (max-pool-pes)";
	if (!msg)
		return 0;
	hs->stats.refused++;
	rsp_set_msg(extack, msg);
	return -ENOSPC;
}

static int check_consistent(struct rsp_pool *pool,
			    const struct rsp_pe_info *info,
			    const struct rsp_policy_ops *ops,
			    struct netlink_ext_ack *extack)
{
	if (pool->ops != ops) {
		NL_SET_ERR_MSG(extack,
			       "RSP_A_PE_POLICY: type differs from the pool's (inconsistent pooling policy)");
		return -EINVAL;
	}
	if (pool->proto != info->proto) {
		NL_SET_ERR_MSG(extack,
			       "RSP_A_PE_PROTO: differs from the pool's (inconsistent transport type)");
		return -EPROTOTYPE;
	}
	return 0;
}

static void pe_replace(struct rsp_hs *hs, struct rsp_pe *old,
		       struct rsp_pe *pe)
{
	struct rsp_pool *pool = old->pool;

	pe->pool = pool;
	atomic64_set(&pe->selected, atomic64_read(&old->selected));
	/*
	 * Reports carry over: a PE that re-registers often is still one the
	 * PUs cannot reach, and must reach the threshold like any other.
	 */
	pe->reports = old->reports;
	pe->reporter = old->reporter;
	/* Re-registration resets degradation; a WRR pass carries over. */
	if (pool->ops->dyn_from_min)
		pe->dyn = old->dyn;
	rb_replace_node(&old->id_node, &pe->id_node, &pool->pes);
	rsp_peers_del(hs, old);
	rsp_sel_replace(pool, old, pe);
	exp_unlink(hs, old);
	exp_link(hs, pe);
	pe_free_deferred(old);
}

int rsp_pe_register(struct rsp_hs *hs, const struct rsp_pe_info *info,
		    unsigned int flags, bool *created,
		    struct netlink_ext_ack *extack)
{
	const struct rsp_policy_ops *ops = rsp_policy_find(info->policy);
	struct rsp_pool *pool;
	struct rsp_pe *old = NULL, *pe;
	bool new_pool = false;
	int err;

	if (!ops) {
		NL_SET_ERR_MSG(extack, "RSP_POLICY_A_TYPE: unknown policy");
		return -EOPNOTSUPP;
	}
	mutex_lock(&hs->lock);
	pool = rsp_pool_find(hs, &info->handle);
	if (pool)
		old = rsp_pe_find(pool, info->id);
	err = -EEXIST;
	if (old && (flags & RSP_F_EXCL)) {
		NL_SET_ERR_MSG(extack, "PE already registered in this pool");
		goto out;
	}
	err = -ENOENT;
	if (!old && !(flags & RSP_F_CREATE)) {
		NL_SET_ERR_MSG(extack, "no such PE in this pool");
		goto out;
	}
	if (pool) {
		err = check_consistent(pool, info, ops, extack);
		if (err)
			goto out;
	}
	if (!old) {
		err = check_limits(hs, pool, extack);
		if (err)
			goto out;
	}
	err = -ENOMEM;
	pe = pe_alloc(info);
	if (!pe)
		goto out;
	rsp_peers_add(hs, pe);
	if (old) {
		pe_replace(hs, old, pe);
		hs->stats.updated++;
		hs->generation++;
		if (!info->quiet)
			rsp_nl_notify_pe(hs, pe, RSP_CMD_PE_SET, 0,
					 info->portid);
		err = 0;
		goto out;
	}
	if (!pool) {
		pool = pool_create(hs, info, ops);
		if (IS_ERR(pool)) {
			err = PTR_ERR(pool);
			goto free_pe;
		}
		new_pool = true;
	}
	pe->pool = pool;
	err = rsp_sel_add(pool, pe);
	if (err) {
		if (new_pool)
			pool_destroy(hs, pool);
		goto free_pe;
	}
	pe_link(pool, pe);
	exp_link(hs, pe);
	hs->npes++;
	hs->stats.added++;
	hs->generation++;
	if (!info->quiet)
		rsp_nl_notify_pe(hs, pe, RSP_CMD_PE_NEW, 0, info->portid);
	goto out;

free_pe:
	/* Lookups may have found it by address: free after them. */
	rsp_peers_del(hs, pe);
	pe_free_deferred(pe);
out:
	if (created)
		*created = !err && !old;
	mutex_unlock(&hs->lock);
	return err;
}

static struct rsp_pe *find_locked(struct rsp_hs *hs,
				  const struct rsp_handle *h, u32 id,
				  struct netlink_ext_ack *extack)
{
	struct rsp_pool *pool = rsp_pool_find(hs, h);
	struct rsp_pe *pe = pool ? rsp_pe_find(pool, id) : NULL;

	if (!pool)
		NL_SET_ERR_MSG(extack, "RSP_A_POOL_HANDLE: no such pool");
	else if (!pe)
		NL_SET_ERR_MSG(extack, "RSP_A_PE_ID: no such PE in this pool");
	return pe;
}

int rsp_pe_delete(struct rsp_hs *hs, const struct rsp_handle *h, u32 id,
		  u32 portid, struct netlink_ext_ack *extack)
{
	struct rsp_pe *pe;

	mutex_lock(&hs->lock);
	pe = find_locked(hs, h, id, extack);
	if (pe) {
		pe_unlink(hs, pe, RSP_REASON_DELETED, portid);
		hs->stats.removed++;
	}
	mutex_unlock(&hs->lock);
	return pe ? 0 : -ENOENT;
}

/*
 * @uid: the reporter if it lacks CAP_NET_ADMIN, else NULL.  An unprivileged
 * user's reports of a PE count once in a row (-EALREADY), so that one
 * process alone cannot drive every PE of a pool to the threshold.
 */
int rsp_pe_report(struct rsp_hs *hs, const struct rsp_handle *h, u32 id,
		  const kuid_t *uid, u32 portid, u32 *reports, bool *removed,
		  struct netlink_ext_ack *extack)
{
	struct rsp_pe *pe;
	int err = -ENOENT;

	*removed = false;
	mutex_lock(&hs->lock);
	pe = find_locked(hs, h, id, extack);
	if (pe && uid && uid_eq(*uid, pe->reporter)) {
		*reports = pe->reports;
		err = -EALREADY;
	} else if (pe) {
		err = 0;
		pe->reporter = uid ? *uid : INVALID_UID;
		*reports = ++pe->reports;
		hs->stats.reports++;
		rsp_nl_notify_pe(hs, pe, RSP_CMD_REPORT, 0, portid);
		*removed = pe->reports >= hs->limits.report_threshold;
		if (*removed) {
			pe_unlink(hs, pe, RSP_REASON_UNREACHABLE, portid);
			hs->stats.unreachable++;
		}
	}
	mutex_unlock(&hs->lock);
	return err;
}

/* Removes every PE (@all) or those of @home; hs->lock held. */
static u32 remove_matching(struct rsp_hs *hs, u32 home, bool all, u8 reason,
			   u32 portid)
{
	struct rb_node *pn = rb_first(&hs->pools), *next_pool;
	u32 n = 0;

	for (; pn; pn = next_pool) {
		struct rsp_pool *pool = rb_entry(pn, struct rsp_pool, node);
		struct rb_node *en = rb_first(&pool->pes), *next;
		bool last = false;

		next_pool = rb_next(pn);
		for (; en && !last; en = next) {
			struct rsp_pe *pe = rb_entry(en, struct rsp_pe,
						     id_node);

			next = rb_next(en);
			if (!all && pe->home != home)
				continue;
			last = pool->count == 1;	/* pool goes too */
			pe_unlink(hs, pe, reason, portid);
			n++;
		}
		cond_resched();
	}
	return n;
}

u32 rsp_delete_home(struct rsp_hs *hs, u32 home, u32 portid)
{
	u32 n;

	mutex_lock(&hs->lock);
	n = remove_matching(hs, home, false, RSP_REASON_HOME_DELETED, portid);
	hs->stats.removed += n;
	mutex_unlock(&hs->lock);
	return n;
}

u32 rsp_flush(struct rsp_hs *hs, u32 portid)
{
	u32 n;

	mutex_lock(&hs->lock);
	n = remove_matching(hs, 0, true, RSP_REASON_FLUSHED, portid);
	hs->stats.removed += n;
	mutex_unlock(&hs->lock);
	return n;
}

/* The 16-bit big-endian words of a handle, an odd one padded with 0. */
static u64 handle_words(const struct rsp_handle *h)
{
	u64 s = 0;
	u32 i;

	for (i = 0; i + 1 < h->len; i += 2)
		s += (u32)h->data[i] << 8 | h->data[i + 1];
	if (h->len & 1)
		s += (u32)h->data[h->len - 1] << 8;
	return s;
}

/*
 * The ENRP PE checksum of the PEs of @home (RSP_CMD_HOME_GET), their
 * number in *@count.  One's-complement addition commutes, so a pool's
 * handle words are summed once and counted for each of its PEs there.
 */
u16 rsp_home_checksum(struct rsp_hs *hs, u32 home, u32 *count)
{
	struct rb_node *pn, *en;
	u64 sum = 0;
	u32 n = 0;

	mutex_lock(&hs->lock);
	for (pn = rb_first(&hs->pools); pn; pn = rb_next(pn)) {
		struct rsp_pool *pool = rb_entry(pn, struct rsp_pool, node);
		u64 ids = 0;
		u32 k = 0;

		for (en = rb_first(&pool->pes); en; en = rb_next(en)) {
			const struct rsp_pe *pe = rb_entry(en, struct rsp_pe,
							   id_node);

			if (pe->home != home)
				continue;
			ids += (pe->id >> 16) + (pe->id & 0xffff);
			k++;
		}
		if (k)
			sum += ids + k * handle_words(&pool->handle);
		n += k;
		cond_resched();
	}
	mutex_unlock(&hs->lock);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	*count = n;
	return ~sum & 0xffff;
}

void rsp_expire_run(struct rsp_hs *hs)
{
	struct rb_node *n;

	mutex_lock(&hs->lock);
	while ((n = rb_first(&hs->expiry))) {
		struct rsp_pe *pe = rb_entry(n, struct rsp_pe, exp_node);

		if (rsp_exp_now() < pe->expires) {
			if (!hs->dying)
				mod_delayed_work(system_wq, &hs->expire_work,
						 exp_delay(pe->expires));
			break;
		}
		pe_unlink(hs, pe, RSP_REASON_EXPIRED, 0);
		hs->stats.expired++;
	}
	mutex_unlock(&hs->lock);
}

void rsp_expire_work(struct work_struct *work)
{
	rsp_expire_run(container_of(to_delayed_work(work), struct rsp_hs,
				    expire_work));
}

void rsp_hs_destroy(struct rsp_hs *hs)
{
	mutex_lock(&hs->lock);
	hs->dying = true;
	mutex_unlock(&hs->lock);
	cancel_delayed_work_sync(&hs->expire_work);
	cancel_delayed_work_sync(&hs->alias_work);

	mutex_lock(&hs->lock);
	hs->net = NULL;		/* nobody is left to tell */
	remove_matching(hs, 0, true, RSP_REASON_FLUSHED, 0);
	mutex_unlock(&hs->lock);
	rhashtable_destroy(&hs->pools_ht);
	rsp_peers_destroy(hs);
	/* No reader is left: the namespace has no sockets and no users. */
	free_percpu(hs->pcpu);
}
