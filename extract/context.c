/*
 * Context words on Hyperscan's literal API: one database of every word,
 * scanned over the head of the text and the merged windows around the
 * findings that a word could raise, unless another pass over the whole
 * text found them (extract's prefilter); hits are checked for word
 * boundaries in C and looked up per finding by binary search. Changes
 * confidences only: never adds, drops or relabels a finding.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hs.h>

#include "common/log.h"
#include "common/xalloc.h"
#include "extract/context.h"
#include "extract/hsdb.h"
#include "common/banned.h"

enum family {
    LEAK = 1 << 0, /* credentials, e-mail addresses, secrets, cards */
    IOC = 1 << 1,  /* indicators of compromise */
};

/* A word is a stem and the endings it may take ("" always): one literal
   per stem keeps the Hyperscan pass cheap. */
static const struct word {
    const char *s;
    unsigned int family;
    const char *endings; /* '|'-separated, or NULL */
} words[] = {
    { "combo", LEAK, "s|list|lists" },
    { "leak", LEAK, "s|ed" },
    { "dump", LEAK, "s|ed" },
    { "breach", LEAK, "ed|es" },
    { "stealer", LEAK, "s" },
    { "logs", LEAK, NULL },
    { "credentials", LEAK, NULL },
    { "creds", LEAK, NULL },
    { "hacked", LEAK, NULL },
    { "database", LEAK, "s" },
    { "fullz", LEAK, NULL },
    { "ioc", IOC, "s" },
    { "c2", IOC, NULL },
    { "c&c", IOC, NULL },
    { "malware", IOC, NULL },
    { "phishing", IOC, NULL },
    { "indicator", IOC, "s" },
    { "malicious", IOC, NULL },
    { "blocklist", IOC, "s" },
    { "blacklist", IOC, "s" },
    { "botnet", IOC, "s" },
    { "ransomware", IOC, NULL },
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

/*
 * Windows less than this many bytes apart are scanned as one: a Hyperscan
 * call costs some 500 instructions besides its bytes, a byte some 3.
 * The bytes between them add hits that lie in no finding's window, and
 * word_within() only ever looks inside one.
 */
#define SCAN_GAP 256

struct context {
    hs_database_t *db;
    hs_scratch_t *proto; /* cloned for each call */
};

struct context_hit {
    size_t lo, hi; /* the word's byte span in the text */
    unsigned int family;
};

struct hits {
    const char *text;
    size_t len;
    size_t base; /* offset in the text of the window being scanned */
    struct context_hits *w;
};

static unsigned int
family_of(enum finding_kind kind)
{
    switch (kind) {
    case FIND_CREDENTIAL:
    case FIND_EMAIL:
    case FIND_SECRET:
    case FIND_CARD:
        return LEAK;
    case FIND_IPV4:
    case FIND_IPV6:
    case FIND_DOMAIN:
    case FIND_URL:
    case FIND_MD5:
    case FIND_SHA1:
    case FIND_SHA256:
    case FIND_SHA512:
    case FIND_ONION:
    case FIND_BTC:
    case FIND_ETH:
    case FIND_XMR:
        return IOC;
    default:
        return 0;
    }
}

struct context *
context_new(void)
{
    struct context *c = xcalloc(1, sizeof(*c));
    const char *exprs[NWORDS];
    unsigned int flags[NWORDS], ids[NWORDS];
    size_t lens[NWORDS], i;
    struct hsdb_patterns pats = { exprs, flags, ids, lens, NWORDS };
    struct buf err = BUF_INIT(1024);

    for (i = 0; i < NWORDS; i++) {
        exprs[i] = words[i].s;
        lens[i] = strlen(words[i].s);
        flags[i] = HS_FLAG_CASELESS;
        ids[i] = (unsigned int)i;
    }
    if (hsdb_compile(&pats, &c->db, NULL, &err) != 0) {
        log_err("cannot compile the context words: %s", buf_str(&err));
        abort();
    }
    if (hs_alloc_scratch(c->db, &c->proto) != HS_SUCCESS)
        abort(); /* out of memory */
    return c;
}

void
context_free(struct context *c)
{
    if (c == NULL)
        return;
    hsdb_scratch_free(c->proto);
    hs_free_database(c->db);
    x_free(c);
}

static bool
alnum(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9');
}

/* Bytes of an ending of w at t[0..n) that ends the word there, or -1. */
static int
ending(const struct word *w, const char *t, size_t n)
{
    const char *e = w->endings, *bar;
    size_t k;

    if (n == 0 || !alnum(t[0]))
        return 0;
    while (e != NULL && *e != '\0') {
        bar = strchr(e, '|');
        k = bar ? (size_t)(bar - e) : strlen(e);
        if (k <= n && strncasecmp(t, e, k) == 0 && (k == n || !alnum(t[k])))
            return (int)k;
        e = bar ? bar + 1 : NULL;
    }
    return -1;
}

size_t
context_words(const char **s, size_t max)
{
    size_t i;

    for (i = 0; i < NWORDS && i < max; i++)
        s[i] = words[i].s;
    return NWORDS;
}

void
context_hit(struct context_hits *w, const char *text, size_t len,
            unsigned int id, size_t end)
{
    size_t lo, hi = end, i;
    int k;

    if (id >= NWORDS || end > len || end < strlen(words[id].s))
        return;
    lo = hi - strlen(words[id].s);
    if (lo > 0 && alnum(text[lo - 1]))
        return;
    k = ending(&words[id], text + hi, len - hi);
    if (k < 0)
        return;
    hi += (size_t)k;
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 16;
        w->v = xreallocarray(w->v, w->cap, sizeof(*w->v));
    }
    /* Kept in order of start: words come in order of end, and windows
       in order, so a word goes back past a few at most (a longer one
       that ends after a shorter one that starts later). */
    for (i = w->n; i > 0 && w->v[i - 1].lo > lo; i--)
        ;
    memmove(w->v + i + 1, w->v + i, (w->n - i) * sizeof(*w->v));
    w->v[i].lo = lo;
    w->v[i].hi = hi;
    w->v[i].family = words[id].family;
    w->n++;
}

void
context_hits_release(struct context_hits *w)
{
    x_free(w->v);
    w->v = NULL;
    w->n = w->cap = 0;
}

static int
on_word(unsigned int id, unsigned long long from, unsigned long long to,
        unsigned int flags, void *arg)
{
    struct hits *h = arg;

    (void)from;
    (void)flags;
    context_hit(h->w, h->text, h->len, id, h->base + (size_t)to);
    return 0;
}

static void
scan(const struct context *c, hs_scratch_t *scratch, struct hits *h,
     size_t lo, size_t hi)
{
    size_t chunk;

    /* Hyperscan takes an unsigned int length. */
    for (h->base = lo; h->base < hi; h->base += chunk) {
        chunk = hi - h->base > (1u << 30) ? (1u << 30) : hi - h->base;
        hs_scan(c->db, h->text + h->base, (unsigned int)chunk, 0, scratch,
                on_word, h);
    }
}

/*
 * Whether a word of family lies wholly within text[lo..hi), outside the
 * finding f itself ("leak@example.com" is not announced by its name).
 * *from: the first hit that may start at or after lo; calls with lo that
 * never decreases share it, so a pass over the findings is linear.
 */
static inline bool
word_within(const struct context_hits *w, unsigned int family, size_t lo,
            size_t hi, const struct finding *f, size_t *from)
{
    size_t a;

    while (*from < w->n && w->v[*from].lo < lo)
        (*from)++;
    for (a = *from; a < w->n && w->v[a].lo < hi; a++)
        if ((w->v[a].family & family) && w->v[a].hi <= hi &&
            (w->v[a].lo < f->offset || w->v[a].hi > f->offset + f->len))
            return true;
    return false;
}

static size_t
near_lo(const struct finding *f)
{
    return f->offset > CONTEXT_BEFORE ? f->offset - CONTEXT_BEFORE : 0;
}

static size_t
near_hi(const struct finding *f, size_t len)
{
    size_t end = f->offset + f->len;

    return end < len && len - end > CONTEXT_AFTER ? end + CONTEXT_AFTER : len;
}

/* The head (its first head bytes), then the windows around the findings,
   merged (findings come in order of offset, so window starts never go
   back), and with the gaps under SCAN_GAP between them. */
static void
scan_windows(const struct context *c, struct hits *h, const struct finding *f,
             size_t n, size_t head)
{
    hs_scratch_t *scratch = hsdb_scratch_take(c->proto);
    size_t i, lo, hi, wlo = 0, whi = head;

    for (i = 0; i < n; i++) {
        if (family_of(f[i].kind) == 0 || f[i].offset >= h->len)
            continue;
        lo = near_lo(&f[i]);
        hi = near_hi(&f[i], h->len);
        if (lo > whi + SCAN_GAP) {
            scan(c, scratch, h, wlo, whi);
            wlo = lo;
        }
        if (hi > whi)
            whi = hi;
    }
    scan(c, scratch, h, wlo, whi);
    hsdb_scratch_give(c->proto, scratch);
}

/* The families of the words of w wholly within text[0..head). */
static unsigned int
head_families(const struct context_hits *w, size_t head)
{
    unsigned int fam = 0;
    size_t i;

    for (i = 0; i < w->n && w->v[i].lo < head; i++)
        if (w->v[i].hi <= head)
            fam |= w->v[i].family;
    return fam;
}

unsigned int
context_head(const struct context *c, const char *text, size_t len)
{
    struct context_hits own = { 0 };
    struct hits h = { .text = text, .len = len, .w = &own };
    size_t head = len < CONTEXT_HEAD ? len : CONTEXT_HEAD;
    hs_scratch_t *scratch;
    unsigned int fam;

    if (head == 0)
        return 0;
    scratch = hsdb_scratch_take(c->proto);
    scan(c, scratch, &h, 0, head);
    hsdb_scratch_give(c->proto, scratch);
    fam = head_families(&own, head);
    context_hits_release(&own);
    return fam;
}

void
context_raise_hits(const struct context *c, const char *text, size_t len,
                   struct finding *f, size_t n, const struct context_hits *all,
                   const unsigned int *doc_head)
{
    struct context_hits own = { 0 };
    struct hits h = { .text = text, .len = len, .w = &own };
    const struct context_hits *w = all ? all : &own;
    /* The document's head: this text's first bytes, or (a later part of
       the document) none of it. */
    size_t i, head = doc_head ? 0 : len < CONTEXT_HEAD ? len : CONTEXT_HEAD;
    size_t near_from = 0, head_from;
    unsigned int fam, head_fam;
    bool any = false;
    int raise;

    for (i = 0; i < n && !any; i++)
        any = family_of(f[i].kind) != 0;
    if (!any || len == 0)
        return;
    if (all == NULL)
        scan_windows(c, &h, f, n, head);
    head_fam = doc_head ? *doc_head : head_families(w, head);
    for (i = 0; i < n && (w->n > 0 || head_fam != 0); i++) {
        fam = family_of(f[i].kind);
        if (fam == 0 || f[i].offset >= len)
            continue;
        head_from = 0;
        if (word_within(w, fam, near_lo(&f[i]), near_hi(&f[i], len), &f[i],
                        &near_from))
            raise = CONTEXT_NEAR_RAISE;
        else if ((head_fam & fam) &&
                 (f[i].offset >= head ||
                  word_within(w, fam, 0, head, &f[i], &head_from)))
            raise = CONTEXT_HEAD_RAISE;
        else
            continue;
        f[i].confidence = f[i].confidence + raise > 100
                              ? 100
                              : f[i].confidence + raise;
    }
    context_hits_release(&own);
}

void
context_raise(const struct context *c, const char *text, size_t len,
              struct finding *f, size_t n)
{
    context_raise_hits(c, text, len, f, n, NULL, NULL);
}
