/*
 * drpwatch status [--json]: every source's health (last success, last
 * error, pages, findings, frontier) and whether the Tor proxy answers.
 * Exit 3 when a source is unhealthy or the proxy its Tor sources need is
 * down, 4 when the database is unavailable.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "common/buf.h"
#include "common/config.h"
#include "common/log.h"
#include "common/table.h"
#include "crawler/tor.h"
#include "storage/db.h"
#include "storage/status.h"
#include "storage/store.h"
#include "common/banned.h"

#define STATUS_TOR_TIMEOUT_MS 3000

static const char *
str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static void
print_table(json_t *arr, json_t *tor)
{
    static const char *head[] = { "SOURCE", "KIND", "ENABLED", "LAST SUCCESS",
                                  "LAST ERROR AT", "PAGES", "FINDINGS", "DUE",
                                  "LEASED", "NEXT DUE", "LAST ERROR" };
    static const int max[] = { 24, 0, 0, 0, 0, 0, 0, 0, 0, 0, 72 };
    struct table *t = table_new(11, head, max);
    size_t i;
    json_t *o;

    json_array_foreach(arr, i, o) {
        char n[4][24];
        const char *row[11];
        static const char *counts[] = { "pages", "findings", "due",
                                        "leased" };
        int k;

        for (k = 0; k < 4; k++)
            snprintf(n[k], sizeof(n[k]), "%lld",
                     (long long)json_integer_value(
                         json_object_get(o, counts[k])));
        row[0] = str(o, "name");
        row[1] = str(o, "kind");
        row[2] = json_is_true(json_object_get(o, "enabled")) ? "yes" : "no";
        row[3] = str(o, "last_success");
        row[4] = str(o, "last_error_at");
        row[5] = n[0];
        row[6] = n[1];
        row[7] = n[2];
        row[8] = n[3];
        row[9] = str(o, "next_due");
        row[10] = str(o, "last_error");
        table_add(t, row);
    }
    table_print_count(t, stdout, json_array_size(arr), "source");
    if (str(tor, "proxy"))
        printf("tor proxy %s: %s%s%s\n", str(tor, "proxy"),
               str(tor, "status"), str(tor, "error") ? ": " : "",
               str(tor, "error") ? str(tor, "error") : "");
    else
        printf("tor proxy: not configured\n");
    table_free(t);
}

int
cmd_status(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { NULL, 0, NULL, 0 },
    };
    struct buf err = BUF_INIT(8192);
    struct config cfg;
    struct db *db = NULL;
    json_t *arr = NULL, *tor = json_object(), *o;
    bool json = false, unhealthy = false, needs_tor = false;
    int rc = EXIT_OK, ch;
    size_t i;

    config_init(&cfg);
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (ch != 'j') {
            fprintf(stderr, "usage: drpwatch status [--json]\n");
            rc = EXIT_USAGE;
            goto out;
        }
        json = true;
    }
    if (optind < argc) {
        fprintf(stderr, "usage: drpwatch status [--json]\n");
        rc = EXIT_USAGE;
        goto out;
    }
    db = cli_db(c);
    if (db == NULL) {
        rc = EXIT_DB;
        goto out;
    }
    arr = store_source_status(db, &err);
    if (arr == NULL || store_load_settings(db, &cfg, &err) < 0) {
        log_err("cannot read the sources' status: %s", buf_str(&err));
        rc = EXIT_DB;
        goto out;
    }
    json_array_foreach(arr, i, o) {
        if (!json_is_true(json_object_get(o, "enabled")))
            continue;
        if (!json_is_true(json_object_get(o, "healthy")))
            unhealthy = true;
        if (json_is_true(json_object_get(o, "tor")))
            needs_tor = true;
    }
    if (cfg.tor_proxy && cfg.tor_proxy[0]) {
        buf_reset(&err);
        json_object_set_new(tor, "proxy", json_string(cfg.tor_proxy));
        if (tor_proxy_check(cfg.tor_proxy, STATUS_TOR_TIMEOUT_MS, &err) ==
            0) {
            json_object_set_new(tor, "status", json_string("ok"));
        } else {
            json_object_set_new(tor, "status", json_string("down"));
            json_object_set_new(tor, "error", json_string(buf_str(&err)));
            if (needs_tor)
                unhealthy = true;
        }
    } else {
        json_object_set_new(tor, "proxy", json_null());
        json_object_set_new(tor, "status", json_string("not configured"));
        if (needs_tor)
            unhealthy = true;
    }
    if (json) {
        json_t *all = json_pack("{s:O,s:O,s:b}", "sources", arr, "tor", tor,
                                "healthy", !unhealthy);
        char *line = json_dumps(all, JSON_COMPACT | JSON_ENSURE_ASCII);

        puts(line);
        free(line);
        json_decref(all);
    } else {
        print_table(arr, tor);
    }
    if (unhealthy)
        rc = EXIT_PARTIAL;
out:
    json_decref(arr);
    json_decref(tor);
    config_release(&cfg);
    db_close(db);
    buf_release(&err);
    return rc;
}
