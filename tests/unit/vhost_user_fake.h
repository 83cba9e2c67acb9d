/* SPDX-License-Identifier: MIT */
/* The fake vhost-user back end of tests/unit/test_vhost_user.c: a thread on
 * the other end of a socketpair that reads every message with its own
 * recvmsg, records it, and answers as a back end would, or wrongly, or not
 * at all, or dies, as the test asks; and the fd and clock helpers the tests
 * use. Functions are static: one test program includes it. */
#ifndef TESTS_UNIT_VHOST_USER_FAKE_H
#define TESTS_UNIT_VHOST_USER_FAKE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/virtio_config.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "devices/vhost_user/vhost_user.h"

static char err[256];

/* ---- the fake back end ----------------------------------------------------- */

#define FAKE_MAX_MSGS 64
#define FAKE_WAIT_MS  5000 /* the fake's own safety net: it never hangs a test */

struct rec {
	struct vhost_user_hdr h;
	uint8_t p[512];
	int fds[VHOST_USER_MAX_FDS];
	unsigned nfds;
};

/* How the reply to message number bad_at (1-based) goes wrong. */
enum bad {
	BAD_NONE,
	BAD_REQUEST,	 /* the reply names another request */
	BAD_VERSION,	 /* version 2 */
	BAD_NO_REPLY,	 /* the REPLY flag missing */
	BAD_EXTRA_FLAG,	 /* NEED_REPLY set on the reply */
	BAD_SHORT,	 /* 4 payload bytes instead of 8 */
	BAD_HUGE,	 /* a header announcing 4096 bytes */
	BAD_FD,		 /* an fd rides along */
	BAD_MANY_FDS,	 /* 12 fds: more than any message may carry */
	BAD_REFUSE,	 /* REPLY_ACK status 1 */
	BAD_SILENT,	 /* no reply at all */
	BAD_PARTIAL,	 /* 6 bytes of a header, then nothing */
	BAD_EMPTY,	 /* size 0 */
	BAD_INDEX,	 /* GET_VRING_BASE for another vring */
	BAD_CONFIG_OFFS, /* GET_CONFIG for another offset */
};

struct fake {
	int fd;
	pthread_t thread;
	uint64_t features, protocol_features, queue_num, max_mem_slots;
	unsigned die_after; /* close after receiving this many messages; 0: never */
	unsigned bad_at;
	enum bad bad;
	bool bad_with_fd; /* add an fd to the bad reply */
	bool never_read;  /* read nothing, just wait for the front end to go */
	struct rec msgs[FAKE_MAX_MSGS];
	unsigned n;
};

static int wait_in(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, FAKE_WAIT_MS) == 1 ? 0 : -1;
}

/* One message as the front end sent it: 0, or -1 at EOF (or trouble). */
static int fake_recv(int fd, struct rec *r)
{
	char ctl[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_FDS)];
	struct iovec iov = {&r->h, sizeof(r->h)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl,
			    .msg_controllen = sizeof(ctl)};
	size_t got = 0;
	ssize_t n;

	memset(r, 0, sizeof(*r));
	if (wait_in(fd))
		return -1;
	n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_WAITALL);
	if (n != (ssize_t)sizeof(r->h))
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		r->nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(r->fds, CMSG_DATA(c), r->nfds * sizeof(int));
	}
	if (r->h.size > sizeof(r->p))
		return -1;
	while (got < r->h.size) {
		if (wait_in(fd))
			return -1;
		n = read(fd, r->p + got, r->h.size - got);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static void fake_send(int fd, const struct vhost_user_hdr *h, const void *p, size_t len,
		      const int *fds, unsigned nfds)
{
	char ctl[CMSG_SPACE(sizeof(int) * 16)] = {0};
	struct iovec iov[2] = {{(void *)h, sizeof(*h)}, {(void *)p, len}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};

	if (nfds) {
		struct cmsghdr *c;

		mh.msg_control = ctl;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	(void)sendmsg(fd, &mh, MSG_NOSIGNAL);
}

/* The right reply to r (as a back end answers), then spoiled as asked. */
static void fake_answer(struct fake *f, const struct rec *r)
{
	struct vhost_user_hdr h = {r->h.request, VHOST_USER_VERSION | VHOST_USER_REPLY_MASK, 8};
	union vhost_user_payload p = {.u64 = 0};
	bool bad = f->n == f->bad_at;
	int fds[12];
	unsigned nfds = 0;

	switch (r->h.request) {
	case VHOST_USER_GET_FEATURES: p.u64 = f->features; break;
	case VHOST_USER_GET_PROTOCOL_FEATURES: p.u64 = f->protocol_features; break;
	case VHOST_USER_GET_QUEUE_NUM: p.u64 = f->queue_num; break;
	case VHOST_USER_GET_MAX_MEM_SLOTS: p.u64 = f->max_mem_slots; break;
	case VHOST_USER_GET_VRING_BASE:
		memcpy(&p.state, r->p, sizeof(p.state));
		p.state.num = 42 + p.state.index;
		break;
	case VHOST_USER_GET_CONFIG:
		memcpy(&p.config, r->p, r->h.size);
		for (uint32_t i = 0; i < p.config.size && i < VHOST_USER_MAX_CONFIG_SIZE; i++)
			p.config.region[i] = (uint8_t)(p.config.offset + i);
		h.size = r->h.size;
		break;
	default:
		if (!(r->h.flags & VHOST_USER_NEED_REPLY) && !bad)
			return;
	}
	if (bad) {
		switch (f->bad) {
		case BAD_NONE: break;
		case BAD_REQUEST: h.request = VHOST_USER_GET_STATUS; break;
		case BAD_VERSION: h.flags = 2 | VHOST_USER_REPLY_MASK; break;
		case BAD_NO_REPLY: h.flags = VHOST_USER_VERSION; break;
		case BAD_EXTRA_FLAG: h.flags |= VHOST_USER_NEED_REPLY; break;
		case BAD_SHORT: h.size = 4; break;
		case BAD_HUGE: h.size = 4096; break;
		case BAD_FD: fds[nfds++] = eventfd(0, EFD_CLOEXEC); break;
		case BAD_MANY_FDS:
			while (nfds < 12)
				fds[nfds++] = eventfd(0, EFD_CLOEXEC);
			break;
		case BAD_REFUSE: p.u64 = 1; break;
		case BAD_SILENT: return;
		case BAD_PARTIAL: {
			ssize_t w = write(f->fd, &h, 6);

			(void)w;
			return;
		}
		case BAD_EMPTY: h.size = 0; break;
		case BAD_INDEX: p.state.index++; break;
		case BAD_CONFIG_OFFS: p.config.offset++; break;
		}
		if (f->bad_with_fd)
			fds[nfds++] = eventfd(0, EFD_CLOEXEC);
	}
	fake_send(f->fd, &h, &p, h.size > sizeof(p) ? 0 : h.size, fds, nfds);
	for (unsigned i = 0; i < nfds; i++)
		close(fds[i]);
}

static void *fake_run(void *arg)
{
	struct fake *f = arg;

	if (f->never_read) {
		struct pollfd p = {.fd = f->fd, .events = POLLRDHUP};

		(void)poll(&p, 1, FAKE_WAIT_MS);
	}
	while (!f->never_read && f->n < FAKE_MAX_MSGS) {
		struct rec *r = &f->msgs[f->n];

		if (fake_recv(f->fd, r))
			break;
		f->n++;
		if (f->n == f->die_after)
			break;
		fake_answer(f, r);
	}
	close(f->fd);
	return NULL;
}

/* Features a virtio-fs back end offers (virtiofsd: VERSION_1, and the
 * vhost-user protocol features). */
#define FAKE_FEATURES (BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VHOST_USER_F_PROTOCOL_FEATURES))
#define ALL_PF	      VHOST_USER_FRONTEND_PROTOCOL_FEATURES
#define PF(x)	      BIT_ULL(VHOST_USER_PROTOCOL_F_##x)

static void fake_defaults(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->features = FAKE_FEATURES;
	f->protocol_features = ALL_PF | PF(BACKEND_REQ) | PF(LOG_SHMFD);
	f->queue_num = 2;
	f->max_mem_slots = 32;
}

static void fake_start(struct fake *f, struct vhost_user *vu, int timeout_ms)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	vhost_user_init(vu, sv[0], "test.sock", timeout_ms);
	f->fd = sv[1];
	assert_int_equal(pthread_create(&f->thread, NULL, fake_run, f), 0);
}

/* Close the front end and wait for the fake to see it go. */
static void fake_join(struct fake *f, struct vhost_user *vu)
{
	vhost_user_close(vu);
	assert_int_equal(pthread_join(f->thread, NULL), 0);
}

/* Close the fds the fake received. */
static void fake_close_fds(struct fake *f)
{
	for (unsigned i = 0; i < f->n; i++)
		for (unsigned j = 0; j < f->msgs[i].nfds; j++)
			close(f->msgs[i].fds[j]);
}

static void fake_finish(struct fake *f, struct vhost_user *vu)
{
	fake_join(f, vu);
	fake_close_fds(f);
}

static unsigned open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static int64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif /* TESTS_UNIT_VHOST_USER_FAKE_H */
