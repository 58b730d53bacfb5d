/*
 * The lookalike watch's wiring (lookwatch.h): permutations -> DNS ->
 * pages of the registered candidates and of the official site -> their
 * likeness, forms, brand terms and favicons -> scores -> the lookalike
 * table and its cases. One GET per page and one per favicon, through the
 * crawler's fetcher with its caps and address checks; never a form post.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "alerts/alerts.h"
#include "cli/cli.h"
#include "cli/lookwatch.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/idn.h"
#include "common/log.h"
#include "common/secret.h"
#include "common/xalloc.h"
#include "crawler/charset.h"
#include "crawler/fetch.h"
#include "crawler/permute.h"
#include "crawler/resolve.h"
#include "crawler/url.h"
#include "extract/html.h"
#include "extract/similar.h"
#include "extract/terms.h"
#include "storage/db.h"
#include "storage/lookalikes.h"
#include "storage/store.h"
#include "common/banned.h"

#define LOOKWATCH_LEASE 3600          /* seconds a domain's pass may take */
#define LOOKWATCH_ICON_MAX (256 << 10) /* bytes of a favicon */
#define LOOKWATCH_PER_HOST 2
#define LOOKWATCH_MAX_MATCHES 1000    /* brand term matches read a page */
#define LOOKWATCH_IDLE 30             /* seconds between looks for work */

/* What one fetched page gave. */
struct page {
    bool asked;
    long status;         /* 0: no answer */
    char *final_url;
    char *error;
    bool html;           /* parsed: the fields below are set */
    struct similar_sig text, tags;
    bool login, payment, parked;
    int brand_terms;
    char *icon_url;      /* the favicon to fetch */
    char icon_sha[65];   /* "" when none was fetched */
};

static void
page_release(struct page *p)
{
    free(p->final_url);
    free(p->error);
    free(p->icon_url);
    memset(p, 0, sizeof(*p));
}

/* One pass's state. */
struct watch {
    struct db *db;
    const struct config *cfg;
    const char *owner;
    const atomic_bool *stop;
    struct termset *brand;  /* brand, product and domain terms */
    struct lookwatch_counts *c;
    lookwatch_row_fn *row;
    void *arg;
};

static bool
stopped(const struct watch *w)
{
    return w->stop != NULL && atomic_load(w->stop);
}

char **
lookwatch_domains(const struct config *cfg, size_t *n)
{
    char **v = xcalloc(cfg->nterms + 1, sizeof(*v));
    size_t i, k;

    *n = 0;
    for (i = 0; i < cfg->nterms; i++) {
        const char *t = cfg->terms[i].value;
        char *a;

        if (strcmp(cfg->terms[i].kind, "domain") != 0)
            continue;
        a = idn_to_ascii(t, strlen(t), NULL);
        if (a == NULL) {
            log_warn("lookalikes: owned domain '%s' is not a valid name; "
                     "skipped", t);
            continue;
        }
        for (k = 0; k < *n && strcmp(v[k], a) != 0; k++)
            ;
        if (k < *n)
            free(a);
        else
            v[(*n)++] = a;
    }
    return v;
}

/* The watch term of an owned domain (A-labels). */
static const struct watch_term *
term_of(const struct config *cfg, const char *domain)
{
    size_t i;

    for (i = 0; i < cfg->nterms; i++) {
        const struct watch_term *t = &cfg->terms[i];
        char *a;
        bool same;

        if (strcmp(t->kind, "domain") != 0)
            continue;
        a = idn_to_ascii(t->value, strlen(t->value), NULL);
        same = a != NULL && strcmp(a, domain) == 0;
        free(a);
        if (same)
            return t;
    }
    return NULL;
}

static struct termset *
brand_terms(const struct config *cfg)
{
    const char **v = xcalloc(cfg->nterms + 1, sizeof(*v));
    struct buf err = BUF_INIT(1024);
    struct termset *ts;
    size_t i, n = 0;

    for (i = 0; i < cfg->nterms; i++)
        if (!strcmp(cfg->terms[i].kind, "brand") ||
            !strcmp(cfg->terms[i].kind, "product") ||
            !strcmp(cfg->terms[i].kind, "domain"))
            v[n++] = cfg->terms[i].value;
    ts = termset_new(v, n, &err);
    if (ts == NULL)
        log_warn("lookalikes: brand terms not read on pages: %s",
                 buf_str(&err));
    free(v);
    buf_release(&err);
    return ts;
}

/* The page URL of a name: http://NAME[:PORT]/. */
static char *
page_url(const struct config *cfg, const char *name)
{
    if (cfg->lookalikes.http_port > 0)
        return xasprintf("http://%s:%d/", name, cfg->lookalikes.http_port);
    return xasprintf("http://%s/", name);
}

/* "NAME:PORT:ADDR,..." pinning name to the addresses DNS gave, or NULL
   when it gave none. */
static char *
pin_of(const struct config *cfg, const struct resolve_result *res)
{
    struct buf b = BUF_INIT(8192);
    size_t i;

    if (res == NULL || res->addrs.n == 0)
        return NULL;
    buf_addf(&b, "%s:%d:", res->name,
             cfg->lookalikes.http_port > 0 ? cfg->lookalikes.http_port : 80);
    for (i = 0; i < res->addrs.n; i++) {
        const char *a = res->addrs.v[i];

        buf_addf(&b, strchr(a, ':') ? "%s[%s]" : "%s%s", i ? "," : "", a);
    }
    return buf_detach(&b, NULL);
}

/* Runs every request to its end; each request's user points at its
   index, under which its result goes into out. */
static void
fetch_all(struct watch *w, const struct fetch_req *reqs, size_t n,
          struct fetch_result **out)
{
    const struct crawl_conf *cc = &w->cfg->crawl;
    struct fetch_opts fo = { 0 };
    struct fetcher *f;
    struct fetch_result *r;
    size_t i;

    if (n == 0)
        return;
    fo.concurrency = cc->concurrency;
    fo.per_host = LOOKWATCH_PER_HOST;
    fo.timeout = cc->timeout;
    fo.onion_timeout = cc->onion_timeout;
    fo.low_speed_time = cc->low_speed_time;
    fo.max_body = cc->max_body;
    fo.max_redirects = cc->max_redirects;
    fo.user_agent = cc->user_agent;
    f = fetcher_new(&fo);
    for (i = 0; i < n; i++)
        fetcher_add(f, &reqs[i]);
    while (fetcher_pending(f) > 0) {
        if (fetcher_poll(f, 250) < 0)
            break;
        while ((r = fetcher_next(f)) != NULL) {
            i = *(const size_t *)r->user; /* the request's index */
            if (out[i] != NULL)
                fetch_result_free(out[i]);
            out[i] = r;
        }
    }
    fetcher_free(f);
}

/* Reads a fetched page into p: its likeness signatures, forms, brand
   terms and favicon link. */
static void
analyse(struct watch *w, const struct fetch_result *r, struct page *p)
{
    struct charset_result cs;
    struct html_doc doc;
    struct term_match *m = NULL;
    size_t nm = 0, i, k, distinct = 0;
    bool html;
    char *text = NULL;

    p->asked = true;
    if (r == NULL)
        return;
    p->final_url = xstrdup(r->final_url ? r->final_url : r->url);
    if (r->err) {
        p->error = xstrdup(r->errmsg ? r->errmsg : "fetch failed");
        return;
    }
    p->status = r->status;
    charset_result_init(&cs);
    html_doc_init(&doc);
    html = r->content_type == NULL || strstr(r->content_type, "html");
    charset_decode(buf_str(&r->body), r->body.len, NULL, r->charset, html,
                   HTML_MAX_INPUT, &cs);
    if ((html ? html_parse(cs.text, cs.len, &doc)
              : html_from_text(cs.text, cs.len, &doc)) < 0) {
        p->error = xstrdup("page larger than the parser's cap");
        goto out;
    }
    p->html = true;
    text = xasprintf("%s\n\n%s", doc.title ? doc.title : "",
                     buf_str(&doc.text));
    similar_text_sig(text, strlen(text), &p->text);
    similar_tags_sig(doc.tags, doc.ntags, &p->tags);
    for (i = 0; i < doc.nforms; i++) {
        p->login |= doc.forms[i].has_password;
        p->payment |= doc.forms[i].has_card;
    }
    p->parked = similar_parked(text, strlen(text));
    if (w->brand != NULL) {
        termset_match(w->brand, text, strlen(text), &m, &nm,
                      LOOKWATCH_MAX_MATCHES);
        for (i = 0; i < nm; i++) {
            for (k = 0; k < i && m[k].term != m[i].term; k++)
                ;
            distinct += k == i;
        }
        p->brand_terms = (int)distinct;
    }
    p->icon_url = url_resolve(p->final_url,
                              doc.icon ? doc.icon : "/favicon.ico");
out:
    free(m);
    free(text);
    html_doc_release(&doc);
    charset_result_release(&cs);
}

/* Whether url's host is domain or below it. */
static bool
on_domain(const char *url, const char *domain)
{
    char *h = url ? url_host(url) : NULL;
    size_t hl, dl = strlen(domain);
    bool yes = false;

    if (h != NULL) {
        hl = strlen(h);
        yes = strcasecmp(h, domain) == 0 ||
              (hl > dl && h[hl - dl - 1] == '.' &&
               strcasecmp(h + hl - dl, domain) == 0);
    }
    free(h);
    return yes;
}

static void
list_text(struct buf *b, const struct resolve_list *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        buf_addf(b, "%s%s", i ? ", " : "", l->v[i]);
    if (l->more)
        buf_addf(b, " (+%zu)", l->more);
}

/* The candidates' fuzzer names, comma-separated. */
static void
fuzzer_text(struct buf *b, uint32_t mask)
{
    unsigned f;

    for (f = 0; f < PERMUTE_FUZZER_COUNT; f++)
        if (mask & (1u << f))
            buf_addf(b, "%s%s", b->len ? "," : "", permute_fuzzer_name(f));
}

/* Scores and stores one registered or unknown candidate. */
static int
record(struct watch *w, const char *domain, const struct lookalike *cand,
       const struct resolve_result *res, const struct page *pg,
       const struct page *official)
{
    static struct source_conf pseudo = { .name = "lookalikes",
                                         .kind = "site" };
    struct buf err = BUF_INIT(8192), fz = BUF_INIT(4096);
    struct buf addrs = BUF_INIT(8192), mx = BUF_INIT(8192);
    struct store_lookalike_prior prior;
    struct store_lookalike_check chk = { 0 };
    struct lookalike_obs o = { 0 };
    struct alert_drafts d = { 0 };
    struct store_alert *sa = NULL;
    char (*parts)[ALERTS_PARTS_JSON_MAX] = NULL;
    struct case_counts cc = { 0 };
    struct lookwatch_row row = { 0 };
    bool registered = res->state == RESOLVE_REGISTERED;
    const char *url = pg && pg->asked ? pg->final_url : NULL;
    size_t i;
    int rc;

    fuzzer_text(&fz, cand->fuzzers);
    list_text(&addrs, &res->addrs);
    list_text(&mx, &res->mx);
    rc = store_lookalike_prior(w->db, domain, cand->name, &prior, &err);
    if (rc < 0)
        goto out;
    chk.domain = domain;
    chk.name = cand->name;
    chk.unicode = cand->unicode;
    chk.fuzzers = buf_str(&fz);
    chk.state = resolve_state_name(res->state);
    chk.reason = res->reason;
    chk.addresses = addrs.len ? buf_str(&addrs) : NULL;
    chk.mx = mx.len ? buf_str(&mx) : NULL;
    chk.score = -1;
    if (registered) {
        o.name = cand->name;
        o.unicode = cand->unicode;
        o.fuzzers = chk.fuzzers;
        o.term = term_of(w->cfg, domain);
        o.addresses = chk.addresses;
        o.mx = chk.mx;
        o.new_registration = prior.baseline && !prior.ever_registered;
        o.rule_tp = prior.rule_tp;
        o.rule_fp = prior.rule_fp;
        if (pg && pg->asked) {
            o.url = url;
            o.final_url = pg->final_url;
            o.http_status = pg->status;
            o.fetch_error = pg->error;
            o.official = official->html && pg->html;
            if (o.official) {
                o.text_similarity = similar_jaccard(&pg->text,
                                                    &official->text);
                o.markup_similarity = similar_jaccard(&pg->tags,
                                                      &official->tags);
            }
            o.login_form = pg->login;
            o.payment_form = pg->payment;
            o.brand_terms = pg->brand_terms;
            o.parked = pg->parked;
            o.favicon_match = *pg->icon_sha && *official->icon_sha &&
                              strcmp(pg->icon_sha, official->icon_sha) == 0;
            o.to_official = on_domain(pg->final_url, domain);
        }
        alerts_lookalike(&o, &d);
        alerts_filter(&w->cfg->alerts, &pseudo, url ? url : cand->name, &d);
        chk.page = pg && pg->asked;
        chk.http_status = o.http_status;
        chk.final_url = o.final_url;
        chk.measured = o.official;
        chk.text_similarity = o.text_similarity;
        chk.markup_similarity = o.markup_similarity;
        chk.login_form = o.login_form;
        chk.payment_form = o.payment_form;
        chk.favicon_match = o.favicon_match;
        chk.parked = o.parked;
        chk.brand_terms = o.brand_terms;
        sa = xcalloc(d.n + 1, sizeof(*sa));
        parts = xcalloc(d.n + 1, sizeof(*parts));
        for (i = 0; i < d.n; i++) {
            const struct alert_draft *a = &d.v[i];

            alerts_score_json(&a->parts, parts[i], sizeof(parts[i]));
            sa[i] = (struct store_alert){
                .dedup_key = a->dedup_key, .kind = a->kind,
                .severity = a->severity, .score = a->score,
                .score_parts = parts[i], .term = a->term,
                .title = a->title, .summary = a->summary,
                .next_step = a->next_step, .audience = a->audience,
            };
            if (strcmp(a->kind, "lookalike-domain") == 0) {
                chk.score = a->score;
                chk.severity = a->severity;
                row.what = a->title;
            }
        }
    }
    rc = store_lookalike_put(w->db, &chk, sa, d.n, url, &cc, &err);
    if (rc < 0)
        goto out;
    w->c->opened += cc.opened;
    w->c->raised += cc.raised;
    w->c->updated += cc.updated;
    if (cc.opened || cc.raised)
        log_info("lookalike case %s: name='%s' score=%d severity=%s",
                 cc.opened ? "opened" : "raised", cand->name, chk.score,
                 chk.severity ? chk.severity : "-");
    if (w->row) {
        row.domain = domain;
        row.name = cand->name;
        row.unicode = cand->unicode;
        row.fuzzers = chk.fuzzers;
        row.state = chk.state;
        row.dns = registered ? (chk.addresses  ? chk.addresses
                                : chk.mx       ? chk.mx
                                : res->reason ? res->reason
                                               : "-")
                             : res->reason;
        row.http_status = chk.http_status;
        row.likeness = chk.measured ? alerts_likeness(&o) : -1.0;
        row.form = chk.payment_form ? "payment"
                   : chk.login_form ? "login"
                                    : NULL;
        row.score = chk.score;
        row.severity = chk.severity;
        w->row(w->arg, &row);
    }
out:
    if (rc < 0)
        log_err("lookalikes: cannot store '%s': %s", cand->name,
                buf_str(&err));
    alert_drafts_release(&d);
    free(sa);
    free(parts);
    buf_release(&addrs);
    buf_release(&mx);
    buf_release(&fz);
    buf_release(&err);
    return rc;
}

/* What a favicon may be: only hashed, never parsed. */
static const char *const icon_types[] = {
    "image/x-icon", "image/vnd.microsoft.icon", "image/png", "image/gif",
    "image/jpeg", "image/svg+xml", "image/webp", "application/octet-stream",
    NULL,
};

/* The favicons of the pages that have one to fetch. */
static void
fetch_icons(struct watch *w, struct page *pages, char **pins, size_t n)
{
    struct fetch_req *reqs = xcalloc(n + 1, sizeof(*reqs));
    struct fetch_result **res = xcalloc(n + 1, sizeof(*res));
    size_t *idx = xcalloc(n + 1, sizeof(*idx));
    size_t *of = xcalloc(n + 1, sizeof(*of));
    size_t i, k = 0;

    for (i = 0; i < n; i++) {
        if (pages[i].icon_url == NULL || pages[i].status < 200 ||
            pages[i].status > 299)
            continue;
        idx[k] = k;
        of[k] = i;
        reqs[k] = (struct fetch_req){
            .url = pages[i].icon_url,
            .allow_private = w->cfg->lookalikes.allow_private,
            .max_body = LOOKWATCH_ICON_MAX,
            .types = icon_types,
            .resolve = pins[i],
            .user = &idx[k],
        };
        k++;
    }
    fetch_all(w, reqs, k, res);
    for (i = 0; i < k; i++) {
        if (res[i])
            log_debug("favicon: url='%s' status=%ld bytes=%zu%s%s",
                      res[i]->url, res[i]->status, res[i]->body.len,
                      res[i]->err ? " error=" : "",
                      res[i]->err ? res[i]->errmsg : "");
        if (res[i] && res[i]->err == 0 && res[i]->status == 200 &&
            res[i]->body.len > 0)
            sha256_hex(buf_str(&res[i]->body), res[i]->body.len,
                       pages[of[i]].icon_sha);
        if (res[i])
            fetch_result_free(res[i]);
    }
    free(reqs);
    free(res);
    free(idx);
    free(of);
}

/* One owned domain's pass. */
static int
pass_domain(struct watch *w, const char *domain)
{
    const struct lookalike_conf *lc = &w->cfg->lookalikes;
    struct resolve_opts ro = { 0 };
    struct buf err = BUF_INIT(8192);
    struct lookalikes l;
    struct permuter *pm = NULL;
    struct resolver *rv = NULL;
    struct store_lookalike_pass ps = { 0 };
    const char **gone = NULL, **wild = NULL;
    size_t ngone = 0, nwild = 0, i, nreg = 0;
    size_t *reg = NULL, *idx = NULL, *slot = NULL;
    struct page *pages = NULL;
    char **pins = NULL, **urls = NULL;
    struct fetch_req *reqs = NULL;
    struct fetch_result **fr = NULL, **got = NULL;
    uint32_t mask = PERMUTE_ALL;
    int rc = 0;

    lookalikes_init(&l, 0);
    if (lc->fuzzers && permute_parse_fuzzers(lc->fuzzers, &mask, &err) < 0) {
        log_err("lookalikes: lookalikes.fuzzers: %s", buf_str(&err));
        rc = DRP_EINVAL;
        goto out;
    }
    pm = permuter_new();
    if (pm == NULL || permuter_run(pm, domain, strlen(domain), mask, &l,
                                   &err) < 0) {
        log_err("lookalikes: no candidates for '%s': %s", domain,
                pm ? buf_str(&err) : "cannot open ICU's IDNA converter");
        rc = DRP_EINVAL;
        goto out;
    }
    ro.servers = lc->servers;
    ro.rate = (unsigned)lc->rate;
    ro.max_inflight = (unsigned)lc->max_inflight;
    ro.timeout_ms = (unsigned)lc->timeout_ms;
    ro.tries = (unsigned)lc->tries;
    rv = resolver_new(&ro, &err);
    if (rv == NULL) {
        log_err("lookalikes: %s", buf_str(&err));
        rc = DRP_EINVAL;
        goto out;
    }
    /* The official domain first (index 0): its address for its page. */
    if (resolver_add(rv, domain, &err) < 0) {
        log_err("lookalikes: %s", buf_str(&err));
        rc = DRP_EINVAL;
        goto out;
    }
    for (i = 0; i < l.n; i++) {
        struct lookalike c;

        lookalikes_get(&l, i, &c);
        if (resolver_add(rv, c.name, &err) < 0) {
            log_err("lookalikes: %s", buf_str(&err));
            rc = DRP_EINVAL;
            goto out;
        }
    }
    log_info("lookalikes: checking %zu candidates of %s", l.n, domain);
    if (resolver_run(rv, NULL, NULL) < 0) {
        rc = DRP_EIO;
        goto out;
    }
    reg = xcalloc(l.n + 1, sizeof(*reg));
    gone = xcalloc(l.n + 1, sizeof(*gone));
    wild = xcalloc(l.n + 1, sizeof(*wild));
    for (i = 0; i < l.n; i++) {
        const struct resolve_result *res = resolver_result(rv, i + 1);

        if (res->state == RESOLVE_REGISTERED || res->state == RESOLVE_UNKNOWN)
            reg[nreg++] = i;
        else if (res->state == RESOLVE_WILDCARD)
            wild[nwild++] = res->name;
        else
            gone[ngone++] = res->name;
        ps.registered += res->state == RESOLVE_REGISTERED;
        ps.unknown += res->state == RESOLVE_UNKNOWN;
        ps.wildcard += res->state == RESOLVE_WILDCARD;
    }
    ps.candidates = (int)l.n;

    /* Pages: the official one (0) and each registered candidate's. */
    pages = xcalloc(nreg + 2, sizeof(*pages));
    pins = xcalloc(nreg + 2, sizeof(*pins));
    urls = xcalloc(nreg + 2, sizeof(*urls));
    reqs = xcalloc(nreg + 2, sizeof(*reqs));
    fr = xcalloc(nreg + 2, sizeof(*fr));
    idx = xcalloc(nreg + 2, sizeof(*idx));
    slot = xcalloc(nreg + 2, sizeof(*slot));
    got = xcalloc(nreg + 2, sizeof(*got));
    if (lc->fetch && !stopped(w)) {
        size_t nreq = 0;

        for (i = 0; i < nreg + 1; i++) {
            const struct resolve_result *res =
                resolver_result(rv, i == 0 ? 0 : reg[i - 1] + 1);

            if (i > 0 && (res->state != RESOLVE_REGISTERED ||
                          res->addrs.n == 0))
                continue; /* no address: no site (MX only, unknown) */
            pins[i] = pin_of(w->cfg, res);
            urls[i] = page_url(w->cfg, res->name);
            idx[nreq] = i; /* request nreq is for page i */
            slot[nreq] = nreq;
            reqs[nreq] = (struct fetch_req){
                .url = urls[i],
                .allow_private = lc->allow_private,
                .resolve = pins[i],
                .user = &slot[nreq],
            };
            nreq++;
        }
        fetch_all(w, reqs, nreq, got);
        for (i = 0; i < nreq; i++)
            fr[idx[i]] = got[i];
        for (i = 0; i < nreg + 1; i++)
            if (urls[i] != NULL)
                analyse(w, fr[i], &pages[i]);
        if (!pages[0].html)
            log_warn("lookalikes: the official page of %s could not be "
                     "read (%s): likeness not measured", domain,
                     pages[0].error ? pages[0].error : "no page");
        fetch_icons(w, pages, pins, nreg + 1);
    }
    for (i = 0; i < nreg && !stopped(w); i++) {
        struct lookalike c;
        const struct resolve_result *res = resolver_result(rv, reg[i] + 1);

        lookalikes_get(&l, reg[i], &c);
        w->c->pages += pages[i + 1].status != 0;
        rc = record(w, domain, &c, res, &pages[i + 1], &pages[0]);
        if (rc < 0)
            goto out;
    }
    if (stopped(w))
        goto out;
    rc = store_lookalike_states(w->db, domain, "unregistered", gone, ngone,
                                &err);
    if (rc == 0)
        rc = store_lookalike_states(w->db, domain, "wildcard", wild, nwild,
                                    &err);
    if (rc == 0)
        rc = store_lookalike_pass_done(w->db, domain, w->owner, &ps,
                                       lc->interval, lc->retry, &err);
    if (rc < 0) {
        log_err("lookalikes: cannot store the pass of '%s': %s", domain,
                buf_str(&err));
        goto out;
    }
    w->c->domains++;
    w->c->candidates += ps.candidates;
    w->c->registered += ps.registered;
    w->c->unknown += ps.unknown;
    w->c->wildcard += ps.wildcard;
    log_info("lookalikes: %s: %d candidates, %d registered, %d unknown (to "
             "check again), %d under a wildcard", domain, ps.candidates,
             ps.registered, ps.unknown, ps.wildcard);
out:
    for (i = 0; pages && i < nreg + 1; i++) {
        page_release(&pages[i]);
        free(pins[i]);
        free(urls[i]);
        if (fr[i])
            fetch_result_free(fr[i]);
    }
    free(pages);
    free(pins);
    free(urls);
    free(reqs);
    free(fr);
    free(got);
    free(idx);
    free(slot);
    free(reg);
    free(gone);
    free(wild);
    resolver_free(rv);
    permuter_free(pm);
    lookalikes_release(&l);
    buf_release(&err);
    return rc;
}

int
lookwatch_pass(struct db *db, const struct config *cfg, const char *owner,
               bool all, const char *const *only, size_t nonly,
               const atomic_bool *stop, struct lookwatch_counts *c,
               lookwatch_row_fn *row, void *arg)
{
    struct watch w = { db, cfg, owner, stop, NULL, c, row, arg };
    struct buf err = BUF_INIT(8192);
    size_t n = 0, i;
    char **domains = lookwatch_domains(cfg, &n);
    char since[64];
    char *d = NULL;
    int rc = 0;

    /* Every domain once: those not passed since now, by the database's
       clock (the one last_pass is written with). */
    if ((all || only) && store_lookalike_clock(db, since, sizeof(since),
                                                &err) < 0) {
        log_err("lookalikes: %s", buf_str(&err));
        c->db_errors++;
        rc = DRP_EDB;
        goto out;
    }
    w.brand = brand_terms(cfg);
    for (;;) {
        if (stopped(&w))
            break;
        rc = store_lookalike_lease(db, owner,
                                   only ? only : (const char *const *)domains,
                                   only ? nonly : n,
                                   all || only ? since : NULL,
                                   LOOKWATCH_LEASE,
                                   &d, &err);
        if (rc < 0) {
            log_err("lookalikes: cannot lease a domain: %s", buf_str(&err));
            c->db_errors++;
            break;
        }
        if (d == NULL)
            break;
        rc = pass_domain(&w, d);
        if (rc == DRP_EDB) {
            c->db_errors++;
        } else if (rc < 0) {
            c->failed++;
            if (store_lookalike_release(db, owner, &err) < 0)
                c->db_errors++;
        }
        free(d);
        d = NULL;
        if (rc == DRP_EDB || rc == DRP_EINVAL)
            break;
        rc = 0;
    }
    if (store_lookalike_release(db, owner, &err) < 0)
        c->db_errors++;
out:
    termset_free(w.brand);
    for (i = 0; i < n; i++)
        free(domains[i]);
    free(domains);
    buf_release(&err);
    return rc;
}

struct lookwatch {
    pthread_t thread;
    struct db *db;
    struct config cfg;
    char *owner;
    bool once;
    atomic_bool stop;
    struct lookwatch_counts counts;
};

static void *
run_thread(void *arg)
{
    struct lookwatch *w = arg;
    int i;

    for (;;) {
        lookwatch_pass(w->db, &w->cfg, w->owner, w->once, NULL, 0, &w->stop,
                       &w->counts, NULL, NULL);
        if (w->once)
            break;
        for (i = 0; i < LOOKWATCH_IDLE && !atomic_load(&w->stop); i++)
            sleep(1);
        if (atomic_load(&w->stop))
            break;
        if (!db_ping(w->db))
            w->counts.db_errors++;
    }
    return NULL;
}

struct lookwatch *
lookwatch_start(struct cli *c, const char *owner, bool once)
{
    struct lookwatch *w = xcalloc(1, sizeof(*w));
    struct buf err = BUF_INIT(8192);
    sigset_t all, old;
    size_t n = 0, i;
    char **domains;

    config_init(&w->cfg);
    w->db = cli_db(c);
    if (w->db == NULL)
        goto fail;
    if (store_load_settings(w->db, &w->cfg, &err) < 0 ||
        store_load_terms(w->db, &w->cfg, &err) < 0 ||
        store_load_alert_filters(w->db, &w->cfg, &err) < 0) {
        log_err("lookalikes: cannot load the applied configuration: %s",
                buf_str(&err));
        goto fail;
    }
    domains = lookwatch_domains(&w->cfg, &n);
    for (i = 0; i < n; i++)
        free(domains[i]);
    free(domains);
    if (!w->cfg.lookalikes.enabled || n == 0)
        goto fail; /* off, or nothing to watch: quietly */
    w->owner = xstrdup(owner);
    w->once = once;
    atomic_init(&w->stop, false);
    /* Signals stay with the main thread. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    i = (size_t)pthread_create(&w->thread, NULL, run_thread, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (i != 0) {
        log_err("lookalikes: cannot start the watch thread");
        free(w->owner);
        goto fail;
    }
    log_info("lookalike watch started: %zu owned domain%s, every %d s",
             n, n == 1 ? "" : "s", w->cfg.lookalikes.interval);
    buf_release(&err);
    return w;
fail:
    db_close(w->db);
    config_release(&w->cfg);
    free(w);
    buf_release(&err);
    return NULL;
}

void
lookwatch_stop(struct lookwatch *w, bool finish, struct lookwatch_counts *c)
{
    if (w == NULL)
        return;
    if (!(w->once && finish))
        atomic_store(&w->stop, true);
    pthread_join(w->thread, NULL);
    if (c != NULL) {
        c->domains += w->counts.domains;
        c->candidates += w->counts.candidates;
        c->registered += w->counts.registered;
        c->unknown += w->counts.unknown;
        c->wildcard += w->counts.wildcard;
        c->pages += w->counts.pages;
        c->opened += w->counts.opened;
        c->raised += w->counts.raised;
        c->updated += w->counts.updated;
        c->failed += w->counts.failed;
        c->db_errors += w->counts.db_errors;
    }
    db_close(w->db);
    config_release(&w->cfg);
    free(w->owner);
    free(w);
}
