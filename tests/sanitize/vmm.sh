#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The VMM that tests/sanitize/run.sh hands to tests/guest/run.sh: runs
# $SAN_VMM (the sanitizer build) with the same arguments, standard streams and
# exit status. tests/guest/run.sh sends stderr to a file and shows only its
# last lines; when that file holds a sanitizer report ($SAN_PATTERN), it is
# copied whole, with the command line, into $SAN_REPORTS for run.sh to print.
# A vmm killed by a signal gives the same status (128 + N) as when run directly.
err=$(readlink /proc/$$/fd/2)
# timeout(1) signals the whole process group: the vmm handles SIGTERM and
# exits; this script waits for it (a trap, unlike an ignored signal, is not
# inherited by the vmm) and still looks for a report.
trap : TERM INT HUP
"$SAN_VMM" "$@"
rc=$?
if [ -f "$err" ] && grep -Eq "$SAN_PATTERN" "$err"; then
	{
		echo "command: $SAN_VMM $*"
		echo "status: $rc"
		cat "$err"
	} >"$(mktemp "$SAN_REPORTS/vmm.XXXXXX")"
fi
exit $rc
