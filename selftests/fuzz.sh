#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rserpoold under random ASAP and ENRP traffic (proto_fuzz.py): links
# over TCP and SCTP to its ASAP and ENRP ports and ENRP's multicast
# group, messages of every type from a handful of fake registrars and
# PEs, some mangled, for PROTO_FUZZ_SECONDS (30), while its kernel
# table is changed by hand under it.  Hosts pr (the registrar), pr2
# (its ENRP peer over TCP) and cl (the fuzzer) are network namespaces
# on one bridge.  Then it must serve on as if nothing had happened: a
# new PE registers, both registrars resolve it, and the peers see each
# other.  Under run.sh the daemon is rserpoold-san, and any sanitizer
# report fails the run.  PROTO_FUZZ_SEED picks the conversation (1).
# TAP output.

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/selftests/tap.sh"
PRD=${RSP_PRD:-$top/user/rserpoold/rserpoold}
TIMERS="--heartbeat 500 --max-last-heard 1500 --max-no-response 1500"
secs=${PROTO_FUZZ_SECONDS:-30}
seed=${PROTO_FUZZ_SEED:-1}
# pr HOST ID PEER [OPTION...]: rserpoold in HOST.
pr() {
	h=$1 id=$2 peer=$3; shift 3
	ip netns exec $h "$PRD" -i $id -P tcp:$peer $TIMERS -k 1000 -K 1000 \
		--asap-announce off -v "$@" > "$T/$h.log" 2>&1 &
	echo $! > "$T/$h.pid"
}
alive() { kill -0 "$(cat "$T/$1.pid")" 2>/dev/null && echo yes; }

echo "TAP version 13"
modprobe -q sctp
insmod "$top/kernel/rserpool.ko" || { echo "not ok 1 - insmod"; exit 1; }
hosts 10.13.0 pr pr2 cl
# pr hears presences on ENRP's multicast group; pr2 does not
pr pr 0x2222 10.13.0.2
pr pr2 0x3333 10.13.0.1 --enrp-announce off
until_eq 10 yes sh -c "ip netns exec pr $R -j peers 2>/dev/null |
	jq -e '.peers[0].state == \"up\"' > /dev/null && echo yes" > /dev/null

# Meanwhile, changes pr hears of from its kernel: PEs put by hand (its
# own, a fake registrar's) and deleted, one reported unreachable, a fake
# registrar's PEs flushed, now and then the whole table.
chaos() {
	i=0
	while [ -e "$T/fuzzing" ]; do
		id=$((i / 6 % 5 + 1))
		case $((i % 6)) in
		0) set -- pe add F1 id $id home 0x2222 ;;
		1) set -- pe add F2 id $id home 0x7001 ;;
		2) set -- report F2 id $id ;;
		3) set -- pe del F1 id $id ;;
		4) set -- pe flush home 0x7002 ;;
		5) set -- $([ $((i % 5)) -eq 0 ] && echo flush || echo stats) ;;
		esac
		i=$((i + 1))
		[ "$2" = add ] && set -- "$@" proto tcp port 7 addr 10.13.0.3 \
			policy rr
		ip netns exec pr $R "$@" && echo "$*" >> "$T/chaos.ok"
		sleep 0.2
	done > /dev/null 2>&1
}
touch "$T/fuzzing"
chaos &
chaos=$!
echo "# proto_fuzz.py: $secs s, seed $seed"
out=$(ip netns exec cl timeout $((secs + 60)) python3 \
	"$top/selftests/proto_fuzz.py" 10.13.0.1 "$secs" "$seed" --sctp --mcast)
rc=$?
rm "$T/fuzzing"
wait $chaos
echo "# $out"
eq "random ASAP and ENRP over TCP, SCTP and multicast, all of it taken" \
	"$rc $(echo "$out" | awk '{ print ($2 >= 5000) }')" "0 1"
eq "... and 20 changes of its table by hand or more, of 4 kinds or more" \
	"$(awk '{ n++; k[$1 $2] = 1 } END { print (n >= 20), (length(k) >= 4) }' \
	   "$T/chaos.ok")" "1 1"
awk '{ print $1, $2 }' "$T/chaos.ok" | sort | uniq -c | sed 's/^/# /'
eq "pr serves on" "$(alive pr) $(alive pr2)" "yes yes"
eq "... having dropped and counted the malformed and unknown (over 1 000)" \
	"$(ip netns exec pr $R -j peers | jq '.dropped > 1000')" true
echo "# dropped: $(ip netns exec pr $R -j peers | jq .dropped)"
eq "... having heard fake registrars on the multicast group" \
	"$(grep -c 'found by its multicast presence' "$T/pr.log" |
	   awk '{ print ($1 > 0) }')" 1

# A PE of its own now, over TCP, under a handle the fuzzer does not use.
ip netns exec cl python3 "$top/selftests/asap_tcp.py" 10.13.0.1 3863 \
	pe After 77 10.13.0.3 > "$T/after.log" 2>&1 &
after=$!
eq "then a PE registers at pr" \
	"$(until_eq 20 registered head -n 1 "$T/after.log")" registered
eq "... pr resolves it" \
	"$(ip netns exec cl python3 "$top/selftests/asap_tcp.py" \
	   10.13.0.1 3863 resolve After)" 77
eq "... and pr2 learns it over ENRP and resolves it" \
	"$(POLL=0.5 until_eq 20 77 ip netns exec cl python3 \
	   "$top/selftests/asap_tcp.py" 10.13.0.2 3863 resolve After)" 77
eq "the two still peer (rspctl peers at pr: pr2 up)" \
	"$(until_eq 10 "13107 up" sh -c "ip netns exec pr $R -j peers |
	   jq -r '.peers[] | select(.id == 13107) | \"\(.id) \(.state)\"'")" \
	"13107 up"
kill $after
wait $after 2>/dev/null
kill "$(cat "$T/pr.pid")"
wait "$(cat "$T/pr.pid")"
eq "pr ends cleanly on SIGTERM (status 0)" "$?" 0

[ $failed -eq 0 ] || { tail -n 40 "$T/pr.log" | sed 's/^/# pr: /';
		       tail -n 20 "$T/pr2.log" | sed 's/^/# pr2: /'; }
echo "1..$n"
hosts_down pr pr2 cl
rmmod rserpool
rm -rf "$T"
[ $failed -eq 0 ]
