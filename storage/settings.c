/*
 * The applied settings (table settings): what `drpwatch apply` read from
 * the YAML besides sources, terms, rules and channels, as key/value rows,
 * so that every command run later works with the same configuration.
 * One table below says how each key is written and read back, so that a
 * setting cannot be stored without being loaded again.
 */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/xalloc.h"
#include "storage/internal.h"
#include "storage/store.h"
#include "common/banned.h"

enum setting_type {
    SET_STR,   /* char *, NULL: no row */
    SET_INT,   /* int within [min, max] */
    SET_LONG,  /* long within [min, max] */
    SET_BOOL,  /* bool: "true"/"false" ("1" read as true too) */
    SET_LIST,  /* rdap.bootstrap: char ** and its count, a path a line */
    SET_TAXII, /* the taxii section as one JSON object */
};

struct setting {
    const char *key;
    enum setting_type type;
    size_t off; /* offsetof(struct config, ...) */
    long min, max;
};

#define STR(k, m) { k, SET_STR, offsetof(struct config, m), 0, 0 }
#define INT(k, m, lo, hi) { k, SET_INT, offsetof(struct config, m), lo, hi }
#define LONG(k, m, lo, hi) { k, SET_LONG, offsetof(struct config, m), lo, hi }
#define BOOL(k, m) { k, SET_BOOL, offsetof(struct config, m), 0, 0 }

static const struct setting settings[] = {
    STR("tor.proxy", tor_proxy),
    STR("tor.control", tor_control),
    STR("tor.control_password_file", tor_control_password_file),
    INT("tor.newnym_after", tor_newnym_after, 1, INT_MAX),
    STR("credentials.hash_key_file", hash_key_file),
    STR("benign_file", benign_file),
    STR("crawl.user_agent", crawl.user_agent),
    INT("crawl.concurrency", crawl.concurrency, 1, INT_MAX),
    INT("crawl.timeout", crawl.timeout, 1, INT_MAX),
    INT("crawl.onion_timeout", crawl.onion_timeout, 1, INT_MAX),
    LONG("crawl.max_body", crawl.max_body, 1, LONG_MAX),
    INT("crawl.max_redirects", crawl.max_redirects, 0, INT_MAX),
    INT("crawl.low_speed_time", crawl.low_speed_time, 1, INT_MAX),
    STR("misp.group", misp.group),
    INT("misp.distribution", misp.distribution, 0, 3),
    INT("misp.threat_level", misp.threat_level, 1, 4),
    INT("misp.to_ids_min_confidence", misp.to_ids_min, 0, 101),
    STR("misp.key_file", misp.key_file),
    INT("misp.retries", misp.retries, 0, 20),
    { "taxii", SET_TAXII, offsetof(struct config, taxii), 0, 0 },
    BOOL("lookalikes.enabled", lookalikes.enabled),
    INT("lookalikes.interval", lookalikes.interval, 1, INT_MAX),
    INT("lookalikes.retry", lookalikes.retry, 1, INT_MAX),
    INT("lookalikes.rate", lookalikes.rate, 0, INT_MAX),
    INT("lookalikes.max_inflight", lookalikes.max_inflight, 0, INT_MAX),
    INT("lookalikes.timeout", lookalikes.timeout_ms, 0, INT_MAX),
    INT("lookalikes.tries", lookalikes.tries, 0, INT_MAX),
    INT("lookalikes.http_port", lookalikes.http_port, 0, 65535),
    BOOL("lookalikes.fetch", lookalikes.fetch),
    BOOL("lookalikes.allow_private", lookalikes.allow_private),
    STR("lookalikes.fuzzers", lookalikes.fuzzers),
    STR("lookalikes.servers", lookalikes.servers),
    { "rdap.bootstrap", SET_LIST, offsetof(struct config, rdap), 0, 0 },
    STR("rdap.domain", rdap.domain),
    STR("rdap.ip", rdap.ip),
    INT("rdap.timeout", rdap.timeout, 1, INT_MAX),
    LONG("rdap.max_bytes", rdap.max_bytes, 1, LONG_MAX),
    BOOL("rdap.allow_private", rdap.allow_private),
    STR("takedown.requester", takedown.requester),
    STR("takedown.contact", takedown.contact),
    INT("takedown.recheck", takedown.recheck, 1, INT_MAX),
    INT("takedown.remind_after", takedown.remind_after, 1, INT_MAX),
    INT("takedown.unreachable_checks", takedown.unreachable_checks, 1,
        INT_MAX),
    STR("takedown.dns_servers", takedown.dns_servers),
};

#undef STR
#undef INT
#undef LONG
#undef BOOL

static json_t *
jlist(char **v, size_t n)
{
    json_t *a;
    size_t i;

    if (v == NULL)
        return json_null();
    a = json_array();
    for (i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

/* The taxii section as one JSON setting (NULL members stay out). */
static char *
taxii_setting(const struct taxii_conf *t)
{
    json_t *o = json_pack("{s:i, s:i, s:[], s:[]}", "max_page", t->max_page,
                          "max_connections", t->max_connections, "users",
                          "collections");
    json_t *users = json_object_get(o, "users");
    json_t *colls = json_object_get(o, "collections");
    char *text;
    size_t i;

#define SET(obj, k, v)                                                        \
    do {                                                                      \
        if (v)                                                                \
            json_object_set_new(obj, k, json_string(v));                      \
    } while (0)
    SET(o, "listen", t->listen);
    SET(o, "title", t->title);
    SET(o, "url", t->url);
    SET(o, "tls_cert", t->tls_cert);
    SET(o, "tls_key", t->tls_key);
    for (i = 0; i < t->nusers; i++) {
        json_t *u = json_object();

        SET(u, "name", t->users[i].name);
        SET(u, "password_file", t->users[i].password_file);
        SET(u, "token_file", t->users[i].token_file);
        json_array_append_new(users, u);
    }
    for (i = 0; i < t->ncollections; i++) {
        const struct taxii_collection_conf *c = &t->collections[i];
        json_t *j = json_object();

        SET(j, "alias", c->alias);
        SET(j, "title", c->title);
        SET(j, "description", c->description);
        json_object_set_new(j, "tlp", jlist(c->tlp, c->ntlp));
        json_object_set_new(j, "watch", jlist(c->watch, c->nwatch));
        json_object_set_new(j, "readers", jlist(c->readers, c->nreaders));
        json_array_append_new(colls, j);
    }
#undef SET
    text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

static char *
jdup(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));

    return v ? xstrdup(v) : NULL;
}

static char **
jlist_dup(json_t *o, const char *k, size_t *n)
{
    json_t *a = json_object_get(o, k), *e;
    char **v;
    size_t i;

    *n = 0;
    if (!json_is_array(a))
        return NULL;
    v = xcalloc(json_array_size(a) + 1, sizeof(*v));
    json_array_foreach(a, i, e)
        if (json_is_string(e))
            v[(*n)++] = xstrdup(json_string_value(e));
    return v;
}

/* The stored taxii setting back into t (as taxii_setting() wrote it). */
static void
load_taxii_setting(const char *text, struct taxii_conf *t)
{
    json_t *o = json_loads(text, 0, NULL), *e;
    json_int_t n;
    size_t i;

    if (o == NULL)
        return;
    config_taxii_release(t);
    t->listen = jdup(o, "listen");
    t->title = jdup(o, "title");
    t->url = jdup(o, "url");
    t->tls_cert = jdup(o, "tls_cert");
    t->tls_key = jdup(o, "tls_key");
    n = json_integer_value(json_object_get(o, "max_page"));
    if (n >= 1 && n <= TAXII_MAX_PAGE)
        t->max_page = (int)n;
    n = json_integer_value(json_object_get(o, "max_connections"));
    if (n >= 1 && n <= 10000)
        t->max_connections = (int)n;
    e = json_object_get(o, "users");
    t->users = xcalloc(json_array_size(e) + 1, sizeof(*t->users));
    for (i = 0; i < json_array_size(e); i++) {
        json_t *u = json_array_get(e, i);
        struct taxii_user *d = &t->users[t->nusers];

        d->name = jdup(u, "name");
        d->password_file = jdup(u, "password_file");
        d->token_file = jdup(u, "token_file");
        if (d->name)
            t->nusers++;
    }
    e = json_object_get(o, "collections");
    t->collections = xcalloc(json_array_size(e) + 1, sizeof(*t->collections));
    for (i = 0; i < json_array_size(e); i++) {
        json_t *j = json_array_get(e, i);
        struct taxii_collection_conf *c = &t->collections[t->ncollections];

        c->alias = jdup(j, "alias");
        c->title = jdup(j, "title");
        c->description = jdup(j, "description");
        c->tlp = jlist_dup(j, "tlp", &c->ntlp);
        c->watch = jlist_dup(j, "watch", &c->nwatch);
        c->readers = jlist_dup(j, "readers", &c->nreaders);
        if (c->alias)
            t->ncollections++;
    }
    json_decref(o);
}

/* The RDAP bootstrap files, a path a line (config.c refuses a path with a
   line break), into *text (NULL when there are none). */
static int
bootstrap_setting(const struct rdap_conf *r, char **text, struct buf *err)
{
    struct buf files = BUF_INIT(1u << 16);
    size_t i;

    *text = NULL;
    for (i = 0; i < r->nbootstrap; i++) {
        if (buf_addf(&files, "%s%s", i ? "\n" : "", r->bootstrap[i]) < 0) {
            buf_adds(err, "rdap.bootstrap: paths too long");
            buf_release(&files);
            return DRP_ETOOBIG;
        }
    }
    if (r->nbootstrap)
        *text = xstrdup(buf_str(&files));
    buf_release(&files);
    return 0;
}

static void
load_bootstrap_setting(const char *v, struct rdap_conf *r)
{
    const char *s = v, *nl;

    while (*s && r->nbootstrap < CONFIG_MAX_BOOTSTRAP) {
        nl = strchr(s, '\n');
        r->bootstrap = xreallocarray(r->bootstrap, r->nbootstrap + 1,
                                     sizeof(*r->bootstrap));
        r->bootstrap[r->nbootstrap++] =
            nl ? xstrndup(s, (size_t)(nl - s)) : xstrdup(s);
        s = nl ? nl + 1 : s + strlen(s);
    }
}

/*
 * The text of setting s of cfg into *v (NULL: no row), in num or in
 * *owned (allocated). Returns 0 or DRP_ETOOBIG.
 */
static int
setting_text(const struct setting *s, const struct config *cfg,
             char num[static 24], char **owned, const char **v,
             struct buf *err)
{
    const char *at = (const char *)cfg + s->off;
    int rc = 0;

    *owned = NULL;
    *v = NULL;
    switch (s->type) {
    case SET_STR:
        *v = *(char *const *)(const void *)at;
        break;
    case SET_INT:
        snprintf(num, 24, "%d", *(const int *)(const void *)at);
        *v = num;
        break;
    case SET_LONG:
        snprintf(num, 24, "%ld", *(const long *)(const void *)at);
        *v = num;
        break;
    case SET_BOOL:
        *v = *(const bool *)(const void *)at ? "true" : "false";
        break;
    case SET_LIST:
        rc = bootstrap_setting((const struct rdap_conf *)(const void *)at,
                               owned, err);
        *v = *owned;
        break;
    case SET_TAXII:
        *owned = taxii_setting((const struct taxii_conf *)(const void *)at);
        *v = *owned;
        break;
    }
    return rc;
}

json_t *
store_settings_rows(const struct config *cfg, struct buf *err)
{
    json_t *rows = json_object();
    size_t i;
    int rc = 0;

    for (i = 0; i < sizeof(settings) / sizeof(settings[0]) && rc == 0; i++) {
        char num[24], *owned;
        const char *v;

        rc = setting_text(&settings[i], cfg, num, &owned, &v, err);
        if (rc == 0 && v != NULL)
            json_object_set_new(rows, settings[i].key, json_string(v));
        free(owned);
    }
    if (rc < 0) {
        json_decref(rows);
        return NULL;
    }
    return rows;
}

int
store_put_settings(struct db *db, const struct config *cfg, struct buf *err)
{
    json_t *rows = store_settings_rows(cfg, err), *v;
    const char *k;
    int rc;

    if (rows == NULL)
        return DRP_ETOOBIG;
    rc = db_exec(db, "DELETE FROM settings", 0, NULL, err);
    json_object_foreach(rows, k, v) {
        const char *p[2] = { k, json_string_value(v) };

        if (rc == 0)
            rc = db_exec(db,
                         "INSERT INTO settings (key, value) VALUES ($1, $2)",
                         2, p, err);
    }
    json_decref(rows);
    return rc;
}

/* A stored number within [min, max]; false for anything else. */
static bool
setting_number(const struct setting *s, const char *v, long *n)
{
    char *end;

    *n = strtol(v, &end, 10);
    return end != v && *end == '\0' && *n >= s->min && *n <= s->max;
}

void
store_setting_load(struct config *cfg, const char *k, const char *v)
{
    const struct setting *s = NULL;
    char *at;
    size_t i;
    long n;

    for (i = 0; i < sizeof(settings) / sizeof(settings[0]) && !s; i++)
        if (!strcmp(settings[i].key, k))
            s = &settings[i];
    if (s == NULL)
        return;
    at = (char *)cfg + s->off;
    switch (s->type) {
    case SET_STR:
        free(*(char **)(void *)at);
        *(char **)(void *)at = xstrdup(v);
        break;
    case SET_INT:
        if (setting_number(s, v, &n))
            *(int *)(void *)at = (int)n;
        break;
    case SET_LONG:
        if (setting_number(s, v, &n))
            *(long *)(void *)at = n;
        break;
    case SET_BOOL:
        *(bool *)(void *)at = !strcmp(v, "true") || !strcmp(v, "1");
        break;
    case SET_LIST:
        load_bootstrap_setting(v, (struct rdap_conf *)(void *)at);
        break;
    case SET_TAXII:
        load_taxii_setting(v, (struct taxii_conf *)(void *)at);
        break;
    }
}

int
store_load_settings(struct db *db, struct config *cfg, struct buf *err)
{
    PGresult *r;
    int i;

    r = db_query(db, "SELECT key, value FROM settings", 0, NULL, err);
    if (r == NULL)
        return DRP_EDB;
    for (i = 0; i < PQntuples(r); i++)
        store_setting_load(cfg, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
    PQclear(r);
    return 0;
}
