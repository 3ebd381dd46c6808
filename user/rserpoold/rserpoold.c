// SPDX-License-Identifier: GPL-2.0
/*
 * rserpoold: the RSerPool registrar.  Its handlespace is the kernel's
 * (rserpool.ko, one per network namespace); it serves ASAP to PEs and PUs
 * and keeps the kernel table in sync with what they tell it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stddef.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include "asap.h"
#include "enrp.h"
#include "kern.h"
#include "mcast.h"
#include "stream.h"
#include "util.h"

/* Control clients whose request is not all there yet, at most. */
#define CTL_PENDING	8

struct ctl_client {
	int fd;				/* -1: a free slot */
	uint64_t since;
	size_t have;
	char req[64];
};

struct daemon {
	uint32_t id;
	uint16_t asap_port, enrp_port;
	struct rsp_asap *a;
	struct rsp_enrp *e;
	int ctl, ep;
	struct ctl_client cc[CTL_PENDING];
};

/*
 * The control socket: an abstract UNIX socket, so that it belongs to the
 * network namespace the daemon serves, as the kernel handlespace does.
 */
static int ctl_open(const char *name, int ep)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN };
	size_t len = strlen(name);
	int fd;

	if (len + 1 > sizeof(sun.sun_path)) {
		fprintf(stderr, "rserpoold: control socket name too long\n");
		return -1;
	}
	memcpy(sun.sun_path + 1, name, len);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    bind(fd, (struct sockaddr *)&sun,
		 offsetof(struct sockaddr_un, sun_path) + 1 + len) ||
	    listen(fd, 8)) {
		fprintf(stderr, "rserpoold: control socket @%s: %s%s\n", name,
			strerror(errno), errno == EADDRINUSE ?
			" (another rserpoold in this network namespace?)" : "");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	ev.data.fd = fd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * One request a connection, a line: "peers".  The answer is one record a
 * line, "KIND key=value...", for rspctl to print; the connection closes
 * after it.  Nothing here waits for a client: its line is read as it
 * comes, and the answer is sent as far as the socket takes it.  A client
 * that sends nothing keeps its slot until CTL_PENDING newer ones come.
 */
static void ctl_answer(struct daemon *d, struct ctl_client *c)
{
	char *out = NULL;
	size_t len = 0;
	unsigned int i;
	FILE *f;

	c->req[strcspn(c->req, "\r\n")] = 0;
	f = open_memstream(&out, &len);
	if (f && !strcmp(c->req, "peers")) {
		fprintf(f, "registrar id=%u asap=%u enrp=%u pes=%zu dropped=%llu limited=%llu\n",
			d->id, d->asap_port, d->e ? d->enrp_port : 0,
			rsp_asap_nhomes(d->a),
			(unsigned long long)(rsp_asap_dropped(d->a) +
			(d->e ? rsp_enrp_dropped(d->e) : 0)),
			(unsigned long long)rsp_asap_limited(d->a));
		if (d->e)
			rsp_enrp_show(d->e, f);
	} else if (f) {
		fprintf(f, "error unknown request \"%s\"\n", c->req);
	}
	if (f && !fclose(f))
		send(c->fd, out, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	free(out);
	/*
	 * What else the client sent is read first: a close over unread
	 * bytes resets the connection, and the answer is lost to it.
	 */
	for (i = 0; i < 16 && recv(c->fd, c->req, sizeof(c->req),
				   MSG_DONTWAIT) > 0; i++)
		;
	close(c->fd);		/* and out of the epoll set */
	c->fd = -1;
}

static void ctl_read(struct daemon *d, struct ctl_client *c)
{
	ssize_t n = recv(c->fd, c->req + c->have,
			 sizeof(c->req) - 1 - c->have, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	c->have += n > 0 ? n : 0;
	c->req[c->have] = 0;
	/* The line, the end of the stream, or as much as there is room for. */
	if (n <= 0 || strchr(c->req, '\n') || c->have == sizeof(c->req) - 1)
		ctl_answer(d, c);
}

static void ctl_serve(struct daemon *d)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct ctl_client *c;
	unsigned int i;
	int fd;

	for (;;) {
		fd = rsp_accept(d->ctl, NULL, NULL,
				SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && errno == ECONNABORTED)
			continue;
		if (fd < 0)
			break;
		/* A free slot, or the oldest's. */
		c = &d->cc[0];
		for (i = 1; i < CTL_PENDING && c->fd >= 0; i++)
			if (d->cc[i].fd < 0 || d->cc[i].since < c->since)
				c = &d->cc[i];
		if (c->fd >= 0)
			close(c->fd);
		c->fd = fd;
		c->since = rsp_now_ms();
		c->have = 0;
		ev.data.fd = fd;
		if (epoll_ctl(d->ep, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			c->fd = -1;
		}
	}
}

/* @fd's control client, if it is one: served; 1, or 0 if it is not. */
static int ctl_event(struct daemon *d, int fd)
{
	unsigned int i;

	for (i = 0; i < CTL_PENDING; i++) {
		if (d->cc[i].fd == fd) {
			ctl_read(d, &d->cc[i]);
			return 1;
		}
	}
	return 0;
}

/*
 * What the kernel held before we started: our own PEs (a restart with the
 * same ID) we are home for again, with keep-alives to their ASAP
 * transports; those of other registrars wait for them to show up.
 */
static int reconcile(const struct rsp_pe_rec *r, void *arg)
{
	struct daemon *d = arg;

	if (r->home == d->id)
		rsp_asap_adopt(d->a, r, 0);
	else if (r->home && d->e)
		rsp_enrp_expect(d->e, r->home);
	return 0;
}

/*
 * The kernel's events: reports to pass on, PEs it removed by itself, and
 * changes to the PEs of peers (their checksums are checked again).
 */
static int kernel_event(struct nlattr **tb, int cmd, void *arg)
{
	struct daemon *d = arg;
	struct rsp_pe_rec r;

	if (!tb[RSP_A_POOL_HANDLE] ||
	    rsp_kern_rec(&r, tb, nla_data(tb[RSP_A_POOL_HANDLE]),
			 nla_len(tb[RSP_A_POOL_HANDLE])))
		return 0;
	if (r.home && r.home != d->id && d->e && cmd != RSP_CMD_REPORT)
		rsp_enrp_changed(d->e, r.home);
	if (cmd == RSP_CMD_PE_DEL && r.home == d->id)
		rsp_asap_pe_gone(d->a, r.handle, r.handle_len, r.id,
				 tb[RSP_A_REASON] ?
				 nla_get_u8(tb[RSP_A_REASON]) : 0);
	else if (cmd == RSP_CMD_REPORT && r.home && r.home != d->id && d->e)
		rsp_enrp_report(d->e, &r);
	return 0;
}

/*
 * The kernel drops, before they are queued on @ev, the PE_NEW and PE_SET
 * events of what we put ourselves through @self (an event carries the
 * port of the request that caused it): we know those PEs already, and a
 * peer's whole table would raise as many events as it has PEs, more than
 * the socket holds.  The deletions still come: some of ours take others
 * with them (a report over the threshold).
 */
static int mute_own_puts(const struct rsp_nl *ev, const struct rsp_nl *self)
{
	uint32_t port = nl_socket_get_local_port(self->sk);
	struct sock_filter code[] = {
		/* nlmsg_pid, read as classic BPF reads words: big endian */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct nlmsghdr, nlmsg_pid)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htonl(port), 0, 3),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, NLMSG_HDRLEN),  /* cmd */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RSP_CMD_PE_NEW, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RSP_CMD_PE_SET, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { sizeof(code) / sizeof(code[0]), code };

	return setsockopt(nl_socket_get_fd(ev->sk), SOL_SOCKET,
			  SO_ATTACH_FILTER, &prog, sizeof(prog));
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: rserpoold [OPTION]...\n"
"The RSerPool registrar (RFC 5351): PEs register with it and PUs resolve\n"
"through it with ASAP, and it shares the handlespace with its peer\n"
"registrars over ENRP, both over SCTP and TCP; the handlespace it serves\n"
"is the kernel's (rserpool.ko) of its network namespace.\n"
"\n"
"  -i, --id ID                  registrar ID, 32 bits, not 0 (default:\n"
"                               random)\n"
"  -p, --port PORT              ASAP port (default 3863)\n"
"      --no-sctp, --no-tcp      serve neither ASAP nor ENRP over that\n"
"                               transport\n"
"      --mptcp                  TCP as MPTCP (listeners and connections)\n"
"      --asap-announce GROUP:PORT|off\n"
"                               multicast SERVER_ANNOUNCE for PEs and PUs\n"
"                               (default 239.0.0.50:3863)\n"
"      --announce-interval MS   how often (default 1000)\n"
"  -k, --keepalive-interval MS  keep-alive to home PEs (default 5000)\n"
"  -K, --keepalive-timeout MS   wait this long for the ACK (default 5000)\n"
"      --max-items N            PEs in a resolution at most (default 128)\n"
"      --default-items N        PEs without the PU's option (default 3)\n"
"      --max-hr-rate N          handle resolutions a second from one\n"
"                               address, the rest dropped (default 0: any)\n"
"      --max-eu-rate N          unreachable reports a second from one\n"
"                               address (default 10; 0: any)\n"
"  -e, --enrp-port PORT         ENRP port (default 9901)\n"
"  -P, --peer [tcp:]ADDR[:PORT] a peer registrar, over SCTP, or TCP\n"
"                               with tcp: (repeatable; IPv6 as\n"
"                               [ADDR]:PORT)\n"
"      --heartbeat MS           ENRP presence to each peer (default 2440)\n"
"      --max-last-heard MS      a peer silent this long is asked (5000)\n"
"      --max-no-response MS     and then gone after this long (5000)\n"
"      --enrp-announce GROUP:PORT|off\n"
"                               multicast PRESENCE every heartbeat, and\n"
"                               peers found by theirs (default\n"
"                               239.0.0.51:9901)\n"
"      --takeover-timeout MS    a takeover of a gone peer's PEs waits so\n"
"                               long for the other peers to agree (5000)\n"
"  -f, --config FILE            read options from FILE first: a long option\n"
"                               a line, without dashes (\"peer 10.0.0.2\")\n"
"  -D, --daemon                 detach once serving, log to syslog\n"
"      --pidfile FILE           with -D, write the daemon's PID there\n"
"  -c, --control NAME           control socket, abstract UNIX socket @NAME\n"
"                               of this network namespace, for rspctl\n"
"                               peers (default rserpoold)\n"
"  -v, --verbose                say more; twice: every registration\n"
"  -h, --help                   this text\n"
"\n"
"Without -D it stays in the foreground and logs on stderr.  SIGINT or\n"
"SIGTERM stop it, leaving the PEs in the kernel until their registration\n"
"life ends.  See rserpoold(8).\n");
}

/*
 * ADDR, ADDR:PORT or [ADDR]:PORT, after "tcp:" or "sctp:" if given, into
 * @ss and @tcp; 0, or -1 if it is none.
 */
static int parse_peer(const char *arg, struct sockaddr_storage *ss,
		      uint8_t *tcp)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *port = NULL, *colon;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	unsigned long pv = 9901;
	char *end;

	memset(ss, 0, sizeof(*ss));
	*tcp = !strncmp(arg, "tcp:", 4);
	if (*tcp)
		arg += 4;
	else if (!strncmp(arg, "sctp:", 5))
		arg += 5;
	colon = strrchr(arg, ':');
	if (arg[0] == '[') {
		const char *close = strchr(arg, ']');

		if (!close || (close[1] && close[1] != ':') ||
		    (size_t)(close - arg - 1) >= sizeof(host))
			return -1;
		memcpy(host, arg + 1, close - arg - 1);
		host[close - arg - 1] = 0;
		if (close[1])
			port = close + 2;
	} else if (colon && strchr(arg, ':') == colon) {
		if ((size_t)(colon - arg) >= sizeof(host))
			return -1;
		memcpy(host, arg, colon - arg);
		host[colon - arg] = 0;
		port = colon + 1;
	} else {
		if (strlen(arg) >= sizeof(host))
			return -1;
		strcpy(host, arg);
	}
	if (port) {
		errno = 0;
		pv = strtoul(port, &end, 10);
		if (errno || !*port || *end || !pv || pv > 65535)
			return -1;
	}
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(pv);
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(pv);
	} else {
		return -1;
	}
	return 0;
}

/* Where the option being read comes from: "" or "FILE:LINE: ". */
static char where[512];

static void __attribute__((noreturn, format(printf, 1, 2)))
bad(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "rserpoold: %s", where);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static unsigned long num(const char *s, const char *what, unsigned long min,
			 unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || !*s || *end || v < min || v > max)
		bad("invalid %s \"%s\" (%lu..%lu)", what, s, min, max);
	return v;
}

struct conf {
	struct rsp_asap_conf c;
	struct rsp_enrp_conf ec;
	char *ctl, *pidfile;
	int daemon;
};

static const struct option opts[] = {
	{ "config", required_argument, NULL, 'f' },
	{ "id", required_argument, NULL, 'i' },
	{ "port", required_argument, NULL, 'p' },
	{ "no-sctp", no_argument, NULL, 'S' },
	{ "no-tcp", no_argument, NULL, 'T' },
	{ "mptcp", no_argument, NULL, 'M' },
	{ "asap-announce", required_argument, NULL, 'A' },
	{ "enrp-announce", required_argument, NULL, 'E' },
	{ "announce-interval", required_argument, NULL, 'I' },
	{ "max-hr-rate", required_argument, NULL, 'R' },
	{ "max-eu-rate", required_argument, NULL, 'U' },
	{ "keepalive-interval", required_argument, NULL, 'k' },
	{ "keepalive-timeout", required_argument, NULL, 'K' },
	{ "max-items", required_argument, NULL, 'm' },
	{ "default-items", required_argument, NULL, 'd' },
	{ "enrp-port", required_argument, NULL, 'e' },
	{ "peer", required_argument, NULL, 'P' },
	{ "heartbeat", required_argument, NULL, 'H' },
	{ "max-last-heard", required_argument, NULL, 'L' },
	{ "max-no-response", required_argument, NULL, 'N' },
	{ "takeover-timeout", required_argument, NULL, 'O' },
	{ "control", required_argument, NULL, 'c' },
	{ "daemon", no_argument, NULL, 'D' },
	{ "pidfile", required_argument, NULL, 'F' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

#define SHORT_OPTS	"f:i:p:k:K:e:P:c:Dvh"

/* One option, from the command line or the configuration file. */
static void apply(struct conf *o, int opt, const char *arg)
{
	struct rsp_asap_conf *c = &o->c;
	struct rsp_enrp_conf *ec = &o->ec;

	switch (opt) {
	case 'f':		/* read before the others */
		break;
	case 'i':
		c->id = num(arg, "registrar ID", 1, 0xffffffffUL);
		break;
	case 'p':
		c->port = num(arg, "port", 1, 65535);
		break;
	case 'S':
		c->sctp = 0;
		break;
	case 'T':
		c->tcp = 0;
		break;
	case 'M':
		c->mptcp = 1;
		break;
	case 'A':
	case 'E':
		if (!strcmp(arg, "off"))
			memset(opt == 'A' ? &c->announce : &ec->announce, 0,
			       sizeof(c->announce));
		else if (rsp_mcast_parse(arg, opt == 'A' ? &c->announce :
					 &ec->announce))
			bad("invalid %s announce \"%s\" (an IPv4 multicast GROUP:PORT, or off)",
			    opt == 'A' ? "ASAP" : "ENRP", arg);
		break;
	case 'I':
		c->announce_ms = num(arg, "announce interval", 100, 3600000);
		break;
	case 'R':
		c->max_hr_rate = num(arg, "max handle resolution rate", 0,
				     1000000);
		break;
	case 'U':
		c->max_eu_rate = num(arg, "max endpoint unreachable rate", 0,
				     1000000);
		break;
	case 'k':
		c->ka_interval_ms = num(arg, "keep-alive interval", 100,
					3600000);
		break;
	case 'K':
		c->ka_timeout_ms = num(arg, "keep-alive timeout", 100, 3600000);
		break;
	case 'm':
		c->max_items = num(arg, "max items", 1, RSP_RESOLVE_MAX);
		break;
	case 'd':
		c->default_items = num(arg, "default items", 1,
				       RSP_RESOLVE_MAX);
		break;
	case 'e':
		ec->port = num(arg, "ENRP port", 1, 65535);
		break;
	case 'P':
		if (ec->npeers == RSP_ENRP_PEERS_MAX)
			bad("at most %d peers", RSP_ENRP_PEERS_MAX);
		if (parse_peer(arg, &ec->peers[ec->npeers],
			       &ec->peer_tcp[ec->npeers]))
			bad("invalid peer \"%s\" ([tcp:]ADDR, ADDR:PORT or [ADDR]:PORT)",
			    arg);
		ec->npeers++;
		break;
	case 'H':
		ec->heartbeat_ms = num(arg, "heartbeat", 100, 3600000);
		break;
	case 'L':
		ec->last_heard_ms = num(arg, "max last heard", 100, 3600000);
		break;
	case 'N':
		ec->no_response_ms = num(arg, "max no response", 100, 3600000);
		break;
	case 'O':
		ec->takeover_ms = num(arg, "takeover timeout", 100, 3600000);
		break;
	case 'c':
		free(o->ctl);
		o->ctl = strdup(arg);
		break;
	case 'D':
		o->daemon = 1;
		break;
	case 'F':
		free(o->pidfile);
		o->pidfile = strdup(arg);
		break;
	case 'v':
		c->verbose++;
		break;
	case 'h':
		usage(stdout);
		exit(0);
	default:
		usage(stderr);
		exit(2);
	}
}

/*
 * The configuration file: a long option a line, without its dashes, and
 * its value after blanks ("peer 10.0.0.2"); # starts a comment.  The
 * command line comes after it, so it can override.
 */
static void read_config(struct conf *o, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	int ln = 0;

	if (!f) {
		fprintf(stderr, "rserpoold: cannot read %s: %s\n", path,
			strerror(errno));
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		char *key, *val, *rest, *save = NULL;
		const struct option *op;

		snprintf(where, sizeof(where), "%s:%d: ", path, ++ln);
		line[strcspn(line, "#\r\n")] = 0;
		key = strtok_r(line, " \t", &save);
		if (!key)
			continue;
		val = strtok_r(NULL, " \t", &save);
		rest = strtok_r(NULL, " \t", &save);
		for (op = opts; op->name && strcmp(op->name, key); op++)
			;
		if (!op->name || op->val == 'f' || op->val == 'h')
			bad("unknown option \"%s\"", key);
		if (op->has_arg == required_argument && !val)
			bad("\"%s\" needs a value", key);
		if (op->has_arg == no_argument && val)
			bad("\"%s\" takes no value", key);
		if (rest)
			bad("unexpected \"%s\" after %s %s", rest, key, val);
		apply(o, op->val, val);
	}
	where[0] = 0;
	fclose(f);
}

/* Detaches, as daemons do; the log goes to syslog from then on. */
static void detach(const struct conf *o)
{
	FILE *f;

	if (daemon(0, 0)) {
		perror("rserpoold: daemon");
		exit(1);
	}
	rsp_log_syslog();
	if (o->pidfile) {
		f = fopen(o->pidfile, "w");
		if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f))
			rsp_log(0, 0, "", "cannot write %s", o->pidfile);
	}
}

int main(int argc, char **argv)
{
	struct conf o = {
		.c = {
			.port = 3863, .sctp = 1, .tcp = 1,
			.ka_interval_ms = 5000, .ka_timeout_ms = 5000,
			.max_items = 128, .default_items = 3,
			.announce = { .sin_family = AF_INET,
				      .sin_port = htons(3863),
				      .sin_addr.s_addr = htonl(0xef000032) },
			.announce_ms = 1000,
			.max_eu_rate = 10,
		},
		.ec = {
			.port = 9901, .heartbeat_ms = 2440,
			.last_heard_ms = 5000, .no_response_ms = 5000,
			.takeover_ms = 5000,
			.announce = { .sin_family = AF_INET,
				      .sin_port = htons(9901),
				      .sin_addr.s_addr = htonl(0xef000033) },
		},
	};
	struct rsp_asap_conf c;
	struct rsp_enrp_conf ec;
	struct daemon d = { 0 };
	struct epoll_event ev;
	struct rsp_enrp *e = NULL;
	struct rsp_asap *a;
	struct rsp_nl nl, ev_nl;
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	sigset_t sigs;
	int opt, ep, sfd, evfd, err, rc = 1, detached = 0;
	uint64_t ticked = 0, woke = 0;	/* the last round's ticks took, it woke */
	unsigned int i;

	/*
	 * A peer's table response decodes into some 500 PEs of 2.4 KB, freed
	 * together after it: at the default 128 KB threshold glibc gave that
	 * heap back to the kernel after every message, to fault it in again
	 * for the next (most of a PE's decoding time).  Free memory is given
	 * back only past 16 MB.
	 */
	mallopt(M_TRIM_THRESHOLD, 16 << 20);

	/* The file first, wherever -f is on the command line. */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, SHORT_OPTS, opts, NULL)) != -1)
		if (opt == 'f')
			read_config(&o, optarg);
	opterr = 1;
	optind = 0;
	while ((opt = getopt_long(argc, argv, SHORT_OPTS, opts, NULL)) != -1)
		apply(&o, opt, optarg);
	if (optind < argc) {
		fprintf(stderr, "rserpoold: unexpected argument \"%s\"\n",
			argv[optind]);
		rc = 2;
		goto out_opts;
	}
	c = o.c;
	ec = o.ec;
	if (!c.sctp && !c.tcp) {
		fprintf(stderr, "rserpoold: --no-sctp and --no-tcp leave nothing to serve\n");
		rc = 2;
		goto out_opts;
	}
	for (i = 0; i < ec.npeers; i++)
		if (ec.peer_tcp[i] ? !c.tcp : !c.sctp) {
			fprintf(stderr, "rserpoold: peer %u is over %s, which --no-%s turns off\n",
				i + 1, ec.peer_tcp[i] ? "TCP" : "SCTP",
				ec.peer_tcp[i] ? "tcp" : "sctp");
			rc = 2;
			goto out_opts;
		}
	if (c.default_items > c.max_items)
		c.default_items = c.max_items;
	while (!c.id && getrandom(&c.id, sizeof(c.id), 0) != sizeof(c.id))
		;

	/* Each failure from here unwinds what is open (the labels below). */
	if (rsp_nl_open(&nl))
		goto out_opts;
	if (rsp_nl_open(&ev_nl))
		goto out_nl;
	if (rsp_nl_subscribe(&ev_nl) || mute_own_puts(&ev_nl, &nl)) {
		fprintf(stderr, "rserpoold: cannot follow the kernel's events\n");
		goto out_ev_nl;
	}
	evfd = nl_socket_get_fd(ev_nl.sk);
	ep = epoll_create1(EPOLL_CLOEXEC);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	ev.events = EPOLLIN;
	ev.data.fd = sfd;
	if (ep < 0 || sfd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev)) {
		perror("rserpoold");
		goto out_fds;
	}
	ev.data.fd = evfd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, evfd, &ev)) {
		perror("rserpoold");
		goto out_fds;
	}
	a = rsp_asap_open(&c, &nl, ep);
	if (!a)
		goto out_fds;
	ec.id = c.id;
	ec.verbose = c.verbose;
	ec.sctp = c.sctp;
	ec.tcp = c.tcp;
	ec.mptcp = c.mptcp;
	/* With neither transport a lone registrar still serves ASAP. */
	e = rsp_enrp_open(&ec, &nl, a, ep);
	if (!e && ec.npeers)
		goto out_asap;
	d.id = c.id;
	d.asap_port = c.port;
	d.enrp_port = ec.port;
	d.a = a;
	d.e = e;
	d.ctl = ctl_open(o.ctl ? o.ctl : "rserpoold", ep);
	if (d.ctl < 0)
		goto out_enrp;
	d.ep = ep;
	for (i = 0; i < CTL_PENDING; i++)
		d.cc[i].fd = -1;
	/* After subscribing: no change slips between the dump and events. */
	err = rsp_kern_dump(&nl, reconcile, &d);
	if (err) {
		fprintf(stderr, "rserpoold: cannot read the kernel table: %s\n",
			strerror(-err));
		goto out_ctl;
	}
	rsp_log(c.verbose, 1, "", "registrar %08x serving ASAP on port %u",
		c.id, c.port);
	/* Only now: a daemon that cannot start says so on the terminal. */
	if (o.daemon) {
		detach(&o);
		detached = 1;
		/* A signalfd wakes the epoll of the process that made it. */
		epoll_ctl(ep, EPOLL_CTL_DEL, sfd, NULL);
		close(sfd);
		sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
		ev.events = EPOLLIN;
		ev.data.fd = sfd;
		if (sfd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev)) {
			rsp_log(0, 0, "", "signalfd: %s", strerror(errno));
			goto out_ctl;
		}
	}
	/*
	 * One lock for the daemon's state: the loop holds it but in
	 * epoll_wait(), the ASAP reader thread while it handles a message.
	 */
	pthread_mutex_lock(&lock);
	err = rsp_asap_reader_start(a, &lock);
	if (err) {
		rsp_log(0, 0, "", "cannot start the ASAP reader: %s",
			strerror(-err));
		pthread_mutex_unlock(&lock);
		goto out_ctl;
	}
	for (;;) {
		/* Ticks and handling of the last round, not its sleep. */
		uint64_t t0 = rsp_now_ms(), held = woke ? ticked + t0 - woke : 0;
		int ta, te, n;

		if (held >= RSP_STALL_MS) {
			rsp_asap_held(a, held);
			if (e)
				rsp_enrp_held(e, held);
		}
		ta = rsp_asap_tick(a);
		te = e ? rsp_enrp_tick(e) : ta;
		ticked = rsp_now_ms() - t0;
		pthread_mutex_unlock(&lock);
		n = epoll_wait(ep, &ev, 1, ta < te ? ta : te);
		/* Waiting for the reader to let go holds the loop too. */
		woke = rsp_now_ms();
		pthread_mutex_lock(&lock);

		if (n < 0 && errno != EINTR) {
			perror("rserpoold: epoll_wait");
			break;
		}
		if (n <= 0)
			continue;
		if (ev.data.fd == sfd)
			break;
		if (ev.data.fd == d.ctl) {
			ctl_serve(&d);
			continue;
		}
		if (ctl_event(&d, ev.data.fd))
			continue;
		if (ev.data.fd == evfd) {
			if (rsp_nl_drain(&ev_nl, kernel_event, &d) != -ENOBUFS)
				continue;
			/* What they would have told, from the table. */
			rsp_log(c.verbose, 1, "",
				"kernel events were lost (socket buffer full): checking the table");
			rsp_asap_events_lost(a);
			if (e)
				rsp_enrp_changed(e, 0);
			continue;
		}
		if (!e || rsp_enrp_event(e, ev.data.fd, ev.events))
			rsp_asap_event(a, ev.data.fd, ev.events);
	}
	pthread_mutex_unlock(&lock);
	rsp_asap_reader_stop(a);
	rc = 0;
out_ctl:
	for (i = 0; i < CTL_PENDING; i++)
		if (d.cc[i].fd >= 0)
			close(d.cc[i].fd);
	close(d.ctl);
	if (detached && o.pidfile)	/* detach() wrote it */
		unlink(o.pidfile);
out_enrp:
	rsp_enrp_close(e);
out_asap:
	rsp_asap_close(a);
out_fds:
	if (sfd >= 0)
		close(sfd);
	if (ep >= 0)
		close(ep);
out_ev_nl:
	rsp_nl_close(&ev_nl);
out_nl:
	rsp_nl_close(&nl);
out_opts:
	free(o.pidfile);
	free(o.ctl);
	return rc;
}
