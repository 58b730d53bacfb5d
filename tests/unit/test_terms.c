/*
 * extract/terms.c: watch terms found in one pass, case-insensitive, on
 * word boundaries, leftmost-longest, through NUL and invalid bytes, with
 * many terms at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/xalloc.h"
#include "extract/terms.h"
#include "tests/tap.h"

static const char *terms[] = { "Northwind", "Northwind Bank", "NorthPay",
                               "Jane Q. Doe", "northwindbank.com" };

/* "term@off term@off ..." for the matches of text. */
static char *
show(const struct termset *ts, const char *text, size_t len, int *rc)
{
    struct term_match *v = NULL;
    size_t n = 0, i;
    struct buf b = BUF_INIT(1 << 20);

    *rc = termset_match(ts, text, len, &v, &n, 100);
    for (i = 0; i < n; i++)
        buf_addf(&b, "%s%s@%zu", i ? " " : "", terms[v[i].term], v[i].off);
    free(v);
    return buf_detach(&b, NULL);
}

static void
check(const struct termset *ts, const char *text, const char *want,
      const char *what)
{
    int rc;
    char *got = show(ts, text, strlen(text), &rc);

    is_str(got, want, "%s", what);
    free(got);
}

int
main(void)
{
    struct buf err = BUF_INIT(1024);
    struct termset *ts = termset_new(terms, 5, &err);
    struct termset *none;
    const char *bad[] = { "ok", "" };
    char *many[2000];
    char *got, *big;
    size_t i;
    int rc;

    ok(ts != NULL, "term set compiles");
    check(ts, "Selling Northwind Bank logs", "Northwind Bank@8",
          "the longest term wins at one place");
    check(ts, "NORTHWIND and northpay", "Northwind@0 NorthPay@14",
          "matching ignores ASCII case");
    check(ts, "Northwindows, XNorthPay, NorthPay2", "",
          "no match inside a longer word");
    check(ts, "Northwind Banking group", "Northwind@0",
          "a longer term that breaks a word falls back to the shorter");
    check(ts, "mail alice@northwindbank.com now",
          "northwindbank.com@11", "a domain term inside an address");
    check(ts, "cc: Jane Q. Doe, CEO", "Jane Q. Doe@4",
          "terms with dots and blanks");
    check(ts, "Северный Northwind банк", "Northwind@17",
          "terms next to other scripts are found after a blank");
    check(ts, "ÜberNorthwind", "",
          "a non-ASCII letter before the term is part of the word");
    check(ts, "«Northwind» и “NorthPay”", "Northwind@2 NorthPay@20",
          "typographic quotes are boundaries");
    check(ts, "我们是Northwind Bank客服", "Northwind Bank@9",
          "Han characters are not part of a Latin word");
    check(ts, "Northwind&nbsp;Bank and Northwind\xc2\xa0" "Bank, Northwind  Bank",
          "Northwind Bank@0 Northwind Bank@24 Northwind Bank@41",
          "a blank in a term matches &nbsp;, a no-break space, two blanks");
    check(ts, "Northwind\nBank", "Northwind Bank@0",
          "and a line end");
    check(ts, "Jane  Q.\xc2\xa0 Doe", "Jane Q. Doe@0",
          "and a mix of them between different words");
    check(ts, "Northwind Bankers", "Northwind@0",
          "the last word must end on a boundary too");
    got = show(ts, "x\0Northwind\xff\xfeNorthPay", 21, &rc);
    is_str(got, "Northwind@2 NorthPay@13",
           "NUL and invalid bytes do not stop the scan");
    free(got);

    big = xmalloc(1 << 20);
    for (i = 0; i + 10 <= (1 << 20); i += 10)
        memcpy(big + i, "NorthPay  ", 10);
    {
        struct term_match *v = NULL;
        size_t n = 0;

        rc = termset_match(ts, big, 1 << 20, &v, &n, 1000);
        is(rc, DRP_ETOOBIG, "more matches than the cap is DRP_ETOOBIG");
        is(n, 1000, "the first matches up to the cap are kept");
        free(v);
    }
    free(big);

    none = termset_new(NULL, 0, &err);
    got = show(none, "Northwind", 9, &rc);
    ok(none != NULL && rc == 0 && *got == '\0', "an empty set matches nothing");
    free(got);
    termset_free(none);
    buf_reset(&err);
    ok(termset_new(bad, 2, &err) == NULL &&
           strstr(buf_str(&err), "empty") != NULL,
       "an empty term is refused with a message");
    bad[1] = " \t ";
    buf_reset(&err);
    ok(termset_new(bad, 2, &err) == NULL &&
           strstr(buf_str(&err), "empty") != NULL,
       "so is a term of blanks only");

    for (i = 0; i < 2000; i++)
        many[i] = xasprintf("brand%zu corp", i);
    termset_free(ts);
    ts = termset_new((const char *const *)many, 2000, &err);
    {
        struct term_match *v = NULL;
        size_t n = 0;
        const char *text = "news: brand1999 corp and brand7 corp, brand70";

        rc = termset_match(ts, text, strlen(text), &v, &n, 100);
        ok(n == 2 && v[0].term == 1999 && v[1].term == 7,
           "2000 terms in one set: the right two found");
        free(v);
    }
    for (i = 0; i < 2000; i++)
        free(many[i]);
    termset_free(ts);
    buf_release(&err);
    return done_testing();
}
