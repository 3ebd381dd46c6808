/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A PE as the registrar keeps it and the kernel handlespace stores it, and
 * the conversions to and from the Pool Element parameter on the wire.
 */
#ifndef RSP_PE_H
#define RSP_PE_H

#include <stdint.h>
#include <linux/rserpool.h>
#include "msg.h"

/* ASAP/ENRP operation error causes (RFC 5354 section 3.10). */
enum {
	RSP_CAUSE_UNSPECIFIED		= 0x0,
	RSP_CAUSE_UNRECOGNIZED_PARAM	= 0x1,
	RSP_CAUSE_UNRECOGNIZED_MSG	= 0x2,
	RSP_CAUSE_INVALID_VALUES	= 0x3,
	RSP_CAUSE_NON_UNIQUE_PE_ID	= 0x4,
	RSP_CAUSE_INCONSISTENT_POLICY	= 0x5,
	RSP_CAUSE_LACK_OF_RESOURCES	= 0x6,
	RSP_CAUSE_INCONSISTENT_TRANSPORT = 0x7,
	RSP_CAUSE_INCONSISTENT_USE	= 0x8,
	RSP_CAUSE_UNKNOWN_HANDLE	= 0x9,
	RSP_CAUSE_REJECTED_SECURITY	= 0xa,
};

/*
 * A record's ASAP transport: struct rsp_p_transport's fields with room
 * for its first RSP_ADDRS_MAX addresses, not the codec's RSP_MAX_ADDRS.
 * Keep-alives go to the first, the kernel keeps RSP_ASAP_ADDRS_MAX; a
 * home PE's record is less than half the size.
 */
struct rsp_pe_asap {
	uint16_t type;			/* RSP_P_SCTP or RSP_P_TCP */
	uint16_t port;
	uint16_t use;
	uint32_t service;
	unsigned int naddrs;
	struct rsp_p_addr addrs[RSP_ADDRS_MAX];
};

struct rsp_pe_rec {
	uint16_t handle_len;
	uint8_t handle[RSP_HANDLE_MAX];
	uint32_t id;
	uint32_t home;
	uint32_t lifetime_ms;		/* 0: forever */
	uint8_t proto;			/* IPPROTO_* */
	uint8_t use;			/* enum rsp_transport_use */
	uint16_t port;
	uint32_t service;		/* DCCP */
	unsigned int naddrs;
	struct rsp_p_addr addrs[RSP_ADDRS_MAX];
	uint32_t policy;		/* enum rsp_policy_type */
	/* Indexed by RSP_POLICY_A_*: the parameters the policy has. */
	uint32_t param[RSP_POLICY_A_MAX + 1];
	int has_asap;
	struct rsp_pe_asap asap;	/* where the PE takes ASAP */
};

/*
 * Fills @r from the Pool Element @pe of pool @handle.  Returns 0, or the
 * operation error cause to answer with.  Registration Life is taken in
 * milliseconds, as rsplib writes it (RFC 5354 says seconds); a negative
 * life is "forever".
 */
/* Clears @r but for the ASAP transport's unused addresses. */
static inline void rsp_pe_rec_clear(struct rsp_pe_rec *r)
{
	memset(r, 0, offsetof(struct rsp_pe_rec, asap) +
	       offsetof(struct rsp_pe_asap, addrs));
}

int rsp_pe_from_wire(struct rsp_pe_rec *r, const uint8_t *handle,
		     size_t handle_len, const struct rsp_p_pe *pe);
/*
 * The parameters of policy @type in wire order (RSP_POLICY_A_* each), and
 * their number; NULL for a type we do not know.
 */
const uint8_t *rsp_pe_policy_words(uint32_t type, unsigned int *nwords);
/* The Pool Element parameter for @r. */
void rsp_pe_to_wire(struct rsp_p_pe *pe, const struct rsp_pe_rec *r);

#endif /* RSP_PE_H */
