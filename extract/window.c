/*
 * Windows over a long document (window.h): where each ends, which of its
 * findings it owns, and how large the next one is. No I/O: the caller
 * reads the text and does what it wants with each window's findings.
 */
#include "config.h"

#include "common/err.h"
#include "extract/window.h"
#include "common/banned.h"

void
window_init(struct window *w, const struct extractor *x, size_t block)
{
    w->x = x;
    w->block = block > WINDOW_MIN ? block : WINDOW_MIN;
    w->size = w->block;
    w->head_words = 0;
}

/* Where to cut p[lo..len): after its last line end, else after its
   last blank, else (one huge token) at len. */
static size_t
cut_point(const char *p, size_t lo, size_t len)
{
    size_t i;

    for (i = len; i > lo; i--)
        if (p[i - 1] == '\n')
            return i;
    for (i = len; i > lo; i--)
        if (p[i - 1] == ' ' || p[i - 1] == '\t' || p[i - 1] == '\r')
            return i;
    return len;
}

size_t
window_end(const struct window *w, const char *text, size_t own,
           size_t have, bool eof, bool *last)
{
    size_t lim = have - own > w->size ? own + w->size : have;

    *last = eof && lim == have;
    return *last ? have : cut_point(text, own, lim);
}

/*
 * The end of the own part of a window (of size bytes past own, end of
 * them scanned), f->v[first..] its findings (in order of offset): WINDOW_TAIL bytes
 * before the end, or before the start of the findings that would cross
 * it (a key block, which may run past the end cut short), but for a
 * window too short to share (cut early by a huge line) and never back
 * by more than a quarter of the window from own.
 */
static size_t
seam(size_t size, size_t own, size_t end, const struct findings *f,
     size_t first)
{
    size_t hi, i, floor = own + size / 4;

    if (end - own < size / 2)
        return end;
    hi = end - WINDOW_TAIL;
    for (i = f->n; i-- > first && f->v[i].offset >= floor;)
        if (f->v[i].offset < hi && f->v[i].offset + f->v[i].len > hi)
            hi = f->v[i].offset;
    return hi;
}

int
window_scan(struct window *w, const char *text, size_t end,
            unsigned long long base, size_t own, bool last,
            struct findings *f, size_t *hi, size_t *next)
{
    size_t size = w->size, first = f->n;
    int rc;

    *hi = *next = end;
    if (base == 0) {
        w->head_words = extract_head_words(w->x, text, end);
        rc = extract_text(w->x, text, end, f);
    } else {
        rc = extract_text_more(w->x, text, end, w->head_words, f);
    }
    if (rc < 0 && size > WINDOW_MIN) {
        findings_truncate(f, first);
        w->size = size / 4 > WINDOW_MIN ? size / 4 : WINDOW_MIN;
        return WINDOW_RETRY;
    }
    if (rc < 0)
        return DRP_ETOOBIG;
    if (!last && (*hi = seam(size, own, end, f, first)) < end)
        *next = cut_point(text, *hi - 2 * WINDOW_LEAD, *hi - WINDOW_LEAD);
    if (size < w->block && f->n - first < EXTRACT_MAX_FINDINGS / 8)
        w->size = size * 2 < w->block ? size * 2 : w->block;
    return 0;
}

void
window_keep(struct findings *f, size_t first, size_t own, size_t hi,
            unsigned long long base)
{
    size_t i, n = first;

    for (i = first; i < f->n; i++) {
        if (f->v[i].offset < own || f->v[i].offset >= hi)
            continue; /* the last window's or the next one's */
        f->v[n] = f->v[i];
        f->v[n].offset += base;
        if (f->v[n].kind == FIND_CREDENTIAL)
            f->v[n].pw_offset += base;
        n++;
    }
    findings_truncate(f, n);
}
