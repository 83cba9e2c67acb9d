#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# virtio-blk read throughput under build/vmm and under QEMU, on the same
# guest binary (build/guest-tests/bench_blk.elf, see guest-tests/bench_blk.c)
# and the same image: 4 KiB random reads at queue depth 1 and 32 (IOPS), and
# 128 KiB sequential reads at queue depth 4 (MB/s, 10^6 bytes per second).
#
# Both sides read through the host page cache: build/vmm does preadv on a
# plain (not O_DIRECT) fd; QEMU gets cache=writeback,aio=threads (its
# defaults, spelled out). The image is read once before the runs. QEMU is
# q35 + qboot with a modern-only virtio-blk-pci, as in tests/guest/run.sh.
#
# Timing: the guest counts TSC cycles per phase and prints two equally long
# marks around all the phases; this script time-stamps each line on arrival
# and takes the TSC rate as (TSC difference) / (host time difference) of the
# marks, the median over every run of both backends. Both backends run on
# the same host TSC, so the ratios do not depend on that rate; the absolute
# figures do (to the marks' jitter, typically well under 1%).
#
#   BLK_RUNS=11   boots per backend (alternating, ABBA), BLK_ROUNDS=3 rounds of
#                 the phases per boot: each figure is the median of the
#                 RUNS x ROUNDS samples; BLK_MIB=256 image size;
#   BLK_KEEP=1    keep the time-stamped logs (their folder is printed)
BENCH=blk
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
export LC_ALL=C # a '.' in $EPOCHREALTIME
G=$BUILD/guest-tests/bench_blk.elf
RUNS=${BLK_RUNS:-11}
ROUNDS=${BLK_ROUNDS:-3}
MIB=${BLK_MIB:-256}
IMG=$BUILD/bench/blk-${MIB}M.img
ARGS="qd1_reqs=1500 qd32_reqs=8000 seq_bytes=$((MIB << 19)) seq_qd=4 warm_reqs=256 rounds=$ROUNDS"

bench_need "$G"

bench_image "$IMG" "$MIB"
CMDLINE="$ARGS sum0=0x$IMG_SUM0"
bench_logs "${BLK_KEEP:-}"

run_vmm() {
	timeout -k 5 60 "$VMM" --kernel "$G" --memory 128M --disk "path=$IMG" \
		--cmdline "$CMDLINE" </dev/null 2>"$1.err" | stamp >"$1"
	return "${PIPESTATUS[0]}"
}
# shellcheck disable=SC2054 # the commas belong to -drive/-device
run_qemu() {
	timeout -k 5 60 "$QEMU" "${QEMU_Q35[@]}" -m 128M -kernel "$G" -append "$CMDLINE" \
		-drive "file=$IMG,if=none,id=d0,format=raw,cache=writeback,aio=threads" \
		-device virtio-blk-pci,drive=d0,disable-legacy=on </dev/null 2>"$1.err" |
		stamp >"$1"
	return "${PIPESTATUS[0]}"
}

# Other VMs on this host come and go (other users' tests, host steal time):
# alternate the backends, in the order vmm qemu qemu vmm ..., so that slow
# spells fall on both sides.
one() { # BACKEND I
	"run_$1" "$WORK/$1.$2"
	bench_check "$1" "$WORK/$1.$2" $? $((2 + 3 * ROUNDS)) || exit 1 # marks, 3 phases a round
}
for i in $(seq "$RUNS"); do
	if [ $((i % 2)) = 1 ]; then one vmm "$i"; one qemu "$i"; else one qemu "$i"; one vmm "$i"; fi
done

bench_tsc
echo "# bench/blk: $TSC_NOTE"

# figure JOB UNIT LOG: the figure of each round of one run (iops, or 10^6
# bytes/s), one a line.
figure() {
	awk -v j="$1" -v u="$2" -v hz="$hz" '$3 == j {
		for (i = 4; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		s = v["cycles"] / hz
		if (u == "iops") printf "%.0f\n", v["reqs"] / s; else printf "%.1f\n", v["bytes"] / s / 1e6
	}' "$3"
}
samples() { # BACKEND JOB UNIT
	for f in $(logs "$1"); do figure "$2" "$3" "$f"; done
}
for spec in "randread_4k_qd1 iops blk_randread_4k_qd1_iops" \
	"randread_4k_qd32 iops blk_randread_4k_qd32_iops" \
	"seqread_128k mbps blk_seqread_mbps"; do
	read -r job kind name <<<"$spec"
	unit="median of $RUNS x $ROUNDS, IOPS"
	[ "$kind" = mbps ] && unit="median of $RUNS x $ROUNDS, 10^6 B/s, 128 KiB reads, qd 4"
	v=$(samples vmm "$job" "$kind") q=$(samples qemu "$job" "$kind")
	echo "# bench/blk: $name quartiles: vmm $(iqr <<<"$v"), qemu $(iqr <<<"$q")"
	report_rate "$name" "$unit" "$(median <<<"$v")" "$(median <<<"$q")"
done
