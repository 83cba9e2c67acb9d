# SPDX-License-Identifier: MIT
# For virtio-net: the L2 module set (virtio_net and what it needs). L1 already
# has tun (build.sh: L1_MODULES) for its TAP.
put_module_set "$L2ROOT" virtio-net virtio_net
