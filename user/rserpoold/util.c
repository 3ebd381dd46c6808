// SPDX-License-Identifier: GPL-2.0
/* The clock and the log: see util.h. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include "util.h"

uint64_t rsp_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void rsp_log(int verbose, int level, const char *prefix, const char *fmt,
	     ...)
{
	va_list ap;

	if (level > verbose)
		return;
	fprintf(stderr, "rserpoold: %s", prefix);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
