#!/bin/sh
# The second README command: the whole test suite. gcc with ASan/UBSan and
# -Werror runs `make check`; clang with -Werror runs `make distcheck` (the
# suite again, from the release tarball). Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
top=$(pwd)

scripts/setup.sh gcc --enable-werror --enable-asan CC=gcc \
    CFLAGS="-g -O1" || exit 1
scripts/setup.sh clang --enable-werror CC=clang CFLAGS="-g -O2" || exit 1

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
jobs=$(nproc)
status=0

out=_build/test-output
mkdir -p "$out"
echo "== gcc, ASan+UBSan: make check"
(cd _build/gcc && make -j"$jobs" check) >"$out/gcc.log" 2>&1 || status=1
grep -E '^(PASS|FAIL|ERROR|XPASS|#)' "$out/gcc.log" | grep -v '^PASS'
[ "$status" -eq 0 ] || tail -50 "$out/gcc.log"
echo "== clang: make distcheck"
(cd _build/clang && make -j"$jobs" distcheck \
    DISTCHECK_CONFIGURE_FLAGS="--enable-werror CC=clang") \
    >"$out/clang.log" 2>&1 || status=2
grep -E '^(PASS|FAIL|ERROR|XPASS|#)' "$out/clang.log" | grep -v '^PASS'
[ "$status" -ne 2 ] || tail -50 "$out/clang.log"

# Totals from automake's summaries of both runs.
pass=0
fail=0
for log in "$out/gcc.log" "$out/clang.log"; do
    p=$(sed -n 's/^# PASS: *\([0-9]*\).*/\1/p' "$log" | tail -1)
    f=$(sed -n 's/^# FAIL: *\([0-9]*\).*/\1/p' "$log" | tail -1)
    e=$(sed -n 's/^# ERROR: *\([0-9]*\).*/\1/p' "$log" | tail -1)
    pass=$((pass + ${p:-0}))
    fail=$((fail + ${f:-0} + ${e:-0}))
done
if [ "$status" -ne 0 ] && [ "$fail" -eq 0 ]; then
    fail=1  # a build or distcheck step failed outside the suite
fi
echo "$pass passed, $fail failed"
[ "$status" -eq 0 ] && [ "$fail" -eq 0 ]
