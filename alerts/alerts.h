/*
 * Alert rules: which findings of a document open (or update) a case, with
 * its dedup key, severity, score, title and next step. Pure: decides, the
 * caller stores. A finding seen again yields the same dedup key, so the
 * store updates the case instead of opening a new one.
 */
#ifndef DRP_ALERTS_H
#define DRP_ALERTS_H

#include <stddef.h>

#include "common/config.h"
#include "extract/extract.h"

struct alert_draft {
    char *dedup_key;  /* stable identity of the case */
    const char *kind; /* "credential-leak", "brand-mention" */
    const char *severity; /* info, low, medium, high, critical */
    int score;        /* 0-100 */
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

/* Severity word for a 0-100 score. */
const char *alerts_severity(int score);

#endif
