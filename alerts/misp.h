/*
 * MISP core-format events of drpwatch's findings: one event per day (the
 * indicators and leaked credentials last seen that day) or one per alert
 * (its finding and the page it was found on). Attributes get MISP's
 * category and type for their kind and to_ids from their confidence;
 * credentials become `credential` objects with the identity and the
 * masked password hint only. misp_events() is pure: the caller reads the
 * findings; misp_push() delivers the events to a MISP instance.
 *
 * Event and attribute uuids are UUIDv5s (of the day or the alert's key,
 * and of the value), so pushing again updates an event instead of
 * creating another.
 */
#ifndef DRP_MISP_H
#define DRP_MISP_H

#include <stddef.h>

#include "common/buf.h"
#include <time.h>

#include <jansson.h>

struct misp_opts {
    int by_alert;      /* 0: one event per day; 1: one per alert */
    int distribution;  /* 0 your organisation only ... 3 all communities */
    int threat_level;  /* 1 high ... 4 undefined: day events */
    int to_ids_min;    /* confidence from which attributes are for IDS */
};

/* A finding to share, with (for an alert event) the alert it rests on. */
struct misp_item {
    const char *kind;      /* a finding kind, or "credential" */
    const char *value;
    int confidence;
    time_t first_seen, last_seen;
    const char *sources;   /* where it was seen (a comment), or NULL */
    const char *identity;  /* credential only */
    const char *password_hint; /* credential only: masked */
    const char *alert_key; /* by alert: the case's dedup key */
    const char *alert_title;
    const char *alert_severity;
    const char *alert_url; /* the page */
};

/* Whether kind has a MISP attribute type here (or is a credential). */
int misp_kind_supported(const char *kind);

/* The events, a JSON array of {"Event": {...}}, newest first. */
json_t *misp_events(const struct misp_item *items, size_t n,
                    const struct misp_opts *o);

/* A MISP instance to push to. */
struct misp_target {
    const char *url;   /* base URL, e.g. https://misp.example/ */
    const char *key;   /* its API key (never logged) */
    int retries;       /* more attempts when MISP is down or answers 5xx */
    int backoff_ms;    /* before the first retry; doubles, at most 30 s */
    long timeout;      /* seconds per request */
};

/*
 * Pushes each event of events (misp_events()'s array): an event MISP
 * already has (by uuid) is edited, another added. Connection failures,
 * 429 and 5xx answers are retried with backoff. Returns 0 with the counts,
 * or DRP_ENET/DRP_EHTTP with what went wrong in err (the events before it
 * are pushed).
 */
int misp_push(const struct misp_target *t, json_t *events, int *added,
              int *updated, struct buf *err);

#endif
