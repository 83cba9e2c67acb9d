# SPDX-License-Identifier: MIT
# Helpers of the viommu-* scenarios (build/vmm --iommu virtio), sourced by
# them; not a scenario itself. Their L2 runs the task "viommu-run TASK ARGS"
# (l2/tasks/viommu-run), which loads virtio-iommu.ko (module set "viommu",
# viommu-probe.prep.sh) before the endpoint drivers and prints
# NESTED-L2-VIOMMU-* lines; viommu_check judges them.
if [ "$NAME" = viommu-lib ]; then
	result "$NAME" fail "viommu-lib holds helpers of the viommu-* scenarios; run those"
fi

# viommu_lines KEY: every NESTED-L2-VIOMMU-KEY line of the last L2 log,
# without the time stamp and the key.
viommu_lines() {
	awk -v k="NESTED-L2-VIOMMU-$1" '$2 == k {sub(/\r$/, ""); $1 = ""; $2 = ""; sub(/^  /, ""); print}' "$L2_LOG"
}

# viommu_field LINE KEY: the value of KEY=VALUE in LINE.
viommu_field() {
	echo " $1 " | sed -n "s/.* $2=\\([^ ]*\\) .*/\\1/p"
}

# viommu_check STRICT ENDPOINTS: the IOMMU checks of a boot that ran
# viommu-run; STRICT is the iommu.strict= value given (empty: the kernel's
# default, lazy in Debian's config), ENDPOINTS the number of virtio PCI
# functions behind the IOMMU. Problems are added to $bad; the fault lines L2
# printed are relayed as notes.
viommu_check() {
	local strict="$1" want="$2" self line a n=0 g_bad="" want_type policy
	expect viommu-insmod "$(l2_value VIOMMU-LOAD)" 0
	[ -n "$(l2_value VIOMMU-CLASS)" ] || bad="$bad no-/sys/class/iommu-entry"
	expect endpoints-before-driver "$(l2_value VIOMMU-PRE-ENDPOINTS)" "$want"
	# Endpoints wait for the IOMMU driver (deferred probe through VIOT).
	expect endpoints-bound-before-viommu "$(l2_value VIOMMU-PRE-BOUND)" 0
	self=$(l2_value VIOMMU-SELF)
	if [ -z "$self" ]; then
		bad="$bad no-virtio-iommu-pci-function"
	else
		expect self-pci-driver "$(viommu_field "$self" drv)" virtio-pci
		expect self-virtio-driver "$(viommu_field "$self" vdrv)" virtio_iommu
		expect self-group "$(viommu_field "$self" group)" none
	fi
	case $strict in
	1) policy=strict want_type=DMA ;;
	*) policy=lazy want_type=DMA-FQ ;;
	esac
	expect policy "$(l2_value VIOMMU-POLICY)" "$policy"
	expect default-domain "$(l2_value VIOMMU-DEFAULT-DOMAIN)" Translated
	# Each endpoint, after the task: bound to virtio-pci and to its virtio
	# driver, in a group that lists it, a DMA domain of the policy's type
	# (lazy: DMA-FQ, with a flush queue), ACCESS_PLATFORM negotiated.
	while read -r line; do
		[ -n "$line" ] || continue
		n=$((n + 1))
		a=${line%% *}
		[ "$(viommu_field "$line" drv)" = virtio-pci ] || g_bad="$g_bad $a:drv=$(viommu_field "$line" drv)"
		[ "$(viommu_field "$line" group)" != none ] || g_bad="$g_bad $a:no-group"
		[ "$(viommu_field "$line" listed)" = yes ] || g_bad="$g_bad $a:not-in-/sys/kernel/iommu_groups"
		[ "$(viommu_field "$line" type)" = "$want_type" ] ||
			g_bad="$g_bad $a:domain=$(viommu_field "$line" type)(want-$want_type)"
		[ "$(viommu_field "$line" vdrv)" != none ] || g_bad="$g_bad $a:no-virtio-driver"
		[ "$(viommu_field "$line" ap)" = 1 ] || g_bad="$g_bad $a:access_platform=$(viommu_field "$line" ap)"
	done <<EOF
$(viommu_lines EP)
EOF
	expect endpoints "$n" "$want"
	[ -z "$g_bad" ] || bad="$bad$g_bad"
	grep -q 'NESTED-L2-VIOMMU-DMESG .*virtio_iommu' "$L2_LOG" || bad="$bad no-virtio_iommu-in-dmesg"
	grep -q 'NESTED-L2-VIOMMU-DMESG .*VIOT' "$L2_LOG" || bad="$bad no-ACPI-VIOT-in-dmesg"
	expect task-status "$(l2_value VIOMMU-TASK-STATUS)" 0
	expect iommu-faults "$(l2_value VIOMMU-FAULTS)" 0
	viommu_lines FAULT | while IFS= read -r line; do
		note "$NAME: L2 dmesg: $line"
	done
	note "$NAME: L2 IOMMU up $(l2_value VIOMMU-READY-S) s after insmod; policy $(l2_value VIOMMU-POLICY); groups: $(viommu_lines GROUP | tr '\n' ';')"
}

# viommu_sample_vmm SECONDS: run in the background during l2_boot. If the
# newest VMM (the one l2_boot started; L1's keeper is older) still runs
# after SECONDS, note the CPU time each of its threads used over the next
# 5 s, in clock ticks: user (VMM code), sys (kernel, KVM exits included),
# guest (L2 code running). A hang spinning in L2 and one spinning in the
# VMM look the same to the thread list that l2_run prints; this tells them
# apart. Threads in creation order: main loop, device workers, vCPUs.
viommu_sample_vmm() {
	local pid t
	sleep "$1"
	pid=$(pidof vmm | tr ' ' '\n' | sort -n | tail -1)
	[ -n "$pid" ] && [ -d "/proc/$pid" ] || return 0
	for t in /proc/"$pid"/task/*; do
		echo "${t##*/} $(cut -d' ' -f14,15,43 "$t/stat")"
	done >/tmp/viommu-sample.1 2>/dev/null
	sleep 5
	for t in /proc/"$pid"/task/*; do
		echo "${t##*/} $(cut -d' ' -f14,15,43 "$t/stat") $(cat "$t/wchan")"
	done >/tmp/viommu-sample.2 2>/dev/null
	note "$NAME: VMM still running at ${1} s; its threads over 5 s (ticks):" \
		"$(awk 'NR == FNR {u[$1] = $2; s[$1] = $3; g[$1] = $4; next}
			($1 in u) {printf "tid %s user %d sys %d guest %d wchan %s; ", $1, $2 - u[$1], $3 - s[$1], $4 - g[$1], $5}' \
			/tmp/viommu-sample.1 /tmp/viommu-sample.2)"
}
