/*
 * The lookalike watch: for each owned domain of the applied watchlist,
 * its candidates (crawler/permute.h) checked by DNS (crawler/resolve.h);
 * the registered ones' pages fetched through the crawler's fetcher, with
 * the official page, and compared (extract/similar.h, extract/html.h);
 * scored (alerts_lookalike()) and stored with their history and cases
 * (storage/lookalikes.h). Wiring only: each step's logic is in its
 * module. Used by `drpwatch lookalikes --watch` and by `drpwatch run`,
 * which keeps a thread for it.
 */
#ifndef DRP_LOOKWATCH_H
#define DRP_LOOKWATCH_H

#include <stdatomic.h>
#include <stdbool.h>

#include "common/config.h"

struct cli;
struct db;

struct lookwatch_counts {
    int domains;      /* owned domains passed */
    int candidates;
    int registered;
    int unknown;      /* to be checked again */
    int wildcard;
    int pages;        /* candidate pages that answered */
    int opened, raised, updated; /* cases */
    int failed;       /* domains whose pass failed (not the database) */
    int db_errors;
};

/* What a pass reports of one stored candidate (registered or unknown). */
struct lookwatch_row {
    const char *domain;   /* the owned domain */
    const char *name;
    const char *unicode;
    const char *fuzzers;
    const char *state;
    const char *dns;      /* addresses, MX, or why unknown */
    long http_status;     /* 0: none */
    double likeness;      /* -1: not measured */
    const char *form;     /* "login", "payment" or NULL */
    int score;            /* -1: no case */
    const char *severity;
    const char *what;     /* its case's title, or NULL */
};

typedef void lookwatch_row_fn(void *arg, const struct lookwatch_row *r);

/*
 * Passes over the owned domains of cfg (watch terms of kind domain) that
 * are due, or every one not passed since this call began when all is
 * set, or only those named in only[0..nonly) (all implied). cfg holds
 * the applied settings (cfg->lookalikes), terms and alert filters. Each
 * stored candidate goes to row (may be NULL). Stops between steps when
 * *stop becomes true. Returns 0, DRP_EDB when the database failed, or
 * DRP_EINVAL for a bad setting (logged).
 */
int lookwatch_pass(struct db *db, const struct config *cfg,
                   const char *owner, bool all, const char *const *only,
                   size_t nonly, const atomic_bool *stop,
                   struct lookwatch_counts *c, lookwatch_row_fn *row,
                   void *arg);

/* The owned domains of cfg in A-labels (caller frees each and the
   array); *n gets their number. */
char **lookwatch_domains(const struct config *cfg, size_t *n);

struct lookwatch;

/*
 * The thread of `drpwatch run`: on a connection of its own, passes over
 * the domains as they come due (once: over every one, then it ends).
 * NULL (logged) when the watch is off or cannot start.
 */
struct lookwatch *lookwatch_start(struct cli *c, const char *owner,
                                  bool once);

/* Stops the thread and waits for it (with finish, a once thread ends
   its pass first; else it stops between steps); adds its counts to *c
   (may be NULL). NULL is a no-op. */
void lookwatch_stop(struct lookwatch *w, bool finish,
                    struct lookwatch_counts *c);

#endif
