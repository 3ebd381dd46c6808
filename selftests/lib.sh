# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# Helpers of the selftests (through tap.sh) and of the demo
# (tools/demo.sh), which runs under set -e.
# until_eq SECONDS WANT COMMAND...: prints COMMAND's output once it is
# WANT, or when SECONDS (of the clock, however slow COMMAND is) are up.
until_eq() {
	end=$(($(date +%s) + $1)) want=$2; shift 2
	while [ "$("$@")" != "$want" ] && [ "$(date +%s)" -lt $end ]; do
		sleep "${POLL:-0.1}"
	done
	"$@"
}
# hosts PREFIX HOST...: network namespaces HOST... on bridge br0, the
# n-th at PREFIX.n/24 (PREFIX as 10.11.0).
hosts() {
	p=$1 x=1; shift
	ip link add br0 type bridge && ip link set br0 up
	for h in "$@"; do
		ip netns add $h
		ip link add v-$h type veth peer name eth0 netns $h
		ip link set v-$h master br0 up
		ip -n $h addr add $p.$x/24 dev eth0
		ip -n $h link set eth0 up
		ip -n $h link set lo up
		x=$((x + 1))
	done
}
# hosts_down HOST...: kills what runs in them (a process left would keep
# its namespace, and its veth, alive) and removes them and br0; quiet
# about any that is not there.
hosts_down() {
	for h in "$@"; do
		ip netns pids "$h" 2>/dev/null | xargs -r kill -9 2>/dev/null ||
			true
	done
	sleep 0.5
	for h in "$@"; do ip netns del "$h" 2>/dev/null || true; done
	ip link del br0 2>/dev/null || true
}
# no_reports DIR WHAT: TAP case 1, "ok" WHAT if the sanitizer log
# directory DIR is empty, else "not ok" with the start of its reports
# and status 1.
no_reports() {
	if [ -z "$(ls "$1")" ]; then
		echo "ok 1 - $2"
		return 0
	fi
	echo "not ok 1 - $2: reports in $1"
	head -n 60 "$1"/* | sed 's/^/# /'
	return 1
}
