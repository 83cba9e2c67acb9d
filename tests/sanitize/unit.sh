#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A sanitizer unit-test binary as tests/sanitize/run.sh hands it to
# tests/unit/run.sh: a link to this script under the binary's name (so the
# results keep that name). Runs $SAN_UNIT_DIR/NAME with the same arguments,
# stdout and exit status; its stderr follows once it has exited. When that
# stderr holds a sanitizer report ($SAN_PATTERN), it is also copied whole into
# $SAN_REPORTS for run.sh to print: tests/unit/run.sh shows only the last
# lines of a failed binary's output.
name=$(basename "$0")
err=$SAN_REPORTS/../$name.stderr
"$SAN_UNIT_DIR/$name" "$@" 2>"$err"
rc=$?
cat "$err" >&2
if grep -Eq "$SAN_PATTERN" "$err"; then
	{
		echo "command: $SAN_UNIT_DIR/$name $*"
		echo "status: $rc"
		cat "$err"
	} >"$SAN_REPORTS/$name"
fi
exit $rc
