// SPDX-License-Identifier: MIT
/* boot_load(): recognise the kernel format and call its loader.
 *   bzImage ("HdrS" at 0x202)      -> Linux 64-bit boot protocol
 *   ELF with a PVH note            -> PVH
 *   ELF with a Multiboot v1 header -> Multiboot
 *   non-ELF Multiboot (a.out kludge) -> Multiboot */
#include <errno.h>
#include <string.h>

#include "vmm/boot/loader.h"

const char *boot_proto_name(enum boot_proto p)
{
	switch (p) {
	case BOOT_PVH: return "PVH";
	case BOOT_MULTIBOOT: return "Multiboot";
	case BOOT_LINUX64: return "Linux bzImage";
	}
	return "unknown";
}

static int boot_load_elf(const struct boot_args *a, struct boot_cpu *cpu, enum boot_proto *proto,
			 char *err, size_t errlen)
{
	struct elf_image img;
	bool bad_sum = false;
	uint64_t entry;
	long mb;
	int r;

	r = elf_parse(&img, a->kernel, a->kernel_len, err, errlen);
	if (r)
		return r;
	r = elf_find_pvh_entry(&img, &entry, err, errlen);
	if (r < 0)
		return r;
	if (r > 0) {
		*proto = BOOT_PVH;
		return pvh_load(a, &img, entry, cpu, err, errlen);
	}
	mb = multiboot_find(a->kernel, a->kernel_len, &bad_sum);
	if (mb >= 0) {
		*proto = BOOT_MULTIBOOT;
		return multiboot_load(a, mb, &img, cpu, err, errlen);
	}
	boot_err(err, errlen,
		 "ELF kernel has no PVH note (XEN_ELFNOTE_PHYS32_ENTRY)%s; "
		 "build Linux with CONFIG_PVH=y, or use a bzImage",
		 bad_sum ? " and its Multiboot header has a bad checksum"
			 : " and no Multiboot header");
	return -ENOEXEC;
}

int boot_load(const struct boot_args *a, struct boot_cpu *cpu, enum boot_proto *proto, char *err,
	      size_t errlen)
{
	bool bad_sum = false;
	long mb;

	if (errlen)
		err[0] = '\0';
	memset(cpu, 0, sizeof(*cpu));
	if (!a->kernel || !a->kernel_len) {
		boot_err(err, errlen, "not a kernel: the file is empty");
		return -ENOEXEC;
	}
	if (!a->mem || !a->cmdline) {
		boot_err(err, errlen, "internal error: no guest memory or cmdline");
		return -EINVAL;
	}
	if (bzimage_detect(a->kernel, a->kernel_len)) {
		*proto = BOOT_LINUX64;
		return bzimage_load(a, cpu, err, errlen);
	}
	if (elf_is_elf(a->kernel, a->kernel_len))
		return boot_load_elf(a, cpu, proto, err, errlen);
	mb = multiboot_find(a->kernel, a->kernel_len, &bad_sum);
	if (mb >= 0) {
		*proto = BOOT_MULTIBOOT;
		return multiboot_load(a, mb, NULL, cpu, err, errlen);
	}
	boot_err(err, errlen,
		 "not a kernel: %zu bytes with no bzImage header, no ELF magic "
		 "and no %sMultiboot header",
		 a->kernel_len, bad_sum ? "valid (checksum) " : "");
	return -ENOEXEC;
}
