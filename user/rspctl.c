// SPDX-License-Identifier: GPL-2.0
/*
 * rspctl: show and change the kernel's RSerPool handlespace.
 * The grammar follows iproute2: OBJECT COMMAND [ARGS], -j for JSON.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "json.h"
#include "names.h"
#include "nl.h"

static int json;
static struct rsp_nl nl;
static int batch_line;		/* line of the -b file being run, or 0 */

static void usage(FILE *f)
{
	fputs(
"Usage: rspctl [-j] [-p] OBJECT COMMAND [ARGS]\n"
"       rspctl [-j] -b FILE     (one command a line, - for stdin)\n"
"       rspctl -h | -V\n"
"\n"
"  rspctl pool show [HANDLE]\n"
"  rspctl pe add|set HANDLE id ID proto {sctp|tcp|udp|udplite|dccp}\n"
"                    port PORT addr ADDR [addr ADDR]... policy POLICY\n"
"                    [weight N] [priority N] [load LOAD] [loaddeg LOAD]\n"
"                    [weightdpf LOAD] [loaddpf LOAD] [distance MS]\n"
"                    [home PRID] [lifetime {MS|forever}]\n"
"                    [use {data|control}] [replace]\n"
"  rspctl pe del HANDLE id ID\n"
"  rspctl pe show [HANDLE [id ID]]\n"
"  rspctl pe flush home PRID\n"
"  rspctl pe checksum home PRID\n"
"  rspctl resolve HANDLE [count N]\n"
"  rspctl report HANDLE [id] ID\n"
"  rspctl flush\n"
"  rspctl limits [set [max-pools N] [max-pes N] [max-pool-pes N]\n"
"                     [report-threshold N]]\n"
"  rspctl stats\n"
"  rspctl monitor\n"
"  rspctl peers [control NAME]\n"
"\n"
"HANDLE is text, or hex after 0x.  LOAD is a percentage (50%) or a raw\n"
"fraction of 0xffffffff.  POLICY is one of rr wrr random wrand priority\n"
"lu lud plu rlu rplu rlud plud rplud wrand-dpf lu-dpf lud-dpf (or its\n"
"RFC 5356 name).  -j prints JSON, one line per object or list; -p\n"
"indents it.  See rspctl(8).\n", f);
}

static void prefix(void)
{
	fprintf(stderr, "rspctl: ");
	if (batch_line)
		fprintf(stderr, "line %d: ", batch_line);
}

/* A command line that cannot be carried out: say why and stop. */
static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	prefix();
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int is(const char *arg, const char *word)
{
	return arg && !strcmp(arg, word);
}

static const char *next(int *argc, char ***argv, const char *what)
{
	if (*argc < 2)
		die("missing value after \"%s\"", what);
	(*argc)--;
	(*argv)++;
	return **argv;
}

static uint32_t get_u32(const char *s, const char *what)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (!*s || *end || errno || v > UINT32_MAX || s[0] == '-') {
		die("invalid %s \"%s\"", what, s);
	}
	return v;
}

/* A load-like fraction of 0xffffffff: "50%" or a raw number. */
static uint32_t get_fraction(const char *s, const char *what)
{
	size_t n = strlen(s);
	double pct;
	char *end;

	if (!n || s[n - 1] != '%')
		return get_u32(s, what);
	pct = strtod(s, &end);
	if (end != s + n - 1 || pct < 0 || pct > 100) {
		die("invalid %s \"%s\" (0%%..100%%)", what, s);
	}
	return (uint32_t)(pct / 100.0 * 4294967295.0 + 0.5);
}

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

static void put_handle(struct nl_msg *msg, const char *s)
{
	unsigned char buf[RSP_HANDLE_MAX];
	size_t n = strlen(s), i;

	if (!strncmp(s, "0x", 2)) {
		s += 2;
		n -= 2;
		if (!n || n % 2 || n / 2 > sizeof(buf))
			goto bad;
		for (i = 0; i < n; i++)
			if (!isxdigit((unsigned char)s[i]))
				goto bad;
		for (i = 0; i < n / 2; i++)
			buf[i] = hexval(s[2 * i]) << 4 | hexval(s[2 * i + 1]);
		nla_put(msg, RSP_A_POOL_HANDLE, n / 2, buf);
		return;
	}
	if (!n || n > RSP_HANDLE_MAX) {
		die("pool handle must be 1..%d bytes", RSP_HANDLE_MAX);
	}
	nla_put(msg, RSP_A_POOL_HANDLE, n, s);
	return;
bad:
	die("invalid hex pool handle \"0x%s\"", s);
}

/* Text if printable (and not mistaken for hex), else 0x and hex. */
static const char *handle_str(const struct nlattr *a)
{
	static char buf[2 * RSP_HANDLE_MAX + 3];
	const unsigned char *p = nla_data(a);
	int n = nla_len(a), i, text = n > 0;

	for (i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			text = 0;
	if (n >= 2 && p[0] == '0' && p[1] == 'x')
		text = 0;
	if (text && n < (int)sizeof(buf)) {
		memcpy(buf, p, n);
		buf[n] = 0;
		return buf;
	}
	strcpy(buf, "0x");
	for (i = 0; i < n && i < RSP_HANDLE_MAX; i++)
		sprintf(buf + 2 + 2 * i, "%02x", p[i]);
	return buf;
}

static const char *lifetime_str(uint32_t ms)
{
	static char buf[32];

	if (!ms)
		return "forever";
	snprintf(buf, sizeof(buf), "%ums", ms);
	return buf;
}

static int is_fraction(int param)
{
	return param == RSP_POLICY_A_LOAD || param == RSP_POLICY_A_LOAD_DEG ||
	       param == RSP_POLICY_A_WEIGHT_DPF ||
	       param == RSP_POLICY_A_LOAD_DPF;
}

static void print_policy(struct nlattr *nest)
{
	struct nlattr *tb[RSP_POLICY_A_MAX + 1];
	const struct rsp_policy_name *p;
	uint32_t type;
	int i;

	if (rsp_nl_nest(tb, RSP_POLICY_A_MAX, nest) || !tb[RSP_POLICY_A_TYPE])
		return;
	type = nla_get_u32(tb[RSP_POLICY_A_TYPE]);
	p = rsp_policy_by_type(type);
	if (json) {
		json_str("policy", p ? p->name : "unknown");
		json_u64("policy_type", type);
	} else if (p) {
		printf(" policy %s", p->name);
	} else {
		printf(" policy 0x%08x", type);
	}
	for (i = RSP_POLICY_A_TYPE + 1; i <= RSP_POLICY_A_MAX; i++) {
		uint32_t v;

		if (!tb[i])
			continue;
		v = nla_get_u32(tb[i]);
		if (json)
			json_u64(rsp_param_name(i), v);
		else if (is_fraction(i))
			printf(" %s %.1f%%", rsp_param_name(i),
			       v * 100.0 / 4294967295.0);
		else
			printf(" %s %u", rsp_param_name(i), v);
	}
}

static void print_addrs(struct nlattr *nest)
{
	char buf[INET6_ADDRSTRLEN];
	struct nlattr *a;
	int rem;

	if (json)
		json_open("addrs", '[');
	nla_for_each_nested(a, nest, rem) {
		int af = nla_type(a) == RSP_ADDR_A_IPV4 ? AF_INET : AF_INET6;

		if (!inet_ntop(af, nla_data(a), buf, sizeof(buf)))
			continue;
		if (json)
			json_str(NULL, buf);
		else
			printf(" addr %s", buf);
	}
	if (json)
		json_close(']');
}

/* The attributes of one PE: top level of a dump, or an RSP_A_PE nest. */
static void print_pe(struct nlattr **tb)
{
	static const char *const use[] = { "data", "control" };

	if (json) {
		json_u64("id", nla_get_u32(tb[RSP_A_PE_ID]));
		if (tb[RSP_A_PE_HOME])
			json_u64("home", nla_get_u32(tb[RSP_A_PE_HOME]));
		if (tb[RSP_A_PE_PROTO])
			json_str("proto",
				 rsp_proto_name(nla_get_u8(tb[RSP_A_PE_PROTO])));
		if (tb[RSP_A_PE_PORT])
			json_u64("port", nla_get_u16(tb[RSP_A_PE_PORT]));
		if (tb[RSP_A_PE_TRANSPORT_USE])
			json_str("use",
				 use[nla_get_u8(tb[RSP_A_PE_TRANSPORT_USE]) & 1]);
	} else {
		printf(" id %u", nla_get_u32(tb[RSP_A_PE_ID]));
		if (tb[RSP_A_PE_PROTO])
			printf(" %s",
			       rsp_proto_name(nla_get_u8(tb[RSP_A_PE_PROTO])));
		if (tb[RSP_A_PE_PORT])
			printf(" port %u", nla_get_u16(tb[RSP_A_PE_PORT]));
		if (tb[RSP_A_PE_TRANSPORT_USE])
			printf(" use %s",
			       use[nla_get_u8(tb[RSP_A_PE_TRANSPORT_USE]) & 1]);
	}
	if (tb[RSP_A_PE_ADDRS])
		print_addrs(tb[RSP_A_PE_ADDRS]);
	if (tb[RSP_A_PE_POLICY])
		print_policy(tb[RSP_A_PE_POLICY]);
	/* Where its registrar sends it keep-alives. */
	if (tb[RSP_A_PE_ASAP_PORT] && tb[RSP_A_PE_ASAP_ADDRS]) {
		const char *proto = rsp_proto_name(tb[RSP_A_PE_ASAP_PROTO] ?
			nla_get_u8(tb[RSP_A_PE_ASAP_PROTO]) : IPPROTO_SCTP);

		if (json) {
			json_open("asap", '{');
			json_str("proto", proto);
			json_u64("port", nla_get_u16(tb[RSP_A_PE_ASAP_PORT]));
		} else {
			printf(" asap %s port %u", proto,
			       nla_get_u16(tb[RSP_A_PE_ASAP_PORT]));
		}
		print_addrs(tb[RSP_A_PE_ASAP_ADDRS]);
		if (json)
			json_close('}');
	}
	if (json) {
		if (tb[RSP_A_PE_LIFETIME])
			json_u64("lifetime", nla_get_u32(tb[RSP_A_PE_LIFETIME]));
		if (tb[RSP_A_PE_EXPIRES])
			json_u64("expires", nla_get_u32(tb[RSP_A_PE_EXPIRES]));
		if (tb[RSP_A_PE_SELECTED])
			json_u64("selected", nla_get_u64(tb[RSP_A_PE_SELECTED]));
		if (tb[RSP_A_PE_REPORTS])
			json_u64("reports", nla_get_u32(tb[RSP_A_PE_REPORTS]));
		if (tb[RSP_A_PE_DEGRADATION])
			json_u64("degradation",
				 nla_get_u64(tb[RSP_A_PE_DEGRADATION]));
		return;
	}
	if (tb[RSP_A_PE_HOME])
		printf(" home 0x%x", nla_get_u32(tb[RSP_A_PE_HOME]));
	if (tb[RSP_A_PE_LIFETIME])
		printf(" lifetime %s",
		       lifetime_str(nla_get_u32(tb[RSP_A_PE_LIFETIME])));
	if (tb[RSP_A_PE_EXPIRES])
		printf(" expires %ums", nla_get_u32(tb[RSP_A_PE_EXPIRES]));
	if (tb[RSP_A_PE_SELECTED])
		printf(" selected %" PRIu64,
		       (uint64_t)nla_get_u64(tb[RSP_A_PE_SELECTED]));
	if (tb[RSP_A_PE_REPORTS])
		printf(" reports %u", nla_get_u32(tb[RSP_A_PE_REPORTS]));
	if (tb[RSP_A_PE_DEGRADATION])
		printf(" degradation %" PRIu64,
		       (uint64_t)nla_get_u64(tb[RSP_A_PE_DEGRADATION]));
}

/*
 * With -j, a list's '[' is written with its first item, so that a request
 * the kernel refuses leaves nothing on stdout.
 */
static int list_pending;

static void list_item(void)
{
	if (json && list_pending) {
		json_open(NULL, '[');
		list_pending = 0;
	}
}

static int show_pe(struct nlattr **tb, int cmd, void *arg)
{
	(void)cmd;
	(void)arg;
	if (!tb[RSP_A_POOL_HANDLE] || !tb[RSP_A_PE_ID])
		return 0;
	if (json) {
		list_item();
		json_open(NULL, '{');
		json_str("handle", handle_str(tb[RSP_A_POOL_HANDLE]));
		print_pe(tb);
		json_close('}');
	} else {
		printf("%s", handle_str(tb[RSP_A_POOL_HANDLE]));
		print_pe(tb);
		putchar('\n');
	}
	return 0;
}

static int show_pool(struct nlattr **tb, int cmd, void *arg)
{
	const struct rsp_policy_name *p;
	const char *proto;

	(void)cmd;
	(void)arg;
	if (!tb[RSP_A_POOL_HANDLE] || !tb[RSP_A_POOL_POLICY])
		return 0;
	p = rsp_policy_by_type(nla_get_u32(tb[RSP_A_POOL_POLICY]));
	proto = rsp_proto_name(nla_get_u8(tb[RSP_A_POOL_PROTO]));
	if (json) {
		list_item();
		json_open(NULL, '{');
		json_str("handle", handle_str(tb[RSP_A_POOL_HANDLE]));
		json_str("policy", p ? p->name : "unknown");
		json_u64("policy_type", nla_get_u32(tb[RSP_A_POOL_POLICY]));
		json_str("proto", proto);
		json_u64("pes", nla_get_u32(tb[RSP_A_POOL_PES]));
		json_u64("resolves", nla_get_u64(tb[RSP_A_POOL_RESOLVES]));
		json_u64("selected", nla_get_u64(tb[RSP_A_POOL_SELECTED]));
		json_close('}');
		return 0;
	}
	printf("%s policy %s proto %s pes %u resolves %" PRIu64
	       " selected %" PRIu64 "\n",
	       handle_str(tb[RSP_A_POOL_HANDLE]), p ? p->name : "unknown",
	       proto, nla_get_u32(tb[RSP_A_POOL_PES]),
	       (uint64_t)nla_get_u64(tb[RSP_A_POOL_RESOLVES]),
	       (uint64_t)nla_get_u64(tb[RSP_A_POOL_SELECTED]));
	return 0;
}

/* Sends and reports; exits non-zero on an error from the kernel. */
static void talk(struct nl_msg *msg, rsp_nl_cb cb, void *arg,
		 const char *what)
{
	char where[64];

	if (rsp_nl_talk(&nl, msg, cb, arg) < 0) {
		if (json && !list_pending)
			json_end_line();
		if (batch_line)
			snprintf(where, sizeof(where), "line %d: %s", batch_line,
				 what);
		rsp_nl_perror(&nl, batch_line ? where : what);
		exit(1);
	}
}

/* A request answered by a list of objects: a dump or a single get. */
static void list(struct nl_msg *msg, rsp_nl_cb cb, const char *what)
{
	list_pending = 1;
	talk(msg, cb, NULL, what);
	if (json) {
		list_item();
		json_close(']');
		json_end_line();
	}
	list_pending = 0;
	if (nl.dump_intr) {
		fprintf(stderr, "rspctl: %s: the handlespace changed during the dump; it may be inconsistent\n",
			what);
		exit(1);
	}
}

static int cmd_pool(int argc, char **argv)
{
	struct nl_msg *msg;

	if (argc < 1 || is(argv[0], "show") || is(argv[0], "list")) {
		if (argc > 2)
			die("pool show: unexpected \"%s\"", argv[2]);
		if (argc == 2) {
			msg = rsp_nl_msg(&nl, RSP_CMD_POOL_GET, 0);
			put_handle(msg, argv[1]);
			list(msg, show_pool, "pool show");
			return 0;
		}
		list(rsp_nl_msg(&nl, RSP_CMD_POOL_GET, NLM_F_DUMP), show_pool,
		     "pool show");
		return 0;
	}
	die("pool: unknown command \"%s\" (try show)", argv[0]);
	return 1;
}

static void pe_addr(struct nl_msg *addrs, const char *s)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) == 1)
		nla_put(addrs, RSP_ADDR_A_IPV4, 4, buf);
	else if (inet_pton(AF_INET6, s, buf) == 1)
		nla_put(addrs, RSP_ADDR_A_IPV6, 16, buf);
	else
		die("invalid address \"%s\"", s);
}

/* Appends the attributes collected in @from to @msg, inside a nest. */
static void append(struct nl_msg *msg, struct nl_msg *from)
{
	struct nlmsghdr *h = nlmsg_hdr(from);

	nlmsg_append(msg, nlmsg_data(h), nlmsg_datalen(h), NLMSG_ALIGNTO);
}

static int cmd_pe_add(int argc, char **argv, int cmd, const char *what)
{
	struct nl_msg *msg, *addrs, *pol;
	const struct rsp_policy_name *p = NULL;
	int naddr = 0, have_id = 0, have_proto = 0, have_port = 0;
	uint32_t params = 0;
	struct nlattr *nest;

	if (argc < 1)
		die("%s: missing pool handle", what);
	msg = rsp_nl_msg(&nl, cmd, 0);
	addrs = nlmsg_alloc();
	pol = nlmsg_alloc();
	put_handle(msg, argv[0]);
	for (argc--, argv++; argc > 0; argc--, argv++) {
		const char *k = argv[0];
		int param = rsp_param_by_name(k);

		if (is(k, "id")) {
			nla_put_u32(msg, RSP_A_PE_ID,
				    get_u32(next(&argc, &argv, k), "pe id"));
			have_id = 1;
		} else if (is(k, "proto")) {
			int proto = rsp_proto_by_name(next(&argc, &argv, k));

			if (proto < 0)
				die("invalid proto \"%s\" (sctp, tcp, udp, udplite, dccp)",
				    argv[0]);
			nla_put_u8(msg, RSP_A_PE_PROTO, proto);
			have_proto = 1;
		} else if (is(k, "port")) {
			uint32_t port = get_u32(next(&argc, &argv, k), "port");

			if (!port || port > 65535)
				die("invalid port \"%s\" (1..65535)", argv[0]);
			nla_put_u16(msg, RSP_A_PE_PORT, port);
			have_port = 1;
		} else if (is(k, "addr")) {
			pe_addr(addrs, next(&argc, &argv, k));
			naddr++;
		} else if (is(k, "policy")) {
			p = rsp_policy_by_name(next(&argc, &argv, k));
			if (!p)
				die("unknown policy \"%s\" (see rspctl -h)",
				    argv[0]);
		} else if (param > 0) {
			const char *v = next(&argc, &argv, k);

			nla_put_u32(pol, param, is_fraction(param) ?
				    get_fraction(v, k) : get_u32(v, k));
			params |= 1u << param;
		} else if (is(k, "home")) {
			nla_put_u32(msg, RSP_A_PE_HOME,
				    get_u32(next(&argc, &argv, k), "home"));
		} else if (is(k, "lifetime")) {
			const char *v = next(&argc, &argv, k);

			nla_put_u32(msg, RSP_A_PE_LIFETIME, is(v, "forever") ?
				    0 : get_u32(v, "lifetime"));
		} else if (is(k, "use")) {
			const char *v = next(&argc, &argv, k);

			if (!is(v, "data") && !is(v, "control"))
				die("invalid use \"%s\" (data, control)", v);
			nla_put_u8(msg, RSP_A_PE_TRANSPORT_USE,
				   is(v, "control") ? RSP_USE_DATA_CONTROL :
						      RSP_USE_DATA);
		} else if (is(k, "replace") && cmd == RSP_CMD_PE_NEW) {
			nla_put_flag(msg, RSP_A_REPLACE);
		} else {
			die("unknown argument \"%s\"", k);
		}
	}
	if (!have_id || !have_proto || !have_port || !naddr || !p)
		die("%s: needs id, proto, port, addr and policy", what);
	if (params & ~p->params) {
		prefix();
		fprintf(stderr, "policy %s takes", p->name);
		for (int i = 1; i <= RSP_POLICY_A_MAX; i++)
			if (p->params & (1u << i))
				fprintf(stderr, " %s", rsp_param_name(i));
		fprintf(stderr, "%s\n", p->params ? "" : " no parameters");
		exit(1);
	}
	if (p->params & ~params) {
		prefix();
		fprintf(stderr, "policy %s needs", p->name);
		for (int i = 1; i <= RSP_POLICY_A_MAX; i++)
			if (p->params & ~params & (1u << i))
				fprintf(stderr, " %s", rsp_param_name(i));
		fputc('\n', stderr);
		exit(1);
	}
	nest = nla_nest_start(msg, RSP_A_PE_ADDRS);
	append(msg, addrs);
	nla_nest_end(msg, nest);
	nest = nla_nest_start(msg, RSP_A_PE_POLICY);
	nla_put_u32(msg, RSP_POLICY_A_TYPE, p->type);
	append(msg, pol);
	nla_nest_end(msg, nest);
	nlmsg_free(addrs);
	nlmsg_free(pol);
	talk(msg, NULL, NULL, what);
	return 0;
}

/* HANDLE [id] ID, as pe del, pe show and report take it. */
static struct nl_msg *handle_id(int cmd, int argc, char **argv,
				const char *what)
{
	struct nl_msg *msg;
	const char *id;

	if (argc < 2)
		die("%s: needs HANDLE id ID", what);
	id = is(argv[1], "id") ? (argc > 2 ? argv[2] : NULL) : argv[1];
	if (!id)
		die("%s: missing PE id", what);
	if (argc > (is(argv[1], "id") ? 3 : 2))
		die("unexpected argument \"%s\"", argv[argc - 1]);
	msg = rsp_nl_msg(&nl, cmd, 0);
	put_handle(msg, argv[0]);
	nla_put_u32(msg, RSP_A_PE_ID, get_u32(id, "pe id"));
	return msg;
}

static int show_count(struct nlattr **tb, int cmd, void *arg)
{
	(void)cmd;
	if (tb[RSP_A_COUNT])
		*(uint32_t *)arg = nla_get_u32(tb[RSP_A_COUNT]);
	return 0;
}

static void print_count(uint32_t n, const char *what)
{
	if (json) {
		json_open(NULL, '{');
		json_u64(what, n);
		json_close('}');
		json_end_line();
	} else {
		printf("%s %u\n", what, n);
	}
}

static int show_home(struct nlattr **tb, int cmd, void *arg)
{
	(void)cmd;
	(void)arg;
	if (!tb[RSP_A_PE_HOME] || !tb[RSP_A_COUNT] ||
	    !tb[RSP_A_HOME_CHECKSUM])
		return 0;
	if (json) {
		json_open(NULL, '{');
		json_u64("home", nla_get_u32(tb[RSP_A_PE_HOME]));
		json_u64("pes", nla_get_u32(tb[RSP_A_COUNT]));
		json_u64("checksum", nla_get_u16(tb[RSP_A_HOME_CHECKSUM]));
		json_close('}');
		json_end_line();
	} else {
		printf("home 0x%x pes %u checksum 0x%04x\n",
		       nla_get_u32(tb[RSP_A_PE_HOME]),
		       nla_get_u32(tb[RSP_A_COUNT]),
		       nla_get_u16(tb[RSP_A_HOME_CHECKSUM]));
	}
	return 0;
}

static int cmd_pe(int argc, char **argv)
{
	struct nl_msg *msg;

	if (argc < 1 || is(argv[0], "show") || is(argv[0], "list")) {
		if (argc <= 1) {
			list(rsp_nl_msg(&nl, RSP_CMD_PE_GET, NLM_F_DUMP),
			     show_pe, "pe show");
		} else if (argc == 2) {
			msg = rsp_nl_msg(&nl, RSP_CMD_PE_GET, NLM_F_DUMP);
			put_handle(msg, argv[1]);
			list(msg, show_pe, "pe show");
		} else {
			list(handle_id(RSP_CMD_PE_GET, argc - 1, argv + 1,
				       "pe show"), show_pe, "pe show");
		}
		return 0;
	}
	if (is(argv[0], "add"))
		return cmd_pe_add(argc - 1, argv + 1, RSP_CMD_PE_NEW, "pe add");
	if (is(argv[0], "set"))
		return cmd_pe_add(argc - 1, argv + 1, RSP_CMD_PE_SET, "pe set");
	if (is(argv[0], "del") || is(argv[0], "delete")) {
		talk(handle_id(RSP_CMD_PE_DEL, argc - 1, argv + 1, "pe del"),
		     NULL, NULL, "pe del");
		return 0;
	}
	if (is(argv[0], "flush")) {
		uint32_t n = 0;

		if (argc != 3 || !is(argv[1], "home"))
			die("%s", "pe flush: needs home PRID");
		msg = rsp_nl_msg(&nl, RSP_CMD_DEL_HOME, 0);
		nla_put_u32(msg, RSP_A_PE_HOME, get_u32(argv[2], "home"));
		talk(msg, show_count, &n, "pe flush");
		print_count(n, "deleted");
		return 0;
	}
	if (is(argv[0], "checksum")) {
		if (argc != 3 || !is(argv[1], "home"))
			die("%s", "pe checksum: needs home PRID");
		msg = rsp_nl_msg(&nl, RSP_CMD_HOME_GET, 0);
		nla_put_u32(msg, RSP_A_PE_HOME, get_u32(argv[2], "home"));
		talk(msg, show_home, NULL, "pe checksum");
		return 0;
	}
	die("pe: unknown command \"%s\" (add, set, del, show, flush, checksum)",
	    argv[0]);
	return 1;
}

static int show_resolve(struct nlattr **tb, int cmd, void *arg)
{
	const struct rsp_policy_name *p;
	struct nlattr *a;
	int rem;

	(void)cmd;
	(void)arg;
	if (!tb[RSP_A_POOL_HANDLE] || !tb[RSP_A_POOL_POLICY])
		return 0;
	p = rsp_policy_by_type(nla_get_u32(tb[RSP_A_POOL_POLICY]));
	if (json) {
		json_open(NULL, '{');
		json_str("handle", handle_str(tb[RSP_A_POOL_HANDLE]));
		json_str("policy", p ? p->name : "unknown");
		json_open("pes", '[');
	} else {
		printf("pool %s policy %s\n", handle_str(tb[RSP_A_POOL_HANDLE]),
		       p ? p->name : "unknown");
	}
	/* One RSP_A_PE nest per selected PE, in selection order. */
	nla_for_each_attr(a, nl.attrs, nl.attrlen, rem) {
		struct nlattr *pe[RSP_A_MAX + 1];

		if (nla_type(a) != RSP_A_PE || rsp_nl_nest(pe, RSP_A_MAX, a) ||
		    !pe[RSP_A_PE_ID])
			continue;
		if (json) {
			json_open(NULL, '{');
			print_pe(pe);
			json_close('}');
		} else {
			printf("  ");
			print_pe(pe);
			putchar('\n');
		}
	}
	if (json) {
		json_close(']');
		json_close('}');
		json_end_line();
	}
	return 0;
}

static int cmd_resolve(int argc, char **argv)
{
	struct nl_msg *msg;

	if (argc < 1)
		die("%s", "resolve: missing pool handle");
	msg = rsp_nl_msg(&nl, RSP_CMD_RESOLVE, 0);
	put_handle(msg, argv[0]);
	if (argc == 3 && is(argv[1], "count")) {
		uint32_t n = get_u32(argv[2], "count");

		if (!n || n > RSP_RESOLVE_MAX) {
			die("count must be 1..%d", RSP_RESOLVE_MAX);
		}
		nla_put_u32(msg, RSP_A_COUNT, n);
	} else if (argc != 1) {
		die("resolve: unexpected \"%s\" (resolve HANDLE [count N])",
		    argv[1]);
	}
	talk(msg, show_resolve, NULL, "resolve");
	return 0;
}

static int show_report(struct nlattr **tb, int cmd, void *arg)
{
	int removed = !!tb[RSP_A_REASON];

	(void)cmd;
	(void)arg;
	if (!tb[RSP_A_PE_REPORTS])
		return 0;
	if (json) {
		json_open(NULL, '{');
		json_u64("reports", nla_get_u32(tb[RSP_A_PE_REPORTS]));
		json_bool("removed", removed);
		json_close('}');
		json_end_line();
	} else {
		printf("reports %u%s\n", nla_get_u32(tb[RSP_A_PE_REPORTS]),
		       removed ? " removed" : "");
	}
	return 0;
}

static const char *const limit_keys[RSP_LIMIT_A_MAX + 1] = {
	[RSP_LIMIT_A_MAX_POOLS] = "max-pools",
	[RSP_LIMIT_A_MAX_PES] = "max-pes",
	[RSP_LIMIT_A_MAX_POOL_PES] = "max-pool-pes",
	[RSP_LIMIT_A_REPORT_THRESHOLD] = "report-threshold",
};

static int show_limits(struct nlattr **tb, int cmd, void *arg)
{
	struct nlattr *l[RSP_LIMIT_A_MAX + 1];
	int i;

	(void)cmd;
	(void)arg;
	if (!tb[RSP_A_LIMITS] || rsp_nl_nest(l, RSP_LIMIT_A_MAX, tb[RSP_A_LIMITS]))
		return 0;
	if (json)
		json_open(NULL, '{');
	for (i = 1; i <= RSP_LIMIT_A_MAX; i++) {
		if (!l[i])
			continue;
		if (json)
			json_u64(limit_keys[i], nla_get_u32(l[i]));
		else
			printf("%s%s %u", i > 1 ? " " : "", limit_keys[i],
			       nla_get_u32(l[i]));
	}
	if (json) {
		json_close('}');
		json_end_line();
	} else {
		putchar('\n');
	}
	return 0;
}

static int cmd_limits(int argc, char **argv)
{
	struct nlattr *nest;
	struct nl_msg *msg;

	if (argc == 0 || (argc == 1 && is(argv[0], "show"))) {
		talk(rsp_nl_msg(&nl, RSP_CMD_LIMITS_GET, 0), show_limits, NULL,
		     "limits");
		return 0;
	}
	if (!is(argv[0], "set") || argc < 3)
		die("%s", "limits: use \"limits\" or \"limits set KEY N...\"");
	msg = rsp_nl_msg(&nl, RSP_CMD_LIMITS_SET, 0);
	nest = nla_nest_start(msg, RSP_A_LIMITS);
	for (argc--, argv++; argc > 0; argc--, argv++) {
		int i;

		for (i = 1; i <= RSP_LIMIT_A_MAX; i++)
			if (is(argv[0], limit_keys[i]))
				break;
		if (i > RSP_LIMIT_A_MAX)
			die("limits set: unknown limit \"%s\"", argv[0]);
		nla_put_u32(msg, i, get_u32(next(&argc, &argv, argv[0]),
					   limit_keys[i]));
	}
	nla_nest_end(msg, nest);
	talk(msg, NULL, NULL, "limits set");
	return 0;
}

static const char *const stat_keys[RSP_STAT_A_MAX + 1] = {
	[RSP_STAT_A_POOLS] = "pools",
	[RSP_STAT_A_PES] = "pes",
	[RSP_STAT_A_ADDED] = "added",
	[RSP_STAT_A_UPDATED] = "updated",
	[RSP_STAT_A_REMOVED] = "removed",
	[RSP_STAT_A_EXPIRED] = "expired",
	[RSP_STAT_A_UNREACHABLE] = "unreachable",
	[RSP_STAT_A_RESOLVES] = "resolves",
	[RSP_STAT_A_SELECTED] = "selected",
	[RSP_STAT_A_REPORTS] = "reports",
	[RSP_STAT_A_REFUSED] = "refused",
};

static int show_stats(struct nlattr **tb, int cmd, void *arg)
{
	struct nlattr *st[RSP_STAT_A_MAX + 1];
	int i;

	(void)cmd;
	(void)arg;
	if (!tb[RSP_A_STATS] || rsp_nl_nest(st, RSP_STAT_A_MAX, tb[RSP_A_STATS]))
		return 0;
	if (json)
		json_open(NULL, '{');
	for (i = 1; i <= RSP_STAT_A_MAX; i++) {
		uint64_t v;

		if (!st[i] || !stat_keys[i])
			continue;
		v = nla_len(st[i]) == 8 ? nla_get_u64(st[i]) :
					  nla_get_u32(st[i]);
		if (json)
			json_u64(stat_keys[i], v);
		else
			printf("%-12s %" PRIu64 "\n", stat_keys[i], v);
	}
	if (json) {
		json_close('}');
		json_end_line();
	}
	return 0;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int show_event(struct nlattr **tb, int cmd, void *arg)
{
	static const char *const names[RSP_CMD_MAX + 1] = {
		[RSP_CMD_PE_NEW] = "new", [RSP_CMD_PE_SET] = "update",
		[RSP_CMD_PE_DEL] = "del", [RSP_CMD_REPORT] = "report",
	};
	const char *ev = cmd <= RSP_CMD_MAX ? names[cmd] : NULL;

	(void)arg;
	if (!ev || !tb[RSP_A_POOL_HANDLE] || !tb[RSP_A_PE_ID])
		return 0;
	if (json) {
		json_open(NULL, '{');
		json_str("event", ev);
		json_str("handle", handle_str(tb[RSP_A_POOL_HANDLE]));
		print_pe(tb);
		if (tb[RSP_A_REASON])
			json_str("reason",
				 rsp_reason_name(nla_get_u8(tb[RSP_A_REASON])));
		json_close('}');
		json_end_line();
		return 0;
	}
	printf("%s %s", ev, handle_str(tb[RSP_A_POOL_HANDLE]));
	print_pe(tb);
	if (tb[RSP_A_REASON])
		printf(" reason %s", rsp_reason_name(nla_get_u8(tb[RSP_A_REASON])));
	putchar('\n');
	fflush(stdout);
	return 0;
}

static int cmd_monitor(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t sigs;
	int err;

	if (argc > 0)
		die("monitor: unexpected \"%s\"", argv[0]);
	if (rsp_nl_subscribe(&nl) < 0) {
		fprintf(stderr, "rspctl: monitor: cannot join the events group\n");
		return 1;
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	err = rsp_nl_listen(&nl, show_event, NULL, &sigs, &stop);
	if (err < 0) {
		fprintf(stderr, "rspctl: monitor: %s\n", nl_geterror(err));
		return 1;
	}
	return 0;
}

static int is_peer_line(const char *line)
{
	return !strncmp(line, "peer ", 5);
}

/* A record of the daemon, "KIND key=value...", as text or JSON. */
static void show_record(char *line, int first_peer)
{
	char *tok, *save = NULL, *kind = strtok_r(line, " ", &save);
	int peer = is(kind, "peer");

	if (json) {
		if (peer && first_peer)
			json_open("peers", '[');
		if (peer)
			json_open(NULL, '{');
	} else {
		printf("%s", kind);
	}
	while ((tok = strtok_r(NULL, " ", &save))) {
		char *v = strchr(tok, '='), *end;
		unsigned long long n;

		if (!v)
			continue;
		*v++ = 0;
		errno = 0;
		n = strtoull(v, &end, 10);
		if (json && !*end && *v && !errno)
			json_u64(tok, n);
		else if (json)
			json_str(tok, v);
		else if (is(tok, "id"))
			printf(" 0x%llx", n);
		else if (is(tok, "heard"))
			printf(" heard %sms ago", v);
		else
			printf(" %s %s", tok, v);
	}
	if (json && peer)
		json_close('}');
	else if (!json)
		putchar('\n');
}

/*
 * rspctl peers [control NAME]: asks this network namespace's rserpoold
 * (its abstract control socket) for its ENRP peers.
 */
static int cmd_peers(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *name = "rserpoold";
	char line[1024];
	int fd, peers = 0, got = 0;
	FILE *f;

	if (argc == 2 && is(argv[0], "control"))
		name = argv[1];
	else if (argc)
		die("peers: unexpected \"%s\" (rspctl peers [control NAME])",
		    argv[0]);
	if (strlen(name) + 1 > sizeof(sun.sun_path))
		die("peers: control socket name too long");
	memcpy(sun.sun_path + 1, name, strlen(name));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun,
			      offsetof(struct sockaddr_un, sun_path) + 1 +
			      strlen(name)))
		die("peers: no rserpoold in this network namespace (control socket @%s: %s)",
		    name, strerror(errno));
	if (write(fd, "peers\n", 6) != 6 || !(f = fdopen(fd, "r")))
		die("peers: cannot ask rserpoold: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "error ", 6))
			die("peers: rserpoold says: %s", line + 6);
		if (!got++ && json)
			json_open(NULL, '{');
		show_record(line, is_peer_line(line) && !peers++);
	}
	fclose(f);
	if (!got)
		die("peers: rserpoold closed the connection without an answer");
	if (json) {
		if (peers)
			json_close(']');
		json_close('}');
		json_end_line();
	}
	return 0;
}

static int known_object(const char *obj)
{
	static const char *const objs[] = { "pool", "pe", "resolve", "report",
		"flush", "limits", "stats", "monitor", "peers" };
	unsigned int i;

	for (i = 0; i < sizeof(objs) / sizeof(objs[0]); i++)
		if (is(obj, objs[i]))
			return 1;
	fprintf(stderr, "rspctl: ");
	if (batch_line)
		fprintf(stderr, "line %d: ", batch_line);
	fprintf(stderr, "unknown object \"%s\" (try rspctl -h)\n", obj);
	return 0;
}

static int dispatch(int argc, char **argv)
{
	const char *obj = argv[0];

	argc--;
	argv++;
	if (is(obj, "pool"))
		return cmd_pool(argc, argv);
	if (is(obj, "pe"))
		return cmd_pe(argc, argv);
	if (is(obj, "resolve"))
		return cmd_resolve(argc, argv);
	if (is(obj, "report")) {
		talk(handle_id(RSP_CMD_REPORT, argc, argv, "report"),
		     show_report, NULL, "report");
		return 0;
	}
	if (is(obj, "flush")) {
		uint32_t n = 0;

		if (argc)
			die("flush: unexpected \"%s\"", argv[0]);
		talk(rsp_nl_msg(&nl, RSP_CMD_FLUSH, 0), show_count, &n, "flush");
		print_count(n, "deleted");
		return 0;
	}
	if (is(obj, "limits"))
		return cmd_limits(argc, argv);
	if (is(obj, "peers"))
		return cmd_peers(argc, argv);
	if (is(obj, "stats")) {
		if (argc)
			die("stats: unexpected \"%s\"", argv[0]);
		talk(rsp_nl_msg(&nl, RSP_CMD_STATS_GET, 0), show_stats, NULL,
		     "stats");
		return 0;
	}
	return cmd_monitor(argc, argv);
}

/* Runs each line of @path as a command over one socket; stops at an error. */
static int batch(const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char line[4096];

	if (!f) {
		fprintf(stderr, "rspctl: cannot open %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *argv[256], *tok, *save = NULL;
		int argc = 0, err;

		batch_line++;
		for (tok = strtok_r(line, " \t\r\n", &save);
		     tok && *tok != '#' && argc < 255;
		     tok = strtok_r(NULL, " \t\r\n", &save))
			argv[argc++] = tok;
		if (!argc)
			continue;
		argv[argc] = NULL;
		if (!known_object(argv[0]) || is(argv[0], "monitor"))
			return 1;
		err = dispatch(argc, argv);
		if (err)
			return err;
		fflush(stdout);	/* a program at the other end of a pipe */
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "batch", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "+jpb:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'p':
			json_pretty = 1;
			break;
		case 'b':
			file = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("rspctl %s\n", RSP_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (file) {
		if (argc) {
			fprintf(stderr, "rspctl: -b takes no command line\n");
			return 2;
		}
		return rsp_nl_open(&nl) ? 1 : batch(file);
	}
	if (argc < 1) {
		usage(stderr);
		return 2;
	}
	if (is(argv[0], "help")) {
		usage(stdout);
		return 0;
	}
	if (!known_object(argv[0]))
		return 2;
	/* The daemon's, not the kernel's: no netlink needed. */
	if (is(argv[0], "peers"))
		return cmd_peers(argc - 1, argv + 1);
	if (rsp_nl_open(&nl))
		return 1;
	return dispatch(argc, argv);
}
