#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make bench: every figure side by side with QEMU, as a ratio.
set -u
cd "$(dirname "$0")/.."
echo "# make bench: $(date -u +%FT%TZ) on $(nproc) CPUs; medians; ratio = vmm / qemu"
bench/boot.sh
bench/blk.sh
bench/viommu.sh
if [ -x tests/nested/bench.sh ]; then tests/nested/bench.sh; fi
# The IOTLB figure is a host microbenchmark of our core alone: QEMU's IOTLB
# cannot be driven outside QEMU, so that line has no QEMU side.
bench/iommu.sh
