# SPDX-License-Identifier: GPL-2.0
# TAP helpers for the selftest scripts, sourced after $top is set: they
# number the cases, keep a count of failures, and give each script R (the
# rspctl binary) and T (a scratch directory).
R=$top/user/rspctl
T=$(mktemp -d)
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
# check DESCRIPTION COMMAND...: the command's status is the verdict; its
# output is shown only when it fails.
check() {
	d=$1; shift
	if "$@" >"$T/out" 2>&1; then
		ok "$d"
	else
		nok "$d"
		sed 's/^/# /' "$T/out"
	fi
}
# eq DESCRIPTION GOT WANT
eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else nok "$1: got '$2', want '$3'"; fi
}
# fails DESCRIPTION TEXT COMMAND...: non-zero status and TEXT on stderr.
fails() {
	d=$1 text=$2; shift 2
	if "$@" >"$T/out" 2>"$T/err"; then
		nok "$d: succeeded"
	elif grep -qF -- "$text" "$T/err"; then
		ok "$d"
	else
		nok "$d: stderr was '$(cat "$T/err")'"
	fi
}
