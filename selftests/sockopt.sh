#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The socket options in the guest: sockopt_test (kselftest harness) on a
# loaded module, then an unload while a process still holds a socket that
# used them.  TAP output.
top=$(cd "$(dirname "$0")/.." && pwd)
R=$top/user/rspctl
modprobe -q sctp 2>/dev/null
# Every in-tree user of nf_sockopt first: an overlap of option numbers
# would make our registration fail with EBUSY.
others="ip_vs ip_tables ip6_tables arp_tables ebtables ip_set nf_conntrack"
for m in $others; do modprobe -q $m; done
loaded=$(for m in $others; do [ -d /sys/module/$m ] && printf '%s ' $m; done)
if insmod "$top/kernel/rserpool.ko"; then
	echo "# insmod beside: $loaded"
else
	echo "not ok 1 - insmod beside $loaded"
	exit 1
fi
RSPCTL=$R "$top/selftests/sockopt_test"
rc=$?

# A socket that selected stays open across rmmod; after it the option is
# just unknown (ENOPROTOOPT), and a new module serves it again.
T=$(mktemp -d)
$R pe add keep id 1 proto tcp port 7 addr 10.9.0.1 policy rr
cat > "$T/hold.py" <<'PY'
import ctypes, socket, struct, sys
# Python's getsockopt() cannot pass the request in the buffer: use libc.
libc = ctypes.CDLL(None, use_errno=True)
SELECT = 0x5250
s = socket.socket()
def select():
    buf = ctypes.create_string_buffer(struct.pack("=I64sI", 4, b"keep", 0), 1024)
    n = ctypes.c_uint(1024)
    if libc.getsockopt(s.fileno(), socket.IPPROTO_IP, SELECT, buf,
                       ctypes.byref(n)):
        return "errno %d" % ctypes.get_errno()
    return "pe %d" % struct.unpack_from("=I", buf.raw, 104)[0]
print(select(), flush=True)
sys.stdin.readline()
print(select(), flush=True)
PY
mkfifo "$T/in"
python3 "$T/hold.py" < "$T/in" > "$T/out" &
pid=$!
exec 3> "$T/in"
i=0	# python starts slowly under TCG
while [ ! -s "$T/out" ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
n=0
tap() { n=$((n + 1)); echo "$1 $n - $2"; [ "$1" = ok ] || rc=1; }
[ "$loaded" = "$others " ] && tap ok "loaded beside $others" ||
	tap "not ok" "loaded beside only: $loaded"
[ "$(sed -n 1p "$T/out")" = "pe 1" ] && tap ok "a held socket selected" ||
	tap "not ok" "a held socket selected: $(cat "$T/out")"
rmmod rserpool && tap ok "rmmod while the socket is open" ||
	tap "not ok" "rmmod while the socket is open"
echo >&3
wait $pid
exec 3>&-
[ "$(sed -n 2p "$T/out")" = "errno 92" ] &&
	tap ok "after rmmod the option is unknown (ENOPROTOOPT)" ||
	tap "not ok" "after rmmod: $(sed -n 2p "$T/out")"
rm -rf "$T"
echo "1..$n"
exit $rc
