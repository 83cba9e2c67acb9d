// SPDX-License-Identifier: MIT
/* The host bridge at 00.0 and the two ways to reach config space: ECAM
 * (memory-mapped, 4 KiB per function) and configuration mechanism #1 (a
 * struct pci_conf_target for devices/pci_conf1.c). */
#include "devices/pci/internal.h"
#include "vmm/log.h"

#define ECAM_BUS(off)	((unsigned)((off) >> 20))
#define ECAM_DEVFN(off) ((unsigned)((off) >> 12) & 0xff)
#define ECAM_REG(off)	((uint16_t)((off)&0xfff))

void pci_host_init(struct pci_dev *d)
{
	const struct pci_dev_info info = {
		.vendor = PCI_HOST_VENDOR_ID,
		.device = PCI_HOST_DEVICE_ID,
		.subsys_vendor = PCI_HOST_VENDOR_ID,
		.subsys = PCI_HOST_DEVICE_ID,
		.class = PCI_HOST_CLASS,
		.name = "host-bridge",
	};

	pci_dev_init(d, &info, NULL, NULL);
}

static uint16_t ecam_bdf(uint64_t off)
{
	return (uint16_t)(ECAM_BUS(off) << 8 | ECAM_DEVFN(off));
}

static bool ecam_access_ok(uint64_t off, unsigned size)
{
	if ((size == 1 || size == 2 || size == 4 || size == 8) && !(off & (size - 1)))
		return true;
	log_guest_once("pci: ECAM access of %u bytes at %#llx", size, (unsigned long long)off);
	return false;
}

static uint64_t pci_ecam_read(void *opaque, uint64_t off, unsigned size)
{
	struct pci_bus *b = opaque;
	uint64_t lo;

	if (!ecam_access_ok(off, size))
		return ~0ull;
	if (size == 8) { /* two dword cycles */
		lo = pci_bus_config_read(b, ecam_bdf(off), ECAM_REG(off), 4);
		return lo | (uint64_t)pci_bus_config_read(b, ecam_bdf(off), ECAM_REG(off) + 4, 4)
				    << 32;
	}
	return pci_bus_config_read(b, ecam_bdf(off), ECAM_REG(off), size);
}

static void pci_ecam_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct pci_bus *b = opaque;

	if (!ecam_access_ok(off, size))
		return;
	if (size == 8) {
		pci_bus_config_write(b, ecam_bdf(off), ECAM_REG(off), 4, (uint32_t)val);
		pci_bus_config_write(b, ecam_bdf(off), ECAM_REG(off) + 4, 4, (uint32_t)(val >> 32));
		return;
	}
	pci_bus_config_write(b, ecam_bdf(off), ECAM_REG(off), size, (uint32_t)val);
}

const struct bus_ops pci_ecam_ops = {
	.read = pci_ecam_read,
	.write = pci_ecam_write,
};

static uint32_t pci_conf1_target_read(void *opaque, uint16_t bdf, uint16_t reg, unsigned size)
{
	return pci_bus_config_read(opaque, bdf, reg, size);
}

static void pci_conf1_target_write(void *opaque, uint16_t bdf, uint16_t reg, unsigned size,
				   uint32_t val)
{
	pci_bus_config_write(opaque, bdf, reg, size, val);
}

struct pci_conf_target pci_bus_conf_target(struct pci_bus *b)
{
	return (struct pci_conf_target){
		.read = pci_conf1_target_read, .write = pci_conf1_target_write, .opaque = b};
}
