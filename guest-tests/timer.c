// SPDX-License-Identifier: MIT
/* The LAPIC timer: the count runs down, one-shot fires exactly once, a
 * masked timer counts but does not interrupt, periodic fires repeatedly
 * and stops when told; TSC-deadline mode when CPUID offers it. */
#include "guest.h"

#define TIMER_VECTOR   0x41
#define ONESHOT_COUNT  1000000u /* 1 ms at KVM's 1 GHz APIC bus, divide by 1 */
#define PERIODIC_COUNT 1000000u
#define PERIODIC_WANT  5
#define WAIT_US	       2000000

static volatile unsigned ticks;

static void timer_isr(struct trap_frame *f)
{
	(void)f;
	ticks++;
	lapic_eoi();
}

static bool wait_ticks(unsigned want, uint64_t us)
{
	uint64_t end = time_us() + us;

	while (ticks < want && time_us() < end)
		cpu_relax();
	return ticks >= want;
}

static void check_countdown(void)
{
	uint32_t a, b;

	lapic_write(LAPIC_TIMER_DCR, LAPIC_TIMER_DIV1);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | TIMER_VECTOR);
	lapic_write(LAPIC_TIMER_ICR, 0xffffffffu);
	a = lapic_read(LAPIC_TIMER_CCR);
	delay_us(1000);
	b = lapic_read(LAPIC_TIMER_CCR);
	lapic_timer_stop();
	report(a > 0 && b < a, "current count runs down (%u then %u)", a, b);
	report(ticks == 0, "a masked timer raises no interrupt (%u)", ticks);
	report(lapic_read(LAPIC_TIMER_CCR) == 0, "writing initial count 0 stops the timer");
}

static void check_oneshot(void)
{
	unsigned got;

	ticks = 0;
	irq_enable();
	lapic_timer_start(TIMER_VECTOR, ONESHOT_COUNT, false);
	report(wait_ticks(1, WAIT_US), "one-shot timer fired");
	delay_us(20000);
	got = ticks;
	irq_disable();
	report(got == 1, "one-shot timer fired once (%u)", got);
	report(lapic_read(LAPIC_TIMER_CCR) == 0, "current count is 0 after a one-shot expiry");
	lapic_timer_stop();
}

static void check_periodic(void)
{
	uint64_t t0, t1;
	unsigned after;
	bool ok;

	ticks = 0;
	irq_enable();
	t0 = time_us();
	lapic_timer_start(TIMER_VECTOR, PERIODIC_COUNT, true);
	ok = wait_ticks(PERIODIC_WANT, WAIT_US);
	t1 = time_us();
	report(ok, "periodic timer fired %u times (want %u)", ticks, PERIODIC_WANT);
	lapic_timer_stop();
	after = ticks;
	delay_us(20000);
	report(ticks == after, "no interrupts after the periodic timer is stopped (%u)",
	       ticks - after);
	irq_disable();
	report_info("%u periodic ticks in ~%lu us (TSC rate %s)", after, (unsigned long)(t1 - t0),
		    tsc_khz_known() ? "from CPUID" : "guessed");
}

static void check_deadline(void)
{
	if (!(sys_cpuid(1, 0).c & BIT(24))) {
		report_skip("TSC-deadline mode not in CPUID");
		return;
	}
	ticks = 0;
	irq_enable();
	lapic_write(LAPIC_LVT_TIMER, TIMER_VECTOR | (2u << 17));
	sys_wrmsr(MSR_TSC_DEADLINE, rdtsc() + tsc_khz()); /* ~1 ms */
	report(wait_ticks(1, WAIT_US), "TSC-deadline timer fired");
	irq_disable();
	report(sys_rdmsr(MSR_TSC_DEADLINE) == 0, "IA32_TSC_DEADLINE reads 0 after it fired");
	lapic_timer_stop();
}

int main(void)
{
	trap_set_handler(TIMER_VECTOR, timer_isr);
	check_countdown();
	check_oneshot();
	check_periodic();
	check_deadline();
	return 0;
}
