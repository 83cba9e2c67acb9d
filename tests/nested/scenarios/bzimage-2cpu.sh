# SPDX-License-Identifier: MIT
# A bzImage with two vCPUs: the second one comes up (INIT/SIPI through the LAPIC).
tok=nested.token=$NAME
l2_boot "$NAME" --kernel "$L2_BZIMAGE" --initramfs "$L2_INITRAMFS" --cpus 2 --memory 512M \
	--cmdline "$L2_CMDLINE_BASE $tok -- report"
check_boot "$NAME" 2 512 "$tok"
