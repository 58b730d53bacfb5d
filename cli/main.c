/*
 * main(): global options (--data-dir, --db, --log-level, -v, -q) anywhere
 * on the line, then the git-style subcommand.
 */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/buf.h"
#include "common/config.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "extract/benign.h"
#include "extract/extract.h"
#include "storage/cluster.h"
#include "storage/db.h"
#include "storage/store.h"
#include "common/banned.h"

static const char usage[] =
    "usage: drpwatch [--data-dir DIR] [--db CONNINFO] [--log-level LEVEL] "
    "COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  apply FILE            declare the watchlist and sources of FILE\n"
    "  run [--once] [--no-notify]\n"
    "                        crawl: the service, or one full pass\n"
    "  scan [--json] [--watch FILE] FILE|-\n"
    "                        extract findings from a file or stdin\n"
    "  alerts [list] [--json] [--kind K] [--status S] [--severity S]\n"
    "         [--source NAME] [--since TIME] [--limit N]\n"
    "                        the cases, most severe first\n"
    "  alerts show ID [--json]\n"
    "                        one case: score parts, finding, audit trail\n"
    "  alerts ack|resolve|false-positive|accept-risk|reopen ID\n"
    "         [--note TEXT] [--actor NAME]\n"
    "                        move a case through its lifecycle\n"
    "  export stix [--since TIME] [--min-confidence N] [-o FILE]\n"
    "                        the indicators as a STIX 2.1 bundle\n"
    "  export misp [--group day|alert] [--since TIME] [--min-confidence N]\n"
    "              [-o FILE | --push URL]\n"
    "                        the indicators as MISP events, or pushed to MISP\n"
    "  alerts takedown ID [--note TEXT] [--actor NAME] [--json] [-o DIR]\n"
    "                        request a takedown: evidence, registrar and\n"
    "                        host abuse contacts (RDAP), request text\n"
    "  takedowns [list|check|show ID]\n"
    "                        takedown requests: follow-through, re-check now\n"
    "  serve [--listen ADDR:PORT] [--port-file FILE] [--threads N]\n"
    "                        the TAXII 2.1 server\n"
    "  stats [--days N] [--json]\n"
    "                        precision per source and rule, timings,\n"
    "                        and what was not seen\n"
    "  status [--json]       sources' health and the Tor proxy\n"
    "  notify [--once]       deliver notifications: the service, or what "
    "is due\n"
    "  notify --list [--json] [--state S] [--limit N]\n"
    "                        the notification outbox and dead letters\n"
    "  lookalikes [--fuzzers LIST] [--dictionary FILE] [--json]\n"
    "             [--registered [--server IP[:PORT],...]] DOMAIN\n"
    "                        lookalike domains of DOMAIN (permutations),\n"
    "                        or those DNS says are registered\n"
    "  dns-check [--server IP[:PORT],...] [--json] [NAME...|-]\n"
    "                        registration state of domain names (DNS)\n"
    "  db start|stop|status|migrate\n"
    "                        manage the database\n"
    "  db psql [PSQL-ARGS]   a psql shell (or command) on the database\n"
    "\n"
    "options:\n"
    "  --data-dir DIR        where the embedded database and key live\n"
    "                        (default: DRPWATCH_HOME, /var/lib/drpwatch as "
    "root,\n"
    "                        ~/.local/share/drpwatch otherwise)\n"
    "  --db CONNINFO         use this PostgreSQL server (or DRPWATCH_DB)\n"
    "  --log-level LEVEL     debug, info, warn or error (default info)\n"
    "  -v, -q                same as --log-level debug / warn\n";

bool
cli_number(const char *opt, const char *v, long min, long max, long *n)
{
    char *end;

    errno = 0;
    *n = strtol(v, &end, 10);
    if (errno == 0 && end != v && *end == '\0' && *n >= min && *n <= max)
        return true;
    fprintf(stderr, "drpwatch: %s must be a number from %ld to %ld\n", opt,
            min, max);
    return false;
}

bool
cli_id(const char *v, long long *id)
{
    char *end;

    errno = 0;
    *id = strtoll(v, &end, 10);
    return errno == 0 && end != v && *end == '\0' && *id > 0;
}

struct db *
cli_db(struct cli *c)
{
    struct buf err = BUF_INIT(8192);
    struct db *db = db_connect(c->db_opt, c->data_dir, &err);

    if (db == NULL)
        log_err("%s", buf_str(&err));
    buf_release(&err);
    return db;
}

struct db *
cli_db_settings(struct cli *c, struct config *cfg)
{
    struct buf err = BUF_INIT(8192);
    struct db *db = cli_db(c);

    if (db && store_load_settings(db, cfg, &err) < 0) {
        log_err("cannot load the applied configuration: %s", buf_str(&err));
        db_close(db);
        db = NULL;
    }
    buf_release(&err);
    return db;
}

int
cli_load_benign(struct extractor *x, const char *path)
{
    struct buf text = BUF_INIT(BENIGN_MAX_FILE);
    struct buf err = BUF_INIT(4096);
    int rc = 0;

    if (path == NULL)
        goto out;
    if (config_read_file(path, &text, &err) < 0 ||
        extractor_add_benign(x, path, buf_str(&text), text.len, &err) < 0) {
        log_err("cannot load the known-benign list: %s", buf_str(&err));
        rc = -1;
    }
out:
    buf_release(&text);
    buf_release(&err);
    return rc;
}

/* Takes "--name VALUE" or "--name=VALUE" at argv[*i]; NULL if not it. */
static const char *
take(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);

    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        fprintf(stderr, "drpwatch: %s needs a value\n", name);
        exit(EXIT_USAGE);
    }
    (*i)++;
    return argv[*i];
}

int
main(int argc, char **argv)
{
    struct cli c = { 0 };
    const char *data_opt = NULL;
    char **rest = xcalloc((size_t)argc + 1, sizeof(*rest));
    int nrest = 0;
    int i, rc;
    const char *v;

    for (i = 1; i < argc; i++) {
        if ((v = take(argc, argv, &i, "--data-dir")) != NULL) {
            data_opt = v;
        } else if ((v = take(argc, argv, &i, "--db")) != NULL) {
            c.db_opt = v;
        } else if ((v = take(argc, argv, &i, "--log-level")) != NULL) {
            enum log_level lvl;

            if (log_parse_level(v, &lvl) < 0) {
                fprintf(stderr, "drpwatch: unknown log level '%s' (debug, "
                                "info, warn, error)\n", v);
                return EXIT_USAGE;
            }
            log_set_level(lvl);
        } else if (!strcmp(argv[i], "-v")) {
            log_set_level(LOG_DEBUG);
        } else if (!strcmp(argv[i], "-q")) {
            log_set_level(LOG_WARN);
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(usage, stdout);
            free(rest);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "--version")) {
            printf("drpwatch %s\n", PACKAGE_VERSION);
            free(rest);
            return EXIT_OK;
        } else {
            rest[nrest++] = argv[i];
        }
    }
    if (nrest == 0) {
        fputs(usage, stderr);
        free(rest);
        return EXIT_USAGE;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    c.data_dir = cluster_data_dir(data_opt);
    if (!strcmp(rest[0], "apply"))
        rc = cmd_apply(&c, nrest, rest);
    else if (!strcmp(rest[0], "run"))
        rc = cmd_run(&c, nrest, rest);
    else if (!strcmp(rest[0], "db"))
        rc = cmd_db(&c, nrest, rest);
    else if (!strcmp(rest[0], "alerts"))
        rc = cmd_alerts(&c, nrest, rest);
    else if (!strcmp(rest[0], "scan"))
        rc = cmd_scan(&c, nrest, rest);
    else if (!strcmp(rest[0], "export"))
        rc = cmd_export(&c, nrest, rest);
    else if (!strcmp(rest[0], "stats"))
        rc = cmd_stats(&c, nrest, rest);
    else if (!strcmp(rest[0], "status"))
        rc = cmd_status(&c, nrest, rest);
    else if (!strcmp(rest[0], "notify"))
        rc = cmd_notify(&c, nrest, rest);
    else if (!strcmp(rest[0], "lookalikes"))
        rc = cmd_lookalikes(&c, nrest, rest);
    else if (!strcmp(rest[0], "dns-check"))
        rc = cmd_dns_check(&c, nrest, rest);
    else if (!strcmp(rest[0], "takedowns"))
        rc = cmd_takedowns(&c, nrest, rest);
    else if (!strcmp(rest[0], "serve"))
        rc = cmd_serve(&c, nrest, rest);
    else {
        fprintf(stderr, "drpwatch: unknown command '%s'\n\n%s", rest[0],
                usage);
        rc = EXIT_USAGE;
    }
    free(c.data_dir);
    free(rest);
    curl_global_cleanup();
    return rc;
}
