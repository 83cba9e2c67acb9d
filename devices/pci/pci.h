/* SPDX-License-Identifier: MIT */
/* The PCI Express core: PCI functions and the bus they sit on.
 *
 * A device embeds a struct pci_dev, fills it with pci_dev_init(), declares
 * its BARs (pci_bar_declare), adds capabilities (pci_cap_add, pci_cap_add_pcie,
 * msix_init) and is then plugged into the bus with pci_bus_add(), which plays
 * firmware: it assigns every BAR from the windows, enables decoding, fills
 * INTERRUPT_LINE and gives the device a DMA address space for its requester
 * ID. From then on the guest drives it through config cycles (ECAM or
 * 0xcf8/0xcfc) and its BARs.
 *
 * Config space is data: 4 KiB of bytes plus per-byte writable and
 * write-1-to-clear masks. A guest write changes only writable bits (and
 * clears W1C bits written as one); side effects (BAR moves, decode enables,
 * INTx disable, MSI-X enable/mask) follow from the new register values.
 *
 * Hooks (struct pci_dev_ops) let a device take part:
 *  - bar_read/bar_write: accesses to its BARs, as (bar index, offset, size);
 *    the MSI-X table and PBA windows never reach them;
 *  - config_read/config_write: see every guest config cycle after the
 *    emulation (a VFIO device passes most of its config space through);
 *  - bar_map: a BAR starts or stops decoding at an address (ioeventfds,
 *    KVM memory slots for VFIO BARs);
 *  - reset: function reset.
 *
 * Locking: each function has a mutex that serialises its config space,
 * BAR state and MSI-X state. bar_read/bar_write, config_read/config_write
 * and reset are called WITHOUT it, so they may call any pci_ or msix_
 * function (msix_notify, pci_set_intx, pci_config_get). bar_map is called
 * WITH it held (during a config write) and must not call back into this
 * API for the same device. Lock order: device, then bus (struct bus), GSI
 * table, IOAPIC. */
#ifndef DEVICES_PCI_PCI_H
#define DEVICES_PCI_PCI_H

#include <linux/pci_regs.h>
#include <pthread.h>

#include "devices/platform.h"
#include "iommu/dma.h"
#include "vmm/bus.h"
#include "vmm/gsi.h"
#include "vmm/irq.h"
#include "vmm/types.h"
#include "devices/pci/msix.h"
#include "devices/pci/msi.h"

struct pci_dev;
struct pci_bus;
struct acpi_ext;

#define PCI_MAX_SLOTS	    32 /* devices on bus 0, function 0 each */
#define PCI_DEVFN(slot, fn) ((uint8_t)(((slot) << 3) | (fn)))
#define PCI_RID(bus, devfn) ((uint16_t)(((bus) << 8) | (devfn)))

/* Windows the bus hands out (guest-physical / port numbers). */
#define PCI_ECAM_BUSES	  1 /* ECAM decodes buses 0..PCI_ECAM_BUSES-1 */
#define PCI_ECAM_SIZE	  (PCI_ECAM_BUSES * MiB(1))
#define PCI_IO_WINDOW	  0x1000u /* I/O BARs: 0x1000..0xffff */
#define PCI_IO_WINDOW_END 0x10000u

/* INTx wiring: pin p (0 = INTA) of slot s is IOAPIC input
 * PCI_INTX_GSI_BASE + (s + p) % PCI_INTX_GSI_COUNT, level-triggered, shared
 * (wired-OR). The _PRT says the same. */
#define PCI_INTX_GSI_BASE  16
#define PCI_INTX_GSI_COUNT 8

/* Host bridge identity (00.0): Red Hat / "QEMU PCIe host bridge". */
#define PCI_HOST_VENDOR_ID 0x1b36
#define PCI_HOST_DEVICE_ID 0x0008
#define PCI_HOST_CLASS	   0x060000 /* bridge, host bridge */

enum pci_bar_type {
	PCI_BAR_NONE = 0,
	PCI_BAR_MEM32, /* 32-bit memory BAR */
	PCI_BAR_MEM64, /* 64-bit memory BAR: uses slots idx and idx + 1 */
	PCI_BAR_IO,    /* I/O space BAR (< 64 KiB of ports) */
};

struct pci_bar {
	struct pci_dev *dev; /* back pointer: the bus handler's opaque */
	uint64_t size;	     /* power of two; 0: not implemented */
	uint64_t addr;	     /* where it decodes, while 'mapped' */
	enum pci_bar_type type;
	bool prefetch;
	bool mapped; /* registered on the mmio/pio bus */
	uint8_t idx;
};

struct pci_dev_ops {
	/* Guest access to BAR 'bar' at 'off', size 1/2/4/8. Optional. */
	uint64_t (*bar_read)(struct pci_dev *d, unsigned bar, uint64_t off, unsigned size);
	void (*bar_write)(struct pci_dev *d, unsigned bar, uint64_t off, unsigned size,
			  uint64_t val);
	/* After the emulated read of 'size' bytes at 'reg' produced 'val':
	 * return what the guest sees. Optional. */
	uint32_t (*config_read)(struct pci_dev *d, uint16_t reg, unsigned size, uint32_t val);
	/* After the emulated write has been applied. Optional. */
	void (*config_write)(struct pci_dev *d, uint16_t reg, unsigned size, uint32_t val);
	/* BAR 'bar' now decodes at addr (mapped) or no longer decodes. Called
	 * with the device lock held. Optional. */
	void (*bar_map)(struct pci_dev *d, unsigned bar, uint64_t addr, bool mapped);
	/* Function reset (after the config space went back to its initial
	 * state). Optional. */
	void (*reset)(struct pci_dev *d);
	/* The route of a vector (msix: an MSI-X entry, else an MSI vector)
	 * was installed (it can fire) or removed (masked, disabled). For a
	 * device whose interrupts reach the eventfd without msix_notify()
	 * (VFIO), which detaches the irqfd while the vector cannot fire so that
	 * the eventfd keeps what arrives as pending. Called with the device
	 * lock held. Optional. */
	void (*vector_routed)(struct pci_dev *d, bool msix, unsigned vec, bool routed);
	/* True when the device holds an interrupt of a vector that could not
	 * fire (VFIO: its eventfd is readable while the irqfd is detached), so
	 * that the MSI-X PBA shows it pending. Device lock held. Optional. */
	bool (*vector_pending)(struct pci_dev *d, bool msix, unsigned vec);
};

/* What pci_dev_init() writes into the type 0 header. */
struct pci_dev_info {
	uint16_t vendor, device;
	uint16_t subsys_vendor, subsys;
	uint32_t class; /* base << 16 | sub << 8 | prog-if */
	uint8_t revision;
	uint8_t intx_pin; /* 0: no INTx, 1: INTA (2..4: INTB..INTD) */
	const char *name; /* for logs; must outlive the device */
};

struct pci_dev {
	const char *name;
	const struct pci_dev_ops *ops;
	void *opaque; /* the device model's state */
	pthread_mutex_t lock;

	/* Set by pci_bus_add(). */
	struct pci_bus *bus;
	uint8_t devfn;
	uint16_t rid;	   /* bus << 8 | devfn */
	struct dma_as dma; /* every DMA of this function goes here */

	uint8_t cfg[PCI_CFG_SPACE_EXP_SIZE];
	uint8_t wmask[PCI_CFG_SPACE_EXP_SIZE];	 /* guest-writable bits */
	uint8_t w1cmask[PCI_CFG_SPACE_EXP_SIZE]; /* write-1-to-clear bits */
	uint8_t *reset_cfg;			 /* snapshot for pci_dev_reset(), lazily */
	uint16_t cap_end;			 /* first free byte for the next capability */
	uint8_t cap_last;			 /* offset of the last capability, 0: none */
	uint8_t pcie_cap;			 /* offset of the PCIe capability, 0: none */

	bool intx_level; /* device's view of INTx (before disable) */
	bool intx_out;	 /* what the bus currently sees */

	struct pci_bar bar[PCI_STD_NUM_BARS];
	struct msix msix; /* msix.nvec == 0: no MSI-X */
	struct msi msi;	  /* msi.nvec == 0: no MSI */
};

/* ---- Function set-up (devices/pci/config.c) ---- */

/* Initialise d with an empty type 0 header from info: IDs, class, revision,
 * subsystem, interrupt pin, the command register's writable bits (I/O,
 * memory, bus master, parity, SERR, INTx disable), the status register's
 * W1C error bits, a writable cache line size and interrupt line. ops may be
 * NULL. Cannot fail. */
void pci_dev_init(struct pci_dev *d, const struct pci_dev_info *info, const struct pci_dev_ops *ops,
		  void *opaque);

/* Release what the device acquired (MSI-X eventfds, snapshots). The device
 * must have been removed from guest reach (the bus freed or never used). */
void pci_dev_fini(struct pci_dev *d);

/* Append a capability of 'len' bytes (>= 2) with ID 'id' to the list in
 * the first 256 bytes, 4-byte aligned, zeroed and read-only apart from its
 * header; sets STATUS.CAP_LIST. Returns its offset, or -ENOSPC / -EINVAL.
 * A vendor-specific capability (PCI_CAP_ID_VNDR) gets its length byte
 * (offset 2) filled in. Call before pci_bus_add(). */
int pci_cap_add(struct pci_dev *d, uint8_t id, unsigned len) __must_check;

/* Offset of the first capability with ID 'id' that follows the capability
 * at offset 'start' in the list (start 0: from the head), or 0 if none.
 * The walk is bounded (a looping list ends it). */
uint8_t pci_cap_find(struct pci_dev *d, uint8_t id, uint8_t start);

/* Add a PCI Express capability (version 2) of the given type
 * (PCI_EXP_TYPE_RC_END for a device on the root bus, or
 * PCI_EXP_TYPE_ENDPOINT) so that the guest treats the function as PCIe and
 * uses the 4 KiB extended config space. Returns its offset or -errno. */
int pci_cap_add_pcie(struct pci_dev *d, unsigned type) __must_check;

/* Raw config space access for set-up and hooks: no masks, no side effects.
 * size is 1, 2 or 4 and reg + size <= 4096. Takes the device lock (not
 * usable from bar_map). */
uint32_t pci_config_get(struct pci_dev *d, uint16_t reg, unsigned size);
void pci_config_set(struct pci_dev *d, uint16_t reg, unsigned size, uint32_t val);

/* Make the bits 'mask' of the size-byte register at reg guest-writable
 * (pci_config_set_wmask) or write-1-to-clear (pci_config_set_w1cmask);
 * other bits of the register become read-only. Set-up only. */
void pci_config_set_wmask(struct pci_dev *d, uint16_t reg, unsigned size, uint32_t mask);
void pci_config_set_w1cmask(struct pci_dev *d, uint16_t reg, unsigned size, uint32_t mask);

/* A guest config cycle: size 1/2/4, reg aligned to size, reg < 4096.
 * Reads apply the config_read hook, writes go through the masks, then the
 * side effects, then the config_write hook. Bad sizes/alignments are
 * logged (read all ones / dropped). Thread-safe. */
uint32_t pci_config_read(struct pci_dev *d, uint16_t reg, unsigned size);
void pci_config_write(struct pci_dev *d, uint16_t reg, unsigned size, uint32_t val);

/* Function reset: config space back to what it was when pci_bus_add()
 * finished (BARs at their firmware addresses, decoding as firmware left
 * it), MSI-X disabled and all vectors masked, INTx deasserted; then the
 * reset hook. */
void pci_dev_reset(struct pci_dev *d);

/* ---- BARs (devices/pci/bar.c) ---- */

/* Declare BAR idx (0..5) of 'size' bytes (a power of two; memory >= 16,
 * I/O 4..256). A PCI_BAR_MEM64 BAR also takes slot idx + 1. prefetch is
 * only allowed for memory BARs. Sets the BAR's read-only type bits and its
 * writable address bits, so that writing all ones reads back the size.
 * 0 or -EINVAL (bad size/index/overlap). Call before pci_bus_add(). */
int pci_bar_declare(struct pci_dev *d, unsigned idx, enum pci_bar_type type, uint64_t size,
		    bool prefetch) __must_check;

/* The address BAR idx is programmed with (decoding or not), from its
 * registers. 0 for an unimplemented BAR. Takes the device lock. */
uint64_t pci_bar_addr(struct pci_dev *d, unsigned idx);

/* ---- INTx (devices/pci/intx.c) ---- */

/* Set the device's INTx level (1 asserted). Mirrored in
 * STATUS.INTERRUPT; the pin is driven only while COMMAND.INTX_DISABLE is
 * clear. Level-triggered and shared: the IOAPIC input is the OR of every
 * device wired to it. No-op for a device without an interrupt pin or not on
 * a bus. Thread-safe. */
void pci_set_intx(struct pci_dev *d, int level);

/* IOAPIC input of pin (0 = INTA .. 3 = INTD) of slot. */
unsigned pci_intx_gsi(unsigned slot, unsigned pin);

/* ---- The bus and host bridge (devices/pci/bus.c, host.c) ---- */

struct pci_bus_config {
	struct bus *mmio, *pio;	     /* BARs and ECAM are registered here */
	const struct guest_mem *mem; /* for the DMA address spaces */
	struct gsi_table *gsi;	     /* MSI-X vectors' GSIs; NULL: every
				      * MSI-X message goes through msi */
	struct msix_router router;   /* .route NULL: msix_router_kvm(gsi) */
	struct msi_sink msi;	     /* MSI-X delivery without a GSI */
	struct irq_line intx;	     /* IOAPIC .set/.opaque; pin unused */
	uint64_t mmio64_base;	     /* 64-bit window above RAM, or 0 */
	uint64_t mmio64_size;	     /* 0: 64-bit BARs go below 4 GiB */
};

/* Create bus 0 with the host bridge at 00.0 and register its ECAM window
 * (LAYOUT_PCI_ECAM, PCI_ECAM_SIZE) on cfg->mmio. 0 or -errno (-ENOMEM,
 * -EBUSY from the bus, -EINVAL for a bad window). */
int pci_bus_new(const struct pci_bus_config *cfg, struct pci_bus **out) __must_check;

/* Unregister the ECAM and every BAR, release the bus (not the devices:
 * their owners call pci_dev_fini()). NULL is ignored. */
void pci_bus_free(struct pci_bus *b);

/* Plug d in at slot (1..31), or at the first free slot if slot < 0. Plays
 * firmware: assigns each BAR a naturally aligned address (64-bit BARs in
 * the 64-bit window when there is one), enables memory and I/O decoding as
 * needed (bus mastering stays off), sets INTERRUPT_LINE to the pin's IOAPIC
 * input, gives d its DMA address space and its MSI-X vectors their GSIs and
 * irqfds. Returns the devfn, or -EBUSY (slot taken), -ENOSPC (no slot or
 * window space), -EINVAL, or -errno from KVM/eventfd. */
int pci_bus_add(struct pci_bus *b, struct pci_dev *d, int slot) __must_check;

/* The function at rid (bus 0 only), or NULL. Includes the host bridge. */
struct pci_dev *pci_bus_find(struct pci_bus *b, uint16_t rid);

/* Config cycles by bdf (bus << 8 | devfn): absent functions read all ones
 * and ignore writes. The same path ECAM and 0xcf8/0xcfc take. */
uint32_t pci_bus_config_read(struct pci_bus *b, uint16_t bdf, uint16_t reg, unsigned size);
void pci_bus_config_write(struct pci_bus *b, uint16_t bdf, uint16_t reg, unsigned size,
			  uint32_t val);

/* For pci_conf1_init(): the 0xcf8/0xcfc mechanism reaching this bus. */
struct pci_conf_target pci_bus_conf_target(struct pci_bus *b);

/* Replace how MSI-X routes reach KVM (interrupt remapping wraps the
 * default; r NULL restores msix_router_kvm) and re-route every vector that
 * can fire, on every device. Passing the current router again just
 * re-routes (after the remapping tables changed). */
void pci_bus_set_msix_router(struct pci_bus *b, const struct msix_router *r);

/* Replace the sink of vectors without a GSI (interrupt remapping wraps
 * the VM's). Call before the guest runs: the sink is read without a lock. */
void pci_bus_set_msi_sink(struct pci_bus *b, struct msi_sink s);

/* The ACPI contribution: an MCFG table and, in the DSDT, \_SB.PCI0 (host
 * bridge with _CRS and _PRT) and a motherboard device reserving the ECAM.
 * The returned struct refers to b. */
struct acpi_ext pci_bus_acpi_ext(struct pci_bus *b);

#endif
