// SPDX-License-Identifier: MIT
/* The builder: one straight-line recipe from a configuration to a VM that is
 * ready to run. Each step's failure names its cause and maps to a status. */
#include "vmm/machine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/ioapic.h"
#include "devices/pci/pci.h"
#include "devices/uart.h"
#include "vmm/acpi.h"
#include "devices/vtd/vtd.h"
#include "iommu/evlog.h"
#include "vmm/boot.h"
#include "vmm/exit_codes.h"
#include "vmm/layout.h"
#include "vmm/log.h"
#include "vmm/reset_vector.h"

#define ERRLEN 256

int machine_fail(int status, const char *msg)
{
	fprintf(stderr, "vmm: %s\n", msg);
	return status;
}

static int machine_load_images(struct machine *m, char *err)
{
	const struct vmm_config *cfg = m->cfg;

	if (image_read(cfg->kernel, cfg->mem_size, &m->kernel, err, ERRLEN))
		return machine_fail(VMM_EXIT_IMAGE, err);
	if (cfg->initramfs && image_read(cfg->initramfs, cfg->mem_size, &m->initrd, err, ERRLEN))
		return machine_fail(VMM_EXIT_IMAGE, err);
	return 0;
}

static int machine_open_serial(struct machine *m, char *err)
{
	const struct vmm_config *cfg = m->cfg;

	m->serial_fd = -1;
	if (cfg->serial == SERIAL_TTY) {
		m->serial_fd = STDOUT_FILENO;
	} else if (cfg->serial == SERIAL_FILE) {
		m->serial_fd =
			open(cfg->serial_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (m->serial_fd < 0) {
			snprintf(err, ERRLEN, "--serial: cannot open %s: %s", cfg->serial_path,
				 strerror(errno));
			return machine_fail(VMM_EXIT_USAGE, err);
		}
	}
	return 0;
}

/* --iommu-log: opened now, before any thread runs under seccomp. */
static int machine_open_iommu_log(struct machine *m, char *err)
{
	const char *path = m->cfg->iommu_log;
	int ret;

	if (!path)
		return 0;
	ret = evlog_open(path, &m->evlog);
	if (ret) {
		snprintf(err, ERRLEN, "--iommu-log: cannot open %s: %s", path, strerror(-ret));
		return machine_fail(VMM_EXIT_USAGE, err);
	}
	return 0;
}

static void machine_ioapic_route(void *opaque, unsigned pin, const struct msi_msg *msg, bool masked,
				 bool level)
{
	struct machine *m = opaque;
	struct msi_msg out = *msg;
	bool on = true;
	int ret;

	/* The route stays while the pin is masked: KVM derives the EOI-exit
	 * vectors from it, and a level interrupt that is in service when Linux
	 * masks its pin must still exit on EOI, or remote IRR would stick. The
	 * IOAPIC itself sends every interrupt (KVM_SIGNAL_MSI), so a stale
	 * route never delivers anything. Under interrupt remapping the route
	 * holds the remapped message (the vector and destination KVM must
	 * see), translated without recording a fault: the IOAPIC's own sends
	 * record them. A pin remapping blocks has no route: nothing it sends
	 * is delivered, so it has no EOI to exit on. */
	(void)level, (void)masked;
	if (m->vtd)
		on = !vtd_ir_translate(m->vtd, msg, MACHINE_IOAPIC_RID, &out, false);
	ret = gsi_set_msi(&m->vm.gsi, pin, &out, on);
	if (ret)
		log_guest_once("cannot mirror IOAPIC pin %u into KVM: %s", pin, strerror(-ret));
}

static void machine_eoi(void *opaque, uint8_t vector)
{
	ioapic_eoi(opaque, vector);
}

/* The legacy ports guests touch by habit, answered quietly (absent_ops). */
static const struct {
	uint16_t port, len;
	const char *name;
} absent_ports[] = {
	{PORT_PIC1, 2, "pic1 (absent)"},
	{PORT_PIC2, 2, "pic2 (absent)"},
	{PORT_FW_CFG, PORT_FW_CFG_LEN, "fw_cfg (absent)"},
};

static int machine_add_devices(struct machine *m, char *err)
{
	struct vm *vm = &m->vm;
	int ret;

	m->stop = vm_stop_sink(vm);
	m->ioapic = ioapic_new(vm->msi, 0);
	if (!m->ioapic)
		return machine_fail(VMM_EXIT_HOST, "out of memory (IOAPIC)");
	ioapic_set_route_hook(m->ioapic, machine_ioapic_route, m);
	vm->eoi = machine_eoi;
	vm->eoi_opaque = m->ioapic;
	m->uart = uart_new((struct irq_line){ioapic_set_irq, m->ioapic, IRQ_COM1}, m->serial_fd);
	if (!m->uart)
		return machine_fail(VMM_EXIT_HOST, "out of memory (UART)");

	ret = machine_add_pci(m, err);
	if (ret)
		return ret;
	ret = bus_register(&vm->mmio, LAYOUT_IOAPIC, IOAPIC_MMIO_SIZE, &ioapic_bus_ops, m->ioapic,
			   "ioapic");
	ret = ret
		      ?: bus_register(&vm->pio, PORT_COM1, PORT_COM1_LEN, &uart_bus_ops, m->uart,
				      "com1");
	ret = ret
		      ?: bus_register(&vm->pio, PORT_DEBUG_EXIT, 4, &debug_exit_ops, &m->stop,
				      "debug-exit");
	ret = ret
		      ?: bus_register(&vm->pio, PORT_ACPI_PM, PORT_ACPI_PM_LEN, &acpi_pm_ops,
				      &m->stop, "acpi-pm");
	ret = ret
		      ?: bus_register(&vm->pio, PORT_PCI_CONF, 8, &pci_conf1_ops, &m->pci_conf,
				      "pci-conf1");
	_Static_assert(ARRAY_SIZE(absent_ports) == ARRAY_SIZE(m->absent), "one absent_dev each");
	for (unsigned i = 0; i < ARRAY_SIZE(m->absent) && !ret; i++) {
		m->absent[i].name = absent_ports[i].name;
		ret = bus_register(&vm->pio, absent_ports[i].port, absent_ports[i].len, &absent_ops,
				   &m->absent[i], absent_ports[i].name);
	}
	if (ret) {
		snprintf(err, ERRLEN, "device registration failed: %s", strerror(-ret));
		return machine_fail(VMM_EXIT_HOST, err);
	}
	return 0;
}

static int machine_add_acpi(struct machine *m, gpa_t *rsdp, char *err)
{
	struct acpi_ext ext[2] = {pci_bus_acpi_ext(m->pci)};
	struct acpi_config ac = {.nr_cpus = m->cfg->cpus, .ext = ext, .nr_ext = 1};
	uint64_t len = LAYOUT_BIOS_END - LAYOUT_BIOS_START;
	uint8_t *buf = guest_mem_ptr(&m->vm.mem, gpa(LAYOUT_BIOS_START), len);
	int ret;

	if (!buf)
		return machine_fail(VMM_EXIT_USAGE, "guest memory too small for ACPI tables");
	if (m->viommu)
		ext[ac.nr_ext++] = viot_acpi_ext(&m->viot);
	if (m->vtd)
		ext[ac.nr_ext++] = vtd_acpi_ext(m->vtd, LAYOUT_IOMMU_REGS);
	ret = acpi_build(&ac, buf, len, gpa(LAYOUT_BIOS_START), rsdp);
	if (!ret)
		ret = reset_vector_install(&m->vm.mem);
	if (ret) {
		snprintf(err, ERRLEN, "cannot build the ACPI tables: %s", strerror(-ret));
		return machine_fail(VMM_EXIT_HOST, err);
	}
	return 0;
}

static int machine_load_kernel(struct machine *m, gpa_t rsdp, struct boot_cpu *cpu, char *err)
{
	struct boot_args a = {
		.kernel = m->kernel.data,
		.kernel_len = m->kernel.len,
		.kernel_path = m->cfg->kernel,
		.initrd = m->initrd.data,
		.initrd_len = m->initrd.len,
		.cmdline = m->cfg->cmdline,
		.rsdp = rsdp,
		.mem = &m->vm.mem,
	};
	enum boot_proto proto;
	char why[ERRLEN - 32];
	int ret;

	ret = boot_load(&a, cpu, &proto, why, sizeof(why));
	if (ret) {
		snprintf(err, ERRLEN, "%s: %s", m->cfg->kernel, why);
		return machine_fail(VMM_EXIT_IMAGE, err);
	}
	log_debug("booting %s through %s", m->cfg->kernel, boot_proto_name(proto));
	return 0;
}

static int machine_add_vcpus(struct machine *m, const struct boot_cpu *boot, char *err)
{
	unsigned n = m->cfg->cpus;

	m->vcpus = calloc(n, sizeof(*m->vcpus));
	if (!m->vcpus)
		return machine_fail(VMM_EXIT_HOST, "out of memory (vCPUs)");
	m->vm.vcpus = m->vcpus;
	m->vm.nr_vcpus = n;
	for (unsigned i = 0; i < n; i++) {
		int ret = vcpu_create(&m->vm, &m->vcpus[i], i, err, ERRLEN);

		if (ret)
			return machine_fail(VMM_EXIT_KVM, err);
		m->nr_vcpus_created++;
	}
	if (vcpu_set_boot_state(&m->vcpus[0], boot, err, ERRLEN))
		return machine_fail(VMM_EXIT_KVM, err);
	return 0;
}

int machine_build(struct machine *m, const struct vmm_config *cfg)
{
	char err[ERRLEN];
	struct boot_cpu boot;
	gpa_t rsdp;
	int ret;

	memset(m, 0, sizeof(*m));
	m->cfg = cfg;
	m->serial_fd = -1;
	m->vm.vm_fd = m->vm.kvm_fd = m->vm.stop_efd = -1;
	if ((ret = machine_load_images(m, err)))
		return ret;
	if ((ret = machine_open_serial(m, err)))
		return ret;
	if ((ret = machine_open_iommu_log(m, err)))
		return ret;
	ret = vm_create(&m->vm, cfg, err, sizeof(err));
	if (ret)
		return machine_fail(ret == -ENOMEM ? VMM_EXIT_HOST : VMM_EXIT_KVM, err);
	if ((ret = machine_add_devices(m, err)))
		return ret;
	if ((ret = machine_add_virtio(m, err)))
		return ret;
	if ((ret = machine_add_acpi(m, &rsdp, err)))
		return ret;
	if ((ret = machine_load_kernel(m, rsdp, &boot, err)))
		return ret;
	image_free(&m->kernel);
	image_free(&m->initrd);
	return machine_add_vcpus(m, &boot, err);
}

void machine_destroy(struct machine *m)
{
	for (unsigned i = 0; i < m->nr_vcpus_created; i++)
		vcpu_destroy(&m->vcpus[i]);
	free(m->vcpus);
	m->vcpus = NULL;
	m->nr_vcpus_created = 0;
	machine_destroy_devices(m);
	evlog_close(m->evlog); /* after the IOMMUs that wrote to it */
	m->evlog = NULL;
	if (m->uart)
		uart_free(m->uart);
	if (m->ioapic)
		ioapic_free(m->ioapic);
	m->uart = NULL;
	m->ioapic = NULL;
	if (m->serial_fd > STDERR_FILENO)
		close(m->serial_fd);
	m->serial_fd = -1;
	vm_destroy(&m->vm);
	image_free(&m->kernel);
	image_free(&m->initrd);
}
