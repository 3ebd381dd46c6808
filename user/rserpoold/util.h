/* SPDX-License-Identifier: GPL-2.0 */
/* What every part of the daemon uses: the clock and the log. */
#ifndef RSP_UTIL_H
#define RSP_UTIL_H

#include <stdint.h>

/* CLOCK_MONOTONIC in milliseconds: every timer of the daemon. */
uint64_t rsp_now_ms(void);

/*
 * Logs "rserpoold: " @prefix and the message on stderr if @level is at
 * most @verbose (0: always, 1: -v, 2: -vv, 3: -vvv).
 */
void rsp_log(int verbose, int level, const char *prefix, const char *fmt,
	     ...) __attribute__((format(printf, 4, 5)));

#endif /* RSP_UTIL_H */
