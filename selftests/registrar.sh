#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rserpoold with rsplib.  Hosts pr (the registrar), pe1 and pe2 (rsplib's
# rspserver -echo) and pu (rsplib's rspterminal and our ASAP-over-TCP
# client) are network namespaces on one bridge.  rsplib's PEs register
# over SCTP, its PU resolves and talks to them, deregistration, a lost
# association and a PE that stops answering keep-alives remove them; ASAP
# over TCP, its errors and bad input.  TAP output.

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/selftests/tap.sh"
PRD=${RSP_PRD:-$top/user/rserpoold/rserpoold}
TCPC="python3 $top/selftests/asap_tcp.py 10.11.0.1 3863"
in_pr() { ip netns exec pr "$@"; }
in_pu() { ip netns exec pu "$@"; }
# ids HANDLE: the PE IDs in pr's handlespace, sorted, with their home.
ids() {
	in_pr $R -j pe show "$1" 2>/dev/null |
		jq -r '[.[] | "\(.id)@\(.home)"] | sort | join(" ")'
}
count() { in_pr $R -j pe show "$1" 2>/dev/null | jq length; }
# serving CONTROL: waits (10 s at most) until the daemon of control
# socket CONTROL in pr answers.
serving() {
	until_eq 10 0 sh -c "ip netns exec pr $R peers control $1 \
		> /dev/null 2>&1; echo \$?" > /dev/null
}
announced_pe() {
	echo $(in_pr $R -j pe show AnnouncePool 2>/dev/null |
		jq 'length, .[0].home')
}
# udp_out: UDP datagrams sent from pr so far (its announces).
udp_out() {
	in_pr awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++)
		if ($i == "OutDatagrams") c = i; h = 1 } else print $c }' \
		/proc/net/snmp
}
pe() {
	ip netns exec pe$1 rspserver -echo -registrar=10.11.0.1:3863 \
		-poolhandle=EchoPool -quiet > "$T/pe$1.log" 2>&1 &
	echo $! > "$T/pe$1.pid"
}

echo "TAP version 13"
modprobe -q sctp
insmod "$top/kernel/rserpool.ko" || { echo "not ok 1 - insmod"; exit 1; }
hosts 10.11.0 pr pe1 pe2 pu
capture "$T/cap.pcapng"

# Not through in_pr: $! must be the daemon, not a subshell.
ip netns exec pr "$PRD" -i 0x5eed -k 1000 -K 1000 -vv > "$T/prd.log" 2>&1 &
prd=$!
sleep 1

# Control clients that connect and send nothing: the daemon waits for
# none of them (it once gave each a second, with rspctl queued behind).
in_pr python3 -c 'import socket, sys, time
held = [socket.socket(socket.AF_UNIX) for _ in range(9)]
for s in held:
    s.connect("\0rserpoold")
print("held", len(held), flush=True)
time.sleep(10)' > "$T/silent.log" 2>&1 &
silent=$!
until_eq 10 "held 9" cat "$T/silent.log" > /dev/null
eq "nine silent control clients hold nothing up: rspctl peers answers within 3 s" \
	"$(cat "$T/silent.log") $(in_pr timeout 3 $R -j peers | jq .id)" \
	"held 9 24301"
kill $silent
# ctl PART...: sends each part to the control socket, a moment apart;
# prints the first line of the answer.
ctl() {
	in_pr python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect("\0rserpoold")
for part in sys.argv[1:]:
    s.sendall(part.replace("\\n", "\n").encode())
    time.sleep(0.3)
out = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    out += b
print(out.decode().split("\n")[0])' "$@"
}
eq "the control socket: a line that comes in parts is answered" \
	"$(ctl pe 'ers\n' | cut -d ' ' -f 1-2)" "registrar id=24301"
eq "... an unknown request gets an error" "$(ctl 'stats\n')" \
	'error unknown request "stats"'
long=$(printf '%0100d' 0)
eq "... a line too long for a request is cut at 63 bytes and refused" \
	"$(ctl "$long")" "error unknown request \"$(printf '%063d' 0)\""

# --- rsplib PEs and PU over SCTP ----------------------------------------
pe 1
pe 2
eq "two rsplib PEs registered" \
	"$(until_eq 15 2 count EchoPool)" 2
eq "... home 0x5eed (24301), each at its own address" \
	"$(in_pr $R -j pe show EchoPool | jq -r '[.[] | "\(.home) \(.addrs | join(","))"] | sort | join(" ")')" \
	"24301 10.11.0.2 24301 10.11.0.3"
served=$(echoed pu 10.11.0.1:3863 "hello rsplib")
[ -n "$served" ] || sed 's/^/# /' "$T/pu.log"
eq "rspterminal resolves through rserpoold and gets its echo" \
	"$([ -n "$served" ] && echo echoed)" echoed
eq "... from a PE in the handlespace (\$$served)" \
	"$(in_pr $R -j pe show EchoPool |
	   jq --argjson d "$(printf '%d' "0x${served:-0}")" \
		'[.[] | select(.id == $d)] | length')" 1
eq "... which counted as a selection" \
	"$(in_pr $R -j pe show EchoPool | jq '[.[].selected] | add')" 1

# No registrar given: rsplib's PE listens on 239.0.0.50:3863 for the
# SERVER_ANNOUNCE that rserpoold multicasts every second.
ip netns exec pe1 rspserver -echo -poolhandle=AnnouncePool -quiet \
	> "$T/announced.log" 2>&1 &
announced=$!
eq "an rsplib PE given no registrar finds rserpoold by its announces" \
	"$(until_eq 20 "1 24301" announced_pe)" "1 24301"
kill -INT $announced

kill -INT "$(cat "$T/pe1.pid")"
eq "a PE that deregisters leaves the handlespace" \
	"$(until_eq 10 1 count EchoPool)" 1
kill -STOP "$(cat "$T/pe2.pid")"
eq "a PE that stops answering keep-alives is removed (1 s + 1 s)" \
	"$(until_eq 10 0 count EchoPool)" 0
grep -q "no keep-alive ACK" "$T/prd.log"
eq "... for want of its keep-alive ACK" "$?" 0
kill -CONT "$(cat "$T/pe2.pid")"
kill -9 "$(cat "$T/pe2.pid")"
pe 1
eq "a new rsplib PE registers" "$(until_eq 15 1 count EchoPool)" 1
kill -9 "$(cat "$T/pe1.pid")"
eq "a PE whose association goes away is removed" \
	"$(until_eq 10 0 count EchoPool)" 0
grep -q "its association is gone" "$T/prd.log"
eq "... for that reason" "$?" 0

# --- ASAP over TCP -------------------------------------------------------
ip netns exec pu $TCPC pe tcp-pool 7 10.11.0.4 > "$T/tcp7.log" 2>&1 &
tcp7=$!
until_eq 10 registered head -n 1 "$T/tcp7.log" > /dev/null
eq "TCP: a PE registers over ASAP/TCP" "$(head -n 1 "$T/tcp7.log")" \
	registered
eq "TCP: ... and is in the handlespace with home 0x5eed" \
	"$(ids tcp-pool)" "7@24301"
eq "TCP: handle resolution answers with it" \
	"$(in_pu $TCPC resolve tcp-pool)" 7
eq "TCP: an unknown pool handle gets cause 0x9" \
	"$(in_pu $TCPC resolve no-such-pool)" "error 0x9"
eq "TCP: an inconsistent policy is refused with cause 0x5" \
	"$(in_pu $TCPC reg tcp-pool 8 10.11.0.4 random)" "rejected 0x5"
eq "TCP: ... and changes nothing" "$(ids tcp-pool)" "7@24301"
eq "TCP: a policy with wrong parameters is refused with cause 0x3" \
	"$(in_pu $TCPC reg tcp-pool 9 10.11.0.4 rr 5)" "rejected 0x3"
dropped=$(in_pr $R -j peers | jq .dropped)
eq "TCP: unknown types get what their action bits say (RFC 5354)" \
	"$(in_pu $TCPC unknown)" \
	"error:0x2:0x7f error:0x1:0x4123 resolution:0x9 error:0x1:0xc123 resolution:0x9 resolution:0x9"
eq "TCP: malformed and unknown messages are dropped, the link serves on" \
	"$(in_pu $TCPC garbage)" "error 0x9"
sleep 3
eq "TCP: keep-alives answered over TCP keep the PE (3 s)" \
	"$(ids tcp-pool)" "7@24301"
kill -TERM $tcp7
wait $tcp7
eq "TCP: deregistration removes it" \
	"$(tail -n 1 "$T/tcp7.log") $(count tcp-pool)" "deregistered 0"
eq "... and counted (rspctl peers)" \
	"$(in_pr $R -j peers | jq ".dropped - $dropped")" 8
kill -0 $prd 2>/dev/null
eq "rserpoold is still running" "$?" 0

# 300 PEs over one connection: the home table grows, finds and drops.
ip netns exec pu $TCPC many many-pool 300 10.11.0.4 > "$T/many.log" 2>&1 &
many=$!
until_eq 60 "registered 300 deregistered 150" cat "$T/many.log" > /dev/null
eq "TCP: 300 PEs registered, the 150 odd ones deregistered" \
	"$(cat "$T/many.log") $(count many-pool) $(in_pr $R -j peers | jq .pes)" \
	"registered 300 deregistered 150 150 150"
eq "... the even ones left" \
	"$(in_pr $R -j pe show many-pool | jq -r '[.[].id % 2] | unique | join(",")')" \
	"0"
kill -TERM $many
eq "... and gone with their connection" \
	"$(until_eq 10 0 count many-pool)" 0
capture_end
# With messages that TCP segments split and join (rsp-tcp.lua frames them).
check_decoded "$T/cap.pcapng" 10.11.0.1

# A PE at the address it registers from, with its ASAP transport, keeps
# both as they are (without asking for the connection's addresses); one
# that names another address gets the one it came from.
ASAP_PORT=4000 ip netns exec pu $TCPC pe asap-pool 1 10.11.0.4 \
	> "$T/asap1.log" 2>&1 &
a1=$!
ASAP_PORT=4000 ip netns exec pu $TCPC pe asap-pool 2 10.11.0.99 \
	> "$T/asap2.log" 2>&1 &
a2=$!
until_eq 10 2 count asap-pool > /dev/null
eq "a PE's own address stays; another becomes the one it came from" \
	"$(in_pr $R -j pe show asap-pool |
	   jq -r '[.[] | "\(.id):\(.addrs | join(",")):\(.asap.port)"] | join(" ")')" \
	"1:10.11.0.4:4000 2:10.11.0.4:4000"
kill -TERM $a1 $a2
wait $a1 $a2 2>/dev/null

# A flood of registrations beyond the kernel's limit: the first ones in,
# the rest refused with Operation Error 0x6 (lack of resources), the
# table and the daemon's count agree, the daemon serves on.
in_pr $R limits set max-pes $(($(in_pr $R -j stats | jq .pes) + 100))
ip netns exec pu $TCPC bulk flood 400 10.11.0.4 > "$T/flood.log" 2>&1 &
fpid=$!
until_eq 60 "registered 100 rejected 300 causes 0x6" cat "$T/flood.log" \
	> /dev/null
eq "a flood of 400 registrations, room for 100: 300 refused, cause 0x6" \
	"$(cat "$T/flood.log")" "registered 100 rejected 300 causes 0x6"
eq "... the kernel holds the 100, the daemon is home for the 100" \
	"$(count flood) $(in_pr $R -j peers | jq .pes)" "100 100"
kill -TERM $fpid
in_pr $R limits set max-pes 1048576
eq "... gone with their connection; rserpoold serves on" \
	"$(until_eq 10 0 count flood) $(in_pu $TCPC resolve flood)" \
	"0 error 0x9"

before=$(udp_out)
sleep 3
eq "announces go out: 3 s, at least 3 datagrams (1 s cycle)" \
	"$([ $(($(udp_out) - before)) -ge 3 ] && echo yes)" yes
kill -TERM $prd
wait $prd
eq "rserpoold stops on SIGTERM with status 0" "$?" 0

# --- daemon mode, with a configuration file ------------------------------
printf '# test\nid 0x7777\ncontrol rsp-test\nno-sctp\n' > "$T/rserpoold.conf"
printf 'asap-announce off\nenrp-announce off\nmax-hr-rate 5\n' \
	>> "$T/rserpoold.conf"
ip netns exec pr "$PRD" -f "$T/rserpoold.conf" -D --pidfile "$T/prd.pid"
eq "rserpoold -D returns at once, with status 0, once serving" "$?" 0
pid=$(cat "$T/prd.pid" 2>/dev/null)
eq "... its pidfile names a running rserpoold" \
	"$(cat "/proc/${pid:-0}/comm" 2>/dev/null)" "$(basename "$PRD")"
eq "... with the ID and control socket of its configuration file" \
	"$(in_pr $R -j peers control rsp-test | jq .id)" "30583"
fails "a second daemon with the same control socket does not start" \
	"another rserpoold in this network namespace?" \
	ip netns exec pr "$PRD" -c rsp-test --no-tcp -p 3864 -e 9902
before=$(udp_out)
sleep 3
eq "... and no announce: asap-announce off, enrp-announce off" \
	"$(($(udp_out) - before))" 0
# max-hr-rate 5: a PU that sends 50 resolutions at once gets about 5
# answered (5 at once, then 5 a second), the rest dropped and counted;
# a PU at another address is not held back.
flood=$(ip netns exec pu $TCPC flood many-pool 50)
eq "max-hr-rate 5: 50 resolutions at once, 5 to 10 answered" \
	"$([ "${flood:-0}" -ge 5 ] && [ "${flood:-0}" -le 10 ] && echo yes)" yes
echo "# answered: $flood"
eq "... the others counted as limited" \
	"$(in_pr $R -j peers control rsp-test | jq .limited)" "$((50 - ${flood:-0}))"
eq "... a PU at another address still gets its answers" \
	"$(ip netns exec pe1 python3 "$top/selftests/asap_tcp.py" 10.11.0.1 \
	   3863 flood many-pool 3)" 3
kill -TERM "$pid"
# The pidfile goes before the process has quite ended.
gone() {
	echo "$([ -e "$T/prd.pid" ] && echo there || echo gone)" \
		"$(kill -0 "$pid" 2>/dev/null && echo alive || echo dead)"
}
eq "SIGTERM stops it and removes its pidfile" \
	"$(until_eq 5 "gone dead" gone)" "gone dead"

# --- the bench's floor with the kernel's part -------------------------
# make bench compares rserpoold with "asapbench null PORT kernel": the
# fixed answers, each after the kernel call the request needs.  The
# floor is only a floor if it does that work: the PEs it was sent are in
# its namespace's table, and a resolution of a pool it does not have
# fails it.
AB=$top/tools/bench/asapbench
ip netns exec pe2 "$AB" null 3863 kernel 2> "$T/nullk.err" &
nullk=$!
until_eq 10 1 sh -c "ip netns exec pe2 ss -HlnS | grep -c ':3863 '" \
	> /dev/null
ip netns exec pu "$AB" fill 10.11.0.3 3863 floor 5 > "$T/fill.log" 2>&1 &
fill=$!
until_eq 10 "registered 5" cat "$T/fill.log" > /dev/null
eq "asapbench null kernel: the 5 PEs it was sent are in its table, home \"NULL\"" \
	"$(ip netns exec pe2 $R -j pe show floor 2>/dev/null |
	   jq -r '[.[] | "\(.id)@\(.home)"] | sort | join(" ")')" \
	"$(for i in 0 1 2 3 4; do printf '100%d@%d ' $i $((0x4e554c4c)); done |
	   sed 's/ $//')"
kill $fill
eq "... and answers resolutions of that pool, each the kernel's" \
	"$([ "$(ip netns exec pu timeout 20 "$AB" resolve 10.11.0.3 3863 \
		floor 1 1 2>/dev/null)" -gt 0 ] 2>/dev/null && echo yes) $(
	   ip netns exec pe2 $R -j pool show floor | jq '.[0].resolves > 0')" \
	"yes true"
ip netns exec pu timeout 20 "$AB" resolve 10.11.0.3 3863 nopool 1 1 \
	> /dev/null 2>&1
until_eq 10 dead sh -c "kill -0 $nullk 2>/dev/null && echo alive || echo dead" \
	> /dev/null
eq "... and stops at a resolution the kernel cannot make" \
	"$(kill -0 $nullk 2>/dev/null && echo alive || echo dead) $(cat "$T/nullk.err")" \
	"dead asapbench: resolve: No such file or directory"
kill $nullk 2>/dev/null

# --- out of descriptors --------------------------------------------------
# A daemon allowed 48 descriptors, 80 TCP connections: those it has no
# descriptor for are closed as they come, not left queued with the
# listener readable (the event loop spinning on it).
ip netns exec pr prlimit --nofile=48 "$PRD" -i 0xfd -c fd-test \
	--asap-announce off --enrp-announce off > "$T/fd.log" 2>&1 &
fdd=$!
serving fd-test
cpu() { awk '{ print $14 + $15 }' "/proc/$fdd/stat"; }
in_pu python3 "$top/selftests/asap_tcp.py" 10.11.0.1 3863 hold 80 5 \
	> "$T/hold.log" 2>&1 &
hold=$!
until_eq 10 "connected 80" cat "$T/hold.log" > /dev/null
sleep 1
c0=$(cpu)
sleep 3
spent=$(($(cpu) - c0))
eq "80 connections to a daemon allowed 48 descriptors do not make it spin (under 0.5 s CPU in 3 s)" \
	"$(cat "$T/hold.log") $([ $spent -lt 50 ] && echo calm || echo "spun: $spent ticks")" \
	"connected 80 calm"
wait $hold
eq "... it says why it refuses them, once" \
	"$(grep -c 'out of file descriptors: connections refused' "$T/fd.log")" 1
eq "... and serves on once they are gone: a PE registers over TCP" \
	"$(in_pu $TCPC reg fd-pool 1 10.11.0.4)" registered
kill $fdd
wait $fdd

# --- a restart while a PE cannot be reached ------------------------------
# The stopped daemon's association with a PE that does not answer shuts
# down for minutes, holding the SCTP port: the new daemon binds beside
# it (SO_REUSEADDR), where it used to exit with EADDRINUSE.
# rs: rserpoold 0x4444 in pr, serving once its control socket answers.
rs() {
	ip netns exec pr "$PRD" -i 0x4444 -c rs-test --asap-announce off \
		--enrp-announce off "$@" >> "$T/rs.log" 2>&1 &
	rs=$!
	serving rs-test
}
rs
ip netns exec pe2 python3 "$top/selftests/asap_tcp.py" --sctp 10.11.0.1 \
	3863 pe Unreach 9 10.11.0.3 > "$T/unreach.log" 2>&1 &
upe=$!
until_eq 10 registered head -n 1 "$T/unreach.log" > /dev/null
ip -n pe2 link set eth0 down
kill -TERM $rs
wait $rs
eq "SIGTERM with an association to a PE that cannot be reached: status 0" \
	"$?" 0
# /proc/net/sctp/assocs: LPORT is the 12th field
eq "... whose association still holds port 3863" \
	"$(in_pr awk '$12 == 3863 { n++ } END { print (n > 0) }' \
	   /proc/net/sctp/assocs)" 1
rs
eq "... a new daemon starts at once and serves: the PE kept is resolved" \
	"$(kill -0 $rs && in_pu $TCPC resolve Unreach)" 9
fails "... and a second one beside a running daemon still does not bind" \
	"ASAP on SCTP port 3863: Address already in use" \
	ip netns exec pr "$PRD" -i 0x4445 -c rs-other --no-tcp \
	--asap-announce off --enrp-announce off
kill $rs; kill -9 $upe
wait $rs $upe 2>/dev/null
ip -n pe2 link set eth0 up

[ $failed -eq 0 ] || sed 's/^/# prd: /' "$T/prd.log"
echo "1..$n"
hosts_down pr pe1 pe2 pu
rmmod rserpool
rm -rf "$T"
[ $failed -eq 0 ]
