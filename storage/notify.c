/*
 * The notification outbox and its channels in PostgreSQL. Every statement
 * is parameterised; lists travel as one JSON parameter, never spliced
 * into SQL. Builds and sends nothing: alerts/notify.c does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "storage/internal.h"
#include "storage/notify.h"
#include "storage/store.h"
#include "common/banned.h"

/* A list as a JSON array text (a parameter), or NULL for no list. */
static char *
json_list(char *const *v, size_t n)
{
    json_t *a;
    char *s;
    size_t i;

    if (v == NULL)
        return NULL;
    a = json_array();
    for (i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return s;
}

/* A JSON array text of strings back into (*v, *n); NULL stays empty. */
static void
list_from_json(const char *text, char ***v, size_t *n)
{
    json_t *a = text ? json_loads(text, 0, NULL) : NULL;
    json_t *e;
    size_t i;

    *v = NULL;
    *n = 0;
    if (!json_is_array(a)) {
        json_decref(a);
        return;
    }
    *v = xcalloc(json_array_size(a) + 1, sizeof(**v));
    json_array_foreach(a, i, e)
        if (json_is_string(e))
            (*v)[(*n)++] = xstrdup(json_string_value(e));
    json_decref(a);
}

#define LIST_PARAM(p) "CASE WHEN " p "::json IS NULL THEN NULL " \
                      "ELSE ARRAY(SELECT json_array_elements_text(" p \
                      "::json)) END"

static int
put_channel(struct db *db, const struct notify_channel *ch,
            struct apply_stats *st, struct buf *err)
{
    char at[16], attempts[16], retry[16], timeout[16];
    char *kinds = json_list(ch->kinds, ch->nkinds);
    char *to = json_list(ch->to, ch->nto);
    const char *p[17] = { ch->name, ch->type, kinds, ch->min_severity,
                          ch->digest ? "t" : "f", at, attempts, retry,
                          timeout, ch->url, ch->format, ch->from, to,
                          ch->username, ch->password_file, ch->address,
                          ch->facility };
    PGresult *r;
    int rc = 0;

    snprintf(at, sizeof(at), "%d", ch->digest_at);
    snprintf(attempts, sizeof(attempts), "%d", ch->max_attempts);
    snprintf(retry, sizeof(retry), "%d", ch->retry_ms);
    snprintf(timeout, sizeof(timeout), "%d", ch->timeout);
    r = db_query(db,
                 "INSERT INTO notify_channels (name, type, kinds, "
                 "  min_severity, digest, digest_at, max_attempts, retry_ms, "
                 "  timeout_s, url, format, mail_from, mail_to, username, "
                 "  password_file, address, facility) "
                 "VALUES ($1, $2, " LIST_PARAM("$3") ", $4, $5, $6, $7, $8, "
                 "  $9, $10, $11, $12, " LIST_PARAM("$13") ", $14, $15, $16, "
                 "  $17) "
                 "ON CONFLICT (name) DO UPDATE SET type = EXCLUDED.type, "
                 "  kinds = EXCLUDED.kinds, "
                 "  min_severity = EXCLUDED.min_severity, "
                 "  digest = EXCLUDED.digest, digest_at = EXCLUDED.digest_at, "
                 "  max_attempts = EXCLUDED.max_attempts, "
                 "  retry_ms = EXCLUDED.retry_ms, "
                 "  timeout_s = EXCLUDED.timeout_s, url = EXCLUDED.url, "
                 "  format = EXCLUDED.format, mail_from = EXCLUDED.mail_from, "
                 "  mail_to = EXCLUDED.mail_to, username = EXCLUDED.username, "
                 "  password_file = EXCLUDED.password_file, "
                 "  address = EXCLUDED.address, facility = EXCLUDED.facility, "
                 "  enabled = true, updated_at = now() "
                 "RETURNING (xmax = 0)",
                 17, p, err);
    if (r == NULL) {
        rc = DRP_EDB;
        goto out;
    }
    if (PQgetvalue(r, 0, 0)[0] == 't')
        st->channels_added++;
    else
        st->channels_updated++;
    PQclear(r);
out:
    free(kinds);
    free(to);
    return rc;
}

int
store_notify_apply(struct db *db, const struct config *cfg,
                   struct apply_stats *st, struct buf *err)
{
    char **names = xcalloc(cfg->nchannels + 1, sizeof(*names));
    char *list;
    PGresult *r;
    size_t i;
    int rc = 0;

    for (i = 0; i < cfg->nchannels; i++) {
        names[i] = cfg->channels[i].name;
        rc = put_channel(db, &cfg->channels[i], st, err);
        if (rc < 0)
            break;
    }
    list = json_list(names, cfg->nchannels);
    free(names);
    if (rc < 0)
        goto out;
    {
        const char *p[1] = { list };

        r = db_query(db,
                     "WITH off AS (UPDATE notify_channels SET "
                     "  enabled = false, updated_at = now() "
                     "  WHERE enabled AND name <> ALL (" LIST_PARAM("$1") ") "
                     "  RETURNING id), "
                     "dead AS (UPDATE notify_outbox SET dead_at = now(), "
                     "  lease_owner = NULL, lease_expires = NULL, "
                     "  last_error = 'channel removed from the "
                     "configuration' "
                     "  WHERE channel_id IN (SELECT id FROM off) "
                     "  AND delivered_at IS NULL AND dead_at IS NULL) "
                     "SELECT count(*) FROM off",
                     1, p, err);
        if (r == NULL) {
            rc = DRP_EDB;
            goto out;
        }
        st->channels_disabled = (int)strtol(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
    }
out:
    free(list);
    return rc;
}

int
store_notify_channels(struct db *db, struct config *cfg, struct buf *err)
{
    PGresult *r;
    int i, rows;

    r = db_query(db,
                 "SELECT id, name, type, array_to_json(kinds), min_severity, "
                 "  digest, digest_at, max_attempts, retry_ms, timeout_s, "
                 "  url, format, mail_from, array_to_json(mail_to), "
                 "  username, password_file, address, facility "
                 "FROM notify_channels WHERE enabled ORDER BY name",
                 0, NULL, err);
    if (r == NULL)
        return DRP_EDB;
    for (i = 0; (size_t)i < cfg->nchannels; i++)
        config_channel_release(&cfg->channels[i]);
    free(cfg->channels);
    rows = PQntuples(r);
    cfg->channels = xcalloc((size_t)rows + 1, sizeof(*cfg->channels));
    for (i = 0; i < rows; i++) {
        struct notify_channel *ch = &cfg->channels[i];

        config_channel_init(ch);
        ch->id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
        ch->name = xstrdup(PQgetvalue(r, i, 1));
        ch->type = xstrdup(PQgetvalue(r, i, 2));
        list_from_json(PQgetisnull(r, i, 3) ? NULL : PQgetvalue(r, i, 3),
                       &ch->kinds, &ch->nkinds);
        ch->min_severity = xstrdup(PQgetvalue(r, i, 4));
        ch->digest = PQgetvalue(r, i, 5)[0] == 't';
        ch->digest_at = (int)strtol(PQgetvalue(r, i, 6), NULL, 10);
        ch->max_attempts = (int)strtol(PQgetvalue(r, i, 7), NULL, 10);
        ch->retry_ms = (int)strtol(PQgetvalue(r, i, 8), NULL, 10);
        ch->timeout = (int)strtol(PQgetvalue(r, i, 9), NULL, 10);
        ch->url = db_value_dup(r, i, 10);
        ch->format = db_value_dup(r, i, 11);
        ch->from = db_value_dup(r, i, 12);
        list_from_json(PQgetisnull(r, i, 13) ? NULL : PQgetvalue(r, i, 13),
                       &ch->to, &ch->nto);
        ch->username = db_value_dup(r, i, 14);
        ch->password_file = db_value_dup(r, i, 15);
        ch->address = db_value_dup(r, i, 16);
        ch->facility = db_value_dup(r, i, 17);
    }
    cfg->nchannels = (size_t)rows;
    PQclear(r);
    return 0;
}

static bool
reason_valid(const char *reason)
{
    size_t n = strlen(reason);

    return n > 0 && n <= NOTIFY_MAX_REASON && strcmp(reason, "digest") != 0 &&
           strspn(reason, "abcdefghijklmnopqrstuvwxyz0123456789:_-") == n;
}

int
store_notify_alert(struct db *db, long long alert_id, const char *reason,
                   struct buf *err)
{
    char id[24];
    const char *p[2] = { id, reason };

    if (reason == NULL || !reason_valid(reason)) {
        buf_reset(err);
        buf_addf(err, "notification reason must be 1-%d bytes of a-z, "
                      "0-9, ':', '_', '-' and not 'digest'",
                 NOTIFY_MAX_REASON);
        return DRP_EINVAL;
    }
    snprintf(id, sizeof(id), "%lld", alert_id);
    return db_exec_prepared(db,
                   "INSERT INTO notify_outbox (alert_id, channel_id, reason) "
                   "SELECT a.id, c.id, $2 FROM alerts a "
                   "JOIN notify_channels c ON c.enabled AND NOT c.digest "
                   "  AND (c.kinds IS NULL OR a.kind = ANY (c.kinds)) "
                   "  AND drp_severity_rank(a.severity) >= "
                   "      drp_severity_rank(c.min_severity) "
                   "WHERE a.id = $1::bigint "
                   "ON CONFLICT (alert_id, channel_id, reason) DO NOTHING",
                   2, p, err);
}

int
store_notify_schedule_digests(struct db *db, int *n, struct buf *err)
{
    PGresult *r;

    *n = 0;
    /* The channel rows are locked (SKIP LOCKED): two workers at once
       schedule each period once. */
    r = db_query(db,
                 "WITH due AS (SELECT id, last_digest_at AS since "
                 "  FROM notify_channels WHERE enabled AND digest "
                 "  AND now() >= drp_next_digest(last_digest_at, digest_at) "
                 "  FOR UPDATE SKIP LOCKED), "
                 "moved AS (UPDATE notify_channels c SET "
                 "  last_digest_at = now() FROM due WHERE c.id = due.id) "
                 "INSERT INTO notify_outbox (channel_id, reason, "
                 "  period_start, period_end) "
                 "SELECT id, 'digest', since, now() FROM due "
                 "ON CONFLICT DO NOTHING",
                 0, NULL, err);
    if (r == NULL)
        return DRP_EDB;
    *n = (int)strtol(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return 0;
}

int
store_notify_clock(struct db *db, double *now, struct buf *err)
{
    PGresult *r = db_query(db, "SELECT extract(epoch FROM "
                               "clock_timestamp())::float8",
                           0, NULL, err);

    if (r == NULL)
        return DRP_EDB;
    *now = strtod(PQgetvalue(r, 0, 0), NULL);
    PQclear(r);
    return 0;
}

/* Moves the keys "alert.x" of each object into an object "alert" (null
   when its id is null). */
static json_t *
nest_alerts(json_t *rows)
{
    size_t i;
    json_t *o;

    json_array_foreach(rows, i, o) {
        json_t *alert = json_object();
        const char *key;
        json_t *v;
        void *tmp;

        json_object_foreach_safe(o, tmp, key, v) {
            if (strncmp(key, "alert.", 6) != 0)
                continue;
            json_object_set(alert, key + 6, v);
            json_object_del(o, key);
        }
        if (json_is_null(json_object_get(alert, "id"))) {
            json_decref(alert);
            alert = json_null();
        }
        json_object_set_new(o, "alert", alert);
    }
    return rows;
}

int
store_notify_lease(struct db *db, const char *owner, int max, int lease_secs,
                   double due_before, json_t **items, struct buf *err)
{
    static const char *cols[] = {
        "id", "channel_id", "attempts", "reason", "period_start",
        "period_end", "alert.id", "alert.kind", "alert.severity",
        "alert.score", "alert.status", "alert.title", "alert.summary",
        "alert.next_step", "alert.audience", "alert.source", "alert.url",
        "alert.first_seen", "alert.last_seen", "alert.occurrences",
    };
    char smax[16], ssecs[16], before[32];
    const char *p[4] = { owner, smax, ssecs, due_before > 0 ? before : NULL };
    PGresult *r;

    *items = NULL;
    snprintf(smax, sizeof(smax), "%d", max);
    snprintf(ssecs, sizeof(ssecs), "%d", lease_secs);
    snprintf(before, sizeof(before), "%.3f", due_before);
    r = db_query(db,
                 "UPDATE notify_outbox o SET lease_owner = $1, "
                 "  lease_expires = now() + make_interval(secs => $3), "
                 "  attempts = o.attempts + 1, last_attempt_at = now() "
                 "FROM (SELECT o2.id, o2.alert_id FROM notify_outbox o2 "
                 "      JOIN notify_channels c ON c.id = o2.channel_id "
                 "        AND c.enabled "
                 "      WHERE o2.delivered_at IS NULL AND o2.dead_at IS NULL "
                 "        AND o2.next_attempt_at <= now() "
                 "        AND ($4::float8 IS NULL OR "
                 "             o2.next_attempt_at <= to_timestamp($4)) "
                 "        AND (o2.lease_expires IS NULL "
                 "             OR o2.lease_expires < now()) "
                 "      ORDER BY o2.next_attempt_at, o2.id LIMIT $2 "
                 "      FOR UPDATE OF o2 SKIP LOCKED) due "
                 "LEFT JOIN alerts a ON a.id = due.alert_id "
                 "LEFT JOIN sources s ON s.id = a.source_id "
                 "WHERE o.id = due.id "
                 "RETURNING o.id, o.channel_id, o.attempts, o.reason, "
                 "  " DB_ISO("o.period_start") ", "
                 "  " DB_ISO("o.period_end") ", a.id, a.kind, a.severity, "
                 "  a.score, a.status, a.title, a.summary, a.next_step, "
                 "  a.audience, s.name, a.url, " DB_ISO("a.first_seen") ", "
                 "  " DB_ISO("a.last_seen") ", a.occurrences",
                 4, p, err);
    if (r == NULL)
        return DRP_EDB;
    *items = nest_alerts(db_rows_json(r, cols));
    return 0;
}

int
store_notify_digest(struct db *db, json_t *item, struct buf *err)
{
    char id[24];
    const char *p[1] = { id };
    json_t *digest;
    PGresult *r;

    snprintf(id, sizeof(id), "%lld",
             (long long)json_integer_value(json_object_get(item, "id")));
    r = db_query(db,
                 "WITH o AS (SELECT o.period_start, o.period_end, c.kinds, "
                 "  c.min_severity FROM notify_outbox o "
                 "  JOIN notify_channels c ON c.id = o.channel_id "
                 "  WHERE o.id = $1::bigint), "
                 "a AS (SELECT a.id, a.kind, a.severity, a.score, a.title, "
                 "  s.name AS source, a.url FROM o, alerts a "
                 "  LEFT JOIN sources s ON s.id = a.source_id "
                 "  WHERE a.created_at >= o.period_start "
                 "  AND a.created_at < o.period_end "
                 "  AND (o.kinds IS NULL OR a.kind = ANY (o.kinds)) "
                 "  AND drp_severity_rank(a.severity) >= "
                 "      drp_severity_rank(o.min_severity)) "
                 "SELECT json_build_object("
                 "  'hours', (SELECT round(extract(epoch FROM "
                 "    period_end - period_start) / 3600)::int FROM o), "
                 "  'sources', (SELECT count(*) FROM sources s, o "
                 "    WHERE s.enabled AND s.last_success >= o.period_start), "
                 "  'kinds', (SELECT coalesce(o.kinds, ARRAY(SELECT DISTINCT "
                 "    kind FROM alerts ORDER BY 1)) FROM o), "
                 "  'min_severity', (SELECT min_severity FROM o), "
                 "  'total', (SELECT count(*) FROM a), "
                 "  'counts', (SELECT coalesce(json_agg(json_build_object("
                 "    'kind', kind, 'severity', severity, 'count', n) "
                 "    ORDER BY kind, drp_severity_rank(severity) DESC), "
                 "    '[]') FROM (SELECT kind, severity, count(*) AS n "
                 "    FROM a GROUP BY 1, 2) g), "
                 "  'top', (SELECT coalesce(json_agg(t ORDER BY "
                 "    drp_severity_rank(t.severity) DESC, t.score DESC, "
                 "    t.id), '[]') FROM (SELECT * FROM a ORDER BY "
                 "    drp_severity_rank(severity) DESC, score DESC, id "
                 "    LIMIT 10) t))::text",
                 1, p, err);
    if (r == NULL)
        return DRP_EDB;
    buf_reset(err);
    digest = db_json(r, err);
    if (digest == NULL) {
        if (err->len == 0)
            buf_addf(err, "digest %s has no period", id);
        return DRP_EDB;
    }
    json_object_set_new(item, "digest", digest);
    return 0;
}

/*
 * Runs sql (its $1 the row id, $2 the owner, then extra) on a row owner
 * holds; DRP_ENOTFOUND if the lease is gone.
 */
static int
update_leased(struct db *db, const char *sql, long long id,
              const char *owner, int nextra, const char *const *extra,
              struct buf *err)
{
    char sid[24];
    const char *p[4] = { sid, owner, NULL, NULL };
    PGresult *r;
    int i, rc = 0;

    snprintf(sid, sizeof(sid), "%lld", id);
    for (i = 0; i < nextra && i < 2; i++)
        p[2 + i] = extra[i];
    r = db_query(db, sql, 2 + nextra, p, err);
    if (r == NULL)
        return DRP_EDB;
    if (strcmp(PQcmdTuples(r), "1") != 0) {
        buf_reset(err);
        buf_addf(err, "notification %lld is no longer leased by '%s'", id,
                 owner);
        rc = DRP_ENOTFOUND;
    }
    PQclear(r);
    return rc;
}

int
store_notify_delivered(struct db *db, long long id, const char *owner,
                       struct buf *err)
{
    return update_leased(db,
                         "UPDATE notify_outbox SET delivered_at = now(), "
                         "  lease_owner = NULL, lease_expires = NULL, "
                         "  last_error = NULL "
                         "WHERE id = $1::bigint AND lease_owner = $2",
                         id, owner, 0, NULL, err);
}

int
store_notify_failed(struct db *db, long long id, const char *owner,
                    const char *error, long retry_ms, struct buf *err)
{
    char ms[24];
    const char *extra[2] = { error, ms };

    snprintf(ms, sizeof(ms), "%ld", retry_ms);
    return update_leased(db,
                         "UPDATE notify_outbox SET last_error = $3, "
                         "  lease_owner = NULL, lease_expires = NULL, "
                         "  dead_at = CASE WHEN $4::bigint < 0 THEN now() "
                         "    END, "
                         "  next_attempt_at = CASE WHEN $4::bigint < 0 "
                         "    THEN next_attempt_at ELSE now() + "
                         "    make_interval(secs => $4::bigint / 1000.0) END "
                         "WHERE id = $1::bigint AND lease_owner = $2",
                         id, owner, 2, extra, err);
}

int
store_notify_release(struct db *db, const char *owner, struct buf *err)
{
    const char *p[1] = { owner };

    return db_exec(db,
                   "UPDATE notify_outbox SET lease_owner = NULL, "
                   "  lease_expires = NULL, attempts = attempts - 1 "
                   "WHERE lease_owner = $1 AND delivered_at IS NULL "
                   "  AND dead_at IS NULL",
                   1, p, err);
}

json_t *
store_notify_list(struct db *db, const char *state, int limit,
                  struct buf *err)
{
    static const char *cols[] = { "id", "channel", "alert", "reason",
                                  "state", "attempts", "next_attempt",
                                  "created", "delivered", "dead",
                                  "last_error" };
    char slimit[16];
    const char *p[2] = { state, slimit };
    PGresult *r;

    snprintf(slimit, sizeof(slimit), "%d", limit);
    r = db_query(db,
                 "SELECT * FROM (SELECT o.id, c.name, o.alert_id, o.reason, "
                 "  CASE WHEN o.delivered_at IS NOT NULL THEN 'delivered' "
                 "    WHEN o.dead_at IS NOT NULL THEN 'dead' "
                 "    WHEN o.lease_expires >= now() THEN 'sending' "
                 "    ELSE 'pending' END AS state, o.attempts, "
                 "  CASE WHEN o.delivered_at IS NULL AND o.dead_at IS NULL "
                 "    THEN " DB_ISO("o.next_attempt_at") " END, "
                 "  " DB_ISO("o.created_at") ", "
                 "  " DB_ISO("o.delivered_at") ", " DB_ISO("o.dead_at") ", "
                 "  o.last_error "
                 "  FROM notify_outbox o "
                 "  JOIN notify_channels c ON c.id = o.channel_id) l "
                 "WHERE $1::text IS NULL OR state = $1 "
                 "ORDER BY id DESC LIMIT $2::int",
                 2, p, err);
    if (r == NULL)
        return NULL;
    return db_rows_json(r, cols);
}
