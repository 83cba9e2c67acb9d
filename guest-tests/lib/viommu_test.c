// SPDX-License-Identifier: MIT
/* Helpers of the virtio-iommu guest tests (see viommu_test.h). */
#include "viommu_test.h"

#include <stdarg.h>

#include "io.h"
#include "printf.h"
#include "report.h"
#include "tsc.h"

#define POLL_GAP_US 200

bool vt_check(bool pass, const char *id, const char *rule, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (pass)
		return report(true, "%s: %s", id, msg);
	if (known_has(id)) {
		report_skip("%s: %s: %s departs from %s (known=)", id, msg, known_backend(), rule);
		return false;
	}
	return report(false, "%s: %s (%s)", id, msg, rule);
}

uint64_t vt_iova_region(const struct viommu *v, uint64_t size)
{
	static const uint64_t tries[] = {0x1000000000ull, 0x80000000ull};
	uint64_t s = v->cfg.input_range.start, e = v->cfg.input_range.end, g = v->granule;

	for (unsigned i = 0; i < ARRAY_SIZE(tries); i++)
		if (tries[i] >= s && tries[i] <= e && e - tries[i] >= size - 1)
			return tries[i];
	s = (s + g - 1) & ~(g - 1);
	if (s && s <= e && e - s >= size - 1)
		return s;
	return 0;
}

const char *vt_blk_outcome_name(enum vt_blk_outcome o)
{
	static const char *const n[] = {"OK",
					"IOERR",
					"DEVICE_NEEDS_RESET",
					"no reaction",
					"used len 0, no status",
					"another outcome"};

	return (unsigned)o < ARRAY_SIZE(n) ? n[o] : "?";
}

uint8_t vt_blk_status;
uint32_t vt_blk_used;

struct blk_req {
	struct virtio_blk_outhdr hdr;
	uint8_t pad[48];
	uint8_t status;
};

enum vt_blk_outcome vt_blk_iova(struct virtio_pci *d, uint32_t type, uint64_t sector,
				iova_t data_iova, uint32_t len, uint64_t wait_us)
{
	static struct blk_req *r;
	struct virtq *vq = &d->vq[0];
	uint16_t i[3], head;
	uint32_t used;
	iova_t h, st;
	uint64_t end;

	if (!r)
		r = virtio_alloc(sizeof(*r), 64);
	r->hdr = (struct virtio_blk_outhdr){.type = type, .sector = sector};
	r->status = VBLK_NO_STATUS;
	vt_blk_status = VBLK_NO_STATUS;
	vt_blk_used = 0;
	h = virtio_dma_map(d, &r->hdr, sizeof(r->hdr), false);
	st = virtio_dma_map(d, &r->status, 1, true);
	if (h == IOVA_INVALID || st == IOVA_INVALID || virtq_take(vq, 3, i))
		return VT_BLK_OTHER;
	/* The chain frees (and unmaps) header and status when it is used. */
	vq->iova[i[0]] = h;
	vq->len[i[0]] = sizeof(r->hdr);
	vq->iova[i[2]] = st;
	vq->len[i[2]] = 1;
	virtq_raw_desc(vq, i[0], h, sizeof(r->hdr), VRING_DESC_F_NEXT, i[1]);
	virtq_raw_desc(
		vq, i[1], data_iova, len,
		(uint16_t)(VRING_DESC_F_NEXT | (type == VIRTIO_BLK_T_IN ? VRING_DESC_F_WRITE : 0)),
		i[2]);
	virtq_raw_desc(vq, i[2], st, 1, VRING_DESC_F_WRITE, 0);
	virtq_raw_publish(vq, i[0]);
	virtq_kick(vq);
	end = time_us() + wait_us;
	do {
		if (virtq_get(vq, &head, &used)) {
			uint8_t s = READ_ONCE(r->status);

			vt_blk_status = s;
			vt_blk_used = used;
			if (head != i[0])
				return VT_BLK_OTHER;
			if (used == 0 && s == VBLK_NO_STATUS)
				return VT_BLK_LEN0;
			if (s == VIRTIO_BLK_S_OK)
				return VT_BLK_OK;
			if (s == VIRTIO_BLK_S_IOERR || s == VIRTIO_BLK_S_UNSUPP)
				return VT_BLK_IOERR;
			return VT_BLK_OTHER;
		}
		if (virtio_status(d) & VIRTIO_CONFIG_S_NEEDS_RESET)
			return VT_BLK_NEEDS_RESET;
		delay_us(POLL_GAP_US);
	} while (time_us() < end);
	return VT_BLK_SILENT;
}

void *vt_pages(unsigned pages)
{
	return virtio_alloc((size_t)pages * 4096, 4096);
}
