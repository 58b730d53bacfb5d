/*
 * Takedown packs and their follow-through in PostgreSQL (takedown.h).
 * Every statement is parameterised; claims and reminders lock their rows
 * with SKIP LOCKED so that several workers never do one twice. What a
 * pack holds and what a re-check means is decided in alerts/takedown.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/xalloc.h"
#include "storage/cases.h"
#include "storage/internal.h"
#include "storage/notify.h"
#include "storage/takedown.h"
#include "common/banned.h"

/* A timestamptz column as ISO 8601 UTC text. */
#define UTC(col) "to_char(" col " AT TIME ZONE 'UTC', " \
                 "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

json_t *
store_takedown_evidence(struct db *db, long long id, struct buf *err)
{
    char sid[24];
    const char *p[1] = { sid };
    json_t *ev = NULL, *alert, *rest;
    PGresult *r;

    snprintf(sid, sizeof(sid), "%lld", id);
    alert = store_case_show(db, id, err);
    if (alert == NULL)
        return NULL;
    /* The page: the newest stored version of the alert's URL in which
       its finding was seen, else its newest version. */
    r = db_query(db,
                 "SELECT json_build_object('url', d.url, "
                 "  'fetched_at', " UTC("d.fetched_at") ", "
                 "  'sha256', encode(d.sha256, 'hex'), "
                 "  'http_status', d.http_status, "
                 "  'content_type', d.content_type, 'title', d.title, "
                 "  'bytes', d.body_bytes)::text, d.text "
                 "FROM alerts a JOIN documents d ON d.url = a.url "
                 "  AND d.source_id = a.source_id "
                 "WHERE a.id = $1::bigint "
                 "ORDER BY EXISTS (SELECT 1 FROM sightings s "
                 "  WHERE s.document_id = d.id "
                 "  AND s.finding_id = a.finding_id) DESC, "
                 "  d.fetched_at DESC LIMIT 1",
                 1, p, err);
    if (r == NULL)
        goto fail;
    ev = json_object();
    json_object_set_new(ev, "alert", alert);
    alert = NULL;
    if (PQntuples(r) == 1) {
        json_t *text = json_string(PQgetvalue(r, 0, 1));

        json_object_set_new(ev, "text", text ? text : json_null());
        json_object_set_new(ev, "page", db_json(r, err));
        if (json_object_get(ev, "page") == NULL)
            goto fail;
    } else {
        PQclear(r);
        json_object_set_new(ev, "page", json_null());
        json_object_set_new(ev, "text", json_null());
    }
    r = db_query(db,
                 "SELECT json_build_object('urls', (SELECT "
                 "  coalesce(json_agg(u.url ORDER BY u.url), '[]') FROM "
                 "  (SELECT DISTINCT s.url FROM sightings s "
                 "   WHERE s.finding_id = a.finding_id "
                 "   AND a.kind <> 'brand-mention' "
                 "   ORDER BY s.url LIMIT 50) u), "
                 "  'source', (SELECT json_build_object('name', s.name, "
                 "    'tor', s.tor, 'allow_private', s.allow_private) "
                 "    FROM sources s WHERE s.id = a.source_id))::text "
                 "FROM alerts a WHERE a.id = $1::bigint",
                 1, p, err);
    if (r == NULL)
        goto fail;
    rest = db_json(r, err);
    if (rest == NULL)
        goto fail;
    json_object_update(ev, rest);
    json_decref(rest);
    return ev;
fail:
    if (err->len == 0)
        buf_addf(err, "no alert %lld", id);
    json_decref(alert);
    json_decref(ev);
    return NULL;
}

int
store_takedown_request(struct db *db, const struct takedown_record *rec,
                       long long *id, struct buf *err)
{
    char sid[24], recheck[24];
    PGresult *r = NULL;
    int rc;

    snprintf(sid, sizeof(sid), "%lld", rec->alert_id);
    snprintf(recheck, sizeof(recheck), "%d", rec->recheck);
    rc = db_begin(db, err);
    if (rc < 0)
        return rc;
    if (strcmp(rec->from, "takedown-requested") != 0) {
        rc = store_case_transition_tx(db, rec->alert_id, rec->from,
                                      "takedown-requested", rec->actor,
                                      rec->note, err);
        if (rc < 0)
            goto out;
    } else {
        /* A fresh pack for a request already made: the case must still
           be there. */
        const char *p[1] = { sid };

        QUERY(r,
              "SELECT 1 FROM alerts WHERE id = $1::bigint "
              "AND status = 'takedown-requested' FOR UPDATE",
              1, p);
        if (PQntuples(r) != 1) {
            buf_addf(err, "alert %lld is no longer takedown-requested: "
                          "changed meanwhile", rec->alert_id);
            rc = DRP_ENOTFOUND;
            goto out;
        }
        PQclear(r);
        r = NULL;
    }
    {
        const char *p[1] = { sid };

        QUERY(r,
              "UPDATE takedowns SET closed_at = now(), "
              "  closed_why = 'a newer pack' "
              "WHERE alert_id = $1::bigint AND closed_at IS NULL",
              1, p);
        PQclear(r);
    }
    {
        const char *p[6] = { sid, rec->actor, rec->url, rec->pack,
                             rec->saved_copy, recheck };

        QUERY(r,
              "INSERT INTO takedowns (alert_id, actor, target_url, pack, "
              "  saved_copy, next_check_at) "
              "VALUES ($1::bigint, $2, $3, $4::jsonb, $5, "
              "  now() + make_interval(secs => $6::int)) RETURNING id",
              6, p);
        *id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
    }
    {
        const char *p[4] = { sid, rec->actor, rec->detail, rec->note };

        QUERY(r,
              "INSERT INTO alert_events (alert_id, actor, event, detail, "
              "  note) VALUES ($1::bigint, $2, 'takedown-pack', $3, $4)",
              4, p);
        PQclear(r);
    }
    r = NULL;
out:
    PQclear(r);
    return db_end(db, rc, err);
}

json_t *
store_takedowns_claim(struct db *db, bool all, int max, int lease_secs,
                      struct buf *err)
{
    static const char *const cols[] = { "takedown_id", "alert_id", "url",
                                        "tor", "allow_private",
                                        "unreachable" };
    char smax[16], slease[16];
    const char *p[3] = { all ? "t" : "f", smax, slease };
    PGresult *r;

    snprintf(smax, sizeof(smax), "%d", max);
    snprintf(slease, sizeof(slease), "%d", lease_secs);
    r = db_query(db,
                 "UPDATE takedowns t SET next_check_at = now() + "
                 "  make_interval(secs => $3::int) "
                 "FROM (SELECT t2.id, coalesce(s.tor, false) AS tor, "
                 "    coalesce(s.allow_private, false) AS allow_private "
                 "  FROM takedowns t2 JOIN alerts a ON a.id = t2.alert_id "
                 "  LEFT JOIN sources s ON s.id = a.source_id "
                 "  WHERE t2.closed_at IS NULL "
                 "    AND a.status = 'takedown-requested' "
                 "    AND ($1::boolean OR t2.next_check_at <= now()) "
                 "  ORDER BY t2.next_check_at, t2.id LIMIT $2::int "
                 "  FOR UPDATE OF t2 SKIP LOCKED) c "
                 "WHERE t.id = c.id "
                 "RETURNING t.id, t.alert_id, t.target_url, c.tor, "
                 "  c.allow_private, t.unreachable",
                 3, p, err);
    if (r == NULL)
        return NULL;
    return db_rows_json(r, cols);
}

int
store_takedown_checked(struct db *db, const struct takedown_outcome *o,
                       bool *resolved, struct buf *err)
{
    char tid[24], unreach[16], recheck[16];
    const char *p[6] = { tid, o->state, o->result, unreach, recheck,
                         o->resolve ? "t" : "f" };
    PGresult *r = NULL;
    int rc;

    *resolved = false;
    snprintf(tid, sizeof(tid), "%lld", o->takedown_id);
    snprintf(unreach, sizeof(unreach), "%d", o->unreachable);
    snprintf(recheck, sizeof(recheck), "%d", o->recheck);
    rc = db_begin(db, err);
    if (rc < 0)
        return rc;
    QUERY(r,
          "UPDATE takedowns SET checks = checks + 1, last_check_at = now(), "
          "  last_state = $2, last_result = $3, unreachable = $4::int, "
          "  next_check_at = now() + make_interval(secs => $5::int), "
          "  closed_at = CASE WHEN $6::boolean THEN now() END, "
          "  closed_why = CASE WHEN $6::boolean THEN $3 END "
          "WHERE id = $1::bigint AND closed_at IS NULL RETURNING id",
          6, p);
    if (PQntuples(r) == 1 && o->resolve) {
        struct buf why = BUF_INIT(1024);

        buf_addf(&why, "resolved by the takedown follow-through: %s",
                 o->result);
        rc = store_case_transition_tx(db, o->alert_id, "takedown-requested",
                                      "resolved", "drpwatch", buf_str(&why),
                                      err);
        buf_release(&why);
        if (rc == DRP_ENOTFOUND) {
            /* An analyst moved the case first: theirs stands. */
            buf_reset(err);
            rc = 0;
        } else if (rc == 0) {
            *resolved = true;
        } else {
            goto out;
        }
    }
    PQclear(r);
    r = NULL;
out:
    PQclear(r);
    return db_end(db, rc, err);
}

json_t *
store_takedown_remind(struct db *db, int remind_after, struct buf *err)
{
    static const char *const cols[] = { "takedown_id", "alert_id",
                                        "reminders", "requested_at", "url",
                                        "detail" };
    char secs[16];
    const char *p[1] = { secs };
    json_t *due = NULL, *o;
    PGresult *r = NULL;
    size_t i;
    int rc;

    snprintf(secs, sizeof(secs), "%d", remind_after);
    rc = db_begin(db, err);
    if (rc < 0)
        return NULL;
    /* The rows are locked, counted and their events written in one
       statement, so two workers cannot both remind. */
    QUERY(r,
          "WITH due AS (SELECT t.id FROM takedowns t "
          "    JOIN alerts a ON a.id = t.alert_id "
          "  WHERE t.closed_at IS NULL AND a.status = 'takedown-requested' "
          "    AND now() >= coalesce(t.reminded_at, t.created_at) "
          "      + make_interval(secs => $1::int) "
          "  FOR UPDATE OF t SKIP LOCKED), "
          "upd AS (UPDATE takedowns t SET reminders = t.reminders + 1, "
          "    reminded_at = now() FROM due WHERE t.id = due.id "
          "  RETURNING t.id, t.alert_id, t.reminders, t.created_at, "
          "    t.target_url, format('takedown requested %s (%s h ago) is "
          "still unanswered: reminder %s; follow up with %s, or resolve the "
          "case if it was handled', " UTC("t.created_at") ", "
          "    floor(extract(epoch FROM now() - t.created_at) / 3600), "
          "    t.reminders, coalesce(nullif(array_to_string(ARRAY("
          "      SELECT jsonb_array_elements_text(t.pack->'request'->'to')), "
          "      ', '), ''), 'the registrar or host')) AS detail), "
          "ev AS (INSERT INTO alert_events (alert_id, actor, event, detail) "
          "  SELECT alert_id, 'drpwatch', 'takedown-reminder', detail "
          "  FROM upd) "
          "SELECT id, alert_id, reminders, " UTC("created_at") ", "
          "  target_url, detail FROM upd ORDER BY id",
          1, p);
    due = db_rows_json(r, cols);
    r = NULL;
    /* On the notification channels that take the case, once each. */
    json_array_foreach(due, i, o) {
        char reason[NOTIFY_MAX_REASON + 1];

        snprintf(reason, sizeof(reason), "takedown-reminder:%lld",
                 (long long)json_integer_value(json_object_get(o,
                                                               "reminders")));
        rc = store_notify_alert(
            db, json_integer_value(json_object_get(o, "alert_id")), reason,
            err);
        if (rc < 0)
            goto out;
    }
out:
    PQclear(r);
    rc = db_end(db, rc, err);
    if (rc < 0) {
        json_decref(due);
        due = NULL;
    }
    return due;
}

json_t *
store_takedowns_list(struct db *db, bool open_only, int limit,
                     struct buf *err)
{
    static const char *const cols[] = {
        "takedown_id", "alert_id", "status", "kind", "title", "url",
        "requested_at", "checks", "last_check_at", "last_state",
        "last_result", "unreachable", "next_check_at", "reminders",
        "reminded_at", "closed_at", "closed_why", "to",
    };
    char slimit[16];
    const char *p[2] = { open_only ? "t" : "f", slimit };
    PGresult *r;

    snprintf(slimit, sizeof(slimit), "%d", limit);
    r = db_query(db,
                 "SELECT t.id, t.alert_id, a.status, a.kind, a.title, "
                 "  t.target_url, " UTC("t.created_at") ", t.checks, "
                 "  " UTC("t.last_check_at") ", t.last_state, "
                 "  t.last_result, t.unreachable, "
                 "  " UTC("t.next_check_at") ", t.reminders, "
                 "  " UTC("t.reminded_at") ", " UTC("t.closed_at") ", "
                 "  t.closed_why, array_to_string(ARRAY("
                 "    SELECT jsonb_array_elements_text("
                 "      t.pack->'request'->'to')), ', ') "
                 "FROM takedowns t JOIN alerts a ON a.id = t.alert_id "
                 "WHERE NOT $1::boolean OR (t.closed_at IS NULL "
                 "  AND a.status = 'takedown-requested') "
                 "ORDER BY t.id DESC LIMIT $2::int",
                 2, p, err);
    if (r == NULL)
        return NULL;
    return db_rows_json(r, cols);
}

json_t *
store_takedown_get(struct db *db, long long id, struct buf *err)
{
    char sid[24];
    const char *p[1] = { sid };
    PGresult *r;
    json_t *j;

    snprintf(sid, sizeof(sid), "%lld", id);
    r = db_query(db,
                 "SELECT json_build_object('takedown_id', id, 'pack', pack, "
                 "  'saved_copy', saved_copy)::text FROM takedowns "
                 "WHERE alert_id = $1::bigint ORDER BY id DESC LIMIT 1",
                 1, p, err);
    if (r == NULL)
        return NULL;
    j = db_json(r, err);
    if (j == NULL && err->len == 0)
        buf_addf(err, "no takedown pack for alert %lld", id);
    return j;
}
