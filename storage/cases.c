/*
 * Alerts as cases (cases.h): the upsert that opens, updates or re-raises a
 * case with its audit event, the allowlist and suppression rules as rows,
 * status changes, and the views, built as JSON by PostgreSQL itself.
 * Scoring is not here: the caller's rescore hook decides (alerts/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/xalloc.h"
#include "storage/cases.h"
#include "storage/frontier.h"
#include "storage/internal.h"
#include "storage/notify.h"
#include "common/banned.h"

/* What the database knows of alert i's finding and case. */
static int
facts_of(struct db *db, const struct store_doc *doc, const char *finding_id,
         const struct store_alert *a, struct store_case_facts *f,
         struct buf *err)
{
    char sid[24];
    const char *p[4] = { finding_id, sid, a->kind, a->dedup_key };
    PGresult *r = NULL;
    int rc = 0;

    snprintf(sid, sizeof(sid), "%lld", doc->source->id);
    /* The verdicts are counts kept by triggers (migration 012); the
       finding's sources are counted by a skip scan of
       sightings_finding_source, a probe per distinct source. */
    QUERY_PREPARED(r,
          "SELECT extract(epoch FROM now() - f.first_seen) / 86400.0, "
          "  coalesce((SELECT extract(epoch FROM now() - first_seen) "
          "    / 86400.0 FROM alerts WHERE dedup_key = $4), 0), "
          "  (WITH RECURSIVE d(sid) AS ("
          "     SELECT min(source_id) FROM sightings WHERE finding_id = f.id "
          "     UNION ALL "
          "     SELECT (SELECT min(t.source_id) FROM sightings t "
          "       WHERE t.finding_id = f.id AND t.source_id > d.sid) "
          "     FROM d WHERE d.sid IS NOT NULL) "
          "   SELECT count(sid) FROM d), "
          "  s.tp, s.fp, k.tp, k.fp "
          "FROM findings f, "
          "  (SELECT coalesce(sum(tp), 0) tp, coalesce(sum(fp), 0) fp "
          "   FROM alert_verdicts WHERE source_id = $2::bigint) s, "
          "  (SELECT coalesce(sum(tp), 0) tp, coalesce(sum(fp), 0) fp "
          "   FROM alert_verdicts WHERE kind = $3) k "
          "WHERE f.id = $1::bigint",
          4, p);
    memset(f, 0, sizeof(*f));
    if (PQntuples(r) == 1) {
        f->finding_age_days = strtod(PQgetvalue(r, 0, 0), NULL);
        f->case_age_days = strtod(PQgetvalue(r, 0, 1), NULL);
        f->sources = (int)strtol(PQgetvalue(r, 0, 2), NULL, 10);
        f->source_tp = (int)strtol(PQgetvalue(r, 0, 3), NULL, 10);
        f->source_fp = (int)strtol(PQgetvalue(r, 0, 4), NULL, 10);
        f->rule_tp = (int)strtol(PQgetvalue(r, 0, 5), NULL, 10);
        f->rule_fp = (int)strtol(PQgetvalue(r, 0, 6), NULL, 10);
    }
    PQclear(r);
out:
    return rc;
}

/*
 * Opens or updates case a scored sc, resting on finding_id and seen on
 * source sid (either may be NULL) at url: the upsert, its audit event and
 * its notification. *id gets the case's id.
 */
static int
put(struct db *db, const struct store_alert *a, const struct store_score *sc,
    const char *finding_id, const char *sid, const char *url,
    struct case_counts *c, long long *id, struct buf *err)
{
    const char *severity, *parts;
    char score[16], nsrc[16], detail[600];
    char was[16] = "", was_status[32] = "";
    const char *event;
    PGresult *r = NULL;
    int rc = 0;
    bool created, raised, decided, reopen;

    /* The case as it was, locked until the document's commit. */
    {
        const char *p[1] = { a->dedup_key };

        QUERY_PREPARED(r,
              "SELECT severity, status FROM alerts WHERE dedup_key = $1 "
              "FOR UPDATE",
              1, p);
        if (PQntuples(r) == 1) {
            snprintf(was, sizeof(was), "%s", PQgetvalue(r, 0, 0));
            snprintf(was_status, sizeof(was_status), "%s",
                     PQgetvalue(r, 0, 1));
        }
        PQclear(r);
        r = NULL;
    }
    severity = sc->severity;
    parts = sc->parts;
    snprintf(score, sizeof(score), "%d", sc->score);
    snprintf(nsrc, sizeof(nsrc), "%d", sc->sources);
    /* Severities rank by their first letters: info, low, medium, high,
       critical. A rise re-raises an open or resolved case (a resolved one
       reopens); a false positive or an accepted risk stays decided. */
    raised = *was && strchr("ilmhc", severity[0]) > strchr("ilmhc", was[0]);
    decided = strcmp(was_status, "false-positive") == 0 ||
              strcmp(was_status, "accepted-risk") == 0;
    reopen = raised && strcmp(was_status, "resolved") == 0;
    {
        const char *p[16] = { a->dedup_key, a->kind, severity, score,
                              a->title, a->summary, a->next_step,
                              a->audience, finding_id, sid, url,
                              parts, a->term, nsrc,
                              raised && !decided ? "t" : "f",
                              reopen ? "t" : "f" };

        QUERY_PREPARED(r,
              "INSERT INTO alerts AS a (dedup_key, kind, severity, score, "
              "  title, summary, next_step, audience, finding_id, source_id, "
              "  url, score_parts, term, sources_seen) "
              "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
              "  $12::jsonb, $13, $14) "
              "ON CONFLICT (dedup_key) DO UPDATE SET last_seen = now(), "
              "  occurrences = a.occurrences + 1, updated_at = now(), "
              "  score = EXCLUDED.score, severity = EXCLUDED.severity, "
              "  score_parts = EXCLUDED.score_parts, "
              "  sources_seen = greatest(a.sources_seen, "
              "    EXCLUDED.sources_seen), "
              "  raised_at = CASE WHEN $15 THEN now() ELSE a.raised_at END, "
              "  status = CASE WHEN $16 THEN 'new' ELSE a.status END, "
              "  status_at = CASE WHEN $16 THEN now() ELSE a.status_at END, "
              "  closed_at = CASE WHEN $16 THEN NULL ELSE a.closed_at END "
              "RETURNING a.id, (xmax = 0)",
              16, p);
    }
    created = PQgetvalue(r, 0, 1)[0] == 't';
    if (created) {
        event = "created";
        c->opened++;
        snprintf(detail, sizeof(detail), "score %s (%s) url=%s", score,
                 severity, url ? url : "-");
    } else if (raised && !decided) {
        event = reopen ? "reopened" : "severity-raised";
        c->raised++;
        snprintf(detail, sizeof(detail), "severity %s -> %s, score %s url=%s",
                 was, severity, score, url ? url : "-");
    } else {
        event = "seen-again";
        c->updated++;
        if (strcmp(was, severity) != 0)
            snprintf(detail, sizeof(detail),
                     "severity %s -> %s, score %s%s url=%s", was, severity,
                     score,
                     raised ? " (not re-raised: decided by an analyst)" : "",
                     url ? url : "-");
        else
            snprintf(detail, sizeof(detail), "score %s (%s) url=%s", score,
                     severity, url ? url : "-");
    }
    {
        const char *q[3] = { PQgetvalue(r, 0, 0), event, detail };
        PGresult *r2 = db_query_prepared(db,
                                         "INSERT INTO alert_events (alert_id, "
                                         "actor, event, detail) VALUES ($1, "
                                         "'drpwatch', $2, $3)",
                                         3, q, err);

        *id = strtoll(q[0], NULL, 10);
        PQclear(r);
        r = r2;
        if (r == NULL)
            rc = DRP_EDB;
        else if (created) /* announced on the channels that take it */
            rc = store_notify_alert(db, *id, "opened", err);
        else if (raised && !decided) { /* and again when it rises */
            char reason[32];

            snprintf(reason, sizeof(reason), "severity:%s", severity);
            rc = store_notify_alert(db, *id, reason, err);
        }
    }
out:
    PQclear(r);
    return rc;
}

int
store_case_put(struct db *db, const struct store_doc *doc, size_t i,
               const char *finding_id, struct case_counts *c,
               struct buf *err)
{
    const struct store_alert *a = &doc->alerts[i];
    struct store_case_facts facts;
    struct store_score sc = { a->score, a->severity, a->score_parts, 1 };
    char sid[24];
    long long id;
    int rc;

    rc = facts_of(db, doc, finding_id, a, &facts, err);
    if (rc < 0)
        return rc;
    if (doc->rescore)
        doc->rescore(doc->rescore_arg, i, &facts, &sc);
    snprintf(sid, sizeof(sid), "%lld", doc->source->id);
    return put(db, a, &sc, finding_id, sid, doc->job->url, c, &id, err);
}

int
store_case_raise(struct db *db, const struct store_alert *a, const char *url,
                 struct case_counts *c, long long *id, struct buf *err)
{
    struct store_score sc = { a->score, a->severity, a->score_parts, 1 };

    return put(db, a, &sc, NULL, NULL, url, c, id, err);
}

int
store_put_alert_filters(struct db *db, const struct config *cfg,
                        struct buf *err)
{
    const struct alerts_conf *ac = &cfg->alerts;
    PGresult *r = NULL;
    size_t i;
    int rc = 0;

    QUERY(r, "DELETE FROM alert_filters", 0, NULL);
    PQclear(r);
    for (i = 0; i < ac->nallow; i++) {
        const char *p[1] = { ac->allow[i] };

        QUERY(r,
              "INSERT INTO alert_filters (what, subject) "
              "VALUES ('allow', $1)",
              1, p);
        PQclear(r);
    }
    for (i = 0; i < ac->nsuppress; i++) {
        const struct alert_rule *s = &ac->suppress[i];
        const char *p[3] = { s->kind, s->source, s->match };

        QUERY(r,
              "INSERT INTO alert_filters (what, kind, source, match) "
              "VALUES ('suppress', $1, $2, $3)",
              3, p);
        PQclear(r);
    }
out:
    return rc;
}

int
store_load_alert_filters(struct db *db, struct config *cfg, struct buf *err)
{
    struct alerts_conf *ac = &cfg->alerts;
    PGresult *r;
    int i, n;

    r = db_query(db,
                 "SELECT what, subject, kind, source, match "
                 "FROM alert_filters ORDER BY id",
                 0, NULL, err);
    if (r == NULL)
        return DRP_EDB;
    n = PQntuples(r);
    for (i = 0; i < n; i++) {
        if (PQgetvalue(r, i, 0)[0] == 'a') {
            ac->allow = xreallocarray(ac->allow, ac->nallow + 1,
                                      sizeof(*ac->allow));
            ac->allow[ac->nallow++] = db_value_dup(r, i, 1);
        } else {
            struct alert_rule *s;

            ac->suppress = xreallocarray(ac->suppress, ac->nsuppress + 1,
                                         sizeof(*ac->suppress));
            s = &ac->suppress[ac->nsuppress++];
            s->kind = db_value_dup(r, i, 2);
            s->source = db_value_dup(r, i, 3);
            s->match = db_value_dup(r, i, 4);
        }
    }
    PQclear(r);
    return 0;
}

json_t *
store_cases_list(struct db *db, const struct case_filter *f, struct buf *err)
{
    static const char *cols[] = { "id", "severity", "score", "kind",
                                  "status", "title", "source", "url",
                                  "first_seen", "last_seen", "occurrences",
                                  "sources_seen", "summary", "next_step",
                                  "audience" };
    char slimit[16];
    const char *p[6] = { f->kind, f->status, f->severity, f->source,
                         f->since, slimit };
    PGresult *r;

    snprintf(slimit, sizeof(slimit), "%d", f->limit > 0 ? f->limit : 100);
    r = db_query(db,
                 "SELECT a.id, a.severity, a.score, a.kind, a.status, "
                 "  a.title, s.name, a.url, "
                 "  to_char(a.first_seen AT TIME ZONE 'UTC', "
                 "    'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
                 "  to_char(a.last_seen AT TIME ZONE 'UTC', "
                 "    'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
                 "  a.occurrences, a.sources_seen, a.summary, a.next_step, "
                 "  a.audience "
                 "FROM alerts a LEFT JOIN sources s ON s.id = a.source_id "
                 "WHERE ($1::text IS NULL OR a.kind = $1) "
                 "  AND ($2::text IS NULL OR a.status = $2) "
                 "  AND ($3::text IS NULL OR drp_severity_rank(a.severity) "
                 "    >= drp_severity_rank($3)) "
                 "  AND ($4::text IS NULL OR s.name = $4) "
                 "  AND ($5::text IS NULL OR a.last_seen >= drp_since($5)) "
                 "ORDER BY drp_severity_rank(a.severity) DESC, a.score DESC, "
                 "  a.id LIMIT $6",
                 6, p, err);
    if (r == NULL)
        return NULL;
    return db_rows_json(r, cols);
}

json_t *
store_case_show(struct db *db, long long id, struct buf *err)
{
    char sid[24];
    const char *p[1] = { sid };
    PGresult *r;
    json_t *j;

    snprintf(sid, sizeof(sid), "%lld", id);
    r = db_query(db,
                 "SELECT json_build_object('id', a.id, 'kind', a.kind, "
                 "  'severity', a.severity, 'score', a.score, "
                 "  'score_parts', a.score_parts, 'status', a.status, "
                 "  'title', a.title, 'summary', a.summary, "
                 "  'next_step', a.next_step, 'audience', a.audience, "
                 "  'source', s.name, 'url', a.url, 'term', a.term, "
                 "  'finding', json_build_object('kind', f.kind, "
                 "    'value', f.value, 'confidence', f.confidence, "
                 "    'first_seen', f.first_seen, 'sightings', "
                 "    f.sighting_count), "
                 "  'first_seen', a.first_seen, 'last_seen', a.last_seen, "
                 "  'raised_at', a.raised_at, 'status_at', a.status_at, "
                 "  'closed_at', a.closed_at, "
                 "  'occurrences', a.occurrences, "
                 "  'sources_seen', a.sources_seen, "
                 "  'events', (SELECT json_agg(json_build_object('at', e.at, "
                 "    'actor', e.actor, 'event', e.event, 'detail', "
                 "    e.detail, 'note', e.note) ORDER BY e.at, e.id) "
                 "    FROM alert_events e WHERE e.alert_id = a.id))::text "
                 "FROM alerts a LEFT JOIN sources s ON s.id = a.source_id "
                 "LEFT JOIN findings f ON f.id = a.finding_id "
                 "WHERE a.id = $1::bigint",
                 1, p, err);
    if (r == NULL)
        return NULL;
    j = db_json(r, err);
    if (j == NULL && err->len == 0)
        buf_addf(err, "no alert %lld", id);
    return j;
}

int
store_case_status(struct db *db, long long id, char *out, size_t n,
                  struct buf *err)
{
    char sid[24];
    const char *p[1] = { sid };
    PGresult *r;
    int rc = 0;

    snprintf(sid, sizeof(sid), "%lld", id);
    r = db_query(db, "SELECT status FROM alerts WHERE id = $1::bigint", 1, p,
                 err);
    if (r == NULL)
        return DRP_EDB;
    if (PQntuples(r) == 1)
        snprintf(out, n, "%s", PQgetvalue(r, 0, 0));
    else {
        buf_addf(err, "no alert %lld", id);
        rc = DRP_ENOTFOUND;
    }
    PQclear(r);
    return rc;
}

int
store_case_transition_tx(struct db *db, long long id, const char *from,
                         const char *to, const char *actor, const char *note,
                         struct buf *err)
{
    char sid[24], detail[64];
    const char *p[3] = { sid, from, to };
    PGresult *r = NULL;
    int rc = 0;

    snprintf(sid, sizeof(sid), "%lld", id);
    snprintf(detail, sizeof(detail), "%s -> %s", from, to);
    QUERY(r,
          "UPDATE alerts SET status = $3, status_at = now(), "
          "  updated_at = now(), closed_at = CASE WHEN $3 IN ('resolved', "
          "  'false-positive', 'accepted-risk') THEN now() END "
          "WHERE id = $1::bigint AND status = $2 RETURNING id",
          3, p);
    if (PQntuples(r) != 1) {
        buf_addf(err, "alert %lld is no longer %s: changed meanwhile", id,
                 from);
        rc = DRP_ENOTFOUND;
        goto out;
    }
    PQclear(r);
    {
        const char *q[4] = { sid, actor, detail, note };

        QUERY(r,
              "INSERT INTO alert_events (alert_id, actor, event, detail, "
              "  note) VALUES ($1::bigint, $2, 'status', $3, $4)",
              4, q);
    }
out:
    PQclear(r);
    return rc;
}

int
store_case_transition(struct db *db, long long id, const char *from,
                      const char *to, const char *actor, const char *note,
                      struct buf *err)
{
    int rc = db_begin(db, err);

    if (rc < 0)
        return rc;
    rc = store_case_transition_tx(db, id, from, to, actor, note, err);
    return db_end(db, rc, err);
}

json_t *
store_case_stats(struct db *db, int days, struct buf *err)
{
    char sdays[16];
    const char *p[1] = { sdays };
    PGresult *r;

    snprintf(sdays, sizeof(sdays), "%d", days);
    /* Precision is null without verdicts: no number is better than a
       made-up one. Times are medians, in seconds. */
    r = db_query(
        db,
        "WITH p AS (SELECT now() - make_interval(days => $1::int) AS since), "
        "a AS (SELECT a.*, drp_verdict(a.status) AS v, "
        "  extract(epoch FROM a.created_at - f.first_seen) AS to_alert, "
        "  extract(epoch FROM a.closed_at - a.created_at) AS to_close "
        "  FROM alerts a LEFT JOIN findings f ON f.id = a.finding_id, p "
        "  WHERE a.last_seen >= p.since), "
        "crawled AS (SELECT count(DISTINCT d.source_id) AS n "
        "  FROM documents d, p WHERE d.fetched_at >= p.since), "
        "by_source AS (SELECT coalesce(s.name, '-') AS name, count(*) AS "
        "  alerts, count(*) FILTER (WHERE v) AS tp, "
        "  count(*) FILTER (WHERE NOT v) AS fp, "
        "  round(count(*) FILTER (WHERE v)::numeric / nullif(count(v), 0), "
        "    3) AS precision "
        "  FROM a LEFT JOIN sources s ON s.id = a.source_id "
        "  GROUP BY 1 ORDER BY 1), "
        "by_kind AS (SELECT kind AS name, count(*) AS alerts, "
        "  count(*) FILTER (WHERE v) AS tp, "
        "  count(*) FILTER (WHERE NOT v) AS fp, "
        "  round(count(*) FILTER (WHERE v)::numeric / nullif(count(v), 0), "
        "    3) AS precision FROM a GROUP BY 1 ORDER BY 1), "
        "silent AS (SELECT t.kind, t.value FROM watch_terms t "
        "  WHERE t.active AND t.kind IN ('domain', 'email_domain', "
        "    'brand', 'product') AND NOT EXISTS (SELECT 1 FROM a "
        "    WHERE lower(a.term) = lower(t.value) AND a.kind = CASE "
        "    WHEN t.kind IN ('domain', 'email_domain') "
        "    THEN 'credential-leak' ELSE 'brand-mention' END) "
        "  ORDER BY 1, 2) "
        "SELECT json_build_object('days', $1::int, "
        "  'sources_crawled', (SELECT n FROM crawled), "
        "  'alerts', (SELECT count(*) FROM a), "
        "  'by_source', (SELECT coalesce(json_agg(by_source), '[]') "
        "    FROM by_source), "
        "  'by_kind', (SELECT coalesce(json_agg(by_kind), '[]') "
        "    FROM by_kind), "
        "  'median_seconds_to_alert', (SELECT percentile_cont(0.5) "
        "    WITHIN GROUP (ORDER BY to_alert) FROM a), "
        "  'median_seconds_to_verdict', (SELECT percentile_cont(0.5) "
        "    WITHIN GROUP (ORDER BY to_close) FROM a "
        "    WHERE to_close IS NOT NULL), "
        "  'silences', (SELECT coalesce(json_agg(json_build_object("
        "    'kind', kind, 'value', value, 'text', CASE WHEN kind IN "
        "    ('domain', 'email_domain') THEN 'no credential of ' "
        "    ELSE 'no mention of ' END || value || ' seen in ' || $1 || "
        "    ' days across ' || (SELECT n FROM crawled) || ' sources')), "
        "    '[]') FROM silent))::text",
        1, p, err);
    if (r == NULL)
        return NULL;
    return db_json(r, err);
}
