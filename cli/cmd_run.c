/*
 * drpwatch run [--once]: lease due jobs, fetch them concurrently, feed each
 * result through the pipeline. --once makes every page due now and returns
 * when the pass is done; without it the service runs until SIGTERM/SIGINT.
 * A database outage is waited out (bounded) and reported in the exit code.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/pipeline.h"
#include "common/config.h"
#include "common/err.h"
#include "common/log.h"
#include "common/secret.h"
#include "common/xalloc.h"
#include "crawler/fetch.h"
#include "extract/extract.h"
#include "storage/db.h"
#include "storage/frontier.h"
#include "storage/store.h"
#include "common/banned.h"

#define RUN_DB_WAIT 60   /* seconds to wait for the database to return */
#define RUN_IDLE_SLEEP 5 /* seconds between looks at the frontier */
#define RUN_PREPARE_EVERY 3600 /* seconds between partition checks */
#define RUN_RECLAIM_EVERY 10   /* seconds between looks for dead workers */

static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static const struct source_conf *
find_source(const struct config *cfg, long long id)
{
    size_t i;

    for (i = 0; i < cfg->nsources; i++)
        if (cfg->sources[i].id == id)
            return &cfg->sources[i];
    return NULL;
}

/* Waits for the database to answer again; false after RUN_DB_WAIT s. */
static bool
wait_for_db(struct db *db)
{
    int i;

    for (i = 0; i < RUN_DB_WAIT && !stopping; i++) {
        if (db_ping(db)) {
            log_info("database reachable again");
            return true;
        }
        sleep(1);
    }
    return false;
}

struct run {
    struct db *db;
    struct config cfg;
    struct extractor *x;
    struct fetcher *f;
    char owner[300];
    char host[256];
    int lease_secs;
    time_t reclaimed;   /* last frontier_reclaim_local() */
    struct job **retry; /* jobs whose outcome the database did not take */
    size_t nretry;
    struct run_stats st;
    time_t prepared;    /* last store_prepare_partitions() */
};

static int
load(struct run *run, struct cli *c)
{
    struct buf err = BUF_INIT(8192);
    struct buf key = BUF_INIT(SECRET_MAX_KEY);
    int rc = EXIT_OK;

    if (store_load_settings(run->db, &run->cfg, &err) < 0 ||
        store_load_terms(run->db, &run->cfg, &err) < 0 ||
        store_load_sources(run->db, &run->cfg, &err) < 0) {
        log_err("cannot load the applied configuration: %s", buf_str(&err));
        rc = EXIT_DB;
        goto out;
    }
    if (run->cfg.nsources == 0) {
        log_err("no enabled sources: declare them with 'drpwatch apply "
                "drpwatch.yaml' first");
        rc = EXIT_USAGE;
        goto out;
    }
    if (secret_load_key(run->cfg.hash_key_file, c->data_dir, &key, &err) <
        0) {
        log_err("cannot load the credential hash key: %s", buf_str(&err));
        rc = EXIT_FAIL;
        goto out;
    }
    run->x = extractor_new(run->cfg.terms, run->cfg.nterms,
                           (const unsigned char *)buf_str(&key), key.len);
    if (run->x == NULL) {
        log_err("cannot build the extractor for the watch terms");
        rc = EXIT_FAIL;
    } else if (cli_load_benign(run->x, run->cfg.benign_file) < 0) {
        rc = EXIT_USAGE;
    }
out:
    buf_release(&key);
    buf_release(&err);
    return rc;
}

/* Leases up to want jobs and starts their transfers. */
static int
lease(struct run *run, int want, int *got)
{
    struct buf err = BUF_INIT(8192);
    struct job *jobs = NULL;
    size_t n = 0, i;
    int rc;

    *got = 0;
    rc = frontier_lease(run->db, run->owner, want, run->lease_secs, &jobs,
                        &n, &err);
    if (rc < 0) {
        log_err("cannot lease jobs: %s", buf_str(&err));
        buf_release(&err);
        return rc;
    }
    for (i = 0; i < n; i++) {
        const struct source_conf *src = find_source(&run->cfg,
                                                    jobs[i].source_id);
        struct job *j = xmalloc(sizeof(*j));
        struct fetch_req req = { 0 };

        *j = jobs[i];
        memset(&jobs[i], 0, sizeof(jobs[i]));
        if (src == NULL) {
            /* Enabled after this run started: leave it to the next. */
            frontier_release_job(run->db, j, &err);
            job_release(j);
            free(j);
            continue;
        }
        req.url = j->url;
        req.tor = src->tor;
        req.allow_private = src->allow_private;
        req.isolation = src->name;
        req.etag = j->etag;
        req.last_modified = j->last_modified;
        req.user = j;
        log_debug("fetching: source='%s' url='%s' depth=%d", src->name,
                  j->url, j->depth);
        fetcher_add(run->f, &req);
        (*got)++;
    }
    jobs_free(jobs, n);
    buf_release(&err);
    return 0;
}

static void
handle(struct run *run, struct fetch_result *r)
{
    struct buf err = BUF_INIT(8192);
    struct job *j = r->user;
    const struct source_conf *src = find_source(&run->cfg, j->source_id);
    int rc;

    rc = pipeline_process(run->db, run->x, &run->cfg, src, j, r, &run->st,
                          &err);
    if (rc < 0) {
        log_err("cannot store page: source='%s' url='%s' %s", src->name,
                j->url, buf_str(&err));
        run->st.db_errors++;
        run->retry = xreallocarray(run->retry, run->nretry + 1,
                                   sizeof(*run->retry));
        run->retry[run->nretry++] = j;
    } else {
        job_release(j);
        free(j);
    }
    fetch_result_free(r);
    buf_release(&err);
}

/* After an outage: release the leases of jobs that were not stored. */
static void
release_retries(struct run *run)
{
    struct buf err = BUF_INIT(8192);
    size_t i;

    for (i = 0; i < run->nretry; i++) {
        if (frontier_release_job(run->db, run->retry[i], &err) < 0)
            log_warn("cannot release job: url='%s' %s", run->retry[i]->url,
                     buf_str(&err));
        job_release(run->retry[i]);
        free(run->retry[i]);
    }
    run->nretry = 0;
    buf_release(&err);
}

/*
 * The jobs leased by a worker on this host that died (SIGKILL, OOM) come
 * back now rather than at lease expiry. Workers on other hosts get them
 * back when the leases expire.
 */
static void
reclaim(struct run *run)
{
    struct buf err = BUF_INIT(8192);

    if (frontier_reclaim_local(run->db, run->host, &err) < 0)
        log_warn("cannot reclaim dead workers' leases: %s", buf_str(&err));
    run->reclaimed = time(NULL);
    buf_release(&err);
}

/* The service's periodic housekeeping: next month's partition. */
static void
prepare(struct run *run)
{
    struct buf err = BUF_INIT(8192);

    if (store_prepare_partitions(run->db, &err) < 0)
        log_warn("cannot prepare document partitions: %s", buf_str(&err));
    run->prepared = time(NULL);
    buf_release(&err);
}

static int
crawl(struct run *run, bool once)
{
    int conc = run->cfg.crawl.concurrency;
    bool db_down = false;
    int got;
    struct fetch_result *r;

    for (;;) {
        int pending = fetcher_pending(run->f);

        got = 0;
        if (!stopping && !db_down &&
            time(NULL) - run->reclaimed >= RUN_RECLAIM_EVERY)
            reclaim(run);
        if (!stopping && !db_down && pending < conc &&
            lease(run, conc - pending, &got) < 0) {
            run->st.db_errors++;
            db_down = true;
        }
        if (db_down) {
            /* Let transfers in flight finish while we wait. */
            if (fetcher_pending(run->f) == 0 || run->nretry > 0) {
                if (!wait_for_db(run->db))
                    return EXIT_DB;
                db_down = false;
                release_retries(run);
                continue;
            }
        }
        if (fetcher_pending(run->f) == 0 && got == 0) {
            if (run->nretry > 0) {
                db_down = true;
                continue;
            }
            if (once || stopping)
                return EXIT_OK;
            sleep(RUN_IDLE_SLEEP);
            if (time(NULL) - run->prepared >= RUN_PREPARE_EVERY)
                prepare(run);
            continue;
        }
        if (fetcher_poll(run->f, 250) < 0)
            return EXIT_FAIL;
        while ((r = fetcher_next(run->f)) != NULL) {
            handle(run, r);
            if (run->nretry > 0)
                db_down = true;
        }
    }
}

int
cmd_run(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "once", no_argument, NULL, 'o' },
        { NULL, 0, NULL, 0 },
    };
    struct run run = { 0 };
    struct buf err = BUF_INIT(8192);
    struct fetch_opts fo = { 0 };
    struct sigaction sa = { 0 };
    bool once = false;
    int rc = EXIT_OK;
    int ch;
    time_t started = time(NULL);

    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (ch != 'o') {
            fprintf(stderr, "usage: drpwatch run [--once]\n");
            return EXIT_USAGE;
        }
        once = true;
    }
    if (optind < argc) {
        fprintf(stderr, "usage: drpwatch run [--once]\n");
        return EXIT_USAGE;
    }
    config_init(&run.cfg);
    run.db = cli_db(c);
    if (run.db == NULL) {
        rc = EXIT_DB;
        goto out;
    }
    rc = load(&run, c);
    if (rc != EXIT_OK)
        goto out;
    if (gethostname(run.host, sizeof(run.host)) < 0)
        snprintf(run.host, sizeof(run.host), "localhost");
    run.host[sizeof(run.host) - 1] = '\0';
    snprintf(run.owner, sizeof(run.owner), "%s:%d", run.host,
             (int)getpid());
    run.lease_secs = run.cfg.crawl.onion_timeout * 2 + 60;
    if (frontier_reclaim_local(run.db, run.host, &err) < 0 ||
        store_prepare_partitions(run.db, &err) < 0 ||
        (once && frontier_start_pass(run.db, &err) < 0)) {
        log_err("cannot prepare the crawl: %s", buf_str(&err));
        rc = EXIT_DB;
        goto out;
    }
    run.prepared = run.reclaimed = time(NULL);
    fo.tor_proxy = run.cfg.tor_proxy;
    fo.concurrency = run.cfg.crawl.concurrency;
    fo.per_host = 4;
    fo.timeout = run.cfg.crawl.timeout;
    fo.onion_timeout = run.cfg.crawl.onion_timeout;
    fo.low_speed_time = run.cfg.crawl.low_speed_time;
    fo.max_body = run.cfg.crawl.max_body;
    fo.max_redirects = run.cfg.crawl.max_redirects;
    fo.user_agent = run.cfg.crawl.user_agent;
    run.f = fetcher_new(&fo);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    log_info("crawl started: owner='%s' sources=%zu terms=%zu once=%s",
             run.owner, run.cfg.nsources, run.cfg.nterms,
             once ? "yes" : "no");
    rc = crawl(&run, once);
    if (frontier_release(run.db, run.owner, &err) < 0)
        log_warn("cannot release leases: %s", buf_str(&err));
    printf("crawl finished in %lds: pages stored=%d unchanged=%d failed=%d "
           "findings=%d new alerts=%d database errors=%d\n",
           (long)(time(NULL) - started), run.st.fetched, run.st.unchanged,
           run.st.failed, run.st.findings, run.st.new_alerts,
           run.st.db_errors);
    if (rc == EXIT_OK && run.st.db_errors > 0)
        rc = EXIT_DB;
    else if (rc == EXIT_OK && run.st.failed > 0)
        rc = EXIT_PARTIAL;
out:
    release_retries(&run);
    free(run.retry);
    fetcher_free(run.f);
    extractor_free(run.x);
    config_release(&run.cfg);
    db_close(run.db);
    buf_release(&err);
    return rc;
}
