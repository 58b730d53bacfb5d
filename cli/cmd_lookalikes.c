/*
 * drpwatch lookalikes [--fuzzers LIST] [--dictionary FILE] [--json]
 * [--registered [DNS options]] DOMAIN: the lookalike candidates of a
 * domain (crawler/permute.h), as a table or JSON lines; with --registered,
 * those that DNS says exist (crawler/resolve.h), and those it could not
 * tell (unknown is never unregistered). No database. With --watch
 * [DOMAIN...]: one pass of the lookalike watch over the owned domains of
 * the applied watchlist (cli/lookwatch.h), stored and alerted.
 */
#include <errno.h>
#include <jansson.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/lookwatch.h"
#include "common/buf.h"
#include "common/config.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "common/table.h"
#include "crawler/permute.h"
#include "crawler/resolve.h"
#include "common/err.h"
#include "common/idn.h"
#include "storage/cases.h"
#include "storage/db.h"
#include "storage/store.h"
#include "common/banned.h"

static const char usage[] =
    "usage: drpwatch lookalikes [--fuzzers LIST] [--dictionary FILE] "
    "[--json]\n"
    "                           [--registered [--server IP[:PORT],...] "
    "[--rate QPS]\n"
    "                           [--max-inflight N] [--timeout MS] "
    "[--tries N]\n"
    "                           [--no-wildcard]] DOMAIN\n"
    "       drpwatch lookalikes --watch [--json] [DOMAIN...]\n";

/* The names of the fuzzers in mask, comma-separated, into out. */
static void
put_fuzzers(struct buf *out, uint32_t mask, bool json)
{
    unsigned f;
    bool first = true;

    for (f = 0; f < PERMUTE_FUZZER_COUNT; f++) {
        if (!(mask & (1u << f)))
            continue;
        if (!first)
            buf_addc(out, ',');
        first = false;
        if (json)
            buf_addc(out, '"');
        buf_adds(out, permute_fuzzer_name(f));
        if (json)
            buf_addc(out, '"');
    }
}

/*
 * One line per candidate. Names need no JSON escaping: a candidate is
 * LDH labels and IDNA2008 U-labels, which hold no '"', '\\' or control
 * character (crawler/permute.c checks every one).
 */
static void
print(const struct lookalikes *l, bool json, FILE *out)
{
    struct buf line = BUF_INIT(8192);
    struct lookalike c;
    size_t i, wf = strlen("FUZZERS"), wn = strlen("DOMAIN"), n;

    if (!json) {
        for (i = 0; i < l->n; i++) {
            lookalikes_get(l, i, &c);
            buf_reset(&line);
            put_fuzzers(&line, c.fuzzers, false);
            if (line.len > wf)
                wf = line.len;
            n = strlen(c.name);
            if (n > wn)
                wn = n;
        }
        fprintf(out, "%-*s  %-*s  %s\n", (int)wf, "FUZZERS", (int)wn,
                "DOMAIN", "UNICODE");
    }
    for (i = 0; i < l->n; i++) {
        lookalikes_get(l, i, &c);
        buf_reset(&line);
        if (json) {
            buf_adds(&line, "{\"domain\":\"");
            buf_adds(&line, c.name);
            buf_adds(&line, "\",\"unicode\":\"");
            buf_adds(&line, c.unicode);
            buf_adds(&line, "\",\"fuzzers\":[");
            put_fuzzers(&line, c.fuzzers, true);
            buf_adds(&line, "]}\n");
            fwrite(line.ptr, 1, line.len, out);
        } else {
            put_fuzzers(&line, c.fuzzers, false);
            fprintf(out, "%-*s  %-*s  %s\n", (int)wf, buf_str(&line),
                    (int)wn, c.name, c.unicode);
        }
    }
    if (!json)
        fprintf(out, "%zu candidate%s for %s%s%s%s\n", l->n,
                l->n == 1 ? "" : "s", l->domain,
                strcmp(l->domain, l->unicode) ? " (" : "",
                strcmp(l->domain, l->unicode) ? l->unicode : "",
                strcmp(l->domain, l->unicode) ? ")" : "");
    buf_release(&line);
}

/*
 * Checks every candidate of l by DNS and prints the registered ones and
 * the unknown ones, with their fuzzers and answers. EXIT_PARTIAL when a
 * name stayed unknown.
 */
static int
registered(const struct lookalikes *l, const struct resolve_opts *o,
           bool json)
{
    static const char *head[] = { "FUZZERS", "DOMAIN", "STATE", "DNS" };
    static const int max[] = { 40, 0, 0, 120 };
    struct buf err = BUF_INIT(4096), line = BUF_INIT(1u << 16);
    struct resolver *r = resolver_new(o, &err);
    size_t i, n[RESOLVE_WILDCARD + 1] = { 0 };
    struct table *t = NULL;
    struct lookalike c;
    int rc = EXIT_OK;

    if (r == NULL) {
        fprintf(stderr, "drpwatch: lookalikes: %s\n", buf_str(&err));
        rc = EXIT_USAGE;
        goto out;
    }
    for (i = 0; i < l->n; i++) {
        lookalikes_get(l, i, &c);
        if (resolver_add(r, c.name, &err) < 0) {
            log_err("lookalikes: %s", buf_str(&err));
            rc = EXIT_FAIL;
            goto out;
        }
    }
    if (resolver_run(r, NULL, NULL) < 0) {
        rc = EXIT_FAIL;
        goto out;
    }
    if (!json)
        t = table_new(4, head, max);
    for (i = 0; i < l->n; i++) {
        const struct resolve_result *res = resolver_result(r, i);
        const char *row[4];

        n[res->state]++;
        if (res->state != RESOLVE_REGISTERED &&
            res->state != RESOLVE_UNKNOWN)
            continue;
        lookalikes_get(l, i, &c);
        buf_reset(&line);
        put_fuzzers(&line, c.fuzzers, json);
        if (json) {
            json_t *jo = cli_resolve_json(res);
            json_t *fz;
            char *s, *list = xasprintf("[%s]", buf_str(&line));

            fz = json_loads(list, 0, NULL);
            free(list);
            json_object_set_new(jo, "unicode", json_string(c.unicode));
            json_object_set_new(jo, "fuzzers", fz ? fz : json_array());
            s = json_dumps(jo, JSON_COMPACT | JSON_PRESERVE_ORDER);
            puts(s);
            free(s);
            json_decref(jo);
            continue;
        }
        row[0] = buf_str(&line);
        row[1] = c.name;
        row[2] = resolve_state_name(res->state);
        buf_reset(&err);
        cli_resolve_details(&err, res);
        row[3] = err.len ? buf_str(&err) : NULL;
        table_add(t, row);
    }
    if (t) {
        table_print(t, stdout);
        table_free(t);
    }
    log_info("lookalikes: %zu candidates of %s checked: %zu registered, "
             "%zu unknown, %zu under a wildcard (not listed), %zu "
             "unregistered", l->n, l->domain, n[RESOLVE_REGISTERED],
             n[RESOLVE_UNKNOWN], n[RESOLVE_WILDCARD],
             n[RESOLVE_UNREGISTERED]);
    if (n[RESOLVE_UNKNOWN])
        rc = EXIT_PARTIAL;
out:
    resolver_free(r);
    buf_release(&line);
    buf_release(&err);
    return rc;
}

/* A row of the watch's report: a table row or a JSON line. */
struct watch_out {
    struct table *t;
    bool json;
};

static void
watch_row(void *arg, const struct lookwatch_row *r)
{
    struct watch_out *o = arg;
    char http[16], like[16], score[16];
    const char *row[9];

    snprintf(http, sizeof(http), "%ld", r->http_status);
    snprintf(like, sizeof(like), "%.2f", r->likeness);
    snprintf(score, sizeof(score), "%d", r->score);
    if (o->json) {
        json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?}", "domain",
                              r->domain, "name", r->name, "unicode",
                              r->unicode, "fuzzers", r->fuzzers, "state",
                              r->state, "dns", r->dns);
        char *line;

        if (j == NULL)
            return;
        json_object_set_new(j, "http_status", r->http_status
                                                  ? json_integer(r->http_status)
                                                  : json_null());
        json_object_set_new(j, "likeness", r->likeness >= 0
                                               ? json_real(r->likeness)
                                               : json_null());
        json_object_set_new(j, "form", r->form ? json_string(r->form)
                                               : json_null());
        json_object_set_new(j, "score", r->score >= 0 ? json_integer(r->score)
                                                      : json_null());
        json_object_set_new(j, "severity", r->severity
                                               ? json_string(r->severity)
                                               : json_null());
        json_object_set_new(j, "title", r->what ? json_string(r->what)
                                                : json_null());
        line = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (line)
            puts(line);
        free(line);
        json_decref(j);
        return;
    }
    row[0] = r->domain;
    row[1] = r->name;
    row[2] = r->state;
    row[3] = r->dns;
    row[4] = r->http_status ? http : NULL;
    row[5] = r->likeness >= 0 ? like : NULL;
    row[6] = r->form;
    row[7] = r->score >= 0 ? score : NULL;
    row[8] = r->severity;
    table_add(o->t, row);
}

/* lookalikes --watch [--json] [DOMAIN...]: one pass now, stored. */
static int
watch(struct cli *c, char **names, int nnames, bool json)
{
    static const char *head[] = { "OWNED", "DOMAIN", "STATE", "DNS", "HTTP",
                                  "LIKENESS", "FORM", "SCORE", "SEVERITY" };
    static const int max[] = { 0, 0, 0, 60, 0, 0, 0, 0, 0 };
    struct watch_out out = { NULL, json };
    struct lookwatch_counts n = { 0 };
    struct buf err = BUF_INIT(8192);
    struct config cfg;
    struct db *db;
    char **owned = NULL, **only = NULL, owner[300], host[256];
    size_t nowned = 0, i, k;
    int rc = EXIT_OK;

    config_init(&cfg);
    db = cli_db(c);
    if (db == NULL) {
        rc = EXIT_DB;
        goto out;
    }
    if (store_load_settings(db, &cfg, &err) < 0 ||
        store_load_terms(db, &cfg, &err) < 0 ||
        store_load_alert_filters(db, &cfg, &err) < 0) {
        log_err("cannot load the applied configuration: %s", buf_str(&err));
        rc = EXIT_DB;
        goto out;
    }
    owned = lookwatch_domains(&cfg, &nowned);
    if (nowned == 0) {
        log_err("lookalikes: no owned domain to watch: declare watch terms "
                "of kind domain and 'drpwatch apply' them");
        rc = EXIT_USAGE;
        goto out;
    }
    only = xcalloc((size_t)nnames + 1, sizeof(*only));
    for (i = 0; i < (size_t)nnames; i++) {
        only[i] = idn_to_ascii(names[i], strlen(names[i]), NULL);
        for (k = 0; only[i] && k < nowned && strcmp(owned[k], only[i]); k++)
            ;
        if (only[i] == NULL || k == nowned) {
            log_err("lookalikes: '%s' is not an owned domain of the applied "
                    "watchlist", names[i]);
            rc = EXIT_USAGE;
            goto out;
        }
    }
    if (gethostname(host, sizeof(host)) < 0)
        snprintf(host, sizeof(host), "localhost");
    host[sizeof(host) - 1] = '\0';
    snprintf(owner, sizeof(owner), "%s:%d:lookalikes", host, (int)getpid());
    if (!json)
        out.t = table_new(9, head, max);
    rc = lookwatch_pass(db, &cfg, owner, true,
                        nnames ? (const char *const *)only : NULL,
                        (size_t)nnames, NULL, &n, watch_row, &out);
    if (out.t) {
        table_print(out.t, stdout);
        table_free(out.t);
    }
    log_info("lookalikes: %d domain%s, %d candidates: %d registered, %d "
             "unknown (checked again next pass), %d under a wildcard; %d "
             "pages; cases: %d opened, %d raised, %d updated",
             n.domains, n.domains == 1 ? "" : "s", n.candidates,
             n.registered, n.unknown, n.wildcard, n.pages, n.opened,
             n.raised, n.updated);
    if (n.db_errors > 0 || rc == DRP_EDB)
        rc = EXIT_DB;
    else if (rc == DRP_EINVAL)
        rc = EXIT_USAGE;
    else if (rc < 0 || n.failed > 0 || n.unknown > 0)
        rc = EXIT_PARTIAL;
    else
        rc = EXIT_OK;
out:
    for (i = 0; only && i < (size_t)nnames; i++)
        free(only[i]);
    free(only);
    for (i = 0; i < nowned; i++)
        free(owned[i]);
    free(owned);
    config_release(&cfg);
    db_close(db);
    buf_release(&err);
    return rc;
}

int
cmd_lookalikes(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "fuzzers", required_argument, NULL, 'f' },
        { "dictionary", required_argument, NULL, 'd' },
        { "registered", no_argument, NULL, 'R' },
        { "watch", no_argument, NULL, 'W' },
        CLI_RESOLVE_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    struct resolve_opts ro = { 0 };
    bool check = false, dns_opt = false, watching = false;
    struct buf err = BUF_INIT(4096);
    struct buf words = BUF_INIT(PERMUTE_MAX_WORDS_FILE);
    struct lookalikes l;
    struct permuter *p = NULL;
    const char *dict = NULL, *domain;
    uint32_t mask = PERMUTE_ALL;
    bool json = false;
    int rc = EXIT_OK, ch;

    lookalikes_init(&l, 0);
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (ch == 'j') {
            json = true;
        } else if (ch == 'R') {
            check = true;
        } else if (ch == 'W') {
            watching = true;
        } else if (cli_resolve_option(ch, optarg, &ro)) {
            dns_opt = true;
        } else if (ch == 'd') {
            dict = optarg;
        } else if (ch == 'f') {
            if (permute_parse_fuzzers(optarg, &mask, &err) < 0) {
                fprintf(stderr, "drpwatch: lookalikes: %s\n", buf_str(&err));
                rc = EXIT_USAGE;
                goto out;
            }
        } else {
            fputs(usage, stderr);
            rc = EXIT_USAGE;
            goto out;
        }
    }
    if (watching) {
        if (check || dns_opt || dict || mask != PERMUTE_ALL) {
            fprintf(stderr, "drpwatch: lookalikes: --watch takes its "
                            "fuzzers and DNS settings from the applied "
                            "configuration (lookalikes:)\n");
            fputs(usage, stderr);
            rc = EXIT_USAGE;
            goto out;
        }
        rc = watch(c, argv + optind, argc - optind, json);
        goto out;
    }
    if (optind + 1 != argc || (dns_opt && !check)) {
        if (dns_opt && !check)
            fprintf(stderr, "drpwatch: lookalikes: DNS options go with "
                            "--registered\n");
        fputs(usage, stderr);
        rc = EXIT_USAGE;
        goto out;
    }
    domain = argv[optind];
    p = permuter_new();
    if (p == NULL) {
        log_err("lookalikes: cannot open ICU's IDNA converter");
        rc = EXIT_FAIL;
        goto out;
    }
    if (dict != NULL &&
        (config_read_file(dict, &words, &err) < 0 ||
         permuter_set_words(p, buf_str(&words), words.len, dict, &err) < 0)) {
        fprintf(stderr, "drpwatch: lookalikes: dictionary %s\n",
                buf_str(&err));
        rc = EXIT_USAGE;
        goto out;
    }
    if (permuter_run(p, domain, strlen(domain), mask, &l, &err) < 0) {
        fprintf(stderr, "drpwatch: lookalikes: %s\n", buf_str(&err));
        rc = EXIT_USAGE;
        goto out;
    }
    if (check)
        rc = registered(&l, &ro, json);
    else
        print(&l, json, stdout);
    if (fflush(stdout) != 0) {
        log_err("lookalikes: cannot write the output: %s", strerror(errno));
        rc = EXIT_FAIL;
    } else if (l.truncated && rc == EXIT_OK) {
        log_warn("lookalikes: stopped at %zu candidates for '%s': the cap "
                 "was reached in the %s fuzzer, whose other candidates and "
                 "those of the fuzzers after it are missing (homoglyph runs "
                 "last)", l.n, l.domain, permute_fuzzer_name(l.cut));
        rc = EXIT_PARTIAL;
    }
out:
    lookalikes_release(&l);
    permuter_free(p);
    buf_release(&words);
    buf_release(&err);
    return rc;
}
