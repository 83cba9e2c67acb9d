# SPDX-License-Identifier: MIT
# l0: nvme
# l0: -device edu
# vfio-bind: L1 alone, no VMM and no L2: the L0 devices of the passthrough
# scenarios are there behind L0's VT-d and bindable (vfio-lib.sh). L1 finds
# the NVMe disk by class (0x010802) and QEMU's edu by ids (1234:11e8); L1
# drives neither (no nvme module): neither is enabled in L1; each binds to
# vfio-pci, in an IOMMU group of its own, with /dev/vfio/GROUP that can be
# opened; unbound, each goes back to no driver and its /dev/vfio/GROUP goes
# away.
. /scenarios/vfio-lib.sh
bad=""
groups=""
for dev in nvme edu; do
	if [ $dev = nvme ]; then
		a=$(vfio_find "$NVME_CLASS")
	else
		# shellcheck disable=SC2086 # two words
		a=$(vfio_find $EDU_IDS)
	fi
	if [ -z "$a" ]; then
		bad="$bad no-$dev-in-L1"
		continue
	fi
	expect "$dev-l1-driver" "$(vfio_driver "$a")" none
	if ! vfio_bind "$a"; then
		bad="$bad $dev:$(echo "$VFIO_ERR" | tr ' ' -)"
		continue
	fi
	expect "$dev-group-members" "$(ls "/sys/kernel/iommu_groups/$VFIO_GROUP/devices" | wc -l)" 1
	case " $groups " in *" $VFIO_GROUP "*) bad="$bad $dev-shares-group-$VFIO_GROUP" ;; esac
	groups="$groups $VFIO_GROUP"
	expect "$dev-group-free" "$(vfio_group_free "$VFIO_GROUP")" yes
	expect "$dev-enable-count" "$(cat "$PCI/$a/enable")" 0
	# Not necessarily off: L0's firmware (SeaBIOS) probes NVMe disks and
	# leaves the controller enabled and bus-mastering.
	note "$NAME: $dev before any use in L1: bus-master=$(vfio_bus_master "$a")$([ $dev = nvme ] && echo " $(nvme_regs "$a")")"
	vfio_unbind "$a"
	expect "$dev-unbound" "$(vfio_driver "$a")" none
	i=0
	while [ -e "$VFIO_DEV" ] && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
	[ ! -e "$VFIO_DEV" ] || bad="$bad $dev-$VFIO_DEV-left"
done
vfio_limits
vfio_result "groups:$groups"
