/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RSP_NAMES_H
#define RSP_NAMES_H

#include <stdint.h>
#include <linux/rserpool.h>

/* A member selection policy as operators name it, and what it takes. */
struct rsp_policy_name {
	uint32_t type;
	const char *name;	/* short, as rspctl takes it */
	const char *full;	/* RFC 5356 / rsplib name */
	uint32_t params;	/* bits: 1 << RSP_POLICY_A_* */
};

const struct rsp_policy_name *rsp_policy_by_name(const char *name);
const struct rsp_policy_name *rsp_policy_by_type(uint32_t type);
const struct rsp_policy_name *rsp_policy_at(unsigned int i);
const char *rsp_param_name(int attr);	/* "weight", "load", ... */
int rsp_param_by_name(const char *name);
const char *rsp_proto_name(int proto);
int rsp_proto_by_name(const char *name);
const char *rsp_reason_name(int reason);

#endif
