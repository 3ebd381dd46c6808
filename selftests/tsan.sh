#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# fuzz.sh with rserpoold built with ThreadSanitizer: its ASAP reader
# thread (SCTP) handles messages beside the main loop (TCP, ENRP, the
# kernel's events) under the daemon's lock, and the fuzz keeps both
# busy.  A last case fails on any report.  The guest needs a CPU with
# the instructions TSan's runtime uses (tools/check.sh boots it with
# VM_CPU=max; under QEMU's default the daemon dies of SIGILL).  TAP
# output, as run.sh's.

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/selftests/lib.sh"
tsan=$top/build/tsan
rm -rf "$tsan"
mkdir -p "$tsan"
rc=0
echo "# selftest fuzz.sh (rserpoold-tsan)"
start=$(date +%s)
RSP_PRD=$top/user/rserpoold/rserpoold-tsan \
	TSAN_OPTIONS="log_path=$tsan/rserpoold" sh "$top/selftests/fuzz.sh" ||
	rc=1
echo "# fuzz.sh took $(($(date +%s) - start)) s"
echo "# selftest thread sanitizer"
no_reports "$tsan" "rserpoold-tsan: no ThreadSanitizer report" || rc=1
exit $rc
