# SPDX-License-Identifier: MIT
# viommu-net-strict: the checks of virtio-net.sh with the network card behind
# build/vmm's virtio-iommu (--iommu virtio) and L2 in strict invalidation
# (iommu.strict=1). L1 makes a TAP (10.0.2.1/24) and build/vmm attaches to
# it; L2 loads virtio-iommu.ko before virtio_net (task viommu-run), gives its
# interface 10.0.2.2/24, pings L1 three times (all answered), sends 1 MiB
# of random data to L1 and receives as much from L1 over TCP (busybox nc):
# the SHA-256 sums match on both sides. Plus the IOMMU checks of
# viommu-lib.sh. 1 MiB, not virtio-net.sh's 4: at 0.1-0.3 MiB/s (a MAP, and
# in strict mode an UNMAP, round trip per buffer under L0's TCG) 4 MiB kept
# L2 busy for 15-40 s, the time in which the nested environment now and then
# wedges or resets an L2, ours and QEMU's alike (see l1/init).
# viommu-net-lazy.sh sets VIOMMU_STRICT=0 and sources this file.
# One L2 vCPU, as in virtio-blk.sh/virtio-net.sh: with two, L0 (QEMU MTTCG)
# sometimes corrupts L2's self-patched text, and once hung L1 outright.
L2_TIMEOUT=210
. /scenarios/viommu-lib.sh
strict=${VIOMMU_STRICT:-1}
tap=vitap0
mac=52:54:00:56:49:4e
blocks=${VIOMMU_NET_BLOCKS:-16} # of 64 KiB
size=$((blocks * 65536))
bad=""
rm -f /tmp/net-rx.bin /tmp/net.hold
dd if=/dev/urandom of=/tmp/net-tx.bin bs=64k count="$blocks" 2>/dev/null
tx_sum=$(sha256sum </tmp/net-tx.bin | cut -d' ' -f1)
if ! { tunctl -t "$tap" >/dev/null && ip addr add 10.0.2.1/24 dev "$tap" && ip link set "$tap" up; }; then
	result "$NAME" fail "L1 could not set up the TAP $tap"
else
	# Listeners, up before L2 boots; stdin kept open (see tasks/virtio-net).
	mkfifo /tmp/net.hold
	timeout 230 nc -l -p 5001 <>/tmp/net.hold >/tmp/net-rx.bin &
	rx_pid=$!
	timeout 230 nc -l -p 5002 </tmp/net-tx.bin >/dev/null &
	tx_pid=$!
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
	sleep 1
	kill "$rx_pid" "$tx_pid" 2>/dev/null
	wait "$rx_pid" "$tx_pid" "$sampler" 2>/dev/null
	check_task "$NAME"
	viommu_check "$strict" 1
	expect iface "$(l2_value NET-IFACE)" eth0
	expect mac "$(l2_value NET-MAC)" "$mac"
	expect operstate "$(l2_value NET-OPERSTATE)" up
	expect ping-replies "$(l2_value NET-PING-RECEIVED)" 3
	expect l2-to-l1-nc-status "$(l2_value NET-TX-STATUS)" 0
	expect l2-to-l1-bytes "$(wc -c </tmp/net-rx.bin 2>/dev/null)" "$size"
	expect l2-to-l1-sha256 "$(sha256sum </tmp/net-rx.bin | cut -d' ' -f1)" "$(l2_value NET-TX-SUM)"
	expect l1-to-l2-nc-status "$(l2_value NET-RX-STATUS)" 0
	expect l1-to-l2-bytes "$(l2_value NET-RX-BYTES)" "$size"
	expect l1-to-l2-sha256 "$(l2_value NET-RX-SUM)" "$tx_sum"
	expect tx-timeouts "$(l2_value NET-TX-TIMEOUTS)" 0
	rate() { awk -v s="$1" -v n="$size" 'BEGIN {if (s > 0) printf "%.1f", n / s / 1048576; else print "NA"}'; }
	note "$NAME: $((size / 1048576)) MiB L2->L1 in $(l2_value NET-TX-S) s ($(rate "$(l2_value NET-TX-S)") MiB/s), L1->L2 in $(l2_value NET-RX-S) s ($(rate "$(l2_value NET-RX-S)") MiB/s); eth0: $(l2_value NET-STATS)"
	if [ -z "$bad" ]; then
		result "$NAME" pass "init=${L2_INIT_S}s policy=$(l2_value VIOMMU-POLICY) ping=3/3 l2->l1=$(rate "$(l2_value NET-TX-S)")MiB/s l1->l2=$(rate "$(l2_value NET-RX-S)")MiB/s"
	else
		result "$NAME" fail "$bad"
		dump_log 120
	fi
	ip link set "$tap" down
	tunctl -d "$tap" >/dev/null
fi
rm -f /tmp/net-rx.bin /tmp/net-tx.bin /tmp/net.hold
