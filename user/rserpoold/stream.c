// SPDX-License-Identifier: GPL-2.0
/* Message streams over TCP: see stream.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include "stream.h"
#include "util.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

/*
 * A descriptor held in reserve.  Once the process has no more, accept()
 * fails with EMFILE and leaves the connection queued: the listener stays
 * readable and the event loop would spin on it.  Giving up the spare
 * lets each such connection be taken and closed at once.
 */
static int spare = -1;

int rsp_accept(int lfd, struct sockaddr *sa, socklen_t *len, int flags)
{
	static uint64_t said;
	uint64_t now;
	int fd;

	if (spare < 0)
		spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fd = accept4(lfd, sa, len, flags);
	if (fd >= 0 || (errno != EMFILE && errno != ENFILE) || spare < 0)
		return fd;
	close(spare);
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	close(fd);
	now = rsp_now_ms();
	if (!said || now - said >= 60000) {
		said = now;
		rsp_log(0, 0, "", "out of file descriptors: connections refused (see ulimit -n)");
	}
	errno = ECONNABORTED;
	return -1;
}

int rsp_stream_listen(uint16_t port, int mptcp, const char *what)
{
	struct sockaddr_in6 sin6 = {
		.sin6_family = AF_INET6, .sin6_port = htons(port),
	};
	int one = 1, fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK |
				 SOCK_CLOEXEC, mptcp ? IPPROTO_MPTCP : 0);

	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) ||
	    listen(fd, 128)) {
		fprintf(stderr, "rserpoold: %s on %s port %u: %s\n", what,
			mptcp ? "MPTCP" : "TCP", port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int watch(struct rsp_stream *s, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = s->fd };

	if (events == s->events)
		return 0;
	if (epoll_ctl(s->ep, s->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD,
		      s->fd, &ev))
		return -1;
	s->events = events;
	return 0;
}

int rsp_stream_open(struct rsp_stream *s, int ep, int fd, int connecting)
{
	s->fd = fd;
	s->ep = ep;
	s->connecting = connecting;
	s->over = 0;
	s->events = 0;
	s->have = 0;
	s->olen = 0;
	return watch(s, EPOLLIN | (connecting ? EPOLLOUT : 0));
}

int rsp_stream_accept(struct rsp_stream *s, int ep, int lfd,
		      struct sockaddr_storage *peer)
{
	socklen_t len = sizeof(*peer);
	int fd = rsp_accept(lfd, (struct sockaddr *)peer, &len,
			    SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return errno == ECONNABORTED ? -1 : 0;
	if (rsp_stream_open(s, ep, fd, 0)) {
		close(fd);
		return -1;
	}
	return 1;
}

int rsp_stream_connect(struct rsp_stream *s, int ep,
		       const struct sockaddr *sa, socklen_t len, int mptcp)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK |
			SOCK_CLOEXEC, mptcp ? IPPROTO_MPTCP : 0);

	if (fd < 0)
		return -1;
	if ((connect(fd, sa, len) && errno != EINPROGRESS) ||
	    rsp_stream_open(s, ep, fd, 1)) {
		close(fd);
		s->fd = -1;
		return -1;
	}
	return 0;
}

void rsp_stream_close(struct rsp_stream *s)
{
	if (s->fd < 0)
		return;
	epoll_ctl(s->ep, EPOLL_CTL_DEL, s->fd, NULL);
	close(s->fd);
	s->fd = -1;
	free(s->out);
	s->out = NULL;
	s->olen = s->ocap = 0;
	free(s->part);
	s->part = NULL;
	s->have = 0;
	s->pcap = 0;
}

/*
 * Adds @n bytes of @p to buffer *@b of *@len bytes in *@cap, which grows
 * by doubling from @first; -1 if there is no memory.
 */
static int append(uint8_t **b, size_t *len, size_t *cap, size_t first,
		  const void *p, size_t n)
{
	if (*len + n > *cap) {
		size_t c = *cap ? *cap : first;
		uint8_t *q;

		while (c < *len + n)
			c *= 2;
		q = realloc(*b, c);
		if (!q)
			return -1;
		*b = q;
		*cap = c;
	}
	memcpy(*b + *len, p, n);
	*len += n;
	return 0;
}

/* Gives up on the connection: the next event reads its end. */
static int broken(struct rsp_stream *s)
{
	shutdown(s->fd, SHUT_RDWR);
	s->olen = 0;
	s->over = 1;
	return -1;
}

void rsp_stream_stop(struct rsp_stream *s)
{
	broken(s);
}

static int flush(struct rsp_stream *s)
{
	size_t off = 0;

	while (off < s->olen) {
		ssize_t n = send(s->fd, s->out + off, s->olen - off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0)
			return broken(s);
		off += n;
	}
	memmove(s->out, s->out + off, s->olen - off);
	s->olen -= off;
	return watch(s, EPOLLIN | (s->olen ? EPOLLOUT : 0)) ? broken(s) : 0;
}

int rsp_stream_send(struct rsp_stream *s, const void *p, size_t len)
{
	if (s->fd < 0)
		return -1;
	if (s->olen + len > RSP_STREAM_QUEUE_MAX ||
	    append(&s->out, &s->olen, &s->ocap, 16384, p, len))
		return broken(s);
	/* In order: behind what waits, or the connect to finish. */
	return s->connecting || s->olen > len ? 0 : flush(s);
}

/*
 * Every stream reads into this, one at a time (all in the event loop,
 * none from a callback), and hands on the messages where they lie.  A
 * stream keeps only the part of a message that a read ended in, so an
 * idle connection holds no buffer, and a slow one what it has sent.
 */
static uint8_t rx[RSP_MSG_MAX + RSP_MSG_HDR];

/*
 * A message is its length field's bytes plus the padding to 4 that ASAP
 * and ENRP messages carry, so the next one starts on a boundary: the
 * bytes of the one @h heads, 0 if @h cannot be a header.
 */
static size_t whole(const uint8_t *h)
{
	size_t len = rsp_get16(h + 2);

	return len < RSP_MSG_HDR ? 0 : (len + 3) & ~(size_t)3;
}

/* Adds @n bytes of @p to the part kept; -1 if there is no memory. */
static int keep(struct rsp_stream *s, const uint8_t *p, size_t n)
{
	return append(&s->part, &s->have, &s->pcap, 256, p, n);
}

/*
 * Adds from @p to the message begun: 1 once it is whole, 0 if @p ran out
 * first, -1 if it cannot be one (or there is no memory).  *off moves past
 * what was taken.
 */
static int complete(struct rsp_stream *s, const uint8_t *p, size_t n,
		    size_t *off)
{
	for (;;) {
		size_t want = s->have < RSP_MSG_HDR ? RSP_MSG_HDR :
						      whole(s->part);
		size_t k;

		if (!want) {
			s->dropped++;
			return -1;
		}
		if (s->have == want)
			return 1;
		k = want - s->have < n - *off ? want - s->have : n - *off;
		if (!k)
			return 0;
		if (keep(s, p + *off, k))
			return -1;
		*off += k;
	}
}

/* Hands on every message that @p, just read, completes; keeps the rest. */
static int take(struct rsp_stream *s, const uint8_t *p, size_t n)
{
	size_t off = 0, len;
	int r = 0;

	if (s->have) {
		r = complete(s, p, n, &off);
		if (r <= 0)
			goto out;
		s->have = 0;
		s->msg(s->arg, s, s->part, rsp_get16(s->part + 2));
		r = s->over ? -1 : 0;
	}
	while (!r && n - off >= RSP_MSG_HDR) {
		len = whole(p + off);
		if (!len) {
			s->dropped++;	/* no way to find the next message */
			r = -1;
			break;
		}
		if (n - off < len)
			break;
		s->msg(s->arg, s, p + off, rsp_get16(p + off + 2));
		r = s->over ? -1 : 0;
		off += len;
	}
	if (!r && off < n)
		r = keep(s, p + off, n - off);
out:
	if (!s->have) {
		free(s->part);
		s->part = NULL;
		s->pcap = 0;
	}
	return r;
}

static int readable(struct rsp_stream *s)
{
	for (;;) {
		ssize_t n = recv(s->fd, rx, sizeof(rx), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 && errno == EAGAIN ? 0 : -1;
		if (take(s, rx, n))
			return -1;
	}
}

int rsp_stream_event(struct rsp_stream *s, uint32_t events)
{
	if (s->connecting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
		int err = 0;
		socklen_t l = sizeof(err);

		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &l) || err)
			return -1;
		s->connecting = 0;
	}
	if ((events & EPOLLOUT) && flush(s))
		return -1;
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		return readable(s);
	return 0;
}
