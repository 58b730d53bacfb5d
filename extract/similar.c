/*
 * MinHash signatures of text and markup shingles (similar.h). Each
 * shingle is hashed once to 64 bits; its SIMILAR_HASHES hash values are
 * derived from two halves of a mixed hash (Kirsch and Mitzenmacher's
 * double hashing), and each signature slot keeps its minimum. Nothing is
 * allocated: the work is linear in the input.
 */
#include <string.h>

#include "common/ascii.h"
#include "extract/similar.h"
#include "common/banned.h"

static uint64_t
mix64(uint64_t x) /* splitmix64's finaliser */
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

static uint64_t
rotl(uint64_t x, unsigned r)
{
    return (x << r) | (x >> (64 - r));
}

static void
sig_init(struct similar_sig *s)
{
    memset(s->min, 0xff, sizeof(s->min));
    s->shingles = 0;
}

static void
sig_add(struct similar_sig *s, uint64_t shingle)
{
    uint64_t h = mix64(shingle);
    uint32_t a = (uint32_t)h, b = (uint32_t)(h >> 32) | 1u, v;
    unsigned k;

    for (k = 0; k < SIMILAR_HASHES; k++) {
        v = a + k * b;
        if (v < s->min[k])
            s->min[k] = v;
    }
    s->shingles++;
}

/* The hash of a window of n item hashes, in order. */
static uint64_t
window(const uint64_t *w, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull;
    size_t i;

    for (i = 0; i < n; i++)
        h = mix64(h ^ rotl(w[i], (unsigned)(i * 21 % 63) + 1));
    return h;
}

static bool
word_byte(unsigned char c)
{
    return c >= 0x80 || ascii_isalnum(c);
}

void
similar_text_sig(const char *text, size_t len, struct similar_sig *out)
{
    const unsigned char *p = (const unsigned char *)text;
    uint64_t w[SIMILAR_TEXT_WORDS] = { 0 }, h;
    size_t i = 0, words = 0;

    sig_init(out);
    while (i < len) {
        while (i < len && !word_byte(p[i]))
            i++;
        if (i == len)
            break;
        h = 1469598103934665603ull; /* FNV-1a */
        while (i < len && word_byte(p[i])) {
            h ^= (unsigned char)ascii_lower((char)p[i++]);
            h *= 1099511628211ull;
        }
        memmove(w, w + 1, sizeof(w) - sizeof(w[0]));
        w[SIMILAR_TEXT_WORDS - 1] = h;
        if (++words >= SIMILAR_TEXT_WORDS)
            sig_add(out, window(w, SIMILAR_TEXT_WORDS));
    }
    if (words > 0 && words < SIMILAR_TEXT_WORDS)
        sig_add(out, window(w + SIMILAR_TEXT_WORDS - words, words));
}

void
similar_tags_sig(const unsigned short *tags, size_t n,
                 struct similar_sig *out)
{
    uint64_t w[SIMILAR_TAG_RUN];
    size_t i, k;

    sig_init(out);
    if (n > 0 && n < SIMILAR_TAG_RUN) {
        for (k = 0; k < n; k++)
            w[k] = mix64(tags[k] + 1u);
        sig_add(out, window(w, n));
        return;
    }
    for (i = 0; i + SIMILAR_TAG_RUN <= n; i++) {
        for (k = 0; k < SIMILAR_TAG_RUN; k++)
            w[k] = mix64(tags[i + k] + 1u);
        sig_add(out, window(w, SIMILAR_TAG_RUN));
    }
}

double
similar_jaccard(const struct similar_sig *a, const struct similar_sig *b)
{
    unsigned k, same = 0;

    if (a->shingles == 0 || b->shingles == 0)
        return 0.0;
    for (k = 0; k < SIMILAR_HASHES; k++)
        same += a->min[k] == b->min[k];
    return (double)same / SIMILAR_HASHES;
}

/* What parking services, registrars and fresh web servers show. */
static const char *const parked_phrases[] = {
    "domain is for sale", "domain may be for sale", "buy this domain",
    "domain is parked", "parked free", "parked domain", "domain parking",
    "this page is parked", "inquire about this domain", "make an offer on",
    "sponsored listings", "related searches", "hugedomains", "afternic",
    "parkingcrew", "bodis.com", "sedoparking", "dan.com",
    "coming soon", "under construction", "welcome to nginx",
    "apache2 debian default page", "apache2 ubuntu default page",
    "it works!", "default web site page", "iis windows server",
    "future home of", "this site can't be reached", NULL,
};

bool
similar_parked(const char *text, size_t len)
{
    const char *const *ph;
    size_t i, k, m;

    for (ph = parked_phrases; *ph != NULL; ph++) {
        m = strlen(*ph);
        for (i = 0; i + m <= len; i++) {
            if (ascii_lower(text[i]) != (*ph)[0])
                continue;
            for (k = 1; k < m; k++)
                if (ascii_lower(text[i + k]) != (*ph)[k])
                    break;
            if (k == m)
                return true;
        }
    }
    return false;
}
