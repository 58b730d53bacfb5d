/*
 * A set of 64-bit keys shared by threads, with a hard cap: when it is
 * full it forgets everything and starts again. For "seen before" checks
 * that may answer "no" wrongly (then the caller does the full work) but
 * "yes" only for a key that was added (or, for keyset_key(), for another
 * string with the same 64-bit hash: about one chance in 10^12 at a
 * million keys).
 */
#ifndef DRP_KEYSET_H
#define DRP_KEYSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct keyset;

/* A set that holds at most cap keys (at least 16). */
struct keyset *keyset_new(size_t cap);
void keyset_free(struct keyset *s);

/* The key of string s in namespace ns (e.g. a source's id). */
uint64_t keyset_key(long long ns, const char *s);

bool keyset_has(struct keyset *s, uint64_t key);

/* Adds n keys; the set may forget all it held first, to make room. */
void keyset_add(struct keyset *s, const uint64_t *keys, size_t n);

/* The keys it holds. */
size_t keyset_count(struct keyset *s);

#endif
