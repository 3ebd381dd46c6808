// SPDX-License-Identifier: GPL-2.0
/*
 * The rserpool generic netlink family from userspace: connection, request
 * and answer, extack decoding, events.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static const char *const top_names[RSP_A_MAX + 1] = {
	[RSP_A_POOL_HANDLE] = "RSP_A_POOL_HANDLE",
	[RSP_A_PE_ID] = "RSP_A_PE_ID",
	[RSP_A_PE_HOME] = "RSP_A_PE_HOME",
	[RSP_A_PE_LIFETIME] = "RSP_A_PE_LIFETIME",
	[RSP_A_PE_PROTO] = "RSP_A_PE_PROTO",
	[RSP_A_PE_PORT] = "RSP_A_PE_PORT",
	[RSP_A_PE_TRANSPORT_USE] = "RSP_A_PE_TRANSPORT_USE",
	[RSP_A_PE_ADDRS] = "RSP_A_PE_ADDRS",
	[RSP_A_PE_POLICY] = "RSP_A_PE_POLICY",
	[RSP_A_COUNT] = "RSP_A_COUNT",
	[RSP_A_LIMITS] = "RSP_A_LIMITS",
	[RSP_A_PE_ASAP_PORT] = "RSP_A_PE_ASAP_PORT",
	[RSP_A_PE_ASAP_ADDRS] = "RSP_A_PE_ASAP_ADDRS",
};

static const char *const addr_names[RSP_ADDR_A_MAX + 1] = {
	[RSP_ADDR_A_IPV4] = "RSP_ADDR_A_IPV4",
	[RSP_ADDR_A_IPV6] = "RSP_ADDR_A_IPV6",
};

static const char *const policy_names[RSP_POLICY_A_MAX + 1] = {
	[RSP_POLICY_A_TYPE] = "RSP_POLICY_A_TYPE",
	[RSP_POLICY_A_WEIGHT] = "RSP_POLICY_A_WEIGHT",
	[RSP_POLICY_A_PRIORITY] = "RSP_POLICY_A_PRIORITY",
	[RSP_POLICY_A_LOAD] = "RSP_POLICY_A_LOAD",
	[RSP_POLICY_A_LOAD_DEG] = "RSP_POLICY_A_LOAD_DEG",
	[RSP_POLICY_A_WEIGHT_DPF] = "RSP_POLICY_A_WEIGHT_DPF",
	[RSP_POLICY_A_LOAD_DPF] = "RSP_POLICY_A_LOAD_DPF",
	[RSP_POLICY_A_DISTANCE] = "RSP_POLICY_A_DISTANCE",
};

static const char *const limit_names[RSP_LIMIT_A_MAX + 1] = {
	[RSP_LIMIT_A_MAX_POOLS] = "RSP_LIMIT_A_MAX_POOLS",
	[RSP_LIMIT_A_MAX_PES] = "RSP_LIMIT_A_MAX_PES",
	[RSP_LIMIT_A_MAX_POOL_PES] = "RSP_LIMIT_A_MAX_POOL_PES",
	[RSP_LIMIT_A_REPORT_THRESHOLD] = "RSP_LIMIT_A_REPORT_THRESHOLD",
};

static const char *name_of(const char *const *names, int max, int type)
{
	return type <= max && names[type] ? names[type] : NULL;
}

/*
 * Names the attribute at byte @off of our own request @req, descending
 * into the nests we send, so that a policy rejection says which one.
 */
static void attr_path(const struct nlmsghdr *req, uint32_t off, char *buf,
		      size_t len)
{
	const char *base = (const char *)req;
	const struct nlattr *a = (const void *)(base + NLMSG_HDRLEN +
						GENL_HDRLEN);
	int rem = req->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	const char *outer = NULL;

	buf[0] = 0;
	while (nla_ok(a, rem)) {
		uint32_t start = (const char *)a - base;
		int type = nla_type(a);

		if (off < start || off >= start + a->nla_len) {
			a = nla_next(a, &rem);
			continue;
		}
		if (!outer) {
			const char *const *inner = NULL;
			int max = 0;

			outer = name_of(top_names, RSP_A_MAX, type);
			if (!outer)
				outer = "unknown attribute";
			if (off == start)
				break;
			if (type == RSP_A_PE_ADDRS || type == RSP_A_PE_ASAP_ADDRS)
				inner = addr_names, max = RSP_ADDR_A_MAX;
			else if (type == RSP_A_PE_POLICY)
				inner = policy_names, max = RSP_POLICY_A_MAX;
			else if (type == RSP_A_LIMITS)
				inner = limit_names, max = RSP_LIMIT_A_MAX;
			if (!inner)
				break;
			rem = nla_len(a);
			a = nla_data(a);
			while (nla_ok(a, rem)) {
				start = (const char *)a - base;
				if (off >= start && off < start + a->nla_len) {
					const char *n = name_of(inner, max,
								nla_type(a));

					snprintf(buf, len, "%s/%s", outer,
						 n ? n : "unknown attribute");
					return;
				}
				a = nla_next(a, &rem);
			}
			break;
		}
	}
	if (outer)
		snprintf(buf, len, "%s", outer);
}

/*
 * The @len bytes of attributes at @a by type, as libnl's nla_parse()
 * without a policy, but -EINVAL for one that runs past the end.  Every
 * message read here is parsed by it: every PE of a dump passes (a peer's
 * table is tens of thousands), and libnl's, a function call for each
 * step of each attribute, took a fifth of the reading of a table.
 */
static int parse(struct nlattr **tb, int max, struct nlattr *a, int len)
{
	memset(tb, 0, (max + 1) * sizeof(*tb));
	while (len >= NLA_HDRLEN) {
		int type = a->nla_type & NLA_TYPE_MASK;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return -EINVAL;
		if (type <= max)
			tb[type] = a;
		len -= NLA_ALIGN(a->nla_len);
		a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
	}
	return 0;
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct rsp_nl *nl = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };
	size_t req_len = sizeof(struct nlmsghdr);
	char *tlv;
	int tlen;

	(void)who;
	nl->done = 1;
	nl->err = e->error;
	nl->msg[0] = nl->attr[0] = 0;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		req_len = e->msg.nlmsg_len;
	tlv = (char *)&e->msg + NLMSG_ALIGN(req_len);
	tlen = (char *)nlh + nlh->nlmsg_len - tlv;
	if (tlen <= 0 || parse(tb, NLMSGERR_ATTR_MAX, (void *)tlv, tlen))
		return NL_STOP;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(nl->msg, sizeof(nl->msg), "%s",
			 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_OFFS] && !(nlh->nlmsg_flags & NLM_F_CAPPED))
		attr_path(&e->msg, nla_get_u32(tb[NLMSGERR_ATTR_OFFS]),
			  nl->attr, sizeof(nl->attr));
	return NL_STOP;
}

struct talk {
	struct rsp_nl *nl;
	rsp_nl_cb cb;
	void *arg;
	int ret;
	uint32_t seq;			/* of the request */
};

/* An answer to @t's request: its attributes to the callback. */
static void valid(struct talk *t, struct nlmsghdr *nlh)
{
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct nlattr *tb[RSP_A_MAX + 1];

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		t->nl->dump_intr = 1;
	if (parse(tb, RSP_A_MAX, genlmsg_attrdata(gh, 0),
		  genlmsg_attrlen(gh, 0)))
		return;
	t->nl->attrs = genlmsg_attrdata(gh, 0);
	t->nl->attrlen = genlmsg_attrlen(gh, 0);
	if (t->cb)
		t->ret = t->cb(tb, gh->cmd, t->arg);
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct talk *t = arg;

	valid(t, nlmsg_hdr(msg));
	return t->ret ? NL_STOP : NL_OK;
}

/* A dump that failed ends with NLMSG_DONE holding the errno and TLVs. */
static void on_finish(struct rsp_nl *nl, struct nlmsghdr *nlh)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	int len = nlmsg_datalen(nlh);
	int err;

	nl->done = 1;
	if (len < (int)sizeof(int))
		return;
	memcpy(&err, nlmsg_data(nlh), sizeof(err));
	if (err >= 0)
		return;
	nl->err = err;
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    !parse(tb, NLMSGERR_ATTR_MAX,
		   (struct nlattr *)((char *)nlmsg_data(nlh) + sizeof(int)),
		   len - sizeof(int)) && tb[NLMSGERR_ATTR_MSG])
		snprintf(nl->msg, sizeof(nl->msg), "%s",
			 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
}

/*
 * Answers are read here, not by libnl, which copies each message into a
 * buffer of its own (a dump of a peer's 50 000 PEs is as many) and peeks
 * before every read.  A dump's part is 32 KiB at most.
 */
static uint8_t rbuf[1 << 16];

int rsp_nl_open(struct rsp_nl *nl)
{
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk || genl_connect(nl->sk)) {
		fprintf(stderr, "%s: cannot open a generic netlink socket\n",
			program_invocation_short_name);
		return -1;
	}
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	nl_socket_set_buffer_size(nl->sk, 1 << 20, 1 << 20);
	nl_socket_enable_msg_peek(nl->sk);
	nl->family = genl_ctrl_resolve(nl->sk, RSP_GENL_NAME);
	if (nl->family < 0) {
		fprintf(stderr,
			"%s: the rserpool module is not loaded (no generic netlink family \"%s\"); load it with: modprobe rserpool\n",
			program_invocation_short_name, RSP_GENL_NAME);
		nl_socket_free(nl->sk);
		nl->sk = NULL;
		return -1;
	}
	return 0;
}

void rsp_nl_close(struct rsp_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
	free(nl->dbuf);
	nl->dbuf = NULL;
}

struct nl_msg *rsp_nl_msg(struct rsp_nl *nl, int cmd, int flags)
{
	return rsp_nl_msg_size(nl, cmd, flags, 0);
}

struct nl_msg *rsp_nl_msg_size(struct rsp_nl *nl, int cmd, int flags,
			       size_t size)
{
	struct nl_msg *msg = size ? nlmsg_alloc_size(size) : nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
				flags | NLM_F_REQUEST | NLM_F_ACK, cmd,
				RSP_GENL_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

/* Sends @msg (and frees it) as a new request: its sequence number. */
static int request(struct rsp_nl *nl, struct nl_msg *msg, uint32_t *seq)
{
	int err;

	nl->err = 0;
	nl->msg[0] = nl->attr[0] = 0;
	nl->dump_intr = 0;
	nl->done = 0;
	err = nl_send_auto(nl->sk, msg);
	*seq = nlmsg_hdr(msg)->nlmsg_seq;
	nlmsg_free(msg);
	if (err < 0) {
		nl->done = 1;
		nl->err = -EIO;
	}
	return nl->err;
}

/* The next answers into @buf (sizeof(rbuf)): their length, or -errno. */
static ssize_t read_answers(struct rsp_nl *nl, uint8_t *buf)
{
	ssize_t r;

	do
		r = recv(nl_socket_get_fd(nl->sk), buf, sizeof(rbuf), MSG_TRUNC);
	while (r < 0 && errno == EINTR);
	/* An empty read carries no answer: an error, or callers loop. */
	if (r > 0 && r <= (ssize_t)sizeof(rbuf))
		return r;
	snprintf(nl->msg, sizeof(nl->msg), "reading the answer: %s",
		 strerror(r < 0 ? errno : r ? EMSGSIZE : ENODATA));
	nl->done = 1;
	nl->err = -EIO;
	return nl->err;
}

/* One answer to @t's request; the last sets nl->done. */
static void answer(struct talk *t, struct nlmsghdr *h)
{
	if (h->nlmsg_seq != t->seq)
		return;			/* an earlier request's */
	if (h->nlmsg_type == NLMSG_ERROR)
		on_error(NULL, nlmsg_data(h), t->nl);
	else if (h->nlmsg_type == NLMSG_DONE)
		on_finish(t->nl, h);
	else if (h->nlmsg_type >= NLMSG_MIN_TYPE && !t->ret)
		valid(t, h);
}

int rsp_nl_talk(struct rsp_nl *nl, struct nl_msg *msg, rsp_nl_cb cb,
		void *arg)
{
	struct talk t = { nl, cb, arg, 0, 0 };
	ssize_t r;

	if (request(nl, msg, &t.seq))
		return nl->err;
	/* To the ACK, error or DONE that ends the answer, whatever cb says. */
	while (!nl->done) {
		struct nlmsghdr *h = (struct nlmsghdr *)rbuf;

		r = read_answers(nl, rbuf);
		for (; r > 0 && NLMSG_OK(h, r); h = NLMSG_NEXT(h, r))
			answer(&t, h);
	}
	return nl->err ? nl->err : t.ret;
}

int rsp_nl_dump_start(struct rsp_nl *nl, struct nl_msg *msg)
{
	nl->doff = nl->dlen = 0;
	if (!nl->dbuf)
		nl->dbuf = malloc(sizeof(rbuf));
	if (!nl->dbuf) {
		nlmsg_free(msg);
		nl->done = 1;
		return nl->err = -ENOMEM;
	}
	return request(nl, msg, &nl->dseq);
}

int rsp_nl_dump_more(struct rsp_nl *nl, rsp_nl_cb cb, void *arg)
{
	struct talk t = { nl, cb, arg, 0, nl->dseq };
	ssize_t r;

	while (!nl->done) {
		struct nlmsghdr *h = (struct nlmsghdr *)(nl->dbuf + nl->doff);

		if (!NLMSG_OK(h, (ssize_t)(nl->dlen - nl->doff))) {
			r = read_answers(nl, nl->dbuf);
			nl->doff = 0;
			nl->dlen = r > 0 ? r : 0;
			continue;
		}
		t.ret = 0;
		answer(&t, h);
		if (t.ret == 1)
			return 1;	/* offered again at the next call */
		if (t.ret < 0) {
			nl->done = 1;
			nl->err = t.ret;
		}
		nl->doff += NLMSG_ALIGN(h->nlmsg_len);
	}
	return nl->err;
}

uint16_t rsp_nl_family(const struct rsp_nl *nl)
{
	return nl->family;
}

uint32_t rsp_nl_seqs(struct rsp_nl *nl, unsigned int n)
{
	uint32_t first = nl_socket_use_seq(nl->sk);

	while (n-- > 1)
		nl_socket_use_seq(nl->sk);
	return first;
}

int rsp_nl_batch(struct rsp_nl *nl, const void *buf, size_t len,
		 unsigned int n, uint32_t first, int *errs)
{
	int fd = nl_socket_get_fd(nl->sk);
	unsigned int i;
	int done = !n;
	ssize_t r;

	nl->err = 0;
	nl->msg[0] = nl->attr[0] = 0;
	for (i = 0; i < n; i++)
		errs[i] = 0;
	/* The kernel runs them in turn; the answers queue up. */
	if (n && send(fd, buf, len, 0) != (ssize_t)len)
		return -errno;
	while (!done) {
		struct nlmsghdr *h = (struct nlmsghdr *)rbuf;

		r = read_answers(nl, rbuf);
		if (r <= 0)
			return r < 0 ? r : -EIO;
		for (; NLMSG_OK(h, r); h = NLMSG_NEXT(h, r)) {
			const struct nlmsgerr *e = NLMSG_DATA(h);
			uint32_t k = h->nlmsg_seq - first;

			if (h->nlmsg_type != NLMSG_ERROR || k >= n)
				continue;	/* not an answer to the batch */
			errs[k] = e->error;
			if (e->error && !nl->err)
				on_error(NULL, (struct nlmsgerr *)e, nl);
			done = k == n - 1;
		}
	}
	return 0;
}

void rsp_nl_perror(const struct rsp_nl *nl, const char *what)
{
	fprintf(stderr, "%s: %s: %s", program_invocation_short_name, what,
		strerror(-nl->err));
	if (nl->msg[0])
		fprintf(stderr, ": %s", nl->msg);
	if (nl->attr[0] && !strstr(nl->msg, nl->attr))
		fprintf(stderr, " (attribute %s)", nl->attr);
	fputc('\n', stderr);
}

int rsp_nl_subscribe(struct rsp_nl *nl)
{
	nl->group = genl_ctrl_resolve_grp(nl->sk, RSP_GENL_NAME,
					  RSP_GENL_MCGRP);
	if (nl->group < 0)
		return nl->group;
	nl_socket_disable_seq_check(nl->sk);
	return nl_socket_add_membership(nl->sk, nl->group);
}

static int no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

/*
 * Follows the group until cb returns non-zero or *stop is set by a signal
 * handler for one of the signals in 'sigs'.  libnl retries a receive that
 * a signal interrupts, so the wait is a ppoll() that lets those signals
 * in only while it sleeps: a signal cannot slip between the check of
 * *stop and the wait.
 */
int rsp_nl_listen(struct rsp_nl *nl, rsp_nl_cb cb, void *arg,
		  const sigset_t *sigs, volatile sig_atomic_t *stop)
{
	struct talk t = { nl, cb, arg, 0, 0 };
	struct nl_cb *c = nl_cb_alloc(NL_CB_DEFAULT);
	struct pollfd pfd = { .fd = nl_socket_get_fd(nl->sk), .events = POLLIN };
	sigset_t old;
	int err = 0;

	if (!c)
		return -ENOMEM;
	/* Events carry sequence number 0; this cb is not the socket's. */
	nl_cb_set(c, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	nl_cb_set(c, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &t);
	sigprocmask(SIG_BLOCK, sigs, &old);
	while (!t.ret && !*stop) {
		if (ppoll(&pfd, 1, NULL, &old) < 0) {
			if (errno == EINTR)
				continue;
			err = -nl_syserr2nlerr(errno);
			break;
		}
		err = nl_recvmsgs(nl->sk, c);
		/* Events lost to a full buffer: say so and go on. */
		if (err == -NLE_NOMEM) {
			fprintf(stderr, "%s: events were lost (socket buffer full)\n",
				program_invocation_short_name);
			continue;
		}
		if (err < 0)
			break;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	nl_cb_put(c);
	return err < 0 ? err : t.ret;
}

int rsp_nl_drain(struct rsp_nl *nl, rsp_nl_cb cb, void *arg)
{
	struct talk t = { nl, cb, arg, 0, 0 };
	struct nl_cb *c = nl_cb_alloc(NL_CB_DEFAULT);
	int err, lost = 0;

	if (!c)
		return -ENOMEM;
	nl_cb_set(c, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	nl_cb_set(c, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &t);
	nl_socket_set_nonblocking(nl->sk);
	/* The count of messages: 0 or -NLE_AGAIN when none is left. */
	do {
		err = nl_recvmsgs_report(nl->sk, c);
		if (err == -NLE_NOMEM)
			lost = 1;
	} while (err > 0 || err == -NLE_NOMEM);
	nl_cb_put(c);
	if (err && err != -NLE_AGAIN)
		return -EIO;
	return lost ? -ENOBUFS : 0;
}

int rsp_nl_nest(struct nlattr **tb, int max, struct nlattr *nest)
{
	return parse(tb, max, nla_data(nest), nla_len(nest));
}
