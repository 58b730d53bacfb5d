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
 * The normalised value of term s[0..n): NFKC and full case folding
 * ("Müller" and "MÜLLER" are "müller", "Straße" is "strasse"); s as it is,
 * lowercased, when it is not UTF-8. Caller frees.
 */
char *terms_fold(const char *s, size_t n);

#endif
