// SPDX-License-Identifier: GPL-2.0
/* A JSON writer just large enough for rspctl's output. */
#include <stdio.h>
#include "json.h"

#define DEPTH 16

static int first[DEPTH] = { 1 };
static int depth;
int json_pretty;

static void indent(void)
{
	if (json_pretty)
		printf("\n%*s", 2 * depth, "");
}

static void sep(const char *key)
{
	if (!first[depth])
		putchar(',');
	if (depth)
		indent();
	first[depth] = 0;
	if (key)
		printf(json_pretty ? "\"%s\": " : "\"%s\":", key);
}

static void put_escaped(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

void json_open(const char *key, char brace)
{
	sep(key);
	putchar(brace);
	if (depth < DEPTH - 1)
		first[++depth] = 1;
}

void json_close(char brace)
{
	int empty = first[depth];

	if (depth)
		depth--;
	if (!empty)
		indent();
	putchar(brace);
}

void json_str(const char *key, const char *val)
{
	sep(key);
	put_escaped(val);
}

void json_u64(const char *key, uint64_t val)
{
	sep(key);
	printf("%llu", (unsigned long long)val);
}

void json_bool(const char *key, int val)
{
	sep(key);
	fputs(val ? "true" : "false", stdout);
}

void json_end_line(void)
{
	putchar('\n');
	first[0] = 1;
	depth = 0;
	fflush(stdout);
}
