/*
 * common/config.c: a valid file loads with its defaults; each kind of
 * mistake gives a message with file, line and what is wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "tests/tap.h"

static char path[] = "/tmp/drpwatch-test-config-XXXXXX";

static int
load(const char *text, struct config *cfg, struct buf *err)
{
    FILE *f = fopen(path, "w");

    fputs(text, f);
    fclose(f);
    config_init(cfg);
    buf_reset(err);
    return config_load(cfg, path, err);
}

/* Whether err is "PATH:LINE:COL: ..." mentioning what. */
static int
says(const struct buf *err, int line, const char *what)
{
    char prefix[128];

    snprintf(prefix, sizeof(prefix), "%s:%d:", path, line);
    return strncmp(buf_str(err), prefix, strlen(prefix)) == 0 &&
           strstr(buf_str(err), what) != NULL;
}

static void
check_error(const char *name, const char *text, int line, const char *what)
{
    struct config cfg;
    struct buf err = BUF_INIT(4096);
    int rc = load(text, &cfg, &err);

    is(rc, DRP_ECONFIG, "%s: refused", name);
    if (!ok(says(&err, line, what), "%s: message names line %d and '%s'",
            name, line, what))
        diag("message: %s", buf_str(&err));
    config_release(&cfg);
    buf_release(&err);
}

static void
test_reliability(void)
{
    struct config cfg;
    struct buf err = BUF_INIT(4096);
    int rc = load("sources:\n"
                  "  - {name: a, kind: site, url: http://a/, reliability: 0}\n"
                  "  - {name: b, kind: site, url: http://b/, reliability: 100}\n"
                  "  - {name: c, kind: site, url: http://c/, reliability: 73}\n"
                  "  - {name: d, kind: site, url: http://d/, reliability: A}\n"
                  "  - {name: e, kind: site, url: http://e/, reliability: F}\n",
                  &cfg, &err);

    is(rc, 0, "reliability as numbers and letters loads");
    ok(rc == 0 && cfg.sources[0].reliability == 0 &&
           cfg.sources[1].reliability == 100 &&
           cfg.sources[2].reliability == 73 &&
           cfg.sources[3].reliability == 100 &&
           cfg.sources[4].reliability == 50,
       "0, 100, 73, A=100, F=50");
    config_release(&cfg);
    buf_release(&err);
}

/* A benign_file next to the YAML file, named relative to it. */
static void
test_benign_file(void)
{
    char list[sizeof(path) + 16];
    const char *base = strrchr(path, '/') + 1;
    struct config cfg;
    struct buf err = BUF_INIT(4096);
    char *yaml;
    FILE *f;
    int rc;

    snprintf(list, sizeof(list), "%s.benign", path);
    f = fopen(list, "w");
    fputs("partner domain partner.example.net\n", f);
    fclose(f);
    yaml = xasprintf("benign_file: %s.benign\nwatchlist: []\n", base);
    rc = load(yaml, &cfg, &err);
    is(rc, 0, "benign_file loads");
    is_str(cfg.benign_file, list,
           "a relative benign_file is made absolute against the YAML's "
           "directory");
    config_release(&cfg);
    free(yaml);
    unlink(list);
    check_error("missing benign_file",
                "watchlist: []\nbenign_file: /nonexistent/benign.txt\n", 2,
                "cannot read benign_file '/nonexistent/benign.txt'");
    check_error("empty benign_file", "benign_file: \"\"\n", 1,
                "must not be empty");
    buf_release(&err);
}

/* rdap: and takedown:, with their defaults and their mistakes. */
static void
test_takedown_keys(void)
{
    char boot[sizeof(path) + 16];
    struct config cfg;
    struct buf err = BUF_INIT(4096);
    char *yaml;
    FILE *f;
    int rc;

    rc = load("watchlist: []\n", &cfg, &err);
    ok(rc == 0 && cfg.rdap.nbootstrap == 0 && cfg.rdap.domain == NULL &&
           cfg.rdap.timeout == 15 && cfg.rdap.max_bytes == 1L << 20 &&
           !cfg.rdap.allow_private && cfg.takedown.recheck == 6 * 3600 &&
           cfg.takedown.remind_after == 72 * 3600 &&
           cfg.takedown.unreachable_checks == 3 &&
           cfg.takedown.requester == NULL,
       "defaults: no RDAP server, 15 s, 1 MiB; re-check 6 h, remind after "
       "72 h, 3 unreachable checks");
    config_release(&cfg);
    snprintf(boot, sizeof(boot), "%s.dns", path);
    f = fopen(boot, "w");
    fputs("{}", f);
    fclose(f);
    yaml = xasprintf("rdap:\n  bootstrap: [%s, %s]\n"
                     "  domain: https://rdap.example.net/\n"
                     "  ip: http://127.0.0.1:8080/rdap\n"
                     "  timeout: 5\n  max_bytes: 65536\n"
                     "  allow_private: true\n"
                     "takedown:\n  requester: Northwind, brand protection\n"
                     "  contact: brand@northwind.example\n"
                     "  recheck: 90m\n  remind_after: 3d\n"
                     "  unreachable_checks: 5\n"
                     "  dns_servers: 127.0.0.1:5353\n",
                     boot, strrchr(boot, '/') + 1);
    rc = load(yaml, &cfg, &err);
    is(rc, 0, "rdap and takedown load (%s)", buf_str(&err));
    ok(rc == 0 && cfg.rdap.nbootstrap == 2 &&
           !strcmp(cfg.rdap.bootstrap[1], boot) &&
           !strcmp(cfg.rdap.domain, "https://rdap.example.net/") &&
           !strcmp(cfg.rdap.ip, "http://127.0.0.1:8080/rdap") &&
           cfg.rdap.timeout == 5 && cfg.rdap.max_bytes == 65536 &&
           cfg.rdap.allow_private &&
           !strcmp(cfg.takedown.requester, "Northwind, brand protection") &&
           !strcmp(cfg.takedown.contact, "brand@northwind.example") &&
           cfg.takedown.recheck == 5400 &&
           cfg.takedown.remind_after == 3 * 86400 &&
           cfg.takedown.unreachable_checks == 5 &&
           !strcmp(cfg.takedown.dns_servers, "127.0.0.1:5353"),
       "every value read; a relative bootstrap file is made absolute; "
       "durations with units");
    config_release(&cfg);
    free(yaml);
    yaml = xasprintf("rdap:\n  bootstrap: %s\ntakedown:\n  recheck: 600\n",
                     boot);
    rc = load(yaml, &cfg, &err);
    ok(rc == 0 && cfg.rdap.nbootstrap == 1 && cfg.takedown.recheck == 600,
       "one bootstrap file without a list; a duration in seconds");
    config_release(&cfg);
    free(yaml);
    unlink(boot);
    check_error("missing bootstrap file",
                "rdap:\n  bootstrap: /nonexistent/dns.json\n", 2,
                "cannot read rdap.bootstrap '/nonexistent/dns.json'");
    check_error("rdap server not http",
                "rdap:\n  domain: ftp://rdap.example/\n", 2,
                "'rdap.domain' must be an http:// or https:// base URL");
    check_error("rdap server with a user",
                "rdap:\n  ip: https://u:p@rdap.example/\n", 2,
                "without user name");
    check_error("rdap server with a query",
                "rdap:\n  ip: https://rdap.example/?x=1\n", 2,
                "without user name, query or fragment");
    check_error("unknown rdap key", "rdap:\n  server: x\n", 2,
                "unknown key 'server' in 'rdap' (expected one of: bootstrap");
    check_error("rdap timeout", "rdap:\n  timeout: 0\n", 2,
                "'rdap.timeout' must be between 1 and 300");
    check_error("rdap answer cap", "rdap:\n  max_bytes: 100\n", 2,
                "'rdap.max_bytes' must be between 4096");
    check_error("duration unit", "takedown:\n  recheck: 6w\n", 2,
                "'takedown.recheck' must be a duration from 60s to 30d");
    check_error("duration too short", "takedown:\n  remind_after: 10s\n",
                2, "'takedown.remind_after' must be a duration");
    check_error("duration overflow",
                "takedown:\n  recheck: 99999999999999999999d\n", 2,
                "must be a duration");
    check_error("negative duration", "takedown:\n  recheck: -6h\n", 2,
                "must be a duration");
    check_error("requester on two lines",
                "takedown:\n  requester: \"a\\nb\"\n", 2,
                "'takedown.requester' must be one line");
    check_error("unknown takedown key", "takedown:\n  remind: 3d\n", 2,
                "unknown key 'remind' in 'takedown'");
    buf_release(&err);
}

static void
test_ip_range(void)
{
    struct config cfg;
    struct buf err = BUF_INIT(4096);
    int rc = load("watchlist:\n"
                  "  - {kind: ip_range, value: 192.0.2.0/24}\n"
                  "  - {kind: ip_range, value: 198.51.100.7}\n"
                  "  - {kind: ip_range, value: 0.0.0.0/0}\n"
                  "  - {kind: ip_range, value: \"2001:db8::/32\"}\n"
                  "  - {kind: ip_range, value: \"2001:db8:8000::/33\"}\n",
                  &cfg, &err);

    is(rc, 0, "ip_range values: CIDR ranges and addresses");
    if (rc)
        diag("%s", buf_str(&err));
    config_release(&cfg);
    buf_release(&err);
    check_error("ip_range not an address",
                "watchlist:\n  - {kind: ip_range, value: corp-net}\n", 2,
                "ip_range 'corp-net' must be an IPv4 or IPv6 address");
    check_error("ip_range host bits",
                "watchlist:\n  - {kind: ip_range, value: 192.0.2.1/24}\n",
                2, "host bits zero");
    check_error("ip_range prefix too long",
                "watchlist:\n  - {kind: ip_range, value: 192.0.2.0/33}\n",
                2, "must be an IPv4 or IPv6");
    check_error("ip_range prefix not a number",
                "watchlist:\n  - {kind: ip_range, value: 192.0.2.0/x}\n",
                2, "must be an IPv4 or IPv6");
}

static void
test_valid(void)
{
    struct config cfg;
    struct buf err = BUF_INIT(4096);
    int rc = load("tor:\n"
                  "  proxy: socks5h://127.0.0.1:9050\n"
                  "crawl:\n"
                  "  concurrency: 4\n"
                  "watchlist:\n"
                  "  - kind: brand\n"
                  "    value: Northwind Bank\n"
                  "    priority: high\n"
                  "  - kind: email_domain\n"
                  "    value: northwindbank.com\n"
                  "sources:\n"
                  "  - name: forum\n"
                  "    kind: forum\n"
                  "    url: http://forum.example/\n"
                  "  - name: onion\n"
                  "    kind: forum\n"
                  "    url: http://x.onion/\n"
                  "    tor: yes\n"
                  "    max_depth: 4\n"
                  "    reliability: D\n",
                  &cfg, &err);

    is(rc, 0, "valid config loads");
    if (rc)
        diag("%s", buf_str(&err));
    is_str(cfg.tor_proxy, "socks5h://127.0.0.1:9050", "tor proxy read");
    is(cfg.crawl.concurrency, 4, "crawl.concurrency read");
    is(cfg.crawl.timeout, 30, "crawl.timeout defaults to 30");
    is(cfg.nterms, 2, "two watch terms");
    is_str(cfg.terms[0].value, "Northwind Bank", "term value kept as written");
    is_str(cfg.terms[1].priority, "medium", "priority defaults to medium");
    is(cfg.nsources, 2, "two sources");
    is(cfg.sources[0].max_depth, 2, "max_depth defaults to 2");
    is(cfg.sources[0].reliability, CONFIG_RELIABILITY_DEFAULT,
       "reliability defaults to 50 (F: cannot be judged)");
    is(cfg.sources[1].reliability, 40, "Admiralty D is 40");
    ok(cfg.benign_file == NULL, "no benign_file by default");
    ok(!cfg.sources[0].tor && cfg.sources[1].tor, "tor flags read");
    is(cfg.sources[1].max_depth, 4, "max_depth read");
    ok(cfg.sources[0].enabled, "sources are enabled by default");
    config_release(&cfg);
    buf_release(&err);
}

static void
test_crawler_keys(void)
{
    struct config cfg;
    struct buf err = BUF_INIT(4096);
    const struct source_conf *s;
    int rc = load("sources:\n"
                  "  - name: f\n"
                  "    kind: forum\n"
                  "    url: http://f/\n"
                  "    robots: false\n"
                  "    delay: 1.25\n"
                  "    charset: windows-1251\n"
                  "    session_expired: \"You must be logged in\"\n"
                  "    adapter:\n"
                  "      engine: xenforo\n"
                  "      threads: //li[@class='thread']\n"
                  "      next: //a[@rel='next']/@href\n"
                  "  - {name: p, kind: paste, url: http://p/,\n"
                  "     adapter: {pastes: '//td/a/@href', raw: '/raw/{id}'}}\n",
                  &cfg, &err);

    is(rc, 0, "crawler keys load");
    if (rc != 0)
        diag("%s", buf_str(&err));
    s = rc == 0 ? &cfg.sources[0] : NULL;
    ok(s && !s->robots && s->delay_ms == 1250 &&
           !strcmp(s->charset, "windows-1251") &&
           !strcmp(s->session_marker, "You must be logged in") &&
           !strcmp(s->adapter.engine, "xenforo") &&
           !strcmp(s->adapter.threads, "//li[@class='thread']") &&
           s->adapter.boards == NULL,
       "robots, delay in ms, charset, session marker, engine, selectors");
    s = rc == 0 ? &cfg.sources[1] : NULL;
    ok(s && s->robots && s->delay_ms == 0 &&
           !strcmp(s->adapter.raw, "/raw/{id}"),
       "defaults: robots on, no delay; raw template kept");
    config_release(&cfg);
    buf_release(&err);

    check_error("delay not a number",
                "sources:\n  - {name: a, kind: site, url: http://a/, "
                "delay: soon}\n", 2, "'delay' must be a number of seconds");
    check_error("delay too long",
                "sources:\n  - {name: a, kind: site, url: http://a/, "
                "delay: 3601}\n", 2, "0-3600");
    check_error("unknown engine",
                "sources:\n  - {name: a, kind: forum, url: http://a/, "
                "adapter: {engine: smf}}\n", 2, "unknown forum engine 'smf'");
    check_error("unknown adapter key",
                "sources:\n  - {name: a, kind: forum, url: http://a/, "
                "adapter: {thread: x}}\n", 2, "unknown key 'thread'");
    check_error("tor control not host:port",
                "tor:\n  control: tcp://127.0.0.1:9051\n", 2,
                "'tor.control' must be host:port");
    check_error("newnym_after zero",
                "tor:\n  newnym_after: 0\n", 2, "between 1 and 1000");
    check_error("cookie file missing",
                "sources:\n  - {name: a, kind: forum, url: http://a/, "
                "cookie_file: /nonexistent/cookie.txt}\n", 2,
                "cannot read cookie_file '/nonexistent/cookie.txt'");
}

/* The notifications section: defaults, each type's keys, the mistakes. */
static void
test_channels(void)
{
    struct config cfg;
    struct buf err = BUF_INIT(4096);
    char pw[] = "/tmp/drpwatch-test-smtp-pw-XXXXXX";
    char text[2048];
    int fd = mkstemp(pw), rc;

    ok(fd >= 0 && write(fd, "s3cret\n", 7) == 7, "password file written");
    close(fd);
    snprintf(text, sizeof(text),
             "notifications:\n"
             "  - name: soc-hook\n"
             "    type: webhook\n"
             "    url: https://hooks.example/services/x\n"
             "  - name: chat\n"
             "    type: webhook\n"
             "    url: http://127.0.0.1:9/\n"
             "    format: chat\n"
             "    kinds: [credential-leak, brand-mention]\n"
             "    min_severity: high\n"
             "    digest: daily\n"
             "    digest_at: \"07:30\"\n"
             "    max_attempts: 3\n"
             "    retry: 0.5\n"
             "    timeout: 4\n"
             "  - name: mail\n"
             "    type: email\n"
             "    url: smtps://smtp.example.com:465\n"
             "    from: drpwatch@example.com\n"
             "    to: soc@example.com\n"
             "    username: drpwatch\n"
             "    password_file: %s\n"
             "  - name: siem\n"
             "    type: syslog\n"
             "    address: tcp://[::1]:6514\n", pw);
    rc = load(text, &cfg, &err);
    is(rc, 0, "channels load");
    if (rc != 0)
        diag("%s", buf_str(&err));
    ok(rc == 0 && cfg.nchannels == 4, "four channels");
    if (rc == 0 && cfg.nchannels == 4) {
        const struct notify_channel *h = &cfg.channels[0];
        const struct notify_channel *c = &cfg.channels[1];
        const struct notify_channel *m = &cfg.channels[2];
        const struct notify_channel *y = &cfg.channels[3];

        ok(!strcmp(h->format, "json") && !strcmp(h->min_severity, "medium") &&
               !h->digest && h->kinds == NULL &&
               h->max_attempts == NOTIFY_MAX_ATTEMPTS_DEFAULT &&
               h->retry_ms == NOTIFY_RETRY_MS_DEFAULT &&
               h->timeout == NOTIFY_TIMEOUT_DEFAULT &&
               h->digest_at == NOTIFY_DIGEST_AT_DEFAULT,
           "defaults: json, medium, immediate, every kind, 8 attempts");
        ok(!strcmp(c->format, "chat") && c->nkinds == 2 &&
               !strcmp(c->kinds[1], "brand-mention") &&
               !strcmp(c->min_severity, "high") && c->digest &&
               c->digest_at == 7 * 60 + 30 && c->max_attempts == 3 &&
               c->retry_ms == 500 && c->timeout == 4,
           "every key of a webhook");
        ok(m->nto == 1 && !strcmp(m->to[0], "soc@example.com") &&
               !strcmp(m->username, "drpwatch") &&
               !strcmp(m->password_file, pw),
           "an email channel: one recipient as a scalar, a password file");
        ok(!strcmp(y->address, "tcp://[::1]:6514") &&
               !strcmp(y->facility, "local0"),
           "a syslog channel, facility local0 by default");
    }
    config_release(&cfg);
    buf_release(&err);
    unlink(pw);

    check_error("inline password",
                "notifications:\n  - name: m\n    type: email\n"
                "    url: smtp://a/\n    from: a@b.c\n    to: [c@d.e]\n"
                "    username: u\n    password: hunter2\n", 8,
                "a password is never written in drpwatch.yaml");
    check_error("unknown channel type",
                "notifications:\n  - {name: a, type: pager}\n", 2,
                "unknown channel type 'pager'");
    check_error("webhook without url",
                "notifications:\n  - {name: a, type: webhook}\n", 2,
                "needs 'url', an http:// or https:// URL");
    check_error("smtp url for a webhook",
                "notifications:\n  - {name: a, type: webhook, "
                "url: \"smtp://x/\"}\n", 2, "needs 'url'");
    check_error("user info in a webhook url",
                "notifications:\n  - {name: a, type: webhook, "
                "url: \"https://u:p@x/\"}\n", 2,
                "must not carry a user name or password");
    check_error("a key of another type",
                "notifications:\n  - {name: a, type: webhook, "
                "url: \"http://x/\", address: \"udp://h:1\"}\n", 2,
                "'address' does not apply to a webhook channel");
    check_error("email without recipients",
                "notifications:\n  - {name: a, type: email, "
                "url: \"smtp://x/\", from: a@b.c}\n", 2,
                "needs 'from' and 'to'");
    check_error("bad recipient",
                "notifications:\n  - name: a\n    type: email\n"
                "    url: smtp://x/\n    from: a@b.c\n"
                "    to: [ok@b.c, \"x@y.z>\\r\\nBcc: e@f.g\"]\n", 6,
                "is not an e-mail address");
    check_error("control character in a url",
                "notifications:\n  - {name: a, type: webhook, "
                "url: \"http://x/\\r\\nHost: y\"}\n", 2,
                "must not contain control characters");
    check_error("password file without user",
                "notifications:\n  - {name: a, type: webhook, "
                "url: \"http://x/\", password_file: /etc/hostname}\n", 2,
                "needs 'username'");
    check_error("bad syslog address",
                "notifications:\n  - {name: a, type: syslog, "
                "address: \"udp://h\"}\n", 2, "needs 'address'");
    check_error("unknown facility",
                "notifications:\n  - {name: a, type: syslog, "
                "address: \"udp://h:514\", facility: local9}\n", 2,
                "unknown syslog facility 'local9'");
    check_error("bad severity",
                "notifications:\n  - {name: a, type: webhook, "
                "url: \"http://x/\", min_severity: urgent}\n", 2,
                "unknown severity 'urgent'");
    check_error("bad digest",
                "notifications:\n  - {name: a, type: webhook, "
                "url: \"http://x/\", digest: weekly}\n", 2,
                "'digest' must be daily or immediate");
    check_error("bad digest time",
                "notifications:\n  - {name: a, type: webhook, "
                "url: \"http://x/\", digest_at: \"24:00\"}\n", 2,
                "'digest_at' must be a time of day HH:MM");
    check_error("bad digest minutes",
                "notifications:\n  - {name: a, type: webhook, "
                "url: \"http://x/\", digest_at: \"12:3:\"}\n", 2,
                "'digest_at' must be a time of day HH:MM");
    check_error("bad kind",
                "notifications:\n  - {name: a, type: webhook, "
                "url: \"http://x/\", kinds: [credential-leaks]}\n", 2,
                "'credential-leaks' in 'kinds' is not an alert kind "
                "(credential-leak, ");
    check_error("kind twice",
                "notifications:\n  - {name: a, type: webhook, "
                "url: \"http://x/\", kinds: [canary, canary]}\n", 2,
                "'canary' is listed twice");
    check_error("retry too short",
                "notifications:\n  - {name: a, type: webhook, "
                "url: \"http://x/\", retry: 0}\n", 2,
                "'retry' must be a number of seconds 0.1-86400");
    check_error("duplicate channel",
                "notifications:\n  - {name: a, type: webhook, url: "
                "\"http://x/\"}\n  - {name: a, type: syslog, address: "
                "\"udp://h:1\"}\n", 3, "channel name 'a' is used twice");
    check_error("bad channel name",
                "notifications:\n  - {name: \"a b\", type: webhook, "
                "url: \"http://x/\"}\n", 2, "channel name 'a b' must be");
    {
        /* built at run time: a literal this long is unreadable */
        char *t = xmalloc(CONFIG_MAX_URL + 200);
        int n = snprintf(t, 200, "notifications:\n  - {name: a, type: "
                                 "webhook, url: \"http://x/");

        memset(t + n, 'a', CONFIG_MAX_URL);
        snprintf(t + n + CONFIG_MAX_URL, 100, "\"}\n");
        check_error("url too long", t, 2, "is longer than 2048 bytes");
        free(t);
    }
}

int
main(void)
{
    int fd = mkstemp(path);

    close(fd);
    test_valid();
    check_error("bad YAML", "watchlist:\n  - kind: brand\n   value: [x\n", 3,
                "invalid YAML");
    check_error("unknown top-level key",
                "watchlist: []\nsourcez: []\n", 2,
                "unknown key 'sourcez'");
    check_error("unknown source key",
                "sources:\n  - name: a\n    kind: site\n    url: http://a/\n"
                "    depht: 3\n", 5, "unknown key 'depht'");
    check_error("wrong type: number",
                "crawl:\n  concurrency: many\n", 2,
                "'crawl.concurrency' must be a whole number");
    check_error("wrong type: list for a value",
                "tor:\n  proxy: [a, b]\n", 2, "must be a single value");
    check_error("wrong type: bool",
                "sources:\n  - name: a\n    kind: site\n    url: http://a/\n"
                "    tor: perhaps\n", 5, "'tor' must be true or false");
    check_error("out of range",
                "crawl:\n  concurrency: 0\n", 2, "between 1 and 1000");
    check_error("unknown watch kind",
                "watchlist:\n  - kind: logo\n    value: x\n", 2,
                "unknown watch-term kind 'logo'");
    check_error("missing value",
                "watchlist:\n  - kind: brand\n", 2, "needs both");
    check_error("non-socks proxy",
                "tor:\n  proxy: http://127.0.0.1:8118\n", 2, "socks5h://");
    check_error("duplicate watchlist entry: the first repeat, where it is",
                "watchlist:\n  - {kind: brand, value: Zeta}\n"
                "  - {kind: brand, value: Acme}\n"
                "  - {kind: domain, value: acme.com}\n"
                "  - {kind: brand, value: Acme}\n"
                "  - {kind: brand, value: Zeta}\n", 5,
                "brand 'Acme' is listed twice");
    check_error("duplicate source",
                "sources:\n  - {name: a, kind: site, url: http://a/}\n"
                "  - {name: a, kind: site, url: http://b/}\n", 3,
                "used twice");
    check_error("bad url",
                "sources:\n  - {name: a, kind: site, url: ftp://a/}\n", 2,
                "must start with http");
    check_error("credentials in a source url",
                "sources:\n  - {name: a, kind: site, url: "
                "\"http://u:p@a.example/x@y\"}\n", 2,
                "must not carry a user name or password");
    check_error("sources not a list", "sources: 3\n", 1, "must be a list");
    check_error("reliability letter",
                "sources:\n  - {name: a, kind: site, url: http://a/, "
                "reliability: G}\n", 2,
                "'reliability' must be a number 0-100 or an Admiralty "
                "letter A-F, got 'G'");
    check_error("reliability range",
                "sources:\n  - {name: a, kind: site, url: http://a/, "
                "reliability: 101}\n", 2,
                "'reliability' must be between 0 and 100");
    check_error("reliability negative",
                "sources:\n  - {name: a, kind: site, url: http://a/, "
                "reliability: -1}\n", 2, "'reliability' must be a number");
    test_reliability();
    test_crawler_keys();
    test_benign_file();
    test_ip_range();
    test_takedown_keys();
    test_channels();
    {
        struct config cfg;
        struct buf err = BUF_INIT(4096);

        config_init(&cfg);
        is(config_load(&cfg, "/nonexistent/drpwatch.yaml", &err), DRP_EIO,
           "missing file is an i/o error");
        ok(strstr(buf_str(&err), "/nonexistent/drpwatch.yaml: cannot open")
               != NULL, "missing file message names the file");
        config_release(&cfg);
        buf_release(&err);
    }
    unlink(path);
    return done_testing();
}
