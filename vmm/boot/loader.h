/* SPDX-License-Identifier: MIT */
/* Internal interface of the kernel loaders (vmm/boot/): the helpers the
 * format-specific loaders share, and the loaders boot_load() dispatches to.
 * Every function writes a one-line reason to err (no newline) on failure. */
#ifndef VMM_BOOT_LOADER_H
#define VMM_BOOT_LOADER_H

#include <stdarg.h>

#include "vmm/boot.h"
#include "vmm/boot/elf.h"

#define BOOT_PAGE_SIZE 4096ull

/* snprintf into err (if err && errlen); always NUL terminated. */
void boot_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Check that [addr, addr+len) may hold kernel bytes: no wraparound, not
 * below 1 MiB (the VMM's boot data), not in the MMIO hole, below 'limit'
 * (exclusive end; 0 means no limit) and entirely inside one RAM region.
 * 'what' names the range in the message. len 0 is always accepted.
 * Returns 0, -EINVAL (bad address) or -EFBIG (past the end of RAM). */
int boot_check_range(const struct guest_mem *m, uint64_t addr, uint64_t len, uint64_t limit,
		     const char *what, char *err, size_t errlen) __must_check;

/* Choose a page-aligned GPA for len bytes of initramfs: the highest one whose
 * end is <= limit (and <= the end of low RAM), at or above 1 MiB, and not
 * overlapping [avoid_lo, avoid_hi) (the kernel). Copies the bytes there and
 * stores the GPA in *addr. len must be > 0. Returns 0 or -EFBIG. */
int boot_place_initrd(const struct boot_args *a, uint64_t limit, uint64_t avoid_lo,
		      uint64_t avoid_hi, uint64_t *addr, char *err, size_t errlen) __must_check;

/* Write prefix (may be NULL) followed by args->cmdline, NUL terminated, to
 * 'at'. The string (without the NUL) may be at most max_len bytes and the
 * whole must fit in LAYOUT_CMDLINE_MAX. Stores the length in *len if len is
 * non-NULL. Returns 0, -EFBIG (too long) or -EFAULT (not RAM). */
int boot_write_cmdline(const struct boot_args *a, uint64_t at, const char *prefix, uint64_t max_len,
		       size_t *len, char *err, size_t errlen) __must_check;

/* True when the boot args carry a non-empty initramfs. */
static inline bool boot_has_initrd(const struct boot_args *a)
{
	return a->initrd && a->initrd_len;
}

/* PVH: load the ELF img (which has a PVH entry 'entry'), the start_info,
 * memmap, initramfs module and cmdline. 0 or -errno. */
int pvh_load(const struct boot_args *a, const struct elf_image *img, uint64_t entry,
	     struct boot_cpu *cpu, char *err, size_t errlen) __must_check;

/* Search the first 8 KiB of data for a Multiboot v1 header (4-byte aligned,
 * valid checksum). Returns its offset, or -ENOENT. *bad_checksum (if not
 * NULL) is set when a magic with a wrong checksum was seen. */
long multiboot_find(const uint8_t *data, size_t len, bool *bad_checksum);

/* Multiboot v1: header at file offset hdr_off; img is the parsed ELF or
 * NULL for a non-ELF file (which then needs the a.out kludge). 0 or -errno. */
int multiboot_load(const struct boot_args *a, long hdr_off, const struct elf_image *img,
		   struct boot_cpu *cpu, char *err, size_t errlen) __must_check;

/* True when data looks like a Linux bzImage ("HdrS" at 0x202). */
bool bzimage_detect(const uint8_t *data, size_t len);

/* Linux bzImage through the 64-bit boot protocol. 0 or -errno. */
int bzimage_load(const struct boot_args *a, struct boot_cpu *cpu, char *err,
		 size_t errlen) __must_check;

#endif
