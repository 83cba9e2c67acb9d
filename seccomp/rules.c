// SPDX-License-Identifier: MIT
/* Every syscall a VMM thread may make after its filter is installed, with the
 * reason. Anything else kills the process. Keep these lists minimal: a rule
 * is added only with the code path that needs it. */
#include "seccomp/rules.h"

#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "vmm/types.h"

#define R(name, reason) { SYS_##name, reason }

/* Both kinds of thread share these. */
#define COMMON_RULES                                                            \
	R(futex, "pthread mutexes, rwlocks and join"),                          \
	R(write, "guest console output, eventfd signals, log lines on stderr"), \
	R(read, "eventfds"),                                                    \
	R(mmap, "malloc of large blocks (e.g. the GSI routing table)"),         \
	R(munmap, "free of large blocks"),                                      \
	R(mprotect, "malloc arena growth"),                                     \
	R(brk, "malloc of small blocks"),                                       \
	R(madvise, "glibc releases a thread's stack on exit"),                  \
	R(rt_sigreturn, "return from the vCPU kick signal handler"),            \
	R(rt_sigprocmask, "glibc masks signals around thread exit"),            \
	R(getpid, "pthread_kill"),                                              \
	R(gettid, "pthread_kill"),                                              \
	R(clock_gettime, "timestamps when the vDSO is unavailable"),            \
	R(clock_nanosleep, "bounded back-off"),                                 \
	R(sched_yield, "spin-lock back-off in glibc"),                          \
	R(exit, "thread exit"),                                                 \
	R(exit_group, "process exit"),                                          \
	R(close, "teardown"),                                                   \
	R(newfstatat, "stdio buffering decision on first output"),              \
	R(fstat, "stdio buffering decision on first output"),                   \
	R(lseek, "stdio on a serial log file"),                                 \
	R(fdatasync, "flush a serial log file"),                                \
	R(poll, "UART output waits (bounded) when stdout is a full non-blocking pipe")

static const struct seccomp_rule vcpu_sys[] = {
	COMMON_RULES,
	R(ioctl, "KVM_RUN and the KVM requests listed below (argument-filtered)"),
};

static const struct seccomp_ioctl vcpu_ioctls[] = {
	{ KVM_RUN, "run the vCPU" },
	{ KVM_GET_REGS, "register dump on a guest crash" },
	{ KVM_GET_SREGS, "register dump on a guest crash" },
	{ KVM_SIGNAL_MSI, "IOAPIC and device interrupts" },
	{ KVM_SET_GSI_ROUTING, "IOAPIC redirection changes (EOI exits)" },
};

static const struct seccomp_rule main_sys[] = {
	COMMON_RULES,
	R(ioctl, "the KVM and terminal requests listed below (argument-filtered)"),
	R(epoll_wait, "the event loop"),
	R(epoll_pwait, "the event loop (glibc may use it for epoll_wait)"),
	R(epoll_ctl, "pause/resume reading stdin when the UART FIFO is full"),
	R(tgkill, "kick vCPU threads out of KVM_RUN"),
};

static const struct seccomp_ioctl main_ioctls[] = {
	{ KVM_SIGNAL_MSI, "UART input interrupts raised from the event loop" },
	{ KVM_SET_GSI_ROUTING, "route changes triggered from the event loop" },
	{ TCGETS, "terminal state (isatty)" },
	{ TCSETS, "restore the terminal on exit" },
	{ TCSETSW, "restore the terminal on exit" },
};

const struct seccomp_rules seccomp_vcpu_rules = {
	vcpu_sys, ARRAY_SIZE(vcpu_sys), vcpu_ioctls, ARRAY_SIZE(vcpu_ioctls),
};

const struct seccomp_rules seccomp_main_rules = {
	main_sys, ARRAY_SIZE(main_sys), main_ioctls, ARRAY_SIZE(main_ioctls),
};
