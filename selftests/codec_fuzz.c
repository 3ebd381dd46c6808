// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the ASAP/ENRP codec: the first byte picks the
 * protocol, the rest is a message.  Whatever decodes must encode to bytes
 * that decode again to the same encoding; nothing may read out of bounds
 * (AddressSanitizer) or hit undefined behaviour (UBSan).  make check runs
 * it for a bounded time.
 */
#include <stdlib.h>
#include <string.h>
#include "msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rsp_msg m, again;
	struct rsp_buf a, b;
	uint8_t ppid;

	if (size < 1)
		return 0;
	ppid = data[0] & 1 ? RSP_PPID_ENRP : RSP_PPID_ASAP;
	if (rsp_msg_decode(&m, ppid, data + 1, size - 1))
		return 0;
	rsp_buf_init(&a);
	rsp_msg_encode(&a, &m);
	rsp_msg_free(&m);
	if (a.failed)
		abort();
	if (rsp_msg_decode(&again, ppid, a.p, a.len))
		abort();
	rsp_buf_init(&b);
	rsp_msg_encode(&b, &again);
	rsp_msg_free(&again);
	if (b.len != a.len || memcmp(a.p, b.p, a.len))
		abort();
	rsp_buf_free(&a);
	rsp_buf_free(&b);
	return 0;
}
