#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make bench: every figure side by side with QEMU, as a ratio.
set -u
cd "$(dirname "$0")/.."
echo "# make bench: $(date -u +%FT%TZ) on $(nproc) CPUs; medians; ratio = vmm / qemu"
bench/boot.sh
if [ -x tests/nested/bench.sh ]; then tests/nested/bench.sh; fi
