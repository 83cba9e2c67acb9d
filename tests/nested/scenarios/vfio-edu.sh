# SPDX-License-Identifier: MIT
# l0: -device edu
# vfio-edu: build/vmm passes QEMU's edu (L0's DMA test device, behind L0's
# VT-d) through to a bare-metal L2, the guest test guest-tests/vfio_edu.c,
# behind build/vmm's virtio-iommu (--iommu virtio --device
# path=/sys/bus/pci/devices/ADDR). The guest drives the device itself: PCI
# and registers, the VIOT and PROBE (the host's reserved regions, passed on
# its command line from L1's sysfs, must be reserved there), DMA through
# IOVAs it maps, MSI, DMA to and from an IOVA it unmapped (blocked by L1's
# IOMMU), a MAP in the MSI window refused. One result per check of the guest
# (vfio-edu/pci, /viommu, /dma, /msi, /unmap, /resv), then vfio-edu: the
# guest's exit status and summary, L1's DMAR faults exactly those the guest
# provoked (from the edu, at the IOVAs it unmapped, once each), the device
# back on vfio-pci unused with bus mastering off, and the VMM's counters
# (every host mapping undone at exit, no more host maps than MAP requests).
# Variant: VFIO_QEMU=1 (qemu-vfio-edu), QEMU 7.2 in place of build/vmm.
L2_TIMEOUT=120
. /scenarios/vfio-lib.sh
bad=""
if edu_setup; then
	vector=$(printf '%#x' $((0x40 + RANDOM % 0xa0)))
	cmdline="hostresv=$(vfio_resv "$VFIO_GROUP") vector=$vector seed=$RANDOM$RANDOM"
	if [ "${VFIO_QEMU:-0}" = 1 ]; then
		# q35 (QEMU's virtio-iommu needs the VIOT of its q35 ACPI tables)
		# with SeaBIOS: qboot stops in its panic() before the guest when a
		# vfio-pci function is present (tests/nested/README.md); the
		# virtio-iommu before the edu (a device realized before it would not
		# be behind it). QEMU 7.2's departures are explained in
		# guest-tests/vfio_edu.c.
		l2_run "$NAME" "$L2_TIMEOUT" "$QEMU" -M q35 \
			-accel kvm -cpu host -m 128M -nodefaults -nographic -no-reboot -serial stdio \
			-device isa-debug-exit,iobase=0xf4,iosize=4 -device virtio-iommu-pci,addr=01.0 \
			-device "vfio-pci,host=$EDU_ADDR,addr=02.0" -kernel "$EDU_ELF" \
			-append "$cmdline backend=QEMU known=map_resv"
	else
		l2_boot "$NAME" -v --kernel "$EDU_ELF" --memory 128M --iommu virtio \
			--device "path=$PCI/$EDU_ADDR" --cmdline "$cmdline backend=build/vmm"
	fi
	# shellcheck disable=SC2086 # a list of words
	edu_results $EDU_CHECKS
	edu_check_status
	edu_check_dmar "$EDU_ADDR"
	vfio_check_released "$EDU_ADDR" edu
	[ "${VFIO_QEMU:-0}" = 1 ] || vfio_vmm_counters 1
	vfio_result "addr=$EDU_ADDR group=$VFIO_GROUP run=${L2_RUN_S}s"
	vfio_unbind "$EDU_ADDR"
fi
