// SPDX-License-Identifier: MIT
/* boot_load() format detection: empty, short and random files, ELF headers
 * that are not for us, precedence of PVH over Multiboot, error buffers, and
 * a crude fuzz over mutated valid-looking prefixes. */
#include <errno.h>

#define RAM	    MiB(32)
#define IMG_LEN	    0x2000
#define KERNEL_PATH "k"
#include "boot_fixture.h"

/* Load with f->err filled with 'z' first, so that a missing NUL shows. */
static int load_z(struct fx *f)
{
	memset(f->err, 'z', sizeof(f->err));
	return load_raw(f);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)rng_state;
}

/* ELF64: one PT_LOAD at 1 MiB (file 0x1000..0x1100) holding a Multiboot
 * header, and optionally a PT_NOTE with the PVH entry. */
static void build_elf(uint8_t *buf, bool pvh)
{
	const Elf64_Phdr ph[2] = {
		{.p_type = PT_LOAD,
		 .p_offset = 0x1000,
		 .p_paddr = 0x100000,
		 .p_vaddr = 0x100000,
		 .p_filesz = 0x100,
		 .p_memsz = 0x100},
		{.p_type = pvh ? PT_NOTE : PT_NULL, .p_offset = 0x200, .p_filesz = 20},
	};
	const uint32_t entry = 0x100080;
	const uint32_t mb[3] = {0x1BADB002, 0, (uint32_t)-0x1BADB002};

	memset(buf, 0, IMG_LEN);
	put_elf64(buf, EM_X86_64, 0x100040, 2, ph, 2);
	put_xen_note(buf + 0x200, 18, 4, &entry, sizeof(entry));
	memcpy(buf + 0x1000, mb, sizeof(mb));
}

static void expect(struct fx *f, int want, const char *needle)
{
	int r = load_z(f);

	if (r != want)
		fail_msg("r=%d want %d (%s)", r, want, f->err);
	assert_non_null(memchr(f->err, '\0', sizeof(f->err)));
	check_err(f, needle);
}

static void test_empty_and_short(void **state)
{
	struct fx *f = *state;

	f->args.kernel_len = 0;
	expect(f, -ENOEXEC, "not a kernel");
	f->args.kernel = NULL;
	expect(f, -ENOEXEC, "not a kernel");
	f->args.kernel = f->img;
	memset(f->img, 0, IMG_LEN);
	for (size_t len = 1; len < 64; len++) {
		f->args.kernel_len = len;
		expect(f, -ENOEXEC, "not a kernel");
	}
	memcpy(f->img,
	       "\x7f"
	       "ELF",
	       4); /* ELF magic, nothing else */
	for (size_t len = 0; len < 64; len++) {
		f->args.kernel_len = len;
		assert_int_not_equal(load_z(f), 0);
		assert_true(strlen(f->err) > 0);
	}
}

static void test_random_bytes(void **state)
{
	struct fx *f = *state;

	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < IMG_LEN; i++)
			f->img[i] = (uint8_t)rnd();
		f->img[0] = 'R';     /* never the ELF magic */
		f->img[0x202] = 'x'; /* never "HdrS" */
		f->args.kernel_len = 1 + rnd() % IMG_LEN;
		expect(f, -ENOEXEC, "not a kernel");
	}
}

static void test_elf_refused(void **state)
{
	struct fx *f = *state;

	build_elf(f->img, false);
	f->img[0x1000] = 0; /* no Multiboot either */
	expect(f, -ENOEXEC, "ELF kernel has no PVH note (XEN_ELFNOTE_PHYS32_ENTRY)");
	build_elf(f->img, true);
	f->img[EI_DATA] = ELFDATA2MSB;
	expect(f, -ENOEXEC, "little-endian");
	build_elf(f->img, true);
	f->img[EI_CLASS] = 3;
	expect(f, -EINVAL, "class");
	build_elf(f->img, true);
	f->img[offsetof(Elf64_Ehdr, e_type)] = ET_REL;
	expect(f, -ENOEXEC, "executable");
	build_elf(f->img, true);
	f->img[offsetof(Elf64_Ehdr, e_phentsize)] = 8;
	expect(f, -EINVAL, "e_phentsize");
	build_elf(f->img, true);
	memset(f->img + offsetof(Elf64_Ehdr, e_phoff), 0xff, 8);
	expect(f, -EINVAL, "program headers");
}

static void test_precedence(void **state)
{
	struct fx *f = *state;

	build_elf(f->img, true); /* PVH note and Multiboot header */
	assert_int_equal(load_z(f), 0);
	assert_int_equal(f->proto, BOOT_PVH);
	assert_int_equal(f->cpu.rip, 0x100080);
	build_elf(f->img, false);
	assert_int_equal(load_z(f), 0);
	assert_int_equal(f->proto, BOOT_MULTIBOOT);
	assert_int_equal(f->cpu.rip, 0x100040);
	assert_int_equal(f->cpu.rax, 0x2BADB002);
}

static void test_err_buffers(void **state)
{
	struct fx *f = *state;
	char small[8];

	f->args.kernel_len = 0;
	memset(small, 'z', sizeof(small));
	assert_int_equal(boot_load(&f->args, &f->cpu, &f->proto, small, sizeof(small)), -ENOEXEC);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_int_equal(boot_load(&f->args, &f->cpu, &f->proto, NULL, 0), -ENOEXEC);
	assert_string_equal(boot_proto_name(BOOT_PVH), "PVH");
	assert_string_equal(boot_proto_name(BOOT_MULTIBOOT), "Multiboot");
	assert_string_equal(boot_proto_name(BOOT_LINUX64), "Linux bzImage");
}

/* Flip random bytes of valid images: any result is fine but a crash (run
 * under ASan to catch out-of-bounds reads) or a message-less failure. */
static void test_mutations(void **state)
{
	struct fx *f = *state;

	for (int round = 0; round < 3000; round++) {
		int r, flips = 1 + (int)(rnd() % 8);

		build_elf(f->img, round & 1);
		for (int i = 0; i < flips; i++) {
			size_t at = rnd() % (round % 3 ? 0x240 : IMG_LEN);

			f->img[at] = (uint8_t)rnd();
		}
		f->args.kernel_len = round % 5 ? IMG_LEN : rnd() % IMG_LEN;
		r = load_z(f);
		assert_true(r == 0 || r == -ENOEXEC || r == -EINVAL || r == -EFBIG);
		if (r)
			assert_true(strlen(f->err) > 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(test_empty_and_short), T(test_random_bytes), T(test_elf_refused),
		T(test_precedence),	 T(test_err_buffers),  T(test_mutations),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
