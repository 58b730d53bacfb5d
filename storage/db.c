/*
 * The connection, the query helper and the migrations. Migrations run under
 * an advisory lock so that several workers starting at once apply each one
 * exactly once.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "storage/cluster.h"
#include "storage/db.h"
#include "storage/internal.h"
#include "common/banned.h"

#define DB_MIGRATION_LOCK "7264707761746368" /* "drpwatch" in hex */

/* libpq's messages end with a newline; ours do not. */
static void
add_pq_error(struct buf *err, const char *msg)
{
    size_t n = strlen(msg);

    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        n--;
    buf_add(err, msg, n);
}

/* Server notices ("relation exists, skipping") are debug chatter. */
static void
on_notice(void *arg, const char *msg)
{
    size_t n = strlen(msg);

    (void)arg;
    while (n > 0 && msg[n - 1] == '\n')
        n--;
    log_debug("database notice: %.*s", (int)n, msg);
}

/* What every session of ours starts with, again after a reconnect. */
static void
session_setup(struct db *db)
{
    PGresult *r = PQexec(db->conn, db->async_commit
                                       ? "SET TIME ZONE 'UTC'; "
                                         "SET synchronous_commit = off"
                                       : "SET TIME ZONE 'UTC'");

    PQclear(r);
}

struct db *
db_open_another(const struct db *db, struct buf *err)
{
    struct db *other = db_open(db->conninfo, err);

    if (other && db->async_commit)
        db_async_commit(other);
    return other;
}

void
db_async_commit(struct db *db)
{
    db->async_commit = true;
    session_setup(db);
}

struct db *
db_open(const char *conninfo, struct buf *err)
{
    struct db *db = xcalloc(1, sizeof(*db));

    db->conninfo = xstrdup(conninfo);
    db->conn = PQconnectdb(conninfo);
    if (PQstatus(db->conn) != CONNECTION_OK) {
        buf_adds(err, "cannot connect to the database: ");
        add_pq_error(err, PQerrorMessage(db->conn));
        db_close(db);
        return NULL;
    }
    PQsetNoticeProcessor(db->conn, on_notice, NULL);
    session_setup(db);
    return db;
}

static void
forget_prepared(struct db *db)
{
    int i;

    for (i = 0; i < db->nprepared; i++)
        free(db->prepared[i].sql);
    db->nprepared = 0;
}

void
db_close(struct db *db)
{
    if (db == NULL)
        return;
    forget_prepared(db);
    PQfinish(db->conn);
    free(db->conninfo);
    free(db);
}

bool
db_refused(const struct db *db)
{
    return db->refused;
}

bool
db_failed(const struct db *db, const char *state)
{
    return strcmp(db->state, state) == 0;
}

bool
db_ping(struct db *db)
{
    PGresult *r;

    if (PQstatus(db->conn) == CONNECTION_OK) {
        r = PQexec(db->conn, "SELECT 1");
        if (PQresultStatus(r) == PGRES_TUPLES_OK) {
            PQclear(r);
            return true;
        }
        PQclear(r);
    }
    PQreset(db->conn);
    if (PQstatus(db->conn) != CONNECTION_OK)
        return false;
    session_setup(db);
    return true;
}

/*
 * Whether the server's error state tells an outage or a conflict that
 * passes (the same statement may succeed later): connection (08),
 * transaction rollback (40: deadlock, serialization), insufficient
 * resources (53), operator intervention (57: shutdown, starting up),
 * system error (58), lock not available (55P03).
 */
static bool
state_passes(const char *state)
{
    static const char *const classes[] = { "08", "40", "53", "57", "58" };
    size_t i;

    if (state == NULL || strlen(state) != 5)
        return true;
    for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
        if (strncmp(state, classes[i], 2) == 0)
            return true;
    return strcmp(state, "55P03") == 0;
}

/* err gets r's error (or the connection's); r is cleared. */
static void
query_error(struct db *db, PGresult *r, struct buf *err)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

    db->refused = r != NULL && PQstatus(db->conn) == CONNECTION_OK &&
                  PQresultStatus(r) == PGRES_FATAL_ERROR &&
                  !state_passes(state);
    snprintf(db->state, sizeof(db->state), "%s", state ? state : "");
    if (err) {
        buf_reset(err);
        buf_adds(err, "database error: ");
        add_pq_error(err, r ? PQresultErrorMessage(r)
                            : PQerrorMessage(db->conn));
        if (PQstatus(db->conn) != CONNECTION_OK)
            buf_adds(err, " (connection lost)");
    }
    PQclear(r);
}

static bool
result_ok(const PGresult *r)
{
    ExecStatusType st = PQresultStatus(r);

    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

PGresult *
db_query(struct db *db, const char *sql, int nparams,
         const char *const *params, struct buf *err)
{
    PGresult *r;

    db->refused = false;
    db->state[0] = '\0';
    r = PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    if (result_ok(r))
        return r;
    query_error(db, r, err);
    return NULL;
}

/* FNV-1a: finds a statement's text among the prepared ones. */
static unsigned long
text_hash(const char *s, size_t *len)
{
    unsigned long h = 14695981039346656037ul;
    const char *p;

    for (p = s; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ul;
    *len = (size_t)(p - s);
    return h;
}

/*
 * The name of sql prepared on this connection, preparing it when it is
 * new: *name is NULL when the cache is full (run it unprepared). Returns
 * 0 or DRP_EDB.
 */
static int
prepare(struct db *db, const char *sql, int nparams, const char **name,
        struct buf *err)
{
    struct db_prepared *p;
    size_t len;
    unsigned long h = text_hash(sql, &len);
    PGresult *r;
    int i;

    *name = NULL;
    if (PQbackendPID(db->conn) != db->prepared_pid) {
        /* A new session (a reconnect): nothing is prepared in it. */
        forget_prepared(db);
        db->prepared_pid = PQbackendPID(db->conn);
    }
    for (i = 0; i < db->nprepared; i++) {
        p = &db->prepared[i];
        if (p->hash == h && p->len == len && memcmp(p->sql, sql, len) == 0) {
            *name = p->name;
            return 0;
        }
    }
    if (db->nprepared == DB_MAX_PREPARED)
        return 0;
    p = &db->prepared[db->nprepared];
    snprintf(p->name, sizeof(p->name), "drp%u", db->next_name++);
    r = PQprepare(db->conn, p->name, sql, nparams, NULL);
    if (!result_ok(r)) {
        query_error(db, r, err);
        return DRP_EDB;
    }
    PQclear(r);
    p->sql = xstrdup(sql);
    p->len = len;
    p->hash = h;
    db->nprepared++;
    *name = p->name;
    return 0;
}

static bool
is_deadlock(const PGresult *r)
{
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

    return state && strcmp(state, "40P01") == 0;
}

/*
 * A statement run on its own (no transaction open) that loses a deadlock
 * runs again, as a batch does (statements of other workers lock a
 * source's row and its jobs' rows, not always in the same order).
 */
PGresult *
db_query_prepared(struct db *db, const char *sql, int nparams,
                  const char *const *params, struct buf *err)
{
    bool own = PQtransactionStatus(db->conn) == PQTRANS_IDLE;
    const char *name;
    PGresult *r;
    int tries;

    db->refused = false;
    db->state[0] = '\0';
    if (prepare(db, sql, nparams, &name, err) < 0)
        return NULL;
    if (name == NULL)
        return db_query(db, sql, nparams, params, err);
    for (tries = 1;; tries++) {
        r = PQexecPrepared(db->conn, name, nparams, params, NULL, NULL, 0);
        if (result_ok(r))
            return r;
        if (!own || tries == DB_BATCH_TRIES || !is_deadlock(r))
            break;
        log_debug("database deadlock, the statement runs again: %s",
                  PQresultErrorMessage(r));
        PQclear(r);
    }
    query_error(db, r, err);
    return NULL;
}

/* db_exec()'s end: a result nobody reads. */
static int
cleared(PGresult *r)
{
    if (r == NULL)
        return DRP_EDB;
    PQclear(r);
    return 0;
}

int
db_exec_prepared(struct db *db, const char *sql, int nparams,
                 const char *const *params, struct buf *err)
{
    return cleared(db_query_prepared(db, sql, nparams, params, err));
}

void
db_batch_init(struct db_batch *b)
{
    memset(b, 0, sizeof(*b));
    buf_init(&b->args, DB_BATCH_MAX);
}

void
db_batch_add(struct db_batch *b, const char *sql, int nparams,
             const char *const *params)
{
    int i;

    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 16;
        b->stmts = xreallocarray(b->stmts, b->cap, sizeof(*b->stmts));
    }
    b->stmts[b->n++] = (struct db_batch_stmt){ sql, nparams, b->nargs };
    for (i = 0; i < nparams; i++) {
        size_t at = SIZE_MAX;

        if (b->nargs == b->capargs) {
            b->capargs = b->capargs ? 2 * b->capargs : 64;
            b->args_at = xreallocarray(b->args_at, b->capargs,
                                       sizeof(*b->args_at));
        }
        if (params[i]) {
            at = b->args.len;
            if (buf_add(&b->args, params[i], strlen(params[i]) + 1) < 0) {
                b->too_big = true;
                at = SIZE_MAX;
            }
        }
        b->args_at[b->nargs++] = at;
    }
}

static void
clear_results(struct db_batch *b)
{
    size_t i;

    for (i = 0; b->res && i < b->n; i++) {
        PQclear(b->res[i]);
        b->res[i] = NULL;
    }
}

void
db_batch_reset(struct db_batch *b)
{
    clear_results(b);
    free(b->res);
    b->res = NULL;
    b->n = 0;
    b->nargs = 0;
    b->too_big = false;
    buf_reset(&b->args);
}

void
db_batch_release(struct db_batch *b)
{
    db_batch_reset(b);
    free(b->stmts);
    free(b->args_at);
    buf_release(&b->args);
    memset(b, 0, sizeof(*b));
}

/*
 * A batch that could not be sent whole must not commit a part: the
 * session is dropped (the server rolls the transaction back) and opened
 * again.
 */
static void
drop_session(struct db *db)
{
    PQreset(db->conn);
    if (PQstatus(db->conn) == CONNECTION_OK)
        session_setup(db);
}

/*
 * Sends the batch and reads its results; *deadlock is set when the server
 * broke a deadlock by failing it. Leaves pipeline mode when the connection
 * still works.
 */
static int
run_once(struct db *db, struct db_batch *b, const char **names,
         bool *deadlock, struct buf *err)
{
    const char **params = NULL;
    size_t i, max = 0;
    int rc = 0, nulls = 0;
    PGresult *r;

    *deadlock = false;
    for (i = 0; i < b->n; i++)
        if ((size_t)b->stmts[i].nparams > max)
            max = (size_t)b->stmts[i].nparams;
    if (!PQenterPipelineMode(db->conn)) {
        query_error(db, NULL, err);
        return DRP_EDB;
    }
    params = xcalloc(max + 1, sizeof(*params));
    for (i = 0; i < b->n; i++) {
        const struct db_batch_stmt *st = &b->stmts[i];
        int k, ok;

        for (k = 0; k < st->nparams; k++) {
            size_t at = b->args_at[st->first + (size_t)k];

            params[k] = at == SIZE_MAX ? NULL : b->args.ptr + at;
        }
        if (names[i])
            ok = PQsendQueryPrepared(db->conn, names[i], st->nparams, params,
                                     NULL, NULL, 0);
        else
            ok = PQsendQueryParams(db->conn, st->sql, st->nparams, NULL,
                                   params, NULL, NULL, 0);
        if (!ok)
            break;
    }
    free(params);
    if (i < b->n || !PQpipelineSync(db->conn)) {
        query_error(db, NULL, err);
        drop_session(db);
        return DRP_EDB;
    }
    /* The statements' results, each followed by NULL, then the sync
       point; after an error, the statements skipped say so. Two NULLs in
       a row: nothing more will come (the connection broke). */
    for (i = 0;;) {
        r = PQgetResult(db->conn);
        if (r == NULL) {
            if (++nulls < 2 && PQstatus(db->conn) == CONNECTION_OK)
                continue;
            if (rc == 0)
                query_error(db, NULL, err);
            if (PQstatus(db->conn) == CONNECTION_OK)
                drop_session(db); /* out of step with the server */
            return DRP_EDB;
        }
        nulls = 0;
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        if (result_ok(r) && i < b->n) {
            b->res[i] = r;
        } else if (rc == 0 && PQresultStatus(r) != PGRES_PIPELINE_ABORTED) {
            *deadlock = is_deadlock(r);
            query_error(db, r, err);
            rc = DRP_EDB;
        } else {
            PQclear(r);
        }
        i++;
    }
    if (!PQexitPipelineMode(db->conn) && rc == 0) {
        query_error(db, NULL, err);
        rc = DRP_EDB;
    }
    if (rc == 0 && i != b->n) {
        buf_reset(err);
        buf_addf(err, "database error: %zu results for %zu statements", i,
                 b->n);
        rc = DRP_EDB;
    }
    return rc;
}

int
db_batch_run(struct db *db, struct db_batch *b, struct buf *err)
{
    const char **names;
    bool deadlock = false;
    bool own = PQtransactionStatus(db->conn) == PQTRANS_IDLE;
    size_t i;
    int rc = 0, tries;

    db->refused = false;
    db->state[0] = '\0';
    if (b->too_big) {
        buf_reset(err);
        buf_addf(err, "database batch larger than %u bytes",
                 (unsigned)DB_BATCH_MAX);
        return DRP_ETOOBIG;
    }
    names = xcalloc(b->n + 1, sizeof(*names));
    for (i = 0; i < b->n && rc == 0; i++)
        rc = prepare(db, b->stmts[i].sql, b->stmts[i].nparams, &names[i],
                     err);
    if (rc < 0)
        goto out;
    if (b->res == NULL)
        b->res = xcalloc(b->n + 1, sizeof(*b->res));
    for (tries = 0; tries < DB_BATCH_TRIES; tries++) {
        clear_results(b);
        rc = run_once(db, b, names, &deadlock, err);
        /* A transaction the batch opened itself (BEGIN ... COMMIT) and
           left open by its failure. */
        if (rc < 0 && own && PQstatus(db->conn) == CONNECTION_OK &&
            PQtransactionStatus(db->conn) != PQTRANS_IDLE)
            db_rollback(db);
        /* Inside the caller's transaction, the whole of it failed. */
        if (rc == 0 || !deadlock || !own)
            break;
        log_debug("database deadlock, the batch runs again: %s",
                  buf_str(err));
    }
out:
    free(names);
    return rc;
}

int
db_exec(struct db *db, const char *sql, int nparams,
        const char *const *params, struct buf *err)
{
    return cleared(db_query(db, sql, nparams, params, err));
}

static int
simple(struct db *db, const char *sql, struct buf *err)
{
    return db_exec(db, sql, 0, NULL, err);
}

char *
db_value_dup(const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return NULL;
    return xstrdup(PQgetvalue(r, row, col));
}

int
db_begin(struct db *db, struct buf *err)
{
    return simple(db, "BEGIN", err);
}

int
db_commit(struct db *db, struct buf *err)
{
    return simple(db, "COMMIT", err);
}

void
db_rollback(struct db *db)
{
    PGresult *r = PQexec(db->conn, "ROLLBACK");

    PQclear(r);
}

int
db_end(struct db *db, int rc, struct buf *err)
{
    if (rc == 0)
        rc = db_commit(db, err);
    if (rc < 0)
        db_rollback(db);
    return rc;
}

int
db_migrate(struct db *db, int *applied, struct buf *err)
{
    const struct migration *m;
    PGresult *r;
    int rc = 0;

    *applied = 0;
    rc = simple(db, "SELECT pg_advisory_lock(x'" DB_MIGRATION_LOCK
                    "'::bigint)", err);
    if (rc < 0)
        return rc;
    rc = simple(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                    " version integer PRIMARY KEY,"
                    " name text NOT NULL,"
                    " applied_at timestamptz NOT NULL DEFAULT now())",
                err);
    if (rc < 0)
        goto out;
    for (m = db_migrations; m->sql; m++) {
        char version[16];
        const char *params[2] = { version, m->name };

        snprintf(version, sizeof(version), "%d", m->version);
        r = db_query(db, "SELECT 1 FROM schema_migrations WHERE version = $1",
                     1, params, err);
        if (r == NULL) {
            rc = DRP_EDB;
            goto out;
        }
        if (PQntuples(r) > 0) {
            PQclear(r);
            continue;
        }
        PQclear(r);
        rc = db_begin(db, err);
        if (rc < 0)
            goto out;
        r = PQexec(db->conn, m->sql);
        if (PQresultStatus(r) != PGRES_COMMAND_OK &&
            PQresultStatus(r) != PGRES_TUPLES_OK) {
            buf_reset(err);
            buf_addf(err, "migration %s failed: ", m->name);
            add_pq_error(err, PQresultErrorMessage(r));
            PQclear(r);
            db_rollback(db);
            rc = DRP_EDB;
            goto out;
        }
        PQclear(r);
        r = db_query(db, "INSERT INTO schema_migrations (version, name) "
                         "VALUES ($1, $2)", 2, params, err);
        if (r == NULL) {
            db_rollback(db);
            rc = DRP_EDB;
            goto out;
        }
        PQclear(r);
        rc = db_commit(db, err);
        if (rc < 0)
            goto out;
        log_info("applied migration: name='%s'", m->name);
        (*applied)++;
    }
out:
    r = PQexec(db->conn, "SELECT pg_advisory_unlock(x'" DB_MIGRATION_LOCK
                         "'::bigint)");
    PQclear(r);
    return rc;
}

char *
db_conninfo(const char *db_opt, const char *data_dir)
{
    const char *env = getenv("DRPWATCH_DB");

    if (db_opt && *db_opt)
        return xstrdup(db_opt);
    if (env && *env)
        return xstrdup(env);
    return cluster_conninfo(data_dir);
}

struct db *
db_connect(const char *db_opt, const char *data_dir, struct buf *err)
{
    const char *env = getenv("DRPWATCH_DB");
    bool embedded = !(db_opt && *db_opt) && !(env && *env);
    char *conninfo;
    struct db *db;
    int applied;

    if (embedded && cluster_start(data_dir, err) < 0)
        return NULL;
    conninfo = db_conninfo(db_opt, data_dir);
    db = db_open(conninfo, err);
    free(conninfo);
    if (db == NULL)
        return NULL;
    if (db_migrate(db, &applied, err) < 0) {
        db_close(db);
        return NULL;
    }
    return db;
}

json_t *
db_rows_json(PGresult *r, const char *const *cols)
{
    enum { BOOLOID = 16, INT8OID = 20, INT2OID = 21, INT4OID = 23 };
    json_t *arr = json_array();
    int i, j, rows = PQntuples(r), ncols = PQnfields(r);

    for (i = 0; i < rows; i++) {
        json_t *o = json_object();

        for (j = 0; j < ncols; j++) {
            const char *v = PQgetvalue(r, i, j);
            Oid type = PQftype(r, j);
            json_t *jv;

            if (PQgetisnull(r, i, j))
                jv = json_null();
            else if (type == BOOLOID)
                jv = json_boolean(v[0] == 't');
            else if (type == INT8OID || type == INT4OID || type == INT2OID)
                jv = json_integer(strtoll(v, NULL, 10));
            else
                jv = json_string(v);
            if (jv == NULL) /* not UTF-8 */
                jv = json_null();
            json_object_set_new(o, cols[j], jv);
        }
        json_array_append_new(arr, o);
    }
    PQclear(r);
    return arr;
}

json_t *
db_json(PGresult *r, struct buf *err)
{
    json_error_t je;
    json_t *j = NULL;

    if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0)) {
        j = json_loads(PQgetvalue(r, 0, 0), 0, &je);
        if (j == NULL)
            buf_addf(err, "database returned bad JSON: %s", je.text);
    }
    PQclear(r);
    return j;
}
