#!/bin/bash
# The embedded cluster's life cycle (db start|stop|status|migrate|psql),
# an external server through --db/DRPWATCH_DB, and configuration errors as
# the user sees them.
. "${top_srcdir:?run through make check}/tests/lib.sh" || exit 99

drp status0 db status
is "$rc" 4 "status before first use exits 4"
grep -q "not created yet" "$LOGS/status0.out"
ok $? "status says the cluster is not created yet"

drp start1 db start
is "$rc" 0 "db start creates and starts the cluster"
[ -f "$DRPWATCH_HOME/pg/PG_VERSION" ]
ok $? "cluster created under the data directory"
drp start2 db start
is "$rc" 0 "db start again is harmless"
drp status1 db status
is "$rc" 0 "status exits 0 while running"
grep -q "embedded database: running" "$LOGS/status1.out"
ok $? "status says running"
is "$(q "SHOW listen_addresses")" "" "the server listens on no TCP address"
nmig=$(ls "$top_srcdir"/storage/schema/*.sql | wc -l)
drp migrate db migrate
is "$rc" 0 "db migrate exits 0"
is "$(q "SELECT count(*) FROM schema_migrations")" "$nmig" "every migration applied"
drp migrate2 db migrate
is "$(q "SELECT count(*) FROM schema_migrations")" "$nmig" "migrate is idempotent"

# Migration 002 on a store of the first release: Admiralty letters become
# numbers, findings gain their benign label.
q "CREATE DATABASE upgrade" >/dev/null
UPG="${CONNINFO/dbname=drpwatch/dbname=upgrade}"
psql -X -q -v ON_ERROR_STOP=1 -d "$UPG" -f "$top_srcdir/storage/schema/001_init.sql" \
    >"$LOGS/upgrade-001.out" 2>&1
psql -X -q -v ON_ERROR_STOP=1 -d "$UPG" >>"$LOGS/upgrade-001.out" 2>&1 <<'SQL'
CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now());
INSERT INTO schema_migrations VALUES (1, '001_init');
INSERT INTO sources (name, kind, url, reliability) VALUES
    ('a', 'forum', 'http://a/', 'A'), ('c', 'forum', 'http://c/', 'C'),
    ('e', 'paste', 'http://e/', 'E'), ('f', 'site', 'http://f/', 'F');
INSERT INTO findings (kind, value, confidence) VALUES ('ipv4', '192.0.2.1', 50);
SQL
ok $? "a store of the first release with letter reliabilities"
drp upgrade --db "$UPG" db migrate
is "$rc" 0 "db migrate upgrades it"
is "$(psql -X -A -t -d "$UPG" -c "SELECT string_agg(name || '=' || reliability, ' '
      ORDER BY name) FROM sources")" "a=100 c=60 e=20 f=50" \
    "reliability letters A, C, E, F became 100, 60, 20, 50"
is "$(psql -X -A -t -d "$UPG" -c "SELECT count(*) FROM findings WHERE benign IS NULL")" 1 \
    "existing findings have no benign label"
psql -X -q -d "$UPG" -c "UPDATE sources SET reliability = 101" >/dev/null 2>&1
ok $((! $?)) "a reliability above 100 is refused by the schema"

# Migration 015: the rules of the CHECK constraints hold as domains, and
# deleting a source or a finding by hand still removes what hung on it
# (the foreign keys' cascades, now triggers).
upg() {
    psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$UPG" -c "$1" 2>>"$LOGS/upgrade-015.err"
}
refused() { # SQL WHAT
    psql -X -q -d "$UPG" -c "$1" >/dev/null 2>&1
    ok $((! $?)) "$2 is refused by the schema"
}
refused "UPDATE sources SET kind = 'blog'" "a source kind outside the list"
refused "UPDATE sources SET delay_ms = -1" "a negative delay"
refused "INSERT INTO jobs (source_id, url, role) SELECT id, 'http://a/x', 'post'
         FROM sources WHERE name = 'a'" "a job role outside the list"
refused "UPDATE findings SET confidence = 101" "a confidence above 100"
upg "INSERT INTO jobs (source_id, url) SELECT id, 'http://' || name || '/p'
     FROM sources;
     INSERT INTO sightings (finding_id, document_id, source_id, url, byte_offset)
     SELECT f.id, s.id, s.id, s.url, 0 FROM findings f, sources s;
     INSERT INTO credentials (finding_id, identity, password_hmac, password_hint)
     SELECT id, 'x@example.com', '\\x00', 'a**b' FROM findings"
ok $? "jobs, sightings and a credential added to the upgraded store"
upg "DELETE FROM sources WHERE name = 'a'"
is "$(upg "SELECT count(*) FROM jobs j WHERE NOT EXISTS (SELECT 1 FROM sources s
           WHERE s.id = j.source_id)") $(upg "SELECT count(*) FROM sightings t
           WHERE NOT EXISTS (SELECT 1 FROM sources s WHERE s.id = t.source_id)")" \
    "0 0" "a source deleted by hand takes its jobs and sightings along"
is "$(upg "SELECT count(*) FROM jobs") $(upg "SELECT count(*) FROM sightings")" \
    "3 3" "and only those"
# Migration 016: a thread's first job deleted by hand takes its later
# pages along (the foreign key's cascade, now a trigger).
upg "INSERT INTO jobs (source_id, url, thread_id)
     SELECT source_id, url || '?page=' || n, id FROM jobs,
     generate_series(2, 3) n WHERE url = 'http://c/p'"
upg "DELETE FROM jobs WHERE url = 'http://c/p'"
is "$(upg "SELECT count(*) FROM jobs WHERE url LIKE 'http://c/%'")
$(upg "SELECT count(*) FROM jobs")" "0
2" "a thread's first job deleted by hand takes its later pages along"
upg "DELETE FROM findings"
is "$(upg "SELECT count(*) FROM sightings") $(upg "SELECT count(*) FROM credentials")" \
    "0 0" "a finding deleted by hand takes its sightings and credentials along"
# A page being stored locks its job's row before it inserts its sightings
# (storage/store.c): a source deleted by hand meanwhile waits for the page
# and then takes its sightings along.
psql -X -q -v ON_ERROR_STOP=1 -d "$UPG" >"$LOGS/page-lock.out" 2>&1 <<'SQL' &
BEGIN;
SELECT 1 FROM jobs WHERE url = 'http://e/p' FOR NO KEY UPDATE;
INSERT INTO sightings (finding_id, document_id, source_id, url, byte_offset)
    SELECT 0, 0, source_id, url, 0 FROM jobs WHERE url = 'http://e/p';
SELECT pg_sleep(1);
COMMIT;
SQL
page_pid=$!
sleep 0.5
t0=$(date +%s%N)
upg "DELETE FROM sources WHERE name = 'e'"
waited=$(( ($(date +%s%N) - t0) / 1000000 ))
wait "$page_pid"
ok $? "a page stored while its source is deleted commits"
[ "$waited" -ge 200 ]
ok $? "the deletion waited for the page (${waited} ms)"
is "$(upg "SELECT count(*) FROM sightings t WHERE NOT EXISTS
           (SELECT 1 FROM sources s WHERE s.id = t.source_id)")" 0 \
    "and the source's deletion takes its sightings along"

# Migration 017: documents' partitions, old and new, keep a text that fits
# in the row as it is, and compress a longer one as before.
is "$(q "SELECT count(*) FROM pg_inherits i JOIN pg_class c
         ON c.oid = i.inhrelid WHERE i.inhparent = 'documents'::regclass
         AND 'toast_tuple_target=8160' = ANY (c.reloptions)")" \
    "$(q "SELECT count(*) FROM pg_inherits
          WHERE inhparent = 'documents'::regclass")" \
    "every partition of documents keeps its text in the row"
q "SELECT drp_documents_partition('2031-05-15')" >/dev/null
is "$(q "SELECT reloptions FROM pg_class WHERE relname = 'documents_203105'")" \
    "{toast_tuple_target=8160}" "and so does a new month's"
q "INSERT INTO documents (source_id, job_id, url, fetched_at, http_status,
     sha256, body_bytes, text) VALUES
     (1, 1, 'http://x/short', '2031-05-15', 200, '\\x00', 1, repeat('a', 6000)),
     (1, 1, 'http://x/long', '2031-05-15', 200, '\\x00', 1, repeat('a', 20000))"
is "$(q "SELECT string_agg(coalesce(pg_column_compression(text), 'none'), ' '
         ORDER BY url) FROM documents_203105")" "lz4 none" \
    "6,000 bytes of text stored as they are, 20,000 compressed"
q "DROP TABLE documents_203105"
# Migration 018: room on each page of jobs for its leases' row versions.
is "$(q "SELECT reloptions FROM pg_class WHERE relname = 'jobs'")" \
    "{fillfactor=50}" "jobs leave half of each page for leases"
# Migrations 019 and 020: jobs are held for their completion only under
# their lease, named by its owner and its token.
q "SELECT drp_hold_leases('{}'::bigint[], 'me', '{}'::bigint[])" >/dev/null
ok $? "holding no job succeeds"
hold() { # IDS OWNER TOKENS: the error's SQLSTATE and message, or "held"
    psql -X -q -A -t -d "$UPG" -v VERBOSITY=verbose \
        -c "SELECT drp_hold_leases($1::bigint[], '$2', $3::bigint[])" 2>&1 |
        grep -o 'DW001: lease lost: [^(]*' || echo held
}
is "$(hold "'{-1}'" me "'{1}'")" \
   "DW001: lease lost: 1 of 1 jobs no longer under the leases of me" \
   "a job not leased to the caller fails with DW001"
upg "INSERT INTO jobs (source_id, url, lease_owner, lease_token,
     lease_expires) SELECT id, 'http://f/lease' || n, 'me', 7,
     now() + interval '1 hour' FROM sources, generate_series(1, 2) n
     WHERE name = 'f'"
ids=$(upg "SELECT '{' || string_agg(id::text, ',') || '}' FROM jobs
           WHERE url LIKE 'http://f/lease%'")
is "$(hold "'$ids'" me "'{7,7}'")" held "jobs held under their leases"
is "$(hold "'$ids'" me "'{7,8}'")" \
   "DW001: lease lost: 1 of 2 jobs no longer under the leases of me" \
   "a job leased again by the same owner (another token) is not held"
is "$(hold "'$ids'" you "'{7,7}'")" \
   "DW001: lease lost: 2 of 2 jobs no longer under the leases of you" \
   "nor one leased to another owner"
upg "UPDATE jobs SET lease_owner = NULL, lease_expires = NULL
     WHERE url LIKE 'http://f/lease%'"
is "$(hold "'$ids'" me "'{7,7}'")" \
   "DW001: lease lost: 2 of 2 jobs no longer under the leases of me" \
   "nor one whose lease was released (its token stays)"
got=$(echo 'SELECT 40 + 2;' | "$DRPWATCH" db psql 2>"$LOGS/psql.err" | grep -c '42')
is "$got" 1 "db psql opens a shell on the database"
is "$("$DRPWATCH" db psql -X -A -t -c 'SELECT count(*) FROM watch_terms' 2>/dev/null)" 0 \
    "db psql passes its arguments to psql"
if [ "$(id -u)" -eq 0 ]; then
    is "$(stat -c %U "$DRPWATCH_HOME/pg")" drpwatch \
        "as root, the cluster belongs to the system user drpwatch"
    drp private --data-dir /root/drpwatch-test-private-$$ db start
    is "$rc" 4 "a data directory the server user cannot reach is refused"
    grep -q "is not reachable by system user 'drpwatch'" "$LOGS/private.err"
    ok $? "and the error says why and what to do"
    rm -rf "/root/drpwatch-test-private-$$"
else
    is "$(stat -c %U "$DRPWATCH_HOME/pg")" "$(id -un)" \
        "the cluster belongs to the user running drpwatch"
fi

# An external server: the same cluster, named by a connection string.
drp ext1 --db "$CONNINFO" --data-dir "$T/unused" db status
is "$rc" 0 "db status with --db checks the external server"
grep -q "external database: reachable" "$LOGS/ext1.out"
ok $? "and says it is reachable"
cat >"$T/one.yaml" <<YAML
watchlist:
  - {kind: brand, value: Contoso}
sources:
  - {name: s1, kind: site, url: "http://127.0.0.1:9/"}
YAML
DRPWATCH_DB="$CONNINFO" drp ext2 --data-dir "$T/unused" apply "$T/one.yaml"
is "$rc" 0 "apply through DRPWATCH_DB"
is "$(q "SELECT value FROM watch_terms WHERE active")" "Contoso" \
    "the external database got the watchlist"
[ ! -e "$T/unused/pg" ]
ok $? "no embedded cluster was created for an external database"
drp ext3 --db "host=$T/nowhere dbname=x" --data-dir "$T/unused" alerts list
is "$rc" 4 "an unreachable external database exits 4"
grep -q "cannot connect to the database" "$LOGS/ext3.err"
ok $? "and says it cannot connect"

# apply: re-applying is idempotent; removed entries are retired/disabled.
drp apply1 apply "$T/one.yaml"
grep -q "watch terms 0 new, 1 kept, 0 retired; sources 0 new, 1 updated, 0 disabled" \
    "$LOGS/apply1.out"
ok $? "re-applying the same file changes nothing"
cat >"$T/two.yaml" <<YAML
watchlist:
  - {kind: product, value: Contoso Cloud}
sources:
  - {name: s2, kind: paste, url: "http://127.0.0.1:9/archive"}
YAML
drp apply2 apply "$T/two.yaml"
grep -q "watch terms 1 new, 0 kept, 1 retired; sources 1 new, 0 updated, 1 disabled" \
    "$LOGS/apply2.out"
ok $? "entries no longer listed are retired and disabled"
is "$(q "SELECT name FROM sources WHERE enabled")" "s2" "only s2 is enabled"

# Configuration errors name file, line and column.
printf 'sources:\n  - name: a\n    kind: site\n    url: http://a/\n    depht: 3\n' \
    >"$T/bad.yaml"
drp bad apply "$T/bad.yaml"
is "$rc" 2 "apply of an invalid file exits 2"
grep -q "^drpwatch: $T/bad.yaml:5:5: unknown key 'depht' in a source" "$LOGS/bad.err"
ok $? "the error names file:line:col and the key"
drp usage frobnicate
is "$rc" 2 "an unknown command exits 2"
drp runbad run --sometimes
is "$rc" 2 "an unknown option exits 2"

drp stop db stop
is "$rc" 0 "db stop exits 0"
drp status2 db status
is "$rc" 4 "status exits 4 when stopped"
grep -q "embedded database: stopped" "$LOGS/status2.out"
ok $? "status says stopped"
drp stop2 db stop
is "$rc" 0 "db stop when stopped is harmless"

done_testing
