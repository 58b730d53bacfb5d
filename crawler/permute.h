/*
 * Lookalike domains of one domain: every permutation dnstwist makes (its
 * fuzzers, under the same names) and more (combosquatting with brand
 * keywords, hosts under dynamic-DNS suffixes). Each candidate is a valid
 * host name, given in A-labels and in Unicode, deduplicated, with the set
 * of fuzzers that made it. Pure computation, no I/O: whether a candidate
 * is registered is for the DNS checks.
 *
 * The domain is split by the Public Suffix List (libpsl) into the labels
 * before the registrable domain (kept on every candidate, as dnstwist
 * does), the registrable label (what the fuzzers change, in its Unicode
 * form) and the public suffix. Candidates with characters beyond ASCII
 * are valid IDNA2008 labels: each such character is checked once with
 * libidn2, and the label encoded with ICU's punycode.
 */
#ifndef DRP_PERMUTE_H
#define DRP_PERMUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

/* The fuzzers; a set of them is a mask of (1u << PERMUTE_X). */
enum permute_fuzzer {
    PERMUTE_ADDITION,       /* a character appended, or put before a '-' */
    PERMUTE_BITSQUATTING,   /* one bit of one character flipped */
    PERMUTE_CYRILLIC,       /* every letter by its Cyrillic lookalike */
    PERMUTE_HOMOGLYPH,      /* one or two lookalike substitutions */
    PERMUTE_HYPHENATION,    /* a '-' inserted */
    PERMUTE_INSERTION,      /* a neighbouring key typed too */
    PERMUTE_OMISSION,       /* a character left out */
    PERMUTE_PLURAL,         /* an 's' or 'es' inserted, or at the end */
    PERMUTE_REPETITION,     /* a character doubled */
    PERMUTE_REPLACEMENT,    /* a character by a neighbouring key */
    PERMUTE_SUBDOMAIN,      /* a '.' inserted */
    PERMUTE_TRANSPOSITION,  /* two neighbouring characters swapped */
    PERMUTE_VOWEL_SWAP,     /* a vowel by another */
    PERMUTE_VARIOUS,        /* the suffix folded into the name, .com */
    PERMUTE_DICTIONARY,     /* a dictionary word joined on */
    PERMUTE_TLD_SWAP,       /* another public suffix */
    PERMUTE_COMBOSQUATTING, /* a brand keyword joined on */
    PERMUTE_DYNDNS,         /* a host under a dynamic-DNS suffix */
    PERMUTE_FUZZER_COUNT
};

#define PERMUTE_ALL ((1u << PERMUTE_FUZZER_COUNT) - 1)

/* Candidates of one domain at most (the homoglyph fuzzer's double
   substitutions run last, so they are what a cut leaves out). */
#define PERMUTE_MAX_CANDIDATES 200000
/* Candidates tried (duplicates included) per candidate allowed: bounds
   the work on names like "aaaaaaaa.com", whose substitutions repeat. */
#define PERMUTE_MAX_TRIES_FACTOR 20
#define PERMUTE_MAX_WORDS 10000     /* words of a dictionary */
#define PERMUTE_MAX_WORDS_FILE (1u << 20) /* bytes of a dictionary file */

/* The name of a fuzzer ("vowel-swap"), as dnstwist spells it. */
const char *permute_fuzzer_name(enum permute_fuzzer f);

/*
 * Parses a comma-separated list of fuzzer names ("omission,homoglyph";
 * "all" for every one) into *mask. DRP_EINVAL with err "unknown fuzzer
 * 'x' (expected one of: addition, ...)" or "no fuzzer named".
 */
int permute_parse_fuzzers(const char *list, uint32_t *mask, struct buf *err);

/* The engine: tables, the dictionary, caches. One per thread. */
struct permuter;

struct permuter *permuter_new(void);
void permuter_free(struct permuter *p);

/*
 * Replaces the dictionary (the built-in crawler/lookalike/words.txt) with the
 * words of text[0..len), a file called name: one word a line, lower-case
 * letters, digits and '-' (not first or last; upper case is lowered), at
 * most 63 bytes; blank lines and lines starting with '#' or '//' are
 * skipped. DRP_EINVAL ("NAME:LINE: ...") or DRP_ETOOBIG (more than
 * PERMUTE_MAX_WORDS words) with the dictionary unchanged.
 */
int permuter_set_words(struct permuter *p, const char *text, size_t len,
                       const char *name, struct buf *err);

/* One candidate; the strings live in its struct lookalikes. */
struct lookalike {
    const char *name;    /* A-labels: "xn--exmple-4nf.com" */
    const char *unicode; /* U-labels: "exаmple.com" (the same text when
                            name is plain ASCII) */
    uint32_t fuzzers;    /* the fuzzers that made it (1u << PERMUTE_X) */
};

struct lookalike_rec;

/* The candidates of one domain, in the order they were made. */
struct lookalikes {
    char *domain;   /* the domain in A-labels, lower case */
    char *unicode;  /* and in U-labels */
    size_t n;       /* candidates */
    size_t max;     /* at most this many are kept */
    bool truncated; /* max (or the work bound) was reached: some
                       permutations are missing */
    enum permute_fuzzer cut; /* the fuzzer that was running then */
    /* Private: one arena of strings, records, an open-addressing set. */
    char *arena;
    size_t arena_len, arena_cap;
    struct lookalike_rec *recs;
    size_t nrecs, recs_cap;
    uint32_t *slots; /* record index + 1, 0 when empty */
    size_t nslots;
};

/* max: candidates kept at most (0: PERMUTE_MAX_CANDIDATES). */
void lookalikes_init(struct lookalikes *l, size_t max);
void lookalikes_release(struct lookalikes *l);
/* The i-th candidate (i < l->n); valid until l changes. */
void lookalikes_get(const struct lookalikes *l, size_t i,
                    struct lookalike *out);

/*
 * The candidates of domain[0..len) (a host name in Unicode or A-labels,
 * any case, one trailing dot allowed) made by the fuzzers in mask, into
 * out (emptied first). The domain itself is never a candidate. Errors,
 * with a message in err: DRP_EINVAL (not a valid IDNA2008 host name, no
 * registrable part such as "co.uk", an IP address), DRP_ETOOBIG (longer
 * than 253 bytes, or a label longer than 63). Reaching out->max is no
 * error: out->truncated says so.
 */
int permuter_run(struct permuter *p, const char *domain, size_t len,
                 uint32_t mask, struct lookalikes *out, struct buf *err);

/* The built-in lists (crawler/lookalike/lists.c, made by embed-lists.sh). */
extern const char permute_tlds_txt[];
extern const char permute_words_txt[];
extern const char permute_keywords_txt[];
extern const char permute_dyndns_txt[];

#endif
