/*
 * The frontier: pages of each source as jobs in PostgreSQL, leased with
 * FOR UPDATE SKIP LOCKED and an expiry so that several workers share them
 * and a dead worker's jobs come back.
 */
#ifndef DRP_FRONTIER_H
#define DRP_FRONTIER_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"

struct db;

struct job {
    long long id;
    long long source_id;
    char *url;
    int depth;
    char *etag;          /* from the last fetch, or NULL */
    char *last_modified; /* from the last fetch, or NULL */
    char *content_hash;  /* hex SHA-256 of the last body, or NULL */
    char *role;          /* list, page, marked, once (crawler/adapter.h) */
    long long thread_id; /* first page's job of this thread page, or 0 */
    const char *owner;   /* the lease's holder: frontier_lease()'s owner,
                            borrowed (it must outlive the job) */
    long long lease;     /* the lease's token: the workers of a run share
                            their owner (migration 020) */
};

void job_release(struct job *job);
void jobs_free(struct job *jobs, size_t n);

/* Starts a full pass (run --once): every list and page job of every
   enabled source is due now; marked jobs (forum threads) wait for their
   marker to change and once jobs (pastes) are never fetched again. */
int frontier_start_pass(struct db *db, struct buf *err);

/*
 * Leases up to max due jobs for owner for lease_secs seconds, none of the
 * sources in skip (ids; nskip may be 0). *jobs is a new array of *n jobs
 * (jobs_free() it). A job whose lease has expired is taken (a worker that
 * died or hung, on another host or in this run). Each job borrows owner
 * and gets a token, a random number drawn for the call: whatever
 * completes the job checks both, so the page of a job whose lease is lost
 * meanwhile, even to another worker of the run, is not stored
 * (store_document(): DRP_ELEASE).
 */
int frontier_lease(struct db *db, const char *owner, int max, int lease_secs,
                   const long long *skip, size_t nskip, struct job **jobs,
                   size_t *n, struct buf *err);

/*
 * A fetch of job failed: records the error on the job and its source
 * (source_errors), releases the lease and backs the job off. When the
 * job's lease is no longer the one it was leased under (job->owner and
 * job->lease: it expired and another worker took the job), records nothing
 * and returns DRP_ELEASE.
 */
int frontier_fail(struct db *db, const struct job *job, int http_status,
                  const char *error, struct buf *err);

/*
 * The job was not fetched, or its page is not content (robots.txt
 * disallows it, the session expired): records reason on the job, releases
 * it and makes it due again after its source's interval. With
 * source_warning the reason is also a health warning on the source
 * (sources.last_error, source_errors). DRP_ELEASE, recording nothing,
 * as frontier_fail().
 */
int frontier_skip(struct db *db, const struct job *job, const char *reason,
                  bool source_warning, struct buf *err);

/* The page is unchanged (304 or same content hash): release, reschedule.
   DRP_ELEASE, recording nothing, as frontier_fail(). */
int frontier_unchanged(struct db *db, const struct job *job, int http_status,
                       struct buf *err);

/* Releases every lease owner holds (clean shutdown). */
int frontier_release(struct db *db, const char *owner, struct buf *err);

/* Releases one job's lease (when it is still the one the job was leased
   under) so that it can be leased again. */
int frontier_release_job(struct db *db, const struct job *job,
                         struct buf *err);

/*
 * Releases the leases held by workers on this host (owner "host:pid")
 * whose process is gone, so that a killed run's jobs come back at once
 * instead of at lease expiry. No index holds the leased jobs (an index
 * on the lease would keep the lease from being a HOT update: migration
 * 015), so it reads the whole jobs table: call it every few seconds, not
 * every lease (10 ms for the 20,000 jobs of bench/crawl, busy machine).
 */
int frontier_reclaim_local(struct db *db, const char *host, struct buf *err);

/* Counts jobs of enabled sources still due now (not leased). */
int frontier_due_count(struct db *db, long long *n, struct buf *err);

#endif
