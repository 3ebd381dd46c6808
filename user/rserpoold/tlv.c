// SPDX-License-Identifier: GPL-2.0
/* RFC 5354 framing: see tlv.h. */
#include <stdlib.h>
#include <string.h>
#include "tlv.h"

int rsp_tlv_next(const uint8_t **p, size_t *n, struct rsp_tlv *t)
{
	size_t len, padded;

	if (!*n)
		return 0;
	if (*n < RSP_TLV_HDR)
		return -1;
	len = rsp_get16(*p + 2);
	if (len < RSP_TLV_HDR || len > *n)
		return -1;
	t->type = rsp_get16(*p);
	t->len = len - RSP_TLV_HDR;
	t->val = *p + RSP_TLV_HDR;
	/* The last parameter may come without its padding. */
	padded = (len + 3) & ~(size_t)3;
	if (padded > *n)
		padded = *n;
	*p += padded;
	*n -= padded;
	return 1;
}

int rsp_msg_header(const uint8_t *p, size_t n, uint8_t *type,
		   uint8_t *flags, size_t *len)
{
	if (n < RSP_MSG_HDR)
		return -1;
	*len = rsp_get16(p + 2);
	if (*len < RSP_MSG_HDR || *len > n)
		return -1;
	*type = p[0];
	*flags = p[1];
	return 0;
}

void rsp_buf_init(struct rsp_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void rsp_buf_free(struct rsp_buf *b)
{
	free(b->p);
	rsp_buf_init(b);
}

static uint8_t *grow(struct rsp_buf *b, size_t n)
{
	if (b->failed)
		return NULL;
	if (b->len + n > RSP_MSG_MAX + 3) {
		b->failed = 1;
		return NULL;
	}
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		uint8_t *p;

		while (cap < b->len + n)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->failed = 1;
			return NULL;
		}
		b->p = p;
		b->cap = cap;
	}
	b->len += n;
	b->pad = 0;
	return b->p + b->len - n;
}

/*
 * @n bytes more at the end, or NULL (and @b failed).  Most calls fit the
 * buffer: answers are encoded field by field, a few bytes each.
 */
static inline uint8_t *room(struct rsp_buf *b, size_t n)
{
	size_t len = b->len + n;

	if (len > b->cap || len > RSP_MSG_MAX + 3 || b->failed)
		return grow(b, n);
	b->len = len;
	b->pad = 0;
	return b->p + len - n;
}

void rsp_buf_reset(struct rsp_buf *b)
{
	b->len = 0;
	b->pad = 0;
	b->failed = 0;
}

void rsp_put(struct rsp_buf *b, const void *v, size_t n)
{
	uint8_t *p = room(b, n);

	if (p && n)
		memcpy(p, v, n);
}

void rsp_put8(struct rsp_buf *b, uint8_t v)
{
	uint8_t *p = room(b, 1);

	if (p)
		*p = v;
}

static inline void be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

void rsp_put16(struct rsp_buf *b, uint16_t v)
{
	uint8_t *p = room(b, 2);

	if (p)
		be16(p, v);
}

void rsp_put32(struct rsp_buf *b, uint32_t v)
{
	uint8_t *p = room(b, 4);

	if (p) {
		be16(p, v >> 16);
		be16(p + 2, v);
	}
}

/*
 * Ends what began at @start with a 16-bit length at @start + 2 that
 * counts neither the padding of the last inner parameter nor its own
 * (RFC 5354 section 2), then pads to 4.
 */
static void end(struct rsp_buf *b, size_t start)
{
	size_t len, pad;

	if (b->failed)
		return;
	len = b->len - b->pad - start;
	b->p[start + 2] = len >> 8;
	b->p[start + 3] = len;
	pad = (4 - (b->len & 3)) & 3;
	if (pad) {
		uint8_t *p = room(b, pad);

		if (p)
			memset(p, 0, pad);
	}
	b->pad = b->len - (start + len);
}

size_t rsp_tlv_begin(struct rsp_buf *b, uint16_t type)
{
	size_t start = b->len;
	uint8_t *p = room(b, 4);

	if (p) {
		be16(p, type);
		be16(p + 2, 0);
	}
	return start;
}

void rsp_tlv_end(struct rsp_buf *b, size_t start)
{
	end(b, start);
}

size_t rsp_msg_begin(struct rsp_buf *b, uint8_t type, uint8_t flags)
{
	size_t start = b->len;
	uint8_t *p = room(b, 4);

	if (p) {
		p[0] = type;
		p[1] = flags;
		be16(p + 2, 0);
	}
	return start;
}

void rsp_msg_end(struct rsp_buf *b, size_t start)
{
	end(b, start);
}
