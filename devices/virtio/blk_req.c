// SPDX-License-Identifier: MIT
/* virtio-blk requests (spec 5.2.6): a readable header, data, and a
 * writable status byte at the very end of the chain. The data buffers are
 * the chain's iovecs, resolved by the virtqueue through the device's DMA
 * address space; the file I/O goes straight into them. */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <string.h>
#include <unistd.h>

#include "devices/virtio/blk.h"
#include "vmm/iovec.h"
#include "vmm/log.h"

#define BLK_HDR_LEN sizeof(struct virtio_blk_outhdr)
#define BLK_SEG_LEN sizeof(struct virtio_blk_discard_write_zeroes)
/* Retries of a short read or write before the request fails. */
#define BLK_IO_TRIES 16

struct blk_req {
	struct virtio_blk_outhdr hdr;
	struct iovec data[VIRTQ_MAX_SEGS];
	unsigned nr_data;
	uint64_t data_len;
	uint32_t written; /* data bytes written to the guest (IN, GET_ID) */
};

/* Read or write exactly len bytes at off, retrying short transfers a few
 * times. Consumes iov. 0 or -EIO. */
static int blk_rw(int fd, bool write, struct iovec *iov, unsigned n, off_t off, uint64_t len)
{
	for (unsigned t = 0; t < BLK_IO_TRIES && len; t++) {
		ssize_t r = write ? pwritev(fd, iov, (int)n, off) : preadv(fd, iov, (int)n, off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -EIO;
		len -= (uint64_t)r;
		off += r;
		iov_advance(&iov, &n, (size_t)r); /* drop what is done */
	}
	return len ? -EIO : 0;
}

/* Is [sector, sector + bytes / 512) inside the disk? */
static bool blk_in_range(const struct virtio_blk *b, uint64_t sector, uint64_t bytes)
{
	return sector <= b->sectors && bytes / VIRTIO_BLK_SECTOR <= b->sectors - sector;
}

static uint8_t blk_do_rw(struct virtio_blk *b, struct blk_req *r, bool write)
{
	uint64_t sector = le64toh(r->hdr.sector);

	if (write && b->readonly) {
		log_guest_once("virtio-blk: write to a read-only disk");
		return VIRTIO_BLK_S_IOERR;
	}
	if (r->data_len % VIRTIO_BLK_SECTOR || !blk_in_range(b, sector, r->data_len)) {
		log_guest_once("virtio-blk: request at sector %llu, %llu bytes, "
			       "outside the disk or not whole sectors",
			       (unsigned long long)sector, (unsigned long long)r->data_len);
		return VIRTIO_BLK_S_IOERR;
	}
	if (blk_rw(b->fd, write, r->data, r->nr_data, (off_t)(sector * VIRTIO_BLK_SECTOR),
		   r->data_len)) {
		log_guest_limited(4, "virtio-blk: %s error at sector %llu",
				  write ? "write" : "read", (unsigned long long)sector);
		return VIRTIO_BLK_S_IOERR;
	}
	if (!write)
		r->written = (uint32_t)r->data_len;
	return VIRTIO_BLK_S_OK;
}

static uint8_t blk_get_id(struct virtio_blk *b, struct blk_req *r)
{
	uint64_t len = MIN(r->data_len, (uint64_t)VIRTIO_BLK_ID_BYTES);

	iov_from_buf(r->data, r->nr_data, 0, b->serial, len);
	r->written = (uint32_t)len;
	return VIRTIO_BLK_S_OK;
}

/* Check one DISCARD / WRITE_ZEROES segment; the fallocate mode or < 0
 * with *st set. */
static int blk_seg_mode(struct virtio_blk *b, uint32_t type,
			const struct virtio_blk_discard_write_zeroes *s, uint8_t *st)
{
	uint32_t flags = le32toh(s->flags), n = le32toh(s->num_sectors);
	bool unmap = flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP;

	if (type == VIRTIO_BLK_T_DISCARD ? flags != 0
					 : (flags & ~VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) != 0) {
		*st = VIRTIO_BLK_S_UNSUPP; /* spec 5.2.6.2: reserved flags */
		return -1;
	}
	if (n > VIRTIO_BLK_DISCARD_MAX ||
	    !blk_in_range(b, le64toh(s->sector), (uint64_t)n * VIRTIO_BLK_SECTOR)) {
		*st = VIRTIO_BLK_S_IOERR;
		return -1;
	}
	if (type == VIRTIO_BLK_T_DISCARD || (unmap && b->can_discard))
		return FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
	return FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
}

static uint8_t blk_discard(struct virtio_blk *b, struct blk_req *r, uint32_t type)
{
	struct virtio_blk_discard_write_zeroes seg[VIRTIO_BLK_DISCARD_SEG];
	unsigned feature =
		type == VIRTIO_BLK_T_DISCARD ? VIRTIO_BLK_F_DISCARD : VIRTIO_BLK_F_WRITE_ZEROES;
	uint64_t nr = r->data_len / BLK_SEG_LEN;
	uint8_t st = VIRTIO_BLK_S_OK;
	int mode[VIRTIO_BLK_DISCARD_SEG];

	if (b->readonly)
		return VIRTIO_BLK_S_IOERR;
	if (!(b->vdev.features & BIT_ULL(feature)) || !virtio_has_feature(&b->vdev, feature))
		return VIRTIO_BLK_S_UNSUPP;
	if (!nr || nr > VIRTIO_BLK_DISCARD_SEG || r->data_len % BLK_SEG_LEN) {
		log_guest_once("virtio-blk: discard/write-zeroes with %llu bytes of segments",
			       (unsigned long long)r->data_len);
		return VIRTIO_BLK_S_IOERR;
	}
	/* Check every segment before touching the image. */
	for (unsigned i = 0; i < nr; i++) {
		if (iov_to_buf(r->data, r->nr_data, i * BLK_SEG_LEN, &seg[i], BLK_SEG_LEN) !=
		    BLK_SEG_LEN)
			return VIRTIO_BLK_S_IOERR;
		mode[i] = blk_seg_mode(b, type, &seg[i], &st);
		if (mode[i] < 0) {
			log_guest_once("virtio-blk: bad discard/write-zeroes segment");
			return st;
		}
	}
	for (unsigned i = 0; i < nr; i++) {
		off_t off = (off_t)(le64toh(seg[i].sector) * VIRTIO_BLK_SECTOR);
		off_t len = (off_t)le32toh(seg[i].num_sectors) * VIRTIO_BLK_SECTOR;

		if (len && fallocate(b->fd, mode[i], off, len)) {
			log_guest_limited(4, "virtio-blk: fallocate: %s", strerror(errno));
			return VIRTIO_BLK_S_IOERR;
		}
	}
	return VIRTIO_BLK_S_OK;
}

static uint8_t blk_dispatch(struct virtio_blk *b, struct blk_req *r)
{
	uint32_t type = le32toh(r->hdr.type);

	switch (type) {
	case VIRTIO_BLK_T_IN: return blk_do_rw(b, r, false);
	case VIRTIO_BLK_T_OUT: return blk_do_rw(b, r, true);
	case VIRTIO_BLK_T_FLUSH: return fdatasync(b->fd) ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID: return blk_get_id(b, r);
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES: return blk_discard(b, r, type);
	default:
		log_guest_once("virtio-blk: unsupported request type %u", type);
		return VIRTIO_BLK_S_UNSUPP;
	}
}

/* Where the data of a request of this type lives: the writable buffers
 * before the status byte (IN, GET_ID), else the readable ones after the
 * header. */
static void blk_req_data(struct virtq_chain *c, struct blk_req *r)
{
	uint32_t type = le32toh(r->hdr.type);

	if (type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID) {
		r->data_len = c->wr_len - 1;
		r->nr_data = iov_slice(virtq_chain_wr(c), c->nr_wr, 0, r->data_len, r->data);
	} else {
		r->data_len = c->rd_len - BLK_HDR_LEN;
		r->nr_data =
			iov_slice(virtq_chain_rd(c), c->nr_rd, BLK_HDR_LEN, r->data_len, r->data);
	}
}

uint32_t virtio_blk_handle(struct virtio_blk *b, struct virtq_chain *c)
{
	struct blk_req r = {.written = 0};
	struct iovec *last;
	uint8_t *status;

	if (!c->nr_wr || !c->wr_len) {
		log_guest_once("virtio-blk: request without a writable status byte");
		return 0;
	}
	last = &virtq_chain_wr(c)[c->nr_wr - 1];
	status = (uint8_t *)last->iov_base + last->iov_len - 1;
	if (c->rd_len < BLK_HDR_LEN ||
	    iov_to_buf(virtq_chain_rd(c), c->nr_rd, 0, &r.hdr, BLK_HDR_LEN) != BLK_HDR_LEN) {
		log_guest_once("virtio-blk: request header shorter than %zu bytes", BLK_HDR_LEN);
		*status = VIRTIO_BLK_S_IOERR;
		return 1;
	}
	blk_req_data(c, &r);
	*status = blk_dispatch(b, &r);
	if (*status != VIRTIO_BLK_S_OK)
		r.written = 0;
	return r.written + 1;
}
