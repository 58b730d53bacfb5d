/*
 * Source adapters (see adapter.h): libxml2 reads the page (its HTML parser
 * for forums and paste archives, its XML parser for feeds) and evaluates
 * the XPath selectors; PCRE2 takes the paste id out of a link.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <pcre2.h>

#include "common/err.h"
#include "common/secret.h"
#include "common/xalloc.h"
#include "crawler/adapter.h"
#include "crawler/url.h"
#include "common/banned.h"

/* " cls " inside the space-normalised class attribute of the node. */
#define HAS_CLASS(cls) \
    "contains(concat(' ', normalize-space(@class), ' '), ' " cls " ')"

/* The selectors an engine's markup gives, when the source names none. */
struct engine {
    const char *name;
    const char *boards, *threads, *thread_link, *marker, *next;
};

static const struct engine engines[] = {
    /* phpBB 3 (prosilver, subsilver) and look-alikes: a.forumtitle,
       a.topictitle, dd.lastpost / span.postdetails, a[rel=next]. */
    { "phpbb",
      "//a[" HAS_CLASS("forumtitle") "]/@href",
      "//a[" HAS_CLASS("topictitle") "]/ancestor::*[self::tr or self::li]"
      "[1]",
      ".//a[" HAS_CLASS("topictitle") "]/@href",
      ".//*[" HAS_CLASS("lastpost") " or " HAS_CLASS("postdetails") "]",
      "//a[@rel='next' or " HAS_CLASS("next") "]/@href" },
    /* XenForo 2: structItem rows, time.structItem-latestDate. */
    { "xenforo",
      "//*[" HAS_CLASS("node-title") "]/a/@href",
      "//*[" HAS_CLASS("structItem--thread") "]",
      ".//*[" HAS_CLASS("structItem-title") "]/a[last()]/@href",
      ".//*[" HAS_CLASS("structItem-latestDate") "]/@data-time",
      "//a[" HAS_CLASS("pageNav-jump--next") " or @rel='next']/@href" },
    /* vBulletin 4: li.threadbit, dl.threadlastpost. */
    { "vbulletin",
      "//*[" HAS_CLASS("forumtitle") "]/a/@href",
      "//li[" HAS_CLASS("threadbit") "]",
      ".//a[" HAS_CLASS("title") "]/@href",
      ".//*[" HAS_CLASS("threadlastpost") "]",
      "//a[@rel='next']/@href" },
    /* Discourse's crawler view (what it serves without JavaScript). */
    { "discourse",
      "//a[contains(@href, '/c/')]/@href",
      "//tr[" HAS_CLASS("topic-list-item") "]",
      ".//a[" HAS_CLASS("title") "]/@href",
      ".//*[" HAS_CLASS("posts") " or " HAS_CLASS("activity") "]",
      "//a[@rel='next']/@href" },
};

/* Paste archives: the paste links of common paste sites' archive tables. */
#define DEFAULT_PASTES "//table//a/@href"
/* The id: the last path segment of the paste link. */
#define DEFAULT_PASTE_ID "/([A-Za-z0-9_-]{2,64})/?(?:[?#].*)?$"

static const struct engine *
engine_of(const struct source_conf *src)
{
    size_t i;

    for (i = 0; src->adapter.engine && i < sizeof(engines) / sizeof(*engines);
         i++)
        if (strcmp(engines[i].name, src->adapter.engine) == 0)
            return &engines[i];
    return &engines[0];
}

static bool
is_kind(const struct source_conf *src, const char *kind)
{
    return src->kind && strcmp(src->kind, kind) == 0;
}

bool
adapter_used(const struct source_conf *src)
{
    const struct adapter_conf *a = &src->adapter;

    if (is_kind(src, "feed"))
        return true;
    if (!is_kind(src, "forum") && !is_kind(src, "paste"))
        return false;
    return a->engine || a->boards || a->threads || a->thread_link ||
           a->marker || a->next || a->pastes || a->paste_id || a->raw;
}

static void errf(struct buf *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
errf(struct buf *err, const char *fmt, ...)
{
    va_list ap;

    buf_reset(err);
    va_start(ap, fmt);
    buf_vaddf(err, fmt, ap);
    va_end(ap);
}

/* libxml2 reports through global handlers: keep them off stderr. */
static void
quiet(void *ctx, xmlErrorPtr e)
{
    (void)ctx;
    (void)e;
}

static void
quiet_errors(void)
{
    xmlSetStructuredErrorFunc(NULL, quiet);
}

void
adapter_init(void)
{
    xmlInitParser();
}

static pcre2_code *
compile_id(const char *pattern, char *msg, size_t msglen)
{
    int code = 0;
    PCRE2_SIZE at = 0;
    uint32_t groups = 0;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
                                   &code, &at, NULL);

    if (re == NULL) {
        PCRE2_UCHAR text[160];

        pcre2_get_error_message(code, text, sizeof(text));
        snprintf(msg, msglen, "invalid pattern at offset %zu: %s",
                 (size_t)at, (const char *)text);
        return NULL;
    }
    pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &groups);
    if (groups < 1) {
        snprintf(msg, msglen, "the pattern needs a group (...) around the "
                              "id");
        pcre2_code_free(re);
        return NULL;
    }
    return re;
}

int
adapter_check(const struct source_conf *src, struct buf *err)
{
    const struct adapter_conf *a = &src->adapter;
    const struct {
        const char *key, *expr;
    } sel[] = {
        { "boards", a->boards },   { "threads", a->threads },
        { "thread_link", a->thread_link }, { "marker", a->marker },
        { "next", a->next },       { "pastes", a->pastes },
    };
    char msg[200];
    size_t i;

    quiet_errors();
    for (i = 0; i < sizeof(sel) / sizeof(*sel); i++) {
        xmlXPathCompExprPtr c;

        if (sel[i].expr == NULL)
            continue;
        c = xmlXPathCompile((const xmlChar *)sel[i].expr);
        if (c == NULL) {
            errf(err, "source '%s': adapter.%s: not an XPath 1.0 "
                          "expression: %s", src->name, sel[i].key,
                     sel[i].expr);
            return DRP_ECONFIG;
        }
        xmlXPathFreeCompExpr(c);
    }
    if (a->paste_id) {
        pcre2_code *re = compile_id(a->paste_id, msg, sizeof(msg));

        if (re == NULL) {
            errf(err, "source '%s': adapter.paste_id: %s", src->name,
                     msg);
            return DRP_ECONFIG;
        }
        pcre2_code_free(re);
    }
    if (a->raw && strstr(a->raw, "{id}") == NULL) {
        errf(err, "source '%s': adapter.raw: the template needs {id} "
                      "where the paste id goes, got '%s'", src->name, a->raw);
        return DRP_ECONFIG;
    }
    return 0;
}

void
adapter_links_release(struct adapter_links *l)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        free(l->v[i].url);
        free(l->v[i].marker);
    }
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

struct walk {
    const struct source_conf *src;
    const char *page_url;
    xmlXPathContextPtr ctx;
    struct adapter_links *out;
    pcre2_code *id_re;
    pcre2_match_data *md;
};

/* Adds href (resolved, in scope, not seen on this page) as a link. */
static void
add(struct walk *w, const char *href, const char *role, const char *marker,
    bool continues)
{
    char *abs;
    size_t i;

    if (w->out->n >= ADAPTER_MAX_LINKS || href == NULL || *href == '\0')
        return;
    abs = url_resolve(w->page_url, href);
    if (abs == NULL || !url_same_site(w->src->url, abs)) {
        free(abs);
        return;
    }
    for (i = 0; i < w->out->n; i++)
        if (strcmp(w->out->v[i].url, abs) == 0) {
            free(abs);
            return;
        }
    w->out->v = xreallocarray(w->out->v, w->out->n + 1, sizeof(*w->out->v));
    w->out->v[w->out->n++] = (struct adapter_link){
        abs, role, marker ? xstrdup(marker) : NULL, continues };
}

/* Evaluates expr at node (NULL: the document); NULL when it fails. */
static xmlXPathObjectPtr
eval(struct walk *w, const char *expr, xmlNodePtr node)
{
    w->ctx->node = node ? node : (xmlNodePtr)w->ctx->doc;
    return xmlXPathEvalExpression((const xmlChar *)expr, w->ctx);
}

/* The string value of a node (text of an element, value of an attribute),
   whitespace collapsed and trimmed, at most cap bytes. */
static char *
node_text(xmlNodePtr n, size_t cap)
{
    xmlChar *c = xmlNodeGetContent(n);
    char *out, *o;
    const char *s;
    bool space = false;

    if (c == NULL)
        return xstrdup("");
    out = o = xmalloc(strlen((const char *)c) + 1);
    for (s = (const char *)c; *s && (size_t)(o - out) < cap; s++) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
            space = o > out;
            continue;
        }
        if (space)
            *o++ = ' ';
        space = false;
        *o++ = *s;
    }
    *o = '\0';
    xmlFree(c);
    return out;
}

/* Every string expr yields at node, each passed to fn. */
static void
each_value(struct walk *w, const char *expr, xmlNodePtr node,
           void (*fn)(struct walk *, const char *, void *), void *arg)
{
    xmlXPathObjectPtr o = eval(w, expr, node);
    int i;

    if (o == NULL)
        return;
    if (o->type == XPATH_NODESET && o->nodesetval) {
        for (i = 0; i < o->nodesetval->nodeNr; i++) {
            char *v = node_text(o->nodesetval->nodeTab[i], URL_MAX);

            fn(w, v, arg);
            free(v);
        }
    } else if (o->type == XPATH_STRING && o->stringval) {
        fn(w, (const char *)o->stringval, arg);
    }
    xmlXPathFreeObject(o);
}

struct as {
    const char *role;
    bool continues;
};

static void
add_as(struct walk *w, const char *href, void *arg)
{
    const struct as *a = arg;

    add(w, href, a->role, NULL, a->continues);
}

/* The first string expr yields at node, or NULL. */
static char *
first_value(struct walk *w, const char *expr, xmlNodePtr node, size_t cap)
{
    xmlXPathObjectPtr o = eval(w, expr, node);
    char *v = NULL;

    if (o == NULL)
        return NULL;
    if (o->type == XPATH_NODESET && o->nodesetval &&
        o->nodesetval->nodeNr > 0)
        v = node_text(o->nodesetval->nodeTab[0], cap);
    else if (o->type == XPATH_STRING && o->stringval)
        v = xstrndup((const char *)o->stringval,
                     strnlen((const char *)o->stringval, cap));
    xmlXPathFreeObject(o);
    return v;
}

/* A board page's threads: each row's link, marked by what the row says
   about the last post (the whole row's text when the marker is empty). */
static void
threads(struct walk *w, const struct engine *e)
{
    const struct adapter_conf *a = &w->src->adapter;
    const char *rows = a->threads ? a->threads : e->threads;
    const char *link = a->thread_link ? a->thread_link : e->thread_link;
    const char *mark = a->marker ? a->marker : e->marker;
    xmlXPathObjectPtr o = eval(w, rows, NULL);
    int i;

    if (o == NULL || o->type != XPATH_NODESET || o->nodesetval == NULL) {
        xmlXPathFreeObject(o);
        return;
    }
    for (i = 0; i < o->nodesetval->nodeNr; i++) {
        xmlNodePtr row = o->nodesetval->nodeTab[i];
        char *href = first_value(w, link, row, URL_MAX);
        char *m = first_value(w, mark, row, ADAPTER_MARKER_TEXT);
        char digest[65];

        if (m == NULL || *m == '\0') {
            free(m);
            m = node_text(row, ADAPTER_MARKER_TEXT);
        }
        sha256_hex(m, strlen(m), digest);
        add(w, href, ROLE_MARKED, digest, false);
        free(href);
        free(m);
    }
    xmlXPathFreeObject(o);
}

static void
forum(struct walk *w, const char *role)
{
    const struct engine *e = engine_of(w->src);
    const struct adapter_conf *a = &w->src->adapter;
    const char *next = a->next ? a->next : e->next;

    if (strcmp(role, ROLE_MARKED) == 0) {
        struct as as = { ROLE_MARKED, true };

        each_value(w, next, NULL, add_as, &as);
        return;
    }
    {
        struct as as = { ROLE_LIST, false };

        each_value(w, a->boards ? a->boards : e->boards, NULL, add_as, &as);
        each_value(w, next, NULL, add_as, &as);
    }
    threads(w, e);
}

/* A paste link: its raw view by the template, else the link itself. */
static void
add_paste(struct walk *w, const char *href, void *arg)
{
    const char *raw = w->src->adapter.raw;
    char *abs, *url;
    const char *at;
    PCRE2_SIZE *ov;
    size_t idlen;

    (void)arg;
    if (raw == NULL) {
        add(w, href, ROLE_ONCE, NULL, false);
        return;
    }
    abs = url_resolve(w->page_url, href);
    if (abs == NULL || !url_same_site(w->src->url, abs) ||
        pcre2_match(w->id_re, (PCRE2_SPTR)abs, strlen(abs), 0, 0, w->md,
                    NULL) < 2) {
        free(abs);
        return;
    }
    ov = pcre2_get_ovector_pointer(w->md);
    idlen = ov[3] - ov[2];
    at = strstr(raw, "{id}");
    url = xasprintf("%.*s%.*s%s", (int)(at - raw), raw, (int)idlen,
                    abs + ov[2], at + 4);
    add(w, url, ROLE_ONCE, NULL, false);
    free(url);
    free(abs);
}

static void
paste(struct walk *w)
{
    const struct adapter_conf *a = &w->src->adapter;
    struct as as = { ROLE_LIST, false };
    char msg[200];

    if (a->raw) {
        w->id_re = compile_id(a->paste_id ? a->paste_id : DEFAULT_PASTE_ID,
                              msg, sizeof(msg));
        if (w->id_re == NULL)
            return; /* adapter_check() refused it at apply */
        w->md = pcre2_match_data_create_from_pattern(w->id_re, NULL);
    }
    each_value(w, a->pastes ? a->pastes : DEFAULT_PASTES, NULL, add_paste,
               NULL);
    if (a->next)
        each_value(w, a->next, NULL, add_as, &as);
}

/* RSS and Atom items, sitemap entries (marked by lastmod), sitemaps. */
static void
feed(struct walk *w)
{
    static const char *items =
        "//*[local-name()='item']/*[local-name()='link']"
        " | //*[local-name()='entry']/*[local-name()='link']"
        "[not(@rel) or @rel='alternate']/@href";
    struct as once = { ROLE_ONCE, false }, list = { ROLE_LIST, false };
    xmlXPathObjectPtr o;
    int i;

    each_value(w, items, NULL, add_as, &once);
    each_value(w, "//*[local-name()='sitemap']/*[local-name()='loc']", NULL,
               add_as, &list);
    o = eval(w, "//*[local-name()='url'][*[local-name()='loc']]", NULL);
    if (o == NULL || o->type != XPATH_NODESET || o->nodesetval == NULL) {
        xmlXPathFreeObject(o);
        return;
    }
    for (i = 0; i < o->nodesetval->nodeNr; i++) {
        xmlNodePtr n = o->nodesetval->nodeTab[i];
        char *loc = first_value(w, "*[local-name()='loc']", n, URL_MAX);
        char *mod = first_value(w, "*[local-name()='lastmod']", n, 200);
        char digest[65];

        if (mod && *mod) {
            sha256_hex(mod, strlen(mod), digest);
            add(w, loc, ROLE_MARKED, digest, false);
        } else {
            add(w, loc, ROLE_ONCE, NULL, false);
        }
        free(loc);
        free(mod);
    }
    xmlXPathFreeObject(o);
}

int
adapter_links(const struct source_conf *src, const char *role,
              const char *page_url, const char *body, size_t len,
              struct adapter_links *out, struct buf *err)
{
    struct walk w = { src, page_url, NULL, out, NULL, NULL };
    xmlDocPtr doc;
    int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

    out->v = NULL;
    out->n = 0;
    if (len > (size_t)INT32_MAX) {
        errf(err, "page too large for the adapter");
        return DRP_ETOOBIG;
    }
    /* Only lists lead on, and a forum thread to its next page. */
    if (strcmp(role, ROLE_LIST) != 0 &&
        !(is_kind(src, "forum") && strcmp(role, ROLE_MARKED) == 0))
        return 0;
    quiet_errors();
    /* Feeds are XML (no entity expansion, no network: XXE stays out);
       everything else is HTML as browsers read it. */
    if (is_kind(src, "feed"))
        doc = xmlReadMemory(body, (int)len, page_url, "UTF-8",
                            opts | XML_PARSE_RECOVER);
    else
        doc = htmlReadMemory(body, (int)len, page_url, "UTF-8",
                             HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                                 HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    if (doc == NULL) {
        errf(err, "page cannot be read as %s",
                 is_kind(src, "feed") ? "XML" : "HTML");
        return DRP_EINVAL;
    }
    w.ctx = xmlXPathNewContext(doc);
    if (is_kind(src, "feed"))
        feed(&w);
    else if (is_kind(src, "paste"))
        paste(&w);
    else
        forum(&w, role);
    pcre2_match_data_free(w.md);
    pcre2_code_free(w.id_re);
    xmlXPathFreeContext(w.ctx);
    xmlFreeDoc(doc);
    return 0;
}
