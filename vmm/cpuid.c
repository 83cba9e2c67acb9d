// SPDX-License-Identifier: MIT
#include "vmm/cpuid.h"

#include <errno.h>
#include <string.h>

#include "vmm/types.h"

#define CPUID_1_ECX_TSC_DEADLINE BIT(24)
#define CPUID_1_ECX_HYPERVISOR	 BIT(31)
#define CPUID_1_EDX_HTT		 BIT(28)
#define CPUID_LEVEL_TYPE_SMT	 1
#define CPUID_LEVEL_TYPE_CORE	 2
#define KVM_SIGNATURE_LEAF	 0x40000000u

unsigned cpuid_order(unsigned n)
{
	unsigned o = 0;

	while (o < 32 && (1ull << o) < n)
		o++;
	return o;
}

static struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn && c->entries[i].index == idx)
			return &c->entries[i];
	return NULL;
}

/* Find fn/idx, or append it (zeroed) when there is room. */
static struct kvm_cpuid_entry2 *cpuid_get(struct kvm_cpuid2 *c, uint32_t cap, uint32_t fn,
					  uint32_t idx, uint32_t flags)
{
	struct kvm_cpuid_entry2 *e = cpuid_find(c, fn, idx);

	if (e || c->nent >= cap)
		return e;
	e = &c->entries[c->nent++];
	memset(e, 0, sizeof(*e));
	e->function = fn;
	e->index = idx;
	e->flags = flags;
	return e;
}

/* Leaves 0xb / 0x1f: level 0 SMT (1 thread), level 1 core (nr cores). */
static int cpuid_topology(struct kvm_cpuid2 *c, uint32_t cap, uint32_t fn, unsigned id, unsigned nr)
{
	const uint32_t f = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
	struct kvm_cpuid_entry2 *e;

	for (uint32_t i = 0; i < c->nent; i++) /* drop the host's subleaves */
		if (c->entries[i].function == fn)
			c->entries[i] = c->entries[--c->nent], i--;
	e = cpuid_get(c, cap, fn, 0, f);
	if (!e)
		return -ENOSPC;
	*e = (struct kvm_cpuid_entry2){.function = fn,
				       .index = 0,
				       .flags = f,
				       .eax = 0,
				       .ebx = 1,
				       .ecx = CPUID_LEVEL_TYPE_SMT << 8,
				       .edx = id};
	e = cpuid_get(c, cap, fn, 1, f);
	if (!e)
		return -ENOSPC;
	*e = (struct kvm_cpuid_entry2){.function = fn,
				       .index = 1,
				       .flags = f,
				       .eax = cpuid_order(nr),
				       .ebx = nr,
				       .ecx = CPUID_LEVEL_TYPE_CORE << 8 | 1,
				       .edx = id};
	e = cpuid_get(c, cap, fn, 2, f);
	if (!e)
		return -ENOSPC;
	*e = (struct kvm_cpuid_entry2){.function = fn, .index = 2, .flags = f, .ecx = 2, .edx = id};
	return 0;
}

int cpuid_build(const struct kvm_cpuid2 *supported, unsigned id, unsigned nr, bool tsc_deadline,
		struct kvm_cpuid2 *out)
{
	uint32_t cap = out->nent;
	struct kvm_cpuid_entry2 *e;
	uint32_t max_basic;

	if (supported->nent > cap)
		return -ENOSPC;
	memcpy(out->entries, supported->entries, supported->nent * sizeof(supported->entries[0]));
	out->nent = supported->nent;

	e = cpuid_find(out, 0, 0);
	max_basic = e ? e->eax : 0;
	e = cpuid_find(out, 1, 0);
	if (e) {
		e->ebx = (e->ebx & 0xffff) | (id << 24) | (MIN(nr, 255u) << 16);
		e->ecx |= CPUID_1_ECX_HYPERVISOR;
		if (tsc_deadline)
			e->ecx |= CPUID_1_ECX_TSC_DEADLINE;
		e->edx = nr > 1 ? e->edx | CPUID_1_EDX_HTT : e->edx & ~CPUID_1_EDX_HTT;
	}
	/* Leaf 4 (deterministic cache parameters): cores per package - 1. */
	for (uint32_t i = 0; i < out->nent; i++) {
		e = &out->entries[i];
		if (e->function == 4 && (e->eax & 0x1f))
			e->eax = (e->eax & 0x3ffffff) | (MIN(nr - 1, 63u) << 26);
	}
	if (max_basic >= 0xb && cpuid_topology(out, cap, 0xb, id, nr))
		return -ENOSPC;
	if (max_basic >= 0x1f && cpuid_topology(out, cap, 0x1f, id, nr))
		return -ENOSPC;
	e = cpuid_find(out, 0x80000008, 0);
	if (e) /* AMD: NC = cores - 1, ApicIdCoreIdSize */
		e->ecx = (e->ecx & ~0xf0ffu) | (nr - 1) | (cpuid_order(nr) << 12);
	e = cpuid_get(out, cap, KVM_SIGNATURE_LEAF, 0, 0);
	if (!e)
		return -ENOSPC;
	e->eax = MAX(e->eax, KVM_SIGNATURE_LEAF + 1);
	memcpy(&e->ebx, "KVMK", 4);
	memcpy(&e->ecx, "VMKV", 4);
	memcpy(&e->edx, "M\0\0\0", 4);
	return 0;
}
