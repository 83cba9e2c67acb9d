# SPDX-License-Identifier: MIT
# l0: nvme
# vfio-nvme: build/vmm passes L0's NVMe disk through to L2 (--device
# path=/sys/bus/pci/devices/ADDR, no vIOMMU). L0 emulates the disk behind its
# VT-d ("# l0: nvme": a fresh 16 MiB random image per run, made by
# vfio-nvme.prep.sh); L1 binds it to vfio-pci (vfio-lib.sh). L2's nvme driver
# (task nvme-check) reads the whole disk, whose MD5 must be the host's image's,
# writes the host's 1 MiB pattern at 8 MiB and reads it back (O_DIRECT); once
# L0 is gone, run.sh finds the pattern in the image file (nested/l0-nvme-image).
# After the VMM exits, L1 has the device back unused and reset, and L1's
# IOMMU reported no DMA fault. The VMM's -v exit line says its host mappings
# are all undone (vfio_vmm_counters).
# Variants set these and source this file:
#   VFIO_QEMU=1            QEMU (q35, -device vfio-pci,host=ADDR) in place of
#                          build/vmm, as a control (qemu-vfio-nvme*)
#   VFIO_CPUS=N            L2 vCPUs (vfio-nvme-2cpu)
#   VFIO_VIOMMU_STRICT=1|0 a virtio-iommu in front of the disk (--iommu
#                          virtio, or QEMU's virtio-iommu-pci) and L2 with
#                          iommu.strict=1|0; the disk must be in an L2 IOMMU
#                          group, plus viommu-lib.sh's IOMMU checks
#   VFIO_VTD=1             with VFIO_VIOMMU_STRICT=1: the emulated VT-d instead
#                          (--iommu intel, caching mode forced on; L2 with
#                          intel_iommu=on), no virtio-iommu checks; L2's
#                          interrupts remapped (vtd-lib.sh's vtd_ir_check:
#                          the disk's MSI-X is IR-PCI-MSIX)
L2_TIMEOUT=240
. /scenarios/vfio-lib.sh
. /scenarios/viommu-lib.sh
. /scenarios/vtd-lib.sh
cpus=${VFIO_CPUS:-1}
strict=${VFIO_VIOMMU_STRICT:-}
bad=""
if nvme_setup; then
	task="nvme-check $NVME_OFFSET_MIB"
	if [ -z "$strict" ]; then
		cmdline="$L2_CMDLINE_BASE -- $task"
		group=none viommu=0 qemu_iommu="" vmm_iommu=""
	elif [ "${VFIO_VTD:-0}" = 1 ]; then
		cmdline="$L2_CMDLINE_BASE intel_iommu=on iommu.strict=$strict -- vtd-run $task"
		group=DMA-FQ viommu=2 qemu_iommu="" vmm_iommu="--iommu intel"
		[ "$strict" = 1 ] && group=DMA
	else
		cmdline="$L2_CMDLINE_BASE iommu.strict=$strict -- viommu-run $task"
		group=DMA-FQ viommu=1 qemu_iommu="-device virtio-iommu-pci,addr=01.0" vmm_iommu="--iommu virtio"
		[ "$strict" = 1 ] && group=DMA
	fi
	if [ "${VFIO_QEMU:-0}" = 1 ]; then
		# q35 (QEMU's virtio-iommu needs the VIOT of its q35 ACPI tables),
		# the disk at 00:02.0 in L2.
		# shellcheck disable=SC2086 # $qemu_iommu: words
		l2_run "$NAME" "$L2_TIMEOUT" "$QEMU" -M q35 -bios /usr/share/qemu/qboot.rom \
			-accel kvm -cpu host -smp "$cpus" -m 256M -nodefaults -nographic -no-reboot \
			-serial stdio $qemu_iommu -device "vfio-pci,host=$NVME_ADDR,addr=02.0" \
			-kernel "$L2_BZIMAGE" -initrd "$L2_INITRAMFS" -append "$cmdline"
	else
		# shellcheck disable=SC2086 # $vmm_iommu: words
		l2_boot "$NAME" -v --kernel "$L2_BZIMAGE" --initramfs "$L2_INITRAMFS" --cpus "$cpus" \
			--memory 256M $vmm_iommu --device "path=$PCI/$NVME_ADDR" --cmdline "$cmdline"
	fi
	check_task "$NAME"
	# An L2 that never reached its init would fail every L2 check: one says it.
	if [ -n "$L2_INIT_S" ]; then
		nvme_check "$group"
		[ "$viommu" != 1 ] || viommu_check "$strict" 0
		[ "$viommu" != 2 ] || vtd_ir_check 1
	fi
	vfio_check_released "$NVME_ADDR" nvme
	vfio_check_dmar
	[ "${VFIO_QEMU:-0}" = 1 ] || vfio_vmm_counters "$viommu"
	vfio_result "addr=$NVME_ADDR group=$VFIO_GROUP l2-group=$(l2_value NVME-GROUP) init=${L2_INIT_S}s run=${L2_RUN_S}s"
	vfio_unbind "$NVME_ADDR"
fi
