// SPDX-License-Identifier: MIT
#include "cmdline.h"

#include "bootinfo.h"
#include "string.h"

/* Find the value of key: returns a pointer after "key=" (or at the end of
 * a bare "key"), or NULL. The scan is bounded by the copied cmdline. */
static const char *find(const char *key, size_t *vlen)
{
	const char *p = boot_info.cmdline;
	size_t klen = strlen(key);

	while (*p) {
		const char *tok = p;
		size_t tlen = 0;

		while (tok[tlen] && tok[tlen] != ' ')
			tlen++;
		p = tok + tlen;
		while (*p == ' ')
			p++;
		if (tlen < klen || strncmp(tok, key, klen))
			continue;
		if (tlen == klen) {
			*vlen = 0;
			return tok + tlen;
		}
		if (tok[klen] == '=') {
			*vlen = tlen - klen - 1;
			return tok + klen + 1;
		}
	}
	return NULL;
}

const char *cmdline_get(const char *key, char *buf, size_t len)
{
	size_t vlen;
	const char *v = find(key, &vlen);

	if (!v || !len)
		return NULL;
	if (vlen >= len)
		vlen = len - 1;
	memcpy(buf, v, vlen);
	buf[vlen] = '\0';
	return buf;
}

bool cmdline_get_u64(const char *key, uint64_t *out)
{
	char buf[32];
	const char *end;
	uint64_t v;

	if (!cmdline_get(key, buf, sizeof(buf)))
		return false;
	v = strtou64(buf, &end, 0);
	if (end == buf)
		return false;
	switch (*end) {
	case 'G':
	case 'g': v <<= 10; /* fall through */
	case 'M':
	case 'm': v <<= 10; /* fall through */
	case 'K':
	case 'k':
		v <<= 10;
		end++;
		break;
	}
	if (*end)
		return false;
	*out = v;
	return true;
}

uint64_t cmdline_u64(const char *key, uint64_t dflt)
{
	uint64_t v;

	return cmdline_get_u64(key, &v) ? v : dflt;
}

bool cmdline_has(const char *key)
{
	size_t vlen;

	return find(key, &vlen) != NULL;
}
