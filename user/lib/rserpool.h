/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * librserpool: pool handles for ordinary sockets, on top of the rserpool
 * socket options of <linux/rserpool.h>.  The kernel selects the pool
 * element (PE); these calls connect or send to it, and fail over.
 * See rserpool(3).
 */
#ifndef RSERPOOL_H
#define RSERPOOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/rserpool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Selects a PE of pool @handle (@len bytes) that socket @fd can reach. */
int rsp_select(int fd, const void *handle, size_t len,
	       struct rsp_so_select *sel);

/* Reports PE @pe_id of pool @handle unreachable. */
int rsp_report(int fd, const void *handle, size_t len, uint32_t pe_id);

/* The pool and PE that connected socket @fd talks to. */
int rsp_peer(int fd, struct rsp_so_peer *peer);

/*
 * Connects @fd to a PE of pool @handle.  On a refusal, an unreachable
 * network or host, or no answer within @timeout_ms (0: the kernel's own
 * connect timeout), the PE is reported and the next one is tried, up to
 * @attempts PEs (0: 3).  A non-blocking socket behaves as connect() does:
 * -1 and EINPROGRESS once an attempt is under way.  *@pe_id (may be NULL)
 * is the PE of the last attempt.  0, or -1 with errno.
 */
int rsp_connect(int fd, const void *handle, size_t len, unsigned int attempts,
		int timeout_ms, uint32_t *pe_id);

/* sendto() to a PE of pool @handle, selected for this message. */
ssize_t rsp_sendto(int fd, const void *buf, size_t n, int flags,
		   const void *handle, size_t len, uint32_t *pe_id);

#ifdef __cplusplus
}
#endif

#endif /* RSERPOOL_H */
