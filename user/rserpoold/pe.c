// SPDX-License-Identifier: GPL-2.0
/* PEs between the wire and the kernel: see pe.h. */
#include <netinet/in.h>
#include <string.h>
#include "pe.h"

/*
 * An ASAP transport between the wire's struct rsp_p_transport and a
 * record's struct rsp_pe_asap: the same fields, and as many addresses
 * as @dst has room for.
 */
#define COPY_TRANSPORT(dst, src) do {					\
	__typeof__(dst) to = (dst);					\
	__typeof__(src) from = (src);					\
	unsigned int room = sizeof(to->addrs) / sizeof(to->addrs[0]);	\
									\
	to->type = from->type;						\
	to->port = from->port;						\
	to->use = from->use;						\
	to->service = from->service;					\
	to->naddrs = from->naddrs < room ? from->naddrs : room;		\
	memcpy(to->addrs, from->addrs, to->naddrs * sizeof(to->addrs[0])); \
} while (0)

/* The words after a policy's type, in wire order, by what they mean. */
static const struct {
	uint32_t type;
	uint8_t words[4];		/* RSP_POLICY_A_* each, 0 = none */
} layouts[] = {
	{ RSP_POLICY_RR, { 0 } },
	{ RSP_POLICY_WRR, { RSP_POLICY_A_WEIGHT } },
	{ RSP_POLICY_RANDOM, { 0 } },
	{ RSP_POLICY_WRAND, { RSP_POLICY_A_WEIGHT } },
	{ RSP_POLICY_PRIORITY, { RSP_POLICY_A_PRIORITY } },
	{ RSP_POLICY_LU, { RSP_POLICY_A_LOAD } },
	{ RSP_POLICY_LUD, { RSP_POLICY_A_LOAD, RSP_POLICY_A_LOAD_DEG } },
	{ RSP_POLICY_PLU, { RSP_POLICY_A_LOAD, RSP_POLICY_A_LOAD_DEG } },
	{ RSP_POLICY_RLU, { RSP_POLICY_A_LOAD } },
	{ RSP_POLICY_RPLU, { RSP_POLICY_A_LOAD, RSP_POLICY_A_LOAD_DEG } },
	{ RSP_POLICY_RLUD, { RSP_POLICY_A_LOAD, RSP_POLICY_A_LOAD_DEG } },
	{ RSP_POLICY_PLUD, { RSP_POLICY_A_LOAD, RSP_POLICY_A_LOAD_DEG } },
	{ RSP_POLICY_RPLUD, { RSP_POLICY_A_LOAD, RSP_POLICY_A_LOAD_DEG } },
	{ RSP_POLICY_WRAND_DPF, { RSP_POLICY_A_WEIGHT,
				  RSP_POLICY_A_WEIGHT_DPF,
				  RSP_POLICY_A_DISTANCE } },
	{ RSP_POLICY_LU_DPF, { RSP_POLICY_A_LOAD, RSP_POLICY_A_LOAD_DPF,
			       RSP_POLICY_A_DISTANCE } },
	{ RSP_POLICY_LUD_DPF, { RSP_POLICY_A_LOAD, RSP_POLICY_A_LOAD_DEG,
				RSP_POLICY_A_LOAD_DPF,
				RSP_POLICY_A_DISTANCE } },
};

const uint8_t *rsp_pe_policy_words(uint32_t type, unsigned int *nwords)
{
	unsigned int i, n;

	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		if (layouts[i].type != type)
			continue;
		for (n = 0; n < 4 && layouts[i].words[n]; n++)
			;
		*nwords = n;
		return layouts[i].words;
	}
	return NULL;
}

static const struct {
	uint16_t param;
	uint8_t proto;
} transports[] = {
	{ RSP_P_SCTP, IPPROTO_SCTP }, { RSP_P_TCP, IPPROTO_TCP },
	{ RSP_P_UDP, IPPROTO_UDP }, { RSP_P_UDPLITE, IPPROTO_UDPLITE },
	{ RSP_P_DCCP, IPPROTO_DCCP },
};

int rsp_pe_from_wire(struct rsp_pe_rec *r, const uint8_t *handle,
		     size_t handle_len, const struct rsp_p_pe *pe)
{
	const uint8_t *words;
	unsigned int i, nwords;

	rsp_pe_rec_clear(r);
	if (!handle_len || handle_len > RSP_HANDLE_MAX)
		return RSP_CAUSE_INVALID_VALUES;
	r->handle_len = handle_len;
	memcpy(r->handle, handle, handle_len);
	r->id = pe->id;
	r->home = pe->home;
	r->lifetime_ms = pe->life < 0 ? 0 : (uint32_t)pe->life;
	for (i = 0; i < sizeof(transports) / sizeof(transports[0]); i++)
		if (transports[i].param == pe->user.type)
			r->proto = transports[i].proto;
	if (!r->proto || !pe->user.port)
		return RSP_CAUSE_INVALID_VALUES;
	r->port = pe->user.port;
	if (pe->user.type == RSP_P_SCTP) {
		if (pe->user.use > RSP_USE_DATA_CONTROL)
			return RSP_CAUSE_INCONSISTENT_USE;
		r->use = pe->user.use;
	}
	r->service = pe->user.service;
	if (pe->user.naddrs > RSP_ADDRS_MAX)
		return RSP_CAUSE_LACK_OF_RESOURCES;
	r->naddrs = pe->user.naddrs;
	memcpy(r->addrs, pe->user.addrs, r->naddrs * sizeof(r->addrs[0]));

	words = rsp_pe_policy_words(pe->policy.type, &nwords);
	if (!words || pe->policy.nwords != nwords)
		return RSP_CAUSE_INVALID_VALUES;
	r->policy = pe->policy.type;
	for (i = 0; i < nwords; i++)
		r->param[words[i]] = pe->policy.w[i];
	r->has_asap = pe->has_asap;
	if (pe->has_asap)
		COPY_TRANSPORT(&r->asap, &pe->asap);
	return 0;
}

void rsp_pe_to_wire(struct rsp_p_pe *pe, const struct rsp_pe_rec *r)
{
	const uint8_t *words;
	unsigned int i, nwords = 0;

	rsp_p_pe_clear(pe);
	pe->id = r->id;
	pe->home = r->home;
	pe->life = r->lifetime_ms ? (int32_t)r->lifetime_ms : -1;
	for (i = 0; i < sizeof(transports) / sizeof(transports[0]); i++)
		if (transports[i].proto == r->proto)
			pe->user.type = transports[i].param;
	pe->user.port = r->port;
	pe->user.use = r->proto == IPPROTO_SCTP ? r->use : 0;
	pe->user.service = r->service;
	pe->user.naddrs = r->naddrs;
	memcpy(pe->user.addrs, r->addrs, r->naddrs * sizeof(r->addrs[0]));
	pe->policy.type = r->policy;
	words = rsp_pe_policy_words(r->policy, &nwords);
	pe->policy.nwords = words ? nwords : 0;
	for (i = 0; words && i < nwords; i++)
		pe->policy.w[i] = r->param[words[i]];
	pe->has_asap = r->has_asap;
	if (r->has_asap)
		COPY_TRANSPORT(&pe->asap, &r->asap);
}
