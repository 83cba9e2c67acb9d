// SPDX-License-Identifier: MIT
/* Unit tests for the TAP back-end (devices/virtio/tap.c). They create
 * TAPs named vmmtest<N>, which disappear when closed; they skip when
 * /dev/net/tun is missing or we may not create TAPs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/skip.h"
#include "devices/virtio/tap.h"

static char err[256];

/* Skip unless a TAP can be created here. */
static void need_tap(const char *test)
{
	struct net_backend be;

	if (access("/dev/net/tun", R_OK | W_OK))
		skip_because(test, "no read-write /dev/net/tun");
	if (tap_open(&be, "vmmtest%d", err, sizeof(err)))
		skip_because(test, "no TAP device can be made here: %s", err);
	tap_close(&be);
}

static void test_open_creates_with_vnet_hdr(void **state)
{
	struct net_backend be;
	struct ifreq ifr = {0};
	int sz = 0;

	(void)state;
	need_tap(__func__);
	assert_int_equal(tap_open(&be, "vmmtest%d", err, sizeof(err)), 0);
	assert_true(be.fd >= 0);
	assert_ptr_equal(be.ops, &tap_backend_ops);
	assert_memory_equal(be.name, "vmmtest", 7);
	assert_int_equal(ioctl(be.fd, TUNGETIFF, &ifr), 0);
	assert_int_equal(ifr.ifr_flags & (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR),
			 IFF_TAP | IFF_NO_PI | IFF_VNET_HDR);
	assert_false(ifr.ifr_flags & IFF_PERSIST);
	assert_int_equal(ioctl(be.fd, TUNGETVNETHDRSZ, &sz), 0);
	assert_int_equal(sz, sizeof(struct virtio_net_hdr_mrg_rxbuf));
	assert_true(fcntl(be.fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(be.fd, F_GETFD) & FD_CLOEXEC);
	/* Linux TAPs accept every offload we may ask for. */
	assert_int_equal(be.offloads, TAP_OFFLOADS_ALL);
	assert_int_equal(be.ops->set_offload(&be, TAP_OFFLOADS_ALL), 0);
	assert_int_equal(be.ops->set_offload(&be, TUN_F_CSUM), 0);
	assert_int_equal(be.ops->set_offload(&be, 0), 0);
	/* TSO without CSUM is refused by the kernel: the device never asks. */
	assert_int_equal(be.ops->set_offload(&be, TUN_F_TSO4), -EINVAL);
	tap_close(&be);
	assert_int_equal(be.fd, -1);
	tap_close(&be);
}

static void test_nothing_to_read(void **state)
{
	struct net_backend be;
	char buf[64];
	struct iovec iov = {buf, sizeof(buf)};

	(void)state;
	need_tap(__func__);
	assert_int_equal(tap_open(&be, "vmmtest%d", err, sizeof(err)), 0);
	/* The interface is down: nothing arrives, and we do not block. */
	assert_int_equal(be.ops->recv(&be, &iov, 1), -EAGAIN);
	tap_close(&be);
}

/* A persistent TAP made by hand, then attached by name. */
static void test_attach_existing_and_busy(void **state)
{
	struct net_backend be, be2;
	struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR};
	char name[IFNAMSIZ];
	int fd;

	(void)state;
	need_tap(__func__);
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	strcpy(ifr.ifr_name, "vmmtest%d");
	assert_int_equal(ioctl(fd, TUNSETIFF, &ifr), 0);
	assert_int_equal(ioctl(fd, TUNSETPERSIST, 1), 0);
	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	close(fd);

	assert_int_equal(tap_open(&be, name, err, sizeof(err)), 0);
	assert_string_equal(be.name, name);
	/* A single-queue TAP takes one user at a time. */
	assert_int_equal(tap_open(&be2, name, err, sizeof(err)), -EBUSY);
	assert_non_null(strstr(err, name));
	assert_non_null(strstr(err, "busy"));
	assert_int_equal(be2.fd, -1);

	/* Delete it: clear the persist flag on our attachment. */
	assert_int_equal(ioctl(be.fd, TUNSETPERSIST, 0), 0);
	tap_close(&be);
}

static void test_tun_is_not_a_tap(void **state)
{
	struct net_backend be;
	struct ifreq ifr = {.ifr_flags = IFF_TUN | IFF_NO_PI};
	int fd;

	(void)state;
	need_tap(__func__);
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	strcpy(ifr.ifr_name, "vmmtest%d");
	assert_int_equal(ioctl(fd, TUNSETIFF, &ifr), 0);
	assert_int_equal(tap_open(&be, ifr.ifr_name, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ifr.ifr_name));
	close(fd);
}

static void test_bad_names(void **state)
{
	struct net_backend be;

	(void)state;
	assert_int_equal(tap_open(&be, "", err, sizeof(err)), -EINVAL);
	assert_int_equal(tap_open(&be, "a-name-that-is-too-long", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "a-name-that-is-too-long"));
	assert_int_equal(be.fd, -1);
}

/* Without CAP_NET_ADMIN a missing TAP cannot be created. */
static void test_create_needs_cap(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	need_tap(__func__);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct net_backend be;
		int r;

		capng_clear(CAPNG_SELECT_BOTH);
		if (capng_apply(CAPNG_SELECT_BOTH))
			_exit(2);
		r = tap_open(&be, "vmmnocap0", err, sizeof(err));
		_exit(r == -EPERM && strstr(err, "vmmnocap0") && strstr(err, "CAP_NET_ADMIN") ? 0
											      : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_creates_with_vnet_hdr),
		cmocka_unit_test(test_nothing_to_read),
		cmocka_unit_test(test_attach_existing_and_busy),
		cmocka_unit_test(test_tun_is_not_a_tap),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_create_needs_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
