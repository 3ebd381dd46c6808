/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ASAP (RFC 5352) and ENRP (RFC 5353) messages and their parameters (RFC
 * 5354), decoded into plain structures and encoded back.  One codec for
 * both protocols: they share the parameters and differ in the fixed
 * fields that some messages carry before them.
 */
#ifndef RSP_MSG_H
#define RSP_MSG_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "tlv.h"

#define RSP_PPID_ASAP		11
#define RSP_PPID_ENRP		12

/* Parameter types, RFC 5354 section 3, and the HRO of rsplib. */
enum {
	RSP_P_IPV4		= 0x1,
	RSP_P_IPV6		= 0x2,
	RSP_P_DCCP		= 0x3,
	RSP_P_SCTP		= 0x4,
	RSP_P_TCP		= 0x5,
	RSP_P_UDP		= 0x6,
	RSP_P_UDPLITE		= 0x7,
	RSP_P_POLICY		= 0x8,
	RSP_P_HANDLE		= 0x9,
	RSP_P_PE		= 0xa,
	RSP_P_SERVER_INFO	= 0xb,
	RSP_P_ERROR		= 0xc,
	RSP_P_COOKIE		= 0xd,
	RSP_P_PE_ID		= 0xe,
	RSP_P_CHECKSUM		= 0xf,
	RSP_P_HRO		= 0x803f,
};

/* ASAP message types. */
enum {
	ASAP_REGISTRATION = 0x01, ASAP_DEREGISTRATION, ASAP_REGISTRATION_RESPONSE,
	ASAP_DEREGISTRATION_RESPONSE, ASAP_HANDLE_RESOLUTION,
	ASAP_HANDLE_RESOLUTION_RESPONSE, ASAP_ENDPOINT_KEEP_ALIVE,
	ASAP_ENDPOINT_KEEP_ALIVE_ACK, ASAP_ENDPOINT_UNREACHABLE,
	ASAP_SERVER_ANNOUNCE, ASAP_COOKIE, ASAP_COOKIE_ECHO,
	ASAP_BUSINESS_CARD, ASAP_ERROR,
};

/* ENRP message types. */
enum {
	ENRP_PRESENCE = 0x01, ENRP_HANDLE_TABLE_REQUEST,
	ENRP_HANDLE_TABLE_RESPONSE, ENRP_HANDLE_UPDATE, ENRP_LIST_REQUEST,
	ENRP_LIST_RESPONSE, ENRP_INIT_TAKEOVER, ENRP_INIT_TAKEOVER_ACK,
	ENRP_TAKEOVER_SERVER, ENRP_ERROR,
};

#define RSP_MAX_ADDRS		64	/* per transport, as rsplib */
#define RSP_MAX_HANDLE		64
#define RSP_MAX_POLICY_WORDS	4

struct rsp_p_addr {
	uint16_t type;			/* RSP_P_IPV4 or RSP_P_IPV6 */
	uint8_t a[16];
};

/* A transport parameter: its fixed fields and its address parameters. */
struct rsp_p_transport {
	uint16_t type;			/* RSP_P_DCCP .. RSP_P_UDPLITE */
	uint16_t port;
	uint16_t use;			/* SCTP transport use; else reserved */
	uint32_t service;		/* DCCP service code */
	unsigned int naddrs;
	struct rsp_p_addr addrs[RSP_MAX_ADDRS];
};

struct rsp_p_policy {
	uint32_t type;
	unsigned int nwords;		/* data after the type, as sent */
	uint32_t w[RSP_MAX_POLICY_WORDS];
};

struct rsp_p_pe {
	uint32_t id;
	uint32_t home;
	int32_t life;			/* as sent: rsplib uses ms */
	struct rsp_p_transport user;
	struct rsp_p_policy policy;
	int has_asap;
	struct rsp_p_transport asap;	/* ASAP transport (SCTP, TCP) */
};

/*
 * A transport holds room for RSP_MAX_ADDRS addresses (1 KB) of which a PE
 * has one or two: these clear and copy only what is in use, as clearing
 * the whole, several times for each PE of a peer's table, cost more than
 * the rest of its decoding.  Nothing reads an address past naddrs.
 */
static inline void rsp_transport_clear(struct rsp_p_transport *t)
{
	memset(t, 0, offsetof(struct rsp_p_transport, addrs));
}

static inline void rsp_transport_copy(struct rsp_p_transport *to,
				      const struct rsp_p_transport *from)
{
	memcpy(to, from, offsetof(struct rsp_p_transport, addrs) +
	       from->naddrs * sizeof(from->addrs[0]));
}

static inline void rsp_p_pe_clear(struct rsp_p_pe *pe)
{
	memset(pe, 0, offsetof(struct rsp_p_pe, user));
	rsp_transport_clear(&pe->user);
	memset(&pe->policy, 0, offsetof(struct rsp_p_pe, asap) -
	       offsetof(struct rsp_p_pe, policy));
	rsp_transport_clear(&pe->asap);
}

struct rsp_p_server {
	uint32_t id;
	struct rsp_p_transport transport;
};

/* A parameter of a message, decoded, or kept whole if opaque or unknown. */
struct rsp_param {
	uint16_t type;
	union {
		struct {
			uint16_t len;
			uint8_t data[RSP_MAX_HANDLE];
		} handle;
		struct rsp_p_pe *pe;
		struct rsp_p_server *server;
		struct rsp_p_transport *transport;
		struct rsp_p_policy policy;	/* resolution response */
		uint32_t u32;		/* PE ID, HRO items */
		uint16_t checksum;
		struct {		/* cookie, operation error, unknown */
			uint16_t len;
			const uint8_t *data;
		} raw;
	};
};

#define RSP_MAX_PARAMS		1024

struct rsp_msg {
	uint8_t ppid;			/* RSP_PPID_ASAP or RSP_PPID_ENRP */
	uint8_t type;
	uint8_t flags;
	/* Fixed fields before the parameters, where the type has them. */
	uint32_t sender, receiver;	/* ENRP: every message */
	uint32_t server_id;		/* ASAP keep-alive, announce */
	uint16_t action;		/* ENRP handle update: 0 add, 1 del */
	uint32_t target;		/* ENRP takeover messages */
	unsigned int nparams;
	struct rsp_param params[RSP_MAX_PARAMS];
	/* Unknown parameters met with a "report" action bit; the first one. */
	unsigned int unknown_reported;
	const uint8_t *unknown;		/* its TLV, header and value */
	uint16_t unknown_len;
};

/* Why a message could not be decoded. */
enum rsp_decode_err {
	RSP_DECODE_OK = 0,
	RSP_DECODE_MALFORMED,		/* bounds, lengths, counts */
	RSP_DECODE_UNKNOWN_PARAM,	/* an unknown type said stop */
	RSP_DECODE_TOO_MANY,		/* more than the limits above */
	RSP_DECODE_NOMEM,
};

/*
 * Decodes the message in [p, p + n) (at least its length field's worth;
 * padding after it is ignored).  The decoded message points into @p for
 * opaque parameters: keep @p while using it.  rsp_msg_free() frees what
 * decoding allocated.
 */
enum rsp_decode_err rsp_msg_decode(struct rsp_msg *m, uint8_t ppid,
				   const uint8_t *p, size_t n);
void rsp_msg_free(struct rsp_msg *m);
/* Appends @m, padded, to @b; b->failed says if it did not fit. */
void rsp_msg_encode(struct rsp_buf *b, const struct rsp_msg *m);

/* Appends one parameter, padded (an Operation Error's cause info). */
void rsp_param_encode(struct rsp_buf *b, const struct rsp_param *prm);

/* Building and reading messages. */
void rsp_msg_init(struct rsp_msg *m, uint8_t ppid, uint8_t type,
		  uint8_t flags);
/* Appends a parameter; NULL (and nothing added) when the message is full. */
struct rsp_param *rsp_msg_add(struct rsp_msg *m, uint16_t type);
void rsp_msg_add_handle(struct rsp_msg *m, const uint8_t *h, size_t len);
void rsp_msg_add_u32(struct rsp_msg *m, uint16_t type, uint32_t v);
/*
 * Appends an Operation Error with one cause, built in @b (which must live
 * as long as @m): @info, if given, is the parameter the cause is about
 * (RFC 5354 section 3.10: the policy, the transport, the PE), which
 * decoders such as Wireshark's expect; @raw, if given, the bytes of an
 * unrecognized message or parameter (the first RSP_ERROR_RAW_MAX).
 */
#define RSP_ERROR_RAW_MAX	1024
void rsp_msg_add_error(struct rsp_msg *m, struct rsp_buf *b, uint16_t cause,
		       const struct rsp_param *info, const uint8_t *raw,
		       size_t rawlen);
/* The first parameter of @type, or NULL. */
const struct rsp_param *rsp_msg_find(const struct rsp_msg *m, uint16_t type);

#endif /* RSP_MSG_H */
