// SPDX-License-Identifier: MIT
/* INIT / SIPI / SIPI every AP the MADT lists. Each AP records its LAPIC ID,
 * its CPUID initial APIC ID (leaf 1 and leaf 0xb, executed at CPL0), its
 * privilege level and per-CPU index, then takes a fixed IPI from the BSP
 * before it parks. The BSP checks that every CPU arrived exactly once. */
#include "guest.h"

#define IPI_VECTOR    0x50
#define AP_TIMEOUT_MS 2000
#define WAIT_US	      2000000

struct ap_slot {
	volatile uint32_t arrived;
	uint32_t lapic_id, cpuid1_id, cpuid_b_id, cpl, index;
	volatile uint32_t ipis;
};

static struct ap_slot slots[GT_MAX_CPUS];
static volatile uint32_t release;
static volatile uint32_t nr_done;

static void ipi_handler(struct trap_frame *f)
{
	(void)f;
	slots[cpu_index()].ipis++;
	lapic_eoi();
}

static void ap_main(void *arg)
{
	struct ap_slot *s = &slots[cpu_index()];
	uint64_t end;

	(void)arg;
	s->index = cpu_index();
	s->lapic_id = lapic_id();
	s->cpuid1_id = sys_cpuid(1, 0).b >> 24;
	s->cpuid_b_id = sys_cpuid(0, 0).a >= 0xb ? sys_cpuid(0xb, 0).d : s->lapic_id;
	s->cpl = read_cs() & 3;
	irq_enable();
	__atomic_store_n(&s->arrived, 1, __ATOMIC_RELEASE);
	/* Wait (bounded) for the BSP's IPI and its release. */
	end = time_us() + 2 * WAIT_US;
	while (!release && time_us() < end)
		cpu_relax();
	irq_disable();
	__atomic_add_fetch(&nr_done, 1, __ATOMIC_SEQ_CST);
}

static uint32_t count_arrived(uint32_t n)
{
	uint32_t k = 0;

	for (uint32_t c = 1; c < n; c++)
		k += slots[c].arrived != 0;
	return k;
}

static uint32_t count_ipis(uint32_t n)
{
	uint32_t k = 0;

	for (uint32_t c = 1; c < n; c++)
		k += slots[c].ipis != 0;
	return k;
}

static uint32_t count_done(uint32_t n)
{
	(void)n;
	return nr_done;
}

/* Wait (bounded) until count(n) reaches want. */
static bool wait_count(uint32_t (*count)(uint32_t), uint32_t n, uint32_t want)
{
	uint64_t end = time_us() + WAIT_US;

	while (count(n) < want) {
		if (time_us() > end)
			return false;
		cpu_relax();
	}
	return true;
}

int main(void)
{
	struct madt_info m;
	uint64_t cpus;
	uint32_t started, n, self = lapic_id(), found = 0, id_ok = 0, cpuid_ok = 0, cpl_ok = 0;
	bool ok;

	if (!report(madt_parse(&m) == 0, "MADT present"))
		return 0;
	if (report(cmdline_get_u64("cpus", &cpus), "cmdline has cpus="))
		report(m.nr_cpus == cpus, "MADT lists %u CPUs (cpus=%lu)", m.nr_cpus,
		       (unsigned long)cpus);
	trap_set_handler(IPI_VECTOR, ipi_handler);
	slots[0].lapic_id = self;
	started = smp_boot_aps(&m, ap_main, NULL, AP_TIMEOUT_MS);
	n = started < GT_MAX_CPUS ? started : GT_MAX_CPUS;
	report(started == m.nr_cpus, "%u of %u CPUs running", started, m.nr_cpus);
	report(wait_count(count_arrived, n, n - 1), "every AP ran its function");

	for (uint32_t i = 0; i < m.nr_cpus && i < GT_MAX_CPUS; i++) {
		uint32_t hits = 0;

		for (uint32_t c = 0; c < n; c++)
			hits += slots[c].lapic_id == m.apic_ids[i];
		found += hits == 1;
	}
	for (uint32_t c = 1; c < n; c++) {
		report_info("cpu %u: LAPIC ID %u, CPUID IDs %u / %u, CPL %u", slots[c].index,
			    slots[c].lapic_id, slots[c].cpuid1_id, slots[c].cpuid_b_id,
			    slots[c].cpl);
		id_ok += slots[c].index == c;
		cpuid_ok += slots[c].cpuid1_id == slots[c].lapic_id &&
			    slots[c].cpuid_b_id == slots[c].lapic_id;
		cpl_ok += slots[c].cpl == 3;
	}
	report(found == m.nr_cpus, "each MADT APIC ID answered exactly once (%u/%u)", found,
	       m.nr_cpus);
	report(id_ok == n - 1, "per-CPU blocks (GS base) match the start order");
	report(cpuid_ok == n - 1, "CPUID initial APIC IDs match the LAPIC IDs on every AP");
	report(cpl_ok == n - 1, "APs run their function at CPL3");

	for (uint32_t c = 1; c < n; c++)
		lapic_send_ipi(slots[c].lapic_id, ICR_FIXED | IPI_VECTOR);
	ok = wait_count(count_ipis, n, n - 1);
	report(ok, "every AP took a fixed IPI from the BSP (%u/%u)", count_ipis(n), n - 1);
	release = 1;
	ok = wait_count(count_done, n, n - 1);
	report(ok, "every AP finished (%u/%u)", nr_done, n - 1);
	return 0;
}
