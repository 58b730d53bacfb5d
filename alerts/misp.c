/*
 * MISP events (misp.h): MISP's attribute types and categories for each
 * finding kind, credential objects, deterministic uuids, grouping by day
 * or by alert.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "alerts/http.h"
#include "alerts/misp.h"
#include "common/err.h"
#include "common/log.h"
#include "alerts/stix.h"
#include "common/xalloc.h"
#include "common/banned.h"

/* drpwatch's namespace for MISP uuids (a random UUID, fixed). */
static const unsigned char ns_misp[16] = {
    0x2f, 0x8e, 0x51, 0xc4, 0x7a, 0x03, 0x4d, 0x6e,
    0xb1, 0x5c, 0x90, 0x27, 0xe8, 0x44, 0x1d, 0xa6,
};
/* MISP's credential object template. */
#define CREDENTIAL_TEMPLATE "a27e98c9-9b0e-414c-8076-d201e039ca09"

struct type {
    const char *kind, *type, *category;
};
static const struct type types[] = {
    { "ipv4", "ip-dst", "Network activity" },
    { "ipv6", "ip-dst", "Network activity" },
    { "domain", "domain", "Network activity" },
    { "onion", "domain", "Network activity" },
    { "url", "url", "Network activity" },
    { "email", "email-src", "Payload delivery" },
    { "md5", "md5", "Payload delivery" },
    { "sha1", "sha1", "Payload delivery" },
    { "sha256", "sha256", "Payload delivery" },
    { "sha512", "sha512", "Payload delivery" },
    { "cve", "vulnerability", "External analysis" },
    { "btc", "btc", "Financial fraud" },
};

static const struct type *
type_of(const char *kind)
{
    size_t i;

    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(kind, types[i].kind) == 0)
            return &types[i];
    return NULL;
}

int
misp_kind_supported(const char *kind)
{
    return type_of(kind) != NULL || strcmp(kind, "credential") == 0;
}

static void
uuid_of(const char *a, const char *b, char out[37])
{
    char *name = xasprintf("%s\n%s", a, b ? b : "");

    stix_uuid5(ns_misp, name, strlen(name), out);
    free(name);
}

static json_t *
iso(time_t t)
{
    char b[32];
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(b);
}

static json_t *
epoch(time_t t)
{
    char b[24];

    snprintf(b, sizeof(b), "%lld", (long long)t);
    return json_string(b);
}

static json_t *
attribute(const char *event_uuid, const char *type, const char *category,
          const char *relation, const char *value, int to_ids,
          const char *comment, time_t first, time_t last)
{
    char u[37], *key = xasprintf("%s:%s", relation ? relation : type, value);
    json_t *a;

    uuid_of(event_uuid, key, u);
    free(key);
    a = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:o, s:o, s:o}", "uuid", u,
                  "type", type, "category", category, "value", value,
                  "to_ids", to_ids, "distribution", "5", "timestamp",
                  epoch(last), "first_seen", iso(first), "last_seen",
                  iso(last));
    if (relation)
        json_object_set_new(a, "object_relation", json_string(relation));
    if (comment)
        json_object_set_new(a, "comment", json_string(comment));
    return a;
}

/* The credential object of it: identity and masked hint only. */
static json_t *
credential(const char *event_uuid, const struct misp_item *it)
{
    char u[37], *found;
    json_t *attrs = json_array(), *o;

    uuid_of(event_uuid, it->identity, u);
    json_array_append_new(attrs,
                          attribute(u, "text", "Other", "username",
                                    it->identity, 0, NULL, it->first_seen,
                                    it->last_seen));
    json_array_append_new(attrs,
                          attribute(u, "text", "Other", "password",
                                    it->password_hint, 0,
                                    "masked by drpwatch: first and last "
                                    "character and the length; the "
                                    "password itself is never kept",
                                    it->first_seen, it->last_seen));
    found = xasprintf("leaked credential seen on %s",
                      it->sources ? it->sources : "a crawled source");
    json_array_append_new(attrs,
                          attribute(u, "text", "Other", "text", found, 0,
                                    NULL, it->first_seen, it->last_seen));
    free(found);
    o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "uuid", u, "name",
                  "credential", "meta-category", "misc", "template_uuid",
                  CREDENTIAL_TEMPLATE, "distribution", "5", "timestamp",
                  epoch(it->last_seen), "Attribute", attrs);
    return o;
}

static void
add_finding(json_t *ev, const char *event_uuid, const struct misp_item *it,
            const struct misp_opts *opt)
{
    const struct type *t = type_of(it->kind);
    char *comment;

    if (strcmp(it->kind, "credential") == 0) {
        if (it->identity && it->password_hint)
            json_array_append_new(json_object_get(ev, "Object"),
                                  credential(event_uuid, it));
        return;
    }
    if (t == NULL)
        return;
    comment = it->sources ? xasprintf("seen on %s", it->sources) : NULL;
    json_array_append_new(json_object_get(ev, "Attribute"),
                          attribute(event_uuid, t->type, t->category, NULL,
                                    it->value,
                                    it->confidence >= opt->to_ids_min,
                                    comment, it->first_seen, it->last_seen));
    free(comment);
}

static int
threat_of(const char *severity, int fallback)
{
    if (severity == NULL)
        return fallback;
    if (!strcmp(severity, "critical") || !strcmp(severity, "high"))
        return 1;
    if (!strcmp(severity, "medium"))
        return 2;
    return 3;
}

/* The event keyed key (created when missing) in events (by uuid). */
static json_t *
event(json_t *events, const char *key, const char *info, time_t when,
      int threat, const struct misp_opts *opt)
{
    char u[37], date[16], tl[4], dist[4];
    struct tm tm;
    json_t *ev;

    uuid_of("event", key, u);
    ev = json_object_get(events, u);
    if (ev != NULL) {
        json_t *ts = json_object_get(ev, "timestamp");

        if (strtoll(json_string_value(ts), NULL, 10) < (long long)when)
            json_object_set_new(ev, "timestamp", epoch(when));
        return ev;
    }
    gmtime_r(&when, &tm);
    strftime(date, sizeof(date), "%Y-%m-%d", &tm);
    snprintf(tl, sizeof(tl), "%d", threat);
    snprintf(dist, sizeof(dist), "%d", opt->distribution);
    ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:o, "
                   "s:[{s:s}, {s:s}], s:[], s:[]}",
                   "uuid", u, "info", info, "date", date, "threat_level_id",
                   tl, "analysis", "0", "distribution", dist, "published", 0,
                   "timestamp", epoch(when), "Tag", "name", "tlp:amber",
                   "name", "drpwatch", "Attribute", "Object");
    json_object_set_new(events, u, ev);
    return ev;
}

json_t *
misp_events(const struct misp_item *items, size_t n,
            const struct misp_opts *opt)
{
    json_t *events = json_object(), *out = json_array(), *ev;
    const char *k;
    char date[16], *info;
    struct tm tm;
    size_t i;

    for (i = 0; i < n; i++) {
        const struct misp_item *it = &items[i];

        if (!misp_kind_supported(it->kind))
            continue;
        if (opt->by_alert) {
            if (it->alert_key == NULL)
                continue;
            ev = event(events, it->alert_key,
                       it->alert_title ? it->alert_title : it->alert_key,
                       it->last_seen,
                       threat_of(it->alert_severity, opt->threat_level),
                       opt);
            if (it->alert_url && json_array_size(json_object_get(
                                     ev, "Attribute")) == 0)
                json_array_append_new(
                    json_object_get(ev, "Attribute"),
                    attribute(json_string_value(json_object_get(ev, "uuid")),
                              "link", "External analysis", NULL,
                              it->alert_url, 0, "the page it was found on",
                              it->first_seen, it->last_seen));
        } else {
            gmtime_r(&it->last_seen, &tm);
            strftime(date, sizeof(date), "%Y-%m-%d", &tm);
            info = xasprintf("drpwatch: indicators and leaked credentials "
                             "seen on %s", date);
            ev = event(events, date, info, it->last_seen, opt->threat_level,
                       opt);
            free(info);
        }
        add_finding(ev, json_string_value(json_object_get(ev, "uuid")), it,
                    opt);
    }
    json_object_foreach(events, k, ev)
        json_array_append_new(out, json_pack("{s:O}", "Event", ev));
    json_decref(events);
    return out;
}

/* One request to MISP, retried while it is down; 0 with the status. */
static int
misp_request(const struct misp_target *t, const char *method,
             const char *path, const char *body, long *status,
             struct buf *resp, struct buf *err)
{
    char auth[600];
    const char *headers[] = { auth, "Accept: application/json",
                              "Content-Type: application/json", NULL };
    char *url;
    struct http_req r;
    long wait = t->backoff_ms > 0 ? t->backoff_ms : 1000;
    int attempt, rc = 0;

    snprintf(auth, sizeof(auth), "Authorization: %s", t->key);
    url = xasprintf("%s%s%s", t->url,
                    t->url[strlen(t->url) - 1] == '/' ? "" : "/", path);
    r = (struct http_req){ .method = method,
                           .url = url,
                           .headers = headers,
                           .body = body,
                           .body_len = body ? strlen(body) : 0,
                           .timeout = t->timeout };
    for (attempt = 0; attempt <= t->retries; attempt++) {
        if (attempt > 0) {
            struct timespec ts = { wait / 1000, (wait % 1000) * 1000000 };

            log_warn("misp: %s %s failed (%s), retry %d of %d in %ld ms",
                     method, path, buf_str(err), attempt, t->retries, wait);
            nanosleep(&ts, NULL);
            wait = wait * 2 > 30000 ? 30000 : wait * 2;
        }
        buf_reset(err);
        buf_reset(resp);
        rc = http_send(&r, status, resp, err);
        if (rc == 0 && *status != 429 && *status < 500)
            break;
        if (rc == 0) {
            buf_addf(err, "HTTP %ld", *status);
            rc = DRP_EHTTP;
        } else if (rc == DRP_ETOOBIG)
            break; /* the same answer would come again */
    }
    free(url);
    return rc;
}

int
misp_push(const struct misp_target *t, json_t *events, int *added,
          int *updated, struct buf *err)
{
    struct buf resp = BUF_INIT(HTTP_MAX_RESPONSE);
    char path[128], *body;
    json_t *x;
    size_t i;
    long status;
    int rc = 0;
    bool exists;

    *added = *updated = 0;
    json_array_foreach(events, i, x) {
        const char *uuid = json_string_value(
            json_object_get(json_object_get(x, "Event"), "uuid"));

        snprintf(path, sizeof(path), "events/view/%s", uuid ? uuid : "");
        rc = misp_request(t, "GET", path, NULL, &status, &resp, err);
        if (rc < 0)
            break;
        if (status == 401 || status == 403) {
            buf_addf(err, "MISP refused the key (HTTP %ld): check "
                          "misp.key_file", status);
            rc = DRP_EHTTP;
            break;
        }
        exists = status == 200;
        snprintf(path, sizeof(path), exists ? "events/edit/%s" : "events/add",
                 uuid ? uuid : "");
        body = json_dumps(x, JSON_COMPACT);
        rc = misp_request(t, "POST", path, body, &status, &resp, err);
        free(body);
        if (rc == 0 && status != 200) {
            buf_addf(err, "MISP answered HTTP %ld to %s: %.200s", status,
                     path, buf_str(&resp));
            rc = DRP_EHTTP;
        }
        if (rc < 0)
            break;
        if (exists)
            (*updated)++;
        else
            (*added)++;
    }
    buf_release(&resp);
    return rc;
}
