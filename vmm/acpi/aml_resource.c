/* SPDX-License-Identifier: MIT */
/* AML resource descriptors (ACPI 6.5 section 6.4), emitted into an open
 * ResourceTemplate (see aml.h). */
#include <errno.h>

#include "vmm/acpi/aml.h"

/* Small and large resource item tags. */
#define AML_RES_IRQ	    0x23 /* small, 3 bytes of data */
#define AML_RES_IO	    0x47 /* small, 7 bytes of data */
#define AML_RES_MEM32_FIXED 0x86
#define AML_RES_DWORD_ADDR  0x87
#define AML_RES_WORD_ADDR   0x88
#define AML_RES_EXT_IRQ	    0x89
#define AML_RES_QWORD_ADDR  0x8a

/* Address space resource types and general flags. */
#define AML_ADDR_MEMORY	   0
#define AML_ADDR_IO	   1
#define AML_ADDR_BUS	   2
#define AML_ADDR_MAX_FIXED BIT(3)
#define AML_ADDR_MIN_FIXED BIT(2)
#define AML_ADDR_CONSUMER  BIT(0) /* 0: producer; bit 1 = 0: PosDecode */
/* Type-specific flags. */
#define AML_MEM_RW	     BIT(0)
#define AML_MEM_PREFETCHABLE (3u << 1)
#define AML_IO_ENTIRE_RANGE  3u

/* Append v as n little-endian bytes. */
static void aml_le(struct aml *a, uint64_t v, unsigned n)
{
	uint8_t b[8];

	for (unsigned i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	aml_bytes(a, b, n);
}

static bool in_template(struct aml *a)
{
	if (a->err)
		return false;
	if (!aml_in_resource(a)) {
		aml_fail(a, -EINVAL);
		return false;
	}
	return true;
}

void aml_io(struct aml *a, uint16_t min, uint16_t max, uint8_t align, uint8_t len)
{
	if (!in_template(a))
		return;
	aml_byte(a, AML_RES_IO);
	aml_byte(a, 0x01); /* Decode16 */
	aml_le(a, min, 2);
	aml_le(a, max, 2);
	aml_byte(a, align);
	aml_byte(a, len);
}

void aml_irq(struct aml *a, unsigned irq, bool edge, bool active_low, bool shared)
{
	if (!in_template(a))
		return;
	if (irq > 15) {
		aml_fail(a, -EINVAL);
		return;
	}
	aml_byte(a, AML_RES_IRQ);
	aml_le(a, 1u << irq, 2);
	/* _HE bit 0, _LL bit 3, _SHR bit 4. */
	aml_byte(a, (uint8_t)((edge ? 0x01 : 0) | (active_low ? 0x08 : 0) | (shared ? 0x10 : 0)));
}

void aml_interrupt(struct aml *a, uint32_t gsi, bool edge, bool active_low, bool shared)
{
	if (!in_template(a))
		return;
	aml_byte(a, AML_RES_EXT_IRQ);
	aml_le(a, 6, 2); /* flags, count, one DWord */
	/* Consumer bit 0, _HE bit 1, _LL bit 2, _SHR bit 3. */
	aml_byte(a, (uint8_t)(0x01 | (edge ? 0x02 : 0) | (active_low ? 0x04 : 0) |
			      (shared ? 0x08 : 0)));
	aml_byte(a, 1);
	aml_le(a, gsi, 4);
}

void aml_memory32_fixed(struct aml *a, uint32_t base, uint32_t len, bool rw)
{
	if (!in_template(a))
		return;
	aml_byte(a, AML_RES_MEM32_FIXED);
	aml_le(a, 9, 2);
	aml_byte(a, rw ? 0x01 : 0x00);
	aml_le(a, base, 4);
	aml_le(a, len, 4);
}

/* Word/DWord/QWord address space descriptor with 'sz'-byte fields. */
static void aml_address(struct aml *a, uint8_t tag, unsigned sz, uint8_t type, uint8_t tflags,
			uint64_t min, uint64_t max)
{
	if (!in_template(a))
		return;
	if (min > max) {
		aml_fail(a, -EINVAL);
		return;
	}
	aml_byte(a, tag);
	aml_le(a, 3 + 5 * sz, 2);
	aml_byte(a, type);
	aml_byte(a, AML_ADDR_MIN_FIXED | AML_ADDR_MAX_FIXED);
	aml_byte(a, tflags);
	aml_le(a, 0, sz);	      /* _GRA */
	aml_le(a, min, sz);	      /* _MIN */
	aml_le(a, max, sz);	      /* _MAX */
	aml_le(a, 0, sz);	      /* _TRA */
	aml_le(a, max - min + 1, sz); /* _LEN (wraps to 0 for a full 2^64) */
}

void aml_word_bus_number(struct aml *a, uint16_t min, uint16_t max)
{
	aml_address(a, AML_RES_WORD_ADDR, 2, AML_ADDR_BUS, 0, min, max);
}

void aml_word_io(struct aml *a, uint16_t min, uint16_t max)
{
	aml_address(a, AML_RES_WORD_ADDR, 2, AML_ADDR_IO, AML_IO_ENTIRE_RANGE, min, max);
}

void aml_dword_memory(struct aml *a, uint32_t min, uint32_t max, bool prefetchable)
{
	aml_address(a, AML_RES_DWORD_ADDR, 4, AML_ADDR_MEMORY,
		    (uint8_t)(AML_MEM_RW | (prefetchable ? AML_MEM_PREFETCHABLE : 0)), min, max);
}

void aml_qword_memory(struct aml *a, uint64_t min, uint64_t max, bool prefetchable)
{
	aml_address(a, AML_RES_QWORD_ADDR, 8, AML_ADDR_MEMORY,
		    (uint8_t)(AML_MEM_RW | (prefetchable ? AML_MEM_PREFETCHABLE : 0)), min, max);
}
