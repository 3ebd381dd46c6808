#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Two rserpoold registrars peering over ENRP.  Hosts pr1 and pr2 (the
# registrars, each with its own kernel handlespace), pe1 and pe2 (rsplib's
# rspserver -echo) and pu (rsplib's rspterminal) are network namespaces
# on one bridge.  A registrar that starts late learns its peer's PEs;
# registrations and deregistrations at one reach the other; a PU served
# by one reaches a PE registered at the other; a dead peer's PEs go; a
# PE that another registrar names itself the home of is let go silently.
# ENRP runs over SCTP, or over TCP with "enrp.sh tcp".  TAP output.

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/selftests/tap.sh"
PRD=${RSP_PRD:-$top/user/rserpoold/rserpoold}
TIMERS="--heartbeat 500 --max-last-heard 1500 --max-no-response 1500"
via=${1:-sctp}
case $via in
sctp|tcp) ;;
*) echo "usage: enrp.sh [sctp|tcp]" >&2; exit 2 ;;
esac
# homes NS HANDLE: "id@home" of every PE of HANDLE in NS's handlespace.
homes() {
	ip netns exec "$1" $R -j pe show "$2" 2>/dev/null |
		jq -r '[.[] | "\(.id)@\(.home)"] | sort | join(" ")'
}
count() { ip netns exec "$1" $R -j pe show "$2" 2>/dev/null | jq length; }
# own NS: how many PEs NS's registrar is home for.
own() { ip netns exec "$1" $R -j peers 2>/dev/null | jq '.pes'; }
# pe N REGISTRAR: rspserver -echo in host peN, registered there, for
# 6 s at a time (re-registering every 2 s).
pe() {
	ip netns exec pe$1 rspserver -echo -registrar=$2:3863 \
		-poolhandle=EchoPool -rereginterval=2000 -quiet \
		> "$T/pe$1.log" 2>&1 &
	echo $! > "$T/pe$1.pid"
}
# pr N ID PEER: rserpoold in host prN; no ASAP announces, or the PEs
# would go to whichever registrar announces itself when theirs is gone.
pr() {
	ip netns exec pr$1 "$PRD" -i $2 -P $via:$3 $TIMERS -k 1000 -K 1000 -vv \
		--asap-announce off \
		> "$T/pr$1.log" 2>&1 &
	echo $! > "$T/pr$1.pid"
}
id_of() { printf '%d' "0x$(sed -n "s/.*PE \([0-9a-f]*\) registered.*/\1/p" \
	"$T/$1.log" | tail -n 1)"; }

echo "TAP version 13"
modprobe -q sctp
insmod "$top/kernel/rserpool.ko" || { echo "not ok 1 - insmod"; exit 1; }
hosts 10.12.0 pr1 pr2 pe1 pe2 pu

capture "$T/cap.pcapng"
pr 1 0x1111 10.12.0.2
sleep 1
pe 1 10.12.0.1
eq "a PE registers at pr1 (home 0x1111)" \
	"$(until_eq 15 1 count pr1 EchoPool) $(ip netns exec pr1 $R -j pe show EchoPool | jq '.[0].home')" \
	"1 4369"
a=$(ip netns exec pr1 $R -j pe show EchoPool | jq '.[0].id')

pr 2 0x2222 10.12.0.1
eq "pr2, started later, learns it from pr1 (handle table)" \
	"$(until_eq 15 "$a@4369" homes pr2 EchoPool)" "$a@4369"
eq "... with the ASAP transport the PE registered from (port, address)" \
	"$(ip netns exec pr2 $R -j pe show EchoPool |
	   jq -r '.[0].asap | "\(.port > 0) \(.addrs | join(","))"')" \
	"true 10.12.0.3"
# A PE that pr2 holds for pr1 but pr1 does not have: pr1's presence
# checksum differs from pr2's view of pr1, pr2 reads pr1's table again
# and drops what it lacks.
ip netns exec pr2 $R pe add EchoPool id 99 proto sctp port 9 \
	addr 10.12.0.9 policy rr home 0x1111
eq "a stale PE of pr1 at pr2 goes after a checksum mismatch" \
	"$(until_eq 10 "$a@4369" homes pr2 EchoPool)" "$a@4369"
grep -q "peer 00001111: 1 PEs it no longer has removed" "$T/pr2.log"
eq "... after reading pr1's table again" "$?" 0
eq "rspctl -j peers at pr2: pr1 is up and owns 1 PE" \
	"$(ip netns exec pr2 $R -j peers |
	   jq -r '"\(.id) \(.peers[0].id) \(.peers[0].state) \(.peers[0].pes)"')" \
	"8738 4369 up 1"
eq "rspctl peers: one line per peer" \
	"$(ip netns exec pr2 $R peers | sed -n 's/ heard [0-9]*ms ago//; 2p')" \
	"peer 0x1111 addr 10.12.0.1 transport $via state up link up pes 1"
# Over TCP: connections to port 9901 and no SCTP association; over SCTP
# the other way round.
links() {
	echo "tcp=$(ip netns exec pr2 ss -Htn state established \
		'( sport = :9901 or dport = :9901 )' | wc -l)" \
	     "sctp=$(ip netns exec pr2 awk \
		'NR > 1 && ($12 == 9901 || $13 == 9901)' \
		/proc/net/sctp/assocs | wc -l)"
}
case $via in
tcp) want="tcp=[12] sctp=0" ;;
sctp) want="tcp=0 sctp=1" ;;
esac
got=$(links)
case $got in
$want) ok "ENRP runs over $via ($got)" ;;
*) nok "ENRP runs over $via: $got, want $want" ;;
esac
fails "rspctl peers where no rserpoold runs: says so" \
	"no rserpoold in this network namespace" ip netns exec pu $R peers
got=$(echoed pu 10.12.0.2:3863 "hello peer")
eq "a PU of pr2 gets the echo of the PE registered at pr1" \
	"$(printf '%d' "0x${got:-0}")" "$a"

pe 2 10.12.0.2
until_eq 15 1 count pr2 EchoPool > /dev/null
b=$(ip netns exec pr2 $R -j pe show EchoPool |
	jq --argjson a "$a" '[.[] | select(.id != $a)][0].id')
eq "a PE registered at pr2 reaches pr1 (handle update), home 0x2222" \
	"$(until_eq 10 "$(printf '%s\n' "$a@4369" "$b@8738" | sort |
			   tr '\n' ' ' | sed 's/ $//')" homes pr1 EchoPool)" \
	"$(printf '%s\n' "$a@4369" "$b@8738" | sort | tr '\n' ' ' |
	   sed 's/ $//')"
kill -INT "$(cat "$T/pe2.pid")"
eq "its deregistration at pr2 reaches pr1" \
	"$(until_eq 10 "$a@4369" homes pr1 EchoPool)" "$a@4369"
eq "... and pr2 has it gone too" "$(homes pr2 EchoPool)" "$a@4369"
# Presences have come and gone meanwhile, each with its sender's PE
# checksum, which the receiver's kernel sums for its view (HOME_GET): a
# sum that differed would make it read the table again.
eq "the kernel's checksum of a peer's PEs matches the peer's own" \
	"$(cat "$T/pr1.log" "$T/pr2.log" | grep -c 'its PE checksum is')" \
	"1"

# A report at pr2 (the socket option, or rspctl here) reaches pr1, a's
# home, as ASAP ENDPOINT_UNREACHABLE.
reports() { ip netns exec "$1" $R -j pe show EchoPool id "$2" 2>/dev/null |
	jq '.[0].reports // 0'; }
ip netns exec pr2 $R report EchoPool id "$a" > /dev/null
eq "a report at pr2 reaches pr1, the PE's home" \
	"$(until_eq 10 1 reports pr1 "$a")" 1
if [ "$via" = tcp ]; then
	eq "... over TCP, as pr1 speaks ENRP (ASAP connection to 3863)" \
		"$(ip netns exec pr1 ss -Htn state established \
		   '( sport = :3863 )' dst 10.12.0.2 | wc -l)" 1
fi

capture_end
check_decoded "$T/cap.pcapng" 10.12.0.1
check_decoded "$T/cap.pcapng" 10.12.0.2
d=$(decoded "$T/cap.pcapng" 10.12.0.1 $via)
eq "... ENRP among them, over $via" \
	"$([ "${d%% *}" -gt 5 ] && echo decoded) ${d#* }" "decoded bad 0"

# pr1 restarts with its ID: its PE is still in pr1's kernel and pr1 is its
# home again (keep-alives to its ASAP transport).
kill -9 "$(cat "$T/pr1.pid")"
sleep 0.5
pr 1 0x1111 10.12.0.2
sleep 4
eq "pr1 restarted with its ID keeps its PE, home 0x1111, at both" \
	"$(homes pr1 EchoPool) $(homes pr2 EchoPool)" "$a@4369 $a@4369"
grep -q "PE .* is ours from before" "$T/pr1.log"
eq "... taking it back from the kernel table" "$?" 0

kill -9 "$(cat "$T/pr1.pid")"
eq "pr1 dies: pr2 takes its PE over (home 0x2222)" \
	"$(until_eq 15 "$a@8738" homes pr2 EchoPool)" "$a@8738"
grep -q "took over peer 00001111: 1 of its 1 PEs" "$T/pr2.log"
eq "... alone: no other peer to agree" "$?" 0
sleep 8
eq "its keep-alive ACKs renew its 6 s life: still there 8 s later" \
	"$(homes pr2 EchoPool)" "$a@8738"
eq "a PU of pr2 still reaches it" \
	"$(printf '%d' "0x$(echoed pu 10.12.0.2:3863 "hello again")")" "$a"
# A registrar over ENRP/TCP that sends what pr2 does not know: ENRP_ERROR
# as the action bits say (RFC 5354), and pr2 answers it on.
eq "ENRP: unknown types get what their action bits say (RFC 5354)" \
	"$(ip netns exec pu timeout 20 python3 "$top/selftests/asap_tcp.py" \
	   10.12.0.2 9901 enrp-unknown 0x7777)" \
	"error:0x2:0x4b error:0x1:0x4123 error:0x1:0xc123 list"
# A peer that takes itself over (INIT_TAKEOVER, TAKEOVER_SERVER of its
# own ID): no ACK, no reset of it, and the link it came on stays.
eq "ENRP: a peer's takeover of itself is dropped, its link stays" \
	"$(ip netns exec pu timeout 20 python3 "$top/selftests/asap_tcp.py" \
	   10.12.0.2 9901 enrp-self 0x7778)" "list"
kill -0 "$(cat "$T/pr2.pid")"
eq "... and pr2 serves on" "$?" 0
# A registrar that says it is home of one of pr2's PEs (it took pr2 over,
# or the PE moved to it): pr2 lets the PE go without a word to ENRP (a
# deletion would take it from every peer) and sends it no keep-alives.
ip netns exec pe2 python3 "$top/selftests/asap_tcp.py" 10.12.0.2 3863 \
	pe Moved 5 10.12.0.4 > "$T/moved-pe.log" 2>&1 &
mpe=$!
eq "a PE registers at pr2 over TCP (home 0x2222)" \
	"$(until_eq 20 5@8738 homes pr2 Moved)" "5@8738"
ip netns exec pu python3 "$top/selftests/asap_tcp.py" 10.12.0.2 9901 \
	enrp-moved 0x7777 Moved 5 10.12.0.4 > "$T/moved.log" 2>&1 &
mpeer=$!
until_eq 20 moved cat "$T/moved.log" > /dev/null
eq "a peer names itself its home (update): pr2 has it so, and is home for its other PE only" \
	"$(homes pr2 Moved) $(own pr2)" "5@30583 1"
eq "... and says so" \
	"$(grep -c "PE 00000005 of Moved: its home is 00007777 now" "$T/pr2.log")" 1
kill $mpeer $mpe
wait $mpeer $mpe 2>/dev/null
kill -0 "$(cat "$T/pr2.pid")"
eq "pr2 serves on" "$?" 0
# A registrar that reads pr2's whole table (more than one response) and
# leaves after the first: when it comes back, its read starts again.
ip netns exec pe2 python3 "$top/selftests/asap_tcp.py" 10.12.0.2 3863 \
	bulk Many 600 10.12.0.4 > "$T/bulk.log" 2>&1 &
bpe=$!
until_eq 60 "registered 600" cat "$T/bulk.log" > /dev/null
eq "a peer that leaves in the middle of the whole table reads it from the start again" \
	"$(ip netns exec pu timeout 20 python3 "$top/selftests/asap_tcp.py" \
	   10.12.0.2 9901 enrp-reread 0x7878)" "again"
# The same over SCTP, where it is the association's end (SHUTDOWN_COMP)
# that tells pr2, not a closed connection.
eq "... over SCTP too" \
	"$(ip netns exec pu timeout 20 python3 "$top/selftests/asap_tcp.py" \
	   --sctp 10.12.0.2 9901 enrp-reread 0x7879)" "again"
# A peer that stays but does not ask for the rest within MAX-TIME-LAST-
# HEARD and MAX-TIME-NO-RESPONSE (3 s here) has given the read up: its
# next request starts it again, and pr2 does not keep the rest meanwhile.
eq "a peer that stops reading and asks again later reads from the start" \
	"$(ip netns exec pu timeout 20 python3 "$top/selftests/asap_tcp.py" \
	   10.12.0.2 9901 enrp-reread 0x787a 4)" "again"
eq "... and pr2 said it dropped the read" \
	"$(grep -c "peer 0000787a stopped reading our table: dropped" \
	   "$T/pr2.log")" 1
kill $bpe
wait $bpe 2>/dev/null
# A peer's table with a PE the kernel refuses (pool Mix is least used at
# pr2, put by hand): the PEs come in one request of RSP_A_PE nests, which
# the refused one ends; each then goes alone, and the others are learned.
ip netns exec pr2 $R pe add Mix id 100 proto tcp port 7 addr 10.12.0.9 \
	policy lu load 0
ip netns exec pu python3 "$top/selftests/asap_tcp.py" 10.12.0.2 9901 \
	enrp-table 0x7a7a 10.12.0.5 MixA:1 Mix:2 MixB:3 MixA:4 \
	> "$T/mix.log" 2>&1 &
mix=$!
until_eq 20 read sh -c "head -n 1 '$T/mix.log'" > /dev/null
eq "a peer's table with a PE the kernel refuses: the others learned" \
	"$(until_eq 10 "1@31354 4@31354" homes pr2 MixA) $(homes pr2 MixB) $(homes pr2 Mix)" \
	"1@31354 4@31354 3@31354 100@0"
# pr2's view of the peer then lacks it: its checksum differs, and pr2
# reads the table once more for that checksum, no more.
sleep 2
eq "... which it refused on both reads, the second for the checksum" \
	"$(grep -c "PE 00000002 from 00007a7a refused: Invalid argument" \
	   "$T/pr2.log") $(grep -c "peer 00007a7a: .*reading its table again" \
	   "$T/pr2.log")" "2 1"
kill $mix
wait $mix 2>/dev/null

[ $failed -eq 0 ] || { sed 's/^/# pr1: /' "$T/pr1.log";
		       sed 's/^/# pr2: /' "$T/pr2.log"; }
echo "1..$n"
hosts_down pr1 pr2 pe1 pe2 pu
rmmod rserpool
rm -rf "$T"
[ $failed -eq 0 ]
