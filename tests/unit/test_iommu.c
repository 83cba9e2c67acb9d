// SPDX-License-Identifier: MIT
/* Unit tests for the IOMMU core's request semantics (iommu/iommu*.c): the
 * configuration, endpoints, ATTACH/DETACH, MAP/UNMAP with the virtio-iommu
 * rules and error codes at 4 KiB and 64 KiB granules, the mapping limit,
 * the bypass / blocked states and reset. Translation is in
 * test_iommu_xlate.c, notifiers in test_iommu_notify.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "iommu/iommu.h"

#define RID_A 0x0008
#define RID_B 0x0010
#define RID_C 0x0100 /* another bus */
#define RW    (IOMMU_MAP_READ | IOMMU_MAP_WRITE)

static struct iommu_config cfg_gran(uint64_t granule_mask)
{
	return (struct iommu_config){
		.page_size_mask = granule_mask,
		.input_first = 0,
		.input_last = (1ull << 48) - 1,
		.domain_first = 1,
		.domain_last = 64,
	};
}

static struct iommu *mk(uint64_t mask, bool bypass)
{
	struct iommu_config c = cfg_gran(mask);
	struct iommu *io;

	c.bypass = bypass;
	assert_int_equal(iommu_create(&c, &io), 0);
	assert_int_equal(iommu_endpoint_add(io, RID_A, NULL), 0);
	assert_int_equal(iommu_endpoint_add(io, RID_B, NULL), 0);
	assert_int_equal(iommu_endpoint_add(io, RID_C, NULL), 0);
	return io;
}

static int map(struct iommu *io, uint32_t d, uint64_t first, uint64_t size, uint64_t g, unsigned f)
{
	return iommu_map(io, d, iova(first), iova(first + size - 1), gpa(g), f);
}

static int unmap(struct iommu *io, uint32_t d, uint64_t first, uint64_t size)
{
	return iommu_unmap(io, d, iova(first), iova(first + size - 1));
}

/* True when iova translates (access 0: any permissions) to g. */
static bool maps_to(struct iommu *io, uint16_t rid, uint64_t a, uint64_t g)
{
	struct dma_xlate x;
	struct dma_fault f;

	return iommu_translate(io, rid, iova(a), 0, &x, &f) == 0 && x.gpa.a == g;
}

static void test_create_config(void **state)
{
	struct iommu_config c = cfg_gran(0x1000);
	struct iommu *io;

	(void)state;
	c.page_size_mask = 0;
	assert_int_equal(iommu_create(&c, &io), -EINVAL);
	c = cfg_gran(0x1000);
	c.input_first = 0x800; /* not aligned to the granule */
	assert_int_equal(iommu_create(&c, &io), -EINVAL);
	c = cfg_gran(0x1000);
	c.domain_first = 9;
	c.domain_last = 8;
	assert_int_equal(iommu_create(&c, &io), -EINVAL);
	c = cfg_gran(0x1000);
	c.iotlb_sets = 1000;
	assert_int_equal(iommu_create(&c, &io), -EINVAL);
	c = cfg_gran(0x40201000); /* 4K | 2M | 1G: the granule is 4K */
	c.input_last = ~0ull;
	assert_int_equal(iommu_create(&c, &io), 0);
	assert_int_equal(iommu_granule(io), 0x1000);
	iommu_destroy(io);
}

static void test_endpoints(void **state)
{
	struct iommu *io = mk(0x1000, false);
	uint32_t d = 0;

	(void)state;
	assert_int_equal(iommu_endpoint_add(io, RID_A, NULL), -EEXIST);
	assert_int_equal(iommu_endpoint_state(io, RID_A, &d), IOMMU_EP_DETACHED_BLOCKED);
	assert_int_equal(iommu_endpoint_state(io, 0x0009, &d), -ENOENT);
	assert_int_equal(iommu_attach(io, 1, 0x0009, 0), -ENOENT);
	assert_int_equal(iommu_detach(io, 1, 0x0009), -ENOENT);
	assert_int_equal(iommu_block(io, 0x0009), -ENOENT);
	assert_int_equal(iommu_attach(io, 7, RID_C, 0), 0);
	assert_int_equal(iommu_endpoint_state(io, RID_C, &d), IOMMU_EP_DOMAIN);
	assert_int_equal(d, 7);
	iommu_destroy(io);
}

static void test_attach_detach(void **state)
{
	struct iommu *io = mk(0x1000, false);

	(void)state;
	assert_int_equal(iommu_attach(io, 0, RID_A, 0), -ERANGE);  /* below the range */
	assert_int_equal(iommu_attach(io, 65, RID_A, 0), -ERANGE); /* above */
	assert_int_equal(iommu_attach(io, 1, RID_A, 0x2), -EINVAL);
	assert_int_equal(iommu_detach(io, 1, RID_A), -EINVAL); /* not attached */
	assert_int_equal(iommu_attach(io, 1, RID_A, 0), 0);
	assert_int_equal(iommu_attach(io, 1, RID_A, 0), 0); /* again: nothing */
	assert_int_equal(iommu_attach(io, 1, RID_B, IOMMU_ATTACH_BYPASS), -EINVAL);
	assert_int_equal(iommu_attach(io, 2, RID_B, IOMMU_ATTACH_BYPASS), 0);
	assert_int_equal(iommu_attach(io, 2, RID_C, 0), -EINVAL); /* 2 is a bypass domain */
	assert_int_equal(iommu_endpoint_state(io, RID_B, NULL), IOMMU_EP_DOMAIN_BYPASS);
	assert_int_equal(iommu_detach(io, 2, RID_A), -EINVAL); /* A is in 1, not 2 */
	assert_int_equal(map(io, 1, 0x10000, 0x1000, 0x5000, RW), 0);
	/* B moves from 2 to 1 (2 is freed), C joins 1: all see the mapping. */
	assert_int_equal(iommu_attach(io, 1, RID_B, 0), 0);
	assert_int_equal(map(io, 2, 0x10000, 0x1000, 0x5000, RW), -ENOENT);
	assert_int_equal(iommu_attach(io, 1, RID_C, 0), 0);
	assert_true(maps_to(io, RID_B, 0x10000, 0x5000));
	assert_true(maps_to(io, RID_C, 0x10fff, 0x5fff));
	/* The domain lives while an endpoint is attached ... */
	assert_int_equal(iommu_detach(io, 1, RID_A), 0);
	assert_int_equal(iommu_detach(io, 1, RID_B), 0);
	assert_true(maps_to(io, RID_C, 0x10000, 0x5000));
	assert_false(maps_to(io, RID_A, 0x10000, 0x5000));
	/* ... and goes with its mappings when the last one leaves. */
	assert_int_equal(iommu_detach(io, 1, RID_C), 0);
	assert_int_equal(map(io, 1, 0x20000, 0x1000, 0, RW), -ENOENT);
	assert_int_equal(iommu_attach(io, 1, RID_C, 0), 0);
	assert_false(maps_to(io, RID_C, 0x10000, 0x5000));
	assert_int_equal(map(io, 1, 0x10000, 0x1000, 0x9000, RW), 0); /* no leftover */
	iommu_destroy(io);
}

static void test_map_errors(void **state)
{
	struct iommu *io = mk(0x1000, false);

	(void)state;
	assert_int_equal(map(io, 3, 0x10000, 0x1000, 0, RW), -ENOENT);
	assert_int_equal(iommu_attach(io, 3, RID_A, 0), 0);
	assert_int_equal(iommu_attach(io, 4, RID_B, IOMMU_ATTACH_BYPASS), 0);
	assert_int_equal(map(io, 4, 0x10000, 0x1000, 0, RW), -EINVAL); /* bypass domain */
	assert_int_equal(unmap(io, 4, 0x10000, 0x1000), -EINVAL);
	assert_int_equal(map(io, 3, 0x10000, 0x1000, 0, 0x8), -EINVAL); /* unknown flag */
	assert_int_equal(iommu_map(io, 3, iova(0x2000), iova(0x1fff - 0x1000), gpa(0), RW),
			 -EINVAL);
	assert_int_equal(map(io, 3, 0x10800, 0x1000, 0, RW), -ERANGE);	  /* iova */
	assert_int_equal(map(io, 3, 0x10000, 0x800, 0, RW), -ERANGE);	  /* end */
	assert_int_equal(map(io, 3, 0x10000, 0x1000, 0x10, RW), -ERANGE); /* gpa */
	assert_int_equal(map(io, 3, 1ull << 48, 0x1000, 0, RW), -ERANGE); /* input range */
	assert_int_equal(map(io, 3, (1ull << 48) - 0x1000, 0x2000, 0, RW), -ERANGE);
	assert_int_equal(map(io, 3, 0x10000, 0x2000, ~0ull - 0xfff, RW), -ERANGE); /* gpa wraps */
	/* An overlap is refused and the existing mapping is untouched. */
	assert_int_equal(map(io, 3, 0x10000, 0x4000, 0x100000, IOMMU_MAP_READ), 0);
	assert_int_equal(map(io, 3, 0x13000, 0x2000, 0x200000, RW), -EEXIST);
	assert_int_equal(map(io, 3, 0x0f000, 0x2000, 0x200000, RW), -EEXIST);
	assert_int_equal(map(io, 3, 0x10000, 0x4000, 0x200000, RW), -EEXIST);
	assert_true(maps_to(io, RID_A, 0x13000, 0x103000));
	assert_false(maps_to(io, RID_A, 0x14000, 0x200000)); /* nothing half-made */
	/* Flags without read or write and MMIO mappings are accepted. */
	assert_int_equal(map(io, 3, 0x20000, 0x1000, 0xfed00000, IOMMU_MAP_MMIO | RW), 0);
	assert_int_equal(map(io, 3, 0x21000, 0x1000, 0x1000, 0), 0);
	iommu_destroy(io);
}

static void test_granule_64k(void **state)
{
	struct iommu *io = mk(0x10000 | 0x200000, false); /* 64K and 2M pages */
	struct dma_xlate x;
	struct dma_fault f;

	(void)state;
	assert_int_equal(iommu_granule(io), 0x10000);
	assert_int_equal(iommu_attach(io, 1, RID_A, 0), 0);
	assert_int_equal(map(io, 1, 0x1000, 0x1000, 0x1000, RW), -ERANGE); /* 4K: too small */
	assert_int_equal(map(io, 1, 0x10000, 0x1000, 0, RW), -ERANGE);
	assert_int_equal(map(io, 1, 0x10000, 0x10000, 0x8000, RW), -ERANGE);
	assert_int_equal(map(io, 1, 0x18000, 0x10000, 0x10000, RW), -ERANGE);
	assert_int_equal(map(io, 1, 0x10000, 0x10000, 0x30000, RW), 0);
	assert_int_equal(map(io, 1, 0x20000, 0x30000, 0x50000, RW), 0); /* 3 granules */
	assert_int_equal(iommu_translate(io, RID_A, iova(0x2f123), DMA_ACCESS_WRITE, &x, &f), 0);
	assert_int_equal(x.gpa.a, 0x5f123);
	assert_int_equal(x.len, 0x50000 - 0x2f123);
	/* UNMAP of a 4K-aligned piece inside a 64K mapping splits it. */
	assert_int_equal(unmap(io, 1, 0x11000, 0x1000), -ERANGE);
	assert_int_equal(unmap(io, 1, 0x10000, 0x10000), 0);
	assert_int_equal(unmap(io, 1, 0x20000, 0x10000), -ERANGE);
	assert_true(maps_to(io, RID_A, 0x20000, 0x50000));
	iommu_destroy(io);
}

static void test_unmap_semantics(void **state)
{
	struct iommu *io = mk(0x1000, false);

	(void)state;
	assert_int_equal(unmap(io, 5, 0, 0x1000), -ENOENT);
	assert_int_equal(iommu_attach(io, 5, RID_A, 0), 0);
	assert_int_equal(iommu_unmap(io, 5, iova(0x2000), iova(0x1000)), -EINVAL);
	for (uint64_t i = 0; i < 4; i++)
		assert_int_equal(map(io, 5, 0x100000 + i * 0x4000, 0x2000, i * 0x2000, RW), 0);
	assert_int_equal(unmap(io, 5, 0, 0x100000), 0); /* a hole */
	/* Would split the first or the last mapping: nothing goes. */
	assert_int_equal(unmap(io, 5, 0x101000, 0x8000), -ERANGE);
	assert_int_equal(unmap(io, 5, 0x100000, 0x5000), -ERANGE);
	for (uint64_t i = 0; i < 4; i++)
		assert_true(maps_to(io, RID_A, 0x100000 + i * 0x4000, i * 0x2000));
	/* Two whole mappings with holes around them. */
	assert_int_equal(unmap(io, 5, 0x0ff000, 0x9000), 0);
	assert_false(maps_to(io, RID_A, 0x100000, 0));
	assert_false(maps_to(io, RID_A, 0x104000, 0x2000));
	assert_true(maps_to(io, RID_A, 0x108000, 0x4000));
	/* The whole space. */
	assert_int_equal(iommu_unmap(io, 5, iova(0), iova(~0ull)), 0);
	assert_false(maps_to(io, RID_A, 0x10c000, 0x6000));
	iommu_destroy(io);
}

static void test_mapping_limit(void **state)
{
	struct iommu_config c = cfg_gran(0x1000);
	struct iommu *io;

	(void)state;
	c.max_mappings = 3;
	assert_int_equal(iommu_create(&c, &io), 0);
	assert_int_equal(iommu_endpoint_add(io, RID_A, NULL), 0);
	assert_int_equal(iommu_endpoint_add(io, RID_B, NULL), 0);
	assert_int_equal(iommu_attach(io, 1, RID_A, 0), 0);
	assert_int_equal(iommu_attach(io, 2, RID_B, 0), 0);
	assert_int_equal(map(io, 1, 0x1000, 0x1000, 0, RW), 0);
	assert_int_equal(map(io, 1, 0x2000, 0x1000, 0, RW), 0);
	assert_int_equal(map(io, 2, 0x1000, 0x1000, 0, RW), 0);
	assert_int_equal(map(io, 2, 0x2000, 0x1000, 0, RW), -ENOMEM); /* over all domains */
	assert_int_equal(map(io, 2, 0x1000, 0x1000, 0, RW), -EEXIST); /* still an overlap */
	assert_int_equal(unmap(io, 1, 0x1000, 0x1000), 0);
	assert_int_equal(map(io, 2, 0x2000, 0x1000, 0, RW), 0);
	/* Freeing a domain returns its mappings to the pool. */
	assert_int_equal(iommu_detach(io, 2, RID_B), 0);
	assert_int_equal(map(io, 1, 0x3000, 0x1000, 0, RW), 0);
	assert_int_equal(map(io, 1, 0x4000, 0x1000, 0, RW), 0);
	iommu_destroy(io);
}

static void test_bypass_and_blocked(void **state)
{
	struct iommu *io = mk(0x1000, false);

	(void)state;
	assert_false(maps_to(io, RID_A, 0x1234, 0x1234)); /* detached, bypass off */
	assert_int_equal(iommu_set_bypass(io, true), 0);
	assert_int_equal(iommu_endpoint_state(io, RID_A, NULL), IOMMU_EP_DETACHED_BYPASS);
	assert_true(maps_to(io, RID_A, 0x1234, 0x1234));
	assert_int_equal(iommu_block(io, RID_A), 0);
	assert_int_equal(iommu_endpoint_state(io, RID_A, NULL), IOMMU_EP_BLOCKED);
	assert_false(maps_to(io, RID_A, 0x1234, 0x1234)); /* blocked despite bypass */
	assert_int_equal(iommu_detach(io, 1, RID_A), -EINVAL);
	assert_int_equal(iommu_attach(io, 9, RID_A, IOMMU_ATTACH_BYPASS), 0);
	assert_true(maps_to(io, RID_A, 0xabc000, 0xabc000)); /* bypass domain */
	assert_int_equal(iommu_set_bypass(io, false), 0);
	assert_true(maps_to(io, RID_A, 0xabc000, 0xabc000)); /* still: attached */
	assert_false(maps_to(io, RID_B, 0xabc000, 0xabc000));
	assert_int_equal(iommu_detach(io, 9, RID_A), 0);
	assert_int_equal(iommu_endpoint_state(io, RID_A, NULL), IOMMU_EP_DETACHED_BLOCKED);
	assert_false(maps_to(io, RID_A, 0xabc000, 0xabc000));
	iommu_destroy(io);
}

static void test_reset(void **state)
{
	struct iommu *io = mk(0x1000, true);

	(void)state;
	assert_int_equal(iommu_attach(io, 1, RID_A, 0), 0);
	assert_int_equal(iommu_attach(io, 1, RID_B, 0), 0);
	assert_int_equal(map(io, 1, 0x1000, 0x1000, 0x7000, RW), 0);
	assert_int_equal(iommu_block(io, RID_C), 0);
	assert_int_equal(iommu_set_bypass(io, false), 0);
	iommu_reset(io);
	for (uint16_t rid = RID_A; rid <= RID_B; rid += RID_B - RID_A)
		assert_int_equal(iommu_endpoint_state(io, rid, NULL), IOMMU_EP_DETACHED_BYPASS);
	assert_int_equal(iommu_endpoint_state(io, RID_C, NULL), IOMMU_EP_DETACHED_BYPASS);
	assert_true(maps_to(io, RID_A, 0x1000, 0x1000));
	assert_int_equal(map(io, 1, 0x1000, 0x1000, 0x7000, RW), -ENOENT); /* gone */
	iommu_destroy(io);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_config), cmocka_unit_test(test_endpoints),
		cmocka_unit_test(test_attach_detach), cmocka_unit_test(test_map_errors),
		cmocka_unit_test(test_granule_64k),   cmocka_unit_test(test_unmap_semantics),
		cmocka_unit_test(test_mapping_limit), cmocka_unit_test(test_bypass_and_blocked),
		cmocka_unit_test(test_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
