# SPDX-License-Identifier: MIT
# retry: the known below-the-VMM wedge (L2 hangs or resets during a long TCP transfer under QEMU as under build/vmm; tests/nested/README.md)
# viommu-net-strict: the checks of virtio-net.sh with the network card behind
# build/vmm's virtio-iommu (--iommu virtio) and L2 in strict invalidation
# (iommu.strict=1). L1 makes a TAP (10.0.2.1/24) and build/vmm attaches to
# it; L2 loads virtio-iommu.ko before virtio_net (task viommu-run), gives its
# interface 10.0.2.2/24, pings L1 three times (all answered), sends 1 MiB
# of random data to L1 and receives as much from L1 over TCP (busybox nc):
# the SHA-256 sums match on both sides (net-lib.sh). Plus the IOMMU checks of
# viommu-lib.sh. 1 MiB, not virtio-net.sh's 4: at 0.1-0.3 MiB/s (a MAP, and
# in strict mode an UNMAP, round trip per buffer under L0's TCG) 4 MiB kept
# L2 busy for 15-40 s, the time in which the nested environment now and then
# wedges or resets an L2, ours and QEMU's alike (see l1/init).
# viommu-net-lazy.sh sets VIOMMU_STRICT=0 and sources this file.
# One L2 vCPU, as in virtio-blk.sh/virtio-net.sh: with two, L0 (QEMU MTTCG)
# sometimes corrupts L2's self-patched text, and once hung L1 outright.
L2_TIMEOUT=210
. /scenarios/viommu-lib.sh
. /scenarios/net-lib.sh
strict=${VIOMMU_STRICT:-1}
tap=vitap0
mac=52:54:00:56:49:4e
blocks=${VIOMMU_NET_BLOCKS:-16} # of 64 KiB
size=$((blocks * 65536))
bad=""
if ! net_setup "$tap" 230; then
	result "$NAME" fail "L1 could not set up the TAP $tap"
else
	viommu_sample_vmm $((L2_TIMEOUT - 15)) &
	sampler=$!
	cmdline="$L2_CMDLINE_BASE iommu.strict=$strict -- viommu-run virtio-net 10.0.2.2 10.0.2.1 $blocks"
	if [ "${VIOMMU_QEMU:-0}" = 1 ]; then
		# The same L2 under QEMU (q35: its virtio-iommu needs the VIOT of
		# the q35 ACPI tables), the same PCI addresses.
		l2_run "$NAME" "$L2_TIMEOUT" "$QEMU" -M q35 -bios /usr/share/qemu/qboot.rom \
			-accel kvm -cpu host -smp 1 -m 512M -nodefaults -nographic -no-reboot \
			-serial stdio -device virtio-iommu-pci,addr=01.0 \
			-netdev "tap,id=n0,ifname=$tap,script=no,downscript=no" \
			-device "virtio-net-pci,netdev=n0,mac=$mac,addr=02.0,iommu_platform=on,disable-legacy=on,romfile=" \
			-kernel "$L2_BZIMAGE" -initrd "$L2_INITRAMFS" -append "$cmdline"
	else
		l2_boot "$NAME" --kernel "$L2_BZIMAGE" --initramfs "$L2_INITRAMFS" --cpus 1 \
			--memory 512M --iommu virtio --net "tap=$tap,mac=$mac" --cmdline "$cmdline"
	fi
	kill "$sampler" 2>/dev/null
	wait "$sampler" 2>/dev/null
	net_listeners_done
	check_task "$NAME"
	viommu_check "$strict" 1
	net_check_link "$mac"
	net_check_tcp
	if [ -z "$bad" ]; then
		result "$NAME" pass "init=${L2_INIT_S}s policy=$(l2_value VIOMMU-POLICY) ping=3/3 l2->l1=$(net_rate TX)MiB/s l1->l2=$(net_rate RX)MiB/s"
	else
		result "$NAME" fail "$bad"
		dump_log 120
	fi
fi
net_teardown "$tap"
