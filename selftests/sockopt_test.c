// SPDX-License-Identifier: GPL-2.0
/*
 * The rserpool socket options on real sockets: every option, every errno
 * the uapi header promises, privileges and namespaces.  Runs as root in
 * the guest with rserpool.ko loaded; $RSPCTL names rspctl, which builds
 * the pools.  kselftest harness, TAP output.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/rserpool.h>
#include "kselftest_harness.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

/* Runs "rspctl ARGS" quietly; its exit status. */
static int rspctl(const char *fmt, ...)
{
	char cmd[512], args[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s %s >/dev/null 2>&1",
		 getenv("RSPCTL") ?: "rspctl", args);
	return WEXITSTATUS(system(cmd));
}

static int level(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	getsockname(fd, (struct sockaddr *)&ss, &len);
	return ss.ss_family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
}

static void set_handle(struct rsp_so_handle *h, const char *s)
{
	memset(h, 0, sizeof(*h));
	h->len = strlen(s);
	memcpy(h->data, s, h->len);
}

/* RSP_SO_SELECT on @fd for pool @pool: 0 or -errno. */
static int sel(int fd, const char *pool, struct rsp_so_select *out)
{
	socklen_t len = sizeof(*out);

	memset(out, 0, sizeof(*out));
	set_handle(&out->handle, pool);
	if (getsockopt(fd, level(fd), RSP_SO_SELECT, out, &len))
		return -errno;
	return 0;
}

static int report(int fd, const char *pool, __u32 id)
{
	struct rsp_so_report r;

	set_handle(&r.handle, pool);
	r.pe_id = id;
	if (setsockopt(fd, level(fd), RSP_SO_REPORT, &r, sizeof(r)))
		return -errno;
	return 0;
}

/* Runs @fn in a child as user nobody; the child's exit status. */
static int as_nobody(int (*fn)(void))
{
	pid_t pid = fork();
	int st;

	if (!pid) {
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(99);
		_exit(fn());
	}
	waitpid(pid, &st, 0);
	return WEXITSTATUS(st);
}

FIXTURE(pools) {
	int tcp4, tcp6, udp4;
};

FIXTURE_SETUP(pools)
{
	ASSERT_EQ(0, rspctl("flush"));
	/* PE 2 alone has a registration life: 10 minutes. */
	for (int i = 1; i <= 3; i++)
		ASSERT_EQ(0, rspctl("pe add t id %d proto tcp port 700%d addr 10.1.0.%d policy rr%s",
				    i, i, i, i == 2 ? " lifetime 600000" : ""));
	self->tcp4 = socket(AF_INET, SOCK_STREAM, 0);
	self->tcp6 = socket(AF_INET6, SOCK_STREAM, 0);
	self->udp4 = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_GE(self->tcp4, 0);
	ASSERT_GE(self->tcp6, 0);
	ASSERT_GE(self->udp4, 0);
}

FIXTURE_TEARDOWN(pools)
{
	close(self->tcp4);
	close(self->tcp6);
	close(self->udp4);
	rspctl("flush");
}

TEST_F(pools, select_follows_round_robin)
{
	static const __u32 want[] = { 1, 2, 3, 1, 2, 3 };
	struct rsp_so_select s;
	struct sockaddr_in *sin = (struct sockaddr_in *)&s.addr;

	for (unsigned int i = 0; i < 6; i++) {
		ASSERT_EQ(0, sel(self->tcp4, "t", &s));
		EXPECT_EQ(want[i], s.pe_id);
		EXPECT_EQ(sizeof(*sin), s.addr_len);
		EXPECT_EQ(AF_INET, sin->sin_family);
		EXPECT_EQ(7000 + want[i], ntohs(sin->sin_port));
		EXPECT_EQ(0x0a010000 | want[i], ntohl(sin->sin_addr.s_addr));
		EXPECT_EQ(1, s.addrs_count);
		EXPECT_EQ(sizeof(*sin), s.addrs_len);
	}
}

TEST_F(pools, ipv6_socket_gets_v4_mapped_unless_v6only)
{
	struct rsp_so_select s;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&s.addr;
	char text[INET6_ADDRSTRLEN];
	int one = 1;

	ASSERT_EQ(0, sel(self->tcp6, "t", &s));
	EXPECT_EQ(sizeof(*sin6), s.addr_len);
	EXPECT_EQ(AF_INET6, sin6->sin6_family);
	inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof(text));
	EXPECT_STREQ("::ffff:10.1.0.1", text);
	ASSERT_EQ(0, setsockopt(self->tcp6, IPPROTO_IPV6, IPV6_V6ONLY, &one,
				sizeof(one)));
	EXPECT_EQ(-EAFNOSUPPORT, sel(self->tcp6, "t", &s));
	/* ... and an IPv6 PE is what it then gets. */
	ASSERT_EQ(0, rspctl("pe add t id 9 proto tcp port 9 addr fd00::9 policy rr"));
	ASSERT_EQ(0, sel(self->tcp6, "t", &s));
	EXPECT_EQ(9, s.pe_id);
	inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof(text));
	EXPECT_STREQ("fd00::9", text);
	/* An IPv4 socket never gets it. */
	for (int i = 0; i < 8; i++) {
		ASSERT_EQ(0, sel(self->tcp4, "t", &s));
		EXPECT_NE(9, s.pe_id);
	}
}

TEST_F(pools, errors_change_nothing)
{
	struct rsp_so_select s;
	socklen_t len;
	int raw;

	EXPECT_EQ(-EPROTOTYPE, sel(self->udp4, "t", &s));
	EXPECT_EQ(-ENOENT, sel(self->tcp4, "nope", &s));
	set_handle(&s.handle, "t");
	s.handle.len = 0;
	len = sizeof(s);
	EXPECT_EQ(-1, getsockopt(self->tcp4, IPPROTO_IP, RSP_SO_SELECT, &s,
				 &len));
	EXPECT_EQ(EINVAL, errno);
	s.handle.len = RSP_HANDLE_MAX + 1;
	EXPECT_EQ(-1, getsockopt(self->tcp4, IPPROTO_IP, RSP_SO_SELECT, &s,
				 &len));
	EXPECT_EQ(ENAMETOOLONG, errno);
	set_handle(&s.handle, "t");
	len = sizeof(s) - 1;
	EXPECT_EQ(-1, getsockopt(self->tcp4, IPPROTO_IP, RSP_SO_SELECT, &s,
				 &len));
	EXPECT_EQ(EINVAL, errno);
	len = sizeof(s);
	EXPECT_EQ(-1, getsockopt(self->tcp4, IPPROTO_IP, RSP_SO_SELECT,
				 (void *)8, &len));
	EXPECT_EQ(EFAULT, errno);
	raw = socket(AF_INET, SOCK_RAW, IPPROTO_UDP);
	ASSERT_GE(raw, 0);
	EXPECT_EQ(-EPROTONOSUPPORT, sel(raw, "t", &s));
	close(raw);
	/*
	 * None of that was a selection: round robin still starts at 1.  The
	 * bytes past the handle's length are not part of it.
	 */
	set_handle(&s.handle, "t");
	memset(s.handle.data + 1, 'x', RSP_HANDLE_MAX - 1);
	s.exclude_count = 0;
	len = sizeof(s);
	ASSERT_EQ(0, getsockopt(self->tcp4, IPPROTO_IP, RSP_SO_SELECT, &s,
				&len));
	EXPECT_EQ(1, s.pe_id);
}

/* RSP_SO_SELECT passing over @n PEs. */
static int sel_excluding(int fd, const char *pool, struct rsp_so_select *s,
			 const __u32 *ids, unsigned int n)
{
	socklen_t len = sizeof(*s);

	memset(s, 0, sizeof(*s));
	set_handle(&s->handle, pool);
	s->exclude_count = n;	/* may be too many, to see it refused */
	if (n <= RSP_SO_EXCLUDE_MAX)
		memcpy(s->exclude, ids, n * sizeof(ids[0]));
	if (getsockopt(fd, IPPROTO_IP, RSP_SO_SELECT, s, &len))
		return -errno;
	return 0;
}

TEST_F(pools, excluded_pes_are_passed_over)
{
	static const __u32 one[] = { 1 }, all[] = { 1, 2, 3 };
	struct rsp_so_select s;

	for (int i = 0; i < 6; i++) {
		ASSERT_EQ(0, sel_excluding(self->tcp4, "t", &s, one, 1));
		EXPECT_NE(1, s.pe_id);
	}
	EXPECT_EQ(-ENODATA, sel_excluding(self->tcp4, "t", &s, all, 3));
	EXPECT_EQ(-EINVAL, sel_excluding(self->tcp4, "t", &s, all,
					 RSP_SO_EXCLUDE_MAX + 1));
	/* Least used: the next least loaded, not the same PE again. */
	ASSERT_EQ(0, rspctl("pe add lu id 1 proto tcp port 1 addr 10.4.0.1 policy lu load 10%%"));
	ASSERT_EQ(0, rspctl("pe add lu id 2 proto tcp port 1 addr 10.4.0.2 policy lu load 20%%"));
	ASSERT_EQ(0, sel_excluding(self->tcp4, "lu", &s, one, 1));
	EXPECT_EQ(2, s.pe_id);
	ASSERT_EQ(0, sel_excluding(self->tcp4, "lu", &s, one, 0));
	EXPECT_EQ(1, s.pe_id);
}

TEST_F(pools, every_option_checks_its_input)
{
	struct rsp_so_select s;
	struct rsp_so_resolve res;
	struct rsp_so_report rep;
	struct rsp_so_peer peer;
	socklen_t len;

	/* RESOLVE: short buffer, unknown pool, bad pointer. */
	memset(&res, 0, sizeof(res));
	set_handle(&res.handle, "t");
	res.count = 1;
	len = sizeof(res) - 1;
	EXPECT_EQ(-1, getsockopt(self->tcp4, IPPROTO_IP, RSP_SO_RESOLVE, &res,
				 &len));
	EXPECT_EQ(EINVAL, errno);
	set_handle(&res.handle, "nope");
	res.count = 1;
	len = sizeof(res);
	EXPECT_EQ(-1, getsockopt(self->tcp4, IPPROTO_IP, RSP_SO_RESOLVE, &res,
				 &len));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, getsockopt(self->tcp4, IPPROTO_IP, RSP_SO_RESOLVE,
				 (void *)8, &len));
	EXPECT_EQ(EFAULT, errno);
	/* PEER: short buffer, handle too long. */
	memset(&peer, 0, sizeof(peer));
	len = sizeof(peer) - 1;
	EXPECT_EQ(-1, getsockopt(self->tcp4, IPPROTO_IP, RSP_SO_PEER, &peer,
				 &len));
	EXPECT_EQ(EINVAL, errno);
	peer.handle.len = RSP_HANDLE_MAX + 1;
	len = sizeof(peer);
	EXPECT_EQ(-1, getsockopt(self->tcp4, IPPROTO_IP, RSP_SO_PEER, &peer,
				 &len));
	EXPECT_EQ(ENAMETOOLONG, errno);
	/* REPORT: short, empty handle, too long, bad pointer. */
	set_handle(&rep.handle, "t");
	rep.pe_id = 1;
	EXPECT_EQ(-1, setsockopt(self->tcp4, IPPROTO_IP, RSP_SO_REPORT, &rep,
				 sizeof(rep) - 1));
	EXPECT_EQ(EINVAL, errno);
	rep.handle.len = 0;
	EXPECT_EQ(-1, setsockopt(self->tcp4, IPPROTO_IP, RSP_SO_REPORT, &rep,
				 sizeof(rep)));
	EXPECT_EQ(EINVAL, errno);
	rep.handle.len = RSP_HANDLE_MAX + 1;
	EXPECT_EQ(-1, setsockopt(self->tcp4, IPPROTO_IP, RSP_SO_REPORT, &rep,
				 sizeof(rep)));
	EXPECT_EQ(ENAMETOOLONG, errno);
	EXPECT_EQ(-1, setsockopt(self->tcp4, IPPROTO_IP, RSP_SO_REPORT,
				 (void *)8, sizeof(rep)));
	EXPECT_EQ(EFAULT, errno);
	/* None of it was a selection: round robin still starts at 1. */
	ASSERT_EQ(0, sel(self->tcp4, "t", &s));
	EXPECT_EQ(1, s.pe_id);
}

TEST_F(pools, mptcp_sockets_do_not_reach_the_options)
{
	struct rsp_so_select s;
	int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP);

	if (fd < 0)
		SKIP(return, "no MPTCP in this kernel");
	EXPECT_EQ(-EOPNOTSUPP, sel(fd, "t", &s));
	close(fd);
}

TEST_F(pools, no_pe_selectable)
{
	struct rsp_so_select s;

	ASSERT_EQ(0, rspctl("pe add z id 1 proto tcp port 1 addr 10.2.0.1 policy wrr weight 0"));
	EXPECT_EQ(-ENODATA, sel(self->tcp4, "z", &s));
}

TEST_F(pools, sctp_gets_every_address)
{
	struct rsp_so_select s;
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)s.addrs;
	char text[INET6_ADDRSTRLEN];
	int fd = socket(AF_INET6, SOCK_STREAM, IPPROTO_SCTP);

	if (fd < 0)
		SKIP(return, "no SCTP: %s", strerror(errno));
	ASSERT_EQ(0, rspctl("pe add s id 4 proto sctp port 80 addr 10.3.0.4 addr fd00::4 addr 10.3.1.4 policy rr"));
	EXPECT_EQ(-EPROTOTYPE, sel(self->tcp4, "s", &s));
	ASSERT_EQ(0, sel(fd, "s", &s));
	EXPECT_EQ(4, s.pe_id);
	EXPECT_EQ(3, s.addrs_count);
	EXPECT_EQ(3 * sizeof(*a), s.addrs_len);
	inet_ntop(AF_INET6, &a[1].sin6_addr, text, sizeof(text));
	EXPECT_STREQ("fd00::4", text);
	EXPECT_EQ(80, ntohs(a[2].sin6_port));
	EXPECT_EQ(0, memcmp(&s.addr, &a[0], sizeof(*a)));
	close(fd);
}

TEST_F(pools, resolve_lists_pes_and_says_what_room_it_needs)
{
	size_t room = sizeof(struct rsp_so_resolve) +
		      2 * sizeof(struct rsp_so_pe);
	struct rsp_so_resolve *r = calloc(1, room);
	socklen_t len;

	ASSERT_NE(NULL, r);
	set_handle(&r->handle, "t");
	r->count = 3;
	len = room;
	EXPECT_EQ(-1, getsockopt(self->udp4, IPPROTO_IP, RSP_SO_RESOLVE, r,
				 &len));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(sizeof(*r) + 3 * sizeof(struct rsp_so_pe), r->size);
	EXPECT_EQ(0, r->count);
	r->count = 2;
	ASSERT_EQ(0, getsockopt(self->udp4, IPPROTO_IP, RSP_SO_RESOLVE, r,
				&len));
	EXPECT_EQ(room, len);
	EXPECT_EQ(2, r->count);
	EXPECT_EQ(RSP_POLICY_RR, r->policy);
	EXPECT_EQ(IPPROTO_TCP, r->proto);
	/* The ENOSPC above selected nothing: round robin starts at 1. */
	EXPECT_EQ(1, r->pe[0].id);
	EXPECT_EQ(2, r->pe[1].id);
	EXPECT_EQ(7002, r->pe[1].port);
	EXPECT_EQ(0, r->pe[0].lifetime_ms);
	EXPECT_EQ(600000, r->pe[1].lifetime_ms);
	EXPECT_EQ(1, r->pe[1].addrs_count);
	EXPECT_EQ(AF_INET, r->pe[1].addrs[0].family);
	EXPECT_EQ(0, memcmp(r->pe[1].addrs[0].addr, "\x0a\x01\x00\x02", 4));
	r->count = 0;
	EXPECT_EQ(-1, getsockopt(self->udp4, IPPROTO_IP, RSP_SO_RESOLVE, r,
				 &len));
	EXPECT_EQ(EINVAL, errno);
	free(r);
}

TEST_F(pools, report_counts_and_removes_at_the_threshold)
{
	struct rsp_so_select s;

	EXPECT_EQ(0, report(self->tcp4, "t", 2));
	EXPECT_EQ(0, report(self->tcp4, "t", 2));
	EXPECT_EQ(0, rspctl("pe show t id 2"));
	EXPECT_EQ(0, report(self->tcp4, "t", 2));
	EXPECT_NE(0, rspctl("pe show t id 2"));
	EXPECT_EQ(-ENOENT, report(self->tcp4, "t", 2));
	EXPECT_EQ(-ENOENT, report(self->tcp4, "nope", 1));
	for (int i = 0; i < 4; i++) {
		ASSERT_EQ(0, sel(self->tcp4, "t", &s));
		EXPECT_NE(2, s.pe_id);
	}
}

static int nobody_reports_twice(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (report(fd, "t", 3))
		return 1;
	if (report(fd, "t", 3) != -EALREADY)
		return 2;
	/* A fresh socket is the same user. */
	close(fd);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	return report(fd, "t", 3) == -EALREADY ? 0 : 3;
}

static int nobody_selects(void)
{
	struct rsp_so_select s;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	return sel(fd, "t", &s) ? 1 : s.pe_id == 1 ? 0 : 2;
}

TEST_F(pools, unprivileged_users)
{
	EXPECT_EQ(0, as_nobody(nobody_selects));
	EXPECT_EQ(0, as_nobody(nobody_reports_twice));
	/* Counted once: PE 3 has one report and is still there. */
	EXPECT_EQ(0, rspctl("pe show t id 3"));
	EXPECT_EQ(0, report(self->tcp4, "t", 3));
	EXPECT_EQ(0, report(self->tcp4, "t", 3));
	EXPECT_NE(0, rspctl("pe show t id 3"));
}

TEST_F(pools, another_namespace_has_its_own_handlespace)
{
	pid_t pid = fork();
	int st;

	if (!pid) {
		struct rsp_so_select s;
		int fd;

		if (unshare(CLONE_NEWNET))
			_exit(99);
		fd = socket(AF_INET, SOCK_STREAM, 0);
		_exit(sel(fd, "t", &s) == -ENOENT ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	EXPECT_EQ(0, WEXITSTATUS(st));
}

TEST_F(pools, peer_names_the_pe_a_socket_talks_to)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct rsp_so_select s;
	struct rsp_so_peer p;
	socklen_t len = sizeof(sin);
	int srv, cli, one = 1;

	srv = socket(AF_INET, SOCK_STREAM, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ASSERT_EQ(0, bind(srv, (struct sockaddr *)&sin, sizeof(sin)));
	ASSERT_EQ(0, listen(srv, 4));
	ASSERT_EQ(0, getsockname(srv, (struct sockaddr *)&sin, &len));
	ASSERT_EQ(0, rspctl("pe add lo id 42 proto tcp port %d addr 127.0.0.1 policy rr",
			    ntohs(sin.sin_port)));

	cli = socket(AF_INET, SOCK_STREAM, 0);
	memset(&p, 0, sizeof(p));
	len = sizeof(p);
	EXPECT_EQ(-1, getsockopt(cli, IPPROTO_IP, RSP_SO_PEER, &p, &len));
	EXPECT_EQ(ENOTCONN, errno);

	ASSERT_EQ(0, sel(cli, "lo", &s));
	ASSERT_EQ(0, connect(cli, (struct sockaddr *)&s.addr, s.addr_len));
	len = sizeof(p);
	ASSERT_EQ(0, getsockopt(cli, IPPROTO_IP, RSP_SO_PEER, &p, &len));
	EXPECT_EQ(42, p.pe_id);
	EXPECT_EQ(1, p.matches);
	EXPECT_EQ(2, p.handle.len);
	EXPECT_EQ(0, memcmp(p.handle.data, "lo", 2));
	/* Asked about another pool: not there. */
	set_handle(&p.handle, "t");
	EXPECT_EQ(-1, getsockopt(cli, IPPROTO_IP, RSP_SO_PEER, &p, &len));
	EXPECT_EQ(ENOENT, errno);
	close(cli);
	close(srv);
}

TEST_HARNESS_MAIN
