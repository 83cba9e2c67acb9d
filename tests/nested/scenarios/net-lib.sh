# SPDX-License-Identifier: MIT
# Helpers of the scenarios whose L2 runs the task virtio-net (virtio-net.sh,
# and through viommu-run, viommu-net-*.sh): L1 is 10.0.2.1 on a TAP of its
# own, L2 10.0.2.2; L2 pings L1, sends $size bytes of random data to L1:5001
# and receives as many from L1:5002 (busybox nc). Sourced, not a scenario.
if [ "$NAME" = net-lib ]; then
	result "$NAME" fail "net-lib holds helpers of the virtio-net scenarios; run those"
fi

# net_setup TAP SECONDS: $size bytes of random data to send (their sum in
# $net_tx_sum), TAP up as 10.0.2.1/24 and both listeners up for SECONDS
# before L2 boots. 1 when the TAP cannot be made.
net_setup() {
	rm -f /tmp/net-rx.bin /tmp/net.hold
	dd if=/dev/urandom of=/tmp/net-tx.bin bs=64k count=$((size / 65536)) 2>/dev/null
	net_tx_sum=$(sha256sum </tmp/net-tx.bin | cut -d' ' -f1)
	{ tunctl -t "$1" >/dev/null && ip addr add 10.0.2.1/24 dev "$1" && ip link set "$1" up; } || return 1
	# Stdin kept open (see tasks/virtio-net).
	mkfifo /tmp/net.hold
	timeout "$2" nc -l -p 5001 <>/tmp/net.hold >/tmp/net-rx.bin &
	net_rx_pid=$!
	timeout "$2" nc -l -p 5002 </tmp/net-tx.bin >/dev/null &
	net_tx_pid=$!
}

# net_listeners_done: stop the listeners once L2 has gone (a second for
# the last bytes to land).
net_listeners_done() {
	sleep 1
	kill "$net_rx_pid" "$net_tx_pid" 2>/dev/null
	wait "$net_rx_pid" "$net_tx_pid" 2>/dev/null
}

# net_check_link MAC: L2's interface is eth0 with MAC, up, and its three
# pings were answered. Problems go to $bad.
net_check_link() {
	expect iface "$(l2_value NET-IFACE)" eth0
	expect mac "$(l2_value NET-MAC)" "$1"
	expect operstate "$(l2_value NET-OPERSTATE)" up
	expect ping-replies "$(l2_value NET-PING-RECEIVED)" 3
}

# net_check_tcp: both transfers completed, with $size bytes and equal
# SHA-256 sums on both sides, and no transmit timeout in L2; notes the rates
# and L2's interface counters. Problems go to $bad.
net_check_tcp() {
	expect l2-to-l1-nc-status "$(l2_value NET-TX-STATUS)" 0
	expect l2-to-l1-bytes "$(wc -c </tmp/net-rx.bin 2>/dev/null)" "$size"
	expect l2-to-l1-sha256 "$(sha256sum </tmp/net-rx.bin | cut -d' ' -f1)" "$(l2_value NET-TX-SUM)"
	expect l1-to-l2-nc-status "$(l2_value NET-RX-STATUS)" 0
	expect l1-to-l2-bytes "$(l2_value NET-RX-BYTES)" "$size"
	expect l1-to-l2-sha256 "$(l2_value NET-RX-SUM)" "$net_tx_sum"
	expect tx-timeouts "$(l2_value NET-TX-TIMEOUTS)" 0
	note "$NAME: $((size / 1048576)) MiB L2->L1 in $(l2_value NET-TX-S) s ($(net_rate TX) MiB/s), L1->L2 in $(l2_value NET-RX-S) s ($(net_rate RX) MiB/s); eth0: $(l2_value NET-STATS)"
}

# net_rate TX|RX: that direction's MiB/s, from the seconds L2 reported.
net_rate() {
	awk -v s="$(l2_value "NET-$1-S")" -v n="$size" 'BEGIN {if (s > 0) printf "%.1f", n / s / 1048576; else print "NA"}'
}

# net_teardown TAP: the TAP and the data files gone.
net_teardown() {
	ip link set "$1" down
	tunctl -d "$1" >/dev/null
	rm -f /tmp/net-rx.bin /tmp/net-tx.bin /tmp/net.hold
}
