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
median() { sort -n "$1" | awk '{a[NR] = $1} END {if (!NR) print "NA"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
v=$(median /tmp/bench.vmm)
q=$(median /tmp/bench.qemu)
awk -v a="$v" -v b="$q" -v n="$runs" 'BEGIN {
	r = (a != "NA" && b != "NA" && b > 0) ? sprintf("%.3f", a / b) : "NA"
	printf "BENCH %-28s vmm=%-10s qemu=%-10s ratio=%s  (L2 boot to init in nested L1, seconds, median of %d; ratio < 1: vmm is better)\n",
		"l2_boot_to_init_s", a, b, r, n }'
if [ "$v" != NA ] && [ "$q" != NA ]; then result "$NAME" pass; else result "$NAME" fail "vmm=$v qemu=$q"; fi
