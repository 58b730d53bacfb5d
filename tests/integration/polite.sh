#!/bin/bash
# Politeness and sessions on the members-only forum (world port B+6):
# robots.txt obeyed (our group, not '*') and overridden by robots: false;
# one request per delay to the host; the session cookie sent to the
# source's host and port only, not after a redirect to another port or
# host name, and never logged or stored; an expired session keeps the
# stored page and raises a health warning.
. "${top_srcdir:?run through make check}/tests/lib.sh" || exit 99

start_world
members_log() { grep '^members ' "$WORLD/world.log"; }
COOKIE=$("$PYTHON3" -c "import sys; sys.path.insert(0, '$top_srcdir/tests/fixtures'); import content; print(content.MEMBERS_COOKIE)")
# A cookies.txt as curl writes it: the forum's cookie, one for another
# host (never sent) and an expired one (never sent).
printf '# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\t%s\t%s\nother.example\tFALSE\t/\tFALSE\t0\tforeign\tnope\n#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t1000\told\tstale\n' \
    "${COOKIE%%=*}" "${COOKIE#*=}" >"$WORLD/members.cookie"
drp apply apply "$WORLD/members.yaml"
is "$rc" 0 "apply exits 0"

start=$(date +%s.%N)
drp run1 run --once
is "$rc" 0 "crawl of the members forum exits 0"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$LOGS/run1.err" | tail -20

# robots.txt: read once, our group obeyed.
is "$(members_log | grep -c '"GET /robots.txt ')" 1 "robots.txt fetched once per host and run"
is "$(members_log | grep -c '"GET /secret/a ')" 0 "a page robots.txt disallows is not requested"
is "$(members_log | grep -c '"GET /secret/ok ')" 1 "a page robots.txt allows (Allow, longest match) is"
is "$(members_log | grep -c '"GET /thread/')" 4 "the group naming drpwatch applies, not '*'"
is "$(q "SELECT last_error FROM jobs WHERE url LIKE '%/secret/a'")" "disallowed by robots.txt" \
    "the disallowed job says why"
got=$(q "SELECT due_at > now() + interval '50 minutes' FROM jobs WHERE url LIKE '%/secret/a'")
is "$got" t "and is due again after the source's interval, not at once"
is "$(q "SELECT count(*) FROM source_errors")" 0 "a disallowed page is no source error"
grep -q "skipped=1 " "$LOGS/run1.out"
ok $? "the run reports one skipped page"

# One request per half second: the server's own clock.
members_log | grep ' host=127\.0\.0\.1:' | sed -n 's/.* t=\([0-9.]*\)$/\1/p' >"$T/times"
n=$(wc -l <"$T/times")
"$PYTHON3" - "$T/times" <<'PY' >"$LOGS/delay.out"
import sys
t = [float(x) for x in open(sys.argv[1])]
gaps = [b - a for a, b in zip(t, t[1:])]
print("requests %d, span %.3f s, smallest gap %.3f s" % (len(t), t[-1] - t[0], min(gaps)))
assert len(t) >= 8 and t[-1] - t[0] >= 0.5 * (len(t) - 1) * 0.95 and min(gaps) >= 0.45, gaps
PY
ok $? "$n requests to the host at least 0.5 s apart ($(cat "$LOGS/delay.out"))"

# The cookie: on every request to the forum, nowhere else.
is "$(members_log | grep ' host=127\.0\.0\.1:' | grep -v '"GET /robots.txt ' | grep -vc " cookie=$COOKIE ")" 0 \
    "every page request to the forum's host and port carried the cookie, and only its own"
got=$(grep -c 'cookie=' "$WORLD/world.log" | tr -d ' ')
want=$(members_log | grep -c "cookie=$COOKIE ")
is "$got" "$want" "no cookie reached another server"
is "$(grep '^misc ' "$WORLD/world.log" | grep -c '"GET /ok ')" 1 \
    "the redirect to another port was followed"
is "$(grep '^misc ' "$WORLD/world.log" | grep -c 'cookie=')" 0 \
    "without the cookie (another port)"
got=$(members_log | grep "host=localhost:" | grep -c '"GET /public ')
is "$got" 1 "the redirect to another host name was followed"
is "$(members_log | grep "host=localhost:" | grep -c 'cookie=')" 0 \
    "without the cookie (another host name)"
pg_dump -d "$CONNINFO" >"$T/dump.sql" 2>"$LOGS/pg_dump.err"
leaks=$(grep -l -F "${COOKIE#*=}" "$T/dump.sql" "$LOGS"/* "$DRPWATCH_HOME/pg/server.log" 2>/dev/null)
is "$leaks" "" "the cookie is in no log, output or database"
is "$(q "SELECT count(*) FROM documents WHERE text ILIKE '%must be logged in%'")" 0 \
    "the members' pages were stored, not login notices"

# robots: false: the same source ignores robots.txt.
sed 's/^    delay: 0.5$/    delay: 0\n    robots: false/' "$WORLD/members.yaml" >"$T/norobots.yaml"
drp apply2 apply "$T/norobots.yaml"
before=$(members_log | grep -c '"GET /robots.txt ')
drp run2 run --once
is "$rc" 0 "crawl with robots: false exits 0"
is "$(members_log | grep -c '"GET /secret/a ')" 1 "robots: false fetches what robots.txt disallows"
is "$(members_log | grep -c '"GET /robots.txt ')" "$before" "and does not read robots.txt"

# The session expires: the stored pages stay, the source is warned.
docs=$(q "SELECT count(*) FROM documents")
printf 'sid=expired-0000\n' >"$WORLD/members.cookie"
drp run3 run --once
is "$rc" 3 "a crawl whose session expired exits 3 (partial)"
is "$(q "SELECT count(*) FROM documents")" "$docs" "no login notice stored as a new version"
is "$(q "SELECT count(*) FROM documents WHERE text ILIKE '%must be logged in%'")" 0 \
    "the good versions stay the latest"
is "$(q "SELECT last_error FROM sources WHERE name = 'members'")" \
    "session expired: renew the cookie in $WORLD/members.cookie" \
    "the source carries the health warning"
got=$(q "SELECT count(*) FROM source_errors WHERE error LIKE 'session expired:%'")
[ "$got" -ge 1 ]
ok $? "source_errors keeps it ($got)"
grep -q "session expired: renew the cookie in $WORLD/members.cookie: source='members'" "$LOGS/run3.err"
ok $? "the log says it"
got=$(q "SELECT count(*) FROM jobs WHERE last_error LIKE 'session expired%' AND due_at > now()")
[ "$got" -ge 1 ]
ok $? "the expired pages are rescheduled, not retried at once"

# A cookie file that is empty stops the source with a clear reason.
: >"$WORLD/members.cookie"
drp run4 run --once
is "$rc" 3 "a crawl with an empty cookie file exits 3"
grep -q "cannot use the session cookie: source='members' $WORLD/members.cookie: empty" "$LOGS/run4.err"
ok $? "and says the file is empty"

# drpwatch status: the table and --json, the Tor proxy checked.
drp status1 status
is "$rc" 3 "status exits 3 when a source is unhealthy"
head -1 "$LOGS/status1.out" | grep -q '^SOURCE  *KIND  *ENABLED  *LAST SUCCESS  *LAST ERROR AT  *PAGES  *FINDINGS  *DUE  *LEASED  *NEXT DUE  *LAST ERROR'
ok $? "status prints a table header"
grep -q '^members  *forum  *yes  .*session cookie unusable' "$LOGS/status1.out"
ok $? "status shows the source and its last error"
grep -q "^tor proxy $SOCKS_URL: ok$" "$LOGS/status1.out"
ok $? "status says the Tor proxy answers"
drp status2 status --json
is "$rc" 3 "status --json exits 3 too"
"$PYTHON3" - "$LOGS/status2.out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["sources"][0]
assert d["healthy"] is False and d["tor"]["status"] == "ok", d
assert s["name"] == "members" and s["kind"] == "forum" and s["enabled"] is True
assert s["pages"] >= 8 and s["findings"] >= 1, s
assert s["last_success"].endswith("Z") and s["last_error_at"].endswith("Z")
assert s["last_error"].startswith("session cookie unusable"), s
assert s["healthy"] is False and s["due"] == 0 and s["leased"] == 0, s
assert s["next_due"].endswith("Z")
PY
ok $? "status --json: sources with their health, and the proxy"
"$PYTHON3" "$WORLD_PY" stop-proxy --state "$WORLD"
drp status3 status
grep -q "^tor proxy $SOCKS_URL: down: cannot connect" "$LOGS/status3.out"
ok $? "status says when the Tor proxy does not answer"
# Healthy again: a good cookie, a pass without errors.
printf '%s\n' "$COOKIE" >"$WORLD/members.cookie"
drp run5 run --once
is "$rc" 0 "with a fresh cookie the crawl exits 0"
drp status4 status --json
is "$rc" 0 "status exits 0 when every source is healthy (no Tor source needs the proxy)"

done_testing
