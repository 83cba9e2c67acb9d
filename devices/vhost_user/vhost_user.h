/* SPDX-License-Identifier: MIT */
/* A vhost-user front end (QEMU's docs/interop/vhost-user.rst): the VMM side
 * of the UNIX socket through which an external back end (virtiofsd) is told
 * where guest memory and the virtqueues are. The wire format is in
 * devices/vhost_user/spec.h.
 *
 * Contract, for every function below that takes err:
 *  - 0 (or a count) on success; on failure a negative errno and one line in
 *    err (errlen bytes) naming the connection and the request, e.g.
 *    "vhost-user /run/fs.sock: GET_VRING_BASE: no reply within 1000 ms".
 *  - No call blocks longer than vu->timeout_ms per message: every send waits
 *    for room and every reply wait is bounded by poll(). A back end that
 *    dies costs -ECONNRESET, never SIGPIPE (MSG_NOSIGNAL).
 *  - The errors, one errno per cause:
 *      -ETIMEDOUT   no reply (or no room to send) within the timeout
 *      -ECONNRESET  the back end closed the connection (EOF, ECONNRESET, EPIPE)
 *      -EPROTO      a reply to another request (or for another vring/offset)
 *      -EBADMSG     a reply whose flags are not version 1 + REPLY
 *      -EMSGSIZE    a reply whose size is not the request's reply payload
 *      -EBADFD      a reply that carries file descriptors (they are closed)
 *      -EREMOTEIO   the back end refused the request (REPLY_ACK status != 0,
 *                   an empty GET_CONFIG reply)
 *      -ENOTSUP     the request needs a feature that was not negotiated
 *      -ERANGE      the back end reports 0 queues or 0 memory slots
 *      -EINVAL, -E2BIG, -EALREADY  the caller's arguments (nothing is sent)
 *      -ENOTCONN    the connection was closed after an earlier error
 *  - Any error of the first six kinds leaves the stream out of step, so the
 *    connection is closed (vu->fd = -1; later calls fail with -ENOTCONN), as
 *    the spec asks of a front end that gets a wrong reply. A refusal
 *    (-EREMOTEIO) and the caller's errors keep it open.
 *  - File descriptors passed in are only borrowed (sent as SCM_RIGHTS; the
 *    caller still owns and closes them).
 *  - One thread at a time per struct vhost_user (no internal lock).
 *
 * Typical use (a virtio-fs device):
 *   fd = vhost_user_connect(path, 5000, err, len);
 *   vhost_user_init(&vu, fd, path, VHOST_USER_TIMEOUT_MS);
 *   vhost_user_handshake(&vu, VHOST_USER_FRONTEND_PROTOCOL_FEATURES, ...);
 *   vhost_user_set_mem_table(&vu, regions, n, ...);
 *   ...guest driver negotiates from vu.features...
 *   vhost_user_set_features(&vu, driver_features, ...);
 *   vhost_user_vring_start(&vu, &ring, ...) for each queue;
 *   vhost_user_vring_stop(&vu, i, &base, ...) on reset;
 *   vhost_user_close(&vu); */
#ifndef DEVICES_VHOST_USER_VHOST_USER_H
#define DEVICES_VHOST_USER_VHOST_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/vhost_user/spec.h"
#include "vmm/types.h"

#define VHOST_USER_TIMEOUT_MS 10000 /* a sensible per-message bound */

/* The protocol features this front end implements; a caller may ask for any
 * subset. */
#define VHOST_USER_FRONTEND_PROTOCOL_FEATURES                                                      \
	(BIT_ULL(VHOST_USER_PROTOCOL_F_MQ) | BIT_ULL(VHOST_USER_PROTOCOL_F_REPLY_ACK) |            \
	 BIT_ULL(VHOST_USER_PROTOCOL_F_CONFIG) |                                                   \
	 BIT_ULL(VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS))

struct vhost_user {
	int fd;		/* the connected socket; -1 once closed */
	int timeout_ms; /* bound on each send and each reply wait */
	char name[96];	/* names the connection in messages (the socket path) */
	/* Filled by vhost_user_handshake: */
	uint64_t features;	    /* GET_FEATURES: what the back end offers */
	uint64_t protocol_features; /* negotiated: ours & the back end's */
	uint32_t queue_num;	    /* GET_QUEUE_NUM with MQ, else 0 (unknown) */
	uint32_t max_mem_slots;	    /* GET_MAX_MEM_SLOTS, else 8 (SET_MEM_TABLE) */
	/* Kept by the calls: */
	uint64_t acked_features; /* the last SET_FEATURES */
	unsigned nr_regions;	 /* memory regions sent */
};

/* A region of guest memory shared with the back end: [gpa, gpa + size) is
 * mapped in the VMM at user_addr and is the file fd from fd_offset on (a
 * memfd; the back end mmaps it). */
struct vhost_user_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t user_addr;
	int fd;
	uint64_t fd_offset;
};

/* One virtqueue as vhost_user_vring_start sets it up. The ring addresses are
 * user addresses: where the VMM maps them, inside a region of the table. */
struct vhost_user_vring {
	unsigned index; /* 0..255 (and below queue_num with MQ) */
	unsigned num;	/* queue size */
	unsigned base;	/* the avail index to start from */
	uint64_t desc, avail, used;
	int kick_fd; /* eventfd the guest's notify signals; -1: the back end polls */
	int call_fd; /* eventfd the back end signals; -1: none */
};

/* Connect to the UNIX socket at path, retrying while it does not exist yet
 * or does not accept yet (ENOENT, ECONNREFUSED: a back end we just started)
 * until timeout_ms have passed. The socket fd (CLOEXEC), or -ETIMEDOUT
 * ("... did not appear within N ms"), -ENAMETOOLONG, or another -errno at
 * once (EACCES, ENOTSOCK...). */
int vhost_user_connect(const char *path, int timeout_ms, char *err, size_t errlen) __must_check;

/* Take ownership of the connected socket fd. name (truncated) is used in
 * messages. Sends nothing. */
void vhost_user_init(struct vhost_user *vu, int fd, const char *name, int timeout_ms);

/* Close the connection (idempotent). The back end sees EOF and stops. */
void vhost_user_close(struct vhost_user *vu);

/* The session's start: SET_OWNER, GET_FEATURES, and when the back end offers
 * VHOST_USER_F_PROTOCOL_FEATURES: GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES
 * (want & the back end's), then GET_QUEUE_NUM with MQ and GET_MAX_MEM_SLOTS
 * with CONFIGURE_MEM_SLOTS. want must be a subset of
 * VHOST_USER_FRONTEND_PROTOCOL_FEATURES (-EINVAL). Fills the handshake fields
 * of vu; a back end that reports 0 queues or 0 memory slots is -ERANGE. */
int vhost_user_handshake(struct vhost_user *vu, uint64_t want, char *err,
			 size_t errlen) __must_check;

/* SET_FEATURES: the virtio features the driver accepted, plus
 * VHOST_USER_F_PROTOCOL_FEATURES when the back end offers it (the rings then
 * start disabled until SET_VRING_ENABLE). A bit the back end did not offer
 * is -EINVAL. */
int vhost_user_set_features(struct vhost_user *vu, uint64_t features, char *err,
			    size_t errlen) __must_check;

/* Give the back end the guest memory, once (-EALREADY after): one
 * ADD_MEM_REG per region when CONFIGURE_MEM_SLOTS was negotiated (at most
 * max_mem_slots regions), else one SET_MEM_TABLE (at most 8). A region of
 * size 0, one that wraps, or a negative fd is -EINVAL; too many, -E2BIG. */
int vhost_user_set_mem_table(struct vhost_user *vu, const struct vhost_user_region *r, unsigned n,
			     char *err, size_t errlen) __must_check;

/* The per-vring requests, each one message (with REPLY_ACK, acknowledged).
 * index above 255, or not below queue_num with MQ, is -EINVAL. */
int vhost_user_set_vring_num(struct vhost_user *vu, unsigned index, unsigned num, char *err,
			     size_t errlen) __must_check;
int vhost_user_set_vring_addr(struct vhost_user *vu, const struct vhost_vring_addr *addr, char *err,
			      size_t errlen) __must_check;
int vhost_user_set_vring_base(struct vhost_user *vu, unsigned index, unsigned base, char *err,
			      size_t errlen) __must_check;
/* Stops the ring; *base is where the back end stopped (the next avail index). */
int vhost_user_get_vring_base(struct vhost_user *vu, unsigned index, unsigned *base, char *err,
			      size_t errlen) __must_check;
/* fd -1 sends the "no fd" flag instead of an fd. */
int vhost_user_set_vring_kick(struct vhost_user *vu, unsigned index, int fd, char *err,
			      size_t errlen) __must_check;
int vhost_user_set_vring_call(struct vhost_user *vu, unsigned index, int fd, char *err,
			      size_t errlen) __must_check;
/* Only with VHOST_USER_F_PROTOCOL_FEATURES acked (-ENOTSUP otherwise: the
 * rings are then enabled from the start). */
int vhost_user_set_vring_enable(struct vhost_user *vu, unsigned index, bool enable, char *err,
				size_t errlen) __must_check;

/* Start a ring: SET_VRING_NUM, SET_VRING_BASE, SET_VRING_ADDR,
 * SET_VRING_CALL, SET_VRING_KICK (the back end starts the ring on it), and
 * SET_VRING_ENABLE(1) when VHOST_USER_F_PROTOCOL_FEATURES was acked. */
int vhost_user_vring_start(struct vhost_user *vu, const struct vhost_user_vring *q, char *err,
			   size_t errlen) __must_check;

/* Stop a ring: SET_VRING_ENABLE(0) when acked, then GET_VRING_BASE. */
int vhost_user_vring_stop(struct vhost_user *vu, unsigned index, unsigned *base, char *err,
			  size_t errlen) __must_check;

/* GET_CONFIG: size bytes of the device's config space from offset, into buf.
 * Needs PROTOCOL_F_CONFIG (-ENOTSUP); offset + size within 256 bytes and
 * size > 0 (-EINVAL). A reply for another offset or size is -EPROTO. */
int vhost_user_get_config(struct vhost_user *vu, uint32_t offset, void *buf, uint32_t size,
			  char *err, size_t errlen) __must_check;

/* The spec's name of a request ("SET_MEM_TABLE"), or "UNKNOWN". */
const char *vhost_user_request_name(uint32_t request);

#endif
