// SPDX-License-Identifier: GPL-2.0
/*
 * The member selection policies of RFC 5356 and the private ones rsplib
 * puts on the wire.  Each is a kind of selection (select.c) plus a key:
 * the rank that orders a ranked pool or the weight of a weighted one.
 * Loads, degradations and DPFs are fractions of 0xffffffff.
 */
#include <linux/kernel.h>
#include "policy.h"

#define DYN_MAX		(U64_MAX >> 2)	/* keeps rank sums from wrapping */

static u64 dyn_add(u64 dyn, u64 inc)
{
	return min(dyn + inc, DYN_MAX);
}

/* A weight from a load-like rank: the lower the load, the heavier. */
static u64 inverse(u64 load)
{
	return load >= U32_MAX ? 1 : (u64)U32_MAX - load + 1;
}

static u64 dpf_penalty(const struct rsp_pe *pe)
{
	return (u64)pe->pol.dpf * pe->pol.distance;
}

static u64 key_weight(const struct rsp_pe *pe)
{
	return pe->pol.weight;
}

/* Stride scheduling: a PE's pass advances by 2^32 / weight per pick. */
static u64 key_wrr(const struct rsp_pe *pe)
{
	return pe->pol.weight ? pe->dyn : U64_MAX;
}

static void sel_wrr(struct rsp_pe *pe)
{
	pe->dyn = dyn_add(pe->dyn, div_u64(1ULL << 32, pe->pol.weight));
}

static u64 key_priority(const struct rsp_pe *pe)
{
	return U32_MAX - pe->pol.priority;
}

static u64 key_load(const struct rsp_pe *pe)
{
	return pe->pol.load;
}

static u64 key_load_dyn(const struct rsp_pe *pe)
{
	return pe->pol.load + pe->dyn;
}

static u64 key_load_deg(const struct rsp_pe *pe)
{
	return (u64)pe->pol.load + pe->pol.load_deg;
}

static u64 key_load_deg_dyn(const struct rsp_pe *pe)
{
	return key_load_deg(pe) + pe->dyn;
}

static u64 key_load_dpf(const struct rsp_pe *pe)
{
	return pe->pol.load + dpf_penalty(pe);
}

static u64 key_load_dpf_dyn(const struct rsp_pe *pe)
{
	return key_load_dpf(pe) + pe->dyn;
}

static void sel_degrade(struct rsp_pe *pe)
{
	pe->dyn = dyn_add(pe->dyn, pe->pol.load_deg);
}

static u64 key_rlu(const struct rsp_pe *pe)
{
	return inverse(pe->pol.load);
}

static u64 key_rplu(const struct rsp_pe *pe)
{
	return inverse(key_load_deg(pe));
}

static u64 key_rlud(const struct rsp_pe *pe)
{
	return inverse(key_load_dyn(pe));
}

static u64 key_rplud(const struct rsp_pe *pe)
{
	return inverse(key_load_deg_dyn(pe));
}

/* weight * (1 - dpf * distance), the factor clamped at 0. */
static u64 key_wrand_dpf(const struct rsp_pe *pe)
{
	u64 pen = min_t(u64, dpf_penalty(pe), 1ULL << 32);

	return ((u64)pe->pol.weight * ((1ULL << 32) - pen)) >> 32;
}

static const struct rsp_policy_ops rsp_policies[] = {
	{ RSP_POLICY_RR, "rr", RSP_KIND_RR, 0 },
	{ RSP_POLICY_WRR, "wrr", RSP_KIND_RANKED, RSP_PARAM(WEIGHT),
	  key_wrr, sel_wrr, true },
	{ RSP_POLICY_RANDOM, "random", RSP_KIND_RANDOM, 0 },
	{ RSP_POLICY_WRAND, "wrand", RSP_KIND_WEIGHTED, RSP_PARAM(WEIGHT),
	  key_weight },
	{ RSP_POLICY_PRIORITY, "priority", RSP_KIND_RANKED,
	  RSP_PARAM(PRIORITY), key_priority },
	{ RSP_POLICY_LU, "lu", RSP_KIND_RANKED, RSP_PARAM(LOAD), key_load },
	{ RSP_POLICY_LUD, "lud", RSP_KIND_RANKED,
	  RSP_PARAM(LOAD) | RSP_PARAM(LOAD_DEG), key_load_dyn, sel_degrade },
	{ RSP_POLICY_PLU, "plu", RSP_KIND_RANKED,
	  RSP_PARAM(LOAD) | RSP_PARAM(LOAD_DEG), key_load_deg },
	{ RSP_POLICY_RLU, "rlu", RSP_KIND_WEIGHTED, RSP_PARAM(LOAD), key_rlu },
	{ RSP_POLICY_RPLU, "rplu", RSP_KIND_WEIGHTED,
	  RSP_PARAM(LOAD) | RSP_PARAM(LOAD_DEG), key_rplu },
	{ RSP_POLICY_RLUD, "rlud", RSP_KIND_WEIGHTED,
	  RSP_PARAM(LOAD) | RSP_PARAM(LOAD_DEG), key_rlud, sel_degrade },
	{ RSP_POLICY_PLUD, "plud", RSP_KIND_RANKED,
	  RSP_PARAM(LOAD) | RSP_PARAM(LOAD_DEG), key_load_deg_dyn,
	  sel_degrade },
	{ RSP_POLICY_RPLUD, "rplud", RSP_KIND_WEIGHTED,
	  RSP_PARAM(LOAD) | RSP_PARAM(LOAD_DEG), key_rplud, sel_degrade },
	{ RSP_POLICY_WRAND_DPF, "wrand-dpf", RSP_KIND_WEIGHTED,
	  RSP_PARAM(WEIGHT) | RSP_PARAM(WEIGHT_DPF) | RSP_PARAM(DISTANCE),
	  key_wrand_dpf },
	{ RSP_POLICY_LU_DPF, "lu-dpf", RSP_KIND_RANKED,
	  RSP_PARAM(LOAD) | RSP_PARAM(LOAD_DPF) | RSP_PARAM(DISTANCE),
	  key_load_dpf },
	{ RSP_POLICY_LUD_DPF, "lud-dpf", RSP_KIND_RANKED,
	  RSP_PARAM(LOAD) | RSP_PARAM(LOAD_DEG) | RSP_PARAM(LOAD_DPF) |
	  RSP_PARAM(DISTANCE), key_load_dpf_dyn, sel_degrade },
};

const struct rsp_policy_ops *rsp_policy_find(u32 type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rsp_policies); i++)
		if (rsp_policies[i].type == type)
			return &rsp_policies[i];
	return NULL;
}

const struct rsp_policy_ops *rsp_policy_by_index(unsigned int i)
{
	return i < ARRAY_SIZE(rsp_policies) ? &rsp_policies[i] : NULL;
}
