/*
 * drpwatch notify [--once]: deliver the notification outbox, as a service
 * (until SIGTERM/SIGINT) or one pass. drpwatch notify --list [--json]
 * [--state S] [--limit N]: the outbox, dead letters with their reason.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/notifier.h"
#include "common/buf.h"
#include "common/log.h"
#include "common/table.h"
#include "storage/db.h"
#include "storage/notify.h"
#include "common/banned.h"

#define NOTIFY_IDLE_MS 1000 /* between passes of the service */

static atomic_bool stopping;

static void
on_signal(int sig)
{
    (void)sig;
    atomic_store(&stopping, true);
}

static const char usage_text[] =
    "usage: drpwatch notify [--once]\n"
    "       drpwatch notify --list [--json] [--state pending|sending|"
    "delivered|dead] [--limit N]\n";

static const char *
str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int
list(struct db *db, bool json, const char *state, int limit)
{
    static const char *head[] = { "ID", "CHANNEL", "ALERT", "REASON",
                                  "STATE", "ATTEMPTS", "NEXT ATTEMPT",
                                  "DELIVERED", "LAST ERROR" };
    static const int max[] = { 0, 24, 0, 16, 0, 0, 0, 0, 72 };
    struct buf err = BUF_INIT(8192);
    json_t *arr = store_notify_list(db, state, limit, &err), *o;
    struct table *t;
    size_t i;

    if (arr == NULL) {
        log_err("cannot list notifications: %s", buf_str(&err));
        buf_release(&err);
        return EXIT_DB;
    }
    buf_release(&err);
    if (json) {
        json_array_foreach(arr, i, o) {
            char *line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);

            puts(line);
            free(line);
        }
        json_decref(arr);
        return EXIT_OK;
    }
    t = table_new(9, head, max);
    json_array_foreach(arr, i, o) {
        char id[24], alert[24], attempts[16];
        const char *row[9];
        json_t *a = json_object_get(o, "alert");

        snprintf(id, sizeof(id), "%lld",
                 (long long)json_integer_value(json_object_get(o, "id")));
        snprintf(alert, sizeof(alert), "%lld",
                 (long long)json_integer_value(a));
        snprintf(attempts, sizeof(attempts), "%lld",
                 (long long)json_integer_value(
                     json_object_get(o, "attempts")));
        row[0] = id;
        row[1] = str(o, "channel");
        row[2] = json_is_null(a) ? "digest" : alert;
        row[3] = str(o, "reason");
        row[4] = str(o, "state");
        row[5] = attempts;
        row[6] = str(o, "next_attempt");
        row[7] = str(o, "delivered");
        row[8] = str(o, "last_error");
        table_add(t, row);
    }
    table_print_count(t, stdout, json_array_size(arr), "notification");
    table_free(t);
    json_decref(arr);
    return EXIT_OK;
}

static int
run_outbox(struct db *db, bool once)
{
    struct notify_counts counts = { 0 };
    struct sigaction sa = { 0 };
    char host[256], owner[300];
    int rc = EXIT_OK;

    if (gethostname(host, sizeof(host)) < 0)
        snprintf(host, sizeof(host), "localhost");
    host[sizeof(host) - 1] = '\0';
    snprintf(owner, sizeof(owner), "%s:%d", host, (int)getpid());
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (once) {
        if (notifier_pass(db, owner, 0, &stopping, &counts) < 0)
            rc = EXIT_DB;
    } else {
        log_info("delivering notifications: owner='%s'", owner);
        while (!atomic_load(&stopping)) {
            struct timespec ts = { 0, 50 * 1000000L };
            int i;

            if (notifier_pass(db, owner, 0, &stopping, &counts) < 0 &&
                !db_ping(db))
                log_warn("database unreachable; trying again");
            for (i = 0; i < NOTIFY_IDLE_MS / 50 && !atomic_load(&stopping);
                 i++)
                nanosleep(&ts, NULL);
        }
    }
    printf("notifications: delivered=%d failed=%d dead=%d database "
           "errors=%d\n", counts.delivered, counts.failed, counts.dead,
           counts.db_errors);
    if (rc == EXIT_OK && counts.db_errors > 0)
        rc = EXIT_DB;
    else if (rc == EXIT_OK && (counts.failed > 0 || counts.dead > 0))
        rc = EXIT_PARTIAL;
    return rc;
}

int
cmd_notify(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "once", no_argument, NULL, 'o' },
        { "list", no_argument, NULL, 'l' },
        { "json", no_argument, NULL, 'j' },
        { "state", required_argument, NULL, 's' },
        { "limit", required_argument, NULL, 'n' },
        { NULL, 0, NULL, 0 },
    };
    static const char *states[] = { "pending", "sending", "delivered",
                                    "dead", NULL };
    bool once = false, listing = false, json = false;
    const char *state = NULL;
    long limit = 100;
    struct db *db;
    int ch, rc, i;

    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'o':
            once = true;
            break;
        case 'l':
            listing = true;
            break;
        case 'j':
            json = true;
            break;
        case 's':
            state = optarg;
            for (i = 0; states[i] && strcmp(states[i], state) != 0; i++)
                ;
            if (states[i] == NULL) {
                fprintf(stderr, "drpwatch: unknown state '%s' (pending, "
                                "sending, delivered, dead)\n", state);
                return EXIT_USAGE;
            }
            break;
        case 'n':
            if (!cli_number("--limit", optarg, 1, 1000000, &limit))
                return EXIT_USAGE;
            break;
        default:
            fputs(usage_text, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc || (listing && once) ||
        (!listing && (json || state))) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    db = cli_db(c);
    if (db == NULL)
        return EXIT_DB;
    rc = listing ? list(db, json, state, (int)limit) : run_outbox(db, once);
    db_close(db);
    return rc;
}
