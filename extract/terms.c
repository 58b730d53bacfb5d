/*
 * Watch terms on Hyperscan's literal API: one database holds the first
 * word of every term; each hit is completed in C by matching the term's
 * other words across any blanks, then filtered on word boundaries
 * (libunistring's character classes, any script) and reduced to leftmost-
 * longest matches. Literal mode takes any bytes (NUL, invalid UTF-8).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hs.h>
#include <unictype.h>
#include <unistr.h>

#include "common/err.h"
#include "common/xalloc.h"
#include "extract/terms.h"
#include "common/banned.h"

struct term {
    char **words;  /* the term split at blanks; words[0] is in the database */
    size_t *lens;
    size_t nwords;
};

struct termset {
    hs_database_t *db;    /* NULL when there are no terms */
    hs_scratch_t *proto;  /* cloned for each scan */
    struct term *terms;
    size_t n;
};

struct collect {
    const struct termset *ts;
    const unsigned char *text;
    size_t len;
    size_t base;  /* offset of the scanned chunk in the text */
    struct term_match *v;
    size_t n, cap;
    size_t max;   /* candidates kept; beyond: too many */
    bool full;
};

/* Ways a page writes the blank between two words of a term. */
static const char *const entity_blanks[] = {
    "&nbsp;", "&#160;", "&#xa0;", "&#xA0;",
};

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Length of the blank at t[0..n) (0 when none): a blank byte, a no-break
   space (U+00A0) or its HTML entity. */
static size_t
blank_at(const unsigned char *t, size_t n)
{
    size_t i, k;

    if (n == 0)
        return 0;
    if (is_blank((char)t[0]))
        return 1;
    if (n >= 2 && t[0] == 0xc2 && t[1] == 0xa0)
        return 2;
    for (i = 0; i < sizeof(entity_blanks) / sizeof(entity_blanks[0]); i++) {
        k = strlen(entity_blanks[i]);
        if (n >= k && memcmp(t, entity_blanks[i], k) == 0)
            return k;
    }
    return 0;
}

static void
term_release(struct term *t)
{
    size_t i;

    for (i = 0; i < t->nwords; i++)
        free(t->words[i]);
    free(t->words);
    free(t->lens);
}

static void
split(const char *s, struct term *t)
{
    const char *p;

    while (*s) {
        while (is_blank(*s))
            s++;
        if (*s == '\0')
            break;
        p = s;
        while (*p && !is_blank(*p))
            p++;
        t->words = xreallocarray(t->words, t->nwords + 1, sizeof(*t->words));
        t->lens = xreallocarray(t->lens, t->nwords + 1, sizeof(*t->lens));
        t->words[t->nwords] = xstrndup(s, (size_t)(p - s));
        t->lens[t->nwords] = (size_t)(p - s);
        t->nwords++;
        s = p;
    }
}

struct termset *
termset_new(const char *const *terms, size_t n, struct buf *err)
{
    struct termset *ts = xcalloc(1, sizeof(*ts));
    const char **exprs = NULL;
    unsigned *flags = NULL, *ids = NULL;
    size_t *lens = NULL;
    hs_compile_error_t *cerr = NULL;
    size_t i;

    if (n == 0)
        return ts;
    if (n > TERMS_MAX) {
        buf_addf(err, "more than %d watch terms", TERMS_MAX);
        goto fail;
    }
    ts->terms = xcalloc(n, sizeof(*ts->terms));
    ts->n = n;
    exprs = xcalloc(n, sizeof(*exprs));
    flags = xcalloc(n, sizeof(*flags));
    ids = xcalloc(n, sizeof(*ids));
    lens = xcalloc(n, sizeof(*lens));
    for (i = 0; i < n; i++) {
        if (strlen(terms[i]) > TERMS_MAX_LEN) {
            buf_addf(err, "watch term %zu is longer than %d bytes", i,
                     TERMS_MAX_LEN);
            goto fail;
        }
        split(terms[i], &ts->terms[i]);
        if (ts->terms[i].nwords == 0) {
            buf_addf(err, "watch term %zu is empty", i);
            goto fail;
        }
        exprs[i] = ts->terms[i].words[0];
        lens[i] = ts->terms[i].lens[0];
        flags[i] = HS_FLAG_CASELESS | HS_FLAG_SOM_LEFTMOST;
        ids[i] = (unsigned)i;
    }
    if (hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)n,
                             HS_MODE_BLOCK, NULL, &ts->db, &cerr) !=
        HS_SUCCESS) {
        buf_addf(err, "cannot compile the watch terms: %s",
                 cerr ? cerr->message : "hyperscan error");
        hs_free_compile_error(cerr);
        goto fail;
    }
    if (hs_alloc_scratch(ts->db, &ts->proto) != HS_SUCCESS)
        abort(); /* out of memory */
    free(exprs);
    free(flags);
    free(ids);
    free(lens);
    return ts;
fail:
    free(exprs);
    free(flags);
    free(ids);
    free(lens);
    termset_free(ts);
    return NULL;
}

void
termset_free(struct termset *ts)
{
    size_t i;

    if (ts == NULL)
        return;
    for (i = 0; ts->terms && i < ts->n; i++)
        term_release(&ts->terms[i]);
    free(ts->terms);
    hs_free_scratch(ts->proto);
    hs_free_database(ts->db);
    free(ts);
}

/* End of term t whose first word ends at text[end], or 0 when its other
   words do not follow (each after at least one blank). */
static size_t
complete(const struct term *t, const unsigned char *text, size_t len,
         size_t end)
{
    size_t w, b, k;

    for (w = 1; w < t->nwords; w++) {
        k = 0;
        while ((b = blank_at(text + end, len - end)) > 0 && k < 16) {
            end += b;
            k++;
        }
        if (k == 0 || len - end < t->lens[w] ||
            strncasecmp((const char *)text + end, t->words[w],
                        t->lens[w]) != 0)
            return 0;
        end += t->lens[w];
    }
    return end;
}

static int
on_match(unsigned int id, unsigned long long from, unsigned long long to,
         unsigned int flags, void *arg)
{
    struct collect *c = arg;
    size_t start = c->base + (size_t)from;
    size_t end = c->base + (size_t)to;

    (void)flags;
    end = complete(&c->ts->terms[id], c->text, c->len, end);
    if (end == 0)
        return 0;
    if (c->n == c->max) {
        c->full = true;
        return 1; /* stop scanning */
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->v = xreallocarray(c->v, c->cap, sizeof(*c->v));
    }
    c->v[c->n].term = id;
    c->v[c->n].off = start;
    c->v[c->n].len = end - start;
    c->n++;
    return 0;
}

/*
 * Whether uc continues a word. Scripts written without blanks between
 * words (Han, kana, Thai, Lao, Khmer, Myanmar) do not: "我们是Northwind
 * Bank客服" names the brand.
 */
static bool
word_char(ucs4_t uc)
{
    if (uc_is_property_ideographic(uc) ||
        (uc >= 0x3040 && uc <= 0x30ff) ||  /* hiragana, katakana */
        (uc >= 0x0e00 && uc <= 0x0eff) ||  /* Thai, Lao */
        (uc >= 0x1000 && uc <= 0x109f) ||  /* Myanmar */
        (uc >= 0x1780 && uc <= 0x17ff))    /* Khmer */
        return false;
    return uc == '_' || uc_is_alnum(uc) ||
           uc_is_general_category(uc, UC_CATEGORY_M);
}

/* Whether the character that ends just before t + off continues a word
   (a letter, digit or mark of any script; invalid bytes do not). */
static bool
word_before(const unsigned char *t, size_t off)
{
    ucs4_t uc;

    if (off == 0)
        return false;
    if (t[off - 1] < 0x80)
        return word_char(t[off - 1]);
    if (u8_prev(&uc, t + off, t) == NULL)
        return false;
    return word_char(uc);
}

/* Whether the character at t + off (of len) continues a word. */
static bool
word_at(const unsigned char *t, size_t off, size_t len)
{
    ucs4_t uc;

    if (off >= len)
        return false;
    if (t[off] < 0x80)
        return word_char(t[off]);
    if (u8_mbtouc(&uc, t + off, len - off) < 1 || uc == 0xfffd)
        return false;
    return word_char(uc);
}

static int
by_offset_longest(const void *a, const void *b)
{
    const struct term_match *x = a, *y = b;

    if (x->off != y->off)
        return x->off < y->off ? -1 : 1;
    if (x->len != y->len)
        return x->len > y->len ? -1 : 1;
    return x->term < y->term ? -1 : x->term > y->term;
}

int
termset_match(const struct termset *ts, const char *text, size_t len,
              struct term_match **v, size_t *n, size_t max)
{
    struct collect c = { 0 };
    hs_scratch_t *scratch = NULL;
    const unsigned char *t = (const unsigned char *)text;
    size_t i, end = 0, chunk;
    int rc = 0;

    if (ts->db == NULL || len == 0)
        return 0;
    c.ts = ts;
    c.text = t;
    c.len = len;
    /* Candidates before the boundary check: allow some slack over max. */
    c.max = max > ((size_t)-1) / 4 ? max : max * 4 + 1024;
    if (hs_clone_scratch(ts->proto, &scratch) != HS_SUCCESS)
        abort();
    /* Hyperscan takes an unsigned int length: scan in chunks of 1 GiB
       (a term cut at a seam of such a text is the price). */
    for (c.base = 0; c.base < len && !c.full; c.base += chunk) {
        chunk = len - c.base > (1u << 30) ? (1u << 30) : len - c.base;
        hs_scan(ts->db, text + c.base, (unsigned)chunk, 0, scratch,
                on_match, &c);
    }
    hs_free_scratch(scratch);
    if (c.n > 1)
        qsort(c.v, c.n, sizeof(*c.v), by_offset_longest);
    /* Room for every candidate at once, not one realloc per match. */
    if (c.n > 0)
        *v = xreallocarray(*v, *n + (c.n < max ? c.n : max) + 1,
                           sizeof(**v));
    for (i = 0; i < c.n; i++) {
        const struct term_match *m = &c.v[i];
        size_t stop = m->off + m->len;

        if (m->off < end)
            continue; /* inside the previous (longer or earlier) match */
        /* A boundary matters only where the term itself has a word
           character at its edge ("Jane Q. Doe." ends on a letter). */
        if (word_before(t, m->off) && word_at(t, m->off, len))
            continue;
        if (word_at(t, stop, len) && word_before(t, stop))
            continue;
        if (*n == max) {
            rc = DRP_ETOOBIG;
            break;
        }
        (*v)[(*n)++] = *m;
        end = stop;
    }
    if (c.full && rc == 0)
        rc = DRP_ETOOBIG;
    free(c.v);
    return rc;
}
