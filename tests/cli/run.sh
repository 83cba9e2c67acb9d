#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Command-line and exit-status tests of build/vmm: bad arguments, bad images,
# KVM unavailable, guest exits, crashes and signals. Each case checks the exit
# status and the one-line message on stderr.
. "$(dirname "$0")/../lib.sh"
T=$BUILD/tests
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# The part of the file being run (TEST_PART, tests/lib.sh): nokvm until the
# cases that need KVM.
PART=nokvm
in_part() { if [ "$PART" = kvm ]; then part_kvm; else part_nokvm; fi; }

# expect NAME STATUS STDERR-REGEX -- vmm-args...
expect() {
	in_part || return 0
	local name=$1 want=$2 re=$3
	shift 4
	timeout 30 "$VMM" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
	local got=$?
	if [ "$got" != "$want" ]; then
		t_fail "cli/$name: status $got, want $want"; sed 's/^/#   /' "$TMP/err" | head -5
	elif [ -n "$re" ] && ! grep -Eq -e "$re" "$TMP/err"; then
		t_fail "cli/$name: stderr lacks /$re/"; sed 's/^/#   /' "$TMP/err" | head -5
	else
		t_pass "cli/$name"
	fi
}

# expect_kvm: the same, for a case the VMM only reaches with KVM: it opens
# /dev/kvm (status 6 when it cannot) before it parses the kernel, opens the
# disks and builds the machine. Without a usable /dev/kvm such a case is a
# named skip.
expect_kvm() {
	part_kvm || return 0
	if have_kvm; then PART=kvm expect "$@"; else t_skip "cli/$1" "needs /dev/kvm (the VMM opens KVM before it parses the kernel and opens disks)"; fi
}

if [ ! -x "$VMM" ]; then t_skip cli "build/vmm missing"; exit 0; fi
K=$T/tiny-exit.elf

# Arguments (status 2).
expect no-args 2 'kernel PATH is required' --
expect unknown-option 2 "unknown option '--bogus'" -- --bogus
expect missing-value 2 'needs an argument' -- --kernel
expect extra-arg 2 "unexpected argument 'stray'" -- --kernel "$K" stray
expect cpus-zero 2 'not a CPU count' -- --kernel "$K" --cpus 0
expect cpus-junk 2 'not a CPU count' -- --kernel "$K" --cpus boot=two
expect cpus-too-many 2 'not a CPU count' -- --kernel "$K" --cpus 255
expect cpus-bad-key 2 'unknown parameter' -- --kernel "$K" --cpus max=2
expect memory-junk 2 'not a size' -- --kernel "$K" --memory lots
expect memory-bad-unit 2 'not a size' -- --kernel "$K" --memory size=12Q
expect memory-too-small 2 'at least 2M' -- --kernel "$K" --memory 1M
expect memory-unaligned 2 'multiple of 4K' -- --kernel "$K" --memory 4097K
expect memory-too-big 2 'more than 1T' -- --kernel "$K" --memory 2T
expect memory-overflow 2 'not a size' -- --kernel "$K" --memory 99999999999999999999G
expect serial-bad 2 'not tty, off or file=PATH' -- --kernel "$K" --serial pty
expect seccomp-bad 2 'not on or off' -- --kernel "$K" --seccomp maybe
expect user-bad 2 "is not UID:GID" -- --kernel "$K" --user nobody
expect user-no-gid 2 "is not UID:GID" -- --kernel "$K" --user 1000
expect user-minus-one 2 "is not UID:GID" -- --kernel "$K" --user 4294967295:1
# --user without root: refused before anything is built.
if part_nokvm; then
	if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$VMM" --kernel "$K" --user 1:1 \
			>/dev/null 2>"$TMP/err" </dev/null
		rc=$?
		[ $rc = 2 ] && grep -q 'needs the VMM started as root' "$TMP/err"
		t_check cli/user-not-root $? "status $rc, want 2; $(head -c 200 "$TMP/err")"
	else
		t_skip cli/user-not-root "needs root and setpriv (util-linux) to start the VMM as another user"
	fi
fi
expect serial-file-bad 2 'cannot open' -- --kernel "$K" --serial file=/nonexistent/dir/log
if part_nokvm; then
	expect help 0 '' -- --help
	grep -q '^Usage: vmm' "$TMP/out"; t_check cli/help-text $?
	expect version 0 '' -- --version
	grep -Eq '^vmm [0-9]' "$TMP/out"; t_check cli/version-text $?
fi

# Images (status 4).
head -c 4096 /dev/urandom >"$TMP/random"
: >"$TMP/empty"
head -c 60 "$K" >"$TMP/truncated"
head -c $((3 << 20)) /dev/zero >"$TMP/big"
expect kernel-missing 4 'cannot open .*/nonexistent' -- --kernel "$TMP/nonexistent"
expect kernel-dir 4 'not a regular file' -- --kernel "$TMP"
expect kernel-empty 4 'is empty' -- --kernel "$TMP/empty"
expect_kvm kernel-random 4 'not a kernel' -- --kernel "$TMP/random"
expect_kvm kernel-truncated 4 '' -- --kernel "$TMP/truncated"
expect_kvm kernel-elf-no-pvh 4 'no PVH note' -- --kernel "$(type -P true)"
expect kernel-too-big 4 'too big' -- --kernel "$TMP/big" --memory 2M
expect initrd-too-big 4 'too big|does not fit' -- --kernel "$K" --initramfs "$TMP/big" --memory 2M
expect initrd-missing 4 'cannot open' -- --kernel "$K" --initrd "$TMP/nonexistent"
if ! part_nokvm; then
	:
elif [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	cp "$K" "$TMP/unreadable"; chmod 000 "$TMP/unreadable"; chmod 755 "$TMP"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$VMM" --kernel "$TMP/unreadable" \
		>/dev/null 2>"$TMP/err"; rc=$?
	[ $rc = 4 ] && grep -q 'Permission denied' "$TMP/err"; t_check cli/kernel-unreadable $? "status $rc"
else
	cp "$K" "$TMP/unreadable"; chmod 000 "$TMP/unreadable"
	expect kernel-unreadable 4 'Permission denied' -- --kernel "$TMP/unreadable"
fi

# Devices the VMM cannot open (status 2, like other bad arguments).
truncate -s 1M "$TMP/disk.img"
expect_kvm disk-missing 2 '--disk: cannot open .*nonexistent' -- --kernel "$K" --disk path="$TMP/nonexistent"
expect_kvm disk-dir 2 '--disk: cannot open' -- --kernel "$K" --disk path="$TMP"
expect_kvm disk-twice 2 'is in use' -- --kernel "$K" --disk path="$TMP/disk.img" --disk path="$TMP/disk.img"
expect disk-no-path 2 'path=FILE is required' -- --kernel "$K" --disk readonly=on
expect net-no-tap 2 'tap=NAME is required' -- --kernel "$K" --net mac=52:54:00:00:00:01
expect console-bad 2 'not tty, off or file=PATH' -- --kernel "$K" --console pty
expect edu-bogus 2 "--edu: unknown parameter 'bogus'" -- --kernel "$K" --edu=bogus
expect iommu-log-no-iommu 2 '--iommu-log needs --iommu virtio or intel' -- --kernel "$K" \
	--iommu-log "$TMP/events.log"
expect iommu-log-unopenable 2 '^vmm: --iommu-log: cannot open /nonexistent/dir/ev.log: ' -- \
	--kernel "$K" --iommu virtio --iommu-log /nonexistent/dir/ev.log
expect check-inval-no-log 2 'check-invalidation=on needs --iommu-log FILE' -- --kernel "$K" \
	--iommu intel,check-invalidation=on

# KVM unavailable (status 6): hide /dev/kvm in a private mount namespace.
PART=kvm
if part_kvm && have_kvm && unshare -m true 2>/dev/null; then
	unshare -m sh -c "mount --bind /dev/null /dev/kvm && exec '$VMM' --kernel '$K'" \
		>/dev/null 2>"$TMP/err"; rc=$?
	[ $rc = 6 ] && grep -q 'KVM' "$TMP/err"; t_check cli/kvm-unusable $? "status $rc"
	unshare -m sh -c "mount -t tmpfs none /dev && exec '$VMM' --kernel '$K'" \
		>/dev/null 2>"$TMP/err"; rc=$?
	[ $rc = 6 ] && grep -q '/dev/kvm' "$TMP/err"; t_check cli/kvm-missing $? "status $rc"
elif [ ! -e /dev/kvm ]; then
	PART=nokvm expect kvm-missing 6 'cannot open /dev/kvm' -- --kernel "$K" # this machine has none
elif part_kvm; then
	t_skip cli/kvm-missing "needs /dev/kvm and unshare -m"
fi

part_kvm || exit 0
if ! have_kvm; then t_skip cli/guest-exits "no /dev/kvm"; exit 0; fi

# Guest-driven statuses.
expect debug-exit 85 '' -- --kernel "$K"
grep -q '^tiny' "$TMP/out"; t_check cli/serial-stdout $?
expect initrd-alias 85 '' -- --kernel "$K" --initrd "$TMP/random"
expect serial-off 85 '' -- --kernel "$K" --serial off
[ ! -s "$TMP/out" ]; t_check cli/serial-off-silent $?
expect serial-file 85 '' -- --kernel "$K" --serial file="$TMP/com1.log"
grep -q '^tiny' "$TMP/com1.log"; t_check cli/serial-file-content $?
expect triple-fault 10 'triple fault.*vCPU 0' -- --kernel "$T/tiny-triple.elf"
grep -q 'rip=' "$TMP/err"; t_check cli/triple-fault-registers $?
expect seccomp-off 85 '' -- --kernel "$K" --seccomp off
# --iommu-log truncates the file at start-up (this guest makes no IOMMU event).
echo stale >"$TMP/events.log"
expect iommu-log-file 85 '' -- --kernel "$K" --iommu intel --iommu-log "$TMP/events.log"
[ -f "$TMP/events.log" ] && [ ! -s "$TMP/events.log" ]; t_check cli/iommu-log-truncated $?
expect smp-4 85 '' -- --kernel "$K" --cpus boot=4 --memory size=64M
expect with-devices 85 '' -- --kernel "$K" --disk path="$TMP/disk.img" --rng --console file="$TMP/con.txt"

# Signals (status 12), with the terminal untouched (stdin is not a tty here).
for sig in TERM INT; do
	"$VMM" --kernel "$T/tiny-spin.elf" >/dev/null 2>"$TMP/err" </dev/null &
	pid=$!
	sleep 0.5; kill -$sig $pid; wait $pid; rc=$?
	[ $rc = 12 ] && grep -q "terminated by SIG$sig" "$TMP/err"; t_check cli/sig$sig $? "status $rc"
done

# SIGUSR2: every virtio device logs its state (its queues before the driver
# set them up: "not ready") and every vCPU its registers (tiny-spin loops at
# CPL0); the guest keeps running until SIGTERM.
"$VMM" --kernel "$T/tiny-spin.elf" --rng --disk path="$TMP/disk.img" >/dev/null 2>"$TMP/err" </dev/null &
pid=$!
sleep 0.5; kill -USR2 $pid; sleep 0.5; kill -TERM $pid; wait $pid; rc=$?
[ $rc = 12 ] && grep -q 'virtio-rng q0: not ready' "$TMP/err" && grep -q 'virtio-blk 0.\.0: status 0x00 ' "$TMP/err" &&
	grep -A1 'vCPU 0 registers' "$TMP/err" | grep -q 'rip='
t_check cli/sigusr2-dump $? "status $rc: $(grep -c 'virtio' "$TMP/err") virtio lines"

# A terminal on stdin: raw mode while the guest runs (Ctrl-A x reaches the
# VMM byte by byte, with no newline and ISIG off), restored on exit.
if command -v script >/dev/null; then
	out=$( (sleep 1; printf '\001x'; sleep 1) | timeout 30 script -qec \
		"'$VMM' --kernel '$T/tiny-spin.elf'; echo rc=\$?; stty -a" /dev/null 2>&1 | tr -d '\r')
	echo "$out" | grep -q '^rc=12$' && echo "$out" | grep -q 'terminated by Ctrl-A x'
	t_check cli/tty-raw-escape $? "$(echo "$out" | grep rc=)"
	flags=$(echo "$out" | tr ' ;' '\n\n' | grep -xE -- '-?(icanon|echo|isig)' | sort | tr '\n' ' ')
	[ "$flags" = "echo icanon isig " ]; t_check cli/tty-restored $? "flags after exit: $flags"
else
	t_skip cli/tty "script(1) missing"
fi
