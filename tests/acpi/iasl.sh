#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Dump the ACPI tables acpi_build() makes (for 1, 2 and 64 vCPUs, with the
# VT-d DMAR table of --iommu intel) and check them with iasl (Debian package
# acpica-tools):
#  - `iasl -d` disassembles every table in the XSDT, the XSDT and the DSDT
#    without an error, warning or checksum complaint;
#  - the disassembled DSDT recompiles (`iasl -oa`, no optimizations) to the
#    same AML bytes.
# The RSDP is not checked here (iasl cannot read it from a file); the unit
# test test_acpi checks it.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1

if ! command -v iasl >/dev/null; then
	t_skip acpi-iasl "iasl not installed (apt-get install acpica-tools)"
	exit 0
fi

OUT=$BUILD/tests/acpi
mkdir -p "$OUT"
CFLAGS="-std=gnu11 -O2 -Wall -Wextra -Werror -Wmissing-prototypes \
-Wold-style-definition -Wstrict-prototypes -Wshadow -Wvla -D_GNU_SOURCE -I."
# shellcheck disable=SC2086
if ! ${CC:-cc} $CFLAGS -o "$OUT/dump_tables" tests/acpi/dump_tables.c \
	vmm/acpi/*.c devices/vtd/dmar.c vmm/log.c 2>"$OUT/cc.log"; then
	t_fail acpi-iasl-build "$(head -5 "$OUT/cc.log")"
	exit 0
fi

for cpus in 1 2 64; do
	dir=$OUT/cpus$cpus
	rm -rf "$dir" && mkdir -p "$dir"
	scoped="" # the 2-vCPU tables carry the DMAR with endpoint scopes
	[ "$cpus" = 2 ] && scoped=scoped
	if ! "$OUT/dump_tables" "$dir" "$cpus" $scoped 2>"$dir/dump.log"; then
		t_fail "acpi-iasl-dump-$cpus" "$(cat "$dir/dump.log")"
		continue
	fi
	for dat in "$dir"/*.dat; do
		name=$(basename "$dat" .dat)
		[ "$name" = rsdp ] && continue
		log=$dir/$name.log
		(cd "$dir" && iasl -d "$name.dat") >"$log" 2>&1
		rc=$?
		bad='error|warning|incorrect|invalid|terminates'
		if [ $rc != 0 ] || grep -Eiq "$bad" "$log"; then
			t_fail "acpi-iasl-$name-$cpus" "(rc $rc, see $log)"
		else
			t_pass "acpi-iasl-$name-$cpus"
		fi
	done
	# The DMAR's device scopes: the IOAPIC's always, the endpoints' (and no
	# INCLUDE_PCI_ALL) when scoped.
	n_ep=$(grep -c 'Device Scope Type : 01' "$dir/dmar.dsl" 2>/dev/null)
	n_io=$(grep -c 'Device Scope Type : 03' "$dir/dmar.dsl" 2>/dev/null)
	want_ep=0
	[ -n "$scoped" ] && want_ep=3
	if [ "$n_io" = 1 ] && [ "$n_ep" = "$want_ep" ]; then
		t_pass "acpi-iasl-dmar-scopes-$cpus"
	else
		t_fail "acpi-iasl-dmar-scopes-$cpus" "IOAPIC scopes $n_io (want 1), endpoint scopes $n_ep (want $want_ep)"
	fi
	# Round trip: the DSDT must be what iasl would have compiled.
	log=$dir/dsdt-recompile.log
	if (cd "$dir" && iasl -oa -p dsdt-re dsdt.dsl) >"$log" 2>&1 &&
		cmp -s <(tail -c +37 "$dir/dsdt.dat") <(tail -c +37 "$dir/dsdt-re.aml"); then
		t_pass "acpi-iasl-dsdt-roundtrip-$cpus"
	else
		t_fail "acpi-iasl-dsdt-roundtrip-$cpus" "(see $log)"
	fi
done
