// SPDX-License-Identifier: MIT
#include "vmm/guest_mem.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "vmm/layout.h"

int guest_mem_layout(struct guest_mem *m, uint64_t ram_size)
{
	uint64_t low;

	memset(m, 0, sizeof(*m));
	if (ram_size < MiB(2) || ram_size % KiB(4))
		return -EINVAL;
	/* 1 TiB is far beyond what we can mmap on these hosts; refuse early. */
	if (ram_size > GiB(1024))
		return -EINVAL;
	low = MIN(ram_size, LAYOUT_MMIO_HOLE_START);
	m->r[0] = (struct mem_region){.base = gpa(0), .size = low};
	m->nr = 1;
	if (ram_size > low) {
		m->r[1] = (struct mem_region){.base = gpa(LAYOUT_MMIO_HOLE_END),
					      .size = ram_size - low};
		m->nr = 2;
	}
	m->ram_size = ram_size;
	return 0;
}

int guest_mem_alloc(struct guest_mem *m)
{
	for (unsigned i = 0; i < m->nr; i++) {
		void *p = mmap(NULL, m->r[i].size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED) {
			int e = errno;
			guest_mem_free(m);
			return -e;
		}
		madvise(p, m->r[i].size, MADV_MERGEABLE);
		m->r[i].host = p;
	}
	return 0;
}

void guest_mem_free(struct guest_mem *m)
{
	for (unsigned i = 0; i < m->nr; i++) {
		if (m->r[i].host)
			munmap(m->r[i].host, m->r[i].size);
		m->r[i].host = NULL;
	}
}

void *guest_mem_ptr(const struct guest_mem *m, gpa_t addr, uint64_t len)
{
	for (unsigned i = 0; i < m->nr; i++) {
		const struct mem_region *r = &m->r[i];

		if (!r->host || !range_within(addr.a, len, r->base.a, r->size))
			continue;
		return r->host + (addr.a - r->base.a);
	}
	return NULL;
}

int guest_mem_write(const struct guest_mem *m, gpa_t addr, const void *src, uint64_t len)
{
	void *p = guest_mem_ptr(m, addr, len);

	if (!p)
		return -EFAULT;
	memcpy(p, src, len);
	return 0;
}

int guest_mem_read(const struct guest_mem *m, gpa_t addr, void *dst, uint64_t len)
{
	const void *p = guest_mem_ptr(m, addr, len);

	if (!p)
		return -EFAULT;
	memcpy(dst, p, len);
	return 0;
}

uint64_t guest_mem_low_end(const struct guest_mem *m)
{
	return m->nr ? m->r[0].size : 0;
}

static unsigned map_add(struct mem_map_entry *out, unsigned n, unsigned max, uint64_t addr,
			uint64_t end, uint32_t type)
{
	if (n < max && end > addr)
		out[n++] = (struct mem_map_entry){addr, end - addr, type};
	return n;
}

unsigned guest_mem_map(const struct guest_mem *m, struct mem_map_entry *out, unsigned max)
{
	uint64_t low_end = guest_mem_low_end(m);
	unsigned n = 0;

	n = map_add(out, n, max, 0, MIN(low_end, LAYOUT_LOW_RAM_END), MEM_MAP_RAM);
	n = map_add(out, n, max, LAYOUT_EBDA_START, 0xa0000, MEM_MAP_RESERVED);
	n = map_add(out, n, max, LAYOUT_BIOS_START, LAYOUT_BIOS_END, MEM_MAP_RESERVED);
	n = map_add(out, n, max, LAYOUT_HIGH_START, low_end, MEM_MAP_RAM);
	if (m->nr > 1)
		n = map_add(out, n, max, m->r[1].base.a, m->r[1].base.a + m->r[1].size,
			    MEM_MAP_RAM);
	return n;
}
