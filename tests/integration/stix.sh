#!/bin/bash
# drpwatch export stix on the demo world: the bundle passes the OASIS
# schemas (../shared/tools/stix-validate); indicators carry quoted hash
# names, confidence, valid_from/valid_until and labels; every indicator
# has its observable, relationship and sightings pointing at the sources;
# no credential, password, own asset or known-benign value leaves; ids are
# deterministic (a second export updates, not duplicates) and `modified`
# moves when a finding is seen again; --since and --min-confidence filter.
. "${top_srcdir:?run through make check}/tests/lib.sh" || exit 99

find_validator

start_world
drp apply apply "$WORLD/demo.yaml"
is "$rc" 0 "apply exits 0"
drp run run --once
is "$rc" 0 "crawl exits 0"

drp export1 export stix -o "$T/b1.json"
is "$rc" 0 "export stix -o exits 0"
"$validator" "$T/b1.json" >"$LOGS/validate1.out" 2>&1
ok $? "the bundle passes the STIX 2.1 schemas: $(head -c 200 "$LOGS/validate1.out")"

check() {  # the Python checks on bundle $1; prints one line per result
    "$PYTHON3" - "$1" "$EXPECTED" <<'PY'
import json, re, sys
b = json.load(open(sys.argv[1]))
e = json.load(open(sys.argv[2]))
objs = b["objects"]
by = {}
for o in objs:
    by.setdefault(o["type"], []).append(o)
ids = {o["id"]: o for o in objs}
ind = by.get("indicator", [])
print("types", sorted(by))
print("unique ids", len(ids) == len(objs))
pats = [i["pattern"] for i in ind]
print("hash pattern quoted", any(re.fullmatch(r"\[file:hashes\.'SHA-256' = '[0-9a-f]{64}'\]", p) for p in pats))
print("ipv4 pattern", any(re.fullmatch(r"\[ipv4-addr:value = '[0-9.]+'\]", p) for p in pats))
ok = all(0 <= i["confidence"] <= 100 and i["valid_until"] > i["valid_from"]
         and i["labels"] and i["pattern_type"] == "stix"
         and i["created_by_ref"] in ids and i["object_marking_refs"][0] in ids
         for i in ind)
print("indicator fields", ok)
rel = {r["source_ref"]: r["target_ref"] for r in by.get("relationship", [])
       if r["relationship_type"] == "based-on"}
print("each indicator based on its observable",
      all(i["id"] in rel and rel[i["id"]] in ids for i in ind))
sg = by.get("sighting", [])
names = {o["id"]: o["name"] for o in by.get("identity", [])}
print("sightings point at sources", bool(sg) and all(
    s["sighting_of_ref"] in ids and all(w in names for w in s["where_sighted_refs"])
    for s in sg), sorted({names[w] for s in sg for w in s["where_sighted_refs"]}))
text = json.dumps(b)
pw = [c["password"] for c in e["watched_credentials"]] + e["all_combo_passwords_sample"]
print("no password", not any(p in text for p in pw))
idents = [c["identity_normalized"] for c in e["watched_credentials"]]
print("no credential identity", not any("'%s'" % i in text for i in idents))
print("no own asset", "northwindbank.com'" not in text)
print("no documentation value", not any("'192.0.2." in p or "example.com'" in p for p in pats))
print("ioc ipv4 exported", all(any("'%s'" % ip in p for p in pats) for ip in e["iocs"]["ipv4"]))
PY
}
check "$T/b1.json" >"$LOGS/check1.out"
while read -r line; do
    case "$line" in
    types*) is "$line" "types ['domain-name', 'email-addr', 'file', 'identity', 'indicator', 'ipv4-addr', 'marking-definition', 'relationship', 'sighting', 'url']" \
        "the bundle holds indicators, observables, relationships, sightings, identities, markings" ;;
    *" True"*) ok 0 "${line% True*}" ;;
    *) ok 1 "$line" ;;
    esac
done <"$LOGS/check1.out"

# Deterministic ids: a second export has the same objects; after a new
# sighting the indicator's id stays and its modified moves.
drp export2 export stix -o "$T/b2.json"
ids() {
    "$PYTHON3" -c "
import json, sys
print('\n'.join(sorted(o['id'] for o in json.load(open(sys.argv[1]))['objects'])))" "$1"
}
is "$(ids "$T/b2.json")" "$(ids "$T/b1.json")" "exporting again gives the same ids"
ip=$(expected "print(e['iocs']['ipv4'][0])")
q "UPDATE findings SET last_seen = now() + interval '1 hour' WHERE kind = 'ipv4'
   AND value = '$ip'" >/dev/null
drp export3 export stix -o "$T/b3.json"
got=$("$PYTHON3" -c "
import json, sys
def ind(f):
    return {o['id']: o for o in json.load(open(f))['objects'] if o['type'] == 'indicator'
            and o['pattern'] == \"[ipv4-addr:value = '$ip']\"}
a, b = ind(sys.argv[1]), ind(sys.argv[2])
k = list(a)[0]
print(list(a) == list(b), b[k]['modified'] > a[k]['modified'], b[k]['created'] == a[k]['created'])" \
    "$T/b1.json" "$T/b3.json")
is "$got" "True True True" "a finding seen again: same id, modified moves, created stays"
"$validator" "$T/b3.json" >/dev/null 2>&1
ok $? "that bundle is valid too"

# Filters.
drp since export stix --since "$(date -u -d '+30 minutes' '+%Y-%m-%dT%H:%M:%SZ')" \
    -o "$T/b4.json"
n=$("$PYTHON3" -c "
import json, sys
print(sum(o['type'] == 'indicator' for o in json.load(open(sys.argv[1]))['objects']))" "$T/b4.json")
is "$n" 1 "--since in half an hour: only the finding seen an hour ahead"
"$validator" "$T/b4.json" >/dev/null 2>&1
ok $? "a small bundle is valid"
drp minc export stix --min-confidence 101
is "$rc" 2 "--min-confidence past 100 exits 2"
drp hi export stix --min-confidence 100 -o "$T/b5.json"
is "$rc" 0 "--min-confidence 100 exits 0"
n=$("$PYTHON3" -c "
import json, sys
print(sum(o['type'] == 'indicator' and o['confidence'] < 100 for o in json.load(open(sys.argv[1]))['objects']))" "$T/b5.json")
is "$n" 0 "no indicator under the minimum confidence"
drp stdout export stix --since '1 day'
"$validator" - <"$LOGS/stdout.out" >/dev/null 2>&1
ok $? "a bundle on stdout is valid"
drp bad export csv
is "$rc" 2 "an unknown export format exits 2"

done_testing
