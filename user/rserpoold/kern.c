// SPDX-License-Identifier: GPL-2.0
/* The kernel handlespace from the registrar: see kern.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "kern.h"

/* The largest PE_NEW put_msg() writes (644 bytes). */
#define ATTR(len)	(NLA_HDRLEN + NLA_ALIGN(len))
#define PUT_MSG_MAX	(NLMSG_HDRLEN + GENL_HDRLEN +			\
			 ATTR(RSP_HANDLE_MAX) + 3 * ATTR(4) + 3 * ATTR(2) +	\
			 ATTR(RSP_ADDRS_MAX * ATTR(16)) + 2 * ATTR(2) +	\
			 ATTR(RSP_ASAP_ADDRS_MAX * ATTR(16)) +		\
			 ATTR((RSP_POLICY_A_MAX + 1) * ATTR(4)) + 2 * ATTR(0))

/*
 * Requests written straight into one buffer, a batch: libnl's message
 * for each of a peer's 50 000 PEs, and its nla_put()s, took a third of
 * their putting.  A write past the end marks the buffer bad.
 */
struct wr {
	uint8_t *p;
	size_t len, cap;
	int bad;
};

/*
 * Inline, with the padding zeroed as one word before the value goes in:
 * a table's PEs are tens of thousands of these, and a library call for
 * each few bytes cost more than the writing.
 */
static inline void *w_attr(struct wr *w, int type, size_t len)
{
	struct nlattr *a = (struct nlattr *)(w->p + w->len);
	uint8_t *d = (uint8_t *)a + NLA_HDRLEN;
	static const uint32_t zero;

	if (w->bad || w->len + ATTR(len) > w->cap) {
		w->bad = 1;
		return NULL;
	}
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len & 3)
		memcpy(d + NLA_ALIGN(len) - 4, &zero, 4);
	w->len += ATTR(len);
	return d;
}

static inline void w_put(struct wr *w, int type, const void *v, size_t len)
{
	void *d = w_attr(w, type, len);

	if (d)
		memcpy(d, v, len);
}

static inline void w_u32(struct wr *w, int type, uint32_t v)
{
	w_put(w, type, &v, 4);
}

static inline void w_u16(struct wr *w, int type, uint16_t v)
{
	w_put(w, type, &v, 2);
}

static inline void w_u8(struct wr *w, int type, uint8_t v)
{
	w_put(w, type, &v, 1);
}

/* A nest: its start, for w_end(). */
static inline size_t w_nest(struct wr *w, int type)
{
	size_t at = w->len;

	w_attr(w, type | NLA_F_NESTED, 0);
	return at;
}

static inline void w_end(struct wr *w, size_t at)
{
	if (!w->bad)
		((struct nlattr *)(w->p + at))->nla_len = w->len - at;
}

static inline void w_addrs(struct wr *w, int type,
			   const struct rsp_p_addr *a, unsigned int n)
{
	size_t at = w_nest(w, type);
	unsigned int i;

	for (i = 0; i < n; i++)
		w_put(w, a[i].type == RSP_P_IPV4 ? RSP_ADDR_A_IPV4 :
						   RSP_ADDR_A_IPV6,
		      a[i].a, a[i].type == RSP_P_IPV4 ? 4 : 16);
	w_end(w, at);
}

/* A PE_NEW request's headers at the end of @w; where it starts. */
static size_t pe_new_hdr(struct rsp_nl *nl, struct wr *w, uint32_t seq)
{
	size_t start = w->len;
	struct nlmsghdr *h = (struct nlmsghdr *)(w->p + start);
	struct genlmsghdr *g;

	if (w->len + NLMSG_HDRLEN + GENL_HDRLEN > w->cap) {
		w->bad = 1;
		return start;
	}
	h->nlmsg_type = rsp_nl_family(nl);
	h->nlmsg_flags = NLM_F_REQUEST;
	h->nlmsg_seq = seq;
	h->nlmsg_pid = 0;
	g = (struct genlmsghdr *)(w->p + start + NLMSG_HDRLEN);
	g->cmd = RSP_CMD_PE_NEW;
	g->version = RSP_GENL_VERSION;
	g->reserved = 0;
	w->len += NLMSG_HDRLEN + GENL_HDRLEN;
	return start;
}

/* The flags of a put, and its length into its header at @start. */
static void pe_new_end(struct wr *w, size_t start, int quiet)
{
	w_attr(w, RSP_A_REPLACE, 0);
	if (quiet)
		w_attr(w, RSP_A_QUIET, 0);
	if (!w->bad)
		((struct nlmsghdr *)(w->p + start))->nlmsg_len = w->len - start;
}

/* The attributes of PE @r at the end of @w; -EOPNOTSUPP for its policy. */
static int pe_attrs(struct wr *w, const struct rsp_pe_rec *r)
{
	const uint8_t *words;
	unsigned int i, nw;
	size_t at;

	words = rsp_pe_policy_words(r->policy, &nw);
	if (!words)
		return -EOPNOTSUPP;
	w_put(w, RSP_A_POOL_HANDLE, r->handle, r->handle_len);
	w_u32(w, RSP_A_PE_ID, r->id);
	w_u32(w, RSP_A_PE_HOME, r->home);
	w_u32(w, RSP_A_PE_LIFETIME, r->lifetime_ms);
	w_u8(w, RSP_A_PE_PROTO, r->proto);
	w_u16(w, RSP_A_PE_PORT, r->port);
	if (r->proto == IPPROTO_SCTP)
		w_u8(w, RSP_A_PE_TRANSPORT_USE, r->use);
	w_addrs(w, RSP_A_PE_ADDRS, r->addrs, r->naddrs);
	/*
	 * Its ASAP transport, for keep-alives after a restart or takeover,
	 * and for peers reading our table.
	 */
	if (r->has_asap && (r->asap.type == RSP_P_SCTP ||
			    r->asap.type == RSP_P_TCP) && r->asap.port &&
	    r->asap.naddrs) {
		w_u16(w, RSP_A_PE_ASAP_PORT, r->asap.port);
		w_u8(w, RSP_A_PE_ASAP_PROTO, r->asap.type == RSP_P_TCP ?
					     IPPROTO_TCP : IPPROTO_SCTP);
		w_addrs(w, RSP_A_PE_ASAP_ADDRS, r->asap.addrs,
			r->asap.naddrs < RSP_ASAP_ADDRS_MAX ?
			r->asap.naddrs : RSP_ASAP_ADDRS_MAX);
	}
	at = w_nest(w, RSP_A_PE_POLICY);
	w_u32(w, RSP_POLICY_A_TYPE, r->policy);
	for (i = 0; i < nw; i++)
		w_u32(w, words[i], r->param[words[i]]);
	w_end(w, at);
	return 0;
}

/*
 * The PE_NEW (replace) of @r at the end of @w, with sequence number @seq
 * and no ACK asked for; 0 or -errno (@w as it was).  Every write is
 * checked: PUT_MSG_MAX is a sum that an attribute added later could
 * outgrow, and a PE cut short must not reach the kernel.
 */
static int put_msg(struct rsp_nl *nl, struct wr *w,
		   const struct rsp_pe_rec *r, uint32_t seq, int quiet)
{
	size_t start = pe_new_hdr(nl, w, seq);
	int err = pe_attrs(w, r);

	pe_new_end(w, start, quiet);
	if (err || w->bad) {
		w->len = start;
		w->bad = 0;
		return err ? err : -EMSGSIZE;
	}
	return 0;
}

/*
 * @n PEs in one request, one RSP_A_PE nest each: 0 if the kernel took
 * them all, else -errno (-EOPNOTSUPP: one has a policy we do not know),
 * and rsp_kern_put_many() puts them one a request, with an error each.
 */
static int put_nested(struct rsp_nl *nl, const struct rsp_pe_rec *r,
		      unsigned int n, int quiet, uint8_t *buf, size_t cap)
{
	struct wr w = { buf, 0, cap, 0 };
	uint32_t seq = rsp_nl_seqs(nl, 1);
	unsigned int i;
	size_t start = pe_new_hdr(nl, &w, seq), at;
	int err = 0, e;

	for (i = 0; i < n && !err; i++) {
		at = w_nest(&w, RSP_A_PE);
		err = pe_attrs(&w, &r[i]);
		w_end(&w, at);
	}
	pe_new_end(&w, start, quiet);
	if (err || w.bad)
		return err ? err : -EMSGSIZE;
	((struct nlmsghdr *)buf)->nlmsg_flags |= NLM_F_ACK;
	err = rsp_nl_batch(nl, buf, w.len, 1, seq, &e);
	return err ? err : e;
}

int rsp_kern_put(struct rsp_nl *nl, const struct rsp_pe_rec *r)
{
	int err, e = rsp_kern_put_many(nl, r, 1, 0, &err);

	return e ? e : err;
}

int rsp_kern_put_many(struct rsp_nl *nl, const struct rsp_pe_rec *r,
		      unsigned int n, int quiet, int *errs)
{
	/* Under the daemon's lock, as rsp_nl_batch()'s buffers. */
	static uint8_t buf[RSP_KERN_BATCH * PUT_MSG_MAX];
	struct wr w = { buf, 0, sizeof(buf), 0 };
	unsigned int i, k = 0, at[RSP_KERN_BATCH];
	int e[RSP_KERN_BATCH], err = 0;
	size_t last = 0;
	uint32_t first;

	if (n > RSP_KERN_BATCH)
		return -E2BIG;
	/* All in one request; if one fails, each in its own, for its error. */
	if (n > 1 && !put_nested(nl, r, n, quiet, buf, sizeof(buf))) {
		memset(errs, 0, n * sizeof(*errs));
		return 0;
	}
	nl->msg[0] = nl->attr[0] = 0;	/* none of an earlier request's */
	/* Those written number on from first, one after another. */
	first = rsp_nl_seqs(nl, n);
	for (i = 0; i < n; i++) {
		size_t start = w.len;

		errs[i] = put_msg(nl, &w, &r[i], first + k, quiet);
		if (errs[i])
			continue;
		last = start;
		at[k++] = i;
	}
	if (k) {
		/* The last asks for the ACK that ends the batch. */
		((struct nlmsghdr *)(buf + last))->nlmsg_flags |= NLM_F_ACK;
		err = rsp_nl_batch(nl, buf, w.len, k, first, e);
	}
	for (i = 0; i < k; i++)
		errs[at[i]] = err ? err : e[i];
	return err;
}

/* A request about one PE: @cmd with its pool handle and ID. */
static int pe_request(struct rsp_nl *nl, int cmd, const uint8_t *handle,
		      size_t len, uint32_t id)
{
	/* Not libnl's page, zeroed: a deregistration sends 100 bytes. */
	struct nl_msg *m = rsp_nl_msg_size(nl, cmd, 0, NLMSG_HDRLEN +
					   GENL_HDRLEN +
					   ATTR(RSP_HANDLE_MAX) + ATTR(4));

	if (!m)
		return -ENOMEM;
	if (nla_put(m, RSP_A_POOL_HANDLE, len, handle) ||
	    nla_put_u32(m, RSP_A_PE_ID, id)) {
		nlmsg_free(m);
		return -EMSGSIZE;
	}
	return rsp_nl_talk(nl, m, NULL, NULL);
}

int rsp_kern_del(struct rsp_nl *nl, const uint8_t *handle, size_t len,
		 uint32_t id)
{
	return pe_request(nl, RSP_CMD_PE_DEL, handle, len, id);
}

static int got_count(struct nlattr **tb, int cmd, void *arg)
{
	(void)cmd;
	if (tb[RSP_A_COUNT])
		*(int *)arg = (int)nla_get_u32(tb[RSP_A_COUNT]);
	return 0;
}

static int got_pes(struct nlattr **tb, int cmd, void *arg)
{
	struct nlattr *st[RSP_STAT_A_MAX + 1];

	(void)cmd;
	if (tb[RSP_A_STATS] &&
	    !rsp_nl_nest(st, RSP_STAT_A_MAX, tb[RSP_A_STATS]) &&
	    st[RSP_STAT_A_PES])
		*(long *)arg = nla_get_u32(st[RSP_STAT_A_PES]);
	return 0;
}

long rsp_kern_count(struct rsp_nl *nl)
{
	struct nl_msg *m = rsp_nl_msg(nl, RSP_CMD_STATS_GET, 0);
	long n = -EPROTO;
	int err;

	if (!m)
		return -ENOMEM;
	err = rsp_nl_talk(nl, m, got_pes, &n);
	return err ? err : n;
}

int rsp_kern_del_home(struct rsp_nl *nl, uint32_t home)
{
	struct nl_msg *m = rsp_nl_msg(nl, RSP_CMD_DEL_HOME, 0);
	int n = 0, err;

	if (!m)
		return -ENOMEM;
	nla_put_u32(m, RSP_A_PE_HOME, home);
	err = rsp_nl_talk(nl, m, got_count, &n);
	return err ? err : n;
}

struct home_sum {
	uint32_t n;
	uint16_t sum;
	int got;
};

static int got_home(struct nlattr **tb, int cmd, void *arg)
{
	struct home_sum *h = arg;

	(void)cmd;
	if (tb[RSP_A_COUNT] && tb[RSP_A_HOME_CHECKSUM]) {
		h->n = nla_get_u32(tb[RSP_A_COUNT]);
		h->sum = nla_get_u16(tb[RSP_A_HOME_CHECKSUM]);
		h->got = 1;
	}
	return 0;
}

int rsp_kern_home(struct rsp_nl *nl, uint32_t home, uint32_t *n,
		  uint16_t *sum)
{
	struct nl_msg *m = rsp_nl_msg(nl, RSP_CMD_HOME_GET, 0);
	struct home_sum h = { 0 };
	int err;

	if (!m)
		return -ENOMEM;
	nla_put_u32(m, RSP_A_PE_HOME, home);
	err = rsp_nl_talk(nl, m, got_home, &h);
	if (err)
		return err;
	if (!h.got)
		return -EPROTO;
	if (n)
		*n = h.n;
	if (sum)
		*sum = h.sum;
	return 0;
}

int rsp_kern_report(struct rsp_nl *nl, const uint8_t *handle, size_t len,
		    uint32_t id)
{
	return pe_request(nl, RSP_CMD_REPORT, handle, len, id);
}

/* The addresses of a nest of RSP_ADDR_A_*, at most @max; how many. */
static unsigned int get_addrs(struct nlattr *nest, struct rsp_p_addr *out,
			      unsigned int max)
{
	unsigned int n = 0;
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, nest, rem) {
		if (n == max)
			break;
		memset(&out[n], 0, sizeof(out[n]));
		if (nla_type(a) == RSP_ADDR_A_IPV4 && nla_len(a) == 4)
			out[n].type = RSP_P_IPV4;
		else if (nla_type(a) == RSP_ADDR_A_IPV6 && nla_len(a) == 16)
			out[n].type = RSP_P_IPV6;
		else
			continue;
		memcpy(out[n++].a, nla_data(a), nla_len(a));
	}
	return n;
}

int rsp_kern_rec(struct rsp_pe_rec *r, struct nlattr **tb,
		 const uint8_t *handle, size_t len)
{
	struct nlattr *pol[RSP_POLICY_A_MAX + 1];
	int i;

	rsp_pe_rec_clear(r);
	if (!tb[RSP_A_PE_ID] || !tb[RSP_A_PE_PROTO] || !tb[RSP_A_PE_PORT] ||
	    !tb[RSP_A_PE_ADDRS] || !tb[RSP_A_PE_POLICY] ||
	    len > RSP_HANDLE_MAX)
		return -EINVAL;
	r->handle_len = len;
	memcpy(r->handle, handle, len);
	r->id = nla_get_u32(tb[RSP_A_PE_ID]);
	if (tb[RSP_A_PE_HOME])
		r->home = nla_get_u32(tb[RSP_A_PE_HOME]);
	if (tb[RSP_A_PE_LIFETIME])
		r->lifetime_ms = nla_get_u32(tb[RSP_A_PE_LIFETIME]);
	r->proto = nla_get_u8(tb[RSP_A_PE_PROTO]);
	r->port = nla_get_u16(tb[RSP_A_PE_PORT]);
	if (tb[RSP_A_PE_TRANSPORT_USE])
		r->use = nla_get_u8(tb[RSP_A_PE_TRANSPORT_USE]);
	r->naddrs = get_addrs(tb[RSP_A_PE_ADDRS], r->addrs, RSP_ADDRS_MAX);
	if (tb[RSP_A_PE_ASAP_PORT] && tb[RSP_A_PE_ASAP_ADDRS]) {
		struct rsp_pe_asap *t = &r->asap;

		t->type = tb[RSP_A_PE_ASAP_PROTO] &&
			  nla_get_u8(tb[RSP_A_PE_ASAP_PROTO]) == IPPROTO_TCP ?
			  RSP_P_TCP : RSP_P_SCTP;
		t->port = nla_get_u16(tb[RSP_A_PE_ASAP_PORT]);
		t->naddrs = get_addrs(tb[RSP_A_PE_ASAP_ADDRS], t->addrs,
				      RSP_ADDRS_MAX);
		r->has_asap = t->naddrs > 0;
	}
	if (rsp_nl_nest(pol, RSP_POLICY_A_MAX, tb[RSP_A_PE_POLICY]) ||
	    !pol[RSP_POLICY_A_TYPE])
		return -EINVAL;
	r->policy = nla_get_u32(pol[RSP_POLICY_A_TYPE]);
	for (i = RSP_POLICY_A_TYPE + 1; i <= RSP_POLICY_A_MAX; i++)
		if (pol[i])
			r->param[i] = nla_get_u32(pol[i]);
	return 0;
}

/* From the socket option's PE: its wire form needs nothing else. */
static void from_so(struct rsp_pe_rec *r, const struct rsp_so_pe *pe,
		    const uint8_t *handle, size_t len)
{
	unsigned int i;

	rsp_pe_rec_clear(r);
	r->handle_len = len;
	memcpy(r->handle, handle, len);
	r->id = pe->id;
	r->home = pe->home;
	r->lifetime_ms = pe->lifetime_ms;
	r->proto = pe->proto;
	r->use = pe->use;
	r->port = pe->port;
	for (i = 0; i < pe->addrs_count && i < RSP_ADDRS_MAX; i++) {
		int v4 = pe->addrs[i].family == AF_INET;

		r->addrs[i].type = v4 ? RSP_P_IPV4 : RSP_P_IPV6;
		memcpy(r->addrs[i].a, pe->addrs[i].addr, v4 ? 4 : 16);
	}
	r->naddrs = i;
	r->policy = pe->policy;
	r->param[RSP_POLICY_A_WEIGHT] = pe->weight;
	r->param[RSP_POLICY_A_PRIORITY] = pe->priority;
	r->param[RSP_POLICY_A_LOAD] = pe->load;
	r->param[RSP_POLICY_A_LOAD_DEG] = pe->load_deg;
	/* One field for both: the policy has one or the other. */
	r->param[RSP_POLICY_A_WEIGHT_DPF] = pe->dpf;
	r->param[RSP_POLICY_A_LOAD_DPF] = pe->dpf;
	r->param[RSP_POLICY_A_DISTANCE] = pe->distance;
}

int rsp_kern_resolve(int fd, const uint8_t *handle, size_t len,
		     unsigned int max, struct rsp_pe_rec *out,
		     unsigned int *n)
{
	static union {
		struct rsp_so_resolve r;
		uint8_t room[sizeof(struct rsp_so_resolve) +
			     RSP_RESOLVE_MAX * sizeof(struct rsp_so_pe)];
	} u;
	socklen_t room;
	unsigned int i;

	*n = 0;
	if (len > RSP_HANDLE_MAX || !max || max > RSP_RESOLVE_MAX)
		return -EINVAL;
	u.r.handle.len = len;
	memcpy(u.r.handle.data, handle, len);
	u.r.count = max;
	room = sizeof(u.r) + max * sizeof(u.r.pe[0]);
	if (getsockopt(fd, SOL_IP, RSP_SO_RESOLVE, &u, &room))
		return -errno;
	for (i = 0; i < u.r.count && i < max; i++)
		from_so(&out[i], &u.r.pe[i], handle, len);
	*n = i;
	return 0;
}

struct dump {
	rsp_kern_pe_cb cb;
	void *arg;
	struct rsp_pe_rec r;
};

static int got_pe(struct nlattr **tb, int cmd, void *arg)
{
	struct dump *d = arg;

	(void)cmd;
	if (!tb[RSP_A_POOL_HANDLE] ||
	    rsp_kern_rec(&d->r, tb, nla_data(tb[RSP_A_POOL_HANDLE]),
			 nla_len(tb[RSP_A_POOL_HANDLE])))
		return 0;
	return d->cb(&d->r, d->arg);
}

/* A dump's context: @cb and its argument, and the PE being handed. */
static struct dump *dump_new(rsp_kern_pe_cb cb, void *arg)
{
	struct dump *d = malloc(sizeof(*d));

	if (d) {
		d->cb = cb;
		d->arg = arg;
	}
	return d;
}

int rsp_kern_dump(struct rsp_nl *nl, rsp_kern_pe_cb cb, void *arg)
{
	struct nl_msg *m = rsp_nl_msg(nl, RSP_CMD_PE_GET, NLM_F_DUMP);
	struct dump *d = dump_new(cb, arg);
	int err;

	if (!m || !d) {
		nlmsg_free(m);
		free(d);
		return -ENOMEM;
	}
	err = rsp_nl_talk(nl, m, got_pe, d);
	free(d);
	return err;
}

int rsp_kern_dump_start(struct rsp_nl *nl)
{
	struct nl_msg *m = rsp_nl_msg(nl, RSP_CMD_PE_GET, NLM_F_DUMP);

	return m ? rsp_nl_dump_start(nl, m) : -ENOMEM;
}

int rsp_kern_dump_more(struct rsp_nl *nl, rsp_kern_pe_cb cb, void *arg)
{
	struct dump *d = dump_new(cb, arg);
	int err;

	if (!d)
		return -ENOMEM;
	err = rsp_nl_dump_more(nl, got_pe, d);
	free(d);
	return err;
}

int rsp_kern_has(struct rsp_nl *nl, const uint8_t *handle, size_t len,
		 uint32_t id)
{
	int err = pe_request(nl, RSP_CMD_PE_GET, handle, len, id);

	return err == -ENOENT ? 0 : err ? err : 1;
}

/* Collects the PEs of one home. */
struct of_home {
	uint32_t home;
	struct rsp_pe_rec *v;
	size_t n, cap;
};

static int collect(const struct rsp_pe_rec *r, void *arg)
{
	struct of_home *o = arg;

	if (r->home != o->home)
		return 0;
	if (o->n == o->cap) {
		size_t cap = o->cap ? 2 * o->cap : 16;
		struct rsp_pe_rec *v = realloc(o->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		o->v = v;
		o->cap = cap;
	}
	o->v[o->n++] = *r;
	return 0;
}

int rsp_kern_of_home(struct rsp_nl *nl, uint32_t home, struct rsp_pe_rec **v,
		     size_t *n)
{
	struct of_home o = { home, NULL, 0, 0 };
	int err = rsp_kern_dump(nl, collect, &o);

	if (err < 0) {
		free(o.v);
		o.v = NULL;
		o.n = 0;
	}
	*v = o.v;
	*n = o.n;
	return err < 0 ? err : 0;
}
