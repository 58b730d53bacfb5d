#!/bin/sh
# The first README command: build, start the embedded PostgreSQL and the
# demo world, apply the demo watchlist, crawl once, print the alerts.
# The demo's data stays in DRPWATCH_HOME (default /var/tmp/drpwatch-demo);
# run it again to see that a second crawl opens no new alert.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

scripts/setup.sh default
bin="$top/_build/default/drpwatch"
export DRPWATCH_HOME="${DRPWATCH_HOME:-/var/tmp/drpwatch-demo}"
state="$DRPWATCH_HOME/world"
mkdir -p "$state"
chmod 755 "$DRPWATCH_HOME"

cleanup() {
    python3 tests/fixtures/world.py stop --state "$state" >/dev/null 2>&1 ||:
    # Leave nothing running; any drpwatch command starts the database again.
    "$bin" -q db stop >/dev/null 2>&1 ||:
}
trap cleanup EXIT INT TERM

python3 tests/fixtures/world.py stop --state "$state" >/dev/null 2>&1 ||:
started=""
for base in 18400 18500 18600 18700 18800 18900; do
    if python3 tests/fixtures/world.py start --state "$state" \
        --base-port "$base" >"$state/start.log" 2>&1; then
        started=$base
        break
    fi
done
if [ -z "$started" ]; then
    cat "$state/start.log" >&2
    echo "demo: cannot start the demo world (ports busy?)" >&2
    exit 1
fi
echo "== demo world on 127.0.0.1:$started (forum, paste site, onion forum via SOCKS5h)"

echo "== drpwatch apply"
"$bin" -q apply "$state/demo.yaml"
echo "== drpwatch run --once"
rc=0
"$bin" -q run --once || rc=$?
echo "== drpwatch alerts list"
"$bin" -q alerts list
echo
echo "demo data: $DRPWATCH_HOME (run 'DRPWATCH_HOME=$DRPWATCH_HOME $bin alerts list --json' to look again)"
exit "$rc"
