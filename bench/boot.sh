#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Time from process start to guest exit for a minimal PVH guest, and the
# peak RSS, under build/vmm and QEMU microvm, on the same guest binary.
. "$(dirname "$0")/lib.sh"
K=$BUILD/tests/tiny-exit.elf
RUNS=${RUNS:-30}
if [ ! -r /dev/kvm ]; then echo "# bench/boot: no /dev/kvm, skipped"; exit 0; fi

run_vmm() { "$VMM" --kernel "$K" --memory 256M >/dev/null 2>&1 </dev/null; }
run_qemu() { "$QEMU" "${QEMU_MICROVM[@]}" -m 256M -serial null -kernel "$K" >/dev/null 2>&1 </dev/null; }

# Both must really run the guest: it exits with (0x2a << 1) | 1.
run_vmm; [ $? = 85 ] || { echo "# bench/boot: vmm did not run the guest"; exit 1; }
run_qemu; [ $? = 85 ] || { echo "# bench/boot: qemu did not run the guest"; exit 1; }

: >/tmp/bench.vmm.$$; : >/tmp/bench.qemu.$$
for _ in $(seq "$RUNS"); do
	t0=$(now_ns); run_vmm; t1=$(now_ns); run_qemu; t2=$(now_ns)
	echo $(( (t1 - t0) / 1000 )) >>/tmp/bench.vmm.$$
	echo $(( (t2 - t1) / 1000 )) >>/tmp/bench.qemu.$$
done
v=$(median </tmp/bench.vmm.$$); q=$(median </tmp/bench.qemu.$$)
rm -f /tmp/bench.vmm.$$ /tmp/bench.qemu.$$
bench_report pvh_start_to_exit_us "median of $RUNS, microseconds" "$v" "$q"

rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null </dev/null | tail -1; }
v=$(rss "$VMM" --kernel "$K" --memory 256M)
q=$(rss "$QEMU" "${QEMU_MICROVM[@]}" -m 256M -serial null -kernel "$K")
bench_report pvh_peak_rss_kib "peak RSS, KiB" "$v" "$q"
