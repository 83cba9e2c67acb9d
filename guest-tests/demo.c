// SPDX-License-Identifier: MIT
/* The guest `make run` boots: says hello, shows what it was given, and
 * powers the machine off through ACPI (the VMM then exits with 0). */
#include "guest.h"

int main(void)
{
	struct madt_info m;
	uint32_t cpus = madt_parse(&m) ? 0 : m.nr_cpus;

	printf("Hello from the guest-test demo (%s boot, CPL%u)\n",
	       boot_info.proto == BOOT_PROTO_PVH ? "PVH" : "Multiboot", read_cs() & 3);
	printf("cmdline: \"%s\"\n", boot_info.cmdline);
	printf("cpus: %u\n", cpus);
	printf("memory: %lu MiB\n", (unsigned long)(bootinfo_ram_bytes() >> 20));
	printf("powering off through ACPI\n");
	acpi_poweroff();
	printf("ACPI power-off failed\n");
	return 1;
}
