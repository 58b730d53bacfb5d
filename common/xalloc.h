/*
 * Allocation that aborts on failure (tmux, Redis): callers never check for
 * NULL. x_free(NULL) is a no-op, like free().
 */
#ifndef DRP_XALLOC_H
#define DRP_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow an array of nmemb elements of size bytes; overflow aborts. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Heap-allocated printf. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define x_free(p) free(p)

#endif
