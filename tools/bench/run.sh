#!/bin/sh
# make bench, inside the guest: load the module, run selbench, unload.
top=$(cd "$(dirname "$0")/../.." && pwd)
insmod "$top/kernel/rserpool.ko" || exit 1
RSPCTL=$top/user/rspctl "$top/tools/bench/selbench" "$@"
rc=$?
rmmod rserpool
exit $rc
