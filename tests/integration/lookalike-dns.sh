#!/bin/bash
# drpwatch dns-check against a real unbound on loopback: registered names
# of every kind (A, AAAA, MX only, NS only with its own zone, a CNAME
# chain, a dangling CNAME, other types only), free names, a wildcard
# parent, and names that time out (dropped), get SERVFAIL (a DNSSEC
# failure) or REFUSED. Exact states, bounded retries, the rate limit,
# capped lists and bad input.
. "${top_srcdir:?run through make check}/tests/lib.sh" || exit 99

loss_pid=""
trap '[ -n "$loss_pid" ] && kill "$loss_pid" 2>/dev/null; cleanup' EXIT

Z=$T/zones
mkdir -p "$Z"
{
    cat <<'ZONE'
$ORIGIN example.
$TTL 60
@           SOA ns.example. hostmaster.example. 1 3600 600 86400 60
@           NS  ns.example.
ns          A   127.0.0.1
a-only      A   192.0.2.1
a-only      A   192.0.2.2
aaaa-only   AAAA 2001:db8::1
mx-only     MX  10 mail.a-only.example.
nsonly      NS  ns1.nsonly.example.
ns1.nsonly  A   127.0.0.1
chain       CNAME chain2.example.
chain2      CNAME a-only.example.
dangling    CNAME gone.example.
txt-only    TXT "v=spf1 -all"
loop1       CNAME loop2.example.
loop2       CNAME loop1.example.
xn--brnd-noa A  192.0.2.3
*.wild      A   192.0.2.99
real.wild   A   192.0.2.50
mx.wild     MX  10 mail.a-only.example.
ZONE
    for i in $(seq 101 120); do echo "many A 192.0.2.$i"; done
} >"$Z/example.zone"
cat >"$Z/nsonly.zone" <<'ZONE'
$ORIGIN nsonly.example.
$TTL 60
@    SOA ns1.nsonly.example. hostmaster.example. 1 3600 600 86400 60
@    NS  ns1.nsonly.example.
ns1  A   127.0.0.1
ZONE
cat >"$Z/servfail.zone" <<'ZONE'
$ORIGIN servfail.example.
$TTL 60
@    SOA ns.example. hostmaster.example. 1 3600 600 86400 60
@    NS  ns.example.
@    A   192.0.2.7
ZONE
# A com. zone holding three lookalikes of nwbank.com (for lookalikes
# --registered) and the brand itself.
cat >"$Z/com.zone" <<'ZONE'
$ORIGIN com.
$TTL 60
@              SOA ns.example. hostmaster.example. 1 3600 600 86400 60
@              NS  ns.example.
nwbank         A   192.0.2.10
nwbnak         A   192.0.2.11
nwbank-login   A   192.0.2.12
wbank          MX  10 mail.a-only.example.
ZONE
# servfail.example is unsigned under a trust anchor: validation fails and
# unbound answers SERVFAIL. timeout.example's queries are dropped.
# Each zone is served upstream-side: unbound resolves as a recursive
# resolver would, with these as the authorities.
{
    cat <<CONF
  local-zone: "timeout.example." deny
  local-zone: "refused.example." refuse
  trust-anchor: "servfail.example. DS 12345 13 2 $(printf '0%.0s' $(seq 64))"
CONF
    for zone in example nsonly.example servfail.example com; do
        printf 'auth-zone:\n  name: "%s."\n  zonefile: "%s"\n' \
            "$zone" "$Z/${zone%.example}.zone"
        printf '  for-downstream: no\n  for-upstream: yes\n'
        printf '  fallback-enabled: no\n'
    done
} >"$Z/unbound.conf"
start_unbound "$Z/unbound.conf" --log-queries
SERVER=127.0.0.1:$DNS_PORT
diag "unbound on $SERVER"

NAMES="a-only.example aaaa-only.example mx-only.example nsonly.example
chain.example dangling.example txt-only.example XN--BRND-NOA.example.
free.example also-free.example x.wild.example a.b.wild.example
real.wild.example mx.wild.example many.example loop1.example
timeout.example servfail.example refused.example"

t0=$(date +%s.%N)
# shellcheck disable=SC2086
drp check dns-check --server "$SERVER" --timeout 300 --tries 2 --json \
    $NAMES a-only.example
t1=$(date +%s.%N)
is "$rc" 3 "dns-check exits 3 when some names stay unknown"
"$PYTHON3" - "$LOGS/check.out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
got = {r["name"]: r for r in rows}
assert len(rows) == len(got) == 19, ("one line per distinct name", len(rows))
want = {
    "a-only.example": "registered", "aaaa-only.example": "registered",
    "mx-only.example": "registered", "nsonly.example": "registered",
    "chain.example": "registered", "dangling.example": "registered",
    "txt-only.example": "registered", "xn--brnd-noa.example": "registered",
    "free.example": "unregistered", "also-free.example": "unregistered",
    "x.wild.example": "wildcard", "a.b.wild.example": "wildcard",
    "real.wild.example": "registered", "mx.wild.example": "registered",
    "many.example": "registered", "loop1.example": "unknown",
    "timeout.example": "unknown", "servfail.example": "unknown",
    "refused.example": "unknown",
}
bad = {n: (got[n]["state"], s) for n, s in want.items() if got[n]["state"] != s}
assert not bad, bad
assert [r["name"] for r in rows][:2] == ["a-only.example", "aaaa-only.example"], \
    "input order"
PY
ok $? "every name has its exact state, in input order, once"

# field_of FILE NAME KEY: one field of a name's JSON line in FILE, as
# JSON; field NAME KEY: the same in the first run's output.
field_of() {
    "$PYTHON3" -c 'import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["name"] == sys.argv[2]:
        print(json.dumps(r[sys.argv[3]]))' "$1" "$2" "$3"
}
field() {
    field_of "$LOGS/check.out" "$1" "$2"
}
is "$(field a-only.example addresses)" '["192.0.2.1", "192.0.2.2"]' \
    "A records are kept"
is "$(field aaaa-only.example addresses)" '["2001:db8::1"]' "and AAAA"
is "$(field mx-only.example mx)" '["10 mail.a-only.example"]' \
    "an MX-only name is registered, with its MX"
is "$(field nsonly.example ns)" '["ns1.nsonly.example"]' \
    "an NS-only zone is registered, with its NS"
is "$(field chain.example cname)" '["chain2.example", "a-only.example"]' \
    "the CNAME chain is recorded in order"
is "$(field chain.example addresses)" '["192.0.2.1", "192.0.2.2"]' \
    "with the addresses at its end"
is "$(field dangling.example reason)" '"CNAME target does not exist"' \
    "a dangling CNAME is registered, and said to dangle"
is "$(field txt-only.example reason)" \
    '"exists without NS, A, AAAA or MX records"' \
    "a name with other types only exists"
is "$(field free.example zone)" '"example"' \
    "an unregistered name names the zone that denied it"
is "$(field x.wild.example reason)" '"*.wild.example"' \
    "a wildcard answer is suppressed and names the wildcard"
is "$(field real.wild.example addresses)" '["192.0.2.50"]' \
    "a name with its own records under a wildcard is registered"
is "$(field many.example addresses_more)" 4 \
    "lists keep 16 entries and count the others"
is "$(field many.example addresses | cut -c1-30)" '["192.0.2.101", "192.0.2.102",' \
    "the same 16 whatever the order of the answer"
is "$(field timeout.example reason)" '"NS: timeout after 2 tries"' \
    "a dropped query times out: unknown, never unregistered"
is "$(field servfail.example reason)" '"NS: SERVFAIL after 2 tries"' \
    "SERVFAIL is unknown"
is "$(field refused.example reason)" '"NS: REFUSED after 2 tries"' \
    "REFUSED is unknown"
is "$(field loop1.example reason)" '"NS: SERVFAIL after 2 tries"' \
    "a CNAME loop (SERVFAIL from unbound) is unknown"
is "$(field free.example queries)" 1 "a free name costs one query"
is "$(field timeout.example queries)" 8 \
    "a failing name: NS, A, AAAA and MX, each tried twice"

# What unbound saw: the retries are bounded, and so is the time.
is "$(grep -c ' timeout\.example\. NS IN' "$T/unbound/unbound.log")" 2 \
    "unbound received timeout.example's NS query exactly twice"
is "$(grep -c ' free\.example\. ' "$T/unbound/unbound.log")" 1 \
    "and free.example's once"
elapsed=$("$PYTHON3" -c "print(int(float('$t1') - float('$t0')))")
ok "$([ "$elapsed" -lt 10 ] && echo 0 || echo 1)" \
    "timeouts bounded: the run took ${elapsed}s (< 10)"

# An answer read, then its retry lost: the name keeps the server's
# answer as its reason, not the lost retry's timeout. Among 100 names in
# flight, loop1.example's NS query gets SERVFAIL and refused.example's
# REFUSED at once, and the retry of each is lost on the way (a relay
# drops it, as a server's full receive queue drops queries in a burst:
# lookalike-watch.sh's CNAME loop was recorded as a timeout so).
# timeout.example's queries are never answered: a timeout still.
"$PYTHON3" "$top_srcdir/tests/fixtures/dnsloss.py" --upstream "$SERVER" \
    --port-file "$T/loss.port" --log "$LOGS/loss.log" \
    --drop loop1.example/NS/2 --drop refused.example/NS/2 \
    >"$LOGS/loss.err" 2>&1 &
loss_pid=$!
for _ in $(seq 1 100); do
    [ -s "$T/loss.port" ] && break
    sleep 0.1
done
{
    seq 1 100 | sed 's/$/.loss.example/'
    printf '%s\n' loop1.example refused.example timeout.example
} >"$T/loss.txt"
t0=$(date +%s.%N)
drp loss dns-check --server "127.0.0.1:$(cat "$T/loss.port")" \
    --timeout 300 --tries 2 --json - <"$T/loss.txt"
t1=$(date +%s.%N)
grep -q '^drop loop1\.example NS 2$' "$LOGS/loss.log"
ok $? "the relay lost the retry of loop1.example's NS query"
is "$(field_of "$LOGS/loss.out" loop1.example reason)" \
    '"NS: SERVFAIL after 2 tries"' \
    "a SERVFAIL answer stays the reason when the retry is lost"
is "$(field_of "$LOGS/loss.out" refused.example reason)" \
    '"NS: REFUSED after 2 tries"' "and so does REFUSED"
is "$(field_of "$LOGS/loss.out" timeout.example reason)" \
    '"NS: timeout after 2 tries"' "a name never answered times out"
is "$(grep -c '"state":"unregistered"' "$LOGS/loss.out")" 100 \
    "the names in flight around them are answered"
elapsed=$("$PYTHON3" -c "print(int(float('$t1') - float('$t0')))")
ok "$([ "$elapsed" -lt 5 ] && echo 0 || echo 1)" \
    "bounded: the run took ${elapsed}s (< 5)"
kill "$loss_pid" 2>/dev/null
wait "$loss_pid" 2>/dev/null
loss_pid=""

# A definite answer for every name: exit 0. Names on stdin, table output.
printf '# candidates\na-only.example\n\n  free.example  # comment\nx.wild.example\n' \
    >"$T/names.txt"
drp table dns-check --server "$SERVER" - <"$T/names.txt"
is "$rc" 0 "exit 0 when no name is unknown"
grep -q '^a-only\.example  *registered  *addr 192\.0\.2\.1, 192\.0\.2\.2$' \
    "$LOGS/table.out"
ok $? "the table shows a registered name and its addresses"
grep -q '^free\.example  *unregistered  *zone example$' "$LOGS/table.out"
ok $? "and an unregistered one with its zone"
is "$(grep -c . "$LOGS/table.out")" 4 "a heading and a row per name from stdin"
grep -q 'dns-check: 3 names, [0-9]* queries in .* 1 registered, 1 unregistered, 1 wildcard, 0 unknown' \
    "$LOGS/table.err"
ok $? "a summary on stderr"

drp nowild dns-check --server "$SERVER" --no-wildcard --json x.wild.example
grep -q '"state":"registered"' "$LOGS/nowild.out"
ok $? "--no-wildcard reports a wildcard answer as registered"

# A dead server first: the next one answers.
dead=$((DNS_PORT + 1))
"$PYTHON3" -c "import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', $dead))" 2>/dev/null ||
    dead=$((DNS_PORT - 1))
drp failover dns-check --server "127.0.0.1:$dead,$SERVER" --timeout 300 \
    --json a-only.example free.example
is "$rc" 0 "a dead first server is skipped"
is "$(grep -c '"state":"\(registered\|unregistered\)"' "$LOGS/failover.out")" 2 \
    "the second server answers"

# The rate limit: 20 free names, one query each, at 20 queries/s take
# about a second (never less: the bucket holds one query).
seq 1 20 | sed 's/$/.rate.example/' >"$T/rate.txt"
t0=$(date +%s.%N)
drp rate dns-check --server "$SERVER" --rate 20 - <"$T/rate.txt"
t1=$(date +%s.%N)
is "$rc" 0 "rate-limited run exits 0"
ms=$("$PYTHON3" -c "print(int((float('$t1') - float('$t0')) * 1000))")
ok "$([ "$ms" -ge 900 ] && echo 0 || echo 1)" \
    "--rate 20: 20 queries took ${ms} ms (>= 900)"
# The run's own time (the summary's), so that process start-up under load
# does not count: at 20/s, not at half of it.
run_ms=$(sed -n 's/.* queries in \([0-9.]*\) s .*/\1/p' "$LOGS/rate.err" |
    "$PYTHON3" -c "import sys; print(int(float(sys.stdin.read()) * 1000))")
ok "$([ "$run_ms" -lt 1500 ] && echo 0 || echo 1)" \
    "and the run itself ${run_ms} ms (< 1500: the rate is 20/s, not less)"

# Bad input: clear errors, exit 2, nothing asked.
drp badname dns-check --server "$SERVER" a-only.example 'bad name.example'
is "$rc" 2 "a bad name is a usage error"
grep -q "bad name 'bad name.example': not a letter, digit" "$LOGS/badname.err"
ok $? "which says what is wrong"
drp longlabel dns-check --server "$SERVER" "$(printf 'a%.0s' $(seq 64)).example"
grep -q 'label longer than 63 bytes' "$LOGS/longlabel.err"
ok $? "a label over 63 bytes is refused"
drp badserver dns-check --server 127.0.0.1:99999 a-only.example
is "$rc" 2 "a bad server address is a usage error"
grep -q "bad nameserver '127.0.0.1:99999': expected IP or IP:PORT" \
    "$LOGS/badserver.err"
ok $? "which says what is expected"
drp badrate dns-check --server "$SERVER" --rate 0 a-only.example
is "$rc" 2 "--rate 0 is refused"
printf '%02000d\n' 0 >"$T/long.txt"
drp longline dns-check --server "$SERVER" - <"$T/long.txt"
is "$rc" 2 "a line over 1024 bytes on stdin is refused"
grep -q 'line 1 longer than 1024 bytes' "$LOGS/longline.err"
ok $? "and named"

# lookalikes --registered: the candidates that exist, by DNS.
drp reg lookalikes --registered --fuzzers omission,transposition,combosquatting \
    --server "$SERVER" --timeout 300 --tries 2 --json nwbank.com
is "$rc" 0 "lookalikes --registered exits 0"
got=$("$PYTHON3" -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    print(r["name"], r["state"], ",".join(r["fuzzers"]), ",".join(r["addresses"] + r["mx"]))' \
    "$LOGS/reg.out" | sort)
is "$got" "nwbank-login.com registered combosquatting 192.0.2.12
nwbnak.com registered transposition 192.0.2.11
wbank.com registered omission 10 mail.a-only.example" \
    "exactly the registered lookalikes, with their fuzzers and records"
grep -q "candidates of nwbank.com checked: 3 registered, 0 unknown, 0 under a wildcard" \
    "$LOGS/reg.err"
ok $? "and a summary of the rest"
drp regt lookalikes --registered --fuzzers omission --server "$SERVER" \
    --timeout 300 --tries 2 nwbank.com
head -1 "$LOGS/regt.out" | grep -q '^FUZZERS  *DOMAIN  *STATE  *DNS'
ok $? "a table without --json"
grep -q '^omission  *wbank.com  *registered  *mx 10 mail.a-only.example' "$LOGS/regt.out"
ok $? "listing the registered candidate and its MX"
drp regbad lookalikes --server "$SERVER" nwbank.com
is "$rc" 2 "DNS options without --registered exit 2"

done_testing
