/*
 * drpwatch export stix|misp [--since TIME] [--min-confidence N] [-o FILE]:
 * the indicators as a STIX 2.1 bundle, or MISP events, on stdout or in
 * FILE (written whole under a temporary name, then renamed: a reader
 * never sees half).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "alerts/misp.h"
#include "alerts/stix.h"
#include "cli/cli.h"
#include "common/buf.h"
#include "common/config.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "storage/db.h"
#include "storage/store.h"
#include "common/banned.h"

static const char export_usage[] =
    "usage: drpwatch export stix [--since TIME] [--min-confidence N] "
    "[-o FILE]\n"
    "       drpwatch export misp [--group day|alert] [--since TIME]\n"
    "                            [--min-confidence N] [-o FILE | --push URL]"
    "\n";

/* Writes j to path through a temporary file, or to stdout. */
static int
write_json(json_t *j, const char *path)
{
    char *tmp;
    FILE *f;
    int ok;

    if (path == NULL || strcmp(path, "-") == 0) {
        ok = json_dumpf(j, stdout, JSON_INDENT(1)) == 0 &&
             fputc('\n', stdout) != EOF && fflush(stdout) == 0;
        if (!ok)
            log_err("cannot write the bundle to stdout");
        return ok ? 0 : -1;
    }
    tmp = xasprintf("%s.tmp-%ld", path, (long)getpid());
    f = fopen(tmp, "w");
    if (f == NULL) {
        log_err("cannot write '%s': %m", tmp);
        free(tmp);
        return -1;
    }
    ok = json_dumpf(j, f, JSON_INDENT(1)) == 0 && fputc('\n', f) != EOF;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) < 0) {
        log_err("cannot write '%s': %m", path);
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

struct export_args {
    const char *since, *out, *group, *push;
    long min_confidence;
};

/* Parses the options every format shares; misp also takes --group. */
static int
parse_args(int argc, char **argv, bool misp, struct export_args *a)
{
    static const struct option opts[] = {
        { "since", required_argument, NULL, 's' },
        { "min-confidence", required_argument, NULL, 'c' },
        { "output", required_argument, NULL, 'o' },
        { "group", required_argument, NULL, 'g' },
        { "push", required_argument, NULL, 'p' },
        { NULL, 0, NULL, 0 },
    };
    int ch;

    memset(a, 0, sizeof(*a));
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        switch (ch) {
        case 's':
            a->since = optarg;
            break;
        case 'c':
            if (!cli_number("--min-confidence", optarg, 0, 100,
                            &a->min_confidence))
                return EXIT_USAGE;
            break;
        case 'o':
            a->out = optarg;
            break;
        case 'g':
            if (!misp || (strcmp(optarg, "day") != 0 &&
                          strcmp(optarg, "alert") != 0)) {
                fprintf(stderr, "drpwatch: --group is day or alert (misp "
                                "only)\n");
                return EXIT_USAGE;
            }
            a->group = optarg;
            break;
        case 'p':
            if (!misp || (strncmp(optarg, "http://", 7) != 0 &&
                          strncmp(optarg, "https://", 8) != 0)) {
                fprintf(stderr, "drpwatch: --push takes the MISP instance's "
                                "http:// or https:// URL (misp only)\n");
                return EXIT_USAGE;
            }
            a->push = optarg;
            break;
        default:
            fputs(export_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "drpwatch: unexpected argument '%s'\n%s",
                argv[optind], export_usage);
        return EXIT_USAGE;
    }
    if (a->push && a->out) {
        fprintf(stderr, "drpwatch: --push and -o exclude each other\n");
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

#define MISP_KEY_MAX 512

/* The MISP API key: DRPWATCH_MISP_KEY, else misp.key_file's first line.
   One line of printable characters (it goes into a header). */
static int
misp_key(const struct config *cfg, char *out, size_t n)
{
    struct buf b = BUF_INIT(MISP_KEY_MAX + 2), err = BUF_INIT(1024);
    const char *env = getenv("DRPWATCH_MISP_KEY"), *k;
    size_t len, i;
    int rc = 0;

    if (env && *env)
        k = env;
    else if (cfg->misp.key_file == NULL) {
        log_err("no MISP key: set misp.key_file in the configuration (and "
                "apply it) or DRPWATCH_MISP_KEY");
        return -1;
    } else if (config_read_file(cfg->misp.key_file, &b, &err) < 0) {
        log_err("cannot read the MISP key: %s", buf_str(&err));
        rc = -1;
        goto out;
    } else
        k = buf_str(&b);
    len = strcspn(k, "\r\n");
    for (i = 0; i < len && rc == 0; i++)
        if ((unsigned char)k[i] < 0x20 || k[i] == 0x7f)
            rc = -1;
    if (len == 0 || len >= n || rc < 0) {
        log_err("the MISP key must be one line of 1-%d printable "
                "characters", MISP_KEY_MAX);
        rc = -1;
        goto out;
    }
    memcpy(out, k, len);
    out[len] = '\0';
out:
    buf_release(&b);
    buf_release(&err);
    return rc;
}

/* The exit code for a failed export query. */
static int
query_failed(const struct export_args *a, const struct buf *err)
{
    log_err("cannot read the findings: %s", buf_str(err));
    return a->since && strstr(buf_str(err), "syntax") ? EXIT_USAGE : EXIT_DB;
}

static int
export_stix(struct cli *c, int argc, char **argv)
{
    struct buf err = BUF_INIT(8192);
    struct export_args a;
    struct stix_sighting *sg = NULL;
    struct stix_item *items = NULL;
    struct db *db;
    json_t *rows, *bundle = NULL;
    int rc = parse_args(argc, argv, false, &a);

    if (rc != EXIT_OK)
        return rc;
    db = cli_db(c);
    if (db == NULL)
        return EXIT_DB;
    rows = store_export_findings(db, stix_kinds, a.since,
                                 (int)a.min_confidence, &err);
    if (rows == NULL) {
        rc = query_failed(&a, &err);
        goto out;
    }
    items = stix_items_of(rows, &sg);
    bundle = stix_bundle(items, json_array_size(rows));
    if (write_json(bundle, a.out) < 0)
        rc = EXIT_FAIL;
    else
        log_info("exported %zu indicators as STIX 2.1 (%zu objects)%s%s",
                 json_array_size(rows),
                 json_array_size(json_object_get(bundle, "objects")),
                 a.out ? " to " : "", a.out ? a.out : "");
out:
    json_decref(bundle);
    json_decref(rows);
    free(items);
    free(sg);
    db_close(db);
    buf_release(&err);
    return rc;
}

static const char *
jstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The MISP events of the findings, per cfg->misp. */
static json_t *
misp_of(json_t *rows, const struct config *cfg, bool by_alert)
{
    struct misp_opts o = {
        .by_alert = by_alert,
        .distribution = cfg->misp.distribution,
        .threat_level = cfg->misp.threat_level,
        .to_ids_min = cfg->misp.to_ids_min,
    };
    size_t n = json_array_size(rows), i;
    struct misp_item *v = xcalloc(n + 1, sizeof(*v));
    json_t *r, *ev;

    json_array_foreach(rows, i, r) {
        v[i].kind = jstr(r, "kind");
        v[i].value = jstr(r, "value");
        v[i].confidence = (int)json_integer_value(json_object_get(r,
                                                                "confidence"));
        v[i].first_seen =
            (time_t)json_integer_value(json_object_get(r, "first_seen"));
        v[i].last_seen =
            (time_t)json_integer_value(json_object_get(r, "last_seen"));
        v[i].sources = jstr(r, "sources");
        v[i].identity = jstr(r, "identity");
        v[i].password_hint = jstr(r, "password_hint");
        v[i].alert_key = jstr(r, "alert_key");
        v[i].alert_title = jstr(r, "alert_title");
        v[i].alert_severity = jstr(r, "alert_severity");
        v[i].alert_url = jstr(r, "alert_url");
    }
    ev = misp_events(v, n, &o);
    free(v);
    return ev;
}

static int
export_misp(struct cli *c, int argc, char **argv)
{
    struct buf err = BUF_INIT(8192);
    struct export_args a;
    struct config cfg;
    struct db *db;
    json_t *rows = NULL, *events = NULL, *doc = NULL;
    const char *group;
    int rc = parse_args(argc, argv, true, &a);

    if (rc != EXIT_OK)
        return rc;
    config_init(&cfg);
    db = cli_db(c);
    if (db == NULL)
        return EXIT_DB;
    if (store_load_settings(db, &cfg, &err) < 0) {
        log_err("cannot load the applied configuration: %s", buf_str(&err));
        rc = EXIT_DB;
        goto out;
    }
    group = a.group ? a.group : cfg.misp.group ? cfg.misp.group : "day";
    rows = store_export_misp(db, stix_kinds, a.since, (int)a.min_confidence,
                             group[0] == 'a', &err);
    if (rows == NULL) {
        rc = query_failed(&a, &err);
        goto out;
    }
    events = misp_of(rows, &cfg, group[0] == 'a');
    if (a.push) {
        char key[MISP_KEY_MAX + 1];
        struct misp_target t = { a.push, key, cfg.misp.retries, 1000, 60 };
        int added, updated;

        if (misp_key(&cfg, key, sizeof(key)) < 0) {
            rc = EXIT_USAGE;
            goto out;
        }
        buf_reset(&err);
        if (misp_push(&t, events, &added, &updated, &err) < 0) {
            log_err("push to MISP failed after %d added and %d updated: %s",
                    added, updated, buf_str(&err));
            rc = EXIT_FAIL;
        } else
            log_info("pushed %zu MISP events to %s: %d added, %d updated",
                     json_array_size(events), a.push, added, updated);
        explicit_bzero(key, sizeof(key));
        goto out;
    }
    /* MISP's own answer to a search: {"response": [{"Event": ...}]}. */
    doc = json_pack("{s:O}", "response", events);
    if (write_json(doc, a.out) < 0)
        rc = EXIT_FAIL;
    else
        log_info("exported %zu MISP events (one per %s)%s%s",
                 json_array_size(events), group, a.out ? " to " : "",
                 a.out ? a.out : "");
out:
    json_decref(doc);
    json_decref(events);
    json_decref(rows);
    config_release(&cfg);
    db_close(db);
    buf_release(&err);
    return rc;
}

int
cmd_export(struct cli *c, int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "stix") == 0)
        return export_stix(c, argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "misp") == 0)
        return export_misp(c, argc - 1, argv + 1);
    fprintf(stderr, "drpwatch: export needs a format: stix or misp\n%s",
            export_usage);
    return EXIT_USAGE;
}
