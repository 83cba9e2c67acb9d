/* SPDX-License-Identifier: MIT */
/* The kernel formats as the oracle of the kernel-loader fuzz targets
 * (tests/fuzz/fuzz_boot_*.c) reads them, independently of vmm/boot/: a
 * bzImage's "HdrS", an ELF's program headers and PVH note, a Multiboot
 * header, and the check of an ELF's loaded segments. */
#ifndef TESTS_FUZZ_BOOT_FORMATS_H
#define TESTS_FUZZ_BOOT_FORMATS_H

#include "tests/fuzz/boot_fixture.h"

/* ---- the formats, read independently of vmm/boot/ --------------------------- */

/* The little-endian 32-bit word at p. */
static inline uint32_t bfx_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* "HdrS" at 0x202: the bzImage signature. */
static inline bool bfx_is_bz(const struct bfx_case *c)
{
	return c->klen >= 0x206 && !memcmp(c->k + 0x202, "HdrS", 4);
}

/* The ELF magic at 0. */
static inline bool bfx_is_elf(const struct bfx_case *c)
{
	return c->klen >= SELFMAG && !memcmp(c->k, ELFMAG, SELFMAG);
}

/* The first valid Multiboot header in the first 8 KiB (4-byte aligned). */
static inline long bfx_mb_find(const struct bfx_case *c)
{
	for (size_t off = 0; off + 12 <= MIN(c->klen, (size_t)8192); off += 4) {
		uint32_t m = bfx_le32(c->k + off);

		if (m == MULTIBOOT_HEADER_MAGIC &&
		    (uint32_t)(m + bfx_le32(c->k + off + 4) + bfx_le32(c->k + off + 8)) == 0)
			return (long)off;
	}
	return -1;
}

/* An ELF program header, width-independent. */
struct bfx_phdr {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

/* Read the ELF's program headers into ph[] (ELF_MAX_PHDRS) and its
 * e_entry into *entry; returns how many, 0 when the table is not inside
 * the file. Called on files the loader accepted, but checked anyway. */
static inline unsigned bfx_phdrs(const struct bfx_case *c, struct bfx_phdr *ph, uint64_t *entry)
{
	bool is64 = c->klen > EI_CLASS && c->k[EI_CLASS] == ELFCLASS64;
	uint64_t phoff;
	unsigned n, size;

	if (c->klen < (is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)))
		return 0;
	if (is64) {
		Elf64_Ehdr eh;

		memcpy(&eh, c->k, sizeof(eh));
		phoff = eh.e_phoff, n = eh.e_phnum, size = eh.e_phentsize, *entry = eh.e_entry;
	} else {
		Elf32_Ehdr eh;

		memcpy(&eh, c->k, sizeof(eh));
		phoff = eh.e_phoff, n = eh.e_phnum, size = eh.e_phentsize, *entry = eh.e_entry;
	}
	if (n > ELF_MAX_PHDRS || size < (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)) ||
	    !range_within(phoff, (uint64_t)n * size, 0, c->klen))
		return 0;
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *p = c->k + phoff + (uint64_t)i * size;

		if (is64) {
			Elf64_Phdr h;

			memcpy(&h, p, sizeof(h));
			ph[i] = (struct bfx_phdr){h.p_type,  h.p_offset, h.p_vaddr,
						  h.p_paddr, h.p_filesz, h.p_memsz};
		} else {
			Elf32_Phdr h;

			memcpy(&h, p, sizeof(h));
			ph[i] = (struct bfx_phdr){h.p_type,  h.p_offset, h.p_vaddr,
						  h.p_paddr, h.p_filesz, h.p_memsz};
		}
	}
	return n;
}

/* The Xen PHYS32_ENTRY note: true and *entry when the first one found in
 * the PT_NOTE segments is well formed. */
static inline bool bfx_pvh_note(const struct bfx_case *c, uint64_t *entry)
{
	struct bfx_phdr ph[ELF_MAX_PHDRS];
	uint64_t e;
	unsigned n = bfx_phdrs(c, ph, &e);

	for (unsigned i = 0; i < n; i++) {
		uint64_t pos = 0, size = ph[i].filesz;
		const uint8_t *p;

		if (ph[i].type != PT_NOTE || !range_within(ph[i].offset, size, 0, c->klen))
			continue;
		p = c->k + ph[i].offset;
		while (size - pos >= 12) {
			uint64_t nsz = ALIGN_UP((uint64_t)bfx_le32(p + pos), 4);
			uint64_t dsz = ALIGN_UP((uint64_t)bfx_le32(p + pos + 4), 4);
			uint32_t type = bfx_le32(p + pos + 8), d = bfx_le32(p + pos + 4);

			if (nsz + dsz > size - pos - 12)
				break;
			if (type == XEN_ELFNOTE_PHYS32_ENTRY && bfx_le32(p + pos) == 4 &&
			    !memcmp(p + pos + 12, "Xen", 4)) {
				*entry = 0;
				if (d != 4 && d != 8)
					return false;
				memcpy(entry, p + pos + 12 + nsz, d);
				return true;
			}
			pos += 12 + nsz + dsz;
		}
	}
	return false;
}

/* Every PT_LOAD is placed; when they do not overlap each other, each holds
 * its file bytes and zeros up to p_memsz. */
static inline void bfx_check_elf_segments(struct bfx_case *c)
{
	struct bfx_phdr ph[ELF_MAX_PHDRS];
	uint64_t entry;
	unsigned n = bfx_phdrs(c, ph, &entry);
	unsigned first = c->nkern;
	bool disjoint = true;

	FUZZ_CHECK(n > 0, "a loaded ELF has no program headers");
	for (unsigned i = 0; i < n; i++)
		if (ph[i].type == PT_LOAD && ph[i].memsz)
			bfx_kernel_range(c, ph[i].paddr, ph[i].memsz, true, "ELF segment");
	FUZZ_CHECK(c->nkern > first, "a loaded ELF has no PT_LOAD");
	for (unsigned i = first; i < c->nkern; i++)
		for (unsigned j = i + 1; j < c->nkern; j++)
			disjoint &= !bfx_overlap(&c->kern[i], &c->kern[j]);
	for (unsigned i = 0; i < n && disjoint; i++) {
		if (ph[i].type != PT_LOAD || !ph[i].memsz)
			continue;
		FUZZ_CHECK(ph[i].filesz <= ph[i].memsz &&
				   (!ph[i].filesz ||
				    range_within(ph[i].offset, ph[i].filesz, 0, c->klen)),
			   "a loaded segment lies past the end of the file");
		if (ph[i].filesz)
			bfx_check_bytes(ph[i].paddr, c->k + ph[i].offset, ph[i].filesz,
					"ELF segment");
		bfx_check_zero(ph[i].paddr + ph[i].filesz, ph[i].memsz - ph[i].filesz,
			       "ELF segment's bss");
	}
}

#endif /* TESTS_FUZZ_BOOT_FORMATS_H */
