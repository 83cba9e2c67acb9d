// SPDX-License-Identifier: MIT
#include "smp.h"

#include "bootinfo.h"
#include "cpu.h"
#include "io.h"
#include "lapic.h"
#include "madt.h"
#include "printf.h"
#include "string.h"
#include "sys.h"
#include "tsc.h"

extern char tramp_start[], tramp_end[];
extern volatile uint32_t ap_boot_index;

static volatile uint32_t nr_running = 1;

uint32_t smp_nr_cpus(void)
{
	return nr_running;
}

/* CPL3 entry of an AP (start.S jumps here after cpu_init). */
_Noreturn void ap_user_entry(void);
_Noreturn void ap_user_entry(void)
{
	struct percpu *p = this_cpu();

	lapic_enable();
	p->apic_id = lapic_id();
	__atomic_add_fetch(&nr_running, 1, __ATOMIC_SEQ_CST);
	if (p->fn)
		p->fn(p->arg);
	sys_park();
}

static bool wait_arrival(uint32_t want, uint64_t timeout_us)
{
	uint64_t end = time_us() + timeout_us;

	while (READ_ONCE(nr_running) < want) {
		if (time_us() > end)
			return false;
		cpu_relax();
	}
	return true;
}

static bool start_one(uint32_t apic_id, uint32_t timeout_ms)
{
	uint32_t want = nr_running + 1;

	if (!lapic_send_ipi(apic_id, ICR_INIT | ICR_LEVEL_ASSERT))
		return false;
	delay_us(10000);
	for (int i = 0; i < 2; i++) {
		if (!lapic_send_ipi(apic_id, ICR_STARTUP | (TRAMP_BASE >> 12)))
			return false;
		delay_us(200);
	}
	return wait_arrival(want, (uint64_t)timeout_ms * 1000);
}

uint32_t smp_boot_aps(const struct madt_info *m, ap_fn_t fn, void *arg, uint32_t timeout_ms)
{
	uint32_t self = lapic_id(), n = m->nr_cpus < GT_MAX_CPUS ? m->nr_cpus : GT_MAX_CPUS;
	size_t tlen = (size_t)(tramp_end - tramp_start);

	if (!bootinfo_is_ram(TRAMP_BASE, tlen)) {
		printf("# smp: trampoline page %#x is not RAM\n", TRAMP_BASE);
		return nr_running;
	}
	memcpy((void *)(uintptr_t)TRAMP_BASE, tramp_start, tlen);
	percpu_area[0].apic_id = self;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t index = nr_running;

		if (m->apic_ids[i] == self)
			continue;
		if (index >= GT_MAX_CPUS)
			break;
		percpu_area[index].fn = fn;
		percpu_area[index].arg = arg;
		ap_boot_index = index;
		barrier();
		if (!start_one(m->apic_ids[i], timeout_ms)) {
			printf("# smp: APIC ID %u did not start\n", m->apic_ids[i]);
			break;
		}
	}
	return nr_running;
}
