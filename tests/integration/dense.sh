#!/bin/bash
# A page denser than one call of the engine takes: a 4.7 MB combo list of
# 150,000 lines (some 450,000 findings; the engine takes 100,000 a call)
# is extracted in windows and stored in parts in one transaction: every
# credential and e-mail address is stored, each once, no warning on the
# source, an alert for the watched credentials near both ends, and no
# password in clear in the stored text.
. "${top_srcdir:?run through make check}/tests/lib.sh" || exit 99

start_world
sed '/^sources:/,$d' "$WORLD/errors.yaml" >"$T/dense.yaml"
cat >>"$T/dense.yaml" <<YAML
sources:
  - {name: dense, kind: site, url: "${MISC_URL}combos", allow_private: true,
     max_depth: 0}
YAML
grep -q '^  max_body: 8388608$' "$T/dense.yaml"
ok $? "bodies up to 8 MiB (the list is 4.7 MB)"
drp apply apply "$T/dense.yaml"
is "$rc" 0 "apply exits 0"
drp run run --once
is "$rc" 0 "the crawl exits 0"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$LOGS/run.err" | tail -20

doc="(SELECT d.id FROM documents d JOIN sources s ON s.id = d.source_id
      WHERE s.name = 'dense')"
is "$(q "SELECT count(*) FROM $doc x")" 1 "the page is stored once"
got=$(q "SELECT count(*) FROM sightings g JOIN credentials c
         ON c.finding_id = g.finding_id WHERE g.document_id = $doc")
is "$got" 150000 "every credential of the list is stored"
got=$(q "SELECT count(*) FROM sightings g JOIN findings f
         ON f.id = g.finding_id WHERE g.document_id = $doc
         AND f.kind = 'email'")
is "$got" 150000 "every e-mail address too"
got=$(q "SELECT count(*) FROM sightings g JOIN findings f
         ON f.id = g.finding_id WHERE g.document_id = $doc
         AND f.kind = 'domain'")
is "$got" 51 "the 50 combo domains and northwindbank.com, a sighting each"
got=$(q "SELECT count(*) - count(DISTINCT finding_id) FROM sightings
         WHERE document_id = $doc")
is "$got" 0 "one sighting a finding and page"
got=$(q "SELECT count(*) FROM findings f JOIN sightings g
         ON g.finding_id = f.id WHERE g.document_id = $doc
         AND f.kind = 'domain' AND f.sighting_count <> 1")
is "$got" 0 "a domain of every part is counted once for the page"
got=$(q "SELECT string_agg(c.identity || ' ' || c.password_hint, ', '
                           ORDER BY c.identity)
         FROM credentials c JOIN alerts a ON a.finding_id = c.finding_id
         WHERE a.kind = 'credential-leak'")
is "$got" "ceo@northwindbank.com C********0(13), j.doe@northwindbank.com H********4(11)" \
    "the watched credentials near both ends raise their alerts"
got=$(q "SELECT c.password_hint FROM credentials c
         WHERE c.identity = 'u149999@combo49.com'")
is "$got" "P********x(11)" "the last line's credential, its password the line's"
got=$(q "SELECT count(*) FROM source_errors e JOIN sources s
         ON s.id = e.source_id WHERE s.name = 'dense'")
is "$got" 0 "no warning or error on the source: nothing was skipped"
got=$(q "SELECT (position('Pw-0' IN text) = 0 AND position('Hunter' IN text) = 0
                 AND position('Ceo-Pass' IN text) = 0)::text
         FROM documents WHERE id = $doc")
is "$got" true "no password in clear in the stored text"
got=$(q "SELECT (position('u149999@combo49.com:***********' IN text) > 0)::text
         FROM documents WHERE id = $doc")
is "$got" true "the last line's password masked in place"
got=$(q "SELECT count(*) FROM sightings g WHERE g.document_id = $doc
         AND (g.snippet LIKE '%Pw-0%' OR g.snippet LIKE '%Hunter%')")
is "$got" 0 "no snippet holds a password"
if grep -q 'Pw-0\|Hunter-2024\|Ceo-Pass' "$LOGS"/run.*; then
    ok 1 "no password in the crawl's output"
else
    ok 0 "no password in the crawl's output"
fi

done_testing
