/*
 * drpwatch serve [--listen ADDR:PORT] [--port-file FILE] [--threads N]:
 * the TAXII 2.1 server (alerts/taxii.h) on the applied taxii settings,
 * its collections read through a pool of database connections (one per
 * server thread), until SIGINT or SIGTERM.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alerts/stix.h"
#include "alerts/taxii.h"
#include "cli/cli.h"
#include "common/buf.h"
#include "common/config.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "storage/db.h"
#include "storage/store.h"
#include "common/banned.h"

static const char serve_usage[] =
    "usage: drpwatch serve [--listen ADDR:PORT] [--port-file FILE] "
    "[--threads N]\n";

#define SERVE_THREADS_DEFAULT 4
#define SERVE_THREADS_MAX 64

/* The index of STIX ids (storage/store.h) is brought up to date before
   an object is looked up by its id. Work starts past the highest ids seen
   by the newest sync at least SYNC_LAG old: a transaction that took a
   lower id may commit after a higher one was seen, and none of the
   store's lasts that long. */
#define SYNC_LAG 120
#define SYNC_BATCH 2000
#define SYNC_MARKS 64

struct sync {
    pthread_mutex_t lock;
    struct {
        time_t at;
        long long f, t;
    } marks[SYNC_MARKS]; /* oldest first, a second apart at least */
    size_t nmarks;
    long long safe_f, safe_t;
    bool stopping; /* set (atomically) when serve stops */
};

/* Connections lent to the server's threads. */
struct pool {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    struct db **dbs;
    bool *busy;
    size_t n;
    struct sync sync;
};

static struct db *
pool_take(struct pool *p, size_t *slot)
{
    size_t i;

    pthread_mutex_lock(&p->lock);
    for (;;) {
        for (i = 0; i < p->n; i++)
            if (!p->busy[i]) {
                p->busy[i] = true;
                pthread_mutex_unlock(&p->lock);
                *slot = i;
                return p->dbs[i];
            }
        pthread_cond_wait(&p->freed, &p->lock);
    }
}

static void
pool_give(struct pool *p, size_t slot)
{
    pthread_mutex_lock(&p->lock);
    p->busy[slot] = false;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

/* Notes the highest ids now, and moves the safe marks past the ones seen
   SYNC_LAG ago. */
static int
sync_marks(struct db *db, struct sync *y, struct buf *err)
{
    time_t now = time(NULL);
    long long f, t;
    size_t i, drop = 0;

    if (store_stix_top(db, &f, &t, err) < 0)
        return -1;
    if (y->nmarks == 0 || y->marks[y->nmarks - 1].at < now) {
        if (y->nmarks == SYNC_MARKS) {
            memmove(y->marks, y->marks + 1,
                    (SYNC_MARKS - 1) * sizeof(y->marks[0]));
            y->nmarks--;
        }
        y->marks[y->nmarks].at = now;
        y->marks[y->nmarks].f = f;
        y->marks[y->nmarks].t = t;
        y->nmarks++;
    }
    for (i = 0; i < y->nmarks && y->marks[i].at <= now - SYNC_LAG; i++) {
        y->safe_f = y->marks[i].f;
        y->safe_t = y->marks[i].t;
        drop = i;
    }
    if (drop > 0) {
        memmove(y->marks, y->marks + drop,
                (y->nmarks - drop) * sizeof(y->marks[0]));
        y->nmarks -= drop;
    }
    return 0;
}

/* Adds the ids of what the index lacks; the number added, or -1. */
static long
sync_ids(struct db *db, struct sync *y, struct buf *err)
{
    char (*ids)[STIX_ID_MAX] = NULL;
    long long *fs = NULL, *ss = NULL, after_f, after_t;
    const char **idp = NULL;
    long added = 0, round;
    size_t cap = 0;

    if (sync_marks(db, y, err) < 0)
        return -1;
    after_f = y->safe_f;
    after_t = y->safe_t;
    /* Each round moves on past what it read; bounded all the same. */
    for (round = 0; round < 1000000 &&
                    !__atomic_load_n(&y->stopping, __ATOMIC_RELAXED);
         round++) {
        json_t *rows = store_stix_pending(db, stix_kinds, after_f, after_t,
                                          SYNC_BATCH, err);
        size_t n = 0, i, groups[4] = { 0, 0, 0, 0 };
        json_t *row;
        int rc;

        if (rows == NULL) {
            added = -1;
            break;
        }
        if (cap < 3 * json_array_size(rows)) {
            cap = 3 * json_array_size(rows);
            ids = xreallocarray(ids, cap, sizeof(*ids));
            fs = xreallocarray(fs, cap, sizeof(*fs));
            ss = xreallocarray(ss, cap, sizeof(*ss));
            idp = xreallocarray(idp, cap, sizeof(*idp));
        }
        json_array_foreach(rows, i, row) {
            int g = (int)json_integer_value(json_object_get(row, "g"));
            long long at = json_integer_value(json_object_get(row, "at"));
            long long f = json_integer_value(json_object_get(row, "f"));
            long long src = json_integer_value(json_object_get(row, "s"));
            const char *kind = json_string_value(json_object_get(row, "kind"));
            const char *value =
                json_string_value(json_object_get(row, "value"));
            const char *name = json_string_value(json_object_get(row, "name"));
            char ind[STIX_ID_MAX];

            if (g < 1 || g > 3)
                continue;
            groups[g]++;
            if (g == 1) { /* a finding's own objects */
                after_f = at;
                if (!stix_finding_ids(kind, value, ids[n], ids[n + 1],
                                      ids[n + 2]))
                    continue;
                fs[n] = fs[n + 1] = fs[n + 2] = f;
                ss[n] = ss[n + 1] = ss[n + 2] = 0;
                n += 3;
            } else if (g == 2) { /* its sighting by a source */
                after_t = at;
                if (name == NULL ||
                    !stix_finding_ids(kind, value, ind, ids[n], ids[n + 1]))
                    continue;
                stix_sighting_id(ind, name, ids[n]);
                fs[n] = f;
                ss[n] = src;
                n++;
            } else if (name) { /* a source's identity */
                stix_source_id(name, ids[n]);
                fs[n] = 0;
                ss[n] = src;
                n++;
            }
        }
        json_decref(rows);
        for (i = 0; i < n; i++)
            idp[i] = ids[i];
        rc = n ? store_stix_index(db, idp, fs, ss, n, err) : 0;
        if (rc < 0) {
            added = -1;
            break;
        }
        added += (long)n;
        if (groups[1] < SYNC_BATCH && groups[2] < SYNC_BATCH &&
            groups[3] < SYNC_BATCH)
            break;
    }
    free(ids);
    free(fs);
    free(ss);
    free(idp);
    return added;
}

/* The index made current (a failure is logged: the lookup goes on with
   what the index has). */
static void
sync_now(struct db *db, struct sync *y)
{
    struct buf err = BUF_INIT(4096);
    long added;

    pthread_mutex_lock(&y->lock);
    added = sync_ids(db, y, &err);
    pthread_mutex_unlock(&y->lock);
    if (added < 0)
        log_warn("taxii: cannot index STIX ids: %s", buf_str(&err));
    else if (added > 0)
        log_info("taxii: indexed STIX ids: added=%ld", added);
    buf_release(&err);
}

/* The findings and sources whose objects hold ids; false on an error. */
static bool
lookup(struct db *db, struct sync *y, const char *const *ids, size_t nids,
       long long **fs, size_t *nf, long long **ss, size_t *ns,
       struct buf *err)
{
    json_t *r, *owners, *o;
    size_t i;

    /* The index is brought up to date only when it lacks an id: a new
       finding or sighting, or no such object. */
    r = store_stix_lookup(db, ids, nids, err);
    if (r && json_integer_value(json_object_get(r, "found")) < (long long)nids) {
        json_decref(r);
        sync_now(db, y);
        r = store_stix_lookup(db, ids, nids, err);
    }
    if (r == NULL)
        return false;
    owners = json_object_get(r, "owners");
    *fs = xcalloc(json_array_size(owners) + 1, sizeof(**fs));
    *ss = xcalloc(json_array_size(owners) + 1, sizeof(**ss));
    *nf = *ns = 0;
    json_array_foreach(owners, i, o) {
        json_t *f = json_object_get(o, "f");

        if (json_is_integer(f))
            (*fs)[(*nf)++] = json_integer_value(f);
        else
            (*ss)[(*ns)++] = json_integer_value(json_object_get(o, "s"));
    }
    json_decref(r);
    return true;
}

/* The server's first sync, on a connection of the pool. */
static void *
index_all(void *arg)
{
    struct pool *p = arg;
    size_t slot;
    struct db *db = pool_take(p, &slot);

    sync_now(db, &p->sync);
    pool_give(p, slot);
    return NULL;
}

/* taxii_rows_fn: a collection's rows from the store. */
static json_t *
rows(void *arg, const struct taxii_collection_conf *c,
     const struct taxii_key *after, int n, const char *const *ids,
     size_t nids, struct buf *err)
{
    struct pool *p = arg;
    const char *tlp[12];
    struct store_taxii_filter f = { .kinds = stix_kinds,
                                    .watch = (const char *const *)c->watch,
                                    .nwatch = c->nwatch };
    struct store_taxii_key k = { after->added_us, after->group, after->id };
    long long *fids = NULL, *sids = NULL;
    struct db *db;
    json_t *r = NULL;
    size_t slot, i;

    /* TLP:CLEAR was TLP:WHITE: either name takes both. */
    if (c->tlp) {
        for (i = 0; i < c->ntlp && f.ntlp + 2 <= 12; i++) {
            tlp[f.ntlp++] = c->tlp[i];
            if (strcmp(c->tlp[i], "clear") == 0)
                tlp[f.ntlp++] = "white";
            else if (strcmp(c->tlp[i], "white") == 0)
                tlp[f.ntlp++] = "clear";
        }
        f.tlp = tlp;
    }
    db = pool_take(p, &slot);
    /* By id: only the findings and sources whose objects hold one. */
    f.by_id = ids != NULL;
    if (!f.by_id || lookup(db, &p->sync, ids, nids, &fids, &f.nfinding_ids,
                           &sids, &f.nsource_ids, err)) {
        f.finding_ids = fids;
        f.source_ids = sids;
        r = store_taxii_rows(db, &f, &k, n, err);
    }
    if (r == NULL)
        db_ping(db); /* reconnect for the next request */
    pool_give(p, slot);
    free(fids);
    free(sids);
    return r;
}

static int
write_port(const char *path, int port)
{
    char *tmp = xasprintf("%s.tmp-%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    int ok = f != NULL && fprintf(f, "%d\n", port) > 0;

    ok = (f == NULL || fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) < 0) {
        log_err("cannot write the port file '%s': %m", path);
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

int
cmd_serve(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "listen", required_argument, NULL, 'l' },
        { "port-file", required_argument, NULL, 'p' },
        { "threads", required_argument, NULL, 't' },
        { NULL, 0, NULL, 0 },
    };
    struct pool pool = { .lock = PTHREAD_MUTEX_INITIALIZER,
                         .freed = PTHREAD_COND_INITIALIZER,
                         .sync.lock = PTHREAD_MUTEX_INITIALIZER };
    const char *listen = NULL, *port_file = NULL;
    struct buf err = BUF_INIT(8192);
    struct taxii_server *srv = NULL;
    struct config cfg;
    struct db *db = NULL;
    pthread_t indexer;
    bool indexer_started = false;
    sigset_t stop;
    long threads = SERVE_THREADS_DEFAULT;
    int ch, sig, rc = EXIT_OK;
    size_t i;

    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'l':
            listen = optarg;
            break;
        case 'p':
            port_file = optarg;
            break;
        case 't':
            if (!cli_number("--threads", optarg, 1, SERVE_THREADS_MAX,
                            &threads))
                return EXIT_USAGE;
            break;
        default:
            fputs(serve_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "drpwatch: unexpected argument '%s'\n%s",
                argv[optind], serve_usage);
        return EXIT_USAGE;
    }
    config_init(&cfg);
    db = cli_db(c);
    if (db == NULL) {
        rc = EXIT_DB;
        goto out;
    }
    if (store_load_settings(db, &cfg, &err) < 0) {
        log_err("cannot load the applied configuration: %s", buf_str(&err));
        rc = EXIT_DB;
        goto out;
    }
    pool.n = (size_t)threads;
    pool.dbs = xcalloc(pool.n, sizeof(*pool.dbs));
    pool.busy = xcalloc(pool.n, sizeof(*pool.busy));
    pool.dbs[0] = db;
    db = NULL;
    for (i = 1; i < pool.n; i++) {
        buf_reset(&err);
        pool.dbs[i] = db_connect(c->db_opt, c->data_dir, &err);
        if (pool.dbs[i] == NULL) {
            log_err("%s", buf_str(&err));
            rc = EXIT_DB;
            goto out;
        }
    }
    /* The server's threads inherit this mask: the signals that stop it
       come to sigwait() below; a client gone mid-response is no signal. */
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    buf_reset(&err);
    srv = taxii_start(&cfg.taxii, listen, (int)threads, rows, &pool, &err);
    if (srv == NULL) {
        log_err("cannot start the TAXII server: %s", buf_str(&err));
        rc = EXIT_USAGE;
        goto out;
    }
    /* Objects are found by id through an index of STIX ids, brought up
       to date beside the server (the first time, for every finding: a
       lookup meanwhile waits for it) and then before each lookup. */
    indexer_started = pthread_create(&indexer, NULL, index_all, &pool) == 0;
    log_info("serving TAXII 2.1 (%s): listen=%s port=%d collections=%zu "
             "threads=%ld",
             cfg.taxii.tls_cert ? "https" : "http",
             listen ? listen : cfg.taxii.listen ? cfg.taxii.listen
                                                : "127.0.0.1:9443",
             taxii_port(srv), taxii_ncollections(srv), threads);
    if (port_file && write_port(port_file, taxii_port(srv)) < 0) {
        rc = EXIT_FAIL;
        goto out;
    }
    if (sigwait(&stop, &sig) == 0)
        log_info("stopping the TAXII server: signal=%d", sig);
out:
    taxii_stop(srv);
    if (indexer_started) {
        __atomic_store_n(&pool.sync.stopping, true, __ATOMIC_RELAXED);
        pthread_join(indexer, NULL);
    }
    for (i = 0; i < pool.n; i++)
        db_close(pool.dbs[i]);
    free(pool.dbs);
    free(pool.busy);
    db_close(db);
    config_release(&cfg);
    buf_release(&err);
    return rc;
}
