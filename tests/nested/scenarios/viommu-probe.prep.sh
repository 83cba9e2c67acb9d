# SPDX-License-Identifier: MIT
# For the viommu-* scenarios (sourced by build.sh, bash, on the host): the L2
# module set "viommu", virtio-iommu.ko and what it needs, which their task
# viommu-run loads before any endpoint driver. The virtio-blk and virtio-net
# sets and the ext4 image come from virtio-blk.prep.sh and virtio-net.prep.sh.
put_module_set "$L2ROOT" viommu virtio-iommu
