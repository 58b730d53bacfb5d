/*
 * One fetched page through the pipeline: parse, extract, redact, decide
 * alerts, store. Wiring between the modules; each step's logic lives in
 * its module.
 */
#ifndef DRP_PIPELINE_H
#define DRP_PIPELINE_H

#include "common/buf.h"
#include "common/config.h"

struct db;
struct job;
struct extractor;
struct fetch_result;
struct keyset;

struct run_stats {
    int fetched;     /* pages stored */
    int unchanged;   /* 304 or same content hash */
    int failed;      /* fetch or parse errors recorded on the source */
    int skipped;     /* not fetched: disallowed by robots.txt */
    int findings;
    int new_alerts;
    int db_errors;
};

struct store_batch;

/* pipeline_process(): the page went into the batch. */
#define PIPELINE_KEPT 1

/*
 * Handles r, the result of fetching job of src. Returns 0 when the outcome
 * is recorded (even a failed fetch), or DRP_EDB when the database did not
 * take it: the job is then still leased and should be retried.
 * known_links (may be NULL) is store_doc's, shared by the pipeline's
 * threads. With a batch (may be NULL) that is not full, a page that fits
 * one (store_batch_fits()) goes into it instead of being stored: returns
 * PIPELINE_KEPT, with st counted as if it were stored; its outcome comes
 * with user from store_batch_flush(), and job and src must live until
 * then.
 */
int pipeline_process(struct db *db, const struct extractor *x,
                     const struct config *cfg, const struct source_conf *src,
                     const struct job *job, const struct fetch_result *r,
                     struct keyset *known_links, struct store_batch *batch,
                     void *user, struct run_stats *st, struct buf *err);

#endif
