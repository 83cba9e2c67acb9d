# SPDX-License-Identifier: MIT
# Helpers of the vtd-* scenarios (build/vmm --iommu intel, L2 with
# intel_iommu=on), sourced by them; not a scenario itself. Their L2 runs the
# task "vtd-run TASK ARGS" (l2/tasks/vtd-run), which prints NESTED-L2-VTD-*
# lines; vtd_check judges them.
if [ "$NAME" = vtd-lib ]; then
	result "$NAME" fail "vtd-lib holds helpers of the vtd-* scenarios; run those"
fi

# vtd_ir_check CPUS [SPREAD]: interrupt remapping on in x2APIC mode (in
# $VTD_IR_MODE mode if set: xapic with --iommu intel,eim=off); every
# IOAPIC and PCI MSI/MSI-X interrupt of /proc/interrupts remapped
# (IR-IO-APIC, IR-PCI-MSI*), at least one of each; remapped interrupts taken
# by at least CPUS CPUs; at least SPREAD (default 0) PCI MSI lines that
# took interrupts on more than one CPU (vtd-run moves the unmanaged ones
# round the CPUs while the task runs: each move is an IRTE rewrite and an
# IEC, which must re-route the line's KVM route). Problems go to $bad.
vtd_ir_check() {
	local cpus="$1" spread="${2:-0}" line chip n_msi=0 n_io=0 not_ir="" got s
	expect ir-mode "$(l2_value VTD-IR-MODE)" "${VTD_IR_MODE:-x2apic}"
	while read -r line; do
		[ -n "$line" ] || continue
		chip=$(l2_field "$line" chip)
		case $chip in
		IR-PCI-MSI*) n_msi=$((n_msi + 1)) ;;
		IR-IO-APIC) n_io=$((n_io + 1)) ;;
		*) not_ir="$not_ir ${line%% *}$chip" ;;
		esac
	done <<EOF2
$(l2_lines VTD-IRQ)
EOF2
	[ "$n_msi" -gt 0 ] || bad="$bad no-IR-PCI-MSI-interrupt"
	[ "$n_io" -gt 0 ] || bad="$bad no-IR-IO-APIC-interrupt"
	[ -z "$not_ir" ] || bad="$bad not-remapped:$not_ir"
	got=$(l2_value VTD-IRCPUS)
	[ -n "$got" ] && [ "${got%% *}" -ge "$cpus" ] || bad="$bad ir-cpus=${got:-none}(want>=$cpus)"
	s=$(l2_value VTD-IRSPREAD)
	[ -n "$s" ] && [ "$s" -ge "$spread" ] || bad="$bad ir-msi-spread=${s:-none}(want>=$spread)"
	note "$NAME: remapped interrupts: $(l2_lines VTD-IRQ | tr '\n' ';') on ${got:-?} CPUs"
}

# vtd_check STRICT ENDPOINTS [CPUS [SPREAD]]: the DMAR unit found and
# translating, the policy of STRICT (1 strict, 0 lazy), ENDPOINTS virtio
# functions each in a group of a DMA domain of that policy with
# ACCESS_PLATFORM, no DMAR fault, and vtd_ir_check CPUS (default 1) SPREAD.
# Problems go to $bad.
vtd_check() {
	local strict="$1" want="$2" line
	expect dmar-unit "$(l2_value VTD-UNIT)" 1
	expect vtd-enabled "$(l2_value VTD-VTD-ON)" 1
	[ -n "$(l2_value VTD-CLASS)" ] || bad="$bad no-/sys/class/iommu-entry"
	l2_endpoints_check VTD "$strict" "$want"
	expect task-status "$(l2_value VTD-TASK-STATUS)" 0
	expect dmar-faults "$(l2_value VTD-FAULTS)" 0
	l2_lines VTD-FAULT | while IFS= read -r line; do
		note "$NAME: L2 dmesg: $line"
	done
	note "$NAME: policy $(l2_value VTD-POLICY); groups: $(l2_lines VTD-GROUP | tr '\n' ';')"
	vtd_ir_check "${3:-1}" "${4:-0}"
}

# vtd_log_check FILE: the --iommu-log of a run with a correct driver: maps
# (what the unit cached), invalidations, faults only if L2 saw DMAR faults,
# and no missed invalidation. Problems go to $bad.
vtd_log_check() {
	local maps invals missed lines
	lines=$(grep -c . "$1")
	maps=$(grep -c '"iommu":"intel","event":"map","sid":null,"domain":[0-9]' "$1")
	invals=$(grep -c '"iommu":"intel","event":"inval",' "$1")
	missed=$(grep -c '"event":"missed_inval"' "$1")
	[ "${maps:-0}" -gt 0 ] || bad="$bad iommu-log:no-map-line"
	[ "${invals:-0}" -gt 0 ] || bad="$bad iommu-log:no-inval-line"
	expect iommu-log-missed-inval "${missed:-0}" 0
	grep '"event":"missed_inval"' "$1" | head -3 | while IFS= read -r line; do
		note "$NAME: $line"
	done
	note "$NAME: --iommu-log: $lines lines, $maps maps, $invals invalidations, $missed missed"
}
