/*
 * The database connection and the migrations. storage/ is the only module
 * that speaks libpq; PGconn and PGresult never leave it.
 */
#ifndef DRP_DB_H
#define DRP_DB_H

#include <stdbool.h>

#include "common/buf.h"

struct migration {
    int version;
    const char *name;
    const char *sql;
};

/* Generated from storage/schema/NNN_name.sql; ends with a zero entry. */
extern const struct migration db_migrations[];

struct db;

/*
 * Connects with a libpq connection string. Returns NULL with the reason in
 * err (never containing a password) when the server cannot be reached.
 */
struct db *db_open(const char *conninfo, struct buf *err);
void db_close(struct db *db);

/*
 * Another connection to db's database with db's session settings
 * (db_async_commit()), for another thread: a connection is used by one
 * thread at a time. NULL with the reason in err.
 */
struct db *db_open_another(const struct db *db, struct buf *err);

/*
 * Where to connect: --db, else DRPWATCH_DB, else the embedded cluster under
 * data_dir (started, and created on first use). Returns a connection or NULL
 * with the reason in err.
 */
struct db *db_connect(const char *db_opt, const char *data_dir,
                      struct buf *err);

/* Applies the migrations not yet applied, each in its own transaction. */
int db_migrate(struct db *db, int *applied, struct buf *err);

/* Whether the connection is still usable; reconnects once if not. */
bool db_ping(struct db *db);

/*
 * Whether the last error was the server refusing a statement (bad data, a
 * constraint, a trigger's exception: the same statement would fail
 * again), rather than an outage, a lost connection or a deadlock, which
 * pass.
 */
bool db_refused(const struct db *db);

/* The connection string db_connect() would use, for `drpwatch db psql`. */
char *db_conninfo(const char *db_opt, const char *data_dir);

/*
 * The crawler's writes: commits return before the WAL reaches the disk.
 * A page stored in one transaction with its job's completion is atomic
 * either way; if the database server crashes (not a clean restart) the
 * last fraction of a second of pages is lost with their completions, and
 * their jobs come back when their leases expire: fetched again, never
 * half-stored. Kept across reconnects.
 */
void db_async_commit(struct db *db);

#endif
