/*
 * drpwatch apply FILE: load and validate the YAML, then make the database
 * match it (storage does the work, idempotently).
 */
#include <stdio.h>
#include <string.h>

#include "alerts/rdap.h"
#include "cli/cli.h"
#include "common/config.h"
#include "common/log.h"
#include "crawler/adapter.h"
#include "crawler/permute.h"
#include "crawler/resolve.h"
#include "extract/extract.h"
#include "storage/db.h"
#include "storage/store.h"
#include "common/banned.h"

int
cmd_apply(struct cli *c, int argc, char **argv)
{
    struct config cfg;
    struct buf err = BUF_INIT(8192);
    struct apply_stats st;
    struct db *db = NULL;
    int rc = EXIT_OK;
    size_t i;

    config_init(&cfg);
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: drpwatch apply FILE\n");
        rc = EXIT_USAGE;
        goto out;
    }
    if (config_load(&cfg, argv[1], &err) < 0) {
        fprintf(stderr, "drpwatch: %s\n", buf_str(&err));
        rc = EXIT_USAGE;
        goto out;
    }
    /* Adapter selectors and the known-benign list are checked now, not
       at the next run. */
    for (i = 0; i < cfg.nsources; i++)
        if (adapter_check(&cfg.sources[i], &err) < 0) {
            fprintf(stderr, "drpwatch: %s: %s\n", argv[1], buf_str(&err));
            rc = EXIT_USAGE;
            goto out;
        }
    if (cfg.lookalikes.enabled) {
        const struct lookalike_conf *l = &cfg.lookalikes;
        struct resolve_opts ro = { .servers = l->servers };
        struct resolver *r = NULL;
        uint32_t mask;

        if ((l->fuzzers && permute_parse_fuzzers(l->fuzzers, &mask,
                                                 &err) < 0) ||
            (r = resolver_new(&ro, &err)) == NULL) {
            fprintf(stderr, "drpwatch: %s: lookalikes.%s: %s\n", argv[1],
                    r == NULL && err.len && strstr(buf_str(&err), "fuzzer")
                        ? "fuzzers"
                        : "servers",
                    buf_str(&err));
            rc = EXIT_USAGE;
            goto out;
        }
        resolver_free(r);
    }
    if (cfg.benign_file) {
        struct extractor *x = extractor_new(NULL, 0, NULL, 0);

        rc = x == NULL || cli_load_benign(x, cfg.benign_file) < 0
                 ? EXIT_USAGE
                 : EXIT_OK;
        extractor_free(x);
        if (rc != EXIT_OK)
            goto out;
    }
    /* So are the RDAP bootstrap files. */
    for (i = 0; i < cfg.rdap.nbootstrap; i++) {
        struct rdap_bootstrap *b = rdap_bootstrap_new();
        struct buf text = BUF_INIT(RDAP_MAX_BOOTSTRAP);

        if (config_read_file(cfg.rdap.bootstrap[i], &text, &err) < 0 ||
            rdap_bootstrap_add(b, cfg.rdap.bootstrap[i], buf_str(&text),
                               text.len, &err) < 0) {
            fprintf(stderr, "drpwatch: %s: rdap.bootstrap: %s\n", argv[1],
                    buf_str(&err));
            rc = EXIT_USAGE;
        }
        rdap_bootstrap_free(b);
        buf_release(&text);
        if (rc != EXIT_OK)
            goto out;
    }
    if (cfg.takedown.dns_servers) {
        struct resolve_opts o = { .servers = cfg.takedown.dns_servers };
        struct resolver *r = resolver_new(&o, &err);

        if (r == NULL) {
            fprintf(stderr, "drpwatch: %s: takedown.dns_servers: %s\n",
                    argv[1], buf_str(&err));
            rc = EXIT_USAGE;
            goto out;
        }
        resolver_free(r);
    }
    db = cli_db(c);
    if (db == NULL) {
        rc = EXIT_DB;
        goto out;
    }
    if (store_apply(db, &cfg, &st, &err) < 0) {
        log_err("apply failed: file='%s' %s", argv[1], buf_str(&err));
        rc = EXIT_DB;
        goto out;
    }
    printf("applied %s: watch terms %d new, %d kept, %d retired; "
           "sources %d new, %d updated, %d disabled; "
           "notification channels %d new, %d updated, %d disabled\n",
           argv[1], st.terms_added, st.terms_kept, st.terms_retired,
           st.sources_added, st.sources_updated, st.sources_disabled,
           st.channels_added, st.channels_updated, st.channels_disabled);
out:
    db_close(db);
    config_release(&cfg);
    buf_release(&err);
    return rc;
}
