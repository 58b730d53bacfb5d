#!/bin/bash
# drpwatch serve on the demo world, driven as a TAXII 2.1 client drives it
# (curl and tests/fixtures/taxii_check.py): discovery, API root,
# collections, objects with paging, added_after and match filters,
# manifest, single objects and versions, against the specification; the
# error answers (401, 403, 404, 405, 406, 415, 400); each page valid STIX
# 2.1; collections by TLP and by watch list; 200 concurrent clients and
# clients gone mid-response; TLS; SIGTERM ends it with 0.
. "${top_srcdir:?run through make check}/tests/lib.sh" || exit 99

find_validator
TAXII="application/taxii+json;version=2.1"

start_world
umask 077
printf 'opencti-S3cret!\n' >"$T/opencti.pw"
printf 'tok-0123456789abcdef\n' >"$T/siem.token"
cp "$WORLD/demo.yaml" "$T/taxii.yaml"
cat >>"$T/taxii.yaml" <<EOF
taxii:
  listen: 127.0.0.1:0
  title: drpwatch test server
  users:
    - name: opencti
      password_file: $T/opencti.pw
    - name: siem
      token_file: $T/siem.token
  collections:
    - alias: all
      title: Every shareable indicator
    - alias: green
      tlp: [clear, green]
    - alias: northwind
      title: Seen beside a Northwind Bank mention
      watch: Northwind Bank
    - alias: red
      tlp: red
      readers: siem
EOF
drp apply apply "$T/taxii.yaml"
is "$rc" 0 "apply with a taxii section exits 0"
drp run run --once
is "$rc" 0 "crawl exits 0"
# Some findings are TLP:GREEN, one TLP:RED.
q "UPDATE findings SET tlp = 'green' WHERE kind = 'ipv4'" >/dev/null
q "UPDATE findings SET tlp = 'red' WHERE id = (SELECT min(id) FROM findings
   WHERE kind = 'domain' AND drp_shareable(findings))" >/dev/null

# A password in the YAML is refused.
printf 'taxii:\n  users:\n    - name: x\n      password: hunter2\n' >"$T/bad.yaml"
drp badyaml apply "$T/bad.yaml"
ok $([ "$rc" = 2 ] && grep -q "never goes in the YAML" "$LOGS/badyaml.err"; echo $?) \
    "a password in the YAML is refused with a pointer to password_file"

serve() {  # serve NAME ARGS...: starts drpwatch serve, sets PID and PORT
    local name=$1 i
    shift
    rm -f "$T/port"
    "$DRPWATCH" serve --port-file "$T/port" "$@" \
        >"$LOGS/$name.out" 2>"$LOGS/$name.err" &
    PID=$!
    for i in $(seq 1 300); do
        [ -s "$T/port" ] && break
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
    done
    PORT=$(cat "$T/port" 2>/dev/null)
}
stop() {  # stop: SIGTERM, and the exit status in $rc
    kill -TERM "$PID"
    wait "$PID"
    rc=$?
}

serve serve
ok $([ -n "$PORT" ]; echo $?) "serve listens on a port the kernel chose ($PORT)"
B="http://127.0.0.1:$PORT"

# curl as a TAXII client: media type, status, auth.
c() {  # c OUT ARGS...: curl, status and content type in $st $ct
    local out=$1
    shift
    read -r st ct < <(curl -s -o "$out" -w '%{http_code} %{content_type}\n' \
        --max-time 30 "$@")
}
c "$T/disc.json" -u opencti:'opencti-S3cret!' -H "Accept: $TAXII" "$B/taxii2/"
is "$st $ct" "200 $TAXII" "curl: discovery is 200 in the TAXII media type"
c "$T/noauth.json" -H "Accept: $TAXII" "$B/taxii2/"
is "$st" 401 "curl: discovery without credentials is 401"
c "$T/cols.json" -H "Authorization: Bearer tok-0123456789abcdef" "$B/drpwatch/collections/"
is "$st $ct" "200 $TAXII" "curl: a bearer token and no Accept header are served"

col() {  # col ALIAS: that collection's id
    "$PYTHON3" -c "
import json, sys
print([c['id'] for c in json.load(open(sys.argv[1]))['collections'] if c['alias'] == sys.argv[2]][0])" \
        "$T/cols.json" "$1"
}
ids() {  # ids ALIAS [USER]: sorted ids of that collection's indicators
    curl -s --max-time 30 -u "${2:-opencti:opencti-S3cret!}" -H "Accept: $TAXII" \
        "$B/drpwatch/collections/$(col "$1")/objects/?match%5Btype%5D=indicator&limit=1000" |
        "$PYTHON3" -c "
import json, sys
print('\n'.join(sorted(o['pattern'] for o in json.load(sys.stdin).get('objects', []))))"
}
ids all >"$T/all.ids"
ids green >"$T/green.ids"
ids northwind >"$T/northwind.ids"
n_all=$(wc -l <"$T/all.ids")
n_green=$(wc -l <"$T/green.ids")
n_nw=$(wc -l <"$T/northwind.ids")
want_green=$(grep -c "ipv4-addr" "$T/all.ids")
is "$n_green" "$want_green" "the TLP:GREEN collection holds the green findings ($n_green of $n_all)"
ok $([ "$n_nw" -gt 0 ] && [ "$n_nw" -lt "$n_all" ]; echo $?) \
    "the watch-list collection holds the indicators seen beside a Northwind Bank case ($n_nw of $n_all)"
ok $(comm -13 "$T/all.ids" "$T/northwind.ids" | grep -q .; [ $? -ne 0 ]; echo $?) \
    "and only indicators of the whole set"
n_red=$(curl -s --max-time 30 -H "Authorization: Bearer tok-0123456789abcdef" -H "Accept: $TAXII" \
    "$B/drpwatch/collections/$(col red)/objects/?match%5Btype%5D=indicator" |
    "$PYTHON3" -c "import json, sys; print(len(json.load(sys.stdin).get('objects', [])))")
is "$n_red" 1 "the TLP:RED collection holds the one red finding"
# A finding seen again moves to the end: an added_after poll gets it.
last=$(curl -s -D - -o /dev/null --max-time 30 -u 'opencti:opencti-S3cret!' -H "Accept: $TAXII" \
    "$B/drpwatch/collections/$(col all)/objects/?limit=1000" |
    tr -d '\r' | sed -n 's/^X-TAXII-Date-Added-Last: //Ip')
q "UPDATE findings SET last_seen = now() WHERE id = (SELECT max(id) FROM findings
   WHERE kind = 'url' AND drp_shareable(findings))" >/dev/null
got=$(curl -s --max-time 30 -u 'opencti:opencti-S3cret!' -H "Accept: $TAXII" \
    "$B/drpwatch/collections/$(col all)/objects/?added_after=$last" |
    "$PYTHON3" -c "import json, sys; print(sorted({o['type'] for o in json.load(sys.stdin)['objects']}))")
is "$got" "['indicator', 'relationship', 'sighting', 'url']" \
    "polling with added_after the last date_added gets the finding seen since"

mkdir -p "$T/pages"
"$PYTHON3" "$top_srcdir/tests/fixtures/taxii_check.py" "$B" opencti \
    'opencti-S3cret!' tok-0123456789abcdef "$T/pages" "$validator" \
    >"$LOGS/check.out" 2>"$LOGS/check.err"
is "$?" 0 "the TAXII client checks ran to the end: $(tail -c 300 "$LOGS/check.err")"
while read -r line; do
    case "$line" in
    "ok "*) ok 0 "${line#ok }" ;;
    *) ok 1 "${line#not ok }" ;;
    esac
done <"$LOGS/check.out"

# A finding stored while the server runs is found by its id at once: the
# ids are computed here independently (UUIDv5 in drpwatch's namespace).
q "WITH f AS (INSERT INTO findings (kind, value, confidence, tlp)
     VALUES ('ipv4', '45.33.32.77', 80, 'green') RETURNING id),
   t AS (SELECT document_id, source_id, url FROM sightings LIMIT 1)
   INSERT INTO sightings (finding_id, document_id, source_id, url, byte_offset)
   SELECT f.id, t.document_id, t.source_id, t.url, 0 FROM f, t" >/dev/null
read -r ind sco sgt < <("$PYTHON3" -c "
import uuid, json
ns = uuid.UUID('6b1d3c59-0e4a-4f52-9a87-2d5e416cf093')
sco = uuid.UUID('00abedb4-aa42-466c-9c01-fed23315a9b7')
ind = 'indicator--%s' % uuid.uuid5(ns, 'indicator:ipv4:45.33.32.77')
print(ind, 'ipv4-addr--%s' % uuid.uuid5(sco, json.dumps({'value': '45.33.32.77'}, separators=(',', ':'))),
      'sighting--%s' % uuid.uuid5(ns, 'sighting:%s:%s' % (ind, '$(q "SELECT s.name FROM sightings t JOIN sources s ON s.id = t.source_id ORDER BY t.id LIMIT 1")')))")
for id in "$ind" "$sco" "$sgt"; do
    got=$(curl -s --max-time 30 -u 'opencti:opencti-S3cret!' -H "Accept: $TAXII" \
        "$B/drpwatch/collections/$(col all)/objects/$id/" |
        "$PYTHON3" -c "import json, sys; print([o['id'] for o in json.load(sys.stdin).get('objects', [])])")
    is "$got" "['$id']" "a finding stored while serving: objects/${id%%--*}--.../ finds it"
done
is "$(q "SELECT count(*) FROM stix_ids WHERE stix_id IN ('${ind#*--}', '${sco#*--}', '${sgt#*--}')")" 3 \
    "its ids are in the index of STIX ids"
ok $(grep -q "indexed STIX ids" "$LOGS/serve.err"; echo $?) \
    "serve says when it indexes STIX ids"

kill -0 "$PID" 2>/dev/null
ok $? "the server is still up"
stop
is "$rc" 0 "SIGTERM ends serve with 0"
ok $(grep -q "opencti-S3cret\|tok-0123456789" "$LOGS"/serve.* ; [ $? -ne 0 ]; echo $?) \
    "no secret in the server's output"

# TLS when a certificate is configured.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" \
    -out "$T/cert.pem" >/dev/null 2>&1
cp "$T/taxii.yaml" "$T/tls.yaml"
sed -i "s|^  listen: 127.0.0.1:0|  listen: 127.0.0.1:0\n  tls_cert: $T/cert.pem\n  tls_key: $T/key.pem|" "$T/tls.yaml"
drp applytls apply "$T/tls.yaml"
is "$rc" 0 "apply with tls_cert and tls_key exits 0"
serve servetls
c "$T/tls.json" --cacert "$T/cert.pem" -u opencti:'opencti-S3cret!' \
    -H "Accept: $TAXII" "https://127.0.0.1:$PORT/taxii2/"
is "$st $ct" "200 $TAXII" "discovery over TLS"
ok $(grep -q "https://127.0.0.1:$PORT/drpwatch/" "$T/tls.json"; echo $?) \
    "its API root is an https URL"
c "$T/plain.json" -u opencti:'opencti-S3cret!' "http://127.0.0.1:$PORT/taxii2/"
ok $([ "$st" != 200 ]; echo $?) "plain HTTP to the TLS port gets no answer"
stop
is "$rc" 0 "SIGTERM ends the TLS server with 0"

# No users: serve refuses to start, and says what to do.
drp apply0 apply "$WORLD/demo.yaml"
drp nousers serve --listen 127.0.0.1:0
is "$rc" 2 "serve without taxii.users exits 2"
ok $(grep -q "declare taxii.users" "$LOGS/nousers.err"; echo $?) "and says to declare users"
drp badlisten serve --listen 'localhost:80'
is "$rc" 2 "a --listen that is not ADDR:PORT exits 2"

done_testing
