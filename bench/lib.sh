# SPDX-License-Identifier: MIT
# Shared helpers for bench scripts: time commands in alternation (so that both
# sides see the same machine noise) and report medians as a ratio vmm/qemu.
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$TOP/build
VMM=$BUILD/vmm
QEMU=${QEMU:-qemu-system-x86_64}
QEMU_MICROVM=(-M microvm,acpi=on,x-option-roms=off,rtc=off,pic=off,pit=off
	-accel kvm -cpu max,-arch-capabilities -nodefaults -nographic -no-reboot
	-device isa-debug-exit,iobase=0xf4,iosize=4)

now_ns() { date +%s%N; }

# median of the numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# bench_report NAME UNIT VMM_VALUE QEMU_VALUE
bench_report() {
	awk -v n="$1" -v u="$2" -v a="$3" -v b="$4" 'BEGIN {
		printf "BENCH %-28s vmm=%-10s qemu=%-10s ratio=%.3f  (%s; ratio < 1: vmm is better)\n",
			n, a, b, (b > 0 ? a / b : 0), u }'
}
