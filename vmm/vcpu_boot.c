// SPDX-License-Identifier: MIT
/* The boot vCPU's initial state, and the register dump for crash reports. */
#include <asm/processor-flags.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/layout.h"
#include "vmm/log.h"
#include "vmm/vcpu.h"

/* EFER bits (msr-index.h is not UAPI); the CR0/CR4 bits are X86_CR0_PE etc.
 * from <asm/processor-flags.h>. */
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)

#define GDT_SEL_CODE 0x10
#define GDT_SEL_DATA 0x18
#define GDT_SEL_TSS  0x20

/* Descriptors: base 0, limit 4 GiB, granularity 4 KiB. */
#define GDT_CODE32 0x00cf9b000000ffffull
#define GDT_CODE64 0x00af9b000000ffffull
#define GDT_DATA   0x00cf93000000ffffull
#define GDT_TSS	   0x00008b0000000067ull

static struct kvm_segment seg_flat(uint16_t sel, uint8_t type, bool code64)
{
	return (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = sel,
		.type = type,
		.present = 1,
		.s = 1,
		.g = 1,
		.db = !code64,
		.l = code64,
	};
}

static int vcpu_write_gdt(struct vcpu *vcpu, bool long64)
{
	uint64_t gdt[5] = {0, 0, long64 ? GDT_CODE64 : GDT_CODE32, GDT_DATA, GDT_TSS};

	return guest_mem_write(&vcpu->vm->mem, gpa(LAYOUT_BOOT_GDT), gdt, sizeof(gdt));
}

int vcpu_set_boot_state(struct vcpu *vcpu, const struct boot_cpu *b, char *err, size_t errlen)
{
	bool long64 = b->mode == BOOT_CPU_LONG64;
	struct kvm_sregs sregs;
	struct kvm_regs regs = {.rflags = X86_EFLAGS_FIXED,
				.rip = b->rip,
				.rsp = b->rsp,
				.rax = b->rax,
				.rbx = b->rbx,
				.rsi = b->rsi};
	struct kvm_fpu fpu = {.fcw = 0x37f, .mxcsr = 0x1f80};

	if (vcpu_write_gdt(vcpu, long64)) {
		snprintf(err, errlen, "guest memory too small for the boot GDT");
		return -EFAULT;
	}
	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		goto fail;
	sregs.cs = seg_flat(GDT_SEL_CODE, 0xb, long64);
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = seg_flat(GDT_SEL_DATA, 0x3, false);
	sregs.tr = (struct kvm_segment){
		.selector = GDT_SEL_TSS, .limit = 0x67, .type = 0xb, .present = 1};
	sregs.ldt = (struct kvm_segment){.type = 0x2, .present = 1, .limit = 0xffff};
	sregs.gdt.base = LAYOUT_BOOT_GDT;
	sregs.gdt.limit = 5 * 8 - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = X86_CR0_PE | X86_CR0_ET;
	sregs.cr4 = 0;
	sregs.efer = 0;
	if (long64) {
		sregs.cr0 |= X86_CR0_PG;
		sregs.cr3 = b->cr3;
		sregs.cr4 |= X86_CR4_PAE;
		sregs.efer |= EFER_LME | EFER_LMA;
	}
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0 ||
	    ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0 || ioctl(vcpu->fd, KVM_SET_FPU, &fpu) < 0)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "cannot set the boot vCPU state: %s", strerror(errno));
	return -errno;
}

void vcpu_dump_regs(struct vcpu *vcpu, const char *title)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &r) < 0 || ioctl(vcpu->fd, KVM_GET_SREGS, &s) < 0) {
		log_err("cannot read the registers of vCPU %u", vcpu->id);
		return;
	}
	/* One call, title included: other threads' log lines cannot come
	 * between the lines of one dump. */
	fprintf(stderr,
		"%s%s%s"
		"vmm:  rip=%016llx rsp=%016llx rflags=%016llx\n"
		"vmm:  rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx\n"
		"vmm:  rsi=%016llx rdi=%016llx rbp=%016llx\n"
		"vmm:  cr0=%016llx cr2=%016llx cr3=%016llx cr4=%016llx efer=%llx\n"
		"vmm:  cs=%04x(base %llx l%u db%u dpl%u) ss=%04x gdt=%llx/%x idt=%llx/%x\n",
		title ? "vmm: " : "", title ? title : "", title ? "\n" : "", r.rip, r.rsp, r.rflags,
		r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rbp, s.cr0, s.cr2, s.cr3, s.cr4, s.efer,
		s.cs.selector, s.cs.base, s.cs.l, s.cs.db, s.cs.dpl, s.ss.selector, s.gdt.base,
		s.gdt.limit, s.idt.base, s.idt.limit);
	/* AMD: KVM re-initialises the VMCB after a shutdown intercept, so what
	 * it gives back is the reset state, not the state that failed. */
	if (r.rip == 0xfff0 && s.cs.selector == 0xf000 && s.cs.base == 0xffff0000 &&
	    !(s.cr0 & X86_CR0_PE))
		fprintf(stderr, "vmm:  (these are the reset values: KVM on AMD resets a vCPU on a "
				"triple fault, so the failing state is lost)\n");
}
