#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rserpoold peering with rsplib's registrar.  pr1 runs rserpoold, pr2
# rsplib's rspregistrar; pe1 and pe2 rspserver -echo, pu rspterminal and
# hsdump (which reads rspregistrar's handlespace over ENRP).  PEs
# registered at either registrar appear at the other, deregistrations
# follow, a PU of rsplib's registrar reaches a PE of ours, and our connect
# helper reaches one of rsplib's.  Each takes the other's PEs over when
# it dies (rsplib's needs a third registrar, pr3, another rserpoold, to
# agree).  TAP.

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/selftests/tap.sh"
PRD=${RSP_PRD:-$top/user/rserpoold/rserpoold}
ECHO=$top/user/examples/rsp-echo
# kernel [HOST]: "id@home" of the PEs of EchoPool in HOST's (pr1's)
# handlespace, in hex as rsplib prints.
kernel() {
	ip netns exec ${1:-pr1} $R -j pe show EchoPool 2>/dev/null |
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
hosts 10.14.0 pr1 pr2 pe1 pe2 pu pr3
capture "$T/cap.pcapng"

# No ASAP announces from rserpoold: a PE would go to whichever registrar
# announces itself when its own is gone, before any takeover.
ip netns exec pr1 "$PRD" -i 0x1111 -P 10.14.0.2 --heartbeat 1000 -vv \
	--asap-announce off > "$T/pr1.log" 2>&1 &
echo $! > "$T/pr1.pid"
# rsplib PR2 [PEER...]: rspregistrar in pr2 with these peers.
rsplib_pr() {
	peers=""
	for p in "$@"; do peers="$peers -peer=$p:9901"; done
	ip netns exec pr2 rspregistrar -identifier=0x2222 \
		-asap=10.14.0.2:3863 -enrp=10.14.0.2:9901 $peers \
		-asapannounce=off -enrpannounce=off \
		-minaddressscope=sitelocal -quiet -logfile=/dev/null &
	echo $! > "$T/pr2.pid"
}
# bulk: how many PEs of pool Bulk and of pool BulkTcp rspregistrar holds.
bulk() {
	ip netns exec pu timeout 20 hsdump 10.14.0.2:9901 2>/dev/null |
		awk '/ -> "Bulk" / { s++ } / -> "BulkTcp" / { t++ }
		     END { print s + 0, t + 0 }'
}
# rserpoold answers on its control socket once it serves.
until_eq 20 0 sh -c "ip netns exec pr1 $R peers > /dev/null 2>&1; echo \$?" \
	> /dev/null
# 1000 PEs registered over ASAP/SCTP, 1000 over ASAP/TCP, which rsplib
# (SCTP only) refuses, and with them the rest of the message they are in.
ip netns exec pe1 "$top/tools/bench/asapbench" fill 10.14.0.1 3863 Bulk 1000 \
	> "$T/bulk.log" 2>&1 &
bulk=$!
ip netns exec pe1 python3 "$top/selftests/asap_tcp.py" 10.14.0.1 3863 \
	bulk BulkTcp 1000 10.14.0.3 > "$T/bulktcp.log" 2>&1 &
bulktcp=$!
until_eq 60 2 sh -c "cat '$T/bulk.log' '$T/bulktcp.log' |
	grep -c '^registered 1000$'" > /dev/null
rsplib_pr 10.14.0.1
eq "rspregistrar, started later, reads rserpoold's 1000 PEs with an SCTP ASAP transport (responses of 32 KB, M), none with a TCP one" \
	"$(until_eq 30 "1000 0" bulk)" "1000 0"
kill $bulk $bulktcp
eq "... and their deregistrations (handle updates)" \
	"$(until_eq 30 "0 0" bulk)" "0 0"

pe 1 10.14.0.1
until_eq 15 1 sh -c "ip netns exec pr1 $R -j pe show EchoPool 2>/dev/null | jq length" > /dev/null
a=$(printf '%08x' "$(ip netns exec pr1 $R -j pe show EchoPool | jq '.[0].id')")
eq "a PE of rserpoold reaches rspregistrar, home 0x1111" \
	"$(until_eq 15 "$a@00001111" rsplib)" "$a@00001111"
eq "a PU of rspregistrar gets the echo of the PE registered at rserpoold" \
	"$(echoed pu 10.14.0.2:3863 "hello rsplib registrar")" "$a"

pe 2 10.14.0.2
until_eq 20 2 sh -c "ip netns exec pr1 $R -j pe show EchoPool 2>/dev/null | jq length" > /dev/null
b=$(kernel | tr ' ' '\n' | grep -v "^$a@" | cut -d@ -f1)
both=$(printf '%s\n' "$a@00001111" "$b@00002222" | sort | tr '\n' ' ' |
	sed 's/ $//')
eq "a PE of rspregistrar reaches rserpoold's kernel, home 0x2222" \
	"$(kernel)" "$both"
eq "both registrars have both PEs" "$(until_eq 10 "$both" rsplib)" "$both"
# Our connect helper, rsp_connect() over SCTP in pr1's namespace: the
# kernel selects round robin, so four connections reach both PEs, the
# one registered at rspregistrar too.
ip netns exec pr1 "$ECHO" -p sctp -n 4 EchoPool "hello helper" \
	> "$T/helper.log" 2>&1
reached=$(sed -n 's/^pe \([0-9]*\) answered: hello helper$/\1/p' \
	"$T/helper.log" | sort -un | while read -r id; do
		printf '%08x\n' "$id"; done | tr '\n' ' ')
[ -n "$reached" ] || sed 's/^/# /' "$T/helper.log"
eq "our connect helper gets the echo of rspregistrar's rsplib PE" \
	"$(case " $reached" in *" $b "*) echo reached ;; esac)" reached

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

# rspregistrar dies: rserpoold takes its PE over, alone.
pe 2 10.14.0.2
until_eq 20 1 sh -c "ip netns exec pr1 $R -j pe show EchoPool 2>/dev/null | jq length" > /dev/null
b=$(kernel | cut -d@ -f1)
kill -9 "$(cat "$T/pr2.pid")"
eq "rspregistrar dies: rserpoold takes its PE over" \
	"$(until_eq 30 "$b@00001111" kernel)" "$b@00001111"
sleep 4
eq "rsplib's PE answers our keep-alives with H: still there 4 s later" \
	"$(kernel)" "$b@00001111"
kill -INT "$(cat "$T/pe2.pid")"
eq "... and now deregisters at rserpoold" "$(until_eq 15 "" kernel)" ""

# rserpoold dies: rspregistrar takes its PE over, with pr3 agreeing.  pr3
# notices later than rsplib (15 s), so that rsplib starts the takeover.
# hsdump is an ENRP peer of rspregistrar while it runs, and rsplib waits
# for every peer's ACK: no hsdump in the 12 s before the kill.
ip netns exec pr3 "$PRD" -i 0x3333 -P 10.14.0.1 -P 10.14.0.2 \
	--heartbeat 1000 --max-last-heard 15000 --asap-announce off -vv \
	> "$T/pr3.log" 2>&1 &
rsplib_pr 10.14.0.1 10.14.0.6
pe 1 10.14.0.1
until_eq 20 1 sh -c "ip netns exec pr1 $R -j pe show EchoPool 2>/dev/null | jq length" > /dev/null
a=$(kernel | cut -d@ -f1)
until_eq 20 "$a@00001111" kernel pr3 > /dev/null
sleep 2
eq "three registrars: rspregistrar has rserpoold's PE" "$(rsplib)" \
	"$a@00001111"
sleep 12
kill -9 "$(cat "$T/pr1.pid")"
eq "rserpoold dies: pr3 hears rspregistrar (lower ID) took its PE over" \
	"$(until_eq 40 "$a@00002222" kernel pr3)" "$a@00002222"
eq "... and so says rspregistrar" "$(rsplib)" "$a@00002222"
grep -q "peer 00002222 takes 00001111 over: agreed" "$T/pr3.log"
eq "... with pr3's agreement (INIT_TAKEOVER_ACK)" "$?" 0

capture_end
check_decoded "$T/cap.pcapng" 10.14.0.1
[ $failed -eq 0 ] || { sed 's/^/# pr1: /' "$T/pr1.log";
		       sed 's/^/# pr3: /' "$T/pr3.log"; }
echo "1..$n"
hosts_down pr1 pr2 pe1 pe2 pu pr3
rmmod rserpool
rm -rf "$T"
[ $failed -eq 0 ]
