/*
 * extract/terms.c: watch terms found in one pass, case-insensitive, on
 * word boundaries, leftmost-longest, through NUL and invalid bytes, with
 * many terms at once; Unicode folding (NFKC, case), lookalikes and
 * leetspeak, flagged as variants, with offsets in the text as given.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hs.h>

#include "common/err.h"
#include "common/xalloc.h"
#include "extract/fold.h"
#include "extract/terms.h"
#include "tests/tap.h"

static const char *terms[] = { "Northwind", "Northwind Bank", "NorthPay",
                               "Jane Q. Doe", "northwindbank.com", "PayPal",
                               "Müller", "Straße", "Microsoft", "Сбербанк",
                               "Нортвинд Банк", "Москва" };
#define NTERMS (sizeof(terms) / sizeof(terms[0]))

static int hits_diffs; /* texts matched otherwise through termset_hit() */

static int
on_hit(unsigned int id, unsigned long long from, unsigned long long to,
       unsigned int flags, void *arg)
{
    (void)flags;
    termset_hit(arg, id, from, to);
    return 0;
}

/*
 * termset_match() through the hits of a pass of the caller's own: the
 * set's expressions compiled here (as extract.c's prefilter holds them)
 * and their hits handed to termset_hit(). -1 when the set would not
 * take them (NULL from termset_hits_begin()).
 */
static int
match_by_hits(const struct termset *ts, const char *text, size_t len,
              struct term_match **v, size_t *n, size_t max)
{
    const char *const *exprs;
    const unsigned *flags, *ids;
    size_t k = termset_exprs(ts, &exprs, &flags, &ids);
    hs_database_t *db = NULL;
    hs_scratch_t *scratch = NULL;
    hs_compile_error_t *cerr = NULL;
    struct termset_hits *h = termset_hits_begin(ts, text, len, NULL, max);

    if (h == NULL)
        return -1;
    if (hs_compile_multi(exprs, flags, ids, (unsigned)k, HS_MODE_BLOCK, NULL,
                         &db, &cerr) != HS_SUCCESS ||
        hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
        diag("cannot compile the set's expressions");
        hs_free_compile_error(cerr);
        abort();
    }
    hs_scan(db, text, (unsigned)len, 0, scratch, on_hit, h);
    hs_free_scratch(scratch);
    hs_free_database(db);
    return termset_hits_end(h, v, n);
}

static bool
same(const struct term_match *v, const struct term_match *w, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (v[i].term != w[i].term || v[i].off != w[i].off ||
            v[i].len != w[i].len || v[i].variant != w[i].variant)
            return false;
    return true;
}

/* "term@off term@off ..." for the matches of text; the same through
   match_by_hits(), or hits_diffs counts it. */
static char *
show(const struct termset *ts, const char *text, size_t len, int *rc)
{
    struct term_match *v = NULL, *w = NULL;
    size_t n = 0, m = 0, i;
    struct buf b = BUF_INIT(1 << 20);
    const char *const *e;
    const unsigned *f;
    int rc2;

    *rc = termset_match(ts, text, len, &v, &n, 100);
    rc2 = match_by_hits(ts, text, len, &w, &m, 100);
    /* Nothing gathered (-1) only for an empty text or set. */
    if ((rc2 == -1) != (len == 0 || termset_exprs(ts, &e, &f, &f) == 0) ||
        (rc2 != -1 && (rc2 != *rc || m != n || !same(v, w, n)))) {
        hits_diffs++;
        diag("matched otherwise through termset_hit(): %.40s", text);
    }
    for (i = 0; i < n; i++)
        buf_addf(&b, "%s%s@%zu%s", i ? " " : "", terms[v[i].term], v[i].off,
                 v[i].variant ? "~" : "");
    free(v);
    free(w);
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
    struct termset *ts = termset_new(terms, NTERMS, &err);
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

    /* Unicode: compatibility forms and case folding are the term itself. */
    check(ts, "\xef\xbc\xae\xef\xbc\xaf\xef\xbc\xb2\xef\xbc\xb4\xef\xbc\xa8"
              "\xef\xbc\xb7\xef\xbc\xa9\xef\xbc\xae\xef\xbc\xa4 Bank!",
          "Northwind Bank@0", "fullwidth letters (NFKC)");
    check(ts, "the NORTHW\xc4\xb0ND app", "Northwind@4",
          "a Turkish dotted capital I is an i");
    check(ts, "Herr MÜLLER und Herr Mu\xcc\x88ller, nicht Muller",
          "Müller@5 Müller@22", "accents any case, composed or not; "
          "never dropped");
    check(ts, "STRASSE, Strasse und STRAẞE", "Straße@0 Straße@9 Straße@21",
          "ß is ss (full case folding), capital ẞ too");
    check(ts, "клиенты СБЕРБАНКА и Сбербанк", "Сбербанк@37",
          "a Cyrillic term, any case, on word boundaries");
    /* Capitals with no Latin lookalike in lower case (Н, М, Т, В, К). */
    check(ts, "Нортвинд Банк, НОРТВИНД БАНК, нортвинд банк",
          "Нортвинд Банк@0 Нортвинд Банк@27 Нортвинд Банк@54",
          "a Cyrillic term starting with Н, as written, shouted or not");
    check(ts, "Москва, МОСКВА и москва", "Москва@0 Москва@14 Москва@30",
          "a Cyrillic term starting with М, any case");

    /* Variants: lookalikes from other scripts, leetspeak. */
    check(ts, "log in at p\xd0\xb0yp\xd0\xb0l now",
          "PayPal@10~", "Cyrillic a is a lookalike: a variant");
    check(ts, "\xce\x9d\xce\x9fRTHWIND alert", "Northwind@0~",
          "Greek capital Nu and Omicron in capitals");
    check(ts, "see n\xce\xbfrthwindbank.com/login", "northwindbank.com@4~",
          "a Greek small omicron in a domain term");
    check(ts, "\xf0\x9d\x90\x8dorthwind", "Northwind@0",
          "a mathematical bold N is an N (NFKC): no variant");
    check(ts, "N0rthw1nd Bank logs, paypa1 and P4YP4L, $ell", 
          "Northwind Bank@0~ PayPal@21~ PayPal@32~",
          "leetspeak, in any word of a term");
    check(ts, "Northw1nd!! and m1cr0s0ft", "Northwind@0~ Microsoft@16~",
          "signs after a leet word; several digits in one");
    check(ts, "PaypaI support", "PayPal@0~",
          "a capital I for a small l");
    check(ts, "Northwind 2024, T1059, v1.2, Northwind4, 4Northwind, "
              "N0rthwindy, xN0rthwind, N0rth wind",
          "Northwind@0", "digits next to a term, in other words or "
          "inside a longer word are not leet");
    check(ts, "\xd0\x9d\xd0\xbe\xd1\x80\xd1\x82\xd0\xbd\xd0\xb2"
              "\xd0\xb8\xd0\xbd\xd0\xb4 \xd0\xb8 "
              "\xd0\xb2\xd0\xb5\xd1\x82\xd0\xb5\xd1\x80",
          "", "real Cyrillic words are not lookalikes of a term");
    check(ts, "Pаypal\xd0\xb0 and xPаypal", "",
          "word boundaries hold for variants");
    check(ts, "Microsoft and Northwind", "Microsoft@0 Northwind@14",
          "the term as written is no variant");
    check(ts, "«p\xd0\xb0yp\xd0\xb0l» N0rthwind", "PayPal@2~ Northwind@13~",
          "offsets are in the text as given, after multibyte characters");

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
        v = NULL;
        n = 0;
        rc = match_by_hits(ts, big, 1 << 20, &v, &n, 1000);
        ok(rc == DRP_ETOOBIG && n == 1000 && v[999].off == 9990,
           "through termset_hit(): the same cap, the same first matches");
        free(v);
    }
    free(big);

    /* Leet words next to long runs of letters and digits. */
    {
        struct buf t = BUF_INIT(1 << 20);

        for (i = 0; i < 300; i++)
            buf_adds(&t, i % 7 ? "a1" : "Q");
        buf_adds(&t, " N0rthw1nd ");
        for (i = 0; i < 300; i++)
            buf_adds(&t, "b2");
        buf_adds(&t, "N0rthw1nd ");
        for (i = 0; i < 70; i++)
            buf_adds(&t, "c3 ");
        buf_adds(&t, "p4yp4l");
        got = show(ts, buf_str(&t), t.len, &rc);
        is_str(got, "Northwind@558~ PayPal@1388~",
               "leet words after long runs; none glued to one");
        free(got);
        buf_release(&t);
    }

    /* A long line of another script is folded in pieces: a variant
       across a seam is found once, at its offset. */
    {
        static const char word[] = " N0rthw\xd1\x96nd ";
        struct term_match *v = NULL;
        size_t n = 0, len = 300000, at, k = 0, want = 0, good = 0;
        char *text = xmalloc(len);

        for (i = 0; i + 2 <= len; i += 2)
            memcpy(text + i, i % 18 == 16 ? "  " : "\xd0\xb6", 2);
        for (at = 1000; at + sizeof(word) < len; at += 7919, want++)
            memcpy(text + at, word, sizeof(word) - 1);
        rc = termset_match(ts, text, len, &v, &n, 1000);
        for (at = 1000; at + sizeof(word) < len; at += 7919, k++)
            if (k < n && v[k].off == at + 1 && v[k].len == 10 &&
                v[k].variant)
                good++;
        ok(rc == 0 && n == want && good == want,
           "a 300 kB line of another script: %zu variants, %zu at their "
           "offsets", n, good);
        free(v);
        free(text);
    }

    /* Lookalike words among ASCII ones, kilobytes apart, are found
       wherever they stand (the words with bytes that are not ASCII are
       folded, not their lines): at both ends of the text, after a tab,
       before a comma, after a line end, in typographic quotes. */
    {
        struct buf t = BUF_INIT(1 << 20), want = BUF_INIT(4096);
        size_t k;

        buf_adds(&t, "N\xd0\xberthwind "); /* Cyrillic o */
        buf_addf(&want, "Northwind@0~");
        for (k = 0; k < 4; k++) {
            for (i = 0; i < 300; i++)
                buf_adds(&t, "lorem ipsum ");
            if (k == 0) {
                buf_adds(&t, "\t");
                buf_addf(&want, " PayPal@%zu~", t.len);
                buf_adds(&t, "P\xd0\xb0yPal, "); /* Cyrillic a */
            } else if (k == 1) {
                buf_adds(&t, "\r\n\xc2\xab"); /* guillemet */
                buf_addf(&want, " Northwind@%zu~", t.len);
                buf_adds(&t, "N0rthw\xd1\x96nd\xc2\xbb ");
            } else if (k == 2) {
                buf_addf(&want, " M\xc3\xbcller@%zu", t.len);
                buf_adds(&t, "M\xc3\xbcller ");
            } else {
                buf_addf(&want, " Northwind@%zu~", t.len);
                buf_adds(&t, "N\xd0\xberthwind");
            }
        }
        got = show(ts, buf_str(&t), t.len, &rc);
        is_str(got, buf_str(&want),
               "lookalike words among 3 kB runs of ASCII words");
        free(got);
        buf_release(&t);
        buf_release(&want);
    }

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

    bad[1] = "Caf\xe9";
    buf_reset(&err);
    ok(termset_new(bad, 2, &err) == NULL &&
           strstr(buf_str(&err), "UTF-8") != NULL,
       "a term that is not UTF-8 is refused with a message");
    got = terms_fold("Stra\xc3\x9f" "e M\xc3\x9cLLER \xef\xbc\xae", 19);
    is_str(got, "strasse müller n", "terms_fold: NFKC and case folding");
    free(got);

    /* Terms that start with the same word, in any case, share one
       pattern: each is found where all of it stands, none elsewhere. */
    {
        static const char *const mark[] = {"Mark Twain", "MARK", "mark Doe",
                                           "Markus"};
        const char *text = "Mark Doe met Mark Twain, mark; Markus and "
                           "Marketing, Denmark, Mark\xc2\xa0Twain";
        struct termset *ms = termset_new(mark, 4, &err);
        struct term_match *v = NULL;
        struct buf b = BUF_INIT(4096);
        size_t n = 0;

        rc = termset_match(ms, text, strlen(text), &v, &n, 100);
        for (i = 0; i < n; i++)
            buf_addf(&b, "%s%s@%zu", i ? " " : "", mark[v[i].term], v[i].off);
        is_str(buf_str(&b),
               "mark Doe@0 Mark Twain@13 MARK@25 Markus@31 Mark Twain@62",
               "terms that share a first word: each where it stands");
        free(v);
        buf_release(&b);
        termset_free(ms);
    }

    /* A leet word at each place across the edge of a 64-byte block. */
    {
        char text[160];
        size_t k, found = 0;

        for (k = 40; k < 80; k++) {
            struct term_match *v = NULL;
            size_t n = 0;

            memset(text, 'x', k - 1);
            text[k - 1] = ' ';
            memcpy(text + k, "N0rthw1nd B4nk ", 15);
            rc = termset_match(ts, text, k + 15, &v, &n, 100);
            if (rc == 0 && n == 1 && v[0].off == k && v[0].len == 14 &&
                v[0].variant)
                found++;
            free(v);
        }
        is(found, 40, "a leet term found at each offset across a block edge");
    }

    /* fold_ascii_pages() marks every page fold_ascii() folds in. */
    {
        const uint64_t *pages = fold_ascii_pages();
        size_t missed = 0, past = 0;
        ucs4_t c;
        char a[2];

        for (c = FOLD_TABLE_END; c < 0x110000; c++)
            if (fold_ascii(c, a) > 0) {
                if (c >= FOLD_PAGES_END)
                    past++;
                else if (!fold_ascii_page(pages, c))
                    missed++;
            }
        ok(missed == 0 && past == 0 && fold_ascii_page(pages, 0xff21) &&
               !fold_ascii_page(pages, 0x4e2d),
           "the map of fold_ascii()'s pages misses none of its characters");
    }

    is(hits_diffs, 0, "every text matched the same through the hits of "
                      "another pass (termset_hit())");
    {
        struct term_match *v = NULL;
        size_t n = 0;

        none = termset_new(NULL, 0, &err);
        ok(none != NULL && match_by_hits(ts, "", 0, &v, &n, 10) == -1 &&
               match_by_hits(none, "Northwind", 9, &v, &n, 10) == -1,
           "no hits gathered for an empty text or a set of no terms");
        termset_free(none);
    }
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
