#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make bench: every figure side by side with QEMU, as a ratio.
set -u
cd "$(dirname "$0")/.."
echo "# make bench: $(date -u +%FT%TZ) on $(nproc) CPUs; medians; ratio = vmm / qemu"
bench/boot.sh
bench/blk.sh
bench/viommu.sh
bench/vtd.sh
# The nested figures (one L0 boot, QEMU 7.2 beside build/vmm in L1; tests/nested/README.md):
# L2's boot, and L0's NVMe passed through to L2 (VFIO) without and behind the virtio-iommu.
if [ -x tests/nested/bench.sh ]; then tests/nested/bench.sh; fi
# The IOTLB figure is a host microbenchmark of our core alone: QEMU's IOTLB
# cannot be driven outside QEMU, so that line has no QEMU side.
bench/iommu.sh
