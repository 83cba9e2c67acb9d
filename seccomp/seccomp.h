/* SPDX-License-Identifier: MIT */
/* The security baseline: no capabilities, and one seccomp filter per kind
 * of thread whose default action kills the process. */
#ifndef SECCOMP_SECCOMP_H
#define SECCOMP_SECCOMP_H

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

/* Install the filter for this kind of thread on the calling thread only.
 * Returns 0 or -errno. */
int seccomp_install(enum seccomp_kind kind);

/* Number of rules (syscalls plus ioctl requests) in a kind's filter. */
unsigned seccomp_rule_count(enum seccomp_kind kind);

#endif
