# Shared by the integration tests (sourced): a private data directory with
# its embedded PostgreSQL, the demo world on free loopback ports, TAP
# helpers, and cleanup of everything on exit. Nothing here is mocked: the
# tests drive the real drpwatch binary against real servers.
set -u

: "${top_srcdir:?run through make check}"
: "${top_builddir:?run through make check}"
PYTHON3=${PYTHON3:-python3}
DRPWATCH="$top_builddir/drpwatch"
WORLD_PY="$top_srcdir/tests/fixtures/world.py"
UNBOUND_PY="$top_srcdir/tests/fixtures/unbound.py"
EXPECTED="$top_srcdir/tests/fixtures/expected.json"

T=$(mktemp -d /tmp/drpwatch-test.XXXXXX)
chmod 755 "$T"  # the embedded server's user must reach its directory
export DRPWATCH_HOME="$T/home"
unset DRPWATCH_DB DRPWATCH_HASH_KEY
WORLD="$T/world"
LOGS="$T/logs"
mkdir -p "$LOGS"
CONNINFO="host=$DRPWATCH_HOME/run dbname=drpwatch user=drpwatch"

tap_n=0
tap_failed=0

ok() {  # ok CONDITION-EXIT-STATUS DESCRIPTION
    tap_n=$((tap_n + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $tap_n - $2"
    else
        echo "not ok $tap_n - $2"
        tap_failed=$((tap_failed + 1))
    fi
}

is() {  # is GOT WANT DESCRIPTION
    if [ "$1" = "$2" ]; then
        ok 0 "$3"
    else
        ok 1 "$3"
        echo "#   got: '$1'"
        echo "#   expected: '$2'"
    fi
}

diag() {
    echo "# $*"
}

done_testing() {
    echo "1..$tap_n"
    [ "$tap_failed" -eq 0 ]
}

cleanup() {
    "$PYTHON3" "$WORLD_PY" stop --state "$WORLD" >/dev/null 2>&1
    [ -d "$T/unbound" ] &&
        "$PYTHON3" "$UNBOUND_PY" stop --dir "$T/unbound" >/dev/null 2>&1
    "$DRPWATCH" db stop >/dev/null 2>&1
    if [ "$tap_failed" -ne 0 ] || [ -n "${KEEP_TEST_DIR:-}" ]; then
        echo "# test files kept in $T"
    else
        rm -rf "$T"
    fi
}
trap cleanup EXIT

# q SQL: one query against the test database, unaligned rows.
q() {
    psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$CONNINFO" -c "$1"
}

# counts_off: the sources whose frontier counts (jobs_total and
# jobs_unfetched, kept by the statements that insert and complete jobs:
# migrations 004 and 014) do not match their jobs.
counts_off() {
    q "SELECT count(*) FROM sources s WHERE s.jobs_total <>
         (SELECT count(*) FROM jobs j WHERE j.source_id = s.id)
       OR s.jobs_unfetched <> (SELECT count(*) FROM jobs j
         WHERE j.source_id = s.id AND j.fetched_at IS NULL)"
}

# start_world [ENV=VALUE...]: the demo world on a free block of ports.
start_world() {
    local try base
    for try in 1 2 3 4 5 6 7 8 9 10; do
        # Below the kernel's ephemeral ports (32768 and up by default):
        # the many client connections of a parallel test (the scale-out
        # test makes thousands) never hold one of ours.
        base=$((20000 + (RANDOM % 1270) * 10))
        if env "$@" "$PYTHON3" "$WORLD_PY" start --state "$WORLD" \
            --base-port "$base" >"$LOGS/world-start.log" 2>&1; then
            # shellcheck disable=SC1091
            . "$WORLD/world.env"
            return 0
        fi
    done
    cat "$LOGS/world-start.log"
    echo "Bail out! cannot start the demo world"
    exit 1
}

# start_unbound FRAGMENT [--log-queries]: a private unbound on a free
# loopback port answering from the zones FRAGMENT declares (see
# tests/fixtures/unbound.py); sets DNS_PORT, logs in $T/unbound.
start_unbound() {
    local fragment=$1
    shift
    if ! DNS_PORT=$("$PYTHON3" "$UNBOUND_PY" start --dir "$T/unbound" \
        --conf "$fragment" "$@" 2>"$LOGS/unbound-start.log"); then
        cat "$LOGS/unbound-start.log"
        echo "Bail out! cannot start unbound"
        exit 1
    fi
}

# expected PYTHON-EXPRESSION: a value from expected.json (variable e).
expected() {
    "$PYTHON3" -c "import json,sys; e=json.load(open('$EXPECTED')); $1"
}

# drp NAME ARGS...: runs drpwatch, keeping stdout/stderr in $LOGS/NAME.*,
# and sets $rc.
drp() {
    local name=$1
    shift
    "$DRPWATCH" "$@" >"$LOGS/$name.out" 2>"$LOGS/$name.err"
    rc=$?
}

# find_validator: sets validator to ../shared/tools/stix-validate, looked
# for up the tree (under distcheck the sources are unpacked deeper), or
# bails out.
find_validator() {
    local d _
    validator=""
    d=$(cd "$top_srcdir" && pwd)
    for _ in 1 2 3 4 5 6; do
        if [ -x "$d/../shared/tools/stix-validate" ]; then
            validator="$d/../shared/tools/stix-validate"
            return 0
        fi
        d=$(dirname "$d")
    done
    echo "Bail out! ../shared/tools/stix-validate not found above $top_srcdir"
    exit 1
}
