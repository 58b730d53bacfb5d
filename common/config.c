/*
 * Loads drpwatch.yaml with libyaml's document API and validates it against
 * the schema below. Every error carries file:line:col. Does not touch the
 * database: cli/apply.c hands the result to storage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "common/ascii.h"
#include "common/config.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "common/banned.h"

static const char *watch_kinds[] = {
    "brand", "product", "executive", "domain", "email_domain",
    "ip_range", "card_bin", "canary", NULL,
};
static const char *source_kinds[] = { "forum", "paste", "site", "feed", NULL };
static const char *engines[] = { "phpbb", "xenforo", "vbulletin", "discourse",
                                 NULL };
static const char *priorities[] = { "low", "medium", "high", "critical", NULL };
static const char *severities[] = { "info", "low", "medium", "high",
                                    "critical", NULL };
static const char *channel_types[] = { "webhook", "email", "syslog", NULL };
/* RFC 5424's facility names, in code order (0-23). */
static const char *facilities[] = {
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
    "uucp", "cron", "authpriv", "ftp", "ntp", "audit", "alert", "clock",
    "local0", "local1", "local2", "local3", "local4", "local5", "local6",
    "local7", NULL,
};

struct loader {
    const char *path;
    yaml_document_t doc;
    struct buf *err;
};

static bool
in_list(const char *s, const char **list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

bool
config_watch_kind_valid(const char *kind)
{
    return in_list(kind, watch_kinds);
}

bool
config_source_kind_valid(const char *kind)
{
    return in_list(kind, source_kinds);
}

bool
config_engine_valid(const char *engine)
{
    return in_list(engine, engines);
}

void
config_source_release(struct source_conf *s)
{
    struct adapter_conf *a = &s->adapter;

    free(s->name);
    free(s->kind);
    free(s->url);
    free(s->charset);
    free(s->cookie_file);
    free(s->session_marker);
    free(a->engine);
    free(a->boards);
    free(a->threads);
    free(a->thread_link);
    free(a->marker);
    free(a->next);
    free(a->pastes);
    free(a->paste_id);
    free(a->raw);
    memset(s, 0, sizeof(*s));
}

bool
config_severity_valid(const char *s)
{
    return in_list(s, severities);
}

int
config_facility_code(const char *name)
{
    int i;

    for (i = 0; facilities[i]; i++)
        if (strcmp(name, facilities[i]) == 0)
            return i;
    return -1;
}

void
config_channel_init(struct notify_channel *ch)
{
    memset(ch, 0, sizeof(*ch));
    ch->digest_at = NOTIFY_DIGEST_AT_DEFAULT;
    ch->max_attempts = NOTIFY_MAX_ATTEMPTS_DEFAULT;
    ch->retry_ms = NOTIFY_RETRY_MS_DEFAULT;
    ch->timeout = NOTIFY_TIMEOUT_DEFAULT;
}

static void
free_list(char **v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void
config_channel_release(struct notify_channel *ch)
{
    free(ch->name);
    free(ch->type);
    free_list(ch->kinds, ch->nkinds);
    free(ch->min_severity);
    free(ch->url);
    free(ch->format);
    free(ch->from);
    free_list(ch->to, ch->nto);
    free(ch->username);
    free(ch->password_file);
    free(ch->address);
    free(ch->facility);
    memset(ch, 0, sizeof(*ch));
}

void
config_init(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->crawl.concurrency = 8;
    cfg->crawl.timeout = 30;
    cfg->crawl.onion_timeout = 90;
    cfg->crawl.low_speed_time = 30;
    cfg->tor_newnym_after = 5;
    cfg->misp.threat_level = 2;
    cfg->misp.to_ids_min = 70;
    cfg->misp.retries = 5;
    cfg->taxii.max_page = TAXII_MAX_PAGE;
    cfg->taxii.max_connections = TAXII_CONNECTIONS_DEFAULT;
    cfg->crawl.max_body = 8L << 20;
    cfg->crawl.max_redirects = 5;
    cfg->rdap.timeout = 15;
    cfg->rdap.max_bytes = 1L << 20;
    cfg->takedown.recheck = 6 * 3600;
    cfg->takedown.remind_after = 72 * 3600;
    cfg->takedown.unreachable_checks = 3;
    cfg->lookalikes.interval = LOOKALIKE_INTERVAL_DEFAULT;
    cfg->lookalikes.retry = LOOKALIKE_RETRY_DEFAULT;
    cfg->lookalikes.fetch = true;
}

void
config_release(struct config *cfg)
{
    size_t i;

    for (i = 0; i < cfg->nterms; i++) {
        free(cfg->terms[i].kind);
        free(cfg->terms[i].value);
        free(cfg->terms[i].priority);
        free(cfg->terms[i].consumers);
    }
    for (i = 0; i < cfg->nsources; i++)
        config_source_release(&cfg->sources[i]);
    for (i = 0; i < cfg->alerts.nallow; i++)
        free(cfg->alerts.allow[i]);
    for (i = 0; i < cfg->alerts.nsuppress; i++) {
        free(cfg->alerts.suppress[i].kind);
        free(cfg->alerts.suppress[i].source);
        free(cfg->alerts.suppress[i].match);
    }
    free(cfg->alerts.allow);
    free(cfg->alerts.suppress);
    free(cfg->misp.group);
    free(cfg->misp.key_file);
    config_taxii_release(&cfg->taxii);
    for (i = 0; i < cfg->nchannels; i++)
        config_channel_release(&cfg->channels[i]);
    for (i = 0; i < cfg->rdap.nbootstrap; i++)
        free(cfg->rdap.bootstrap[i]);
    free(cfg->rdap.bootstrap);
    free(cfg->rdap.domain);
    free(cfg->rdap.ip);
    free(cfg->takedown.requester);
    free(cfg->takedown.contact);
    free(cfg->takedown.dns_servers);
    free(cfg->terms);
    free(cfg->sources);
    free(cfg->channels);
    free(cfg->path);
    free(cfg->tor_proxy);
    free(cfg->tor_control);
    free(cfg->tor_control_password_file);
    free(cfg->hash_key_file);
    free(cfg->benign_file);
    free(cfg->crawl.user_agent);
    free(cfg->lookalikes.fuzzers);
    free(cfg->lookalikes.servers);
    config_init(cfg);
}

static int
fail(struct loader *ld, const yaml_node_t *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct loader *ld, const yaml_node_t *node, const char *fmt, ...)
{
    va_list ap;

    buf_reset(ld->err);
    if (node)
        buf_addf(ld->err, "%s:%zu:%zu: ", ld->path, node->start_mark.line + 1,
                 node->start_mark.column + 1);
    else
        buf_addf(ld->err, "%s: ", ld->path);
    va_start(ap, fmt);
    buf_vaddf(ld->err, fmt, ap);
    va_end(ap);
    return DRP_ECONFIG;
}

static const char *
scalar(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static int
want_scalar(struct loader *ld, const yaml_node_t *n, const char *what,
            const char **out)
{
    if (n->type != YAML_SCALAR_NODE)
        return fail(ld, n, "'%s' must be a single value, not a %s", what,
                    n->type == YAML_MAPPING_NODE ? "mapping" : "list");
    *out = scalar(n);
    return 0;
}

static int
get_str(struct loader *ld, const yaml_node_t *n, const char *what, char **out)
{
    const char *s = NULL;
    int rc = want_scalar(ld, n, what, &s);

    if (rc < 0)
        return rc;
    if (*s == '\0')
        return fail(ld, n, "'%s' must not be empty", what);
    free(*out);
    *out = xstrdup(s);
    return 0;
}

static int
get_int(struct loader *ld, const yaml_node_t *n, const char *what, long lo,
        long hi, long *out)
{
    const char *s = NULL;
    char *end;
    long v;
    int rc = want_scalar(ld, n, what, &s);

    if (rc < 0)
        return rc;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0')
        return fail(ld, n, "'%s' must be a whole number, got '%s'", what, s);
    if (v < lo || v > hi)
        return fail(ld, n, "'%s' must be between %ld and %ld, got %ld", what,
                    lo, hi, v);
    *out = v;
    return 0;
}

static int
get_bool(struct loader *ld, const yaml_node_t *n, const char *what, bool *out)
{
    const char *s = NULL;
    int rc = want_scalar(ld, n, what, &s);

    if (rc < 0)
        return rc;
    if (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on")) {
        *out = true;
        return 0;
    }
    if (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off")) {
        *out = false;
        return 0;
    }
    return fail(ld, n, "'%s' must be true or false, got '%s'", what, s);
}

static int
want_kind(struct loader *ld, const yaml_node_t *n, yaml_node_type_t type,
          const char *what)
{
    if (n->type == type)
        return 0;
    return fail(ld, n, "'%s' must be a %s", what,
                type == YAML_MAPPING_NODE ? "mapping of keys to values"
                                          : "list");
}

/* Calls fn for every key/value of a mapping. */
typedef int (*pair_fn)(struct loader *ld, const char *key,
                       const yaml_node_t *key_node, yaml_node_t *val,
                       void *arg);

static int
each_pair(struct loader *ld, yaml_node_t *map, const char *what, pair_fn fn,
          void *arg)
{
    yaml_node_pair_t *p;
    int rc;

    rc = want_kind(ld, map, YAML_MAPPING_NODE, what);
    if (rc < 0)
        return rc;
    for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(&ld->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(&ld->doc, p->value);

        if (k->type != YAML_SCALAR_NODE)
            return fail(ld, k, "keys in '%s' must be plain words", what);
        rc = fn(ld, scalar(k), k, v, arg);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int
unknown(struct loader *ld, const yaml_node_t *k, const char *key,
        const char *where, const char *expected)
{
    return fail(ld, k, "unknown key '%s' in %s (expected one of: %s)", key,
                where, expected);
}

static int get_path(struct loader *ld, const yaml_node_t *v, const char *what,
                    char **out);

static int
tor_pair(struct loader *ld, const char *key, const yaml_node_t *k,
         yaml_node_t *v, void *arg)
{
    struct config *cfg = arg;
    int rc;

    if (!strcmp(key, "control")) {
        rc = get_str(ld, v, "tor.control", &cfg->tor_control);
        if (rc == 0 && (strchr(cfg->tor_control, ':') == NULL ||
                        strstr(cfg->tor_control, "://") != NULL))
            return fail(ld, v, "'tor.control' must be host:port (Tor's "
                               "ControlPort), got '%s'", cfg->tor_control);
        return rc;
    }
    if (!strcmp(key, "control_password_file"))
        return get_path(ld, v, "tor.control_password_file",
                        &cfg->tor_control_password_file);
    if (!strcmp(key, "newnym_after")) {
        long n;

        rc = get_int(ld, v, "tor.newnym_after", 1, 1000, &n);
        cfg->tor_newnym_after = (int)n;
        return rc;
    }
    if (strcmp(key, "proxy") != 0)
        return unknown(ld, k, key, "'tor'",
                       "proxy, control, control_password_file, "
                       "newnym_after");
    rc = get_str(ld, v, "tor.proxy", &cfg->tor_proxy);
    if (rc < 0)
        return rc;
    if (strncmp(cfg->tor_proxy, "socks5h://", 10) != 0)
        return fail(ld, v,
                    "'tor.proxy' must be a socks5h:// URL so that Tor "
                    "resolves names, got '%s'", cfg->tor_proxy);
    return 0;
}

static int
crawl_pair(struct loader *ld, const char *key, const yaml_node_t *k,
           yaml_node_t *v, void *arg)
{
    struct crawl_conf *c = arg;
    long n;
    int rc;

    if (!strcmp(key, "user_agent"))
        return get_str(ld, v, "crawl.user_agent", &c->user_agent);
    if (!strcmp(key, "concurrency")) {
        rc = get_int(ld, v, "crawl.concurrency", 1, 1000, &n);
        c->concurrency = (int)n;
    } else if (!strcmp(key, "timeout")) {
        rc = get_int(ld, v, "crawl.timeout", 1, 3600, &n);
        c->timeout = (int)n;
    } else if (!strcmp(key, "onion_timeout")) {
        rc = get_int(ld, v, "crawl.onion_timeout", 1, 3600, &n);
        c->onion_timeout = (int)n;
    } else if (!strcmp(key, "low_speed_time")) {
        rc = get_int(ld, v, "crawl.low_speed_time", 1, 3600, &n);
        c->low_speed_time = (int)n;
    } else if (!strcmp(key, "max_body")) {
        rc = get_int(ld, v, "crawl.max_body", 1024, 1L << 30, &n);
        c->max_body = n;
    } else if (!strcmp(key, "max_redirects")) {
        rc = get_int(ld, v, "crawl.max_redirects", 0, 20, &n);
        c->max_redirects = (int)n;
    } else {
        return unknown(ld, k, key, "'crawl'",
                       "concurrency, timeout, onion_timeout, low_speed_time, "
                       "max_body, "
                       "max_redirects, user_agent");
    }
    return rc;
}

static int
credentials_pair(struct loader *ld, const char *key, const yaml_node_t *k,
                 yaml_node_t *v, void *arg)
{
    struct config *cfg = arg;

    if (strcmp(key, "hash_key_file") != 0)
        return unknown(ld, k, key, "'credentials'", "hash_key_file");
    return get_str(ld, v, "credentials.hash_key_file", &cfg->hash_key_file);
}

static int
term_pair(struct loader *ld, const char *key, const yaml_node_t *k,
          yaml_node_t *v, void *arg)
{
    struct watch_term *t = arg;
    int rc;

    if (!strcmp(key, "kind")) {
        rc = get_str(ld, v, "kind", &t->kind);
        if (rc == 0 && !config_watch_kind_valid(t->kind))
            return fail(ld, v,
                        "unknown watch-term kind '%s' (expected one of: "
                        "brand, product, executive, domain, email_domain, "
                        "ip_range, card_bin, canary)", t->kind);
        return rc;
    }
    if (!strcmp(key, "value"))
        return get_str(ld, v, "value", &t->value);
    if (!strcmp(key, "priority")) {
        rc = get_str(ld, v, "priority", &t->priority);
        if (rc == 0 && !in_list(t->priority, priorities))
            return fail(ld, v,
                        "unknown priority '%s' (expected one of: low, "
                        "medium, high, critical)", t->priority);
        return rc;
    }
    if (!strcmp(key, "consumers"))
        return get_str(ld, v, "consumers", &t->consumers);
    return unknown(ld, k, key, "a watchlist entry",
                   "kind, value, priority, consumers");
}

/*
 * A number 0-100, or an Admiralty letter: A completely reliable (100),
 * B usually (80), C fairly (60), D not usually (40), E unreliable (20),
 * F cannot be judged (50, the default).
 */
static int
get_reliability(struct loader *ld, const yaml_node_t *v, int *out)
{
    static const int letters[] = { 100, 80, 60, 40, 20, 50 };
    const char *s = NULL;
    long n;
    int rc = want_scalar(ld, v, "reliability", &s);

    if (rc < 0)
        return rc;
    if (s[0] >= 'A' && s[0] <= 'F' && s[1] == '\0') {
        *out = letters[s[0] - 'A'];
        return 0;
    }
    if (s[0] < '0' || s[0] > '9')
        return fail(ld, v,
                    "'reliability' must be a number 0-100 or an Admiralty "
                    "letter A-F, got '%s'", s);
    rc = get_int(ld, v, "reliability", 0, 100, &n);
    if (rc == 0)
        *out = (int)n;
    return rc;
}

/*
 * A file the configuration names (the operator's known-benign list, a
 * session cookie): made absolute against the YAML file's directory
 * (drpwatch run reads it later, from anywhere), and readable now so that
 * a typo stops apply. Its content is checked by its reader.
 */
static int
get_path(struct loader *ld, const yaml_node_t *v, const char *what,
         char **out)
{
    const char *slash;
    char *path = NULL;
    FILE *f;
    int rc = get_str(ld, v, what, &path);

    if (rc < 0)
        return rc;
    slash = strrchr(ld->path, '/');
    if (path[0] != '/' && slash != NULL) {
        char *abs = xasprintf("%.*s/%s", (int)(slash - ld->path), ld->path,
                              path);

        free(path);
        path = abs;
    }
    f = fopen(path, "rb");
    if (f == NULL) {
        rc = fail(ld, v, "cannot read %s '%s': %s", what, path,
                  strerror(errno));
        free(path);
        return rc;
    }
    fclose(f);
    free(*out);
    *out = path;
    return 0;
}

/* Seconds with up to three decimals ("1.5"), 0-3600, as milliseconds. */
static int
get_delay(struct loader *ld, const yaml_node_t *v, int *out)
{
    const char *s = NULL;
    char *end;
    double d;
    int rc = want_scalar(ld, v, "delay", &s);

    if (rc < 0)
        return rc;
    errno = 0;
    d = strtod(s, &end);
    if (errno || end == s || *end != '\0' || !(d >= 0 && d <= 3600))
        return fail(ld, v, "'delay' must be a number of seconds 0-3600, "
                           "got '%s'", s);
    *out = (int)(d * 1000 + 0.5);
    return 0;
}

static int
adapter_pair(struct loader *ld, const char *key, const yaml_node_t *k,
             yaml_node_t *v, void *arg)
{
    struct adapter_conf *a = arg;
    static const struct {
        const char *key;
        size_t off;
    } sel[] = {
        { "boards", offsetof(struct adapter_conf, boards) },
        { "threads", offsetof(struct adapter_conf, threads) },
        { "thread_link", offsetof(struct adapter_conf, thread_link) },
        { "marker", offsetof(struct adapter_conf, marker) },
        { "next", offsetof(struct adapter_conf, next) },
        { "pastes", offsetof(struct adapter_conf, pastes) },
        { "paste_id", offsetof(struct adapter_conf, paste_id) },
        { "raw", offsetof(struct adapter_conf, raw) },
    };
    size_t i;
    int rc;

    if (!strcmp(key, "engine")) {
        rc = get_str(ld, v, "adapter.engine", &a->engine);
        if (rc == 0 && !config_engine_valid(a->engine))
            return fail(ld, v, "unknown forum engine '%s' (expected one "
                               "of: phpbb, xenforo, vbulletin, discourse)",
                        a->engine);
        return rc;
    }
    for (i = 0; i < sizeof(sel) / sizeof(sel[0]); i++)
        if (!strcmp(key, sel[i].key))
            return get_str(ld, v, sel[i].key,
                           (char **)((char *)a + sel[i].off));
    return unknown(ld, k, key, "'adapter'",
                   "engine, boards, threads, thread_link, marker, next, "
                   "pastes, paste_id, raw");
}

static int
source_pair(struct loader *ld, const char *key, const yaml_node_t *k,
            yaml_node_t *v, void *arg)
{
    struct source_conf *s = arg;
    long n;
    int rc;

    if (!strcmp(key, "name"))
        return get_str(ld, v, "name", &s->name);
    if (!strcmp(key, "url"))
        return get_str(ld, v, "url", &s->url);
    if (!strcmp(key, "kind")) {
        rc = get_str(ld, v, "kind", &s->kind);
        if (rc == 0 && !config_source_kind_valid(s->kind))
            return fail(ld, v,
                        "unknown source kind '%s' (expected one of: forum, "
                        "paste, site, feed)", s->kind);
        return rc;
    }
    if (!strcmp(key, "reliability"))
        return get_reliability(ld, v, &s->reliability);
    if (!strcmp(key, "tor"))
        return get_bool(ld, v, "tor", &s->tor);
    if (!strcmp(key, "allow_private"))
        return get_bool(ld, v, "allow_private", &s->allow_private);
    if (!strcmp(key, "enabled"))
        return get_bool(ld, v, "enabled", &s->enabled);
    if (!strcmp(key, "max_depth")) {
        rc = get_int(ld, v, "max_depth", 0, 20, &n);
        s->max_depth = (int)n;
        return rc;
    }
    if (!strcmp(key, "max_pages")) {
        rc = get_int(ld, v, "max_pages", 1, 1000000, &n);
        s->max_pages = (int)n;
        return rc;
    }
    if (!strcmp(key, "interval")) {
        rc = get_int(ld, v, "interval", 60, 86400 * 30, &n);
        s->interval = (int)n;
        return rc;
    }
    if (!strcmp(key, "robots"))
        return get_bool(ld, v, "robots", &s->robots);
    if (!strcmp(key, "delay"))
        return get_delay(ld, v, &s->delay_ms);
    if (!strcmp(key, "charset"))
        return get_str(ld, v, "charset", &s->charset);
    if (!strcmp(key, "cookie_file"))
        return get_path(ld, v, "cookie_file", &s->cookie_file);
    if (!strcmp(key, "session_expired"))
        return get_str(ld, v, "session_expired", &s->session_marker);
    if (!strcmp(key, "adapter"))
        return each_pair(ld, v, "adapter", adapter_pair, &s->adapter);
    return unknown(ld, k, key, "a source",
                   "name, kind, url, tor, allow_private, enabled, max_depth, "
                   "max_pages, interval, reliability, robots, delay, "
                   "charset, cookie_file, session_expired, adapter");
}

/* "192.0.2.0/24", "2001:db8::/32", "192.0.2.7": host bits zero. */
static bool
ip_range_valid(const char *s)
{
    unsigned char a[16];
    char addr[INET6_ADDRSTRLEN];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s), i, bytes;
    long bits;
    char *end;
    int af;

    if (n == 0 || n >= sizeof(addr))
        return false;
    memcpy(addr, s, n);
    addr[n] = '\0';
    af = strchr(addr, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(af, addr, a) != 1)
        return false;
    bytes = af == AF_INET ? 4 : 16;
    if (slash == NULL)
        return true;
    errno = 0;
    bits = strtol(slash + 1, &end, 10);
    if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || errno != 0 ||
        bits < 0 || bits > (long)(8 * bytes))
        return false;
    for (i = 0; i < bytes; i++) {
        long have = bits - 8 * (long)i; /* prefix bits in this byte */
        unsigned int host = have >= 8 ? 0 : have <= 0 ? 0xffu : 0xffu >> have;

        if (a[i] & host)
            return false;
    }
    return true;
}

/* A watchlist entry and where it was written, for the duplicate check. */
struct term_at {
    const struct watch_term *t;
    const yaml_node_t *node;
    size_t i;
};

static int
cmp_term(const struct watch_term *x, const struct watch_term *y)
{
    int c = strcmp(x->kind, y->kind);

    return c != 0 ? c : strcmp(x->value, y->value);
}

static int
cmp_term_at(const void *a, const void *b)
{
    const struct term_at *x = a, *y = b;
    int c = cmp_term(x->t, y->t);

    return c != 0 ? c : (x->i > y->i) - (x->i < y->i);
}

/*
 * Fails on the second of two identical entries. Sorted, not compared
 * pairwise: a watchlist of CONFIG_MAX_TERMS entries would take 50 million
 * comparisons.
 */
static int
check_duplicates(struct loader *ld, const struct config *cfg,
                 struct term_at *at)
{
    const struct term_at *dup = NULL;
    size_t i;

    if (cfg->nterms < 2)
        return 0;
    qsort(at, cfg->nterms, sizeof(*at), cmp_term_at);
    for (i = 1; i < cfg->nterms; i++)
        if (cmp_term(at[i - 1].t, at[i].t) == 0 &&
            (dup == NULL || at[i].i < dup->i))
            dup = &at[i]; /* the first repeat in the file */
    if (dup == NULL)
        return 0;
    return fail(ld, dup->node, "watchlist entry %s '%s' is listed twice",
                dup->t->kind, dup->t->value);
}

static int
load_terms(struct loader *ld, struct config *cfg, yaml_node_t *list)
{
    yaml_node_item_t *it;
    struct term_at *at = NULL;
    size_t i;
    int rc = want_kind(ld, list, YAML_SEQUENCE_NODE, "watchlist");

    if (rc < 0)
        return rc;
    for (it = list->data.sequence.items.start;
         it < list->data.sequence.items.top; it++) {
        yaml_node_t *n = yaml_document_get_node(&ld->doc, *it);
        struct watch_term *t;

        if (cfg->nterms >= CONFIG_MAX_TERMS) {
            rc = fail(ld, n, "more than %d watchlist entries",
                      CONFIG_MAX_TERMS);
            goto out;
        }
        cfg->terms = xreallocarray(cfg->terms, cfg->nterms + 1,
                                   sizeof(*cfg->terms));
        t = &cfg->terms[cfg->nterms++];
        memset(t, 0, sizeof(*t));
        rc = each_pair(ld, n, "watchlist entry", term_pair, t);
        if (rc < 0)
            goto out;
        if (!t->kind || !t->value) {
            rc = fail(ld, n, "watchlist entry needs both 'kind' and "
                             "'value'");
            goto out;
        }
        if (!strcmp(t->kind, "ip_range") && !ip_range_valid(t->value)) {
            rc = fail(ld, n, "ip_range '%s' must be an IPv4 or IPv6 "
                             "address or CIDR range with its host bits "
                             "zero, like 192.0.2.0/24 or 2001:db8::/32",
                      t->value);
            goto out;
        }
        if (!t->priority)
            t->priority = xstrdup("medium");
        at = xreallocarray(at, cfg->nterms, sizeof(*at));
        at[cfg->nterms - 1].node = n;
    }
    /* terms may have moved as the array grew: point at them last */
    for (i = 0; i < cfg->nterms; i++) {
        at[i].t = &cfg->terms[i];
        at[i].i = i;
    }
    rc = check_duplicates(ld, cfg, at);
out:
    x_free(at);
    return rc;
}

/* Whether the authority of an http(s) URL has "user[:pass]@". */
static bool
has_userinfo(const char *url)
{
    const char *auth = strstr(url, "://");
    size_t n;

    if (auth == NULL)
        return false;
    auth += 3;
    n = strcspn(auth, "/?#");
    return memchr(auth, '@', n) != NULL;
}

static int
load_sources(struct loader *ld, struct config *cfg, yaml_node_t *list)
{
    yaml_node_item_t *it;
    size_t i;
    int rc = want_kind(ld, list, YAML_SEQUENCE_NODE, "sources");

    if (rc < 0)
        return rc;
    for (it = list->data.sequence.items.start;
         it < list->data.sequence.items.top; it++) {
        yaml_node_t *n = yaml_document_get_node(&ld->doc, *it);
        struct source_conf *s;

        if (cfg->nsources >= CONFIG_MAX_SOURCES)
            return fail(ld, n, "more than %d sources", CONFIG_MAX_SOURCES);
        cfg->sources = xreallocarray(cfg->sources, cfg->nsources + 1,
                                     sizeof(*cfg->sources));
        s = &cfg->sources[cfg->nsources++];
        memset(s, 0, sizeof(*s));
        s->max_depth = 2;
        s->max_pages = 1000;
        s->interval = 3600;
        s->enabled = true;
        s->reliability = CONFIG_RELIABILITY_DEFAULT;
        s->robots = true;
        rc = each_pair(ld, n, "source", source_pair, s);
        if (rc < 0)
            return rc;
        if (!s->name || !s->kind || !s->url)
            return fail(ld, n, "source needs 'name', 'kind' and 'url'");
        if (strncmp(s->url, "http://", 7) != 0 &&
            strncmp(s->url, "https://", 8) != 0)
            return fail(ld, n, "source '%s': url must start with http:// or "
                               "https://, got '%s'", s->name, s->url);
        if (has_userinfo(s->url))
            return fail(ld, n, "source '%s': url must not carry a user "
                               "name or password", s->name);
        for (i = 0; i + 1 < cfg->nsources; i++)
            if (!strcmp(cfg->sources[i].name, s->name))
                return fail(ld, n, "source name '%s' is used twice", s->name);
    }
    return 0;
}

static const char *alert_kinds[] = {
    "credential-leak", "brand-mention", "lookalike-domain", "impersonation",
    "secret-leak", "card-leak", "own-asset-listed", "canary", NULL,
};

bool
config_alert_kind_valid(const char *kind)
{
    return in_list(kind, alert_kinds);
}

static int
rule_pair(struct loader *ld, const char *key, const yaml_node_t *k,
          yaml_node_t *v, void *arg)
{
    struct alert_rule *r = arg;
    int rc;

    if (!strcmp(key, "kind")) {
        rc = get_str(ld, v, "suppress.kind", &r->kind);
        if (rc == 0 && !config_alert_kind_valid(r->kind))
            rc = fail(ld, v, "unknown alert kind '%s' (credential-leak, "
                             "brand-mention, lookalike-domain, "
                             "impersonation, secret-leak, card-leak, "
                             "own-asset-listed, canary)", r->kind);
        return rc;
    }
    if (!strcmp(key, "source"))
        return get_str(ld, v, "suppress.source", &r->source);
    if (!strcmp(key, "match"))
        return get_str(ld, v, "suppress.match", &r->match);
    return unknown(ld, k, key, "a suppression rule", "kind, source, match");
}

static int
alerts_pair(struct loader *ld, const char *key, const yaml_node_t *k,
            yaml_node_t *v, void *arg)
{
    struct alerts_conf *ac = arg;
    yaml_node_item_t *it;
    int rc;

    if (strcmp(key, "allowlist") != 0 && strcmp(key, "suppress") != 0)
        return unknown(ld, k, key, "'alerts'", "allowlist, suppress");
    rc = want_kind(ld, v, YAML_SEQUENCE_NODE, key);
    if (rc < 0)
        return rc;
    for (it = v->data.sequence.items.start; it < v->data.sequence.items.top;
         it++) {
        yaml_node_t *n = yaml_document_get_node(&ld->doc, *it);
        struct alert_rule *r;
        char *e = NULL, *c;

        if (ac->nallow + ac->nsuppress >= CONFIG_MAX_TERMS)
            return fail(ld, n, "more than %d allowlist entries and "
                               "suppression rules", CONFIG_MAX_TERMS);
        if (key[0] == 'a') {
            rc = get_str(ld, n, "allowlist entry", &e);
            if (rc < 0)
                return rc;
            if (*e == '\0') {
                free(e);
                return fail(ld, n, "an allowlist entry is empty");
            }
            for (c = e; *c; c++)
                *c = ascii_lower(*c);
            ac->allow = xreallocarray(ac->allow, ac->nallow + 1,
                                      sizeof(*ac->allow));
            ac->allow[ac->nallow++] = e;
            continue;
        }
        ac->suppress = xreallocarray(ac->suppress, ac->nsuppress + 1,
                                     sizeof(*ac->suppress));
        r = &ac->suppress[ac->nsuppress++];
        memset(r, 0, sizeof(*r));
        rc = each_pair(ld, n, "suppression rule", rule_pair, r);
        if (rc < 0)
            return rc;
        if (!r->kind && !r->source && !r->match)
            return fail(ld, n, "a suppression rule needs at least one of "
                               "'kind', 'source', 'match'");
    }
    return 0;
}

/*
 * Notification channels. Every string has a cap (CONFIG_MAX_URL) and no
 * control character: names, addresses and URLs end up in mail headers,
 * syslog headers and HTTP requests, where a CR or LF would inject.
 */
static bool
has_ctl(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

static int
get_chan_str(struct loader *ld, const yaml_node_t *v, const char *what,
             char **out)
{
    int rc = get_str(ld, v, what, out);

    if (rc < 0)
        return rc;
    if (strlen(*out) > CONFIG_MAX_URL)
        return fail(ld, v, "'%s' is longer than %d bytes", what,
                    CONFIG_MAX_URL);
    if (has_ctl(*out))
        return fail(ld, v, "'%s' must not contain control characters "
                           "(line breaks, tabs)", what);
    return 0;
}

/* A word of [A-Za-z0-9._-], 1-64 bytes (a channel name, an alert kind). */
static bool
word_valid(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 64)
        return false;
    return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789._-") == n;
}

/*
 * An address as SMTP and a mail header take it: local@domain, printable
 * ASCII without blanks or the characters that delimit addresses.
 */
static bool
mail_address_valid(const char *s)
{
    const char *at = strrchr(s, '@');
    size_t n = strlen(s);

    if (n < 3 || n > 254 || at == NULL || at == s || at[1] == '\0' ||
        strchr(s, '@') != at)
        return false;
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f ||
            strchr("<>()[],;:\\\"", *s))
            return false;
    return true;
}

static int
list_add(struct loader *ld, const yaml_node_t *e, const char *what,
         size_t max, bool (*valid)(const char *), const char *expect,
         char ***v, size_t *n)
{
    const char *s = NULL;
    size_t i;
    int rc;

    if (*n >= max)
        return fail(ld, e, "more than %zu entries in '%s'", max, what);
    rc = want_scalar(ld, e, what, &s);
    if (rc < 0)
        return rc;
    if (!valid(s))
        return fail(ld, e, "'%s' in '%s' is not %s", s, what, expect);
    for (i = 0; i < *n; i++)
        if (!strcmp((*v)[i], s))
            return fail(ld, e, "'%s' is listed twice in '%s'", s, what);
    *v = xreallocarray(*v, *n + 1, sizeof(**v));
    (*v)[(*n)++] = xstrdup(s);
    return 0;
}

/* A scalar or a list of scalars into (*v, *n), each checked by valid(). */
static int
get_list(struct loader *ld, yaml_node_t *node, const char *what, size_t max,
         bool (*valid)(const char *), const char *expect, char ***v,
         size_t *n)
{
    yaml_node_item_t *it;
    int rc = 0;

    free_list(*v, *n);
    *v = NULL;
    *n = 0;
    if (node->type == YAML_MAPPING_NODE)
        return fail(ld, node, "'%s' must be a list", what);
    if (node->type == YAML_SCALAR_NODE)
        return list_add(ld, node, what, max, valid, expect, v, n);
    for (it = node->data.sequence.items.start;
         rc == 0 && it < node->data.sequence.items.top; it++)
        rc = list_add(ld, yaml_document_get_node(&ld->doc, *it), what, max,
                      valid, expect, v, n);
    if (rc == 0 && *n == 0)
        return fail(ld, node, "'%s' must not be empty", what);
    return rc;
}

/* "HH:MM" (UTC) as minutes after midnight. */
static int
get_time_of_day(struct loader *ld, const yaml_node_t *v, int *out)
{
    const char *s = NULL;
    int rc = want_scalar(ld, v, "digest_at", &s);

    if (rc < 0)
        return rc;
    if (strlen(s) != 5 || s[2] != ':' || strspn(s, "0123456789") != 2 ||
        strspn(s + 3, "0123456789") != 2 ||
        (s[0] - '0') * 10 + (s[1] - '0') > 23 || s[3] > '5')
        return fail(ld, v, "'digest_at' must be a time of day HH:MM "
                           "(UTC), like \"08:00\", got '%s'", s);
    *out = ((s[0] - '0') * 10 + (s[1] - '0')) * 60 + (s[3] - '0') * 10 +
           (s[4] - '0');
    return 0;
}

/* Seconds with up to three decimals, 0.1-86400, as milliseconds. */
static int
get_retry(struct loader *ld, const yaml_node_t *v, int *out)
{
    const char *s = NULL;
    char *end;
    double d;
    int rc = want_scalar(ld, v, "retry", &s);

    if (rc < 0)
        return rc;
    errno = 0;
    d = strtod(s, &end);
    if (errno || end == s || *end != '\0' || !(d >= 0.1 && d <= 86400))
        return fail(ld, v, "'retry' must be a number of seconds 0.1-86400, "
                           "got '%s'", s);
    *out = (int)(d * 1000 + 0.5);
    return 0;
}

static int
channel_pair(struct loader *ld, const char *key, const yaml_node_t *k,
             yaml_node_t *v, void *arg)
{
    struct notify_channel *ch = arg;
    long n;
    int rc;

    if (!strcmp(key, "name")) {
        rc = get_str(ld, v, "name", &ch->name);
        if (rc == 0 && !word_valid(ch->name))
            return fail(ld, v, "channel name '%s' must be 1-64 letters, "
                               "digits, '.', '_' or '-'", ch->name);
        return rc;
    }
    if (!strcmp(key, "type")) {
        rc = get_str(ld, v, "type", &ch->type);
        if (rc == 0 && !in_list(ch->type, channel_types))
            return fail(ld, v, "unknown channel type '%s' (expected one "
                               "of: webhook, email, syslog)", ch->type);
        return rc;
    }
    if (!strcmp(key, "kinds"))
        return get_list(ld, v, "kinds", CONFIG_MAX_KINDS,
                        config_alert_kind_valid,
                        "an alert kind (credential-leak, brand-mention, "
                        "lookalike-domain, impersonation, secret-leak, "
                        "card-leak, own-asset-listed, canary)",
                        &ch->kinds, &ch->nkinds);
    if (!strcmp(key, "min_severity")) {
        rc = get_str(ld, v, "min_severity", &ch->min_severity);
        if (rc == 0 && !config_severity_valid(ch->min_severity))
            return fail(ld, v, "unknown severity '%s' (expected one of: "
                               "info, low, medium, high, critical)",
                        ch->min_severity);
        return rc;
    }
    if (!strcmp(key, "digest")) {
        const char *s = NULL;

        rc = want_scalar(ld, v, "digest", &s);
        if (rc < 0)
            return rc;
        if (strcmp(s, "daily") != 0 && strcmp(s, "immediate") != 0)
            return fail(ld, v, "'digest' must be daily or immediate, got "
                               "'%s'", s);
        ch->digest = strcmp(s, "daily") == 0;
        return 0;
    }
    if (!strcmp(key, "digest_at"))
        return get_time_of_day(ld, v, &ch->digest_at);
    if (!strcmp(key, "max_attempts")) {
        rc = get_int(ld, v, "max_attempts", 1, 100, &n);
        ch->max_attempts = (int)n;
        return rc;
    }
    if (!strcmp(key, "retry"))
        return get_retry(ld, v, &ch->retry_ms);
    if (!strcmp(key, "timeout")) {
        rc = get_int(ld, v, "timeout", 1, 300, &n);
        ch->timeout = (int)n;
        return rc;
    }
    if (!strcmp(key, "url"))
        return get_chan_str(ld, v, "url", &ch->url);
    if (!strcmp(key, "format")) {
        rc = get_str(ld, v, "format", &ch->format);
        if (rc == 0 && strcmp(ch->format, "json") != 0 &&
            strcmp(ch->format, "chat") != 0)
            return fail(ld, v, "unknown webhook format '%s' (expected one "
                               "of: json, chat)", ch->format);
        return rc;
    }
    if (!strcmp(key, "from")) {
        rc = get_chan_str(ld, v, "from", &ch->from);
        if (rc == 0 && !mail_address_valid(ch->from))
            return fail(ld, v, "'from' must be an e-mail address like "
                               "drpwatch@example.com, got '%s'", ch->from);
        return rc;
    }
    if (!strcmp(key, "to"))
        return get_list(ld, v, "to", CONFIG_MAX_RCPT, mail_address_valid,
                        "an e-mail address like soc@example.com", &ch->to,
                        &ch->nto);
    if (!strcmp(key, "username"))
        return get_chan_str(ld, v, "username", &ch->username);
    if (!strcmp(key, "password_file"))
        return get_path(ld, v, "password_file", &ch->password_file);
    if (!strcmp(key, "password"))
        return fail(ld, k, "a password is never written in drpwatch.yaml: "
                           "put it alone in a file readable only by "
                           "drpwatch and name it with 'password_file'");
    if (!strcmp(key, "address"))
        return get_chan_str(ld, v, "address", &ch->address);
    if (!strcmp(key, "facility")) {
        rc = get_str(ld, v, "facility", &ch->facility);
        if (rc == 0 && config_facility_code(ch->facility) < 0)
            return fail(ld, v, "unknown syslog facility '%s' (expected "
                               "one of: kern, user, mail, daemon, auth, "
                               "syslog, ..., local0-local7)", ch->facility);
        return rc;
    }
    return unknown(ld, k, key, "a notification channel",
                   "name, type, kinds, min_severity, digest, digest_at, "
                   "max_attempts, retry, timeout, url, format, from, to, "
                   "username, password_file, address, facility");
}

/* "udp://HOST:PORT", "tcp://HOST:PORT" (HOST may be [v6]) or "unix:PATH". */
static bool
syslog_address_valid(const char *a)
{
    const char *hp, *colon;
    char *end;
    long port;

    if (!strncmp(a, "unix:", 5))
        return a[5] == '/';
    if (strncmp(a, "udp://", 6) != 0 && strncmp(a, "tcp://", 6) != 0)
        return false;
    hp = a + 6;
    colon = strrchr(hp, ':');
    if (colon == NULL || colon == hp || strchr(hp, '/') != NULL ||
        strchr(hp, ' ') != NULL)
        return false;
    if (hp[0] == '[' && colon[-1] != ']')
        return false;
    errno = 0;
    port = strtol(colon + 1, &end, 10);
    return colon[1] >= '0' && colon[1] <= '9' && *end == '\0' &&
           errno == 0 && port >= 1 && port <= 65535;
}

/*
 * The keys of each type: a key of another type is a mistake worth
 * stopping for (an 'address' on a webhook would be silently ignored).
 */
static int
check_channel(struct loader *ld, const yaml_node_t *n,
              struct notify_channel *ch)
{
    bool web = !strcmp(ch->type, "webhook"), mail = !strcmp(ch->type, "email");
    const struct {
        const char *key;
        bool set, allowed;
    } keys[] = {
        { "format", ch->format != NULL, web },
        { "from", ch->from != NULL, mail },
        { "to", ch->to != NULL, mail },
        { "url", ch->url != NULL, web || mail },
        { "username", ch->username != NULL, web || mail },
        { "password_file", ch->password_file != NULL, web || mail },
        { "address", ch->address != NULL, !web && !mail },
        { "facility", ch->facility != NULL, !web && !mail },
    };
    size_t i;

    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (keys[i].set && !keys[i].allowed)
            return fail(ld, n, "channel '%s': '%s' does not apply to a %s "
                               "channel", ch->name, keys[i].key, ch->type);
    if (ch->password_file && !ch->username)
        return fail(ld, n, "channel '%s': 'password_file' needs "
                           "'username'", ch->name);
    if (web || mail) {
        bool scheme = ch->url != NULL &&
                      (web ? !strncmp(ch->url, "http://", 7) ||
                                 !strncmp(ch->url, "https://", 8)
                           : !strncmp(ch->url, "smtp://", 7) ||
                                 !strncmp(ch->url, "smtps://", 8));

        if (!scheme)
            return fail(ld, n, "channel '%s': a %s channel needs 'url', %s",
                        ch->name, ch->type,
                        web ? "an http:// or https:// URL"
                            : "an smtp:// or smtps:// URL of the mail "
                              "server");
        if (has_userinfo(ch->url))
            return fail(ld, n, "channel '%s': the url must not carry a "
                               "user name or password (use 'username' "
                               "and 'password_file')", ch->name);
    }
    if (web && !ch->format)
        ch->format = xstrdup("json");
    if (mail && (!ch->from || !ch->to))
        return fail(ld, n, "channel '%s': an email channel needs 'from' "
                           "and 'to'", ch->name);
    if (!web && !mail) {
        if (!ch->address || !syslog_address_valid(ch->address))
            return fail(ld, n, "channel '%s': a syslog channel needs "
                               "'address': udp://HOST:PORT, "
                               "tcp://HOST:PORT or unix:/PATH (e.g. "
                               "unix:/dev/log)", ch->name);
        if (!ch->facility)
            ch->facility = xstrdup("local0");
    }
    if (!ch->min_severity)
        ch->min_severity = xstrdup("medium");
    return 0;
}

static int
load_channels(struct loader *ld, struct config *cfg, yaml_node_t *list)
{
    yaml_node_item_t *it;
    size_t i;
    int rc = want_kind(ld, list, YAML_SEQUENCE_NODE, "notifications");

    if (rc < 0)
        return rc;
    for (it = list->data.sequence.items.start;
         it < list->data.sequence.items.top; it++) {
        yaml_node_t *n = yaml_document_get_node(&ld->doc, *it);
        struct notify_channel *ch;

        if (cfg->nchannels >= CONFIG_MAX_CHANNELS)
            return fail(ld, n, "more than %d notification channels",
                        CONFIG_MAX_CHANNELS);
        cfg->channels = xreallocarray(cfg->channels, cfg->nchannels + 1,
                                      sizeof(*cfg->channels));
        ch = &cfg->channels[cfg->nchannels++];
        config_channel_init(ch);
        rc = each_pair(ld, n, "notification channel", channel_pair, ch);
        if (rc < 0)
            return rc;
        if (!ch->name || !ch->type)
            return fail(ld, n, "notification channel needs 'name' and "
                               "'type'");
        rc = check_channel(ld, n, ch);
        if (rc < 0)
            return rc;
        for (i = 0; i + 1 < cfg->nchannels; i++)
            if (!strcmp(cfg->channels[i].name, ch->name))
                return fail(ld, n, "channel name '%s' is used twice",
                            ch->name);
    }
    return 0;
}

static int
misp_pair(struct loader *ld, const char *key, const yaml_node_t *k,
          yaml_node_t *v, void *arg)
{
    struct misp_conf *m = arg;
    long n = 0;
    int rc;

    if (!strcmp(key, "group")) {
        rc = get_str(ld, v, "misp.group", &m->group);
        if (rc == 0 && strcmp(m->group, "day") != 0 &&
            strcmp(m->group, "alert") != 0)
            rc = fail(ld, v, "'misp.group' is day or alert, got '%s'",
                      m->group);
        return rc;
    }
    if (!strcmp(key, "key_file"))
        return get_path(ld, v, "misp.key_file", &m->key_file);
    if (!strcmp(key, "distribution")) {
        rc = get_int(ld, v, "misp.distribution", 0, 3, &n);
        m->distribution = (int)n;
        return rc;
    }
    if (!strcmp(key, "threat_level")) {
        rc = get_int(ld, v, "misp.threat_level", 1, 4, &n);
        m->threat_level = (int)n;
        return rc;
    }
    if (!strcmp(key, "retries")) {
        rc = get_int(ld, v, "misp.retries", 0, 20, &n);
        m->retries = (int)n;
        return rc;
    }
    if (!strcmp(key, "to_ids_min_confidence")) {
        rc = get_int(ld, v, "misp.to_ids_min_confidence", 0, 101, &n);
        m->to_ids_min = (int)n;
        return rc;
    }
    return unknown(ld, k, key, "'misp'",
                   "group, distribution, threat_level, "
                   "to_ids_min_confidence, retries, key_file");
}

/* An RDAP server's base URL: http(s), no user name, query or fragment. */
static int
get_base_url(struct loader *ld, const yaml_node_t *v, const char *what,
             char **out)
{
    int rc = get_str(ld, v, what, out);

    if (rc < 0)
        return rc;
    if ((strncmp(*out, "http://", 7) != 0 &&
         strncmp(*out, "https://", 8) != 0) ||
        strpbrk(*out, "?# \t\r\n") != NULL || has_userinfo(*out) ||
        strlen(*out) > 2048)
        return fail(ld, v, "'%s' must be an http:// or https:// base URL "
                           "without user name, query or fragment, like "
                           "https://rdap.example.net/, got '%s'", what,
                    *out);
    return 0;
}

/* "21600", "360m", "6h", "3d": seconds, lo to hi. */
static int
get_duration(struct loader *ld, const yaml_node_t *v, const char *what,
             long lo, long hi, int *out)
{
    const char *s = NULL;
    char *end;
    long n, unit = 1;
    int rc = want_scalar(ld, v, what, &s);

    if (rc < 0)
        return rc;
    errno = 0;
    n = strtol(s, &end, 10);
    if (*end == 's' || *end == 'm' || *end == 'h' || *end == 'd') {
        unit = *end == 's' ? 1 : *end == 'm' ? 60 : *end == 'h' ? 3600 : 86400;
        end++;
    }
    if (errno != 0 || end == s || *end != '\0' || !ascii_isdigit(*s) ||
        n > hi / unit || n * unit < lo || n * unit > hi)
        return fail(ld, v, "'%s' must be a duration from %lds to %ldd: "
                           "seconds, or a number with s, m, h or d "
                           "(\"6h\"), got '%s'", what, lo, hi / 86400, s);
    *out = (int)(n * unit);
    return 0;
}

static int
add_bootstrap(struct loader *ld, const yaml_node_t *v, struct rdap_conf *r)
{
    char *path = NULL;
    int rc;

    if (r->nbootstrap >= CONFIG_MAX_BOOTSTRAP)
        return fail(ld, v, "more than %d rdap.bootstrap files",
                    CONFIG_MAX_BOOTSTRAP);
    rc = get_path(ld, v, "rdap.bootstrap", &path);
    if (rc < 0)
        return rc;
    if (strchr(path, '\n')) {
        free(path);
        return fail(ld, v, "'rdap.bootstrap' names a file with a line break "
                           "in its name");
    }
    r->bootstrap = xreallocarray(r->bootstrap, r->nbootstrap + 1,
                                 sizeof(*r->bootstrap));
    r->bootstrap[r->nbootstrap++] = path;
    return 0;
}

static int
rdap_pair(struct loader *ld, const char *key, const yaml_node_t *k,
          yaml_node_t *v, void *arg)
{
    struct rdap_conf *r = arg;
    yaml_node_item_t *it;
    long n;
    int rc;

    if (!strcmp(key, "bootstrap")) {
        /* one file, or a list of them */
        if (v->type != YAML_SEQUENCE_NODE)
            return add_bootstrap(ld, v, r);
        for (it = v->data.sequence.items.start;
             it < v->data.sequence.items.top; it++) {
            rc = add_bootstrap(ld, yaml_document_get_node(&ld->doc, *it), r);
            if (rc < 0)
                return rc;
        }
        return 0;
    }
    if (!strcmp(key, "domain"))
        return get_base_url(ld, v, "rdap.domain", &r->domain);
    if (!strcmp(key, "ip"))
        return get_base_url(ld, v, "rdap.ip", &r->ip);
    if (!strcmp(key, "allow_private"))
        return get_bool(ld, v, "rdap.allow_private", &r->allow_private);
    if (!strcmp(key, "timeout")) {
        rc = get_int(ld, v, "rdap.timeout", 1, 300, &n);
        r->timeout = (int)n;
        return rc;
    }
    if (!strcmp(key, "max_bytes")) {
        rc = get_int(ld, v, "rdap.max_bytes", 4096, 64L << 20, &n);
        r->max_bytes = n;
        return rc;
    }
    return unknown(ld, k, key, "'rdap'",
                   "bootstrap, domain, ip, timeout, max_bytes, "
                   "allow_private");
}

static int
takedown_pair(struct loader *ld, const char *key, const yaml_node_t *k,
              yaml_node_t *v, void *arg)
{
    struct takedown_conf *t = arg;
    const unsigned char *c;
    long n;
    int rc;

    if (!strcmp(key, "requester") || !strcmp(key, "contact")) {
        char **out = key[0] == 'r' ? &t->requester : &t->contact;

        rc = get_str(ld, v, key[0] == 'r' ? "takedown.requester"
                                          : "takedown.contact", out);
        if (rc < 0)
            return rc;
        for (c = (const unsigned char *)*out; *c; c++)
            if (*c < 0x20 || *c == 0x7f)
                return fail(ld, v, "'takedown.%s' must be one line", key);
        if (strlen(*out) > 300)
            return fail(ld, v, "'takedown.%s' is longer than 300 bytes", key);
        return 0;
    }
    if (!strcmp(key, "recheck"))
        return get_duration(ld, v, "takedown.recheck", 60, 30L * 86400,
                            &t->recheck);
    if (!strcmp(key, "remind_after"))
        return get_duration(ld, v, "takedown.remind_after", 60, 365L * 86400,
                            &t->remind_after);
    if (!strcmp(key, "unreachable_checks")) {
        rc = get_int(ld, v, "takedown.unreachable_checks", 1, 100, &n);
        t->unreachable_checks = (int)n;
        return rc;
    }
    /* Checked by apply, which knows the resolver's syntax. */
    if (!strcmp(key, "dns_servers"))
        return get_str(ld, v, "takedown.dns_servers", &t->dns_servers);
    return unknown(ld, k, key, "'takedown'",
                   "requester, contact, recheck, remind_after, "
                   "unreachable_checks, dns_servers");
}

static int
lookalikes_pair(struct loader *ld, const char *key, const yaml_node_t *k,
                yaml_node_t *v, void *arg)
{
    static const struct {
        const char *key;
        long lo, hi;
        size_t off;
    } ints[] = {
        { "rate", 1, 1000000, offsetof(struct lookalike_conf, rate) },
        { "max_inflight", 1, 20000,
          offsetof(struct lookalike_conf, max_inflight) },
        { "timeout", 1, 60000, offsetof(struct lookalike_conf, timeout_ms) },
        { "tries", 1, 10, offsetof(struct lookalike_conf, tries) },
        { "http_port", 1, 65535,
          offsetof(struct lookalike_conf, http_port) },
    };
    struct lookalike_conf *l = arg;
    char what[64];
    size_t i;
    long n;
    int rc;

    snprintf(what, sizeof(what), "lookalikes.%s", key);
    if (!strcmp(key, "interval"))
        return get_duration(ld, v, what, 60, 365L * 86400, &l->interval);
    if (!strcmp(key, "retry"))
        return get_duration(ld, v, what, 60, 365L * 86400, &l->retry);
    for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        if (strcmp(key, ints[i].key) != 0)
            continue;
        rc = get_int(ld, v, what, ints[i].lo, ints[i].hi, &n);
        *(int *)(void *)((char *)l + ints[i].off) = (int)n;
        return rc;
    }
    if (!strcmp(key, "fuzzers"))
        return get_str(ld, v, what, &l->fuzzers);
    if (!strcmp(key, "servers"))
        return get_str(ld, v, what, &l->servers);
    if (!strcmp(key, "fetch"))
        return get_bool(ld, v, what, &l->fetch);
    if (!strcmp(key, "allow_private"))
        return get_bool(ld, v, what, &l->allow_private);
    return unknown(ld, k, key, "'lookalikes'",
                   "interval, retry, fuzzers, servers, rate, max_inflight, "
                   "timeout, tries, fetch, http_port, allow_private");
}

void
config_taxii_release(struct taxii_conf *t)
{
    size_t i;

    for (i = 0; i < t->nusers; i++) {
        free(t->users[i].name);
        free(t->users[i].password_file);
        free(t->users[i].token_file);
    }
    for (i = 0; i < t->ncollections; i++) {
        struct taxii_collection_conf *c = &t->collections[i];

        free(c->alias);
        free(c->title);
        free(c->description);
        free_list(c->tlp, c->ntlp);
        free_list(c->watch, c->nwatch);
        free_list(c->readers, c->nreaders);
    }
    free(t->users);
    free(t->collections);
    free(t->listen);
    free(t->title);
    free(t->url);
    free(t->tls_cert);
    free(t->tls_key);
    memset(t, 0, sizeof(*t));
    t->max_page = TAXII_MAX_PAGE;
    t->max_connections = TAXII_CONNECTIONS_DEFAULT;
}

/* ADDR:PORT with a numeric IPv4 address or a bracketed IPv6 one. */
static bool
listen_valid(const char *s)
{
    const char *colon = strrchr(s, ':');
    char host[64], *end;
    unsigned char a[16];
    size_t n;
    long port;

    if (colon == NULL || colon[1] == '\0')
        return false;
    errno = 0;
    port = strtol(colon + 1, &end, 10);
    if (errno || *end != '\0' || port < 0 || port > 65535)
        return false;
    n = (size_t)(colon - s);
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        if (n - 2 >= sizeof(host))
            return false;
        memcpy(host, s + 1, n - 2);
        host[n - 2] = '\0';
        return inet_pton(AF_INET6, host, a) == 1;
    }
    if (n >= sizeof(host))
        return false;
    memcpy(host, s, n);
    host[n] = '\0';
    return inet_pton(AF_INET, host, a) == 1;
}

static bool
tlp_valid(const char *s)
{
    static const char *tlps[] = { "clear", "white", "green", "amber", "red",
                                  NULL };

    return in_list(s, tlps);
}

/* A collection alias: [a-z0-9-], 1-64 bytes. */
static bool
alias_valid(const char *s)
{
    size_t n = strlen(s);

    return n > 0 && n <= 64 &&
           strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* A watch-term value as the watchlist takes it: any printable text. */
static bool
term_text_valid(const char *s)
{
    return *s != '\0' && strlen(s) <= 256 && !has_ctl(s);
}

static int
taxii_user_pair(struct loader *ld, const char *key, const yaml_node_t *k,
                yaml_node_t *v, void *arg)
{
    struct taxii_user *u = arg;
    int rc;

    if (!strcmp(key, "name")) {
        rc = get_chan_str(ld, v, "taxii user name", &u->name);
        if (rc == 0 && !word_valid(u->name))
            rc = fail(ld, v, "a TAXII user name is 1-64 characters of "
                             "[A-Za-z0-9._-], got '%s'", u->name);
        return rc;
    }
    if (!strcmp(key, "password_file"))
        return get_path(ld, v, "taxii user password_file", &u->password_file);
    if (!strcmp(key, "token_file"))
        return get_path(ld, v, "taxii user token_file", &u->token_file);
    if (!strcmp(key, "password") || !strcmp(key, "token"))
        return fail(ld, k, "a TAXII user's %s never goes in the YAML: put "
                           "it in a file (mode 0600) and name it with "
                           "'%s_file'", key, key);
    return unknown(ld, k, key, "a TAXII user",
                   "name, password_file, token_file");
}

static int
load_taxii_users(struct loader *ld, struct taxii_conf *t, yaml_node_t *list)
{
    yaml_node_item_t *it;
    size_t i;
    int rc = want_kind(ld, list, YAML_SEQUENCE_NODE, "taxii.users");

    for (it = list->data.sequence.items.start;
         rc == 0 && it < list->data.sequence.items.top; it++) {
        yaml_node_t *n = yaml_document_get_node(&ld->doc, *it);
        struct taxii_user *u;

        if (t->nusers >= TAXII_MAX_USERS)
            return fail(ld, n, "more than %d TAXII users", TAXII_MAX_USERS);
        t->users = xreallocarray(t->users, t->nusers + 1, sizeof(*t->users));
        u = &t->users[t->nusers++];
        memset(u, 0, sizeof(*u));
        rc = each_pair(ld, n, "TAXII user", taxii_user_pair, u);
        if (rc < 0)
            return rc;
        if (!u->name || (!u->password_file == !u->token_file))
            return fail(ld, n, "a TAXII user needs 'name' and one of "
                               "'password_file' (HTTP Basic) or "
                               "'token_file' (Bearer)");
        for (i = 0; i + 1 < t->nusers; i++)
            if (!strcmp(t->users[i].name, u->name))
                return fail(ld, n, "TAXII user '%s' is listed twice",
                            u->name);
    }
    return rc;
}

static int
taxii_collection_pair(struct loader *ld, const char *key,
                      const yaml_node_t *k, yaml_node_t *v, void *arg)
{
    struct taxii_collection_conf *c = arg;

    if (!strcmp(key, "alias"))
        return get_chan_str(ld, v, "collection alias", &c->alias);
    if (!strcmp(key, "title"))
        return get_chan_str(ld, v, "collection title", &c->title);
    if (!strcmp(key, "description"))
        return get_chan_str(ld, v, "collection description",
                            &c->description);
    if (!strcmp(key, "tlp"))
        return get_list(ld, v, "collection tlp", 5, tlp_valid,
                        "a TLP level (clear, green, amber, red)", &c->tlp,
                        &c->ntlp);
    if (!strcmp(key, "watch"))
        return get_list(ld, v, "collection watch", CONFIG_MAX_TERMS,
                        term_text_valid, "a watch-term value", &c->watch,
                        &c->nwatch);
    if (!strcmp(key, "readers"))
        return get_list(ld, v, "collection readers", TAXII_MAX_USERS,
                        word_valid, "a TAXII user name", &c->readers,
                        &c->nreaders);
    return unknown(ld, k, key, "a TAXII collection",
                   "alias, title, description, tlp, watch, readers");
}

static int
load_taxii_collections(struct loader *ld, struct taxii_conf *t,
                       yaml_node_t *list)
{
    yaml_node_item_t *it;
    size_t i;
    int rc = want_kind(ld, list, YAML_SEQUENCE_NODE, "taxii.collections");

    for (it = list->data.sequence.items.start;
         rc == 0 && it < list->data.sequence.items.top; it++) {
        yaml_node_t *n = yaml_document_get_node(&ld->doc, *it);
        struct taxii_collection_conf *c;

        if (t->ncollections >= TAXII_MAX_COLLECTIONS)
            return fail(ld, n, "more than %d TAXII collections",
                        TAXII_MAX_COLLECTIONS);
        t->collections = xreallocarray(t->collections, t->ncollections + 1,
                                       sizeof(*t->collections));
        c = &t->collections[t->ncollections++];
        memset(c, 0, sizeof(*c));
        rc = each_pair(ld, n, "TAXII collection", taxii_collection_pair, c);
        if (rc < 0)
            return rc;
        if (!c->alias || !alias_valid(c->alias))
            return fail(ld, n, "a TAXII collection needs an 'alias' of "
                               "1-64 characters [a-z0-9-]");
        for (i = 0; i + 1 < t->ncollections; i++)
            if (!strcmp(t->collections[i].alias, c->alias))
                return fail(ld, n, "collection alias '%s' is used twice",
                            c->alias);
    }
    return rc;
}

static int
taxii_pair(struct loader *ld, const char *key, const yaml_node_t *k,
           yaml_node_t *v, void *arg)
{
    struct taxii_conf *t = arg;
    long n = 0;
    int rc;

    if (!strcmp(key, "listen")) {
        rc = get_chan_str(ld, v, "taxii.listen", &t->listen);
        if (rc == 0 && !listen_valid(t->listen))
            rc = fail(ld, v, "'taxii.listen' is ADDR:PORT with a numeric "
                             "address (127.0.0.1:9443, [::1]:9443), got "
                             "'%s'", t->listen);
        return rc;
    }
    if (!strcmp(key, "title"))
        return get_chan_str(ld, v, "taxii.title", &t->title);
    if (!strcmp(key, "url")) {
        rc = get_chan_str(ld, v, "taxii.url", &t->url);
        if (rc == 0 && strncmp(t->url, "http://", 7) != 0 &&
            strncmp(t->url, "https://", 8) != 0)
            rc = fail(ld, v, "'taxii.url' is the server's public "
                             "http(s):// base URL, got '%s'", t->url);
        return rc;
    }
    if (!strcmp(key, "tls_cert"))
        return get_path(ld, v, "taxii.tls_cert", &t->tls_cert);
    if (!strcmp(key, "tls_key"))
        return get_path(ld, v, "taxii.tls_key", &t->tls_key);
    if (!strcmp(key, "max_page")) {
        rc = get_int(ld, v, "taxii.max_page", 1, TAXII_MAX_PAGE, &n);
        t->max_page = (int)n;
        return rc;
    }
    if (!strcmp(key, "max_connections")) {
        rc = get_int(ld, v, "taxii.max_connections", 1, 10000, &n);
        t->max_connections = (int)n;
        return rc;
    }
    if (!strcmp(key, "users"))
        return load_taxii_users(ld, t, v);
    if (!strcmp(key, "collections"))
        return load_taxii_collections(ld, t, v);
    return unknown(ld, k, key, "'taxii'",
                   "listen, title, url, tls_cert, tls_key, max_page, "
                   "max_connections, users, collections");
}

/* The TAXII section as a whole: a key needs its certificate, readers
   are declared users. */
static int
load_taxii(struct loader *ld, struct taxii_conf *t, yaml_node_t *v)
{
    size_t i, j, u;
    int rc = each_pair(ld, v, "taxii", taxii_pair, t);

    if (rc < 0)
        return rc;
    if (!t->tls_cert != !t->tls_key)
        return fail(ld, v, "'taxii' needs both 'tls_cert' and 'tls_key' "
                           "(or neither, for plain HTTP)");
    for (i = 0; i < t->ncollections; i++)
        for (j = 0; j < t->collections[i].nreaders; j++) {
            for (u = 0; u < t->nusers; u++)
                if (!strcmp(t->users[u].name, t->collections[i].readers[j]))
                    break;
            if (u == t->nusers)
                return fail(ld, v, "collection '%s' names reader '%s', who "
                                   "is not in 'taxii.users'",
                            t->collections[i].alias,
                            t->collections[i].readers[j]);
        }
    return 0;
}

static int
top_pair(struct loader *ld, const char *key, const yaml_node_t *k,
         yaml_node_t *v, void *arg)
{
    struct config *cfg = arg;

    if (!strcmp(key, "tor"))
        return each_pair(ld, v, "tor", tor_pair, cfg);
    if (!strcmp(key, "crawl"))
        return each_pair(ld, v, "crawl", crawl_pair, &cfg->crawl);
    if (!strcmp(key, "credentials"))
        return each_pair(ld, v, "credentials", credentials_pair, cfg);
    if (!strcmp(key, "benign_file"))
        return get_path(ld, v, "benign_file", &cfg->benign_file);
    if (!strcmp(key, "watchlist"))
        return load_terms(ld, cfg, v);
    if (!strcmp(key, "sources"))
        return load_sources(ld, cfg, v);
    if (!strcmp(key, "alerts"))
        return each_pair(ld, v, "alerts", alerts_pair, &cfg->alerts);
    if (!strcmp(key, "misp"))
        return each_pair(ld, v, "misp", misp_pair, &cfg->misp);
    if (!strcmp(key, "taxii"))
        return load_taxii(ld, &cfg->taxii, v);
    if (!strcmp(key, "notifications"))
        return load_channels(ld, cfg, v);
    if (!strcmp(key, "rdap"))
        return each_pair(ld, v, "rdap", rdap_pair, &cfg->rdap);
    if (!strcmp(key, "takedown"))
        return each_pair(ld, v, "takedown", takedown_pair, &cfg->takedown);
    if (!strcmp(key, "lookalikes")) {
        cfg->lookalikes.enabled = true;
        if (v->type == YAML_SCALAR_NODE && *scalar(v) == '\0')
            return 0; /* "lookalikes:" alone: the defaults */
        return each_pair(ld, v, "lookalikes", lookalikes_pair,
                         &cfg->lookalikes);
    }
    return unknown(ld, k, key, "the top level",
                   "tor, crawl, credentials, benign_file, watchlist, "
                   "sources, alerts, misp, taxii, notifications, rdap, "
                   "takedown, "
                   "lookalikes");
}

int
config_read_file(const char *path, struct buf *out, struct buf *err)
{
    FILE *f = fopen(path, "rb");
    char chunk[8192];
    size_t n;
    int rc = 0;

    if (f == NULL) {
        buf_reset(err);
        buf_addf(err, "%s: cannot open: %s", path, strerror(errno));
        return DRP_EIO;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        rc = buf_add(out, chunk, n);
        if (rc < 0) {
            buf_reset(err);
            buf_addf(err, "%s: larger than %zu bytes", path, out->max);
            break;
        }
    }
    if (rc == 0 && ferror(f)) {
        buf_reset(err);
        buf_addf(err, "%s: read error: %s", path, strerror(errno));
        rc = DRP_EIO;
    }
    fclose(f);
    return rc;
}

int
config_load(struct config *cfg, const char *path, struct buf *err)
{
    struct loader ld = { .path = path, .err = err };
    struct buf text = BUF_INIT(CONFIG_MAX_FILE);
    yaml_parser_t parser;
    yaml_node_t *root;
    int have_doc = 0;
    int rc;

    free(cfg->path);
    cfg->path = xstrdup(path);
    rc = config_read_file(path, &text, err);
    if (rc < 0)
        goto out;
    if (memchr(buf_str(&text), '\0', text.len)) {
        rc = fail(&ld, NULL, "contains a NUL byte; not a YAML text file");
        goto out;
    }
    if (!yaml_parser_initialize(&parser))
        abort();
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf_str(&text),
                                 text.len);
    if (!yaml_parser_load(&parser, &ld.doc)) {
        buf_reset(err);
        buf_addf(err, "%s:%zu:%zu: invalid YAML: %s", path,
                 parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                 parser.problem ? parser.problem : "parse error");
        if (parser.context)
            buf_addf(err, " (%s)", parser.context);
        yaml_parser_delete(&parser);
        rc = DRP_ECONFIG;
        goto out;
    }
    yaml_parser_delete(&parser);
    have_doc = 1;
    root = yaml_document_get_root_node(&ld.doc);
    if (root == NULL) {
        rc = fail(&ld, NULL, "empty file; expected watchlist and sources");
        goto out;
    }
    rc = each_pair(&ld, root, "the top level", top_pair, cfg);
out:
    if (have_doc)
        yaml_document_delete(&ld.doc);
    buf_release(&text);
    return rc;
}
