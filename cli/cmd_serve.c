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

/* Connections lent to the server's threads. */
struct pool {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    struct db **dbs;
    bool *busy;
    size_t n;
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

/* taxii_rows_fn: a collection's rows from the store. */
static json_t *
rows(void *arg, const struct taxii_collection_conf *c,
     const struct taxii_key *after, int n, struct buf *err)
{
    struct pool *p = arg;
    const char *tlp[12];
    struct store_taxii_filter f = { stix_kinds, NULL, 0,
                                    (const char *const *)c->watch,
                                    c->nwatch };
    struct store_taxii_key k = { after->added_us, after->group, after->id };
    struct db *db;
    json_t *r;
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
    r = store_taxii_rows(db, &f, &k, n, err);
    if (r == NULL)
        db_ping(db); /* reconnect for the next request */
    pool_give(p, slot);
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
                         .freed = PTHREAD_COND_INITIALIZER };
    const char *listen = NULL, *port_file = NULL;
    struct buf err = BUF_INIT(8192);
    struct taxii_server *srv = NULL;
    struct config cfg;
    struct db *db = NULL;
    sigset_t stop;
    long threads = SERVE_THREADS_DEFAULT;
    char *end;
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
            threads = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || threads < 1 ||
                threads > SERVE_THREADS_MAX) {
                fprintf(stderr, "drpwatch: --threads must be 1-%d\n",
                        SERVE_THREADS_MAX);
                return EXIT_USAGE;
            }
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
    for (i = 0; i < pool.n; i++)
        db_close(pool.dbs[i]);
    free(pool.dbs);
    free(pool.busy);
    db_close(db);
    config_release(&cfg);
    buf_release(&err);
    return rc;
}
