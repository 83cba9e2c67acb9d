// SPDX-License-Identifier: MIT
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <linux/vfio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp/rules.h"
#include "seccomp/seccomp.h"
#include "vmm/log.h"

static const struct {
	const struct seccomp_rules *rules;
	const char *name;
} seccomp_kinds[SECCOMP_KINDS] = {
	[SECCOMP_VCPU] = {&seccomp_vcpu_rules, "vCPU"},
	[SECCOMP_MAIN] = {&seccomp_main_rules, "main"},
	[SECCOMP_VIRTIO_BLK] = {&seccomp_virtio_blk_rules, "virtio-blk"},
	[SECCOMP_VIRTIO_NET] = {&seccomp_virtio_net_rules, "virtio-net"},
	[SECCOMP_VIRTIO_RNG] = {&seccomp_virtio_rng_rules, "virtio-rng"},
	[SECCOMP_VIRTIO_CONSOLE] = {&seccomp_virtio_console_rules, "virtio-console"},
	[SECCOMP_VIRTIO_IOMMU] = {&seccomp_virtio_iommu_rules, "virtio-iommu"},
};

static const struct seccomp_rules *seccomp_rules_of(enum seccomp_kind kind)
{
	return seccomp_kinds[kind].rules;
}

unsigned seccomp_rule_count(enum seccomp_kind kind)
{
	const struct seccomp_rules *r = seccomp_rules_of(kind);

	return r->nr_sys + r->nr_ioctls;
}

/* mmap and mprotect are allowed only without PROT_EXEC (their third
 * argument): after set-up nothing may map code, so a guest that takes
 * control of a VMM thread cannot add any. */
static int seccomp_add_noexec(scmp_filter_ctx ctx, int nr)
{
	const struct scmp_arg_cmp noexec = {
		.arg = 2, .op = SCMP_CMP_MASKED_EQ, .datum_a = PROT_EXEC, .datum_b = 0};

	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, 1, &noexec);
}

static int seccomp_add_rules(scmp_filter_ctx ctx, const struct seccomp_rules *r)
{
	int ret;

	for (size_t i = 0; i < r->nr_sys; i++) {
		if (r->sys[i].nr == SYS_ioctl)
			continue; /* argument-filtered below */
		if (r->sys[i].nr == SYS_mmap || r->sys[i].nr == SYS_mprotect) {
			ret = seccomp_add_noexec(ctx, r->sys[i].nr);
			if (ret)
				return ret;
			continue;
		}
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, r->sys[i].nr, 0);
		if (ret)
			return ret;
	}
	for (size_t i = 0; i < r->nr_ioctls; i++) {
		/* SCMP_A1_64() leaves datum_b to the compiler, which clang warns of */
		const struct scmp_arg_cmp req = {
			.arg = 1, .op = SCMP_CMP_EQ, .datum_a = r->ioctls[i].req, .datum_b = 0};

		ret = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, &req);
		if (ret)
			return ret;
	}
	return 0;
}

#ifdef VMM_SECCOMP_TEST_HOOK
/* Only in the test-only build (tests/seccomp/seccomp.mk), never in build/vmm:
 * when VMM_TEST_SECCOMP names this kind of thread, make a syscall that no
 * filter allows, right after the filter is on, so that tests/seccomp/run.sh
 * can watch the kernel kill the VMM. VMM_TEST_SECCOMP_VFIO=KIND makes that
 * kind of thread call VFIO's MAP_DMA and UNMAP_DMA (on no fd: EBADF), which
 * every thread that may change a mirrored domain's mappings must be let do:
 * the filter must not kill it. VMM_TEST_SECCOMP_MMAP_EXEC=KIND and
 * VMM_TEST_SECCOMP_MPROTECT_EXEC=KIND make that kind of thread map a page
 * executable, which every filter refuses by killing the VMM. */
static void seccomp_test_hook(enum seccomp_kind kind)
{
	const char *want = getenv("VMM_TEST_SECCOMP");
	const char *vfio = getenv("VMM_TEST_SECCOMP_VFIO");
	const char *mmapx = getenv("VMM_TEST_SECCOMP_MMAP_EXEC");
	const char *mprotx = getenv("VMM_TEST_SECCOMP_MPROTECT_EXEC");

	if (want && !strcmp(want, seccomp_kinds[kind].name))
		syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
	if (mmapx && !strcmp(mmapx, seccomp_kinds[kind].name)) {
		void *p =
			mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		log_warn("seccomp test hook: %s thread: an executable mmap returned %p",
			 seccomp_kinds[kind].name, p);
	}
	if (mprotx && !strcmp(mprotx, seccomp_kinds[kind].name)) {
		void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int r = mprotect(p, 4096, PROT_READ | PROT_EXEC);

		log_warn("seccomp test hook: %s thread: mprotect to PROT_EXEC returned %d",
			 seccomp_kinds[kind].name, r);
	}
	if (vfio && !strcmp(vfio, seccomp_kinds[kind].name)) {
		int a = ioctl(-1, VFIO_IOMMU_MAP_DMA, NULL) < 0 ? errno : 0;
		int b = ioctl(-1, VFIO_IOMMU_UNMAP_DMA, NULL) < 0 ? errno : 0;

		log_warn("seccomp test hook: %s thread: VFIO MAP_DMA %s, UNMAP_DMA %s",
			 seccomp_kinds[kind].name, strerror(a), strerror(b));
	}
}
#else
static void seccomp_test_hook(enum seccomp_kind kind)
{
	(void)kind;
}
#endif

int seccomp_install(enum seccomp_kind kind)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int ret;

	if (!ctx)
		return -ENOMEM;
	ret = seccomp_add_rules(ctx, seccomp_rules_of(kind));
	if (!ret)
		ret = seccomp_load(ctx);
	seccomp_release(ctx);
	if (!ret)
		seccomp_test_hook(kind);
	if (ret)
		log_err("cannot install the %s seccomp filter: %s", seccomp_kinds[kind].name,
			strerror(-ret));
	return ret;
}
