// SPDX-License-Identifier: MIT
/* virtio-rng (virtio 1.2, 5.4) over modern PCI: the handshake, one
 * request queue, bytes that are not all zero and differ between reads. */
#include "guest.h"
#include "virtio.h"

#define REQ_BYTES 64

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i])
			return false;
	}
	return true;
}

int main(void)
{
	static struct virtio_pci d;
	uint8_t *a, *b;
	uint32_t la = 0, lb = 0;
	int ra, rb;

	if (!report(virtio_pci_open(&d, VIRTIO_ID_RNG, 0) == 0, "virtio-rng found on bus 0"))
		return 1;
	report_info("virtio-rng at %02x:%02x.%u, %04x:%04x, common %#lx notify %#lx (x%u)",
		    PCI_BDF_BUS(d.pci.bdf), PCI_BDF_DEV(d.pci.bdf), PCI_BDF_FN(d.pci.bdf),
		    d.pci.vendor, d.pci.device, (unsigned long)d.common,
		    (unsigned long)d.notify_base, d.notify_mult);
	report(d.pci.device == VIRTIO_PCI_MODERN_ID(VIRTIO_ID_RNG) ||
		       pci_read16(d.pci.bdf, PCI_SUBSYSTEM_ID) == VIRTIO_ID_RNG,
	       "device ID %#x is 0x1044 (or transitional with subsystem ID 4)", d.pci.device);
	report(virtio_num_queues(&d) >= 1, "num_queues >= 1 (%u)", virtio_num_queues(&d));
	if (!report(virtio_init(&d, 0, 1) == 0, "reset, features, queue 0, DRIVER_OK"))
		return 1;
	report_info("features offered %#lx, accepted %#lx", (unsigned long)d.offered,
		    (unsigned long)d.features);
	report(virtio_status(&d) == (VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
				     VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK),
	       "device_status reads 0x0f (%#x)", virtio_status(&d));
	a = virtio_alloc(REQ_BYTES, 64);
	b = virtio_alloc(REQ_BYTES, 64);
	ra = virtq_submit(&d.vq[0], &(struct virtq_buf){a, REQ_BYTES}, 0, 1, &la,
			  VIRTIO_TIMEOUT_US);
	rb = virtq_submit(&d.vq[0], &(struct virtq_buf){b, REQ_BYTES}, 0, 1, &lb,
			  VIRTIO_TIMEOUT_US);
	report(ra == 0 && rb == 0, "two requests of %u bytes completed", REQ_BYTES);
	report(la > 0 && la <= REQ_BYTES && lb > 0 && lb <= REQ_BYTES,
	       "used lengths within the buffers (%u, %u)", la, lb);
	report(!all_zero(a, la) && !all_zero(b, lb), "bytes are not all zero");
	report(la != lb || memcmp(a, b, la) != 0, "two reads differ");
	report_info("first bytes %02x %02x %02x %02x / %02x %02x %02x %02x", a[0], a[1], a[2], a[3],
		    b[0], b[1], b[2], b[3]);
	report(virtio_reset(&d), "reset reads back 0");
	pci_command(d.pci.bdf, 0, PCI_COMMAND_MASTER);
	return 0;
}
