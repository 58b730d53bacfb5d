/*
 * alerts/stix: UUIDv5s, patterns with their values escaped and hash names
 * quoted, observables' ids by the specification's rule, what is left out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/stix.h"
#include "tests/tap.h"

/* RFC 4122's DNS namespace: 6ba7b810-9dad-11d1-80b4-00c04fd430c8. */
static const unsigned char ns_dns[16] = {
    0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
    0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
};

static json_t *
find(json_t *objs, const char *type, size_t n)
{
    size_t i;
    json_t *o;

    json_array_foreach(objs, i, o)
        if (strcmp(json_string_value(json_object_get(o, "type")), type) == 0 &&
            n-- == 0)
            return o;
    return NULL;
}

static const char *
s(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

int
main(void)
{
    char u[37];
    struct stix_sighting sg[] = { { "leak-forum", 1700000000, 1700003600, 3 } };
    struct stix_item items[] = {
        { "url", "http://evil.example.net/a'b\\c", 80, "amber", 1700000000,
          1700003600, sg, 1 },
        { "sha256",
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
          70, "green", 1700000000, 1700000000, NULL, 0 },
        { "ipv4", "198.51.100.3", 60, "red", 1700000000, 1700000000, NULL,
          0 },
        { "credential", "alice@example.com", 90, "amber", 1700000000,
          1700000000, NULL, 0 },
    };
    json_t *b, *objs, *o;
    char *text;

    stix_uuid5(ns_dns, "python.org", 10, u);
    is_str(u, "886313e1-3b8a-5372-9b90-0c9aee199e5d",
           "UUIDv5 of python.org in the DNS namespace (RFC 4122 vector)");

    b = stix_bundle(items, 4);
    objs = json_object_get(b, "objects");
    ok(strncmp(s(b, "id"), "bundle--", 8) == 0, "a bundle");
    o = find(objs, "indicator", 0);
    is_str(s(o, "pattern"),
           "[url:value = 'http://evil.example.net/a\\'b\\\\c']",
           "a quote and a backslash in a value are escaped");
    is_str(s(o, "valid_from"), "2023-11-14T22:13:20.000Z",
           "valid_from is the first sighting, to the millisecond, UTC");
    is_str(s(o, "valid_until"), "2024-02-12T23:13:20.000Z",
           "a URL stays valid 90 days after its last sighting");
    o = find(objs, "indicator", 1);
    is_str(s(o, "pattern"),
           "[file:hashes.'SHA-256' = "
           "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
           "hash names are quoted");
    o = find(objs, "ipv4-addr", 0);
    /* The STIX 2.1 rule: UUIDv5 in 00abedb4-... over {"value":"..."}. */
    ok(o && strcmp(s(o, "id"),
                   "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4") == 0,
       "an observable's id follows the specification (%s)",
       o ? s(o, "id") : "-");
    o = find(objs, "sighting", 0);
    is((int)json_integer_value(json_object_get(o, "count")), 3,
       "a sighting carries its count");
    text = json_dumps(b, JSON_COMPACT);
    ok(strstr(text, "alice@example.com") == NULL,
       "a credential is never exported");
    ok(strstr(text, "TLP:RED") && strstr(text, "TLP:GREEN") &&
           strstr(text, "TLP:AMBER") && !strstr(text, "TLP:WHITE"),
       "the TLP markings used, and only those");
    free(text);

    /* The ids the TAXII server indexes are the ids the objects carry. */
    {
        char ind[STIX_ID_MAX], sco[STIX_ID_MAX], rel[STIX_ID_MAX];
        char sgt[STIX_ID_MAX], src[STIX_ID_MAX];

        ok(stix_finding_ids("url", items[0].value, ind, sco, rel),
           "a URL has finding ids");
        is_str(ind, s(find(objs, "indicator", 0), "id"),
               "stix_finding_ids: the indicator's id");
        is_str(sco, s(find(objs, "url", 0), "id"),
               "stix_finding_ids: the observable's id");
        is_str(rel, s(find(objs, "relationship", 0), "id"),
               "stix_finding_ids: the relationship's id");
        stix_sighting_id(ind, "leak-forum", sgt);
        is_str(sgt, s(find(objs, "sighting", 0), "id"),
               "stix_sighting_id: the sighting's id");
        stix_source_id("leak-forum", src);
        is_str(src, s(find(objs, "identity", 1), "id"),
               "stix_source_id: the source's identity");
        ok(stix_finding_ids("sha256", items[1].value, ind, sco, rel) &&
               strcmp(sco, s(find(objs, "file", 0), "id")) == 0,
           "stix_finding_ids: a file's id over its hashes");
        ok(!stix_finding_ids("credential", "alice@example.com", ind, sco,
                             rel),
           "a credential has no STIX ids");
    }
    is(stix_ttl_days("ipv4"), 30, "addresses stay valid 30 days");
    is(stix_ttl_days("md5"), 365, "hashes a year");
    json_decref(b);
    return done_testing();
}
