/* SPDX-License-Identifier: MIT */
/* Starting the application processors with INIT / SIPI / SIPI. */
#ifndef GT_SMP_H
#define GT_SMP_H

#include <stdint.h>

struct madt_info;

typedef void (*ap_fn_t)(void *arg);

/* Start every enabled CPU of the MADT other than this one, one at a time.
 * Each AP enables its LAPIC, runs fn(arg) at CPL3 and then parks (cli; hlt
 * at CPL0). Returns the number of CPUs that arrived, BSP included; stops at
 * the first AP that does not arrive within timeout_ms. Call once. */
uint32_t smp_boot_aps(const struct madt_info *m, ap_fn_t fn, void *arg, uint32_t timeout_ms);

/* Number of CPUs running the runtime (1 before smp_boot_aps). */
uint32_t smp_nr_cpus(void);

#endif
