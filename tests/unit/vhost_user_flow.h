/* SPDX-License-Identifier: MIT */
/* For tests/unit/test_vhost_user.c: a guest (memfd RAM, rings, eventfds),
 * the flow a virtio-fs device will run over vhost-user, and the checks of
 * what the fake back end must have seen, written from the spec. */
#ifndef TESTS_UNIT_VHOST_USER_FLOW_H
#define TESTS_UNIT_VHOST_USER_FLOW_H

#include "tests/unit/vhost_user_fake.h"

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

#endif /* TESTS_UNIT_VHOST_USER_FLOW_H */
