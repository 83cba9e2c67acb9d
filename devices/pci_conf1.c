// SPDX-License-Identifier: MIT
#include <string.h>

#include "devices/platform.h"

#define CONF1_ENABLE BIT(31)
#define CONF1_BDF(a) (((a) >> 8) & 0xffff)
/* The register offset: bits 7:2, and bits 1:0 ORed in as QEMU does
 * (pci_host_data_read). Linux and firmware write 0 there; kvm-unit-tests
 * reads the device ID by latching offset 2 and reading a word at 0xcfc. */
#define CONF1_REG(a) ((a)&0xff)

void pci_conf1_init(struct pci_conf1 *c, struct pci_conf_target target)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->target = target;
}

/* Byte offset into config space for an access at 0xcfc + off, or -1 when the
 * cycle is disabled or misaligned within the data port. An offset that the
 * latched low bits leave misaligned for the size goes on to the bus, which
 * refuses it (all ones). */
static int conf1_reg(uint32_t addr, uint64_t off, unsigned size)
{
	unsigned byte = off - 4;

	if (!(addr & CONF1_ENABLE) || (byte & (size - 1)) || byte + size > 4)
		return -1;
	return CONF1_REG(addr) | byte;
}

static uint64_t pci_conf1_read(void *opaque, uint64_t off, unsigned size)
{
	struct pci_conf1 *c = opaque;
	uint32_t addr;
	int reg;

	pthread_mutex_lock(&c->lock);
	addr = c->addr;
	pthread_mutex_unlock(&c->lock);
	if (off < 4)
		return off == 0 && size == 4 ? addr : ~0ull;
	reg = conf1_reg(addr, off, size);
	if (reg < 0 || !c->target.read)
		return ~0ull;
	return c->target.read(c->target.opaque, CONF1_BDF(addr), reg, size);
}

static void pci_conf1_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct pci_conf1 *c = opaque;
	uint32_t addr;
	int reg;

	if (off < 4) {
		/* Only a dword access at 0xcf8 latches the address, all of
		 * it: bits 1:0 read back as written, as QEMU's do. */
		if (off == 0 && size == 4) {
			pthread_mutex_lock(&c->lock);
			c->addr = (uint32_t)val;
			pthread_mutex_unlock(&c->lock);
		}
		return;
	}
	pthread_mutex_lock(&c->lock);
	addr = c->addr;
	pthread_mutex_unlock(&c->lock);
	reg = conf1_reg(addr, off, size);
	if (reg >= 0 && c->target.write)
		c->target.write(c->target.opaque, CONF1_BDF(addr), reg, size, (uint32_t)val);
}

const struct bus_ops pci_conf1_ops = {
	.read = pci_conf1_read,
	.write = pci_conf1_write,
};
