// SPDX-License-Identifier: MIT
/* Unit tests for the per-vCPU CPUID table (vmm/cpuid.c), on a synthetic
 * KVM_GET_SUPPORTED_CPUID result. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/cpuid.h"
#include "vmm/types.h"

#define SIG    KVM_CPUID_FLAG_SIGNIFCANT_INDEX
#define L1_EBX 0xabcd0800u /* host APIC id 0xab, count 0xcd, CLFLUSH 8 */
#define L1_ECX 0x12345678u /* bit 24 (TSC deadline) and 31 clear */
#define L1_EDX 0x1f8bfbffu /* HTT (bit 28) set */
#define L8_ECX 0xabcd73ffu /* NC 0xff, ApicIdCoreIdSize 7, bits 11:8 = 3 */

static struct kvm_cpuid2 *cpuid_alloc(unsigned n)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));

	assert_non_null(c);
	c->nent = n;
	return c;
}

static void add(struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx, uint32_t flags, uint32_t eax,
		uint32_t ebx, uint32_t ecx, uint32_t edx)
{
	c->entries[c->nent++] = (struct kvm_cpuid_entry2){.function = fn,
							  .index = idx,
							  .flags = flags,
							  .eax = eax,
							  .ebx = ebx,
							  .ecx = ecx,
							  .edx = edx};
}

/* The host table: leaf 0 with max_basic, 1, 4 (four caches + terminator),
 * 7, host 0xb/0x1f subleaves (when max_basic allows), 0x80000000/8, and
 * optionally a 0x40000000 leaf with eax sig_eax. */
static struct kvm_cpuid2 *supported(uint32_t max_basic, bool with_sig, uint32_t sig_eax)
{
	struct kvm_cpuid2 *c = cpuid_alloc(32);

	c->nent = 0;
	add(c, 0, 0, 0, max_basic, 0x756e6547, 0x6c65746e, 0x49656e69);
	add(c, 1, 0, 0, 0x906ea, L1_EBX, L1_ECX, L1_EDX);
	add(c, 4, 0, SIG, 0x1c004121, 0x01c0003f, 0x3f, 0);
	add(c, 4, 1, SIG, 0x1c004122, 0x01c0003f, 0x3f, 0);
	add(c, 4, 2, SIG, 0x1c004143, 0x00c0003f, 0x3ff, 0);
	add(c, 4, 3, SIG, 0x1c03c163, 0x03c0003f, 0x2fff, 6);
	add(c, 4, 4, SIG, 0, 0, 0, 0);
	add(c, 7, 0, SIG, 0, 0x029c6fbf, 0x40000000, 0xbc000400);
	if (max_basic >= 0xb) { /* three host subleaves, one of them odd */
		add(c, 0xb, 0, SIG, 1, 2, 0x100, 7);
		add(c, 0xb, 1, SIG, 4, 8, 0x201, 7);
		add(c, 0xb, 5, SIG, 9, 9, 9, 9);
	}
	if (max_basic >= 0x1f) { /* two host subleaves */
		add(c, 0x1f, 0, SIG, 1, 2, 0x100, 7);
		add(c, 0x1f, 1, SIG, 4, 8, 0x201, 7);
	}
	if (with_sig)
		add(c, 0x40000000, 0, 0, sig_eax, 0x4b4d564b, 0x564b4d56, 0x4d);
	add(c, 0x80000000, 0, 0, 0x80000008, 0, 0, 0);
	add(c, 0x80000008, 0, 0, 0x3027, 0, L8_ECX, 0);
	return c;
}

static const struct kvm_cpuid_entry2 *find(const struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn && c->entries[i].index == idx)
			return &c->entries[i];
	return NULL;
}

static unsigned count_fn(const struct kvm_cpuid2 *c, uint32_t fn)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < c->nent; i++)
		n += c->entries[i].function == fn;
	return n;
}

/* Build for vCPU id of nr into a fresh table of capacity cap. */
static struct kvm_cpuid2 *build(const struct kvm_cpuid2 *sup, unsigned id, unsigned nr, bool tsc,
				unsigned cap, int want)
{
	struct kvm_cpuid2 *out = cpuid_alloc(cap);

	assert_int_equal(cpuid_build(sup, id, nr, tsc, out), want);
	return out;
}

static void test_order(void **state)
{
	(void)state;
	assert_int_equal(cpuid_order(0), 0);
	assert_int_equal(cpuid_order(1), 0);
	assert_int_equal(cpuid_order(2), 1);
	assert_int_equal(cpuid_order(3), 2);
	assert_int_equal(cpuid_order(4), 2);
	assert_int_equal(cpuid_order(5), 3);
	assert_int_equal(cpuid_order(8), 3);
	assert_int_equal(cpuid_order(9), 4);
	assert_int_equal(cpuid_order(254), 8);
	assert_int_equal(cpuid_order(256), 8);
	assert_int_equal(cpuid_order(257), 9);
	assert_int_equal(cpuid_order(0x80000000u), 31);
	assert_int_equal(cpuid_order(0x80000001u), 32);
	assert_int_equal(cpuid_order(~0u), 32);
}

static void test_leaf1(void **state)
{
	struct kvm_cpuid2 *sup = supported(0x1f, false, 0);
	struct kvm_cpuid2 *out = build(sup, 3, 4, false, 64, 0);
	const struct kvm_cpuid_entry2 *e = find(out, 1, 0);

	(void)state;
	assert_non_null(e);
	assert_int_equal(e->eax, 0x906ea);
	assert_int_equal(e->ebx, 0x03040800u);
	assert_int_equal(e->ecx, L1_ECX | BIT(31));
	assert_int_equal(e->edx, L1_EDX);
	free(out);
	/* One vCPU: HTT cleared even though the host sets it. */
	out = build(sup, 0, 1, false, 64, 0);
	e = find(out, 1, 0);
	assert_int_equal(e->ebx, 0x00010800u);
	assert_int_equal(e->edx, L1_EDX & ~BIT(28));
	assert_int_equal(e->ecx & BIT(24), 0);
	free(out);
	/* TSC deadline only on request; the largest id and count. */
	out = build(sup, 253, 254, true, 64, 0);
	e = find(out, 1, 0);
	assert_int_equal(e->ebx, 0xfdfe0800u);
	assert_int_equal(e->ecx, L1_ECX | BIT(31) | BIT(24));
	assert_int_equal(e->edx, L1_EDX);
	free(out);
	/* HTT is set for nr > 1 even when the host does not report it. */
	sup->entries[1].edx &= ~BIT(28);
	out = build(sup, 1, 2, false, 64, 0);
	assert_int_equal(find(out, 1, 0)->edx, L1_EDX);
	free(out);
	free(sup);
}

static void check_topology(const struct kvm_cpuid2 *out, uint32_t fn, unsigned id, unsigned nr)
{
	const struct kvm_cpuid_entry2 *e;

	assert_int_equal(count_fn(out, fn), 3);
	e = find(out, fn, 0);
	assert_non_null(e);
	assert_int_equal(e->flags, SIG);
	assert_int_equal(e->eax, 0);
	assert_int_equal(e->ebx, 1);
	assert_int_equal(e->ecx, 0x100);
	assert_int_equal(e->edx, id);
	e = find(out, fn, 1);
	assert_non_null(e);
	assert_int_equal(e->flags, SIG);
	assert_int_equal(e->eax, cpuid_order(nr));
	assert_int_equal(e->ebx, nr);
	assert_int_equal(e->ecx, 0x201);
	assert_int_equal(e->edx, id);
	e = find(out, fn, 2); /* terminator: level type 0 */
	assert_non_null(e);
	assert_int_equal(e->flags, SIG);
	assert_int_equal(e->eax, 0);
	assert_int_equal(e->ebx, 0);
	assert_int_equal(e->ecx, 2);
	assert_int_equal(e->edx, id);
	assert_null(find(out, fn, 5));
}

static void test_topology_leaves(void **state)
{
	struct kvm_cpuid2 *sup = supported(0x1f, false, 0);
	struct kvm_cpuid2 *out;

	(void)state;
	out = build(sup, 5, 6, false, 64, 0);
	check_topology(out, 0xb, 5, 6);
	check_topology(out, 0x1f, 5, 6);
	assert_int_equal(find(out, 0xb, 1)->eax, 3);
	free(out);
	out = build(sup, 0, 1, false, 64, 0);
	check_topology(out, 0xb, 0, 1);
	assert_int_equal(find(out, 0x1f, 1)->eax, 0);
	free(out);
	out = build(sup, 200, 254, false, 64, 0);
	check_topology(out, 0x1f, 200, 254);
	assert_int_equal(find(out, 0x1f, 1)->eax, 8);
	free(out);
	free(sup);
	/* max_basic 0xd: 0xb is synthesised, 0x1f is not. */
	sup = supported(0xd, false, 0);
	out = build(sup, 1, 2, false, 64, 0);
	check_topology(out, 0xb, 1, 2);
	assert_int_equal(count_fn(out, 0x1f), 0);
	free(out);
	free(sup);
	/* max_basic 0xa: neither. */
	sup = supported(0xa, false, 0);
	out = build(sup, 1, 2, false, 64, 0);
	assert_int_equal(count_fn(out, 0xb), 0);
	assert_int_equal(count_fn(out, 0x1f), 0);
	free(out);
	free(sup);
}

static void test_leaf4(void **state)
{
	struct kvm_cpuid2 *sup = supported(0x1f, false, 0);
	static const unsigned nrs[] = {1, 2, 4, 33, 64};

	(void)state;
	for (unsigned k = 0; k < ARRAY_SIZE(nrs); k++) {
		struct kvm_cpuid2 *out = build(sup, 0, nrs[k], false, 64, 0);

		assert_int_equal(count_fn(out, 4), 5);
		for (uint32_t i = 0; i < 4; i++) {
			const struct kvm_cpuid_entry2 *e = find(out, 4, i);

			assert_int_equal(e->eax >> 26, nrs[k] - 1);
			assert_int_equal(e->eax & 0x3ffffff, find(sup, 4, i)->eax & 0x3ffffff);
			assert_int_equal(e->ebx, find(sup, 4, i)->ebx);
		}
		assert_int_equal(find(out, 4, 4)->eax, 0); /* null cache stays */
		free(out);
	}
	free(sup);
}

/* BUG (vmm/cpuid.c, cpuid_build, leaf 4 loop): EAX[31:26] is a 6-bit field,
 * but (nr - 1) << 26 is stored unclamped, so for more than 64 vCPUs the high
 * bits are lost: nr = 100 yields 35 (99 & 63) instead of the saturated 63. */
static void test_leaf4_many_cpus(void **state)
{
	struct kvm_cpuid2 *sup = supported(0x1f, false, 0);
	struct kvm_cpuid2 *out = build(sup, 0, 100, false, 64, 0);

	(void)state;
	assert_int_equal(find(out, 4, 0)->eax >> 26, 63);
	free(out);
	free(sup);
}

static void test_amd_leaf(void **state)
{
	struct kvm_cpuid2 *sup = supported(0x1f, false, 0);
	struct kvm_cpuid2 *out;

	(void)state;
	out = build(sup, 0, 4, false, 64, 0);
	assert_int_equal(find(out, 0x80000008, 0)->ecx, 0xabcd2303u);
	assert_int_equal(find(out, 0x80000008, 0)->eax, 0x3027);
	free(out);
	out = build(sup, 0, 1, false, 64, 0);
	assert_int_equal(find(out, 0x80000008, 0)->ecx, 0xabcd0300u);
	free(out);
	out = build(sup, 0, 254, false, 64, 0);
	assert_int_equal(find(out, 0x80000008, 0)->ecx, 0xabcd83fdu);
	free(out);
	free(sup);
}

static void check_signature(const struct kvm_cpuid2 *out, uint32_t eax)
{
	const struct kvm_cpuid_entry2 *e = find(out, 0x40000000, 0);
	char sig[12];

	assert_non_null(e);
	assert_int_equal(count_fn(out, 0x40000000), 1);
	assert_int_equal(e->eax, eax);
	memcpy(sig, &e->ebx, 4);
	memcpy(sig + 4, &e->ecx, 4);
	memcpy(sig + 8, &e->edx, 4);
	assert_memory_equal(sig, "KVMKVMKVM\0\0\0", 12);
}

static void test_kvm_signature(void **state)
{
	struct kvm_cpuid2 *sup, *out;

	(void)state;
	sup = supported(0x1f, false, 0);
	out = build(sup, 0, 1, false, 64, 0);
	check_signature(out, 0x40000001);
	free(out);
	free(sup);
	sup = supported(0x1f, true, 0x40000010);
	out = build(sup, 0, 1, false, 64, 0);
	check_signature(out, 0x40000010);
	free(out);
	free(sup);
	sup = supported(0x1f, true, 0);
	out = build(sup, 0, 1, false, 64, 0);
	check_signature(out, 0x40000001);
	free(out);
	free(sup);
}

static void test_capacity(void **state)
{
	struct kvm_cpuid2 *sup = supported(0x1f, false, 0);
	/* Host: 3 + 2 topology subleaves dropped, 3 + 3 added, +1 signature. */
	unsigned need = sup->nent - 5 + 6 + 1;
	struct kvm_cpuid2 *out;

	(void)state;
	out = build(sup, 2, 3, false, need, 0);
	assert_int_equal(out->nent, need);
	check_topology(out, 0xb, 2, 3);
	check_topology(out, 0x1f, 2, 3);
	check_signature(out, 0x40000001);
	free(out);
	free(build(sup, 2, 3, false, need - 1, -ENOSPC));
	free(build(sup, 2, 3, false, sup->nent, -ENOSPC));
	out = build(sup, 2, 3, false, sup->nent - 1, -ENOSPC);
	free(out);
	free(build(sup, 2, 3, false, 0, -ENOSPC));
	free(sup);
	/* With the signature leaf already present, one slot less is enough. */
	sup = supported(0x1f, true, 0x40000001);
	need = sup->nent - 5 + 6;
	out = build(sup, 0, 1, false, need, 0);
	assert_int_equal(out->nent, need);
	free(out);
	free(build(sup, 0, 1, false, need - 1, -ENOSPC));
	free(sup);
}

static void test_input_untouched_others_kept(void **state)
{
	struct kvm_cpuid2 *sup = supported(0x1f, false, 0);
	struct kvm_cpuid2 *copy = cpuid_alloc(32);
	struct kvm_cpuid2 *out;
	static const uint32_t kept[][2] = {{0, 0}, {7, 0}, {0x80000000, 0}};

	(void)state;
	memcpy(copy, sup, sizeof(*sup) + 32 * sizeof(sup->entries[0]));
	out = build(sup, 1, 2, true, 64, 0);
	assert_memory_equal(copy, sup, sizeof(*sup) + 32 * sizeof(sup->entries[0]));
	for (unsigned i = 0; i < ARRAY_SIZE(kept); i++) {
		const struct kvm_cpuid_entry2 *a = find(out, kept[i][0], kept[i][1]);
		const struct kvm_cpuid_entry2 *b = find(sup, kept[i][0], kept[i][1]);

		assert_non_null(a);
		assert_memory_equal(a, b, sizeof(*a));
	}
	/* Every entry of the host table is still there, nothing is duplicated. */
	for (uint32_t i = 0; i < sup->nent; i++) {
		const struct kvm_cpuid_entry2 *s = &sup->entries[i];
		unsigned n = 0;

		for (uint32_t j = 0; j < out->nent; j++)
			n += out->entries[j].function == s->function &&
			     out->entries[j].index == s->index;
		assert_int_equal(n, s->function == 0xb && s->index == 5 ? 0 : 1);
	}
	free(out);
	free(copy);
	free(sup);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_leaf1),
		cmocka_unit_test(test_topology_leaves),
		cmocka_unit_test(test_leaf4),
		cmocka_unit_test(test_leaf4_many_cpus),
		cmocka_unit_test(test_amd_leaf),
		cmocka_unit_test(test_kvm_signature),
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_input_untouched_others_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
