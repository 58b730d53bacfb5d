/*
 * STIX 2.1 bundles (stix.h): patterns with their values escaped, the
 * observables' deterministic ids (STIX 2.1 section 2.9), TLP 1.0 marking
 * definitions by their fixed ids, timestamps in UTC to the millisecond.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "alerts/stix.h"
#include "common/buf.h"
#include "common/xalloc.h"
#include "common/banned.h"

const char *const stix_kinds[] = {
    "ipv4", "ipv6", "domain", "onion", "url", "email",
    "md5", "sha1", "sha256", "sha512", NULL,
};

/* drpwatch's namespace for its own objects (a random UUID, fixed). */
static const unsigned char ns_drpwatch[16] = {
    0x6b, 0x1d, 0x3c, 0x59, 0x0e, 0x4a, 0x4f, 0x52,
    0x9a, 0x87, 0x2d, 0x5e, 0x41, 0x6c, 0xf0, 0x93,
};
/* The specification's namespace for cyber-observable ids:
   00abedb4-aa42-466c-9c01-fed23315a9b7. */
static const unsigned char ns_sco[16] = {
    0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c,
    0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7,
};

/* When drpwatch's identities "were created": fixed, so that they never
   change between exports. */
#define EPOCH "2026-01-01T00:00:00.000Z"

struct tlp {
    const char *name, *id;
};
/* TLP 1.0 as STIX 2.1 defines it (section 7.2.1.4). */
static const struct tlp tlps[] = {
    { "white", "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9" },
    { "green", "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da" },
    { "amber", "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82" },
    { "red", "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed" },
};

struct sco {
    const char *kind, *type, *hash; /* hash: the hashes key, or NULL */
};
static const struct sco scos[] = {
    { "ipv4", "ipv4-addr", NULL },      { "ipv6", "ipv6-addr", NULL },
    { "domain", "domain-name", NULL },  { "onion", "domain-name", NULL },
    { "url", "url", NULL },             { "email", "email-addr", NULL },
    { "md5", "file", "MD5" },           { "sha1", "file", "SHA-1" },
    { "sha256", "file", "SHA-256" },    { "sha512", "file", "SHA-512" },
};

static const struct sco *
sco_of(const char *kind)
{
    size_t i;

    for (i = 0; i < sizeof(scos) / sizeof(scos[0]); i++)
        if (strcmp(kind, scos[i].kind) == 0)
            return &scos[i];
    return NULL;
}

int
stix_ttl_days(const char *kind)
{
    if (strcmp(kind, "ipv4") == 0 || strcmp(kind, "ipv6") == 0)
        return 30; /* addresses change hands in days or weeks */
    if (strcmp(kind, "email") == 0)
        return 180;
    if (kind[0] == 'm' || kind[0] == 's') /* md5, sha*: a file stays bad */
        return 365;
    return 90; /* domains, onions, URLs */
}

/* h[0..16) as a UUID of that version (RFC 4122 variant). */
static void
uuid_text(unsigned char h[16], unsigned version, char out[37])
{
    h[6] = (unsigned char)((h[6] & 0x0f) | (version << 4));
    h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x",
             h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9],
             h[10], h[11], h[12], h[13], h[14], h[15]);
}

void
stix_uuid5(const unsigned char ns[16], const char *name, size_t n,
           char out[37])
{
    unsigned char h[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();

    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1 ||
        EVP_DigestUpdate(ctx, ns, 16) != 1 ||
        EVP_DigestUpdate(ctx, name, n) != 1 ||
        EVP_DigestFinal_ex(ctx, h, &len) != 1)
        abort(); /* out of memory */
    EVP_MD_CTX_free(ctx);
    uuid_text(h, 5, out);
}

static void
timestamp(time_t t, char out[32])
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

static json_t *
jtime(time_t t)
{
    char b[32];

    timestamp(t, b);
    return json_string(b);
}

/* A string value in a STIX pattern: quoted, ' and \ escaped. */
static void
pattern_string(struct buf *b, const char *v)
{
    buf_addc(b, '\'');
    for (; *v; v++) {
        if (*v == '\'' || *v == '\\')
            buf_addc(b, '\\');
        buf_addc(b, *v);
    }
    buf_addc(b, '\'');
}

static const struct tlp *
tlp_of(const char *name)
{
    size_t i;

    if (name == NULL || strcmp(name, "clear") == 0)
        name = "white";
    for (i = 0; i < sizeof(tlps) / sizeof(tlps[0]); i++)
        if (strcmp(name, tlps[i].name) == 0)
            return &tlps[i];
    return &tlps[2]; /* amber: unknown means careful */
}

static json_t *
marking(const struct tlp *t)
{
    char name[16], *p;

    snprintf(name, sizeof(name), "TLP:%s", t->name);
    for (p = name + 4; *p; p++)
        *p = (char)(*p - 'a' + 'A');
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s}}", "type",
                     "marking-definition", "spec_version", "2.1", "id", t->id,
                     "created", "2017-01-20T00:00:00.000Z", "name", name,
                     "definition_type", "tlp", "definition", "tlp", t->name);
}

static json_t *
identity(const char *id, const char *name, const char *description)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type",
                          "identity", "spec_version", "2.1", "id", id,
                          "created", EPOCH, "modified", EPOCH, "name", name,
                          "identity_class", "system");

    if (description)
        json_object_set_new(o, "description", json_string(description));
    return o;
}

/* An observable's ID-contributing property (STIX 2.1 section 2.9). */
static json_t *
sco_contrib(const struct sco *s, const char *value)
{
    return s->hash ? json_pack("{s:{s:s}}", "hashes", s->hash, value)
                   : json_pack("{s:s}", "value", value);
}

/* An observable's id: a UUIDv5 in the specification's namespace over the
   canonical JSON of its ID-contributing property. */
static void
sco_id(const struct sco *s, const char *value, char out[STIX_ID_MAX])
{
    json_t *c = sco_contrib(s, value);
    char *canon, u[37];

    /* RFC 8785: one member (or one nested), no blanks; jansson's compact
       form of these is that canonical form. */
    canon = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
    stix_uuid5(ns_sco, canon, strlen(canon), u);
    snprintf(out, STIX_ID_MAX, "%s--%s", s->type, u);
    free(canon);
    json_decref(c);
}

/* "type--uuid5(drpwatch's namespace, fmt...)" into out. */
static void
own_id(char out[STIX_ID_MAX], const char *type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
own_id(char out[STIX_ID_MAX], const char *type, const char *fmt, ...)
{
    struct buf name = BUF_INIT(1u << 20);
    char u[37];
    va_list ap;

    va_start(ap, fmt);
    buf_vaddf(&name, fmt, ap);
    va_end(ap);
    stix_uuid5(ns_drpwatch, buf_str(&name), name.len, u);
    snprintf(out, STIX_ID_MAX, "%s--%s", type, u);
    buf_release(&name);
}

bool
stix_finding_ids(const char *kind, const char *value,
                 char ind[STIX_ID_MAX], char sco[STIX_ID_MAX],
                 char rel[STIX_ID_MAX])
{
    const struct sco *s = kind && value ? sco_of(kind) : NULL;

    if (s == NULL)
        return false;
    own_id(ind, "indicator", "indicator:%s:%s", kind, value);
    sco_id(s, value, sco);
    own_id(rel, "relationship", "based-on:%s", ind);
    return true;
}

void
stix_sighting_id(const char *ind, const char *source, char out[STIX_ID_MAX])
{
    own_id(out, "sighting", "sighting:%s:%s", ind, source);
}

void
stix_source_id(const char *name, char out[STIX_ID_MAX])
{
    own_id(out, "identity", "source:%s", name);
}

static void
add_item(json_t *objs, const struct stix_item *it, const char *producer,
         json_t *sources, unsigned *tlp_used)
{
    const struct sco *s = sco_of(it->kind);
    const struct tlp *t = tlp_of(it->tlp);
    struct buf pat = BUF_INIT(1u << 16), name = BUF_INIT(1u << 16);
    char ind_id[STIX_ID_MAX], obs_id[STIX_ID_MAX], rel_id[STIX_ID_MAX];
    time_t until = it->last_seen + (time_t)stix_ttl_days(it->kind) * 86400;
    json_t *ind, *marks, *obs, *contrib;
    size_t i;

    if (tlp_used)
        tlp_used[t - tlps] = 1;
    /* Hash names are quoted: 'SHA-256' holds a hyphen. */
    if (s->hash)
        buf_addf(&pat, "[file:hashes.'%s' = ", s->hash);
    else
        buf_addf(&pat, "[%s:value = ", s->type);
    pattern_string(&pat, it->value);
    buf_addc(&pat, ']');
    stix_finding_ids(it->kind, it->value, ind_id, obs_id, rel_id);
    buf_addf(&name, "%s %s", it->kind, it->value);
    marks = json_pack("[s]", t->id);
    ind = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:o, s:o, "
                    "s:i, s:[s], s:O}",
                    "type", "indicator", "spec_version", "2.1", "id", ind_id,
                    "created_by_ref", producer, "created",
                    jtime(it->first_seen), "modified", jtime(it->last_seen),
                    "name", buf_str(&name), "pattern", buf_str(&pat),
                    "pattern_type", "stix", "valid_from",
                    jtime(it->first_seen), "valid_until", jtime(until),
                    "confidence", it->confidence < 0     ? 0
                                  : it->confidence > 100 ? 100
                                                         : it->confidence,
                    "labels", it->kind, "object_marking_refs", marks);
    json_array_append_new(objs, ind);
    obs = json_pack("{s:s, s:s, s:s}", "type", s->type, "spec_version",
                    "2.1", "id", obs_id);
    contrib = sco_contrib(s, it->value);
    json_object_update(obs, contrib);
    json_decref(contrib);
    json_array_append_new(objs, obs);
    json_array_append_new(
        objs, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:O}",
                        "type", "relationship", "spec_version", "2.1", "id",
                        rel_id, "created_by_ref", producer, "created",
                        jtime(it->first_seen), "modified",
                        jtime(it->last_seen), "relationship_type",
                        "based-on", "source_ref", ind_id, "target_ref",
                        obs_id, "object_marking_refs", marks));
    for (i = 0; i < it->nsightings; i++) {
        const struct stix_sighting *g = &it->sightings[i];
        char src_id[STIX_ID_MAX], sg_id[STIX_ID_MAX];
        time_t last = g->last_seen < g->first_seen ? g->first_seen
                                                   : g->last_seen;

        stix_source_id(g->source, src_id);
        if (sources && json_object_get(sources, src_id) == NULL)
            json_object_set_new(sources, src_id,
                                identity(src_id, g->source,
                                         "a source drpwatch crawls"));
        stix_sighting_id(ind_id, g->source, sg_id);
        json_array_append_new(
            objs,
            json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:i, s:s, "
                      "s:[s], s:O}",
                      "type", "sighting", "spec_version", "2.1", "id", sg_id,
                      "created_by_ref", producer, "created",
                      jtime(g->first_seen), "modified", jtime(last),
                      "first_seen", jtime(g->first_seen), "last_seen",
                      jtime(last), "count", g->count < 1 ? 1 : g->count,
                      "sighting_of_ref", ind_id, "where_sighted_refs",
                      src_id, "object_marking_refs", marks));
    }
    json_decref(marks);
    buf_release(&pat);
    buf_release(&name);
}

json_t *
stix_source_identity(const char *name)
{
    char id[STIX_ID_MAX];

    stix_source_id(name, id);
    return identity(id, name, "a source drpwatch crawls");
}

static json_t *
producer_identity(const char *id)
{
    return identity(id, "drpwatch",
                    "drpwatch digital risk protection: indicators found on "
                    "dark-web forums, paste sites and lookalike domains");
}

json_t *
stix_shared_objects(void)
{
    char producer[STIX_ID_MAX];
    json_t *objs = json_array();
    size_t i;

    own_id(producer, "identity", "producer:drpwatch");
    json_array_append_new(objs, producer_identity(producer));
    for (i = 0; i < sizeof(tlps) / sizeof(tlps[0]); i++)
        json_array_append_new(objs, marking(&tlps[i]));
    return objs;
}

void
stix_item_objects(const struct stix_item *it, json_t *objs)
{
    char producer[STIX_ID_MAX];

    if (it->kind == NULL || it->value == NULL || sco_of(it->kind) == NULL)
        return;
    own_id(producer, "identity", "producer:drpwatch");
    add_item(objs, it, producer, NULL, NULL);
}

struct stix_item *
stix_items_of(json_t *rows, struct stix_sighting **sg)
{
    size_t n = json_array_size(rows), i, k, ns = 0;
    struct stix_item *v = xcalloc(n + 1, sizeof(*v));
    json_t *o, *g;

    json_array_foreach(rows, i, o)
        ns += json_array_size(json_object_get(o, "sightings"));
    *sg = xcalloc(ns + 1, sizeof(**sg));
    ns = 0;
    json_array_foreach(rows, i, o) {
        v[i].kind = json_string_value(json_object_get(o, "kind"));
        v[i].value = json_string_value(json_object_get(o, "value"));
        v[i].confidence =
            (int)json_integer_value(json_object_get(o, "confidence"));
        v[i].tlp = json_string_value(json_object_get(o, "tlp"));
        v[i].first_seen =
            (time_t)json_integer_value(json_object_get(o, "first_seen"));
        v[i].last_seen =
            (time_t)json_integer_value(json_object_get(o, "last_seen"));
        v[i].sightings = *sg + ns;
        json_array_foreach(json_object_get(o, "sightings"), k, g) {
            struct stix_sighting *s = *sg + ns++;

            s->source = json_string_value(json_object_get(g, "source"));
            s->first_seen =
                (time_t)json_integer_value(json_object_get(g, "first_seen"));
            s->last_seen =
                (time_t)json_integer_value(json_object_get(g, "last_seen"));
            s->count = (int)json_integer_value(json_object_get(g, "count"));
            v[i].nsightings++;
        }
    }
    return v;
}

json_t *
stix_bundle(const struct stix_item *items, size_t n)
{
    json_t *bundle, *objs = json_array(), *sources = json_object(), *o;
    unsigned tlp_used[sizeof(tlps) / sizeof(tlps[0])] = { 0 };
    unsigned char r[16];
    char producer[STIX_ID_MAX], uuid[37];
    const char *k;
    size_t i;

    own_id(producer, "identity", "producer:drpwatch");
    json_array_append_new(objs, producer_identity(producer));
    for (i = 0; i < n; i++)
        if (sco_of(items[i].kind) != NULL)
            add_item(objs, &items[i], producer, sources, tlp_used);
    json_object_foreach(sources, k, o)
        json_array_append(objs, o);
    for (i = 0; i < sizeof(tlps) / sizeof(tlps[0]); i++)
        if (tlp_used[i])
            json_array_append_new(objs, marking(&tlps[i]));
    json_decref(sources);
    /* A random (version 4) id for the bundle itself. */
    if (RAND_bytes(r, sizeof(r)) != 1)
        abort();
    uuid_text(r, 4, uuid);
    bundle = json_pack("{s:s, s:s+, s:o}", "type", "bundle", "id", "bundle--",
                       uuid, "objects", objs);
    return bundle;
}
