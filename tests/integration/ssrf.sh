#!/bin/bash
# SSRF through a redirect: a clear-web source whose first hop is a public
# address is followed by the fetcher, but a redirect from it to loopback
# (by address or by a name that resolves there) or to a private range is
# refused before connecting, and the loopback server never sees the request.
#
# Every fixture of the demo world is on loopback, which a source without
# allow_private may not reach at all, so the first hop needs an address
# that is not private. The test runs in a network namespace of its own
# (unshare -n: only its own loopback interface, nothing leaves the machine)
# and gives that interface 203.0.113.5 (TEST-NET-3, documentation only).
if [ -z "${DRP_SSRF_NETNS:-}" ]; then
    if ! unshare -n true 2>/dev/null; then
        echo "Bail out! this test needs a private network namespace" \
            "(unshare -n, as root): $(unshare -n true 2>&1)"
        exit 1
    fi
    DRP_SSRF_NETNS=1 exec unshare -n "$BASH" "$0" "$@"
fi
. "${top_srcdir:?run through make check}/tests/lib.sh" || exit 99

PUBLIC=203.0.113.5
ip link set lo up && ip addr add "$PUBLIC/32" dev lo
ok $? "a namespace with loopback and $PUBLIC on its own interface"

start_world
# The redirector on the public address (same port number as the world's
# base, another address): each path redirects somewhere else.
PUB_URL="http://$PUBLIC:$BASE_PORT/"
"$PYTHON3" - "$PUBLIC" "$BASE_PORT" "$MISC_URL" >"$LOGS/public.log" 2>&1 <<'PY' &
import http.server, sys
host, port, misc = sys.argv[1], int(sys.argv[2]), sys.argv[3]
local_port = misc.rsplit(":", 1)[1].rstrip("/")
targets = {
    "/to-loopback": misc + "ok?via-redirect",
    "/to-localhost": f"http://localhost:{local_port}/ok?via-name",
    "/to-ten": "http://10.255.255.1/",
    "/twice": f"http://{host}:{port}/to-loopback",
    "/to-public": f"http://{host}:{port}/page",
}
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path in targets:
            self.send_response(302)
            self.send_header("Location", targets[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/page":
            body = b"<html><body><p>public page reached</p></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)
    def log_message(self, fmt, *args):
        sys.stderr.write("public %s\n" % (fmt % args))
http.server.HTTPServer((host, port), H).serve_forever()
PY
pub_pid=$!
trap 'kill $pub_pid 2>/dev/null; cleanup' EXIT
for _ in $(seq 50); do
    "$PYTHON3" -c "import socket,sys; socket.create_connection(('$PUBLIC', $BASE_PORT), 0.2)" \
        2>/dev/null && break
    sleep 0.1
done

cat >"$T/ssrf.yaml" <<YAML
crawl:
  timeout: 10
  max_redirects: 5
sources:
  - {name: to-public, kind: site, url: "${PUB_URL}to-public", max_depth: 0}
  - {name: to-loopback, kind: site, url: "${PUB_URL}to-loopback", max_depth: 0}
  - {name: to-localhost, kind: site, url: "${PUB_URL}to-localhost", max_depth: 0}
  - {name: to-ten, kind: site, url: "${PUB_URL}to-ten", max_depth: 0}
  - {name: twice, kind: site, url: "${PUB_URL}twice", max_depth: 0}
YAML
drp apply apply "$T/ssrf.yaml"
is "$rc" 0 "apply exits 0"
lines_before=$(wc -l <"$WORLD/world.log")
drp run run --once
is "$rc" 3 "the crawl exits 3 (partial): the redirected sources fail"

err() {
    q "SELECT coalesce(string_agg(e.error, ' / '), '') FROM source_errors e
       JOIN sources s ON s.id = e.source_id WHERE s.name = '$1'"
}
check() {  # check SOURCE PATTERN DESCRIPTION
    local got
    got=$(err "$1")
    case "$got" in
    *$2*) ok 0 "$3" ;;
    *) ok 1 "$3"; diag "errors of $1: $got" ;;
    esac
}
is "$(q "SELECT count(*) FROM documents d JOIN sources s ON s.id = d.source_id
         WHERE s.name = 'to-public' AND d.text LIKE '%public page reached%'")" 1 \
    "control: a redirect between public addresses is followed and stored"
is "$(err to-public)" "" "control: and records no error"
check to-loopback "refused to connect: address 127.0.0.1 is loopback" \
    "a redirect from a public host to 127.0.0.1 is refused"
check to-localhost "is loopback, private or link-local" \
    "a redirect to a name that resolves to loopback is refused"
check to-ten "refused to connect: address 10.255.255.1 is loopback, private" \
    "a redirect to a private range is refused before connecting"
check twice "refused to connect: address 127.0.0.1 is loopback" \
    "a second-hop redirect to loopback is refused too"
for s in to-loopback to-localhost to-ten twice; do
    is "$(q "SELECT count(*) FROM documents d JOIN sources s ON s.id = d.source_id
             WHERE s.name = '$s'")" 0 "$s: nothing stored"
done
got=$(tail -n "+$((lines_before + 1))" "$WORLD/world.log" | grep -c 'via-')
is "$got" 0 "the loopback server never received a redirected request"
got=$(grep -c '"GET /to-' "$LOGS/public.log")
# four first hops and the second of twice
is "$got" 5 "each public hop was requested once"

done_testing
