/* SPDX-License-Identifier: MIT */
/* Shared fixture of the boot loader tests (test_boot_*.c): a guest of RAM
 * bytes, a kernel image buffer of IMG_LEN bytes handed to boot_load(), and
 * helpers to write tiny ELF images and check failure messages.
 *
 * Define before including: RAM, IMG_LEN, KERNEL_PATH (boot_args.kernel_path)
 * and optionally FX_EXTRA (more members at the end of struct fx). Each test
 * program includes this once; unused helpers are static inline. */
#ifndef TESTS_UNIT_BOOT_FIXTURE_H
#define TESTS_UNIT_BOOT_FIXTURE_H

#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/boot.h"
#include "vmm/layout.h"

#ifndef FX_EXTRA
#define FX_EXTRA
#endif

struct fx {
	struct guest_mem mem;
	uint8_t img[IMG_LEN];
	struct boot_args args;
	struct boot_cpu cpu;
	enum boot_proto proto;
	char err[256];
	FX_EXTRA
};

static inline int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f || guest_mem_layout(&f->mem, RAM) || guest_mem_alloc(&f->mem))
		return -1;
	f->args = (struct boot_args){.kernel = f->img,
				     .kernel_len = IMG_LEN,
				     .kernel_path = KERNEL_PATH,
				     .cmdline = "",
				     .mem = &f->mem};
	*state = f;
	return 0;
}

static inline int fx_teardown(void **state)
{
	struct fx *f = *state;

	guest_mem_free(&f->mem);
	free(f);
	return 0;
}

/* boot_load() of f->args, the message (if any) into f->err. */
static inline int load_raw(struct fx *f)
{
	return boot_load(&f->args, &f->cpu, &f->proto, f->err, sizeof(f->err));
}

/* The same with f->err emptied first. */
static inline int load(struct fx *f)
{
	f->err[0] = '\0';
	return load_raw(f);
}

/* Host pointer to [addr, addr + len) of guest RAM, or fail the test. */
static inline void *gp(struct fx *f, uint64_t addr, uint64_t len)
{
	void *p = guest_mem_ptr(&f->mem, gpa(addr), len);

	assert_non_null(p);
	return p;
}

/* f->err is one non-empty line and mentions needle (unless NULL). */
static inline void check_err(struct fx *f, const char *needle)
{
	assert_true(strlen(f->err) > 0);
	assert_null(strchr(f->err, '\n'));
	if (needle && !strstr(f->err, needle))
		fail_msg("message \"%s\" lacks \"%s\"", f->err, needle);
}

/* Loading the image in f->img fails with want and says needle. */
static inline void expect_load_fail(struct fx *f, int want, const char *needle)
{
	assert_int_equal(load(f), want);
	check_err(f, needle);
}

/* An executable little-endian ELF64 header for machine at buf, e_phnum
 * phnum, followed by the nph program headers ph. */
static inline void put_elf64(uint8_t *buf, uint16_t machine, uint64_t entry, uint16_t phnum,
			     const Elf64_Phdr *ph, size_t nph)
{
	Elf64_Ehdr eh = {.e_type = ET_EXEC,
			 .e_machine = machine,
			 .e_version = EV_CURRENT,
			 .e_entry = entry,
			 .e_phoff = sizeof(eh),
			 .e_ehsize = sizeof(eh),
			 .e_phentsize = sizeof(Elf64_Phdr),
			 .e_phnum = phnum};

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	memcpy(buf, &eh, sizeof(eh));
	memcpy(buf + sizeof(eh), ph, nph * sizeof(*ph));
}

/* The same for ELF32. */
static inline void put_elf32(uint8_t *buf, uint16_t machine, uint32_t entry, uint16_t phnum,
			     const Elf32_Phdr *ph, size_t nph)
{
	Elf32_Ehdr eh = {.e_type = ET_EXEC,
			 .e_machine = machine,
			 .e_version = EV_CURRENT,
			 .e_entry = entry,
			 .e_phoff = sizeof(eh),
			 .e_ehsize = sizeof(eh),
			 .e_phentsize = sizeof(Elf32_Phdr),
			 .e_phnum = phnum};

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS32;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	memcpy(buf, &eh, sizeof(eh));
	memcpy(buf + sizeof(eh), ph, nph * sizeof(*ph));
}

/* A "Xen" ELF note at buf: namesz 4, descsz and type as given, then the
 * desclen bytes of desc (descsz may lie about them). */
static inline void put_xen_note(uint8_t *buf, uint32_t type, uint32_t descsz, const void *desc,
				size_t desclen)
{
	uint32_t hdr[4] = {4, descsz, type, 0};

	memcpy(&hdr[3], "Xen", 4);
	memcpy(buf, hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), desc, desclen);
}

#endif /* TESTS_UNIT_BOOT_FIXTURE_H */
