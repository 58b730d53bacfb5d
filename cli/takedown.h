/*
 * Takedown wiring: the evidence from storage, a fresh fetch of the target
 * and the RDAP lookups through the crawler's fetcher, the pack from
 * alerts/takedown.h, and its record; the follow-through's re-checks on a
 * fetcher (drpwatch run's, or one of their own) and its reminders. Each
 * step's logic lives in its module.
 */
#ifndef DRP_CLI_TAKEDOWN_H
#define DRP_CLI_TAKEDOWN_H

#include <stdbool.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/config.h"

struct db;
struct fetcher;
struct fetch_opts;
struct fetch_result;

#define TAKEDOWN_CLAIM_LEASE 900 /* seconds a claimed re-check is held */

/* The fetcher options for takedown work: the applied crawl settings,
   with room for an RDAP answer of rdap.max_bytes. */
void takedown_fetch_opts(const struct config *cfg, struct fetch_opts *fo);

/* A pack built and recorded. */
struct takedown_made {
    long long takedown_id;
    char from[32];     /* the case's status before */
    json_t *pack;      /* caller json_decref()s */
    char *saved_copy;  /* the page's stored text, or NULL; caller frees */
};

/*
 * Builds the pack for alert id (cfg: the applied settings) and records it
 * with the move to takedown-requested by actor with note. Returns 0, or
 * DRP_ENOTFOUND (no such alert, or a status that cannot move to
 * takedown-requested: err says which and what to do), DRP_EDB.
 */
int takedown_make(struct db *db, const struct config *cfg, long long id,
                  const char *actor, const char *note,
                  struct takedown_made *out, struct buf *err);

/*
 * Writes pack.json, request.txt and, when there is one, the saved copy
 * (alerts/takedown.h: TAKEDOWN_SAVED_COPY) into dir, made if missing.
 * 0, or DRP_EIO with the reason in err.
 */
int takedown_write_dir(const char *dir, const json_t *pack,
                       const char *saved_copy, struct buf *err);

struct takedown_checker;

struct takedown_checker *takedown_checker_new(struct db *db,
                                              const struct config *cfg);
void takedown_checker_free(struct takedown_checker *tc);

/*
 * Claims up to max re-checks (all: every open takedown, else those due)
 * and queues one GET of each target on f, with the source's Tor and
 * address policy. Returns how many were queued, or DRP_EDB.
 */
int takedown_checker_start(struct takedown_checker *tc, struct fetcher *f,
                           bool all, int max);

/* Re-checks queued and not yet taken back. */
int takedown_checker_pending(const struct takedown_checker *tc);

/*
 * If r is one of tc's re-checks: judges it, records the outcome (a case
 * whose target is gone resolves itself), logs it, frees r and returns
 * true. Otherwise false and r is untouched.
 */
bool takedown_checker_take(struct takedown_checker *tc,
                           struct fetch_result *r);

/* Reminds of requests unanswered past takedown.remind_after (events, log
   lines). Returns how many, or DRP_EDB. */
int takedown_checker_remind(struct takedown_checker *tc);

/* What was done so far: an array of {alert_id, url, state, result,
   resolved} and one of reminders (store_takedown_remind()). Borrowed. */
const json_t *takedown_checker_checks(const struct takedown_checker *tc);
const json_t *takedown_checker_reminders(const struct takedown_checker *tc);

#endif
