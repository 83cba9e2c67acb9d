# SPDX-License-Identifier: MIT
# virtio-net: L1 makes a TAP (10.0.2.1/24, private to this L1) and build/vmm
# attaches to it; L2's virtio_net interface gets 10.0.2.2/24 and
# - virtio-net-ping: pings L1 three times, all answered;
# - virtio-net-tcp: sends 4 MiB of random data to L1 (busybox nc), and
#   receives 4 MiB from L1: the SHA-256 sums match on both sides.
# results: virtio-net-ping virtio-net-tcp
# One L2 vCPU: with two, L2 patching its own text (static keys, during boot)
# sometimes meets L0's stale-code race (QEMU MTTCG) and dies of "Oops: int3".
L2_TIMEOUT=150
tap=vtap0
mac=52:54:00:4e:45:54
size=4194304
bad=""
rm -f /tmp/net-rx.bin /tmp/net.hold
dd if=/dev/urandom of=/tmp/net-tx.bin bs=64k count=$((size / 65536)) 2>/dev/null
tx_sum=$(sha256sum </tmp/net-tx.bin | cut -d' ' -f1)
if ! { tunctl -t "$tap" >/dev/null && ip addr add 10.0.2.1/24 dev "$tap" && ip link set "$tap" up; }; then
	result "$NAME-ping" fail "L1 could not set up the TAP $tap"
	result "$NAME-tcp" fail "L1 could not set up the TAP $tap"
else
	# Listeners, up before L2 boots; stdin kept open (see tasks/virtio-net).
	mkfifo /tmp/net.hold
	timeout 170 nc -l -p 5001 <>/tmp/net.hold >/tmp/net-rx.bin &
	rx_pid=$!
	timeout 170 nc -l -p 5002 </tmp/net-tx.bin >/dev/null &
	tx_pid=$!
	l2_boot "$NAME" --kernel "$L2_BZIMAGE" --initramfs "$L2_INITRAMFS" --cpus 1 --memory 512M \
		--net "tap=$tap,mac=$mac" --cmdline "$L2_CMDLINE_BASE -- virtio-net 10.0.2.2 10.0.2.1"
	sleep 1
	kill "$rx_pid" "$tx_pid" 2>/dev/null
	wait "$rx_pid" "$tx_pid" 2>/dev/null
	check_task "$NAME"
	common=$bad

	expect iface "$(l2_value NET-IFACE)" eth0
	expect mac "$(l2_value NET-MAC)" "$mac"
	expect operstate "$(l2_value NET-OPERSTATE)" up
	expect ping-replies "$(l2_value NET-PING-RECEIVED)" 3
	if [ -z "$bad" ]; then
		result "$NAME-ping" pass "init=${L2_INIT_S}s"
	else
		result "$NAME-ping" fail "$bad"
	fi
	ping_bad=$bad

	bad=$common
	expect l2-to-l1-nc-status "$(l2_value NET-TX-STATUS)" 0
	expect l2-to-l1-bytes "$(wc -c </tmp/net-rx.bin 2>/dev/null)" "$size"
	expect l2-to-l1-sha256 "$(sha256sum </tmp/net-rx.bin | cut -d' ' -f1)" "$(l2_value NET-TX-SUM)"
	expect l1-to-l2-nc-status "$(l2_value NET-RX-STATUS)" 0
	expect l1-to-l2-bytes "$(l2_value NET-RX-BYTES)" "$size"
	expect l1-to-l2-sha256 "$(l2_value NET-RX-SUM)" "$tx_sum"
	expect tx-timeouts "$(l2_value NET-TX-TIMEOUTS)" 0
	rate() { awk -v s="$1" -v n="$size" 'BEGIN {if (s > 0) printf "%.1f", n / s / 1048576; else print "NA"}'; }
	note "virtio-net: 4 MiB L2->L1 in $(l2_value NET-TX-S) s ($(rate "$(l2_value NET-TX-S)") MiB/s), L1->L2 in $(l2_value NET-RX-S) s ($(rate "$(l2_value NET-RX-S)") MiB/s); eth0: $(l2_value NET-STATS)"
	if [ -z "$bad" ]; then
		result "$NAME-tcp" pass "l2->l1=$(rate "$(l2_value NET-TX-S)")MiB/s l1->l2=$(rate "$(l2_value NET-RX-S)")MiB/s"
	else
		result "$NAME-tcp" fail "$bad"
	fi
	[ -z "$ping_bad$bad" ] || dump_log 60
	ip link set "$tap" down
	tunctl -d "$tap" >/dev/null
fi
rm -f /tmp/net-rx.bin /tmp/net-tx.bin /tmp/net.hold
