// SPDX-License-Identifier: MIT
/* The PVH loader and the ELF reader (vmm/boot/pvh.c, elf.c, through
 * image_read() and boot_load()) as a fuzz target. Input and invariants:
 * tests/fuzz/boot_fixture.h (a 5-byte header of flags, initramfs and
 * command-line lengths; the kernel file; the command line). The kernel
 * gets the ELF magic at 0, so that every input reaches the ELF reader; with
 * a PVH note it is PVH, else Multiboot when it has a Multiboot header.
 * Checked on success: the entry is the note's, every PT_LOAD is in low RAM
 * above 1 MiB and holds its file bytes and zeroed bss, hvm_start_info (magic,
 * version, command line, RSDP, memmap = the guest map, one module exactly
 * when an initramfs is passed) inside its page, the initramfs page aligned
 * below 3 GiB and clear of every segment, and nothing else written. */
#include "tests/fuzz/boot_fixture.h"
#include "tests/fuzz/boot_run.h"
#include "tests/fuzz/boot_seeds.h"

static void write_seeds(const char *dir)
{
	static struct bfx_seed s;
	const uint32_t entry32 = 0x100010, gnu[4] = {0, 6, 1, 0};
	const uint64_t entry64 = 0x180020;
	size_t n;

	/* ELF64: a GNU note then the PVH note; one PT_LOAD with bss. */
	memset(&s, 0, sizeof(s));
	n = bfx_put_note(s.k + 0x200, "GNU", 1, gnu, sizeof(gnu));
	n += bfx_put_note(s.k + 0x200 + n, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &entry32, 4);
	{
		const Elf64_Phdr ph[2] = {
			{.p_type = PT_LOAD,
			 .p_offset = 0x1000,
			 .p_vaddr = 0xffffffff81000000,
			 .p_paddr = 0x100000,
			 .p_filesz = 0x200,
			 .p_memsz = 0x3000},
			{.p_type = PT_NOTE, .p_offset = 0x200, .p_filesz = n},
		};
		bfx_put_elf(s.k, true, 0xffffffff81000000, ph, 2);
	}
	for (unsigned i = 0; i < 0x200; i++)
		s.k[0x1000 + i] = (uint8_t)(i * 7 + 1);
	s.klen = 0x1200;
	s.flags = BFX_F_INITRD | BFX_F_RSDP;
	s.initrd = 0x2000;
	s.cmdline = "console=ttyS0 earlyprintk=serial";
	bfx_seed_write(dir, "pvh64-initrd", &s);

	/* ELF32: two PT_LOADs, an 8-byte entry note, RAM above 4 GiB. */
	memset(&s, 0, sizeof(s));
	n = bfx_put_note(s.k + 0x200, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &entry64, 8);
	{
		const Elf64_Phdr ph[3] = {
			{.p_type = PT_LOAD,
			 .p_offset = 0x1000,
			 .p_vaddr = 0x100000,
			 .p_paddr = 0x100000,
			 .p_filesz = 0x800,
			 .p_memsz = 0x800},
			{.p_type = PT_NOTE, .p_offset = 0x200, .p_filesz = n},
			{.p_type = PT_LOAD,
			 .p_offset = 0x1800,
			 .p_vaddr = 0x180000,
			 .p_paddr = 0x180000,
			 .p_filesz = 0x800,
			 .p_memsz = 0x2000},
		};
		bfx_put_elf(s.k, false, 0x100000, ph, 3);
	}
	for (unsigned i = 0; i < 0x1000; i++)
		s.k[0x1000 + i] = (uint8_t)(i * 3 + 2);
	s.klen = 0x2000;
	s.flags = BFX_F_HIGH | BFX_F_RSDP | BFX_F_INITRD | BFX_F_BIGRD;
	s.initrd = 0x1000; /* 256 KiB */
	s.cmdline = "";
	bfx_seed_write(dir, "pvh32-two-segments", &s);

	/* Both a PVH note and a Multiboot header: PVH wins. */
	memset(&s, 0, sizeof(s));
	n = bfx_put_note(s.k + 0x200, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &entry32, 4);
	{
		const Elf64_Phdr ph[2] = {
			{.p_type = PT_LOAD,
			 .p_offset = 0x1000,
			 .p_vaddr = 0x100000,
			 .p_paddr = 0x100000,
			 .p_filesz = 0x100,
			 .p_memsz = 0x100},
			{.p_type = PT_NOTE, .p_offset = 0x200, .p_filesz = n},
		};
		bfx_put_elf(s.k, true, 0x100040, ph, 2);
	}
	bfx_put_mb(s.k + 0x1000, 0, 0, 0, 0, 0, 0);
	s.klen = 0x1100;
	s.cmdline = "quiet";
	bfx_seed_write(dir, "pvh-and-multiboot", &s);
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
	return bfx_run(data, size, BFX_FORCE_ELF);
}
