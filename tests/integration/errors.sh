#!/bin/bash
# Broken sources: an unreachable host, a 500, a non-HTML body, a malformed
# page, an endless body, a compression bomb, a slow drip, a trickle, a 1 GB
# Content-Length, a large body of a refused type and a redirect loop are recorded
# as errors on their source; the run goes on; a clear-web source may not
# reach loopback unless it allows it.
. "${top_srcdir:?run through make check}/tests/lib.sh" || exit 99

start_world
sed -e 's/^  max_body: .*/  max_body: 1048576\n  low_speed_time: 2/' \
    -e 's/^  timeout: .*/  timeout: 10/' "$WORLD/errors.yaml" >"$T/errors.yaml"
cat >>"$T/errors.yaml" <<YAML
  - name: private-refused
    kind: site
    url: ${MISC_URL}ok?refused
    max_depth: 0
  - {name: endless, kind: site, url: "${MISC_URL}huge", allow_private: true, max_depth: 0}
  - {name: gzip-bomb, kind: site, url: "${MISC_URL}bomb", allow_private: true, max_depth: 0}
  - {name: redirect-loop, kind: site, url: "${MISC_URL}loop", allow_private: true, max_depth: 0}
  - {name: slow-drip, kind: site, url: "${MISC_URL}drip", allow_private: true, max_depth: 0}
  - {name: trickle, kind: site, url: "${MISC_URL}trickle", allow_private: true, max_depth: 0}
  - {name: big-length, kind: site, url: "${MISC_URL}biglength", allow_private: true, max_depth: 0}
  - {name: wrong-type, kind: site, url: "${MISC_URL}wrongtype", allow_private: true, max_depth: 0}
  - {name: parser-gives-up, kind: site, url: "${MISC_URL}soup", allow_private: true, max_depth: 0}
YAML
grep -q '^  max_body: 1048576$' "$T/errors.yaml"
ok $? "test config caps bodies at 1 MiB"
drp apply apply "$T/errors.yaml"
is "$rc" 0 "apply exits 0"
drp run run --once
is "$rc" 3 "crawl with broken sources exits 3 (partial)"

err() {
    q "SELECT string_agg(e.error, ' / ') FROM source_errors e
       JOIN sources s ON s.id = e.source_id WHERE s.name = '$1'"
}
check() {  # check SOURCE PATTERN DESCRIPTION
    local got
    got=$(err "$1")
    case "$got" in
    *$2*) ok 0 "$3" ;;
    *) ok 1 "$3"; diag "errors of $1: $got" ;;
    esac
}
check dead-site "transfer failed: curl=7" "unreachable host recorded as a connection error"
check http-500 "http status 500" "HTTP 500 recorded"
check binary "content type 'application/octet-stream' not accepted" \
    "non-HTML body refused by its content type"
check malformed "malformed page: invalid UTF-8 or NUL bytes replaced" \
    "malformed page recorded"
check private-refused "refused to connect: address 127.0.0.1 is loopback" \
    "loopback refused for a source without allow_private"
check endless "body larger than 1048576 bytes (crawl.max_body)" \
    "an endless body stops at the cap"
check gzip-bomb "body larger than 1048576 bytes (crawl.max_body)" \
    "a compression bomb stops at the decoded-size cap"
check redirect-loop "curl=47" "a redirect loop stops at the redirect limit"
check slow-drip "no complete answer within 10 s (crawl.timeout)" \
    "a slow but endless drip stops at the total-time cap"
check trickle "slower than 64 bytes/s for 2 s (crawl.low_speed_time)" \
    "a trickle (slowloris) stops at the low-speed cap"
check big-length "body larger than 1048576 bytes (crawl.max_body)" \
    "a 1 GB Content-Length is refused"
check wrong-type "content type 'application/zip' not accepted (not downloaded past the headers)" \
    "a refused content type stops at the headers"
# What the hostile server managed to send before drpwatch hung up; the
# kernel's socket buffers take some, the body is 1 GiB and 256 MiB.
for path in biglength wrongtype; do
    sent=$(sed -n "s/.*misc: \/$path sent \([0-9]*\) of.*/\1/p" "$WORLD/world.log")
    [ -n "$sent" ] && [ "$sent" -lt 16777216 ]
    ok $? "/$path: drpwatch hung up early (the server sent ${sent:-?} bytes)"
done
is "$(err healthy)" "" "the healthy source has no error"
check parser-gives-up "malformed page: the HTML parser gave up on its markup" \
    "markup gumbo fails an assertion on is recorded, the run goes on"
got=$(q "SELECT count(*) FROM sightings g JOIN findings f ON f.id = g.finding_id
         JOIN sources s ON s.id = g.source_id
         WHERE s.name = 'parser-gives-up' AND f.kind = 'email'
           AND f.value = 'ops@northwind-soup.com'")
is "$got" 1 "that page is stored and read as plain text: its address is found"

got=$(q "SELECT count(*) FROM documents d JOIN sources s ON s.id = d.source_id
         WHERE s.name = 'healthy'")
is "$got" 1 "the healthy page is stored"
got=$(q "SELECT count(*) FROM documents d JOIN sources s ON s.id = d.source_id
         WHERE s.name IN ('dead-site', 'http-500', 'binary', 'private-refused',
                          'endless', 'gzip-bomb', 'redirect-loop', 'slow-drip',
                          'trickle', 'big-length', 'wrong-type')")
is "$got" 0 "nothing is stored for the failed fetches"
got=$(q "SELECT count(*) FROM alerts a JOIN sources s ON s.id = a.source_id
         WHERE s.name = 'malformed' AND a.kind = 'brand-mention'")
is "$got" 1 "the malformed page is still read: its brand mention raises an alert"
got=$(q "SELECT position(U&'\FFFD' in text) > 0 FROM documents d
         JOIN sources s ON s.id = d.source_id WHERE s.name = 'malformed'")
is "$got" t "invalid bytes are stored as U+FFFD"
got=$(grep '^misc ' "$WORLD/world.log" | grep -c '/binary')
is "$got" 1 "the binary body was requested once"
got=$(q "SELECT count(*) FROM jobs WHERE last_error IS NOT NULL AND due_at <= now()")
is "$got" 0 "failed jobs are backed off, not retried at once"

# Connections are reused, but one opened for a source that may reach
# private addresses never serves a source that may not: one transfer at
# a time, the allowed source's page first, on the same host and port.
cat >"$T/reuse.yaml" <<YAML
crawl:
  concurrency: 1
  timeout: 5
watchlist:
  - {kind: brand, value: Northwind Bank}
sources:
  - {name: reuse-allowed, kind: site, url: "${MISC_URL}ok?first",
     allow_private: true, max_depth: 0}
  - {name: reuse-refused, kind: site, url: "${MISC_URL}ok?second",
     max_depth: 0}
YAML
drp reuse-apply apply "$T/reuse.yaml"
drp reuse run --once
is "$rc" 3 "a crawl with a refused source exits 3 (partial)"
check reuse-refused "refused to connect: address 127.0.0.1 is loopback" \
    "loopback refused after an allowed source's transfer to the same host"
got=$(grep '^misc ' "$WORLD/world.log" | grep -c '/ok?second')
is "$got" 0 "the refused source's page was never requested"
got=$(grep '^misc ' "$WORLD/world.log" | grep -c '/ok?first')
is "$got" 1 "the allowed source's page was"

done_testing
