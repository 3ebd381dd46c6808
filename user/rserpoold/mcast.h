/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UDP multicast for the announces of RFC 5352 and RFC 5353: ASAP
 * SERVER_ANNOUNCE to PEs and PUs, ENRP PRESENCE to registrars.  IPv4, as
 * rsplib's groups (239.0.0.50:3863 and 239.0.0.51:9901).  Each goes out
 * on every interface that is up and multicast-capable, so no multicast
 * route is needed.
 */
#ifndef RSP_MCAST_H
#define RSP_MCAST_H

#include <stddef.h>
#include <netinet/in.h>

/* "ADDR:PORT" of an IPv4 multicast group; 0, or -1 if it is none. */
int rsp_mcast_parse(const char *s, struct sockaddr_in *group);

/* A socket to send announces from; -1 with the error on stderr. */
int rsp_mcast_sender(void);
/* Sends @p on every multicast interface; how many it went out on. */
int rsp_mcast_send(int fd, const struct sockaddr_in *group, const void *p,
		   size_t len);

/*
 * A socket bound to @group's port that has joined @group on every
 * multicast interface there is now; -1 with the error on stderr.
 */
int rsp_mcast_listener(const struct sockaddr_in *group);

#endif /* RSP_MCAST_H */
