#!/bin/bash
# Pages stored together: the crawl's workers store the pages they have in
# one transaction (store_batch_flush()). A page the database refuses in
# such a batch fails alone, its neighbours are stored; what is stored
# keeps the counts page-at-a-time storing keeps (sightings, frontier).
. "${top_srcdir:?run through make check}/tests/lib.sh" || exit 99

start_world
cat >"$T/batch.yaml" <<YAML
crawl:
  concurrency: 8
  timeout: 10
  onion_timeout: 20
watchlist:
  - {kind: brand, value: Northwind Bank}
sources:
  - {name: big, kind: site, url: "${BIG_URL}p/0", allow_private: true,
     max_depth: 2, max_pages: 10000}
YAML
drp apply apply "$T/batch.yaml"
is "$rc" 0 "apply exits 0"

# Each document takes the server 20 ms (a trigger): pages come faster
# than the workers store them, so they pile up and go in batches. The
# pages whose number ends in 7 are refused (an exception, not an outage).
q "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS \$\$
   BEGIN
     PERFORM pg_sleep(0.02);
     IF NEW.url ~ '7\$' THEN RAISE EXCEPTION 'test: page refused'; END IF;
     RETURN NEW;
   END \$\$"
q "CREATE TRIGGER test_refuse BEFORE INSERT ON documents
   FOR EACH ROW EXECUTE FUNCTION test_refuse()"
timeout 300 "$DRPWATCH" run --once >"$LOGS/run1.out" 2>"$LOGS/run1.err"
rc=$?
is "$rc" 4 "a run with pages the database refuses exits 4"
grep -q "database refused a batch of [0-9]* pages, storing them one by one" \
    "$LOGS/run1.err"
ok $? "pages went in batches, and a batch with a refused page page by page"
total=$(q "SELECT count(*) FROM jobs")
refused=$(q "SELECT count(*) FROM jobs WHERE url ~ '7\$'")
diag "jobs: $total, refused: $refused"
ok $((refused < 5)) "some pages are refused"
is "$(q "SELECT count(DISTINCT url) FROM documents")" $((total - refused)) \
    "every page not refused is stored"
is "$(q "SELECT count(*) FROM documents")" $((total - refused)) "once"
is "$(q "SELECT count(*) FROM jobs WHERE url ~ '7\$' AND attempts = 1
         AND last_error LIKE '%test: page refused%'
         AND lease_owner IS NULL")" "$refused" \
    "each refused page's job failed once with the server's reason, unleased"
is "$(q "SELECT count(*) FROM jobs WHERE url !~ '7\$'
         AND (fetched_at IS NULL OR lease_owner IS NOT NULL)")" 0 \
    "every other job is completed"

q "DROP TRIGGER test_refuse ON documents"
q "UPDATE jobs SET due_at = now() WHERE url ~ '7\$'"
drp run2 run --once
is "$rc" 0 "once the database takes them, the next run exits 0"
before=$total
total=$(q "SELECT count(*) FROM jobs")
ok $((total <= before)) "the refused pages' links are followed now"
is "$(q "SELECT count(*) FROM (SELECT url FROM documents GROUP BY url
         HAVING count(*) > 1) d")" 0 "no page stored twice"
is "$(q "SELECT count(*) FROM jobs WHERE fetched_at IS NULL
         OR lease_owner IS NOT NULL")" 0 "every job is completed"
is "$(q "SELECT count(DISTINCT url) FROM documents")" "$total" \
    "every page is stored"
ok $(($(q "SELECT count(*) FROM sightings") == 0)) \
    "the pages' findings were sighted"
is "$(q "SELECT count(*) FROM findings f WHERE f.sighting_count <>
           (SELECT count(*) FROM sightings s WHERE s.finding_id = f.id)")" 0 \
    "each finding counts its sightings"
is "$(q "SELECT count(*) FROM (SELECT finding_id, document_id FROM sightings
         GROUP BY 1, 2 HAVING count(*) > 1) s")" 0 "no sighting twice"
is "$(q "SELECT count(*) FROM sightings s WHERE NOT EXISTS (SELECT 1
         FROM documents d WHERE d.id = s.document_id
         AND d.source_id = s.source_id AND d.url = s.url)")" 0 \
    "each sighting names its page's document"
is "$(counts_off)" 0 "each source's job counts match its jobs"

# A page whose job's lease is lost before it is stored (the trigger takes
# the lease away, in the page's transaction, the first two times page
# 2503 is stored: in a batch, then alone, or alone): a batch holding it
# is stored again page by page, the page is left to whoever holds the job
# (here: the next run), its neighbours are stored, and the run has no
# database error.
cat >>"$T/batch.yaml" <<YAML
  - {name: lost, kind: site, url: "${BIG_URL}p/250", allow_private: true,
     max_depth: 2, max_pages: 400}
YAML
drp apply2 apply "$T/batch.yaml"
is "$rc" 0 "apply with a second source exits 0"
q "CREATE SEQUENCE test_lost"
q "CREATE FUNCTION test_lose() RETURNS trigger LANGUAGE plpgsql AS \$\$
   BEGIN
     PERFORM pg_sleep(0.02);
     IF NEW.url = '${BIG_URL}p/2503' AND nextval('test_lost') <= 2 THEN
       UPDATE jobs SET lease_owner = NULL WHERE id = NEW.job_id;
     END IF;
     RETURN NEW;
   END \$\$"
q "CREATE TRIGGER test_lose BEFORE INSERT ON documents
   FOR EACH ROW EXECUTE FUNCTION test_lose()"
timeout 300 "$DRPWATCH" run --once >"$LOGS/run3.out" 2>"$LOGS/run3.err"
is "$?" 0 "a run with pages whose leases are lost exits 0"
lost=$(grep -c "page not stored, lease lost: source='lost'" "$LOGS/run3.err")
is "$lost" 1 "the page is left, with a log line"
grep -q "holds a job whose lease was lost, storing them one by one" \
    "$LOGS/run3.err" && diag "a batch was stored page by page"
lost_q() {
    q "SELECT $1 FROM jobs j JOIN sources s ON s.id = j.source_id
       WHERE s.name = 'lost'"
}
is "$(lost_q "string_agg(j.url, ' ') FILTER (WHERE j.fetched_at IS NULL)")" \
    "${BIG_URL}p/2503" "only its job is not done"
is "$(lost_q "count(*) FILTER (WHERE j.last_error IS NOT NULL)")" 0 \
    "and no job failed"
q "DROP TRIGGER test_lose ON documents"
drp run4 run --once
is "$rc" 0 "the next run exits 0"
is "$(lost_q "count(*) FILTER (WHERE j.fetched_at IS NULL
             OR j.lease_owner IS NOT NULL)")" 0 "and completes every job"
is "$(q "SELECT count(*) FROM documents d JOIN sources s
         ON s.id = d.source_id WHERE s.name = 'lost'")" \
    "$(lost_q "count(*)")" "every page of the source stored once"
is "$(counts_off)" 0 "each source's job counts still match its jobs"

done_testing
