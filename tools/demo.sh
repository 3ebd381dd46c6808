#!/bin/sh
# The demo of `make demo`, run inside the guest of tools/vm/run.sh: load
# the module, register two pools of pool elements, and let the kernel
# select from them with two different policies.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
PATH=$top/user:$PATH

# say COMMAND...: shows a command, then runs it.
say() {
	echo "# $*"
	"$@"
}

echo "== kernel $(uname -r): loading rserpool.ko"
say insmod "$top/kernel/rserpool.ko"
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

say rmmod rserpool
echo "== done"
