/*
 * alerts/rdap.c: IANA bootstrap files and the server they name for a
 * domain or an address; RFC 9083 domain and IP network answers in the
 * shapes registries and RIRs give them; malformed and hostile answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/rdap.h"
#include "common/buf.h"
#include "common/err.h"
#include "tests/tap.h"

static const char dns_json[] =
    "{\"version\": \"1.0\", \"publication\": \"2024-01-01T00:00:00Z\","
    " \"services\": ["
    "  [[\"com\", \"NET\"], [\"http://rdap.verisign.example/com/v1/\","
    "                      \"https://rdap.verisign.example/com/v1/\"]],"
    "  [[\"uk\"], [\"https://rdap.nominet.example/uk\"]],"
    "  [[\"co.uk\"], [\"https://rdap.nominet.example/co.uk/\"]],"
    "  [[\"xn--p1ai\"], [\"https://rdap.tcinet.example/\"]],"
    "  [[\"org\"], [\"ftp://nope.example/\"]],"
    "  [[\"bad..name\", 42], [\"https://x.example/\"]]"
    "]}";

static const char ipv4_json[] =
    "{\"version\": \"1.0\", \"services\": ["
    "  [[\"41.0.0.0/8\", \"102.0.0.0/8\"], "
    "[\"https://rdap.afrinic.example/rdap/\"]],"
    "  [[\"41.128.0.0/9\"], [\"https://rdap.narrow.example/\"]],"
    "  [[\"300.0.0.0/8\", \"1.2.3.0/33\"], [\"https://bad.example/\"]]"
    "]}";

static const char ipv6_json[] =
    "{\"version\": \"1.0\", \"services\": ["
    "  [[\"2001:200::/23\"], [\"https://rdap.apnic.example/\"]],"
    "  [[\"2c00::/12\"], [\"https://rdap.afrinic.example/rdap/\"]]"
    "]}";

static const char asn_json[] =
    "{\"version\": \"1.0\", \"services\": ["
    "  [[\"1-1876\", \"1902-2042\"], [\"https://rdap.arin.example/\"]]]}";

static const char tags_json[] =
    "{\"version\": \"1.0\", \"services\": ["
    "  [[\"iana@example.org\"], [\"ARIN\"], "
    "[\"https://rdap.arin.example/\"]]]}";

/* A .com answer as Verisign gives it: the registrar, and its abuse
   contact inside it (ICANN's RDAP profile). */
static const char com_answer[] =
    "{\"objectClassName\": \"domain\", \"handle\": \"2336799_DOMAIN_COM-VRSN\","
    " \"ldhName\": \"NORTHWIND-LOGIN.COM\","
    " \"status\": [\"client transfer prohibited\", \"server hold\"],"
    " \"entities\": [{\"objectClassName\": \"entity\", \"handle\": \"1068\","
    "   \"roles\": [\"registrar\"],"
    "   \"publicIds\": [{\"type\": \"IANA Registrar ID\", \"identifier\": "
    "\"1068\"}],"
    "   \"vcardArray\": [\"vcard\", [[\"version\", {}, \"text\", \"4.0\"],"
    "     [\"fn\", {}, \"text\", \"NameCheap, Inc.\"]]],"
    "   \"entities\": [{\"objectClassName\": \"entity\", \"roles\": "
    "[\"abuse\"],"
    "     \"vcardArray\": [\"vcard\", [[\"version\", {}, \"text\", \"4.0\"],"
    "       [\"fn\", {}, \"text\", \"\"],"
    "       [\"tel\", {\"type\": \"voice\"}, \"uri\", \"tel:+1.6613102107\"],"
    "       [\"email\", {}, \"text\", \"abuse@namecheap.example\"]]]}]}],"
    " \"events\": [{\"eventAction\": \"registration\", \"eventDate\": "
    "\"2026-03-02T10:11:12Z\"},"
    "   {\"eventAction\": \"expiration\", \"eventDate\": "
    "\"2027-03-02T10:11:12Z\"},"
    "   {\"eventAction\": \"last update of RDAP database\", \"eventDate\": "
    "\"2026-05-01T00:00:00Z\"}],"
    " \"nameservers\": [{\"objectClassName\": \"nameserver\", \"ldhName\": "
    "\"DNS1.REGISTRAR-SERVERS.COM\"},"
    "   {\"objectClassName\": \"nameserver\", \"ldhName\": "
    "\"DNS2.REGISTRAR-SERVERS.COM\"}],"
    " \"rdapConformance\": [\"rdap_level_0\", "
    "\"icann_rdap_response_profile_0\"]}";

/* A RIPE-shaped network: the abuse entity inside the organisation. */
static const char ripe_answer[] =
    "{\"objectClassName\": \"ip network\", \"handle\": \"193.0.0.0 - "
    "193.0.7.255\","
    " \"startAddress\": \"193.0.0.0/32\", \"endAddress\": \"193.0.7.255/32\","
    " \"ipVersion\": \"v4\", \"name\": \"RIPE-NCC\", \"type\": \"ASSIGNED PA\","
    " \"country\": \"NL\", \"parentHandle\": \"193.0.0.0 - 193.0.23.255\","
    " \"cidr0_cidrs\": [{\"v4prefix\": \"193.0.0.0\", \"length\": 21}],"
    " \"entities\": [{\"handle\": \"ORG-RIEN1-RIPE\", \"roles\": "
    "[\"registrant\"],"
    "   \"vcardArray\": [\"vcard\", [[\"version\", {}, \"text\", \"4.0\"],"
    "     [\"fn\", {}, \"text\", \"Reseaux IP Europeens Network Coordination "
    "Centre\"],"
    "     [\"email\", {}, \"text\", \"org@ripe.example\"]]],"
    "   \"entities\": [{\"handle\": \"AR-RIPE\", \"roles\": [\"abuse\"],"
    "     \"vcardArray\": [\"vcard\", [[\"version\", {}, \"text\", \"4.0\"],"
    "       [\"fn\", {}, \"text\", \"Abuse-C Role\"],"
    "       [\"email\", {\"type\": \"abuse\"}, \"text\", "
    "\"abuse@ripe.example\"]]]}]},"
    "  {\"handle\": \"TECH\", \"roles\": [\"technical\"]}]}";

/* An ARIN-shaped network: the abuse entity at the top. */
static const char arin_answer[] =
    "{\"objectClassName\": \"ip network\", \"handle\": \"NET-8-8-8-0-2\","
    " \"startAddress\": \"8.8.8.0\", \"endAddress\": \"8.8.8.255\","
    " \"name\": \"GOGL\", \"ipVersion\": \"v4\","
    " \"entities\": [{\"handle\": \"GOGL\", \"roles\": [\"registrant\"],"
    "   \"vcardArray\": [\"vcard\", [[\"version\", {}, \"text\", \"4.0\"],"
    "     [\"fn\", {}, \"text\", \"Google LLC\"], [\"kind\", {}, \"text\", "
    "\"org\"]]]},"
    "  {\"handle\": \"ABUSE5250-ARIN\", \"roles\": [\"abuse\"],"
    "   \"vcardArray\": [\"vcard\", [[\"version\", {}, \"text\", \"4.0\"],"
    "     [\"fn\", {}, \"text\", \"Abuse\"],"
    "     [\"org\", {}, \"text\", \"Abuse\"],"
    "     [\"email\", {}, \"text\", \"mailto:network-abuse@google.example\"],"
    "     [\"tel\", {\"type\": [\"work\", \"voice\"]}, \"text\", "
    "\"+1-650-253-0000\"]]]}]}";

static const char *
jget(json_t *o, const char *path)
{
    char key[64];
    const char *dot;

    while ((dot = strchr(path, '.')) != NULL) {
        snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
        o = json_object_get(o, key);
        path = dot + 1;
    }
    return json_string_value(json_object_get(o, path));
}

static char *
url_for(const struct rdap_bootstrap *b, const char *over, bool ip,
        const char *name, struct buf *err)
{
    return rdap_lookup_url(b, over, ip, name, err);
}

static void
test_bootstrap(void)
{
    struct rdap_bootstrap *b = rdap_bootstrap_new();
    struct buf err = BUF_INIT(4096);
    char *u;

    u = url_for(b, NULL, false, "example.com", &err);
    ok(u == NULL && strstr(buf_str(&err), "no RDAP server configured: set "
                                          "rdap.bootstrap"),
       "no bootstrap, no override: says what to set (%s)", buf_str(&err));
    is(rdap_bootstrap_add(b, "dns.json", dns_json, strlen(dns_json), &err), 0,
       "dns.json loads");
    is(rdap_bootstrap_add(b, "ipv4.json", ipv4_json, strlen(ipv4_json), &err),
       0, "ipv4.json loads");
    is(rdap_bootstrap_add(b, "ipv6.json", ipv6_json, strlen(ipv6_json), &err),
       0, "ipv6.json loads");
    is(rdap_bootstrap_add(b, "asn.json", asn_json, strlen(asn_json), &err), 0,
       "asn.json loads (its ranges are not needed, and skipped)");
    is(rdap_bootstrap_add(b, "object-tags.json", tags_json, strlen(tags_json),
                          &err),
       0, "object-tags.json loads (skipped)");
    is(rdap_bootstrap_count(b), 10,
       "entries: 5 usable domains, 3 IPv4 and 2 IPv6 prefixes");

    u = url_for(b, NULL, false, "shop.northwind-login.com", &err);
    is_str(u, "https://rdap.verisign.example/com/v1/domain/"
              "shop.northwind-login.com",
           "a .com name: the https URL of its TLD's service");
    free(u);
    u = url_for(b, NULL, false, "example.net", &err);
    is_str(u, "https://rdap.verisign.example/com/v1/domain/example.net",
           "entries match in any case");
    free(u);
    u = url_for(b, NULL, false, "example.co.uk", &err);
    is_str(u, "https://rdap.nominet.example/co.uk/domain/example.co.uk",
           "the longest matching run of labels wins (co.uk over uk)");
    free(u);
    u = url_for(b, NULL, false, "example.uk", &err);
    is_str(u, "https://rdap.nominet.example/uk/domain/example.uk",
           "a base URL without its final slash gets one");
    free(u);
    u = url_for(b, NULL, false, "xn--80ak6aa92e.xn--p1ai", &err);
    is_str(u, "https://rdap.tcinet.example/domain/xn--80ak6aa92e.xn--p1ai",
           "an IDN TLD in A-labels");
    free(u);
    u = url_for(b, NULL, false, "example.org", &err);
    ok(u == NULL && !strcmp(buf_str(&err),
                            "no RDAP server for .org in the bootstrap (add "
                            "IANA's dns.json or set rdap.domain)"),
       "a service with no http(s) URL is as if not listed (%s)",
       buf_str(&err));
    u = url_for(b, NULL, false, "evil.xyz", &err);
    ok(u == NULL &&
           strstr(buf_str(&err), "no RDAP server for .xyz in the bootstrap"),
       "an unknown TLD: a clear error");
    u = url_for(b, "https://rdap.example.net", false, "evil.xyz", &err);
    is_str(u, "https://rdap.example.net/domain/evil.xyz",
           "rdap.domain serves every domain");
    free(u);
    u = url_for(b, NULL, false, "evil.xyz/../../admin", &err);
    ok(u == NULL && strstr(buf_str(&err), "not a domain name"),
       "a name that is not one is refused, not put in a URL");
    u = url_for(b, NULL, false, "a..b.com", &err);
    ok(u == NULL, "empty labels are refused");

    u = url_for(b, NULL, true, "41.200.1.2", &err);
    is_str(u, "https://rdap.narrow.example/ip/41.200.1.2",
           "the longest matching IPv4 prefix wins");
    free(u);
    u = url_for(b, NULL, true, "41.1.2.3", &err);
    is_str(u, "https://rdap.afrinic.example/rdap/ip/41.1.2.3",
           "an address of the wider prefix");
    free(u);
    u = url_for(b, NULL, true, "2001:0200:0000::1", &err);
    is_str(u, "https://rdap.apnic.example/ip/2001:200::1",
           "IPv6, written in its short form");
    free(u);
    u = url_for(b, NULL, true, "192.0.2.1", &err);
    ok(u == NULL && !strcmp(buf_str(&err),
                            "no RDAP server for 192.0.2.1 in the bootstrap "
                            "(no ipv4.json entry covers it; add it or set "
                            "rdap.ip)"),
       "an address no prefix covers: %s", buf_str(&err));
    u = url_for(b, NULL, true, "example.com", &err);
    ok(u == NULL && strstr(buf_str(&err), "is not an IP address"),
       "an IP lookup of a name is refused");
    u = url_for(b, "http://127.0.0.1:8080/rdap/", true, "::1", &err);
    is_str(u, "http://127.0.0.1:8080/rdap/ip/::1", "rdap.ip serves every "
                                                   "address");
    free(u);
    rdap_bootstrap_free(b);
    buf_release(&err);
}

static void
test_bootstrap_errors(void)
{
    static const struct {
        const char *text;
        const char *want;
    } cases[] = {
        { "{\"services\": [", "bad.json:1:" },
        { "[1, 2]", "not an RDAP bootstrap file (IANA's dns.json, ipv4.json "
                    "or ipv6.json): no 'services' list" },
        { "{\"services\": {}}", "no 'services' list" },
        { "{\"services\": [[\"com\", \"https://x/\"]]}",
          "a service is not [[entries], [URLs]]" },
        { "{\"services\": [[[\"com\"], [\"gopher://x/\"]]]}",
          "no domain or address entry with an http(s) URL" },
        { "{\"services\": []}",
          "no domain or address entry with an http(s) URL" },
    };
    struct rdap_bootstrap *b = rdap_bootstrap_new();
    struct buf err = BUF_INIT(4096);
    size_t i;
    char *big;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = rdap_bootstrap_add(b, "bad.json", cases[i].text,
                                    strlen(cases[i].text), &err);

        ok(rc == DRP_EINVAL && strstr(buf_str(&err), cases[i].want),
           "malformed bootstrap %zu: %s", i, buf_str(&err));
    }
    big = calloc(1, RDAP_MAX_BOOTSTRAP + 2);
    memset(big, ' ', RDAP_MAX_BOOTSTRAP + 1);
    is(rdap_bootstrap_add(b, "big.json", big, RDAP_MAX_BOOTSTRAP + 1, &err),
       DRP_ETOOBIG, "a bootstrap file past its cap: %s", buf_str(&err));
    free(big);
    is(rdap_bootstrap_count(b), 0, "nothing added");
    rdap_bootstrap_free(b);
    buf_release(&err);
}

static void
test_domain(void)
{
    struct buf err = BUF_INIT(4096);
    json_t *d = rdap_parse_domain(com_answer, strlen(com_answer), &err);
    json_t *ns = json_object_get(d, "nameservers");

    ok(d != NULL, "a registry's domain answer parses (%s)", buf_str(&err));
    is_str(jget(d, "name"), "NORTHWIND-LOGIN.COM", "its name");
    is_str(jget(d, "registrar.name"), "NameCheap, Inc.", "the registrar");
    is_str(jget(d, "registrar.iana_id"), "1068", "its IANA id");
    is_str(jget(d, "registrar.handle"), "1068", "its handle");
    is_str(jget(d, "abuse.email"), "abuse@namecheap.example",
           "the registrar's abuse e-mail, from the entity inside it");
    is_str(jget(d, "abuse.phone"), "+1.6613102107",
           "its phone, without the tel: scheme");
    ok(jget(d, "abuse.name") == NULL, "an empty name is left out");
    is_str(jget(d, "registered"), "2026-03-02T10:11:12Z", "registered");
    is_str(jget(d, "expires"), "2027-03-02T10:11:12Z", "expires");
    is(json_array_size(json_object_get(d, "status")), 2, "its statuses");
    is(json_array_size(ns), 2, "its name servers");
    is_str(json_string_value(json_array_get(ns, 0)),
           "DNS1.REGISTRAR-SERVERS.COM", "by name");
    ok(json_object_get(d, "warnings") == NULL, "no warnings");
    json_decref(d);
    buf_release(&err);
}

/* A domain answer with the given registrar and top-level entities. */
static json_t *
domain_with(const char *entities, struct buf *err)
{
    char *text = NULL;
    size_t n;
    json_t *d;
    FILE *f = open_memstream(&text, &n);

    fprintf(f, "{\"objectClassName\": \"domain\", \"ldhName\": "
               "\"x.example\", \"entities\": [%s]}",
            entities);
    fclose(f);
    d = rdap_parse_domain(text, n, err);
    free(text);
    return d;
}

static bool
warned(json_t *d, const char *what)
{
    json_t *w;
    size_t i;

    json_array_foreach(json_object_get(d, "warnings"), i, w)
        if (strstr(json_string_value(w), what))
            return true;
    return false;
}

static void
test_hostile_values(void)
{
    struct buf err = BUF_INIT(4096);
    char *longname = malloc(RDAP_MAX_FIELD + 200);
    char *ents;
    json_t *d;

    d = domain_with("{\"roles\": [\"REGISTRAR\"], \"vcardArray\": [\"vcard\", "
                    "[[\"fn\", {}, \"text\", \"Evil\\r\\nBcc: all@x\"]]]},"
                    "{\"roles\": [\"abuse\"], \"vcardArray\": [\"vcard\", "
                    "[[\"email\", {}, \"text\", \"a@x.example, b@y.example\"],"
                    " [\"tel\", {}, \"text\", \"+1\\u001b[2J\"]]]}",
                    &err);
    ok(d != NULL, "an answer with hostile values parses");
    ok(json_object_get(d, "registrar") != NULL &&
           jget(d, "registrar.name") == NULL &&
           warned(d, "registrar name left out: control characters"),
       "a name with a line break is left out, with a warning");
    ok(jget(d, "abuse.email") == NULL &&
           warned(d, "abuse e-mail left out: not one plain address"),
       "an e-mail field listing two addresses is left out");
    ok(jget(d, "abuse.phone") == NULL, "an escape sequence: left out");
    json_decref(d);
    d = domain_with("{\"roles\": [\"abuse\"], \"vcardArray\": [\"vcard\", "
                    "[[\"tel\", {}, \"text\", \"+1\\u0000\"]]]}",
                    &err);
    ok(d == NULL && strstr(buf_str(&err), "not JSON"),
       "a NUL in a string: the answer is refused whole");

    memset(longname, 'n', RDAP_MAX_FIELD + 100);
    longname[RDAP_MAX_FIELD + 100] = '\0';
    ents = NULL;
    {
        size_t n;
        FILE *f = open_memstream(&ents, &n);

        fprintf(f, "{\"roles\": [\"registrar\"], \"vcardArray\": [\"vcard\", "
                   "[[\"fn\", {}, \"text\", \"%s\"], [\"email\", {}, "
                   "\"text\", \"MAILTO:Abuse@Reg.example\"]]]}",
                longname);
        fclose(f);
    }
    d = domain_with(ents, &err);
    ok(jget(d, "registrar.name") == NULL &&
           warned(d, "registrar name left out: longer than 512 bytes"),
       "an over-long value is left out, not cut");
    ok(jget(d, "abuse.email") == NULL && warned(d, "no entity with the abuse"),
       "no abuse entity: said so");
    is_str(jget(d, "registrar.email"), "Abuse@Reg.example",
           "a mailto: e-mail loses its scheme");
    json_decref(d);
    free(ents);
    free(longname);

    d = domain_with("{\"roles\": [\"abuse\"], \"vcardArray\": [\"vcard\", "
                    "[[\"email\", {}, \"text\", \"abuse@registry.example\"]]]}",
                    &err);
    ok(warned(d, "no entity with the registrar role") &&
           !strcmp(jget(d, "abuse.email"), "abuse@registry.example"),
       "no registrar: the domain's own abuse contact is used");
    json_decref(d);

    d = domain_with("{\"roles\": \"registrar\", \"vcardArray\": 7}, 5, null,"
                    "{\"roles\": [\"registrar\"], \"vcardArray\": [\"vcard\","
                    " [[\"fn\"], [\"fn\", {}, \"text\", 3], [\"fn\", {}, "
                    "\"text\", [\"A\", \"B\"]]]]}",
                    &err);
    ok(d != NULL && !strcmp(jget(d, "registrar.name"), "A"),
       "wrong types are skipped; a structured value gives its first part");
    json_decref(d);
    buf_release(&err);
}

static void
test_depth(void)
{
    struct buf err = BUF_INIT(4096);
    struct buf text = BUF_INIT(1u << 22);
    json_t *d;
    int i;

    /* Abuse nested deeper than RDAP_MAX_DEPTH is not looked for. */
    for (i = 0; i <= RDAP_MAX_DEPTH + 1; i++)
        buf_adds(&text, "{\"roles\": [\"technical\"], \"entities\": [");
    buf_adds(&text, "{\"roles\": [\"abuse\"], \"vcardArray\": [\"vcard\", "
                    "[[\"email\", {}, \"text\", \"deep@x.example\"]]]}");
    for (i = 0; i <= RDAP_MAX_DEPTH + 1; i++)
        buf_adds(&text, "]}");
    d = domain_with(buf_str(&text), &err);
    ok(d != NULL && jget(d, "abuse.email") == NULL,
       "an entity nested too deep is not read");
    json_decref(d);
    /* Many entities: those past the cap are not read. */
    buf_reset(&text);
    for (i = 0; i < RDAP_MAX_ENTITIES + 10; i++)
        buf_addf(&text, "%s{\"roles\": [\"technical\"]}", i ? "," : "");
    buf_adds(&text, ",{\"roles\": [\"abuse\"], \"vcardArray\": [\"vcard\", "
                    "[[\"email\", {}, \"text\", \"late@x.example\"]]]}");
    d = domain_with(buf_str(&text), &err);
    ok(d != NULL && jget(d, "abuse.email") == NULL,
       "entities past RDAP_MAX_ENTITIES are not read");
    json_decref(d);
    buf_release(&text);
    buf_release(&err);
}

static void
test_ip(void)
{
    struct buf err = BUF_INIT(4096);
    json_t *n = rdap_parse_ip(ripe_answer, strlen(ripe_answer), &err);

    ok(n != NULL, "a RIPE network answer parses (%s)", buf_str(&err));
    is_str(jget(n, "name"), "RIPE-NCC", "its name");
    is_str(jget(n, "handle"), "193.0.0.0 - 193.0.7.255", "its handle");
    is_str(jget(n, "cidr"), "193.0.0.0/21", "its prefix (cidr0)");
    is_str(jget(n, "country"), "NL", "its country");
    is_str(jget(n, "registrant.name"),
           "Reseaux IP Europeens Network Coordination Centre",
           "the organisation holding it");
    ok(jget(n, "registrant.email") == NULL,
       "the registrant's own e-mail is not an abuse contact");
    is_str(jget(n, "abuse.email"), "abuse@ripe.example",
           "the abuse contact inside the organisation");
    json_decref(n);
    n = rdap_parse_ip(arin_answer, strlen(arin_answer), &err);
    is_str(jget(n, "abuse.email"), "network-abuse@google.example",
           "ARIN: the abuse contact at the top");
    is_str(jget(n, "abuse.phone"), "+1-650-253-0000", "with its phone");
    is_str(jget(n, "start"), "8.8.8.0", "start");
    is_str(jget(n, "end"), "8.8.8.255", "end");
    json_decref(n);
    n = rdap_parse_ip(com_answer, strlen(com_answer), &err);
    ok(n == NULL && !strcmp(buf_str(&err), "RDAP answer is a 'domain' "
                                           "object, not 'ip network'"),
       "a domain answer to an IP lookup: %s", buf_str(&err));
    buf_release(&err);
}

static void
test_errors(void)
{
    static const struct {
        const char *text;
        const char *want;
    } cases[] = {
        { "", "malformed RDAP answer: not JSON (line 1:" },
        { "{\"objectClassName\": \"domain\", \"entities\": [",
          "malformed RDAP answer: not JSON" },
        { "<html>Whois</html>", "malformed RDAP answer: not JSON" },
        { "[{\"objectClassName\": \"domain\"}]",
          "malformed RDAP answer: not a JSON object" },
        { "{\"ldhName\": \"x.example\"}",
          "malformed RDAP answer: no objectClassName (expected 'domain')" },
        { "{\"errorCode\": 404, \"title\": \"Not Found\", \"description\": "
          "[\"No such domain.\"]}",
          "RDAP error 404: Not Found (No such domain.)" },
        { "{\"errorCode\": 429, \"title\": \"Too\\nMany\"}",
          "RDAP error 429" },
        { "{\"objectClassName\": \"entity\"}",
          "RDAP answer is a 'entity' object, not 'domain'" },
    };
    struct buf err = BUF_INIT(4096);
    size_t i;
    char *msg;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *d = rdap_parse_domain(cases[i].text, strlen(cases[i].text),
                                      &err);

        ok(d == NULL && strstr(buf_str(&err), cases[i].want) == buf_str(&err),
           "error %zu: %s", i, buf_str(&err));
        json_decref(d);
    }
    ok(strstr(buf_str(&err), "\n") == NULL, "no line break reaches a message");
    msg = rdap_error_message("{\"errorCode\": 404}", 18);
    is_str(msg, "RDAP error 404", "rdap_error_message of a bare error");
    free(msg);
    msg = rdap_error_message("{\"objectClassName\": \"domain\"}", 29);
    ok(msg == NULL, "an answer is no error");
    buf_release(&err);
}

static void
test_registrable(void)
{
    static const char *const cases[][2] = {
        { "shop.northwind-login.com", "northwind-login.com" },
        { "WWW.Example.CO.UK", "example.co.uk" },
        { "pastedrop.northwind-login.localhost", "northwind-login.localhost" },
        { "northwind-login.com", "northwind-login.com" },
        { "127.0.0.1", NULL },
        { "::1", NULL },
        { "localhost", NULL },
        { "co.uk", NULL },
        { "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion",
          NULL },
        { "bad host.com", NULL },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *r = rdap_registrable(cases[i][0]);

        is_str(r, cases[i][1], "registrable domain of %s", cases[i][0]);
        free(r);
    }
}

int
main(void)
{
    test_bootstrap();
    test_bootstrap_errors();
    test_domain();
    test_hostile_values();
    test_depth();
    test_ip();
    test_errors();
    test_registrable();
    return done_testing();
}
