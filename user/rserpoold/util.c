// SPDX-License-Identifier: GPL-2.0
/* The clock, the log and socket addresses: see util.h. */
#include <errno.h>
#include <ifaddrs.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include "util.h"

uint64_t rsp_now_ms(void)
{
	struct timespec t;

	/*
	 * The coarse clock (a tick, some ms): the daemon's timers need no
	 * more, and it is read in the vDSO whatever the clocksource, where
	 * the fine one may cost a system call (seen in the QEMU guest).
	 */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
	return (uint64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int to_syslog;

void rsp_log_syslog(void)
{
	openlog("rserpoold", LOG_PID, LOG_DAEMON);
	to_syslog = 1;
}

void rsp_log(int verbose, int level, const char *prefix, const char *fmt,
	     ...)
{
	va_list ap;

	if (level > verbose)
		return;
	if (to_syslog) {
		char msg[512];

		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		syslog(level ? LOG_DEBUG : LOG_NOTICE, "%s%s", prefix, msg);
		return;
	}
	fprintf(stderr, "rserpoold: %s", prefix);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

size_t rsp_sa_size(const struct sockaddr *sa)
{
	return sa->sa_family == AF_INET ? sizeof(struct sockaddr_in) :
					  sizeof(struct sockaddr_in6);
}

struct sockaddr *rsp_sa_next(const struct sockaddr *sa)
{
	return (struct sockaddr *)((char *)sa + rsp_sa_size(sa));
}

void rsp_sa_addr(struct rsp_p_addr *x, const struct sockaddr *sa)
{
	const struct sockaddr_in6 *s6 = (const void *)sa;
	const uint8_t *v6 = s6->sin6_addr.s6_addr;

	memset(x, 0, sizeof(*x));
	if (sa->sa_family == AF_INET) {
		x->type = RSP_P_IPV4;
		memcpy(x->a, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		x->type = RSP_P_IPV4;
		memcpy(x->a, v6 + 12, 4);
	} else {
		x->type = RSP_P_IPV6;
		memcpy(x->a, v6, 16);
	}
}

int rsp_sa_same(const struct rsp_p_addr *x, const struct sockaddr *sa)
{
	struct rsp_p_addr y;

	if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)
		return 0;
	rsp_sa_addr(&y, sa);
	return x->type == y.type &&
	       !memcmp(x->a, y.a, x->type == RSP_P_IPV4 ? 4 : 16);
}

socklen_t rsp_sa_make(struct sockaddr_storage *ss, const struct rsp_p_addr *x,
		      uint16_t port)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (x->type == RSP_P_IPV4) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, x->a, 4);
		return sizeof(*s4);
	}
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	memcpy(&s6->sin6_addr, x->a, 16);
	return sizeof(*s6);
}

int rsp_sctp_listen(uint16_t port, const char *what)
{
	struct sockaddr_in6 sin6 = {
		.sin6_family = AF_INET6, .sin6_port = htons(port),
	};
	struct sctp_event_subscribe ev = {
		.sctp_data_io_event = 1, .sctp_association_event = 1,
		.sctp_shutdown_event = 1,
	};
	int fd = socket(AF_INET6, SOCK_SEQPACKET | SOCK_NONBLOCK |
			SOCK_CLOEXEC, IPPROTO_SCTP), one = 1;

	if (fd < 0)
		return -1;
	/*
	 * The associations of a daemon that stopped hold the port while
	 * they shut down, for minutes if a peer is unreachable: a restart
	 * binds beside them.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, IPPROTO_SCTP, SCTP_EVENTS, &ev, sizeof(ev)) ||
	    bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) ||
	    listen(fd, 128)) {
		fprintf(stderr, "rserpoold: %s on SCTP port %u: %s\n", what,
			port, strerror(errno));
		close(fd);
		return -2;
	}
	return fd;
}

void rsp_sctp_drain(struct rsp_sctp_rx *rx)
{
	struct sctp_sndrcvinfo si;
	int flags, n, budget = rx->budget;

	while (!rx->budget || budget-- > 0) {
		memset(&si, 0, sizeof(si));
		flags = 0;
		socklen_t flen = sizeof(rx->from);

		rx->from.ss_family = 0;
		n = sctp_recvmsg(rx->fd, rx->buf + rx->have,
				 rx->size - rx->have,
				 (struct sockaddr *)&rx->from, &flen, &si,
				 &flags);
		if (n < 0)
			return;	/* EAGAIN, or an error epoll will repeat */
		if (rx->hold)
			rx->hold(rx->arg, 1);
		if (flags & MSG_NOTIFICATION) {
			if (rx->have) {	/* the message in pieces ends here */
				memmove(rx->buf, rx->buf + rx->have, n);
				rx->have = 0;
				rx->dropped++;
			}
			rx->note(rx->arg);
		} else if (rx->skipping) {
			rx->skipping = !(flags & MSG_EOR);
		} else if (!(flags & MSG_EOR)) {
			/* Partial delivery: the rest comes in the next reads. */
			rx->have += n;
			if (rx->have == rx->size) {
				rx->have = 0;
				rx->dropped++;
				rx->skipping = 1;
			}
		} else if (ntohl(si.sinfo_ppid) != rx->ppid) {
			rx->have = 0;
			rx->dropped++;
		} else {
			n += rx->have;
			rx->have = 0;
			rx->msg(rx->arg, si.sinfo_assoc_id, n);
		}
		if (rx->hold)
			rx->hold(rx->arg, 0);
	}
}

int rsp_rate_allow(struct rsp_rate *r, const struct sockaddr *sa)
{
	uint64_t now, full = 1000ull * r->rate;
	struct rsp_p_addr who = { 0 };
	uint32_t h = 2166136261u;
	unsigned int i;

	if (!r->rate || !sa || (sa->sa_family != AF_INET &&
				sa->sa_family != AF_INET6))
		return 1;
	now = rsp_now_ms();
	rsp_sa_addr(&who, sa);
	for (i = 0; i < sizeof(who.a); i++)
		h = (h ^ who.a[i]) * 16777619u;
	i = h % RSP_RATE_SLOTS;
	if (memcmp(&r->slot[i].who, &who, sizeof(who))) {
		r->slot[i].who = who;
		r->slot[i].milli = full;
	} else {
		r->slot[i].milli += (now - r->slot[i].at) * r->rate;
		if (r->slot[i].milli > full)
			r->slot[i].milli = full;
	}
	r->slot[i].at = now;
	if (r->slot[i].milli < 1000)
		return 0;
	r->slot[i].milli -= 1000;
	return 1;
}

void rsp_local_addrs(struct rsp_p_transport *t)
{
	struct ifaddrs *ifs, *i;

	t->naddrs = 0;
	if (!getifaddrs(&ifs)) {
		for (i = ifs; i && t->naddrs < 8; i = i->ifa_next) {
			struct rsp_p_addr *a = &t->addrs[t->naddrs];
			const struct sockaddr *sa = i->ifa_addr;

			if (!sa || (sa->sa_family != AF_INET &&
				    sa->sa_family != AF_INET6))
				continue;
			if (sa->sa_family == AF_INET) {
				const struct sockaddr_in *s4 = (const void *)sa;

				if ((ntohl(s4->sin_addr.s_addr) >> 24) == 127)
					continue;
				a->type = RSP_P_IPV4;
				memcpy(a->a, &s4->sin_addr, 4);
			} else {
				const struct sockaddr_in6 *s6 = (const void *)sa;

				if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) ||
				    IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr))
					continue;
				a->type = RSP_P_IPV6;
				memcpy(a->a, &s6->sin6_addr, 16);
			}
			t->naddrs++;
		}
		freeifaddrs(ifs);
	}
	if (!t->naddrs) {
		t->addrs[0].type = RSP_P_IPV4;
		memcpy(t->addrs[0].a, "\x7f\0\0\x01", 4);
		t->naddrs = 1;
	}
}
