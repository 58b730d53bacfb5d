/*
 * Alert rules: which findings of a document open (or update) a case, with
 * its dedup key, severity, score and its parts, title and next step; the
 * lifecycle's allowed status changes. Pure: decides, the caller stores. A
 * finding seen again yields the same dedup key, so the store updates the
 * case instead of opening a new one, and rescores it with what the
 * database knows (alerts_rescore()).
 */
#ifndef DRP_ALERTS_H
#define DRP_ALERTS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/config.h"
#include "extract/extract.h"

/*
 * What a score is made of: points, added up and clamped to 0-100. Impact
 * is what the case can cost; likelihood how sure drpwatch is that it is
 * real and current.
 */
struct alert_score {
    /* impact */
    int kind;          /* the rule's base (ALERT_BASE_*) */
    int priority;      /* the watch term's priority: -10 (low) to +15 */
    /* likelihood */
    int confidence;    /* the extractor's confidence / 5: 0 to 20 */
    int reliability;   /* the source's reliability / 10: 0 to 10 */
    int exposure;      /* where: a dark-web or paste source adds */
    int corroboration; /* +5 per other independent source, up to +15 */
    int freshness;     /* 0 when new; -10 after 7 days, -20 after
                          ALERTS_STALE_DAYS: a re-post of an old leak */
    int precision;     /* analysts' verdicts on the source and on the rule
                          (-10 to +10; 0 without verdicts) */
    /* lookalike-domain and impersonation cases only (alerts_lookalike()) */
    bool lookalike;    /* these parts apply, and are shown */
    int form;          /* impact: a password (+25) or payment card (+30)
                          form on the live page */
    int mail;          /* impact: MX records, mail to the name is taken
                          (+10) */
    int similarity;    /* likelihood: text and markup likeness to the
                          official page, 0 to +30; -10 for a live page
                          that shares nothing with it (someone else's),
                          -20 for one that redirects to the official site
                          (the brand's own) */
    int brand;         /* likelihood: brand terms on the page (+10), the
                          official favicon (+10) */
    int total;         /* the score */
};

#define ALERTS_STALE_DAYS 30

/* What the database knows of a case's finding when it is seen. */
struct alert_facts {
    double finding_age_days; /* since the finding was first seen anywhere */
    double case_age_days;    /* since the case was opened (0: new) */
    int sources;       /* independent sources that saw the finding, this
                          one included (0 counts as 1) */
    int source_tp, source_fp; /* verdicts on the source's cases */
    int rule_tp, rule_fp;     /* verdicts on the cases of the same kind */
};

struct alert_draft {
    char *dedup_key;  /* stable identity of the case */
    const char *kind; /* credential-leak, brand-mention, secret-leak,
                         card-leak, own-asset-listed, canary */
    const char *severity; /* info, low, medium, high, critical */
    int score;        /* 0-100: parts.total */
    struct alert_score parts;
    int sources;      /* independent sources behind the case (rescored) */
    const char *term; /* the watch term's value, or NULL */
    char *subject;    /* what the case is about: the identity, the
                         secret's or card's masked value, the asset */
    char *title;
    char *summary;    /* evidence, never a password */
    char *next_step;  /* what the audience should do */
    const char *audience; /* security, brand, soc */
    size_t finding;   /* index of the finding it rests on */
};

struct alert_drafts {
    struct alert_draft *v;
    size_t n;
};

void alert_drafts_release(struct alert_drafts *d);

/*
 * Evaluates the findings of one document from src found at url. terms are
 * the watch terms the extractor was built with (finding.term indexes them).
 * Findings with a known-benign label (finding.benign) raise no alert.
 */
void alerts_evaluate(const struct findings *f, const struct watch_term *terms,
                     size_t nterms, const struct source_conf *src,
                     const char *url, struct alert_drafts *out);

/*
 * The confidence stored for a finding: the extractor's (0-100) weighed by
 * the reliability of the source it was found on (0-100):
 *
 *     stored = extractor * (100 + reliability) / 200, rounded
 *
 * so a fully reliable source (100) keeps the extractor's confidence, one
 * whose reliability cannot be judged (50, the default) keeps three
 * quarters of it, and a source known to be unreliable (0) half.
 */
int alerts_confidence(int extractor, int reliability);

/*
 * Drops the drafts that the operator's allowlist or suppression rules
 * (cfg->alerts) cover, for a document of src at url. Both are data: the
 * allowlist holds subjects never alerted (an identity, a term, a value;
 * a domain covers its subdomains and the identities of that e-mail
 * domain); a rule suppresses the cases that match all it names: kind,
 * source name, and a glob (fnmatch) on the subject or the URL.
 */
void alerts_filter(const struct alerts_conf *ac, const struct source_conf *src,
                   const char *url, struct alert_drafts *d);

/* Severity word for a 0-100 score. */
const char *alerts_severity(int score);

/*
 * Completes a's score with what the database knows (corroboration,
 * freshness, precision) and sets its total, score and severity. What is
 * fresh and what corroborates depends on the kind: a leaked credential,
 * secret or card ages from its finding's first sighting anywhere (a
 * re-post of an old leak ranks below a fresh one) and is corroborated by
 * every other source that saw it; a brand mention is one page, fresh while
 * its case is. A canary stays critical whatever the parts say.
 */
void alerts_rescore(struct alert_draft *a, const struct alert_facts *f);

/*
 * What one check of a lookalike candidate saw (crawler/resolve.h for the
 * DNS, a fetch of its page, extract/ for the page's likeness): the
 * evidence its case is scored and written from.
 */
struct lookalike_obs {
    const char *name;      /* the candidate, A-labels */
    const char *unicode;   /* and in Unicode (the same when ASCII) */
    const char *fuzzers;   /* "omission,homoglyph" */
    const struct watch_term *term; /* the owned domain it imitates */
    const char *addresses; /* "192.0.2.1, 2001:db8::1", or NULL */
    const char *mx;        /* "10 mx.example, ...", or NULL: no MX */
    const char *url;       /* the page asked for, or NULL: none */
    const char *final_url; /* after redirects */
    long http_status;      /* 0: no answer (fetch_error says why) */
    const char *fetch_error;
    bool official;         /* the official page was fetched: likeness
                              below is measured */
    double text_similarity;   /* 0-1 (extract/similar.h) */
    double markup_similarity; /* 0-1 */
    bool login_form;       /* a form with a password field */
    bool payment_form;     /* a form with payment card fields */
    int brand_terms;       /* brand, product or domain terms on the page */
    bool favicon_match;    /* its favicon's SHA-256 is the official one's */
    bool parked;           /* parked, for sale or unconfigured */
    bool to_official;      /* its page redirected to the official site:
                              most likely the brand's own registration */
    bool new_registration; /* registered since an earlier pass saw the
                              owned domain's candidates */
    int rule_tp, rule_fp;  /* verdicts on cases of the same kinds */
};

/* A page is a clone of the official one from this likeness: an
   impersonation case, whatever the host. */
#define ALERTS_CLONE_SIMILARITY 0.6

/* The likeness of a page to the official one: text weighs twice as much
   as markup (templates are shared by unrelated sites). */
double alerts_likeness(const struct lookalike_obs *o);

/*
 * The cases of one registered candidate into out: its lookalike-domain
 * case (key "lookalike-domain:NAME"), scored by what the domain does,
 * and an impersonation case (key "impersonation:HOST" of the page's
 * final URL) when its live page is a clone of the official one. finding
 * is 0 (no finding behind them). Severity: a parked or silent domain is
 * low, an unrelated live site info, a live clone with a password or
 * card form critical.
 */
void alerts_lookalike(const struct lookalike_obs *o,
                      struct alert_drafts *out);

/* The parts as a JSON object, NUL-terminated in out[0..n); fits in
   ALERTS_PARTS_JSON_MAX bytes. */
#define ALERTS_PARTS_JSON_MAX 384
void alerts_score_json(const struct alert_score *s, char *out, size_t n);

/* Status names, and whether an alert may go from one to the other. */
bool alerts_status_valid(const char *status);
bool alerts_transition_allowed(const char *from, const char *to);
/* Whether status closes a case with a verdict. */
bool alerts_status_closed(const char *status);

#endif
