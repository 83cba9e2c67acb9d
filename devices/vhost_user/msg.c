// SPDX-License-Identifier: MIT
/* vhost-user message framing: one message is a 12-byte header and its
 * payload on a SOCK_STREAM UNIX socket, with fds as SCM_RIGHTS on the
 * header. Every wait is a poll() bounded by a deadline; sockets are used
 * with MSG_DONTWAIT, so a blocking fd never blocks us either. */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "devices/vhost_user/internal.h"

/* Wait until fd is ready for events, or the deadline. 0, -ETIMEDOUT, or
 * -errno. POLLHUP/POLLERR count as ready: the read or write reports them. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = {.fd = fd, .events = events};
	int64_t left = deadline - vhost_user_now_ms();
	int n;

	if (left <= 0)
		return -ETIMEDOUT;
	n = poll(&p, 1, left > 1000000 ? 1000000 : (int)left);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	return n ? 0 : -ETIMEDOUT;
}

static bool peer_gone(int e)
{
	return e == EPIPE || e == ECONNRESET;
}

int vhost_user_msg_send(int fd, const struct vhost_user_hdr *hdr, const void *payload,
			const int *fds, unsigned nfds, int timeout_ms, char *err, size_t errlen)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov[2] = {{(void *)hdr, sizeof(*hdr)}, {(void *)payload, hdr->size}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = hdr->size ? 2 : 1};
	int64_t deadline = vhost_user_now_ms() + timeout_ms;
	size_t left = sizeof(*hdr) + hdr->size;

	if (nfds > VHOST_USER_MAX_FDS || hdr->size > VHOST_USER_PAYLOAD_MAX) {
		snprintf(err, errlen, "%u fds, %u payload bytes: too many", nfds, hdr->size);
		return -EINVAL;
	}
	if (nfds) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	/* Each turn sends at least a byte or waits towards the deadline. The
	 * fds go with the first byte only. */
	while (left) {
		ssize_t n = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		int ret;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				ret = -errno;
				snprintf(err, errlen, "send: %s%s", strerror(-ret),
					 peer_gone(-ret) ? " (the back end closed the connection)"
							 : "");
				return peer_gone(-ret) ? -ECONNRESET : ret;
			}
			ret = wait_fd(fd, POLLOUT, deadline);
			if (ret) {
				if (ret == -ETIMEDOUT)
					snprintf(err, errlen,
						 "no room to send within %d ms (the back end "
						 "reads nothing)",
						 timeout_ms);
				else
					snprintf(err, errlen, "poll: %s", strerror(-ret));
				return ret;
			}
			continue;
		}
		left -= (size_t)n;
		mh.msg_control = NULL;
		mh.msg_controllen = 0;
		while (n > 0 && mh.msg_iovlen) {
			size_t k =
				(size_t)n < mh.msg_iov->iov_len ? (size_t)n : mh.msg_iov->iov_len;

			mh.msg_iov->iov_base = (char *)mh.msg_iov->iov_base + k;
			mh.msg_iov->iov_len -= k;
			n -= (ssize_t)k;
			if (!mh.msg_iov->iov_len) {
				mh.msg_iov++;
				mh.msg_iovlen--;
			}
		}
	}
	return 0;
}

/* The fds of one message, gathered over its reads. */
struct fd_set_rx {
	int fd[VHOST_USER_MAX_FDS];
	unsigned n;
	bool overflow; /* more than fit, or MSG_CTRUNC */
};

static void fds_close(struct fd_set_rx *rx)
{
	for (unsigned i = 0; i < rx->n; i++)
		close(rx->fd[i]);
	rx->n = 0;
}

/* Keep the SCM_RIGHTS fds of mh; close (and count as overflow) any beyond
 * the array, and anything that is not SCM_RIGHTS. */
static void fds_take(struct fd_set_rx *rx, struct msghdr *mh)
{
	if (mh->msg_flags & MSG_CTRUNC)
		rx->overflow = true;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		size_t cnt;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
			rx->overflow = true;
			continue;
		}
		cnt = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < cnt; i++) {
			int f;

			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (rx->n < VHOST_USER_MAX_FDS) {
				rx->fd[rx->n++] = f;
			} else {
				close(f);
				rx->overflow = true;
			}
		}
	}
}

/* Read exactly len bytes by the deadline, gathering fds. */
static int recv_exact(int fd, void *buf, size_t len, int64_t deadline, int timeout_ms,
		      struct fd_set_rx *rx, char *err, size_t errlen)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	size_t got = 0;

	while (got < len) {
		struct iovec iov = {(char *)buf + got, len - got};
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = ctl.buf,
				    .msg_controllen = sizeof(ctl.buf)};
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		int ret;

		if (n > 0) {
			fds_take(rx, &mh);
			got += (size_t)n;
			continue;
		}
		if (n == 0 || (n < 0 && errno == ECONNRESET)) {
			snprintf(err, errlen, "the back end closed the connection (%s)",
				 n == 0 ? "EOF" : "ECONNRESET");
			return -ECONNRESET;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			ret = -errno;
			snprintf(err, errlen, "receive: %s", strerror(-ret));
			return ret;
		}
		ret = wait_fd(fd, POLLIN, deadline);
		if (ret == -ETIMEDOUT) {
			snprintf(err, errlen, "no reply within %d ms%s", timeout_ms,
				 got ? " (a partial message)" : "");
			return ret;
		}
		if (ret) {
			snprintf(err, errlen, "poll: %s", strerror(-ret));
			return ret;
		}
	}
	return 0;
}

int vhost_user_msg_recv(int fd, struct vhost_user_hdr *hdr, void *payload, size_t payload_max,
			int *fds, unsigned max_fds, unsigned *nfds, int timeout_ms, char *err,
			size_t errlen)
{
	int64_t deadline = vhost_user_now_ms() + timeout_ms;
	struct fd_set_rx rx = {.n = 0};
	int ret;

	*nfds = 0;
	ret = recv_exact(fd, hdr, sizeof(*hdr), deadline, timeout_ms, &rx, err, errlen);
	if (ret)
		goto close_fds;
	if ((hdr->flags & VHOST_USER_VERSION_MASK) != VHOST_USER_VERSION) {
		snprintf(err, errlen, "a message of version %u (flags 0x%x), not %u",
			 hdr->flags & VHOST_USER_VERSION_MASK, hdr->flags, VHOST_USER_VERSION);
		ret = -EBADMSG;
		goto close_fds;
	}
	if (hdr->size > payload_max) {
		snprintf(err, errlen, "a payload of %u bytes, more than the %zu expected",
			 hdr->size, payload_max);
		ret = -EMSGSIZE;
		goto close_fds;
	}
	ret = recv_exact(fd, payload, hdr->size, deadline, timeout_ms, &rx, err, errlen);
	if (ret)
		goto close_fds;
	if (rx.overflow || rx.n > max_fds) {
		if (rx.overflow)
			snprintf(err, errlen,
				 "a message with too many file descriptors "
				 "(or a truncated control message)");
		else
			snprintf(err, errlen, "a message with %u file descriptors (%u expected)",
				 rx.n, max_fds);
		ret = -EBADFD;
		goto close_fds;
	}
	if (rx.n)
		memcpy(fds, rx.fd, rx.n * sizeof(int));
	*nfds = rx.n;
	return 0;

close_fds:
	fds_close(&rx);
	return ret;
}
