#!/bin/bash
# Scale-out: three `drpwatch run` services share one database and crawl the
# demo world's 5,000-page site; no page is fetched twice and each worker
# takes part. Then, on a second source over the same pages, one worker is
# killed with SIGKILL mid-crawl: its leased jobs come back, and every page
# is still stored exactly once.
. "${top_srcdir:?run through make check}/tests/lib.sh" || exit 99

PAGES=5000
start_world
cat >"$T/workers.yaml" <<YAML
crawl:
  concurrency: 8
  timeout: 10
  onion_timeout: 20
watchlist:
  - {kind: brand, value: Northwind Bank}
sources:
  - {name: big, kind: site, url: "${BIG_URL}p/0", allow_private: true,
     max_depth: 5, max_pages: 10000, interval: 86400}
YAML
drp apply apply "$T/workers.yaml"
is "$rc" 0 "apply exits 0"
[ "$rc" -eq 0 ] || { cat "$LOGS/apply.err"; echo "Bail out! cannot apply"; exit 1; }

# start_workers NAME: three services in the background (pids in $pids).
start_workers() {
    local i
    pids=""
    for i in 1 2 3; do
        "$DRPWATCH" run >"$LOGS/$1-$i.out" 2>"$LOGS/$1-$i.err" &
        pids="$pids $!"
    done
}
# stored SOURCE: documents stored for it.
stored() {
    q "SELECT count(*) FROM documents d JOIN sources s ON s.id = d.source_id
       WHERE s.name = '$1'"
}
# wait_done SOURCE: until every page of SOURCE is stored (at most 300 s,
# and no longer than some worker lives).
wait_done() {
    local i p alive
    for i in $(seq 1 600); do
        alive=0
        for p in $pids; do
            kill -0 "$p" 2>/dev/null && alive=1
        done
        [ "$alive" -eq 1 ] || return 1
        [ "$(q "SELECT count(*) FROM jobs j JOIN sources s ON s.id = j.source_id
                WHERE s.name = '$1' AND j.fetched_at IS NOT NULL")" -ge "$PAGES" ] &&
            return 0
        sleep 0.5
    done
    return 1
}
stop_workers() {
    local p
    kill -TERM $pids 2>/dev/null
    codes=""
    for p in $pids; do
        wait "$p"
        codes="$codes $?"
    done
}

start=$(date +%s)
start_workers w
wait_done big
ok $? "three workers crawl the $PAGES pages"
elapsed=$(($(date +%s) - start))
stop_workers
is "$codes" " 0 0 0" "SIGTERM: every worker finishes its transfers and exits 0"
diag "$PAGES pages by three workers in about ${elapsed} s"

is "$(stored big)" "$PAGES" "every page stored once"
got=$(grep '^big ' "$WORLD/world.log" | grep -c '"GET /p/')
is "$got" "$PAGES" "the site was asked for $PAGES pages: none fetched twice"
got=$(q "SELECT count(*) FROM jobs WHERE lease_owner IS NOT NULL")
is "$got" 0 "no lease left behind"
for i in 1 2 3; do
    n=$(sed -n 's/.*pages stored=\([0-9]*\).*/\1/p' "$LOGS/w-$i.out")
    [ "${n:-0}" -gt 0 ]
    ok $? "worker $i took part (${n:-0} pages)"
done

# A worker killed mid-crawl loses nothing.
cat >>"$T/workers.yaml" <<YAML
  - {name: big2, kind: site, url: "${BIG_URL}p/0", allow_private: true,
     max_depth: 5, max_pages: 10000, interval: 86400}
YAML
drp apply2 apply "$T/workers.yaml"
start_workers k
for i in $(seq 1 600); do
    [ "$(stored big2)" -ge 1000 ] && break
    sleep 0.1
done
set -- $pids
victim=$1
kill -KILL "$victim"
wait "$victim" 2>/dev/null
leased=$(q "SELECT count(*) FROM jobs WHERE lease_owner LIKE '%:$victim'")
diag "killed worker $victim after $(stored big2) pages; it held $leased leases"
pids="$2 $3"
wait_done big2
ok $? "the two survivors finish the crawl"
stop_workers
is "$codes" " 0 0" "the survivors exit 0"
is "$(stored big2)" "$PAGES" "every page stored exactly once despite the kill"
got=$(q "SELECT count(DISTINCT d.url) FROM documents d JOIN sources s ON s.id = d.source_id
         WHERE s.name = 'big2'")
is "$got" "$PAGES" "no page missing"
grep -qs "reclaiming the leases of a dead worker: owner='.*:$victim'" "$LOGS"/k-*.err
ok $? "a survivor reclaimed the dead worker's leases"

# The frontier counts kept on each source (migration 004) agree with the
# jobs after concurrent workers, and max_pages caps a site's frontier.
got=$(counts_off)
is "$got" 0 "each source's job counts match its jobs"
cat >>"$T/workers.yaml" <<YAML
  - {name: capped, kind: site, url: "${BIG_URL}p/0", allow_private: true,
     max_depth: 5, max_pages: 100}
YAML
drp apply3 apply "$T/workers.yaml"
drp capped run --once
is "$rc" 0 "a capped crawl exits 0"
got=$(q "SELECT count(*) FROM jobs j JOIN sources s ON s.id = j.source_id
         WHERE s.name = 'capped'")
[ "$got" -le 100 ] && [ "$got" -ge 90 ]
ok $? "max_pages 100 caps the frontier ($got jobs)"
is "$(stored capped)" "$got" "and every page in it is stored"

# Workers on another host: an expired lease comes back, a live one is
# left alone ('elsewhere' is no host of ours, so only expiry frees them).
q "UPDATE jobs SET lease_owner = 'elsewhere:1', fetched_at = now() - interval '1 hour',
   lease_expires = now() - interval '1 second', due_at = now() - interval '1 minute'
   WHERE id IN (SELECT j.id FROM jobs j JOIN sources s ON s.id = j.source_id
                WHERE s.name = 'capped' ORDER BY j.id LIMIT 3)" >/dev/null
q "UPDATE jobs SET lease_owner = 'elsewhere:2', lease_expires = now() + interval '1 hour',
   due_at = now() - interval '1 minute'
   WHERE id IN (SELECT j.id FROM jobs j JOIN sources s ON s.id = j.source_id
                WHERE s.name = 'capped' ORDER BY j.id DESC LIMIT 2)" >/dev/null
drp expired run --once
is "$rc" 0 "a pass with foreign leases exits 0"
got=$(q "SELECT count(*) FROM jobs WHERE lease_owner IS NULL
         AND fetched_at > now() - interval '5 minutes'
         AND id IN (SELECT j.id FROM jobs j JOIN sources s ON s.id = j.source_id
                    WHERE s.name = 'capped' ORDER BY j.id LIMIT 3)")
is "$got" 3 "expired leases of another host's worker came back and were fetched"
got=$(q "SELECT count(*) FROM jobs WHERE lease_owner = 'elsewhere:2'")
is "$got" 2 "live leases of another host's worker were left alone"

done_testing
