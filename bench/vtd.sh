#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Intel VT-d figures under build/vmm --iommu intel and under QEMU's
# intel-iommu (q35 + qboot, kernel-irqchip=split; QEMU has VT-d on q35
# only), on the same guest binaries:
#
#   vtd_map_unmap_cm{0,1}_per_s
#       strict-mode map + unmap round trips per second from the bare-metal
#       guest build/guest-tests/vtd_bench.elf, as Linux makes them with
#       queued invalidation: PTE write (+ page-selective invalidation and
#       wait when CAP.CM), PTE clear + page-selective invalidation + wait.
#       cm1 is the mode a VFIO device behind VT-d needs: each invalidation
#       makes the VMM walk the range the guest names.
#   blk_randread_4k_qd32_iops_vtd_off / _vtd_on
#       virtio-blk 4 KiB random reads at queue depth 32
#       (build/guest-tests/bench_blk.elf, its qd32 phase) without an IOMMU,
#       and with the disk behind the VT-d unit on second-level tables
#       (vtd=1): every ring and buffer access of the device is translated,
#       no invalidation in the loop.
#   blk_qd32_vtd_on_off
#       vtd_on / vtd_off per backend: the share of IOPS kept with VT-d on.
#
# Timing, alternation and the TSC rate as in bench/viommu.sh.
#   VTD_RUNS=11  VTD_ROUNDS=3  VTD_REQS=2048  VTD_BLK_REQS=8000  VTD_MIB=64
#   VTD_KEEP=1   keep the time-stamped logs (their folder is printed)
BENCH=vtd
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
export LC_ALL=C # a '.' in $EPOCHREALTIME
GM=$BUILD/guest-tests/vtd_bench.elf
GB=$BUILD/guest-tests/bench_blk.elf
RUNS=${VTD_RUNS:-11}
ROUNDS=${VTD_ROUNDS:-3}
REQS=${VTD_REQS:-2048}
BLK_REQS=${VTD_BLK_REQS:-8000}
MIB=${VTD_MIB:-64}
IMG=$BUILD/bench/iommu-blk-${MIB}M.img # the same image for viommu.sh and vtd.sh

bench_need "$GM" "$GB"

bench_image "$IMG" "$MIB"
BLK_ARGS="qd1_reqs=0 qd32_reqs=$BLK_REQS seq_bytes=0 warm_reqs=256 rounds=$ROUNDS sum0=0x$IMG_SUM0"
bench_logs "${VTD_KEEP:-}"

# Kinds of boot: map0 / map1 (vtd_bench, caching mode off / on), off
# (bench_blk, no IOMMU), on (bench_blk vtd=1, caching mode off).
kind_elf() { case $1 in map*) echo "$GM" ;; *) echo "$GB" ;; esac; }
kind_cmdline() {
	case $1 in
	map*) echo "reqs=$REQS runs=$ROUNDS" ;;
	off) echo "$BLK_ARGS" ;;
	on) echo "$BLK_ARGS vtd=1" ;;
	esac
}
kind_cm() { if [ "$1" = map1 ]; then echo on; else echo off; fi; }

run_vmm() { # KIND LOG
	local -a iommu=()
	[ "$1" != off ] && iommu=(--iommu "intel,caching-mode=$(kind_cm "$1")")
	timeout -k 5 60 "$VMM" --kernel "$(kind_elf "$1")" --memory 128M "${iommu[@]}" \
		--disk "path=$IMG" --cmdline "$(kind_cmdline "$1")" </dev/null 2>"$2.err" |
		stamp >"$2"
	return "${PIPESTATUS[0]}"
}
# shellcheck disable=SC2054 # the commas belong to -M/-drive/-device
run_qemu() { # KIND LOG
	local -a m=("${QEMU_Q35[@]}") dev=(-device virtio-blk-pci,drive=d0,disable-legacy=on)
	if [ "$1" != off ]; then
		m[1]=q35,kernel-irqchip=split
		dev=(-device "intel-iommu,caching-mode=$(kind_cm "$1")"
			-device virtio-blk-pci,drive=d0,disable-legacy=on,iommu_platform=on)
	fi
	timeout -k 5 60 "$QEMU" "${m[@]}" -m 128M -kernel "$(kind_elf "$1")" \
		-append "$(kind_cmdline "$1")" \
		-drive "file=$IMG,if=none,id=d0,format=raw,cache=writeback,aio=threads" \
		"${dev[@]}" </dev/null 2>"$2.err" | stamp >"$2"
	return "${PIPESTATUS[0]}"
}

one() { # BACKEND KIND I: both marks and one sample per round
	"run_$1" "$2" "$WORK/$1.$2.$3"
	bench_check "$1 $2" "$WORK/$1.$2.$3" $? $((2 + ROUNDS)) || exit 1
}
t0=$SECONDS
for i in $(seq "$RUNS"); do
	if [ $((i % 2)) = 1 ]; then
		for k in map0 map1 off on; do one vmm "$k" "$i"; one qemu "$k" "$i"; done
	else
		for k in on off map1 map0; do one qemu "$k" "$i"; one vmm "$k" "$i"; done
	fi
done

bench_tsc
echo "# bench/vtd: $RUNS x 4 boots per backend in $((SECONDS - t0)) s; $TSC_NOTE"

declare -A med
for spec in "map0 vtd_map_unmap vtd_map_unmap_cm0_per_s" \
	"map1 vtd_map_unmap vtd_map_unmap_cm1_per_s" \
	"off randread_4k_qd32 blk_randread_4k_qd32_iops_vtd_off" \
	"on randread_4k_qd32 blk_randread_4k_qd32_iops_vtd_on"; do
	read -r kind job name <<<"$spec"
	case $kind in
	map*) unit="median of $RUNS x $ROUNDS, map+unmap pairs per second, PSI + wait, caching mode ${kind#map}" ;;
	*) unit="median of $RUNS x $ROUNDS, IOPS, 4 KiB random reads, qd 32" ;;
	esac
	v=$(bench_samples "vmm.$kind" "$job") q=$(bench_samples "qemu.$kind" "$job")
	med[vmm.$kind]=$(median <<<"$v") med[qemu.$kind]=$(median <<<"$q")
	echo "# bench/vtd: $name quartiles: vmm $(iqr <<<"$v"), qemu $(iqr <<<"$q")"
	report_rate "$name" "$unit" "${med[vmm.$kind]}" "${med[qemu.$kind]}"
done
on_off() { awk -v a="${med[$1.on]}" -v b="${med[$1.off]}" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
report_rate blk_qd32_vtd_on_off "IOPS vtd_on / vtd_off of each backend, medians above" \
	"$(on_off vmm)" "$(on_off qemu)"
