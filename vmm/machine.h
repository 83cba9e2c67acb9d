/* SPDX-License-Identifier: MIT */
/* One microVM: the VM, its devices, and how to run it to an exit status. */
#ifndef VMM_MACHINE_H
#define VMM_MACHINE_H

#include "devices/platform.h"
#include "devices/vfio/mirror.h"
#include "devices/vfio/vfio.h"
#include "iommu/viot.h"
#include "vmm/config.h"
#include "vmm/image.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

struct uart;
struct ioapic;
struct pci_bus;
struct virtio_pci;
struct virtio_blk;
struct virtio_net;
struct virtio_rng;
struct virtio_console;
struct virtio_iommu;
struct vtd;
struct evlog;
struct pci_dev;
struct pci_dev_config;
struct vfio_pci;
struct edu;

#define MACHINE_MAX_VIRTIO (VMM_MAX_DISKS + VMM_MAX_NETS + 3)
/* The IOAPIC's requester id, 00:1e.0 (QEMU q35's choice): what interrupt
 * remapping checks its IRTEs' source-ids against (the DMAR names it). */
#define MACHINE_IOAPIC_RID 0x00f0

struct machine {
	const struct vmm_config *cfg;
	struct vm vm;
	struct vcpu *vcpus;
	unsigned nr_vcpus_created;
	struct image kernel, initrd;
	struct stop_sink stop;
	struct ioapic *ioapic;
	struct uart *uart;
	int serial_fd; /* where COM1 output goes; -1 when off */
	struct pci_conf1 pci_conf;
	struct absent_dev absent[3]; /* the PICs and fw_cfg (machine.c) */
	struct pci_bus *pci;
	struct virtio_pci *virtio[MACHINE_MAX_VIRTIO];
	unsigned nr_virtio;
	struct virtio_blk *disks[VMM_MAX_DISKS];
	unsigned nr_disks;
	struct virtio_net *nets[VMM_MAX_NETS];
	unsigned nr_nets;
	struct virtio_rng *rng;
	struct virtio_console *vcon;
	struct edu *edu;	     /* --edu */
	struct virtio_iommu *viommu; /* --iommu virtio */
	struct vtd *vtd;	     /* --iommu intel */
	struct evlog *evlog;	     /* --iommu-log */
	struct virtio_pci *viommu_pci;
	struct viot_config viot;
	uint16_t viot_skip[MACHINE_MAX_VIRTIO + VMM_MAX_VFIO + 2]; /* + host bridge, edu */
	unsigned nr_viot_skip;
	int raw_tty; /* 1 when stdin was switched to raw mode */
	/* --device: VFIO passthrough (vmm/machine_vfio.c) */
	struct vfio_ctx vfio_ctx;
	struct vfio_dev vfio_dev[VMM_MAX_VFIO]; /* opened, until plugged */
	struct vfio_pci *vfio[VMM_MAX_VFIO];
	unsigned nr_vfio;
	struct vfio_mirror mirror[VFIO_MAX_GROUPS]; /* one per group behind the vIOMMU */
	unsigned nr_mirrors;
	unsigned next_slot; /* KVM memory slots after RAM's */
};

/* Print "vmm: msg" on stderr (the one-line cause of a failed build step)
 * and return status: the builder steps' way to fail. */
int machine_fail(int status, const char *msg);

/* Build the VM described by cfg (a straight-line recipe: images, KVM and
 * memory, devices, ACPI, kernel, vCPUs). Returns a VMM exit status:
 * 0 when the machine is ready to run, otherwise the status to exit with (a
 * one-line reason has been printed). */
int machine_build(struct machine *m, const struct vmm_config *cfg);

/* Drop privileges, start the vCPUs under their seccomp filters, run the main
 * event loop until the guest or a signal ends the run, and tear down.
 * Returns the process exit status. */
int machine_run(struct machine *m);

/* Builder steps in vmm/machine_devices.c: the PCI bus (after the IOAPIC)
 * and the virtio devices (and --edu) on it. Return 0 or the exit status (message
 * printed). err is a scratch buffer of 256 bytes. */
int machine_add_pci(struct machine *m, char *err);
int machine_add_virtio(struct machine *m, char *err);

/* Builder steps in vmm/machine_vtd.c (--iommu intel). machine_add_vtd:
 * the VT-d unit and its register page. machine_vtd_endpoint: put the PCI
 * function just plugged behind it. Return 0 or the exit status (message
 * printed). */
int machine_add_vtd(struct machine *m, char *err);
int machine_vtd_endpoint(struct machine *m, struct pci_dev *pd, char *err);

/* Log the VT-d unit's caching-mode statistics (vtd_get_stats), if there is
 * a unit, as "vtd: caching-mode invals_mapped=N runs=N leaves=N
 * replaced=N": with the VFIO counters (SIGUSR2, and at exit with -v). */
void machine_vtd_report(struct machine *m);

/* Builder steps in vmm/machine_vfio.c. machine_open_vfio: open every
 * --device (container, group, device fd) and raise RLIMIT_MEMLOCK to what
 * the guest can pin, before the vIOMMU is sized from the host IOMMU's
 * limits (machine_vfio_viommu_params). machine_add_vfio: plug them into PCI,
 * behind the virtio-iommu or with all RAM mapped at IOVA = GPA. Return 0 or
 * the exit status (message printed). */
int machine_open_vfio(struct machine *m, char *err);
void machine_vfio_viommu_params(struct machine *m, uint64_t *input_last, uint64_t *page_mask);
int machine_add_vfio(struct machine *m, char *err);

/* Log what crossed to the host IOMMU (SIGUSR2, and at exit with -v). */
void machine_vfio_report(struct machine *m);

/* Reset and release the passthrough devices and their containers (after
 * the bus and the IOMMU core are gone). */
void machine_destroy_vfio(struct machine *m);

/* Start the device worker threads (after capabilities are dropped). */
int machine_start_devices(struct machine *m);

/* Tear down the bus and devices (after the vCPUs stopped). */
void machine_destroy_devices(struct machine *m);

/* Release everything (safe after a partial machine_build). */
void machine_destroy(struct machine *m);

#endif
