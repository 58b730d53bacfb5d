/*
 * Fuzz target for the robots.txt parser (crawler/robots.c): any bytes give
 * a rule set, never a crash or a leak, and matching stays total.
 */
#include <stdint.h>
#include <stdlib.h>

#include "crawler/robots.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct robots *r = robots_parse((const char *)data, size, ROBOTS_AGENT);

    robots_allowed(r, "/");
    robots_allowed(r, "/a/b.php?sid=1&x=%e4");
    robots_allowed(r, "");
    robots_crawl_delay_ms(r);
    robots_free(r);
    return 0;
}
