#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rserpoold peering with rsplib's registrar.  pr1 runs rserpoold, pr2
# rsplib's rspregistrar; pe1 and pe2 rspserver -echo, pu rspterminal and
# hsdump (which reads rspregistrar's handlespace over ENRP).  PEs
# registered at either registrar appear at the other, deregistrations
# follow, and a PU of rsplib's registrar reaches a PE of ours.  TAP.

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/selftests/tap.sh"
PRD=$top/user/rserpoold/rserpoold
# kernel: "id@home" of pr1's PEs of EchoPool, in hex as rsplib prints.
kernel() {
	ip netns exec pr1 $R -j pe show EchoPool 2>/dev/null |
		jq -r '[.[] | "\(.id)@\(.home)"] | .[]' |
		while IFS=@ read -r id home; do
			printf '%08x@%08x\n' "$id" "$home"
		done | sort | tr '\n' ' ' | sed 's/ $//'
}
# rsplib: the same from rspregistrar's ownership list.
rsplib() {
	ip netns exec pu timeout 10 hsdump 10.14.0.2:9901 2>/dev/null |
		sed -n 's/^ *- \$\([0-9a-f]*\) -> "EchoPool" \/ \$\([0-9a-f]*\).*/\2@\1/p' |
		sort | tr '\n' ' ' | sed 's/ $//'
}
pe() {
	ip netns exec pe$1 rspserver -echo -registrar=$2:3863 \
		-poolhandle=EchoPool -quiet > "$T/pe$1.log" 2>&1 &
	echo $! > "$T/pe$1.pid"
}

echo "TAP version 13"
modprobe -q sctp
insmod "$top/kernel/rserpool.ko" || { echo "not ok 1 - insmod"; exit 1; }
hosts 10.14.0 pr1 pr2 pe1 pe2 pu
capture "$T/cap.pcapng"

ip netns exec pr1 "$PRD" -i 0x1111 -P 10.14.0.2 --heartbeat 1000 -vv \
	> "$T/pr1.log" 2>&1 &
ip netns exec pr2 rspregistrar -identifier=0x2222 -asap=10.14.0.2:3863 \
	-enrp=10.14.0.2:9901 -peer=10.14.0.1:9901 -asapannounce=off \
	-enrpannounce=off -minaddressscope=sitelocal -quiet \
	-logfile=/dev/null &
sleep 2

pe 1 10.14.0.1
until_eq 15 1 sh -c "ip netns exec pr1 $R -j pe show EchoPool 2>/dev/null | jq length" > /dev/null
a=$(printf '%08x' "$(ip netns exec pr1 $R -j pe show EchoPool | jq '.[0].id')")
eq "a PE of rserpoold reaches rspregistrar, home 0x1111" \
	"$(until_eq 15 "$a@00001111" rsplib)" "$a@00001111"
(echo "hello rsplib registrar"; sleep 3) | ip netns exec pu timeout 20 \
	rspterminal -registrar=10.14.0.2:3863 -poolhandle=EchoPool \
	> "$T/pu.log" 2>&1
eq "a PU of rspregistrar gets the echo of the PE registered at rserpoold" \
	"$(sed -n 's/.*from PE \$\([0-9a-fA-F]*\)> hello rsplib registrar.*/\1/p' \
	   "$T/pu.log" | head -n 1)" "$a"

pe 2 10.14.0.2
until_eq 20 2 sh -c "ip netns exec pr1 $R -j pe show EchoPool 2>/dev/null | jq length" > /dev/null
b=$(kernel | tr ' ' '\n' | grep -v "^$a@" | cut -d@ -f1)
both=$(printf '%s\n' "$a@00001111" "$b@00002222" | sort | tr '\n' ' ' |
	sed 's/ $//')
eq "a PE of rspregistrar reaches rserpoold's kernel, home 0x2222" \
	"$(kernel)" "$both"
eq "both registrars have both PEs" "$(until_eq 10 "$both" rsplib)" "$both"

kill -INT "$(cat "$T/pe2.pid")"
eq "a deregistration at rspregistrar reaches rserpoold" \
	"$(until_eq 15 "$a@00001111" kernel)" "$a@00001111"
kill -INT "$(cat "$T/pe1.pid")"
eq "a deregistration at rserpoold reaches rspregistrar (which answers)" \
	"$(until_eq 15 "" rsplib)|$(ip netns exec pu timeout 10 hsdump \
	   10.14.0.2:9901 2>/dev/null | grep -q 'Ownership' && echo up)" "|up"
grep -E "malformed|refused|unusable" "$T/pr1.log" | sed 's/^/# /'
eq "rserpoold found nothing of rsplib's malformed" \
	"$(grep -cE "malformed|refused|unusable" "$T/pr1.log")" 0

capture_end
check_decoded "$T/cap.pcapng" 10.14.0.1
[ $failed -eq 0 ] || sed 's/^/# pr1: /' "$T/pr1.log"
echo "1..$n"
hosts_down pr1 pr2 pe1 pe2 pu
rmmod rserpool
rm -rf "$T"
[ $failed -eq 0 ]
