/*
 * The per-page wiring: fetch result -> html/text -> findings (in windows)
 * -> redacted text and snippets -> alert drafts -> one store_document()
 * transaction, or a page of a batch (store_batch_add()) stored with
 * others, or, for a page with more findings than one call of the engine
 * takes, one transaction of parts.
 * Never logs a body or a password: only URLs, counts and error texts.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts.h"
#include "cli/pipeline.h"
#include "common/err.h"
#include "common/keyset.h"
#include "common/log.h"
#include "common/secret.h"
#include "common/xalloc.h"
#include "crawler/adapter.h"
#include "crawler/charset.h"
#include "crawler/fetch.h"
#include "crawler/url.h"
#include "extract/extract.h"
#include "extract/html.h"
#include "extract/window.h"
#include "storage/frontier.h"
#include "storage/store.h"
#include "common/banned.h"

/* Paths a passive collector never requests: sessions and posting. */
static const char *denied_paths[] = {
    "/login", "/logout", "/signout", "/sign-out", "/register",
    "/posting.php", "mode=reply", "mode=post", "mode=quote", "action=post",
    "/ucp.php", "/report/", NULL,
};

static bool
denied(const char *url)
{
    const char **d;

    for (d = denied_paths; *d; d++)
        if (strstr(url, *d))
            return true;
    return false;
}

/* Whether needle occurs in hay, ASCII letters in any case. */
static bool
contains_nocase(const char *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle), i, k;

    for (i = 0; m > 0 && i + m <= n; i++) {
        for (k = 0; k < m; k++)
            if (tolower((unsigned char)hay[i + k]) !=
                tolower((unsigned char)needle[k]))
                break;
        if (k == m)
            return true;
    }
    return false;
}

static void
hex(const unsigned char *in, size_t n, char *out)
{
    size_t i;

    for (i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", in[i]);
}

static int
fail(struct db *db, const struct job *job, const struct source_conf *src,
     long status, const char *msg, struct run_stats *st, struct buf *err)
{
    log_warn("fetch failed: source='%s' url='%s' %s", src->name, job->url,
             msg);
    st->failed++;
    return frontier_fail(db, job, (int)status, msg, err);
}

/* Links of doc, resolved and kept only when inside the source's site. */
static void
scoped_links(const struct html_doc *doc, const char *page_url,
             const struct source_conf *src, struct adapter_links *out)
{
    char *base = doc->base ? url_resolve(page_url, doc->base) : NULL;
    char *site = url_origin(src->url); /* url_same_site(), once a page */
    size_t i;

    out->v = xcalloc(doc->nlinks + 1, sizeof(*out->v));
    out->n = 0;
    for (i = 0; i < doc->nlinks && site; i++) {
        char *abs = url_resolve(base ? base : page_url, doc->links[i]);
        char *origin = abs ? url_origin(abs) : NULL;

        if (origin && strcmp(origin, site) == 0)
            out->v[out->n++] = (struct adapter_link){ abs, ROLE_PAGE, NULL,
                                                      false };
        else
            free(abs);
        free(origin);
    }
    free(site);
    free(base);
}

/*
 * The page's links to enqueue: by the source's adapter, or all in-site
 * links; never a login or posting page. An adapter that cannot read the
 * page leaves it without links (the text is still stored and searched).
 */
static struct store_link *
page_links(const struct html_doc *doc, const char *text, size_t len,
           const struct fetch_result *r, const struct source_conf *src,
           const struct job *job, struct adapter_links *al, size_t *n)
{
    struct store_link *out;
    size_t i;

    if (adapter_used(src)) {
        struct buf err = BUF_INIT(1024);

        if (adapter_links(src, job->role ? job->role : ROLE_LIST,
                          r->final_url, text, len, al, &err) < 0)
            log_warn("no links read: source='%s' url='%s' %s", src->name,
                     job->url, buf_str(&err));
        buf_release(&err);
    } else {
        scoped_links(doc, r->final_url, src, al);
    }
    out = xcalloc(al->n + 1, sizeof(*out));
    *n = 0;
    for (i = 0; i < al->n; i++)
        if (!denied(al->v[i].url))
            out[(*n)++] = (struct store_link){ al->v[i].url, al->v[i].role,
                                               al->v[i].marker,
                                               al->v[i].continues };
    return out;
}

/* The alert drafts of a page and room for their score parts as JSON. */
struct rescore_ctx {
    struct alert_drafts *drafts;
    char (*parts)[ALERTS_PARTS_JSON_MAX];
};

/* store_rescore_fn: the store's facts into the alert rules' score. */
static void
rescore(void *arg, size_t i, const struct store_case_facts *f,
        struct store_score *out)
{
    struct rescore_ctx *c = arg;
    struct alert_draft *a = &c->drafts->v[i];
    struct alert_facts af = {
        .finding_age_days = f->finding_age_days,
        .case_age_days = f->case_age_days,
        .sources = f->sources,
        .source_tp = f->source_tp,
        .source_fp = f->source_fp,
        .rule_tp = f->rule_tp,
        .rule_fp = f->rule_fp,
    };

    alerts_rescore(a, &af);
    alerts_score_json(&a->parts, c->parts[i], sizeof(c->parts[i]));
    out->score = a->score;
    out->severity = a->severity;
    out->parts = c->parts[i];
    out->sources = a->sources;
}

/*
 * A page's findings, its text made the document's: pages with more than
 * the engine takes in one call (a combo list holds some 330,000 findings
 * a MiB) are extracted in windows (extract/window.h) and, past
 * PAGE_FINDINGS_MAX, stored in parts (store_parts_begin()), so that
 * nothing is skipped and memory stays that of one window (the text is
 * then read three times: to the point where it passes the cap, whole to
 * redact it, whole to store its parts).
 */
#define PAGE_FINDINGS_MAX EXTRACT_MAX_FINDINGS

/* What a window of a page gives: f->v[first..] its findings (offsets in
   the window), base its offset in the page, [own, hi) its own part. */
typedef int page_window_fn(void *arg, struct findings *f, size_t first,
                           size_t base, size_t own, size_t hi);

/*
 * Calls fn on each window of text[0..len) with f (which gathers: fn
 * takes what it keeps from f->v[first..], first its length before the
 * window). *skipped (unless NULL) is set to the offset of a window of
 * WINDOW_MIN bytes that held more than the engine takes (its first
 * findings kept), if any. Returns 0 or fn's first error.
 */
static int
page_windows(const struct extractor *x, const char *text, size_t len,
             struct findings *f, page_window_fn *fn, void *arg,
             long long *skipped)
{
    struct window w;
    size_t base = 0, own = 0, end, hi, next, first;
    bool last;
    int rc;

    window_init(&w, x, WINDOW_BLOCK);
    while (len - base > own) {
        end = window_end(&w, text + base, own, len - base, true, &last);
        first = f->n;
        rc = window_scan(&w, text + base, end, base, own, last, f, &hi,
                         &next);
        if (rc == WINDOW_RETRY)
            continue;
        if (rc < 0 && skipped != NULL && *skipped < 0)
            *skipped = (long long)base;
        rc = fn(arg, f, first, base, own, hi);
        if (rc < 0)
            return rc;
        base += next;
        own = hi - next;
    }
    return 0;
}

/* page_window_fn: the window's own findings gathered, with the page's
   offsets, up to PAGE_FINDINGS_MAX. */
static int
gather(void *arg, struct findings *f, size_t first, size_t base, size_t own,
       size_t hi)
{
    (void)arg;
    window_keep(f, first, own, hi, base);
    return f->n > PAGE_FINDINGS_MAX ? DRP_ETOOBIG : 0;
}

/* A page's text to redact, window by window. */
struct redact_ctx {
    char *text;
    size_t len;
};

/* page_window_fn: the passwords, secrets and cards of the window (its
   own findings and the seams') masked in the page's text. */
static int
redact_window(void *arg, struct findings *f, size_t first, size_t base,
              size_t own, size_t hi)
{
    struct redact_ctx *c = arg;

    (void)first;
    (void)own;
    (void)hi;
    extract_redact(c->text + base, c->len - base, f);
    findings_release(f);
    findings_init(f);
    return 0;
}

/* Findings made ready for the store: their rows (snippets of the
   redacted text, credentials' HMACs in hex), their alert drafts and
   rows. */
struct page_part {
    struct findings found;
    struct alert_drafts drafts;
    struct store_finding *sf;
    char (*hmacs)[65];
    struct store_alert *sa;
    struct rescore_ctx rc_ctx;
};

static void
part_init(struct page_part *p)
{
    memset(p, 0, sizeof(*p));
    findings_init(&p->found);
    p->rc_ctx.drafts = &p->drafts;
}

static void
part_release(struct page_part *p)
{
    size_t i;

    if (p->sf)
        for (i = 0; i < p->found.n; i++)
            free((char *)p->sf[i].snippet);
    free(p->sf);
    free(p->hmacs);
    free(p->sa);
    free(p->rc_ctx.parts);
    alert_drafts_release(&p->drafts);
    findings_release(&p->found);
    part_init(p);
}

/* The rows and alerts of p->found, found on src's page url, whose text
   (redacted) is text[0..len). */
static void
part_build(struct page_part *p, const char *text, size_t len,
           const struct config *cfg, const struct source_conf *src,
           const char *url)
{
    size_t i;

    alerts_evaluate(&p->found, cfg->terms, cfg->nterms, src, url,
                    &p->drafts);
    alerts_filter(&cfg->alerts, src, url, &p->drafts);
    p->sf = xcalloc(p->found.n + 1, sizeof(*p->sf));
    p->hmacs = xcalloc(p->found.n + 1, sizeof(*p->hmacs));
    for (i = 0; i < p->found.n; i++) {
        const struct finding *fd = &p->found.v[i];
        struct store_finding *sf = &p->sf[i];

        sf->kind = finding_kind_name(fd->kind);
        sf->value = fd->value;
        sf->watched = fd->watched;
        sf->confidence = alerts_confidence(fd->confidence, src->reliability);
        sf->benign = fd->benign;
        sf->offset = fd->offset;
        sf->snippet = extract_snippet(text, len, fd);
        if (fd->kind == FIND_CREDENTIAL) {
            hex(fd->pw_hmac, sizeof(fd->pw_hmac), p->hmacs[i]);
            sf->identity = fd->identity;
            sf->domain = fd->domain;
            sf->pw_hmac_hex = p->hmacs[i];
            sf->pw_hint = fd->pw_hint;
        }
    }
    p->sa = xcalloc(p->drafts.n + 1, sizeof(*p->sa));
    p->rc_ctx.parts = xcalloc(p->drafts.n + 1, sizeof(*p->rc_ctx.parts));
    for (i = 0; i < p->drafts.n; i++) {
        const struct alert_draft *a = &p->drafts.v[i];

        alerts_score_json(&a->parts, p->rc_ctx.parts[i],
                          sizeof(p->rc_ctx.parts[i]));
        p->sa[i] = (struct store_alert){
            .dedup_key = a->dedup_key,
            .kind = a->kind,
            .severity = a->severity,
            .score = a->score,
            .score_parts = p->rc_ctx.parts[i],
            .term = a->term,
            .title = a->title,
            .summary = a->summary,
            .next_step = a->next_step,
            .audience = a->audience,
            .finding = a->finding,
        };
    }
}

/* A page stored in parts: a part a window. */
struct parts_ctx {
    struct store_parts *sp;
    struct keyset *seen; /* the values earlier parts stored */
    const char *text;    /* redacted */
    size_t len;
    const struct config *cfg;
    const struct source_conf *src;
    const char *url;
    size_t findings;
    struct buf *err;
};

/* page_window_fn: the window's own findings stored as a part, but the
   values an earlier part stored (one sighting a page). */
static int
store_window(void *arg, struct findings *f, size_t first, size_t base,
             size_t own, size_t hi)
{
    struct parts_ctx *c = arg;
    struct page_part p;
    uint64_t *keys;
    size_t i, n = 0, nkeys = 0;
    int rc;

    window_keep(f, first, own, hi, base);
    keys = xcalloc(f->n + 1, sizeof(*keys));
    for (i = 0; i < f->n; i++) {
        keys[nkeys] = keyset_key(f->v[i].kind, f->v[i].value);
        if (keyset_has(c->seen, keys[nkeys]))
            continue;
        nkeys++;
        f->v[n++] = f->v[i];
    }
    findings_truncate(f, n);
    keyset_add(c->seen, keys, nkeys);
    free(keys);
    part_init(&p);
    p.found = *f; /* the part takes them */
    findings_init(f);
    part_build(&p, c->text, c->len, c->cfg, c->src, c->url);
    rc = store_parts_add(c->sp, p.sf, p.found.n, p.sa, p.drafts.n,
                         &p.rc_ctx, c->err);
    c->findings += p.found.n;
    part_release(&p);
    return rc;
}

/*
 * Stores sd (its text, orig redacted, with no findings) and the findings
 * of orig[0..len) in parts, a window each, in one transaction. *nfound:
 * the findings stored.
 */
static int
store_in_parts(struct db *db, const struct store_doc *sd,
               const struct extractor *x, const char *orig, size_t len,
               const struct config *cfg, const struct source_conf *src,
               int *new_alerts, size_t *nfound, struct buf *err)
{
    struct parts_ctx c = { .text = sd->text, .len = len, .cfg = cfg,
                           .src = src, .url = sd->job->url, .err = err };
    struct findings f;
    int rc;

    rc = store_parts_begin(db, sd, &c.sp, err);
    if (rc == 0) {
        /* Fewer distinct values than one in 16 bytes, even in a dense
           combo list (a full set forgets all: a sighting then comes
           again, which the store takes). */
        c.seen = keyset_new(len / 16 + 1024);
        findings_init(&f);
        /* A skipped window was said after the redaction's pass. */
        rc = page_windows(x, orig, len, &f, store_window, &c, NULL);
        findings_release(&f);
        keyset_free(c.seen);
    }
    rc = store_parts_end(c.sp, rc, new_alerts, err);
    *nfound = c.findings;
    return rc;
}

int
pipeline_process(struct db *db, const struct extractor *x,
                 const struct config *cfg, const struct source_conf *src,
                 const struct job *job, const struct fetch_result *r,
                 struct keyset *known_links, struct store_batch *batch,
                 void *user, struct run_stats *st, struct buf *err)
{
    struct html_doc doc;
    struct charset_result cs;
    struct page_part part;
    struct store_doc sd;
    struct adapter_links al = { 0 };
    struct store_link *links = NULL;
    size_t nlinks = 0, nfound = 0;
    char digest[65];
    char *text = NULL, *orig = NULL; /* orig: as fetched, of a page stored
                                        in parts */
    char *title = NULL; /* redacted like the text */
    size_t text_len = 0;
    char *warning = NULL;
    size_t text_cap;
    bool plain;
    long long skipped = -1;
    int new_alerts = 0;
    int rc;

    html_doc_init(&doc);
    charset_result_init(&cs);
    part_init(&part);
    if (r->err) {
        rc = fail(db, job, src, r->status, r->errmsg, st, err);
        goto out;
    }
    sha256_hex(buf_str(&r->body), r->body.len, digest);
    if (r->status == 304 ||
        (job->content_hash && strcmp(job->content_hash, digest) == 0)) {
        log_debug("unchanged: source='%s' url='%s'", src->name, job->url);
        st->unchanged++;
        rc = frontier_unchanged(db, job, (int)r->status, err);
        goto out;
    }
    /* Legacy charsets to UTF-8 first: gumbo and the extractor read UTF-8
       only. The text may grow (two bytes for a Cyrillic letter, three
       for CJK): CHARSET_GROWTH times the body cap, within the parser's. */
    plain = r->content_type && strcmp(r->content_type, "text/plain") == 0;
    text_cap = plain ? HTML_MAX_TEXT : HTML_MAX_INPUT;
    if ((size_t)cfg->crawl.max_body < text_cap / CHARSET_GROWTH)
        text_cap = (size_t)cfg->crawl.max_body * CHARSET_GROWTH;
    charset_decode(buf_str(&r->body), r->body.len,
                   src->charset,
                   r->charset, !plain, text_cap, &cs);
    if (plain)
        rc = html_from_text(cs.text, cs.len, &doc);
    else
        rc = html_parse(cs.text, cs.len, &doc);
    if (rc < 0) {
        rc = fail(db, job, src, r->status,
                  "page text larger than the parser's cap", st, err);
        goto out;
    }
    if (src->session_marker &&
        (contains_nocase(buf_str(&doc.text), doc.text.len,
                         src->session_marker) ||
         (doc.title && contains_nocase(doc.title, strlen(doc.title),
                                       src->session_marker)))) {
        /* A login page, not content: the stored version stays. */
        char *msg = xasprintf("session expired: renew the cookie in %s",
                              src->cookie_file ? src->cookie_file
                                               : "cookie_file (none set)");

        log_warn("%s: source='%s' url='%s'", msg, src->name, job->url);
        st->failed++;
        rc = frontier_skip(db, job, msg, true, err);
        free(msg);
        goto out;
    }
    if (doc.parser_failed)
        warning = xstrdup("malformed page: the HTML parser gave up on its "
                          "markup; its bytes were read as plain text (no "
                          "links followed)");
    else if (doc.invalid_utf8)
        warning = xasprintf("malformed page: invalid UTF-8 or NUL bytes "
                            "replaced (%d markup errors); stored what "
                            "could be read", doc.parse_errors);
    if (cs.warning) {
        char *w = xasprintf("charset %s (%s): %s%s%s", cs.encoding,
                            charset_source_name(cs.source), cs.warning,
                            warning ? "; " : "", warning ? warning : "");

        free(warning);
        warning = w;
    }
    /* The title is read too: phishing titles name the brand, and an
       unclosed <title> holds the whole page (HTML5 RCDATA). */
    text = doc.title ? xasprintf("%s\n\n", doc.title) : xstrdup("");
    text_len = strlen(text);
    text = xrealloc(text, text_len + doc.text.len + 1);
    memcpy(text + text_len, buf_str(&doc.text), doc.text.len + 1);
    text_len += doc.text.len;
    rc = page_windows(x, text, text_len, &part.found, gather, NULL,
                      &skipped);
    if (rc == DRP_ETOOBIG) {
        /* More than a part: the text is redacted whole first (it is
           stored before the parts), then its windows are read again
           from a copy as it was. */
        struct redact_ctx rx = { text, text_len };

        orig = xmalloc(text_len + 1);
        memcpy(orig, text, text_len + 1);
        findings_release(&part.found);
        findings_init(&part.found);
        page_windows(x, orig, text_len, &part.found, redact_window, &rx,
                     &skipped);
    } else {
        extract_redact(text, text_len, &part.found);
    }
    if (skipped >= 0 && warning == NULL)
        warning = xasprintf("more than %d findings in %u bytes at offset "
                            "%lld; the rest of them were skipped",
                            EXTRACT_MAX_FINDINGS, WINDOW_MIN, skipped);
    if (doc.title)
        title = xstrndup(text, strlen(doc.title));
    part_build(&part, text, text_len, cfg, src, job->url);
    nfound = part.found.n;
    links = page_links(&doc, cs.text, cs.len, r, src, job, &al, &nlinks);
    sd = (struct store_doc){
        .job = job,
        .source = src,
        .http_status = (int)r->status,
        .content_type = r->content_type,
        .etag = r->etag,
        .last_modified = r->last_modified,
        .sha256_hex = digest,
        .body_bytes = r->body.len,
        .title = title,
        .text = text,
        .warning = warning,
        .links = links,
        .nlinks = nlinks,
        .findings = part.sf,
        .nfindings = part.found.n,
        .alerts = part.sa,
        .nalerts = part.drafts.n,
        .rescore = rescore,
        .rescore_arg = &part.rc_ctx,
        .known_links = known_links,
    };
    if (orig == NULL && batch && store_batch_fits(&sd)) {
        store_batch_add(batch, &sd, user);
        st->fetched++;
        st->findings += (int)nfound;
        log_debug("kept to store: source='%s' url='%s' charset=%s (%s) "
                  "findings=%zu links=%zu", src->name, job->url,
                  cs.encoding, charset_source_name(cs.source), nfound,
                  nlinks);
        rc = PIPELINE_KEPT;
        goto out;
    }
    if (orig != NULL)
        rc = store_in_parts(db, &sd, x, orig, text_len, cfg, src,
                            &new_alerts, &nfound, err);
    else
        rc = store_document(db, &sd, &new_alerts, err);
    if (rc == DRP_ETOOBIG) {
        char *msg = xstrdup(buf_str(err));

        rc = fail(db, job, src, r->status, msg, st, err);
        free(msg);
    } else if (rc == 0) {
        st->fetched++;
        st->findings += (int)nfound;
        st->new_alerts += new_alerts;
        if (warning) {
            st->failed++;
            log_warn("page problem: source='%s' url='%s' %s", src->name,
                     job->url, warning);
        }
        log_debug("stored: source='%s' url='%s' charset=%s (%s) findings=%zu "
                  "alerts_new=%d links=%zu", src->name, job->url, cs.encoding,
                  charset_source_name(cs.source), nfound, new_alerts,
                  nlinks);
    }
out:
    free(links);
    adapter_links_release(&al);
    part_release(&part);
    free(orig);
    free(text);
    free(title);
    free(warning);
    html_doc_release(&doc);
    charset_result_release(&cs);
    return rc;
}
