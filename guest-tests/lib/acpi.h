/* SPDX-License-Identifier: MIT */
/* ACPI table discovery: RSDP -> XSDT (or RSDT) -> tables, with checksums. */
#ifndef GT_ACPI_H
#define GT_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct acpi_rsdp {
	char signature[8]; /* "RSD PTR " */
	uint8_t checksum;  /* over the first 20 bytes */
	char oem_id[6];
	uint8_t revision; /* 0: ACPI 1.0 (RSDT only); 2: has the fields below */
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t ext_checksum; /* over all 'length' bytes */
	uint8_t reserved[3];
} __attribute__((packed));

struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));

/* Generic Address Structure. */
struct acpi_gas {
	uint8_t space_id; /* ACPI_GAS_MEMORY, ACPI_GAS_IO */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size; /* 1 byte, 2 word, 3 dword, 4 qword; 0 undefined */
	uint64_t address;
} __attribute__((packed));

#define ACPI_GAS_MEMORY 0
#define ACPI_GAS_IO	1

/* The FADT up to ACPI 6 (276 bytes). Fields past header.length are absent. */
struct acpi_fadt {
	struct acpi_header header;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk;
	uint32_t pm2_cnt_blk, pm_tmr_blk, gpe0_blk, gpe1_blk;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	uint8_t gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk, x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk, x_pm_tmr_blk, x_gpe0_blk, x_gpe1_blk;
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	uint64_t hypervisor_vendor_id;
} __attribute__((packed));

_Static_assert(__builtin_offsetof(struct acpi_fadt, flags) == 112, "FADT layout");
_Static_assert(__builtin_offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT layout");
_Static_assert(__builtin_offsetof(struct acpi_fadt, sleep_control_reg) == 244, "FADT layout");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT layout");

#define FADT_F_RESET_REG_SUP   (1u << 10)
#define FADT_F_HW_REDUCED_ACPI (1u << 20)

/* True when a FADT field ends within the table. */
#define FADT_HAS(fadt, field)                                                                      \
	((fadt)->header.length >=                                                                  \
	 __builtin_offsetof(struct acpi_fadt, field) + sizeof((fadt)->field))

/* Largest table length the walker accepts. */
#define ACPI_TABLE_MAX (1u << 20)

/* Byte sum of n bytes (0 for a valid checksum). */
uint8_t acpi_checksum(const void *p, size_t n);

/* True when p looks like an RSDP with valid checksum(s). */
bool acpi_rsdp_valid(const struct acpi_rsdp *p);

/* The RSDP: boot_info.rsdp if valid, else a scan of the EBDA and
 * 0xe0000-0xfffff. NULL when none is found. Cached after the first call. */
const struct acpi_rsdp *acpi_rsdp(void);

/* Number of entries of the XSDT (RSDT on revision 0); 0 without ACPI. */
unsigned acpi_table_count(void);

/* Entry i of the XSDT/RSDT (NULL when out of range or null). */
const struct acpi_header *acpi_table_at(unsigned i);

/* The instance-th table (0-based) with signature sig, or NULL. Only tables
 * of sane length (36 .. ACPI_TABLE_MAX) are returned. */
const struct acpi_header *acpi_find_table(const char *sig, unsigned instance);

/* The FADT and the DSDT it points to (X_DSDT first), or NULL. */
const struct acpi_fadt *acpi_fadt(void);
const struct acpi_header *acpi_dsdt(void);

/* True when the table's length is sane and its checksum is valid. */
bool acpi_table_valid(const struct acpi_header *h);

#endif
