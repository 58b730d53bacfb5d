#!/bin/bash
# PostgreSQL stops and starts in the middle of a crawl: the run reports the
# failure, the next run completes, and nothing is lost or duplicated.
. "${top_srcdir:?run through make check}/tests/lib.sh" || exit 99

# Slow pages and two transfers at a time, so the crawl is still going when
# the database goes away.
start_world WORLD_DELAY_MS=150
sed 's/^  concurrency: .*/  concurrency: 2/' "$WORLD/demo.yaml" >"$T/slow.yaml"
drp apply apply "$T/slow.yaml"
is "$rc" 0 "apply exits 0"

"$DRPWATCH" run --once >"$LOGS/run1.out" 2>"$LOGS/run1.err" &
run_pid=$!
for i in $(seq 1 100); do
    n=$(q "SELECT count(*) FROM documents" 2>/dev/null || echo 0)
    [ "$n" -ge 5 ] && break
    sleep 0.1
done
diag "documents stored before the restart: $n"
"$DRPWATCH" db stop >"$LOGS/stop.out" 2>&1
ok $? "database stopped in the middle of the crawl"
sleep 2
"$DRPWATCH" db start >"$LOGS/start.out" 2>&1
ok $? "database started again"
wait "$run_pid"
rc=$?
is "$rc" 4 "the interrupted run exits 4 (database errors)"
grep -q "database errors=[1-9]" "$LOGS/run1.out"
ok $? "the interrupted run reports its database errors"
grep -q "database reachable again" "$LOGS/run1.err"
ok $? "the interrupted run reconnected"

drp run2 run --once
is "$rc" 0 "the next run completes"

want=$(( $(expected "print(e['forum_pages'] + e['paste_pages'] + e['onion_pages'])") ))
is "$(q "SELECT count(DISTINCT url) FROM documents")" "$want" "no page lost"
is "$(q "SELECT count(*) FROM (SELECT url, sha256 FROM documents
        GROUP BY 1, 2 HAVING count(*) > 1) d")" 0 "no document stored twice"
is "$(q "SELECT count(*) FROM alerts WHERE kind = 'credential-leak'")" \
    "$(expected "print(len(e['watched_credentials']))")" \
    "every credential alert, once"
is "$(q "SELECT count(*) FROM (SELECT finding_id, document_id FROM sightings
        GROUP BY 1, 2 HAVING count(*) > 1) s")" 0 "no sighting twice"
is "$(q "SELECT count(*) FROM jobs WHERE lease_owner IS NOT NULL")" 0 \
    "no lease left behind"
is "$(q "SELECT count(*) FROM alert_events WHERE event = 'created'")" \
    "$(q "SELECT count(*) FROM alerts")" "each alert created once"

done_testing
