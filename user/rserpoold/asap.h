/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The registrar's ASAP server (RFC 5352): PEs register with it and PUs
 * resolve through it, over SCTP (PPID 11) and TCP, on port 3863.
 */
#ifndef RSP_ASAP_H
#define RSP_ASAP_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <pthread.h>
#include "../nl.h"

struct rsp_asap_conf {
	uint32_t id;			/* this registrar's server ID */
	uint16_t port;
	int sctp, tcp;			/* serve on these */
	int mptcp;			/* TCP as MPTCP */
	struct sockaddr_in announce;	/* family 0: no SERVER_ANNOUNCE */
	unsigned int announce_ms;	/* every so often */
	unsigned int max_hr_rate;	/* resolutions a second per PU, 0: any */
	unsigned int max_eu_rate;	/* unreachable reports, likewise */
	unsigned int ka_interval_ms;	/* keep-alive transmit interval */
	unsigned int ka_timeout_ms;	/* and how long to wait for the ACK */
	unsigned int max_items;		/* PEs in a resolution, at most */
	unsigned int default_items;	/* without the PU's HRO */
	int verbose;
};

struct rsp_asap;
struct rsp_pe_rec;
struct rsp_p_transport;

/* Told of every PE this registrar becomes (@del 0) or stops being home for. */
typedef void (*rsp_asap_notify)(void *arg, int del,
				const struct rsp_pe_rec *r);

/* Opens the listening sockets on the epoll set @ep; NULL on failure. */
struct rsp_asap *rsp_asap_open(const struct rsp_asap_conf *c,
			       struct rsp_nl *nl, int ep);
void rsp_asap_close(struct rsp_asap *a);
/* Handles readiness of @fd, one of the server's; 0, or -1 if not its. */
int rsp_asap_event(struct rsp_asap *a, int fd, uint32_t events);
/*
 * Reads ASAP over SCTP in a thread of its own, blocked in recvmsg(): a
 * PU's round trip through epoll_wait() and a non-blocking read was a
 * fifth longer (measured in the QEMU guest).  The thread handles each
 * message holding @lock, which the caller holds for everything else it
 * does with @a.  Stop it (without holding @lock) before closing @a.
 * 0 or -errno.
 */
int rsp_asap_reader_start(struct rsp_asap *a, pthread_mutex_t *lock);
void rsp_asap_reader_stop(struct rsp_asap *a);
/* Runs the timers; returns ms until the next one is due. */
int rsp_asap_tick(struct rsp_asap *a);
void rsp_asap_set_notify(struct rsp_asap *a, rsp_asap_notify fn, void *arg);
/* The PEs we are home for, for ENRP: the @i-th, NULL past the last. */
const struct rsp_pe_rec *rsp_asap_home(const struct rsp_asap *a, size_t i);
size_t rsp_asap_nhomes(const struct rsp_asap *a);
/* Messages dropped: malformed, oversized, badly framed, unknown. */
uint64_t rsp_asap_dropped(const struct rsp_asap *a);
/* Of those, resolutions and reports over a PU's rate. */
uint64_t rsp_asap_limited(const struct rsp_asap *a);
int rsp_asap_is_home(struct rsp_asap *a, const uint8_t *handle, size_t len,
		     uint32_t id);
/* Their PE checksum, as ENRP presence carries it. */
uint16_t rsp_asap_checksum(const struct rsp_asap *a);

/*
 * Makes this registrar home of @r, which the kernel already has with our
 * ID as home: from a takeover (@takeover: the PE gets a keep-alive with
 * H), or one of ours from before a restart.  Its first keep-alive goes
 * out now, to its ASAP transport.
 */
void rsp_asap_adopt(struct rsp_asap *a, const struct rsp_pe_rec *r,
		    int takeover);
/*
 * Kernel events were lost: a second after the last loss, the PEs we are
 * home for that the kernel no longer holds are forgotten (and the peers
 * told), as their events would have done.
 */
void rsp_asap_events_lost(struct rsp_asap *a);
/* Our own work held the loop @ms: the ACKs awaited get that time more. */
void rsp_asap_held(struct rsp_asap *a, uint64_t ms);
/* The kernel removed a PE (expired, reported, by hand): if ours, forget it. */
void rsp_asap_pe_gone(struct rsp_asap *a, const uint8_t *handle, size_t len,
		      uint32_t id, int reason);
/*
 * A PE's home is @home now (a peer's table or update says so, or the
 * kernel's): if it was ours, it is forgotten, and ENRP not told.
 */
void rsp_asap_moved(struct rsp_asap *a, const uint8_t *handle, size_t len,
		    uint32_t id, uint32_t home);
/* ENDPOINT_UNREACHABLE for a PE to its home registrar at @pr's addresses. */
void rsp_asap_report_to(struct rsp_asap *a, const struct rsp_p_transport *pr,
			const uint8_t *handle, size_t len, uint32_t id);

#endif /* RSP_ASAP_H */
