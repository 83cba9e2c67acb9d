// SPDX-License-Identifier: MIT
/* PVH loader: synthetic ELF32/ELF64 kernels with a Xen PHYS32_ENTRY note,
 * loaded into a 64 MiB guest; the start_info and hostile headers. */
#include <errno.h>

#include "vmm/boot/pvh.h"

#define RAM	    MiB(64)
#define SEG_OFF	    0x1000
#define SEG_FILESZ  0x100
#define IMG_LEN	    (SEG_OFF + SEG_FILESZ)
#define NOTE_OFF    0x200
#define KERNEL_PATH "/k"
#include "boot_fixture.h"

struct spec {
	bool is64;
	uint16_t machine, phnum;
	uint64_t paddr, offset, filesz, memsz, entry;
	uint32_t note_type, note_descsz;
	bool note;
};

static struct spec spec_default(bool is64)
{
	return (struct spec){
		.is64 = is64,
		.machine = is64 ? EM_X86_64 : EM_386,
		.phnum = 2,
		.paddr = 0x100000,
		.offset = SEG_OFF,
		.filesz = SEG_FILESZ,
		.memsz = 0x3000,
		.entry = 0x100010,
		.note_type = 18,
		.note_descsz = 4,
		.note = true,
	};
}

/* Build the image into buf (IMG_LEN bytes). Segment bytes are i*7+1. */
static size_t build(uint8_t *buf, const struct spec *s)
{
	memset(buf, 0, IMG_LEN);
	if (s->is64) {
		const Elf64_Phdr ph[2] = {
			{.p_type = PT_LOAD,
			 .p_offset = s->offset,
			 .p_vaddr = 0xffffffff81000000ull,
			 .p_paddr = s->paddr,
			 .p_filesz = s->filesz,
			 .p_memsz = s->memsz},
			{.p_type = s->note ? PT_NOTE : PT_NULL,
			 .p_offset = NOTE_OFF,
			 .p_filesz = 12 + 4 + 8},
		};

		put_elf64(buf, s->machine, 0x1000000, s->phnum, ph, 2);
	} else {
		const Elf32_Phdr ph[2] = {
			{.p_type = PT_LOAD,
			 .p_offset = (uint32_t)s->offset,
			 .p_vaddr = 0xc0100000u,
			 .p_paddr = (uint32_t)s->paddr,
			 .p_filesz = (uint32_t)s->filesz,
			 .p_memsz = (uint32_t)s->memsz},
			{.p_type = s->note ? PT_NOTE : PT_NULL,
			 .p_offset = NOTE_OFF,
			 .p_filesz = 12 + 4 + 8},
		};

		put_elf32(buf, s->machine, 0x1000000, s->phnum, ph, 2);
	}
	put_xen_note(buf + NOTE_OFF, s->note_type, s->note_descsz, &s->entry, sizeof(s->entry));
	for (unsigned i = 0; i < SEG_FILESZ; i++)
		buf[SEG_OFF + i] = (uint8_t)(i * 7 + 1);
	return IMG_LEN;
}

static void check_ok_common(struct fx *f, uint64_t entry)
{
	const uint8_t *seg = gp(f, 0x100000, 0x3000);
	struct hvm_start_info si;
	struct mem_map_entry map[MEM_MAP_MAX];
	unsigned n = guest_mem_map(&f->mem, map, MEM_MAP_MAX);

	assert_int_equal(f->proto, BOOT_PVH);
	assert_int_equal(f->cpu.mode, BOOT_CPU_PROT32);
	assert_int_equal(f->cpu.rip, entry);
	assert_int_equal(f->cpu.rbx, LAYOUT_START_INFO);
	assert_int_equal(f->cpu.rax, 0);
	assert_int_equal(f->cpu.rsi, 0);
	for (unsigned i = 0; i < SEG_FILESZ; i++)
		assert_int_equal(seg[i], (uint8_t)(i * 7 + 1));
	for (unsigned i = SEG_FILESZ; i < 0x3000; i++)
		assert_int_equal(seg[i], 0);
	memcpy(&si, gp(f, LAYOUT_START_INFO, sizeof(si)), sizeof(si));
	assert_int_equal(si.magic, 0x336ec578);
	assert_int_equal(si.version, 1);
	assert_int_equal(si.flags, 0);
	assert_int_equal(si.cmdline_paddr, LAYOUT_CMDLINE);
	assert_int_equal(si.rsdp_paddr, f->args.rsdp.a);
	assert_int_equal(si.reserved, 0);
	assert_int_equal(si.memmap_entries, n);
	assert_true(range_within(si.memmap_paddr, n * 24ull, LAYOUT_START_INFO, 4096));
	assert_true(si.memmap_paddr >= LAYOUT_START_INFO + sizeof(si));
	for (unsigned i = 0; i < n; i++) {
		struct hvm_memmap_table_entry e;

		memcpy(&e, gp(f, si.memmap_paddr + i * 24ull, 24), 24);
		assert_int_equal(e.addr, map[i].addr);
		assert_int_equal(e.size, map[i].size);
		assert_int_equal(e.type, map[i].type);
		assert_int_equal(e.reserved, 0);
	}
	assert_string_equal(gp(f, LAYOUT_CMDLINE, 1), f->args.cmdline);
}

static void test_elf64_initrd(void **state)
{
	struct fx *f = *state;
	struct spec s = spec_default(true);
	static uint8_t initrd[10000];
	struct hvm_start_info si;
	struct hvm_modlist_entry mod;

	s.note_descsz = 8;
	build(f->img, &s);
	for (unsigned i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i ^ 0x5a);
	memset(gp(f, 0x100000, 0x3000), 0xee, 0x3000); /* bss must be zeroed */
	f->args.initrd = initrd;
	f->args.initrd_len = sizeof(initrd);
	f->args.cmdline = "console=ttyS0 root=/dev/vda";
	f->args.rsdp = gpa(0xe0000);
	assert_int_equal(load(f), 0);
	check_ok_common(f, 0x100010);
	memcpy(&si, gp(f, LAYOUT_START_INFO, sizeof(si)), sizeof(si));
	assert_int_equal(si.nr_modules, 1);
	assert_true(range_within(si.modlist_paddr, 32, LAYOUT_START_INFO, 4096));
	assert_true(si.modlist_paddr >= si.memmap_paddr + si.memmap_entries * 24ull);
	memcpy(&mod, gp(f, si.modlist_paddr, 32), 32);
	assert_int_equal(mod.size, sizeof(initrd));
	assert_int_equal(mod.paddr % 4096, 0);
	assert_int_equal(mod.cmdline_paddr, 0);
	assert_int_equal(mod.reserved, 0);
	/* Top of low RAM, above the kernel. */
	assert_true(mod.paddr + mod.size <= RAM);
	assert_true(mod.paddr + mod.size > RAM - 4096);
	assert_true(mod.paddr >= 0x103000);
	assert_memory_equal(gp(f, mod.paddr, sizeof(initrd)), initrd, sizeof(initrd));
}

static void test_elf32_no_initrd(void **state)
{
	struct fx *f = *state;
	struct spec s = spec_default(false);
	struct hvm_start_info si;

	s.entry = 0x100020;
	build(f->img, &s);
	assert_int_equal(load(f), 0);
	check_ok_common(f, 0x100020);
	memcpy(&si, gp(f, LAYOUT_START_INFO, sizeof(si)), sizeof(si));
	assert_int_equal(si.nr_modules, 0);
	assert_int_equal(si.modlist_paddr, 0);
	assert_int_equal(si.rsdp_paddr, 0);
}

static void expect_fail(struct fx *f, const struct spec *s, int want, const char *needle)
{
	build(f->img, s);
	expect_load_fail(f, want, needle);
}

static void test_truncations(void **state)
{
	struct fx *f = *state;

	for (int c = 0; c < 2; c++) {
		struct spec s = spec_default(c);

		build(f->img, &s);
		for (size_t len = 0; len < IMG_LEN; len++) {
			int r;

			f->args.kernel_len = len;
			r = load(f);
			if (r != -ENOEXEC && r != -EINVAL)
				fail_msg("len %zu: r=%d (%s)", len, r, f->err);
			assert_true(strlen(f->err) > 0);
		}
		f->args.kernel_len = IMG_LEN;
		assert_int_equal(load(f), 0);
	}
}

static void test_bad_headers(void **state)
{
	struct fx *f = *state;

	for (int c = 0; c < 2; c++) {
		struct spec s;

		s = spec_default(c), s.phnum = 0xffff;
		expect_fail(f, &s, -EINVAL, "program headers");
		s = spec_default(c), s.phnum = 65;
		expect_fail(f, &s, -EINVAL, "program headers");
		s = spec_default(c), s.phnum = 0;
		expect_fail(f, &s, -EINVAL, "program headers");
		s = spec_default(c), s.machine = EM_AARCH64;
		expect_fail(f, &s, -ENOEXEC, "not x86");
		s = spec_default(c), s.offset = c ? UINT64_MAX - 0x10 : UINT32_MAX - 0x10;
		expect_fail(f, &s, -EINVAL, "past the end");
		s = spec_default(c), s.memsz = s.filesz - 1;
		expect_fail(f, &s, -EINVAL, "p_filesz > p_memsz");
		s = spec_default(c), s.paddr = c ? UINT64_MAX - 0xfff : UINT32_MAX - 0xfff;
		expect_fail(f, &s, -EINVAL, NULL);
		s = spec_default(c), s.paddr = 0xc0000000;
		expect_fail(f, &s, -EINVAL, "MMIO hole");
		s = spec_default(c), s.paddr = 0xbffff000;
		expect_fail(f, &s, -EINVAL, "MMIO hole");
		s = spec_default(c), s.paddr = MiB(64) - 0x1000;
		expect_fail(f, &s, -EFBIG, "does not fit");
		s = spec_default(c), s.paddr = 0x7000;
		expect_fail(f, &s, -EINVAL, "below 1 MiB");
		s = spec_default(c), s.paddr = 0xff000;
		expect_fail(f, &s, -EINVAL, "below 1 MiB");
		s = spec_default(c), s.note = false;
		expect_fail(f, &s, -ENOEXEC, "no PVH note (XEN_ELFNOTE_PHYS32_ENTRY)");
		s = spec_default(c), s.note_type = 17;
		expect_fail(f, &s, -ENOEXEC, "XEN_ELFNOTE_PHYS32_ENTRY");
		s = spec_default(c), s.note_descsz = 0x1000;
		expect_fail(f, &s, -EINVAL, "note");
		s = spec_default(c), s.note_descsz = 0xfffffffe;
		expect_fail(f, &s, -EINVAL, "note");
		s = spec_default(c), s.note_descsz = 2;
		expect_fail(f, &s, -EINVAL, "note");
		s = spec_default(c), s.note_descsz = 8, s.entry = 1ull << 32;
		expect_fail(f, &s, -EINVAL, "4 GiB");
	}
}

static void test_wrap64(void **state)
{
	struct fx *f = *state;
	struct spec s = spec_default(true);

	s.paddr = 0xfffffffffffff000ull;
	s.memsz = 0x2000;
	expect_fail(f, &s, -EINVAL, "wraps");
	s = spec_default(true);
	s.memsz = UINT64_MAX;
	expect_fail(f, &s, -EINVAL, "wraps");
}

static void test_initrd_too_big(void **state)
{
	struct fx *f = *state;
	struct spec s = spec_default(true);
	size_t big = MiB(63);
	uint8_t *initrd = calloc(1, big);

	assert_non_null(initrd);
	f->args.initrd = initrd;
	f->args.initrd_len = big;
	expect_fail(f, &s, -EFBIG, "initramfs");
	f->args.initrd_len = MiB(64);
	expect_fail(f, &s, -EFBIG, "initramfs");
	f->args.initrd_len = SIZE_MAX;
	expect_fail(f, &s, -EFBIG, "initramfs");
	/* The largest that fits: everything from the kernel's end page. */
	f->args.initrd_len = MiB(64) - 0x103000;
	build(f->img, &s);
	assert_int_equal(load(f), 0);
	free(initrd);
}

static void test_cmdline_limits(void **state)
{
	struct fx *f = *state;
	struct spec s = spec_default(true);
	char *line = malloc(LAYOUT_CMDLINE_MAX + 1);

	assert_non_null(line);
	memset(line, 'a', LAYOUT_CMDLINE_MAX);
	line[LAYOUT_CMDLINE_MAX] = '\0';
	f->args.cmdline = line;
	expect_fail(f, &s, -EFBIG, "command line");
	line[LAYOUT_CMDLINE_MAX - 1] = '\0';
	assert_int_equal(load(f), 0);
	assert_int_equal(strlen(gp(f, LAYOUT_CMDLINE, LAYOUT_CMDLINE_MAX)), LAYOUT_CMDLINE_MAX - 1);
	free(line);
}

/* A bss-only segment (p_filesz 0) takes no bytes from the file, whatever
 * its p_offset says: it loads as zeros, and the loader never forms a
 * pointer from that offset (found by tests/fuzz/fuzz_boot_pvh, crasher
 * elf-bss-offset-past-end: UBSan saw data + p_offset wrap). */
static void test_bss_only_offset_past_end(void **state)
{
	struct fx *f = *state;
	struct spec s = spec_default(true);

	s.filesz = 0;
	s.offset = UINT64_MAX - 0xfff;
	build(f->img, &s);
	memset(gp(f, 0x100000, 0x3000), 0xee, 0x3000);
	assert_int_equal(load(f), 0);
	assert_int_equal(f->proto, BOOT_PVH);
	for (unsigned i = 0; i < 0x3000; i++)
		assert_int_equal(*(uint8_t *)gp(f, 0x100000 + i, 1), 0);
}

/* RAM above 4 GiB exists but a 32-bit entry cannot reach it. */
static void test_above_4g(void **state)
{
	struct guest_mem big;
	struct spec s = spec_default(true);
	struct fx *f = *state;
	struct boot_args a = f->args;

	(void)state;
	assert_int_equal(guest_mem_layout(&big, GiB(4)), 0);
	assert_int_equal(guest_mem_alloc(&big), 0);
	a.mem = &big;
	s.paddr = GiB(4);
	build(f->img, &s);
	assert_int_equal(boot_load(&a, &f->cpu, &f->proto, f->err, sizeof(f->err)), -EINVAL);
	assert_non_null(strstr(f->err, "unreachable"));
	guest_mem_free(&big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(test_elf64_initrd),	T(test_elf32_no_initrd), T(test_truncations),
		T(test_bad_headers),	T(test_wrap64),		 T(test_initrd_too_big),
		T(test_cmdline_limits), T(test_above_4g),	 T(test_bss_only_offset_past_end),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
