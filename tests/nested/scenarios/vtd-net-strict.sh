# SPDX-License-Identifier: MIT
# retry: L1 stopped or reset in 4 of about 45 runs of the 2-vCPU VT-d scenarios with interrupt remapping (tests/nested/README.md, "Known problem")
# vtd-net-strict: the checks of virtio-net.sh with the network card behind
# build/vmm's emulated Intel VT-d (--iommu intel) and L2's intel-iommu driver
# (intel_iommu=on) in strict invalidation (iommu.strict=1). L1 makes a TAP
# (10.0.2.1/24); L2 pings L1 three times and exchanges 1 MiB each way over
# TCP (net-lib.sh, as viommu-net-strict.sh), plus vtd-lib.sh's checks.
# vtd-net-lazy.sh sets VTD_STRICT=0 (and VTD_CPUS=1) and sources this file.
# L2 has VTD_CPUS vCPUs (default 2); with 2,
# the card's (unmanaged) MSI-X lines go round them while the traffic flows
# (vtd-run), each move an IRTE rewrite and an IEC; at least one line must
# have taken interrupts on both (a missed re-route keeps it on one).
L2_TIMEOUT=210
. /scenarios/vtd-lib.sh
. /scenarios/net-lib.sh
strict=${VTD_STRICT:-1}
cpus=${VTD_CPUS:-2}
tap=vttap0
mac=52:54:00:56:54:44
blocks=${VTD_NET_BLOCKS:-16} # of 64 KiB
size=$((blocks * 65536))
bad=""
if ! net_setup "$tap" 230; then
	result "$NAME" fail "L1 could not set up the TAP $tap"
else
	l2_boot "$NAME" --kernel "$L2_BZIMAGE" --initramfs "$L2_INITRAMFS" --cpus "$cpus" --memory 512M \
		--iommu "intel${VTD_OPTS:-}" --net "tap=$tap,mac=$mac" \
		--cmdline "$L2_CMDLINE_BASE intel_iommu=on iommu.strict=$strict -- vtd-run virtio-net 10.0.2.2 10.0.2.1 $blocks"
	net_listeners_done
	check_task "$NAME"
	vtd_check "$strict" 1 "$cpus" "$((cpus > 1))"
	net_check_link "$mac"
	net_check_tcp
	if [ -z "$bad" ]; then
		result "$NAME" pass "init=${L2_INIT_S}s policy=$(l2_value VTD-POLICY) ping=3/3 l2->l1=$(net_rate TX)MiB/s l1->l2=$(net_rate RX)MiB/s"
	else
		result "$NAME" fail "$bad"
		dump_log 120
	fi
fi
net_teardown "$tap"
