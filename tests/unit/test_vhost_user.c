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

#include "tests/unit/vhost_user_flow.h"

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
