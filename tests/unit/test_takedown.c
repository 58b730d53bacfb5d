/*
 * alerts/takedown.c: what a pack holds and says when pieces are missing,
 * whom the request goes to, what it never carries, and the verdicts of
 * the follow-through's re-checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/takedown.h"
#include "common/buf.h"
#include "tests/tap.h"

static json_t *
alert(const char *kind)
{
    return json_pack("{s:i, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s}",
                     "id", 42, "kind", kind, "severity", "critical", "score",
                     90, "status", "investigating", "title",
                     "Leaked credential for a@northwind.example",
                     "summary",
                     "password_hint=H**********1(16) password_hash=0563",
                     "url", "https://paste.example/p/1", "first_seen",
                     "2026-05-01T10:00:00Z", "last_seen",
                     "2026-05-02T10:00:00Z");
}

static bool
has(const json_t *arr, const char *prefix)
{
    const json_t *v;
    size_t i;

    json_array_foreach(arr, i, v)
        if (strncmp(json_string_value(v), prefix, strlen(prefix)) == 0)
            return true;
    return false;
}

static const char *
s(const json_t *o, const char *a, const char *b)
{
    return json_string_value(json_object_get(json_object_get(o, a), b));
}

static void
test_full_pack(void)
{
    json_t *a = alert("credential-leak");
    json_t *page = json_pack("{s:s, s:s, s:s, s:i}", "url",
                             "https://paste.example/p/1", "fetched_at",
                             "2026-05-01T10:00:00Z", "sha256",
                             "ab12", "http_status", 200);
    json_t *urls = json_pack("[s, s, s, s, s]", "https://paste.example/raw/1",
                             "https://paste.example/p/1",
                             "https://paste.example/raw/1",
                             "https://paste.example.evil/raw/1",
                             "https://other.example/raw/1");
    json_t *reg = json_pack("{s:{s:s, s:s}, s:{s:s}}", "registrar", "name",
                            "Example Registrar", "iana_id", "9999", "abuse",
                            "email", "abuse@reg.example");
    json_t *net = json_pack("{s:s, s:{s:s}}", "name", "HOSTNET", "abuse",
                            "email", "abuse@host.example");
    struct takedown_input in = { 0 };
    struct buf out = BUF_INIT(1u << 20);
    json_t *p, *to;
    const char *text;
    char *dump;

    in.alert = a;
    in.page = page;
    in.saved_copy = "Combo list\na@northwind.example:***\n";
    in.saved_len = strlen(in.saved_copy);
    in.urls = urls;
    in.url = "https://paste.example/p/1";
    in.host = "paste.example";
    in.domain = "paste.example";
    in.fetch.at = "2026-05-03T00:00:00Z";
    in.fetch.url = in.url;
    in.fetch.status = 200;
    in.fetch.ip = "192.0.2.7";
    in.fetch.sha256 = "ab12";
    in.dns_missing = "no DNS resolver in this build";
    in.registrar.query = "paste.example";
    in.registrar.server = "https://rdap.example/domain/paste.example";
    in.registrar.result = reg;
    in.hosting.query = "192.0.2.7";
    in.hosting.result = net;
    in.requester = "Northwind, brand protection";
    in.contact = "brand@northwind.example";
    in.generated_at = "2026-05-03T00:00:01Z";
    p = takedown_pack(&in);
    to = json_object_get(json_object_get(p, "request"), "to");
    text = s(p, "request", "text");
    is(json_integer_value(json_object_get(p, "version")), 1, "version 1");
    is(json_array_size(json_object_get(json_object_get(p, "evidence"),
                                       "urls")),
       2, "the URLs on the target's site, the target first, once each");
    is_str(s(json_object_get(p, "evidence"), "dns", "from"),
           "the address the check connected to", "A from the check");
    ok(json_is_true(json_object_get(
           json_object_get(json_object_get(p, "evidence"), "check"),
           "same_as_stored")),
       "the page served now is the one stored");
    is_str(s(p, "registrar", "server"),
           "https://rdap.example/domain/paste.example",
           "the RDAP server asked is kept");
    is_str(s(p, "hosting", "address"), "192.0.2.7", "the address asked");
    is(json_array_size(to), 2, "the request goes to both abuse desks");
    is_str(json_string_value(json_array_get(to, 0)), "abuse@host.example",
           "content: the host first");
    is(json_array_size(json_object_get(p, "missing")), 1,
       "only the DNS records are missing");
    ok(has(json_object_get(p, "missing"), "dns: no DNS records: no DNS "
                                          "resolver in this build"),
       "and the pack says so");
    is_str(s(json_object_get(p, "evidence"), "dns", "connected"), "192.0.2.7",
           "the address connected is kept");
    ok(strstr(text, "We are Northwind, brand protection "
                    "(brand@northwind.example)") &&
           strstr(text, "publishes login credentials") &&
           strstr(text, "also at: https://paste.example/raw/1") &&
           strstr(text, "registrar: Example Registrar, abuse "
                        "abuse@reg.example") &&
           strstr(text, "page.txt") && strstr(text, "the same page"),
       "the request text says who, what, where and the evidence");
    dump = json_dumps(p, 0);
    ok(strstr(dump, "password_hint") == NULL &&
           strstr(dump, "H**********1") == NULL,
       "no password hint or hash leaves in the pack or the request");
    free(dump);
    is(takedown_summary(p, &out), 0, "the summary for people");
    ok(strstr(buf_str(&out), "  registrar  Example Registrar IANA 9999, "
                             "abuse abuse@reg.example") != NULL,
       "names the registrar");
    json_decref(p);
    buf_release(&out);

    /* With DNS records: those, and the address connected among them. */
    in.dns = json_pack("{s:[s,s], s:[], s:[s], s:[s], s:[s]}", "a",
                       "192.0.2.9", "192.0.2.7", "aaaa", "cname",
                       "paste-cdn.example", "ns", "ns1.host.example", "mx",
                       "10 mail.paste.example");
    in.dns_missing = NULL;
    p = takedown_pack(&in);
    {
        json_t *d = json_object_get(json_object_get(p, "evidence"), "dns");

        ok(json_array_size(json_object_get(d, "a")) == 2 &&
               !strcmp(json_string_value(json_array_get(
                           json_object_get(d, "ns"), 0)),
                       "ns1.host.example") &&
               json_object_get(d, "connected_note") == NULL &&
               json_array_size(json_object_get(p, "missing")) == 0,
           "DNS records from the lookups; nothing missing");
    }
    json_decref(p);
    json_array_remove(json_object_get(in.dns, "a"), 1);
    p = takedown_pack(&in);
    ok(json_object_get(json_object_get(json_object_get(p, "evidence"), "dns"),
                       "connected_note") != NULL,
       "an address connected that DNS does not give is pointed out");
    json_decref(p);
    json_decref((json_t *)in.dns);
    in.dns = NULL;
    json_object_set_new(a, "kind", json_string("brand-mention"));
    p = takedown_pack(&in);
    is(json_array_size(json_object_get(json_object_get(p, "evidence"),
                                       "urls")),
       1, "a brand mention is its page only");
    json_decref(p);
    json_object_set_new(a, "kind", json_string("impersonation"));
    p = takedown_pack(&in);
    to = json_object_get(json_object_get(p, "request"), "to");
    is_str(json_string_value(json_array_get(to, 0)), "abuse@reg.example",
           "a phishing domain: the registrar first");
    ok(strstr(s(p, "request", "text"), "suspend the domain") != NULL,
       "and the domain's suspension is asked");
    json_decref(p);
    json_decref(a);
    json_decref(page);
    json_decref(urls);
    json_decref(reg);
    json_decref(net);
}

static void
test_empty_pack(void)
{
    json_t *a = alert("brand-mention");
    struct takedown_input in = { 0 };
    json_t *p, *miss;

    in.alert = a;
    in.url = "http://x.onion/t/1";
    in.host = "x.onion";
    in.fetch.via_tor = true;
    in.fetch.error = "tor proxy unreachable, nothing sent directly";
    in.registrar.error = "an onion service has no registrar";
    in.hosting.error = "the target is reached through Tor";
    p = takedown_pack(&in);
    miss = json_object_get(p, "missing");
    ok(p != NULL, "a pack with nothing but the case");
    ok(has(miss, "page: no stored copy") && has(miss, "check: ") &&
           has(miss, "hosting address: the target is reached through Tor") &&
           has(miss, "registrar: an onion service") &&
           has(miss, "hosting: the target is reached") &&
           has(miss, "requester: set takedown.requester") &&
           has(miss, "request: no abuse e-mail address known"),
       "says what is missing and why");
    ok(strstr(s(p, "request", "text"), "We are [your organisation]") != NULL,
       "a placeholder for who we are");
    is(json_array_size(json_object_get(json_object_get(p, "request"), "to")),
       0, "nobody to send it to");
    json_decref(p);
    json_decref(a);
}

static void
test_judge(void)
{
    struct takedown_probe p = { 0 };
    struct takedown_verdict v;

    p.status = 410;
    takedown_judge(&p, 0, 3, &v);
    ok(v.state == TAKEDOWN_GONE && v.resolved &&
           !strcmp(v.reason, "the page is gone: HTTP 410 Gone"),
       "410: gone at once");
    p.status = 404;
    takedown_judge(&p, 2, 3, &v);
    ok(v.resolved && !strcmp(v.reason, "the page is gone: HTTP 404 Not Found"),
       "404: gone at once");
    p.status = 200;
    takedown_judge(&p, 2, 3, &v);
    ok(v.state == TAKEDOWN_LIVE && !v.resolved && v.unreachable == 0,
       "an answer starts the unreachable count again");
    p.status = 503;
    takedown_judge(&p, 2, 3, &v);
    ok(v.state == TAKEDOWN_LIVE && v.unreachable == 0,
       "a 5xx is the server answering");
    memset(&p, 0, sizeof(p));
    p.refused = true;
    takedown_judge(&p, 0, 3, &v);
    ok(v.state == TAKEDOWN_UNREACHABLE && v.unreachable == 1 && !v.resolved &&
           !strcmp(v.reason, "the host refuses connections (1 of 3 checks "
                             "in a row)"),
       "a refusal counts one");
    takedown_judge(&p, 2, 3, &v);
    ok(v.resolved && v.unreachable == 3, "the third in a row resolves");
    p.refused = false;
    p.unresolved = true;
    takedown_judge(&p, 0, 1, &v);
    ok(v.resolved && strstr(v.reason, "no longer resolves"),
       "a name that no longer resolves, with one check needed");
    p.unresolved = false;
    p.private_only = true;
    takedown_judge(&p, 0, 3, &v);
    ok(v.state == TAKEDOWN_UNREACHABLE && strstr(v.reason, "private"),
       "a name parked on a private address counts");
    p.private_only = false;
    p.error = "no complete answer within 30 s";
    takedown_judge(&p, 2, 3, &v);
    ok(v.state == TAKEDOWN_UNCLEAR && v.unreachable == 2 && !v.resolved &&
           !strcmp(v.reason, "check unclear: no complete answer within 30 s"),
       "a timeout leaves the count as it was");
    is_str(takedown_state_name(TAKEDOWN_UNCLEAR), "unclear", "state names");
}

int
main(void)
{
    test_full_pack();
    test_empty_pack();
    test_judge();
    return done_testing();
}
