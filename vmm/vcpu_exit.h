/* SPDX-License-Identifier: MIT */
/* Dispatch of one KVM exit (vCPU thread only). */
#ifndef VMM_VCPU_EXIT_H
#define VMM_VCPU_EXIT_H

struct vcpu;

/* Handle vcpu->run's exit: port I/O and MMIO go to the buses, IOAPIC EOIs to
 * the IOAPIC; shutdowns and errors request a stop with the right status. */
void vcpu_handle_exit(struct vcpu *vcpu);

#endif
