/*
 * The embedded PostgreSQL cluster: with no --db/DRPWATCH_DB, drpwatch runs
 * its own server (initdb + pg_ctl) under DATA_DIR/pg, listening only on a
 * Unix socket in DATA_DIR/run. When drpwatch runs as root the server runs
 * as the system user "drpwatch" (created when missing), since PostgreSQL
 * refuses to run as root.
 */
#ifndef DRP_CLUSTER_H
#define DRP_CLUSTER_H

#include <stdbool.h>

#include "common/buf.h"

#define CLUSTER_USER "drpwatch"
#define CLUSTER_DBNAME "drpwatch"

/*
 * The data directory: data_opt when given, else DRPWATCH_HOME, else
 * /var/lib/drpwatch for root and $XDG_DATA_HOME/drpwatch (or
 * ~/.local/share/drpwatch) for others. Caller frees.
 */
char *cluster_data_dir(const char *data_opt);

/* Creates the cluster when missing and starts it when stopped. */
int cluster_start(const char *data_dir, struct buf *err);
/* Stops it (fast shutdown) when running; 0 when it was not running. */
int cluster_stop(const char *data_dir, struct buf *err);
/* Sets *running; 0, or an error when the status cannot be told. */
int cluster_status(const char *data_dir, bool *running, bool *exists,
                   struct buf *err);
/* libpq connection string for the embedded cluster. Caller frees. */
char *cluster_conninfo(const char *data_dir);

#endif
