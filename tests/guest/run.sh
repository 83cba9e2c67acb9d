#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boot every guest test (build/guest-tests/*.elf) under build/vmm and under
# QEMU (microvm, the reference) on the host KVM. One result per case and
# backend: guest/vmm/NAME, guest/qemu/NAME.
#
#   tests/guest/run.sh [NAME...]     run only these cases
#   BACKENDS="vmm qemu"              backends to run (default both)
#   GUEST_TIMEOUT=60                 seconds per boot
#   GUEST_KEEP=DIR                   keep the serial logs in DIR
#
# The PCI and virtio cases (pci, pci_msix, virtio_rng, virtio_blk, hostile,
# and viommu* with a virtio-iommu in front) give both backends a virtio-blk
# and a virtio-rng. Their QEMU reference is
# q35 with qboot, not microvm: microvm has no MCFG table and no 0xcf8
# mechanism. qboot leaves the BARs unassigned (the guest places them in the
# host bridge's _CRS window, as an OS would) and bus mastering off.
#
# Expected values are generated per run (random memory sizes, CPU counts,
# module contents, exit codes) and passed on the guest's command line; the
# guest checks them, so every check can fail.
set -u
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"

GT=$BUILD/guest-tests
QEMU=${QEMU:-qemu-system-x86_64}
TIMEOUT=${GUEST_TIMEOUT:-60}
BACKENDS=${BACKENDS:-vmm qemu}
WORK=$(mktemp -d /tmp/guest-tests.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# QEMU's microvm with ACPI, one IOAPIC, the ISA serial port and
# isa-debug-exit: the same devices build/vmm shows. -cpu host fails on this
# project's test hosts (MSR 0x10a); docs/testing.md describes their KVM.
# shellcheck disable=SC2054 # the commas belong to -M's value
QEMU_ARGS=(-M microvm,acpi=on,ioapic2=off,isa-serial=on -accel kvm
	-cpu max,-arch-capabilities -nodefaults -nographic
	-device isa-debug-exit,iobase=0xf4,iosize=4 -serial stdio)

# The reference for the PCI and virtio cases (see the top).
# shellcheck disable=SC2054
QEMU_PCI_ARGS=(-M q35 -bios qboot.rom -accel kvm -cpu max,-arch-capabilities -nodefaults
	-nographic -device isa-debug-exit,iobase=0xf4,iosize=4 -serial stdio)

# Per-case additions, reset by case_reset: extra arguments per backend,
# another QEMU machine, extra command-line words per backend, and a function
# run after a passing boot (CASE_CHECK BACKEND; prints why it fails).
case_reset() {
	CASE_VMM=() CASE_QEMU=() CASE_QEMU_BASE=() CASE_VMM_CMDLINE="" CASE_QEMU_CMDLINE=""
	CASE_CHECK=""
}
case_reset

# CRC-32 (the gzip trailer holds it little-endian; od prints host order,
# which is little-endian on x86).
crc32_file() { gzip -c <"$1" | tail -c8 | od -An -tx4 -N4 | tr -d ' \n'; }
crc32_str() { printf %s "$1" | gzip -c | tail -c8 | od -An -tx4 -N4 | tr -d ' \n'; }
rand() { echo $(($1 + RANDOM % ($2 - $1 + 1))); }
# A random token of n characters from [A-Za-z0-9].
rand_token() { head -c $(($1 * 2)) /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9' | head -c "$1"; }

want_case() {
	[ $# -gt 1 ] || return 0
	local name=$1 c
	shift
	for c in "$@"; do [ "$c" = "$name" ] && return 0; done
	return 1
}

# has_backend B: B (vmm or qemu) is one of $BACKENDS (a case that runs
# under one backend only).
has_backend() { case " $BACKENDS " in *" $1 "*) return 0 ;; esac; return 1; }

# Print the tail of a failed run's output, indented as TAP diagnostics.
show_tail() {
	echo "#   --- last lines of $1 ---"
	tail -n 25 "$1" | sed 's/^/#   /'
	if [ -s "$1.err" ]; then
		echo "#   --- stderr ---"
		tail -n 10 "$1.err" | sed 's/^/#   /'
	fi
}

# run_case BACKEND NAME ELF CPUS MEM CMDLINE INITRD EXPECT [PATTERN [NOREBOOT]]
#   EXPECT   the exit status wanted. 1 means a TAP guest that passed: the
#            summary line must also say "0 failed".
#   PATTERN  an extended regex the serial output must contain (optional).
#   NOREBOOT "no" to let QEMU reboot on reset (default: -no-reboot).
run_case() {
	local backend=$1 name=$2 elf=$3 cpus=$4 mem=$5 cmdline=$6 initrd=$7 expect=$8
	local pattern=${9:-} noreboot=${10:-yes}
	local log=$WORK/$backend-$name.log result=guest/$backend/$name status why=""
	local -a cmd

	case $backend in
	vmm)
		cmdline+=${CASE_VMM_CMDLINE:+ $CASE_VMM_CMDLINE}
		cmd=("$VMM" --kernel "$elf" --cpus "$cpus" --memory "$mem" --cmdline "$cmdline")
		[ -n "$initrd" ] && cmd+=(--initramfs "$initrd")
		cmd+=("${CASE_VMM[@]}")
		;;
	qemu)
		local -a base=("${QEMU_ARGS[@]}")
		[ ${#CASE_QEMU_BASE[@]} -gt 0 ] && base=("${CASE_QEMU_BASE[@]}")
		cmdline+=${CASE_QEMU_CMDLINE:+ $CASE_QEMU_CMDLINE}
		cmd=("$QEMU" "${base[@]}" -m "$mem" -smp "$cpus" -kernel "$elf" -append "$cmdline")
		[ "$noreboot" = yes ] && cmd+=(-no-reboot)
		[ -n "$initrd" ] && cmd+=(-initrd "$initrd")
		cmd+=("${CASE_QEMU[@]}")
		;;
	esac
	local start=$SECONDS
	timeout -k 5 "$TIMEOUT" "${cmd[@]}" </dev/null >"$log" 2>"$log.err"
	status=$?
	# 124: timeout's own status; 137: killed after the grace period (but
	# also what a guest writing 68 to port 0xf4 gets, hence the clock).
	if [ "$status" = 124 ] || { [ "$status" = 137 ] && [ $((SECONDS - start)) -ge "$TIMEOUT" ]; }; then
		why="timed out after ${TIMEOUT}s"
	elif [ "$status" != "$expect" ]; then
		why="exit status $status, want $expect"
	elif [ "$expect" = 1 ] && ! grep -Eq '^# SUMMARY: [0-9]+ tests, 0 failed' "$log"; then
		why="no passing TAP summary"
	elif [ "$expect" = 1 ] && grep -q '^not ok' "$log"; then
		why="a 'not ok' line"
	elif [ -n "$pattern" ] && ! grep -Eq -- "$pattern" "$log"; then
		why="output lacks /$pattern/"
	elif [ -n "$CASE_CHECK" ]; then
		why=$("$CASE_CHECK" "$backend")
	fi
	if [ -z "$why" ]; then
		t_pass "$result"
	else
		t_fail "$result" "($why)"
		echo "#   command: ${cmd[*]}"
		show_tail "$log"
	fi
	if [ -n "${GUEST_KEEP:-}" ]; then
		mkdir -p "$GUEST_KEEP" && cp "$log" "$GUEST_KEEP/"
	fi
}

# for_backends NAME QEMU_SKIP_REASON ARGS...: run_case on each backend
# (ARGS as for run_case without BACKEND and NAME), or skip it.
for_backends() {
	local name=$1 qemu_skip=$2 b
	shift 2
	for b in $BACKENDS; do
		if [ -n "${skip_all:-}" ]; then
			t_skip "guest/$b/$name" "$skip_all"
		elif [ "$b" = vmm ] && [ -n "$skip_vmm" ]; then
			t_skip "guest/vmm/$name" "$skip_vmm"
		elif [ "$b" = qemu ] && [ -n "$skip_qemu" ]; then
			t_skip "guest/qemu/$name" "$skip_qemu"
		elif [ "$b" = qemu ] && [ -n "$qemu_skip" ]; then
			t_skip "guest/qemu/$name" "$qemu_skip"
		else
			run_case "$b" "$name" "$@"
		fi
	done
}

skip_all="" skip_vmm="" skip_qemu=""
have_kvm || skip_all="no usable /dev/kvm"
[ -x "$VMM" ] || skip_vmm="$VMM not built"
command -v "$QEMU" >/dev/null 2>&1 || skip_qemu="$QEMU not installed"
if [ -z "$skip_all" ] && [ ! -f "$GT/demo.elf" ]; then
	t_fail "guest/build" "(no $GT/*.elf: run make guest-tests)"
	exit 1
fi

# ---- boot: PVH ELF32 with a module, PVH ELF64 without, Multiboot ---------
boot_cmdline() { # ELF MEM MODFILE-or-empty MULTIBOOT(yes/no)
	local body
	body="fixed=gt-boot-7 mem=$2 pad=$(rand_token "$(rand 100 1500)")"
	[ -n "$3" ] && body+=" modlen=$(stat -c %s "$3") modsum=$(crc32_file "$3")"
	[ "$4" = yes ] && body+=" kpath=$1"
	echo "$body cmdsum=$(crc32_str "$body")"
}

if want_case boot "$@"; then
	mod=$WORK/module.bin
	head -c "$(rand 1 200000)" /dev/urandom >"$mod"
	mem=$(rand 96 320)M
	for_backends boot "" "$GT/boot.elf" 1 "$mem" "$(boot_cmdline "$GT/boot.elf" "$mem" "$mod" no)" \
		"$mod" 1
fi
if want_case boot64 "$@"; then
	mem=$(rand 64 256)M
	for_backends boot64 "" "$GT/boot.elf64" 1 "$mem" \
		"$(boot_cmdline "$GT/boot.elf64" "$mem" "" no)" "" 1
fi
if want_case boot-highmem "$@"; then
	# More RAM than fits below the 3-4 GiB hole: the rest lies above 4 GiB,
	# and the memmap must still add up to --memory.
	mem=$(rand 4200 5200)M
	for_backends boot-highmem "" "$GT/boot.elf64" 1 "$mem" \
		"$(boot_cmdline "$GT/boot.elf64" "$mem" "" no)" "" 1
fi
if want_case boot-mb "$@"; then
	mod=$WORK/module-mb.bin
	head -c "$(rand 1 200000)" /dev/urandom >"$mod"
	mem=$(rand 96 320)M
	for_backends boot-mb "" "$GT/boot-mb.elf" 1 "$mem" \
		"$(boot_cmdline "$GT/boot-mb.elf" "$mem" "$mod" yes)" "$mod" 1
fi

# ---- platform -------------------------------------------------------------
if want_case acpi "$@"; then
	n=$(rand 1 4)
	for_backends acpi "" "$GT/acpi.elf" "$n" 128M "cpus=$n" "" 1
fi
if want_case cpuid "$@"; then
	n=$(rand 1 4)
	for_backends cpuid "" "$GT/cpuid.elf" "$n" 128M "cpus=$n" "" 1
fi
if want_case uart "$@"; then
	for_backends uart "" "$GT/uart.elf" 1 128M "" "" 1
fi
if want_case smp "$@"; then
	n=$(rand 2 4)
	for_backends smp "" "$GT/smp.elf" "$n" 128M "cpus=$n" "" 1
fi
if want_case timer "$@"; then
	for_backends timer "" "$GT/timer.elf" 1 128M "" "" 1
fi

# ---- ways out -------------------------------------------------------------
if want_case exit-byte "$@"; then
	code=$(rand 2 126)
	for_backends exit-byte "" "$GT/exit.elf" 1 64M "mode=byte code=$code" "" \
		$(((code << 1) | 1)) "leaving through byte"
fi
if want_case exit-dword "$@"; then
	code=$(rand 2 126)
	for_backends exit-dword "" "$GT/exit.elf" 1 64M "mode=dword code=$code" "" \
		$((((code << 1) | 1) & 255)) "leaving through dword"
fi
if want_case exit-poweroff "$@"; then
	for_backends exit-poweroff "" "$GT/exit.elf" 1 64M "mode=poweroff" "" 0 \
		"leaving through poweroff"
fi
# build/vmm must exit with 8 (reset) and 10 (crash). QEMU -no-reboot exits
# with 0 for both, like a power-off; so QEMU runs without -no-reboot, and
# the guest, finding its marker after the reboot, exits with 0x52 (165).
for mode in reset triple; do
	want_case "exit-$mode" "$@" || continue
	nonce=$(rand 1 30000)$(rand 1 30000)
	want=8
	[ $mode = triple ] && want=10
	for b in $BACKENDS; do
		if [ "$b" = vmm ]; then
			BACKENDS=vmm for_backends "exit-$mode" "" "$GT/exit.elf" 1 64M \
				"mode=$mode nonce=$nonce" "" $want "leaving through $mode"
		else
			BACKENDS=qemu for_backends "exit-$mode" "" "$GT/exit.elf" 1 64M \
				"mode=$mode nonce=$nonce" "" 165 "rebooted after $mode" no
		fi
	done
done

# ---- PCI and virtio ----------------------------------------------------------
# pci_devices BACKEND BLK-IMAGE SERIAL: a virtio-blk on the image and a
# virtio-rng, in CASE_VMM / CASE_QEMU (QEMU: modern-only devices on q35).
pci_devices() {
	case $1 in
	vmm) CASE_VMM+=(--disk "path=$2,serial=$3" --rng) ;;
	qemu)
		CASE_QEMU_BASE=("${QEMU_PCI_ARGS[@]}")
		# shellcheck disable=SC2054 # the commas belong to -drive/-device
		CASE_QEMU+=(-drive "file=$2,if=none,id=d0,format=raw"
			-device "virtio-blk-pci,drive=d0,disable-legacy=on,serial=$3"
			-device virtio-rng-pci,disable-legacy=on)
		;;
	esac
}

# pci_case NAME ELF CMDLINE [VMM-CMDLINE [QEMU-CMDLINE]]: boot NAME on each
# backend with a fresh scratch disk and the rng.
pci_case() {
	local name=$1 elf=$2 cmdline=$3 b img
	for b in $BACKENDS; do
		case_reset
		img=$WORK/$b-$name.img
		head -c $((2048 * 512)) /dev/urandom >"$img"
		pci_devices "$b" "$img" "gt-$name"
		CASE_VMM_CMDLINE=${4:-} CASE_QEMU_CMDLINE=${5:-}
		BACKENDS=$b for_backends "$name" "" "$elf" 1 128M "$cmdline" "" 1
	done
	case_reset
}

if want_case pci "$@"; then
	# build/vmm assigns BARs itself (memory decoding on, bus mastering off)
	# and sets INTERRUPT_LINE to the IOAPIC pin of INTx (< 24).
	pci_case pci "$GT/pci.elf" "" "bars_assigned max_irq_line=23"
fi
if want_case pci_msix "$@"; then
	pci_case pci_msix "$GT/pci_msix.elf" "vector=$(printf '%#x' "$(rand 64 230)")"
fi
if want_case virtio_rng "$@"; then
	pci_case virtio_rng "$GT/virtio_rng.elf" ""
fi
# hostile: what QEMU 7.2 is known to get wrong, each explained in
# guest-tests/hostile.c (DMA reads of MMIO return data; queue_size 100
# accepted; virtio-blk consumes buffers before DRIVER_OK). build/vmm gets
# no such list.
if want_case hostile "$@"; then
	pci_case hostile "$GT/hostile.elf" "" "" \
		"backend=QEMU known=mmio_lapic,mmio_hole,qsize,early_blk"
fi

# virtio_blk: a random image whose first sectors' CRC the guest checks, a
# random pattern (module 0) the guest writes at a random sector and the
# runner finds in the image afterwards, a serial for GET_ID, and a second,
# read-only disk that must come out unchanged.
# shellcheck disable=SC2317 # called through CASE_CHECK
blk_check() {
	local img=$WORK/$1-blk.img
	if ! dd if="$img" bs=512 skip="$blk_wsector" count="$blk_count" 2>/dev/null |
		cmp -s - "$WORK/blk-pattern.bin"; then
		echo "the pattern is not at sector $blk_wsector of the image"
	elif ! cmp -s "$WORK/$1-ro.img" "$WORK/ro-orig.img"; then
		echo "the read-only image changed"
	fi
}
if want_case virtio_blk "$@"; then
	blk_sectors=$(rand 2048 8192)
	blk_count=$(rand 1 96)
	blk_wsector=$(rand 64 $((blk_sectors - blk_count)))
	rd=$(rand 1 64)
	serial=$(rand_token "$(rand 4 20)")
	head -c $((blk_count * 512)) /dev/urandom >"$WORK/blk-pattern.bin"
	head -c $((128 * 512)) /dev/urandom >"$WORK/ro-orig.img"
	for b in $BACKENDS; do
		case_reset
		img=$WORK/$b-blk.img ro=$WORK/$b-ro.img
		head -c $((blk_sectors * 512)) /dev/urandom >"$img"
		cp "$WORK/ro-orig.img" "$ro"
		head -c $((rd * 512)) "$img" >"$WORK/rd.bin"
		cmdline="sectors=$blk_sectors rdsectors=$rd rdsum=0x$(crc32_file "$WORK/rd.bin")"
		cmdline+=" wsector=$blk_wsector serial=$serial ro_disk"
		case $b in
		vmm) CASE_VMM=(--disk "path=$img,serial=$serial" --disk "path=$ro,readonly=on") ;;
		qemu)
			CASE_QEMU_BASE=("${QEMU_PCI_ARGS[@]}")
			# shellcheck disable=SC2054 # the commas belong to -drive/-device
			CASE_QEMU=(-drive "file=$img,if=none,id=d0,format=raw"
				-device "virtio-blk-pci,drive=d0,disable-legacy=on,serial=$serial"
				-drive "file=$ro,if=none,id=d1,format=raw,readonly=on"
				-device virtio-blk-pci,drive=d1,disable-legacy=on)
			;;
		esac
		CASE_CHECK=blk_check
		BACKENDS=$b for_backends virtio_blk "" "$GT/virtio_blk.elf" 1 128M "$cmdline" \
			"$WORK/blk-pattern.bin" 1
	done
	case_reset
fi

# ---- edu -------------------------------------------------------------------------
# edu: the device compatible with QEMU's edu (guest-tests/edu.c): build/vmm
# --edu; QEMU q35/qboot with -device edu. The seed of the random values and
# the MSI vector are the same for both. QEMU 7.2's departure (known=
# dma_range_abort: hw_error ends the VM on a DMA range its buffer does not
# hold) is explained in guest-tests/edu.c; its range checks are skipped there.
if want_case edu "$@"; then
	edu_args="seed=$(rand 1 30000)$(rand 1 30000) vector=$(printf '%#x' "$(rand 64 223)")"
	for b in $BACKENDS; do
		case_reset
		case $b in
		vmm) CASE_VMM=(--edu) CASE_VMM_CMDLINE="backend=build/vmm" ;;
		qemu)
			CASE_QEMU_BASE=("${QEMU_PCI_ARGS[@]}")
			CASE_QEMU=(-device edu)
			CASE_QEMU_CMDLINE="backend=QEMU known=dma_range_abort"
			;;
		esac
		BACKENDS=$b for_backends edu "" "$GT/edu.elf" 1 128M "$edu_args" "" 1
	done
	case_reset
fi
# edu_viommu: build/vmm's edu behind its virtio-iommu (--iommu virtio --edu),
# driven by guest-tests/vfio_edu.c, the test written for QEMU's edu passed
# through (VIOT, PROBE, DMA through mappings, MSI, DMA after UNMAP blocked).
# QEMU's side is the vfio_edu case below (its edu behind its virtio-iommu).
if want_case edu_viommu "$@" && has_backend vmm; then
	case_reset
	CASE_VMM=(--iommu virtio --edu)
	CASE_VMM_CMDLINE="backend=build/vmm"
	BACKENDS=vmm for_backends edu_viommu "" "$GT/vfio_edu.elf" 1 128M \
		"hostresv=0xfee00000-0xfeefffff:msi vector=$(printf '%#x' "$(rand 64 223)")" "" 1
	case_reset
fi

# ---- VT-d --------------------------------------------------------------------
# vtd_dma, vtd_fault, vtd_ir, vtd_stale, vtd_bench (its map+unmap loop as
# bench/vtd.sh runs it, checked for completions and no fault)
# (guest-tests/vtd_*.c): the emulated
# Intel VT-d with the edu and a virtio-blk behind it. build/vmm: --iommu
# intel --edu --disk. QEMU: q35/qboot with kernel-irqchip=split (intremap
# needs it), -device intel-iommu,intremap=on first (a PCI device created
# before it is not behind it), -device edu and a virtio-blk with
# iommu_platform=on. Each of vtd_dma, vtd_fault and vtd_ir runs twice per
# backend on the same binary: NAME-cm0 (caching-mode=off, aw-bits=39) and
# NAME-cm1 (caching-mode=on, aw-bits=48); the guest gets cm= and aw= and
# checks CAP.CM and MGAW against them. vtd_ir runs on 2 vCPUs; its cm1 boot
# uses x2APIC with EIM (eim=1), its cm0 boot xAPIC (eim=off). Its cm0 boot
# checks the IOAPIC's source-id as the spec does (ioapicsid=check, build/vmm's
# default), its cm1 boot skips that check (ioapicsid=ignore; build/vmm with
# ioapic-sid=ignore, QEMU as it always does). QEMU 7.2's
# departures (known=) are explained in guest-tests/vtd_fault.c and
# guest-tests/vtd_ir.c. build/vmm gets no known= list.
vtd_qemu_known_fault="ro_write_cached"
vtd_qemu_known_ir="irte_np_record,index_beyond_record,sid_mismatch_record,compat,compat_record"
vtd_qemu_known_ir_sid="ioapic_sid,ioapic_sid_record" # with ioapicsid=check only

# vtd_devices BACKEND IMAGE IOMMU-OPTS QEMU-IOMMU-OPTS
vtd_devices() {
	case $1 in
	vmm) CASE_VMM+=(--iommu "intel,$3" --edu --disk "path=$2,serial=gt-vtd") ;;
	qemu)
		CASE_QEMU_BASE=("${QEMU_PCI_ARGS[@]/#q35/q35,kernel-irqchip=split}")
		# shellcheck disable=SC2054 # the commas belong to -drive/-device
		CASE_QEMU+=(-device "intel-iommu,intremap=on,$4" -device edu
			-drive "file=$2,if=none,id=d0,format=raw"
			-device "virtio-blk-pci,drive=d0,disable-legacy=on,iommu_platform=on,serial=gt-vtd")
		;;
	esac
}

# vtd_case NAME CM(0|1) CPUS QEMU-KNOWN: boot NAME-cmCM.
vtd_case() {
	local name=$1 cm=$2 cpus=$3 known=$4 b img aw=39 mode=off eim=0 opts sid=check extra=""
	[ "$cm" = 1 ] && aw=48 mode=on
	[ "$name" = vtd_ir ] && [ "$cm" = 1 ] && eim=1 sid=ignore
	[ "$name" = vtd_ir ] && extra=" ioapicsid=$sid"
	[ "$name" = vtd_ir ] && [ "$sid" = check ] && known="$known,$vtd_qemu_known_ir_sid"
	opts="caching-mode=$mode,aw-bits=$aw"
	for b in $BACKENDS; do
		case_reset
		img=$WORK/$b-$name-cm$cm.img
		head -c $((2048 * 512)) /dev/urandom >"$img"
		if [ "$name" = vtd_ir ]; then
			local e=off
			[ "$eim" = 1 ] && e=on
			vtd_devices "$b" "$img" "$opts,eim=$e,ioapic-sid=$sid" "caching-mode=$mode,aw-bits=$aw,eim=$e"
		else
			vtd_devices "$b" "$img" "$opts" "caching-mode=$mode,aw-bits=$aw"
		fi
		CASE_VMM_CMDLINE="backend=build/vmm"
		CASE_QEMU_CMDLINE="backend=QEMU${known:+ known=$known}"
		BACKENDS=$b for_backends "$name-cm$cm" "" "$GT/$name.elf" "$cpus" 128M \
			"cm=$cm aw=$aw eim=$eim seed=$(rand 1 30000)$(rand 1 30000) vector=$(printf '%#x' "$(rand 64 200)")$extra" \
			"" 1
	done
	case_reset
}

for cm in 0 1; do
	want_case vtd_dma "$@" && vtd_case vtd_dma "$cm" 1 ""
	want_case vtd_fault "$@" && vtd_case vtd_fault "$cm" 1 "$vtd_qemu_known_fault"
	want_case vtd_bench "$@" && vtd_case vtd_bench "$cm" 1 ""
	want_case vtd_ir "$@" && vtd_case vtd_ir "$cm" 2 "$vtd_qemu_known_ir"
done

# vtd_optout: vtd_dma with edu_out=1 under build/vmm --edu=iommu=off: the
# DMAR lists endpoint scopes without the edu, whose DMA stays untranslated
# with translation on. QEMU's intel-iommu has no per-device opt-out on q35.
if want_case vtd_optout "$@" && has_backend vmm; then
	case_reset
	head -c $((2048 * 512)) /dev/urandom >"$WORK/vmm-vtd_optout.img"
	CASE_VMM+=(--iommu intel --edu=iommu=off --disk "path=$WORK/vmm-vtd_optout.img")
	BACKENDS=vmm for_backends vtd_optout "" "$GT/vtd_dma.elf" 1 128M \
		"edu_out=1 seed=$(rand 1 30000)$(rand 1 30000)" "" 1
	case_reset
fi

# vtd_stale: a driver that forgets an IOTLB invalidation (guest-tests/
# vtd_stale.c). build/vmm runs with check-invalidation=on and --iommu-log;
# the log must hold exactly one missed_inval line, naming the edu's
# source-id, the domain, the IOVA and both pages, as the guest printed them
# (its STALE line). QEMU has no such checker: its boot checks the guest side.
# shellcheck disable=SC2317 # called through CASE_CHECK
stale_check() {
	[ "$1" = vmm ] || return 0
	local line sid dom iova cached table n want
	line=$(grep -m1 '^STALE ' "$WORK/vmm-vtd_stale.log") || {
		echo "no STALE line on the serial console"
		return
	}
	sid=$(sed -n 's/.* sid=\([^ ]*\).*/\1/p' <<<"$line")
	dom=$(sed -n 's/.* domain=\([0-9]*\).*/\1/p' <<<"$line")
	iova=$(sed -n 's/.* iova=\(0x[0-9a-f]*\).*/\1/p' <<<"$line")
	cached=$(sed -n 's/.* cached=\(0x[0-9a-f]*\).*/\1/p' <<<"$line")
	table=$(sed -n 's/.* table=\(0x[0-9a-f]*\).*/\1/p' <<<"$line")
	n=$(grep -c '"event":"missed_inval"' "$WORK/vtd_stale.jsonl")
	want="^\{\"ts\":[0-9]+\.[0-9]{6},\"iommu\":\"intel\",\"event\":\"missed_inval\",\"sid\":\"$sid\","
	want+="\"domain\":$dom,\"iova\":\"$iova\",\"result\":\"[^\"]*\","
	want+="\"cached\":\{\"gpa\":\"$cached\",\"perm\":\"rw\",\"size\":\"0x1000\"\},"
	want+="\"table\":\{\"gpa\":\"$table\",\"perm\":\"rw\",\"size\":\"0x1000\"\}\}$"
	if [ "$n" != 1 ]; then
		echo "$n missed_inval lines in the --iommu-log, want 1"
	elif ! grep -Eq "$want" "$WORK/vtd_stale.jsonl"; then
		echo "the missed_inval line does not name sid $sid domain $dom iova $iova" \
			"cached $cached table $table: $(grep missed_inval "$WORK/vtd_stale.jsonl")"
	fi
}
if want_case vtd_stale "$@"; then
	for b in $BACKENDS; do
		case_reset
		img=$WORK/$b-vtd_stale.img
		head -c $((2048 * 512)) /dev/urandom >"$img"
		vtd_devices "$b" "$img" "caching-mode=off,aw-bits=39,check-invalidation=on" \
			"caching-mode=off,aw-bits=39"
		CASE_VMM+=(--iommu-log "$WORK/vtd_stale.jsonl")
		CASE_CHECK=stale_check
		BACKENDS=$b for_backends vtd_stale "" "$GT/vtd_stale.elf" 1 128M \
			"cm=0 aw=39 seed=$(rand 1 30000)$(rand 1 30000)" "" 1
	done
	case_reset
fi

# ---- virtio-iommu ------------------------------------------------------------
# viommu (requests, config, VIOT, PROBE), viommu_dma (a virtio-blk's DMA
# through mappings, faults, bypass), viommu_bench (MAP+UNMAP round trips; a
# short run here, bench scripts run it longer): a virtio-iommu with a
# virtio-blk on a scratch disk and a virtio-rng behind it. build/vmm:
# --iommu virtio (every other bus 0 device behind it, per the VIOT). QEMU:
# q35/qboot with virtio-iommu-pci first (a device realized before it is not
# behind it) and the virtio devices with iommu_platform=on (without it they
# bypass the IOMMU). QEMU 7.2's departures, named in known=, are explained
# in guest-tests/viommu.c and guest-tests/viommu_dma.c.
viommu_devices() { # BACKEND IMAGE SERIAL
	case $1 in
	vmm) CASE_VMM+=(--iommu virtio --disk "path=$2,serial=$3" --rng) ;;
	qemu)
		CASE_QEMU_BASE=("${QEMU_PCI_ARGS[@]}")
		# shellcheck disable=SC2054 # the commas belong to -drive/-device
		CASE_QEMU+=(-device virtio-iommu-pci
			-drive "file=$2,if=none,id=d0,format=raw"
			-device "virtio-blk-pci,drive=d0,disable-legacy=on,iommu_platform=on,serial=$3"
			-device virtio-rng-pci,disable-legacy=on,iommu_platform=on)
		;;
	esac
}

# viommu_case NAME CMDLINE QEMU-KNOWN [PATTERN]
viommu_case() {
	local name=$1 b img
	for b in $BACKENDS; do
		case_reset
		img=$WORK/$b-$name.img
		head -c $((2048 * 512)) /dev/urandom >"$img"
		viommu_devices "$b" "$img" "gt-$name"
		CASE_VMM_CMDLINE="backend=build/vmm"
		CASE_QEMU_CMDLINE="backend=QEMU${3:+ known=$3}"
		BACKENDS=$b for_backends "$name" "" "$GT/$name.elf" 1 128M "$2" "" 1 "${4:-}"
	done
	case_reset
}

if want_case viommu "$@"; then
	viommu_case viommu "" "attach_reserved,map_align,map_resv,unknown_type,unmap_split"
fi
if want_case viommu_dma "$@"; then
	viommu_case viommu_dma "" "blk_fault_ok,fault_reason_unattached"
fi
if want_case viommu_bench "$@"; then
	viommu_case viommu_bench "reqs=128 batch=32 runs=1" "" \
		'^BENCHDATA viommu_map_unmap_batched reqs=128 cycles=[0-9]+'
fi

# viommu_log: viommu_dma under build/vmm with --iommu-log (docs/iommu-log.md):
# the file must hold the driver's maps and unmaps and the faults the guest
# provokes (MAPPING, reason 2: the blk's DMA after UNMAP and into a
# read-only mapping; DOMAIN, reason 1: an unattached endpoint with
# bypass=0), and every line must be JSON.
# shellcheck disable=SC2317 # called through CASE_CHECK
viommu_log_check() {
	local f=$WORK/vmm-viommu_log.jsonl h='^\{"ts":[0-9]+\.[0-9]{6},"iommu":"virtio"' x='"0x[0-9a-f]+"'
	if ! grep -Eq "$h,\"event\":\"map\",\"sid\":null,\"domain\":[0-9]+,\"iova\":$x,\"result\":\"ok\",\"size\":$x,\"gpa\":$x,\"perm\":\"(r|w|rw)\"\}\$" "$f"; then
		echo "no map line in the log"
	elif ! grep -Eq "$h,\"event\":\"unmap\",\"sid\":null,\"domain\":[0-9]+,\"iova\":$x,\"result\":\"ok\",\"size\":$x\}\$" "$f"; then
		echo "no unmap line in the log"
	elif ! grep -Eq "$h,\"event\":\"fault\",\"sid\":\"00:[0-1][0-9a-f]\.0\",\"domain\":[0-9]+,\"iova\":$x,\"result\":\"0x02 mapping \(write\)\",\"access\":\"write\",\"reason\":2\}\$" "$f"; then
		echo "no MAPPING fault line in the log"
	elif ! grep -Eq "$h,\"event\":\"fault\",\"sid\":\"00:[0-1][0-9a-f]\.0\",\"domain\":null,\"iova\":$x,\"result\":\"0x01 domain \((read|write)\)\",\"access\":\"(read|write)\",\"reason\":1\}\$" "$f"; then
		echo "no DOMAIN fault line in the log"
	elif grep -Ev "$h,\"event\":\"(map|unmap|fault)\",\"sid\":" "$f" | grep -q .; then
		echo "a line of another form: $(grep -Ev "$h,\"event\":\"(map|unmap|fault)\"" "$f" | head -1)"
	elif command -v python3 >/dev/null &&
		! python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$f" 2>/dev/null; then
		echo "a line is not JSON"
	fi
}
if want_case viommu_log "$@" && has_backend vmm; then
	case_reset
	head -c $((2048 * 512)) /dev/urandom >"$WORK/vmm-viommu_log.img"
	viommu_devices vmm "$WORK/vmm-viommu_log.img" gt-viommu_dma
	CASE_VMM+=(--iommu-log "$WORK/vmm-viommu_log.jsonl")
	CASE_VMM_CMDLINE="backend=build/vmm" CASE_CHECK=viommu_log_check
	BACKENDS=vmm for_backends viommu_log "" "$GT/viommu_dma.elf" 1 128M "" "" 1
	case_reset
fi

# ---- a passed-through device --------------------------------------------------
# vfio_edu is written for QEMU's edu passed through from L0 (the nested
# scenarios vfio-edu and qemu-vfio-edu). Here QEMU's own emulated edu, behind
# its virtio-iommu, checks the test itself; build/vmm has no edu to give it
# (no result). known=: QEMU 7.2's departure, explained in guest-tests/vfio_edu.c.
if want_case vfio_edu "$@" && has_backend qemu; then
	case_reset
	CASE_QEMU_BASE=("${QEMU_PCI_ARGS[@]}")
	CASE_QEMU=(-device virtio-iommu-pci -device edu)
	CASE_QEMU_CMDLINE="backend=QEMU known=map_resv"
	BACKENDS=qemu for_backends vfio_edu "" "$GT/vfio_edu.elf" 1 128M \
		"hostresv=0xfee00000-0xfeefffff:msi vector=$(printf '%#x' "$(rand 64 223)")" "" 1
	case_reset
fi

# ---- demo (what `make run` boots) -------------------------------------------
if want_case demo "$@"; then
	for_backends demo "" "$GT/demo.elf" 2 256M "hello from make run" "" 0 \
		'^cmdline: "hello from make run"$'
fi
exit 0
