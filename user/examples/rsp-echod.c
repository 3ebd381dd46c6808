// SPDX-License-Identifier: GPL-2.0
/*
 * rsp-echod: a pool element.  An echo server for TCP, UDP or SCTP that
 * enters itself in the kernel handlespace over netlink, keeps its
 * registration alive while it runs, and leaves when it is stopped.  Each
 * answer names the PE, so a pool user can tell who served it.
 *
 *   rsp-echod [-p tcp|udp|sctp] [-P PORT] [-i ID] [-l LIFETIME_MS]
 *             [-L LOAD%] [-w WEIGHT] [-r PRIORITY] [-x POLICY]
 *             [-n NETNS] HANDLE ADDR [ADDR...]
 *
 * -n registers in the handlespace of another network namespace (a path
 * such as /run/netns/NAME), as a registrar serving it would: the server
 * socket stays in the namespace the program was started in.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <sched.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "../names.h"
#include "../nl.h"

#define MAX_CLIENTS	64

static struct rsp_nl nl;
static volatile sig_atomic_t stop;

static struct {
	const char *handle;
	uint32_t id, lifetime, load, weight, priority;
	const struct rsp_policy_name *policy;
	int proto, port, naddrs;
	struct sockaddr_storage addrs[RSP_ADDRS_MAX];
} pe = { .lifetime = 3000, .weight = 1, .proto = IPPROTO_TCP };

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: rsp-echod [-p tcp|udp|sctp] [-P PORT] [-i ID] [-l LIFETIME_MS]\n"
		"                 [-x POLICY] [-L LOAD%%] [-w WEIGHT] [-r PRIORITY]\n"
		"                 [-n NETNS] HANDLE ADDR [ADDR...]\n");
	exit(2);
}

static void put_addrs(struct nl_msg *msg)
{
	struct nlattr *nest = nla_nest_start(msg, RSP_A_PE_ADDRS);

	for (int i = 0; i < pe.naddrs; i++) {
		struct sockaddr_in *a = (struct sockaddr_in *)&pe.addrs[i];
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&pe.addrs[i];

		if (a->sin_family == AF_INET)
			nla_put(msg, RSP_ADDR_A_IPV4, 4, &a->sin_addr);
		else
			nla_put(msg, RSP_ADDR_A_IPV6, 16, &a6->sin6_addr);
	}
	nla_nest_end(msg, nest);
}

/* Registers, or re-registers (the kernel restarts the lifetime). */
static int enter(void)
{
	struct nl_msg *msg = rsp_nl_msg(&nl, RSP_CMD_PE_NEW, 0);
	uint32_t params = pe.policy->params;
	struct nlattr *nest;

	nla_put(msg, RSP_A_POOL_HANDLE, strlen(pe.handle), pe.handle);
	nla_put_u32(msg, RSP_A_PE_ID, pe.id);
	nla_put_u8(msg, RSP_A_PE_PROTO, pe.proto);
	nla_put_u16(msg, RSP_A_PE_PORT, pe.port);
	nla_put_u32(msg, RSP_A_PE_LIFETIME, pe.lifetime);
	nla_put_flag(msg, RSP_A_REPLACE);
	put_addrs(msg);
	nest = nla_nest_start(msg, RSP_A_PE_POLICY);
	nla_put_u32(msg, RSP_POLICY_A_TYPE, pe.policy->type);
	if (params & (1u << RSP_POLICY_A_WEIGHT))
		nla_put_u32(msg, RSP_POLICY_A_WEIGHT, pe.weight);
	if (params & (1u << RSP_POLICY_A_PRIORITY))
		nla_put_u32(msg, RSP_POLICY_A_PRIORITY, pe.priority);
	if (params & (1u << RSP_POLICY_A_LOAD))
		nla_put_u32(msg, RSP_POLICY_A_LOAD, pe.load);
	if (params & (1u << RSP_POLICY_A_LOAD_DEG))
		nla_put_u32(msg, RSP_POLICY_A_LOAD_DEG, 0);
	nla_nest_end(msg, nest);
	if (rsp_nl_talk(&nl, msg, NULL, NULL) < 0) {
		rsp_nl_perror(&nl, "register");
		return -1;
	}
	return 0;
}

static void leave(void)
{
	struct nl_msg *msg = rsp_nl_msg(&nl, RSP_CMD_PE_DEL, 0);

	nla_put(msg, RSP_A_POOL_HANDLE, strlen(pe.handle), pe.handle);
	nla_put_u32(msg, RSP_A_PE_ID, pe.id);
	rsp_nl_talk(&nl, msg, NULL, NULL);
}

static int parse_addr(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in *a = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &a->sin_addr) == 1) {
		a->sin_family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		return 0;
	}
	return -1;
}

static socklen_t with_port(struct sockaddr_storage *ss, int port)
{
	if (ss->ss_family == AF_INET) {
		((struct sockaddr_in *)ss)->sin_port = htons(port);
		return sizeof(struct sockaddr_in);
	}
	((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	return sizeof(struct sockaddr_in6);
}

/* The server socket, bound to every address (SCTP) or the first. */
static int serve_socket(void)
{
	int type = pe.proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
	int fam = pe.addrs[0].ss_family, one = 1, fd, i;
	socklen_t len;

	/* An SCTP PE with an IPv6 address needs an IPv6 socket for all. */
	for (i = 1; pe.proto == IPPROTO_SCTP && i < pe.naddrs; i++)
		if (pe.addrs[i].ss_family == AF_INET6)
			fam = AF_INET6;
	fd = socket(fam, type, pe.proto);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fam == AF_INET6 && pe.proto != IPPROTO_SCTP)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	len = with_port(&pe.addrs[0], pe.port);
	if (bind(fd, (struct sockaddr *)&pe.addrs[0], len))
		return -1;
	for (i = 1; pe.proto == IPPROTO_SCTP && i < pe.naddrs; i++) {
		len = with_port(&pe.addrs[i], pe.port);
		/* SCTP_SOCKOPT_BINDX_ADD, without libsctp */
		if (setsockopt(fd, IPPROTO_SCTP, 100, &pe.addrs[i], len))
			return -1;
	}
	if (!pe.port) {
		struct sockaddr_storage ss;

		len = sizeof(ss);
		getsockname(fd, (struct sockaddr *)&ss, &len);
		pe.port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	}
	if (type == SOCK_STREAM && listen(fd, 16))
		return -1;
	return fd;
}

/* Prefixes the answer with who we are; returns its length. */
static int answer(char *out, size_t room, const char *in, ssize_t n)
{
	int h = snprintf(out, room, "pe %u: ", pe.id);

	if ((size_t)(h + n) > room)
		n = room - h;
	memcpy(out + h, in, n);
	return h + n;
}

static void run(int srv)
{
	struct pollfd p[MAX_CLIENTS + 1];
	int n = 1, i;
	time_t next = time(NULL) + pe.lifetime / 3000;

	p[0].fd = srv;
	p[0].events = POLLIN;
	while (!stop) {
		int ms = pe.lifetime ? 200 : -1;

		if (poll(p, n, ms) < 0 && errno != EINTR)
			break;
		/* Re-register well before the lifetime runs out. */
		if (pe.lifetime && time(NULL) >= next) {
			enter();
			next = time(NULL) + (pe.lifetime / 3000 ?: 1);
		}
		for (i = n - 1; i >= 0; i--) {
			char in[2048], out[2100];
			struct sockaddr_storage from;
			socklen_t flen = sizeof(from);
			ssize_t got;

			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (i == 0 && pe.proto == IPPROTO_UDP) {
				got = recvfrom(srv, in, sizeof(in), 0,
					       (struct sockaddr *)&from, &flen);
				if (got > 0)
					sendto(srv, out,
					       answer(out, sizeof(out), in, got),
					       0, (struct sockaddr *)&from,
					       flen);
			} else if (i == 0) {
				int c = accept(srv, NULL, NULL);

				if (c >= 0 && n <= MAX_CLIENTS) {
					p[n].fd = c;
					p[n++].events = POLLIN;
				} else if (c >= 0) {
					close(c);
				}
			} else {
				got = read(p[i].fd, in, sizeof(in));
				if (got <= 0) {
					close(p[i].fd);
					p[i] = p[--n];
				} else if (write(p[i].fd, out,
						 answer(out, sizeof(out), in,
							got)) < 0) {
					close(p[i].fd);
					p[i] = p[--n];
				}
			}
		}
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	const char *policy = NULL, *netns = NULL;
	int c, srv, nsfd;

	srand(getpid() ^ time(NULL));
	pe.id = rand() ?: 1;
	while ((c = getopt(argc, argv, "p:P:i:l:x:L:w:r:n:h")) != -1) {
		switch (c) {
		case 'p':
			pe.proto = rsp_proto_by_name(optarg);
			if (pe.proto < 0 || pe.proto == IPPROTO_UDPLITE ||
			    pe.proto == IPPROTO_DCCP)
				usage();
			break;
		case 'P':
			pe.port = atoi(optarg);
			break;
		case 'i':
			pe.id = strtoul(optarg, NULL, 0);
			break;
		case 'l':
			pe.lifetime = strtoul(optarg, NULL, 0);
			break;
		case 'x':
			policy = optarg;
			break;
		case 'L':
			pe.load = (uint32_t)(strtod(optarg, NULL) / 100.0 *
					     4294967295.0);
			break;
		case 'w':
			pe.weight = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			pe.priority = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			netns = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind < 2 || argc - optind - 1 > RSP_ADDRS_MAX)
		usage();
	pe.handle = argv[optind++];
	for (; optind < argc; optind++)
		if (parse_addr(argv[optind], &pe.addrs[pe.naddrs++])) {
			fprintf(stderr, "rsp-echod: invalid address \"%s\"\n",
				argv[optind]);
			return 2;
		}
	pe.policy = rsp_policy_by_name(policy ?: "rr");
	if (!pe.policy) {
		fprintf(stderr, "rsp-echod: unknown policy \"%s\"\n", policy);
		return 2;
	}
	srv = serve_socket();
	if (srv < 0) {
		perror("rsp-echod: server socket");
		return 1;
	}
	if (netns) {
		/* Sockets keep the namespace they were made in. */
		nsfd = open(netns, O_RDONLY);
		if (nsfd < 0 || setns(nsfd, CLONE_NEWNET)) {
			fprintf(stderr, "rsp-echod: %s: %s\n", netns,
				strerror(errno));
			return 1;
		}
		close(nsfd);
	}
	if (rsp_nl_open(&nl) || enter())
		return 1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	printf("pe %u serving %s/%s port %d\n", pe.id, pe.handle,
	       rsp_proto_name(pe.proto), pe.port);
	fflush(stdout);
	run(srv);
	leave();
	rsp_nl_close(&nl);
	return 0;
}
