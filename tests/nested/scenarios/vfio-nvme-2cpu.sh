# SPDX-License-Identifier: MIT
# l0: nvme
# vfio-nvme-2cpu: vfio-nvme with two L2 vCPUs (the nvme driver gets a queue
# per CPU, interrupts on both). With two vCPUs, L0 (QEMU MTTCG) sometimes
# corrupts L2's self-patched text (see virtio-blk.sh): a failure here is
# worth a second look before blaming the VMM.
VFIO_CPUS=2
. /scenarios/vfio-nvme.sh
