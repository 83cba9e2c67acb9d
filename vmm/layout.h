/* SPDX-License-Identifier: MIT */
/* The guest-physical memory map. One place, so that loaders, ACPI, e820 and
 * devices agree. See docs/architecture.md. */
#ifndef VMM_LAYOUT_H
#define VMM_LAYOUT_H

#include "vmm/types.h"

/* Low memory (below 1 MiB) used by the VMM for boot data. */
#define LAYOUT_BOOT_GDT	       0x0500ull /* boot GDT (8 entries) */
#define LAYOUT_BOOT_IDT	       0x0580ull /* empty IDT for 64-bit entry */
#define LAYOUT_START_INFO      0x6000ull /* PVH hvm_start_info + memmap + modlist */
#define LAYOUT_ZERO_PAGE       0x7000ull /* Linux boot_params / multiboot_info */
#define LAYOUT_PAGE_TABLES     0x9000ull /* PML4, PDPT, 4 PDs: identity 0..4 GiB */
#define LAYOUT_PAGE_TABLES_END 0xf000ull
#define LAYOUT_CMDLINE	       0x20000ull /* kernel command line */
#define LAYOUT_CMDLINE_MAX     0x10000ull /* incl. the NUL */
#define LAYOUT_BOOT_STACK      0x8ff0ull  /* initial stack for 64-bit entry */
#define LAYOUT_EBDA_START      0x9fc00ull /* e820: reserved from here ... */
#define LAYOUT_LOW_RAM_END     0x9fc00ull
#define LAYOUT_BIOS_START      0xe0000ull /* ACPI tables live here (RSDP scan area) */
#define LAYOUT_BIOS_END	       0x100000ull
#define LAYOUT_HIGH_START      0x100000ull /* kernels load at 1 MiB and up */

/* The MMIO hole: 3 GiB .. 4 GiB. RAM above 3 GiB moves above 4 GiB. */
#define LAYOUT_MMIO_HOLE_START 0xc0000000ull
#define LAYOUT_MMIO_HOLE_END   0x100000000ull
#define LAYOUT_PCI_MMIO32      0xc0000000ull /* 32-bit PCI BAR window */
#define LAYOUT_PCI_MMIO32_SIZE 0x20000000ull /* 512 MiB */
#define LAYOUT_PCI_ECAM	       0xe0000000ull /* ECAM, 256 buses x 1 MiB */
#define LAYOUT_PCI_ECAM_SIZE   0x10000000ull
#define LAYOUT_IOAPIC	       0xfec00000ull
#define LAYOUT_IOMMU_REGS      0xfed90000ull /* VT-d registers (--iommu intel), 4 KiB */
#define LAYOUT_LAPIC	       0xfee00000ull
#define LAYOUT_TSS_ADDR	       0xfffbd000ull /* KVM_SET_TSS_ADDR: 3 pages */
#define LAYOUT_IDENTITY_MAP    0xfffbc000ull /* KVM_SET_IDENTITY_MAP_ADDR */

/* Port I/O map. */
#define PORT_COM1	 0x3f8
#define PORT_COM1_LEN	 8
#define IRQ_COM1	 4
#define PORT_DEBUG_EXIT	 0xf4  /* isa-debug-exit compatible, 4 bytes */
#define PORT_ACPI_PM	 0x600 /* sleep control (+0), status (+1), reset (+2) */
#define PORT_ACPI_PM_LEN 4
#define ACPI_RESET_VALUE 0x06
#define PORT_PCI_CONF	 0xcf8 /* config mechanism #1: 0xcf8..0xcff */
#define PORT_PIC1	 0x20  /* absent 8259s (devices/absent.c), 2 ports each */
#define PORT_PIC2	 0xa0
#define PORT_FW_CFG	 0x510 /* absent QEMU fw_cfg: selector, data, DMA */
#define PORT_FW_CFG_LEN	 12

#define IOAPIC_PINS 24

#endif
