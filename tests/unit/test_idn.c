/*
 * common/idn.c: host names to A-labels and back (IDNA2008, TR46
 * non-transitional), invalid labels refused, lengths capped.
 */
#include <stdlib.h>
#include <string.h>

#include "common/idn.h"
#include "tests/tap.h"

static void
to_ascii(const char *name, const char *want)
{
    char *got = idn_to_ascii(name, strlen(name), NULL);

    is_str(got, want, "A-labels of '%s'", name);
    free(got);
}

static void
to_unicode(const char *name, const char *want)
{
    char *got = idn_to_unicode(name);

    is_str(got, want, "U-labels of '%s'", name);
    free(got);
}

int
main(void)
{
    char big[IDN_MAX_INPUT + 2];
    char *s, *u;

    ok(!idn_applies("example.com", 11), "plain ASCII needs no IDN");
    ok(!idn_applies("axn--b.com", 10), "xn-- inside a label is not one");
    ok(idn_applies("www.XN--bcher-kva.de", 20), "an A-label needs IDN");
    ok(idn_applies("bücher.de", strlen("bücher.de")), "U-labels need IDN");

    to_ascii("bücher.de", "xn--bcher-kva.de");
    to_ascii("BÜCHER.DE", "xn--bcher-kva.de");
    to_ascii("пример.рф", "xn--e1afmkfd.xn--p1ai");
    to_ascii("例え.jp", "xn--r8jz45g.jp");
    to_ascii("faß.de", "xn--fa-hia.de");         /* non-transitional */
    to_ascii("paypаl.com", "xn--paypl-7ve.com"); /* Cyrillic а */
    to_ascii("XN--BCHER-KVA.de", "xn--bcher-kva.de");
    to_ascii("www.bücher.xn--p1ai", "www.xn--bcher-kva.xn--p1ai");
    to_ascii("xn--zz.com", NULL);    /* bad punycode */
    to_ascii("xn--abc.com", NULL);   /* decodes to nothing valid */
    to_ascii("i♥.ws", NULL);         /* a symbol: disallowed */
    to_ascii("ü-.com", NULL);        /* trailing hyphen */
    to_ascii("\xcc\x88u.com", NULL); /* leading combining mark */
    to_ascii("bücher_x.de", NULL);   /* not LDH */
    to_ascii("ü..com", NULL);        /* empty label */
    to_ascii(".ü.com", NULL);
    to_ascii("ü.com.", NULL); /* the caller strips the dot */
    to_ascii("", NULL);
    s = idn_to_ascii("b\0ü.de", 6, NULL);
    ok(s == NULL, "a NUL byte is refused");
    free(s);
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    big[1] = '.';
    s = idn_to_ascii(big, strlen(big), NULL);
    ok(s == NULL, "input past IDN_MAX_INPUT is refused");
    free(s);
    memcpy(big, "\xc3\xbc.", 3); /* "ü." and a label of 64 bytes */
    memset(big + 3, 'b', 64);
    memcpy(big + 67, ".de", 4);
    s = idn_to_ascii(big, strlen(big), NULL);
    ok(s == NULL, "a label of 64 bytes is refused");
    free(s);

    s = idn_to_ascii("www.BÜCHER.de", strlen("www.BÜCHER.de"), &u);
    is_str(s, "www.xn--bcher-kva.de", "A-labels with the U-label form");
    is_str(u, "www.bücher.de", "U-label form: mapped, lowercase");
    free(s);
    free(u);
    s = idn_to_ascii("xn--zz.com", 10, &u);
    ok(s == NULL && u == NULL, "no U-label form of an invalid name");

    to_unicode("xn--bcher-kva.de", "bücher.de");
    to_unicode("xn--e1afmkfd.xn--p1ai", "пример.рф");
    to_unicode("xn--80ak6aa92e.com", "аррӏе.com");
    to_unicode("example.com", "example.com");
    to_unicode("xn--a.com", NULL);
    to_unicode("xn--zz.com", NULL);
    to_unicode("xn--BCHER-KVA.de", NULL); /* not the canonical form */
    return done_testing();
}
