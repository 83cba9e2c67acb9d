/* SPDX-License-Identifier: MIT */
/* AML names: NameString encoding, EISAID, Name() helpers (see aml.h). */
#include <errno.h>
#include <string.h>

#include "vmm/acpi/aml.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void aml_eisaid(struct aml *a, const char *id)
{
	uint32_t v = 0;

	if (strlen(id) != 7) {
		aml_fail(a, -EINVAL);
		return;
	}
	/* Three 5-bit letters ('A' = 1), then four 4-bit digits, stored
	 * big-endian in the DWord. */
	for (int i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z') {
			aml_fail(a, -EINVAL);
			return;
		}
		v = (v << 5) | (uint32_t)(id[i] - 'A' + 1);
	}
	for (int i = 3; i < 7; i++) {
		int h = hexval(id[i]);

		if (h < 0) {
			aml_fail(a, -EINVAL);
			return;
		}
		v = (v << 4) | (uint32_t)h;
	}
	aml_integer(a, __builtin_bswap32(v));
}

static bool nameseg_char_ok(char c, bool first)
{
	if ((c >= 'A' && c <= 'Z') || c == '_')
		return true;
	return !first && c >= '0' && c <= '9';
}

void aml_name_string(struct aml *a, const char *name)
{
	uint8_t segs[255][4];
	size_t nseg = 0;
	const char *p = name;

	if (*p == '\\') {
		aml_byte(a, AML_ROOT_CHAR);
		p++;
	} else {
		while (*p == '^') {
			aml_byte(a, AML_PARENT_CHAR);
			p++;
		}
	}
	while (*p) {
		size_t n = 0;

		if (nseg == ARRAY_SIZE(segs)) {
			aml_fail(a, -EINVAL);
			return;
		}
		for (; *p && *p != '.'; p++, n++) {
			if (n == 4 || !nameseg_char_ok(*p, n == 0)) {
				aml_fail(a, -EINVAL);
				return;
			}
			segs[nseg][n] = (uint8_t)*p;
		}
		if (n == 0 || (*p == '.' && !p[1])) {
			aml_fail(a, -EINVAL); /* empty segment */
			return;
		}
		for (; n < 4; n++)
			segs[nseg][n] = '_';
		nseg++;
		if (*p == '.')
			p++;
	}
	if (nseg == 0) {
		aml_byte(a, AML_ZERO_OP); /* NullName */
		return;
	}
	if (nseg == 2) {
		aml_byte(a, AML_DUAL_NAME_PREFIX);
	} else if (nseg > 2) {
		aml_byte(a, AML_MULTI_NAME_PREFIX);
		aml_byte(a, (uint8_t)nseg);
	}
	aml_bytes(a, segs, nseg * 4);
}

void aml_name(struct aml *a, const char *name)
{
	aml_byte(a, AML_NAME_OP);
	aml_name_string(a, name);
}

void aml_name_integer(struct aml *a, const char *name, uint64_t v)
{
	aml_name(a, name);
	aml_integer(a, v);
}

void aml_name_str(struct aml *a, const char *name, const char *s)
{
	aml_name(a, name);
	aml_string(a, s);
}

void aml_name_eisaid(struct aml *a, const char *name, const char *id)
{
	aml_name(a, name);
	aml_eisaid(a, id);
}
