// SPDX-License-Identifier: MIT
#include "vmm/cli_kv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int cli_kv_split(char *s, struct cli_kv *kv)
{
	int n = 0;

	for (char *item = s; item; n++) {
		char *next = strchr(item, ',');

		if (next)
			*next++ = '\0';
		if (!*item)
			return -EINVAL;
		if (n == CLI_KV_MAX)
			return -E2BIG;
		kv[n].key = item;
		kv[n].val = strchr(item, '=');
		if (kv[n].val)
			*kv[n].val++ = '\0';
		item = next;
	}
	return n;
}

int cli_kv_bool(const char *v, bool *out)
{
	if (v && (!strcmp(v, "on") || !strcmp(v, "true")))
		*out = true;
	else if (v && (!strcmp(v, "off") || !strcmp(v, "false")))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

int cli_kv_mac(const char *v, uint8_t mac[6])
{
	unsigned b[6];
	char end;

	if (!v ||
	    sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &end) != 6 ||
	    strlen(v) != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

void cli_kv_vformat(char *err, size_t errlen, const char *fmt, va_list ap)
{
	vsnprintf(err, errlen, fmt, ap);
	for (char *s = err; errlen && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

int cli_kv_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_kv_vformat(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}
