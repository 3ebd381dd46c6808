#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Real servers, real clients.  Three hosts pe1..pe3 run rsp-echod, a host
# pu runs rsp-echo; all four are network namespaces on one bridge.  The
# servers register in pu's handlespace, the client connects by pool
# handle through the socket options and librserpool, and what comes back
# says which PE served it.  TCP, UDP and SCTP, IPv4 and IPv6, three
# policies, failover and expiry.  TAP output.

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/selftests/tap.sh"
ECHOD=$top/user/examples/rsp-echod
ECHO=$top/user/examples/rsp-echo
in_pu() { ip netns exec pu "$@"; }

# server NAME ID ARGS...: rsp-echod in host peID, registered in pu.
server() {
	name=$1 id=$2; shift 2
	ip netns exec pe$id "$ECHOD" -i $id -n /run/netns/pu "$@" \
		> "$T/$name" 2>&1 &
	echo $! > "$T/$name.pid"
	i=0
	while ! grep -q serving "$T/$name" && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
}
stop() { kill "$@" $(cat "$T"/*.pid) 2>/dev/null; rm -f "$T"/*.pid; wait; }
# served ARGS...: the PEs that answered rsp-echo ARGS, in order.  The
# server's own "pe N:" prefix must agree with the PE the client chose.
served() {
	in_pu "$ECHO" "$@" 2>"$T/err" |
		awk '{ if ($2 ":" != $5) print "mismatch"; else print $2 }' |
		tr '\n' ' ' | sed 's/ $//'
}

echo "TAP version 13"
modprobe -q sctp 2>/dev/null
insmod "$top/kernel/rserpool.ko" || { echo "not ok 1 - insmod"; exit 1; }

ip link add br0 type bridge && ip link set br0 up
for h in pu pe1 pe2 pe3; do
	ip netns add $h
	ip link add v-$h type veth peer name eth0 netns $h
	ip link set v-$h master br0 up
	case $h in pu) x=100 ;; *) x=${h#pe} ;; esac
	ip -n $h addr add 10.10.0.$x/24 dev eth0
	ip -n $h addr add fd10::$x/64 dev eth0 nodad
	ip -n $h link set eth0 up
	ip -n $h link set lo up
done

# --- TCP over IPv4, round robin ----------------------------------------
for i in 1 2 3; do server tcp$i $i -p tcp -P 7 echo-tcp 10.10.0.$i; done
eq "three TCP PEs registered in pu's handlespace" \
	"$(in_pu $R -j pe show echo-tcp | jq -r '[.[].id] | join(" ")')" "1 2 3"
eq "... and none in the root namespace" "$($R -j pool show)" "[]"
eq "TCP/IPv4: round robin visits every PE in turn" \
	"$(served -n 6 echo-tcp hello)" "1 2 3 1 2 3"
eq "TCP/IPv6 socket reaches IPv4 PEs (v4-mapped)" \
	"$(served -6 -n 3 echo-tcp hello)" "1 2 3"
eq "an unprivileged user connects by handle too" \
	"$(in_pu setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$ECHO" echo-tcp hi | cut -d' ' -f1,2)" "pe 1"

# --- Failover: a server that is gone is skipped, reported, removed ------
kill -9 "$(cat "$T/tcp1.pid")"; rm "$T/tcp1.pid"
out=$(served -n 9 echo-tcp hello)
eq "a dead PE is skipped: nine requests, nine answers, by PEs 2 and 3" \
	"$(echo $out | wc -w) $(echo $out | tr ' ' '\n' | sort -u | tr '\n' ' ')" \
	"9 2 3 "
eq "after three reports it is gone from the handlespace" \
	"$(in_pu $R -j pe show echo-tcp | jq -r '[.[].id] | join(" ")')" "2 3"
eq "the reports were counted" \
	"$(in_pu $R -j stats | jq -r '"\(.reports) \(.unreachable)"')" "3 1"
stop

# --- Expiry: a PE that stops refreshing leaves by itself ----------------
server ex1 1 -p tcp -P 9 -l 3000 expiring 10.10.0.1
eq "a PE with a lifetime is there while it refreshes" \
	"$(sleep 3; in_pu $R -j pe show expiring | jq length)" 1
kill -9 "$(cat "$T/ex1.pid")"; rm "$T/ex1.pid"
sleep 5
eq "... and expires once it stops" "$(in_pu $R -j pe show expiring)" "[]"

# --- UDP over IPv6 -------------------------------------------------------
for i in 1 2 3; do server udp$i $i -p udp -P 7 echo-udp fd10::$i; done
eq "UDP/IPv6: a PE per datagram, round robin" \
	"$(served -p udp -6 -n 3 echo-udp hello)" "1 2 3"
eq "UDP/IPv4 socket: no IPv4 PE in the pool" \
	"$(served -p udp -n 1 echo-udp hello; cat "$T/err")" \
	"rsp-echo: echo-udp: Address family not supported by protocol"
stop

# --- SCTP, multi-homed ---------------------------------------------------
if ip netns exec pu python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM, 132)' 2>/dev/null; then
	for i in 1 2; do
		server sctp$i $i -p sctp -P 7 echo-sctp 10.10.0.$i fd10::$i
	done
	eq "SCTP PEs carry both their addresses" \
		"$(in_pu $R -j pe show echo-sctp | jq -r '.[0].addrs | join(" ")')" \
		"10.10.0.1 fd10::1"
	# An SCTP association's set-up under emulation can take seconds:
	# 10 s for each; and what the client said if one still fails.
	eq "SCTP/IPv4: round robin" \
		"$(served -t 10000 -p sctp -n 2 echo-sctp hi; cat "$T/err")" \
		"1 2"
	eq "SCTP/IPv6: connectx to every address" \
		"$(served -t 10000 -p sctp -6 -n 2 echo-sctp hi; cat "$T/err")" \
		"1 2"
	stop
else
	ok "SCTP # SKIP no SCTP in this kernel"
fi

# --- Least used and priority follow the PEs' values ---------------------
server lu1 1 -x lu -L 50 -P 7 echo-lu 10.10.0.1
server lu2 2 -x lu -L 10 -P 7 echo-lu 10.10.0.2
server lu3 3 -x lu -L 30 -P 7 echo-lu 10.10.0.3
eq "least used picks the least loaded PE" "$(served -n 3 echo-lu hi)" \
	"2 2 2"
stop
server pr1 1 -x priority -r 1 -P 7 echo-pr 10.10.0.1
server pr2 2 -x priority -r 5 -P 7 echo-pr 10.10.0.2
server pr3 3 -x priority -r 3 -P 7 echo-pr 10.10.0.3
eq "priority picks the highest priority" "$(served -n 3 echo-pr hi)" \
	"2 2 2"
kill -9 "$(cat "$T/pr2.pid")"
eq "... and fails over to the next highest" "$(served -n 2 echo-pr hi)" \
	"3 3"
stop

# --- Clean up: servers deregister, the module unloads -------------------
server bye1 1 -P 7 bye 10.10.0.1
stop -TERM
eq "a server stopped cleanly deregisters" "$(in_pu $R -j pe show bye)" "[]"
for h in pu pe1 pe2 pe3; do ip netns del $h; done
ip link del br0
if rmmod rserpool; then ok "rmmod after sockets used the options"; else
	nok "rmmod after sockets used the options"; fi

echo "1..$n"
rm -rf "$T"
[ $failed -eq 0 ]
