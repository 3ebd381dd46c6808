#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `make demo` shows what it says: tools/demo.sh runs to its end and its
# selections, registrations and echoes are the ones its text announces.
# TAP.

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/selftests/tap.sh"
# part FROM TO [NTH]: the demo's lines after the NTH (first) one starting
# FROM, up to the next starting TO.
part() {
	awk -v from="$1" -v to="$2" -v nth="${3:-1}" '
		index($0, to) == 1 && on { exit }
		on { print }
		index($0, from) == 1 && ++seen == nth { on = 1 }' "$T/demo.log"
}
# as_ab A B WORDS...: WORDS with A and B written as A and B.
as_ab() {
	a=$1 b=$2
	shift 2
	for w in "$@"; do
		case $w in "$a") echo A ;; "$b") echo B ;; *) echo "$w" ;; esac
	done | tr '\n' ' ' | sed 's/ $//'
}
# ids: the PE IDs of rspctl's resolve lines, or of rsp-echo's answers.
ids() {
	sed -n -e 's/^   id \([0-9]*\) .*/\1/p' \
		-e 's/^pe \([0-9]*\) answered: hello$/\1/p' | tr '\n' ' ' |
		sed 's/ $//'
}
# echo_pes: "ADDR@ID ..." of pr2's EchoPool lines in the part on stdin.
echo_pes() {
	sed -n 's/^EchoPool id \([0-9]*\) .* addr \(10\.0\.9\.[0-9]*\) policy rr asap .* home 0x1111 .*/\2@\1/p' |
		sort | tr '\n' ' ' | sed 's/ $//'
}

echo "TAP version 13"
sh "$top/tools/demo.sh" > "$T/demo.log" 2>&1
rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$T/demo.log"
eq "the demo runs to its end" "$rc $(tail -n 1 "$T/demo.log")" "0 == done"
eq "round robin: four selections walk the pool of 3 in turn" \
	"$(part "-- four selections" "==" | ids)" "1 2 3 1"
eq "least used: the least loaded first, and again after PE 11's new load" \
	"$(part "-- the least loaded" "-- the same answer" | ids)" \
	"11 12 10 12 10 11"
eq "three reports remove PE 12" \
	"$(part "# rspctl pool show" "#" | sed -n 's/^web .* pes \([0-9]*\) .*/\1/p')" 2
eq "pr2 hears from pr1 over ENRP, which owns 2 PEs" \
	"$(part "# ip netns exec pr2 rspctl peers" "#" |
	   sed -n 's/^peer 0x1111 addr 10.0.9.1 transport sctp state up link up .* pes \([0-9]*\)$/\1/p')" 2
before=$(part "# ip netns exec pr2 rspctl pe show" "--" | echo_pes)
eq "pr2's kernel holds rsplib's two PEs, at pe1 and pe2, home pr1" \
	"$(echo "$before" | sed 's/@[0-9]*//g')" "10.0.9.3 10.0.9.4"
pe1=$(echo "$before" | tr ' ' '\n' | sed -n 's/^10.0.9.3@//p')
pe2=$(echo "$before" | tr ' ' '\n' | sed -n 's/^10.0.9.4@//p')
got=$(part "# ip netns exec pr2 rsp-echo -p sctp -n 4" "--" | ids)
# shellcheck disable=SC2086
got=$(as_ab "$pe1" "$pe2" $got)
eq "a client on pr2 gets its echo from each of them in turn" \
	"$got" "$(case $got in A*) echo A B A B ;; *) echo B A B A ;; esac)"
eq "after pe1's deregistration pr2 holds pe2's PE alone" \
	"$(part "# ip netns exec pr2 rspctl pe show" "#" 2 | echo_pes)" \
	"10.0.9.4@$pe2"
eq "... and the client's echoes come from it" \
	"$(part "# ip netns exec pr2 rsp-echo -p sctp -n 2" "#" | ids)" \
	"$pe2 $pe2"
# Its hosts' veths go with them, as the kernel takes a namespace down.
links() { ip -o link show | grep -c ' v-p[re][12]@'; }
eq "the demo leaves no host, link, bridge or module behind" \
	"$(ip netns list | grep -c '^p[re][12]\b'; until_eq 5 0 links
	   ip link show br0 2>&1 | grep -c 'does not exist'
	   grep -c '^rserpool ' /proc/modules)" \
	"0
0
1
0"
rm -rf "$T"
echo "1..$n"
[ $failed -eq 0 ]
