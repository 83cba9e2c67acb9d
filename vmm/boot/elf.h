/* SPDX-License-Identifier: MIT */
/* Minimal, defensive ELF32/ELF64 reader for x86 kernels: header checks,
 * program headers, the PVH entry note, and loading PT_LOAD segments by
 * their physical address. Every offset read from the file is range-checked
 * against the file length before use. */
#ifndef VMM_BOOT_ELF_H
#define VMM_BOOT_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/guest_mem.h"
#include "vmm/types.h"

/* We refuse ELF files with more program headers than this. */
#define ELF_MAX_PHDRS 64

/* Xen's ELF note carrying the 32-bit PVH entry point (xen/elfnote.h). */
#define XEN_ELFNOTE_PHYS32_ENTRY 18

struct elf_image {
	const uint8_t *data;
	size_t len;
	bool is64;
	uint64_t entry; /* e_entry */
	uint64_t phoff;
	unsigned phnum, phentsize;
};

/* Width-independent view of one program header. */
struct elf_phdr {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

/* True when data starts with the ELF magic. */
bool elf_is_elf(const uint8_t *data, size_t len);

/* Parse and check the ELF header and the program-header table location.
 * Returns 0; -ENOEXEC when the file is an ELF but not for x86 (or not
 * little-endian, or not an executable); -EINVAL when headers are corrupt or
 * truncated. */
int elf_parse(struct elf_image *img, const uint8_t *data, size_t len, char *err,
	      size_t errlen) __must_check;

/* Read program header i (< img->phnum) into *ph. Cannot fail after a
 * successful elf_parse(). */
void elf_phdr_get(const struct elf_image *img, unsigned i, struct elf_phdr *ph);

/* Look for XEN_ELFNOTE_PHYS32_ENTRY in the PT_NOTE segments. Returns 1 and
 * sets *entry when found, 0 when absent, -EINVAL when a note segment is
 * corrupt or the entry does not fit in 32 bits. */
int elf_find_pvh_entry(const struct elf_image *img, uint64_t *entry, char *err,
		       size_t errlen) __must_check;

/* Copy every PT_LOAD segment to guest RAM at p_paddr (p_filesz bytes from
 * the file, zero up to p_memsz), after checking all of them first (file
 * bounds, p_filesz <= p_memsz, boot_check_range() with 'limit'). Stores the
 * lowest start and highest end of the loaded ranges in *lo and *hi.
 * Returns 0, -EINVAL (corrupt, no PT_LOAD) or -EFBIG. */
int elf_load(const struct elf_image *img, struct guest_mem *m, uint64_t limit, uint64_t *lo,
	     uint64_t *hi, char *err, size_t errlen) __must_check;

#endif
