// SPDX-License-Identifier: MIT
/* Synchronous virtio-blk requests. */
#include "virtio_blk.h"

#include "io.h"

/* Header and status live in pool memory: DMA buffers, not the stack. */
struct vblk_req {
	struct virtio_blk_outhdr hdr;
	uint8_t status;
};

static struct vblk_req *req;

int vblk_open(struct virtio_pci *d, unsigned instance, uint64_t want)
{
	if (!req)
		req = virtio_alloc(sizeof(*req), 64);
	if (virtio_pci_open(d, VIRTIO_ID_BLOCK, instance))
		return -1;
	return virtio_init(d, want, 1);
}

uint64_t vblk_capacity(struct virtio_pci *d)
{
	return virtio_cfg64(d, __builtin_offsetof(struct virtio_blk_config, capacity));
}

struct vblk_result vblk_request(struct virtio_pci *d, uint32_t type, uint64_t sector, void *data,
				uint32_t len)
{
	struct vblk_result r = {.rc = -1, .status = VBLK_NO_STATUS};
	struct virtq_buf b[3];
	bool dev_writes = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
	unsigned n = 0, nr_out = 1;

	if (!req)
		req = virtio_alloc(sizeof(*req), 64);
	req->hdr.type = type;
	req->hdr.ioprio = 0;
	req->hdr.sector = sector;
	req->status = VBLK_NO_STATUS;
	b[n++] = (struct virtq_buf){&req->hdr, sizeof(req->hdr)};
	if (len) {
		b[n++] = (struct virtq_buf){data, len};
		if (!dev_writes)
			nr_out++;
	}
	b[n++] = (struct virtq_buf){&req->status, 1};
	r.rc = virtq_submit(&d->vq[0], b, nr_out, n - nr_out, &r.used_len, VIRTIO_TIMEOUT_US);
	r.status = READ_ONCE(req->status);
	return r;
}
