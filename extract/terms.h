/*
 * Watch-term matching: many terms found in one pass over the text with
 * Hyperscan (a vectorised multi-pattern matcher), whatever their number.
 * Matching folds both sides (extract/fold.h): it is insensitive to case
 * and compatibility forms (NFKC and full case folding: "ＮＯＲＴＨＷＩＮＤ",
 * "STRASSE" for "Straße", "Mu\u0308ller" for "Müller"), and finds variants:
 * lookalikes from other scripts ("pаypal" with a Cyrillic a) and
 * leetspeak ("N0rthw1nd", "paypa1"), which it flags. Matches are on word
 * boundaries, leftmost and longest: "Northwind Bank" wins over "Northwind"
 * at the same place. The blank between two words of a term matches any
 * run of blanks, line ends, no-break spaces and their HTML entities
 * (&nbsp;). Pure: no I/O.
 */
#ifndef DRP_TERMS_H
#define DRP_TERMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

#define TERMS_MAX 100000   /* terms in one set */
#define TERMS_MAX_LEN 1024 /* bytes in one term */

struct term_match {
    size_t term; /* index into the terms given to termset_new() */
    size_t off;  /* byte offset in the text */
    size_t len;  /* byte length of the match */
    bool variant; /* the text is a variant of the term: it differs beyond
                     case and compatibility forms (leet, lookalikes) */
};

struct termset;

/*
 * Compiles n terms (UTF-8, copied; empty ones, ones over TERMS_MAX_LEN
 * and invalid UTF-8 are refused). Returns NULL with the reason in err.
 * n may be 0: the set then matches nothing.
 */
struct termset *termset_new(const char *const *terms, size_t n,
                            struct buf *err);
void termset_free(struct termset *ts);

/*
 * Appends to *v (a growable array of *n entries, realloc'd; the caller
 * frees it) the matches in text[0..len), in order of offset, at most max
 * of them; offsets and lengths are in the text as given (any bytes).
 * Safe to call from several threads on one set. Returns 0, or
 * DRP_ETOOBIG when more than max matches were found (the first max kept).
 */
int termset_match(const struct termset *ts, const char *text, size_t len,
                  struct term_match **v, size_t *n, size_t max);

/*
 * The leet pass's view of 64 bytes of text (bit i for byte i), for a
 * caller that classifies every byte of the text anyway (extract.c's
 * prefilter): termset_match_masked() then need not read the bytes again.
 * hits: where a leet word of a term may be (termset_leet_hits()); word:
 * the bytes that may be part of one (used only where hits is not 0);
 * high: the bytes that are not ASCII.
 */
struct leet_masks {
    uint64_t hits, word, high;
};

/*
 * hits and *word of struct leet_masks from the byte classes of 64 bytes
 * (bytes past the text in none, and hits then cut to the text): sign,
 * ASCII digits and @ $ | ! +; letter, ASCII letters; small, a-z;
 * capital_i, 'I'. A digit or sign inside letters ("N0rthw1nd"), or two
 * between ("g00gle"), or after or before two letters at the end of a
 * word ("paypa1", "$ell"), or a capital I after a small letter
 * ("PaypaI"); at the block's edges any (callers look across). "v1",
 * "x64", "sha256" are left out.
 */
static inline uint64_t
termset_leet_hits(uint64_t sign, uint64_t letter, uint64_t small,
                  uint64_t capital_i, uint64_t *word)
{
    uint64_t w = letter | sign, inner, ends;

    *word = w;
    /* Bit i of letter << 1 is a letter at i - 1. */
    inner = ((letter << 1) & ((letter >> 1) | ((sign >> 1) & (letter >> 2)))) |
            ((letter >> 1) & (sign << 1) & (letter << 2));
    ends = ((letter << 1) & (letter << 2) & ~(w >> 1)) |
           ((letter >> 1) & (letter >> 2) & ~(w << 1));
    return (sign & (inner | ends | UINT64_C(3) | (UINT64_C(3) << 62))) |
           (capital_i & ((small << 1) | UINT64_C(1)));
}

/*
 * termset_match() with the leet masks of text[0..len) given: masks[k] for
 * text[64 k .. 64 k + 64), (len + 63) / 64 of them, as termset_leet_hits()
 * makes them from the bytes. masks may be NULL (termset_match()).
 */
int termset_match_masked(const struct termset *ts, const char *text, size_t len,
                         const struct leet_masks *masks, struct term_match **v,
                         size_t *n, size_t max);

/*
 * termset_match_masked() with the hits of a caller's own Hyperscan pass
 * over the whole text (extract.c's prefilter), compiled with the set's
 * expressions, instead of a pass of the set's own. termset_exprs() gives
 * them: the count, and exprs, flags and ids (regular expressions,
 * hs_compile_multi()'s; 0 when the set matches nothing). A hit of
 * expression k is reported to termset_hit() with ids[k], in the order
 * Hyperscan reports hits. termset_hits_begin() returns NULL when the set
 * matches nothing, len is 0 or over 1 GiB (termset_match_masked() then);
 * masks as termset_match_masked()'s, read by termset_hits_end(), which
 * does the rest, appends the matches to *v as termset_match_masked() does
 * and frees h (NULL: nothing).
 */
struct termset_hits;

size_t termset_exprs(const struct termset *ts, const char *const **exprs,
                     const unsigned **flags, const unsigned **ids);
struct termset_hits *termset_hits_begin(const struct termset *ts,
                                        const char *text, size_t len,
                                        const struct leet_masks *masks,
                                        size_t max);
void termset_hit(struct termset_hits *h, unsigned int id,
                 unsigned long long from, unsigned long long to);
int termset_hits_end(struct termset_hits *h, struct term_match **v,
                     size_t *n);

/*
 * The normalised value of term s[0..n): NFKC and full case folding
 * ("Müller" and "MÜLLER" are "müller", "Straße" is "strasse"); s as it is,
 * lowercased, when it is not UTF-8. Caller frees.
 */
char *terms_fold(const char *s, size_t n);

#endif
