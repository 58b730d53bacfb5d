#!/bin/bash
# Alerts as cases, on the demo world: the scoring orders a canary, a fresh
# credential leak, a re-posted old leak and a lone brand mention; a
# re-sighting updates its case and a severity rise re-raises it (a resolved
# case reopens, a false positive stays decided); the lifecycle and its audit
# trail; precision per source moves with verdicts and weighs into the next
# score; list filters; the allowlist and suppression rules; silences.
. "${top_srcdir:?run through make check}/tests/lib.sh" || exit 99

start_world
# The demo watchlist, with one of the leaked identities planted as a
# canary, a product nobody mentions, an allowlisted identity and a rule
# that silences brand mentions on the onion forum.
{
    sed -n '1,/^watchlist:/p' "$WORLD/demo.yaml"
    cat <<'YAML'
  - kind: canary
    value: svc-backup@northwindbank.com
  - kind: product
    value: Contoso Payments
    priority: low
YAML
    sed -n '/^watchlist:/,$p' "$WORLD/demo.yaml" | tail -n +2
    cat <<'YAML'
alerts:
  allowlist:
    - j.whitaker@northwindbank.com
  suppress:
    - {kind: brand-mention, source: demo-onion}
YAML
} >"$T/cases.yaml"
drp apply apply "$T/cases.yaml"
is "$rc" 0 "apply with a canary, an allowlist and a suppression rule"
drp run1 run --once
is "$rc" 0 "first crawl exits 0"

# alert id and score of a credential case by identity
cred() {
    q "SELECT a.$2 FROM alerts a JOIN credentials c ON c.finding_id = a.finding_id
       WHERE c.identity = '$1' AND a.kind = 'credential-leak'"
}
canary_id=$(q "SELECT id FROM alerts WHERE kind = 'canary'")
is "$(q "SELECT count(*) FROM alerts WHERE kind = 'canary'")" 1 "one canary case"
is "$(q "SELECT severity FROM alerts WHERE kind = 'canary'")" critical \
    "the canary is critical"
is "$(q "SELECT count(*) FROM alerts a JOIN credentials c ON c.finding_id = a.finding_id
         WHERE c.identity = 'svc-backup@northwindbank.com' AND a.kind = 'credential-leak'")" 0 \
    "the canary is a canary case, not a credential leak"
is "$(q "SELECT count(*) FROM alerts a JOIN credentials c ON c.finding_id = a.finding_id
         WHERE c.identity = 'j.whitaker@northwindbank.com'")" 0 \
    "an allowlisted identity raises nothing"
is "$(q "SELECT count(*) FROM alerts a JOIN sources s ON s.id = a.source_id
         WHERE a.kind = 'brand-mention' AND s.name = 'demo-onion'")" 0 \
    "the suppression rule silences brand mentions on the onion forum"
forum_mentions=$(q "SELECT count(*) FROM alerts a JOIN sources s ON s.id = a.source_id
         WHERE a.kind = 'brand-mention' AND s.name = 'demo-forum'")
[ "$forum_mentions" -gt 0 ]
ok $? "and only there (the forum's $forum_mentions mentions stay)"
got=$(q "SELECT count(*) FROM alerts WHERE score_parts IS NULL
         OR (score_parts->>'total')::int <> score")
is "$got" 0 "every case stores the parts of its score, adding up to it"

# An old leak: d.okafor's credential was first seen 90 days ago; the same
# paste is crawled again (a re-post), as is emily.carter's fresh one.
okafor=$(cred d.okafor@northwindbank.com id)
q "UPDATE findings SET first_seen = now() - interval '90 days'
   WHERE id = (SELECT finding_id FROM alerts WHERE id = $okafor)" >/dev/null
# A case scored lower before, to rise now; one resolved and one marked
# false positive, both scored lower before too.
moreau=$(cred a.moreau@northwindbank.com id)
q "UPDATE alerts SET severity = 'medium', score = 50 WHERE id = $moreau" >/dev/null
treasury=$(cred treasury.desk@northwindbank.com id)
q "UPDATE alerts SET severity = 'low', score = 30, status = 'resolved',
   closed_at = now() WHERE id = $treasury" >/dev/null
helpdesk=$(cred helpdesk.ops@northwindbank.com id)
q "UPDATE alerts SET severity = 'low', score = 30, status = 'false-positive',
   closed_at = now() WHERE id = $helpdesk" >/dev/null
occ_before=$(q "SELECT occurrences FROM alerts WHERE id = $okafor")
alerts_before=$(q "SELECT count(*) FROM alerts")
q "UPDATE jobs SET content_hash = NULL, etag = NULL, last_modified = NULL,
   due_at = now()" >/dev/null
drp run2 run --once
is "$rc" 0 "second crawl exits 0"
is "$(q "SELECT count(*) FROM alerts")" "$alerts_before" "the second crawl opens no case"

c=$(q "SELECT score FROM alerts WHERE id = $canary_id")
fresh=$(cred emily.carter@northwindbank.com score)
old=$(cred d.okafor@northwindbank.com score)
mention=$(q "SELECT a.score FROM alerts a JOIN sources s ON s.id = a.source_id
             WHERE a.kind = 'brand-mention' AND s.name = 'demo-forum'
             AND a.term = 'NorthPay' ORDER BY a.score LIMIT 1")
diag "scores: canary $c, fresh credential $fresh, re-posted old leak $old," \
    "lone brand mention $mention"
[ "$c" -gt "$fresh" ] && [ "$fresh" -gt "$old" ] && [ "$old" -gt "$mention" ]
ok $? "canary > fresh credential > re-posted old leak > lone brand mention"
is "$(q "SELECT score_parts->'likelihood'->>'freshness' FROM alerts WHERE id = $okafor")" -20 \
    "the re-post's freshness part says so (-20)"
# The paste's HTML page and its raw view both hold the line.
is "$(q "SELECT occurrences FROM alerts WHERE id = $okafor")" $((occ_before + 2)) \
    "a re-sighting updates the case's sightings (two pages)"
is "$(q "SELECT count(*) FROM alert_events WHERE alert_id = $okafor AND event = 'seen-again'")" \
    $((occ_before + 1)) "with a seen-again event for each"

is "$(q "SELECT count(*) FROM alert_events WHERE alert_id = $moreau AND event = 'severity-raised'")" 1 \
    "a severity rise re-raises the case"
is "$(q "SELECT raised_at > created_at FROM alerts WHERE id = $moreau")" t \
    "and moves its raised_at"
is "$(q "SELECT status FROM alerts WHERE id = $treasury")" new \
    "a resolved case whose severity rises reopens as new"
is "$(q "SELECT count(*) FROM alert_events WHERE alert_id = $treasury AND event = 'reopened'")" 1 \
    "with a reopened event"
is "$(q "SELECT status FROM alerts WHERE id = $helpdesk")" false-positive \
    "a false positive stays decided"
is "$(q "SELECT count(*) FROM alert_events WHERE alert_id = $helpdesk
         AND event = 'seen-again' AND detail LIKE '%not re-raised%'")" 1 \
    "its event says it was not re-raised"

# The lifecycle, with its audit trail.
fresh_id=$(cred emily.carter@northwindbank.com id)
drp ack alerts ack "$fresh_id" --note "calling the user" --actor alice
is "$rc" 0 "ack exits 0"
drp td alerts takedown "$fresh_id" --actor alice
is "$rc" 0 "takedown exits 0"
drp res alerts resolve "$fresh_id" --note "password reset, sessions revoked" --actor bob
is "$rc" 0 "resolve exits 0"
drp again alerts resolve "$fresh_id"
is "$rc" 1 "resolving a resolved case exits 1"
grep -q "is resolved: it cannot become resolved (reopen it first" "$LOGS/again.err"
ok $? "and says why and what to do"
drp none alerts ack 999999
is "$rc" 1 "a missing alert exits 1"
drp bad alerts ack notanumber
is "$rc" 2 "a bad id exits 2"
# Numbers on the command line are whole numbers in range, nothing else.
for args in "alerts ack 12x" "alerts show -3" "alerts list --limit 10abc" \
    "alerts list --limit 0" "stats --days 3651" "notify list --limit x" \
    "takedowns list --limit 99999999999999999999" \
    "export stix --min-confidence 101" "serve --threads 0" \
    "dns-check --tries 1.5 x.example"; do
    # shellcheck disable=SC2086
    drp badnum $args
    case "$rc:$(cat "$LOGS/badnum.err")" in
    2:*"must be a number from"* | 2:*"needs"*"id"*) ok 0 "'$args' is a usage error" ;;
    *) ok 1 "'$args' is a usage error"; diag "rc=$rc: $(cat "$LOGS/badnum.err")" ;;
    esac
done
drp show alerts show "$fresh_id" --json
is "$rc" 0 "show --json exits 0"
got=$("$PYTHON3" -c "
import json, sys
a = json.load(open(sys.argv[1]))
print(' | '.join('%s %s %s %s' % (e['actor'], e['event'], e['detail'] or '', e['note'] or '')
                 for e in a['events'] if e['event'] == 'status'))
print(a['status'], a['closed_at'] is not None, sorted(a['score_parts']))" "$LOGS/show.out")
want="alice status new -> investigating calling the user | alice status investigating -> takedown-requested  | bob status takedown-requested -> resolved password reset, sessions revoked
resolved True ['impact', 'likelihood', 'total']"
is "$got" "$want" "the audit trail holds each change with actor and note"
drp showt alerts show "$fresh_id"
grep -q "^  score [0-9]* = impact [0-9]* (kind 45, priority 15) + likelihood" "$LOGS/showt.out"
ok $? "show prints the score and its parts"

# Verdicts move precision, and the next score of the source.
drp fp alerts false-positive "$(cred m.lindqvist@northwindbank.com id)" --note "test account"
is "$rc" 0 "false-positive exits 0"
drp stats stats --json
is "$rc" 0 "stats exits 0"
got=$("$PYTHON3" -c "
import json, sys
s = json.load(open(sys.argv[1]))
p = {r['name']: (r['tp'], r['fp'], r['precision']) for r in s['by_source']}
k = {r['name']: (r['tp'], r['fp'], r['precision']) for r in s['by_kind']}
print(p['demo-paste'], k['credential-leak'])" "$LOGS/stats.out")
is "$got" "(1, 1, 0.5) (1, 2, 0.333)" \
    "stats: precision per source (paste: 1 of 2) and per rule (1 of 3)"
drp fp2 alerts false-positive "$(cred r.patel@northwindbank.com id)"
drp fp3 alerts false-positive "$okafor"
q "UPDATE jobs SET content_hash = NULL, etag = NULL, last_modified = NULL,
   due_at = now()" >/dev/null
drp run3 run --once
got=$(q "SELECT score_parts->'likelihood'->>'precision' FROM alerts WHERE id = $canary_id")
[ "$got" -lt 0 ]
ok $? "three false positives of four verdicts lower the paste site's next scores (precision $got)"
drp stats2 stats
grep -q "no mention of Contoso Payments seen in 7 days across 3 sources" "$LOGS/stats2.out"
ok $? "stats reports the silence of a term nobody mentioned"

# Filters.
drp lk alerts list --kind canary --json
is "$(wc -l <"$LOGS/lk.out")" 1 "list --kind canary: one case"
drp ls alerts list --severity critical --json
got=$("$PYTHON3" -c "
import json, sys
print(sorted({json.loads(l)['severity'] for l in open(sys.argv[1])}))" "$LOGS/ls.out")
is "$got" "['critical']" "list --severity critical: critical only"
drp lo alerts list --source demo-forum --kind brand-mention --json
is "$(wc -l <"$LOGS/lo.out")" "$forum_mentions" "list --source --kind combine"
drp lt alerts list --since '1 day' --status false-positive --json
is "$(wc -l <"$LOGS/lt.out")" 4 "list --since --status"
drp lf alerts list --since tomorrow --json
is "$(wc -l <"$LOGS/lf.out")" 0 "nothing last seen after tomorrow"
drp lb alerts list --kind nonsense
is "$rc" 2 "an unknown kind exits 2"
grep -q "unknown alert kind 'nonsense' (credential-leak" "$LOGS/lb.err"
ok $? "and lists the kinds"

# The verdicts are counted by triggers (migration 012): the counts agree
# with the alerts after every change above, and follow a verdict undone.
verdicts_agree() {
    q "SELECT count(*) FROM (SELECT kind, coalesce(source_id, 0) AS source_id,
         count(*) FILTER (WHERE drp_verdict(status)) AS tp,
         count(*) FILTER (WHERE NOT drp_verdict(status)) AS fp
       FROM alerts WHERE drp_verdict(status) IS NOT NULL GROUP BY 1, 2) a
       FULL JOIN (SELECT * FROM alert_verdicts WHERE tp <> 0 OR fp <> 0) v
       USING (kind, source_id)
       WHERE a.tp IS DISTINCT FROM v.tp OR a.fp IS DISTINCT FROM v.fp"
}
is "$(verdicts_agree)" 0 "the verdict counts agree with the alerts' statuses"
q "UPDATE alerts SET status = 'new' WHERE id = $okafor" >/dev/null
q "UPDATE alerts SET source_id = NULL WHERE status = 'false-positive'" >/dev/null
is "$(verdicts_agree)" 0 "and after a verdict undone and cases moved by hand"

done_testing
