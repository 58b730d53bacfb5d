/*
 * The per-page wiring: fetch result -> html/text -> findings -> redacted
 * text and snippets -> alert drafts -> one store_document() transaction,
 * or a page of a batch (store_batch_add()) stored with others.
 * Never logs a body or a password: only URLs, counts and error texts.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts.h"
#include "cli/pipeline.h"
#include "common/err.h"
#include "common/log.h"
#include "common/secret.h"
#include "common/xalloc.h"
#include "crawler/adapter.h"
#include "crawler/charset.h"
#include "crawler/fetch.h"
#include "crawler/url.h"
#include "extract/extract.h"
#include "extract/html.h"
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

int
pipeline_process(struct db *db, const struct extractor *x,
                 const struct config *cfg, const struct source_conf *src,
                 const struct job *job, const struct fetch_result *r,
                 struct keyset *known_links, struct store_batch *batch,
                 void *user, struct run_stats *st, struct buf *err)
{
    struct html_doc doc;
    struct charset_result cs;
    struct findings found;
    struct alert_drafts drafts = { 0 };
    struct store_finding *sf = NULL;
    struct store_alert *sa = NULL;
    struct rescore_ctx rc_ctx = { &drafts, NULL };
    struct store_doc sd;
    struct adapter_links al = { 0 };
    struct store_link *links = NULL;
    size_t nlinks = 0, i;
    char digest[65];
    char (*hmacs)[65] = NULL;
    char *text = NULL;
    char *title = NULL; /* redacted like the text */
    size_t text_len = 0;
    char *warning = NULL;
    size_t text_cap;
    bool plain;
    int new_alerts = 0;
    int rc;

    html_doc_init(&doc);
    charset_result_init(&cs);
    findings_init(&found);
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
    rc = extract_text(x, text, text_len, &found);
    if (rc == DRP_ETOOBIG && warning == NULL)
        warning = xasprintf("more than %d findings on one page; the rest "
                            "were skipped", EXTRACT_MAX_FINDINGS);
    extract_redact(text, text_len, &found);
    if (doc.title)
        title = xstrndup(text, strlen(doc.title));
    alerts_evaluate(&found, cfg->terms, cfg->nterms, src, job->url, &drafts);
    alerts_filter(&cfg->alerts, src, job->url, &drafts);

    sf = xcalloc(found.n + 1, sizeof(*sf));
    hmacs = xcalloc(found.n + 1, sizeof(*hmacs));
    for (i = 0; i < found.n; i++) {
        const struct finding *fd = &found.v[i];

        sf[i].kind = finding_kind_name(fd->kind);
        sf[i].value = fd->value;
        sf[i].watched = fd->watched;
        sf[i].confidence = alerts_confidence(fd->confidence,
                                             src->reliability);
        sf[i].benign = fd->benign;
        sf[i].offset = fd->offset;
        sf[i].snippet = extract_snippet(text, text_len, fd);
        if (fd->kind == FIND_CREDENTIAL) {
            hex(fd->pw_hmac, sizeof(fd->pw_hmac), hmacs[i]);
            sf[i].identity = fd->identity;
            sf[i].domain = fd->domain;
            sf[i].pw_hmac_hex = hmacs[i];
            sf[i].pw_hint = fd->pw_hint;
        }
    }
    sa = xcalloc(drafts.n + 1, sizeof(*sa));
    rc_ctx.parts = xcalloc(drafts.n + 1, sizeof(*rc_ctx.parts));
    for (i = 0; i < drafts.n; i++) {
        const struct alert_draft *a = &drafts.v[i];

        alerts_score_json(&a->parts, rc_ctx.parts[i],
                          sizeof(rc_ctx.parts[i]));
        sa[i] = (struct store_alert){
            .dedup_key = a->dedup_key,
            .kind = a->kind,
            .severity = a->severity,
            .score = a->score,
            .score_parts = rc_ctx.parts[i],
            .term = a->term,
            .title = a->title,
            .summary = a->summary,
            .next_step = a->next_step,
            .audience = a->audience,
            .finding = a->finding,
        };
    }
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
        .findings = sf,
        .nfindings = found.n,
        .alerts = sa,
        .nalerts = drafts.n,
        .rescore = rescore,
        .rescore_arg = &rc_ctx,
        .known_links = known_links,
    };
    if (batch && store_batch_fits(&sd)) {
        store_batch_add(batch, &sd, user);
        st->fetched++;
        st->findings += (int)found.n;
        log_debug("kept to store: source='%s' url='%s' charset=%s (%s) "
                  "findings=%zu links=%zu", src->name, job->url,
                  cs.encoding, charset_source_name(cs.source), found.n,
                  nlinks);
        rc = PIPELINE_KEPT;
        goto out;
    }
    rc = store_document(db, &sd, &new_alerts, err);
    if (rc == DRP_ETOOBIG) {
        char *msg = xstrdup(buf_str(err));

        rc = fail(db, job, src, r->status, msg, st, err);
        free(msg);
    } else if (rc == 0) {
        st->fetched++;
        st->findings += (int)found.n;
        st->new_alerts += new_alerts;
        if (warning) {
            st->failed++;
            log_warn("page problem: source='%s' url='%s' %s", src->name,
                     job->url, warning);
        }
        log_debug("stored: source='%s' url='%s' charset=%s (%s) findings=%zu "
                  "alerts_new=%d links=%zu", src->name, job->url, cs.encoding,
                  charset_source_name(cs.source), found.n, new_alerts,
                  nlinks);
    }
out:
    if (sf)
        for (i = 0; i < found.n; i++)
            free((char *)sf[i].snippet);
    free(links);
    adapter_links_release(&al);
    free(sf);
    free(sa);
    free(rc_ctx.parts);
    free(hmacs);
    free(text);
    free(title);
    free(warning);
    alert_drafts_release(&drafts);
    findings_release(&found);
    html_doc_release(&doc);
    charset_result_release(&cs);
    return rc;
}
