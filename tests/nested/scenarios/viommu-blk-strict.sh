# SPDX-License-Identifier: MIT
# viommu-blk-strict: the checks of virtio-blk.sh with the disk behind build/vmm's
# virtio-iommu (--iommu virtio) and L2 in strict invalidation (iommu.strict=1:
# every unmap is flushed at once). L2 loads virtio-iommu.ko before virtio_blk
# (task viommu-run), mounts the host's ext4 image (virtio-blk.prep.sh)
# read-write, writes files, prints their SHA-256 sums and unmounts; L1 checks
# the image with e2fsck and reads the files back with debugfs: every sum must
# match (blk-lib.sh). Plus the IOMMU checks of viommu-lib.sh (the disk in an IOMMU group,
# the policy, no IOMMU fault in L2's dmesg).
# viommu-blk-lazy.sh sets VIOMMU_STRICT=0 and sources this file.
# One L2 vCPU, as in virtio-blk.sh/virtio-net.sh: with two, L0 (QEMU MTTCG)
# sometimes corrupts L2's self-patched text, and once hung L1 outright.
L2_TIMEOUT=180
. /scenarios/viommu-lib.sh
. /scenarios/blk-lib.sh
strict=${VIOMMU_STRICT:-1}
img=/tmp/$NAME.img
serial=nested-viommu-$$
bad=""
if blk_unpack "$img"; then
	l2_boot "$NAME" --kernel "$L2_BZIMAGE" --initramfs "$L2_INITRAMFS" --cpus 1 --memory 512M \
		--iommu virtio --disk "path=$img,serial=$serial" \
		--cmdline "$L2_CMDLINE_BASE iommu.strict=$strict -- viommu-run virtio-blk rw"
	check_task "$NAME"
	viommu_check "$strict" 1
	blk_check "$img" "$serial"
	blk_result "init=${L2_INIT_S}s run=${L2_RUN_S}s policy=$(l2_value VIOMMU-POLICY)"
fi
rm -f "$img"
