# SPDX-License-Identifier: MIT
# virtio-net: L1 makes a TAP (10.0.2.1/24, private to this L1) and build/vmm
# attaches to it; L2's virtio_net interface gets 10.0.2.2/24 and
# - virtio-net-ping: pings L1 three times, all answered;
# - virtio-net-tcp: sends 4 MiB of random data to L1 (busybox nc), and
#   receives 4 MiB from L1: the SHA-256 sums match on both sides.
# (net-lib.sh).
# results: virtio-net-ping virtio-net-tcp
# One L2 vCPU: with two, L2 patching its own text (static keys, during boot)
# sometimes meets L0's stale-code race (QEMU MTTCG) and dies of "Oops: int3".
L2_TIMEOUT=150
. /scenarios/net-lib.sh
tap=vtap0
mac=52:54:00:4e:45:54
size=4194304
bad=""
if ! net_setup "$tap" 170; then
	result "$NAME-ping" fail "L1 could not set up the TAP $tap"
	result "$NAME-tcp" fail "L1 could not set up the TAP $tap"
else
	l2_boot "$NAME" --kernel "$L2_BZIMAGE" --initramfs "$L2_INITRAMFS" --cpus 1 --memory 512M \
		--net "tap=$tap,mac=$mac" --cmdline "$L2_CMDLINE_BASE -- virtio-net 10.0.2.2 10.0.2.1"
	net_listeners_done
	check_task "$NAME"
	common=$bad

	net_check_link "$mac"
	if [ -z "$bad" ]; then
		result "$NAME-ping" pass "init=${L2_INIT_S}s"
	else
		result "$NAME-ping" fail "$bad"
	fi
	ping_bad=$bad

	bad=$common
	net_check_tcp
	if [ -z "$bad" ]; then
		result "$NAME-tcp" pass "l2->l1=$(net_rate TX)MiB/s l1->l2=$(net_rate RX)MiB/s"
	else
		result "$NAME-tcp" fail "$bad"
	fi
	[ -z "$ping_bad$bad" ] || dump_log 60
fi
net_teardown "$tap"
