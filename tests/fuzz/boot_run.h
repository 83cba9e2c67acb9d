/* SPDX-License-Identifier: MIT */
/* One input of the kernel-loader fuzz targets (tests/fuzz/fuzz_boot_*.c):
 * the format detection checked, the kernel read through a memfd and
 * image_read(), boot_load() run, and its result checked against the oracle
 * of its protocol. */
#ifndef TESTS_FUZZ_BOOT_RUN_H
#define TESTS_FUZZ_BOOT_RUN_H

#include "tests/fuzz/boot_fixture.h"
#include "tests/fuzz/boot_formats.h"
#include "tests/fuzz/boot_oracle_bzimage.h"
#include "tests/fuzz/boot_oracle_multiboot.h"
#include "tests/fuzz/boot_oracle_pvh.h"

/* ---- one input -------------------------------------------------------------- */

/* Which loader the detection must pick (or -1: none, -2: either an ELF
 * parse error or a loader, which the oracle does not decide). */
static inline int bfx_expected_proto(const struct bfx_case *c)
{
	if (bfx_is_bz(c))
		return BOOT_LINUX64;
	if (bfx_is_elf(c))
		return -2;
	return bfx_mb_find(c) >= 0 ? BOOT_MULTIBOOT : -1;
}

/* The format detection picked the loader the precedence names. */
static inline void bfx_check_detect(const struct bfx_case *c, int set)
{
	int want = bfx_expected_proto(c);
	uint64_t e;

	if (want >= 0) {
		FUZZ_CHECK(set && (int)c->proto == want, "detected %d, want %d (r=%d)",
			   set ? (int)c->proto : -1, want, c->r);
	} else if (want == -1) {
		FUZZ_CHECK(!set && c->r == -ENOEXEC, "not a kernel, yet r=%d proto %d", c->r,
			   set ? (int)c->proto : -1);
		FUZZ_CHECK(strstr(c->err, "not a kernel"), "message: %s", c->err);
	} else if (set) {
		FUZZ_CHECK(c->proto == BOOT_PVH || c->proto == BOOT_MULTIBOOT,
			   "an ELF detected as %d", (int)c->proto);
		FUZZ_CHECK(c->proto == BOOT_MULTIBOOT || bfx_pvh_note(c, &e),
			   "PVH picked without a PVH note");
		FUZZ_CHECK(c->proto == BOOT_PVH || bfx_mb_find(c) >= 0,
			   "Multiboot picked without a Multiboot header");
	}
}

/* Read kernel[0, len) through a memfd and image_read(), as the VMM reads
 * its kernel file. Returns 0 with *img loaded, or 1 when image_read()
 * rightly refused the file. */
static inline int bfx_read(const uint8_t *kernel, size_t len, uint64_t max, struct image *img)
{
	char path[64], err[256];
	int fd = memfd_create("fuzz-kernel", MFD_CLOEXEC), r;

	if (fd < 0 || (len && write(fd, kernel, len) != (ssize_t)len))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	err[0] = '\0';
	r = image_read(path, max, img, err, sizeof(err));
	close(fd);
	if (!len || len > max) {
		FUZZ_CHECK(r == (len ? -EFBIG : -ENOEXEC) && !img->data && !img->len && err[0],
			   "image_read of %zu bytes (max %llu): %d '%s'", len,
			   (unsigned long long)max, r, err);
		return 1;
	}
	FUZZ_CHECK(r == 0 && img->len == len && !memcmp(img->data, kernel, len),
		   "image_read of %zu bytes: %d '%s'", len, r, err);
	return 0;
}

/* Run one input (the format above) through image_read() and boot_load()
 * into the fake guest and check every invariant; the guest is FILL again
 * afterwards. Returns -1 for an input too large to consider, else 0. */
static inline int bfx_run(const uint8_t *data, size_t size, enum bfx_force force)
{
	struct bfx_case *c;
	struct guest_mem mem;
	struct image img;
	uint8_t *kernel;
	char *cmdline;
	size_t klen, clen, cl_in;
	uint16_t rd16, cl16;

	if (size > BFX_MAX_INPUT)
		return -1;
	if (size < BFX_HDR)
		return 0;
	c = calloc(1, sizeof(*c));
	if (!c)
		abort();
	c->flags = data[0];
	memcpy(&rd16, data + 1, 2);
	memcpy(&cl16, data + 3, 2);
	cl_in = c->flags & BFX_F_SYNTH ? 0 : MIN((size_t)cl16, size - BFX_HDR);
	clen = c->flags & BFX_F_SYNTH ? 2u * cl16
				      : strnlen((const char *)data + size - cl_in, cl_in);
	klen = size - BFX_HDR - cl_in;
	cmdline = malloc(clen + 1);
	kernel = malloc(klen + 1);
	if (!cmdline || !kernel)
		abort();
	if (c->flags & BFX_F_SYNTH)
		memset(cmdline, 'x', clen);
	else
		memcpy(cmdline, data + size - cl_in, clen);
	cmdline[clen] = '\0';
	memcpy(kernel, data + BFX_HDR, klen);
	if (force == BFX_FORCE_BZ && klen >= 0x206)
		memcpy(kernel + 0x202, "HdrS", 4);
	if (force == BFX_FORCE_ELF && klen >= SELFMAG)
		memcpy(kernel, ELFMAG, SELFMAG);
	if (bfx_read(kernel, klen, c->flags & BFX_F_SMALLMAX && klen ? klen - 1 : BFX_LOW, &img))
		goto out;

	bfx_mem(&mem, c->flags & BFX_F_HIGH);
	c->k = img.data;
	c->klen = img.len;
	c->cmdline = cmdline;
	c->initrd_len = c->flags & BFX_F_BIGRD ? (size_t)rd16 << 6 : rd16;
	c->initrd = bfx.initrd + BFX_INITRD_MAX - c->initrd_len; /* ends at the buffer's end */
	c->has_initrd = c->flags & BFX_F_INITRD && c->initrd_len;
	c->a = (struct boot_args){
		.kernel = c->k,
		.kernel_len = c->klen,
		.kernel_path = c->flags & BFX_F_NOPATH ? NULL : BFX_PATH,
		.initrd = c->flags & BFX_F_INITRD ? c->initrd : NULL,
		.initrd_len = c->flags & BFX_F_INITRD ? c->initrd_len : 0,
		.cmdline = cmdline,
		.rsdp = gpa(c->flags & BFX_F_RSDP ? BFX_RSDP : 0),
		.mem = &mem,
	};
	memset(c->err, 'z', sizeof(c->err));
	c->proto = (enum boot_proto)99;
	memset(&c->cpu, 0xa5, sizeof(c->cpu));

	c->r = boot_load(&c->a, &c->cpu, &c->proto, c->err, sizeof(c->err));

	bfx_check_guards();
	if (bfx.verbose)
		fprintf(stderr, "boot_load: %d proto %d: %.*s\n", c->r, (int)c->proto,
			(int)strnlen(c->err, sizeof(c->err)), c->err);
	FUZZ_CHECK(memchr(c->err, '\0', sizeof(c->err)) && !strchr(c->err, '\n'),
		   "message not one NUL-terminated line");
	bfx_check_detect(c, (int)c->proto != 99);
	if (c->r) {
		FUZZ_CHECK(c->r == -ENOEXEC || c->r == -EINVAL || c->r == -EFBIG,
			   "undocumented error %d: %s", c->r, c->err);
		FUZZ_CHECK(c->err[0], "error %d without a message", c->r);
		bfx_allow(c, LAYOUT_START_INFO, 2 * BFX_PAGE, "start_info and zero page");
		bfx_allow(c, LAYOUT_PAGE_TABLES, LAYOUT_PAGE_TABLES_END - LAYOUT_PAGE_TABLES,
			  "page tables");
		bfx_allow(c, LAYOUT_CMDLINE, LAYOUT_CMDLINE_MAX, "command line");
		bfx_allow(c, LAYOUT_HIGH_START, BFX_LOW - LAYOUT_HIGH_START, "low RAM above 1 MiB");
	} else {
		FUZZ_CHECK(!c->err[0], "success with a message: %s", c->err);
		switch (c->proto) {
		case BOOT_LINUX64: bfx_check_bz(c); break;
		case BOOT_PVH: bfx_check_pvh(c); break;
		case BOOT_MULTIBOOT: bfx_check_mb(c); break;
		default: fuzz_fail("success with protocol %d", (int)c->proto);
		}
	}
	bfx_check_writes(c);
	image_free(&img);
out:
	free(kernel);
	free(cmdline);
	free(c);
	return 0;
}

#endif /* TESTS_FUZZ_BOOT_RUN_H */
