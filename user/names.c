// SPDX-License-Identifier: GPL-2.0
/* Names of policies, parameters, transports and reasons, both ways. */
#include <netinet/in.h>
#include <string.h>
#include "names.h"

#define P(a)	(1u << RSP_POLICY_A_##a)

static const struct rsp_policy_name policies[] = {
	{ RSP_POLICY_RR, "rr", "RoundRobin", 0 },
	{ RSP_POLICY_WRR, "wrr", "WeightedRoundRobin", P(WEIGHT) },
	{ RSP_POLICY_RANDOM, "random", "Random", 0 },
	{ RSP_POLICY_WRAND, "wrand", "WeightedRandom", P(WEIGHT) },
	{ RSP_POLICY_PRIORITY, "priority", "Priority", P(PRIORITY) },
	{ RSP_POLICY_LU, "lu", "LeastUsed", P(LOAD) },
	{ RSP_POLICY_LUD, "lud", "LeastUsedDegradation", P(LOAD) | P(LOAD_DEG) },
	{ RSP_POLICY_PLU, "plu", "PriorityLeastUsed", P(LOAD) | P(LOAD_DEG) },
	{ RSP_POLICY_RLU, "rlu", "RandomizedLeastUsed", P(LOAD) },
	{ RSP_POLICY_RPLU, "rplu", "RandomizedPriorityLeastUsed",
	  P(LOAD) | P(LOAD_DEG) },
	{ RSP_POLICY_RLUD, "rlud", "RandomizedLeastUsedDegradation",
	  P(LOAD) | P(LOAD_DEG) },
	{ RSP_POLICY_PLUD, "plud", "PriorityLeastUsedDegradation",
	  P(LOAD) | P(LOAD_DEG) },
	{ RSP_POLICY_RPLUD, "rplud", "RandomizedPriorityLeastUsedDegradation",
	  P(LOAD) | P(LOAD_DEG) },
	{ RSP_POLICY_WRAND_DPF, "wrand-dpf", "WeightedRandomDPF",
	  P(WEIGHT) | P(WEIGHT_DPF) | P(DISTANCE) },
	{ RSP_POLICY_LU_DPF, "lu-dpf", "LeastUsedDPF",
	  P(LOAD) | P(LOAD_DPF) | P(DISTANCE) },
	{ RSP_POLICY_LUD_DPF, "lud-dpf", "LeastUsedDegradationDPF",
	  P(LOAD) | P(LOAD_DEG) | P(LOAD_DPF) | P(DISTANCE) },
};

static const char *const params[RSP_POLICY_A_MAX + 1] = {
	[RSP_POLICY_A_WEIGHT]		= "weight",
	[RSP_POLICY_A_PRIORITY]		= "priority",
	[RSP_POLICY_A_LOAD]		= "load",
	[RSP_POLICY_A_LOAD_DEG]		= "loaddeg",
	[RSP_POLICY_A_WEIGHT_DPF]	= "weightdpf",
	[RSP_POLICY_A_LOAD_DPF]		= "loaddpf",
	[RSP_POLICY_A_DISTANCE]		= "distance",
};

static const struct {
	int proto;
	const char *name;
} protos[] = {
	{ IPPROTO_SCTP, "sctp" }, { IPPROTO_TCP, "tcp" },
	{ IPPROTO_UDP, "udp" }, { IPPROTO_UDPLITE, "udplite" },
	{ IPPROTO_DCCP, "dccp" },
};

static const char *const reasons[] = {
	[RSP_REASON_DELETED]		= "deleted",
	[RSP_REASON_EXPIRED]		= "expired",
	[RSP_REASON_UNREACHABLE]	= "unreachable",
	[RSP_REASON_HOME_DELETED]	= "home-deleted",
	[RSP_REASON_FLUSHED]		= "flushed",
};

#define N(a)	(sizeof(a) / sizeof((a)[0]))

const struct rsp_policy_name *rsp_policy_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < N(policies); i++)
		if (!strcasecmp(name, policies[i].name) ||
		    !strcasecmp(name, policies[i].full))
			return &policies[i];
	return NULL;
}

const struct rsp_policy_name *rsp_policy_by_type(uint32_t type)
{
	unsigned int i;

	for (i = 0; i < N(policies); i++)
		if (policies[i].type == type)
			return &policies[i];
	return NULL;
}

const struct rsp_policy_name *rsp_policy_at(unsigned int i)
{
	return i < N(policies) ? &policies[i] : NULL;
}

const char *rsp_param_name(int attr)
{
	return attr > 0 && attr <= RSP_POLICY_A_MAX ? params[attr] : NULL;
}

int rsp_param_by_name(const char *name)
{
	int i;

	for (i = 1; i <= RSP_POLICY_A_MAX; i++)
		if (params[i] && !strcmp(params[i], name))
			return i;
	return -1;
}

const char *rsp_proto_name(int proto)
{
	unsigned int i;

	for (i = 0; i < N(protos); i++)
		if (protos[i].proto == proto)
			return protos[i].name;
	return "?";
}

int rsp_proto_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < N(protos); i++)
		if (!strcmp(protos[i].name, name))
			return protos[i].proto;
	return -1;
}

const char *rsp_reason_name(int reason)
{
	return reason > 0 && reason < (int)N(reasons) && reasons[reason] ?
	       reasons[reason] : "unknown";
}
