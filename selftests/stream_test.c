// SPDX-License-Identifier: GPL-2.0
/*
 * rserpoold's message streams (ASAP and ENRP over TCP), framed by the
 * messages' own length field: whatever pieces the bytes come in, every
 * message reaches the callback whole and once; a stream keeps no buffer
 * between messages and no more than what came of one begun; bad framing
 * and a callback that gives the stream up end it.  Over a socketpair, on
 * the host, under AddressSanitizer.  kselftest harness.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include "stream.h"
#include "tlv.h"
#include "kselftest_harness.h"

#define MAX_GOT 256

struct got {
	unsigned int n;
	size_t len[MAX_GOT];
	uint8_t first[MAX_GOT], last[MAX_GOT];
	int bad;			/* a message not as sent */
	unsigned int stop_at;		/* stop the stream at this one (1..) */
};

/* Message of @len bytes, type @type, its body bytes (i + type) & 0xff. */
static size_t make(uint8_t *b, uint8_t type, size_t len)
{
	size_t i;

	b[0] = type;
	b[1] = 0;
	b[2] = len >> 8;
	b[3] = len & 0xff;
	for (i = 4; i < len; i++)
		b[i] = (i + type) & 0xff;
	memset(b + len, 0, (4 - len % 4) % 4);
	return (len + 3) & ~(size_t)3;
}

static void on_msg(void *arg, struct rsp_stream *s, const uint8_t *p,
		   size_t len)
{
	struct got *g = arg;
	size_t i;

	for (i = 4; i < len; i++)
		if (p[i] != ((i + p[0]) & 0xff))
			g->bad = 1;
	if (rsp_get16(p + 2) != len)
		g->bad = 1;
	if (g->n < MAX_GOT) {
		g->len[g->n] = len;
		g->first[g->n] = p[0];
	}
	g->n++;
	if (g->n == g->stop_at)
		rsp_stream_stop(s);
}

FIXTURE(stream) {
	int sv[2], ep;
	struct rsp_stream s;
	struct got g;
};

FIXTURE_SETUP(stream)
{
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
				self->sv));
	self->ep = epoll_create1(0);
	ASSERT_LE(0, self->ep);
	memset(&self->s, 0, sizeof(self->s));
	memset(&self->g, 0, sizeof(self->g));
	ASSERT_EQ(0, rsp_stream_open(&self->s, self->ep, self->sv[0], 0));
	self->s.msg = on_msg;
	self->s.arg = &self->g;
}

FIXTURE_TEARDOWN(stream)
{
	rsp_stream_close(&self->s);
	if (self->sv[1] >= 0)
		close(self->sv[1]);
	close(self->ep);
}

/* Writes @n bytes of @p in pieces of @piece, reading after each. */
static int feed(struct rsp_stream *s, int fd, const uint8_t *p, size_t n,
		size_t piece)
{
	size_t off, k;
	int r = 0;

	for (off = 0; off < n && !r; off += k) {
		k = n - off < piece ? n - off : piece;
		if (write(fd, p + off, k) != (ssize_t)k)
			return -2;
		r = rsp_stream_event(s, EPOLLIN);
	}
	return r;
}

/* Three messages a byte at a time: each whole, and no buffer kept after. */
TEST_F(stream, byte_by_byte)
{
	static uint8_t b[1024];
	size_t n = 0, ends[3], i;

	n += make(b + n, 1, 4);
	ends[0] = n;
	n += make(b + n, 2, 5);		/* padded to 8 */
	ends[1] = n;
	n += make(b + n, 3, 301);
	ends[2] = n;
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, feed(&self->s, self->sv[1], b + i, 1, 1));
		if (i + 1 == ends[0] || i + 1 == ends[1] || i + 1 == ends[2]) {
			EXPECT_EQ(NULL, self->s.part);
			EXPECT_EQ(0, self->s.have);
		} else {
			EXPECT_EQ(i + 1 - (i >= ends[1] ? ends[1] :
					   i >= ends[0] ? ends[0] : 0),
				  self->s.have);
		}
	}
	ASSERT_EQ(3, self->g.n);
	EXPECT_EQ(0, self->g.bad);
	EXPECT_EQ(4, self->g.len[0]);
	EXPECT_EQ(5, self->g.len[1]);
	EXPECT_EQ(301, self->g.len[2]);
	EXPECT_EQ(3, self->g.first[2]);
}

/* A hundred messages in one write: a hundred calls, nothing kept. */
TEST_F(stream, many_in_one_read)
{
	static uint8_t b[100 * 64];
	size_t n = 0;
	int i;

	for (i = 0; i < 100; i++)
		n += make(b + n, i, 4 + i % 57);
	ASSERT_EQ(0, feed(&self->s, self->sv[1], b, n, n));
	EXPECT_EQ(100, self->g.n);
	EXPECT_EQ(0, self->g.bad);
	EXPECT_EQ(4 + 99 % 57, self->g.len[99]);
	EXPECT_EQ(NULL, self->s.part);
}

/*
 * The longest message there can be, in pieces of 1000 that straddle the
 * next one: whole, and the part kept never past what it has to hold.
 */
TEST_F(stream, longest_in_pieces)
{
	static uint8_t b[65536 + 64];
	size_t n = 0, off;

	n += make(b, 7, 65535);
	n += make(b + n, 8, 40);
	for (off = 0; off < n; off += 1000) {
		ASSERT_EQ(0, feed(&self->s, self->sv[1], b + off,
				  n - off < 1000 ? n - off : 1000, 1000));
		EXPECT_GE(65536, self->s.pcap);
	}
	ASSERT_EQ(2, self->g.n);
	EXPECT_EQ(0, self->g.bad);
	EXPECT_EQ(65535, self->g.len[0]);
	EXPECT_EQ(40, self->g.len[1]);
	EXPECT_EQ(NULL, self->s.part);
}

/*
 * A header that says 65535 bytes and ten of them: the stream holds
 * about what came, not the 64 KB the message will take.
 */
TEST_F(stream, holds_what_came)
{
	static uint8_t b[65536];

	make(b, 9, 65535);
	ASSERT_EQ(0, feed(&self->s, self->sv[1], b, 14, 14));
	EXPECT_EQ(14, self->s.have);
	EXPECT_GE(256, self->s.pcap);
	EXPECT_EQ(0, self->g.n);
}

/* A header in two pieces, then the rest of its message. */
TEST_F(stream, split_header)
{
	uint8_t b[8];

	make(b, 10, 6);
	ASSERT_EQ(0, feed(&self->s, self->sv[1], b, 2, 2));
	EXPECT_EQ(2, self->s.have);
	EXPECT_EQ(0, self->g.n);
	ASSERT_EQ(0, feed(&self->s, self->sv[1], b + 2, 6, 6));
	EXPECT_EQ(1, self->g.n);
	EXPECT_EQ(6, self->g.len[0]);
	EXPECT_EQ(0, self->g.bad);
	EXPECT_EQ(NULL, self->s.part);
}

/* A length under the header's own: no way on, the stream ends. */
TEST_F(stream, bad_framing)
{
	uint8_t b[16];

	make(b, 1, 8);
	make(b + 8, 2, 8);
	b[10] = 0;
	b[11] = 3;
	EXPECT_EQ(-1, feed(&self->s, self->sv[1], b, 16, 16));
	EXPECT_EQ(1, self->g.n);
	EXPECT_EQ(1, self->s.dropped);
}

/* ... and so when the bad header completes a part kept. */
TEST_F(stream, bad_framing_kept)
{
	uint8_t b[16];

	make(b, 1, 8);
	make(b + 8, 2, 8);
	b[10] = 0;
	b[11] = 2;
	EXPECT_EQ(0, feed(&self->s, self->sv[1], b, 9, 9));
	EXPECT_EQ(-1, feed(&self->s, self->sv[1], b + 9, 7, 7));
	EXPECT_EQ(1, self->g.n);
	EXPECT_EQ(1, self->s.dropped);
}

/* A callback that gives its stream up: nothing more is handed on. */
TEST_F(stream, stopped_by_its_callback)
{
	uint8_t b[64];
	size_t n = 0;

	n += make(b + n, 1, 8);
	n += make(b + n, 2, 8);
	n += make(b + n, 3, 8);
	self->g.stop_at = 2;
	EXPECT_EQ(-1, feed(&self->s, self->sv[1], b, n, n));
	EXPECT_EQ(2, self->g.n);
}

/* ... also when the message it stops at is the part kept. */
TEST_F(stream, stopped_on_a_part)
{
	uint8_t b[64];
	size_t n = 0;

	n += make(b + n, 1, 20);
	n += make(b + n, 2, 8);
	self->g.stop_at = 1;
	EXPECT_EQ(0, feed(&self->s, self->sv[1], b, 10, 10));
	EXPECT_EQ(-1, feed(&self->s, self->sv[1], b + 10, n - 10, n));
	EXPECT_EQ(1, self->g.n);
}

/* The other end closes: the stream is over. */
TEST_F(stream, closed)
{
	uint8_t b[8];

	make(b, 1, 8);
	EXPECT_EQ(0, feed(&self->s, self->sv[1], b, 4, 4));
	close(self->sv[1]);
	self->sv[1] = -1;
	EXPECT_EQ(-1, rsp_stream_event(&self->s, EPOLLIN));
	EXPECT_EQ(0, self->g.n);
}

/* What an idle connection costs: the struct, no buffer. */
TEST(idle_size)
{
	EXPECT_GE(128, sizeof(struct rsp_stream));
}

TEST_HARNESS_MAIN
