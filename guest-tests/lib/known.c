// SPDX-License-Identifier: MIT
/* The known departures of the backend under test (see known.h). The IDs the
 * runners pass, each explained in the test that checks it:
 *  QEMU 7.2: hostile.c mmio_lapic, mmio_hole, qsize, early_blk; viommu.c
 *    attach_reserved, map_align, map_resv, unknown_type, unmap_split;
 *    viommu_dma.c blk_fault_ok, fault_reason_unattached; vfio_edu.c map_resv;
 *    edu.c dma_range_abort; vtd_fault.c ro_write_cached; vtd_ir.c
 *    irte_np_record, index_beyond_record, sid_mismatch_record, compat,
 *    compat_record
 *    (tests/guest/run.sh; tests/nested/scenarios/vfio-edu.sh for vfio_edu);
 *  build/vmm: none.
 * build/vmm's edu (--edu) also differs from QEMU's by design where no check
 * looks, so with no ID (devices/edu.c, guest-tests/edu.c): the factorial and
 * DMA are done before the starting register write returns (QEMU: a thread, a
 * 100 ms timer; the busy bits never read 1); a DMA range outside the buffer
 * copies nothing and completes (QEMU 7.2: hw_error ends the VM, also for a
 * count of 0 or a range ending at the buffer's end); a DMA write that faults
 * on any page writes nothing (QEMU writes the pages that translate); the MSI
 * capability has per-vector masking (QEMU's edu: none); dma_mask is fixed at
 * 28 bits; its extended config space (ECAM 0x100-0xfff) reads 0 (QEMU: all
 * ones for a conventional function; the PCI core's behaviour). */
#include "known.h"

#include "cmdline.h"
#include "report.h"
#include "string.h"

static char known[256];
static char backend[32] = "this backend";

void known_init(void)
{
	cmdline_get("known", known, sizeof(known));
	cmdline_get("backend", backend, sizeof(backend));
	if (known[0])
		report_info("known departures of %s: %s", backend, known);
}

bool known_has(const char *id)
{
	size_t n = strlen(id);

	for (const char *p = known; *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == n && !strncmp(p, id, n))
			return true;
		p += l + (e ? 1 : 0);
	}
	return false;
}

const char *known_backend(void)
{
	return backend;
}
