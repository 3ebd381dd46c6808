/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RFC 5354 framing, shared by ASAP and ENRP: a message is type u8, flags
 * u8, length u16, value; a parameter is type u16, length u16, value, pad.
 * Lengths never count the trailing padding.  Everything is big-endian.
 * The reader checks every bound; the writer grows its buffer and records
 * the first failure instead of writing past it.
 */
#ifndef RSP_TLV_H
#define RSP_TLV_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define RSP_MSG_HDR	4
#define RSP_TLV_HDR	4
#define RSP_MSG_MAX	65535	/* the length field's reach */

/* One parameter as found in a message; val points into the message. */
struct rsp_tlv {
	uint16_t type;
	uint16_t len;			/* of the value only */
	const uint8_t *val;
};

/* What RFC 5354 says to do with a parameter type we do not know. */
enum rsp_unknown {
	RSP_UNKNOWN_STOP = 0,		/* 00: discard the message */
	RSP_UNKNOWN_STOP_REPORT = 1,	/* 01: discard, report */
	RSP_UNKNOWN_SKIP = 2,		/* 10: skip the parameter */
	RSP_UNKNOWN_SKIP_REPORT = 3,	/* 11: skip, report */
};

static inline enum rsp_unknown rsp_tlv_unknown(uint16_t type)
{
	return (enum rsp_unknown)(type >> 14);
}

static inline uint16_t rsp_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t rsp_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/*
 * The next parameter of [*p, *p + *n): 1 and @t, 0 at the end, or -1 if
 * what is left is not a well-formed parameter (short header, length
 * below 4 or past the end).  Padding after the last one is optional.
 */
int rsp_tlv_next(const uint8_t **p, size_t *n, struct rsp_tlv *t);

/* A message header: 0, or -1 if @n is short or the length is wrong. */
int rsp_msg_header(const uint8_t *p, size_t n, uint8_t *type,
		   uint8_t *flags, size_t *len);

struct rsp_buf {
	uint8_t *p;
	size_t len;
	size_t cap;
	size_t pad;			/* padding the last end added */
	int failed;			/* out of memory or past 64 KiB */
};

void rsp_buf_init(struct rsp_buf *b);
/* Empty again, keeping what it has allocated. */
void rsp_buf_reset(struct rsp_buf *b);
void rsp_buf_free(struct rsp_buf *b);
/* rsp_buf_room() when @n more do not fit as it is. */
uint8_t *rsp_buf_grow(struct rsp_buf *b, size_t n);

/*
 * @n bytes more at the end, or NULL (and @b failed).  These writers are
 * inline: answers are encoded field by field, a few bytes each, and a
 * call for each was a tenth of a handle resolution.
 */
static inline uint8_t *rsp_buf_room(struct rsp_buf *b, size_t n)
{
	size_t len = b->len + n;

	if (len > b->cap || len > RSP_MSG_MAX + 3 || b->failed)
		return rsp_buf_grow(b, n);
	b->len = len;
	b->pad = 0;
	return b->p + len - n;
}

static inline void rsp_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void rsp_put(struct rsp_buf *b, const void *v, size_t n)
{
	uint8_t *p = rsp_buf_room(b, n);

	if (p && n)
		memcpy(p, v, n);
}

static inline void rsp_put8(struct rsp_buf *b, uint8_t v)
{
	uint8_t *p = rsp_buf_room(b, 1);

	if (p)
		*p = v;
}

static inline void rsp_put16(struct rsp_buf *b, uint16_t v)
{
	uint8_t *p = rsp_buf_room(b, 2);

	if (p)
		rsp_be16(p, v);
}

static inline void rsp_put32(struct rsp_buf *b, uint32_t v)
{
	uint8_t *p = rsp_buf_room(b, 4);

	if (p) {
		rsp_be16(p, v >> 16);
		rsp_be16(p + 2, v);
	}
}

/* Opens a parameter; rsp_tlv_end() sets its length and pads it. */
static inline size_t rsp_tlv_begin(struct rsp_buf *b, uint16_t type)
{
	size_t start = b->len;
	uint8_t *p = rsp_buf_room(b, 4);

	if (p) {
		rsp_be16(p, type);
		rsp_be16(p + 2, 0);
	}
	return start;
}

/*
 * Ends what began at @start with a 16-bit length at @start + 2 that
 * counts neither the padding of the last inner parameter nor its own
 * (RFC 5354 section 2), then pads to 4.
 */
static inline void rsp_tlv_end(struct rsp_buf *b, size_t start)
{
	size_t len, pad;
	uint8_t *p;

	if (b->failed)
		return;
	len = b->len - b->pad - start;
	rsp_be16(b->p + start + 2, len);
	pad = (4 - (b->len & 3)) & 3;
	if (pad) {
		p = rsp_buf_room(b, pad);
		if (p)
			memset(p, 0, pad);
	}
	b->pad = b->len - (start + len);
}

/* The same for a message: length without the final padding. */
static inline size_t rsp_msg_begin(struct rsp_buf *b, uint8_t type,
				   uint8_t flags)
{
	size_t start = b->len;
	uint8_t *p = rsp_buf_room(b, 4);

	if (p) {
		p[0] = type;
		p[1] = flags;
		rsp_be16(p + 2, 0);
	}
	return start;
}

static inline void rsp_msg_end(struct rsp_buf *b, size_t start)
{
	rsp_tlv_end(b, start);
}

#endif /* RSP_TLV_H */
