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

uint8_t *rsp_buf_grow(struct rsp_buf *b, size_t n)
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

void rsp_buf_reset(struct rsp_buf *b)
{
	b->len = 0;
	b->pad = 0;
	b->failed = 0;
}

