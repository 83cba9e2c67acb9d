// SPDX-License-Identifier: MIT
/* The bzImage loader (vmm/boot/bzimage.c, through image_read() and
 * boot_load()) as a fuzz target. Input and invariants: tests/fuzz/
 * boot_fixture.h (a 5-byte header of flags, initramfs and command-line
 * lengths; the kernel file; the command line). The kernel gets "HdrS" at
 * 0x202 when it is long enough, so that every input reaches the bzImage
 * loader. Checked on success: the zero page byte for byte (setup header as
 * the file has it up to its jump-declared end, loader fields, cmdline and
 * initramfs pointers, e820, RSDP from 2.14), the identity page tables, the
 * kernel at 1 MiB (relocatable) or pref_address, its init_size area in RAM,
 * the initramfs page aligned below initrd_addr_max and clear of both, the
 * command line within cmdline_size, and nothing else written. */
#include "tests/fuzz/boot_fixture.h"
#include "tests/fuzz/boot_run.h"
#include "tests/fuzz/boot_seeds.h"

static void write_seeds(const char *dir)
{
	static struct bfx_seed s;

	/* Relocatable, 2.15, run area 2..3 MiB, initramfs, RSDP. */
	memset(&s, 0, sizeof(s));
	bfx_put_bz(&s, 1, 0x020f, 0x26c, true, MiB(2), MiB(1), 0x800);
	s.flags = BFX_F_INITRD | BFX_F_RSDP;
	s.initrd = 0x3000;
	s.cmdline = "console=ttyS0 panic=-1";
	bfx_seed_write(dir, "bz-reloc-initrd-cmdline", &s);

	/* Not relocatable, 2.12 header (ends 0x268), setup_sects 0 = 4,
	 * RAM above 4 GiB, no kernel path. */
	memset(&s, 0, sizeof(s));
	bfx_put_bz(&s, 0, 0x020c, 0x268, false, 0x180000, 0x80000, 0x400);
	s.flags = BFX_F_HIGH | BFX_F_NOPATH | BFX_F_RSDP;
	s.cmdline = "";
	bfx_seed_write(dir, "bz-fixed-212", &s);

	/* A 1 MiB initramfs that just fits between the run area and 4 MiB. */
	memset(&s, 0, sizeof(s));
	bfx_put_bz(&s, 2, 0x020e, 0x26c, true, MiB(2), MiB(1), 0x200);
	s.flags = BFX_F_INITRD | BFX_F_BIGRD;
	s.initrd = 0x4000;
	s.cmdline = "root=/dev/ram0";
	bfx_seed_write(dir, "bz-big-initrd", &s);

	/* A command line one byte over cmdline_size (0x7ff). */
	memset(&s, 0, sizeof(s));
	bfx_put_bz(&s, 1, 0x020f, 0x26c, true, MiB(2), MiB(1), 0x100);
	s.flags = BFX_F_SYNTH;
	s.cl = 0x400;
	bfx_seed_write(dir, "bz-cmdline-too-long", &s);
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
	return bfx_run(data, size, BFX_FORCE_BZ);
}
