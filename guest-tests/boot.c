// SPDX-License-Identifier: MIT
/* What the loader hands over: PVH start_info or Multiboot info, the command
 * line, the memory map and module 0. The runner passes what to expect:
 *   mem=SIZE          guest RAM size (--memory)
 *   modlen=N modsum=X module 0 length and CRC-32 (hex); absent: no module
 *   kpath=PATH        Multiboot only: the kernel path the cmdline starts with
 *   fixed=gt-boot-7   a constant token this file also knows
 *   cmdsum=X          last token: CRC-32 (hex) of the command line before
 *                     " cmdsum=" (after the Multiboot path prefix) */
#include "guest.h"

#define CMDSUM_KEY     " cmdsum="
#define FIXED_TOKEN    "gt-boot-7"
#define BSS_PROBE_SIZE 65536

static uint8_t bss_probe[BSS_PROBE_SIZE];

static const char *proto_name(void)
{
	switch (boot_info.proto) {
	case BOOT_PROTO_PVH: return "PVH";
	case BOOT_PROTO_MULTIBOOT: return "Multiboot";
	}
	return "unknown";
}

static void check_runtime(void)
{
	size_t nonzero = 0;

	for (size_t i = 0; i < sizeof(bss_probe); i++)
		nonzero += bss_probe[i] != 0;
	report(nonzero == 0, "loader zeroed .bss (%zu non-zero bytes of %u)", nonzero,
	       BSS_PROBE_SIZE);
	report((read_cs() & 3) == 3, "test body runs at CPL3");
}

static void check_pvh(void)
{
	const struct hvm_start_info *si = &boot_info.pvh;
	uint64_t want_mods = cmdline_has("modlen") ? 1 : 0;
	const struct acpi_rsdp *rsdp = (const void *)(uintptr_t)si->rsdp_paddr;

	report(si->magic == PVH_START_MAGIC, "start_info magic %#x", si->magic);
	report(si->version >= 1, "start_info version %u (>= 1: has a memmap)", si->version);
	report(si->nr_modules == want_mods, "start_info nr_modules %u (want %lu)", si->nr_modules,
	       (unsigned long)want_mods);
	report(si->memmap_entries > 0 && si->memmap_paddr, "start_info memmap: %u entries at %#lx",
	       si->memmap_entries, (unsigned long)si->memmap_paddr);
	report(si->rsdp_paddr && si->rsdp_paddr < (1ull << 32) && acpi_rsdp_valid(rsdp),
	       "start_info rsdp_paddr %#lx points at a valid RSDP", (unsigned long)si->rsdp_paddr);
}

static void check_multiboot(void)
{
	const struct multiboot_info *mb = &boot_info.mb;
	uint32_t need =
		MBI_MEMORY | MBI_CMDLINE | MBI_MMAP | (cmdline_has("modlen") ? MBI_MODS : 0);
	uint64_t mem = cmdline_u64("mem", 0), hole = 3ull << 30;
	uint64_t upper_end = 0x100000 + (uint64_t)mb->mem_upper * 1024;
	uint64_t want_upper = (mem < hole ? mem : hole);

	report(boot_info.magic == MULTIBOOT_BOOTLOADER_MAGIC, "eax = %#x", boot_info.magic);
	report((mb->flags & need) == need, "multiboot_info flags %#x include %#x", mb->flags, need);
	report(mb->mem_lower >= 512 && mb->mem_lower <= 640, "mem_lower %u KiB", mb->mem_lower);
	report(mem && upper_end <= want_upper && upper_end + (1 << 20) >= want_upper,
	       "mem_upper %u KiB ends at %#lx (RAM below the hole %#lx)", mb->mem_upper,
	       (unsigned long)upper_end, (unsigned long)want_upper);
	if (cmdline_has("modlen"))
		report(mb->mods_count == 1, "mods_count %u", mb->mods_count);
}

/* Returns the part of the cmdline the runner passed (after the Multiboot
 * kernel path), or NULL when the prefix is wrong. */
static const char *cmdline_args(void)
{
	char kpath[256];
	size_t n;

	if (boot_info.proto != BOOT_PROTO_MULTIBOOT)
		return boot_info.cmdline;
	if (!cmdline_get("kpath", kpath, sizeof(kpath))) {
		report(false, "kpath= missing from the cmdline");
		return NULL;
	}
	n = strlen(kpath);
	report(!strncmp(boot_info.cmdline, kpath, n) && boot_info.cmdline[n] == ' ',
	       "cmdline starts with the kernel path \"%s\"", kpath);
	return boot_info.cmdline[n] == ' ' ? boot_info.cmdline + n + 1 : NULL;
}

static void check_cmdline(void)
{
	const char *args = cmdline_args();
	const char *p = NULL, *q;
	char fixed[32], sum[16];
	uint64_t want;

	report(!boot_info.cmdline_truncated, "cmdline fits (%zu bytes)", strlen(boot_info.cmdline));
	report(cmdline_get("fixed", fixed, sizeof(fixed)) && !strcmp(fixed, FIXED_TOKEN),
	       "cmdline token fixed=%s", FIXED_TOKEN);
	if (!args)
		return;
	/* The last occurrence of " cmdsum=" (bounded by the copied cmdline). */
	for (q = args; (q = strchr(q, ' ')); q++)
		if (!strncmp(q, CMDSUM_KEY, strlen(CMDSUM_KEY)))
			p = q;
	if (!report(p && cmdline_get("cmdsum", sum, sizeof(sum)), "cmdline has cmdsum="))
		return;
	want = strtou64(sum, NULL, 16);
	report(crc32(args, (size_t)(p - args)) == want,
	       "cmdline bytes intact (crc32 %08x, want %08lx, %zu bytes)",
	       crc32(args, (size_t)(p - args)), (unsigned long)want, (size_t)(p - args));
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static void check_memmap(void)
{
	uint64_t mem, ram = bootinfo_ram_bytes();
	uint32_t overlaps = 0, n = boot_info.nr_mem;

	for (uint32_t i = 0; i < n; i++) {
		const struct boot_mem *e = &boot_info.mem[i];

		report_info("memmap %u: %#012lx-%#012lx type %u", i, (unsigned long)e->addr,
			    (unsigned long)(e->addr + e->size), e->type);
		for (uint32_t j = i + 1; j < n; j++)
			overlaps += ranges_overlap(e->addr, e->size, boot_info.mem[j].addr,
						   boot_info.mem[j].size);
	}
	report(n > 0 && n < BOOT_MEM_MAX, "memmap has %u entries", n);
	report(overlaps == 0, "memmap entries do not overlap (%u overlaps)", overlaps);
	if (report(cmdline_get_u64("mem", &mem), "cmdline has mem="))
		report(ram <= mem && ram + (1 << 20) >= mem,
		       "RAM in memmap %lu KiB within [mem - 1 MiB, mem] (mem %lu KiB)",
		       (unsigned long)(ram >> 10), (unsigned long)(mem >> 10));
	report(bootinfo_is_ram(image_start(), image_end() - image_start()),
	       "the loaded image %#lx-%#lx is RAM", (unsigned long)image_start(),
	       (unsigned long)image_end());
	report(!bootinfo_is_ram(LAPIC_BASE, 4096) && !bootinfo_is_ram(0xfec00000, 4096),
	       "LAPIC and IOAPIC pages are not RAM");
}

static void check_module(void)
{
	const struct boot_module *m = &boot_info.modules[0];
	uint64_t len, sum;
	const uint8_t *data;
	char sumbuf[16];

	if (!cmdline_get_u64("modlen", &len)) {
		report(boot_info.nr_modules == 0, "no module given, none reported (%u)",
		       boot_info.nr_modules);
		return;
	}
	if (!cmdline_get("modsum", sumbuf, sizeof(sumbuf)))
		sumbuf[0] = '\0';
	sum = strtou64(sumbuf, NULL, 16);
	if (!report(boot_info.nr_modules >= 1, "module 0 present"))
		return;
	data = (const uint8_t *)(uintptr_t)m->addr;
	report_info("module 0 at %#lx, %lu bytes", (unsigned long)m->addr, (unsigned long)m->size);
	report(m->size == len, "module 0 size %lu (want %lu)", (unsigned long)m->size,
	       (unsigned long)len);
	report((m->addr & 0xfff) == 0, "module 0 is page aligned");
	report(bootinfo_is_ram(m->addr, m->size), "module 0 lies in RAM");
	report(!ranges_overlap(m->addr, m->size, image_start(), image_end() - image_start()),
	       "module 0 does not overlap the image (incl. .bss)");
	if (m->size == len && bootinfo_is_ram(m->addr, m->size))
		report(crc32(data, len) == sum, "module 0 contents (crc32 %08x, want %08lx)",
		       crc32(data, len), (unsigned long)sum);
}

int main(void)
{
	report_info("boot protocol: %s; cmdline: %s", proto_name(), boot_info.cmdline);
	check_runtime();
	if (boot_info.proto == BOOT_PROTO_PVH)
		check_pvh();
	else if (boot_info.proto == BOOT_PROTO_MULTIBOOT)
		check_multiboot();
	else
		report(false, "known boot protocol (%u)", boot_info.proto);
	check_cmdline();
	check_memmap();
	check_module();
	return 0;
}
