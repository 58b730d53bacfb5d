/*
 * Watch terms on Hyperscan's literal API: one database for all terms,
 * leftmost start offsets, then word-boundary (libunistring's character
 * classes, any script) and longest-match selection in C. Hyperscan copes with any bytes (NUL, invalid UTF-8) in literal
 * mode, so the text needs no cleaning first.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <hs.h>
#include <unictype.h>
#include <unistr.h>

#include "common/err.h"
#include "common/xalloc.h"
#include "extract/terms.h"
#include "common/banned.h"

struct termset {
    hs_database_t *db;    /* NULL when there are no terms */
    hs_scratch_t *proto;  /* cloned for each scan */
    size_t n;
};

struct collect {
    struct term_match *v;
    size_t n, cap;
    size_t max;   /* raw candidates kept; beyond: too many */
    bool full;
};

struct termset *
termset_new(const char *const *terms, size_t n, struct buf *err)
{
    struct termset *ts = xcalloc(1, sizeof(*ts));
    const char **exprs = NULL;
    unsigned *flags = NULL, *ids = NULL;
    size_t *lens = NULL;
    hs_compile_error_t *cerr = NULL;
    size_t i;

    ts->n = n;
    if (n == 0)
        return ts;
    if (n > TERMS_MAX) {
        buf_addf(err, "more than %d watch terms", TERMS_MAX);
        goto fail;
    }
    exprs = xcalloc(n, sizeof(*exprs));
    flags = xcalloc(n, sizeof(*flags));
    ids = xcalloc(n, sizeof(*ids));
    lens = xcalloc(n, sizeof(*lens));
    for (i = 0; i < n; i++) {
        lens[i] = strlen(terms[i]);
        if (lens[i] == 0 || lens[i] > TERMS_MAX_LEN) {
            buf_addf(err, "watch term %zu is empty or longer than %d bytes",
                     i, TERMS_MAX_LEN);
            goto fail;
        }
        exprs[i] = terms[i];
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
    if (ts == NULL)
        return;
    hs_free_scratch(ts->proto);
    hs_free_database(ts->db);
    free(ts);
}

static int
on_match(unsigned int id, unsigned long long from, unsigned long long to,
         unsigned int flags, void *arg)
{
    struct collect *c = arg;

    (void)flags;
    if (c->n == c->max) {
        c->full = true;
        return 1; /* stop scanning */
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->v = xreallocarray(c->v, c->cap, sizeof(*c->v));
    }
    c->v[c->n].term = id;
    c->v[c->n].off = (size_t)from;
    c->v[c->n].len = (size_t)(to - from);
    c->n++;
    return 0;
}

static bool
word_char(ucs4_t uc)
{
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
    size_t i, end = 0;
    int rc = 0;

    if (ts->db == NULL || len == 0)
        return 0;
    /* Candidates before the boundary check: allow some slack over max. */
    c.max = max > ((size_t)-1) / 4 ? max : max * 4 + 1024;
    if (hs_clone_scratch(ts->proto, &scratch) != HS_SUCCESS)
        abort();
    for (size_t done = 0; done < len;) {
        /* Hyperscan takes an unsigned int length. */
        size_t chunk = len - done > 0x7fffffffu ? 0x7fffffffu : len - done;
        size_t first = c.n;

        hs_scan(ts->db, text + done, (unsigned)chunk, 0, scratch, on_match,
                &c);
        for (i = first; i < c.n; i++)
            c.v[i].off += done;
        done += chunk;
        if (c.full)
            break;
    }
    hs_free_scratch(scratch);
    qsort(c.v, c.n, sizeof(*c.v), by_offset_longest);
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
        *v = xreallocarray(*v, *n + 1, sizeof(**v));
        (*v)[(*n)++] = *m;
        end = stop;
    }
    if (c.full && rc == 0)
        rc = DRP_ETOOBIG;
    free(c.v);
    return rc;
}
