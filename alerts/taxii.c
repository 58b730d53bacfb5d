/*
 * The TAXII 2.1 server (taxii.h): routing, authentication, content
 * negotiation, query parameters and the paging of a collection's objects.
 * It never writes: a POST or DELETE is refused as the specification says
 * for a collection that cannot be written. No SQL here: rows come from the
 * caller's taxii_rows_fn.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "alerts/stix.h"
#include "alerts/taxii.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "common/banned.h"

#define SECRET_MAX 1024
/* When drpwatch's own identity and the TLP definitions "were added": the
   identity's created (alerts/stix.c), 2026-01-01T00:00:00Z. */
#define SHARED_US (1767225600LL * 1000000)
/* Rows asked of the store at a time. */
#define BATCH_MAX 1000

/* The namespace of collection ids (UUIDv5 of the alias). */
static const unsigned char ns_collection[16] = {
    0x3f, 0x0c, 0x8e, 0x51, 0x7a, 0x2b, 0x4d, 0x13,
    0xb5, 0x6e, 0x90, 0x21, 0xc4, 0x7d, 0x58, 0xaa,
};

struct user {
    const char *name;
    bool bearer;
    unsigned char hash[SHA256_DIGEST_LENGTH]; /* of the secret */
};

struct coll {
    char id[37];
    const struct taxii_collection_conf *conf;
};

struct taxii_server {
    const struct taxii_conf *conf;
    struct MHD_Daemon *mhd;
    taxii_rows_fn *rows;
    void *rows_arg;
    struct user *users;
    size_t nusers;
    struct coll *colls;
    size_t ncolls;
    struct taxii_collection_conf defaults[4]; /* when conf has none */
    char *tls_cert, *tls_key;                 /* PEM text */
    bool tls;
    int port;
};

/* One request's query, checked. */
struct query {
    bool has_after;
    long long after_us;
    int limit;
    bool has_next;
    struct taxii_key next;
    long long skip;
    const char *types[TAXII_MAX_MATCH];
    size_t ntypes;
    const char *ids[TAXII_MAX_MATCH];
    size_t nids;
    long long versions[TAXII_MAX_MATCH]; /* -1 first, -2 last, -3 all */
    size_t nversions;
    bool spec_21; /* match[spec_version] absent or naming 2.1 */
    int nparams;
    size_t bytes;
    char *copy[5]; /* the lists' text, split in place */
    const char *error;
};

/* ---- small helpers ---- */

static void
format_us(long long us, char out[40])
{
    time_t t = (time_t)(us / 1000000);
    long frac = (long)(us % 1000000);
    struct tm tm;

    if (frac < 0) {
        frac += 1000000;
        t--;
    }
    gmtime_r(&t, &tm);
    strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + strlen(out), 40 - strlen(out), ".%06ldZ", frac);
}

/* An RFC 3339 UTC timestamp as STIX and TAXII write them
   (YYYY-MM-DDTHH:MM:SS[.fraction]Z) in microseconds, the fraction past
   the microsecond in *rest (true when not zero). */
static int
parse_time(const char *s, long long *us, bool *rest)
{
    struct tm tm;
    const char *p;
    long long frac = 0;
    int digits = 0;
    time_t t;

    memset(&tm, 0, sizeof(tm));
    *rest = false;
    if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
        s[13] != ':' || s[16] != ':')
        return -1;
    p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (p == NULL || p != s + 19)
        return -1;
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
            if (digits < 6)
                frac = frac * 10 + (*p - '0');
            else if (*p != '0')
                *rest = true;
        }
        if (digits == 0 || digits > 9)
            return -1;
        for (; digits < 6; digits++)
            frac *= 10;
    }
    if (strcmp(p, "Z") != 0 || tm.tm_year < 70 || tm.tm_year > 8000)
        return -1;
    t = timegm(&tm);
    if (t == (time_t)-1)
        return -1;
    *us = (long long)t * 1000000 + frac;
    return 0;
}

/* A whole number in [lo, hi] (decimal, nothing else). */
static bool
parse_ll(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    long long v;

    if (*s == '\0' || (*s != '-' && (*s < '0' || *s > '9')))
        return false;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static int
key_cmp(const struct taxii_key *a, const struct taxii_key *b)
{
    if (a->added_us != b->added_us)
        return a->added_us < b->added_us ? -1 : 1;
    if (a->group != b->group)
        return a->group < b->group ? -1 : 1;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    return 0;
}

static void
sha256(const char *s, size_t n, unsigned char out[SHA256_DIGEST_LENGTH])
{
    unsigned int len = 0;

    if (EVP_Digest(s, n, out, &len, EVP_sha256(), NULL) != 1)
        abort();
}

/* ---- responses ---- */

static enum MHD_Result
send_text(struct MHD_Connection *c, unsigned status, char *body,
          const char *first, const char *last)
{
    struct MHD_Response *r;
    enum MHD_Result ok;

    r = MHD_create_response_from_buffer(strlen(body), body,
                                        MHD_RESPMEM_MUST_FREE);
    if (r == NULL) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            TAXII_MEDIA_TYPE);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (first)
        MHD_add_response_header(r, "X-TAXII-Date-Added-First", first);
    if (last)
        MHD_add_response_header(r, "X-TAXII-Date-Added-Last", last);
    if (status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                "Basic realm=\"drpwatch TAXII\", "
                                "Bearer realm=\"drpwatch TAXII\"");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result
send_json(struct MHD_Connection *c, unsigned status, json_t *body,
          const char *first, const char *last)
{
    char *text = json_dumps(body, JSON_COMPACT);

    json_decref(body);
    if (text == NULL)
        return MHD_NO;
    return send_text(c, status, text, first, last);
}

/* The specification's error message resource. */
static enum MHD_Result
send_error(struct MHD_Connection *c, unsigned status, const char *title,
           const char *description)
{
    char code[8];

    snprintf(code, sizeof(code), "%u", status);
    return send_json(c, status,
                     json_pack("{s:s, s:s, s:s}", "title", title,
                               "description", description, "http_status",
                               code),
                     NULL, NULL);
}

/* ---- authentication ---- */

/* The user a request authenticates as, or NULL. Every secret is compared
   (as a SHA-256, with CRYPTO_memcmp) whether or not an earlier one
   matched, so the time taken tells nothing. */
static const struct user *
authenticate(const struct taxii_server *s, struct MHD_Connection *c)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                MHD_HTTP_HEADER_AUTHORIZATION);
    unsigned char got[SHA256_DIGEST_LENGTH];
    const struct user *found = NULL;
    unsigned char dec[SECRET_MAX * 2];
    const char *secret, *name = NULL;
    size_t n, i, namelen = 0, len;
    bool bearer;

    if (h == NULL || strlen(h) > SECRET_MAX * 2)
        return NULL;
    if (strncasecmp(h, "Bearer ", 7) == 0) {
        bearer = true;
        secret = h + 7;
        len = strlen(secret);
    } else if (strncasecmp(h, "Basic ", 6) == 0) {
        const char *b64 = h + 6, *colon;
        int out;

        n = strlen(b64);
        if (n == 0 || n % 4 != 0 || n / 4 * 3 >= sizeof(dec))
            return NULL;
        out = EVP_DecodeBlock(dec, (const unsigned char *)b64, (int)n);
        if (out < 0)
            return NULL;
        len = (size_t)out;
        for (i = n; i > 0 && b64[i - 1] == '=' && len > 0; i--)
            len--;
        dec[len] = '\0';
        if (memchr(dec, '\0', len))
            return NULL;
        colon = memchr(dec, ':', len);
        if (colon == NULL)
            return NULL;
        bearer = false;
        name = (const char *)dec;
        namelen = (size_t)(colon - name);
        secret = colon + 1;
        len -= namelen + 1;
    } else
        return NULL;
    sha256(secret, len, got);
    for (i = 0; i < s->nusers; i++) {
        const struct user *u = &s->users[i];
        bool right = CRYPTO_memcmp(got, u->hash, sizeof(got)) == 0;

        if (u->bearer != bearer)
            continue;
        if (!bearer && (strlen(u->name) != namelen ||
                        memcmp(u->name, name, namelen) != 0))
            continue;
        if (right && found == NULL)
            found = u;
    }
    explicit_bzero(dec, sizeof(dec));
    return found;
}

static bool
can_read(const struct taxii_collection_conf *c, const struct user *u)
{
    size_t i;

    if (c->readers == NULL)
        return true;
    for (i = 0; i < c->nreaders; i++)
        if (strcmp(c->readers[i], u->name) == 0)
            return true;
    return false;
}

/* ---- content negotiation ---- */

/* Whether Accept admits the TAXII 2.1 media type: no Accept, any type,
   any application type, application/taxii+json without a version or with
   version 2.1. */
bool
taxii_accept_ok(const char *h)
{
    const char *p;

    if (h == NULL)
        return true;
    for (p = h; *p;) {
        const char *end = strchr(p, ','), *semi;
        size_t n = end ? (size_t)(end - p) : strlen(p), tn;
        char item[256];
        bool v21 = true;

        while (n > 0 && (*p == ' ' || *p == '\t')) {
            p++;
            n--;
        }
        if (n < sizeof(item)) {
            memcpy(item, p, n);
            item[n] = '\0';
            semi = strchr(item, ';');
            tn = semi ? (size_t)(semi - item) : n;
            while (tn > 0 && item[tn - 1] == ' ')
                tn--;
            /* version=... among the parameters; q= and others ignored */
            if (semi && strstr(semi, "version=") &&
                !strstr(semi, "version=2.1"))
                v21 = false;
            if ((tn == 3 && strncmp(item, "*/*", 3) == 0) ||
                (tn == 13 && strncasecmp(item, "application/*", 13) == 0))
                return true;
            if (tn == 22 &&
                strncasecmp(item, "application/taxii+json", 22) == 0 &&
                v21)
                return true;
        }
        if (end == NULL)
            break;
        p = end + 1;
    }
    return false;
}

static bool
accept_ok(struct MHD_Connection *c)
{
    return taxii_accept_ok(MHD_lookup_connection_value(
        c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT));
}

/* ---- query parameters ---- */

static bool
type_valid(const char *t)
{
    size_t n = strlen(t);

    return n >= 3 && n <= 250 &&
           strspn(t, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* type--UUID: a type name, then 8-4-4-4-12 lowercase hex digits. */
static bool
id_valid(const char *id)
{
    const char *dash = strstr(id, "--"), *u;
    size_t i;

    if (dash == NULL || dash == id || strlen(dash + 2) != 36)
        return false;
    for (u = id; u < dash; u++)
        if (!((*u >= 'a' && *u <= 'z') || (*u >= '0' && *u <= '9') ||
              *u == '-'))
            return false;
    for (u = dash + 2, i = 0; i < 36; i++)
        if ((i == 8 || i == 13 || i == 18 || i == 23)
                ? u[i] != '-'
                : !((u[i] >= '0' && u[i] <= '9') ||
                    (u[i] >= 'a' && u[i] <= 'f')))
            return false;
    return true;
}

/* Splits a comma-separated list (copied) into out, at most
   TAXII_MAX_MATCH; false when empty, longer, or an item fails valid. */
static bool
split_list(struct query *q, int slot, const char *v, const char **out,
           size_t *n, bool (*valid)(const char *))
{
    char *p, *save = NULL, *tok;

    free(q->copy[slot]);
    q->copy[slot] = xstrdup(v);
    *n = 0;
    for (p = q->copy[slot]; (tok = strtok_r(p, ",", &save)) != NULL;
         p = NULL) {
        if (*n >= TAXII_MAX_MATCH || (valid && !valid(tok)))
            return false;
        out[(*n)++] = tok;
    }
    return *n > 0;
}

/* next: "ADDED.GROUP.ID.SKIP", as page_add() writes it. */
static bool
parse_next(const char *v, struct query *q)
{
    char part[4][24];
    long long n[4];
    size_t i, len;
    const char *p = v, *dot;

    for (i = 0; i < 4; i++) {
        dot = i < 3 ? strchr(p, '.') : p + strlen(p);
        if (dot == NULL)
            return false;
        len = (size_t)(dot - p);
        if (len == 0 || len >= sizeof(part[i]))
            return false;
        memcpy(part[i], p, len);
        part[i][len] = '\0';
        p = dot + 1;
    }
    if (!parse_ll(part[0], 0, LLONG_MAX / 2, &n[0]) ||
        !parse_ll(part[1], 0, 2, &n[1]) ||
        !parse_ll(part[2], 0, LLONG_MAX - 1, &n[2]) ||
        !parse_ll(part[3], 0, 1000000, &n[3]))
        return false;
    q->next.added_us = n[0];
    q->next.group = (int)n[1];
    q->next.id = n[2];
    q->skip = n[3];
    q->has_next = true;
    return true;
}

static enum MHD_Result
take_param(void *cls, enum MHD_ValueKind kind, const char *key,
           const char *value)
{
    struct query *q = cls;
    const char *v = value ? value : "";
    long long n;
    bool rest;
    size_t i;

    (void)kind;
    q->nparams++;
    q->bytes += strlen(key) + strlen(v) + 2;
    if (q->nparams > TAXII_MAX_PARAMS || q->bytes > TAXII_MAX_QUERY) {
        q->error = "too many or too long query parameters";
        return MHD_NO;
    }
    if (strcmp(key, "limit") == 0) {
        if (!parse_ll(v, 1, LLONG_MAX, &n)) {
            q->error = "'limit' must be a whole number of 1 or more";
            return MHD_NO;
        }
        q->limit = n > INT_MAX ? INT_MAX : (int)n;
    } else if (strcmp(key, "added_after") == 0) {
        if (parse_time(v, &q->after_us, &rest) < 0) {
            q->error = "'added_after' must be a timestamp such as "
                       "2026-01-31T12:00:00.000Z";
            return MHD_NO;
        }
        q->has_after = true;
    } else if (strcmp(key, "next") == 0) {
        if (!parse_next(v, q)) {
            q->error = "'next' is not a value this server gave";
            return MHD_NO;
        }
    } else if (strcmp(key, "match[type]") == 0) {
        if (!split_list(q, 0, v, q->types, &q->ntypes, type_valid)) {
            q->error = "'match[type]' takes 1-100 STIX type names";
            return MHD_NO;
        }
    } else if (strcmp(key, "match[id]") == 0) {
        if (!split_list(q, 1, v, q->ids, &q->nids, id_valid)) {
            q->error = "'match[id]' takes 1-100 STIX ids (type--UUID)";
            return MHD_NO;
        }
    } else if (strcmp(key, "match[version]") == 0) {
        const char *vs[TAXII_MAX_MATCH];

        if (!split_list(q, 2, v, vs, &q->nversions, NULL)) {
            q->error = "'match[version]' takes 1-100 versions";
            return MHD_NO;
        }
        for (i = 0; i < q->nversions; i++) {
            if (strcmp(vs[i], "first") == 0)
                q->versions[i] = -1;
            else if (strcmp(vs[i], "last") == 0)
                q->versions[i] = -2;
            else if (strcmp(vs[i], "all") == 0)
                q->versions[i] = -3;
            else if (parse_time(vs[i], &q->versions[i], &rest) < 0 || rest) {
                q->error = "'match[version]' takes first, last, all or "
                           "timestamps";
                return MHD_NO;
            }
        }
    } else if (strcmp(key, "match[spec_version]") == 0) {
        const char *vs[TAXII_MAX_MATCH];
        size_t nv;

        if (!split_list(q, 3, v, vs, &nv, NULL)) {
            q->error = "'match[spec_version]' takes 1-100 versions";
            return MHD_NO;
        }
        q->spec_21 = false;
        for (i = 0; i < nv; i++)
            if (strcmp(vs[i], "2.1") == 0)
                q->spec_21 = true;
    } else if (strncmp(key, "match[", 6) == 0) {
        q->error = "only match[type], match[id], match[version] and "
                   "match[spec_version] are supported";
        return MHD_NO;
    }
    /* Other parameters are ignored, as HTTP servers do. */
    return MHD_YES;
}

static void
query_release(struct query *q)
{
    size_t i;

    for (i = 0; i < sizeof(q->copy) / sizeof(q->copy[0]); i++)
        free(q->copy[i]);
}

const char *
taxii_query_check(const char *const *keys, const char *const *values,
                  size_t n)
{
    struct query q;
    size_t i;

    memset(&q, 0, sizeof(q));
    q.spec_21 = true;
    q.limit = TAXII_PAGE_DEFAULT;
    for (i = 0; i < n; i++)
        if (take_param(&q, MHD_GET_ARGUMENT_KIND, keys[i], values[i]) ==
            MHD_NO)
            break;
    query_release(&q);
    return q.error;
}

/* ---- paging through a collection ---- */

static const char *
jstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The object's version: modified, else created, else (an observable has
   neither) when it was added. */
static const char *
version_of(json_t *o, const char *added)
{
    const char *v = jstr(o, "modified");

    if (v == NULL)
        v = jstr(o, "created");
    return v ? v : added;
}

static bool
object_matches(const struct query *q, json_t *o, const char *added)
{
    const char *type = jstr(o, "type"), *id = jstr(o, "id");
    long long ver;
    bool rest, hit;
    size_t i;

    if (!q->spec_21 || type == NULL || id == NULL)
        return false;
    if (q->ntypes) {
        for (hit = false, i = 0; i < q->ntypes && !hit; i++)
            hit = strcmp(q->types[i], type) == 0;
        if (!hit)
            return false;
    }
    if (q->nids) {
        for (hit = false, i = 0; i < q->nids && !hit; i++)
            hit = strcmp(q->ids[i], id) == 0;
        if (!hit)
            return false;
    }
    if (q->nversions) {
        /* One version of each object is kept: it is the first, the last
           and all of them. */
        if (parse_time(version_of(o, added), &ver, &rest) < 0)
            return false;
        for (hit = false, i = 0; i < q->nversions && !hit; i++)
            hit = q->versions[i] < 0 || q->versions[i] == ver;
        if (!hit)
            return false;
    }
    return true;
}

/* The objects of a row (appended to objs). */
static void
row_objects(json_t *row, json_t *objs)
{
    json_t *one = json_array();
    struct stix_sighting *sg = NULL;
    struct stix_item *it;
    const char *name;

    if (json_integer_value(json_object_get(row, "g")) == 1) {
        name = jstr(row, "name");
        if (name)
            json_array_append_new(objs, stix_source_identity(name));
    } else {
        json_array_append(one, row);
        it = stix_items_of(one, &sg);
        if (it[0].kind && it[0].value)
            stix_item_objects(&it[0], objs);
        free(it);
        free(sg);
    }
    json_decref(one);
}

enum page_kind { PAGE_OBJECTS, PAGE_MANIFEST, PAGE_VERSIONS };

struct page {
    json_t *out;       /* objects, manifest records or versions */
    char first[40], last[40];
    bool more;
    char next[100];
    size_t n;
};

/* Adds an object of the group at key to the page, or sees that the page
   is full (then more, and next points at it). */
static bool
page_add(struct page *pg, const struct query *q, enum page_kind kind,
         const struct taxii_key *key, long long index, json_t *o)
{
    char added[40];

    if ((int)pg->n >= q->limit) {
        pg->more = true;
        snprintf(pg->next, sizeof(pg->next), "%lld.%d.%lld.%lld",
                 key->added_us, key->group, key->id, index);
        return false;
    }
    format_us(key->added_us, added);
    if (pg->n == 0)
        memcpy(pg->first, added, sizeof(added));
    memcpy(pg->last, added, sizeof(added));
    if (kind == PAGE_OBJECTS)
        json_array_append(pg->out, o);
    else if (kind == PAGE_VERSIONS)
        json_array_append_new(pg->out, json_string(version_of(o, added)));
    else
        json_array_append_new(pg->out,
                              json_pack("{s:s, s:s, s:s, s:s}", "id",
                                        jstr(o, "id"), "date_added", added,
                                        "version", version_of(o, added),
                                        "media_type", STIX_MEDIA_TYPE));
    pg->n++;
    return true;
}

/* Adds the matching objects of one group; false when the page is full. */
static bool
page_group(struct page *pg, const struct query *q, enum page_kind kind,
           const struct taxii_key *key, json_t *objs)
{
    long long index = 0, from = 0;
    char added[40];
    size_t i;
    json_t *o;

    format_us(key->added_us, added);
    if (q->has_next && key_cmp(key, &q->next) == 0)
        from = q->skip;
    json_array_foreach(objs, i, o) {
        if (!object_matches(q, o, added))
            continue;
        if (index++ < from)
            continue;
        if (!page_add(pg, q, kind, key, index - 1, o))
            return false;
    }
    return true;
}

/* Fills pg with the collection's objects that q selects, from its start
   (or next, or added_after) in date_added order. */
static int
page_fill(struct taxii_server *s, const struct coll *c, const struct query *q,
          enum page_kind kind, struct page *pg, struct buf *err)
{
    static const struct taxii_key shared = { SHARED_US, 0, 0 };
    struct taxii_key key = { 0, -1, 0 }; /* before anything */
    /* A finding makes three objects or more: unfiltered, a third of a
       page of rows fills it (the loop asks for more when not). */
    int batch = q->nids ? BATCH_MAX
                : q->ntypes || q->nversions || !q->spec_21
                    ? (q->limit < BATCH_MAX ? q->limit + 1 : BATCH_MAX)
                    : q->limit / 3 + 2;
    bool full = false;
    json_t *rows, *objs;

    if (q->has_next) {
        key = q->next;
        key.id--; /* resume inside that group */
    } else if (q->has_after) {
        key.added_us = q->after_us;
        key.group = INT_MAX;
        key.id = LLONG_MAX;
    }
    while (!full) {
        size_t n, i;
        json_t *row;

        rows = s->rows(s->rows_arg, c->conf, &key, batch,
                       q->nids ? q->ids : NULL, q->nids, err);
        if (rows == NULL)
            return -1;
        n = json_array_size(rows);
        /* The shared group sorts in among the rows. */
        if (key_cmp(&shared, &key) > 0) {
            struct taxii_key k1 = { 0, 0, 0 };

            if (n > 0) {
                row = json_array_get(rows, n - 1);
                k1.added_us =
                    json_integer_value(json_object_get(row, "added_us"));
                k1.group = (int)json_integer_value(json_object_get(row, "g"));
                k1.id = json_integer_value(json_object_get(row, "id"));
            }
            if (n < (size_t)batch || key_cmp(&shared, &k1) < 0) {
                for (i = 0; i < n; i++) {
                    struct taxii_key ki;

                    row = json_array_get(rows, i);
                    ki.added_us =
                        json_integer_value(json_object_get(row, "added_us"));
                    ki.group =
                        (int)json_integer_value(json_object_get(row, "g"));
                    ki.id = json_integer_value(json_object_get(row, "id"));
                    if (key_cmp(&shared, &ki) < 0)
                        break;
                }
                json_array_insert_new(rows, i, json_pack("{s:i}", "g", 0));
            }
        }
        for (i = 0; i < json_array_size(rows) && !full; i++) {
            struct taxii_key k;

            row = json_array_get(rows, i);
            k.group = (int)json_integer_value(json_object_get(row, "g"));
            if (k.group == 0) {
                k = shared;
                objs = stix_shared_objects();
            } else {
                k.added_us =
                    json_integer_value(json_object_get(row, "added_us"));
                k.id = json_integer_value(json_object_get(row, "id"));
                objs = json_array();
                row_objects(row, objs);
            }
            full = !page_group(pg, q, kind, &k, objs);
            json_decref(objs);
            key = k;
        }
        json_decref(rows);
        if (n < (size_t)batch)
            break;
    }
    return 0;
}

/* ---- endpoints ---- */

static json_t *
collection_json(const struct coll *c, const struct user *u)
{
    const struct taxii_collection_conf *cc = c->conf;
    json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:b, s:[s]}", "id", c->id,
                          "title", cc->title ? cc->title : cc->alias,
                          "alias", cc->alias, "can_read", can_read(cc, u),
                          "can_write", 0, "media_types", STIX_MEDIA_TYPE);

    if (cc->description)
        json_object_set_new(o, "description", json_string(cc->description));
    return o;
}

/* The server's base URL: taxii.url, else the scheme and the request's
   Host (when it is a plain host[:port]), else the bound address. */
static char *
base_url(const struct taxii_server *s, struct MHD_Connection *c)
{
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_HOST);
    size_t n;

    if (s->conf->url) {
        n = strlen(s->conf->url);
        while (n > 0 && s->conf->url[n - 1] == '/')
            n--;
        return xasprintf("%.*s", (int)n, s->conf->url);
    }
    if (host == NULL || strlen(host) == 0 || strlen(host) > 255 ||
        strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789.-:[]") != strlen(host))
        return xasprintf("%s://127.0.0.1:%d", s->tls ? "https" : "http",
                         s->port);
    return xasprintf("%s://%s", s->tls ? "https" : "http", host);
}

static enum MHD_Result
discovery(struct taxii_server *s, struct MHD_Connection *c)
{
    char *base = base_url(s, c);
    char *root = xasprintf("%s%s", base, TAXII_API_ROOT);
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:[s]}", "title",
        s->conf->title ? s->conf->title : "drpwatch TAXII 2.1",
        "description",
        "Indicators drpwatch found on dark-web forums, paste sites and "
        "lookalike domains",
        "default", root, "api_roots", root);

    free(base);
    free(root);
    return send_json(c, MHD_HTTP_OK, o, NULL, NULL);
}

static enum MHD_Result
api_root(struct taxii_server *s, struct MHD_Connection *c)
{
    return send_json(
        c, MHD_HTTP_OK,
        json_pack("{s:s, s:s, s:[s], s:i}", "title",
                  s->conf->title ? s->conf->title : "drpwatch TAXII 2.1",
                  "description",
                  "drpwatch's shareable indicators, one collection per TLP "
                  "level or watch list",
                  "versions", TAXII_MEDIA_TYPE, "max_content_length", 0),
        NULL, NULL);
}

static enum MHD_Result
collections(struct taxii_server *s, struct MHD_Connection *c,
            const struct user *u)
{
    json_t *list = json_array();
    size_t i;

    for (i = 0; i < s->ncolls; i++)
        json_array_append_new(list, collection_json(&s->colls[i], u));
    return send_json(c, MHD_HTTP_OK, json_pack("{s:o}", "collections", list),
                     NULL, NULL);
}

static enum MHD_Result
collection_page(struct taxii_server *s, struct MHD_Connection *c,
                const struct coll *col, struct query *q, enum page_kind kind,
                const char *object_id)
{
    struct buf err = BUF_INIT(4096);
    struct page pg = { 0 };
    json_t *body;
    enum MHD_Result ok;

    if (object_id) {
        /* objects/{id}/ and its versions: the id is the filter. */
        q->ids[0] = object_id;
        q->nids = 1;
        q->ntypes = 0;
        if (kind == PAGE_VERSIONS && q->nversions == 0) {
            q->versions[0] = -3;
            q->nversions = 1;
        }
    }
    pg.out = json_array();
    if (page_fill(s, col, q, kind, &pg, &err) < 0) {
        log_warn("taxii: cannot read the collection: alias='%s' %s",
                 col->conf->alias, buf_str(&err));
        json_decref(pg.out);
        buf_release(&err);
        return send_error(c, MHD_HTTP_SERVICE_UNAVAILABLE,
                          "The collection cannot be read now",
                          "The database is unavailable; try again later.");
    }
    buf_release(&err);
    if (object_id && pg.n == 0 && !q->has_next) {
        json_decref(pg.out);
        return send_error(c, MHD_HTTP_NOT_FOUND, "No such object",
                          "The collection holds no object of that id (or "
                          "none that matches the filters).");
    }
    body = json_pack("{s:b}", "more", pg.more);
    if (pg.more)
        json_object_set_new(body, "next", json_string(pg.next));
    if (pg.n > 0)
        json_object_set_new(body,
                            kind == PAGE_VERSIONS ? "versions" : "objects",
                            pg.out);
    else
        json_decref(pg.out);
    ok = send_json(c, MHD_HTTP_OK, body, pg.n ? pg.first : NULL,
                   pg.n ? pg.last : NULL);
    return ok;
}

/* Whether a read may go on; if not, *ok is the 405 (a method other than
   GET or HEAD) or 406 (an Accept without the TAXII type) sent. */
static bool
get_ok(struct MHD_Connection *c, bool get, enum MHD_Result *ok)
{
    if (!get)
        *ok = send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED,
                         "Method not allowed",
                         "This server is read-only: GET only.");
    else if (!accept_ok(c))
        *ok = send_error(c, MHD_HTTP_NOT_ACCEPTABLE, "Not acceptable",
                         "The server answers in " TAXII_MEDIA_TYPE);
    else
        return true;
    return false;
}

/* The collection of that id (36 characters), or NULL. */
static const struct coll *
find_collection(const struct taxii_server *s, const char *id, size_t n)
{
    size_t i;

    for (i = 0; i < s->ncolls; i++)
        if (n == 36 && memcmp(s->colls[i].id, id, 36) == 0)
            return &s->colls[i];
    return NULL;
}

/* The next path segment of *p (without slashes), its length in *n. */
static const char *
segment(const char **p, size_t *n)
{
    const char *start = *p, *slash = strchr(start, '/');

    *n = slash ? (size_t)(slash - start) : strlen(start);
    *p = slash ? slash + 1 : start + *n;
    return start;
}

static enum MHD_Result
route(struct taxii_server *s, struct MHD_Connection *c, const char *url,
      const char *method, const struct user *u)
{
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    bool post = strcmp(method, "POST") == 0;
    bool del = strcmp(method, "DELETE") == 0;
    const char *p, *seg, *oid = NULL;
    const struct coll *col;
    struct query q;
    enum MHD_Result ok;
    enum page_kind kind;
    char idbuf[300];
    size_t n;

    if (strcmp(url, "/taxii2/") == 0 || strcmp(url, "/taxii2") == 0 ||
        strcmp(url, TAXII_API_ROOT) == 0 || strcmp(url, "/drpwatch") == 0 ||
        strcmp(url, TAXII_API_ROOT "collections/") == 0 ||
        strcmp(url, TAXII_API_ROOT "collections") == 0) {
        if (!get_ok(c, get, &ok))
            return ok;
        if (url[1] == 't')
            return discovery(s, c);
        if (strstr(url, "collections"))
            return collections(s, c, u);
        return api_root(s, c);
    }
    if (strncmp(url, TAXII_API_ROOT "collections/", 22) != 0)
        return send_error(c, MHD_HTTP_NOT_FOUND, "Not found",
                          "No such TAXII resource; discovery is at "
                          "/taxii2/.");
    p = url + 22;
    seg = segment(&p, &n);
    col = find_collection(s, seg, n);
    if (col == NULL)
        return send_error(c, MHD_HTTP_NOT_FOUND, "No such collection",
                          "The API root has no collection of that id.");
    seg = segment(&p, &n);
    if (n == 0 && *p == '\0') {
        if (!get_ok(c, get, &ok))
            return ok;
        return send_json(c, MHD_HTTP_OK, collection_json(col, u), NULL,
                         NULL);
    }
    if (n == 8 && strncmp(seg, "manifest", 8) == 0 &&
        (*p == '\0' || strcmp(p, "/") == 0))
        kind = PAGE_MANIFEST;
    else if (n == 7 && strncmp(seg, "objects", 7) == 0) {
        kind = PAGE_OBJECTS;
        seg = segment(&p, &n);
        if (n > 0) {
            if (n >= sizeof(idbuf))
                return send_error(c, MHD_HTTP_NOT_FOUND, "No such object",
                                  "That is not a STIX id.");
            memcpy(idbuf, seg, n);
            idbuf[n] = '\0';
            oid = idbuf;
            seg = segment(&p, &n);
            if (n == 8 && strncmp(seg, "versions", 8) == 0) {
                kind = PAGE_VERSIONS;
                seg = segment(&p, &n);
            }
            if (n != 0 || *p != '\0' || !id_valid(oid))
                return send_error(c, MHD_HTTP_NOT_FOUND, "Not found",
                                  "No such TAXII resource.");
        } else if (*p != '\0')
            return send_error(c, MHD_HTTP_NOT_FOUND, "Not found",
                              "No such TAXII resource.");
    } else
        return send_error(c, MHD_HTTP_NOT_FOUND, "Not found",
                          "No such TAXII resource.");
    if (!can_read(col->conf, u))
        return send_error(c, MHD_HTTP_FORBIDDEN, "Forbidden",
                          "You may not read this collection.");
    if (post || del) {
        const char *ct = MHD_lookup_connection_value(
            c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);

        if (post && kind == PAGE_OBJECTS && oid == NULL &&
            (ct == NULL || strncasecmp(ct, "application/taxii+json", 22)))
            return send_error(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                              "Unsupported media type",
                              "Objects are posted as " TAXII_MEDIA_TYPE
                              " (and this collection is read-only).");
        if ((post && kind == PAGE_OBJECTS && oid == NULL) ||
            (del && kind == PAGE_OBJECTS && oid != NULL))
            return send_error(c, MHD_HTTP_FORBIDDEN, "Read-only collection",
                              "This collection cannot be written "
                              "(can_write is false).");
    }
    if (!get_ok(c, get, &ok))
        return ok;
    memset(&q, 0, sizeof(q));
    q.spec_21 = true;
    q.limit = TAXII_PAGE_DEFAULT;
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, take_param, &q);
    if (q.error) {
        ok = send_error(c, MHD_HTTP_BAD_REQUEST, "Bad query parameter",
                        q.error);
        query_release(&q);
        return ok;
    }
    if (q.limit > s->conf->max_page)
        q.limit = s->conf->max_page;
    if (kind == PAGE_VERSIONS && q.limit < TAXII_MAX_MATCH)
        q.limit = TAXII_MAX_MATCH;
    ok = collection_page(s, c, col, &q, kind, oid);
    query_release(&q);
    return ok;
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url,
       const char *method, const char *version, const char *upload_data,
       size_t *upload_data_size, void **con_cls)
{
    struct taxii_server *s = cls;
    const struct user *u;

    (void)version;
    (void)upload_data;
    (void)upload_data_size;
    (void)con_cls;
    if (strlen(url) > TAXII_MAX_URL)
        return send_error(c, MHD_HTTP_URI_TOO_LONG, "URI too long",
                          "The request's path is too long.");
    u = authenticate(s, c);
    if (u == NULL)
        return send_error(c, MHD_HTTP_UNAUTHORIZED, "Unauthorized",
                          "Authenticate with HTTP Basic or a bearer "
                          "token.");
    log_debug("taxii: %s '%s' user='%s'", method, url, u->name);
    return route(s, c, url, method, u);
}

/* ---- start and stop ---- */

/* libmicrohttpd's own messages, into drpwatch's log. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    size_t n;

    (void)cls;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_debug("taxii: libmicrohttpd: %s", msg);
}

/* The first line of a secret file, printable, 1-SECRET_MAX bytes. */
static int
read_secret(const char *path, unsigned char hash[SHA256_DIGEST_LENGTH],
            struct buf *err)
{
    struct buf text = BUF_INIT(SECRET_MAX + 2);
    struct buf e = BUF_INIT(1024);
    const char *t;
    size_t n, i;
    int rc = -1;

    if (config_read_file(path, &text, &e) < 0) {
        buf_addf(err, "cannot read a TAXII user's secret: %s",
                 e.len ? buf_str(&e) : "larger than 1 KiB");
        goto out;
    }
    t = buf_str(&text);
    n = strcspn(t, "\r\n");
    for (i = 0; i < n; i++)
        if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
            break;
    if (n == 0 || i < n || n > SECRET_MAX) {
        buf_addf(err, "%s: a TAXII secret is one line of 1-%d printable "
                      "characters", path, SECRET_MAX);
        goto out;
    }
    sha256(t, n, hash);
    rc = 0;
out:
    if (text.ptr)
        explicit_bzero(text.ptr, text.len);
    buf_release(&text);
    buf_release(&e);
    return rc;
}

static char *
read_pem(const char *path, struct buf *err)
{
    struct buf text = BUF_INIT(1u << 20), e = BUF_INIT(1024);
    char *out = NULL;

    if (config_read_file(path, &text, &e) < 0)
        buf_addf(err, "cannot read the TLS file: %s",
                 e.len ? buf_str(&e) : "larger than 1 MiB");
    else
        out = xstrdup(buf_str(&text));
    buf_release(&text);
    buf_release(&e);
    return out;
}

/* ADDR:PORT into a socket address. */
static int
listen_addr(const char *listen, struct sockaddr_storage *ss, struct buf *err)
{
    const char *colon = strrchr(listen, ':');
    char host[64];
    long long port;
    size_t n;

    memset(ss, 0, sizeof(*ss));
    if (colon == NULL || !parse_ll(colon + 1, 0, 65535, &port))
        goto bad;
    n = (size_t)(colon - listen);
    if (n >= 2 && listen[0] == '[' && listen[n - 1] == ']' &&
        n - 2 < sizeof(host)) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

        memcpy(host, listen + 1, n - 2);
        host[n - 2] = '\0';
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((unsigned short)port);
        if (inet_pton(AF_INET6, host, &a->sin6_addr) == 1)
            return 0;
    } else if (n < sizeof(host)) {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;

        memcpy(host, listen, n);
        host[n] = '\0';
        a->sin_family = AF_INET;
        a->sin_port = htons((unsigned short)port);
        if (inet_pton(AF_INET, host, &a->sin_addr) == 1)
            return 0;
    }
bad:
    buf_addf(err, "listen address '%s' is not ADDR:PORT with a numeric "
                  "address (127.0.0.1:9443, [::1]:9443)", listen);
    return -1;
}

static void
default_collections(struct taxii_server *s)
{
    static const char *const levels[4][2] = {
        { "clear", "white" }, { "green", NULL }, { "amber", NULL },
        { "red", NULL },
    };
    size_t i;

    for (i = 0; i < 4; i++) {
        struct taxii_collection_conf *c = &s->defaults[i];

        c->alias = xasprintf("tlp-%s", levels[i][0]);
        c->title = xasprintf("TLP:%s indicators", i == 0   ? "CLEAR"
                                                  : i == 1 ? "GREEN"
                                                  : i == 2 ? "AMBER"
                                                           : "RED");
        c->tlp = xcalloc(3, sizeof(*c->tlp));
        c->tlp[c->ntlp++] = xstrdup(levels[i][0]);
        if (levels[i][1])
            c->tlp[c->ntlp++] = xstrdup(levels[i][1]);
    }
}

struct taxii_server *
taxii_start(const struct taxii_conf *conf, const char *listen, int threads,
            taxii_rows_fn *rows, void *rows_arg, struct buf *err)
{
    struct taxii_server *s = xcalloc(1, sizeof(*s));
    struct sockaddr_storage ss;
    const union MHD_DaemonInfo *info;
    unsigned int flags = MHD_USE_AUTO_INTERNAL_THREAD;
    size_t i;

    s->conf = conf;
    s->rows = rows;
    s->rows_arg = rows_arg;
    if (conf->nusers == 0) {
        buf_addf(err, "no TAXII users: declare taxii.users (with a "
                      "password_file or token_file each) and apply");
        goto fail;
    }
    s->users = xcalloc(conf->nusers, sizeof(*s->users));
    for (i = 0; i < conf->nusers; i++) {
        const struct taxii_user *u = &conf->users[i];

        s->users[i].name = u->name;
        s->users[i].bearer = u->token_file != NULL;
        if (read_secret(u->token_file ? u->token_file : u->password_file,
                        s->users[i].hash, err) < 0)
            goto fail;
        s->nusers++;
    }
    if (conf->ncollections == 0)
        default_collections(s);
    s->ncolls = conf->ncollections ? conf->ncollections : 4;
    s->colls = xcalloc(s->ncolls, sizeof(*s->colls));
    for (i = 0; i < s->ncolls; i++) {
        const struct taxii_collection_conf *cc =
            conf->ncollections ? &conf->collections[i] : &s->defaults[i];

        s->colls[i].conf = cc;
        stix_uuid5(ns_collection, cc->alias, strlen(cc->alias),
                   s->colls[i].id);
    }
    if (listen_addr(listen ? listen : conf->listen ? conf->listen
                                                   : "127.0.0.1:9443",
                    &ss, err) < 0)
        goto fail;
    if (conf->tls_cert) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            buf_addf(err, "this libmicrohttpd has no TLS support (GnuTLS): "
                          "install Debian's libmicrohttpd12, or serve "
                          "plain HTTP behind a TLS proxy");
            goto fail;
        }
        s->tls_cert = read_pem(conf->tls_cert, err);
        s->tls_key = s->tls_cert ? read_pem(conf->tls_key, err) : NULL;
        if (s->tls_key == NULL)
            goto fail;
        s->tls = true;
        flags |= MHD_USE_TLS;
    }
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    s->mhd = MHD_start_daemon(
        flags | MHD_USE_ERROR_LOG, 0, NULL, NULL, handle, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)(threads > 0 ? threads : 1),
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)conf->max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        s->tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, s->tls_key,
        MHD_OPTION_HTTPS_MEM_CERT, s->tls_cert, MHD_OPTION_END);
    if (s->mhd == NULL) {
        buf_addf(err, "cannot listen on '%s': the address is in use or "
                      "not this machine's, or the TLS files do not match",
                 listen ? listen : conf->listen ? conf->listen
                                                : "127.0.0.1:9443");
        goto fail;
    }
    info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : 0;
    return s;
fail:
    taxii_stop(s);
    return NULL;
}

int
taxii_port(const struct taxii_server *s)
{
    return s->port;
}

size_t
taxii_ncollections(const struct taxii_server *s)
{
    return s->ncolls;
}

void
taxii_stop(struct taxii_server *s)
{
    size_t i;

    if (s == NULL)
        return;
    if (s->mhd)
        MHD_stop_daemon(s->mhd);
    for (i = 0; i < 4; i++) {
        free(s->defaults[i].alias);
        free(s->defaults[i].title);
        if (s->defaults[i].tlp) {
            free(s->defaults[i].tlp[0]);
            free(s->defaults[i].tlp[1]);
        }
        free(s->defaults[i].tlp);
    }
    if (s->users)
        explicit_bzero(s->users, s->nusers * sizeof(*s->users));
    free(s->users);
    free(s->colls);
    free(s->tls_cert);
    if (s->tls_key)
        explicit_bzero(s->tls_key, strlen(s->tls_key));
    free(s->tls_key);
    free(s);
}
