/*
 * Alerts as cases in PostgreSQL: opening or updating one as a document is
 * stored (store_document() calls store_case_put()), the operator's
 * allowlist and suppression rules, status changes with their audit trail,
 * and the views: the list with its filters, one case in full, the
 * statistics of verdicts and timings, and the silences.
 */
#ifndef DRP_CASES_H
#define DRP_CASES_H

#include <stdbool.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/config.h"
#include "storage/db.h"
#include "storage/store.h"

/* What storing a document did to its cases. */
struct case_counts {
    int opened;   /* new cases */
    int raised;   /* cases whose severity rose (re-raised) */
    int updated;  /* cases seen again */
};

/*
 * Opens alert i of doc (its finding stored as finding_id) or updates its
 * case: last seen, sightings, sources, score and parts (through
 * doc->rescore), an audit event. A case whose severity rises is re-raised
 * (raised_at; a resolved one reopens as new); a false-positive or
 * accepted-risk case is only updated: the analyst has decided. Runs
 * inside the caller's transaction.
 */
int store_case_put(struct db *db, const struct store_doc *doc, size_t i,
                   const char *finding_id, struct case_counts *c,
                   struct buf *err);

/*
 * Opens or updates case a that rests on no stored document, finding or
 * source (a lookalike check), scored as a says; url is its evidence page
 * (may be NULL). Re-raising and notifications as for store_case_put();
 * *id gets the case's id. Runs inside the caller's transaction.
 */
int store_case_raise(struct db *db, const struct store_alert *a,
                     const char *url, struct case_counts *c, long long *id,
                     struct buf *err);

/* Replaces the stored allowlist and suppression rules with cfg's
   (inside store_apply()'s transaction). */
int store_put_alert_filters(struct db *db, const struct config *cfg,
                            struct buf *err);
/* Loads them into cfg->alerts (which must be empty). */
int store_load_alert_filters(struct db *db, struct config *cfg,
                             struct buf *err);

/* Filters of the alert list; NULL or 0 members do not filter. */
struct case_filter {
    const char *kind;
    const char *status;
    const char *severity; /* this severity or higher */
    const char *source;   /* source name */
    const char *since;    /* last seen at or after (a PostgreSQL timestamp
                             or interval: "2026-11-01", "7 days") */
    int limit;
};

/* The alerts that pass f, most severe first. Caller json_decref()s. */
json_t *store_cases_list(struct db *db, const struct case_filter *f,
                         struct buf *err);

/* Alert id in full: its fields, score parts, finding and events.
   NULL with DRP_ENOTFOUND's text in err when there is no such alert. */
json_t *store_case_show(struct db *db, long long id, struct buf *err);

/* The status of alert id into out (cap n); DRP_ENOTFOUND if none. */
int store_case_status(struct db *db, long long id, char *out, size_t n,
                      struct buf *err);

/*
 * Moves alert id from status from to to, recording an event with actor
 * and note (may be NULL). DRP_ENOTFOUND when the alert is not in from
 * any more (another change came first). The caller checks that the
 * transition is allowed (alerts_transition_allowed()).
 */
int store_case_transition(struct db *db, long long id, const char *from,
                          const char *to, const char *actor,
                          const char *note, struct buf *err);
/* The same inside the caller's transaction. */
int store_case_transition_tx(struct db *db, long long id, const char *from,
                             const char *to, const char *actor,
                             const char *note, struct buf *err);

/*
 * Statistics of the last days days: per source and per kind (rule) the
 * alerts, verdicts (true and false positives) and precision; the median
 * time from first sighting to alert and from alert to verdict; and the
 * silences: each watched domain, e-mail domain and brand term with no
 * alert in the period, with the number of sources crawled in it.
 */
json_t *store_case_stats(struct db *db, int days, struct buf *err);

#endif
