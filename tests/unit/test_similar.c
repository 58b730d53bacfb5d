/*
 * Tests for the lookalike watch's pure parts: page likeness
 * (extract/similar.c), the forms, favicon link and markup skeleton that
 * extract/html.c records, and the scores of alerts_lookalike().
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts.h"
#include "common/buf.h"
#include "common/xalloc.h"
#include "extract/html.h"
#include "extract/similar.h"
#include "tests/tap.h"
#include "common/banned.h"

static const char official[] =
    "Northwind Bank. Personal banking, savings accounts, mortgages and "
    "credit cards for everyone in the Northwind valley. Sign in to online "
    "banking to see your balance, pay bills and move money between your "
    "accounts. Our branches are open Monday to Friday from nine to five. "
    "Call us any time on our free number; we never ask for your password "
    "by phone or e-mail. Northwind Bank is a member of the deposit "
    "guarantee scheme. Careers, press, accessibility and privacy.";

static double
text_like(const char *a, const char *b)
{
    struct similar_sig sa, sb;

    similar_text_sig(a, strlen(a), &sa);
    similar_text_sig(b, strlen(b), &sb);
    return similar_jaccard(&sa, &sb);
}

static void
test_text(void)
{
    char *upper = xstrdup(official), *p, *half;
    struct similar_sig e;

    for (p = upper; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    ok(text_like(official, official) == 1.0, "the same text is alike");
    ok(text_like(official, upper) == 1.0, "whatever the case of ASCII");
    ok(text_like(official, "Cheap flights to Lisbon and Porto, hotels and "
                           "car hire, book now and save on your summer "
                           "holiday with our travel deals.") < 0.05,
       "an unrelated text is not");
    /* The first half of the text: about half its shingles. */
    half = xstrndup(official, strlen(official) / 2);
    ok(text_like(official, half) > 0.3 && text_like(official, half) < 0.7,
       "half the text is half alike (%.2f)", text_like(official, half));
    similar_text_sig("  ... ;; ", 9, &e);
    is(e.shingles, 0, "no word: an empty signature");
    ok(text_like("", official) == 0.0, "an empty text is like nothing");
    ok(text_like("Northwind", "northwind") == 1.0,
       "a text shorter than a shingle is one shingle");
    ok(text_like("b\xc3\xbc" "cher online kaufen", "B\xc3\xbc" "cher online "
                 "kaufen") == 1.0, "words of any script");
    free(upper);
    free(half);
}

static void
test_markup(void)
{
    struct html_doc a, b, c;
    struct similar_sig sa, sb, sc;
    const char *page =
        "<html><head><title>t</title><link rel=stylesheet href=s.css>"
        "</head><body><header><nav><ul><li><a href=/>Home</a><li>"
        "<a href=/cards>Cards</a></ul></nav></header><main><h1>Hi</h1>"
        "<p>One<p>Two<form action=/login method=post><input name=u>"
        "<input type=password name=p><button>Go</button></form></main>"
        "<footer><p>(c)</footer></body></html>";

    html_doc_init(&a);
    html_doc_init(&b);
    html_doc_init(&c);
    html_parse(page, strlen(page), &a);
    html_parse(page, strlen(page), &b);
    html_parse("<table><tr><td>x<td>y<tr><td>z</table><pre>q</pre>"
               "<dl><dt>a<dd>b</dl>", 55, &c);
    ok(a.ntags > 20, "the skeleton holds every element (%zu)", a.ntags);
    similar_tags_sig(a.tags, a.ntags, &sa);
    similar_tags_sig(b.tags, b.ntags, &sb);
    similar_tags_sig(c.tags, c.ntags, &sc);
    ok(similar_jaccard(&sa, &sb) == 1.0, "the same markup is alike");
    ok(similar_jaccard(&sa, &sc) < 0.1, "other markup is not (%.2f)",
       similar_jaccard(&sa, &sc));
    similar_tags_sig(NULL, 0, &sc);
    ok(similar_jaccard(&sa, &sc) == 0.0, "no markup is like nothing");
    html_doc_release(&a);
    html_doc_release(&b);
    html_doc_release(&c);
}

static void
test_forms(void)
{
    struct html_doc d;
    const char *html =
        "<head><link rel='Shortcut Icon' href='/static/nw.ico'>"
        "<link rel=icon href=/second.ico></head>"
        "<form id=search><input name=q><input type=hidden name=card_no>"
        "</form>"
        "<form method=POST><input name=user><input type=PASSWORD name=pw>"
        "</form>"
        "<form><input autocomplete=cc-number name=n><input name=x></form>"
        "<form><input name=CVV></form>";

    html_doc_init(&d);
    html_parse(html, strlen(html), &d);
    is(d.nforms, 4, "four forms");
    ok(!d.forms[0].has_password && !d.forms[0].has_card,
       "a search form asks for nothing (a hidden field does not count)");
    ok(d.forms[1].has_password && !d.forms[1].has_card,
       "a password field makes a login form");
    ok(d.forms[2].has_card, "autocomplete=cc-number makes a payment form");
    ok(d.forms[3].has_card, "so does a field named CVV");
    is_str(d.icon, "/static/nw.ico", "the first icon link, any case");
    html_doc_release(&d);
    html_doc_init(&d);
    html_parse("<link rel=stylesheet href=x.css><p>x", 36, &d);
    ok(d.icon == NULL, "no icon link: none");
    html_doc_release(&d);
}

static void
test_parked(void)
{
    const char *yes[] = {
        "example-bank.com - This domain is for sale! Make an offer",
        "BUY THIS DOMAIN today",
        "Related Searches: Bank Accounts, Credit Cards",
        "Welcome to nginx! If you see this page, the nginx web server",
        "Coming soon",
    };
    const char *no[] = {
        official,
        "Our parking garage is open all night; sale on now.",
    };
    size_t i;

    for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        ok(similar_parked(yes[i], strlen(yes[i])), "parked: '%.30s'",
           yes[i]);
    for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        ok(!similar_parked(no[i], strlen(no[i])), "not parked: '%.30s'",
           no[i]);
}

/* The lookalike-domain case's score of o, and how many cases it made. */
static int
score(const struct lookalike_obs *o, size_t *n, const char **severity)
{
    struct alert_drafts d = { 0 };
    int s;

    alerts_lookalike(o, &d);
    *n = d.n;
    s = d.v[0].score;
    *severity = d.v[0].severity;
    ok(strncmp(d.v[0].dedup_key, "lookalike-domain:", 17) == 0 &&
           strcmp(d.v[0].subject, o->name) == 0 && d.v[0].title &&
           d.v[0].summary && d.v[0].next_step,
       "%s: one case per domain, with its evidence and next step", o->name);
    alert_drafts_release(&d);
    return s;
}

static void
test_scores(void)
{
    struct watch_term t = { "domain", "northwind.com", "medium", "brand" };
    struct lookalike_obs base = { .unicode = NULL, .fuzzers = "omission",
                                  .term = &t, .addresses = "127.0.0.1",
                                  .http_status = 200, .official = true };
    struct lookalike_obs clone = base, similar = base, parked = base,
                         unrelated = base, silent = base, own = base;
    struct alert_drafts d = { 0 };
    const char *sev;
    size_t n;
    int sc, ss, sp, su, sn, so;
    char parts[ALERTS_PARTS_JSON_MAX];

    clone.name = clone.unicode = "nortwind.com";
    clone.url = clone.final_url = "http://nortwind.com/";
    clone.text_similarity = 0.9;
    clone.markup_similarity = 0.95;
    clone.login_form = true;
    clone.brand_terms = 1;
    clone.favicon_match = true;
    sc = score(&clone, &n, &sev);
    is_str(sev, "critical", "a live clone with a login form is critical");
    is(n, 2, "and an impersonation case besides");
    alerts_lookalike(&clone, &d);
    is_str(d.v[1].dedup_key, "impersonation:nortwind.com",
           "keyed by the page's host");
    alerts_score_json(&d.v[0].parts, parts, sizeof(parts));
    ok(strstr(parts, "\"form\": 25") && strstr(parts, "\"similarity\": 28"),
       "its parts name the form and the likeness: %s", parts);
    alert_drafts_release(&d);

    similar.name = similar.unicode = "northwind-help.com";
    similar.text_similarity = 0.45;
    similar.markup_similarity = 0.5;
    similar.brand_terms = 2;
    ss = score(&similar, &n, &sev);
    is(n, 1, "a site only like the official one is no impersonation");

    parked.name = parked.unicode = "northwlnd.com";
    parked.text_similarity = 0.0;
    parked.parked = true;
    sp = score(&parked, &n, &sev);
    is_str(sev, "low", "a parked domain is low");

    unrelated.name = unrelated.unicode = "northwinds.com";
    unrelated.text_similarity = 0.01;
    su = score(&unrelated, &n, &sev);
    is_str(sev, "info", "an unrelated site is info");

    silent.name = silent.unicode = "nrthwind.com";
    silent.http_status = 0;
    silent.fetch_error = "connection refused";
    silent.mx = "10 mail.nrthwind.com";
    sn = score(&silent, &n, &sev);
    is_str(sev, "low", "a domain without a site but with MX is low");

    own.name = own.unicode = "northwind.net";
    own.final_url = "https://www.northwind.com/";
    own.text_similarity = own.markup_similarity = 1.0;
    own.to_official = true;
    so = score(&own, &n, &sev);
    ok(strcmp(sev, "info") == 0 && n == 1,
       "a redirect to the official site is info, no impersonation");

    ok(sc > ss && ss > sp && sp > su,
       "clone %d > similar %d > parked %d > unrelated %d", sc, ss, sp, su);
    ok(sn > su && so < sp, "MX counts (%d); the brand's own ranks last (%d)",
       sn, so);
    parked.new_registration = true;
    ok(score(&parked, &n, &sev) == sp + 5, "a new registration adds 5");
    parked.new_registration = false;
    parked.rule_fp = 8;
    ok(score(&parked, &n, &sev) < sp, "false positives of the rule lower it");
}

int
main(void)
{
    test_text();
    test_markup();
    test_forms();
    test_parked();
    test_scores();
    return done_testing();
}
