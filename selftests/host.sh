#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Tests that need no guest: the kernel style of the module's sources
# (checkpatch.pl from the kernel tree), and rspctl's behaviour on a host
# where the module is not loaded.  TAP output.
top=$(cd "$(dirname "$0")/.." && pwd)
R=$top/user/rspctl
src=$(sh "$top/tools/ksrc.sh") || exit 1
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
eq() { if [ "$2" = "$3" ]; then ok "$1"; else nok "$1: got '$2', want '$3'"; fi; }

echo "TAP version 13"
for name in $(cd "$top" && git ls-files -co --exclude-standard 'kernel/*.[ch]' 'include/uapi/*.h' \
	2>/dev/null || ls kernel/*.[ch] include/uapi/linux/*.h); do
	case $name in *.mod.c) continue ;; esac
	f=$top/$name
	if perl "$src/scripts/checkpatch.pl" --no-tree --quiet --terse \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f "$f" \
		> /tmp/rsp-checkpatch.$$ 2>&1; then
		ok "checkpatch: $name"
	else
		nok "checkpatch: $name"
		sed 's/^/# /' /tmp/rsp-checkpatch.$$
	fi
done
rm -f /tmp/rsp-checkpatch.$$

if [ -d /sys/module/rserpool ]; then
	echo "ok $((n + 1)) - rspctl without the module # SKIP module is loaded here"
	n=$((n + 1))
else
	out=$($R pool show 2>&1); rc=$?
	case "$rc:$out" in
	"1:rspctl: the rserpool module is not loaded"*) ok "rspctl says when the module is not loaded" ;;
	*) nok "rspctl without the module: status $rc, '$out'" ;;
	esac
fi
out=$($R frobnicate 2>&1); rc=$?
[ "$rc:$out" = '2:rspctl: unknown object "frobnicate" (try rspctl -h)' ] &&
	ok "rspctl refuses an unknown object" ||
	nok "unknown object: status $rc, '$out'"
out=$($R -h); rc=$?
missing=
for w in "pool show" "pe add|set" "pe del" "pe show" "pe flush" "resolve" \
	 "report" "flush" "limits" "stats" "monitor" "-b FILE"; do
	printf '%s' "$out" | grep -qF -- "$w" || missing="$missing '$w'"
done
[ "$rc" = 0 ] && [ -z "$missing" ] && ok "rspctl -h names every command" ||
	nok "rspctl -h: status $rc, missing$missing"

# rserpoold: its own errors, and a clear word when the module is missing.
D=$top/user/rserpoold/rserpoold
if [ ! -d /sys/module/rserpool ]; then
	out=$($D 2>&1); rc=$?
	case "$rc:$out" in
	"1:rserpoold: the rserpool module is not loaded"*) ok "rserpoold says when the module is not loaded, exits 1" ;;
	*) nok "rserpoold without the module: status $rc, '$out'" ;;
	esac
fi
for c in "--port 0|2|rserpoold: invalid port \"0\" (1..65535)" \
	 "--id 0|2|rserpoold: invalid registrar ID \"0\" (1..4294967295)" \
	 "--no-sctp --no-tcp|2|rserpoold: --no-sctp and --no-tcp leave nothing to serve" \
	 "extra|2|rserpoold: unexpected argument \"extra\"" \
	 "--peer 10.0.0.1:0|2|rserpoold: invalid peer \"10.0.0.1:0\" ([tcp:]ADDR, ADDR:PORT or [ADDR]:PORT)" \
	 "--peer [fd00::1|2|rserpoold: invalid peer \"[fd00::1\" ([tcp:]ADDR, ADDR:PORT or [ADDR]:PORT)" \
	 "--peer host.example|2|rserpoold: invalid peer \"host.example\" ([tcp:]ADDR, ADDR:PORT or [ADDR]:PORT)" \
	 "--peer tcp:10.0.0.1:0|2|rserpoold: invalid peer \"tcp:10.0.0.1:0\" ([tcp:]ADDR, ADDR:PORT or [ADDR]:PORT)" \
	 "--no-sctp --peer 10.0.0.1|2|rserpoold: peer 1 is over SCTP, which --no-sctp turns off" \
	 "--no-tcp --peer 10.0.0.1 --peer tcp:10.0.0.2|2|rserpoold: peer 2 is over TCP, which --no-tcp turns off" \
	 "--asap-announce 10.0.0.1:3863|2|rserpoold: invalid ASAP announce \"10.0.0.1:3863\" (an IPv4 multicast GROUP:PORT, or off)" \
	 "--enrp-announce 239.0.0.51|2|rserpoold: invalid ENRP announce \"239.0.0.51\" (an IPv4 multicast GROUP:PORT, or off)" \
	 "--heartbeat 5|2|rserpoold: invalid heartbeat \"5\" (100..3600000)"; do
	args=${c%%|*} rest=${c#*|}
	want_rc=${rest%%|*} want=${rest#*|}
	# shellcheck disable=SC2086
	out=$($D $args 2>&1); rc=$?
	[ "$rc:$out" = "$want_rc:$want" ] && ok "rserpoold $args: refused" ||
		nok "rserpoold $args: status $rc, '$out'"
done
# The configuration file: its errors name the file and line.
cf=/tmp/rsp-conf.$$
printf '# a registrar\npeer 10.0.0.2\nbogus 1\n' > $cf
out=$($D -f $cf 2>&1); rc=$?
eq "rserpoold -f: an unknown option, with its line" "$rc:$out" \
	"2:rserpoold: $cf:3: unknown option \"bogus\""
printf 'id\n' > $cf
out=$($D --config=$cf 2>&1); rc=$?
eq "rserpoold -f: an option without its value" "$rc:$out" \
	"2:rserpoold: $cf:1: \"id\" needs a value"
printf 'no-tcp yes\n' > $cf
out=$($D -f $cf 2>&1); rc=$?
eq "rserpoold -f: a value for a flag" "$rc:$out" \
	"2:rserpoold: $cf:1: \"no-tcp\" takes no value"
printf 'port 3863   # ASAP\n\nheartbeat 5\n' > $cf
out=$($D -f $cf 2>&1); rc=$?
eq "rserpoold -f: a bad value, with its line (comments, blank lines)" \
	"$rc:$out" \
	"2:rserpoold: $cf:3: invalid heartbeat \"5\" (100..3600000)"
printf 'no-sctp\n' > $cf
out=$($D --no-tcp -f $cf 2>&1); rc=$?
eq "rserpoold -f: the file and the command line together" "$rc:$out" \
	"2:rserpoold: --no-sctp and --no-tcp leave nothing to serve"
out=$($D -f /nonexistent/rserpoold.conf 2>&1); rc=$?
eq "rserpoold -f: a missing file" "$rc:$out" \
	"2:rserpoold: cannot read /nonexistent/rserpoold.conf: No such file or directory"
rm -f $cf

out=$($D --help); rc=$?
[ "$rc" = 0 ] && printf '%s' "$out" | grep -q -- "--keepalive-interval" &&
	ok "rserpoold --help" || nok "rserpoold --help: status $rc"

# The example of rserpool(3) compiles and links as printed.
sed -n '/^\.SH EXAMPLE/,/^\.fi/p' "$top/doc/rserpool.3" | sed '1,2d;$d' |
	sed 's/\\e/\\/g' > /tmp/rsp-example.$$.c
if cc -Wall -Werror -I"$top/user/lib" -I"$top/include/uapi" \
	-o /tmp/rsp-example.$$ /tmp/rsp-example.$$.c \
	"$top/user/lib/librserpool.a" > /tmp/rsp-example.$$.log 2>&1; then
	ok "the example of rserpool(3) builds"
else
	nok "the example of rserpool(3) builds"
	sed 's/^/# /' /tmp/rsp-example.$$.log
fi
rm -f /tmp/rsp-example.$$ /tmp/rsp-example.$$.c /tmp/rsp-example.$$.log

echo "1..$n"
[ $failed -eq 0 ]
