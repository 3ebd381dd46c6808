// SPDX-License-Identifier: GPL-2.0
/* ASAP and ENRP messages: see msg.h. */
#include <stdlib.h>
#include <string.h>
#include "msg.h"

typedef enum rsp_decode_err derr;

static int is_transport(uint16_t type)
{
	return type >= RSP_P_DCCP && type <= RSP_P_UDPLITE;
}

static derr decode_transport(struct rsp_p_transport *t, const struct rsp_tlv *v)
{
	const uint8_t *p = v->val;
	size_t n = v->len, fixed = v->type == RSP_P_DCCP ? 8 : 4;
	struct rsp_tlv a;
	int r;

	if (n < fixed)
		return RSP_DECODE_MALFORMED;
	rsp_transport_clear(t);
	t->type = v->type;
	t->port = rsp_get16(p);
	t->use = rsp_get16(p + 2);
	if (v->type == RSP_P_DCCP)
		t->service = rsp_get32(p + 4);
	p += fixed;
	n -= fixed;
	while ((r = rsp_tlv_next(&p, &n, &a)) > 0) {
		struct rsp_p_addr *ad;

		if ((a.type != RSP_P_IPV4 || a.len != 4) &&
		    (a.type != RSP_P_IPV6 || a.len != 16))
			return RSP_DECODE_MALFORMED;
		if (t->naddrs == RSP_MAX_ADDRS)
			return RSP_DECODE_TOO_MANY;
		ad = &t->addrs[t->naddrs++];
		memset(ad, 0, sizeof(*ad));
		ad->type = a.type;
		memcpy(ad->a, a.val, a.len);
	}
	/* A transport needs an address; only SCTP may have more than one. */
	if (r < 0 || !t->naddrs || (t->naddrs > 1 && t->type != RSP_P_SCTP))
		return RSP_DECODE_MALFORMED;
	return RSP_DECODE_OK;
}

static derr decode_policy(struct rsp_p_policy *pol, const struct rsp_tlv *v)
{
	unsigned int i;

	if (v->len < 4 || v->len % 4 ||
	    v->len / 4 - 1 > RSP_MAX_POLICY_WORDS)
		return RSP_DECODE_MALFORMED;
	pol->type = rsp_get32(v->val);
	pol->nwords = v->len / 4 - 1;
	for (i = 0; i < pol->nwords; i++)
		pol->w[i] = rsp_get32(v->val + 4 + 4 * i);
	return RSP_DECODE_OK;
}

/* Pool Element: IDs and life, user transport, policy, [ASAP transport]. */
static derr decode_pe(struct rsp_p_pe *pe, const struct rsp_tlv *v)
{
	int have_user = 0, have_policy = 0, r;
	const uint8_t *p;
	struct rsp_tlv t;
	size_t n;
	derr e;

	if (v->len < 12)
		return RSP_DECODE_MALFORMED;
	p = v->val + 12;
	n = v->len - 12;
	pe->id = rsp_get32(v->val);
	pe->home = rsp_get32(v->val + 4);
	pe->life = (int32_t)rsp_get32(v->val + 8);
	while ((r = rsp_tlv_next(&p, &n, &t)) > 0) {
		if (is_transport(t.type) && !have_user) {
			e = decode_transport(&pe->user, &t);
			have_user = 1;
		} else if (t.type == RSP_P_POLICY && have_user &&
			   !have_policy) {
			e = decode_policy(&pe->policy, &t);
			have_policy = 1;
		} else if (is_transport(t.type) && have_policy &&
			   !pe->has_asap) {
			/* SCTP in RFC 5354; TCP for our PEs of ASAP/TCP. */
			e = decode_transport(&pe->asap, &t);
			pe->has_asap = 1;
		} else {
			e = RSP_DECODE_MALFORMED;
		}
		if (e)
			return e;
	}
	return r < 0 || !have_policy ? RSP_DECODE_MALFORMED : RSP_DECODE_OK;
}

static derr decode_server(struct rsp_p_server *s, const struct rsp_tlv *v)
{
	struct rsp_tlv t;
	const uint8_t *p;
	size_t n;

	if (v->len < 4)
		return RSP_DECODE_MALFORMED;
	p = v->val + 4;
	n = v->len - 4;
	s->id = rsp_get32(v->val);
	if (rsp_tlv_next(&p, &n, &t) != 1 || !is_transport(t.type) || n)
		return RSP_DECODE_MALFORMED;
	return decode_transport(&s->transport, &t);
}

/* An unknown parameter to report: the first is kept for the error. */
static void unknown(struct rsp_msg *m, const struct rsp_tlv *t)
{
	if (!m->unknown_reported++) {
		m->unknown = t->val - RSP_TLV_HDR;
		m->unknown_len = t->len + RSP_TLV_HDR;
	}
}

static derr decode_param(struct rsp_msg *m, struct rsp_param *prm,
			 const struct rsp_tlv *t)
{
	prm->type = t->type;
	switch (t->type) {
	case RSP_P_HANDLE:
		if (!t->len || t->len > RSP_MAX_HANDLE)
			return RSP_DECODE_MALFORMED;
		prm->handle.len = t->len;
		memcpy(prm->handle.data, t->val, t->len);
		return RSP_DECODE_OK;
	case RSP_P_PE:
		prm->pe = malloc(sizeof(*prm->pe));
		if (!prm->pe)
			return RSP_DECODE_NOMEM;
		rsp_p_pe_clear(prm->pe);
		return decode_pe(prm->pe, t);
	case RSP_P_SERVER_INFO:
		prm->server = calloc(1, sizeof(*prm->server));
		return prm->server ? decode_server(prm->server, t) :
				     RSP_DECODE_NOMEM;
	case RSP_P_DCCP: case RSP_P_SCTP: case RSP_P_TCP: case RSP_P_UDP:
	case RSP_P_UDPLITE:
		prm->transport = calloc(1, sizeof(*prm->transport));
		return prm->transport ? decode_transport(prm->transport, t) :
					RSP_DECODE_NOMEM;
	case RSP_P_POLICY:
		return decode_policy(&prm->policy, t);
	case RSP_P_PE_ID:
	case RSP_P_HRO:
		if (t->len != 4)
			return RSP_DECODE_MALFORMED;
		prm->u32 = rsp_get32(t->val);
		return RSP_DECODE_OK;
	case RSP_P_CHECKSUM:
		if (t->len != 2)
			return RSP_DECODE_MALFORMED;
		prm->checksum = rsp_get16(t->val);
		return RSP_DECODE_OK;
	case RSP_P_COOKIE:
	case RSP_P_ERROR:
		break;
	default:
		switch (rsp_tlv_unknown(t->type)) {
		case RSP_UNKNOWN_STOP_REPORT:
			unknown(m, t);
			/* fall through */
		case RSP_UNKNOWN_STOP:
			return RSP_DECODE_UNKNOWN_PARAM;
		case RSP_UNKNOWN_SKIP_REPORT:
			unknown(m, t);
			break;
		case RSP_UNKNOWN_SKIP:
			break;
		}
	}
	/* Kept whole: opaque, or unknown and skipped (re-encoded as is). */
	prm->raw.len = t->len;
	prm->raw.data = t->val;
	return RSP_DECODE_OK;
}

/* Bytes of fixed fields between the header and the parameters. */
static size_t fixed_len(uint8_t ppid, uint8_t type)
{
	if (ppid == RSP_PPID_ENRP) {
		if (type == ENRP_HANDLE_UPDATE)
			return 12;
		if (type >= ENRP_INIT_TAKEOVER && type <= ENRP_TAKEOVER_SERVER)
			return 12;
		return 8;
	}
	if (type == ASAP_ENDPOINT_KEEP_ALIVE || type == ASAP_SERVER_ANNOUNCE)
		return 4;
	return 0;
}

enum rsp_decode_err rsp_msg_decode(struct rsp_msg *m, uint8_t ppid,
				   const uint8_t *p, size_t n)
{
	size_t len, fixed;
	struct rsp_tlv t;
	derr e = RSP_DECODE_OK;
	int r;

	memset(m, 0, offsetof(struct rsp_msg, params));
	m->unknown_reported = 0;
	m->unknown = NULL;
	m->unknown_len = 0;
	m->ppid = ppid;
	if (rsp_msg_header(p, n, &m->type, &m->flags, &len))
		return RSP_DECODE_MALFORMED;
	fixed = fixed_len(ppid, m->type);
	if (len < RSP_MSG_HDR + fixed)
		return RSP_DECODE_MALFORMED;
	p += RSP_MSG_HDR;
	n = len - RSP_MSG_HDR;
	if (ppid == RSP_PPID_ENRP) {
		m->sender = rsp_get32(p);
		m->receiver = rsp_get32(p + 4);
		if (m->type == ENRP_HANDLE_UPDATE)
			m->action = rsp_get16(p + 8);
		else if (fixed == 12)
			m->target = rsp_get32(p + 8);
	} else if (fixed) {
		m->server_id = rsp_get32(p);
	}
	p += fixed;
	n -= fixed;
	while ((r = rsp_tlv_next(&p, &n, &t)) > 0) {
		if (m->nparams == RSP_MAX_PARAMS) {
			e = RSP_DECODE_TOO_MANY;
			break;
		}
		e = decode_param(m, &m->params[m->nparams++], &t);
		if (e)
			break;
	}
	if (!e && r < 0)
		e = RSP_DECODE_MALFORMED;
	if (e)
		rsp_msg_free(m);
	return e;
}

void rsp_msg_free(struct rsp_msg *m)
{
	unsigned int i;

	for (i = 0; i < m->nparams; i++) {
		struct rsp_param *prm = &m->params[i];

		if (prm->type == RSP_P_PE)
			free(prm->pe);
		else if (prm->type == RSP_P_SERVER_INFO)
			free(prm->server);
		else if (is_transport(prm->type))
			free(prm->transport);
	}
	m->nparams = 0;
}

static void encode_transport(struct rsp_buf *b,
			     const struct rsp_p_transport *t)
{
	size_t s = rsp_tlv_begin(b, t->type);
	unsigned int i;

	rsp_put16(b, t->port);
	rsp_put16(b, t->use);
	if (t->type == RSP_P_DCCP)
		rsp_put32(b, t->service);
	for (i = 0; i < t->naddrs; i++) {
		size_t a = rsp_tlv_begin(b, t->addrs[i].type);

		rsp_put(b, t->addrs[i].a,
			t->addrs[i].type == RSP_P_IPV4 ? 4 : 16);
		rsp_tlv_end(b, a);
	}
	rsp_tlv_end(b, s);
}

static void encode_policy_value(struct rsp_buf *b,
				const struct rsp_p_policy *pol)
{
	unsigned int i;

	rsp_put32(b, pol->type);
	for (i = 0; i < pol->nwords; i++)
		rsp_put32(b, pol->w[i]);
}

static void encode_pe(struct rsp_buf *b, const struct rsp_p_pe *pe)
{
	size_t s = rsp_tlv_begin(b, RSP_P_PE), ps;

	rsp_put32(b, pe->id);
	rsp_put32(b, pe->home);
	rsp_put32(b, (uint32_t)pe->life);
	encode_transport(b, &pe->user);
	ps = rsp_tlv_begin(b, RSP_P_POLICY);
	encode_policy_value(b, &pe->policy);
	rsp_tlv_end(b, ps);
	if (pe->has_asap)
		encode_transport(b, &pe->asap);
	rsp_tlv_end(b, s);
}

void rsp_param_encode(struct rsp_buf *b, const struct rsp_param *prm)
{
	size_t s;

	switch (prm->type) {
	case RSP_P_PE:
		encode_pe(b, prm->pe);
		return;
	case RSP_P_DCCP: case RSP_P_SCTP: case RSP_P_TCP: case RSP_P_UDP:
	case RSP_P_UDPLITE:
		encode_transport(b, prm->transport);
		return;
	}
	s = rsp_tlv_begin(b, prm->type);
	switch (prm->type) {
	case RSP_P_HANDLE:
		rsp_put(b, prm->handle.data, prm->handle.len);
		break;
	case RSP_P_SERVER_INFO:
		rsp_put32(b, prm->server->id);
		encode_transport(b, &prm->server->transport);
		break;
	case RSP_P_POLICY:
		encode_policy_value(b, &prm->policy);
		break;
	case RSP_P_PE_ID:
	case RSP_P_HRO:
		rsp_put32(b, prm->u32);
		break;
	case RSP_P_CHECKSUM:
		rsp_put16(b, prm->checksum);
		break;
	default:
		rsp_put(b, prm->raw.data, prm->raw.len);
		break;
	}
	rsp_tlv_end(b, s);
}

void rsp_msg_encode(struct rsp_buf *b, const struct rsp_msg *m)
{
	size_t s = rsp_msg_begin(b, m->type, m->flags);
	size_t fixed = fixed_len(m->ppid, m->type);
	unsigned int i;

	if (m->ppid == RSP_PPID_ENRP) {
		rsp_put32(b, m->sender);
		rsp_put32(b, m->receiver);
		if (m->type == ENRP_HANDLE_UPDATE) {
			rsp_put16(b, m->action);
			rsp_put16(b, 0);
		} else if (fixed == 12) {
			rsp_put32(b, m->target);
		}
	} else if (fixed) {
		rsp_put32(b, m->server_id);
	}
	for (i = 0; i < m->nparams; i++)
		rsp_param_encode(b, &m->params[i]);
	rsp_msg_end(b, s);
}

void rsp_msg_init(struct rsp_msg *m, uint8_t ppid, uint8_t type,
		  uint8_t flags)
{
	m->ppid = ppid;
	m->type = type;
	m->flags = flags;
	m->sender = m->receiver = m->server_id = m->target = 0;
	m->action = 0;
	m->nparams = 0;
	m->unknown_reported = 0;
	m->unknown = NULL;
	m->unknown_len = 0;
}

struct rsp_param *rsp_msg_add(struct rsp_msg *m, uint16_t type)
{
	struct rsp_param *p;

	if (m->nparams == RSP_MAX_PARAMS)
		return NULL;
	p = &m->params[m->nparams++];
	p->type = type;
	return p;
}

void rsp_msg_add_handle(struct rsp_msg *m, const uint8_t *h, size_t len)
{
	struct rsp_param *p = rsp_msg_add(m, RSP_P_HANDLE);

	if (p) {
		p->handle.len = len;
		memcpy(p->handle.data, h, len);
	}
}

void rsp_msg_add_u32(struct rsp_msg *m, uint16_t type, uint32_t v)
{
	struct rsp_param *p = rsp_msg_add(m, type);

	if (p)
		p->u32 = v;
}

void rsp_msg_add_error(struct rsp_msg *m, struct rsp_buf *b, uint16_t cause,
		       const struct rsp_param *info, const uint8_t *raw,
		       size_t rawlen)
{
	struct rsp_param *p = rsp_msg_add(m, RSP_P_ERROR);

	if (!p)
		return;
	b->len = 0;
	b->pad = 0;
	b->failed = 0;
	rsp_put16(b, cause);
	rsp_put16(b, 4);
	if (info)
		rsp_param_encode(b, info);
	if (raw) {
		/* The cause's 16-bit length must hold it: the head of it. */
		if (rawlen > RSP_ERROR_RAW_MAX)
			rawlen = RSP_ERROR_RAW_MAX;
		rsp_put(b, raw, rawlen);
		while (b->len % 4)
			rsp_put8(b, 0);
	}
	if (b->failed || b->len > 0xffff) {
		m->nparams--;
		return;
	}
	b->p[2] = b->len >> 8;
	b->p[3] = b->len;
	p->raw.len = b->len;
	p->raw.data = b->p;
}

const struct rsp_param *rsp_msg_find(const struct rsp_msg *m, uint16_t type)
{
	unsigned int i;

	for (i = 0; i < m->nparams; i++)
		if (m->params[i].type == type)
			return &m->params[i];
	return NULL;
}
