/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * rserpool: the Reliable Server Pooling handlespace (RFC 5351-5356) of a
 * network namespace, kept and searched in the kernel.
 *
 * Generic netlink family "rserpool", version 1, multicast group "events".
 *
 * Objects
 *   A pool is named by a pool handle (1..RSP_HANDLE_MAX opaque bytes) and
 *   exists while it holds at least one pool element (PE).  A PE is keyed by
 *   its 32-bit PE ID inside its pool and carries what the Pool Element
 *   parameter of RFC 5354 carries: home registrar ID, registration
 *   lifetime, user transport (protocol, port, addresses, SCTP transport
 *   use) and member selection policy with its parameters.  Every PE of a
 *   pool has the pool's policy type and transport protocol.
 *
 * Commands (requests carry top-level attributes, RSP_A_*)
 *   RSP_CMD_PE_NEW     add a PE, creating its pool.  Needs POOL_HANDLE,
 *                      PE_ID, PE_PROTO, PE_PORT, PE_ADDRS and PE_POLICY;
 *                      PE_HOME, PE_LIFETIME and PE_TRANSPORT_USE are
 *                      optional, and so is the PE's ASAP transport
 *                      (PE_ASAP_PORT with PE_ASAP_ADDRS, both or none,
 *                      and PE_ASAP_PROTO): the kernel only keeps it, for
 *                      the registrar to reach the PE after a restart or
 *                      a takeover, and for its peers.  -EEXIST if the PE
 *                      exists, unless the request has the flag
 *                      RSP_A_REPLACE, in which case the PE is
 *                      re-registered (see RSP_CMD_PE_SET).  (A
 *                      flag attribute, not NLM_F_REPLACE: generic netlink
 *                      refuses that bit in new families.)
 *   RSP_CMD_PE_SET     re-register an existing PE: the same attributes as
 *                      PE_NEW replace the stored ones, the lifetime
 *                      restarts and the degradation counter is reset;
 *                      the unreachable reports so far carry over.
 *                      -ENOENT if the PE does not exist.
 *                      PE_NEW and PE_SET with the flag RSP_A_QUIET raise
 *                      no event: for a registrar loading a peer's table,
 *                      which knows what it puts (an event per PE, tens
 *                      of thousands, cost more than the put itself and
 *                      would overflow every listener's socket anyway).
 *                      Several PEs in one PE_NEW or PE_SET: instead of
 *                      the PE attributes, one RSP_A_PE nest of them for
 *                      each (RSP_A_REPLACE and RSP_A_QUIET stay outside
 *                      and hold for all).  They are put in order until
 *                      one fails: its error ends the request, the extack
 *                      points into its nest, and those before it stay.
 *                      A registrar loading a peer's table puts hundreds
 *                      a request.
 *   RSP_CMD_PE_DEL     delete one PE (POOL_HANDLE, PE_ID).
 *   RSP_CMD_PE_GET     doit: one PE (POOL_HANDLE, PE_ID).  dump: every PE,
 *                      or every PE of one pool if POOL_HANDLE is given.
 *                      Dumps resume by key and set NLM_F_DUMP_INTR when
 *                      the table changed between two parts.
 *   RSP_CMD_POOL_GET   doit: one pool (POOL_HANDLE).  dump: every pool.
 *   RSP_CMD_DEL_HOME   delete every PE whose home registrar is PE_HOME (a
 *                      lost peer registrar); replies with RSP_A_COUNT.
 *   RSP_CMD_FLUSH      delete every pool; replies with RSP_A_COUNT.
 *   RSP_CMD_RESOLVE    select up to RSP_A_COUNT (default 1, at most
 *                      RSP_RESOLVE_MAX) distinct PEs of POOL_HANDLE with
 *                      the pool's policy.  The reply has POOL_HANDLE,
 *                      POOL_POLICY and one RSP_A_PE nest per PE, in
 *                      selection order.
 *   RSP_CMD_REPORT     report PE_ID of POOL_HANDLE unreachable.  At the
 *                      report threshold (RSP_LIMIT_A_REPORT_THRESHOLD,
 *                      default 3, MAX-BAD-PE-REPORT of RFC 5352) the PE is
 *                      removed.  Replies with PE_REPORTS, the count so far,
 *                      and RSP_A_REASON if the PE was removed.
 *   RSP_CMD_LIMITS_GET / RSP_CMD_LIMITS_SET   RSP_A_LIMITS nest.
 *   RSP_CMD_STATS_GET  RSP_A_STATS nest, the counters of this namespace.
 *   RSP_CMD_HOME_GET   the PEs whose home registrar is PE_HOME: replies
 *                      with PE_HOME, RSP_A_COUNT (how many) and
 *                      RSP_A_HOME_CHECKSUM, their ENRP PE checksum (RFC
 *                      5353: the 16-bit one's-complement sum of each
 *                      PE's pool handle and PE ID, an odd handle padded
 *                      with a zero byte, inverted; 0xffff for none), as a
 *                      PRESENCE carries it.  A registrar checks its view
 *                      of a peer with it, where a dump of every PE cost
 *                      seconds for a large handlespace.
 *
 * Errors beside the usual ones: -EINVAL with "inconsistent pooling
 * policy" when a PE's policy type differs from its pool's, -EPROTOTYPE
 * when its transport protocol does, -ENOSPC at a limit, -EOPNOTSUPP for a
 * policy type this module does not know.  Every rejection carries an
 * extack message; those about one attribute point at it.
 *
 * Permissions: every command that changes the handlespace (PE_NEW, PE_SET,
 * PE_DEL, DEL_HOME, FLUSH, REPORT, LIMITS_SET) needs CAP_NET_ADMIN in the
 * user namespace that owns the network namespace.  Reads and RESOLVE do
 * not.
 *
 * Events (group "events"): every change but a quiet put (RSP_A_QUIET) is
 * announced with the PE's full attributes, so a listener can mirror the
 * table:
 *   RSP_CMD_PE_NEW  a PE was added;
 *   RSP_CMD_PE_SET  a PE was re-registered;
 *   RSP_CMD_PE_DEL  a PE was removed, RSP_A_REASON says why;
 *   RSP_CMD_REPORT  a PE was reported unreachable, RSP_A_PE_REPORTS is
 *                   the count so far (a registrar tells the PE's home PR).
 * An event's nlmsg_pid is the port ID of the netlink socket whose request
 * made the change, 0 for the kernel's own (expiry, the socket options),
 * as rtnetlink does: a listener can tell its own changes from others'.
 *
 * Units: loads, load degradations and DPFs are fractions of 0xffffffff,
 * as in RFC 5356.  Lifetimes are milliseconds.  Distances are
 * milliseconds.
 */
#ifndef _UAPI_LINUX_RSERPOOL_H
#define _UAPI_LINUX_RSERPOOL_H

#include <linux/socket.h>
#include <linux/types.h>

#define RSP_GENL_NAME		"rserpool"
#define RSP_GENL_VERSION	1
#define RSP_GENL_MCGRP		"events"

#define RSP_HANDLE_MAX		64	/* bytes in a pool handle */
#define RSP_ADDRS_MAX		16	/* transport addresses per PE */
#define RSP_ASAP_ADDRS_MAX	4	/* ASAP transport addresses per PE */
#define RSP_RESOLVE_MAX		256	/* PEs in one resolve reply */

enum rsp_cmd {
	RSP_CMD_UNSPEC,
	RSP_CMD_PE_NEW,
	RSP_CMD_PE_SET,
	RSP_CMD_PE_DEL,
	RSP_CMD_PE_GET,
	RSP_CMD_POOL_GET,
	RSP_CMD_DEL_HOME,
	RSP_CMD_FLUSH,
	RSP_CMD_RESOLVE,
	RSP_CMD_REPORT,
	RSP_CMD_LIMITS_GET,
	RSP_CMD_LIMITS_SET,
	RSP_CMD_STATS_GET,
	RSP_CMD_HOME_GET,

	__RSP_CMD_MAX,
	RSP_CMD_MAX = __RSP_CMD_MAX - 1
};

enum rsp_attr {
	RSP_A_UNSPEC,
	RSP_A_POOL_HANDLE,	/* binary, 1..RSP_HANDLE_MAX bytes */
	RSP_A_PE_ID,		/* u32 */
	RSP_A_PE_HOME,		/* u32: home registrar ID, 0 = none */
	RSP_A_PE_LIFETIME,	/* u32: ms until expiry, 0 = never expires */
	RSP_A_PE_PROTO,		/* u8: IPPROTO_SCTP, _TCP, _UDP, _UDPLITE, _DCCP */
	RSP_A_PE_PORT,		/* u16, host order, not 0 */
	RSP_A_PE_TRANSPORT_USE,	/* u8: enum rsp_transport_use, SCTP only */
	RSP_A_PE_ADDRS,		/* nest of RSP_ADDR_A_*, 1..RSP_ADDRS_MAX */
	RSP_A_PE_POLICY,	/* nest of RSP_POLICY_A_* */
	RSP_A_PE_EXPIRES,	/* u32, read only: ms left, absent = never */
	RSP_A_PE_SELECTED,	/* u64, read only: times selected */
	RSP_A_PE_REPORTS,	/* u32, read only: unreachable reports */
	RSP_A_PE_DEGRADATION,	/* u64, read only: degradation counter (or WRR pass) */
	RSP_A_PE,		/* nest: one PE (resolve reply, PE_NEW/SET) */
	RSP_A_POOL_POLICY,	/* u32, read only: the pool's policy type */
	RSP_A_POOL_PROTO,	/* u8, read only: the pool's transport */
	RSP_A_POOL_PES,		/* u32, read only: PEs in the pool */
	RSP_A_POOL_SELECTED,	/* u64, read only: PEs selected from it */
	RSP_A_POOL_RESOLVES,	/* u64, read only: resolve requests */
	RSP_A_COUNT,		/* u32: PEs wanted (RESOLVE), PEs deleted */
	RSP_A_REASON,		/* u8: enum rsp_reason */
	RSP_A_LIMITS,		/* nest of RSP_LIMIT_A_* */
	RSP_A_STATS,		/* nest of RSP_STAT_A_* */
	RSP_A_PAD,
	RSP_A_REPLACE,		/* flag: PE_NEW re-registers an existing PE */
	RSP_A_PE_ASAP_PORT,	/* u16: the PE's ASAP transport, not 0 */
	RSP_A_PE_ASAP_ADDRS,	/* nest of RSP_ADDR_A_*, 1..RSP_ASAP_ADDRS_MAX */
	RSP_A_PE_ASAP_PROTO,	/* u8: IPPROTO_SCTP (if absent) or IPPROTO_TCP */
	RSP_A_QUIET,		/* flag: PE_NEW, PE_SET raise no event */
	RSP_A_HOME_CHECKSUM,	/* u16, read only: HOME_GET's PE checksum */

	__RSP_A_MAX,
	RSP_A_MAX = __RSP_A_MAX - 1
};

/* Inside RSP_A_PE_ADDRS; order is kept, the first is the primary. */
enum rsp_addr_attr {
	RSP_ADDR_A_UNSPEC,
	RSP_ADDR_A_IPV4,	/* 4 bytes, network order */
	RSP_ADDR_A_IPV6,	/* 16 bytes, network order */

	__RSP_ADDR_A_MAX,
	RSP_ADDR_A_MAX = __RSP_ADDR_A_MAX - 1
};

/*
 * Inside RSP_A_PE_POLICY.  TYPE is required; each policy requires exactly
 * the parameters it has in RFC 5356 (or rsplib, for its private ones) and
 * refuses the others.
 */
enum rsp_policy_attr {
	RSP_POLICY_A_UNSPEC,
	RSP_POLICY_A_TYPE,	/* u32: enum rsp_policy_type */
	RSP_POLICY_A_WEIGHT,	/* u32 */
	RSP_POLICY_A_PRIORITY,	/* u32, larger is preferred */
	RSP_POLICY_A_LOAD,	/* u32, fraction of 0xffffffff */
	RSP_POLICY_A_LOAD_DEG,	/* u32, fraction of 0xffffffff */
	RSP_POLICY_A_WEIGHT_DPF,	/* u32, fraction of 0xffffffff per ms */
	RSP_POLICY_A_LOAD_DPF,	/* u32, fraction of 0xffffffff per ms */
	RSP_POLICY_A_DISTANCE,	/* u32, ms */

	__RSP_POLICY_A_MAX,
	RSP_POLICY_A_MAX = __RSP_POLICY_A_MAX - 1
};

/* Member selection policies: RFC 5356 section 4, and rsplib's own. */
enum rsp_policy_type {
	RSP_POLICY_RR			= 0x00000001,	/* -                  */
	RSP_POLICY_WRR			= 0x00000002,	/* weight             */
	RSP_POLICY_RANDOM		= 0x00000003,	/* -                  */
	RSP_POLICY_WRAND		= 0x00000004,	/* weight             */
	RSP_POLICY_PRIORITY		= 0x00000005,	/* priority           */
	RSP_POLICY_LU			= 0x40000001,	/* load               */
	RSP_POLICY_LUD			= 0x40000002,	/* load, load_deg     */
	RSP_POLICY_PLU			= 0x40000003,	/* load, load_deg     */
	RSP_POLICY_RLU			= 0x40000004,	/* load               */
	RSP_POLICY_RPLU			= 0xb0001001,	/* load, load_deg     */
	RSP_POLICY_RLUD			= 0xb0001002,	/* load, load_deg     */
	RSP_POLICY_PLUD			= 0xb0001003,	/* load, load_deg     */
	RSP_POLICY_RPLUD		= 0xb0001004,	/* load, load_deg     */
	RSP_POLICY_WRAND_DPF		= 0xb0002001,	/* weight, weight_dpf, distance */
	RSP_POLICY_LU_DPF		= 0xb0002002,	/* load, load_dpf, distance */
	RSP_POLICY_LUD_DPF		= 0xb0002003,	/* load, load_deg, load_dpf, distance */
};

enum rsp_transport_use {
	RSP_USE_DATA		= 0,	/* data only */
	RSP_USE_DATA_CONTROL	= 1,	/* data plus ASAP control channel */
};

/* Why a PE left the handlespace (RSP_A_REASON). */
enum rsp_reason {
	RSP_REASON_DELETED	= 1,	/* RSP_CMD_PE_DEL */
	RSP_REASON_EXPIRED	= 2,	/* lifetime ran out */
	RSP_REASON_UNREACHABLE	= 3,	/* report threshold reached */
	RSP_REASON_HOME_DELETED	= 4,	/* RSP_CMD_DEL_HOME */
	RSP_REASON_FLUSHED	= 5,	/* RSP_CMD_FLUSH */
};

/* Inside RSP_A_LIMITS; each u32.  SET changes only those given. */
enum rsp_limit_attr {
	RSP_LIMIT_A_UNSPEC,
	RSP_LIMIT_A_MAX_POOLS,		/* pools in the namespace */
	RSP_LIMIT_A_MAX_PES,		/* PEs in the namespace */
	RSP_LIMIT_A_MAX_POOL_PES,	/* PEs in one pool */
	RSP_LIMIT_A_REPORT_THRESHOLD,	/* reports that remove a PE, >= 1 */

	__RSP_LIMIT_A_MAX,
	RSP_LIMIT_A_MAX = __RSP_LIMIT_A_MAX - 1
};

/* Inside RSP_A_STATS: counters of the namespace. */
enum rsp_stat_attr {
	RSP_STAT_A_UNSPEC,
	RSP_STAT_A_POOLS,		/* u32: pools now */
	RSP_STAT_A_PES,			/* u32: PEs now */
	RSP_STAT_A_ADDED,		/* u64: PEs added */
	RSP_STAT_A_UPDATED,		/* u64: PEs re-registered */
	RSP_STAT_A_REMOVED,		/* u64: PEs deleted by request */
	RSP_STAT_A_EXPIRED,		/* u64: PEs expired */
	RSP_STAT_A_UNREACHABLE,		/* u64: PEs removed after reports */
	RSP_STAT_A_RESOLVES,		/* u64: resolve requests */
	RSP_STAT_A_SELECTED,		/* u64: PEs selected */
	RSP_STAT_A_REPORTS,		/* u64: unreachable reports */
	RSP_STAT_A_REFUSED,		/* u64: additions refused by limits */
	RSP_STAT_A_PAD,

	__RSP_STAT_A_MAX,
	RSP_STAT_A_MAX = __RSP_STAT_A_MAX - 1
};

/*
 * Socket options.  Any TCP, UDP, UDP-Lite, SCTP or DCCP socket, IPv4 or
 * IPv6, reaches the handlespace of its own network namespace through these
 * options, at level SOL_IP on an IPv4 socket and SOL_IPV6 on an IPv6 one
 * (the numbers are the same at both levels).  The kernel selects; it never
 * connects or sends on the application's behalf, so every connect() and
 * sendto() still passes the usual permission checks.
 *
 * getsockopt(RSP_SO_SELECT)   struct rsp_so_select, *len at least its size.
 *   Selects one PE of the pool with the pool's policy among those this
 *   socket can reach: the pool's transport must be the socket's protocol,
 *   and the PE needs an address of the socket's family (an IPv6 socket
 *   also takes IPv4 PEs, as v4-mapped addresses, unless IPV6_V6ONLY).
 *   Fills in the PE ID, addr (the PE's first usable address and port, ready
 *   for connect() or sendto()) and, packed in addrs, every usable address
 *   of the PE, primary first, as sctp_connectx() takes them.  Counts as a
 *   selection, like RSP_CMD_RESOLVE.  The PEs in 'exclude' are passed
 *   over, so that a caller failing over from them gets another.  Bytes of
 *   addr past addr_len and of addrs past addrs_len are left as they were.
 * getsockopt(RSP_SO_RESOLVE)  struct rsp_so_resolve followed by room for
 *   'count' struct rsp_so_pe.  Selects up to 'count' distinct PEs with the
 *   pool's policy, whatever the socket, as ASAP handle resolution does.
 *   If the room is too small for all the PEs the pool could give, fails
 *   with ENOSPC, selects nothing, and sets 'size' to the bytes needed.
 * getsockopt(RSP_SO_PEER)     struct rsp_so_peer.  On a connected socket:
 *   the PE whose address, port and transport are the socket's peer, in the
 *   pool named in 'handle' or, if its len is 0, in any pool (the first by
 *   handle when several match; 'matches' says how many did).
 * setsockopt(RSP_SO_REPORT)   struct rsp_so_report.  Reports the PE
 *   unreachable, as ASAP_ENDPOINT_UNREACHABLE does: it counts toward the
 *   report threshold and raises the RSP_CMD_REPORT event for the
 *   registrar.  Without CAP_NET_ADMIN, one user's reports of a PE count
 *   once in a row: a second one before another reporter's fails with
 *   EALREADY, so that one process alone cannot empty a pool.
 *
 * Errors, beside EFAULT for a bad pointer:
 *   EINVAL        *len or optlen smaller than the structure, handle len
 *                 0, count 0 or above RSP_RESOLVE_MAX, exclude_count
 *                 above RSP_SO_EXCLUDE_MAX
 *   ENAMETOOLONG  handle len above RSP_HANDLE_MAX
 *   ENOENT        no such pool (a pool without PEs does not exist), no
 *                 such PE (REPORT), no PE has the peer's address (PEER)
 *   EPROTOTYPE    the pool's transport is not the socket's protocol
 *   EAFNOSUPPORT  no PE of the pool has an address of the socket's family
 *   ENODATA       the pool's policy gives no PE now (all weights are 0,
 *                 or every usable PE is excluded)
 *   ENOSPC        RESOLVE: the room is too small, see 'size'
 *   ENOTCONN      PEER on a socket that is not connected
 *   EALREADY      REPORT: this user's report of this PE is already counted
 *   EPROTONOSUPPORT  a socket whose protocol has no transport PEs (raw)
 *   EOPNOTSUPP    MPTCP sockets: MPTCP answers every IP-level option it
 *                 does not know itself, so the options never reach us
 * None changes anything when it fails.  Selection, resolution and PEER
 * need no privilege.
 */
#define RSP_SO_BASE		0x5250	/* far from every in-tree user */
#define RSP_SO_SELECT		(RSP_SO_BASE + 0)	/* get */
#define RSP_SO_RESOLVE		(RSP_SO_BASE + 1)	/* get */
#define RSP_SO_PEER		(RSP_SO_BASE + 2)	/* get */
#define RSP_SO_REPORT		(RSP_SO_BASE + 0)	/* set */
#define RSP_SO_GET_MAX		RSP_SO_PEER
#define RSP_SO_SET_MAX		RSP_SO_REPORT

#define RSP_SOCKADDR_MAX	28	/* sizeof(struct sockaddr_in6) */
#define RSP_SO_EXCLUDE_MAX	8	/* PE IDs an RSP_SO_SELECT may skip */

struct rsp_so_handle {
	__u32 len;			/* 1..RSP_HANDLE_MAX */
	__u8 data[RSP_HANDLE_MAX];
};

struct rsp_so_select {
	struct rsp_so_handle handle;	/* in */
	__u32 exclude_count;		/* in: PEs not to select (failover) */
	__u32 exclude[RSP_SO_EXCLUDE_MAX];	/* in: their IDs */
	__u32 pe_id;			/* out */
	__u32 addr_len;			/* out: bytes of addr */
	struct __kernel_sockaddr_storage addr;	/* out: for connect() */
	__u32 addrs_count;		/* out: addresses in addrs */
	__u32 addrs_len;		/* out: bytes used in addrs */
	__u8 addrs[RSP_ADDRS_MAX * RSP_SOCKADDR_MAX];	/* out: packed */
};

struct rsp_so_addr {
	__u16 family;			/* AF_INET or AF_INET6 */
	__u16 pad;
	__u8 addr[16];			/* network order; IPv4 in the first 4 */
};

struct rsp_so_pe {
	__u32 id;
	__u32 home;			/* home registrar ID, 0 = none */
	__u16 port;			/* host order */
	__u8 proto;			/* IPPROTO_* */
	__u8 use;			/* enum rsp_transport_use */
	__u32 policy;			/* enum rsp_policy_type */
	__u32 weight;			/* policy parameters; 0 where unused */
	__u32 priority;
	__u32 load;
	__u32 load_deg;
	__u32 dpf;			/* weight DPF or load DPF */
	__u32 distance;
	__u32 lifetime_ms;		/* registration life, 0 = none */
	__u32 addrs_count;
	struct rsp_so_addr addrs[RSP_ADDRS_MAX];
};

struct rsp_so_resolve {
	struct rsp_so_handle handle;	/* in */
	__u32 count;			/* in: PEs wanted; out: PEs given */
	__u32 size;			/* out: bytes the answer takes or needs */
	__u32 policy;			/* out: the pool's policy type */
	__u8 proto;			/* out: the pool's transport */
	__u8 pad[3];
	struct rsp_so_pe pe[];		/* out */
};

struct rsp_so_peer {
	struct rsp_so_handle handle;	/* in: pool, or len 0; out: pool */
	__u32 pe_id;			/* out */
	__u32 matches;			/* out: PEs with the peer's address */
};

struct rsp_so_report {
	struct rsp_so_handle handle;
	__u32 pe_id;
};

#endif /* _UAPI_LINUX_RSERPOOL_H */
