/*
 * The notification outbox: channels applied from drpwatch.yaml, one row
 * per (alert, channel, reason) to deliver, and one per digest period.
 * Rows are leased with FOR UPDATE SKIP LOCKED and an expiry, so several
 * workers deliver each row once, and a dead worker's rows come back.
 * Delivery is at least once: a worker that dies between sending and
 * recording sends again after its lease expires. Payloads are built and
 * sent by alerts/notify.h; this file only keeps the state.
 */
#ifndef DRP_STORAGE_NOTIFY_H
#define DRP_STORAGE_NOTIFY_H

#include <stdbool.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/config.h"

struct db;
struct apply_stats;

/* Longest reason store_notify_alert() takes. */
#define NOTIFY_MAX_REASON 64

/*
 * Makes the channels table match cfg->channels, inside the caller's
 * transaction (store_apply): upserts by name; a channel no longer listed
 * is disabled and its undelivered rows are dead-lettered ("channel
 * removed from the configuration"). Counts go to st->channels_*.
 */
int store_notify_apply(struct db *db, const struct config *cfg,
                       struct apply_stats *st, struct buf *err);

/* The enabled channels (with their ids) into cfg->channels, replacing
   what was there. */
int store_notify_channels(struct db *db, struct config *cfg,
                          struct buf *err);

/*
 * The enqueue API of the alert core. Call it inside the transaction that
 * opens an alert (reason "opened") or raises its severity (a reason per
 * level reached, e.g. "severity:high"), after the alert row is written.
 * For each enabled immediate channel whose kinds include the alert's kind
 * and whose min_severity the alert's current severity reaches, it inserts
 * one outbox row; the same (alert, channel, reason) is inserted once,
 * so calling it again (a retried transaction) adds nothing. Digest
 * channels get no row: the digest reads the alerts of its period.
 * reason: 1-NOTIFY_MAX_REASON bytes of [a-z0-9:_-], not "digest"
 * (DRP_EINVAL otherwise). Returns 0 or DRP_EDB with err set.
 */
int store_notify_alert(struct db *db, long long alert_id, const char *reason,
                       struct buf *err);

/*
 * Enqueues a digest row for every enabled digest channel that is due (its
 * digest_at passed since its last digest), covering the time since the
 * last one. Safe with several workers at once. *n gets how many.
 */
int store_notify_schedule_digests(struct db *db, int *n, struct buf *err);

/* The database's clock (seconds since the epoch), for due_before. */
int store_notify_clock(struct db *db, double *now, struct buf *err);

/*
 * Leases up to max rows that are due (next_attempt_at not after now, nor
 * after due_before when due_before > 0: the database's clock when a pass
 * began, so that it tries each row at most once), counting an attempt on
 * each. *items gets a new JSON array (json_decref() it) of objects:
 *   id, channel_id, attempts (this one included), reason,
 *   alert: null for a digest, else an object with id, kind, severity,
 *     score, status, title, summary, next_step, audience, source, url,
 *     first_seen, last_seen (ISO 8601 UTC), occurrences;
 *   period_start, period_end: a digest's period (ISO 8601 UTC), or null.
 */
int store_notify_lease(struct db *db, const char *owner, int max,
                       int lease_secs, double due_before, json_t **items,
                       struct buf *err);

/*
 * Adds "digest" to a leased digest item: an object with hours (the
 * period's length, rounded), sources (enabled sources crawled with
 * success in the period), kinds (the channel's, or every kind alerts
 * have had), min_severity, total, counts (array of kind, severity, count)
 * and top (the 10 most severe: id, kind, severity, score, title, source,
 * url), for the alerts opened in the period that the channel takes.
 */
int store_notify_digest(struct db *db, json_t *item, struct buf *err);

/* The row was delivered (owner must still hold its lease: else
   DRP_ENOTFOUND, and the row is left to whoever holds it). */
int store_notify_delivered(struct db *db, long long id, const char *owner,
                           struct buf *err);

/*
 * An attempt failed with error (kept as last_error): due again after
 * retry_ms, or dead-lettered when retry_ms < 0.
 */
int store_notify_failed(struct db *db, long long id, const char *owner,
                        const char *error, long retry_ms, struct buf *err);

/* Releases every lease owner holds, without counting the attempt. */
int store_notify_release(struct db *db, const char *owner, struct buf *err);

/*
 * The outbox, newest first: objects with id, channel, alert (id or null),
 * reason, state (pending, sending, delivered, dead), attempts,
 * next_attempt (pending rows), created, delivered, dead (ISO 8601 UTC or
 * null), last_error. state may be NULL (all).
 */
json_t *store_notify_list(struct db *db, const char *state, int limit,
                          struct buf *err);

#endif
