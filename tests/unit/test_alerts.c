/*
 * alerts/alerts.c: which findings open a case, their dedup keys, scores,
 * severities and texts, on findings made by the real extractor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts.h"
#include "extract/extract.h"
#include "tests/tap.h"

static struct watch_term terms[] = {
    { "brand", "Northwind Bank", "high", "brand" },
    { "product", "NorthPay", "medium", "brand" },
    { "email_domain", "northwindbank.com", "critical", "security" },
    { "domain", "northwindbank.com", "high", "soc" },
};
#define NTERMS (sizeof(terms) / sizeof(terms[0]))

static struct source_conf forum = {
    .name = "forum", .kind = "forum", .url = "http://f.example/",
    .reliability = 60, .tor = false,
};
static struct source_conf onion = {
    .name = "onion", .kind = "forum", .url = "http://x.onion/",
    .reliability = 40, .tor = true,
};

static const unsigned char key[] = "alerts-test-key-0123";

static void
evaluate(struct extractor *x, const char *text, const struct source_conf *s,
         const char *url, struct findings *f, struct alert_drafts *d)
{
    findings_init(f);
    extract_text(x, text, strlen(text), f);
    memset(d, 0, sizeof(*d));
    alerts_evaluate(f, terms, NTERMS, s, url, d);
}

static const struct alert_draft *
find_kind(const struct alert_drafts *d, const char *kind, size_t n)
{
    size_t i;

    for (i = 0; i < d->n; i++)
        if (strcmp(d->v[i].kind, kind) == 0 && n-- == 0)
            return &d->v[i];
    return NULL;
}

static size_t
count_kind(const struct alert_drafts *d, const char *kind)
{
    size_t i, n = 0;

    for (i = 0; i < d->n; i++)
        n += strcmp(d->v[i].kind, kind) == 0;
    return n;
}

int
main(void)
{
    struct extractor *x = extractor_new(terms, NTERMS, key, sizeof(key) - 1);
    struct findings f, f2;
    struct alert_drafts d, d2;
    const struct alert_draft *a;
    size_t i;

    ok(x != NULL, "extractor built");
    evaluate(x,
             "alice@northwindbank.com:Summer2024!\n"
             "bob@gmail.com:hunter22\n"
             "carol@mail.northwindbank.com;Winter#99\n"
             "alice@northwindbank.com:Summer2024!\n",
             &forum, "http://f.example/t/1", &f, &d);
    is(count_kind(&d, "credential-leak"), 2,
       "one case per watched credential, the repeated line counted once");
    a = find_kind(&d, "credential-leak", 0);
    ok(a && strncmp(a->dedup_key, "credential-leak:alice@northwindbank.com:",
                    40) == 0, "dedup key is identity and password hash");
    ok(a && strcmp(a->audience, "security") == 0, "audience is security");
    ok(a && strstr(a->next_step, "password reset") != NULL,
       "the next step says to reset the password");
    ok(a && strstr(a->summary, "Summer2024") == NULL &&
           strstr(a->title, "Summer2024") == NULL,
       "no password in the title or summary");
    ok(a && strstr(a->summary, "password_hint=S") != NULL,
       "the summary carries the masked hint");
    ok(a && (strcmp(a->severity, "critical") == 0 ||
             strcmp(a->severity, "high") == 0),
       "a leaked credential is high or critical (%s)", a ? a->severity : "-");
    a = find_kind(&d, "credential-leak", 1);
    ok(a && strstr(a->dedup_key, "carol@mail.northwindbank.com") != NULL,
       "a subdomain of a watched domain counts");
    for (i = 0; i < d.n; i++)
        ok(strstr(d.v[i].dedup_key, "gmail") == NULL,
           "no case for the unwatched domain (%zu)", i);
    is(count_kind(&d, "brand-mention"), 0,
       "an owned domain inside e-mails is not a brand mention");

    /* Same content again, elsewhere in the page: same keys. */
    evaluate(x, "x\nalice@northwindbank.com:Summer2024!\n", &forum,
             "http://f.example/t/2", &f2, &d2);
    ok(d2.n == 1 && strcmp(d2.v[0].dedup_key,
                           find_kind(&d, "credential-leak", 0)->dedup_key)
                        == 0,
       "the same credential on another page has the same dedup key");
    alert_drafts_release(&d2);
    findings_release(&f2);
    evaluate(x, "alice@northwindbank.com:Autumn2024!\n", &forum,
             "http://f.example/t/2", &f2, &d2);
    ok(d2.n == 1 && strcmp(d2.v[0].dedup_key,
                           find_kind(&d, "credential-leak", 0)->dedup_key)
                        != 0,
       "a new password for the same identity is a new case");
    alert_drafts_release(&d2);
    findings_release(&f2);

    /* A stealer log's URL:login:password line: the site is someone
       else's, the identity is ours. */
    evaluate(x,
             "https://www.netflix.com/login:jane@northwindbank.com:"
             "Summer2024!\n"
             "https://www.netflix.com/login:bob@gmail.com:Winter2023!\n",
             &forum, "http://f.example/t/3", &f2, &d2);
    is(count_kind(&d2, "credential-leak"), 1,
       "a watched e-mail identity on a third-party site is a case");
    a = find_kind(&d2, "credential-leak", 0);
    ok(a && strstr(a->dedup_key, "jane@northwindbank.com") != NULL &&
           strstr(a->summary, "domain=www.netflix.com") != NULL,
       "the case names the identity and the site");
    alert_drafts_release(&d2);
    findings_release(&f2);
    alert_drafts_release(&d);
    findings_release(&f);

    /* Brand mentions: one case per term and page. */
    evaluate(x,
             "Selling Northwind Bank logs. northwind bank fresh.\n"
             "Also NorthPay accounts.\n",
             &forum, "http://f.example/t/9", &f, &d);
    is(count_kind(&d, "brand-mention"), 2,
       "two terms on one page: two cases, repeats folded");
    a = find_kind(&d, "brand-mention", 0);
    ok(a && strcmp(a->dedup_key,
                   "brand-mention:brand:Northwind Bank:http://f.example/t/9")
                == 0, "brand dedup key is kind, term and page");
    ok(a && strstr(a->title, "/t/9") != NULL, "the title names the page");
    ok(a && strcmp(a->audience, "brand") == 0, "audience is brand");
    evaluate(x, "Selling Northwind Bank logs.\n", &onion,
             "http://x.onion/t/9", &f2, &d2);
    ok(d2.n == 1 && a && d2.v[0].score > a->score,
       "the same mention on a dark-web source scores higher (%d > %d)",
       d2.n ? d2.v[0].score : -1, a ? a->score : -1);
    ok(d2.n == 1 && strstr(d2.v[0].title, "(dark web)") != NULL,
       "the title says dark web");
    alert_drafts_release(&d2);
    findings_release(&f2);
    alert_drafts_release(&d);
    findings_release(&f);

    evaluate(x, "Nothing to see: invoice.pdf, 10.0.0.1, bob@gmail.com\n",
             &forum, "http://f.example/t/3", &f, &d);
    is(d.n, 0, "ordinary text raises nothing");
    alert_drafts_release(&d);
    findings_release(&f);

    /* Known-benign findings raise nothing, whatever else they are. */
    evaluate(x, "alice@northwindbank.com:Summer2024!\nNorthwind Bank\n",
             &forum, "http://f.example/t/4", &f, &d);
    is(d.n, 2, "a credential and a mention: two cases");
    alert_drafts_release(&d);
    for (i = 0; i < f.n; i++)
        f.v[i].benign = "documentation";
    memset(&d, 0, sizeof(d));
    alerts_evaluate(&f, terms, NTERMS, &forum, "http://f.example/t/4", &d);
    is(d.n, 0, "the same findings labelled benign: no case");
    alert_drafts_release(&d);
    findings_release(&f);

    /* Stored confidence: the extractor's weighed by the source. */
    is(alerts_confidence(80, 100), 80, "a fully reliable source keeps it");
    is(alerts_confidence(80, 50), 60, "reliability 50 keeps three quarters");
    is(alerts_confidence(80, 0), 40, "an unreliable source halves it");
    is(alerts_confidence(85, 60), 68, "85 at 60: 68 (rounded)");
    is(alerts_confidence(95, 40), 67, "95 at 40: 66.5 rounds up to 67");
    is(alerts_confidence(100, 100), 100, "never above 100");
    is(alerts_confidence(150, 250), 100, "out-of-range inputs clamped");
    is(alerts_confidence(-5, -5), 0, "never below 0");

    is_str(alerts_severity(90), "critical", "score 90 is critical");
    is_str(alerts_severity(70), "high", "score 70 is high");
    is_str(alerts_severity(50), "medium", "score 50 is medium");
    is_str(alerts_severity(25), "low", "score 25 is low");
    is_str(alerts_severity(5), "info", "score 5 is info");
    extractor_free(x);
    return done_testing();
}
