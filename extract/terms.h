/*
 * Watch-term matching: many literal terms found in one pass over the text
 * with Hyperscan (a vectorised multi-pattern matcher), whatever their
 * number. Matching is ASCII case-insensitive, on word boundaries, leftmost
 * and longest: "Northwind Bank" wins over "Northwind" at the same place.
 * The blank between two words of a term matches any run of blanks, line
 * ends, no-break spaces and their HTML entities (&nbsp;).
 * Pure: no I/O.
 */
#ifndef DRP_TERMS_H
#define DRP_TERMS_H

#include <stddef.h>

#include "common/buf.h"

#define TERMS_MAX 100000   /* terms in one set */
#define TERMS_MAX_LEN 1024 /* bytes in one term */

struct term_match {
    size_t term; /* index into the terms given to termset_new() */
    size_t off;  /* byte offset in the text */
    size_t len;  /* byte length of the match */
};

struct termset;

/*
 * Compiles n terms (copied; empty ones and ones over TERMS_MAX_LEN are
 * refused). Returns NULL with the reason in err. n may be 0: the set then
 * matches nothing.
 */
struct termset *termset_new(const char *const *terms, size_t n,
                            struct buf *err);
void termset_free(struct termset *ts);

/*
 * Appends to *v (a growable array of *n entries, realloc'd; the caller
 * frees it) the matches in text[0..len), in order of offset, at most max
 * of them. Safe to call from several threads on one set. Returns 0, or
 * DRP_ETOOBIG when more than max matches were found (the first max kept).
 */
int termset_match(const struct termset *ts, const char *text, size_t len,
                  struct term_match **v, size_t *n, size_t max);

#endif
