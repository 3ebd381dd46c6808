#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The kernel handlespace through rspctl, in a guest of tools/vm/run.sh:
# load the module, build pools, select from them with several policies,
# watch the events, break the rules, cross namespaces, fill it with
# 100 000 PEs, and unload it with all of that still inside.  TAP output.

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/selftests/tap.sh"
jqr() { jq -r "$@"; }
pe_ids() { $R -j pe show "$@" | jqr '[.[].id] | join(" ")'; }
picks() {	# picks HANDLE N: the IDs of N single selections
	i=0 out=
	while [ $i -lt "$2" ]; do
		out="$out $($R -j resolve "$1" | jqr '.pes[0].id')"
		i=$((i + 1))
	done
	echo $out
}

echo "TAP version 13"
echo "# kernel $(uname -r)"
modprobe -q sctp 2>/dev/null
check "insmod rserpool.ko" insmod "$top/kernel/rserpool.ko"
eq "the module is live" "$(cat /sys/module/rserpool/initstate)" live
eq "an empty handlespace" "$($R -j pool show)" "[]"

# --- A pool of three echo servers, round robin ------------------------
for i in 1 2 3; do
	$R pe add echo id $i proto tcp port 7 addr 10.0.0.$i policy rr
done
eq "pe show lists three PEs in ID order" "$(pe_ids)" "1 2 3"
eq "pool show: policy, proto, size" \
	"$($R -j pool show echo | jqr '.[0] | "\(.policy) \(.proto) \(.pes)"')" \
	"rr tcp 3"
eq "-p prints the same JSON" "$($R -j -p pe show echo | jq -c .)" \
	"$($R -j pe show echo | jq -c .)"
check "... indented, one member a line" \
	test "$($R -j -p pe show echo | grep -c '^    \"id\": ')" = 3
eq "round robin visits every PE in turn" "$(picks echo 6)" "1 2 3 1 2 3"
eq "resolve count 2 returns two distinct PEs, head advanced by one" \
	"$($R -j resolve echo count 2 | jqr '[.pes[].id] | join(" ")')" "1 2"
eq "a PE's address and port" \
	"$($R -j pe show echo id 2 | jqr '.[0] | "\(.addrs[0]):\(.port)"')" \
	"10.0.0.2:7"
# Requests with an answer, one after another on one socket: each gets
# its own (libnl stops before the ACK that follows an answer).
for i in 1 2 3; do
	echo "pe add bq id $i proto tcp port 7 addr 10.9.9.$i policy rr"
done > "$T/answers"
printf 'resolve bq count 3\npe show bq id 2\nresolve bq\n' >> "$T/answers"
for i in 1 2 3; do echo "pe del bq id $i"; done >> "$T/answers"
eq "rspctl -b: every request gets its own answer, in order" \
	"$($R -j -b "$T/answers" | jq -r 'if type == "object"
		then "r\(.pes | length)" else "s\(.[0].id)" end' |
	   tr '\n' ' ')" "r3 s2 r1 "
eq "selection counters" \
	"$($R -j pe show echo id 1 | jqr '.[0].selected')" 3

# --- Policies with parameters -------------------------------------------
$R pe add lu id 1 proto udp port 53 addr 10.0.1.1 policy lu load 40%
$R pe add lu id 2 proto udp port 53 addr 10.0.1.2 policy lu load 10%
$R pe add lu id 3 proto udp port 53 addr fd00::3 policy lu load 10%
eq "least used picks the least loaded, round robin among equals" \
	"$(picks lu 4)" "2 3 2 3"
$R pe set lu id 1 proto udp port 53 addr 10.0.1.1 policy lu load 1%
eq "pe set re-registers with a new load" "$(picks lu 2)" "1 1"
eq "load is shown as given" \
	"$($R -j pe show lu id 1 | jqr '.[0].load')" 42949673
$R pe add prio id 1 proto sctp port 9 addr 10.0.2.1 addr 10.0.3.1 \
	policy priority priority 5 use control
$R pe add prio id 2 proto sctp port 9 addr 10.0.2.2 policy priority priority 9
eq "priority picks the highest" "$(picks prio 3)" "2 2 2"
eq "an SCTP PE keeps all its addresses and transport use" \
	"$($R -j pe show prio id 1 | jqr '.[0] | "\(.addrs | join(",")) \(.use)"')" \
	"10.0.2.1,10.0.3.1 control"
$R pe add w id 1 proto tcp port 80 addr 10.0.4.1 policy wrand weight 1
$R pe add w id 2 proto tcp port 80 addr 10.0.4.2 policy wrand weight 0
eq "weighted random never picks weight 0" \
	"$($R -j resolve w count 2 | jqr '[.pes[].id] | join(" ")')" "1"
$R pe add 0x00ff id 1 proto tcp port 1 addr 10.0.5.1 policy random
eq "a binary handle given in hex is shown in hex" \
	"$($R -j pool show 0x00ff | jqr '.[0].handle')" "0x00ff"

# --- Rules ---------------------------------------------------------------
fails "a PE with another policy is refused" "inconsistent pooling policy" \
	$R pe add echo id 9 proto tcp port 7 addr 10.0.0.9 policy random
fails "a PE with another transport is refused" "inconsistent transport type" \
	$R pe add echo id 9 proto udp port 7 addr 10.0.0.9 policy rr
fails "an existing PE is not added twice" "File exists" \
	$R pe add echo id 1 proto tcp port 7 addr 10.0.0.1 policy rr
check "... unless replace is given" \
	$R pe add echo id 1 proto tcp port 7 addr 10.0.0.11 policy rr replace
fails "pe set of a missing PE" "no such PE" \
	$R pe set echo id 9 proto tcp port 7 addr 10.0.0.9 policy rr
fails "a policy parameter that does not belong" "policy rr takes no parameters" \
	$R pe add echo id 9 proto tcp port 7 addr 10.0.0.9 policy rr weight 3
fails "a missing policy parameter" "policy lu needs load" \
	$R pe add lu id 9 proto udp port 53 addr 10.0.1.9 policy lu
fails "an unknown policy" 'unknown policy "fastest"' \
	$R pe add echo id 9 proto tcp port 7 addr 10.0.0.9 policy fastest
fails "a handle longer than 64 bytes" "pool handle must be 1..64 bytes" \
	$R pe add "$(printf '%065d' 0)" id 1 proto tcp port 7 addr 10.0.0.9 policy rr
fails "two addresses on a TCP PE" "only SCTP PEs have more than one address" \
	$R pe add echo id 9 proto tcp port 7 addr 10.0.0.9 addr 10.0.0.10 policy rr
fails "resolve of an unknown pool" "no such pool" $R resolve nothing
fails "delete of an unknown PE" "no such PE in this pool" $R pe del echo id 99
eq "the refused requests left the table as it was" "$(pe_ids echo)" "1 2 3"

# --- Reports, lifetimes, homes -------------------------------------------
eq "a report counts" "$($R -j report echo id 3 | jqr .reports)" 1
$R report echo 3 >/dev/null
eq "the third report removes the PE" \
	"$($R -j report echo 3 | jqr '"\(.reports) \(.removed)"')" "3 true"
eq "... and it is gone" "$(pe_ids echo)" "1 2"
$R limits set report-threshold 5
eq "limits set changes the threshold" \
	"$($R -j limits | jqr '."report-threshold"')" 5
$R limits set report-threshold 3
$R pe add short id 1 proto tcp port 7 addr 10.0.6.1 policy rr lifetime 300
$R pe add short id 2 proto tcp port 7 addr 10.0.6.2 policy rr lifetime 60000
sleep 2
eq "a PE whose lifetime ran out is removed by the kernel" "$(pe_ids short)" "2"
$R pe add homes id 1 proto tcp port 7 addr 10.0.7.1 policy rr home 7
$R pe add homes id 2 proto tcp port 7 addr 10.0.7.2 policy rr home 8
$R pe add homes-odd id 0x10003 proto tcp port 7 addr 10.0.7.3 policy rr home 7
# RFC 5353's sum, worked out here apart from the kernel's: 16-bit words of
# the handle (an odd one padded with 0), then of the ID; folded, inverted.
# (asap_tcp.py's, which its fake peers send in their presences).
enrp_sum() {	# enrp_sum HANDLE:ID...
	python3 -c 'import sys
sys.path.insert(0, sys.argv[1])
from asap_tcp import pe_checksum
print("0x%04x" % pe_checksum([(h.encode(), int(i, 0)) for h, i in
                              (a.split(":") for a in sys.argv[2:])]))' \
		"$top/selftests" "$@"
}
eq "pe checksum home: the ENRP checksum of that registrar's PEs" \
	"$($R pe checksum home 7)" \
	"home 0x7 pes 2 checksum $(enrp_sum homes:1 homes-odd:0x10003)"
eq "... in JSON" "$($R -j pe checksum home 8 | jqr '"\(.home) \(.pes) \(.checksum)"')" \
	"8 1 $(printf %d "$(enrp_sum homes:2)")"
eq "... of a home with no PEs: none, 0xffff" \
	"$($R -j pe checksum home 9 | jqr '"\(.pes) \(.checksum)"')" "0 65535"
fails "pe checksum without a home" "pe checksum: needs home PRID" \
	$R pe checksum
$R pe del homes-odd id 0x10003
eq "pe flush home deletes only that registrar's PEs" \
	"$($R -j pe flush home 7 | jqr .deleted) $(pe_ids homes)" "1 2"
eq "stats count what happened" \
	"$($R -j stats | jqr '"\(.expired) \(.unreachable)"')" "1 1"

# --- Events --------------------------------------------------------------
$R -j monitor > "$T/mon" &
mon=$!
sleep 1
$R pe add ev id 1 proto tcp port 7 addr 10.0.8.1 policy rr
$R pe set ev id 1 proto tcp port 8 addr 10.0.8.1 policy rr
$R report ev 1 >/dev/null
$R pe del ev id 1
$R pe add ev id 2 proto tcp port 7 addr 10.0.8.2 policy rr lifetime 300
sleep 2
kill -INT $mon; wait $mon
eq "monitor sees new, update, report, delete and expiry" \
	"$(jqr -s 'map(select(.handle == "ev") | "\(.event):\(.id):\(.reason // "")") | join(" ")' "$T/mon")" \
	"new:1: update:1: report:1: del:1:deleted new:2: del:2:expired"
eq "an update event carries the new data" \
	"$(jqr -s 'map(select(.event == "update"))[0].port' "$T/mon")" 8

# Whose request made a change: the event's nlmsg_pid says (0: the kernel's).
cat > "$T/whose.py" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from rsp_nl import *
ev, me, other = Rsp(), Rsp(), Rsp()
ev.subscribe()
key = [attr(A["POOL_HANDLE"], b"whose"), u32(A["PE_ID"], 1)]
me.request("PE_NEW", *pe_attrs(handle=b"whose"))
me.request("PE_NEW", *pe_attrs(handle=b"whose", port=8),
           attr(A["REPLACE"], b""))
other.request("REPORT", *key)
me.request("PE_DEL", *key)
me.request("PE_NEW", *pe_attrs(handle=b"whose", pe_id=2),
           u32(A["PE_LIFETIME"], 200))
names = {v: k.lower() for k, v in CMD.items()}
who = {me.port(): "me", other.port(): "other", 0: "kernel"}
print(" ".join(f"{names[c]}:{who.get(p, p)}" for c, p, _ in ev.events_read(6)))
PY
eq "an event carries the port of the request that made it, 0 the kernel's" \
	"$(python3 "$T/whose.py" "$top/selftests" 2>&1)" \
	"pe_new:me pe_set:me report:other pe_del:me pe_new:me pe_del:kernel"

# A quiet put (RSP_A_QUIET, a registrar loading a peer's table) raises no
# event; the PE is there all the same, and its deletion is heard.
cat > "$T/quiet.py" <<'PY'
import struct, sys
sys.path.insert(0, sys.argv[1])
from rsp_nl import *
ev, me = Rsp(), Rsp()
ev.subscribe()
q = attr(A["QUIET"], b"")
me.request("PE_NEW", *pe_attrs(handle=b"quiet"), q)
me.request("PE_SET", *pe_attrs(handle=b"quiet", port=9), q)
me.request("PE_DEL", attr(A["POOL_HANDLE"], b"quiet"), u32(A["PE_ID"], 1))
names = {v: k.lower() for k, v in CMD.items()}
port = lambda a: struct.unpack("=H", dict(parse_attrs(a))[A["PE_PORT"]])[0]
print(" ".join(f"{names[c]}:port {port(a)}"
               for c, _, a in ev.events_read(3, timeout=2)))
PY
eq "a quiet put or re-registration raises no event" \
	"$(python3 "$T/quiet.py" "$top/selftests" 2>&1)" "pe_del:port 9"

# --- Privilege and namespaces --------------------------------------------
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
eq "an unprivileged user can read" \
	"$(nobody $R -j pool show echo | jqr '.[0].pes')" 2
eq "an unprivileged user can resolve" \
	"$(nobody $R -j resolve echo | jqr '.pes | length')" 1
fails "an unprivileged user cannot add" "Operation not permitted" \
	nobody $R pe add echo id 5 proto tcp port 7 addr 10.0.0.5 policy rr
fails "an unprivileged user cannot report" "Operation not permitted" \
	nobody $R report echo 1
fails "an unprivileged user cannot flush" "Operation not permitted" \
	nobody $R flush
ip netns add rsp-a
ip netns exec rsp-a $R pe add inside id 1 proto tcp port 7 addr 10.1.0.1 policy rr
eq "a namespace has its own handlespace" \
	"$(ip netns exec rsp-a $R -j pool show | jqr '[.[].handle] | join(" ")')" \
	"inside"
fails "... which the first namespace does not see" "no such pool" \
	$R resolve inside
ip netns exec rsp-a $R -j pool show echo > "$T/out" 2>&1
eq "... nor the other way round" "$(cat "$T/out")" \
	"rspctl: pool show: No such file or directory: RSP_A_POOL_HANDLE: no such pool"
ip netns del rsp-a

# --- Bad input at the attribute level -------------------------------------
# subtap PREFIX PROGRAM: runs a TAP program and counts each of its cases.
subtap() {
	python3 "$2" > "$T/sub" 2>&1
	st=$?
	while IFS= read -r line; do
		case $line in
		"ok "*) ok "$1: ${line#ok * - }" ;;
		"not ok "*) nok "$1: ${line#not ok * - }" ;;
		esac
	done < "$T/sub"
	if [ $st -ne 0 ] && ! grep -q '^not ok' "$T/sub"; then
		nok "$1: exited with status $st"
		sed 's/^/# /' "$T/sub"
	fi
}
subtap "raw netlink" "$top/selftests/bad_input.py"
subtap "dumps" "$top/selftests/dumps.py"

# --- 100 000 PEs -----------------------------------------------------------
$R flush > /dev/null
awk 'BEGIN { for (i = 0; i < 100000; i++)
	printf "pe add big%d id %d proto tcp port 80 addr 10.%d.%d.%d policy rr\n",
	i % 10, i, i / 65536 % 256, i / 256 % 256, i % 256 + (i % 256 == 0) }' \
	> "$T/batch"
check "rspctl -b adds 100 000 PEs" $R -b "$T/batch"
$R -j pe show > "$T/dump"
eq "a dump of 100 000 PEs is complete and exact" \
	"$(jq -r '[length, (map("\(.handle)/\(.id)") | unique | length),
		  (map(select(.handle == "big\(.id % 10)")) | length)] | join(" ")' "$T/dump")" \
	"100000 100000 100000"
eq "ten pools of 10 000" \
	"$($R -j pool show | jqr '[.[].pes] | unique | join(" ")')" 10000
eq "stats agree" "$($R -j stats | jqr '"\(.pools) \(.pes)"')" "10 100000"

# A dump left half read holds the module: rmmod refuses, and succeeds once
# the reader is gone.
cat > "$T/halfdump.py" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from rsp_nl import *
rsp = Rsp()
rsp.sk.send(rsp_dump_request(rsp, "PE_GET"))
rsp.sk.recv(1 << 16)            # the first part only
print("started", flush=True)
sys.stdin.readline()
PY
mkfifo "$T/hold"
python3 "$T/halfdump.py" "$top/selftests" < "$T/hold" > "$T/half" 2>&1 &
half=$!
exec 4> "$T/hold"
i=0
while [ ! -s "$T/half" ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
eq "a dump is left half read" "$(cat "$T/half")" started
fails "rmmod refuses while a dump is in progress" "in use" rmmod rserpool
exec 4>&-
wait $half
check "rmmod with 100 000 PEs present, the dump gone" rmmod rserpool
check "insmod again gives an empty handlespace" \
	sh -c "insmod $top/kernel/rserpool.ko && [ \"\$($R -j pool show)\" = '[]' ]"
rmmod rserpool

dmesg | grep -E 'BUG:|WARNING:|general protection|refcount_t:' > "$T/dmesg"
eq "the kernel log has no warning or BUG" "$(cat "$T/dmesg")" ""

echo "1..$n"
rm -rf "$T"
[ $failed -eq 0 ]
