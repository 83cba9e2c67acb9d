# SPDX-License-Identifier: MIT
# l0: nvme
# bench-vfio: make bench's PCI passthrough figures, build/vmm against QEMU
# 7.2 in the same L1, the same L2 (kernel, initramfs, command line, 1 vCPU,
# 256 MiB) and the same device: L0's emulated NVMe ("# l0: nvme"), bound to
# vfio-pci in L1 (vfio-lib.sh). No vIOMMU here; the variants
# bench-vfio-viommu-strict and -lazy put a virtio-iommu in front of the disk
# (build/vmm --iommu virtio, QEMU -device virtio-iommu-pci) with L2 in strict
# (iommu.strict=1) or lazy invalidation. Per boot, alternating the two VMMs:
# - the time from the VMM's start to L2's init with the device attached
#   (opening the group, pinning and mapping L2's RAM included);
# - L2's task nvme-perf: nvme-bench (l2/nvme-bench.c) reads the disk with
#   O_DIRECT: 4 KiB random reads at QD1 and QD32 (IOPS), 1 MiB sequential
#   reads (MB/s), 3 seconds each ($secs); it only reads;
# - with a vIOMMU, the host VFIO_IOMMU_MAP_DMA calls per guest MAP request.
#   build/vmm: its -v exit lines ("vfio: host map_dma=N ... identity_maps=N",
#   "virtio-iommu: map requests=N"): (map_dma - identity_maps) / requests.
#   QEMU: its trace (log backend, -trace ... -D FILE): vfio_iommu_map_notify
#   "map" events (each one vfio_dma_map, one MAP_DMA ioctl, in 7.2's
#   hw/vfio/common.c) over virtio_iommu_map events (L2's MAP requests).
#   vfio_listener_region_add_ram events are QEMU's identity (RAM, BAR) maps.
# Prints BENCH lines (medians over BENCH_RUNS boots per VMM, default 1; the
# host's NESTED_BENCH_RUNS) as scenarios/bench.sh does. L0 is emulated (TCG):
# the figures are for scale, the ratios are what to read.
# Variants set VFIO_VIOMMU_STRICT=1|0 and source this file.
L2_TIMEOUT=240
. /scenarios/vfio-lib.sh
runs=${BENCH_RUNS:-1}
secs=3
strict=${VFIO_VIOMMU_STRICT:-}
bad=""
case $strict in
1) mode=strict ;;
0) mode=lazy ;;
*) mode=none ;;
esac
# The BENCH names: vfio_nvme_qd1_iops (no vIOMMU), vfio_nvme_qd1_iops_strict...
sfx=""
[ "$mode" = none ] || sfx=_$mode
D=/tmp/$NAME.d
rm -rf "$D" && mkdir -p "$D"

# put VMM KEY VALUE: one sample of KEY for VMM (vmm or qemu); empty is none.
put() { [ -z "$3" ] || echo "$3" >>"$D/$1.$2"; }
# med VMM KEY: the median of VMM's samples of KEY, or NA.
med() { if [ -r "$D/$1.$2" ]; then median_of "$D/$1.$2"; else echo NA; fi; }
# bench_line NAME KEY HIGHER-IS-BETTER(1|0) UNIT: a BENCH line, vmm / qemu.
bench_line() {
	awk -v n="$1$sfx" -v a="$(med vmm "$2")" -v b="$(med qemu "$2")" -v hi="$3" -v u="$4" -v r="$runs" -v m="$mode" 'BEGIN {
		ratio = (a != "NA" && b != "NA" && b > 0) ? sprintf("%.3f", a / b) : "NA"
		printf "BENCH %-28s vmm=%-10s qemu=%-10s ratio=%s  (%s, vIOMMU %s; nested L2 on an emulated L0, for scale only; median of %d; ratio %s 1: vmm is better)\n",
			n, a, b, ratio, u, m, r, hi ? ">" : "<" }'
}
# count FILE REGEX: lines of FILE that match (0 if none or no file).
count() {
	[ -r "$1" ] || { echo 0; return; }
	grep -ciE "$2" "$1" || true
}

# collect VMM I: the samples of the boot that just ended (l2_run's L2_LOG),
# and its checks (added to $bad, with the VMM and the run).
collect() {
	local v=$1 i=$2 b="" k line map ident req tr gm hm hu gu id
	[ -n "$L2_INIT_S" ] || b="$b no-init-marker"
	[ "$L2_STATUS" = 0 ] || b="$b status=$L2_STATUS"
	[ "$(l2_value NVME-DISK)" = nvme0n1 ] || b="$b disk=$(l2_value NVME-DISK)"
	[ "$(l2_value NVME-IO-ERRORS)" = 0 ] || b="$b io-errors=$(l2_value NVME-IO-ERRORS)"
	for k in QD1 QD32 SEQ; do
		[ "$(l2_value "BENCH-$k-ERRORS")" = 0 ] || b="$b $k-read-errors=$(l2_value "BENCH-$k-ERRORS")"
	done
	# The disk's IOMMU group in L2 and its domain: none without a vIOMMU,
	# DMA (strict) or DMA-FQ (lazy): the mode measured is the one asked for.
	k=$(l2_field "$(l2_value NVME-PCI)" type)
	case $mode in
	none) [ "$k" = none ] || b="$b l2-domain=$k(want-none)" ;;
	strict) [ "$k" = DMA ] || b="$b l2-domain=$k(want-DMA)" ;;
	lazy) [ "$k" = DMA-FQ ] || b="$b l2-domain=$k(want-DMA-FQ)" ;;
	esac
	[ "$mode" = none ] || [ "$(l2_value VIOMMU-FAULTS)" = 0 ] || b="$b viommu-faults=$(l2_value VIOMMU-FAULTS)"
	# A kernel warning in L2 (nvme-perf prints the first) is noted, not a
	# failure; but for the one every L2 boot here gives under either VMM
	# (fpu__init_system_xstate, xstate.c:605: L1's -cpu host on L0's TCG CPU).
	k=$(awk '$2 == "NESTED-L2-NVME-KWARN" && /WARNING:/ {$1 = ""; $2 = ""; print; exit}' "$L2_LOG")
	case $k in
	"" | *fpu__init_system_xstate*) ;;
	*) note "$NAME run $i: $v: L2 kernel warning (taint $(l2_value NVME-TAINTED)):$k" ;;
	esac
	put "$v" init "$L2_INIT_S"
	put "$v" run "$L2_RUN_S"
	put "$v" qd1 "$(l2_value BENCH-QD1-IOPS)"
	put "$v" qd32 "$(l2_value BENCH-QD32-IOPS)"
	put "$v" seq "$(l2_value BENCH-SEQ-MBS)"
	put "$v" lat1 "$(l2_value BENCH-QD1-LAT-US)"
	if [ "$v" = vmm ]; then
		line=$(vmm_line 'vfio: host ' map_dma=)
		map=$(l2_field "$line" map_dma)
		ident=$(l2_field "$line" identity_maps)
		req=$(vmm_line 'virtio-iommu: ' 'map requests=')
		[ -n "$map" ] || b="$b no-vfio-exit-line(-v)"
		if [ "$mode" != none ]; then
			gm=$(echo "$req" | sed -n 's/^map requests=\([0-9]*\).*/\1/p')
			if [ -n "$map" ] && [ -n "$gm" ] && [ "$gm" -gt 0 ]; then
				put vmm perg "$(awk -v h="$((map - ident))" -v g="$gm" 'BEGIN {printf "%.3f", h / g}')"
			else
				b="$b no-virtio-iommu-map-requests-line(-v)"
			fi
		fi
		note "$NAME run $i: vmm: $line; virtio-iommu: ${req:-none}"
	else
		tr=$D/qemu-$i.trace
		gm=$(count "$tr" '(^|:)virtio_iommu_map ')
		gu=$(count "$tr" '(^|:)virtio_iommu_unmap ')
		hm=$(count "$tr" '(^|:)vfio_iommu_map_notify iommu map ')
		hu=$(count "$tr" '(^|:)vfio_iommu_map_notify iommu unmap ')
		id=$(count "$tr" '(^|:)vfio_listener_region_add_ram ')
		[ -s "$tr" ] || b="$b no-qemu-trace"
		if [ "$mode" != none ]; then
			if [ "$gm" -gt 0 ]; then
				put qemu perg "$(awk -v h="$hm" -v g="$gm" 'BEGIN {printf "%.3f", h / g}')"
			else
				b="$b no-virtio_iommu_map-trace-events"
			fi
		fi
		note "$NAME run $i: qemu (trace): host map_dma for guest maps=$hm unmap_dma=$hu identity (region_add ram)=$id;" \
			"guest map requests=$gm unmap requests=$gu; vfio_dma_map errors: $(grep -ac 'vfio_dma_map(' "$L2_LOG")"
	fi
	note "$NAME run $i: $v: init ${L2_INIT_S:-none} s, ran ${L2_RUN_S:-none} s; QD1 $(l2_value BENCH-QD1-IOPS) IOPS" \
		"($(l2_value BENCH-QD1-LAT-US) us), QD32 $(l2_value BENCH-QD32-IOPS) IOPS, seq $(l2_value BENCH-SEQ-MBS) MB/s;" \
		"disk ready $(l2_value NVME-READY-S) s after insmod"
	if [ -n "$b" ]; then
		bad="$bad $v-run$i:$(echo "$b" | sed 's/^ //; s/ /,/g')"
		# The start of any Oops (its cause, which dump_log's tail misses).
		grep -a -E -m 12 'BUG:|Oops|#PF|#GP|#DF|double fault|protection fault|traps:|RIP:|Kernel panic|WARNING:' "$L2_LOG" |
			sed 's/^[0-9.]* /L2| /'
		dump_log 30
	fi
}

boot_vmm() {
	# shellcheck disable=SC2086 # $vmm_iommu: words
	l2_boot "$NAME-vmm-$1" -v --kernel "$L2_BZIMAGE" --initramfs "$L2_INITRAMFS" --cpus 1 \
		--memory 256M $vmm_iommu --device "path=$PCI/$NVME_ADDR" --cmdline "$cmdline"
	collect vmm "$1"
}
# QEMU as in qemu-vfio-nvme*: q35 with qboot (QEMU's virtio-iommu needs the
# VIOT of its q35 ACPI tables), the disk at 00:02.0, and the trace events.
boot_qemu() {
	# shellcheck disable=SC2086 # $qemu_iommu: words
	l2_run "$NAME-qemu-$1" "$L2_TIMEOUT" "$QEMU" -M q35 -bios /usr/share/qemu/qboot.rom \
		-accel kvm -cpu host -smp 1 -m 256M -nodefaults -nographic -no-reboot \
		-serial stdio $qemu_iommu -device "vfio-pci,host=$NVME_ADDR,addr=02.0" \
		-trace vfio_iommu_map_notify -trace vfio_listener_region_add_ram \
		-trace virtio_iommu_map -trace virtio_iommu_unmap -D "$D/qemu-$1.trace" \
		-kernel "$L2_BZIMAGE" -initrd "$L2_INITRAMFS" -append "$cmdline"
	collect qemu "$1"
}

if nvme_setup; then
	task="nvme-perf $secs"
	if [ "$mode" = none ]; then
		cmdline="$L2_CMDLINE_BASE -- $task"
		qemu_iommu="" vmm_iommu=""
	else
		cmdline="$L2_CMDLINE_BASE iommu.strict=$strict -- viommu-run $task"
		qemu_iommu="-device virtio-iommu-pci,addr=01.0" vmm_iommu="--iommu virtio"
	fi
	# Alternating, and the first VMM of a run alternating too.
	i=0
	while [ $i -lt "$runs" ]; do
		i=$((i + 1))
		if [ $((i % 2)) = 1 ]; then
			boot_vmm $i
			boot_qemu $i
		else
			boot_qemu $i
			boot_vmm $i
		fi
	done
	vfio_check_released "$NVME_ADDR"
	vfio_check_dmar
	bench_line vfio_nvme_boot_to_init_s init 0 "VMM start to L2 init with the NVMe attached, s"
	bench_line vfio_nvme_qd1_iops qd1 1 "L2 4 KiB random O_DIRECT reads, QD1, IOPS"
	bench_line vfio_nvme_qd32_iops qd32 1 "L2 4 KiB random O_DIRECT reads, QD32 (32 threads), IOPS"
	bench_line vfio_nvme_seq_mbs seq 1 "L2 1 MiB sequential O_DIRECT reads, MB/s"
	[ "$mode" = none ] ||
		bench_line vfio_map_dma_per_map perg 0 "host VFIO MAP_DMA calls per L2 MAP request; QEMU: trace"
	note "$NAME: QD1 mean latency: vmm $(med vmm lat1) us, qemu $(med qemu lat1) us; VMM run (boot, bench, power-off): vmm $(med vmm run) s, qemu $(med qemu run) s"
	vfio_result "runs=$runs secs=$secs mode=$mode"
	vfio_unbind "$NVME_ADDR"
fi
