/* SPDX-License-Identifier: MIT */
/* Per-vCPU CPUID, derived from KVM_GET_SUPPORTED_CPUID. */
#ifndef VMM_CPUID_H
#define VMM_CPUID_H

#include <linux/kvm.h>
#include <stdbool.h>

/* Build the table for vCPU 'id' of 'nr' into out (capacity out->nent, set on
 * return): APIC ID and topology leaves (1, 4, 0xb, 0x1f, 0x80000008) for nr
 * single-threaded cores in one package, the hypervisor bit, the KVM
 * signature leaf, and TSC-deadline when tsc_deadline is true.
 * Returns 0 or -ENOSPC. Pure: no ioctls. */
int cpuid_build(const struct kvm_cpuid2 *supported, unsigned id, unsigned nr, bool tsc_deadline,
		struct kvm_cpuid2 *out);

/* Bits needed to number n items (0 for n <= 1). */
unsigned cpuid_order(unsigned n);

#endif
