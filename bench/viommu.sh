#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# virtio-iommu figures under build/vmm and under QEMU's virtio-iommu-pci, on
# the same guest binaries:
#
#   viommu_map_unmap_{single,batched}_per_s
#       MAP + UNMAP round trips per second from the bare-metal guest
#       (build/guest-tests/viommu_bench.elf): one request per notification,
#       and batches of VIOMMU_BATCH MAPs then as many UNMAPs per notification.
#   blk_randread_4k_qd32_iops_iommu_off / _iommu_on
#       virtio-blk 4 KiB random reads at queue depth 32
#       (build/guest-tests/bench_blk.elf, its qd32 phase only) without an
#       IOMMU, and with the disk behind the virtio-iommu: the guest attaches
#       the disk to a domain and maps one window over its rings and buffers
#       (iommu=1), so every ring and buffer access of the device is
#       translated and no MAP/UNMAP runs in the loop.
#   blk_qd32_iommu_on_off
#       iommu_on / iommu_off per backend: the share of IOPS kept with the
#       IOMMU on.
#
# The IOMMU setups are those of tests/guest/run.sh: build/vmm --iommu virtio
# (every other bus 0 device behind it); QEMU q35 + qboot with
# virtio-iommu-pci first and the virtio-blk with iommu_platform=on. Without
# the IOMMU, the QEMU side is bench/blk.sh's. The disk is read through the
# host page cache on both sides (cache=writeback,aio=threads for QEMU).
#
# Timing as in bench/blk.sh: guests count TSC cycles and print two marks
# around their timed part; lines are time-stamped on arrival and the TSC
# rate is the median over every run of every kind of (TSC difference) /
# (host time difference) of the marks. Backends alternate (vmm qemu qemu
# vmm ...), and the three kinds of boot alternate too (forwards, then
# backwards), so slow spells of this shared host fall on every figure.
#
#   VIOMMU_RUNS=11     boots per backend and kind
#   VIOMMU_REQS=1024   MAP+UNMAP pairs per mode and round, VIOMMU_BATCH=32
#   VIOMMU_ROUNDS=3    rounds per boot (each a sample; figures are medians
#                      of RUNS x ROUNDS samples)
#   VIOMMU_BLK_REQS=8000  qd32 reads per round; VIOMMU_MIB=64 image size
#   VIOMMU_KEEP=1      keep the time-stamped logs (their folder is printed)
BENCH=viommu
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
export LC_ALL=C # a '.' in $EPOCHREALTIME
GM=$BUILD/guest-tests/viommu_bench.elf
GB=$BUILD/guest-tests/bench_blk.elf
RUNS=${VIOMMU_RUNS:-11}
ROUNDS=${VIOMMU_ROUNDS:-3}
REQS=${VIOMMU_REQS:-1024}
BATCH=${VIOMMU_BATCH:-32}
BLK_REQS=${VIOMMU_BLK_REQS:-8000}
MIB=${VIOMMU_MIB:-64}
IMG=$BUILD/bench/iommu-blk-${MIB}M.img # the same image for viommu.sh and vtd.sh

bench_need "$GM" "$GB"

# bench_blk checks IMG_SUM0 through the IOMMU window with iommu=1.
bench_image "$IMG" "$MIB"
BLK_ARGS="qd1_reqs=0 qd32_reqs=$BLK_REQS seq_bytes=0 warm_reqs=256 rounds=$ROUNDS sum0=0x$IMG_SUM0"
MAP_ARGS="reqs=$REQS batch=$BATCH runs=$ROUNDS"
bench_logs "${VIOMMU_KEEP:-}"

# Kinds of boot: map (viommu_bench), off (bench_blk, no IOMMU), on
# (bench_blk iommu=1).
kind_elf() { if [ "$1" = map ]; then echo "$GM"; else echo "$GB"; fi; }
kind_cmdline() {
	case $1 in
	map) echo "$MAP_ARGS" ;;
	off) echo "$BLK_ARGS" ;;
	on) echo "$BLK_ARGS iommu=1" ;;
	esac
}

run_vmm() { # KIND LOG
	local -a iommu=()
	[ "$1" != off ] && iommu=(--iommu virtio)
	timeout -k 5 60 "$VMM" --kernel "$(kind_elf "$1")" --memory 128M "${iommu[@]}" \
		--disk "path=$IMG" --cmdline "$(kind_cmdline "$1")" </dev/null 2>"$2.err" |
		stamp >"$2"
	return "${PIPESTATUS[0]}"
}
# shellcheck disable=SC2054 # the commas belong to -drive/-device
run_qemu() { # KIND LOG
	local -a dev=(-device virtio-blk-pci,drive=d0,disable-legacy=on)
	[ "$1" != off ] && dev=(-device virtio-iommu-pci
		-device virtio-blk-pci,drive=d0,disable-legacy=on,iommu_platform=on)
	timeout -k 5 60 "$QEMU" "${QEMU_Q35[@]}" -m 128M -kernel "$(kind_elf "$1")" \
		-append "$(kind_cmdline "$1")" \
		-drive "file=$IMG,if=none,id=d0,format=raw,cache=writeback,aio=threads" \
		"${dev[@]}" </dev/null 2>"$2.err" | stamp >"$2"
	return "${PIPESTATUS[0]}"
}

# BENCHDATA lines of a run: both marks, and per round one sample (two for
# map: single and batched).
one() { # BACKEND KIND I
	local marks=$((2 + ROUNDS))
	[ "$2" = map ] && marks=$((2 + 2 * ROUNDS))
	"run_$1" "$2" "$WORK/$1.$2.$3"
	bench_check "$1 $2" "$WORK/$1.$2.$3" $? "$marks" || exit 1
}
t0=$SECONDS
for i in $(seq "$RUNS"); do
	if [ $((i % 2)) = 1 ]; then
		for k in map off on; do one vmm "$k" "$i"; one qemu "$k" "$i"; done
	else
		for k in on off map; do one qemu "$k" "$i"; one vmm "$k" "$i"; done
	fi
done

bench_tsc
echo "# bench/viommu: $RUNS x 3 boots per backend in $((SECONDS - t0)) s; $TSC_NOTE"

declare -A med
for spec in "map viommu_map_unmap_single viommu_map_unmap_single_per_s" \
	"map viommu_map_unmap_batched viommu_map_unmap_batched_per_s" \
	"off randread_4k_qd32 blk_randread_4k_qd32_iops_iommu_off" \
	"on randread_4k_qd32 blk_randread_4k_qd32_iops_iommu_on"; do
	read -r kind job name <<<"$spec"
	case $kind in
	map) unit="median of $RUNS x $ROUNDS, MAP+UNMAP pairs per second, ${job#viommu_map_unmap_}" ;;
	*) unit="median of $RUNS x $ROUNDS, IOPS, 4 KiB random reads, qd 32" ;;
	esac
	[ "$job" = viommu_map_unmap_batched ] && unit+=" $BATCH"
	v=$(bench_samples "vmm.$kind" "$job") q=$(bench_samples "qemu.$kind" "$job")
	med[vmm.$kind]=$(median <<<"$v") med[qemu.$kind]=$(median <<<"$q")
	echo "# bench/viommu: $name quartiles: vmm $(iqr <<<"$v"), qemu $(iqr <<<"$q")"
	report_rate "$name" "$unit" "$(median <<<"$v")" "$(median <<<"$q")"
done
# With the IOMMU on / off, per backend: the share of IOPS each keeps.
on_off() { awk -v a="${med[$1.on]}" -v b="${med[$1.off]}" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
report_rate blk_qd32_iommu_on_off "IOPS iommu_on / iommu_off of each backend, medians above" \
	"$(on_off vmm)" "$(on_off qemu)"
