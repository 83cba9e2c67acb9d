// SPDX-License-Identifier: MIT
/* Intel VT-d interrupt remapping (VT-d ch. 5, 7 and 9) as the backend
 * emulates it, with the edu's MSI and the UART's IOAPIC pin as the sources.
 * Command line: cm=, aw=, seed= (vtd_test.h); vector=N, the first of the
 * vectors used; eim=0|1, the ECAP.EIM expected: with eim=1 the test runs in
 * x2APIC mode with extended interrupt mode (32-bit destinations) and, given
 * several CPUs, sends interrupts to another one. Checks:
 *  - caps: ECAP.IR, the DMAR's INTR_REMAP flag (no X2APIC_OPT_OUT with eim), an
 *    IOAPIC device scope naming the MADT's IOAPIC, ECAP.EIM = eim;
 *  - setup: IRTA, GCMD.SIRTP (GSTS.IRTPS), a global IEC invalidation, GCMD.IRE
 *    (GSTS.IRES), with compatibility-format interrupts left blocked (CFI 0);
 *  - msi: the edu's MSI in remappable format reaches the IRTE's vector on
 *    the IRTE's destination; the IRTE's vector changed and its entry
 *    invalidated (index-selective IEC), the next MSI uses the new vector;
 *  - each bad request is blocked (no interrupt on any vector of the test)
 *    and recorded with its reason, the edu's source-id and the index:
 *    irte_np (0x22), index_beyond (0x21, a handle past IRTA.S),
 *    sid_mismatch (0x26, an IRTE verifying another source-id), compat
 *    (0x25, a compatibility-format MSI while GSTS.CFIS is clear);
 *  - ioapic: the UART's pin (THR empty) in a remappable RTE reaches the
 *    IRTE's vector, the IRTE verifying the IOAPIC's source-id from the
 *    DMAR scope;
 *  - ioapic_sid: the same pin through an IRTE that verifies the edu's
 *    source-id (SVT 1), as kvm-unit-tests' intel_iommu programs the edu's
 *    INTx. ioapicsid=check (the spec, VT-d 9.10: the IOAPIC's own
 *    source-id is compared): with FPD set it is blocked and nothing is
 *    recorded; with FPD clear it is blocked and recorded (reason 0x26, the
 *    IOAPIC's source-id, the index). ioapicsid=ignore (build/vmm's
 *    ioapic-sid=ignore, what QEMU always does): it arrives, no record;
 *    Programming the MSI (with MSI disabled, then enabled) is no interrupt
 *    request and must record nothing (irq_on_program): the record belongs
 *    to the request, made after the records were cleared;
 *  - x2apic (eim=1): the edu's MSI through an IRTE naming the x2APIC ID
 *    of another CPU arrives on that CPU, then on this one after the IRTE is
 *    changed and invalidated.
 *
 * known=ID,ID (known.h). QEMU 7.2 (intel-iommu,intremap=on) departs from:
 *  - irte_np_record, index_beyond_record, sid_mismatch_record,
 *    compat_record: VT-d ch. 7 (an interrupt request that fails remapping
 *    is reported through the fault recording registers): QEMU blocks the
 *    three remappable requests (it prints "vtd_irte_get: ..." on stderr)
 *    but records no fault, FSTS stays 0;
 *  - compat: VT-d ch. 5 and GSTS.CFIS (ch. 10) (with GSTS.CFIS clear a
 *    compatibility-format interrupt is blocked, reason 0x25): QEMU delivers
 *    it;
 *  - ioapic_sid, ioapic_sid_record: VT-d 9.10 (SVT/SQ verify the
 *    requester's source-id, the IOAPIC's for its interrupts): QEMU skips
 *    the check for IOAPIC interrupts (vtd_irte_get is passed no source-id
 *    by its IOAPIC path) and delivers them. */
#include "guest.h"
#include "known.h"
#include "msi.h"
#include "viommu_test.h"
#include "vtd_ir.h"
#include "vtd_test.h"

#define SETTLE_US	   200000
#define MSR_X2APIC_ID	   0x802
#define MSR_X2APIC_EOI	   0x80b
#define APIC_BASE_X2APIC   (1ull << 10)
#define CPUID_1_ECX_X2APIC (1u << 21)
#define COM1		   COM1_BASE
#define UART_IRQ	   4
#define I_MSI		   3 /* IRTE indexes */
#define I_NP		   7
#define I_SID		   9
#define I_IOAPIC	   12
#define I_X2		   20
#define I_BEYOND	   (VTD_IRT_LEN + 44)

static struct vtd_env t;
static struct vtd *v = &t.v;
static uint64_t *irt;
static struct msi m;
static bool x2, eim, sid_ignore;
static uint8_t vec; /* vec .. vec + 7 are the test's */
static uint32_t self;
static volatile uint32_t hits[256], last_cpu[256];
static volatile bool ap_stop;
static uint32_t nr_cpus = 1, other; /* another CPU's APIC ID (eim=1) */
static volatile uint32_t ap_ready;

/* CPL0. */
static void isr(struct trap_frame *f)
{
	unsigned n = f->vector & 0xff;

	if (n == (uint8_t)(vec + 5) || n == (uint8_t)(vec + 4))
		(void)inb(COM1 + UART_IIR); /* the UART's: reading IIR clears THRI */
	last_cpu[n] = x2 ? (uint32_t)rdmsr(MSR_X2APIC_ID) : lapic_read(LAPIC_ID) >> 24;
	hits[n]++;
	if (x2)
		wrmsr(MSR_X2APIC_EOI, 0);
	else
		lapic_eoi();
}

static uint32_t total_hits(void)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < 8; i++)
		n += hits[(uint8_t)(vec + i)];
	return n;
}

static bool wait_hits(uint8_t vector, uint32_t want)
{
	uint64_t end = time_us() + VT_WAIT_US;

	while (hits[vector] < want && time_us() < end)
		cpu_relax();
	return hits[vector] >= want;
}

/* Program the edu's MSI (disabled meanwhile, as a driver does) and enable
 * it. Programming is no interrupt request: a fault recorded by then (none
 * should be) is left for the caller to see. */
static void msi_raw(uint32_t addr, uint32_t data)
{
	msi_enable(&m, false);
	pci_write32(m.bdf, m.cap + PCI_MSI_ADDRESS_LO, addr);
	pci_write32(m.bdf, m.cap + PCI_MSI_ADDRESS_HI, 0);
	pci_write16(m.bdf, m.cap + (m.is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32), (uint16_t)data);
	msi_enable(&m, true);
}

static void raise(void)
{
	edu_write(&t.edu, EDU_IRQ_RAISE, 1);
	edu_write(&t.edu, EDU_IRQ_ACK, ~0u);
}

static uint32_t my_id(void)
{
	return x2 ? (uint32_t)sys_rdmsr(MSR_X2APIC_ID) : lapic_id();
}

static void x2apic_on(void)
{
	sys_wrmsr(MSR_APIC_BASE, sys_rdmsr(MSR_APIC_BASE) | APIC_BASE_X2APIC);
}

static bool check_caps(void)
{
	struct madt_info mi;

	report_info("ECAP %#lx, DMAR flags %#x, IOAPIC scope %s id %u source-id %#x",
		    (unsigned long)v->ecap, t.drhd.dmar_flags, t.drhd.has_ioapic ? "yes" : "no",
		    t.drhd.ioapic_id, t.drhd.ioapic_sid);
	if (!report(v->ecap & VTD_ECAP_IR, "caps: ECAP.IR"))
		return false;
	report((t.drhd.dmar_flags & DMAR_INTR_REMAP) &&
		       (!eim || !(t.drhd.dmar_flags & DMAR_X2APIC_OPT_OUT)),
	       "caps: the DMAR has INTR_REMAP%s (flags %#x)", eim ? ", not X2APIC_OPT_OUT" : "",
	       t.drhd.dmar_flags);
	report(madt_parse(&mi) == 0 && mi.nr_ioapics >= 1 && t.drhd.has_ioapic &&
		       t.drhd.ioapic_id == mi.ioapic[0].id,
	       "caps: the DRHD's IOAPIC scope names the MADT's IOAPIC (id %u)", t.drhd.ioapic_id);
	report(!!(v->ecap & VTD_ECAP_EIM) == eim, "caps: ECAP.EIM is %u (eim=%u)",
	       !!(v->ecap & VTD_ECAP_EIM), eim);
	return true;
}

static void ap_main(void *arg);

static bool setup(void)
{
	struct madt_info mi;

	if (eim && madt_parse(&mi) == 0 && mi.nr_cpus >= 2) {
		/* INIT/SIPI through the xAPIC's ICR, before this CPU leaves it. */
		nr_cpus = smp_boot_aps(&mi, ap_main, NULL, 2000);
		for (unsigned i = 0; i < mi.nr_cpus; i++)
			if (mi.apic_ids[i] != lapic_id())
				other = mi.apic_ids[i];
	}
	if (eim) {
		if (!report(sys_cpuid(1, 0).c & CPUID_1_ECX_X2APIC, "x2apic: CPUID.1:ECX.x2APIC"))
			return false;
		x2apic_on();
		x2 = true;
		report(sys_rdmsr(MSR_APIC_BASE) & APIC_BASE_X2APIC,
		       "x2apic: this CPU in x2APIC mode (ID %u)", my_id());
	}
	self = my_id();
	for (unsigned i = 0; i < 8; i++)
		trap_set_handler((uint8_t)(vec + i), isr);
	if (!report(vtd_qi_enable(v), "setup: queued invalidation on"))
		return false;
	irt = vtd_ir_enable(v, eim);
	if (!report(irt != NULL, "setup: IRTA (%u entries%s), SIRTP, IEC, IRE: GSTS %#x",
		    VTD_IRT_LEN, eim ? ", EIME" : "", vtd_read32(v, DMAR_GSTS_REG)))
		return false;
	report(!(vtd_read32(v, DMAR_GSTS_REG) & DMA_GCMD_CFI),
	       "setup: compatibility-format interrupts blocked (GSTS.CFIS clear)");
	if (!report(msi_init(&m, t.edu.pci.bdf) == 0, "setup: the edu's MSI capability"))
		return false;
	irq_enable();
	return true;
}

static void check_msi(void)
{
	uint8_t v1 = vec, v2 = (uint8_t)(vec + 1);

	vtd_irte_set(irt, I_MSI, vtd_irte_lo(v1, self, eim), vtd_irte_hi_sid(t.edu.pci.bdf));
	report(vtd_iec_flush(v, I_MSI), "msi: IRTE %u: vector %#x to APIC ID %u, source-id %#x",
	       I_MSI, v1, self, t.edu.pci.bdf);
	msi_raw(vtd_ir_msi_addr(I_MSI), 0);
	raise();
	report(wait_hits(v1, 1) && last_cpu[v1] == self,
	       "msi: the edu's remappable MSI (address %#x) arrives on vector %#x, APIC ID %u",
	       vtd_ir_msi_addr(I_MSI), v1, last_cpu[v1]);
	vtd_irte_set(irt, I_MSI, vtd_irte_lo(v2, self, eim), vtd_irte_hi_sid(t.edu.pci.bdf));
	report(vtd_iec_flush(v, I_MSI),
	       "msi: IRTE %u changed to vector %#x, its IEC entry "
	       "invalidated",
	       I_MSI, v2);
	raise();
	report(wait_hits(v2, 1) && hits[v1] == 1, "msi: the next MSI arrives on %#x only", v2);
	delay_us(SETTLE_US);
	report(total_hits() == 2 && !vtd_fault_find(v, 0, 0, NULL),
	       "msi: two interrupts in all, no fault recorded");
}

/* One blocked request: nothing delivered, one record. */
static void bad(const char *id, uint32_t addr, uint32_t data, uint8_t reason, int index)
{
	struct vtd_fault f;
	uint32_t before = total_hits();
	char rid[32];
	unsigned n;

	vtd_faults_clear(v);
	msi_raw(addr, data);
	delay_us(SETTLE_US);
	vt_check(!vtd_fault_find(v, 0, 0, NULL), "irq_on_program",
		 "VT-d ch. 5: interrupt requests are remapped, not their programming",
		 "%s: programming the MSI records no fault (FSTS %#x)", id,
		 vtd_read32(v, DMAR_FSTS_REG));
	vtd_faults_clear(v);
	raise();
	delay_us(SETTLE_US);
	vt_check(total_hits() == before, id, "VT-d ch. 5: the request is blocked",
		 "the MSI (address %#x data %#x) is not delivered", addr, data);
	n = vtd_fault_find(v, reason, t.edu.pci.bdf, &f);
	snprintf(rid, sizeof(rid), "%s_record", id);
	vt_check(n == 1 && f.f && (index < 0 || (f.fi >> 48) == (unsigned)index), rid,
		 "VT-d ch. 7: the interrupt-remapping fault is recorded",
		 "recorded: reason %#x, source-id %#x, index %lu (want %#x, %#x, %d; %u records)",
		 f.reason, f.sid, (unsigned long)(f.fi >> 48), reason, t.edu.pci.bdf, index, n);
	vtd_faults_clear(v);
}

static void check_bad(void)
{
	uint16_t wrong = t.edu.pci.bdf ^ 0x100; /* the same device on bus 1 */

	vtd_irte_set(irt, I_NP, vtd_irte_lo(vec, self, eim) & ~IRTE_P,
		     vtd_irte_hi_sid(t.edu.pci.bdf));
	vtd_irte_set(irt, I_SID, vtd_irte_lo(vec, self, eim), vtd_irte_hi_sid(wrong));
	vtd_iec_flush(v, -1);
	bad("irte_np", vtd_ir_msi_addr(I_NP), 0, VTD_FR_IR_NP, I_NP);
	bad("index_beyond", vtd_ir_msi_addr(I_BEYOND), 0, VTD_FR_IR_INDEX, I_BEYOND);
	bad("sid_mismatch", vtd_ir_msi_addr(I_SID), 0, VTD_FR_IR_SID, I_SID);
	bad("compat", 0xfee00000u | (self & 0xff) << 12, vec, VTD_FR_IR_COMPAT, -1);
	msi_enable(&m, false);
	vtd_faults_clear(v);
}

/* The IOAPIC and pin of the UART's IRQ, or NULL (reported). */
static const struct madt_ioapic *uart_pin(struct madt_info *mi, uint32_t *pin)
{
	const struct madt_ioapic *io;
	uint16_t flags;
	uint32_t gsi;

	if (madt_parse(mi) ||
	    !(io = madt_ioapic_for(mi, gsi = madt_isa_gsi(mi, UART_IRQ, &flags)))) {
		report(false, "ioapic: the UART's GSI has an IOAPIC");
		return NULL;
	}
	*pin = gsi - io->gsi_base;
	return io;
}

/* The UART raises THRI (its THR is empty) on its pin, then stops. */
static void uart_thri(void)
{
	outb(COM1 + UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	outb(COM1 + UART_IER, UART_IER_THRI);
}

static void uart_quiet(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_MCR, UART_MCR_DTR | UART_MCR_RTS);
}

static void check_ioapic(void)
{
	struct madt_info mi;
	const struct madt_ioapic *io;
	uint32_t pin;
	uint8_t v5 = (uint8_t)(vec + 5);

	if (!(io = uart_pin(&mi, &pin)))
		return;
	vtd_irte_set(irt, I_IOAPIC, vtd_irte_lo(v5, self, eim), vtd_irte_hi_sid(t.drhd.ioapic_sid));
	vtd_iec_flush(v, I_IOAPIC);
	ioapic_set_rte(io->addr, pin, vtd_ir_rte(I_IOAPIC, v5));
	uart_thri();
	report(wait_hits(v5, 1) && last_cpu[v5] == self,
	       "ioapic: the UART's pin %u (RTE %#lx) arrives on vector %#x, APIC ID %u", pin,
	       (unsigned long)vtd_ir_rte(I_IOAPIC, v5), v5, last_cpu[v5]);
	uart_quiet();
	ioapic_mask(io->addr, pin);
	report(!vtd_fault_find(v, 0, 0, NULL), "ioapic: no fault recorded (IOAPIC source-id %#x)",
	       t.drhd.ioapic_sid);
}

/* One raise of the UART's pin through IRTE I_IOAPIC verifying the edu's
 * source-id, fpd as given. Returns the hits on v4 it caused. */
static uint32_t ioapic_wrong_sid(const struct madt_ioapic *io, uint32_t pin, bool fpd)
{
	uint8_t v4 = (uint8_t)(vec + 4);
	uint32_t before = hits[v4];

	vtd_faults_clear(v);
	vtd_irte_set(irt, I_IOAPIC, vtd_irte_lo(v4, self, eim) | (fpd ? IRTE_FPD : 0),
		     vtd_irte_hi_sid(t.edu.pci.bdf));
	vtd_iec_flush(v, I_IOAPIC);
	ioapic_set_rte(io->addr, pin, vtd_ir_rte(I_IOAPIC, v4));
	uart_thri();
	delay_us(SETTLE_US);
	uart_quiet();
	ioapic_mask(io->addr, pin);
	return hits[v4] - before;
}

static void check_ioapic_sid(void)
{
	struct madt_info mi;
	const struct madt_ioapic *io;
	struct vtd_fault f = {0};
	uint32_t pin, n;
	unsigned recs;

	if (!(io = uart_pin(&mi, &pin)))
		return;
	n = ioapic_wrong_sid(io, pin, true);
	recs = vtd_fault_find(v, 0, 0, NULL);
	if (sid_ignore) {
		report(n == 1 && !recs,
		       "ioapic_sid: ignore: an IRTE verifying %#x (not the IOAPIC's %#x) delivers "
		       "(%u interrupts, %u records)",
		       t.edu.pci.bdf, t.drhd.ioapic_sid, n, recs);
		return;
	}
	vt_check(n == 0, "ioapic_sid", "VT-d 9.10: SVT/SQ verify the IOAPIC's source-id",
		 "check: an IRTE verifying %#x (not the IOAPIC's %#x) blocks the pin (%u "
		 "interrupts)",
		 t.edu.pci.bdf, t.drhd.ioapic_sid, n);
	report(!recs, "ioapic_sid: with FPD set nothing is recorded (%u records)", recs);
	n = ioapic_wrong_sid(io, pin, false);
	recs = vtd_fault_find(v, VTD_FR_IR_SID, t.drhd.ioapic_sid, &f);
	vt_check(n == 0 && recs == 1 && f.f && f.reason == VTD_FR_IR_SID &&
			 f.sid == t.drhd.ioapic_sid && (f.fi >> 48) == I_IOAPIC,
		 "ioapic_sid_record", "VT-d ch. 7: the interrupt-remapping fault is recorded",
		 "check, FPD clear: blocked (%u interrupts) and recorded: reason %#x, source-id "
		 "%#x, index %lu (%u records)",
		 n, f.reason, f.sid, (unsigned long)(f.fi >> 48), recs);
	vtd_faults_clear(v);
}

/* An AP: x2APIC mode, interrupts on until the BSP is done. */
static void ap_main(void *arg)
{
	uint64_t end = time_us() + 10 * VT_WAIT_US;

	(void)arg;
	x2apic_on();
	irq_enable();
	__atomic_fetch_add(&ap_ready, 1, __ATOMIC_SEQ_CST);
	while (!ap_stop && time_us() < end)
		cpu_relax();
	irq_disable();
}

static void check_x2apic(void)
{
	uint64_t end = time_us() + VT_WAIT_US;
	uint8_t v6 = (uint8_t)(vec + 6), v7 = (uint8_t)(vec + 7);

	if (!eim)
		return;
	while (ap_ready < nr_cpus - 1 && time_us() < end)
		cpu_relax();
	if (!report(nr_cpus >= 2 && ap_ready == nr_cpus - 1,
		    "x2apic: %u CPUs running, the others in x2APIC mode", nr_cpus))
		return;
	vtd_irte_set(irt, I_X2, vtd_irte_lo(v6, other, true), vtd_irte_hi_sid(t.edu.pci.bdf));
	vtd_iec_flush(v, I_X2);
	msi_raw(vtd_ir_msi_addr(I_X2), 0);
	raise();
	report(wait_hits(v6, 1) && last_cpu[v6] == other,
	       "x2apic: an IRTE with x2APIC ID %u delivers there (seen on %u)", other,
	       last_cpu[v6]);
	vtd_irte_set(irt, I_X2, vtd_irte_lo(v7, self, true), vtd_irte_hi_sid(t.edu.pci.bdf));
	vtd_iec_flush(v, I_X2);
	raise();
	report(wait_hits(v7, 1) && last_cpu[v7] == self && hits[v6] == 1,
	       "x2apic: changed to x2APIC ID %u, it arrives here (seen on %u)", self, last_cpu[v7]);
}

int main(void)
{
	if (!vtd_env_open(&t))
		return 1;
	vec = (uint8_t)cmdline_u64("vector", 0x60);
	eim = cmdline_u64("eim", 0) != 0;
	{
		char mode[8];

		sid_ignore =
			cmdline_get("ioapicsid", mode, sizeof(mode)) && !strcmp(mode, "ignore");
	}
	if (!report(vec >= 0x30 && vec <= 0xe0, "vector %#x from the command line", vec) ||
	    !check_caps() || !setup())
		return 1;
	vtd_write32(v, DMAR_FECTL_REG, DMA_FECTL_IM);
	check_msi();
	check_bad();
	check_ioapic();
	check_ioapic_sid();
	check_x2apic();
	ap_stop = true;
	irq_disable();
	msi_enable(&m, false);
	return 0;
}
