/* SPDX-License-Identifier: MIT */
/* Kernel loaders: PVH (ELF with XEN_ELFNOTE_PHYS32_ENTRY), Multiboot v1 (ELF),
 * and Linux bzImage through the 64-bit boot protocol. A loader copies the
 * image, the initramfs, the command line and its boot-information structure
 * into guest RAM and says how the boot vCPU must start. */
#ifndef VMM_BOOT_H
#define VMM_BOOT_H

#include "vmm/guest_mem.h"
#include "vmm/types.h"

enum boot_proto { BOOT_PVH, BOOT_MULTIBOOT, BOOT_LINUX64 };

enum boot_cpu_mode {
	BOOT_CPU_PROT32, /* flat 32-bit protected mode, paging off */
	BOOT_CPU_LONG64, /* long mode, identity page tables at cr3 */
};

/* The boot vCPU's initial state. Unlisted GPRs are zero; segments are flat
 * with the boot GDT at LAYOUT_BOOT_GDT (CS 0x10, data 0x18). */
struct boot_cpu {
	enum boot_cpu_mode mode;
	uint64_t rip, rsp, rax, rbx, rsi;
	uint64_t cr3; /* BOOT_CPU_LONG64 only */
};

struct boot_args {
	const uint8_t *kernel; /* whole kernel file */
	size_t kernel_len;
	const char *kernel_path; /* for the Multiboot cmdline and messages */
	const uint8_t *initrd;	 /* NULL when none */
	size_t initrd_len;
	const char *cmdline; /* never NULL; may be "" */
	gpa_t rsdp;	     /* where the ACPI RSDP is; 0 when none */
	struct guest_mem *mem;
};

/* Detect the format of args->kernel, load everything and fill *cpu and
 * *proto. On failure returns -errno and writes a one-line reason (no
 * newline) to err:
 *   -ENOEXEC  not a kernel we can boot (including an ELF without a PVH note)
 *   -EINVAL   a recognised format whose headers are corrupt or truncated
 *   -EFBIG    the kernel, initramfs or cmdline do not fit in guest memory */
int boot_load(const struct boot_args *args, struct boot_cpu *cpu, enum boot_proto *proto, char *err,
	      size_t errlen) __must_check;

/* Human name of a protocol ("PVH", "Multiboot", "Linux bzImage"). */
const char *boot_proto_name(enum boot_proto p);

#endif
