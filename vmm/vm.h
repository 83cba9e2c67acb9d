/* SPDX-License-Identifier: MIT */
/* The VM: KVM handles, guest memory, the two buses, the vCPUs, and the stop
 * request through which any thread ends the run with an exit status. */
#ifndef VMM_VM_H
#define VMM_VM_H

#include <linux/kvm.h>
#include <stdatomic.h>

#include "vmm/bus.h"
#include "vmm/gsi.h"
#include "vmm/config.h"
#include "vmm/guest_mem.h"
#include "vmm/irq.h"

struct vcpu;

struct vm {
	int kvm_fd, vm_fd;
	int run_mmap_size;
	struct guest_mem mem;
	struct bus pio, mmio;
	unsigned nr_vcpus;
	struct vcpu *vcpus;
	struct kvm_cpuid2 *cpuid; /* KVM_GET_SUPPORTED_CPUID, unpatched */
	struct msi_sink msi;	  /* delivers to KVM (KVM_SIGNAL_MSI) */
	struct gsi_table gsi;	  /* KVM GSI routing (IOAPIC pins, MSI/MSI-X) */
	/* KVM_EXIT_IOAPIC_EOI goes here (the user-space IOAPIC). */
	void (*eoi)(void *opaque, uint8_t vector);
	void *eoi_opaque;
	atomic_int stop_status; /* -1 while running; first stop wins */
	int stop_efd;		/* eventfd: written once on stop */
	char stop_reason[160];
};

/* A way for a device to end the run, without knowing struct vm. */
struct stop_sink {
	void (*stop)(void *opaque, int status, const char *why);
	void *opaque;
};

/* Open /dev/kvm, check the API and capabilities, create the VM with a split
 * irqchip (24 IOAPIC routes in user space), allocate and register guest RAM.
 * On failure returns -errno with a one-line reason in err. */
int vm_create(struct vm *vm, const struct vmm_config *cfg, char *err, size_t errlen) __must_check;

/* Release everything vm_create() and later set-up acquired. */
void vm_destroy(struct vm *vm);

/* Ask the run to end with status (first caller wins); why is one line for
 * stderr (may be NULL). Thread-safe and async-signal-unsafe. */
void vm_request_stop(struct vm *vm, int status, const char *why);

/* A stop_sink that calls vm_request_stop(vm, ...). */
struct stop_sink vm_stop_sink(struct vm *vm);

#endif
