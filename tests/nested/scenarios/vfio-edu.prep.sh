# SPDX-License-Identifier: MIT
# For vfio-edu, qemu-vfio-edu and vfio-bad (sourced by build.sh, bash, on the
# host): the guest test they boot as L2, $BUILD/guest-tests/vfio_edu.elf
# (make guest-tests), at /l2/vfio_edu.elf in L1. Without it those scenarios
# fail saying so; the others are not affected.
if [ -r "$BUILD/guest-tests/vfio_edu.elf" ]; then
	cp "$BUILD/guest-tests/vfio_edu.elf" "$L1ROOT/l2/vfio_edu.elf"
else
	echo "vfio-edu.prep: no $BUILD/guest-tests/vfio_edu.elf (make guest-tests); the edu scenarios will fail" >&2
fi
