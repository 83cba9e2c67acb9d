# SPDX-License-Identifier: MIT
# make bench: L2 boot-to-init with intel_iommu=on, build/vmm --iommu intel
# against QEMU's intel-iommu (q35 + qboot, kernel-irqchip=split,
# intremap=on: QEMU offers VT-d on q35 only) in the same L1; same kernel,
# initramfs and command line, one virtio-blk behind the IOMMU on both sides;
# runs alternate (ABBA), medians compared. Each boot must show the DMAR unit
# in use, or its time is not counted.
runs=${BENCH_RUNS:-3}
img=/tmp/bench-vtd.img
dd if=/dev/zero of="$img" bs=1M count=8 2>/dev/null
cmd="$L2_CMDLINE_BASE intel_iommu=on -- dmar-on"
: >/tmp/bench.vmm
: >/tmp/bench.qemu
boot_vmm() {
	l2_boot "$NAME-vmm-$1" --kernel "$L2_BZIMAGE" --initramfs "$L2_INITRAMFS" \
		--cpus 1 --memory 512M --iommu intel --disk "path=$img" --cmdline "$cmd"
}
# shellcheck disable=SC2054 # the commas belong to -M and -device
boot_qemu() {
	l2_run "$NAME-qemu-$1" "$L2_TIMEOUT" "$QEMU" -M q35,kernel-irqchip=split \
		-bios /usr/share/qemu/qboot.rom -accel kvm -cpu host -smp 1 -m 512M -nodefaults \
		-nographic -no-reboot -serial stdio -device intel-iommu,intremap=on \
		-drive "file=$img,if=none,id=d0,format=raw" \
		-device virtio-blk-pci,drive=d0,disable-legacy=on,iommu_platform=on \
		-kernel "$L2_BZIMAGE" -initrd "$L2_INITRAMFS" -append "$cmd"
}
# One boot: its time goes to FILE when L2 reached init with the DMAR unit on.
one() { # BACKEND I
	"boot_$1" "$2"
	if [ -n "$L2_INIT_S" ] && [ "$(l2_value DMAR-ON)" = 1 ]; then
		echo "$L2_INIT_S" >>"/tmp/bench.$1"
		note "bench-vtd run $2: $1 $L2_INIT_S s (status $L2_STATUS, IR mode $(l2_value IR-MODE))"
	else
		note "bench-vtd run $2: $1 did not reach init with VT-d on (status $L2_STATUS)"
		dump_log 20
	fi
}
i=0
while [ $i -lt "$runs" ]; do
	i=$((i + 1))
	if [ $((i % 2)) = 1 ]; then one vmm $i; one qemu $i; else one qemu $i; one vmm $i; fi
done
boot_bench_report l2_boot_to_init_vtd_s "L2 boot to init with intel_iommu=on in nested L1" "$runs"
