/*
 * Confidence from context words. A leak is announced in words ("combo",
 * "leaked", "dump", "stealer logs", ...), an indicator list in others
 * ("IoC", "C2", "malware", "phishing", ...). A word of the right family
 * near a finding, or at the top of the document, raises its confidence by
 * a bounded amount:
 *
 *   - leak words raise credentials, e-mail addresses, secrets and cards;
 *     IoC words raise IPv4/IPv6 addresses, domains, URLs, hashes, onion
 *     names and wallet addresses;
 *   - near: the word lies wholly within CONTEXT_BEFORE bytes before the
 *     finding's start or CONTEXT_AFTER bytes after its end (the same line,
 *     the line or two above it), outside the finding: +CONTEXT_NEAR_RAISE;
 *   - else at the top: the word lies wholly within the first CONTEXT_HEAD
 *     bytes of the text (a title, a post's first line, a paste's header):
 *     +CONTEXT_HEAD_RAISE;
 *   - never above 100.
 *
 * Words match whole (ASCII letters and digits do not continue them on
 * either side), ignoring ASCII case, with their usual endings ("leaked",
 * "combolists", "IoCs"). extract_text() finds the words in the
 * prefilter's Hyperscan pass over the whole text (context_hit());
 * context_raise() alone scans only the bytes around the findings of those
 * kinds and the head (one Hyperscan literal pass each; windows close
 * together as one). Pure: no I/O.
 */
#ifndef DRP_CONTEXT_H
#define DRP_CONTEXT_H

#include <stddef.h>

#include "extract/extract.h"

#define CONTEXT_BEFORE 120    /* bytes before a finding */
#define CONTEXT_AFTER 60      /* bytes after a finding */
#define CONTEXT_HEAD 512      /* bytes at the top of the text */
#define CONTEXT_NEAR_RAISE 10 /* points for a word near the finding */
#define CONTEXT_HEAD_RAISE 5  /* points for a word at the top only */

struct context;

/* Compiles the word lists (aborts when Hyperscan cannot: a bug). */
struct context *context_new(void);
void context_free(struct context *c);

/*
 * Raises the confidence of the n findings f (in order of offset) found in
 * text[0..len). Safe to call from several threads on one context.
 */
void context_raise(const struct context *c, const char *text, size_t len,
                   struct finding *f, size_t n);

/*
 * The words' hits in a text scanned whole by another Hyperscan pass
 * (extract's prefilter): one pass over the text instead of a second one
 * over the findings' windows. context_words() puts the words' stems in
 * s[0..max) (lowercase letters, digits and '&', the same as a regular
 * expression; match them ignoring ASCII case) and returns how many there
 * are; context_hit() records a match of stem id ending at text[end] (in
 * order of end, as Hyperscan reports them), context_raise_hits() is
 * context_raise() with the hits of the whole text (all), or scanning
 * itself when all is NULL.
 */
struct context_hit;
struct context_hits {
    struct context_hit *v;
    size_t n, cap;
};

size_t context_words(const char **s, size_t max);
void context_hit(struct context_hits *w, const char *text, size_t len,
                 unsigned int id, size_t end);
void context_raise_hits(const struct context *c, const char *text, size_t len,
                        struct finding *f, size_t n,
                        const struct context_hits *all,
                        const unsigned int *head);
void context_hits_release(struct context_hits *w);

/*
 * A document read in parts (drpwatch scan cuts a file into blocks): the
 * families of the words at the top of the document (its first
 * CONTEXT_HEAD bytes, text[0..len) its first part), to hand to
 * context_raise_hits() for each later part as head: the words at the top
 * of the document raise the findings of every part, and the top of a
 * later part is no top of the document. head NULL: text is the whole
 * document, or its first part.
 */
unsigned int context_head(const struct context *c, const char *text,
                          size_t len);

#endif
