/*
 * A long document extracted in windows, so that no call to the engine
 * meets more than EXTRACT_MAX_FINDINGS and its memory stays bounded:
 * `drpwatch scan` of a file of any size, and a crawled page too dense for
 * one call (a combo list holds some 330,000 findings a MiB).
 *
 * Windows overlap at their seams, so that no finding is cut or loses its
 * context there: each window owns the findings that start in its own
 * part, and its scan goes on WINDOW_TAIL bytes past that part (the lines
 * after a finding's start: a stealer-log record, a key block, the context
 * words after it) and starts up to WINDOW_LEAD bytes before it (the lines
 * and context words before one). A finding that would cross the seam (a
 * key block longer than WINDOW_TAIL) moves it back to its start, so the
 * next window holds it whole. About 1 % of the text is scanned twice. The
 * words at the document's top (extract_head_words()) raise the findings
 * of every window; the top of a later window is no top. The findings of
 * a document scanned in windows are those of the document scanned whole.
 *
 * A window with more findings than the engine takes is scanned again a
 * quarter as large (down to WINDOW_MIN); the size doubles back after
 * windows of fewer than EXTRACT_MAX_FINDINGS / 8.
 */
#ifndef DRP_WINDOW_H
#define DRP_WINDOW_H

#include <stdbool.h>
#include <stddef.h>

#include "extract/extract.h"

#define WINDOW_BLOCK (1u << 20)   /* bytes a window scans past its start */
#define WINDOW_MIN (64u << 10)    /* the least it shrinks to */
#define WINDOW_LEAD (2u << 10)    /* bytes before its own part, at most */
#define WINDOW_TAIL (8u << 10)    /* bytes past its own part */
#define WINDOW_RETRY 1            /* window_scan(): scan less */

struct window {
    const struct extractor *x;
    size_t block;            /* the most bytes a window scans past own */
    size_t size;             /* what it scans now: block, or less after a
                                window with too many findings */
    unsigned int head_words; /* the document's top words (first window) */
};

/* Windows of at most block bytes past their own part's start (at least
   WINDOW_MIN; the seams want 4 * WINDOW_TAIL). */
void window_init(struct window *w, const struct extractor *x, size_t block);

/*
 * The end of the window over text[0..have) whose own part starts at own:
 * w->size bytes past own, cut after a line end (else after a blank, else
 * there), or have when eof and the window reaches it (*last set).
 */
size_t window_end(const struct window *w, const char *text, size_t own,
                  size_t have, bool eof, bool *last);

/*
 * Extracts text[0..end), base its offset in the document (0: the first
 * window), into f after the findings it holds (offsets relative to text).
 * Its own findings are those at offsets in [own, *hi) (all of them when
 * last);
 * the next window starts at *next in this one (a line start up to
 * WINDOW_LEAD bytes before *hi, or *hi) and its own part at *hi - *next.
 * Returns 0; WINDOW_RETRY, f as it was, when the window held more
 * findings than the engine takes and may shrink (w->size is now smaller:
 * window_end() again); DRP_ETOOBIG when at WINDOW_MIN it still does: f
 * holds the first EXTRACT_MAX_FINDINGS (credentials first), and *hi and
 * *next are end.
 */
int window_scan(struct window *w, const char *text, size_t end,
                unsigned long long base, size_t own, bool last,
                struct findings *f, size_t *hi, size_t *next);

/*
 * Keeps of a window's findings, f->v[first..], those it owns (offsets in
 * [own, hi)), their offsets (and a credential's password span) moved by
 * base: the document's, for a caller that gathers them in one f.
 */
void window_keep(struct findings *f, size_t first, size_t own, size_t hi,
                 unsigned long long base);

#endif
