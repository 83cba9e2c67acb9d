// SPDX-License-Identifier: MIT
#include "vmm/init/exec_conf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The keys, in the order exec_conf_write emits them (cmd last, so that a
 * reader of a hexdump finds the short fields first). */
enum key {
	K_VERSION,
	K_TAG,
	K_OVERLAY,
	K_READONLY,
	K_CWD,
	K_HOSTNAME,
	K_STDIN,
	K_STDOUT,
	K_STDERR,
	K_STATUS,
	K_ENV,
	K_CMD,
	K_COUNT,
};

static const char *const key_names[K_COUNT] = {
	[K_VERSION] = "version",   [K_TAG] = "tag",	  [K_OVERLAY] = "overlay",
	[K_READONLY] = "readonly", [K_CWD] = "cwd",	  [K_HOSTNAME] = "hostname",
	[K_STDIN] = "stdin",	   [K_STDOUT] = "stdout", [K_STDERR] = "stderr",
	[K_STATUS] = "status",	   [K_ENV] = "env",	  [K_CMD] = "cmd",
};

void exec_conf_defaults(struct exec_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->cwd = "/";
	c->hostname = "vmm";
	c->status = "debug-exit";
	c->stdio[EXEC_STDIN] = "/dev/null";
	c->stdio[EXEC_STDOUT] = "/dev/hvc0";
	c->stdio[EXEC_STDERR] = "/dev/ttyS0";
	c->overlay = true;
}

static int fail(const char **why, int err, const char *what)
{
	if (why)
		*why = what;
	return err;
}

static bool is_path(const char *p)
{
	return p && p[0] == '/' && strlen(p) <= EXEC_CONF_PATH_MAX;
}

static bool is_hostname(const char *h)
{
	size_t n = h ? strlen(h) : 0;

	if (n == 0 || n > EXEC_CONF_HOST_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (h[i] <= ' ' || h[i] == '/' || h[i] == 0x7f)
			return false;
	return true;
}

static bool is_tag(const char *t)
{
	size_t n = t ? strlen(t) : 0;

	if (n == 0 || n > EXEC_CONF_TAG_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)t[i] < ' ' || t[i] == 0x7f)
			return false;
	return true;
}

static bool is_env(const char *e)
{
	const char *eq = e ? strchr(e, '=') : NULL;

	return eq && eq != e && strlen(e) <= EXEC_CONF_ENV_LEN;
}

int exec_conf_check(const struct exec_conf *c, const char **why)
{
	static const char *const stdio_bad[3] = {"stdin is not an absolute path",
						 "stdout is not an absolute path",
						 "stderr is not an absolute path"};

	if (!c->tag || !*c->tag)
		return fail(why, -EINVAL, "tag is missing");
	if (!is_tag(c->tag))
		return fail(why, -EINVAL, "tag is longer than 36 bytes or has a control character");
	if (!c->cmd || !*c->cmd)
		return fail(why, -EINVAL, "cmd is missing");
	if (strlen(c->cmd) > EXEC_CONF_CMD_MAX)
		return fail(why, -E2BIG, "cmd is longer than 131071 bytes");
	if (!is_path(c->cwd))
		return fail(why, -EINVAL, "cwd is not an absolute path");
	if (!is_hostname(c->hostname))
		return fail(why, -EINVAL,
			    "hostname is not 1-64 printable bytes without space or /");
	for (int i = 0; i < 3; i++)
		if (!is_path(c->stdio[i]))
			return fail(why, -EINVAL, stdio_bad[i]);
	if (!c->status || strcmp(c->status, "debug-exit"))
		return fail(why, -EINVAL, "status is not debug-exit");
	if (c->n_env > EXEC_CONF_ENV_MAX)
		return fail(why, -E2BIG, "more than 64 env records");
	for (unsigned i = 0; i < c->n_env; i++)
		if (!is_env(c->env[i]))
			return fail(why, -EINVAL,
				    "env record is not NAME=VALUE of at most 8191 bytes");
	return 0;
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "on"))
		*out = true;
	else if (!strcmp(v, "off"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

static int find_key(const char *k, size_t n)
{
	for (int i = 0; i < K_COUNT; i++)
		if (strlen(key_names[i]) == n && !memcmp(key_names[i], k, n))
			return i;
	return -1;
}

/* Store value v of key k (not version) into c. */
static int set_field(struct exec_conf *c, int k, const char *v, const char **why)
{
	switch (k) {
	case K_TAG: c->tag = v; break;
	case K_CMD: c->cmd = v; break;
	case K_CWD: c->cwd = v; break;
	case K_HOSTNAME: c->hostname = v; break;
	case K_STDIN: c->stdio[EXEC_STDIN] = v; break;
	case K_STDOUT: c->stdio[EXEC_STDOUT] = v; break;
	case K_STDERR: c->stdio[EXEC_STDERR] = v; break;
	case K_STATUS: c->status = v; break;
	case K_OVERLAY:
		if (parse_bool(v, &c->overlay))
			return fail(why, -EINVAL, "overlay is not on or off");
		break;
	case K_READONLY:
		if (parse_bool(v, &c->readonly))
			return fail(why, -EINVAL, "readonly is not on or off");
		break;
	case K_ENV:
		if (c->n_env == EXEC_CONF_ENV_MAX)
			return fail(why, -E2BIG, "more than 64 env records");
		c->env[c->n_env++] = v;
		break;
	}
	return 0;
}

int exec_conf_parse(const char *buf, size_t len, struct exec_conf *c, const char **why)
{
	unsigned seen = 0;
	size_t off = 0;

	exec_conf_defaults(c);
	if (len > EXEC_CONF_SIZE_MAX)
		return fail(why, -E2BIG, "larger than 1 MiB");
	if (len == 0)
		return fail(why, -EINVAL, "empty");
	if (buf[len - 1] != '\0')
		return fail(why, -EINVAL, "the last record has no NUL (truncated)");
	while (off < len) {
		const char *rec = buf + off, *eq;
		size_t n = strlen(rec); /* bounded: buf[len - 1] is a NUL */
		int k, err;

		off += n + 1;
		eq = memchr(rec, '=', n);
		if (!eq)
			return fail(why, -EINVAL, "a record without '='");
		k = find_key(rec, (size_t)(eq - rec));
		if (seen == 0 && k != K_VERSION)
			return fail(why, -EINVAL, "the first record is not version=");
		if (k < 0)
			return fail(why, -EINVAL, "an unknown key");
		if (k != K_ENV && (seen & (1u << k)))
			return fail(why, -EINVAL, "a key given twice");
		seen |= 1u << k;
		if (k == K_VERSION) {
			if (strcmp(eq + 1, "1"))
				return fail(why, -EINVAL, "an unknown version (this init reads 1)");
			continue;
		}
		err = set_field(c, k, eq + 1, why);
		if (err)
			return err;
	}
	return exec_conf_check(c, why);
}

/* Append "key=value\0" at *off in buf if it fits; *off always advances. */
static void put(char *buf, size_t cap, size_t *off, int k, const char *v)
{
	size_t kn = strlen(key_names[k]), vn = strlen(v), n = kn + 1 + vn + 1;

	if (*off + n <= cap) {
		memcpy(buf + *off, key_names[k], kn);
		buf[*off + kn] = '=';
		memcpy(buf + *off + kn + 1, v, vn + 1);
	}
	*off += n;
}

ssize_t exec_conf_write(const struct exec_conf *c, char *buf, size_t cap)
{
	char version[12];
	size_t off = 0;
	int err = exec_conf_check(c, NULL);

	if (err)
		return err;
	snprintf(version, sizeof(version), "%d", EXEC_CONF_VERSION);
	put(buf, cap, &off, K_VERSION, version);
	put(buf, cap, &off, K_TAG, c->tag);
	put(buf, cap, &off, K_OVERLAY, c->overlay ? "on" : "off");
	put(buf, cap, &off, K_READONLY, c->readonly ? "on" : "off");
	put(buf, cap, &off, K_CWD, c->cwd);
	put(buf, cap, &off, K_HOSTNAME, c->hostname);
	put(buf, cap, &off, K_STDIN, c->stdio[EXEC_STDIN]);
	put(buf, cap, &off, K_STDOUT, c->stdio[EXEC_STDOUT]);
	put(buf, cap, &off, K_STDERR, c->stdio[EXEC_STDERR]);
	put(buf, cap, &off, K_STATUS, c->status);
	for (unsigned i = 0; i < c->n_env; i++)
		put(buf, cap, &off, K_ENV, c->env[i]);
	put(buf, cap, &off, K_CMD, c->cmd);
	if (off > EXEC_CONF_SIZE_MAX)
		return -E2BIG;
	return (ssize_t)off;
}

void exec_conf_argv(const struct exec_conf *c, const char *argv[4])
{
	argv[0] = "/bin/sh";
	argv[1] = "-c";
	argv[2] = c->cmd;
	argv[3] = NULL;
}

unsigned exec_conf_envp(const struct exec_conf *c, const char *envp[EXEC_CONF_ENV_MAX + 2])
{
	unsigned n = 0;
	bool path = false;

	for (unsigned i = 0; i < c->n_env && i < EXEC_CONF_ENV_MAX; i++) {
		envp[n++] = c->env[i];
		if (!strncmp(c->env[i], "PATH=", 5))
			path = true;
	}
	if (!path)
		envp[n++] = EXEC_CONF_DEFAULT_PATH;
	envp[n] = NULL;
	return n;
}
