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

struct db {
    PGconn *conn;
    char *conninfo;
    bool async_commit; /* db_async_commit() was asked: kept on reconnect */
};

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

/* The first column of r's only row parsed as JSON (NULL when there is
   no row, or it is SQL NULL, or not JSON: then with a message in err).
   Clears r. For queries that build their answer with json_agg(). */
json_t *db_json(PGresult *r, struct buf *err);

/* BEGIN/COMMIT/ROLLBACK; rollback never fails loudly. */
int db_begin(struct db *db, struct buf *err);
int db_commit(struct db *db, struct buf *err);
void db_rollback(struct db *db);

#endif
