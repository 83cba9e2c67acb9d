/* SPDX-License-Identifier: MIT */
/* Small platform devices: the isa-debug-exit port, the hardware-reduced ACPI
 * sleep/reset registers, and PCI configuration mechanism #1. Each ends the
 * run (or answers config cycles) through a narrow interface, not struct vm. */
#ifndef DEVICES_PLATFORM_H
#define DEVICES_PLATFORM_H

#include "vmm/bus.h"
#include "vmm/vm.h"

/* isa-debug-exit at 0xf4 (4 ports): a 1-, 2- or 4-byte write of v at offset 0
 * stops the run with status (v << 1) | 1, as QEMU does. Reads return 0.
 * opaque: a struct stop_sink. */
extern const struct bus_ops debug_exit_ops;

/* A legacy PC device this machine does not have but guests touch by habit:
 * the 8259 PICs (an OS masks them, kvm-unit-tests writes 0x21 and 0xa1) and
 * QEMU's fw_cfg (probed for its signature at 0x510/0x511; kvm-unit-tests then
 * reads its settings from the initrd). Reads are all ones (nothing there, a
 * PIC with every line masked), writes are dropped, and the first access is
 * logged at debug level instead of the bus's "unclaimed" warning, which stays
 * for ports no guest should touch. opaque: a struct absent_dev. */
struct absent_dev {
	const char *name;
	bool seen; /* the first access was logged */
};
extern const struct bus_ops absent_ops;

/* ACPI PM block at PORT_ACPI_PM: +0 SLEEP_CONTROL (SLP_EN with SLP_TYP of _S5
 * powers off), +1 SLEEP_STATUS (reads 0), +2 RESET_REG (ACPI_RESET_VALUE
 * resets). opaque: a struct stop_sink. */
extern const struct bus_ops acpi_pm_ops;

/* Config space access for one function; bdf = bus << 8 | dev << 3 | fn,
 * reg = byte offset (< 4096), size 1/2/4 with reg aligned to size. */
struct pci_conf_target {
	uint32_t (*read)(void *opaque, uint16_t bdf, uint16_t reg, unsigned size);
	void (*write)(void *opaque, uint16_t bdf, uint16_t reg, unsigned size, uint32_t val);
	void *opaque; /* NULL read/write: no devices; reads are all ones */
};

/* Mechanism #1 at 0xcf8..0xcff: a 4-byte write to 0xcf8 latches the address;
 * 0xcfc..0xcff access the selected dword, the low port bits picking the
 * byte as on real chipsets. Disabled (bit 31 clear) cycles read all ones. */
struct pci_conf1 {
	pthread_mutex_t lock;
	uint32_t addr;
	struct pci_conf_target target;
};

/* Initialise with the target config space (may have NULL callbacks). */
void pci_conf1_init(struct pci_conf1 *c, struct pci_conf_target target);

/* opaque: a struct pci_conf1. Register at PORT_PCI_CONF, length 8. */
extern const struct bus_ops pci_conf1_ops;

#endif
