/*
 * storage/settings.c: every setting apply stores is read back as it was
 * (rows -> config -> the same rows), a setting left out writes no row, and
 * rows of an older version or out of range leave the defaults.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/xalloc.h"
#include "storage/store.h"
#include "tests/tap.h"

static char **
list(const char *a, const char *b, size_t *n)
{
    char **v = xcalloc(3, sizeof(*v));

    v[0] = xstrdup(a);
    v[1] = xstrdup(b);
    *n = 2;
    return v;
}

/* Every setting away from its default. */
static void
fill(struct config *c)
{
    struct taxii_collection_conf *col;

    c->tor_proxy = xstrdup("socks5h://127.0.0.1:9050");
    c->tor_control = xstrdup("127.0.0.1:9051");
    c->tor_control_password_file = xstrdup("/etc/drpwatch/tor-pass");
    c->tor_newnym_after = 7;
    c->hash_key_file = xstrdup("/etc/drpwatch/hash.key");
    c->benign_file = xstrdup("/etc/drpwatch/benign.txt");
    free(c->crawl.user_agent);
    c->crawl.user_agent = xstrdup("drpwatch-test/1 \"quoted\"\nline");
    c->crawl.concurrency = 33;
    c->crawl.timeout = 44;
    c->crawl.onion_timeout = 55;
    c->crawl.max_body = 3000000000L;
    c->crawl.max_redirects = 0;
    c->crawl.low_speed_time = 9;
    free(c->misp.group);
    c->misp.group = xstrdup("alert");
    c->misp.distribution = 3;
    c->misp.threat_level = 4;
    c->misp.to_ids_min = 101;
    c->misp.key_file = xstrdup("/etc/drpwatch/misp.key");
    c->misp.retries = 20;
    c->taxii.listen = xstrdup("127.0.0.1:19443");
    c->taxii.title = xstrdup("Test TAXII");
    c->taxii.url = xstrdup("https://taxii.example:19443");
    c->taxii.tls_cert = xstrdup("/etc/drpwatch/cert.pem");
    c->taxii.tls_key = xstrdup("/etc/drpwatch/key.pem");
    c->taxii.max_page = 77;
    c->taxii.max_connections = 88;
    c->taxii.users = xcalloc(2, sizeof(*c->taxii.users));
    c->taxii.users[0].name = xstrdup("soc");
    c->taxii.users[0].token_file = xstrdup("/etc/drpwatch/soc.token");
    c->taxii.nusers = 1;
    c->taxii.collections = xcalloc(2, sizeof(*c->taxii.collections));
    col = &c->taxii.collections[0];
    col->alias = xstrdup("brand");
    col->title = xstrdup("Brand");
    col->description = xstrdup("what names the brand");
    col->tlp = list("clear", "green", &col->ntlp);
    col->watch = list("northwind", "nwbank", &col->nwatch);
    col->readers = list("soc", "cti", &col->nreaders);
    c->taxii.ncollections = 1;
    c->lookalikes.enabled = true;
    c->lookalikes.interval = 1000;
    c->lookalikes.retry = 100;
    c->lookalikes.rate = 500;
    c->lookalikes.max_inflight = 600;
    c->lookalikes.timeout_ms = 700;
    c->lookalikes.tries = 3;
    c->lookalikes.http_port = 8080;
    c->lookalikes.fetch = !c->lookalikes.fetch;
    c->lookalikes.allow_private = true;
    c->lookalikes.fuzzers = xstrdup("omission,homoglyph");
    c->lookalikes.servers = xstrdup("127.0.0.1:5353");
    c->rdap.bootstrap = list("/etc/drpwatch/dns.json",
                             "/etc/drpwatch/ipv4.json", &c->rdap.nbootstrap);
    c->rdap.domain = xstrdup("https://rdap.example/");
    c->rdap.ip = xstrdup("https://rdap-ip.example/");
    c->rdap.timeout = 12;
    c->rdap.max_bytes = 123456;
    c->rdap.allow_private = true;
    c->takedown.requester = xstrdup("Northwind Bank security");
    c->takedown.contact = xstrdup("abuse-desk@northwind.example");
    c->takedown.recheck = 111;
    c->takedown.remind_after = 222;
    c->takedown.unreachable_checks = 5;
    c->takedown.dns_servers = xstrdup("127.0.0.1:5300");
}

/* A config that loaded rows (as store_load_settings() does). */
static void
load_rows(struct config *c, json_t *rows)
{
    const char *k;
    json_t *v;

    config_init(c);
    json_object_foreach(rows, k, v)
        store_setting_load(c, k, json_string_value(v));
}

static void
test_round_trip(void)
{
    struct config full, back, def;
    struct buf err = BUF_INIT(4096);
    json_t *rows, *again, *defaults, *v;
    const char *k;
    size_t changed = 0;

    config_init(&full);
    fill(&full);
    rows = store_settings_rows(&full, &err);
    if (!ok(rows != NULL, "the rows of a full config"))
        diag("%s", buf_str(&err));
    load_rows(&back, rows);
    again = store_settings_rows(&back, &err);
    if (!ok(json_equal(rows, again), "read back, it gives the same %zu rows",
            json_object_size(rows))) {
        char *a = json_dumps(rows, JSON_SORT_KEYS | JSON_INDENT(1));
        char *b = json_dumps(again, JSON_SORT_KEYS | JSON_INDENT(1));

        diag("stored: %s\nread back: %s", a, b);
        free(a);
        free(b);
    }
    /* The test means something only if it moved every setting. */
    config_init(&def);
    defaults = store_settings_rows(&def, &err);
    json_object_foreach(rows, k, v) {
        if (json_equal(v, json_object_get(defaults, k)))
            diag("%s is at its default in the test", k);
        else
            changed++;
    }
    is((int)changed, (int)json_object_size(rows),
       "every stored setting was away from its default");
    ok(json_object_get(defaults, "tor.proxy") == NULL &&
           json_object_get(defaults, "rdap.bootstrap") == NULL,
       "an unset setting writes no row");
    is(back.taxii.nusers, 1, "the TAXII user came back");
    ok(back.taxii.ncollections == 1 &&
           back.taxii.collections[0].nreaders == 2,
       "the TAXII collection came back with its readers");
    is((int)back.rdap.nbootstrap, 2, "both RDAP bootstrap files came back");
    json_decref(rows);
    json_decref(again);
    json_decref(defaults);
    config_release(&full);
    config_release(&back);
    config_release(&def);
    buf_release(&err);
}

static void
test_bad_rows(void)
{
    struct config c, d;

    config_init(&c);
    config_init(&d);
    store_setting_load(&c, "crawl.concurrency", "12abc");
    store_setting_load(&c, "crawl.timeout", "-5");
    store_setting_load(&c, "misp.distribution", "4");
    store_setting_load(&c, "lookalikes.http_port", "70000");
    store_setting_load(&c, "taxii", "{not json");
    store_setting_load(&c, "no.such.key", "1");
    ok(c.crawl.concurrency == d.crawl.concurrency &&
           c.crawl.timeout == d.crawl.timeout &&
           c.misp.distribution == d.misp.distribution &&
           c.lookalikes.http_port == d.lookalikes.http_port &&
           c.taxii.max_page == d.taxii.max_page,
       "malformed or out-of-range rows leave the defaults");
    /* Rows of the version before the settings table: lookalike flags
       were written 1/0, rdap.allow_private true/false. */
    store_setting_load(&c, "lookalikes.enabled", "1");
    store_setting_load(&c, "lookalikes.fetch", "0");
    store_setting_load(&c, "rdap.allow_private", "true");
    ok(c.lookalikes.enabled && !c.lookalikes.fetch && c.rdap.allow_private,
       "flags written by the older version read back");
    config_release(&c);
    config_release(&d);
}

int
main(void)
{
    test_round_trip();
    test_bad_rows();
    return done_testing();
}
