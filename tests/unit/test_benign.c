/*
 * Tests for extract/benign.c: the built-in list at every range edge,
 * domains and their subdomains, own assets (IoC kinds only), the
 * operator's list and its errors, and the labels extract_text() puts on
 * its findings.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/xalloc.h"
#include "extract/benign.h"
#include "extract/extract.h"
#include "tests/tap.h"
#include "common/banned.h"

static struct watch_term terms[] = {
    { "brand", "Northwind", "high", "brand" },
    { "domain", "northwind.com", "high", "soc" },
    { "email_domain", "@nw-mail.com", "high", "security" },
    { "ip_range", "185.220.101.0/24", "low", "soc" },
    { "ip_range", "2a01:4f8:c0c::/48", "low", "soc" },
    { "ip_range", "not a range", "low", "soc" },
};
#define NTERMS (sizeof(terms) / sizeof(terms[0]))

static const char *
label(const char *s)
{
    return s ? s : "(none)";
}

static void
test_builtin_ipv4(const struct benign *b)
{
    is_str(label(benign_ip(b, "192.0.2.0", true)), "documentation",
           "192.0.2.0: first address of TEST-NET-1");
    is_str(label(benign_ip(b, "192.0.2.255", true)), "documentation",
           "192.0.2.255: last address of TEST-NET-1");
    ok(benign_ip(b, "192.0.3.0", true) == NULL, "192.0.3.0 is outside");
    ok(benign_ip(b, "192.0.1.255", true) == NULL, "192.0.1.255 is outside");
    is_str(label(benign_ip(b, "198.51.100.7", true)), "documentation",
           "TEST-NET-2");
    ok(benign_ip(b, "198.51.101.0", true) == NULL, "198.51.101.0 outside");
    is_str(label(benign_ip(b, "203.0.113.255", true)), "documentation",
           "TEST-NET-3");
    ok(benign_ip(b, "203.0.114.0", true) == NULL, "203.0.114.0 outside");
    is_str(label(benign_ip(b, "127.0.0.1", true)), "localhost", "loopback");
    is_str(label(benign_ip(b, "127.255.255.255", true)), "localhost",
           "127/8 to its end");
    ok(benign_ip(b, "128.0.0.0", true) == NULL, "128.0.0.0 outside");
    is_str(label(benign_ip(b, "0.0.0.0", true)), "reserved", "0.0.0.0");
    is_str(label(benign_ip(b, "255.255.255.255", true)), "reserved",
           "limited broadcast");
    ok(benign_ip(b, "255.255.255.254", true) == NULL,
       "only the one broadcast address");
    is_str(label(benign_ip(b, "8.8.8.8", true)), "public-dns", "8.8.8.8");
    ok(benign_ip(b, "8.8.8.9", true) == NULL, "8.8.8.9 is not listed");
    ok(benign_ip(b, "185.220.101.47", true) == NULL,
       "an ordinary address is not benign");
    ok(benign_ip(b, "192.0.2.01", true) == NULL &&
           benign_ip(b, "192.0.2", true) == NULL &&
           benign_ip(b, "192.0.2.1.5", true) == NULL &&
           benign_ip(b, "192.0.2.256", true) == NULL &&
           benign_ip(b, "1192.0.2.1", true) == NULL &&
           benign_ip(b, "192.0.2.1x", true) == NULL &&
           benign_ip(b, "192..2.1", true) == NULL,
       "leading zeros, three or five parts, 256, 4 digits, junk: no label");
    ok(benign_ip(b, "not.an.ip", true) == NULL &&
           benign_ip(b, "", true) == NULL && benign_ip(b, NULL, true) == NULL,
       "not an address: no label");
}

static void
test_builtin_ipv6(const struct benign *b)
{
    is_str(label(benign_ip(b, "2001:db8::", true)), "documentation",
           "2001:db8:: first of the documentation prefix");
    is_str(label(benign_ip(b, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
                           true)),
           "documentation", "last of 2001:db8::/32");
    ok(benign_ip(b, "2001:db9::", true) == NULL, "2001:db9:: outside");
    ok(benign_ip(b, "2001:db7:ffff::1", true) == NULL, "2001:db7:: outside");
    is_str(label(benign_ip(b, "3fff:fff::1", true)), "documentation",
           "3fff::/20 (RFC 9637)");
    ok(benign_ip(b, "3fff:1000::", true) == NULL, "3fff:1000:: outside");
    is_str(label(benign_ip(b, "::1", true)), "localhost", "::1");
    ok(benign_ip(b, "::2", true) == NULL, "::2 is not loopback");
    is_str(label(benign_ip(b, "::", true)), "reserved", "unspecified");
    is_str(label(benign_ip(b, "::ffff:192.0.2.1", true)), "documentation",
           "IPv4-mapped IPv6 follows the IPv4 list");
    is_str(label(benign_ip(b, "2606:4700:4700::1111", true)), "public-dns",
           "Cloudflare's resolver");
}

static void
test_builtin_domains(const struct benign *b)
{
    is_str(label(benign_domain(b, "example.com", true)), "documentation",
           "example.com");
    is_str(label(benign_domain(b, "www.example.com", true)),
           "documentation", "subdomain of example.com");
    is_str(label(benign_domain(b, "a.b.c.example.org.", true)),
           "documentation", "deep subdomain, trailing dot");
    ok(benign_domain(b, "notexample.com", true) == NULL,
       "notexample.com is not example.com");
    ok(benign_domain(b, "example.com.evil.net", true) == NULL,
       "example.com.evil.net is not example.com");
    ok(benign_domain(b, "example.co", true) == NULL, "example.co is not");
    is_str(label(benign_domain(b, "shop.example", true)), "documentation",
           "*.example");
    is_str(label(benign_domain(b, "foo.test", true)), "reserved", "*.test");
    is_str(label(benign_domain(b, "x.invalid", true)), "reserved",
           "*.invalid");
    is_str(label(benign_domain(b, "localhost", true)), "localhost",
           "localhost");
    is_str(label(benign_domain(b, "app.localhost", true)), "localhost",
           "*.localhost");
    ok(benign_domain(b, "localhost.com", true) == NULL,
       "localhost.com is a real name");
    ok(benign_domain(b, "testing.com", true) == NULL &&
           benign_domain(b, "test.com", true) == NULL,
       "test.com and testing.com are real names");
    is_str(label(benign_domain(b, "printer.home.arpa", true)), "reserved",
           "home.arpa");
}

static void
test_builtin_hashes(const struct benign *b)
{
    is_str(label(benign_hash(b, "d41d8cd98f00b204e9800998ecf8427e")),
           "empty-file", "md5 of nothing");
    is_str(label(benign_hash(b, "da39a3ee5e6b4b0d3255bfef95601890afd80709")),
           "empty-file", "sha1 of nothing");
    is_str(label(benign_hash(b, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4"
                                "649b934ca495991b7852b855")),
           "empty-file", "sha256 of nothing");
    is_str(label(benign_hash(b, "cf83e1357eefb8bdf1542850d66d8007d620e4050b"
                                "5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff83"
                                "18d2877eec2f63b931bd47417a81a538327af927da"
                                "3e")),
           "empty-file", "sha512 of nothing");
    ok(benign_hash(b, "d41d8cd98f00b204e9800998ecf8427f") == NULL,
       "one digit off: not benign");
}

static void
test_own(void)
{
    struct benign *b = benign_new();

    benign_add_terms(b, terms, NTERMS);
    is_str(label(benign_domain(b, "northwind.com", true)), BENIGN_OWN,
           "owned domain");
    is_str(label(benign_domain(b, "vpn.northwind.com", true)), BENIGN_OWN,
           "subdomain of an owned domain");
    ok(benign_domain(b, "evilnorthwind.com", true) == NULL,
       "evilnorthwind.com is not ours");
    is_str(label(benign_domain(b, "mx.nw-mail.com", true)), BENIGN_OWN,
           "e-mail domain ('@' dropped)");
    ok(benign_domain(b, "northwind.com", false) == NULL,
       "own assets do not count where not asked (e-mail, credentials)");
    is_str(label(benign_ip(b, "185.220.101.0", true)), BENIGN_OWN,
           "owned range, first address");
    is_str(label(benign_ip(b, "185.220.101.255", true)), BENIGN_OWN,
           "owned range, last address");
    ok(benign_ip(b, "185.220.102.0", true) == NULL, "next range is not ours");
    ok(benign_ip(b, "185.220.101.9", false) == NULL,
       "own ranges only where asked");
    is_str(label(benign_ip(b, "2a01:4f8:c0c:1::5", true)), BENIGN_OWN,
           "owned IPv6 range");
    is_str(label(benign_domain(b, "example.com", false)), "documentation",
           "built-in entries stay");
    benign_free(b);
}

static void
test_operator_list(void)
{
    static const char list[] =
        "# our partners and sinkholes\n"
        "partner   domain  *.Partner-CDN.net   # uppercase, \"*.\"\n"
        "sinkhole  ip      192.0.2.128/25\n"
        "\n"
        "   \t  \n"
        "tooling   hash    0123456789ABCDEF0123456789abcdef\r\n"
        "sinkhole  ip      2001:db8:1::/48";
    struct benign *b = benign_new();
    struct buf err = BUF_INIT(1024);

    is(benign_add_list(b, "ops.txt", list, sizeof(list) - 1, &err), 0,
       "operator's list loads");
    is_str(label(benign_domain(b, "img.partner-cdn.net", true)), "partner",
           "operator's domain, case folded");
    is_str(label(benign_domain(b, "partner-cdn.net", true)), "partner",
           "\"*.x\" covers x too");
    is_str(label(benign_ip(b, "192.0.2.200", true)), "sinkhole",
           "the longest prefix wins: /25 inside /24");
    is_str(label(benign_ip(b, "192.0.2.127", true)), "documentation",
           "the rest of the /24 keeps its label");
    is_str(label(benign_ip(b, "2001:db8:1:2::1", true)), "sinkhole",
           "IPv6 /48 inside /32");
    is_str(label(benign_hash(b, "0123456789abcdef0123456789abcdef")),
           "tooling", "hash lowercased, CR ignored");
    benign_free(b);
    buf_release(&err);
}

/* list is refused with "NAME:line: ...what...". */
static void
check_error(const char *list, int line, const char *what)
{
    struct benign *b = benign_new();
    struct buf err = BUF_INIT(1024);
    char prefix[64];
    int rc = benign_add_list(b, "ops.txt", list, strlen(list), &err);

    snprintf(prefix, sizeof(prefix), "ops.txt:%d: ", line);
    ok(rc == DRP_ECONFIG &&
           strncmp(buf_str(&err), prefix, strlen(prefix)) == 0 &&
           strstr(buf_str(&err), what) != NULL,
       "refused at line %d: %s", line, what);
    if (rc != DRP_ECONFIG || strstr(buf_str(&err), what) == NULL)
        diag("got %d: %s", rc, buf_str(&err));
    ok(benign_domain(b, "ok.example.net", true) &&
           strcmp(benign_domain(b, "ok.example.net", true),
                  "documentation") == 0,
       "nothing of a refused list is kept");
    benign_free(b);
    buf_release(&err);
}

/* Equal entries: own assets first where they count, else the later one;
   the longest listed suffix wins however deep it is. */
static void
test_precedence(void)
{
    static const char list[] =
        "first  domain twice.example.net\n"
        "second domain twice.example.net\n"
        "first  domain mine.example\n"
        "deep   domain q.r.s.t.example.org\n"
        "first  ip     203.0.113.0/24\n"
        "first  hash   00112233445566778899aabbccddeeff\n"
        "second hash   00112233445566778899aabbccddeeff\n";
    static struct watch_term own[] = {
        { "domain", "mine.example", "high", "soc" },
        { "ip_range", "203.0.113.0/24", "high", "soc" },
    };
    struct benign *b = benign_new();
    struct buf err = BUF_INIT(1024);

    is(benign_add_list(b, "ops.txt", list, sizeof(list) - 1, &err), 0,
       "list with repeated entries loads");
    benign_add_terms(b, own, sizeof(own) / sizeof(own[0]));
    is_str(label(benign_domain(b, "www.twice.example.net", true)), "second",
           "the later of two equal entries wins");
    is_str(label(benign_hash(b, "00112233445566778899aabbccddeeff")),
           "second", "for digests too");
    is_str(label(benign_domain(b, "mine.example", true)), BENIGN_OWN,
           "an own asset wins over a later entry where it counts");
    is_str(label(benign_domain(b, "mail.mine.example", false)), "first",
           "and the operator's entry answers where it does not");
    is_str(label(benign_ip(b, "203.0.113.9", true)), BENIGN_OWN,
           "own range first");
    is_str(label(benign_ip(b, "203.0.113.9", false)), "first",
           "then the latest other entry of the same range");
    is_str(label(benign_domain(b, "z.q.r.s.t.example.org", true)), "deep",
           "a name listed six labels deep");
    is_str(label(benign_domain(b, "q.r.s.t.example.org.", true)), "deep",
           "the listed name itself, trailing dot");
    is_str(label(benign_domain(b, "r.s.t.example.org", true)),
           "documentation", "a suffix of it keeps the shorter entry's label");
    is_str(label(benign_domain(b, "x.q.r.s.u.example.org", true)),
           "documentation", "a name that differs past the third label");
    ok(benign_domain(b, "q.r.s.t.example.orgx", true) == NULL &&
           benign_domain(b, "t..example.org", true) != NULL &&
           benign_domain(b, "..", true) == NULL &&
           benign_domain(b, "", true) == NULL,
       "other last label, empty labels, empty name");
    buf_release(&err);
    benign_free(b);
}

/* Ranges of any size: the first answer (by the address's first 16 bits)
   must not miss one. */
static void
test_wide_ranges(void)
{
    static const char list[] = "wide ip 10.0.0.0/8\n"
                               "mapped ip ::ffff:100.64.0.0/106\n"
                               "tiny ip 172.16.5.4\n";
    struct benign *b = benign_new();
    struct buf err = BUF_INIT(1024);

    is(benign_add_list(b, "ops.txt", list, sizeof(list) - 1, &err), 0,
       "ranges load");
    is_str(label(benign_ip(b, "10.0.0.0", true)), "wide", "a /8: first");
    is_str(label(benign_ip(b, "10.200.1.2", true)), "wide", "a /8: middle");
    is_str(label(benign_ip(b, "10.255.255.255", true)), "wide", "a /8: last");
    ok(benign_ip(b, "11.0.0.0", true) == NULL &&
           benign_ip(b, "9.255.255.255", true) == NULL,
       "a /8: either side");
    is_str(label(benign_ip(b, "100.127.255.255", true)), "mapped",
           "an IPv4 range written as IPv6");
    ok(benign_ip(b, "100.128.0.0", true) == NULL, "and past its end");
    is_str(label(benign_ip(b, "172.16.5.4", true)), "tiny", "one address");
    ok(benign_ip(b, "172.16.5.5", true) == NULL &&
           benign_ip(b, "172.16.5.4.1", true) == NULL &&
           benign_ip(b, "172.16.5.", true) == NULL &&
           benign_ip(b, "172.16.", true) == NULL,
       "its neighbour, and junk after a listed block's first octets");
    is(benign_add_list(b, "all.txt", "all ip ::/0\n", 12, &err), 0,
       "the whole address space loads");
    is_str(label(benign_ip(b, "45.142.212.61", true)), "all",
           "and holds every IPv4 address");
    is_str(label(benign_ip(b, "172.16.5.4", true)), "tiny",
           "the longest prefix still wins");
    is_str(label(benign_ip(b, "2a00::1", true)), "all", "and IPv6 ones");
    buf_release(&err);
    benign_free(b);
}

/* The host a URL's label comes from. */
static void
test_url_hosts(void)
{
    static const struct {
        const char *url, *label;
    } cases[] = {
        { "http://a@b@www.example.com:80/x", "documentation" },
        { "https://u:p@192.0.2.1:8443?q=1", "documentation" },
        { "http://example.com#frag@evil.net", "documentation" },
        { "http://evil.net/?u=http://example.com/", "(none)" },
        { "http://[2001:db8::1]:443/", "documentation" },
        { "http://[2001:db8::1", "documentation" },
        { "http://[2001:db8::1/x]", "(none)" },
        { "http://[::ffff:192.0.2.1]/", "documentation" },
        { "http://198.51.100.7.evil.net/", "(none)" },
        { "http://:80/", "(none)" },
        { "example.com", "(none)" },
        { "mailto:x@example.com", "(none)" },
    };
    struct benign *b = benign_new();
    struct finding f;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(&f, 0, sizeof(f));
        f.kind = FIND_URL;
        f.value = (char *)cases[i].url;
        benign_label(b, &f, 1);
        is_str(label(f.benign), cases[i].label, "URL %s", cases[i].url);
    }
    benign_free(b);
}

static void
test_errors(void)
{
    check_error("a domain example.net\nb domain\n", 2, "three fields");
    check_error("a domain x.com extra\n", 1, "three fields");
    check_error("Partner domain x.com\n", 1, "label");
    check_error("# c\nx url http://x.com/\n", 2, "unknown kind 'url'");
    check_error("x domain bad..name\n", 1, "empty label");
    check_error("x domain bad_na!me.com\n", 1, "not a domain");
    check_error("x ip 192.0.2.1/24\n", 1, "host bits");
    check_error("x ip 192.0.2.0/33\n", 1, "prefix length");
    check_error("x ip 192.0.2.0/\n", 1, "prefix length");
    check_error("x ip 300.1.1.1\n", 1, "not an IP");
    check_error("x ip 2001:db8::/129\n", 1, "prefix length");
    check_error("x hash abc\n", 1, "digest");
    check_error("x hash d41d8cd98f00b204e9800998ecf8427g\n", 1, "digest");
    {
        static const char nul[] = "ok domain ok.example.net\nx domain a\0b\n";
        struct benign *b = benign_new();
        struct buf err = BUF_INIT(1024);

        is(benign_add_list(b, "ops.txt", nul, sizeof(nul) - 1, &err),
           DRP_ECONFIG, "a NUL byte is refused");
        is_str(buf_str(&err), "ops.txt:2: NUL byte; not a text file",
               "with its line");
        is_str(label(benign_domain(b, "ok.example.net", true)),
               "documentation", "and the lines before it are not kept");
        benign_free(b);
        buf_release(&err);
    }
    {
        struct buf long_line = BUF_INIT(4096);
        size_t i;

        buf_adds(&long_line, "x domain ");
        for (i = 0; i < BENIGN_MAX_LINE; i++)
            buf_addc(&long_line, 'a');
        check_error(buf_str(&long_line), 1, "longer than");
        buf_release(&long_line);
    }
}

static void
test_cap(void)
{
    struct benign *b = benign_new();
    struct buf err = BUF_INIT(1024);
    struct buf list = BUF_INIT(8u << 20);
    size_t i;
    int rc;

    for (i = 0; i <= BENIGN_MAX_ENTRIES; i++)
        buf_addf(&list, "x domain h%zu.example\n", i);
    rc = benign_add_list(b, "big.txt", list.ptr, list.len, &err);
    is(rc, DRP_ETOOBIG, "more than BENIGN_MAX_ENTRIES entries: too big");
    ok(strstr(buf_str(&err), "more than") != NULL, "says so: %s",
       buf_str(&err));
    is_str(label(benign_domain(b, "h5.example", true)), "documentation",
           "and nothing of it is kept");
    buf_release(&list);
    buf_release(&err);
    benign_free(b);
}

/* The label extract_text() gave the first finding of kind with value. */
static const char *
found(const struct findings *f, enum finding_kind kind, const char *value)
{
    size_t i;

    for (i = 0; i < f->n; i++)
        if (f->v[i].kind == kind && strcmp(f->v[i].value, value) == 0)
            return label(f->v[i].benign);
    return "(not found)";
}

static void
test_labels(void)
{
    static const unsigned char key[] = "test-key";
    static const char text[] =
        "see http://www.example.com/login and https://bob@192.0.2.5:8443/x\n"
        "http://[2001:db8::7]/ and http://portal.northwind.com/ and "
        "evil-cdn.net, northwind.com\n"
        "hosts 198.51.100.23 185.220.101.4 45.142.212.61 ::1 2001:db8::1\n"
        "empty d41d8cd98f00b204e9800998ecf8427e\n"
        "write to alice@example.org or ceo@northwind.com\n"
        "test@example.com:hunter22\n"
        "admin@northwind.com:Winter2024!\n";
    struct extractor *x = extractor_new(terms, NTERMS, key, sizeof(key) - 1);
    struct findings f;
    struct buf err = BUF_INIT(1024);

    findings_init(&f);
    extract_text(x, text, sizeof(text) - 1, &f);
    is_str(found(&f, FIND_URL, "http://www.example.com/login"),
           "documentation", "URL on a documentation host");
    is_str(found(&f, FIND_URL, "https://192.0.2.5:8443/x"),
           "documentation", "URL on a documentation address, userinfo, port");
    is_str(found(&f, FIND_URL, "http://[2001:db8::7]/"), "documentation",
           "URL on an IPv6 literal");
    is_str(found(&f, FIND_URL, "http://portal.northwind.com/"), BENIGN_OWN,
           "URL on our own host");
    is_str(found(&f, FIND_DOMAIN, "northwind.com"), BENIGN_OWN,
           "our own domain");
    is_str(found(&f, FIND_DOMAIN, "evil-cdn.net"), "(none)",
           "an unknown domain has no label");
    is_str(found(&f, FIND_IPV4, "198.51.100.23"), "documentation",
           "documentation IPv4");
    is_str(found(&f, FIND_IPV4, "185.220.101.4"), BENIGN_OWN,
           "IPv4 in our own range");
    is_str(found(&f, FIND_IPV4, "45.142.212.61"), "(none)",
           "an unknown IPv4 has no label");
    is_str(found(&f, FIND_IPV6, "::1"), "localhost", "IPv6 loopback");
    is_str(found(&f, FIND_IPV6, "2001:db8::1"), "documentation",
           "documentation IPv6");
    is_str(found(&f, FIND_MD5, "d41d8cd98f00b204e9800998ecf8427e"),
           "empty-file", "empty-file md5");
    is_str(found(&f, FIND_EMAIL, "alice@example.org"), "documentation",
           "e-mail at a documentation domain");
    is_str(found(&f, FIND_EMAIL, "ceo@northwind.com"), "(none)",
           "e-mail at our own domain is not benign");
    {
        size_t i;
        int doc = 0, own = 0;

        for (i = 0; i < f.n; i++) {
            if (f.v[i].kind != FIND_CREDENTIAL)
                continue;
            if (strcmp(f.v[i].identity, "test@example.com") == 0)
                doc = f.v[i].benign && !strcmp(f.v[i].benign,
                                               "documentation");
            if (strcmp(f.v[i].identity, "admin@northwind.com") == 0)
                own = f.v[i].benign == NULL && f.v[i].watched;
        }
        ok(doc, "a credential at example.com is documentation");
        ok(own, "a credential of our own domain is watched, never benign");
    }
    findings_release(&f);

    /* The operator's list through the extractor. */
    is(extractor_add_benign(x, "ops.txt", "sinkhole domain evil-cdn.net\n",
                            29, &err),
       0, "extractor takes the operator's list");
    findings_init(&f);
    extract_text(x, text, sizeof(text) - 1, &f);
    is_str(found(&f, FIND_DOMAIN, "evil-cdn.net"), "sinkhole",
           "the operator's label");
    findings_release(&f);
    is(extractor_add_benign(x, "ops.txt", "sinkhole domain\n", 16, &err),
       DRP_ECONFIG, "a bad list is refused");
    is_str(buf_str(&err), "ops.txt:1: expected three fields: LABEL KIND "
                          "VALUE",
           "with its line");
    buf_release(&err);
    extractor_free(x);
}

int
main(void)
{
    struct benign *b = benign_new();

    ok(b != NULL, "the built-in list parses");
    test_builtin_ipv4(b);
    test_builtin_ipv6(b);
    test_builtin_domains(b);
    test_builtin_hashes(b);
    benign_free(b);
    test_own();
    test_operator_list();
    test_precedence();
    test_wide_ranges();
    test_url_hosts();
    test_errors();
    test_cap();
    test_labels();
    return done_testing();
}
