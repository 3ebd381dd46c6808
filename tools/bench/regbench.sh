#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make bench, the registrar half, inside the guest.  Four registrars run
# side by side, each in its own network namespace: the null responder
# (asapbench null: one fixed answer to each request, the round-trip floor
# of this machine), the same with the kernel call each request needs of
# a registrar whose table is the kernel's (asapbench null kernel: the PE
# put, the pool resolved; the floor of such a registrar), rserpoold and
# rsplib's rspregistrar.  asapbench loads each in turn from a namespace
# of its own over ASAP/SCTP: handle resolutions a second (1 and 4
# clients; pools of 3 and 10 000 PEs) and registrations a second; every
# load runs ROUNDS times, the registrars taking turns, and the median
# counts: of the rates, and of each round's ratio to the floor (the
# guest's speed drifts between rounds more than between neighbours).
# Registrars run on the second CPU, the clients on the first, as a
# registrar and its users would on separate hosts (make bench boots the
# guest with idle=poll: a halted vCPU of TCG wakes late, and one client's
# round trips varied tenfold with it).  Then, for rserpoold and
# rspregistrar, the time from a registrar's start until it holds the
# 50 000 PEs (100 pools) of its peer.  Prints a table with the ratios to
# the floors.
#
# usage: regbench.sh [SECONDS [ROUNDS]]   (default 5 s, 3 rounds)
# ROWS="res:1:3 reg:1 ..." picks the loads (- none), SYNC_PES=0 skips
# the sync.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/tap.sh"
PRD=$top/user/rserpoold/rserpoold
AB=$top/tools/bench/asapbench
secs=${1:-5}
rounds=${2:-3}
SYNC=${SYNC_PES:-50000}

modprobe -q sctp
insmod "$top/kernel/rserpool.ko" || exit 1
# null, rsd (rserpoold), rsp (rspregistrar), cl (the clients), the two
# registrars the sync is measured against, rsd2 and rsp2, and nullk (null
# with the kernel's part).
hosts 10.15.0 null rsd rsp cl rsd2 rsp2 nullk
addr() { echo "10.15.0.$1"; }
NULL=$(addr 1) RSD=$(addr 2) RSP=$(addr 3) RSD2=$(addr 5) RSP2=$(addr 6)
NULLK=$(addr 7)

# start KIND HOST ADDR ID [PEER]: a registrar; its pid in $pid.  It may
# take a moment to listen.  Keep-alives every 10 minutes: the bench's PEs
# answer none.  $STATS: rspregistrar's statistics file options.
start() {
	case $1 in
	null)
		ip netns exec $2 $SRV "$AB" null 3863 & ;;
	nullk)
		ip netns exec $2 $SRV "$AB" null 3863 kernel & ;;
	rserpoold)
		ip netns exec $2 $SRV "$PRD" -i $4 -k 600000 \
			--asap-announce off --enrp-announce off \
			${5:+-P $5} > "$T/$2.log" 2>&1 & ;;
	rspregistrar)
		ip netns exec $2 $SRV rspregistrar -identifier=$4 \
			-asap=$3:3863 -enrp=$3:9901 ${5:+-peer=$5:9901} \
			-asapannounce=off -enrpannounce=off \
			-minaddressscope=sitelocal \
			-endpointkeepalivetransmissioninterval=600000 \
			${STATS:-} -quiet -logfile=/dev/null \
			> "$T/$2.log" 2>&1 & ;;
	esac
	pid=$!
}
# fill ADDR HANDLE N [POOLS]: PEs registered from cl, kept; pid in $fpid.
fill() {
	ip netns exec cl "$AB" fill $1 3863 $2 $3 $4 > "$T/fill.$1.$2" 2>&1 &
	fpid=$!
	until_eq $((60 + $3 / 100)) "registered $3" cat "$T/fill.$1.$2" \
		> /dev/null
	grep -q "registered $3" "$T/fill.$1.$2" ||
		echo "# fill $2 at $1: $(cat "$T/fill.$1.$2")" >&2
}
# load ARGS...: asapbench's rate; 0 (and a note) if it failed or hung.
load() {
	timeout $((secs + 30)) ip netns exec cl $CLI "$AB" "$@" \
		2>>"$T/load.err" ||
		{ echo "# asapbench $*: failed" >&2; echo 0; }
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 }
	END { print NR ? v[int((NR + 1) / 2)] : 0 }'; }
# The CPUs: registrars on the second, clients on the first.
SRV= CLI=
if [ "$(nproc)" -ge 2 ]; then
	SRV="taskset -c 1" CLI="taskset -c 0"
fi

start null null $NULL; pids=$pid
start nullk nullk $NULLK; pids="$pids $pid"
start rserpoold rsd $RSD 0x1111; pids="$pids $pid"
start rspregistrar rsp $RSP 0x2222; pids="$pids $pid"
sleep 2
for a in $NULLK $RSD $RSP; do
	fill $a bench-3 3; pids="$pids $fpid"
	fill $a bench-10k 10000; pids="$pids $fpid"
done

rows=${ROWS:-"res:1:3 res:4:3 res:1:10k res:4:10k reg:1 reg:4"}
[ "$rows" != - ] || rows=
for row in $rows; do
	for k in null nullk rsd rsp; do eval "v_$k= q_$k="; done
	qk_rsd=
	r=0
	while [ $r -lt $rounds ]; do
		for k in null nullk rsd rsp; do
			eval "a=\$$(echo $k | tr a-z A-Z)"
			set -- $(echo "$row" | tr : ' ')
			if [ "$1" = res ]; then
				v=$(load resolve "$a" 3863 "bench-$3" $2 $secs)
			else
				v=$(load register "$a" 3863 $2 $secs)
			fi
			eval "v_$k=\"\$v_$k $v\""
			[ $k = null ] && n=$v
			[ $k = nullk ] && nk=$v
			# This round's ratio to the floor, in per mille.
			[ "${n:-0}" -gt 0 ] &&
				eval "q_$k=\"\$q_$k $((v * 1000 / n))\""
			# rserpoold's to the floor with the kernel's part.
			[ $k = rsd ] && [ "${nk:-0}" -gt 0 ] &&
				qk_rsd="$qk_rsd $((v * 1000 / nk))"
		done
		r=$((r + 1))
	done
	key=$(echo "$row" | tr : _)
	for k in null nullk rsd rsp; do
		eval "m_${k}_$key=\$(echo \$v_$k | median)"
		eval "p_${k}_$key=\$(echo \$q_$k | median)"
		eval "echo \"# $row $k: \$v_$k\""
	done
	eval "pk_rsd_$key=\$(echo \$qk_rsd | median)"
done
# shellcheck disable=SC2086
kill $pids 2>/dev/null
wait 2>/dev/null

# The sync: rsd2 (rsp2) holds SYNC PEs in 100 pools; rsd (rsp) starts
# again with it as its peer; seconds until it holds them all.
# rserpoold's kernel says how many PEs it holds (rspctl stats);
# rspregistrar writes its count to its statistics file every 100 ms,
# with the time.
# rserpoold's kernel is asked by one rspctl that reads "stats" lines:
# every program started costs a third of a second here, and would be
# late by that much.  Prints the time it first holds SYNC PEs.
ip netns exec rsd $R flush > /dev/null 2>&1
SRV=		# the two registrars of a sync work at once
held_at() {
	mkfifo "$T/tick"
	# shellcheck disable=SC2016
	bash -c 'exec 9<>"$1"; end=$((EPOCHSECONDS + 180))
		coproc Q { nsenter --net=/run/netns/rsd "$2" -j -b - 2>&1; }
		while [ "$EPOCHSECONDS" -lt "$end" ]; do
			echo stats >&"${Q[1]}"
			read -r -u "${Q[0]}" l || break
			n=${l#*\"pes\":}; n=${n%%[,\}]*}
			if [ "$n" -ge "$3" ] 2>/dev/null; then
				echo "$EPOCHREALTIME"; break
			fi
			read -r -t 0.05 -u 9	# a sleep with no program
		done
		kill "$Q_PID"' - "$T/tick" "$R" "$SYNC"
	rm -f "$T/tick"
}
held_rspregistrar() {
	awk -v n="$SYNC" '$1 ~ /^[0-9]+$/ && $9 + 0 >= n { print n; exit }' \
		"$T/stats" 2>/dev/null
}
for k in $([ "$SYNC" -gt 0 ] && echo rserpoold rspregistrar); do
	if [ $k = rserpoold ]; then
		h=rsd a=$RSD p=$RSD2 id=0x1111
	else
		h=rsp a=$RSP p=$RSP2 id=0x2222
	fi
	start $k ${h}2 $p 0x3333
	peer=$pid
	sleep 2
	fill $p sync $SYNC 100
	rm -f "$T/stats"
	STATS="-statsfile=$T/stats -statsinterval=100"
	t0=$(date +%s.%N)
	start $k $h $a $id $p
	STATS=
	if [ $k = rserpoold ]; then
		t1=$(held_at)
		got=${t1:+$SYNC}
	else
		got=$(POLL=0.05 until_eq 180 "$SYNC" held_$k)
		t1=$(awk -v n="$SYNC" \
			'$1 ~ /^[0-9]+$/ && $9 + 0 >= n { print $2; exit }' \
			"$T/stats")
	fi
	if [ "$got" = "$SYNC" ]; then
		eval "s_$k=$(echo "scale=2; ($t1 - $t0) / 1" | bc)"
	else
		eval "s_$k=none"
		echo "# $k held ${got:-0} of $SYNC" >&2
	fi
	kill $fpid $pid $peer 2>/dev/null
	wait 2>/dev/null
done

pct() { [ "${1:-0}" -gt 0 ] && echo "$(($1 / 10))%" || echo "-"; }
echo
echo "ASAP over SCTP: requests answered a second (median of $rounds runs of $secs s;"
echo "the ratios to the floor: the median of each round's; null+kernel:"
echo "the floor with the kernel call each request needs, and rserpoold's"
echo "ratio to it)"
printf '%-32s %6s %12s %5s %10s %5s %5s %13s %5s\n' "" null null+kernel "" \
	rserpoold "" "" rspregistrar "" \
	"" "" "" null "" null n+k "" null
for row in "res_1_3:resolution, 1 client, 3 PEs" \
	   "res_4_3:resolution, 4 clients, 3 PEs" \
	   "res_1_10k:resolution, 1 client, 10000 PEs" \
	   "res_4_10k:resolution, 4 clients, 10000 PEs" \
	   "reg_1:registration, 1 client" \
	   "reg_4:registration, 4 clients"; do
	key=${row%%:*}
	eval "n=\$m_null_$key k=\$m_nullk_$key r=\$m_rsd_$key"
	eval "s=\$m_rsp_$key pk=\$p_nullk_$key pr=\$p_rsd_$key"
	eval "ps=\$p_rsp_$key prk=\$pk_rsd_$key"
	printf '%-32s %6s %12s %5s %10s %5s %5s %13s %5s\n' "${row#*:}" "$n" \
		"$k" "$(pct "$pk")" "$r" "$(pct "$pr")" "$(pct "$prk")" "$s" \
		"$(pct "$ps")"
done
if [ "$SYNC" -gt 0 ]; then
	echo
	echo "From its start until it holds its peer's $SYNC PEs (100 pools):"
	echo "  rserpoold     ${s_rserpoold} s"
	echo "  rspregistrar  ${s_rspregistrar} s"
fi
echo "Goals: rserpoold at >= 95% of the floor on resolutions and >= 90% on"
echo "registrations; a peer's 50 000 PEs held within 1 s of its start."
hosts_down null rsd rsp cl rsd2 rsp2 nullk
rmmod rserpool
rm -rf "$T"
