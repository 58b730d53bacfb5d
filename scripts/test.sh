#!/bin/sh
# The second README command: the whole test suite, twice. For gcc and for
# clang, with ASan+UBSan and -Werror, `make distcheck`: the release tarball
# is built, configured, compiled and `make check`ed. Ends with the line
# "N passed, N failed" (both runs added up).
set -u
cd "$(dirname "$0")/.."

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
jobs=$(nproc)
out=_build/test-output
status=0

for cc in gcc clang; do
    flags="--enable-werror --enable-asan CC=$cc"
    # shellcheck disable=SC2086
    scripts/setup.sh "$cc" $flags CFLAGS="-g -O1" || exit 1
    mkdir -p "$out"
    echo "== $cc, ASan+UBSan, -Werror: make distcheck"
    if ! (cd "_build/$cc" && make -j"$jobs" distcheck \
        DISTCHECK_CONFIGURE_FLAGS="$flags CFLAGS='-g -O1'") \
        >"$out/$cc.log" 2>&1; then
        status=1
        tail -60 "$out/$cc.log"
    fi
    grep -E '^(FAIL|ERROR|XPASS|# [A-Z]+:)' "$out/$cc.log"
done

# Totals from automake's summaries of both runs.
pass=0
fail=0
for cc in gcc clang; do
    log="$out/$cc.log"
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
