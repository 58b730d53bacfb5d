/*
 * The alert rules: a credential of a watched domain is a credential-leak
 * case per identity and password hash; a canary identity turning up is a
 * canary case; a watch-term mention is a brand-mention case per term and
 * page; a secret near an owned domain, a card of a watched BIN and an own
 * asset on a page full of indicators are cases of their own. Other
 * known-benign findings raise nothing. Scores are parts (struct
 * alert_score) added up; the lifecycle's transitions are a table.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alerts/alerts.h"
#include "common/xalloc.h"
#include "extract/benign.h"
#include "common/banned.h"

/* The impact of each kind of case: what it can cost. */
#define BASE_CANARY 100     /* proof of a leak and of where it came from */
#define BASE_CREDENTIAL 45
#define BASE_SECRET 45
#define BASE_CARD 40
#define BASE_OWN_LISTED 35
#define BASE_MENTION 15
#define BASE_LOOKALIKE 20     /* a name that passes for ours, registered */
#define BASE_IMPERSONATION 35 /* a copy of our site, wherever it is */

/* A secret is tied to an owned domain written this close to it. */
#define SECRET_TIE_BYTES 1024
/* A page is an indicator list when it holds this many other indicators. */
#define IOC_LIST_MIN 10

static void
draft_release(struct alert_draft *a)
{
    free(a->dedup_key);
    free(a->subject);
    free(a->title);
    free(a->summary);
    free(a->next_step);
}

void
alert_drafts_release(struct alert_drafts *d)
{
    size_t i;

    for (i = 0; i < d->n; i++)
        draft_release(&d->v[i]);
    free(d->v);
    d->v = NULL;
    d->n = 0;
}

const char *
alerts_severity(int score)
{
    if (score >= 85)
        return "critical";
    if (score >= 65)
        return "high";
    if (score >= 40)
        return "medium";
    if (score >= 20)
        return "low";
    return "info";
}

int
alerts_confidence(int extractor, int reliability)
{
    if (extractor < 0)
        extractor = 0;
    if (reliability < 0)
        reliability = 0;
    if (extractor > 100)
        extractor = 100;
    if (reliability > 100)
        reliability = 100;
    /* Rounded to the nearest whole number. */
    return (extractor * (100 + reliability) + 100) / 200;
}

static int
priority_bonus(const char *p)
{
    if (p == NULL)
        return 0;
    if (strcmp(p, "critical") == 0)
        return 15;
    if (strcmp(p, "high") == 0)
        return 10;
    if (strcmp(p, "medium") == 0)
        return 0;
    return -10;
}

static int
clamp(int v)
{
    return v < 0 ? 0 : v > 100 ? 100 : v;
}

/* The watch term of kind domain/email_domain that covers domain. */
static const struct watch_term *
domain_term(const struct watch_term *terms, size_t n, const char *domain)
{
    size_t i, dl, tl;

    if (domain == NULL)
        return NULL;
    dl = strlen(domain);
    for (i = 0; i < n; i++) {
        const struct watch_term *t = &terms[i];

        if (strcmp(t->kind, "email_domain") != 0 &&
            strcmp(t->kind, "domain") != 0)
            continue;
        tl = strlen(t->value);
        if (dl == tl && strcasecmp(domain, t->value) == 0)
            return t;
        if (dl > tl && domain[dl - tl - 1] == '.' &&
            strcasecmp(domain + dl - tl, t->value) == 0)
            return t;
    }
    return NULL;
}

static void
total(struct alert_draft *a)
{
    const struct alert_score *p = &a->parts;

    a->parts.total = clamp(p->kind + p->priority + p->confidence +
                           p->reliability + p->exposure + p->corroboration +
                           p->freshness + p->precision + p->form +
                           p->mail + p->similarity + p->brand);
    /* A canary is proof, whatever else the parts say. */
    if (strcmp(a->kind, "canary") == 0 && a->parts.total < 95)
        a->parts.total = 95;
    a->score = a->parts.total;
    a->severity = alerts_severity(a->score);
}

/*
 * A new draft with key (taken over), scored base (its impact) and
 * exposure plus what every rule weighs: the extractor's confidence, the
 * source's reliability and the term's priority. NULL (key freed) when the
 * document has that case already.
 */
static struct alert_draft *
add(struct alert_drafts *d, char *key, const char *kind, int base,
    int exposure, const struct finding *fd, size_t idx,
    const struct source_conf *src, const struct watch_term *t)
{
    struct alert_draft *a;
    size_t i;

    for (i = 0; i < d->n; i++) {
        if (strcmp(d->v[i].dedup_key, key) == 0) {
            free(key);
            return NULL;
        }
    }
    d->v = xreallocarray(d->v, d->n + 1, sizeof(*d->v));
    a = &d->v[d->n++];
    memset(a, 0, sizeof(*a));
    a->dedup_key = key;
    a->kind = kind;
    a->finding = idx;
    a->term = t ? t->value : NULL;
    a->sources = 1;
    a->parts.kind = base;
    a->parts.priority = t ? priority_bonus(t->priority) : 0;
    a->parts.confidence = clamp(fd->confidence) / 5;
    a->parts.reliability = clamp(src->reliability) / 10;
    a->parts.exposure = exposure;
    total(a);
    return a;
}

void
alerts_rescore(struct alert_draft *a, const struct alert_facts *f)
{
    bool leak = strcmp(a->kind, "credential-leak") == 0 ||
                strcmp(a->kind, "secret-leak") == 0 ||
                strcmp(a->kind, "card-leak") == 0;
    bool page = strcmp(a->kind, "brand-mention") == 0;
    double age = leak ? f->finding_age_days : f->case_age_days;
    int others = !page && f->sources > 1 ? f->sources - 1 : 0;
    double ps, pr;

    a->sources = others + 1;
    a->parts.corroboration = others * 5 > 15 ? 15 : others * 5;
    a->parts.freshness = age >= ALERTS_STALE_DAYS ? -20
                         : age >= 7               ? -10
                                                  : 0;
    /* Laplace-smoothed precision of the source and of the rule: 0.5
       (no points) without verdicts, towards +-10 as verdicts agree. */
    ps = (f->source_tp + 1.0) / (f->source_tp + f->source_fp + 2.0);
    pr = (f->rule_tp + 1.0) / (f->rule_tp + f->rule_fp + 2.0);
    a->parts.precision = (int)((ps + pr - 1.0) * 10.0 +
                               (ps + pr >= 1.0 ? 0.5 : -0.5));
    total(a);
}

void
alerts_score_json(const struct alert_score *s, char *out, size_t n)
{
    if (s->lookalike) {
        snprintf(out, n,
                 "{\"impact\": {\"kind\": %d, \"priority\": %d, "
                 "\"form\": %d, \"mail\": %d}, "
                 "\"likelihood\": {\"similarity\": %d, \"brand\": %d, "
                 "\"freshness\": %d, \"precision\": %d}, \"total\": %d}",
                 s->kind, s->priority, s->form, s->mail, s->similarity,
                 s->brand, s->freshness, s->precision, s->total);
        return;
    }
    snprintf(out, n,
             "{\"impact\": {\"kind\": %d, \"priority\": %d}, "
             "\"likelihood\": {\"confidence\": %d, \"reliability\": %d, "
             "\"exposure\": %d, \"corroboration\": %d, \"freshness\": %d, "
             "\"precision\": %d}, \"total\": %d}",
             s->kind, s->priority, s->confidence, s->reliability,
             s->exposure, s->corroboration, s->freshness, s->precision,
             s->total);
}

/* The lifecycle: new -> investigating -> takedown-requested -> resolved,
   or false-positive, or accepted-risk; a closed case may be reopened. */
static const char *const statuses[] = {
    "new", "investigating", "takedown-requested", "resolved",
    "false-positive", "accepted-risk",
};
static const char *const transitions[][2] = {
    { "new", "investigating" },
    { "new", "takedown-requested" },
    { "new", "resolved" },
    { "new", "false-positive" },
    { "new", "accepted-risk" },
    { "investigating", "takedown-requested" },
    { "investigating", "resolved" },
    { "investigating", "false-positive" },
    { "investigating", "accepted-risk" },
    { "takedown-requested", "investigating" },
    { "takedown-requested", "resolved" },
    { "takedown-requested", "false-positive" },
    { "takedown-requested", "accepted-risk" },
    { "resolved", "new" },
    { "false-positive", "new" },
    { "accepted-risk", "new" },
};

bool
alerts_status_valid(const char *status)
{
    size_t i;

    for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
        if (strcmp(status, statuses[i]) == 0)
            return true;
    return false;
}

bool
alerts_transition_allowed(const char *from, const char *to)
{
    size_t i;

    for (i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++)
        if (strcmp(from, transitions[i][0]) == 0 &&
            strcmp(to, transitions[i][1]) == 0)
            return true;
    return false;
}

bool
alerts_status_closed(const char *status)
{
    return strcmp(status, "resolved") == 0 ||
           strcmp(status, "false-positive") == 0 ||
           strcmp(status, "accepted-risk") == 0;
}

static void
credential(const struct finding *fd, size_t idx,
           const struct watch_term *terms, size_t nterms,
           const struct source_conf *src, const char *url,
           struct alert_drafts *out)
{
    const struct watch_term *t = domain_term(terms, nterms, fd->domain);
    const char *at = fd->identity ? strchr(fd->identity, '@') : NULL;
    char hex[17];
    char *key;
    struct alert_draft *a;
    int i;

    /* A watched e-mail identity on another site's login counts too. */
    if (t == NULL && at != NULL)
        t = domain_term(terms, nterms, at + 1);
    if (t == NULL)
        return;
    for (i = 0; i < 8; i++)
        snprintf(hex + 2 * i, 3, "%02x", fd->pw_hmac[i]);
    key = xasprintf("credential-leak:%s:%s", fd->identity, hex);
    a = add(out, key, "credential-leak", BASE_CREDENTIAL,
            (src->tor ? 10 : 0) + (strcmp(src->kind, "paste") == 0 ? 5 : 0),
            fd, idx, src, t);
    if (a == NULL)
        return;
    a->subject = xstrdup(fd->identity);
    a->audience = "security";
    a->title = xasprintf("Leaked credential for %s on %s", fd->identity,
                         src->name);
    a->summary = xasprintf("identity=%s domain=%s password_hint=%s "
                           "password_hash=%s source=%s url=%s",
                           fd->identity, fd->domain, fd->pw_hint, hex,
                           src->name, url);
    a->next_step = xasprintf("Force a password reset for %s, revoke its "
                             "sessions and tokens, and review sign-ins since "
                             "the leak; check whether the same password "
                             "hash appears for other accounts.",
                             fd->identity);
}

/* "/thread/7?page=2" of "http://host/thread/7?page=2": the table's
   reader knows the source, the path tells the pages apart. */
static const char *
page_path(const char *url)
{
    const char *p = strstr(url, "://");

    p = p ? strchr(p + 3, '/') : NULL;
    return p ? p : url;
}

static void
mention(const struct finding *fd, size_t idx, const struct watch_term *terms,
        size_t nterms, const struct source_conf *src, const char *url,
        struct alert_drafts *out)
{
    const struct watch_term *t;
    char *key;
    struct alert_draft *a;

    if (fd->term < 0 || (size_t)fd->term >= nterms)
        return;
    t = &terms[fd->term];
    /* Owned domains are matched in e-mails and URLs too: not mentions. */
    if (strcmp(t->kind, "domain") == 0 || strcmp(t->kind, "email_domain") == 0)
        return;
    key = xasprintf("brand-mention:%s:%s:%s", t->kind, t->value, url);
    /* Dark-web and paste sources are where leaks and sales surface. */
    a = add(out, key, "brand-mention", BASE_MENTION,
            (src->tor ? 15 : 0) + (strcmp(src->kind, "paste") == 0 ? 5 : 0),
            fd, idx, src, t);
    if (a == NULL)
        return;
    a->subject = xstrdup(t->value);
    a->audience = "brand";
    a->title = xasprintf("%s '%s' mentioned on %s%s: %s", t->kind,
                         t->value, src->name, src->tor ? " (dark web)" : "",
                         page_path(url));
    a->summary = xasprintf("term=%s source=%s url=%s", t->value, src->name,
                           url);
    a->next_step = xstrdup("Read the page in context: if it offers the "
                           "brand's data, accounts or access for sale, or "
                           "impersonates it, escalate to the security team "
                           "or request a takedown; otherwise mark it "
                           "false-positive.");
}

/* The watch term of kind whose value equals v (case-insensitively). */
static const struct watch_term *
term_of(const struct watch_term *terms, size_t n, const char *kind,
        const char *v)
{
    size_t i;

    for (i = 0; v != NULL && i < n; i++)
        if (strcmp(terms[i].kind, kind) == 0 &&
            strcasecmp(terms[i].value, v) == 0)
            return &terms[i];
    return NULL;
}

/* A planted identity turned up: as a credential or as an address. */
static bool
canary(const struct finding *fd, size_t idx, const struct watch_term *terms,
       size_t nterms, const struct source_conf *src, const char *url,
       struct alert_drafts *out)
{
    const char *who = fd->kind == FIND_CREDENTIAL ? fd->identity
                      : fd->kind == FIND_EMAIL    ? fd->value
                                                  : NULL;
    const struct watch_term *t = term_of(terms, nterms, "canary", who);
    struct alert_draft *a;

    if (t == NULL)
        return false;
    a = add(out, xasprintf("canary:%s", t->value), "canary", BASE_CANARY, 0,
            fd, idx, src, t);
    if (a == NULL)
        return true;
    a->subject = xstrdup(t->value);
    a->audience = "security";
    a->title = xasprintf("Canary %s turned up on %s", t->value, src->name);
    a->summary = xasprintf("canary=%s as=%s source=%s url=%s", t->value,
                           fd->kind == FIND_CREDENTIAL ? "credential"
                                                       : "e-mail address",
                           src->name, url);
    a->next_step = xasprintf(
        "Treat as a confirmed breach: %s exists only where it was planted, "
        "so that system has leaked. Find how it left (access logs, exports, "
        "vendors), contain it, and reset what it exposed.",
        t->value);
    return true;
}

/* Whether the document has an owned domain (watched or own-asset)
   within SECRET_TIE_BYTES of fd; its value in *owned. */
static bool
near_owned(const struct findings *f, const struct finding *fd,
           const char **owned)
{
    size_t i;

    for (i = 0; i < f->n; i++) {
        const struct finding *o = &f->v[i];
        size_t d = o->offset > fd->offset ? o->offset - fd->offset
                                          : fd->offset - o->offset;

        if ((o->kind != FIND_DOMAIN && o->kind != FIND_URL &&
             o->kind != FIND_EMAIL) || d > SECRET_TIE_BYTES)
            continue;
        if (o->watched ||
            (o->benign != NULL && strcmp(o->benign, BENIGN_OWN) == 0)) {
            *owned = o->value;
            return true;
        }
    }
    return false;
}

static void
secret(const struct findings *f, const struct finding *fd, size_t idx,
       const struct source_conf *src, const char *url,
       struct alert_drafts *out)
{
    const char *owned = NULL;
    struct alert_draft *a;

    if (!near_owned(f, fd, &owned))
        return;
    a = add(out, xasprintf("secret-leak:%s", fd->value), "secret-leak",
            BASE_SECRET,
            (src->tor ? 10 : 0) + (strcmp(src->kind, "paste") == 0 ? 5 : 0),
            fd, idx, src, NULL);
    if (a == NULL)
        return;
    a->subject = xstrdup(fd->value);
    a->audience = "security";
    a->title = xasprintf("Secret %s next to %s on %s", fd->value, owned,
                         src->name);
    a->summary = xasprintf("secret=%s near=%s source=%s url=%s", fd->value,
                           owned, src->name, url);
    a->next_step = xstrdup("Revoke and rotate the key or token now (the "
                           "masked value names its type), then check its "
                           "use since the page appeared and remove it from "
                           "where it was committed or pasted.");
}

static void
card(const struct finding *fd, size_t idx, const struct watch_term *terms,
     size_t nterms, const struct source_conf *src, const char *url,
     struct alert_drafts *out)
{
    const struct watch_term *t = NULL;
    struct alert_draft *a;
    size_t i;

    for (i = 0; i < nterms && t == NULL; i++)
        if (strcmp(terms[i].kind, "card_bin") == 0 &&
            strncmp(fd->value, terms[i].value, strlen(terms[i].value)) == 0)
            t = &terms[i];
    if (t == NULL)
        return;
    a = add(out, xasprintf("card-leak:%s", fd->value), "card-leak",
            BASE_CARD,
            (src->tor ? 10 : 0) + (strcmp(src->kind, "paste") == 0 ? 5 : 0),
            fd, idx, src, t);
    if (a == NULL)
        return;
    a->subject = xstrdup(fd->value);
    a->audience = "security";
    a->title = xasprintf("Card %s of BIN %s on %s", fd->value, t->value,
                         src->name);
    a->summary = xasprintf("card=%s bin=%s source=%s url=%s", fd->value,
                           t->value, src->name, url);
    a->next_step = xstrdup("Block and reissue the card, review its recent "
                           "transactions, and look for the rest of the "
                           "batch on the same page.");
}

static bool
indicator(enum finding_kind k)
{
    return k == FIND_IPV4 || k == FIND_IPV6 || k == FIND_DOMAIN ||
           k == FIND_URL || k == FIND_MD5 || k == FIND_SHA1 ||
           k == FIND_SHA256 || k == FIND_SHA512 || k == FIND_ONION;
}

/* Whether finding k is part of another's text: the domain of an e-mail
   address or a credential, the host of a URL. Findings are in text order
   (extract_text()), so the ones around it are enough to look at. */
#define NEIGHBOURS 8

static bool
inside_other(const struct findings *f, size_t k)
{
    const struct finding *fd = &f->v[k];
    size_t i = k > NEIGHBOURS ? k - NEIGHBOURS : 0;

    for (; i < f->n && i <= k + NEIGHBOURS; i++) {
        const struct finding *o = &f->v[i];

        if (i != k && o->len > fd->len && o->offset <= fd->offset &&
            fd->offset < o->offset + o->len)
            return true;
    }
    return false;
}

/* An own asset standing alone on a page that lists IOC_LIST_MIN other
   indicators standing alone (a blocklist, a feed, an IoC paste; not the
   e-mail domains of a combo list). */
static void
own_listed(const struct findings *f, const struct finding *fd, size_t idx,
           const struct source_conf *src, const char *url,
           struct alert_drafts *out)
{
    struct alert_draft *a;
    size_t i, others = 0;

    if (inside_other(f, idx))
        return;
    for (i = 0; i < f->n && others < IOC_LIST_MIN; i++)
        if (indicator(f->v[i].kind) && f->v[i].benign == NULL &&
            !inside_other(f, i))
            others++;
    if (others < IOC_LIST_MIN)
        return;
    a = add(out, xasprintf("own-asset-listed:%s:%s",
                           finding_kind_name(fd->kind), fd->value),
            "own-asset-listed", BASE_OWN_LISTED,
            strcmp(src->kind, "feed") == 0 ? 10 : 0, fd, idx, src, NULL);
    if (a == NULL)
        return;
    a->subject = xstrdup(fd->value);
    a->audience = "soc";
    a->title = xasprintf("Own %s %s listed among indicators on %s",
                         finding_kind_name(fd->kind), fd->value, src->name);
    a->summary = xasprintf("asset=%s kind=%s source=%s url=%s", fd->value,
                           finding_kind_name(fd->kind), src->name, url);
    a->next_step = xstrdup("Check whether the asset is compromised (it may "
                           "serve malware or phishing) or wrongly listed; "
                           "if wrongly, ask the list's maintainer to remove "
                           "it before partners block it.");
}

void
alerts_evaluate(const struct findings *f, const struct watch_term *terms,
                size_t nterms, const struct source_conf *src, const char *url,
                struct alert_drafts *out)
{
    size_t i;

    for (i = 0; i < f->n; i++) {
        const struct finding *fd = &f->v[i];

        if ((fd->kind == FIND_CREDENTIAL || fd->kind == FIND_EMAIL) &&
            canary(fd, i, terms, nterms, src, url, out))
            continue; /* a canary is that, not a credential leak */
        if (fd->benign != NULL) {
            /* Own assets matter on an indicator list; documentation,
               reserved ranges and the like never. */
            if (indicator(fd->kind) && strcmp(fd->benign, BENIGN_OWN) == 0)
                own_listed(f, fd, i, src, url, out);
            continue;
        }
        if (fd->kind == FIND_CREDENTIAL)
            credential(fd, i, terms, nterms, src, url, out);
        else if (fd->kind == FIND_BRAND)
            mention(fd, i, terms, nterms, src, url, out);
        else if (fd->kind == FIND_SECRET)
            secret(f, fd, i, src, url, out);
        else if (fd->kind == FIND_CARD)
            card(fd, i, terms, nterms, src, url, out);
    }
}

/* Whether allowlist entry e covers subject s: equal, or s a subdomain of
   e, or an identity at e. */
static bool
allowed(const char *e, const char *s)
{
    size_t el = strlen(e), sl = strlen(s);

    if (strcasecmp(e, s) == 0)
        return true;
    return sl > el && (s[sl - el - 1] == '.' || s[sl - el - 1] == '@') &&
           strcasecmp(s + sl - el, e) == 0;
}

static bool
suppressed(const struct alert_rule *r, const struct alert_draft *a,
           const struct source_conf *src, const char *url)
{
    if (r->kind && strcmp(r->kind, a->kind) != 0)
        return false;
    if (r->source && strcmp(r->source, src->name) != 0)
        return false;
    if (r->match && fnmatch(r->match, a->subject ? a->subject : "",
                            FNM_CASEFOLD) != 0 &&
        fnmatch(r->match, url, FNM_CASEFOLD) != 0)
        return false;
    return true;
}

void
alerts_filter(const struct alerts_conf *ac, const struct source_conf *src,
              const char *url, struct alert_drafts *d)
{
    size_t i, k, n = 0;
    bool drop;

    for (i = 0; i < d->n; i++) {
        struct alert_draft *a = &d->v[i];

        drop = false;
        for (k = 0; k < ac->nallow && !drop; k++)
            drop = (a->subject && allowed(ac->allow[k], a->subject)) ||
                   (a->term && allowed(ac->allow[k], a->term));
        for (k = 0; k < ac->nsuppress && !drop; k++)
            drop = suppressed(&ac->suppress[k], a, src, url);
        if (drop) {
            draft_release(a);
            continue;
        }
        d->v[n++] = *a;
    }
    d->n = n;
}

double
alerts_likeness(const struct lookalike_obs *o)
{
    if (!o->official)
        return 0.0;
    return (2.0 * o->text_similarity + o->markup_similarity) / 3.0;
}

/* The host of url (no port), into out; "" when it has none. */
static void
url_host(const char *url, char *out, size_t n)
{
    const char *p = url ? strstr(url, "://") : NULL, *at;
    size_t k = 0;

    if (p != NULL) {
        p += 3;
        at = memchr(p, '@', strcspn(p, "/?#"));
        if (at != NULL)
            p = at + 1;
        while (p[k] && !strchr(":/?#", p[k]) && k + 1 < n)
            k++;
        memcpy(out, p, k);
    }
    out[k] = '\0';
}

/* What the page is, in a few words, for titles. */
static const char *
lookalike_what(const struct lookalike_obs *o, bool live, double like)
{
    if (o->to_official)
        return "redirects to the official site";
    if (!live)
        return o->http_status ? "registered, its site answers with an error"
                              : "registered, no site";
    if (like >= ALERTS_CLONE_SIMILARITY)
        return o->payment_form  ? "live clone with a payment form"
               : o->login_form  ? "live clone with a login form"
                                : "live clone of the official site";
    if (o->parked)
        return "parked";
    if (o->login_form || o->payment_form)
        return o->payment_form ? "live site with a payment form"
                               : "live site with a login form";
    if (like >= 0.1 || o->brand_terms || o->favicon_match)
        return "live site like the official one";
    return "live site unrelated to the official one";
}

static struct alert_draft *
lookalike_draft(struct alert_drafts *d, char *key, const char *kind, int base,
                const struct lookalike_obs *o, const struct alert_score *p)
{
    struct alert_draft *a;

    d->v = xreallocarray(d->v, d->n + 1, sizeof(*d->v));
    a = &d->v[d->n++];
    memset(a, 0, sizeof(*a));
    a->dedup_key = key;
    a->kind = kind;
    a->term = o->term ? o->term->value : NULL;
    a->sources = 1;
    a->audience = "brand";
    a->parts = *p;
    a->parts.kind = base;
    total(a);
    return a;
}

void
alerts_lookalike(const struct lookalike_obs *o, struct alert_drafts *out)
{
    bool live = o->http_status >= 200 && o->http_status < 300;
    double like = live ? alerts_likeness(o) : 0.0;
    const char *what = lookalike_what(o, live, like);
    struct alert_score p = { 0 };
    struct alert_draft *a;
    char host[256];
    double pr;

    p.lookalike = true;
    p.priority = o->term ? priority_bonus(o->term->priority) : 0;
    if (live && o->payment_form)
        p.form = 30;
    else if (live && o->login_form)
        p.form = 25;
    p.mail = o->mx ? 10 : 0;
    if (live) {
        p.similarity = (int)(like * 30.0 + 0.5);
        p.brand = (o->brand_terms > 0 ? 10 : 0) + (o->favicon_match ? 10 : 0);
        /* Someone else's site: no likeness, no brand, no form, in use. */
        if (o->official && like < 0.1 && p.brand == 0 && p.form == 0 &&
            !o->parked)
            p.similarity = -10;
    }
    if (o->to_official) {
        p.form = p.brand = 0;
        p.similarity = -20;
        like = 0.0;
    }
    p.freshness = o->new_registration ? 5 : 0;
    pr = (o->rule_tp + 1.0) / (o->rule_tp + o->rule_fp + 2.0);
    p.precision = (int)((pr - 0.5) * 10.0 + (pr >= 0.5 ? 0.5 : -0.5));

    a = lookalike_draft(out, xasprintf("lookalike-domain:%s", o->name),
                        "lookalike-domain", BASE_LOOKALIKE, o, &p);
    a->subject = xstrdup(o->name);
    a->title = xasprintf("Lookalike domain %s%s%s%s of %s: %s", o->name,
                         strcmp(o->name, o->unicode) ? " (" : "",
                         strcmp(o->name, o->unicode) ? o->unicode : "",
                         strcmp(o->name, o->unicode) ? ")" : "",
                         o->term ? o->term->value : "?", what);
    a->summary = xasprintf(
        "name=%s domain=%s fuzzers=%s addresses=%s mx=%s url=%s http=%ld%s%s "
        "text_similarity=%.2f markup_similarity=%.2f login_form=%s "
        "payment_form=%s brand_terms=%d favicon=%s parked=%s "
        "new_registration=%s",
        o->name, o->term ? o->term->value : "?", o->fuzzers,
        o->addresses ? o->addresses : "-", o->mx ? o->mx : "-",
        o->final_url ? o->final_url : o->url ? o->url : "-", o->http_status,
        o->fetch_error ? " error=" : "",
        o->fetch_error ? o->fetch_error : "", o->text_similarity,
        o->markup_similarity, o->login_form ? "yes" : "no",
        o->payment_form ? "yes" : "no", o->brand_terms,
        o->favicon_match ? "official" : "other", o->parked ? "yes" : "no",
        o->new_registration ? "yes" : "no");
    if (p.form > 0 || like >= ALERTS_CLONE_SIMILARITY)
        a->next_step = xasprintf(
            "Phishing in progress: request a takedown from the registrar "
            "and the host of %s (drpwatch alerts takedown), block it at "
            "the web and mail gateways, and warn customers and staff.",
            o->name);
    else if (o->to_official)
        a->next_step = xasprintf(
            "Most likely the brand's own registration (it redirects to the "
            "official site): confirm with whoever manages the brand's "
            "domains and mark it accepted-risk.");
    else if (live && p.similarity > 0)
        a->next_step = xasprintf(
            "Check whether %s trades on the brand: if so, send a cease and "
            "desist or file a UDRP complaint; block it if it collects "
            "data.", o->name);
    else
        a->next_step = xasprintf(
            "Watch it: drpwatch re-checks %s each pass and re-raises this "
            "case when it goes live. Consider a defensive registration or "
            "a UDRP complaint%s; mark it false-positive if it is someone "
            "else's legitimate name.",
            o->name, o->mx ? ", and block mail from it now (it has MX)" : "");

    if (!live || like < ALERTS_CLONE_SIMILARITY)
        return;
    url_host(o->final_url ? o->final_url : o->url, host, sizeof(host));
    a = lookalike_draft(out, xasprintf("impersonation:%s", host),
                        "impersonation", BASE_IMPERSONATION, o, &p);
    a->subject = xstrdup(host);
    a->title = xasprintf("Site impersonating %s on %s (%.0f%% alike)%s",
                         o->term ? o->term->value : "?", host, like * 100.0,
                         p.form ? (o->payment_form ? " with a payment form"
                                                   : " with a login form")
                                : "");
    a->summary = xasprintf(
        "host=%s url=%s via=%s text_similarity=%.2f markup_similarity=%.2f "
        "login_form=%s payment_form=%s brand_terms=%d favicon=%s",
        host, o->final_url ? o->final_url : o->url, o->name,
        o->text_similarity, o->markup_similarity,
        o->login_form ? "yes" : "no", o->payment_form ? "yes" : "no",
        o->brand_terms, o->favicon_match ? "official" : "other");
    a->next_step = xasprintf(
        "A copy of the official site is live at %s: request its takedown "
        "from the host (and the registrar of %s), submit the URL to the "
        "browsers' safe-browsing lists, and block it at the gateways.",
        host, o->name);
}
