/*
 * drpwatch db start|stop|status|migrate|psql: the embedded cluster's life
 * cycle and the migrations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/buf.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "storage/cluster.h"
#include "storage/db.h"
#include "common/banned.h"

static bool
external(const struct cli *c)
{
    const char *env = getenv("DRPWATCH_DB");

    return (c->db_opt && *c->db_opt) || (env && *env);
}

int
cmd_db(struct cli *c, int argc, char **argv)
{
    struct buf err = BUF_INIT(8192);
    const char *what = argc > 1 ? argv[1] : "status";
    int rc = EXIT_OK;

    if (!strcmp(what, "start")) {
        if (external(c)) {
            fprintf(stderr, "drpwatch: --db/DRPWATCH_DB names an external "
                            "server; 'db start' manages only the embedded "
                            "one\n");
            rc = EXIT_USAGE;
        } else if (cluster_start(c->data_dir, &err) < 0) {
            log_err("%s", buf_str(&err));
            rc = EXIT_DB;
        } else {
            printf("embedded database running: dir='%s/pg'\n", c->data_dir);
        }
    } else if (!strcmp(what, "stop")) {
        if (cluster_stop(c->data_dir, &err) < 0) {
            log_err("%s", buf_str(&err));
            rc = EXIT_DB;
        } else {
            printf("embedded database stopped: dir='%s/pg'\n", c->data_dir);
        }
    } else if (!strcmp(what, "status")) {
        bool running, exists;

        if (external(c)) {
            char *ci = db_conninfo(c->db_opt, c->data_dir);
            struct db *db = db_open(ci, &err);

            printf("external database: %s\n", db ? "reachable"
                                                  : buf_str(&err));
            rc = db ? EXIT_OK : EXIT_DB;
            db_close(db);
            free(ci);
        } else if (cluster_status(c->data_dir, &running, &exists, &err) < 0) {
            log_err("%s", buf_str(&err));
            rc = EXIT_DB;
        } else {
            printf("embedded database: %s (dir='%s/pg')\n",
                   !exists ? "not created yet"
                           : running ? "running" : "stopped",
                   c->data_dir);
            rc = running ? EXIT_OK : EXIT_DB;
        }
    } else if (!strcmp(what, "migrate")) {
        struct db *db = cli_db(c); /* migrates on connect */

        if (db == NULL)
            rc = EXIT_DB;
        else
            printf("database schema is up to date\n");
        db_close(db);
    } else if (!strcmp(what, "psql")) {
        struct db *db = cli_db(c);
        char *ci;

        if (db == NULL) {
            rc = EXIT_DB;
            goto out;
        }
        db_close(db);
        ci = db_conninfo(c->db_opt, c->data_dir);
        fflush(NULL);
        {
            /* psql -d CONNINFO, then the user's own psql arguments. */
            char **args = xcalloc((size_t)argc + 2, sizeof(*args));
            int i;

            args[0] = "psql";
            args[1] = "-d";
            args[2] = ci;
            for (i = 2; i < argc; i++)
                args[i + 1] = argv[i];
            execvp("psql", args);
            free(args);
        }
        log_err("cannot run psql: install postgresql-client");
        free(ci);
        rc = EXIT_FAIL;
    } else {
        fprintf(stderr, "usage: drpwatch db start|stop|status|migrate|psql\n");
        rc = EXIT_USAGE;
    }
out:
    buf_release(&err);
    return rc;
}
