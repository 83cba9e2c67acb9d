# SPDX-License-Identifier: MIT
# Helpers of the PCI passthrough scenarios (vfio-*.sh, qemu-vfio-*.sh),
# sourced by them; not a scenario itself. L0 puts emulated PCI devices
# behind its VT-d (run.sh: "# l0: nvme" for the NVMe disk, "# l0: -device
# edu" for QEMU's edu); L1 has no driver of its own for them (it loads no
# nvme module), so a scenario binds one to vfio-pci, gives it to a VMM that
# passes it to L2, then checks what L2 did with it (the NVMe checks below)
# and that L1 got the device back unused and reset (vfio_check_released).
if [ "$NAME" = vfio-lib ]; then
	result "$NAME" fail "vfio-lib holds helpers of the vfio scenarios; run those"
fi
read -r vfio_t0 _ </proc/uptime
PCI=/sys/bus/pci/devices
NVME_CLASS=0x010802 # mass storage, NVM, NVM Express
EDU_IDS="1234 11e8" # QEMU's edu, a DMA engine (masks DMA addresses to 28 bits)

# --- finding and binding, in L1 ---

# vfio_find CLASS | vfio_find VENDOR DEVICE: the address (DDDD:BB:DD.F) of the
# first PCI function of this class (e.g. 0x010802) or with these ids (as in
# sysfs, without 0x: 1234 11e8); status 1 if there is none.
vfio_find() {
	local d
	for d in "$PCI"/*; do
		if [ $# = 1 ]; then
			[ "$(cat "$d/class")" = "$1" ] || continue
		else
			[ "$(cat "$d/vendor")" = "0x$1" ] && [ "$(cat "$d/device")" = "0x$2" ] || continue
		fi
		echo "${d##*/}"
		return 0
	done
	return 1
}

# vfio_driver ADDR: the driver ADDR is bound to, or "none".
vfio_driver() {
	local l
	l=$(readlink "$PCI/$1/driver" 2>/dev/null) && echo "${l##*/}" || echo none
}

# vfio_group ADDR: ADDR's IOMMU group number, or "none".
vfio_group() {
	local l
	l=$(readlink "$PCI/$1/iommu_group" 2>/dev/null) && echo "${l##*/}" || echo none
}

# vfio_ids ADDR: "VENDOR:DEVICE class=CLASS", from sysfs.
vfio_ids() {
	echo "$(cut -c3- "$PCI/$1/vendor"):$(cut -c3- "$PCI/$1/device") class=$(cat "$PCI/$1/class")"
}

# vfio_bind ADDR: ADDR bound to vfio-pci: unbound from its driver first if
# another has it, then driver_override (this one function, not every
# function with its ids as new_id would) and a probe. Sets VFIO_GROUP (the
# IOMMU group number) and VFIO_DEV (/dev/vfio/GROUP, waited for). Every
# function in the group must be bound to vfio-pci or to nothing, or the VMM
# cannot use the group. Notes what it did. Status 1 with the reason in
# VFIO_ERR.
vfio_bind() {
	local a=$1 was i=0 f others=""
	VFIO_ERR="" VFIO_GROUP="" VFIO_DEV=""
	[ -d /sys/bus/pci/drivers/vfio-pci ] || { VFIO_ERR="no vfio-pci driver in L1 (see /etc/nested/modules)"; return 1; }
	[ -c /dev/vfio/vfio ] || { VFIO_ERR="no /dev/vfio/vfio in L1"; return 1; }
	was=$(vfio_driver "$a")
	if [ "$was" != vfio-pci ]; then
		if [ "$was" != none ] && ! echo "$a" >"$PCI/$a/driver/unbind"; then
			VFIO_ERR="cannot unbind $a from $was"
			return 1
		fi
		echo vfio-pci >"$PCI/$a/driver_override" && echo "$a" >/sys/bus/pci/drivers_probe
	fi
	[ "$(vfio_driver "$a")" = vfio-pci ] ||
		{ VFIO_ERR="$a is bound to $(vfio_driver "$a"), not vfio-pci"; return 1; }
	VFIO_GROUP=$(vfio_group "$a")
	[ "$VFIO_GROUP" != none ] || { VFIO_ERR="$a is in no IOMMU group (L1 without intel_iommu=on?)"; return 1; }
	VFIO_DEV=/dev/vfio/$VFIO_GROUP
	while [ ! -c "$VFIO_DEV" ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
	[ -c "$VFIO_DEV" ] || { VFIO_ERR="no $VFIO_DEV for $a"; return 1; }
	for f in /sys/kernel/iommu_groups/"$VFIO_GROUP"/devices/*; do
		f=${f##*/}
		[ "$f" = "$a" ] && continue
		case $(vfio_driver "$f") in
		vfio-pci | none) others="$others $f" ;;
		*) VFIO_ERR="group $VFIO_GROUP also holds $f, bound to $(vfio_driver "$f")"; return 1 ;;
		esac
	done
	note "$NAME: L1 bound $a ($(vfio_ids "$a"), was: $was) to vfio-pci: IOMMU group $VFIO_GROUP ($VFIO_DEV${others:+, with$others}), reset methods: $(cat "$PCI/$a/reset_method" 2>/dev/null || echo none)"
}

# vfio_unbind ADDR: ADDR back to no driver, its driver_override cleared.
vfio_unbind() {
	[ "$(vfio_driver "$1")" = none ] || echo "$1" >"$PCI/$1/driver/unbind"
	echo >"$PCI/$1/driver_override"
}

# vfio_group_free GROUP: "yes" when /dev/vfio/GROUP can be opened, that is,
# no process holds it (a group is opened by one file at a time); else "no".
vfio_group_free() {
	if (exec 3<>"/dev/vfio/$1") 2>/dev/null; then echo yes; else echo no; fi
}

# vfio_bus_master ADDR: "on" or "off", bit 2 of the PCI command register.
vfio_bus_master() {
	local cmd
	cmd=$(od -An -tx2 -j4 -N2 "$PCI/$1/config" | tr -d ' ')
	if [ $((0x$cmd & 4)) != 0 ]; then echo on; else echo off; fi
}

# nvme_regs ADDR: "cc=0x... csts=0x..." of the NVMe controller at ADDR, read
# from its BAR 0 with devmem (CC at 0x14, CSTS at 0x1c), or "unreadable".
nvme_regs() {
	local base cc csts
	read -r base _ <"$PCI/$1/resource"
	cc=$(devmem "$(printf 0x%x $((base + 0x14)))" 32 2>/dev/null) &&
		csts=$(devmem "$(printf 0x%x $((base + 0x1c)))" 32 2>/dev/null) &&
		[ "$csts" != 0xFFFFFFFF ] || { echo unreadable; return; }
	echo "cc=$cc csts=$csts"
}

# vfio_limits: a note of what bounds the pinning of guest memory in L1: the
# locked-memory limit and whether CAP_IPC_LOCK (bit 14) is held, which lifts it.
vfio_limits() {
	local eff
	eff=$(awk '$1 == "CapEff:" {print $2}' /proc/self/status)
	note "$NAME: L1 ulimit -l: $(ulimit -l) KiB; CAP_IPC_LOCK: $([ $((0x$eff >> 14 & 1)) = 1 ] && echo yes || echo no);" \
		"vfio_iommu_type1 dma_entry_limit: $(cat /sys/module/vfio_iommu_type1/parameters/dma_entry_limit 2>/dev/null)"
}

# vfio_check_released ADDR [nvme|edu]: after the VMM exited, L1 has ADDR back
# unused: still bound to vfio-pci, not enabled (vfio-pci disables it when
# the last user goes), its group free to open. If L2 drove the device (it
# reported the NVMe disk, or with "edu": the guest test vfio_edu), also: bus
# mastering off, and with "nvme" the controller reset (vfio-pci resets the
# function on release): CC.EN and CSTS.RDY 0 although L2's driver enabled
# it. (Before any VMM opened it, the controller is as L0's firmware left it:
# SeaBIOS probes NVMe disks and leaves them enabled and bus-mastering.) The
# edu has no reset method (no FLR, no power management, alone on the root
# bus): only bus mastering is checked. Problems go to $bad; the state is
# noted.
vfio_check_released() {
	local a=$1 g regs=""
	g=$(vfio_group "$a")
	expect released-driver "$(vfio_driver "$a")" vfio-pci
	expect released-enable-count "$(cat "$PCI/$a/enable")" 0
	expect released-group-free "$(vfio_group_free "$g")" yes
	if [ "${2:-}" != edu ] && [ -z "$(l2_value NVME-DISK)" ]; then
		note "$NAME: after the VMM: $a not checked for a reset: L2 never drove it"
		return
	fi
	expect released-bus-master "$(vfio_bus_master "$a")" off
	if [ "${2:-}" = nvme ]; then
		regs=$(nvme_regs "$a")
		case $regs in
		unreadable) bad="$bad released-nvme-registers-unreadable" ;;
		*)
			[ $(($(echo "$regs" | sed 's/.*cc=\([^ ]*\).*/\1/') & 1)) = 0 ] || bad="$bad released-nvme-cc.en=1(not-reset)"
			[ $(($(echo "$regs" | sed 's/.*csts=\([^ ]*\).*/\1/') & 1)) = 0 ] || bad="$bad released-nvme-csts.rdy=1(not-reset)"
			;;
		esac
	fi
	note "$NAME: after the VMM: $a driver=$(vfio_driver "$a") enable=$(cat "$PCI/$a/enable") bus-master=$(vfio_bus_master "$a") group-free=$(vfio_group_free "$g")${regs:+ $regs}"
}

# vfio_dmar_mark, vfio_check_dmar: L1's DMAR fault reports (a device's DMA
# that L1's IOMMU, emulated by L0, could not translate: an IOVA the VMM did
# not map) since the mark; each is noted, and any is a problem in $bad.
vfio_dmar_faults() { dmesg | grep -E 'DMAR: \[DMA|DMAR:.*fault addr' ; }
vfio_dmar_mark() { vfio_dmar_faults | wc -l >/tmp/vfio.dmar.mark; }
vfio_check_dmar() {
	local n
	n=$(vfio_dmar_faults | tail -n +$(($(cat /tmp/vfio.dmar.mark) + 1)) | tee /tmp/vfio.dmar.new | wc -l)
	expect l1-dmar-faults "$n" 0
	head -5 /tmp/vfio.dmar.new | while IFS= read -r line; do note "$NAME: L1 dmesg: $line"; done
}

# --- the NVMe disk (scenarios/vfio-nvme.prep.sh, run.sh "# l0: nvme") ---
# L2 (task nvme-check) reads the whole disk, writes the host's pattern at
# $NVME_OFFSET_MIB and reads both back. The scenarios of one L0 run share the
# disk: the first finds the host's image, the later ones the image with the
# pattern written (the same pattern each time). /tmp/nvme.state in L1 says
# which: absent or "made", "written", or "unknown" (an L2 stopped while
# writing: either is right then).

# nvme_setup: the NVMe disk found and bound to vfio-pci; sets NVME_ADDR (its
# address in L1), VFIO_GROUP, VFIO_DEV and the nvme.sums values. On failure
# the scenario fails and the status is 1.
nvme_setup() {
	if [ ! -r /data/nvme.sums ]; then
		result "$NAME" fail "no /data/nvme.sums in L1 (vfio-nvme.prep.sh makes it; see build.log)"
		return 1
	fi
	. /data/nvme.sums
	if ! NVME_ADDR=$(vfio_find "$NVME_CLASS"); then
		result "$NAME" fail "no NVMe function (class $NVME_CLASS) in L1: does the scenario have '# l0: nvme'? (PCI: $(ls "$PCI" | tr '\n' ' '))"
		return 1
	fi
	if ! vfio_bind "$NVME_ADDR"; then
		result "$NAME" fail "$VFIO_ERR"
		return 1
	fi
	vfio_limits
	vfio_dmar_mark
	nvme_before=$(cat /tmp/nvme.state 2>/dev/null || echo made)
	return 0
}

# nvme_check GROUP: the NVMe checks of a boot that ran nvme-check. GROUP:
# "none" (no vIOMMU in L2: the controller must be in no IOMMU group) or the
# group's domain type the vIOMMU must give it (DMA for iommu.strict=1,
# DMA-FQ for lazy). Problems go to $bad. Tells run.sh (NESTED-NVME-WROTE)
# when L2 wrote the pattern, and updates /tmp/nvme.state.
nvme_check() {
	local want_group=$1 pci before after
	expect nvme-load "$(l2_value NVME-LOAD)" 0
	expect nvme-disk "$(l2_value NVME-DISK)" nvme0n1
	expect nvme-sectors "$(l2_value NVME-SECTORS)" $((NVME_SIZE_MIB * 2048))
	pci=$(l2_value NVME-PCI)
	expect nvme-l2-ids "$(l2_field "$pci" id)" "$(cat "$PCI/$NVME_ADDR/vendor"):$(cat "$PCI/$NVME_ADDR/device")"
	expect nvme-l2-class "$(l2_field "$pci" class)" "$NVME_CLASS"
	expect nvme-l2-driver "$(l2_field "$pci" drv)" nvme
	if [ "$want_group" = none ]; then
		expect nvme-l2-group "$(l2_field "$pci" group)" none
	else
		[ "$(l2_field "$pci" group)" != none ] || bad="$bad nvme-l2-group=none(want-a-group)"
		expect nvme-l2-group-lists-it "$(l2_field "$pci" listed)" yes
		expect nvme-l2-domain "$(l2_field "$pci" type)" "$want_group"
	fi
	before=$(l2_value NVME-DISK-MD5)
	case $nvme_before in
	made) expect nvme-disk-md5 "$before" "$NVME_MD5" ;;
	written) expect nvme-disk-md5 "$before" "$NVME_WRITTEN_MD5" ;;
	*)
		[ "$before" = "$NVME_MD5" ] || [ "$before" = "$NVME_WRITTEN_MD5" ] ||
			bad="$bad nvme-disk-md5=${before:-none}(want-$NVME_MD5-or-$NVME_WRITTEN_MD5)"
		;;
	esac
	expect nvme-l2-pattern "$(l2_value NVME-PATTERN-MD5)" "$NVME_PATTERN_MD5"
	expect nvme-write "$(l2_value NVME-WRITE)" ok
	expect nvme-pattern-readback "$(l2_value NVME-PATTERN-READBACK-MD5)" "$NVME_PATTERN_MD5"
	after=$(l2_value NVME-DISK-MD5-AFTER)
	expect nvme-disk-md5-after "$after" "$NVME_WRITTEN_MD5"
	expect nvme-io-errors "$(l2_value NVME-IO-ERRORS)" 0
	expect nvme-unbind "$(l2_value NVME-UNBIND)" ok
	if [ "$after" = "$NVME_WRITTEN_MD5" ]; then
		echo written >/tmp/nvme.state
		echo "NESTED-NVME-WROTE $NAME"
	elif grep -q 'NESTED-L2-NVME-WRITE-START' "$L2_LOG"; then
		echo unknown >/tmp/nvme.state
	fi
	note "$NAME: L2 saw the NVMe as $pci; disk ready $(l2_value NVME-READY-S) s after insmod," \
		"read $NVME_SIZE_MIB MiB in $(l2_value NVME-READ-S) s, wrote $NVME_PATTERN_MIB MiB in $(l2_value NVME-WRITE-S) s; L2's groups: $(awk '$2 == "NESTED-L2-NVME-GROUP-LIST" {$1 = ""; $2 = ""; printf "%s;", $0}' "$L2_LOG")"
}

# --- QEMU's edu and the guest test vfio_edu (vfio-edu*.sh, vfio-bad.sh) ---
# L2 is the bare-metal guest test guest-tests/vfio_edu.c (vfio-edu.prep.sh
# puts its ELF at /l2/vfio_edu.elf), which drives the edu itself and
# reports TAP lines whose text starts with the name of its check.
EDU_ELF=/l2/vfio_edu.elf
EDU_CHECKS="pci viommu dma msi unmap resv"

# edu_setup: the edu found and bound to vfio-pci; sets EDU_ADDR, VFIO_GROUP,
# VFIO_DEV, and marks L1's DMAR log. On failure the scenario fails and the
# status is 1.
edu_setup() {
	if [ ! -r "$EDU_ELF" ]; then
		result "$NAME" fail "no $EDU_ELF in L1 (vfio-edu.prep.sh copies the guest test; was it built?)"
		return 1
	fi
	# shellcheck disable=SC2086 # two words
	if ! EDU_ADDR=$(vfio_find $EDU_IDS); then
		result "$NAME" fail "no edu (1234:11e8) in L1: does the scenario have '# l0: -device edu'?"
		return 1
	fi
	if ! vfio_bind "$EDU_ADDR"; then
		result "$NAME" fail "$VFIO_ERR"
		return 1
	fi
	vfio_dmar_mark
	return 0
}

# vfio_resv GROUP: the host IOMMU's reserved regions of GROUP as the guest
# test takes them (hostresv=): START-END:TYPE,...
vfio_resv() {
	local s e t out=""
	while read -r s e t; do
		out="$out${out:+,}$(printf '%#x-%#x' "$s" "$e"):$t"
	done <"/sys/kernel/iommu_groups/$1/reserved_regions"
	echo "$out"
}

# edu_tap: the guest's TAP lines from the L2 log, without the time stamps.
edu_tap() {
	tr -d '\r' <"$L2_LOG" | sed -n 's/^[0-9.]* \(\(not \)\{0,1\}ok [0-9]* - .*\)/\1/p'
}

# edu_results CHECKS: one result NAME/CHECK per check of the guest test
# (its lines "ok N - CHECK: ..."): a failure names the first failed lines;
# a check that printed nothing failed too (the guest stopped before it).
# SKIP lines (a backend's known departures) are noted. Failed checks are
# added to $bad.
edu_results() {
	local c n f s first
	edu_tap >/tmp/edu.tap
	for c in "$@"; do
		n=$(grep -cE "^(not )?ok [0-9]+ - $c: " /tmp/edu.tap)
		f=$(grep -cE "^not ok [0-9]+ - $c: " /tmp/edu.tap)
		s=$(grep -E "^ok [0-9]+ - $c: .*\(known=[^)]*\) # SKIP" /tmp/edu.tap | grep -c .)
		grep -E "^ok [0-9]+ - $c: .*# SKIP" /tmp/edu.tap | while IFS= read -r line; do
			note "$NAME/$c: $line"
		done
		if [ "$n" = 0 ]; then
			result "$NAME/$c" fail "no '$c:' line from the guest (it stopped before; summary: $(grep -a 'SUMMARY' "$L2_LOG" | tail -1 | cut -d' ' -f3-))"
			bad="$bad check-$c"
		elif [ "$f" != 0 ]; then
			first=$(grep -E "^not ok [0-9]+ - $c: " /tmp/edu.tap | head -3 | sed 's/^not ok [0-9]* - //' | tr '\n' '|')
			result "$NAME/$c" fail "$f of $n failed: $first"
			bad="$bad check-$c"
		else
			result "$NAME/$c" pass "$n lines$([ "$s" = 0 ] || echo ", $s skipped as known departures")"
		fi
	done
}

# edu_check_status: the guest's exit: status 1 (the guest passed:
# port 0xf4 got 0) and a summary with 0 failed, else a problem in $bad.
edu_check_status() {
	local sum
	sum=$(tr -d '\r' <"$L2_LOG" | sed -n 's/^[0-9.]* # SUMMARY: //p' | tail -1)
	expect guest-status "$L2_STATUS" 1
	case $sum in
	*" 0 failed"*) ;;
	*) bad="$bad guest-summary=$(echo "${sum:-none}" | tr ' ' -)" ;;
	esac
	note "$NAME: guest summary: ${sum:-none}; L2 ran ${L2_RUN_S}s"
}

# edu_check_dmar ADDR: the DMAR faults L1 logged since vfio_dmar_mark are
# exactly those the guest provoked (its lines "# EDU-DMAR read|write IOVA":
# a DMA to an IOVA it had unmapped, which the host IOMMU must block), each
# from ADDR, each once. Problems go to $bad.
edu_check_dmar() {
	local dev want got
	dev=${1#*:}
	want=$(tr -d '\r' <"$L2_LOG" | awk '$2 == "#" && $3 == "EDU-DMAR" {print $4, $5}' |
		while read -r d a; do printf '%s %s %#x\n' "$d" "$dev" "$((a & ~0xfff))"; done | sort)
	vfio_dmar_faults | tail -n +$(($(cat /tmp/vfio.dmar.mark) + 1)) >/tmp/vfio.dmar.new
	got=$(sed -nE 's/.*\[DMA (Read|Write)[^]]*\] Request device \[([^]]*)\] fault addr (0x[0-9a-fA-F]+).*/\1 \2 \3/p' /tmp/vfio.dmar.new |
		while read -r d b a; do printf '%s %s %#x\n' "$(echo "$d" | tr RW rw)" "$b" "$((a & ~0xfff))"; done | sort)
	head -5 /tmp/vfio.dmar.new | while IFS= read -r line; do note "$NAME: L1 dmesg: $line"; done
	if [ "$want" != "$got" ]; then
		bad="$bad l1-dmar-faults=[$(echo "$got" | tr '\n' ';' | tr ' ' _)](want-[$(echo "$want" | tr '\n' ';' | tr ' ' _)])"
	fi
}

# --- the VMM's own account of DMA mappings (build/vmm only) ---

# vfio_vmm_counters VIOMMU: build/vmm -v prints at exit
#   vfio: host map_dma=N unmap_dma=N pinned=N dma_avail=N identity_maps=N
# (its VFIO_IOMMU_MAP_DMA and UNMAP_DMA calls, the bytes still pinned after
# it emptied the containers, the containers' free mapping slots
# (VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL), and how many of the maps were guest RAM
# at IOVA = GPA: at start without a vIOMMU, for bypass with one), and with
# --iommu virtio
#   virtio-iommu: map requests=N unmap requests=N
# (the MAP requests L2's driver sent). VIOMMU is 1 with --iommu virtio, 2 with
# --iommu intel (its guest maps are PTEs, not requests: no comparison).
vfio_vmm_counters() {
	local line map pinned avail limit req ident
	line=$(vmm_line 'vfio: host ' map_dma=)
	if [ -z "$line" ]; then
		bad="$bad no-'vfio: host map_dma=N unmap_dma=N pinned=N dma_avail=N'-line-from-the-VMM(-v)"
		return
	fi
	map=$(l2_field "$line" map_dma)
	pinned=$(l2_field "$line" pinned)
	avail=$(l2_field "$line" dma_avail)
	ident=$(l2_field "$line" identity_maps)
	limit=$(cat /sys/module/vfio_iommu_type1/parameters/dma_entry_limit 2>/dev/null)
	# The host maps that answer guest MAPs (all but the identity ones) are
	# no more than L2's MAP requests: one per request, never one per page.
	# Without a vIOMMU the VMM maps guest RAM itself, once per region.
	if [ "$1" = 1 ]; then
		req=$(grep -a 'virtio-iommu: map requests=' "$L2_LOG" | tail -1 |
			sed 's/.*virtio-iommu: map requests=\([0-9]*\).*/\1/')
		if [ -z "$req" ]; then
			bad="$bad no-'virtio-iommu: map requests=N'-line-from-the-VMM(-v)"
		elif ! [ $((map - ident)) -le "$req" ] 2>/dev/null; then
			bad="$bad host-map_dma-for-guest-maps=$((map - ident))(want<=L2-map-requests=$req)"
		fi
	elif [ "$1" = 2 ]; then
		[ "$map" -gt "$ident" ] 2>/dev/null || bad="$bad host-map_dma=${map:-none}(want-more-than-identity=$ident)"
		vfio_vtd_counters "$((map - ident))"
	elif ! [ "$map" -ge 1 ] 2>/dev/null || [ "$map" != "$ident" ]; then
		bad="$bad host-map_dma=${map:-none}/identity=${ident:-none}(want-equal,>=1)"
	fi
	# Nothing is left mapped in the container at exit: no byte pinned,
	# every mapping slot free again.
	expect pinned-at-exit "$pinned" 0
	expect dma_avail-at-exit "$avail" "${limit:-65535}"
	note "$NAME: the VMM's counters: $line${req:+; L2 map requests $req}"
}

# vfio_vtd_counters HOSTMAPS: with --iommu intel, build/vmm -v also prints
#   vtd: caching-mode invals_mapped=N runs=N leaves=N replaced=N
# (the caching-mode invalidations whose walk mapped something, the core
# mappings those walks made: one per contiguous run, the pieces of guest
# leaves in them: what a mapping per leaf (QEMU's way) would have cost, and
# the mappings replaced while part of them stayed mapped). Checks: the host
# maps that answer guest maps, HOSTMAPS, are the runs, one each; fewer than
# the leaves (runs of several leaves were mapped whole); no mapping was
# replaced (Linux unmaps what it mapped whole). HOSTMAPS cannot be bounded
# by invals_mapped: one invalidation covers a whole scatter list, whose
# pieces are not contiguous in guest memory and need a host map each (the
# virtio-iommu gets one MAP request per piece, too: compare with
# vfio-nvme-viommu-strict's note).
vfio_vtd_counters() {
	local line inv runs leaves repl
	line=$(vmm_line 'vtd: caching-mode ' invals_mapped=)
	if [ -z "$line" ]; then
		bad="$bad no-'vtd: caching-mode invals_mapped=N runs=N leaves=N replaced=N'-line-from-the-VMM(-v)"
		return
	fi
	inv=$(l2_field "$line" invals_mapped)
	runs=$(l2_field "$line" runs)
	leaves=$(l2_field "$line" leaves)
	repl=$(l2_field "$line" replaced)
	[ "$1" = "$runs" ] || bad="$bad host-map_dma-for-guest-maps=$1(want=caching-mode-runs=$runs)"
	[ "$1" -lt "$leaves" ] 2>/dev/null || bad="$bad host-map_dma-for-guest-maps=$1(want<leaves=$leaves)"
	[ "$repl" = 0 ] || bad="$bad caching-mode-mappings-replaced=$repl(want-0)"
	note "$NAME: host maps for guest maps $1 = runs $runs, from $inv caching-mode" \
		"invalidations that mapped; $leaves leaves (a map per leaf: $(awk -v a="$1" \
		-v b="$leaves" 'BEGIN {if (b) printf "%.2f", a / b; else print "-"}')x as many" \
		"host maps); $repl mappings replaced"
}

# vfio_result DETAIL: the scenario's result from $bad, with its time; a
# failure shows the end of the L2 log.
vfio_result() {
	local t
	read -r t _ </proc/uptime
	t=$(awk -v a="$vfio_t0" -v b="$t" 'BEGIN {printf "%.1f", b - a}')
	if [ -z "$bad" ]; then
		result "$NAME" pass "$1 scenario=${t}s"
	else
		result "$NAME" fail "$bad"
		[ -z "${L2_LOG:-}" ] || dump_log 80
	fi
}
