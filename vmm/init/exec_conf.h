/* SPDX-License-Identifier: MIT */
/* The guest init's configuration, the file /vmm-exec in the initramfs: the
 * VMM writes it (exec_conf_write), the init parses it (exec_conf_parse).
 * Pure functions over buffers, no I/O, no allocation.
 *
 * Format, version 1: a sequence of records, each "key=value" followed by a
 * NUL byte; the file ends right after the last record's NUL. The first record
 * is "version=1". Then, in any order, each key at most once except env:
 *   tag=TAG           required; the virtio-fs tag (1-36 bytes)
 *   cmd=STRING        required, non-empty; run as /bin/sh -c STRING
 *   overlay=on|off    default on: a tmpfs upper layer and an overlayfs over
 *                     the share, so the command's writes stay in the guest
 *   readonly=on|off   default off: mount the share read-only (the lower
 *                     layer of an overlay is always mounted read-only)
 *   cwd=/PATH         default /: the command's working directory
 *   hostname=NAME     default "vmm" (1-64 printable bytes, no space or '/')
 *   stdin=/PATH       default /dev/null
 *   stdout=/PATH      default /dev/hvc0 (virtio-console port 0)
 *   stderr=/PATH      default /dev/ttyS0 (the UART, COM1)
 *   status=debug-exit default and only value in version 1: hand the status
 *                     back through the isa-debug-exit port (exec_status.h)
 *   env=NAME=VALUE    any number up to EXEC_CONF_ENV_MAX, in order: the
 *                     command's whole environment (PATH gets a default if
 *                     no entry sets it, see exec_conf_envp)
 * Values are bytes other than NUL; stdio paths are opened in the guest after
 * the switch into the share (/dev is the guest's devtmpfs). Unknown keys, a
 * repeated key, an unknown version, a missing required key, an oversize
 * value and a last record without its NUL are all errors: a newer VMM writes
 * a newer version rather than keys an older init would skip. */
#ifndef VMM_INIT_EXEC_CONF_H
#define VMM_INIT_EXEC_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define EXEC_CONF_PATH	       "/vmm-exec"
#define EXEC_CONF_VERSION      1
#define EXEC_CONF_SIZE_MAX     (1u << 20) /* the whole file */
#define EXEC_CONF_TAG_MAX      36	  /* virtio-fs config tag field */
#define EXEC_CONF_HOST_MAX     64	  /* HOST_NAME_MAX */
#define EXEC_CONF_PATH_MAX     4095	  /* PATH_MAX without the NUL */
#define EXEC_CONF_ENV_MAX      64	  /* env records */
#define EXEC_CONF_ENV_LEN      8191	  /* one env record, NAME=VALUE */
#define EXEC_CONF_CMD_MAX      131071	  /* MAX_ARG_STRLEN without the NUL */
#define EXEC_CONF_DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

enum { EXEC_STDIN, EXEC_STDOUT, EXEC_STDERR };

struct exec_conf {
	const char *tag, *cmd, *cwd, *hostname, *status;
	const char *stdio[3]; /* indexed by EXEC_STDIN, EXEC_STDOUT, EXEC_STDERR */
	bool overlay, readonly;
	unsigned n_env;
	const char *env[EXEC_CONF_ENV_MAX]; /* "NAME=VALUE" */
};

/* Fill c with the defaults above; tag and cmd are NULL (to be set). The
 * strings are static. */
void exec_conf_defaults(struct exec_conf *c);

/* 0 if c is a configuration exec_conf_write accepts (every rule of the
 * format above), else -EINVAL or -E2BIG with *why (if why is not NULL) set
 * to a static phrase naming the field. */
int exec_conf_check(const struct exec_conf *c, const char **why);

/* Parse len bytes of buf into c. c's strings point into buf, which must
 * outlive c (the values are already NUL-terminated there). Returns 0, or
 * -EINVAL (malformed, unknown key or version, missing or bad field) or
 * -E2BIG (too large) with *why (if why is not NULL) set to a static phrase;
 * on an error c holds nothing useful. */
int exec_conf_parse(const char *buf, size_t len, struct exec_conf *c, const char **why);

/* Write c in the format above into buf (cap bytes; buf may be NULL when cap
 * is 0). Returns the file's length, also when it is more than cap (then
 * nothing useful is in buf: call again with a larger buffer, as with
 * snprintf), or exec_conf_check's error (-EINVAL, -E2BIG). */
ssize_t exec_conf_write(const struct exec_conf *c, char *buf, size_t cap);

/* The command's argv: {"/bin/sh", "-c", c->cmd, NULL}, pointing into c. */
void exec_conf_argv(const struct exec_conf *c, const char *argv[4]);

/* The command's environment into envp (room for EXEC_CONF_ENV_MAX + 2
 * pointers): c's env entries in order, then EXEC_CONF_DEFAULT_PATH if none of
 * them sets PATH, then NULL. Returns the number of entries before the NULL. */
unsigned exec_conf_envp(const struct exec_conf *c, const char *envp[EXEC_CONF_ENV_MAX + 2]);

#endif
