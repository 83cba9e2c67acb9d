// SPDX-License-Identifier: MIT
#include "vmm/vcpu_exit.h"

#include <stdio.h>
#include <string.h>

#include "vmm/exit_codes.h"
#include "vmm/log.h"
#include "vmm/vcpu.h"

/* Port I/O: string instructions arrive with count > 1; the data area lies
 * inside the kvm_run page, which KVM sized, but bound it anyway. */
static void vcpu_exit_io(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	unsigned size = run->io.size;
	uint64_t total = (uint64_t)size * run->io.count;

	if (run->io.data_offset + total > (uint64_t)vcpu->vm->run_mmap_size ||
	    (size != 1 && size != 2 && size != 4)) {
		log_guest_once("bad port I/O exit (port 0x%x size %u count %u)", run->io.port, size,
			       run->io.count);
		return;
	}
	for (uint32_t i = 0; i < run->io.count; i++, data += size) {
		uint64_t v = 0;

		if (run->io.direction == KVM_EXIT_IO_OUT) {
			memcpy(&v, data, size);
			bus_write(&vcpu->vm->pio, run->io.port, size, v);
		} else {
			bus_read(&vcpu->vm->pio, run->io.port, size, &v);
			memcpy(data, &v, size);
		}
	}
}

static void vcpu_exit_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	unsigned len = run->mmio.len;
	uint64_t v = 0;

	if (len != 1 && len != 2 && len != 4 && len != 8) {
		log_guest_once("bad MMIO exit length %u at 0x%llx", len,
			       (unsigned long long)run->mmio.phys_addr);
		return;
	}
	if (run->mmio.is_write) {
		memcpy(&v, run->mmio.data, len);
		bus_write(&vcpu->vm->mmio, run->mmio.phys_addr, len, v);
	} else {
		bus_read(&vcpu->vm->mmio, run->mmio.phys_addr, len, &v);
		memcpy(run->mmio.data, &v, len);
	}
}

static void vcpu_crash(struct vcpu *vcpu, const char *what)
{
	char why[160];

	snprintf(why, sizeof(why), "%s on vCPU %u", what, vcpu->id);
	/* Print the registers only from the vCPU whose stop request wins. */
	if (atomic_load(&vcpu->vm->stop_status) == -1)
		vcpu_dump_regs(vcpu, why);
	vm_request_stop(vcpu->vm, VMM_EXIT_CRASH, why);
}

/* KVM_EXIT_INTERNAL_ERROR: the suberror names the cause (1 = instruction
 * emulation failed) and data[] carries KVM's detail (for an emulation failure,
 * the instruction bytes and exit information); log it all, then crash. */
static void vcpu_internal_error(struct vcpu *vcpu)
{
	const struct kvm_run *run = vcpu->run;
	uint32_t n = run->internal.ndata;
	char why[96];

	if (n > sizeof(run->internal.data) / sizeof(run->internal.data[0]))
		n = sizeof(run->internal.data) / sizeof(run->internal.data[0]);
	for (uint32_t i = 0; i < n; i++)
		log_err("vCPU %u: internal error data[%u] = 0x%llx", vcpu->id, i,
			(unsigned long long)run->internal.data[i]);
	snprintf(why, sizeof(why), "KVM internal error (suberror %u, %u data words)",
		 run->internal.suberror, run->internal.ndata);
	vcpu_crash(vcpu, why);
}

static void vcpu_exit_system_event(struct vcpu *vcpu)
{
	switch (vcpu->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN: vm_request_stop(vcpu->vm, VMM_EXIT_POWEROFF, NULL); break;
	case KVM_SYSTEM_EVENT_RESET:
		vm_request_stop(vcpu->vm, VMM_EXIT_RESET, "guest reset");
		break;
	default: vcpu_crash(vcpu, "guest crash (KVM system event)");
	}
}

void vcpu_handle_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	char why[96];

	switch (run->exit_reason) {
	case KVM_EXIT_IO: vcpu_exit_io(vcpu); break;
	case KVM_EXIT_MMIO: vcpu_exit_mmio(vcpu); break;
	case KVM_EXIT_IOAPIC_EOI:
		if (vcpu->vm->eoi)
			vcpu->vm->eoi(vcpu->vm->eoi_opaque, run->eoi.vector);
		break;
	case KVM_EXIT_INTR:
	case KVM_EXIT_HLT: /* only without an in-kernel LAPIC: retry */ break;
	case KVM_EXIT_SHUTDOWN: vcpu_crash(vcpu, "guest triple fault (KVM_EXIT_SHUTDOWN)"); break;
	case KVM_EXIT_INTERNAL_ERROR: vcpu_internal_error(vcpu); break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(why, sizeof(why), "KVM entry failure (reason 0x%llx)",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		vcpu_crash(vcpu, why);
		break;
	case KVM_EXIT_SYSTEM_EVENT: vcpu_exit_system_event(vcpu); break;
	default:
		snprintf(why, sizeof(why), "unexpected KVM exit reason %u", run->exit_reason);
		vcpu_crash(vcpu, why);
	}
}
