/*
 * drpwatch dns-check [options] [NAME...|-]: the lookalike registration
 * checks (crawler/resolve.h) on names from the command line or stdin,
 * without a database. Prints each name's state in input order; a
 * summary and the rate go to stderr. Exit 3 when a name stays unknown.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "common/buf.h"
#include "common/log.h"
#include "common/table.h"
#include "common/xalloc.h"
#include "crawler/resolve.h"
#include "common/banned.h"

#define DNS_CHECK_LINE_MAX 1024 /* bytes of one line of stdin */

static const char usage[] =
    "usage: drpwatch dns-check [--server IP[:PORT],...] [--rate QPS]\n"
    "                          [--max-inflight N] [--timeout MS] "
    "[--tries N]\n"
    "                          [--no-wildcard] [--json] [NAME...|-]\n";

struct progress {
    size_t done, total;
    size_t states[RESOLVE_WILDCARD + 1];
    bool tty;
};

static void
on_done(const struct resolve_result *res, void *arg)
{
    struct progress *p = arg;

    p->done++;
    p->states[res->state]++;
    if (p->tty && (p->done % 1000 == 0 || p->done == p->total))
        fprintf(stderr, "\rdns-check: %zu/%zu", p->done, p->total);
}

/* Reads names from in, one a line ('#' comments, blank lines skipped). */
static int
read_names(struct resolver *r, FILE *in, struct buf *err)
{
    char line[DNS_CHECK_LINE_MAX + 2]; /* the line, its '\n', the NUL */
    unsigned long n = 0;

    while (fgets(line, sizeof(line), in)) {
        size_t len = strlen(line);
        char *p = line, *end;

        n++;
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        if (len > DNS_CHECK_LINE_MAX) {
            buf_reset(err);
            buf_addf(err, "line %lu longer than %d bytes", n,
                     DNS_CHECK_LINE_MAX);
            return -1;
        }
        while (*p == ' ' || *p == '\t')
            p++;
        end = p + strcspn(p, " \t\r\n#");
        if (end == p)
            continue;
        *end = '\0';
        if (resolver_add(r, p, err) < 0) {
            buf_addf(err, " (line %lu)", n);
            return -1;
        }
    }
    if (ferror(in)) {
        buf_reset(err);
        buf_addf(err, "cannot read stdin: %s", strerror(errno));
        return -1;
    }
    return 0;
}

static json_t *
json_list(const struct resolve_list *l)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < l->n; i++)
        json_array_append_new(a, json_string(l->v[i]));
    return a;
}

json_t *
cli_resolve_json(const struct resolve_result *res)
{
    static const char *names[] = { "addresses", "ns", "mx", "cname" };
    const struct resolve_list *lists[] = { &res->addrs, &res->ns, &res->mx,
                                           &res->cname };
    json_t *o = json_object();
    char key[32];
    int k;

    json_object_set_new(o, "name", json_string(res->name));
    json_object_set_new(o, "state",
                        json_string(resolve_state_name(res->state)));
    json_object_set_new(o, "reason", res->reason ? json_string(res->reason)
                                                 : json_null());
    for (k = 0; k < 4; k++) {
        json_object_set_new(o, names[k], json_list(lists[k]));
        if (lists[k]->more) {
            snprintf(key, sizeof(key), "%s_more", names[k]);
            json_object_set_new(o, key,
                                json_integer((json_int_t)lists[k]->more));
        }
    }
    json_object_set_new(o, "zone",
                        res->zone ? json_string(res->zone) : json_null());
    json_object_set_new(o, "queries", json_integer(res->queries));
    return o;
}

static void
print_json(const struct resolve_result *res)
{
    json_t *o = cli_resolve_json(res);
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

    puts(s);
    free(s);
    json_decref(o);
}

/* "label a, b (+N)" for one list of the details column. */
static void
add_list(struct buf *b, const char *label, const struct resolve_list *l,
         const char *sep)
{
    size_t i;

    if (l->n == 0)
        return;
    if (b->len)
        buf_adds(b, "; ");
    buf_adds(b, label);
    for (i = 0; i < l->n; i++)
        buf_addf(b, "%s%s", i ? sep : " ", l->v[i]);
    if (l->more)
        buf_addf(b, " (+%zu)", l->more);
}

void
cli_resolve_details(struct buf *d, const struct resolve_result *res)
{
    add_list(d, "addr", &res->addrs, ", ");
    add_list(d, "ns", &res->ns, ", ");
    add_list(d, "mx", &res->mx, ", ");
    add_list(d, "cname", &res->cname, " -> ");
    if (res->reason)
        buf_addf(d, "%s%s", d->len ? "; " : "", res->reason);
    if (res->state == RESOLVE_UNREGISTERED && res->zone)
        buf_addf(d, "%szone %s", d->len ? "; " : "", res->zone);
}

static void
add_row(struct table *t, const struct resolve_result *res)
{
    struct buf d = BUF_INIT(16384);
    const char *row[3];

    cli_resolve_details(&d, res);
    row[0] = res->name;
    row[1] = resolve_state_name(res->state);
    row[2] = d.len ? buf_str(&d) : NULL;
    table_add(t, row);
    buf_release(&d);
}

/* An option within [1, max]; exits with a usage error. */
static unsigned
number(const char *opt, const char *v, long max)
{
    long n;

    if (!cli_number(opt, v, 1, max, &n))
        exit(EXIT_USAGE);
    return (unsigned)n;
}

bool
cli_resolve_option(int ch, const char *arg, struct resolve_opts *o)
{
    switch (ch) {
    case 's':
        o->servers = arg;
        return true;
    case 'r':
        o->rate = number("--rate", arg, RESOLVE_MAX_RATE);
        return true;
    case 'm':
        o->max_inflight = number("--max-inflight", arg,
                                 RESOLVE_MAX_INFLIGHT);
        return true;
    case 't':
        o->timeout_ms = number("--timeout", arg, RESOLVE_MAX_TIMEOUT_MS);
        return true;
    case 'n':
        o->tries = number("--tries", arg, RESOLVE_MAX_TRIES);
        return true;
    case 'w':
        o->no_wildcard = true;
        return true;
    default:
        return false;
    }
}

int
cmd_dns_check(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_RESOLVE_OPTIONS,
        { "json", no_argument, NULL, 'j' },
        { NULL, 0, NULL, 0 },
    };
    struct resolve_opts o = { 0 };
    struct buf err = BUF_INIT(4096);
    struct resolver *r = NULL;
    struct progress p = { 0 };
    struct timespec t0, t1;
    bool json = false;
    int rc = EXIT_OK, ch, i;
    size_t k;
    double secs;

    (void)c;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (ch == 'j')
            json = true;
        else if (!cli_resolve_option(ch, optarg, &o)) {
            fputs(usage, stderr);
            return EXIT_USAGE;
        }
    }
    r = resolver_new(&o, &err);
    if (r == NULL) {
        fprintf(stderr, "drpwatch: dns-check: %s\n", buf_str(&err));
        rc = EXIT_USAGE;
        goto out;
    }
    for (i = optind; i < argc; i++) {
        int add = strcmp(argv[i], "-") ? resolver_add(r, argv[i], &err)
                                       : read_names(r, stdin, &err);

        if (add < 0) {
            fprintf(stderr, "drpwatch: dns-check: %s\n", buf_str(&err));
            rc = EXIT_USAGE;
            goto out;
        }
    }
    if (optind == argc && read_names(r, stdin, &err) < 0) {
        fprintf(stderr, "drpwatch: dns-check: %s\n", buf_str(&err));
        rc = EXIT_USAGE;
        goto out;
    }
    p.total = resolver_count(r);
    p.tty = isatty(STDERR_FILENO);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (resolver_run(r, on_done, &p) < 0) {
        rc = EXIT_FAIL;
        goto out;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (p.tty && p.total)
        fputc('\n', stderr);
    if (json) {
        for (k = 0; k < p.total; k++)
            print_json(resolver_result(r, k));
    } else {
        static const char *head[] = { "NAME", "STATE", "DETAILS" };
        static const int max[] = { 0, 0, 160 };
        struct table *t = table_new(3, head, max);

        for (k = 0; k < p.total; k++)
            add_row(t, resolver_result(r, k));
        table_print(t, stdout);
        table_free(t);
    }
    if (fflush(stdout) != 0) {
        log_err("dns-check: cannot write the output: %s", strerror(errno));
        rc = EXIT_FAIL;
        goto out;
    }
    secs = (double)(t1.tv_sec - t0.tv_sec) +
           (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    log_info("dns-check: %zu names, %lu queries in %.3f s (%.0f names/s): "
             "%zu registered, %zu unregistered, %zu wildcard, %zu unknown",
             p.total, resolver_queries(r), secs,
             secs > 0 ? (double)p.total / secs : 0.0,
             p.states[RESOLVE_REGISTERED], p.states[RESOLVE_UNREGISTERED],
             p.states[RESOLVE_WILDCARD], p.states[RESOLVE_UNKNOWN]);
    if (p.states[RESOLVE_UNKNOWN])
        rc = EXIT_PARTIAL;
out:
    resolver_free(r);
    buf_release(&err);
    return rc;
}
