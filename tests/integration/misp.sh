#!/bin/bash
# drpwatch export misp on the demo world: MISP core-format events, one per
# day or one per alert; attributes with MISP's types and categories and
# to_ids from confidence; credentials as credential objects with the
# identity and the masked hint only; distribution and threat level from the
# config; deterministic uuids (exporting again updates, not duplicates).
. "${top_srcdir:?run through make check}/tests/lib.sh" || exit 99

start_world
{
    cat "$WORLD/demo.yaml"
    cat <<'YAML'
misp:
  distribution: 1
  threat_level: 3
  to_ids_min_confidence: 60
YAML
} >"$T/misp.yaml"
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

done_testing
