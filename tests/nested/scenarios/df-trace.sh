# SPDX-License-Identifier: MIT
# l0: nvme
# df-trace: a diagnostic for the double fault that L2 took in 2 of 15 bench
# boots with L0's NVMe passed through and no vIOMMU (tests/nested/README.md,
# "L2's double fault"); not a test, not in any default list:
#   NESTED_BENCH_RUNS=10 tests/nested/run.sh df-trace
# Boots build/vmm as bench-vfio does (1 vCPU, 256 MiB, task nvme-perf: QD1,
# QD32 and sequential O_DIRECT reads), BENCH_RUNS times (default 10), L2 with
# nokaslr, so that its kernel addresses are L1's (the same kernel, booted
# with nokaslr by run.sh): /proc/kallsyms here names them. L1's ftrace records
# KVM's view of L2 for each boot (kvm_entry with L2's RIP, kvm_exit with the
# reason and the event being delivered, kvm_inj_virq, kvm_inj_exception) in
# a ring buffer. For a boot whose L2 double-faulted, it prints L2's Oops
# lines and the trace events around the last entry into L2 at
# entry_SYSCALL_64: what KVM injected there, and how L2 left it.
L2_TIMEOUT=240
. /scenarios/vfio-lib.sh
T=/sys/kernel/tracing
runs=${BENCH_RUNS:-10}
sysent=$(awk '$3 == "entry_SYSCALL_64" {print $1; exit}' /proc/kallsyms)
seen=0 boots=0

trace_arm() {
	echo 0 >$T/tracing_on
	echo 0 >$T/events/enable
	echo >$T/trace
	echo 32768 >$T/buffer_size_kb
	for e in kvm_entry kvm_exit kvm_inj_virq kvm_inj_exception kvm_apic_accept_irq; do
		echo 1 >"$T/events/kvm/$e/enable" || note "$NAME: no event kvm/$e"
	done
	echo 1 >$T/tracing_on
}

if [ -z "$sysent" ]; then
	result "$NAME" fail "no entry_SYSCALL_64 in L1's /proc/kallsyms"
elif nvme_setup; then
	note "$NAME: entry_SYSCALL_64 = 0x$sysent (nokaslr)"
	i=0
	while [ $i -lt "$runs" ]; do
		i=$((i + 1))
		trace_arm
		# Straight to the console: l1/init prints a scenario's output when it
		# ends, and run.sh's watchdog wants a sign of life before then.
		echo "NESTED-NOTE $NAME boot $i of $runs: started" >/dev/console
		l2_boot "$NAME-$i" --kernel "$L2_BZIMAGE" --initramfs "$L2_INITRAMFS" --cpus 1 \
			--memory 256M --device "path=$PCI/$NVME_ADDR" \
			--cmdline "$L2_CMDLINE_BASE nokaslr -- nvme-perf 3"
		echo 0 >$T/tracing_on
		boots=$((boots + 1))
		if grep -aq 'double fault' "$L2_LOG"; then
			seen=$((seen + 1))
			note "$NAME boot $i: L2 double-faulted (VMM status $L2_STATUS); its Oops:"
			grep -a -E -m 20 'double fault|RIP:|RSP:|CR2:|RAX:|RFLAGS|Code:|traps:' "$L2_LOG" |
				sed 's/^[0-9.]* /L2| /'
			cp $T/trace /tmp/df-$i.trace
			# The last entry into L2 at entry_SYSCALL_64, and 40 events before
			# and 20 after it.
			n=$(grep -n "kvm_entry:.*rip 0x$sysent" /tmp/df-$i.trace | tail -1 | cut -d: -f1)
			if [ -n "$n" ]; then
				note "$NAME boot $i: trace around the last kvm_entry at entry_SYSCALL_64 (line $n):"
				sed -n "$((n > 40 ? n - 40 : 1)),$((n + 20))p" /tmp/df-$i.trace | sed 's/^ */L2| trace /'
			else
				note "$NAME boot $i: no kvm_entry at entry_SYSCALL_64 in the trace; its last 60 events:"
				grep -v '^#' /tmp/df-$i.trace | tail -60 | sed 's/^ */L2| trace /'
			fi
		else
			echo "NESTED-NOTE $NAME boot $i: no double fault (VMM status $L2_STATUS, QD32 $(l2_value BENCH-QD32-IOPS) IOPS)" >/dev/console
		fi
	done
	result "$NAME" pass "$seen double fault(s) in $boots boot(s)"
	vfio_unbind "$NVME_ADDR"
fi
