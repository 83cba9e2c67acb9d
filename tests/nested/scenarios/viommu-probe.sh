# SPDX-License-Identifier: MIT
# viommu-probe: build/vmm --iommu virtio with five endpoints (two disks, a
# TAP network card, an RNG, a console). L2 loads virtio-iommu.ko first; its
# probe goes through the ACPI VIOT table: /sys/class/iommu gets an entry,
# the endpoints' virtio-pci probes, deferred until then, go through, and
# every virtio PCI function but the IOMMU is in an IOMMU group that lists it
# (checked by PCI address), with a translated (lazy: DMA-FQ) domain and
# ACCESS_PLATFORM negotiated. L2 then loads the endpoint drivers (their
# rings are mapped through the IOMMU), and its dmesg must show no IOMMU
# fault. Helpers and checks: viommu-lib.sh.
L2_TIMEOUT=150
. /scenarios/viommu-lib.sh
tap=vitap9
bad=""
d1=/tmp/$NAME-1.img
d2=/tmp/$NAME-2.img
dd if=/dev/zero of="$d1" bs=1M count=4 2>/dev/null
dd if=/dev/zero of="$d2" bs=1M count=4 2>/dev/null
if ! { tunctl -t "$tap" >/dev/null && ip link set "$tap" up; }; then
	result "$NAME" fail "L1 could not set up the TAP $tap"
else
	l2_boot "$NAME" --kernel "$L2_BZIMAGE" --initramfs "$L2_INITRAMFS" --cpus 1 --memory 512M \
		--iommu virtio --disk "path=$d1" --disk "path=$d2,readonly=on" \
		--net "tap=$tap,mac=52:54:00:56:49:4f" --rng --console "file=/tmp/$NAME.console" \
		--cmdline "$L2_CMDLINE_BASE -- viommu-run load-modules virtio-blk virtio-net virtio-rng"
	check_task "$NAME"
	viommu_check "" 5
	# The dmesg lines of the driver's probe, for the record.
	l2_lines VIOMMU-DMESG | grep -E 'virtio_iommu|VIOT' | head -8 | while IFS= read -r line; do
		note "$NAME: L2 dmesg: $line"
	done
	if [ -z "$bad" ]; then
		result "$NAME" pass "init=${L2_INIT_S}s endpoints=5 iommu=$(l2_value VIOMMU-CLASS)"
	else
		result "$NAME" fail "$bad"
		dump_log 60
	fi
	ip link set "$tap" down
	tunctl -d "$tap" >/dev/null
fi
rm -f "$d1" "$d2" "/tmp/$NAME.console"
