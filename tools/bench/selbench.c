// SPDX-License-Identifier: GPL-2.0
/*
 * selbench: what a selection through RSP_SO_SELECT costs, beside the floor
 * of any socket option (a getsockopt that the kernel answers with
 * ENOPROTOOPT after the same netfilter lookup), for pools of 10, 1 000 and
 * 100 000 PEs and five policies; then the kernel memory a PE takes.  Runs
 * in the guest with rserpool.ko loaded; $RSPCTL names rspctl.  Arguments
 * POLICY and PES, if given, pick the rows.
 *
 * Both rates are measured in turn in short rounds, so that a change of
 * the machine's speed during the run hits them alike; the table reports
 * the ratio.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/rserpool.h>

#define ROUNDS		5
#define ROUND_NS	100000000LL	/* 0.1 s each, per side */

static const char *rspctl;

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Calls getsockopt(@opt) for ROUND_NS; calls made and ns taken. */
static void round_of(int fd, int opt, long long *calls, long long *ns,
		     long long round_ns)
{
	struct rsp_so_select sel;
	long long t0 = now_ns(), t, n = 0;
	socklen_t len;

	memset(&sel, 0, sizeof(sel));
	sel.handle.len = 5;
	memcpy(sel.handle.data, "bench", 5);
	do {
		for (int i = 0; i < 64; i++, n++) {
			len = sizeof(sel);
			if (getsockopt(fd, IPPROTO_IP, opt, &sel, &len) &&
			    opt == RSP_SO_SELECT) {
				perror("selbench: RSP_SO_SELECT");
				exit(1);
			}
		}
		t = now_ns();
	} while (t - t0 < round_ns);
	*calls += n;
	*ns += t - t0;
}

static void run(const char *cmd)
{
	int st = system(cmd);

	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "selbench: \"%s\" failed\n", cmd);
		exit(1);
	}
}

/* Builds pool "bench" of @n TCP PEs with @policy through rspctl -b. */
static void build(const char *policy, const char *param, int n)
{
	char path[] = "/tmp/selbench.XXXXXX", cmd[256];
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	for (int i = 0; i < n; i++) {
		fprintf(f, "pe add bench id %d proto tcp port 80 addr 10.%d.%d.%d policy %s",
			i + 1, (i >> 16) & 255, (i >> 8) & 255, (i & 255) | 1,
			policy);
		if (!strcmp(param, "weight"))
			fprintf(f, " weight %d", 1 + i % 7);
		else if (!strcmp(param, "priority"))
			fprintf(f, " priority %d", i % 100);
		else if (!strcmp(param, "load"))
			fprintf(f, " load %d", (i * 7919) % 1000000);
		fputc('\n', f);
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s flush >/dev/null && %s -b %s", rspctl,
		 rspctl, path);
	run(cmd);
	unlink(path);
}

/*
 * One selection, then a pause: a weighted pool of 256 PEs or more gets
 * its alias table 50 ms after a selection first finds none, and keeps it
 * while its weights hold.  The rates are those of that steady state.
 */
static void settle(int fd)
{
	long long calls = 0, ns = 0;

	round_of(fd, RSP_SO_SELECT, &calls, &ns, 0);
	usleep(200000);
}

static long long meminfo(const char *key)
{
	char line[256];
	long long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = atoll(line + strlen(key)) * 1024;
	if (f)
		fclose(f);
	return v;
}

static long long kernel_mem(void)
{
	/* Slab for PEs, pools and index; vmalloc for large vectors. */
	return meminfo("Slab:") + meminfo("VmallocUsed:");
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name, *param;
	} policies[] = {
		{ "rr", "" }, { "random", "" }, { "wrand", "weight" },
		{ "priority", "priority" }, { "lu", "load" },
	};
	static const int sizes[] = { 10, 1000, 100000 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	double worst = 0;
	long long before, after, mem, wmem = 0;
	char cmd[256];

	rspctl = getenv("RSPCTL") ?: "rspctl";
	/*
	 * Memory first, on a module just loaded: slabs that earlier rounds
	 * left partly used would hide the cost.
	 */
	snprintf(cmd, sizeof(cmd), "%s flush >/dev/null", rspctl);
	run(cmd);
	sleep(1);
	before = kernel_mem();
	build("rr", "", 100000);
	sleep(1);
	after = kernel_mem();
	mem = (after - before) / 100000;
	/* A weighted pool has a Fenwick tree and, selected, an alias table. */
	if (argc < 2) {
		run(cmd);
		sleep(1);
		before = kernel_mem();
		build("wrand", "weight", 100000);
		settle(fd);
		sleep(1);
		wmem = (kernel_mem() - before) / 100000;
	}
	run(cmd);

	printf("%-9s %7s %12s %10s %10s %7s\n", "policy", "PEs", "selects/s",
	       "ns/select", "floor ns", "ratio");
	for (unsigned int s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (unsigned int p = 0;
		     p < sizeof(policies) / sizeof(policies[0]); p++) {
			/* selbench [POLICY [PES]]: only those rows. */
			if ((argc > 1 && strcmp(argv[1], policies[p].name)) ||
			    (argc > 2 && atoi(argv[2]) != sizes[s]))
				continue;
			long long sc = 0, sn = 0, fc = 0, fn = 0;
			double sel_ns, floor_ns;

			build(policies[p].name, policies[p].param, sizes[s]);
			settle(fd);
			for (int r = 0; r < ROUNDS; r++) {
				round_of(fd, RSP_SO_SELECT, &sc, &sn,
					 ROUND_NS);
				/* Past every option the module registers. */
				round_of(fd, RSP_SO_BASE + 100, &fc, &fn,
					 ROUND_NS);
			}
			sel_ns = (double)sn / sc;
			floor_ns = (double)fn / fc;
			if (sel_ns / floor_ns > worst)
				worst = sel_ns / floor_ns;
			printf("%-9s %7d %12.0f %10.0f %10.0f %6.2fx\n",
			       policies[p].name, sizes[s], 1e9 / sel_ns, sel_ns,
			       floor_ns, sel_ns / floor_ns);
			fflush(stdout);
		}
	}
	printf("worst ratio to the floor: %.2fx (goal: at most 2x)\n", worst);
	printf("kernel memory per PE: %lld bytes (slab + vmalloc, 100 000 PEs; goal: at most 256)\n",
	       mem);
	if (wmem)
		printf("... in a weighted pool, selected: %lld bytes\n", wmem);

	close(fd);
	return 0;
}
