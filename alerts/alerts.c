/*
 * The first alert rules: a credential of a watched domain is a
 * credential-leak case per identity and password hash; a watch-term mention
 * is a brand-mention case per term and page; a known-benign finding
 * (documentation, own asset, ...) raises nothing. Scores combine the
 * extractor's confidence, the source's reliability and the term's priority.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alerts/alerts.h"
#include "common/xalloc.h"
#include "common/banned.h"

void
alert_drafts_release(struct alert_drafts *d)
{
    size_t i;

    for (i = 0; i < d->n; i++) {
        free(d->v[i].dedup_key);
        free(d->v[i].title);
        free(d->v[i].summary);
        free(d->v[i].next_step);
    }
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

/*
 * A new draft with key (taken over) scored base plus what every rule
 * weighs: the extractor's confidence, the source's reliability and the
 * term's priority. NULL (key freed) when the document has that case
 * already.
 */
static struct alert_draft *
add(struct alert_drafts *d, char *key, const char *kind, int base,
    const struct finding *fd, size_t idx, const struct source_conf *src,
    const struct watch_term *t)
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
    a->score = clamp(base + fd->confidence / 5 +
                     clamp(src->reliability) / 10 +
                     priority_bonus(t->priority));
    a->severity = alerts_severity(a->score);
    return a;
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
    a = add(out, key, "credential-leak", 55 + (src->tor ? 5 : 0), fd, idx,
            src, t);
    if (a == NULL)
        return;
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
    a = add(out, key, "brand-mention",
            25 + (src->tor ? 15 : 0) +
                (strcmp(src->kind, "paste") == 0 ? 5 : 0),
            fd, idx, src, t);
    if (a == NULL)
        return;
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

void
alerts_evaluate(const struct findings *f, const struct watch_term *terms,
                size_t nterms, const struct source_conf *src, const char *url,
                struct alert_drafts *out)
{
    size_t i;

    for (i = 0; i < f->n; i++) {
        const struct finding *fd = &f->v[i];

        if (fd->benign != NULL)
            continue; /* documentation, reserved, own asset, ... */
        if (fd->kind == FIND_CREDENTIAL)
            credential(fd, i, terms, nterms, src, url, out);
        else if (fd->kind == FIND_BRAND)
            mention(fd, i, terms, nterms, src, url, out);
    }
}
