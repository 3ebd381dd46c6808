// SPDX-License-Identifier: GPL-2.0
/*
 * The ASAP server: see asap.h.  One SCTP one-to-many socket (every PE and
 * PU an association on it) and a TCP listener whose connections carry
 * ASAP messages framed by their own length field.  The handlespace is the
 * kernel's; this keeps only what the kernel does not: which PEs we are
 * home for, over which association, and their keep-alive state.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "asap.h"
#include "checksum.h"
#include "kern.h"
#include "mcast.h"
#include "msg.h"
#include "pe.h"
#include "stream.h"
#include "util.h"

/*
 * Where a message came from and its answer goes: an association or a TCP
 * connection.
 */
struct peer {
	int fd;				/* the SCTP socket or the connection */
	sctp_assoc_t assoc;		/* SCTP only */
	struct rsp_stream *s;		/* TCP only */
	const struct sockaddr *sa;	/* the sender, for rate limits */
};

struct conn {				/* a TCP connection */
	struct rsp_stream s;
	struct rsp_asap *a;
	int ours;			/* we dialled it, to a registrar */
	struct sockaddr_storage addr;	/* the other end */
	struct conn *next;
};

/* A PE we are home for, whole: ENRP hands it on to peers. */
struct home {
	struct rsp_pe_rec rec;
	struct peer via;
	uint64_t next_ka;		/* ms: send the next keep-alive */
	uint64_t ack_by;		/* ms: 0, or the ACK is awaited */
	int tell_home;			/* H flag until the PE ACKs */
	int32_t hnext;			/* the next in its hash chain */
	uint32_t mark;			/* seen in the kernel's table */
	uint64_t refresh_at;		/* ms: renew its life in the kernel */
};

struct rsp_asap {
	struct rsp_asap_conf c;
	struct rsp_nl *nl;
	int ep;
	int sctp, tcp;
	int so;				/* selections: RSP_SO_RESOLVE on it */
	int mfd;			/* announces go out on it */
	uint64_t next_announce;
	uint64_t homes_due;		/* no home's timer is due before */
	struct rsp_p_transport self;	/* announced: where PEs reach us */
	struct conn *conns;
	struct home *homes;
	size_t nhomes, cap;
	uint32_t mark;			/* the last resync's */
	uint64_t resync_at;		/* ms: 0, or check the homes then */
	int32_t *buckets;		/* 2 * cap chain heads */
	struct rsp_msg in, out;		/* large: not on the stack */
	struct rsp_pe_rec recs[RSP_RESOLVE_MAX];
	struct rsp_p_pe pes[RSP_RESOLVE_MAX];
	uint64_t csum;			/* of the homes */
	uint64_t dropped;		/* messages malformed, unknown... */
	uint64_t limited;		/* over a PU's rate (also dropped) */
	struct rsp_rate hr, eu;		/* resolutions, reports per PU */
	struct rsp_sctp_rx rx;
	uint8_t rxbuf[RSP_MSG_MAX + RSP_MSG_HDR];
	struct rsp_buf ebuf;		/* an Operation Error's cause */
	struct rsp_buf sbuf;		/* the answers, encoded */
	rsp_asap_notify notify;
	void *notify_arg;
	/* The SCTP reader's thread (rsp_asap_reader_start), if started. */
	pthread_t reader;
	int reading;
	pthread_mutex_t *lock;		/* the daemon's */
	int poke;			/* eventfd: a timer came nearer */
	uint64_t next_tick;		/* the main loop's, as we asked */
};

#define say(a, level, ...) rsp_say((a)->c.verbose, level, "", __VA_ARGS__)

/* A pool handle for the log: printable bytes as they are. */
static const char *handle_str(const uint8_t *h, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	static char s[4 * RSP_HANDLE_MAX + 1];
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		if (h[i] >= 0x20 && h[i] < 0x7f && h[i] != '\\') {
			s[o++] = h[i];
			continue;
		}
		s[o++] = '\\';
		s[o++] = 'x';
		s[o++] = hex[h[i] >> 4];
		s[o++] = hex[h[i] & 15];
	}
	s[o] = 0;
	return s;
}

/* 0, or -1 if @m could not be sent (said in the log). */
static int send_to(struct rsp_asap *a, const struct peer *to,
		   const struct rsp_msg *m)
{
	struct rsp_buf b = a->sbuf;	/* its room kept for the next */
	int err = -1;

	rsp_buf_reset(&b);
	rsp_msg_encode(&b, m);
	if (b.failed) {
		say(a, 0, "cannot encode an answer of type %u", m->type);
	} else if (to->fd == a->sctp) {
		struct sctp_sndrcvinfo si = {
			.sinfo_ppid = htonl(RSP_PPID_ASAP),
			.sinfo_assoc_id = to->assoc,
		};

		err = sctp_send(a->sctp, b.p, b.len, &si, MSG_DONTWAIT) < 0;
		if (err)
			say(a, 1, "send on association %d: %s",
			    (int)to->assoc, strerror(errno));
	} else {
		err = rsp_stream_send(to->s, b.p, b.len);
		/* A PU that does not read its answers loses its link. */
		if (err)
			say(a, 1, "send on connection %d failed, closing it",
			    to->fd);
	}
	a->sbuf = b;
	return err ? -1 : 0;
}

static void msg_init(struct rsp_msg *m, uint8_t type, uint8_t flags)
{
	rsp_msg_init(m, RSP_PPID_ASAP, type, flags);
}

static void add_error(struct rsp_asap *a, uint16_t cause,
		      const struct rsp_param *info)
{
	rsp_msg_add_error(&a->out, &a->ebuf, cause, info, NULL, 0);
}

/*
 * ASAP_ERROR for what the action bits of an unknown type say to report:
 * the unrecognized parameter (cause 0x1) or message (0x2), whole.
 */
static void report_unknown(struct rsp_asap *a, const struct peer *to,
			   uint16_t cause, const uint8_t *raw, size_t len)
{
	msg_init(&a->out, ASAP_ERROR, 0);
	rsp_msg_add_error(&a->out, &a->ebuf, cause, NULL, raw, len);
	send_to(a, to, &a->out);
}

/* What a refused registration's cause is about, in the PE @pe. */
static const struct rsp_param *cause_info(struct rsp_param *out,
					  uint16_t cause, struct rsp_p_pe *pe)
{
	switch (cause) {
	case RSP_CAUSE_INCONSISTENT_POLICY:
		out->type = RSP_P_POLICY;
		out->policy = pe->policy;
		return out;
	case RSP_CAUSE_INCONSISTENT_TRANSPORT:
	case RSP_CAUSE_INCONSISTENT_USE:
		out->type = pe->user.type;
		out->transport = &pe->user;
		return out;
	case RSP_CAUSE_INVALID_VALUES:
		out->type = RSP_P_PE;
		out->pe = pe;
		return out;
	}
	return NULL;
}

/*
 * The home table is an array (ENRP walks it by index for table responses)
 * indexed by a hash of (handle, PE ID): chains of array indices, -1 ends
 * one.  The buckets are twice the array's capacity.
 */
static uint32_t home_hash(const uint8_t *h, size_t len, uint32_t id)
{
	uint32_t x = 2166136261u ^ id;	/* FNV-1a over the handle */
	size_t i;

	for (i = 0; i < len; i++)
		x = (x ^ h[i]) * 16777619u;
	return x ^ (x >> 15);
}

static int32_t *home_bucket(struct rsp_asap *a, const struct rsp_pe_rec *r)
{
	return &a->buckets[home_hash(r->handle, r->handle_len, r->id) &
			   (2 * a->cap - 1)];
}

static void home_link(struct rsp_asap *a, size_t i)
{
	int32_t *b = home_bucket(a, &a->homes[i].rec);

	a->homes[i].hnext = *b;
	*b = (int32_t)i;
}

static void home_unlink(struct rsp_asap *a, size_t i)
{
	int32_t *p = home_bucket(a, &a->homes[i].rec);

	while (*p != (int32_t)i)
		p = &a->homes[*p].hnext;
	*p = a->homes[i].hnext;
}

static struct home *home_find(struct rsp_asap *a, const uint8_t *h,
			      size_t len, uint32_t id)
{
	int32_t i;

	if (!a->cap)
		return NULL;
	i = a->buckets[home_hash(h, len, id) & (2 * a->cap - 1)];
	for (; i >= 0; i = a->homes[i].hnext)
		if (a->homes[i].rec.id == id &&
		    a->homes[i].rec.handle_len == len &&
		    !memcmp(a->homes[i].rec.handle, h, len))
			return &a->homes[i];
	return NULL;
}

/* Room for one more; the buckets are rebuilt for the new capacity. */
static int home_grow(struct rsp_asap *a)
{
	size_t cap = a->cap ? 2 * a->cap : 64, i;
	struct home *n = realloc(a->homes, cap * sizeof(*n));
	int32_t *b;

	if (!n)
		return -1;
	a->homes = n;
	b = malloc(2 * cap * sizeof(*b));
	if (!b)
		return -1;	/* the old capacity and buckets still hold */
	free(a->buckets);
	a->buckets = b;
	a->cap = cap;
	memset(b, 0xff, 2 * cap * sizeof(*b));
	for (i = 0; i < a->nhomes; i++)
		home_link(a, i);
	return 0;
}

/* We are no longer its home: forget it, tell ENRP if @tell. */
static void home_remove(struct rsp_asap *a, struct home *h, int tell)
{
	size_t i = h - a->homes, last = a->nhomes - 1;

	a->csum = rsp_csum_sub(a->csum, h->rec.handle, h->rec.handle_len,
			       h->rec.id);
	if (tell && a->notify)
		a->notify(a->notify_arg, 1, &h->rec);
	home_unlink(a, i);
	if (i != last) {
		home_unlink(a, last);
		a->homes[i] = a->homes[last];
		home_link(a, i);
	}
	a->nhomes--;
}

static void home_drop(struct rsp_asap *a, struct home *h)
{
	home_remove(a, h, 1);
}

/*
 * Another registrar is its home now (it took us over, or the PE went to
 * it): forgotten without a word to ENRP, where that registrar speaks for
 * it.  Telling our peers to delete it would delete the PE at all of them.
 */
static void home_moved(struct rsp_asap *a, struct home *h, uint32_t home)
{
	say(a, 1, "PE %08x of %s: its home is %08x now, no longer us",
	    h->rec.id, handle_str(h->rec.handle, h->rec.handle_len), home);
	home_remove(a, h, 0);
}

void rsp_asap_moved(struct rsp_asap *a, const uint8_t *handle, size_t len,
		    uint32_t id, uint32_t home)
{
	struct home *h;

	if (home == a->c.id || !a->nhomes)
		return;
	h = home_find(a, handle, len, id);
	if (h)
		home_moved(a, h, home);
}

/*
 * A home's keep-alive timer is set to @t: the next scan of the homes
 * (rsp_asap_tick) comes no later.  Between scans none is walked.
 */
static void due(struct rsp_asap *a, uint64_t t)
{
	if (t < a->homes_due)
		a->homes_due = t;
}

/* @r, registered over @via, is ours (again): keep it, tell ENRP. */
static void home_set(struct rsp_asap *a, const struct rsp_pe_rec *r,
		     const struct peer *via)
{
	struct home *h = home_find(a, r->handle, r->handle_len, r->id);

	if (!h && a->nhomes == a->cap && home_grow(a))
		return;	/* the kernel has it; keep-alives do not */
	if (!h) {
		h = &a->homes[a->nhomes];
		h->rec = *r;	/* before home_link(), which hashes its key */
		h->mark = a->mark;	/* the slot's old mark is not ours */
		home_link(a, a->nhomes++);
		a->csum = rsp_csum_add(a->csum, r->handle, r->handle_len,
				       r->id);
	} else {
		h->rec = *r;
	}
	h->via = *via;
	h->next_ka = rsp_now_ms() + a->c.ka_interval_ms;
	due(a, h->next_ka);
	h->ack_by = 0;
	h->tell_home = 0;
	h->refresh_at = rsp_now_ms() + r->lifetime_ms / 2;
	if (a->notify)
		a->notify(a->notify_arg, 0, r);
}

void rsp_asap_set_notify(struct rsp_asap *a, rsp_asap_notify fn, void *arg)
{
	a->notify = fn;
	a->notify_arg = arg;
}

const struct rsp_pe_rec *rsp_asap_home(const struct rsp_asap *a, size_t i)
{
	return i < a->nhomes ? &a->homes[i].rec : NULL;
}

int rsp_asap_is_home(struct rsp_asap *a, const uint8_t *handle, size_t len,
		     uint32_t id)
{
	return home_find(a, handle, len, id) != NULL;
}

uint64_t rsp_asap_dropped(const struct rsp_asap *a)
{
	return a->dropped + a->rx.dropped;
}

uint64_t rsp_asap_limited(const struct rsp_asap *a)
{
	return a->limited;
}

/* Over the sender's rate: dropped, as rsplib's registrar does. */
static int limited(struct rsp_asap *a, struct rsp_rate *r,
		   const struct peer *from)
{
	if (rsp_rate_allow(r, from->sa))
		return 0;
	say(a, 3, "ASAP message type %u over its sender's rate: dropped",
	    a->in.type);
	a->limited++;
	a->dropped++;
	return 1;
}

size_t rsp_asap_nhomes(const struct rsp_asap *a)
{
	return a->nhomes;
}

uint16_t rsp_asap_checksum(const struct rsp_asap *a)
{
	return rsp_csum_final(a->csum);
}

/* The kernel's refusal as an operation error cause. */
static uint16_t cause_of(const struct rsp_nl *nl, int err)
{
	switch (err) {
	case -EPROTOTYPE:
		return RSP_CAUSE_INCONSISTENT_TRANSPORT;
	case -ENOSPC:
	case -ENOMEM:
		return RSP_CAUSE_LACK_OF_RESOURCES;
	case -EOPNOTSUPP:
		return RSP_CAUSE_INVALID_VALUES;
	case -EINVAL:
		return strstr(nl->msg, "inconsistent pooling policy") ?
		       RSP_CAUSE_INCONSISTENT_POLICY :
		       RSP_CAUSE_INVALID_VALUES;
	}
	return RSP_CAUSE_UNSPECIFIED;
}

/*
 * The PE's addresses are those of its user transport that it also uses
 * for ASAP to us (as rsplib does): a PE announcing its loopback or a
 * private address the registrar cannot see is not reachable by PUs
 * either.  If none match, the addresses we see it at.
 */
static void filter_addrs(struct rsp_asap *a, struct rsp_pe_rec *r,
			 const struct peer *from)
{
	struct sockaddr_storage one;
	struct sockaddr *sas = NULL, *sa;
	unsigned int i, j, k = 0;
	int n = 0;

	/*
	 * One address, the one it sent from (a peer address of the
	 * association), and its ASAP transport given: the list would keep
	 * just that, so it is not asked for (a system call a registration).
	 */
	if (r->naddrs == 1 && r->has_asap && from->sa &&
	    rsp_sa_same(&r->addrs[0], from->sa))
		return;
	if (from->fd == a->sctp) {
		n = sctp_getpaddrs(a->sctp, from->assoc, &sas);
	} else {
		socklen_t len = sizeof(one);

		if (!getpeername(from->fd, (struct sockaddr *)&one, &len)) {
			sas = (struct sockaddr *)&one;
			n = 1;
		}
	}
	if (n <= 0)
		return;
	for (i = 0; i < r->naddrs; i++) {
		sa = sas;
		for (j = 0; j < (unsigned int)n; j++) {
			if (rsp_sa_same(&r->addrs[i], sa)) {
				r->addrs[k++] = r->addrs[i];
				break;
			}
			sa = rsp_sa_next(sa);
		}
	}
	if (!k) {
		sa = sas;
		for (j = 0; j < (unsigned int)n && k < RSP_ADDRS_MAX; j++) {
			rsp_sa_addr(&r->addrs[k++], sa);
			sa = rsp_sa_next(sa);
		}
	}
	r->naddrs = k;
	/*
	 * Where the PE takes ASAP, if it did not say: where it registered
	 * from.  Peers need it (rsplib's registrar refuses a PE without).
	 */
	if (!r->has_asap) {
		struct rsp_pe_asap *t = &r->asap;

		memset(t, 0, sizeof(*t));
		t->type = from->fd == a->sctp ? RSP_P_SCTP : RSP_P_TCP;
		t->port = ntohs(((struct sockaddr_in *)sas)->sin_port);
		sa = sas;
		for (j = 0; j < (unsigned int)n && t->naddrs < RSP_ADDRS_MAX;
		     j++) {
			rsp_sa_addr(&t->addrs[t->naddrs++], sa);
			sa = rsp_sa_next(sa);
		}
		r->has_asap = 1;
	}
	if (from->fd == a->sctp)
		sctp_freepaddrs(sas);
}

static void on_registration(struct rsp_asap *a, const struct peer *from)
{
	const struct rsp_param *h = rsp_msg_find(&a->in, RSP_P_HANDLE);
	const struct rsp_param *pe = rsp_msg_find(&a->in, RSP_P_PE);
	struct rsp_pe_rec *r = &a->recs[0];
	struct rsp_param info;
	int cause, err;

	if (!h || !pe) {	/* no handle or PE: nothing to answer to */
		a->dropped++;
		return;
	}
	msg_init(&a->out, ASAP_REGISTRATION_RESPONSE, 0);
	rsp_msg_add_handle(&a->out, h->handle.data, h->handle.len);
	rsp_msg_add_u32(&a->out, RSP_P_PE_ID, pe->pe->id);
	cause = rsp_pe_from_wire(r, h->handle.data, h->handle.len, pe->pe);
	if (!cause) {
		r->home = a->c.id;
		filter_addrs(a, r, from);
		err = rsp_kern_put(a->nl, r);
		if (err) {
			cause = cause_of(a->nl, err);
			say(a, 1, "registration of PE %08x in %s refused: %s%s%s",
			    r->id, handle_str(r->handle, r->handle_len),
			    strerror(-err), a->nl->msg[0] ? ": " : "",
			    a->nl->msg);
		}
	}
	if (cause) {
		a->out.flags = 0x01;	/* R: rejected */
		add_error(a, cause, cause_info(&info, cause, pe->pe));
		send_to(a, from, &a->out);
		return;
	}
	home_set(a, r, from);
	say(a, 2, "PE %08x registered in %s", r->id,
	    handle_str(r->handle, r->handle_len));
	send_to(a, from, &a->out);
}

static void on_deregistration(struct rsp_asap *a, const struct peer *from)
{
	const struct rsp_param *h = rsp_msg_find(&a->in, RSP_P_HANDLE);
	const struct rsp_param *id = rsp_msg_find(&a->in, RSP_P_PE_ID);
	struct home *hm;
	int err;

	if (!h || !id) {
		a->dropped++;
		return;
	}
	msg_init(&a->out, ASAP_DEREGISTRATION_RESPONSE, 0);
	rsp_msg_add_handle(&a->out, h->handle.data, h->handle.len);
	rsp_msg_add_u32(&a->out, RSP_P_PE_ID, id->u32);
	err = rsp_kern_del(a->nl, h->handle.data, h->handle.len, id->u32);
	if (err && err != -ENOENT) {
		/* Already gone is what was asked; other errors are not. */
		a->out.flags = 0x01;
		add_error(a, cause_of(a->nl, err), NULL);
	}
	hm = home_find(a, h->handle.data, h->handle.len, id->u32);
	if (hm)
		home_drop(a, hm);
	say(a, 2, "PE %08x deregistered from %s", id->u32,
	    handle_str(h->handle.data, h->handle.len));
	send_to(a, from, &a->out);
}

static void on_resolution(struct rsp_asap *a, const struct peer *from)
{
	const struct rsp_param *h = rsp_msg_find(&a->in, RSP_P_HANDLE);
	const struct rsp_param *hro = rsp_msg_find(&a->in, RSP_P_HRO);
	unsigned int want = a->c.default_items, n = 0, i;
	struct rsp_param *p, *pol;
	int err;

	if (!h) {
		a->dropped++;
		return;
	}
	if (hro && hro->u32)
		want = hro->u32;
	if (want > a->c.max_items)
		want = a->c.max_items;
	msg_init(&a->out, ASAP_HANDLE_RESOLUTION_RESPONSE, 0);
	rsp_msg_add_handle(&a->out, h->handle.data, h->handle.len);
	err = rsp_kern_resolve(a->so, h->handle.data, h->handle.len, want,
			       a->recs, &n);
	if (err || !n) {
		add_error(a, err == -ENOENT || !n ?
			  RSP_CAUSE_UNKNOWN_HANDLE : RSP_CAUSE_UNSPECIFIED,
			  NULL);
		send_to(a, from, &a->out);
		return;
	}
	pol = rsp_msg_add(&a->out, RSP_P_POLICY);
	for (i = 0; i < n && (p = rsp_msg_add(&a->out, RSP_P_PE)); i++) {
		rsp_pe_to_wire(&a->pes[i], &a->recs[i]);
		p->pe = &a->pes[i];
	}
	/* The pool's policy, with the first PE's values as its own. */
	pol->policy = a->pes[0].policy;
	send_to(a, from, &a->out);
}

static void on_unreachable(struct rsp_asap *a)
{
	const struct rsp_param *h = rsp_msg_find(&a->in, RSP_P_HANDLE);
	const struct rsp_param *id = rsp_msg_find(&a->in, RSP_P_PE_ID);
	int err;

	if (!h || !id) {
		a->dropped++;
		return;
	}
	err = rsp_kern_report(a->nl, h->handle.data, h->handle.len, id->u32);
	say(a, 2, "PE %08x of %s reported unreachable%s", id->u32,
	    handle_str(h->handle.data, h->handle.len),
	    err ? " (no such PE)" : "");
}

static void on_ka_ack(struct rsp_asap *a, const struct peer *from)
{
	const struct rsp_param *h = rsp_msg_find(&a->in, RSP_P_HANDLE);
	const struct rsp_param *id = rsp_msg_find(&a->in, RSP_P_PE_ID);
	struct home *hm;

	if (!h || !id) {
		a->dropped++;
		return;
	}
	hm = home_find(a, h->handle.data, h->handle.len, id->u32);
	if (hm) {
		uint64_t now = rsp_now_ms();

		hm->ack_by = 0;
		hm->next_ka = now + a->c.ka_interval_ms;
		due(a, hm->next_ka);
		/*
		 * Alive, and ours: its registration life starts over, here and
		 * at the peers.  A PE taken over may have no way to re-register
		 * (it knew only the registrar that died).
		 */
		if (hm->rec.lifetime_ms && now >= hm->refresh_at &&
		    !rsp_kern_put(a->nl, &hm->rec)) {
			hm->refresh_at = now + hm->rec.lifetime_ms / 2;
			if (a->notify)
				a->notify(a->notify_arg, 0, &hm->rec);
		}
		/* A PE taken over answers on the link we set up to it. */
		if (hm->tell_home && from->fd == a->sctp) {
			hm->via = *from;
			say(a, 2, "PE %08x of %s answers: we are its home",
			    hm->rec.id, handle_str(hm->rec.handle,
						   hm->rec.handle_len));
		}
		hm->tell_home = 0;
	}
}

static void handle(struct rsp_asap *a, const struct peer *from,
		   const uint8_t *p, size_t n)
{
	enum rsp_decode_err e;

	/* A type we do not know: its body is no business of ours. */
	if (n >= RSP_MSG_HDR && (p[0] < ASAP_REGISTRATION || p[0] > ASAP_ERROR)) {
		say(a, 2, "ignored ASAP message type %u", p[0]);
		a->dropped++;
		/* Top bits 01: discard and report. */
		if ((p[0] & 0xc0) == 0x40)
			report_unknown(a, from, RSP_CAUSE_UNRECOGNIZED_MSG, p,
				       n);
		return;
	}
	e = rsp_msg_decode(&a->in, RSP_PPID_ASAP, p, n);
	if (a->in.unknown_reported)
		report_unknown(a, from, RSP_CAUSE_UNRECOGNIZED_PARAM,
			       a->in.unknown, a->in.unknown_len);
	if (e) {
		say(a, 1, "dropped a malformed ASAP message (%d bytes, error %d)",
		    (int)n, e);
		a->dropped++;
		rsp_msg_free(&a->in);
		return;
	}
	say(a, 3, "ASAP message type %u from %d/%d, %zu bytes", a->in.type,
	    from->fd, (int)from->assoc, n);
	switch (a->in.type) {
	case ASAP_REGISTRATION:
		on_registration(a, from);
		break;
	case ASAP_DEREGISTRATION:
		on_deregistration(a, from);
		break;
	case ASAP_HANDLE_RESOLUTION:
		if (!limited(a, &a->hr, from))
			on_resolution(a, from);
		break;
	case ASAP_ENDPOINT_UNREACHABLE:
		if (!limited(a, &a->eu, from))
			on_unreachable(a);
		break;
	case ASAP_ENDPOINT_KEEP_ALIVE_ACK:
		on_ka_ack(a, from);
		break;
	default:	/* a PR's own messages, sent to a PR */
		say(a, 2, "ignored ASAP message type %u", a->in.type);
		a->dropped++;
		break;
	}
	rsp_msg_free(&a->in);
}

/* The PEs registered over a link that went away go with it. */
static void link_gone(struct rsp_asap *a, const struct peer *via)
{
	size_t i = 0;

	while (i < a->nhomes) {
		struct home *h = &a->homes[i];

		if (h->via.fd != via->fd ||
		    (via->fd == a->sctp && h->via.assoc != via->assoc)) {
			i++;
			continue;
		}
		rsp_kern_del(a->nl, h->rec.handle, h->rec.handle_len,
			     h->rec.id);
		say(a, 2, "PE %08x of %s removed: its association is gone",
		    h->rec.id, handle_str(h->rec.handle, h->rec.handle_len));
		home_drop(a, h);
	}
}

static void sctp_notification(struct rsp_asap *a, const uint8_t *buf)
{
	const union sctp_notification *n = (const void *)buf;

	if (n->sn_header.sn_type == SCTP_ASSOC_CHANGE &&
	    (n->sn_assoc_change.sac_state == SCTP_COMM_LOST ||
	     n->sn_assoc_change.sac_state == SCTP_SHUTDOWN_COMP)) {
		struct peer via = {
			.fd = a->sctp, .assoc = n->sn_assoc_change.sac_assoc_id,
		};

		link_gone(a, &via);
	} else if (n->sn_header.sn_type == SCTP_SHUTDOWN_EVENT) {
		struct peer via = {
			.fd = a->sctp, .assoc = n->sn_shutdown_event.sse_assoc_id,
		};

		link_gone(a, &via);
	}
}

static void sctp_message(void *arg, int32_t assoc, size_t n)
{
	struct rsp_asap *a = arg;
	struct peer from = { a->sctp, assoc, NULL,
			     (struct sockaddr *)&a->rx.from };

	handle(a, &from, a->rx.buf, n);
}

static void sctp_note(void *arg)
{
	struct rsp_asap *a = arg;

	sctp_notification(a, a->rx.buf);
}

static void conn_close(struct rsp_asap *a, struct conn *c)
{
	struct conn **pp = &a->conns;
	struct peer via = { .fd = c->s.fd, .s = &c->s };

	link_gone(a, &via);
	while (*pp != c)
		pp = &(*pp)->next;
	*pp = c->next;
	a->dropped += c->s.dropped;
	rsp_stream_close(&c->s);
	free(c);
}

static void tcp_message(void *arg, struct rsp_stream *s, const uint8_t *p,
			size_t len)
{
	struct conn *c = arg;
	struct peer from = { s->fd, 0, s, (struct sockaddr *)&c->addr };

	handle(c->a, &from, p, len);
}

static void tcp_accept(struct rsp_asap *a)
{
	struct conn *c;
	int r;

	do {
		c = calloc(1, sizeof(*c));
		r = c ? rsp_stream_accept(&c->s, a->ep, a->tcp, &c->addr) : 0;
		if (r <= 0) {
			free(c);
			continue;
		}
		c->s.msg = tcp_message;
		c->s.arg = c;
		c->a = a;
		c->next = a->conns;
		a->conns = c;
	} while (r);
}

int rsp_asap_event(struct rsp_asap *a, int fd, uint32_t events)
{
	struct conn *c;

	if (fd == a->sctp) {
		rsp_sctp_drain(&a->rx);
		return 0;
	}
	if (fd == a->poke) {
		uint64_t v;

		if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			say(a, 0, "eventfd: %s", strerror(errno));
		return 0;
	}
	if (fd == a->tcp) {
		tcp_accept(a);
		return 0;
	}
	for (c = a->conns; c; c = c->next)
		if (c->s.fd == fd) {
			if (rsp_stream_event(&c->s, events))
				conn_close(a, c);
			return 0;
		}
	return -1;
}

/*
 * sctp_sendmsg() with MSG_DONTWAIT, which it cannot pass: the socket
 * blocks for its reader thread, and the loop must not wait for room.
 */
static ssize_t sctp_send_dontwait(int fd, const struct rsp_buf *b,
				  struct sockaddr_storage *to, socklen_t len)
{
	union {
		struct cmsghdr h;
		char room[CMSG_SPACE(sizeof(struct sctp_sndrcvinfo))];
	} c = { 0 };
	struct sctp_sndrcvinfo *si = (void *)CMSG_DATA(&c.h);
	struct iovec iov = { .iov_base = b->p, .iov_len = b->len };
	struct msghdr mh = {
		.msg_name = to, .msg_namelen = len,
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = &c, .msg_controllen = sizeof(c),
	};

	c.h.cmsg_level = IPPROTO_SCTP;
	c.h.cmsg_type = SCTP_SNDRCV;
	c.h.cmsg_len = CMSG_LEN(sizeof(*si));
	si->sinfo_ppid = htonl(RSP_PPID_ASAP);
	return sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/*
 * Sends @m to the SCTP endpoint at @addr, @port: a PE's ASAP transport
 * (its first address), or a registrar.  On the one-to-many socket this
 * sets an association up if there is none.
 */
static int send_sctp_to(struct rsp_asap *a, const struct rsp_p_addr *addr,
			uint16_t port, const struct rsp_msg *m)
{
	struct sockaddr_storage ss;
	struct rsp_buf b = a->sbuf;	/* as send_to() */
	socklen_t len;
	int n = -1;

	if (a->sctp < 0)
		return -1;
	len = rsp_sa_make(&ss, addr, port);
	rsp_buf_reset(&b);
	rsp_msg_encode(&b, m);
	if (!b.failed)
		n = sctp_send_dontwait(a->sctp, &b, &ss, len);
	if (n < 0)
		say(a, 1, "send to an SCTP endpoint: %s",
		    b.failed ? "cannot encode" : strerror(errno));
	a->sbuf = b;
	return n < 0 ? -1 : 0;
}

/*
 * ENDPOINT_KEEP_ALIVE to a home PE, over the link it registered on, or
 * (taken over, or ours from before a restart) to its ASAP transport.
 * 0 if there is no way to reach it.
 */
static int keep_alive(struct rsp_asap *a, struct home *h)
{
	msg_init(&a->out, ASAP_ENDPOINT_KEEP_ALIVE, h->tell_home ? 0x01 : 0);
	a->out.server_id = a->c.id;
	rsp_msg_add_handle(&a->out, h->rec.handle, h->rec.handle_len);
	rsp_msg_add_u32(&a->out, RSP_P_PE_ID, h->rec.id);
	if (h->via.fd != a->sctp || h->via.assoc) {
		send_to(a, &h->via, &a->out);
		return 1;
	}
	return h->rec.has_asap && h->rec.asap.type == RSP_P_SCTP &&
	       h->rec.asap.naddrs &&
	       !send_sctp_to(a, &h->rec.asap.addrs[0], h->rec.asap.port,
			     &a->out);
}

void rsp_asap_adopt(struct rsp_asap *a, const struct rsp_pe_rec *r,
		    int takeover)
{
	struct peer none = { .fd = a->sctp };
	struct home *h;

	home_set(a, r, &none);
	h = home_find(a, r->handle, r->handle_len, r->id);
	if (h) {
		h->next_ka = rsp_now_ms();	/* now: is it there? */
		due(a, h->next_ka);
		h->tell_home = takeover;
	}
	say(a, 2, "PE %08x of %s %s", r->id, handle_str(r->handle, r->handle_len),
	    takeover ? "taken over" : "is ours from before");
}

static int mark_home(const struct rsp_pe_rec *r, void *arg)
{
	struct rsp_asap *a = arg;
	struct home *h = home_find(a, r->handle, r->handle_len, r->id);

	if (h && r->home == a->c.id)
		h->mark = a->mark;
	else if (h)
		home_moved(a, h, r->home);
	return 0;
}

static void resync(struct rsp_asap *a)
{
	size_t i = 0, gone = 0;

	a->mark++;
	if (rsp_kern_dump(a->nl, mark_home, a))
		return;
	while (i < a->nhomes) {
		if (a->homes[i].mark == a->mark) {
			i++;
			continue;
		}
		home_drop(a, &a->homes[i]);	/* the last moves to i */
		gone++;
	}
	if (gone)
		say(a, 0, "%zu PEs we were home for left the kernel's table unseen",
		    gone);
}

/* A burst overflows the socket many times: one check after it. */
void rsp_asap_events_lost(struct rsp_asap *a)
{
	a->resync_at = rsp_now_ms() + 1000;
}

void rsp_asap_pe_gone(struct rsp_asap *a, const uint8_t *handle, size_t len,
		      uint32_t id, int reason)
{
	static const char *const why[] = {
		[RSP_REASON_DELETED] = "deleted", [RSP_REASON_EXPIRED] = "expired",
		[RSP_REASON_UNREACHABLE] = "reported unreachable",
		[RSP_REASON_HOME_DELETED] = "its home deleted",
		[RSP_REASON_FLUSHED] = "flushed",
	};
	struct home *h = home_find(a, handle, len, id);

	/* Our own deletions come back as events too, maybe re-registered. */
	if (h && rsp_kern_has(a->nl, handle, len, id) == 0) {
		say(a, 2, "PE %08x of %s left the kernel table (%s)", id,
		    handle_str(handle, len),
		    reason > 0 && reason <= RSP_REASON_FLUSHED ? why[reason] :
		    "no reason given");
		home_drop(a, h);
	}
}

/*
 * Our TCP connection to the registrar at @ss (made now if there is none):
 * it stays, for the next report.
 */
static struct conn *conn_to(struct rsp_asap *a,
			    const struct sockaddr_storage *ss, socklen_t len)
{
	struct conn *c;

	for (c = a->conns; c; c = c->next)
		if (c->ours && !memcmp(&c->addr, ss, len))
			return c;
	c = calloc(1, sizeof(*c));
	if (!c || rsp_stream_connect(&c->s, a->ep, (const void *)ss, len,
				     a->c.mptcp)) {
		free(c);
		return NULL;
	}
	c->s.msg = tcp_message;
	c->s.arg = c;
	c->a = a;
	c->ours = 1;
	c->addr = *ss;
	c->next = a->conns;
	a->conns = c;
	return c;
}

void rsp_asap_report_to(struct rsp_asap *a, const struct rsp_p_transport *pr,
			const uint8_t *handle, size_t len, uint32_t id)
{
	uint16_t port = a->c.port;	/* a registrar's ASAP port: ours */
	struct sockaddr_storage ss;
	struct conn *c;
	int err = -1;

	msg_init(&a->out, ASAP_ENDPOINT_UNREACHABLE, 0);
	rsp_msg_add_handle(&a->out, handle, len);
	rsp_msg_add_u32(&a->out, RSP_P_PE_ID, id);
	/* Over the transport it speaks ENRP on, or what we have. */
	if (pr->naddrs && pr->type != RSP_P_TCP && a->sctp >= 0) {
		err = send_sctp_to(a, &pr->addrs[0], port, &a->out);
	} else if (pr->naddrs) {
		c = conn_to(a, &ss, rsp_sa_make(&ss, &pr->addrs[0], port));
		if (c) {
			struct peer to = { .fd = c->s.fd, .s = &c->s };

			err = send_to(a, &to, &a->out);
		}
	}
	if (err)
		say(a, 1, "PE %08x of %s: unreachable, but its home cannot be told",
		    id, handle_str(handle, len));
	else
		say(a, 2, "PE %08x of %s: unreachable, told its home", id,
		    handle_str(handle, len));
}

/*
 * SERVER_ANNOUNCE on the multicast group: PEs and PUs with no registrar
 * configured (rsplib's listen there) find us by it.  One transport:
 * SCTP, or TCP where there is no SCTP.
 */
static void announce(struct rsp_asap *a)
{
	struct rsp_buf b;

	msg_init(&a->out, ASAP_SERVER_ANNOUNCE, 0);
	a->out.server_id = a->c.id;
	rsp_local_addrs(&a->self);
	a->self.type = a->sctp >= 0 ? RSP_P_SCTP : RSP_P_TCP;
	a->self.port = a->c.port;
	rsp_msg_add(&a->out, a->self.type)->transport = &a->self;
	rsp_buf_init(&b);
	rsp_msg_encode(&b, &a->out);
	if (!b.failed &&
	    !rsp_mcast_send(a->mfd, &a->c.announce, b.p, b.len))
		say(a, 3, "SERVER_ANNOUNCE: no interface took it");
	rsp_buf_free(&b);
}

/*
 * The keep-alives that are due, and the PEs whose ACK did not come; the
 * time the next home timer is due (UINT64_MAX: none).
 */
static uint64_t walk_homes(struct rsp_asap *a, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	size_t i = 0, lost = 0;

	while (i < a->nhomes) {
		struct home *h = &a->homes[i];

		if (h->ack_by && now >= h->ack_by) {
			rsp_kern_del(a->nl, h->rec.handle, h->rec.handle_len,
				     h->rec.id);
			say(a, 2, "PE %08x of %s removed: no keep-alive ACK",
			    h->rec.id, handle_str(h->rec.handle,
						  h->rec.handle_len));
			home_drop(a, h);
			continue;
		}
		if (!h->ack_by && now >= h->next_ka) {
			if (keep_alive(a, h)) {
				h->ack_by = now + a->c.ka_timeout_ms;
			} else {	/* unreachable for us: its life decides */
				say(a, 2, "PE %08x of %s: no way to send it keep-alives",
				    h->rec.id, handle_str(h->rec.handle,
							  h->rec.handle_len));
				h->next_ka = now + a->c.ka_interval_ms;
				lost++;
			}
		}
		if (h->ack_by && h->ack_by < next)
			next = h->ack_by;
		if (!h->ack_by && h->next_ka < next)
			next = h->next_ka;
		i++;
	}
	/* Taken over, registered over TCP: one line, not one a PE. */
	if (lost)
		say(a, 1, "%zu PEs we are home for have no ASAP transport we can reach: their registration life decides",
		    lost);
	return next;
}

void rsp_asap_held(struct rsp_asap *a, uint64_t ms)
{
	size_t i;

	for (i = 0; i < a->nhomes; i++)
		if (a->homes[i].ack_by)
			a->homes[i].ack_by += ms;
}

/*
 * The reader thread holds the daemon's lock while it handles a message,
 * and can be cancelled only while it waits for one.  A timer it brought
 * nearer than the main loop's next tick wakes the loop.
 */
static void reader_hold(void *arg, int on)
{
	struct rsp_asap *a = arg;
	uint64_t one = 1;

	if (on) {
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
		pthread_mutex_lock(a->lock);
		return;
	}
	if (a->homes_due < a->next_tick) {
		a->next_tick = a->homes_due;
		if (write(a->poke, &one, sizeof(one)) < 0 && errno != EAGAIN)
			say(a, 0, "eventfd: %s", strerror(errno));
	}
	pthread_mutex_unlock(a->lock);
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
}

static int blocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? fl : fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
}

static void *reader(void *arg)
{
	struct rsp_asap *a = arg;

	for (;;)
		rsp_sctp_drain(&a->rx);
	return NULL;
}

int rsp_asap_reader_start(struct rsp_asap *a, pthread_mutex_t *lock)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int err;

	if (a->sctp < 0)
		return 0;
	a->poke = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ev.data.fd = a->poke;
	if (a->poke < 0 || epoll_ctl(a->ep, EPOLL_CTL_ADD, a->poke, &ev) ||
	    epoll_ctl(a->ep, EPOLL_CTL_DEL, a->sctp, NULL) ||
	    blocking(a->sctp))
		return -errno;
	a->lock = lock;
	a->rx.hold = reader_hold;
	err = pthread_create(&a->reader, NULL, reader, a);
	if (err)
		return -err;
	a->reading = 1;
	return 0;
}

void rsp_asap_reader_stop(struct rsp_asap *a)
{
	if (!a || !a->reading)
		return;
	pthread_cancel(a->reader);
	pthread_join(a->reader, NULL);
	a->reading = 0;
}

int rsp_asap_tick(struct rsp_asap *a)
{
	uint64_t now = rsp_now_ms(), next;

	if (a->mfd >= 0 && now >= a->next_announce) {
		announce(a);
		a->next_announce = now + a->c.announce_ms;
	}
	if (a->resync_at && now >= a->resync_at) {
		a->resync_at = 0;
		resync(a);
	}
	/* Between the timers that due() keeps, no home is looked at. */
	if (now >= a->homes_due)
		a->homes_due = walk_homes(a, now);
	next = a->homes_due;
	if (a->resync_at && a->resync_at < next)
		next = a->resync_at;
	if (a->mfd >= 0 && a->next_announce < next)
		next = a->next_announce;
	if (next > now + 1000)
		next = now + 1000;
	a->next_tick = next;
	return next > now ? (int)(next - now) : 0;
}

static int watch(struct rsp_asap *a, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(a->ep, EPOLL_CTL_ADD, fd, &ev);
}

struct rsp_asap *rsp_asap_open(const struct rsp_asap_conf *c,
			       struct rsp_nl *nl, int ep)
{
	struct rsp_asap *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->c = *c;
	a->nl = nl;
	a->ep = ep;
	a->hr.rate = c->max_hr_rate;
	a->eu.rate = c->max_eu_rate;
	a->sctp = a->tcp = a->mfd = a->poke = -1;
	a->so = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (a->so < 0)
		goto fail;
	if (c->sctp) {
		a->sctp = rsp_sctp_listen(c->port, "ASAP");
		if (a->sctp == -1)
			fprintf(stderr, "rserpoold: no SCTP here (%s): ASAP over TCP only\n",
				strerror(errno));
		if (a->sctp == -2 || (a->sctp < 0 && !c->tcp))
			goto fail;
	}
	/*
	 * One message a wakeup: a PU waiting for its answer does not also
	 * wait for the read that finds the socket empty.
	 */
	a->rx = (struct rsp_sctp_rx){
		.fd = a->sctp, .ppid = RSP_PPID_ASAP, .buf = a->rxbuf,
		.size = sizeof(a->rxbuf), .msg = sctp_message,
		.note = sctp_note, .arg = a, .budget = 1,
	};
	if (c->tcp) {
		a->tcp = rsp_stream_listen(c->port, c->mptcp, "ASAP");
		if (a->tcp < 0)
			goto fail;
	}
	if (c->announce.sin_family) {
		a->mfd = rsp_mcast_sender();
		if (a->mfd < 0)
			goto fail;
	}
	if ((a->sctp >= 0 && watch(a, a->sctp)) ||
	    (a->tcp >= 0 && watch(a, a->tcp)))
		goto fail;
	return a;
fail:
	rsp_asap_close(a);
	return NULL;
}

void rsp_asap_close(struct rsp_asap *a)
{
	if (!a)
		return;
	if (a->mfd >= 0)
		close(a->mfd);
	while (a->conns)
		conn_close(a, a->conns);
	if (a->sctp >= 0)
		close(a->sctp);
	if (a->tcp >= 0)
		close(a->tcp);
	if (a->so >= 0)
		close(a->so);
	if (a->poke >= 0)
		close(a->poke);
	free(a->homes);
	free(a->buckets);
	rsp_buf_free(&a->ebuf);
	rsp_buf_free(&a->sbuf);
	free(a);
}
