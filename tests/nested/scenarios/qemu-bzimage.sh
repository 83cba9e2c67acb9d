# SPDX-License-Identifier: MIT
# The harness itself, checked with QEMU instead of build/vmm: same kernel,
# initramfs and checks as bzimage-1cpu. Needs the bench image (QEMU in L1).
tok=nested.token=$NAME
qemu_boot "$NAME" 1 512M "$L2_BZIMAGE" "$L2_INITRAMFS" "$L2_CMDLINE_BASE $tok -- report"
check_boot "$NAME" 1 512 "$tok"
