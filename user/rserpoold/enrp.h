/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ENRP (RFC 5353) between registrars, over SCTP (PPID 12) and TCP (framed
 * by the messages' length) on port 9901:
 * presence, handle updates, handle table transfer and takeover, with
 * static peers and those that present themselves.
 */
#ifndef RSP_ENRP_H
#define RSP_ENRP_H

#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include "../nl.h"
#include "asap.h"

#define RSP_ENRP_PEERS_MAX	32

struct rsp_enrp_conf {
	uint32_t id;
	uint16_t port;
	int sctp, tcp;			/* serve on these */
	int mptcp;			/* TCP as MPTCP */
	struct sockaddr_in announce;	/* presence group; family 0: none */
	unsigned int npeers;
	struct sockaddr_storage peers[RSP_ENRP_PEERS_MAX];
	uint8_t peer_tcp[RSP_ENRP_PEERS_MAX];	/* reached over TCP */
	unsigned int heartbeat_ms;	/* presence to each peer */
	unsigned int last_heard_ms;	/* silent this long: ask it */
	unsigned int no_response_ms;	/* then this long: it is gone */
	unsigned int takeover_ms;	/* a takeover waits for ACKs so long */
	int verbose;
};

struct rsp_enrp;

struct rsp_enrp *rsp_enrp_open(const struct rsp_enrp_conf *c,
			       struct rsp_nl *nl, struct rsp_asap *a, int ep);
void rsp_enrp_close(struct rsp_enrp *e);
/* Handles readiness of @fd; 0, or -1 if it is not ENRP's. */
int rsp_enrp_event(struct rsp_enrp *e, int fd, uint32_t events);
/* Runs the timers; returns ms until the next one is due. */
int rsp_enrp_tick(struct rsp_enrp *e);
/* ASAP's notification: a PE of ours came or went; peers hear of it. */
void rsp_enrp_update(void *e, int del, const struct rsp_pe_rec *r);

/*
 * The kernel holds PEs of registrar @id (found at start): it is a peer
 * that must show up within the no-response time or be taken over.
 */
void rsp_enrp_expect(struct rsp_enrp *e, uint32_t id);
/*
 * The kernel's PEs of registrar @home changed (0: maybe any registrar's):
 * check its next checksum.
 */
void rsp_enrp_changed(struct rsp_enrp *e, uint32_t home);
/*
 * Our own work held the loop @ms: the peers' silence and the takeovers'
 * deadlines get that time more.
 */
void rsp_enrp_held(struct rsp_enrp *e, uint64_t ms);
/* A local socket reported @r unreachable: tell its home registrar. */
void rsp_enrp_report(struct rsp_enrp *e, const struct rsp_pe_rec *r);

/* Messages dropped: malformed, oversized, of unknown type. */
uint64_t rsp_enrp_dropped(const struct rsp_enrp *e);
/*
 * One line per peer for the control socket: "peer id=ID addr=ADDR
 * transport=sctp|tcp state=up|taking-over|taken-over|unknown
 * link=up|down [heard=MS] pes=N".
 */
void rsp_enrp_show(struct rsp_enrp *e, FILE *f);

#endif /* RSP_ENRP_H */
