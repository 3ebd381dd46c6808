#!/bin/sh
# Runs every selftest program in the guest, one after another; their TAP
# goes to stdout between "# selftest NAME" markers for tools/check.sh,
# each followed by how long it took.
top=$(cd "$(dirname "$0")/.." && pwd)
rc=0
for t in rserpool.sh demo.sh sockopt.sh pool.sh registrar.sh "enrp.sh sctp" \
	 "enrp.sh tcp" "enrp3.sh sctp" "enrp3.sh tcp" interop.sh; do
	echo "# selftest $t"
	start=$(date +%s)
	# shellcheck disable=SC2086
	sh "$top"/selftests/$t || rc=1
	echo "# $t took $(($(date +%s) - start)) s"
done
exit $rc
