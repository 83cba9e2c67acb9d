// SPDX-License-Identifier: MIT
/* Giving the back end the guest memory: SET_MEM_TABLE (all regions, their
 * fds in one message), or one ADD_MEM_REG per region when
 * CONFIGURE_MEM_SLOTS was negotiated. */
#include <errno.h>

#include "devices/vhost_user/internal.h"

static void region_wire(struct vhost_user_memory_region *w, const struct vhost_user_region *r)
{
	w->guest_phys_addr = r->gpa;
	w->memory_size = r->size;
	w->userspace_addr = r->user_addr;
	w->mmap_offset = r->fd_offset;
}

static int check_regions(struct vhost_user *vu, uint32_t req, const struct vhost_user_region *r,
			 unsigned n, unsigned max, char *err, size_t errlen)
{
	if (vu->nr_regions)
		return vu_fail(vu, req, -EALREADY, err, errlen, "the memory table is already set");
	if (!n)
		return vu_fail(vu, req, -EINVAL, err, errlen, "no memory regions");
	if (n > max)
		return vu_fail(vu, req, -E2BIG, err, errlen,
			       "%u memory regions, the back end takes at most %u", n, max);
	for (unsigned i = 0; i < n; i++)
		if (!r[i].size || r[i].fd < 0 || range_wraps(r[i].gpa, r[i].size) ||
		    range_wraps(r[i].user_addr, r[i].size) ||
		    range_wraps(r[i].fd_offset, r[i].size))
			return vu_fail(vu, req, -EINVAL, err, errlen,
				       "region %u: %#llx bytes at %#llx (fd %d): invalid", i,
				       (unsigned long long)r[i].size, (unsigned long long)r[i].gpa,
				       r[i].fd);
	return 0;
}

static int set_mem_table(struct vhost_user *vu, const struct vhost_user_region *r, unsigned n,
			 char *err, size_t errlen)
{
	struct vhost_user_memory m = {.nregions = n};
	int fds[VHOST_MEMORY_BASELINE_NREGIONS];
	int ret;

	for (unsigned i = 0; i < n; i++) {
		region_wire(&m.regions[i], &r[i]);
		fds[i] = r[i].fd;
	}
	ret = vu_call(vu, VHOST_USER_SET_MEM_TABLE, &m, VHOST_USER_MEM_SIZE(n), fds, n, NULL, 0,
		      false, err, errlen);
	if (!ret)
		vu->nr_regions = n;
	return ret;
}

/* One ADD_MEM_REG per region. If one fails, the regions before it stay
 * added (counted in nr_regions): the back end's table is then partial, and
 * the device cannot run anyway. */
static int add_mem_regs(struct vhost_user *vu, const struct vhost_user_region *r, unsigned n,
			char *err, size_t errlen)
{
	for (unsigned i = 0; i < n; i++) {
		struct vhost_user_memory_single m = {.padding = 0};
		int ret;

		region_wire(&m.region, &r[i]);
		ret = vu_call(vu, VHOST_USER_ADD_MEM_REG, &m, sizeof(m), &r[i].fd, 1, NULL, 0,
			      false, err, errlen);
		if (ret)
			return ret;
		vu->nr_regions++;
	}
	return 0;
}

int vhost_user_set_mem_table(struct vhost_user *vu, const struct vhost_user_region *r, unsigned n,
			     char *err, size_t errlen)
{
	bool slots = vu->protocol_features & BIT_ULL(VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS);
	uint32_t req = slots ? VHOST_USER_ADD_MEM_REG : VHOST_USER_SET_MEM_TABLE;
	unsigned max = slots ? vu->max_mem_slots : VHOST_MEMORY_BASELINE_NREGIONS;
	int ret = check_regions(vu, req, r, n, max, err, errlen);

	if (ret)
		return ret;
	return slots ? add_mem_regs(vu, r, n, err, errlen) : set_mem_table(vu, r, n, err, errlen);
}
