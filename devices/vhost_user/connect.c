// SPDX-License-Identifier: MIT
/* Connecting to a back end's socket, which a back end the VMM just started
 * creates a little later: retry until a deadline. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "devices/vhost_user/internal.h"

#define RETRY_MS 10 /* between two attempts */

/* One attempt, non-blocking (a back end whose listen backlog is full must
 * not hold us: that is EAGAIN, retried). The fd (blocking again), or -errno. */
static int try_connect(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int ret;

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

/* Worth another attempt: no socket yet, or nobody accepting yet. */
static bool retry(int ret)
{
	return ret == -ENOENT || ret == -ECONNREFUSED || ret == -EAGAIN || ret == -EINTR;
}

int vhost_user_connect(const char *path, int timeout_ms, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int64_t deadline = vhost_user_now_ms() + timeout_ms;
	int ret;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "vhost-user %s: the socket path is longer than %zu bytes",
			 path, sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	/* Bounded by the deadline: each turn sleeps RETRY_MS. */
	for (;;) {
		struct timespec pause = {0, RETRY_MS * 1000000L};

		ret = try_connect(&sa);
		if (ret >= 0)
			return ret;
		if (!retry(ret)) {
			snprintf(err, errlen, "vhost-user %s: connect: %s", path, strerror(-ret));
			return ret;
		}
		if (vhost_user_now_ms() >= deadline)
			break;
		nanosleep(&pause, NULL);
	}
	snprintf(err, errlen, "vhost-user %s: the back end's socket did not %s within %d ms", path,
		 ret == -ENOENT ? "appear" : "accept connections", timeout_ms);
	return -ETIMEDOUT;
}
