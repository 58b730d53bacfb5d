/*
 * The connection, the query helper and the migrations. Migrations run under
 * an advisory lock so that several workers starting at once apply each one
 * exactly once.
 */
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

void
db_close(struct db *db)
{
    if (db == NULL)
        return;
    PQfinish(db->conn);
    free(db->conninfo);
    free(db);
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

PGresult *
db_query(struct db *db, const char *sql, int nparams,
         const char *const *params, struct buf *err)
{
    PGresult *r;
    ExecStatusType st;

    r = PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return r;
    if (err) {
        buf_reset(err);
        buf_adds(err, "database error: ");
        add_pq_error(err, r ? PQresultErrorMessage(r)
                            : PQerrorMessage(db->conn));
        if (PQstatus(db->conn) != CONNECTION_OK)
            buf_adds(err, " (connection lost)");
    }
    PQclear(r);
    return NULL;
}

int
db_exec(struct db *db, const char *sql, int nparams,
        const char *const *params, struct buf *err)
{
    PGresult *r = db_query(db, sql, nparams, params, err);

    if (r == NULL)
        return DRP_EDB;
    PQclear(r);
    return 0;
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
