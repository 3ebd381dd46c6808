// SPDX-License-Identifier: GPL-2.0
/*
 * The rserpool socket options (include/uapi/linux/rserpool.h): pool
 * handles on ordinary sockets.  IP and IPv6 hand the options they do not
 * know to nf_getsockopt()/nf_setsockopt(), which is where IPVS and ipset
 * hook in too; TCP, UDP, UDP-Lite, SCTP and DCCP sockets all reach it.
 * The handlers run in process context without the socket lock.
 *
 * The kernel selects, and only selects: connecting from here would skip
 * the LSM's connect check, so the application connects itself with the
 * address it gets back.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/netfilter.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include "handlespace.h"
#include "peers.h"
#include "policy.h"
#include "sockopt.h"

/* A pool handle's length from userspace: its errno, or 0. */
static inline int handle_len_ok(u32 len, bool may_be_empty)
{
	if (len > RSP_HANDLE_MAX)
		return -ENAMETOOLONG;
	if (!len && !may_be_empty)
		return -EINVAL;
	return 0;
}

static inline int get_handle(struct rsp_handle *h,
			     const struct rsp_so_handle *so, bool may_be_empty)
{
	int err = handle_len_ok(so->len, may_be_empty);

	if (err)
		return err;
	h->len = so->len;
	memcpy(h->data, so->data, so->len);
	return 0;
}

/*
 * Every get option: the caller's room is at least @need bytes, the
 * request is the first @size of them and opens with its pool handle.
 */
static int get_request(void *req, size_t size, const void __user *user,
		       int len, size_t need, struct rsp_handle *h,
		       bool may_be_empty)
{
	if (len < (int)need)
		return -EINVAL;
	if (copy_from_user(req, user, size))
		return -EFAULT;
	return get_handle(h, req, may_be_empty);
}

/*
 * A selection's request, read as far as it goes: the handle's bytes in
 * use and the IDs to exclude, a few words, where copying the whole
 * 104-byte request goes through the string copy (costly when emulated).
 * The caller checked that the buffer holds a whole struct rsp_so_select.
 */
static int get_select(struct rsp_so_select *sel,
		      const struct rsp_so_select __user *u,
		      struct rsp_handle *h)
{
	u32 i, n;
	u64 w;
	int err;

	BUILD_BUG_ON(RSP_HANDLE_MAX % sizeof(w));
	if (!user_access_begin(u, offsetof(typeof(*u), pe_id)))
		return -EFAULT;
	unsafe_get_user(n, &u->handle.len, fault);
	err = handle_len_ok(n, false);
	if (err)
		goto out;
	h->len = n;
	/* In words, up to n rounded up: RSP_HANDLE_MAX is a multiple of 8. */
	for (i = 0; i < n; i += sizeof(w)) {
		unsafe_get_user(w, (const u64 __user *)&u->handle.data[i],
				fault);
		memcpy(&h->data[i], &w, sizeof(w));
	}
	unsafe_get_user(n, &u->exclude_count, fault);
	err = -EINVAL;
	if (n > RSP_SO_EXCLUDE_MAX)
		goto out;
	sel->exclude_count = n;
	for (i = 0; i < n; i++)
		unsafe_get_user(sel->exclude[i], &u->exclude[i], fault);
	err = 0;
out:
	user_access_end();
	return err;
fault:
	user_access_end();
	return -EFAULT;
}

/* The transports a socket can share with PEs, or 0. */
static u8 sock_proto(const struct sock *sk)
{
	if (sk->sk_type == SOCK_RAW)
		return 0;
	switch (sk->sk_protocol) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		return sk->sk_protocol;
	}
	return 0;
}

static void sock_filter(const struct sock *sk, struct rsp_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->family = sk->sk_family;
	f->v6only = sk->sk_family == AF_INET6 && sk->sk_ipv6only;
}

/* @a as the socket of @f addresses it; returns its length. */
static int put_sockaddr(void *to, const struct rsp_addr *a, u16 port,
			const struct rsp_filter *f)
{
	struct sockaddr_in6 sin6;

	if (f->family == AF_INET) {
		struct sockaddr_in sin = {
			.sin_family = AF_INET,
			.sin_port = htons(port),
			.sin_addr.s_addr = a->v4,
		};

		memcpy(to, &sin, sizeof(sin));
		return sizeof(sin);
	}
	/* Zeroed only here: an IPv4 socket's selection has no use for it. */
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(port);
	if (a->family == AF_INET)
		ipv6_addr_set_v4mapped(a->v4, &sin6.sin6_addr);
	else
		sin6.sin6_addr = a->v6;
	memcpy(to, &sin6, sizeof(sin6));
	return sizeof(sin6);
}

/* Under RCU: the PE's usable addresses into @sel, primary first. */
static void fill_select(struct rsp_so_select *sel, const struct rsp_pe *pe,
			const struct rsp_filter *f)
{
	int i, len;

	sel->pe_id = pe->id;
	sel->addr_len = 0;
	sel->addrs_count = 0;
	sel->addrs_len = 0;
	for (i = 0; i < pe->naddrs; i++) {
		if (!rsp_addr_usable(&pe->addrs[i], f))
			continue;
		len = put_sockaddr(sel->addrs + sel->addrs_len, &pe->addrs[i],
				   pe->port, f);
		if (!sel->addr_len) {
			memcpy(&sel->addr, sel->addrs, len);
			sel->addr_len = len;
		}
		sel->addrs_len += len;
		sel->addrs_count++;
	}
}

/*
 * Why nothing was selected: no PE of the socket's family at all, or none
 * that the policy would give now.
 */
static int pool_unusable(struct rsp_pool *pool, struct rsp_filter *f)
{
	f->nexclude = 0;
	return rsp_pool_any_usable(pool, f) ? -ENODATA : -EAFNOSUPPORT;
}

/*
 * The request and the answer share the caller's buffer; only the parts of
 * the answer that were filled in are copied out (two ranges), which keeps
 * a selection close to the cost of any socket option.  For the same
 * reason the buffers on the stack are not zeroed first (the kernel's
 * INIT_STACK_ALL_ZERO would clear 700 bytes per call): what leaves them
 * was written.
 */
static int so_select(struct sock *sk, void __user *user, int *len)
{
	struct rsp_hs *hs = rsp_hs(sock_net(sk));
	struct rsp_so_select sel __uninitialized;
	struct rsp_handle h __uninitialized;
	struct rsp_filter f;
	struct rsp_pool *pool;
	struct rsp_pe *pe;
	u8 proto = sock_proto(sk);
	size_t from = offsetof(typeof(sel), pe_id), a, b, c;
	int err;

	if (!proto)
		return -EPROTONOSUPPORT;
	if (*len < (int)sizeof(sel))
		return -EINVAL;
	err = get_select(&sel, user, &h);
	if (err)
		return err;
	sock_filter(sk, &f);
	f.nexclude = sel.exclude_count;
	f.exclude = sel.exclude;

	rcu_read_lock();
	pool = rsp_pool_find_rcu(hs, &h);
	if (!pool)
		err = -ENOENT;
	else if (pool->proto != proto)
		err = -EPROTOTYPE;
	else if (rsp_select(pool, &pe, 1, &f))
		fill_select(&sel, pe, &f);
	else
		err = pool_unusable(pool, &f);
	rcu_read_unlock();
	if (err)
		return err;

	/* [from, a) and [b, c): one user access window for both. */
	a = offsetof(typeof(sel), addr) + sel.addr_len;
	b = offsetof(typeof(sel), addrs_count);
	c = offsetof(typeof(sel), addrs) + sel.addrs_len;
	if (!user_access_begin(user + from, c - from))
		return -EFAULT;
	unsafe_copy_to_user(user + from, (u8 *)&sel + from, a - from, fault);
	unsafe_copy_to_user(user + b, (u8 *)&sel + b, c - b, fault);
	user_access_end();
	*len = sizeof(sel);
	return 0;
fault:
	user_access_end();
	return -EFAULT;
}

/* A parameter of the PE's policy, or 0: the others share its words. */
static u32 param(const struct rsp_pe *pe, u32 bit, u32 val)
{
	return pe->pool->ops->params & bit ? val : 0;
}

static void fill_pe(struct rsp_so_pe *o, const struct rsp_pe *pe)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->id = pe->id;
	o->home = pe->home;
	o->port = pe->port;
	o->proto = pe->proto;
	o->use = pe->use;
	o->policy = pe->pool->ops->type;
	o->weight = param(pe, RSP_PARAM(WEIGHT), pe->pol.weight);
	o->priority = param(pe, RSP_PARAM(PRIORITY), pe->pol.priority);
	o->load = param(pe, RSP_PARAM(LOAD), pe->pol.load);
	o->load_deg = pe->pol.load_deg;
	o->dpf = pe->pol.dpf;
	o->distance = pe->pol.distance;
	o->lifetime_ms = pe->lifetime_ms;
	o->addrs_count = pe->naddrs;
	for (i = 0; i < pe->naddrs; i++) {
		o->addrs[i].family = pe->addrs[i].family;
		if (pe->addrs[i].family == AF_INET)
			memcpy(o->addrs[i].addr, &pe->addrs[i].v4, 4);
		else
			memcpy(o->addrs[i].addr, &pe->addrs[i].v6, 16);
	}
}

static int so_resolve(struct sock *sk, void __user *user, int *len)
{
	struct rsp_hs *hs = rsp_hs(sock_net(sk));
	struct rsp_so_resolve req;
	struct rsp_so_pe *out = NULL;
	struct rsp_pe **pes = NULL;
	struct rsp_pool *pool;
	struct rsp_handle h;
	unsigned int i, n = 0;
	size_t need = 0;
	int err;

	err = get_request(&req, sizeof(req), user, *len, sizeof(req), &h,
			  false);
	if (err)
		return err;
	if (!req.count || req.count > RSP_RESOLVE_MAX)
		return -EINVAL;
	pes = kmalloc_array(req.count, sizeof(*pes), GFP_KERNEL);
	out = kvmalloc_array(req.count, sizeof(*out), GFP_KERNEL);
	err = -ENOMEM;
	if (!pes || !out)
		goto free;

	rcu_read_lock();
	pool = rsp_pool_find_rcu(hs, &h);
	err = -ENOENT;
	if (pool) {
		/* Room for all the pool could give, or nothing is selected. */
		need = struct_size(&req, pe, min(req.count,
						 READ_ONCE(pool->count)));
		err = -ENOSPC;
		if (need <= *len) {
			err = 0;
			n = rsp_select(pool, pes, req.count, NULL);
			for (i = 0; i < n; i++)
				fill_pe(&out[i], pes[i]);
			req.policy = pool->ops->type;
			req.proto = pool->proto;
		}
	}
	rcu_read_unlock();
	if (err && err != -ENOSPC)
		goto free;

	req.count = n;
	req.size = err ? need : struct_size(&req, pe, n);
	memset(req.pad, 0, sizeof(req.pad));
	if (copy_to_user(user, &req, sizeof(req)) ||
	    copy_to_user(user + sizeof(req), out, n * sizeof(*out)))
		err = -EFAULT;
	if (!err)
		*len = req.size;
free:
	kvfree(out);
	kfree(pes);
	return err;
}

static int so_peer(struct sock *sk, void __user *user, int *len)
{
	struct rsp_hs *hs = rsp_hs(sock_net(sk));
	struct sockaddr_storage ss;
	struct rsp_peer_key k;
	struct rsp_so_peer req;
	struct rsp_handle h;
	struct rsp_pe *pe;
	int err;

	memset(&k, 0, sizeof(k));	/* all of it is hashed */
	k.proto = sock_proto(sk);
	if (!k.proto)
		return -EPROTONOSUPPORT;
	err = get_request(&req, sizeof(req), user, *len, sizeof(req), &h,
			  true);
	if (err)
		return err;
	if (!sk->sk_socket)
		return -ENOTCONN;
	err = kernel_getpeername(sk->sk_socket, (struct sockaddr *)&ss);
	if (err < 0)
		return err;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		k.family = AF_INET;
		k.v4 = sin->sin_addr.s_addr;
		k.port = ntohs(sin->sin_port);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		k.port = ntohs(sin6->sin6_port);
		if (ipv6_addr_v4mapped(&sin6->sin6_addr)) {
			k.family = AF_INET;
			k.v4 = sin6->sin6_addr.s6_addr32[3];
		} else {
			k.family = AF_INET6;
			k.v6 = sin6->sin6_addr;
		}
	} else {
		return -EAFNOSUPPORT;
	}

	rcu_read_lock();
	pe = rsp_peers_lookup(hs, &k, &h, &req.matches);
	if (pe) {
		memset(&req.handle, 0, sizeof(req.handle));
		req.handle.len = pe->pool->handle.len;
		memcpy(req.handle.data, pe->pool->handle.data,
		       req.handle.len);
		req.pe_id = pe->id;
	}
	rcu_read_unlock();
	if (!pe)
		return -ENOENT;
	if (copy_to_user(user, &req, sizeof(req)))
		return -EFAULT;
	*len = sizeof(req);
	return 0;
}

static int rsp_so_get(struct sock *sk, int optval, void __user *user,
		      int *len)
{
	switch (optval) {
	case RSP_SO_SELECT:
		return so_select(sk, user, len);
	case RSP_SO_RESOLVE:
		return so_resolve(sk, user, len);
	case RSP_SO_PEER:
		return so_peer(sk, user, len);
	}
	return -ENOPROTOOPT;
}

static int rsp_so_set(struct sock *sk, int optval, sockptr_t arg,
		      unsigned int len)
{
	struct net *net = sock_net(sk);
	struct rsp_so_report req;
	struct rsp_handle h;
	bool removed;
	kuid_t uid;
	u32 reports;
	int err;

	if (optval != RSP_SO_REPORT)
		return -ENOPROTOOPT;
	if (len < sizeof(req))
		return -EINVAL;
	if (copy_from_sockptr(&req, arg, sizeof(req)))
		return -EFAULT;
	err = get_handle(&h, &req.handle, false);
	if (err)
		return err;
	uid = current_euid();
	return rsp_pe_report(rsp_hs(net), &h, req.pe_id,
			     ns_capable(net->user_ns, CAP_NET_ADMIN) ?
			     NULL : &uid, 0, &reports, &removed, NULL);
}

/* The same numbers at SOL_IP and SOL_IPV6. */
#define RSP_SOCKOPTS(family) {				\
	.pf		= family,			\
	.set_optmin	= RSP_SO_BASE,			\
	.set_optmax	= RSP_SO_SET_MAX + 1,		\
	.set		= rsp_so_set,			\
	.get_optmin	= RSP_SO_BASE,			\
	.get_optmax	= RSP_SO_GET_MAX + 1,		\
	.get		= rsp_so_get,			\
	.owner		= THIS_MODULE,			\
}

static struct nf_sockopt_ops rsp_sockopts[] = {
	RSP_SOCKOPTS(PF_INET),
	RSP_SOCKOPTS(PF_INET6),
};

int rsp_sockopt_init(void)
{
	int err;

	err = nf_register_sockopt(&rsp_sockopts[0]);
	if (err)
		return err;
	err = nf_register_sockopt(&rsp_sockopts[1]);
	if (err)
		nf_unregister_sockopt(&rsp_sockopts[0]);
	return err;
}

void rsp_sockopt_exit(void)
{
	nf_unregister_sockopt(&rsp_sockopts[1]);
	nf_unregister_sockopt(&rsp_sockopts[0]);
}
