/* SPDX-License-Identifier: MIT */
/* The VM configuration the command line produces. */
#ifndef VMM_CONFIG_H
#define VMM_CONFIG_H

#include <linux/virtio_blk.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define VMM_DEFAULT_CPUS 1
#define VMM_DEFAULT_MEM	 (256ull << 20)
#define VMM_MAX_CPUS	 254 /* xAPIC IDs; 0xff is broadcast */

enum serial_mode { SERIAL_TTY, SERIAL_OFF, SERIAL_FILE };

/* The virtual IOMMU shown to the guest. */
enum iommu_kind { IOMMU_NONE, IOMMU_VIRTIO, IOMMU_INTEL };

#define VMM_MAX_DISKS	    8
#define VMM_MAX_NETS	    4
#define VMM_DISK_SERIAL_MAX VIRTIO_BLK_ID_BYTES /* 20 */

/* Options every PCI device accepts. */
struct pci_dev_config {
	bool iommu; /* behind the IOMMU when one is configured (iommu=on|off) */
};

struct disk_config {
	const char *path;
	bool readonly;
	const char *serial; /* NULL: none */
	struct pci_dev_config pci;
	char *opts; /* the copy of the --disk argument that path and serial point into */
};

struct net_config {
	const char *tap;
	uint8_t mac[6];
	bool has_mac;
	struct pci_dev_config pci;
	char *opts; /* the copy of the --net argument that tap points into */
};

struct console_config {
	bool enabled;
	enum serial_mode mode;
	const char *path;
	struct pci_dev_config pci;
	char *opts; /* the copy of the --console argument that path points into */
};

/* --device path=/sys/bus/pci/devices/DDDD:BB:DD.F: a host PCI function
 * passed through VFIO. */
struct vfio_config {
	const char *path;
	struct pci_dev_config pci;
	char *opts; /* the copy of the --device argument that path points into */
};

#define VMM_MAX_VFIO 8

struct rng_config {
	bool enabled;
	struct pci_dev_config pci;
};

/* --edu: a device compatible with QEMU's edu (devices/edu.h). */
struct edu_config {
	bool enabled;
	struct pci_dev_config pci;
};

struct vmm_config {
	const char *kernel;
	const char *initramfs;
	const char *cmdline;
	unsigned cpus;
	uint64_t mem_size;
	enum serial_mode serial;
	const char *serial_path;
	bool seccomp;  /* seccomp filters and the Landlock ruleset (--seccomp) */
	bool user_set; /* --user UID:GID: drop to it after set-up */
	uid_t uid;
	gid_t gid;
	bool verbose;
	struct disk_config disks[VMM_MAX_DISKS];
	unsigned nr_disks;
	struct net_config nets[VMM_MAX_NETS];
	unsigned nr_nets;
	struct rng_config rng;
	struct console_config console;
	struct edu_config edu;
	enum iommu_kind iommu;
	bool iommu_caching_mode;      /* --iommu intel,caching-mode=on */
	unsigned iommu_aw_bits;	      /* --iommu intel,aw-bits=39|48 */
	bool iommu_aw_given;	      /* aw-bits was on the command line */
	bool iommu_check_inval;	      /* --iommu intel,check-invalidation=on */
	const char *iommu_log;	      /* --iommu-log FILE, or NULL */
	bool iommu_eim;		      /* --iommu intel,eim=on (the default): x2APIC IR */
	bool iommu_ioapic_sid_ignore; /* --iommu intel,ioapic-sid=ignore (QEMU's way) */
	struct vfio_config vfio[VMM_MAX_VFIO];
	unsigned nr_vfio;
};

#endif
