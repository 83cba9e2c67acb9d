// SPDX-License-Identifier: MIT
#include "vmm/vcpu.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/cpuid.h"
#include "vmm/exit_codes.h"
#include "vmm/log.h"
#include "vmm/vcpu_exit.h"

#define VCPU_KICK_SIGNAL SIGUSR1
#define APIC_LVT_LINT0	 0x350
#define APIC_LVT_LINT1	 0x360
#define APIC_MODE_EXTINT (7u << 8)
#define APIC_MODE_NMI	 (4u << 8)

static __thread struct kvm_run *vcpu_tls_run;

static void vcpu_kick_handler(int sig)
{
	(void)sig;
	if (vcpu_tls_run)
		vcpu_tls_run->immediate_exit = 1;
}

int vcpu_signals_init(void)
{
	struct sigaction sa = {.sa_handler = vcpu_kick_handler};

	sigemptyset(&sa.sa_mask);
	return sigaction(VCPU_KICK_SIGNAL, &sa, NULL) ? -errno : 0;
}

static int vcpu_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int vcpu_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

static int vcpu_setup_cpuid(struct vcpu *vcpu, char *err, size_t errlen)
{
	struct vm *vm = vcpu->vm;
	unsigned cap = vm->cpuid->nent + 16;
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + cap * sizeof(c->entries[0]));
	bool deadline = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0;
	int ret;

	if (!c)
		return vcpu_fail(err, errlen, -ENOMEM, "out of memory");
	c->nent = cap;
	ret = cpuid_build(vm->cpuid, vcpu->id, vm->nr_vcpus, deadline, c);
	if (!ret && ioctl(vcpu->fd, KVM_SET_CPUID2, c) < 0)
		ret = -errno;
	free(c);
	if (ret)
		return vcpu_fail(err, errlen, ret, "KVM_SET_CPUID2: %s", strerror(-ret));
	return 0;
}

/* LINT0 = ExtINT, LINT1 = NMI, as firmware leaves them. */
static int vcpu_setup_lapic(struct vcpu *vcpu, char *err, size_t errlen)
{
	struct kvm_lapic_state s;
	uint32_t v;

	if (ioctl(vcpu->fd, KVM_GET_LAPIC, &s) < 0)
		return vcpu_fail(err, errlen, -errno, "KVM_GET_LAPIC: %s", strerror(errno));
	memcpy(&v, &s.regs[APIC_LVT_LINT0], 4);
	v = (v & ~0x700u) | APIC_MODE_EXTINT;
	memcpy(&s.regs[APIC_LVT_LINT0], &v, 4);
	memcpy(&v, &s.regs[APIC_LVT_LINT1], 4);
	v = (v & ~0x700u) | APIC_MODE_NMI;
	memcpy(&s.regs[APIC_LVT_LINT1], &v, 4);
	if (ioctl(vcpu->fd, KVM_SET_LAPIC, &s) < 0)
		return vcpu_fail(err, errlen, -errno, "KVM_SET_LAPIC: %s", strerror(errno));
	return 0;
}

int vcpu_create(struct vm *vm, struct vcpu *vcpu, unsigned id, char *err, size_t errlen)
{
	void *run;
	int ret;

	memset(vcpu, 0, sizeof(*vcpu));
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (vcpu->fd < 0)
		return vcpu_fail(err, errlen, -errno, "KVM_CREATE_VCPU %u: %s", id,
				 strerror(errno));
	run = mmap(NULL, vm->run_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (run == MAP_FAILED)
		return vcpu_fail(err, errlen, -errno, "mmap(kvm_run): %s", strerror(errno));
	vcpu->run = run;
	ret = vcpu_setup_cpuid(vcpu, err, errlen);
	if (!ret)
		ret = vcpu_setup_lapic(vcpu, err, errlen);
	return ret;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;

	vcpu_tls_run = vcpu->run;
	if (vcpu->thread_init && vcpu->thread_init(vcpu)) {
		vm_request_stop(vm, VMM_EXIT_HOST, "vCPU thread set-up failed");
		return NULL;
	}
	while (atomic_load(&vm->stop_status) == -1) {
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				vcpu->run->immediate_exit = 0;
				if (atomic_exchange(&vcpu->dump_req, false)) {
					char title[48];

					snprintf(title, sizeof(title),
						 "warning: vCPU %u registers:", vcpu->id);
					vcpu_dump_regs(vcpu, title);
				}
				continue;
			}
			char why[96];
			snprintf(why, sizeof(why), "KVM_RUN failed on vCPU %u: %s", vcpu->id,
				 strerror(errno));
			vm_request_stop(vm, VMM_EXIT_HOST, why);
			break;
		}
		vcpu_handle_exit(vcpu);
	}
	return NULL;
}

int vcpu_start(struct vcpu *vcpu)
{
	int ret = pthread_create(&vcpu->thread, NULL, vcpu_thread, vcpu);

	if (ret)
		return -ret;
	vcpu->started = true;
	return 0;
}

void vcpu_kick(struct vcpu *vcpu)
{
	if (vcpu->started)
		pthread_kill(vcpu->thread, VCPU_KICK_SIGNAL);
}

void vcpu_request_dump(struct vcpu *vcpu)
{
	atomic_store(&vcpu->dump_req, true);
	vcpu_kick(vcpu);
}

void vcpu_destroy(struct vcpu *vcpu)
{
	if (vcpu->started)
		pthread_join(vcpu->thread, NULL);
	vcpu->started = false;
	if (vcpu->run)
		munmap(vcpu->run, vcpu->vm->run_mmap_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->run = NULL;
	vcpu->fd = -1;
}
