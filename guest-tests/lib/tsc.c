// SPDX-License-Identifier: MIT
#include "tsc.h"

#include "io.h"

#define TSC_KHZ_GUESS 3000000ull

static uint64_t khz;
static bool known;

static uint64_t khz_from_cpuid(void)
{
	struct cpuid_regs r = cpuid(0);
	uint32_t max = r.a;

	if (cpuid(1).c & (1u << 31)) {
		r = cpuid(0x40000000);
		if (r.a >= 0x40000010) {
			r = cpuid(0x40000010);
			if (r.a)
				return r.a;
		}
	}
	if (max >= 0x15) {
		r = cpuid(0x15);
		if (r.a && r.b && r.c)
			return (uint64_t)r.c * r.b / r.a / 1000;
	}
	if (max >= 0x16) {
		r = cpuid(0x16);
		if (r.a & 0xffff)
			return (uint64_t)(r.a & 0xffff) * 1000;
	}
	return 0;
}

uint64_t tsc_khz(void)
{
	if (!khz) {
		khz = khz_from_cpuid();
		known = khz != 0;
		if (!khz)
			khz = TSC_KHZ_GUESS;
	}
	return khz;
}

bool tsc_khz_known(void)
{
	tsc_khz();
	return known;
}

uint64_t time_us(void)
{
	uint64_t t = rdtsc(), k = tsc_khz();

	return t / k * 1000 + t % k * 1000 / k;
}

void delay_us(uint64_t us)
{
	uint64_t end = rdtsc() + us * tsc_khz() / 1000;

	while (rdtsc() < end)
		cpu_relax();
}
