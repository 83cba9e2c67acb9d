// SPDX-License-Identifier: MIT
/* Ways out of the guest; the runner checks the VMM's exit status.
 *   mode=byte code=N   outb N to 0xf4        -> (N << 1) | 1
 *   mode=dword code=N  outl N to 0xf4        -> (N << 1) | 1 (low 8 bits)
 *   mode=poweroff      ACPI S5               -> 0
 *   mode=reset         FADT reset register   -> 8 (build/vmm)
 *   mode=triple        empty IDT, then #UD   -> 10 (build/vmm)
 * Anything that returns reports a failure (status 3).
 *
 * A machine that reboots instead of exiting (QEMU without -no-reboot) is
 * caught too: before a reset or triple fault the guest leaves a marker with
 * the runner's nonce=X in low RAM, which a reset does not clear; the next
 * boot finds it and exits with REBOOTED_CODE (status 0xa5). */
#include "guest.h"

#define MARKER_ADDR   0x7f000 /* RAM below the EBDA, unused by the loaders */
#define MARKER_MAGIC  0x544f4f4265524754ull
#define REBOOTED_CODE 0x52

struct marker {
	uint64_t magic;
	uint64_t nonce;
};

static struct marker *marker(void)
{
	return (struct marker *)(uintptr_t)MARKER_ADDR;
}

/* True when this boot follows a reset this test asked for. */
static bool rebooted(uint64_t nonce)
{
	struct marker *m = marker();
	bool hit = m->magic == MARKER_MAGIC && m->nonce == nonce;

	m->magic = 0;
	return hit;
}

static void leave_marker(uint64_t nonce)
{
	marker()->nonce = nonce;
	marker()->magic = MARKER_MAGIC;
}

static _Noreturn void triple_fault(void)
{
	static const struct desc_ptr empty = {0, 0};

	sys_lidt(&empty);
	/* #UD cannot be delivered: #GP, then #DF, then shutdown. */
	__asm__ volatile("ud2");
	for (;;)
		cpu_relax();
}

int main(void)
{
	char mode[16];
	uint64_t code = 0, nonce = 0;
	bool by_reset;

	if (!report(cmdline_get("mode", mode, sizeof(mode)) != NULL, "cmdline has mode="))
		return 0;
	cmdline_get_u64("code", &code);
	cmdline_get_u64("nonce", &nonce);
	by_reset = !strcmp(mode, "reset") || !strcmp(mode, "triple");
	if (by_reset && nonce && bootinfo_is_ram(MARKER_ADDR, sizeof(struct marker))) {
		if (rebooted(nonce)) {
			printf("# exit: rebooted after %s\n", mode);
			guest_exit(REBOOTED_CODE);
		}
		leave_marker(nonce);
	}
	report(true, "reached exit mode %s", mode);
	printf("# exit: leaving through %s\n", mode);
	if (!strcmp(mode, "byte"))
		guest_exit((uint8_t)code);
	if (!strcmp(mode, "dword"))
		guest_exit32((uint32_t)code);
	if (!strcmp(mode, "poweroff"))
		report(acpi_poweroff() == 0, "ACPI power-off took effect");
	else if (!strcmp(mode, "reset"))
		report(acpi_reset() == 0, "ACPI reset took effect");
	else if (!strcmp(mode, "triple"))
		triple_fault();
	else
		report(false, "known mode \"%s\"", mode);
	return 0;
}
