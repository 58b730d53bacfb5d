/*
 * Fuzz target for the DNS response parser (crawler/dnsmsg.c): the
 * first byte picks the asked type, the rest is the message. Any bytes
 * give a result or an error, never a crash, a leak or a read past the
 * end; what is kept stays within its caps.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crawler/dnsmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int types[] = { DNS_T_A, DNS_T_NS, DNS_T_MX, DNS_T_AAAA };
    struct dnsmsg *m = malloc(sizeof(*m));
    struct buf err = BUF_INIT(1024);
    size_t i;

    if (size == 0 || m == NULL) {
        free(m);
        return 0;
    }
    if (dnsmsg_parse(data + 1, size - 1, types[data[0] % 4], m, &err) == 0) {
        if (m->nvalues > DNSMSG_MAX_VALUES || m->nchain > DNSMSG_MAX_CHAIN)
            abort();
        for (i = 0; i < m->nvalues; i++)
            if (strlen(m->values[i]) > DNSMSG_VALUE_MAX)
                abort();
        for (i = 1; i < m->nvalues; i++)
            if (strcmp(m->values[i - 1], m->values[i]) > 0)
                abort();
    }
    buf_release(&err);
    free(m);
    return 0;
}
