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

# A page the database refuses (a statement error, here a trigger's
# exception, not an outage) fails its job with the server's reason and the
# crawl ends: it is not retried at once without end as an outage would be.
q "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS \$\$
   BEGIN
     IF NEW.url LIKE '%/ok' THEN RAISE EXCEPTION 'test: page refused'; END IF;
     RETURN NEW;
   END \$\$"
q "CREATE TRIGGER test_refuse BEFORE INSERT ON documents
   FOR EACH ROW EXECUTE FUNCTION test_refuse()"
cp "$T/slow.yaml" "$T/refused.yaml"
cat >>"$T/refused.yaml" <<YAML
  - {name: refused, kind: site, url: "${MISC_URL}ok", allow_private: true, max_depth: 0}
YAML
drp apply2 apply "$T/refused.yaml"
is "$rc" 0 "apply with the refused page's source exits 0"
timeout 120 "$DRPWATCH" run --once >"$LOGS/run3.out" 2>"$LOGS/run3.err"
rc=$?
is "$rc" 4 "a run whose page the database refuses ends, exit 4"
grep -q "the database refused the page: .*test: page refused" "$LOGS/run3.err"
ok $? "it logs the server's reason"
refused_job() {
    q "SELECT j.$1 FROM jobs j JOIN sources s ON s.id = j.source_id
       WHERE s.name = 'refused'"
}
is "$(refused_job attempts)" 1 "the page was tried once"
case "$(refused_job last_error)" in
*"test: page refused"*) ok 0 "its job records the reason" ;;
*) ok 1 "its job records the reason"; diag "$(refused_job last_error)" ;;
esac
is "$(refused_job "lease_owner IS NULL AND j.due_at > now()")" t \
    "its job backs off, unleased"
q "DROP TRIGGER test_refuse ON documents"
q "UPDATE jobs SET due_at = now() WHERE source_id =
   (SELECT id FROM sources WHERE name = 'refused')"
drp run4 run --once
is "$rc" 0 "once the database takes it, the next run exits 0"
is "$(q "SELECT count(*) FROM documents WHERE url = '${MISC_URL}ok'")" 1 \
    "and stores the page"

# The server crashes mid-crawl (SIGQUIT: an immediate shutdown, no
# checkpoint, the WAL not yet written lost as in a power cut). The
# crawler commits asynchronously: its last pages may be lost, each with
# its job's completion, and the next run fetches them again. Nothing is
# lost or stored twice, and the frontier counts still match the jobs.
cp "$T/slow.yaml" "$T/crash.yaml"
cat >>"$T/crash.yaml" <<YAML
  - {name: crash, kind: site, url: "${BIG_URL}p/0", allow_private: true,
     max_depth: 5, max_pages: 80}
YAML
drp apply3 apply "$T/crash.yaml"
is "$rc" 0 "apply with a source to crash in exits 0"
crash_docs() {
    q "SELECT count(*) FROM documents d JOIN sources s ON s.id = d.source_id
       WHERE s.name = 'crash'" 2>/dev/null || echo 0
}
"$DRPWATCH" run --once >"$LOGS/run5.out" 2>"$LOGS/run5.err" &
run_pid=$!
for i in $(seq 1 200); do
    n=$(crash_docs)
    [ "$n" -ge 10 ] && break
    sleep 0.1
done
diag "documents of the crashed source before the crash: $n"
kill -QUIT "$(head -n 1 "$DRPWATCH_HOME/pg/postmaster.pid")"
ok $? "the server is made to crash in the middle of the crawl"
for i in $(seq 1 100); do
    [ -e "$DRPWATCH_HOME/pg/postmaster.pid" ] || break
    sleep 0.1
done
"$DRPWATCH" db start >"$LOGS/start2.out" 2>&1
ok $? "database started again (recovered)"
wait "$run_pid"
drp run6 run --once
is "$rc" 0 "the next run completes"
crash_q() {
    q "SELECT $1 FROM documents d JOIN sources s ON s.id = d.source_id
       WHERE s.name = 'crash'"
}
is "$(crash_q "count(DISTINCT d.url)")" \
    "$(q "SELECT count(*) FROM jobs j JOIN sources s ON s.id = j.source_id
          WHERE s.name = 'crash'")" "every page of the crashed crawl stored"
is "$(crash_q "count(*)")" "$(crash_q "count(DISTINCT d.url)")" \
    "and none twice"
is "$(q "SELECT count(*) FROM jobs j JOIN sources s ON s.id = j.source_id
         WHERE s.name = 'crash' AND (j.fetched_at IS NULL
         OR j.lease_owner IS NOT NULL)")" 0 "every job fetched, no lease left"
is "$(counts_off)" 0 "each source's job counts match its jobs"

# A lease lost while its page is fetched (a crash losing the lease's
# commit, or a lease that expired and another worker took): the run may
# lease the job again and fetch the page twice, but the page is stored
# once, by whoever holds the lease when it is stored.
cp "$T/slow.yaml" "$T/late.yaml"
cat >>"$T/late.yaml" <<YAML
  - {name: late, kind: site, url: "${MISC_URL}late", allow_private: true, max_depth: 0}
YAML
drp apply4 apply "$T/late.yaml"
is "$rc" 0 "apply with a late page's source exits 0"
late_job() {
    q "SELECT j.$1 FROM jobs j JOIN sources s ON s.id = j.source_id
       WHERE s.name = 'late'"
}
from=$(wc -l <"$WORLD/world.log")
"$DRPWATCH" run --once >"$LOGS/run7.out" 2>"$LOGS/run7.err" &
run_pid=$!
for i in $(seq 1 100); do
    [ "$(late_job "lease_owner IS NOT NULL")" = t ] && break
    sleep 0.05
done
q "UPDATE jobs SET lease_owner = NULL, lease_expires = NULL WHERE id =
   (SELECT j.id FROM jobs j JOIN sources s ON s.id = j.source_id
    WHERE s.name = 'late')"
ok $? "the late page's lease is lost while it is fetched"
wait "$run_pid"
is "$?" 0 "the run exits 0"
is "$(tail -n "+$from" "$WORLD/world.log" | grep -c '"GET /late ')" 2 \
    "it leased the job again and fetched the page twice"
is "$(q "SELECT count(*) FROM documents WHERE url = '${MISC_URL}late'")" 1 \
    "the page is stored once"
is "$(late_job "fetched_at IS NOT NULL AND lease_owner IS NULL")" t \
    "its job is done, no lease left"
grep -q "lease lost" "$LOGS/run7.err"
ok $? "the run says why it left the other copy"
is "$(counts_off)" 0 "each source's job counts still match its jobs"

# start_leased NAME N JOBS: `run --once` in the background (run_pid; logs
# NAME.out and NAME.err; from: the world log's length before it), once
# JOBS counts N of its jobs leased (JOBS: a function of an SQL condition
# on jobs j that prints a count).
start_leased() {
    from=$(wc -l <"$WORLD/world.log")
    "$DRPWATCH" run --once >"$LOGS/$1.out" 2>"$LOGS/$1.err" &
    run_pid=$!
    for i in $(seq 1 100); do
        [ "$("$3" "j.lease_owner IS NOT NULL")" = "$2" ] && break
        sleep 0.05
    done
}

# A lease that expired and another worker took while its page is fetched,
# and the fetch fails (a 503) or the page is a login page (the session
# marker): the job and its source are the new holder's, so the run
# records nothing on them (no back-off, no error, no lease taken away).
cp "$T/slow.yaml" "$T/taken.yaml"
cat >>"$T/taken.yaml" <<YAML
  - {name: takenfail, kind: site, url: "${MISC_URL}late-fail", allow_private: true, max_depth: 0}
  - {name: takenskip, kind: site, url: "${MISC_URL}late", allow_private: true, max_depth: 0,
     session_expired: "comes late"}
YAML
drp apply5 apply "$T/taken.yaml"
is "$rc" 0 "apply with two taken pages' sources exits 0"
taken_jobs() {
    q "SELECT count(*) FROM jobs j JOIN sources s ON s.id = j.source_id
       WHERE s.name IN ('takenfail', 'takenskip') AND $1"
}
start_leased run8 2 taken_jobs
q "UPDATE jobs SET lease_owner = 'another-host:1',
   lease_expires = now() + interval '1 hour' WHERE source_id IN
   (SELECT id FROM sources WHERE name IN ('takenfail', 'takenskip'))"
ok $? "both pages' leases are taken by another worker while fetched"
wait "$run_pid"
is "$?" 3 "the run exits 3 (its fetches failed)"
is "$(tail -n "+$from" "$WORLD/world.log" |
      grep -c -E '"GET /late(-fail)? ')" 2 "it fetched each page once"
is "$(taken_jobs "j.lease_owner = 'another-host:1' AND j.last_error IS NULL
                 AND j.last_status IS NULL AND j.due_at <= now()")" 2 \
    "their jobs are left to the other worker: no error, no back-off"
is "$(q "SELECT count(*) FROM source_errors e JOIN sources s
         ON s.id = e.source_id WHERE s.name IN ('takenfail', 'takenskip')")" \
    0 "no error recorded on their sources"
is "$(q "SELECT count(*) FROM sources WHERE name IN ('takenfail',
         'takenskip') AND last_error IS NOT NULL")" 0 \
    "no health warning on them"
is "$(grep -c "job left to its holder\|lease lost" "$LOGS/run8.err")" 2 \
    "the run says why it left each"
q "UPDATE jobs SET lease_owner = NULL, lease_expires = NULL
   WHERE lease_owner = 'another-host:1'"
is "$(counts_off)" 0 "each source's job counts still match its jobs"

# The same, but the lease is taken again by the run itself (the workers
# of a run share their owner: a page slower than its lease): the new
# lease has a token of its own (migration 020), and the copy fetched
# under the old one records nothing, whether it failed, was a login page,
# is a page to store, or is the page as it was last time (unchanged).
# (Four workers: all four pages in flight at once.)
sed 's/^  concurrency: .*/  concurrency: 4/' "$T/slow.yaml" >"$T/again.yaml"
cat >>"$T/again.yaml" <<YAML
  - {name: againfail, kind: site, url: "${MISC_URL}late-fail", allow_private: true, max_depth: 0}
  - {name: againskip, kind: site, url: "${MISC_URL}late", allow_private: true, max_depth: 0,
     session_expired: "comes late"}
  - {name: againstore, kind: site, url: "${MISC_URL}late-again", allow_private: true, max_depth: 0}
  - {name: againsame, kind: site, url: "${MISC_URL}late", allow_private: true, max_depth: 0}
YAML
drp apply6 apply "$T/again.yaml"
is "$rc" 0 "apply with four pages' sources exits 0"
again="'againfail', 'againskip', 'againstore', 'againsame'"
again_jobs() {
    q "SELECT count(*) FROM jobs j JOIN sources s ON s.id = j.source_id
       WHERE s.name IN ($again) AND $1"
}
# againsame's job knows its page's hash, as if fetched before: the one
# the late page was stored with above.
q "UPDATE jobs SET content_hash = (SELECT sha256 FROM documents
   WHERE url = '${MISC_URL}late') WHERE source_id =
   (SELECT id FROM sources WHERE name = 'againsame')"
start_leased run9 4 again_jobs
owner=$(q "SELECT DISTINCT j.lease_owner FROM jobs j JOIN sources s
           ON s.id = j.source_id WHERE s.name = 'againstore'")
q "UPDATE jobs SET lease_token = lease_token + 1,
   lease_expires = now() + interval '1 hour' WHERE source_id IN
   (SELECT id FROM sources WHERE name IN ($again))"
ok $? "the four pages' leases are taken again by their own run"
wait "$run_pid"
is "$?" 3 "the run exits 3 (its fetches failed)"
is "$(tail -n "+$from" "$WORLD/world.log" |
      grep -c -E '"GET /late(-fail|-again)? ')" 4 "it fetched each page once"
case "$owner" in
*:*) ok 0 "the lease's owner is the run's ($owner)" ;;
*) ok 1 "the lease's owner is the run's"; diag "owner '$owner'" ;;
esac
is "$(again_jobs "j.last_error IS NULL AND j.last_status IS NULL
                  AND j.fetched_at IS NULL AND j.due_at <= now()")" 4 \
    "their jobs are left to the new lease: not done, no error, no back-off"
is "$(q "SELECT count(*) FROM documents WHERE url = '${MISC_URL}late-again'")" \
    0 "the page fetched under the old lease is not stored"
is "$(q "SELECT count(*) FROM source_errors e JOIN sources s
         ON s.id = e.source_id WHERE s.name IN ('againfail', 'againskip')")" \
    0 "no error recorded on their sources"
is "$(q "SELECT count(*) FROM sources WHERE name IN ($again)
         AND (last_error IS NOT NULL OR jobs_unfetched <> 1)")" 0 \
    "no health warning on them, each still counts its job unfetched"
is "$(grep -c "job left to its holder\|lease lost" "$LOGS/run9.err")" 4 \
    "the run says why it left each"
q "UPDATE jobs SET lease_owner = NULL, lease_expires = NULL
   WHERE source_id IN (SELECT id FROM sources WHERE name IN ($again))"
is "$(counts_off)" 0 "each source's job counts still match its jobs"

done_testing
