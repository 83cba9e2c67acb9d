# SPDX-License-Identifier: MIT
# l0: nvme
# bench-vfio-trace: a diagnostic for bench-vfio-viommu-strict, not part of
# make bench (tests/nested/bench.sh bench-vfio-trace). One boot per VMM, as
# there (L2 in strict invalidation behind the virtio-iommu, task nvme-perf),
# with L1's ftrace on for 2 s of the QD1 reads: the VMM's VFIO MAP_DMA and
# UNMAP_DMA ioctls (thread, duration), L2's nested page fault exits (the
# virtio notify writes among them: L2's kicks), the time from the last such
# exit to the end of each ioctl (what L2's driver, which spins until its
# request is done, waits for), and the VMM threads' wake-ups (on which L1
# CPU, and how long until they ran). Notes only; no BENCH line. A variant
# may set VFIO_VIOMMU_STRICT=0 (lazy) and source this file.
L2_TIMEOUT=240
. /scenarios/vfio-lib.sh
T=/sys/kernel/tracing
D=/tmp/$NAME.d
rm -rf "$D" && mkdir -p "$D"
bad=""

# trace_arm COMM: the events, COMM's threads only for the scheduler's.
# 0x3b71, 0x3b72: VFIO_IOMMU_MAP_DMA, VFIO_IOMMU_UNMAP_DMA. 0x400: SVM's
# nested page fault exit code.
trace_arm() {
	echo 0 >$T/tracing_on
	echo 0 >$T/events/enable
	echo >$T/trace
	echo 16384 >$T/buffer_size_kb
	echo 'cmd == 0x3b71 || cmd == 0x3b72' >$T/events/syscalls/sys_enter_ioctl/filter
	echo "comm == \"$1\"" >$T/events/sched/sched_wakeup/filter
	echo "prev_comm == \"$1\" || next_comm == \"$1\"" >$T/events/sched/sched_switch/filter
	echo 'exit_reason == 0x400' >$T/events/kvm/kvm_exit/filter
	for e in syscalls/sys_enter_ioctl syscalls/sys_exit_ioctl sched/sched_wakeup sched/sched_switch \
		kvm/kvm_exit kvm/kvm_userspace_exit; do
		echo 1 >"$T/events/$e/enable" || bad="$bad no-event-$e"
	done
}

# trace_sample LOGNAME: in the background while the VMM runs: 2 s of trace
# once L2's disk is ready (nvme-perf's QD1 reads start then).
trace_sample() {
	local log=/tmp/$1.log i=0
	while ! grep -q 'NESTED-L2-NVME-PCI' "$log" 2>/dev/null; do
		grep -q 'NESTED-EXIT' "$log" 2>/dev/null && return 0
		sleep 0.5
		i=$((i + 1))
		[ $i -lt 300 ] || return 0
	done
	sleep 0.5
	echo 1 >$T/tracing_on
	sleep 2
	echo 0 >$T/tracing_on
	cp $T/trace "$D/$1.trace"
}

# trace_stats FILE: the figures of one trace, a line each.
trace_stats() {
	awk '!/^#/ && match($0, /[0-9]+\.[0-9]+: /) {
		ts = substr($0, RSTART, RLENGTH - 2) + 0
		if (!t0) t0 = ts
		t1 = ts
		pid = $1
		sub(/.*-/, "", pid)
		rest = substr($0, RSTART + RLENGTH)
		if (rest ~ /^sys_ioctl\(/) {
			st[pid] = ts
			c[pid] = (rest ~ /cmd: 3b71/) ? "MAP_DMA" : "UNMAP_DMA"
		} else if (rest ~ /^sys_ioctl ->/) {
			if (pid in st) {
				d = (ts - st[pid]) * 1e6
				k = c[pid] " in thread " pid
				n[k]++
				sum[k] += d
				if (d > mx[k]) mx[k] = d
				if (lastx) {
					l = (ts - lastx) * 1e6
					kn++
					ks += l
					if (l > km) km = l
				}
				delete st[pid]
			}
		} else if (rest ~ /^sched_wakeup:/) {
			match(rest, / pid=[0-9]+/)
			wp = substr(rest, RSTART + 5, RLENGTH - 5)
			wk[wp] = ts
			nw[wp]++
			match($0, /\[[0-9]+\]/)
			wc = substr($0, RSTART + 1, RLENGTH - 2) + 0
			match(rest, /target_cpu=[0-9]+/)
			tc = substr(rest, RSTART + 11, RLENGTH - 11) + 0
			if ($0 ~ /\[[0-9]+\] [^ ]*h/) irq[wp]++
			cpu[wp] = cpu[wp] == "" || cpu[wp] == tc ? tc : "several"
		} else if (rest ~ /^sched_switch:/) {
			match(rest, /next_pid=[0-9]+/)
			np = substr(rest, RSTART + 9, RLENGTH - 9)
			if (np in wk) {
				l = (ts - wk[np]) * 1e6
				wn[np]++
				ws[np] += l
				if (l > wm[np]) wm[np] = l
				delete wk[np]
			}
		} else if (rest ~ /^kvm_exit:/) {
			ex[pid]++
			lastx = ts
		} else if (rest ~ /^kvm_userspace_exit:/) {
			ue[pid]++
		}
	}
	END {
		printf "%.2f s traced\n", t1 - t0
		for (k in n)
			printf "%s: %d calls, %.0f us each (max %.0f)\n", k, n[k], sum[k] / n[k], mx[k]
		if (kn)
			printf "L2 kick (NPF exit) to the end of the next VFIO ioctl: %.0f us on average (max %.0f), %d ioctls\n", ks / kn, km, kn
		for (p in ex)
			printf "thread %s: %d NPF exits of L2, %d of them to userspace\n", p, ex[p], ue[p]
		for (p in nw)
			printf "thread %s: woken %d times (%d in a hard IRQ: a wake-up IPI), on L1 CPU %s, ran %.0f us later on average (max %.0f)\n",
				p, nw[p], irq[p], cpu[p], wn[p] ? ws[p] / wn[p] : 0, wm[p]
	}' "$1"
}

# one VMM-NAME COMM VMM-COMMAND...: a traced boot; notes the figures.
one() {
	local v=$1 comm=$2
	shift 2
	trace_arm "$comm"
	trace_sample "$NAME-$v" &
	l2_run "$NAME-$v" "$L2_TIMEOUT" "$@"
	wait
	note "$NAME: $v: QD1 $(l2_value BENCH-QD1-IOPS) IOPS ($(l2_value BENCH-QD1-LAT-US) us), VMM status $L2_STATUS"
	[ -s "$D/$NAME-$v.trace" ] || bad="$bad $v:no-trace"
	trace_stats "$D/$NAME-$v.trace" 2>/dev/null | while IFS= read -r l; do note "$NAME: $v: $l"; done
}

mount -t tracefs nodev $T 2>/dev/null
if [ ! -w $T/tracing_on ]; then
	result "$NAME" fail "no tracefs in L1 at $T"
elif nvme_setup; then
	cmdline="$L2_CMDLINE_BASE iommu.strict=${VFIO_VIOMMU_STRICT:-1} -- viommu-run nvme-perf 3"
	one vmm vmm "$VMM" -v --kernel "$L2_BZIMAGE" --initramfs "$L2_INITRAMFS" --cpus 1 \
		--memory 256M --iommu virtio --device "path=$PCI/$NVME_ADDR" --cmdline "$cmdline"
	one qemu qemu-system-x86 "$QEMU" -M q35 -bios /usr/share/qemu/qboot.rom \
		-accel kvm -cpu host -smp 1 -m 256M -nodefaults -nographic -no-reboot -serial stdio \
		-device virtio-iommu-pci,addr=01.0 -device "vfio-pci,host=$NVME_ADDR,addr=02.0" \
		-kernel "$L2_BZIMAGE" -initrd "$L2_INITRAMFS" -append "$cmdline"
	echo 0 >$T/events/enable
	vfio_result "traced 2 s of QD1 reads per VMM"
	vfio_unbind "$NVME_ADDR"
fi
