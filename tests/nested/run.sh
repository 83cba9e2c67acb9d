#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The nested Linux harness: boot L1 Linux in QEMU TCG (L0), with KVM (nested
# SVM) and VFIO inside it, and run build/vmm there on Debian's 6.12 kernel as
# L2. One L0 boot runs every scenario in sequence (see scenarios/, l1/init).
#   tests/nested/run.sh                 the test scenarios, t_pass/t_fail each
#                                       (boot, PVH, panic, virtio-blk/-net/-rng,
#                                       virtio-iommu, VT-d)
#   tests/nested/run.sh --bench         the bench (QEMU in L1 too); prints BENCH lines
#   tests/nested/run.sh NAME...         only these scenarios (e.g. qemu-bzimage)
#   tests/nested/run.sh --host S1,S2    the host's KVM suites tests/S1/run.sh ...
#                                       in L1, their results under their own
#                                       names (host-tiers.sh, for a host
#                                       without /dev/kvm)
# Environment: NESTED_TIMEOUT (an L0 boot, seconds), NESTED_STALL (seconds of a
# silent L0 console before L0 is killed, 480), NESTED_VERBOSE=1 (print the L1
# console and every L2 log), NESTED_L2_EXTRA="..." (more L2 kernel parameters),
# NESTED_BENCH_RUNS (boots per VMM in the bench, default 3); NESTED_KEYFLIPS
# (l1-start-rate.sh: short VMs L1 starts and ends before its keeper); NESTED_L1_SMP
# (late, the default: L1 boots with one CPU online and brings the second
# online after the keeper VM started; boot: both from the start, which races
# KVM's text patching, for measuring that race); BUILD (the build
# folder, build/ by default: its vmm goes into L1, everything this run makes
# goes to $BUILD/nested).
# Logs: $BUILD/nested/l0-console.log; when L1 stops or resets,
# $BUILD/nested/l1-state.txt (its vCPUs from L0's monitor or L0's reset log,
# kernel addresses named: l1-state.sh).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
OUT=$BUILD/nested
L0_TIMEOUT=${NESTED_TIMEOUT:-1800}
L0_ACCEL=${NESTED_L0_ACCEL:-tcg}
# L1 brings its second CPU online only once its modules are loaded and the
# keeper VM runs (l1/init): text patching (static keys, static calls) then
# never happens while L0's other TCG vCPU executes L1's kernel
# (tests/nested/README.md, "One L2 vCPU, the keeper VM, and L1's second CPU").
case ${NESTED_L1_SMP:-late} in
late) L1_SMP="maxcpus=1" ;;
boot) L1_SMP="" ;;
*) echo "$0: NESTED_L1_SMP is late or boot" >&2; exit 2 ;;
esac

bench=0 host=""
scen=()
while [ $# -gt 0 ]; do
	a=$1
	shift
	case $a in
	--bench) bench=1 ;;
	--host) host=${1:?--host needs a list of suites}; shift; scen=(host-tiers) ;;
	-*) echo "usage: $0 [--bench] [SCENARIO...]" >&2; exit 2 ;;
	*) scen+=("$a") ;;
	esac
done
[ -z "$host" ] || [ ${#scen[@]} = 1 ] || { echo "$0: --host runs no other scenario" >&2; exit 2; }
if [ "$bench" = 1 ] && [ ${#scen[@]} = 0 ]; then scen=(bench); fi
if [ ${#scen[@]} = 0 ]; then
	scen=(l1-smp bzimage-1cpu bzimage-2cpu pvh panic virtio-blk virtio-blk-ro virtio-rng virtio-net
		viommu-probe viommu-blk-strict viommu-blk-lazy viommu-net-strict viommu-net-lazy
		vtd-blk-strict vtd-blk-lazy vtd-blk-cm vtd-blk-check vtd-blk-xapic vtd-net-strict vtd-net-lazy
		vfio-nvme vfio-nvme-2cpu vfio-nvme-viommu-strict vfio-nvme-viommu-lazy vfio-nvme-vtd-strict
		vfio-edu vfio-bad)
fi
need_qemu_in_l1=$bench
for s in "${scen[@]}"; do
	[ -r "$HERE/scenarios/$s.sh" ] || { echo "$0: no scenario $s" >&2; exit 2; }
	case $s in qemu-* | bench* | host-tiers) need_qemu_in_l1=1 ;; esac
done

if ! command -v qemu-system-x86_64 >/dev/null; then
	t_skip nested "qemu-system-x86_64 is not installed"
	exit 0
fi
t0=$(date +%s)
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
# One nested run at a time per build folder: they share $BUILD/nested.
exec 9>"$OUT/.lock"
if ! flock -w 900 9; then
	t_fail nested/lock "another nested run held $OUT/.lock for 15 minutes"
	exit 1
fi
if ! "$HERE/fetch.sh" >"$OUT/fetch.log" 2>&1; then
	sed 's/^/#   /' "$OUT/fetch.log" | tail -20
	t_fail nested/fetch "the kernel or busybox could not be fetched"
	exit 1
fi
. <(grep '^[A-Z]*=' "$OUT/fetch.log")
build_args=()
[ "$need_qemu_in_l1" = 1 ] && build_args=(--qemu)
[ -n "$host" ] && build_args=(--host)
if ! NESTED_OUT=$OUT VMM=$VMM "$HERE/build.sh" "${build_args[@]}" >"$OUT/build.log" 2>&1; then
	sed 's/^/#   /' "$OUT/build.log" | tail -20
	t_fail nested/build "the initramfs images could not be built"
	exit 1
fi
initrd=$OUT/l1.cpio
[ "$need_qemu_in_l1" = 1 ] && initrd=$OUT/l1-qemu.cpio
[ -n "$host" ] && initrd=$OUT/l1-host.cpio
echo "# nested: L1 $KVER, scenarios: ${scen[*]} (L0 timeout ${L0_TIMEOUT}s)"

# L0: QEMU in software emulation, an emulated VT-d (caching mode) in front of
# its devices. A scenario adds L0 devices (e.g. one to pass through to L2)
# with header lines in its file: "# l0: ARGS" adds QEMU arguments (e.g.
# "# l0: -device edu"), and "# l0: nvme" this run's NVMe disk: a drive on
# $OUT/nvme.img (16 MiB of random bytes that build.sh's
# scenarios/vfio-nvme.prep.sh made for this run) and an nvme device on it. A
# line that several selected scenarios carry is added once.
L0_DEVICES=(-device intel-iommu,intremap=on,caching-mode=on)
declare -A l0_seen=()
l0_nvme=0
for s in "${scen[@]}"; do
	while read -r line; do
		[ -n "$line" ] && [ -z "${l0_seen[$line]:-}" ] || continue
		l0_seen[$line]=1
		if [ "$line" = nvme ]; then
			L0_DEVICES+=(-drive "file=$OUT/nvme.img,if=none,id=nvme0,format=raw"
				-device nvme,drive=nvme0,serial=nested-nvme0)
			l0_nvme=1
		else
			read -r -a extra <<<"$line"
			L0_DEVICES+=("${extra[@]}")
		fi
	done < <(sed -n 's/^# l0: //p' "$HERE/scenarios/$s.sh")
done
if [ "$l0_nvme" = 1 ] && ! { [ -s "$OUT/nvme.img" ] && [ -s "$OUT/nvme.sums" ]; }; then
	t_fail nested/l0-nvme "build.sh made no NVMe image ($OUT/nvme.img; see $OUT/build.log)"
	exit 1
fi
LOG=$OUT/l0-console.log
: >"$LOG"
. "$HERE/l1-state.sh"
# L1's console shares COM1 with the result lines: loglevel=3 keeps the kernel's
# errors (a KVM "Unhandled WRMSR" per L2 boot) from splitting them; an Oops or
# a panic still prints.
# Results are handled as they arrive, so that a long run shows progress (sed
# -u: unbuffered, tr would hold output back in 4 KiB blocks).
# l0_run SCENARIO...: one L0 boot that runs them in order, its console
# appended to $LOG. A watchdog kills L0 when its console has been silent for
# L0_STALL seconds: no scenario is silent that long (each L2 has a timeout of
# at most 240 s of L1 time), so L1 itself has stopped (tests/nested/README.md,
# "Known problem"). Sets st (L0's status; 137 after the watchdog).
L0_STALL=${NESTED_STALL:-480}
# L1's RAM: the host suites' guest tier boots a QEMU guest of up to 5.2 GiB
# (boot-highmem) in L1.
L0_MEM=3072
[ -n "$host" ] && L0_MEM=8192
l0_run() {
	local run_list l1_args start wd
	start=$(date +%s)
	run_list=$(IFS=,; echo "$*")
	l1_args="nested.run=$run_list nested.boot=$boot"
	[ "${NESTED_VERBOSE:-0}" = 1 ] && l1_args="$l1_args nested.verbose=1"
	[ -n "${NESTED_BENCH_RUNS:-}" ] && l1_args="$l1_args nested.bench_runs=$NESTED_BENCH_RUNS"
	[ -n "$host" ] && l1_args="$l1_args nested.host=$host"
	# l1-kvm is a result once per run: not in --host runs, nor after an L0
	# boot that printed it.
	if [ -n "$host" ] || grep -q '^NESTED-RESULT l1-kvm ' "$LOG"; then
		l1_args="$l1_args nested.kvm_result=0"
	fi
	# NESTED_KEYFLIPS=N (l1-start-rate.sh): N short VMs before L1's keeper.
	[ -n "${NESTED_KEYFLIPS:-}" ] && l1_args="$l1_args nested.keyflips=$NESTED_KEYFLIPS"
	# NESTED_L2_EXTRA: more L2 kernel parameters (debugging), e.g. "loglevel=7".
	[ -n "${NESTED_L2_EXTRA:-}" ] && l1_args="$l1_args nested.l2extra=$(echo "$NESTED_L2_EXTRA" | tr ' ' ,)"
	rm -f "$OUT/l0.status" "$OUT/l0.stalled"
	l1_state_open
	local -a mon
	read -r -a mon <<<"$(l1_state_args)"
	{
		timeout -k 10 "$L0_TIMEOUT" qemu-system-x86_64 -accel "$L0_ACCEL" -M q35,kernel-irqchip=split \
			-cpu max -smp 2 -m "$L0_MEM" -nodefaults -display none -serial stdio -no-reboot \
			"${mon[@]}" "${L0_DEVICES[@]}" -kernel "$BZIMAGE" -initrd "$initrd" \
			-append "console=ttyS0 panic=-1 intel_iommu=on loglevel=3 nokaslr $L1_SMP $l1_args" </dev/null 2>&1
		echo $? >"$OUT/l0.status"
	} 2>/dev/null | sed -u 's/\r//g' | tee -a "$LOG" | while IFS= read -r line; do
		[ "${NESTED_VERBOSE:-0}" = 1 ] && echo "#| $line"
		case $line in
		"NESTED-RESULT "*)
			read -r _ name status detail <<<"$line"
			if [ "$status" = pass ]; then t_pass "nested/$name" ${detail:+"$detail"}; else t_fail "nested/$name" ${detail:+"$detail"}; fi ;;
		"NESTED-NOTE "*) echo "# ${line#NESTED-NOTE }" ;;
		"NESTED-RETRY "*)
			read -r _ name why <<<"$line"
			t_retry "nested/$name" "$why" ;;
		"BENCH "*) echo "$line" ;;
		"NESTED-HOST "*) # a host suite's line, from L1 (host-tiers): its own name
			l=${line#NESTED-HOST }
			case $l in
			"ok - "*" # SKIP "*) r=${l#ok - }; t_skip "${r%% # SKIP *}" "${r#* # SKIP }" ;;
			"ok - "*) t_pass "${l#ok - }" ;;
			"not ok - "*) t_fail "${l#not ok - }" ;;
			"# retry - "*) r=${l#\# retry - }; t_retry "${r%%: *}" "${r#*: }" ;;
			*) echo "$l" ;;
			esac ;;
		"L2| "*) [ "${NESTED_VERBOSE:-0}" = 1 ] || echo "#   $line" ;;
		esac
	done &
	wd=$!
	local size=-1 quiet=0 now
	while kill -0 "$wd" 2>/dev/null; do
		sleep 5
		now=$(stat -c %s "$LOG")
		if [ "$now" != "$size" ]; then size=$now quiet=0; else quiet=$((quiet + 5)); fi
		if [ "$quiet" -ge "$L0_STALL" ]; then
			: >"$OUT/l0.stalled"
			l1_state_capture # L1's vCPUs, before L0 goes
			pkill -KILL -f "qemu-system-x86_64 -accel $L0_ACCEL .*-initrd $initrd" 2>/dev/null
			break
		fi
	done
	wait "$wd"
	st=$(cat "$OUT/l0.status" 2>/dev/null || echo 137)
	if [ ! -e "$OUT/l0.stalled" ] && ! tail -n 50 "$LOG" | grep -q '^NESTED-DONE'; then
		l1_state_reset # L0 ended by itself before L1 was done: a reset?
	fi
	l1_state_close
	if [ -e "$OUT/l0.stalled" ]; then
		st=137
		echo "NESTED-STALL no console output for ${L0_STALL}s: L0 killed" >>"$LOG"
		echo "# nested: L1 stopped: no console output for ${L0_STALL}s; L0 killed after $(($(date +%s) - start)) s"
	fi
}

# The scenarios L0 boots until every one has run. An L0 boot that ends
# before L1 said NESTED-DONE (L1 stopped: the watchdog, or L1 reset and L0
# exited) fails the scenario in progress, or, if that one carries a
# "# retry:" line, gives it one more attempt; a new L0 boot runs what is
# left. An L0 boot that ends before L1 started its first scenario (L1 died
# while booting, loading its modules or starting the keeper) is a retry of
# the boot itself (nested/l1-boot, with the first Oops or panic line as its
# cause): the next boot runs every scenario left. At most 3 L0 boots; after
# the last one, whatever has not run fails with "no result".
left=("${scen[@]}")
retried=""
for boot in 1 2 3; do
	mark=$(wc -l <"$LOG")
	l0_run "${left[@]}"
	part=$(tail -n +"$((mark + 1))" "$LOG")
	grep -q '^NESTED-DONE' <<<"$part" && break
	how="L0 exited with status $st"
	[ -e "$OUT/l0.stalled" ] && how="no console output for ${L0_STALL}s"
	cur=$(grep -E '^NESTED-START ' <<<"$part" | tail -n 1 | cut -d' ' -f2)
	rest=() seen=0
	for s in "${left[@]}"; do
		[ "$s" = "$cur" ] && seen=1
		[ "$seen" = 1 ] && rest+=("$s")
	done
	if [ -z "$cur" ]; then
		oops=$(grep -E -m1 'Oops|Kernel panic|BUG:|general protection|NESTED-STALL' <<<"$part")
		[ "$boot" = 3 ] && break # no boot left: the checks below fail what did not run
		t_retry nested/l1-boot "L0 boot $boot: L1 stopped before its first scenario ($how${oops:+: $oops}); a new L0 boot runs every scenario left"
	elif [ ${#rest[@]} = 0 ]; then
		break
	elif grep -Eq "^NESTED-RESULT $cur(/[^ ]*)? " <<<"$part"; then
		left=("${rest[@]:1}") # it had ended: go on after it
	else
		why=$(sed -n 's/^# retry: //p' "$HERE/scenarios/$cur.sh" | head -1)
		if [ -n "$why" ] && [ "$retried" != "$cur" ]; then
			t_retry "nested/$cur" "L1 stopped during it ($how); a new L0 boot runs it again: $why"
			retried=$cur
			left=("${rest[@]}")
		else
			echo "NESTED-RESULT $cur fail L1 stopped during it ($how)" >>"$LOG"
			t_fail "nested/$cur" "L1 stopped during it ($how; see $LOG)"
			left=("${rest[@]:1}")
		fi
	fi
	[ ${#left[@]} -gt 0 ] || { echo "NESTED-DONE (after L0 boot $boot)" >>"$LOG"; break; }
	echo "# nested: L1 stopped ($how); L0 boot $((boot + 1)) for: ${left[*]}"
done

# Every scenario must have reported; L1 must have finished. A scenario reports
# as NAME (or NAME/CHECK), or under the names of its "# results: A B" line.
fails=$(($(grep -c '^NESTED-RESULT [^ ]* fail' "$LOG") + $(grep -c '^NESTED-HOST not ok' "$LOG")))
want=(l1-kvm)
[ -n "$host" ] && want=()
for s in "${scen[@]}"; do
	names=$(sed -n 's/^# results: //p' "$HERE/scenarios/$s.sh")
	# shellcheck disable=SC2206 # a list of words
	want+=(${names:-$s})
done
for s in "${want[@]}"; do
	if ! grep -Eq "^NESTED-RESULT $s(/[^ ]*)? " "$LOG"; then
		t_fail "nested/$s" "no result (L0 status $st; see $LOG)"
		fails=$((fails + 1))
	fi
done
# The NVMe disk, from the host's side once L0 is gone. A scenario whose L2
# wrote the pattern (vfio-lib.sh) printed NESTED-NVME-WROTE: then the image
# must hold the pattern at its offset and be as made elsewhere (its MD5 is
# the one nvme.sums gives for that); if no L2 wrote, it must be as made.
if [ "$l0_nvme" = 1 ]; then
	. "$OUT/nvme.sums"
	img_md5=$(md5sum <"$OUT/nvme.img" | cut -d' ' -f1)
	if grep -q '^NESTED-NVME-WROTE ' "$LOG"; then
		if ! dd if="$OUT/nvme.img" bs=1M skip="$NVME_OFFSET_MIB" count="$NVME_PATTERN_MIB" 2>/dev/null |
			cmp -s - "$OUT/nvme-pattern.bin"; then
			t_fail nested/l0-nvme-image "the pattern L2 wrote is not at $NVME_OFFSET_MIB MiB in $OUT/nvme.img"
			fails=$((fails + 1))
		elif [ "$img_md5" != "$NVME_WRITTEN_MD5" ]; then
			t_fail nested/l0-nvme-image "the pattern is at $NVME_OFFSET_MIB MiB, but the rest of $OUT/nvme.img changed"
			fails=$((fails + 1))
		else
			t_pass nested/l0-nvme-image "L2's ${NVME_PATTERN_MIB} MiB pattern is at $NVME_OFFSET_MIB MiB in the image, the rest as made"
		fi
	elif [ "$img_md5" != "$NVME_MD5" ]; then
		t_fail nested/l0-nvme-image "no L2 wrote the NVMe disk, yet $OUT/nvme.img changed"
		fails=$((fails + 1))
	else
		t_pass nested/l0-nvme-image "unchanged (no L2 wrote it)"
	fi
fi
# L0's VT-d reports DMA it could not translate on its stderr (in the log).
l0_vtd=$(grep -Ev '^(BENCH|NESTED-)' "$LOG" | grep 'vtd_')
[ -z "$l0_vtd" ] || echo "# L0's VT-d printed $(wc -l <<<"$l0_vtd") line(s), the first: $(head -n 1 <<<"$l0_vtd")"
if ! grep -q '^NESTED-DONE' "$LOG"; then
	t_fail nested/l1-done "L1 did not finish (L0 status $st, 124 = timeout); see $LOG"
	tail -20 "$LOG" | sed 's/^/#   /'
	fails=$((fails + 1))
fi
echo "# nested: L0 run took $(($(date +%s) - t0)) s"
[ "$fails" = 0 ]
