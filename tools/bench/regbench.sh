#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make bench, the registrar half, inside the guest.  asapbench loads a
# registrar over ASAP/SCTP from another network namespace: handle
# resolutions a second (1 and 4 clients; pools of 3 and 10 000 PEs) and
# registrations a second, at the null responder (the round-trip floor),
# rserpoold and rsplib's rspregistrar, in one run; then, for rserpoold and
# rspregistrar, the time from a registrar's start until it holds the
# 50 000 PEs (100 pools) of its peer.  Prints a table with the ratios.
#
# usage: regbench.sh [SECONDS]   (each load runs SECONDS, default 5)
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/tap.sh"
PRD=$top/user/rserpoold/rserpoold
AB=$top/tools/bench/asapbench
secs=${1:-5}
SYNC=${SYNC_PES:-50000}

modprobe -q sctp
insmod "$top/kernel/rserpool.ko" || exit 1
# pr: the registrar measured; cl: the clients; pr2: the peer for sync.
hosts 10.15.0 pr cl pr2

# start KIND HOST ID [PEER]: a registrar of KIND in HOST; its pid in $pid.
# It may take a moment to listen.
# Keep-alives every 10 minutes: the bench's PEs answer none.
start() {
	case $1 in
	null)
		ip netns exec $2 "$AB" null 3863 & ;;
	rserpoold)
		ip netns exec $2 "$PRD" -i $3 -k 600000 \
			--asap-announce off --enrp-announce off \
			${4:+-P $4} > "$T/$2.log" 2>&1 & ;;
	rspregistrar)
		ip netns exec $2 rspregistrar -identifier=$3 \
			-asap="$(ip -n $2 -4 -o addr show eth0 |
				 sed 's|.* \([0-9.]*\)/.*|\1|')":3863 \
			-enrp="$(ip -n $2 -4 -o addr show eth0 |
				 sed 's|.* \([0-9.]*\)/.*|\1|')":9901 \
			${4:+-peer=$4:9901} -asapannounce=off \
			-enrpannounce=off -minaddressscope=sitelocal \
			-endpointkeepalivetransmissioninterval=600000 \
			-quiet -logfile=/dev/null & ;;
	esac
	pid=$!
}
# fill ADDR HANDLE N [POOLS]: PEs registered from cl, kept; pid in $fpid.
fill() {
	ip netns exec cl "$AB" fill $1 3863 $2 $3 $4 > "$T/fill.$2" 2>&1 &
	fpid=$!
	until_eq $((60 + $3 / 100)) "registered $3" cat "$T/fill.$2" \
		> /dev/null
	grep -q "registered $3" "$T/fill.$2" ||
		echo "# fill $2: $(cat "$T/fill.$2")" >&2
}
load() { ip netns exec cl "$AB" "$@" 2>>"$T/load.err" || echo 0; }

kinds="null rserpoold rspregistrar"
for k in $kinds; do
	start $k pr 0x1111
	sleep 2
	fills=
	if [ $k != null ]; then
		fill 10.15.0.1 bench-3 3; fills="$fills $fpid"
		fill 10.15.0.1 bench-10k 10000; fills="$fills $fpid"
	fi
	for c in 1 4; do
		for p in 3 10k; do
			eval "r_${k}_res_${c}_$p=\$(load resolve 10.15.0.1 3863 bench-$p $c $secs)"
		done
		eval "r_${k}_reg_$c=\$(load register 10.15.0.1 3863 $c $secs)"
	done
	# shellcheck disable=SC2086
	kill $fills $pid 2>/dev/null
	wait 2>/dev/null
	ip netns exec pr $R flush 2>/dev/null
done

# The sync: pr2 holds SYNC PEs in 100 pools; pr starts with pr2 as its
# peer; seconds until pr holds them all.
held_rserpoold() {
	ip netns exec pr $R -j peers 2>/dev/null |
		jq '[.peers[] | select(.id == 8738) | .pes] | add // 0'
}
held_rspregistrar() {
	ip netns exec cl timeout 20 hsdump 10.15.0.1:9901 2>/dev/null |
		grep -c '^ *- \$[0-9a-f]* -> "sync-'
}
for k in rserpoold rspregistrar; do
	start $k pr2 0x2222
	peer=$pid
	sleep 2
	fill 10.15.0.3 sync $SYNC 100
	t0=$(date +%s.%N)
	start $k pr 0x1111 10.15.0.3
	sleep_done=$(POLL=0.5 until_eq 120 "$SYNC" held_$k)
	t1=$(date +%s.%N)
	if [ "$sleep_done" = "$SYNC" ]; then
		eval "s_$k=$(echo "$t1 - $t0" | bc)"
	else
		eval "s_$k=none"
		echo "# $k held $sleep_done of $SYNC" >&2
	fi
	kill $fpid $pid $peer 2>/dev/null
	wait 2>/dev/null
	ip netns exec pr $R flush 2>/dev/null
	ip netns exec pr2 $R flush 2>/dev/null
done

pct() { [ "${2:-0}" -gt 0 ] && echo "$(($1 * 100 / $2))%" || echo "-"; }
echo
echo "ASAP over SCTP, $secs s a load, requests answered a second:"
printf '%-28s %10s %10s %6s %12s %6s\n' "" null rserpoold "" rspregistrar ""
for row in "res_1_3:resolution, 1 client, 3 PEs" \
	   "res_4_3:resolution, 4 clients, 3 PEs" \
	   "res_1_10k:resolution, 1 client, 10000 PEs" \
	   "res_4_10k:resolution, 4 clients, 10000 PEs" \
	   "reg_1:registration, 1 client" \
	   "reg_4:registration, 4 clients"; do
	key=${row%%:*}
	eval "n=\$r_null_$key r=\$r_rserpoold_$key s=\$r_rspregistrar_$key"
	printf '%-28s %10s %10s %6s %12s %6s\n' "${row#*:}" "$n" "$r" \
		"$(pct "$r" "$n")" "$s" "$(pct "$s" "$n")"
done
echo
echo "From start until it holds its peer's $SYNC PEs (100 pools):"
echo "  rserpoold     ${s_rserpoold} s"
echo "  rspregistrar  ${s_rspregistrar} s"
echo "Goals: rserpoold >= 95% of the floor on resolutions, >= 90% on"
echo "registrations, and its peer's 50 000 PEs within 1 s."
hosts_down pr cl pr2
rmmod rserpool
rm -rf "$T"
