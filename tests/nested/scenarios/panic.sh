# SPDX-License-Identifier: MIT
# No init to run: the kernel panics, panic=-1 reboots at once through the ACPI
# reset register, and the VMM exits with the reset status 8. The panic comes
# ~10 s after the start: a shorter timeout keeps a hang from eating the run.
L2_TIMEOUT=60
l2_boot "$NAME" --kernel "$L2_BZIMAGE" --initramfs "$L2_INITRAMFS" --cpus 1 --memory 256M \
	--cmdline "$L2_CMDLINE_BASE rdinit=/nonexistent init=/nonexistent"
if [ "$L2_STATUS" = 8 ] && grep -q 'Kernel panic' "$L2_LOG"; then
	result "$NAME" pass
else
	result "$NAME" fail "vmm-status=$L2_STATUS(want-8) panic-message=$(grep -c 'Kernel panic' "$L2_LOG")"
	# Linux on HW-reduced ACPI without EFI picks BOOT_EFI, then jumps to the
	# BIOS reset vector (arch/x86/kernel/reboot.c); reboot=acpi would hide that.
	note "panic: a hang after 'Kernel Offset' means Linux's default reboot path (EFI, then the real-mode reset vector at 0xffff0) did not reach the VMM"
	dump_log
fi
