// SPDX-License-Identifier: MIT
/* The jail around the running VMM, after set-up: no file system (Landlock),
 * and, when started as root with --user, another user. */
#include "seccomp/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vmm/log.h"

/* Every file-system right <linux/landlock.h> names, by the ABI version that
 * introduced it: version 1 has EXECUTE .. MAKE_SYM, version 2 adds REFER. */
#define JAIL_FS_V1 ((LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1)
#define JAIL_FS_V2 (JAIL_FS_V1 | LANDLOCK_ACCESS_FS_REFER)

static int jail_landlock_abi(void)
{
	return (int)syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
}

#if defined(__SANITIZE_ADDRESS__)
/* The sanitizer build (make asan) only: its runtime reads /proc (the leak
 * check lists /proc/self/task; a report reads /proc/self/maps) and the ELF
 * files of the binary and its libraries (the symbolizer). So it may read
 * files and list directories anywhere; it may still write, create, remove or
 * execute nothing. build/vmm has no such rule. */
static int jail_sanitizer_rule(int ruleset, uint64_t handled)
{
	struct landlock_path_beneath_attr root = {
		.allowed_access =
			handled & (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR),
		.parent_fd = open("/", O_PATH | O_CLOEXEC),
	};
	int ret;

	if (root.parent_fd < 0)
		return -errno;
	ret = (int)syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &root, 0);
	ret = ret < 0 ? -errno : 0;
	close(root.parent_fd);
	return ret;
}
#else
static int jail_sanitizer_rule(int ruleset, uint64_t handled)
{
	(void)ruleset;
	(void)handled;
	return 0;
}
#endif

#ifdef VMM_SECCOMP_TEST_HOOK
/* Only in the test-only build (tests/seccomp/seccomp.mk): with
 * VMM_TEST_JAIL_OPEN=PATH, try to open PATH right after the ruleset is on,
 * before any filter is (the filters forbid open anyway), and say how it
 * went, for tests/seccomp/run.sh. */
static void jail_test_hook(void)
{
	const char *path = getenv("VMM_TEST_JAIL_OPEN");
	int fd;

	if (!path)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	log_warn("jail test hook: open %s: %s", path, fd < 0 ? strerror(errno) : "opened");
	if (fd >= 0)
		close(fd);
}
#else
static void jail_test_hook(void) {}
#endif

int jail_files(void)
{
	struct landlock_ruleset_attr attr = {0};
	int abi = jail_landlock_abi(), fd, ret;

	if (abi < 0) {
		log_warn("Landlock is not available (%s): the VMM keeps its file-system access",
			 strerror(errno));
		return 0;
	}
	attr.handled_access_fs = abi >= 2 ? JAIL_FS_V2 : JAIL_FS_V1;
	fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0) {
		int e = errno; /* log_err may change it */

		log_err("cannot create a Landlock ruleset: %s", strerror(e));
		return -e;
	}
	ret = jail_sanitizer_rule(fd, attr.handled_access_fs);
	/* Landlock needs no_new_privs (caps_drop_all set it) or CAP_SYS_ADMIN. */
	if (!ret && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		ret = -errno;
	if (!ret && syscall(SYS_landlock_restrict_self, fd, 0) < 0)
		ret = -errno;
	close(fd);
	if (ret) {
		log_err("cannot restrict the VMM with Landlock: %s", strerror(-ret));
		return ret;
	}
	log_debug("Landlock ABI version %d: no file-system access from now on (rights 0x%llx)", abi,
		  (unsigned long long)attr.handled_access_fs);
	jail_test_hook();
	return 0;
}

int jail_user(uid_t uid, gid_t gid)
{
	uid_t r, e, s;

	if (geteuid() != 0) {
		log_err("--user %u:%u needs the VMM started as root", (unsigned)uid, (unsigned)gid);
		return -EPERM;
	}
	if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		int err = errno;

		log_err("--user %u:%u: cannot change to that user: %s", (unsigned)uid,
			(unsigned)gid, strerror(err));
		return -err;
	}
	/* setresuid to a non-zero uid cannot be undone: check that it stuck. */
	if (getresuid(&r, &e, &s) < 0 || r != uid || e != uid || s != uid) {
		log_err("--user %u:%u: the user did not change", (unsigned)uid, (unsigned)gid);
		return -EPERM;
	}
	log_debug("running as user %u, group %u, no supplementary groups", (unsigned)uid,
		  (unsigned)gid);
	return 0;
}
