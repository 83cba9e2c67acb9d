// SPDX-License-Identifier: MIT
/* The per-vring requests, and starting and stopping a ring with them. */
#include <errno.h>

#include "devices/vhost_user/internal.h"

/* index must fit the 8 bits of the kick/call payload, and be one of the
 * back end's queues when it told us how many (MQ). */
static int check_index(struct vhost_user *vu, uint32_t req, unsigned index, char *err,
		       size_t errlen)
{
	if (index > VHOST_USER_VRING_IDX_MASK || (vu->queue_num && index >= vu->queue_num))
		return vu_fail(vu, req, -EINVAL, err, errlen,
			       "vring %u: the back end has %u vrings", index,
			       vu->queue_num ? vu->queue_num : VHOST_USER_VRING_IDX_MASK + 1);
	return 0;
}

static int set_state(struct vhost_user *vu, uint32_t req, unsigned index, unsigned num, char *err,
		     size_t errlen)
{
	struct vhost_vring_state s = {.index = index, .num = num};
	int ret = check_index(vu, req, index, err, errlen);

	if (ret)
		return ret;
	return vu_call(vu, req, &s, sizeof(s), NULL, 0, NULL, 0, false, err, errlen);
}

int vhost_user_set_vring_num(struct vhost_user *vu, unsigned index, unsigned num, char *err,
			     size_t errlen)
{
	return set_state(vu, VHOST_USER_SET_VRING_NUM, index, num, err, errlen);
}

int vhost_user_set_vring_base(struct vhost_user *vu, unsigned index, unsigned base, char *err,
			      size_t errlen)
{
	return set_state(vu, VHOST_USER_SET_VRING_BASE, index, base, err, errlen);
}

int vhost_user_set_vring_enable(struct vhost_user *vu, unsigned index, bool enable, char *err,
				size_t errlen)
{
	if (!(vu->acked_features & BIT_ULL(VHOST_USER_F_PROTOCOL_FEATURES)))
		return vu_fail(vu, VHOST_USER_SET_VRING_ENABLE, -ENOTSUP, err, errlen,
			       "F_PROTOCOL_FEATURES was not acked (the rings are always enabled)");
	return set_state(vu, VHOST_USER_SET_VRING_ENABLE, index, enable, err, errlen);
}

int vhost_user_set_vring_addr(struct vhost_user *vu, const struct vhost_vring_addr *addr, char *err,
			      size_t errlen)
{
	int ret = check_index(vu, VHOST_USER_SET_VRING_ADDR, addr->index, err, errlen);

	if (ret)
		return ret;
	return vu_call(vu, VHOST_USER_SET_VRING_ADDR, addr, sizeof(*addr), NULL, 0, NULL, 0, false,
		       err, errlen);
}

int vhost_user_get_vring_base(struct vhost_user *vu, unsigned index, unsigned *base, char *err,
			      size_t errlen)
{
	struct vhost_vring_state s = {.index = index}, rep;
	int ret = check_index(vu, VHOST_USER_GET_VRING_BASE, index, err, errlen);

	if (ret)
		return ret;
	ret = vu_call(vu, VHOST_USER_GET_VRING_BASE, &s, sizeof(s), NULL, 0, &rep, sizeof(rep),
		      false, err, errlen);
	if (ret < 0)
		return ret;
	if (rep.index != index) {
		vhost_user_close(vu);
		return vu_fail(vu, VHOST_USER_GET_VRING_BASE, -EPROTO, err, errlen,
			       "a reply for vring %u, not %u", rep.index, index);
	}
	*base = rep.num;
	return 0;
}

/* SET_VRING_KICK/CALL: u64 index, with the "no fd" bit when fd is -1. */
static int set_vring_fd(struct vhost_user *vu, uint32_t req, unsigned index, int fd, char *err,
			size_t errlen)
{
	uint64_t v = index | (fd < 0 ? VHOST_USER_VRING_NOFD_MASK : 0);
	int ret = check_index(vu, req, index, err, errlen);

	if (ret)
		return ret;
	return vu_call(vu, req, &v, sizeof(v), &fd, fd < 0 ? 0 : 1, NULL, 0, false, err, errlen);
}

int vhost_user_set_vring_kick(struct vhost_user *vu, unsigned index, int fd, char *err,
			      size_t errlen)
{
	return set_vring_fd(vu, VHOST_USER_SET_VRING_KICK, index, fd, err, errlen);
}

int vhost_user_set_vring_call(struct vhost_user *vu, unsigned index, int fd, char *err,
			      size_t errlen)
{
	return set_vring_fd(vu, VHOST_USER_SET_VRING_CALL, index, fd, err, errlen);
}

int vhost_user_vring_start(struct vhost_user *vu, const struct vhost_user_vring *q, char *err,
			   size_t errlen)
{
	struct vhost_vring_addr a = {
		.index = q->index,
		.desc_user_addr = q->desc,
		.used_user_addr = q->used,
		.avail_user_addr = q->avail,
	};
	int ret;

	ret = vhost_user_set_vring_num(vu, q->index, q->num, err, errlen);
	if (!ret)
		ret = vhost_user_set_vring_base(vu, q->index, q->base, err, errlen);
	if (!ret)
		ret = vhost_user_set_vring_addr(vu, &a, err, errlen);
	if (!ret)
		ret = vhost_user_set_vring_call(vu, q->index, q->call_fd, err, errlen);
	if (!ret)
		ret = vhost_user_set_vring_kick(vu, q->index, q->kick_fd, err, errlen);
	if (!ret && (vu->acked_features & BIT_ULL(VHOST_USER_F_PROTOCOL_FEATURES)))
		ret = vhost_user_set_vring_enable(vu, q->index, true, err, errlen);
	return ret;
}

int vhost_user_vring_stop(struct vhost_user *vu, unsigned index, unsigned *base, char *err,
			  size_t errlen)
{
	int ret = 0;

	if (vu->acked_features & BIT_ULL(VHOST_USER_F_PROTOCOL_FEATURES))
		ret = vhost_user_set_vring_enable(vu, index, false, err, errlen);
	if (!ret)
		ret = vhost_user_get_vring_base(vu, index, base, err, errlen);
	return ret;
}
