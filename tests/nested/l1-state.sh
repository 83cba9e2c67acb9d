# SPDX-License-Identifier: MIT
# L1's state seen from L0 (sourced by run.sh, bash, on the host), for an L1
# that stopped or reset: what its vCPUs were doing, with kernel addresses
# named from L1's own /proc/kallsyms, which l1/init copies to its second
# serial port, a file on the host ($OUT/l1-kallsyms.txt; Debian's System.map
# is a placeholder, the real one is in a 1 GB -dbg package).
#   l1_state_args         the QEMU arguments: a monitor on two FIFOs, and
#                         -d cpu_reset (each vCPU's registers at every reset,
#                         "Triple fault" first when that was the cause)
#   l1_state_open         make the FIFOs, start the monitor's reader; before L0
#   l1_state_capture      L0 still running: every vCPU's registers, the code
#                         at its RIP and the top of its stack, into
#                         $OUT/l1-state.txt; prints a summary line per vCPU
#   l1_state_reset        L0 exited by itself: the last reset dump, named
#   l1_state_close        stop the reader
# Needs $OUT; without L1's symbols the addresses stay bare.
L1_MON=$OUT/l0-mon
L1_MONLOG=$OUT/l0-monitor.log
L1_RESETLOG=$OUT/l0-reset.log
L1_STATE=$OUT/l1-state.txt
L1_SYMS=$OUT/l1-kallsyms.txt
SYSMAP=$OUT/l1-kallsyms.sorted

l1_state_args() {
	echo "-monitor pipe:$L1_MON -d cpu_reset -D $L1_RESETLOG -serial file:$L1_SYMS"
}

# The text symbols L1 wrote, sorted (hex addresses of one width sort as text).
l1_syms_sort() {
	[ -s "$L1_SYMS" ] || return 0
	tr -d '\r' <"$L1_SYMS" | awk '$2 ~ /^[tTwW]$/ && length($1) == 16' | LC_ALL=C sort >"$SYSMAP"
}

l1_state_open() {
	rm -f "$L1_MON.in" "$L1_MON.out" "$L1_RESETLOG" "$L1_SYMS" "$SYSMAP"
	mkfifo "$L1_MON.in" "$L1_MON.out"
	: >"$L1_MONLOG"
	cat "$L1_MON.out" >>"$L1_MONLOG" &
	L1_MON_READER=$!
	exec 8<>"$L1_MON.in" # read-write: opening never blocks, QEMU gets a writer
}

l1_state_close() {
	exec 8>&-
	kill "${L1_MON_READER:-}" 2>/dev/null
	wait "${L1_MON_READER:-}" 2>/dev/null
	rm -f "$L1_MON.in" "$L1_MON.out"
}

# l1_sym ADDR: "symbol+0xoff" for a kernel text address, or nothing.
l1_sym() {
	local a=${1,,} hit sa sn
	a=${a#0x}
	[ -r "${SYSMAP:-}" ] || return 0
	[ ${#a} = 16 ] || return 0
	hit=$(LC_ALL=C awk -v a="$a" '$1 <= a { s = $1 " " $3 } $1 > a { exit } END { print s }' "$SYSMAP")
	[ -n "$hit" ] || return 0
	read -r sa sn <<<"$hit"
	# Past the last function (data, stacks): no name rather than a wrong one.
	[ $((0x$a - 0x$sa)) -lt 65536 ] || return 0
	printf '%s+%#x' "$sn" $((0x$a - 0x$sa))
}

# l1_name_addrs FILE: append " <sym+off>" after each kernel address in FILE.
l1_name_addrs() {
	local line a out
	while IFS= read -r line; do
		out=$line
		for a in $(grep -oE '\bffffffff[89a-f][0-9a-f]{7}\b' <<<"$line" | sort -u | head -8); do
			s=$(l1_sym "$a")
			[ -n "$s" ] && out="$out <$a=$s>"
		done
		echo "$out"
	done <"$1"
}

l1_state_capture() {
	local n
	: >"$L1_MONLOG.cut"
	n=$(wc -c <"$L1_MONLOG")
	{
		echo "info cpus"
		echo "info registers -a"
		for c in 0 1; do
			echo "cpu $c"
			echo "x/12i \$pc"
			echo "x/24gx \$rsp"
		done
	} >&8
	sleep 3
	# The monitor echoes what it is sent, with terminal escapes: not kept.
	tail -c +$((n + 1)) "$L1_MONLOG" | tr -d '\r' | grep -av $'\e' | grep -v '^(qemu)' >"$L1_MONLOG.cut"
	l1_syms_sort
	{
		echo "# L1's vCPUs when L0 was stopped ($(date -u +%FT%TZ)), from L0's monitor;"
		echo "# kernel addresses named from L1's /proc/kallsyms ($(wc -l <"$SYSMAP" 2>/dev/null || echo 0) text symbols)"
		l1_name_addrs "$L1_MONLOG.cut"
	} >"$L1_STATE"
	l1_state_summary
}

# One line per vCPU: RIP (named), RFLAGS.IF, CPL, CR3, the halted state.
l1_state_summary() {
	awk '/^CPU#[0-9]/ { cpu = $1 } /^CPU Reset/ { cpu = "CPU#" $4; sub(/\)/, "", cpu) } /^RIP=/ { split($1, r, "="); rip[cpu] = r[2];
		for (i = 1; i <= NF; i++) if ($i ~ /^RFL=/) fl[cpu] = $i; if ($0 ~ /HLT=1/) h[cpu] = " halted" }
		/^CS =/ { v = $0; sub(/^CS =/, "", v); split(v, w, " "); cs[cpu] = w[1] } /^CR0=/ { for (i = 1; i <= NF; i++) if ($i ~ /^CR3=/) cr3[cpu] = $i }
		END { for (c in rip) print c, rip[c], fl[c], "CS=" cs[c], cr3[c] h[c] }' "$L1_STATE" |
		while read -r cpu rip rest; do
			echo "# L1 $cpu RIP=$rip <$(l1_sym "$rip")> $rest"
		done
}

l1_state_reset() {
	[ -s "$L1_RESETLOG" ] || return 0
	local last
	l1_syms_sort
	# The last dump is the reset that ended L0; a triple fault says so before it.
	last=$(awk '/^CPU Reset|^Triple fault/ { n = NR } END { print n + 0 }' "$L1_RESETLOG")
	{
		echo "# L1's last reset, from L0's -d cpu_reset log"
		grep -c '^Triple fault' "$L1_RESETLOG" | sed 's/^/# triple faults logged: /'
		tail -n +"$((last > 40 ? last - 40 : 1))" "$L1_RESETLOG" >"$L1_STATE.raw"
		l1_name_addrs "$L1_STATE.raw"
	} >"$L1_STATE"
	grep -m1 -B2 'Triple fault' "$L1_RESETLOG" | head -3 | sed 's/^/# /'
	l1_state_summary
}
