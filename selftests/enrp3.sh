#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Three rserpoold registrars, over SCTP or (with "tcp") over TCP alone.
# pr1 and pr2 find each other by the ENRP presences multicast on
# 239.0.0.51:9901.  10 000 PEs registered at pr1 reach pr2 as handle
# updates, a PE of pr2 reaches pr1.  pr3 starts after them, with pr1 as
# its only peer and no multicast: pr1 is its mentor, whose list names pr2
# and whose whole table gives pr3 every PE with its home.  A PE
# registered at pr1 while pr3 reads that table reaches pr3 in an update,
# and stays.  A PE registered at pr2 then reaches the others.  When pr1
# dies, pr3 (over SCTP) or pr2 (over TCP) takes its PEs over with the
# other agreeing, and both hold all of them homed there.  A flush of the
# taker's kernel table, whose events its daemon cannot all read, still
# reaches it and the other.  TAP output.

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/selftests/tap.sh"
PRD=${RSP_PRD:-$top/user/rserpoold/rserpoold}
N=10000
POLL=1		# each poll dumps the kernel table at a daemon
via=${1:-sctp}
case $via in
sctp|tcp) ;;
*) echo "usage: enrp3.sh [sctp|tcp]" >&2; exit 2 ;;
esac
TCPC="python3 $top/selftests/asap_tcp.py"

# pr N ID [PEER [OPTION...]]: rserpoold in host prN.  Over TCP there is
# no SCTP at all.  Keep-alives are rare: the PEs of the test live an hour
# and need none.
pr() {
	num=$1 id=$2 peers=
	[ -z "$3" ] || peers="-P $via:$3"
	shift 2; [ $# -eq 0 ] || shift
	[ $via = sctp ] || peers="$peers --no-sctp"
	# shellcheck disable=SC2086
	ip netns exec pr$num "$PRD" -i $id $peers --heartbeat 1000 \
		--max-last-heard 3000 --max-no-response 3000 \
		--takeover-timeout 3000 -k 600000 -K 5000 -v "$@" \
		> "$T/pr$num.log" 2>&1 &
	echo $! > "$T/pr$num.pid"
}
# pes NS HOME: how many PEs NS's kernel holds with home HOME (a peer).
pes() {
	ip netns exec "$1" $R -j peers 2>/dev/null |
		jq --argjson h "$2" '[.peers[] | select(.id == $h) | .pes] | add // 0'
}
# others: the PEs of pr2 at pr1 and at pr3.
others() { echo "$(pes pr1 8738) $(pes pr3 8738)"; }
# up NS: the peers of NS up over $via.
up() {
	ip netns exec "$1" $R -j peers | jq -r --arg v "$via" \
		'[.peers[] | select(.state == "up" and .transport == $v)] |
		 length'
}
# own NS: how many PEs NS's registrar is home for.
own() { ip netns exec "$1" $R -j peers 2>/dev/null | jq '.pes'; }

echo "TAP version 13"
modprobe -q sctp
insmod "$top/kernel/rserpool.ko" || { echo "not ok 1 - insmod"; exit 1; }
hosts 10.13.0 pr1 pr2 pr3 pe

# The taker of pr1 is chosen, not left to chance: the registrar that
# finds pr1 silent first takes it over, so the other hears it late.
# Over SCTP pr3 (which learnt pr1's PEs from a whole table) takes over,
# over TCP pr2 (which learnt them by updates).
taker=pr3 other=pr2 tid=13107	# the taker's ID
late2="--max-last-heard 8000" late3=
if [ $via = tcp ]; then
	taker=pr2 other=pr3 tid=8738 late3=$late2 late2=
fi
pr 1 0x1111
# shellcheck disable=SC2086
pr 2 0x2222 "" $late2
both_up() { echo "$(up pr1) $(up pr2)"; }
eq "pr1 and pr2 find each other by multicast presence, up over $via" \
	"$(until_eq 30 "1 1" both_up)" "1 1"
ip netns exec pe $TCPC 10.13.0.1 3863 bulk Pool $N 10.13.0.4 10 \
	> "$T/bulk.log" 2>&1 &
bulk=$!
eq "$N PEs in 10 pools register at pr1" \
	"$(until_eq 120 "registered $N" cat "$T/bulk.log")" "registered $N"
eq "... pr1 is home for all of them" "$(own pr1)" $N
eq "... pr2 holds them all, home pr1 (handle updates over $via)" \
	"$(until_eq 60 $N pes pr2 4369)" $N
ip netns exec pe $TCPC 10.13.0.2 3863 pe First 7 10.13.0.4 \
	> "$T/first.log" 2>&1 &
first=$!
eq "a PE registered at pr2 reaches pr1, home pr2" \
	"$(until_eq 30 1 pes pr1 8738)" 1

# A PE put by hand (no home) is in pr3's kernel before it starts: then
# not every PE there is pr3's own, and its read of the whole table ends
# with the check for stale PEs (that the PE below must pass).
ip netns exec pr3 $R pe add Local id 1 proto tcp port 7 addr 10.13.0.3 \
	policy rr
start=$(date +%s)
# shellcheck disable=SC2086
pr 3 0x3333 10.13.0.1 --enrp-announce off $late3
# pr3 stops once it has asked pr1 for the table, which pr1 then takes as
# it is; a PE registered at pr1 meanwhile reaches pr3 as an update in
# the middle of the read.  It is newer than the table, not stale.  The
# read takes under a second, less than a loop of polls (each program
# started costs a third of one in the guest): one grep follows the log
# and the stop is a builtin.
reading() {
	grep -c "peer 00001111: \(reading its\|its\) whole table" \
		"$T/pr3.log"
}
pid3=$(cat "$T/pr3.pid")
mkfifo "$T/follow"
tail -s 0.02 -n +1 -f "$T/pr3.log" > "$T/follow" &
follow=$!
timeout 60 grep -q -m1 "peer 00001111: reading its whole table" \
	< "$T/follow"
kill -STOP "$pid3"
kill "$follow"
eq "pr3 asked its mentor pr1 for the whole table, and stops reading it" \
	"$(reading)" 1
ip netns exec pe $TCPC 10.13.0.1 3863 pe During 7 10.13.0.4 \
	> "$T/during.log" 2>&1 &
during=$!
eq "... a PE registered at pr1 then reaches pr2" \
	"$(until_eq 30 $((N + 1)) pes pr2 4369)" $((N + 1))
kill -CONT "$(cat "$T/pr3.pid")"
N=$((N + 1))	# pr1 is home for them all
eq "pr3, started after them, holds all $N, home pr1 (its mentor's table)" \
	"$(until_eq 90 $N pes pr3 4369)" $N
echo "# pr3 had the $N PEs $(($(date +%s) - start)) s after its start"
eq "... pr2's PE too, home pr2" "$(until_eq 30 1 pes pr3 8738)" 1
eq "... pr1, its mentor, gave it the whole table, and the PE in an update" \
	"$(grep -o "peer 00001111: its whole table read, [0-9]* PEs" \
	   "$T/pr3.log")" \
	"peer 00001111: its whole table read, $((N + 1)) PEs"
eq "... which stays: it is no PE pr1 no longer has" \
	"$(grep -c "no longer has removed" "$T/pr3.log")" 0
eq "... and its events told it nothing it had put itself: none lost" \
	"$(grep -c "kernel events were lost" "$T/pr3.log" "$T/pr2.log")" \
	"$T/pr3.log:0
$T/pr2.log:0"
eq "... and named pr2, which pr3 knows only from that list" \
	"$(grep -c "peer 00002222 found in our mentor's list" "$T/pr3.log")" 1
eq "... in the 10 pools: pool Pool-7 has $((N / 10))" \
	"$(ip netns exec pr3 $R -j pe show Pool-7 | jq length)" $((N / 10))
eq "... with their user transport (TCP port 7 at pe)" \
	"$(ip netns exec pr3 $R -j pe show Pool-7 |
	   jq -r '[.[] | "\(.proto) \(.port) \(.addrs[0])"] | unique |
		  join(",")')" "tcp 7 10.13.0.4"
eq "... and their ASAP transport, TCP: they registered over TCP" \
	"$(ip netns exec pr3 $R -j pe show Pool-7 |
	   jq -r '[.[] | "\(.asap.proto) \(.asap.addrs[0])"] | unique |
		  join(",")')" "tcp 10.13.0.4"

ip netns exec pe $TCPC 10.13.0.2 3863 pe Other 7 10.13.0.4 \
	> "$T/pe.log" 2>&1 &
pe=$!
eq "a PE registered at pr2 later reaches pr1 and pr3, home pr2" \
	"$(until_eq 30 "2 2" others)" "2 2"
eq "every registrar sees the two others up over $via" \
	"$(for k in 1 2 3; do up pr$k; done | tr '\n' ' ')" "2 2 2 "

# The one that finds pr1 gone first takes it over; the other agrees.  The
# two end up with every PE homed at one of them.
kill -9 "$(cat "$T/pr1.pid")"
# homed NS: the PEs NS holds homed at pr2 or pr3, and those of pr1.
homed() {
	j=$(ip netns exec "$1" $R -j peers 2>/dev/null) || return
	echo "$j" | jq -r '"\(.pes + ([.peers[] | select(.id == 8738 or
		.id == 13107) | .pes] | add // 0)) \([.peers[] |
		select(.id == 4369) | .pes] | add // 0)"'
}
eq "pr1 dies: pr2 has all $((N + 2)) PEs homed at pr2 or pr3, none at pr1" \
	"$(until_eq 120 "$((N + 2)) 0" homed pr2)" "$((N + 2)) 0"
eq "... and so has pr3" "$(until_eq 60 "$((N + 2)) 0" homed pr3)" \
	"$((N + 2)) 0"
takers=$(grep -l "took over peer 00001111: $N of its $N PEs" \
	"$T/pr2.log" "$T/pr3.log" | sed 's|.*/||; s|\.log||' | tr '\n' ' ')
eq "... $taker took pr1's $N PEs over" "$takers" "$taker "
grep -q "takes 00001111 over: agreed" "$T/$other.log"
eq "... the other ($other) agreed" "$?" 0
# They registered over TCP with pr1: no keep-alive reaches them now.
unreached() {
	grep -c "^rserpoold: $N PEs we are home for have no ASAP transport we can reach" \
		"$T/$taker.log"
}
eq "... and it says, once, that it cannot send them keep-alives" \
	"$(until_eq 30 1 unreached)" 1
# Had it waited for ACKs of keep-alives it never sent, the keep-alive
# timeout (-K 5000) would remove them.
sleep 6
eq "... and keeps them past the keep-alive timeout: their life decides" \
	"$(homed "$taker")" "$((N + 2)) 0"

# A flush of the taker's kernel table removes its PEs in one burst whose
# events overflow its event socket: it finds them gone in the table, and
# tells the other.
mine=$(own "$taker")
ip netns exec "$taker" $R flush > /dev/null
eq "the taker's table flushed: its PE_DEL events lost, it has no PE left" \
	"$(until_eq 30 0 own "$taker")" 0
eq "... found gone in the table, not in the events" \
	"$(grep -o "[0-9]* PEs we were home for left the kernel's table unseen" \
	   "$T/$taker.log" | awk '{ n += $1 } END { print (n > 0 && n <= m) }' m="$mine")" 1
eq "... and $other, told, holds none of them" \
	"$(until_eq 30 0 pes "$other" $tid)" 0
kill "$pe" "$first" "$bulk" "$during" 2>/dev/null
wait "$pe" "$first" "$bulk" "$during" 2>/dev/null
[ $failed -eq 0 ] || for k in 1 2 3; do
	tail -n 40 "$T/pr$k.log" | sed "s/^/# pr$k: /"
done
kill "$(cat "$T/pr2.pid")" "$(cat "$T/pr3.pid")"
wait
echo "1..$n"
hosts_down pr1 pr2 pr3 pe
rmmod rserpool
rm -rf "$T"
[ $failed -eq 0 ]
