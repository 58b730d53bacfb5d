#!/bin/bash
# Takedown packs and their follow-through, on the demo world's paste site
# (served under a *.localhost name, so that it has a domain) and the RDAP
# fixture (tests/fixtures/rdap.py): a crawl opens cases; `alerts takedown`
# builds a pack with the evidence (the stored page's hash and saved copy,
# no password, the hosting address as connected, DNS records from a
# private unbound), the registrar and the
# network with their abuse contacts, and the request text; the status
# change and its audit events; RDAP failures (no server, 404, malformed,
# oversized, slow, a private address) leave a pack that says what is
# missing; the page stops being served and `takedowns check` resolves the
# case; a host that refuses connections resolves it after three checks; a
# request left unanswered reminds once per period (an event, a log line, a
# notification); `drpwatch run` does the re-checks on its own.
. "${top_srcdir:?run through make check}/tests/lib.sh" || exit 99

start_world
# The domain's DNS: its name servers and mail exchanger, the host's
# address (curl takes *.localhost for loopback without asking).
cat >"$T/dns.conf" <<'CONF'
  local-zone: "northwind-login.localhost." static
  local-data: "northwind-login.localhost. 60 IN SOA ns1.bulletproof.example. hostmaster.bulletproof.example. 1 3600 600 86400 60"
  local-data: "northwind-login.localhost. 60 IN NS ns1.bulletproof.example."
  local-data: "northwind-login.localhost. 60 IN NS ns2.bulletproof.example."
  local-data: "northwind-login.localhost. 60 IN MX 10 mail.northwind-login.localhost."
  local-data: "pastedrop.northwind-login.localhost. 60 IN A 127.0.0.1"
CONF
start_unbound "$T/dns.conf"
RDAP="$T/rdap"
"$PYTHON3" "$top_srcdir/tests/fixtures/rdap.py" --state "$RDAP" \
    >"$LOGS/rdap.log" 2>&1 &
rdap_pid=$!
run_pid=
trap 'kill "$rdap_pid" $run_pid 2>/dev/null; cleanup' EXIT
for _ in $(seq 50); do
    [ -f "$RDAP/rdap.env" ] && break
    sleep 0.1
done
[ -f "$RDAP/rdap.env" ] || { cat "$LOGS/rdap.log"; echo "Bail out! no RDAP fixture"; exit 1; }
. "$RDAP/rdap.env"

# The paste site under a name: curl takes *.localhost for loopback, and
# the name's registrable domain is northwind-login.localhost.
PASTE_NAME_URL=$(echo "$PASTE_URL" | sed 's/127\.0\.0\.1/pastedrop.northwind-login.localhost/')
config() {  # config RDAP-YAML: the demo watchlist, the paste site, RDAP
    sed -n '1,/^sources:/p' "$WORLD/demo.yaml" | sed 's/timeout: 10/timeout: 5/'
    cat <<YAML
  - name: paste-named
    kind: paste
    url: ${PASTE_NAME_URL}archive
    max_depth: 2
    allow_private: true
    reliability: 90
notifications:
  - name: soc-syslog
    type: syslog
    address: udp://127.0.0.1:9
takedown:
  requester: "Northwind Bank, brand protection"
  contact: brand-protection@northwindbank.com
  dns_servers: 127.0.0.1:$DNS_PORT
rdap:
YAML
    printf '%s\n' "$@"
}
config "  bootstrap: [$RDAP_DNS, $RDAP_IPV4, $RDAP_IPV6]" \
    "  allow_private: true" "  timeout: 5" >"$T/td.yaml"
drp apply apply "$T/td.yaml"
is "$rc" 0 "apply with rdap and takedown settings"
drp run run --once
is "$rc" 0 "the crawl exits 0"

paste_path=$(expected "print([c for c in e['watched_credentials'] if c['where'] == 'paste'][0]['url_path'].replace('/raw/', '/paste/'))")
id=$(q "SELECT id FROM alerts WHERE kind = 'credential-leak'
        AND url LIKE '%$paste_path' ORDER BY id LIMIT 1")
[ -n "$id" ]
ok $? "the crawl opened a credential case on $paste_path (alert $id)"

# The pack.
drp td alerts takedown "$id" --actor alice --note "sent to the host" --json -o "$T/pack"
is "$rc" 0 "alerts takedown exits 0"
is "$(q "SELECT status FROM alerts WHERE id = $id")" takedown-requested \
    "the case is takedown-requested"
is "$(q "SELECT actor || ' ' || detail || ' ' || note FROM alert_events
         WHERE alert_id = $id AND event = 'status'")" \
    "alice new -> takedown-requested sent to the host" \
    "a status event with actor and note"
is "$(q "SELECT count(*) FROM alert_events WHERE alert_id = $id AND event = 'takedown-pack'
         AND actor = 'alice' AND detail LIKE '%abuse@hosting.example%'")" 1 \
    "a takedown-pack event names whom the request goes to"
is "$(q "SELECT count(*) FROM takedowns WHERE alert_id = $id AND closed_at IS NULL")" 1 \
    "the pack is stored with the case"
for f in pack.json request.txt page.txt; do
    [ -s "$T/pack/$f" ]
    ok $? "-o writes $f"
done
cmp -s <(head -c 100000 "$LOGS/td.out" | "$PYTHON3" -c "import json,sys; print(json.dumps(json.load(sys.stdin)['request']))") \
    <("$PYTHON3" -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1]))['request']))" "$T/pack/pack.json")
ok $? "--json prints the pack that pack.json holds"

doc=$(q "SELECT encode(d.sha256, 'hex') FROM documents d JOIN alerts a
         ON a.url = d.url AND a.source_id = d.source_id WHERE a.id = $id
         ORDER BY d.fetched_at DESC LIMIT 1")
q "SELECT d.text FROM documents d JOIN alerts a ON a.url = d.url
   AND a.source_id = d.source_id WHERE a.id = $id
   ORDER BY d.fetched_at DESC LIMIT 1" >"$T/doc.txt"
got=$("$PYTHON3" - "$T/pack" "$EXPECTED" "$T/doc.txt" <<'PY'
import hashlib, json, sys
d, exp, doc = sys.argv[1:]
p = json.load(open(d + "/pack.json"))
e = json.load(open(exp))
page = open(d + "/page.txt", "rb").read()
ev = p["evidence"]
out = []
out.append(ev["page"]["sha256"])
out.append("copy-hash " + str(hashlib.sha256(page).hexdigest() == ev["saved_copy"]["sha256"]))
# psql adds a final newline to the text it prints
out.append("copy-is-stored-text " + str(page.decode() + "\n" == open(doc).read()))
pw = [c["password"] for c in e["watched_credentials"]] + e["all_combo_passwords_sample"]
blob = page.decode() + open(d + "/pack.json").read() + open(d + "/request.txt").read()
out.append("passwords " + str(sum(1 for x in pw if x in blob)))
out.append("ip %s a %s aaaa %s" % (ev["check"]["hosting_ip"], ev["dns"]["a"], ev["dns"]["aaaa"]))
out.append("http %s same %s" % (ev["check"]["http_status"], ev["check"]["same_as_stored"]))
out.append("ns %s mx %s from %s" % (ev["dns"]["ns"], ev["dns"]["mx"], ev["dns"]["from"]))
out.append("seen %s %s" % (bool(ev["first_seen"]), bool(ev["last_seen"])))
r = p["registrar"]
out.append("registrar %s %s %s %s %s" % (r["domain"], r["registrar"]["name"], r["registrar"]["iana_id"],
                                        r["abuse"]["email"], r["abuse"]["phone"]))
out.append("ns-rdap %s" % r["nameservers"])
h = p["hosting"]
out.append("hosting %s %s %s %s %s" % (h["address"], h["name"], h["handle"], h["abuse"]["email"],
                                      h["registrant"]["name"]))
out.append("to %s" % p["request"]["to"])
t = p["request"]["text"]
out.append("text " + str(all(s in t for s in (p["target"]["url"], ev["page"]["sha256"],
    "Northwind Bank, brand protection", "brand-protection@northwindbank.com",
    "page.txt", "abuse@registrar.example", "127.0.0.1",
    "name servers: ns1.bulletproof.example, ns2.bulletproof.example"))))
out.append("missing %s" % [m.split(":")[0] for m in p["missing"]])
print("\n".join(out))
PY
)
want="$doc
copy-hash True
copy-is-stored-text True
passwords 0
ip 127.0.0.1 a ['127.0.0.1'] aaaa []
http 200 same True
ns ['ns1.bulletproof.example', 'ns2.bulletproof.example'] mx ['10 mail.northwind-login.localhost'] from DNS lookups when the pack was built
seen True True
registrar northwind-login.localhost Example Registrar, Inc. 9999 abuse@registrar.example +1.5555550100
ns-rdap ['NS1.BULLETPROOF.EXAMPLE', 'NS2.BULLETPROOF.EXAMPLE']
hosting 127.0.0.1 LOOPBACK-HOSTING NET-127-0-0-0-1 abuse@hosting.example Loopback Hosting B.V.
to ['abuse@hosting.example', 'abuse@registrar.example']
text True
missing []"
is "$got" "$want" "the pack: page hash, saved copy without passwords, hosting address, DNS, RDAP contacts, request"
grep -q "^GET /domain/northwind-login.localhost accept=application/rdap+json" "$RDAP_LOG"
ok $? "the registrar lookup asks the bootstrap's server for the registrable domain, in RDAP's media type"
grep -q "^GET /ip/127.0.0.1 " "$RDAP_LOG"
ok $? "the network lookup asks about the address connected"
head -2 "$T/pack/request.txt" | grep -q "^To: abuse@hosting.example, abuse@registrar.example"
ok $? "request.txt is ready to send"

# The text for people; a second pack for a case already requested.
drp td2 alerts takedown "$id" --actor bob
is "$rc" 0 "a fresh pack for a case already takedown-requested"
grep -q "^alert $id: a fresh takedown pack" "$LOGS/td2.out" &&
    grep -q "^  registrar  Example Registrar, Inc. IANA 9999, abuse abuse@registrar.example" "$LOGS/td2.out" &&
    grep -q "^  hosting    127.0.0.1 LOOPBACK-HOSTING" "$LOGS/td2.out" &&
    grep -q "^subject: Abuse report: credential-leak at " "$LOGS/td2.out"
ok $? "the text output sums up the pack and prints the request"
is "$(q "SELECT count(*) || ' ' || count(*) FILTER (WHERE closed_why = 'a newer pack')
         FROM takedowns WHERE alert_id = $id")" "2 1" "the newer pack closes the older"
drp show takedowns show "$id" --json
"$PYTHON3" -c "import json,sys; p=json.load(open(sys.argv[1])); sys.exit(p['alert']['id'] != $id)" "$LOGS/show.out"
ok $? "takedowns show prints the stored pack"

# RDAP failures: the pack is built anyway and says what is missing.
other=$(q "SELECT id FROM alerts WHERE url NOT LIKE '%$paste_path'
           ORDER BY id LIMIT 1")
[ -n "$other" ]
ok $? "a second case, on another page (alert $other)"
rdap_case() {  # rdap_case NAME EXPECTED-REGISTRAR-ERROR RDAP-YAML-LINES...
    local name=$1 want=$2 got
    shift 2
    config "$@" >"$T/$name.yaml"
    drp "apply-$name" apply "$T/$name.yaml"
    drp "$name" alerts takedown "$other" --json
    is "$rc" 0 "$name: the takedown still exits 0"
    got=$("$PYTHON3" -c "
import json, sys
p = json.load(open(sys.argv[1]))
print(p['registrar'].get('error'))
print(any(m.startswith('registrar: ') for m in p['missing']), p['request']['to'])" "$LOGS/$name.out")
    case $got in
    "$want"*"
True ['abuse@hosting.example']") ok 0 "$name: $want" ;;
    *) ok 1 "$name: $want"; diag "got: $got" ;;
    esac
}
rdap_case no-server "no RDAP server for .localhost in the bootstrap" \
    "  bootstrap: [$RDAP_IPV4]" "  allow_private: true"
rdap_case not-found "the RDAP server has no record of northwind-login.localhost (HTTP 404" \
    "  bootstrap: [$RDAP_IPV4]" "  domain: ${RDAP_URL}missing/" "  allow_private: true"
rdap_case malformed "malformed RDAP answer: not JSON" \
    "  bootstrap: [$RDAP_IPV4]" "  domain: ${RDAP_URL}malformed/" "  allow_private: true"
rdap_case oversized "RDAP answer larger than 65536 bytes (rdap.max_bytes)" \
    "  bootstrap: [$RDAP_IPV4]" "  domain: ${RDAP_URL}oversized/" "  allow_private: true" \
    "  max_bytes: 65536"
rdap_case not-rdap "RDAP answer of type 'text/html', not application/rdap+json" \
    "  bootstrap: [$RDAP_IPV4]" "  domain: ${RDAP_URL}html/" "  allow_private: true"
rdap_case slow "RDAP server unreachable: no complete answer within 1 s" \
    "  bootstrap: [$RDAP_IPV4]" "  domain: ${RDAP_URL}slow/" "  allow_private: true" \
    "  timeout: 1"
config "  bootstrap: [$RDAP_DNS, $RDAP_IPV4]" >"$T/private.yaml"
drp apply-private apply "$T/private.yaml"
drp private alerts takedown "$other" --json
got=$("$PYTHON3" -c "
import json, sys
p = json.load(open(sys.argv[1]))
print(p['registrar']['error'].split(':')[0], '|', p['request']['to'])" "$LOGS/private.out")
is "$got" "the RDAP server http | []" \
    "RDAP servers on loopback are refused without rdap.allow_private"
grep -q "rdap.allow_private allows it" "$LOGS/private.out"
ok $? "and the error says which setting allows them"
echo '{"version": "1.0", "services": "none"}' >"$T/bad-bootstrap.json"
config "  bootstrap: $T/bad-bootstrap.json" >"$T/bad.yaml"
drp bad apply "$T/bad.yaml"
is "$rc" 2 "apply refuses a file that is not an RDAP bootstrap"
grep -q "rdap.bootstrap: $T/bad-bootstrap.json: not an RDAP bootstrap file" "$LOGS/bad.err"
ok $? "and names it"
sed 's/dns_servers: .*/dns_servers: "1.2.3"/' "$T/td.yaml" >"$T/bad-dns.yaml"
drp bad-dns apply "$T/bad-dns.yaml"
is "$rc" 2 "apply refuses a DNS server that is not one"
grep -q "takedown.dns_servers: bad nameserver '1.2.3'" "$LOGS/bad-dns.err"
ok $? "and says which"
drp apply-back apply "$T/td.yaml"

# Follow-through: a live page stays requested; a request past
# remind_after reminds once per period, not at every check.
q "UPDATE takedowns SET created_at = now() - interval '73 hours'
   WHERE alert_id = $id AND closed_at IS NULL" >/dev/null
drp chk1 takedowns check
is "$rc" 0 "takedowns check exits 0"
grep -q "^alert $id: live: still served: HTTP 200$" "$LOGS/chk1.out"
ok $? "a page still served stays requested"
is "$(q "SELECT count(*) FROM alert_events WHERE alert_id = $id AND event = 'takedown-reminder'
         AND actor = 'drpwatch' AND detail LIKE '%(73 h ago) is still unanswered: reminder 1; follow up with abuse@hosting.example, abuse@registrar.example%'")" 1 \
    "a request unanswered past remind_after gets a reminder event"
grep -q "takedown reminder: alert=$id " "$LOGS/chk1.err"
ok $? "and a log line"
is "$(q "SELECT string_agg(o.reason || ' ' || c.name, ',') FROM notify_outbox o
         JOIN notify_channels c ON c.id = o.channel_id
         WHERE o.alert_id = $id AND o.reason LIKE 'takedown-%'")" \
    "takedown-reminder:1 soc-syslog" "and a notification in the outbox"
drp chk2 takedowns check
is "$(q "SELECT count(*) FROM alert_events WHERE alert_id = $id AND event = 'takedown-reminder'")" 1 \
    "the next check does not remind again within the period"
is "$(q "SELECT count(*) FROM notify_outbox WHERE alert_id = $id AND reason LIKE 'takedown-%'")" 1 \
    "nor notify again"
q "UPDATE takedowns SET reminded_at = now() - interval '73 hours'
   WHERE alert_id = $id AND closed_at IS NULL" >/dev/null
drp chk3 takedowns check
is "$(q "SELECT count(*) FROM alert_events WHERE alert_id = $id AND event = 'takedown-reminder'")" 2 \
    "a period later, the next one"
is "$(q "SELECT count(*) FROM notify_outbox WHERE alert_id = $id AND reason = 'takedown-reminder:2'")" 1 \
    "with its own notification"

# The fixture stops serving the page: the case resolves itself.
echo "$paste_path" >"$WORLD/gone"
drp chk4 takedowns check --json
is "$rc" 0 "takedowns check --json exits 0"
is "$(q "SELECT status FROM alerts WHERE id = $id")" resolved \
    "the page gone (410), the case resolves itself"
is "$(q "SELECT actor || ' | ' || detail || ' | ' || note FROM alert_events
         WHERE alert_id = $id AND event = 'status' ORDER BY id DESC LIMIT 1")" \
    "drpwatch | takedown-requested -> resolved | resolved by the takedown follow-through: the page is gone: HTTP 410 Gone" \
    "with an event by drpwatch saying why"
is "$(q "SELECT closed_at IS NOT NULL AND last_state = 'gone' FROM takedowns
         WHERE alert_id = $id ORDER BY id DESC LIMIT 1")" t "the pack is closed"
"$PYTHON3" -c "
import json, sys
c = json.load(open(sys.argv[1]))
sys.exit(not any(x['alert_id'] == $id and x['resolved'] and x['state'] == 'gone' for x in c['checks']))" "$LOGS/chk4.out"
ok $? "--json reports the check"
rm -f "$WORLD/gone"

# A host that refuses connections: resolved after three checks in a row.
is "$(q "SELECT status FROM alerts WHERE id = $other")" takedown-requested \
    "the other page, still served, stays requested"
q "UPDATE takedowns SET target_url = '${DEAD_URL}gone' WHERE alert_id = $other
   AND closed_at IS NULL" >/dev/null
for n in 1 2; do
    drp "dead$n" takedowns check
    grep -q "^alert $other: unreachable: the host refuses connections ($n of 3 checks in a row)$" \
        "$LOGS/dead$n.out"
    ok $? "check $n: the host refuses connections ($n of 3)"
done
is "$(q "SELECT status FROM alerts WHERE id = $other")" takedown-requested \
    "two refusals are not enough"
drp dead3 takedowns check
is "$(q "SELECT status FROM alerts WHERE id = $other")" resolved "the third resolves it"
grep -q "the host refuses connections (3 of 3 checks in a row) -> resolved" "$LOGS/dead3.out"
ok $? "and says why"

# The service re-checks on its own.
third=$(q "SELECT id FROM alerts WHERE status = 'new' AND url LIKE '%$paste_path'
           ORDER BY id LIMIT 1")
drp td4 alerts takedown "$third"
q "UPDATE takedowns SET next_check_at = now() WHERE alert_id = $third AND closed_at IS NULL" >/dev/null
echo "$paste_path" >"$WORLD/gone"
"$DRPWATCH" run >"$LOGS/service.out" 2>"$LOGS/service.err" &
run_pid=$!
for _ in $(seq 100); do
    [ "$(q "SELECT status FROM alerts WHERE id = $third")" = resolved ] && break
    sleep 0.2
done
kill -TERM "$run_pid" 2>/dev/null
wait "$run_pid" 2>/dev/null
run_pid=
is "$(q "SELECT status FROM alerts WHERE id = $third")" resolved \
    "drpwatch run re-checks a due takedown and resolves the case"
grep -q "takedown done: alert=$third resolved" "$LOGS/service.err"
ok $? "and logs it"

drp list takedowns list --all --json
is "$(wc -l <"$LOGS/list.out")" "$(q "SELECT count(*) FROM takedowns")" "takedowns list --all lists every pack"
drp lopen takedowns list
grep -q "^0 takedowns open" "$LOGS/lopen.out"
ok $? "none is open any more"
drp nope alerts takedown 999999
is "$rc" 1 "a takedown of a missing alert exits 1"
drp closed alerts takedown "$id"
is "$rc" 1 "a resolved case cannot be taken down"
grep -q "reopen it first" "$LOGS/closed.err"
ok $? "and the error says what to do"

done_testing
