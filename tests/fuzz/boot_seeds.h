/* SPDX-License-Identifier: MIT */
/* The seed builders of the kernel-loader fuzz targets
 * (tests/fuzz/fuzz_boot_*.c): a seed's header, ELF, note, Multiboot and
 * bzImage pieces, written to $FUZZ_BOOT_SEEDS by bfx_init_or_seed(). */
#ifndef TESTS_FUZZ_BOOT_SEEDS_H
#define TESTS_FUZZ_BOOT_SEEDS_H

#include "tests/fuzz/boot_fixture.h"

/* ---- seeds ------------------------------------------------------------------ */

/* A seed being built: header fields, then kernel bytes, then command line. */
struct bfx_seed {
	uint8_t flags;
	uint16_t initrd, cl;
	uint8_t k[0x3000];
	size_t klen;
	const char *cmdline;
};

/* Write seed s as dir/name. */
static inline void bfx_seed_write(const char *dir, const char *name, const struct bfx_seed *s)
{
	char path[512];
	size_t cl = s->cmdline ? strlen(s->cmdline) : 0;
	uint8_t hdr[BFX_HDR] = {s->flags, (uint8_t)s->initrd, (uint8_t)(s->initrd >> 8),
				(uint8_t)(s->cmdline ? cl : s->cl),
				(uint8_t)((s->cmdline ? cl : s->cl) >> 8)};
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	if (!fp || fwrite(hdr, 1, sizeof(hdr), fp) != sizeof(hdr) ||
	    fwrite(s->k, 1, s->klen, fp) != s->klen || fwrite(s->cmdline, 1, cl, fp) != cl ||
	    fclose(fp))
		abort();
}

/* An executable little-endian ELF header (64 or 32 bit) for x86 at k, its
 * nph program headers right after it (ph64 or ph32). */
static inline void bfx_put_elf(uint8_t *k, bool is64, uint64_t entry, const Elf64_Phdr *ph,
			       unsigned nph)
{
	if (is64) {
		Elf64_Ehdr eh = {.e_type = ET_EXEC,
				 .e_machine = EM_X86_64,
				 .e_version = EV_CURRENT,
				 .e_entry = entry,
				 .e_phoff = sizeof(eh),
				 .e_ehsize = sizeof(eh),
				 .e_phentsize = sizeof(Elf64_Phdr),
				 .e_phnum = (uint16_t)nph};

		memcpy(eh.e_ident, ELFMAG, SELFMAG);
		eh.e_ident[EI_CLASS] = ELFCLASS64;
		eh.e_ident[EI_DATA] = ELFDATA2LSB;
		memcpy(k, &eh, sizeof(eh));
		memcpy(k + sizeof(eh), ph, nph * sizeof(*ph));
	} else {
		Elf32_Ehdr eh = {.e_type = ET_EXEC,
				 .e_machine = EM_386,
				 .e_version = EV_CURRENT,
				 .e_entry = (uint32_t)entry,
				 .e_phoff = sizeof(eh),
				 .e_ehsize = sizeof(eh),
				 .e_phentsize = sizeof(Elf32_Phdr),
				 .e_phnum = (uint16_t)nph};

		memcpy(eh.e_ident, ELFMAG, SELFMAG);
		eh.e_ident[EI_CLASS] = ELFCLASS32;
		eh.e_ident[EI_DATA] = ELFDATA2LSB;
		memcpy(k, &eh, sizeof(eh));
		for (unsigned i = 0; i < nph; i++) {
			Elf32_Phdr p = {(uint32_t)ph[i].p_type,
					(uint32_t)ph[i].p_offset,
					(uint32_t)ph[i].p_vaddr,
					(uint32_t)ph[i].p_paddr,
					(uint32_t)ph[i].p_filesz,
					(uint32_t)ph[i].p_memsz,
					ph[i].p_flags,
					(uint32_t)ph[i].p_align};

			memcpy(k + sizeof(eh) + i * sizeof(p), &p, sizeof(p));
		}
	}
}

/* A note at k: namesz, descsz, type, name (padded to 4), desc. Returns its
 * size. */
static inline size_t bfx_put_note(uint8_t *k, const char *name, uint32_t type, const void *desc,
				  uint32_t dlen)
{
	uint32_t w[3] = {(uint32_t)strlen(name) + 1, dlen, type};
	size_t nal = ALIGN_UP(w[0], 4);

	memcpy(k, w, sizeof(w));
	memset(k + 12, 0, nal + ALIGN_UP(dlen, 4));
	memcpy(k + 12, name, w[0]);
	memcpy(k + 12 + nal, desc, dlen);
	return 12 + nal + ALIGN_UP(dlen, 4);
}

/* A Multiboot v1 header at k with flags (and, with the a.out kludge, the
 * address fields). */
static inline void bfx_put_mb(uint8_t *k, uint32_t flags, uint32_t header_addr, uint32_t load_addr,
			      uint32_t load_end, uint32_t bss_end, uint32_t entry)
{
	struct multiboot_header h = {MULTIBOOT_HEADER_MAGIC,
				     flags,
				     (uint32_t) - (MULTIBOOT_HEADER_MAGIC + flags),
				     header_addr,
				     load_addr,
				     load_end,
				     bss_end,
				     entry};

	memcpy(k, &h, sizeof(h));
}

/* A bzImage with 'sects' setup sectors, protocol 'version', header up to
 * hdr_end, and payload bytes of pattern after the setup. */
static inline void bfx_put_bz(struct bfx_seed *s, uint8_t sects, uint16_t version, size_t hdr_end,
			      bool reloc, uint64_t pref, uint32_t init_size, size_t payload)
{
	struct setup_header h = {0};
	size_t setup = ((size_t)(sects ? sects : 4) + 1) * 512;

	memset(s->k, 0xcc, setup);
	h.setup_sects = sects;
	h.boot_flag = 0xaa55;
	h.jump = (uint16_t)(0xeb | ((hdr_end - 0x202) << 8));
	h.header = 0x53726448;
	h.version = version;
	h.loadflags = LOADED_HIGH;
	h.initrd_addr_max = 0x7fffffff;
	h.kernel_alignment = 0x200000;
	h.relocatable_kernel = reloc;
	h.xloadflags = XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G;
	h.cmdline_size = 0x7ff;
	h.pref_address = pref;
	h.init_size = init_size;
	h.code32_start = 0x100000;
	h.syssize = (uint32_t)(payload / 16);
	memcpy(s->k + 0x1f1, &h, hdr_end - 0x1f1);
	for (size_t i = 0; i < payload; i++)
		s->k[setup + i] = (uint8_t)(i * 13 + 5);
	s->klen = setup + payload;
}

/* When $FUZZ_BOOT_SEEDS names a directory, write_seeds(dir) writes the
 * target's hand-built seeds there and the program exits. */
static inline void bfx_init_or_seed(void (*write_seeds)(const char *dir))
{
	const char *dir = getenv("FUZZ_BOOT_SEEDS");

	bfx_init();
	if (dir && *dir) {
		write_seeds(dir);
		exit(0);
	}
}

#endif /* TESTS_FUZZ_BOOT_SEEDS_H */
