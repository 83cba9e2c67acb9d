// SPDX-License-Identifier: MIT
/* build/vmm-init: PID 1 of an `vmm --exec` guest. A static Linux program
 * (gcc -static, vmm/init/init.mk), not part of libvmm.a. It reads
 * EXEC_CONF_PATH (/vmm-exec, format in exec_conf.h) from the initramfs,
 * mounts /proc, /sys, /dev (devtmpfs), /tmp and /run (tmpfs), brings lo up,
 * sets the hostname, mounts the virtio-fs share (with a tmpfs upper layer
 * and an overlayfs on top unless overlay=off), moves the early mounts into
 * it and switches root there, changes to cwd, runs /bin/sh -c CMD with the
 * configured stdin/stdout/stderr and environment, reaps every child until
 * the command has ended, and hands its status back through the
 * isa-debug-exit port (exec_status.h), then powers off as a fallback.
 * The init's own messages go to its inherited stderr, /dev/console (the
 * kernel's console= device; the initramfs carries a /dev/console node), one
 * line per failure, "vmm-init: WHAT: REASON". */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmm/init/exec_conf.h"
#include "vmm/init/exec_status.h"

#define LOWER "/mnt/lower" /* the virtio-fs share under an overlay */
#define RW    "/mnt/rw"	   /* the tmpfs with the overlay's upper and work dirs */
#define ROOT  "/mnt/root"  /* the tree the command sees */

static const char *const early[] = {"/proc", "/sys", "/dev", "/tmp", "/run"};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("vmm-init: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

/* Write v to the debug-exit port, then power off; never returns (PID 1 must
 * not exit: the kernel would panic). */
static void __attribute__((noreturn)) hand_back(uint32_t v)
{
	sync();
	if (ioperm(EXEC_PORT, 4, 1) == 0 || iopl(3) == 0)
		outl(v, EXEC_PORT);
	else
		say("ioperm(0xf4): %s; powering off without a status", strerror(errno));
	reboot(RB_POWER_OFF);
	say("reboot(RB_POWER_OFF): %s", strerror(errno));
	for (;;)
		pause();
}

/* One line naming what failed (detail and errno), then hand back f. */
static void __attribute__((noreturn)) die(enum exec_fail f, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void __attribute__((noreturn)) die(enum exec_fail f, int err, const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (err)
		say("%s: %s: %s", exec_fail_what(f), detail, strerror(err));
	else
		say("%s: %s", exec_fail_what(f), detail);
	hand_back(exec_status_fail(f));
}

static void mkdir_or_die(enum exec_fail f, const char *path)
{
	if (mkdir(path, 0755) && errno != EEXIST)
		die(f, errno, "mkdir %s", path);
}

static void mount_or_die(enum exec_fail f, const char *src, const char *dst, const char *type,
			 unsigned long flags, const char *data)
{
	mkdir_or_die(f, dst);
	if (mount(src, dst, type, flags, data))
		die(f, errno, "mount %s (%s) on %s", src, type ? type : "move", dst);
}

/* Read the whole configuration file into a buffer that lives as long as
 * the init (the parsed strings point into it). */
static void read_conf(struct exec_conf *c)
{
	static char buf[EXEC_CONF_SIZE_MAX + 1];
	const char *why = NULL;
	size_t len = 0;
	ssize_t n;
	int fd = open(EXEC_CONF_PATH, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die(EXEC_FAIL_CONF, errno, "open %s", EXEC_CONF_PATH);
	while ((n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)n;
	if (n < 0)
		die(EXEC_FAIL_CONF, errno, "read %s", EXEC_CONF_PATH);
	close(fd);
	if (exec_conf_parse(buf, len, c, &why))
		die(EXEC_FAIL_CONF, 0, "%s", why);
}

static void mount_early(void)
{
	mount_or_die(EXEC_FAIL_MOUNT_EARLY, "proc", "/proc", "proc",
		     MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount_or_die(EXEC_FAIL_MOUNT_EARLY, "sysfs", "/sys", "sysfs",
		     MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount_or_die(EXEC_FAIL_MOUNT_EARLY, "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
	mount_or_die(EXEC_FAIL_MOUNT_EARLY, "tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
		     "mode=1777");
	mount_or_die(EXEC_FAIL_MOUNT_EARLY, "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV,
		     "mode=0755");
	/* Without a /dev/console node in the initramfs, the kernel started us
	 * with no standard descriptors: take the console from devtmpfs. */
	if (fcntl(2, F_GETFD) < 0) {
		int fd = open("/dev/console", O_RDWR);

		if (fd >= 0) {
			dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
	}
}

static void net_up(const struct exec_conf *c)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		die(EXEC_FAIL_NET, errno, "socket(AF_INET)");
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr))
		die(EXEC_FAIL_NET, errno, "SIOCGIFFLAGS lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr))
		die(EXEC_FAIL_NET, errno, "SIOCSIFFLAGS lo up");
	close(s);
	if (sethostname(c->hostname, strlen(c->hostname)))
		die(EXEC_FAIL_NET, errno, "sethostname %s", c->hostname);
}

/* The share at ROOT, directly or as the lower layer of an overlay. The lower
 * layer is always read-only: overlayfs never writes it, and a read-only
 * mount makes that a guarantee. */
static void mount_share(const struct exec_conf *c)
{
	unsigned long ro = c->readonly || c->overlay ? MS_RDONLY : 0;
	char opts[128];

	mkdir_or_die(EXEC_FAIL_SHARE, "/mnt");
	if (!c->overlay) {
		mount_or_die(EXEC_FAIL_SHARE, c->tag, ROOT, "virtiofs", ro, NULL);
		return;
	}
	mount_or_die(EXEC_FAIL_SHARE, c->tag, LOWER, "virtiofs", ro, NULL);
	mount_or_die(EXEC_FAIL_OVERLAY, "tmpfs", RW, "tmpfs", 0, "mode=0755");
	mkdir_or_die(EXEC_FAIL_OVERLAY, RW "/upper");
	mkdir_or_die(EXEC_FAIL_OVERLAY, RW "/work");
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s", LOWER, RW "/upper",
		 RW "/work");
	mount_or_die(EXEC_FAIL_OVERLAY, "overlay", ROOT, "overlay", 0, opts);
}

/* Move the early mounts under ROOT, then make ROOT the root (the initramfs
 * cannot be pivot_root'ed: move it over / and chroot, as switch_root does).
 * A target directory missing from a read-only share is a failure. */
static void switch_root(void)
{
	char dst[64];

	for (size_t i = 0; i < sizeof(early) / sizeof(early[0]); i++) {
		snprintf(dst, sizeof(dst), ROOT "%s", early[i]);
		mount_or_die(EXEC_FAIL_SWITCH_ROOT, early[i], dst, NULL, MS_MOVE, NULL);
	}
	if (chdir(ROOT))
		die(EXEC_FAIL_SWITCH_ROOT, errno, "chdir %s", ROOT);
	if (mount(".", "/", NULL, MS_MOVE, NULL))
		die(EXEC_FAIL_SWITCH_ROOT, errno, "mount --move %s /", ROOT);
	if (chroot("."))
		die(EXEC_FAIL_SWITCH_ROOT, errno, "chroot %s", ROOT);
	if (chdir("/"))
		die(EXEC_FAIL_SWITCH_ROOT, errno, "chdir /");
}

static void open_stdio(const struct exec_conf *c, int fds[3])
{
	static const int modes[3] = {O_RDONLY, O_WRONLY, O_WRONLY};

	for (int i = 0; i < 3; i++) {
		fds[i] = open(c->stdio[i], modes[i] | O_NOCTTY | O_CLOEXEC);
		if (fds[i] < 0)
			die(EXEC_FAIL_STDIO, errno, "open %s", c->stdio[i]);
	}
}

/* The child: the descriptors onto 0, 1, 2, an empty signal mask, exec. On a
 * failure it writes errno to report (close-on-exec: the parent reads EOF
 * when the exec worked) and exits. */
static void __attribute__((noreturn)) child(const struct exec_conf *c, const int fds[3], int report)
{
	const char *argv[4], *envp[EXEC_CONF_ENV_MAX + 2];
	sigset_t none;
	int high[3], err;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	/* Above 2 first, so that no dup2 below lands on its own source (which
	 * would keep close-on-exec) or on a descriptor still to be moved. */
	for (int i = 0; i < 3; i++)
		if ((high[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3)) < 0)
			goto out;
	for (int i = 0; i < 3; i++)
		if (dup2(high[i], i) < 0)
			goto out;
	exec_conf_argv(c, argv);
	exec_conf_envp(c, envp);
	execve(argv[0], (char *const *)argv, (char *const *)envp);
out:
	err = errno;
	if (write(report, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

/* Start the command; returns its pid once the exec has succeeded. */
static pid_t start(const struct exec_conf *c)
{
	int fds[3], report[2], err;
	ssize_t n;
	pid_t pid;

	open_stdio(c, fds);
	if (pipe2(report, O_CLOEXEC))
		die(EXEC_FAIL_FORK, errno, "pipe");
	pid = fork();
	if (pid < 0)
		die(EXEC_FAIL_FORK, errno, "fork");
	if (pid == 0)
		child(c, fds, report[1]);
	close(report[1]);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	do
		n = read(report[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(report[0]);
	if (n == sizeof(err)) {
		waitpid(pid, NULL, 0);
		die(err == ENOENT ? EXEC_FAIL_NO_SHELL : EXEC_FAIL_EXEC, err, "/bin/sh");
	}
	return pid;
}

/* Reap every child (PID 1 inherits orphans) until cmd has ended; returns
 * its wait status. */
static int wait_for(pid_t cmd)
{
	for (;;) {
		int ws;
		pid_t p = wait(&ws);

		if (p == cmd)
			return ws;
		if (p < 0 && errno != EINTR)
			die(EXEC_FAIL_WAIT, errno, "wait");
	}
}

int main(void)
{
	struct exec_conf c;
	pid_t cmd;

	if (getpid() != 1) {
		fprintf(stderr, "vmm-init: the init of a `vmm --exec` guest; not for the host\n");
		return 2;
	}
	read_conf(&c);
	mount_early();
	net_up(&c);
	mount_share(&c);
	switch_root();
	if (chdir(c.cwd))
		die(EXEC_FAIL_CWD, errno, "chdir %s", c.cwd);
	cmd = start(&c);
	hand_back(exec_status_done(exec_status_from_wait(wait_for(cmd))));
}
