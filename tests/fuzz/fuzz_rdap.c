/*
 * Fuzz target for RDAP (alerts/rdap.c): any bytes as a domain answer, a
 * network answer and a bootstrap file give a summary or an error, never
 * a crash or a leak, and lookups in whatever was loaded stay total.
 */
#include <stdint.h>
#include <stdlib.h>

#include "alerts/rdap.h"
#include "common/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = { "example.com", "a.b.co.uk",
                                         "localhost", "xn--p1ai" };
    static const char *const addrs[] = { "127.0.0.1", "41.1.2.3", "::1",
                                         "2001:200::1" };
    struct buf err = BUF_INIT(4096);
    struct rdap_bootstrap *b = rdap_bootstrap_new();
    const char *text = (const char *)data;
    size_t i;

    json_decref(rdap_parse_domain(text, size, &err));
    json_decref(rdap_parse_ip(text, size, &err));
    free(rdap_error_message(text, size));
    rdap_bootstrap_add(b, "fuzz.json", text, size, &err);
    for (i = 0; i < 4; i++) {
        free(rdap_lookup_url(b, NULL, false, names[i], &err));
        free(rdap_lookup_url(b, NULL, true, addrs[i], &err));
    }
    rdap_bootstrap_free(b);
    buf_release(&err);
    return 0;
}
