/*
 * The outbox's delivery loop: lease due rows, build and send each with
 * alerts/notify.c, record the outcome (delivered, retry after a backoff,
 * or dead letter). The decisions live in those modules; this file wires
 * them and runs them in `drpwatch run`'s delivery thread.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts/notify.h"
#include "cli/cli.h"
#include "cli/notifier.h"
#include "common/config.h"
#include "common/err.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "storage/db.h"
#include "storage/notify.h"
#include "common/banned.h"

#define NOTIFIER_BATCH 8          /* rows leased at a time */
#define NOTIFIER_EVERY_MS 1000    /* between passes of the thread */
#define NOTIFIER_PASS_MS 30000    /* longest pass of the thread */
#define NOTIFIER_DB_WAIT_MS 5000  /* after a database error */

static long long
mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const struct notify_channel *
find_channel(const struct config *cfg, long long id)
{
    size_t i;

    for (i = 0; i < cfg->nchannels; i++)
        if (cfg->channels[i].id == id)
            return &cfg->channels[i];
    return NULL;
}

/* Sends one leased item and records how it went. */
static int
deliver(struct db *db, const char *owner, const struct notify_channel *ch,
        json_t *item, struct notify_counts *counts)
{
    struct buf err = BUF_INIT(4096), dberr = BUF_INIT(4096);
    long long id = (long long)json_integer_value(json_object_get(item, "id"));
    int attempts = (int)json_integer_value(json_object_get(item, "attempts"));
    const json_t *alert = json_object_get(item, "alert");
    long long alert_id =
        (long long)json_integer_value(json_object_get(alert, "id"));
    const char *reason = json_string_value(json_object_get(item, "reason"));
    long retry;
    int rc = 0;

    if (json_is_null(alert) && store_notify_digest(db, item, &err) < 0) {
        rc = DRP_EDB;
        goto out;
    }
    if (notify_send(ch, item, &err) == 0) {
        log_info("notification delivered: channel='%s' notification=%lld "
                 "alert=%lld reason='%s' attempt=%d", ch->name, id, alert_id,
                 reason ? reason : "", attempts);
        counts->delivered++;
        rc = store_notify_delivered(db, id, owner, &dberr);
        goto out;
    }
    retry = notify_retry_ms(ch, attempts, arc4random());
    if (retry < 0) {
        log_warn("notification dead-lettered: channel='%s' notification=%lld "
                 "alert=%lld attempts=%d %s", ch->name, id, alert_id,
                 attempts, buf_str(&err));
        counts->dead++;
    } else {
        log_warn("notification failed: channel='%s' notification=%lld "
                 "alert=%lld attempt=%d retry_in=%.1fs %s", ch->name, id,
                 alert_id, attempts, retry / 1000.0, buf_str(&err));
        counts->failed++;
    }
    rc = store_notify_failed(db, id, owner, buf_str(&err), retry, &dberr);
out:
    if (rc == DRP_EDB)
        log_err("cannot record notification: notification=%lld %s", id,
                dberr.len ? buf_str(&dberr) : buf_str(&err));
    else if (rc < 0)
        log_warn("notification outcome not recorded: %s", buf_str(&dberr));
    buf_release(&err);
    buf_release(&dberr);
    return rc == DRP_EDB ? rc : 0;
}

int
notifier_pass(struct db *db, const char *owner, long budget_ms,
              const atomic_bool *stop, struct notify_counts *counts)
{
    struct buf err = BUF_INIT(4096);
    struct config cfg;
    long long started = mono_ms();
    double due_before;
    int lease_secs = 60, scheduled, rc = 0;
    size_t i;

    config_init(&cfg);
    /* Each row at most once a pass: those due when it began (digests
       that came due included). */
    if (store_notify_channels(db, &cfg, &err) < 0 ||
        store_notify_schedule_digests(db, &scheduled, &err) < 0 ||
        store_notify_clock(db, &due_before, &err) < 0) {
        rc = DRP_EDB;
        goto out;
    }
    if (cfg.nchannels == 0)
        goto out;
    /* A lease outlives a batch of deliveries that all time out. */
    for (i = 0; i < cfg.nchannels; i++)
        if (cfg.channels[i].timeout * NOTIFIER_BATCH + 60 > lease_secs)
            lease_secs = cfg.channels[i].timeout * NOTIFIER_BATCH + 60;
    while (!atomic_load(stop) &&
           (budget_ms <= 0 || mono_ms() - started < budget_ms)) {
        json_t *items = NULL, *item;

        if (store_notify_lease(db, owner, NOTIFIER_BATCH, lease_secs,
                               due_before, &items, &err) < 0) {
            rc = DRP_EDB;
            break;
        }
        if (json_array_size(items) == 0) {
            json_decref(items);
            break;
        }
        json_array_foreach(items, i, item) {
            const struct notify_channel *ch = find_channel(
                &cfg, json_integer_value(json_object_get(item,
                                                         "channel_id")));

            if (atomic_load(stop) ||
                (budget_ms > 0 && mono_ms() - started >= budget_ms))
                break; /* released below */
            if (ch == NULL)
                continue; /* applied since the pass began: released */
            rc = deliver(db, owner, ch, item, counts);
            if (rc < 0)
                break;
        }
        json_decref(items);
        if (rc < 0)
            break;
    }
    if (store_notify_release(db, owner, rc < 0 ? NULL : &err) < 0 &&
        rc == 0)
        rc = DRP_EDB;
out:
    if (rc < 0) {
        log_err("cannot deliver notifications: %s", buf_str(&err));
        counts->db_errors++;
    }
    config_release(&cfg);
    buf_release(&err);
    return rc;
}

struct notifier {
    pthread_t thread;
    struct db *db;
    char *owner;
    atomic_bool stop;
};

static void *
run_thread(void *arg)
{
    struct notifier *n = arg;
    struct notify_counts counts = { 0 };

    while (!atomic_load(&n->stop)) {
        long long next;

        if (notifier_pass(n->db, n->owner, NOTIFIER_PASS_MS, &n->stop,
                          &counts) < 0) {
            next = mono_ms() + NOTIFIER_DB_WAIT_MS;
            while (!atomic_load(&n->stop) && mono_ms() < next) {
                struct timespec ts = { 0, 100 * 1000000L };

                nanosleep(&ts, NULL);
            }
            if (!atomic_load(&n->stop))
                db_ping(n->db);
            continue;
        }
        next = mono_ms() + NOTIFIER_EVERY_MS;
        while (!atomic_load(&n->stop) && mono_ms() < next) {
            struct timespec ts = { 0, 50 * 1000000L };

            nanosleep(&ts, NULL);
        }
    }
    return NULL;
}

struct notifier *
notifier_start(struct cli *c, const char *owner)
{
    struct notifier *n;
    sigset_t all, old;
    int rc;

    n = xcalloc(1, sizeof(*n));
    n->db = cli_db(c);
    if (n->db == NULL) {
        log_warn("notifications not delivered by this run: no database "
                 "connection for them ('drpwatch notify' delivers them)");
        free(n);
        return NULL;
    }
    n->owner = xstrdup(owner);
    atomic_init(&n->stop, false);
    /* Signals go to the crawl's thread, which decides when to stop. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&n->thread, NULL, run_thread, n);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        log_warn("notifications not delivered by this run: cannot start "
                 "a thread: %s", strerror(rc));
        db_close(n->db);
        free(n->owner);
        free(n);
        return NULL;
    }
    return n;
}

void
notifier_stop(struct notifier *n, bool flush)
{
    if (n == NULL)
        return;
    atomic_store(&n->stop, true);
    pthread_join(n->thread, NULL);
    if (flush) {
        atomic_bool never;
        struct notify_counts counts = { 0 };

        atomic_init(&never, false);
        notifier_pass(n->db, n->owner, NOTIFIER_PASS_MS, &never, &counts);
    }
    db_close(n->db);
    free(n->owner);
    free(n);
}
