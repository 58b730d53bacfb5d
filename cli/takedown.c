/*
 * Takedown wiring (takedown.h): storage's evidence, one GET of the target
 * and the RDAP lookups on the crawler's fetcher (every cap and guardrail
 * of a crawl), alerts/'s pack and verdicts, storage's records. Never
 * posts, never logs a page: one GET per target and per lookup.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alerts/alerts.h"
#include "alerts/rdap.h"
#include "alerts/takedown.h"
#include "cli/cli.h"
#include "cli/takedown.h"
#include "common/err.h"
#include "common/log.h"
#include "common/secret.h"
#include "common/xalloc.h"
#include "crawler/fetch.h"
#include "crawler/resolve.h"
#include "crawler/url.h"
#include "storage/cases.h"
#include "storage/takedown.h"
#include "common/banned.h"

#define POLL_MS 250
#define DNS_TIMEOUT_MS 2000 /* per try of a query */
#define DNS_TRIES 2

void
takedown_fetch_opts(const struct config *cfg, struct fetch_opts *fo)
{
    memset(fo, 0, sizeof(*fo));
    fo->tor_proxy = cfg->tor_proxy;
    fo->concurrency = cfg->crawl.concurrency;
    fo->per_host = 4;
    fo->timeout = cfg->crawl.timeout;
    fo->onion_timeout = cfg->crawl.onion_timeout;
    fo->low_speed_time = cfg->crawl.low_speed_time;
    /* RDAP answers have their own cap, which may be the larger. */
    fo->max_body = cfg->crawl.max_body > cfg->rdap.max_bytes
                       ? cfg->crawl.max_body
                       : cfg->rdap.max_bytes;
    fo->max_redirects = cfg->crawl.max_redirects;
    fo->user_agent = cfg->crawl.user_agent;
}

static void
utc_now(char *out, size_t n)
{
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Runs f until every transfer is done; results into slots by user. */
static void
drain(struct fetcher *f, struct fetch_result **slots, size_t n)
{
    struct fetch_result *r;
    size_t i;

    while (fetcher_pending(f) > 0) {
        if (fetcher_poll(f, POLL_MS) < 0)
            break;
        while ((r = fetcher_next(f)) != NULL) {
            for (i = 0; i < n; i++)
                if (r->user == &slots[i])
                    break;
            if (i < n && slots[i] == NULL)
                slots[i] = r;
            else
                fetch_result_free(r);
        }
    }
}

/* The bootstrap files of cfg, read and parsed; a file that fails is
   skipped with its reason in why (the lookups then say what is missing). */
static struct rdap_bootstrap *
load_bootstrap(const struct config *cfg, struct buf *why)
{
    struct rdap_bootstrap *b = rdap_bootstrap_new();
    struct buf text = BUF_INIT(RDAP_MAX_BOOTSTRAP);
    struct buf err = BUF_INIT(1024);
    size_t i;

    for (i = 0; i < cfg->rdap.nbootstrap; i++) {
        const char *path = cfg->rdap.bootstrap[i];

        buf_reset(&text);
        buf_reset(&err);
        if (config_read_file(path, &text, &err) < 0 ||
            rdap_bootstrap_add(b, path, buf_str(&text), text.len, &err) < 0) {
            log_warn("cannot use an RDAP bootstrap file: %s", buf_str(&err));
            buf_addf(why, "%s%s", why->len ? "; " : "", buf_str(&err));
        }
    }
    buf_release(&text);
    buf_release(&err);
    return b;
}

/* One RDAP lookup in flight or done. */
struct lookup {
    bool ip;
    char *query;
    char *server;       /* the URL asked */
    json_t *result;
    char *error;
    struct fetch_result *res;
};

static void
lookup_release(struct lookup *l)
{
    free(l->query);
    free(l->server);
    json_decref(l->result);
    free(l->error);
    fetch_result_free(l->res);
}

/* Queues the lookup of l->query on f, or sets l->error. */
static void
lookup_start(struct lookup *l, const struct config *cfg,
             const struct rdap_bootstrap *b, const char *bootstrap_errors,
             struct fetcher *f, void *user)
{
    struct buf err = BUF_INIT(1024);
    struct fetch_req req = { 0 };

    l->server = rdap_lookup_url(b, l->ip ? cfg->rdap.ip : cfg->rdap.domain,
                                l->ip, l->query, &err);
    if (l->server == NULL) {
        l->error = *bootstrap_errors
                       ? xasprintf("%s (bootstrap unusable: %s)",
                                   buf_str(&err), bootstrap_errors)
                       : xstrdup(buf_str(&err));
        buf_release(&err);
        return;
    }
    req.url = l->server;
    req.allow_private = cfg->rdap.allow_private;
    req.max_body = cfg->rdap.max_bytes;
    req.timeout = cfg->rdap.timeout;
    req.accept = RDAP_ACCEPT;
    req.types = rdap_types;
    req.user = user;
    fetcher_add(f, &req);
    buf_release(&err);
}

/* What the answer to l says, or why there is none. */
static void
lookup_finish(struct lookup *l, const struct config *cfg)
{
    struct fetch_result *r = l->res;
    struct buf err = BUF_INIT(1024);
    char *msg;

    if (l->error || l->server == NULL)
        goto out;
    if (r == NULL) {
        l->error = xstrdup("RDAP lookup did not finish");
    } else if (r->err == 0) {
        l->result = l->ip ? rdap_parse_ip(buf_str(&r->body), r->body.len,
                                          &err)
                          : rdap_parse_domain(buf_str(&r->body), r->body.len,
                                              &err);
        if (l->result == NULL)
            l->error = xasprintf("%s (from %s)", buf_str(&err), l->server);
    } else if (r->status >= 400) {
        /* An RDAP error object when the server sent one (an HTML error
           page is not read past its headers). */
        msg = rdap_error_message(buf_str(&r->body), r->body.len);
        if (r->status == 404)
            l->error = xasprintf("the RDAP server has no record of %s "
                                 "(HTTP 404 from %s%s%s)",
                                 l->query, l->server, msg ? ": " : "",
                                 msg ? msg : "");
        else
            l->error = xasprintf("the RDAP server answered HTTP %ld (%s%s%s)",
                                 r->status, l->server, msg ? ": " : "",
                                 msg ? msg : "");
        free(msg);
    } else if (r->err == DRP_ETOOBIG) {
        l->error = xasprintf("RDAP answer larger than %ld bytes "
                             "(rdap.max_bytes) from %s",
                             cfg->rdap.max_bytes, l->server);
    } else if (r->err == DRP_ETYPE) {
        l->error = xasprintf("RDAP answer of type '%s', not "
                             "application/rdap+json, from %s",
                             r->content_type ? r->content_type : "-",
                             l->server);
    } else if (r->fail == FETCH_FAIL_PRIVATE) {
        l->error = xasprintf("the RDAP server %s is on a loopback or "
                             "private address: refused (rdap.allow_private "
                             "allows it, for a test server)",
                             l->server);
    } else {
        l->error = xasprintf("RDAP server unreachable: %s (%s; "
                             "rdap.timeout is %d s)",
                             r->errmsg ? r->errmsg : "no answer", l->server,
                             cfg->rdap.timeout);
    }
out:
    buf_release(&err);
}

static const char *
jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* The addresses of a resolver answer of one family, as a new array. */
static json_t *
family(const json_t *addresses, bool v6)
{
    json_t *arr = json_array();
    const json_t *v;
    size_t i;

    json_array_foreach(addresses, i, v)
        if ((strchr(json_string_value(v), ':') != NULL) == v6)
            json_array_append_new(arr, json_string(json_string_value(v)));
    return arr;
}

/*
 * The target's DNS records (crawler/resolve.h, without its wildcard
 * probes): the host's A, AAAA and CNAME chain, the registrable domain's
 * NS and MX. NULL with *why set when there are none to be had.
 */
static json_t *
dns_records(const struct config *cfg, const char *host, const char *domain,
            char **why)
{
    struct resolve_opts o = { 0 };
    struct buf err = BUF_INIT(1024);
    const struct resolve_result *h, *d;
    struct resolver *r;
    json_t *dns = NULL, *hj, *dj;

    o.servers = cfg->takedown.dns_servers;
    o.no_wildcard = true;
    o.timeout_ms = DNS_TIMEOUT_MS;
    o.tries = DNS_TRIES;
    r = resolver_new(&o, &err);
    if (r == NULL) {
        *why = xasprintf("DNS resolver unusable: %s (takedown.dns_servers)",
                         buf_str(&err));
        goto out;
    }
    if (resolver_add(r, host, &err) < 0 ||
        (domain && resolver_add(r, domain, &err) < 0)) {
        *why = xasprintf("not looked up: %s", buf_str(&err));
        goto out;
    }
    if (resolver_run(r, NULL, NULL) < 0) {
        *why = xstrdup("DNS lookups failed (poll)");
        goto out;
    }
    h = resolver_result(r, 0);
    d = resolver_count(r) > 1 ? resolver_result(r, 1) : h;
    hj = cli_resolve_json(h);
    dj = cli_resolve_json(d);
    dns = json_object();
    json_object_set_new(dns, "a",
                        family(json_object_get(hj, "addresses"), false));
    json_object_set_new(dns, "aaaa",
                        family(json_object_get(hj, "addresses"), true));
    json_object_set(dns, "cname", json_object_get(hj, "cname"));
    json_object_set(dns, "ns", json_object_get(dj, "ns"));
    json_object_set(dns, "mx", json_object_get(dj, "mx"));
    json_object_set(dns, "state", json_object_get(hj, "state"));
    json_decref(hj);
    json_decref(dj);
    if (h->state == RESOLVE_UNREGISTERED)
        *why = xasprintf("%s does not exist in DNS", host);
    else if (h->reason || (d != h && d->reason))
        *why = xasprintf("%s%s%s", h->reason ? h->reason : "",
                         h->reason && d != h && d->reason ? "; " : "",
                         d != h && d->reason ? d->reason : "");
out:
    resolver_free(r);
    buf_release(&err);
    return dns;
}

/* The audit event's detail: who the request goes to, what is missing. */
static char *
pack_detail(const json_t *pack)
{
    const json_t *to = json_object_get(json_object_get(pack, "request"),
                                       "to");
    size_t nmiss = json_array_size(json_object_get(pack, "missing"));
    struct buf b = BUF_INIT(4096);
    json_t *v;
    size_t i;

    buf_adds(&b, "pack built; request to ");
    json_array_foreach(to, i, v)
        buf_addf(&b, "%s%s", i ? ", " : "", json_string_value(v));
    if (json_array_size(to) == 0)
        buf_adds(&b, "nobody known (no abuse e-mail in RDAP)");
    if (nmiss)
        buf_addf(&b, "; %zu item%s missing (see the pack)", nmiss,
                 nmiss == 1 ? "" : "s");
    return buf_detach(&b, NULL);
}

int
takedown_make(struct db *db, const struct config *cfg, long long id,
              const char *actor, const char *note, struct takedown_made *out,
              struct buf *err)
{
    struct takedown_input in = { 0 };
    struct takedown_record rec = { 0 };
    char *dns_why = NULL;
    json_t *dns = NULL;
    struct buf bootstrap_errors = BUF_INIT(4096);
    struct rdap_bootstrap *bs = NULL;
    struct lookup reg = { 0 }, host = { 0 };
    struct fetch_result *slots[3] = { NULL, NULL, NULL };
    struct fetch_opts fo;
    struct fetcher *f = NULL;
    struct fetch_req req = { 0 };
    json_t *ev = NULL, *alert, *src;
    const char *status, *url;
    char *target_host = NULL, *detail = NULL, *pack_text = NULL;
    char now[32], fetched_at[32], sha[65];
    int rc = 0;

    memset(out, 0, sizeof(*out));
    ev = store_takedown_evidence(db, id, err);
    if (ev == NULL)
        return strncmp(buf_str(err), "no alert", 8) == 0 ? DRP_ENOTFOUND
                                                         : DRP_EDB;
    alert = json_object_get(ev, "alert");
    src = json_object_get(ev, "source");
    status = jstr(alert, "status");
    url = jstr(alert, "url");
    snprintf(out->from, sizeof(out->from), "%s", status ? status : "");
    if (strcmp(out->from, "takedown-requested") != 0 &&
        !alerts_transition_allowed(out->from, "takedown-requested")) {
        buf_addf(err, "alert %lld is %s: it cannot become takedown-requested%s",
                 id, out->from,
                 alerts_status_closed(out->from)
                     ? " (reopen it first: drpwatch alerts reopen ID)"
                     : "");
        rc = DRP_ENOTFOUND;
        goto out;
    }
    if (url == NULL || (target_host = url_host(url)) == NULL) {
        buf_addf(err, "alert %lld has no URL to take down", id);
        rc = DRP_ENOTFOUND;
        goto out;
    }

    /* Its DNS records first (bounded: DNS_TRIES of DNS_TIMEOUT_MS per
       query); then the target and its domain's registrar at once; the
       network once the address is known. */
    reg.query = rdap_registrable(target_host);
    if (url_is_onion(url))
        dns_why = xstrdup("an onion service has no DNS records");
    else if (reg.query == NULL)
        dns_why = xasprintf("the host '%s' is an address or has no "
                            "registrable domain", target_host);
    else
        dns = dns_records(cfg, target_host, reg.query, &dns_why);
    bs = load_bootstrap(cfg, &bootstrap_errors);
    takedown_fetch_opts(cfg, &fo);
    f = fetcher_new(&fo);
    req.url = url;
    req.max_body = cfg->crawl.max_body;
    req.tor = json_is_true(json_object_get(src, "tor"));
    req.allow_private = json_is_true(json_object_get(src, "allow_private"));
    req.isolation = jstr(src, "name");
    req.user = &slots[0];
    utc_now(fetched_at, sizeof(fetched_at));
    log_info("takedown: fetching the target again: alert=%lld url='%s'", id,
             url);
    fetcher_add(f, &req);
    if (url_is_onion(url))
        reg.error = xstrdup("an onion service has no registrar");
    else if (reg.query == NULL)
        reg.error = xasprintf("the host '%s' is an address or has no "
                              "registrable domain: no registrar to look up",
                              target_host);
    else
        lookup_start(&reg, cfg, bs, buf_str(&bootstrap_errors), f,
                     &slots[1]);
    drain(f, slots, 3);
    reg.res = slots[1];
    slots[1] = NULL;
    if (slots[0] && slots[0]->primary_ip) {
        host.ip = true;
        host.query = xstrdup(slots[0]->primary_ip);
        lookup_start(&host, cfg, bs, buf_str(&bootstrap_errors), f,
                     &slots[2]);
        drain(f, slots, 3);
        host.res = slots[2];
        slots[2] = NULL;
    } else if (slots[0] && slots[0]->via_tor) {
        host.error = xstrdup("the target is reached through Tor: its "
                             "hosting network is hidden");
    } else {
        host.error = xasprintf("no address to look up: the target could "
                               "not be reached (%s)",
                               slots[0] && slots[0]->errmsg
                                   ? slots[0]->errmsg
                                   : "no answer");
    }
    lookup_finish(&reg, cfg);
    lookup_finish(&host, cfg);

    in.alert = alert;
    in.page = json_is_object(json_object_get(ev, "page"))
                  ? json_object_get(ev, "page")
                  : NULL;
    in.saved_copy = jstr(ev, "text");
    in.saved_len = in.saved_copy ? strlen(in.saved_copy) : 0;
    in.urls = json_object_get(ev, "urls");
    in.url = url;
    in.host = target_host;
    in.domain = reg.query;
    in.fetch.at = fetched_at;
    in.fetch.url = url;
    if (slots[0]) {
        struct fetch_result *r = slots[0];

        in.fetch.final_url = r->final_url;
        in.fetch.status = r->status;
        in.fetch.ip = r->primary_ip;
        in.fetch.via_tor = r->via_tor;
        in.fetch.error = r->errmsg;
        if (r->err == 0 && r->status == 200) {
            sha256_hex(buf_str(&r->body), r->body.len, sha);
            in.fetch.sha256 = sha;
        }
    } else {
        in.fetch.error = "the fetch did not finish";
    }
    in.dns = dns;
    in.dns_missing = dns_why;
    in.registrar.query = reg.query;
    in.registrar.server = reg.server;
    in.registrar.result = reg.result;
    in.registrar.error = reg.error;
    in.hosting.query = host.query;
    in.hosting.server = host.server;
    in.hosting.result = host.result;
    in.hosting.error = host.error;
    in.requester = cfg->takedown.requester;
    in.contact = cfg->takedown.contact;
    utc_now(now, sizeof(now));
    in.generated_at = now;
    out->pack = takedown_pack(&in);

    detail = pack_detail(out->pack);
    pack_text = json_dumps(out->pack, JSON_COMPACT);
    rec.alert_id = id;
    rec.from = out->from;
    rec.actor = actor;
    rec.note = note;
    rec.url = url;
    rec.pack = pack_text;
    rec.saved_copy = in.saved_copy;
    rec.detail = detail;
    rec.recheck = cfg->takedown.recheck;
    rc = store_takedown_request(db, &rec, &out->takedown_id, err);
    if (rc < 0) {
        json_decref(out->pack);
        out->pack = NULL;
        goto out;
    }
    json_object_set_new(out->pack, "takedown_id",
                        json_integer(out->takedown_id));
    if (in.saved_copy)
        out->saved_copy = xstrdup(in.saved_copy);
    log_info("takedown requested: alert=%lld pack=%lld %s", id,
             out->takedown_id, detail);
out:
    json_decref(dns);
    free(dns_why);
    free(pack_text);
    free(detail);
    lookup_release(&reg);
    lookup_release(&host);
    fetch_result_free(slots[0]);
    fetch_result_free(slots[1]);
    fetch_result_free(slots[2]);
    fetcher_free(f);
    rdap_bootstrap_free(bs);
    buf_release(&bootstrap_errors);
    free(target_host);
    json_decref(ev);
    return rc;
}

static int
write_file(const char *dir, const char *name, const char *data, size_t len,
           struct buf *err)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    int rc = 0;

    if (fp == NULL || fwrite(data, 1, len, fp) != len) {
        buf_addf(err, "cannot write %s: %s", path, strerror(errno));
        rc = DRP_EIO;
    }
    if (fp && fclose(fp) != 0 && rc == 0) {
        buf_addf(err, "cannot write %s: %s", path, strerror(errno));
        rc = DRP_EIO;
    }
    free(path);
    return rc;
}

int
takedown_write_dir(const char *dir, const json_t *pack,
                   const char *saved_copy, struct buf *err)
{
    const json_t *req = json_object_get(pack, "request");
    struct buf text = BUF_INIT(4u << 20);
    const json_t *v;
    char *json;
    size_t i;
    int rc;

    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        buf_addf(err, "cannot make the directory %s: %s", dir,
                 strerror(errno));
        return DRP_EIO;
    }
    json = json_dumps(pack, JSON_INDENT(2));
    rc = write_file(dir, "pack.json", json, strlen(json), err);
    free(json);
    buf_adds(&text, "To: ");
    json_array_foreach(json_object_get(req, "to"), i, v)
        buf_addf(&text, "%s%s", i ? ", " : "", json_string_value(v));
    buf_addf(&text, "\nSubject: %s\n\n%s", jstr(req, "subject"),
             jstr(req, "text") ? jstr(req, "text") : "");
    if (rc == 0)
        rc = write_file(dir, "request.txt", buf_str(&text), text.len, err);
    if (rc == 0 && saved_copy) {
        rc = write_file(dir, TAKEDOWN_SAVED_COPY, saved_copy,
                        strlen(saved_copy), err);
    } else if (rc == 0) {
        /* Not an older pack's copy beside this pack. */
        char *path = xasprintf("%s/%s", dir, TAKEDOWN_SAVED_COPY);

        if (unlink(path) < 0 && errno != ENOENT) {
            buf_addf(err, "cannot remove %s: %s", path, strerror(errno));
            rc = DRP_EIO;
        }
        free(path);
    }
    buf_release(&text);
    return rc;
}

/* ---- follow-through ---- */

struct check {
    long long takedown_id, alert_id;
    int unreachable;
    char *url;
    struct check *next;
};

struct takedown_checker {
    struct db *db;
    const struct config *cfg;
    struct check *inflight;
    int pending;
    json_t *checks;
    json_t *reminders;
};

struct takedown_checker *
takedown_checker_new(struct db *db, const struct config *cfg)
{
    struct takedown_checker *tc = xcalloc(1, sizeof(*tc));

    tc->db = db;
    tc->cfg = cfg;
    tc->checks = json_array();
    tc->reminders = json_array();
    return tc;
}

void
takedown_checker_free(struct takedown_checker *tc)
{
    struct check *c, *next;

    if (tc == NULL)
        return;
    /* Checks still in flight come back when their claim expires. */
    for (c = tc->inflight; c; c = next) {
        next = c->next;
        free(c->url);
        free(c);
    }
    json_decref(tc->checks);
    json_decref(tc->reminders);
    free(tc);
}

int
takedown_checker_start(struct takedown_checker *tc, struct fetcher *f,
                       bool all, int max)
{
    struct buf err = BUF_INIT(4096);
    json_t *due, *o;
    size_t i;

    due = store_takedowns_claim(tc->db, all, max, TAKEDOWN_CLAIM_LEASE, &err);
    if (due == NULL) {
        log_err("cannot claim takedown re-checks: %s", buf_str(&err));
        buf_release(&err);
        return DRP_EDB;
    }
    json_array_foreach(due, i, o) {
        struct check *c = xcalloc(1, sizeof(*c));
        struct fetch_req req = { 0 };

        c->takedown_id = json_integer_value(json_object_get(o,
                                                            "takedown_id"));
        c->alert_id = json_integer_value(json_object_get(o, "alert_id"));
        c->unreachable = (int)json_integer_value(json_object_get(o,
                                                            "unreachable"));
        c->url = xstrdup(jstr(o, "url"));
        c->next = tc->inflight;
        tc->inflight = c;
        tc->pending++;
        /* One GET, with the policy of the source it was found on. */
        req.url = c->url;
        req.max_body = tc->cfg->crawl.max_body;
        req.tor = json_is_true(json_object_get(o, "tor"));
        req.allow_private = json_is_true(json_object_get(o, "allow_private"));
        req.user = c;
        log_debug("takedown re-check: alert=%lld url='%s'", c->alert_id,
                  c->url);
        fetcher_add(f, &req);
    }
    i = json_array_size(due);
    json_decref(due);
    buf_release(&err);
    return (int)i;
}

int
takedown_checker_pending(const struct takedown_checker *tc)
{
    return tc->pending;
}

bool
takedown_checker_take(struct takedown_checker *tc, struct fetch_result *r)
{
    struct buf err = BUF_INIT(4096);
    struct takedown_probe p = { 0 };
    struct takedown_verdict v;
    struct takedown_outcome o = { 0 };
    struct check **pp, *c = NULL;
    json_t *rec;
    bool resolved = false;

    for (pp = &tc->inflight; *pp; pp = &(*pp)->next)
        if (*pp == r->user) {
            c = *pp;
            *pp = c->next;
            break;
        }
    if (c == NULL)
        return false;
    tc->pending--;
    p.status = r->status;
    p.unresolved = r->fail == FETCH_FAIL_RESOLVE;
    p.refused = r->fail == FETCH_FAIL_CONNECT;
    p.private_only = r->fail == FETCH_FAIL_PRIVATE;
    p.error = r->errmsg;
    takedown_judge(&p, c->unreachable, tc->cfg->takedown.unreachable_checks,
                   &v);
    o.takedown_id = c->takedown_id;
    o.alert_id = c->alert_id;
    o.state = takedown_state_name(v.state);
    o.result = v.reason;
    o.unreachable = v.unreachable;
    o.resolve = v.resolved;
    o.recheck = tc->cfg->takedown.recheck;
    if (store_takedown_checked(tc->db, &o, &resolved, &err) < 0) {
        log_err("cannot record a takedown re-check: alert=%lld %s",
                c->alert_id, buf_str(&err));
    } else if (resolved) {
        log_info("takedown done: alert=%lld resolved url='%s' %s",
                 c->alert_id, c->url, v.reason);
    } else {
        log_info("takedown re-check: alert=%lld url='%s' %s: %s",
                 c->alert_id, c->url, o.state, v.reason);
    }
    rec = json_pack("{s:I, s:s, s:s, s:s, s:b}", "alert_id",
                    (json_int_t)c->alert_id, "url", c->url, "state", o.state,
                    "result", v.reason, "resolved", resolved);
    if (rec)
        json_array_append_new(tc->checks, rec);
    free(c->url);
    free(c);
    fetch_result_free(r);
    buf_release(&err);
    return true;
}

int
takedown_checker_remind(struct takedown_checker *tc)
{
    struct buf err = BUF_INIT(4096);
    json_t *due, *o;
    size_t i;

    due = store_takedown_remind(tc->db, tc->cfg->takedown.remind_after, &err);
    if (due == NULL) {
        log_err("cannot record takedown reminders: %s", buf_str(&err));
        buf_release(&err);
        return DRP_EDB;
    }
    json_array_foreach(due, i, o) {
        log_warn("takedown reminder: alert=%lld url='%s' %s",
                 (long long)json_integer_value(json_object_get(o,
                                                               "alert_id")),
                 jstr(o, "url"), jstr(o, "detail"));
        json_array_append(tc->reminders, o);
    }
    i = json_array_size(due);
    json_decref(due);
    buf_release(&err);
    return (int)i;
}

const json_t *
takedown_checker_checks(const struct takedown_checker *tc)
{
    return tc->checks;
}

const json_t *
takedown_checker_reminders(const struct takedown_checker *tc)
{
    return tc->reminders;
}
