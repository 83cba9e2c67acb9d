/* SPDX-License-Identifier: MIT */
/* vCPUs: one thread each, running KVM_RUN and dispatching exits to the buses. */
#ifndef VMM_VCPU_H
#define VMM_VCPU_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>

#include "vmm/boot.h"
#include "vmm/vm.h"

struct vcpu {
	struct vm *vm;
	unsigned id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
	atomic_bool dump_req; /* log the registers at the next exit (SIGUSR2) */
	/* Called first on the vCPU thread (seccomp filter). 0 or the thread ends
	 * the run with VMM_EXIT_HOST. */
	int (*thread_init)(struct vcpu *vcpu);
};

/* Create vCPU id with its CPUID table and LAPIC LINT0/LINT1 programmed.
 * Returns 0 or -errno with a reason in err. */
int vcpu_create(struct vm *vm, struct vcpu *vcpu, unsigned id, char *err,
		size_t errlen) __must_check;

/* Put the boot vCPU in the state a boot protocol asks for, and write the
 * boot GDT (and, for 64-bit entry, an empty IDT) to guest RAM. */
int vcpu_set_boot_state(struct vcpu *vcpu, const struct boot_cpu *b, char *err,
			size_t errlen) __must_check;

/* Start the vCPU's thread. APs block in KVM until the guest sends SIPI. */
int vcpu_start(struct vcpu *vcpu) __must_check;

/* Make the vCPU leave KVM_RUN soon (it then sees the stop request). */
void vcpu_kick(struct vcpu *vcpu);

/* Ask the vCPU to log its registers (where the guest runs) soon: it is
 * kicked out of KVM_RUN and logs them on its own thread. Diagnostics. */
void vcpu_request_dump(struct vcpu *vcpu);

/* Wait for the thread to end, then close the vCPU. */
void vcpu_destroy(struct vcpu *vcpu);

/* Install the process-wide kick signal handler; call once before vcpu_start. */
int vcpu_signals_init(void) __must_check;

/* Print the vCPU's registers to stderr (crash reports, SIGUSR2), after a
 * "vmm: TITLE" line when title is not NULL, all in one write. */
void vcpu_dump_regs(struct vcpu *vcpu, const char *title);

#endif
