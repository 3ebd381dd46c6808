/* SPDX-License-Identifier: GPL-2.0 */
/* What every part of the daemon uses: the clock and the log. */
#ifndef RSP_UTIL_H
#define RSP_UTIL_H

#include <stdint.h>
#include <sys/socket.h>
#include "msg.h"

/* CLOCK_MONOTONIC in milliseconds: every timer of the daemon. */
uint64_t rsp_now_ms(void);

/*
 * A loop held this long by our own work (a takeover, a table read) has
 * left what others sent meanwhile unread: the timers that wait for their
 * answers move by that time (rsp_asap_held(), rsp_enrp_held()).
 */
#define RSP_STALL_MS	500

/* From now on the log goes to syslog (daemon mode). */
void rsp_log_syslog(void);

/*
 * Logs "rserpoold: " @prefix and the message on stderr if @level is at
 * most @verbose (0: always, 1: -v, 2: -vv, 3: -vvv).
 */
void rsp_log(int verbose, int level, const char *prefix, const char *fmt,
	     ...) __attribute__((format(printf, 4, 5)));
/* The same, but the arguments are not made for a line not said. */
#define rsp_say(verbose, level, prefix, ...) do {			\
	int verbose_ = (verbose), level_ = (level);			\
									\
	if (level_ <= verbose_)						\
		rsp_log(verbose_, level_, prefix, __VA_ARGS__);		\
} while (0)

/*
 * Socket addresses and the address parameters of ASAP/ENRP.  A v4-mapped
 * IPv6 address is the IPv4 one: the daemon's sockets are IPv6 ones.
 */
size_t rsp_sa_size(const struct sockaddr *sa);
/* The next of the packed addresses that sctp_getpaddrs() gives. */
struct sockaddr *rsp_sa_next(const struct sockaddr *sa);
void rsp_sa_addr(struct rsp_p_addr *x, const struct sockaddr *sa);
int rsp_sa_same(const struct rsp_p_addr *x, const struct sockaddr *sa);
socklen_t rsp_sa_make(struct sockaddr_storage *ss, const struct rsp_p_addr *x,
		      uint16_t port);

/*
 * The receive side of a one-to-many SCTP socket: every whole message of
 * @ppid goes to @msg(arg, association, length) from @buf, each
 * notification to @note(arg) (also in @buf), until the socket is empty,
 * or after @budget reads if not 0 (epoll, level-triggered, comes back).
 * A message longer than @buf is dropped whole, its pieces too.  @hold,
 * if set, is called with 1 after each read and 0 when it is handled: a
 * reader in a thread of its own takes the daemon's lock so, and reads
 * without it.
 */
struct rsp_sctp_rx {
	int fd;
	uint32_t ppid;
	uint8_t *buf;
	size_t size;
	size_t have;			/* of a message read in pieces */
	int skipping;			/* the rest of an oversized one */
	int budget;			/* reads a call, 0: until empty */
	uint64_t dropped;		/* oversized, or of another PPID */
	struct sockaddr_storage from;	/* the message's sender */
	void (*msg)(void *arg, int32_t assoc, size_t len);
	void (*note)(void *arg);
	void (*hold)(void *arg, int on);
	void *arg;
};

void rsp_sctp_drain(struct rsp_sctp_rx *rx);

/*
 * A one-to-many SCTP socket listening on @port (IPv6, v4-mapped too),
 * with data, association and shutdown events: -1 if there is no SCTP
 * here (errno says why, nothing printed), -2 on another error (said on
 * stderr as "@what on SCTP port").
 */
int rsp_sctp_listen(uint16_t port, const char *what);

/*
 * A token bucket for each sender address (rate limits per PU): @rate
 * messages a second, as many at once.  Senders share slots by a hash; a
 * newcomer in a slot starts full, so colliding cannot starve another.
 */
#define RSP_RATE_SLOTS	512

struct rsp_rate {
	unsigned int rate;		/* per second; 0: no limit */
	struct {
		struct rsp_p_addr who;
		uint64_t at;		/* ms of the last refill */
		uint64_t milli;		/* tokens, in thousandths */
	} slot[RSP_RATE_SLOTS];
};

/* 1 if @sa may send one more now (and counts it), 0 if over the rate. */
int rsp_rate_allow(struct rsp_rate *r, const struct sockaddr *sa);

/*
 * The addresses of this host that others can reach (not loopback, not
 * link-local; 127.0.0.1 if there is none) into @t, at most 8.
 */
void rsp_local_addrs(struct rsp_p_transport *t);

#endif /* RSP_UTIL_H */
