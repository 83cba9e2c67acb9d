# SPDX-License-Identifier: MIT
# make bench: L2 boot-to-init time under build/vmm and under QEMU in the same
# L1, same kernel, initramfs and command line; runs alternate, medians compared.
runs=${BENCH_RUNS:-3}
cmd="$L2_CMDLINE_BASE -- true"
: >/tmp/bench.vmm
: >/tmp/bench.qemu
i=0
while [ $i -lt "$runs" ]; do
	i=$((i + 1))
	l2_boot "$NAME-vmm-$i" --kernel "$L2_BZIMAGE" --initramfs "$L2_INITRAMFS" \
		--cpus 1 --memory 512M --cmdline "$cmd"
	[ -n "$L2_INIT_S" ] && echo "$L2_INIT_S" >>/tmp/bench.vmm
	note "bench run $i: vmm $L2_INIT_S s (status $L2_STATUS)"
	[ -n "$L2_INIT_S" ] || dump_log 20
	qemu_boot "$NAME-qemu-$i" 1 512M "$L2_BZIMAGE" "$L2_INITRAMFS" "$cmd"
	[ -n "$L2_INIT_S" ] && echo "$L2_INIT_S" >>/tmp/bench.qemu
	note "bench run $i: qemu $L2_INIT_S s (status $L2_STATUS)"
	[ -n "$L2_INIT_S" ] || dump_log 20
done
boot_bench_report l2_boot_to_init_s "L2 boot to init in nested L1" "$runs"
