/*
 * drpwatch lookalikes [--fuzzers LIST] [--dictionary FILE] [--json]
 * DOMAIN: the lookalike candidates of a domain (crawler/permute.h), as
 * a table or JSON lines. No database, no DNS.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/buf.h"
#include "common/config.h"
#include "common/log.h"
#include "crawler/permute.h"
#include "common/banned.h"

static const char usage[] =
    "usage: drpwatch lookalikes [--fuzzers LIST] [--dictionary FILE] "
    "[--json] DOMAIN\n";

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

int
cmd_lookalikes(struct cli *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "fuzzers", required_argument, NULL, 'f' },
        { "dictionary", required_argument, NULL, 'd' },
        { NULL, 0, NULL, 0 },
    };
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
    if (optind + 1 != argc) {
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
    print(&l, json, stdout);
    if (fflush(stdout) != 0) {
        log_err("lookalikes: cannot write the output: %s", strerror(errno));
        rc = EXIT_FAIL;
    } else if (l.truncated) {
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
