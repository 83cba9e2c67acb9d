/* SPDX-License-Identifier: MIT */
/* The AML encoder core: buffer, names, data objects, nesting (see aml.h).
 * Resource descriptors are in aml_resource.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/acpi/aml.h"

enum { AML_K_PKG, AML_K_BUFFER, AML_K_RESOURCE };

void aml_init(struct aml *a)
{
	memset(a, 0, sizeof(*a));
}

void aml_fini(struct aml *a)
{
	free(a->buf);
	memset(a, 0, sizeof(*a));
}

int aml_error(const struct aml *a)
{
	return a->err;
}

int aml_finish(const struct aml *a)
{
	if (a->err)
		return a->err;
	return a->depth ? -EINVAL : 0;
}

void aml_fail(struct aml *a, int err)
{
	if (!a->err)
		a->err = err;
}

bool aml_in_resource(const struct aml *a)
{
	return a->depth && a->open[a->depth - 1].kind == AML_K_RESOURCE;
}

static bool aml_reserve(struct aml *a, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (a->err)
		return false;
	if (n <= a->cap - a->len)
		return true;
	if (n > SIZE_MAX / 4 - a->len) {
		aml_fail(a, -ENOMEM);
		return false;
	}
	cap = MAX(MAX(a->cap * 2, a->len + n), (size_t)256);
	p = realloc(a->buf, cap);
	if (!p) {
		aml_fail(a, -ENOMEM);
		return false;
	}
	a->buf = p;
	a->cap = cap;
	return true;
}

/* Insert n bytes at offset 'at' (<= len), moving the rest up. */
static void aml_insert(struct aml *a, size_t at, const void *p, size_t n)
{
	if (!aml_reserve(a, n))
		return;
	memmove(a->buf + at + n, a->buf + at, a->len - at);
	memcpy(a->buf + at, p, n);
	a->len += n;
}

void aml_bytes(struct aml *a, const void *p, size_t n)
{
	aml_insert(a, a->len, p, n);
}

void aml_byte(struct aml *a, uint8_t v)
{
	aml_bytes(a, &v, 1);
}

int aml_pkglength_encode(uint8_t out[4], size_t total)
{
	int n;

	if (total <= 0x3f) {
		out[0] = (uint8_t)total;
		return 1;
	}
	if (total <= 0xfff)
		n = 2;
	else if (total <= 0xfffff)
		n = 3;
	else if (total <= AML_PKGLEN_MAX)
		n = 4;
	else
		return -EINVAL;
	/* Bits 7:6 count the extra bytes; bits 3:0 are the low nibble. */
	out[0] = (uint8_t)(((n - 1) << 6) | (total & 0xf));
	for (int i = 1; i < n; i++)
		out[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	return n;
}

/* Encode the PkgLength of a package whose body is 'body' bytes: the
 * length counts its own bytes, so pick the smallest width that fits. */
static int pkglength_for_body(uint8_t out[4], size_t body)
{
	for (size_t n = 1; n <= 4; n++) {
		if (body > AML_PKGLEN_MAX)
			break;
		if (aml_pkglength_encode(out, body + n) == (int)n)
			return (int)n;
	}
	return -EINVAL;
}

/* Integer bytes into out[] (<= 9); returns the count. */
static size_t integer_encode(uint8_t out[9], uint64_t v)
{
	size_t n;

	if (v <= 1) {
		out[0] = v ? AML_ONE_OP : AML_ZERO_OP;
		return 1;
	}
	if (v <= 0xff) {
		out[0] = AML_BYTE_PREFIX;
		n = 1;
	} else if (v <= 0xffff) {
		out[0] = AML_WORD_PREFIX;
		n = 2;
	} else if (v <= 0xffffffffull) {
		out[0] = AML_DWORD_PREFIX;
		n = 4;
	} else {
		out[0] = AML_QWORD_PREFIX;
		n = 8;
	}
	for (size_t i = 0; i < n; i++)
		out[1 + i] = (uint8_t)(v >> (8 * i));
	return n + 1;
}

void aml_integer(struct aml *a, uint64_t v)
{
	uint8_t b[9];

	aml_bytes(a, b, integer_encode(b, v));
}

void aml_string(struct aml *a, const char *s)
{
	for (const char *c = s; *c; c++) {
		if ((unsigned char)*c > 0x7f) {
			aml_fail(a, -EINVAL);
			return;
		}
	}
	aml_byte(a, AML_STRING_PREFIX);
	aml_bytes(a, s, strlen(s) + 1);
}

/* Push an open object whose PkgLength goes at the current end. */
static void aml_open(struct aml *a, uint8_t kind)
{
	if (a->err)
		return;
	if (a->depth == AML_MAX_DEPTH) {
		aml_fail(a, -E2BIG);
		return;
	}
	a->open[a->depth].start = a->len;
	a->open[a->depth].kind = kind;
	a->depth++;
}

void aml_scope_begin(struct aml *a, const char *name)
{
	aml_byte(a, AML_SCOPE_OP);
	aml_open(a, AML_K_PKG);
	aml_name_string(a, name);
}

void aml_device_begin(struct aml *a, const char *name)
{
	aml_byte(a, AML_EXT_OP_PREFIX);
	aml_byte(a, AML_EXT_DEVICE_OP);
	aml_open(a, AML_K_PKG);
	aml_name_string(a, name);
}

void aml_method_begin(struct aml *a, const char *name, unsigned nargs, bool serialized)
{
	if (nargs > 7) {
		aml_fail(a, -EINVAL);
		return;
	}
	aml_byte(a, AML_METHOD_OP);
	aml_open(a, AML_K_PKG);
	aml_name_string(a, name);
	aml_byte(a, (uint8_t)(nargs | (serialized ? 0x08 : 0)));
}

void aml_package_begin(struct aml *a, unsigned nelems)
{
	if (nelems > 255) {
		aml_fail(a, -EINVAL);
		return;
	}
	aml_byte(a, AML_PACKAGE_OP);
	aml_open(a, AML_K_PKG);
	aml_byte(a, (uint8_t)nelems);
}

void aml_buffer_begin(struct aml *a)
{
	aml_byte(a, AML_BUFFER_OP);
	aml_open(a, AML_K_BUFFER);
}

void aml_resource_begin(struct aml *a)
{
	aml_byte(a, AML_BUFFER_OP);
	aml_open(a, AML_K_RESOURCE);
}

void aml_end(struct aml *a)
{
	uint8_t hdr[4 + 9];
	size_t start, body, nsize = 0;
	uint8_t kind;
	int n;

	if (a->err)
		return;
	if (!a->depth) {
		aml_fail(a, -EINVAL);
		return;
	}
	kind = a->open[a->depth - 1].kind;
	start = a->open[a->depth - 1].start;
	if (kind == AML_K_RESOURCE) {
		static const uint8_t end_tag[2] = {0x79, 0x00}; /* sum 0: ok */

		aml_bytes(a, end_tag, sizeof(end_tag));
		if (a->err)
			return;
	}
	a->depth--;
	body = a->len - start;
	if (kind != AML_K_PKG) {
		/* Buffer: PkgLength, BufferSize (an integer), bytes. */
		uint8_t size[9];

		nsize = integer_encode(size, body);
		n = pkglength_for_body(hdr, body + nsize);
		if (n < 0) {
			aml_fail(a, n);
			return;
		}
		memcpy(hdr + n, size, nsize);
	} else {
		n = pkglength_for_body(hdr, body);
		if (n < 0) {
			aml_fail(a, n);
			return;
		}
	}
	aml_insert(a, start, hdr, (size_t)n + nsize);
}

void aml_return_integer(struct aml *a, uint64_t v)
{
	aml_byte(a, AML_RETURN_OP);
	aml_integer(a, v);
}
