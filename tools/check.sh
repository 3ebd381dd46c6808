#!/bin/sh
# make check: installs what is missing, builds, runs the host tests, the
# KUnit suites on UML and the selftests in the QEMU guest, and ends with
# "N passed, N failed, N skipped" over every test case that ran.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
mkdir -p build
pass=0 fail=0 skip=0
t0=$(date +%s)
# phase NAME: a heading with the seconds since the start (CI's budget).
phase() { echo "== $1 (at $(($(date +%s) - t0)) s)"; }

# count LOG: adds the TAP results of LOG to the totals.
count() {
	p=$(grep -cE '^ok [0-9]+' "$1" | head -n 1)
	s=$(grep -cE '^ok [0-9]+.*# SKIP' "$1" | head -n 1)
	f=$(grep -cE '^not ok [0-9]+' "$1" | head -n 1)
	pass=$((pass + p - s)) skip=$((skip + s)) fail=$((fail + f))
}

broke() {
	echo "check: $1" >&2
	fail=$((fail + 1))
}

sh tools/deps.sh || { echo "0 passed, 1 failed"; exit 1; }
if ! make -s all selftest-bins >build/make.log 2>&1; then
	cat build/make.log
	echo "0 passed, 1 failed"
	exit 1
fi

phase "host tests"
sh selftests/host.sh > build/host.log 2>&1 || true
cat build/host.log
count build/host.log
mkdir -p build/fuzz-corpus
for t in lib_test codec_test stream_test; do
	RSP_CORPUS=build/fuzz-corpus ./selftests/$t > build/$t.log 2>&1
	cat build/$t.log
	count build/$t.log
done

# The codec meets bytes a peer chose: fuzz it for a bounded time, from
# the corpus of earlier runs (build/fuzz-corpus) if there is one.
phase "fuzzing the ASAP/ENRP codec, ${FUZZ_SECONDS:-60} s (ASan), ${FUZZ_MSAN_SECONDS:-20} s (MSan)"
# fuzz NAME SECONDS WHAT: selftests/NAME over the corpus; WHAT it finds.
fuzz() {
	if ./selftests/$1 -max_total_time="$2" -max_len=2048 \
		-print_final_stats=1 build/fuzz-corpus > build/$1.log 2>&1; then
		echo "ok - $1: $(grep -E '^stat::number_of_executed_units' build/$1.log | awk '{print $2}') inputs, no $3"
		pass=$((pass + 1))
	else
		tail -n 30 build/$1.log
		broke "$1 failed (build/$1.log)"
	fi
}
fuzz codec_fuzz "${FUZZ_SECONDS:-60}" crash
# Then under MemorySanitizer, over that corpus: a read of memory the
# decoder left uninitialised (it clears only what a PE uses).
fuzz codec_fuzz_msan "${FUZZ_MSAN_SECONDS:-20}" "uninitialised read"

phase "KUnit (UML)"
sh tools/kunit.sh > build/kunit.log 2>&1
krc=$?
grep -E '\] (\[(PASSED|FAILED|SKIPPED|CRASHED)\]|Testing complete|=+ )' \
	build/kunit.log || tail -n 40 build/kunit.log
kp=$(grep -cE '\] \[PASSED\] [a-z_0-9]+$' build/kunit.log)
kf=$(grep -cE '\] \[(FAILED|CRASHED)\] [a-z_0-9]+$' build/kunit.log)
ks=$(grep -cE '\] \[SKIPPED\] [a-z_0-9]+$' build/kunit.log)
pass=$((pass + kp)) fail=$((fail + kf)) skip=$((skip + ks))
[ $krc -eq 0 ] || [ $kf -gt 0 ] || broke "kunit.py failed (build/kunit.log)"
# lockdep, RCU-lockdep and KASAN complain in the kernel log, not in KUnit's
# verdicts: any of their reports fails the run.
if grep -qE '^(BUG: KASAN|WARNING: (suspicious RCU|possible|inconsistent lock))' \
	build/kunit/test.log 2>/dev/null; then
	grep -E '^(BUG: KASAN|WARNING: (suspicious RCU|possible|inconsistent lock))' \
		build/kunit/test.log | sort | uniq -c
	broke "lockdep or KASAN reports in build/kunit/test.log"
fi

phase "selftests (QEMU guest)"
sh tools/vm/run.sh sh selftests/run.sh > build/selftests.log 2>&1
src=$?
grep -vE '^\[ *[0-9]+\.[0-9]+\] ' build/selftests.log
count build/selftests.log
[ $src -eq 0 ] || grep -qE '^not ok' build/selftests.log ||
	broke "selftests ended with status $src (build/selftests.log)"

# ThreadSanitizer's runtime needs instructions QEMU's default CPU lacks.
phase "rserpoold under ThreadSanitizer (QEMU guest, CPU max)"
VM_CPU=max sh tools/vm/run.sh sh selftests/tsan.sh > build/tsan.log 2>&1
trc=$?
grep -vE '^\[ *[0-9]+\.[0-9]+\] ' build/tsan.log
count build/tsan.log
[ $trc -eq 0 ] || grep -qE '^not ok' build/tsan.log ||
	broke "tsan.sh ended with status $trc (build/tsan.log)"

phase "done"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
