#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The seccomp baseline. Each kind of thread has its own filter (main, vCPU,
# and each device worker kind); a syscall outside a thread's allow list kills
# the whole VMM with SIGSYS. The test-only build build/tests/vmm-seccomp-hook
# (tests/seccomp/seccomp.mk) makes such a call in the thread whose kind
# VMM_TEST_SECCOMP names, right after its filter is installed; the shipped
# build/vmm has no hook. For each kind:
#   seccomp/kill-KIND  the hooked run dies of SIGSYS;
#   seccomp/off-KIND   the same run with --seccomp off ends as the guest asks.
# And: a normal run of build/vmm with the filters on completes; build/vmm
# ignores VMM_TEST_SECCOMP; the capabilities are gone while the guest runs.
# The jail: an executable mapping kills (seccomp/mmap-exec-KIND,
# mprotect-exec-*), a file open after set-up is refused (jail/landlock-*),
# and --user changes the running VMM's user (jail/user*).
. "$(dirname "$0")/../lib.sh"
HOOK=$BUILD/tests/vmm-seccomp-hook
T=$BUILD/tests
if ! have_kvm; then t_skip seccomp "needs /dev/kvm"; exit 0; fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
truncate -s 1M "$TMP/disk.img"

# kind, then the devices that start that kind of thread. tiny-spin spins
# until it is killed, so a thread that starts late still gets to its hook.
kinds=(vCPU main virtio-blk virtio-net virtio-rng virtio-console virtio-iommu)
args_of() {
	case $1 in
	virtio-blk) echo --disk "path=$TMP/disk.img" ;;
	virtio-net) echo --net tap=vmmsc$$ ;;
	virtio-rng) echo --rng ;;
	virtio-console) echo --console "file=$TMP/con.txt" ;;
	virtio-iommu) echo --iommu virtio --rng ;;
	esac
}
# spin_hooked VAR KIND SECS ARGS...: the hook build on tiny-spin (so that a
# late thread still gets to its hook) with VAR=KIND, for at most SECS; its
# stderr in $TMP/err, its status in $rc. Waited for in a subshell, so that
# bash's "Bad system call" notice goes to /dev/null.
spin_hooked() {
	local var=$1 kind=$2 secs=$3
	shift 3
	(
		env "$var=$kind" timeout "$secs" "$HOOK" --kernel "$T/tiny-spin.elf" "$@" \
			>/dev/null 2>"$TMP/err" </dev/null &
		wait $!
	) 2>/dev/null
	rc=$?
}

for kind in "${kinds[@]}"; do
	if [ $kind = virtio-net ] && { [ ! -w /dev/net/tun ] || [ "$(id -u)" != 0 ]; }; then
		t_skip seccomp/kill-$kind "a TAP device needs root and /dev/net/tun"
		continue
	fi
	# shellcheck disable=SC2046 # the device arguments are words
	set -- $(args_of $kind)
	spin_hooked VMM_TEST_SECCOMP $kind 20 "$@"
	# 128 + SIGSYS (31): killed by the filter's default action.
	[ $rc = 159 ]; t_check seccomp/kill-$kind $? "status $rc, want 159 (SIGSYS); $(head -c 300 "$TMP/err")"
	VMM_TEST_SECCOMP=$kind timeout 20 "$HOOK" --kernel "$T/tiny-exit.elf" "$@" --seccomp off \
		>/dev/null 2>"$TMP/err" </dev/null
	rc=$?
	[ $rc = 85 ]; t_check seccomp/off-$kind $? "status $rc, want 85; $(head -c 300 "$TMP/err")"
done

# Host maps happen on every thread that may change a domain a VFIO mirror
# follows: a vCPU (VT-d invalidations), the virtio-iommu's worker (its
# requests), and each device worker (a VT-d translation miss fills the
# IOTLB, which the mirror follows when a passthrough function shares the
# domain). Each of those kinds calls MAP_DMA and UNMAP_DMA (on no fd) with
# its filter on, and the run ends as the guest asks.
for kind in vCPU "${kinds[@]:2}"; do
	[ $kind = virtio-net ] && { [ ! -w /dev/net/tun ] || [ "$(id -u)" != 0 ]; } && continue
	# shellcheck disable=SC2046 # the device arguments are words
	set -- $(args_of $kind)
	# The hook says it survived; the VMM ends on timeout's SIGTERM (124).
	spin_hooked VMM_TEST_SECCOMP_VFIO $kind 3 "$@"
	[ $rc = 124 ] && grep -q "seccomp test hook: $kind thread: VFIO MAP_DMA Bad file descriptor" "$TMP/err"
	t_check seccomp/vfio-map-$kind $? "status $rc, want 124 and the hook's line (159: killed for MAP_DMA); $(head -c 200 "$TMP/err")"
done

"$VMM" --kernel "$T/tiny-exit.elf" >/dev/null 2>&1 </dev/null
rc=$?; [ $rc = 85 ]; t_check seccomp/on-normal-run $? "status $rc"
for kind in vCPU main; do
	VMM_TEST_SECCOMP=$kind "$VMM" --kernel "$T/tiny-exit.elf" >/dev/null 2>&1 </dev/null
	rc=$?; [ $rc = 85 ]; t_check seccomp/release-ignores-hook-$kind $? "status $rc, want 85"
done
# Capabilities are gone once the guest runs: CapEff of a running VMM is 0.
"$VMM" --kernel "$T/tiny-spin.elf" >/dev/null 2>&1 </dev/null &
pid=$!
sleep 0.5
capeff=$(awk '/^CapEff/ {print $2}' /proc/$pid/status 2>/dev/null)
kill -TERM $pid
wait $pid
[ "$capeff" = 0000000000000000 ]; t_check seccomp/caps-dropped $? "CapEff=$capeff"

# No code is mapped after set-up: in every kind of thread an executable mmap
# kills the VMM (SIGSYS), and so does an mprotect to PROT_EXEC.
for kind in "${kinds[@]}"; do
	[ $kind = virtio-net ] && { [ ! -w /dev/net/tun ] || [ "$(id -u)" != 0 ]; } && continue
	# shellcheck disable=SC2046 # the device arguments are words
	set -- $(args_of $kind)
	spin_hooked VMM_TEST_SECCOMP_MMAP_EXEC $kind 20 "$@"
	[ $rc = 159 ]; t_check seccomp/mmap-exec-$kind $? "status $rc, want 159 (SIGSYS); $(head -c 300 "$TMP/err")"
done
for kind in vCPU main; do
	spin_hooked VMM_TEST_SECCOMP_MPROTECT_EXEC $kind 20
	[ $rc = 159 ]; t_check seccomp/mprotect-exec-$kind $? "status $rc, want 159 (SIGSYS); $(head -c 300 "$TMP/err")"
done

# No file system after set-up (Landlock): the hook build opens the kernel
# image it has just read, right after the ruleset is on, and is refused.
spin_hooked VMM_TEST_JAIL_OPEN "$T/tiny-spin.elf" 3 -v
if grep -q "Landlock is not available" "$TMP/err"; then
	t_skip jail/landlock-open "this kernel has no Landlock ($(grep -m1 Landlock "$TMP/err"))"
else
	grep -q "jail test hook: open $T/tiny-spin.elf: Permission denied" "$TMP/err"
	t_check jail/landlock-open $? "want the hook's open refused; $(grep -m2 -e 'jail test hook' -e Landlock "$TMP/err")"
	grep -q "Landlock ABI version [0-9]" "$TMP/err"
	t_check jail/landlock-abi-logged $? "$(head -c 300 "$TMP/err")"
fi
# With --seccomp off there is no ruleset: the same open succeeds.
spin_hooked VMM_TEST_JAIL_OPEN "$T/tiny-spin.elf" 3 --seccomp off
! grep -q "jail test hook" "$TMP/err"
t_check jail/landlock-off $? "$(head -c 300 "$TMP/err")"

# --user UID:GID: started as root, the running VMM is that user and group,
# with no supplementary groups and no capabilities, and the guest still runs
# to its end.
if [ "$(id -u)" != 0 ]; then
	t_skip jail/user "--user needs the tests run as root"
else
	"$VMM" --kernel "$T/tiny-spin.elf" --user 65534:65533 >/dev/null 2>"$TMP/err" </dev/null &
	pid=$!
	ids=""
	for _ in $(seq 50); do
		ids=$(awk '/^(Uid|Gid|Groups|CapEff):/ {$1=$1; printf "%s;", $0}' /proc/$pid/status 2>/dev/null)
		[[ $ids == *"Uid: 65534"* ]] && break
		sleep 0.1
	done
	kill -TERM $pid
	wait $pid
	[ "$ids" = "Uid: 65534 65534 65534 65534;Gid: 65533 65533 65533 65533;Groups:;CapEff: 0000000000000000;" ]
	t_check jail/user $? "status: $ids; $(head -c 200 "$TMP/err")"
	"$VMM" --kernel "$T/tiny-exit.elf" --user 1:1 >/dev/null 2>"$TMP/err" </dev/null
	rc=$?; [ $rc = 85 ]; t_check jail/user-guest-runs $? "status $rc, want 85; $(head -c 200 "$TMP/err")"
fi
