#!/bin/bash
# Tor policy: the onion forum is reached only through the SOCKS5h proxy,
# which receives the .onion name unresolved; with the proxy down, or with
# no proxy configured, the onion source fails closed with a clear error
# while the clear-web sources still succeed.
. "${top_srcdir:?run through make check}/tests/lib.sh" || exit 99

start_world
drp apply apply "$WORLD/demo.yaml"
is "$rc" 0 "apply exits 0"
drp run1 run --once
is "$rc" 0 "crawl with the proxy up exits 0"

want=$(expected "print(e['onion_pages'])")
got=$(q "SELECT count(*) FROM documents d JOIN sources s ON s.id = d.source_id
         WHERE s.name = 'demo-onion'")
is "$got" "$want" "every onion page fetched through the proxy"
grep -q "atyp=domain host=$ONION_HOST port=80 user=demo-onion result=ok" "$SOCKS_LOG"
ok $? "proxy log: the .onion name arrived unresolved, with the source's isolation user"
got=$(grep -c "atyp=ipv" "$SOCKS_LOG")
is "$got" 0 "proxy log: no request by address (nothing resolved locally)"
got=$(grep -c "result=ok" "$SOCKS_LOG")
[ "$got" -ge 1 ] && [ "$got" -le "$want" ]
ok $? "at most one proxied connection per onion page ($got for $want pages)"
got=$(grep -v "host=$ONION_HOST" "$SOCKS_LOG" | grep -c "atyp=")
is "$got" 0 "the clear-web sources never used the proxy"
got=$(grep '^onion ' "$WORLD/world.log" | grep -vc "host=$ONION_HOST")
is "$got" 0 "the onion server saw only requests for its onion name"
got=$(q "SELECT count(*) FROM alerts a JOIN sources s ON s.id = a.source_id
         WHERE s.name = 'demo-onion' AND a.kind = 'credential-leak'")
is "$got" 2 "credential leaks found on the onion forum"

# A clear-web source marked tor: true goes through the proxy too (which,
# playing Tor here, refuses anything but its onion).
cat "$WORLD/demo.yaml" - >"$T/torclear.yaml" <<YAML
  - {name: tor-clearweb, kind: site, url: "$FORUM_URL", tor: true, max_depth: 0}
YAML
drp apply3 apply "$T/torclear.yaml"
# Pages only: the run also reads robots.txt once per host.
forum_pages() { grep '^forum ' "$WORLD/world.log" | grep -vc '/robots.txt'; }
forum_before=$(forum_pages)
drp run4 run --once
is "$rc" 3 "crawl with a refused tor source exits 3 (partial)"
grep -q "atyp=.* user=tor-clearweb result=refused" "$SOCKS_LOG"
ok $? "the tor: true clear-web source went to the proxy, with its own user"
got=$(q "SELECT last_error FROM sources WHERE name = 'tor-clearweb'")
case "$got" in
*"tor proxy refused or could not reach the host"*) ok 0 "and failed closed with the proxy's refusal" ;;
*) ok 1 "and failed closed with the proxy's refusal"; diag "last_error: $got" ;;
esac
# A pass reads demo-forum's lists again (its threads are unchanged).
lists=$(q "SELECT count(*) FROM jobs j JOIN sources s ON s.id = j.source_id
           WHERE s.name = 'demo-forum' AND j.role = 'list'")
want=$((forum_before + lists))
is "$(forum_pages)" "$want" \
    "the forum server saw demo-forum's lists only, nothing from the tor source"
drp apply4 apply "$WORLD/demo.yaml"

# Unreachable onion services in a row: after tor.newnym_after failures
# drpwatch asks Tor's control port for new circuits (the world's control
# port logs the commands, never the password).
printf 'drpwatch-control-test\n' >"$T/control.pw"
sed "s|^  proxy: .*|&\n  control: $CONTROL_ADDR\n  control_password_file: $T/control.pw\n  newnym_after: 2|" \
    "$WORLD/demo.yaml" >"$T/newnym.yaml"
for i in 1 2 3; do
    printf '  - {name: dead-onion-%s, kind: forum, url: "http://%s.onion/", max_depth: 0}\n' \
        "$i" "$(printf 'deadonion%s' "$i" | sha256sum | cut -c1-56 | tr 0-9 a-j)" >>"$T/newnym.yaml"
done
drp apply5 apply "$T/newnym.yaml"
is "$rc" 0 "apply with a control port exits 0"
drp run5 run --once
is "$rc" 3 "crawl with unreachable onion services exits 3 (partial)"
grep -q "asked Tor for new circuits (NEWNYM) after 2 failures" "$LOGS/run5.err"
ok $? "after two failures in a row drpwatch asked for new circuits"
grep -q "AUTHENTICATE ok" "$CONTROL_LOG" && grep -q "SIGNAL NEWNYM" "$CONTROL_LOG"
ok $? "the control port saw AUTHENTICATE (password accepted) and SIGNAL NEWNYM"
got=$(grep -c "SIGNAL NEWNYM" "$CONTROL_LOG")
is "$got" 1 "at most one NEWNYM a minute"
grep -rqs "drpwatch-control-test" "$LOGS" "$CONTROL_LOG" "$SOCKS_LOG"
ok $(( ! $? )) "the control password is in no log"
drp apply6 apply "$WORLD/demo.yaml"
is "$rc" 0 "back to the demo configuration"

# The proxy goes down: the onion source fails closed.
"$PYTHON3" "$WORLD_PY" stop-proxy --state "$WORLD"
onion_before=$(grep -c '^onion ' "$WORLD/world.log")
q "UPDATE jobs SET content_hash = NULL, etag = NULL, last_modified = NULL" >/dev/null
drp run2 run --once
is "$rc" 3 "crawl with the proxy down exits 3 (partial)"
grep -q "fetch failed: source='demo-onion' url='http://$ONION_HOST/' tor proxy unreachable" "$LOGS/run2.err"
ok $? "the log says the tor proxy is unreachable"
got=$(q "SELECT last_error FROM sources WHERE name = 'demo-onion'")
case "$got" in
*"tor proxy unreachable, nothing sent directly"*) ok 0 "the onion source records the proxy error" ;;
*) ok 1 "the onion source records the proxy error"; diag "last_error: $got" ;;
esac
got=$(q "SELECT count(*) FROM sources WHERE name IN ('demo-forum', 'demo-paste')
         AND last_error IS NULL AND last_success > now() - interval '1 minute'")
is "$got" 2 "the clear-web sources still succeed"
got=$(q "SELECT count(*) FROM jobs j JOIN sources s ON s.id = j.source_id
         WHERE s.name = 'demo-forum' AND j.fetched_at > now() - interval '1 minute'")
want=$(expected "print(e['forum_pages'])")
is "$got" "$want" "every forum page was crawled in the same run"
is "$(grep -c '^onion ' "$WORLD/world.log")" "$onion_before" \
    "no request reached the onion server directly"

# No proxy configured at all: refused before any connection.
sed '/^tor:/,/^crawl:/{/^tor:/d;/proxy:/d}' "$WORLD/demo.yaml" >"$T/noproxy.yaml"
grep -q 'proxy:' "$T/noproxy.yaml"
ok $(( ! $? )) "test config without tor.proxy written"
"$PYTHON3" "$WORLD_PY" start-proxy --state "$WORLD" >/dev/null
socks_before=$(wc -l <"$SOCKS_LOG")
drp apply2 apply "$T/noproxy.yaml"
is "$rc" 0 "apply without a proxy exits 0"
q "UPDATE jobs SET content_hash = NULL, etag = NULL, last_modified = NULL" >/dev/null
drp run3 run --once
is "$rc" 3 "crawl without a proxy exits 3 (partial)"
grep -q "fetch failed: source='demo-onion' url='http://$ONION_HOST/' tor proxy not configured" "$LOGS/run3.err"
ok $? "the log says no tor proxy is configured"
is "$(wc -l <"$SOCKS_LOG")" "$socks_before" "nothing went to the proxy"
is "$(grep -c '^onion ' "$WORLD/world.log")" "$onion_before" \
    "and nothing went to the onion server directly"

done_testing
