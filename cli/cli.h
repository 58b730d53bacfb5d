/*
 * The command line: global options and one entry point per subcommand.
 * cli/ wires the modules together and holds no logic of its own.
 */
#ifndef DRP_CLI_H
#define DRP_CLI_H

#include <stdbool.h>

/* Exit codes scripts can trust (also in README.md). */
enum {
    EXIT_OK = 0,       /* done, everything succeeded */
    EXIT_FAIL = 1,     /* the command failed */
    EXIT_USAGE = 2,    /* bad arguments or configuration */
    EXIT_PARTIAL = 3,  /* run: finished, but some pages or sources failed;
                          status: a source is unhealthy */
    EXIT_DB = 4,       /* the database was unavailable; work incomplete */
};

struct cli {
    const char *db_opt;   /* --db, or NULL */
    char *data_dir;       /* resolved --data-dir */
};

struct buf;
struct config;
struct db;
struct extractor;
struct resolve_opts;
struct resolve_result;

/* The DNS options of dns-check and lookalikes --registered (getopt_long
   entries) and their parser: true when ch was one of them. */
#define CLI_RESOLVE_OPTIONS                                                   \
    { "server", required_argument, NULL, 's' },                              \
        { "rate", required_argument, NULL, 'r' },                            \
        { "max-inflight", required_argument, NULL, 'm' },                    \
        { "timeout", required_argument, NULL, 't' },                         \
        { "tries", required_argument, NULL, 'n' },                           \
    {                                                                         \
        "no-wildcard", no_argument, NULL, 'w'                                 \
    }
bool cli_resolve_option(int ch, const char *arg, struct resolve_opts *o);
/* A name's DNS answer as a JSON object, and as "addr ...; ns ..." text. */
struct json_t;
struct json_t *cli_resolve_json(const struct resolve_result *res);
void cli_resolve_details(struct buf *d, const struct resolve_result *res);

/*
 * A whole number from min to max given to the option opt (e.g. "--limit")
 * into *n; false, with "drpwatch: OPT must be a number from MIN to MAX"
 * printed, for anything else (empty, trailing text, out of range).
 */
bool cli_number(const char *opt, const char *v, long min, long max, long *n);
/* A row id given on the command line: a positive number, nothing else. */
bool cli_id(const char *v, long long *id);

/* Connects (starting the embedded cluster if needed) or prints why not. */
struct db *cli_db(struct cli *c);
/* cli_db(), then the applied settings into cfg (config_init()ed); NULL,
   logged, if either fails. */
struct db *cli_db_settings(struct cli *c, struct config *cfg);

/*
 * Reads the operator's known-benign list at path (NULL: nothing to do) into
 * x. Returns 0, or -1 with "PATH:LINE: what is wrong" logged.
 */
int cli_load_benign(struct extractor *x, const char *path);

int cmd_apply(struct cli *c, int argc, char **argv);
int cmd_run(struct cli *c, int argc, char **argv);
int cmd_db(struct cli *c, int argc, char **argv);
int cmd_alerts(struct cli *c, int argc, char **argv);
int cmd_stats(struct cli *c, int argc, char **argv);
int cmd_export(struct cli *c, int argc, char **argv);
int cmd_scan(struct cli *c, int argc, char **argv);
int cmd_status(struct cli *c, int argc, char **argv);
int cmd_notify(struct cli *c, int argc, char **argv);
int cmd_lookalikes(struct cli *c, int argc, char **argv);
int cmd_dns_check(struct cli *c, int argc, char **argv);
int cmd_takedowns(struct cli *c, int argc, char **argv);
int cmd_serve(struct cli *c, int argc, char **argv);

#endif
