#!/bin/sh
# The demo of `make demo`, run inside the guest of tools/vm/run.sh: load
# the module, register two pools of pool elements, and let the kernel
# select from them with two different policies; then two registrars
# (rserpoold) in network namespaces share rsplib's PEs over ENRP, and a
# client connects to them by pool handle.  selftests/demo.sh checks what
# it shows.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/selftests/lib.sh"	# until_eq, hosts, hosts_down
PATH=$top/user:$top/user/rserpoold:$top/user/examples:$PATH

# say COMMAND...: shows a command, then runs it.
say() {
	echo "# $*"
	"$@"
}

echo "== kernel $(uname -r): loading rserpool.ko"
say insmod "$top/kernel/rserpool.ko"
# The hosts of the registrars' part: network namespaces on one bridge,
# 10.0.9.1 to .4.  They and the module go however the demo ends.
nets="pr1 pr2 pe1 pe2"
# shellcheck disable=SC2086
trap 'hosts_down $nets; rmmod rserpool 2>/dev/null' EXIT
echo

echo "== pool 'echo': three TCP servers, round robin"
for i in 1 2 3; do
	say rspctl pe add echo id $i proto tcp port 7 addr 10.0.0.$i policy rr
done
say rspctl pe show echo
echo "-- four selections walk the pool in turn:"
for i in 1 2 3 4; do
	say rspctl resolve echo
done
echo

echo "== pool 'web': three SCTP servers, least used"
say rspctl pe add web id 10 proto sctp port 80 addr 10.0.1.10 \
	addr fd00::10 policy lu load 70%
say rspctl pe add web id 11 proto sctp port 80 addr 10.0.1.11 policy lu load 20%
say rspctl pe add web id 12 proto sctp port 80 addr 10.0.1.12 policy lu load 45%
echo "-- the least loaded first:"
say rspctl resolve web count 3
echo "-- PE 11 reports a higher load (re-registration); the order follows:"
say rspctl pe set web id 11 proto sctp port 80 addr 10.0.1.11 policy lu load 90%
say rspctl resolve web count 3
echo "-- the same answer as JSON:"
say rspctl -j resolve web
echo

echo "== PE 12 is reported unreachable three times and leaves the pool"
for i in 1 2 3; do
	say rspctl report web 12
done
say rspctl pool show
say rspctl stats
echo

echo "== two registrars share their PEs over ENRP"
modprobe -q sctp
# shellcheck disable=SC2086
hosts 10.0.9 $nets
echo "-- hosts pr1 pr2 pe1 pe2 (network namespaces) at 10.0.9.1 to .4"
quiet="--asap-announce off --enrp-announce off"
bg() {
	echo "# $* &"
	"$@" > /dev/null 2>&1 &
	pid=$!
}
# wait_for SECONDS WANT COMMAND...: until COMMAND prints WANT, or fails.
wait_for() {
	[ "$(until_eq "$@")" = "$2" ] && return
	echo "demo: $3 did not come to $2 within $1 s" >&2
	exit 1
}
pes() { ip netns exec pr2 rspctl -j pe show EchoPool 2>/dev/null | jq length; }
# shellcheck disable=SC2086
bg ip netns exec pr1 rserpoold -i 0x1111 $quiet
# shellcheck disable=SC2086
bg ip netns exec pr2 rserpoold -i 0x2222 -P 10.0.9.1 $quiet
echo "-- rsplib's echo servers register at pr1 over ASAP (SCTP):"
for h in pe1 pe2; do
	bg ip netns exec $h rspserver -echo -registrar=10.0.9.1:3863 \
		-poolhandle=EchoPool -quiet
	if [ "$h" = pe1 ]; then pe1_pid=$pid; fi
done
wait_for 30 2 pes
echo "-- pr2 learned them from pr1 (home 0x1111) and keeps them in its kernel:"
say ip netns exec pr2 rspctl peers
say ip netns exec pr2 rspctl pe show EchoPool
echo "-- a client on pr2 connects by pool handle (librserpool, rsp_connect):"
say ip netns exec pr2 rsp-echo -p sctp -n 4 EchoPool hello
echo "-- pe1's server stops: it deregisters at pr1, and pr2 hears of it:"
say kill -INT "$pe1_pid"
wait_for 20 1 pes
say ip netns exec pr2 rspctl pe show EchoPool
say ip netns exec pr2 rsp-echo -p sctp -n 2 EchoPool hello
echo

trap - EXIT
# shellcheck disable=SC2086
hosts_down $nets
say rmmod rserpool
echo "== done"
