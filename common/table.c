/*
 * Terminal tables. Widths count UTF-8 code points, not bytes, so names in
 * other scripts line up; wide (CJK) characters are not measured.
 */
#include <stdlib.h>
#include <string.h>

#include "common/table.h"
#include "common/xalloc.h"
#include "common/banned.h"

struct table {
    size_t ncols;
    char **head;
    int *max;
    char ***rows;
    size_t nrows;
};

/* Copy with control bytes as spaces, cut to max code points. */
static char *
cell(const char *s, int max)
{
    size_t n = strlen(s), i, o = 0;
    char *out = xmalloc(n + 4);
    int cps = 0;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if ((c & 0xc0) != 0x80) {
            if (max > 0 && cps == max) {
                /* back off to leave room for "..." */
                size_t keep = o;
                int k = 0;

                while (keep > 0 && k < 3) {
                    keep--;
                    if (((unsigned char)out[keep] & 0xc0) != 0x80)
                        k++;
                }
                memcpy(out + keep, "...", 3);
                o = keep + 3;
                break;
            }
            cps++;
        }
        out[o++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
    }
    out[o] = '\0';
    return out;
}

static int
width(const char *s)
{
    int w = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            w++;
    return w;
}

struct table *
table_new(size_t ncols, const char *const *headings, const int *max_width)
{
    struct table *t = xcalloc(1, sizeof(*t));
    size_t i;

    t->ncols = ncols;
    t->head = xcalloc(ncols, sizeof(*t->head));
    t->max = xcalloc(ncols, sizeof(*t->max));
    for (i = 0; i < ncols; i++) {
        t->head[i] = xstrdup(headings[i]);
        t->max[i] = max_width ? max_width[i] : 0;
    }
    return t;
}

void
table_add(struct table *t, const char *const *cells)
{
    char **row = xcalloc(t->ncols, sizeof(*row));
    size_t i;

    for (i = 0; i < t->ncols; i++)
        row[i] = cell(cells[i] ? cells[i] : "-", t->max[i]);
    t->rows = xreallocarray(t->rows, t->nrows + 1, sizeof(*t->rows));
    t->rows[t->nrows++] = row;
}

void
table_print(const struct table *t, FILE *out)
{
    int *w = xcalloc(t->ncols, sizeof(*w));
    size_t i, r;

    for (i = 0; i < t->ncols; i++) {
        w[i] = width(t->head[i]);
        for (r = 0; r < t->nrows; r++)
            if (width(t->rows[r][i]) > w[i])
                w[i] = width(t->rows[r][i]);
    }
    for (r = 0; r <= t->nrows; r++) {
        char **row = r == 0 ? t->head : t->rows[r - 1];

        for (i = 0; i < t->ncols; i++) {
            if (i + 1 == t->ncols)
                fprintf(out, "%s\n", row[i]);
            else
                fprintf(out, "%s%*s  ", row[i], w[i] - width(row[i]), "");
        }
    }
    free(w);
}

void
table_free(struct table *t)
{
    size_t i, r;

    if (t == NULL)
        return;
    for (r = 0; r < t->nrows; r++) {
        for (i = 0; i < t->ncols; i++)
            free(t->rows[r][i]);
        free(t->rows[r]);
    }
    for (i = 0; i < t->ncols; i++)
        free(t->head[i]);
    free(t->rows);
    free(t->head);
    free(t->max);
    free(t);
}

void
table_print_count(const struct table *t, FILE *out, size_t n,
                  const char *noun)
{
    table_print(t, out);
    fprintf(out, "%zu %s%s\n", n, noun, n == 1 ? "" : "s");
}
