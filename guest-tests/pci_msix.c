// SPDX-License-Identifier: MIT
/* MSI-X through a virtio device (virtio-rng): reset state of the table and
 * of the virtio vector registers, a used-buffer notification on the vector
 * the runner chose (vector=N on the command line), a masked entry that
 * sets its pending bit and fires on unmask, the same with the function
 * mask, and a vector number beyond the table refused with NO_VECTOR.
 *
 * References: PCIe 6.0 7.7.2 (MSI-X capability and table: Mask Bit resets
 * to 1, a masked vector's message is held with its Pending Bit set and
 * sent when unmasked); virtio 1.2 4.1.4.3 / 4.1.5.1.2 (msix_config and
 * queue_msix_vector: NO_VECTOR after reset, NO_VECTOR read back when a
 * mapping fails). */
#include "guest.h"
#include "virtio.h"

#define QUEUE_ENTRY  1
#define CONFIG_ENTRY 0
#define IRQ_WAIT_US  1000000
#define QUIET_US     100000 /* how long "no interrupt" is watched */

static struct virtio_pci d;
static uint8_t *buf;

static uint16_t queue_vector(uint16_t q)
{
	mmio_write16(d.common + VIRTIO_PCI_COMMON_Q_SELECT, q);
	return mmio_read16(d.common + VIRTIO_PCI_COMMON_Q_MSIX);
}

/* Put one request in queue 0 and kick; true when it came back. */
static bool request(void)
{
	uint16_t head;
	uint32_t len;

	if (virtq_add(&d.vq[0], &(struct virtq_buf){buf, 16}, 0, 1, &head))
		return false;
	virtq_kick(&d.vq[0]);
	return virtq_wait(&d.vq[0], &head, &len, VIRTIO_TIMEOUT_US) == 0;
}

static void check_reset_state(struct msix *m)
{
	unsigned unmasked = 0;
	uint16_t ctl = msix_control(m);

	report(m->nr >= 2, "MSI-X table has %u entries (>= 2: config + queue)", m->nr);
	report(!(ctl & PCI_MSIX_FLAGS_ENABLE), "MSI-X disabled at boot (control %#x)", ctl);
	for (unsigned i = 0; i < m->nr; i++)
		unmasked += !msix_entry_masked(m, i);
	report(unmasked == 0, "every table entry's Mask Bit is 1 at reset (%u clear)", unmasked);
	report(virtio_config_vector(&d, VIRTIO_MSI_NO_VECTOR) == VIRTIO_MSI_NO_VECTOR &&
		       queue_vector(0) == VIRTIO_MSI_NO_VECTOR,
	       "msix_config and queue_msix_vector read NO_VECTOR after reset (%#x)",
	       queue_vector(0));
	report(virtio_config_vector(&d, m->nr) == VIRTIO_MSI_NO_VECTOR,
	       "msix_config = table size (%u) is refused: reads NO_VECTOR", m->nr);
}

static void check_delivery(struct msix *m, uint8_t vec, uint8_t cfg_vec)
{
	uint64_t before;
	bool got, pend, pend_after;

	/* Masked, then masked by function: the message waits in the PBA. */
	msix_mask_entry(m, QUEUE_ENTRY, true);
	before = msix_vector_count(vec);
	report(request(), "request completes with the entry masked");
	delay_us(QUIET_US);
	got = msix_vector_count(vec) != before;
	pend = msix_pending(m, QUEUE_ENTRY);
	msix_mask_entry(m, QUEUE_ENTRY, false);
	msix_vector_wait(vec, before + 1, IRQ_WAIT_US);
	pend_after = msix_pending(m, QUEUE_ENTRY);
	report(!got, "no interrupt while the entry is masked");
	report(pend, "masked entry's Pending Bit is set");
	report(msix_vector_count(vec) == before + 1, "unmasking delivers it on vector %#x (%lu)",
	       vec, (unsigned long)(msix_vector_count(vec) - before));
	report(!pend_after, "Pending Bit clear after delivery");

	msix_function_mask(m, true);
	before = msix_vector_count(vec);
	report(request(), "request completes with the function masked");
	delay_us(QUIET_US);
	got = msix_vector_count(vec) != before;
	pend = msix_pending(m, QUEUE_ENTRY);
	msix_function_mask(m, false);
	msix_vector_wait(vec, before + 1, IRQ_WAIT_US);
	report(!got && pend, "Function Mask holds the message with its Pending Bit set");
	report(msix_vector_count(vec) == before + 1 && !msix_pending(m, QUEUE_ENTRY),
	       "clearing Function Mask delivers it");
	report(msix_vector_count(cfg_vec) == 0, "no configuration-change interrupt (vector %#x)",
	       cfg_vec);
}

int main(void)
{
	uint8_t vec = (uint8_t)cmdline_u64("vector", 0x5a);
	uint8_t cfg_vec = (uint8_t)(vec + 1);
	uint32_t dest = lapic_id();
	uint64_t spurious = trap_unexpected_count(), before;
	struct msix *m = &d.msix;
	bool ok;

	if (!report(vec >= 0x30 && vec < 0xef, "vector %#x from the command line", vec))
		return 1;
	buf = virtio_alloc(64, 64);
	if (!report(virtio_pci_open(&d, VIRTIO_ID_RNG, 0) == 0, "virtio-rng found") ||
	    !report(d.has_msix, "it has an MSI-X capability with its table in a BAR"))
		return 1;
	report_info("MSI-X: %u entries, table BAR%u+%#x at %#lx, PBA BAR%u+%#x at %#lx", m->nr,
		    m->table_bir, m->table_off, (unsigned long)m->table, m->pba_bir, m->pba_off,
		    (unsigned long)m->pba);
	if (!report(virtio_negotiate(&d, 0) == 0, "features negotiated"))
		return 1;
	check_reset_state(m);

	msix_vector_install(vec);
	msix_vector_install(cfg_vec);
	msix_set_entry(m, QUEUE_ENTRY, dest, vec);
	msix_set_entry(m, CONFIG_ENTRY, dest, cfg_vec);
	report(msix_entry_read(m, QUEUE_ENTRY, 0) == (MSI_ADDR_BASE | MSI_ADDR_DEST(dest)) &&
		       msix_entry_read(m, QUEUE_ENTRY, 1) == 0 &&
		       msix_entry_read(m, QUEUE_ENTRY, 2) == vec,
	       "table entry %u reads back address %#x data %#x", QUEUE_ENTRY,
	       msix_entry_read(m, QUEUE_ENTRY, 0), msix_entry_read(m, QUEUE_ENTRY, 2));
	report(virtio_config_vector(&d, CONFIG_ENTRY) == CONFIG_ENTRY, "msix_config = %u sticks",
	       CONFIG_ENTRY);
	ok = virtq_setup(&d, 0, 0, QUEUE_ENTRY) == 0;
	report(ok, "queue 0 set up with queue_msix_vector %u (reads %#x)", QUEUE_ENTRY,
	       queue_vector(0));
	if (!ok)
		return 1;
	msix_enable(m, true);
	msix_function_mask(m, false);
	msix_mask_entry(m, QUEUE_ENTRY, false);
	msix_mask_entry(m, CONFIG_ENTRY, false);
	virtio_driver_ok(&d);
	irq_enable();

	before = msix_vector_count(vec);
	report(request(), "a virtio-rng request completes");
	report(msix_vector_wait(vec, before + 1, IRQ_WAIT_US),
	       "its used-buffer notification arrives on vector %#x (APIC ID %u)", vec, dest);
	delay_us(QUIET_US);
	report(msix_vector_count(vec) == before + 1, "exactly one interrupt per request (%lu)",
	       (unsigned long)(msix_vector_count(vec) - before));
	check_delivery(m, vec, cfg_vec);

	irq_disable();
	virtio_reset(&d);
	msix_enable(m, false);
	pci_command(d.pci.bdf, 0, PCI_COMMAND_MASTER);
	msix_vector_remove(vec);
	msix_vector_remove(cfg_vec);
	report(trap_unexpected_count() == spurious, "no interrupt on an unexpected vector (%lu)",
	       (unsigned long)(trap_unexpected_count() - spurious));
	return 0;
}
