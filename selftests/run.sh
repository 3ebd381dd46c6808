#!/bin/sh
# Runs every selftest program in the guest, one after another; their TAP
# goes to stdout between "# selftest NAME" markers for tools/check.sh,
# each followed by how long it took.
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/selftests/lib.sh"
rc=0
# registrar.sh, fuzz.sh and the TCP runs of enrp.sh and enrp3.sh run the
# daemon built with AddressSanitizer and UBSan, which write what they find
# to build/san/; the others run the daemon as installed.
san=$top/build/san
rm -rf "$san"
mkdir -p "$san"
for t in rserpool.sh nlfuzz.sh demo.sh sockopt.sh pool.sh registrar.sh \
	 fuzz.sh "enrp.sh sctp" "enrp.sh tcp" "enrp3.sh sctp" "enrp3.sh tcp" \
	 interop.sh; do
	case $t in
	registrar.sh|fuzz.sh|*tcp)
		echo "# selftest $t (rserpoold-san)"
		set -- RSP_PRD="$top/user/rserpoold/rserpoold-san" \
			ASAN_OPTIONS="log_path=$san/rserpoold" \
			UBSAN_OPTIONS="print_stacktrace=1:log_path=$san/rserpoold" ;;
	*)
		echo "# selftest $t"
		set -- ;;
	esac
	start=$(date +%s)
	# shellcheck disable=SC2086
	env "$@" sh "$top"/selftests/$t || rc=1
	echo "# $t took $(($(date +%s) - start)) s"
done
echo "# selftest sanitizers"
no_reports "$san" \
	"rserpoold-san: no AddressSanitizer, LeakSanitizer or UBSan report" ||
	rc=1
exit $rc
