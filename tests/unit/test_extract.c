/*
 * Tests for extract/extract.c: each finding kind with positive and negative
 * cases, password handling (hmac, hint, redaction, no clear text in any
 * finding), ordering, NUL and invalid bytes, snippets and the caps.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>


#include "common/err.h"
#include "common/xalloc.h"
#include "extract/cred.h"
#include "extract/extract.h"
#include "tests/tap.h"
#include "common/banned.h"

static struct watch_term terms[] = {
    { "brand", "Northwind", "high", "brand" },
    { "brand", "Northwind Bank", "critical", "brand" },
    { "executive", "Jane Q. Doe", "high", "security" },
    { "domain", "northwind.com", "high", "soc" },
    { "email_domain", "nw-mail.com", "high", "soc" },
    { "ip_range", "185.220.101.0/24", "low", "soc" },
    { "domain", "Bücher.de", "high", "soc" },          /* U-labels */
    { "email_domain", "xn--e1afmkfd.xn--p1ai", "high", "soc" }, /* A- */
};
#define NTERMS (sizeof(terms) / sizeof(terms[0]))

static const unsigned char key[] = "test-key";

static struct extractor *x;

/* Runs the extractor on len bytes; returns its code. */
static int
run(const char *text, size_t len, struct findings *f)
{
    findings_init(f);
    return extract_text(x, text, len, f);
}

static int
runs(const char *text, struct findings *f)
{
    return run(text, strlen(text), f);
}

/* The n-th finding of a kind, or NULL. */
static const struct finding *
nth(const struct findings *f, enum finding_kind kind, size_t n)
{
    size_t i;

    for (i = 0; i < f->n; i++)
        if (f->v[i].kind == kind && n-- == 0)
            return &f->v[i];
    return NULL;
}

static size_t
count(const struct findings *f, enum finding_kind kind)
{
    size_t i, n = 0;

    for (i = 0; i < f->n; i++)
        n += f->v[i].kind == kind;
    return n;
}

/* The value of the n-th finding of a kind, or "(none)". */
static const char *
val(const struct findings *f, enum finding_kind kind, size_t n)
{
    const struct finding *fd = nth(f, kind, n);

    return fd ? fd->value : "(none)";
}

static bool
field_has(const char *field, const char *needle)
{
    return field != NULL && strstr(field, needle) != NULL;
}

/* No string field of any finding contains needle. */
static bool
nowhere(const struct findings *f, const char *needle)
{
    size_t i;

    for (i = 0; i < f->n; i++)
        if (field_has(f->v[i].value, needle) ||
            field_has(f->v[i].identity, needle) ||
            field_has(f->v[i].domain, needle) ||
            field_has(f->v[i].unicode, needle) ||
            field_has(f->v[i].pw_hint, needle))
            return false;
    return true;
}

static void
test_names(void)
{
    is_str(finding_kind_name(FIND_EMAIL), "email", "name email");
    is_str(finding_kind_name(FIND_CREDENTIAL), "credential", "name cred");
    is_str(finding_kind_name(FIND_BRAND), "brand", "name brand");
    is_str(finding_kind_name(FIND_IPV4), "ipv4", "name ipv4");
    is_str(finding_kind_name(FIND_DOMAIN), "domain", "name domain");
    is_str(finding_kind_name(FIND_URL), "url", "name url");
    is_str(finding_kind_name(FIND_MD5), "md5", "name md5");
    is_str(finding_kind_name(FIND_SHA1), "sha1", "name sha1");
    is_str(finding_kind_name(FIND_SHA256), "sha256", "name sha256");
    is_str(finding_kind_name(FIND_SHA512), "sha512", "name sha512");
    is_str(finding_kind_name(FIND_IPV6), "ipv6", "name ipv6");
    is_str(finding_kind_name(FIND_CVE), "cve", "name cve");
    is_str(finding_kind_name(FIND_ATTACK_TECHNIQUE), "attack_technique",
           "name attack_technique");
    is_str(finding_kind_name(FIND_ONION), "onion", "name onion");
    is_str(finding_kind_name(FIND_BTC), "btc", "name btc");
    is_str(finding_kind_name(FIND_ETH), "eth", "name eth");
    is_str(finding_kind_name(FIND_XMR), "xmr", "name xmr");
    is_str(finding_kind_name(FIND_CARD), "card", "name card");
    is_str(finding_kind_name(FIND_SECRET), "secret", "name secret");
    is_str(finding_kind_name(FIND_KIND_COUNT), "unknown", "name past end");
}

static void
test_email(void)
{
    struct findings f;
    const struct finding *fd;

    is(runs("mail John.Smith@Sub.NW-Mail.com or ops@example.org now", &f), 0,
       "email text");
    is(count(&f, FIND_EMAIL), 2, "two e-mail addresses");
    fd = nth(&f, FIND_EMAIL, 0);
    is_str(val(&f, FIND_EMAIL, 0), "john.smith@sub.nw-mail.com",
           "e-mail lowercased");
    if (fd != NULL) {
        is(fd->offset, 5, "e-mail offset");
        is(fd->len, 26, "e-mail length");
        ok(fd->watched, "subdomain of a watched email_domain");
        is(fd->term, 4, "term index of the email_domain");
        ok(fd->confidence >= 80, "e-mail confidence high");
    }
    fd = nth(&f, FIND_EMAIL, 1);
    ok(fd != NULL && !fd->watched && fd->term == -1,
       "unwatched e-mail domain");
    findings_release(&f);

    runs("Registrant: Ops[at]NW-Mail[.]com, ivan (at) yandex (dot) ru, "
         "hr&#64;contoso.com; meet me at the station at 5; [at] [dot]",
         &f);
    is(count(&f, FIND_EMAIL), 3, "three defanged e-mail addresses");
    is_str(val(&f, FIND_EMAIL, 0), "ops@nw-mail.com", "[at] and [.] refanged");
    fd = nth(&f, FIND_EMAIL, 0);
    ok(fd != NULL && fd->watched && fd->offset == 12 && fd->len == 20,
       "a defanged address is watched, with its span as written");
    is_str(val(&f, FIND_EMAIL, 1), "ivan@yandex.ru", "(at) and (dot)");
    is_str(val(&f, FIND_EMAIL, 2), "hr@contoso.com", "&#64;");
    findings_release(&f);

    {
        /* Two defanged addresses on one line, the second ending past the
           window of bytes the prefilter marked for the first. */
        char text[2048], want[600];
        size_t n = 0, i, k;

        memcpy(text, "x(at)example.com ", 17);
        n = 17;
        for (i = 0; i < 250; i++) {
            memcpy(text + n, "w ", 2);
            n += 2;
        }
        memcpy(text + n, "y(at)", 5);
        n += 5;
        memcpy(want, "y@", 2);
        k = 2;
        for (i = 0; i < 7; i++) {
            memset(text + n, 'a' + (int)i, 60);
            memset(want + k, 'a' + (int)i, 60);
            n += 60;
            k += 60;
            text[n++] = '.';
            want[k++] = '.';
        }
        memcpy(text + n, "com", 4);
        memcpy(want + k, "com", 4);
        n += 3;
        run(text, n, &f);
        is(count(&f, FIND_EMAIL), 2, "two defanged addresses 500 bytes apart");
        is_str(val(&f, FIND_EMAIL, 1), want,
               "the second one whole, 430 bytes past its [at]");
        findings_release(&f);
    }

    {
        /* A defanged scheme's user info: a credential, and redacted. */
        char t[] = "panel hxxps[:]//eve:Passw0rd9@evil.com/admin";

        run(t, strlen(t), &f);
        is(count(&f, FIND_CREDENTIAL), 1, "user info after hxxps[:]//");
        extract_redact(t, strlen(t), &f);
        is_str(t, "panel hxxps[:]//eve:*********@evil.com/admin",
               "its password redacted where it is written");
        findings_release(&f);
    }
    {
        /* '@' in the user name and in the password: the last '@' ends
           the user info. */
        char t[] = "ftp://jane@corp.com:Secr3tPw@ftp.host.com/ "
                   "https://bob:p@ss!@host.com/";
        const struct finding *c;

        run(t, strlen(t), &f);
        is(count(&f, FIND_CREDENTIAL), 2, "user info holding '@'");
        c = nth(&f, FIND_CREDENTIAL, 0);
        ok(c != NULL && strcmp(c->identity, "jane@corp.com") == 0 &&
               strcmp(c->domain, "ftp.host.com") == 0,
           "an e-mail address as the user name, the host as the domain");
        extract_redact(t, strlen(t), &f);
        is_str(t, "ftp://jane@corp.com:********@ftp.host.com/ "
                  "https://bob:*****@host.com/",
               "both passwords redacted whole");
        findings_release(&f);
    }

    /* In a URL's authority "guest@ftp.site.org" is a password and a
       host: never an address, whether or not a credential was taken. */
    runs("ftp://anonymous:guest@ftp.site.org/ http://user@host.com/ "
         "https://jane@corp.com:pw@site.com/ hxxps[:]//eve@evil.com/ "
         "mailto:ann@corp.com https://site.com/login:bob@x.com:pw123",
         &f);
    is(count(&f, FIND_EMAIL), 2, "no address from a URL's userinfo");
    is_str(val(&f, FIND_EMAIL, 0), "ann@corp.com", "mailto: is an address");
    is_str(val(&f, FIND_EMAIL, 1), "bob@x.com", "an address in a URL path");
    findings_release(&f);

    runs("not@mails: a@b, x@y.c, @example.com, user@evilnorthwind.com",
         &f);
    is(count(&f, FIND_EMAIL), 1, "no TLD, 1-letter TLD, no local part");
    fd = nth(&f, FIND_EMAIL, 0);
    ok(fd != NULL && !fd->watched,
       "evilnorthwind.com is not a subdomain of northwind.com");
    findings_release(&f);
}

static void
test_credentials(void)
{
    struct findings f;
    const struct finding *fd;
    const char *text = "dump:\n"
                       "Alice@Northwind.com:Summer2024!\n"
                       "  bob@nw-mail.com ; hunter2 \r\n"
                       "carol@example.org|p4ss|w0rd\n"
                       "dave@example.org\tx\n"
                       "erin@example.org:ab\n"
                       "contact us at frank@example.org today\n";
    size_t i;

    is(runs(text, &f), 0, "combo list");
    is(count(&f, FIND_CREDENTIAL), 5, "five combo lines");

    fd = nth(&f, FIND_CREDENTIAL, 0);
    if (fd != NULL) {
        is_str(fd->identity, "alice@northwind.com", "identity lowercased");
        is_str(fd->domain, "northwind.com", "identity domain");
        ok(fd->watched, "credential of a watched domain");
        is(fd->term, 3, "term index of the domain");
        is_str(fd->pw_hint, "S********!(11)", "hint: 8 stars at most");
        is(fd->pw_offset, 26, "password offset");
        is(fd->pw_len, 11, "password length");
        ok(memcmp(text + fd->pw_offset, "Summer2024!", 11) == 0,
           "span covers the password");
        is(fd->offset, 6, "credential offset at the identity");
        is(fd->len, 31, "credential spans identity to password");
        ok(strncmp(fd->value, "alice@northwind.com:", 20) == 0 &&
               strlen(fd->value) == 36,
           "value is identity and 16 hex digits");
    }
    fd = nth(&f, FIND_CREDENTIAL, 1);
    if (fd != NULL) {
        is_str(fd->identity, "bob@nw-mail.com", "';' separator, spaces");
        is_str(fd->pw_hint, "h*****2(7)", "hint for hunter2");
        ok(fd->watched, "email_domain watched");
        ok(memcmp(text + fd->pw_offset, "hunter2", 7) == 0 &&
               fd->pw_len == 7,
           "surrounding spaces and CR not in the password");
    }
    fd = nth(&f, FIND_CREDENTIAL, 2);
    if (fd != NULL) {
        is_str(fd->identity, "carol@example.org", "'|' separator");
        is_str(fd->pw_hint, "p**s(4)",
               "the separator again: the password is the first column");
        is(fd->pw_len, 9, "the columns after it stay masked with it");
        ok(!fd->watched && fd->term == -1, "unwatched credential");
    }
    fd = nth(&f, FIND_CREDENTIAL, 3);
    ok(fd != NULL && fd->pw_len == 1 && strcmp(fd->pw_hint, "*(1)") == 0,
       "tab separator, one-byte password is all stars");
    fd = nth(&f, FIND_CREDENTIAL, 4);
    ok(fd != NULL && strcmp(fd->pw_hint, "**(2)") == 0,
       "two-byte password is all stars");

    findings_release(&f);

    runs("g@example.org:\xc3\xa9t\n", &f);
    fd = nth(&f, FIND_CREDENTIAL, 0);
    ok(fd && strcmp(fd->pw_hint, "***(3)") == 0,
       "two-character UTF-8 password is all stars (fuzz regression)");
    findings_release(&f);

    /* A hint never spells its password out (fuzz regression: a '*'
       inside the password looked like the hint's own stars). */
    runs("\xe7\x94\xa8\xe6\x88\xb7\xe5\x90\x8d\xef\xbc\x9a" "e "
         "\xe5\xaf\x86\xe7\xa0\x81\xef\xbc\x9a" "Z*\"\n"
         "h@example.org:a**\n"
         "i@example.org:Z**\"\n"
         "j@example.org:(3)\n"
         "k@example.org:a*c*e\n",
         &f);
    is(count(&f, FIND_CREDENTIAL), 5, "passwords with stars are found");
    fd = nth(&f, FIND_CREDENTIAL, 0);
    ok(fd && strcmp(fd->pw_hint, "***(3)") == 0,
       "\"Z*\\\"\" is not hinted as Z*\"(3)");
    fd = nth(&f, FIND_CREDENTIAL, 1);
    ok(fd && strcmp(fd->pw_hint, "***(3)") == 0,
       "\"a**\" is not hinted as a**(3)");
    fd = nth(&f, FIND_CREDENTIAL, 2);
    ok(fd && strcmp(fd->pw_hint, "****(4)") == 0,
       "\"Z**\\\"\" is not hinted as Z**\"(4)");
    fd = nth(&f, FIND_CREDENTIAL, 3);
    ok(fd && strcmp(fd->pw_hint, "***") == 0,
       "\"(3)\": neither (*)(3) nor ***(3), the length goes too");
    fd = nth(&f, FIND_CREDENTIAL, 4);
    ok(fd && strcmp(fd->pw_hint, "a***e(5)") == 0,
       "stars inside a longer password: the usual hint");
    findings_release(&f);

    /* Stars or bullets alone were masked in the dump: no credential. */
    runs("l@example.org:***\n"
         "m@example.org:********\n"
         "n@example.org:\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\n"
         "o@example.org:xxxxxx\n",
         &f);
    is(count(&f, FIND_CREDENTIAL), 1,
       "masked passwords are no credentials; \"xxxxxx\" (a real one) is");
    fd = nth(&f, FIND_CREDENTIAL, 0);
    ok(fd && strcmp(fd->identity, "o@example.org") == 0,
       "the credential left is xxxxxx's");
    is(count(&f, FIND_EMAIL), 4, "the masked lines' e-mails stay findings");
    findings_release(&f);
    runs(text, &f);

    ok(nowhere(&f, "Summer2024") && nowhere(&f, "hunter2") &&
           nowhere(&f, "p4ss") && nowhere(&f, "w0rd"),
       "no password in any finding field");
    for (i = 0; i < f.n; i++)
        ok(f.v[i].kind == FIND_CREDENTIAL ||
               (f.v[i].pw_hint == NULL && f.v[i].identity == NULL &&
                f.v[i].pw_len == 0),
           "finding %zu: credential fields only on credentials", i);
    is(count(&f, FIND_EMAIL), 6, "identities are e-mail findings too");
    findings_release(&f);
}

static void
test_hmac(void)
{
    struct findings a, b, c;
    struct extractor *other;
    const struct finding *fa, *fb, *fc;

    runs("x@example.org:Secret1\n", &a);
    runs("noise\nX@Example.org;Secret1\n", &b);
    other = extractor_new(terms, NTERMS, (const unsigned char *)"k2", 2);
    findings_init(&c);
    extract_text(other, "x@example.org:Secret1\n", 22, &c);
    fa = nth(&a, FIND_CREDENTIAL, 0);
    fb = nth(&b, FIND_CREDENTIAL, 0);
    fc = nth(&c, FIND_CREDENTIAL, 0);
    ok(fa && fb && fc, "three credentials");
    if (fa && fb && fc) {
        ok(memcmp(fa->pw_hmac, fb->pw_hmac, 32) == 0,
           "same key and password: same hmac");
        is_str(fa->value, fb->value, "same identity and password: one value");
        ok(memcmp(fa->pw_hmac, fc->pw_hmac, 32) != 0,
           "another key: another hmac");
        /* HMAC-SHA-256("test-key", "Secret1"), computed with openssl. */
        is_str(fa->value, "x@example.org:5897980e4aeee031",
               "hmac matches openssl");
    }
    findings_release(&a);
    findings_release(&b);
    findings_release(&c);
    extractor_free(other);
}

static void
test_not_credentials(void)
{
    struct findings f;

    runs("see http://user@example.com:8080/x\n"
         "bob@example.org:\n"
         "bob@example.org: \n"
         "note bob@example.org:pw\n",
         &f);
    is(count(&f, FIND_CREDENTIAL), 0,
       "URLs, empty passwords, text before the identity: no combos");
    findings_release(&f);
}

static void
test_password_vetoes(void)
{
    struct findings f;

    runs("ann@example.org:Northwind.com@evil.ru\n", &f);
    is(count(&f, FIND_CREDENTIAL), 1, "combo with a domain-like password");
    is(count(&f, FIND_DOMAIN), 1, "only the identity's domain");
    is_str(val(&f, FIND_DOMAIN, 0), "example.org", "identity domain kept");
    is(count(&f, FIND_BRAND), 0, "no brand inside a password");
    ok(nowhere(&f, "evil.ru") && nowhere(&f, "northwind.com@"),
       "nothing from the password leaks into other kinds");
    findings_release(&f);
}

static void
test_redact(void)
{
    struct findings f;
    char text[] = "a@example.org:pass1\nb@example.org;p@ss2 \nkeep:me\n";
    const char *want = "a@example.org:*****\nb@example.org;***** \nkeep:me\n";
    char *snip;

    runs(text, &f);
    extract_redact(text, strlen(text), &f);
    is_str(text, want, "exactly the password bytes became '*'");
    snip = extract_snippet(text, strlen(text), nth(&f, FIND_CREDENTIAL, 1));
    ok(strstr(snip, "p@ss2") == NULL && strstr(snip, "*****") != NULL,
       "snippet of a redacted text shows stars");
    ok(strchr(snip, '\n') == NULL, "snippet has no newline");
    x_free(snip);
    findings_release(&f);
}

/* Offset of needle in text (which must hold it). */
static size_t
at(const char *text, const char *needle)
{
    const char *p = strstr(text, needle);

    return p ? (size_t)(p - text) : (size_t)-1;
}

/* Whether fd's password span is exactly pw in text. */
static bool
pw_is(const struct finding *fd, const char *text, const char *pw)
{
    return fd != NULL && fd->pw_len == strlen(pw) &&
           fd->pw_offset == at(text, pw) &&
           memcmp(text + fd->pw_offset, pw, fd->pw_len) == 0;
}

static void
test_userpass_lists(void)
{
    struct findings f;
    const struct finding *fd;
    const char *text = "jsmith:Password123\n"
                       "gamer_99:qwerty!7\r\n"
                       "\n"
                       "bob.k:Tr0ub4dor\n";

    runs(text, &f);
    is(count(&f, FIND_CREDENTIAL), 3, "a run of three user:password lines");
    fd = nth(&f, FIND_CREDENTIAL, 0);
    ok(fd && strcmp(fd->identity, "jsmith") == 0 && fd->domain == NULL &&
           !fd->watched && fd->term == -1,
       "user name identity, no domain, unwatched");
    is_str(val(&f, FIND_CREDENTIAL, 0), "jsmith:a34284afd3953620",
           "value: identity and HMAC prefix");
    ok(pw_is(fd, text, "Password123") && fd->offset == 0 && fd->len == 18,
       "password span and line span");
    ok(fd && fd->confidence == 60, "lists: lower confidence than e-mails");
    ok(pw_is(nth(&f, FIND_CREDENTIAL, 1), text, "qwerty!7"),
       "CR not in the password");
    ok(pw_is(nth(&f, FIND_CREDENTIAL, 2), text, "Tr0ub4dor"),
       "a blank line does not end the list");
    findings_release(&f);

    runs("jsmith:Password123\ngamer_99:qwerty!7\n", &f);
    is(count(&f, FIND_CREDENTIAL), 0, "two lines are no list");
    findings_release(&f);
    runs("jsmith:Password123\ngamer_99|qwerty!7\nbob.k:Tr0ub4dor\n", &f);
    is(count(&f, FIND_CREDENTIAL), 0, "separators change: no list");
    findings_release(&f);
    runs("jsmith:Password123\nsome words here\ngamer_99:qwerty!7\n"
         "bob.k:Tr0ub4dor\n",
         &f);
    is(count(&f, FIND_CREDENTIAL), 0, "a prose line ends the list");
    findings_release(&f);
    runs("format login:pass, enjoy\n\njsmith:Password123\n", &f);
    fd = nth(&f, FIND_CREDENTIAL, 0);
    ok(count(&f, FIND_CREDENTIAL) == 1 && fd && fd->confidence == 50,
       "one line after \"login:pass\", lower confidence");
    findings_release(&f);
    runs("a@example.org:pw1\njsmith:Password123\nb@example.org:pw2\n", &f);
    is(count(&f, FIND_CREDENTIAL), 3, "e-mail combo lines count in a run");
    findings_release(&f);
    runs("combo\njsmith:Password123\nsite.example.com:bob:Tr0ub4dor\n", &f);
    is(count(&f, FIND_CREDENTIAL), 2,
       "a host:login:password line between: both found");
    is_str(val(&f, FIND_CREDENTIAL, 1), "bob:97e09961a499040a",
           "host:login:password among user:password lines");
    findings_release(&f);
    runs("10:00:00\n12:30:45\n14:15:30\n"
         "00:11:22:33:44:55\n00:11:22:33:44:66\n00:11:22:33:44:77\n"
         "1.2.3.4:8080\n5.6.7.8:3128\n9.9.9.9:1080\n"
         "proxy.example.com:8080\ncache.example.org:3128\ngw.example.net:1\n"
         "C:\\Users\\bob\nD:\\tmp\nE:\\x\n"
         "Name:John\nAge:30\nCity:Paris\n"
         "color:red;\nmargin:0;\npadding:4px;\n"
         "root:x:0:0:root:/root:/bin/bash\nbin:x:2:2::/:/bin/false\n"
         "daemon:x:1:1::/:/bin/false\n"
         "std::string\nstd::vector\nstd::map\n"
         "http://example.com\nhttps://example.org\nftp://example.net\n",
         &f);
    is(count(&f, FIND_CREDENTIAL), 0,
       "times, MACs, proxies, paths, records, CSS, passwd, C++, URLs");
    findings_release(&f);
}

/* Whether two sets of findings are the same: kinds, values and spans. */
static bool
same_findings(const struct findings *a, const struct findings *b)
{
    size_t i;

    if (a->n != b->n)
        return false;
    for (i = 0; i < a->n; i++)
        if (a->v[i].kind != b->v[i].kind || a->v[i].offset != b->v[i].offset ||
            a->v[i].len != b->v[i].len ||
            strcmp(a->v[i].value, b->v[i].value) != 0)
            return false;
    return true;
}

/*
 * The candidate lines of user:password lists are found 64 bytes at a
 * time (mask_hits()): lines ending with a lone CR, lines across those
 * 64-byte blocks, a last line with no line end, a text ending in CR. The
 * findings must be what the pattern finds over the whole text.
 */
static void
test_userpass_candidates(void)
{
    static const char *const texts[] = {
        "intro\ralice:S3cret!x\rbob_1:Pa55word9\rcarol:Qwerty12\r",
        "alice:S3cret!x\r\nbob_1:Pa55word9\r\ncarol:Qwerty12",
        "0123456789012345678901234567890123456789012345678901234567\n"
        "alice:S3cret!x\nbob_1:Pa55word9\rcarol:Qwerty12\n\r",
        "                                                            "
        "    alice:S3cret!x\n                                    "
        "bob_1:Pa55word9   \ncarol:Qwerty12\t\n",
        "note: see below\nalice: S3cret!x\nbob_1:/Pa55word9\n"
        "carol:Qwerty12 extra\n",
    };
    struct findings a, b;
    char name[64];
    size_t i;

    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        runs(texts[i], &a);
        extractor_set_prefilter(x, false);
        runs(texts[i], &b);
        extractor_set_prefilter(x, true);
        snprintf(name, sizeof(name),
                 "user:password candidates, text %zu: as without them", i);
        ok(same_findings(&a, &b), "%s", name);
        if (i < 4)
            is(count(&a, FIND_CREDENTIAL), 3, "three credentials");
        findings_release(&a);
        findings_release(&b);
    }
}

/*
 * E-mail combo and URL:login:password lines: of the lines the prefilter
 * marks, pcre2 runs on those of the patterns' shape (keep_lines()). Tabs
 * as separators, blanks around them, lone CRs, CRLF, schemes of 16 and
 * 17 characters, a last line without a line end; password labels, found
 * in a window around the prefilter's hit, with blanks and quotes around
 * them and in Japanese: the findings must be what the patterns find over
 * the whole text.
 */
static void
test_line_candidates(void)
{
    static const char *const texts[] = {
        "bob@example.com:Secr3t!\n  ann@example.org \t Pa55word\n"
        "x carl@example.net:Qwerty12\ndan@example.com ;\tHunter22\r\n",
        "intro\reve@example.com|Passw0rd1\rfrank@example.org:Zx12cv34\r",
        "see https://example.com/login:bob@example.com:Pa55word\n"
        "  https://example.com/login:bob@example.com:Pa55word\n"
        "abcdefghijklmnop://example.com/l:bob@example.com:Pa55word\n"
        "abcdefghijklmnopq://example.com/l:bob@example.com:Pa55word\n"
        "android://abc@com.example/:bob@example.com:Pa55word",
        "note\rftp://example.com:21:root:Toor1234\r\n"
        "mail gina@example.com\tS3cretPw\nhank@example.com : pw12345x",
        /* Password labels: pcre2 runs on a window around each. */
        "user: alice\n\"PassWord\"        :"
        "                                                              "
        "Hunter22x\nlogin=bob&pwd=x\n"
        "\xe3\x83\xa6\xe3\x83\xbc\xe3\x82\xb6: carol \xe3\x83\x91"
        "\xe3\x82\xb9\xe3\x83\xaf\xe3\x83\xbc\xe3\x83\x89\xef\xbc\x9a"
        "Zx98cv76\nLogin: dave / mot de passe = Qq11ww22\n",
    };
    struct findings a, b;
    char name[64];
    size_t i;

    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        runs(texts[i], &a);
        extractor_set_prefilter(x, false);
        runs(texts[i], &b);
        extractor_set_prefilter(x, true);
        snprintf(name, sizeof(name),
                 "combo and URL lines, text %zu: as without the prefilter", i);
        ok(same_findings(&a, &b), "%s", name);
        if (i < 4)
            ok(count(&a, FIND_CREDENTIAL) >= 2, "credentials found (%zu)",
               count(&a, FIND_CREDENTIAL));
        findings_release(&a);
        findings_release(&b);
    }
}

/*
 * IPv4 and IPv6 addresses, domain names, e-mail addresses, hex digests
 * and card numbers are matched in C on the prefilter's candidates, by pcre2
 * without it: random texts made of the bytes that matter to those
 * patterns (digits, hex runs, letters of "xn--" and "dot", dots, colons,
 * '@', brackets, hyphens, underscores, blanks, UTF-8 and invalid bytes)
 * must give the same findings both ways.
 */
/*
 * A random text of 1 to max_pieces pieces of set[0..nset) into text
 * (cap bytes, no terminator), from the generator *seed; its length.
 */
static size_t
random_text(uint32_t *seed, const char *const *set, size_t nset,
            size_t max_pieces, char *text, size_t cap)
{
    size_t len = 0, k, n;

    *seed = *seed * 1103515245u + 12345u;
    n = 1 + (*seed >> 16) % max_pieces;
    for (k = 0; k < n; k++) {
        const char *pc;

        *seed = *seed * 1103515245u + 12345u;
        pc = set[(*seed >> 16) % nset];
        if (len + strlen(pc) >= cap)
            break;
        memcpy(text + len, pc, strlen(pc));
        len += strlen(pc);
    }
    return len;
}

static void
test_names_in_c(void)
{
    static const char *const pieces[] = {
        "1",   "22",  "255", "1234", "0",   ".",    "[.]", "(.)", "{.}",
        "[dot]", "(DOT)", "[",  "]",   "(",   ")",   "{",   "}",   "-",
        "_",   " ",   "\n",  "a",   "com", "xn--", "p1ai", "example",
        "EXAMPLE", "org", "b2",  "x",   "n",   "d",   "ot",  "@",   ":",
        "/",   "info", "zz",  "abcdefghijklmnopqrstuvwxy", "io", "1.2.3.4",
        "\xff", "\xc3\xa9", "0123456789abcdef", "0123456789ABCDEF",
        "d41d8cd98f00b204e9800998ecf8427e", "@", "bob@", "[:]", "::", "%",
        "+", "fe80", "2001:db8", ":1", "carl@example.com", "x.y@a-b.co",
    };
    static const char *const ip_pieces[] = {
        "1", "12", "123", "1234", ".", ".", ".", "[.]", "(.)", "{.}", "a",
        "_", "-", " ", "[", "]", "9",
        /* card numbers (Luhn-valid), their groups and expiries */
        "4111111111111111", "4111", "1111 ", "1111-", "3782 822463 10005",
        "%B", "-12/27", "378282246310005", "5500000000000004",
    };
    struct findings a, b;
    char text[256];
    uint32_t seed = 12345;
    size_t i, len, bad = 0;

    for (i = 0; i < 16000; i++) {
        /* Names first, then texts of digits, dots and card numbers. */
        const char *const *set = i < 12000 ? pieces : ip_pieces;
        size_t nset = i < 12000 ? sizeof(pieces) / sizeof(pieces[0])
                               : sizeof(ip_pieces) / sizeof(ip_pieces[0]);

        len = random_text(&seed, set, nset, 24, text, sizeof(text));
        run(text, len, &a);
        extractor_set_prefilter(x, false);
        run(text, len, &b);
        extractor_set_prefilter(x, true);
        if (!same_findings(&a, &b) && bad++ < 5)
            diag("differs: '%.*s'", (int)len, text);
        findings_release(&a);
        findings_release(&b);
    }
    is(bad, 0, "matching in C is pcre2's on 16000 random texts");
}

/*
 * n random texts of up to max_pieces pieces of set[0..nset) from seed,
 * each extracted with the prefilter and without; the texts whose
 * findings differ (the first five shown), and the findings of each kind
 * with the prefilter added to kinds[].
 */
static size_t
differ_unfiltered(const char *const *set, size_t nset, uint32_t seed,
                  size_t n, size_t max_pieces, size_t *kinds)
{
    struct findings a, b;
    char text[256];
    size_t i, k, len, bad = 0;

    for (i = 0; i < n; i++) {
        len = random_text(&seed, set, nset, max_pieces, text, sizeof(text));
        run(text, len, &a);
        extractor_set_prefilter(x, false);
        run(text, len, &b);
        extractor_set_prefilter(x, true);
        for (k = 0; k < a.n; k++)
            kinds[a.v[k].kind]++;
        if (!same_findings(&a, &b) && bad++ < 5)
            diag("differs: '%.*s'", (int)len, text);
        findings_release(&a);
        findings_release(&b);
    }
    return bad;
}

/*
 * User info after "://" is found in C (userinfo_hits()), not by a
 * Hyperscan regex: random texts of URL pieces give the same findings
 * with the prefilter and without.
 */
static void
test_userinfo_in_c(void)
{
    static const char *const pieces[] = {
        "://", "http", " https://", "ftp://", "[:]//", "a", "bob", "p@ss",
        ":",   "::",   "@",  "@@",   "/",    "?",     "#",  " ",   "\t",
        "\v",  "\n",   "\r\n", "host.com", "10.0.0.5", ":8080", "%40",
        "\"",  "<",    "x:y@", "alice:", "S3cr3t!", "@host.com/", ".",
        "-",   "\xc3\xa9", "\xff", " https://alice:S3cr3t!@host.com/",
        " ftp://bob:Pa55w0rd!@10.0.0.5:8080/x",
    };
    size_t kinds[FIND_KIND_COUNT] = { 0 }, bad;

    bad = differ_unfiltered(pieces, sizeof(pieces) / sizeof(pieces[0]), 2024,
                            6000, 20, kinds);
    ok(bad == 0 && kinds[FIND_CREDENTIAL] > 1000,
       "user info in C is the prefilter's on 6000 random texts "
       "(%zu credentials)", kinds[FIND_CREDENTIAL]);
}

/*
 * Password labels and secret names are found before their separator in C
 * (label_hit()), Unicode names and user:password lines from the byte
 * masks (mask_hits()): random texts of labels in every case, quotes,
 * blanks, separators (fullwidth colon too), Unicode and user:password
 * lines, over several 64-byte blocks, give the same findings with the
 * prefilter and without.
 */
static void
test_labels_in_c(void)
{
    static const char *const pieces[] = {
        "password: hunter22", "PassWord=S3cr3t!x", "\"passwd\" : 'Zx98cv76'",
        "Passwort\t:\tgeheim99", "passphrase = correct-horse-9",
        "pwd=Qq11ww22", "PW: Kk55ll66", "contrasena: Mm12nn34",
        "senha = Pp09oo87", "mot de passe\xef\xbc\x9a Aa11bb22",
        "mot_de-passe: Cc33dd44", "mdp=Ee55ff66", "kennwort: Gg77hh88",
        "haslo: Ii99jj00", "wachtwoord = Kk12ll34", "sifre: Mm56nn78",
        "parola: Oo90pp12", "heslo = Qq34rr56", "salasana: Ss78tt90",
        "lozinka: Uu12vv34", "jelszo: Ww56xx78", "api_key = AbC123dEf456",
        "SECRET: zZ9yY8xX7wW6", "db_token := Tt0kEn12345", "key_base => k3yB4s3v4l",
        "KEY.BASE=Kb12Kb34Kb56", "token: \"quoted-value-12\"", "user: bob",
        "login: alice", "bob:Passw0rd!", "alice\tS3cret9", "carol;Hunter2x",
        "the pass word", "keys are", "b\303\274cher.de",
        "\xd0\xbf\xd0\xb8\xd1\x80.\xd1\x80\xd1\x84", "example.com", "10.0.0.1",
        "x",
        " ", "  ", "\t", "\n", "\r\n", "\n\n", ", ", "; ",
        /* Blanks and line ends of pcre2's but not ours, and the reverse;
           a stray last byte of the fullwidth colon; letters that Unicode
           folds with 's' and 'k' (U+017F, U+212A). */
        "\v", "\f", "\r", "\x01", "\x1f", "\x9a", "\xef\xbc", "\xc2\x85",
        "\xc2\xa0", "\xe2\x80\xa8", "pa\xc5\xbf\xc5\xbfword: Hunter22x",
        "\xe2\x84\252ennwort: Gg77hh88", "PA\xc5\xbfS=Zz11xx22",
        /* '_', '.' and '-' inside a secret's name */
        "pass_word=Secr3tValue99", "api.k-ey = AbC123dEf456xyz", "_", ".",
        "-",
    };
    size_t kinds[FIND_KIND_COUNT] = { 0 }, bad;

    bad = differ_unfiltered(pieces, sizeof(pieces) / sizeof(pieces[0]), 4242,
                            12000, 40, kinds);
    ok(bad == 0 && kinds[FIND_SECRET] > 5000 &&
           kinds[FIND_CREDENTIAL] > 200 && kinds[FIND_DOMAIN] > 1000,
       "labels, names and lines in C are the prefilter's on 12000 random "
       "texts (%zu secrets, %zu credentials, %zu domains)",
       kinds[FIND_SECRET], kinds[FIND_CREDENTIAL], kinds[FIND_DOMAIN]);
}

/*
 * URLs are matched in C on the prefilter's candidates (match_url()), by
 * pcre2 without it: random texts of schemes in every case and defanged
 * form, separators, the bytes that end a URL and UTF-8 valid and not
 * (overlong, surrogate, past U+10FFFF, cut short, U+017F and U+212A,
 * which Unicode folds with 's' and 'k') give the same findings both ways.
 */
static void
test_url_in_c(void)
{
    static const char *const pieces[] = {
        "http", "HTTPS", "hxxp", "hXXps", "h**p", "h**ps", "ftp", "FXP",
        "fxp", "http\xc5\xbf", "https\xc5\xbf", "://", "://", "[:]//",
        "[://]", ":/", "[:]", "a", "x", "host.example", "/p", "?q=1", "#f",
        " ", "\t", "\n", "\x7f", "\x01", "<", ">", "\"", "'", "`", "(",
        ")", ".", ",", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
        "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
        "\xc3", "\xe2\x82", "\x80", "\xff", "\xc5", "\xbf", "1",
        "user:pw@", "\xe2\x80\x8b", "\xe2\x84\xaa", "k", " http://",
        " https://a.example/", " hxxp[:]//b.example",
    };
    struct findings a, b;
    char text[256];
    uint32_t seed = 4180;
    size_t i, len, bad = 0, urls = 0;

    for (i = 0; i < 20000; i++) {
        len = random_text(&seed, pieces, sizeof(pieces) / sizeof(pieces[0]),
                          16, text, sizeof(text));
        run(text, len, &a);
        extractor_set_prefilter(x, false);
        run(text, len, &b);
        extractor_set_prefilter(x, true);
        urls += count(&a, FIND_URL);
        if (!same_findings(&a, &b) && bad++ < 5)
            diag("differs: '%.*s'", (int)len, text);
        findings_release(&a);
        findings_release(&b);
    }
    ok(bad == 0 && urls > 1000,
       "URLs in C are pcre2's on 20000 random texts (%zu URLs)", urls);
}

/*
 * Texts the random ones found differing with the prefilter and without.
 * Case is ignored in ASCII only, as the prefilter's C checks and Hyperscan
 * ignore it: pcre2 in UTF mode also folds 's' with U+017F and 'k' with
 * U+212A, so that "pa\u017F\u017Fword:" was a password label and a
 * domain followed by U+212A no domain, without the prefilter only. A
 * secret's name may hold '_', '.' and '-' inside its last word
 * ("pass_word"), as cred_secret_name() reads it: label_hit() missed it.
 */
static void
test_prefilter_cases(void)
{
    static const struct {
        const char *text;
        enum finding_kind kind;
        size_t n;
    } cases[] = {
        { "login: bob pa\xc5\xbf\xc5\xbfword: Hunter22x", FIND_CREDENTIAL, 0 },
        { "user: alice\n\xe2\x84\252ennwort: Gg77hh88", FIND_CREDENTIAL, 0 },
        { "login: bob PA\xc5\xbfS=Zz11xx22", FIND_CREDENTIAL, 0 },
        { "host mail.example.om\xe2\x84\xaa up", FIND_DOMAIN, 1 },
        { "login: bob PASSWORD: Hunter22x", FIND_CREDENTIAL, 1 },
        { "user: alice\nKennwort: Gg77hh88", FIND_CREDENTIAL, 1 },
        { "see CVE-2021-44228 at mail.Example.COM", FIND_DOMAIN, 1 },
        { "pass_word=Secr3tValue99", FIND_SECRET, 1 },
        { "x api.k-ey = AbC123dEf456xyz", FIND_SECRET, 1 },
        { "\"se-cret\": 'zZ9yY8xX7wW6'", FIND_SECRET, 1 },
    };
    struct findings a, b;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        runs(cases[i].text, &a);
        extractor_set_prefilter(x, false);
        runs(cases[i].text, &b);
        extractor_set_prefilter(x, true);
        ok(same_findings(&a, &b) && count(&a, cases[i].kind) == cases[i].n,
           "prefilter case %zu: %zu %s, as without the prefilter "
           "(%zu, %zu)", i, cases[i].n, finding_kind_name(cases[i].kind),
           count(&a, cases[i].kind), count(&b, cases[i].kind));
        findings_release(&a);
        findings_release(&b);
    }
}

/*
 * The watch terms' leet masks come from the prefilter's byte classes
 * (masks_avx2()) where it runs, else from the terms' own pass: random
 * texts of leet words, signs, capitals and bytes other than ASCII, over
 * several 64-byte blocks and ending anywhere in one, give the same brand
 * findings (variants included) with the prefilter and without.
 */
static void
test_leet_masks(void)
{
    static struct watch_term leet_terms[] = {
        {"brand", "Northwind", "high", "brand"},
        {"brand", "Paypal", "high", "brand"},
        {"executive", "Jane Holloway", "high", "security"},
        {"domain", "northwind.com", "high", "soc"},
    };
    static const char *const pieces[] = {
        "Paypal",
        "PaypaI",
        "P4yp4l",
        "paypa1",
        "PAYPAL",
        "PaYPaI",
        "Holloway",
        "HoIIoway",
        "H0ll0way",
        "northw1nd.com",
        "I",
        "aI",
        "Il",
        "N0rthw1nd",
        "Northwind",
        "n0rthw1nd!!",
        "N0RTHWIND",
        "NorthwInd",
        "!Northw1nd",
        "Northw|nd",
        "N0rthw!nd",
        "Nor+hwind",
        "$",
        "@",
        "|",
        "!",
        "+",
        "0",
        "1",
        "v1",
        "x64",
        " ",
        "  ",
        "\n",
        "\r\n",
        "\t",
        "Bank",
        "B4nk",
        "B@nk",
        "Jane",
        "Q.",
        "D0e",
        "Doe",
        "J4ne",
        "-",
        ".",
        "I",
        "l",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "\xc3\xa9",
        "\xd0\xb0",
        "N\xd0\xberthwind",
        "\xff",
        "Z",
        "zz9zz",
        "sha256",
    };
    struct extractor *lx;
    struct findings a, b;
    char text[600];
    uint32_t seed = 77;
    size_t i, k, len, bad = 0, brands = 0, variants = 0;
    bool differs;

    lx = extractor_new(leet_terms, sizeof(leet_terms) / sizeof(leet_terms[0]),
                       key, sizeof(key) - 1);
    for (i = 0; i < 6000; i++) {
        len = random_text(&seed, pieces, sizeof(pieces) / sizeof(pieces[0]),
                          60, text, sizeof(text));
        findings_init(&a);
        findings_init(&b);
        extract_text(lx, text, len, &a);
        extractor_set_prefilter(lx, false);
        extract_text(lx, text, len, &b);
        extractor_set_prefilter(lx, true);
        brands += count(&a, FIND_BRAND);
        for (k = 0; k < a.n; k++)
            variants += a.v[k].kind == FIND_BRAND && a.v[k].variant;
        differs = !same_findings(&a, &b);
        for (k = 0; !differs && k < a.n; k++)
            differs =
                a.v[k].variant != b.v[k].variant || a.v[k].term != b.v[k].term;
        if (differs && bad++ < 5)
            diag("differs: '%.*s'", (int)len, text);
        findings_release(&a);
        findings_release(&b);
    }
    extractor_free(lx);
    ok(bad == 0 && variants > 1000,
       "leet masks from the prefilter are the terms' own on 6000 random "
       "texts (%zu brand findings, %zu variants)",
       brands, variants);
}

static void
test_ulp(void)
{
    struct findings f;
    const struct finding *fd;
    const char *text =
        "https://login.northwind.com/signin:Bob@Example.org:S3cret!pw\n"
        "https://www.netflix.com/login|carol@example.org|Fb2023!pass\n"
        "site.example.com:dave:Adm1n!2024\n"
        "https://shop.example.co.uk:8443/x;erin;Winter2024!\n";

    runs(text, &f);
    is(count(&f, FIND_CREDENTIAL), 4, "four URL:login:password lines");
    fd = nth(&f, FIND_CREDENTIAL, 0);
    ok(fd && strcmp(fd->identity, "bob@example.org") == 0 &&
           strcmp(fd->domain, "login.northwind.com") == 0 && fd->watched &&
           fd->term == 3,
       "the domain is the URL's host, watched");
    ok(pw_is(fd, text, "S3cret!pw") && fd->offset == 0,
       "password span; the finding starts at the URL");
    is(count(&f, FIND_URL), 0, "no URL finding holds a password");
    is_str(val(&f, FIND_DOMAIN, 0), "login.northwind.com", "its host stays");
    fd = nth(&f, FIND_CREDENTIAL, 1);
    ok(fd && strcmp(fd->domain, "www.netflix.com") == 0 &&
           pw_is(fd, text, "Fb2023!pass"),
       "'|' separators");
    fd = nth(&f, FIND_CREDENTIAL, 2);
    ok(fd && strcmp(fd->identity, "dave") == 0 &&
           strcmp(fd->domain, "site.example.com") == 0,
       "host:login:password without a scheme");
    fd = nth(&f, FIND_CREDENTIAL, 3);
    ok(fd && strcmp(fd->domain, "shop.example.co.uk") == 0 &&
           pw_is(fd, text, "Winter2024!"),
       "a port before the path, ';' separators");
    findings_release(&f);

    runs("https://example.com:443/path\nexample.com|godaddy|2024-01-01\n"
         "www.example.com:80:443\nhttps://t.me/x | join us | free\n"
         "app.py:10:5\n1.2.3.4:8080:user:pass\n",
         &f);
    is(count(&f, FIND_CREDENTIAL), 0,
       "ports, tables, prose, compiler output, proxy lines");
    findings_release(&f);
}

/* Stealers' lines for Android apps, and tab columns after a line of
   ':'. */
static void
test_ulp_apps(void)
{
    struct findings f;
    const struct finding *fd;
    char text[] =
        "android://3gPqF-x_Zk9WvL2mN8bT1yR0sUcE4hJ6aD7fG5iO-lQ_"
        "wXe==@com.northwind.mobile/:bobby_app:Mob1le!pw\n"
        "https://shop.example.net/acc:nina:Pw0rd99\tUS\t2024\n"
        "https://tabs.example.net:8080/\tomar\tT4bs!pw\n"
        "android://short@com.example.app/:x:y\n"
        "notandroid://3gPqF-x_Zk9WvL2mN8bT1y@com.example.app/:zed:Zz9!pw\n";
    const char *want =
        "android://3gPqF-x_Zk9WvL2mN8bT1yR0sUcE4hJ6aD7fG5iO-lQ_"
        "wXe==@com.northwind.mobile/:bobby_app:*********\n"
        "https://shop.example.net/acc:nina:*******\tUS\t2024\n"
        "https://tabs.example.net:8080/\tomar\t*******\n"
        "android://short@com.example.app/:x:y\n"
        "notandroid://3gPqF-x_Zk9WvL2mN8bT1y@com.example.app/:zed:Zz9!pw\n";

    runs(text, &f);
    is(count(&f, FIND_CREDENTIAL), 3, "an app's line, a tab column, tabs");
    fd = nth(&f, FIND_CREDENTIAL, 0);
    ok(fd && strcmp(fd->identity, "bobby_app") == 0 &&
           strcmp(fd->domain, "mobile.northwind.com") == 0 && fd->watched &&
           pw_is(fd, text, "Mob1le!pw"),
       "an app's login: its package's domain, watched");
    is(count(&f, FIND_DOMAIN), 4,
       "no package name as a domain (hosts and com.example.app twice)");
    fd = nth(&f, FIND_CREDENTIAL, 1);
    ok(fd && strcmp(fd->identity, "nina") == 0 &&
           strcmp(fd->domain, "shop.example.net") == 0 &&
           pw_is(fd, text, "Pw0rd99") && strcmp(fd->pw_hint, "P*****9(7)") == 0,
       "a tab ends the password of a line of ':'");
    is(count(&f, FIND_URL), 1, "no URL finding holds a password");
    is_str(val(&f, FIND_URL, 0), "https://tabs.example.net:8080/",
           "the URL before a tab");
    fd = nth(&f, FIND_CREDENTIAL, 2);
    ok(fd && strcmp(fd->identity, "omar") == 0 && pw_is(fd, text, "T4bs!pw"),
       "a line of tabs after a port keeps its own separator");
    extract_redact(text, strlen(text), &f);
    is_str(text, want, "passwords masked, the columns after a tab shown");
    findings_release(&f);
}

static void
test_stealer_blocks(void)
{
    struct findings f;
    const struct finding *fd;
    const char *text = "===============\n"
                       "URL: https://online.northwind.com/login\n"
                       "Username: John.Doe@gmail.com\n"
                       "Password: Fb2023!pass\n"
                       "Application: Google_[Chrome]_Default\n"
                       "===============\n"
                       "SOFT: Chrome\n"
                       "URL:https://login.live.com/\n"
                       "USER:jdoe\n"
                       "PASS:correct horse battery\r\n"
                       "\n"
                       "Soft: Vidar\nHost: ftp.example.org\nLogin: ftpuser\n"
                       "Profile: 1\nPassword: Xy7!pQ\n";

    runs(text, &f);
    is(count(&f, FIND_CREDENTIAL), 3, "one credential per block");
    fd = nth(&f, FIND_CREDENTIAL, 0);
    ok(fd && strcmp(fd->identity, "john.doe@gmail.com") == 0 &&
           strcmp(fd->domain, "online.northwind.com") == 0 && fd->watched,
       "RedLine block: identity, the URL's host, watched");
    ok(fd && fd->offset == at(text, "URL: https://online") &&
           fd->offset + fd->len == at(text, "Fb2023!pass") + 11,
       "the finding spans the block from its URL line to the password");
    ok(pw_is(fd, text, "Fb2023!pass"), "password span: the value only");
    ok(fd && fd->confidence == 90, "a block with a URL: confidence 90");
    fd = nth(&f, FIND_CREDENTIAL, 1);
    ok(fd && strcmp(fd->identity, "jdoe") == 0 &&
           strcmp(fd->domain, "login.live.com") == 0 &&
           pw_is(fd, text, "correct horse battery"),
       "Raccoon block: upper-case labels, a password with blanks");
    fd = nth(&f, FIND_CREDENTIAL, 2);
    ok(fd && strcmp(fd->identity, "ftpuser") == 0 &&
           strcmp(fd->domain, "ftp.example.org") == 0 &&
           pw_is(fd, text, "Xy7!pQ"),
       "Vidar block: Host and Login labels, a line between");
    is_str(val(&f, FIND_URL, 0), "https://online.northwind.com/login",
           "the URL line is a URL finding");
    findings_release(&f);

    runs("User: bob\nPassword: ********\n"
         "Username: admin\nPassword: <redacted>\n"
         "user: alice\n\nlater\nPassword: hunter22\n"
         "URL: https://example.com/\nPassword: Xk9#mQ2$vLp!\n",
         &f);
    is(count(&f, FIND_CREDENTIAL), 0,
       "masks, placeholders, a gap, no user: no credential");
    findings_release(&f);
}

static void
test_userinfo(void)
{
    struct findings f, g;
    const struct finding *fd, *fg;
    const char *text = "git clone https://Deploy:Xy7!pQ@Git.Northwind.com/x.git\n"
                       "ftp://backup:p%40ss@10.0.0.5/dump and "
                       "redis://:password@127.0.0.1:6379/0 "
                       "ftp://anonymous:guest@ftp.example.org/pub "
                       "postgres://u:password@db.example.com/d\n";

    runs(text, &f);
    is(count(&f, FIND_CREDENTIAL), 2, "two credentials in URLs");
    fd = nth(&f, FIND_CREDENTIAL, 0);
    ok(fd && strcmp(fd->identity, "deploy") == 0 &&
           strcmp(fd->domain, "git.northwind.com") == 0 && fd->watched,
       "user lowercased, the host is the domain, watched");
    ok(pw_is(fd, text, "Xy7!pQ") && fd->offset == at(text, "Deploy"),
       "password span: the user info's password only");
    is_str(val(&f, FIND_CREDENTIAL, 0), "deploy:9cfed5f17bbcd687",
           "value: user and HMAC prefix");
    fd = nth(&f, FIND_CREDENTIAL, 1);
    runs("z@example.org:p@ss\n", &g);
    fg = nth(&g, FIND_CREDENTIAL, 0);
    ok(fd && fg && memcmp(fd->pw_hmac, fg->pw_hmac, 32) == 0 &&
           strcmp(fd->pw_hint, "p**s(4)") == 0 &&
           pw_is(fd, text, "p%40ss"),
       "percent-encoded password: hashed decoded, span as written");
    is_str(fd ? fd->domain : "(none)", "10.0.0.5", "an IPv4 host");
    is_str(val(&f, FIND_URL, 0), "https://git.northwind.com/x.git",
           "a URL's value has no user info, so it is kept");
    is_str(val(&f, FIND_URL, 1), "ftp://10.0.0.5/dump", "ftp, IPv4 host");
    is_str(val(&f, FIND_URL, 2), "ftp://ftp.example.org/pub",
           "anonymous FTP, without its login");
    is(count(&f, FIND_URL), 3, "three URL findings, none for redis://");
    is_str(val(&f, FIND_DOMAIN, 0), "git.northwind.com",
           "the host is a domain too");
    findings_release(&g);
    findings_release(&f);
}

static void
test_labelled(void)
{
    struct findings f;
    const struct finding *fd;
    const char *text = "login: Admin password: Adm1n!2024\n"
                       "email: dave@nw-mail.com pwd: Xy7!pQ.\n"
                       "Login: frank\nPassword: Winter2024!\n"
                       "{\"username\": \"gina\", \"password\": \"S3cret!pw\"}\n"
                       "\xd0\x9b\xd0\xbe\xd0\xb3\xd0\xb8\xd0\xbd: ivan "
                       "\xd0\x9f\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c: "
                       "Tr0ub4dor\n";

    runs(text, &f);
    is(count(&f, FIND_CREDENTIAL), 5, "five labelled credentials");
    fd = nth(&f, FIND_CREDENTIAL, 0);
    ok(fd && strcmp(fd->identity, "admin") == 0 && fd->domain == NULL &&
           fd->offset == 0 && pw_is(fd, text, "Adm1n!2024"),
       "one line: user, password, span from the user label");
    fd = nth(&f, FIND_CREDENTIAL, 1);
    ok(fd && strcmp(fd->domain, "nw-mail.com") == 0 && fd->watched &&
           fd->pw_len == 6,
       "an e-mail identity gives the domain; the sentence's dot is no "
       "part of the password");
    fd = nth(&f, FIND_CREDENTIAL, 2);
    ok(fd && strcmp(fd->identity, "frank") == 0 &&
           pw_is(fd, text, "Winter2024!"),
       "two lines");
    fd = nth(&f, FIND_CREDENTIAL, 3);
    ok(fd && strcmp(fd->identity, "gina") == 0 &&
           pw_is(fd, text, "S3cret!pw"),
       "JSON: the quotes are no part of the values");
    fd = nth(&f, FIND_CREDENTIAL, 4);
    ok(fd && strcmp(fd->identity, "ivan") == 0 &&
           pw_is(fd, text, "Tr0ub4dor"),
       "Russian labels");
    is(count(&f, FIND_SECRET), 0, "a credential's password is no secret too");
    findings_release(&f);

    runs("login: admin password: changeme\nuser=admin&pass=Adm1n!\n"
         "The default login: admin / password: password\n"
         "Enter username: and password: to continue\n"
         "jdbc:mysql://h:3306/db?user=root&password=root\n",
         &f);
    is(count(&f, FIND_CREDENTIAL), 0,
       "placeholders, query strings, prose: no credential");
    findings_release(&f);
}

static void
test_generic_secrets(void)
{
    struct findings f;
    char text[] = "api_key = \"a8f5f167f44f4964e6c998dee827110c\"\n"
                  "SECRET_KEY=9f8e7d6c5b4a3Z2Y1X0W\n"
                  "aws_secret_access_key = "
                  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
                  "AKIAIOSFODNN7EXAMPLE,Tg8YvN2pQ7rX4kLm9ZsB1cWd5HfJ0aUe3iOyP6Gq\n"
                  "password = changeme\ntoken: <your-token-here>\n"
                  "api_key = YOUR_API_KEY\nsecret = ${SECRET}\n"
                  "secret = true\npublic_key = \"MFkwEwYHKoZIzj0CAQYIKo\"\n";
    const char *want = "api_key = \"********************************\"\n"
                       "SECRET_KEY=********************\n"
                       "aws_secret_access_key = "
                       "****************************************\n"
                       "********************,"
                       "****************************************\n"
                       "password = changeme\ntoken: <your-token-here>\n"
                       "api_key = YOUR_API_KEY\nsecret = ${SECRET}\n"
                       "secret = true\npublic_key = \"MFkwEwYHKoZIzj0CAQYIKo\"\n";

    runs(text, &f);
    is(count(&f, FIND_SECRET), 5, "two generic secrets, two AWS secrets, "
                                  "one AWS key id");
    is_str(val(&f, FIND_SECRET, 0), "generic_secret:a8f5\xe2\x80\xa6"
                                    "110c",
           "generic secret: type, first and last four");
    ok(nth(&f, FIND_SECRET, 0) &&
           nth(&f, FIND_SECRET, 0)->offset == at(text, "a8f5") &&
           nth(&f, FIND_SECRET, 0)->len == 32,
       "the finding is the value, without its quotes");
    is_str(val(&f, FIND_SECRET, 2), "aws_secret_key:wJal\xe2\x80\xa6"
                                    "EKEY",
           "AWS secret after its name");
    is_str(val(&f, FIND_SECRET, 4), "aws_secret_key:Tg8Y\xe2\x80\xa6"
                                    "P6Gq",
           "AWS secret next to its key id");
    ok(nowhere(&f, "a8f5f167") && nowhere(&f, "7d6c5b4a") &&
           nowhere(&f, "bPxRfi"),
       "no secret in any finding");
    extract_redact(text, strlen(text), &f);
    is_str(text, want, "names kept, values masked, placeholders untouched");
    findings_release(&f);
}

/* Columns after a combo's password: a tab or a checker's capture " | "
   ends it and stays in clear; '|' or ';' again ends it, masked on. */
static void
test_columns(void)
{
    struct findings f;
    char text[] = "alice@example.org:Al1ce_pw | Points = 500 | Country = DE\n"
                  "bob@example.org:Bob pw 2\t[US]\n"
                  "carol@example.org;C4rol;Carol Smith;1980\n"
                  "https://x.example.net/login:dave@example.org:D4ve! | "
                  "Plan = Premium\n"
                  "erin@example.org:Er1n:more:colons\n";
    const char *want =
        "alice@example.org:******** | Points = 500 | Country = DE\n"
        "bob@example.org:********\t[US]\n"
        "carol@example.org;**********************\n"
        "https://x.example.net/login:dave@example.org:***** | "
        "Plan = Premium\n"
        "erin@example.org:****************\n";
    const char *hints[] = { "A******w(8)", "B******2(8)", "C***l(5)",
                            "D***!(5)", "E********s(16)" };
    const struct finding *fd;
    size_t i;

    runs(text, &f);
    is(count(&f, FIND_CREDENTIAL), 5, "five combo lines with columns");
    for (i = 0; i < 5; i++) {
        fd = nth(&f, FIND_CREDENTIAL, i);
        ok(fd != NULL && strcmp(fd->pw_hint, hints[i]) == 0,
           "line %zu: hint %s", i + 1, hints[i]);
    }
    fd = nth(&f, FIND_CREDENTIAL, 0);
    ok(fd != NULL && fd->len == strlen("alice@example.org:Al1ce_pw"),
       "a capture is no part of the finding");
    extract_redact(text, strlen(text), &f);
    is_str(text, want, "captures and tab columns shown, ';' columns masked");
    findings_release(&f);
}

static void
test_new_forms_redact(void)
{
    struct findings f;
    char text[] = "Fresh combo\njsmith:Password123\n"
                  "https://site.example.com/login|bob@example.org|Fb2023!pass\n"
                  "URL: https://x.example.com/\nUSER: carol\nPASS: S3cret!pw\n"
                  "see https://dave:Xy7!pQ@h.example.com/ now\n"
                  "login: erin password: Winter2024!\n";
    const char *want = "Fresh combo\njsmith:***********\n"
                       "https://site.example.com/login|bob@example.org|"
                       "***********\n"
                       "URL: https://x.example.com/\nUSER: carol\n"
                       "PASS: *********\n"
                       "see https://dave:******@h.example.com/ now\n"
                       "login: erin password: ***********\n";
    size_t i;
    bool masked = true;

    runs(text, &f);
    is(count(&f, FIND_CREDENTIAL), 5, "one credential of each form");
    extract_redact(text, strlen(text), &f);
    is_str(text, want, "extract_redact masks every password span");
    for (i = 0; i < f.n; i++) {
        char *snip = extract_snippet(text, strlen(text), &f.v[i]);

        if (strstr(snip, "Password123") || strstr(snip, "Fb2023") ||
            strstr(snip, "S3cret") || strstr(snip, "Xy7!") ||
            strstr(snip, "Winter2024"))
            masked = false;
        x_free(snip);
    }
    ok(masked, "no snippet holds a password");
    findings_release(&f);
}

/* Adversarial inputs for the new forms stay linear (the test would time
   out otherwise) and find nothing. */
static void
test_credential_worst_cases(void)
{
    static const char *const units[] = {
        "password:", "a:", "http://a:b", "user: x pass:", "URL: a\n",
        "x.com:a:", "@", ":", "key=",
    };
    struct buf t = BUF_INIT(2u << 20);
    struct findings f;
    size_t i;

    for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        buf_reset(&t);
        while (t.len < (1u << 20))
            buf_adds(&t, units[i]);
        run(t.ptr, t.len, &f);
        ok(count(&f, FIND_SECRET) == 0,
           "1 MB of '%s' runs and holds no secret", units[i]);
        findings_release(&f);
    }
    buf_release(&t);
}

static void
test_brand(void)
{
    struct findings f;
    const struct finding *fd;

    runs("NORTHWIND BANK warns; Northwind staff; Northwindows; "
         "xNorthwind; northwind_x; Northwind\nBank; jane q. doe said",
         &f);
    is(count(&f, FIND_BRAND), 4, "four brand mentions");
    fd = nth(&f, FIND_BRAND, 0);
    if (fd != NULL) {
        is_str(fd->value, "northwind bank", "longest term wins, lowercased");
        is(fd->offset, 0, "brand offset");
        is(fd->len, 14, "brand length");
        is(fd->term, 1, "term index of Northwind Bank");
        ok(fd->watched, "brand mentions are watched");
    }
    fd = nth(&f, FIND_BRAND, 1);
    ok(fd && strcmp(fd->value, "northwind") == 0 && fd->term == 0 &&
           fd->offset == 22,
       "shorter term alone elsewhere");
    is_str(val(&f, FIND_BRAND, 2), "northwind bank",
           "term matches across a line break");
    is_str(val(&f, FIND_BRAND, 3), "jane q. doe",
           "executive with punctuation, any case");
    fd = nth(&f, FIND_BRAND, 0);
    ok(fd && fd->confidence > nth(&f, FIND_BRAND, 1)->confidence,
       "multi-word term more confident");
    findings_release(&f);

    runs("\xc3\xa9Northwind and caf\xc3\xa9 Northwind\xc3\xa9", &f);
    is(count(&f, FIND_BRAND), 0, "letters outside ASCII are word parts");
    findings_release(&f);

    runs("N0rthw1nd B4nk, \xef\xbc\xae\xef\xbd\x8frthwind and "
         "Nort\xd2\xbbwind", &f);
    fd = nth(&f, FIND_BRAND, 0);
    ok(fd && strcmp(fd->value, "northwind bank") == 0 && fd->variant &&
           fd->offset == 0 && fd->len == 14,
       "a leet variant: the term's value, flagged, its span as written");
    fd = nth(&f, FIND_BRAND, 1);
    ok(fd && strcmp(fd->value, "northwind") == 0 && !fd->variant &&
           fd->offset == 16 && fd->len == 13,
       "fullwidth letters are the term itself (NFKC): no variant");
    fd = nth(&f, FIND_BRAND, 2);
    ok(fd && fd->variant && fd->offset == 34 && fd->len == 10,
       "a Cyrillic letter inside: a variant, span in bytes");
    findings_release(&f);
}

static void
test_ipv4(void)
{
    struct findings f;

    runs("c2 at 185.220.101[.]47 and 8.8.8.8, 010.001.0.9; "
         "v 1.2.3.4.5 and 256.1.1.1 and 1.2.3 and 9.9.9.9.com "
         "and 5.6.7.8(.)9 and 1[.]2[.]3[.]4 end",
         &f);
    is(count(&f, FIND_IPV4), 5, "five addresses");
    is_str(val(&f, FIND_IPV4, 0), "185.220.101.47", "refanged [.]");
    is_str(val(&f, FIND_IPV4, 1), "8.8.8.8", "plain quad");
    is_str(val(&f, FIND_IPV4, 2), "10.1.0.9", "leading zeros dropped");
    is_str(val(&f, FIND_IPV4, 3), "9.9.9.9", "followed by a name");
    is_str(val(&f, FIND_IPV4, 4), "1.2.3.4", "all dots defanged");
    ok(nth(&f, FIND_IPV4, 0) && nth(&f, FIND_IPV4, 0)->len == 16,
       "raw span keeps the brackets");
    ok(nth(&f, FIND_IPV4, 2) && nth(&f, FIND_IPV4, 2)->confidence <
                                    nth(&f, FIND_IPV4, 1)->confidence,
       "private address less confident");
    findings_release(&f);

    runs("version 1.2.3.4.5 build", &f);
    is(count(&f, FIND_IPV4), 0, "1.2.3.4.5 gives no ipv4");
    findings_release(&f);
}

static void
test_domain(void)
{
    struct findings f;
    const struct finding *fd;

    runs("see invoice.pdf, setup.exe, app.js, index.php and "
         "evil[.]com, Login.NorthWind.com. and paypal-secure(.)xyz "
         "and abc.onion and 3.14 and foo.notatld and setup.py",
         &f);
    is(count(&f, FIND_DOMAIN), 3, "three domains, no file names");
    is_str(val(&f, FIND_DOMAIN, 0), "evil.com", "refanged [.]");
    is_str(val(&f, FIND_DOMAIN, 1), "login.northwind.com",
           "lowercased, sentence dot dropped");
    fd = nth(&f, FIND_DOMAIN, 1);
    ok(fd && fd->watched && fd->term == 3, "watched subdomain");
    is_str(val(&f, FIND_DOMAIN, 2), "paypal-secure.xyz", "refanged (.)");
    ok(nowhere(&f, "abc.onion"), "an .onion name is never a domain");
    fd = nth(&f, FIND_DOMAIN, 0);
    ok(fd && !fd->watched, "unwatched domain");
    findings_release(&f);

    runs("evil[dot]ru", &f);
    is_str(val(&f, FIND_DOMAIN, 0), "evil.ru", "refanged [dot]");
    findings_release(&f);
}

static void
test_url(void)
{
    struct findings f;

    runs("go to hxxps[:]//Evil[.]COM/Login?x=A). or "
         "(http://WWW.Example.com/a_(b)) and ftp://files.example.org/x, "
         "HTTP://user@Host.Example.org:8080/P and http:// and "
         "nothttp://example.com/",
         &f);
    is(count(&f, FIND_URL), 4, "four URLs");
    is_str(val(&f, FIND_URL, 0), "https://evil.com/Login?x=A",
           "refanged, trailing ). trimmed, path case kept");
    is_str(val(&f, FIND_URL, 1), "http://www.example.com/a_(b)",
           "balanced parenthesis kept, outer one trimmed");
    is_str(val(&f, FIND_URL, 2), "ftp://files.example.org/x", "ftp");
    is_str(val(&f, FIND_URL, 3), "http://host.example.org:8080/P",
           "scheme and host lowercased, no user name");
    findings_release(&f);
}

/* IDN names: found in U-labels and A-labels, valued in A-labels. */
static void
test_idn_domain(void)
{
    struct findings f;
    const struct finding *fd;

    runs("Книжный bücher.de, пример.рф и 例え.jp; XN--BCHER-KVA.DE; "
         "paypаl.com", &f);
    is(count(&f, FIND_DOMAIN), 5, "five IDN domains");
    is_str(val(&f, FIND_DOMAIN, 0), "xn--bcher-kva.de", "U-labels");
    fd = nth(&f, FIND_DOMAIN, 0);
    ok(fd && fd->unicode && strcmp(fd->unicode, "bücher.de") == 0,
       "the U-label form in unicode");
    ok(fd && fd->offset == 15 && fd->len == strlen("bücher.de"),
       "span of the name as written");
    is_str(val(&f, FIND_DOMAIN, 1), "xn--e1afmkfd.xn--p1ai", "Cyrillic");
    is_str(val(&f, FIND_DOMAIN, 2), "xn--r8jz45g.jp", "Japanese, ASCII TLD");
    is_str(val(&f, FIND_DOMAIN, 3), "xn--bcher-kva.de",
           "A-labels lowercased");
    fd = nth(&f, FIND_DOMAIN, 3);
    ok(fd && fd->unicode && strcmp(fd->unicode, "bücher.de") == 0,
       "an A-label name gets its U-label form too");
    is_str(val(&f, FIND_DOMAIN, 4), "xn--paypl-7ve.com",
           "a homograph with one Cyrillic letter");
    findings_release(&f);

    runs("example.com has no unicode form", &f);
    fd = nth(&f, FIND_DOMAIN, 0);
    ok(fd && fd->unicode == NULL, "ASCII names have no unicode form");
    findings_release(&f);

    runs("mail.bücher.de bücher.example.com почта.example.com "
         "пример.com.ru", &f);
    is_str(val(&f, FIND_DOMAIN, 0), "mail.xn--bcher-kva.de",
           "ASCII subdomain of an IDN");
    is_str(val(&f, FIND_DOMAIN, 1), "example.com",
           "Unicode subdomain labels of an ASCII name left out");
    is_str(val(&f, FIND_DOMAIN, 2), "example.com", "the same in Cyrillic");
    is_str(val(&f, FIND_DOMAIN, 3), "xn--e1afmkfd.com.ru",
           "registrable under a two-label suffix");
    is(count(&f, FIND_DOMAIN), 4, "and no public suffix alone (com.ru)");
    findings_release(&f);

    runs("пример[.]рф bücher(dot)de bücher[dot]de bücher(.)de", &f);
    is(count(&f, FIND_DOMAIN), 4, "defanged IDN");
    fd = nth(&f, FIND_DOMAIN, 0);
    ok(fd && strcmp(fd->value, "xn--e1afmkfd.xn--p1ai") == 0 &&
           fd->confidence > 70,
       "refanged, with the confidence of a marked indicator");
    findings_release(&f);

    runs("г.Москва т.е. г.москва xn--zz.com xn--a.com i♥.ws файл.pdf "
         "скрипт.py логгер.info(x) Привет.Как bücher_x.de ü..com "
         "Hauptstraße.Berlin объект.свойство", &f);
    is(count(&f, FIND_DOMAIN), 0, "no sentences, invalid IDN, files, code");
    findings_release(&f);

    /* Left out so that the prefilter stays cheap (see re_idn). */
    runs("nic.みんな example.рф", &f);
    is(count(&f, FIND_DOMAIN), 0, "only the last label in Unicode");
    findings_release(&f);

    runs("jane@пример.рф and Bob@Bücher.de", &f);
    is(count(&f, FIND_EMAIL), 2, "e-mail addresses at IDN domains");
    is_str(val(&f, FIND_EMAIL, 0), "jane@xn--e1afmkfd.xn--p1ai",
           "e-mail value in A-labels");
    fd = nth(&f, FIND_EMAIL, 0);
    ok(fd && fd->unicode && strcmp(fd->unicode, "jane@пример.рф") == 0,
       "e-mail U-label form");
    ok(fd && fd->watched && fd->term == 7,
       "email_domain watched in A-labels matches a Unicode address");
    is_str(val(&f, FIND_EMAIL, 1), "bob@xn--bcher-kva.de",
           "local part and domain lowercased");
    findings_release(&f);

    runs("abuse@xn--zz.com", &f);
    is(count(&f, FIND_EMAIL), 0, "no e-mail at an invalid A-label");
    findings_release(&f);
}

/* A watched domain matches in either form, whichever form it is given in. */
static void
test_idn_watched(void)
{
    struct findings f;
    const struct finding *fd;

    runs("shop.bücher.de xn--bcher-kva.de shop.xn--e1afmkfd.xn--p1ai "
         "bücherei.de", &f);
    fd = nth(&f, FIND_DOMAIN, 0);
    ok(fd && fd->watched && fd->term == 6,
       "U-label subdomain of a domain watched in U-labels");
    fd = nth(&f, FIND_DOMAIN, 1);
    ok(fd && fd->watched && fd->term == 6, "A-label form of it");
    fd = nth(&f, FIND_DOMAIN, 2);
    ok(fd && fd->watched && fd->term == 7,
       "A-label subdomain of a domain watched in A-labels");
    fd = nth(&f, FIND_DOMAIN, 3);
    ok(fd && !fd->watched, "another name is not watched");
    findings_release(&f);
}

/* The ways URLs are written: defanged, with credentials, IDN, onion. */
static void
test_url_forms(void)
{
    struct findings f;
    const struct finding *fd;

    runs("h**ps://evil[.]com/a[.]php hXXp[://]evil.example.org/x "
         "http[:]//45.9.148[.]12/b H**P://x(dot)example/y "
         "hxxp://ulhaixel[[.]]org/gate https://plain.example/a[.]b", &f);
    is(count(&f, FIND_URL), 6, "six URLs");
    is_str(val(&f, FIND_URL, 0), "https://evil.com/a.php",
           "h**ps and [.] throughout");
    is_str(val(&f, FIND_URL, 1), "http://evil.example.org/x",
           "hXXp and [://]");
    is_str(val(&f, FIND_URL, 2), "http://45.9.148.12/b", "[:]// and an IP");
    is_str(val(&f, FIND_URL, 3), "http://x.example/y", "H**P and (dot)");
    is_str(val(&f, FIND_URL, 4), "http://ulhaixel.org/gate",
           "defanged twice");
    is_str(val(&f, FIND_URL, 5), "https://plain.example/a[.]b",
           "a plain URL keeps its path as written");
    fd = nth(&f, FIND_URL, 0);
    ok(fd && fd->confidence == 95, "defanged URL: a marked indicator");
    fd = nth(&f, FIND_URL, 5);
    ok(fd && fd->confidence == 85, "plain URL");
    findings_release(&f);

    runs("https://user:s3cr3t@Login.Example.com:443/a?b=c#frag and "
         "ftp://anonymous:guest@FTP.Example.ORG:21/pub/ and "
         "https://[2001:db8::7]:443/x", &f);
    is_str(val(&f, FIND_URL, 0), "https://login.example.com/a?b=c#frag",
           "no userinfo, no default port, fragment kept");
    is_str(val(&f, FIND_URL, 1), "ftp://ftp.example.org/pub/",
           "ftp without its login");
    is_str(val(&f, FIND_URL, 2), "https://[2001:db8::7]/x",
           "IPv6 host, default port dropped");
    ok(!field_has(val(&f, FIND_URL, 0), "s3cr3t") &&
           !field_has(val(&f, FIND_URL, 1), "guest"),
       "no URL value holds a password");
    fd = nth(&f, FIND_URL, 2);
    ok(fd && fd->confidence == 85, "IPv6 brackets are not defanging");
    findings_release(&f);

    runs("https://bücher.de/straße?q=1#ä hxxps://пример[.]рф/p "
         "看https://例え.jp/テスト and https://example.com解锁 "
         "«https://example.com/q» (https://example.com/r).", &f);
    is_str(val(&f, FIND_URL, 0), "https://xn--bcher-kva.de/straße?q=1#ä",
           "IDN host in A-labels, path as written");
    is_str(val(&f, FIND_URL, 1), "https://xn--e1afmkfd.xn--p1ai/p",
           "defanged IDN URL");
    is_str(val(&f, FIND_URL, 2), "https://xn--r8jz45g.jp/",
           "CJK host kept, CJK path cut");
    is_str(val(&f, FIND_URL, 3), "https://example.com/",
           "CJK after an ASCII host cut");
    is_str(val(&f, FIND_URL, 4), "https://example.com/q", "» trimmed");
    is_str(val(&f, FIND_URL, 5), "https://example.com/r", "). trimmed");
    findings_release(&f);

    runs("http://2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid"
         ".onion/forum?t=1", &f);
    is_str(val(&f, FIND_URL, 0),
           "http://2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid"
           ".onion/forum?t=1",
           "onion URL");
    is(count(&f, FIND_ONION), 1, "and its onion name");
    findings_release(&f);

    runs("https://xn--zz.com/ https://i♥.ws/ https://user@/p "
         "https://example.com:99999/ https:///p h**p hxxp[://] "
         "https://%zz.example/ https://例え/ sftp://x.example/", &f);
    is(count(&f, FIND_URL), 0, "nothing curl or IDNA refuses");
    findings_release(&f);
}

/* Unicode input that must stay linear: runs, dots, defanged dots. */
static void
test_idn_linear(void)
{
    struct findings f;
    struct buf t = BUF_INIT(4u << 20);
    size_t i;

    for (i = 0; i < (1u << 19); i++)
        buf_adds(&t, "ü.");
    is(run(t.ptr, t.len, &f), 0, "1 MB of 'ü.'");
    is(count(&f, FIND_DOMAIN), 0, "no domain in it");
    findings_release(&f);
    buf_reset(&t);
    for (i = 0; i < (1u << 18); i++)
        buf_adds(&t, "ü[.]");
    is(run(t.ptr, t.len, &f), 0, "1 MB of 'ü[.]'");
    findings_release(&f);
    buf_reset(&t);
    for (i = 0; i < 20000; i++)
        buf_adds(&t, "bücher.de ");
    is(run(t.ptr, t.len, &f), 0, "a long line of IDN names");
    is(count(&f, FIND_DOMAIN), 20000, "each found once");
    findings_release(&f);
    buf_release(&t);
}

static void
test_hashes(void)
{
    struct findings f;
    const char *md5 = "d41d8cd98f00b204e9800998ecf8427e";
    const char *sha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
    const char *sha256 =
        "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
    struct buf t = BUF_INIT(4096);
    size_t i;

    buf_addf(&t, "%s %s %s ", md5, sha1, sha256);
    for (i = 0; i < 128; i++)
        buf_addc(&t, "0123456789abcdef"[i % 16]);
    buf_addf(&t, " %s0 x%s %.31s g%s", md5, md5, md5, sha1);
    runs(buf_str(&t), &f);
    is_str(val(&f, FIND_MD5, 0), md5, "md5");
    is_str(val(&f, FIND_SHA1, 0), sha1, "sha1");
    is_str(val(&f, FIND_SHA256, 0),
           "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
           "sha256 lowercased");
    is(count(&f, FIND_SHA512), 1, "sha512");
    is(count(&f, FIND_MD5) + count(&f, FIND_SHA1), 2,
       "33 hex, 31 hex and hex glued to letters rejected");
    findings_release(&f);
    buf_release(&t);
}

static void
test_cve(void)
{
    struct findings f;

    runs("patch CVE-2021-44228, cve-2014-0160 and CVE-2024-1234567; "
         "not CVE-1998-0001, CVE-2100-1234, CVE-2021-123, "
         "CVE-2021-12345678, XCVE-2021-44228 or CVE-2021-44228x",
         &f);
    is(count(&f, FIND_CVE), 3, "three CVE ids");
    is_str(val(&f, FIND_CVE, 0), "CVE-2021-44228", "cve");
    is_str(val(&f, FIND_CVE, 1), "CVE-2014-0160", "cve uppercased");
    is_str(val(&f, FIND_CVE, 2), "CVE-2024-1234567", "seven digits");
    ok(nth(&f, FIND_CVE, 0) && nth(&f, FIND_CVE, 0)->offset == 6 &&
           nth(&f, FIND_CVE, 0)->len == 14,
       "cve span");
    findings_release(&f);

    runs("CVE-1999-0001 CVE-2099-9999", &f);
    is(count(&f, FIND_CVE), 2, "years 1999 and 2099 are in range");
    findings_release(&f);
}

static void
test_attack(void)
{
    struct findings f;
    const struct finding *a, *b;

    runs("used T1059 and T1059.001 (t1003), not AT1059, T10591, T105, "
         "T1059x, T1059.0011 or 1T1059",
         &f);
    is(count(&f, FIND_ATTACK_TECHNIQUE), 3, "three techniques");
    is_str(val(&f, FIND_ATTACK_TECHNIQUE, 0), "T1059", "technique");
    is_str(val(&f, FIND_ATTACK_TECHNIQUE, 1), "T1059.001", "sub-technique");
    is_str(val(&f, FIND_ATTACK_TECHNIQUE, 2), "T1003",
           "lowercase t uppercased");
    a = nth(&f, FIND_ATTACK_TECHNIQUE, 0);
    b = nth(&f, FIND_ATTACK_TECHNIQUE, 2);
    ok(a && b && b->confidence < a->confidence,
       "lowercase t less confident");
    findings_release(&f);
}

#define ONION3 "pgv4n5bhcpes6np3t2dwb4jd62aerroggj4mujtfdkmdzhbafocivmad"

static void
test_onion(void)
{
    struct findings f;
    const struct finding *fd;

    runs("mirror " ONION3 ".onion, old expyuzz4wqqyqhjn.onion", &f);
    is(count(&f, FIND_ONION), 2, "v3 and v2 onion names");
    fd = nth(&f, FIND_ONION, 0);
    is_str(val(&f, FIND_ONION, 0), ONION3 ".onion", "v3 onion");
    ok(fd && fd->confidence == 95 && fd->offset == 7 && fd->len == 62,
       "v3 checksum valid: confidence 95, span");
    fd = nth(&f, FIND_ONION, 1);
    is_str(val(&f, FIND_ONION, 1), "expyuzz4wqqyqhjn.onion", "v2 onion");
    ok(fd && fd->confidence == 30, "v2 is obsolete: confidence 30");
    is(count(&f, FIND_DOMAIN), 0, "onion names are not domains");
    findings_release(&f);

    runs("PGV4N5BHCPES6NP3T2DWB4JD62AERROGGJ4MUJTFDKMDZHBAFOCIVMAD.ONION",
         &f);
    is_str(val(&f, FIND_ONION, 0), ONION3 ".onion", "onion lowercased");
    findings_release(&f);

    /* One character changed: the checksum no longer holds. */
    runs("pgv4n5bhcpes6np3t2dwb4jd62aerroggj4mujtfdkmdzhbafocivmae.onion "
         "qgv4n5bhcpes6np3t2dwb4jd62aerroggj4mujtfdkmdzhbafocivmad.onion "
         "x" ONION3 ".onion " ONION3 ".onion.com abcdefgh.onion",
         &f);
    is(count(&f, FIND_ONION), 0,
       "bad checksum, glued, .onion.com and bad length rejected");
    is(count(&f, FIND_DOMAIN), 1, "only the .onion.com name is a domain");
    findings_release(&f);

    runs("http://www." ONION3 ".onion/forum", &f);
    is_str(val(&f, FIND_ONION, 0), ONION3 ".onion", "onion in a URL");
    is(count(&f, FIND_URL), 1, "the URL too");
    findings_release(&f);
}

static void
test_ipv6(void)
{
    struct findings f;
    const struct finding *a, *b;

    runs("at 2606:4700:4700:0000:0000:0000:0000:1111 and 2001:db8[:]:1, "
         "fe80::1%eth0, [::1]:8080, ::ffff:192.0.2.1 and FC00::A.",
         &f);
    is(count(&f, FIND_IPV6), 6, "six IPv6 addresses");
    is_str(val(&f, FIND_IPV6, 0), "2606:4700:4700::1111", "canonical form");
    is_str(val(&f, FIND_IPV6, 1), "2001:db8::1", "refanged [:]");
    is_str(val(&f, FIND_IPV6, 2), "fe80::1", "zone id not included");
    is_str(val(&f, FIND_IPV6, 3), "::1", "loopback in brackets");
    is_str(val(&f, FIND_IPV6, 4), "::ffff:192.0.2.1", "IPv4-mapped");
    is_str(val(&f, FIND_IPV6, 5), "fc00::a", "lowercased, sentence dot");
    a = nth(&f, FIND_IPV6, 0);
    b = nth(&f, FIND_IPV6, 1);
    ok(a && a->len == 39, "raw span");
    ok(b && b->len == 13, "raw span keeps the brackets");
    ok(a && b && a->confidence == 80 && b->confidence == 50,
       "documentation range less confident");
    ok(nth(&f, FIND_IPV6, 2) && nth(&f, FIND_IPV6, 2)->confidence == 50 &&
           nth(&f, FIND_IPV6, 3)->confidence == 50 &&
           nth(&f, FIND_IPV6, 5)->confidence == 50,
       "link-local, loopback and ULA less confident");
    findings_release(&f);

    runs("mac 00:11:22:33:44:55 eui 00:11:22:ff:fe:33:44:55 at 12:30:45, "
         "std::string, a :: b, dead::beef, 1:2:3:4:5:6:7:8:9, "
         "2001:db8::g1, 1::2::3, 12345::1",
         &f);
    is(count(&f, FIND_IPV6), 0,
       "MAC, EUI-64, time, C++, ::, no digit, too long, bad hex rejected");
    findings_release(&f);
}

/*
 * ipv6_text() writes what glibc's inet_ntop() writes: every address of
 * groups drawn from 0, 1, 0xffff, 0xfe80 and random values (zero runs of
 * every length and place, ties between runs, the IPv4-compatible and
 * -mapped forms), 200,000 of them.
 */
static void
test_ipv6_text(void)
{
    static const unsigned int groups[] = { 0, 0, 0, 1, 0xffff, 0xfe80, 0x10 };
    uint32_t seed = 5952;
    unsigned char a[16];
    char mine[EXTRACT_IPV6_TEXT], libc[INET6_ADDRSTRLEN];
    size_t i, k, bad = 0;
    unsigned int g;

    for (i = 0; i < 200000; i++) {
        for (k = 0; k < 8; k++) {
            seed = seed * 1103515245u + 12345u;
            g = (seed >> 16) % 10;
            seed = seed * 1103515245u + 12345u;
            g = g < 7 ? groups[g] : (seed >> 16) >> (g - 7) * 4;
            a[2 * k] = (unsigned char)(g >> 8);
            a[2 * k + 1] = (unsigned char)g;
        }
        ipv6_text(a, mine);
        if (inet_ntop(AF_INET6, a, libc, sizeof(libc)) == NULL ||
            strcmp(mine, libc) != 0) {
            if (bad++ < 5)
                diag("ipv6_text '%s', inet_ntop '%s'", mine, libc);
        }
    }
    is(bad, 0, "ipv6_text() is inet_ntop() on 200000 addresses");
}

/*
 * cred_url_host() reads plain URLs without curl: random URLs of schemes,
 * labels, dots, hyphens, ports, user info, paths, blanks, control and
 * UTF-8 bytes give the host curl gives (or none where curl gives none).
 */
static void
test_url_host(void)
{
    static const char *const heads[] = {
        "http://", "https://", "HTTPS://", "hTTp://", "ftp://", "http:/",
        "", "http://user:pw@", "https://a@",
    };
    static const char *const pieces[] = {
        "host", "Example", "com", "a", "b-c", "x1", "1", "255", "0x7f", ".",
        ".", "-", "_", ":", ":", "8080", "0", "65535", "65536", "080", "/",
        "/p", "?q=1", "#f", "@", "%41", " ", "\t", "\x7f", "\x01",
        "\xc3\xa9", "[::1]", "xn--bcher-kva", "\\",
    };
    char text[128], *a, *b;
    uint32_t seed = 817;
    size_t i, len, k, bad = 0, hosts = 0;

    for (i = 0; i < 20000; i++) {
        seed = seed * 1103515245u + 12345u;
        k = (seed >> 16) % (sizeof(heads) / sizeof(heads[0]));
        len = strlen(heads[k]);
        memcpy(text, heads[k], len);
        len += random_text(&seed, pieces, sizeof(pieces) / sizeof(pieces[0]),
                           8, text + len, sizeof(text) - len);
        a = cred_url_host(text, len);
        b = cred_url_host_curl(text, len);
        hosts += a != NULL;
        if ((a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0)) {
            if (bad++ < 5)
                diag("'%.*s': '%s', curl '%s'", (int)len, text,
                     a ? a : "(none)", b ? b : "(none)");
        }
        x_free(a);
        x_free(b);
    }
    ok(bad == 0 && hosts > 5000,
       "cred_url_host() is curl's on 20000 random URLs (%zu hosts)", hosts);
}

static void
test_btc(void)
{
    struct findings f;

    runs("send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 or "
         "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy or "
         "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq or "
         "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ or "
         "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
         &f);
    is(count(&f, FIND_BTC), 5, "five bitcoin addresses");
    is_str(val(&f, FIND_BTC, 0), "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
           "P2PKH");
    is_str(val(&f, FIND_BTC, 1), "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
           "P2SH");
    is_str(val(&f, FIND_BTC, 2), "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
           "bech32 v0");
    is_str(val(&f, FIND_BTC, 3), "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
           "uppercase bech32 lowercased");
    is_str(val(&f, FIND_BTC, 4),
           "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
           "bech32m v1 (taproot)");
    findings_release(&f);

    runs("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3 "
         "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLY "
         "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2x "
         "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr "
         "bc1qAR0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq "
         "bc1par0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq "
         "11111111111111111111111111111111",
         &f);
    is(count(&f, FIND_BTC), 0,
       "bad checksums, glued, mixed case, bech32 for v1 rejected");
    findings_release(&f);
}

static void
test_eth(void)
{
    struct findings f;
    const struct finding *fd;

    /* EIP-55's own examples, then one case throughout. */
    runs("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed "
         "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359 "
         "0x52908400098527886e0f7030069857d2e4169ee7 "
         "0xDE709F2102306220921060314715629080E2FB77",
         &f);
    is(count(&f, FIND_ETH), 4, "four ethereum addresses");
    is_str(val(&f, FIND_ETH, 0), "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
           "checksummed address lowercased");
    fd = nth(&f, FIND_ETH, 0);
    ok(fd && fd->confidence == 90, "EIP-55 checksum: confidence 90");
    fd = nth(&f, FIND_ETH, 2);
    ok(fd && fd->confidence == 70, "no checksum: confidence 70");
    is_str(val(&f, FIND_ETH, 3), "0xde709f2102306220921060314715629080e2fb77",
           "uppercase address");
    is(count(&f, FIND_SHA1), 0, "not a sha1 too");
    findings_release(&f);

    runs("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD "
         "0x52908400098527886e0f7030069857d2e4169ee7a "
         "0x52908400098527886e0f7030069857d2e4169e "
         "a0x52908400098527886e0f7030069857d2e4169ee7 "
         "0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
         &f);
    is(count(&f, FIND_ETH), 0,
       "bad checksum, 41 or 39 digits, glued, a 0x-prefixed hash rejected");
    findings_release(&f);
}

#define XMR_ADDR                                                              \
    "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98u" \
    "Nbr2VBBEt7f2wfn3RVGQBEP3A"

static void
test_xmr(void)
{
    struct findings f;
    char bad[] = XMR_ADDR;

    runs("donate " XMR_ADDR ".", &f);
    is(count(&f, FIND_XMR), 1, "monero address");
    is_str(val(&f, FIND_XMR, 0), XMR_ADDR, "value as written");
    ok(nth(&f, FIND_XMR, 0) && nth(&f, FIND_XMR, 0)->confidence == 90,
       "checksum valid: confidence 90");
    findings_release(&f);

    bad[94] = 'B';
    runs(bad, &f);
    is(count(&f, FIND_XMR), 0, "bad checksum rejected");
    findings_release(&f);
    runs(XMR_ADDR "1 x" XMR_ADDR, &f);
    is(count(&f, FIND_XMR), 0, "96 characters or glued rejected");
    findings_release(&f);
}

static void
test_card(void)
{
    struct findings f;
    const struct finding *fd;

    runs("card: 4111 1111 1111 1111 exp 12/25; 5500-0000-0000-0004; "
         "order 378282246310005 and 3782 822463 10005 and "
         "6011111111111117 2223000048400011 3530111333300000",
         &f);
    is(count(&f, FIND_CARD), 7, "seven card numbers");
    fd = nth(&f, FIND_CARD, 0);
    is_str(val(&f, FIND_CARD, 0), "411111******1111",
           "masked: BIN and last four");
    ok(fd && fd->offset == 6 && fd->len == 19, "span with the spaces");
    ok(fd && fd->confidence == 90, "context word: confidence 90");
    is_str(val(&f, FIND_CARD, 1), "550000******0004", "mastercard, dashes");
    is_str(val(&f, FIND_CARD, 2), "378282*****0005", "amex");
    fd = nth(&f, FIND_CARD, 4);
    ok(fd && fd->confidence == 80, "no context word: confidence 80");
    is_str(val(&f, FIND_CARD, 3), "378282*****0005", "amex 4-6-5 groups");
    is_str(val(&f, FIND_CARD, 4), "601111******1117", "discover");
    is_str(val(&f, FIND_CARD, 5), "222300******0011", "mastercard 2-series");
    is_str(val(&f, FIND_CARD, 6), "353011******0000", "jcb");
    ok(nowhere(&f, "4111111111111111") && nowhere(&f, "1111 1111"),
       "no card number in any finding");
    findings_release(&f);

    runs("4111111111111112 1234567812345670 41111111111111111 "
         "x4111111111111111 94111111111111111 4111 1111 1111 11111 "
         "4111-1111-1111-1111-1111 4111 1111-1111 1111 5105105105105100x "
         "4111111111111",
         &f);
    is(count(&f, FIND_CARD), 0,
       "bad Luhn, unknown issuer, bad length, glued, mixed separators");
    findings_release(&f);
}

static void
test_secret(void)
{
    struct findings f;
    struct buf t = BUF_INIT(4096);
    size_t i;

    buf_adds(&t, "k AKIAIOSFODNN7EXAMPLE g "
                 "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 p github_pat_");
    for (i = 0; i < 82; i++)
        buf_addc(&t, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789"[i % 37]);
    buf_adds(&t, " l glpat-Zx9y8W7v6U5t4S3r2Q1p "
                 "s xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx "
                 "t sk_live_4eC39HqLyjWDarjtT1zdp7dc "
                 "a AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI "
                 "j eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3"
                 "ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c\n"
                 "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA3Tz2mr7\n"
                 "-----END RSA PRIVATE KEY-----\n"
                 "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEA\n"
                 "-----END OPENSSH PRIVATE KEY-----\n"
                 "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF\n"
                 "-----END PGP PRIVATE KEY BLOCK-----\n"
                 "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhk\n"
                 "Proc-Type: 4,ENCRYPTED\n\nMIIEvQIBAD\nthe rest is cut\n");
    runs(buf_str(&t), &f);
    is(count(&f, FIND_SECRET), 12, "twelve secrets");
    is_str(val(&f, FIND_SECRET, 0), "aws_access_key:AKIA\xe2\x80\xa6MPLE",
           "aws key: type, first and last four");
    is_str(val(&f, FIND_SECRET, 1), "github_token:ghp_\xe2\x80\xa6INUx",
           "github token");
    is_str(val(&f, FIND_SECRET, 2), "github_token:gith\xe2\x80\xa6"
                                    "EFGH",
           "github fine-grained token");
    is_str(val(&f, FIND_SECRET, 3), "gitlab_token:glpa\xe2\x80\xa6"
                                    "2Q1p",
           "gitlab token");
    is_str(val(&f, FIND_SECRET, 4), "slack_token:xoxb\xe2\x80\xa6UvWx",
           "slack token");
    is_str(val(&f, FIND_SECRET, 5), "stripe_key:sk_l\xe2\x80\xa6p7dc",
           "stripe key");
    is_str(val(&f, FIND_SECRET, 6), "google_api_key:AIza\xe2\x80\xa6qsHI",
           "google api key");
    is_str(val(&f, FIND_SECRET, 7), "jwt:eyJh\xe2\x80\xa6sw5c", "jwt");
    is_str(val(&f, FIND_SECRET, 8), "private_key:rsa", "rsa key block");
    is_str(val(&f, FIND_SECRET, 9), "private_key:openssh", "openssh key");
    is_str(val(&f, FIND_SECRET, 10), "private_key:pgp", "pgp key block");
    is_str(val(&f, FIND_SECRET, 11), "private_key:pkcs8",
           "pkcs8 key cut short");
    ok(nowhere(&f, "IOSFODNN7") && nowhere(&f, "wWPw5k4a") &&
           nowhere(&f, "4eC39Hq") && nowhere(&f, "MIIEpA") &&
           nowhere(&f, "SflKxw"),
       "no secret in any finding");
    findings_release(&f);
    buf_release(&t);

    runs("AKIAIOSFODNN7EXAMPL AKIAIOSFODNN7EXAMPLEX xAKIAIOSFODNN7EXAMPLE "
         "akiaiosfodnn7example ghp_short glpat-short sk_test_4eC39HqLyjWDarjt"
         "T1zdp7dc AIzaShort eyJub3RhbGciOiJ4In0.eyJzdWIiOiIxIn0.abc "
         "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8\n",
         &f);
    is(count(&f, FIND_SECRET), 0,
       "short, long, glued, test keys, JWT without alg, public key");
    findings_release(&f);
}

static void
test_sensitive_redact(void)
{
    struct findings f;
    char text[] = "cc 4111-1111-1111-1111 key AKIAIOSFODNN7EXAMPLE at "
                  "https://x.example.com/?k=AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPz"
                  "qKqqsHI ok\n"
                  "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBk\n"
                  "-----END EC PRIVATE KEY-----\nbye\n";
    const char *want = "cc 4111-11**-****-1111 key ******************** at "
                       "https://x.example.com/?k=****************************"
                       "*********** ok\n"
                       "***********************************************"
                       "************************\nbye\n";
    const char *s;
    char *snip;
    size_t i;
    bool clean = true;

    runs(text, &f);
    is(count(&f, FIND_CARD), 1, "card");
    is(count(&f, FIND_SECRET), 3, "aws key, google key, ec key");
    is_str(val(&f, FIND_SECRET, 2), "private_key:ec", "ec key block");
    is(count(&f, FIND_URL), 0, "a URL holding a secret is dropped");
    is_str(val(&f, FIND_DOMAIN, 0), "x.example.com", "its domain is kept");
    extract_redact(text, strlen(text), &f);
    is_str(text, want, "card digits, secrets and key block masked");
    for (i = 0; i < f.n; i++) {
        snip = extract_snippet(text, strlen(text), &f.v[i]);
        s = snip;
        if (strstr(s, "IOSFODNN") || strstr(s, "MHcCAQ") ||
            strstr(s, "1111-1111"))
            clean = false;
        x_free(snip);
    }
    ok(clean, "no snippet of the redacted text holds a secret");
    findings_release(&f);

    /* A secret inside a password is vetoed like any other finding. */
    runs("a@example.org:AKIAIOSFODNN7EXAMPLE\n", &f);
    is(count(&f, FIND_SECRET), 0, "secret inside a password dropped");
    is(count(&f, FIND_CREDENTIAL), 1, "the credential stays");
    findings_release(&f);
}

static void
test_order_and_nul(void)
{
    struct findings f;
    static const char text[] = "8.8.4.4 first\0\xff\xfe bad bytes "
                               "\0 then ops@example.org and 1.1.1.1\0";
    size_t i;
    bool sorted = true;

    is(run(text, sizeof(text) - 1, &f), 0, "text with NUL and bad bytes");
    is_str(val(&f, FIND_EMAIL, 0), "ops@example.org", "e-mail after NUL");
    is_str(val(&f, FIND_IPV4, 1), "1.1.1.1", "ipv4 after NUL");
    for (i = 1; i < f.n; i++)
        if (f.v[i - 1].offset > f.v[i].offset)
            sorted = false;
    ok(sorted, "findings in offset order");
    findings_release(&f);

    findings_init(&f);
    is(extract_text(x, NULL, 0, &f), 0, "empty text");
    is(f.n, 0, "nothing in empty text");
    findings_release(&f);
}

static void
test_append(void)
{
    struct findings f;

    findings_init(&f);
    extract_text(x, "1.1.1.1", 7, &f);
    extract_text(x, "2.2.2.2", 7, &f);
    is(f.n, 2, "extract_text appends");
    is_str(val(&f, FIND_IPV4, 1), "2.2.2.2", "second call's finding last");
    findings_release(&f);
}

static void
test_snippet(void)
{
    struct findings f;
    struct buf t = BUF_INIT(4096);
    char *s;
    size_t i;

    for (i = 0; i < 100; i++)
        buf_adds(&t, "\xc3\xa9"); /* 200 bytes of 2-byte characters */
    buf_adds(&t, "x\t8.8.8.8\nz");
    for (i = 0; i < 100; i++)
        buf_adds(&t, "\xc3\xa9");
    runs(buf_str(&t), &f);
    s = extract_snippet(t.ptr, t.len, nth(&f, FIND_IPV4, 0));
    is_str(s,
           "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
           "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
           "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
           "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
           "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
           "x 8.8.8.8 z"
           "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
           "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
           "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
           "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
           "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
           "snippet cut at UTF-8 boundaries, tab and newline folded");
    x_free(s);
    findings_release(&f);
    buf_release(&t);
}

static void
test_too_many(void)
{
    struct findings f;
    struct buf t = BUF_INIT(8u << 20);
    size_t i;

    for (i = 0; i <= EXTRACT_MAX_FINDINGS; i++)
        buf_addf(&t, "%zu.%zu.%zu.%zu ", (i >> 24) & 255, (i >> 16) & 255,
                 (i >> 8) & 255, i & 255);
    is(run(t.ptr, t.len, &f), DRP_ETOOBIG, "too many findings");
    is(f.n, EXTRACT_MAX_FINDINGS, "the first ones kept");
    is_str(val(&f, FIND_IPV4, 0), "0.0.0.0", "first finding kept");
    findings_release(&f);
    buf_release(&t);
}

static void
test_long_value(void)
{
    struct findings f;
    struct buf t = BUF_INIT(8192);
    size_t i;

    buf_adds(&t, "http://example.com/");
    for (i = 0; i < EXTRACT_MAX_VALUE; i++)
        buf_addc(&t, 'a');
    runs(buf_str(&t), &f);
    is(count(&f, FIND_URL), 0, "overlong URL skipped");
    is(count(&f, FIND_DOMAIN), 1, "its domain still found");
    findings_release(&f);
    buf_release(&t);
}

static void
test_no_terms(void)
{
    struct extractor *bare = extractor_new(NULL, 0, NULL, 0);
    struct findings f;

    ok(bare != NULL, "extractor without terms or key");
    findings_init(&f);
    is(extract_text(bare, "Northwind\na@northwind.com:pw\n", 30, &f), 0,
       "runs");
    is(count(&f, FIND_BRAND), 0, "no terms, no brands");
    ok(nth(&f, FIND_CREDENTIAL, 0) &&
           !nth(&f, FIND_CREDENTIAL, 0)->watched,
       "credential found with an empty key, unwatched");
    findings_release(&f);
    extractor_free(bare);
}

int
main(void)
{
    x = extractor_new(terms, NTERMS, key, sizeof(key) - 1);
    if (!ok(x != NULL, "extractor compiles"))
        return done_testing();
    test_names();
    test_email();
    test_credentials();
    test_columns();
    test_hmac();
    test_not_credentials();
    test_password_vetoes();
    test_redact();
    test_userpass_lists();
    test_userpass_candidates();
    test_names_in_c();
    test_userinfo_in_c();
    test_labels_in_c();
    test_url_in_c();
    test_prefilter_cases();
    test_leet_masks();
    test_line_candidates();
    test_ulp();
    test_ulp_apps();
    test_stealer_blocks();
    test_userinfo();
    test_labelled();
    test_generic_secrets();
    test_new_forms_redact();
    test_credential_worst_cases();
    test_brand();
    test_ipv4();
    test_domain();
    test_url();
    test_idn_domain();
    test_idn_watched();
    test_url_forms();
    test_idn_linear();
    test_hashes();
    test_cve();
    test_attack();
    test_onion();
    test_ipv6();
    test_ipv6_text();
    test_url_host();
    test_btc();
    test_eth();
    test_xmr();
    test_card();
    test_secret();
    test_sensitive_redact();
    test_order_and_nul();
    test_append();
    test_snippet();
    test_too_many();
    test_long_value();
    test_no_terms();
    extractor_free(x);
    return done_testing();
}
