# SPDX-License-Identifier: MIT
# retry: the known below-the-VMM wedge (L2 hangs or resets during a long TCP transfer under QEMU as under build/vmm; tests/nested/README.md)
# qemu-viommu-net-strict: viommu-net-strict with QEMU (q35, virtio-iommu-pci,
# virtio-net-pci on the TAP) in place of build/vmm: the same L2 kernel, task
# and checks. A control: it tells a problem of the L2 kernel or of the
# nested environment from one of ours, so it moves 4 MiB each way, as
# viommu-net-strict did when it wedged about one run in seven. It wedges
# too: 2 of 26 runs (one hang, one reset), so those wedges are not ours.
# Needs the bench image (QEMU in L1).
VIOMMU_QEMU=1
VIOMMU_NET_BLOCKS=64
. /scenarios/viommu-net-strict.sh
