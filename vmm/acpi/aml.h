/* SPDX-License-Identifier: MIT */
/* A small AML encoder (ACPI 6.5 chapter 20, "ACPI Machine Language").
 *
 * Bytes go into a growing heap buffer. Errors are sticky: after the first one
 * every call is a no-op and aml_error() reports it, so a caller can emit a
 * whole block and check once. Nested objects (Scope, Device, Method,
 * Package, Buffer, ResourceTemplate) are opened with *_begin() and closed
 * with aml_end(); their PkgLength is computed and inserted at the end, with
 * the shortest encoding.
 *
 *	aml_device_begin(a, "COM1");
 *	aml_name_eisaid(a, "_HID", "PNP0501");
 *	aml_name_integer(a, "_UID", 1);
 *	aml_name(a, "_CRS");
 *	aml_resource_begin(a);
 *	aml_io(a, 0x3f8, 0x3f8, 1, 8);
 *	aml_irq(a, 4, true, false, false);
 *	aml_end(a);                    (ResourceTemplate)
 *	aml_end(a);                    (Device)
 *
 * Names are ASL-style strings: "_SB", "COM1", "\\_SB.PCI0", "^PCI0.S08";
 * segments shorter than 4 characters are padded with '_'. */
#ifndef VMM_ACPI_AML_H
#define VMM_ACPI_AML_H

#include "vmm/types.h"

#define AML_MAX_DEPTH 16

/* Opcodes and prefixes used here or by callers emitting raw terms. */
#define AML_ZERO_OP	      0x00
#define AML_ONE_OP	      0x01
#define AML_NAME_OP	      0x08
#define AML_BYTE_PREFIX	      0x0a
#define AML_WORD_PREFIX	      0x0b
#define AML_DWORD_PREFIX      0x0c
#define AML_STRING_PREFIX     0x0d
#define AML_QWORD_PREFIX      0x0e
#define AML_SCOPE_OP	      0x10
#define AML_BUFFER_OP	      0x11
#define AML_PACKAGE_OP	      0x12
#define AML_METHOD_OP	      0x14
#define AML_DUAL_NAME_PREFIX  0x2e
#define AML_MULTI_NAME_PREFIX 0x2f
#define AML_EXT_OP_PREFIX     0x5b
#define AML_ROOT_CHAR	      0x5c
#define AML_PARENT_CHAR	      0x5e
#define AML_RETURN_OP	      0xa4
#define AML_ONES_OP	      0xff
#define AML_EXT_DEVICE_OP     0x82 /* after AML_EXT_OP_PREFIX */

/* Largest PkgLength value (28 bits). */
#define AML_PKGLEN_MAX 0x0fffffffu

struct aml {
	uint8_t *buf;
	size_t len, cap;
	int err; /* first error, sticky */
	unsigned depth;
	struct {
		size_t start; /* where the PkgLength goes */
		uint8_t kind; /* AML_K_* (aml.c) */
	} open[AML_MAX_DEPTH];
};

/* An empty encoder. Cannot fail. */
void aml_init(struct aml *a);
/* Free the buffer; 'a' may then be aml_init()ed again. */
void aml_fini(struct aml *a);
/* 0, or the first error: -ENOMEM, -EINVAL (bad name or argument, aml_end()
 * with nothing open, too long), -E2BIG (nesting deeper than AML_MAX_DEPTH).
 * Usable at any point, e.g. by an extension inside Scope (\_SB). */
int aml_error(const struct aml *a);
/* At the end of a block of AML: aml_error(), or -EINVAL when some object
 * is still open. */
int aml_finish(const struct aml *a);
/* Record an error (e.g. from an extension); the first one wins. */
void aml_fail(struct aml *a, int err);

/* PkgLength encoding of a package whose PkgLength field plus body is 'total'
 * bytes: writes 1..4 bytes to out and returns the count, or -EINVAL when
 * total > AML_PKGLEN_MAX or cannot be encoded. */
int aml_pkglength_encode(uint8_t out[4], size_t total);

/* Raw bytes: for opcodes this API does not cover. */
void aml_bytes(struct aml *a, const void *p, size_t n);
void aml_byte(struct aml *a, uint8_t v);

/* Data objects. */
/* Integer with the shortest encoding: ZeroOp, OneOp, Byte/Word/DWord/QWord
 * prefix. (OnesOp is not used: its width depends on the DSDT revision.) */
void aml_integer(struct aml *a, uint64_t v);
/* String literal: ASCII 0x01..0x7f, NUL-terminated. */
void aml_string(struct aml *a, const char *s);
/* EISAID("PNP0501"): 3 uppercase letters + 4 hex digits, as a DWord. */
void aml_eisaid(struct aml *a, const char *id);
/* A NameString (see above). An empty string encodes NullName. */
void aml_name_string(struct aml *a, const char *name);

/* Named objects. aml_name() emits "Name(name," and the caller emits one
 * data object (integer, string, package, buffer). */
void aml_name(struct aml *a, const char *name);
void aml_name_integer(struct aml *a, const char *name, uint64_t v);
void aml_name_str(struct aml *a, const char *name, const char *s);
void aml_name_eisaid(struct aml *a, const char *name, const char *id);

/* Open objects; each is closed with aml_end(). */
void aml_scope_begin(struct aml *a, const char *name);
void aml_device_begin(struct aml *a, const char *name);
/* Method(name, nargs (0..7), Serialized/NotSerialized). */
void aml_method_begin(struct aml *a, const char *name, unsigned nargs, bool serialized);
/* Package(nelems) { ... }: nelems <= 255, the caller emits them. */
void aml_package_begin(struct aml *a, unsigned nelems);
/* Buffer() { bytes... }: the size is the number of bytes emitted. */
void aml_buffer_begin(struct aml *a);
/* ResourceTemplate() { descriptors... }: a Buffer ended by an EndTag. */
void aml_resource_begin(struct aml *a);
/* Close the innermost open object. */
void aml_end(struct aml *a);

/* True when the innermost open object is a ResourceTemplate. */
bool aml_in_resource(const struct aml *a);

/* Return (integer), inside a Method. */
void aml_return_integer(struct aml *a, uint64_t v);

/* Resource descriptors (ACPI 6.5 section 6.4). Each must be emitted
 * directly inside a ResourceTemplate, else -EINVAL is recorded. */
/* IO (Decode16, min, max, align, len). */
void aml_io(struct aml *a, uint16_t min, uint16_t max, uint8_t align, uint8_t len);
/* IRQ (Edge/Level, ActiveHigh/ActiveLow, Exclusive/Shared) { irq }, irq
 * 0..15. */
void aml_irq(struct aml *a, unsigned irq, bool edge, bool active_low, bool shared);
/* Interrupt (ResourceConsumer, Edge/Level, ActiveHigh/Low, Exclusive/
 * Shared) { gsi }. */
void aml_interrupt(struct aml *a, uint32_t gsi, bool edge, bool active_low, bool shared);
/* Memory32Fixed (ReadWrite/ReadOnly, base, len). */
void aml_memory32_fixed(struct aml *a, uint32_t base, uint32_t len, bool rw);
/* Address space descriptors as a host bridge's _CRS uses them:
 * ResourceProducer, PosDecode, MinFixed, MaxFixed, granularity 0,
 * translation 0, length = max - min + 1 (min <= max). */
void aml_word_bus_number(struct aml *a, uint16_t min, uint16_t max);
/* WordIO (..., EntireRange). */
void aml_word_io(struct aml *a, uint16_t min, uint16_t max);
/* DWordMemory / QWordMemory (..., NonCacheable or Prefetchable,
 * ReadWrite). */
void aml_dword_memory(struct aml *a, uint32_t min, uint32_t max, bool prefetchable);
void aml_qword_memory(struct aml *a, uint64_t min, uint64_t max, bool prefetchable);

#endif
