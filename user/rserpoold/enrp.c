// SPDX-License-Identifier: GPL-2.0
/*
 * ENRP between registrars: see enrp.h.  A peer is an association of one
 * SCTP one-to-many socket or a TCP connection (ours to a static peer, or
 * one it made to us; the first message on it says whose).  A peer is
 * heard of by its presence.  The first peer heard is our mentor: it lists
 * the other registrars (LIST_REQUEST) and gives us the whole handlespace
 * (HANDLE_TABLE_REQUEST without W, repeated while the answer says M);
 * each other peer, when first heard, the PEs it owns (with W).  From
 * then on a peer's handle updates keep our kernel table in step; a
 * presence whose PE checksum differs from our view of the peer has its
 * table read again, and what the table lacks goes.  A peer silent for
 * last_heard_ms is asked for a presence; with no answer in no_response_ms
 * it is gone and its PEs are taken over (or another registrar, which we
 * agreed to, takes them).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "checksum.h"
#include "enrp.h"
#include "kern.h"
#include "mcast.h"
#include "msg.h"
#include "pe.h"
#include "stream.h"
#include "util.h"

#define TABLE_BYTES	32768	/* a handle table response at most */
#define F_REPLY		0x01	/* presence: reply required */
#define F_OWN		0x01	/* table request: own PEs only (W) */
#define F_MORE		0x02	/* table response: more to send (M) */

/*
 * A peer that stops answering is gone: we take its PEs over (TAKING:
 * INIT_TAKEOVER sent, ACKs awaited), or another registrar with a lower
 * ID does (WAITING for its TAKEOVER_SERVER).
 */
enum { P_UP, P_TAKING, P_WAITING };

/* A PE by its key, as a table response confirms it. */
struct pe_key {
	uint32_t id;
	uint16_t len;
	uint8_t handle[RSP_HANDLE_MAX];
};

/* An ENRP TCP connection; peers point to theirs. */
struct econn {
	struct rsp_stream s;
	struct rsp_enrp *e;
	struct sockaddr_storage addr;	/* the other end */
	struct econn *next;
};

struct epeer {
	struct sockaddr_storage addr;	/* a static peer's, or family 0 */
	int tcp;			/* over TCP, not SCTP */
	sctp_assoc_t assoc;		/* SCTP: 0, none now */
	struct econn *conn;		/* TCP: NULL, none now */
	uint32_t id;			/* 0: not heard of yet */
	uint64_t last_heard, asked_at;
	int synced;			/* its table was asked for */
	int full;			/* our mentor: the whole table read */
	int has_info;
	struct rsp_p_server info;	/* from its presence */
	/*
	 * The table it reads from us (our PEs, or with no W the whole
	 * handlespace), as the response messages, made at its first
	 * request; the next one to send.
	 */
	struct rsp_buf *snap;
	size_t nsnap, snap_at;
	uint64_t served_at;		/* ms: its last response of either */
	/*
	 * Or, the whole table, read from the kernel a response at a time
	 * as it asks: the dump, its pass (as struct snapshot's), and the
	 * PEs the first pass left.
	 */
	struct rsp_nl *cur;
	int cur_later;
	size_t cur_rest;
	/* The response it gets at its next request, or why there is none. */
	struct rsp_buf ahead;
	int ahead_err;
	int state;
	uint32_t taker;			/* another takes it over, if gone */
	/*
	 * TAKING, WAITING: the takeover's deadline; UP with a taker: until
	 * when the taker's INIT_TAKEOVER holds.
	 */
	uint64_t until;
	/*
	 * Its table is being read (at first, and when its checksum differs
	 * from our view of its PEs): the PEs confirmed so far; those of it
	 * that the kernel holds and the table lacks go at the end.
	 */
	int reading;
	int fresh;			/* full, into a kernel with no peer's PE */
	uint64_t read_at;		/* ms: the read began */
	struct pe_key *conf;
	size_t nconf, capconf;
	size_t nread;			/* of them, its own messages' */
	int checked;			/* csum_seen matched our view */
	uint16_t csum_seen;
	/* A read was for this checksum (-1: none): once per value. */
	int32_t read_for;
	unsigned int nwait;		/* INIT_TAKEOVER_ACKs awaited from */
	uint32_t wait[RSP_ENRP_PEERS_MAX];
};

/* A peer that has told us who it is and is not being taken over. */
static int live(const struct epeer *p)
{
	return p->id && p->state == P_UP;
}

struct rsp_enrp {
	struct rsp_enrp_conf c;
	struct rsp_nl *nl;
	struct rsp_asap *a;
	int ep, fd, tcp;		/* the SCTP socket, the TCP listener */
	int mout, min;			/* multicast presence out, in */
	struct econn *conns;
	struct econn *reading;		/* whose message is being handled */
	unsigned int npeers;
	struct epeer peers[RSP_ENRP_PEERS_MAX];
	uint64_t next_presence;
	uint64_t dropped;		/* malformed, unknown */
	struct rsp_sctp_rx rx;
	struct rsp_p_server self;
	int mentored;			/* a mentor was asked for the table */
	struct rsp_msg in, out;
	struct rsp_buf ebuf;		/* an Operation Error's cause */
	struct rsp_p_pe pe;		/* a PE parameter being encoded */
	uint8_t buf[RSP_MSG_MAX + RSP_MSG_HDR];
	unsigned int nlearn;		/* PEs of peers to put in the kernel */
	struct rsp_pe_rec learn[RSP_KERN_BATCH];
	int lerr[RSP_KERN_BATCH];
};

#define say(e, level, ...) \
	rsp_say((e)->c.verbose, level, "ENRP: ", __VA_ARGS__)

static socklen_t sa_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
					  sizeof(struct sockaddr_in6);
}

static void conn_close(struct rsp_enrp *e, struct econn *c);
static void conn_message(void *arg, struct rsp_stream *s, const uint8_t *p,
			 size_t len);

/* A TCP connection to static peer @p; NULL if it cannot even start. */
static struct econn *conn_to(struct rsp_enrp *e, struct epeer *p)
{
	struct econn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (rsp_stream_connect(&c->s, e->ep, (struct sockaddr *)&p->addr,
			       sa_len(&p->addr), e->c.mptcp)) {
		free(c);
		return NULL;
	}
	c->s.msg = conn_message;
	c->s.arg = c;
	c->e = e;
	c->addr = p->addr;
	c->next = e->conns;
	e->conns = c;
	return c;
}

/* The link to @p is no more (it is gone, or the link failed). */
static void unlink_peer(struct rsp_enrp *e, struct epeer *p)
{
	p->assoc = 0;
	if (p->conn)
		conn_close(e, p->conn);
}

/* An encoded message to @p, over its transport. */
static void send_bytes(struct rsp_enrp *e, struct epeer *p,
		       const struct rsp_buf *b)
{
	int n = -1;

	if (p->tcp || p->conn) {
		if (!p->conn && p->addr.ss_family)
			p->conn = conn_to(e, p);
		/* Queued while the connection is being set up. */
		n = p->conn ? rsp_stream_send(&p->conn->s, b->p, b->len) : -1;
		errno = p->conn ? ENOBUFS : ENOTCONN;
	} else if (p->assoc) {
		struct sctp_sndrcvinfo si = {
			.sinfo_ppid = htonl(RSP_PPID_ENRP),
			.sinfo_assoc_id = p->assoc,
		};

		n = sctp_send(e->fd, b->p, b->len, &si, MSG_DONTWAIT);
	} else if (p->addr.ss_family && e->fd >= 0) {
		/* On a one-to-many socket this sets the association up. */
		n = sctp_sendmsg(e->fd, b->p, b->len,
				 (struct sockaddr *)&p->addr, sa_len(&p->addr),
				 htonl(RSP_PPID_ENRP), 0, 0, 0, 0);
	} else {
		errno = ENOTCONN;
	}
	if (n < 0)
		say(e, 2, "send to peer %08x: %s", p->id, strerror(errno));
}

/* @m, encoded, into @b (initialised here); 0, or -1 and logged. */
static int encode_for(struct rsp_enrp *e, struct epeer *p, struct rsp_msg *m,
		      struct rsp_buf *b)
{
	m->sender = e->c.id;
	m->receiver = p->id;
	/* Our server information names the transport this peer uses. */
	e->self.transport.type = p->conn || p->tcp ? RSP_P_TCP : RSP_P_SCTP;
	rsp_buf_init(b);
	rsp_msg_encode(b, m);
	if (!b->failed)
		return 0;
	say(e, 0, "cannot encode message type %u", m->type);
	rsp_buf_free(b);
	return -1;
}

static void send_peer(struct rsp_enrp *e, struct epeer *p, struct rsp_msg *m)
{
	struct rsp_buf b;

	if (encode_for(e, p, m, &b))
		return;
	send_bytes(e, p, &b);
	rsp_buf_free(&b);
}

/* A PRESENCE in e->out: our PE checksum and server information. */
static void presence_msg(struct rsp_enrp *e, uint8_t flags)
{
	struct rsp_param *prm;

	rsp_msg_init(&e->out, RSP_PPID_ENRP, ENRP_PRESENCE, flags);
	prm = rsp_msg_add(&e->out, RSP_P_CHECKSUM);
	prm->checksum = rsp_asap_checksum(e->a);
	prm = rsp_msg_add(&e->out, RSP_P_SERVER_INFO);
	prm->server = &e->self;
}

static void presence(struct rsp_enrp *e, struct epeer *p, uint8_t flags)
{
	presence_msg(e, flags);
	send_peer(e, p, &e->out);
}

/* The next part of @p's table: all of it from our mentor, else its own. */
static void table_request(struct rsp_enrp *e, struct epeer *p)
{
	rsp_msg_init(&e->out, RSP_PPID_ENRP, ENRP_HANDLE_TABLE_REQUEST,
		     p->full ? 0 : F_OWN);
	send_peer(e, p, &e->out);
}

static void snap_free(struct epeer *p)
{
	size_t i;

	for (i = 0; i < p->nsnap; i++)
		rsp_buf_free(&p->snap[i]);
	free(p->snap);
	p->snap = NULL;
	p->nsnap = p->snap_at = 0;
	if (p->cur)
		rsp_nl_close(p->cur);
	free(p->cur);
	p->cur = NULL;
	rsp_buf_free(&p->ahead);
	p->ahead_err = 0;
}

/*
 * A read that @p has not carried on for as long as a silent peer takes
 * to be gone (MAX-TIME-LAST-HEARD and MAX-TIME-NO-RESPONSE) is over: a
 * reader asks for the next part as soon as it has one, and a slow one
 * within seconds.  Its next request starts a new read, as after a lost
 * association, and the memory of this one goes meanwhile.
 */
static void snap_stale(struct rsp_enrp *e, struct epeer *p, uint64_t now)
{
	if ((p->snap || p->cur) && now >= p->served_at +
	    e->c.last_heard_ms + e->c.no_response_ms) {
		say(e, 1, "peer %08x stopped reading our table: dropped",
		    p->id);
		snap_free(p);
	}
}

/* The table @p reads, as it is when it asks: its responses, encoded. */
struct snapshot {
	struct rsp_enrp *e;
	struct epeer *p;
	size_t start;			/* the last response's, in its buffer */
	unsigned int n;			/* parameters in it */
	struct rsp_buf pe;		/* one PE parameter */
	int later;			/* the pass for PEs without SCTP ASAP */
	int cut;			/* the next PE starts a new response */
	size_t rest;			/* those the first pass left */
	struct rsp_buf *part;		/* table_part(): the one response */
	int err;
};

/* The last response is complete. */
static void snap_end(struct snapshot *s)
{
	if (s->p->nsnap)
		rsp_msg_end(&s->p->snap[s->p->nsnap - 1], s->start);
}

/* A response to @s's peer begins in @b: its start, for rsp_msg_end(). */
static size_t response_begin(struct snapshot *s, struct rsp_buf *b)
{
	size_t start;

	rsp_buf_init(b);
	start = rsp_msg_begin(b, ENRP_HANDLE_TABLE_RESPONSE, 0);
	rsp_put32(b, s->e->c.id);
	rsp_put32(b, s->p->id);
	s->n = 0;
	return start;
}

/* The next response, after the last. */
static struct rsp_buf *snap_open(struct snapshot *s)
{
	struct epeer *p = s->p;
	struct rsp_buf *v = realloc(p->snap, (p->nsnap + 1) * sizeof(*v));

	if (!v)
		return NULL;
	p->snap = v;
	snap_end(s);
	v = &v[p->nsnap++];
	s->start = response_begin(s, v);
	s->cut = 0;
	return v;
}

static int snap_add(const struct rsp_pe_rec *r, void *arg)
{
	struct snapshot *s = arg;
	struct rsp_param prm = { .type = RSP_P_PE, .pe = &s->e->pe };
	struct rsp_buf *b = s->part ? s->part : s->p->nsnap ?
			    &s->p->snap[s->p->nsnap - 1] : NULL;
	int sctp;

	if (!r->home)		/* put by hand, not a registrar's */
		return 0;
	/*
	 * rsplib (SCTP only) stops reading a response at a PE whose ASAP
	 * transport is not SCTP: those come after all the others.
	 */
	sctp = r->has_asap && r->asap.type == RSP_P_SCTP;
	if (sctp == s->later) {
		s->rest += !sctp;
		return 0;
	}
	rsp_pe_to_wire(prm.pe, r);
	s->pe.len = s->pe.pad = 0;
	rsp_param_encode(&s->pe, &prm);
	/* A new response where this PE and its pool would not fit. */
	if (!b || b->len + s->pe.len + RSP_TLV_HDR + RSP_HANDLE_MAX >
		  TABLE_BYTES || s->n + 2 > RSP_MAX_PARAMS || s->cut) {
		if (s->part)	/* the next part's first, if it fits any */
			return s->n ? 1 : (s->err = -EMSGSIZE);
		b = snap_open(s);
	}
	if (!b || b->failed || s->pe.failed)
		return s->err = -ENOMEM;
	/*
	 * Every PE after its pool's handle: RFC 5353 lets the PEs of a pool
	 * follow one handle, but rsplib fails on a PE that does not.
	 */
	prm.type = RSP_P_HANDLE;
	prm.handle.len = r->handle_len;
	memcpy(prm.handle.data, r->handle, r->handle_len);
	rsp_param_encode(b, &prm);
	rsp_put(b, s->pe.p, s->pe.len);
	b->pad = s->pe.pad;
	s->n += 2;
	return b->failed ? (s->err = -ENOMEM) : 0;
}

static void table_refused(struct rsp_enrp *e, struct epeer *p, int own,
			  int err)
{
	say(e, 0, "peer %08x asked for %s: %s", p->id,
	    own ? "our PEs" : "the whole table", strerror(-err));
	snap_free(p);
	rsp_msg_init(&e->out, RSP_PPID_ENRP, ENRP_HANDLE_TABLE_RESPONSE, 0x01);
	send_peer(e, p, &e->out);	/* R: refused */
}

/*
 * The next part of the whole table into @p's ahead: read on from the
 * kernel's dump as far as one response holds.  The dump resumes after the
 * last PE it gave, by pool handle and ID: no PE that stays is missed; one
 * that comes or goes meanwhile reaches @p in a handle update too.
 */
static int part_make(struct rsp_enrp *e, struct epeer *p)
{
	struct snapshot s = { .e = e, .p = p };
	struct rsp_buf *b = &p->ahead;
	int err = 0, more = 0;

	rsp_buf_init(&s.pe);
	s.part = b;
	s.later = p->cur_later;
	s.rest = p->cur_rest;
	s.start = response_begin(&s, b);
	while (!err && !s.err) {
		err = rsp_kern_dump_more(p->cur, snap_add, &s);
		if (err == 1) {			/* this response is full */
			err = 0;
			more = 1;
			break;
		}
		if (err || s.err || s.later || !s.rest)
			break;
		/* Then those without SCTP ASAP, in responses of their own. */
		s.later = 1;
		err = rsp_kern_dump_start(p->cur);
		if (s.n) {
			more = 1;
			break;
		}
	}
	p->cur_later = s.later;
	p->cur_rest = s.rest;
	rsp_buf_free(&s.pe);
	if (!err && !s.err && b->failed)
		s.err = -ENOMEM;
	if (err || s.err) {
		rsp_buf_free(b);
		return err ? err : s.err;
	}
	rsp_msg_end(b, s.start);
	if (more)
		b->p[1] |= F_MORE;	/* the byte after type */
	return 0;
}

/*
 * The whole table, a response at a time as @p asks.  @p asks for the next
 * before it takes one in, and the next is made as soon as one is sent:
 * the two registrars work at once, and a request finds its answer ready
 * (a snapshot of 50 000 PEs kept our peer waiting for most of a second;
 * a part made at each request, the peer waited for each).
 */
static void table_part(struct rsp_enrp *e, struct epeer *p)
{
	int err = p->ahead_err, more;

	if (!p->cur) {
		p->cur = malloc(sizeof(*p->cur));
		if (!p->cur || rsp_nl_open(p->cur)) {
			free(p->cur);
			p->cur = NULL;
			table_refused(e, p, 0, -ENOMEM);
			return;
		}
		p->cur_later = 0;
		p->cur_rest = 0;
		say(e, 1, "peer %08x reads the whole table", p->id);
		err = rsp_kern_dump_start(p->cur);
		if (!err)
			err = part_make(e, p);
	}
	if (err) {
		table_refused(e, p, 0, err);
		return;
	}
	send_bytes(e, p, &p->ahead);
	more = p->ahead.p[1] & F_MORE;
	rsp_buf_free(&p->ahead);
	if (more)
		p->ahead_err = part_make(e, p);
	else
		snap_free(p);
}

/*
 * Our PEs (@own: the W flag), or every PE of the handlespace whoever is
 * home (a registrar that makes us its mentor: table_part()), TABLE_BYTES
 * a response at most.  Ours are taken at the first request, so that PEs
 * that come and go while the peer reads shift nothing; the responses
 * after it are sent from there.  A peer reads one table at a time.
 */
static void table_response(struct rsp_enrp *e, struct epeer *p, int own)
{
	struct snapshot s = { .e = e, .p = p };
	uint64_t now = rsp_now_ms();
	const struct rsp_pe_rec *r;
	size_t i;

	snap_stale(e, p, now);
	p->served_at = now;
	if (p->cur || (!own && !p->snap)) {
		table_part(e, p);
		return;
	}
	if (!p->snap) {
		rsp_buf_init(&s.pe);
		for (; s.later < 2 && !s.err; s.later++) {
			if (s.later && !s.rest)
				break;
			/* And in responses of their own. */
			s.cut = 1;
			for (i = 0; !s.err && (r = rsp_asap_home(e->a, i)); i++)
				snap_add(r, &s);
		}
		if (!s.err && !p->nsnap && !snap_open(&s))
			s.err = -ENOMEM;
		snap_end(&s);
		rsp_buf_free(&s.pe);
		if (!s.err && p->snap[p->nsnap - 1].failed)
			s.err = -ENOMEM;
		if (s.err) {
			table_refused(e, p, 1, s.err);
			return;
		}
		/* M on every response but the last: the byte after type. */
		for (i = 0; i + 1 < p->nsnap; i++)
			p->snap[i].p[1] |= F_MORE;
		say(e, 1, "peer %08x reads our PEs: %zu responses", p->id,
		    p->nsnap);
	}
	send_bytes(e, p, &p->snap[p->snap_at++]);
	if (p->snap_at == p->nsnap)
		snap_free(p);
}

/*
 * The PEs learned so far go into the kernel, in one netlink send; @quiet
 * (a table's) raise no events, which would cost more than the puts.
 */
static void learned(struct rsp_enrp *e, uint32_t owner, int quiet)
{
	unsigned int i;

	if (!e->nlearn)
		return;
	rsp_kern_put_many(e->nl, e->learn, e->nlearn, quiet, e->lerr);
	for (i = 0; i < e->nlearn; i++) {
		const struct rsp_pe_rec *r = &e->learn[i];

		if (e->lerr[i]) {
			say(e, 1, "PE %08x from %08x refused: %s", r->id,
			    owner, strerror(-e->lerr[i]));
			continue;
		}
		say(e, 2, "PE %08x of peer %08x learned", r->id, r->home);
		rsp_asap_moved(e->a, r->handle, r->handle_len, r->id, r->home);
		/* No event tells of our own puts (mute_own_puts()). */
		if (r->home && (!i || r->home != e->learn[i - 1].home))
			rsp_enrp_changed(e, r->home);
	}
	e->nlearn = 0;
}

/*
 * A PE a peer owns: into the kernel with that peer as its home, with the
 * others of its message (learned() puts them).
 */
static void learn(struct rsp_enrp *e, const struct rsp_param *h,
		  const struct rsp_p_pe *pe, uint32_t owner, int quiet)
{
	struct rsp_pe_rec *r = &e->learn[e->nlearn];
	int cause;

	cause = rsp_pe_from_wire(r, h->handle.data, h->handle.len, pe);
	if (cause) {
		say(e, 1, "PE %08x from %08x: unusable (cause 0x%x)", pe->id,
		    owner, cause);
		return;
	}
	if (!r->home)
		r->home = owner;
	if (r->home == e->c.id)	/* ours from before a restart: kept */
		return;
	if (++e->nlearn == RSP_KERN_BATCH)
		learned(e, owner, quiet);
}

static int key_cmp(const void *a, const void *b)
{
	const struct pe_key *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->handle, y->handle, x->len);
}

static void confirm(struct epeer *p, const struct rsp_param *h, uint32_t id)
{
	struct pe_key *k;

	if (p->nconf == p->capconf) {
		size_t cap = p->capconf ? 2 * p->capconf : 64;
		struct pe_key *v = realloc(p->conf, cap * sizeof(*v));

		if (!v)
			return;	/* it stays unconfirmed: re-learned later */
		p->conf = v;
		p->capconf = cap;
	}
	k = &p->conf[p->nconf++];
	memset(k, 0, sizeof(*k));
	k->id = id;
	k->len = h->handle.len;
	memcpy(k->handle, h->handle.data, h->handle.len);
}

/*
 * Whether every PE in the kernel is one we are home for: then the kernel
 * holds none of any peer, and the dumps that look for them are not made.
 * (A PE of ours missing from the kernel could hide a peer's from this
 * count; the checksums find that one later.)
 */
static int only_ours(struct rsp_enrp *e)
{
	long n = rsp_kern_count(e->nl);

	return n >= 0 && (size_t)n <= rsp_asap_nhomes(e->a);
}

static void read_table(struct rsp_enrp *e, struct epeer *p)
{
	p->reading = 1;
	p->fresh = p->full && only_ours(e);
	p->read_at = rsp_now_ms();
	p->nconf = p->nread = 0;
	table_request(e, p);
	say(e, 1, "peer %08x: reading its %stable", p->id,
	    p->full ? "whole " : "");
}

/*
 * The PEs of a peer that the kernel holds and its table lacks; of every
 * other registrar, when the table was a mentor's whole one.
 */
struct stale {
	const struct epeer *p;
	uint32_t self;
	struct pe_key *v;
	size_t n, cap;
};

static int find_stale(const struct rsp_pe_rec *r, void *arg)
{
	struct stale *st = arg;
	struct pe_key k = { .id = r->id, .len = r->handle_len };

	if (st->p->full ? !r->home || r->home == st->self :
	    r->home != st->p->id)
		return 0;
	memcpy(k.handle, r->handle, k.len);
	if (st->p->nconf &&
	    bsearch(&k, st->p->conf, st->p->nconf, sizeof(k), key_cmp))
		return 0;
	if (st->n == st->cap) {
		size_t cap = st->cap ? 2 * st->cap : 64;
		struct pe_key *v = realloc(st->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		st->v = v;
		st->cap = cap;
	}
	st->v[st->n++] = k;
	return 0;
}

/*
 * The table is read: what the kernel holds of the peer and the table did
 * not confirm goes.  Only those keys are kept from the kernel's dump.
 */
static void table_read(struct rsp_enrp *e, struct epeer *p)
{
	struct stale st = { .p = p, .self = e->c.id };
	size_t i, gone = 0;

	p->reading = 0;
	p->checked = 0;
	if (p->nconf)	/* none kept: conf may be NULL, which qsort() forbids */
		qsort(p->conf, p->nconf, sizeof(*p->conf), key_cmp);
	/*
	 * Nothing is stale in a whole table read into a kernel that held no
	 * peer's PE: whatever came in meanwhile, from any peer, came from a
	 * table or update read for it (confirm_reading(), which keeps no
	 * keys for such a read).
	 */
	if (!p->fresh && !only_ours(e) &&
	    !rsp_kern_dump(e->nl, find_stale, &st))
		for (i = 0; i < st.n; i++)
			gone += !rsp_kern_del(e->nl, st.v[i].handle,
					      st.v[i].len, st.v[i].id);
	free(st.v);
	say(e, 1, "peer %08x: its %stable read, %zu PEs in %llu ms", p->id,
	    p->full ? "whole " : "", p->nread,
	    (unsigned long long)(rsp_now_ms() - p->read_at));
	p->full = 0;
	if (gone)
		say(e, 0, "peer %08x: %zu PEs it no longer has removed", p->id,
		    gone);
	free(p->conf);
	p->conf = NULL;
	p->nconf = p->capconf = 0;
}

/*
 * A PE that @p adds or lists while tables that hold its PEs are being
 * read (its own, or a mentor's whole one) is no stale PE for table_read()
 * to remove: it may be newer than those tables.  A fresh read removes
 * none, and needs no keys.
 */
static void confirm_reading(struct rsp_enrp *e, struct epeer *p,
			    const struct rsp_param *h, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < e->npeers; i++) {
		struct epeer *q = &e->peers[i];

		if (!q->reading || (q != p && !q->full))
			continue;
		if (!q->fresh)
			confirm(q, h, id);
		q->nread += q == p;
	}
}

static void on_table(struct rsp_enrp *e, struct epeer *p)
{
	const struct rsp_param *h = NULL;
	unsigned int i;

	if (e->in.flags & 0x01) {	/* R: the peer refused */
		p->reading = 0;
		return;
	}
	/* The next part is asked for first: the peer makes it meanwhile. */
	if (e->in.flags & F_MORE)
		table_request(e, p);
	for (i = 0; i < e->in.nparams; i++) {
		const struct rsp_param *prm = &e->in.params[i];

		if (prm->type == RSP_P_HANDLE) {
			h = prm;
		} else if (prm->type == RSP_P_PE && h) {
			learn(e, h, prm->pe, p->id, 1);
			confirm_reading(e, p, h, prm->pe->id);
		}
	}
	learned(e, p->id, 1);
	if (!(e->in.flags & F_MORE) && p->reading)
		table_read(e, p);
}

/*
 * A presence's checksum against our view of the peer's PEs, which the
 * kernel sums (RSP_CMD_HOME_GET).  Asked only when the peer's checksum
 * or our view of it moved (rsp_enrp_changed(): the kernel's events, and
 * our own puts); the peer's updates come before its presence on the
 * association.
 */
static void check_sum(struct rsp_enrp *e, struct epeer *p, uint16_t cs)
{
	uint16_t ours = rsp_csum_final(RSP_CSUM_EMPTY);

	if (p->reading || (p->checked && cs == p->csum_seen))
		return;
	if (!only_ours(e) && rsp_kern_home(e->nl, p->id, NULL, &ours))
		return;
	p->csum_seen = cs;
	p->checked = 1;
	if (ours == cs)
		return;
	/* Read already for this value: a peer that sums otherwise. */
	if (p->read_for == cs)
		return;
	p->read_for = cs;
	say(e, 1, "peer %08x: its PE checksum is %04x, ours of it %04x: reading its table again",
	    p->id, cs, ours);
	read_table(e, p);
}

static void on_update(struct rsp_enrp *e, struct epeer *p)
{
	const struct rsp_param *h = rsp_msg_find(&e->in, RSP_P_HANDLE);
	const struct rsp_param *pe = rsp_msg_find(&e->in, RSP_P_PE);

	if (!h || !pe)
		return;
	if (e->in.action == 0) {
		learn(e, h, pe->pe, p->id, 0);
		learned(e, p->id, 0);
		confirm_reading(e, p, h, pe->pe->id);
	} else if (rsp_asap_is_home(e->a, h->handle.data, h->handle.len,
				    pe->pe->id)) {
		/* Only a PE's home removes it: a stale owner after a takeover. */
		say(e, 1, "peer %08x deletes PE %08x, which is ours: ignored",
		    p->id, pe->pe->id);
	} else {
		rsp_kern_del(e->nl, h->handle.data, h->handle.len, pe->pe->id);
		say(e, 2, "PE %08x of peer %08x removed", pe->pe->id, p->id);
	}
}

/* A new peer in the next free slot, not heard of yet; NULL if full. */
static struct epeer *peer_new(struct rsp_enrp *e)
{
	struct epeer *p;

	if (e->npeers == RSP_ENRP_PEERS_MAX)
		return NULL;
	p = &e->peers[e->npeers++];
	memset(p, 0, sizeof(*p));
	p->read_for = -1;
	return p;
}

static struct epeer *peer_by_id(struct rsp_enrp *e, uint32_t id)
{
	unsigned int i;

	for (i = 0; id && i < e->npeers; i++)
		if (e->peers[i].id == id)
			return &e->peers[i];
	return NULL;
}

/* The peer on this association or connection, or NULL. */
static struct epeer *peer_on(struct rsp_enrp *e, sctp_assoc_t assoc,
			     struct econn *c)
{
	unsigned int i;

	for (i = 0; i < e->npeers; i++)
		if (c ? e->peers[i].conn == c : e->peers[i].assoc == assoc)
			return &e->peers[i];
	return NULL;
}

/*
 * The peer of a message, by its link (association @assoc, or connection
 * @c): known by the link or its sender ID, a static one by address, or
 * new.
 */
static struct epeer *peer_of(struct rsp_enrp *e, sctp_assoc_t assoc,
			     struct econn *c, uint32_t sender)
{
	struct sockaddr *sas = NULL, *sa;
	struct epeer *p = peer_on(e, assoc, c);
	unsigned int i;
	int n, j;

	if (p)
		return p;
	p = peer_by_id(e, sender);
	if (!p) {
		if (c) {
			sas = (struct sockaddr *)&c->addr;
			n = 1;
		} else {
			n = sctp_getpaddrs(e->fd, assoc, &sas);
		}
		for (i = 0; n > 0 && !p && i < e->npeers; i++) {
			struct rsp_p_addr x;

			if (!e->peers[i].addr.ss_family)
				continue;
			rsp_sa_addr(&x, (struct sockaddr *)&e->peers[i].addr);
			for (j = 0, sa = sas; j < n; j++, sa = rsp_sa_next(sa))
				if (rsp_sa_same(&x, sa))
					p = &e->peers[i];
		}
		if (!c && n > 0)
			sctp_freepaddrs(sas);
	}
	if (!p) {
		p = peer_new(e);
		if (!p)
			return NULL;
		p->tcp = !!c;
	}
	/* A second connection (both dialled) serves as well as the first. */
	if (c && !p->conn)
		p->conn = c;
	else if (!c)
		p->assoc = assoc;
	return p;
}

/* The registrars we know, but the asker, by their server information. */
static void list_response(struct rsp_enrp *e, struct epeer *to)
{
	unsigned int i;

	rsp_msg_init(&e->out, RSP_PPID_ENRP, ENRP_LIST_RESPONSE, 0);
	for (i = 0; i < e->npeers; i++) {
		struct epeer *p = &e->peers[i];
		struct rsp_param *prm;

		if (p == to || !p->id || !p->has_info)
			continue;
		prm = rsp_msg_add(&e->out, RSP_P_SERVER_INFO);
		if (prm)
			prm->server = &p->info;
	}
	send_peer(e, to, &e->out);
}

static void takeover_msg(struct rsp_enrp *e, struct epeer *to, uint8_t type,
			 uint32_t target)
{
	rsp_msg_init(&e->out, RSP_PPID_ENRP, type, 0);
	e->out.target = target;
	send_peer(e, to, &e->out);
}

/*
 * Forgets a peer that is gone for good; a static one keeps its slot and
 * address.  1 if its slot now holds another peer (or none).
 */
static int peer_reset(struct rsp_enrp *e, struct epeer *p)
{
	p->id = 0;
	p->synced = 0;
	p->full = 0;
	snap_free(p);
	p->asked_at = 0;
	unlink_peer(e, p);
	p->state = P_UP;
	p->nwait = 0;
	p->taker = 0;
	p->reading = 0;
	p->checked = 0;
	free(p->conf);
	p->conf = NULL;
	p->nconf = p->capconf = 0;
	if (p->addr.ss_family)
		return 0;
	*p = e->peers[--e->npeers];
	return 1;
}

/*
 * @v's PEs get @home in the kernel, in netlink batches: thousands of them
 * one request each would stall the loop long enough for peers to take
 * us for gone.  Returns how many the kernel took; they are moved to the
 * front of @v.
 */
static size_t rehome(struct rsp_enrp *e, struct rsp_pe_rec *v, size_t n,
		     uint32_t home)
{
	size_t k, j, m, ok = 0;

	for (k = 0; k < n; k++)
		v[k].home = home;
	for (k = 0; k < n; k += m) {
		m = n - k < RSP_KERN_BATCH ? n - k : RSP_KERN_BATCH;
		rsp_kern_put_many(e->nl, &v[k], m, 0, e->lerr);
		for (j = 0; j < m; j++)
			if (!e->lerr[j] && ok++ != k + j)
				v[ok - 1] = v[k + j];
	}
	return ok;
}

/* Ours now: every live peer hears it, every PE gets a keep-alive with H. */
static int takeover_finish(struct rsp_enrp *e, struct epeer *t)
{
	struct rsp_pe_rec *v;
	unsigned int i;
	size_t n, k, ok;
	int err;

	for (i = 0; i < e->npeers; i++)
		if (&e->peers[i] != t && live(&e->peers[i]))
			takeover_msg(e, &e->peers[i], ENRP_TAKEOVER_SERVER,
				     t->id);
	err = rsp_kern_of_home(e->nl, t->id, &v, &n);
	ok = err ? 0 : rehome(e, v, n, e->c.id);
	for (k = 0; k < ok; k++)
		rsp_asap_adopt(e->a, &v[k], 1);
	if (err)
		say(e, 0, "takeover of %08x: cannot read the kernel table: %s",
		    t->id, strerror(-err));
	else
		say(e, 0, "took over peer %08x: %zu of its %zu PEs", t->id, ok,
		    n);
	free(v);
	return peer_reset(e, t);
}

/* @t stopped answering: ask the others whether we may take its PEs. */
static int takeover_start(struct rsp_enrp *e, struct epeer *t)
{
	unsigned int i;

	t->state = P_TAKING;
	unlink_peer(e, t);
	t->asked_at = 0;
	t->until = rsp_now_ms() + e->c.takeover_ms;
	t->nwait = 0;
	for (i = 0; i < e->npeers; i++) {
		struct epeer *q = &e->peers[i];

		if (q == t || !live(q) || !(q->assoc || q->conn))
			continue;
		t->wait[t->nwait++] = q->id;
		takeover_msg(e, q, ENRP_INIT_TAKEOVER, t->id);
	}
	say(e, 0, "peer %08x is gone: taking its PEs over (%u peers to agree)",
	    t->id, t->nwait);
	return t->nwait ? 0 : takeover_finish(e, t);
}

/* The takeover of @t no longer waits for @q's ACK. */
static void wait_drop(struct epeer *t, uint32_t q)
{
	unsigned int j;

	for (j = 0; j < t->nwait; j++)
		if (t->wait[j] == q)
			t->wait[j--] = t->wait[--t->nwait];
}

/* @q does not answer any more: the takeovers stop waiting for it. */
static void unwait(struct rsp_enrp *e, uint32_t q)
{
	unsigned int i;

	for (i = 0; i < e->npeers; i++)
		if (e->peers[i].state == P_TAKING)
			wait_drop(&e->peers[i], q);
}

static void on_init_takeover(struct rsp_enrp *e, struct epeer *q)
{
	uint32_t target = e->in.target;
	struct epeer *t = peer_by_id(e, target);

	if (target == e->c.id) {
		say(e, 0, "peer %08x thinks we are gone: telling it otherwise",
		    q->id);
		presence(e, q, 0);
		return;
	}
	/* Two takers: the lower server ID goes on. */
	if (t && t->state == P_TAKING && e->c.id < q->id) {
		say(e, 1, "peer %08x also takes %08x over: we go on (lower ID)",
		    q->id, target);
		return;
	}
	takeover_msg(e, q, ENRP_INIT_TAKEOVER_ACK, target);
	if (t && t->state != P_UP) {
		t->state = P_WAITING;
		t->taker = q->id;
		t->until = rsp_now_ms() + 2 * e->c.takeover_ms;
	} else if (t) {
		/* Not gone for us yet: when it is, @q has it in hand. */
		t->taker = q->id;
		t->until = rsp_now_ms() + 2 * e->c.takeover_ms +
				 e->c.last_heard_ms + e->c.no_response_ms;
	}
	say(e, 1, "peer %08x takes %08x over: agreed", q->id, target);
}

static void on_takeover_ack(struct rsp_enrp *e, struct epeer *q)
{
	struct epeer *t = peer_by_id(e, e->in.target);

	if (!t || t->state != P_TAKING)
		return;
	wait_drop(t, q->id);
	if (!t->nwait)
		takeover_finish(e, t);
}

/* @q took @target's PEs over: they are @q's in our table from now on. */
static void on_takeover_server(struct rsp_enrp *e, struct epeer *q)
{
	uint32_t target = e->in.target;
	struct epeer *t = peer_by_id(e, target);
	struct rsp_pe_rec *v;
	size_t n;

	if (target == e->c.id) {
		say(e, 0, "peer %08x took over our PEs: they will tell us", q->id);
		return;
	}
	if (!rsp_kern_of_home(e->nl, target, &v, &n)) {
		say(e, 0, "peer %08x took over %08x: %zu of its %zu PEs now its",
		    q->id, target, rehome(e, v, n, q->id), n);
		free(v);
	}
	if (t)
		peer_reset(e, t);
}

/* A configured peer at one of @t's addresses: it will speak for itself. */
static int configured(struct rsp_enrp *e, const struct rsp_p_transport *t)
{
	unsigned int i, k;

	for (i = 0; i < e->npeers; i++)
		for (k = 0; e->peers[i].addr.ss_family && k < t->naddrs; k++)
			if (rsp_sa_same(&t->addrs[k],
					(struct sockaddr *)&e->peers[i].addr))
				return 1;
	return 0;
}

/*
 * A registrar we heard of (by multicast, from a peer's list) and do not
 * know: a peer at the transport of its server information, over SCTP or
 * TCP as it says (if we speak that too).  It hears our presence at once.
 */
static void peer_heard(struct rsp_enrp *e, uint32_t id,
		       const struct rsp_p_transport *t, const char *how)
{
	struct epeer *p;

	if (!id || id == e->c.id || !t->naddrs || peer_by_id(e, id) ||
	    configured(e, t) ||
	    (t->type == RSP_P_TCP ? e->tcp < 0 : e->fd < 0))
		return;
	p = peer_new(e);
	if (!p)
		return;
	p->tcp = t->type == RSP_P_TCP;
	rsp_sa_make(&p->addr, &t->addrs[0], t->port);
	say(e, 1, "peer %08x found %s", id, how);
	presence(e, p, F_REPLY);
}

static void on_list(struct rsp_enrp *e)
{
	const struct rsp_param *prm = e->in.params;
	unsigned int i;

	for (i = 0; i < e->in.nparams; i++)
		if (prm[i].type == RSP_P_SERVER_INFO)
			peer_heard(e, prm[i].server->id,
				   &prm[i].server->transport,
				   "in our mentor's list");
}

/*
 * The first peer heard is our mentor (RFC 5353 3.3): it tells us the
 * other registrars and gives us the whole handlespace.
 */
static void mentor(struct rsp_enrp *e, struct epeer *p)
{
	if (e->mentored)
		return;
	e->mentored = 1;
	p->full = 1;
	say(e, 1, "peer %08x is our mentor", p->id);
	rsp_msg_init(&e->out, RSP_PPID_ENRP, ENRP_LIST_REQUEST, 0);
	send_peer(e, p, &e->out);
}

/*
 * ENRP_ERROR for what the action bits of an unknown type say to report:
 * the unrecognized parameter (cause 0x1) or message (0x2), whole.  Only
 * to a peer heard of on this link: a stranger gets no answer.
 */
static void report_unknown(struct rsp_enrp *e, sctp_assoc_t assoc,
			   struct econn *c, uint16_t cause,
			   const uint8_t *raw, size_t len)
{
	struct epeer *p = peer_on(e, assoc, c);

	if (!p || !p->id)
		return;
	rsp_msg_init(&e->out, RSP_PPID_ENRP, ENRP_ERROR, 0);
	rsp_msg_add_error(&e->out, &e->ebuf, cause, NULL, raw, len);
	send_peer(e, p, &e->out);
}

/* A peer's ENRP_ERROR: logged, nothing more to do. */
static void on_error(struct rsp_enrp *e, struct epeer *p)
{
	const struct rsp_param *prm = e->in.params;
	unsigned int i;

	for (i = 0; i < e->in.nparams; i++)
		if (prm[i].type == RSP_P_ERROR && prm[i].raw.len >= 2)
			say(e, 0, "peer %08x reports an error: cause 0x%x",
			    p->id, prm[i].raw.data[0] << 8 |
			    prm[i].raw.data[1]);
}

static void handle(struct rsp_enrp *e, sctp_assoc_t assoc, struct econn *c,
		   const uint8_t *buf, size_t n)
{
	const struct rsp_param *info;
	enum rsp_decode_err err;
	struct epeer *p;

	/* A type we do not know: its body is no business of ours. */
	if (n >= RSP_MSG_HDR && (buf[0] < ENRP_PRESENCE || buf[0] > ENRP_ERROR)) {
		say(e, 2, "ignored ENRP message type %u", buf[0]);
		e->dropped++;
		/* Top bits 01: discard and report. */
		if ((buf[0] & 0xc0) == 0x40)
			report_unknown(e, assoc, c, RSP_CAUSE_UNRECOGNIZED_MSG,
				       buf, n);
		return;
	}
	err = rsp_msg_decode(&e->in, RSP_PPID_ENRP, buf, n);
	if (e->in.unknown_reported)
		report_unknown(e, assoc, c, RSP_CAUSE_UNRECOGNIZED_PARAM,
			       e->in.unknown, e->in.unknown_len);
	if (err) {
		say(e, 1, "dropped a malformed message (%zu bytes, error %d)",
		    n, err);
		e->dropped++;
		rsp_msg_free(&e->in);
		return;
	}
	p = peer_of(e, assoc, c, e->in.sender);
	if (!p || !e->in.sender || e->in.sender == e->c.id) {
		rsp_msg_free(&e->in);
		return;
	}
	if (!p->id)
		say(e, 1, "peer %08x is there", e->in.sender);
	if (p->state != P_UP) {
		say(e, 0, "peer %08x is back: no takeover of it", p->id);
		p->state = P_UP;
		p->nwait = 0;
	}
	p->taker = 0;
	p->id = e->in.sender;
	p->last_heard = rsp_now_ms();
	p->asked_at = 0;
	if (e->in.type >= ENRP_INIT_TAKEOVER &&
	    e->in.type <= ENRP_TAKEOVER_SERVER && e->in.target == p->id) {
		/* A registrar that speaks is not gone: nonsense, dropped. */
		say(e, 1, "dropped a takeover of peer %08x by itself", p->id);
		e->dropped++;
		rsp_msg_free(&e->in);
		return;
	}
	switch (e->in.type) {
	case ENRP_PRESENCE:
		info = rsp_msg_find(&e->in, RSP_P_SERVER_INFO);
		if (info) {
			p->info = *info->server;
			p->has_info = 1;
		}
		if (!p->synced) {
			p->synced = 1;
			mentor(e, p);
			read_table(e, p);
		} else {
			const struct rsp_param *cs;

			cs = rsp_msg_find(&e->in, RSP_P_CHECKSUM);
			if (cs)
				check_sum(e, p, cs->checksum);
		}
		if (e->in.flags & F_REPLY)
			presence(e, p, 0);
		break;
	case ENRP_HANDLE_TABLE_REQUEST:
		table_response(e, p, e->in.flags & F_OWN);
		break;
	case ENRP_LIST_REQUEST:
		list_response(e, p);
		break;
	case ENRP_LIST_RESPONSE:
		on_list(e);
		break;
	case ENRP_HANDLE_TABLE_RESPONSE:
		on_table(e, p);
		break;
	case ENRP_HANDLE_UPDATE:
		on_update(e, p);
		break;
	case ENRP_INIT_TAKEOVER:
		on_init_takeover(e, p);
		break;
	case ENRP_INIT_TAKEOVER_ACK:
		on_takeover_ack(e, p);
		break;
	case ENRP_TAKEOVER_SERVER:
		on_takeover_server(e, p);
		break;
	case ENRP_ERROR:
		on_error(e, p);
		break;
	default:
		say(e, 2, "ignored message type %u from %08x", e->in.type,
		    p->id);
		e->dropped++;
		break;
	}
	rsp_msg_free(&e->in);
}

static void notification(struct rsp_enrp *e)
{
	const union sctp_notification *n = (const void *)e->buf;
	unsigned int i;
	uint16_t state;

	if (n->sn_header.sn_type != SCTP_ASSOC_CHANGE)
		return;
	state = n->sn_assoc_change.sac_state;
	if (state != SCTP_COMM_LOST && state != SCTP_SHUTDOWN_COMP &&
	    state != SCTP_RESTART)
		return;
	/*
	 * Its PEs stay until the peer times out: it may just reconnect.  A
	 * table it was reading from us it reads from the start when it does
	 * (a restarted peer has none of the parts it had).
	 */
	for (i = 0; i < e->npeers; i++) {
		struct epeer *p = &e->peers[i];

		if (p->assoc != n->sn_assoc_change.sac_assoc_id)
			continue;
		snap_free(p);
		if (state != SCTP_RESTART)
			p->assoc = 0;
	}
}

static void sctp_message(void *arg, int32_t assoc, size_t n)
{
	struct rsp_enrp *e = arg;

	handle(e, assoc, NULL, e->buf, n);
}

static void conn_message(void *arg, struct rsp_stream *s, const uint8_t *p,
			 size_t len)
{
	struct econn *c = arg;

	(void)s;
	c->e->reading = c;
	handle(c->e, 0, c, p, len);
	c->e->reading = NULL;
}

/*
 * Its peer keeps its PEs until it times out: it may just reconnect, and
 * then reads a table it was reading from the start.
 */
static void conn_close(struct rsp_enrp *e, struct econn *c)
{
	struct econn **pp = &e->conns;
	unsigned int i;

	for (i = 0; i < e->npeers; i++)
		if (e->peers[i].conn == c) {
			e->peers[i].conn = NULL;
			snap_free(&e->peers[i]);
		}
	if (c == e->reading) {
		/* From its own message: it goes when the read returns. */
		rsp_stream_stop(&c->s);
		return;
	}
	while (*pp != c)
		pp = &(*pp)->next;
	*pp = c->next;
	e->dropped += c->s.dropped;
	rsp_stream_close(&c->s);
	free(c);
}

static void conn_accept(struct rsp_enrp *e)
{
	struct econn *c;
	int r;

	do {
		c = calloc(1, sizeof(*c));
		r = c ? rsp_stream_accept(&c->s, e->ep, e->tcp, &c->addr) : 0;
		if (r <= 0) {
			free(c);
			continue;
		}
		c->s.msg = conn_message;
		c->s.arg = c;
		c->e = e;
		c->next = e->conns;
		e->conns = c;
	} while (r);
}

static void sctp_note(void *arg)
{
	notification(arg);
}

/* Our presence to the group: registrars that do not know us find us. */
static void mcast_presence(struct rsp_enrp *e)
{
	struct rsp_buf b;

	presence_msg(e, 0);
	e->out.sender = e->c.id;
	e->out.receiver = 0;
	e->self.transport.type = e->fd >= 0 ? RSP_P_SCTP : RSP_P_TCP;
	rsp_buf_init(&b);
	rsp_msg_encode(&b, &e->out);
	if (!b.failed && !rsp_mcast_send(e->mout, &e->c.announce, b.p, b.len))
		say(e, 3, "multicast presence: no interface took it");
	rsp_buf_free(&b);
}

/* Presence on the group: the registrars we do not know become peers. */
static void mcast_heard(struct rsp_enrp *e)
{
	const struct rsp_param *info;
	ssize_t n;

	while ((n = recv(e->min, e->buf, sizeof(e->buf), 0)) >= 0) {
		if (rsp_msg_decode(&e->in, RSP_PPID_ENRP, e->buf, n)) {
			e->dropped++;
			rsp_msg_free(&e->in);
			continue;
		}
		info = rsp_msg_find(&e->in, RSP_P_SERVER_INFO);
		if (e->in.type == ENRP_PRESENCE && info)
			peer_heard(e, e->in.sender, &info->server->transport,
				   "by its multicast presence");
		rsp_msg_free(&e->in);
	}
}

int rsp_enrp_event(struct rsp_enrp *e, int fd, uint32_t events)
{
	struct econn *c;

	if (fd == e->min && fd >= 0) {
		mcast_heard(e);
		return 0;
	}
	if (fd == e->fd && fd >= 0) {
		rsp_sctp_drain(&e->rx);
		return 0;
	}
	if (fd == e->tcp && fd >= 0) {
		conn_accept(e);
		return 0;
	}
	for (c = e->conns; c; c = c->next)
		if (c->s.fd == fd) {
			if (rsp_stream_event(&c->s, events))
				conn_close(e, c);
			return 0;
		}
	return -1;
}

void rsp_enrp_held(struct rsp_enrp *e, uint64_t ms)
{
	uint64_t now = rsp_now_ms();
	unsigned int i;

	for (i = 0; i < e->npeers; i++) {
		struct epeer *p = &e->peers[i];

		p->last_heard = p->last_heard + ms < now ?
				p->last_heard + ms : now;
		if (p->asked_at)
			p->asked_at += ms;
		if (p->state != P_UP || p->taker)
			p->until += ms;
	}
	say(e, 1, "our own work held us %llu ms: the peers get that time",
	    (unsigned long long)ms);
}

int rsp_enrp_tick(struct rsp_enrp *e)
{
	uint64_t now = rsp_now_ms(), next;
	unsigned int i;

	if (now >= e->next_presence) {
		/* One not heard of yet answers at once: its table sooner. */
		for (i = 0; i < e->npeers; i++)
			presence(e, &e->peers[i],
				 e->peers[i].id ? 0 : F_REPLY);
		if (e->mout >= 0)
			mcast_presence(e);
		e->next_presence = now + e->c.heartbeat_ms;
	}
	next = e->next_presence;
	i = 0;
	while (i < e->npeers) {
		struct epeer *p = &e->peers[i];
		int moved = 0;

		snap_stale(e, p, now);

		if (p->state == P_TAKING && (!p->nwait || now >= p->until)) {
			if (p->nwait)
				say(e, 0, "takeover of %08x: %u peers did not answer, going on",
				    p->id, p->nwait);
			moved = takeover_finish(e, p);
		} else if (p->state == P_WAITING && now >= p->until) {
			/* The other taker did not finish: the PEs live on. */
			say(e, 0, "no takeover of %08x came from %08x", p->id,
			    p->taker);
			moved = takeover_start(e, p);
		} else if (p->state == P_UP && p->id && p->asked_at &&
			   now >= p->asked_at + e->c.no_response_ms) {
			unwait(e, p->id);
			if (p->taker && now < p->until) {
				say(e, 0, "peer %08x is gone: %08x takes it over",
				    p->id, p->taker);
				p->state = P_WAITING;
			} else {
				moved = takeover_start(e, p);
			}
		} else if (p->state == P_UP && p->id && !p->asked_at &&
			   now >= p->last_heard + e->c.last_heard_ms) {
			presence(e, p, F_REPLY);
			p->asked_at = now;
		}
		if (moved)
			continue;	/* a dynamic one's slot has another */
		if (p->asked_at && p->asked_at + e->c.no_response_ms < next)
			next = p->asked_at + e->c.no_response_ms;
		if (p->state != P_UP && p->until < next)
			next = p->until;
		i++;
	}
	return next > now ? (int)(next - now) : 0;
}

void rsp_enrp_expect(struct rsp_enrp *e, uint32_t id)
{
	struct epeer *p;

	if (!id || id == e->c.id || peer_by_id(e, id))
		return;
	p = peer_new(e);
	if (!p)
		return;
	p->id = id;
	p->last_heard = p->asked_at = rsp_now_ms();
	say(e, 1, "the kernel has PEs of peer %08x: waiting for it", id);
}

void rsp_enrp_changed(struct rsp_enrp *e, uint32_t home)
{
	unsigned int i;

	for (i = 0; i < e->npeers; i++)
		if (!home || e->peers[i].id == home)
			e->peers[i].checked = 0;
}

void rsp_enrp_report(struct rsp_enrp *e, const struct rsp_pe_rec *r)
{
	struct epeer *p = peer_by_id(e, r->home);

	if (p && p->has_info)
		rsp_asap_report_to(e->a, &p->info.transport, r->handle,
				   r->handle_len, r->id);
	else
		say(e, 1, "PE %08x reported unreachable: its home %08x is not known here",
		    r->id, r->home);
}

void rsp_enrp_update(void *arg, int del, const struct rsp_pe_rec *r)
{
	struct rsp_enrp *e = arg;
	struct rsp_param *prm;
	unsigned int i;

	for (i = 0; i < e->npeers && !live(&e->peers[i]); i++)
		;
	if (i == e->npeers)
		return;		/* no one to tell: no message to make */
	rsp_msg_init(&e->out, RSP_PPID_ENRP, ENRP_HANDLE_UPDATE, 0);
	e->out.action = del;
	rsp_msg_add_handle(&e->out, r->handle, r->handle_len);
	prm = rsp_msg_add(&e->out, RSP_P_PE);
	rsp_pe_to_wire(&e->pe, r);
	prm->pe = &e->pe;
	for (; i < e->npeers; i++)
		if (live(&e->peers[i]))
			send_peer(e, &e->peers[i], &e->out);
}

/* Our own server information: the addresses other hosts can reach. */
static void self_info(struct rsp_enrp *e)
{
	e->self.id = e->c.id;
	e->self.transport.type = RSP_P_SCTP;
	e->self.transport.port = e->c.port;
	rsp_local_addrs(&e->self.transport);
}

static int watch(struct rsp_enrp *e, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return fd >= 0 && epoll_ctl(e->ep, EPOLL_CTL_ADD, fd, &ev);
}

struct rsp_enrp *rsp_enrp_open(const struct rsp_enrp_conf *c,
			       struct rsp_nl *nl, struct rsp_asap *a, int ep)
{
	struct rsp_enrp *e = calloc(1, sizeof(*e));
	unsigned int i;

	if (!e)
		return NULL;
	e->c = *c;
	e->nl = nl;
	e->a = a;
	e->ep = ep;
	e->fd = e->tcp = e->mout = e->min = -1;
	if (c->sctp) {
		e->fd = rsp_sctp_listen(c->port, "ENRP");
		if (e->fd == -2 || (e->fd < 0 && !c->tcp)) {
			if (e->fd == -1)
				fprintf(stderr, "rserpoold: no SCTP here (%s): no ENRP\n",
					strerror(errno));
			goto fail;
		}
	}
	if (c->tcp) {
		e->tcp = rsp_stream_listen(c->port, c->mptcp, "ENRP");
		if (e->tcp < 0)
			goto fail;
	}
	e->rx = (struct rsp_sctp_rx){
		.fd = e->fd, .ppid = RSP_PPID_ENRP, .buf = e->buf,
		.size = sizeof(e->buf), .msg = sctp_message,
		.note = sctp_note, .arg = e,
	};
	if (c->announce.sin_family) {
		e->mout = rsp_mcast_sender();
		e->min = rsp_mcast_listener(&c->announce);
		if (e->mout < 0 || e->min < 0)
			goto fail;
	}
	if (watch(e, e->fd) || watch(e, e->tcp) || watch(e, e->min))
		goto fail;
	for (i = 0; i < c->npeers; i++) {
		e->peers[i].addr = c->peers[i];
		e->peers[i].tcp = c->peer_tcp[i];
		e->peers[i].read_for = -1;
	}
	e->npeers = c->npeers;
	self_info(e);
	rsp_asap_set_notify(a, rsp_enrp_update, e);
	return e;
fail:
	rsp_enrp_close(e);
	return NULL;
}

void rsp_enrp_close(struct rsp_enrp *e)
{
	unsigned int i;

	if (!e)
		return;
	for (i = 0; i < e->npeers; i++) {
		free(e->peers[i].conf);
		snap_free(&e->peers[i]);
	}
	rsp_buf_free(&e->ebuf);
	while (e->conns)
		conn_close(e, e->conns);
	if (e->fd >= 0)
		close(e->fd);
	if (e->tcp >= 0)
		close(e->tcp);
	if (e->mout >= 0)
		close(e->mout);
	if (e->min >= 0)
		close(e->min);
	free(e);
}

uint64_t rsp_enrp_dropped(const struct rsp_enrp *e)
{
	return e->dropped + e->rx.dropped;
}

void rsp_enrp_show(struct rsp_enrp *e, FILE *f)
{
	static const char *const states[] = {
		[P_UP] = "up", [P_TAKING] = "taking-over",
		[P_WAITING] = "taken-over",
	};
	uint64_t now = rsp_now_ms();
	unsigned int i;

	for (i = 0; i < e->npeers; i++) {
		const struct epeer *p = &e->peers[i];
		char addr[INET6_ADDRSTRLEN] = "-";
		struct sockaddr_storage ss;
		uint32_t pes = 0;

		if (p->addr.ss_family)
			ss = p->addr;
		else if (p->has_info && p->info.transport.naddrs)
			rsp_sa_make(&ss, &p->info.transport.addrs[0], 0);
		else
			ss.ss_family = 0;
		if (ss.ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr,
				  addr, sizeof(addr));
		else if (ss.ss_family == AF_INET6)
			inet_ntop(AF_INET6,
				  &((struct sockaddr_in6 *)&ss)->sin6_addr,
				  addr, sizeof(addr));
		fprintf(f, "peer id=%u addr=%s transport=%s state=%s link=%s",
			p->id, addr, p->tcp || p->conn ? "tcp" : "sctp",
			p->id ? states[p->state] : "unknown",
			p->assoc || p->conn ? "up" : "down");
		if (p->id && p->last_heard)
			fprintf(f, " heard=%llu",
				(unsigned long long)(now - p->last_heard));
		/* An unknown peer (id 0) owns none: 0 is "no home". */
		if (p->id)
			rsp_kern_home(e->nl, p->id, &pes, NULL);
		fprintf(f, " pes=%u\n", pes);
	}
}
