# SPDX-License-Identifier: MIT
# A bzImage with one vCPU and 512 MiB: L2 reaches its init and reports back.
tok=nested.token=$NAME
l2_boot "$NAME" --kernel "$L2_BZIMAGE" --initramfs "$L2_INITRAMFS" --cpus 1 --memory 512M \
	--cmdline "$L2_CMDLINE_BASE $tok -- report"
check_boot "$NAME" 1 512 "$tok"
