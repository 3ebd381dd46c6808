/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The registrar's side of the kernel handlespace: what it learns goes in
 * with these, and handle resolution comes out of the kernel's selection.
 */
#ifndef RSP_KERN_H
#define RSP_KERN_H

#include "../nl.h"
#include "pe.h"

/* Enters @r, replacing a PE of the same pool and ID.  0 or -errno. */
int rsp_kern_put(struct rsp_nl *nl, const struct rsp_pe_rec *r);
/*
 * The same for @n (at most RSP_KERN_BATCH) PEs in one netlink send: a
 * peer's table comes in chunks.  @quiet: no kernel event for them
 * (RSP_A_QUIET).  @errs[i]: 0 or -errno for each.
 */
#define RSP_KERN_BATCH	256
int rsp_kern_put_many(struct rsp_nl *nl, const struct rsp_pe_rec *r,
		      unsigned int n, int quiet, int *errs);
/* Removes PE @id of the pool; 0, -ENOENT, or another -errno. */
int rsp_kern_del(struct rsp_nl *nl, const uint8_t *handle, size_t len,
		 uint32_t id);
/* How many PEs the kernel holds, or -errno. */
long rsp_kern_count(struct rsp_nl *nl);
/* Removes every PE whose home is @home; how many, or -errno. */
int rsp_kern_del_home(struct rsp_nl *nl, uint32_t home);
/*
 * How many PEs have home @home (*@n, if @n) and their ENRP PE checksum
 * (*@sum, final, if @sum), summed by the kernel.  0 or -errno.
 */
int rsp_kern_home(struct rsp_nl *nl, uint32_t home, uint32_t *n,
		  uint16_t *sum);
/* Reports PE @id unreachable; 0 or -errno. */
int rsp_kern_report(struct rsp_nl *nl, const uint8_t *handle, size_t len,
		    uint32_t id);

/*
 * Selects up to @max (at most RSP_RESOLVE_MAX) PEs of the pool with its
 * policy into @out; *@n says how many.
 * Through the socket option RSP_SO_RESOLVE on @fd, an IPv4 socket of the
 * namespace: one system call and a copy, where the netlink command takes
 * two and a message to build and parse.  The PEs come without their ASAP
 * transport, which a handle resolution response does not carry.  0,
 * -ENOENT for no such pool, or another -errno.
 */
int rsp_kern_resolve(int fd, const uint8_t *handle, size_t len,
		     unsigned int max, struct rsp_pe_rec *out,
		     unsigned int *n);

/* A PE from the attributes of a netlink message or RSP_A_PE nest. */
int rsp_kern_rec(struct rsp_pe_rec *r, struct nlattr **tb,
		 const uint8_t *handle, size_t len);

typedef int (*rsp_kern_pe_cb)(const struct rsp_pe_rec *r, void *arg);
/*
 * Calls @cb for every PE in the kernel (a dump: no other request on @nl
 * from inside it); a non-zero return stops it.  0, @cb's value or -errno.
 */
int rsp_kern_dump(struct rsp_nl *nl, rsp_kern_pe_cb cb, void *arg);
/*
 * The same a part at a time, on a socket of its own (rsp_nl_dump_start()):
 * @cb returns 1 to stop before a PE, which comes first at the next call.
 */
int rsp_kern_dump_start(struct rsp_nl *nl);
int rsp_kern_dump_more(struct rsp_nl *nl, rsp_kern_pe_cb cb, void *arg);
/* 1 if the kernel has PE @id of the pool, 0 if not, or -errno. */
int rsp_kern_has(struct rsp_nl *nl, const uint8_t *handle, size_t len,
		 uint32_t id);
/* The PEs whose home is @home, in a malloc'd array (*@v, *@n). */
int rsp_kern_of_home(struct rsp_nl *nl, uint32_t home, struct rsp_pe_rec **v,
		     size_t *n);

#endif /* RSP_KERN_H */
