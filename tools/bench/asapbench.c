// SPDX-License-Identifier: GPL-2.0
/*
 * asapbench: ASAP load over SCTP, to measure registrars side by side
 * (rserpoold, rsplib's rspregistrar, and the null responder below, which
 * answers every request with one fixed message: the round-trip floor).
 *
 *   asapbench null PORT [kernel]
 *	with "kernel", each request first makes the kernel call a registrar
 *	whose table is in the kernel cannot do without: a REGISTRATION's
 *	PE is decoded and put (netlink PE_NEW, as rserpoold puts it), a
 *	HANDLE_RESOLUTION's pool is resolved (RSP_SO_RESOLVE).  The answer
 *	stays the fixed one: the floor of such a registrar.
 *   asapbench fill ADDR PORT HANDLE N [POOLS]
 *	register N PEs (over POOLS pools HANDLE-0...), print "registered
 *	N", then stay, answering keep-alives, until killed
 *   asapbench resolve ADDR PORT HANDLE CLIENTS SECONDS
 *   asapbench register ADDR PORT CLIENTS SECONDS
 *	CLIENTS processes, each with its own association, each with one
 *	request outstanding; prints requests answered a second, in all
 *
 * The codec is rserpoold's own (user/rserpoold).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "../../user/rserpoold/kern.h"
#include "../../user/rserpoold/msg.h"

#define PPID_ASAP	11
#define LIFE_MS		3600000		/* the bench's PEs need no refresh */
#define WINDOW		32		/* fill: registrations in flight */

static struct rsp_msg out, in;
static uint8_t buf[RSP_MSG_MAX + RSP_MSG_HDR];

static void __attribute__((noreturn)) die(const char *what)
{
	perror(what);
	exit(1);
}

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000ull + t.tv_nsec / 1000000;
}

static int link_to(const char *addr, const char *port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET, .sin_port = htons(atoi(port)),
	};
	int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);

	if (fd < 0)
		die("socket");
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "asapbench: bad address %s\n", addr);
		exit(2);
	}
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
		die("connect");
	return fd;
}

static void send_msg(int fd, const struct rsp_msg *m)
{
	struct rsp_buf b;

	rsp_buf_init(&b);
	rsp_msg_encode(&b, m);
	if (b.failed || sctp_sendmsg(fd, b.p, b.len, NULL, 0, htonl(PPID_ASAP),
				     0, 0, 0, 0) < 0)
		die("send");
	rsp_buf_free(&b);
}

/* Answers a keep-alive of @fd's registrar: a PE of ours must not go. */
static void ka_ack(int fd)
{
	const struct rsp_param *h = rsp_msg_find(&in, RSP_P_HANDLE);
	const struct rsp_param *id = rsp_msg_find(&in, RSP_P_PE_ID);

	if (!h || !id)
		return;
	rsp_msg_init(&out, PPID_ASAP, ASAP_ENDPOINT_KEEP_ALIVE_ACK, 0);
	rsp_msg_add_handle(&out, h->handle.data, h->handle.len);
	rsp_msg_add_u32(&out, RSP_P_PE_ID, id->u32);
	send_msg(fd, &out);
}

/* The next message of type @want (keep-alives answered on the way). */
static void await(int fd, uint8_t want)
{
	for (;;) {
		struct sctp_sndrcvinfo si;
		int flags = 0;
		int n = sctp_recvmsg(fd, buf, sizeof(buf), NULL, NULL, &si,
				     &flags);

		if (n <= 0)
			die("recv");
		if (flags & MSG_NOTIFICATION)
			continue;
		if (rsp_msg_decode(&in, PPID_ASAP, buf, n)) {
			fprintf(stderr, "asapbench: undecodable answer\n");
			exit(1);
		}
		if (in.type == ASAP_ENDPOINT_KEEP_ALIVE)
			ka_ack(fd);
		if (in.type == want)
			return;
		rsp_msg_free(&in);
	}
}

static struct rsp_p_pe pe;

/* A REGISTRATION of PE @id in @handle: SCTP, at our own address. */
static void registration(int fd, const char *handle, uint32_t id)
{
	struct sockaddr_in self;
	socklen_t len = sizeof(self);

	if (!pe.user.naddrs) {
		if (getsockname(fd, (struct sockaddr *)&self, &len))
			die("getsockname");
		pe.user.type = RSP_P_SCTP;
		pe.user.port = 7;
		pe.user.naddrs = 1;
		pe.user.addrs[0].type = RSP_P_IPV4;
		memcpy(pe.user.addrs[0].a, &self.sin_addr, 4);
		pe.policy.type = 1;		/* round robin */
		pe.has_asap = 1;
		pe.asap = pe.user;
		pe.asap.port = ntohs(self.sin_port);
		pe.life = LIFE_MS;
	}
	pe.id = id;
	rsp_msg_init(&out, PPID_ASAP, ASAP_REGISTRATION, 0);
	rsp_msg_add_handle(&out, (const uint8_t *)handle, strlen(handle));
	rsp_msg_add(&out, RSP_P_PE)->pe = &pe;
	send_msg(fd, &out);
}

static int registered(void)
{
	int ok = !(in.flags & 1);

	rsp_msg_free(&in);
	return ok;
}

static void __attribute__((noreturn)) fill(char **av, int ac)
{
	unsigned int n = atoi(av[3]), pools = ac > 4 ? atoi(av[4]) : 0, i;
	int fd = link_to(av[0], av[1]), ok = 0;
	char h[RSP_MAX_HANDLE];

	/* Up to WINDOW registrations outstanding: a large table fills fast. */
	for (i = 0; i < n + WINDOW; i++) {
		if (i >= WINDOW) {
			await(fd, ASAP_REGISTRATION_RESPONSE);
			ok += registered();
		}
		if (i >= n)
			continue;
		if (pools)
			snprintf(h, sizeof(h), "%s-%u", av[2], i % pools);
		else
			snprintf(h, sizeof(h), "%s", av[2]);
		registration(fd, h, 1000 + i);
	}
	printf("registered %d\n", ok);
	fflush(stdout);
	for (;;)
		await(fd, 0);	/* keep-alives, until killed */
}

/* One client's closed loop for @ms; how many answers it got. */
static unsigned long run(int fd, int resolve, const char *handle,
			 uint32_t base, uint64_t ms)
{
	uint64_t end = now_ms() + ms;
	unsigned long done = 0;

	while (now_ms() < end) {
		if (resolve) {
			rsp_msg_init(&out, PPID_ASAP, ASAP_HANDLE_RESOLUTION,
				     0);
			rsp_msg_add_handle(&out, (const uint8_t *)handle,
					   strlen(handle));
			rsp_msg_add_u32(&out, RSP_P_HRO, 3);
			send_msg(fd, &out);
			await(fd, ASAP_HANDLE_RESOLUTION_RESPONSE);
			rsp_msg_free(&in);
		} else {
			registration(fd, handle, base + done);
			await(fd, ASAP_REGISTRATION_RESPONSE);
			if (!registered()) {
				fprintf(stderr, "asapbench: registration refused\n");
				exit(1);
			}
		}
		done++;
	}
	return done;
}

/* CLIENTS processes, started together; the sum of their rates. */
static int load(char **av, int resolve)
{
	const char *handle = resolve ? av[2] : "bench-reg";
	int clients = atoi(av[resolve ? 3 : 2]);
	int seconds = atoi(av[resolve ? 4 : 3]);
	int go[2], res[2], i;
	unsigned long total = 0, one;

	if (clients < 1 || seconds < 1 || pipe(go) || pipe(res))
		return 2;
	for (i = 0; i < clients; i++) {
		if (fork() == 0) {
			int fd = link_to(av[0], av[1]);
			char c;

			close(go[1]);
			if (read(go[0], &c, 1) != 1)
				_exit(1);
			/* Each its own PE IDs, new ones every time. */
			one = run(fd, resolve, handle, (i + 1) << 24,
				  seconds * 1000ull);
			if (write(res[1], &one, sizeof(one)) != sizeof(one))
				_exit(1);
			_exit(0);
		}
	}
	sleep(1);		/* every client connected */
	close(go[0]);
	for (i = 0; i < clients; i++)
		if (write(go[1], "g", 1) != 1)
			return 1;
	for (i = 0; i < clients; i++) {
		if (read(res[0], &one, sizeof(one)) != sizeof(one))
			return 1;
		total += one;
	}
	while (wait(NULL) > 0)
		;
	printf("%.0f\n", (double)total / seconds);
	return 0;
}

/*
 * The kernel's part of request @m (see "null PORT kernel"); a failure ends
 * the responder, as a refused answer would mislead the load.
 */
static void kernel_call(const struct rsp_msg *m)
{
	const struct rsp_param *h = rsp_msg_find(m, RSP_P_HANDLE);
	const struct rsp_param *p = rsp_msg_find(m, RSP_P_PE);
	const struct rsp_param *hro = rsp_msg_find(m, RSP_P_HRO);
	static struct rsp_pe_rec r[RSP_RESOLVE_MAX];
	static struct rsp_nl nl;
	static int so = -1;
	unsigned int n;
	int err;

	if (so < 0) {
		so = socket(AF_INET, SOCK_DGRAM, 0);
		if (so < 0 || rsp_nl_open(&nl))
			die("null responder: kernel");
	}
	if (!h) {
		fprintf(stderr, "asapbench: a request without a pool handle\n");
		exit(1);
	}
	if (m->type == ASAP_REGISTRATION) {
		if (!p || rsp_pe_from_wire(r, h->handle.data, h->handle.len,
					   p->pe)) {
			fprintf(stderr, "asapbench: a PE we cannot take\n");
			exit(1);
		}
		r->home = 0x4e554c4c;	/* "NULL" */
		err = rsp_kern_put(&nl, r);
		if (err) {
			fprintf(stderr, "asapbench: put: %s: %s\n",
				strerror(-err), nl.msg);
			exit(1);
		}
		return;
	}
	n = hro && hro->u32 ? hro->u32 : 1;
	err = rsp_kern_resolve(so, h->handle.data, h->handle.len,
			       n < RSP_RESOLVE_MAX ? n : RSP_RESOLVE_MAX, r, &n);
	if (err || !n) {
		fprintf(stderr, "asapbench: resolve: %s\n",
			err ? strerror(-err) : "no PE");
		exit(1);
	}
}

/* The floor: every request answered with one fixed message of its kind. */
static int null_responder(const char *port, int kernel)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET, .sin_port = htons(atoi(port)),
	};
	struct sctp_event_subscribe ev = { .sctp_data_io_event = 1 };
	struct rsp_buf reg, res;
	static struct rsp_p_pe pes[3];
	int fd = socket(AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP), i;

	if (fd < 0 || setsockopt(fd, IPPROTO_SCTP, SCTP_EVENTS, &ev,
				 sizeof(ev)) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 64))
		die("null responder");
	rsp_msg_init(&out, PPID_ASAP, ASAP_REGISTRATION_RESPONSE, 0);
	rsp_msg_add_handle(&out, (const uint8_t *)"bench-reg", 9);
	rsp_msg_add_u32(&out, RSP_P_PE_ID, 1);
	rsp_buf_init(&reg);
	rsp_msg_encode(&reg, &out);
	/* As a registrar answers for a pool of round robin PEs: three. */
	rsp_msg_init(&out, PPID_ASAP, ASAP_HANDLE_RESOLUTION_RESPONSE, 0);
	rsp_msg_add_handle(&out, (const uint8_t *)"bench", 5);
	rsp_msg_add(&out, RSP_P_POLICY)->policy.type = 1;
	for (i = 0; i < 3; i++) {
		pes[i].id = i + 1;
		pes[i].life = LIFE_MS;
		pes[i].user.type = RSP_P_SCTP;
		pes[i].user.port = 7;
		pes[i].user.naddrs = 1;
		pes[i].user.addrs[0].type = RSP_P_IPV4;
		memcpy(pes[i].user.addrs[0].a, "\x7f\0\0\x01", 4);
		pes[i].policy.type = 1;
		rsp_msg_add(&out, RSP_P_PE)->pe = &pes[i];
	}
	rsp_buf_init(&res);
	rsp_msg_encode(&res, &out);
	for (;;) {
		struct sctp_sndrcvinfo si;
		int flags = 0;
		int n = sctp_recvmsg(fd, buf, sizeof(buf), NULL, NULL, &si,
				     &flags);
		struct rsp_buf *a;

		if (n < 4 || (flags & MSG_NOTIFICATION))
			continue;
		a = buf[0] == ASAP_REGISTRATION ? &reg :
		    buf[0] == ASAP_HANDLE_RESOLUTION ? &res : NULL;
		if (a && kernel) {
			if (rsp_msg_decode(&in, PPID_ASAP, buf, n)) {
				fprintf(stderr, "asapbench: undecodable request\n");
				exit(1);
			}
			kernel_call(&in);
			rsp_msg_free(&in);
		}
		if (a)
			sctp_send(fd, a->p, a->len, &si, 0);
	}
}

int main(int argc, char **argv)
{
	if ((argc == 3 || (argc == 4 && !strcmp(argv[3], "kernel"))) &&
	    !strcmp(argv[1], "null"))
		return null_responder(argv[2], argc == 4);
	if (argc >= 6 && !strcmp(argv[1], "fill"))
		fill(argv + 2, argc - 2);
	if (argc == 7 && !strcmp(argv[1], "resolve"))
		return load(argv + 2, 1);
	if (argc == 6 && !strcmp(argv[1], "register"))
		return load(argv + 2, 0);
	fprintf(stderr, "usage: asapbench null PORT [kernel]\n"
		"       asapbench fill ADDR PORT HANDLE N [POOLS]\n"
		"       asapbench resolve ADDR PORT HANDLE CLIENTS SECONDS\n"
		"       asapbench register ADDR PORT CLIENTS SECONDS\n");
	return 2;
}
