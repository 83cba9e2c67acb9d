// SPDX-License-Identifier: MIT
#include "vmm/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/exit_codes.h"
#include "vmm/layout.h"
#include "vmm/log.h"

#define KVM_CPUID_MAX_ENTRIES 256

static const struct {
	int cap;
	const char *name;
} vm_required_caps[] = {
	{KVM_CAP_USER_MEMORY, "USER_MEMORY"},	    {KVM_CAP_SPLIT_IRQCHIP, "SPLIT_IRQCHIP"},
	{KVM_CAP_IRQ_ROUTING, "IRQ_ROUTING"},	    {KVM_CAP_SIGNAL_MSI, "SIGNAL_MSI"},
	{KVM_CAP_IMMEDIATE_EXIT, "IMMEDIATE_EXIT"}, {KVM_CAP_EXT_CPUID, "EXT_CPUID"},
	{KVM_CAP_IOEVENTFD, "IOEVENTFD"},	    {KVM_CAP_IRQFD, "IRQFD"},
};

static int vm_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int vm_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

static int vm_open_kvm(struct vm *vm, char *err, size_t errlen)
{
	int api;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return vm_fail(err, errlen, -errno, "cannot open /dev/kvm: %s", strerror(errno));
	api = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION)
		return vm_fail(err, errlen, -ENOTSUP, "KVM API version %d, expected %d", api,
			       KVM_API_VERSION);
	for (size_t i = 0; i < ARRAY_SIZE(vm_required_caps); i++)
		if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, vm_required_caps[i].cap) <= 0)
			return vm_fail(err, errlen, -ENOTSUP, "KVM lacks the capability KVM_CAP_%s",
				       vm_required_caps[i].name);
	vm->run_mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_mmap_size < (int)sizeof(struct kvm_run))
		return vm_fail(err, errlen, -ENOTSUP, "KVM_GET_VCPU_MMAP_SIZE failed");
	return 0;
}

static int vm_get_cpuid(struct vm *vm, char *err, size_t errlen)
{
	size_t sz = sizeof(*vm->cpuid) + KVM_CPUID_MAX_ENTRIES * sizeof(vm->cpuid->entries[0]);

	vm->cpuid = calloc(1, sz);
	if (!vm->cpuid)
		return vm_fail(err, errlen, -ENOMEM, "out of memory");
	vm->cpuid->nent = KVM_CPUID_MAX_ENTRIES;
	if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, vm->cpuid) < 0)
		return vm_fail(err, errlen, -errno, "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
	return 0;
}

static int vm_setup_irqchip(struct vm *vm, char *err, size_t errlen)
{
	struct kvm_enable_cap cap = {.cap = KVM_CAP_SPLIT_IRQCHIP, .args[0] = IOAPIC_PINS};

	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)LAYOUT_TSS_ADDR) < 0)
		return vm_fail(err, errlen, -errno, "KVM_SET_TSS_ADDR: %s", strerror(errno));
	if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0)
		return vm_fail(err, errlen, -errno, "KVM_ENABLE_CAP(SPLIT_IRQCHIP): %s",
			       strerror(errno));
	return 0;
}

/* With interrupt remapping in x2APIC mode, remapped messages (KVM routes
 * and KVM_SIGNAL_MSI) carry destination bits 31:8 in address_hi: KVM takes
 * them with 32-bit x2APIC IDs. Before any vCPU exists. */
static int vm_setup_x2apic_api(struct vm *vm, const struct vmm_config *cfg, char *err,
			       size_t errlen)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_X2APIC_API,
		.args[0] = KVM_X2APIC_API_USE_32BIT_IDS | KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK,
	};

	if (cfg->iommu != IOMMU_INTEL || !cfg->iommu_eim)
		return 0;
	if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0)
		return vm_fail(err, errlen, -errno,
			       "KVM_ENABLE_CAP(X2APIC_API), needed by --iommu intel,eim=on: %s",
			       strerror(errno));
	return 0;
}

static int vm_setup_memory(struct vm *vm, const struct vmm_config *cfg, char *err, size_t errlen)
{
	int ret;

	if (guest_mem_layout(&vm->mem, cfg->mem_size))
		return vm_fail(err, errlen, -EINVAL, "invalid memory size");
	ret = guest_mem_alloc(&vm->mem);
	if (ret)
		return vm_fail(err, errlen, ret, "cannot allocate %llu MiB of guest memory: %s",
			       (unsigned long long)(cfg->mem_size >> 20), strerror(-ret));
	for (unsigned i = 0; i < vm->mem.nr; i++) {
		struct kvm_userspace_memory_region r = {
			.slot = i,
			.guest_phys_addr = vm->mem.r[i].base.a,
			.memory_size = vm->mem.r[i].size,
			.userspace_addr = (uintptr_t)vm->mem.r[i].host,
		};

		if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
			return vm_fail(err, errlen, -errno, "KVM_SET_USER_MEMORY_REGION: %s",
				       strerror(errno));
	}
	return 0;
}

static int vm_msi_send(void *opaque, const struct msi_msg *m, uint16_t rid)
{
	struct vm *vm = opaque;
	struct kvm_msi msi = {.address_lo = (uint32_t)m->addr,
			      .address_hi = (uint32_t)(m->addr >> 32),
			      .data = m->data};

	(void)rid; /* KVM_CAP_MSI_DEVID is 0 on x86; remapping happened before */
	if (ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &msi) < 0)
		return -errno;
	return 0;
}

int vm_create(struct vm *vm, const struct vmm_config *cfg, char *err, size_t errlen)
{
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->kvm_fd = vm->vm_fd = vm->stop_efd = -1;
	atomic_init(&vm->stop_status, -1);
	bus_init(&vm->pio, "pio");
	bus_init(&vm->mmio, "mmio");
	vm->msi = (struct msi_sink){vm_msi_send, vm};
	gsi_table_init(&vm->gsi, -1);
	vm->stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->stop_efd < 0)
		return vm_fail(err, errlen, -errno, "eventfd: %s", strerror(errno));
	ret = vm_open_kvm(vm, err, errlen);
	if (ret)
		return ret;
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return vm_fail(err, errlen, -errno, "KVM_CREATE_VM: %s", strerror(errno));
	vm->gsi.vm_fd = vm->vm_fd;
	ret = vm_get_cpuid(vm, err, errlen);
	if (!ret)
		ret = vm_setup_irqchip(vm, err, errlen);
	if (!ret)
		ret = vm_setup_x2apic_api(vm, cfg, err, errlen);
	if (!ret)
		ret = vm_setup_memory(vm, cfg, err, errlen);
	return ret;
}

void vm_destroy(struct vm *vm)
{
	guest_mem_free(&vm->mem);
	free(vm->cpuid);
	vm->cpuid = NULL;
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->stop_efd >= 0)
		close(vm->stop_efd);
	vm->vm_fd = vm->kvm_fd = vm->stop_efd = -1;
}

void vm_request_stop(struct vm *vm, int status, const char *why)
{
	int expected = -1;
	uint64_t one = 1;

	if (!atomic_compare_exchange_strong(&vm->stop_status, &expected, status))
		return;
	snprintf(vm->stop_reason, sizeof(vm->stop_reason), "%s", why ? why : "");
	if (write(vm->stop_efd, &one, sizeof(one)) < 0)
		log_err("cannot signal the stop request: %s", strerror(errno));
}

static void vm_stop_cb(void *opaque, int status, const char *why)
{
	vm_request_stop(opaque, status, why);
}

struct stop_sink vm_stop_sink(struct vm *vm)
{
	return (struct stop_sink){vm_stop_cb, vm};
}
