/*
 * drpwatch run [--once]: lease due jobs, fetch them concurrently, feed each
 * result through the pipeline, and deliver notifications beside it
 * (cli/notifier.h). --once makes every page due now and returns
 * when the pass is done; without it the service runs until SIGTERM/SIGINT.
 * A database outage is waited out (bounded) and reported in the exit code.
 * This thread leases and fetches; worker threads, each with its own
 * database connection, take fetched pages through the pipeline, so that
 * transfers go on while pages are parsed and stored.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/lookwatch.h"
#include "cli/notifier.h"
#include "cli/pipeline.h"
#include "cli/takedown.h"
#include "common/config.h"
#include "common/err.h"
#include "common/keyset.h"
#include "common/log.h"
#include "common/secret.h"
#include "common/workq.h"
#include "common/xalloc.h"
#include "crawler/adapter.h"
#include "crawler/cookie.h"
#include "crawler/fetch.h"
#include "crawler/polite.h"
#include "crawler/robots.h"
#include "crawler/tor.h"
#include "crawler/url.h"
#include "extract/extract.h"
#include "storage/db.h"
#include "storage/frontier.h"
#include "storage/cases.h"
#include "storage/store.h"
#include "common/banned.h"

#define RUN_DB_WAIT 60   /* seconds to wait for the database to return */
#define RUN_IDLE_SLEEP 5 /* seconds between looks at the frontier */
#define RUN_PREPARE_EVERY 3600 /* seconds between partition checks */
#define RUN_RECLAIM_EVERY 10   /* seconds between looks for dead workers */
#define RUN_NEWNYM_EVERY 60    /* seconds between NEWNYM signals at most */
#define RUN_NEWNYM_TIMEOUT_MS 5000
#define RUN_LEASE_EVERY_MS 250 /* between lease attempts that found none */
#define RUN_PER_HOST 4         /* requests in flight per host */
#define RUN_TAKEDOWN_EVERY 60  /* seconds between looks for due takedown
                                  re-checks and reminders */
#define RUN_TAKEDOWN_MAX 8     /* re-checks in flight at most */
#define RUN_MAX_WORKERS 8      /* pipeline threads, at most */
#define RUN_KNOWN_LINKS 262144 /* links known in frontiers (4 MB) */

/* The user pointer of robots.txt transfers (page transfers carry a job). */
static char robots_tag;

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

static int
max_delay_ms(const struct config *cfg)
{
    size_t i;
    int max = 0;

    for (i = 0; i < cfg->nsources; i++)
        if (cfg->sources[i].delay_ms > max)
            max = cfg->sources[i].delay_ms;
    return max;
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
    int tor_failures;   /* fetches through Tor that failed in a row */
    time_t newnym_at;   /* last NEWNYM asked */
    struct job **retry; /* jobs whose outcome the database did not take */
    size_t nretry;
    struct run_stats st;
    time_t prepared;    /* last store_prepare_partitions() */
    struct polite *polite;
    struct job **held;  /* leased, waiting for their host (polite.h) */
    size_t nheld;
    char **cookies;     /* per cfg.sources[i]: its Cookie header, or NULL */
    char **cookie_errors; /* per source: why its cookie is unusable */
    struct takedown_checker *tc; /* takedown follow-through (the service) */
    time_t takedowns_at; /* last look for due re-checks */
    struct workq *wq;   /* fetched pages through the pipeline */
    struct db **wdb;    /* per worker: its connection */
    struct store_batch **wbatch; /* per worker: pages kept to store */
    bool *wfailed;      /* per worker: its last page met a database error */
    int nworkers;
    struct keyset *known_links; /* the workers' store_doc.known_links */
};

/* A fetched page on its way through a worker. */
struct page_work {
    struct job *job;
    struct fetch_result *res; /* freed by the worker */
    const struct source_conf *src;
    struct run_stats st;      /* what the pipeline counted */
    int rc;                   /* pipeline_process()'s */
    bool refused;             /* rc < 0: the database refused the page */
    char *errmsg;             /* why, when rc < 0 */
};

static size_t
source_index(const struct run *run, const struct source_conf *src)
{
    return (size_t)(src - run->cfg.sources);
}

/* Reads every source's session cookie; a source whose cookie cannot be
   read is not crawled (its jobs fail with the reason). */
static void
load_cookies(struct run *run)
{
    struct buf err = BUF_INIT(4096);
    size_t i, n = run->cfg.nsources;

    run->cookies = xcalloc(n + 1, sizeof(*run->cookies));
    run->cookie_errors = xcalloc(n + 1, sizeof(*run->cookie_errors));
    for (i = 0; i < n; i++) {
        const struct source_conf *s = &run->cfg.sources[i];

        if (s->cookie_file == NULL)
            continue;
        buf_reset(&err);
        if (cookie_load(s->cookie_file, s->url, &run->cookies[i], &err) <
            0) {
            log_err("cannot use the session cookie: source='%s' %s",
                    s->name, buf_str(&err));
            run->cookie_errors[i] = xasprintf("session cookie unusable: %s",
                                              buf_str(&err));
        }
    }
    buf_release(&err);
}

static void
free_cookies(struct run *run)
{
    size_t i;

    for (i = 0; run->cookies && i < run->cfg.nsources; i++) {
        if (run->cookies[i])
            memset(run->cookies[i], 0, strlen(run->cookies[i]));
        free(run->cookies[i]);
        free(run->cookie_errors[i]);
    }
    free(run->cookies);
    free(run->cookie_errors);
}

static int
load(struct run *run, struct cli *c)
{
    struct buf err = BUF_INIT(8192);
    struct buf key = BUF_INIT(SECRET_MAX_KEY);
    int rc = EXIT_OK;

    if (store_load_settings(run->db, &run->cfg, &err) < 0 ||
        store_load_terms(run->db, &run->cfg, &err) < 0 ||
        store_load_sources(run->db, &run->cfg, &err) < 0 ||
        store_load_alert_filters(run->db, &run->cfg, &err) < 0) {
        log_err("cannot load the applied configuration: %s", buf_str(&err));
        rc = EXIT_DB;
        goto out;
    }
    if (run->cfg.nsources == 0 && !run->cfg.lookalikes.enabled) {
        log_err("no enabled sources and no lookalike watch: declare them "
                "with 'drpwatch apply drpwatch.yaml' first");
        rc = EXIT_USAGE;
        goto out;
    }
    if (secret_load_key(run->cfg.hash_key_file, c->data_dir, &key, &err) <
        0) {
        log_err("cannot load the credential hash key: %s", buf_str(&err));
        rc = EXIT_FAIL;
        goto out;
    }
    load_cookies(run);
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

/*
 * Leases up to want jobs into the held list (dispatch() starts them). A
 * source with jobs held already gets no more: one slow host must not fill
 * the list. *looked tells whether the frontier was asked (not when every
 * source has jobs held: that says nothing of the frontier).
 */
static int
lease(struct run *run, int want, int *got, bool *looked)
{
    struct buf err = BUF_INIT(8192);
    struct job *jobs = NULL;
    long long *skip = xcalloc(run->nheld + 1, sizeof(*skip));
    size_t n = 0, nskip = 0, i;
    int rc;

    *got = 0;
    *looked = false;
    for (i = 0; i < run->nheld; i++) {
        long long id = run->held[i]->source_id;
        size_t k;

        for (k = 0; k < nskip && skip[k] != id; k++)
            ;
        if (k == nskip)
            skip[nskip++] = id;
    }
    if (nskip >= run->cfg.nsources) {
        /* Every source has jobs waiting here: none could be leased. */
        free(skip);
        buf_release(&err);
        return 0;
    }
    *looked = true;
    rc = frontier_lease(run->db, run->owner, want, run->lease_secs, skip,
                        nskip, &jobs, &n, &err);
    free(skip);
    if (rc < 0) {
        log_err("cannot lease jobs: %s", buf_str(&err));
        buf_release(&err);
        return rc;
    }
    for (i = 0; i < n; i++) {
        const struct source_conf *src = find_source(&run->cfg,
                                                    jobs[i].source_id);
        struct job *j = xmalloc(sizeof(*j));

        *j = jobs[i];
        memset(&jobs[i], 0, sizeof(jobs[i]));
        if (src == NULL) {
            /* Enabled after this run started: leave it to the next. */
            frontier_release_job(run->db, j, &err);
            job_release(j);
            free(j);
            continue;
        }
        run->held = xreallocarray(run->held, run->nheld + 1,
                                  sizeof(*run->held));
        run->held[run->nheld++] = j;
        (*got)++;
    }
    jobs_free(jobs, n);
    buf_release(&err);
    return 0;
}

/*
 * Done with j: freed, or kept for a retry when the database failed. A
 * statement the database refused would fail again: the job is left to its
 * lease's expiry instead of being retried at once without end.
 */
static void
settle(struct run *run, struct job *j, int rc, const struct buf *err)
{
    if (rc == DRP_ELEASE) {
        log_info("job left to its holder: url='%s' %s", j->url,
                 buf_str(err));
    } else if (rc < 0) {
        log_err("cannot record job: url='%s' %s", j->url, buf_str(err));
        run->st.db_errors++;
        if (!db_refused(run->db)) {
            run->retry = xreallocarray(run->retry, run->nretry + 1,
                                       sizeof(*run->retry));
            run->retry[run->nretry++] = j;
            return;
        }
    }
    job_release(j);
    free(j);
}

static void
start_page(struct run *run, struct job *j, const struct source_conf *src,
           long long now)
{
    struct fetch_req req = { 0 };
    const char *cookie = run->cookies[source_index(run, src)];

    req.url = j->url;
    req.tor = src->tor;
    req.allow_private = src->allow_private;
    req.isolation = src->name;
    req.etag = j->etag;
    req.last_modified = j->last_modified;
    /* The cookie goes to the source's own scheme, host and port only. */
    if (cookie && url_same_site(src->url, j->url))
        req.cookie = cookie;
    req.user = j;
    log_debug("fetching: source='%s' url='%s' depth=%d", src->name, j->url,
              j->depth);
    polite_started(run->polite, j->url, now);
    fetcher_add(run->f, &req);
}

static void
start_robots(struct run *run, const char *url, const struct source_conf *src,
             long long now)
{
    struct fetch_req req = { 0 };

    req.url = url;
    req.allow_private = src->allow_private;
    req.max_body = ROBOTS_MAX_BYTES;
    req.user = &robots_tag;
    log_debug("fetching robots.txt: source='%s' url='%s'", src->name, url);
    polite_started(run->polite, url, now);
    fetcher_add(run->f, &req);
}

/*
 * Starts the held jobs whose host allows it now; completes those that
 * robots.txt disallows (skipped, due again after the source's interval)
 * or that cannot be fetched (failed). *wait gets the ms until the next
 * slot, or stays -1.
 */
static void
dispatch(struct run *run, long long *wait)
{
    struct buf err = BUF_INIT(8192);
    long long now = polite_now_ms();
    size_t i, kept = 0;

    for (i = 0; i < run->nheld; i++) {
        struct job *j = run->held[i];
        const struct source_conf *src = find_source(&run->cfg, j->source_id);
        const char *cerr = run->cookie_errors[source_index(run, src)];
        bool robots = src->robots && !src->tor && !url_is_onion(j->url);
        char *robots_url = NULL;
        long long w = -1;
        const char *why = NULL;
        int rc;

        buf_reset(&err);
        if (cerr) {
            log_warn("fetch failed: source='%s' url='%s' %s", src->name,
                     j->url, cerr);
            run->st.failed++;
            settle(run, j, frontier_fail(run->db, j, 0, cerr, &err), &err);
            continue;
        }
        switch (polite_check(run->polite, j->url, robots, src->delay_ms, now,
                             &robots_url, &w, &why)) {
        case POLITE_FETCH_ROBOTS:
            start_robots(run, robots_url, src, now);
            free(robots_url);
            run->held[kept++] = j;
            break;
        case POLITE_WAIT:
            if (w >= 0 && (*wait < 0 || w < *wait))
                *wait = w;
            run->held[kept++] = j;
            break;
        case POLITE_DISALLOWED:
            log_info("skipped: source='%s' url='%s' disallowed by "
                     "robots.txt", src->name, j->url);
            run->st.skipped++;
            rc = frontier_skip(run->db, j, "disallowed by robots.txt",
                               false, &err);
            settle(run, j, rc, &err);
            break;
        case POLITE_ROBOTS_FAILED:
            log_warn("fetch failed: source='%s' url='%s' %s", src->name,
                     j->url, why);
            run->st.failed++;
            settle(run, j, frontier_fail(run->db, j, 0, why, &err), &err);
            break;
        case POLITE_GO:
            start_page(run, j, src, now);
            break;
        }
    }
    run->nheld = kept;
    buf_release(&err);
}

/* Stopping: the held jobs' leases go back with frontier_release(). */
static void
drop_held(struct run *run)
{
    size_t i;

    for (i = 0; i < run->nheld; i++) {
        job_release(run->held[i]);
        free(run->held[i]);
    }
    run->nheld = 0;
}

/*
 * Failures through Tor in a row (timeouts, unreachable onion services)
 * often mean a bad circuit: after tor.newnym_after of them, and at most
 * once a minute, Tor's control port (tor.control) is asked for new
 * circuits. Without a control port, nothing is asked.
 */
static void
tor_health(struct run *run, const struct fetch_result *r)
{
    struct buf err = BUF_INIT(1024);

    if (!r->via_tor || run->cfg.tor_control == NULL)
        return;
    if (r->err != DRP_ENET && r->err != DRP_EPROXY) {
        run->tor_failures = 0;
        return;
    }
    if (++run->tor_failures < run->cfg.tor_newnym_after ||
        time(NULL) - run->newnym_at < RUN_NEWNYM_EVERY)
        return;
    run->newnym_at = time(NULL);
    if (tor_newnym(run->cfg.tor_control, run->cfg.tor_control_password_file,
                   RUN_NEWNYM_TIMEOUT_MS, &err) < 0) {
        log_warn("cannot ask Tor for new circuits: control='%s' %s",
                 run->cfg.tor_control, buf_str(&err));
    } else {
        log_info("asked Tor for new circuits (NEWNYM) after %d failures "
                 "through it in a row", run->tor_failures);
        run->tor_failures = 0;
    }
    buf_release(&err);
}

/* A worker's batch (flush_batch()): a page's outcome. */
struct batch_done {
    struct run *run;
    int w;
    bool outage;
};

static void
page_stored(void *arg, void *user, int rc, bool refused, const char *err)
{
    struct batch_done *bd = arg;
    struct page_work *pw = user;

    pw->rc = rc;
    pw->refused = rc < 0 && refused;
    if (rc < 0) {
        /* Counted as stored when kept: it was not. */
        pw->st.fetched = 0;
        pw->st.findings = 0;
        pw->errmsg = xstrdup(err);
        bd->outage = bd->outage || !refused;
    }
    workq_finish(bd->run->wq, bd->w, pw);
}

/* Worker w stores the pages it kept, one transaction, and hands them
   back. */
static void
flush_batch(struct run *run, int w)
{
    struct batch_done bd = { run, w, false };
    struct db *db = run->wdb[w];

    if (store_batch_count(run->wbatch[w]) == 0)
        return;
    /* After a database error, the connection may need a new session;
       when it is still unreachable, the pages wait for it (retried). */
    store_batch_flush(run->wfailed[w] && !db_ping(db) ? NULL : db,
                      run->wbatch[w], page_stored, &bd);
    run->wfailed[w] = bd.outage;
}

/* Nothing queued: worker w waits for more pages to store with those it
   kept, until its batch is due; stopping, or when the crawl waits for
   them, it stores them now. */
static int
work_idle(void *arg, int w, bool now)
{
    struct run *run = arg;
    int ms = store_batch_wait_ms(run->wbatch[w]);

    if (ms > 0 && !now && !stopping)
        return ms;
    flush_batch(run, w);
    return 0;
}

/* A worker's part: the page through the pipeline on its connection; a
   page kept in the worker's batch comes back once that is stored. */
static bool
work_page(void *arg, int w, void *item)
{
    struct run *run = arg;
    struct page_work *pw = item;
    struct buf err = BUF_INIT(8192);
    struct db *db = run->wdb[w];
    bool kept;

    /* After a database error, the connection may need a new session. */
    if (run->wfailed[w] && !db_ping(db)) {
        pw->rc = DRP_EDB;
        buf_adds(&err, "database unreachable");
    } else {
        pw->rc = pipeline_process(db, run->x, &run->cfg, pw->src, pw->job,
                                  pw->res, run->known_links,
                                  run->wbatch[w], pw, &pw->st, &err);
    }
    fetch_result_free(pw->res);
    pw->res = NULL;
    kept = pw->rc == PIPELINE_KEPT;
    if (!kept) {
        pw->refused = pw->rc < 0 && db_refused(db);
        run->wfailed[w] = pw->rc < 0 && !pw->refused;
        if (pw->rc < 0)
            pw->errmsg = xstrdup(buf_str(&err));
    }
    buf_release(&err);
    /* The batch goes when full or old (the pages after its first may
       not fit one), else when the worker has nothing else to do. */
    if (store_batch_due(run->wbatch[w]))
        flush_batch(run, w);
    return !kept;
}

/* A worker finished a page: wake the fetch loop to collect it. */
static void
page_worked(void *arg)
{
    struct run *run = arg;

    fetcher_wakeup(run->f);
}

static void
handle(struct run *run, struct fetch_result *r)
{
    struct job *j = r->user;
    struct page_work *pw = xcalloc(1, sizeof(*pw));

    polite_finished(run->polite, j->url);
    tor_health(run, r);
    pw->job = j;
    pw->res = r;
    pw->src = find_source(&run->cfg, j->source_id);
    workq_push(run->wq, pw);
}

/* A page back from its worker: its counts, and its job done or kept for
   a retry when the database did not take it. */
static void
collect(struct run *run, struct page_work *pw)
{
    struct run_stats *st = &run->st;

    st->fetched += pw->st.fetched;
    st->unchanged += pw->st.unchanged;
    st->failed += pw->st.failed;
    st->skipped += pw->st.skipped;
    st->findings += pw->st.findings;
    st->new_alerts += pw->st.new_alerts;
    st->db_errors += pw->st.db_errors;
    if (pw->rc == DRP_ELEASE) {
        /* Its lease was lost while the page was fetched (a server crash
           lost the lease's commit, or it expired): the job is someone
           else's now, or was done by another copy of this page. */
        log_info("page not stored, lease lost: source='%s' url='%s' %s",
                 pw->src->name, pw->job->url, pw->errmsg);
        job_release(pw->job);
        free(pw->job);
    } else if (pw->rc < 0 && pw->refused) {
        /* Not an outage: the page's job fails (backing off, as a failed
           fetch does) and the crawl goes on. */
        struct buf err = BUF_INIT(8192);
        char *why = xasprintf("the database refused the page: %s",
                              pw->errmsg);

        log_err("cannot store page: source='%s' url='%s' %s", pw->src->name,
                pw->job->url, why);
        st->db_errors++;
        settle(run, pw->job, frontier_fail(run->db, pw->job, 0, why, &err),
               &err);
        free(why);
        buf_release(&err);
    } else if (pw->rc < 0) {
        log_err("cannot store page: source='%s' url='%s' %s", pw->src->name,
                pw->job->url, pw->errmsg);
        st->db_errors++;
        run->retry = xreallocarray(run->retry, run->nretry + 1,
                                   sizeof(*run->retry));
        run->retry[run->nretry++] = pw->job;
    } else {
        job_release(pw->job);
        free(pw->job);
    }
    free(pw->errmsg);
    free(pw);
}

/* Every page the workers finished; true when there was one. */
static bool
collect_done(struct run *run)
{
    struct page_work *pw;
    bool any = false;

    while ((pw = workq_done(run->wq)) != NULL) {
        collect(run, pw);
        any = true;
    }
    return any;
}

/* Waits for the workers to finish every page they have. */
static void
drain_workers(struct run *run)
{
    struct page_work *pw;

    while ((pw = workq_wait(run->wq)) != NULL)
        collect(run, pw);
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
 * back when the leases expire (frontier_lease() takes expired leases).
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

/*
 * The service's takedown follow-through: every RUN_TAKEDOWN_EVERY
 * seconds, once the last batch is back, up to RUN_TAKEDOWN_MAX due
 * re-checks on the crawl's fetcher, and the reminders due.
 */
static void
takedowns(struct run *run)
{
    if (time(NULL) - run->takedowns_at < RUN_TAKEDOWN_EVERY ||
        takedown_checker_pending(run->tc) > 0)
        return;
    run->takedowns_at = time(NULL);
    takedown_checker_start(run->tc, run->f, false, RUN_TAKEDOWN_MAX);
    takedown_checker_remind(run->tc);
}

static int
crawl(struct run *run, bool once)
{
    int conc = run->cfg.crawl.concurrency;
    bool db_down = false;
    int got;
    struct fetch_result *r;
    long long last_empty = 0;

    for (;;) {
        int busy, inflight;
        long long now = polite_now_ms(), wait = -1;
        bool tried = false;

        if (collect_done(run))
            last_empty = 0; /* their links may be due now */
        if (run->nretry > 0)
            db_down = true;
        inflight = fetcher_pending(run->f) + (int)workq_count(run->wq);
        /* The pages workers keep to store together are not slots: the
           batches would otherwise wait for the leases, and the leases
           for them. */
        busy = inflight - (int)workq_kept(run->wq) + (int)run->nheld;
        got = 0;
        if (!stopping && !db_down &&
            time(NULL) - run->reclaimed >= RUN_RECLAIM_EVERY)
            reclaim(run);
        if (!once && !stopping && !db_down)
            takedowns(run);
        /* Leases in batches, when half the slots are free: each lease
           is a statement, whatever the number of jobs it returns. */
        if (!stopping && !db_down && busy <= conc / 2 &&
            now - last_empty >= RUN_LEASE_EVERY_MS) {
            bool looked;

            tried = true;
            if (lease(run, conc - busy, &got, &looked) < 0) {
                run->st.db_errors++;
                db_down = true;
            }
            /* Not again for a while when the frontier had nothing due;
               a source whose jobs all wait here for their host's slot
               is no sign of that (a one-host crawl would pause). */
            if (looked)
                last_empty = got > 0 ? 0 : now;
        }
        if (stopping)
            drop_held(run);
        else if (!db_down)
            dispatch(run, &wait);
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
        /* Again: dispatch() may have started held jobs. */
        inflight = fetcher_pending(run->f) + (int)workq_count(run->wq);
        if (inflight == 0 && got == 0 && run->nheld == 0) {
            if (!tried && !stopping && !db_down) {
                /* The last look found nothing a moment ago: look again
                   (a finished page may have added jobs) before idling. */
                struct timespec ts = { 0, RUN_LEASE_EVERY_MS * 1000000L };

                nanosleep(&ts, NULL);
                continue;
            }
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
        if (wait < 0 || wait > 250)
            wait = 250;
        /* Transfers, or the workers (they wake us), or held jobs waiting
           for their host's slot. */
        if (fetcher_poll(run->f, (int)(wait > 0 ? wait : 1)) < 0)
            return EXIT_FAIL;
        while ((r = fetcher_next(run->f)) != NULL) {
            if (r->user == &robots_tag) {
                polite_robots_done(run->polite, r, polite_now_ms());
                fetch_result_free(r);
                continue;
            }
            if (takedown_checker_take(run->tc, r))
                continue;
            handle(run, r);
        }
    }
}

/* The workers and their connections; false when one cannot connect. */
static bool
start_workers(struct run *run)
{
    struct buf err = BUF_INIT(8192);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int i;

    run->nworkers = ncpu < 1 ? 1 : ncpu > RUN_MAX_WORKERS ? RUN_MAX_WORKERS
                                                           : (int)ncpu;
    run->wdb = xcalloc((size_t)run->nworkers, sizeof(*run->wdb));
    run->wfailed = xcalloc((size_t)run->nworkers, sizeof(*run->wfailed));
    run->wbatch = xcalloc((size_t)run->nworkers, sizeof(*run->wbatch));
    for (i = 0; i < run->nworkers; i++) {
        run->wbatch[i] = store_batch_new();
        run->wdb[i] = db_open_another(run->db, &err);
        if (run->wdb[i] == NULL) {
            log_err("%s", buf_str(&err));
            buf_release(&err);
            return false;
        }
    }
    run->known_links = keyset_new(RUN_KNOWN_LINKS);
    run->wq = workq_new(run->nworkers, work_page, work_idle, page_worked,
                        run);
    buf_release(&err);
    return true;
}

static void
stop_workers(struct run *run)
{
    int i;

    if (run->wq) {
        drain_workers(run);
        workq_free(run->wq);
        run->wq = NULL;
    }
    for (i = 0; run->wdb && i < run->nworkers; i++) {
        db_close(run->wdb[i]);
        store_batch_free(run->wbatch[i]);
    }
    free(run->wdb);
    free(run->wbatch);
    run->wbatch = NULL;
    free(run->wfailed);
    run->wdb = NULL;
    keyset_free(run->known_links);
    run->known_links = NULL;
}

int
cmd_run(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "once", no_argument, NULL, 'o' },
        { "no-notify", no_argument, NULL, 'N' },
        { NULL, 0, NULL, 0 },
    };
    struct run run = { 0 };
    struct buf err = BUF_INIT(8192);
    struct fetch_opts fo = { 0 };
    struct sigaction sa = { 0 };
    struct notifier *notifier = NULL;
    struct lookwatch *lookwatch = NULL;
    struct lookwatch_counts lw = { 0 };
    bool once = false, notify = true;
    int rc = EXIT_OK;
    int ch;
    time_t started = time(NULL);

    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (ch != 'o' && ch != 'N') {
            fprintf(stderr, "usage: drpwatch run [--once] [--no-notify]\n");
            return EXIT_USAGE;
        }
        if (ch == 'o')
            once = true;
        else
            notify = false;
    }
    if (optind < argc) {
        fprintf(stderr, "usage: drpwatch run [--once] [--no-notify]\n");
        return EXIT_USAGE;
    }
    config_init(&run.cfg);
    run.db = cli_db(c);
    if (run.db == NULL) {
        rc = EXIT_DB;
        goto out;
    }
    db_async_commit(run.db);
    rc = load(&run, c);
    if (rc != EXIT_OK)
        goto out;
    if (gethostname(run.host, sizeof(run.host)) < 0)
        snprintf(run.host, sizeof(run.host), "localhost");
    run.host[sizeof(run.host) - 1] = '\0';
    snprintf(run.owner, sizeof(run.owner), "%s:%d", run.host,
             (int)getpid());
    /* A job may wait for its host's slot: at most per_host delays. */
    run.lease_secs = run.cfg.crawl.onion_timeout * 2 + 60 +
                     (RUN_PER_HOST + 1) * (max_delay_ms(&run.cfg) +
                                           ROBOTS_MAX_CRAWL_DELAY_MS) / 1000;
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
    fo.per_host = RUN_PER_HOST;
    fo.timeout = run.cfg.crawl.timeout;
    fo.onion_timeout = run.cfg.crawl.onion_timeout;
    fo.low_speed_time = run.cfg.crawl.low_speed_time;
    fo.max_body = run.cfg.crawl.max_body;
    fo.max_redirects = run.cfg.crawl.max_redirects;
    fo.user_agent = run.cfg.crawl.user_agent;
    run.f = fetcher_new(&fo);
    run.polite = polite_new(RUN_PER_HOST);
    run.tc = takedown_checker_new(run.db, &run.cfg);
    adapter_init();
    if (!start_workers(&run)) {
        rc = EXIT_DB;
        goto out;
    }
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    log_info("crawl started: owner='%s' sources=%zu terms=%zu once=%s "
             "workers=%d",
             run.owner, run.cfg.nsources, run.cfg.nterms,
             once ? "yes" : "no", run.nworkers);
    /* Notifications go out beside the crawl, on their own thread; a
       single pass delivers what it opened before it returns. */
    /* The lookalike watch too, on a thread and a connection of its own;
       a single pass waits for its pass over every owned domain. */
    lookwatch = lookwatch_start(c, run.owner, once);
    if (notify)
        notifier = notifier_start(c, run.owner);
    rc = crawl(&run, once);
    /* No lease goes back while a worker may still store its page, and
       the notifier delivers what the workers opened. */
    drain_workers(&run);
    lookwatch_stop(lookwatch, once && !stopping, &lw);
    notifier_stop(notifier, once && !stopping);
    if (frontier_release(run.db, run.owner, &err) < 0)
        log_warn("cannot release leases: %s", buf_str(&err));
    printf("crawl finished in %lds: pages stored=%d unchanged=%d failed=%d "
           "skipped=%d findings=%d new alerts=%d database errors=%d\n",
           (long)(time(NULL) - started), run.st.fetched, run.st.unchanged,
           run.st.failed, run.st.skipped, run.st.findings,
           run.st.new_alerts, run.st.db_errors);
    if (lookwatch != NULL)
        printf("lookalikes: domains=%d candidates=%d registered=%d "
               "unknown=%d wildcard=%d pages=%d cases opened=%d raised=%d "
               "updated=%d failed=%d database errors=%d\n",
               lw.domains, lw.candidates, lw.registered, lw.unknown,
               lw.wildcard, lw.pages, lw.opened, lw.raised, lw.updated,
               lw.failed, lw.db_errors);
    if (rc == EXIT_OK && (run.st.db_errors > 0 || lw.db_errors > 0))
        rc = EXIT_DB;
    else if (rc == EXIT_OK && (run.st.failed > 0 || lw.failed > 0))
        rc = EXIT_PARTIAL;
out:
    stop_workers(&run);
    release_retries(&run);
    free(run.retry);
    drop_held(&run);
    free(run.held);
    free_cookies(&run);
    polite_free(run.polite);
    takedown_checker_free(run.tc);
    fetcher_free(run.f);
    extractor_free(run.x);
    config_release(&run.cfg);
    db_close(run.db);
    buf_release(&err);
    return rc;
}
