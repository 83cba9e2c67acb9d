// SPDX-License-Identifier: MIT
/* Helpers shared by the kernel loaders: error messages, address-range checks
 * for kernel bytes, initramfs placement, the command line. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmm/boot/loader.h"
#include "vmm/layout.h"

void boot_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int boot_check_range(const struct guest_mem *m, uint64_t addr, uint64_t len, uint64_t limit,
		     const char *what, char *err, size_t errlen)
{
	if (len == 0)
		return 0;
	if (range_wraps(addr, len)) {
		boot_err(err, errlen, "%s (0x%llx, 0x%llx bytes) wraps around", what,
			 (unsigned long long)addr, (unsigned long long)len);
		return -EINVAL;
	}
	if (addr < LAYOUT_HIGH_START) {
		boot_err(err, errlen, "%s at 0x%llx is below 1 MiB (reserved for boot data)", what,
			 (unsigned long long)addr);
		return -EINVAL;
	}
	if (range_overlaps(addr, len, LAYOUT_MMIO_HOLE_START,
			   LAYOUT_MMIO_HOLE_END - LAYOUT_MMIO_HOLE_START)) {
		boot_err(err, errlen, "%s [0x%llx, 0x%llx) is in the MMIO hole (3-4 GiB)", what,
			 (unsigned long long)addr, (unsigned long long)(addr + len));
		return -EINVAL;
	}
	if (limit && !range_within(addr, len, 0, limit)) {
		boot_err(err, errlen,
			 "%s [0x%llx, 0x%llx) is above 0x%llx, unreachable "
			 "at entry",
			 what, (unsigned long long)addr, (unsigned long long)(addr + len),
			 (unsigned long long)limit);
		return -EINVAL;
	}
	if (!guest_mem_ptr(m, gpa(addr), len)) {
		boot_err(err, errlen,
			 "%s [0x%llx, 0x%llx) does not fit in guest RAM "
			 "(%llu MiB)",
			 what, (unsigned long long)addr, (unsigned long long)(addr + len),
			 (unsigned long long)(m->ram_size >> 20));
		return -EFBIG;
	}
	return 0;
}

int boot_place_initrd(const struct boot_args *a, uint64_t limit, uint64_t avoid_lo,
		      uint64_t avoid_hi, uint64_t *addr, char *err, size_t errlen)
{
	uint64_t len = a->initrd_len, top, at;

	top = MIN(limit, guest_mem_low_end(a->mem));
	if (len > top || ALIGN_DOWN(top - len, BOOT_PAGE_SIZE) < LAYOUT_HIGH_START)
		goto too_big;
	at = ALIGN_DOWN(top - len, BOOT_PAGE_SIZE);
	if (avoid_hi > avoid_lo && range_overlaps(at, len, avoid_lo, avoid_hi - avoid_lo))
		goto too_big;
	if (guest_mem_write(a->mem, gpa(at), a->initrd, len))
		goto too_big;
	*addr = at;
	return 0;
too_big:
	boot_err(err, errlen,
		 "initramfs (%llu bytes) does not fit in guest RAM below "
		 "0x%llx above the kernel (ends 0x%llx)",
		 (unsigned long long)len, (unsigned long long)top, (unsigned long long)avoid_hi);
	return -EFBIG;
}

int boot_write_cmdline(const struct boot_args *a, uint64_t at, const char *prefix, uint64_t max_len,
		       size_t *len, char *err, size_t errlen)
{
	size_t plen = prefix ? strlen(prefix) : 0, clen = strlen(a->cmdline);
	size_t sep = plen && clen ? 1 : 0, total;
	char *dst;

	total = plen + sep + clen; /* strings in our address space: no wrap */
	if (total > max_len || total + 1 > LAYOUT_CMDLINE_MAX) {
		boot_err(err, errlen, "command line is %zu bytes, the limit is %llu", total,
			 (unsigned long long)MIN(max_len, LAYOUT_CMDLINE_MAX - 1));
		return -EFBIG;
	}
	dst = guest_mem_ptr(a->mem, gpa(at), total + 1);
	if (!dst) {
		boot_err(err, errlen, "no guest RAM for the command line");
		return -EFAULT;
	}
	memcpy(dst, prefix ? prefix : "", plen);
	memcpy(dst + plen, " ", sep);
	memcpy(dst + plen + sep, a->cmdline, clen + 1);
	if (len)
		*len = total;
	return 0;
}
