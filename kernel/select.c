// SPDX-License-Identifier: GPL-2.0
/*
 * Selection structures and algorithms.
 *
 * Writers (handlespace.c) hold hs->lock, then pool->lock, and change the
 * vector inside pool->seq.  Readers of the stateless policies (RR, Random
 * and the weighted ones whose weights do not change on selection) take no
 * lock at all: they read the vector under RCU and retry if pool->seq moved.
 * The policies whose state changes with every selection (ranked ones,
 * degrading weighted ones) take pool->lock, which no other pool shares.
 *
 * Cost per request of N PEs in a pool of n:
 *   RR        O(N)          cmpxchg of the head, vector index
 *   Random    O(N^2)        Floyd's sampling over the vector, N <= 256
 *   Weighted  O(N)          alias table kept in the PEs, rejecting
 *                           repeats, in a pool of ALIAS_MIN PEs or more
 *                           whose weights do not change on selection;
 *                           O(N log n) Fenwick descent in the others and
 *                           while the table is stale; O(N n) only when
 *                           rejection cannot find N (few PEs with
 *                           non-zero weight)
 *   Ranked    O(N)          the first N of the groups of equal rank in
 *                           an rbtree; re-keying a PE is O(1) when its
 *                           rank stays (Priority, LU), O(log r) when it
 *                           changes (degradation), r distinct ranks
 *
 * A filter (a socket's address family) skips the PEs it refuses: RR and
 * Ranked walk past them, Random and Weighted reject them; all of them
 * come to a walk of the pool, O(n), only when most PEs are refused.
 */
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/slab.h>
#include "policy.h"

#define VEC_MIN		4
#define ALIAS_MIN	4		/* below, a descent of two steps */
#define ALIAS_DELAY	(HZ / 20)	/* a table at most this often */

/*
 * Selection needs uniform numbers, not secret ones: SplitMix64 over a
 * per-CPU counter, seeded from the kernel's CRNG at load.  The counter
 * moves with one this_cpu_add_return(), safe against preemption and
 * interrupts as it is; the rest is a few multiplies, inline, where the
 * prandom state took two calls and a preemption guard (a tenth of a
 * selection's cost under emulation).  Each CPU draws from a stretch of
 * one 2^64-long sequence, starting at a random place.
 */
#define SPLITMIX_GAMMA	0x9e3779b97f4a7c15ULL

static DEFINE_PER_CPU(u64, rsp_rnd);

void rsp_rand_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		per_cpu(rsp_rnd, cpu) = get_random_u64();
}

static u64 rand64(void)
{
	u64 z = this_cpu_add_return(rsp_rnd, SPLITMIX_GAMMA);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, ceil); the bias is below ceil / 2^64. */
static u64 rand_below(u64 ceil)
{
	return mul_u64_u64_shr(rand64(), ceil, 64);
}

static bool pool_weighted(const struct rsp_pool *pool)
{
	return pool->ops->kind == RSP_KIND_WEIGHTED;
}

/*
 * The Fenwick tree is laid out for locality: node i lives at fen[i - 1],
 * except the nodes at multiples of FEN_BLOCK, which are packed in top.  A
 * descent then reads top (a few cache lines, always warm) and one
 * page-aligned block of fen, not a node in each of log2(n) pages.  Every
 * array is a power of two in bytes, as kmalloc rounds.
 */
#define FEN_BLOCK	(PAGE_SIZE / sizeof(u64))

static u64 *fen_node(const struct rsp_vec *v, u32 i)
{
	return i % FEN_BLOCK ? &v->fen[i - 1] : &v->top[i / FEN_BLOCK];
}

static void vec_free(struct rsp_vec *v)
{
	kfree(v->top);
	kvfree(v->fen);
	kvfree(v->pe);
	kfree(v);
}

static void vec_free_rcu(struct rcu_head *head)
{
	vec_free(container_of(head, struct rsp_vec, rcu));
}

/* After the readers; rsp_pe_cache_exit()'s rcu_barrier() waits for it. */
static void vec_free_deferred(struct rsp_vec *v)
{
	call_rcu(&v->rcu, vec_free_rcu);
}

static struct rsp_vec *vec_alloc(u32 cap, bool fen)
{
	struct rsp_vec *v = kzalloc(sizeof(*v), GFP_KERNEL);

	if (!v)
		return NULL;
	v->cap = cap;
	v->pe = kvcalloc(cap, sizeof(*v->pe), GFP_KERNEL);
	if (fen) {
		v->fen = kvcalloc(cap, sizeof(*v->fen), GFP_KERNEL);
		v->top = kcalloc(cap / FEN_BLOCK + 1, sizeof(u64), GFP_KERNEL);
	}
	if (!v->pe || (fen && (!v->fen || !v->top))) {
		vec_free(v);
		return NULL;
	}
	return v;
}

static struct rsp_vec *vec_get(const struct rsp_pool *pool)
{
	return rcu_dereference_protected(pool->vec, 1);
}

/* Fenwick tree over the slots; slot i is node i + 1. */
static void fen_add(struct rsp_vec *v, u32 slot, u64 delta)
{
	u32 i;

	for (i = slot + 1; i <= v->cap; i += i & -i) {
		u64 *n = fen_node(v, i);

		WRITE_ONCE(*n, *n + delta);
	}
}

/*
 * Slot whose weight interval holds @u (0 <= u < total).  cap is a power
 * of two, so node cap is the total and every pos + step is in range: the
 * descent starts below it, reads top while the steps are whole blocks,
 * then one block.
 */
static u32 fen_find(const struct rsp_vec *v, u64 u)
{
	u32 pos = 0, step = v->cap / 2;
	u64 w;

	for (; step >= FEN_BLOCK; step >>= 1) {
		w = READ_ONCE(v->top[(pos + step) / FEN_BLOCK]);
		if (w <= u) {
			pos += step;
			u -= w;
		}
	}
	for (; step; step >>= 1) {
		w = READ_ONCE(v->fen[pos + step - 1]);
		if (w <= u) {
			pos += step;
			u -= w;
		}
	}
	return pos;		/* 0-based slot */
}

static void fen_rebuild(struct rsp_vec *v, u32 n)
{
	u32 i, j;

	for (i = 1; i <= v->cap; i++)
		*fen_node(v, i) = i <= n ? v->pe[i - 1]->fweight : 0;
	for (i = 1; i <= v->cap; i++) {
		j = i + (i & -i);
		if (j <= v->cap)
			*fen_node(v, j) += *fen_node(v, i);
	}
}

/*
 * Sets the weight of @pe in the tree; pool->lock and pool->seq held.  The
 * same weight again leaves the alias table as it is: PEs re-register it
 * every few seconds.  An add moves wgen itself.
 */
static void set_weight(struct rsp_pool *pool, struct rsp_vec *v,
		       struct rsp_pe *pe, u64 w)
{
	if (w == pe->fweight)
		return;
	fen_add(v, pe->slot, w - pe->fweight);
	WRITE_ONCE(pool->wtotal, pool->wtotal + w - pe->fweight);
	WRITE_ONCE(pool->wgen, pool->wgen + 1);
	pe->fweight = w;
}

static bool alias_kind(const struct rsp_pool *pool)
{
	return pool_weighted(pool) && !pool->ops->selected;
}

/* Whether selections among @n PEs of @pool draw from a table when valid. */
static bool alias_wanted(const struct rsp_pool *pool, u32 n)
{
	return n >= ALIAS_MIN && alias_kind(pool);
}

/*
 * Walker's alias table over the slots of a weighted pool, kept in its PEs:
 * the PE in slot i keeps the draw with probability acut / 2^32, else
 * passes it to the PE in slot aslot.  One random number and one PE per
 * pick (two when passed on), where the Fenwick descent reads log2(n)
 * nodes, and no memory of its own.  Built in O(n) by a work item, not by
 * writers (a registration would cost O(n)): it is stamped with pool->wgen
 * and the PE count, which every add, removal and weight change moves, and
 * a selection uses it only while both still hold.  A pick reads acut,
 * aslot and fweight, which sit side by side.
 */
static_assert(offsetofend(struct rsp_pe, aslot) ==
	      offsetof(struct rsp_pe, fweight));

/* The table is that of the @n PEs now, at this weight generation. */
static bool alias_valid(const struct rsp_pool *pool, u32 n)
{
	return READ_ONCE(pool->an) == n &&
	       READ_ONCE(pool->agen) == READ_ONCE(pool->wgen);
}

/* hs->lock held: nothing else writes the pool's weights or slots. */
static void alias_stamp(struct rsp_pool *pool, u32 n)
{
	spin_lock(&pool->lock);
	write_seqcount_begin(&pool->seq);
	WRITE_ONCE(pool->agen, pool->wgen);
	WRITE_ONCE(pool->an, n);
	write_seqcount_end(&pool->seq);
	spin_unlock(&pool->lock);
}

/*
 * Vose's construction in integers: slot i holds w_i * n against the mean,
 * total, so the sums stay exact.  Smalls (below total) take their cut
 * and a large as alias, which gives up the rest; the larges left over are
 * total exactly.  Smalls stack up from the front of st, larges from the
 * back.  The old table is withdrawn first: a selection that still reads
 * it while it is rewritten retries on pool->seq.  hs->lock held.
 */
static void alias_build(struct rsp_pool *pool)
{
	struct rsp_vec *v = rcu_dereference_protected(pool->vec, 1);
	u32 n = pool->count, ns = 0, nl = 0, i, *st;
	u64 total = pool->wtotal, *s;

	alias_stamp(pool, 0);
	if (n < ALIAS_MIN || !total || total > U64_MAX / n)
		return;		/* the tree serves */
	s = kvmalloc_array(n, sizeof(*s), GFP_KERNEL);
	st = kvmalloc_array(n, sizeof(*st), GFP_KERNEL);
	if (!s || !st)
		goto out;
	for (i = 0; i < n; i++) {
		s[i] = v->pe[i]->fweight * n;
		if (s[i] < total)
			st[ns++] = i;
		else
			st[n - ++nl] = i;
	}
	while (ns && nl) {
		u32 l = st[--ns], g = st[n - nl];

		WRITE_ONCE(v->pe[l]->acut,
			   mul_u64_u64_div_u64(s[l], 1ULL << 32, total));
		WRITE_ONCE(v->pe[l]->aslot, g);
		s[g] -= total - s[l];
		if (s[g] < total) {
			nl--;
			st[ns++] = g;
		}
	}
	while (nl) {
		i = st[n - nl--];
		WRITE_ONCE(v->pe[i]->acut, U32_MAX);
		WRITE_ONCE(v->pe[i]->aslot, i);
	}
	alias_stamp(pool, n);
out:
	kvfree(st);
	kvfree(s);
}

/* Builds the tables that selections found stale, after ALIAS_DELAY. */
void rsp_alias_work(struct work_struct *work)
{
	struct rsp_hs *hs = container_of(to_delayed_work(work), struct rsp_hs,
					 alias_work);
	struct rb_node *n;

	mutex_lock(&hs->lock);
	for (n = rb_first(&hs->pools); n && !hs->dying; n = rb_next(n)) {
		struct rsp_pool *pool = rb_entry(n, struct rsp_pool, node);

		if (!READ_ONCE(pool->alias_want))
			continue;
		WRITE_ONCE(pool->alias_want, false);
		if (!alias_valid(pool, pool->count))
			alias_build(pool);
	}
	mutex_unlock(&hs->lock);
}

/* Under RCU, from a selection: the work item rebuilds it, later. */
static void alias_stale(struct rsp_pool *pool)
{
	if (READ_ONCE(pool->alias_want))
		return;
	WRITE_ONCE(pool->alias_want, true);
	queue_delayed_work(system_unbound_wq, &pool->hs->alias_work,
			   ALIAS_DELAY);
}

/* For the unit tests: whether selections in @pool use a table now. */
bool rsp_sel_alias_ready(struct rsp_pool *pool)
{
	u32 n = READ_ONCE(pool->count);

	return alias_wanted(pool, n) && alias_valid(pool, n);
}

/* A PE drawn from the table of the @n PEs in @v; NULL if moved meanwhile. */
static struct rsp_pe *alias_pick(const struct rsp_vec *v, u32 n)
{
	u64 r = rand64();
	struct rsp_pe *pe = READ_ONCE(v->pe[((r >> 32) * n) >> 32]);
	u32 slot;

	if (!pe || (u32)r < READ_ONCE(pe->acut))
		return pe;
	slot = READ_ONCE(pe->aslot);
	return slot < n ? READ_ONCE(v->pe[slot]) : NULL;
}

/*
 * A ranked pool's tree holds one PE per distinct rank: the first of its
 * group, the one selected longest ago.  The others follow it on a ring
 * (pe->tie), least recently selected first.  The first PE, once selected,
 * hands its tree node to the next and so becomes the last, the ring being
 * a circle: no tree walk for policies whose rank does not change.
 */
static bool rank_first(const struct rsp_pe *pe)
{
	return !RB_EMPTY_NODE(&pe->rank_node);
}

/* Adds @pe, of rank pe->rank, last among the PEs of that rank. */
static void rank_add(struct rsp_pool *pool, struct rsp_pe *pe)
{
	struct rb_node **p = &pool->ranked.rb_root.rb_node, *parent = NULL;
	bool leftmost = true;

	while (*p) {
		struct rsp_pe *o = rb_entry(*p, struct rsp_pe, rank_node);

		if (pe->rank == o->rank) {
			/* Before the first on a circle is after the last. */
			list_add_tail(&pe->tie, &o->tie);
			RB_CLEAR_NODE(&pe->rank_node);
			return;
		}
		parent = *p;
		if (pe->rank < o->rank) {
			p = &parent->rb_left;
		} else {
			p = &parent->rb_right;
			leftmost = false;
		}
	}
	INIT_LIST_HEAD(&pe->tie);
	rb_link_node(&pe->rank_node, parent, p);
	rb_insert_color_cached(&pe->rank_node, &pool->ranked, leftmost);
}

/* The first PE of a group passes its tree node on to the next. */
static void rank_pass_on(struct rsp_pool *pool, struct rsp_pe *pe)
{
	rb_replace_node_cached(&pe->rank_node,
			       &list_next_entry(pe, tie)->rank_node,
			       &pool->ranked);
	RB_CLEAR_NODE(&pe->rank_node);
}

static void rank_del(struct rsp_pool *pool, struct rsp_pe *pe)
{
	if (rank_first(pe)) {
		if (list_empty(&pe->tie))
			rb_erase_cached(&pe->rank_node, &pool->ranked);
		else
			rank_pass_on(pool, pe);
	}
	list_del(&pe->tie);
}

/* @pe was just selected: it goes last among its equals. */
static void rank_requeue(struct rsp_pool *pool, struct rsp_pe *pe)
{
	if (!pool->ops->selected && rank_first(pe)) {
		if (!list_empty(&pe->tie))
			rank_pass_on(pool, pe);
		return;
	}
	rank_del(pool, pe);
	if (pool->ops->selected)
		pool->ops->selected(pe);
	pe->rank = pool->ops->key(pe);
	rank_add(pool, pe);
}

/* @pe takes the place of @old, or goes last if its rank differs. */
static void rank_replace(struct rsp_pool *pool, struct rsp_pe *old,
			 struct rsp_pe *pe)
{
	pe->rank = pool->ops->key(pe);
	if (pe->rank != old->rank) {
		rank_del(pool, old);
		rank_add(pool, pe);
		return;
	}
	if (rank_first(old))
		rb_replace_node_cached(&old->rank_node, &pe->rank_node,
				       &pool->ranked);
	else
		RB_CLEAR_NODE(&pe->rank_node);
	if (list_empty(&old->tie))
		INIT_LIST_HEAD(&pe->tie);
	else
		list_replace(&old->tie, &pe->tie);
}

int rsp_sel_init(struct rsp_pool *pool)
{
	struct rsp_vec *v = vec_alloc(VEC_MIN, pool_weighted(pool));

	if (!v)
		return -ENOMEM;
	spin_lock_init(&pool->lock);
	seqcount_spinlock_init(&pool->seq, &pool->lock);
	pool->ranked = RB_ROOT_CACHED;
	RCU_INIT_POINTER(pool->vec, v);
	return 0;
}

void rsp_sel_free(struct rsp_pool *pool)
{
	vec_free_deferred(vec_get(pool));
}

/* Moves the PEs into a vector of @cap slots and publishes it. */
static void vec_publish(struct rsp_pool *pool, struct rsp_vec *nv)
{
	struct rsp_vec *old = vec_get(pool);

	memcpy(nv->pe, old->pe, pool->count * sizeof(nv->pe[0]));
	if (nv->fen)
		fen_rebuild(nv, pool->count);
	rcu_assign_pointer(pool->vec, nv);
	vec_free_deferred(old);
}

int rsp_sel_add(struct rsp_pool *pool, struct rsp_pe *pe)
{
	struct rsp_vec *v = vec_get(pool), *nv = NULL;

	if (pool->count == v->cap) {
		nv = vec_alloc(v->cap * 2, pool_weighted(pool));
		if (!nv)
			return -ENOMEM;
	}

	spin_lock(&pool->lock);
	write_seqcount_begin(&pool->seq);
	if (nv) {
		vec_publish(pool, nv);
		v = nv;
	}
	pe->slot = pool->count;
	WRITE_ONCE(v->pe[pe->slot], pe);
	WRITE_ONCE(pool->count, pool->count + 1);
	if (v->fen) {
		/* Even at weight 0: after a removal, the count alone is back. */
		WRITE_ONCE(pool->wgen, pool->wgen + 1);
		pe->fweight = 0;
		set_weight(pool, v, pe, pool->ops->key(pe));
	}
	if (pool->ops->kind == RSP_KIND_RANKED) {
		/* A newcomer must not win every pick until it catches up. */
		if (pool->ops->dyn_from_min && rb_first_cached(&pool->ranked))
			pe->dyn = rb_entry(rb_first_cached(&pool->ranked),
					   struct rsp_pe, rank_node)->dyn;
		pe->rank = pool->ops->key(pe);
		rank_add(pool, pe);
	}
	write_seqcount_end(&pool->seq);
	spin_unlock(&pool->lock);
	return 0;
}

void rsp_sel_del(struct rsp_pool *pool, struct rsp_pe *pe)
{
	struct rsp_vec *v = vec_get(pool), *nv = NULL;
	u32 last = pool->count - 1;
	struct rsp_pe *lpe = v->pe[last];

	/* Shrink at a quarter full; if that allocation fails keep the old. */
	if (last > VEC_MIN && last <= v->cap / 4)
		nv = vec_alloc(v->cap / 2, pool_weighted(pool));

	spin_lock(&pool->lock);
	write_seqcount_begin(&pool->seq);
	if (v->fen) {
		u64 w = lpe->fweight;

		set_weight(pool, v, pe, 0);
		if (lpe != pe) {
			set_weight(pool, v, lpe, 0);
			lpe->slot = pe->slot;
			set_weight(pool, v, lpe, w);
		}
	}
	/* Swap-remove: the last PE takes the hole, so RR order changes. */
	lpe->slot = pe->slot;
	WRITE_ONCE(v->pe[pe->slot], lpe);
	WRITE_ONCE(v->pe[last], NULL);
	WRITE_ONCE(pool->count, last);
	if (pool->ops->kind == RSP_KIND_RANKED)
		rank_del(pool, pe);
	if (nv)
		vec_publish(pool, nv);
	write_seqcount_end(&pool->seq);
	spin_unlock(&pool->lock);
}

void rsp_sel_replace(struct rsp_pool *pool, struct rsp_pe *old,
		     struct rsp_pe *pe)
{
	struct rsp_vec *v = vec_get(pool);

	spin_lock(&pool->lock);
	write_seqcount_begin(&pool->seq);
	pe->slot = old->slot;
	WRITE_ONCE(v->pe[pe->slot], pe);
	if (v->fen) {
		pe->acut = old->acut;
		pe->aslot = old->aslot;
		pe->fweight = old->fweight;
		set_weight(pool, v, pe, pool->ops->key(pe));
	}
	if (pool->ops->kind == RSP_KIND_RANKED)
		rank_replace(pool, old, pe);
	write_seqcount_end(&pool->seq);
	spin_unlock(&pool->lock);
}

static bool picked(struct rsp_pe **out, unsigned int k, struct rsp_pe *pe)
{
	while (k--)
		if (out[k] == pe)
			return true;
	return false;
}

/* Inline: a selection asks it of every PE it looks at. */
static inline bool rsp_pe_usable(const struct rsp_pe *pe,
				 const struct rsp_filter *f)
{
	int i;

	if (!f)
		return true;
	for (i = 0; i < f->nexclude; i++)
		if (f->exclude[i] == pe->id)
			return false;
	for (i = 0; i < pe->naddrs; i++)
		if (rsp_addr_usable(&pe->addrs[i], f))
			return true;
	return false;
}

bool rsp_pool_any_usable(struct rsp_pool *pool, const struct rsp_filter *f)
{
	struct rsp_vec *v = rcu_dereference(pool->vec);
	unsigned int i, n = min(READ_ONCE(pool->count), v->cap);

	for (i = 0; i < n; i++) {
		struct rsp_pe *pe = READ_ONCE(v->pe[i]);

		if (pe && rsp_pe_usable(pe, f))
			return true;
	}
	return false;
}

/* A PE not yet in out[0..k) that the filter takes. */
static bool fresh(struct rsp_pe **out, unsigned int k, struct rsp_pe *pe,
		  const struct rsp_filter *f)
{
	return pe && !picked(out, k, pe) && rsp_pe_usable(pe, f);
}

/* Fills out[k..max) with usable PEs in vector order from a random slot. */
static unsigned int walk(struct rsp_vec *v, unsigned int n,
			 struct rsp_pe **out, unsigned int k, unsigned int max,
			 const struct rsp_filter *f)
{
	unsigned int i, start = n ? rand_below(n) : 0;

	for (i = 0; i < n && k < max; i++) {
		struct rsp_pe *pe = READ_ONCE(v->pe[(start + i) % n]);

		if (fresh(out, k, pe, f))
			out[k++] = pe;
	}
	return k;
}

/*
 * The head moves to just past the first PE chosen: by one per request
 * when every PE is usable, and past the skipped ones when a filter
 * refuses some, so that each usable PE still gets its turn.
 */
static unsigned int sel_rr(struct rsp_pool *pool, struct rsp_pe **out,
			   unsigned int max, const struct rsp_filter *f)
{
	unsigned int seq, n, i, k, first;
	struct rsp_vec *v;
	u32 head;

	do {
		head = atomic_read(&pool->rr_next);
		do {
			seq = read_seqcount_begin(&pool->seq);
			v = rcu_dereference(pool->vec);
			n = min(READ_ONCE(pool->count), v->cap);
			for (i = 0, k = 0, first = 0; i < n && k < max; i++) {
				struct rsp_pe *pe;

				pe = READ_ONCE(v->pe[(head + i) % n]);
				if (!pe || !rsp_pe_usable(pe, f))
					continue;
				if (!k)
					first = i;
				out[k++] = pe;
			}
		} while (read_seqcount_retry(&pool->seq, seq));
	} while (k && atomic_cmpxchg(&pool->rr_next, head, head + first + 1) !=
		 head);
	return k;
}

/* Floyd's algorithm: k distinct slots of n, then shuffled. */
static unsigned int sel_random(struct rsp_pool *pool, struct rsp_pe **out,
			       unsigned int max, const struct rsp_filter *f)
{
	unsigned int seq, n, j, k;
	struct rsp_vec *v;

	do {
		seq = read_seqcount_begin(&pool->seq);
		v = rcu_dereference(pool->vec);
		n = min(READ_ONCE(pool->count), v->cap);
		k = 0;
		if (f) {
			/* Rejection keeps it uniform over the usable PEs. */
			for (j = 0; n && k < max && j < 4 * max + 8; j++) {
				struct rsp_pe *pe;

				pe = READ_ONCE(v->pe[rand_below(n)]);
				if (fresh(out, k, pe, f))
					out[k++] = pe;
			}
			if (k < max)
				k = walk(v, n, out, k, max, f);
			continue;
		}
		for (j = n - min(max, n); j < n; j++) {
			struct rsp_pe *pe;

			pe = READ_ONCE(v->pe[rand_below(j + 1)]);
			if (!pe || picked(out, k, pe))
				pe = READ_ONCE(v->pe[j]);
			if (pe && !picked(out, k, pe))
				out[k++] = pe;
		}
	} while (read_seqcount_retry(&pool->seq, seq));

	/* swap() evaluates its arguments twice: draw the index first. */
	for (j = k; j > 1; j--) {
		u32 r = rand_below(j);

		swap(out[j - 1], out[r]);
	}
	return k;
}

/* Exact weighted sampling without replacement, by a linear scan. */
static unsigned int weighted_scan(struct rsp_vec *v, unsigned int n,
				  struct rsp_pe **out, unsigned int k,
				  unsigned int want, const struct rsp_filter *f)
{
	while (k < want) {
		u64 left = 0, u;
		unsigned int i;

		for (i = 0; i < n; i++) {
			struct rsp_pe *pe = READ_ONCE(v->pe[i]);

			if (fresh(out, k, pe, f))
				left += READ_ONCE(pe->fweight);
		}
		if (!left)
			break;
		u = rand_below(left);
		for (i = 0; i < n; i++) {
			struct rsp_pe *pe = READ_ONCE(v->pe[i]);
			u64 w;

			if (!fresh(out, k, pe, f))
				continue;
			w = READ_ONCE(pe->fweight);
			if (u < w) {
				out[k++] = pe;
				break;
			}
			u -= w;
		}
		if (i == n)	/* weights moved under us; seq will retry */
			break;
	}
	return k;
}

static unsigned int sel_weighted(struct rsp_pool *pool, struct rsp_pe **out,
				 unsigned int max, const struct rsp_filter *f)
{
	unsigned int seq, n, k, want, tries;
	struct rsp_vec *v;
	bool wanted, table, stale;

	do {
		u64 total;

		seq = read_seqcount_begin(&pool->seq);
		v = rcu_dereference(pool->vec);
		n = min(READ_ONCE(pool->count), v->cap);
		total = READ_ONCE(pool->wtotal);
		wanted = alias_wanted(pool, n);
		table = wanted && alias_valid(pool, n);
		stale = wanted && !table;
		want = min(max, n);
		for (k = 0, tries = 0; total && k < want && tries < 2 * want + 8;
		     tries++) {
			struct rsp_pe *pe;
			u32 slot;

			if (table) {
				pe = alias_pick(v, n);
			} else {
				slot = fen_find(v, rand_below(total));
				pe = slot < n ? READ_ONCE(v->pe[slot]) : NULL;
			}
			if (fresh(out, k, pe, f) && READ_ONCE(pe->fweight))
				out[k++] = pe;
		}
		if (total && k < want)
			k = weighted_scan(v, n, out, k, want, f);
	} while (read_seqcount_retry(&pool->seq, seq));
	if (stale)
		alias_stale(pool);
	return k;
}

/* pool->lock held. */
static unsigned int sel_ranked(struct rsp_pool *pool, struct rsp_pe **out,
			       unsigned int max, const struct rsp_filter *f)
{
	struct rb_node *node;
	unsigned int i, k = 0;

	for (node = rb_first_cached(&pool->ranked); node && k < max;
	     node = rb_next(node)) {
		struct rsp_pe *first = rb_entry(node, struct rsp_pe, rank_node);
		struct rsp_pe *pe = first;

		if (first->rank == U64_MAX)
			break;
		do {
			if (rsp_pe_usable(pe, f))
				out[k++] = pe;
			pe = list_next_entry(pe, tie);
		} while (pe != first && k < max);
	}
	/* Re-key the chosen: degradation, and last among their equals. */
	for (i = 0; i < k; i++)
		rank_requeue(pool, out[i]);
	return k;
}

unsigned int rsp_select(struct rsp_pool *pool, struct rsp_pe **out,
			unsigned int max, const struct rsp_filter *f)
{
	const struct rsp_policy_ops *ops = pool->ops;
	unsigned int i, k;

	switch (ops->kind) {
	case RSP_KIND_RR:
		k = sel_rr(pool, out, max, f);
		break;
	case RSP_KIND_RANDOM:
		k = sel_random(pool, out, max, f);
		break;
	case RSP_KIND_WEIGHTED:
		if (!ops->selected) {
			k = sel_weighted(pool, out, max, f);
			break;
		}
		spin_lock(&pool->lock);
		k = sel_weighted(pool, out, max, f);
		write_seqcount_begin(&pool->seq);
		for (i = 0; i < k; i++) {
			ops->selected(out[i]);
			set_weight(pool, vec_get(pool), out[i],
				   ops->key(out[i]));
		}
		write_seqcount_end(&pool->seq);
		spin_unlock(&pool->lock);
		break;
	default:
		spin_lock(&pool->lock);
		k = sel_ranked(pool, out, max, f);
		spin_unlock(&pool->lock);
		break;
	}

	for (i = 0; i < k; i++)
		atomic64_inc(&out[i]->selected);
	atomic64_inc(&pool->resolves);
	atomic64_add(k, &pool->selected);
	this_cpu_inc(pool->hs->pcpu->resolves);
	this_cpu_add(pool->hs->pcpu->selected, k);
	return k;
}
