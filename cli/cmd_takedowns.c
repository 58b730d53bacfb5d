/*
 * drpwatch takedowns [list|check|show]: the takedown requests and their
 * follow-through. check re-checks every open request now (one GET of each
 * target) and sends the reminders due; drpwatch run does the same on the
 * takedown.recheck schedule.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alerts/takedown.h"
#include "cli/cli.h"
#include "cli/takedown.h"
#include "common/buf.h"
#include "common/config.h"
#include "common/log.h"
#include "common/table.h"
#include "crawler/fetch.h"
#include "storage/db.h"
#include "storage/takedown.h"
#include "common/banned.h"

#define CHECK_MAX 10000 /* re-checks of one `takedowns check` */

static const char usage[] =
    "usage: drpwatch takedowns [list] [--all] [--json] [--limit N]\n"
    "       drpwatch takedowns check [--json]\n"
    "       drpwatch takedowns show ID [--json] [-o DIR]\n";

static const char *
str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s ? s : "-";
}

static void
print_json(const json_t *j)
{
    char *line = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);

    puts(line);
    free(line);
}

static int
list(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "all", no_argument, NULL, 'a' },
        { "json", no_argument, NULL, 'j' },
        { "limit", required_argument, NULL, 'n' },
        { NULL, 0, NULL, 0 },
    };
    static const char *head[] = { "ALERT", "STATUS", "REQUESTED", "CHECKS",
                                  "LAST CHECK", "NEXT CHECK", "REMINDERS",
                                  "URL" };
    static const int max[] = { 0, 0, 0, 0, 48, 0, 0, 60 };
    struct buf err = BUF_INIT(8192);
    bool all = false, json = false;
    long limit = 100;
    struct db *db;
    json_t *arr, *o;
    size_t i;
    int ch, rc = EXIT_OK;

    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (ch == 'a') {
            all = true;
        } else if (ch == 'j') {
            json = true;
        } else if (ch == 'n') {
            if (!cli_number("--limit", optarg, 1, 1000000, &limit))
                return EXIT_USAGE;
        } else {
            fputs(usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    db = cli_db(c);
    if (db == NULL)
        return EXIT_DB;
    arr = store_takedowns_list(db, !all, (int)limit, &err);
    if (arr == NULL) {
        log_err("cannot list takedowns: %s", buf_str(&err));
        rc = EXIT_DB;
    } else if (json) {
        json_array_foreach(arr, i, o)
            print_json(o);
    } else {
        struct table *t = table_new(8, head, max);

        json_array_foreach(arr, i, o) {
            char id[24], checks[16], rem[16], last[600];
            const char *row[8];

            snprintf(id, sizeof(id), "%lld",
                     (long long)json_integer_value(
                         json_object_get(o, "alert_id")));
            snprintf(checks, sizeof(checks), "%lld",
                     (long long)json_integer_value(
                         json_object_get(o, "checks")));
            snprintf(rem, sizeof(rem), "%lld",
                     (long long)json_integer_value(
                         json_object_get(o, "reminders")));
            snprintf(last, sizeof(last), "%s %s", str(o, "last_state"),
                     str(o, "last_check_at"));
            row[0] = id;
            row[1] = str(o, "status");
            row[2] = str(o, "requested_at");
            row[3] = checks;
            row[4] = last;
            row[5] = json_is_string(json_object_get(o, "closed_at"))
                         ? "closed"
                         : str(o, "next_check_at");
            row[6] = rem;
            row[7] = str(o, "url");
            table_add(t, row);
        }
        table_print(t, stdout);
        printf("%zu takedown%s%s\n", json_array_size(arr),
               json_array_size(arr) == 1 ? "" : "s",
               all ? "" : " open (--all for every pack)");
        table_free(t);
    }
    json_decref(arr);
    db_close(db);
    buf_release(&err);
    return rc;
}

/* takedowns check: every open request now, then the reminders. */
static int
check(struct cli *c, int argc, char **argv)
{
    struct buf err = BUF_INIT(8192);
    struct takedown_checker *tc = NULL;
    struct fetcher *f = NULL;
    struct fetch_opts fo;
    struct fetch_result *r;
    struct config cfg;
    struct db *db = NULL;
    const json_t *done;
    json_t *o;
    bool json = false;
    size_t i;
    int rc = EXIT_OK, n;

    config_init(&cfg);
    for (i = 1; i < (size_t)argc; i++) {
        if (!strcmp(argv[i], "--json")) {
            json = true;
        } else {
            fputs(usage, stderr);
            rc = EXIT_USAGE;
            goto out;
        }
    }
    db = cli_db_settings(c, &cfg);
    if (db == NULL) {
        rc = EXIT_DB;
        goto out;
    }
    takedown_fetch_opts(&cfg, &fo);
    f = fetcher_new(&fo);
    tc = takedown_checker_new(db, &cfg);
    n = takedown_checker_start(tc, f, true, CHECK_MAX);
    if (n < 0) {
        rc = EXIT_DB;
        goto out;
    }
    while (fetcher_pending(f) > 0) {
        if (fetcher_poll(f, 250) < 0) {
            rc = EXIT_FAIL;
            break;
        }
        while ((r = fetcher_next(f)) != NULL)
            if (!takedown_checker_take(tc, r))
                fetch_result_free(r);
    }
    if (takedown_checker_remind(tc) < 0)
        rc = EXIT_DB;
    done = takedown_checker_checks(tc);
    if (json) {
        json_t *all = json_pack("{s:O, s:O}", "checks", done, "reminders",
                                takedown_checker_reminders(tc));

        print_json(all);
        json_decref(all);
    } else {
        json_array_foreach(done, i, o)
            printf("alert %lld: %s: %s%s\n",
                   (long long)json_integer_value(
                       json_object_get(o, "alert_id")),
                   str(o, "state"), str(o, "result"),
                   json_is_true(json_object_get(o, "resolved"))
                       ? " -> resolved"
                       : "");
        json_array_foreach(takedown_checker_reminders(tc), i, o)
            printf("alert %lld: reminder: %s\n",
                   (long long)json_integer_value(
                       json_object_get(o, "alert_id")),
                   str(o, "detail"));
        printf("%zu takedown%s checked, %zu reminder%s\n",
               json_array_size(done), json_array_size(done) == 1 ? "" : "s",
               json_array_size(takedown_checker_reminders(tc)),
               json_array_size(takedown_checker_reminders(tc)) == 1 ? ""
                                                                      : "s");
    }
out:
    takedown_checker_free(tc);
    fetcher_free(f);
    config_release(&cfg);
    db_close(db);
    buf_release(&err);
    return rc;
}

static int
show(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "output", required_argument, NULL, 'o' },
        { NULL, 0, NULL, 0 },
    };
    struct buf err = BUF_INIT(8192), text = BUF_INIT(8u << 20);
    const char *dir = NULL;
    bool json = false;
    struct db *db;
    json_t *t;
    long long id;
    int ch, rc = EXIT_OK;

    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        if (ch == 'j') {
            json = true;
        } else if (ch == 'o') {
            dir = optarg;
        } else {
            fputs(usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind + 1 != argc ||
        !cli_id(argv[optind], &id)) {
        fprintf(stderr, "drpwatch: takedowns show needs one alert id\n%s",
                usage);
        return EXIT_USAGE;
    }
    db = cli_db(c);
    if (db == NULL)
        return EXIT_DB;
    t = store_takedown_get(db, id, &err);
    if (t == NULL) {
        log_err("%s%s", buf_str(&err),
                strncmp(buf_str(&err), "no takedown", 11) == 0
                    ? ": 'drpwatch alerts takedown ID' builds one"
                    : "");
        rc = strncmp(buf_str(&err), "no takedown", 11) == 0 ? EXIT_FAIL
                                                            : EXIT_DB;
        goto out;
    }
    if (json)
        print_json(json_object_get(t, "pack"));
    else if (takedown_summary(json_object_get(t, "pack"), &text) == 0)
        fputs(buf_str(&text), stdout);
    else
        puts("(the pack is too large to print: use --json or -o DIR)");
    if (dir && takedown_write_dir(dir, json_object_get(t, "pack"),
                                  json_string_value(
                                      json_object_get(t, "saved_copy")),
                                  &err) < 0) {
        log_err("%s", buf_str(&err));
        rc = EXIT_FAIL;
    }
out:
    json_decref(t);
    db_close(db);
    buf_release(&text);
    buf_release(&err);
    return rc;
}

int
cmd_takedowns(struct cli *c, int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "list"))
        return list(c, argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "check"))
        return check(c, argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "show"))
        return show(c, argc - 1, argv + 1);
    if (argc > 1 && argv[1][0] != '-') {
        fprintf(stderr, "drpwatch: unknown takedowns command '%s'\n%s",
                argv[1], usage);
        return EXIT_USAGE;
    }
    return list(c, argc, argv);
}
