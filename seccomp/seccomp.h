/* SPDX-License-Identifier: MIT */
/* The security baseline: no capabilities, one seccomp filter per kind of
 * thread whose default action kills the process (and which never lets code
 * be mapped), no file system (Landlock), and optionally another user. The
 * order, in vmm/run.c: jail_user, caps_drop_all, jail_files, then the
 * threads, each installing its filter. docs/security.md has the threat
 * model. */
#ifndef SECCOMP_SECCOMP_H
#define SECCOMP_SECCOMP_H

#include <sys/types.h>

enum seccomp_kind {
	SECCOMP_VCPU,		/* vCPU threads: KVM_RUN and device emulation */
	SECCOMP_MAIN,		/* the main/event thread: I/O, signals, teardown */
	SECCOMP_VIRTIO_BLK,	/* virtio-blk worker: preadv/pwritev on the image */
	SECCOMP_VIRTIO_NET,	/* virtio-net worker: readv/writev on the TAP */
	SECCOMP_VIRTIO_RNG,	/* virtio-rng worker: getrandom */
	SECCOMP_VIRTIO_CONSOLE, /* virtio-console worker: writev to the output */
	SECCOMP_VIRTIO_IOMMU,	/* virtio-iommu worker: requests, fault events */
	SECCOMP_KINDS,
};

/* Drop every capability (effective, permitted, inheritable, and the bounding
 * set when we may) and set no_new_privs. Call once, before any thread is
 * created. Returns 0 or -errno. */
int caps_drop_all(void);

/* Become uid:gid with no supplementary groups, for good (real, effective
 * and saved ids). Needs the process to run as root; call before
 * caps_drop_all, after every file and device is open. Returns 0, or -EPERM
 * (not root, or the change did not stick) or another -errno, logged. */
int jail_user(uid_t uid, gid_t gid);

/* Deny this thread and every thread it creates later all file-system access
 * (a Landlock ruleset that handles every file-system right both
 * <linux/landlock.h> and the kernel's ABI version know, and grants none;
 * the sanitizer build may still read, see jail.c).
 * Sets no_new_privs. Call after set-up, before the threads start. A kernel
 * without Landlock gets one warning and 0. Returns 0 or -errno, logged. */
int jail_files(void);

/* Install the filter for this kind of thread on the calling thread only.
 * Returns 0 or -errno. */
int seccomp_install(enum seccomp_kind kind);

/* Number of rules (syscalls plus ioctl requests) in a kind's filter. */
unsigned seccomp_rule_count(enum seccomp_kind kind);

#endif
