/* SPDX-License-Identifier: MIT */
/* Inside the vhost-user front end: message framing (msg.c) and the
 * request/reply step every front-end call goes through (frontend.c). */
#ifndef DEVICES_VHOST_USER_INTERNAL_H
#define DEVICES_VHOST_USER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "devices/vhost_user/vhost_user.h"

/* CLOCK_MONOTONIC in milliseconds: the deadlines of every wait. */
static inline int64_t vhost_user_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Send one message: hdr, then hdr->size bytes of payload, with nfds
 * (at most VHOST_USER_MAX_FDS) fds as SCM_RIGHTS on its first byte. Waits at
 * most timeout_ms for room. 0, or -ETIMEDOUT, -ECONNRESET (EPIPE or
 * ECONNRESET: the peer is gone), -EINVAL (too many fds, payload too large),
 * another -errno; cause (no request name) in err. */
int vhost_user_msg_send(int fd, const struct vhost_user_hdr *hdr, const void *payload,
			const int *fds, unsigned nfds, int timeout_ms, char *err, size_t errlen);

/* Receive one message within timeout_ms: the header (version 1, else
 * -EBADMSG; size at most payload_max, else -EMSGSIZE, with the payload left
 * unread), then the payload. The fds that came with it go to fds (the caller
 * owns them then; *nfds their count); more than max_fds (0 is allowed), or a
 * truncated control message, is -EBADFD. On every error each received fd is
 * closed. EOF or ECONNRESET is -ECONNRESET; the deadline, -ETIMEDOUT. */
int vhost_user_msg_recv(int fd, struct vhost_user_hdr *hdr, void *payload, size_t payload_max,
			int *fds, unsigned max_fds, unsigned *nfds, int timeout_ms, char *err,
			size_t errlen);

/* One request: send req with payload and fds; then, when reply is not NULL,
 * receive its reply of exactly reply_size bytes into reply (allow_empty:
 * an empty reply is accepted too and returns 0 bytes); when reply is NULL and
 * REPLY_ACK was negotiated, set NEED_REPLY and wait for the u64 status
 * (non-zero: -EREMOTEIO). Returns the reply's size, or -errno with the
 * message in err; closes the connection on a stream error (see
 * vhost_user.h). */
int vu_call(struct vhost_user *vu, uint32_t req, const void *payload, uint32_t size, const int *fds,
	    unsigned nfds, void *reply, uint32_t reply_size, bool allow_empty, char *err,
	    size_t errlen);

/* Format "vhost-user NAME: REQ: ..." into err and return ret (which is not
 * sent anywhere: for argument checks before a request). */
int vu_fail(const struct vhost_user *vu, uint32_t req, int ret, char *err, size_t errlen,
	    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif
