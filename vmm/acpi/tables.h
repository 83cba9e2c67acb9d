/* SPDX-License-Identifier: MIT */
/* ACPI table wire formats (ACPI 6.5, chapter 5.2). All fields are
 * little-endian; the VMM only runs on x86 hosts, so they are written with
 * plain stores. Offsets in comments are from the start of the structure. */
#ifndef VMM_ACPI_TABLES_H
#define VMM_ACPI_TABLES_H

#include "vmm/types.h"

/* 5.2.5.3 Root System Description Pointer, revision 2. */
struct acpi_rsdp {
	char signature[8];     /* 0  "RSD PTR " */
	uint8_t checksum;      /* 8  over bytes 0..19 */
	char oem_id[6];	       /* 9 */
	uint8_t revision;      /* 15 2 */
	uint32_t rsdt_address; /* 16 0: no RSDT */
	uint32_t length;       /* 20 36 */
	uint64_t xsdt_address; /* 24 */
	uint8_t ext_checksum;  /* 32 over all 36 bytes */
	uint8_t reserved[3];   /* 33 */
} __packed;
#define ACPI_RSDP_V1_LEN 20

/* 5.2.6 System Description Table Header. */
struct acpi_table_header {
	char signature[4];	   /* 0 */
	uint32_t length;	   /* 4  whole table, header included */
	uint8_t revision;	   /* 8 */
	uint8_t checksum;	   /* 9  whole table sums to 0 */
	char oem_id[6];		   /* 10 */
	char oem_table_id[8];	   /* 16 */
	uint32_t oem_revision;	   /* 24 */
	char creator_id[4];	   /* 28 */
	uint32_t creator_revision; /* 32 */
} __packed;			   /* 36 bytes */

/* 5.2.3.2 Generic Address Structure. */
struct acpi_gas {
	uint8_t space_id; /* ACPI_GAS_* */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size; /* 0 undefined, 1 byte, 2 word, 3 dword, 4 qword */
	uint64_t address;
} __packed; /* 12 bytes */
#define ACPI_GAS_MEMORY	     0
#define ACPI_GAS_IO	     1
#define ACPI_GAS_ACCESS_BYTE 1

/* 5.2.8 Extended System Description Table: header + u64 entries. */
struct acpi_xsdt {
	struct acpi_table_header header;
	uint64_t entry[];
} __packed;

/* 5.2.9 Fixed ACPI Description Table, revision 6 (276 bytes). */
struct acpi_fadt {
	struct acpi_table_header header; /* 0 "FACP" */
	uint32_t firmware_ctrl;		 /* 36 */
	uint32_t dsdt;			 /* 40 */
	uint8_t reserved0;		 /* 44 */
	uint8_t preferred_pm_profile;	 /* 45 */
	uint16_t sci_int;		 /* 46 */
	uint32_t smi_cmd;		 /* 48 */
	uint8_t acpi_enable;		 /* 52 */
	uint8_t acpi_disable;		 /* 53 */
	uint8_t s4bios_req;		 /* 54 */
	uint8_t pstate_cnt;		 /* 55 */
	uint32_t pm1a_evt_blk;		 /* 56 */
	uint32_t pm1b_evt_blk;		 /* 60 */
	uint32_t pm1a_cnt_blk;		 /* 64 */
	uint32_t pm1b_cnt_blk;		 /* 68 */
	uint32_t pm2_cnt_blk;		 /* 72 */
	uint32_t pm_tmr_blk;		 /* 76 */
	uint32_t gpe0_blk;		 /* 80 */
	uint32_t gpe1_blk;		 /* 84 */
	uint8_t pm1_evt_len;		 /* 88 */
	uint8_t pm1_cnt_len;		 /* 89 */
	uint8_t pm2_cnt_len;		 /* 90 */
	uint8_t pm_tmr_len;		 /* 91 */
	uint8_t gpe0_blk_len;		 /* 92 */
	uint8_t gpe1_blk_len;		 /* 93 */
	uint8_t gpe1_base;		 /* 94 */
	uint8_t cst_cnt;		 /* 95 */
	uint16_t p_lvl2_lat;		 /* 96 */
	uint16_t p_lvl3_lat;		 /* 98 */
	uint16_t flush_size;		 /* 100 */
	uint16_t flush_stride;		 /* 102 */
	uint8_t duty_offset;		 /* 104 */
	uint8_t duty_width;		 /* 105 */
	uint8_t day_alrm;		 /* 106 */
	uint8_t mon_alrm;		 /* 107 */
	uint8_t century;		 /* 108 */
	uint16_t iapc_boot_arch;	 /* 109 ACPI_FADT_BOOT_* */
	uint8_t reserved1;		 /* 111 */
	uint32_t flags;			 /* 112 ACPI_FADT_F_* */
	struct acpi_gas reset_reg;	 /* 116 */
	uint8_t reset_value;		 /* 128 */
	uint16_t arm_boot_arch;		 /* 129 */
	uint8_t minor_version;		 /* 131 */
	uint64_t x_firmware_ctrl;	 /* 132 */
	uint64_t x_dsdt;		 /* 140 */
	struct acpi_gas x_pm1a_evt_blk;	 /* 148 */
	struct acpi_gas x_pm1b_evt_blk;	 /* 160 */
	struct acpi_gas x_pm1a_cnt_blk;	 /* 172 */
	struct acpi_gas x_pm1b_cnt_blk;	 /* 184 */
	struct acpi_gas x_pm2_cnt_blk;	 /* 196 */
	struct acpi_gas x_pm_tmr_blk;	 /* 208 */
	struct acpi_gas x_gpe0_blk;	 /* 220 */
	struct acpi_gas x_gpe1_blk;	 /* 232 */
	struct acpi_gas sleep_control;	 /* 244 */
	struct acpi_gas sleep_status;	 /* 256 */
	uint64_t hypervisor_vendor_id;	 /* 268 */
} __packed;				 /* 276 bytes */
#define ACPI_FADT_REVISION	6
#define ACPI_FADT_MINOR_VERSION 3
/* IA-PC boot architecture flags (table 5.11). */
#define ACPI_FADT_BOOT_LEGACY_DEVICES BIT(0)
#define ACPI_FADT_BOOT_8042	      BIT(1)
#define ACPI_FADT_BOOT_NO_VGA	      BIT(2)
#define ACPI_FADT_BOOT_NO_MSI	      BIT(3)
#define ACPI_FADT_BOOT_NO_ASPM	      BIT(4)
#define ACPI_FADT_BOOT_NO_CMOS_RTC    BIT(5)
/* Fixed feature flags (table 5.10). */
#define ACPI_FADT_F_WBINVD	    BIT(0)
#define ACPI_FADT_F_PWR_BUTTON	    BIT(4)
#define ACPI_FADT_F_SLP_BUTTON	    BIT(5)
#define ACPI_FADT_F_RESET_REG_SUP   BIT(10)
#define ACPI_FADT_F_HW_REDUCED_ACPI BIT(20)

/* 5.2.12 Multiple APIC Description Table. */
struct acpi_madt {
	struct acpi_table_header header; /* "APIC" */
	uint32_t local_apic_address;
	uint32_t flags; /* ACPI_MADT_PCAT_COMPAT */
} __packed;
#define ACPI_MADT_REVISION    5
#define ACPI_MADT_PCAT_COMPAT BIT(0)

enum acpi_madt_type {
	ACPI_MADT_LOCAL_APIC = 0,
	ACPI_MADT_IO_APIC = 1,
	ACPI_MADT_INT_OVERRIDE = 2,
	ACPI_MADT_LOCAL_APIC_NMI = 4,
};

struct acpi_madt_local_apic {
	uint8_t type;	/* 0 */
	uint8_t length; /* 8 */
	uint8_t processor_uid;
	uint8_t apic_id;
	uint32_t flags; /* ACPI_MADT_ENABLED */
} __packed;
#define ACPI_MADT_ENABLED BIT(0)

struct acpi_madt_io_apic {
	uint8_t type;	/* 1 */
	uint8_t length; /* 12 */
	uint8_t io_apic_id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} __packed;

struct acpi_madt_int_override {
	uint8_t type;	/* 2 */
	uint8_t length; /* 10 */
	uint8_t bus;	/* 0: ISA */
	uint8_t source; /* ISA IRQ */
	uint32_t gsi;
	uint16_t flags; /* ACPI_MPS_INTI_* */
} __packed;

struct acpi_madt_local_apic_nmi {
	uint8_t type;	       /* 4 */
	uint8_t length;	       /* 6 */
	uint8_t processor_uid; /* 0xff: all */
	uint16_t flags;	       /* ACPI_MPS_INTI_* */
	uint8_t lint;
} __packed;

/* MPS INTI flags (table 5.26). */
#define ACPI_MPS_INTI_POLARITY_HIGH 0x1
#define ACPI_MPS_INTI_POLARITY_LOW  0x3
#define ACPI_MPS_INTI_TRIGGER_EDGE  (0x1 << 2)
#define ACPI_MPS_INTI_TRIGGER_LEVEL (0x3 << 2)

_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP size");
_Static_assert(sizeof(struct acpi_table_header) == 36, "header size");
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS size");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT size");
_Static_assert(offsetof(struct acpi_fadt, reset_reg) == 116, "FADT layout");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT layout");
_Static_assert(offsetof(struct acpi_fadt, sleep_control) == 244, "FADT layout");
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT size");
_Static_assert(sizeof(struct acpi_madt_local_apic) == 8, "LAPIC size");
_Static_assert(sizeof(struct acpi_madt_io_apic) == 12, "IOAPIC size");
_Static_assert(sizeof(struct acpi_madt_int_override) == 10, "ISO size");
_Static_assert(sizeof(struct acpi_madt_local_apic_nmi) == 6, "NMI size");

#endif
