// SPDX-License-Identifier: MIT
/* TAP back-end: open, configure and probe a TAP; read and write packets. */
#include "devices/virtio/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/types.h"

#define TAP_DEV	  "/dev/net/tun"
#define TAP_FLAGS (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR)

static ssize_t tap_recv(struct net_backend *be, const struct iovec *iov, int n)
{
	ssize_t r = readv(be->fd, iov, n);

	return r < 0 ? -errno : r;
}

static ssize_t tap_send(struct net_backend *be, const struct iovec *iov, int n)
{
	ssize_t r = writev(be->fd, iov, n);

	return r < 0 ? -errno : r;
}

static int tap_set_offload(struct net_backend *be, unsigned tun_flags)
{
	return ioctl(be->fd, TUNSETOFFLOAD, (unsigned long)tun_flags) < 0 ? -errno : 0;
}

const struct net_backend_ops tap_backend_ops = {
	.recv = tap_recv,
	.send = tap_send,
	.set_offload = tap_set_offload,
};

/* Why TUNSETIFF failed, in words. */
static const char *tap_setiff_cause(int e)
{
	switch (e) {
	case EPERM:
		return "permission denied (it does not exist and creating it needs "
		       "CAP_NET_ADMIN, or it belongs to another user or group)";
	case EBUSY: return "busy (already attached by another process)";
	case EINVAL: return "exists with other flags (a TUN, or a multi-queue TAP?)";
	default: return strerror(e);
	}
}

/* Largest set of offloads the TAP accepts, tried from the richest down;
 * left disabled afterwards (the guest has not negotiated any yet). */
static unsigned tap_probe_offloads(int fd)
{
	static const unsigned tries[] = {
		TAP_OFFLOADS_ALL,
		TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6,
		TUN_F_CSUM,
	};
	unsigned got = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(tries) && !got; i++)
		if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)tries[i]) == 0)
			got = tries[i];
	if (ioctl(fd, TUNSETOFFLOAD, 0ul) < 0)
		return 0;
	return got;
}

static int tap_fail(struct net_backend *be, int e, char *err, size_t errlen, const char *name,
		    const char *what, const char *cause)
{
	snprintf(err, errlen, "tap %s: %s: %s", name, what, cause);
	tap_close(be);
	return -e;
}

int tap_open(struct net_backend *be, const char *name, char *err, size_t errlen)
{
	int hdr_sz = sizeof(struct virtio_net_hdr_mrg_rxbuf);
	struct ifreq ifr = {.ifr_flags = TAP_FLAGS};
	unsigned features = 0;

	memset(be, 0, sizeof(*be));
	be->fd = -1;
	if (!name[0] || strlen(name) >= IFNAMSIZ)
		return tap_fail(be, EINVAL, err, errlen, name, "bad name",
				"empty or longer than 15 characters");
	be->fd = open(TAP_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (be->fd < 0)
		return tap_fail(be, errno, err, errlen, name, "cannot open " TAP_DEV,
				strerror(errno));
	if (ioctl(be->fd, TUNGETFEATURES, &features) == 0 && !(features & IFF_VNET_HDR))
		return tap_fail(be, EOPNOTSUPP, err, errlen, name, TAP_DEV,
				"the kernel has no IFF_VNET_HDR");
	memcpy(ifr.ifr_name, name, strlen(name) + 1);
	if (ioctl(be->fd, TUNSETIFF, &ifr) < 0)
		return tap_fail(be, errno, err, errlen, name, "cannot attach",
				tap_setiff_cause(errno));
	if (ioctl(be->fd, TUNSETVNETHDRSZ, &hdr_sz) < 0)
		return tap_fail(be, errno, err, errlen, name, "cannot set the vnet header size",
				strerror(errno));
	memcpy(be->name, ifr.ifr_name, IFNAMSIZ);
	be->name[IFNAMSIZ - 1] = 0;
	be->ops = &tap_backend_ops;
	be->offloads = tap_probe_offloads(be->fd);
	return 0;
}

void tap_close(struct net_backend *be)
{
	if (be->fd >= 0)
		close(be->fd);
	be->fd = -1;
}
