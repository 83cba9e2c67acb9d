/* SPDX-License-Identifier: MIT */
/* Everything a guest test includes. A test defines main(); the runtime has
 * already switched to long mode and CPL3 (IOPL 3), copied the boot data
 * (bootinfo.h), initialised COM1 and this CPU's LAPIC. When main returns,
 * the summary is printed and the guest exits through port 0xf4 with 0 when
 * every report passed (VMM status 1), else 1 (status 3). */
#ifndef GT_GUEST_H
#define GT_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acpi.h"
#include "bootinfo.h"
#include "cmdline.h"
#include "cpu.h"
#include "crc32.h"
#include "desc.h"
#include "exit.h"
#include "io.h"
#include "ioapic.h"
#include "lapic.h"
#include "madt.h"
#include "msr.h"
#include "power.h"
#include "printf.h"
#include "report.h"
#include "serial.h"
#include "smp.h"
#include "string.h"
#include "sys.h"
#include "trap.h"
#include "tsc.h"

/* The test. A nonzero return is recorded as a failure. */
int main(void);

#endif
