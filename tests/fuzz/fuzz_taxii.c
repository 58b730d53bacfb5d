/*
 * Fuzz target for what the TAXII server checks of a request
 * (alerts/taxii.c): the input as a query string (KEY=VALUE pairs split at
 * '&', at most 64) and as an Accept header. Any bytes give an answer,
 * never a crash or a leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/taxii.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *p, *amp, *eq;
    const char *keys[64], *values[64];
    size_t n = 0;

    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    taxii_accept_ok(text);
    for (p = text; p && n < 64; p = amp ? amp + 1 : NULL) {
        amp = strchr(p, '&');
        if (amp)
            *amp = '\0';
        eq = strchr(p, '=');
        if (eq)
            *eq = '\0';
        keys[n] = p;
        values[n] = eq ? eq + 1 : NULL;
        n++;
    }
    taxii_query_check(keys, values, n);
    free(text);
    return 0;
}
