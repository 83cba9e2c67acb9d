// SPDX-License-Identifier: MIT
/* The vhost-user front end: the request/reply step with its checks, the
 * session's handshake, features and config space. Memory is in mem.c, the
 * vrings in vring.c, connecting in connect.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "devices/vhost_user/internal.h"

static const char *const req_names[VHOST_USER_MAX_REQUEST + 1] = {
	[VHOST_USER_GET_FEATURES] = "GET_FEATURES",
	[VHOST_USER_SET_FEATURES] = "SET_FEATURES",
	[VHOST_USER_SET_OWNER] = "SET_OWNER",
	[VHOST_USER_RESET_OWNER] = "RESET_OWNER",
	[VHOST_USER_SET_MEM_TABLE] = "SET_MEM_TABLE",
	[VHOST_USER_SET_LOG_BASE] = "SET_LOG_BASE",
	[VHOST_USER_SET_LOG_FD] = "SET_LOG_FD",
	[VHOST_USER_SET_VRING_NUM] = "SET_VRING_NUM",
	[VHOST_USER_SET_VRING_ADDR] = "SET_VRING_ADDR",
	[VHOST_USER_SET_VRING_BASE] = "SET_VRING_BASE",
	[VHOST_USER_GET_VRING_BASE] = "GET_VRING_BASE",
	[VHOST_USER_SET_VRING_KICK] = "SET_VRING_KICK",
	[VHOST_USER_SET_VRING_CALL] = "SET_VRING_CALL",
	[VHOST_USER_SET_VRING_ERR] = "SET_VRING_ERR",
	[VHOST_USER_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
	[VHOST_USER_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
	[VHOST_USER_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
	[VHOST_USER_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
	[VHOST_USER_SEND_RARP] = "SEND_RARP",
	[VHOST_USER_NET_SET_MTU] = "NET_SET_MTU",
	[VHOST_USER_SET_BACKEND_REQ_FD] = "SET_BACKEND_REQ_FD",
	[VHOST_USER_IOTLB_MSG] = "IOTLB_MSG",
	[VHOST_USER_SET_VRING_ENDIAN] = "SET_VRING_ENDIAN",
	[VHOST_USER_GET_CONFIG] = "GET_CONFIG",
	[VHOST_USER_SET_CONFIG] = "SET_CONFIG",
	[VHOST_USER_CREATE_CRYPTO_SESSION] = "CREATE_CRYPTO_SESSION",
	[VHOST_USER_CLOSE_CRYPTO_SESSION] = "CLOSE_CRYPTO_SESSION",
	[VHOST_USER_POSTCOPY_ADVISE] = "POSTCOPY_ADVISE",
	[VHOST_USER_POSTCOPY_LISTEN] = "POSTCOPY_LISTEN",
	[VHOST_USER_POSTCOPY_END] = "POSTCOPY_END",
	[VHOST_USER_GET_INFLIGHT_FD] = "GET_INFLIGHT_FD",
	[VHOST_USER_SET_INFLIGHT_FD] = "SET_INFLIGHT_FD",
	[VHOST_USER_GPU_SET_SOCKET] = "GPU_SET_SOCKET",
	[VHOST_USER_RESET_DEVICE] = "RESET_DEVICE",
	[VHOST_USER_VRING_KICK] = "VRING_KICK",
	[VHOST_USER_GET_MAX_MEM_SLOTS] = "GET_MAX_MEM_SLOTS",
	[VHOST_USER_ADD_MEM_REG] = "ADD_MEM_REG",
	[VHOST_USER_REM_MEM_REG] = "REM_MEM_REG",
	[VHOST_USER_SET_STATUS] = "SET_STATUS",
	[VHOST_USER_GET_STATUS] = "GET_STATUS",
};

const char *vhost_user_request_name(uint32_t request)
{
	if (request <= VHOST_USER_MAX_REQUEST && req_names[request])
		return req_names[request];
	return "UNKNOWN";
}

void vhost_user_init(struct vhost_user *vu, int fd, const char *name, int timeout_ms)
{
	memset(vu, 0, sizeof(*vu));
	vu->fd = fd;
	vu->timeout_ms = timeout_ms;
	vu->max_mem_slots = VHOST_MEMORY_BASELINE_NREGIONS;
	snprintf(vu->name, sizeof(vu->name), "%s", name);
}

void vhost_user_close(struct vhost_user *vu)
{
	if (vu->fd >= 0)
		close(vu->fd);
	vu->fd = -1;
}

int vu_fail(const struct vhost_user *vu, uint32_t req, int ret, char *err, size_t errlen,
	    const char *fmt, ...)
{
	char cause[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cause, sizeof(cause), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "vhost-user %s: %s: %s", vu->name, vhost_user_request_name(req),
		 cause);
	return ret;
}

/* A stream error: the next byte is not where a message starts, so the
 * connection goes (the spec: the front end closes it on a wrong reply). */
static int vu_broken(struct vhost_user *vu, uint32_t req, int ret, const char *cause, char *err,
		     size_t errlen)
{
	vhost_user_close(vu);
	return vu_fail(vu, req, ret, err, errlen, "%s", cause);
}

/* Receive the reply to req: the right request, flags version 1 + REPLY and
 * nothing else, no fds, size exactly want (or 0 when allow_empty). */
static int vu_reply(struct vhost_user *vu, uint32_t req, void *buf, uint32_t want, bool allow_empty,
		    char *err, size_t errlen)
{
	union vhost_user_payload p;
	struct vhost_user_hdr h;
	char cause[160];
	unsigned nfds;
	int ret;

	ret = vhost_user_msg_recv(vu->fd, &h, &p, sizeof(p), NULL, 0, &nfds, vu->timeout_ms, cause,
				  sizeof(cause));
	if (ret)
		return vu_broken(vu, req, ret, cause, err, errlen);
	if (h.request != req) {
		snprintf(cause, sizeof(cause), "a reply to %s (%u)",
			 vhost_user_request_name(h.request), h.request);
		return vu_broken(vu, req, -EPROTO, cause, err, errlen);
	}
	if ((h.flags & ~VHOST_USER_VERSION_MASK) != VHOST_USER_REPLY_MASK) {
		snprintf(cause, sizeof(cause), "reply flags 0x%x (want 0x%x: version 1 and REPLY)",
			 h.flags, VHOST_USER_VERSION | VHOST_USER_REPLY_MASK);
		return vu_broken(vu, req, -EBADMSG, cause, err, errlen);
	}
	if (h.size != want && !(allow_empty && h.size == 0)) {
		snprintf(cause, sizeof(cause), "a reply of %u bytes, not %u", h.size, want);
		return vu_broken(vu, req, -EMSGSIZE, cause, err, errlen);
	}
	memcpy(buf, &p, h.size);
	return (int)h.size;
}

int vu_call(struct vhost_user *vu, uint32_t req, const void *payload, uint32_t size, const int *fds,
	    unsigned nfds, void *reply, uint32_t reply_size, bool allow_empty, char *err,
	    size_t errlen)
{
	bool ack = !reply && (vu->protocol_features & BIT_ULL(VHOST_USER_PROTOCOL_F_REPLY_ACK));
	struct vhost_user_hdr h = {
		.request = req,
		.flags = VHOST_USER_VERSION | (ack ? VHOST_USER_NEED_REPLY : 0),
		.size = size,
	};
	char cause[160];
	uint64_t status;
	int ret;

	if (vu->fd < 0)
		return vu_fail(vu, req, -ENOTCONN, err, errlen,
			       "not connected (closed after an earlier error)");
	ret = vhost_user_msg_send(vu->fd, &h, payload, fds, nfds, vu->timeout_ms, cause,
				  sizeof(cause));
	if (ret)
		return vu_broken(vu, req, ret, cause, err, errlen);
	if (reply)
		return vu_reply(vu, req, reply, reply_size, allow_empty, err, errlen);
	if (!ack)
		return 0;
	ret = vu_reply(vu, req, &status, sizeof(status), false, err, errlen);
	if (ret < 0)
		return ret;
	if (status)
		return vu_fail(vu, req, -EREMOTEIO, err, errlen,
			       "the back end refused it (REPLY_ACK status %llu)",
			       (unsigned long long)status);
	return 0;
}

static int vu_get_u64(struct vhost_user *vu, uint32_t req, uint64_t *v, char *err, size_t errlen)
{
	int ret = vu_call(vu, req, NULL, 0, NULL, 0, v, sizeof(*v), false, err, errlen);

	return ret < 0 ? ret : 0;
}

static int vu_set_u64(struct vhost_user *vu, uint32_t req, uint64_t v, char *err, size_t errlen)
{
	return vu_call(vu, req, &v, sizeof(v), NULL, 0, NULL, 0, false, err, errlen);
}

/* GET_QUEUE_NUM and GET_MAX_MEM_SLOTS: a count that must be 1..UINT32_MAX. */
static int vu_get_count(struct vhost_user *vu, uint32_t req, uint32_t *out, char *err,
			size_t errlen)
{
	uint64_t v;
	int ret = vu_get_u64(vu, req, &v, err, errlen);

	if (ret)
		return ret;
	if (!v || v > UINT32_MAX)
		return vu_fail(vu, req, -ERANGE, err, errlen, "the back end reports %llu",
			       (unsigned long long)v);
	*out = (uint32_t)v;
	return 0;
}

int vhost_user_handshake(struct vhost_user *vu, uint64_t want, char *err, size_t errlen)
{
	uint64_t theirs;
	int ret;

	if (want & ~(uint64_t)VHOST_USER_FRONTEND_PROTOCOL_FEATURES)
		return vu_fail(vu, VHOST_USER_SET_PROTOCOL_FEATURES, -EINVAL, err, errlen,
			       "protocol features 0x%llx are not implemented here",
			       (unsigned long long)(want & ~VHOST_USER_FRONTEND_PROTOCOL_FEATURES));
	vu->protocol_features = 0;
	ret = vu_call(vu, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0, NULL, 0, false, err, errlen);
	if (!ret)
		ret = vu_get_u64(vu, VHOST_USER_GET_FEATURES, &vu->features, err, errlen);
	if (ret || !(vu->features & BIT_ULL(VHOST_USER_F_PROTOCOL_FEATURES)))
		return ret;
	ret = vu_get_u64(vu, VHOST_USER_GET_PROTOCOL_FEATURES, &theirs, err, errlen);
	if (!ret)
		ret = vu_set_u64(vu, VHOST_USER_SET_PROTOCOL_FEATURES, theirs & want, err, errlen);
	if (ret)
		return ret;
	/* From here on REPLY_ACK (if negotiated) applies. */
	vu->protocol_features = theirs & want;
	if (vu->protocol_features & BIT_ULL(VHOST_USER_PROTOCOL_F_MQ)) {
		ret = vu_get_count(vu, VHOST_USER_GET_QUEUE_NUM, &vu->queue_num, err, errlen);
		if (ret)
			return ret;
	}
	if (vu->protocol_features & BIT_ULL(VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS))
		return vu_get_count(vu, VHOST_USER_GET_MAX_MEM_SLOTS, &vu->max_mem_slots, err,
				    errlen);
	return 0;
}

int vhost_user_set_features(struct vhost_user *vu, uint64_t features, char *err, size_t errlen)
{
	uint64_t proto = vu->features & BIT_ULL(VHOST_USER_F_PROTOCOL_FEATURES);
	int ret;

	if (features & ~vu->features)
		return vu_fail(vu, VHOST_USER_SET_FEATURES, -EINVAL, err, errlen,
			       "features 0x%llx were not offered by the back end",
			       (unsigned long long)(features & ~vu->features));
	ret = vu_set_u64(vu, VHOST_USER_SET_FEATURES, features | proto, err, errlen);
	if (!ret)
		vu->acked_features = features | proto;
	return ret;
}

int vhost_user_get_config(struct vhost_user *vu, uint32_t offset, void *buf, uint32_t size,
			  char *err, size_t errlen)
{
	struct vhost_user_config req = {.offset = offset, .size = size}, rep;
	int ret;

	if (!(vu->protocol_features & BIT_ULL(VHOST_USER_PROTOCOL_F_CONFIG)))
		return vu_fail(vu, VHOST_USER_GET_CONFIG, -ENOTSUP, err, errlen,
			       "PROTOCOL_F_CONFIG was not negotiated");
	if (!size || size > VHOST_USER_MAX_CONFIG_SIZE ||
	    offset > VHOST_USER_MAX_CONFIG_SIZE - size)
		return vu_fail(vu, VHOST_USER_GET_CONFIG, -EINVAL, err, errlen,
			       "%u bytes at %u: outside the %u-byte config space", size, offset,
			       VHOST_USER_MAX_CONFIG_SIZE);
	ret = vu_call(vu, VHOST_USER_GET_CONFIG, &req, VHOST_USER_CONFIG_HDR_SIZE + size, NULL, 0,
		      &rep, VHOST_USER_CONFIG_HDR_SIZE + size, true, err, errlen);
	if (ret < 0)
		return ret;
	if (!ret)
		return vu_fail(vu, VHOST_USER_GET_CONFIG, -EREMOTEIO, err, errlen,
			       "the back end refused it (an empty reply)");
	if (rep.offset != offset || rep.size != size) {
		vhost_user_close(vu);
		return vu_fail(vu, VHOST_USER_GET_CONFIG, -EPROTO, err, errlen,
			       "a reply for %u bytes at %u, not %u at %u", rep.size, rep.offset,
			       size, offset);
	}
	memcpy(buf, rep.region, size);
	return 0;
}
