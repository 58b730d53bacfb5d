/*
 * The lookalike watch in PostgreSQL: each owned domain's passes (due
 * times and leases, so that several workers share them), each candidate
 * ever found registered or left unknown by DNS with its current state,
 * and the history of its checks. A check and the cases it opens or
 * updates are written in one transaction.
 */
#ifndef DRP_LOOKALIKES_H
#define DRP_LOOKALIKES_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "storage/cases.h"
#include "storage/store.h"

struct db;

/* The database's time now, as timestamptz text, into out (cap n). */
int store_lookalike_clock(struct db *db, char *out, size_t n,
                          struct buf *err);

/*
 * Leases the next owned domain among domains[0..n) (A-labels) that no
 * other worker holds, for lease_secs: with since NULL, one whose pass is
 * due (a domain seen for the first time is due at once); else one not
 * passed since that time (store_lookalike_clock()'s text: every domain
 * once in a `run --once`). *out gets the domain (caller frees), or NULL
 * when none is left.
 */
int store_lookalike_lease(struct db *db, const char *owner,
                          const char *const *domains, size_t n,
                          const char *since, int lease_secs, char **out,
                          struct buf *err);

/* What the table knows of a candidate before this check. */
struct store_lookalike_prior {
    bool known;           /* a row exists */
    char state[16];       /* its last state */
    bool ever_registered; /* first_registered is set */
    bool baseline;        /* its domain finished a pass before this one:
                             a name registered now and not then is new */
    int rule_tp, rule_fp; /* verdicts on lookalike-domain and
                             impersonation cases */
};

int store_lookalike_prior(struct db *db, const char *domain,
                          const char *name, struct store_lookalike_prior *p,
                          struct buf *err);

/* One check of a candidate, as stored. */
struct store_lookalike_check {
    const char *domain;   /* the owned domain */
    const char *name;
    const char *unicode;
    const char *fuzzers;
    const char *state;    /* registered, unknown (stored); see
                             store_lookalike_states() for the others */
    const char *reason;
    const char *addresses;
    const char *mx;
    bool page;            /* a page was asked for: the fields below */
    long http_status;
    const char *final_url;
    bool measured;        /* likeness measured against the official page */
    double text_similarity, markup_similarity;
    bool login_form, payment_form, favicon_match, parked;
    int brand_terms;
    int score;            /* of its lookalike-domain case, or -1: none */
    const char *severity;
};

/*
 * Records chk (the candidate's row and a history row) and opens or
 * updates its cases alerts[0..n) (store_case_raise(), url the page), in
 * one transaction; the row keeps the id of its lookalike-domain case.
 */
int store_lookalike_put(struct db *db, const struct store_lookalike_check *chk,
                        const struct store_alert *alerts, size_t n,
                        const char *url, struct case_counts *c,
                        struct buf *err);

/*
 * The names of domain that DNS found unregistered (or under a wildcard:
 * state says which) this pass: those already in the table change state
 * (with a history row when it changed); the others are not stored.
 * names are host names (letters, digits, '-', '_', '.').
 */
int store_lookalike_states(struct db *db, const char *domain,
                           const char *state, const char *const *names,
                           size_t n, struct buf *err);

/* Counts of one pass. */
struct store_lookalike_pass {
    int candidates, registered, unknown, wildcard;
};

/*
 * Ends owner's pass of domain: its counts, the pass times (the first
 * sets the baseline), and the next due time interval seconds on, or
 * retry seconds when some names stayed unknown (whichever is sooner).
 */
int store_lookalike_pass_done(struct db *db, const char *domain,
                              const char *owner,
                              const struct store_lookalike_pass *p,
                              int interval, int retry, struct buf *err);

/* Gives back owner's leases (a pass cut short). */
int store_lookalike_release(struct db *db, const char *owner,
                            struct buf *err);

#endif
