/*
 * What drpwatch keeps: the applied configuration, documents with their
 * findings, sightings and alerts, written in one transaction per document
 * (or per batch of documents, each with its job's completion) so that a
 * crash or a database restart loses nothing and duplicates nothing. Record structs here are plain data filled by the caller.
 */
#ifndef DRP_STORE_H
#define DRP_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/config.h"
#include "common/keyset.h"

struct db;
struct job;

struct apply_stats {
    int terms_added, terms_kept, terms_retired;
    int sources_added, sources_updated, sources_disabled;
    int channels_added, channels_updated, channels_disabled;
};

/*
 * Makes the database match cfg: upserts watch terms and sources, retires
 * terms and disables sources that are no longer listed, and seeds each
 * source's first job. Idempotent; one transaction.
 */
int store_apply(struct db *db, const struct config *cfg,
                struct apply_stats *st, struct buf *err);

/* The applied settings (tor, crawl limits, misp, taxii, lookalikes, rdap,
   takedown: storage/settings.c) into cfg. */
int store_load_settings(struct db *db, struct config *cfg, struct buf *err);
/* The settings rows cfg makes, as a JSON object of strings (key: value),
   or NULL (err set) when one is too long; what apply stores. */
json_t *store_settings_rows(const struct config *cfg, struct buf *err);
/* One settings row into cfg; an unknown key or a value out of range (a row
   written by another version) leaves cfg as it was. */
void store_setting_load(struct config *cfg, const char *key,
                        const char *value);

/* The active watch terms / enabled sources, as config structs (with ids). */
int store_load_terms(struct db *db, struct config *cfg, struct buf *err);
int store_load_sources(struct db *db, struct config *cfg, struct buf *err);

struct store_finding {
    const char *kind;
    const char *value;
    bool watched;
    int confidence;       /* the extractor's, weighed by the source's
                             reliability (alerts_confidence()) */
    const char *benign;   /* known-benign label, or NULL */
    size_t offset;
    const char *snippet;  /* from redacted text */
    /* credentials only */
    const char *identity;
    const char *domain;
    const char *pw_hmac_hex; /* 64 hex chars */
    const char *pw_hint;
};

struct store_alert {
    const char *dedup_key;
    const char *kind;
    const char *severity; /* the rescore hook may change it and score */
    int score;
    const char *score_parts; /* JSON object, or NULL */
    const char *term;     /* the watch term's value, or NULL */
    const char *title;
    const char *summary;
    const char *next_step;
    const char *audience;
    size_t finding;       /* index into store_doc.findings */
};

/* A link of a stored page, to enqueue (crawler/adapter.h: roles). */
struct store_link {
    const char *url;
    const char *role;   /* list, page, marked, once */
    const char *marker; /* a thread row's marker (hex), or NULL */
    bool continues;     /* a later page of the job's thread */
};

/* What the database knows of an alert's finding and case when it is
   stored (see struct alert_facts). */
struct store_case_facts {
    double finding_age_days; /* since the finding was first seen */
    double case_age_days;    /* since the case was opened (0: new) */
    int sources;             /* sources that saw the finding, this one too */
    int source_tp, source_fp; /* verdicts on this source's alerts */
    int rule_tp, rule_fp;     /* verdicts on alerts of the same kind */
};

/* An alert's score as the rescore hook sets it. */
struct store_score {
    int score;
    const char *severity;
    const char *parts;   /* JSON object */
    int sources;         /* independent sources behind the case */
};

/*
 * Called for alert i of a document inside its transaction with the facts,
 * before the alert is written: sets its final score (strings that must
 * live until store_document() returns).
 */
typedef void store_rescore_fn(void *arg, size_t i,
                              const struct store_case_facts *facts,
                              struct store_score *out);

struct store_doc {
    const struct job *job;
    const struct source_conf *source;
    int http_status;
    const char *content_type;
    const char *etag;
    const char *last_modified;
    const char *sha256_hex;
    size_t body_bytes;
    const char *title;
    const char *text;     /* redacted, valid UTF-8, no NUL */
    const char *warning;  /* a parse problem to record on the source */
    const struct store_link *links; /* absolute URLs in the source's scope */
    size_t nlinks;
    const struct store_finding *findings;
    size_t nfindings;
    const struct store_alert *alerts;
    size_t nalerts;
    store_rescore_fn *rescore; /* NULL: scores as drafted */
    void *rescore_arg;
    /* Links known to be in the source's frontier (keyset_key() of the
       source's id and the URL), shared by the threads that store pages:
       those are not sent again. store_document() adds the page's links
       once they are committed, unless the source's max_pages left some
       out. NULL: every link is sent. */
    struct keyset *known_links;
};

/*
 * Makes sure the document partitions of this month and the next exist, so
 * that no document lands in the default partition (call at start and at
 * least daily).
 */
int store_prepare_partitions(struct db *db, struct buf *err);

/*
 * Stores one fetched document and everything found in it, enqueues its
 * links (depth + 1, within the source's max_depth and max_pages), completes
 * its job and marks the source healthy, all in one transaction (one round
 * trip). Sets *new_alerts to the number of alerts opened (not updated).
 * Returns 0, DRP_EDB (nothing stored: the job is still leased), or
 * DRP_ETOOBIG when the page's findings or links pass what one transaction
 * carries (nothing stored; the reason in err).
 */
int store_document(struct db *db, const struct store_doc *doc,
                   int *new_alerts, struct buf *err);

/*
 * store_document() of a page whose findings come in parts (a page with
 * more than one part of the engine takes: cli/pipeline.c), in one
 * transaction all the same, a round trip or two a part, so that only one
 * part is in memory at a time. store_parts_begin() stores doc (its text
 * redacted whole, its own findings and alerts, often none) and sets *sp;
 * store_parts_add() stores each part's findings and alerts (the alerts'
 * finding indexes are into that part's findings; rescore_arg the rescore
 * hook's for them); a finding of an earlier part may come again (one
 * sighting a page all the same; its sighting_count is then raised once
 * a part). store_parts_end() with rc 0 enqueues the links, completes the
 * job and commits, with rc < 0 rolls everything back; it frees sp (NULL:
 * begin failed, rc is returned) and returns as store_document() does
 * (DRP_ELEASE too). Errors of begin and add are store_document()'s.
 */
struct store_parts;

int store_parts_begin(struct db *db, const struct store_doc *doc,
                      struct store_parts **sp, struct buf *err);
int store_parts_add(struct store_parts *sp,
                    const struct store_finding *findings, size_t nfindings,
                    const struct store_alert *alerts, size_t nalerts,
                    void *rescore_arg, struct buf *err);
int store_parts_end(struct store_parts *sp, int rc, int *new_alerts,
                    struct buf *err);

/*
 * Pages kept to be stored together (store_batch_flush()): one transaction
 * and one statement a table for all of them (a page end a source), where
 * store_document() costs a transaction and three to five statements a
 * page, each set up by the server on every run. A batch is one thread's.
 * Pages whose alerts open cases (the rescore hook reads the store between
 * statements), with a warning, with thread links (marker or continues), or
 * with a large text do not fit: store_document() them.
 */
#define STORE_BATCH_PAGES 16          /* pages a batch holds at most */
#define STORE_BATCH_BYTES (4u << 20)  /* bytes of text, links, findings */
#define STORE_BATCH_MS 200            /* age of its first page, at most */

struct store_batch;

struct store_batch *store_batch_new(void);
/* Frees b, which must be empty (flushed). NULL is a no-op. */
void store_batch_free(struct store_batch *b);

/* Whether doc may go into a batch. */
bool store_batch_fits(const struct store_doc *doc);

/*
 * Copies doc (which must fit) into b; doc->job, doc->source and
 * doc->known_links are borrowed until its page's outcome is told
 * (store_batch_flush()); user comes back with it.
 */
void store_batch_add(struct store_batch *b, const struct store_doc *doc,
                     void *user);

/* Pages in b. */
size_t store_batch_count(const struct store_batch *b);

/* Whether b must be flushed now: it holds STORE_BATCH_PAGES pages or
   STORE_BATCH_BYTES, or its first page is STORE_BATCH_MS old. */
bool store_batch_due(const struct store_batch *b);

/*
 * The milliseconds b may wait for more pages (0: due, or empty). A batch
 * with links not yet known to be in the frontier (store_doc.known_links)
 * waits for none: its links must reach the frontier before the pages
 * fetched after it add theirs, or a page linked from both would go in
 * deeper than it is (and past max_depth, its links be left out).
 */
int store_batch_wait_ms(const struct store_batch *b);

/* A page's outcome: rc 0 (stored), or a negative DRP_E* code with the
   error in err; refused: the page would fail again (the server refused
   it, or it is too large), as opposed to an outage. */
typedef void store_batch_done_fn(void *arg, void *user, int rc,
                                 bool refused, const char *err);

/*
 * Stores every page of b as store_document() would, in one transaction.
 * When the server refuses it (a statement it rejects: not an outage),
 * each page is stored again in a transaction of its own, so that one bad
 * page loses none of the others. done is then called once for each page,
 * in the order they were added; b is left empty. Deadlocks are retried
 * (db_batch_run()). db NULL: the database is unreachable, every page
 * fails with DRP_EDB.
 */
void store_batch_flush(struct db *db, struct store_batch *b,
                       store_batch_done_fn *done, void *arg);

/*
 * The findings to share as indicators, as a JSON array (caller
 * json_decref()s): those of kinds (a NULL-terminated list) last seen at or
 * after since (a timestamp or an interval back from now; NULL: all) with a
 * stored confidence of at least min_confidence. Never a known-benign value,
 * a watched (owned) one, or an e-mail address that is a leaked
 * credential's identity. Each object: kind, value, confidence, tlp,
 * first_seen and last_seen (Unix seconds) and sightings (source,
 * first_seen, last_seen, count), most recently seen first.
 */
json_t *store_export_findings(struct db *db, const char *const *kinds,
                              const char *since, int min_confidence,
                              struct buf *err);

/*
 * The rows for MISP events (alerts/misp.h), as a JSON array: by day, the
 * findings of kinds (as store_export_findings() chooses them) and the
 * credentials that have a credential-leak or canary alert (identity and
 * masked hint only); by alert, each alert's finding with the alert's key,
 * title, severity and page. Each row: kind ("credential" for a
 * credential), value, confidence, first_seen, last_seen (Unix seconds),
 * sources (names, comma-separated), identity, password_hint, alert_key,
 * alert_title, alert_severity, alert_url.
 */
json_t *store_export_misp(struct db *db, const char *const *kinds,
                          const char *since, int min_confidence,
                          bool by_alert, struct buf *err);

/* What a TAXII collection holds: the shareable findings (as
   store_export_findings() chooses them) of kinds, of the TLP levels tlp
   (NULL: any) and seen on a page where a case of one of the watch terms
   was seen (NULL: any). */
struct store_taxii_filter {
    const char *const *kinds; /* NULL-terminated */
    const char *const *tlp;
    size_t ntlp;
    const char *const *watch;
    size_t nwatch;
    /* by_id: only these findings and these sources' identities (a lookup
       by STIX id, store_stix_lookup()); else any. */
    bool by_id;
    const long long *finding_ids;
    size_t nfinding_ids;
    const long long *source_ids;
    size_t nsource_ids;
};

/* Rows sort by (added_us, group, id); group 0 is the caller's own. */
enum { STORE_TAXII_SOURCE = 1, STORE_TAXII_FINDING = 2 };

struct store_taxii_key {
    long long added_us; /* microseconds since the epoch */
    int group;
    long long id;
};

/*
 * The next n rows of a collection after the key, in key order, as a JSON
 * array (caller json_decref()s): the sources that sighted something in it
 * (group 1, added when the source was created: g, id, added_us, name) and
 * its findings (group 2, added when last seen: g, id, added_us and the
 * members of store_export_findings()'s objects). Parameterised; pages
 * through an index on (last_seen, id).
 */
json_t *store_taxii_rows(struct db *db, const struct store_taxii_filter *f,
                         const struct store_taxii_key *after, int n,
                         struct buf *err);

/*
 * The index of STIX ids (migration 013), kept by the TAXII server so that
 * it finds an object by its id (the ids come from alerts/stix.h).
 *
 * store_stix_top: the highest finding and sighting ids now.
 * store_stix_pending: what has no ids in the index yet, at most n of each
 * group g, as a JSON array of {g, at, f, s, kind, value, name}: findings
 * of kinds past after_finding (g 1, at and f the finding; s null), the
 * sightings past after_sighting of a finding of kinds by a source not yet
 * indexed with it (g 2, at the sighting; f, s, the source's name), and
 * sources (g 3, s and name; f null); each group in the order of at.
 * store_stix_index: adds n ids ("type--UUID": the UUID is kept) with their
 * finding and source (0: none); ids already there are skipped.
 * store_stix_lookup: the owners of ids (by their UUIDs, valid ones only:
 * the TAXII server checks them), as a JSON object: found, how many of the
 * ids the index holds; owners, an array of {f, s} (f null: a source's
 * identity).
 */
int store_stix_top(struct db *db, long long *finding, long long *sighting,
                   struct buf *err);
json_t *store_stix_pending(struct db *db, const char *const *kinds,
                           long long after_finding, long long after_sighting,
                           int n, struct buf *err);
int store_stix_index(struct db *db, const char *const *ids,
                     const long long *findings, const long long *sources,
                     size_t n, struct buf *err);
json_t *store_stix_lookup(struct db *db, const char *const *ids, size_t n,
                          struct buf *err);

#endif
