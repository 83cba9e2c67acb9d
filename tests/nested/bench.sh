#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make bench's nested figures, build/vmm against QEMU 7.2 inside the same L1
# (one L0 boot), BENCH lines each: L2 Linux boot-to-init (scenario bench,
# -M microvm; bench-vtd, with intel_iommu=on behind build/vmm's VT-d and
# QEMU's intel-iommu on q35), and PCI passthrough of L0's NVMe to L2 (bench-vfio: no
# vIOMMU; bench-vfio-viommu-strict, -lazy: behind the virtio-iommu): L2's
# boot-to-init with the device, its 4 KiB random-read IOPS at QD1 and QD32,
# its sequential MB/s, and the host MAP_DMA calls per guest map. L0 is
# emulated (TCG): the figures are for scale, the ratios are what to read.
#   tests/nested/bench.sh               all of them
#   tests/nested/bench.sh bench-vfio    only these scenarios
# NESTED_BENCH_RUNS=N: boots per VMM and scenario (bench, bench-vtd: 3; bench-vfio*: 1).
if [ $# = 0 ]; then set -- bench bench-vtd bench-vfio bench-vfio-viommu-strict bench-vfio-viommu-lazy; fi
exec "$(dirname "$0")/run.sh" --bench "$@"
