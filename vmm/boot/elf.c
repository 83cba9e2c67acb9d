// SPDX-License-Identifier: MIT
/* ELF32/ELF64 reading for the PVH and Multiboot loaders. The file is
 * untrusted: every field is checked before it is used as an offset. */
#include "vmm/boot/elf.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmm/boot/loader.h"

bool elf_is_elf(const uint8_t *data, size_t len)
{
	return len >= SELFMAG && memcmp(data, ELFMAG, SELFMAG) == 0;
}

int elf_parse(struct elf_image *img, const uint8_t *data, size_t len, char *err, size_t errlen)
{
	uint16_t type, machine;
	size_t ehsize, phsize;

	memset(img, 0, sizeof(*img));
	if (!elf_is_elf(data, len) || len < EI_NIDENT) {
		boot_err(err, errlen, "truncated ELF identification");
		return -EINVAL;
	}
	if (data[EI_CLASS] != ELFCLASS32 && data[EI_CLASS] != ELFCLASS64) {
		boot_err(err, errlen, "ELF class %u is not ELF32 or ELF64", data[EI_CLASS]);
		return -EINVAL;
	}
	if (data[EI_DATA] != ELFDATA2LSB) {
		boot_err(err, errlen, "ELF kernel is not little-endian");
		return -ENOEXEC;
	}
	img->is64 = data[EI_CLASS] == ELFCLASS64;
	ehsize = img->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	phsize = img->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	if (len < ehsize) {
		boot_err(err, errlen, "truncated ELF header (%zu bytes)", len);
		return -EINVAL;
	}
	if (img->is64) {
		Elf64_Ehdr eh;

		memcpy(&eh, data, sizeof(eh));
		type = eh.e_type;
		machine = eh.e_machine;
		img->entry = eh.e_entry;
		img->phoff = eh.e_phoff;
		img->phnum = eh.e_phnum;
		img->phentsize = eh.e_phentsize;
	} else {
		Elf32_Ehdr eh;

		memcpy(&eh, data, sizeof(eh));
		type = eh.e_type;
		machine = eh.e_machine;
		img->entry = eh.e_entry;
		img->phoff = eh.e_phoff;
		img->phnum = eh.e_phnum;
		img->phentsize = eh.e_phentsize;
	}
	if (machine != EM_386 && machine != EM_X86_64) {
		boot_err(err, errlen, "ELF machine %u is not x86", machine);
		return -ENOEXEC;
	}
	if (type != ET_EXEC && type != ET_DYN) {
		boot_err(err, errlen, "ELF type %u is not an executable", type);
		return -ENOEXEC;
	}
	if (img->phnum == 0) {
		boot_err(err, errlen, "ELF kernel has no program headers");
		return -EINVAL;
	}
	if (img->phnum > ELF_MAX_PHDRS) {
		boot_err(err, errlen, "ELF kernel has %u program headers (max %d)", img->phnum,
			 ELF_MAX_PHDRS);
		return -EINVAL;
	}
	if (img->phentsize < phsize) {
		boot_err(err, errlen, "ELF e_phentsize %u is too small", img->phentsize);
		return -EINVAL;
	}
	/* phnum <= 64 and phentsize < 64 KiB: the product cannot overflow. */
	if (!range_within(img->phoff, (uint64_t)img->phnum * img->phentsize, 0, len)) {
		boot_err(err, errlen,
			 "ELF program headers (offset 0x%llx) are past the end "
			 "of the file",
			 (unsigned long long)img->phoff);
		return -EINVAL;
	}
	img->data = data;
	img->len = len;
	return 0;
}

void elf_phdr_get(const struct elf_image *img, unsigned i, struct elf_phdr *ph)
{
	const uint8_t *p = img->data + img->phoff + (uint64_t)i * img->phentsize;

	if (img->is64) {
		Elf64_Phdr h;

		memcpy(&h, p, sizeof(h));
		*ph = (struct elf_phdr){h.p_type,  h.p_offset, h.p_vaddr,
					h.p_paddr, h.p_filesz, h.p_memsz};
	} else {
		Elf32_Phdr h;

		memcpy(&h, p, sizeof(h));
		*ph = (struct elf_phdr){h.p_type,  h.p_offset, h.p_vaddr,
					h.p_paddr, h.p_filesz, h.p_memsz};
	}
}

/* Walk one note segment's bytes. 1 found, 0 not, -EINVAL corrupt. */
static int notes_find_pvh(const uint8_t *p, uint64_t size, uint64_t *entry, char *err,
			  size_t errlen)
{
	uint64_t pos = 0;

	/* Each step advances by at least 12 bytes, so this is bounded. */
	while (size - pos >= 12) {
		uint32_t w[3];
		uint64_t name_al, desc_al;

		memcpy(w, p + pos, sizeof(w));
		name_al = ALIGN_UP((uint64_t)w[0], 4);
		desc_al = ALIGN_UP((uint64_t)w[1], 4);
		if (name_al + desc_al > size - pos - 12) {
			boot_err(err, errlen, "truncated ELF note");
			return -EINVAL;
		}
		if (w[2] == XEN_ELFNOTE_PHYS32_ENTRY && w[0] == 4 &&
		    memcmp(p + pos + 12, "Xen", 4) == 0) {
			const uint8_t *d = p + pos + 12 + name_al;

			if (w[1] == 4) {
				uint32_t v;

				memcpy(&v, d, 4);
				*entry = v;
			} else if (w[1] == 8) {
				memcpy(entry, d, 8);
			} else {
				boot_err(err, errlen, "PVH entry note has size %u", w[1]);
				return -EINVAL;
			}
			if (*entry > UINT32_MAX) {
				boot_err(err, errlen, "PVH entry 0x%llx is above 4 GiB",
					 (unsigned long long)*entry);
				return -EINVAL;
			}
			return 1;
		}
		pos += 12 + name_al + desc_al;
	}
	return 0;
}

int elf_find_pvh_entry(const struct elf_image *img, uint64_t *entry, char *err, size_t errlen)
{
	for (unsigned i = 0; i < img->phnum; i++) {
		struct elf_phdr ph;
		int r;

		elf_phdr_get(img, i, &ph);
		if (ph.type != PT_NOTE)
			continue;
		if (!range_within(ph.offset, ph.filesz, 0, img->len)) {
			boot_err(err, errlen, "ELF note segment %u is past the end of the file", i);
			return -EINVAL;
		}
		r = notes_find_pvh(img->data + ph.offset, ph.filesz, entry, err, errlen);
		if (r)
			return r;
	}
	return 0;
}

static int elf_check_load(const struct elf_image *img, unsigned i, const struct elf_phdr *ph,
			  const struct guest_mem *m, uint64_t limit, char *err, size_t errlen)
{
	char what[48];

	if (ph->filesz && !range_within(ph->offset, ph->filesz, 0, img->len)) {
		boot_err(err, errlen,
			 "ELF segment %u (offset 0x%llx, size 0x%llx) is past "
			 "the end of the file",
			 i, (unsigned long long)ph->offset, (unsigned long long)ph->filesz);
		return -EINVAL;
	}
	if (ph->filesz > ph->memsz) {
		boot_err(err, errlen, "ELF segment %u has p_filesz > p_memsz", i);
		return -EINVAL;
	}
	snprintf(what, sizeof(what), "ELF segment %u", i);
	return boot_check_range(m, ph->paddr, ph->memsz, limit, what, err, errlen);
}

int elf_load(const struct elf_image *img, struct guest_mem *m, uint64_t limit, uint64_t *lo,
	     uint64_t *hi, char *err, size_t errlen)
{
	uint64_t min = UINT64_MAX, max = 0;
	struct elf_phdr ph;
	int r;

	/* Check everything before writing anything. */
	for (unsigned i = 0; i < img->phnum; i++) {
		elf_phdr_get(img, i, &ph);
		if (ph.type != PT_LOAD)
			continue;
		r = elf_check_load(img, i, &ph, m, limit, err, errlen);
		if (r)
			return r;
		if (ph.memsz == 0)
			continue;
		min = MIN(min, ph.paddr);
		max = MAX(max, ph.paddr + ph.memsz);
	}
	if (max == 0) {
		boot_err(err, errlen, "ELF kernel has no loadable segment");
		return -EINVAL;
	}
	for (unsigned i = 0; i < img->phnum; i++) {
		uint8_t *dst;

		elf_phdr_get(img, i, &ph);
		if (ph.type != PT_LOAD || ph.memsz == 0)
			continue;
		dst = guest_mem_ptr(m, gpa(ph.paddr), ph.memsz);
		/* p_offset was checked only when p_filesz > 0: a bss-only
		 * segment's may point anywhere, not to be added to data. */
		if (ph.filesz)
			memcpy(dst, img->data + ph.offset, ph.filesz);
		memset(dst + ph.filesz, 0, ph.memsz - ph.filesz);
	}
	*lo = min;
	*hi = max;
	return 0;
}
