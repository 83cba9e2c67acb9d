#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# How often L1 dies while it starts (module loading, the keeper VM, the
# second CPU coming online): N L0 boots that run only the l1-smp scenario,
# with L1's CPUs brought up as NESTED_L1_SMP says (late, the default, or
# boot, the old way). A diagnostic for tests/nested/README.md, not a test.
#   tests/nested/l1-start-rate.sh [N] [late|boot] [K]   (N defaults to 20)
# K: before its keeper, L1 starts and ends K short VMs (nested.keyflips), each
# flipping KVM's static keys twice: the race made K times more likely.
# Prints one line per boot and the count of L1 deaths, with the first Oops
# or panic line of each.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
n=${1:-20} mode=${2:-late} flips=${3:-0} deaths=0 boots=0
for i in $(seq 1 "$n"); do
	out=$(NESTED_KEYFLIPS=$flips NESTED_L1_SMP=$mode NESTED_STALL=${NESTED_STALL:-120} RESULTS=/dev/null "$HERE/run.sh" l1-smp 2>&1)
	log=$BUILD/nested/l0-console.log
	# Each L0 boot of this run: a restart (l1-boot retry) is one death.
	d=$(grep -c '^# retry - nested/l1-boot' <<<"$out")
	grep -q '^ok - nested/l1-smp' <<<"$out" || d=$((d + 1))
	b=$(($(grep -c '^NESTED-L1-UP' "$log")))
	boots=$((boots + b)) deaths=$((deaths + d))
	why=$(grep -E -m1 'Oops|Kernel panic|BUG:|NESTED-STALL' "$log")
	echo "# run $i ($mode, $flips flips): $b L0 boot(s), $d L1 death(s)${why:+: $why}"
done
echo "l1-start-rate mode=$mode keyflips=$flips boots=$boots deaths=$deaths"
