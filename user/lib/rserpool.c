// SPDX-License-Identifier: GPL-2.0
/*
 * librserpool: one call to connect a socket to a pool, with failover.
 * The kernel selects with the pool's policy; connecting stays here, in the
 * application's own name, so that every permission check applies.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/sctp.h>
#include "rserpool.h"

#ifndef SOL_SCTP
#define SOL_SCTP 132
#endif

static int family_level(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -1;
	return ss.ss_family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
}

static int set_handle(struct rsp_so_handle *h, const void *handle,
		      size_t len)
{
	if (!handle || !len) {
		errno = EINVAL;
		return -1;
	}
	if (len > RSP_HANDLE_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(h, 0, sizeof(*h));
	h->len = len;
	memcpy(h->data, handle, len);
	return 0;
}

/* RSP_SO_SELECT with the exclude list the caller put in @sel. */
static int select_excluding(int fd, const void *handle, size_t len,
			    struct rsp_so_select *sel)
{
	socklen_t optlen = sizeof(*sel);
	int level = family_level(fd);

	if (level < 0 || set_handle(&sel->handle, handle, len))
		return -1;
	return getsockopt(fd, level, RSP_SO_SELECT, sel, &optlen);
}

int rsp_select(int fd, const void *handle, size_t len,
	       struct rsp_so_select *sel)
{
	sel->exclude_count = 0;
	return select_excluding(fd, handle, len, sel);
}

int rsp_report(int fd, const void *handle, size_t len, uint32_t pe_id)
{
	struct rsp_so_report r;
	int level = family_level(fd);

	if (level < 0 || set_handle(&r.handle, handle, len))
		return -1;
	r.pe_id = pe_id;
	return setsockopt(fd, level, RSP_SO_REPORT, &r, sizeof(r));
}

int rsp_peer(int fd, struct rsp_so_peer *peer)
{
	socklen_t optlen = sizeof(*peer);
	int level = family_level(fd);

	if (level < 0)
		return -1;
	return getsockopt(fd, level, RSP_SO_PEER, peer, &optlen);
}

static int sock_int(int fd, int level, int name)
{
	socklen_t len = sizeof(int);
	int v = 0;

	getsockopt(fd, level, name, &v, &len);
	return v;
}

/* connect(), or sctp_connectx() with every address of an SCTP PE. */
static int start(int fd, const struct rsp_so_select *sel)
{
	if (sock_int(fd, SOL_SOCKET, SO_PROTOCOL) == IPPROTO_SCTP &&
	    sel->addrs_count > 1)
		return setsockopt(fd, SOL_SCTP, SCTP_SOCKOPT_CONNECTX,
				  sel->addrs, sel->addrs_len) < 0 ? -1 : 0;
	return connect(fd, (const struct sockaddr *)&sel->addr,
		       sel->addr_len);
}

/*
 * After a failed attempt a stream socket must be told to forget it before
 * it connects again (else: ECONNABORTED); AF_UNSPEC disconnects.
 */
static void forget(int fd)
{
	struct sockaddr none = { .sa_family = AF_UNSPEC };

	connect(fd, &none, sizeof(none));
}

/* A blocking connect bounded by @timeout_ms; the socket is blocking. */
static int connect_within(int fd, const struct rsp_so_select *sel,
			  int timeout_ms)
{
	int flags = fcntl(fd, F_GETFL), err, n;
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	if (timeout_ms <= 0)
		return start(fd, sel);
	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	err = start(fd, sel) ? errno : 0;
	if (err == EINPROGRESS) {
		do {
			n = poll(&p, 1, timeout_ms);
		} while (n < 0 && errno == EINTR);
		if (n == 0) {
			err = ETIMEDOUT;
		} else {
			err = n < 0 ? errno : sock_int(fd, SOL_SOCKET,
						       SO_ERROR);
		}
	}
	fcntl(fd, F_SETFL, flags);
	errno = err;
	return err ? -1 : 0;
}

/* The failures that say "this PE, not this socket". */
static int pe_failed(int err)
{
	switch (err) {
	case ECONNREFUSED:
	case ETIMEDOUT:
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
	case ECONNRESET:
		return 1;
	}
	return 0;
}

int rsp_connect(int fd, const void *handle, size_t len, unsigned int attempts,
		int timeout_ms, uint32_t *pe_id)
{
	int nonblock = fcntl(fd, F_GETFL) & O_NONBLOCK;
	struct rsp_so_select sel;
	uint32_t tried[RSP_SO_EXCLUDE_MAX];
	unsigned int i;
	int err = 0;

	if (!attempts)
		attempts = 3;
	for (i = 0; i < attempts; i++) {
		/* The PEs that failed already are passed over. */
		sel.exclude_count = i < RSP_SO_EXCLUDE_MAX ? i :
							    RSP_SO_EXCLUDE_MAX;
		memcpy(sel.exclude, tried,
		       sel.exclude_count * sizeof(tried[0]));
		if (select_excluding(fd, handle, len, &sel)) {
			/* Nothing left to try: the last failure says why. */
			if (i && (errno == ENOENT || errno == ENODATA))
				errno = err;
			return -1;
		}
		if (i < RSP_SO_EXCLUDE_MAX)
			tried[i] = sel.pe_id;
		if (pe_id)
			*pe_id = sel.pe_id;
		if (!(nonblock ? start(fd, &sel) :
				 connect_within(fd, &sel, timeout_ms)))
			return 0;
		err = errno;
		if (err == EINPROGRESS || !pe_failed(err))
			return -1;
		/* EALREADY: this user's report is in; try the next anyway. */
		rsp_report(fd, handle, len, sel.pe_id);
		forget(fd);
	}
	errno = err;
	return -1;
}

ssize_t rsp_sendto(int fd, const void *buf, size_t n, int flags,
		   const void *handle, size_t len, uint32_t *pe_id)
{
	struct rsp_so_select sel;

	if (rsp_select(fd, handle, len, &sel))
		return -1;
	if (pe_id)
		*pe_id = sel.pe_id;
	return sendto(fd, buf, n, flags, (const struct sockaddr *)&sel.addr,
		      sel.addr_len);
}
