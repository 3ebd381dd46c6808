// SPDX-License-Identifier: GPL-2.0
/*
 * The "rserpool" generic netlink family: configuration, dumps, resolve,
 * and the "events" multicast group.  include/uapi/linux/rserpool.h is the
 * contract.
 */
#include <linux/in.h>
#include <linux/ipv6.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/netns/generic.h>
#include "handlespace.h"
#include "netlink.h"
#include "policy.h"

static const struct nla_policy rsp_addr_policy[RSP_ADDR_A_MAX + 1] = {
	[RSP_ADDR_A_IPV4]	= NLA_POLICY_EXACT_LEN(sizeof(__be32)),
	[RSP_ADDR_A_IPV6]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
};

static const struct nla_policy rsp_policy_policy[RSP_POLICY_A_MAX + 1] = {
	[RSP_POLICY_A_TYPE]		= { .type = NLA_U32 },
	[RSP_POLICY_A_WEIGHT]		= { .type = NLA_U32 },
	[RSP_POLICY_A_PRIORITY]		= { .type = NLA_U32 },
	[RSP_POLICY_A_LOAD]		= { .type = NLA_U32 },
	[RSP_POLICY_A_LOAD_DEG]		= { .type = NLA_U32 },
	[RSP_POLICY_A_WEIGHT_DPF]	= { .type = NLA_U32 },
	[RSP_POLICY_A_LOAD_DPF]		= { .type = NLA_U32 },
	[RSP_POLICY_A_DISTANCE]		= { .type = NLA_U32 },
};

static const struct nla_policy rsp_limit_policy[RSP_LIMIT_A_MAX + 1] = {
	[RSP_LIMIT_A_MAX_POOLS]		= NLA_POLICY_MIN(NLA_U32, 1),
	[RSP_LIMIT_A_MAX_PES]		= NLA_POLICY_MIN(NLA_U32, 1),
	[RSP_LIMIT_A_MAX_POOL_PES]	= NLA_POLICY_MIN(NLA_U32, 1),
	[RSP_LIMIT_A_REPORT_THRESHOLD]	= NLA_POLICY_RANGE(NLA_U32, 1, 1000),
};

static const struct nla_policy rsp_policy[RSP_A_MAX + 1] = {
	[RSP_A_POOL_HANDLE]	= NLA_POLICY_RANGE(NLA_BINARY, 1, RSP_HANDLE_MAX),
	[RSP_A_PE_ID]		= { .type = NLA_U32 },
	[RSP_A_PE_HOME]		= { .type = NLA_U32 },
	[RSP_A_PE_LIFETIME]	= { .type = NLA_U32 },
	[RSP_A_PE_PROTO]	= { .type = NLA_U8 },
	[RSP_A_PE_PORT]		= NLA_POLICY_MIN(NLA_U16, 1),
	[RSP_A_PE_TRANSPORT_USE] = NLA_POLICY_MAX(NLA_U8, RSP_USE_DATA_CONTROL),
	[RSP_A_PE_ADDRS]	= NLA_POLICY_NESTED(rsp_addr_policy),
	[RSP_A_PE_POLICY]	= NLA_POLICY_NESTED(rsp_policy_policy),
	[RSP_A_COUNT]		= NLA_POLICY_RANGE(NLA_U32, 1, RSP_RESOLVE_MAX),
	[RSP_A_LIMITS]		= NLA_POLICY_NESTED(rsp_limit_policy),
	[RSP_A_REPLACE]		= { .type = NLA_FLAG },
	[RSP_A_PE_ASAP_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
	[RSP_A_PE_ASAP_ADDRS]	= NLA_POLICY_NESTED(rsp_addr_policy),
	[RSP_A_PE_ASAP_PROTO]	= { .type = NLA_U8 },
	[RSP_A_QUIET]		= { .type = NLA_FLAG },
	[RSP_A_PE]		= { .type = NLA_NESTED },
};

#define A(x)		BIT(RSP_A_##x)
#define PE_ATTRS	(A(POOL_HANDLE) | A(PE_ID) | A(PE_HOME) | \
			 A(PE_LIFETIME) | A(PE_PROTO) | A(PE_PORT) | \
			 A(PE_TRANSPORT_USE) | A(PE_ADDRS) | A(PE_POLICY) | \
			 A(PE_ASAP_PORT) | A(PE_ASAP_ADDRS) | A(PE_ASAP_PROTO))

/* The attributes each request may carry; any other is refused. */
static_assert(RSP_A_MAX < 32, "rsp_cmd_attrs[] holds a bit per attribute");
static const u32 rsp_cmd_attrs[RSP_CMD_MAX + 1] = {
	[RSP_CMD_PE_NEW]	= PE_ATTRS | A(REPLACE) | A(QUIET) | A(PE),
	[RSP_CMD_PE_SET]	= PE_ATTRS | A(QUIET) | A(PE),
	[RSP_CMD_PE_DEL]	= A(POOL_HANDLE) | A(PE_ID),
	[RSP_CMD_PE_GET]	= A(POOL_HANDLE) | A(PE_ID),
	[RSP_CMD_POOL_GET]	= A(POOL_HANDLE),
	[RSP_CMD_DEL_HOME]	= A(PE_HOME),
	[RSP_CMD_RESOLVE]	= A(POOL_HANDLE) | A(COUNT),
	[RSP_CMD_REPORT]	= A(POOL_HANDLE) | A(PE_ID),
	[RSP_CMD_LIMITS_SET]	= A(LIMITS),
	[RSP_CMD_HOME_GET]	= A(PE_HOME),
};

static struct genl_family rsp_family;

/* Static strings: 6.1 has no NL_SET_ERR_MSG_FMT. */
static const char * const rsp_not_valid[RSP_A_MAX + 1] = {
	[RSP_A_POOL_HANDLE]	= "RSP_A_POOL_HANDLE is not valid for this command",
	[RSP_A_PE_ID]		= "RSP_A_PE_ID is not valid for this command",
	[RSP_A_PE_HOME]		= "RSP_A_PE_HOME is not valid for this command",
	[RSP_A_PE_LIFETIME]	= "RSP_A_PE_LIFETIME is not valid for this command",
	[RSP_A_PE_PROTO]	= "RSP_A_PE_PROTO is not valid for this command",
	[RSP_A_PE_PORT]		= "RSP_A_PE_PORT is not valid for this command",
	[RSP_A_PE_TRANSPORT_USE]	= "RSP_A_PE_TRANSPORT_USE is not valid for this command",
	[RSP_A_PE_ADDRS]	= "RSP_A_PE_ADDRS is not valid for this command",
	[RSP_A_PE_POLICY]	= "RSP_A_PE_POLICY is not valid for this command",
	[RSP_A_PE_EXPIRES]	= "RSP_A_PE_EXPIRES is not valid for this command",
	[RSP_A_PE_SELECTED]	= "RSP_A_PE_SELECTED is not valid for this command",
	[RSP_A_PE_REPORTS]	= "RSP_A_PE_REPORTS is not valid for this command",
	[RSP_A_PE_DEGRADATION]	= "RSP_A_PE_DEGRADATION is not valid for this command",
	[RSP_A_PE]		= "RSP_A_PE is not valid for this command",
	[RSP_A_POOL_POLICY]	= "RSP_A_POOL_POLICY is not valid for this command",
	[RSP_A_POOL_PROTO]	= "RSP_A_POOL_PROTO is not valid for this command",
	[RSP_A_POOL_PES]	= "RSP_A_POOL_PES is not valid for this command",
	[RSP_A_POOL_SELECTED]	= "RSP_A_POOL_SELECTED is not valid for this command",
	[RSP_A_POOL_RESOLVES]	= "RSP_A_POOL_RESOLVES is not valid for this command",
	[RSP_A_COUNT]		= "RSP_A_COUNT is not valid for this command",
	[RSP_A_REASON]		= "RSP_A_REASON is not valid for this command",
	[RSP_A_LIMITS]		= "RSP_A_LIMITS is not valid for this command",
	[RSP_A_STATS]		= "RSP_A_STATS is not valid for this command",
	[RSP_A_PAD]		= "RSP_A_PAD is not valid for this command",
	[RSP_A_REPLACE]		= "RSP_A_REPLACE is not valid for this command",
	[RSP_A_PE_ASAP_PORT]	= "RSP_A_PE_ASAP_PORT is not valid for this command",
	[RSP_A_PE_ASAP_ADDRS]	= "RSP_A_PE_ASAP_ADDRS is not valid for this command",
	[RSP_A_PE_ASAP_PROTO]	= "RSP_A_PE_ASAP_PROTO is not valid for this command",
	[RSP_A_QUIET]		= "RSP_A_QUIET is not valid for this command",
	[RSP_A_HOME_CHECKSUM]	= "RSP_A_HOME_CHECKSUM is not valid for this command",
};

/* The attributes @tb holds, a bit each. */
static u32 present(struct nlattr **tb)
{
	u32 set = 0;
	int i;

	for (i = 1; i <= RSP_A_MAX; i++)
		if (tb[i])
			set |= BIT(i);
	return set;
}

/* Only the attributes in @mask; a request's, or an RSP_A_PE nest's. */
static int check_mask(u32 mask, struct nlattr **tb,
		      struct netlink_ext_ack *extack)
{
	u32 extra = present(tb) & ~mask;
	int i;

	if (!extra)
		return 0;
	i = __ffs(extra);
	rsp_set_msg(extack, rsp_not_valid[i]);
	NL_SET_BAD_ATTR(extack, tb[i]);
	return -EINVAL;
}

static int rsp_pre_doit(const struct genl_ops *ops, struct sk_buff *skb,
			struct genl_info *info)
{
	return check_mask(rsp_cmd_attrs[ops->cmd], info->attrs, info->extack);
}

static const char * const rsp_missing[RSP_A_MAX + 1] = {
	[RSP_A_POOL_HANDLE]	= "missing attribute RSP_A_POOL_HANDLE",
	[RSP_A_PE_ID]		= "missing attribute RSP_A_PE_ID",
	[RSP_A_PE_HOME]		= "missing attribute RSP_A_PE_HOME",
	[RSP_A_PE_PROTO]	= "missing attribute RSP_A_PE_PROTO",
	[RSP_A_PE_PORT]		= "missing attribute RSP_A_PE_PORT",
	[RSP_A_PE_ADDRS]	= "missing attribute RSP_A_PE_ADDRS",
	[RSP_A_PE_POLICY]	= "missing attribute RSP_A_PE_POLICY",
	[RSP_A_LIMITS]		= "missing attribute RSP_A_LIMITS",
};

/* Names the missing attribute in the extack and fails. */
static bool need_in(struct nlattr **tb, int type,
		    struct netlink_ext_ack *extack)
{
	if (tb[type])
		return true;
	rsp_set_msg(extack, rsp_missing[type]);
	return false;
}

static bool need(struct genl_info *info, int type)
{
	return need_in(info->attrs, type, info->extack);
}

static int parse_handle(const struct nlattr *a, struct rsp_handle *h)
{
	memset(h, 0, sizeof(*h));
	h->len = nla_len(a);
	memcpy(h->data, nla_data(a), h->len);
	return 0;
}

/* Static extack strings per nest: too many, a bad one, none. */
static const char * const rsp_addrs_msg[] = {
	"RSP_A_PE_ADDRS: more than RSP_ADDRS_MAX addresses",
	"RSP_A_PE_ADDRS: unspecified, broadcast or multicast address",
	"RSP_A_PE_ADDRS: no address",
};

static const char * const rsp_asap_msg[] = {
	"RSP_A_PE_ASAP_ADDRS: more than RSP_ASAP_ADDRS_MAX addresses",
	"RSP_A_PE_ASAP_ADDRS: unspecified, broadcast or multicast address",
	"RSP_A_PE_ASAP_ADDRS: no address",
};

/* The addresses of a nest into @out (at most @max): 0 or -errno. */
static int parse_addr_list(struct nlattr *nest, struct rsp_ip *out, u8 *n,
			   unsigned int max, const char * const *msg,
			   struct netlink_ext_ack *extack)
{
	struct nlattr *a;
	int rem;

	*n = 0;
	nla_for_each_nested(a, nest, rem) {
		struct rsp_ip *ad = &out[*n];
		bool bad;

		if (*n == max) {
			rsp_set_msg(extack, msg[0]);
			NL_SET_BAD_ATTR(extack, a);
			return -E2BIG;
		}
		if (nla_type(a) == RSP_ADDR_A_IPV4) {
			ad->family = AF_INET;
			ad->v4 = nla_get_in_addr(a);
			bad = ipv4_is_zeronet(ad->v4) ||
			      ipv4_is_multicast(ad->v4) ||
			      ipv4_is_lbcast(ad->v4);
		} else {
			ad->family = AF_INET6;
			ad->v6 = nla_get_in6_addr(a);
			bad = ipv6_addr_any(&ad->v6) ||
			      ipv6_addr_is_multicast(&ad->v6);
		}
		if (bad) {
			rsp_set_msg(extack, msg[1]);
			NL_SET_BAD_ATTR(extack, a);
			return -EINVAL;
		}
		(*n)++;
	}
	if (!*n) {
		rsp_set_msg(extack, msg[2]);
		NL_SET_BAD_ATTR(extack, nest);
		return -EINVAL;
	}
	return 0;
}

static int parse_addrs(struct nlattr *nest, struct rsp_pe_info *pe,
		       struct netlink_ext_ack *extack)
{
	int err = parse_addr_list(nest, pe->addrs, &pe->naddrs, RSP_ADDRS_MAX,
				  rsp_addrs_msg, extack);

	if (err)
		return err;
	if (pe->proto != IPPROTO_SCTP && pe->naddrs > 1) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "RSP_A_PE_ADDRS: only SCTP PEs have more than one address");
		return -EINVAL;
	}
	return 0;
}

/* The ASAP transport: a port and its addresses, both or neither. */
static int parse_asap(struct nlattr **tb, struct rsp_pe_info *pe,
		      struct netlink_ext_ack *extack)
{
	struct nlattr *port = tb[RSP_A_PE_ASAP_PORT];
	struct nlattr *addrs = tb[RSP_A_PE_ASAP_ADDRS];
	struct nlattr *proto = tb[RSP_A_PE_ASAP_PROTO];

	if (!port && !addrs && !proto)
		return 0;
	if (!port || !addrs) {
		NL_SET_ERR_MSG_ATTR(extack, port ? port : addrs ? addrs : proto,
				    "RSP_A_PE_ASAP_PORT and RSP_A_PE_ASAP_ADDRS go together");
		return -EINVAL;
	}
	/* ASAP runs over SCTP, or over TCP as rserpoold also offers it. */
	pe->asap_proto = proto ? nla_get_u8(proto) : IPPROTO_SCTP;
	if (pe->asap_proto != IPPROTO_SCTP && pe->asap_proto != IPPROTO_TCP) {
		NL_SET_ERR_MSG_ATTR(extack, proto,
				    "RSP_A_PE_ASAP_PROTO: ASAP runs over SCTP or TCP");
		return -EPROTONOSUPPORT;
	}
	pe->asap_port = nla_get_u16(port);
	return parse_addr_list(addrs, pe->asap, &pe->nasap,
			       RSP_ASAP_ADDRS_MAX, rsp_asap_msg, extack);
}

static int parse_policy(struct nlattr *nest, u32 *type,
			struct rsp_policy_params *pol,
			struct netlink_ext_ack *extack)
{
	struct nlattr *tb[RSP_POLICY_A_MAX + 1];
	u32 *field[RSP_POLICY_A_MAX + 1] = {
		[RSP_POLICY_A_WEIGHT]		= &pol->weight,
		[RSP_POLICY_A_PRIORITY]		= &pol->priority,
		[RSP_POLICY_A_LOAD]		= &pol->load,
		[RSP_POLICY_A_LOAD_DEG]		= &pol->load_deg,
		[RSP_POLICY_A_WEIGHT_DPF]	= &pol->dpf,
		[RSP_POLICY_A_LOAD_DPF]		= &pol->dpf,
		[RSP_POLICY_A_DISTANCE]		= &pol->distance,
	};
	const struct rsp_policy_ops *ops;
	int i, err;

	/* Validated with the request (NLA_POLICY_NESTED): only split it. */
	err = nla_parse_nested(tb, RSP_POLICY_A_MAX, nest, NULL, extack);
	if (err)
		return err;
	if (!tb[RSP_POLICY_A_TYPE]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "RSP_A_PE_POLICY: missing RSP_POLICY_A_TYPE");
		return -EINVAL;
	}
	memset(pol, 0, sizeof(*pol));
	*type = nla_get_u32(tb[RSP_POLICY_A_TYPE]);
	ops = rsp_policy_find(*type);
	if (!ops) {
		NL_SET_ERR_MSG_ATTR(extack, tb[RSP_POLICY_A_TYPE],
				    "RSP_POLICY_A_TYPE: unknown policy type");
		return -EOPNOTSUPP;
	}
	for (i = RSP_POLICY_A_TYPE + 1; i <= RSP_POLICY_A_MAX; i++) {
		bool takes = ops->params & BIT(i);

		if (tb[i] && !takes) {
			NL_SET_ERR_MSG_ATTR(extack, tb[i],
					    "RSP_A_PE_POLICY: parameter not used by this policy");
			return -EINVAL;
		}
		if (!tb[i] && takes) {
			NL_SET_ERR_MSG_ATTR(extack, nest,
					    "RSP_A_PE_POLICY: a parameter of this policy is missing");
			return -EINVAL;
		}
		if (tb[i])
			*field[i] = nla_get_u32(tb[i]);
	}
	return 0;
}

/* The PE of attributes @tb into @pe, zeroed. */
static int parse_pe(struct nlattr **tb, struct netlink_ext_ack *extack,
		    struct rsp_pe_info *pe)
{
	int err;

	if (!need_in(tb, RSP_A_POOL_HANDLE, extack) ||
	    !need_in(tb, RSP_A_PE_ID, extack) ||
	    !need_in(tb, RSP_A_PE_PROTO, extack) ||
	    !need_in(tb, RSP_A_PE_PORT, extack) ||
	    !need_in(tb, RSP_A_PE_ADDRS, extack) ||
	    !need_in(tb, RSP_A_PE_POLICY, extack))
		return -EINVAL;
	parse_handle(tb[RSP_A_POOL_HANDLE], &pe->handle);
	pe->id = nla_get_u32(tb[RSP_A_PE_ID]);
	pe->proto = nla_get_u8(tb[RSP_A_PE_PROTO]);
	switch (pe->proto) {
	case IPPROTO_SCTP:
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_DCCP:
		break;
	default:
		NL_SET_ERR_MSG_ATTR(extack, tb[RSP_A_PE_PROTO],
				    "RSP_A_PE_PROTO: not sctp, tcp, udp, udplite or dccp");
		return -EPROTONOSUPPORT;
	}
	pe->port = nla_get_u16(tb[RSP_A_PE_PORT]);
	if (tb[RSP_A_PE_TRANSPORT_USE]) {
		if (pe->proto != IPPROTO_SCTP) {
			NL_SET_ERR_MSG_ATTR(extack, tb[RSP_A_PE_TRANSPORT_USE],
					    "RSP_A_PE_TRANSPORT_USE: only SCTP carries control");
			return -EINVAL;
		}
		pe->use = nla_get_u8(tb[RSP_A_PE_TRANSPORT_USE]);
	}
	if (tb[RSP_A_PE_HOME])
		pe->home = nla_get_u32(tb[RSP_A_PE_HOME]);
	if (tb[RSP_A_PE_LIFETIME])
		pe->lifetime_ms = nla_get_u32(tb[RSP_A_PE_LIFETIME]);
	err = parse_addrs(tb[RSP_A_PE_ADDRS], pe, extack);
	if (!err)
		err = parse_asap(tb, pe, extack);
	if (err)
		return err;
	return parse_policy(tb[RSP_A_PE_POLICY], &pe->policy, &pe->pol, extack);
}

static int put_policy(struct sk_buff *skb, const struct rsp_pe *pe)
{
	const struct rsp_policy_ops *ops = pe->pool->ops;
	const u32 val[RSP_POLICY_A_MAX + 1] = {
		[RSP_POLICY_A_WEIGHT]		= pe->pol.weight,
		[RSP_POLICY_A_PRIORITY]		= pe->pol.priority,
		[RSP_POLICY_A_LOAD]		= pe->pol.load,
		[RSP_POLICY_A_LOAD_DEG]		= pe->pol.load_deg,
		[RSP_POLICY_A_WEIGHT_DPF]	= pe->pol.dpf,
		[RSP_POLICY_A_LOAD_DPF]		= pe->pol.dpf,
		[RSP_POLICY_A_DISTANCE]		= pe->pol.distance,
	};
	struct nlattr *nest = nla_nest_start(skb, RSP_A_PE_POLICY);
	int i;

	if (!nest || nla_put_u32(skb, RSP_POLICY_A_TYPE, ops->type))
		return -EMSGSIZE;
	for (i = RSP_POLICY_A_TYPE + 1; i <= RSP_POLICY_A_MAX; i++)
		if ((ops->params & BIT(i)) && nla_put_u32(skb, i, val[i]))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_addr_list(struct sk_buff *skb, int type,
			 const struct rsp_addr *addrs, int n)
{
	struct nlattr *nest = nla_nest_start(skb, type);
	int i, err = 0;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < n && !err; i++) {
		const struct rsp_addr *a = &addrs[i];

		if (a->family == AF_INET)
			err = nla_put_in_addr(skb, RSP_ADDR_A_IPV4, a->v4);
		else
			err = nla_put_in6_addr(skb, RSP_ADDR_A_IPV6, &a->v6);
	}
	nla_nest_end(skb, nest);
	return err;
}

static int put_asap(struct sk_buff *skb, const struct rsp_pe *pe)
{
	const struct rsp_addr *a = &pe->addrs[pe->naddrs];

	if (!pe->nasap)
		return 0;
	if (nla_put_u16(skb, RSP_A_PE_ASAP_PORT, a->asap_port) ||
	    nla_put_u8(skb, RSP_A_PE_ASAP_PROTO, a->asap_proto))
		return -EMSGSIZE;
	return put_addr_list(skb, RSP_A_PE_ASAP_ADDRS, a, pe->nasap);
}

/* The attributes of a PE, without its pool handle. */
static int put_pe(struct sk_buff *skb, const struct rsp_pe *pe)
{
	u32 exp = READ_ONCE(pe->expires);

	if (nla_put_u32(skb, RSP_A_PE_ID, pe->id) ||
	    nla_put_u32(skb, RSP_A_PE_HOME, pe->home) ||
	    nla_put_u32(skb, RSP_A_PE_LIFETIME, pe->lifetime_ms) ||
	    nla_put_u8(skb, RSP_A_PE_PROTO, pe->proto) ||
	    nla_put_u16(skb, RSP_A_PE_PORT, pe->port) ||
	    (pe->proto == IPPROTO_SCTP &&
	     nla_put_u8(skb, RSP_A_PE_TRANSPORT_USE, pe->use)) ||
	    put_addr_list(skb, RSP_A_PE_ADDRS, pe->addrs, pe->naddrs) ||
	    put_asap(skb, pe) || put_policy(skb, pe) ||
	    (exp && nla_put_u32(skb, RSP_A_PE_EXPIRES,
				div_u64(rsp_exp_left_ns(exp), NSEC_PER_MSEC))) ||
	    nla_put_u64_64bit(skb, RSP_A_PE_SELECTED,
			      atomic64_read(&pe->selected), RSP_A_PAD) ||
	    nla_put_u32(skb, RSP_A_PE_REPORTS, READ_ONCE(pe->reports)) ||
	    (pe->pool->ops->selected &&
	     nla_put_u64_64bit(skb, RSP_A_PE_DEGRADATION, READ_ONCE(pe->dyn),
			       RSP_A_PAD)))
		return -EMSGSIZE;
	return 0;
}

static int put_handle(struct sk_buff *skb, const struct rsp_handle *h)
{
	return nla_put(skb, RSP_A_POOL_HANDLE, h->len, h->data);
}

static int fill_pe(struct sk_buff *skb, const struct rsp_pe *pe, u32 portid,
		   u32 seq, int flags, u8 cmd, u8 reason, void **hdrp)
{
	void *hdr = genlmsg_put(skb, portid, seq, &rsp_family, flags, cmd);

	if (!hdr)
		return -EMSGSIZE;
	if (hdrp)
		*hdrp = hdr;
	if (put_handle(skb, &pe->pool->handle) || put_pe(skb, pe) ||
	    (reason && nla_put_u8(skb, RSP_A_REASON, reason))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int fill_pool(struct sk_buff *skb, const struct rsp_pool *pool,
		     u32 portid, u32 seq, int flags, void **hdrp)
{
	void *hdr = genlmsg_put(skb, portid, seq, &rsp_family, flags,
				RSP_CMD_POOL_GET);

	if (!hdr)
		return -EMSGSIZE;
	if (hdrp)
		*hdrp = hdr;
	if (put_handle(skb, &pool->handle) ||
	    nla_put_u32(skb, RSP_A_POOL_POLICY, pool->ops->type) ||
	    nla_put_u8(skb, RSP_A_POOL_PROTO, pool->proto) ||
	    nla_put_u32(skb, RSP_A_POOL_PES, READ_ONCE(pool->count)) ||
	    nla_put_u64_64bit(skb, RSP_A_POOL_SELECTED,
			      atomic64_read(&pool->selected), RSP_A_PAD) ||
	    nla_put_u64_64bit(skb, RSP_A_POOL_RESOLVES,
			      atomic64_read(&pool->resolves), RSP_A_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Upper bound of put_pe() for any PE. */
#define PE_NLSIZE (nla_total_size(0) + 5 * nla_total_size(4) +		\
		   2 * nla_total_size(1) + nla_total_size(2) +		\
		   nla_total_size(0) + RSP_ADDRS_MAX * nla_total_size(16) + \
		   nla_total_size(0) + 8 * nla_total_size(4) +		\
		   2 * nla_total_size_64bit(8) + nla_total_size(2) +	\
		   nla_total_size(1) + nla_total_size(0) +		\
		   RSP_ASAP_ADDRS_MAX * nla_total_size(16))

void rsp_nl_notify_pe(struct rsp_hs *hs, const struct rsp_pe *pe, u8 cmd,
		      u8 reason, u32 portid)
{
	struct sk_buff *skb;

	if (!hs->net || !genl_has_listeners(&rsp_family, hs->net, 0))
		return;
	/* Its own size, not a page: a peer's table is thousands of these. */
	skb = genlmsg_new(nla_total_size(pe->pool->handle.len) + PE_NLSIZE +
			  nla_total_size(1), GFP_KERNEL);
	if (!skb)
		return;
	if (fill_pe(skb, pe, portid, 0, 0, cmd, reason, NULL)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_multicast_netns(&rsp_family, hs->net, skb, 0, 0, GFP_KERNEL);
}

static int reply_new(struct genl_info *info, size_t size, u8 cmd,
		     struct sk_buff **skbp, void **hdrp)
{
	*skbp = genlmsg_new(size, GFP_KERNEL);
	if (!*skbp)
		return -ENOMEM;
	*hdrp = genlmsg_put_reply(*skbp, info, &rsp_family, 0, cmd);
	if (!*hdrp) {
		nlmsg_free(*skbp);
		return -EMSGSIZE;
	}
	return 0;
}

static int reply_send(struct genl_info *info, struct sk_buff *skb, void *hdr)
{
	genlmsg_end(skb, hdr);
	return genlmsg_reply(skb, info);
}

static int reply_u32(struct genl_info *info, int type, u32 val)
{
	struct sk_buff *skb;
	void *hdr;
	int err = reply_new(info, NLMSG_GOODSIZE, info->genlhdr->cmd, &skb,
			    &hdr);

	if (err)
		return err;
	if (nla_put_u32(skb, type, val)) {
		nlmsg_free(skb);
		return -EMSGSIZE;
	}
	return reply_send(info, skb, hdr);
}

/* The PE of attributes @tb, as @info asks (flags, portid, quiet). */
static int register_pe(struct genl_info *info, struct nlattr **tb,
		       struct rsp_pe_info *pe)
{
	unsigned int flags = 0;
	int err;

	err = parse_pe(tb, info->extack, pe);
	if (err)
		return err;
	if (info->genlhdr->cmd == RSP_CMD_PE_NEW) {
		flags = RSP_F_CREATE;
		if (!info->attrs[RSP_A_REPLACE])
			flags |= RSP_F_EXCL;
	}
	pe->portid = info->snd_portid;
	pe->quiet = nla_get_flag(info->attrs[RSP_A_QUIET]);
	return rsp_pe_register(rsp_hs(genl_info_net(info)), pe, flags, NULL,
			       info->extack);
}

/*
 * One PE of its top-level attributes, or one for each RSP_A_PE nest, in
 * order, until one fails: a registrar loading a peer's table puts
 * hundreds a request, where each request's own cost (its buffers, the
 * dispatch, the parse, the ACK) was about 40 % of a put's.
 */
static int rsp_pe_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[RSP_A_MAX + 1], *nest;
	struct rsp_pe_info *pe;
	int err = 0, rem;

	if (info->attrs[RSP_A_PE] && (present(info->attrs) & PE_ATTRS)) {
		NL_SET_ERR_MSG(info->extack,
			       "RSP_A_PE: PEs in nests, or one at the top, not both");
		return -EINVAL;
	}
	pe = kzalloc(sizeof(*pe), GFP_KERNEL);
	if (!pe)
		return -ENOMEM;
	if (!info->attrs[RSP_A_PE]) {
		err = register_pe(info, info->attrs, pe);
		goto out;
	}
	nlmsg_for_each_attr(nest, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(nest) != RSP_A_PE)
			continue;
		err = nla_parse_nested(tb, RSP_A_MAX, nest, rsp_policy,
				       info->extack);
		if (!err)
			err = check_mask(PE_ATTRS, tb, info->extack);
		if (!err) {
			memset(pe, 0, sizeof(*pe));
			err = register_pe(info, tb, pe);
		}
		if (err) {
			/* Those before it stay: point at the one that failed. */
			if (!info->extack->bad_attr)
				NL_SET_BAD_ATTR(info->extack, nest);
			break;
		}
	}
out:
	kfree(pe);
	return err;
}

static int rsp_pe_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct rsp_handle h;

	if (!need(info, RSP_A_POOL_HANDLE) || !need(info, RSP_A_PE_ID))
		return -EINVAL;
	parse_handle(info->attrs[RSP_A_POOL_HANDLE], &h);
	return rsp_pe_delete(rsp_hs(genl_info_net(info)), &h,
			     nla_get_u32(info->attrs[RSP_A_PE_ID]),
			     info->snd_portid, info->extack);
}

static int rsp_pe_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct rsp_hs *hs = rsp_hs(genl_info_net(info));
	struct rsp_pool *pool;
	struct rsp_pe *pe = NULL;
	struct rsp_handle h;
	struct sk_buff *msg;
	int err;

	if (!need(info, RSP_A_POOL_HANDLE) || !need(info, RSP_A_PE_ID))
		return -EINVAL;
	parse_handle(info->attrs[RSP_A_POOL_HANDLE], &h);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&hs->lock);
	pool = rsp_pool_find(hs, &h);
	if (pool)
		pe = rsp_pe_find(pool, nla_get_u32(info->attrs[RSP_A_PE_ID]));
	err = -ENOENT;
	if (!pool)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[RSP_A_POOL_HANDLE],
				    "RSP_A_POOL_HANDLE: no such pool");
	else if (!pe)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[RSP_A_PE_ID],
				    "RSP_A_PE_ID: no such PE in this pool");
	else
		err = fill_pe(msg, pe, info->snd_portid, info->snd_seq, 0,
			      RSP_CMD_PE_GET, 0, NULL);
	mutex_unlock(&hs->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int rsp_pool_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct rsp_hs *hs = rsp_hs(genl_info_net(info));
	struct rsp_pool *pool;
	struct rsp_handle h;
	struct sk_buff *msg;
	int err = -ENOENT;

	if (!need(info, RSP_A_POOL_HANDLE))
		return -EINVAL;
	parse_handle(info->attrs[RSP_A_POOL_HANDLE], &h);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&hs->lock);
	pool = rsp_pool_find(hs, &h);
	if (pool)
		err = fill_pool(msg, pool, info->snd_portid, info->snd_seq, 0,
				NULL);
	else
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[RSP_A_POOL_HANDLE],
				    "RSP_A_POOL_HANDLE: no such pool");
	mutex_unlock(&hs->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* Dump cursor: the next object to send, found again by key. */
struct rsp_dump {
	struct rsp_handle handle;
	u32 id;
	bool started;
	bool one_pool;
	bool done;
	int err;
};

static int rsp_dump_start(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *di = genl_dumpit_info(cb);
	struct nlattr *h = di->attrs[RSP_A_POOL_HANDLE];
	struct rsp_dump *d;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	/*
	 * Both dumps take at most a pool handle, as POOL_GET does.  6.1 gives
	 * .start no extack, so a refusal is reported by the first dumpit
	 * call, whose extack message goes out in NLMSG_DONE.
	 */
	d->err = check_mask(rsp_cmd_attrs[RSP_CMD_POOL_GET], di->attrs, NULL);
	if (h) {
		parse_handle(h, &d->handle);
		d->one_pool = true;
	}
	cb->args[0] = (long)d;
	return 0;
}

/* The refusal found by rsp_dump_start(), now with its message. */
static int dump_refuse(struct netlink_callback *cb, struct rsp_dump *d)
{
	check_mask(rsp_cmd_attrs[RSP_CMD_POOL_GET], genl_dumpit_info(cb)->attrs,
		   cb->extack);
	d->done = true;
	return d->err;
}

static int rsp_dump_done(struct netlink_callback *cb)
{
	kfree((void *)cb->args[0]);
	return 0;
}

static struct rsp_pool *dump_first_pool(struct rsp_hs *hs, struct rsp_dump *d)
{
	struct rsp_pool *pool;

	if (!d->started && !d->one_pool) {
		struct rb_node *n = rb_first(&hs->pools);

		return n ? rb_entry(n, struct rsp_pool, node) : NULL;
	}
	pool = rsp_pool_next(hs, &d->handle, true);
	if (d->one_pool && pool && rsp_handle_cmp(&pool->handle, &d->handle))
		return NULL;
	return pool;
}

static void dump_begin(struct rsp_hs *hs, struct netlink_callback *cb)
{
	mutex_lock(&hs->lock);
	/* 0 would disable the check, so keep the generation odd. */
	cb->seq = hs->generation * 2 + 1;
}

static int rsp_pe_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct rsp_hs *hs = rsp_hs(sock_net(skb->sk));
	struct rsp_dump *d = (void *)cb->args[0];
	struct rsp_pool *pool;
	void *hdr;

	if (d->err && !d->done)
		return dump_refuse(cb, d);
	if (d->done)
		return 0;
	dump_begin(hs, cb);
	for (pool = dump_first_pool(hs, d); pool;
	     pool = d->one_pool ? NULL :
		    rb_entry_safe(rb_next(&pool->node), struct rsp_pool, node)) {
		bool same = d->started && !rsp_handle_cmp(&pool->handle,
							  &d->handle);
		struct rsp_pe *pe = rsp_pe_next(pool, same ? d->id : 0, true);

		for (; pe; pe = rb_entry_safe(rb_next(&pe->id_node),
					      struct rsp_pe, id_node)) {
			if (fill_pe(skb, pe, NETLINK_CB(cb->skb).portid,
				    cb->nlh->nlmsg_seq, NLM_F_MULTI,
				    RSP_CMD_PE_GET, 0, &hdr)) {
				d->handle = pool->handle;
				d->id = pe->id;
				d->started = true;
				goto out;
			}
			genl_dump_check_consistent(cb, hdr);
		}
	}
	d->done = true;
out:
	mutex_unlock(&hs->lock);
	return skb->len;
}

static int rsp_pool_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct rsp_hs *hs = rsp_hs(sock_net(skb->sk));
	struct rsp_dump *d = (void *)cb->args[0];
	struct rsp_pool *pool;
	void *hdr;

	if (d->err && !d->done)
		return dump_refuse(cb, d);
	if (d->done)
		return 0;
	dump_begin(hs, cb);
	for (pool = dump_first_pool(hs, d); pool;
	     pool = rb_entry_safe(rb_next(&pool->node), struct rsp_pool,
				  node)) {
		if (fill_pool(skb, pool, NETLINK_CB(cb->skb).portid,
			      cb->nlh->nlmsg_seq, NLM_F_MULTI, &hdr)) {
			d->handle = pool->handle;
			d->started = true;
			goto out;
		}
		genl_dump_check_consistent(cb, hdr);
	}
	d->done = true;
out:
	mutex_unlock(&hs->lock);
	return skb->len;
}

static int rsp_del_home_doit(struct sk_buff *skb, struct genl_info *info)
{
	if (!need(info, RSP_A_PE_HOME))
		return -EINVAL;
	return reply_u32(info, RSP_A_COUNT,
			 rsp_delete_home(rsp_hs(genl_info_net(info)),
					 nla_get_u32(info->attrs[RSP_A_PE_HOME]),
					 info->snd_portid));
}

static int rsp_home_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	u32 home, count;
	void *hdr;
	u16 sum;
	int err;

	if (!need(info, RSP_A_PE_HOME))
		return -EINVAL;
	home = nla_get_u32(info->attrs[RSP_A_PE_HOME]);
	sum = rsp_home_checksum(rsp_hs(genl_info_net(info)), home, &count);
	err = reply_new(info, 3 * nla_total_size(4), RSP_CMD_HOME_GET, &msg,
			&hdr);
	if (err)
		return err;
	if (nla_put_u32(msg, RSP_A_PE_HOME, home) ||
	    nla_put_u32(msg, RSP_A_COUNT, count) ||
	    nla_put_u16(msg, RSP_A_HOME_CHECKSUM, sum)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return reply_send(info, msg, hdr);
}

static int rsp_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	return reply_u32(info, RSP_A_COUNT,
			 rsp_flush(rsp_hs(genl_info_net(info)),
				   info->snd_portid));
}

static int rsp_resolve_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct rsp_hs *hs = rsp_hs(genl_info_net(info));
	struct rsp_pe **pes;
	struct rsp_pool *pool;
	struct rsp_handle h;
	struct sk_buff *msg;
	unsigned int i, n, want = 1;
	void *hdr;
	int err;

	if (!need(info, RSP_A_POOL_HANDLE))
		return -EINVAL;
	parse_handle(info->attrs[RSP_A_POOL_HANDLE], &h);
	if (info->attrs[RSP_A_COUNT])
		want = nla_get_u32(info->attrs[RSP_A_COUNT]);
	pes = kmalloc_array(want, sizeof(*pes), GFP_KERNEL);
	if (!pes)
		return -ENOMEM;
	err = reply_new(info, NLMSG_HDRLEN + nla_total_size(RSP_HANDLE_MAX) +
			2 * nla_total_size(4) + want * PE_NLSIZE,
			RSP_CMD_RESOLVE, &msg, &hdr);
	if (err)
		goto out;

	rcu_read_lock();
	pool = rsp_pool_find_rcu(hs, &h);
	n = pool ? rsp_select(pool, pes, want, NULL) : 0;
	err = -ENOENT;
	if (!pool) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[RSP_A_POOL_HANDLE],
				    "RSP_A_POOL_HANDLE: no such pool");
		goto unlock;
	}
	err = -EMSGSIZE;
	if (put_handle(msg, &h) ||
	    nla_put_u32(msg, RSP_A_POOL_POLICY, pool->ops->type))
		goto unlock;
	for (i = 0; i < n; i++) {
		struct nlattr *nest = nla_nest_start(msg, RSP_A_PE);

		if (!nest || put_pe(msg, pes[i]))
			goto unlock;
		nla_nest_end(msg, nest);
	}
	err = 0;
unlock:
	rcu_read_unlock();
	if (err)
		nlmsg_free(msg);
	else
		err = reply_send(info, msg, hdr);
out:
	kfree(pes);
	return err;
}

static int rsp_report_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	struct rsp_handle h;
	bool removed = false;
	u32 reports = 0;
	void *hdr;
	int err;

	if (!need(info, RSP_A_POOL_HANDLE) || !need(info, RSP_A_PE_ID))
		return -EINVAL;
	parse_handle(info->attrs[RSP_A_POOL_HANDLE], &h);
	err = rsp_pe_report(rsp_hs(genl_info_net(info)), &h,
			    nla_get_u32(info->attrs[RSP_A_PE_ID]), NULL,
			    info->snd_portid, &reports, &removed, info->extack);
	if (err)
		return err;
	err = reply_new(info, NLMSG_GOODSIZE, RSP_CMD_REPORT, &msg, &hdr);
	if (err)
		return err;
	if (nla_put_u32(msg, RSP_A_PE_REPORTS, reports) ||
	    (removed && nla_put_u8(msg, RSP_A_REASON,
				   RSP_REASON_UNREACHABLE))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return reply_send(info, msg, hdr);
}

static int rsp_limits_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct rsp_hs *hs = rsp_hs(genl_info_net(info));
	struct rsp_limits l;
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;
	int err;

	mutex_lock(&hs->lock);
	l = hs->limits;
	mutex_unlock(&hs->lock);
	err = reply_new(info, NLMSG_GOODSIZE, RSP_CMD_LIMITS_GET, &msg, &hdr);
	if (err)
		return err;
	nest = nla_nest_start(msg, RSP_A_LIMITS);
	if (!nest ||
	    nla_put_u32(msg, RSP_LIMIT_A_MAX_POOLS, l.max_pools) ||
	    nla_put_u32(msg, RSP_LIMIT_A_MAX_PES, l.max_pes) ||
	    nla_put_u32(msg, RSP_LIMIT_A_MAX_POOL_PES, l.max_pool_pes) ||
	    nla_put_u32(msg, RSP_LIMIT_A_REPORT_THRESHOLD,
			l.report_threshold)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return reply_send(info, msg, hdr);
}

static int rsp_limits_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct rsp_hs *hs = rsp_hs(genl_info_net(info));
	struct nlattr *tb[RSP_LIMIT_A_MAX + 1];
	u32 *field[RSP_LIMIT_A_MAX + 1] = {
		[RSP_LIMIT_A_MAX_POOLS]		= &hs->limits.max_pools,
		[RSP_LIMIT_A_MAX_PES]		= &hs->limits.max_pes,
		[RSP_LIMIT_A_MAX_POOL_PES]	= &hs->limits.max_pool_pes,
		[RSP_LIMIT_A_REPORT_THRESHOLD]	= &hs->limits.report_threshold,
	};
	int i, err;

	if (!need(info, RSP_A_LIMITS))
		return -EINVAL;
	err = nla_parse_nested(tb, RSP_LIMIT_A_MAX, info->attrs[RSP_A_LIMITS],
			       rsp_limit_policy, info->extack);
	if (err)
		return err;
	/* Lower limits refuse new PEs; they remove none. */
	mutex_lock(&hs->lock);
	for (i = 1; i <= RSP_LIMIT_A_MAX; i++)
		if (tb[i])
			*field[i] = nla_get_u32(tb[i]);
	mutex_unlock(&hs->lock);
	return 0;
}

static int rsp_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct rsp_hs *hs = rsp_hs(genl_info_net(info));
	u64 resolves = 0, selected = 0;
	struct nlattr *nest;
	struct rsp_stats st;
	struct sk_buff *msg;
	u32 npools, npes;
	void *hdr;
	int cpu, err;

	for_each_possible_cpu(cpu) {
		resolves += per_cpu_ptr(hs->pcpu, cpu)->resolves;
		selected += per_cpu_ptr(hs->pcpu, cpu)->selected;
	}
	mutex_lock(&hs->lock);
	st = hs->stats;
	npools = hs->npools;
	npes = hs->npes;
	mutex_unlock(&hs->lock);

	err = reply_new(info, NLMSG_GOODSIZE, RSP_CMD_STATS_GET, &msg, &hdr);
	if (err)
		return err;
	nest = nla_nest_start(msg, RSP_A_STATS);
	if (!nest ||
	    nla_put_u32(msg, RSP_STAT_A_POOLS, npools) ||
	    nla_put_u32(msg, RSP_STAT_A_PES, npes) ||
	    nla_put_u64_64bit(msg, RSP_STAT_A_ADDED, st.added, RSP_STAT_A_PAD) ||
	    nla_put_u64_64bit(msg, RSP_STAT_A_UPDATED, st.updated,
			      RSP_STAT_A_PAD) ||
	    nla_put_u64_64bit(msg, RSP_STAT_A_REMOVED, st.removed,
			      RSP_STAT_A_PAD) ||
	    nla_put_u64_64bit(msg, RSP_STAT_A_EXPIRED, st.expired,
			      RSP_STAT_A_PAD) ||
	    nla_put_u64_64bit(msg, RSP_STAT_A_UNREACHABLE, st.unreachable,
			      RSP_STAT_A_PAD) ||
	    nla_put_u64_64bit(msg, RSP_STAT_A_RESOLVES, resolves,
			      RSP_STAT_A_PAD) ||
	    nla_put_u64_64bit(msg, RSP_STAT_A_SELECTED, selected,
			      RSP_STAT_A_PAD) ||
	    nla_put_u64_64bit(msg, RSP_STAT_A_REPORTS, st.reports,
			      RSP_STAT_A_PAD) ||
	    nla_put_u64_64bit(msg, RSP_STAT_A_REFUSED, st.refused,
			      RSP_STAT_A_PAD)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return reply_send(info, msg, hdr);
}

#define OP(c, fn, fl) { .cmd = (c), .doit = (fn), .flags = (fl),	\
			.policy = rsp_policy, .maxattr = RSP_A_MAX }

static const struct genl_ops rsp_ops[] = {
	OP(RSP_CMD_PE_NEW, rsp_pe_new_doit, GENL_UNS_ADMIN_PERM),
	OP(RSP_CMD_PE_SET, rsp_pe_new_doit, GENL_UNS_ADMIN_PERM),
	OP(RSP_CMD_PE_DEL, rsp_pe_del_doit, GENL_UNS_ADMIN_PERM),
	{
		.cmd = RSP_CMD_PE_GET,
		.doit = rsp_pe_get_doit,
		.start = rsp_dump_start,
		.dumpit = rsp_pe_dumpit,
		.done = rsp_dump_done,
		.policy = rsp_policy,
		.maxattr = RSP_A_MAX,
	},
	{
		.cmd = RSP_CMD_POOL_GET,
		.doit = rsp_pool_get_doit,
		.start = rsp_dump_start,
		.dumpit = rsp_pool_dumpit,
		.done = rsp_dump_done,
		.policy = rsp_policy,
		.maxattr = RSP_A_MAX,
	},
	OP(RSP_CMD_DEL_HOME, rsp_del_home_doit, GENL_UNS_ADMIN_PERM),
	OP(RSP_CMD_FLUSH, rsp_flush_doit, GENL_UNS_ADMIN_PERM),
	OP(RSP_CMD_RESOLVE, rsp_resolve_doit, 0),
	OP(RSP_CMD_REPORT, rsp_report_doit, GENL_UNS_ADMIN_PERM),
	OP(RSP_CMD_LIMITS_GET, rsp_limits_get_doit, 0),
	OP(RSP_CMD_LIMITS_SET, rsp_limits_set_doit, GENL_UNS_ADMIN_PERM),
	OP(RSP_CMD_STATS_GET, rsp_stats_get_doit, 0),
	OP(RSP_CMD_HOME_GET, rsp_home_get_doit, 0),
};

static const struct genl_multicast_group rsp_mcgrps[] = {
	{ .name = RSP_GENL_MCGRP },
};

static struct genl_family rsp_family __ro_after_init = {
	.name		= RSP_GENL_NAME,
	.version	= RSP_GENL_VERSION,
	.maxattr	= RSP_A_MAX,
	.netnsok	= true,
	.parallel_ops	= true,
	.pre_doit	= rsp_pre_doit,
	.ops		= rsp_ops,
	.n_ops		= ARRAY_SIZE(rsp_ops),
	.mcgrps		= rsp_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(rsp_mcgrps),
	.module		= THIS_MODULE,
};

int __init rsp_nl_init(void)
{
	return genl_register_family(&rsp_family);
}

void rsp_nl_exit(void)
{
	genl_unregister_family(&rsp_family);
}
