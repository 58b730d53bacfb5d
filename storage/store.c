/*
 * The applied configuration, documents, findings, sightings and alerts.
 * Every statement is parameterised; store_document() is one transaction
 * that also completes the document's job, and store_batch_flush() one
 * for several documents and their jobs, so a retried job after a crash
 * finds either everything or nothing.
 */
#include <assert.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "storage/frontier.h"
#include "storage/internal.h"
#include "storage/cases.h"
#include "storage/notify.h"
#include "storage/store.h"
#include "storage/takedown.h"
#include "common/banned.h"

/*
 * An array literal built item by item, passed as one parameter (never
 * spliced into SQL): array_add() each item (NULL: SQL NULL), then
 * array_close(). Past the buffer's cap they fail with DRP_ETOOBIG, and
 * the literal must not be used.
 */
static int
array_add(struct buf *b, const char *item)
{
    int rc;

    if (item == NULL)
        return buf_adds(b, b->len ? ",NULL" : "{NULL");
    rc = buf_adds(b, b->len ? ",\"" : "{\"");
    while (rc == 0 && *item) {
        size_t run = strcspn(item, "\"\\");

        rc = buf_add(b, item, run);
        item += run;
        if (rc == 0 && *item) {
            char esc[2] = { '\\', *item++ };

            rc = buf_add(b, esc, 2);
        }
    }
    return rc ? rc : buf_addc(b, '"');
}

static int
array_close(struct buf *b)
{
    return buf_adds(b, b->len ? "}" : "{}");
}

/* array_add() of a row id; 0 is SQL NULL. */
static int
array_add_id(struct buf *b, long long id)
{
    char num[24];

    snprintf(num, sizeof(num), "%lld", id);
    return array_add(b, id ? num : NULL);
}

/* array_add() of a STIX id's UUID, the part after "type--". */
static int
array_add_uuid(struct buf *b, const char *stix_id)
{
    const char *u = strstr(stix_id, "--");

    return array_add(b, u ? u + 2 : stix_id);
}

int
store_apply(struct db *db, const struct config *cfg, struct apply_stats *st,
            struct buf *err)
{
    PGresult *r = NULL;
    struct buf kinds = BUF_INIT(1u << 24), values = BUF_INIT(1u << 24);
    struct buf names = BUF_INIT(1u << 24);
    size_t i;
    int rc;

    memset(st, 0, sizeof(*st));
    rc = db_begin(db, err);
    if (rc < 0)
        return rc;
    for (i = 0; i < cfg->nterms; i++) {
        const struct watch_term *t = &cfg->terms[i];
        const char *p[4] = { t->kind, t->value, t->priority, t->consumers };

        QUERY(r,
              "INSERT INTO watch_terms (kind, value, priority, consumers) "
              "VALUES ($1, $2, $3, $4) ON CONFLICT (kind, value) DO UPDATE "
              "SET priority = $3, consumers = $4, active = true, "
              "updated_at = now() RETURNING (xmax = 0)",
              4, p);
        if (PQgetvalue(r, 0, 0)[0] == 't')
            st->terms_added++;
        else
            st->terms_kept++;
        PQclear(r);
        /* Arrays for the retirement below. */
        array_add(&kinds, t->kind);
        array_add(&values, t->value);
    }
    array_close(&kinds);
    array_close(&values);
    {
        const char *p[2] = { buf_str(&kinds), buf_str(&values) };

        QUERY(r,
              "UPDATE watch_terms SET active = false, updated_at = now() "
              "WHERE active AND (kind, value) NOT IN (SELECT * FROM "
              "unnest($1::text[], $2::text[]))",
              2, p);
        st->terms_retired = (int)strtol(PQcmdTuples(r), NULL, 10);
        PQclear(r);
    }
    for (i = 0; i < cfg->nsources; i++) {
        const struct source_conf *s = &cfg->sources[i];
        const struct adapter_conf *a = &s->adapter;
        char depth[16], pages[16], interval[16], reliability[16], delay[16];
        const char *p[24] = { s->name, s->kind, s->url,
                              s->tor ? "t" : "f",
                              s->allow_private ? "t" : "f", depth, pages,
                              interval, reliability,
                              s->enabled ? "t" : "f",
                              s->robots ? "t" : "f", delay, s->charset,
                              s->cookie_file, s->session_marker, a->engine,
                              a->boards, a->threads, a->thread_link,
                              a->marker, a->next, a->pastes, a->paste_id,
                              a->raw };

        snprintf(depth, sizeof(depth), "%d", s->max_depth);
        snprintf(pages, sizeof(pages), "%d", s->max_pages);
        snprintf(interval, sizeof(interval), "%d", s->interval);
        snprintf(reliability, sizeof(reliability), "%d", s->reliability);
        snprintf(delay, sizeof(delay), "%d", s->delay_ms);
        QUERY(r,
              "INSERT INTO sources (name, kind, url, tor, allow_private, "
              "  max_depth, max_pages, interval_s, reliability, enabled, "
              "  robots, delay_ms, charset, cookie_file, session_marker, "
              "  engine, sel_boards, sel_threads, sel_thread_link, "
              "  sel_marker, sel_next, sel_pastes, paste_id, raw_url) "
              "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
              "  $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, "
              "  $24) "
              "ON CONFLICT (name) DO UPDATE SET kind = $2, url = $3, "
              "  tor = $4, allow_private = $5, max_depth = $6, "
              "  max_pages = $7, interval_s = $8, reliability = $9, "
              "  enabled = $10, robots = $11, delay_ms = $12, "
              "  charset = $13, cookie_file = $14, session_marker = $15, "
              "  engine = $16, sel_boards = $17, sel_threads = $18, "
              "  sel_thread_link = $19, sel_marker = $20, sel_next = $21, "
              "  sel_pastes = $22, paste_id = $23, raw_url = $24, "
              "  updated_at = now() "
              "RETURNING id, (xmax = 0)",
              24, p);
        if (PQgetvalue(r, 0, 1)[0] == 't')
            st->sources_added++;
        else
            st->sources_updated++;
        {
            const char *q[3] = { PQgetvalue(r, 0, 0), s->url,
                                 strcmp(s->kind, "site") ? "list" : "page" };
            PGresult *r2 = db_query(db,
                                    "WITH new AS (INSERT INTO jobs "
                                    "  (source_id, url, depth, role) "
                                    "  VALUES ($1, $2, 0, $3) "
                                    "  ON CONFLICT (source_id, url) DO UPDATE "
                                    "  SET depth = 0, role = $3 "
                                    "  RETURNING (xmax = 0) AS new) "
                                    DB_SOURCE_COUNT_NEW,
                                    3, q, err);

            PQclear(r);
            r = r2;
            if (r == NULL) {
                rc = DRP_EDB;
                goto out;
            }
        }
        PQclear(r);
        array_add(&names, s->name);
    }
    array_close(&names);
    {
        const char *p[1] = { buf_str(&names) };

        QUERY(r,
              "UPDATE sources SET enabled = false, updated_at = now() "
              "WHERE enabled AND NOT (name = ANY ($1::text[]))",
              1, p);
        st->sources_disabled = (int)strtol(PQcmdTuples(r), NULL, 10);
        PQclear(r);
    }
    rc = store_put_settings(db, cfg, err);
    if (rc < 0)
        goto out;
    rc = store_put_alert_filters(db, cfg, err);
    if (rc < 0)
        goto out;
    rc = store_notify_apply(db, cfg, st, err);
out:
    rc = db_end(db, rc, err);
    buf_release(&kinds);
    buf_release(&values);
    buf_release(&names);
    return rc;
}

int
store_load_terms(struct db *db, struct config *cfg, struct buf *err)
{
    PGresult *r;
    int i, rows;

    r = db_query(db,
                 "SELECT kind, value, priority, consumers FROM watch_terms "
                 "WHERE active ORDER BY id",
                 0, NULL, err);
    if (r == NULL)
        return DRP_EDB;
    rows = PQntuples(r);
    cfg->terms = xcalloc((size_t)rows + 1, sizeof(*cfg->terms));
    for (i = 0; i < rows; i++) {
        struct watch_term *t = &cfg->terms[i];

        t->kind = xstrdup(PQgetvalue(r, i, 0));
        t->value = xstrdup(PQgetvalue(r, i, 1));
        t->priority = xstrdup(PQgetvalue(r, i, 2));
        t->consumers = db_value_dup(r, i, 3);
    }
    cfg->nterms = (size_t)rows;
    PQclear(r);
    return 0;
}

int
store_load_sources(struct db *db, struct config *cfg, struct buf *err)
{
    PGresult *r;
    int i, rows;

    r = db_query(db,
                 "SELECT id, name, kind, url, tor, allow_private, max_depth, "
                 "  max_pages, interval_s, reliability, robots, delay_ms, "
                 "  charset, cookie_file, session_marker, engine, sel_boards, "
                 "  sel_threads, sel_thread_link, sel_marker, sel_next, "
                 "  sel_pastes, paste_id, raw_url FROM sources "
                 "WHERE enabled ORDER BY id",
                 0, NULL, err);
    if (r == NULL)
        return DRP_EDB;
    rows = PQntuples(r);
    cfg->sources = xcalloc((size_t)rows + 1, sizeof(*cfg->sources));
    for (i = 0; i < rows; i++) {
        struct source_conf *s = &cfg->sources[i];
        struct adapter_conf *a = &s->adapter;

        s->id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
        s->name = xstrdup(PQgetvalue(r, i, 1));
        s->kind = xstrdup(PQgetvalue(r, i, 2));
        s->url = xstrdup(PQgetvalue(r, i, 3));
        s->tor = PQgetvalue(r, i, 4)[0] == 't';
        s->allow_private = PQgetvalue(r, i, 5)[0] == 't';
        s->max_depth = (int)strtol(PQgetvalue(r, i, 6), NULL, 10);
        s->max_pages = (int)strtol(PQgetvalue(r, i, 7), NULL, 10);
        s->interval = (int)strtol(PQgetvalue(r, i, 8), NULL, 10);
        s->reliability = (int)strtol(PQgetvalue(r, i, 9), NULL, 10);
        s->enabled = true;
        s->robots = PQgetvalue(r, i, 10)[0] == 't';
        s->delay_ms = (int)strtol(PQgetvalue(r, i, 11), NULL, 10);
        s->charset = db_value_dup(r, i, 12);
        s->cookie_file = db_value_dup(r, i, 13);
        s->session_marker = db_value_dup(r, i, 14);
        a->engine = db_value_dup(r, i, 15);
        a->boards = db_value_dup(r, i, 16);
        a->threads = db_value_dup(r, i, 17);
        a->thread_link = db_value_dup(r, i, 18);
        a->marker = db_value_dup(r, i, 19);
        a->next = db_value_dup(r, i, 20);
        a->pastes = db_value_dup(r, i, 21);
        a->paste_id = db_value_dup(r, i, 22);
        a->raw = db_value_dup(r, i, 23);
    }
    cfg->nsources = (size_t)rows;
    PQclear(r);
    return 0;
}

int
store_prepare_partitions(struct db *db, struct buf *err)
{
    return db_exec(db, "SELECT drp_documents_partition(now()), "
                       "drp_documents_partition(now() + interval '1 month')",
                   0, NULL, err);
}

/* A finding of a page (docs[page]) and where it is in its findings: by
   kind and value, then by page and position, the order rows are locked
   in. */
struct finding_ref {
    const struct store_finding *f;
    size_t page, i;
};

static int
cmp_finding_ref(const void *a, const void *b)
{
    const struct finding_ref *x = a, *y = b;
    int c = strcmp(x->f->kind, y->f->kind);

    if (c == 0)
        c = strcmp(x->f->value, y->f->value);
    if (c == 0)
        c = x->page < y->page ? -1 : x->page > y->page;
    if (c == 0)
        c = x->i < y->i ? -1 : x->i > y->i;
    return c;
}

/*
 * The findings' statement, after the CTE d of its pages' documents (id,
 * job_id, url): the pages' findings upserted once each (f: u counts the
 * pages that saw each, the highest confidence, watched if any page said
 * so, the last page's label), then FINDINGS_CREDENTIALS or nothing, and
 * a sighting a page and finding (w), its page's job locked (g). The
 * credentials' insert is in the text only when there are some: the
 * server sets up every insert of a statement, with its indexes, on every
 * run, whether it writes a row or not. The sightings need no ON CONFLICT
 * (an index probe before each row, and a speculative insert): their
 * documents are the ones just inserted, and their findings distinct on
 * each. Parameter numbers are filled in by findings_sql().
 */
#define FINDINGS_ROWS                                                         \
    "u AS (SELECT * FROM unnest($%d::text[], $%d::text[], $%d::bool[], "      \
    "  $%d::int[], $%d::text[], $%d::int[], $%d::text[], $%d::text[], "       \
    "  $%d::text[], $%d::text[]) AS u(kind, value, watched, confidence, "     \
    "  benign, n, identity, domain, pw_hmac, pw_hint)), "                     \
    "f AS (INSERT INTO findings AS o (kind, value, watched, "                 \
    "    confidence, benign, sighting_count) "                                \
    "  SELECT kind, value, watched, confidence, benign, n FROM u "            \
    "  ORDER BY kind, value "                                                 \
    "  ON CONFLICT (kind, value) DO UPDATE SET last_seen = now(), "           \
    "    watched = o.watched OR EXCLUDED.watched, "                           \
    "    confidence = greatest(o.confidence, EXCLUDED.confidence), "          \
    "    benign = EXCLUDED.benign, "                                          \
    "    sighting_count = o.sighting_count + EXCLUDED.sighting_count "        \
    "  RETURNING id, kind, value), "
#define FINDINGS_CREDENTIALS                                                  \
    "c AS (INSERT INTO credentials (finding_id, identity, domain, "           \
    "    password_hmac, password_hint) "                                      \
    "  SELECT f.id, u.identity, u.domain, decode(u.pw_hmac, 'hex'), "         \
    "    u.pw_hint FROM u JOIN f USING (kind, value) "                        \
    "  WHERE u.identity IS NOT NULL "                                         \
    "  ON CONFLICT (finding_id) DO NOTHING), "
#define FINDINGS_SIGHTINGS                                                    \
    "w AS (SELECT * FROM unnest($%d::bigint[], $%d::text[], $%d::text[], "    \
    "  $%d::bigint[], $%d::text[]) AS w(job, kind, value, byte_offset, "      \
    "  snippet)), "                                                           \
    "g AS (SELECT id, source_id FROM jobs WHERE id = ANY ($%d::bigint[]) "    \
    "  FOR NO KEY UPDATE) "                                                   \
    "INSERT INTO sightings (finding_id, document_id, source_id, url, "        \
    "  byte_offset, snippet) "                                                \
    "SELECT f.id, d.id, g.source_id, d.url, w.byte_offset, w.snippet "        \
    "FROM w JOIN f USING (kind, value) JOIN d ON d.job_id = w.job "           \
    "JOIN g ON g.id = w.job"

/* The findings' arrays (FINDINGS_ROWS), then the sightings' (FINDINGS_
   SIGHTINGS), a column each. */
enum {
    FA_KIND, FA_VALUE, FA_WATCHED, FA_CONFIDENCE, FA_BENIGN, FA_N,
    FA_IDENTITY, FA_DOMAIN, FA_HMAC, FA_HINT,
    FS_JOB, FS_KIND, FS_VALUE, FS_OFFSET, FS_SNIPPET, FA_NCOLS
};

/* Appends to s (size n, used bytes at *used) the findings' statement
   past its d CTE, its parameters from $first on; creds: with
   FINDINGS_CREDENTIALS. */
static void
findings_sql(char *s, size_t n, size_t *used, int first, bool creds)
{
    int f = first - 1;

    *used += (size_t)snprintf(s + *used, n - *used, FINDINGS_ROWS, f + 1,
                              f + 2, f + 3, f + 4, f + 5, f + 6, f + 7,
                              f + 8, f + 9, f + 10);
    if (creds)
        *used += (size_t)snprintf(s + *used, n - *used, "%s",
                                  FINDINGS_CREDENTIALS);
    *used += (size_t)snprintf(s + *used, n - *used, FINDINGS_SIGHTINGS,
                              f + 11, f + 12, f + 13, f + 14, f + 15,
                              f + 11);
    assert(*used < n - 1);
}

/*
 * The findings and sightings of docs (n pages) into the arrays a[]
 * (FA_*, FS_*): a value found twice is one row (the highest confidence;
 * watched if any was; the last label: the watchlist and the operator's
 * list may have changed since the last sighting), so that no row is
 * upserted twice in the statement, and one sighting a page, at its first
 * place there. *creds: some are credentials.
 */
static int
findings_arrays(const struct store_doc *const *docs, size_t n,
                struct buf *a, bool *creds)
{
    struct finding_ref *refs;
    size_t nrefs = 0, i, j, k, p;
    int rc = 0;

    for (p = 0; p < n; p++)
        nrefs += docs[p]->nfindings;
    refs = xcalloc(nrefs + 1, sizeof(*refs));
    nrefs = 0;
    for (p = 0; p < n; p++)
        for (i = 0; i < docs[p]->nfindings; i++)
            refs[nrefs++] = (struct finding_ref){ &docs[p]->findings[i], p,
                                                  i };
    qsort(refs, nrefs, sizeof(*refs), cmp_finding_ref);
    *creds = false;
    for (i = 0; i < nrefs && rc == 0; i = j) {
        const struct store_finding *first = refs[i].f, *last = first;
        bool watched = false;
        int conf = first->confidence, pages = 0;
        char sconf[16], spages[16];

        for (j = i; j < nrefs && strcmp(refs[j].f->kind, first->kind) == 0 &&
                    strcmp(refs[j].f->value, first->value) == 0;
             j++) {
            last = refs[j].f;
            watched = watched || last->watched;
            if (last->confidence > conf)
                conf = last->confidence;
            if (j == i || refs[j].page != refs[j - 1].page) {
                char job[24], off[24];

                /* The page's first place of the finding: a sighting. */
                pages++;
                snprintf(job, sizeof(job), "%lld",
                         docs[refs[j].page]->job->id);
                snprintf(off, sizeof(off), "%zu", last->offset);
                rc |= array_add(&a[FS_JOB], job);
                rc |= array_add(&a[FS_KIND], last->kind);
                rc |= array_add(&a[FS_VALUE], last->value);
                rc |= array_add(&a[FS_OFFSET], off);
                rc |= array_add(&a[FS_SNIPPET], last->snippet);
            }
        }
        snprintf(sconf, sizeof(sconf), "%d", conf);
        snprintf(spages, sizeof(spages), "%d", pages);
        rc |= array_add(&a[FA_KIND], first->kind);
        rc |= array_add(&a[FA_VALUE], first->value);
        rc |= array_add(&a[FA_WATCHED], watched ? "t" : "f");
        rc |= array_add(&a[FA_CONFIDENCE], sconf);
        rc |= array_add(&a[FA_BENIGN], last->benign);
        rc |= array_add(&a[FA_N], spages);
        rc |= array_add(&a[FA_IDENTITY], first->identity);
        *creds = *creds || first->identity != NULL;
        rc |= array_add(&a[FA_DOMAIN], first->identity ? first->domain
                                                        : NULL);
        rc |= array_add(&a[FA_HMAC], first->identity ? first->pw_hmac_hex
                                                      : NULL);
        rc |= array_add(&a[FA_HINT], first->identity ? first->pw_hint
                                                      : NULL);
    }
    for (k = 0; k < FA_NCOLS; k++)
        rc |= array_close(&a[k]);
    free(refs);
    return rc ? DRP_ETOOBIG : 0;
}

/* The findings' statement of one page, $16 its job, $17 its URL, its
   document the one inserted just before (currval()); [1][]: with
   credentials; [][1]: for a page stored in parts, whose sightings may
   repeat one of an earlier part (store_parts_add()). */
static char page_findings_sql[2][2][4096];

static void
page_findings_sql_build(void)
{
    int creds, parts;

    for (creds = 0; creds < 2; creds++)
        for (parts = 0; parts < 2; parts++) {
            char *s = page_findings_sql[creds][parts];
            size_t n = sizeof(page_findings_sql[creds][parts]);
            size_t used = (size_t)snprintf(
                s, n,
                "WITH d AS (SELECT currval('documents_id_seq') AS id, "
                "  $%d::bigint AS job_id, $%d::text AS url), ",
                FA_NCOLS + 1, FA_NCOLS + 2);

            findings_sql(s, n, &used, 1, creds);
            if (parts)
                used += (size_t)snprintf(s + used, n - used,
                                         " ON CONFLICT (finding_id, "
                                         "document_id) DO NOTHING");
            assert(used < n - 1);
        }
}

/*
 * The page's findings, their sightings and credentials: one statement
 * (findings_arrays(), FINDINGS_ROWS). No foreign key checks these rows
 * (migration 015): sightings and credentials take their findings' ids
 * from the upsert itself, and the sightings' source from the page's job,
 * whose row is locked here (the page's end updates it anyway): a source
 * deleted by hand deletes its jobs before its sightings
 * (drp_sources_deleted()), so it waits for this transaction before it
 * deletes the sightings, and a source already gone has no job and gets
 * none. Locking the source's row itself (FOR KEY SHARE) had each page's
 * lock meet the other workers' updates of that row: the row's lockers
 * then went into a multixact, which every later reader of the row had to
 * look up.
 */
static int
put_findings(struct db_batch *b, const struct store_doc *doc,
             const char *job_id, bool parts)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    struct buf a[FA_NCOLS];
    size_t k;
    bool creds;
    int rc;

    pthread_once(&once, page_findings_sql_build);
    for (k = 0; k < FA_NCOLS; k++)
        buf_init(&a[k], DB_BATCH_MAX);
    rc = findings_arrays(&doc, 1, a, &creds);
    if (rc == 0) {
        const char *p[FA_NCOLS + 2];

        for (k = 0; k < FA_NCOLS; k++)
            p[k] = buf_str(&a[k]);
        p[FA_NCOLS] = job_id;
        p[FA_NCOLS + 1] = doc->job->url;
        db_batch_add(b, page_findings_sql[creds][parts], FA_NCOLS + 2, p);
    }
    for (k = 0; k < FA_NCOLS; k++)
        buf_release(&a[k]);
    return rc;
}

/* By dedup key: the order cases are locked in. */
static int
cmp_alert(const void *a, const void *b)
{
    const struct store_alert *const *x = a, *const *y = b;

    return strcmp((*x)->dedup_key, (*y)->dedup_key);
}

/*
 * The ids of the findings doc's alerts rest on, in doc->alerts order, as
 * one statement's rows: put_findings() upserted them earlier in the
 * transaction.
 */
static int
put_alert_findings(struct db_batch *b, const struct store_doc *doc)
{
    struct buf kinds = BUF_INIT(DB_BATCH_MAX), values = BUF_INIT(DB_BATCH_MAX);
    size_t i;
    int rc = 0;

    for (i = 0; i < doc->nalerts; i++) {
        const struct store_finding *f = &doc->findings[doc->alerts[i].finding];

        rc |= array_add(&kinds, f->kind);
        rc |= array_add(&values, f->value);
    }
    rc |= array_close(&kinds);
    rc |= array_close(&values);
    if (rc == 0) {
        const char *p[2] = { buf_str(&kinds), buf_str(&values) };

        /* One index lookup each (a join could scan every finding). */
        db_batch_add(b,
                     "SELECT (SELECT f.id FROM findings f "
                     "  WHERE f.kind = u.kind AND f.value = u.value) "
                     "FROM unnest($1::text[], $2::text[]) "
                     "  WITH ORDINALITY AS u(kind, value, n) "
                     "ORDER BY u.n",
                     2, p);
    }
    buf_release(&kinds);
    buf_release(&values);
    return rc ? DRP_ETOOBIG : 0;
}

/*
 * Opens or updates the cases of doc's alerts (store_case_put(): the
 * store's facts go to the rescore hook between statements), in dedup-key
 * order. r holds their findings' ids (put_alert_findings()).
 */
static int
put_cases(struct db *db, const struct store_doc *doc, const PGresult *r,
          struct case_counts *cases, struct buf *err)
{
    const struct store_alert **v = xcalloc(doc->nalerts + 1, sizeof(*v));
    size_t i;
    int rc = 0;

    for (i = 0; i < doc->nalerts; i++)
        v[i] = &doc->alerts[i];
    qsort(v, doc->nalerts, sizeof(*v), cmp_alert);
    for (i = 0; i < doc->nalerts && rc == 0; i++) {
        size_t a = (size_t)(v[i] - doc->alerts);
        int row = (int)a;
        const char *fid = row < PQntuples(r) && !PQgetisnull(r, row, 0)
                              ? PQgetvalue(r, row, 0)
                              : NULL;

        rc = store_case_put(db, doc, a, fid, cases, err);
    }
    free(v);
    return rc;
}

/*
 * Whether link l of doc (neither a thread row nor a later page of a
 * thread) goes to the frontier: not a page past the source's max_depth,
 * nor (with doc->known_links) one known to be there. *key gets its
 * known_links key (0 without them).
 */
static bool
link_wanted(const struct store_doc *doc, const struct store_link *l,
            uint64_t *key)
{
    *key = 0;
    if (doc->job->depth >= doc->source->max_depth &&
        strcmp(l->role, "page") == 0)
        return false;
    if (doc->known_links == NULL)
        return true;
    *key = keyset_key(doc->source->id, l->url);
    return !keyset_has(doc->known_links, *key);
}

/*
 * Enqueues the links of a stored page. The source's max_pages bounds a
 * site's frontier as a whole, and an adapter's backlog of pages not yet
 * fetched (the counts are kept on the source's row: migration 004; a
 * paste site's frontier grows with every paste it ever had: that is how a
 * paste is fetched once).
 *   - a thread row (marked, with a marker): new, or due now when its
 *     marker changed, and then its last known page too;
 *   - a later page of a thread: new, or due again now, since the page
 *     that links to it changed (only changed pages are stored);
 *   - anything else: new, or left as it is; all such links of the page
 *     go in one statement, inserted in URL order (two workers inserting
 *     the same new links wait on each other in the same order).
 * The room is read with the source's row locked (ROOM): the counts are
 * then the last committed, and two workers cannot both take the last of
 * it.
 */
#define ROOM                                                                  \
    "(SELECT CASE WHEN $5::text = 'page' THEN jobs_total "                   \
    "ELSE jobs_unfetched END "                                                \
    "FROM sources WHERE id = $1::bigint FOR NO KEY UPDATE) < $4::int"

static void
put_link(struct db_batch *b, const struct store_doc *doc,
         const struct store_link *l)
{
    char sid[24], depth[16], maxp[16], thread[24];
    const char *p[6] = { sid, l->url, depth, maxp, l->role, NULL };

    snprintf(sid, sizeof(sid), "%lld", doc->source->id);
    snprintf(depth, sizeof(depth), "%d", doc->job->depth + 1);
    snprintf(maxp, sizeof(maxp), "%d", doc->source->max_pages);
    if (l->marker) {
        p[5] = l->marker;
        db_batch_add(
            b,
            "WITH old AS (SELECT id, marker FROM jobs "
            "  WHERE source_id = $1::bigint AND url = $2), "
            "new AS (INSERT INTO jobs (source_id, url, depth, role, marker) "
            "  SELECT $1::bigint, $2, $3::int, $5::text, $6 "
            "  WHERE EXISTS (SELECT 1 FROM old) OR " ROOM " "
            "  ON CONFLICT (source_id, url) DO UPDATE SET "
            "    role = EXCLUDED.role, marker = EXCLUDED.marker, "
            "    due_at = CASE WHEN jobs.marker IS DISTINCT FROM "
            "      EXCLUDED.marker THEN now() ELSE jobs.due_at END "
            "  RETURNING id, (xmax = 0) AS new), "
            "last AS (UPDATE jobs SET due_at = now() WHERE id = (SELECT "
            "  max(j.id) FROM jobs j WHERE j.thread_id = (SELECT id FROM new)) "
            "  AND EXISTS (SELECT 1 FROM old "
            "    WHERE old.marker IS DISTINCT FROM $6)) "
            DB_SOURCE_COUNT_NEW,
            6, p);
    } else {
        snprintf(thread, sizeof(thread), "%lld",
                 doc->job->thread_id ? doc->job->thread_id : doc->job->id);
        p[5] = thread;
        db_batch_add(
            b,
            "WITH new AS (INSERT INTO jobs (source_id, url, depth, role, "
            "  thread_id) "
            "  SELECT $1::bigint, $2, $3::int, $5::text, $6::bigint "
            "  WHERE " ROOM " "
            "  ON CONFLICT (source_id, url) DO UPDATE SET due_at = now() "
            "  WHERE jobs.due_at > now() AND jobs.lease_owner IS NULL "
            "  RETURNING (xmax = 0) AS new) "
            DB_SOURCE_COUNT_NEW,
            6, p);
    }
}
#undef ROOM

/*
 * The end of stored pages, one statement a source (all its pages of a
 * batch, or the one page stored alone): the room left counted once,
 * before the links (a link already known uses none but is counted in the
 * limit), with the source's row locked so that the counts read are the
 * last committed (two workers of one source cannot both fill the same
 * room); the pages' new links in one insert, in URL order (two workers
 * inserting the same new links wait on each other in the same order),
 * selected from the locked row (no foreign key checks their source:
 * migration 015; a source deleted meanwhile gets none); the first fetches
 * of the pages' jobs ($6, o) and the links inserted counted on the
 * source's row (migration 014), with the last success (written at most
 * once a second unless the row changes anyway) or the page's warning. The
 * last column says whether every link was within the limits: then each
 * is in the frontier once this commits. The jobs are completed after it
 * (JOBS_DONE), so that o reads them as they were.
 *
 * A link already in the frontier deeper than this page puts it, not yet
 * fetched, goes up to this depth (up): pages are stored in an order a
 * little different from the one they were fetched in (a batch waits for
 * its worker's other pages), and a page found first through a longer path
 * would otherwise keep its depth, and past max_depth lose its links. Only
 * the links the insert did not take are looked up, each by its key (a
 * join would read every job of the source).
 *
 * The warning's row (warn: PAGE_END_WARNING_ROW, $7 the URL and $8 the
 * warning) is in the text only for a page that has one: the server sets
 * up every insert of a statement on every run, whether it writes a row or
 * not. set: the source's columns written besides its counts; cond:
 * "... OR " when the source's row is written whatever the counts.
 */
#define PAGE_END(warn, set, cond)                                             \
    "WITH room AS (SELECT $4::int - jobs_total AS total, "                    \
    "  $4::int - jobs_unfetched AS backlog "                                  \
    "  FROM sources WHERE id = $1::bigint FOR NO KEY UPDATE), "               \
    "new AS (INSERT INTO jobs (source_id, url, depth, role) "                 \
    "  SELECT $1::bigint, l.url, l.depth, l.role "                            \
    "  FROM unnest($2::text[], $5::text[], $3::int[]) WITH ORDINALITY "       \
    "    AS l(url, role, depth, n), room "                                    \
    "  WHERE l.n <= CASE WHEN l.role = 'page' THEN room.total "               \
    "    ELSE room.backlog END "                                              \
    "  ORDER BY l.url "                                                       \
    "  ON CONFLICT (source_id, url) DO NOTHING RETURNING url), "              \
    "up AS (UPDATE jobs j SET depth = l.depth "                               \
    "  FROM unnest($2::text[], $3::int[]) AS l(url, depth) "                  \
    "  WHERE j.id = ANY (ARRAY(SELECT (SELECT k.id FROM jobs k "              \
    "    WHERE k.source_id = $1::bigint AND k.url = x.url) "                  \
    "    FROM unnest($2::text[]) AS x(url) "                                  \
    "    WHERE NOT EXISTS (SELECT 1 FROM new WHERE new.url = x.url))) "       \
    "  AND j.url = l.url AND j.depth > l.depth AND j.fetched_at IS NULL), "   \
    DB_JOB_FIRST("= ANY ($6::bigint[])") ", " warn                           \
    "c AS MATERIALIZED (SELECT (SELECT count(*) FROM new) AS links, "         \
    "  (SELECT first FROM o) AS first), "                                     \
    "s AS (UPDATE sources SET jobs_total = jobs_total + c.links, "            \
    "  jobs_unfetched = jobs_unfetched + c.links - c.first, " set             \
    "  FROM c WHERE id = $1::bigint AND (c.links > 0 "                        \
    "  OR c.first > 0 OR " cond DB_SOURCE_STALE ") RETURNING 1) "             \
    "SELECT cardinality($2::text[]) <= (SELECT least(total, "                 \
    "  backlog) FROM room)"
#define PAGE_END_WARNING_ROW                                                  \
    "e AS (INSERT INTO source_errors (source_id, url, error) "                \
    "  VALUES ($1::bigint, $7, $8::text)), "

/* The pages' jobs completed: DB_JOB_DONE_SET, each its values (the
   arrays' elements at its id's place: a probe of the job's index each,
   where a join could scan every job). */
#define JOBS_AT(a) "(" a ")[array_position($1::bigint[], id)]"
#define JOBS_DONE                                                             \
    "UPDATE jobs SET " DB_JOB_DONE_SET                                        \
    "  last_status = " JOBS_AT("$2::int[]") ", "                              \
    "  content_hash = decode(" JOBS_AT("$3::text[]") ", 'hex'), "             \
    "  etag = " JOBS_AT("$4::text[]") ", "                                    \
    "  last_modified = " JOBS_AT("$5::text[]") " "                            \
    "WHERE id = ANY ($1::bigint[])"

/* A new link of a source's pages, before it is sent. */
struct end_link {
    const char *url, *role;
    int depth;
    uint64_t key;
    size_t at; /* its place in the source's links */
};

static int
cmp_end_link(const void *a, const void *b)
{
    const struct end_link *x = a, *y = b;
    int c = strcmp(x->url, y->url);

    return c ? c : (x->at < y->at ? -1 : x->at > y->at);
}

static int
cmp_end_link_at(const void *a, const void *b)
{
    const struct end_link *x = a, *y = b;

    return x->at < y->at ? -1 : x->at > y->at;
}

/* A source of the pages stored: its statement and its links' keys. */
struct source_end {
    long long id;
    size_t stmt;     /* its PAGE_END in the batch (SIZE_MAX: none) */
    uint64_t *keys;  /* its new links, for known_links once committed */
    size_t nkeys;
    struct keyset *known;
};

/*
 * The end of the pages docs[0..n) of source se->id: their links not yet
 * known (each once, in the order of the pages) by PAGE_END, after the
 * source's row is locked by a statement of its own and the thread links
 * (put_link()) are put. Another worker's page may have changed the row
 * since the statement began, and the server then checks the statement
 * again against the row's new version, setting up again for that each of
 * the statement's parts, its inserts and updates (EvalPlanQual): 7 % of
 * the work of two workers storing one source's pages. Now only this small
 * statement is checked again, and those after it see the row's last
 * version, locked. Pages with nothing to add nor a warning (most pages of
 * a crawl under way) only count their first fetches on the source's row
 * (DB_JOB_DONE_SOURCE), without the room nor the other statements' plans,
 * which the server would set up for nothing. A warning is a single page's
 * (a batch takes none).
 */
static int
source_end(struct db_batch *b, const struct store_doc *const *docs, size_t n,
           struct source_end *se)
{
    struct buf urls = BUF_INIT(DB_BATCH_MAX), roles = BUF_INIT(1u << 24),
               depths = BUF_INIT(1u << 24), jobs = BUF_INIT(1u << 20);
    struct end_link *v = NULL;
    const struct store_doc *any = NULL, *warned = NULL;
    size_t nv = 0, cap = 0, nthread = 0, p, i, k;
    char sid[24], maxp[16];
    int rc = 0;

    for (p = 0; p < n; p++) {
        const struct store_doc *d = docs[p];
        char job[24];

        if (d->source->id != se->id)
            continue;
        assert(d->warning == NULL || n == 1);
        any = d;
        if (d->warning)
            warned = d;
        se->known = d->known_links;
        snprintf(job, sizeof(job), "%lld", d->job->id);
        rc |= array_add(&jobs, job);
        for (i = 0; i < d->nlinks; i++) {
            const struct store_link *l = &d->links[i];
            uint64_t key;

            if (l->marker || l->continues) {
                nthread++;
                continue;
            }
            if (!link_wanted(d, l, &key))
                continue;
            if (nv == cap) {
                cap = cap ? 2 * cap : 64;
                v = xreallocarray(v, cap, sizeof(*v));
            }
            v[nv] = (struct end_link){ l->url, l->role, d->job->depth + 1,
                                       key, nv };
            nv++;
        }
    }
    assert(any != NULL);
    /* A link of several pages goes once, at its first place. */
    if (nv > 1) {
        qsort(v, nv, sizeof(*v), cmp_end_link);
        for (i = k = 1; i < nv; i++)
            if (strcmp(v[i].url, v[k - 1].url) != 0)
                v[k++] = v[i];
        nv = k;
        qsort(v, nv, sizeof(*v), cmp_end_link_at);
    }
    se->stmt = SIZE_MAX;
    se->keys = xcalloc(nv + 1, sizeof(*se->keys));
    for (i = 0; i < nv; i++) {
        char depth[16];

        snprintf(depth, sizeof(depth), "%d", v[i].depth);
        rc |= array_add(&urls, v[i].url);
        rc |= array_add(&roles, v[i].role);
        rc |= array_add(&depths, depth);
        if (any->known_links)
            se->keys[se->nkeys++] = v[i].key;
    }
    rc |= array_close(&urls) | array_close(&roles) | array_close(&depths) |
          array_close(&jobs);
    snprintf(sid, sizeof(sid), "%lld", se->id);
    snprintf(maxp, sizeof(maxp), "%d", any->source->max_pages);
    if (rc == 0 && nv == 0 && nthread == 0 && warned == NULL) {
        const char *q[2] = { sid, buf_str(&jobs) };

        db_batch_add(b, DB_JOB_DONE_SOURCE, 2, q);
    } else if (rc == 0) {
        const char *lock[1] = { sid };
        const char *q[8] = { sid, buf_str(&urls), buf_str(&depths), maxp,
                             buf_str(&roles), buf_str(&jobs),
                             warned ? warned->job->url : NULL,
                             warned ? warned->warning : NULL };

        db_batch_add(b,
                     "SELECT 1 FROM sources WHERE id = $1::bigint "
                     "FOR NO KEY UPDATE",
                     1, lock);
        for (p = 0; p < n && nthread > 0; p++) {
            const struct store_doc *d = docs[p];

            for (i = 0; d->source->id == se->id && i < d->nlinks; i++)
                if (d->links[i].marker || d->links[i].continues)
                    put_link(b, d, &d->links[i]);
        }
        se->stmt = b->n;
        if (warned)
            db_batch_add(b,
                         PAGE_END(PAGE_END_WARNING_ROW,
                                  "last_success = now(), last_error = "
                                  "$8::text, last_error_at = now() ",
                                  "$8::text IS NOT NULL OR "),
                         8, q);
        else
            db_batch_add(b, PAGE_END("", "last_success = now() ", ""), 6,
                         q);
    }
    free(v);
    buf_release(&urls);
    buf_release(&roles);
    buf_release(&depths);
    buf_release(&jobs);
    return rc ? DRP_ETOOBIG : 0;
}

/* Once the pages are committed: their source's new links are known to be
   in the frontier, unless its max_pages left some out. */
static void
source_end_done(const struct source_end *se, const struct db_batch *b)
{
    const PGresult *r;

    if (se->nkeys == 0 || se->stmt == SIZE_MAX)
        return;
    r = b->res[se->stmt];
    if (PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't')
        keyset_add(se->known, se->keys, se->nkeys);
}

/*
 * The jobs of docs[0..n) held (all under the leases they were leased
 * under, their owner and tokens, or the transaction fails with
 * DB_LEASE_LOST: migrations 019 and 020) and completed,
 * each with its page's status, hash and validators (JOBS_DONE). A lease
 * lost while its page was fetched may have been taken again, and the
 * job's page is stored by whoever holds it. After the sources' rows are
 * locked (source_end()), as the completion locks the jobs' rows.
 */
static int
put_jobs_done(struct db_batch *b, const struct store_doc *const *docs,
              size_t n)
{
    struct buf ids = BUF_INIT(1u << 20), st = BUF_INIT(1u << 20),
               hash = BUF_INIT(1u << 22), etag = BUF_INIT(DB_BATCH_MAX),
               lm = BUF_INIT(1u << 22), leases = BUF_INIT(1u << 20);
    size_t i;
    int rc = 0;

    for (i = 0; i < n; i++) {
        const struct store_doc *d = docs[i];
        char id[24], status[16], lease[24];

        assert(d->job->owner != NULL && d->job->owner == docs[0]->job->owner);
        snprintf(id, sizeof(id), "%lld", d->job->id);
        snprintf(status, sizeof(status), "%d", d->http_status);
        snprintf(lease, sizeof(lease), "%lld", d->job->lease);
        rc |= array_add(&ids, id);
        rc |= array_add(&leases, lease);
        rc |= array_add(&st, status);
        rc |= array_add(&hash, d->sha256_hex);
        rc |= array_add(&etag, d->etag);
        rc |= array_add(&lm, d->last_modified);
    }
    rc |= array_close(&ids) | array_close(&st) | array_close(&hash) |
          array_close(&etag) | array_close(&lm) | array_close(&leases);
    if (rc == 0) {
        const char *hold[3] = { buf_str(&ids), docs[0]->job->owner,
                                buf_str(&leases) };
        const char *q[5] = { buf_str(&ids), buf_str(&st), buf_str(&hash),
                             buf_str(&etag), buf_str(&lm) };

        db_batch_add(b,
                     "SELECT drp_hold_leases($1::bigint[], $2, $3::bigint[])",
                     3, hold);
        db_batch_add(b, JOBS_DONE, 5, q);
    }
    buf_release(&ids);
    buf_release(&st);
    buf_release(&hash);
    buf_release(&etag);
    buf_release(&lm);
    buf_release(&leases);
    return rc ? DRP_ETOOBIG : 0;
}

/* A page being stored: store_document(), or store_parts_begin() and the
   rest. */
struct store_parts {
    struct db *db;
    const struct store_doc *doc;
    struct db_batch b;
    struct case_counts cases;
    struct source_end se;
    char job_id[24];
    bool tx;    /* a transaction opened here (BEGIN) */
    bool parts; /* stored in parts: sightings may repeat */
};

/* Queues the page's document (and BEGIN when tx). */
static void
parts_open(struct store_parts *sp, struct db *db, const struct store_doc *doc,
           bool tx, bool parts)
{
    char sid[24], status[16], bytes[24];
    const char *p[9] = { sid, sp->job_id, doc->job->url, status,
                         doc->content_type, doc->sha256_hex, doc->title,
                         bytes, doc->text };

    memset(sp, 0, sizeof(*sp));
    sp->db = db;
    sp->doc = doc;
    sp->se.id = doc->source->id;
    sp->tx = tx;
    sp->parts = parts;
    snprintf(sp->job_id, sizeof(sp->job_id), "%lld", doc->job->id);
    snprintf(sid, sizeof(sid), "%lld", doc->source->id);
    snprintf(status, sizeof(status), "%d", doc->http_status);
    snprintf(bytes, sizeof(bytes), "%zu", doc->body_bytes);
    db_batch_init(&sp->b);
    if (tx)
        db_batch_add(&sp->b, "BEGIN", 0, NULL);
    db_batch_add(&sp->b,
                 "INSERT INTO documents (source_id, job_id, url, "
                 "  http_status, content_type, sha256, title, "
                 "  body_bytes, text) "
                 "VALUES ($1, $2, $3, $4, $5, decode($6, 'hex'), $7, $8, "
                 "  $9)",
                 9, p);
}

/*
 * Queues part's findings (part: the page's store_doc, or one of its
 * parts') and, with alerts, runs what is queued and opens or updates
 * their cases (the store's facts go to the rescore hook between
 * statements).
 */
static int
parts_put(struct store_parts *sp, const struct store_doc *part,
          struct buf *err)
{
    size_t ids;
    int rc;

    rc = part->nfindings ? put_findings(&sp->b, part, sp->job_id, sp->parts)
                         : 0;
    if (rc < 0 || part->nalerts == 0)
        return rc;
    ids = sp->b.n;
    rc = put_alert_findings(&sp->b, part);
    if (rc == 0)
        rc = db_batch_run(sp->db, &sp->b, err);
    if (rc == 0)
        rc = put_cases(sp->db, part, sp->b.res[ids], &sp->cases, err);
    db_batch_reset(&sp->b);
    return rc;
}

/* The page's end (rc 0: its links, its job done, COMMIT) or, rc < 0,
   its error; *new_alerts: the cases opened. */
static int
parts_close(struct store_parts *sp, int rc, int *new_alerts, struct buf *err)
{
    const struct store_doc *doc = sp->doc;

    *new_alerts = 0;
    if (rc == 0)
        rc = source_end(&sp->b, &doc, 1, &sp->se);
    if (rc == 0)
        rc = put_jobs_done(&sp->b, &doc, 1);
    if (rc == 0 && sp->tx)
        db_batch_add(&sp->b, "COMMIT", 0, NULL);
    if (rc == 0)
        rc = db_batch_run(sp->db, &sp->b, err);
    if (rc == 0)
        source_end_done(&sp->se, &sp->b);
    if (rc == DRP_EDB && db_failed(sp->db, DB_LEASE_LOST))
        rc = DRP_ELEASE;
    if (rc == DRP_ETOOBIG) {
        buf_reset(err);
        buf_addf(err, "page too large to store: its findings or links pass "
                      "%u bytes",
                 (unsigned)DB_BATCH_MAX);
    }
    if (rc < 0 && sp->tx)
        db_rollback(sp->db); /* the transaction opened here */
    if (rc == 0)
        *new_alerts = sp->cases.opened;
    db_batch_release(&sp->b);
    free(sp->se.keys);
    return rc;
}

int
store_document(struct db *db, const struct store_doc *doc, int *new_alerts,
               struct buf *err)
{
    struct store_parts sp;

    /* Cases need the store's facts between statements (the rescore
       hook): the transaction is then opened here and spans two batches
       and the cases; a page without one is a single batch. */
    parts_open(&sp, db, doc, doc->nalerts != 0, false);
    return parts_close(&sp, parts_put(&sp, doc, err), new_alerts, err);
}

int
store_parts_begin(struct db *db, const struct store_doc *doc,
                  struct store_parts **out, struct buf *err)
{
    struct store_parts *sp = xmalloc(sizeof(*sp));
    int rc, unused;

    parts_open(sp, db, doc, true, true);
    rc = parts_put(sp, doc, err);
    if (rc == 0)
        rc = db_batch_run(db, &sp->b, err); /* the text out of memory */
    db_batch_reset(&sp->b);
    if (rc < 0) {
        rc = parts_close(sp, rc, &unused, err);
        free(sp);
        *out = NULL;
        return rc;
    }
    *out = sp;
    return 0;
}

int
store_parts_add(struct store_parts *sp, const struct store_finding *findings,
                size_t nfindings, const struct store_alert *alerts,
                size_t nalerts, void *rescore_arg, struct buf *err)
{
    struct store_doc part = *sp->doc;
    int rc;

    part.findings = findings;
    part.nfindings = nfindings;
    part.alerts = alerts;
    part.nalerts = nalerts;
    part.rescore_arg = rescore_arg;
    rc = parts_put(sp, &part, err);
    if (rc == 0)
        rc = db_batch_run(sp->db, &sp->b, err);
    db_batch_reset(&sp->b);
    return rc;
}

int
store_parts_end(struct store_parts *sp, int rc, int *new_alerts,
                struct buf *err)
{
    if (sp == NULL) {
        *new_alerts = 0;
        return rc;
    }
    rc = parts_close(sp, rc, new_alerts, err);
    free(sp);
    return rc;
}

/* ---- Several pages in one transaction (store.h: store_batch) ---- */

/* A page kept in a batch: its store_doc over copies of its strings. */
struct batch_page {
    struct store_doc doc;
    void *user;
    struct store_link *links;
    struct store_finding *findings;
    char **strs; /* the copies, freed with the page */
    size_t nstrs, capstrs;
};

struct store_batch {
    struct batch_page pages[STORE_BATCH_PAGES];
    size_t n;
    size_t bytes;
    struct timespec first; /* when the first page came */
    bool links;            /* a page has links not known to be in the
                              frontier (store_batch_wait_ms()) */
};

struct store_batch *
store_batch_new(void)
{
    return xcalloc(1, sizeof(struct store_batch));
}

void
store_batch_free(struct store_batch *b)
{
    if (b == NULL)
        return;
    assert(b->n == 0);
    free(b);
}

static size_t
len0(const char *s)
{
    return s ? strlen(s) : 0;
}

/* The bytes of doc a batch carries, roughly: its text and what is sent
   for each link and finding. */
static size_t
doc_bytes(const struct store_doc *doc)
{
    size_t n = len0(doc->text) + len0(doc->title) + len0(doc->job->url) +
               256, i;

    for (i = 0; i < doc->nlinks; i++)
        n += len0(doc->links[i].url) + 16;
    for (i = 0; i < doc->nfindings; i++)
        n += len0(doc->findings[i].value) + len0(doc->findings[i].snippet) +
             len0(doc->findings[i].identity) + 128;
    return n;
}

bool
store_batch_fits(const struct store_doc *doc)
{
    size_t i;

    if (doc->nalerts || doc->warning)
        return false;
    for (i = 0; i < doc->nlinks; i++)
        if (doc->links[i].marker || doc->links[i].continues)
            return false;
    return doc_bytes(doc) <= STORE_BATCH_BYTES / 4;
}

/* A copy of s kept with page p (NULL stays NULL). */
static const char *
keep(struct batch_page *p, const char *s)
{
    if (s == NULL)
        return NULL;
    if (p->nstrs == p->capstrs) {
        p->capstrs = p->capstrs ? 2 * p->capstrs : 16;
        p->strs = xreallocarray(p->strs, p->capstrs, sizeof(*p->strs));
    }
    p->strs[p->nstrs] = xstrdup(s);
    return p->strs[p->nstrs++];
}

static void
page_release(struct batch_page *p)
{
    size_t i;

    for (i = 0; i < p->nstrs; i++)
        free(p->strs[i]);
    free(p->strs);
    free(p->links);
    free(p->findings);
    memset(p, 0, sizeof(*p));
}

void
store_batch_add(struct store_batch *b, const struct store_doc *doc,
                void *user)
{
    struct batch_page *p = &b->pages[b->n];
    struct store_doc *d = &p->doc;
    size_t i;

    assert(b->n < STORE_BATCH_PAGES && store_batch_fits(doc));
    if (b->n == 0)
        clock_gettime(CLOCK_MONOTONIC, &b->first);
    for (i = 0; i < doc->nlinks && !b->links; i++) {
        uint64_t key;

        b->links = link_wanted(doc, &doc->links[i], &key);
    }
    b->n++;
    b->bytes += doc_bytes(doc);
    p->user = user;
    *d = *doc;
    d->rescore = NULL;
    d->rescore_arg = NULL;
    d->content_type = keep(p, doc->content_type);
    d->etag = keep(p, doc->etag);
    d->last_modified = keep(p, doc->last_modified);
    d->sha256_hex = keep(p, doc->sha256_hex);
    d->title = keep(p, doc->title);
    d->text = keep(p, doc->text);
    p->links = xcalloc(doc->nlinks + 1, sizeof(*p->links));
    for (i = 0; i < doc->nlinks; i++) {
        p->links[i].url = keep(p, doc->links[i].url);
        p->links[i].role = keep(p, doc->links[i].role);
    }
    d->links = p->links;
    p->findings = xcalloc(doc->nfindings + 1, sizeof(*p->findings));
    for (i = 0; i < doc->nfindings; i++) {
        const struct store_finding *f = &doc->findings[i];
        struct store_finding *c = &p->findings[i];

        *c = *f;
        c->kind = keep(p, f->kind);
        c->value = keep(p, f->value);
        c->benign = keep(p, f->benign);
        c->snippet = keep(p, f->snippet);
        c->identity = keep(p, f->identity);
        c->domain = keep(p, f->domain);
        c->pw_hmac_hex = keep(p, f->pw_hmac_hex);
        c->pw_hint = keep(p, f->pw_hint);
    }
    d->findings = p->findings;
}

size_t
store_batch_count(const struct store_batch *b)
{
    return b->n;
}

/* Milliseconds until b is full, too large or too old (0: it is). */
static int
batch_left_ms(const struct store_batch *b)
{
    struct timespec now;
    long long age;

    if (b->n >= STORE_BATCH_PAGES || b->bytes >= STORE_BATCH_BYTES)
        return 0;
    clock_gettime(CLOCK_MONOTONIC, &now);
    age = (now.tv_sec - b->first.tv_sec) * 1000LL +
          (now.tv_nsec - b->first.tv_nsec) / 1000000;
    return age >= STORE_BATCH_MS ? 0 : (int)(STORE_BATCH_MS - age);
}

int
store_batch_wait_ms(const struct store_batch *b)
{
    return b->n == 0 || b->links ? 0 : batch_left_ms(b);
}

bool
store_batch_due(const struct store_batch *b)
{
    return b->n > 0 && batch_left_ms(b) == 0;
}

/*
 * The batch's first statement: its documents, from the rows of a VALUES
 * list of STORE_BATCH_PAGES rows (those past the batch's pages all NULL,
 * left out), nine parameters a row: a page's text is a parameter of its
 * own, not an element of an array literal that the server would scan
 * byte by byte. Then, when the batch has findings, the findings'
 * statement (FINDINGS_ROWS) for all of its pages, each sighting naming
 * its page's document (d).
 */
#define BATCH_DOC_COLS 9
#define BATCH_PARAMS (STORE_BATCH_PAGES * BATCH_DOC_COLS + FA_NCOLS)

enum { BATCH_DOCS, BATCH_DOCS_FINDINGS, BATCH_DOCS_CREDS, BATCH_NSQL };
static char batch_sql[BATCH_NSQL][8192];

static void
batch_sql_build(void)
{
    char values[4096];
    size_t at = 0;
    int i, k;

    for (i = 0; i < STORE_BATCH_PAGES; i++) {
        k = i * BATCH_DOC_COLS;
        at += (size_t)snprintf(values + at, sizeof(values) - at,
                               "%s($%d::bigint, $%d::bigint, $%d::text, "
                               "$%d::int, $%d::text, $%d::text, $%d::text, "
                               "$%d::int, $%d::text)",
                               i ? ", " : "", k + 1, k + 2, k + 3, k + 4,
                               k + 5, k + 6, k + 7, k + 8, k + 9);
    }
    assert(at < sizeof(values) - 1);
    for (i = 0; i < BATCH_NSQL; i++) {
        char *s = batch_sql[i];
        size_t used;

        used = (size_t)snprintf(
            s, sizeof(batch_sql[i]),
            "%sINSERT INTO documents (source_id, job_id, url, "
            "  http_status, content_type, sha256, title, body_bytes, text) "
            "SELECT v.s, v.j, v.u, v.st, v.ct, decode(v.h, 'hex'), v.t, "
            "  v.b, v.x FROM (VALUES %s) AS v(s, j, u, st, ct, h, t, b, x) "
            "WHERE v.j IS NOT NULL%s",
            i == BATCH_DOCS ? "" : "WITH d AS (", values,
            i == BATCH_DOCS ? "" : " RETURNING id, job_id, url), ");
        if (i != BATCH_DOCS)
            findings_sql(s, sizeof(batch_sql[i]), &used,
                         STORE_BATCH_PAGES * BATCH_DOC_COLS + 1,
                         i == BATCH_DOCS_CREDS);
    }
}

static int
cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;

    return x < y ? -1 : x > y;
}

/* The batch's statements into b; its sources (*srcs, *nsrcs) then hold
   what to do once it commits. */
static int
batch_build(const struct store_batch *sb, struct db_batch *b,
            struct source_end *srcs, size_t *nsrcs)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    const char *p[BATCH_PARAMS];
    char nums[STORE_BATCH_PAGES][4][24];
    const struct store_doc *docs[STORE_BATCH_PAGES];
    struct buf a[FA_NCOLS];
    long long sids[STORE_BATCH_PAGES];
    bool creds = false, findings = false;
    size_t i, k;
    int rc = 0;

    pthread_once(&once, batch_sql_build);
    for (k = 0; k < FA_NCOLS; k++)
        buf_init(&a[k], DB_BATCH_MAX);
    memset(p, 0, sizeof(p));
    for (i = 0; i < sb->n; i++) {
        const struct store_doc *d = &sb->pages[i].doc;
        const char **r = &p[i * BATCH_DOC_COLS];

        snprintf(nums[i][0], 24, "%lld", d->source->id);
        snprintf(nums[i][1], 24, "%lld", d->job->id);
        snprintf(nums[i][2], 24, "%d", d->http_status);
        snprintf(nums[i][3], 24, "%zu", d->body_bytes);
        r[0] = nums[i][0];
        r[1] = nums[i][1];
        r[2] = d->job->url;
        r[3] = nums[i][2];
        r[4] = d->content_type;
        r[5] = d->sha256_hex;
        r[6] = d->title;
        r[7] = nums[i][3];
        r[8] = d->text;
        findings = findings || d->nfindings > 0;
        sids[i] = d->source->id;
        docs[i] = d;
    }
    if (findings)
        rc |= findings_arrays(docs, sb->n, a, &creds);
    if (rc)
        goto out;
    for (k = 0; findings && k < FA_NCOLS; k++)
        p[STORE_BATCH_PAGES * BATCH_DOC_COLS + k] = buf_str(&a[k]);
    /* Plans made once a session, with an index wherever there is one:
       with their parameters' values the server planned these statements
       again at every run (a custom plan looked cheaper on paper), and a
       plan made early in a crawl, when the tables are small, would scan
       them whole for the rest of it. For this transaction only. */
    db_batch_add(b, "BEGIN", 0, NULL);
    db_batch_add(b, "SET LOCAL plan_cache_mode = force_generic_plan", 0,
                 NULL);
    db_batch_add(b, "SET LOCAL enable_seqscan = off", 0, NULL);
    db_batch_add(b,
                 batch_sql[!findings ? BATCH_DOCS
                           : creds   ? BATCH_DOCS_CREDS
                                     : BATCH_DOCS_FINDINGS],
                 findings ? BATCH_PARAMS
                          : STORE_BATCH_PAGES * BATCH_DOC_COLS,
                 p);
    /* Each source's end, in the order of their ids (the order two
       workers lock them in), then the jobs. */
    qsort(sids, sb->n, sizeof(*sids), cmp_ll);
    *nsrcs = 0;
    for (i = 0; i < sb->n && rc == 0; i++) {
        if (i > 0 && sids[i] == sids[i - 1])
            continue;
        srcs[*nsrcs] = (struct source_end){ .id = sids[i] };
        rc = source_end(b, docs, sb->n, &srcs[(*nsrcs)++]);
    }
    if (rc == 0)
        rc = put_jobs_done(b, docs, sb->n);
    if (rc == 0)
        db_batch_add(b, "COMMIT", 0, NULL);
out:
    for (k = 0; k < FA_NCOLS; k++)
        buf_release(&a[k]);
    return rc ? DRP_ETOOBIG : 0;
}

void
store_batch_flush(struct db *db, struct store_batch *sb,
                  store_batch_done_fn *done, void *arg)
{
    struct source_end srcs[STORE_BATCH_PAGES];
    struct buf err = BUF_INIT(8192);
    struct db_batch b;
    size_t nsrcs = 0, i;
    bool alone = sb->n == 1, refused = false;
    int rc = 0;

    memset(srcs, 0, sizeof(srcs));
    db_batch_init(&b);
    if (db == NULL) {
        rc = DRP_EDB;
        alone = false;
        buf_adds(&err, "database unreachable");
    } else if (!alone) {
        rc = batch_build(sb, &b, srcs, &nsrcs);
        if (rc == 0)
            rc = db_batch_run(db, &b, &err);
        refused = rc == DRP_ETOOBIG || (rc < 0 && db_refused(db));
    }
    if (rc == 0 && !alone) {
        for (i = 0; i < nsrcs; i++)
            source_end_done(&srcs[i], &b);
        for (i = 0; i < sb->n; i++)
            done(arg, sb->pages[i].user, 0, false, "");
    } else if (alone || refused) {
        /* Each page on its own: one the server refuses fails alone. */
        if (!alone && db_failed(db, DB_LEASE_LOST))
            log_info("a batch of %zu pages holds a job whose lease was "
                     "lost, storing them one by one: %s",
                     sb->n, buf_str(&err));
        else if (!alone)
            log_warn("database refused a batch of %zu pages, storing them "
                     "one by one: %s",
                     sb->n, buf_str(&err));
        for (i = 0; i < sb->n; i++) {
            int new_alerts, r;

            buf_reset(&err);
            r = store_document(db, &sb->pages[i].doc, &new_alerts, &err);
            done(arg, sb->pages[i].user, r,
                 r == DRP_ETOOBIG || (r < 0 && db_refused(db)),
                 buf_str(&err));
        }
    } else {
        /* An outage: every page waits for the database to come back. */
        for (i = 0; i < sb->n; i++)
            done(arg, sb->pages[i].user, rc, false, buf_str(&err));
    }
    for (i = 0; i < nsrcs; i++)
        free(srcs[i].keys);
    for (i = 0; i < sb->n; i++)
        page_release(&sb->pages[i]);
    sb->n = 0;
    sb->bytes = 0;
    sb->links = false;
    db_batch_release(&b);
    buf_release(&err);
}

/* Runs an export query: $1 the kinds as a text[], $2 since, $3 the
   minimum confidence, $4 extra (when not NULL); its JSON answer. */
static json_t *
export_query(struct db *db, const char *sql, const char *const *kinds,
             const char *since, int min_confidence, const char *extra,
             struct buf *err)
{
    struct buf arr = BUF_INIT(1u << 16);
    char conf[16];
    const char *p[4] = { NULL, since, conf, extra };
    PGresult *r;
    size_t i;

    for (i = 0; kinds[i]; i++)
        array_add(&arr, kinds[i]);
    array_close(&arr);
    p[0] = buf_str(&arr);
    snprintf(conf, sizeof(conf), "%d", min_confidence);
    r = db_query(db, sql, extra ? 4 : 3, p, err);
    buf_release(&arr);
    return r ? db_json(r, err) : NULL;
}

json_t *
store_export_findings(struct db *db, const char *const *kinds,
                      const char *since, int min_confidence, struct buf *err)
{
    return export_query(db,
                 "SELECT coalesce(json_agg(x ORDER BY x.last_seen DESC, "
                 "  x.kind, x.value), '[]')::text FROM ("
                 "SELECT f.kind, f.value, f.confidence, f.tlp, "
                 "  extract(epoch FROM f.first_seen)::bigint AS first_seen, "
                 "  extract(epoch FROM f.last_seen)::bigint AS last_seen, "
                 "  (SELECT coalesce(json_agg(json_build_object('source', "
                 "    g.name, 'first_seen', g.first, 'last_seen', g.last, "
                 "    'count', g.n) ORDER BY g.name), '[]') FROM ("
                 "    SELECT s.name, extract(epoch FROM min(t.seen_at))::bigint "
                 "      AS first, extract(epoch FROM max(t.seen_at))::bigint "
                 "      AS last, count(*) AS n FROM sightings t "
                 "    JOIN sources s ON s.id = t.source_id "
                 "    WHERE t.finding_id = f.id GROUP BY s.name) g) "
                 "  AS sightings "
                 "FROM findings f "
                 "WHERE f.kind = ANY ($1::text[]) AND drp_shareable(f) "
                 "  AND f.confidence >= $3::int "
                 "  AND ($2::text IS NULL OR f.last_seen >= drp_since($2))) x",
                 kinds, since, min_confidence, NULL, err);
}

json_t *
store_export_misp(struct db *db, const char *const *kinds, const char *since,
                  int min_confidence, bool by_alert, struct buf *err)
{
    /* The same choice of findings as store_export_findings(); credentials
       only through their alerts, never the hash. */
    return export_query(
        db,
        "WITH f AS (SELECT f.*, drp_shareable(f) AS shareable, "
        "  (SELECT string_agg(DISTINCT s.name, ', ') "
        "    FROM sightings t JOIN sources s ON s.id = t.source_id "
        "    WHERE t.finding_id = f.id) AS sources "
        "  FROM findings f WHERE f.confidence >= $3::int "
        "  AND ($2::text IS NULL OR f.last_seen >= drp_since($2))), "
        "rows AS ("
        "  SELECT f.kind, f.value, f.confidence, f.first_seen, f.last_seen, "
        "    f.sources, NULL AS identity, NULL AS password_hint, "
        "    NULL AS alert_key, NULL AS alert_title, "
        "    NULL AS alert_severity, NULL AS alert_url "
        "  FROM f WHERE NOT $4::boolean AND f.kind = ANY ($1::text[]) "
        "    AND f.shareable "
        "  UNION ALL "
        "  SELECT CASE WHEN c.finding_id IS NULL THEN f.kind "
        "      ELSE 'credential' END, f.value, f.confidence, f.first_seen, "
        "    f.last_seen, f.sources, c.identity, c.password_hint, "
        "    CASE WHEN $4::boolean THEN a.dedup_key END, a.title, "
        "    a.severity, a.url "
        "  FROM alerts a JOIN f ON f.id = a.finding_id "
        "  LEFT JOIN credentials c ON c.finding_id = f.id "
        "  WHERE $4::boolean OR (c.finding_id IS NOT NULL AND a.kind IN "
        "    ('credential-leak', 'canary'))) "
        "SELECT coalesce(json_agg(json_build_object('kind', kind, 'value', "
        "  value, 'confidence', confidence, 'first_seen', "
        "  extract(epoch FROM first_seen)::bigint, 'last_seen', "
        "  extract(epoch FROM last_seen)::bigint, 'sources', sources, "
        "  'identity', identity, 'password_hint', password_hint, "
        "  'alert_key', alert_key, 'alert_title', alert_title, "
        "  'alert_severity', alert_severity, 'alert_url', alert_url) "
        "  ORDER BY last_seen DESC, kind, value), '[]')::text FROM rows",
        kinds, since, min_confidence, by_alert ? "t" : "f", err);
}

/* What a TAXII collection holds (store_taxii_rows): the shareable findings
   of $1 (kinds), of TLP $2 (NULL: any), sighted on a page where a case of
   a watch term in $3 (NULL: any) was seen. */
#define TAXII_FINDINGS                                                        \
    "f.kind = ANY ($1::text[]) AND drp_shareable(f) "                         \
    "AND ($2::text[] IS NULL OR f.tlp = ANY ($2::text[])) "                   \
    "AND ($3::text[] IS NULL OR EXISTS (SELECT 1 FROM sightings t "           \
    "  WHERE t.finding_id = f.id AND t.url IN (SELECT url FROM pages))) "
#define TAXII_AT "'epoch'::timestamptz + $4::bigint * interval '1 microsecond'"
#define TAXII_US(col) "(extract(epoch FROM " col ") * 1000000)::bigint"

json_t *
store_taxii_rows(struct db *db, const struct store_taxii_filter *f,
                 const struct store_taxii_key *after, int n, struct buf *err)
{
    struct buf kinds = BUF_INIT(1u << 16), tlp = BUF_INIT(1u << 16);
    struct buf watch = BUF_INIT(1u << 22);
    struct buf fids = BUF_INIT(1u << 20), sids = BUF_INIT(1u << 20);
    char us[24], src_id[24], fnd_id[24], lim[16];
    const char *p[9] = { NULL, NULL, NULL, us, src_id, fnd_id, lim, NULL,
                         NULL };
    PGresult *r = NULL;
    size_t i;
    int rc = 0;

    for (i = 0; f->kinds[i]; i++)
        rc |= array_add(&kinds, f->kinds[i]);
    rc |= array_close(&kinds);
    p[0] = buf_str(&kinds);
    for (i = 0; i < f->ntlp; i++)
        rc |= array_add(&tlp, f->tlp[i]);
    rc |= array_close(&tlp);
    p[1] = f->tlp ? buf_str(&tlp) : NULL;
    for (i = 0; i < f->nwatch; i++)
        rc |= array_add(&watch, f->watch[i]);
    rc |= array_close(&watch);
    p[2] = f->watch ? buf_str(&watch) : NULL;
    if (f->by_id) {
        for (i = 0; i < f->nfinding_ids; i++)
            rc |= array_add_id(&fids, f->finding_ids[i]);
        for (i = 0; i < f->nsource_ids; i++)
            rc |= array_add_id(&sids, f->source_ids[i]);
        rc |= array_close(&fids);
        rc |= array_close(&sids);
        p[7] = buf_str(&fids);
        p[8] = buf_str(&sids);
    }
    if (rc) {
        buf_adds(err, "TAXII filter too large");
        goto out;
    }
    /* The key (added, group, id) as each branch's (added, id) key: a
       branch whose group sorts after the key's takes every id at that
       instant, one before it none. */
    snprintf(us, sizeof(us), "%lld", after->added_us);
    snprintf(src_id, sizeof(src_id), "%lld",
             after->group < STORE_TAXII_SOURCE    ? 0
             : after->group == STORE_TAXII_SOURCE ? after->id
                                                    : LLONG_MAX);
    snprintf(fnd_id, sizeof(fnd_id), "%lld",
             after->group < STORE_TAXII_FINDING    ? 0
             : after->group == STORE_TAXII_FINDING ? after->id
                                                     : LLONG_MAX);
    snprintf(lim, sizeof(lim), "%d", n);
    r = db_query(
        db,
        "WITH pages AS (SELECT DISTINCT t.url FROM alerts a "
        "  JOIN sightings t ON t.finding_id = a.finding_id "
        "  WHERE $3::text[] IS NOT NULL AND lower(a.term) IN "
        "  (SELECT lower(x) FROM unnest($3::text[]) x)), "
        "s AS (SELECT 1 AS g, s.id, " TAXII_US("s.created_at") " AS added_us, "
        "  s.name, NULL::text AS kind, NULL::text AS value, "
        "  NULL::int AS confidence, NULL::text AS tlp, NULL::bigint AS "
        "  first_seen, NULL::bigint AS last_seen, NULL::json AS sightings "
        "  FROM sources s WHERE (s.created_at, s.id) > (" TAXII_AT ", $5::bigint) "
        "  AND ($9::bigint[] IS NULL OR s.id = ANY ($9::bigint[])) "
        /* A subquery that stops at the first hit, run only for the
           sources past the key (a semi-join would join every finding). */
        "  AND (SELECT 1 FROM sightings t JOIN findings f ON "
        "    f.id = t.finding_id WHERE t.source_id = s.id AND "
        TAXII_FINDINGS " LIMIT 1) IS NOT NULL "
        "  ORDER BY s.created_at, s.id LIMIT $7::int), "
        "f AS (SELECT 2 AS g, f.id, " TAXII_US("f.last_seen") " AS added_us, "
        "  NULL::text AS name, f.kind, f.value, f.confidence, f.tlp, "
        "  extract(epoch FROM f.first_seen)::bigint AS first_seen, "
        "  extract(epoch FROM f.last_seen)::bigint AS last_seen, "
        "  (SELECT coalesce(json_agg(json_build_object('source', "
        "    g.name, 'first_seen', g.first, 'last_seen', g.last, "
        "    'count', g.n) ORDER BY g.name), '[]') FROM ("
        "    SELECT s.name, extract(epoch FROM min(t.seen_at))::bigint "
        "      AS first, extract(epoch FROM max(t.seen_at))::bigint "
        "      AS last, count(*) AS n FROM sightings t "
        "    JOIN sources s ON s.id = t.source_id "
        "    WHERE t.finding_id = f.id GROUP BY s.name) g) AS sightings "
        "  FROM findings f WHERE (f.last_seen, f.id) > (" TAXII_AT ", $6::bigint) "
        "  AND ($8::bigint[] IS NULL OR f.id = ANY ($8::bigint[])) "
        "  AND " TAXII_FINDINGS
        "  ORDER BY f.last_seen, f.id LIMIT $7::int) "
        "SELECT coalesce(json_agg(x ORDER BY x.added_us, x.g, x.id), "
        "  '[]')::text FROM (SELECT * FROM s UNION ALL SELECT * FROM f "
        "  ORDER BY 3, 1, 2 LIMIT $7::int) x",
        9, p, err);
out:
    buf_release(&kinds);
    buf_release(&tlp);
    buf_release(&watch);
    buf_release(&fids);
    buf_release(&sids);
    return r ? db_json(r, err) : NULL;
}

int
store_stix_top(struct db *db, long long *finding, long long *sighting,
               struct buf *err)
{
    PGresult *r = db_query(db,
                           "SELECT coalesce((SELECT max(id) FROM findings), "
                           "0), coalesce((SELECT max(id) FROM sightings), 0)",
                           0, NULL, err);

    if (r == NULL)
        return DRP_EDB;
    *finding = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    *sighting = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    PQclear(r);
    return 0;
}

json_t *
store_stix_pending(struct db *db, const char *const *kinds,
                   long long after_finding, long long after_sighting, int n,
                   struct buf *err)
{
    struct buf k = BUF_INIT(1u << 16);
    char af[24], as[24], lim[16];
    const char *p[4] = { NULL, af, as, lim };
    PGresult *r;
    size_t i;

    for (i = 0; kinds[i]; i++)
        array_add(&k, kinds[i]);
    array_close(&k);
    p[0] = buf_str(&k);
    snprintf(af, sizeof(af), "%lld", after_finding);
    snprintf(as, sizeof(as), "%lld", after_sighting);
    snprintf(lim, sizeof(lim), "%d", n);
    /* Each group walks its primary key from the mark and stops after n
       rows without ids: what is indexed costs an index probe. */
    r = db_query(
        db,
        "WITH f AS (SELECT 1 AS g, f.id AS at, f.id AS f, NULL::bigint AS s, "
        "  f.kind, f.value, NULL::text AS name FROM findings f "
        "  WHERE f.id > $2::bigint AND f.kind = ANY ($1::text[]) "
        "  AND NOT EXISTS (SELECT 1 FROM stix_ids i WHERE "
        "  i.finding_id = f.id AND i.source_id IS NULL) "
        "  ORDER BY f.id LIMIT $4::int), "
        "t AS (SELECT 2 AS g, t.id AS at, t.finding_id AS f, "
        "  t.source_id AS s, f.kind, f.value, s.name FROM sightings t "
        "  JOIN findings f ON f.id = t.finding_id "
        "  JOIN sources s ON s.id = t.source_id WHERE t.id > $3::bigint "
        "  AND f.kind = ANY ($1::text[]) AND NOT EXISTS (SELECT 1 FROM "
        "  stix_ids i WHERE i.finding_id = t.finding_id "
        "  AND i.source_id = t.source_id) ORDER BY t.id LIMIT $4::int), "
        "s AS (SELECT 3 AS g, s.id AS at, NULL::bigint AS f, s.id AS s, "
        "  NULL::text AS kind, NULL::text AS value, s.name FROM sources s "
        "  WHERE NOT EXISTS (SELECT 1 FROM stix_ids i WHERE "
        "  i.source_id = s.id AND i.finding_id IS NULL) "
        "  ORDER BY s.id LIMIT $4::int) "
        "SELECT coalesce(json_agg(x), '[]')::text FROM (SELECT * FROM f "
        "  UNION ALL SELECT * FROM t UNION ALL SELECT * FROM s) x",
        4, p, err);
    buf_release(&k);
    return r ? db_json(r, err) : NULL;
}

int
store_stix_index(struct db *db, const char *const *ids,
                 const long long *findings, const long long *sources,
                 size_t n, struct buf *err)
{
    struct buf a = BUF_INIT(1u << 26), f = BUF_INIT(1u << 24),
               s = BUF_INIT(1u << 24);
    const char *p[3];
    size_t i;
    int rc = 0;

    for (i = 0; i < n && rc == 0; i++)
        rc = array_add_uuid(&a, ids[i]) | array_add_id(&f, findings[i]) |
             array_add_id(&s, sources[i]);
    if (rc == 0)
        rc = array_close(&a) | array_close(&f) | array_close(&s);
    if (rc) {
        buf_adds(err, "too many STIX ids at once");
        rc = DRP_ETOOBIG;
    } else {
        p[0] = buf_str(&a);
        p[1] = buf_str(&f);
        p[2] = buf_str(&s);
        rc = db_exec(db,
                     "INSERT INTO stix_ids (stix_id, finding_id, source_id) "
                     "SELECT * FROM unnest($1::uuid[], $2::bigint[], "
                     "$3::bigint[]) ON CONFLICT DO NOTHING",
                     3, p, err);
    }
    buf_release(&a);
    buf_release(&f);
    buf_release(&s);
    return rc;
}

json_t *
store_stix_lookup(struct db *db, const char *const *ids, size_t n,
                  struct buf *err)
{
    struct buf a = BUF_INIT(1u << 20);
    const char *p[1];
    PGresult *r;
    size_t i;
    int rc = 0;

    for (i = 0; i < n && rc == 0; i++)
        rc = array_add_uuid(&a, ids[i]);
    if (rc || array_close(&a)) {
        buf_adds(err, "too many STIX ids at once");
        buf_release(&a);
        return NULL;
    }
    p[0] = buf_str(&a);
    r = db_query(db,
                 "SELECT json_build_object('found', count(DISTINCT "
                 "stix_id), 'owners', coalesce(json_agg(json_build_object("
                 "'f', finding_id, 's', source_id)), '[]'))::text "
                 "FROM stix_ids WHERE stix_id = ANY ($1::uuid[])",
                 1, p, err);
    buf_release(&a);
    return r ? db_json(r, err) : NULL;
}
