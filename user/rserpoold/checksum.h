/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PE checksum of ENRP presence (RFC 5353): the Internet checksum (RFC
 * 1071) over the pool handle and PE ID of every PE a registrar owns.  The
 * sum is order-free and can take PEs out again, so a registrar keeps it up
 * to date per peer in O(1) instead of summing its table for each presence.
 */
#ifndef RSP_CHECKSUM_H
#define RSP_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/*
 * The running sum is a plain integer (the PEs' sums, unfolded), so that
 * taking a PE out is exact: folding at the end gives what summing the
 * set afresh gives, one's complement's two zeros included.
 */
#define RSP_CSUM_EMPTY	0

uint64_t rsp_csum_add(uint64_t sum, const uint8_t *handle, size_t len,
		      uint32_t pe_id);
uint64_t rsp_csum_sub(uint64_t sum, const uint8_t *handle, size_t len,
		      uint32_t pe_id);
/* The 16-bit value that goes on the wire. */
uint16_t rsp_csum_final(uint64_t sum);

#endif /* RSP_CHECKSUM_H */
