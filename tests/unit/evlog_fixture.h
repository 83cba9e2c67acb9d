/* SPDX-License-Identifier: MIT */
/* For the --iommu-log tests: a temporary log file, its lines read back, a
 * small JSON checker (one value per line: objects, arrays, strings with
 * escapes, numbers, true, false, null; nothing after it), and the line
 * without its "ts" key for exact comparisons. */
#ifndef TESTS_UNIT_EVLOG_FIXTURE_H
#define TESTS_UNIT_EVLOG_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iommu/evlog.h"

#define EVT_LINE  1100
#define EVT_LINES 8192

struct evt {
	char path[64];
	struct evlog *log;
	char (*line)[EVT_LINE]; /* after evt_read */
	unsigned n;
};

static inline void evt_open(struct evt *t)
{
	int fd;

	snprintf(t->path, sizeof(t->path), "/tmp/evlog-test.XXXXXX");
	fd = mkstemp(t->path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(evlog_open(t->path, &t->log), 0);
	t->line = calloc(EVT_LINES, EVT_LINE);
	assert_non_null(t->line);
	t->n = 0;
}

static inline void evt_close(struct evt *t)
{
	evlog_close(t->log);
	unlink(t->path);
	free(t->line);
}

/* Read every line of the file (without its newline); a line without a
 * newline, or longer than EVT_LINE, fails the test. */
static inline void evt_read(struct evt *t)
{
	FILE *f = fopen(t->path, "r");
	char buf[EVT_LINE + 2];

	assert_non_null(f);
	t->n = 0;
	while (fgets(buf, sizeof(buf), f)) {
		size_t len = strlen(buf);

		assert_true(len > 0 && buf[len - 1] == '\n');
		assert_true(t->n < EVT_LINES);
		buf[len - 1] = 0;
		strcpy(t->line[t->n++], buf);
	}
	fclose(f);
}

/* How many lines contain s. */
static inline unsigned evt_count(const struct evt *t, const char *s)
{
	unsigned c = 0;

	for (unsigned i = 0; i < t->n; i++)
		c += strstr(t->line[i], s) != NULL;
	return c;
}

/* --- a JSON checker ----------------------------------------------------- */

static bool json_value(const char **p, unsigned depth);

static inline void json_ws(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
		(*p)++;
}

static inline bool json_string(const char **p)
{
	if (**p != '"')
		return false;
	for ((*p)++; **p != '"'; (*p)++) {
		unsigned char c = (unsigned char)**p;

		if (c < 0x20)
			return false; /* unescaped control character (or the end) */
		if (c != '\\')
			continue;
		(*p)++;
		if (**p == 'u') {
			for (int i = 0; i < 4; i++)
				if (!isxdigit((unsigned char)*++(*p)))
					return false;
		} else if (!strchr("\"\\/bfnrt", **p) || !**p) {
			return false;
		}
	}
	(*p)++;
	return true;
}

static inline bool json_number(const char **p)
{
	const char *s = *p;

	if (**p == '-')
		(*p)++;
	if (**p == '0')
		(*p)++;
	else if (**p >= '1' && **p <= '9')
		while (isdigit((unsigned char)**p))
			(*p)++;
	else
		return false;
	if (**p == '.') {
		(*p)++;
		if (!isdigit((unsigned char)**p))
			return false;
		while (isdigit((unsigned char)**p))
			(*p)++;
	}
	if (**p == 'e' || **p == 'E') {
		(*p)++;
		if (**p == '+' || **p == '-')
			(*p)++;
		if (!isdigit((unsigned char)**p))
			return false;
		while (isdigit((unsigned char)**p))
			(*p)++;
	}
	return *p > s;
}

static inline bool json_word(const char **p, const char *w)
{
	size_t n = strlen(w);

	if (strncmp(*p, w, n))
		return false;
	*p += n;
	return true;
}

/* An object or an array (open/close), members separated by commas. */
static inline bool json_container(const char **p, unsigned depth, char close)
{
	(*p)++;
	json_ws(p);
	if (**p == close) {
		(*p)++;
		return true;
	}
	for (;;) {
		if (close == '}') {
			if (!json_string(p))
				return false;
			json_ws(p);
			if (*(*p)++ != ':')
				return false;
		}
		if (!json_value(p, depth + 1))
			return false;
		json_ws(p);
		if (**p == close) {
			(*p)++;
			return true;
		}
		if (*(*p)++ != ',')
			return false;
	}
}

static bool json_value(const char **p, unsigned depth)
{
	if (depth > 16)
		return false;
	json_ws(p);
	switch (**p) {
	case '{': return json_container(p, depth, '}');
	case '[': return json_container(p, depth, ']');
	case '"': return json_string(p);
	case 't': return json_word(p, "true");
	case 'f': return json_word(p, "false");
	case 'n': return json_word(p, "null");
	default: return json_number(p);
	}
}

/* True when s is one JSON object and nothing else. */
static inline bool json_object_line(const char *s)
{
	const char *p = s;

	json_ws(&p);
	if (*p != '{' || !json_value(&p, 0))
		return false;
	json_ws(&p);
	return *p == 0;
}

/* The line after its "ts" key, which must be {"ts":<digits>.<6 digits>,
 * or NULL when it does not start so. */
static inline const char *evt_after_ts(const char *s)
{
	const char *p = s;

	if (strncmp(p, "{\"ts\":", 6))
		return NULL;
	p += 6;
	if (!isdigit((unsigned char)*p))
		return NULL;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p++ != '.')
		return NULL;
	for (int i = 0; i < 6; i++)
		if (!isdigit((unsigned char)*p++))
			return NULL;
	return *p == ',' ? p + 1 : NULL;
}

/* The timestamp of a line, in microseconds. */
static inline uint64_t evt_ts_us(const char *s)
{
	unsigned long long sec = 0, us = 0;

	assert_int_equal(sscanf(s, "{\"ts\":%llu.%6llu,", &sec, &us), 2);
	return sec * 1000000u + us;
}

#endif
