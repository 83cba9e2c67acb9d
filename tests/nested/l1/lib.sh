# SPDX-License-Identifier: MIT
# Helpers for the scenarios that L1's /init runs (busybox ash). A scenario is
# one file /scenarios/NAME.sh, sourced in a subshell with $NAME set; it reports
# with result (one NESTED-RESULT line per check, parsed by run.sh on the host).
VMM=/bin/vmm
L2_BZIMAGE=/l2/bzImage
L2_VMLINUX=/l2/vmlinux
L2_INITRAMFS=/l2/initramfs.cpio
# What every L2 boot gets: COM1 console, a short log (each byte on the serial
# port costs an exit), reset on panic. pci=noearly skips the early PCI scans
# (AGP aperture, quirks: ~5 s of port I/O here); the CMOS RTC driver is kept
# out because with no RTC (QEMU microvm under KVM has none) its probe polls
# the absent update flag for ~10 s. Both boot the same way under either VMM.
L2_CMDLINE_BASE="console=ttyS0 loglevel=4 panic=-1 pci=noearly initcall_blacklist=cmos_init${L2_EXTRA:+ $L2_EXTRA}"
L2_TIMEOUT=${L2_TIMEOUT:-180}

# result CHECK pass|fail [detail...]: CHECK is nested/CHECK on the host.
result() {
	local n=$1 s=$2
	shift 2
	echo "NESTED-RESULT $n $s $*"
}
# note TEXT: printed on the host as "# TEXT".
note() { echo "NESTED-NOTE $*"; }

# stamp: prefix every line of stdin with L1's uptime ("123.45 text").
stamp() {
	local line up _
	while IFS= read -r line || [ -n "$line" ]; do
		read -r up _ </proc/uptime
		echo "$up $line"
	done
}

# l2_run LOGNAME TIMEOUT COMMAND...: run COMMAND (a VMM that boots L2) with a
# timeout, its output stamped into /tmp/LOGNAME.log. Sets L2_LOG, L2_STATUS
# (the command's exit status), L2_INIT_S (seconds from start to the L2 init
# marker, empty if it never came), L2_RUN_S (seconds from start to the end).
# Two seconds before the timeout, a VMM still running is asked for its
# virtio queues' state (SIGUSR2, into the log), and what each of its threads
# is doing (l2_threads) goes to the end of the log and to the console; SIGKILL
# follows SIGTERM by 5 s.
l2_run() {
	local name=$1 to=$2 t0
	shift 2
	L2_LOG=/tmp/$name.log
	read -r t0 _ </proc/uptime
	rm -f "$L2_LOG.threads"
	vmstat_mark
	{
		timeout -k 5 "$to" "$@" 2>&1 </dev/null &
		pid=$!
		# Not on the pipe (a sleep left behind would hold it open), and on the
		# console at once too, in case the VMM does not die and wait hangs.
		(
			sleep $((to > 4 ? to - 2 : to))
			[ -d "/proc/$pid" ] || exit 0
			# SIGUSR2: each virtio device logs its queues (driver's and
			# device's indices, kicks, interrupts) into the L2 log.
			kill -USR2 "$pid" 2>/dev/null
			sleep 1
			l2_threads "$pid" >"$L2_LOG.threads"
			sed "s/^/NESTED-NOTE $name: VMM still running at the timeout: /" "$L2_LOG.threads" >/dev/console
		) >/dev/null 2>&1 &
		dog=$!
		wait "$pid" 2>/dev/null
		st=$?
		kill "$dog" 2>/dev/null && wait "$dog" 2>/dev/null
		echo "NESTED-EXIT $st"
	} | stamp >"$L2_LOG"
	if [ -s "$L2_LOG.threads" ]; then
		sed 's/^/0 /' "$L2_LOG.threads" >>"$L2_LOG"
	fi
	echo "0 NESTED-VMSTAT $(vmstat_delta)" >>"$L2_LOG"
	L2_STATUS=$(awk '$2 == "NESTED-EXIT" {print $3}' "$L2_LOG" | tail -1)
	L2_INIT_S=$(awk -v t0="$t0" '$2 == "NESTED-L2-INIT" {printf "%.2f", $1 - t0; exit}' "$L2_LOG")
	L2_RUN_S=$(awk -v t0="$t0" '$2 == "NESTED-EXIT" {printf "%.2f", $1 - t0}' "$L2_LOG")
	# Verbose: the whole log, each line with its time since the start.
	[ "${NESTED_VERBOSE:-0}" = 1 ] &&
		awk -v t0="$t0" '{t = $1; $1 = ""; printf "L2| %7.2f%s\n", t - t0, $0}' "$L2_LOG"
	return 0
}

# vmstat_mark, vmstat_delta: how much L1's memory management moved pages
# (migration, compaction, THP) between the two calls: when L1 migrates a page
# of an L2's RAM, its KVM changes L2's nested page tables under L0's TCG.
VMSTAT_KEYS="pgmigrate_success compact_stall compact_success thp_collapse_alloc thp_split_page numa_pages_migrated"
vmstat_mark() { cp /proc/vmstat /tmp/vmstat.mark; }
vmstat_delta() {
	awk -v keys="$VMSTAT_KEYS" 'BEGIN {n = split(keys, k); for (i = 1; i <= n; i++) want[k[i]] = 1}
		FNR == NR {a[$1] = $2; next}
		($1 in want) {printf "%s=%d ", $1, $2 - a[$1]}' /tmp/vmstat.mark /proc/vmstat
}

# l2_threads PID: a line per thread of PID: its name, state, wait channel and
# the top of its kernel stack (where a hung VMM's threads wait).
l2_threads() {
	local t
	for t in /proc/"$1"/task/*; do
		echo "NESTED-THREAD $(cat "$t/comm") state=$(cut -d' ' -f3 "$t/stat")" \
			"wchan=$(cat "$t/wchan") stack=$(head -5 "$t/stack" | awk '{printf "%s<", $2}')"
	done 2>/dev/null
}

# l2_boot LOGNAME VMM-ARGS...: l2_run with build/vmm and L2_TIMEOUT.
l2_boot() {
	local name=$1
	shift
	l2_run "$name" "$L2_TIMEOUT" "$VMM" "$@"
}

# l2_value KEY: the value the L2 report task printed for KEY (NESTED-L2-KEY ...).
l2_value() {
	awk -v k="NESTED-L2-$1" '$2 == k {sub(/\r$/, ""); $1 = ""; $2 = ""; sub(/^  /, ""); print; exit}' "$L2_LOG"
}

# l2_lines KEY: every NESTED-L2-KEY line of the last L2 log, without the
# time stamp and the key.
l2_lines() {
	awk -v k="NESTED-L2-$1" '$2 == k {sub(/\r$/, ""); $1 = ""; $2 = ""; sub(/^  /, ""); print}' "$L2_LOG"
}

# l2_field LINE KEY: the value of KEY=VALUE in LINE.
l2_field() {
	echo " $1 " | sed -n "s/.* $2=\\([^ ]*\\) .*/\\1/p"
}

# vmm_line TAG KEY: what follows TAG in the last line of the L2 log that
# holds TAG followed by KEY (a counters line the VMM printed), or nothing.
vmm_line() {
	grep -a "$1$2" "$L2_LOG" | tail -1 | sed "s/.*$1//; s/\r\$//"
}

# l2_endpoints_check PREFIX STRICT WANT [vdrv]: what L2's IOMMU task printed
# as PREFIX-POLICY, -DEFAULT-DOMAIN and -EP lines: the invalidation policy
# of STRICT (1 strict, else lazy), translated default domains, and WANT
# virtio PCI functions behind the IOMMU, each after the task bound to
# virtio-pci (and with vdrv, to its virtio driver), in a group that
# /sys/kernel/iommu_groups lists, of the policy's domain type (DMA, or
# DMA-FQ with a flush queue), ACCESS_PLATFORM negotiated. Problems go to
# $bad.
l2_endpoints_check() {
	local line a n=0 g_bad="" want_type=DMA policy=strict
	[ "$2" = 1 ] || want_type=DMA-FQ policy=lazy
	expect policy "$(l2_value "$1-POLICY")" "$policy"
	expect default-domain "$(l2_value "$1-DEFAULT-DOMAIN")" Translated
	while read -r line; do
		[ -n "$line" ] || continue
		n=$((n + 1))
		a=${line%% *}
		[ "$(l2_field "$line" drv)" = virtio-pci ] || g_bad="$g_bad $a:drv=$(l2_field "$line" drv)"
		[ "$(l2_field "$line" group)" != none ] || g_bad="$g_bad $a:no-group"
		[ "$(l2_field "$line" listed)" = yes ] || g_bad="$g_bad $a:not-in-/sys/kernel/iommu_groups"
		[ "$(l2_field "$line" type)" = "$want_type" ] ||
			g_bad="$g_bad $a:domain=$(l2_field "$line" type)(want-$want_type)"
		[ "${4:-}" != vdrv ] || [ "$(l2_field "$line" vdrv)" != none ] || g_bad="$g_bad $a:no-virtio-driver"
		[ "$(l2_field "$line" ap)" = 1 ] || g_bad="$g_bad $a:access_platform=$(l2_field "$line" ap)"
	done <<EOF
$(l2_lines "$1-EP")
EOF
	expect endpoints "$n" "$3"
	[ -z "$g_bad" ] || bad="$bad$g_bad"
}

# dump_log [LINES]: the last L2 log, for a failure's diagnosis: the VMM's own
# error lines first (a crash's cause and registers; CI shows only part of a
# long output), then the end of the log without the unclaimed-port noise.
dump_log() {
	grep -aE '^[0-9.]+ vmm: ' "$L2_LOG" | grep -v 'vmm: warning' | head -n 40 | sed 's/^[0-9.]* /L2| /'
	grep -av 'vmm: warning: pio: unclaimed' "$L2_LOG" | tail -n "${1:-40}" | sed 's/^[0-9.]* /L2| /'
}

# check_boot CHECK CPUS MEMORY_MIB TOKEN: the checks of a boot that ran the
# report task: marker, CPU count, MemTotal, cmdline token, exit status 0.
check_boot() {
	local name=$1 cpus=$2 mem_mib=$3 token=$4 bad="" n v
	[ -n "$L2_INIT_S" ] || bad="$bad no-init-marker"
	n=$(l2_value NPROC)
	[ "$n" = "$cpus" ] || bad="$bad nproc=$n(want-$cpus)"
	v=$(l2_value MEMTOTAL-KB)
	# The kernel keeps its image, page tables and reservations out of MemTotal.
	[ -n "$v" ] && [ "$v" -gt $((mem_mib * 1024 * 8 / 10)) ] && [ "$v" -le $((mem_mib * 1024)) ] ||
		bad="$bad memtotal=${v}kB(want>80%-of-${mem_mib}MiB)"
	case " $(l2_value CMDLINE) " in
	*" $token "*) ;;
	*) bad="$bad cmdline-lacks-$token" ;;
	esac
	[ "$L2_STATUS" = 0 ] || bad="$bad vmm-status=$L2_STATUS(want-0)"
	if [ -n "$L2_INIT_S" ]; then note "L2 boot to init ($name): $L2_INIT_S s"; fi
	if [ -z "$bad" ]; then
		result "$name" pass "init=${L2_INIT_S}s memtotal=${v}kB"
	else
		result "$name" fail "$bad"
		dump_log
	fi
}

# expect WHAT GOT WANT: unless GOT is WANT (and not empty), add
# "WHAT=GOT(want-WANT)" to $bad, the caller's list of problems.
expect() {
	[ -n "$2" ] && [ "$2" = "$3" ] || bad="$bad $1=${2:-none}(want-$3)"
}

# check_task CHECK: the checks of any boot that ran a task: the init marker,
# the task's exit line, the VMM's exit status 0 (a power-off), no module that
# failed to load; problems are added to $bad. Notes the boot-to-init time.
check_task() {
	local f
	[ -n "$L2_INIT_S" ] || bad="$bad no-init-marker"
	[ -n "$(l2_value TASK-EXIT)" ] || bad="$bad task-did-not-finish"
	expect vmm-status "$L2_STATUS" 0
	for f in $(awk '$2 == "NESTED-L2-INSMOD-FAILED" {print $3}' "$L2_LOG"); do
		bad="$bad insmod-failed:$f"
	done
	if [ -n "$L2_INIT_S" ]; then note "L2 boot to init ($1): $L2_INIT_S s (VMM ran $L2_RUN_S s)"; fi
}

# QEMU inside L1 (only in the bench image), booting L2 the way l2_boot does.
QEMU=/usr/bin/qemu-system-x86_64
QEMU_MACHINE=${QEMU_MACHINE:-microvm}

# qemu_boot LOGNAME CPUS MEMORY KERNEL INITRAMFS CMDLINE: l2_run under QEMU.
qemu_boot() {
	l2_run "$1" "$L2_TIMEOUT" "$QEMU" -M "$QEMU_MACHINE" -accel kvm -cpu host \
		-smp "$2" -m "$3" -nodefaults -nographic -no-reboot -serial stdio \
		-kernel "$4" -initrd "$5" -append "$6"
}

# median_of FILE: the median of the numbers in FILE (one a line), or NA.
median_of() {
	sort -g "$1" | awk '{a[NR] = $1} END {if (!NR) print "NA"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

# boot_bench_report BENCH-NAME WHAT RUNS: the medians of the boot times in
# /tmp/bench.vmm and /tmp/bench.qemu (one a line) as a BENCH line, ratio
# vmm / qemu (WHAT says what was timed), and the scenario's result: pass
# when both sides have a median.
boot_bench_report() {
	local v q
	v=$(median_of /tmp/bench.vmm) q=$(median_of /tmp/bench.qemu)
	awk -v name="$1" -v what="$2" -v a="$v" -v b="$q" -v n="$3" 'BEGIN {
		r = (a != "NA" && b != "NA" && b > 0) ? sprintf("%.3f", a / b) : "NA"
		printf "BENCH %-28s vmm=%-10s qemu=%-10s ratio=%s  (%s, seconds, median of %d; ratio < 1: vmm is better)\n",
			name, a, b, r, what, n }'
	if [ "$v" != NA ] && [ "$q" != NA ]; then result "$NAME" pass; else result "$NAME" fail "vmm=$v qemu=$q"; fi
}
