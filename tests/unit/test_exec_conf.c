// SPDX-License-Identifier: MIT
/* Unit tests for the guest init's configuration and status word
 * (vmm/init/exec_conf.c, vmm/init/exec_status.c): write -> parse round
 * trips, hostile files, the argv and environment, and the status encoding
 * of exits and signals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmm/init/exec_conf.h"
#include "vmm/init/exec_status.h"

/* A configuration with every field away from its default. */
static void full_conf(struct exec_conf *c)
{
	exec_conf_defaults(c);
	c->tag = "hostshare";
	c->cmd = "echo \"$HOME\" 'a b'\nexit 3";
	c->overlay = false;
	c->readonly = true;
	c->cwd = "/home/user/src";
	c->hostname = "guest-1.example";
	c->stdio[EXEC_STDIN] = "/dev/ttyS0";
	c->stdio[EXEC_STDOUT] = "/dev/ttyS0";
	c->stdio[EXEC_STDERR] = "/dev/hvc0";
	c->env[c->n_env++] = "HOME=/root";
	c->env[c->n_env++] = "EMPTY=";
	c->env[c->n_env++] = "EQ=a=b=c";
}

/* Write c into a malloc'ed buffer; *len gets its length. */
static char *write_conf(const struct exec_conf *c, size_t *len)
{
	ssize_t n = exec_conf_write(c, NULL, 0);
	char *buf;

	assert_true(n > 0);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(exec_conf_write(c, buf, (size_t)n), n);
	*len = (size_t)n;
	return buf;
}

static void assert_conf_equal(const struct exec_conf *a, const struct exec_conf *b)
{
	assert_string_equal(a->tag, b->tag);
	assert_string_equal(a->cmd, b->cmd);
	assert_string_equal(a->cwd, b->cwd);
	assert_string_equal(a->hostname, b->hostname);
	assert_string_equal(a->status, b->status);
	for (int i = 0; i < 3; i++)
		assert_string_equal(a->stdio[i], b->stdio[i]);
	assert_int_equal(a->overlay, b->overlay);
	assert_int_equal(a->readonly, b->readonly);
	assert_int_equal(a->n_env, b->n_env);
	for (unsigned i = 0; i < a->n_env; i++)
		assert_string_equal(a->env[i], b->env[i]);
}

static void test_round_trip(void **state)
{
	struct exec_conf in, out;
	const char *why = NULL;
	size_t len;
	char *buf;

	(void)state;
	full_conf(&in);
	buf = write_conf(&in, &len);
	assert_memory_equal(buf, "version=1\0tag=hostshare\0overlay=off\0", 36);
	assert_int_equal(buf[len - 1], '\0');
	assert_int_equal(exec_conf_parse(buf, len, &out, &why), 0);
	assert_conf_equal(&in, &out);
	/* The parsed strings point into the buffer, not at copies. */
	assert_true(out.cmd > buf && out.cmd < buf + len);
	free(buf);
}

static void test_round_trip_defaults(void **state)
{
	struct exec_conf in, out;
	size_t len;
	char *buf;

	(void)state;
	exec_conf_defaults(&in);
	in.tag = "t";
	in.cmd = "true";
	buf = write_conf(&in, &len);
	assert_int_equal(exec_conf_parse(buf, len, &out, NULL), 0);
	assert_conf_equal(&in, &out);
	assert_true(out.overlay);
	assert_false(out.readonly);
	assert_string_equal(out.cwd, "/");
	assert_string_equal(out.stdio[EXEC_STDIN], "/dev/null");
	assert_string_equal(out.stdio[EXEC_STDOUT], "/dev/hvc0");
	assert_string_equal(out.stdio[EXEC_STDERR], "/dev/ttyS0");
	free(buf);
}

/* Fields the writer leaves out take their defaults; order is free. */
static void test_parse_minimal(void **state)
{
	static const char f[] = "version=1\0cmd=ls -l\0tag=fs\0";
	struct exec_conf c;

	(void)state;
	assert_int_equal(exec_conf_parse(f, sizeof(f) - 1, &c, NULL), 0);
	assert_string_equal(c.tag, "fs");
	assert_string_equal(c.cmd, "ls -l");
	assert_string_equal(c.hostname, "vmm");
	assert_string_equal(c.status, "debug-exit");
	assert_true(c.overlay);
	assert_int_equal(c.n_env, 0);
}

static void test_write_short_buffer(void **state)
{
	struct exec_conf c;
	char small[16];
	ssize_t need;

	(void)state;
	full_conf(&c);
	need = exec_conf_write(&c, NULL, 0);
	assert_true(need > (ssize_t)sizeof(small));
	assert_int_equal(exec_conf_write(&c, small, sizeof(small)), need);
}

static void test_write_refuses_bad(void **state)
{
	struct exec_conf c;
	const char *why = NULL;

	(void)state;
	exec_conf_defaults(&c);
	c.cmd = "true";
	assert_int_equal(exec_conf_write(&c, NULL, 0), -EINVAL); /* no tag */
	assert_int_equal(exec_conf_check(&c, &why), -EINVAL);
	assert_string_equal(why, "tag is missing");
	c.tag = "t";
	c.cwd = "relative";
	assert_int_equal(exec_conf_write(&c, NULL, 0), -EINVAL);
	c.cwd = "/";
	c.env[c.n_env++] = "NOEQUALS";
	assert_int_equal(exec_conf_write(&c, NULL, 0), -EINVAL);
}

/* Every proper prefix of a valid file is refused: cut inside a record (no
 * final NUL) or at a record boundary (cmd, the last record, is missing). */
static void test_truncated(void **state)
{
	struct exec_conf c;
	size_t len;
	char *buf;

	(void)state;
	full_conf(&c);
	buf = write_conf(&c, &len);
	for (size_t cut = 0; cut < len; cut++) {
		char *copy = malloc(cut + 1); /* exact size, so ASan sees overreads */

		assert_non_null(copy);
		memcpy(copy, buf, cut);
		if (exec_conf_parse(copy, cut, &c, NULL) == 0)
			fail_msg("a prefix of %zu of %zu bytes was accepted", cut, len);
		free(copy);
	}
	free(buf);
}

/* Parse a file given as a C string literal with its records' NULs; expect
 * error err and a reason containing what. */
#define expect_bad(lit, err, what) expect_bad_(lit, sizeof(lit) - 1, err, what)
static void expect_bad_(const char *f, size_t len, int err, const char *what)
{
	struct exec_conf c;
	const char *why = NULL;
	char *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, f, len);
	assert_int_equal(exec_conf_parse(copy, len, &c, &why), err);
	assert_non_null(why);
	if (!strstr(why, what))
		fail_msg("reason \"%s\" does not mention \"%s\"", why, what);
	free(copy);
}

static void test_hostile(void **state)
{
	(void)state;
	expect_bad("", -EINVAL, "empty");
	expect_bad("version=1", -EINVAL, "no NUL");
	expect_bad("version=1\0tag=t\0cmd=ls", -EINVAL, "no NUL");
	expect_bad("version=1\0tag=t\0", -EINVAL, "cmd is missing");
	expect_bad("version=1\0tag=t\0cmd=\0", -EINVAL, "cmd is missing");
	expect_bad("version=1\0cmd=ls\0", -EINVAL, "tag is missing");
	expect_bad("tag=t\0version=1\0cmd=ls\0", -EINVAL, "first record");
	expect_bad("version=2\0tag=t\0cmd=ls\0", -EINVAL, "unknown version");
	expect_bad("version=01\0tag=t\0cmd=ls\0", -EINVAL, "unknown version");
	expect_bad("version=1\0version=1\0tag=t\0cmd=ls\0", -EINVAL, "twice");
	expect_bad("version=1\0tag=t\0tag=u\0cmd=ls\0", -EINVAL, "twice");
	expect_bad("version=1\0tag=t\0shell=/bin/bash\0cmd=ls\0", -EINVAL, "unknown key");
	expect_bad("version=1\0tag=t\0=x\0cmd=ls\0", -EINVAL, "unknown key");
	expect_bad("version=1\0tag=t\0\0cmd=ls\0", -EINVAL, "without '='");
	expect_bad("version=1\0tag=t\0overlay=yes\0cmd=ls\0", -EINVAL, "overlay");
	expect_bad("version=1\0tag=t\0readonly=\0cmd=ls\0", -EINVAL, "readonly");
	expect_bad("version=1\0tag=t\0cwd=tmp\0cmd=ls\0", -EINVAL, "cwd");
	expect_bad("version=1\0tag=t\0stdout=hvc0\0cmd=ls\0", -EINVAL, "stdout");
	expect_bad("version=1\0tag=t\0hostname=a b\0cmd=ls\0", -EINVAL, "hostname");
	expect_bad("version=1\0tag=t\0status=serial\0cmd=ls\0", -EINVAL, "status");
	expect_bad("version=1\0tag=t\0env=NOVALUE\0cmd=ls\0", -EINVAL, "env");
	expect_bad("version=1\0tag=t\0env==x\0cmd=ls\0", -EINVAL, "env");
	expect_bad("version=1\0tag=a\nb\0cmd=ls\0", -EINVAL, "tag");
	expect_bad("version=1\0tag=0123456789012345678901234567890123456\0cmd=ls\0", -EINVAL,
		   "tag");
}

/* A buffer "version=1\0tag=t\0" + "KEY=" + fill x n + "\0" + "cmd=ls\0". */
static char *with_field(const char *key, size_t n, size_t *len)
{
	static const char head[] = "version=1\0tag=t\0", tail[] = "cmd=ls\0";
	size_t kl = strlen(key), off = 0;
	char *b;

	*len = sizeof(head) - 1 + kl + 1 + n + 1 + sizeof(tail) - 1;
	b = malloc(*len);
	assert_non_null(b);
	memcpy(b, head, sizeof(head) - 1), off += sizeof(head) - 1;
	memcpy(b + off, key, kl), off += kl;
	b[off++] = '=';
	memset(b + off, 'x', n), off += n;
	if (!strcmp(key, "env") && n >= 2)
		b[off - n + 1] = '='; /* "x=xxx": a valid env entry */
	if (!strcmp(key, "cwd") && n >= 1)
		b[off - n] = '/';
	b[off++] = '\0';
	memcpy(b + off, tail, sizeof(tail) - 1);
	return b;
}

static void expect_field(const char *key, size_t n, int err)
{
	struct exec_conf c;
	size_t len;
	char *b = with_field(key, n, &len);
	int r = exec_conf_parse(b, len, &c, NULL);

	if (r != err)
		fail_msg("%s of %zu bytes: %d, expected %d", key, n, r, err);
	free(b);
}

static void test_oversize_fields(void **state)
{
	(void)state;
	expect_field("hostname", EXEC_CONF_HOST_MAX, 0);
	expect_field("hostname", EXEC_CONF_HOST_MAX + 1, -EINVAL);
	expect_field("cwd", EXEC_CONF_PATH_MAX, 0);
	expect_field("cwd", EXEC_CONF_PATH_MAX + 1, -EINVAL);
	expect_field("env", EXEC_CONF_ENV_LEN, 0);
	expect_field("env", EXEC_CONF_ENV_LEN + 1, -EINVAL);
}

static void test_oversize_cmd_and_file(void **state)
{
	struct exec_conf c;
	size_t n = EXEC_CONF_CMD_MAX + 1, len;
	char *cmd = malloc(n + 1), *b;

	(void)state;
	assert_non_null(cmd);
	memset(cmd, 'x', n);
	cmd[n] = '\0';
	exec_conf_defaults(&c);
	c.tag = "t";
	c.cmd = cmd;
	assert_int_equal(exec_conf_write(&c, NULL, 0), -E2BIG);
	cmd[n - 1] = '\0'; /* exactly the maximum */
	b = write_conf(&c, &len);
	assert_int_equal(exec_conf_parse(b, len, &c, NULL), 0);
	assert_int_equal(strlen(c.cmd), EXEC_CONF_CMD_MAX);
	free(b);
	free(cmd);

	/* A file over EXEC_CONF_SIZE_MAX is refused before it is read. */
	b = calloc(1, EXEC_CONF_SIZE_MAX + 1);
	assert_non_null(b);
	assert_int_equal(exec_conf_parse(b, EXEC_CONF_SIZE_MAX + 1, &c, NULL), -E2BIG);
	free(b);
}

static void test_too_many_env(void **state)
{
	static const char rec[] = "env=A=1";
	size_t off = 16, cap = 16 + (EXEC_CONF_ENV_MAX + 1) * sizeof(rec) + 8;
	struct exec_conf c;
	char *f = malloc(cap);

	(void)state;
	assert_non_null(f);
	memcpy(f, "version=1\0tag=t\0", 16);
	for (int i = 0; i < EXEC_CONF_ENV_MAX; i++)
		memcpy(f + off, rec, sizeof(rec)), off += sizeof(rec);
	memcpy(f + off, "cmd=env", 8);
	assert_int_equal(exec_conf_parse(f, off + 8, &c, NULL), 0);
	assert_int_equal(c.n_env, EXEC_CONF_ENV_MAX);
	/* One more env record: 65. */
	memcpy(f + off, rec, sizeof(rec)), off += sizeof(rec);
	memcpy(f + off, "cmd=env", 8);
	assert_int_equal(exec_conf_parse(f, off + 8, &c, NULL), -E2BIG);
	free(f);
}

static void test_argv_envp(void **state)
{
	const char *argv[4], *envp[EXEC_CONF_ENV_MAX + 2];
	struct exec_conf c;

	(void)state;
	full_conf(&c);
	exec_conf_argv(&c, argv);
	assert_string_equal(argv[0], "/bin/sh");
	assert_string_equal(argv[1], "-c");
	assert_ptr_equal(argv[2], c.cmd);
	assert_null(argv[3]);

	assert_int_equal(exec_conf_envp(&c, envp), 4);
	assert_string_equal(envp[0], "HOME=/root");
	assert_string_equal(envp[2], "EQ=a=b=c");
	assert_string_equal(envp[3], EXEC_CONF_DEFAULT_PATH);
	assert_null(envp[4]);

	c.env[c.n_env++] = "PATH=/opt/bin";
	assert_int_equal(exec_conf_envp(&c, envp), 4);
	assert_string_equal(envp[3], "PATH=/opt/bin");
	assert_null(envp[4]);

	c.n_env = 0;
	assert_int_equal(exec_conf_envp(&c, envp), 1);
	assert_string_equal(envp[0], EXEC_CONF_DEFAULT_PATH);
}

/* The wait status of a child that runs fn. */
static int wait_status_of(void (*fn)(int), int arg)
{
	int ws;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		fn(arg);
		_exit(99);
	}
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	return ws;
}

static void do_exit(int code)
{
	_exit(code);
}

static void do_kill(int sig)
{
	signal(sig, SIG_DFL);
	raise(sig);
}

static void test_status_from_wait(void **state)
{
	(void)state;
	assert_int_equal(exec_status_from_wait(wait_status_of(do_exit, 0)), 0);
	assert_int_equal(exec_status_from_wait(wait_status_of(do_exit, 3)), 3);
	assert_int_equal(exec_status_from_wait(wait_status_of(do_exit, 255)), 255);
	assert_int_equal(exec_status_from_wait(wait_status_of(do_exit, 256 + 7)), 7);
	assert_int_equal(exec_status_from_wait(wait_status_of(do_kill, SIGKILL)), 128 + 9);
	assert_int_equal(exec_status_from_wait(wait_status_of(do_kill, SIGTERM)), 128 + 15);
	assert_int_equal(exec_status_from_wait(wait_status_of(do_kill, SIGSEGV)), 128 + 11);
}

static void test_status_words(void **state)
{
	unsigned v = 12345;

	(void)state;
	for (unsigned s = 0; s <= 255; s++) {
		assert_int_equal(exec_status_decode(exec_status_done(s), &v), EXEC_KIND_DONE);
		assert_int_equal(v, s);
	}
	assert_int_equal(exec_status_done(0), 0x45580000u);
	assert_int_equal(exec_status_fail(EXEC_FAIL_NO_SHELL), 0x4546000au);
	assert_int_equal(exec_status_decode(exec_status_fail(EXEC_FAIL_CONF), &v), EXEC_KIND_FAIL);
	assert_int_equal(v, EXEC_FAIL_CONF);

	/* Words that are not exec statuses leave *value alone. */
	v = 12345;
	assert_int_equal(exec_status_decode(0, &v), EXEC_KIND_OTHER);
	assert_int_equal(exec_status_decode(1, &v), EXEC_KIND_OTHER);
	assert_int_equal(exec_status_decode(EXEC_STATUS_DONE | 0x100, &v), EXEC_KIND_OTHER);
	assert_int_equal(exec_status_decode(EXEC_STATUS_FAIL, &v), EXEC_KIND_OTHER);
	assert_int_equal(exec_status_decode(EXEC_STATUS_FAIL | 999, &v), EXEC_KIND_OTHER);
	assert_int_equal(v, 12345);
}

static void test_fail_table(void **state)
{
	static const unsigned codes[] = {
#define CODE(name, code, exit, what) code,
		EXEC_FAIL_TABLE(CODE)
#undef CODE
	};
	size_t n = sizeof(codes) / sizeof(codes[0]);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		assert_int_not_equal(codes[i], 0);
		for (size_t j = 0; j < i; j++)
			assert_int_not_equal(codes[i], codes[j]);
		assert_int_equal(exec_status_decode(exec_status_fail(codes[i]), &v),
				 EXEC_KIND_FAIL);
		assert_true(exec_fail_exit(codes[i]) >= 125 && exec_fail_exit(codes[i]) <= 127);
		assert_true(strlen(exec_fail_what(codes[i])) > 0);
		assert_null(strchr(exec_fail_what(codes[i]), '\n'));
	}
	assert_int_equal(exec_fail_exit(EXEC_FAIL_NO_SHELL), 127);
	assert_int_equal(exec_fail_exit(EXEC_FAIL_EXEC), 126);
	assert_int_equal(exec_fail_exit(EXEC_FAIL_SHARE), 125);
	assert_int_equal(exec_fail_exit(0), 125);
	assert_string_equal(exec_fail_what(1000), "an unknown step");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_round_trip_defaults),
		cmocka_unit_test(test_parse_minimal),
		cmocka_unit_test(test_write_short_buffer),
		cmocka_unit_test(test_write_refuses_bad),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_oversize_fields),
		cmocka_unit_test(test_oversize_cmd_and_file),
		cmocka_unit_test(test_too_many_env),
		cmocka_unit_test(test_argv_envp),
		cmocka_unit_test(test_status_from_wait),
		cmocka_unit_test(test_status_words),
		cmocka_unit_test(test_fail_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
