/*
 * Inside storage/ only: the libpq handle and the one query helper every
 * storage file uses. Never included outside storage/.
 */
#ifndef DRP_STORAGE_INTERNAL_H
#define DRP_STORAGE_INTERNAL_H

#include <stdbool.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "common/buf.h"

#define DB_MAX_PREPARED 64      /* statements kept prepared per connection */
#define DB_BATCH_MAX (1u << 28) /* bytes of parameters in one batch */
#define DB_BATCH_TRIES 5        /* runs of a batch that loses deadlocks */

/* A statement prepared on the connection, found again by its text. */
struct db_prepared {
    char *sql;
    size_t len;
    unsigned long hash;
    char name[16];
};

struct db {
    PGconn *conn;
    char *conninfo;
    bool async_commit; /* db_async_commit() was asked: kept on reconnect */
    struct db_prepared prepared[DB_MAX_PREPARED];
    int nprepared;
    int prepared_pid;  /* the server process they were prepared in */
    unsigned int next_name;
    bool refused;      /* the last error: the server refused a statement
                          (db_refused()) */
    char state[6];     /* the last error's SQLSTATE, or "" (db_failed()) */
};

/* The SQLSTATE of drp_hold_leases() (migration 019): a job is no longer
   leased to the one storing its page. */
#define DB_LEASE_LOST "DW001"

/* Whether the last error had SQLSTATE state. */
bool db_failed(const struct db *db, const char *state);

/* A timestamptz column as ISO 8601 UTC text ("2024-01-02T08:00:00Z"). */
#define DB_ISO(col)                                                           \
    "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/*
 * Runs a parameterised statement (text parameters; NULL entries are SQL
 * NULL). Returns the result (PQclear() it) or NULL with the server's
 * message in err. Never interpolates values into SQL.
 */
PGresult *db_query(struct db *db, const char *sql, int nparams,
                   const char *const *params, struct buf *err);

/* db_query() for statements whose rows are not needed: 0 or DRP_EDB. */
int db_exec(struct db *db, const char *sql, int nparams,
            const char *const *params, struct buf *err);

/*
 * db_query() and db_exec() for statements run again and again: sql is
 * parsed and planned once per connection (a named prepared statement, made
 * the first time this text is seen on it; after a reconnect, again), then
 * only executed. Beyond DB_MAX_PREPARED texts, statements run unprepared.
 */
PGresult *db_query_prepared(struct db *db, const char *sql, int nparams,
                            const char *const *params, struct buf *err);
int db_exec_prepared(struct db *db, const char *sql, int nparams,
                     const char *const *params, struct buf *err);

/*
 * A batch: statements sent to the server together (libpq's pipeline mode)
 * and run in one transaction, in one round trip. No statement can use the
 * rows of another on the client side; what one needs of another comes
 * through SQL (a sub-select, currval()). Each statement is prepared
 * (db_query_prepared()). Parameters are copied when added.
 */
struct db_batch_stmt {
    const char *sql;  /* borrowed: a string literal */
    int nparams;
    size_t first;     /* its first parameter in args_at */
};

struct db_batch {
    struct buf args;         /* the parameters' text, each NUL-terminated */
    size_t *args_at;         /* per parameter: offset in args, or SIZE_MAX
                                for SQL NULL */
    size_t nargs, capargs;
    struct db_batch_stmt *stmts;
    size_t n, cap;
    PGresult **res;          /* after db_batch_run(): one per statement */
    bool too_big;            /* the parameters passed DB_BATCH_MAX */
};

void db_batch_init(struct db_batch *b);

/* Queues a statement; params (NULL entries are SQL NULL) are copied. */
void db_batch_add(struct db_batch *b, const char *sql, int nparams,
                  const char *const *params);

/*
 * Runs the queued statements as one transaction: all of them or none.
 * Returns 0 with each statement's result in b->res[i] (freed by
 * db_batch_release()), or DRP_EDB with the first error in err
 * (DRP_ETOOBIG when the parameters passed DB_BATCH_MAX). When the server
 * chose this transaction as a deadlock's victim, it is run again, up to
 * DB_BATCH_TRIES times. Inside a transaction the caller opened
 * (db_begin()), the statements are part of it instead, and it is never
 * run again. A batch may open and close a transaction of its own (BEGIN
 * and COMMIT as its first and last statements, for SET LOCAL): it is
 * rolled back when the batch fails.
 */
int db_batch_run(struct db *db, struct db_batch *b, struct buf *err);

/* The statements and results go; the batch may be reused. */
void db_batch_reset(struct db_batch *b);
void db_batch_release(struct db_batch *b);

/* A copy of a result value, or NULL for SQL NULL. Caller frees. */
char *db_value_dup(const PGresult *r, int row, int col);

/*
 * The rows of r as a JSON array of objects named by cols (one name per
 * column): integers and booleans by their column type, SQL NULL as null,
 * anything else a string (null if it is not UTF-8). Clears r.
 */
json_t *db_rows_json(PGresult *r, const char *const *cols);

/* db_query() into r, or rc = DRP_EDB and goto out (the function's db,
   err, rc and out label). */
#define QUERY(r, sql, n, params)                                              \
    do {                                                                      \
        (r) = db_query(db, (sql), (n), (params), err);                       \
        if ((r) == NULL) {                                                    \
            rc = DRP_EDB;                                                     \
            goto out;                                                         \
        }                                                                     \
    } while (0)

/* QUERY() with db_query_prepared(): for statements run again and again
   (a case's statements, run for every case a crawl stores). */
#define QUERY_PREPARED(r, sql, n, params)                                     \
    do {                                                                      \
        (r) = db_query_prepared(db, (sql), (n), (params), err);              \
        if ((r) == NULL) {                                                    \
            rc = DRP_EDB;                                                     \
            goto out;                                                         \
        }                                                                     \
    } while (0)

/* The first column of r's only row parsed as JSON (NULL when there is
   no row, or it is SQL NULL, or not JSON: then with a message in err).
   Clears r. For queries that build their answer with json_agg(). */
json_t *db_json(PGresult *r, struct buf *err);

/*
 * Whether a source whose page was read must have its last success
 * written: at most once a second (every stored page of every worker would
 * take the source's row in turn), and always after an error, so that the
 * source's health (last_success >= last_error_at) is never behind.
 */
#define DB_SOURCE_STALE                                                       \
    "(last_success IS NULL OR last_success < now() - interval '1 s' "        \
    "OR last_error_at >= last_success)"

/*
 * A fetched job ($2, HTTP status $3) completed with nothing to add to the
 * frontier, and its source ($1) counted: a job fetched for the first time
 * leaves the source's count of unfetched jobs (migration 014; o is the
 * job's row as it was), and the last success is written when stale. set:
 * more "column = value, " of the job's row. Only while the job is under
 * the lease it was leased under (owner $4, token $5: migration 020); the
 * statement returns the count of jobs completed, 0 or 1.
 */
#define DB_JOB_LEASED                                                         \
    "= $2::bigint AND lease_owner = $4 AND lease_token = $5::bigint"
#define DB_JOB_DONE(set)                                                      \
    "WITH " DB_JOB_FIRST(DB_JOB_LEASED) ", "                                  \
    "j AS (UPDATE jobs SET " DB_JOB_DONE_SET set "last_status = $3::int "     \
    "  WHERE id " DB_JOB_LEASED " RETURNING id), "                           \
    "s AS (" DB_JOB_DONE_COUNT " AND EXISTS (SELECT FROM j) RETURNING id) "  \
    "SELECT count(*) FROM j"

/* The jobs "id <ids>" (SQL) fetched for the first time, counted before
   their completion (o.first). */
#define DB_JOB_FIRST(ids)                                                     \
    "o AS (SELECT count(*) AS first FROM jobs WHERE id " ids                 \
    "  AND fetched_at IS NULL)"

/* The job's columns DB_JOB_DONE() writes but its status ("col = x, "). */
#define DB_JOB_DONE_SET                                                       \
    "lease_owner = NULL, lease_expires = NULL, attempts = 0, "               \
    "last_error = NULL, fetched_at = now(), "                                \
    "due_at = drp_next_due(role, (SELECT interval_s FROM sources s "         \
    "WHERE s.id = source_id)), "

/* DB_JOB_DONE()'s update of the source, o its jobs' first fetches. */
#define DB_JOB_DONE_COUNT                                                     \
    "UPDATE sources SET jobs_unfetched = jobs_unfetched - o.first, "         \
    "  last_success = now() "                                                \
    "FROM o WHERE id = $1::bigint AND (o.first > 0 OR " DB_SOURCE_STALE ")"

/*
 * DB_JOB_DONE() in two statements, for stored pages: this one counts the
 * source ($1) as its jobs ($2, an array) are completed, and must come
 * before the jobs' update (DB_JOB_DONE_SET) in the same transaction. The
 * statement that may wait for the source's row, and be checked again
 * against its new version, is then a small one.
 */
#define DB_JOB_DONE_SOURCE                                                    \
    "WITH " DB_JOB_FIRST("= ANY ($2::bigint[])") " " DB_JOB_DONE_COUNT

/*
 * The frontier counts of the source $1 (migration 014): a statement that
 * inserts jobs ends with this update, the CTE "new" holding a row per job
 * it inserted (and maybe others whose column new is false).
 */
#define DB_SOURCE_COUNT_NEW                                                   \
    "UPDATE sources SET jobs_total = jobs_total + c.n, "                     \
    "  jobs_unfetched = jobs_unfetched + c.n "                               \
    "FROM (SELECT count(*) FILTER (WHERE new.new) AS n FROM new) c "         \
    "WHERE id = $1::bigint AND c.n > 0"

struct config;

/* The settings of cfg as the rows of table settings, replaced whole
   (storage/settings.c; inside store_apply()'s transaction). */
int store_put_settings(struct db *db, const struct config *cfg,
                       struct buf *err);

/* BEGIN/COMMIT/ROLLBACK; rollback never fails loudly. */
int db_begin(struct db *db, struct buf *err);
int db_commit(struct db *db, struct buf *err);
void db_rollback(struct db *db);
/* The end of a transaction db_begin() opened: COMMIT when rc is 0, else
   (or when the commit fails) ROLLBACK; returns rc or the commit's error. */
int db_end(struct db *db, int rc, struct buf *err);

#endif
