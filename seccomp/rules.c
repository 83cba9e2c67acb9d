// SPDX-License-Identifier: MIT
/* Every syscall a VMM thread may make after its filter is installed, with the
 * reason. Anything else kills the process. Keep these lists minimal: a rule
 * is added only with the code path that needs it. */
#include "seccomp/rules.h"

#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <linux/vfio.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "vmm/types.h"

#define R(name, reason)                                                                            \
	{                                                                                          \
		SYS_##name, reason                                                                 \
	}

/* The sanitizer build (make asan: -fsanitize=address,undefined) only: what
 * the ASan/UBSan runtime itself does in a thread whose filter is on, found by
 * running that build under filters that log instead of kill. build/vmm has
 * none of these. A report happens in whichever thread made the error, and
 * goes to stderr with write (already allowed). */
#if defined(__SANITIZE_ADDRESS__)
#define SAN_COMMON_RULES                                                                           \
	, R(sigaltstack, "ASan: a thread's alternate signal stack is removed at its exit"),        \
		R(open, "sanitizer report: /proc/self/maps, cmdline; LeakSanitizer: .../task"),    \
		R(readlink, "sanitizer report: module names (/proc/self/exe, libraries)"),         \
		R(openat,                                                                          \
		  "sanitizer report: the in-process symbolizer reads ELF and debug files"),        \
		R(fcntl, "sanitizer report: the symbolizer's files are close-on-exec"),            \
		R(pipe2, "UBSan report: whether the memory around the error is readable")
/* LeakSanitizer runs at exit, in the main thread: a tracer task (a clone of
 * it, under the same filter) stops every thread with ptrace to scan their
 * registers and stacks. */
#define SAN_MAIN_RULES                                                                             \
	, R(clone, "LeakSanitizer: start the tracer task"),                                        \
		R(prctl, "LeakSanitizer: PR_SET_PTRACER, PR_SET_PDEATHSIG, dumpable flag"),        \
		R(wait4, "LeakSanitizer: wait for the tracer, the tracer for stopped threads"),    \
		R(getppid, "LeakSanitizer's tracer: is the VMM still its parent"),                 \
		R(rt_sigaction, "LeakSanitizer's tracer: its own signal handlers"),                \
		R(getdents, "LeakSanitizer's tracer: list /proc/self/task"),                       \
		R(ptrace, "LeakSanitizer's tracer: stop each thread, read its registers")
#define SAN_IOCTLS                                                                                 \
	,                                                                                          \
	{                                                                                          \
		TCGETS, "sanitizer report: is stderr a terminal (colours)"                         \
	}
#else
#define SAN_COMMON_RULES
#define SAN_MAIN_RULES
#define SAN_IOCTLS
#endif

/* Both kinds of thread share these. */
#define COMMON_RULES                                                                               \
	R(futex, "pthread mutexes, rwlocks and join"),                                             \
		R(write,                                                                           \
		  "guest console output, eventfd signals, log lines on stderr, --iommu-log"),      \
		R(read, "eventfds"),                                                               \
		R(mmap, "malloc of large blocks (never PROT_EXEC: install.c)"),                    \
		R(munmap, "free of large blocks"),                                                 \
		R(mprotect, "malloc arena growth (never PROT_EXEC)"),                              \
		R(brk, "malloc of small blocks"),                                                  \
		R(madvise, "glibc releases a thread's stack on exit"),                             \
		R(rt_sigreturn, "return from the vCPU kick signal handler"),                       \
		R(rt_sigprocmask, "glibc masks signals around thread exit"),                       \
		R(getpid, "pthread_kill"), R(gettid, "pthread_kill"),                              \
		R(clock_gettime, "timestamps when the vDSO is unavailable"),                       \
		R(clock_nanosleep, "bounded back-off"),                                            \
		R(sched_yield, "spin-lock back-off in glibc"), R(exit, "thread exit"),             \
		R(exit_group, "process exit"), R(close, "teardown"),                               \
		R(newfstatat, "stdio buffering decision on first output"),                         \
		R(fstat, "stdio buffering decision on first output"),                              \
		R(lseek, "stdio on a serial log file"), R(fdatasync, "flush a serial log file"),   \
		R(poll, "UART output waits (bounded) when stdout is a full non-blocking pipe")     \
			SAN_COMMON_RULES

static const struct seccomp_rule vcpu_sys[] = {
	COMMON_RULES,
	R(pread64, "VFIO: config space and trapped BAR reads of a passthrough device"),
	R(pwrite64, "VFIO: config space and trapped BAR writes of a passthrough device"),
	R(ioctl, "KVM_RUN and the KVM requests listed below (argument-filtered)"),
};

static const struct seccomp_ioctl vcpu_ioctls[] = {
	{KVM_RUN, "run the vCPU"},
	{KVM_GET_REGS, "register dump on a guest crash"},
	{KVM_GET_SREGS, "register dump on a guest crash"},
	{KVM_SIGNAL_MSI, "IOAPIC and device interrupts"},
	{KVM_SET_GSI_ROUTING, "IOAPIC redirection and MSI-X table changes"},
	{KVM_IOEVENTFD, "virtio notify ioeventfds follow a BAR the guest moves"},
	{KVM_SET_USER_MEMORY_REGION, "VFIO: a passthrough BAR's memory slots follow the guest"},
	{KVM_IRQFD, "VFIO: a vector's irqfd is detached while masked, attached on unmask"},
	{VFIO_DEVICE_SET_IRQS, "VFIO: the guest enables or disables MSI/MSI-X"},
	{VFIO_IOMMU_MAP_DMA, "VFIO: a virtio-iommu reset or bypass write (on a vCPU) maps RAM"},
	{VFIO_IOMMU_UNMAP_DMA,
	 "VFIO: a virtio-iommu reset or bypass write (on a vCPU) unmaps"} SAN_IOCTLS,
};

static const struct seccomp_rule main_sys[] = {
	COMMON_RULES,
	R(ioctl, "the KVM and terminal requests listed below (argument-filtered)"),
	R(epoll_wait, "the event loop"),
	R(epoll_pwait, "the event loop (glibc may use it for epoll_wait)"),
	R(epoll_ctl, "pause/resume reading stdin when the UART FIFO is full"),
	R(pread64, "VFIO teardown: read a passthrough device's command register"),
	R(pwrite64, "VFIO teardown: turn a passthrough device's bus mastering off"),
	R(tgkill, "kick vCPU threads out of KVM_RUN") SAN_MAIN_RULES,
};

static const struct seccomp_ioctl main_ioctls[] = {
	{KVM_SIGNAL_MSI, "UART input interrupts raised from the event loop"},
	{KVM_SET_GSI_ROUTING, "route changes triggered from the event loop"},
	{TCGETS, "terminal state (isatty)"},
	{TCSETS, "restore the terminal on exit"},
	{TCSETSW, "restore the terminal on exit"},
	{KVM_IOEVENTFD, "teardown removes the virtio notify ioeventfds"},
	{KVM_IRQFD, "teardown releases the MSI-X irqfds"},
	{KVM_SET_USER_MEMORY_REGION, "VFIO teardown: a passthrough BAR's memory slots go"},
	{VFIO_DEVICE_SET_IRQS, "VFIO teardown: a passthrough device's interrupts are disabled"},
	{VFIO_DEVICE_RESET, "VFIO teardown: a passthrough device is reset before the VMM exits"},
	{VFIO_IOMMU_UNMAP_DMA, "VFIO teardown: each container ends empty"},
	{VFIO_IOMMU_GET_INFO, "VFIO: dma_avail for SIGUSR2 and the exit report"},
};

/* Device worker threads (vmm/worker.c) share these. */
#define WORKER_RULES                                                                               \
	COMMON_RULES, R(epoll_wait, "the worker's event loop"),                                    \
		R(epoll_pwait, "the worker's event loop (glibc may use it)"),                      \
		R(epoll_ctl, "pause/resume polling a back-end fd"),                                \
		R(ioctl, "the requests listed for the device (argument-filtered)")

/* Where host maps happen: on every thread that may change a domain a VFIO
 * mirror follows (devices/vfio/mirror.c). A device worker is one: its DMA's
 * translation miss under the VT-d fills the IOTLB from the guest's tables,
 * and when a passthrough function shares the domain (caching mode) the mirror
 * maps that fill at the host, on the same thread. */
#define MIRROR_IOCTLS                                                                              \
	{VFIO_IOMMU_MAP_DMA, "VFIO: a VT-d IOTLB fill on a DMA miss, mirrored to the host"},       \
	{                                                                                          \
		VFIO_IOMMU_UNMAP_DMA, "VFIO: a VT-d fill replaced or rolled back"                  \
	}

static const struct seccomp_ioctl worker_ioctls[] = {
	{KVM_SIGNAL_MSI, "INTx through the IOAPIC; MSI-X vectors without a GSI"},
	MIRROR_IOCTLS SAN_IOCTLS,
};

/* The virtio-iommu's worker mirrors guest MAP/UNMAP into VFIO containers
 * (devices/vfio/mirror.c). */
static const struct seccomp_ioctl iommu_ioctls[] = {
	{KVM_SIGNAL_MSI, "INTx through the IOAPIC; MSI-X vectors without a GSI"},
	{VFIO_IOMMU_MAP_DMA, "VFIO: a guest MAP becomes one host map"},
	{VFIO_IOMMU_UNMAP_DMA, "VFIO: a guest UNMAP, detach or bypass change"} SAN_IOCTLS,
};

static const struct seccomp_ioctl net_ioctls[] = {
	{KVM_SIGNAL_MSI, "INTx through the IOAPIC; MSI-X vectors without a GSI"},
	MIRROR_IOCTLS,
	{TUNSETOFFLOAD, "offloads the driver accepted, applied after DRIVER_OK"} SAN_IOCTLS,
};

static const struct seccomp_rule blk_sys[] = {
	WORKER_RULES,
	R(preadv, "VIRTIO_BLK_T_IN straight into the request's iovecs"),
	R(pwritev, "VIRTIO_BLK_T_OUT straight from the request's iovecs"),
	R(fallocate, "DISCARD and WRITE_ZEROES: punch hole, zero range"),
};

static const struct seccomp_rule net_sys[] = {
	WORKER_RULES,
	R(readv, "read one packet (vnet header + frame) from the TAP"),
	R(writev, "send one tx chain (vnet header + frame) to the TAP"),
};

static const struct seccomp_rule rng_sys[] = {
	WORKER_RULES,
	R(getrandom, "fill the guest's rng buffers"),
};

static const struct seccomp_rule console_sys[] = {
	WORKER_RULES,
	R(writev, "guest console output, one chain per call"),
};

/* Requests touch only guest memory and the IOMMU core (futex, malloc);
 * fault events are eventfd writes; interrupts are KVM_SIGNAL_MSI. */
static const struct seccomp_rule iommu_sys[] = {
	WORKER_RULES,
};

#define RULES(sys, io)                                                                             \
	{                                                                                          \
		sys, ARRAY_SIZE(sys), io, ARRAY_SIZE(io)                                           \
	}
const struct seccomp_rules seccomp_virtio_blk_rules = RULES(blk_sys, worker_ioctls);
const struct seccomp_rules seccomp_virtio_net_rules = RULES(net_sys, net_ioctls);
const struct seccomp_rules seccomp_virtio_rng_rules = RULES(rng_sys, worker_ioctls);
const struct seccomp_rules seccomp_virtio_console_rules = RULES(console_sys, worker_ioctls);
const struct seccomp_rules seccomp_virtio_iommu_rules = RULES(iommu_sys, iommu_ioctls);

const struct seccomp_rules seccomp_vcpu_rules = {
	vcpu_sys,
	ARRAY_SIZE(vcpu_sys),
	vcpu_ioctls,
	ARRAY_SIZE(vcpu_ioctls),
};

const struct seccomp_rules seccomp_main_rules = {
	main_sys,
	ARRAY_SIZE(main_sys),
	main_ioctls,
	ARRAY_SIZE(main_ioctls),
};
