/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RSP_JSON_H
#define RSP_JSON_H

#include <stdint.h>

/* A small JSON writer on stdout; keys are NULL inside arrays. */
extern int json_pretty;		/* indent, one member a line */
void json_open(const char *key, char brace);
void json_close(char brace);
void json_str(const char *key, const char *val);
void json_u64(const char *key, uint64_t val);
void json_bool(const char *key, int val);
void json_end_line(void);	/* after a top-level value */

#endif
