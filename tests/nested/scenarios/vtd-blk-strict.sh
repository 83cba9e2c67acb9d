# SPDX-License-Identifier: MIT
# retry: L1 stopped or reset in 4 of about 45 runs of the 2-vCPU VT-d scenarios with interrupt remapping (tests/nested/README.md, "Known problem")
# vtd-blk-strict: the checks of virtio-blk.sh with the disk behind build/vmm's
# emulated Intel VT-d (--iommu intel) and L2's intel-iommu driver
# (intel_iommu=on) in strict invalidation (iommu.strict=1). L2 mounts the
# host's ext4 image read-write, writes files, prints their sums; L1 checks the
# image (blk-lib.sh). Plus vtd-lib.sh's checks: the DMAR unit found,
# translation enabled, the disk in an IOMMU group of a DMA domain, no DMAR
# fault in L2's dmesg. vtd-blk-lazy.sh sets VTD_STRICT=0 and sources this;
# VTD_OPTS adds --iommu intel options (e.g. ",caching-mode=on"); VTD_LOG
# names an --iommu-log file, judged by vtd_log_check. L2 has VTD_CPUS vCPUs
# (default 2): remapped interrupts (x2APIC destinations) must reach each.
L2_TIMEOUT=180
. /scenarios/vtd-lib.sh
. /scenarios/blk-lib.sh
strict=${VTD_STRICT:-1}
cpus=${VTD_CPUS:-2}
img=/tmp/$NAME.img
serial=nested-vtd-$$
bad=""
if blk_unpack "$img"; then
	l2_boot "$NAME" --kernel "$L2_BZIMAGE" --initramfs "$L2_INITRAMFS" --cpus "$cpus" --memory 512M \
		--iommu "intel${VTD_OPTS:-}" ${VTD_LOG:+--iommu-log "$VTD_LOG"} \
		--disk "path=$img,serial=$serial" \
		--cmdline "$L2_CMDLINE_BASE intel_iommu=on iommu.strict=$strict -- vtd-run virtio-blk rw"
	check_task "$NAME"
	vtd_check "$strict" 1 "$cpus"
	blk_check "$img" "$serial"
	[ -z "${VTD_LOG:-}" ] || vtd_log_check "$VTD_LOG"
	blk_result "init=${L2_INIT_S}s run=${L2_RUN_S}s policy=$(l2_value VTD-POLICY)"
fi
rm -f "$img"
