/*
 * alerts/alerts.c: which findings open a case, their dedup keys, scores,
 * severities and texts, on findings made by the real extractor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts.h"
#include "common/buf.h"
#include "extract/extract.h"
#include "tests/tap.h"

static struct watch_term terms[] = {
    { "brand", "Northwind Bank", "high", "brand" },
    { "product", "NorthPay", "medium", "brand" },
    { "email_domain", "northwindbank.com", "critical", "security" },
    { "domain", "northwindbank.com", "high", "soc" },
    { "canary", "j.canary@northwindbank.com", "critical", "security" },
    { "card_bin", "412345", "high", "security" },
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
static struct source_conf paste = {
    .name = "paste", .kind = "paste", .url = "http://p.example/",
    .reliability = 50, .tor = false,
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

/* The score of the only case of kind in text (after facts f), or -1. */
static int
scored(struct extractor *x, const char *text, const struct source_conf *s,
       const char *kind, const struct alert_facts *facts, char *sev,
       size_t n)
{
    struct findings f;
    struct alert_drafts d;
    const struct alert_draft *a;
    int score = -1;

    evaluate(x, text, s, "http://p.example/1", &f, &d);
    a = find_kind(&d, kind, 0);
    if (a != NULL && count_kind(&d, kind) == 1) {
        alerts_rescore((struct alert_draft *)a, facts);
        score = a->score;
        snprintf(sev, n, "%s", a->severity);
        ok(a->parts.total == a->score, "%s: the parts add up to the score",
           kind);
    }
    alert_drafts_release(&d);
    findings_release(&f);
    return score;
}

static void
test_scoring(struct extractor *x)
{
    struct alert_facts fresh = { 0, 0, 1, 0, 0, 0, 0 };
    struct alert_facts old = { 90, 0, 1, 0, 0, 0, 0 };
    struct alert_facts week = { 10, 0, 1, 0, 0, 0, 0 };
    struct alert_facts three = { 0, 0, 3, 0, 0, 0, 0 };
    struct alert_facts praised = { 0, 0, 1, 9, 0, 9, 0 };
    struct alert_facts blamed = { 0, 0, 1, 0, 9, 0, 9 };
    struct alert_facts canary_old = { 400, 400, 1, 0, 30, 0, 30 };
    char sev[4][16], tmp[16];
    int c, cred, repost, mention, w, v;

    c = scored(x, "j.canary@northwindbank.com:Canary#2024\n", &paste,
               "canary", &fresh, sev[0], sizeof(sev[0]));
    cred = scored(x, "alice@northwindbank.com:Summer2024!\n", &paste,
                  "credential-leak", &fresh, sev[1], sizeof(sev[1]));
    repost = scored(x, "alice@northwindbank.com:Summer2024!\n", &paste,
                    "credential-leak", &old, sev[2], sizeof(sev[2]));
    mention = scored(x, "They talk about NorthPay here.\n", &forum,
                     "brand-mention", &fresh, sev[3], sizeof(sev[3]));
    diag("canary %d (%s), fresh credential %d (%s), re-posted old leak %d "
         "(%s), lone brand mention %d (%s)", c, sev[0], cred, sev[1], repost,
         sev[2], mention, sev[3]);
    ok(c > cred && cred > repost && repost > mention && mention >= 0,
       "scores order canary > fresh credential > re-posted old leak > "
       "lone brand mention");
    is_str(sev[0], "critical", "a canary is critical");
    is_str(sev[3], "low", "a lone clear-web brand mention is low");
    w = scored(x, "alice@northwindbank.com:Summer2024!\n", &paste,
               "credential-leak", &week, tmp, sizeof(tmp));
    ok(cred > w && w > repost, "a week-old leak sits between (%d)", w);
    v = scored(x, "alice@northwindbank.com:Summer2024!\n", &paste,
               "credential-leak", &three, tmp, sizeof(tmp));
    is(v - cred, 10, "two other sources corroborate: +10");
    v = scored(x, "alice@northwindbank.com:Summer2024!\n", &paste,
               "credential-leak", &praised, tmp, sizeof(tmp));
    w = scored(x, "alice@northwindbank.com:Summer2024!\n", &paste,
               "credential-leak", &blamed, tmp, sizeof(tmp));
    ok(v > cred && cred > w,
       "verdicts move the score: true positives up (%d), false down (%d)",
       v, w);
    v = scored(x, "They talk about NorthPay here.\n", &forum,
               "brand-mention", &three, tmp, sizeof(tmp));
    is(v, mention, "a brand mention is one page: no corroboration");
    v = scored(x, "j.canary@northwindbank.com:Canary#2024\n", &paste,
               "canary", &canary_old, tmp, sizeof(tmp));
    is_str(tmp, "critical", "a canary stays critical, old and blamed");
}

static void
test_kinds(struct extractor *x)
{
    struct findings f;
    struct alert_drafts d;
    const struct alert_draft *a;
    struct buf page = BUF_INIT(1 << 16);
    int i;

    evaluate(x, "dump: j.canary@northwindbank.com:Canary#2024\n", &paste,
             "http://p.example/c", &f, &d);
    is(d.n, 1, "a canary credential: one case");
    a = find_kind(&d, "canary", 0);
    ok(a && strcmp(a->dedup_key, "canary:j.canary@northwindbank.com") == 0,
       "a canary case, not a credential leak");
    ok(a && strstr(a->summary, "Canary#2024") == NULL,
       "no password in a canary case");
    alert_drafts_release(&d);
    findings_release(&f);
    evaluate(x, "contact J.Canary@northwindbank.com for details\n", &forum,
             "http://f.example/c", &f, &d);
    ok(find_kind(&d, "canary", 0) != NULL,
       "a canary address alone is a canary case too");
    alert_drafts_release(&d);
    findings_release(&f);

    evaluate(x,
             "# northwindbank.com deploy config\n"
             "AWS_ACCESS_KEY_ID=AKIAQ3EGRIWNV5ZNUYFH\n"
             "aws_secret_access_key = "
             "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY9x\n",
             &paste, "http://p.example/s", &f, &d);
    a = find_kind(&d, "secret-leak", 0);
    ok(a != NULL && strcmp(a->audience, "security") == 0,
       "a secret next to an owned domain is a secret-leak case");
    ok(a && strstr(a->summary, "near=northwindbank.com") != NULL,
       "which names the owned domain");
    alert_drafts_release(&d);
    findings_release(&f);
    evaluate(x,
             "AWS_ACCESS_KEY_ID=AKIAQ3EGRIWNV5ZNUYFH for contoso.com\n",
             &paste, "http://p.example/s2", &f, &d);
    is(count_kind(&d, "secret-leak"), 0,
       "a secret near nothing we own is no case");
    alert_drafts_release(&d);
    findings_release(&f);

    evaluate(x, "cc dump: 4123 4500 0000 1231 exp 12/27\n"
                "cc dump: 4111 1111 1111 1111 exp 12/27\n",
             &paste, "http://p.example/cc", &f, &d);
    is(count_kind(&d, "card-leak"), 1, "a card of a watched BIN is a case, "
                                       "another BIN's not");
    a = find_kind(&d, "card-leak", 0);
    ok(a && strncmp(a->subject, "412345", 6) == 0 &&
           strstr(a->subject, "0000 1231") == NULL,
       "the card case holds the masked number (%s)", a ? a->subject : "-");
    alert_drafts_release(&d);
    findings_release(&f);

    /* An own asset among indicators, and among a combo list. */
    buf_adds(&page, "blocklist (c2 and phishing):\n");
    for (i = 0; i < 12; i++)
        buf_addf(&page, "185.220.101.%d\nevil-%d-c2.ru\n", i + 1, i);
    buf_adds(&page, "northwindbank.com\n");
    evaluate(x, buf_str(&page), &paste, "http://p.example/ioc", &f, &d);
    a = find_kind(&d, "own-asset-listed", 0);
    ok(a && strcmp(a->subject, "northwindbank.com") == 0 &&
           strcmp(a->audience, "soc") == 0,
       "an owned domain on an indicator list is own-asset-listed");
    alert_drafts_release(&d);
    findings_release(&f);
    buf_reset(&page);
    for (i = 0; i < 20; i++)
        buf_addf(&page, "user%d@mail%d.example.net:Pass%dword!\n", i, i, i);
    buf_adds(&page, "r.patel@northwindbank.com:Secret#123\n");
    evaluate(x, buf_str(&page), &paste, "http://p.example/combo", &f, &d);
    is(count_kind(&d, "own-asset-listed"), 0,
       "the e-mail domains of a combo list are no indicator list");
    alert_drafts_release(&d);
    findings_release(&f);
    buf_release(&page);
}

static void
test_lifecycle(void)
{
    ok(alerts_transition_allowed("new", "investigating"), "new -> ack");
    ok(alerts_transition_allowed("investigating", "takedown-requested"),
       "investigating -> takedown-requested");
    ok(alerts_transition_allowed("takedown-requested", "resolved"),
       "takedown-requested -> resolved");
    ok(alerts_transition_allowed("new", "false-positive"),
       "new -> false-positive");
    ok(alerts_transition_allowed("resolved", "new"), "resolved -> reopened");
    ok(!alerts_transition_allowed("resolved", "investigating"),
       "a closed case is reopened before anything else");
    ok(!alerts_transition_allowed("new", "new"), "no change is no change");
    ok(!alerts_transition_allowed("false-positive", "resolved"),
       "a false positive is not resolved");
    ok(alerts_status_valid("accepted-risk") && !alerts_status_valid("done"),
       "status names");
    ok(alerts_status_closed("accepted-risk") &&
           !alerts_status_closed("takedown-requested"),
       "closed statuses");
}

static void
test_filter(struct extractor *x)
{
    char *allow[] = { "northwindbank.com" };
    char *allow2[] = { "bob@northwindbank.com", "northpay" };
    struct alert_rule rules[] = {
        { "brand-mention", "forum", "*/faq*" },
    };
    struct alerts_conf ac = { allow, 1, NULL, 0 };
    struct findings f;
    struct alert_drafts d;
    const char *text = "alice@northwindbank.com:Summer2024!\n"
                       "bob@northwindbank.com:Winter2024!\n"
                       "Northwind Bank and NorthPay\n";

    evaluate(x, text, &forum, "http://f.example/faq/1", &f, &d);
    is(d.n, 4, "two credentials and two mentions before filtering");
    alerts_filter(&ac, &forum, "http://f.example/faq/1", &d);
    is(count_kind(&d, "credential-leak"), 0,
       "an allowlisted domain covers its identities");
    is(count_kind(&d, "brand-mention"), 2, "and not the brand terms");
    alert_drafts_release(&d);
    findings_release(&f);

    ac = (struct alerts_conf){ allow2, 2, rules, 1 };
    evaluate(x, text, &forum, "http://f.example/faq/1", &f, &d);
    alerts_filter(&ac, &forum, "http://f.example/faq/1", &d);
    is(count_kind(&d, "credential-leak"), 1,
       "an allowlisted identity: only the other credential");
    is(count_kind(&d, "brand-mention"), 0,
       "a suppression rule on kind, source and URL glob");
    alert_drafts_release(&d);
    findings_release(&f);
    evaluate(x, text, &onion, "http://x.onion/faq/1", &f, &d);
    alerts_filter(&ac, &onion, "http://x.onion/faq/1", &d);
    is(count_kind(&d, "brand-mention"), 1,
       "the rule names another source: the mention stays (NorthPay "
       "allowlisted)");
    alert_drafts_release(&d);
    findings_release(&f);
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

    test_kinds(x);
    test_scoring(x);
    test_lifecycle();
    test_filter(x);
    extractor_free(x);
    return done_testing();
}
