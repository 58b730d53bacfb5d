/*
 * alerts/taxii: the query parameters and Accept headers the server takes
 * and refuses (the whole server is driven by tests/integration/taxii.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/taxii.h"
#include "tests/tap.h"

/* One parameter: NULL when taken, else the 400's description. */
static const char *
one(const char *key, const char *value)
{
    const char *k[1] = { key }, *v[1] = { value };

    return taxii_query_check(k, v, 1);
}

/* "KEY=" with n items made by fmt and the index, comma-separated. */
static const char *
list(const char *key, const char *fmt, int n)
{
    char *v = malloc((size_t)n * 80 + 1), *p = v;
    const char *r;
    int i;

    *v = '\0';
    for (i = 0; i < n; i++)
        p += sprintf(p, i ? ",%s" : "%s", fmt);
    r = one(key, v);
    free(v);
    return r;
}

static const char *const good_id =
    "indicator--3f2504e0-4f89-51d3-9a0c-0305e82c3301";

int
main(void)
{
    const char *keys[40], *values[40];
    char big[TAXII_MAX_QUERY + 100];
    int i;

    /* limit */
    ok(one("limit", "10") == NULL, "limit=10 is taken");
    ok(one("limit", "0") != NULL, "limit=0 is refused");
    ok(one("limit", "-5") != NULL, "a negative limit is refused");
    ok(one("limit", "abc") != NULL, "limit=abc is refused");
    ok(one("limit", "10x") != NULL, "limit=10x is refused");
    ok(one("limit", "") != NULL, "an empty limit is refused");
    ok(one("limit", NULL) != NULL, "limit without a value is refused");
    ok(one("limit", " 10") != NULL, "a limit with a blank is refused");

    /* added_after */
    ok(one("added_after", "2026-01-31T12:00:00.000Z") == NULL,
       "added_after with milliseconds is taken");
    ok(one("added_after", "2026-01-31T12:00:00Z") == NULL,
       "added_after without a fraction is taken");
    ok(one("added_after", "2026-01-31T12:00:00.123456789Z") == NULL,
       "added_after to the nanosecond is taken");
    ok(one("added_after", "2026-01-31T12:00:00.000") != NULL,
       "added_after without Z is refused");
    ok(one("added_after", "2026-13-01T00:00:00Z") != NULL,
       "month 13 is refused");
    ok(one("added_after", "2026-01-31T12:00:00.Z") != NULL,
       "a dot without digits is refused");
    ok(one("added_after", "2026-01-31T12:00:00.0000000000Z") != NULL,
       "ten fraction digits are refused");
    ok(one("added_after", "yesterday") != NULL, "yesterday is refused");
    ok(one("added_after", "2026-01-31 12:00:00Z") != NULL,
       "a blank for T is refused");

    /* next: only what the server wrote */
    ok(one("next", "1769860800000000.2.17.3") == NULL,
       "a next as the server writes it is taken");
    ok(one("next", "1.2.3") != NULL, "a next of three parts is refused");
    ok(one("next", "1.3.3.0") != NULL, "a next with group 3 is refused");
    ok(one("next", "1.2.3.1000001") != NULL,
       "a next skipping past 1,000,000 is refused");
    ok(one("next", "1..3.0") != NULL, "a next with an empty part is refused");
    ok(one("next", "1.2.3.0.5") != NULL, "a next of five parts is refused");
    ok(one("next", "99999999999999999999999.2.3.0") != NULL,
       "a next with a part past 23 digits is refused");

    /* match[...] */
    ok(one("match[type]", "indicator,sighting") == NULL,
       "match[type] takes a list");
    ok(one("match[type]", "Indicator") != NULL,
       "match[type] refuses upper case");
    ok(one("match[type]", "ab") != NULL,
       "match[type] refuses a name under 3 characters");
    ok(one("match[type]", ",") != NULL, "match[type] refuses an empty list");
    ok(list("match[type]", "indicator", 100) == NULL,
       "match[type] takes 100 names");
    ok(list("match[type]", "indicator", 101) != NULL,
       "match[type] refuses 101");
    ok(one("match[id]", good_id) == NULL, "match[id] takes a STIX id");
    ok(one("match[id]", "marking-definition--613f2e26-407d-48c7-9eca-"
                        "b8e91df99dc9") == NULL,
       "match[id] takes a type with a hyphen");
    ok(one("match[id]", "indicator--3F2504E0-4F89-51D3-9A0C-0305E82C3301") !=
           NULL,
       "match[id] refuses upper-case hex");
    ok(one("match[id]", "indicator--------------------------------------") !=
           NULL,
       "match[id] refuses 36 hyphens for a UUID");
    ok(one("match[id]", "indicator--3f2504e04f8951d39a0c0305e82c3301abcd") !=
           NULL,
       "match[id] refuses hex without the UUID's hyphens");
    ok(one("match[id]", "--3f2504e0-4f89-51d3-9a0c-0305e82c3301") != NULL,
       "match[id] refuses an id without a type");
    ok(one("match[id]", "indi cator--3f2504e0-4f89-51d3-9a0c-0305e82c3301") !=
           NULL,
       "match[id] refuses a blank in the type");
    ok(one("match[id]", "indicator--3f2504e0-4f89-51d3-9a0c-0305e82c330") !=
           NULL,
       "match[id] refuses a short UUID");
    ok(list("match[id]", good_id, 100) == NULL, "match[id] takes 100 ids");
    ok(list("match[id]", good_id, 101) != NULL, "match[id] refuses 101");
    ok(one("match[version]", "first,last,all") == NULL,
       "match[version] takes first, last, all");
    ok(one("match[version]", "2026-01-31T12:00:00.000Z") == NULL,
       "match[version] takes a timestamp");
    ok(one("match[version]", "2026-01-31T12:00:00.0000001Z") != NULL,
       "match[version] refuses a timestamp finer than the microsecond");
    ok(one("match[version]", "soon") != NULL, "match[version] refuses soon");
    ok(one("match[spec_version]", "2.0,2.1") == NULL,
       "match[spec_version] takes a list");
    ok(one("match[color]", "red") != NULL, "match[color] is refused");
    ok(one("color", "red") == NULL, "an unknown parameter is ignored");

    /* Caps: 32 parameters, 8 KiB of query. */
    for (i = 0; i < 40; i++) {
        keys[i] = "x";
        values[i] = "1";
    }
    ok(taxii_query_check(keys, values, 32) == NULL, "32 parameters are taken");
    ok(taxii_query_check(keys, values, 33) != NULL, "33 are refused");
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ok(one("x", big) != NULL, "a query over 8 KiB is refused");
    keys[0] = "limit";
    values[0] = "0";
    keys[1] = "added_after";
    values[1] = "2026-01-31T12:00:00Z";
    ok(taxii_query_check(keys, values, 2) != NULL &&
           strstr(taxii_query_check(keys, values, 2), "limit"),
       "the first bad parameter is the one named");

    /* Accept */
    ok(taxii_accept_ok(NULL), "no Accept is served");
    ok(taxii_accept_ok("application/taxii+json;version=2.1"),
       "the TAXII 2.1 media type is served");
    ok(taxii_accept_ok("application/taxii+json"),
       "the TAXII media type without a version is served");
    ok(taxii_accept_ok("APPLICATION/TAXII+JSON; version=2.1"),
       "media types compare without case");
    ok(!taxii_accept_ok("application/taxii+json;version=2.0"),
       "TAXII 2.0 is not");
    ok(!taxii_accept_ok("application/json"), "application/json is not");
    ok(taxii_accept_ok("text/html, */*;q=0.1"), "*/* in a list is served");
    ok(taxii_accept_ok("application/*"), "application/* is served");
    ok(!taxii_accept_ok(""), "an empty Accept is not");
    ok(!taxii_accept_ok(big), "an 8 KiB type is not (and does not overflow)");
    return done_testing();
}
