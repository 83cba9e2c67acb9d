/* SPDX-License-Identifier: MIT */
/* Port I/O, MMIO, CPUID, TSC and other one-instruction helpers. All of them
 * work at CPL3 (the test bodies run with RFLAGS.IOPL = 3). */
#ifndef GT_IO_H
#define GT_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Set at start-up when CPL3 lacks IOPL 3 (a paravirtualised host may
 * ignore the IOPL the runtime asks for): port I/O, cli and sti made at CPL3
 * then go through the service gate (sys.h) instead. */
extern bool io_via_sys;

#define IO_WRITE 0x8 /* io_port() op: bits 2:0 = size in bytes, bit 3 = write */

/* The service-gate forms (sys.c). */
uint32_t sys_io(uint16_t port, unsigned op, uint32_t v);
void sys_set_if(bool on);

static inline uint16_t read_cs(void)
{
	uint16_t v;
	__asm__ volatile("mov %%cs, %0" : "=r"(v));
	return v;
}

static inline bool io_trapped(void)
{
	return io_via_sys && (read_cs() & 3);
}

/* The instructions themselves, for CPL0 and for CPL3 with IOPL 3. */
static inline uint32_t io_port(uint16_t port, unsigned op, uint32_t v)
{
	switch (op) {
	case 1 | IO_WRITE: __asm__ volatile("outb %b0, %w1" : : "a"(v), "Nd"(port)); return 0;
	case 2 | IO_WRITE: __asm__ volatile("outw %w0, %w1" : : "a"(v), "Nd"(port)); return 0;
	case 4 | IO_WRITE: __asm__ volatile("outl %0, %w1" : : "a"(v), "Nd"(port)); return 0;
	case 1: __asm__ volatile("inb %w1, %b0" : "=a"(v) : "Nd"(port)); return v & 0xff;
	case 2: __asm__ volatile("inw %w1, %w0" : "=a"(v) : "Nd"(port)); return v & 0xffff;
	case 4: __asm__ volatile("inl %w1, %0" : "=a"(v) : "Nd"(port)); return v;
	}
	return ~0u;
}

static inline uint32_t pio(uint16_t port, unsigned op, uint32_t v)
{
	return io_trapped() ? sys_io(port, op, v) : io_port(port, op, v);
}

static inline void outb(uint16_t port, uint8_t v)
{
	pio(port, 1 | IO_WRITE, v);
}

static inline void outw(uint16_t port, uint16_t v)
{
	pio(port, 2 | IO_WRITE, v);
}

static inline void outl(uint16_t port, uint32_t v)
{
	pio(port, 4 | IO_WRITE, v);
}

static inline uint8_t inb(uint16_t port)
{
	return (uint8_t)pio(port, 1, 0);
}

static inline uint16_t inw(uint16_t port)
{
	return (uint16_t)pio(port, 2, 0);
}

static inline uint32_t inl(uint16_t port)
{
	return pio(port, 4, 0);
}

static inline uint8_t mmio_read8(uint64_t a)
{
	return *(volatile uint8_t *)(uintptr_t)a;
}

static inline uint16_t mmio_read16(uint64_t a)
{
	return *(volatile uint16_t *)(uintptr_t)a;
}

static inline uint32_t mmio_read32(uint64_t a)
{
	return *(volatile uint32_t *)(uintptr_t)a;
}

static inline uint64_t mmio_read64(uint64_t a)
{
	return *(volatile uint64_t *)(uintptr_t)a;
}

static inline void mmio_write8(uint64_t a, uint8_t v)
{
	*(volatile uint8_t *)(uintptr_t)a = v;
}

static inline void mmio_write16(uint64_t a, uint16_t v)
{
	*(volatile uint16_t *)(uintptr_t)a = v;
}

static inline void mmio_write32(uint64_t a, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)a = v;
}

static inline void mmio_write64(uint64_t a, uint64_t v)
{
	*(volatile uint64_t *)(uintptr_t)a = v;
}

struct cpuid_regs {
	uint32_t a, b, c, d;
};

static inline struct cpuid_regs cpuid_count(uint32_t leaf, uint32_t sub)
{
	struct cpuid_regs r;
	__asm__ volatile("cpuid"
			 : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d)
			 : "a"(leaf), "c"(sub));
	return r;
}

static inline struct cpuid_regs cpuid(uint32_t leaf)
{
	return cpuid_count(leaf, 0);
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline void barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

/* sti / cli; at CPL3 without IOPL 3 through the service gate. */
static inline void irq_enable(void)
{
	if (io_trapped())
		sys_set_if(true);
	else
		__asm__ volatile("sti" ::: "memory");
}

static inline void irq_disable(void)
{
	if (io_trapped())
		sys_set_if(false);
	else
		__asm__ volatile("cli" ::: "memory");
}

static inline uint64_t read_rflags(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

#define READ_ONCE(x)	 (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define ARRAY_SIZE(a)	 (sizeof(a) / sizeof((a)[0]))
#define BIT(n)		 (1u << (n))
#define BIT_ULL(n)	 (1ull << (n))

#endif
