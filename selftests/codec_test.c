// SPDX-License-Identifier: GPL-2.0
/*
 * The ASAP/ENRP codec of rserpoold against real bytes: every ASAP and ENRP
 * message of a capture of rsplib (selftests/data) decodes and encodes
 * back to the same bytes; every truncation of them is refused or decoded
 * without reading past the end (built with AddressSanitizer); unknown
 * parameters follow their action bits.  kselftest harness, on the host.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "checksum.h"
#include "msg.h"
#include "pe.h"
#include "kselftest_harness.h"

#define CAPTURE "selftests/data/rsplib-asap-enrp.pcapng"
#define MAX_MSGS 512

struct capture_msg {
	uint8_t ppid;
	size_t len;
	uint8_t *data;
};

static struct capture_msg msgs[MAX_MSGS];
static unsigned int nmsgs;

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The SCTP DATA chunks with PPID 11 or 12 of one Ethernet frame. */
static void frame(const uint8_t *f, size_t n)
{
	const uint8_t *l4;
	size_t len, o;

	if (n < 14)
		return;
	f += 14;
	n -= 14;
	if (f[-2] == 0x08 && f[-1] == 0x00 && n >= 20 && f[9] == 132) {
		len = rsp_get16(f + 2);
		l4 = f + (f[0] & 15) * 4;
		len = len > n ? 0 : len - (l4 - f);
	} else if (f[-2] == 0x86 && f[-1] == 0xdd && n >= 40 && f[6] == 132) {
		len = rsp_get16(f + 4);
		l4 = f + 40;
		len = len > n - 40 ? 0 : len;
	} else {
		return;
	}
	for (o = 12; o + 16 <= len;) {
		size_t cl = rsp_get16(l4 + o + 2);
		uint32_t ppid = rsp_get32(l4 + o + 12);

		if (cl < 4 || o + cl > len)
			return;
		if (l4[o] == 0 && cl > 16 && (ppid == 11 || ppid == 12) &&
		    nmsgs < MAX_MSGS) {
			msgs[nmsgs].ppid = ppid;
			msgs[nmsgs].len = cl - 16;
			msgs[nmsgs].data = malloc(cl - 16);
			memcpy(msgs[nmsgs].data, l4 + o + 16, cl - 16);
			nmsgs++;
		}
		o += (cl + 3) & ~(size_t)3;
	}
}

/* pcapng: Enhanced Packet Blocks (type 6) hold the frames. */
static int load(void)
{
	FILE *f = fopen(CAPTURE, "rb");
	static uint8_t d[1 << 20];
	size_t n, o;

	if (!f)
		return -1;
	n = fread(d, 1, sizeof(d), f);
	fclose(f);
	for (o = 0; o + 12 <= n;) {
		uint32_t type = le32(d + o), blen = le32(d + o + 4);

		if (blen < 12 || o + blen > n)
			return -1;
		if (type == 6 && blen >= 32 && le32(d + o + 20) <= blen - 32)
			frame(d + o + 28, le32(d + o + 20));
		o += blen;
	}
	return 0;
}

/* With $RSP_CORPUS set, the captured messages seed the fuzzer there. */
static void seed(unsigned int i)
{
	const char *dir = getenv("RSP_CORPUS");
	char path[512];
	uint8_t ppid;
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/capture-%03u", dir, i);
	f = fopen(path, "wb");
	if (!f)
		return;
	/* codec_fuzz: an odd first byte means ENRP. */
	ppid = msgs[i].ppid == RSP_PPID_ENRP;
	fwrite(&ppid, 1, 1, f);
	fwrite(msgs[i].data, 1, msgs[i].len, f);
	fclose(f);
}

TEST(every_captured_message_round_trips)
{
	unsigned int i, asap = 0, enrp = 0;
	static struct rsp_msg m;

	ASSERT_EQ(0, load());
	ASSERT_GT(nmsgs, 60);
	for (i = 0; i < nmsgs; i++) {
		struct rsp_buf b;
		size_t len = rsp_get16(msgs[i].data + 2);

		ASSERT_EQ(RSP_DECODE_OK, rsp_msg_decode(&m, msgs[i].ppid,
							msgs[i].data,
							msgs[i].len))
			TH_LOG("message %u (ppid %u type %u)", i,
			       msgs[i].ppid, msgs[i].data[0]);
		rsp_buf_init(&b);
		rsp_msg_encode(&b, &m);
		ASSERT_FALSE(b.failed);
		EXPECT_EQ(len, b.len - b.pad);
		EXPECT_EQ(0, memcmp(b.p, msgs[i].data, len))
			TH_LOG("message %u (ppid %u type %u) differs", i,
			       msgs[i].ppid, msgs[i].data[0]);
		seed(i);
		if (msgs[i].ppid == RSP_PPID_ASAP)
			asap++;
		else
			enrp++;
		rsp_buf_free(&b);
		rsp_msg_free(&m);
	}
	TH_LOG("%u ASAP and %u ENRP messages", asap, enrp);
	EXPECT_GT(asap, 0);
	EXPECT_GT(enrp, 0);
}

/*
 * Every prefix of every message, with its length field set to the prefix:
 * the decoder sees parameters cut anywhere.  It must refuse them or, when
 * the cut falls between parameters, give back exactly those bytes; ASan
 * watches for any read past the copy.
 */
TEST(every_truncation_is_refused_or_exact)
{
	static struct rsp_msg m;
	unsigned int i, accepted = 0, refused = 0;
	size_t cut;

	ASSERT_EQ(0, load());
	for (i = 0; i < nmsgs; i++) {
		size_t len = rsp_get16(msgs[i].data + 2);

		for (cut = 0; cut < len; cut++) {
			uint8_t *p = malloc(cut ? cut : 1);
			struct rsp_buf b;

			memcpy(p, msgs[i].data, cut);
			if (cut >= 4) {
				p[2] = cut >> 8;
				p[3] = cut;
			}
			if (rsp_msg_decode(&m, msgs[i].ppid, p, cut)) {
				refused++;
				free(p);
				continue;
			}
			/*
			 * Whole parameters, perhaps with a length that
			 * counts (some of) the padding: the same bytes.
			 */
			accepted++;
			rsp_buf_init(&b);
			rsp_msg_encode(&b, &m);
			EXPECT_TRUE(cut >= b.len - b.pad && cut <= b.len);
			EXPECT_EQ(0, memcmp(b.p, p, 2));
			EXPECT_EQ(0, memcmp(b.p + 4, p + 4,
					    b.len - b.pad - 4));
			rsp_buf_free(&b);
			rsp_msg_free(&m);
			free(p);
		}
	}
	TH_LOG("%u prefixes refused, %u whole", refused, accepted);
	EXPECT_GT(refused, accepted);
}

/*
 * The PE checksum as rsplib computes it: a registrar's handle table
 * response lists the PEs it owns, and its next presence carries their
 * checksum.  Both come from the capture.
 */
TEST(pe_checksum_matches_rsplib)
{
	static struct rsp_msg m;
	uint64_t sum = RSP_CSUM_EMPTY;
	uint32_t owner = 0;
	unsigned int i, j, pes = 0, checked = 0;

	ASSERT_EQ(0, load());
	for (i = 0; i < nmsgs && !checked; i++) {
		if (msgs[i].ppid != RSP_PPID_ENRP ||
		    rsp_msg_decode(&m, RSP_PPID_ENRP, msgs[i].data,
				   msgs[i].len))
			continue;
		if (m.type == ENRP_HANDLE_TABLE_RESPONSE && !owner) {
			const struct rsp_param *h = NULL;

			owner = m.sender;
			for (j = 0; j < m.nparams; j++) {
				if (m.params[j].type == RSP_P_HANDLE)
					h = &m.params[j];
				else if (m.params[j].type == RSP_P_PE && h) {
					sum = rsp_csum_add(sum,
							   h->handle.data,
							   h->handle.len,
							   m.params[j].pe->id);
					pes++;
				}
			}
		} else if (m.type == ENRP_PRESENCE && owner &&
			   m.sender == owner) {
			for (j = 0; j < m.nparams; j++)
				if (m.params[j].type == RSP_P_CHECKSUM) {
					EXPECT_EQ(m.params[j].checksum,
						  rsp_csum_final(sum));
					checked++;
				}
		}
		rsp_msg_free(&m);
	}
	EXPECT_EQ(1, checked);
	EXPECT_GT(pes, 1);
	TH_LOG("%u PEs of %08x: checksum %04x", pes, owner,
	       rsp_csum_final(sum));
	/* The empty set, and taking every PE out again. */
	EXPECT_EQ(0xffff, rsp_csum_final(RSP_CSUM_EMPTY));
	sum = rsp_csum_add(RSP_CSUM_EMPTY, (const uint8_t *)"abc", 3, 7);
	sum = rsp_csum_add(sum, (const uint8_t *)"xy", 2, 0xffffffff);
	sum = rsp_csum_sub(sum, (const uint8_t *)"abc", 3, 7);
	EXPECT_EQ(rsp_csum_final(rsp_csum_add(RSP_CSUM_EMPTY,
					      (const uint8_t *)"xy", 2,
					      0xffffffff)),
		  rsp_csum_final(sum));
	sum = rsp_csum_sub(sum, (const uint8_t *)"xy", 2, 0xffffffff);
	EXPECT_EQ(0xffff, rsp_csum_final(sum));
}

/*
 * A PE that registered over ASAP/TCP: its ASAP transport is a TCP one,
 * and a handle update carrying it decodes to the same PE (a registrar
 * that dropped it would never learn such PEs from a peer).
 */
TEST(pe_with_tcp_asap_transport)
{
	static struct rsp_msg m, d;
	static struct rsp_p_pe pe = {
		.id = 1234, .home = 0x1111, .life = 3600000,
		.user = { .type = RSP_P_TCP, .port = 7, .naddrs = 1,
			  .addrs = { { RSP_P_IPV4, { 10, 0, 0, 4 } } } },
		.policy = { .type = 1 },
		.has_asap = 1,
		.asap = { .type = RSP_P_TCP, .port = 40000, .naddrs = 1,
			  .addrs = { { RSP_P_IPV4, { 10, 0, 0, 4 } } } },
	};
	const struct rsp_param *prm;
	struct rsp_buf b;

	rsp_msg_init(&m, RSP_PPID_ENRP, ENRP_HANDLE_UPDATE, 0);
	rsp_msg_add_handle(&m, (const uint8_t *)"Pool", 4);
	rsp_msg_add(&m, RSP_P_PE)->pe = &pe;
	rsp_buf_init(&b);
	rsp_msg_encode(&b, &m);
	ASSERT_FALSE(b.failed);
	ASSERT_EQ(RSP_DECODE_OK, rsp_msg_decode(&d, RSP_PPID_ENRP, b.p, b.len));
	prm = rsp_msg_find(&d, RSP_P_PE);
	ASSERT_NE(NULL, prm);
	EXPECT_EQ(1234, prm->pe->id);
	EXPECT_EQ(1, prm->pe->has_asap);
	EXPECT_EQ(RSP_P_TCP, prm->pe->asap.type);
	EXPECT_EQ(40000, prm->pe->asap.port);
	EXPECT_EQ(0, memcmp(prm->pe->asap.addrs[0].a, "\x0a\0\0\x04", 4));
	rsp_msg_free(&d);
	rsp_buf_free(&b);
}

/*
 * Every PE rsplib sent, through the registrar's own record and back: the
 * message re-encodes to the captured bytes, so nothing (policy words,
 * transport, addresses, life in ms) is lost on the way into the kernel.
 */
TEST(captured_pes_survive_the_record)
{
	static struct rsp_msg m;
	unsigned int i, j, pes = 0;

	ASSERT_EQ(0, load());
	for (i = 0; i < nmsgs; i++) {
		const struct rsp_param *h = NULL;
		size_t len = rsp_get16(msgs[i].data + 2);
		struct rsp_buf b;

		ASSERT_EQ(0, rsp_msg_decode(&m, msgs[i].ppid, msgs[i].data,
					    msgs[i].len));
		for (j = 0; j < m.nparams; j++) {
			struct rsp_pe_rec r;

			if (m.params[j].type == RSP_P_HANDLE)
				h = &m.params[j];
			if (m.params[j].type != RSP_P_PE || !h)
				continue;
			ASSERT_EQ(0, rsp_pe_from_wire(&r, h->handle.data,
						      h->handle.len,
						      m.params[j].pe));
			rsp_pe_to_wire(m.params[j].pe, &r);
			pes++;
		}
		rsp_buf_init(&b);
		rsp_msg_encode(&b, &m);
		EXPECT_EQ(0, memcmp(b.p, msgs[i].data, len));
		rsp_buf_free(&b);
		rsp_msg_free(&m);
	}
	TH_LOG("%u PEs", pes);
	EXPECT_GT(pes, 5);
}

/*
 * A record keeps the first RSP_ADDRS_MAX addresses of a PE's ASAP
 * transport, in order, and gives them back; the user transport's limit
 * is an error instead (above).
 */
TEST(asap_transport_keeps_its_first_addresses)
{
	static struct rsp_p_pe pe = {
		.id = 1, .life = 30000,
		.user = { .type = RSP_P_SCTP, .port = 7, .naddrs = 1,
			  .addrs = { { RSP_P_IPV4, { 10, 0, 0, 1 } } } },
		.policy = { .type = RSP_POLICY_RR },
		.has_asap = 1,
		.asap = { .type = RSP_P_SCTP, .port = 3863 },
	};
	struct rsp_pe_rec r;
	unsigned int i;

	for (i = 0; i < RSP_ADDRS_MAX + 4; i++)
		pe.asap.addrs[pe.asap.naddrs++] = (struct rsp_p_addr){
			RSP_P_IPV4, { 10, 1, 0, i + 1 } };
	ASSERT_EQ(0, rsp_pe_from_wire(&r, (const uint8_t *)"p", 1, &pe));
	ASSERT_EQ(RSP_ADDRS_MAX, r.asap.naddrs);
	EXPECT_EQ(3863, r.asap.port);
	EXPECT_EQ(RSP_P_SCTP, r.asap.type);
	EXPECT_EQ(RSP_ADDRS_MAX, r.asap.addrs[RSP_ADDRS_MAX - 1].a[3]);
	rsp_pe_to_wire(&pe, &r);
	ASSERT_EQ(RSP_ADDRS_MAX, pe.asap.naddrs);
	for (i = 0; i < RSP_ADDRS_MAX; i++)
		EXPECT_EQ(i + 1, pe.asap.addrs[i].a[3]);
	EXPECT_EQ(3863, pe.asap.port);
	EXPECT_EQ(1, pe.has_asap);
}

TEST(bad_pes_get_their_error_cause)
{
	struct rsp_p_pe pe = {
		.id = 1, .life = 30000,
		.user = { .type = RSP_P_TCP, .port = 7, .naddrs = 1,
			  .addrs = { { RSP_P_IPV4, { 10, 0, 0, 1 } } } },
		.policy = { .type = RSP_POLICY_LU, .nwords = 1, .w = { 5 } },
	};
	struct rsp_pe_rec r;

	ASSERT_EQ(0, rsp_pe_from_wire(&r, (const uint8_t *)"p", 1, &pe));
	EXPECT_EQ(IPPROTO_TCP, r.proto);
	EXPECT_EQ(5, r.param[RSP_POLICY_A_LOAD]);
	EXPECT_EQ(30000, r.lifetime_ms);
	pe.policy.nwords = 2;
	EXPECT_EQ(RSP_CAUSE_INVALID_VALUES,
		  rsp_pe_from_wire(&r, (const uint8_t *)"p", 1, &pe));
	pe.policy.nwords = 1;
	pe.policy.type = 0x12345;
	EXPECT_EQ(RSP_CAUSE_INVALID_VALUES,
		  rsp_pe_from_wire(&r, (const uint8_t *)"p", 1, &pe));
	pe.policy.type = RSP_POLICY_LU;
	EXPECT_EQ(RSP_CAUSE_INVALID_VALUES,
		  rsp_pe_from_wire(&r, (const uint8_t *)"p", 0, &pe));
	pe.user.type = RSP_P_SCTP;
	pe.user.use = 2;
	EXPECT_EQ(RSP_CAUSE_INCONSISTENT_USE,
		  rsp_pe_from_wire(&r, (const uint8_t *)"p", 1, &pe));
	pe.user.use = 0;
	pe.user.naddrs = RSP_ADDRS_MAX + 1;
	EXPECT_EQ(RSP_CAUSE_LACK_OF_RESOURCES,
		  rsp_pe_from_wire(&r, (const uint8_t *)"p", 1, &pe));
	pe.user.naddrs = 1;
	pe.life = -1;
	ASSERT_EQ(0, rsp_pe_from_wire(&r, (const uint8_t *)"p", 1, &pe));
	EXPECT_EQ(0, r.lifetime_ms);
}

/*
 * A handle resolution with one extra parameter of type @type; static, as
 * the decoded message points into it.
 */
static uint8_t msg_buf[20];

static enum rsp_decode_err with_param(struct rsp_msg *m, uint16_t type)
{
	const uint8_t msg[] = {
		ASAP_HANDLE_RESOLUTION, 0, 0, 20,
		0, RSP_P_HANDLE, 0, 8, 'e', 'c', 'h', 'o',
		type >> 8, type & 0xff, 0, 8, 1, 2, 3, 4,
	};

	memcpy(msg_buf, msg, sizeof(msg));
	return rsp_msg_decode(m, RSP_PPID_ASAP, msg_buf, sizeof(msg_buf));
}

TEST(unknown_parameters_follow_their_action_bits)
{
	static struct rsp_msg m;

	EXPECT_EQ(RSP_DECODE_UNKNOWN_PARAM, with_param(&m, 0x0077));
	EXPECT_EQ(0, m.unknown_reported);
	EXPECT_EQ(RSP_DECODE_UNKNOWN_PARAM, with_param(&m, 0x4077));
	EXPECT_EQ(1, m.unknown_reported);
	/* The parameter to report, whole: what the error cause carries. */
	ASSERT_EQ(8, m.unknown_len);
	EXPECT_EQ(0, memcmp(m.unknown, msg_buf + 12, 8));
	ASSERT_EQ(RSP_DECODE_OK, with_param(&m, 0x8077));
	EXPECT_EQ(0, m.unknown_reported);
	EXPECT_EQ(2, m.nparams);
	rsp_msg_free(&m);
	ASSERT_EQ(RSP_DECODE_OK, with_param(&m, 0xc077));
	EXPECT_EQ(1, m.unknown_reported);
	EXPECT_EQ(0xc0, m.unknown[0]);
	rsp_msg_free(&m);
}

TEST(malformed_parameters_are_refused)
{
	static struct rsp_msg m;
	/* A PE ID of 3 bytes; a parameter whose length runs past the end. */
	static const uint8_t short_id[] = {
		ASAP_DEREGISTRATION, 0, 0, 19,
		0, RSP_P_HANDLE, 0, 8, 'e', 'c', 'h', 'o',
		0, RSP_P_PE_ID, 0, 7, 1, 2, 3,
	};
	static const uint8_t overrun[] = {
		ASAP_DEREGISTRATION, 0, 0, 12,
		0, RSP_P_HANDLE, 0, 40, 'e', 'c', 'h', 'o',
	};

	EXPECT_EQ(RSP_DECODE_MALFORMED,
		  rsp_msg_decode(&m, RSP_PPID_ASAP, short_id,
				 sizeof(short_id)));
	EXPECT_EQ(RSP_DECODE_MALFORMED,
		  rsp_msg_decode(&m, RSP_PPID_ASAP, overrun, sizeof(overrun)));
}

TEST_HARNESS_MAIN
