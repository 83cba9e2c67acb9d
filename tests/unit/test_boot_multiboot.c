// SPDX-License-Identifier: MIT
/* Multiboot v1 loader: synthetic ELF32 kernels and raw a.out-kludge images
 * loaded into a 64 MiB guest; multiboot_info, mmap, module, hostile input. */
#include <errno.h>

#include "vmm/boot/multiboot.h"

#define RAM	    MiB(64)
#define SEG_OFF	    0x1000
#define SEG_FILESZ  0x200
#define IMG_LEN	    (SEG_OFF + SEG_FILESZ)
#define MEMSZ	    0x5000
#define KERNEL_PATH "/boot/kernel"
#include "boot_fixture.h"

struct spec {
	uint32_t magic, flags, checksum_delta;
	uint32_t hdr_off; /* file offset of the Multiboot header */
	uint32_t paddr, vaddr, entry, memsz;
	bool elf;	/* false: raw image, header at hdr_off */
	uint32_t kl[5]; /* header_addr, load, load_end, bss_end, entry */
};

static struct spec spec_default(void)
{
	return (struct spec){.magic = MULTIBOOT_HEADER_MAGIC,
			     .flags = 3,
			     .hdr_off = SEG_OFF,
			     .paddr = 0x100000,
			     .vaddr = 0x100000,
			     .entry = 0x100020,
			     .memsz = MEMSZ,
			     .elf = true};
}

static struct spec spec_raw(void)
{
	struct spec s = spec_default();

	s.elf = false;
	s.hdr_off = 0x40;
	s.flags = MULTIBOOT_AOUT_KLUDGE | MULTIBOOT_PAGE_ALIGN;
	s.kl[0] = 0x200040;	    /* header_addr */
	s.kl[1] = 0x200000;	    /* load_addr: file offset 0 */
	s.kl[2] = 0;		    /* load_end: whole file */
	s.kl[3] = 0x200000 + MEMSZ; /* bss_end */
	s.kl[4] = 0x200080;	    /* entry */
	return s;
}

static void build(uint8_t *buf, const struct spec *s)
{
	uint32_t hdr[8] = {s->magic, s->flags, -(s->magic + s->flags) + s->checksum_delta,
			   s->kl[0], s->kl[1], s->kl[2],
			   s->kl[3], s->kl[4]};

	memset(buf, 0, IMG_LEN);
	for (unsigned i = 0; i < IMG_LEN; i++)
		buf[i] = (uint8_t)(i * 5 + 3);
	if (s->elf) {
		const Elf32_Phdr ph = {.p_type = PT_LOAD,
				       .p_offset = SEG_OFF,
				       .p_vaddr = s->vaddr,
				       .p_paddr = s->paddr,
				       .p_filesz = SEG_FILESZ,
				       .p_memsz = s->memsz};

		memset(buf, 0, SEG_OFF);
		put_elf32(buf, EM_386, s->entry, 1, &ph, 1);
	}
	if (s->hdr_off + sizeof(hdr) <= IMG_LEN)
		memcpy(buf + s->hdr_off, hdr, sizeof(hdr));
}

static void expect_fail(struct fx *f, const struct spec *s, int want, const char *needle)
{
	build(f->img, s);
	expect_load_fail(f, want, needle);
}

/* Check the info page; returns it. */
static struct multiboot_info check_info(struct fx *f, const char *cmdline, uint32_t mods)
{
	struct mem_map_entry map[MEM_MAP_MAX];
	unsigned n = guest_mem_map(&f->mem, map, MEM_MAP_MAX);
	struct multiboot_info mi;

	assert_int_equal(f->proto, BOOT_MULTIBOOT);
	assert_int_equal(f->cpu.mode, BOOT_CPU_PROT32);
	assert_int_equal(f->cpu.rax, 0x2BADB002);
	assert_int_equal(f->cpu.rbx, LAYOUT_ZERO_PAGE);
	memcpy(&mi, gp(f, LAYOUT_ZERO_PAGE, sizeof(mi)), sizeof(mi));
	assert_int_equal(mi.flags, BIT(0) | BIT(2) | BIT(3) | BIT(6) | BIT(9));
	assert_int_equal(mi.mem_lower, 639);
	assert_int_equal(mi.mem_upper, (RAM - MiB(1)) / 1024);
	assert_int_equal(mi.boot_device, 0);
	assert_string_equal(gp(f, mi.cmdline, 1), cmdline);
	assert_string_equal(gp(f, mi.boot_loader_name, 1), "vmm");
	assert_int_equal(mi.mods_count, mods);
	assert_int_equal(mi.mmap_length, n * 24);
	for (unsigned i = 0; i < n; i++) {
		struct multiboot_mmap_entry e;

		memcpy(&e, gp(f, mi.mmap_addr + i * 24, 24), 24);
		assert_int_equal(e.size, 20);
		assert_int_equal(e.addr, map[i].addr);
		assert_int_equal(e.len, map[i].size);
		assert_int_equal(e.type, map[i].type);
	}
	/* Every structure is in the reserved low page. */
	assert_true(range_within(mi.mmap_addr, mi.mmap_length, LAYOUT_ZERO_PAGE, 4096));
	assert_true(range_within(mi.mods_addr, 16, LAYOUT_ZERO_PAGE, 4096));
	assert_true(mi.mmap_addr >= LAYOUT_ZERO_PAGE + sizeof(mi));
	assert_int_equal(mi.drives_length, 0);
	assert_int_equal(mi.config_table, 0);
	return mi;
}

static void test_elf_initrd(void **state)
{
	struct fx *f = *state;
	struct spec s = spec_default();
	static uint8_t initrd[5000];
	struct multiboot_info mi;
	struct multiboot_mod mod;
	const uint8_t *seg;

	for (unsigned i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)~i;
	build(f->img, &s);
	memset(gp(f, 0x100000, MEMSZ), 0xee, MEMSZ);
	f->args.initrd = initrd;
	f->args.initrd_len = sizeof(initrd);
	f->args.cmdline = "console=ttyS0 x=1";
	assert_int_equal(load(f), 0);
	assert_int_equal(f->cpu.rip, 0x100020);
	seg = gp(f, 0x100000, MEMSZ);
	assert_memory_equal(seg, f->img + SEG_OFF, SEG_FILESZ);
	for (unsigned i = SEG_FILESZ; i < MEMSZ; i++)
		assert_int_equal(seg[i], 0);
	mi = check_info(f, "/boot/kernel console=ttyS0 x=1", 1);
	memcpy(&mod, gp(f, mi.mods_addr, 16), 16);
	assert_int_equal(mod.mod_start % 4096, 0);
	assert_int_equal(mod.mod_end - mod.mod_start, sizeof(initrd));
	assert_true(mod.mod_end <= RAM && mod.mod_end > RAM - 4096);
	assert_true(mod.mod_start >= 0x100000 + MEMSZ);
	assert_int_equal(mod.reserved, 0);
	assert_string_equal(gp(f, mod.string, 1), "initrd");
	assert_true(range_within(mod.string, 7, LAYOUT_ZERO_PAGE, 4096));
	assert_memory_equal(gp(f, mod.mod_start, sizeof(initrd)), initrd, sizeof(initrd));
}

static void test_elf_variants(void **state)
{
	struct fx *f = *state;
	struct spec s = spec_default();

	/* No cmdline: just the path. Optional flags (16-31) are ignored. */
	s.flags = 0x00f00000 | 1;
	build(f->img, &s);
	assert_int_equal(load(f), 0);
	check_info(f, "/boot/kernel", 0);
	/* Higher-half link: e_entry is virtual, translated like GRUB. */
	s = spec_default();
	s.vaddr = 0xc0100000;
	s.entry = 0xc0100044;
	build(f->img, &s);
	assert_int_equal(load(f), 0);
	assert_int_equal(f->cpu.rip, 0x100044);
}

static void test_header_refused(void **state)
{
	struct fx *f = *state;
	struct spec s;

	s = spec_default(), s.checksum_delta = 1;
	expect_fail(f, &s, -ENOEXEC, "checksum");
	s = spec_default(), s.magic = 0x1BADB003;
	expect_fail(f, &s, -ENOEXEC, "no PVH note (XEN_ELFNOTE_PHYS32_ENTRY)");
	s = spec_default(), s.hdr_off = SEG_OFF + 2; /* not 4-byte aligned */
	expect_fail(f, &s, -ENOEXEC, "no Multiboot header");
	s = spec_default(), s.flags = MULTIBOOT_VIDEO_MODE;
	expect_fail(f, &s, -ENOEXEC, "video");
	s = spec_default(), s.flags = BIT(5);
	expect_fail(f, &s, -ENOEXEC, "0x20");
	s = spec_default(), s.paddr = 0xc0000000, s.vaddr = s.paddr;
	expect_fail(f, &s, -EINVAL, "MMIO hole");
	s = spec_default(), s.paddr = MiB(64), s.vaddr = s.paddr;
	expect_fail(f, &s, -EFBIG, "does not fit");
	s = spec_default(), s.paddr = 0x8000, s.vaddr = s.paddr;
	expect_fail(f, &s, -EINVAL, "below 1 MiB");
	s = spec_default(), s.paddr = 0xffffff00, s.vaddr = s.paddr;
	expect_fail(f, &s, -EINVAL, NULL);
	s = spec_default(), s.memsz = SEG_FILESZ - 1;
	expect_fail(f, &s, -EINVAL, "p_filesz > p_memsz");
}

static void test_truncations(void **state)
{
	struct fx *f = *state;
	struct spec specs[2] = {spec_default(), spec_raw()};

	for (int c = 0; c < 2; c++) {
		build(f->img, &specs[c]);
		for (size_t len = 0; len < IMG_LEN; len++) {
			int r;

			f->args.kernel_len = len;
			r = load(f);
			assert_true(strlen(f->err) > 0 || r == 0);
			/* A raw image truncated after its header still loads
			 * (load_end_addr 0 means "to the end of the file"). */
			if (!specs[c].elf && len >= 0x40 + 32)
				assert_int_equal(r, 0);
			else if (r != -ENOEXEC && r != -EINVAL)
				fail_msg("len %zu: r=%d (%s)", len, r, f->err);
		}
		f->args.kernel_len = IMG_LEN;
		assert_int_equal(load(f), 0);
	}
}

static void test_aout_kludge(void **state)
{
	struct fx *f = *state;
	struct spec s = spec_raw();
	const uint8_t *mem;

	build(f->img, &s);
	memset(gp(f, 0x200000, MEMSZ), 0xee, MEMSZ);
	f->args.cmdline = "a b";
	assert_int_equal(load(f), 0);
	assert_int_equal(f->cpu.rip, 0x200080);
	check_info(f, "/boot/kernel a b", 0);
	mem = gp(f, 0x200000, MEMSZ);
	assert_memory_equal(mem, f->img, IMG_LEN);
	for (unsigned i = IMG_LEN; i < MEMSZ; i++)
		assert_int_equal(mem[i], 0);

	/* load_end_addr and no bss */
	s.kl[2] = 0x200100, s.kl[3] = 0;
	build(f->img, &s);
	memset(gp(f, 0x200000, MEMSZ), 0xee, MEMSZ);
	assert_int_equal(load(f), 0);
	assert_memory_equal(mem, f->img, 0x100);
	assert_int_equal(mem[0x100], 0xee);

	s = spec_raw(), s.kl[2] = 0x200000 + IMG_LEN + 1;
	expect_fail(f, &s, -EINVAL, "past the end");
	s = spec_raw(), s.kl[2] = 0x1fffff;
	expect_fail(f, &s, -EINVAL, "past the end");
	s = spec_raw(), s.kl[1] = 0x200041;
	expect_fail(f, &s, -EINVAL, "load_addr");
	s = spec_raw(), s.kl[1] = 0x200000 - 4; /* text before the file */
	expect_fail(f, &s, -EINVAL, "load_addr");
	s = spec_raw(), s.kl[3] = 0x200010;
	expect_fail(f, &s, -EINVAL, "bss_end_addr");
	s = spec_raw(), s.kl[0] = 0xc0000040, s.kl[1] = 0xc0000000;
	s.kl[3] = 0;
	expect_fail(f, &s, -EINVAL, "MMIO hole");
	s = spec_raw(), s.kl[3] = 0x5000000;
	expect_fail(f, &s, -EFBIG, "does not fit");
	s = spec_raw(), s.flags = 0;
	expect_fail(f, &s, -ENOEXEC, "a.out kludge");
	s = spec_raw(), s.hdr_off = IMG_LEN - 16; /* header cut at 16 bytes */
	build(f->img, &s);
	{
		uint32_t hdr[3] = {s.magic, s.flags, -(s.magic + s.flags)};

		memcpy(f->img + s.hdr_off, hdr, sizeof(hdr));
	}
	f->args.kernel_len = IMG_LEN - 4;
	assert_int_equal(load(f), -EINVAL);
	assert_non_null(strstr(f->err, "truncated"));
}

static void test_limits(void **state)
{
	struct fx *f = *state;
	struct spec s = spec_default();
	char *line = malloc(LAYOUT_CMDLINE_MAX);
	size_t room = LAYOUT_CMDLINE_MAX - 1 - strlen("/boot/kernel ");
	uint8_t *big = calloc(1, MiB(63));

	assert_non_null(line);
	assert_non_null(big);
	memset(line, 'q', LAYOUT_CMDLINE_MAX);
	line[room + 1] = '\0';
	f->args.cmdline = line;
	expect_fail(f, &s, -EFBIG, "command line");
	line[room] = '\0';
	build(f->img, &s);
	assert_int_equal(load(f), 0);
	assert_int_equal(strlen(gp(f, LAYOUT_CMDLINE, 1)), LAYOUT_CMDLINE_MAX - 1);
	f->args.cmdline = "";
	f->args.initrd = big;
	f->args.initrd_len = MiB(63);
	expect_fail(f, &s, -EFBIG, "initramfs");
	f->args.initrd_len = RAM - 0x100000 - MEMSZ;
	build(f->img, &s);
	assert_int_equal(load(f), 0);
	free(big);
	free(line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(test_elf_initrd),  T(test_elf_variants), T(test_header_refused),
		T(test_truncations), T(test_aout_kludge),  T(test_limits),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
