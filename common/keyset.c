/*
 * The key set (keyset.h): open addressing with linear probing in a table
 * of twice the cap (a power of two), under one mutex. Key 0 marks an
 * empty slot, so a key of 0 is stored as 1. No deletion: at the cap the
 * whole table is cleared.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/keyset.h"
#include "common/xalloc.h"
#include "common/banned.h"

struct keyset {
    pthread_mutex_t lock;
    uint64_t *slot;
    size_t size; /* a power of two, at least 2 * cap */
    size_t cap, n;
};

struct keyset *
keyset_new(size_t cap)
{
    struct keyset *s = xcalloc(1, sizeof(*s));

    if (cap < 16)
        cap = 16;
    s->cap = cap;
    s->size = 32;
    while (s->size < 2 * cap)
        s->size *= 2;
    s->slot = xcalloc(s->size, sizeof(*s->slot));
    pthread_mutex_init(&s->lock, NULL);
    return s;
}

void
keyset_free(struct keyset *s)
{
    if (s == NULL)
        return;
    pthread_mutex_destroy(&s->lock);
    free(s->slot);
    free(s);
}

/* FNV-1a over the namespace and the string, then a 64-bit finaliser
   (MurmurHash3's fmix64) so that the low bits index the table well. */
uint64_t
keyset_key(long long ns, const char *str)
{
    uint64_t h = 0xcbf29ce484222325ull;
    unsigned long long u = (unsigned long long)ns;
    const unsigned char *p = (const unsigned char *)str;
    int i;

    for (i = 0; i < 8; i++) {
        h ^= (u >> (8 * i)) & 0xff;
        h *= 0x100000001b3ull;
    }
    for (; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h ? h : 1;
}

/* The slot of key, or of the empty slot where it would go. */
static size_t
find(const struct keyset *s, uint64_t key)
{
    size_t i = (size_t)key & (s->size - 1);

    while (s->slot[i] != 0 && s->slot[i] != key)
        i = (i + 1) & (s->size - 1);
    return i;
}

bool
keyset_has(struct keyset *s, uint64_t key)
{
    bool found;

    if (key == 0)
        key = 1;
    pthread_mutex_lock(&s->lock);
    found = s->slot[find(s, key)] == key;
    pthread_mutex_unlock(&s->lock);
    return found;
}

void
keyset_add(struct keyset *s, const uint64_t *keys, size_t n)
{
    size_t k;

    pthread_mutex_lock(&s->lock);
    for (k = 0; k < n; k++) {
        uint64_t key = keys[k] ? keys[k] : 1;
        size_t i = find(s, key);

        if (s->slot[i] == key)
            continue;
        if (s->n == s->cap) {
            memset(s->slot, 0, s->size * sizeof(*s->slot));
            s->n = 0;
            i = find(s, key);
        }
        s->slot[i] = key;
        s->n++;
    }
    pthread_mutex_unlock(&s->lock);
}

size_t
keyset_count(struct keyset *s)
{
    size_t n;

    pthread_mutex_lock(&s->lock);
    n = s->n;
    pthread_mutex_unlock(&s->lock);
    return n;
}
