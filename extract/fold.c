/*
 * Folding for watch terms: libunistring's NFKD and case folding, ICU's
 * confusable skeletons (uspoof, Unicode TR39 data), and the leetspeak
 * table (no library has one). Tables for ASCII and for the characters
 * that lookalikes come from are built once per process; other characters
 * are folded on demand. Matching itself is in extract/terms.c.
 */
#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unistr.h>
#include <unicode/uspoof.h>

#include "common/log.h"
#include "common/xalloc.h"
#include "extract/fold.h"
#include "common/banned.h"

/* Blocks that lookalikes of ASCII letters and digits come from. */
static const ucs4_t source_ranges[][2] = {
    { 0x00a0, 0x02af },   /* Latin-1, Latin Extended-A and -B, IPA */
    { 0x0370, 0x052f },   /* Greek, Cyrillic and its supplement */
    { 0x0530, 0x058f },   /* Armenian */
    { 0x13a0, 0x13ff },   /* Cherokee */
    { 0x1d00, 0x1dbf },   /* phonetic extensions */
    { 0x1e00, 0x1eff },   /* Latin Extended Additional */
    { 0x2100, 0x218f },   /* letterlike symbols, number forms */
    { 0x2460, 0x24ff },   /* enclosed alphanumerics */
    { 0xab70, 0xabbf },   /* Cherokee small letters */
    { 0xff00, 0xff5e },   /* fullwidth forms */
    { 0x1d400, 0x1d7ff }, /* mathematical alphanumerics */
    { 0x1f130, 0x1f189 }, /* squared and circled Latin letters */
};
#define NRANGES (sizeof(source_ranges) / sizeof(source_ranges[0]))

struct source {
    ucs4_t k0, k1; /* the key (k1 is 0 for a one-character key) */
    ucs4_t c;
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static USpoofChecker *spoof;
static ucs4_t ascii_key[128][FOLD_MAX];
static size_t ascii_nkey[128];
static ucs4_t ascii_key2[128][FOLD_MAX];
static size_t ascii_nkey2[128];
/* fold_ascii() of each character of source_ranges, in their order. */
static char (*range_ascii)[2];
static size_t range_first[NRANGES];
static char low_table[FOLD_TABLE_END][2]; /* fold_ascii_table() */
static uint64_t pages[FOLD_PAGES_END >> 14]; /* fold_ascii_pages() */
static struct source *sources; /* sorted by key */
static ucs4_t *source_chars;    /* sources[i].c, for fold_sources() */
static size_t nsources;

static size_t
casefold(const ucs4_t *s, size_t n, ucs4_t *out)
{
    size_t len = FOLD_MAX;
    uint32_t *r = u32_casefold(s, n, NULL, UNINORM_NFKD, out, &len);

    if (r == NULL)
        return 0;
    if (r != out) { /* longer than FOLD_MAX */
        free(r);
        return 0;
    }
    return len;
}

/* The skeleton of s[0..n) into out, folded if fold; returns its length. */
static size_t
skeleton(const ucs4_t *s, size_t n, ucs4_t *out, bool fold)
{
    uint16_t u16[2 * FOLD_MAX], sk[4 * FOLD_MAX];
    ucs4_t u32[4 * FOLD_MAX];
    size_t n16 = 2 * FOLD_MAX, n32 = 4 * FOLD_MAX;
    UErrorCode e = U_ZERO_ERROR;
    int32_t k;

    if (spoof == NULL ||
        u32_to_u16(s, n, u16, &n16) != u16 || n16 > 2 * FOLD_MAX)
        goto same;
    k = uspoof_getSkeleton(spoof, 0, u16, (int32_t)n16, sk,
                           (int32_t)(4 * FOLD_MAX), &e);
    if (U_FAILURE(e) || k < 0 || u16_to_u32(sk, (size_t)k, u32, &n32) != u32)
        goto same;
    if (fold)
        return casefold(u32, n32, out);
    if (n32 > FOLD_MAX)
        return 0;
    memcpy(out, u32, n32 * sizeof(*out));
    return n32;
same:
    memcpy(out, s, n * sizeof(*s));
    return n;
}

static size_t
key_of(ucs4_t c, ucs4_t *out)
{
    ucs4_t ex[FOLD_MAX];
    size_t n = fold_exact(c, ex);

    return n == 0 ? 0 : skeleton(ex, n, out, true);
}

/* The other way round: c's skeleton, folded ("Ν", Greek capital nu, is
   "n" this way and "v" the other). */
static size_t
key2_of(ucs4_t c, ucs4_t *out)
{
    ucs4_t sk[FOLD_MAX];
    size_t n = skeleton(&c, 1, sk, false);

    return n == 0 ? 0 : casefold(sk, n, out);
}

/* Up to 2 ASCII bytes from s[0..n), or 0 when it is not that. */
static size_t
as_ascii(const ucs4_t *s, size_t n, char *out)
{
    size_t i;

    if (n == 0 || n > 2)
        return 0;
    for (i = 0; i < n; i++)
        if (s[i] == 0 || s[i] >= 128)
            return 0;
    for (i = 0; i < n; i++)
        out[i] = (char)s[i];
    return n;
}

/* Finds in *out an ASCII character with the keys of c (key[0..n) being
   the first). */
static bool
same_keys(ucs4_t c, const ucs4_t *key, size_t n, char *out)
{
    /* Letters first: "0" has the keys of "o", but only "o" is a letter
       (the patterns are caseless literals). */
    static const char order[] = "abcdefghijklmnopqrstuvwxyz"
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                "0123456789!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    ucs4_t key2[FOLD_MAX];
    size_t n2 = key2_of(c, key2), i;
    int a;

    for (i = 0; order[i] != '\0'; i++) {
        a = (unsigned char)order[i];
        if (ascii_nkey[a] == n && ascii_nkey2[a] == n2 && n > 0 &&
            memcmp(ascii_key[a], key, n * sizeof(*key)) == 0 &&
            memcmp(ascii_key2[a], key2, n2 * sizeof(*key)) == 0) {
            out[0] = (char)a;
            return true;
        }
    }
    return false;
}

static int
by_key(const void *a, const void *b)
{
    const struct source *x = a, *y = b;

    if (x->k0 != y->k0)
        return x->k0 < y->k0 ? -1 : 1;
    if (x->k1 != y->k1)
        return x->k1 < y->k1 ? -1 : 1;
    return x->c < y->c ? -1 : x->c > y->c;
}

static void
add_source(ucs4_t c, const ucs4_t *key, size_t n, size_t *cap)
{
    if (n == 0 || n > 2)
        return;
    if (nsources == *cap) {
        *cap = *cap ? *cap * 2 : 1024;
        sources = xreallocarray(sources, *cap, sizeof(*sources));
    }
    sources[nsources].k0 = key[0];
    sources[nsources].k1 = n == 2 ? key[1] : 0;
    sources[nsources].c = c;
    nsources++;
}

/* fold_ascii() once the tables are built. */
static size_t
fold_ascii_at(ucs4_t c, char *out)
{
    size_t lo = 0, hi = NRANGES, mid;
    const char *a;

    /* The last range that starts at or before c (they are in order):
       text in other scripts (Han, Hangul) passes all of them. */
    while (hi - lo > 1) {
        mid = lo + (hi - lo) / 2;
        if (source_ranges[mid][0] <= c)
            lo = mid;
        else
            hi = mid;
    }
    if (c < source_ranges[lo][0] || c > source_ranges[lo][1])
        return 0;
    a = range_ascii[range_first[lo] + c - source_ranges[lo][0]];
    if (a[0] == '\0')
        return 0;
    out[0] = a[0];
    out[1] = a[1];
    return a[1] == '\0' ? 1 : 2;
}

static void
init(void)
{
    UErrorCode e = U_ZERO_ERROR;
    ucs4_t key[FOLD_MAX];
    size_t i, n, cap = 0;
    ucs4_t c;

    spoof = uspoof_open(&e);
    if (U_FAILURE(e)) {
        log_warn("no confusable skeletons: icu=%s", u_errorName(e));
        spoof = NULL;
    }
    for (c = 0; c < 128; c++) {
        ascii_nkey[c] = key_of(c, ascii_key[c]);
        ascii_nkey2[c] = key2_of(c, ascii_key2[c]);
        add_source(c, ascii_key[c], ascii_nkey[c], &cap);
    }
    for (i = 0, n = 0; i < NRANGES; i++) {
        range_first[i] = n;
        n += source_ranges[i][1] - source_ranges[i][0] + 1;
    }
    range_ascii = xcalloc(n, sizeof(*range_ascii));
    for (i = 0; i < NRANGES; i++)
        for (c = source_ranges[i][0]; c <= source_ranges[i][1]; c++) {
            char *a = range_ascii[range_first[i] + c - source_ranges[i][0]];
            ucs4_t sk[FOLD_MAX];

            n = key_of(c, key);
            add_source(c, key, n, &cap);
            /* An ASCII character with the same two keys (Cyrillic "І" is
               "I"); else the skeleton, which keeps the case a lookalike
               shows ("Ν" is "N"); else the key ("ß" is "ss"). */
            if (!same_keys(c, key, n, a) &&
                as_ascii(sk, skeleton(&c, 1, sk, false), a) == 0)
                as_ascii(key, n, a);
        }
    for (c = 0; c < FOLD_TABLE_END; c++)
        fold_ascii_at(c, low_table[c]);
    for (i = 0; i < NRANGES; i++) {
        assert(source_ranges[i][1] < FOLD_PAGES_END);
        for (c = source_ranges[i][0] >> 8; c <= source_ranges[i][1] >> 8; c++)
            pages[c >> 6] |= UINT64_C(1) << (c & 63);
    }
    qsort(sources, nsources, sizeof(*sources), by_key);
    source_chars = xcalloc(nsources + 1, sizeof(*source_chars));
    for (i = 0; i < nsources; i++)
        source_chars[i] = sources[i].c;
}

size_t
fold_exact(ucs4_t c, ucs4_t *out)
{
    if (c < 128) {
        out[0] = c >= 'A' && c <= 'Z' ? c + 32 : c;
        return 1;
    }
    if (c == 0x130) { /* LATIN CAPITAL LETTER I WITH DOT ABOVE: i */
        out[0] = 'i';
        return 1;
    }
    return casefold(&c, 1, out);
}

size_t
fold_key2(ucs4_t c, ucs4_t *out)
{
    pthread_once(&once, init);
    if (c < 128) {
        memcpy(out, ascii_key2[c], ascii_nkey2[c] * sizeof(*out));
        return ascii_nkey2[c];
    }
    return key2_of(c, out);
}

size_t
fold_ascii(ucs4_t c, char *out)
{
    if (c < source_ranges[0][0])
        return 0;
    pthread_once(&once, init);
    return fold_ascii_at(c, out);
}

const char (*fold_ascii_table(void))[2]
{
    pthread_once(&once, init);
    return low_table;
}

const uint64_t *
fold_ascii_pages(void)
{
    pthread_once(&once, init);
    return pages;
}

size_t
fold_key(ucs4_t c, ucs4_t *out)
{
    pthread_once(&once, init);
    if (c < 128) {
        memcpy(out, ascii_key[c], ascii_nkey[c] * sizeof(*out));
        return ascii_nkey[c];
    }
    return key_of(c, out);
}

const char *
fold_leet(ucs4_t c)
{
    switch (c) {
    case '0': return "o";
    case '1': return "li";
    case '2': return "z";
    case '3': return "e";
    case '4': return "a";
    case '5': return "s";
    case '6': return "gb";
    case '7': return "t";
    case '8': return "b";
    case '9': return "g";
    case '@': return "a";
    case '$': return "s";
    case '|': return "li";
    case '!': return "i";
    case '+': return "t";
    default: return NULL;
    }
}

const ucs4_t *
fold_sources(const ucs4_t *key, size_t n, size_t *count)
{
    struct source k = { key[0], n == 2 ? key[1] : 0, 0 };
    size_t lo = 0, hi, first;

    pthread_once(&once, init);
    *count = 0;
    if (n == 0 || n > 2)
        return NULL;
    hi = nsources;
    while (lo < hi) { /* first entry not below (k0, k1, 0) */
        size_t mid = lo + (hi - lo) / 2;

        if (by_key(&sources[mid], &k) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    first = lo;
    while (lo < nsources && sources[lo].k0 == k.k0 && sources[lo].k1 == k.k1)
        lo++;
    *count = lo - first;
    return source_chars + first;
}
