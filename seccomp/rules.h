/* SPDX-License-Identifier: MIT */
/* The allow lists, as data (seccomp/rules.c). */
#ifndef SECCOMP_RULES_H
#define SECCOMP_RULES_H

#include <stddef.h>

struct seccomp_rule {
	int nr;		 /* syscall number */
	const char *why; /* the reason it is needed */
};

struct seccomp_ioctl {
	unsigned long req; /* ioctl request number */
	const char *why;
};

struct seccomp_rules {
	const struct seccomp_rule *sys;
	size_t nr_sys;
	const struct seccomp_ioctl *ioctls;
	size_t nr_ioctls;
};

extern const struct seccomp_rules seccomp_vcpu_rules, seccomp_main_rules, seccomp_virtio_blk_rules,
	seccomp_virtio_net_rules, seccomp_virtio_rng_rules, seccomp_virtio_console_rules,
	seccomp_virtio_iommu_rules;

#endif
