/*
 * Page similarity, for telling a clone of an owned site from a parked or
 * an unrelated page: MinHash signatures of a page's shingles, whose
 * agreement estimates the Jaccard similarity of the two shingle sets.
 * Text shingles are runs of SIMILAR_TEXT_WORDS words (case-folded for
 * ASCII); markup shingles runs of SIMILAR_TAG_RUN element tags (the
 * page's skeleton, html_doc.tags). Also the signs of a parked or
 * unconfigured page. Pure: no I/O.
 */
#ifndef DRP_SIMILAR_H
#define DRP_SIMILAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIMILAR_HASHES 128   /* minima per signature: error ~ 1/sqrt */
#define SIMILAR_TEXT_WORDS 3 /* words per text shingle */
#define SIMILAR_TAG_RUN 6    /* tags per markup shingle */

struct similar_sig {
    uint32_t min[SIMILAR_HASHES];
    size_t shingles; /* shingles hashed (0: an empty signature) */
};

/*
 * The signature of text[0..len) (UTF-8 or any bytes; NUL allowed): words
 * are runs of ASCII letters and digits and of bytes from 0x80 (so any
 * script's letters), ASCII lowercased. A text of fewer words than a
 * shingle is one shingle of them all; no word at all is empty.
 */
void similar_text_sig(const char *text, size_t len, struct similar_sig *out);

/* The signature of a tag sequence (html_doc.tags); fewer tags than a
   shingle make one shingle, none an empty signature. */
void similar_tags_sig(const unsigned short *tags, size_t n,
                      struct similar_sig *out);

/*
 * The estimated Jaccard similarity of the two shingle sets, 0.0 to 1.0:
 * the share of minima that agree. 0 when either signature is empty.
 */
double similar_jaccard(const struct similar_sig *a,
                       const struct similar_sig *b);

/*
 * Whether the text reads as a parked, for-sale or unconfigured page
 * ("this domain is for sale", "parked free", "coming soon", a web
 * server's default page): a domain held, not (yet) used. ASCII phrases,
 * any case.
 */
bool similar_parked(const char *text, size_t len);

#endif
