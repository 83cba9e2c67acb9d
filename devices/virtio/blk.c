// SPDX-License-Identifier: MIT
/* virtio-blk: opening and probing the image, the config space, and the
 * queue loop. Request parsing and I/O are in blk_req.c. */
#include "devices/virtio/blk.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/virtio_ids.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "vmm/log.h"

static struct virtio_blk *blk_fail(struct virtio_blk *b, char *err, size_t errlen, const char *fmt,
				   ...) __attribute__((format(printf, 4, 5)));
static struct virtio_blk *blk_fail(struct virtio_blk *b, char *err, size_t errlen, const char *fmt,
				   ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	virtio_blk_free(b);
	return NULL;
}

/* Does fallocate(mode) work on this file? Probed past the end of the
 * image, where punching a hole changes nothing; a ZERO_RANGE probe may
 * preallocate there, so the probe range is punched again afterwards. */
static bool blk_probe_fallocate(int fd, off_t end, int mode)
{
	const int punch = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
	off_t at = (off_t)ALIGN_UP((uint64_t)end, 4096);
	bool ok = fallocate(fd, mode | FALLOC_FL_KEEP_SIZE, at, 4096) == 0;

	if (ok && mode != FALLOC_FL_PUNCH_HOLE && fallocate(fd, punch, at, 4096))
		log_debug("virtio-blk: cannot release the fallocate probe range");
	return ok;
}

static void blk_fill_config(struct virtio_blk *b)
{
	struct virtio_blk_config *c = &b->cfg;

	memset(c, 0, sizeof(*c));
	c->capacity = htole64(b->sectors);
	c->size_max = htole32(VIRTIO_BLK_SIZE_MAX);
	c->seg_max = htole32(VIRTIO_BLK_SEG_MAX);
	c->blk_size = htole32(VIRTIO_BLK_SECTOR);
	c->num_queues = htole16(1);
	c->max_discard_sectors = htole32(VIRTIO_BLK_DISCARD_MAX);
	c->max_discard_seg = htole32(VIRTIO_BLK_DISCARD_SEG);
	c->discard_sector_alignment = htole32(1);
	c->max_write_zeroes_sectors = htole32(VIRTIO_BLK_DISCARD_MAX);
	c->max_write_zeroes_seg = htole32(VIRTIO_BLK_DISCARD_SEG);
	c->write_zeroes_may_unmap = b->can_discard;
}

static uint64_t blk_features(const struct virtio_blk *b)
{
	uint64_t f = BIT_ULL(VIRTIO_BLK_F_SEG_MAX) | BIT_ULL(VIRTIO_BLK_F_SIZE_MAX) |
		     BIT_ULL(VIRTIO_BLK_F_BLK_SIZE) | BIT_ULL(VIRTIO_BLK_F_FLUSH);

	if (b->readonly)
		return f | BIT_ULL(VIRTIO_BLK_F_RO);
	if (b->can_discard)
		f |= BIT_ULL(VIRTIO_BLK_F_DISCARD);
	if (b->can_write_zeroes)
		f |= BIT_ULL(VIRTIO_BLK_F_WRITE_ZEROES);
	return f;
}

struct virtio_blk *virtio_blk_new(const struct virtio_blk_params *p, char *err, size_t errlen)
{
	struct virtio_blk *b = calloc(1, sizeof(*b));
	off_t end;

	if (!b)
		return blk_fail(NULL, err, errlen, "--disk: out of memory");
	b->readonly = p->readonly;
	b->fd = open(p->path, (p->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (b->fd < 0)
		return blk_fail(b, err, errlen, "--disk: cannot open %s: %s", p->path,
				strerror(errno));
	/* Two writers on one image corrupt it: take an advisory lock. */
	if (flock(b->fd, (p->readonly ? LOCK_SH : LOCK_EX) | LOCK_NB))
		return blk_fail(b, err, errlen, "--disk: %s is in use (%s)", p->path,
				strerror(errno));
	end = lseek(b->fd, 0, SEEK_END);
	if (end < 0)
		return blk_fail(b, err, errlen, "--disk: cannot size %s: %s", p->path,
				strerror(errno));
	if (end < (off_t)VIRTIO_BLK_SECTOR)
		return blk_fail(b, err, errlen, "--disk: %s is smaller than one sector", p->path);
	b->sectors = (uint64_t)end / VIRTIO_BLK_SECTOR;
	if (p->serial && strlen(p->serial) > VIRTIO_BLK_ID_BYTES)
		return blk_fail(b, err, errlen, "--disk: serial longer than %d bytes",
				VIRTIO_BLK_ID_BYTES);
	if (p->serial)
		memcpy(b->serial, p->serial, strlen(p->serial));
	if (!p->readonly) {
		b->can_discard = blk_probe_fallocate(b->fd, end, FALLOC_FL_PUNCH_HOLE);
		b->can_write_zeroes = blk_probe_fallocate(b->fd, end, FALLOC_FL_ZERO_RANGE);
	}
	blk_fill_config(b);
	b->vdev.ops = &virtio_blk_ops;
	b->vdev.features = blk_features(b);
	b->vdev.nr_queues = 1;
	b->vdev.queue_max = VIRTIO_BLK_QUEUE_SIZE;
	b->vdev.config = &b->cfg;
	b->vdev.config_len = sizeof(b->cfg);
	return b;
}

void virtio_blk_free(struct virtio_blk *b)
{
	if (!b)
		return;
	if (b->fd >= 0)
		close(b->fd);
	free(b);
}

static uint32_t blk_serve(struct virtio_dev *vdev, struct virtq_chain *c)
{
	return virtio_blk_handle(container_of(vdev, struct virtio_blk, vdev), c);
}

static void blk_queue_notify(struct virtio_dev *vdev, unsigned q)
{
	struct virtio_blk *b = container_of(vdev, struct virtio_blk, vdev);

	virtio_queue_serve(vdev, q, &b->chain, blk_serve);
}

const struct virtio_dev_ops virtio_blk_ops = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.pci_class = 0x018000, /* mass storage, other */
	.queue_notify = blk_queue_notify,
};
