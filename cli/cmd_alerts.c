/*
 * drpwatch alerts [list|show|ack|takedown|resolve|false-positive|
 * accept-risk|reopen] and drpwatch stats: the cases, as tables for people
 * or JSON for machines, and their lifecycle (every change an event with
 * its actor and note); a takedown comes with its pack (cli/takedown.h).
 */
#include <getopt.h>
#include <pwd.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/takedown.h"
#include "common/buf.h"
#include "common/log.h"
#include "common/table.h"
#include "storage/db.h"
#include "alerts/alerts.h"
#include "alerts/takedown.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "storage/cases.h"
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
    table_print_count(t, stdout, json_array_size(arr), "alert");
    table_free(t);
}

static const char alerts_usage[] =
    "usage: drpwatch alerts [list] [--json] [--kind K] [--status S]\n"
    "                       [--severity S] [--source NAME] [--since TIME]\n"
    "                       [--limit N]\n"
    "       drpwatch alerts show ID [--json]\n"
    "       drpwatch alerts ack|resolve|false-positive|accept-risk|reopen ID\n"
    "                       [--note TEXT] [--actor NAME]\n"
    "       drpwatch alerts takedown ID [--note TEXT] [--actor NAME] "
    "[--json]\n"
    "                       [-o DIR]\n";

/* A verb and the status it moves an alert to. */
static const char *const verbs[][2] = {
    { "ack", "investigating" },
    { "resolve", "resolved" },
    { "false-positive", "false-positive" },
    { "accept-risk", "accepted-risk" },
    { "reopen", "new" },
};

static void
print_json_lines(json_t *arr)
{
    size_t i;
    json_t *o;

    json_array_foreach(arr, i, o) {
        char *line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);

        puts(line);
        free(line);
    }
}

static int
list(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "kind", required_argument, NULL, 'k' },
        { "status", required_argument, NULL, 's' },
        { "severity", required_argument, NULL, 'v' },
        { "source", required_argument, NULL, 'o' },
        { "since", required_argument, NULL, 't' },
        { "limit", required_argument, NULL, 'n' },
        { NULL, 0, NULL, 0 },
    };
    static const char *const severities[] = { "info", "low", "medium",
                                              "high", "critical" };
    struct case_filter f = { .limit = 1000 };
    struct buf err = BUF_INIT(8192);
    bool json = false, ok;
    struct db *db = NULL;
    json_t *arr = NULL;
    long limit;
    size_t i;
    int rc = EXIT_OK, ch;

    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'j':
            json = true;
            break;
        case 'k':
            if (!config_alert_kind_valid(optarg)) {
                fprintf(stderr, "drpwatch: unknown alert kind '%s' "
                                "(credential-leak, brand-mention, "
                                "lookalike-domain, impersonation, "
                                "secret-leak, card-leak, own-asset-listed, "
                                "canary)\n", optarg);
                return EXIT_USAGE;
            }
            f.kind = optarg;
            break;
        case 's':
            if (!alerts_status_valid(optarg)) {
                fprintf(stderr, "drpwatch: unknown status '%s' (new, "
                                "investigating, takedown-requested, "
                                "resolved, false-positive, "
                                "accepted-risk)\n", optarg);
                return EXIT_USAGE;
            }
            f.status = optarg;
            break;
        case 'v':
            for (i = 0, ok = false; i < 5; i++)
                ok = ok || !strcmp(optarg, severities[i]);
            if (!ok) {
                fprintf(stderr, "drpwatch: unknown severity '%s' (info, "
                                "low, medium, high, critical: that one "
                                "or higher)\n", optarg);
                return EXIT_USAGE;
            }
            f.severity = optarg;
            break;
        case 'o':
            f.source = optarg;
            break;
        case 't':
            f.since = optarg;
            break;
        case 'n':
            if (!cli_number("--limit", optarg, 1, 1000000, &limit))
                return EXIT_USAGE;
            f.limit = (int)limit;
            break;
        default:
            fputs(alerts_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "drpwatch: unexpected argument '%s'\n%s",
                argv[optind], alerts_usage);
        return EXIT_USAGE;
    }
    db = cli_db(c);
    if (db == NULL)
        return EXIT_DB;
    arr = store_cases_list(db, &f, &err);
    if (arr == NULL) {
        log_err("cannot list alerts: %s", buf_str(&err));
        /* A --since the database cannot read is the user's mistake. */
        rc = f.since && strstr(buf_str(&err), "syntax") ? EXIT_USAGE
                                                         : EXIT_DB;
        goto out;
    }
    if (json)
        print_json_lines(arr);
    else
        print_table(arr);
out:
    json_decref(arr);
    db_close(db);
    buf_release(&err);
    return rc;
}

static int
num(json_t *o, const char *key)
{
    return (int)json_integer_value(json_object_get(o, key));
}

static void
print_case(json_t *a)
{
    json_t *p = json_object_get(a, "score_parts");
    json_t *im = json_object_get(p, "impact");
    json_t *li = json_object_get(p, "likelihood");
    json_t *f = json_object_get(a, "finding");
    json_t *ev = json_object_get(a, "events"), *e;
    size_t i;

    printf("alert %d  %s  %s (score %d)  status %s\n", num(a, "id"),
           str(a, "kind"), str(a, "severity"), num(a, "score"),
           str(a, "status"));
    printf("  %s\n", str(a, "title"));
    printf("  source %s  url %s\n", str(a, "source") ? str(a, "source") : "-",
           str(a, "url") ? str(a, "url") : "-");
    printf("  first seen %s  last seen %s  sightings %d  sources %d\n",
           str(a, "first_seen"), str(a, "last_seen"), num(a, "occurrences"),
           num(a, "sources_seen"));
    if (im && li)
        printf("  score %d = impact %d (kind %d, priority %d) + likelihood "
               "%d (confidence %d, reliability %d, exposure %d, "
               "corroboration %d, freshness %d, precision %d)\n",
               num(p, "total"), num(im, "kind") + num(im, "priority"),
               num(im, "kind"), num(im, "priority"),
               num(li, "confidence") + num(li, "reliability") +
                   num(li, "exposure") + num(li, "corroboration") +
                   num(li, "freshness") + num(li, "precision"),
               num(li, "confidence"), num(li, "reliability"),
               num(li, "exposure"), num(li, "corroboration"),
               num(li, "freshness"), num(li, "precision"));
    if (json_is_object(f))
        printf("  finding %s %s (confidence %d, first seen %s)\n",
               str(f, "kind"), str(f, "value"), num(f, "confidence"),
               str(f, "first_seen"));
    printf("  summary: %s\n", str(a, "summary") ? str(a, "summary") : "");
    printf("  next step: %s\n",
           str(a, "next_step") ? str(a, "next_step") : "");
    printf("  events:\n");
    json_array_foreach(ev, i, e)
        printf("    %s  %-10s %-16s %s%s%s\n", str(e, "at"), str(e, "actor"),
               str(e, "event"), str(e, "detail") ? str(e, "detail") : "",
               str(e, "note") ? ": " : "",
               str(e, "note") ? str(e, "note") : "");
}

static int
show(struct cli *c, int argc, char **argv)
{
    struct buf err = BUF_INIT(8192);
    bool json = false;
    const char *ids = NULL;
    struct db *db;
    json_t *a;
    long long id;
    int i, rc = EXIT_OK;

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = true;
        else if (ids == NULL)
            ids = argv[i];
        else {
            fputs(alerts_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (ids == NULL || !cli_id(ids, &id)) {
        fprintf(stderr, "drpwatch: alerts show needs an alert id (a "
                        "positive number)\n");
        return EXIT_USAGE;
    }
    db = cli_db(c);
    if (db == NULL)
        return EXIT_DB;
    a = store_case_show(db, id, &err);
    if (a == NULL) {
        log_err("%s", buf_str(&err));
        rc = strncmp(buf_str(&err), "no alert", 8) == 0 ? EXIT_FAIL
                                                         : EXIT_DB;
    } else if (json) {
        char *line = json_dumps(a, JSON_COMPACT | JSON_ENSURE_ASCII);

        puts(line);
        free(line);
    } else {
        print_case(a);
    }
    json_decref(a);
    db_close(db);
    buf_release(&err);
    return rc;
}

/* Who makes a change: --actor, else the login name. */
static const char *
default_actor(void)
{
    const struct passwd *pw = getpwuid(getuid());
    const char *u = getenv("USER");

    if (u && *u)
        return u;
    return pw ? pw->pw_name : "cli";
}

#define NOTE_MAX 4096

static int
transition(struct cli *c, const char *to, int argc, char **argv)
{
    static const struct option opts[] = {
        { "note", required_argument, NULL, 'm' },
        { "actor", required_argument, NULL, 'a' },
        { NULL, 0, NULL, 0 },
    };
    struct buf err = BUF_INIT(8192);
    const char *note = NULL, *actor = default_actor();
    char from[32];
    struct db *db;
    long long id;
    int rc, ch;

    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (ch == 'm')
            note = optarg;
        else if (ch == 'a')
            actor = optarg;
        else {
            fputs(alerts_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind + 1 != argc || !cli_id(argv[optind], &id)) {
        fprintf(stderr, "drpwatch: alerts %s needs one alert id\n%s",
                argv[0], alerts_usage);
        return EXIT_USAGE;
    }
    if ((note && strlen(note) > NOTE_MAX) || strlen(actor) > 200 ||
        *actor == '\0') {
        fprintf(stderr, "drpwatch: --note is at most %d bytes, --actor 1-200"
                        "\n", NOTE_MAX);
        return EXIT_USAGE;
    }
    db = cli_db(c);
    if (db == NULL)
        return EXIT_DB;
    rc = store_case_status(db, id, from, sizeof(from), &err);
    if (rc == 0 && !alerts_transition_allowed(from, to)) {
        log_err("alert %lld is %s: it cannot become %s%s", id, from, to,
                alerts_status_closed(from)
                    ? " (reopen it first: drpwatch alerts reopen ID)"
                    : "");
        rc = EXIT_FAIL;
        goto out;
    }
    if (rc == 0)
        rc = store_case_transition(db, id, from, to, actor, note, &err);
    if (rc < 0) {
        log_err("cannot change alert %lld: %s", id, buf_str(&err));
        rc = rc == DRP_ENOTFOUND ? EXIT_FAIL : EXIT_DB;
        goto out;
    }
    printf("alert %lld: %s -> %s\n", id, from, to);
out:
    db_close(db);
    buf_release(&err);
    return rc;
}

/*
 * alerts takedown ID: the move to takedown-requested with its pack (the
 * evidence, the registrar and host with their abuse contacts, the request
 * text), recorded with the case; on a case already there, a fresh pack.
 */
static int
takedown(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "note", required_argument, NULL, 'm' },
        { "actor", required_argument, NULL, 'a' },
        { "json", no_argument, NULL, 'j' },
        { "output", required_argument, NULL, 'o' },
        { NULL, 0, NULL, 0 },
    };
    struct buf err = BUF_INIT(8192), text = BUF_INIT(8u << 20);
    struct takedown_made made = { 0 };
    const char *note = NULL, *actor = default_actor(), *dir = NULL;
    struct config cfg;
    struct db *db = NULL;
    bool json = false;
    long long id;
    int rc = EXIT_OK, ch;

    config_init(&cfg);
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        if (ch == 'm')
            note = optarg;
        else if (ch == 'a')
            actor = optarg;
        else if (ch == 'j')
            json = true;
        else if (ch == 'o')
            dir = optarg;
        else {
            fputs(alerts_usage, stderr);
            rc = EXIT_USAGE;
            goto out;
        }
    }
    if (optind + 1 != argc || !cli_id(argv[optind], &id)) {
        fprintf(stderr, "drpwatch: alerts takedown needs one alert id\n%s",
                alerts_usage);
        rc = EXIT_USAGE;
        goto out;
    }
    if ((note && strlen(note) > NOTE_MAX) || strlen(actor) > 200 ||
        *actor == '\0') {
        fprintf(stderr, "drpwatch: --note is at most %d bytes, --actor 1-200"
                        "\n", NOTE_MAX);
        rc = EXIT_USAGE;
        goto out;
    }
    db = cli_db_settings(c, &cfg);
    if (db == NULL) {
        rc = EXIT_DB;
        goto out;
    }
    rc = takedown_make(db, &cfg, id, actor, note, &made, &err);
    if (rc < 0) {
        log_err("cannot request a takedown of alert %lld: %s", id,
                buf_str(&err));
        rc = rc == DRP_ENOTFOUND ? EXIT_FAIL : EXIT_DB;
        goto out;
    }
    rc = EXIT_OK;
    if (json) {
        char *line = json_dumps(made.pack, JSON_COMPACT | JSON_ENSURE_ASCII);

        puts(line);
        free(line);
    } else {
        if (strcmp(made.from, "takedown-requested") != 0)
            printf("alert %lld: %s -> takedown-requested\n", id, made.from);
        else
            printf("alert %lld: a fresh takedown pack\n", id);
        if (takedown_summary(made.pack, &text) < 0)
            buf_adds(&text, "\n(the pack is too large to print: use --json "
                            "or -o DIR)\n");
        fputs(buf_str(&text), stdout);
    }
    if (dir && takedown_write_dir(dir, made.pack, made.saved_copy, &err) < 0) {
        log_err("%s; the pack is stored: 'drpwatch takedowns show %lld -o "
                "DIR' writes it again", buf_str(&err), id);
        rc = EXIT_FAIL;
    }
out:
    json_decref(made.pack);
    free(made.saved_copy);
    config_release(&cfg);
    db_close(db);
    buf_release(&text);
    buf_release(&err);
    return rc;
}

int
cmd_alerts(struct cli *c, int argc, char **argv)
{
    size_t i;

    if (argc > 1 && !strcmp(argv[1], "list"))
        return list(c, argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "show"))
        return show(c, argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "takedown"))
        return takedown(c, argc - 1, argv + 1);
    for (i = 0; argc > 1 && i < sizeof(verbs) / sizeof(verbs[0]); i++)
        if (!strcmp(argv[1], verbs[i][0]))
            return transition(c, verbs[i][1], argc - 1, argv + 1);
    if (argc > 1 && argv[1][0] != '-') {
        fprintf(stderr, "drpwatch: unknown alerts command '%s'\n%s", argv[1],
                alerts_usage);
        return EXIT_USAGE;
    }
    return list(c, argc, argv);
}

static void
print_stats(json_t *st)
{
    static const char *head[] = { "NAME", "ALERTS", "TRUE", "FALSE",
                                  "PRECISION" };
    static const int max[] = { 40, 0, 0, 0, 0 };
    const char *groups[] = { "by_source", "by_kind" };
    json_t *o, *m;
    size_t i, g;

    printf("last %d days: %d alerts, %d sources crawled\n", num(st, "days"),
           num(st, "alerts"), num(st, "sources_crawled"));
    for (g = 0; g < 2; g++) {
        struct table *t = table_new(5, head, max);

        printf("\n%s:\n", g == 0 ? "per source" : "per rule (alert kind)");
        json_array_foreach(json_object_get(st, groups[g]), i, o) {
            char n[3][24], prec[24];
            const char *row[5];
            json_t *p = json_object_get(o, "precision");

            snprintf(n[0], sizeof(n[0]), "%d", num(o, "alerts"));
            snprintf(n[1], sizeof(n[1]), "%d", num(o, "tp"));
            snprintf(n[2], sizeof(n[2]), "%d", num(o, "fp"));
            if (json_is_number(p))
                snprintf(prec, sizeof(prec), "%.3f", json_number_value(p));
            else
                snprintf(prec, sizeof(prec), "-");
            row[0] = str(o, "name");
            row[1] = n[0];
            row[2] = n[1];
            row[3] = n[2];
            row[4] = prec;
            table_add(t, row);
        }
        table_print(t, stdout);
        table_free(t);
    }
    m = json_object_get(st, "median_seconds_to_alert");
    printf("\nmedian time from first sighting to alert: ");
    json_is_number(m) ? printf("%.0f s\n", json_number_value(m))
                      : printf("-\n");
    m = json_object_get(st, "median_seconds_to_verdict");
    printf("median time from alert to verdict: ");
    json_is_number(m) ? printf("%.0f s\n", json_number_value(m))
                      : printf("- (no verdict yet)\n");
    printf("\nsilences:\n");
    json_array_foreach(json_object_get(st, "silences"), i, o)
        printf("  %s\n", str(o, "text"));
    if (json_array_size(json_object_get(st, "silences")) == 0)
        printf("  none: every watched domain and term had alerts\n");
}

int
cmd_stats(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "days", required_argument, NULL, 'd' },
        { NULL, 0, NULL, 0 },
    };
    struct buf err = BUF_INIT(8192);
    bool json = false;
    long days = 7;
    struct db *db;
    json_t *st;
    int rc = EXIT_OK, ch;

    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (ch == 'j')
            json = true;
        else if (ch == 'd') {
            if (!cli_number("--days", optarg, 1, 3650, &days))
                return EXIT_USAGE;
        } else {
            fprintf(stderr, "usage: drpwatch stats [--days N] [--json]\n");
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "usage: drpwatch stats [--days N] [--json]\n");
        return EXIT_USAGE;
    }
    db = cli_db(c);
    if (db == NULL)
        return EXIT_DB;
    st = store_case_stats(db, (int)days, &err);
    if (st == NULL) {
        log_err("cannot compute statistics: %s", buf_str(&err));
        rc = EXIT_DB;
    } else if (json) {
        char *line = json_dumps(st, JSON_COMPACT | JSON_ENSURE_ASCII);

        puts(line);
        free(line);
    } else {
        print_stats(st);
    }
    json_decref(st);
    db_close(db);
    buf_release(&err);
    return rc;
}
