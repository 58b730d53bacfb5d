/*
 * Watch terms on Hyperscan: one database holds the first word of every
 * term, a caseless literal (or, for a first word that is not ASCII, a
 * byte pattern with each character's variants); terms that start with the
 * same literal share its pattern, and the bytes beside a literal's hit
 * rule most of them out before any is verified. The text is scanned as
 * it is; the words with other bytes than ASCII (which the leet pass lists)
 * are scanned again with their lookalike letters folded to ASCII
 * (extract/fold.c), offsets mapped back. Leet words (a digit or sign
 * among letters) are found by a vectorised pass and looked up by their
 * leet form. Each candidate is verified and completed in C,
 * the text folded character by character (NFKC, case, skeleton, leet)
 * against the term's folded form, its words across any blanks; then
 * matches are filtered on word boundaries (libunistring's character
 * classes, any script) and reduced to leftmost-longest ones. Patterns are
 * bytes, not UTF-8: any input (NUL, invalid UTF-8) is scanned.
 */
#include "config.h" /* _GNU_SOURCE: memrchr */

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define LEET_AVX2 1 /* leet_mask_avx2() where the CPU has AVX2 */
#endif
#include <hs.h>
#include <unicase.h>
#include <unictype.h>
#include <unistr.h>

#include "common/err.h"
#include "common/xalloc.h"
#include "extract/fold.h"
#include "extract/hsdb.h"
#include "extract/terms.h"
#include "common/banned.h"

/* A blank run between two words, in the folded forms of a term. */
#define BLANK ((ucs4_t)' ')
/* Characters of a first word that go into its pattern; the rest is
   checked in C. Bounds the pattern's size. */
#define PATTERN_CHARS 16
/* Blanks between two words of a term, at most. */
#define MAX_BLANKS 16

struct term {
    ucs4_t *key;   /* loose key of each character, words joined by BLANK */
    size_t nkey;
    ucs4_t *ex;    /* exact form, the same way */
    size_t nex;
    /* When the first word is ASCII (a caseless literal in the database):
       its bytes and the length of its key and exact form. */
    size_t lit_len, lit_nkey, lit_nex;
    /* Whether the literal's first and last bytes are word characters:
       then a word character beside it rules the match out. */
    bool lit_word_first, lit_word_last;
    /* The next term whose first word is the same literal (any case), + 1,
       or 0: the database holds one pattern for them, of the first. */
    size_t lit_next;
};

/* Longest word the leet gate looks up. */
#define LEET_WORD_MAX 64

struct termset {
    hs_database_t *db;    /* NULL when there are no terms */
    hs_scratch_t *proto;  /* cloned for each scan */
    /* What db was compiled from (termset_exprs()): nexpr expressions,
       their flags and ids */
    char **exprs;
    unsigned *flags, *ids;
    size_t nexpr;
    struct term *terms;
    size_t n;
    /* The leet lookup: each term whose first word starts with a leet
       word (leet_char()) under that word's leet_hash(), chained. */
    size_t *bucket;      /* nbucket heads, term index + 1 or 0 */
    size_t nbucket;      /* a power of two */
    size_t *next;        /* n: next term in the chain, + 1 or 0 */
    char **leet_word;    /* n: the leet form of each term's first word */
    size_t nleet;        /* terms filed */
    size_t leet_min, leet_max; /* shortest and longest leet word filed */
    const char (*fold_table)[2]; /* fold_ascii_table() */
    const uint64_t *fold_pages;  /* fold_ascii_pages() */
    bool avx2;                   /* leet_mask_avx2() runs here */
    /* Bit k of ascii_keys[a] (k < 128): ASCII character a may continue
       a key at key character k in complete() (its key, second key or a
       letter it stands for in leetspeak starts with k). */
    uint64_t ascii_keys[128][2];
    /* Bit (first, last, length) of every leet word filed (letters as
       leet_char() gives them): most words of a text miss. */
    uint64_t leet_sig[26 * 26 * (LEET_WORD_MAX + 1) / 64 + 1];
};


/* Bytes of text scanned at once (Hyperscan takes an unsigned int length). */
#define TERMS_CHUNK (1u << 30)

/* Bytes of text folded at once (with an overlap) where it is not ASCII. */
#define FOLD_PIECE (64u << 10)
#define FOLD_OVERLAP (4 * TERMS_MAX_LEN) /* > a first word, in any form */
#define FOLD_GAP 256 /* ASCII bytes folded along rather than cut out */

struct collect {
    const struct termset *ts;
    const unsigned char *text;
    size_t len;
    size_t base;  /* offset of the scanned chunk in the text */
    /* A folded piece: after folded byte fold_at[i], bytes map one to one
       to the text from base + text_at[i] (nbreak entries; 0: not folded). */
    const uint32_t *fold_at, *text_at;
    size_t nbreak;
    const unsigned char *buf; /* what is scanned: text, or a folded piece */
    size_t buflen;
    /* The leet masks of the text as it is (termset_match_masked()), or
       NULL: leet_scan() uses them while buf is the text. */
    const struct leet_masks *masks;
    bool use_masks;
    /* Words (between ASCII blanks) with other bytes than ASCII, found by
       the leet pass over the text as it is, to be scanned folded:
       [first, last) pairs, neighbours FOLD_GAP or less apart joined. */
    bool find_high;
    size_t high_end; /* words before this are listed */
    size_t *words;
    size_t nwords, capwords;
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

/* word_char() of an ASCII character: a letter, a digit or '_'. */
static bool
ascii_word(unsigned char c)
{
    return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9') ||
           c == '_';
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
    if (t[0] != '&') /* every entity starts so: no strlen() a letter */
        return 0;
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
    free(t->key);
    free(t->ex);
}

static void
push(ucs4_t **v, size_t *n, size_t *cap, const ucs4_t *s, size_t k)
{
    if (*n + k > *cap) {
        *cap = (*n + k) * 2;
        *v = xreallocarray(*v, *cap, sizeof(**v));
    }
    memcpy(*v + *n, s, k * sizeof(*s));
    *n += k;
}

/*
 * Folds term s into t (exact form and key, blank runs to one BLANK, no
 * blank at the ends). Returns false when s is not UTF-8.
 */
static bool
fold_term(const char *s, struct term *t)
{
    const uint8_t *p = (const uint8_t *)s, *e = p + strlen(s);
    size_t capk = 0, cape = 0, n;
    ucs4_t c, f[FOLD_MAX];
    const ucs4_t blank = BLANK;
    int k;

    while (p < e) {
        if (is_blank((char)*p)) {
            while (p < e && is_blank((char)*p))
                p++;
            if (t->nkey > 0 && p < e) {
                push(&t->key, &t->nkey, &capk, &blank, 1);
                push(&t->ex, &t->nex, &cape, &blank, 1);
            }
            continue;
        }
        k = u8_mbtouc(&c, p, (size_t)(e - p));
        if (k < 1 || (c == 0xfffd && u8_check(p, (size_t)k) != NULL))
            return false;
        p += k;
        n = fold_exact(c, f);
        push(&t->ex, &t->nex, &cape, f, n);
        n = fold_key(c, f);
        push(&t->key, &t->nkey, &capk, f, n);
    }
    return true;
}

/* A list of UTF-8 strings, each one character (so none is a prefix of
   another), to be written as one alternation. */
struct alts {
    char (*v)[4 + 1];
    size_t n, cap;
};

static void
alts_add(struct alts *a, ucs4_t c)
{
    int k;

    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 32;
        a->v = xreallocarray(a->v, a->cap, sizeof(*a->v));
    }
    k = u8_uctomb((uint8_t *)a->v[a->n], c, 4);
    if (k < 1)
        return;
    a->v[a->n][k] = '\0';
    a->n++;
}

static int
by_bytes(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Appends byte c to a pattern as \xHH (hex, lowercase): printf's "%02x"
   took 7 % of the start-up's instructions with a thousand terms. */
static void
add_byte(struct buf *re, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    const char x[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

    buf_add(re, x, sizeof(x));
}

/* Writes strs[0..n) (sorted, one prefix of depth bytes in common) as a
   byte-level alternation: a trie of classes. */
static void
emit_trie(struct buf *re, char (*strs)[4 + 1], size_t n, size_t depth)
{
    size_t i, j, nalt = 0;
    bool leaves = false;

    /* A UTF-8 character has at most 4 bytes: each string here ends
       before strs[i][4] (said so for gcc -O3's bounds warnings). */
    assert(depth < 4);
    buf_adds(re, "(?:");
    for (i = 0; i < n; i++) /* the one-byte-left strings: one class */
        if (strs[i][depth + 1] == '\0') {
            if (!leaves)
                buf_adds(re, "[");
            leaves = true;
            add_byte(re, (unsigned char)strs[i][depth]);
        }
    if (leaves) {
        buf_adds(re, "]");
        nalt++;
    }
    for (i = 0; i < n; i = j) {
        for (j = i + 1; j < n && strs[j][depth] == strs[i][depth]; j++)
            ;
        if (strs[i][depth + 1] == '\0')
            continue;
        if (nalt++ > 0)
            buf_addc(re, '|');
        add_byte(re, (unsigned char)strs[i][depth]);
        emit_trie(re, strs + i, j - i, depth + 1);
    }
    buf_adds(re, ")");
}

static void
emit_alts(struct buf *re, struct alts *a)
{
    size_t i, o = 0;

    qsort(a->v, a->n, sizeof(*a->v), by_bytes);
    for (i = 0; i < a->n; i++) /* unique */
        if (o == 0 || strcmp(a->v[o - 1], a->v[i]) != 0)
            memcpy(a->v[o++], a->v[i], sizeof(*a->v));
    a->n = o;
    emit_trie(re, a->v, a->n, 0);
}

/* Whether ASCII character a may stand for key character k: one of its
   keys ("I" is "i" and "l"), or leetspeak ("4" for "a"). */
static bool
ascii_may_be(int a, ucs4_t k)
{
    ucs4_t key[FOLD_MAX];
    const char *l;

    if (fold_key((ucs4_t)a, key) == 1 && key[0] == k)
        return true;
    if (fold_key2((ucs4_t)a, key) == 1 && key[0] == k)
        return true;
    l = fold_leet((ucs4_t)a);
    return l != NULL && k < 128 && k != 0 && strchr(l, (int)k) != NULL;
}

/*
 * The alternation for one key character k. Text is scanned as it is where
 * it is ASCII, and else with lookalikes folded to ASCII (fold_ascii()):
 * an ASCII k needs only the ASCII characters that may stand for it, any
 * other k itself and the characters whose key it is.
 */
static void
emit_key1(struct buf *re, ucs4_t k)
{
    struct alts a = { 0 };
    const ucs4_t *src;
    size_t i, n;
    int c;

    if (k < 128) {
        for (c = 1; c < 128; c++)
            if (ascii_may_be(c, k))
                alts_add(&a, (ucs4_t)c);
    } else {
        alts_add(&a, k);
        src = fold_sources(&k, 1, &n);
        for (i = 0; i < n; i++) {
            char ascii[2];

            alts_add(&a, src[i]);
            /* Where the text is scanned folded, a source shows as its
               ASCII lookalike: Cyrillic "Н" (key "н") as "H". */
            if (src[i] >= 128 && fold_ascii(src[i], ascii) == 1)
                alts_add(&a, (ucs4_t)(unsigned char)ascii[0]);
        }
    }
    emit_alts(re, &a);
    free(a.v);
}

/* Adds to a the characters whose key is k[0..2), as emit_key1() would:
   ASCII ones ("m" for "rn"), and others not folded to ASCII ("ü" for
   "u" and U+0308). Returns their number. */
static size_t
add_key2(struct alts *a, const ucs4_t *k)
{
    const ucs4_t *src;
    size_t i, n, m = 0;
    char ascii[2];

    src = fold_sources(k, 2, &n);
    for (i = 0; i < n; i++)
        if (src[i] < 128 || fold_ascii(src[i], ascii) == 0) {
            alts_add(a, src[i]);
            m++;
        }
    return m;
}

/*
 * The pattern of a term's first word: each character of its key is the
 * alternation of its variants; where two key characters are also the key
 * of one character ("rn" and "m", "ss" and "ß"), that character is an
 * alternative to the pair. At most PATTERN_CHARS key characters: the C
 * check does the rest. Returns false when the key is empty.
 */
static bool
first_word_pattern(const struct term *t, struct buf *re)
{
    struct alts a = { 0 };
    size_t i = 0;

    while (i < t->nkey && t->key[i] != BLANK && i < PATTERN_CHARS) {
        a.n = 0;
        if (i + 1 < t->nkey && t->key[i + 1] != BLANK &&
            add_key2(&a, t->key + i) > 0) {
            buf_adds(re, "(?:");
            emit_key1(re, t->key[i]);
            emit_key1(re, t->key[i + 1]);
            buf_adds(re, "|");
            emit_alts(re, &a);
            buf_adds(re, ")");
            i += 2;
            continue;
        }
        emit_key1(re, t->key[i]);
        i++;
    }
    free(a.v);
    return i > 0;
}

/* The letter an ASCII character of a leet word stands for, the same for
   all that may stand for it ("i" for i, l, I, 1, | and !), or 0 when it
   is not part of such a word. */
static const char leet_form[256] = {
    ['a'] = 'a', ['A'] = 'a', ['b'] = 'b', ['B'] = 'b', ['c'] = 'c',
    ['C'] = 'c', ['d'] = 'd', ['D'] = 'd', ['e'] = 'e', ['E'] = 'e',
    ['f'] = 'f', ['F'] = 'f', ['g'] = 'b', ['G'] = 'b', ['h'] = 'h',
    ['H'] = 'h', ['i'] = 'i', ['I'] = 'i', ['j'] = 'j', ['J'] = 'j',
    ['k'] = 'k', ['K'] = 'k', ['l'] = 'i', ['L'] = 'i', ['m'] = 'm',
    ['M'] = 'm', ['n'] = 'n', ['N'] = 'n', ['o'] = 'o', ['O'] = 'o',
    ['p'] = 'p', ['P'] = 'p', ['q'] = 'q', ['Q'] = 'q', ['r'] = 'r',
    ['R'] = 'r', ['s'] = 's', ['S'] = 's', ['t'] = 't', ['T'] = 't',
    ['u'] = 'u', ['U'] = 'u', ['v'] = 'v', ['V'] = 'v', ['w'] = 'w',
    ['W'] = 'w', ['x'] = 'x', ['X'] = 'x', ['y'] = 'y', ['Y'] = 'y',
    ['z'] = 'z', ['Z'] = 'z', ['0'] = 'o', ['1'] = 'i', ['2'] = 'z',
    ['3'] = 'e', ['4'] = 'a', ['5'] = 's', ['6'] = 'b', ['7'] = 't',
    ['8'] = 'b', ['9'] = 'b', ['@'] = 'a', ['$'] = 's', ['|'] = 'i',
    ['!'] = 'i', ['+'] = 't',
};

static char
leet_char(unsigned char ch)
{
    return leet_form[ch];
}

/* leet_class[]: what each byte is in a leet word (0: not part of one). */
#define LEET_LETTER 1u
#define LEET_SIGN 2u /* a digit or a sign: @ $ | ! + */
#define L LEET_LETTER
#define S LEET_SIGN
static const unsigned char leet_class[256] = {
    ['!'] = S, ['$'] = S, ['+'] = S, ['@'] = S, ['|'] = S,
    ['0'] = S, ['1'] = S, ['2'] = S, ['3'] = S, ['4'] = S,
    ['5'] = S, ['6'] = S, ['7'] = S, ['8'] = S, ['9'] = S,
    ['A'] = L, ['B'] = L, ['C'] = L, ['D'] = L, ['E'] = L, ['F'] = L,
    ['G'] = L, ['H'] = L, ['I'] = L, ['J'] = L, ['K'] = L, ['L'] = L,
    ['M'] = L, ['N'] = L, ['O'] = L, ['P'] = L, ['Q'] = L, ['R'] = L,
    ['S'] = L, ['T'] = L, ['U'] = L, ['V'] = L, ['W'] = L, ['X'] = L,
    ['Y'] = L, ['Z'] = L,
    ['a'] = L, ['b'] = L, ['c'] = L, ['d'] = L, ['e'] = L, ['f'] = L,
    ['g'] = L, ['h'] = L, ['i'] = L, ['j'] = L, ['k'] = L, ['l'] = L,
    ['m'] = L, ['n'] = L, ['o'] = L, ['p'] = L, ['q'] = L, ['r'] = L,
    ['s'] = L, ['t'] = L, ['u'] = L, ['v'] = L, ['w'] = L, ['x'] = L,
    ['y'] = L, ['z'] = L,
};
#undef L
#undef S

/* A leet character that is no letter nor digit: @ $ | ! + */
static bool
leet_sign(unsigned char ch)
{
    return leet_class[ch] == LEET_SIGN && !(ch >= '0' && ch <= '9');
}

/* The leet form of s[0..n) into w (n + 1 bytes), and its hash. */
static size_t
leet_hash(const unsigned char *s, size_t n, char *w)
{
    size_t h = 1469598103934665603u, i;

    for (i = 0; i < n; i++) {
        w[i] = leet_char(s[i]);
        h = (h ^ (unsigned char)w[i]) * 1099511628211u;
    }
    w[n] = '\0';
    return h;
}

/*
 * The pattern of term s (folded in t) into re: a literal, caseless, when
 * its first word is ASCII (leet forms come through the gate); else each
 * character's variants (first_word_pattern()). Sets *flags; returns false
 * when there is nothing to match.
 */
static bool
term_pattern(const char *s, struct term *t, struct buf *re, unsigned *flags)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i, n;

    while (is_blank((char)*p))
        p++;
    for (n = 0; p[n] != '\0' && !is_blank((char)p[n]); n++)
        if (p[n] >= 0x80)
            break;
    *flags = HS_FLAG_SOM_LEFTMOST;
    if (p[n] != '\0' && !is_blank((char)p[n]))
        return first_word_pattern(t, re);
    for (i = 0; i < n; i++) /* lowercase: one pattern for any case */
        add_byte(re, p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
    /* A literal starts lit_len bytes before its end (on_match()): no
       start of match to track (Hyperscan's pass costs 4 % less). */
    *flags = HS_FLAG_CASELESS;
    t->lit_len = n;
    t->lit_word_first = n > 0 && ascii_word(p[0]);
    t->lit_word_last = n > 0 && ascii_word(p[n - 1]);
    for (t->lit_nkey = 0; t->lit_nkey < t->nkey; t->lit_nkey++)
        if (t->key[t->lit_nkey] == BLANK)
            break;
    for (t->lit_nex = 0; t->lit_nex < t->nex; t->lit_nex++)
        if (t->ex[t->lit_nex] == BLANK)
            break;
    return n > 0;
}

/* The bit of a leet word's signature: its first and last letters (as
   leet_char() gives them) and its length (at most LEET_WORD_MAX). */
static size_t
leet_sig_bit(char first, char last, size_t n)
{
    return ((size_t)(first - 'a') * 26 + (size_t)(last - 'a')) *
               (LEET_WORD_MAX + 1) + n;
}

/* Files term i under the leet form of its first word's leading leet word
   (two characters at least). */
static void
leet_index(struct termset *ts, size_t i, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    char w[LEET_WORD_MAX + 1];
    size_t n, h;

    while (is_blank((char)*p))
        p++;
    for (n = 0; n < LEET_WORD_MAX && leet_char(p[n]); n++)
        ;
    if (n < 2 || leet_char(p[n]))
        return;
    h = leet_hash(p, n, w) & (ts->nbucket - 1);
    ts->leet_word[i] = xstrdup(w);
    ts->next[i] = ts->bucket[h];
    ts->bucket[h] = i + 1;
    h = leet_sig_bit(w[0], w[n - 1], n);
    ts->leet_sig[h / 64] |= UINT64_C(1) << (h % 64);
    if (ts->nleet == 0 || n < ts->leet_min)
        ts->leet_min = n;
    if (n > ts->leet_max)
        ts->leet_max = n;
    ts->nleet++;
}

/*
 * The slot of pattern re in slot[0..nslot) (a power of two; each entry a
 * pattern index + 1, or 0 when free): the one that holds exprs[k] equal to
 * re, else the free one where re goes.
 */
static size_t *
pattern_slot(const char *re, char *const *exprs, size_t *slot, size_t nslot)
{
    size_t h = 1469598103934665603u;
    const char *p;

    for (p = re; *p != '\0'; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    for (h &= nslot - 1; slot[h] != 0; h = (h + 1) & (nslot - 1))
        if (strcmp(exprs[slot[h] - 1], re) == 0)
            break;
    return &slot[h];
}

/* Sets bit k of keys[2] (k < 128). */
static void
key_bit(uint64_t *keys, ucs4_t k)
{
    if (k < 128)
        keys[k / 64] |= UINT64_C(1) << (k % 64);
}

/* Sets ts->ascii_keys from the folds of each ASCII character. */
static void
ascii_keys_init(struct termset *ts)
{
    ucs4_t key[FOLD_MAX], a;
    const char *leet;
    size_t k;

    for (a = 0; a < 128; a++) {
        if (fold_key(a, key) > 0)
            key_bit(ts->ascii_keys[a], key[0]);
        if (fold_key2(a, key) > 0)
            key_bit(ts->ascii_keys[a], key[0]);
        leet = fold_leet(a);
        for (k = 0; leet != NULL; k++) { /* its '\0' too, as strchr() */
            key_bit(ts->ascii_keys[a], (unsigned char)leet[k]);
            if (leet[k] == '\0')
                break;
        }
    }
}

struct termset *
termset_new(const char *const *terms, size_t n, struct buf *err)
{
    struct termset *ts = xcalloc(1, sizeof(*ts));
    char **exprs = NULL;
    unsigned *flags = NULL, *ids = NULL;
    struct hsdb_patterns pats = { 0 };
    struct buf re = BUF_INIT(1u << 20);
    size_t i, m = 0, *slot = NULL, *tail = NULL, *s;

    if (n == 0)
        return ts;
    if (n > TERMS_MAX) {
        buf_addf(err, "more than %d watch terms", TERMS_MAX);
        goto fail;
    }
    ts->terms = xcalloc(n, sizeof(*ts->terms));
    ts->n = n;
    ts->fold_table = fold_ascii_table();
    ts->fold_pages = fold_ascii_pages();
    ascii_keys_init(ts);
#ifdef LEET_AVX2
    __builtin_cpu_init();
    ts->avx2 = __builtin_cpu_supports("avx2");
#endif
    for (ts->nbucket = 64; ts->nbucket < 2 * n; ts->nbucket *= 2)
        ;
    ts->bucket = xcalloc(ts->nbucket, sizeof(*ts->bucket));
    ts->next = xcalloc(n, sizeof(*ts->next));
    ts->leet_word = xcalloc(n, sizeof(*ts->leet_word));
    exprs = xcalloc(n + 1, sizeof(*exprs));
    flags = xcalloc(n + 1, sizeof(*flags));
    ids = xcalloc(n + 1, sizeof(*ids));
    /* Literals seen (pattern_slot()) and the last term of each. */
    slot = xcalloc(ts->nbucket, sizeof(*slot));
    tail = xcalloc(n, sizeof(*tail));
    for (i = 0; i < n; i++) {
        if (strlen(terms[i]) > TERMS_MAX_LEN) {
            buf_addf(err, "watch term %zu is longer than %d bytes", i,
                     TERMS_MAX_LEN);
            goto fail;
        }
        if (!fold_term(terms[i], &ts->terms[i])) {
            buf_addf(err, "watch term %zu is not valid UTF-8", i);
            goto fail;
        }
        if (ts->terms[i].nkey == 0) {
            buf_addf(err, "watch term %zu is empty", i);
            goto fail;
        }
        leet_index(ts, i, terms[i]);
        buf_reset(&re);
        if (!term_pattern(terms[i], &ts->terms[i], &re, &flags[m]))
            continue; /* a first word that folds to nothing */
        if (ts->terms[i].lit_len > 0) {
            /* A literal already in: its pattern reports term i too
               (on_match()), "Mark" of five terms one report, not five. */
            s = pattern_slot(buf_str(&re), exprs, slot, ts->nbucket);
            if (*s != 0) {
                ts->terms[tail[ids[*s - 1]]].lit_next = i + 1;
                tail[ids[*s - 1]] = i;
                continue;
            }
            *s = m + 1;
            tail[i] = i;
        }
        exprs[m] = buf_detach(&re, NULL);
        ids[m] = (unsigned)i;
        m++;
    }
    buf_reset(&re); /* now for Hyperscan's message */
    pats.exprs = (const char *const *)exprs;
    pats.flags = flags;
    pats.ids = ids;
    pats.n = (unsigned)m;
    if (m > 0 && hsdb_compile(&pats, &ts->db, NULL, &re) != 0) {
        buf_addf(err, "cannot compile the watch terms: %s", buf_str(&re));
        goto fail;
    }
    if (ts->db && hs_alloc_scratch(ts->db, &ts->proto) != HS_SUCCESS)
        abort(); /* out of memory */
    ts->exprs = exprs;
    ts->flags = flags;
    ts->ids = ids;
    ts->nexpr = m;
    free(slot);
    free(tail);
    buf_release(&re);
    return ts;
fail:
    for (i = 0; i < m; i++)
        free(exprs[i]);
    free(exprs);
    free(flags);
    free(ids);
    free(slot);
    free(tail);
    buf_release(&re);
    termset_free(ts);
    return NULL;
}

void
termset_free(struct termset *ts)
{
    size_t i;

    if (ts == NULL)
        return;
    for (i = 0; ts->terms && i < ts->n; i++) {
        term_release(&ts->terms[i]);
        free(ts->leet_word[i]);
    }
    free(ts->terms);
    free(ts->bucket);
    free(ts->next);
    free(ts->leet_word);
    for (i = 0; i < ts->nexpr; i++)
        free(ts->exprs[i]);
    free(ts->exprs);
    free(ts->flags);
    free(ts->ids);
    hsdb_scratch_free(ts->proto);
    hs_free_database(ts->db);
    free(ts);
}

/*
 * Whether term t matches the text from start: each character's key (or
 * for a leet character, one of its letters) continues the term's key, a
 * run of blanks stands for each BLANK. Sets *end and *variant (the text's
 * exact form differs from the term's). With lit, the text at start is
 * known to hold the term's first word (a literal hit, any case).
 */
static bool
complete(const struct termset *ts, const struct term *t,
         const unsigned char *text, size_t len, size_t start, bool lit,
         size_t *end, bool *variant)
{
    size_t i = 0, e = 0, pos = start, nk, ne, b, k;
    ucs4_t c, key[FOLD_MAX], ex[FOLD_MAX];
    const char *leet;
    int cl;

    *variant = false;
    if (lit) {
        i = t->lit_nkey;
        e = t->lit_nex;
        pos += t->lit_len;
    }
    while (i < t->nkey) {
        if (t->key[i] == BLANK) {
            for (k = 0; k < MAX_BLANKS &&
                        (b = blank_at(text + pos, len - pos)) > 0; k++)
                pos += b;
            if (k == 0)
                return false;
            i++;
            if (e < t->nex && t->ex[e] == BLANK)
                e++;
            else
                *variant = true;
            continue;
        }
        if (pos >= len)
            return false;
        if (text[pos] < 0x80) {
            c = text[pos];
            cl = 1;
            /* The common case: the same ASCII letter, any case. */
            if (c >= 'A' && c <= 'Z')
                c += 32;
            if (c == t->key[i] && !*variant && e < t->nex &&
                t->ex[e] == c && c != BLANK) {
                i++;
                e++;
                pos++;
                continue;
            }
            c = text[pos];
            /* Nothing below can match (most misses end here). */
            if (t->key[i] < 128 && !(ts->ascii_keys[c][t->key[i] / 64] &
                                     (UINT64_C(1) << (t->key[i] % 64))))
                return false;
        } else {
            cl = u8_mbtouc(&c, text + pos, len - pos);
            if (cl < 1 || c == 0xfffd)
                return false;
        }
        if (blank_at(text + pos, len - pos) > 0)
            return false;
        nk = fold_key(c, key);
        if (nk > 0 && nk <= t->nkey - i &&
            memcmp(key, t->key + i, nk * sizeof(*key)) == 0)
            i += nk;
        else if ((nk = fold_key2(c, key)) > 0 && nk <= t->nkey - i &&
                 memcmp(key, t->key + i, nk * sizeof(*key)) == 0)
            i += nk;
        else if ((leet = fold_leet(c)) != NULL && t->key[i] < 128 &&
                 strchr(leet, (int)t->key[i]) != NULL)
            i++;
        else
            return false;
        pos += (size_t)cl;
        if (*variant)
            continue;
        ne = fold_exact(c, ex);
        if (ne <= t->nex - e &&
            memcmp(ex, t->ex + e, ne * sizeof(*ex)) == 0)
            e += ne;
        else
            *variant = true;
    }
    if (e != t->nex)
        *variant = true;
    *end = pos;
    return true;
}

/* The offset in the text of byte i of what is scanned. */
static size_t
text_offset(const struct collect *c, size_t i)
{
    size_t lo = 0, hi = c->nbreak, mid;

    if (c->nbreak == 0)
        return c->base + i;
    while (hi - lo > 1) { /* the last break at or before i */
        mid = lo + (hi - lo) / 2;
        if (c->fold_at[mid] <= i)
            lo = mid;
        else
            hi = mid;
    }
    return c->base + c->text_at[lo] + (i - c->fold_at[lo]);
}

/* Records term id at start in the text when it matches there. Returns 1
   to stop the scan (too many), else 0. */
static int
record(struct collect *c, size_t id, size_t start, bool lit)
{
    size_t end;
    bool variant;

    /* The same start again (another alternative of the pattern). */
    if (c->n > 0 && c->v[c->n - 1].off == start &&
        c->v[c->n - 1].term == id)
        return 0;
    if (!complete(c->ts, &c->ts->terms[id], c->text, c->len, start, lit, &end,
                  &variant))
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
    c->v[c->n].variant = variant;
    c->n++;
    return 0;
}

/* Whether a leet word with the signature of buf[s..e) is filed: most
   words of a text are not (inlined in leet_try(), before the call). */
static inline bool
leet_filed(const struct collect *c, size_t s, size_t e)
{
    size_t h =
        leet_sig_bit(leet_char(c->buf[s]), leet_char(c->buf[e - 1]), e - s);

    return (c->ts->leet_sig[h / 64] & (UINT64_C(1) << (h % 64))) != 0;
}

/* Terms whose first word starts with the leet word buf[s..e), which
   leet_filed() passed. */
static int
leet_lookup(struct collect *c, size_t s, size_t e)
{
    const struct termset *ts = c->ts;
    char w[LEET_WORD_MAX + 1];
    size_t h, k, start;

    h = leet_hash(c->buf + s, e - s, w);
    start = text_offset(c, s);
    for (k = ts->bucket[h & (ts->nbucket - 1)]; k; k = ts->next[k - 1])
        if (strcmp(ts->leet_word[k - 1], w) == 0 &&
            record(c, k - 1, start, false) != 0)
            return 1;
    return 0;
}

/*
 * Bit i set where p[i] (of 64 bytes) is a leet sign (a digit, @ $ | ! +)
 * inside letters, or a capital I after a small letter ("PaypaI"): where a
 * leet word of a term may be (more at the block's edges: callers check).
 * "v1", "x64", "sha256" are left out.
 * Sets *word to the bytes that may be part of a leet word (when any bit
 * is set in the result), and *high to the bytes that are not ASCII.
 * SSE2 where there is one: this runs over all the text.
 */
static uint64_t
leet_mask(const unsigned char *p, uint64_t *word, uint64_t *high)
{
    uint64_t sign = 0, letter = 0, small = 0, capital_i = 0;
#ifdef __SSE2__
    const __m128i c0 = _mm_set1_epi8('0' - 1), c9 = _mm_set1_epi8('9' + 1);
    const __m128i ca = _mm_set1_epi8('a' - 1), cz = _mm_set1_epi8('z' + 1);
    const __m128i sp = _mm_set1_epi8(0x20);
    uint64_t hi = 0;
    __m128i x[4], lx, m;
    int k;

    for (k = 0; k < 4; k++) {
        x[k] = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        /* Signed compares: bytes over 0x7f are negative, in no range. */
        m = _mm_and_si128(_mm_cmpgt_epi8(x[k], c0), _mm_cmplt_epi8(x[k], c9));
        m = _mm_or_si128(m, _mm_cmpeq_epi8(x[k], _mm_set1_epi8('@')));
        m = _mm_or_si128(m, _mm_cmpeq_epi8(x[k], _mm_set1_epi8('$')));
        m = _mm_or_si128(m, _mm_cmpeq_epi8(x[k], _mm_set1_epi8('|')));
        m = _mm_or_si128(m, _mm_cmpeq_epi8(x[k], _mm_set1_epi8('!')));
        m = _mm_or_si128(m, _mm_cmpeq_epi8(x[k], _mm_set1_epi8('+')));
        sign |= (uint64_t)(unsigned)_mm_movemask_epi8(m) << (16 * k);
        m = _mm_cmpeq_epi8(x[k], _mm_set1_epi8('I'));
        capital_i |= (uint64_t)(unsigned)_mm_movemask_epi8(m) << (16 * k);
        hi |= (uint64_t)(unsigned)_mm_movemask_epi8(x[k]) << (16 * k);
    }
    *high = hi;
    *word = 0;
    if ((sign | capital_i) == 0)
        return 0; /* most blocks of prose */
    for (k = 0; k < 4; k++) {
        m = _mm_and_si128(_mm_cmpgt_epi8(x[k], ca), _mm_cmplt_epi8(x[k], cz));
        small |= (uint64_t)(unsigned)_mm_movemask_epi8(m) << (16 * k);
        lx = _mm_or_si128(x[k], sp);
        m = _mm_and_si128(_mm_cmpgt_epi8(lx, ca), _mm_cmplt_epi8(lx, cz));
        letter |= (uint64_t)(unsigned)_mm_movemask_epi8(m) << (16 * k);
    }
#else
    int k;

    *high = 0;
    for (k = 0; k < 64; k++) {
        if (p[k] & 0x80)
            *high |= UINT64_C(1) << k;
        if (leet_class[p[k]] == LEET_SIGN)
            sign |= UINT64_C(1) << k;
        if (leet_class[p[k]] == LEET_LETTER)
            letter |= UINT64_C(1) << k;
        if (p[k] >= 'a' && p[k] <= 'z')
            small |= UINT64_C(1) << k;
        if (p[k] == 'I')
            capital_i |= UINT64_C(1) << k;
    }
#endif
    return termset_leet_hits(sign, letter, small, capital_i, word);
}

#ifdef LEET_AVX2
/* leet_mask() with AVX2, where the CPU has it: half the instructions. */
__attribute__((target("avx2"))) static uint64_t
leet_mask_avx2(const unsigned char *p, uint64_t *word, uint64_t *high)
{
    const __m256i c0 = _mm256_set1_epi8('0' - 1);
    const __m256i c9 = _mm256_set1_epi8('9' + 1);
    const __m256i ca = _mm256_set1_epi8('a' - 1);
    const __m256i cz = _mm256_set1_epi8('z' + 1);
    const __m256i sp = _mm256_set1_epi8(0x20);
    uint64_t sign = 0, letter = 0, small = 0, capital_i = 0, hi = 0;
    __m256i x[2], lx, m;
    int k;

    for (k = 0; k < 2; k++) {
        x[k] = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32 * k));
        m = _mm256_and_si256(_mm256_cmpgt_epi8(x[k], c0),
                             _mm256_cmpgt_epi8(c9, x[k]));
        m = _mm256_or_si256(m, _mm256_cmpeq_epi8(x[k], _mm256_set1_epi8('@')));
        m = _mm256_or_si256(m, _mm256_cmpeq_epi8(x[k], _mm256_set1_epi8('$')));
        m = _mm256_or_si256(m, _mm256_cmpeq_epi8(x[k], _mm256_set1_epi8('|')));
        m = _mm256_or_si256(m, _mm256_cmpeq_epi8(x[k], _mm256_set1_epi8('!')));
        m = _mm256_or_si256(m, _mm256_cmpeq_epi8(x[k], _mm256_set1_epi8('+')));
        sign |= (uint64_t)(uint32_t)_mm256_movemask_epi8(m) << (32 * k);
        m = _mm256_cmpeq_epi8(x[k], _mm256_set1_epi8('I'));
        capital_i |= (uint64_t)(uint32_t)_mm256_movemask_epi8(m) << (32 * k);
        hi |= (uint64_t)(uint32_t)_mm256_movemask_epi8(x[k]) << (32 * k);
    }
    *high = hi;
    *word = 0;
    if ((sign | capital_i) == 0)
        return 0;
    for (k = 0; k < 2; k++) {
        m = _mm256_and_si256(_mm256_cmpgt_epi8(x[k], ca),
                             _mm256_cmpgt_epi8(cz, x[k]));
        small |= (uint64_t)(uint32_t)_mm256_movemask_epi8(m) << (32 * k);
        lx = _mm256_or_si256(x[k], sp);
        m = _mm256_and_si256(_mm256_cmpgt_epi8(lx, ca),
                             _mm256_cmpgt_epi8(cz, lx));
        letter |= (uint64_t)(uint32_t)_mm256_movemask_epi8(m) << (32 * k);
    }
    return termset_leet_hits(sign, letter, small, capital_i, word);
}
#endif

/* Looks the leet word buf[s..e) up, and without the leet signs at its
   ends ("N0rthw1nd!!"). */
static int
leet_try(struct collect *c, size_t s, size_t e)
{
    const unsigned char *b = c->buf;
    size_t s2, e2;

    /* leet_mask() picked a leet character or capital I in it: no need to
       check it mixes letters and signs (complete() checks all). */
    if (e - s < c->ts->leet_min || e - s > c->ts->leet_max + 8)
        return 0;
    if (e - s <= c->ts->leet_max && leet_filed(c, s, e) && leet_lookup(c, s, e))
        return 1;
    for (e2 = e; e2 > s && leet_sign(b[e2 - 1]); e2--)
        ;
    if (e2 - s >= c->ts->leet_min && e2 - s <= c->ts->leet_max && e2 != e &&
        leet_filed(c, s, e2) && leet_lookup(c, s, e2))
        return 1;
    for (s2 = s; s2 < e2 && leet_sign(b[s2]); s2++)
        ;
    if (e2 - s2 >= c->ts->leet_min && e2 - s2 <= c->ts->leet_max && s2 != s &&
        leet_filed(c, s2, e2) && leet_lookup(c, s2, e2))
        return 1;
    return 0;
}

/* Whether c ends a word for note_high(): no first word of a term and no
   leet word holds it, in the text or folded. */
static bool
space_byte(unsigned char c)
{
    /* ' ' and '\t' to '\r' (9 to 13), one test for the byte loops */
    return c <= ' ' && ((UINT64_C(1) << c) & (UINT64_C(0x100003e00))) != 0;
}

/*
 * Lists the word around text[at], which holds a byte that is not ASCII,
 * for scanning folded (with the previous one when FOLD_GAP or less
 * apart). A match that the folded text adds holds a folded character:
 * the word of a leet lookup or the first word of a term cannot span an
 * ASCII blank, so it lies in such a word. The lines around them, which
 * were folded before, are 30 times their size in the bench's corpus.
 */
static void
note_high(struct collect *c, size_t at)
{
    const unsigned char *t = c->text;
    size_t first = at, last = at;

    while (first > c->high_end && !space_byte(t[first - 1]))
        first--;
    while (last < c->len && !space_byte(t[last]))
        last++;
    c->high_end = last;
    if (c->nwords > 0 && first - c->words[2 * c->nwords - 1] <= FOLD_GAP) {
        c->words[2 * c->nwords - 1] = last;
        return;
    }
    if (c->nwords == c->capwords) {
        c->capwords = c->capwords ? c->capwords * 2 : 64;
        c->words = xreallocarray(c->words, c->capwords, 2 * sizeof(size_t));
    }
    c->words[2 * c->nwords] = first;
    c->words[2 * c->nwords + 1] = last;
    c->nwords++;
}

/*
 * Looks up the leet words of the scanned buffer: vectorised search for a
 * leet character next to a letter, then leet_word() there. (Hyperscan
 * patterns for a letter next to a digit would fire on every hash and
 * version number, and cost more than this pass.)
 */
static int
leet_scan(struct collect *c)
{
    const unsigned char *b = c->buf;
    unsigned char tail[64];
    size_t n = c->buflen, base, done = 0, s, e, i, at;
    size_t limit = c->ts->leet_max + 8; /* longer words are no term's */
    const struct leet_masks *lm;
    uint64_t m, word = 0, below, above, high;
    bool long_run = false; /* the run going on is longer than limit */

    /* c->base is a multiple of 64 */
    lm = c->use_masks ? c->masks + c->base / 64 : NULL;
    for (base = 0; base < n; base += 64) {
        if (lm != NULL) {
            /* Blocks with nothing to do (half of them), in a tight loop. */
            while ((lm->hits | lm->high) == 0 && base + 64 < n) {
                lm++;
                base += 64;
            }
            m = lm->hits;
            word = lm->word;
            high = lm->high;
            lm++;
            if ((m | high) == 0)
                continue; /* the last block */
        } else if (n - base >= 64)
#ifdef LEET_AVX2
            m = c->ts->avx2 ? leet_mask_avx2(b + base, &word, &high)
                            : leet_mask(b + base, &word, &high);
#else
            m = leet_mask(b + base, &word, &high);
#endif
        else {
            memset(tail, 0, sizeof(tail));
            memcpy(tail, b + base, n - base);
            m = leet_mask(tail, &word, &high) &
                ((UINT64_C(1) << (n - base)) - 1);
        }
        at = c->base + base;
        /* Each word of the block with a byte that is not ASCII. */
        while (high != 0 && c->find_high && at + 64 > c->high_end) {
            if (c->high_end > at)
                high &= ~((UINT64_C(1) << (c->high_end - at)) - 1);
            if (high == 0)
                break;
            note_high(c, at + (size_t)__builtin_ctzll(high));
        }
        if (c->ts->nleet == 0)
            continue;
        while (m != 0) {
            i = (size_t)__builtin_ctzll(m);
            m &= m - 1;
            if (base + i < done)
                continue;
            /* The word's ends from the mask, or byte by byte where it
               runs past the block (no further than limit). */
            below = ~word & ((UINT64_C(1) << i) - 1);
            above = ~word & ~((UINT64_C(2) << i) - 1);
            if (below != 0 || base == 0 || leet_class[b[base - 1]] == 0) {
                s = below ? base + 64 - (size_t)__builtin_clzll(below)
                          : base;
                long_run = false;
            } else if (!long_run) {
                for (s = base + i; s > 0 && leet_class[b[s - 1]] != 0 &&
                                   base + i - s <= limit;
                     s--)
                    ;
                long_run = s > 0 && leet_class[b[s - 1]] != 0;
            }
            if (above != 0)
                e = base + (size_t)__builtin_ctzll(above);
            else if (long_run)
                e = base + 64; /* the run goes on: the next block's */
            else if (base + i - s > limit)
                e = base + i;
            else {
                /* The word holds the rest of the block (word has no gap
                   above i); byte by byte after it, up to limit. */
                e = s + limit + 1 < base + 64 ? s + limit + 1 : base + 64;
                while (e < n && leet_class[b[e]] != 0 && e - s <= limit)
                    e++;
            }
            done = e;
            if (e - base < 64) /* the word's other bits in this block */
                m &= ~((UINT64_C(1) << (e - base)) - 1);
            else
                m = 0;
            if (above == 0 && e < n && leet_class[b[e]] != 0)
                long_run = true; /* cut short at limit */
            if (long_run) {
                if (above != 0)
                    long_run = false; /* it ends here */
                continue;
            }
            if (leet_try(c, s, e))
                return 1;
        }
    }
    return 0;
}

/*
 * Whether the bytes beside the literal hit text[start..stop) rule out
 * the terms that start with it: complete() would fail on the byte after
 * the literal (a term of several words needs a blank there), or the
 * boundary check of termset_match_masked() would drop the match (a word
 * character joins it). Only ASCII bytes are judged here; the rest is left
 * to those checks. Most literal hits end here: "Mark" of "Marketing",
 * "Jose" not followed by a blank. Sets *blank (a blank may follow) and
 * *joined (a word character follows) for lit_ruled_out().
 */
static bool
lit_hit_ruled_out(const struct term *t, const unsigned char *text, size_t len,
                  size_t start, bool *blank, bool *joined)
{
    size_t stop = start + t->lit_len;

    if (t->lit_word_first && start > 0 && ascii_word(text[start - 1]))
        return true; /* the same for every term of the literal */
    *blank = stop < len && (is_blank((char)text[stop]) || text[stop] == 0xc2 ||
                            text[stop] == '&');
    *joined = stop < len && ascii_word(text[stop]);
    return false;
}

/* Whether term t is ruled out at a hit of its literal (blank, joined:
   lit_hit_ruled_out()'s). */
static bool
lit_ruled_out(const struct term *t, bool blank, bool joined)
{
    if (t->lit_nkey < t->nkey) /* a blank follows, or blank_at() fails */
        return !blank;
    return t->lit_word_last && joined;
}

static int
on_match(unsigned int id, unsigned long long from, unsigned long long to,
         unsigned int flags, void *arg)
{
    struct collect *c = arg;
    const struct term *t = &c->ts->terms[id];
    size_t start, k;
    bool lit, blank = true, joined = false;

    (void)flags;
    if (t->lit_len == 0) /* compiled with HS_FLAG_SOM_LEFTMOST */
        return record(c, id, text_offset(c, (size_t)from), false);
    /* A literal starts lit_len bytes before its end. */
    start = text_offset(c, (size_t)(to - t->lit_len));
    /* A literal of the text as it is (not of folded lookalikes) is the
       term's first word: complete() checks the rest. */
    lit = c->nbreak == 0 || (start + t->lit_len <= c->len &&
                             memcmp(c->text + start, c->buf + (to - t->lit_len),
                                    t->lit_len) == 0);
    if (lit && lit_hit_ruled_out(t, c->text, c->len, start, &blank, &joined))
        return 0;
    /* Each term that starts with this literal. */
    for (k = id + 1; k != 0; k = c->ts->terms[k - 1].lit_next)
        if (!(lit && lit_ruled_out(&c->ts->terms[k - 1], blank, joined)) &&
            record(c, k - 1, start, lit) != 0)
            return 1;
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
    if (uc < 0x80)
        return ascii_word((unsigned char)uc);
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

/* Scans text[off..off+n) as it is, in chunks of at most 1 GiB (Hyperscan
   takes an unsigned int length; a term cut at such a seam is lost). */
static void
scan_raw(struct collect *c, hs_scratch_t *scratch, size_t off, size_t n)
{
    size_t chunk;

    c->nbreak = 0;
    for (; n > 0 && !c->full; off += chunk, n -= chunk) {
        chunk = n > TERMS_CHUNK ? TERMS_CHUNK : n;
        c->base = off;
        c->buf = c->text + off;
        c->buflen = chunk;
        hs_scan(c->ts->db, (const char *)c->buf, (unsigned)chunk, 0,
                scratch, on_match, c);
        c->use_masks = c->masks != NULL;
        if (!c->full)
            leet_scan(c); /* also lists the words to scan folded */
        c->use_masks = false;
    }
}

/*
 * Scans text[off..stop) with its lookalikes folded to ASCII (fold_ascii()),
 * in pieces of FOLD_PIECE bytes that overlap by FOLD_OVERLAP; out holds a
 * piece (FOLD_PIECE + 4 bytes), fold_at and text_at its breaks
 * (FOLD_PIECE / 2 + 2 entries each: a folded character has 2 bytes or
 * more, and folds to fewer).
 */
static void
scan_folded(struct collect *c, hs_scratch_t *scratch, size_t off,
            size_t stop, char *out, uint32_t *fold_at, uint32_t *text_at)
{
    const unsigned char *t = c->text;
    const char (*table)[2] = c->ts->fold_table;
    size_t end, p, q, o, j, nb;
    uint64_t w;
    bool folded;
    char a[2];
    ucs4_t uc;
    int k;

    while (off < stop && !c->full) {
        end = stop - off > FOLD_PIECE ? off + FOLD_PIECE : stop;
        fold_at[0] = text_at[0] = 0;
        nb = 1;
        folded = false;
        for (p = off, o = 0; p < end;) {
            if (t[p] < 0x80) { /* an ASCII run: copied 8 bytes at a time */
                for (q = p; q + 8 <= end; q += 8) {
                    memcpy(&w, t + q, 8);
                    if (w & UINT64_C(0x8080808080808080))
                        break;
                }
                while (q < end && t[q] < 0x80)
                    q++;
                memcpy(out + o, t + p, q - p);
                o += q - p;
                p = q;
                continue;
            }
            if (t[p] >= 0xc2 && t[p] <= 0xdf && p + 1 < stop &&
                (t[p + 1] & 0xc0) == 0x80) { /* two bytes: most scripts */
                uc = (ucs4_t)(t[p] & 0x1f) << 6 | (t[p + 1] & 0x3f);
                k = 2;
            } else if ((k = u8_mbtouc(&uc, t + p, stop - p)) < 1)
                k = 1;
            if (uc < FOLD_TABLE_END) {
                a[0] = table[uc][0];
                a[1] = table[uc][1];
                j = a[0] == '\0' ? 0 : a[1] == '\0' ? 1 : 2;
            } else if (fold_ascii_page(c->ts->fold_pages, uc))
                j = uc == 0xfffd ? 0 : fold_ascii(uc, a);
            else
                j = 0;    /* Han, Hangul, emoji: no lookalikes there */
            if (j == 0) { /* as it is: one to one */
                for (j = 0; j < (size_t)k; j++)
                    out[o++] = (char)t[p++];
                continue;
            }
            out[o++] = a[0];
            if (j == 2)
                out[o++] = a[1];
            p += (size_t)k;
            folded = true;
            if (j != (size_t)k) { /* one to one no more: a break */
                fold_at[nb] = (uint32_t)o;
                text_at[nb] = (uint32_t)(p - off);
                nb++;
            }
        }
        c->nbreak = nb;
        c->base = off;
        c->fold_at = fold_at;
        c->text_at = text_at;
        c->buf = (const unsigned char *)out;
        c->buflen = o;
        /* Nothing folded: the pass over the text as it is saw it all. */
        if (folded)
            hs_scan(c->ts->db, out, (unsigned)o, 0, scratch, on_match, c);
        if (folded && c->ts->nleet > 0 && !c->full)
            leet_scan(c);
        if (p >= stop)
            break;
        /* The next piece starts FOLD_OVERLAP bytes back, on a character. */
        end = p - FOLD_OVERLAP;
        while (end > off && (t[end] & 0xc0) == 0x80)
            end--;
        off = end > off ? end : p;
    }
    c->nbreak = 0;
}

int
termset_match(const struct termset *ts, const char *text, size_t len,
              struct term_match **v, size_t *n, size_t max)
{
    return termset_match_masked(ts, text, len, NULL, v, n, max);
}

/* A gathering of matches in text[0..len), at most max of them. */
static void
collect_init(struct collect *c, const struct termset *ts, const char *text,
             size_t len, const struct leet_masks *masks, size_t max)
{
    memset(c, 0, sizeof(*c));
    c->ts = ts;
    c->text = (const unsigned char *)text;
    c->len = len;
    c->masks = masks;
    /* Candidates before the boundary check: allow some slack over max. */
    c->max = max > ((size_t)-1) / 4 ? max : max * 4 + 1024;
}

/*
 * The rest of a match once the text as it is was scanned: the words that
 * hold other bytes than ASCII (which that pass listed) with their
 * lookalikes folded, then the matches in order, on word boundaries, into
 * *v. Frees what c holds.
 */
static int
collect_end(struct collect *c, hs_scratch_t *scratch, size_t max,
            struct term_match **v, size_t *n)
{
    const unsigned char *t = c->text;
    size_t i, end = 0, len = c->len;
    char *out = NULL;
    uint32_t *fold_at = NULL, *text_at = NULL;
    int rc = 0;

    for (i = 0; i < c->nwords && !c->full; i++) {
        if (out == NULL) {
            out = xmalloc(FOLD_PIECE + 4);
            fold_at = xreallocarray(NULL, FOLD_PIECE / 2 + 2,
                                    sizeof(*fold_at));
            text_at = xreallocarray(NULL, FOLD_PIECE / 2 + 2,
                                    sizeof(*text_at));
        }
        scan_folded(c, scratch, c->words[2 * i], c->words[2 * i + 1], out,
                    fold_at, text_at);
    }
    free(c->words);
    free(out);
    free(fold_at);
    free(text_at);
    if (c->n > 1)
        qsort(c->v, c->n, sizeof(*c->v), by_offset_longest);
    /* Room for every candidate at once, not one realloc per match. */
    if (c->n > 0)
        *v = xreallocarray(*v, *n + (c->n < max ? c->n : max) + 1,
                           sizeof(**v));
    for (i = 0; i < c->n; i++) {
        const struct term_match *m = &c->v[i];
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
    if (c->full && rc == 0)
        rc = DRP_ETOOBIG;
    free(c->v);
    return rc;
}

int
termset_match_masked(const struct termset *ts, const char *text, size_t len,
                     const struct leet_masks *masks, struct term_match **v,
                     size_t *n, size_t max)
{
    struct collect c;
    hs_scratch_t *scratch = NULL;
    int rc;

    if (ts->db == NULL || len == 0)
        return 0;
    collect_init(&c, ts, text, len, masks, max);
    scratch = hsdb_scratch_take(ts->proto);
    /* The text is scanned as it is; the pass lists the words with other
       bytes than ASCII. */
    c.find_high = true;
    scan_raw(&c, scratch, 0, len);
    c.find_high = false;
    rc = collect_end(&c, scratch, max, v, n);
    hsdb_scratch_give(ts->proto, scratch);
    return rc;
}

/* --- the hits of another pass ----------------------------------------- */

struct termset_hits {
    struct collect c;
    size_t max;
};

size_t
termset_exprs(const struct termset *ts, const char *const **exprs,
              const unsigned **flags, const unsigned **ids)
{
    *exprs = (const char *const *)ts->exprs;
    *flags = ts->flags;
    *ids = ts->ids;
    return ts->db != NULL ? ts->nexpr : 0;
}

struct termset_hits *
termset_hits_begin(const struct termset *ts, const char *text, size_t len,
                   const struct leet_masks *masks, size_t max)
{
    struct termset_hits *h;

    /* scan_raw()'s chunks: a longer text is matched with seams. */
    if (ts->db == NULL || len == 0 || len > TERMS_CHUNK)
        return NULL;
    h = xmalloc(sizeof(*h));
    collect_init(&h->c, ts, text, len, masks, max);
    h->max = max;
    h->c.buf = h->c.text;
    h->c.buflen = len;
    return h;
}

void
termset_hit(struct termset_hits *h, unsigned int id, unsigned long long from,
            unsigned long long to)
{
    /* on_match() stops its own pass when full; the other pass goes on,
       and the hits after that are dropped as that pass would have. */
    if (h != NULL && !h->c.full && id < h->c.ts->n)
        on_match(id, from, to, 0, &h->c);
}

int
termset_hits_end(struct termset_hits *h, struct term_match **v, size_t *n)
{
    hs_scratch_t *scratch;
    int rc;

    if (h == NULL)
        return 0;
    /* The rest of scan_raw()'s work on its one chunk: the leet pass,
       which lists the words with other bytes than ASCII. */
    h->c.find_high = true;
    if (!h->c.full) {
        h->c.use_masks = h->c.masks != NULL;
        leet_scan(&h->c);
        h->c.use_masks = false;
    }
    h->c.find_high = false;
    scratch = hsdb_scratch_take(h->c.ts->proto);
    rc = collect_end(&h->c, scratch, h->max, v, n);
    hsdb_scratch_give(h->c.ts->proto, scratch);
    free(h);
    return rc;
}

char *
terms_fold(const char *s, size_t n)
{
    size_t len = 0, i;
    uint8_t *r = NULL;
    char *v;

    if (u8_check((const uint8_t *)s, n) == NULL)
        r = u8_casefold((const uint8_t *)s, n, NULL, UNINORM_NFKC, NULL,
                        &len);
    if (r == NULL) {
        v = xstrndup(s, n);
        for (i = 0; v[i]; i++)
            if (v[i] >= 'A' && v[i] <= 'Z')
                v[i] = (char)(v[i] + 32);
        return v;
    }
    v = xstrndup((const char *)r, len);
    free(r);
    return v;
}
