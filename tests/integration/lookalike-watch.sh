#!/bin/bash
# The lookalike watch end to end: the candidates of nwbank.com checked
# against a real unbound (some registered, one parent with a wildcard, one
# name that times out, one that gets SERVFAIL), the registered ones' pages
# fetched from fixture sites on loopback (the official site, a clone with
# a login form, a help site copying part of it, a parked page, an
# unrelated site), scored, stored with their history and raised as cases.
# Then a new registration between two passes, and a parked domain that
# turns into a clone.
. "${top_srcdir:?run through make check}/tests/lib.sh" || exit 99

SITES_PY="$top_srcdir/tests/fixtures/lookalike_sites.py"
site_pid=""
trap '[ -n "$site_pid" ] && kill "$site_pid" 2>/dev/null; cleanup' EXIT

Z=$T/zones
mkdir -p "$Z"
# com_zone [EXTRA]: the com. zone with the brand, its lookalikes, and
# EXTRA lines.
com_zone() {
    cat >"$Z/com.zone" <<ZONE
\$ORIGIN com.
\$TTL 1
@                SOA ns.com. hostmaster.com. 1 3600 600 86400 1
@                NS  ns.com.
ns               A   127.0.0.1
nwbank           A   127.0.0.1
nwbnak           A   127.0.0.1
nwbank-login     A   127.0.0.1
wbank            A   127.0.0.1
wbank            MX  10 mail.wbank.com.
*.wbank          A   127.0.0.1
nwbak            A   127.0.0.1
nbank            CNAME loopb.com.
loopb            CNAME nbank.com.
$1
ZONE
}
# nwbakn.com's queries are dropped (timeouts); nbank.com is a CNAME loop,
# which unbound answers SERVFAIL. Both stay unknown.
{
    cat <<CONF
  local-zone: "nwbakn.com." deny
CONF
    printf 'auth-zone:\n  name: "com."\n  zonefile: "%s"\n' "$Z/com.zone"
    printf '  for-downstream: no\n  for-upstream: yes\n'
    printf '  fallback-enabled: no\n'
} >"$Z/unbound.conf"
com_zone ""
start_unbound "$Z/unbound.conf"
diag "unbound on 127.0.0.1:$DNS_PORT"

cat >"$T/routes.json" <<'JSON'
{"nwbank.com": "official", "nwbnak.com": "clone",
 "nwbank-login.com": "similar", "wbank.com": "parked",
 "nwbak.com": "unrelated", "nwbanl.com": "parked"}
JSON
"$PYTHON3" "$SITES_PY" --routes "$T/routes.json" --port-file "$T/web.port" \
    --log "$LOGS/web.log" >"$LOGS/sites.log" 2>&1 &
site_pid=$!
for i in $(seq 1 100); do
    [ -s "$T/web.port" ] && break
    sleep 0.1
done
WEB_PORT=$(cat "$T/web.port")
diag "sites on 127.0.0.1:$WEB_PORT"

cat >"$T/drpwatch.yaml" <<YAML
watchlist:
  - kind: brand
    value: Northwind Bank
  - kind: domain
    value: nwbank.com
    priority: medium
lookalikes:
  interval: 1d
  retry: 10m
  fuzzers: omission,transposition,replacement,combosquatting,subdomain
  servers: 127.0.0.1:$DNS_PORT
  timeout: 1000
  tries: 2
  http_port: $WEB_PORT
  allow_private: true
YAML
drp apply apply "$T/drpwatch.yaml"
is "$rc" 0 "a watchlist with a lookalikes section applies"

# Pass 1, on the command line.
drp w1 lookalikes --watch --json
is "$rc" 3 "the pass exits 3: some names stayed unknown"
rows() {  # rows FILE: "name state severity" per JSON line, sorted
    "$PYTHON3" -c 'import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    print(r["name"], r["state"], r["severity"] or "-")' "$1" | sort
}
is "$(rows "$LOGS/w1.out")" "nbank.com unknown -
nwbak.com registered info
nwbakn.com unknown -
nwbank-login.com registered medium
nwbnak.com registered critical
wbank.com registered low" \
    "exactly the registered set and the unknowns, with their severities"
grep -q 'n\.wbank\.com' "$LOGS/w1.out"
ok $((! $?)) "the wildcard's name is not reported"
is "$(q "SELECT count(*) FROM lookalikes WHERE state = 'unregistered'")" 0 \
    "no unknown is stored as unregistered"
is "$(q "SELECT reason FROM lookalikes WHERE name = 'nwbakn.com'")" \
    "NS: timeout after 2 tries" "a timeout is unknown, with its reason"
# Among 290 names in flight, the retry of nbank.com's NS query may be
# lost in unbound's full receive queue: the SERVFAIL answered stays the
# reason all the same.
is "$(q "SELECT reason FROM lookalikes WHERE name = 'nbank.com'")" \
    "NS: SERVFAIL after 2 tries" "so is SERVFAIL"
scores=$(q "SELECT string_agg(name, ' ' ORDER BY score DESC) FROM lookalikes
            WHERE state = 'registered'")
is "$scores" "nwbnak.com nwbank-login.com wbank.com nwbak.com" \
    "scores order: clone > similar site > parked > unrelated"
is "$(q "SELECT login_form, favicon_match, text_similarity > 0.8
         FROM lookalikes WHERE name = 'nwbnak.com'")" "t|t|t" \
    "the clone: login form, official favicon, text alike"
is "$(q "SELECT parked, mx FROM lookalikes WHERE name = 'wbank.com'")" \
    "t|10 mail.wbank.com" "the parked page and its MX"
is "$(q "SELECT dedup_key || ' ' || severity FROM alerts ORDER BY dedup_key")" \
"impersonation:nwbnak.com critical
lookalike-domain:nwbak.com info
lookalike-domain:nwbank-login.com medium
lookalike-domain:nwbnak.com critical
lookalike-domain:wbank.com low" "one case per domain and an impersonation case"
is "$(q "SELECT dedup_key FROM alerts WHERE kind = 'impersonation'")" \
    "impersonation:nwbnak.com" "the impersonation case names the clone's host"
q "SELECT score_parts FROM alerts
   WHERE dedup_key = 'lookalike-domain:nwbnak.com'" | grep -q '"form": 25'
ok $? "the clone's score parts name its login form"
grep -q '^POST' "$LOGS/web.log"
ok $((! $?)) "collection is passive: no form was ever posted"
is "$(grep -c '^GET nwbnak.com /$' "$LOGS/web.log")" 1 \
    "one GET per page"

# Pass 2, by run --once: nwbanl.com registered since.
"$PYTHON3" "$UNBOUND_PY" stop --dir "$T/unbound"
com_zone "nwbanl           A   127.0.0.1"
start_unbound "$Z/unbound.conf" --port "$DNS_PORT"
before=$(q "SELECT count(*) FROM alerts")
drp r2 run --once
is "$rc" 0 "run --once passes over the owned domains (unknown names are no failure)"
grep -q 'lookalikes: domains=1 .* registered=5 unknown=2' "$LOGS/r2.out"
ok $? "and says what it found"
is "$(q "SELECT count(*) FROM alerts")" $((before + 1)) \
    "a new registration raises exactly one new alert"
is "$(q "SELECT dedup_key FROM alerts ORDER BY id DESC LIMIT 1")" \
    "lookalike-domain:nwbanl.com" "for the new domain"
q "SELECT summary FROM alerts WHERE dedup_key = 'lookalike-domain:nwbanl.com'" |
    grep -q 'new_registration=yes'
ok $? "marked as a new registration"
is "$(q "SELECT checks FROM lookalikes WHERE name = 'nbank.com'")" 2 \
    "the unknowns were checked again"

# Pass 3: the parked domain turns into a clone.
sed -i 's/"wbank.com": "parked"/"wbank.com": "clone"/' "$T/routes.json"
drp w3 lookalikes --watch nwbank.com
is "$rc" 3 "lookalikes --watch DOMAIN passes over that domain"
is "$(q "SELECT severity || ' ' || status FROM alerts
         WHERE dedup_key = 'lookalike-domain:wbank.com'")" "critical new" \
    "the parked domain turned clone is critical"
is "$(q "SELECT count(*) FROM alert_events e JOIN alerts a ON a.id = e.alert_id
         WHERE a.dedup_key = 'lookalike-domain:wbank.com'
           AND e.event = 'severity-raised'")" 1 "its case is re-raised"
is "$(q "SELECT count(*) FROM alerts WHERE dedup_key = 'impersonation:wbank.com'")" 1 \
    "and an impersonation case opened"
is "$(q "SELECT string_agg(coalesce(c.severity, '-'), ' ' ORDER BY c.id)
         FROM lookalike_checks c JOIN lookalikes l ON l.id = c.lookalike_id
         WHERE l.name = 'wbank.com'")" "low low critical" \
    "the history keeps each check"
drp bad lookalikes --watch example.org
is "$rc" 2 "a domain that is not owned is refused"

done_testing
