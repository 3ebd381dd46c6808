// SPDX-License-Identifier: GPL-2.0
/*
 * rsp-echo: a pool user.  Sends a line to the pool named HANDLE and
 * prints the answer and the PE that gave it.  TCP and SCTP connect by
 * pool handle with rsp_connect(), which fails over to the next PE when
 * one is gone; UDP selects a PE for each datagram with rsp_sendto().
 *
 *   rsp-echo [-p tcp|udp|sctp] [-6] [-n COUNT] [-t TIMEOUT_MS] HANDLE TEXT
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "rserpool.h"

static int proto = IPPROTO_TCP, family = AF_INET, timeout_ms = 2000;

static void usage(void)
{
	fprintf(stderr, "usage: rsp-echo [-p tcp|udp|sctp] [-6] [-n COUNT] [-t TIMEOUT_MS] HANDLE TEXT\n");
	exit(2);
}

/* Waits for the answer on @fd; its length, or -1 (errno ETIMEDOUT). */
static ssize_t await(int fd, char *buf, size_t room)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, timeout_ms) <= 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	n = recv(fd, buf, room - 1, 0);
	if (n >= 0)
		buf[n] = 0;
	return n;
}

static int once(const char *handle, const char *text)
{
	int type = proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
	int fd = socket(family, type, proto), tries;
	size_t hlen = strlen(handle);
	char buf[4096];
	uint32_t pe = 0;
	ssize_t n = -1;

	if (fd < 0) {
		perror("rsp-echo: socket");
		return 1;
	}
	if (proto == IPPROTO_UDP) {
		/* Datagrams: a PE per try, and a report when none answers. */
		for (tries = 0; tries < 3 && n < 0; tries++) {
			if (rsp_sendto(fd, text, strlen(text), 0, handle, hlen,
				       &pe) < 0)
				break;
			n = await(fd, buf, sizeof(buf));
			if (n < 0)
				rsp_report(fd, handle, hlen, pe);
		}
	} else if (rsp_connect(fd, handle, hlen, 3, timeout_ms, &pe) == 0 &&
		   send(fd, text, strlen(text), 0) >= 0) {
		n = await(fd, buf, sizeof(buf));
	}
	if (n < 0) {
		fprintf(stderr, "rsp-echo: %s: %s\n", handle, strerror(errno));
		close(fd);
		return 1;
	}
	printf("pe %u answered: %s%s", pe, buf,
	       n && buf[n - 1] == '\n' ? "" : "\n");
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	int c, count = 1, rc = 0;

	while ((c = getopt(argc, argv, "p:6n:t:h")) != -1) {
		switch (c) {
		case 'p':
			if (!strcmp(optarg, "tcp"))
				proto = IPPROTO_TCP;
			else if (!strcmp(optarg, "udp"))
				proto = IPPROTO_UDP;
			else if (!strcmp(optarg, "sctp"))
				proto = IPPROTO_SCTP;
			else
				usage();
			break;
		case '6':
			family = AF_INET6;
			break;
		case 'n':
			count = atoi(optarg);
			break;
		case 't':
			timeout_ms = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2)
		usage();
	while (count-- > 0)
		rc |= once(argv[optind], argv[optind + 1]);
	return rc;
}
