/*
 * struct buf: a growable byte buffer with a hard cap (curl's dynbuf, git's
 * strbuf). Always NUL-terminated for convenience, but may hold NUL bytes:
 * use len, not strlen. Appending past the cap fails with DRP_ETOOBIG and
 * leaves the buffer unchanged, never truncated.
 */
#ifndef DRP_BUF_H
#define DRP_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct buf {
    char *ptr;  /* NULL until the first append; then NUL-terminated */
    size_t len; /* bytes used, excluding the terminating NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* hard cap on len */
};

#define BUF_INIT(max) { NULL, 0, 0, (max) }

void buf_init(struct buf *b, size_t max);
/* Frees the memory; the buffer may be reused after buf_init(). */
void buf_release(struct buf *b);
/* Empties the buffer, keeping its memory. */
void buf_reset(struct buf *b);
/* Hands the memory to the caller (free() it); never NULL; buffer is reset. */
char *buf_detach(struct buf *b, size_t *len);

/*
 * Makes room for extra more bytes and the NUL; DRP_ETOOBIG past the cap.
 * The appends below call it; callers need not.
 */
int buf_grow(struct buf *b, size_t extra);

/*
 * Inline (git's strbuf_addch): output code appends a few bytes at a time,
 * and a call per append cost more than the copy.
 */
static inline int
buf_add(struct buf *b, const void *data, size_t len)
{
    int rc;

    if (len >= b->cap - b->len || len > b->max - b->len) {
        rc = buf_grow(b, len);
        if (rc < 0)
            return rc;
    }
    if (len)
        memcpy(b->ptr + b->len, data, len);
    b->len += len;
    b->ptr[b->len] = '\0';
    return 0;
}

static inline int
buf_addc(struct buf *b, char c)
{
    return buf_add(b, &c, 1);
}

int buf_adds(struct buf *b, const char *s);
int buf_addf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* The contents as a C string ("" when empty); valid until the next change. */
const char *buf_str(const struct buf *b);

/* (ptr, len) views for parsing; never own memory. */
struct span {
    const char *ptr;
    size_t len;
};

bool span_eq(struct span s, const char *lit);
bool span_ieq(struct span s, const char *lit);
/* Whether s equals one of list[0..n) (case-sensitive; the first byte
   rules out most without a compare). Inline: the extractor asks it of
   every domain. */
static inline bool
span_in(struct span s, const char *const *list, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s.len > 0 && list[i][0] == s.ptr[0] &&
            strncmp(list[i], s.ptr, s.len) == 0 && list[i][s.len] == '\0')
            return true;
    return false;
}
#define SPAN_IN(s, list) span_in((s), (list), sizeof(list) / sizeof((list)[0]))

#endif
