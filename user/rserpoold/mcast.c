// SPDX-License-Identifier: GPL-2.0
/* Announces over UDP multicast: see mcast.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "mcast.h"

int rsp_mcast_parse(const char *s, struct sockaddr_in *group)
{
	const char *colon = strrchr(s, ':');
	char host[INET_ADDRSTRLEN];
	unsigned long port;
	char *end;

	memset(group, 0, sizeof(*group));
	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, colon - s);
	host[colon - s] = 0;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || !colon[1] || *end || !port || port > 65535 ||
	    inet_pton(AF_INET, host, &group->sin_addr) != 1 ||
	    !IN_MULTICAST(ntohl(group->sin_addr.s_addr)))
		return -1;
	group->sin_family = AF_INET;
	group->sin_port = htons(port);
	return 0;
}

/* Calls @fn for every interface that is up, not loopback, multicast. */
static int each_interface(int (*fn)(int fd, unsigned int ifindex,
				    const void *arg), int fd, const void *arg)
{
	struct ifaddrs *ifs, *i;
	unsigned int done[64];
	int n = 0, k, seen;

	if (getifaddrs(&ifs))
		return 0;
	for (i = ifs; i; i = i->ifa_next) {
		unsigned int idx;

		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET ||
		    !(i->ifa_flags & IFF_UP) ||
		    !(i->ifa_flags & IFF_MULTICAST) ||
		    (i->ifa_flags & IFF_LOOPBACK))
			continue;
		idx = if_nametoindex(i->ifa_name);
		/* An interface with several addresses: once. */
		for (k = 0, seen = 0; k < n && k < 64; k++)
			seen |= done[k] == idx;
		if (!idx || seen || n == 64)
			continue;
		done[n++] = idx;
		fn(fd, idx, arg);
	}
	freeifaddrs(ifs);
	return n;
}

int rsp_mcast_sender(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		fprintf(stderr, "rserpoold: announce socket: %s\n",
			strerror(errno));
	return fd;
}

struct out {
	const struct sockaddr_in *group;
	const void *p;
	size_t len;
	int sent;
};

static int send_on(int fd, unsigned int ifindex, const void *arg)
{
	struct out *o = (struct out *)arg;
	struct ip_mreqn m = { .imr_ifindex = ifindex };

	if (!setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof(m)) &&
	    sendto(fd, o->p, o->len, 0, (const struct sockaddr *)o->group,
		   sizeof(*o->group)) == (ssize_t)o->len)
		o->sent++;
	return 0;
}

int rsp_mcast_send(int fd, const struct sockaddr_in *group, const void *p,
		   size_t len)
{
	struct out o = { group, p, len, 0 };

	each_interface(send_on, fd, &o);
	return o.sent;
}

static int join_on(int fd, unsigned int ifindex, const void *arg)
{
	const struct sockaddr_in *group = arg;
	struct ip_mreqn m = {
		.imr_multiaddr = group->sin_addr, .imr_ifindex = ifindex,
	};

	return setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m));
}

int rsp_mcast_listener(const struct sockaddr_in *group)
{
	struct sockaddr_in any = {
		.sin_family = AF_INET, .sin_port = group->sin_port,
	};
	int one = 1, fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK |
				 SOCK_CLOEXEC, 0);

	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&any, sizeof(any))) {
		fprintf(stderr, "rserpoold: multicast on UDP port %u: %s\n",
			ntohs(group->sin_port), strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	each_interface(join_on, fd, group);
	return fd;
}
