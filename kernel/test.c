// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the handlespace and of every selection policy.
 * Deterministic policies are checked for their exact order; random ones
 * for their distribution, within five standard deviations (a false alarm
 * about once in 1.7 million runs per check).
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/in.h>
#include <linux/kthread.h>
#include <linux/math.h>
#include <linux/slab.h>
#include "handlespace.h"
#include "peers.h"
#include "policy.h"

#define PCT(p)	((u32)div_u64(0xffffffffULL * (p), 100))

struct ctx {
	struct rsp_hs hs;
	struct rsp_pe_info info;
};

static int hs_init(struct kunit *test)
{
	struct ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_EQ(test, rsp_hs_init(&c->hs, NULL), 0);
	test->priv = c;
	return 0;
}

static void hs_exit(struct kunit *test)
{
	struct ctx *c = test->priv;

	rsp_hs_destroy(&c->hs);
}

static void set_handle(struct rsp_handle *h, const char *s)
{
	memset(h, 0, sizeof(*h));
	h->len = strlen(s);
	memcpy(h->data, s, h->len);
}

/* A TCP PE of pool @pool on port 7, at 10.0.0.ID or ::ID by @family. */
static struct rsp_pe_info *info_for(struct kunit *test, const char *pool,
				    u32 id, u32 type, u8 family)
{
	struct ctx *c = test->priv;
	struct rsp_pe_info *i = &c->info;

	memset(i, 0, sizeof(*i));
	set_handle(&i->handle, pool);
	i->id = id;
	i->proto = IPPROTO_TCP;
	i->port = 7;
	i->naddrs = 1;
	i->addrs[0].family = family;
	if (family == AF_INET)
		i->addrs[0].v4 = htonl(0x0a000000 | id);
	else
		i->addrs[0].v6.s6_addr32[3] = htonl(id);
	i->policy = type;
	return i;
}

static int enter(struct kunit *test, struct rsp_pe_info *i)
{
	struct ctx *c = test->priv;

	return rsp_pe_register(&c->hs, i, RSP_F_CREATE | RSP_F_EXCL, NULL,
			       NULL);
}

/* An IPv4 PE with the given policy values. */
static int add(struct kunit *test, const char *pool, u32 id, u32 type,
	       u32 a, u32 b)
{
	struct rsp_pe_info *i = info_for(test, pool, id, type, AF_INET);

	i->pol.weight = a;
	i->pol.priority = a;
	i->pol.load = a;
	i->pol.load_deg = b;
	return enter(test, i);
}

/* The tests are the only writers, so the pool outlives the RCU section. */
static struct rsp_pool *pool_of(struct kunit *test, const char *name)
{
	struct ctx *c = test->priv;
	struct rsp_pool *pool;
	struct rsp_handle h;

	set_handle(&h, name);
	rcu_read_lock();
	pool = rsp_pool_find_rcu(&c->hs, &h);
	rcu_read_unlock();
	return pool;
}

/* Selects up to @n PEs that @f takes and writes their IDs to @ids. */
static unsigned int pick_f(struct kunit *test, const char *name, u32 *ids,
			   unsigned int n, const struct rsp_filter *f)
{
	struct rsp_pe *pes[16];
	struct rsp_pool *pool;
	unsigned int i, k = 0;

	rcu_read_lock();
	pool = pool_of(test, name);
	if (pool)
		k = rsp_select(pool, pes, n, f);
	for (i = 0; i < k; i++)
		ids[i] = pes[i]->id;
	rcu_read_unlock();
	return k;
}

static unsigned int pick(struct kunit *test, const char *name, u32 *ids,
			 unsigned int n)
{
	return pick_f(test, name, ids, n, NULL);
}

static u32 pick1(struct kunit *test, const char *name)
{
	u32 id = 0;

	KUNIT_EXPECT_EQ(test, pick(test, name, &id, 1), 1U);
	return id;
}

static void expect_seq(struct kunit *test, const char *name,
		       const u32 *want, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, pick1(test, name), want[i],
				    "pick %u", i);
}

/* |got - n p| <= 5 sigma, with p = num / den. */
static void expect_share(struct kunit *test, u32 got, u32 n, u32 num,
			 u32 den)
{
	u64 mean = div_u64((u64)n * num, den);
	u64 var = div_u64(div_u64((u64)n * num, den) * (den - num), den);
	u64 tol = 5 * int_sqrt64(var) + 1;

	KUNIT_EXPECT_LE_MSG(test, abs((s64)got - (s64)mean), (s64)tol,
			    "got %u of %u, expected %llu +- %llu", got, n,
			    mean, tol);
}

static void test_rr_order(struct kunit *test)
{
	static const u32 seq[] = { 1, 2, 3, 1, 2, 3, 1 };
	u32 ids[3];
	int i;

	for (i = 1; i <= 3; i++)
		KUNIT_ASSERT_EQ(test, add(test, "rr", i, RSP_POLICY_RR, 0, 0), 0);
	expect_seq(test, "rr", seq, ARRAY_SIZE(seq));
	/* N at a time: the head still advances by one per request. */
	KUNIT_EXPECT_EQ(test, pick(test, "rr", ids, 2), 2U);
	KUNIT_EXPECT_EQ(test, ids[0], 2U);
	KUNIT_EXPECT_EQ(test, ids[1], 3U);
	KUNIT_EXPECT_EQ(test, pick(test, "rr", ids, 5), 3U);
	KUNIT_EXPECT_EQ(test, ids[0], 3U);
	KUNIT_EXPECT_EQ(test, ids[1], 1U);
	KUNIT_EXPECT_EQ(test, ids[2], 2U);
}

static void test_rr_after_churn(struct kunit *test)
{
	struct ctx *c = test->priv;
	struct rsp_handle h;
	u32 seen[11] = { 0 };
	int i;

	/* Grow the vector far, then shrink it: survivors are each visited. */
	for (i = 1; i <= 1000; i++)
		KUNIT_ASSERT_EQ(test, add(test, "rr", i, RSP_POLICY_RR, 0, 0), 0);
	set_handle(&h, "rr");
	for (i = 11; i <= 1000; i++)
		KUNIT_ASSERT_EQ(test, rsp_pe_delete(&c->hs, &h, i, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, pool_of(test, "rr")->count, 10U);
	for (i = 0; i < 10; i++) {
		u32 id = pick1(test, "rr");

		KUNIT_ASSERT_TRUE(test, id >= 1 && id <= 10);
		seen[id]++;
	}
	for (i = 1; i <= 10; i++)
		KUNIT_EXPECT_EQ_MSG(test, seen[i], 1U, "PE %d", i);
}

static void test_random(struct kunit *test)
{
	u32 counts[5] = { 0 }, ids[4];
	int i;

	for (i = 1; i <= 4; i++)
		KUNIT_ASSERT_EQ(test, add(test, "r", i, RSP_POLICY_RANDOM, 0, 0),
				0);
	for (i = 0; i < 8000; i++)
		counts[pick1(test, "r")]++;
	for (i = 1; i <= 4; i++)
		expect_share(test, counts[i], 8000, 1, 4);
	/* Three distinct of four, every time. */
	for (i = 0; i < 200; i++) {
		KUNIT_ASSERT_EQ(test, pick(test, "r", ids, 3), 3U);
		KUNIT_EXPECT_NE(test, ids[0], ids[1]);
		KUNIT_EXPECT_NE(test, ids[0], ids[2]);
		KUNIT_EXPECT_NE(test, ids[1], ids[2]);
	}
	KUNIT_EXPECT_EQ(test, pick(test, "r", ids, 4), 4U);
}

static void test_weighted_random(struct kunit *test)
{
	u32 counts[5] = { 0 }, ids[4];
	int i;

	KUNIT_ASSERT_EQ(test, add(test, "w", 1, RSP_POLICY_WRAND, 1, 0), 0);
	KUNIT_ASSERT_EQ(test, add(test, "w", 2, RSP_POLICY_WRAND, 2, 0), 0);
	KUNIT_ASSERT_EQ(test, add(test, "w", 3, RSP_POLICY_WRAND, 3, 0), 0);
	KUNIT_ASSERT_EQ(test, add(test, "w", 4, RSP_POLICY_WRAND, 0, 0), 0);
	for (i = 0; i < 12000; i++)
		counts[pick1(test, "w")]++;
	KUNIT_EXPECT_EQ(test, counts[4], 0U);
	expect_share(test, counts[1], 12000, 1, 6);
	expect_share(test, counts[2], 12000, 2, 6);
	expect_share(test, counts[3], 12000, 3, 6);
	/* Weight 0 is never chosen, even when more PEs are asked for. */
	KUNIT_EXPECT_EQ(test, pick(test, "w", ids, 4), 3U);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_NE(test, ids[i], 4U);
}

/* Past a Fenwick block, before and after the vector shrinks. */
static void test_weighted_large(struct kunit *test)
{
	static const u32 heavy[] = { 700, 1536, 2999 };
	struct ctx *c = test->priv;
	struct rsp_handle h;
	u32 counts[4], round, i, j;

	for (i = 1; i <= 3000; i++) {
		u32 w = 0;

		for (j = 0; j < ARRAY_SIZE(heavy); j++)
			if (i == heavy[j])
				w = j + 1;
		KUNIT_ASSERT_EQ(test, add(test, "w", i, RSP_POLICY_WRAND, w, 0),
				0);
	}
	set_handle(&h, "w");
	for (round = 0; round < 2; round++) {
		memset(counts, 0, sizeof(counts));
		for (i = 0; i < 6000; i++) {
			u32 id = pick1(test, "w");

			for (j = 0; j < ARRAY_SIZE(heavy) && id != heavy[j];)
				j++;
			counts[j]++;	/* counts[3]: a PE of weight 0 */
		}
		KUNIT_EXPECT_EQ(test, counts[3], 0U);
		for (j = 0; j < ARRAY_SIZE(heavy); j++)
			expect_share(test, counts[j], 6000, j + 1, 6);
		/* Every slot moves and the tree is rebuilt smaller. */
		for (i = 1; i <= 2400 && !round; i++)
			if (i != 700 && i != 1536)
				KUNIT_ASSERT_EQ(test, rsp_pe_delete(&c->hs, &h, i, 0,
								    NULL), 0);
	}
	KUNIT_EXPECT_EQ(test, pool_of(test, "w")->count, 602U);
}

/* counts[w]: picks of "w" (PE i has weight i % 4); @extra: of PE 4. */
static void pick_classes(struct kunit *test, u32 *counts, u32 n, u32 *extra)
{
	u32 i, id;

	for (i = 0; i < n; i++) {
		id = pick1(test, "w");
		if (id == 4)
			(*extra)++;
		else
			counts[id % 4]++;
	}
}

/*
 * A pool large enough for an alias table: the first selection finds none
 * and asks for it, the work item builds it.  A change makes it stale: the
 * tree serves at once, with the new weights, until the next is built.
 */
static void test_weighted_alias(struct kunit *test)
{
	struct ctx *c = test->priv;
	struct rsp_pool *pool;
	struct rsp_pe_info *in;
	struct rsp_handle h;
	u32 counts[4], extra, round, i;

	/* 750 PEs each of weight 0, 1, 2 and 3: shares 0, 1/6, 2/6, 3/6. */
	for (i = 1; i <= 3000; i++)
		KUNIT_ASSERT_EQ(test, add(test, "w", i, RSP_POLICY_WRAND, i % 4,
					  0), 0);
	pool = pool_of(test, "w");
	KUNIT_EXPECT_FALSE(test, rsp_sel_alias_ready(pool));
	pick1(test, "w");
	flush_delayed_work(&c->hs.alias_work);
	for (round = 0; round < 3; round++) {
		/* Round 1 runs on the tree, 0 and 2 on a table. */
		KUNIT_EXPECT_EQ_MSG(test, rsp_sel_alias_ready(pool), round != 1,
				    "round %u", round);
		memset(counts, 0, sizeof(counts));
		extra = 0;
		pick_classes(test, counts, 12000, &extra);
		KUNIT_EXPECT_EQ_MSG(test, counts[0], 0U, "round %u", round);
		/* PE 4, weight 0 at first, then half of all the weight. */
		if (!round) {
			KUNIT_EXPECT_EQ(test, extra, 0U);
			for (i = 1; i < 4; i++)
				expect_share(test, counts[i], 12000, i, 6);
			in = info_for(test, "w", 4, RSP_POLICY_WRAND, AF_INET);
			in->pol.weight = 4500;
			KUNIT_ASSERT_EQ(test, rsp_pe_register(&c->hs, in, 0, NULL,
							      NULL), 0);
			continue;
		}
		expect_share(test, extra, 12000, 1, 2);
		for (i = 1; i < 4; i++)
			expect_share(test, counts[i], 12000, i, 12);
		flush_delayed_work(&c->hs.alias_work);
	}
	/* A re-registration with the same weight keeps the table. */
	KUNIT_ASSERT_TRUE(test, rsp_sel_alias_ready(pool));
	in = info_for(test, "w", 7, RSP_POLICY_WRAND, AF_INET);
	in->pol.weight = 3;
	KUNIT_ASSERT_EQ(test, rsp_pe_register(&c->hs, in, 0, NULL, NULL), 0);
	KUNIT_EXPECT_TRUE(test, rsp_sel_alias_ready(pool));
	/* A removal and an add of weight 0 leave the count as it was. */
	set_handle(&h, "w");
	KUNIT_ASSERT_EQ(test, rsp_pe_delete(&c->hs, &h, 8, 0, NULL), 0);
	KUNIT_ASSERT_EQ(test, add(test, "w", 8, RSP_POLICY_WRAND, 0, 0), 0);
	KUNIT_EXPECT_FALSE(test, rsp_sel_alias_ready(pool));
	/* Below ALIAS_MIN (4) PEs the tree serves, no table is asked for. */
	for (i = 4; i <= 3000; i++)
		KUNIT_ASSERT_EQ(test, rsp_pe_delete(&c->hs, &h, i, 0, NULL), 0);
	pick1(test, "w");
	KUNIT_EXPECT_FALSE(test, rsp_sel_alias_ready(pool));
	KUNIT_EXPECT_FALSE(test, delayed_work_pending(&c->hs.alias_work));
}

static void test_weighted_skewed(struct kunit *test)
{
	u32 ids[2];

	/* Rejection alone would rarely find the light PE: the scan must. */
	KUNIT_ASSERT_EQ(test, add(test, "w", 1, RSP_POLICY_WRAND, 1, 0), 0);
	KUNIT_ASSERT_EQ(test, add(test, "w", 2, RSP_POLICY_WRAND, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, add(test, "w", 3, RSP_POLICY_WRAND, 0xffffffff,
				  0), 0);
	KUNIT_ASSERT_EQ(test, pick(test, "w", ids, 2), 2U);
	KUNIT_EXPECT_EQ(test, ids[0] + ids[1], 4U);
}

static void test_wrr(struct kunit *test)
{
	u32 counts[3] = { 0 };
	int i, w;

	KUNIT_ASSERT_EQ(test, add(test, "wrr", 1, RSP_POLICY_WRR, 1, 0), 0);
	KUNIT_ASSERT_EQ(test, add(test, "wrr", 2, RSP_POLICY_WRR, 3, 0), 0);
	/* Every window of four has PE 2 three times: spread, not bunched. */
	for (w = 0; w < 10; w++) {
		memset(counts, 0, sizeof(counts));
		for (i = 0; i < 4; i++)
			counts[pick1(test, "wrr")]++;
		KUNIT_EXPECT_EQ_MSG(test, counts[1], 1U, "window %d", w);
		KUNIT_EXPECT_EQ_MSG(test, counts[2], 3U, "window %d", w);
	}
}

static void test_priority(struct kunit *test)
{
	static const u32 seq[] = { 2, 3, 2, 3 };
	u32 ids[3];

	KUNIT_ASSERT_EQ(test, add(test, "p", 1, RSP_POLICY_PRIORITY, 1, 0), 0);
	KUNIT_ASSERT_EQ(test, add(test, "p", 2, RSP_POLICY_PRIORITY, 9, 0), 0);
	KUNIT_ASSERT_EQ(test, add(test, "p", 3, RSP_POLICY_PRIORITY, 9, 0), 0);
	/* The highest priority wins; equal ones take turns. */
	expect_seq(test, "p", seq, ARRAY_SIZE(seq));
	KUNIT_EXPECT_EQ(test, pick(test, "p", ids, 3), 3U);
	KUNIT_EXPECT_EQ(test, ids[2], 1U);
}

/* Groups of equal rank: rotation, removal, re-registration, N at once. */
static void test_ranked_ties(struct kunit *test)
{
	static const u32 turns[] = { 1, 2, 3, 4, 1, 2 };
	static const u32 after_del[] = { 4, 1, 2, 4 };
	static const u32 after_moved[] = { 1, 2, 1 };
	struct ctx *c = test->priv;
	struct rsp_handle h;
	u32 i, ids[4];

	for (i = 1; i <= 4; i++)
		KUNIT_ASSERT_EQ(test, add(test, "t", i, RSP_POLICY_PRIORITY, 9,
					  0), 0);
	KUNIT_ASSERT_EQ(test, add(test, "t", 5, RSP_POLICY_PRIORITY, 1, 0), 0);
	expect_seq(test, "t", turns, ARRAY_SIZE(turns));
	/* 3 is next: it goes, and 4 takes its turn. */
	set_handle(&h, "t");
	KUNIT_ASSERT_EQ(test, rsp_pe_delete(&c->hs, &h, 3, 0, NULL), 0);
	expect_seq(test, "t", after_del, ARRAY_SIZE(after_del));
	/* Same rank: 2 keeps its place (1, 2, 4 in turn). */
	add(test, "t", 2, RSP_POLICY_PRIORITY, 9, 0);
	KUNIT_ASSERT_EQ(test, rsp_pe_register(&c->hs, &c->info, 0, NULL, NULL),
			0);
	KUNIT_EXPECT_EQ(test, pick1(test, "t"), 1U);
	KUNIT_EXPECT_EQ(test, pick1(test, "t"), 2U);
	/* 4 moves down to 5's rank, behind it. */
	add(test, "t", 4, RSP_POLICY_PRIORITY, 1, 0);
	KUNIT_ASSERT_EQ(test, rsp_pe_register(&c->hs, &c->info, 0, NULL, NULL),
			0);
	expect_seq(test, "t", after_moved, ARRAY_SIZE(after_moved));
	/* N at once: the whole first group in turn, then the next. */
	KUNIT_ASSERT_EQ(test, pick(test, "t", ids, 4), 4U);
	KUNIT_EXPECT_EQ(test, ids[0], 2U);
	KUNIT_EXPECT_EQ(test, ids[1], 1U);
	KUNIT_EXPECT_EQ(test, ids[2], 5U);
	KUNIT_EXPECT_EQ(test, ids[3], 4U);
	/* The last of a rank leaves its group's node behind it. */
	KUNIT_ASSERT_EQ(test, rsp_pe_delete(&c->hs, &h, 5, 0, NULL), 0);
	KUNIT_ASSERT_EQ(test, rsp_pe_delete(&c->hs, &h, 1, 0, NULL), 0);
	KUNIT_ASSERT_EQ(test, rsp_pe_delete(&c->hs, &h, 2, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, pick1(test, "t"), 4U);
	KUNIT_EXPECT_EQ(test, pick1(test, "t"), 4U);
}

static void test_least_used(struct kunit *test)
{
	static const u32 seq[] = { 1, 3, 1, 3, 1 };
	u32 ids[3];

	KUNIT_ASSERT_EQ(test, add(test, "lu", 1, RSP_POLICY_LU, PCT(10), 0), 0);
	KUNIT_ASSERT_EQ(test, add(test, "lu", 2, RSP_POLICY_LU, PCT(20), 0), 0);
	KUNIT_ASSERT_EQ(test, add(test, "lu", 3, RSP_POLICY_LU, PCT(10), 0), 0);
	expect_seq(test, "lu", seq, ARRAY_SIZE(seq));
	/* Ascending load for N at a time. */
	KUNIT_EXPECT_EQ(test, pick(test, "lu", ids, 3), 3U);
	KUNIT_EXPECT_EQ(test, ids[2], 2U);
}

static void test_lud(struct kunit *test)
{
	/*
	 * 1: load 100 + 50 per pick; 2: 200 flat.  1, 1, then a tie at 200
	 * that the least recently selected wins.  (Raw units: percentages
	 * round, and 10% + 2 * 5% is not quite 20%.)
	 */
	static const u32 seq[] = { 1, 1, 2, 1, 2, 2 };
	struct ctx *c = test->priv;
	struct rsp_pool *pool;

	KUNIT_ASSERT_EQ(test, add(test, "d", 1, RSP_POLICY_LUD, 100, 50), 0);
	KUNIT_ASSERT_EQ(test, add(test, "d", 2, RSP_POLICY_LUD, 200, 0), 0);
	expect_seq(test, "d", seq, ARRAY_SIZE(seq));
	/* Re-registration resets the degradation counter. */
	pool = pool_of(test, "d");
	KUNIT_EXPECT_NE(test, rsp_pe_find(pool, 1)->dyn, 0ULL);
	c->info.id = 1;
	c->info.pol.load = 100;
	c->info.pol.load_deg = 50;
	KUNIT_ASSERT_EQ(test, rsp_pe_register(&c->hs, &c->info, 0, NULL,
					      NULL), 0);
	KUNIT_EXPECT_EQ(test, rsp_pe_find(pool, 1)->dyn, 0ULL);
	KUNIT_EXPECT_EQ(test, pick1(test, "d"), 1U);
}

static void test_plu(struct kunit *test)
{
	/* Rank load + degradation: 1 is 10+15, 2 is 20+0. */
	KUNIT_ASSERT_EQ(test, add(test, "plu", 1, RSP_POLICY_PLU, PCT(10),
				  PCT(15)), 0);
	KUNIT_ASSERT_EQ(test, add(test, "plu", 2, RSP_POLICY_PLU, PCT(20),
				  0), 0);
	KUNIT_EXPECT_EQ(test, pick1(test, "plu"), 2U);
	KUNIT_EXPECT_EQ(test, pick1(test, "plu"), 2U);
}

static void test_rlu(struct kunit *test)
{
	u32 counts[3] = { 0 };
	int i;

	/* Weights 2^32 and 2^31 + 1: two to one. */
	KUNIT_ASSERT_EQ(test, add(test, "rlu", 1, RSP_POLICY_RLU, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, add(test, "rlu", 2, RSP_POLICY_RLU, PCT(50), 0),
			0);
	for (i = 0; i < 9000; i++)
		counts[pick1(test, "rlu")]++;
	expect_share(test, counts[1], 9000, 2, 3);
}

static void test_every_policy(struct kunit *test)
{
	const struct rsp_policy_ops *ops;
	char name[8];
	u32 ids[3];
	int i, j;

	/* Each policy selects distinct PEs and never more than it has. */
	for (i = 0; (ops = rsp_policy_by_index(i)); i++) {
		/* Weight, priority and load share a word of the PE. */
		KUNIT_EXPECT_LE_MSG(test, hweight32(ops->params &
						   (RSP_PARAM(WEIGHT) |
						    RSP_PARAM(PRIORITY) |
						    RSP_PARAM(LOAD))), 1U,
				    "%s", ops->name);
		snprintf(name, sizeof(name), "p%d", i);
		for (j = 1; j <= 3; j++)
			KUNIT_ASSERT_EQ(test, add(test, name, j, ops->type,
						  PCT(10 * j), PCT(1)), 0);
		KUNIT_EXPECT_EQ_MSG(test, pick(test, name, ids, 3), 3U,
				    "%s", ops->name);
		KUNIT_EXPECT_TRUE_MSG(test, ids[0] != ids[1] &&
				      ids[1] != ids[2] && ids[0] != ids[2],
				      "%s", ops->name);
	}
	KUNIT_EXPECT_NULL(test, rsp_policy_find(0x12345678));
}

static void test_consistency(struct kunit *test)
{
	struct ctx *c = test->priv;
	struct rsp_pool *pool;

	KUNIT_ASSERT_EQ(test, add(test, "c", 1, RSP_POLICY_RR, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, add(test, "c", 1, RSP_POLICY_RR, 0, 0), -EEXIST);
	KUNIT_EXPECT_EQ(test, add(test, "c", 2, RSP_POLICY_LU, 0, 0), -EINVAL);
	c->info.policy = RSP_POLICY_RR;
	c->info.proto = IPPROTO_UDP;
	KUNIT_EXPECT_EQ(test, rsp_pe_register(&c->hs, &c->info, RSP_F_CREATE,
					      NULL, NULL), -EPROTOTYPE);
	c->info.proto = IPPROTO_TCP;
	c->info.id = 9;
	KUNIT_EXPECT_EQ(test, rsp_pe_register(&c->hs, &c->info, 0, NULL, NULL),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, add(test, "c", 2, 0x7777, 0, 0), -EOPNOTSUPP);
	pool = pool_of(test, "c");
	KUNIT_EXPECT_EQ(test, pool->count, 1U);
	KUNIT_EXPECT_EQ(test, c->hs.npes, 1U);
}

static void test_limits(struct kunit *test)
{
	struct ctx *c = test->priv;

	c->hs.limits.max_pool_pes = 2;
	c->hs.limits.max_pools = 2;
	KUNIT_ASSERT_EQ(test, add(test, "a", 1, RSP_POLICY_RR, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, add(test, "a", 2, RSP_POLICY_RR, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, add(test, "a", 3, RSP_POLICY_RR, 0, 0), -ENOSPC);
	KUNIT_ASSERT_EQ(test, add(test, "b", 1, RSP_POLICY_RR, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, add(test, "z", 1, RSP_POLICY_RR, 0, 0), -ENOSPC);
	c->hs.limits.max_pes = 3;
	KUNIT_EXPECT_EQ(test, add(test, "b", 2, RSP_POLICY_RR, 0, 0), -ENOSPC);
	/* Nothing half-inserted. */
	KUNIT_EXPECT_EQ(test, c->hs.npools, 2U);
	KUNIT_EXPECT_EQ(test, c->hs.npes, 3U);
	KUNIT_EXPECT_NULL(test, pool_of(test, "z"));
	KUNIT_EXPECT_EQ(test, c->hs.stats.refused, 3ULL);
}

static void test_expiry(struct kunit *test)
{
	struct ctx *c = test->priv;

	KUNIT_ASSERT_EQ(test, add(test, "e", 1, RSP_POLICY_RR, 0, 0), 0);
	c->info.id = 2;
	c->info.lifetime_ms = 30;
	KUNIT_ASSERT_EQ(test, rsp_pe_register(&c->hs, &c->info, RSP_F_CREATE,
					      NULL, NULL), 0);
	c->info.id = 3;
	c->info.lifetime_ms = 60000;
	KUNIT_ASSERT_EQ(test, rsp_pe_register(&c->hs, &c->info, RSP_F_CREATE,
					      NULL, NULL), 0);
	rsp_expire_run(&c->hs);
	KUNIT_EXPECT_EQ(test, c->hs.npes, 3U);
	msleep(100);
	/* The delayed work has run by now; running it again is harmless. */
	rsp_expire_run(&c->hs);
	KUNIT_EXPECT_EQ(test, c->hs.npes, 2U);
	KUNIT_EXPECT_NULL(test, rsp_pe_find(pool_of(test, "e"), 2));
	KUNIT_EXPECT_EQ(test, c->hs.stats.expired, 1ULL);
}

static void test_report(struct kunit *test)
{
	struct ctx *c = test->priv;
	struct rsp_handle h;
	bool removed = false;
	u32 n = 0;
	int i;

	KUNIT_ASSERT_EQ(test, add(test, "u", 1, RSP_POLICY_RR, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, add(test, "u", 2, RSP_POLICY_RR, 0, 0), 0);
	set_handle(&h, "u");
	for (i = 1; i <= 3; i++) {
		struct rsp_pe_info *re = info_for(test, "u", 2, RSP_POLICY_RR,
						  AF_INET);

		/* A re-registration between reports keeps the count. */
		KUNIT_ASSERT_EQ(test, rsp_pe_register(&c->hs, re, 0, NULL,
						      NULL), 0);
		KUNIT_ASSERT_EQ(test, rsp_pe_report(&c->hs, &h, 2, NULL, 0, &n,
						    &removed, NULL), 0);
		KUNIT_EXPECT_EQ(test, n, (u32)i);
		KUNIT_EXPECT_EQ(test, removed, i == 3);
	}
	KUNIT_EXPECT_NULL(test, rsp_pe_find(pool_of(test, "u"), 2));
	KUNIT_EXPECT_EQ(test, rsp_pe_report(&c->hs, &h, 2, NULL, 0, &n, &removed,
					    NULL), -ENOENT);
}

/* The ASAP transport is kept after the user addresses, in no peer chain. */
static void test_asap_transport(struct kunit *test)
{
	struct ctx *c = test->priv;
	struct rsp_pe_info *i = info_for(test, "a", 1, RSP_POLICY_RR, AF_INET);
	const struct rsp_pe *pe;

	i->asap_port = 3863;
	i->nasap = 2;
	i->asap[0].family = AF_INET;
	i->asap[0].v4 = htonl(0x0a000009);
	i->asap[1].family = AF_INET;
	i->asap[1].v4 = htonl(0x0a00000a);
	KUNIT_ASSERT_EQ(test, enter(test, i), 0);
	pe = rsp_pe_find(pool_of(test, "a"), 1);
	KUNIT_ASSERT_NOT_NULL(test, pe);
	KUNIT_EXPECT_EQ(test, pe->naddrs, 1);
	KUNIT_EXPECT_EQ(test, pe->nasap, 2);
	KUNIT_EXPECT_EQ(test, pe->addrs[1].asap_port, 3863);
	KUNIT_EXPECT_EQ(test, pe->addrs[2].v4, htonl(0x0a00000a));
	/* Only the user address is a peer of sockets. */
	KUNIT_EXPECT_EQ(test, c->hs.npeers, 1U);
}

static void test_report_unprivileged(struct kunit *test)
{
	struct ctx *c = test->priv;
	kuid_t a = KUIDT_INIT(1000), b = KUIDT_INIT(1001);
	struct rsp_handle h;
	bool removed;
	u32 n;

	KUNIT_ASSERT_EQ(test, add(test, "u", 1, RSP_POLICY_RR, 0, 0), 0);
	set_handle(&h, "u");
	/* One user counts once in a row, and changes nothing the second time. */
	KUNIT_EXPECT_EQ(test, rsp_pe_report(&c->hs, &h, 1, &a, 0, &n, &removed,
					    NULL), 0);
	KUNIT_EXPECT_EQ(test, n, 1U);
	KUNIT_EXPECT_EQ(test, rsp_pe_report(&c->hs, &h, 1, &a, 0, &n, &removed,
					    NULL), -EALREADY);
	KUNIT_EXPECT_EQ(test, n, 1U);
	KUNIT_EXPECT_FALSE(test, removed);
	KUNIT_EXPECT_EQ(test, c->hs.stats.reports, 1ULL);
	/* Another user, then the first again: the threshold is reached. */
	KUNIT_EXPECT_EQ(test, rsp_pe_report(&c->hs, &h, 1, &b, 0, &n, &removed,
					    NULL), 0);
	KUNIT_EXPECT_EQ(test, rsp_pe_report(&c->hs, &h, 1, &a, 0, &n, &removed,
					    NULL), 0);
	KUNIT_EXPECT_EQ(test, n, 3U);
	KUNIT_EXPECT_TRUE(test, removed);
	KUNIT_EXPECT_NULL(test, pool_of(test, "u"));
}

/* Adds PE @id with one address of @family to @pool (policy @type). */
static int add_fam(struct kunit *test, const char *pool, u32 id, u32 type,
		   u8 family)
{
	struct rsp_pe_info *i = info_for(test, pool, id, type, family);

	i->pol.weight = 1;
	i->pol.priority = id;
	i->pol.load = id;
	return enter(test, i);
}

static void test_family_filter(struct kunit *test)
{
	static const struct rsp_filter v4 = { AF_INET, false };
	static const struct rsp_filter v6 = { AF_INET6, false };
	static const struct rsp_filter v6only = { AF_INET6, true };
	const struct rsp_policy_ops *ops;
	char name[8];
	u32 ids[8];
	int i, j, r;

	/* PEs 1-3 IPv4, 4-5 IPv6: every policy keeps to what a socket can use. */
	for (i = 0; (ops = rsp_policy_by_index(i)); i++) {
		snprintf(name, sizeof(name), "f%d", i);
		for (j = 1; j <= 5; j++)
			KUNIT_ASSERT_EQ(test, add_fam(test, name, j, ops->type,
						      j <= 3 ? AF_INET :
							       AF_INET6), 0);
		for (r = 0; r < 20; r++) {
			KUNIT_EXPECT_EQ_MSG(test, pick_f(test, name, ids, 1,
							 &v4), 1U, "%s",
					    ops->name);
			KUNIT_EXPECT_LE_MSG(test, ids[0], 3U, "%s", ops->name);
			KUNIT_EXPECT_EQ_MSG(test, pick_f(test, name, ids, 1,
							 &v6only), 1U, "%s",
					    ops->name);
			KUNIT_EXPECT_GE_MSG(test, ids[0], 4U, "%s", ops->name);
		}
		/* Asked for more than there are: just the usable ones. */
		KUNIT_EXPECT_EQ_MSG(test, pick_f(test, name, ids, 8, &v6only),
				    2U, "%s", ops->name);
		KUNIT_EXPECT_EQ_MSG(test, pick_f(test, name, ids, 8, &v4), 3U,
				    "%s", ops->name);
		KUNIT_EXPECT_EQ_MSG(test, pick_f(test, name, ids, 8, &v6), 5U,
				    "%s", ops->name);
	}
	/* A pool an IPv4 socket cannot use at all. */
	KUNIT_ASSERT_EQ(test, add_fam(test, "six", 1, RSP_POLICY_RR, AF_INET6),
			0);
	KUNIT_EXPECT_EQ(test, pick_f(test, "six", ids, 1, &v4), 0U);
	rcu_read_lock();
	KUNIT_EXPECT_FALSE(test, rsp_pool_any_usable(pool_of(test, "six"),
						     &v4));
	KUNIT_EXPECT_TRUE(test, rsp_pool_any_usable(pool_of(test, "six"),
						    &v6only));
	rcu_read_unlock();
}

static void test_round_robin_skips_unusable(struct kunit *test)
{
	static const struct rsp_filter v4 = { AF_INET, false };
	u32 ids[1], seen = 0;
	int i;

	/* 1, 3, 5 are IPv4: an IPv4 socket still sees each of them in turn. */
	for (i = 1; i <= 6; i++)
		KUNIT_ASSERT_EQ(test, add_fam(test, "rr", i, RSP_POLICY_RR,
					      i % 2 ? AF_INET : AF_INET6), 0);
	for (i = 0; i < 3; i++) {
		KUNIT_ASSERT_EQ(test, pick_f(test, "rr", ids, 1, &v4), 1U);
		KUNIT_EXPECT_TRUE(test, ids[0] % 2);
		seen |= BIT(ids[0]);
	}
	KUNIT_EXPECT_EQ(test, seen, BIT(1) | BIT(3) | BIT(5));
}

static void test_peers(struct kunit *test)
{
	struct ctx *c = test->priv;
	struct rsp_handle h, none = {};
	struct rsp_peer_key k;
	struct rsp_pe *pe;
	u32 matches;

	memset(&k, 0, sizeof(k));

	/* 10.0.0.1:7/tcp is PE 1 of "b" and PE 1 of "a"; 10.0.0.2 only "a". */
	KUNIT_ASSERT_EQ(test, add(test, "b", 1, RSP_POLICY_RR, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, add(test, "a", 1, RSP_POLICY_RR, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, add(test, "a", 2, RSP_POLICY_RR, 0, 0), 0);
	k.proto = IPPROTO_TCP;
	k.family = AF_INET;
	k.port = 7;
	k.v4 = htonl(0x0a000001);

	rcu_read_lock();
	pe = rsp_peers_lookup(&c->hs, &k, &none, &matches);
	KUNIT_EXPECT_EQ(test, matches, 2U);
	KUNIT_ASSERT_NOT_NULL(test, pe);
	KUNIT_EXPECT_EQ(test, pe->pool->handle.data[0], (u8)'a');
	set_handle(&h, "b");
	pe = rsp_peers_lookup(&c->hs, &k, &h, &matches);
	KUNIT_EXPECT_EQ(test, matches, 1U);
	KUNIT_ASSERT_NOT_NULL(test, pe);
	KUNIT_EXPECT_EQ(test, pe->pool->handle.data[0], (u8)'b');
	k.port = 8;
	KUNIT_EXPECT_NULL(test, rsp_peers_lookup(&c->hs, &k, &none, &matches));
	k.port = 7;
	k.proto = IPPROTO_UDP;
	KUNIT_EXPECT_NULL(test, rsp_peers_lookup(&c->hs, &k, &none, &matches));
	rcu_read_unlock();

	/* Deleted and re-registered PEs leave no stale entries behind. */
	set_handle(&h, "a");
	KUNIT_ASSERT_EQ(test, rsp_pe_delete(&c->hs, &h, 1, 0, NULL), 0);
	c->info.id = 2;
	c->info.addrs[0].v4 = htonl(0x0a000009);
	KUNIT_ASSERT_EQ(test, rsp_pe_register(&c->hs, &c->info, 0, NULL, NULL),
			0);
	k.proto = IPPROTO_TCP;
	rcu_read_lock();
	pe = rsp_peers_lookup(&c->hs, &k, &none, &matches);
	KUNIT_EXPECT_EQ(test, matches, 1U);
	KUNIT_EXPECT_EQ(test, pe ? pe->pool->handle.data[0] : 0, (u8)'b');
	k.v4 = htonl(0x0a000002);
	KUNIT_EXPECT_NULL(test, rsp_peers_lookup(&c->hs, &k, &none, &matches));
	k.v4 = htonl(0x0a000009);
	pe = rsp_peers_lookup(&c->hs, &k, &none, &matches);
	KUNIT_EXPECT_EQ(test, pe ? pe->id : 0, 2U);
	rcu_read_unlock();
}

struct peer_racer {
	struct rsp_hs *hs;
	unsigned long lookups;
	bool bad;
};

/* Looks up 10.0.0.1:7/tcp, PE 1 of "stay", which is always there. */
static int race_lookup(void *arg)
{
	struct peer_racer *r = arg;
	struct rsp_peer_key k = {
		.proto = IPPROTO_TCP, .family = AF_INET, .port = 7,
		.v4 = htonl(0x0a000001),
	};

	while (!kthread_should_stop()) {
		struct rsp_pe *pe;
		u32 matches;

		rcu_read_lock();
		pe = rsp_peers_lookup(r->hs, &k, NULL, &matches);
		if (!pe || pe->id != 1 || matches != 1)
			r->bad = true;
		rcu_read_unlock();
		r->lookups++;
		cond_resched();
	}
	return 0;
}

/* The index grows and shrinks under a reader that never misses. */
static void test_peers_resize(struct kunit *test)
{
	struct ctx *c = test->priv;
	struct peer_racer r = { &c->hs, 0, false };
	struct rsp_peer_key k = {
		.proto = IPPROTO_TCP, .family = AF_INET, .port = 7,
	};
	struct task_struct *t;
	struct rsp_handle h;
	u32 i, round, matches, grown = 0, shrunk;

	KUNIT_ASSERT_EQ(test, add(test, "stay", 1, RSP_POLICY_RR, 0, 0), 0);
	t = kthread_run(race_lookup, &r, "rsp-peers");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	set_handle(&h, "churn");
	for (round = 0; round < 3; round++) {
		for (i = 2; i <= 1500; i++) {
			KUNIT_ASSERT_EQ(test, add(test, "churn", i,
						  RSP_POLICY_RR, 0, 0), 0);
			if (!(i % 64))
				cond_resched();
		}
		mutex_lock(&c->hs.lock);
		grown = rsp_peers_buckets(&c->hs);
		KUNIT_EXPECT_EQ(test, c->hs.npeers, 1500U);
		mutex_unlock(&c->hs.lock);
		/* Between 0.25 and 2 entries per bucket. */
		KUNIT_EXPECT_GE(test, grown, 1500U / 2);
		KUNIT_EXPECT_LE(test, grown, 1500U * 4);
		rcu_read_lock();
		for (i = 1; i <= 1500; i++) {
			k.v4 = htonl(0x0a000000 | i);
			KUNIT_EXPECT_EQ(test, rsp_peers_lookup(&c->hs, &k, NULL,
							       &matches)->id,
					i);
			KUNIT_EXPECT_EQ(test, matches, 1U);
		}
		rcu_read_unlock();
		for (i = 2; i <= 1500; i++)
			KUNIT_ASSERT_EQ(test, rsp_pe_delete(&c->hs, &h, i, 0, NULL),
					0);
	}
	kthread_stop(t);
	mutex_lock(&c->hs.lock);
	shrunk = rsp_peers_buckets(&c->hs);
	KUNIT_EXPECT_EQ(test, c->hs.npeers, 1U);
	mutex_unlock(&c->hs.lock);
	KUNIT_EXPECT_LT(test, shrunk, grown);
	KUNIT_EXPECT_LE(test, shrunk, 32U);
	KUNIT_EXPECT_FALSE(test, r.bad);
	KUNIT_EXPECT_GT(test, r.lookups, 0UL);
	k.v4 = htonl(0x0a000002);
	rcu_read_lock();
	KUNIT_EXPECT_NULL(test, rsp_peers_lookup(&c->hs, &k, NULL, &matches));
	rcu_read_unlock();
}

/* The PE the index gives for @k, and how many share the address. */
static void expect_peer(struct kunit *test, const struct rsp_peer_key *k,
			u32 want_matches, u32 want_id)
{
	struct ctx *c = test->priv;
	struct rsp_pe *pe;
	u32 matches;

	rcu_read_lock();
	pe = rsp_peers_lookup(&c->hs, k, NULL, &matches);
	KUNIT_EXPECT_EQ(test, matches, want_matches);
	KUNIT_EXPECT_EQ(test, pe ? pe->id : 0, want_id);
	rcu_read_unlock();
}

/* Shared: one chain for 2000 PEs, removed from anywhere in it. */
static void test_peers_shared_address(struct kunit *test)
{
	struct ctx *c = test->priv;
	struct rsp_peer_key k = {
		.proto = IPPROTO_TCP, .family = AF_INET, .port = 7,
		.v4 = htonl(0x0a000001),
	};
	struct rsp_handle h;
	u32 i;

	for (i = 1; i <= 2000; i++) {
		struct rsp_pe_info *info = info_for(test, "one", i,
						    RSP_POLICY_RR, AF_INET);

		info->addrs[0].v4 = k.v4;
		KUNIT_ASSERT_EQ(test, enter(test, info), 0);
	}
	set_handle(&h, "one");
	expect_peer(test, &k, 2000, 1);
	/* The odd ones, then the even ones but the last, then the last. */
	for (i = 1; i <= 2000; i += 2)
		KUNIT_ASSERT_EQ(test, rsp_pe_delete(&c->hs, &h, i, 0, NULL), 0);
	expect_peer(test, &k, 1000, 2);
	for (i = 2; i < 2000; i += 2)
		KUNIT_ASSERT_EQ(test, rsp_pe_delete(&c->hs, &h, i, 0, NULL), 0);
	expect_peer(test, &k, 1, 2000);
	KUNIT_ASSERT_EQ(test, rsp_pe_delete(&c->hs, &h, 2000, 0, NULL), 0);
	expect_peer(test, &k, 0, 0);
	mutex_lock(&c->hs.lock);
	KUNIT_EXPECT_EQ(test, c->hs.npeers, 0U);
	mutex_unlock(&c->hs.lock);
}

static void test_delete_home_and_flush(struct kunit *test)
{
	struct ctx *c = test->priv;
	int i;

	for (i = 1; i <= 6; i++) {
		add(test, i % 2 ? "x" : "y", i, RSP_POLICY_RR, 0, 0);
		c->info.home = i % 3;
		c->info.id = i + 100;
		KUNIT_ASSERT_EQ(test, rsp_pe_register(&c->hs, &c->info,
						      RSP_F_CREATE, NULL, NULL),
				0);
	}
	/* Homes of 101..106 are 1,2,0,1,2,0. */
	KUNIT_EXPECT_EQ(test, rsp_delete_home(&c->hs, 1, 0), 2U);
	KUNIT_EXPECT_EQ(test, c->hs.npes, 10U);
	KUNIT_EXPECT_EQ(test, rsp_flush(&c->hs, 0), 10U);
	KUNIT_EXPECT_EQ(test, c->hs.npools, 0U);
}

/* Worked by hand from RFC 5353's sum: handle words, then the ID's. */
static void test_home_checksum(struct kunit *test)
{
	static const struct { const char *pool; u32 id, home; } pes[] = {
		{ "ab", 1, 7 },		/* 0x6162 + 0x0001 */
		{ "ab", 0x10002, 7 },	/* 0x6162 + 0x0001 + 0x0002 */
		{ "c", 5, 7 },		/* 0x6300 (odd: padded) + 0x0005 */
		{ "ab", 9, 8 },		/* 0x6162 + 0x0009 */
	};
	struct ctx *c = test->priv;
	u32 n = 99;
	int i;

	for (i = 0; i < ARRAY_SIZE(pes); i++) {
		info_for(test, pes[i].pool, pes[i].id, RSP_POLICY_RR, AF_INET);
		c->info.home = pes[i].home;
		KUNIT_ASSERT_EQ(test, enter(test, &c->info), 0);
	}
	/* 0x6163 + 0x6165 + 0x6305 = 0x125cd, folded 0x25ce, inverted. */
	KUNIT_EXPECT_EQ(test, rsp_home_checksum(&c->hs, 7, &n), 0xda31);
	KUNIT_EXPECT_EQ(test, n, 3U);
	KUNIT_EXPECT_EQ(test, rsp_home_checksum(&c->hs, 8, &n), 0x9e94);
	KUNIT_EXPECT_EQ(test, n, 1U);
	/* None: the empty sum, inverted. */
	KUNIT_EXPECT_EQ(test, rsp_home_checksum(&c->hs, 6, &n), 0xffff);
	KUNIT_EXPECT_EQ(test, n, 0U);
	/* A PE that goes leaves the sum. */
	KUNIT_EXPECT_EQ(test, rsp_delete_home(&c->hs, 8, 0), 1U);
	KUNIT_EXPECT_EQ(test, rsp_home_checksum(&c->hs, 8, &n), 0xffff);
	KUNIT_EXPECT_EQ(test, rsp_home_checksum(&c->hs, 7, &n), 0xda31);
}

static void test_ordered_walk(struct kunit *test)
{
	struct ctx *c = test->priv;
	struct rsp_handle h;
	struct rsp_pool *pool;

	add(test, "b", 5, RSP_POLICY_RR, 0, 0);
	add(test, "b", 2, RSP_POLICY_RR, 0, 0);
	add(test, "a", 1, RSP_POLICY_RR, 0, 0);
	add(test, "ab", 1, RSP_POLICY_RR, 0, 0);
	set_handle(&h, "a");
	mutex_lock(&c->hs.lock);
	pool = rsp_pool_next(&c->hs, &h, false);
	KUNIT_EXPECT_EQ(test, pool->handle.len, 2);	/* "ab" */
	pool = rsp_pool_next(&c->hs, &pool->handle, false);
	KUNIT_EXPECT_EQ(test, pool->handle.data[0], 'b');
	KUNIT_EXPECT_EQ(test, rsp_pe_next(pool, 3, true)->id, 5U);
	KUNIT_EXPECT_EQ(test, rsp_pe_next(pool, 0, true)->id, 2U);
	KUNIT_EXPECT_NULL(test, rsp_pe_next(pool, 5, false));
	KUNIT_EXPECT_NULL(test, rsp_pool_next(&c->hs, &pool->handle, false));
	mutex_unlock(&c->hs.lock);
}

struct racer {
	struct kunit *test;
	const char *pool;
	u32 max;			/* the highest PE ID it holds */
	unsigned long picks;
	bool bad;
};

static int race_select(void *arg)
{
	struct racer *r = arg;

	while (!kthread_should_stop()) {
		u32 ids[4];
		unsigned int k = pick(r->test, r->pool, ids, 4), i;

		for (i = 0; i < k; i++)
			if (ids[i] < 1 || ids[i] > r->max)
				r->bad = true;
		r->picks++;
		cond_resched();
	}
	return 0;
}

static void test_concurrency(struct kunit *test)
{
	static const u32 types[] = { RSP_POLICY_RR, RSP_POLICY_WRAND,
				     RSP_POLICY_LU, RSP_POLICY_RLUD,
				     RSP_POLICY_WRAND };
	static const char *const names[] = { "c-rr", "c-w", "c-lu", "c-rlud",
					     "c-alias" };
	struct task_struct *t[ARRAY_SIZE(types)];
	struct racer r[ARRAY_SIZE(types)];
	struct ctx *c = test->priv;
	struct rsp_handle h;
	unsigned long end;
	unsigned int i, round = 0;
	u32 id;

	/* The last is large enough for alias tables, rebuilt as it churns. */
	for (id = 65; id <= 364; id++)
		KUNIT_ASSERT_EQ(test, add(test, "c-alias", id, RSP_POLICY_WRAND,
					  id % 3, 1), 0);
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		KUNIT_ASSERT_EQ(test, add(test, names[i], 1, types[i], 5, 1), 0);
		r[i] = (struct racer){ test, names[i], i == 4 ? 364 : 64, 0,
				       false };
		t[i] = kthread_run(race_select, &r[i], "rsp-race%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t[i]));
	}
	/* Add, re-register and remove under the selectors' feet. */
	end = jiffies + msecs_to_jiffies(500);
	while (time_before(jiffies, end)) {
		for (i = 0; i < ARRAY_SIZE(types); i++) {
			id = 2 + (round * 7 + i) % 63;
			set_handle(&h, names[i]);
			if (rsp_pe_delete(&c->hs, &h, id, 0, NULL) == -ENOENT)
				add(test, names[i], id, types[i], id, 1);
			add(test, names[i], 1 + round % 64, types[i], 3, 1);
			c->info.pol.weight = round;
			c->info.pol.load = round;
			rsp_pe_register(&c->hs, &c->info, 0, NULL, NULL);
		}
		round++;
		cond_resched();
	}
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		kthread_stop(t[i]);
		KUNIT_EXPECT_FALSE_MSG(test, r[i].bad, "%s", names[i]);
		KUNIT_EXPECT_GT_MSG(test, r[i].picks, 0UL, "%s", names[i]);
	}
	KUNIT_EXPECT_GT(test, round, 10U);
}

static struct kunit_case rsp_cases[] = {
	KUNIT_CASE(test_rr_order),
	KUNIT_CASE(test_rr_after_churn),
	KUNIT_CASE(test_random),
	KUNIT_CASE(test_weighted_random),
	KUNIT_CASE(test_weighted_large),
	KUNIT_CASE(test_weighted_alias),
	KUNIT_CASE(test_weighted_skewed),
	KUNIT_CASE(test_wrr),
	KUNIT_CASE(test_priority),
	KUNIT_CASE(test_ranked_ties),
	KUNIT_CASE(test_least_used),
	KUNIT_CASE(test_lud),
	KUNIT_CASE(test_plu),
	KUNIT_CASE(test_rlu),
	KUNIT_CASE(test_every_policy),
	KUNIT_CASE(test_consistency),
	KUNIT_CASE(test_limits),
	KUNIT_CASE(test_expiry),
	KUNIT_CASE(test_report),
	KUNIT_CASE(test_report_unprivileged),
	KUNIT_CASE(test_asap_transport),
	KUNIT_CASE(test_family_filter),
	KUNIT_CASE(test_round_robin_skips_unusable),
	KUNIT_CASE(test_peers),
	KUNIT_CASE(test_peers_shared_address),
	KUNIT_CASE(test_peers_resize),
	KUNIT_CASE(test_delete_home_and_flush),
	KUNIT_CASE(test_home_checksum),
	KUNIT_CASE(test_ordered_walk),
	KUNIT_CASE(test_concurrency),
	{}
};

static struct kunit_suite rsp_suite = {
	.name = "rserpool",
	.init = hs_init,
	.exit = hs_exit,
	.test_cases = rsp_cases,
};

kunit_test_suite(rsp_suite);
