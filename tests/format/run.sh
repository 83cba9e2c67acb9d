#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The format check: every C source and header tracked by git is formatted as
# the repository's .clang-format says (`make format-check`, a dry run).
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1
if ! command -v clang-format >/dev/null; then
	t_skip format "clang-format is not installed (apt-get install clang-format)"
	exit 0
fi
out=$(make --no-print-directory format-check 2>&1)
t_check format/clang-format $? "$(echo "$out" | tail -n +2 | tr '\n' ' ')"
echo "$out" | sed 's/^/#   /'
