#!/bin/bash
# Notifications end to end: a crawl of the demo world (and of the members
# forum, with its session cookie) opens alerts; the outbox holds one row
# per alert and channel that takes it (kinds, min_severity); two
# `drpwatch notify --once` at once deliver each row once, to a webhook
# (JSON and chat), over SMTP and to syslog (UDP and TCP), all receivers on
# loopback started here; a receiver that answers 500 at first, or is down
# at first, gets each row once after retries with backoff; one that never
# comes back, and an SMTP login that would go in clear, end as dead
# letters with the reason shown by `notify --list`; `run` delivers what it
# opens; the daily digest counts what it covers and says when a kind had
# nothing; and no payload carries a password, the cookie or a key.
. "${top_srcdir:?run through make check}/tests/lib.sh" || exit 99

RECV="$top_srcdir/tests/fixtures/receivers.py"
# Debian's python3-aiosmtpd (scripts/setup.sh) lives with the system's
# python3, which may not be the first python3 on PATH.
SMTP_PY=""
for py in "$PYTHON3" /usr/bin/python3; do
    if "$py" -c 'import aiosmtpd' 2>/dev/null; then
        SMTP_PY=$py
        break
    fi
done
if [ -z "$SMTP_PY" ]; then
    echo "Bail out! python3-aiosmtpd is missing: run scripts/setup.sh"
    exit 1
fi

recv_pids=""
stop_receivers() {
    local p
    for p in $recv_pids; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
}
trap 'stop_receivers; cleanup' EXIT

# receiver NAME KIND [ARGS...]: starts a receiver recording to $T/NAME.jsonl.
receiver() {
    local name=$1 kind=$2 py=$PYTHON3 i
    shift 2
    [ "$kind" = smtp ] && py=$SMTP_PY
    "$py" "$RECV" "$kind" --out "$T/$name.jsonl" --port-file "$T/$name.port" \
        "$@" >"$LOGS/receiver-$name.log" 2>&1 &
    recv_pids="$recv_pids $!"
    for i in $(seq 1 100); do
        [ -s "$T/$name.port" ] && return 0
        sleep 0.1
    done
    cat "$LOGS/receiver-$name.log"
    echo "Bail out! the $name receiver did not start"
    exit 1
}
port() { cat "$T/$1.port"; }

start_world
receiver hooks webhook
receiver flaky webhook --fail-first 2
receiver mail smtp
receiver udp syslog
receiver tcp syslog --tcp
# "down": a port nothing listens on until the test starts a receiver there.
DOWN_PORT=$("$PYTHON3" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# Secrets the payloads must never carry: the members forum's cookie, the
# SMTP password (in its file), the credential-hashing key, and the leaked
# passwords of the demo world.
COOKIE=$("$PYTHON3" -c "import sys; sys.path.insert(0, '$top_srcdir/tests/fixtures'); import content; print(content.MEMBERS_COOKIE)")
printf '# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\t%s\t%s\n' \
    "${COOKIE%%=*}" "${COOKIE#*=}" >"$WORLD/members.cookie"
SMTP_PASSWORD="smtp-Pw-$RANDOM$RANDOM-notify"
printf '%s\n' "$SMTP_PASSWORD" >"$T/smtp.pw"
chmod 600 "$T/smtp.pw"
export DRPWATCH_HASH_KEY="hash-key-$RANDOM$RANDOM-notify-test"

HOOK="http://127.0.0.1:$(port hooks)"
cat >"$T/notify.yaml" <<YAML
$(cat "$WORLD/demo.yaml")
  - name: members
    kind: forum
    url: $MEMBERS_URL
    max_depth: 2
    allow_private: true
    cookie_file: $WORLD/members.cookie
notifications:
  - {name: json, type: webhook, url: "$HOOK/json", min_severity: low}
  - {name: chat, type: webhook, url: "$HOOK/chat", format: chat,
     kinds: [credential-leak]}
  - {name: mail, type: email, url: "smtp://127.0.0.1:$(port mail)",
     from: drpwatch@northwindbank.example, min_severity: critical,
     to: [secops@northwindbank.example, soc@northwindbank.example]}
  - {name: sys-udp, type: syslog, address: "udp://127.0.0.1:$(port udp)",
     min_severity: high}
  - {name: sys-tcp, type: syslog, address: "tcp://127.0.0.1:$(port tcp)",
     kinds: [brand-mention], facility: auth}
  - {name: flaky, type: webhook, url: "http://127.0.0.1:$(port flaky)/",
     kinds: [credential-leak], min_severity: critical, retry: 0.5}
  - {name: down, type: webhook, url: "http://127.0.0.1:$DOWN_PORT/",
     kinds: [credential-leak], min_severity: critical, retry: 1}
  - {name: dead, type: webhook, url: "$DEAD_URL", kinds: [credential-leak],
     min_severity: critical, retry: 0.2, max_attempts: 3}
  - {name: mail-login, type: email, url: "smtp://127.0.0.1:$(port mail)",
     from: drpwatch@northwindbank.example, to: secops@northwindbank.example,
     username: drpwatch, password_file: "$T/smtp.pw",
     kinds: [credential-leak], min_severity: critical, max_attempts: 1}
  - {name: digest-all, type: webhook, url: "$HOOK/digest-all",
     digest: daily, min_severity: low}
  - {name: digest-canary, type: webhook, url: "$HOOK/digest-canary",
     format: chat, digest: daily, kinds: [canary]}
YAML

# A password written in the YAML itself is refused.
sed 's/password_file: "[^"]*"/password: hunter2/' "$T/notify.yaml" >"$T/inline.yaml"
drp inline apply "$T/inline.yaml"
is "$rc" 2 "apply refuses a password written in the configuration"
grep -q "a password is never written in drpwatch.yaml" "$LOGS/inline.err"
ok $? "and says where it belongs (password_file)"

drp apply apply "$T/notify.yaml"
is "$rc" 0 "apply exits 0"
grep -q "notification channels 11 new" "$LOGS/apply.out"
ok $? "apply reports the channels"

drp crawl run --once --no-notify
is "$rc" 0 "crawl exits 0"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$LOGS/crawl.err" | tail -20
is "$(q "SELECT count(*) FROM notify_outbox WHERE delivered_at IS NOT NULL
         OR attempts > 0")" 0 "run --no-notify delivers nothing"

# The channels' filters, as SQL written out here.
MEDIUM="severity IN ('medium', 'high', 'critical')"
declare -A FILTER=(
    [json]="severity <> 'info'"
    [chat]="kind = 'credential-leak' AND $MEDIUM"
    [mail]="severity = 'critical'"
    [sys-udp]="severity IN ('high', 'critical')"
    [sys-tcp]="kind = 'brand-mention' AND $MEDIUM"
    [flaky]="kind = 'credential-leak' AND severity = 'critical'"
    [down]="kind = 'credential-leak' AND severity = 'critical'"
    [dead]="kind = 'credential-leak' AND severity = 'critical'"
    [mail-login]="kind = 'credential-leak' AND severity = 'critical'"
)
want_ids() {
    q "SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM alerts
       WHERE ${FILTER[$1]}"
}
outbox_ids() {
    q "SELECT coalesce(string_agg(o.alert_id::text, ',' ORDER BY o.alert_id), '')
       FROM notify_outbox o JOIN notify_channels c ON c.id = o.channel_id
       WHERE c.name = '$1'"
}
is "$(q "SELECT count(DISTINCT kind) FROM alerts")" 2 \
    "the crawl opened credential-leak and brand-mention alerts"
n=$(q "SELECT count(*) FROM alerts WHERE source_id =
       (SELECT id FROM sources WHERE name = 'members')")
[ "$n" -gt 0 ]
ok $? "and brand mentions on the members forum ($n)"
for ch in "${!FILTER[@]}"; do
    want=$(want_ids "$ch")
    [ -n "$want" ] || diag "channel $ch takes no alert of this crawl"
    is "$(outbox_ids "$ch")" "$want" "outbox: channel $ch has a row per alert it takes (${FILTER[$ch]})"
done
is "$(q "SELECT count(*) FROM notify_outbox o JOIN notify_channels c
         ON c.id = o.channel_id WHERE c.digest")" 0 \
    "digest channels get no row per alert"

# Received alert ids per channel, from what the receivers recorded.
cat >"$T/received.py" <<'PY'
import email, email.policy, json, re, sys

def records(name):
    with open(sys.argv[1] + "/" + name + ".jsonl") as f:
        return [json.loads(l) for l in f]

def received(channel):
    """(alert ids, notification ids) delivered to channel (2xx only)."""
    alerts, notes = [], []
    if channel in ("json", "chat", "flaky", "down", "digest-all", "digest-canary"):
        name = "hooks" if channel in ("json", "chat") or channel.startswith("digest") else channel
        for r in records(name):
            if r["status"] != 200 or (name == "hooks" and r["path"] != "/" + channel):
                continue
            notes.append(int(r["headers"]["X-Drpwatch-Notification"]))
            if channel == "json" or channel in ("flaky", "down"):
                alerts.append(json.loads(r["body"])["alert"]["id"])
            elif channel == "chat":
                m = re.search(r"\nAlert (\d+),", json.loads(r["body"])["text"])
                alerts.append(int(m.group(1)))
    elif channel == "mail":
        for r in records("mail"):
            msg = email.message_from_string(r["data"], policy=email.policy.default)
            notes.append(int(msg["X-Drpwatch-Notification"]))
            alerts.append(int(msg["X-Drpwatch-Alert"]))
    elif channel in ("sys-udp", "sys-tcp"):
        for r in records("udp" if channel == "sys-udp" else "tcp"):
            notes.append(int(re.search(r' notification="(\d+)"', r["data"]).group(1)))
            alerts.append(int(re.search(r' alert="(\d+)"', r["data"]).group(1)))
    return alerts, notes

what, channel = sys.argv[2], sys.argv[3]
alerts, notes = received(channel)
if what == "alerts":
    print(",".join(str(a) for a in sorted(set(alerts))))
elif what == "dups":
    print(len(notes) - len(set(notes)))
PY
received() { "$PYTHON3" "$T/received.py" "$T" "$@"; }

# passes_until CHANNEL CONDITION: `notify --once` every 0.2 s (40 at most,
# logged in $LOGS/CHANNEL.*) until no row of CHANNEL matches CONDITION.
passes_until() {
    local i
    for i in $(seq 1 40); do
        [ "$(q "SELECT count(*) FROM notify_outbox o JOIN notify_channels c
                ON c.id = o.channel_id WHERE c.name = '$1' AND $2")" = 0 ] &&
            return 0
        "$DRPWATCH" notify --once >>"$LOGS/$1.out" 2>>"$LOGS/$1.err"
        sleep 0.2
    done
}

# Two workers at once: each row is delivered by one of them, once.
"$DRPWATCH" notify --once >"$LOGS/n1.out" 2>"$LOGS/n1.err" &
p1=$!
"$DRPWATCH" notify --once >"$LOGS/n2.out" 2>"$LOGS/n2.err" &
p2=$!
wait "$p1"
r1=$?
wait "$p2"
r2=$?
[ "$r1" -eq 0 -o "$r1" -eq 3 ] && [ "$r2" -eq 0 -o "$r2" -eq 3 ] &&
    [ "$r1" -eq 3 -o "$r2" -eq 3 ]
ok $? "the passes exit 0 or 3, and 3 when a delivery failed ($r1, $r2)"
d1=$(sed -n 's/.*delivered=\([0-9]*\).*/\1/p' "$LOGS/n1.out")
d2=$(sed -n 's/.*delivered=\([0-9]*\).*/\1/p' "$LOGS/n2.out")
diag "the two passes delivered $d1 and $d2"
is "$((d1 + d2))" "$(q "SELECT count(*) FROM notify_outbox WHERE delivered_at IS NOT NULL")" \
    "their deliveries add up to the delivered rows"
for ch in json chat mail sys-udp sys-tcp; do
    is "$(received alerts "$ch")" "$(want_ids "$ch")" "$ch: received exactly the alerts it takes"
    is "$(received dups "$ch")" 0 "$ch: no notification received twice"
done

# The payloads themselves.
"$PYTHON3" - "$T" <<'PY' >"$LOGS/payloads.out" 2>&1
import email, email.policy, json, re, sys
t = sys.argv[1]
hooks = [json.loads(l) for l in open(t + "/hooks.jsonl")]
j = [json.loads(r["body"]) for r in hooks if r["path"] == "/json"]
assert j and all(p["type"] == "alert" and p["channel"] == "json" for p in j)
keys = {"id", "kind", "severity", "score", "status", "title", "summary",
        "next_step", "audience", "source", "url", "first_seen", "last_seen",
        "occurrences"}
assert all(set(p["alert"]) == keys for p in j), set(j[0]["alert"])
assert all(r["headers"]["Content-Type"].startswith("application/json")
           for r in hooks)
c = [json.loads(r["body"]) for r in hooks if r["path"] == "/chat"]
assert c and all(list(p) == ["text"] and p["text"].startswith("[") for p in c)
mails = [email.message_from_string(json.loads(l)["data"], policy=email.policy.default)
         for l in open(t + "/mail.jsonl")]
for m in mails:
    for h in ("Date", "Message-ID", "From", "To", "Subject"):
        assert m[h], h
    assert m["Subject"].startswith("[drpwatch] CRITICAL credential-leak: ")
    assert "secops@northwindbank.example" in m["To"] and "soc@northwindbank.example" in m["To"]
    assert "Next step: " in m.get_content()
rcpts = [json.loads(l)["rcpt_tos"] for l in open(t + "/mail.jsonl")]
assert all(sorted(r) == ["secops@northwindbank.example", "soc@northwindbank.example"] for r in rcpts)
rfc5424 = re.compile(r'^<(\d+)>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ drpwatch \d+ alert '
                     r'\[drpwatch@32473 notification="\d+" alert="\d+" kind="[a-z-]+" '
                     r'severity="[a-z]+" score="\d+" reason="opened" source="[^"]+"\] \ufeff\[')
for name, fac in (("udp", 16), ("tcp", 4)):
    for l in open(t + "/" + name + ".jsonl"):
        d = json.loads(l)["data"]
        m = rfc5424.match(d)
        assert m, d[:200]
        assert int(m.group(1)) // 8 == fac
print("payloads checked: %d json, %d chat, %d mails" % (len(j), len(c), len(mails)))
PY
ok $? "payloads: JSON fields, chat text, RFC 5322 headers, RFC 5424 lines ($(tail -1 "$LOGS/payloads.out"))"

# A receiver that was down: each failure backs off longer (retry 1 s:
# 0.5-1 s, then 1-2 s, counted from the failure; measured here from the
# lease, which precedes it by the batch's sending time: up to 0.5 s more),
# then it comes up and gets each row once.
backoff() {
    q "SELECT min(extract(epoch FROM o.next_attempt_at - o.last_attempt_at)) || ' '
              || max(extract(epoch FROM o.next_attempt_at - o.last_attempt_at))
       FROM notify_outbox o JOIN notify_channels c ON c.id = o.channel_id
       WHERE c.name = 'down' AND o.attempts = $1"
}
b1=$(backoff 1)
"$PYTHON3" -c "import sys; lo, hi = map(float, '$b1'.split()); sys.exit(not (0.5 <= lo and hi <= 1.5))"
ok $? "down: first backoff within 0.5-1 s ($b1)"
sleep 1.1
drp down2 notify --once
b2=$(backoff 2)
"$PYTHON3" -c "import sys; lo, hi = map(float, '$b2'.split()); sys.exit(not (1.0 <= lo and hi <= 2.5))"
ok $? "down: second backoff within 1-2 s ($b2)"
grep -q "channel='down'.*curl=7" "$LOGS/down2.err"
ok $? "down: the failure is logged with curl's reason"
# It comes up now: its rows go out with the next passes, below.
receiver down webhook --port "$DOWN_PORT"

# A receiver answering 500 twice: retried after the backoff, delivered once.
passes_until flaky "o.delivered_at IS NULL"
is "$(received alerts flaky)" "$(want_ids flaky)" "flaky: every alert delivered after the failures"
is "$(received dups flaky)" 0 "flaky: and each once"
"$PYTHON3" - "$T/flaky.jsonl" <<'PY' >"$LOGS/flaky-gaps.out" 2>&1
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
fails = [r for r in rs if r["status"] == 500]
assert len(fails) == 2, len(fails)
for f in fails:
    note = f["headers"]["X-Drpwatch-Notification"]
    later = [r for r in rs if r["headers"]["X-Drpwatch-Notification"] == note and r["t"] > f["t"]]
    assert later, note
    gap = later[0]["t"] - f["t"]
    print("notification %s retried after %.3f s" % (note, gap))
    assert gap >= 0.25, gap  # retry 0.5 s: at least half of it
PY
ok $? "flaky: the two failures were retried no sooner than the backoff ($(tr '\n' ';' <"$LOGS/flaky-gaps.out"))"
is "$(q "SELECT count(*) FROM notify_outbox o JOIN notify_channels c ON c.id = o.channel_id
         WHERE c.name = 'flaky' AND o.attempts = 2")" 2 "flaky: the failed rows took two attempts"

# The receiver that was down.
passes_until down "o.delivered_at IS NULL"
is "$(received alerts down)" "$(want_ids down)" "down: every alert delivered once it was up"
is "$(received dups down)" 0 "down: and each once"

# A receiver that never comes back: a dead letter after 3 attempts.
passes_until dead "o.dead_at IS NULL"
drp deadlist notify --list --state dead --json
is "$rc" 0 "notify --list --state dead --json exits 0"
"$PYTHON3" - "$LOGS/deadlist.out" "$(want_ids dead | tr ',' ' ' | wc -w)" <<'PY' >"$LOGS/deadlist.check" 2>&1
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
dead = [r for r in rows if r["channel"] == "dead"]
assert len(dead) == int(sys.argv[2]), (len(dead), sys.argv[2])
assert all(r["state"] == "dead" and r["attempts"] == 3 and r["dead"] and
           r["last_error"].startswith("curl=7 ") for r in dead), dead[0]
login = [r for r in rows if r["channel"] == "mail-login"]
assert login and all(r["attempts"] == 1 and "curl=64 " in r["last_error"] for r in login), login[:1]
print(dead[0]["last_error"], "|", login[0]["last_error"])
PY
ok $? "dead letters after max_attempts, with the reason ($(cat "$LOGS/deadlist.check"))"
drp deadtable notify --list --state dead
head -1 "$LOGS/deadtable.out" | grep -q '^ID  *CHANNEL  *ALERT  *REASON  *STATE  *ATTEMPTS'
ok $? "notify --list prints a table"
grep -q " dead .*curl=7 " "$LOGS/deadtable.out"
ok $? "with the dead letters' reason"
got=$(q "SELECT count(*) FROM notify_outbox o JOIN notify_channels c ON c.id = o.channel_id
         WHERE c.name = 'mail-login' AND o.delivered_at IS NOT NULL")
is "$got" 0 "an SMTP login is never sent without TLS (no STARTTLS offered)"
is "$(grep -c . "$T/mail.jsonl")" "$(want_ids mail | tr ',' ' ' | wc -w)" \
    "and the server received no message from that channel"

# `run` delivers what it opens: the members forum's alerts again, by its
# own thread, before `run --once` returns.
before=$(q "SELECT max(id) FROM alerts")
q "DELETE FROM alerts WHERE source_id = (SELECT id FROM sources WHERE name = 'members')" >/dev/null
q "UPDATE jobs SET content_hash = NULL, etag = NULL, last_modified = NULL, due_at = now()
   WHERE source_id = (SELECT id FROM sources WHERE name = 'members')" >/dev/null
drp rerun run --once
is "$rc" 0 "a crawl that reopens the members forum's alerts exits 0"
reopened=$(q "SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM alerts
              WHERE id > $before AND ${FILTER[json]}")
[ -n "$reopened" ]
ok $? "it reopened alerts ($reopened)"
got=$(received alerts json | tr ',' '\n' | awk -v b="$before" '$1 > b' | paste -sd, -)
is "$got" "$reopened" "run --once delivered them before returning"

# The daily digest: due when its hour has passed since the last one.
q "UPDATE notify_channels SET last_digest_at = now() - interval '2 days' WHERE digest" >/dev/null
drp digest notify --once
is "$rc" 0 "the digest pass exits 0"
"$PYTHON3" - "$T/hooks.jsonl" "$(q "SELECT count(*) FROM alerts WHERE severity <> 'info'")" \
    "$(q "SELECT count(*) FROM sources WHERE enabled")" <<'PY' >"$LOGS/digest.check" 2>&1
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
total, sources = int(sys.argv[2]), int(sys.argv[3])
alld = [json.loads(r["body"]) for r in rs if r["path"] == "/digest-all"]
assert len(alld) == 1, len(alld)
d = alld[0]
assert d["type"] == "digest" and d["digest"]["hours"] == 48, d["digest"]["hours"]
assert d["digest"]["total"] == total, (d["digest"]["total"], total)
assert sum(c["count"] for c in d["digest"]["counts"]) == total
assert d["digest"]["sources"] == sources, d["digest"]["sources"]
assert 0 < len(d["digest"]["top"]) <= 10
assert "credential-leak: " in d["text"] and "brand-mention: " in d["text"]
canary = [json.loads(r["body"]) for r in rs if r["path"] == "/digest-canary"]
assert len(canary) == 1, len(canary)
want = "no alert of kind canary in the last 48 h across %d sources" % sources
assert want in canary[0]["text"], canary[0]["text"]
print(want)
PY
ok $? "digests: counts by kind and severity, and silence said as such ($(cat "$LOGS/digest.check"))"
drp digest2 notify --once
n=$(grep -c '"path": "/digest' "$T/hooks.jsonl")
is "$n" 2 "a second pass sends no digest before its time"

# No payload carries a password, the cookie, the SMTP password or the key.
expected "
pw = [c['password'] for c in e['watched_credentials']]
pw += [c['password'] for c in e['lookalike_credentials']]
pw += e['all_combo_passwords_sample']
print('\n'.join(pw))" >"$T/secrets"
printf '%s\n' "$COOKIE" "${COOKIE#*=}" "$SMTP_PASSWORD" "$DRPWATCH_HASH_KEY" >>"$T/secrets"
"$PYTHON3" - "$T" <<'PY' >"$LOGS/secrets.out" 2>&1
import email, email.policy, glob, json, sys
t = sys.argv[1]
secrets = [s for s in open(t + "/secrets").read().splitlines() if s]
texts = []
for f in glob.glob(t + "/*.jsonl"):
    for l in open(f):
        r = json.loads(l)
        texts.append(json.dumps(r, ensure_ascii=False))
        for k in ("body", "data"):
            if k in r:
                texts.append(r[k])
        if "data" in r and "mail" in f:
            m = email.message_from_string(r["data"], policy=email.policy.default)
            texts.append(str(m["Subject"]) + m.get_content())
leaks = sorted({s for s in secrets for x in texts if s in x})
print("payloads %d, secrets %d, leaked %s" % (len(texts), len(secrets), leaks))
assert len(texts) > 100 and len(secrets) > 20 and not leaks
PY
ok $? "no payload carries a password, the cookie, the SMTP password or the hash key ($(cat "$LOGS/secrets.out"))"
leaks=$(grep -F -o -f "$T/secrets" "$LOGS"/*.out "$LOGS"/*.err 2>/dev/null | sort -u | head -5)
is "$leaks" "" "nor does any log or output"

# A severity rise goes out again: a delivered credential leak of the json
# channel, scored lower meanwhile, is seen again and rescored.
rise=$(q "SELECT id FROM alerts WHERE ${FILTER[json]} AND kind = 'credential-leak'
          ORDER BY id LIMIT 1")
q "UPDATE alerts SET severity = 'low', score = 30 WHERE id = $rise" >/dev/null
# Due now too: the alert may be on a thread page (role marked), which a
# pass does not make due by itself.
q "UPDATE jobs SET content_hash = NULL, etag = NULL, last_modified = NULL,
   due_at = now() WHERE url = (SELECT url FROM alerts WHERE id = $rise)" >/dev/null
drp rise run --once
is "$rc" 0 "a crawl that raises a case's severity exits 0"
got=$("$PYTHON3" - "$T/hooks.jsonl" "$rise" <<'PY'
import json, sys
n = 0
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["path"] != "/json" or r["status"] != 200:
        continue
    b = json.loads(r["body"])
    if b["alert"]["id"] == int(sys.argv[2]) and b.get("reason", "").startswith("severity:"):
        n += 1
print(n)
PY
)
is "$got" 1 "a severity rise re-notifies the case once, with its reason"

done_testing
