/*
 * Delivering the notification outbox: one pass (drpwatch notify --once,
 * and each turn of the service), and the thread that `drpwatch run` keeps
 * delivering beside the crawl, on its own database connection, so that a
 * slow receiver never holds up a fetch. Wiring between storage/notify.h
 * (what is due) and alerts/notify.h (payloads and sending).
 */
#ifndef DRP_NOTIFIER_H
#define DRP_NOTIFIER_H

#include <stdatomic.h>
#include <stdbool.h>

struct cli;
struct db;

struct notify_counts {
    int delivered;
    int failed;    /* to be retried */
    int dead;      /* dead-lettered: no attempt left */
    int db_errors;
};

/*
 * Delivers what is due now, batch by batch: digests that came due are
 * enqueued first. Stops early when *stop becomes true or after budget_ms
 * (0: no limit); rows leased and not tried go back. Returns 0, or
 * DRP_EDB when the database failed (logged).
 */
int notifier_pass(struct db *db, const char *owner, long budget_ms,
                  const atomic_bool *stop, struct notify_counts *counts);

struct notifier;

/*
 * Starts the delivery thread of `drpwatch run` on a connection of its
 * own (NULL, logged, if it cannot connect: the crawl goes on). owner is
 * copied.
 */
struct notifier *notifier_start(struct cli *c, const char *owner);

/*
 * Stops the thread and waits for it; with flush, it first delivers what
 * is due (bounded), e.g. the alerts a `run --once` just opened. NULL is a
 * no-op.
 */
void notifier_stop(struct notifier *n, bool flush);

#endif
