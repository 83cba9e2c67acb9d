# SPDX-License-Identifier: MIT
# For virtio-rng: the L2 module set (virtio_rng; the hw_random core is built in).
put_module_set "$L2ROOT" virtio-rng virtio_rng
