#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run cmocka unit-test binaries (TAP output) and record each test case.
. "$(dirname "$0")/../lib.sh"
for bin in "$@"; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP timeout 120 "$bin" 2>&1); rc=$?
	echo "$out" | grep -E '^(not )?ok ' | while read -r line; do
		case "$line" in
		*"# SKIP"*) t_skip "unit/$name: ${line#*ok * - }" ;;
		"not ok"*) t_fail "unit/$name: ${line#not ok * - }" ;;
		ok*) t_pass "unit/$name: ${line#ok * - }" ;;
		esac
	done
	if [ $rc -ne 0 ] && ! echo "$out" | grep -q '^not ok'; then
		t_fail "unit/$name: exited $rc"; echo "$out" | tail -5
	fi
done
