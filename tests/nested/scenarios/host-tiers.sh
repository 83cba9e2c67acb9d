# SPDX-License-Identifier: MIT
# The host's test suites that need KVM (the guest tests under build/vmm and
# QEMU, seccomp, and the KVM parts of cli and sanitize), run here in L1,
# whose KVM runs them as the host's would: for a host without a usable
# /dev/kvm (tests/nested/host-tiers.sh). They run unchanged under bash from
# /host (build.sh --host), with TEST_PART=kvm (each suite runs only its part
# that needs KVM; the host ran the rest). Every line a suite prints goes to
# the host as "NESTED-HOST LINE", written to the console as it comes (l1/init
# prints a scenario's output only when it ends, and run.sh's watchdog wants a
# sign of life before: the suites take minutes), where run.sh records its results under
# their own names (guest/vmm/boot ...). A suite that dies, or ends without a
# result, fails as tests/run-all.sh would fail it.
# results: host-tiers
# Not in the default list.
# cli's terminal cases run script(1), which needs pseudo-terminals.
[ -e /dev/pts/ptmx ] || { mkdir -p /dev/pts && mount -t devpts devpts /dev/pts; }
n=0
for s in ${HOST_SUITES:-guest}; do
	n=$((n + 1))
	rm -f /tmp/host.rc /tmp/host.results
	: >/tmp/host.results
	{
		cd /host && TEST_PART=kvm RESULTS=/tmp/host.results PATH=/host/bin:$PATH \
			/host/bin/bash "tests/$s/run.sh" </dev/null 2>&1
		echo $? >/tmp/host.rc
	} | while IFS= read -r line; do echo "NESTED-HOST $line" >/dev/console; done
	rc=$(cat /tmp/host.rc 2>/dev/null || echo 255)
	if [ ! -s /tmp/host.results ]; then
		echo "NESTED-HOST not ok - suite/$s: ended (status $rc) without reporting a result (in L1)" >/dev/console
	elif [ "$rc" != 0 ] && ! grep -q '^fail ' /tmp/host.results; then
		echo "NESTED-HOST not ok - suite/$s: exited with status $rc but reported no failure (in L1)" >/dev/console
	fi
done
result host-tiers pass "$n suite(s) run in L1"
