/*
 * drpwatch alerts [list] [--json] [--status S] [--limit N]: the cases, as a
 * table for people or JSON for machines.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "common/buf.h"
#include "common/log.h"
#include "common/table.h"
#include "storage/db.h"
#include "storage/store.h"
#include "common/banned.h"

static const char *
str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static void
print_table(json_t *arr)
{
    static const char *head[] = { "ID", "SEVERITY", "SCORE", "KIND",
                                  "STATUS", "SOURCE", "LAST SEEN", "TITLE" };
    static const int max[] = { 0, 0, 0, 0, 0, 24, 0, 72 };
    struct table *t = table_new(8, head, max);
    size_t i;
    json_t *o;

    json_array_foreach(arr, i, o) {
        char id[24], score[16];
        const char *row[8];

        snprintf(id, sizeof(id), "%lld",
                 (long long)json_integer_value(json_object_get(o, "id")));
        snprintf(score, sizeof(score), "%lld",
                 (long long)json_integer_value(json_object_get(o, "score")));
        row[0] = id;
        row[1] = str(o, "severity");
        row[2] = score;
        row[3] = str(o, "kind");
        row[4] = str(o, "status");
        row[5] = str(o, "source");
        row[6] = str(o, "last_seen");
        row[7] = str(o, "title");
        table_add(t, row);
    }
    table_print(t, stdout);
    printf("%zu alert%s\n", json_array_size(arr),
           json_array_size(arr) == 1 ? "" : "s");
    table_free(t);
}

int
cmd_alerts(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "status", required_argument, NULL, 's' },
        { "limit", required_argument, NULL, 'n' },
        { NULL, 0, NULL, 0 },
    };
    struct buf err = BUF_INIT(8192);
    const char *status = NULL;
    bool json = false;
    long limit = 1000;
    struct db *db = NULL;
    json_t *arr = NULL;
    int rc = EXIT_OK;
    int ch;

    if (argc > 1 && !strcmp(argv[1], "list")) {
        argv++;
        argc--;
    }
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'j':
            json = true;
            break;
        case 's':
            status = optarg;
            break;
        case 'n':
            limit = strtol(optarg, NULL, 10);
            if (limit < 1 || limit > 1000000) {
                fprintf(stderr, "drpwatch: --limit must be 1-1000000\n");
                return EXIT_USAGE;
            }
            break;
        default:
            fprintf(stderr, "usage: drpwatch alerts [list] [--json] "
                            "[--status S] [--limit N]\n");
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "drpwatch: unknown alerts command '%s' (this "
                        "release has: list)\n", argv[optind]);
        return EXIT_USAGE;
    }
    db = cli_db(c);
    if (db == NULL)
        return EXIT_DB;
    arr = store_alerts_list(db, status, (int)limit, &err);
    if (arr == NULL) {
        log_err("cannot list alerts: %s", buf_str(&err));
        rc = EXIT_DB;
        goto out;
    }
    if (json) {
        size_t i;
        json_t *o;

        json_array_foreach(arr, i, o) {
            char *line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);

            puts(line);
            free(line);
        }
    } else {
        print_table(arr);
    }
out:
    json_decref(arr);
    db_close(db);
    buf_release(&err);
    return rc;
}
