# SPDX-License-Identifier: MIT
# L1 itself, before any L2: both CPUs online (l1/init brings the second one
# up after the keeper started, so that KVM's text patching never races L0's
# other TCG vCPU), the keeper VM still running, and no Oops or warning from
# the CPU coming online.
online=$(cat /sys/devices/system/cpu/online)
if [ "$online" != 0-1 ]; then
	result "$NAME" fail "CPUs online: $online (want 0-1)"
elif [ -z "${KEEPER_PID:-}" ] || ! kill -0 "$KEEPER_PID" 2>/dev/null; then
	result "$NAME" fail "the keeper VM is not running"
elif dmesg | grep -Eq 'Oops|BUG:|int3'; then
	result "$NAME" fail "L1's log: $(dmesg | grep -E -m1 'Oops|BUG:|int3')"
else
	result "$NAME" pass "CPUs $online, keeper pid $KEEPER_PID"
fi
