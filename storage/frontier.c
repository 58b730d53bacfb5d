/*
 * Job leasing and rescheduling. Each statement is one round trip and
 * touches only jobs/sources/source_errors; documents are written by
 * store.c in the same transaction that completes their job.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common/err.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "storage/frontier.h"
#include "storage/internal.h"
#include "common/banned.h"

void
job_release(struct job *job)
{
    free(job->url);
    free(job->etag);
    free(job->last_modified);
    free(job->content_hash);
    free(job->role);
    memset(job, 0, sizeof(*job));
}

void
jobs_free(struct job *jobs, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        job_release(&jobs[i]);
    free(jobs);
}

int
frontier_start_pass(struct db *db, struct buf *err)
{
    return db_exec(db, "UPDATE jobs SET due_at = now() "
                    "WHERE source_id IN (SELECT id FROM sources "
                    "WHERE enabled) AND due_at > now() "
                    "AND role IN ('list', 'page') "
                    "AND (lease_expires IS NULL OR lease_expires < now())",
                0, NULL, err);
}

int
frontier_lease(struct db *db, const char *owner, int max, int lease_secs,
               const long long *skip, size_t nskip, struct job **jobs,
               size_t *n, struct buf *err)
{
    char smax[16], ssecs[16], stoken[24];
    struct buf skips = BUF_INIT(1u << 20);
    struct db_batch b;
    const char *params[5] = { owner, smax, ssecs, NULL, stoken };
    PGresult *r;
    uint64_t token;
    long long lease;
    size_t k;
    int i, rows;

    *jobs = NULL;
    *n = 0;
    /* The leases' token: random, not a sequence's next value, which a
       server crash may hand out again along with the lost commits. */
    if (getrandom(&token, sizeof(token), 0) != (ssize_t)sizeof(token)) {
        buf_addf(err, "cannot draw a lease token: %s", strerror(errno));
        buf_release(&skips);
        return DRP_EIO;
    }
    lease = (long long)(token & (UINT64_MAX >> 1)); /* a bigint, >= 0 */
    snprintf(stoken, sizeof(stoken), "%lld", lease);
    snprintf(smax, sizeof(smax), "%d", max);
    snprintf(ssecs, sizeof(ssecs), "%d", lease_secs);
    buf_addc(&skips, '{');
    for (k = 0; k < nskip; k++)
        buf_addf(&skips, k ? ",%lld" : "%lld", skip[k]);
    buf_addc(&skips, '}');
    params[3] = buf_str(&skips);
    /* Walks jobs_lease in crawl order and stops after max jobs, whatever
       the statistics say: estimates made when few jobs were due (before
       a pass, early in a crawl, or just after an ANALYZE mid-crawl) had
       the planner read and sort every due job instead, on every lease.
       The settings hold for this transaction only. The plan is the
       generic one, made once a session: with its parameters' values (the
       limit, the sources skipped), the server found a plan of its own
       for them cheaper on paper and planned the statement again for
       every lease: a quarter of the leasing session's work. A job leased
       to someone else is skipped until its lease expires: jobs_lease
       holds every job, so that taking or clearing a lease changes no
       index and the update can stay on its page (migration 015). */
    db_batch_init(&b);
    db_batch_add(&b, "BEGIN", 0, NULL);
    db_batch_add(&b, "SET LOCAL enable_seqscan = off", 0, NULL);
    db_batch_add(&b, "SET LOCAL enable_bitmapscan = off", 0, NULL);
    db_batch_add(&b, "SET LOCAL enable_sort = off", 0, NULL);
    db_batch_add(&b, "SET LOCAL plan_cache_mode = force_generic_plan", 0,
                 NULL);
    db_batch_add(&b,
                 "UPDATE jobs j SET lease_owner = $1, lease_token = $5, "
                 "  lease_expires = now() + make_interval(secs => $3), "
                 "  attempts = j.attempts + 1 "
                 "FROM (SELECT j2.id FROM jobs j2 "
                 "      JOIN sources s ON s.id = j2.source_id AND s.enabled "
                 "      WHERE j2.due_at <= now() AND (j2.lease_owner IS NULL "
                 "        OR j2.lease_expires < now()) "
                 "        AND NOT (j2.source_id = ANY ($4::bigint[])) "
                 "      ORDER BY j2.depth, j2.due_at, j2.id LIMIT $2 "
                 "      FOR UPDATE OF j2 SKIP LOCKED) due "
                 "WHERE j.id = due.id "
                 "RETURNING j.id, j.source_id, j.url, j.depth, j.etag, "
                 "  j.last_modified, encode(j.content_hash, 'hex'), j.role, "
                 "  j.thread_id",
                 5, params);
    db_batch_add(&b, "COMMIT", 0, NULL);
    r = db_batch_run(db, &b, err) < 0 ? NULL : b.res[5];
    buf_release(&skips);
    if (r == NULL) {
        db_batch_release(&b);
        return DRP_EDB;
    }
    rows = PQntuples(r);
    if (rows > 0)
        *jobs = xcalloc((size_t)rows, sizeof(**jobs));
    for (i = 0; i < rows; i++) {
        struct job *j = &(*jobs)[i];

        j->id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
        j->source_id = strtoll(PQgetvalue(r, i, 1), NULL, 10);
        j->url = xstrdup(PQgetvalue(r, i, 2));
        j->depth = (int)strtol(PQgetvalue(r, i, 3), NULL, 10);
        j->etag = db_value_dup(r, i, 4);
        j->last_modified = db_value_dup(r, i, 5);
        j->content_hash = db_value_dup(r, i, 6);
        j->role = xstrdup(PQgetvalue(r, i, 7));
        j->thread_id = strtoll(PQgetvalue(r, i, 8), NULL, 10);
        j->owner = owner;
        j->lease = lease;
    }
    *n = (size_t)rows;
    db_batch_release(&b);
    return 0;
}

/* The count of the statement of frontier_fail(), frontier_skip() or
   frontier_unchanged(): 0 when the job is not (or no longer) under the
   lease it was leased under, so nothing was recorded. */
static int
leased_update(struct db *db, const char *sql, int nparams,
              const char *const *params, struct buf *err)
{
    PGresult *r = db_query_prepared(db, sql, nparams, params, err);
    bool held;

    if (r == NULL)
        return DRP_EDB;
    held = strcmp(PQgetvalue(r, 0, 0), "0") != 0;
    PQclear(r);
    if (held)
        return 0;
    buf_reset(err);
    buf_adds(err, "lease lost: the job is another worker's now");
    return DRP_ELEASE;
}

int
frontier_fail(struct db *db, const struct job *job, int http_status,
              const char *error, struct buf *err)
{
    char id[24], sid[24], status[16], lease[24];
    const char *params[7] = { id,       status,     error, sid,
                              job->url, job->owner, lease };

    snprintf(id, sizeof(id), "%lld", job->id);
    snprintf(lease, sizeof(lease), "%lld", job->lease);
    snprintf(sid, sizeof(sid), "%lld", job->source_id);
    snprintf(status, sizeof(status), "%d", http_status);
    if (http_status == 0)
        params[1] = NULL;
    /* Back off: 5 minutes doubling per failed attempt, at most a day.
       Only while the lease is still the run's: a copy whose lease expired
       and was taken leaves the job, and the source, to its new holder. */
    return leased_update(db,
                "WITH j AS (UPDATE jobs SET lease_owner = NULL, "
                "  lease_expires = NULL, last_status = $2::int, "
                "  last_error = $3, due_at = now() + least("
                "    interval '1 day', interval '5 minutes' * "
                "    power(2, least(attempts, 12) - 1)) "
                "  WHERE id = $1::bigint AND lease_owner = $6 "
                "    AND lease_token = $7::bigint RETURNING id), "
                "e AS (INSERT INTO source_errors (source_id, url, error) "
                "  SELECT $4::bigint, $5, $3 FROM j RETURNING id), "
                "s AS (UPDATE sources SET last_error = $3, "
                "  last_error_at = now() WHERE id = $4::bigint "
                "  AND EXISTS (SELECT FROM j) RETURNING id) "
                "SELECT count(*) FROM j",
                7, params, err);
}

int
frontier_skip(struct db *db, const struct job *job, const char *reason,
              bool source_warning, struct buf *err)
{
    char id[24], sid[24], lease[24];
    const char *params[6] = { id, reason, job->owner, sid, job->url, lease };

    snprintf(id, sizeof(id), "%lld", job->id);
    snprintf(lease, sizeof(lease), "%lld", job->lease);
    snprintf(sid, sizeof(sid), "%lld", job->source_id);
    if (!source_warning)
        params[3] = NULL; /* no source: no warning row */
    /* attempts is not reset: a page skipped again and again is visible.
       Due again after the interval whatever its role (not drp_next_due):
       the page was not read, so a thread or a paste must be tried again
       once robots.txt or the session allows it. As frontier_fail(): only
       while the lease is the run's. */
    return leased_update(db,
                "WITH j AS (UPDATE jobs SET lease_owner = NULL, "
                "  lease_expires = NULL, last_error = $2, "
                "  due_at = now() + make_interval(secs => (SELECT "
                "    interval_s FROM sources s WHERE s.id = source_id)) "
                "  WHERE id = $1::bigint AND lease_owner = $3 "
                "    AND lease_token = $6::bigint RETURNING id), "
                "e AS (INSERT INTO source_errors (source_id, url, error) "
                "  SELECT $4::bigint, $5, $2 FROM j "
                "  WHERE $4::bigint IS NOT NULL RETURNING id), "
                "s AS (UPDATE sources SET last_error = $2, "
                "  last_error_at = now() WHERE id = $4::bigint "
                "  AND EXISTS (SELECT FROM j) RETURNING id) "
                "SELECT count(*) FROM j",
                6, params, err);
}

int
frontier_unchanged(struct db *db, const struct job *job, int http_status,
                   struct buf *err)
{
    char id[24], sid[24], status[16], lease[24];
    const char *params[5] = { sid, id, status, job->owner, lease };

    snprintf(id, sizeof(id), "%lld", job->id);
    snprintf(sid, sizeof(sid), "%lld", job->source_id);
    snprintf(status, sizeof(status), "%d", http_status);
    snprintf(lease, sizeof(lease), "%lld", job->lease);
    return leased_update(db, DB_JOB_DONE(""), 5, params, err);
}

int
frontier_release(struct db *db, const char *owner, struct buf *err)
{
    const char *params[1] = { owner };

    return db_exec(db, "UPDATE jobs SET lease_owner = NULL, "
                    "lease_expires = NULL WHERE lease_owner = $1",
                1, params, err);
}

int
frontier_due_count(struct db *db, long long *n, struct buf *err)
{
    PGresult *r = db_query(db,
                           "SELECT count(*) FROM jobs j JOIN sources s "
                           "ON s.id = j.source_id AND s.enabled "
                           "WHERE j.due_at <= now() AND (j.lease_expires "
                           "IS NULL OR j.lease_expires < now())",
                           0, NULL, err);

    if (r == NULL)
        return DRP_EDB;
    *n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return 0;
}

int
frontier_release_job(struct db *db, const struct job *job, struct buf *err)
{
    char id[24], lease[24];
    const char *params[3] = { id, job->owner, lease };

    snprintf(id, sizeof(id), "%lld", job->id);
    snprintf(lease, sizeof(lease), "%lld", job->lease);
    /* Not a lease lost and taken by someone else since. */
    return db_exec_prepared(db, "UPDATE jobs SET lease_owner = NULL, "
                                "lease_expires = NULL WHERE id = $1::bigint "
                                "AND lease_owner = $2 "
                                "AND lease_token = $3::bigint",
                            3, params, err);
}

int
frontier_reclaim_local(struct db *db, const char *host, struct buf *err)
{
    char *prefix = xasprintf("%s:", host);
    const char *params[1] = { prefix };
    PGresult *r;
    int i, rc = 0;

    r = db_query(db, "SELECT DISTINCT lease_owner FROM jobs "
                     "WHERE lease_owner IS NOT NULL "
                     "AND starts_with(lease_owner, $1)",
                 1, params, err);
    if (r == NULL) {
        free(prefix);
        return DRP_EDB;
    }
    for (i = 0; i < PQntuples(r) && rc == 0; i++) {
        const char *owner = PQgetvalue(r, i, 0);
        char *end;
        long pid = strtol(owner + strlen(prefix), &end, 10);

        if (*end != '\0' || pid <= 0)
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        log_info("reclaiming the leases of a dead worker: owner='%s'",
                 owner);
        rc = frontier_release(db, owner, err);
    }
    PQclear(r);
    free(prefix);
    return rc;
}
