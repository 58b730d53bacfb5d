/*
 * Takedown packs kept with their case, and their follow-through: the
 * evidence a pack is built from, the request (a status change and the
 * pack, one transaction), the re-checks due (claimed with SKIP LOCKED so
 * that several workers check each once), their outcome (a case whose
 * target is gone resolves itself, with its audit event), the reminders of
 * requests left unanswered, and the views. The rdap.* and takedown.*
 * settings are stored here too.
 */
#ifndef DRP_STORAGE_TAKEDOWN_H
#define DRP_STORAGE_TAKEDOWN_H

#include <stdbool.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/config.h"

struct db;

/*
 * What a pack for alert id is built from, as a new object:
 *   alert   store_case_show()'s object;
 *   page    the stored page of the alert's URL where its finding was
 *           seen last (else its last version): url, fetched_at, sha256
 *           (hex, of the page as served), http_status, content_type,
 *           title, bytes; or null;
 *   text    that page's stored text (redacted), or null;
 *   urls    the URLs where the case's finding was seen (at most 50;
 *           none for a brand mention, whose finding is the term itself,
 *           seen on every page that names it);
 *   source  {name, tor, allow_private} of the alert's source, or null.
 * NULL with "no alert ID" (DRP_ENOTFOUND's case) or the database's error
 * in err.
 */
json_t *store_takedown_evidence(struct db *db, long long id, struct buf *err);

/* A takedown request to record. */
struct takedown_record {
    long long alert_id;
    const char *from;       /* the case's status now */
    const char *actor;
    const char *note;       /* may be NULL */
    const char *url;        /* the target */
    const char *pack;       /* JSON text */
    const char *saved_copy; /* may be NULL */
    const char *detail;     /* the audit event's detail */
    int recheck;            /* seconds to the first re-check */
};

/*
 * In one transaction: moves the case from rec->from to takedown-requested
 * (unless it is there already: a fresh pack for the same request), closes
 * the case's older pack, stores this one and records a takedown-pack
 * event. *id gets the pack's id. DRP_ENOTFOUND when the case changed
 * meanwhile.
 */
int store_takedown_request(struct db *db, const struct takedown_record *rec,
                           long long *id, struct buf *err);

/*
 * Claims up to max re-checks: the open packs of cases still in
 * takedown-requested that are due (all: every one, due or not), each
 * pushed lease_secs ahead so that no other worker takes it meanwhile.
 * A new array (caller json_decref()s) of {takedown_id, alert_id, url,
 * tor, allow_private, unreachable}.
 */
json_t *store_takedowns_claim(struct db *db, bool all, int max,
                              int lease_secs, struct buf *err);

/* The outcome of one re-check. */
struct takedown_outcome {
    long long takedown_id, alert_id;
    const char *state;   /* live, gone, unreachable, unclear */
    const char *result;  /* what was found */
    int unreachable;     /* unreachable checks in a row */
    bool resolve;        /* the target is gone: resolve the case */
    int recheck;         /* seconds to the next check */
};

/*
 * Records it; when o->resolve, in the same transaction, closes the pack
 * and moves the case from takedown-requested to resolved with an event by
 * drpwatch whose note says why. *resolved tells whether the case moved
 * (false when an analyst moved it first).
 */
int store_takedown_checked(struct db *db, const struct takedown_outcome *o,
                           bool *resolved, struct buf *err);

/*
 * Reminds of the open packs of cases still in takedown-requested whose
 * request (or last reminder) is at least remind_after seconds old: one
 * takedown-reminder event by drpwatch each and a notification (reason
 * "takedown-reminder:N") on the channels that take the case, at most
 * once per period, even with several workers; one transaction. A new
 * array of {takedown_id, alert_id, reminders, requested_at, url, detail}.
 */
json_t *store_takedown_remind(struct db *db, int remind_after,
                              struct buf *err);

/*
 * The packs (open only: of cases still in takedown-requested), newest
 * first, at most limit: {takedown_id, alert_id, status, kind, title, url,
 * requested_at, checks, last_check_at, last_state, last_result,
 * unreachable, next_check_at, reminders, reminded_at, closed_at,
 * closed_why, to}.
 */
json_t *store_takedowns_list(struct db *db, bool open_only, int limit,
                             struct buf *err);

/*
 * The newest pack of alert id: {takedown_id, pack (object), saved_copy
 * (string or null)}. NULL with "no takedown pack for alert ID" in err
 * when there is none.
 */
json_t *store_takedown_get(struct db *db, long long id, struct buf *err);

#endif
