// SPDX-License-Identifier: GPL-2.0
/* The ENRP PE checksum: see checksum.h. */
#include "checksum.h"

/*
 * One PE's words: the handle, then the PE ID in network order, as 16-bit
 * big-endian words.  An odd-length handle is padded with a zero byte
 * before the ID (not seen from rsplib yet: the pools in our capture have
 * even handles).
 */
static uint64_t pe_sum(const uint8_t *handle, size_t len, uint32_t pe_id)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)handle[i] << 8 | handle[i + 1];
	if (len & 1)
		s += (uint32_t)handle[len - 1] << 8;
	return s + (pe_id >> 16) + (pe_id & 0xffff);
}

uint64_t rsp_csum_add(uint64_t sum, const uint8_t *handle, size_t len,
		      uint32_t pe_id)
{
	return sum + pe_sum(handle, len, pe_id);
}

uint64_t rsp_csum_sub(uint64_t sum, const uint8_t *handle, size_t len,
		      uint32_t pe_id)
{
	return sum - pe_sum(handle, len, pe_id);
}

/* RFC 1071: fold the carries back in, then invert. */
uint16_t rsp_csum_final(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}
