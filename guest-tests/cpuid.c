// SPDX-License-Identifier: MIT
/* The CPUID the VMM programs: the hypervisor bit, the KVM signature leaf,
 * and a topology (leaf 1, leaf 0xb) consistent with the MADT and cpus=N.
 * CPUID is executed at CPL0 (sys_cpuid): on a paravirtualised host, CPUID
 * at CPL3 may run natively and show the host's values instead. */
#include "guest.h"

#define LEAF_HV		0x40000000u
#define TOPO_LEVELS_MAX 8
#define TOPO_TYPE_SMT	1
#define TOPO_TYPE_CORE	2

static void check_hypervisor(void)
{
	struct cpuid_regs r = sys_cpuid(1, 0);
	char sig[13];

	report(r.c & BIT(31), "leaf 1 ECX bit 31 (hypervisor present)");
	r = sys_cpuid(LEAF_HV, 0);
	memcpy(sig + 0, &r.b, 4);
	memcpy(sig + 4, &r.c, 4);
	memcpy(sig + 8, &r.d, 4);
	sig[12] = '\0';
	report(!memcmp(sig, "KVMKVMKVM\0\0\0", 12), "leaf %#x signature \"%s\"", LEAF_HV, sig);
	report(r.a >= LEAF_HV + 1, "leaf %#x max leaf %#x (>= %#x)", LEAF_HV, r.a, LEAF_HV + 1);
	if (r.a >= LEAF_HV + 1)
		report_info("KVM features (leaf %#x): eax %#x", LEAF_HV + 1,
			    sys_cpuid(LEAF_HV + 1, 0).a);
}

/* Number of MADT CPUs whose APIC ID has package bits (id >> shift) equal
 * to the BSP's. */
static uint32_t cpus_in_package(const struct madt_info *m, uint32_t self, unsigned shift)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < m->nr_cpus && i < GT_MAX_CPUS; i++)
		n += (m->apic_ids[i] >> shift) == (self >> shift);
	return n;
}

static void check_leaf1(const struct madt_info *m, uint32_t self)
{
	struct cpuid_regs r = sys_cpuid(1, 0);
	uint32_t init_id = r.b >> 24, logical = (r.b >> 16) & 0xff;
	bool htt = r.d & BIT(28);
	uint32_t pkg_cpus;
	unsigned shift = 0;

	report(init_id == self, "leaf 1 initial APIC ID %u = LAPIC ID %u", init_id, self);
	/* leaf 1 EBX[23:16] is the number of IDs reserved per package. */
	while (shift < 8 && (1u << shift) < (htt ? logical : 1))
		shift++;
	pkg_cpus = cpus_in_package(m, self, shift);
	report_info("leaf 1: HTT %d, %u IDs per package; %u MADT CPUs share the BSP's package", htt,
		    logical, pkg_cpus);
	/* With one CPU per package HTT and EBX[23:16] may be anything. */
	if (pkg_cpus > 1)
		report(htt && logical >= pkg_cpus,
		       "leaf 1 HTT set and EBX[23:16] %u >= %u CPUs in the package", logical,
		       pkg_cpus);
}

static void check_leaf_b(const struct madt_info *m, uint32_t self)
{
	uint32_t max = sys_cpuid(0, 0).a, last_count = 0, types_ok = 1;
	unsigned last_shift = 0, levels = 0;
	struct cpuid_regs r;

	if (max < 0xb) {
		report_skip("leaf 0xb not present (max basic leaf %#x)", max);
		return;
	}
	for (unsigned sub = 0; sub < TOPO_LEVELS_MAX; sub++) {
		unsigned type;

		r = sys_cpuid(0xb, sub);
		type = (r.c >> 8) & 0xff;
		if (!type)
			break;
		report_info("leaf 0xb.%u: type %u, shift %u, %u logical CPUs, x2APIC ID %u", sub,
			    type, r.a & 0x1f, r.b & 0xffff, r.d);
		types_ok &= (sub == 0 && type == TOPO_TYPE_SMT) ||
			    (sub == 1 && type == TOPO_TYPE_CORE) || sub > 1;
		if (sub == 0)
			report(r.d == self, "leaf 0xb x2APIC ID %u = LAPIC ID %u", r.d, self);
		last_shift = r.a & 0x1f;
		last_count = r.b & 0xffff;
		levels++;
	}
	if (!report(levels >= 1, "leaf 0xb describes %u level(s)", levels))
		return;
	report(types_ok, "leaf 0xb level types: SMT, then core");
	report(last_count >= cpus_in_package(m, self, last_shift),
	       "leaf 0xb package level counts %u CPUs >= %u MADT CPUs with the BSP's package ID",
	       last_count, cpus_in_package(m, self, last_shift));
}

static void check_cpl3_view(void)
{
	struct cpuid_regs a = cpuid(1), b = sys_cpuid(1, 0);

	/* Informational: a difference is a property of the host, not the VMM. */
	if (a.a != b.a || a.b != b.b || a.c != b.c || a.d != b.d)
		report_info("CPUID leaf 1 differs between CPL3 (%08x %08x %08x %08x) and CPL0 "
			    "(%08x %08x %08x %08x): CPL3 CPUID is not intercepted here",
			    a.a, a.b, a.c, a.d, b.a, b.b, b.c, b.d);
}

int main(void)
{
	struct madt_info m;
	uint64_t cpus;
	uint32_t self = lapic_id();

	check_hypervisor();
	if (!report(madt_parse(&m) == 0, "MADT present"))
		return 0;
	if (report(cmdline_get_u64("cpus", &cpus), "cmdline has cpus="))
		report(m.nr_cpus == cpus, "MADT CPUs %u = cpus=%lu", m.nr_cpus,
		       (unsigned long)cpus);
	check_leaf1(&m, self);
	check_leaf_b(&m, self);
	check_cpl3_view();
	return 0;
}
