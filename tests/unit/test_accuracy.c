/*
 * Precision and recall of every finding kind on the labelled corpus in
 * tests/data/extract/ (files NAME.cases; format in its README.md).
 * Each kind must reach EXTRACT_MIN_SCORE on both; the figures are printed.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/xalloc.h"
#include "extract/extract.h"
#include "tests/tap.h"

#define EXTRACT_MIN_SCORE 0.97
#define CASE_MAX_LINE (64u << 10)

/* The watchlist the corpus is written against. */
static struct watch_term terms[] = {
    { "brand", "Northwind Bank", "high", "brand" },
    { "brand", "Northwind", "medium", "brand" },
    { "product", "NorthPay", "medium", "brand" },
    { "executive", "Jane Q. Doe", "high", "security" },
    { "email_domain", "northwindbank.com", "critical", "security" },
    { "domain", "northwindbank.com", "high", "soc" },
};
#define NTERMS (sizeof(terms) / sizeof(terms[0]))

struct score {
    int tp, fp, fn, cases;
};

static struct score scores[FIND_KIND_COUNT];
static int prefilter_diffs; /* cases whose findings change without it */

/* Whether f and g hold the same findings (kind, value, offset, length). */
static bool
same(const struct findings *f, const struct findings *g)
{
    size_t i;

    if (f->n != g->n)
        return false;
    for (i = 0; i < f->n; i++)
        if (f->v[i].kind != g->v[i].kind ||
            f->v[i].offset != g->v[i].offset ||
            f->v[i].len != g->v[i].len ||
            strcmp(f->v[i].value, g->v[i].value) != 0)
            return false;
    return true;
}

static int
kind_of(const char *name)
{
    int k;

    for (k = 0; k < FIND_KIND_COUNT; k++)
        if (strcmp(finding_kind_name((enum finding_kind)k), name) == 0)
            return k;
    return -1;
}

/* Decodes \n \r \t \\ \0 \xHH in place; returns the new length. */
static size_t
unescape(char *s)
{
    size_t i = 0, o = 0;

    while (s[i]) {
        if (s[i] != '\\' || s[i + 1] == '\0') {
            s[o++] = s[i++];
            continue;
        }
        i++;
        switch (s[i]) {
        case 'n': s[o++] = '\n'; i++; break;
        case 'r': s[o++] = '\r'; i++; break;
        case 't': s[o++] = '\t'; i++; break;
        case '0': s[o++] = '\0'; i++; break;
        case '\\': s[o++] = '\\'; i++; break;
        case 'x': {
            char hex[3] = { s[i + 1], s[i + 1] ? s[i + 2] : 0, 0 };

            s[o++] = (char)strtol(hex, NULL, 16);
            i += 3;
            break;
        }
        default: s[o++] = '\\'; break;
        }
    }
    s[o] = '\0';
    return o;
}

static void
run_case(const struct extractor *x, const char *file, int lineno, char *line)
{
    char *kind_s, *want, *text, *tab1, *tab2, *label;
    struct findings f;
    size_t len, i;
    int kind, matched = 0, others = 0;
    bool positive;

    tab1 = strchr(line, '\t');
    tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
    if (tab2 == NULL || (line[0] != '+' && line[0] != '-')) {
        ok(0, "%s:%d: malformed case line", file, lineno);
        return;
    }
    *tab1 = *tab2 = '\0';
    positive = line[0] == '+';
    kind_s = line + 1;
    want = tab1 + 1;
    text = tab2 + 1;
    /* "+KIND=LABEL": the finding must carry that benign label ("-": none). */
    label = strchr(kind_s, '=');
    if (label != NULL)
        *label++ = '\0';
    kind = kind_of(kind_s);
    if (kind < 0) {
        ok(0, "%s:%d: unknown kind '%s'", file, lineno, kind_s);
        return;
    }
    unescape(want);
    len = unescape(text);
    findings_init(&f);
    extract_text(x, text, len, &f);
    {
        /* The Hyperscan prefilter only saves work: same findings. */
        struct findings g;

        findings_init(&g);
        extractor_set_prefilter((struct extractor *)x, false);
        extract_text(x, text, len, &g);
        extractor_set_prefilter((struct extractor *)x, true);
        if (!same(&f, &g)) {
            prefilter_diffs++;
            diag("prefilter changes the findings of %s:%d", file, lineno);
        }
        findings_release(&g);
    }
    for (i = 0; i < f.n; i++) {
        if (f.v[i].kind != (enum finding_kind)kind)
            continue;
        if (positive && !matched &&
            (strcmp(want, "*") == 0 || strcmp(f.v[i].value, want) == 0) &&
            (label == NULL ||
             strcmp(f.v[i].benign ? f.v[i].benign : "-", label) == 0))
            matched = 1;
        else
            others++;
    }
    scores[kind].cases++;
    if (positive) {
        scores[kind].tp += matched;
        scores[kind].fn += !matched;
        if (!matched)
            diag("miss %s:%d: %s '%s'", file, lineno, kind_s, want);
    }
    scores[kind].fp += others;
    if (others)
        diag("false %s:%d: %d extra %s finding(s)", file, lineno, others,
             kind_s);
    findings_release(&f);
}

static void
run_file(const struct extractor *x, const char *dir, const char *name)
{
    char path[4096];
    char *line = xmalloc(CASE_MAX_LINE);
    FILE *fp;
    int lineno = 0;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    fp = fopen(path, "r");
    if (!ok(fp != NULL, "open %s", name)) {
        free(line);
        return;
    }
    while (fgets(line, CASE_MAX_LINE, fp)) {
        size_t n = strlen(line);

        lineno++;
        if (n && line[n - 1] == '\n')
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        run_case(x, name, lineno, line);
    }
    fclose(fp);
    free(line);
}

int
main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : EXTRACT_CASES_DIR;
    static const unsigned char key[] = "accuracy-test-key";
    struct extractor *x = extractor_new(terms, NTERMS, key, sizeof(key) - 1);
    struct dirent *e;
    DIR *d = opendir(dir);
    int k, total_pos = 0, total_neg = 0;

    if (!ok(d != NULL && x != NULL, "corpus %s and extractor ready", dir))
        return done_testing();
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);

        if (n > 6 && strcmp(e->d_name + n - 6, ".cases") == 0)
            run_file(x, dir, e->d_name);
    }
    closedir(d);
    for (k = 0; k < FIND_KIND_COUNT; k++) {
        struct score *s = &scores[k];
        double p, r;

        if (s->cases == 0)
            continue;
        p = s->tp + s->fp ? (double)s->tp / (s->tp + s->fp) : 1.0;
        r = s->tp + s->fn ? (double)s->tp / (s->tp + s->fn) : 1.0;
        total_pos += s->tp + s->fn;
        total_neg += s->cases - (s->tp + s->fn);
        ok(p >= EXTRACT_MIN_SCORE && r >= EXTRACT_MIN_SCORE,
           "%-16s precision %.3f recall %.3f (%d cases: tp %d fp %d fn %d)",
           finding_kind_name((enum finding_kind)k), p, r, s->cases, s->tp,
           s->fp, s->fn);
    }
    diag("corpus: %d positive and %d negative cases", total_pos, total_neg);
    is(prefilter_diffs, 0, "findings are the same with and without the "
                           "prefilter on every case");
    extractor_free(x);
    return done_testing();
}
