/*
 * Tests for extract/extract.c: each finding kind with positive and negative
 * cases, password handling (hmac, hint, redaction, no clear text in any
 * finding), ordering, NUL and invalid bytes, snippets and the caps.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/xalloc.h"
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
        is(fd->pw_len, 9, "later separators belong to the password");
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
         "and abc.onion and 3.14 and foo.bar",
         &f);
    is(count(&f, FIND_DOMAIN), 4, "four domains, no file names");
    is_str(val(&f, FIND_DOMAIN, 0), "evil.com", "refanged [.]");
    is_str(val(&f, FIND_DOMAIN, 1), "login.northwind.com",
           "lowercased, sentence dot dropped");
    fd = nth(&f, FIND_DOMAIN, 1);
    ok(fd && fd->watched && fd->term == 3, "watched subdomain");
    is_str(val(&f, FIND_DOMAIN, 2), "paypal-secure.xyz", "refanged (.)");
    is_str(val(&f, FIND_DOMAIN, 3), "abc.onion", "onion");
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
         "HTTP://user:PW@Host.Example.org:8080/P and http:// and "
         "nothttp://example.com/",
         &f);
    is(count(&f, FIND_URL), 4, "four URLs");
    is_str(val(&f, FIND_URL, 0), "https://evil.com/Login?x=A",
           "refanged, trailing ). trimmed, path case kept");
    is_str(val(&f, FIND_URL, 1), "http://www.example.com/a_(b)",
           "balanced parenthesis kept, outer one trimmed");
    is_str(val(&f, FIND_URL, 2), "ftp://files.example.org/x", "ftp");
    is_str(val(&f, FIND_URL, 3), "http://user:PW@host.example.org:8080/P",
           "scheme and host lowercased only");
    findings_release(&f);
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
    test_hmac();
    test_not_credentials();
    test_password_vetoes();
    test_redact();
    test_brand();
    test_ipv4();
    test_domain();
    test_url();
    test_hashes();
    test_order_and_nul();
    test_append();
    test_snippet();
    test_too_many();
    test_long_value();
    test_no_terms();
    extractor_free(x);
    return done_testing();
}
