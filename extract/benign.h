/*
 * Known-benign values: documentation and reserved domains and address
 * ranges, loopback, the empty file's digests (the built-in list,
 * extract/benign.txt, embedded at build time), the watched organisation's
 * own assets, and the operator's own list. A finding of such a value is
 * labelled (struct finding.benign), never dropped, so that alert rules can
 * skip it and analysts can filter it. Pure: the caller reads the
 * operator's file.
 *
 * The list format, one entry a line, '#' starts a comment:
 *
 *     LABEL  KIND    VALUE
 *     documentation  domain  example.com    the name and every name below
 *     documentation  ip      192.0.2.0/24   an address or a CIDR range
 *     empty-file     hash    d41d8cd9...    MD5, SHA-1, SHA-256 or SHA-512
 *
 * Which findings are looked up: domains, URLs (their host), IPv4 and IPv6
 * addresses and hashes against every entry; e-mail addresses and
 * credentials (their domain) against every entry but the own assets, since
 * a credential of our own domain is what the watch is for.
 */
#ifndef DRP_BENIGN_H
#define DRP_BENIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/config.h"
#include "extract/extract.h"

#define BENIGN_MAX_ENTRIES 100000 /* in one set, all lists together */
#define BENIGN_MAX_LINE 1024      /* bytes in one line of a list */
#define BENIGN_MAX_LABEL 32       /* bytes in a label */
#define BENIGN_MAX_FILE (16u << 20) /* bytes of an operator's list */

/* The label of the watched organisation's own domains and IP ranges. */
#define BENIGN_OWN "own-asset"

/* The built-in list, extract/benign.txt (generated extract/benign-list.c). */
extern const char benign_builtin[];

struct benign;

/* A set holding the built-in list (aborts if it does not parse: a bug). */
struct benign *benign_new(void);
void benign_free(struct benign *b);

/*
 * Adds the entries of a list in the format above, text[0..len) (need not
 * be NUL-terminated; NUL bytes are an error), named name in messages.
 * Returns 0, or DRP_ECONFIG with "NAME:LINE: what is wrong" in err, or
 * DRP_ETOOBIG past BENIGN_MAX_ENTRIES. On error the set is unchanged.
 */
int benign_add_list(struct benign *b, const char *name, const char *text,
                    size_t len, struct buf *err);

/*
 * Adds the watch terms of kind domain, email_domain and ip_range as
 * BENIGN_OWN entries. Values that are not a domain or a range (config.c
 * validates them) are skipped.
 */
void benign_add_terms(struct benign *b, const struct watch_term *terms,
                      size_t nterms);

/*
 * The label of a domain name (lowercase), an address ("192.0.2.1",
 * "2001:db8::1") or a hex digest (lowercase), or NULL. own: whether
 * BENIGN_OWN entries count. The most specific entry wins (the longest
 * domain suffix or CIDR prefix); at equal ones, own assets first, then the
 * entry added last. The string lives as long as the set.
 */
const char *benign_domain(const struct benign *b, const char *name, bool own);
const char *benign_ip(const struct benign *b, const char *addr, bool own);
const char *benign_hash(const struct benign *b, const char *hex);

/* Sets the benign label of each of the n findings (NULL when none). */
void benign_label(const struct benign *b, struct finding *f, size_t n);

#endif
