/*
 * drpwatch export stix [--since TIME] [--min-confidence N] [-o FILE]: the
 * indicators as a STIX 2.1 bundle on stdout or in FILE (written whole
 * under a temporary name, then renamed: a reader never sees half).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "alerts/stix.h"
#include "cli/cli.h"
#include "common/buf.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "storage/db.h"
#include "storage/store.h"
#include "common/banned.h"

static const char export_usage[] =
    "usage: drpwatch export stix [--since TIME] [--min-confidence N] "
    "[-o FILE]\n";

/* The rows of store_export_findings() as items; sightings in *sg. */
static struct stix_item *
items_of(json_t *rows, struct stix_sighting **sg)
{
    size_t n = json_array_size(rows), i, k, ns = 0;
    struct stix_item *v = xcalloc(n + 1, sizeof(*v));
    json_t *o, *g;

    json_array_foreach(rows, i, o)
        ns += json_array_size(json_object_get(o, "sightings"));
    *sg = xcalloc(ns + 1, sizeof(**sg));
    ns = 0;
    json_array_foreach(rows, i, o) {
        v[i].kind = json_string_value(json_object_get(o, "kind"));
        v[i].value = json_string_value(json_object_get(o, "value"));
        v[i].confidence =
            (int)json_integer_value(json_object_get(o, "confidence"));
        v[i].tlp = json_string_value(json_object_get(o, "tlp"));
        v[i].first_seen =
            (time_t)json_integer_value(json_object_get(o, "first_seen"));
        v[i].last_seen =
            (time_t)json_integer_value(json_object_get(o, "last_seen"));
        v[i].sightings = *sg + ns;
        json_array_foreach(json_object_get(o, "sightings"), k, g) {
            struct stix_sighting *s = *sg + ns++;

            s->source = json_string_value(json_object_get(g, "source"));
            s->first_seen =
                (time_t)json_integer_value(json_object_get(g, "first_seen"));
            s->last_seen =
                (time_t)json_integer_value(json_object_get(g, "last_seen"));
            s->count = (int)json_integer_value(json_object_get(g, "count"));
            v[i].nsightings++;
        }
    }
    return v;
}

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

static int
export_stix(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "since", required_argument, NULL, 's' },
        { "min-confidence", required_argument, NULL, 'c' },
        { "output", required_argument, NULL, 'o' },
        { NULL, 0, NULL, 0 },
    };
    struct buf err = BUF_INIT(8192);
    const char *since = NULL, *out = NULL;
    struct stix_sighting *sg = NULL;
    struct stix_item *items = NULL;
    struct db *db;
    json_t *rows, *bundle = NULL;
    char *end;
    long minc = 0;
    int rc = EXIT_OK, ch;

    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        switch (ch) {
        case 's':
            since = optarg;
            break;
        case 'c':
            minc = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || minc < 0 || minc > 100) {
                fprintf(stderr, "drpwatch: --min-confidence must be "
                                "0-100\n");
                return EXIT_USAGE;
            }
            break;
        case 'o':
            out = optarg;
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
    db = cli_db(c);
    if (db == NULL)
        return EXIT_DB;
    rows = store_export_findings(db, stix_kinds, since, (int)minc, &err);
    if (rows == NULL) {
        log_err("cannot read the findings: %s", buf_str(&err));
        rc = since && strstr(buf_str(&err), "syntax") ? EXIT_USAGE : EXIT_DB;
        goto out;
    }
    items = items_of(rows, &sg);
    bundle = stix_bundle(items, json_array_size(rows));
    if (write_json(bundle, out) < 0)
        rc = EXIT_FAIL;
    else
        log_info("exported %zu indicators as STIX 2.1 (%zu objects)%s%s",
                 json_array_size(rows),
                 json_array_size(json_object_get(bundle, "objects")),
                 out ? " to " : "", out ? out : "");
out:
    json_decref(bundle);
    json_decref(rows);
    free(items);
    free(sg);
    db_close(db);
    buf_release(&err);
    return rc;
}

int
cmd_export(struct cli *c, int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "stix") == 0)
        return export_stix(c, argc - 1, argv + 1);
    fprintf(stderr, "drpwatch: export needs a format: stix\n%s",
            export_usage);
    return EXIT_USAGE;
}
