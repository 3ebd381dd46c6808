#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rserpool.ko under nl_fuzz.py for NL_FUZZ_SECONDS (30): random generic
# netlink requests of every command (some mangled), dumps and
# resolutions, and an unprivileged user's socket options, all at once,
# in a network namespace of its own.  Then the kernel has logged no
# warning, its table agrees with itself (the counters, the pool dump and
# the PE dump), it still serves a PE added and flushes to nothing, and
# the module unloads.  NL_FUZZ_SEED picks the requests (1).  TAP output.

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/selftests/tap.sh"
secs=${NL_FUZZ_SECONDS:-30}
seed=${NL_FUZZ_SEED:-1}
in_kf() { ip netns exec kf "$@"; }
# oops: what the kernel logged since line $1 of its log that a bug makes
# it log.
BAD='WARNING:|BUG|Oops|general protection|refcount_t|corruption|UBSAN'
BAD="$BAD|KASAN|RCU stall"
oops() { dmesg | tail -n +"$(($1 + 1))" | grep -E "$BAD"; }

echo "TAP version 13"
modprobe -q sctp
insmod "$top/kernel/rserpool.ko" || { echo "not ok 1 - insmod"; exit 1; }
ip netns add kf
in_kf ip link set lo up
logged=$(dmesg | wc -l)

echo "# nl_fuzz.py: $secs s, seed $seed"
out=$(in_kf timeout $((secs + 60)) python3 "$top/selftests/nl_fuzz.py" \
	"$secs" "$seed")
rc=$?
echo "# $out"
eq "requests, dumps and socket options at once, for $secs s" \
	"$rc $(echo "$out" |
	   awk '{ print ($2 >= 1000) ($4 >= 100) ($6 >= 100) ($8 >= 1000) }')" \
	"0 1111"
eq "the kernel logged no warning" "$(oops "$logged")" ""

# The limits as they were, whatever the fuzz set.
in_kf $R limits set max-pools 65536 max-pes 1048576 max-pool-pes 65536 \
	report-threshold 3
st=$(in_kf $R -j stats | jq -r '"\(.pools) \(.pes)"')
pools=$(in_kf $R -j pool show | jq -r '"\(length) \([.[].pes] | add // 0)"')
pes=$(in_kf $R -j pe show | jq length)
eq "its counters, pool dump and PE dump agree" "$pools $pes" "$st ${st#* }"
eq "... on a table that holds PEs" "$([ "${pes:-0}" -gt 0 ] && echo yes)" yes
echo "# $(in_kf $R -j stats | jq -c '{pools, pes, added, removed, resolves}')"
in_kf $R pe add After id 9 proto tcp port 7 addr 10.0.0.9 policy rr
eq "a PE added then is resolved" \
	"$(in_kf $R -j resolve After | jq '.pes[0].id')" 9
in_kf $R flush > /dev/null
eq "a flush leaves nothing" \
	"$(in_kf $R -j stats | jq -r '"\(.pools) \(.pes)"') $(in_kf $R -j pe show |
	   jq length)" "0 0 0"
ip netns del kf
sleep 1
rmmod rserpool
eq "the module unloads" "$?" 0
eq "... and the kernel logged nothing more" "$(oops "$logged")" ""

echo "1..$n"
rm -rf "$T"
[ $failed -eq 0 ]
