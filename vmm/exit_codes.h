/* SPDX-License-Identifier: MIT */
/* Process exit statuses of build/vmm. Documented in docs/vmm.1 and README.
 * The debug-exit port produces odd statuses ((v << 1) | 1); every status the
 * VMM chooses itself is even, so the two can never be confused. */
#ifndef VMM_EXIT_CODES_H
#define VMM_EXIT_CODES_H

enum vmm_exit {
	VMM_EXIT_POWEROFF = 0, /* guest powered off through ACPI */
	VMM_EXIT_USAGE = 2,    /* bad command line */
	VMM_EXIT_IMAGE = 4,    /* kernel/initramfs missing, unreadable, invalid, too big */
	VMM_EXIT_KVM = 6,      /* /dev/kvm missing, or KVM refused a set-up ioctl */
	VMM_EXIT_RESET = 8,    /* guest asked for a reset (ACPI reset register) */
	VMM_EXIT_CRASH = 10,   /* triple fault, KVM internal error, failed entry */
	VMM_EXIT_SIGNAL = 12,  /* SIGINT or SIGTERM */
	VMM_EXIT_HOST = 14,    /* other host failure (out of memory, I/O error) */
	VMM_EXIT_DEVICE = 16,  /* a --device cannot be passed through: no such device, not
				* bound to vfio-pci, group not viable, no host IOMMU,
				* permission denied, memlock limit too low */
};

#endif
