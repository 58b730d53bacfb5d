#!/bin/bash
# drpwatch export misp on the demo world: MISP core-format events, one per
# day or one per alert; attributes with MISP's types and categories and
# to_ids from confidence; credentials as credential objects with the
# identity and the masked hint only; distribution and threat level from the
# config; deterministic uuids; pushing to a MISP stand-in adds the events,
# a second push edits them (no duplicate), a MISP that is down is retried,
# a wrong key is refused with a clear error.
. "${top_srcdir:?run through make check}/tests/lib.sh" || exit 99

start_world
{
    cat "$WORLD/demo.yaml"
    cat <<YAML
misp:
  distribution: 1
  threat_level: 3
  to_ids_min_confidence: 60
  retries: 3
  key_file: $T/misp.key
YAML
} >"$T/misp.yaml"
KEY=drpwatch-test-misp-key-0123456789
echo "$KEY" >"$T/misp.key"
chmod 600 "$T/misp.key"
drp apply apply "$T/misp.yaml"
is "$rc" 0 "apply with a misp section"
drp run run --once
is "$rc" 0 "crawl exits 0"

drp day export misp -o "$T/day.json"
is "$rc" 0 "export misp exits 0"
got=$("$PYTHON3" - "$T/day.json" "$EXPECTED" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
e = json.load(open(sys.argv[2]))
evs = [x["Event"] for x in d["response"]]
print("one event, today:", len(evs) == 1)
ev = evs[0]
print("distribution and threat level from the config:",
      ev["distribution"] == "1" and ev["threat_level_id"] == "3")
print("tlp tag:", {"name": "tlp:amber"} in ev["Tag"])
types = {(a["type"], a["category"]) for a in ev["Attribute"]}
print("types:", ("ip-dst", "Network activity") in types and
      ("domain", "Network activity") in types and
      ("url", "Network activity") in types and
      any(t[0] in ("md5", "sha1", "sha256") for t in types))
print("to_ids from confidence:", all(a["to_ids"] == (True if a["to_ids"] else False)
      for a in ev["Attribute"]) and any(a["to_ids"] for a in ev["Attribute"]))
ips = {a["value"] for a in ev["Attribute"] if a["type"] == "ip-dst"}
print("the IoCs:", set(e["iocs"]["ipv4"]) <= ips)
objs = [o for o in ev["Object"] if o["name"] == "credential"]
ids = {a["value"] for o in objs for a in o["Attribute"] if a["object_relation"] == "username"}
want = {c["identity_normalized"] for c in e["watched_credentials"]}
print("a credential object per watched credential:", ids == want)
print("identity and masked hint only:", all(
    sorted(a["object_relation"] for a in o["Attribute"]) == ["password", "text", "username"]
    for o in objs))
text = json.dumps(d)
pw = [c["password"] for c in e["watched_credentials"]] + e["all_combo_passwords_sample"]
print("no password:", not any(p in text for p in pw))
print("no own domain attribute:", not any(a["value"] == "northwindbank.com" for a in ev["Attribute"]))
uu = [a["uuid"] for a in ev["Attribute"]] + [o["uuid"] for o in ev["Object"]]
print("unique uuids:", len(uu) == len(set(uu)))
PY
)
while IFS= read -r line; do
    case "$line" in
    *": True") ok 0 "${line%: True}" ;;
    *) ok 1 "$line" ;;
    esac
done <<<"$got"

drp day2 export misp -o "$T/day2.json"
uuids() {
    "$PYTHON3" -c "
import json, sys
for x in json.load(open(sys.argv[1]))['response']:
    ev = x['Event']
    print(ev['uuid'])
    for a in ev['Attribute']: print(a['uuid'])
    for o in ev['Object']: print(o['uuid'])" "$1" | sort
}
is "$(uuids "$T/day2.json")" "$(uuids "$T/day.json")" "exporting again gives the same uuids"

drp alert export misp --group alert -o "$T/alert.json"
is "$rc" 0 "export misp --group alert exits 0"
got=$("$PYTHON3" - "$T/alert.json" <<'PY'
import json, sys
evs = [x["Event"] for x in json.load(open(sys.argv[1]))["response"]]
print(len(evs), sorted({e["threat_level_id"] for e in evs}),
      all(any(a["type"] == "link" for a in e["Attribute"]) for e in evs),
      all(e["Object"] or len(e["Attribute"]) > 1 for e in evs))
PY
)
n=$(q "SELECT count(*) FROM alerts a JOIN findings f ON f.id = a.finding_id
       WHERE f.kind IN ('credential', 'ipv4', 'ipv6', 'domain', 'onion', 'url',
                        'email', 'md5', 'sha1', 'sha256', 'sha512')")
is "$got" "$n ['1'] True True" \
    "one event per alert with a shareable finding, high threat, its page as a link"
drp badg export misp --group week
is "$rc" 2 "an unknown --group exits 2"

# Push to a MISP stand-in (tests/fixtures/misp_server.py) on loopback, on
# a port the kernel chooses (the same one again after a restart if free).
mport=0
start_misp() {  # start_misp DIR [FAIL_FIRST]
    mkdir -p "$1"
    "$PYTHON3" "$top_srcdir/tests/fixtures/misp_server.py" "$mport" "$KEY" "$1" \
        ${2:+"$2"} >"$1/server.log" 2>&1 &
    misp_pid=$!
    for _ in $(seq 100); do
        if [ -s "$1/port" ]; then
            mport=$(cat "$1/port")
            return 0
        fi
        sleep 0.1
    done
    return 1
}
stop_misp() { kill "$misp_pid" 2>/dev/null; wait "$misp_pid" 2>/dev/null; }
trap 'stop_misp; cleanup' EXIT
nevents=$("$PYTHON3" -c "import json,sys; print(len(json.load(open(sys.argv[1]))['response']))" "$T/day.json")

start_misp "$T/m1"
ok $? "the MISP stand-in listens"
drp push1 export misp --push "http://127.0.0.1:$mport/"
is "$rc" 0 "export misp --push exits 0"
grep -q "pushed $nevents MISP events to http://127.0.0.1:$mport/: $nevents added, 0 updated" "$LOGS/push1.err"
ok $? "the first push adds the events"
is "$(grep -c 'auth=ok accept=application/json' "$T/m1/requests.log")" \
    "$(wc -l <"$T/m1/requests.log")" "every request carries the key and accepts JSON"
is "$(grep -c '^POST .* type=application/json' "$T/m1/requests.log")" "$nevents" \
    "one JSON POST per event"
drp push2 export misp --push "http://127.0.0.1:$mport/"
is "$rc" 0 "a second push exits 0"
grep -q ": 0 added, $nevents updated" "$LOGS/push2.err"
ok $? "the second push edits the same events instead of adding"
is "$(grep -c '^POST /events/edit/' "$T/m1/requests.log")" "$nevents" "by uuid"
got=$("$PYTHON3" - "$T/m1/events.json" "$EXPECTED" <<'PY'
import json, sys
evs = json.load(open(sys.argv[1]))
e = json.load(open(sys.argv[2]))
text = json.dumps(evs)
pw = [c["password"] for c in e["watched_credentials"]] + e["all_combo_passwords_sample"]
print(len(evs), not any(p in text for p in pw),
      all(o["name"] == "credential" for ev in evs.values() for o in ev["Object"]))
PY
)
is "$got" "$nevents True True" "MISP holds the events once, with no password"
grep -q "$KEY" "$LOGS/push1.err" "$LOGS/push2.err"
is "$?" 1 "the key is never logged"
stop_misp

start_misp "$T/m2" 2
drp push3 export misp --push "http://127.0.0.1:$mport/"
is "$rc" 0 "a MISP that answers 503 twice: the push still succeeds"
is "$(grep -c 'retry [0-9] of 3' "$LOGS/push3.err")" 2 "after two retries with backoff"
stop_misp

start_misp "$T/m3"
DRPWATCH_MISP_KEY=not-the-key drp push4 export misp --push "http://127.0.0.1:$mport/"
is "$rc" 1 "a wrong key exits 1"
grep -q "MISP refused the key (HTTP 403)" "$LOGS/push4.err"
ok $? "and says MISP refused the key"
stop_misp

drp push5 export misp --push "http://127.0.0.1:$mport/"
is "$rc" 1 "MISP down for good exits 1"
grep -q "retry 3 of 3" "$LOGS/push5.err" && grep -q "push to MISP failed after 0 added and 0 updated: curl=7" "$LOGS/push5.err"
ok $? "after its retries, with curl's reason"
drp push6 export misp --push ftp://127.0.0.1/
is "$rc" 2 "--push needs an http(s) URL"

done_testing
