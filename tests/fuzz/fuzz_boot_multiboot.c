// SPDX-License-Identifier: MIT
/* The Multiboot v1 loader (vmm/boot/multiboot.c, through image_read() and
 * boot_load()) as a fuzz target, and with it the format detection of every
 * loader: the kernel bytes are not bent towards any format. Input and
 * invariants: tests/fuzz/boot_fixture.h (a 5-byte header of flags,
 * initramfs and command-line lengths; the kernel file; the command line).
 * Checked on success: the header is the first valid one in 8 KiB and asks
 * for nothing unsupported; the a.out kludge's load_addr..bss_end (or every
 * ELF PT_LOAD) is in low RAM above 1 MiB and holds the file's bytes and
 * zeroed bss; the entry is entry_addr (kludge) or e_entry translated by
 * GRUB's rule; eax = 0x2BADB002, ebx = the info; the info's flags, memory
 * sizes, mmap (= the guest map), module and strings all inside its page; the
 * command line "<path> <cmdline>"; the initramfs page aligned below 3 GiB
 * and clear of the kernel; nothing else written. */
#include "tests/fuzz/boot_fixture.h"
#include "tests/fuzz/boot_run.h"
#include "tests/fuzz/boot_seeds.h"

static void write_seeds(const char *dir)
{
	static struct bfx_seed s;

	/* Non-ELF, a.out kludge: whole file from 1 MiB, bss to +16 KiB. */
	memset(&s, 0, sizeof(s));
	memset(s.k, 0x90, 0x1000);
	bfx_put_mb(s.k + 0x40, MULTIBOOT_AOUT_KLUDGE | MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO,
		   0x100040, 0x100000, 0, 0x104000, 0x100080);
	s.klen = 0x1000;
	s.flags = BFX_F_INITRD;
	s.initrd = 0x1800;
	s.cmdline = "console=ttyS0";
	bfx_seed_write(dir, "mb-aout-kludge", &s);

	/* Kludge with an explicit load_end_addr and no bss, no kernel path,
	 * RAM above 4 GiB. */
	memset(&s, 0, sizeof(s));
	memset(s.k, 0xf4, 0x2000);
	bfx_put_mb(s.k + 0x1000, MULTIBOOT_AOUT_KLUDGE, 0x201000, 0x200000, 0x201800, 0, 0x201020);
	s.klen = 0x2000;
	s.flags = BFX_F_NOPATH | BFX_F_HIGH;
	s.cmdline = "";
	bfx_seed_write(dir, "mb-aout-load-end", &s);

	/* ELF32 linked high (vaddr 0xc0100000) and loaded at 1 MiB: the
	 * entry is translated. */
	memset(&s, 0, sizeof(s));
	{
		const Elf64_Phdr ph[1] = {{.p_type = PT_LOAD,
					   .p_offset = 0x1000,
					   .p_vaddr = 0xc0100000,
					   .p_paddr = 0x100000,
					   .p_filesz = 0x100,
					   .p_memsz = 0x1000}};
		bfx_put_elf(s.k, false, 0xc0100020, ph, 1);
	}
	bfx_put_mb(s.k + 0x1000, MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO, 0, 0, 0, 0, 0);
	s.klen = 0x1100;
	s.flags = BFX_F_INITRD | BFX_F_RSDP;
	s.initrd = 0x3000;
	s.cmdline = "root=/dev/ram";
	bfx_seed_write(dir, "mb-elf32-high-vaddr", &s);

	/* ELF64 whose Multiboot header has the a.out kludge: the addresses
	 * win over the program headers. */
	memset(&s, 0, sizeof(s));
	{
		const Elf64_Phdr ph[1] = {{.p_type = PT_LOAD,
					   .p_offset = 0x1000,
					   .p_vaddr = 0x300000,
					   .p_paddr = 0x300000,
					   .p_filesz = 0x100,
					   .p_memsz = 0x100}};
		bfx_put_elf(s.k, true, 0x300000, ph, 1);
	}
	bfx_put_mb(s.k + 0x1000, MULTIBOOT_AOUT_KLUDGE, 0x101000, 0x100000, 0x101100, 0x102000,
		   0x101010);
	s.klen = 0x1100;
	s.flags = BFX_F_INITRD | BFX_F_BIGRD;
	s.initrd = 0x800; /* 128 KiB */
	s.cmdline = "a b c";
	bfx_seed_write(dir, "mb-elf64-kludge", &s);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	bfx_init_or_seed(write_seeds);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return bfx_run(data, size, BFX_RAW);
}
