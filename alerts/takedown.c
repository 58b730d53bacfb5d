/*
 * Takedown packs as JSON, the request text for a registrar's or host's
 * abuse desk, and the verdict of a re-check. Builds from what the caller
 * gathered; never fetches, never stores, and never fails for want of a
 * piece: the pack lists what is missing and why.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/takedown.h"
#include "common/err.h"
#include "common/secret.h"
#include "common/xalloc.h"
#include "common/banned.h"

/* What each kind of case asks for. */
static const struct {
    const char *kind;
    const char *what;   /* "The content at the address below ..." */
    const char *ask;    /* "We ask you to ..." */
    bool domain_level;  /* the registrar acts first */
} asks[] = {
    { "credential-leak",
      "publishes login credentials (user names and passwords) of our "
      "users",
      "remove the content or disable access to it", false },
    { "canary",
      "publishes login credentials taken from our systems",
      "remove the content or disable access to it", false },
    { "secret-leak", "publishes a secret key or access token of ours",
      "remove the content or disable access to it", false },
    { "card-leak", "publishes payment card numbers issued by us",
      "remove the content or disable access to it", false },
    { "brand-mention",
      "uses our brand name in a way we believe infringes our rights",
      "review it under your acceptable-use policy and remove it", false },
    { "own-asset-listed",
      "lists a domain or address of ours as malicious, which it is not",
      "correct the listing", false },
    { "lookalike-domain",
      "is served from a domain name confusingly similar to ours, "
      "registered to deceive our customers",
      "suspend the domain and disable the content", true },
    { "impersonation",
      "impersonates our website to deceive our customers (phishing)",
      "disable the page and suspend the domain", true },
};

static const char *
str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static const char *
or_else(const char *s, const char *dflt)
{
    return s ? s : dflt;
}

static void
set_str(json_t *o, const char *key, const char *s)
{
    if (s)
        json_object_set_new(o, key, json_string(s));
    else
        json_object_set_new(o, key, json_null());
}

static void
missing(json_t *list, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
missing(json_t *list, const char *fmt, ...)
{
    va_list ap;
    char msg[600];

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    json_array_append_new(list, json_string(msg));
}

static size_t
ask_of(const char *kind)
{
    size_t i;

    for (i = 0; kind && i < sizeof(asks) / sizeof(asks[0]); i++)
        if (!strcmp(asks[i].kind, kind))
            return i;
    return 4; /* a brand mention: the mildest request */
}

static json_t *
alert_part(const json_t *a)
{
    /* Not the summary: a credential's carries its password's hint and
       hash prefix, which have no business outside. */
    static const char *const keys[] = { "id", "kind", "severity", "score",
                                        "status", "title", "source",
                                        "first_seen", "last_seen",
                                        "occurrences" };
    json_t *o = json_object();
    size_t i;

    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        json_t *v = json_object_get(a, keys[i]);

        if (v)
            json_object_set(o, keys[i], v);
    }
    return o;
}

static json_t *
check_part(const struct takedown_input *in, json_t *miss)
{
    const struct takedown_fetch *f = &in->fetch;
    json_t *c = json_object();
    const char *stored = str(in->page, "sha256");

    set_str(c, "at", f->at);
    set_str(c, "url", f->url);
    if (f->final_url && f->url && strcmp(f->final_url, f->url) != 0)
        set_str(c, "final_url", f->final_url);
    if (f->status > 0)
        json_object_set_new(c, "http_status", json_integer(f->status));
    set_str(c, "hosting_ip", f->ip);
    json_object_set_new(c, "via_tor", json_boolean(f->via_tor));
    if (f->sha256) {
        set_str(c, "sha256", f->sha256);
        if (stored)
            json_object_set_new(c, "same_as_stored",
                                json_boolean(!strcmp(stored, f->sha256)));
    }
    if (f->error) {
        set_str(c, "error", f->error);
        missing(miss, "check: the target could not be fetched again: %s",
                f->error);
    }
    if (f->via_tor)
        missing(miss, "hosting address: the target is reached through Tor, "
                      "which hides where it is hosted");
    else if (f->ip == NULL)
        missing(miss, "hosting address: no connection was made to the "
                      "target");
    return c;
}

/*
 * DNS: the records looked up for the pack when there are some (the
 * host's A, AAAA and CNAMEs, the domain's NS and MX), else the address
 * the check connected to; that address either way, and whether DNS
 * gives it (a host that answers from elsewhere is worth saying).
 */
static json_t *
dns_part(const struct takedown_input *in, json_t *miss)
{
    static const char *const keys[] = { "a", "aaaa", "cname", "ns", "mx" };
    json_t *d = json_object(), *v;
    const char *ip = in->fetch.ip;
    bool listed = false;
    char note[400];
    size_t i, j;

    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        v = json_object_get(in->dns, keys[i]);
        json_object_set_new(d, keys[i],
                            json_is_array(v) ? json_deep_copy(v)
                                             : json_array());
    }
    if (in->dns) {
        set_str(d, "from", "DNS lookups when the pack was built");
        json_array_foreach(json_object_get(d, strchr(ip ? ip : "", ':')
                                                  ? "aaaa"
                                                  : "a"),
                           j, v)
            listed = listed || (ip && !strcmp(json_string_value(v), ip));
    } else if (ip) {
        json_array_append_new(json_object_get(d, strchr(ip, ':') ? "aaaa"
                                                                 : "a"),
                              json_string(ip));
        set_str(d, "from", "the address the check connected to");
        listed = true;
    }
    set_str(d, "connected", ip);
    if (ip && !listed)
        set_str(d, "connected_note", "the check connected to an address "
                                     "DNS does not give (another resolver, "
                                     "a redirect to another host)");
    if (in->dns_missing) {
        snprintf(note, sizeof(note), "%s%s",
                 in->dns ? "" : "no DNS records: ", in->dns_missing);
        set_str(d, "note", note);
        missing(miss, "dns: %s", note);
    }
    return d;
}

static json_t *
lookup_part(const struct takedown_lookup *l, const char *what,
            const char *query_key, json_t *miss)
{
    json_t *o;

    if (l->result) {
        o = json_deep_copy(l->result);
        if (json_object_get(o, "abuse") == NULL)
            missing(miss, "%s: the RDAP answer names no abuse contact",
                    what);
    } else {
        o = json_object();
        set_str(o, "error", l->error ? l->error : "not looked up");
        missing(miss, "%s: %s", what, l->error ? l->error : "not looked up");
    }
    if (l->query)
        set_str(o, query_key, l->query);
    if (l->server)
        set_str(o, "server", l->server);
    return o;
}

static void
add_to(json_t *to, const json_t *part)
{
    const char *e = str(json_object_get(part, "abuse"), "email");
    json_t *v;
    size_t i;

    if (e == NULL)
        return;
    json_array_foreach(to, i, v)
        if (!strcmp(json_string_value(v), e))
            return;
    json_array_append_new(to, json_string(e));
}

/* One line "  label: value" when value is there. */
static void
line(struct buf *b, const char *label, const char *value)
{
    if (value && *value)
        buf_addf(b, "  %s: %s\n", label, value);
}

/* "  label: a, b, c" when the list has any. */
static void
list_line(struct buf *b, const char *label, const json_t *list)
{
    const json_t *v;
    size_t i;

    if (json_array_size(list) == 0)
        return;
    buf_addf(b, "  %s: ", label);
    json_array_foreach(list, i, v)
        buf_addf(b, "%s%s", i ? ", " : "", json_string_value(v));
    buf_addc(b, '\n');
}

static void
contact_line(struct buf *b, const char *label, const char *name,
             const json_t *ab)
{
    char text[1200];

    if (ab == NULL && name == NULL)
        return;
    snprintf(text, sizeof(text), "%s%s%s%s%s", name ? name : "",
             str(ab, "email") ? (name ? ", abuse " : "abuse ") : "",
             or_else(str(ab, "email"), ""),
             str(ab, "phone") ? ", " : "",
             or_else(str(ab, "phone"), ""));
    line(b, label, text);
}

/* The request: subject and text, ready to paste into an e-mail or a
   registrar's abuse form. */
static void
request_part(json_t *pack, const struct takedown_input *in)
{
    const json_t *alert = json_object_get(pack, "alert");
    const json_t *ev = json_object_get(pack, "evidence");
    const json_t *page = json_object_get(ev, "page");
    const json_t *copy = json_object_get(ev, "saved_copy");
    const json_t *chk = json_object_get(ev, "check");
    const json_t *reg = json_object_get(pack, "registrar");
    const json_t *host = json_object_get(pack, "hosting");
    size_t k = ask_of(str(alert, "kind"));
    json_t *req = json_object(), *to = json_array(), *u;
    const char *who = in->requester ? in->requester : "[your organisation]";
    struct buf b = BUF_INIT(1u << 20);
    char subject[512];
    size_t i;

    if (asks[k].domain_level) {
        add_to(to, reg);
        add_to(to, host);
    } else {
        add_to(to, host);
        add_to(to, reg);
    }
    snprintf(subject, sizeof(subject), "Abuse report: %s at %.300s",
             asks[k].kind, in->url ? in->url : "-");
    buf_addf(&b, "Hello,\n\nWe are %s", who);
    if (in->contact)
        buf_addf(&b, " (%s)", in->contact);
    buf_addf(&b, ". The content at the address below %s. We ask you to %s.\n"
                 "\n",
             asks[k].what, asks[k].ask);
    buf_adds(&b, "What it is:\n");
    line(&b, "case", str(alert, "title"));
    buf_adds(&b, "\nWhere:\n");
    line(&b, "URL", in->url);
    json_array_foreach(json_object_get(ev, "urls"), i, u)
        if (in->url == NULL || strcmp(json_string_value(u), in->url) != 0)
            line(&b, "also at", json_string_value(u));
    line(&b, "host", in->host);
    line(&b, "domain", in->domain);
    line(&b, "hosting address", str(chk, "hosting_ip"));
    list_line(&b, "name servers",
              json_object_get(json_object_get(ev, "dns"), "ns"));
    list_line(&b, "mail exchangers",
              json_object_get(json_object_get(ev, "dns"), "mx"));
    contact_line(&b, "network", str(host, "name"),
                 json_object_get(host, "abuse"));
    contact_line(&b, "registrar",
                 str(json_object_get(reg, "registrar"), "name"),
                 json_object_get(reg, "abuse"));
    buf_adds(&b, "\nEvidence:\n");
    line(&b, "first seen", str(ev, "first_seen"));
    line(&b, "last seen", str(ev, "last_seen"));
    if (page) {
        buf_addf(&b, "  page as we stored it on %s: HTTP %lld, SHA-256 %s\n",
                 or_else(str(page, "fetched_at"), "-"),
                 (long long)json_integer_value(
                     json_object_get(page, "http_status")),
                 or_else(str(page, "sha256"), "-"));
    }
    if (copy)
        buf_addf(&b, "  a copy of its text is attached (%s, %lld bytes, "
                     "SHA-256 %s); passwords, card numbers and secrets in "
                     "it are masked\n",
                 TAKEDOWN_SAVED_COPY,
                 (long long)json_integer_value(json_object_get(copy, "bytes")),
                 str(copy, "sha256"));
    if (json_object_get(chk, "http_status"))
        buf_addf(&b, "  checked again on %s: HTTP %lld%s%s%s\n",
                 or_else(str(chk, "at"), "-"),
                 (long long)json_integer_value(
                     json_object_get(chk, "http_status")),
                 str(chk, "hosting_ip") ? ", served from " : "",
                 or_else(str(chk, "hosting_ip"), ""),
                 json_is_true(json_object_get(chk, "same_as_stored"))
                     ? ", the same page"
                     : json_is_false(json_object_get(chk, "same_as_stored"))
                         ? ", changed since"
                         : "");
    buf_addf(&b, "  our reference: drpwatch case %lld\n",
             (long long)json_integer_value(json_object_get(alert, "id")));
    buf_addf(&b, "\nPlease reply%s%s when it is done or if you need more.\n"
                 "\nThank you,\n%s\n",
             in->contact ? " to " : "", in->contact ? in->contact : "",
             who);
    json_object_set_new(req, "to", to);
    set_str(req, "subject", subject);
    set_str(req, "text", buf_str(&b));
    json_object_set_new(pack, "request", req);
    buf_release(&b);
}

/* The length of url's "scheme://host[:port]", or 0. */
static size_t
origin_len(const char *url)
{
    const char *p = strstr(url, "://");

    if (p == NULL)
        return 0;
    p += 3;
    return (size_t)(p - url) + strcspn(p, "/?#");
}

json_t *
takedown_pack(const struct takedown_input *in)
{
    json_t *pack = json_object(), *miss = json_array();
    json_t *target = json_object(), *ev = json_object(), *urls = json_array();
    json_t *u, *who;
    char sha[65];
    size_t i, origin;

    json_object_set_new(pack, "version", json_integer(TAKEDOWN_PACK_VERSION));
    set_str(pack, "generated_at", in->generated_at);
    json_object_set_new(pack, "alert", alert_part(in->alert));

    set_str(target, "url", in->url);
    set_str(target, "host", in->host);
    set_str(target, "domain", in->domain);
    json_object_set_new(target, "via_tor", json_boolean(in->fetch.via_tor));
    json_object_set_new(pack, "target", target);

    if (in->url)
        json_array_append_new(urls, json_string(in->url));
    /* Other copies on the same site; a brand mention is one page. */
    origin = in->url ? origin_len(in->url) : 0;
    json_array_foreach(in->urls, i, u) {
        const char *s = json_string_value(u);
        size_t j;
        json_t *v;
        bool dup = false;

        if (s == NULL || json_array_size(urls) >= TAKEDOWN_MAX_URLS ||
            origin == 0 || strncmp(s, in->url, origin) != 0 ||
            (s[origin] != '/' && s[origin] != '\0') ||
            !strcmp(or_else(str(in->alert, "kind"), ""),
                    "brand-mention"))
            continue;
        json_array_foreach(urls, j, v)
            dup = dup || !strcmp(json_string_value(v), s);
        if (!dup)
            json_array_append_new(urls, json_string(s));
    }
    json_object_set_new(ev, "urls", urls);
    json_object_set(ev, "first_seen",
                    json_object_get(in->alert, "first_seen")
                        ? json_object_get(in->alert, "first_seen")
                        : json_null());
    json_object_set(ev, "last_seen",
                    json_object_get(in->alert, "last_seen")
                        ? json_object_get(in->alert, "last_seen")
                        : json_null());
    if (in->page) {
        json_object_set(ev, "page", (json_t *)in->page);
    } else {
        json_object_set_new(ev, "page", json_null());
        missing(miss, "page: no stored copy of %s (removed by retention, or "
                      "never stored)",
                in->url ? in->url : "the target");
    }
    if (in->saved_copy) {
        json_t *c = json_object();

        sha256_hex(in->saved_copy, in->saved_len, sha);
        set_str(c, "file", TAKEDOWN_SAVED_COPY);
        json_object_set_new(c, "bytes",
                            json_integer((json_int_t)in->saved_len));
        set_str(c, "sha256", sha);
        set_str(c, "note", "the page's text as stored: passwords, card "
                           "numbers and secrets masked; the page hash is of "
                           "the page as served");
        json_object_set_new(ev, "saved_copy", c);
    } else {
        json_object_set_new(ev, "saved_copy", json_null());
    }
    json_object_set_new(ev, "check", check_part(in, miss));
    json_object_set_new(ev, "dns", dns_part(in, miss));
    json_object_set_new(pack, "evidence", ev);

    json_object_set_new(pack, "registrar",
                        lookup_part(&in->registrar, "registrar", "domain",
                                    miss));
    json_object_set_new(pack, "hosting",
                        lookup_part(&in->hosting, "hosting", "address", miss));

    who = json_object();
    set_str(who, "name", in->requester);
    set_str(who, "contact", in->contact);
    json_object_set_new(pack, "requester", who);
    if (in->requester == NULL || in->contact == NULL)
        missing(miss, "requester: set takedown.requester (who you are) and "
                      "takedown.contact (where to answer) in drpwatch.yaml");
    json_object_set_new(pack, "missing", miss);
    request_part(pack, in);
    if (json_array_size(json_object_get(json_object_get(pack, "request"),
                                        "to")) == 0)
        json_array_append_new(miss,
                              json_string("request: no abuse e-mail address "
                                          "known: send it through the "
                                          "registrar's or host's abuse form"));
    return pack;
}

int
takedown_summary(const json_t *pack, struct buf *out)
{
    const json_t *a = json_object_get(pack, "alert");
    const json_t *ev = json_object_get(pack, "evidence");
    const json_t *page = json_object_get(ev, "page");
    const json_t *copy = json_object_get(ev, "saved_copy");
    const json_t *chk = json_object_get(ev, "check");
    const json_t *dns = json_object_get(ev, "dns");
    const json_t *reg = json_object_get(pack, "registrar");
    const json_t *host = json_object_get(pack, "hosting");
    const json_t *req = json_object_get(pack, "request");
    const json_t *rar;
    json_t *v;
    size_t i;
    int rc = 0;

    rc |= buf_addf(out, "takedown pack for alert %lld (%s, %s)\n",
                   (long long)json_integer_value(json_object_get(a, "id")),
                   str(a, "kind"), str(a, "severity"));
    rc |= buf_addf(out, "  target     %s\n",
                   str(json_object_get(pack, "target"), "url"));
    if (page)
        rc |= buf_addf(out, "  page       sha256 %s, stored %s\n",
                       str(page, "sha256"), str(page, "fetched_at"));
    if (copy)
        rc |= buf_addf(out, "  saved copy %lld bytes, sha256 %s (masked)\n",
                       (long long)json_integer_value(
                           json_object_get(copy, "bytes")),
                       str(copy, "sha256"));
    rc |= buf_addf(out, "  seen       first %s, last %s\n",
                   or_else(str(ev, "first_seen"), "-"),
                   or_else(str(ev, "last_seen"), "-"));
    if (json_object_get(chk, "http_status"))
        rc |= buf_addf(out, "  check      HTTP %lld from %s at %s\n",
                       (long long)json_integer_value(
                           json_object_get(chk, "http_status")),
                       or_else(str(chk, "hosting_ip"), "an unknown address"),
                       str(chk, "at"));
    rc |= buf_adds(out, "  dns       ");
    json_array_foreach(json_object_get(dns, "a"), i, v)
        rc |= buf_addf(out, " A %s", json_string_value(v));
    json_array_foreach(json_object_get(dns, "aaaa"), i, v)
        rc |= buf_addf(out, " AAAA %s", json_string_value(v));
    json_array_foreach(json_object_get(dns, "cname"), i, v)
        rc |= buf_addf(out, " CNAME %s", json_string_value(v));
    json_array_foreach(json_object_get(dns, "ns"), i, v)
        rc |= buf_addf(out, " NS %s", json_string_value(v));
    json_array_foreach(json_object_get(dns, "mx"), i, v)
        rc |= buf_addf(out, " MX %s", json_string_value(v));
    if (str(dns, "note"))
        rc |= buf_addf(out, " (%s)", str(dns, "note"));
    rc |= buf_adds(out, "\n");
    if (str(reg, "error")) {
        rc |= buf_addf(out, "  registrar  -: %s\n", str(reg, "error"));
    } else {
        rar = json_object_get(reg, "registrar");
        rc |= buf_addf(out, "  registrar  %s%s%s, abuse %s %s\n",
                       or_else(str(rar, "name"), "(unnamed)"),
                       str(rar, "iana_id") ? " IANA " : "",
                       or_else(str(rar, "iana_id"), ""),
                       or_else(str(json_object_get(reg, "abuse"), "email"),
                               "-"),
                       or_else(str(json_object_get(reg, "abuse"), "phone"),
                               ""));
    }
    if (str(host, "error"))
        rc |= buf_addf(out, "  hosting    -: %s\n", str(host, "error"));
    else
        rc |= buf_addf(out, "  hosting    %s %s (%s), abuse %s %s\n",
                       or_else(str(host, "address"), "-"),
                       or_else(str(host, "name"), "(unnamed)"),
                       or_else(str(host, "handle"), "-"),
                       or_else(str(json_object_get(host, "abuse"), "email"),
                               "-"),
                       or_else(str(json_object_get(host, "abuse"), "phone"),
                               ""));
    json_array_foreach(json_object_get(pack, "missing"), i, v)
        rc |= buf_addf(out, "  missing    %s\n", json_string_value(v));
    rc |= buf_adds(out, "\nrequest to:");
    json_array_foreach(json_object_get(req, "to"), i, v)
        rc |= buf_addf(out, " %s", json_string_value(v));
    if (json_array_size(json_object_get(req, "to")) == 0)
        rc |= buf_adds(out, " (no abuse address known)");
    rc |= buf_addf(out, "\nsubject: %s\n\n%s", str(req, "subject"),
                   str(req, "text"));
    return rc < 0 ? DRP_ETOOBIG : 0;
}

const char *
takedown_state_name(enum takedown_state s)
{
    switch (s) {
    case TAKEDOWN_LIVE:
        return "live";
    case TAKEDOWN_GONE:
        return "gone";
    case TAKEDOWN_UNREACHABLE:
        return "unreachable";
    case TAKEDOWN_UNCLEAR:
        break;
    }
    return "unclear";
}

void
takedown_judge(const struct takedown_probe *p, int before, int needed,
               struct takedown_verdict *v)
{
    const char *why;

    memset(v, 0, sizeof(*v));
    if (needed < 1)
        needed = 1;
    if (p->status == 404 || p->status == 410) {
        v->state = TAKEDOWN_GONE;
        v->resolved = true;
        snprintf(v->reason, sizeof(v->reason),
                 "the page is gone: HTTP %ld%s", p->status,
                 p->status == 410 ? " Gone" : " Not Found");
        return;
    }
    if (p->status > 0) {
        v->state = TAKEDOWN_LIVE;
        snprintf(v->reason, sizeof(v->reason), "still served: HTTP %ld",
                 p->status);
        return;
    }
    if (p->unresolved || p->refused || p->private_only) {
        why = p->unresolved ? "the host name no longer resolves"
              : p->refused  ? "the host refuses connections"
                            : "the host name now leads only to loopback or "
                              "private addresses";
        v->state = TAKEDOWN_UNREACHABLE;
        v->unreachable = before + 1;
        v->resolved = v->unreachable >= needed;
        snprintf(v->reason, sizeof(v->reason), "%s (%d of %d checks in a "
                 "row)", why, v->unreachable, needed);
        return;
    }
    v->state = TAKEDOWN_UNCLEAR;
    v->unreachable = before;
    snprintf(v->reason, sizeof(v->reason), "check unclear: %.250s",
             p->error ? p->error : "no answer");
}
