// SPDX-License-Identifier: MIT
/* Unit tests for the vhost-user front end (devices/vhost_user/). A fake back
 * end runs in a thread on the other end of a socketpair: it reads every
 * message with its own recvmsg (not the code under test), records the
 * header, the payload and the fds it got, and answers as a back end would,
 * or wrongly, or not at all, or dies, as the test asks. The tests check the
 * records once the thread has ended, and count the process's open fds
 * before and after, so that a leaked fd fails the test. */
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

/* ---- a guest and the flow a virtio-fs device will run ------------------------ */

#define REGION_SIZE 0x100000ull
#define NQ	    2

struct guest {
	int memfd;
	uint8_t *mem; /* 2 regions: [0, 1 MiB) at 0 and [4 GiB, +1 MiB) at 1 MiB */
	struct vhost_user_region r[2];
	int kick[NQ], call[NQ];
};

static void guest_init(struct guest *g)
{
	g->memfd = memfd_create("guest", MFD_CLOEXEC);
	assert_true(g->memfd >= 0);
	assert_int_equal(ftruncate(g->memfd, 2 * REGION_SIZE), 0);
	g->mem = mmap(NULL, 2 * REGION_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, g->memfd, 0);
	assert_true(g->mem != MAP_FAILED);
	memcpy(g->mem + 0x1000, "region zero", 12);
	memcpy(g->mem + REGION_SIZE + 0x2000, "region one", 11);
	for (unsigned i = 0; i < 2; i++)
		g->r[i] = (struct vhost_user_region){
			.gpa = i ? 0x100000000ull : 0,
			.size = REGION_SIZE,
			.user_addr = (uint64_t)(uintptr_t)g->mem + i * REGION_SIZE,
			.fd = g->memfd,
			.fd_offset = i * REGION_SIZE,
		};
	for (unsigned q = 0; q < NQ; q++) {
		g->kick[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		g->call[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		assert_true(g->kick[q] >= 0 && g->call[q] >= 0);
	}
}

static void guest_fini(struct guest *g)
{
	munmap(g->mem, 2 * REGION_SIZE);
	close(g->memfd);
	for (unsigned q = 0; q < NQ; q++) {
		close(g->kick[q]);
		close(g->call[q]);
	}
}

static struct vhost_user_vring ring_of(const struct guest *g, unsigned q)
{
	uint64_t base = g->r[0].user_addr + 0x10000 * (q + 1);

	return (struct vhost_user_vring){.index = q,
					 .num = 256,
					 .base = 7 * q,
					 .desc = base,
					 .avail = base + 0x1000,
					 .used = base + 0x2000,
					 .kick_fd = g->kick[q],
					 .call_fd = g->call[q]};
}

/* Handshake, memory, features, NQ rings started, the config read (with
 * CONFIG), the rings stopped. The first error. */
static int flow(struct vhost_user *vu, struct guest *g, uint64_t want)
{
	uint8_t cfg[40];
	int ret;

	ret = vhost_user_handshake(vu, want, err, sizeof(err));
	if (!ret)
		ret = vhost_user_set_mem_table(vu, g->r, 2, err, sizeof(err));
	if (!ret)
		ret = vhost_user_set_features(vu, BIT_ULL(VIRTIO_F_VERSION_1), err, sizeof(err));
	for (unsigned q = 0; q < NQ && !ret; q++) {
		struct vhost_user_vring v = ring_of(g, q);

		ret = vhost_user_vring_start(vu, &v, err, sizeof(err));
	}
	if (!ret && (vu->protocol_features & PF(CONFIG))) {
		ret = vhost_user_get_config(vu, 8, cfg, sizeof(cfg), err, sizeof(err));
		for (unsigned i = 0; !ret && i < sizeof(cfg); i++)
			assert_int_equal(cfg[i], 8 + i);
	}
	for (unsigned q = 0; q < NQ && !ret; q++) {
		unsigned base = 0;

		ret = vhost_user_vring_stop(vu, q, &base, err, sizeof(err));
		if (!ret)
			assert_int_equal(base, 42 + q);
	}
	return ret;
}

/* What the back end must see, written from the spec's point of view. */
struct exp {
	uint32_t req, size;
	bool need_reply;
	unsigned nfds;
};

static unsigned expected(struct exp *e, uint64_t offered, uint64_t pf)
{
	bool proto = offered & BIT_ULL(VHOST_USER_F_PROTOCOL_FEATURES);
	bool ack = pf & PF(REPLY_ACK);
	unsigned n = 0;

#define EXP(r, sz, a, f) (e[n++] = (struct exp){VHOST_USER_##r, (sz), (a), (f)})
	EXP(SET_OWNER, 0, false, 0);
	EXP(GET_FEATURES, 0, false, 0);
	if (proto) {
		EXP(GET_PROTOCOL_FEATURES, 0, false, 0);
		EXP(SET_PROTOCOL_FEATURES, 8, false, 0);
	}
	if (pf & PF(MQ))
		EXP(GET_QUEUE_NUM, 0, false, 0);
	if (pf & PF(CONFIGURE_MEM_SLOTS)) {
		EXP(GET_MAX_MEM_SLOTS, 0, false, 0);
		EXP(ADD_MEM_REG, 40, ack, 1);
		EXP(ADD_MEM_REG, 40, ack, 1);
	} else {
		EXP(SET_MEM_TABLE, 8 + 2 * 32, ack, 2);
	}
	EXP(SET_FEATURES, 8, ack, 0);
	for (unsigned q = 0; q < NQ; q++) {
		EXP(SET_VRING_NUM, 8, ack, 0);
		EXP(SET_VRING_BASE, 8, ack, 0);
		EXP(SET_VRING_ADDR, 40, ack, 0);
		EXP(SET_VRING_CALL, 8, ack, 1);
		EXP(SET_VRING_KICK, 8, ack, 1);
		if (proto)
			EXP(SET_VRING_ENABLE, 8, ack, 0);
	}
	if (pf & PF(CONFIG))
		EXP(GET_CONFIG, 12 + 40, false, 0);
	for (unsigned q = 0; q < NQ; q++) {
		if (proto)
			EXP(SET_VRING_ENABLE, 8, ack, 0);
		EXP(GET_VRING_BASE, 8, false, 0);
	}
#undef EXP
	return n;
}

static const struct rec *find(const struct fake *f, uint32_t req, unsigned nth)
{
	for (unsigned i = 0; i < f->n; i++)
		if (f->msgs[i].h.request == req && !nth--)
			return &f->msgs[i];
	fail_msg("no %s #%u", vhost_user_request_name(req), nth);
	return NULL;
}

static uint64_t u64_of(const struct rec *r)
{
	uint64_t v;

	memcpy(&v, r->p, sizeof(v));
	return v;
}

/* The back end's view of the guest: the fd it got maps the same bytes, and
 * what it writes the front end sees. */
static void check_region_fd(const struct guest *g, int fd, const struct vhost_user_memory_region *w,
			    unsigned i)
{
	uint8_t *m;

	assert_int_equal(w->guest_phys_addr, g->r[i].gpa);
	assert_int_equal(w->memory_size, g->r[i].size);
	assert_int_equal(w->userspace_addr, g->r[i].user_addr);
	assert_int_equal(w->mmap_offset, g->r[i].fd_offset);
	m = mmap(NULL, w->memory_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, w->mmap_offset);
	assert_true(m != MAP_FAILED);
	assert_memory_equal(m, (uint8_t *)(uintptr_t)w->userspace_addr, 0x3000);
	assert_memory_equal(m + (i ? 0x2000 : 0x1000), i ? "region one" : "region zero", 11);
	m[0x10] = (uint8_t)(0xa0 + i);
	assert_int_equal(((uint8_t *)(uintptr_t)w->userspace_addr)[0x10], 0xa0 + i);
	munmap(m, w->memory_size);
}

/* The kick fd the back end got is the guest's kick eventfd; the call fd it
 * got signals the front end's. */
static void check_ring_fds(const struct guest *g, const struct fake *f, unsigned q)
{
	const struct rec *kick = find(f, VHOST_USER_SET_VRING_KICK, q);
	const struct rec *call = find(f, VHOST_USER_SET_VRING_CALL, q);
	uint64_t v = 3;

	assert_int_equal(u64_of(kick), q);
	assert_int_equal(u64_of(call), q);
	assert_int_equal(write(g->kick[q], &v, 8), 8);
	assert_int_equal(read(kick->fds[0], &v, 8), 8);
	assert_int_equal(v, 3);
	v = 5;
	assert_int_equal(write(call->fds[0], &v, 8), 8);
	assert_int_equal(read(g->call[q], &v, 8), 8);
	assert_int_equal(v, 5);
}

static void check_flow(const struct fake *f, const struct guest *g, uint64_t pf)
{
	struct exp e[FAKE_MAX_MSGS];
	unsigned n = expected(e, f->features, pf);

	assert_int_equal(f->n, n);
	for (unsigned i = 0; i < n; i++) {
		const struct rec *r = &f->msgs[i];

		if (r->h.request != e[i].req)
			fail_msg("message %u: %s, expected %s", i,
				 vhost_user_request_name(r->h.request),
				 vhost_user_request_name(e[i].req));
		assert_int_equal(r->h.flags, VHOST_USER_VERSION |
						     (e[i].need_reply ? VHOST_USER_NEED_REPLY : 0));
		assert_int_equal(r->h.size, e[i].size);
		assert_int_equal(r->nfds, e[i].nfds);
	}
	if (f->features & BIT_ULL(VHOST_USER_F_PROTOCOL_FEATURES)) {
		assert_int_equal(u64_of(find(f, VHOST_USER_SET_PROTOCOL_FEATURES, 0)), pf);
		assert_int_equal(u64_of(find(f, VHOST_USER_SET_FEATURES, 0)), FAKE_FEATURES);
	} else {
		assert_int_equal(u64_of(find(f, VHOST_USER_SET_FEATURES, 0)),
				 BIT_ULL(VIRTIO_F_VERSION_1));
	}
	if (pf & PF(CONFIGURE_MEM_SLOTS)) {
		for (unsigned i = 0; i < 2; i++) {
			const struct rec *r = find(f, VHOST_USER_ADD_MEM_REG, i);
			struct vhost_user_memory_single m;

			memcpy(&m, r->p, sizeof(m));
			assert_int_equal(m.padding, 0);
			check_region_fd(g, r->fds[0], &m.region, i);
		}
	} else {
		const struct rec *r = find(f, VHOST_USER_SET_MEM_TABLE, 0);
		struct vhost_user_memory m;

		memcpy(&m, r->p, r->h.size);
		assert_int_equal(m.nregions, 2);
		assert_int_equal(m.padding, 0);
		for (unsigned i = 0; i < 2; i++)
			check_region_fd(g, r->fds[i], &m.regions[i], i);
	}
	for (unsigned q = 0; q < NQ; q++) {
		struct vhost_user_vring v = ring_of(g, q);
		struct vhost_vring_state s;
		struct vhost_vring_addr a;

		memcpy(&s, find(f, VHOST_USER_SET_VRING_NUM, q)->p, 8);
		assert_true(s.index == q && s.num == 256);
		memcpy(&s, find(f, VHOST_USER_SET_VRING_BASE, q)->p, 8);
		assert_true(s.index == q && s.num == 7 * q);
		memcpy(&a, find(f, VHOST_USER_SET_VRING_ADDR, q)->p, sizeof(a));
		assert_int_equal(a.index, q);
		assert_int_equal(a.flags, 0);
		assert_int_equal(a.desc_user_addr, v.desc);
		assert_int_equal(a.avail_user_addr, v.avail);
		assert_int_equal(a.used_user_addr, v.used);
		assert_int_equal(a.log_guest_addr, 0);
		memcpy(&s, find(f, VHOST_USER_GET_VRING_BASE, q)->p, 8);
		assert_int_equal(s.index, q);
		if (f->features & BIT_ULL(VHOST_USER_F_PROTOCOL_FEATURES)) {
			memcpy(&s, find(f, VHOST_USER_SET_VRING_ENABLE, q)->p, 8);
			assert_true(s.index == q && s.num == 1);
			memcpy(&s, find(f, VHOST_USER_SET_VRING_ENABLE, NQ + q)->p, 8);
			assert_true(s.index == q && s.num == 0);
		}
		check_ring_fds(g, f, q);
	}
	if (pf & PF(CONFIG)) {
		struct vhost_user_config c;

		memcpy(&c, find(f, VHOST_USER_GET_CONFIG, 0)->p, 12);
		assert_true(c.offset == 8 && c.size == 40 && c.flags == 0);
	}
}

/* ---- full negotiations ------------------------------------------------------- */

static void negotiate(uint64_t offered, uint64_t want)
{
	unsigned fds0 = open_fds();
	struct vhost_user vu;
	struct guest g;
	struct fake f;
	uint64_t pf;

	fake_defaults(&f);
	f.features = offered;
	guest_init(&g);
	fake_start(&f, &vu, 2000);
	assert_int_equal(flow(&vu, &g, want), 0);
	pf = (offered & BIT_ULL(VHOST_USER_F_PROTOCOL_FEATURES)) ? want & f.protocol_features : 0;
	assert_int_equal(vu.protocol_features, pf);
	assert_int_equal(vu.features, offered);
	assert_int_equal(vu.queue_num, (pf & PF(MQ)) ? 2 : 0);
	assert_int_equal(vu.max_mem_slots, (pf & PF(CONFIGURE_MEM_SLOTS)) ? 32 : 8);
	assert_int_equal(vu.nr_regions, 2);
	fake_join(&f, &vu);
	check_flow(&f, &g, pf);
	fake_close_fds(&f);
	guest_fini(&g);
	assert_int_equal(open_fds(), fds0);
}

static void test_negotiate_legacy_backend(void **state)
{
	(void)state;
	/* No VHOST_USER_F_PROTOCOL_FEATURES: no protocol features, no ENABLE. */
	negotiate(BIT_ULL(VIRTIO_F_VERSION_1), ALL_PF);
}

static void test_negotiate_plain(void **state)
{
	(void)state;
	negotiate(FAKE_FEATURES, PF(MQ) | PF(CONFIG));
}

static void test_negotiate_reply_ack(void **state)
{
	(void)state;
	negotiate(FAKE_FEATURES, PF(MQ) | PF(REPLY_ACK));
}

static void test_negotiate_mem_slots(void **state)
{
	(void)state;
	negotiate(FAKE_FEATURES, PF(CONFIGURE_MEM_SLOTS) | PF(CONFIG));
}

static void test_negotiate_all(void **state)
{
	(void)state;
	negotiate(FAKE_FEATURES, ALL_PF);
}

static void test_negotiate_none(void **state)
{
	(void)state;
	/* The back end offers protocol features; we ask for none. */
	negotiate(FAKE_FEATURES, 0);
}

/* ---- a back end that dies ------------------------------------------------------ */

/* For every N, the back end closes the socket after N messages: the flow
 * fails with -ECONNRESET (every flow ends with a reply, so even the last N
 * fails), quickly, with the connection closed and no fd left open. */
static void die_each(uint64_t want)
{
	struct exp e[FAKE_MAX_MSGS];
	unsigned total = expected(e, FAKE_FEATURES, want);

	for (unsigned n = 1; n <= total; n++) {
		unsigned fds0 = open_fds();
		struct vhost_user vu;
		struct guest g;
		struct fake f;
		int64_t t0 = ms_now();
		int ret;

		fake_defaults(&f);
		f.die_after = n;
		guest_init(&g);
		fake_start(&f, &vu, 10000);
		ret = flow(&vu, &g, want);
		if (ret != -ECONNRESET)
			fail_msg("died after %u of %u: %d (%s)", n, total, ret, err);
		assert_non_null(strstr(err, "vhost-user test.sock: "));
		assert_non_null(strstr(err, "closed the connection"));
		assert_int_equal(vu.fd, -1);
		assert_true(ms_now() - t0 < 8000); /* not the 10 s timeout */
		fake_finish(&f, &vu);
		assert_int_equal(f.n, n);
		guest_fini(&g);
		assert_int_equal(open_fds(), fds0);
	}
}

static void test_backend_dies_plain(void **state)
{
	(void)state;
	die_each(PF(MQ) | PF(CONFIG));
}

static void test_backend_dies_reply_ack_slots(void **state)
{
	(void)state;
	die_each(ALL_PF);
}

/* ---- wrong replies ---------------------------------------------------------------- */

/* Run the flow with message number at (1-based) answered badly; expect ret
 * and a message containing what; no fd leaks. Returns the fake's count. */
static unsigned bad_reply(uint64_t want, unsigned at, enum bad bad, bool with_fd, int ret,
			  const char *what)
{
	unsigned fds0 = open_fds();
	struct vhost_user vu;
	struct guest g;
	struct fake f;
	int got;

	fake_defaults(&f);
	f.bad_at = at;
	f.bad = bad;
	f.bad_with_fd = with_fd;
	guest_init(&g);
	fake_start(&f, &vu, 1000);
	got = flow(&vu, &g, want);
	if (got != ret)
		fail_msg("bad %d at %u: %d (%s), expected %d", bad, at, got, err, ret);
	if (!strstr(err, what))
		fail_msg("bad %d at %u: \"%s\" does not say \"%s\"", bad, at, err, what);
	assert_null(strchr(err, '\n'));
	/* Stream errors close the connection; a refusal does not. */
	assert_int_equal(vu.fd < 0, ret != -EREMOTEIO);
	fake_finish(&f, &vu);
	guest_fini(&g);
	assert_int_equal(open_fds(), fds0);
	return f.n;
}

/* Message 2 is GET_FEATURES (after SET_OWNER). */
static void test_reply_wrong_request(void **state)
{
	(void)state;
	bad_reply(0, 2, BAD_REQUEST, false, -EPROTO, "GET_FEATURES: a reply to GET_STATUS (40)");
}

static void test_reply_wrong_version(void **state)
{
	(void)state;
	bad_reply(0, 2, BAD_VERSION, false, -EBADMSG, "version 2");
}

static void test_reply_wrong_flags(void **state)
{
	(void)state;
	bad_reply(0, 2, BAD_NO_REPLY, false, -EBADMSG, "reply flags 0x1");
	bad_reply(0, 2, BAD_EXTRA_FLAG, false, -EBADMSG, "reply flags 0xd");
}

static void test_reply_bad_size(void **state)
{
	(void)state;
	bad_reply(0, 2, BAD_SHORT, false, -EMSGSIZE, "a reply of 4 bytes, not 8");
	bad_reply(0, 2, BAD_HUGE, false, -EMSGSIZE, "a payload of 4096 bytes");
	/* An empty u64 reply is no refusal: only GET_CONFIG may be empty. */
	bad_reply(0, 2, BAD_EMPTY, false, -EMSGSIZE, "a reply of 0 bytes, not 8");
}

static void test_reply_with_fds(void **state)
{
	(void)state;
	bad_reply(0, 2, BAD_FD, false, -EBADFD, "1 file descriptors (0 expected)");
	bad_reply(0, 2, BAD_MANY_FDS, false, -EBADFD, "too many file descriptors");
	/* An fd on a reply that is wrong otherwise is closed all the same. */
	bad_reply(0, 2, BAD_VERSION, true, -EBADMSG, "version 2");
	bad_reply(0, 2, BAD_REQUEST, true, -EBADFD, "1 file descriptors");
	bad_reply(0, 2, BAD_SHORT, true, -EBADFD, "file descriptors");
}

static void test_reply_partial_then_silence(void **state)
{
	(void)state;
	bad_reply(0, 2, BAD_PARTIAL, false, -ETIMEDOUT, "(a partial message)");
}

/* With REPLY_ACK: SET_OWNER, GET_FEATURES, GET_/SET_PROTOCOL_FEATURES, then
 * message 5 is SET_MEM_TABLE with NEED_REPLY. */
static void test_reply_ack_refusal(void **state)
{
	(void)state;
	assert_int_equal(bad_reply(PF(REPLY_ACK), 5, BAD_REFUSE, false, -EREMOTEIO,
				   "SET_MEM_TABLE: the back end refused it (REPLY_ACK status 1)"),
			 5);
	/* A wrong ack is a stream error like any wrong reply. */
	bad_reply(PF(REPLY_ACK), 5, BAD_REQUEST, false, -EPROTO, "SET_MEM_TABLE: a reply to");
	bad_reply(PF(REPLY_ACK), 5, BAD_SHORT, false, -EMSGSIZE, "SET_MEM_TABLE: a reply of 4");
}

/* Without REPLY_ACK: SET_OWNER, GET_FEATURES, GET_/SET_PROTOCOL_FEATURES,
 * SET_MEM_TABLE, SET_FEATURES, 6 ring messages x 2 (no replies), then
 * SET_VRING_ENABLE(0) = 19 and GET_VRING_BASE = 20. */
static void test_reply_wrong_vring(void **state)
{
	(void)state;
	bad_reply(0, 20, BAD_INDEX, false, -EPROTO, "GET_VRING_BASE: a reply for vring 1, not 0");
}

/* With CONFIG: the same, and GET_CONFIG is message 19. */
static void test_reply_config(void **state)
{
	(void)state;
	bad_reply(PF(CONFIG), 19, BAD_EMPTY, false, -EREMOTEIO,
		  "GET_CONFIG: the back end refused it (an empty reply)");
	bad_reply(PF(CONFIG), 19, BAD_CONFIG_OFFS, false, -EPROTO,
		  "GET_CONFIG: a reply for 40 bytes at 9, not 40 at 8");
	bad_reply(PF(CONFIG), 19, BAD_SHORT, false, -EMSGSIZE, "a reply of 4 bytes, not 52");
}

/* After a refusal the connection still works; after a stream error every
 * call fails at once with -ENOTCONN. */
static void test_after_errors(void **state)
{
	struct vhost_user vu;
	struct guest g;
	struct fake f;
	unsigned base;

	(void)state;
	fake_defaults(&f);
	f.bad_at = 6; /* SET_MEM_TABLE, after GET_QUEUE_NUM */
	f.bad = BAD_REFUSE;
	guest_init(&g);
	fake_start(&f, &vu, 1000);
	if (vhost_user_handshake(&vu, PF(REPLY_ACK) | PF(MQ), err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(vhost_user_set_mem_table(&vu, g.r, 2, err, sizeof(err)), -EREMOTEIO);
	assert_int_equal(vhost_user_set_vring_num(&vu, 0, 64, err, sizeof(err)), 0);
	assert_int_equal(vhost_user_get_vring_base(&vu, 1, &base, err, sizeof(err)), 0);
	assert_int_equal(base, 43);
	fake_finish(&f, &vu);
	assert_int_equal(f.n, 8);
	assert_int_equal(vhost_user_set_vring_num(&vu, 0, 64, err, sizeof(err)), -ENOTCONN);
	assert_string_equal(err, "vhost-user test.sock: SET_VRING_NUM: not connected (closed "
				 "after an earlier error)");
	guest_fini(&g);
}

/* ---- a back end that never answers --------------------------------------------- */

static void test_timeout(void **state)
{
	unsigned fds0 = open_fds();
	struct vhost_user vu;
	struct fake f;
	int64_t t0;

	(void)state;
	fake_defaults(&f);
	f.bad_at = 2;
	f.bad = BAD_SILENT;
	fake_start(&f, &vu, 100);
	t0 = ms_now();
	assert_int_equal(vhost_user_handshake(&vu, 0, err, sizeof(err)), -ETIMEDOUT);
	assert_true(ms_now() - t0 >= 100);
	assert_true(ms_now() - t0 < 10000); /* not forever */
	assert_string_equal(err, "vhost-user test.sock: GET_FEATURES: no reply within 100 ms");
	assert_int_equal(vu.fd, -1);
	fake_finish(&f, &vu);
	assert_int_equal(open_fds(), fds0);
}

/* A back end that reads nothing: once the socket is full, a send times out
 * (messages without a reply, so only the send can wait). */
static void test_send_timeout(void **state)
{
	unsigned fds0 = open_fds();
	struct vhost_user vu;
	struct fake f;
	int ret = 0;
	unsigned i;

	(void)state;
	fake_defaults(&f);
	f.never_read = true;
	fake_start(&f, &vu, 100);
	for (i = 0; i < 100000 && !ret; i++)
		ret = vhost_user_set_vring_num(&vu, 0, i, err, sizeof(err));
	assert_int_equal(ret, -ETIMEDOUT);
	assert_true(i > 10);
	assert_non_null(strstr(err, "SET_VRING_NUM: no room to send within 100 ms"));
	fake_finish(&f, &vu);
	assert_int_equal(open_fds(), fds0);
}

/* ---- the caller's mistakes: refused before anything is sent ---------------------- */

static void test_argument_checks(void **state)
{
	struct vhost_user_region many[VHOST_MEMORY_BASELINE_NREGIONS + 1];
	struct vhost_user vu;
	struct guest g;
	struct fake f;
	uint8_t cfg[8];
	unsigned base;

	(void)state;
	fake_defaults(&f);
	guest_init(&g);
	fake_start(&f, &vu, 1000);
	assert_int_equal(vhost_user_handshake(&vu, BIT_ULL(20), err, sizeof(err)), -EINVAL);
	assert_int_equal(vhost_user_handshake(&vu, PF(MQ), err, sizeof(err)), 0);
	/* Without CONFIG negotiated: no GET_CONFIG. Before SET_FEATURES: no ENABLE. */
	assert_int_equal(vhost_user_get_config(&vu, 0, cfg, 8, err, sizeof(err)), -ENOTSUP);
	assert_int_equal(vhost_user_set_vring_enable(&vu, 0, true, err, sizeof(err)), -ENOTSUP);
	/* Features the back end did not offer. */
	assert_int_equal(
		vhost_user_set_features(&vu, BIT_ULL(VIRTIO_F_RING_PACKED), err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "not offered"));
	/* The back end has 2 queues; index 2 and 256 do not exist. */
	assert_int_equal(vhost_user_set_vring_kick(&vu, 2, g.kick[0], err, sizeof(err)), -EINVAL);
	assert_int_equal(vhost_user_get_vring_base(&vu, 256, &base, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "vhost-user test.sock: GET_VRING_BASE: vring 256: the back end "
				 "has 2 vrings");
	/* Regions: none, too many, empty, wrapping, no fd. */
	for (unsigned i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = g.r[0];
	assert_int_equal(vhost_user_set_mem_table(&vu, many, 0, err, sizeof(err)), -EINVAL);
	assert_int_equal(vhost_user_set_mem_table(&vu, many, 9, err, sizeof(err)), -E2BIG);
	many[1].size = 0;
	assert_int_equal(vhost_user_set_mem_table(&vu, many, 2, err, sizeof(err)), -EINVAL);
	many[1] = g.r[0];
	many[1].gpa = ~0ull - 10;
	assert_int_equal(vhost_user_set_mem_table(&vu, many, 2, err, sizeof(err)), -EINVAL);
	many[1] = g.r[0];
	many[1].fd = -1;
	assert_int_equal(vhost_user_set_mem_table(&vu, many, 2, err, sizeof(err)), -EINVAL);
	/* Once set, the table is not set again. */
	assert_int_equal(vhost_user_set_mem_table(&vu, g.r, 2, err, sizeof(err)), 0);
	assert_int_equal(vhost_user_set_mem_table(&vu, g.r, 2, err, sizeof(err)), -EALREADY);
	/* A kick without an fd: the "no fd" flag. */
	assert_int_equal(vhost_user_set_vring_kick(&vu, 1, -1, err, sizeof(err)), 0);
	fake_finish(&f, &vu);
	/* Nothing was sent for the refused calls. */
	assert_int_equal(f.n, 4 + 1 + 1 + 1);
	assert_int_equal(f.msgs[5].h.request, VHOST_USER_SET_MEM_TABLE);
	assert_int_equal(f.msgs[6].h.request, VHOST_USER_SET_VRING_KICK);
	assert_int_equal(u64_of(&f.msgs[6]), 1 | VHOST_USER_VRING_NOFD_MASK);
	assert_int_equal(f.msgs[6].nfds, 0);
	guest_fini(&g);
}

/* More regions than the back end has slots; a back end with 0 queues. */
static void test_backend_limits(void **state)
{
	struct vhost_user vu;
	struct guest g;
	struct fake f;

	(void)state;
	fake_defaults(&f);
	f.max_mem_slots = 1;
	guest_init(&g);
	fake_start(&f, &vu, 1000);
	assert_int_equal(vhost_user_handshake(&vu, ALL_PF, err, sizeof(err)), 0);
	assert_int_equal(vu.max_mem_slots, 1);
	assert_int_equal(vhost_user_set_mem_table(&vu, g.r, 2, err, sizeof(err)), -E2BIG);
	assert_string_equal(err, "vhost-user test.sock: ADD_MEM_REG: 2 memory regions, the back "
				 "end takes at most 1");
	fake_finish(&f, &vu);

	fake_defaults(&f);
	f.queue_num = 0;
	fake_start(&f, &vu, 1000);
	assert_int_equal(vhost_user_handshake(&vu, PF(MQ), err, sizeof(err)), -ERANGE);
	assert_string_equal(err, "vhost-user test.sock: GET_QUEUE_NUM: the back end reports 0");
	fake_finish(&f, &vu);
	guest_fini(&g);
}

/* ---- connecting ---------------------------------------------------------------------- */

struct late_listener {
	char path[108];
	int delay_ms;
	int accepted; /* the accepted fd */
};

static void *listen_late(void *arg)
{
	struct late_listener *l = arg;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timespec d = {0, l->delay_ms * 1000000L};
	int s;

	nanosleep(&d, NULL);
	strcpy(sa.sun_path, l->path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) || listen(s, 1))
		return NULL;
	if (wait_in(s) == 0)
		l->accepted = accept4(s, NULL, NULL, SOCK_CLOEXEC);
	close(s);
	return NULL;
}

static void tmp_path(char *path, size_t len, const char *what)
{
	snprintf(path, len, "/tmp/vhost_user_test.%d.%s", getpid(), what);
	unlink(path);
}

static void test_connect_late(void **state)
{
	struct late_listener l = {.delay_ms = 150, .accepted = -1};
	unsigned fds0 = open_fds();
	pthread_t t;
	int64_t t0 = ms_now();
	uint64_t v = 0x1234;
	int fd;

	(void)state;
	tmp_path(l.path, sizeof(l.path), "late");
	assert_int_equal(pthread_create(&t, NULL, listen_late, &l), 0);
	fd = vhost_user_connect(l.path, 3000, err, sizeof(err));
	assert_true(fd >= 0);
	assert_true(ms_now() - t0 >= 150);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(l.accepted >= 0);
	/* A connected, blocking, close-on-exec stream. */
	assert_int_equal(write(fd, &v, 8), 8);
	v = 0;
	assert_int_equal(read(l.accepted, &v, 8), 8);
	assert_int_equal(v, 0x1234);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	close(l.accepted);
	unlink(l.path);
	assert_int_equal(open_fds(), fds0);
}

static void test_connect_never(void **state)
{
	unsigned fds0 = open_fds();
	char path[108], want[256];
	int64_t t0 = ms_now();
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int s;

	(void)state;
	tmp_path(path, sizeof(path), "never");
	assert_int_equal(vhost_user_connect(path, 120, err, sizeof(err)), -ETIMEDOUT);
	assert_true(ms_now() - t0 >= 120);
	assert_true(ms_now() - t0 < 10000); /* not forever */
	snprintf(want, sizeof(want),
		 "vhost-user %s: the back end's socket did not appear within 120 ms", path);
	assert_string_equal(err, want);
	assert_int_equal(open_fds(), fds0);

	/* A socket that exists but where nobody listens. */
	strcpy(sa.sun_path, path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(vhost_user_connect(path, 50, err, sizeof(err)), -ETIMEDOUT);
	assert_non_null(strstr(err, "did not accept connections within 50 ms"));
	close(s);
	unlink(path);

	/* A path too long for sun_path; one under a file (not retried). */
	memset(want, 'a', 200);
	want[200] = 0;
	assert_int_equal(vhost_user_connect(want, 50, err, sizeof(err)), -ENAMETOOLONG);
	t0 = ms_now();
	assert_int_equal(vhost_user_connect("/dev/null/sock", 10000, err, sizeof(err)), -ENOTDIR);
	assert_true(ms_now() - t0 < 8000); /* not retried until the deadline */
	assert_string_equal(err, "vhost-user /dev/null/sock: connect: Not a directory");
	assert_int_equal(open_fds(), fds0);
}

/* A send to a back end that is gone is -ECONNRESET (EPIPE), not SIGPIPE
 * (main() restores SIGPIPE's default action, which kills). */
static void test_send_to_closed(void **state)
{
	struct vhost_user vu;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	close(sv[1]);
	vhost_user_init(&vu, sv[0], "gone.sock", 1000);
	assert_int_equal(vhost_user_set_vring_num(&vu, 0, 64, err, sizeof(err)), -ECONNRESET);
	assert_string_equal(err, "vhost-user gone.sock: SET_VRING_NUM: send: Broken pipe (the "
				 "back end closed the connection)");
	assert_int_equal(vu.fd, -1);
}

static void test_request_names(void **state)
{
	(void)state;
	assert_string_equal(vhost_user_request_name(VHOST_USER_SET_MEM_TABLE), "SET_MEM_TABLE");
	assert_string_equal(vhost_user_request_name(VHOST_USER_GET_STATUS), "GET_STATUS");
	assert_string_equal(vhost_user_request_name(0), "UNKNOWN");
	assert_string_equal(vhost_user_request_name(1000), "UNKNOWN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_negotiate_legacy_backend),
		cmocka_unit_test(test_negotiate_plain),
		cmocka_unit_test(test_negotiate_reply_ack),
		cmocka_unit_test(test_negotiate_mem_slots),
		cmocka_unit_test(test_negotiate_all),
		cmocka_unit_test(test_negotiate_none),
		cmocka_unit_test(test_backend_dies_plain),
		cmocka_unit_test(test_backend_dies_reply_ack_slots),
		cmocka_unit_test(test_reply_wrong_request),
		cmocka_unit_test(test_reply_wrong_version),
		cmocka_unit_test(test_reply_wrong_flags),
		cmocka_unit_test(test_reply_bad_size),
		cmocka_unit_test(test_reply_with_fds),
		cmocka_unit_test(test_reply_partial_then_silence),
		cmocka_unit_test(test_reply_ack_refusal),
		cmocka_unit_test(test_reply_wrong_vring),
		cmocka_unit_test(test_reply_config),
		cmocka_unit_test(test_after_errors),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_send_timeout),
		cmocka_unit_test(test_argument_checks),
		cmocka_unit_test(test_backend_limits),
		cmocka_unit_test(test_connect_late),
		cmocka_unit_test(test_connect_never),
		cmocka_unit_test(test_send_to_closed),
		cmocka_unit_test(test_request_names),
	};

	/* A parent (a shell, a test runner) may have left SIGPIPE ignored;
	 * the tests must see what a default SIGPIPE would do. */
	signal(SIGPIPE, SIG_DFL);

	return cmocka_run_group_tests(tests, NULL, NULL);
}
