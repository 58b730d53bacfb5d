/*
 * Fuzz target for the known-benign list parser (extract/benign.c): any
 * bytes give either entries or "NAME:LINE: what is wrong", never a crash
 * or a leak; whatever was added answers lookups.
 */
#include <stdint.h>
#include <stdlib.h>

#include "common/buf.h"
#include "extract/benign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct benign *b = benign_new();
    struct buf err = BUF_INIT(4096);

    benign_add_list(b, "fuzz.txt", (const char *)data, size, &err);
    benign_domain(b, "www.example.com", true);
    benign_domain(b, "a.b.c.d.e.f", false);
    benign_ip(b, "192.0.2.77", true);
    benign_ip(b, "2001:db8::77", true);
    benign_hash(b, "d41d8cd98f00b204e9800998ecf8427e");
    buf_release(&err);
    benign_free(b);
    return 0;
}
