#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build the nested harness's initramfs images from cache/nested (fetch.sh) and
# $BUILD/vmm, into $BUILD/nested/ (BUILD: the build folder, build/ by default,
# as in tests/lib.sh; NESTED_OUT and VMM override the two paths):
#   l2.cpio    L2: busybox, l2/init, l2/tasks, the L2 modules
#   l1.cpio    L1: busybox, l1/init, l1/lib.sh, scenarios, the L1 modules,
#              the VMM, the L2 bzImage, vmlinux and l2.cpio
#   qemu.cpio  (with --qemu) qemu-system-x86_64, its libraries and firmware,
#              appended to l1.cpio for the bench (the kernel unpacks both)
#   host.cpio  (with --host, which implies --qemu) the host's test suites that
#              need KVM, under /host as in the work tree (tests/, and of
#              $BUILD: vmm, asan/vmm, guest-tests/, tests/), with bash and the
#              host tools they run, and the libraries of all of them:
#              l1-host.cpio = l1.cpio + qemu.cpio + host.cpio (host-tiers.sh)
# The archives are uncompressed: under TCG, L1 copying them is cheaper than
# inflating them.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
OUT=${NESTED_OUT:-$BUILD/nested}
VMM_BIN=${VMM:-$BUILD/vmm}
WITH_QEMU=0 WITH_HOST=0
for a in "$@"; do
	case $a in
	--qemu) WITH_QEMU=1 ;;
	--host) WITH_QEMU=1 WITH_HOST=1 ;;
	*) echo "usage: $0 [--qemu] [--host]" >&2; exit 2 ;;
	esac
done

# Modules, by name; their dependencies come along, in load order. L2's are
# loaded by its init from /etc/nested/modules, like L1's.
L1_MODULES="kvm-amd vfio-pci vfio_iommu_type1 tun"
L2_MODULES=""
# Parameters, by module file name. No vPMU in L2: KVM would create perf events
# for it, and flipping perf's static keys patches L1's text while the other
# vCPU runs it, which QEMU's multi-threaded TCG can get wrong (an Oops: int3
# in __schedule was seen after a QEMU L2 guest exited).
declare -A MODULE_PARAMS=([kvm.ko]="enable_pmu=0")

eval "$("$HERE/fetch.sh")"
KROOT=$(dirname "$(dirname "$(dirname "$MODDIR")")")
[ -s "$MODDIR/modules.dep" ] || depmod -b "$KROOT" "$KVER"

mkdir -p "$OUT"

# modules NAMES...: the .ko.xz paths to insmod, dependencies first, once each.
modules() {
	local m
	for m in "$@"; do
		modprobe -d "$KROOT" -S "$KVER" --show-depends "$m" | awk '$1 == "insmod" {print $2}'
	done | awk '!seen[$0]++'
}

# put_module_list ROOT LIST NAMES...: decompress the modules into
# ROOT/lib/modules (once) and append their file names and parameters, in load
# order, to ROOT/etc/nested/LIST (ones already there are kept once).
put_module_list() {
	local root=$1 list=$2 ko base
	shift 2
	mkdir -p "$root/lib/modules" "$root/etc/nested"
	touch "$root/etc/nested/$list"
	for ko in $(modules "$@"); do
		base=$(basename "$ko" .xz)
		awk -v b="$base" '$1 == b {f = 1} END {exit !f}' "$root/etc/nested/$list" && continue
		[ -e "$root/lib/modules/$base" ] || xz -dc "$ko" >"$root/lib/modules/$base"
		echo "$base ${MODULE_PARAMS[$base]:-}" >>"$root/etc/nested/$list"
	done
}

# put_modules ROOT NAMES...: modules that init loads at every boot
# (ROOT/etc/nested/modules).
put_modules() {
	local root=$1
	shift
	put_module_list "$root" modules "$@"
}

# put_module_set ROOT SET NAMES...: modules loaded on demand, by L2's task
# "load-modules SET" (ROOT/etc/nested/modules.SET), so that other boots do
# not pay for them.
put_module_set() {
	local root=$1 set=$2
	shift 2
	put_module_list "$root" "modules.$set" "$@"
}

# put_busybox ROOT: busybox and a link per applet in ROOT/bin.
put_busybox() {
	local root=$1 a
	mkdir -p "$root/bin" "$root/sbin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
	cp "$BUSYBOX" "$root/bin/busybox"
	for a in $("$BUSYBOX" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"
	done
}

# mkcpio ROOT FILE: a newc archive of ROOT, owned by root.
mkcpio() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$2.tmp"
	mv "$2.tmp" "$2"
}

# put_libs ROOT BINARY...: the shared libraries each binary loads (ldd),
# at the same paths under ROOT.
put_libs() {
	local root=$1 lib
	shift
	for lib in $(ldd "$@" 2>/dev/null | awk '/=> \// {print $3} /^\t\// {print $1}' | sort -u); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# link_or_copy SRC DST: hard link when possible (the vmlinux is 57 MB).
link_or_copy() { ln -f "$1" "$2" 2>/dev/null || cp "$1" "$2"; }

# --- L2 root ---
L2ROOT=$OUT/l2-root
rm -rf "$L2ROOT"
put_busybox "$L2ROOT"
cp "$HERE/l2/init" "$L2ROOT/init"
cp -r "$HERE/l2/tasks" "$L2ROOT/tasks"
# nvme-bench: the passthrough bench's O_DIRECT reader (task nvme-perf,
# scenarios/bench-vfio*.sh); L2 has only busybox, so a static program.
gcc -std=gnu11 -static -O2 -s -pthread -Wall -Wextra -Werror -D_GNU_SOURCE \
	-o "$L2ROOT/bin/nvme-bench" "$HERE/l2/nvme-bench.c"
put_modules "$L2ROOT" $L2_MODULES

# --- L1 root ---
L1ROOT=$OUT/l1-root
rm -rf "$L1ROOT"
put_busybox "$L1ROOT"
cp "$HERE/l1/init" "$L1ROOT/init"
mkdir -p "$L1ROOT/nested" "$L1ROOT/l2"
cp "$HERE/l1/lib.sh" "$L1ROOT/nested/lib.sh"
mkdir -p "$L1ROOT/scenarios"
cp "$HERE"/scenarios/*.sh "$L1ROOT/scenarios/"
rm -f "$L1ROOT"/scenarios/*.prep.sh
put_modules "$L1ROOT" $L1_MODULES
if [ -x "$VMM_BIN" ]; then
	file -L "$VMM_BIN" | grep -q 'statically linked' ||
		{ echo "build: $VMM_BIN is not statically linked" >&2; exit 1; }
	cp "$VMM_BIN" "$L1ROOT/bin/vmm"
else
	echo "build: no $VMM_BIN; the scenarios will fail" >&2
fi
# keeper.bin: a 36-byte Multiboot kernel (the a.out kludge: header at 1 MiB,
# entry at 1 MiB + 32) whose code is "cli; 1: hlt; jmp 1b". L1's init keeps
# it running under build/vmm for the whole run: its VM holds KVM's
# preempt-notifier key and its never-enabled LAPIC holds apic_sw_disabled, so
# that creating and ending L2 VMs never patches L1's kernel text. Under
# QEMU's multi-threaded TCG that patching sometimes leaves the other vCPU
# running a stale int3 ("Oops: int3" in __schedule or
# kvm_arch_vcpu_ioctl_run, L1 dead).
# Little-endian words: magic 0x1badb002, flags 0x10000, checksum, header_addr
# 0x100000 | load_addr 0x100000, load_end_addr 0 (the whole file),
# bss_end_addr 0, entry_addr 0x100020; then fa f4 eb fd (cli; hlt; jmp -3).
printf '\x02\xb0\xad\x1b\x00\x00\x01\x00\xfe\x4f\x51\xe4\x00\x00\x10\x00'\
'\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00\x00\x00\x20\x00\x10\x00\xfa\xf4\xeb\xfd' \
	>"$L1ROOT/nested/keeper.bin"
link_or_copy "$BZIMAGE" "$L1ROOT/l2/bzImage"
link_or_copy "$VMLINUX" "$L1ROOT/l2/vmlinux"

# --- scenario hooks ---
# scenarios/NAME.prep.sh, if any, is sourced here (bash, on the host) to add
# what its scenario needs: files under $L1ROOT (e.g. a disk image in
# $L1ROOT/data), tasks in $L2ROOT/tasks, modules (put_modules "$L2ROOT" NAME...
# for every boot, put_module_set "$L2ROOT" SET NAME... for "load-modules SET").
for prep in "$HERE"/scenarios/*.prep.sh; do
	[ -e "$prep" ] || continue
	. "$prep"
done

mkcpio "$L2ROOT" "$OUT/l2.cpio"
link_or_copy "$OUT/l2.cpio" "$L1ROOT/l2/initramfs.cpio"
mkcpio "$L1ROOT" "$OUT/l1.cpio"

# --- QEMU for L1 (bench) ---
if [ "$WITH_QEMU" = 1 ]; then
	R=$OUT/qemu-root
	rm -rf "$R"
	Q=$(command -v qemu-system-x86_64)
	mkdir -p "$R/usr/bin" "$R/usr/share/qemu"
	cp "$Q" "$R/usr/bin/"
	put_libs "$R" "$Q"
	# Firmware for -M microvm and -M pc with -kernel, where Debian's QEMU looks
	# for it (its firmware path), links dereferenced.
	for f in /usr/share/qemu/{qboot.rom,bios-microvm.bin,linuxboot.bin,linuxboot_dma.bin,pvh.bin} \
		/usr/share/qemu/{kvmvapic.bin,multiboot_dma.bin} /usr/share/seabios/{bios-256k.bin,bios.bin}; do
		[ -e "$f" ] || continue
		mkdir -p "$R$(dirname "$f")"
		cp -L "$f" "$R$f"
	done
	mkcpio "$R" "$OUT/qemu.cpio"
	cat "$OUT/l1.cpio" "$OUT/qemu.cpio" >"$OUT/l1-qemu.cpio"
fi

# --- The host's KVM suites for L1 (host-tiers) ---
# The tools are the host's own (coreutils' od and timeout, GNU grep and sed
# ...), not busybox's: the suites are the ones the host runs, unchanged.
HOST_TOOLS="bash timeout od base64 stat mktemp head tail tr cut sort uniq wc dd cmp gzip sed grep
	seq truncate find id cat cp rm mkdir ln chmod printf sleep kill date basename dirname env
	md5sum tee touch ls setpriv unshare mount script stty"
if [ "$WITH_HOST" = 1 ]; then
	R=$OUT/host-root
	rm -rf "$R"
	mkdir -p "$R/host/bin" "$R/host/build/tests" "$R/host/build/asan" "$R/host/tests"
	bins=()
	for t in $HOST_TOOLS; do
		p=$(command -v "$t" 2>/dev/null) && [ -x "$p" ] || continue
		cp -L "$p" "$R/host/bin/$t" && bins+=("$p")
	done
	for d in lib.sh cli demo guest seccomp sanitize unit; do
		cp -r "$TOP/tests/$d" "$R/host/tests/"
	done
	rm -f "$R"/host/tests/unit/*.c "$R"/host/tests/unit/*.h
	for f in "$BUILD"/vmm "$BUILD"/asan/vmm; do
		[ -x "$f" ] && cp "$f" "$R/host/build/${f#"$BUILD"/}" && bins+=("$f")
	done
	[ -d "$BUILD/guest-tests" ] && mkdir -p "$R/host/build/guest-tests" &&
		cp "$BUILD"/guest-tests/*.elf "$BUILD"/guest-tests/*.elf64 "$R/host/build/guest-tests/"
	cp "$BUILD"/tests/*.elf "$R/host/build/tests/" 2>/dev/null || true
	[ -x "$BUILD/tests/vmm-seccomp-hook" ] && cp "$BUILD/tests/vmm-seccomp-hook" "$R/host/build/tests/" &&
		bins+=("$BUILD/tests/vmm-seccomp-hook")
	put_libs "$R" "${bins[@]}"
	# The suites' "#!/usr/bin/env bash", which L1's busybox does not have.
	mkdir -p "$R/usr/bin" && ln -sf /host/bin/env "$R/usr/bin/env"
	mkcpio "$R" "$OUT/host.cpio"
	cat "$OUT/l1-qemu.cpio" "$OUT/host.cpio" >"$OUT/l1-host.cpio"
fi
ls -la "$OUT"/*.cpio >&2
