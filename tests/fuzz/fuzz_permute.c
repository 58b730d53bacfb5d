/*
 * Fuzz target for the permutation engine (crawler/permute.c): the first
 * line is a domain, the rest a dictionary. Any bytes give an error or a
 * bounded set of valid candidates, never a crash or a leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "crawler/permute.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct permuter *p;
    const char *text = (const char *)data, *nl;
    struct buf err = BUF_INIT(4096);
    struct lookalikes l;
    struct lookalike c;
    size_t n, i;

    if (p == NULL)
        p = permuter_new();
    nl = memchr(text, '\n', size);
    n = nl ? (size_t)(nl - text) : size;
    if (nl != NULL)
        permuter_set_words(p, nl + 1, size - n - 1, "fuzz", &err);
    /* Small caps keep each input fast; the homoglyph fuzzer runs last. */
    lookalikes_init(&l, 5000);
    if (permuter_run(p, text, n, PERMUTE_ALL, &l, &err) == 0) {
        for (i = 0; i < l.n; i++) {
            lookalikes_get(&l, i, &c);
            if (strlen(c.name) > 253 || c.fuzzers == 0)
                abort();
        }
    }
    lookalikes_release(&l);
    buf_release(&err);
    return 0;
}
