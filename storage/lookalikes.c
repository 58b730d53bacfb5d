/*
 * The lookalike watch's tables (lookalikes.h): pass leases per owned
 * domain, the candidates' rows with their history, and the cases of a
 * check written with it. Scores come from the caller (alerts/); names
 * are passed as parameters, a list of them as one text[] parameter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/xalloc.h"
#include "storage/internal.h"
#include "storage/lookalikes.h"
#include "common/banned.h"

/* names[0..n) as a PostgreSQL array literal, each element quoted (host
   names, at most 253 bytes, hold no '"' or '\\': the cap always fits).
   Caller frees. */
static char *
text_array(const char *const *names, size_t n)
{
    struct buf b = BUF_INIT(n * 260 + 16);
    size_t i;

    buf_addc(&b, '{');
    for (i = 0; i < n; i++)
        buf_addf(&b, "%s\"%s\"", i ? "," : "", names[i]);
    buf_addc(&b, '}');
    return buf_detach(&b, NULL);
}

int
store_lookalike_lease(struct db *db, const char *owner,
                      const char *const *domains, size_t n, const char *since,
                      int lease_secs, char **out, struct buf *err)
{
    char *arr = text_array(domains, n);
    char secs[16];
    const char *p[4] = { arr, owner, secs, since };
    PGresult *r = NULL;
    int rc = 0;

    *out = NULL;
    snprintf(secs, sizeof(secs), "%d", lease_secs);
    QUERY(r,
          "INSERT INTO lookalike_domains (domain) "
          "SELECT unnest($1::text[]) ON CONFLICT DO NOTHING",
          1, p);
    PQclear(r);
    QUERY(r,
          "UPDATE lookalike_domains SET lease_owner = $2, "
          "  lease_until = now() + make_interval(secs => $3::int) "
          "WHERE domain = (SELECT domain FROM lookalike_domains "
          "  WHERE domain = ANY($1::text[]) "
          "    AND (lease_until IS NULL OR lease_until < now()) "
          "    AND CASE WHEN $4::timestamptz IS NULL THEN due_at <= now() "
          "      ELSE last_pass IS NULL OR last_pass < $4::timestamptz END "
          "  ORDER BY due_at, domain LIMIT 1 FOR UPDATE SKIP LOCKED) "
          "RETURNING domain",
          4, p);
    if (PQntuples(r) == 1)
        *out = db_value_dup(r, 0, 0);
out:
    PQclear(r);
    free(arr);
    return rc;
}

int
store_lookalike_clock(struct db *db, char *out, size_t n, struct buf *err)
{
    PGresult *r = NULL;
    int rc = 0;

    QUERY(r, "SELECT now()::text", 0, NULL);
    snprintf(out, n, "%s", PQgetvalue(r, 0, 0));
out:
    PQclear(r);
    return rc;
}

int
store_lookalike_prior(struct db *db, const char *domain, const char *name,
                      struct store_lookalike_prior *pr, struct buf *err)
{
    const char *p[2] = { name, domain };
    PGresult *r = NULL;
    int rc = 0;

    memset(pr, 0, sizeof(*pr));
    QUERY(r,
          "SELECT l.state, l.first_registered IS NOT NULL, "
          "  (SELECT first_pass IS NOT NULL FROM lookalike_domains "
          "   WHERE domain = $2), "
          "  (SELECT coalesce(sum(tp), 0) FROM alert_verdicts "
          "   WHERE kind IN ('lookalike-domain', 'impersonation')), "
          "  (SELECT coalesce(sum(fp), 0) FROM alert_verdicts "
          "   WHERE kind IN ('lookalike-domain', 'impersonation')) "
          "FROM (SELECT 1) one LEFT JOIN lookalikes l ON l.name = $1",
          2, p);
    pr->known = !PQgetisnull(r, 0, 0);
    if (pr->known)
        snprintf(pr->state, sizeof(pr->state), "%s", PQgetvalue(r, 0, 0));
    pr->ever_registered = PQgetvalue(r, 0, 1)[0] == 't';
    pr->baseline = PQgetvalue(r, 0, 2)[0] == 't';
    pr->rule_tp = (int)strtol(PQgetvalue(r, 0, 3), NULL, 10);
    pr->rule_fp = (int)strtol(PQgetvalue(r, 0, 4), NULL, 10);
out:
    PQclear(r);
    return rc;
}

int
store_lookalike_put(struct db *db, const struct store_lookalike_check *k,
                    const struct store_alert *alerts, size_t n,
                    const char *url, struct case_counts *c, struct buf *err)
{
    char status[24], ts[24], ms[24], brand[16], score[16], aid[24] = "";
    const char *page = k->page ? "t" : NULL;
    const char *meas = k->page && k->measured ? "t" : NULL;
    PGresult *r = NULL;
    long long id = 0;
    size_t i;
    int rc;

    snprintf(status, sizeof(status), "%ld", k->http_status);
    snprintf(ts, sizeof(ts), "%.3f", k->text_similarity);
    snprintf(ms, sizeof(ms), "%.3f", k->markup_similarity);
    snprintf(brand, sizeof(brand), "%d", k->brand_terms);
    snprintf(score, sizeof(score), "%d", k->score);
    rc = db_begin(db, err);
    if (rc < 0)
        return rc;
    for (i = 0; i < n; i++) {
        long long one;

        rc = store_case_raise(db, &alerts[i], url, c, &one, err);
        if (rc < 0)
            goto out;
        if (strcmp(alerts[i].kind, "lookalike-domain") == 0)
            id = one;
    }
    if (id > 0)
        snprintf(aid, sizeof(aid), "%lld", id);
    {
        /* Page fields are NULL when no page was asked for, likeness
           when there was no official page to measure it against. */
        const char *p[22] = {
            k->name, k->unicode, k->domain, k->fuzzers, k->state, k->reason,
            k->addresses, k->mx,
            page && k->http_status ? status : NULL,
            page ? k->final_url : NULL, meas ? ts : NULL, meas ? ms : NULL,
            page ? (k->login_form ? "t" : "f") : NULL,
            page ? (k->payment_form ? "t" : "f") : NULL,
            page ? brand : NULL,
            page ? (k->favicon_match ? "t" : "f") : NULL,
            page ? (k->parked ? "t" : "f") : NULL,
            k->score >= 0 ? score : NULL,
            k->score >= 0 ? k->severity : NULL,
            *aid ? aid : NULL,
            NULL, NULL,
        };

        QUERY(r,
              "WITH l AS (INSERT INTO lookalikes AS l (name, unicode, "
              "  domain, fuzzers, state, reason, addresses, mx, "
              "  http_status, final_url, text_similarity, "
              "  markup_similarity, login_form, payment_form, brand_terms, "
              "  favicon_match, parked, score, severity, alert_id, "
              "  first_registered) "
              "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::int, $10, "
              "  $11::real, $12::real, $13::boolean, $14::boolean, "
              "  $15::int, $16::boolean, $17::boolean, $18::int, $19, "
              "  $20::bigint, CASE WHEN $5 = 'registered' THEN now() END) "
              "ON CONFLICT (name) DO UPDATE SET unicode = EXCLUDED.unicode, "
              "  fuzzers = EXCLUDED.fuzzers, state = EXCLUDED.state, "
              "  reason = EXCLUDED.reason, last_checked = now(), "
              "  last_changed = CASE WHEN l.state IS DISTINCT FROM "
              "    EXCLUDED.state OR l.http_status IS DISTINCT FROM "
              "    EXCLUDED.http_status OR l.severity IS DISTINCT FROM "
              "    EXCLUDED.severity THEN now() ELSE l.last_changed END, "
              "  checks = l.checks + 1, "
              "  first_registered = coalesce(l.first_registered, "
              "    EXCLUDED.first_registered), "
              "  addresses = coalesce(EXCLUDED.addresses, l.addresses), "
              "  mx = CASE WHEN EXCLUDED.state = 'registered' "
              "    THEN EXCLUDED.mx ELSE l.mx END, "
              "  http_status = CASE WHEN EXCLUDED.state = 'registered' "
              "    THEN EXCLUDED.http_status ELSE l.http_status END, "
              "  final_url = CASE WHEN EXCLUDED.state = 'registered' "
              "    THEN EXCLUDED.final_url ELSE l.final_url END, "
              "  text_similarity = coalesce(EXCLUDED.text_similarity, "
              "    l.text_similarity), "
              "  markup_similarity = coalesce(EXCLUDED.markup_similarity, "
              "    l.markup_similarity), "
              "  login_form = coalesce(EXCLUDED.login_form, l.login_form), "
              "  payment_form = coalesce(EXCLUDED.payment_form, "
              "    l.payment_form), "
              "  brand_terms = coalesce(EXCLUDED.brand_terms, "
              "    l.brand_terms), "
              "  favicon_match = coalesce(EXCLUDED.favicon_match, "
              "    l.favicon_match), "
              "  parked = coalesce(EXCLUDED.parked, l.parked), "
              "  score = coalesce(EXCLUDED.score, l.score), "
              "  severity = coalesce(EXCLUDED.severity, l.severity), "
              "  alert_id = coalesce(EXCLUDED.alert_id, l.alert_id) "
              "RETURNING l.id) "
              "INSERT INTO lookalike_checks (lookalike_id, state, reason, "
              "  addresses, mx, http_status, final_url, text_similarity, "
              "  markup_similarity, login_form, payment_form, brand_terms, "
              "  favicon_match, parked, score, severity) "
              "SELECT l.id, $5, $6, $7, $8, $9::int, $10, $11::real, "
              "  $12::real, $13::boolean, $14::boolean, $15::int, "
              "  $16::boolean, $17::boolean, $18::int, $19 FROM l",
              20, p);
    }
    PQclear(r);
    r = NULL;
out:
    PQclear(r);
    return db_end(db, rc, err);
}

int
store_lookalike_states(struct db *db, const char *domain, const char *state,
                       const char *const *names, size_t n, struct buf *err)
{
    char *arr;
    PGresult *r = NULL;
    int rc = 0;

    if (n == 0)
        return 0;
    arr = text_array(names, n);
    {
        const char *p[3] = { arr, state, domain };

        QUERY(r,
              "WITH u AS (UPDATE lookalikes l SET state = $2, "
              "  reason = NULL, last_checked = now(), checks = checks + 1, "
              "  last_changed = CASE WHEN state = $2 THEN last_changed "
              "    ELSE now() END "
              "  FROM (SELECT id, state AS was FROM lookalikes "
              "    WHERE domain = $3 AND name = ANY($1::text[]) "
              "    FOR UPDATE) o "
              "  WHERE l.id = o.id RETURNING l.id, o.was) "
              "INSERT INTO lookalike_checks (lookalike_id, state) "
              "SELECT id, $2 FROM u WHERE was <> $2",
              3, p);
    }
out:
    PQclear(r);
    free(arr);
    return rc;
}

int
store_lookalike_pass_done(struct db *db, const char *domain,
                          const char *owner,
                          const struct store_lookalike_pass *ps,
                          int interval, int retry, struct buf *err)
{
    char v[5][16];
    const char *p[7] = { domain, owner, v[0], v[1], v[2], v[3], v[4] };
    PGresult *r = NULL;
    int rc = 0;

    snprintf(v[0], sizeof(v[0]), "%d", ps->candidates);
    snprintf(v[1], sizeof(v[1]), "%d", ps->registered);
    snprintf(v[2], sizeof(v[2]), "%d", ps->unknown);
    snprintf(v[3], sizeof(v[3]), "%d", ps->wildcard);
    snprintf(v[4], sizeof(v[4]), "%d",
             ps->unknown > 0 && retry < interval ? retry : interval);
    QUERY(r,
          "UPDATE lookalike_domains SET candidates = $3::int, "
          "  registered = $4::int, unknown = $5::int, wildcard = $6::int, "
          "  first_pass = coalesce(first_pass, now()), last_pass = now(), "
          "  due_at = now() + make_interval(secs => $7::int), "
          "  lease_owner = NULL, lease_until = NULL "
          "WHERE domain = $1 AND lease_owner = $2",
          7, p);
out:
    PQclear(r);
    return rc;
}

int
store_lookalike_release(struct db *db, const char *owner, struct buf *err)
{
    const char *p[1] = { owner };

    return db_exec(db,
                   "UPDATE lookalike_domains SET lease_owner = NULL, "
                   "  lease_until = NULL WHERE lease_owner = $1",
                   1, p, err);
}
