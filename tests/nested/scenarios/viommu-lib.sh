# SPDX-License-Identifier: MIT
# Helpers of the viommu-* scenarios (build/vmm --iommu virtio), sourced by
# them; not a scenario itself. Their L2 runs the task "viommu-run TASK ARGS"
# (l2/tasks/viommu-run), which loads virtio-iommu.ko (module set "viommu",
# viommu-probe.prep.sh) before the endpoint drivers and prints
# NESTED-L2-VIOMMU-* lines; viommu_check judges them.
if [ "$NAME" = viommu-lib ]; then
	result "$NAME" fail "viommu-lib holds helpers of the viommu-* scenarios; run those"
fi

# viommu_check STRICT ENDPOINTS: the IOMMU checks of a boot that ran
# viommu-run; STRICT is the iommu.strict= value given (empty: the kernel's
# default, lazy in Debian's config), ENDPOINTS the number of virtio PCI
# functions behind the IOMMU. Problems are added to $bad; the fault lines L2
# printed are relayed as notes.
viommu_check() {
	local strict="$1" want="$2" self line
	expect viommu-insmod "$(l2_value VIOMMU-LOAD)" 0
	[ -n "$(l2_value VIOMMU-CLASS)" ] || bad="$bad no-/sys/class/iommu-entry"
	expect endpoints-before-driver "$(l2_value VIOMMU-PRE-ENDPOINTS)" "$want"
	# Endpoints wait for the IOMMU driver (deferred probe through VIOT).
	expect endpoints-bound-before-viommu "$(l2_value VIOMMU-PRE-BOUND)" 0
	self=$(l2_value VIOMMU-SELF)
	if [ -z "$self" ]; then
		bad="$bad no-virtio-iommu-pci-function"
	else
		expect self-pci-driver "$(l2_field "$self" drv)" virtio-pci
		expect self-virtio-driver "$(l2_field "$self" vdrv)" virtio_iommu
		expect self-group "$(l2_field "$self" group)" none
	fi
	# Each endpoint also bound to its virtio driver (l1/lib.sh).
	l2_endpoints_check VIOMMU "$strict" "$want" vdrv
	grep -q 'NESTED-L2-VIOMMU-DMESG .*virtio_iommu' "$L2_LOG" || bad="$bad no-virtio_iommu-in-dmesg"
	grep -q 'NESTED-L2-VIOMMU-DMESG .*VIOT' "$L2_LOG" || bad="$bad no-ACPI-VIOT-in-dmesg"
	expect task-status "$(l2_value VIOMMU-TASK-STATUS)" 0
	expect iommu-faults "$(l2_value VIOMMU-FAULTS)" 0
	l2_lines VIOMMU-FAULT | while IFS= read -r line; do
		note "$NAME: L2 dmesg: $line"
	done
	note "$NAME: L2 IOMMU up $(l2_value VIOMMU-READY-S) s after insmod; policy $(l2_value VIOMMU-POLICY); groups: $(l2_lines VIOMMU-GROUP | tr '\n' ';')"
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
