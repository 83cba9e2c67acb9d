# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2034,SC2054 # variables for the scripts that source this; commas inside QEMU arguments
# Shared helpers for bench scripts: time commands in alternation (so that both
# sides see the same machine noise) and report medians as a ratio vmm/qemu.
# The guest-timed figures (blk.sh, viommu.sh) also share the disk image, the
# time-stamped logs and the TSC rate; they set BENCH (their name, for
# messages) before sourcing this.
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
VMM=$BUILD/vmm
QEMU=${QEMU:-qemu-system-x86_64}
QEMU_MICROVM=(-M microvm,acpi=on,x-option-roms=off,rtc=off,pic=off,pit=off
	-accel kvm -cpu max,-arch-capabilities -nodefaults -nographic -no-reboot
	-device isa-debug-exit,iobase=0xf4,iosize=4)
# The PCI guests' reference machine, as in tests/guest/run.sh (qboot leaves
# BAR assignment to the guest); COM1 on standard output.
QEMU_Q35=(-M q35 -bios qboot.rom -accel kvm -cpu max,-arch-capabilities -nodefaults -nographic
	-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 -serial stdio)

now_ns() { date +%s%N; }

# median of the numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# Quartiles of the numbers on stdin (nearest rank), as "p25-p75".
iqr() { sort -g | awk '{ a[NR] = $1 } END { printf "%s-%s", a[int((NR + 3) / 4)], a[int((3 * NR + 3) / 4)] }'; }

# bench_report NAME UNIT VMM_VALUE QEMU_VALUE
bench_report() {
	awk -v n="$1" -v u="$2" -v a="$3" -v b="$4" 'BEGIN {
		printf "BENCH %-28s vmm=%-10s qemu=%-10s ratio=%.3f  (%s; ratio < 1: vmm is better)\n",
			n, a, b, (b > 0 ? a / b : 0), u }'
}

# report_rate NAME UNIT VMM_VALUE QEMU_VALUE: for rates, where higher is
# better, so ratio = vmm / qemu > 1 means vmm is better (the other way round
# from bench_report's times).
report_rate() {
	awk -v n="$1" -v u="$2" -v a="$3" -v b="$4" 'BEGIN {
		printf "BENCH %-28s vmm=%-10s qemu=%-10s ratio=%.3f  (%s; ratio > 1: vmm is better)\n",
			n, a, b, (b > 0 ? a / b : 0), u }'
}

# bench_need GUEST...: skip the script (exit 0) without /dev/kvm or QEMU;
# fail it (exit 1) when build/vmm or a guest binary is missing.
bench_need() {
	local g
	if [ ! -r /dev/kvm ]; then echo "# bench/$BENCH: no /dev/kvm, skipped"; exit 0; fi
	if ! command -v "$QEMU" >/dev/null; then echo "# bench/$BENCH: no $QEMU, skipped"; exit 0; fi
	for g in "$VMM" "$@"; do
		[ -r "$g" ] || { echo "# bench/$BENCH: $g missing (run make)"; exit 1; }
	done
	[ -x "$VMM" ] || { echo "# bench/$BENCH: $VMM is not executable (run make)"; exit 1; }
}

# bench_image PATH MIB: PATH holds MIB MiB of random bytes (written once and
# kept, both backends read the same bytes) and is read once to warm the page
# cache. Sets IMG_SUM0, the CRC-32 of its first 128 KiB (from the gzip
# trailer), which bench_blk.elf checks. Exits when the image cannot be made.
bench_image() {
	mkdir -p "$(dirname "$1")"
	if [ "$(stat -c %s "$1" 2>/dev/null)" != $(($2 << 20)) ]; then
		if ! head -c $(($2 << 20)) /dev/urandom >"$1.tmp" || ! mv "$1.tmp" "$1"; then
			echo "# bench/$BENCH: cannot write $1"; exit 1
		fi
	fi
	cat "$1" >/dev/null
	IMG_SUM0=$(head -c $((128 << 10)) "$1" | gzip -c | tail -c8 | od -An -tx4 -N4 | tr -d ' \n')
}

# bench_logs KEEP: WORK, a new folder for the runs' logs, removed at exit
# unless KEEP is not empty (then its name is printed).
bench_logs() {
	WORK=$(mktemp -d "/tmp/bench-$BENCH.XXXXXX")
	BENCH_KEEP=$1
	[ -n "$BENCH_KEEP" ] && echo "# bench/$BENCH: logs in $WORK"
	trap '[ -n "$BENCH_KEEP" ] || rm -rf "$WORK"' EXIT
}

# Prefix each line with the host time of its arrival (seconds, microsecond
# resolution; no fork per line). Needs LC_ALL=C: a '.' in $EPOCHREALTIME.
stamp() { while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done; }

# bench_check WHAT LOG STATUS LINES: a run counts when the guest passed
# (status 1, a summary with 0 failed), printed LINES BENCHDATA lines (both
# marks and every sample) and no check failed. Else says so with the last
# lines of LOG and LOG.err, and fails.
bench_check() {
	if [ "$3" = 1 ] && ! grep -q ' not ok' "$2" && grep -q ' # SUMMARY: .* 0 failed' "$2" &&
		[ "$(grep -c ' BENCHDATA ' "$2")" = "$4" ]; then
		return 0
	fi
	echo "# bench/$BENCH: $1 run failed (status $3); last lines:"
	tail -n 8 "$2" | cut -d' ' -f2- | sed 's/^/#   /'
	tail -n 3 "$2.err" | sed 's/^/#   /'
	return 1
}

# The logs in WORK whose names start with PREFIX., without the .err files.
logs() { for f in "$WORK/$1".*; do case $f in *.err) ;; *) echo "$f" ;; esac; done; }

# TSC rate of one run from its marks, in Hz.
tsc_hz() {
	awk '$3 ~ /^mark[01]$/ { sub("tsc=", "", $4); t[$3] = $1; c[$3] = $4 + 0 }
	     END { if (t["mark1"] > t["mark0"]) printf "%.0f\n", (c["mark1"] - c["mark0"]) / (t["mark1"] - t["mark0"]) }' "$1"
}

# bench_tsc: hz, the median TSC rate over the runs of both backends (both
# run on the same host TSC), and TSC_NOTE, that rate and the range seen.
bench_tsc() {
	local rates spread

	rates=$(for f in $(logs vmm) $(logs qemu); do tsc_hz "$f"; done)
	hz=$(median <<<"$rates")
	spread=$(sort -g <<<"$rates" | awk 'NR == 1 { lo = $1 } { hi = $1 }
		END { printf "%.1f-%.1f", lo / 1e6, hi / 1e6 }')
	TSC_NOTE="TSC $(awk -v h="$hz" 'BEGIN { printf "%.1f", h / 1e6 }') MHz (median of the runs' marks against the host clock; range $spread MHz)"
}

# bench_samples PREFIX NAME: the per-second rate (reqs / seconds of cycles
# at hz) of every BENCHDATA NAME line in the logs PREFIX.*, one a line.
bench_samples() {
	local f
	for f in $(logs "$1"); do
		awk -v j="$2" -v hz="$hz" '$3 == j {
			for (i = 4; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			if (v["cycles"] > 0) printf "%.0f\n", v["reqs"] / (v["cycles"] / hz)
		}' "$f"
	done
}
