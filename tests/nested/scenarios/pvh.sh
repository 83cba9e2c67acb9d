# SPDX-License-Identifier: MIT
# The vmlinux ELF of the same kernel, entered through its PVH note.
tok=nested.token=$NAME
l2_boot "$NAME" --kernel "$L2_VMLINUX" --initramfs "$L2_INITRAMFS" --cpus 1 --memory 512M \
	--cmdline "$L2_CMDLINE_BASE $tok -- report"
check_boot "$NAME" 1 512 "$tok"
