// SPDX-License-Identifier: MIT
/* bzImage loader: a fake bzImage (setup header + payload) loaded into a
 * 64 MiB guest; the zero page, e820, page tables and hostile headers. If a
 * real Debian kernel is at hand (VMM_TEST_BZIMAGE, or the nested harness's cache), it is loaded
 * too; otherwise that case is a named skip. */
#include <asm/bootparam.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>

#define RAM	    MiB(64)
#define SETUP_SECTS 4
#define SETUP_LEN   ((SETUP_SECTS + 1) * 512)
#define PAYLOAD	    0x2000
#define IMG_LEN	    (SETUP_LEN + PAYLOAD)
#define HDR_END_215 0x26c /* end of kernel_info_offset */
#define KERNEL_PATH "/bz"
#define FX_EXTRA                                                                                   \
	struct setup_header h; /* what build() writes */                                           \
	size_t hdr_end;
#include "boot_fixture.h"

static void hdr_default(struct fx *f)
{
	memset(&f->h, 0, sizeof(f->h));
	f->h.setup_sects = SETUP_SECTS;
	f->h.boot_flag = 0xaa55;
	f->h.header = 0x53726448; /* "HdrS" */
	f->h.version = 0x020f;
	f->h.loadflags = LOADED_HIGH;
	f->h.initrd_addr_max = 0x7fffffff;
	f->h.kernel_alignment = 0x200000;
	f->h.relocatable_kernel = 1;
	f->h.xloadflags = XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G;
	f->h.cmdline_size = 0x7ff;
	f->h.pref_address = 0x1000000;
	f->h.init_size = 0x800000;
	f->h.code32_start = 0x100000;
	f->h.syssize = PAYLOAD / 16;
	f->hdr_end = HDR_END_215;
}

static void build(struct fx *f)
{
	memset(f->img, 0xcc, SETUP_LEN); /* garbage around the header */
	f->h.jump = (uint16_t)(0xeb | ((f->hdr_end - 0x202) << 8));
	memcpy(f->img + 0x1f1, &f->h, f->hdr_end - 0x1f1);
	for (unsigned i = 0; i < PAYLOAD; i++)
		f->img[SETUP_LEN + i] = (uint8_t)(i * 13 + 5);
	f->args.kernel_len = IMG_LEN;
}

/* The fixture with the default header built into f->img. */
static int bz_setup(void **state)
{
	if (fx_setup(state))
		return -1;
	hdr_default(*state);
	build(*state);
	return 0;
}

static struct boot_params *zp(struct fx *f)
{
	return gp(f, LAYOUT_ZERO_PAGE, sizeof(struct boot_params));
}

static void expect_fail(struct fx *f, int want, const char *needle)
{
	build(f);
	expect_load_fail(f, want, needle);
}

static void check_page_tables(struct fx *f)
{
	const uint64_t *pt = gp(f, LAYOUT_PAGE_TABLES, 6 * 4096);

	assert_int_equal(pt[0], (LAYOUT_PAGE_TABLES + 0x1000) | 3);
	for (unsigned i = 1; i < 512; i++)
		assert_int_equal(pt[i], 0);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(pt[512 + i], (LAYOUT_PAGE_TABLES + 0x2000 + i * 0x1000) | 3);
	for (unsigned i = 4; i < 512; i++)
		assert_int_equal(pt[512 + i], 0);
	for (unsigned i = 0; i < 2048; i++)
		assert_int_equal(pt[1024 + i], (uint64_t)i * MiB(2) | 0x83);
	assert_true(LAYOUT_PAGE_TABLES + 6 * 4096 <= LAYOUT_PAGE_TABLES_END);
}

static void test_load_ok(void **state)
{
	struct fx *f = *state;
	static uint8_t initrd[12345];
	struct mem_map_entry map[MEM_MAP_MAX];
	unsigned n = guest_mem_map(&f->mem, map, MEM_MAP_MAX);
	struct boot_params *bp, want;
	uint64_t rd;

	for (unsigned i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i * 3);
	memset(gp(f, LAYOUT_ZERO_PAGE, 4096), 0x77, 4096); /* must be cleared */
	f->args.initrd = initrd;
	f->args.initrd_len = sizeof(initrd);
	f->args.cmdline = "console=ttyS0 panic=-1";
	f->args.rsdp = gpa(0xe0000);
	assert_int_equal(load(f), 0);
	assert_string_equal(f->err, "");
	assert_int_equal(f->proto, BOOT_LINUX64);
	assert_int_equal(f->cpu.mode, BOOT_CPU_LONG64);
	assert_int_equal(f->cpu.rip, 0x100200);
	assert_int_equal(f->cpu.rsi, LAYOUT_ZERO_PAGE);
	assert_int_equal(f->cpu.cr3, LAYOUT_PAGE_TABLES);
	assert_int_equal(f->cpu.rax, 0);
	assert_int_equal(f->cpu.rbx, 0);
	assert_memory_equal(gp(f, 0x100000, PAYLOAD), f->img + SETUP_LEN, PAYLOAD);
	check_page_tables(f);

	bp = zp(f);
	/* Build the zero page we expect, field by field, and compare all
	 * 4096 bytes. */
	memset(&want, 0, sizeof(want));
	want.hdr = f->h;
	want.hdr.type_of_loader = 0xff;
	want.hdr.loadflags = LOADED_HIGH | CAN_USE_HEAP;
	want.hdr.heap_end_ptr = 0xfe00;
	want.hdr.cmd_line_ptr = LAYOUT_CMDLINE;
	rd = bp->hdr.ramdisk_image;
	want.hdr.ramdisk_image = (uint32_t)rd;
	want.hdr.ramdisk_size = sizeof(initrd);
	want.acpi_rsdp_addr = 0xe0000;
	want.e820_entries = (uint8_t)n;
	for (unsigned i = 0; i < n; i++) {
		want.e820_table[i].addr = map[i].addr;
		want.e820_table[i].size = map[i].size;
		want.e820_table[i].type = map[i].type;
	}
	assert_memory_equal(bp, &want, sizeof(want));
	assert_int_equal(n, 4);
	assert_int_equal(bp->e820_table[3].addr, 0x100000);
	assert_int_equal(bp->e820_table[3].addr + bp->e820_table[3].size, RAM);

	/* initrd: page aligned, at the top, above pref_address + init_size */
	assert_int_equal(rd % 4096, 0);
	assert_true(rd >= 0x1000000 + 0x800000);
	assert_true(rd + sizeof(initrd) <= RAM);
	assert_true(rd + sizeof(initrd) > RAM - 4096);
	assert_int_equal(bp->ext_ramdisk_image, 0);
	assert_int_equal(bp->ext_ramdisk_size, 0);
	assert_int_equal(bp->ext_cmd_line_ptr, 0);
	assert_memory_equal(gp(f, rd, sizeof(initrd)), initrd, sizeof(initrd));
	assert_string_equal(gp(f, LAYOUT_CMDLINE, 1), "console=ttyS0 panic=-1");
}

static void test_header_fields(void **state)
{
	struct fx *f = *state;

	/* setup_sects 0 means 4; protocol 2.12 header ends at 0x268 and the
	 * bytes after it are not copied; no rsdp field before 2.14. */
	f->h.setup_sects = 0;
	f->h.version = 0x020c;
	f->hdr_end = 0x268;
	f->args.rsdp = gpa(0xe0000);
	build(f);
	assert_int_equal(load(f), 0);
	assert_int_equal(zp(f)->hdr.setup_sects, 0);
	assert_int_equal(zp(f)->hdr.kernel_info_offset, 0);
	assert_int_equal(zp(f)->acpi_rsdp_addr, 0);
	assert_int_equal(zp(f)->hdr.ramdisk_image, 0);
	assert_int_equal(zp(f)->hdr.ramdisk_size, 0);
	assert_memory_equal(gp(f, 0x100000, PAYLOAD), f->img + SETUP_LEN, PAYLOAD);

	/* Non-relocatable: loaded at pref_address. */
	hdr_default(f);
	f->h.relocatable_kernel = 0;
	f->h.pref_address = 0x200000;
	build(f);
	assert_int_equal(load(f), 0);
	assert_int_equal(f->cpu.rip, 0x200200);
	assert_memory_equal(gp(f, 0x200000, PAYLOAD), f->img + SETUP_LEN, PAYLOAD);
}

/* The zero page's initramfs and setup_data fields are the loader's to
 * write ("leave at zero if there is no initial ramdisk", boot.rst): what
 * the file's header holds there must not reach the guest (found by
 * tests/fuzz/fuzz_boot_bzimage, crasher bz-no-initrd-keeps-file-ramdisk-size). */
static void test_loader_fields_cleared(void **state)
{
	struct fx *f = *state;
	static uint8_t initrd[4096];

	f->h.ramdisk_image = 0x1234000;
	f->h.ramdisk_size = 0xa0000;
	f->h.setup_data = 0x5000;
	build(f);
	assert_int_equal(load(f), 0);
	assert_int_equal(zp(f)->hdr.ramdisk_image, 0);
	assert_int_equal(zp(f)->hdr.ramdisk_size, 0);
	assert_int_equal(zp(f)->hdr.setup_data, 0);
	assert_int_equal(zp(f)->ext_ramdisk_image, 0);
	assert_int_equal(zp(f)->ext_ramdisk_size, 0);
	/* With an initramfs, its own address and size, and still no
	 * setup_data. */
	f->args.initrd = initrd;
	f->args.initrd_len = sizeof(initrd);
	assert_int_equal(load(f), 0);
	assert_int_equal(zp(f)->hdr.ramdisk_image, RAM - 4096);
	assert_int_equal(zp(f)->hdr.ramdisk_size, sizeof(initrd));
	assert_int_equal(zp(f)->hdr.setup_data, 0);
}

static void test_refused(void **state)
{
	struct fx *f = *state;

	hdr_default(f), f->h.version = 0x020b;
	expect_fail(f, -ENOEXEC, "2.11");
	hdr_default(f), f->h.xloadflags = 0;
	expect_fail(f, -ENOEXEC, "XLF_KERNEL_64");
	hdr_default(f), f->h.loadflags = 0;
	expect_fail(f, -ENOEXEC, "zImage");
	hdr_default(f), f->hdr_end = 0x260;
	expect_fail(f, -EINVAL, "truncated");
	hdr_default(f), f->h.setup_sects = 200; /* setup longer than file */
	expect_fail(f, -EINVAL, "truncated");
	hdr_default(f), f->h.kernel_alignment = 0;
	expect_fail(f, -EINVAL, "power of two");
	hdr_default(f), f->h.kernel_alignment = 0x300000;
	expect_fail(f, -EINVAL, "power of two");
	hdr_default(f), f->h.relocatable_kernel = 0, f->h.pref_address = 0x1000;
	expect_fail(f, -EINVAL, "below 1 MiB");
	hdr_default(f), f->h.relocatable_kernel = 0;
	f->h.pref_address = 0xc0000000;
	expect_fail(f, -EINVAL, "MMIO hole");
	hdr_default(f), f->h.relocatable_kernel = 0;
	f->h.pref_address = UINT64_MAX - 0xfff;
	expect_fail(f, -EINVAL, "wraps");
	hdr_default(f), f->h.init_size = 0x4000000; /* 16 MiB + 64 MiB */
	expect_fail(f, -EFBIG, "init_size");
	hdr_default(f), f->h.pref_address = MiB(62);
	expect_fail(f, -EFBIG, "does not fit");
}

static void test_truncations(void **state)
{
	struct fx *f = *state;

	for (size_t len = 0; len < IMG_LEN; len++) {
		int r;

		f->args.kernel_len = len;
		r = load(f);
		assert_true(strlen(f->err) > 0 || r == 0);
		if (len < 0x206)
			assert_int_equal(r, -ENOEXEC);
		else if (len <= SETUP_LEN)
			assert_int_equal(r, -EINVAL);
		else /* a shorter payload is still a valid bzImage */
			assert_int_equal(r, 0);
	}
}

static void test_initrd_and_cmdline(void **state)
{
	struct fx *f = *state;
	uint8_t *big = calloc(1, MiB(40));
	char line[0x1000];

	assert_non_null(big);
	f->args.initrd = big;
	f->args.initrd_len = MiB(40) + 1; /* 24 MiB + 40 MiB = all RAM */
	expect_fail(f, -EFBIG, "initramfs");
	f->args.initrd_len = MiB(40);
	build(f);
	assert_int_equal(load(f), 0);
	assert_int_equal(zp(f)->hdr.ramdisk_image, MiB(24));
	/* initrd_addr_max below the kernel's init_size end */
	f->args.initrd_len = 4096;
	f->h.initrd_addr_max = MiB(24) - 1;
	expect_fail(f, -EFBIG, "initramfs");
	f->h.initrd_addr_max = MiB(32) - 1;
	build(f);
	assert_int_equal(load(f), 0);
	assert_int_equal(zp(f)->hdr.ramdisk_image, MiB(32) - 4096);
	f->args.initrd = NULL;
	free(big);

	memset(line, 'x', sizeof(line));
	line[0x800] = '\0'; /* 0x800 > cmdline_size 0x7ff */
	f->args.cmdline = line;
	expect_fail(f, -EFBIG, "command line");
	line[0x7ff] = '\0';
	build(f);
	assert_int_equal(load(f), 0);
	assert_int_equal(strlen(gp(f, LAYOUT_CMDLINE, 0x800)), 0x7ff);
}

/* A real Debian kernel: the one the nested harness fetched
 * (tests/nested/fetch.sh), named by VMM_TEST_BZIMAGE (tests/run-all.sh sets
 * it) or found in the harness's cache when run from the top of the tree. */
static char real_kernel[4096];

static bool real_kernel_find(void)
{
	const char *env = getenv("VMM_TEST_BZIMAGE");
	glob_t g;

	if (env && *env) {
		snprintf(real_kernel, sizeof(real_kernel), "%s", env);
		return true;
	}
	if (glob("cache/nested/kernel/boot/vmlinuz-6.12*", 0, NULL, &g) == 0) {
		snprintf(real_kernel, sizeof(real_kernel), "%s", g.gl_pathv[0]);
		globfree(&g);
		return true;
	}
	return false;
}

static void test_real_kernel(void **state)
{
	struct guest_mem mem;
	struct boot_args a = {.cmdline = "console=ttyS0", .kernel_path = "k"};
	struct boot_cpu cpu;
	enum boot_proto proto;
	struct boot_params *bp;
	static uint8_t initrd[4096];
	char err[256];
	FILE *fp;
	long sz;
	uint8_t *buf;

	(void)state;
	if (!real_kernel_find()) {
		/* tests/unit/run.sh reads the reason from this line. */
		printf("# skip test_real_kernel: no Debian 6.12 kernel (set VMM_TEST_BZIMAGE, or "
		       "run "
		       "tests/nested/fetch.sh)\n");
		skip();
	}
	fp = fopen(real_kernel, "rb");
	if (!fp)
		fail_msg("%s: %s", real_kernel, strerror(errno));
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	sz = ftell(fp);
	assert_true(sz > 0);
	rewind(fp);
	buf = malloc((size_t)sz);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)sz, fp), (size_t)sz);
	fclose(fp);
	assert_int_equal(guest_mem_layout(&mem, MiB(256)), 0);
	assert_int_equal(guest_mem_alloc(&mem), 0);
	a.kernel = buf;
	a.kernel_len = (size_t)sz;
	a.initrd = initrd;
	a.initrd_len = sizeof(initrd);
	a.mem = &mem;
	a.rsdp = gpa(0xe0000);
	if (boot_load(&a, &cpu, &proto, err, sizeof(err)) != 0)
		fail_msg("%s: %s", real_kernel, err);
	assert_int_equal(proto, BOOT_LINUX64);
	assert_int_equal(cpu.mode, BOOT_CPU_LONG64);
	assert_int_equal(cpu.rip, 0x100200);
	bp = guest_mem_ptr(&mem, gpa(LAYOUT_ZERO_PAGE), sizeof(*bp));
	assert_true(bp->hdr.version >= 0x020c);
	assert_int_equal(bp->hdr.type_of_loader, 0xff);
	assert_true(bp->hdr.init_size > 0);
	assert_true(bp->hdr.ramdisk_image >= bp->hdr.pref_address + bp->hdr.init_size);
	assert_int_equal(bp->acpi_rsdp_addr, 0xe0000);
	guest_mem_free(&mem);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, bz_setup, fx_teardown)
		T(test_load_ok),
		T(test_header_fields),
		T(test_refused),
		T(test_truncations),
		T(test_initrd_and_cmdline),
		T(test_real_kernel),
		T(test_loader_fields_cleared),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
