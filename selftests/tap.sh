# SPDX-License-Identifier: GPL-2.0
# TAP helpers for the selftest scripts, sourced after $top is set: they
# number the cases, keep a count of failures, and give each script R (the
# rspctl binary) and T (a scratch directory).
. "$top/selftests/lib.sh"
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
# capture FILE: records br0 until capture_end (dumpcap: tshark takes
# long to start in the guest, and decodes nothing here).
capture() {
	dumpcap -q -i br0 -w "$1" > "$T/dumpcap.log" 2>&1 &
	capture_pid=$!
	until_eq 20 yes sh -c "grep -q Capturing '$T/dumpcap.log' && echo yes" \
		> /dev/null
}
capture_end() { kill -INT $capture_pid 2>/dev/null; wait $capture_pid; }
# decoded FILE SRC [VIA]: "N bad M": the frames from SRC with ASAP or
# ENRP messages (with ENRP over VIA, tcp or sctp, if given) that
# Wireshark decodes, and how many of those it finds malformed or warns
# about (expert severity warning and up); those are listed on stderr.
# Over TCP, rsp-tcp.lua frames the messages for Wireshark's dissectors.
# tshark reads FILE once (it takes seconds to start in the guest): the
# fields of its ASAP and ENRP frames are kept in FILE.fields.
decoded() {
	[ -s "$1.fields" ] ||
		tshark -r "$1" -X "lua_script:$top/selftests/rsp-tcp.lua" \
			-Y "asap || enrp" -T fields -E separator=/t \
			-e ip.src -e frame.protocols -e _ws.malformed \
			-e _ws.expert.severity -e frame.number -e _ws.col.Info \
			-e _ws.expert.message > "$1.fields" 2>/dev/null
	awk -F '\t' -v src="$2" -v via="${3:-}" '
	$1 != src { next }
	via != "" && ($2 !~ ":" via ":" || $2 !~ /:enrp/) { next }
	{
		n++
		bad = $3 != ""
		k = split($4, sev, ",")
		for (i = 1; i <= k; i++)
			if (sev[i] + 0 >= 6291456)
				bad = 1
	}
	bad { b++; print "# bad frame: " $5 " " $6 " " $7 > "/dev/stderr" }
	END { print n + 0, "bad", b + 0 }' "$1.fields"
}
# check_decoded FILE SRC: a case that Wireshark decodes more than five of
# SRC's ASAP and ENRP messages and finds none malformed or warned about.
check_decoded() {
	d=$(decoded "$1" "$2")
	echo "# tshark: ${d%% *} frames with ASAP or ENRP from $2"
	eq "tshark decodes rserpoold's ASAP and ENRP ($2): none malformed, no warning" \
		"$([ "${d%% *}" -gt 5 ] && echo decoded) ${d#* }" "decoded bad 0"
}
# echoed NS REGISTRAR TEXT: rsplib's rspterminal in NS resolves EchoPool
# at REGISTRAR (ADDR:PORT) and sends TEXT; prints the ID (hex, as rsplib
# prints it) of the PE whose echo came back within 20 s, or nothing.
# rspterminal does not end with its input: it is stopped once the echo is
# there.
echoed() {
	rm -f "$T/pu.in"
	mkfifo "$T/pu.in"
	ip netns exec "$1" timeout 25 rspterminal -registrar="$2" \
		-poolhandle=EchoPool < "$T/pu.in" > "$T/pu.log" 2>&1 &
	echoed_pid=$!
	exec 3> "$T/pu.in"
	echo "$3" >&3
	until_eq 20 yes sh -c "grep -qF -- '> $3' '$T/pu.log' && echo yes" \
		> /dev/null
	kill $echoed_pid 2>/dev/null
	exec 3>&-
	wait $echoed_pid 2>/dev/null
	sed -n "s/.*from PE \\\$\([0-9a-fA-F]*\)> $3.*/\\1/p" "$T/pu.log" |
		head -n 1
}
