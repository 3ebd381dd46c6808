/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A TCP (or MPTCP) connection that carries ASAP or ENRP messages, each
 * framed by its own length field and padded to 4 bytes.  Reads hand every
 * whole message to a callback; writes go out at once or wait in a queue
 * that epoll drains (EPOLLOUT), so a burst of handle updates is not lost
 * to a full socket buffer.
 */
#ifndef RSP_STREAM_H
#define RSP_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "msg.h"

/* Writes queued beyond this: the reader is stuck, the link goes. */
#define RSP_STREAM_QUEUE_MAX	(4u << 20)

struct rsp_stream {
	int fd, ep;
	int connecting;			/* a connect() in progress */
	uint32_t events;		/* what epoll watches now */
	uint8_t *part;			/* a message begun: have of pcap */
	size_t have, pcap;
	uint8_t *out;
	size_t olen, ocap;
	uint64_t dropped;		/* bad framing */
	int over;			/* given up: no more is read */
	void (*msg)(void *arg, struct rsp_stream *s, const uint8_t *p,
		    size_t len);
	void *arg;
};

/* The listener of @port on every address; -1 with the error on stderr. */
int rsp_stream_listen(uint16_t port, int mptcp, const char *what);
/*
 * accept4() for any listener of the daemon, which a lack of descriptors
 * does not leave readable forever: the connection is closed and -1
 * returned with ECONNABORTED (try the next), as for one aborted.
 */
int rsp_accept(int lfd, struct sockaddr *sa, socklen_t *len, int flags);

/*
 * Takes connection @fd (non-blocking; @connecting if its connect() is in
 * progress) and watches it on @ep with @fd as the data.  0 or -1.
 */
int rsp_stream_open(struct rsp_stream *s, int ep, int fd, int connecting);
/*
 * The next connection on listener @lfd, opened as above, its address in
 * @peer: 1, 0 if there is none (or accept failed), -1 if it could not be
 * opened or was aborted (it is closed; try the next).
 */
int rsp_stream_accept(struct rsp_stream *s, int ep, int lfd,
		      struct sockaddr_storage *peer);
/* A non-blocking connect to @sa, opened as above; -1 on failure. */
int rsp_stream_connect(struct rsp_stream *s, int ep,
		       const struct sockaddr *sa, socklen_t len, int mptcp);
void rsp_stream_close(struct rsp_stream *s);
/*
 * Gives the connection up without closing it, as from a message's own
 * callback: the read stops there and its event returns -1.
 */
void rsp_stream_stop(struct rsp_stream *s);

/*
 * Handles readiness: flushes the queue if writable, hands on every whole
 * message read.  -1 when the connection is over (closed by the other
 * side, failed, bad framing, or a send gave up): the caller closes it.
 */
int rsp_stream_event(struct rsp_stream *s, uint32_t events);

/*
 * Sends @len bytes, queueing what the socket does not take.  -1 if the
 * queue is full or the connection failed: it is shut down, and the next
 * event says it is over.
 */
int rsp_stream_send(struct rsp_stream *s, const void *p, size_t len);

#endif /* RSP_STREAM_H */
